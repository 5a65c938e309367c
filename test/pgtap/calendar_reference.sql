-- calendar_reference: cs_service's business-calendar functions against the independent
-- brute-force reference of test/reference/business_reference.sql, on > 10,000 random cases with a
-- fixed seed, plus identities checked on random data.
--
-- Random calendars (13 zones: DST in both hemispheres, historic DST, half-hour offset, 30-minute
-- DST, zones that change at midnight, UTC, Moscow) are built as structured values, rendered to the
-- extension's text form in varying spellings, and fed to both sides.  Random instants fall on DST
-- transitions (with jitter from 1 microsecond to days) a good part of the time, on span bounds
-- exactly (and 1 microsecond either side), or anywhere in 2008-2031.  Each family of cases is one
-- test; a failure lists its first mismatching cases in full (calendar text, inputs, both answers).
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cs_service;
\ir ../reference/business_reference.sql
SET LOCAL timezone = 'UTC';
SET LOCAL IntervalStyle = 'postgres';
SET LOCAL DateStyle = 'ISO, YMD';

SELECT plan(27);

-- ---------------------------------------------------------------------------------------------
-- First, the reference itself on answers worked out by hand (see calendar_properties.sql for the
-- reasoning): if these fail, the reference is wrong, not the extension.
-- ---------------------------------------------------------------------------------------------
SELECT is(cs_ref.business_add('2026-03-13 17:30+03', '2 hours',
            cs_ref.mk('Europe/Moscow', ARRAY[cs_ref.wr('{1,2,3,4,5}', cs_ref.sp('09:00', '18:00'))])),
          '2026-03-16 10:30+03'::timestamptz, 'reference: Fri 17:30 + 2 working hours is Mon 10:30 in Moscow');
SELECT is(cs_ref.business_add('2026-03-16 16:00+03', '2 hours',
            cs_ref.mk('Europe/Moscow', ARRAY[cs_ref.wr('{1,2,3,4,5}', cs_ref.sp('09:00', '18:00'))])),
          '2026-03-16 18:00+03'::timestamptz, 'reference: a deadline lands on 18:00');
SELECT is(cs_ref.business_add('2026-03-17 10:00+03', '-1 hour',
            cs_ref.mk('Europe/Moscow', ARRAY[cs_ref.wr('{1,2,3,4,5}', cs_ref.sp('09:00', '18:00'))])),
          '2026-03-17 09:00+03'::timestamptz, 'reference: going back lands on 09:00');
SELECT is(cs_ref.business_duration('2026-03-28 12:00+01', '2026-03-29 12:00+02',
            cs_ref.mk('Europe/Berlin', ARRAY[cs_ref.wr('{1,2,3,4,5,6,7}', cs_ref.sp('22:00', '06:00'))])),
          '07:00:00'::interval, 'reference: a Berlin night shift over spring-forward is 7 hours');
SELECT is(cs_ref.business_duration('2026-10-24 12:00+02', '2026-10-25 12:00+01',
            cs_ref.mk('Europe/Berlin', ARRAY[cs_ref.wr('{1,2,3,4,5,6,7}', cs_ref.sp('22:00', '06:00'))])),
          '09:00:00'::interval, 'reference: and over fall-back 9 hours');
SELECT is(cs_ref.business_windows('[2026-03-08 00:00+00, 2026-03-09 00:00+00)',
            cs_ref.mk('America/New_York', ARRAY[cs_ref.wr('{7}', cs_ref.sp('01:00', '02:30'), cs_ref.sp('02:30', '03:00'))])),
          '{["2026-03-08 06:00+00","2026-03-08 07:00+00")}'::tstzmultirange,
          'reference: spans of one rule are merged in local time, then converted');
SELECT is(cs_ref.business_duration('2025-04-05 12:00+00', '2025-04-05 20:00+00',
            cs_ref.mk('Australia/Lord_Howe', ARRAY[cs_ref.wr('{1,2,3,4,5,6,7}', cs_ref.sp('01:00', '03:00'))])),
          '02:30:00'::interval, 'reference: Lord Howe fall-back 01:00-03:00 is 2.5 hours');
SELECT is(cs_ref.business_days_add('2025-12-31 15:00+03', 1,
            cs_ref.mk('Europe/Moscow', ARRAY[cs_ref.wr('{1,2,3,4,5}', cs_ref.sp('09:00', '18:00'))],
                      ARRAY[cs_ref.dr('2026-01-01', '2026-01-08')])),
          '2026-01-09 15:00+03'::timestamptz, 'reference: one business day after Dec 31 is Jan 9');
SELECT is(cs_ref.business_duration('2026-03-10 00:00+00', '2026-03-12 00:00+00',
            cs_ref.mk('UTC', ARRAY[cs_ref.wr('{1,2,3,4,5,6,7}', cs_ref.sp('22:00', '06:00'))],
                      ARRAY[cs_ref.dr('2026-03-10', '2026-03-10')])),
          '08:00:00'::interval, 'reference: a date off removes only the spans that start on it');

CREATE SCHEMA cs_ref_test;

-- ---------------------------------------------------------------------------------------------
-- Zones, their transitions, calendars
-- ---------------------------------------------------------------------------------------------
CREATE TABLE cs_ref_test.zones (ord int PRIMARY KEY, zone text NOT NULL);
INSERT INTO cs_ref_test.zones VALUES
  (1, 'America/New_York'), (2, 'Europe/Berlin'), (3, 'Australia/Sydney'), (4, 'America/Sao_Paulo'),
  (5, 'Pacific/Auckland'), (6, 'Asia/Kolkata'), (7, 'Australia/Lord_Howe'), (8, 'America/Santiago'),
  (9, 'America/Havana'), (10, 'Asia/Beirut'), (11, 'America/Asuncion'), (12, 'UTC'),
  (13, 'Europe/Moscow');

