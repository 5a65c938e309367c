-- Business calendars: the documented examples (doc/calendar.md) and every error message.
SET timezone = 'Europe/Moscow';
SET search_path = cs_service, public;
\set SHOW_CONTEXT never

-- The text form: input is lenient, output is one canonical form.
SELECT 'Europe/Moscow; mon-fri 09:00-18:00; sat 10:00-14:00; 2026-01-01..2026-01-08 off; 2026-11-01 09:00-18:00; 2026-12-31 09:00-17:00'::business_calendar;
SELECT 'europe/moscow ;  Mon - Fri   9:00 - 13:00 , 12:00-18:00 ; FRI 09:00-16:45 ;'::business_calendar;
SELECT 'mon,wed,fri 09:00-12:00; tue,thu 13:00-17:30:15; fri-mon 22:00-06:00'::business_calendar;
SELECT 'mon-fri 09:00-18:00; 2026-01-01..2026-01-10 off; 2026-01-05 10:00-12:00'::business_calendar;
SELECT 'monday 00:00-24:00'::business_calendar = 'mon 00:00-24:00'::business_calendar AS equal,
       'mon 09:00-18:00'::business_calendar <> 'UTC; mon 09:00-18:00'::business_calendar AS differ_utc_default,
       'Europe/Berlin; mon 09:00-18:00'::business_calendar = 'UTC; mon 09:00-18:00'::business_calendar AS equal_other_zone;
SELECT NULL::business_calendar IS NULL AS null_is_null;

-- The calendar used below: Moscow office hours, New Year holidays, a short pre-holiday day.
CREATE TEMP TABLE cal AS
SELECT 'Europe/Moscow; mon-fri 09:00-18:00; 2026-01-01..2026-01-08 off; 2026-03-09 off; 2026-12-31 09:00-17:00'::business_calendar AS c;

-- An e-mail answered within 2 working hours: created Friday 17:30, due Tuesday 10:30
-- (Monday 2026-03-09 is a holiday).
SELECT business_add('2026-03-06 17:30', '2 hours', c) AS due FROM cal;
-- A deadline falls on the close of a span, 18:00, not on the next morning.
SELECT business_add('2026-03-06 16:00', '2 hours', c) AS due FROM cal;
-- Negative amounts go back: the latest instant with 2 working hours until Tuesday 10:30.
SELECT business_add('2026-03-10 10:30', '-2 hours', c) AS back FROM cal;
SELECT business_add('2026-03-10 10:30', '0', c) AS same FROM cal;
-- Durations: in hours/minutes/seconds, negative backwards, exact to the microsecond.
SELECT business_duration('2026-03-06 17:30', '2026-03-10 10:30', c) AS forward,
       business_duration('2026-03-10 10:30', '2026-03-06 17:30', c) AS backward,
       business_duration('2026-03-06 17:59:59.999999', '2026-03-10 09:00:00.000001', c) AS tiny,
       business_duration('2026-01-01', '2027-01-01', c) AS year_2026
  FROM cal;
-- Whole business days: same clock time, holidays and weekends skipped.
SELECT business_days_add('2026-03-06 17:30', 1, c) AS next_day,
       business_days_add('2026-03-10 11:00', -1, c) AS prev_day,
       business_days_add('2026-03-07 12:00', 1, c) AS from_saturday,
       business_days_add('2026-12-30 10:00', 2, c) AS over_new_year,
       business_days_add('2026-03-06 17:30', 0, c) AS zero
  FROM cal;
SELECT is_business_time('2026-03-06 17:59:59.999999', c) AS before_close,
       is_business_time('2026-03-06 18:00', c) AS at_close,
       next_business_time('2026-03-06 18:00', c) AS next_open,
       next_business_time('2026-03-06 12:00', c) AS already_open,
       next_business_time('2026-12-31 17:00', c) AS after_short_day
  FROM cal;
SELECT business_windows('[2026-03-06 12:00, 2026-03-11 00:00)', c) FROM cal;
SELECT business_windows('empty', c) FROM cal;

-- A night shift over the DST changes in Berlin: 7 hours in spring, 9 in autumn.
SELECT business_duration('2026-03-28 12:00+01', '2026-03-29 12:00+02', 'Europe/Berlin; mon-sun 22:00-06:00') AS spring,
       business_duration('2026-10-24 12:00+02', '2026-10-25 12:00+01', 'Europe/Berlin; mon-sun 22:00-06:00') AS autumn;
-- Lord Howe moves its clocks by 30 minutes.
SELECT business_duration('2026-04-04 12:00+11', '2026-04-05 12:00+10:30', 'Australia/Lord_Howe; mon-sun 00:00-24:00') AS lord_howe;
-- Span bounds are read as AT TIME ZONE reads them: 02:30 in New York's spring gap is 03:30 EDT.
SELECT business_windows('[2026-03-08, 2026-03-09)', 'America/New_York; sun 02:30-04:00') AS gap,
       ('2026-03-08 02:30'::timestamp AT TIME ZONE 'America/New_York') AS at_time_zone;

-- NULL in, NULL out.
SELECT business_duration(NULL, now(), c) IS NULL AS a, business_add(now(), NULL, c) IS NULL AS b,
       business_days_add(now(), 1, NULL) IS NULL AS c
  FROM cal;

