-- calendar_properties: hand-checked timelines for cs_service's business calendar.
--
-- Every expected answer below is worked out by hand in the comment above it, from doc/calendar.md
-- and from PostgreSQL's own reading of local times (`timestamp AT TIME ZONE zone`): a local time
-- in a DST gap is read with the offset in force before the change (New York 02:30 on a
-- spring-forward night is 07:30Z = 03:30 EDT), a local time in a repeated hour is the later,
-- standard-time instant.  Instants are written with explicit offsets; Z means +00.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
SET LOCAL timezone = 'UTC';
SET LOCAL IntervalStyle = 'postgres';

SELECT plan(118);

-- The calendars, by a short name.
CREATE TEMP TABLE k (name text PRIMARY KEY, txt text NOT NULL);
INSERT INTO k VALUES
  -- Moscow is UTC+3 all year.  2026-01-01 is a Thursday; 2026-03-13 a Friday.
  ('msk',      'Europe/Moscow; mon-fri 09:00-18:00; 2026-01-01..2026-01-08 off; 2026-12-31 09:00-17:00'),
  ('msk_sat',  'Europe/Moscow; mon-fri 09:00-18:00; sat 10:00-14:00'),
  ('msk_work_sat', 'Europe/Moscow; mon-fri 09:00-18:00; 2026-03-14 10:00-14:00'),
  -- Berlin: 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z)
  ('ber_night', 'Europe/Berlin; mon-sun 22:00-06:00'),
  -- New York: 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z)
  ('ny',       'America/New_York; mon-fri 09:00-17:00'),
  ('ny_gap',   'America/New_York; sun 02:30-05:00'),
  ('ny_rep',   'America/New_York; sun 01:30-03:00'),
  ('ny_merge', 'America/New_York; sun 01:00-02:30, 02:30-03:00'),
  -- Lord Howe: 2025-04-06 02:00 (+11) -> 01:30 (+10:30) at 15:00Z;
  --            2025-10-05 02:00 (+10:30) -> 02:30 (+11) at 15:30Z
  ('lhi',      'Australia/Lord_Howe; mon-sun 01:00-03:00'),
  ('lhi_gap',  'Australia/Lord_Howe; sun 02:15-04:00'),
  -- Kolkata: UTC+05:30, no DST
  ('kol',      'Asia/Kolkata; mon-fri 09:30-18:30'),
  -- Santiago changes at midnight: 2025-04-06 00:00 (-03) -> 2025-04-05 23:00 (-04) at 03:00Z;
  --                               2025-09-07 00:00 (-04) -> 01:00 (-03) at 04:00Z
  ('scl',      'America/Santiago; mon-sun 23:00-01:00'),
  ('scl_gap',  'America/Santiago; 2025-09-07 00:00-02:00'),
  -- Havana: 2025-03-09 00:00 (-05) -> 01:00 (-04) at 05:00Z; 2025-11-02 01:00 (-04) -> 00:00 (-05) at 05:00Z
  ('hav',      'America/Havana; mon-sun 00:00-01:00, 12:00-13:00'),
  -- rules
  ('short_fri', 'UTC; mon-fri 09:00-18:00; fri 09:00-16:45'),
  ('night_off', 'UTC; mon-sun 22:00-06:00; 2026-03-10 off'),
  ('overlap',   'UTC; mon 22:00-08:00; tue 06:00-10:00'),
  ('to_24',     'UTC; mon 18:00-24:00; tue 00:00-02:00'),
  ('later_wins','UTC; mon-fri 09:00-17:00; 2026-03-09..2026-03-13 off; 2026-03-11 10:00-12:00'),
  ('allday',    'mon-sun 00:00-24:00'),
  ('one_week',  'UTC; 2026-02-02..2026-02-06 09:00-17:00'),
  -- date rules only: one night shift over Berlin's fall-back, 9 real hours (8 on the wall clock)
  ('ber_once',  'Europe/Berlin; 2026-10-24 22:00-06:00'),
  ('ber_day',   'Europe/Berlin; mon-sun 09:00-18:00'),
  ('syd_day',   'Australia/Sydney; mon-sun 09:00-18:00');

CREATE FUNCTION pg_temp.k(n text) RETURNS cs_service.business_calendar
LANGUAGE sql AS $$ SELECT txt::cs_service.business_calendar FROM k WHERE name = n $$;

