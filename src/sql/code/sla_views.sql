-- ---- Plans on Citus ----------------------------------------------------------------------------------
-- The PL/pgSQL functions that run one big query per call (sla_daily_raw, scorecard_daily_raw,
-- the reports) plan it once per session (SET plan_cache_mode = force_generic_plan).  Citus cannot
-- plan those queries with their parameters unbound ("could not create distributed plan"), so
-- where Citus is loaded they call this first: their queries are then planned per call, with the
-- values.  It changes the setting for the rest of the calling function only (its SET clause
-- restores it); an SQL function without SET of its own, so the change reaches the caller.
-- PARALLEL RESTRICTED, as set_config is (so are its callers): a parallel worker cannot change
-- a setting.
CREATE FUNCTION cs_service_internal.citus_plan_per_call()
RETURNS pg_catalog.text
LANGUAGE sql VOLATILE PARALLEL RESTRICTED
RETURN CASE WHEN pg_catalog.current_setting('citus.version', true) IS NOT NULL
            THEN pg_catalog.set_config('plan_cache_mode', 'force_custom_plan', true) END;


-- ---- Derived views (internal: they expose the clock type) ---------------------------------------

-- Each policy with the calendar its clocks run on (named, literal, or 24/7), its warning
-- threshold and its pause parties.
CREATE VIEW cs_service_internal.sla_policy_calendars WITH (security_invoker = true) AS
SELECT p.name AS policy,
       coalesce(c.calendar, p.calendar,
                'UTC; mon-sun 00:00-24:00'::@extschema@.business_calendar) AS calendar,
       p.warning_pct, p.pause_parties
  FROM @extschema@.sla_policies AS p
  LEFT JOIN @extschema@.calendars AS c ON c.name = p.calendar_name;

-- Each request with its policy, calendar and warning threshold.  A request no rule matches has
-- no SLA and appears in no SLA view.
CREATE VIEW cs_service_internal.sla_request_policies WITH (security_invoker = true) AS
SELECT r.request_id, r.opened_at, r.channel, r.priority, r.client, r.team, r.manager, r.is_open,
       p.policy, p.calendar, p.warning_pct, p.pause_parties
  FROM cs_service_internal.sla_source_requests() AS r
  JOIN cs_service_internal.sla_policy_calendars AS p
    ON p.policy = coalesce(r.policy,
                           @extschema@.sla_policy_for(r.client, r.channel, r.priority, r.opened_at));

-- Each request with its clock, advanced to now(): the stored clock of the default model, or a
-- fold of a bound CRM's log (cs_service_internal.sla_source_clock, sla_sources.sql).
CREATE VIEW cs_service_internal.sla_request_clocks WITH (security_invoker = true) AS
SELECT rp.request_id, rp.opened_at, rp.channel, rp.priority, rp.client, rp.team, rp.manager,
       rp.is_open, rp.policy, rp.calendar, rp.warning_pct, rp.pause_parties,
       @extschema@.sla_clock_at(k.clock, pg_catalog.now(), rp.calendar) AS clock
  FROM cs_service_internal.sla_request_policies AS rp
 CROSS JOIN LATERAL cs_service_internal.sla_source_clock(rp.request_id, rp.client, rp.calendar, rp.pause_parties) AS k
 WHERE k.clock IS NOT NULL;

-- The targets of a request opened at opened_at under the policy, per metric that has started
-- on its clock: the target in effect when the request was opened, the most specific first
-- (channel and priority, then priority, then channel, then neither).  Inlined.
CREATE FUNCTION cs_service_internal.sla_request_targets(
    policy pg_catalog.text, opened_at pg_catalog.timestamptz, channel pg_catalog.text,
    priority pg_catalog.text, clock @extschema@.sla_clock)
RETURNS TABLE (metric pg_catalog.text, target pg_catalog.interval)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT t.metric, t.target
      FROM (SELECT DISTINCT ON (st.metric) st.metric, st.target
              FROM @extschema@.sla_targets AS st
             WHERE st.policy = sla_request_targets.policy
               AND st.valid_from <= sla_request_targets.opened_at
               AND (st.channel IS NULL OR st.channel = sla_request_targets.channel)
               AND (st.priority IS NULL OR st.priority = sla_request_targets.priority)
               AND @extschema@.sla_metric_started_at(sla_request_targets.clock, st.metric) IS NOT NULL
             ORDER BY st.metric, (st.channel IS NOT NULL AND st.priority IS NOT NULL) DESC,
                      (st.priority IS NOT NULL) DESC, (st.channel IS NOT NULL) DESC,
                      st.valid_from DESC) AS t
     WHERE t.target IS NOT NULL;