-- Named calendars.
INSERT INTO calendars (name, calendar, description)
VALUES ('ru-office', 'Europe/Moscow; mon-fri 09:00-18:00; 2026-01-01..2026-01-08 off', 'Moscow office');
SELECT calendar('ru-office');
SELECT business_duration('2026-01-08 12:00', '2026-01-09 12:00', calendar('ru-office'));

-- The functions are IMMUTABLE: they can feed generated columns and indexes.
CREATE TEMP TABLE tickets (
    id int PRIMARY KEY,
    created_at timestamptz NOT NULL,
    replied_at timestamptz,
    reply_business interval GENERATED ALWAYS AS (
        business_duration(created_at, replied_at, 'Europe/Moscow; mon-fri 09:00-18:00')) STORED
);
INSERT INTO tickets (id, created_at, replied_at) VALUES
    (1, '2026-03-06 17:30', '2026-03-10 10:30'), (2, '2026-03-05 10:00', '2026-03-05 10:12'), (3, '2026-03-05 10:00', NULL);
SELECT id, reply_business FROM tickets ORDER BY id;

-- Binary send/receive round-trips.
CREATE TEMP TABLE cal_bin (c business_calendar);
INSERT INTO cal_bin SELECT c FROM cal UNION ALL SELECT 'America/Santiago; mon-sat 22:00-06:00, 12:00-13:30:30; 2026-09-18..2026-09-19 off';
\copy cal_bin TO '/tmp/cs_service_calendar.bin' WITH (FORMAT binary)
CREATE TEMP TABLE cal_bin2 (c business_calendar);
\copy cal_bin2 FROM '/tmp/cs_service_calendar.bin' WITH (FORMAT binary)
SELECT (SELECT array_agg(c::text ORDER BY c::text) FROM cal_bin) = (SELECT array_agg(c::text ORDER BY c::text) FROM cal_bin2) AS binary_round_trip;
-- equal calendars hash alike and sort together, so GROUP BY, DISTINCT and joins work
SELECT count(DISTINCT c) FROM (SELECT c FROM cal_bin UNION ALL SELECT c FROM cal_bin2) s;
SELECT c, count(*) FROM (SELECT c FROM cal_bin UNION ALL SELECT c FROM cal_bin2) s GROUP BY c ORDER BY 2, c::text;

-- Bad input: every message, with its SQLSTATE.
SELECT 'mon-fry 09:00-18:00'::business_calendar;
\echo :LAST_ERROR_SQLSTATE
SELECT 'UTC; mon 09:00-09:00'::business_calendar;
\echo :LAST_ERROR_SQLSTATE
SELECT 'UTC; mon 9-18'::business_calendar;
SELECT 'UTC; mon 09:00-25:00'::business_calendar;
SELECT 'UTC; mon 25:00-26:00, 10:00-11:00'::business_calendar;
SELECT 'UTC; mon 24:00-02:00'::business_calendar;
SELECT 'UTC; Europe/Berlin; mon 09:00-10:00'::business_calendar;
SELECT '2026-02-30 off; mon 09:00-10:00'::business_calendar;
SELECT '2026-03-01..2026-02-01 off; mon 09:00-10:00'::business_calendar;
SELECT 'mon 09:00-10:00 11:00-12:00'::business_calendar;
SELECT 'mon'::business_calendar;
SELECT 'mon off 09:00-10:00'::business_calendar;
SELECT 'Europe/Moscow'::business_calendar;
SELECT ''::business_calendar;
SELECT 'mon 06:00-18:00, 18:00-06:00'::business_calendar;
SELECT '+03; mon 09:00-10:00'::business_calendar;
SELECT 'Mars/Olympus_Mons; mon-fri 09:00-18:00'::business_calendar;
\echo :LAST_ERROR_SQLSTATE
SELECT business_add('2026-03-06 17:30', '1 day', c) FROM cal;
\echo :LAST_ERROR_SQLSTATE
SELECT business_add('2026-03-06 17:30', '1 mon 2 hours', c) FROM cal;
SELECT business_duration('-infinity', '2026-03-06', c) FROM cal;
\echo :LAST_ERROR_SQLSTATE
SELECT business_add('infinity', '1 hour', c) FROM cal;
SELECT business_duration('0044-03-15 BC', '2026-03-06', c) FROM cal;
SELECT business_add('2026-01-01', '100 hours', '2026-01-05 09:00-10:00') ;
\echo :LAST_ERROR_SQLSTATE
SELECT business_days_add('2026-01-01', 5, '2026-01-05 09:00-10:00');
SELECT business_add('9999-12-30', '100 hours', c) FROM cal;
\echo :LAST_ERROR_SQLSTATE
SELECT business_windows('[2026-01-01,)', c) FROM cal;
SELECT calendar('no-such-calendar');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO calendars (name, calendar) VALUES ('bad', 'mon-fri 9-18');

-- search_path tricks cannot redirect the extension's own SQL.
CREATE SCHEMA evil;
CREATE FUNCTION evil.texteq(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq);
SET search_path = evil, cs_service, pg_catalog;
SELECT cs_service.calendar('ru-office');
SELECT cs_service.calendar('not-there');
RESET search_path;
DROP SCHEMA evil CASCADE;
