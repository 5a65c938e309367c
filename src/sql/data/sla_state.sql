-- ============================================================================================
-- Stored SLA state: each request's clock, and each running metric's next alert instant
-- (doc/sla.md, "Stored clocks").  Kept by triggers on the model (src/sql/code/sla_state.sql);
-- always equal to a refold of the request's log.  Derived data: not dumped (the triggers refill
-- it when pg_restore loads the model's rows).
-- ============================================================================================

-- The fold of each request's log (its opening and events in time order) under its policy's
-- calendar, not advanced: clock is sla_clock_agg(at, kind, calendar ORDER BY at, seq) over the
-- log, and (last_at, last_seq) the position of the log's last event, so an event written after
-- it is folded in without reading the log again.
CREATE TABLE cs_service_internal.sla_clocks (
    request_id pg_catalog.int8 PRIMARY KEY,
    policy     pg_catalog.text NOT NULL,
    calendar   @extschema@.business_calendar NOT NULL,
    last_at    pg_catalog.timestamptz NOT NULL,
    last_seq   pg_catalog.int8 NOT NULL,
    clock      @extschema@.sla_clock NOT NULL,
    -- the request's client, kept with it: on Citus the clocks live on the client's shard
    client     pg_catalog.text
);

COMMENT ON TABLE cs_service_internal.sla_clocks IS
'Each request''s SLA clock, the fold of its log under its policy''s calendar (kept by triggers; equals a refold)';

-- The next-due index: per open request and running metric (its current instance), the instant
-- check_sla() must look at it next: a second before the warning or the breach that has no alert
-- yet, NULL while the metric cannot reach it (paused, or both alerts recorded).
CREATE TABLE cs_service_internal.sla_clock_due (
    request_id pg_catalog.int8 NOT NULL,
    metric     pg_catalog.text NOT NULL,
    started_at pg_catalog.timestamptz NOT NULL,
    target     pg_catalog.interval NOT NULL,
    warning_at pg_catalog.timestamptz,
    breach_at  pg_catalog.timestamptz,
    check_at   pg_catalog.timestamptz,
    client     pg_catalog.text,    -- the request's client (as in sla_clocks)
    PRIMARY KEY (request_id, metric)
);

CREATE INDEX sla_clock_due_check ON cs_service_internal.sla_clock_due (check_at)
    WHERE check_at IS NOT NULL;

COMMENT ON TABLE cs_service_internal.sla_clock_due IS
'When check_sla() must look at each running metric of an open request next (kept with sla_clocks)';

-- Folding events into a stored clock: sla_clock_resume(base, at, kind, cal ORDER BY at, seq) is
-- sla_clock_agg over base's log followed by these events (base NULL: a new clock, with the
-- default pause parties).  The stored clock keeps its pause parties.
CREATE FUNCTION cs_service_internal.sla_clock_resume_trans(
    @extschema@.sla_clock, @extschema@.sla_clock, pg_catalog.timestamptz, pg_catalog.text,
    @extschema@.business_calendar)
RETURNS @extschema@.sla_clock
AS 'MODULE_PATHNAME', 'sla_clock_resume_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE cs_service_internal.sla_clock_resume(
    @extschema@.sla_clock, pg_catalog.timestamptz, pg_catalog.text, @extschema@.business_calendar) (
    SFUNC = cs_service_internal.sla_clock_resume_trans,
    STYPE = @extschema@.sla_clock,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE cs_service_internal.sla_clock_resume(@extschema@.sla_clock, pg_catalog.timestamptz, pg_catalog.text, @extschema@.business_calendar) IS
'A stored clock with more events folded in, in time order: sla_clock_resume(clock, at, kind, cal ORDER BY at, id)';