END;

COMMENT ON FUNCTION cs_service_internal.sla_request_targets(pg_catalog.text, pg_catalog.timestamptz, pg_catalog.text, pg_catalog.text, @extschema@.sla_clock) IS
'The target of each started metric of a request (policy, opened_at, channel, priority, clock) under the history rule';

-- Each request and metric with a target.
CREATE VIEW cs_service_internal.sla_request_metrics WITH (security_invoker = true) AS
SELECT rc.request_id, rc.opened_at, rc.channel, rc.priority, rc.client, rc.team, rc.manager,
       rc.policy, rc.calendar, rc.warning_pct, rc.clock, t.metric, t.target,
       @extschema@.sla_metric_started_at(rc.clock, t.metric) AS started_at,
       @extschema@.sla_metric_stopped_at(rc.clock, t.metric) AS stopped_at,
       @extschema@.sla_metric_elapsed(rc.clock, t.metric) AS elapsed,
       @extschema@.sla_metric_worst(rc.clock, t.metric) AS worst
  FROM cs_service_internal.sla_request_clocks AS rc
 -- (refers to the clock, so the clock is computed once per request, before this)
 CROSS JOIN LATERAL cs_service_internal.sla_request_targets(
        rc.policy, rc.opened_at, rc.channel, rc.priority, rc.clock) AS t;