CREATE TABLE cs_ref_test.trans AS
  SELECT z.zone, t.at, t.off_before, t.off_after, (t.at AT TIME ZONE z.zone)::date AS local_date
  FROM cs_ref_test.zones AS z, cs_ref.transitions(z.zone, '1890-01-01', '2101-01-01') AS t;

CREATE TABLE cs_ref_test.cals (
  id   int PRIMARY KEY,
  zone text NOT NULL,
  ref  cs_ref.cal NOT NULL,
  txt  text NOT NULL,
  ext  cs_service.business_calendar,
  err  text
);

SELECT setseed(0.2026);

-- A few fixed calendars that must be there whatever the dice say, then 8 random ones per zone.
INSERT INTO cs_ref_test.cals (id, zone, ref, txt) VALUES
  (1, 'Europe/Moscow', cs_ref.mk('Europe/Moscow',
      ARRAY[cs_ref.wr('{1,2,3,4,5}', cs_ref.sp('09:00', '18:00')), cs_ref.wr('{6}', cs_ref.sp('10:00', '14:00'))],
      ARRAY[cs_ref.dr('2026-01-01', '2026-01-08'), cs_ref.dr('2026-11-01', '2026-11-01', cs_ref.sp('09:00', '18:00')),
            cs_ref.dr('2026-12-31', '2026-12-31', cs_ref.sp('09:00', '17:00'))]), ''),
  (2, 'Europe/Berlin', cs_ref.mk('Europe/Berlin',
      ARRAY[cs_ref.wr('{1,2,3,4,5,6,7}', cs_ref.sp('22:00', '06:00'))]), ''),
  (3, 'America/New_York', cs_ref.mk('America/New_York',
      ARRAY[cs_ref.wr('{1,2,3,4,5}', cs_ref.sp('09:00', '13:00'), cs_ref.sp('14:00', '18:00')),
            cs_ref.wr('{7}', cs_ref.sp('01:00', '02:30'), cs_ref.sp('02:30', '03:00'), cs_ref.sp('23:00', '24:00'))]), ''),
  (4, 'Australia/Lord_Howe', cs_ref.mk('Australia/Lord_Howe',
      ARRAY[cs_ref.wr('{1,2,3,4,5,6,7}', cs_ref.sp('01:45', '02:15'), cs_ref.sp('02:15', '02:45'), cs_ref.sp('20:00', '02:00'))]), ''),
  (5, 'America/Santiago', cs_ref.mk('America/Santiago',
      ARRAY[cs_ref.wr('{1,2,3,4,5,6,7}', cs_ref.sp('23:00', '01:00'), cs_ref.sp('08:00', '24:00'))],
      ARRAY[cs_ref.dr('2025-09-06', '2025-09-07', cs_ref.sp('00:00', '00:30')), cs_ref.dr('2026-04-04', '2026-04-04')]), ''),
  (6, 'America/Havana', cs_ref.mk('America/Havana',
      ARRAY[cs_ref.wr('{6,7}', cs_ref.sp('00:00', '24:00')), cs_ref.wr('{1,2,3,4,5}', cs_ref.sp('00:30', '01:30'))]), ''),
  (7, 'Asia/Kolkata', cs_ref.mk('Asia/Kolkata',
      ARRAY[cs_ref.wr('{1,2,3,4,5}', cs_ref.sp('09:30', '18:30'))],
      ARRAY[cs_ref.dr('2026-01-26', '2026-01-26'), cs_ref.dr('2026-01-24', '2026-01-24', cs_ref.sp('10:00', '14:00'))]), ''),
  (8, 'America/Sao_Paulo', cs_ref.mk('America/Sao_Paulo',
      ARRAY[cs_ref.wr('{1,2,3,4,5,6,7}', cs_ref.sp('00:00', '00:30'), cs_ref.sp('23:30', '24:00'), cs_ref.sp('12:00', '13:00'))]), ''),
  (9, 'UTC', cs_ref.mk(NULL, '{}', ARRAY[cs_ref.dr('2026-02-02', '2026-02-06', cs_ref.sp('09:00', '17:00'))]), '');

DO $$
DECLARE
  z   record;
  id  int := 100;
BEGIN
  FOR z IN SELECT * FROM cs_ref_test.zones ORDER BY ord LOOP
    FOR k IN 1..10 LOOP
      id := id + 1;
      INSERT INTO cs_ref_test.cals (id, zone, ref, txt)
      VALUES (id, z.zone,
              cs_ref.rnd_cal(z.zone, ARRAY(SELECT t.local_date FROM cs_ref_test.trans AS t
                                           WHERE t.zone = z.zone AND t.at BETWEEN '2008-01-01' AND '2031-01-01'
                                           ORDER BY t.at),
                             CASE WHEN k <= 6 THEN 'plain' WHEN k <= 8 THEN 'dense' ELSE 'dated' END), '');
    END LOOP;
  END LOOP;
END $$;

UPDATE cs_ref_test.cals SET txt = cs_ref.render(ref, id);

CREATE FUNCTION cs_ref_test.parse(t text) RETURNS cs_service.business_calendar
LANGUAGE plpgsql AS $$
BEGIN
  RETURN t::cs_service.business_calendar;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

