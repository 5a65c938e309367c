-- cs_ref: an independent, brute-force reference for cs_service's business-calendar functions.
--
-- It follows doc/calendar.md literally and shares no code or logic with the C core:
--   * a calendar is a structured value (cs_ref.cal), never parsed from text; cs_ref.render()
--     prints it in the extension's text form so that the same calendar can be fed to both;
--   * business time is built LOCAL DATE BY LOCAL DATE: for every local date D the rule that
--     applies (last matching date rule, else last matching weekly rule, else nothing), its spans
--     merged in local time, each merged span [D+s, D+e) (e <= s: ends on D+1) converted with
--     PostgreSQL's own `timestamp AT TIME ZONE zone` (an empty range when the end instant is not
--     after the start), and the union taken with range_agg into a tstzmultirange;
--   * every answer is then read off that multirange by plain range arithmetic.
-- Loadable with or without the extension (psql: \i or \ir).  Everything lives in schema cs_ref.

DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'cs_ref') THEN
    EXECUTE 'DROP SCHEMA cs_ref CASCADE';
  END IF;
END $$;
CREATE SCHEMA cs_ref;

-- ---------------------------------------------------------------------------------------------
-- The structured description of a calendar.
--   span:  a local span; s in 00:00..23:59:59, e in 00:00:01..24:00; e <= s means "ends next date"
--   wrule: a weekly rule: ISO weekdays (1 = Monday .. 7 = Sunday) and spans ('{}' = off)
--   drule: a date rule: first..last local dates (inclusive) and spans ('{}' = off)
--   cal:   zone (NULL = UTC), weekly rules and date rules, each list in text order (later wins)
-- ---------------------------------------------------------------------------------------------
CREATE TYPE cs_ref.span AS (s time, e time);
CREATE TYPE cs_ref.wrule AS (days int[], spans cs_ref.span[]);
CREATE TYPE cs_ref.drule AS (first date, last date, spans cs_ref.span[]);
CREATE TYPE cs_ref.cal AS (zone text, weekly cs_ref.wrule[], dates cs_ref.drule[]);

-- constructors, for readable test data
CREATE FUNCTION cs_ref.sp(s text, e text) RETURNS cs_ref.span
LANGUAGE sql IMMUTABLE AS $$ SELECT ROW(s::time, e::time)::cs_ref.span $$;

CREATE FUNCTION cs_ref.wr(days int[], VARIADIC spans cs_ref.span[] DEFAULT '{}') RETURNS cs_ref.wrule
LANGUAGE sql IMMUTABLE AS $$ SELECT ROW(days, spans)::cs_ref.wrule $$;

CREATE FUNCTION cs_ref.dr(first date, last date, VARIADIC spans cs_ref.span[] DEFAULT '{}')
RETURNS cs_ref.drule
LANGUAGE sql IMMUTABLE AS $$ SELECT ROW(first, last, spans)::cs_ref.drule $$;

CREATE FUNCTION cs_ref.mk(zone text, weekly cs_ref.wrule[], dates cs_ref.drule[] DEFAULT '{}')
RETURNS cs_ref.cal
LANGUAGE sql IMMUTABLE AS $$ SELECT ROW(zone, weekly, dates)::cs_ref.cal $$;

CREATE FUNCTION cs_ref.zone(c cs_ref.cal) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(c.zone, 'UTC') $$;

-- ---------------------------------------------------------------------------------------------
-- Small exact helpers (microseconds as bigint; no floating point anywhere)
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION cs_ref.usec(n bigint) RETURNS interval          -- n microseconds, time field only
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT (n::text || ' microseconds')::interval $$;

CREATE FUNCTION cs_ref.us_of(i interval) RETURNS bigint          -- an interval's length in us
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT (extract(epoch FROM i) * 1000000)::bigint $$;

