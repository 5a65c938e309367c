
-- ============================================================================================
-- SLA clocks: the state type, the event aggregate and its accessors (doc/sla.md)
-- ============================================================================================

-- ---- The clock state type --------------------------------------------------------------------

CREATE TYPE @extschema@.sla_clock;

CREATE FUNCTION @extschema@.sla_clock_in(pg_catalog.cstring)
RETURNS @extschema@.sla_clock
AS 'MODULE_PATHNAME', 'sla_clock_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_clock_out(@extschema@.sla_clock)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'sla_clock_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_clock_recv(pg_catalog.internal)
RETURNS @extschema@.sla_clock
AS 'MODULE_PATHNAME', 'sla_clock_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_clock_send(@extschema@.sla_clock)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'sla_clock_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.sla_clock (
    INPUT = @extschema@.sla_clock_in,
    OUTPUT = @extschema@.sla_clock_out,
    RECEIVE = @extschema@.sla_clock_recv,
    SEND = @extschema@.sla_clock_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);

COMMENT ON TYPE @extschema@.sla_clock IS
'The SLA clock of one request: the state of sla_clock_agg over its event log (doc/sla.md)';

-- ---- The clock aggregate ----------------------------------------------------------------------
-- An ordered event aggregate: feed it a request's events in time order (ORDER BY at, id).  It
-- has no combine function on purpose: the clock is a fold over the log in time order, and the
-- states of two arbitrary subsets of a log cannot be merged into the state of the whole.

CREATE FUNCTION @extschema@.sla_clock_trans(
    @extschema@.sla_clock, pg_catalog.timestamptz, pg_catalog.text)
RETURNS @extschema@.sla_clock
AS 'MODULE_PATHNAME', 'sla_clock_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_clock_trans(
    @extschema@.sla_clock, pg_catalog.timestamptz, pg_catalog.text, @extschema@.business_calendar)
RETURNS @extschema@.sla_clock
AS 'MODULE_PATHNAME', 'sla_clock_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_clock_trans(
    @extschema@.sla_clock, pg_catalog.timestamptz, pg_catalog.text, @extschema@.business_calendar,
    pg_catalog.text[])
RETURNS @extschema@.sla_clock
AS 'MODULE_PATHNAME', 'sla_clock_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.sla_clock_agg(pg_catalog.timestamptz, pg_catalog.text) (
    SFUNC = @extschema@.sla_clock_trans,
    STYPE = @extschema@.sla_clock,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.sla_clock_agg(
    pg_catalog.timestamptz, pg_catalog.text, @extschema@.business_calendar) (
    SFUNC = @extschema@.sla_clock_trans,
    STYPE = @extschema@.sla_clock,
    PARALLEL = SAFE
);

