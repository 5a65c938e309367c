/*
 * libFuzzer target for the calendar parser and the clock built on it.
 *
 * For any input: parsing never crashes; a parsed calendar checks valid, survives the stored
 * form, prints a canonical text that parses back to the same text; and on a fixed-offset zone
 * the fast clock agrees with the definition for instants taken from the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bizcal.h"
#include "calendar.h"
#include "cs_alloc.h"

static int64_t
fixed_to_utc(int64_t local, void *arg)
{
	return local - *(const int32_t *) arg * BC_USECS_PER_SEC;
}

static int64_t
measure(const bc_piece *p, int n, int64_t a, int64_t b)
{
	int64_t total = 0;

	for (int i = 0; i < n; i++)
	{
		int64_t s = p[i].start > a ? p[i].start : a;
		int64_t e = p[i].end < b ? p[i].end : b;

		if (e > s)
			total += e - s;
	}
	return total;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bc_calendar cal, again, view;
	bc_parse_error err;
	char *text, *text2;
	size_t ssize;
	void *buf;

	if (!bc_parse((const char *) data, size, &cal, &err))
	{
		if (err.item_start < 0 || err.item_len < 0 ||
			(size_t) (err.item_start + err.item_len) > size)
			abort();
		return 0;
	}
	if (bc_check(&cal) != NULL)
		abort();
	text = bc_format(&cal);
	if (!bc_parse(text, strlen(text), &again, &err))
		abort();
	text2 = bc_format(&again);
	if (strcmp(text, text2) != 0)
		abort();
	ssize = bc_serialized_size(&cal);
	buf = cs_alloc(ssize);
	bc_serialize(&cal, buf);
	if (bc_view(buf, ssize, &view) != NULL || bc_check(&view) != NULL)
		abort();

	/* the clock on a fixed zone, at instants drawn from the input bytes */
	{
		int32_t off = (int32_t) (size % 53) * 1800 - 13 * 3600;
		bc_zone zone = {INT64_MIN, INT64_MAX, off, 0, NULL, fixed_to_utc, &off};
		bc_prepared *p = bc_prepare(&view, &zone);
		int64_t base = (int64_t) bc_days_from_civil(2026, 1, 1) * BC_USECS_PER_DAY;
		int64_t a = base + (int64_t) (size * 7919 % 1000) * 3600 * BC_USECS_PER_SEC / 7;
		int64_t b = a + (int64_t) (data[0] % 200) * 3600 * BC_USECS_PER_SEC + data[size - 1];
		int64_t got, need, t;
		bc_piece *pieces;
		int n = bc_exact_pieces(&view, &zone, a - 400 * BC_USECS_PER_DAY,
								b + 400 * BC_USECS_PER_DAY, &pieces);

		if (bc_duration(p, a, b, &got, &need) != BC_OK || got != measure(pieces, n, a, b))
			abort();
		if (got > 0)
		{
			if (bc_add(p, a, got, &t, &need) != BC_OK || measure(pieces, n, a, t) != got)
				abort();
			if (bc_add(p, b, -got, &t, &need) != BC_OK || measure(pieces, n, t, b) != got)
				abort();
		}
		cs_free(pieces);
		bc_prepared_free(p);
	}
	cs_free(buf);
	cs_free(text);
	cs_free(text2);
	bc_free(&again);
	bc_free(&cal);
	return 0;
}
