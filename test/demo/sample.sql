-- test/demo/sample.sql: the demo's sample data. Needs CREATE EXTENSION cs_service first.
-- Deterministic: every "random" choice is a hash of the request number, so every run on every
-- machine produces the same rows and the same report.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- ---------------------------------------------------------------------------------------------
-- The office calendar: Moscow, Monday to Friday 09:00-18:00, with the Russian production
-- calendar for 2026 (five-day week; Government decree No. 1466 of 24 September 2025):
--   * days off: Jan 1-8 (public holidays) and Jan 9 (moved from Saturday Jan 3);
--     Feb 23; Mar 9 (for Mar 8, a Sunday); May 1; May 11 (for May 9, a Saturday); Jun 12;
--     Nov 4; Dec 31 (moved from Sunday Jan 4);
--   * pre-holiday working days are one hour shorter (Labour Code art. 95): Apr 30, May 8,
--     Jun 11, Nov 3;
--   * that makes 247 working days; the report checks the count.
-- Assumptions: the office keeps 09:00-18:00 without a separate lunch break in the calendar, and
-- there are no worked weekends in 2026 (the decree moves none).
-- ---------------------------------------------------------------------------------------------
INSERT INTO cs_service.calendars (name, calendar) VALUES ('ru-office',
	'Europe/Moscow; mon-fri 09:00-18:00;'
	' 2026-01-01..2026-01-09 off; 2026-02-23 off; 2026-03-09 off;'
	' 2026-04-30 09:00-17:00; 2026-05-01 off; 2026-05-08 09:00-17:00; 2026-05-11 off;'
	' 2026-06-11 09:00-17:00; 2026-06-12 off; 2026-11-03 09:00-17:00; 2026-11-04 off;'
	' 2026-12-31 off');

CREATE SCHEMA demo;

-- First-response targets, in business time (the clock runs in office hours only).
CREATE TABLE demo.targets (
	channel        text PRIMARY KEY,
	first_response interval NOT NULL,
	label          text NOT NULL
);
INSERT INTO demo.targets VALUES
	('chat',  interval '15 minutes', '15 min'),
	('email', interval '2 hours',    '2 working h'),
	('phone', interval '24 hours',   '24 working h');

CREATE TABLE demo.requests (
	id             integer PRIMARY KEY,
	client         text NOT NULL,
	channel        text NOT NULL REFERENCES demo.targets,
	created_at     timestamptz NOT NULL,
	first_reply_at timestamptz NOT NULL CHECK (first_reply_at >= created_at)
);

-- A uniform number in [0, 1) from (request number, purpose): 48 bits of an md5.
CREATE FUNCTION demo.u(i integer, purpose text) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT
RETURN ('x' || substr(md5(i::text || '/' || purpose), 1, 12))::bit(48)::bigint / 281474976710656.0;

-- 300 requests from 12 clients, January to June 2026.
--   channel: 45% chat, 35% e-mail, 20% phone (call-backs and voice mail).
--   received: a random day; 78% of requests arrive during office hours (09:00-18:00 local),
--     the rest at any hour; half of the weekend ones are moved to the Monday after.
--     Holidays are not special: clients keep writing over the New Year break.
--   reply delay: log-uniform around a channel median (chat 6 min, e-mail 50 min, phone 4 h,
--     from median/4 to median*4 for chat, median/5 to median*5 otherwise); 8% are slow, 3-10x.
--   85% of replies are sent in office hours: created_at + delay in business time
--     (business_add). 15% come from whoever is on duty: created_at + delay in wall-clock time,
--     at night, on weekends and over holidays, so they count less business time.
INSERT INTO demo.requests (id, client, channel, created_at, first_reply_at)
SELECT i, client, channel, created_at,
       CASE WHEN demo.u(i, 'on-duty') < 0.85
            THEN cs_service.business_add(created_at, delay, office.cal)
            ELSE created_at + delay
       END
FROM (SELECT cs_service.calendar('ru-office') AS cal) AS office,   -- looked up once
     (
	SELECT i, client, channel, created_at,
	       make_interval(secs => round(60 * median_min
	                                   * power(spread, 2 * demo.u(i, 'delay') - 1)
	                                   * CASE WHEN demo.u(i, 'slow') < 0.08
	                                          THEN 3 + 7 * demo.u(i, 'slowness') ELSE 1 END)) AS delay
	FROM (
		SELECT i,
		       (ARRAY['Romashka LLC', 'Severstal-Service', 'Yug Logistics', 'Tochka Dental',
		              'Vektor Bank', 'Ural Steelworks', 'Avrora Hotels', 'Pixel Studio',
		              'Kedr Furniture', 'Neva Travel', 'Sibir Agro', 'Mayak Media']
		       )[1 + floor(12 * demo.u(i, 'client'))::int] AS client,
		       ch.channel, ch.median_min, ch.spread,
		       (day + CASE WHEN extract(isodow FROM day) >= 6 AND demo.u(i, 'weekend') < 0.5
		                   THEN 8 - extract(isodow FROM day)::int ELSE 0 END
		            + CASE WHEN demo.u(i, 'office-hours') < 0.78
		                   THEN interval '9 hours' + 9 * 3600 * demo.u(i, 'time') * interval '1 second'
		                   ELSE 24 * 3600 * demo.u(i, 'time') * interval '1 second' END
		       )::timestamp(0) AT TIME ZONE 'Europe/Moscow' AS created_at
		FROM generate_series(1, 300) AS i,
		     LATERAL (SELECT date '2026-01-01' + floor(181 * demo.u(i, 'day'))::int AS day) AS d,
		     LATERAL (SELECT * FROM (VALUES
		                ('chat',  6.0,   4.0, 0.00, 0.45),
		                ('email', 50.0,  5.0, 0.45, 0.80),
		                ('phone', 240.0, 5.0, 0.80, 1.00)) AS c(channel, median_min, spread, lo, hi)
		              WHERE demo.u(i, 'channel') >= c.lo AND demo.u(i, 'channel') < c.hi) AS ch
	) AS received
) AS delayed
ORDER BY i;

ANALYZE demo.requests;