-- ---- wait_attribution: whom the requests waited on -----------------------------------------------
-- Per month (report zone) a request was opened in, client and party: the business time its
-- requests waited on the party (up to now for a wait still running), and the part of it that
-- stopped their clocks (the party is one of their policy's pause parties).  Every party has a
-- row for every client and month with requests, zeros included.
CREATE VIEW @extschema@.wait_attribution WITH (security_invoker = true) AS
SELECT pg_catalog.date_trunc('month', pg_catalog.timezone(z.zone, rc.opened_at))::pg_catalog.date AS month,
       rc.client, w.party,
       pg_catalog.count(*) AS requests,
       pg_catalog.count(*) FILTER (WHERE w.waited > interval '0') AS requests_waiting,
       -- summed as intervals (exact), so the sum does not depend on the order of the rows
       -- (on Citus: of the shards)
       pg_catalog.date_part('epoch', pg_catalog.sum(w.waited)) / 60 AS waited_minutes,
       coalesce(pg_catalog.date_part('epoch', pg_catalog.sum(w.waited)
                    FILTER (WHERE w.party OPERATOR(pg_catalog.=) ANY (rc.pause_parties))), 0) / 60
           AS paused_minutes
  FROM cs_service_internal.sla_request_clocks AS rc
 CROSS JOIN (SELECT @extschema@.report_zone() AS zone OFFSET 0) AS z
 CROSS JOIN LATERAL (VALUES ('client'::pg_catalog.text, @extschema@.waited_time(rc.clock, 'client')),
                            ('third_party', @extschema@.waited_time(rc.clock, 'third_party')),
                            ('internal', @extschema@.waited_time(rc.clock, 'internal'))) AS w (party, waited)
 WHERE rc.opened_at <= pg_catalog.now()
 GROUP BY 1, 2, 3;

COMMENT ON VIEW @extschema@.wait_attribution IS
'Per month a request was opened in (report zone), client and party (client, third_party, internal): requests, those that waited on the party, business minutes waited on it and the minutes of that which stopped the SLA clocks';

-- ---- sla_status: live, per open request and metric ---------------------------------------------

CREATE VIEW @extschema@.sla_status WITH (security_invoker = true) AS
SELECT m.request_id, m.policy, m.metric, m.channel, m.priority, m.client, m.team, m.manager,
       @extschema@.cycles(m.clock) AS cycle,
       m.started_at,
       @extschema@.sla_metric_due(m.clock, m.metric, m.target, m.calendar) AS due_at,
       m.stopped_at,
       pg_catalog.date_part('epoch', m.target) / 60 AS target_minutes,
       pg_catalog.date_part('epoch', m.elapsed) / 60 AS elapsed_minutes,
       pg_catalog.date_part('epoch', m.target - m.elapsed) / 60 AS remaining_minutes,
       100 * pg_catalog.date_part('epoch', m.elapsed) / pg_catalog.date_part('epoch', m.target) AS used_pct,
       (@extschema@.is_paused(m.clock) AND m.stopped_at IS NULL) AS paused,
       CASE
           WHEN m.stopped_at IS NOT NULL THEN
               CASE WHEN m.elapsed <= m.target THEN 'met' ELSE 'missed' END
           WHEN m.elapsed > m.target THEN 'breached'
           WHEN 100 * pg_catalog.date_part('epoch', m.elapsed)
                >= m.warning_pct * pg_catalog.date_part('epoch', m.target) THEN 'warning'
           ELSE 'ok'
       END AS state,
       pg_catalog.now() AS as_of
  FROM cs_service_internal.sla_request_metrics AS m
 WHERE m.opened_at <= pg_catalog.now()
   AND @extschema@.is_open(m.clock);

COMMENT ON VIEW @extschema@.sla_status IS
'Live SLA status of every open request, per metric: target, due, elapsed and remaining minutes, % used, state ok / warning / breached (met / missed once the metric stopped)';

-- ---- sla_compliance: per period, outcome of every metric whose outcome is known -----------------

-- Each request and metric with its outcome: met (the worst instance within the target), missed
-- (an instance over it, even while the request is still open), or NULL while it can still go
-- either way.  A first response is decided when it stops; the other metrics when the request is
-- resolved (a reopen makes them undecided again unless already missed).
CREATE VIEW cs_service_internal.sla_outcomes WITH (security_invoker = true) AS
SELECT m.request_id, m.opened_at, m.channel, m.priority, m.client, m.team, m.manager, m.policy,
       m.metric, m.target, m.worst,
       CASE
           WHEN m.worst > m.target THEN false
           WHEN m.metric = 'first_response' AND m.stopped_at IS NOT NULL THEN true
           WHEN @extschema@.phase(m.clock) = 'resolved' THEN true
       END AS met
  FROM cs_service_internal.sla_request_metrics AS m;

-- ---- SLA outcomes per day, for sla_compliance ---------------------------------------------------------

CREATE FUNCTION cs_service_internal.sla_daily_raw(lo pg_catalog.timestamptz, hi pg_catalog.timestamptz)
RETURNS SETOF cs_service_internal.rollup_sla_daily
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan   -- planned once per session, not on every call
AS $$
BEGIN
    PERFORM cs_service_internal.citus_plan_per_call();
    RETURN QUERY
    SELECT pg_catalog.timezone(z.zone, o.opened_at)::pg_catalog.date,
           o.channel, o.priority, o.team, o.manager, o.client, o.policy, o.metric,
           @extschema@.sla_agg(o.met),
           @extschema@.duration_agg(o.worst) FILTER (WHERE o.met IS NOT NULL),
           pg_catalog.count(*) FILTER (WHERE o.met IS NULL)
      FROM cs_service_internal.sla_outcomes AS o,
           (SELECT @extschema@.report_zone() AS zone OFFSET 0) AS z
     WHERE o.opened_at >= lo AND o.opened_at < hi
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
END
$$;

COMMENT ON FUNCTION cs_service_internal.sla_daily_raw(pg_catalog.timestamptz, pg_catalog.timestamptz) IS
'rollup_sla_daily''s rows computed from the requests opened in [lo, hi)';

CREATE VIEW cs_service_internal.sla_daily WITH (security_invoker = true) AS
SELECT d.*
  FROM cs_service_internal.rollup_sla_daily AS d
 WHERE d.day < (SELECT s.watermark FROM cs_service_internal.rollup_state AS s)
UNION ALL
SELECT r.*
  FROM cs_service_internal.sla_daily_raw(
           coalesce((SELECT pg_catalog.timezone(@extschema@.report_zone(), s.watermark::pg_catalog.timestamp)
                       FROM cs_service_internal.rollup_state AS s), '-infinity'),
           'infinity') AS r;

COMMENT ON VIEW cs_service_internal.sla_daily IS
'SLA outcomes per day and dimension: from rollup_sla_daily before the watermark, from the raw requests from it on';

-- The same per local month, one row per month and dimension: rollup_sla_monthly (the merge of
-- rollup_sla_daily's days, all before the watermark) as stored for the months before the
-- watermark's, which no raw request can reach; the watermark's month and later merge the stored
-- row with the raw requests from the watermark on.  Merging costs a summary state per group, so
-- the closed months are not merged at all, and their figures (requests, met, SLA % and its
-- interval, median and p90) are read as rollup_sla_monthly computed them when the row was
-- written; the open months compute them here, with the same functions.
CREATE VIEW cs_service_internal.sla_monthly WITH (security_invoker = true) AS
SELECT m.month, m.channel, m.priority, m.team, m.manager, m.client, m.policy, m.metric,
       m.outcomes, m.durations, m.pending, m.requests, m.met, m.sla_pct, m.sla_pct_low,
       m.sla_pct_high, m.median_minutes, m.p90_minutes
  FROM cs_service_internal.rollup_sla_monthly AS m
 WHERE m.month < (SELECT pg_catalog.date_trunc('month', s.watermark::pg_catalog.timestamp)::pg_catalog.date
                    FROM cs_service_internal.rollup_state AS s)
UNION ALL
SELECT g.month, g.channel, g.priority, g.team, g.manager, g.client, g.policy, g.metric,
       g.outcomes, g.durations, g.pending, @extschema@.sla_total(g.outcomes),
       @extschema@.sla_met(g.outcomes), @extschema@.sla_pct(g.outcomes), (g.interval).lower,
       (g.interval).upper,
       pg_catalog.date_part('epoch', @extschema@.percentile(g.durations, 0.5)) / 60,
       pg_catalog.date_part('epoch', @extschema@.percentile(g.durations, 0.9)) / 60
  FROM (SELECT o.month, o.channel, o.priority, o.team, o.manager, o.client, o.policy, o.metric,
               @extschema@.rollup(o.outcomes) AS outcomes, @extschema@.rollup(o.durations) AS durations,
               pg_catalog.sum(o.pending)::pg_catalog.int8 AS pending,
               @extschema@.sla_interval(@extschema@.rollup(o.outcomes)) AS interval
          FROM (SELECT m.month, m.channel, m.priority, m.team, m.manager, m.client, m.policy, m.metric,
                       m.outcomes, m.durations, m.pending
                  FROM cs_service_internal.rollup_sla_monthly AS m
                 WHERE m.month = (SELECT pg_catalog.date_trunc('month', s.watermark::pg_catalog.timestamp)::pg_catalog.date
                                    FROM cs_service_internal.rollup_state AS s)
                UNION ALL
                SELECT pg_catalog.date_trunc('month', r.day::pg_catalog.timestamp)::pg_catalog.date,
                       r.channel, r.priority, r.team, r.manager, r.client, r.policy, r.metric,
                       r.outcomes, r.durations, r.pending
                  FROM cs_service_internal.sla_daily_raw(
                           coalesce((SELECT pg_catalog.timezone(@extschema@.report_zone(), s.watermark::pg_catalog.timestamp)
                                       FROM cs_service_internal.rollup_state AS s), '-infinity'),
                           'infinity') AS r) AS o
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) AS g;

COMMENT ON VIEW cs_service_internal.sla_monthly IS
'SLA outcomes and their figures per local month and dimension, one row each: rollup_sla_monthly as stored before the watermark''s month, merged with the raw requests from the watermark on after';

-- ---- sla_compliance -------------------------------------------------------------------------------
-- One grain of it: the daily SLA rows (rollups before the watermark, raw requests from it on)
-- merged per period of the grain (the local day, ISO week from Monday, or month of the report
-- zone in which the requests were opened) and every dimension.  Inlined into the view with the
-- grain a constant, so each branch computes its own periods, and a filter on grain, day, week
-- or month leaves the other branches out of the plan.  The period is truncated as a timestamp
-- (immutable, no time zone involved), so a filter on a week reaches rollup_sla_daily's index on
-- the same expression.  The month grain reads the monthly rows with their figures (sla_monthly,
-- already one per group and month) instead of merging the days.  The interval is computed once
-- per row in the day and week branch (it is used twice).
CREATE FUNCTION cs_service_internal.sla_compliance_grain(of_grain pg_catalog.text)
RETURNS TABLE (grain pg_catalog.text, period pg_catalog.date, day pg_catalog.date,
               week pg_catalog.date, month pg_catalog.date, channel pg_catalog.text,
               priority pg_catalog.text, team pg_catalog.text, manager pg_catalog.text,
               client pg_catalog.text, policy pg_catalog.text, metric pg_catalog.text,
               requests pg_catalog.int8, met pg_catalog.int8, missed pg_catalog.int8,
               pending pg_catalog.int8, sla_pct pg_catalog.float8, sla_pct_low pg_catalog.float8,
               sla_pct_high pg_catalog.float8, median_minutes pg_catalog.float8,
               p90_minutes pg_catalog.float8)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT sla_compliance_grain.of_grain, x.period,
           CASE WHEN sla_compliance_grain.of_grain = 'day' THEN x.period END,
           CASE WHEN sla_compliance_grain.of_grain = 'week' THEN x.period END,
           CASE WHEN sla_compliance_grain.of_grain = 'month' THEN x.period END,
           x.channel, x.priority, x.team, x.manager, x.client, x.policy, x.metric,
           x.total, x.met, x.total - x.met, x.pending, x.sla_pct, x.low, x.high, x.median, x.p90
      FROM (SELECT y.period, y.channel, y.priority, y.team, y.manager, y.client, y.policy, y.metric,
                   @extschema@.sla_total(y.summary) AS total, @extschema@.sla_met(y.summary) AS met,
                   y.pending, @extschema@.sla_pct(y.summary) AS sla_pct, (y.interval).lower AS low,
                   (y.interval).upper AS high,
                   pg_catalog.date_part('epoch', @extschema@.percentile(y.durations, 0.5)) / 60 AS median,
                   pg_catalog.date_part('epoch', @extschema@.percentile(y.durations, 0.9)) / 60 AS p90
              FROM (SELECT CASE sla_compliance_grain.of_grain
                               WHEN 'day' THEN d.day
                               ELSE pg_catalog.date_trunc(sla_compliance_grain.of_grain,
                                                          d.day::pg_catalog.timestamp)::pg_catalog.date
                           END AS period,
                           d.channel, d.priority, d.team, d.manager, d.client, d.policy, d.metric,
                           @extschema@.rollup(d.outcomes) AS summary,
                           @extschema@.sla_interval(@extschema@.rollup(d.outcomes)) AS interval,
                           @extschema@.rollup(d.durations) AS durations,
                           pg_catalog.sum(d.pending)::pg_catalog.int8 AS pending
                      FROM cs_service_internal.sla_daily AS d
                     WHERE sla_compliance_grain.of_grain <> 'month'
                     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) AS y
            UNION ALL
            SELECT m.month, m.channel, m.priority, m.team, m.manager, m.client, m.policy, m.metric,
                   m.requests, m.met, m.pending, m.sla_pct, m.sla_pct_low, m.sla_pct_high,
                   m.median_minutes, m.p90_minutes
              FROM cs_service_internal.sla_monthly AS m
             WHERE sla_compliance_grain.of_grain = 'month') AS x;
END;

COMMENT ON FUNCTION cs_service_internal.sla_compliance_grain(pg_catalog.text) IS
'One grain (day, week, month) of cs_service.sla_compliance';

CREATE VIEW @extschema@.sla_compliance WITH (security_invoker = true) AS
SELECT c.* FROM cs_service_internal.sla_compliance_grain('day') AS c
UNION ALL
SELECT c.* FROM cs_service_internal.sla_compliance_grain('week') AS c
UNION ALL
SELECT c.* FROM cs_service_internal.sla_compliance_grain('month') AS c;

COMMENT ON VIEW @extschema@.sla_compliance IS
'SLA % per day / week / month (grain, period, and a day, week or month column; local periods of the report zone) x channel x priority x team x manager x client x policy x metric: requests decided, met, missed, pending, sla_pct with its 95 % Wilson interval, median and p90 SLA time in minutes';
