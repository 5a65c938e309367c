/*
 * calendar.h: business calendars, parsed and canonical (pure C, no PostgreSQL headers).
 *
 * A calendar is a time zone name, a weekly schedule (spans per weekday) and date rules
 * (inclusive ranges of local dates with their own spans, replacing the weekly schedule on those
 * dates).  See doc/calendar.md for the text form and the exact rules.
 *
 * Dates are day numbers counted from 2000-01-01 (PostgreSQL's epoch; day 0 is a Saturday).
 * A span is [start, end) in seconds from the local midnight of the date it belongs to:
 * 0 <= start < 86400 and start < end < start + 86400 (ends past 86400 run into the next date).
 *
 * Canonical form, established by the parser and checked by bc_check: the spans of one rule are
 * sorted, non-overlapping and non-touching; date ranges are sorted, disjoint, and adjacent
 * ranges never have identical spans; every weekday's spans are listed (Monday = 0).
 */
#ifndef CS_CALENDAR_H
#define CS_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BC_SECS_PER_DAY		  86400
#define BC_MAX_ZONE_LEN		  63
#define BC_MAX_SPANS_PER_RULE 64
#define BC_MAX_RANGES		  100000
#define BC_MAX_DATE_RULES	  10000		/* date items in one text: keeps parsing fast */
#define BC_MIN_DAY			  (-730119) /* 0001-01-01 */
#define BC_MAX_DAY			  2921939	/* 9999-12-31 */
#define BC_FORMAT_VERSION	  1

typedef struct bc_span
{
	int32_t start;
	int32_t end;
} bc_span;

typedef struct bc_range
{
	int32_t first;		/* first local date of the range, inclusive */
	int32_t last;		/* last local date, inclusive */
	int32_t span_first; /* index into spans[] */
	int32_t span_count; /* 0 = day off */
} bc_range;

/*
 * A calendar.  Either owns its arrays (built by the parser) or points into a serialized blob
 * (bc_view); the functions never care which.
 */
typedef struct bc_calendar
{
	const char *zone;	   /* NUL-terminated */
	int32_t week_first[8]; /* weekday w's spans are spans[week_first[w] .. week_first[w+1]) */
	int32_t nspans;
	int32_t nranges;
	const bc_span *spans;
	const bc_range *ranges;
} bc_calendar;

/* What went wrong in a calendar text, for an error message that points at it. */
typedef struct bc_parse_error
{
	int item_start;	   /* byte offset of the offending item in the input */
	int item_len;	   /* its length (trimmed) */
	int pos;		   /* byte offset of the offending token */
	char message[160]; /* what was expected, as a sentence fragment */
} bc_parse_error;

/* Parsing and printing. */
extern bool bc_parse(const char *text, size_t len, bc_calendar *out, bc_parse_error *err);
extern void bc_free(bc_calendar *cal);						 /* frees a parsed calendar's arrays */
extern char *bc_format(const bc_calendar *cal);				 /* canonical text, cs_alloc'ed */
extern void bc_set_zone(bc_calendar *cal, const char *zone); /* parsed calendars only */

/* Validation of a calendar assembled from untrusted parts (binary input); NULL if valid. */
extern const char *bc_check(const bc_calendar *cal);

/*
 * Serialized form, as stored (all fields int32 or narrower, 4-byte aligned; the first 4 bytes
 * are left for the varlena header):
 *   [0]  reserved (varlena length)      [4] uint8 version, uint8 flags, uint16 zone length
 *   [8]  int32 nspans   [12] int32 nranges   [16] int32 week_first[8]
 *   [48] bc_span spans[nspans], bc_range ranges[nranges], zone bytes + NUL, zero padding to 4
 */
extern size_t bc_serialized_size(const bc_calendar *cal);
extern void bc_serialize(const bc_calendar *cal, void *buf);
extern const char *bc_view(const void *buf, size_t len, bc_calendar *out); /* NULL if ok */

/* Calendar dates. */
extern int32_t bc_days_from_civil(int y, int m, int d);
extern void bc_civil_from_days(int32_t days, int *y, int *m, int *d);
extern int bc_weekday(int64_t days); /* 0 = Monday .. 6 = Sunday */
extern bool bc_valid_date(int y, int m, int d);

/* Spans that start on local date `day`; returns their count and sets *spans. */
extern int bc_spans_of_day(const bc_calendar *cal, int64_t day, const bc_span **spans);
/* Index of the date range holding `day`, or -1. */
extern int bc_find_range(const bc_calendar *cal, int64_t day);

#endif
