-- test/demo/report.sql: the main job's report over test/demo/sample.sql.
-- Every duration is business time in the 'ru-office' calendar, computed by the extension.
\set ON_ERROR_STOP 1
\pset footer off
\pset null '-'
SET TimeZone = 'Europe/Moscow';

\echo
\echo 'Calendar ru-office (Europe/Moscow, Mon-Fri 09:00-18:00, Russian 2026 holidays and short days)'
SELECT (SELECT count(*)
        FROM generate_series(date '2026-01-01', date '2026-12-31', interval '1 day') AS d
        WHERE cs_service.business_duration(d::date::timestamptz, (d::date + 1)::timestamptz, cal)
              > interval '0') AS working_days_2026,
       247 AS official_count,
       cs_service.business_duration(timestamptz '2026-01-01 00:00+03',
                                    timestamptz '2027-01-01 00:00+03', cal) AS business_time_2026
FROM cs_service.calendar('ru-office') AS cal;

\echo
\echo 'First response, January-June 2026 (business minutes; target in business time)'
WITH measured AS (
	SELECT r.channel, t.label, t.first_response AS target,
	       extract(epoch FROM cs_service.business_duration(r.created_at, r.first_reply_at, office.cal)) / 60
	           AS minutes,
	       NOT cs_service.is_business_time(r.created_at, office.cal) AS received_off_hours
	FROM demo.requests AS r
	JOIN demo.targets AS t USING (channel)
	CROSS JOIN (SELECT cs_service.calendar('ru-office') AS cal) AS office
)
SELECT coalesce(channel, 'all') AS channel,
       coalesce(label, '') AS target,
       count(*) AS requests,
       count(*) FILTER (WHERE received_off_hours) AS received_off_hours,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes)::numeric, 1) AS median_min,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY minutes)::numeric, 1) AS p90_min,
       round(100.0 * count(*) FILTER (WHERE minutes <= extract(epoch FROM target) / 60)
             / count(*), 1) AS within_target_pct
FROM measured
GROUP BY GROUPING SETS ((channel, label, target), ())
ORDER BY channel IS NULL, target;

\echo
\echo 'Due times (business_add: received + target in business time)'
SELECT channel,
       to_char(received, 'Dy DD Mon HH24:MI') AS received,
       t.label AS target,
       to_char(cs_service.business_add(received, t.first_response, office.cal),
               'Dy DD Mon HH24:MI') AS due,
       note
FROM (VALUES
	('chat',  timestamptz '2026-04-30 16:50+03', 'short pre-holiday day, then May 1-3 off'),
	('email', timestamptz '2026-05-08 16:30+03', 'short day, then May 9-11 off'),
	('phone', timestamptz '2026-06-10 12:00+03', 'short Jun 11, Jun 12-14 off')
) AS v(channel, received, note)
JOIN demo.targets AS t USING (channel)
CROSS JOIN (SELECT cs_service.calendar('ru-office') AS cal) AS office
ORDER BY v.received;