-- The answer of a query as text, or its error: for checks that must not abort the file.
CREATE FUNCTION pg_temp.q(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  res text;
BEGIN
  EXECUTE sql INTO res;
  RETURN res;
EXCEPTION WHEN others THEN
  RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END $$;

-- =============================================================================================
-- Moscow office, mon-fri 09:00-18:00
-- =============================================================================================
-- An e-mail SLA of 2 working hours, created Friday 2026-03-13 17:30: 30 minutes on Friday
-- (17:30-18:00), the weekend is off, 1 h 30 min on Monday from 09:00: Monday 10:30.
SELECT is(cs_service.business_add('2026-03-13 17:30+03', '2 hours', pg_temp.k('msk')),
          '2026-03-16 10:30+03'::timestamptz, 'SLA: 2 working hours from Fri 17:30 Moscow is Mon 10:30');
SELECT is(cs_service.business_duration('2026-03-13 17:30+03', '2026-03-16 10:30+03', pg_temp.k('msk')),
          '02:00:00'::interval, 'Fri 17:30 -> Mon 10:30 is 2 working hours');
-- backwards: the same 2 hours, negative
SELECT is(cs_service.business_duration('2026-03-16 10:30+03', '2026-03-13 17:30+03', pg_temp.k('msk'))::text,
          '-02:00:00', 'to < from gives a negative duration');
SELECT is(cs_service.business_add('2026-03-16 10:30+03', '-2 hours', pg_temp.k('msk')),
          '2026-03-13 17:30+03'::timestamptz, 'Mon 10:30 minus 2 working hours is Fri 17:30');
-- Monday 16:00 + 2 h: 16:00-18:00 uses it up exactly; the deadline is 18:00 on Monday, the close
-- of the span (the earliest instant), not Tuesday 09:00.
SELECT is(cs_service.business_add('2026-03-16 16:00+03', '2 hours', pg_temp.k('msk')),
          '2026-03-16 18:00+03'::timestamptz, 'a deadline can be 18:00 exactly, not the next morning');
-- Tuesday 10:00 - 1 h: 09:00-10:00 Tuesday; the latest such instant is Tuesday 09:00, not Monday 18:00.
SELECT is(cs_service.business_add('2026-03-17 10:00+03', '-1 hour', pg_temp.k('msk')),
          '2026-03-17 09:00+03'::timestamptz, 'going back lands on the opening 09:00, not the previous close');
-- From the close, 1 microsecond more is 1 microsecond after the next opening.
SELECT is(cs_service.business_add('2026-03-16 18:00+03', '00:00:00.000001', pg_temp.k('msk')),
          '2026-03-17 09:00:00.000001+03'::timestamptz, '1 microsecond after the close is just after the next opening');
SELECT is(cs_service.business_add('2026-03-17 09:00+03', '-00:00:00.000001', pg_temp.k('msk')),
          '2026-03-16 17:59:59.999999+03'::timestamptz, '1 microsecond before the opening is just before the previous close');
SELECT is(cs_service.business_add('2026-03-16 20:00+03', '0', pg_temp.k('msk')),
          '2026-03-16 20:00+03'::timestamptz, 'amount 0 gives ts, even outside business time');
-- Saturday 12:00 + 9 h: Monday 09:00-18:00 is the first 9 hours: Monday 18:00.
SELECT is(cs_service.business_add('2026-03-14 12:00+03', '9 hours', pg_temp.k('msk')),
          '2026-03-16 18:00+03'::timestamptz, 'a whole working day from the weekend ends Monday 18:00');
-- A full week (Mon 2026-03-16 .. Mon 2026-03-23) is 5 x 9 = 45 h, printed in hours (no days field).
SELECT is(cs_service.business_duration('2026-03-16 00:00+03', '2026-03-23 00:00+03', pg_temp.k('msk'))::text,
          '45:00:00', 'a week is 45:00:00, no days field');
-- business time is [09:00, 18:00)
SELECT is(cs_service.is_business_time('2026-03-16 09:00+03', pg_temp.k('msk')), true, '09:00 is business time');
SELECT is(cs_service.is_business_time('2026-03-16 17:59:59.999999+03', pg_temp.k('msk')), true, '17:59:59.999999 is business time');
SELECT is(cs_service.is_business_time('2026-03-16 18:00+03', pg_temp.k('msk')), false, '18:00 is not');
SELECT is(cs_service.is_business_time('2026-03-14 12:00+03', pg_temp.k('msk')), false, 'Saturday is not');
SELECT is(cs_service.next_business_time('2026-03-16 18:00+03', pg_temp.k('msk')),
          '2026-03-17 09:00+03'::timestamptz, 'next business time after the close is the next opening');
SELECT is(cs_service.next_business_time('2026-03-13 18:30+03', pg_temp.k('msk')),
          '2026-03-16 09:00+03'::timestamptz, 'next business time on Friday evening is Monday 09:00');
SELECT is(cs_service.next_business_time('2026-03-16 12:34:56.789+03', pg_temp.k('msk')),
          '2026-03-16 12:34:56.789+03'::timestamptz, 'next business time of a business instant is itself');
SELECT is(cs_service.business_windows('[2026-03-13 17:00+03, 2026-03-16 10:00+03)', pg_temp.k('msk')),
          '{["2026-03-13 14:00+00","2026-03-13 15:00+00"), ["2026-03-16 06:00+00","2026-03-16 07:00+00")}'::tstzmultirange,
          'windows over a weekend: Fri 17-18 and Mon 09-10');

-- =============================================================================================
-- A holiday week: 2026-01-01..2026-01-08 off (Thu..Thu; Sat/Sun 3-4 are off anyway)
-- =============================================================================================
-- Wed 2025-12-31 17:00 + 2 h: 1 h on Dec 31 (no date rule for 2025), then nothing until Friday
-- 2026-01-09 09:00, + 1 h: Jan 9 10:00.
SELECT is(cs_service.business_add('2025-12-31 17:00+03', '2 hours', pg_temp.k('msk')),
          '2026-01-09 10:00+03'::timestamptz, 'over the New Year holidays to Jan 9 10:00');
SELECT is(cs_service.business_add('2026-01-09 10:00+03', '-2 hours', pg_temp.k('msk')),
          '2025-12-31 17:00+03'::timestamptz, 'and back');
-- Mon 2025-12-29 .. Mon 2026-01-12: Dec 29, 30, 31 (27 h) + Fri Jan 9 (9 h) = 36 h.
SELECT is(cs_service.business_duration('2025-12-29 00:00+03', '2026-01-12 00:00+03', pg_temp.k('msk')),
          '36:00:00'::interval, 'two weeks around the New Year are 36 working hours');
-- Thu 2026-12-31 is a short day 09:00-17:00: 8 h.
SELECT is(cs_service.business_duration('2026-12-31 00:00+03', '2027-01-01 00:00+03', pg_temp.k('msk')),
          '08:00:00'::interval, 'the short day before the New Year is 8 hours');
SELECT is(cs_service.is_business_time('2026-01-05 12:00+03', pg_temp.k('msk')), false, 'a holiday Monday is not business time');
SELECT is(cs_service.next_business_time('2026-01-01 00:00+03', pg_temp.k('msk')),
          '2026-01-09 09:00+03'::timestamptz, 'next business time from Jan 1 is Jan 9 09:00');
-- A whole year: 2026 has 261 weekdays; 6 of them (Jan 1, 2, 5, 6, 7, 8) are holidays, and Dec 31
-- is one hour short: 255 x 9 - 1 = 2294 h.
SELECT is(cs_service.business_duration('2026-01-01 00:00+03', '2027-01-01 00:00+03', pg_temp.k('msk')),
          '2294:00:00'::interval, 'a year of the Moscow calendar is 2294 hours');
SELECT is(cs_service.business_add('2026-01-01 00:00+03', '2294 hours', pg_temp.k('msk')),
          '2026-12-31 17:00+03'::timestamptz, 'and 2294 hours from Jan 1 end at the close of Dec 31');

-- =============================================================================================
-- business_days_add
-- =============================================================================================
-- Wed 2025-12-31 15:00: next business day is Fri 2026-01-09 (Jan 1-8 off), then Mon Jan 12.
SELECT is(cs_service.business_days_add('2025-12-31 15:00+03', 1, pg_temp.k('msk')),
          '2026-01-09 15:00+03'::timestamptz, 'one business day after Dec 31 is Jan 9, same clock time');
SELECT is(cs_service.business_days_add('2025-12-31 15:00+03', 2, pg_temp.k('msk')),
          '2026-01-12 15:00+03'::timestamptz, 'two business days: Jan 12');
SELECT is(cs_service.business_days_add('2026-01-09 15:00+03', -1, pg_temp.k('msk')),
          '2025-12-31 15:00+03'::timestamptz, 'one business day before Jan 9 is Dec 31');
-- Fri 2026-03-13 -> Mon 2026-03-16; Mon 2026-03-16 - 5 -> Mon 2026-03-09.
SELECT is(cs_service.business_days_add('2026-03-13 11:00+03', 1, pg_temp.k('msk')),
          '2026-03-16 11:00+03'::timestamptz, 'Friday + 1 business day is Monday');
SELECT is(cs_service.business_days_add('2026-03-16 11:00+03', -5, pg_temp.k('msk')),
          '2026-03-09 11:00+03'::timestamptz, 'Monday - 5 business days is the previous Monday');
-- from a Saturday: the next business day is Monday, the previous Friday; the clock time (20:00,
-- outside business hours) is kept
SELECT is(cs_service.business_days_add('2026-03-14 20:00+03', 1, pg_temp.k('msk')),
          '2026-03-16 20:00+03'::timestamptz, 'Saturday + 1 is Monday, same clock time');
SELECT is(cs_service.business_days_add('2026-03-14 20:00+03', -1, pg_temp.k('msk')),
          '2026-03-13 20:00+03'::timestamptz, 'Saturday - 1 is Friday');
SELECT is(cs_service.business_days_add('2026-03-14 20:00+03', 0, pg_temp.k('msk')),
          '2026-03-14 20:00+03'::timestamptz, '0 business days gives ts');
-- with Saturdays 10:00-14:00, Saturday is a business day
SELECT is(cs_service.business_days_add('2026-03-13 11:00+03', 1, pg_temp.k('msk_sat')),
          '2026-03-14 11:00+03'::timestamptz, 'a Saturday with spans is a business day');
-- 20 business days from Mon 2026-03-02 (mon-fri, no holidays) is Mon 2026-03-30
SELECT is(cs_service.business_days_add('2026-03-02 09:00+03', 20, pg_temp.k('msk')),
          '2026-03-30 09:00+03'::timestamptz, '20 business days are 4 weeks');
-- New York keeps the local clock time over the spring-forward weekend: Fri 2026-03-06 10:00 EST
-- (15:00Z) + 1 -> Mon 2026-03-09 10:00 EDT (14:00Z)
SELECT is(cs_service.business_days_add('2026-03-06 10:00-05', 1, pg_temp.k('ny')),
          '2026-03-09 10:00-04'::timestamptz, 'business_days_add keeps the local clock time over a DST change');
SELECT is(cs_service.business_days_add('2026-03-09 10:00-04', -1, pg_temp.k('ny')),
          '2026-03-06 10:00-05'::timestamptz, 'and back');

-- =============================================================================================
-- A worked Saturday (date rule on a weekend)
-- =============================================================================================
-- Fri 2026-03-13 17:00 + 3 h: 1 h Friday, then Saturday 2026-03-14 10:00 + 2 h = 12:00.
SELECT is(cs_service.business_add('2026-03-13 17:00+03', '3 hours', pg_temp.k('msk_work_sat')),
          '2026-03-14 12:00+03'::timestamptz, 'a worked Saturday counts');
SELECT is(cs_service.business_days_add('2026-03-13 17:00+03', 1, pg_temp.k('msk_work_sat')),
          '2026-03-14 17:00+03'::timestamptz, 'a worked Saturday is a business day');
SELECT is(cs_service.business_days_add('2026-03-14 17:00+03', 1, pg_temp.k('msk_work_sat')),
          '2026-03-16 17:00+03'::timestamptz, 'the Saturday after it is not: Monday');

-- =============================================================================================
-- Night shift 22:00-06:00 in Berlin over the DST changes
-- =============================================================================================
-- Spring forward: the shift of Sat 2026-03-28 runs 22:00 CET (21:00Z) to Sun 06:00 CEST (04:00Z):
-- 7 hours.  Between Sat 12:00 and Sun 12:00 that is the only business time.
SELECT is(cs_service.business_duration('2026-03-28 12:00+01', '2026-03-29 12:00+02', pg_temp.k('ber_night')),
          '07:00:00'::interval, 'a night shift over spring-forward is 7 hours');
SELECT is(cs_service.business_windows('[2026-03-28 12:00+01, 2026-03-29 12:00+02)', pg_temp.k('ber_night')),
          '{["2026-03-28 21:00+00","2026-03-29 04:00+00")}'::tstzmultirange, 'its window: 21:00Z-04:00Z');
-- 6 h 30 min into that shift: 21:00Z + 6:30 = 03:30Z = 05:30 CEST
SELECT is(cs_service.business_add('2026-03-28 22:00+01', '6 hours 30 minutes', pg_temp.k('ber_night')),
          '2026-03-29 05:30+02'::timestamptz, '6.5 hours into the short shift is 05:30 CEST');
-- Fall back: the shift of Sat 2026-10-24 runs 22:00 CEST (20:00Z) to Sun 06:00 CET (05:00Z): 9 h.
SELECT is(cs_service.business_duration('2026-10-24 12:00+02', '2026-10-25 12:00+01', pg_temp.k('ber_night')),
          '09:00:00'::interval, 'a night shift over fall-back is 9 hours');
SELECT is(cs_service.business_windows('[2026-10-24 12:00+02, 2026-10-25 12:00+01)', pg_temp.k('ber_night')),
          '{["2026-10-24 20:00+00","2026-10-25 05:00+00")}'::tstzmultirange, 'its window: 20:00Z-05:00Z');
-- 20:00Z + 8:30 = 04:30Z = 05:30 CET
SELECT is(cs_service.business_add('2026-10-24 22:00+02', '8 hours 30 minutes', pg_temp.k('ber_night')),
          '2026-10-25 05:30+01'::timestamptz, '8.5 hours into the long shift is 05:30 CET');
SELECT is(cs_service.business_add('2026-10-25 06:00+01', '-9 hours', pg_temp.k('ber_night')),
          '2026-10-24 22:00+02'::timestamptz, '9 hours back from its end is its start');
-- both 02:30s of that night are business time
SELECT is(cs_service.is_business_time('2026-10-25 02:30+02', pg_temp.k('ber_night')), true, 'the first 02:30 is business time');
SELECT is(cs_service.is_business_time('2026-10-25 02:30+01', pg_temp.k('ber_night')), true, 'the second 02:30 is business time');

-- =============================================================================================
-- Span bounds inside a DST gap or a repeated hour (New York)
-- =============================================================================================
-- Sun 2026-03-08 02:30 does not exist; PostgreSQL reads it as 02:30 EST = 07:30Z (03:30 EDT).
-- 05:00 EDT = 09:00Z.  So the span is [07:30Z, 09:00Z): 1 h 30 min.
SELECT is(cs_service.business_windows('[2026-03-08 00:00+00, 2026-03-09 00:00+00)', pg_temp.k('ny_gap')),
          '{["2026-03-08 07:30+00","2026-03-08 09:00+00")}'::tstzmultirange, 'a start in the gap is read as PostgreSQL reads it');
SELECT is(cs_service.next_business_time('2026-03-08 07:00+00', pg_temp.k('ny_gap')),
          '2026-03-08 07:30+00'::timestamptz, 'next business time is 03:30 EDT');
-- Sun 2026-11-01 01:30 happens twice; the later (EST) one is 06:30Z; 03:00 EST = 08:00Z: 1 h 30 min.
SELECT is(cs_service.business_windows('[2026-11-01 00:00+00, 2026-11-02 00:00+00)', pg_temp.k('ny_rep')),
          '{["2026-11-01 06:30+00","2026-11-01 08:00+00")}'::tstzmultirange, 'a start in the repeated hour is the later instant');
SELECT is(cs_service.is_business_time('2026-11-01 05:30+00', pg_temp.k('ny_rep')), false, 'the first 01:30 is not business time');
-- Touching spans of one rule are merged first (01:00-03:00), then converted: 01:00 EST = 06:00Z,
-- 03:00 EDT = 07:00Z: one hour (converting 01:00-02:30 and 02:30-03:00 apart would give 1.5 h).
SELECT is(cs_service.business_duration('2026-03-08 00:00+00', '2026-03-09 00:00+00', pg_temp.k('ny_merge')),
          '01:00:00'::interval, 'spans of one rule are merged in local time before conversion');
-- On an ordinary Sunday it is 01:00-03:00 EST: 2 hours.
SELECT is(cs_service.business_duration('2026-03-01 00:00+00', '2026-03-02 00:00+00', pg_temp.k('ny_merge')),
          '02:00:00'::interval, 'an ordinary Sunday of that calendar has 2 hours');

-- =============================================================================================
-- Lord Howe: a 30-minute DST
-- =============================================================================================
-- Sun 2025-04-06: 01:00 (+11) = 14:00Z; 03:00 (+10:30) = 16:30Z: 2 h 30 min.
SELECT is(cs_service.business_duration('2025-04-05 12:00+00', '2025-04-05 20:00+00', pg_temp.k('lhi')),
          '02:30:00'::interval, 'Lord Howe fall-back: 01:00-03:00 lasts 2.5 hours');
-- Sun 2025-10-05: 01:00 (+10:30) = 14:30Z; 03:00 (+11) = 16:00Z: 1 h 30 min.
SELECT is(cs_service.business_duration('2025-10-04 12:00+00', '2025-10-04 20:00+00', pg_temp.k('lhi')),
          '01:30:00'::interval, 'Lord Howe spring-forward: 01:00-03:00 lasts 1.5 hours');
-- 1 h after 14:30Z is 15:30Z, the transition instant itself (02:30 +11, just after 02:00 +10:30)
SELECT is(cs_service.business_add('2025-10-04 14:30+00', '1 hour', pg_temp.k('lhi')),
          '2025-10-04 15:30+00'::timestamptz, 'one hour into that span is the transition instant');
SELECT is(cs_service.is_business_time('2025-10-04 15:30+00', pg_temp.k('lhi')), true, 'the transition instant is business time');
-- 02:15 on 2025-10-05 is in the gap: read as +10:30 = 15:45Z; 04:00 (+11) = 17:00Z: 1 h 15 min.
SELECT is(cs_service.next_business_time('2025-10-04 15:00+00', pg_temp.k('lhi_gap')),
          '2025-10-04 15:45+00'::timestamptz, 'a start in the half-hour gap: 15:45Z');
SELECT is(cs_service.business_duration('2025-10-04 12:00+00', '2025-10-04 20:00+00', pg_temp.k('lhi_gap')),
          '01:15:00'::interval, 'that span lasts 1 h 15 min');

-- =============================================================================================
-- Kolkata, UTC+05:30
-- =============================================================================================
-- Fri 2026-03-13 17:30 + 2 h: 1 h Friday (to 18:30), 1 h Monday from 09:30: Monday 10:30 IST (05:00Z).
SELECT is(cs_service.business_add('2026-03-13 17:30+05:30', '2 hours', pg_temp.k('kol')),
          '2026-03-16 05:00+00'::timestamptz, 'Kolkata: Fri 17:30 + 2 h is Mon 10:30 IST');
SELECT is(cs_service.business_duration('2026-03-16 00:00+05:30', '2026-03-23 00:00+05:30', pg_temp.k('kol')),
          '45:00:00'::interval, 'Kolkata: a week is 45 hours');
-- Saturday 00:00 UTC is 05:30 IST Saturday; next is Monday 09:30 IST = 04:00Z
SELECT is(cs_service.next_business_time('2026-03-14 00:00+00', pg_temp.k('kol')),
          '2026-03-16 04:00+00'::timestamptz, 'Kolkata: next business time from Saturday is Mon 04:00Z');
SELECT is(cs_service.is_business_time('2026-03-16 03:59:59.999999+00', pg_temp.k('kol')), false, 'Kolkata: 09:29:59.999999 IST is not business time');
SELECT is(cs_service.is_business_time('2026-03-16 04:00+00', pg_temp.k('kol')), true, 'Kolkata: 09:30 IST is');

-- =============================================================================================
-- Zones that change at midnight
-- =============================================================================================
-- Santiago, spring forward (Sun 2025-09-07 00:00 -04 -> 01:00 -03): the shift of Sat 2025-09-06
-- runs 23:00 -04 (03:00Z) to 01:00 -03 (04:00Z): 1 hour.
SELECT is(cs_service.business_duration('2025-09-06 12:00+00', '2025-09-07 12:00+00', pg_temp.k('scl')),
          '01:00:00'::interval, 'Santiago: 23:00-01:00 over the midnight spring-forward is 1 hour');
-- Santiago, fall back (Sat 2025-04-05 24:00 -03 -> 23:00 -04): 23:00 on Apr 5 happens twice, the
-- span starts at the later one (-04, 03:00Z) and ends 01:00 -04 (05:00Z): 2 hours.  The shift of
-- Fri Apr 4 (02:00Z-04:00Z) also lies in the window.
SELECT is(cs_service.business_windows('[2025-04-05 00:00+00, 2025-04-06 12:00+00)', pg_temp.k('scl')),
          '{["2025-04-05 02:00+00","2025-04-05 04:00+00"), ["2025-04-06 03:00+00","2025-04-06 05:00+00")}'::tstzmultirange,
          'Santiago: the shift starting in the repeated hour starts at its later instant');
-- A date rule starting at 00:00 on the spring-forward date: 00:00 is in the gap, read as -04 =
-- 04:00Z; 02:00 -03 = 05:00Z: 1 hour.
SELECT is(cs_service.business_windows('[2025-09-06 00:00+00, 2025-09-08 00:00+00)', pg_temp.k('scl_gap')),
          '{["2025-09-07 04:00+00","2025-09-07 05:00+00")}'::tstzmultirange, 'Santiago: a span from a midnight that does not exist');
-- Havana, spring forward (Sun 2025-03-09 00:00 -05 -> 01:00 -04): 00:00-01:00 becomes
-- [00:00 -05 = 05:00Z, 01:00 -04 = 05:00Z): empty.  12:00-13:00 -04 = 16:00Z-17:00Z.
SELECT is(cs_service.business_windows('[2025-03-09 00:00+00, 2025-03-09 20:00+00)', pg_temp.k('hav')),
          '{["2025-03-09 16:00+00","2025-03-09 17:00+00")}'::tstzmultirange, 'Havana: the hour that does not exist has no business time');
SELECT is(cs_service.is_business_time('2025-03-09 05:00+00', pg_temp.k('hav')), false, 'Havana: the spring-forward instant is not business time');
-- Havana, fall back (Sun 2025-11-02 01:00 -04 -> 00:00 -05): 00:00 is the later instant (-05,
-- 05:00Z), 01:00 -05 = 06:00Z: 1 hour.  The first 00:00-01:00 (04:00Z-05:00Z) is not business time.
SELECT is(cs_service.business_duration('2025-11-02 03:00+00', '2025-11-02 08:00+00', pg_temp.k('hav')),
          '01:00:00'::interval, 'Havana: midnight hour on the fall-back date counts once, the later one');
SELECT is(cs_service.next_business_time('2025-11-02 04:00+00', pg_temp.k('hav')),
          '2025-11-02 05:00+00'::timestamptz, 'Havana: next business time from the first midnight is the second');

-- =============================================================================================
-- Far years: the zone rules repeat every 400 years; the answers must not depend on the year
-- =============================================================================================
-- 2770-07-01: Berlin is on CEST (+2) from the last Sunday of March to the last Sunday of October,
-- so 16:30Z is 18:30, after hours, and 07:30Z is 09:30, business time.  Sydney is on AEST (+10)
-- in July: 07:30Z is 17:30, business time.
SELECT is(cs_service.is_business_time('2770-07-01 16:30+00', pg_temp.k('ber_day')), false, 'year 2770, Berlin: 18:30 CEST is not business time');
SELECT is(cs_service.is_business_time('2770-07-01 07:30+00', pg_temp.k('ber_day')), true, 'year 2770, Berlin: 09:30 CEST is business time');
SELECT is(cs_service.is_business_time('2770-07-01 07:30+00', pg_temp.k('syd_day')), true, 'year 2770, Sydney: 17:30 AEST is business time');
SELECT is(cs_service.business_duration('2770-07-01 11:00+00', '2770-07-01 20:00+00', pg_temp.k('ber_day')),
          '05:00:00'::interval, 'year 2770, Berlin: 13:00-22:00 CEST holds 5 business hours');
-- the same question for every year 2760..2779 in one query: 18:30 CEST each time
SELECT is((SELECT count(*) FROM generate_series(2760, 2779) AS y
           WHERE cs_service.is_business_time(make_timestamptz(y, 7, 1, 16, 30, 0, 'UTC'), pg_temp.k('ber_day'))),
          0::bigint, 'years 2760-2779 in one query: 18:30 CEST on July 1 is never business time');

-- =============================================================================================
-- Rules
-- =============================================================================================
-- later weekly rule wins: Friday 2026-03-13 is 09:00-16:45 = 7 h 45 min
SELECT is(cs_service.business_duration('2026-03-13 00:00+00', '2026-03-14 00:00+00', pg_temp.k('short_fri')),
          '07:45:00'::interval, 'a later rule for the same weekday wins (short Friday)');
-- date `off` removes only the spans starting that date: on 2026-03-10 the shift of Mar 9 still runs
-- 00:00-06:00 (6 h); on Mar 11, 00:00-06:00 is not worked (Mar 10's shift is gone), 22:00-24:00 is.
SELECT is(cs_service.business_duration('2026-03-10 00:00+00', '2026-03-11 00:00+00', pg_temp.k('night_off')),
          '06:00:00'::interval, 'off removes only the spans that start on that date');
SELECT is(cs_service.business_duration('2026-03-11 00:00+00', '2026-03-12 00:00+00', pg_temp.k('night_off')),
          '02:00:00'::interval, 'the next morning is free');
-- Mon 2026-03-09 22:00 - Tue 08:00 and Tue 06:00-10:00 overlap: Tuesday 00:00-10:00 is 10 h, not 12.
SELECT is(cs_service.business_duration('2026-03-10 00:00+00', '2026-03-11 00:00+00', pg_temp.k('overlap')),
          '10:00:00'::interval, 'overlapping spans of different dates count once');
-- 18:00-24:00 and the next 00:00-02:00 make one window
SELECT is(cs_service.business_windows('[2026-03-09 00:00+00, 2026-03-11 00:00+00)', pg_temp.k('to_24')),
          '{["2026-03-09 18:00+00","2026-03-10 02:00+00")}'::tstzmultirange, 'a span may end at 24:00');
SELECT is(cs_service.business_add('2026-03-09 23:00+00', '2 hours', pg_temp.k('to_24')),
          '2026-03-10 01:00+00'::timestamptz, 'business_add runs through midnight');
-- overlapping date rules: the later one wins for Mar 11 (10:00-12:00); the rest of the week is off
SELECT is(cs_service.business_duration('2026-03-09 00:00+00', '2026-03-16 00:00+00', pg_temp.k('later_wins')),
          '02:00:00'::interval, 'a later date rule wins over an earlier overlapping one');
-- a whole month of whole days: 31 x 24 = 744 hours, printed in hours
SELECT is(cs_service.business_duration('2026-03-01 00:00+00', '2026-04-01 00:00+00', pg_temp.k('allday'))::text,
          '744:00:00', 'a month of whole days is 744:00:00');
-- equality: the same calendar spelled differently
SELECT ok('Mon - Fri  9:00 - 18:00; UTC'::cs_service.business_calendar
          OPERATOR(cs_service.=) 'utc;MON,TUE,WED,THU,FRI 09:00:00-18:00:00;'::cs_service.business_calendar,
          'the same calendar in two spellings is equal');
SELECT ok('Europe/Moscow; mon-fri 09:00-13:00, 12:00-18:00'::cs_service.business_calendar
          OPERATOR(cs_service.=) 'Europe/Moscow; mon-fri 09:00-18:00'::cs_service.business_calendar,
          'overlapping spans of one rule are merged');
SELECT ok((SELECT txt::cs_service.business_calendar::text::cs_service.business_calendar
                  OPERATOR(cs_service.=) txt::cs_service.business_calendar FROM k WHERE name = 'msk'),
          'text output round-trips');
-- a calendar with only date rules: business time runs out
SELECT is(cs_service.business_add('2026-02-01 00:00+00', '40 hours', pg_temp.k('one_week')),
          '2026-02-06 17:00+00'::timestamptz, 'all the business time of a one-week calendar');

-- A calendar of date rules only whose single span is a night shift over the fall-back:
-- [22:00 CEST = 20:00Z, 06:00 CET = 05:00Z), 9 hours.  However far away ts is, up to 9 hours can
-- be reached: 8 h 30 min forward from 2025 is 20:00Z + 8:30 = 04:30Z; 9 h back from 2030 is 20:00Z.
SELECT is(pg_temp.q($$SELECT cs_service.business_add('2026-10-01 00:00+00', '9 hours', pg_temp.k('ber_once'))$$),
          '2026-10-25 05:00:00+00', 'date rules only: all 9 hours of the one shift, from nearby');
SELECT is(pg_temp.q($$SELECT cs_service.business_add('2025-01-01 00:00+00', '8 hours 30 minutes', pg_temp.k('ber_once'))$$),
          '2026-10-25 04:30:00+00', 'date rules only: 8.5 of its 9 hours, from a year before');
SELECT is(pg_temp.q($$SELECT cs_service.business_add('2030-01-01 00:00+00', '-9 hours', pg_temp.k('ber_once'))$$),
          '2026-10-24 20:00:00+00', 'date rules only: all 9 hours backwards, from years after');
SELECT throws_ok($$SELECT cs_service.business_add('2025-01-01 00:00+00', '9 hours 1 second', pg_temp.k('ber_once'))$$,
                 '22023', NULL, 'date rules only: 9 h 1 s cannot be reached');

-- =============================================================================================
-- Bad input
-- =============================================================================================
SELECT throws_ok($$SELECT 'Europe/Moscow; mon-fri 09:00-25:00'::cs_service.business_calendar$$,
                 '22P02', NULL, 'hour 25: 22P02');
SELECT throws_ok($$SELECT 'Europe/Moscow; mon-fri 09:00-09:00'::cs_service.business_calendar$$,
                 '22P02', NULL, 'an empty span: 22P02');
SELECT throws_ok($$SELECT 'Europe/Moscow; someday 09:00-18:00'::cs_service.business_calendar$$,
                 '22P02', NULL, 'an unknown day: 22P02');
SELECT throws_ok($$SELECT 'Europe/Moscow; 2026-02-30 off'::cs_service.business_calendar$$,
                 '22P02', NULL, 'an impossible date: 22P02');
SELECT throws_ok($$SELECT 'Europe/Moscow; mon-fri nine to five'::cs_service.business_calendar$$,
                 '22P02', NULL, 'words for spans: 22P02');
SELECT throws_ok($$SELECT 'Mars/Olympus_Mons; mon-fri 09:00-18:00'::cs_service.business_calendar$$,
                 '22023', NULL, 'an unknown zone: 22023');
SELECT throws_ok($$SELECT cs_service.business_add('2026-03-16 10:00+03', '1 day', pg_temp.k('msk'))$$,
                 '22023', NULL, 'business_add with days: 22023');
SELECT throws_ok($$SELECT cs_service.business_add('2026-03-16 10:00+03', '1 month', pg_temp.k('msk'))$$,
                 '22023', NULL, 'business_add with months: 22023');
SELECT throws_ok($$SELECT cs_service.business_add('2026-02-01 00:00+00', '41 hours', pg_temp.k('one_week'))$$,
                 '22023', NULL, 'an amount no business time reaches: 22023');
SELECT throws_ok($$SELECT cs_service.business_days_add('2026-02-01 00:00+00', 6, pg_temp.k('one_week'))$$,
                 '22023', NULL, 'a day count no business day reaches: 22023');
SELECT throws_ok($$SELECT cs_service.business_duration('-infinity', '2026-01-01', pg_temp.k('msk'))$$,
                 '22008', NULL, 'business_duration from -infinity: 22008');
SELECT throws_ok($$SELECT cs_service.business_add('infinity', '1 hour', pg_temp.k('msk'))$$,
                 '22008', NULL, 'business_add from infinity: 22008');
SELECT throws_ok($$SELECT cs_service.business_windows('[2026-01-01,)', pg_temp.k('msk'))$$,
                 '22008', NULL, 'business_windows of an unbounded range: 22008');
SELECT throws_ok($$SELECT cs_service.next_business_time('infinity', pg_temp.k('msk'))$$,
                 '22008', NULL, 'next_business_time of infinity: 22008');
SELECT throws_ok($$SELECT cs_service.business_duration('2026-01-01', '10000-01-01 00:00+00', pg_temp.k('msk'))$$,
                 '22008', NULL, 'a timestamp after year 9999: 22008');
-- results outside years 0001-9999 too (backwards, business_add already says 22008 "result is out
-- of range"; forwards it must not hand back an instant that no function accepts as input)
SELECT throws_ok($$SELECT cs_service.business_add('0001-01-01 01:00+00', '-2 hours', pg_temp.k('allday'))$$,
                 '22008', NULL, 'business_add before year 0001: 22008');
SELECT throws_ok($$SELECT cs_service.business_add('9999-12-31 23:00+00', '2 hours', pg_temp.k('allday'))$$,
                 '22008', NULL, 'business_add past year 9999: 22008');
SELECT throws_ok($$SELECT cs_service.next_business_time('9999-12-31 12:00+00', pg_temp.k('to_24'))$$,
                 '22008', NULL, 'next_business_time past year 9999: 22008');

-- NULL in, NULL out
SELECT is(cs_service.business_duration(NULL, '2026-01-01', pg_temp.k('msk')), NULL, 'business_duration(NULL, ..) is NULL');
SELECT is(cs_service.business_add('2026-01-01', NULL, pg_temp.k('msk')), NULL, 'business_add(.., NULL, ..) is NULL');
SELECT is(cs_service.business_days_add('2026-01-01', NULL, pg_temp.k('msk')), NULL, 'business_days_add(.., NULL, ..) is NULL');
SELECT is(cs_service.is_business_time('2026-01-01', NULL), NULL, 'is_business_time(.., NULL) is NULL');

SELECT * FROM finish();
ROLLBACK;
