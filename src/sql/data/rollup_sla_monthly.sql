
-- ============================================================================================
-- The monthly SLA rollup (doc/scorecard.md, "Rollups"): rollup_sla_daily merged per local month
-- and the same dimensions, kept by cs_service.refresh_rollups() next to the daily rows, so that
-- a month (or a year) of sla_compliance merges one row per group and month instead of the
-- group's days.  Its own file: the 0.2.0 -> 0.3.0 upgrade creates it too.
-- ============================================================================================

CREATE TABLE cs_service_internal.rollup_sla_monthly (
    month    pg_catalog.date NOT NULL,               -- the first day of the local month
    channel  pg_catalog.text,
    priority pg_catalog.text,
    team     pg_catalog.text,
    manager  pg_catalog.text,
    client   pg_catalog.text,
    policy   pg_catalog.text,
    metric   pg_catalog.text NOT NULL,
    outcomes @extschema@.sla_summary NOT NULL,
    durations @extschema@.duration_summary NOT NULL,
    pending  pg_catalog.int8 NOT NULL,
    -- sla_compliance's figures of the row, computed once when it is written (a year of
    -- sla_compliance reads them instead of computing two percentiles and an interval per row)
    requests pg_catalog.int8 GENERATED ALWAYS AS (@extschema@.sla_total(outcomes)) STORED,
    met      pg_catalog.int8 GENERATED ALWAYS AS (@extschema@.sla_met(outcomes)) STORED,
    sla_pct  pg_catalog.float8 GENERATED ALWAYS AS (@extschema@.sla_pct(outcomes)) STORED,
    sla_pct_low pg_catalog.float8 GENERATED ALWAYS AS ((@extschema@.sla_interval(outcomes)).lower) STORED,
    sla_pct_high pg_catalog.float8 GENERATED ALWAYS AS ((@extschema@.sla_interval(outcomes)).upper) STORED,
    median_minutes pg_catalog.float8
        GENERATED ALWAYS AS (pg_catalog.date_part('epoch', @extschema@.percentile(durations, 0.5)) / 60) STORED,
    p90_minutes pg_catalog.float8
        GENERATED ALWAYS AS (pg_catalog.date_part('epoch', @extschema@.percentile(durations, 0.9)) / 60) STORED
);

CREATE INDEX rollup_sla_monthly_month ON cs_service_internal.rollup_sla_monthly (month);
-- a client's month, merged again by refresh_rollups() when its days change
CREATE INDEX rollup_sla_monthly_client ON cs_service_internal.rollup_sla_monthly (client, month);

COMMENT ON TABLE cs_service_internal.rollup_sla_monthly IS
'rollup_sla_daily merged per local month (month = its first day) and every dimension of sla_compliance, for the days before the watermark; kept by cs_service.refresh_rollups()';
