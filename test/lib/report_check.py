#!/usr/bin/env python3
"""test/lib/report_check.py: checks of a report page as headless Chromium parsed it (--dump-dom).

    report_check.py DOM.html PNG [NUMBERS.tsv]

Fails (exit 1, a "not ok" line) when the DOM holds a <script> element or an element with an
on* attribute (markup from the data), when an <svg> chart draws nothing (no line, rect, circle,
polyline or path), or when the PNG screenshot is blank (one colour: its unfiltered rows hold
too few distinct byte values). Writes every tagged number (data-metric, data-key, data-value)
to NUMBERS.tsv for the comparison with the views."""
import html.parser
import struct
import sys
import zlib

SHAPES = {"line", "rect", "circle", "polyline", "path", "polygon"}


class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.svgs = []          # shapes drawn per <svg>
        self.depth = 0          # inside an <svg>
        self.scripts = 0
        self.handlers = 0
        self.numbers = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if any(k.startswith("on") for k in a):
            self.handlers += 1
        if tag == "svg":
            if self.depth == 0:
                self.svgs.append(0)
            self.depth += 1
        elif self.depth and tag in SHAPES:
            self.svgs[-1] += 1
        if "data-metric" in a:
            self.numbers.append((a["data-metric"], a.get("data-key", ""), a.get("data-value", "")))

    def handle_endtag(self, tag):
        if tag == "svg" and self.depth:
            self.depth -= 1


def png_distinct_bytes(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("not ok - %s is not a PNG" % path)
    pos, idat, width, height, bpp = 8, b"", 0, 0, 4
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            bpp = {2: 3, 6: 4, 0: 1, 4: 2}.get(ctype, 4) * max(depth // 8, 1)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    seen = set()
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = prev[i]
            ul = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + left) & 255
            elif f == 2:
                line[i] = (line[i] + up) & 255
            elif f == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif f == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else ul)) & 255
        if y % 4 == 0:
            seen.update(line[::7])
        prev = line
    return width, height, len(seen)


def main():
    dom_path, png_path = sys.argv[1], sys.argv[2]
    d = Dom()
    d.feed(open(dom_path, encoding="utf-8").read())
    ok = True
    if d.scripts or d.handlers:
        print("not ok - %s: %d <script> elements, %d on* attributes in the DOM" % (dom_path, d.scripts, d.handlers))
        ok = False
    blank = [i for i, n in enumerate(d.svgs) if n == 0]
    if not d.svgs or blank:
        print("not ok - %s: %d charts, blank: %s" % (dom_path, len(d.svgs), blank))
        ok = False
    w, h, distinct = png_distinct_bytes(png_path)
    if distinct < 40:
        print("not ok - %s: %dx%d, only %d distinct byte values (blank)" % (png_path, w, h, distinct))
        ok = False
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w", encoding="utf-8") as out:
            for m, k, v in d.numbers:
                out.write("%s\t%s\t%s\n" % (m, k, v))
    if ok:
        print("ok - %s: %d charts each drawn (%s shapes), no script; %s %dx%d not blank (%d byte values); %d tagged numbers"
              % (dom_path.rsplit("/", 1)[-1], len(d.svgs), ",".join(map(str, d.svgs)), png_path.rsplit("/", 1)[-1],
                 w, h, distinct, len(d.numbers)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