-- With the pause parties: the parties whose waits stop the clock (client, third_party,
-- internal); the forms without them stop on the client and third parties.
CREATE AGGREGATE @extschema@.sla_clock_agg(
    pg_catalog.timestamptz, pg_catalog.text, @extschema@.business_calendar, pg_catalog.text[]) (
    SFUNC = @extschema@.sla_clock_trans,
    STYPE = @extschema@.sla_clock,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.sla_clock_agg(pg_catalog.timestamptz, pg_catalog.text, @extschema@.business_calendar, pg_catalog.text[]) IS
'The SLA clock of a request whose waits on the given parties stop it: sla_clock_agg(at, kind, cal, pause_parties ORDER BY at, id)';
COMMENT ON AGGREGATE @extschema@.sla_clock_agg(pg_catalog.timestamptz, pg_catalog.text, @extschema@.business_calendar) IS
'The SLA clock of a request from its events in time order: sla_clock_agg(at, kind, cal ORDER BY at, id)';
COMMENT ON AGGREGATE @extschema@.sla_clock_agg(pg_catalog.timestamptz, pg_catalog.text) IS
'The SLA clock of a request on wall-clock time (24/7): sla_clock_agg(at, kind ORDER BY at, id)';

CREATE FUNCTION @extschema@.sla_clock_at(
    clock @extschema@.sla_clock, asof pg_catalog.timestamptz, cal @extschema@.business_calendar)
RETURNS @extschema@.sla_clock
AS 'MODULE_PATHNAME', 'sla_clock_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_clock_at(clock @extschema@.sla_clock, asof pg_catalog.timestamptz)
RETURNS @extschema@.sla_clock
AS 'MODULE_PATHNAME', 'sla_clock_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.sla_clock_at(@extschema@.sla_clock, pg_catalog.timestamptz, @extschema@.business_calendar) IS
'The clock with its running parts advanced to asof (e.g. now()); a stopped or paused clock only moves its paused time';

-- Accessors.  Instants are NULL when they have not happened; durations are intervals in hours,
-- minutes and seconds of SLA time (business time, paused time excluded).

CREATE FUNCTION @extschema@.phase(@extschema@.sla_clock) RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'sla_clock_phase' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.is_open(@extschema@.sla_clock) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'sla_clock_is_open' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.is_paused(@extschema@.sla_clock) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'sla_clock_is_paused' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.asof(@extschema@.sla_clock) RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'sla_clock_asof' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.opened_at(@extschema@.sla_clock) RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'sla_clock_opened_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.first_response_at(@extschema@.sla_clock) RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'sla_clock_first_response_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.resolved_at(@extschema@.sla_clock) RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'sla_clock_resolved_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.last_resolved_at(@extschema@.sla_clock) RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'sla_clock_last_resolved_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.first_resolved_at(@extschema@.sla_clock) RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'sla_clock_first_resolved_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.paused_since(@extschema@.sla_clock) RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'sla_clock_paused_since' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.cycle_started_at(@extschema@.sla_clock) RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'sla_clock_cycle_started_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.waiting_since(@extschema@.sla_clock) RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'sla_clock_waiting_since' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.elapsed(@extschema@.sla_clock) RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'sla_clock_elapsed' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.paused_time(@extschema@.sla_clock) RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'sla_clock_paused_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.first_response_time(@extschema@.sla_clock) RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'sla_clock_first_response_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.first_resolution_time(@extschema@.sla_clock) RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'sla_clock_first_resolution_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.cycle_elapsed(@extschema@.sla_clock) RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'sla_clock_cycle_elapsed' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.longest_cycle(@extschema@.sla_clock) RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'sla_clock_longest_cycle' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.longest_wait(@extschema@.sla_clock) RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'sla_clock_longest_wait' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.current_wait(@extschema@.sla_clock) RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'sla_clock_current_wait' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.waiting_on(@extschema@.sla_clock) RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'sla_clock_waiting_on' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.pause_parties(@extschema@.sla_clock) RETURNS pg_catalog.text[]
AS 'MODULE_PATHNAME', 'sla_clock_pause_parties' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.waited_time(clock @extschema@.sla_clock, party pg_catalog.text)
RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'sla_clock_waited_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.waited_time(@extschema@.sla_clock, pg_catalog.text) IS
'Business time the request waited on the party (client, third_party, internal), whether or not that party stops its clock';

CREATE FUNCTION @extschema@.cycles(@extschema@.sla_clock) RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'sla_clock_cycles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.replies(@extschema@.sla_clock) RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'sla_clock_replies' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ignored_events(@extschema@.sla_clock) RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'sla_clock_ignored_events' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Per metric (first_response, next_response, resolution, periodic_update): the current or last
-- instance of the metric.  NULL when the metric has not started (no next wait yet).

CREATE FUNCTION @extschema@.sla_metric_started_at(clock @extschema@.sla_clock, metric pg_catalog.text)
RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'sla_metric_started_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sla_metric_stopped_at(clock @extschema@.sla_clock, metric pg_catalog.text)
RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'sla_metric_stopped_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sla_metric_elapsed(clock @extschema@.sla_clock, metric pg_catalog.text)
RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'sla_metric_elapsed' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sla_metric_worst(clock @extschema@.sla_clock, metric pg_catalog.text)
RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'sla_metric_worst' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sla_metric_running(clock @extschema@.sla_clock, metric pg_catalog.text)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'sla_metric_running' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sla_metric_due(
    clock @extschema@.sla_clock, metric pg_catalog.text, target pg_catalog.interval,
    cal @extschema@.business_calendar)
RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'sla_metric_due' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sla_metric_due(
    clock @extschema@.sla_clock, metric pg_catalog.text, target pg_catalog.interval)
RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'sla_metric_due' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.sla_metric_due(@extschema@.sla_clock, pg_catalog.text, pg_catalog.interval, @extschema@.business_calendar) IS
'When the metric''s current instance reaches the target: ahead while it runs, in the past once breached; NULL while paused, once met, or if breached before its latest pause';

