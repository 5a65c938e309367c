
-- ============================================================================================
-- The scorecard's counters and the daily and monthly rollups of them (doc/scorecard.md,
-- "Rollups"); internal, kept by cs_service.refresh_rollups().
-- ============================================================================================

-- ---- The counters ----------------------------------------------------------------------------------
-- Every number of the scorecard is built from one row per local day (report zone) and client.
-- This type is THE list of those numbers, the counters: the daily and the monthly rollup are
-- tables of it, and every merge of rows (a month of days, the raw days after the watermark, a
-- team of clients) is generated from its attributes by cs_service_internal.counter_list().  A
-- summary counter merges with cs_service.rollup(), an int4 or int8 counter with sum().  To add a
-- counter: add the attribute here (an upgrade: ALTER TYPE ... ADD ATTRIBUTE ... CASCADE) and
-- compute it in cs_service_internal.scorecard_daily_raw().
CREATE TYPE cs_service_internal.scorecard_row AS (
    period                 pg_catalog.date,              -- the local day (or month)
    client_id              pg_catalog.text,
    nps                    @extschema@.score_summary,    -- survey answers (NULL: none)
    csat                   @extschema@.score_summary,
    ces                    @extschema@.score_summary,
    sla                    @extschema@.sla_summary,      -- decided outcomes, every metric
    sla_pending            pg_catalog.int4,              -- undecided outcomes
    response               @extschema@.sla_summary,      -- decided first responses
    first_response         @extschema@.duration_summary, -- their SLA times
    projects_delivered     pg_catalog.int4,
    projects_on_time       pg_catalog.int4,
    projects_within_budget pg_catalog.int4,
    deliverables           pg_catalog.int4,
    deliverables_passed    pg_catalog.int4,
    escalations            pg_catalog.int4,
    complaints             pg_catalog.int4,
    activities             pg_catalog.int4,
    qa_reviewed            pg_catalog.int4,
    qa_passed              pg_catalog.int4,
    rhythm_due             pg_catalog.int4,              -- decided rhythm obligations
    rhythm_on_time         pg_catalog.int4,
    rhythm_pending         pg_catalog.int4,              -- undecided (a meeting report not yet due)
    -- business time (microseconds: exact sums) the requests opened that day waited on each party,
    -- as of the last computation; waits_running counts those whose wait still runs (it grows)
    waited_client_us       pg_catalog.int8,
    waited_third_party_us pg_catalog.int8,
    waited_internal_us     pg_catalog.int8,
    waits_running          pg_catalog.int4
);

COMMENT ON TYPE cs_service_internal.scorecard_row IS
'The scorecard''s counters of one client and local day (or month); the rollups are tables of it';

CREATE TABLE cs_service_internal.rollup_daily OF cs_service_internal.scorecard_row (
    PRIMARY KEY (period, client_id));

-- the days refresh_rollups() re-examines every run: a few rows, found without reading the rest
CREATE INDEX rollup_daily_pending ON cs_service_internal.rollup_daily (period, client_id)
    WHERE sla_pending > 0 OR rhythm_pending > 0 OR waits_running > 0;

COMMENT ON TABLE cs_service_internal.rollup_daily IS
'Scorecard counters per local day (period, report zone) and client for finished days, kept by cs_service.refresh_rollups()';

CREATE TABLE cs_service_internal.rollup_monthly OF cs_service_internal.scorecard_row (
    PRIMARY KEY (period, client_id));

COMMENT ON TABLE cs_service_internal.rollup_monthly IS
'rollup_daily merged per local month (period = its first day) and client, for the days before the watermark';