CREATE FUNCTION cs_ref.us_between(a timestamptz, b timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT AS
$$ SELECT ((extract(epoch FROM b) - extract(epoch FROM a)) * 1000000)::bigint $$;

CREATE FUNCTION cs_ref.utc_date(t timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT (t AT TIME ZONE 'UTC')::date $$;

CREATE FUNCTION cs_ref.utc_midnight(d date) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT d::timestamp AT TIME ZONE 'UTC' $$;

CREATE FUNCTION cs_ref.check_finite(t timestamptz) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF t IS NOT NULL AND (NOT isfinite(t) OR t < '0001-01-03 00:00+00' OR t >= '9999-12-29 00:00+00')
  THEN
    RAISE EXCEPTION 'cs_ref: timestamp out of range: %', t USING ERRCODE = '22008';
  END IF;
END $$;

-- ---------------------------------------------------------------------------------------------
-- The rule of one local date, its merged local spans, and business time over a date window
-- ---------------------------------------------------------------------------------------------

-- The spans that start on local date d: the last date rule covering d, else the last weekly rule
-- naming d's weekday, else none.
CREATE FUNCTION cs_ref.spans_on(c cs_ref.cal, d date) RETURNS cs_ref.span[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(
    (SELECT r.spans FROM unnest(c.dates) WITH ORDINALITY AS r(first, last, spans, ord)
      WHERE d BETWEEN r.first AND r.last ORDER BY r.ord DESC LIMIT 1),
    (SELECT r.spans FROM unnest(c.weekly) WITH ORDINALITY AS r(days, spans, ord)
      WHERE extract(isodow FROM d)::int = ANY (r.days) ORDER BY r.ord DESC LIMIT 1),
    '{}'::cs_ref.span[])
$$;

-- The spans of local date d as local timestamp ranges, merged in local time (overlapping or
-- touching spans of one rule are one span, doc/calendar.md).
CREATE FUNCTION cs_ref.local_spans(c cs_ref.cal, d date) RETURNS SETOF tsrange
LANGUAGE sql IMMUTABLE AS $$
  SELECT unnest(range_agg(tsrange(d + sp.s,
                                  CASE WHEN sp.e > sp.s THEN d + sp.e ELSE (d + 1) + sp.e END)))
  FROM unnest(cs_ref.spans_on(c, d)) AS sp
$$;

-- Whether the weekly rules give any span at all (then business time never runs out), and the
-- dates covered by date rules (outside them, only the weekly rules matter).
CREATE FUNCTION cs_ref.has_weekly_spans(c cs_ref.cal) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM generate_series(1, 7) AS w(dow)
    WHERE cardinality(coalesce(
      (SELECT r.spans FROM unnest(c.weekly) WITH ORDINALITY AS r(days, spans, ord)
        WHERE w.dow = ANY (r.days) ORDER BY r.ord DESC LIMIT 1), '{}')) > 0)
$$;

CREATE FUNCTION cs_ref.date_rules_first(c cs_ref.cal) RETURNS date
LANGUAGE sql IMMUTABLE AS $$ SELECT min(r.first) FROM unnest(c.dates) AS r $$;

CREATE FUNCTION cs_ref.date_rules_last(c cs_ref.cal) RETURNS date
LANGUAGE sql IMMUTABLE AS $$ SELECT max(r.last) FROM unnest(c.dates) AS r $$;

-- Business time contributed by the spans of local dates lo..hi (inclusive).  Every date is
-- visited, except that a calendar whose weekly rules have no span at all only has spans on the
-- dates of its date rules, so only those are visited (a shortcut for speed, nothing more).
CREATE FUNCTION cs_ref.business_time(c cs_ref.cal, lo date, hi date) RETURNS tstzmultirange
LANGUAGE sql IMMUTABLE AS $$
  WITH w AS (SELECT cs_ref.has_weekly_spans(c) AS weekly),
  dates AS (
    SELECT g.d FROM w, generate_series(lo::timestamp, hi::timestamp, interval '1 day') AS g(d)
    WHERE w.weekly
    UNION
    SELECT g.d FROM w, unnest(c.dates) AS r,
           generate_series(greatest(r.first, lo)::timestamp, least(r.last, hi)::timestamp, interval '1 day') AS g(d)
    WHERE NOT w.weekly)
  SELECT coalesce(range_agg(CASE WHEN y.b > y.a THEN tstzrange(y.a, y.b) ELSE 'empty'::tstzrange END),
                  '{}'::tstzmultirange)
  FROM dates AS g,
       LATERAL cs_ref.local_spans(c, g.d::date) AS ls,
       LATERAL (SELECT lower(ls) AT TIME ZONE cs_ref.zone(c) AS a,
                       upper(ls) AT TIME ZONE cs_ref.zone(c) AS b) AS y
$$;

-- Business time within [a, b): exact there, because spans of dates before utc_date(a) - 2 end
-- before a, and spans of dates after utc_date(b) + 1 start after b (offsets are within +-16h,
-- spans last at most 48h of local time).
CREATE FUNCTION cs_ref.business_time_between(c cs_ref.cal, a timestamptz, b timestamptz)
RETURNS tstzmultirange
LANGUAGE sql IMMUTABLE AS $$
  SELECT cs_ref.business_time(c, cs_ref.utc_date(a) - 2, cs_ref.utc_date(b) + 1)
         * tstzmultirange(tstzrange(a, b))
$$;

CREATE FUNCTION cs_ref.measure_us(m tstzmultirange) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(sum(cs_ref.us_between(lower(r), upper(r))), 0)::bigint FROM unnest(m) AS r
$$;

-- ---------------------------------------------------------------------------------------------
-- The reference functions (same names and argument order as cs_service's)
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION cs_ref.business_windows(r tstzrange, c cs_ref.cal) RETURNS tstzmultirange
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  IF lower_inf(r) OR upper_inf(r) THEN
    RAISE EXCEPTION 'cs_ref: unbounded range' USING ERRCODE = '22008';
  END IF;
  IF isempty(r) THEN
    RETURN '{}';
  END IF;
  PERFORM cs_ref.check_finite(lower(r));
  PERFORM cs_ref.check_finite(upper(r));
  RETURN cs_ref.business_time(c, cs_ref.utc_date(lower(r)) - 2, cs_ref.utc_date(upper(r)) + 1)
         * tstzmultirange(r);
END $$;

CREATE FUNCTION cs_ref.business_duration(a timestamptz, b timestamptz, c cs_ref.cal)
RETURNS interval
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  PERFORM cs_ref.check_finite(a);
  PERFORM cs_ref.check_finite(b);
  IF b < a THEN
    RETURN cs_ref.usec(-cs_ref.measure_us(cs_ref.business_time_between(c, b, a)));
  END IF;
  RETURN cs_ref.usec(cs_ref.measure_us(cs_ref.business_time_between(c, a, b)));
END $$;

CREATE FUNCTION cs_ref.is_business_time(t timestamptz, c cs_ref.cal) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  PERFORM cs_ref.check_finite(t);
  RETURN cs_ref.business_time(c, cs_ref.utc_date(t) - 2, cs_ref.utc_date(t) + 1) @> t;
END $$;

-- amount > 0: the earliest t >= ts with duration(ts, t) = amount; amount < 0: the latest t <= ts
-- with duration(t, ts) = -amount.  Brute force: build business time over ever wider date windows
-- (doubling) and walk its ranges in order, only within the part of the window that is exact.
CREATE FUNCTION cs_ref.business_add(ts timestamptz, amount interval, c cs_ref.cal)
RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  need   bigint;
  width  int := 8;
  lo     date;
  hi     date;
  m      tstzmultirange;
  res    timestamptz;
  weekly boolean := cs_ref.has_weekly_spans(c);
  dfirst date := cs_ref.date_rules_first(c);
  dlast  date := cs_ref.date_rules_last(c);
BEGIN
  PERFORM cs_ref.check_finite(ts);
  IF extract(month FROM amount) <> 0 OR extract(year FROM amount) <> 0
     OR extract(day FROM amount) <> 0 THEN
    RAISE EXCEPTION 'cs_ref: amount with days or months: %', amount USING ERRCODE = '22023';
  END IF;
  need := cs_ref.us_of(amount);
  IF need = 0 THEN
    RETURN ts;
  END IF;
  IF NOT weekly AND dfirst IS NULL THEN
    RAISE EXCEPTION 'cs_ref: calendar without spans' USING ERRCODE = '22023';
  END IF;
  LOOP
    IF need > 0 THEN
      lo := cs_ref.utc_date(ts) - 2;
      IF hi >= '9999-12-20' THEN            -- the last window already reached the end of time
        RAISE EXCEPTION 'cs_ref: result out of range' USING ERRCODE = '22008';
      END IF;
      hi := least(cs_ref.utc_date(ts) + width, date '9999-12-20');
      m := cs_ref.business_time(c, lo, hi) * tstzmultirange(tstzrange(ts, cs_ref.utc_midnight(hi)));
      SELECT lower(x.r) + cs_ref.usec(need - (x.cum - x.len)) INTO res
      FROM (SELECT r, cs_ref.us_between(lower(r), upper(r)) AS len,
                   (sum(cs_ref.us_between(lower(r), upper(r))) OVER (ORDER BY lower(r)))::bigint AS cum
            FROM unnest(m) AS r) AS x
      WHERE x.cum >= need ORDER BY lower(x.r) LIMIT 1;
      IF res IS NOT NULL THEN
        RETURN res;
      END IF;
      IF NOT weekly AND hi > dlast + 3 THEN
        RAISE EXCEPTION 'cs_ref: amount cannot be reached' USING ERRCODE = '22023';
      END IF;
    ELSE
      IF lo <= '0001-01-10' THEN            -- the last window already reached the start of time
        RAISE EXCEPTION 'cs_ref: result out of range' USING ERRCODE = '22008';
      END IF;
      lo := greatest(cs_ref.utc_date(ts) - width, date '0001-01-10');
      hi := cs_ref.utc_date(ts) + 1;
      m := cs_ref.business_time(c, lo, hi) * tstzmultirange(tstzrange(cs_ref.utc_midnight(lo + 2), ts));
      SELECT upper(x.r) - cs_ref.usec(-need - (x.cum - x.len)) INTO res
      FROM (SELECT r, cs_ref.us_between(lower(r), upper(r)) AS len,
                   (sum(cs_ref.us_between(lower(r), upper(r))) OVER (ORDER BY lower(r) DESC))::bigint AS cum
            FROM unnest(m) AS r) AS x
      WHERE x.cum >= -need ORDER BY lower(x.r) DESC LIMIT 1;
      IF res IS NOT NULL THEN
        RETURN res;
      END IF;
      IF NOT weekly AND lo < dfirst - 3 THEN
        RAISE EXCEPTION 'cs_ref: amount cannot be reached' USING ERRCODE = '22023';
      END IF;
    END IF;
    width := width * 2;
  END LOOP;
END $$;

CREATE FUNCTION cs_ref.next_business_time(ts timestamptz, c cs_ref.cal) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  width  int := 8;
  hi     date;
  res    timestamptz;
  weekly boolean := cs_ref.has_weekly_spans(c);
  dlast  date := cs_ref.date_rules_last(c);
BEGIN
  PERFORM cs_ref.check_finite(ts);
  IF cs_ref.is_business_time(ts, c) THEN
    RETURN ts;
  END IF;
  LOOP
    IF hi >= '9999-12-20' THEN
      RAISE EXCEPTION 'cs_ref: no business time ahead' USING ERRCODE = '22008';
    END IF;
    hi := least(cs_ref.utc_date(ts) + width, date '9999-12-20');
    SELECT min(lower(r)) INTO res
    FROM unnest(cs_ref.business_time(c, cs_ref.utc_date(ts) - 2, hi)
                * tstzmultirange(tstzrange(ts, cs_ref.utc_midnight(hi)))) AS r;
    IF res IS NOT NULL THEN
      RETURN res;
    END IF;
    IF NOT weekly AND (dlast IS NULL OR hi > dlast + 3) THEN
      RAISE EXCEPTION 'cs_ref: no business time ahead' USING ERRCODE = '22023';
    END IF;
    width := width * 2;
  END LOOP;
END $$;

-- The same local clock time on the n-th following (n < 0: preceding) local date that has at
-- least one span in its rule.
CREATE FUNCTION cs_ref.business_days_add(ts timestamptz, n int, c cs_ref.cal) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  z      text := cs_ref.zone(c);
  lt     timestamp;
  d      date;
  k      int := 0;
  step   int := sign(n);
  weekly boolean := cs_ref.has_weekly_spans(c);
  dfirst date := cs_ref.date_rules_first(c);
  dlast  date := cs_ref.date_rules_last(c);
BEGIN
  PERFORM cs_ref.check_finite(ts);
  IF n = 0 THEN
    RETURN ts;
  END IF;
  lt := ts AT TIME ZONE z;
  d := lt::date;
  WHILE k < abs(n) LOOP
    d := d + step;
    IF cardinality(cs_ref.spans_on(c, d)) > 0 THEN
      k := k + 1;
    ELSIF NOT weekly AND (dfirst IS NULL OR (step > 0 AND d > dlast) OR (step < 0 AND d < dfirst)) THEN
      RAISE EXCEPTION 'cs_ref: day count cannot be reached' USING ERRCODE = '22023';
    END IF;
    IF d > '9999-12-20' OR d < '0001-01-10' THEN
      RAISE EXCEPTION 'cs_ref: result out of range' USING ERRCODE = '22008';
    END IF;
  END LOOP;
  RETURN (d + lt::time) AT TIME ZONE z;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Renderer: the structured calendar in the extension's text form.  `style` (any integer) varies
-- the spelling deterministically: case, white space, day lists vs ranges vs full names, seconds,
-- hours without a leading zero, where the zone goes, empty items.  Style 0 is plain.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION cs_ref.render_time(t time, style int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN t = '24:00' THEN CASE WHEN style % 3 = 1 THEN '24:00:00' ELSE '24:00' END
    WHEN extract(second FROM t) <> 0 OR style % 3 = 1 THEN to_char(t, 'HH24:MI:SS')
    WHEN style % 5 = 2 THEN ltrim(to_char(t, 'HH24'), '0') || CASE WHEN extract(hour FROM t) = 0 THEN '0' ELSE '' END
                            || to_char(t, ':MI')
    ELSE to_char(t, 'HH24:MI') END
$$;

CREATE FUNCTION cs_ref.render_spans(spans cs_ref.span[], style int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN cardinality(spans) = 0 THEN CASE WHEN style % 4 = 3 THEN 'OFF' ELSE 'off' END
  ELSE (SELECT string_agg(cs_ref.render_time(x.s, style)
                          || CASE WHEN style % 7 = 4 THEN ' - ' ELSE '-' END
                          || cs_ref.render_time(x.e, style),
                          CASE WHEN style % 2 = 1 THEN ', ' ELSE ',' END ORDER BY x.ord)
        FROM unnest(spans) WITH ORDINALITY AS x(s, e, ord)) END
$$;

CREATE FUNCTION cs_ref.render_days(days int[], style int) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  short text[] := '{mon,tue,wed,thu,fri,sat,sun}';
  long  text[] := '{monday,tuesday,wednesday,thursday,friday,saturday,sunday}';
  names text[];
  ds    int[];
  out   text[] := '{}';
  i     int;
  j     int;
BEGIN
  names := CASE WHEN style % 6 = 5 THEN long ELSE short END;
  SELECT array_agg(DISTINCT x ORDER BY x) INTO ds FROM unnest(days) AS x;
  IF style % 4 = 0 THEN                       -- plain list, in the given order
    RETURN (SELECT string_agg(names[x], ',' ORDER BY o) FROM unnest(days) WITH ORDINALITY AS u(x, o));
  END IF;
  IF cardinality(ds) = 7 AND style % 8 = 7 THEN
    RETURN names[5] || '-' || names[4];       -- a wrapping range covering the whole week
  END IF;
  -- runs of consecutive days as ranges (a run may wrap past Sunday)
  i := 1;
  WHILE i <= cardinality(ds) LOOP
    j := i;
    WHILE j < cardinality(ds) AND ds[j + 1] = ds[j] + 1 LOOP
      j := j + 1;
    END LOOP;
    IF j > i THEN
      out := out || (names[ds[i]] || CASE WHEN style % 3 = 2 THEN ' - ' ELSE '-' END || names[ds[j]]);
    ELSE
      out := out || names[ds[i]];
    END IF;
    i := j + 1;
  END LOOP;
  -- fold a run ending on Sunday into a run starting on Monday: "sat-sun,mon-tue" -> "sat-tue"
  IF cardinality(out) > 1 AND ds[1] = 1 AND ds[cardinality(ds)] = 7 AND style % 5 = 1 THEN
    DECLARE a text := out[cardinality(out)]; b text := out[1];
    BEGIN
      out := out[2:cardinality(out) - 1]
             || (split_part(replace(a, ' ', ''), '-', 1) || '-' ||
                 CASE WHEN position('-' IN b) > 0 THEN split_part(replace(b, ' ', ''), '-', 2) ELSE b END);
    END;
  END IF;
  RETURN array_to_string(out, CASE WHEN style % 2 = 0 THEN ',' ELSE ', ' END);
END $$;

CREATE FUNCTION cs_ref.render(c cs_ref.cal, style int DEFAULT 0) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  items text[] := '{}';
  w     cs_ref.wrule;
  d     cs_ref.drule;
  zpos  int;
  sep   text := CASE WHEN style % 5 = 3 THEN ' ;  ' WHEN style % 5 = 4 THEN ';' ELSE '; ' END;
  res   text;
BEGIN
  FOREACH w IN ARRAY coalesce(c.weekly, '{}') LOOP
    items := items || (cs_ref.render_days(w.days, style)
                       || CASE WHEN style % 7 = 5 THEN '   ' ELSE ' ' END
                       || cs_ref.render_spans(w.spans, style));
  END LOOP;
  FOREACH d IN ARRAY coalesce(c.dates, '{}') LOOP
    items := items || (CASE WHEN d.first = d.last AND style % 9 <> 8 THEN d.first::text
                            ELSE d.first::text || '..' || d.last::text END
                       || ' ' || cs_ref.render_spans(d.spans, style));
  END LOOP;
  IF c.zone IS NOT NULL OR style % 4 = 1 THEN
    zpos := CASE WHEN style % 3 = 0 THEN 1 ELSE 1 + (style / 3) % (cardinality(items) + 1) END;
    items := items[1:zpos - 1] || cs_ref.zone(c) || items[zpos:];
  END IF;
  IF style % 11 = 10 THEN
    items := items || ''::text;                 -- a trailing empty item: "...;"
  END IF;
  res := array_to_string(items, sep);
  IF style % 13 = 6 THEN
    res := upper(res);
  ELSIF style % 13 = 7 THEN
    res := initcap(res);
  END IF;
  RETURN res;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Test helpers: DST transitions of a zone (by PostgreSQL's own conversions), random calendars.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION cs_ref.utc_offset(t timestamptz, z text) RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT (t AT TIME ZONE z) - (t AT TIME ZONE 'UTC') $$;

-- Every instant in [a, b) at which the zone's UTC offset changes (to the second), found by a daily
-- scan and a binary search within the day.
CREATE FUNCTION cs_ref.transitions(z text, a timestamptz, b timestamptz)
RETURNS TABLE (at timestamptz, off_before interval, off_after interval)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  d  timestamptz;
  lo timestamptz;
  hi timestamptz;
  mid timestamptz;
  o  interval;
BEGIN
  FOR d IN
    SELECT g FROM generate_series(a, b - interval '1 day', interval '1 day') AS g
    WHERE cs_ref.utc_offset(g, z) <> cs_ref.utc_offset(g + interval '1 day', z)
  LOOP
    lo := d;
    hi := d + interval '1 day';
    o := cs_ref.utc_offset(lo, z);
    WHILE hi - lo > interval '1 second' LOOP
      mid := lo + (hi - lo) / 2;
      mid := date_trunc('second', mid);
      IF mid <= lo THEN mid := lo + interval '1 second'; END IF;
      IF cs_ref.utc_offset(mid, z) = o THEN lo := mid; ELSE hi := mid; END IF;
    END LOOP;
    at := hi;
    off_before := o;
    off_after := cs_ref.utc_offset(hi, z);
    RETURN NEXT;
  END LOOP;
END $$;

-- random helpers (all driven by random(), so setseed() makes everything reproducible)
CREATE FUNCTION cs_ref.rnd(n int) RETURNS int               -- 0 .. n-1
LANGUAGE sql VOLATILE AS $$ SELECT floor(random() * n)::int $$;

CREATE FUNCTION cs_ref.pick(xs anyarray) RETURNS anyelement
LANGUAGE sql VOLATILE AS $$ SELECT xs[1 + floor(random() * cardinality(xs))::int] $$;

-- a random span bound: mostly round times, often the hours DST changes happen at, sometimes with
-- seconds
CREATE FUNCTION cs_ref.rnd_time() RETURNS time
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RETURN CASE cs_ref.rnd(4)
    WHEN 0 THEN cs_ref.pick('{00:00,00:30,01:00,01:30,02:00,02:30,03:00,03:30,23:00,23:30}'::time[])
    WHEN 1 THEN cs_ref.pick('{06:00,08:00,09:00,12:00,13:00,14:00,17:00,18:00,20:00,22:00}'::time[])
    WHEN 2 THEN make_time(cs_ref.rnd(24), cs_ref.rnd(4) * 15, 0)
    ELSE make_time(cs_ref.rnd(24), cs_ref.rnd(60), cs_ref.rnd(60)) END;
END $$;

-- Whether the spans of one rule, merged in local time, join into a stretch of 24 hours or more
-- (other than exactly 00:00-24:00); the extension rejects such a rule (not in doc/calendar.md).
CREATE FUNCTION cs_ref.too_long(spans cs_ref.span[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM unnest((SELECT range_agg(tsrange(date '2000-01-01' + sp.s,
                                            CASE WHEN sp.e > sp.s THEN date '2000-01-01' + sp.e
                                                 ELSE date '2000-01-02' + sp.e END))
                          FROM unnest(spans) AS sp)) AS r
    WHERE upper(r) - lower(r) >= interval '24 hours'
      AND r <> tsrange('2000-01-01 00:00', '2000-01-02 00:00'))
$$;

-- 1..3 random spans: ordinary, night shifts, 24:00 ends, whole days, spans over DST hours
CREATE FUNCTION cs_ref.rnd_spans() RETURNS cs_ref.span[]
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  res cs_ref.span[] := '{}';
  s   time;
  e   time;
  k   int := 1 + cs_ref.rnd(3);
BEGIN
  CASE cs_ref.rnd(9)
    WHEN 0 THEN RETURN ARRAY[cs_ref.sp('09:00', '18:00')];
    WHEN 1 THEN RETURN ARRAY[cs_ref.sp('09:00', '13:00'), cs_ref.sp('14:00', '18:00')];
    WHEN 2 THEN RETURN ARRAY[cs_ref.sp('22:00', '06:00')];
    WHEN 3 THEN RETURN ARRAY[cs_ref.sp('00:00', '24:00')];
    WHEN 4 THEN RETURN ARRAY[cs_ref.sp('18:00', '24:00'), cs_ref.sp('00:00', '02:00')];
    ELSE NULL;
  END CASE;
  FOR i IN 1..k LOOP
    s := cs_ref.rnd_time();
    IF cs_ref.rnd(5) = 0 THEN
      e := '24:00';
    ELSE
      e := cs_ref.rnd_time();
    END IF;
    IF e = s OR (s = '00:00' AND e = '24:00' AND cs_ref.rnd(2) = 0) THEN
      e := s + interval '1 hour 30 minutes';     -- never an empty span
      IF e = s THEN e := '24:00'; END IF;
    END IF;
    IF NOT cs_ref.too_long(res || cs_ref.sp(s::text, e::text)) THEN
      res := res || cs_ref.sp(s::text, e::text);
    END IF;
  END LOOP;
  IF cardinality(res) = 0 THEN
    res := ARRAY[cs_ref.sp('10:00', '15:00')];
  END IF;
  RETURN res;
END $$;

CREATE FUNCTION cs_ref.rnd_days() RETURNS int[]
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  res int[];
BEGIN
  CASE cs_ref.rnd(6)
    WHEN 0 THEN RETURN '{1,2,3,4,5}';
    WHEN 1 THEN RETURN '{1,2,3,4,5,6,7}';
    WHEN 2 THEN RETURN '{6,7}';
    WHEN 3 THEN RETURN ARRAY[1 + cs_ref.rnd(7)];
    WHEN 4 THEN RETURN '{7,1,2,3,4}';                 -- sun-thu
    ELSE
      SELECT array_agg(x ORDER BY x) INTO res FROM generate_series(1, 7) x WHERE random() < 0.5;
      RETURN coalesce(res, '{3}');
  END CASE;
END $$;

-- A random calendar in zone z; near_dates are local dates worth putting date rules on (the days
-- of DST changes).  kind 'dense': dozens of date rules (holidays, short days, worked weekends over
-- years); kind 'dated': no weekly spans at all, only date rules (business time runs out).
CREATE FUNCTION cs_ref.rnd_cal(z text, near_dates date[], kind text DEFAULT 'plain') RETURNS cs_ref.cal
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  weekly cs_ref.wrule[] := '{}';
  dates  cs_ref.drule[] := '{}';
  d      date;
  len    int;
  sp     cs_ref.span[];
  ndates int := CASE kind WHEN 'dense' THEN 20 + cs_ref.rnd(60) WHEN 'dated' THEN 1 + cs_ref.rnd(6)
                          ELSE cs_ref.rnd(7) END;
BEGIN
  IF kind <> 'dated' THEN
    FOR i IN 1..(1 + cs_ref.rnd(3)) LOOP
      weekly := weekly || ROW(cs_ref.rnd_days(),
                              CASE WHEN cs_ref.rnd(8) = 0 THEN '{}'::cs_ref.span[]
                                   ELSE cs_ref.rnd_spans() END)::cs_ref.wrule;
    END LOOP;
  ELSIF cs_ref.rnd(2) = 0 THEN
    weekly := ARRAY[ROW(cs_ref.rnd_days(), '{}'::cs_ref.span[])::cs_ref.wrule];
  END IF;
  FOR i IN 1..ndates LOOP
    IF cardinality(near_dates) > 0 AND cs_ref.rnd(3) > 0 THEN
      d := cs_ref.pick(near_dates) + (cs_ref.rnd(5) - 2);
    ELSIF kind = 'dense' THEN
      d := date '2014-01-01' + cs_ref.rnd(17 * 365);
    ELSE
      d := date '2019-01-01' + cs_ref.rnd(9 * 365);
    END IF;
    len := CASE cs_ref.rnd(4) WHEN 0 THEN cs_ref.rnd(12) ELSE 0 END;
    sp := CASE cs_ref.rnd(CASE kind WHEN 'dated' THEN 5 ELSE 3 END)
          WHEN 0 THEN '{}'::cs_ref.span[] ELSE cs_ref.rnd_spans() END;
    dates := dates || ROW(d, d + len, sp)::cs_ref.drule;
  END LOOP;
  IF NOT cs_ref.has_weekly_spans(ROW(z, weekly, '{}')::cs_ref.cal)
     AND NOT EXISTS (SELECT 1 FROM unnest(dates) AS r, generate_series(r.first, r.last, interval '1 day') AS g
                     WHERE cardinality(cs_ref.spans_on(ROW(z, weekly, dates)::cs_ref.cal, g::date)) > 0) THEN
    IF kind = 'dated' THEN
      dates := dates || ROW(d, d, cs_ref.rnd_spans())::cs_ref.drule;
    ELSE
      weekly := weekly || ROW('{1,2,3,4,5}'::int[], cs_ref.rnd_spans())::cs_ref.wrule;
    END IF;
  END IF;
  RETURN ROW(CASE WHEN z = 'UTC' AND cs_ref.rnd(2) = 0 THEN NULL ELSE z END, weekly, dates)::cs_ref.cal;
END $$;