CREATE FUNCTION cs_ref_test.parse_error(t text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  c cs_service.business_calendar;
BEGIN
  c := t::cs_service.business_calendar;
  RETURN NULL;
EXCEPTION WHEN others THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

UPDATE cs_ref_test.cals SET ext = cs_ref_test.parse(txt), err = cs_ref_test.parse_error(txt);

-- equality of calendars (the operator lives in schema cs_service, off the search_path)
CREATE FUNCTION cs_ref_test.same(a cs_service.business_calendar, b cs_service.business_calendar) RETURNS boolean
LANGUAGE sql AS $$ SELECT coalesce(a OPERATOR(cs_service.=) b, a IS NULL AND b IS NULL) $$;

-- test 1: every calendar's text is accepted
SELECT ok(count(*) FILTER (WHERE err IS NOT NULL) = 0,
          format('all %s random calendars (13 zones; plain, with dozens of date rules, date rules only) are accepted', count(*)))
FROM cs_ref_test.cals;
SELECT diag(format('calendar %s rejected: %s%s  text: %s', id, err, E'\n', txt))
FROM cs_ref_test.cals WHERE err IS NOT NULL ORDER BY id LIMIT 5;

-- test 2: the same calendar spelled in three other ways is equal, and output round-trips
SELECT ok(count(*) FILTER (WHERE NOT ok) = 0,
          format('%s calendars: three other spellings give an equal value, and text output round-trips', count(*)))
FROM (SELECT id, txt, ext,
             cs_ref_test.same(cs_ref_test.parse(cs_ref.render(ref, id + 1)), ext)
             AND cs_ref_test.same(cs_ref_test.parse(cs_ref.render(ref, id + 7)), ext)
             AND cs_ref_test.same(cs_ref_test.parse(cs_ref.render(ref, id * 3 + 5)), ext)
             AND cs_ref_test.same(cs_ref_test.parse(ext::text), ext) AS ok
      FROM cs_ref_test.cals WHERE ext IS NOT NULL) AS x;
SELECT diag(format('calendar %s: %s%s  spelled: %s%s  and: %s%s  output: %s', c.id, c.txt, E'\n',
                   cs_ref.render(c.ref, c.id + 1), E'\n', cs_ref.render(c.ref, c.id * 3 + 5), E'\n', c.ext::text))
FROM cs_ref_test.cals AS c
WHERE c.ext IS NOT NULL
  AND NOT (cs_ref_test.same(cs_ref_test.parse(cs_ref.render(c.ref, c.id + 1)), c.ext)
           AND cs_ref_test.same(cs_ref_test.parse(cs_ref.render(c.ref, c.id + 7)), c.ext)
           AND cs_ref_test.same(cs_ref_test.parse(cs_ref.render(c.ref, c.id * 3 + 5)), c.ext)
           AND cs_ref_test.same(cs_ref_test.parse(c.ext::text), c.ext))
ORDER BY c.id LIMIT 3;

-- ---------------------------------------------------------------------------------------------
-- Random inputs
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION cs_ref_test.rnd_us(maxus bigint) RETURNS bigint        -- 0 .. maxus
LANGUAGE sql VOLATILE AS $$ SELECT floor(random() * (maxus + 1))::bigint $$;

-- an instant: on a DST transition of the zone (+ jitter), on a span bound (+- 0/1 us), or anywhere
CREATE FUNCTION cs_ref_test.rnd_instant(c cs_ref_test.cals) RETURNS timestamptz
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  r   float8 := random();
  t   timestamptz;
  d   date;
  sps cs_ref.span[];
  sp  cs_ref.span;
  lt  timestamp;
BEGIN
  IF r < 0.45 THEN
    -- a transition: mostly of 2008-2030, else of any year 1890-2100 (LMT, wartime, future rules)
    IF cs_ref.rnd(3) > 0 THEN
      SELECT at INTO t FROM cs_ref_test.trans WHERE zone = c.zone AND at BETWEEN '2008-01-01' AND '2031-01-01'
        ORDER BY at OFFSET cs_ref.rnd((SELECT count(*)::int FROM cs_ref_test.trans
                                        WHERE zone = c.zone AND at BETWEEN '2008-01-01' AND '2031-01-01')) LIMIT 1;
    ELSE
      SELECT at INTO t FROM cs_ref_test.trans WHERE zone = c.zone ORDER BY at
        OFFSET cs_ref.rnd((SELECT count(*)::int FROM cs_ref_test.trans WHERE zone = c.zone)) LIMIT 1;
    END IF;
    IF t IS NOT NULL THEN
      RETURN t + CASE cs_ref.rnd(6)
        WHEN 0 THEN interval '0'
        WHEN 1 THEN cs_ref.pick('{-00:00:00.000001,00:00:00.000001}'::interval[])
        WHEN 2 THEN (cs_ref.rnd(17) - 8) * interval '15 minutes'
        WHEN 3 THEN cs_ref.usec(cs_ref_test.rnd_us(7200000000) - 3600000000)
        ELSE cs_ref.usec(cs_ref_test.rnd_us(259200000000 * 2) - 259200000000) END;
    END IF;
  END IF;
  IF r < 0.75 THEN
    -- a span bound: a local date near a transition or anywhere, the first date with spans after it
    IF cs_ref.rnd(2) = 0 THEN
      SELECT local_date INTO d FROM cs_ref_test.trans WHERE zone = c.zone ORDER BY at
        OFFSET cs_ref.rnd((SELECT count(*)::int FROM cs_ref_test.trans WHERE zone = c.zone)) LIMIT 1;
      d := d + (cs_ref.rnd(3) - 1);
    ELSIF cs_ref.rnd(2) = 0 AND cardinality((c.ref).dates) > 0 THEN
      d := (cs_ref.pick((c.ref).dates)).first + (cs_ref.rnd(3) - 1);     -- a date rule's date
    END IF;
    IF d IS NULL THEN
      d := date '2012-01-01' + cs_ref.rnd(18 * 365);
    END IF;
    FOR i IN 1..10 LOOP
      sps := cs_ref.spans_on(c.ref, d);
      EXIT WHEN cardinality(sps) > 0;
      d := d + 1;
    END LOOP;
    IF cardinality(sps) > 0 THEN
      sp := sps[1 + cs_ref.rnd(cardinality(sps))];
      IF cs_ref.rnd(2) = 0 THEN
        lt := d + sp.s;
      ELSE
        lt := CASE WHEN sp.e > sp.s THEN d + sp.e ELSE (d + 1) + sp.e END;
      END IF;
      RETURN (lt AT TIME ZONE cs_ref.zone(c.ref))
             + cs_ref.pick('{0,0,-00:00:00.000001,00:00:00.000001}'::interval[]);
    END IF;
  END IF;
  IF cs_ref.rnd(2) = 0 THEN
    RETURN timestamptz '2008-01-01 00:00+00' + cs_ref.usec(cs_ref_test.rnd_us(23::bigint * 365 * 86400000000));
  END IF;
  IF cs_ref.rnd(8) = 0 THEN          -- any year 0100-9899 (local mean time, far-future DST rules)
    IF cs_ref.rnd(2) = 0 THEN         -- half of them in a year 2370 + 400 k, where the zone rules repeat
      RETURN make_timestamptz(2370 + 400 * (1 + cs_ref.rnd(17)), 1, 1, 0, 0, 0, 'UTC')
             + cs_ref.usec(cs_ref_test.rnd_us(365 * 86400000000::bigint));
    END IF;
    RETURN timestamptz '0100-01-01 00:00+00' + cs_ref.usec(cs_ref_test.rnd_us(9800::bigint * 365 * 86400000000));
  END IF;
  RETURN timestamptz '1890-01-01 00:00+00' + cs_ref.usec(cs_ref_test.rnd_us(211::bigint * 365 * 86400000000));
END $$;

-- a signed length of time: microseconds to hours mostly, days to weeks often, months sometimes;
-- `long` adds years
CREATE FUNCTION cs_ref_test.rnd_delta(long boolean DEFAULT false) RETURNS interval
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  us bigint;
BEGIN
  us := CASE WHEN long THEN cs_ref_test.rnd_us(5 * 366 * 86400000000::bigint)
    ELSE CASE cs_ref.rnd(10)
      WHEN 0 THEN 0
      WHEN 1 THEN cs_ref_test.rnd_us(1000)
      WHEN 2 THEN (1 + cs_ref.rnd(48)) * 3600000000::bigint
      WHEN 3 THEN cs_ref_test.rnd_us(6 * 3600000000::bigint)
      WHEN 4 THEN cs_ref_test.rnd_us(26 * 3600000000::bigint)
      WHEN 5 THEN cs_ref_test.rnd_us(4 * 86400000000::bigint)
      WHEN 6 THEN cs_ref_test.rnd_us(10 * 86400000000::bigint)
      WHEN 7 THEN cs_ref_test.rnd_us(40 * 86400000000::bigint)
      WHEN 8 THEN cs_ref_test.rnd_us(100 * 86400000000::bigint)
      ELSE cs_ref_test.rnd_us(3 * 86400000000::bigint) END END;
  IF random() < 0.3 THEN
    us := -us;
  END IF;
  RETURN cs_ref.usec(us);
END $$;

-- an amount of business time for business_add: whole hours, random microseconds up to hundreds of
-- hours, tiny, or (half the time) exactly the business time from ts to a span bound nearby, so
-- that the answer is a span's close (forward) or opening (backward); `long` adds thousands of hours
CREATE FUNCTION cs_ref_test.rnd_amount(c cs_ref_test.cals, ts timestamptz, long boolean DEFAULT false)
RETURNS interval
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  neg boolean := random() < 0.4;
  us  bigint;
  m   tstzmultirange;
  r   tstzrange;
BEGIN
  IF NOT cs_ref.has_weekly_spans(c.ref) AND cs_ref.rnd(2) = 0 THEN
    -- a calendar of date rules only: up to all of its business time, from wherever ts is
    us := cs_ref.measure_us(cs_ref.business_time(c.ref, cs_ref.date_rules_first(c.ref) - 1,
                                                 cs_ref.date_rules_last(c.ref) + 1));
    us := CASE cs_ref.rnd(4) WHEN 0 THEN us WHEN 1 THEN us + 1 ELSE 1 + cs_ref_test.rnd_us(us) END;
  ELSIF long THEN
    us := 1000 * 3600000000::bigint + cs_ref_test.rnd_us(9000 * 3600000000::bigint);
  ELSIF cs_ref.rnd(2) = 0 THEN
    us := CASE cs_ref.rnd(5)
      WHEN 0 THEN (1 + cs_ref.rnd(100)) * 3600000000::bigint
      WHEN 1 THEN 1 + cs_ref_test.rnd_us(1000)
      WHEN 2 THEN 1 + cs_ref_test.rnd_us(10 * 3600000000::bigint)
      WHEN 3 THEN 1 + cs_ref_test.rnd_us(200 * 3600000000::bigint)
      ELSE (1 + cs_ref.rnd(24 * 4)) * 900000000::bigint END;
  ELSE
    IF neg THEN
      m := cs_ref.business_time_between(c.ref, ts - interval '10 days', ts);
      SELECT x INTO r FROM unnest(m) AS x ORDER BY lower(x) DESC OFFSET cs_ref.rnd(4) LIMIT 1;
      IF r IS NOT NULL THEN
        us := cs_ref.measure_us(m * tstzmultirange(tstzrange(
                CASE WHEN cs_ref.rnd(4) = 0 THEN upper(r) ELSE lower(r) END, ts)));
      END IF;
    ELSE
      m := cs_ref.business_time_between(c.ref, ts, ts + interval '10 days');
      SELECT x INTO r FROM unnest(m) AS x ORDER BY lower(x) OFFSET cs_ref.rnd(4) LIMIT 1;
      IF r IS NOT NULL THEN
        us := cs_ref.measure_us(m * tstzmultirange(tstzrange(
                ts, CASE WHEN cs_ref.rnd(4) = 0 THEN lower(r) ELSE upper(r) END)));
      END IF;
    END IF;
    IF coalesce(us, 0) = 0 THEN
      us := 1 + cs_ref_test.rnd_us(8 * 3600000000::bigint);
    END IF;
  END IF;
  RETURN cs_ref.usec(CASE WHEN neg THEN -us ELSE us END);
END $$;

CREATE TABLE cs_ref_test.cases (
  id      serial PRIMARY KEY,
  fn      text NOT NULL,
  cal_id  int NOT NULL,
  a       timestamptz,
  b       timestamptz,
  c       timestamptz,
  x       interval,
  n       int,
  r       tstzrange,
  ext_ans text,
  ref_ans text
);

CREATE FUNCTION cs_ref_test.rnd_cal() RETURNS cs_ref_test.cals
LANGUAGE sql VOLATILE AS $$
  SELECT * FROM cs_ref_test.cals WHERE ext IS NOT NULL
  ORDER BY id OFFSET cs_ref.rnd((SELECT count(*)::int FROM cs_ref_test.cals WHERE ext IS NOT NULL)) LIMIT 1
$$;

DO $$
DECLARE
  c   cs_ref_test.cals;
  a   timestamptz;
  b   timestamptz;
  lng boolean;
  bnd text;
BEGIN
  -- business_duration: 4,000 cases, 80 of them over years
  FOR i IN 1..4000 LOOP
    c := cs_ref_test.rnd_cal();
    a := cs_ref_test.rnd_instant(c);
    lng := i % 50 = 0;
    b := CASE WHEN NOT lng AND cs_ref.rnd(4) = 0 THEN cs_ref_test.rnd_instant(c)
              ELSE a + cs_ref_test.rnd_delta(lng) END;
    IF NOT lng AND abs(extract(epoch FROM b - a)) > 120 * 86400 THEN   -- keep the brute force cheap
      b := a + cs_ref_test.rnd_delta(false);
    END IF;
    INSERT INTO cs_ref_test.cases (fn, cal_id, a, b) VALUES ('duration', c.id, a, b);
  END LOOP;
  -- business_add: 3,000 cases, 60 of them of thousands of hours
  FOR i IN 1..3000 LOOP
    c := cs_ref_test.rnd_cal();
    a := cs_ref_test.rnd_instant(c);
    INSERT INTO cs_ref_test.cases (fn, cal_id, a, x)
    VALUES ('add', c.id, a, CASE WHEN i % 100 = 0 THEN interval '0'
                                 ELSE cs_ref_test.rnd_amount(c, a, i % 50 = 0) END);
  END LOOP;
  -- business_days_add: 1,200 cases
  FOR i IN 1..1200 LOOP
    c := cs_ref_test.rnd_cal();
    INSERT INTO cs_ref_test.cases (fn, cal_id, a, n)
    VALUES ('days_add', c.id, cs_ref_test.rnd_instant(c),
            CASE cs_ref.rnd(6) WHEN 0 THEN 0 WHEN 1 THEN cs_ref.rnd(501) - 250
                               ELSE (cs_ref.rnd(2) * 2 - 1) * (1 + cs_ref.rnd(12)) END);
  END LOOP;
  -- is_business_time: 1,000; next_business_time: 1,000
  FOR i IN 1..1000 LOOP
    c := cs_ref_test.rnd_cal();
    INSERT INTO cs_ref_test.cases (fn, cal_id, a) VALUES ('is_bt', c.id, cs_ref_test.rnd_instant(c));
    c := cs_ref_test.rnd_cal();
    INSERT INTO cs_ref_test.cases (fn, cal_id, a) VALUES ('next', c.id, cs_ref_test.rnd_instant(c));
  END LOOP;
  -- business_windows: 600 cases, various bounds, some empty
  FOR i IN 1..600 LOOP
    c := cs_ref_test.rnd_cal();
    a := cs_ref_test.rnd_instant(c);
    b := a + abs(extract(epoch FROM cs_ref_test.rnd_delta(false))) * interval '1 second';
    IF cs_ref.rnd(3) = 0 THEN
      b := cs_ref_test.rnd_instant(c);
      IF abs(extract(epoch FROM b - a)) > 20 * 86400 THEN b := a + interval '20 hours'; END IF;
    END IF;
    IF b < a THEN SELECT b, a INTO a, b; END IF;
    bnd := CASE WHEN i % 30 = 0 THEN '[)' ELSE cs_ref.pick('{"[)","[)","[)","[]","()","(]"}'::text[]) END;
    INSERT INTO cs_ref_test.cases (fn, cal_id, r)
    VALUES ('windows', c.id, CASE WHEN i % 30 = 0 THEN tstzrange(a, a) ELSE tstzrange(a, b, bnd) END);
  END LOOP;
  -- identities (extension only)
  FOR i IN 1..600 LOOP
    c := cs_ref_test.rnd_cal();
    a := cs_ref_test.rnd_instant(c);
    INSERT INTO cs_ref_test.cases (fn, cal_id, a, b, c)
    VALUES ('triangle', c.id, a, a + cs_ref_test.rnd_delta(false),
            CASE WHEN cs_ref.rnd(3) = 0 THEN cs_ref_test.rnd_instant(c) ELSE a + cs_ref_test.rnd_delta(false) END);
  END LOOP;
  FOR i IN 1..1200 LOOP
    c := cs_ref_test.rnd_cal();
    a := cs_ref_test.rnd_instant(c);
    INSERT INTO cs_ref_test.cases (fn, cal_id, a, x) VALUES ('roundtrip', c.id, a, cs_ref_test.rnd_amount(c, a));
  END LOOP;
  FOR i IN 1..500 LOOP
    c := cs_ref_test.rnd_cal();
    INSERT INTO cs_ref_test.cases (fn, cal_id, a) VALUES ('next_prop', c.id, cs_ref_test.rnd_instant(c));
  END LOOP;
  FOR i IN 1..400 LOOP
    c := cs_ref_test.rnd_cal();
    a := cs_ref_test.rnd_instant(c);
    INSERT INTO cs_ref_test.cases (fn, cal_id, a, b) VALUES ('windows_sum', c.id, a, a + cs_ref_test.rnd_delta(false));
  END LOOP;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Evaluation: each side's answer as text ('ERROR <sqlstate>' when it raised)
-- ---------------------------------------------------------------------------------------------
-- business_windows is compared as a set of instants: timestamptz has microsecond resolution, so
-- ("a","b"] and ["a+1us","b+1us") hold the same instants; both sides are put in [) form first.
-- (The extension answers in [) form; PostgreSQL's own r * multirange keeps r's bounds.)
CREATE FUNCTION cs_ref_test.norm(m tstzmultirange) RETURNS tstzmultirange
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(range_agg(tstzrange(
           CASE WHEN lower_inc(r) THEN lower(r) ELSE lower(r) + interval '1 microsecond' END,
           CASE WHEN upper_inc(r) THEN upper(r) + interval '1 microsecond' ELSE upper(r) END)),
         '{}'::tstzmultirange)
  FROM unnest(m) AS r
$$;

CREATE FUNCTION cs_ref_test.ext_answer(k cs_ref_test.cases, cal cs_service.business_calendar) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  t  timestamptz;
  d  interval;
  d2 interval;
  x  interval;
BEGIN
  CASE k.fn
  WHEN 'duration' THEN RETURN cs_service.business_duration(k.a, k.b, cal)::text;
  WHEN 'add'      THEN RETURN cs_service.business_add(k.a, k.x, cal)::text;
  WHEN 'days_add' THEN RETURN cs_service.business_days_add(k.a, k.n, cal)::text;
  WHEN 'is_bt'    THEN RETURN cs_service.is_business_time(k.a, cal)::text;
  WHEN 'next'     THEN RETURN cs_service.next_business_time(k.a, cal)::text;
  WHEN 'windows'  THEN RETURN cs_ref_test.norm(cs_service.business_windows(k.r, cal))::text;
  WHEN 'triangle' THEN
    d := cs_service.business_duration(k.a, k.b, cal) + cs_service.business_duration(k.b, k.c, cal);
    d2 := cs_service.business_duration(k.a, k.c, cal);
    RETURN CASE WHEN d = d2 THEN 'ok' ELSE format('d(a,b)+d(b,c) = %s but d(a,c) = %s', d, d2) END;
  WHEN 'roundtrip' THEN
    t := cs_service.business_add(k.a, k.x, cal);
    d := cs_service.business_duration(k.a, t, cal);
    IF d <> k.x OR d::text <> k.x::text THEN
      RETURN format('business_add = %s, business_duration(ts, that) = %s', t, d);
    END IF;
    IF k.x > interval '0' AND t < k.a OR k.x < interval '0' AND t > k.a THEN
      RETURN format('business_add = %s is on the wrong side of ts', t);
    END IF;
    IF k.x > interval '0' AND t > k.a THEN
      d2 := cs_service.business_duration(k.a, t - interval '1 microsecond', cal);
      IF d2 >= k.x THEN
        RETURN format('business_add = %s is not the earliest: duration to 1us before is %s', t, d2);
      END IF;
    END IF;
    IF k.x < interval '0' AND t < k.a THEN
      d2 := cs_service.business_duration(k.a, t + interval '1 microsecond', cal);
      IF d2 <= k.x THEN
        RETURN format('business_add = %s is not the latest: duration to 1us after is %s', t, d2);
      END IF;
    END IF;
    RETURN 'ok';
  WHEN 'next_prop' THEN
    t := cs_service.next_business_time(k.a, cal);
    IF t < k.a THEN RETURN format('next_business_time = %s is before ts', t); END IF;
    IF NOT cs_service.is_business_time(t, cal) THEN
      RETURN format('next_business_time = %s is not business time', t);
    END IF;
    d := cs_service.business_duration(k.a, t, cal);
    IF d <> interval '0' THEN
      RETURN format('next_business_time = %s but business_duration(ts, it) = %s', t, d);
    END IF;
    IF t > k.a AND cs_service.is_business_time(t - interval '1 microsecond', cal) THEN
      RETURN format('next_business_time = %s but 1us before it is business time', t);
    END IF;
    RETURN 'ok';
  WHEN 'windows_sum' THEN
    d := cs_service.business_duration(least(k.a, k.b), greatest(k.a, k.b), cal);
    SELECT coalesce(sum(upper(w) - lower(w)), interval '0') INTO d2
      FROM unnest(cs_service.business_windows(tstzrange(least(k.a, k.b), greatest(k.a, k.b)), cal)) AS w;
    RETURN CASE WHEN d = d2 THEN 'ok' ELSE format('windows sum to %s, business_duration = %s', d2, d) END;
  END CASE;
EXCEPTION WHEN others THEN
  RETURN 'ERROR ' || SQLSTATE;
END $$;

CREATE FUNCTION cs_ref_test.ref_answer(k cs_ref_test.cases, cal cs_ref.cal) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  CASE k.fn
  WHEN 'duration' THEN RETURN cs_ref.business_duration(k.a, k.b, cal)::text;
  WHEN 'add'      THEN RETURN cs_ref.business_add(k.a, k.x, cal)::text;
  WHEN 'days_add' THEN RETURN cs_ref.business_days_add(k.a, k.n, cal)::text;
  WHEN 'is_bt'    THEN RETURN cs_ref.is_business_time(k.a, cal)::text;
  WHEN 'next'     THEN RETURN cs_ref.next_business_time(k.a, cal)::text;
  WHEN 'windows'  THEN RETURN cs_ref_test.norm(cs_ref.business_windows(k.r, cal))::text;
  -- identities hold unless the operation itself must fail (an amount no business time reaches)
  WHEN 'roundtrip' THEN PERFORM cs_ref.business_add(k.a, k.x, cal); RETURN 'ok';
  WHEN 'next_prop' THEN PERFORM cs_ref.next_business_time(k.a, cal); RETURN 'ok';
  ELSE RETURN 'ok';
  END CASE;
EXCEPTION WHEN others THEN
  RETURN 'ERROR ' || SQLSTATE;
END $$;

CREATE TABLE cs_ref_test.timing (what text, took interval);
INSERT INTO cs_ref_test.timing VALUES ('start', clock_timestamp() - now());

UPDATE cs_ref_test.cases AS k SET ext_ans = coalesce(cs_ref_test.ext_answer(k, c.ext), 'NULL')
FROM cs_ref_test.cals AS c WHERE c.id = k.cal_id;
INSERT INTO cs_ref_test.timing VALUES ('extension', clock_timestamp() - now());

-- The same calls again as one plain statement over all rows, shuffled so that calendars, zones
-- and years alternate from row to row: answers must not depend on what a query computed before.
CREATE TABLE cs_ref_test.shuffled AS
  SELECT k.id, k.fn, k.a, k.b, k.x, k.n, k.r, c.ext
  FROM cs_ref_test.cases AS k JOIN cs_ref_test.cals AS c ON c.id = k.cal_id
  WHERE k.fn IN ('duration', 'add', 'days_add', 'is_bt', 'next', 'windows') AND k.ext_ans NOT LIKE 'ERROR%'
  ORDER BY md5(k.id::text);
CREATE TABLE cs_ref_test.bulk AS
  SELECT s.id, CASE s.fn
    WHEN 'duration' THEN cs_service.business_duration(s.a, s.b, s.ext)::text
    WHEN 'add'      THEN cs_service.business_add(s.a, s.x, s.ext)::text
    WHEN 'days_add' THEN cs_service.business_days_add(s.a, s.n, s.ext)::text
    WHEN 'is_bt'    THEN cs_service.is_business_time(s.a, s.ext)::text
    WHEN 'next'     THEN cs_service.next_business_time(s.a, s.ext)::text
    WHEN 'windows'  THEN cs_ref_test.norm(cs_service.business_windows(s.r, s.ext))::text END AS ans
  FROM cs_ref_test.shuffled AS s;

-- the reference only for the identities where the extension raised (is the error right?)
UPDATE cs_ref_test.cases AS k SET ref_ans = coalesce(cs_ref_test.ref_answer(k, c.ref), 'NULL')
FROM cs_ref_test.cals AS c
WHERE c.id = k.cal_id
  AND (k.fn NOT IN ('triangle', 'roundtrip', 'next_prop', 'windows_sum') OR k.ext_ans LIKE 'ERROR%');
UPDATE cs_ref_test.cases SET ref_ans = 'ok' WHERE ref_ans IS NULL;
INSERT INTO cs_ref_test.timing VALUES ('reference', clock_timestamp() - now());

-- ---------------------------------------------------------------------------------------------
-- Reporting: one test per family; its first mismatches in full
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION cs_ref_test.cut(t text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN length(t) > 1200 THEN left(t, 1200) || format(' ... (%s characters)', length(t)) ELSE t END
$$;

CREATE FUNCTION cs_ref_test.report(p_fn text, what text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  n   int;
  bad int;
  k   record;
  z   text;
BEGIN
  SELECT count(*), count(*) FILTER (WHERE ext_ans IS DISTINCT FROM ref_ans) INTO n, bad
  FROM cs_ref_test.cases WHERE fn = p_fn;
  RETURN NEXT ok(bad = 0, format('%s: %s random cases', what, n));
  IF bad > 0 THEN
    RETURN NEXT diag(format('%s of %s cases differ; the first ones (instants in UTC, local time in brackets):', bad, n));
    FOR k IN
      SELECT cs.*, c.txt, c.ref FROM cs_ref_test.cases AS cs JOIN cs_ref_test.cals AS c ON c.id = cs.cal_id
      WHERE cs.fn = p_fn AND cs.ext_ans IS DISTINCT FROM cs.ref_ans ORDER BY cs.id LIMIT 5
    LOOP
      z := cs_ref.zone(k.ref);
      RETURN NEXT diag(concat_ws(E'\n',
        format('case %s: calendar %L', k.id, k.txt),
        CASE WHEN k.a IS NOT NULL THEN format('  a = %s  [%s]', k.a, k.a AT TIME ZONE z) END,
        CASE WHEN k.b IS NOT NULL THEN format('  b = %s  [%s]', k.b, k.b AT TIME ZONE z) END,
        CASE WHEN k.c IS NOT NULL THEN format('  c = %s  [%s]', k.c, k.c AT TIME ZONE z) END,
        CASE WHEN k.x IS NOT NULL THEN format('  amount = %s', k.x) END,
        CASE WHEN k.n IS NOT NULL THEN format('  days = %s', k.n) END,
        CASE WHEN k.r IS NOT NULL THEN format('  range = %s', k.r) END,
        format('  extension: %s', cs_ref_test.cut(k.ext_ans)),
        format('  reference: %s', cs_ref_test.cut(k.ref_ans))));
    END LOOP;
  END IF;
END $$;

SELECT cs_ref_test.report('duration', 'business_duration agrees with the reference');
SELECT cs_ref_test.report('add', 'business_add agrees with the reference');
SELECT cs_ref_test.report('days_add', 'business_days_add agrees with the reference');
SELECT cs_ref_test.report('is_bt', 'is_business_time agrees with the reference');
SELECT cs_ref_test.report('next', 'next_business_time agrees with the reference');
SELECT cs_ref_test.report('windows', 'business_windows agrees with the reference');
SELECT cs_ref_test.report('triangle', 'd(a,b) + d(b,c) = d(a,c)');
SELECT cs_ref_test.report('roundtrip', 'business_duration(ts, business_add(ts, x)) = x, earliest/latest such instant');
SELECT cs_ref_test.report('next_prop', 'next_business_time is business time with none before it');
SELECT cs_ref_test.report('windows_sum', 'business_windows sums to business_duration');

SELECT ok(count(*) FILTER (WHERE b.ans IS DISTINCT FROM k.ext_ans) = 0,
          format('one statement over %s shuffled rows (calendars alternating) gives the per-call answers', count(*)))
FROM cs_ref_test.bulk AS b JOIN cs_ref_test.cases AS k ON k.id = b.id;
SELECT diag(concat_ws(E'\n', format('case %s (%s): calendar %L', k.id, k.fn, c.txt),
                      format('  a = %s  b = %s  amount = %s  days = %s  range = %s', k.a, k.b, k.x, k.n, k.r),
                      format('  alone: %s', cs_ref_test.cut(k.ext_ans)),
                      format('  in the shuffled statement: %s', cs_ref_test.cut(b.ans))))
FROM cs_ref_test.bulk AS b JOIN cs_ref_test.cases AS k ON k.id = b.id JOIN cs_ref_test.cals AS c ON c.id = k.cal_id
WHERE b.ans IS DISTINCT FROM k.ext_ans ORDER BY k.id LIMIT 3;

-- Sanity of the data itself: enough cases, of every kind asked for.
SELECT ok(count(*) FILTER (WHERE fn IN ('duration', 'add', 'days_add', 'is_bt', 'next', 'windows')) >= 10000,
          format('%s cases compared with the reference, %s identity cases, %s in all',
                 count(*) FILTER (WHERE fn IN ('duration', 'add', 'days_add', 'is_bt', 'next', 'windows')),
                 count(*) FILTER (WHERE fn NOT IN ('duration', 'add', 'days_add', 'is_bt', 'next', 'windows')),
                 count(*)))
FROM cs_ref_test.cases;

SELECT ok(count(DISTINCT c.zone) = 13, format('cases cover %s zones', count(DISTINCT c.zone)))
FROM cs_ref_test.cases AS k JOIN cs_ref_test.cals AS c ON c.id = k.cal_id;

SELECT ok(count(*) >= 1000, format('%s cases have an input within 1 hour of a DST transition', count(*)))
FROM cs_ref_test.cases AS k
WHERE EXISTS (SELECT 1 FROM cs_ref_test.trans AS t
              WHERE t.at BETWEEN k.a - interval '1 hour' AND k.a + interval '1 hour'
                 OR t.at BETWEEN k.b - interval '1 hour' AND k.b + interval '1 hour');

SELECT ok(count(*) >= 300, format('%s cases have an input exactly on a DST transition instant', count(*)))
FROM cs_ref_test.cases AS k
WHERE EXISTS (SELECT 1 FROM cs_ref_test.trans AS t WHERE t.at IN (k.a, k.b));

SELECT ok(count(*) FILTER (WHERE ext_ans LIKE 'ERROR%') < count(*) / 10,
          format('%s of %s answers are errors (both sides agree on them where compared)',
                 count(*) FILTER (WHERE ext_ans LIKE 'ERROR%'), count(*)))
FROM cs_ref_test.cases;

SELECT diag(format('time: %s  %s', what, took)) FROM cs_ref_test.timing ORDER BY took;

SELECT * FROM finish();
ROLLBACK;
