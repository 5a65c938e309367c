
-- ============================================================================================
-- The scorecard's rollups (doc/scorecard.md, "Rollups"): internal tables kept by
-- cs_service.refresh_rollups(); the code that fills and reads them is src/sql/code/rollups.sql.
-- ============================================================================================

-- Days to recompute: (day, client) pairs whose source rows changed.  Append-only: a writer adds
-- rows, refresh_rollups() deletes the ones it saw (see the concurrency note there).
CREATE TABLE cs_service_internal.rollup_queue (
    id        pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    day       pg_catalog.date NOT NULL,
    client_id pg_catalog.text,                   -- NULL: a request without a client
    queued_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX rollup_queue_day ON cs_service_internal.rollup_queue (day);

CREATE TABLE cs_service_internal.rollup_state (
    singleton    pg_catalog.bool PRIMARY KEY DEFAULT true CHECK (singleton),
    watermark    pg_catalog.date,              -- NULL: no rollups, the views read raw rows only
    refreshed_at pg_catalog.timestamptz,
    days_done    pg_catalog.int8 NOT NULL DEFAULT 0  -- (day, client) rows recomputed last time
);

INSERT INTO cs_service_internal.rollup_state DEFAULT VALUES;

COMMENT ON TABLE cs_service_internal.rollup_state IS
'The rollups'' watermark: days before it come from rollup_daily / rollup_monthly, days from it on from the raw rows';

-- ---- SLA outcomes per day and every dimension of sla_compliance -----------------------------------

CREATE TABLE cs_service_internal.rollup_sla_daily (
    day      pg_catalog.date NOT NULL,
    channel  pg_catalog.text,
    priority pg_catalog.text,
    team     pg_catalog.text,
    manager  pg_catalog.text,
    client   pg_catalog.text,
    policy   pg_catalog.text,
    metric   pg_catalog.text NOT NULL,
    outcomes @extschema@.sla_summary NOT NULL,       -- decided outcomes
    durations @extschema@.duration_summary NOT NULL, -- their SLA times
    pending  pg_catalog.int8 NOT NULL DEFAULT 0      -- undecided
);

CREATE INDEX rollup_sla_daily_day ON cs_service_internal.rollup_sla_daily (day);
-- the days with undecided outcomes, re-examined by every refresh_rollups()
CREATE INDEX rollup_sla_daily_pending ON cs_service_internal.rollup_sla_daily (day) WHERE pending > 0;
-- a week or month of sla_compliance: the same expressions as cs_service_internal.sla_compliance_grain
CREATE INDEX rollup_sla_daily_week ON cs_service_internal.rollup_sla_daily
    ((pg_catalog.date_trunc('week', day::pg_catalog.timestamp)::pg_catalog.date));
CREATE INDEX rollup_sla_daily_month ON cs_service_internal.rollup_sla_daily
    ((pg_catalog.date_trunc('month', day::pg_catalog.timestamp)::pg_catalog.date));
-- one client's days (client_report reads a client's month of them)
CREATE INDEX rollup_sla_daily_client ON cs_service_internal.rollup_sla_daily (client, day);

COMMENT ON TABLE cs_service_internal.rollup_sla_daily IS
'SLA outcomes per local day (report zone) of opening, channel, priority, team, manager, client, policy and metric for finished days, kept by cs_service.refresh_rollups(); sla_compliance reads it';
