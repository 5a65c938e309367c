
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
    pending  pg_catalog.int8 NOT NULL
);

CREATE INDEX rollup_sla_monthly_month ON cs_service_internal.rollup_sla_monthly (month);
-- a client's month, merged again by refresh_rollups() when its days change
CREATE INDEX rollup_sla_monthly_client ON cs_service_internal.rollup_sla_monthly (client, month);

COMMENT ON TABLE cs_service_internal.rollup_sla_monthly IS
'rollup_sla_daily merged per local month (month = its first day) and every dimension of sla_compliance, for the days before the watermark; kept by cs_service.refresh_rollups()';
