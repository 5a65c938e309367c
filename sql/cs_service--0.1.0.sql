-- cs_service install script.  Built from src/sql/*.sql in name order; do not edit the built
-- sql/cs_service--<version>.sql.
\echo Use "CREATE EXTENSION cs_service" to load this file. \quit

-- Nothing in the extension may be reached through a caller's search_path: every object is
-- schema-qualified and every SQL-language function pins search_path.
REVOKE ALL ON SCHEMA @extschema@ FROM PUBLIC;
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

-- ============================================================================================
-- Business calendars and business-time arithmetic (doc/calendar.md)
-- ============================================================================================

CREATE TYPE @extschema@.business_calendar;

CREATE FUNCTION @extschema@.business_calendar_in(pg_catalog.cstring)
RETURNS @extschema@.business_calendar
AS 'MODULE_PATHNAME', 'business_calendar_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.business_calendar_out(@extschema@.business_calendar)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'business_calendar_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.business_calendar_recv(pg_catalog.internal)
RETURNS @extschema@.business_calendar
AS 'MODULE_PATHNAME', 'business_calendar_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.business_calendar_send(@extschema@.business_calendar)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'business_calendar_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.business_calendar (
    INPUT = @extschema@.business_calendar_in,
    OUTPUT = @extschema@.business_calendar_out,
    RECEIVE = @extschema@.business_calendar_recv,
    SEND = @extschema@.business_calendar_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = extended
);

COMMENT ON TYPE @extschema@.business_calendar IS
'Business hours: a time zone, weekly spans and date rules (holidays, short days, worked weekends); see doc/calendar.md';

CREATE FUNCTION @extschema@.business_calendar_eq(@extschema@.business_calendar, @extschema@.business_calendar)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'business_calendar_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.business_calendar_ne(@extschema@.business_calendar, @extschema@.business_calendar)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'business_calendar_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.business_calendar_hash(@extschema@.business_calendar)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'business_calendar_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.business_calendar,
    RIGHTARG = @extschema@.business_calendar,
    FUNCTION = @extschema@.business_calendar_eq,
    COMMUTATOR = OPERATOR(@extschema@.=),
    NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel,
    JOIN = pg_catalog.eqjoinsel,
    HASHES,
    MERGES
);

CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.business_calendar,
    RIGHTARG = @extschema@.business_calendar,
    FUNCTION = @extschema@.business_calendar_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>),
    NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel,
    JOIN = pg_catalog.neqjoinsel
);

-- A total order by stored bytes, only so that calendars can be sorted (GROUP BY, DISTINCT).
CREATE FUNCTION @extschema@.business_calendar_cmp(@extschema@.business_calendar, @extschema@.business_calendar)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'business_calendar_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.business_calendar_lt(@extschema@.business_calendar, @extschema@.business_calendar)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'business_calendar_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR @extschema@.< (
    LEFTARG = @extschema@.business_calendar,
    RIGHTARG = @extschema@.business_calendar,
    FUNCTION = @extschema@.business_calendar_lt,
    COMMUTATOR = OPERATOR(@extschema@.>),
    NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = pg_catalog.scalarltsel,
    JOIN = pg_catalog.scalarltjoinsel
);

CREATE FUNCTION @extschema@.business_calendar_le(@extschema@.business_calendar, @extschema@.business_calendar)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'business_calendar_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR @extschema@.<= (
    LEFTARG = @extschema@.business_calendar,
    RIGHTARG = @extschema@.business_calendar,
    FUNCTION = @extschema@.business_calendar_le,
    COMMUTATOR = OPERATOR(@extschema@.>=),
    NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = pg_catalog.scalarlesel,
    JOIN = pg_catalog.scalarlejoinsel
);

CREATE FUNCTION @extschema@.business_calendar_gt(@extschema@.business_calendar, @extschema@.business_calendar)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'business_calendar_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR @extschema@.> (
    LEFTARG = @extschema@.business_calendar,
    RIGHTARG = @extschema@.business_calendar,
    FUNCTION = @extschema@.business_calendar_gt,
    COMMUTATOR = OPERATOR(@extschema@.<),
    NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = pg_catalog.scalargtsel,
    JOIN = pg_catalog.scalargtjoinsel
);

CREATE FUNCTION @extschema@.business_calendar_ge(@extschema@.business_calendar, @extschema@.business_calendar)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'business_calendar_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR @extschema@.>= (
    LEFTARG = @extschema@.business_calendar,
    RIGHTARG = @extschema@.business_calendar,
    FUNCTION = @extschema@.business_calendar_ge,
    COMMUTATOR = OPERATOR(@extschema@.<=),
    NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = pg_catalog.scalargesel,
    JOIN = pg_catalog.scalargejoinsel
);

CREATE OPERATOR CLASS @extschema@.business_calendar_btree_ops
DEFAULT FOR TYPE @extschema@.business_calendar USING btree AS
    OPERATOR 1 @extschema@.< (@extschema@.business_calendar, @extschema@.business_calendar),
    OPERATOR 2 @extschema@.<= (@extschema@.business_calendar, @extschema@.business_calendar),
    OPERATOR 3 @extschema@.= (@extschema@.business_calendar, @extschema@.business_calendar),
    OPERATOR 4 @extschema@.>= (@extschema@.business_calendar, @extschema@.business_calendar),
    OPERATOR 5 @extschema@.> (@extschema@.business_calendar, @extschema@.business_calendar),
    FUNCTION 1 @extschema@.business_calendar_cmp(@extschema@.business_calendar, @extschema@.business_calendar);

CREATE OPERATOR CLASS @extschema@.business_calendar_hash_ops
DEFAULT FOR TYPE @extschema@.business_calendar USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.business_calendar, @extschema@.business_calendar),
    FUNCTION 1 @extschema@.business_calendar_hash(@extschema@.business_calendar);

-- The arithmetic.  IMMUTABLE: the result depends only on the arguments and on the time zone
-- database, as for PostgreSQL's own timezone(text, timestamp).

CREATE FUNCTION @extschema@.business_duration(
    "from" pg_catalog.timestamptz, "to" pg_catalog.timestamptz, cal @extschema@.business_calendar)
RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'business_duration' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.business_duration(pg_catalog.timestamptz, pg_catalog.timestamptz, @extschema@.business_calendar) IS
'Business time within [from, to), in hours, minutes and seconds; negative when to < from';

CREATE FUNCTION @extschema@.business_add(
    ts pg_catalog.timestamptz, amount pg_catalog.interval, cal @extschema@.business_calendar)
RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'business_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.business_add(pg_catalog.timestamptz, pg_catalog.interval, @extschema@.business_calendar) IS
'The earliest instant at which the given amount of business time has passed since ts (the latest before ts for a negative amount)';

CREATE FUNCTION @extschema@.business_days_add(
    ts pg_catalog.timestamptz, days pg_catalog.int4, cal @extschema@.business_calendar)
RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'business_days_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.business_days_add(pg_catalog.timestamptz, pg_catalog.int4, @extschema@.business_calendar) IS
'The same local clock time on the n-th following (or preceding, n < 0) business day';

CREATE FUNCTION @extschema@.is_business_time(ts pg_catalog.timestamptz, cal @extschema@.business_calendar)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'is_business_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.next_business_time(ts pg_catalog.timestamptz, cal @extschema@.business_calendar)
RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'next_business_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.business_windows(r pg_catalog.tstzrange, cal @extschema@.business_calendar)
RETURNS pg_catalog.tstzmultirange
AS 'MODULE_PATHNAME', 'business_windows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.business_windows(pg_catalog.tstzrange, @extschema@.business_calendar) IS
'The business time within a range, as a multirange';

-- Named calendars.  pg_dump keeps the rows (pg_extension_config_dump).

CREATE TABLE @extschema@.calendars (
    name        pg_catalog.text PRIMARY KEY
                CHECK (name OPERATOR(pg_catalog.<>) ''),
    calendar    @extschema@.business_calendar NOT NULL,
    description pg_catalog.text,
    updated_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE @extschema@.calendars IS 'Named business calendars, looked up with cs_service.calendar(name)';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.calendars', '');

GRANT SELECT ON @extschema@.calendars TO PUBLIC;

CREATE FUNCTION @extschema@.calendar(name pg_catalog.text)
RETURNS @extschema@.business_calendar
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result @extschema@.business_calendar;
BEGIN
    SELECT c.calendar INTO result
      FROM @extschema@.calendars AS c
     WHERE c.name OPERATOR(pg_catalog.=) calendar.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'business calendar "%" does not exist', calendar.name
            USING ERRCODE = 'undefined_object',
                  HINT = 'Add it first: INSERT INTO cs_service.calendars (name, calendar) VALUES (''office'', ''Europe/Moscow; mon-fri 09:00-18:00'').';
    END IF;
    RETURN result;
END
$$;

COMMENT ON FUNCTION @extschema@.calendar(pg_catalog.text) IS 'The named calendar from cs_service.calendars';

-- ============================================================================================
-- Service-quality metrics: NPS, CSAT, CES, SLA %, response-time percentiles (doc/metrics.md)
--
-- Every aggregate is PARALLEL SAFE, has a combine function, and keeps its state in one of the
-- summary types below (not internal), so Citus can push partial aggregation to the shards.
-- Transition and combine functions are not STRICT: they skip NULL inputs themselves.
-- ============================================================================================

-- ---------------------------------------------------------------- score_summary
CREATE TYPE @extschema@.score_summary;

CREATE FUNCTION @extschema@.score_summary_in(pg_catalog.cstring)
RETURNS @extschema@.score_summary
AS 'MODULE_PATHNAME', 'metrics_score_summary_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.score_summary_out(@extschema@.score_summary)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'metrics_score_summary_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.score_summary_recv(pg_catalog.internal)
RETURNS @extschema@.score_summary
AS 'MODULE_PATHNAME', 'metrics_score_summary_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.score_summary_send(@extschema@.score_summary)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'metrics_score_summary_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.score_summary (
    INPUT = @extschema@.score_summary_in,
    OUTPUT = @extschema@.score_summary_out,
    RECEIVE = @extschema@.score_summary_recv,
    SEND = @extschema@.score_summary_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.score_summary IS
    'Mergeable count of answers per score 0..10; text form {"version":1,"responses":N,"counts":[c0,...,c10]}';

-- transition functions: one answer, checked against the scale of the aggregate
CREATE FUNCTION @extschema@.score_agg_trans(@extschema@.score_summary, pg_catalog.int4)
RETURNS @extschema@.score_summary
AS 'MODULE_PATHNAME', 'metrics_score_agg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.csat_trans(@extschema@.score_summary, pg_catalog.int4)
RETURNS @extschema@.score_summary
AS 'MODULE_PATHNAME', 'metrics_csat_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.ces_trans(@extschema@.score_summary, pg_catalog.int4)
RETURNS @extschema@.score_summary
AS 'MODULE_PATHNAME', 'metrics_ces_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.score_summary_combine(@extschema@.score_summary, @extschema@.score_summary)
RETURNS @extschema@.score_summary
AS 'MODULE_PATHNAME', 'metrics_score_summary_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.score_summary_final(@extschema@.score_summary)
RETURNS @extschema@.score_summary
AS 'MODULE_PATHNAME', 'metrics_score_summary_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- accessors
CREATE FUNCTION @extschema@.nps(@extschema@.score_summary)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'metrics_score_nps' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.nps(@extschema@.score_summary) IS
    'Net Promoter Score: % of answers 9-10 minus % of answers 0-6 (-100..100); NULL without answers';

CREATE FUNCTION @extschema@.csat(@extschema@.score_summary)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'metrics_score_csat' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.csat(@extschema@.score_summary) IS
    'CSAT: % of answers 4 or 5 on the 1-5 scale; NULL without answers';

CREATE FUNCTION @extschema@.ces(@extschema@.score_summary)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'metrics_score_ces' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ces(@extschema@.score_summary) IS
    'Customer effort score: mean answer on the 1-7 scale; NULL without answers';

CREATE FUNCTION @extschema@.responses(@extschema@.score_summary)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'metrics_score_responses' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.promoters(@extschema@.score_summary)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'metrics_score_promoters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.passives(@extschema@.score_summary)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'metrics_score_passives' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.detractors(@extschema@.score_summary)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'metrics_score_detractors' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.score_count(@extschema@.score_summary, score pg_catalog.int4)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'metrics_score_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- confidence intervals: a (lower, upper) pair in the unit of the metric; NULLs without answers
CREATE FUNCTION @extschema@.nps_interval(
    summary @extschema@.score_summary,
    confidence pg_catalog.float8 DEFAULT 0.95,
    OUT lower pg_catalog.float8,
    OUT upper pg_catalog.float8)
RETURNS record
AS 'MODULE_PATHNAME', 'metrics_nps_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.nps_interval(@extschema@.score_summary, pg_catalog.float8) IS
    'Confidence interval of the NPS: adjusted Wald (Rocks 2016), trinomial variance';

CREATE FUNCTION @extschema@.csat_interval(
    summary @extschema@.score_summary,
    confidence pg_catalog.float8 DEFAULT 0.95,
    OUT lower pg_catalog.float8,
    OUT upper pg_catalog.float8)
RETURNS record
AS 'MODULE_PATHNAME', 'metrics_csat_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.csat_interval(@extschema@.score_summary, pg_catalog.float8) IS
    'Confidence interval of the CSAT %: Wilson score interval';

-- aggregates over answers
CREATE AGGREGATE @extschema@.nps(pg_catalog.int4) (
    SFUNC = @extschema@.score_agg_trans,
    STYPE = @extschema@.score_summary,
    SSPACE = 104,
    COMBINEFUNC = @extschema@.score_summary_combine,
    FINALFUNC = @extschema@.nps,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.nps(pg_catalog.int4) IS
    'Net Promoter Score of answers 0..10 (-100..100); NULLs ignored; NULL without answers';

CREATE AGGREGATE @extschema@.csat(pg_catalog.int4) (
    SFUNC = @extschema@.csat_trans,
    STYPE = @extschema@.score_summary,
    SSPACE = 104,
    COMBINEFUNC = @extschema@.score_summary_combine,
    FINALFUNC = @extschema@.csat,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.csat(pg_catalog.int4) IS
    '% of answers 4 or 5 among answers 1..5; NULLs ignored; NULL without answers';

CREATE AGGREGATE @extschema@.ces(pg_catalog.int4) (
    SFUNC = @extschema@.ces_trans,
    STYPE = @extschema@.score_summary,
    SSPACE = 104,
    COMBINEFUNC = @extschema@.score_summary_combine,
    FINALFUNC = @extschema@.ces,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.ces(pg_catalog.int4) IS
    'Mean customer effort of answers 1..7; NULLs ignored; NULL without answers';

CREATE AGGREGATE @extschema@.score_agg(pg_catalog.int4) (
    SFUNC = @extschema@.score_agg_trans,
    STYPE = @extschema@.score_summary,
    SSPACE = 104,
    COMBINEFUNC = @extschema@.score_summary_combine,
    FINALFUNC = @extschema@.score_summary_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.score_agg(pg_catalog.int4) IS
    'score_summary of answers 0..10, for rollup tables; NULLs ignored; empty summary without answers';

CREATE AGGREGATE @extschema@.rollup(@extschema@.score_summary) (
    SFUNC = @extschema@.score_summary_combine,
    STYPE = @extschema@.score_summary,
    SSPACE = 104,
    COMBINEFUNC = @extschema@.score_summary_combine,
    FINALFUNC = @extschema@.score_summary_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.score_summary) IS
    'Merge score summaries; NULLs ignored; empty summary without input';

-- ---------------------------------------------------------------- sla_summary
CREATE TYPE @extschema@.sla_summary;

CREATE FUNCTION @extschema@.sla_summary_in(pg_catalog.cstring)
RETURNS @extschema@.sla_summary
AS 'MODULE_PATHNAME', 'metrics_sla_summary_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_summary_out(@extschema@.sla_summary)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'metrics_sla_summary_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_summary_recv(pg_catalog.internal)
RETURNS @extschema@.sla_summary
AS 'MODULE_PATHNAME', 'metrics_sla_summary_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_summary_send(@extschema@.sla_summary)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'metrics_sla_summary_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.sla_summary (
    INPUT = @extschema@.sla_summary_in,
    OUTPUT = @extschema@.sla_summary_out,
    RECEIVE = @extschema@.sla_summary_recv,
    SEND = @extschema@.sla_summary_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.sla_summary IS
    'Mergeable count of requests met within SLA; text form {"version":1,"met":M,"total":N}';

CREATE FUNCTION @extschema@.sla_agg_trans(@extschema@.sla_summary, pg_catalog.bool)
RETURNS @extschema@.sla_summary
AS 'MODULE_PATHNAME', 'metrics_sla_agg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_summary_combine(@extschema@.sla_summary, @extschema@.sla_summary)
RETURNS @extschema@.sla_summary
AS 'MODULE_PATHNAME', 'metrics_sla_summary_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_summary_final(@extschema@.sla_summary)
RETURNS @extschema@.sla_summary
AS 'MODULE_PATHNAME', 'metrics_sla_summary_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_pct(@extschema@.sla_summary)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'metrics_sla_pct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sla_pct(@extschema@.sla_summary) IS
    '% of requests met within SLA (0..100); NULL without requests';

CREATE FUNCTION @extschema@.sla_met(@extschema@.sla_summary)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'metrics_sla_met' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_total(@extschema@.sla_summary)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'metrics_sla_total' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_interval(
    summary @extschema@.sla_summary,
    confidence pg_catalog.float8 DEFAULT 0.95,
    OUT lower pg_catalog.float8,
    OUT upper pg_catalog.float8)
RETURNS record
AS 'MODULE_PATHNAME', 'metrics_sla_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sla_interval(@extschema@.sla_summary, pg_catalog.float8) IS
    'Confidence interval of the SLA %: Wilson score interval';

CREATE AGGREGATE @extschema@.sla_pct(pg_catalog.bool) (
    SFUNC = @extschema@.sla_agg_trans,
    STYPE = @extschema@.sla_summary,
    SSPACE = 24,
    COMBINEFUNC = @extschema@.sla_summary_combine,
    FINALFUNC = @extschema@.sla_pct,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sla_pct(pg_catalog.bool) IS
    '% of true among non-NULL values (0..100); NULL without values';

CREATE AGGREGATE @extschema@.sla_agg(pg_catalog.bool) (
    SFUNC = @extschema@.sla_agg_trans,
    STYPE = @extschema@.sla_summary,
    SSPACE = 24,
    COMBINEFUNC = @extschema@.sla_summary_combine,
    FINALFUNC = @extschema@.sla_summary_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sla_agg(pg_catalog.bool) IS
    'sla_summary of met (true) / missed (false) flags; NULLs ignored; empty summary without values';

CREATE AGGREGATE @extschema@.rollup(@extschema@.sla_summary) (
    SFUNC = @extschema@.sla_summary_combine,
    STYPE = @extschema@.sla_summary,
    SSPACE = 24,
    COMBINEFUNC = @extschema@.sla_summary_combine,
    FINALFUNC = @extschema@.sla_summary_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.sla_summary) IS
    'Merge SLA summaries; NULLs ignored; empty summary without input';

-- ---------------------------------------------------------------- duration_summary
CREATE TYPE @extschema@.duration_summary;

CREATE FUNCTION @extschema@.duration_summary_in(pg_catalog.cstring)
RETURNS @extschema@.duration_summary
AS 'MODULE_PATHNAME', 'metrics_duration_summary_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.duration_summary_out(@extschema@.duration_summary)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'metrics_duration_summary_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.duration_summary_recv(pg_catalog.internal)
RETURNS @extschema@.duration_summary
AS 'MODULE_PATHNAME', 'metrics_duration_summary_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.duration_summary_send(@extschema@.duration_summary)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'metrics_duration_summary_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.duration_summary (
    INPUT = @extschema@.duration_summary_in,
    OUTPUT = @extschema@.duration_summary_out,
    RECEIVE = @extschema@.duration_summary_recv,
    SEND = @extschema@.duration_summary_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.duration_summary IS
    'Mergeable duration sketch: exact count/min/max/mean, percentiles within 1% (log buckets)';

CREATE FUNCTION @extschema@.duration_agg_trans(@extschema@.duration_summary, pg_catalog.interval)
RETURNS @extschema@.duration_summary
AS 'MODULE_PATHNAME', 'metrics_duration_agg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.duration_summary_combine(@extschema@.duration_summary, @extschema@.duration_summary)
RETURNS @extschema@.duration_summary
AS 'MODULE_PATHNAME', 'metrics_duration_summary_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.duration_summary_final(@extschema@.duration_summary)
RETURNS @extschema@.duration_summary
AS 'MODULE_PATHNAME', 'metrics_duration_summary_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.percentile(@extschema@.duration_summary, fraction pg_catalog.float8)
RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'metrics_duration_percentile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.percentile(@extschema@.duration_summary, pg_catalog.float8) IS
    'Percentile 0..1 interpolated like percentile_cont, within 1% for durations 5 ms..100 years';

CREATE FUNCTION @extschema@.duration_count(@extschema@.duration_summary)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'metrics_duration_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.duration_mean(@extschema@.duration_summary)
RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'metrics_duration_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.duration_min(@extschema@.duration_summary)
RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'metrics_duration_min' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.duration_max(@extschema@.duration_summary)
RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'metrics_duration_max' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.duration_negatives(@extschema@.duration_summary)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'metrics_duration_negatives' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.duration_zeros(@extschema@.duration_summary)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'metrics_duration_zeros' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.duration_over_range(@extschema@.duration_summary)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'metrics_duration_over_range' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.duration_agg(pg_catalog.interval) (
    SFUNC = @extschema@.duration_agg_trans,
    STYPE = @extschema@.duration_summary,
    SSPACE = 14512,
    COMBINEFUNC = @extschema@.duration_summary_combine,
    FINALFUNC = @extschema@.duration_summary_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.duration_agg(pg_catalog.interval) IS
    'duration_summary of intervals; NULLs ignored; empty summary without values';

CREATE AGGREGATE @extschema@.rollup(@extschema@.duration_summary) (
    SFUNC = @extschema@.duration_summary_combine,
    STYPE = @extschema@.duration_summary,
    SSPACE = 14512,
    COMBINEFUNC = @extschema@.duration_summary_combine,
    FINALFUNC = @extschema@.duration_summary_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.duration_summary) IS
    'Merge duration summaries; NULLs ignored; empty summary without input';

-- ============================================================================================
-- SLA engine: clocks, policies, the request model, live status, compliance, breach checks
-- (doc/sla.md)
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

-- ---- Stand-alone clock functions ---------------------------------------------------------------

-- sla_elapsed: business time in [start, stop) minus the business time of the paused ranges.
CREATE FUNCTION @extschema@.sla_elapsed(
    start pg_catalog.timestamptz, stop pg_catalog.timestamptz, cal @extschema@.business_calendar,
    paused pg_catalog.tstzmultirange DEFAULT '{}')
RETURNS pg_catalog.interval
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    lo timestamptz := least(start, stop);
    hi timestamptz := greatest(start, stop);
    total interval;
    p tstzrange;
BEGIN
    total := @extschema@.business_duration(lo, hi, cal);
    FOR p IN SELECT u FROM pg_catalog.unnest(paused) AS u LOOP
        IF (lower_inf(p) OR lower(p) < hi) AND (upper_inf(p) OR upper(p) > lo) THEN
            total := total - @extschema@.business_duration(
                greatest(lower(p), lo), least(upper(p), hi), cal);
        END IF;
    END LOOP;
    IF stop < start THEN
        RETURN -total;
    END IF;
    RETURN total;
END
$$;

COMMENT ON FUNCTION @extschema@.sla_elapsed(pg_catalog.timestamptz, pg_catalog.timestamptz, @extschema@.business_calendar, pg_catalog.tstzmultirange) IS
'SLA time from start to stop: business time minus the business time inside the paused ranges; negative when stop < start';

-- sla_due: the earliest instant t >= start with sla_elapsed(start, t, cal, paused) = target.
CREATE FUNCTION @extschema@.sla_due(
    start pg_catalog.timestamptz, target pg_catalog.interval, cal @extschema@.business_calendar,
    paused pg_catalog.tstzmultirange DEFAULT '{}')
RETURNS pg_catalog.timestamptz
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cur timestamptz := start;
    remaining interval := target;
    candidate timestamptz;
    p tstzrange;
BEGIN
    IF extract(month FROM target) <> 0 OR extract(day FROM target) <> 0 THEN
        RAISE EXCEPTION 'SLA target must not have days or months'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('The target was %s; a business day has no fixed length.', target),
                  HINT = 'Give the target in hours, e.g. interval ''24 hours''.';
    END IF;
    IF target <= interval '0' THEN
        RAISE EXCEPTION 'SLA target must be positive'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('The target was %s.', target),
                  HINT = 'Give the target as a positive interval, e.g. interval ''2 hours''.';
    END IF;
    -- the multirange's ranges are disjoint and in order
    FOR p IN SELECT u FROM pg_catalog.unnest(paused) AS u LOOP
        CONTINUE WHEN NOT upper_inf(p) AND upper(p) <= cur;
        IF lower_inf(p) OR lower(p) <= cur THEN
            -- the clock stands from cur until the pause ends
            IF upper_inf(p) THEN
                RETURN 'infinity';
            END IF;
            cur := upper(p);
            CONTINUE;
        END IF;
        candidate := @extschema@.business_add(cur, remaining, cal);
        IF candidate <= lower(p) THEN
            RETURN candidate;
        END IF;
        remaining := remaining - @extschema@.business_duration(cur, lower(p), cal);
        IF upper_inf(p) THEN
            RETURN 'infinity';
        END IF;
        cur := upper(p);
    END LOOP;
    RETURN @extschema@.business_add(cur, remaining, cal);
END
$$;

COMMENT ON FUNCTION @extschema@.sla_due(pg_catalog.timestamptz, pg_catalog.interval, @extschema@.business_calendar, pg_catalog.tstzmultirange) IS
'When an SLA clock started at start reaches target: paused time pushes the deadline out; infinity if it falls in a pause that never ends';

-- ---- Policies -----------------------------------------------------------------------------------

CREATE TABLE @extschema@.sla_policies (
    name          pg_catalog.text PRIMARY KEY CHECK (name <> ''),
    calendar_name pg_catalog.text REFERENCES @extschema@.calendars (name) ON UPDATE CASCADE,
    calendar      @extschema@.business_calendar,
    warning_pct   pg_catalog.float8 NOT NULL DEFAULT 75
                  CHECK (warning_pct > 0 AND warning_pct < 100),
    description   pg_catalog.text,
    created_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT sla_policies_one_calendar CHECK (calendar_name IS NULL OR calendar IS NULL)
);

COMMENT ON TABLE @extschema@.sla_policies IS
'SLA policies: a calendar (named, literal, or none for 24/7) and a warning threshold; targets in sla_targets';

CREATE TABLE @extschema@.sla_targets (
    policy     pg_catalog.text NOT NULL REFERENCES @extschema@.sla_policies (name)
               ON UPDATE CASCADE ON DELETE CASCADE,
    metric     pg_catalog.text NOT NULL,
    channel    pg_catalog.text,             -- NULL: any channel
    priority   pg_catalog.text,             -- NULL: any priority
    target     pg_catalog.interval,         -- NULL: no target for this key from valid_from on
    valid_from pg_catalog.timestamptz NOT NULL DEFAULT '-infinity',
    created_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT sla_targets_metric_known
        CHECK (metric IN ('first_response', 'next_response', 'resolution', 'periodic_update')),
    CONSTRAINT sla_targets_target_positive CHECK (target > interval '0'),
    CONSTRAINT sla_targets_key UNIQUE NULLS NOT DISTINCT (policy, metric, channel, priority, valid_from)
);

COMMENT ON TABLE @extschema@.sla_targets IS
'Targets per policy, metric, channel and priority (NULL = any), versioned by valid_from: a request uses the versions in effect when it was opened';

CREATE TABLE @extschema@.sla_policy_rules (
    policy     pg_catalog.text REFERENCES @extschema@.sla_policies (name) ON UPDATE CASCADE,
               -- NULL: from valid_from on, this key selects no policy
    client     pg_catalog.text,             -- NULL: any client
    channel    pg_catalog.text,             -- NULL: any channel
    priority   pg_catalog.text,             -- NULL: any priority
    valid_from pg_catalog.timestamptz NOT NULL DEFAULT '-infinity',
    created_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT sla_policy_rules_key UNIQUE NULLS NOT DISTINCT (client, channel, priority, valid_from)
);

COMMENT ON TABLE @extschema@.sla_policy_rules IS
'Which policy a request gets: the most specific rule (client, then channel, then priority) in effect when it was opened';

-- The policy of a request opened at `at`: among the rules in effect then (for each key, the
-- latest valid_from <= at), the most specific match wins: a client match weighs 4, a channel
-- match 2, a priority match 1.  NULL if none matches.
CREATE FUNCTION @extschema@.sla_policy_for(
    client pg_catalog.text, channel pg_catalog.text, priority pg_catalog.text,
    at pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS pg_catalog.text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT k.policy
      FROM (SELECT DISTINCT ON (r.client, r.channel, r.priority)
                   r.policy,
                   (CASE WHEN r.client IS NULL THEN 0 ELSE 4 END
                    + CASE WHEN r.channel IS NULL THEN 0 ELSE 2 END
                    + CASE WHEN r.priority IS NULL THEN 0 ELSE 1 END) AS weight
              FROM @extschema@.sla_policy_rules AS r
             WHERE r.valid_from <= $4
               AND (r.client IS NULL OR r.client = $1)
               AND (r.channel IS NULL OR r.channel = $2)
               AND (r.priority IS NULL OR r.priority = $3)
             ORDER BY r.client, r.channel, r.priority, r.valid_from DESC) AS k
     WHERE k.policy IS NOT NULL
     ORDER BY k.weight DESC
     LIMIT 1
$$;

COMMENT ON FUNCTION @extschema@.sla_policy_for(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz) IS
'The policy the rules give a request (client, channel, priority) opened at the given instant';

-- Checks with clear messages, and the history rule: a policy's calendar and the targets and
-- rules already in effect are not changed in place (that would silently re-grade past
-- requests); add a version with a later valid_from instead.  SET cs_service.allow_history_rewrite
-- = on lets a correction through deliberately.
CREATE FUNCTION @extschema@.sla_history_rewrite_allowed()
RETURNS pg_catalog.bool
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(current_setting('cs_service.allow_history_rewrite', true), '')
           IN ('on', 'true', '1', 'yes')
$$;

CREATE FUNCTION @extschema@.sla_policies_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.calendar_name IS NOT NULL THEN
        PERFORM @extschema@.calendar(NEW.calendar_name);   -- a clear error if unknown
        IF NEW.calendar IS NOT NULL THEN
            RAISE EXCEPTION 'SLA policy "%" has both a named and a literal calendar', NEW.name
                USING ERRCODE = 'check_violation',
                      HINT = 'Give calendar_name (a row of cs_service.calendars) or calendar (a literal), or neither for 24/7.';
        END IF;
    END IF;
    IF NOT (NEW.warning_pct > 0 AND NEW.warning_pct < 100) THEN
        RAISE EXCEPTION 'SLA warning threshold must be between 0 and 100 percent'
            USING ERRCODE = 'check_violation',
                  DETAIL = format('Policy "%s" has warning_pct %s.', NEW.name, NEW.warning_pct),
                  HINT = 'A warning at 75 % of the target used: warning_pct = 75.';
    END IF;
    IF TG_OP = 'UPDATE'
       AND (NEW.calendar_name IS DISTINCT FROM OLD.calendar_name
            OR (NEW.calendar IS NULL) <> (OLD.calendar IS NULL)
            OR NEW.calendar OPERATOR(@extschema@.<>) OLD.calendar)
       AND NOT @extschema@.sla_history_rewrite_allowed() THEN
        RAISE EXCEPTION 'cannot change the calendar of SLA policy "%"', OLD.name
            USING ERRCODE = 'object_in_use',
                  DETAIL = 'Requests already measured under this policy would be re-graded with the new calendar.',
                  HINT = 'Create a new policy with the new calendar and point the rules at it from a date on: '
                         'INSERT INTO cs_service.sla_policy_rules (policy, channel, valid_from) VALUES (''standard-2027'', ''email'', ''2027-01-01''). '
                         'To correct a mistake deliberately: SET cs_service.allow_history_rewrite = on.';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER sla_policies_check BEFORE INSERT OR UPDATE ON @extschema@.sla_policies
    FOR EACH ROW EXECUTE FUNCTION @extschema@.sla_policies_check();

CREATE FUNCTION @extschema@.sla_targets_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.valid_from <= now()
       AND NOT @extschema@.sla_history_rewrite_allowed() THEN
        RAISE EXCEPTION 'cannot % an SLA target already in effect', lower(TG_OP)
            USING ERRCODE = 'object_in_use',
                  DETAIL = format('The %s target of policy "%s" (channel %s, priority %s) has been in effect since %s; changing it would re-grade past requests.',
                                  OLD.metric, OLD.policy, coalesce(OLD.channel, 'any'),
                                  coalesce(OLD.priority, 'any'), OLD.valid_from),
                  HINT = 'Add a new version from a date on: INSERT INTO cs_service.sla_targets (policy, metric, channel, target, valid_from) '
                         'VALUES (''standard'', ''first_response'', ''email'', ''1 hour'', ''2027-01-01''). '
                         'To correct a mistake deliberately: SET cs_service.allow_history_rewrite = on.';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.metric NOT IN ('first_response', 'next_response', 'resolution', 'periodic_update') THEN
        RAISE EXCEPTION 'unknown SLA metric "%"', NEW.metric
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The metrics are first_response, next_response, resolution and periodic_update.';
    END IF;
    IF NEW.target IS NOT NULL THEN
        IF extract(month FROM NEW.target) <> 0 OR extract(day FROM NEW.target) <> 0 THEN
            RAISE EXCEPTION 'SLA target must not have days or months'
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('The target was %s; a business day has no fixed length.', NEW.target),
                      HINT = 'Give the target in hours of the policy''s calendar, e.g. interval ''24 hours''.';
        END IF;
        IF NEW.target <= interval '0' THEN
            RAISE EXCEPTION 'SLA target must be positive'
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('The %s target of policy "%s" was %s.', NEW.metric, NEW.policy, NEW.target),
                      HINT = 'Give the target as a positive interval, e.g. interval ''2 hours''.';
        END IF;
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.sla_policies AS p WHERE p.name = NEW.policy) THEN
        RAISE EXCEPTION 'SLA policy "%" does not exist', NEW.policy
            USING ERRCODE = 'undefined_object',
                  HINT = 'Create it first: INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES (''standard'', ''office'').';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER sla_targets_check BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.sla_targets
    FOR EACH ROW EXECUTE FUNCTION @extschema@.sla_targets_check();

CREATE FUNCTION @extschema@.sla_policy_rules_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.valid_from <= now()
       AND NOT @extschema@.sla_history_rewrite_allowed() THEN
        RAISE EXCEPTION 'cannot % an SLA policy rule already in effect', lower(TG_OP)
            USING ERRCODE = 'object_in_use',
                  DETAIL = format('The rule for client %s, channel %s, priority %s has been in effect since %s; changing it would move past requests to another policy.',
                                  coalesce(OLD.client, 'any'), coalesce(OLD.channel, 'any'),
                                  coalesce(OLD.priority, 'any'), OLD.valid_from),
                  HINT = 'Add a new version from a date on: INSERT INTO cs_service.sla_policy_rules (policy, channel, valid_from) '
                         'VALUES (''premium'', ''chat'', ''2027-01-01''). '
                         'To correct a mistake deliberately: SET cs_service.allow_history_rewrite = on.';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.policy IS NOT NULL
       AND NOT EXISTS (SELECT FROM @extschema@.sla_policies AS p WHERE p.name = NEW.policy) THEN
        RAISE EXCEPTION 'SLA policy "%" does not exist', NEW.policy
            USING ERRCODE = 'undefined_object',
                  HINT = 'Create it first: INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES (''standard'', ''office'').';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER sla_policy_rules_check BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.sla_policy_rules
    FOR EACH ROW EXECUTE FUNCTION @extschema@.sla_policy_rules_check();

-- ---- The default request model --------------------------------------------------------------
-- A request's opening is its opened_at (the 'opened' event of its log); request_events holds
-- everything after it.  Events are evaluated in time order (ties by id) whatever order they
-- were inserted in, so a late or back-dated event (a retroactive pause) is honoured.

CREATE TABLE @extschema@.requests (
    id        pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    opened_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    channel   pg_catalog.text NOT NULL,
    priority  pg_catalog.text NOT NULL DEFAULT 'normal',
    client    pg_catalog.text,
    team      pg_catalog.text,
    manager   pg_catalog.text,
    policy    pg_catalog.text REFERENCES @extschema@.sla_policies (name) ON UPDATE CASCADE,
    subject   pg_catalog.text,
    is_open   pg_catalog.bool NOT NULL DEFAULT true,    -- kept by the event triggers
    CONSTRAINT requests_opened_at_finite CHECK (pg_catalog.isfinite(opened_at))
);

CREATE INDEX requests_opened_at ON @extschema@.requests (opened_at);
CREATE INDEX requests_open ON @extschema@.requests (id) WHERE is_open;

COMMENT ON TABLE @extschema@.requests IS
'Client requests (the default model): opened_at is the opening event; policy is fixed when the request is inserted';

CREATE TABLE @extschema@.request_events (
    id         pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    request_id pg_catalog.int8 NOT NULL REFERENCES @extschema@.requests (id) ON DELETE CASCADE,
    at         pg_catalog.timestamptz NOT NULL,
    kind       pg_catalog.text NOT NULL,
    author     pg_catalog.text,
    note       pg_catalog.text,
    CONSTRAINT request_events_once UNIQUE (request_id, at, kind)
);

COMMENT ON TABLE @extschema@.request_events IS
'What happened to a request after its opening: customer_message, agent_reply, waiting_on_client, resumed, resolved, reopened';

-- requests: the policy is chosen once, when the request is inserted (history rule); an explicit
-- policy must exist; opened_at cannot move past the request's first event.
CREATE FUNCTION @extschema@.requests_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    first_event timestamptz;
BEGIN
    IF NOT isfinite(NEW.opened_at) THEN
        RAISE EXCEPTION 'request opened_at must be finite'
            USING ERRCODE = 'check_violation',
                  DETAIL = format('The opened_at was %s.', NEW.opened_at);
    END IF;
    IF NEW.policy IS NULL THEN
        NEW.policy := @extschema@.sla_policy_for(NEW.client, NEW.channel, NEW.priority, NEW.opened_at);
        IF NEW.policy IS NULL THEN
            RAISE EXCEPTION 'no SLA policy applies to the request'
                USING ERRCODE = 'not_null_violation',
                      DETAIL = format('No rule in cs_service.sla_policy_rules matches client %s, channel %s, priority %s at %s.',
                                      coalesce(NEW.client, 'NULL'), NEW.channel, NEW.priority, NEW.opened_at),
                      HINT = 'Give the policy explicitly, or add a catch-all rule: INSERT INTO cs_service.sla_policy_rules (policy) VALUES (''standard'').';
        END IF;
    ELSIF TG_OP = 'INSERT' OR NEW.policy IS DISTINCT FROM OLD.policy THEN
        IF NOT EXISTS (SELECT FROM @extschema@.sla_policies AS p WHERE p.name = NEW.policy) THEN
            RAISE EXCEPTION 'SLA policy "%" does not exist', NEW.policy
                USING ERRCODE = 'undefined_object',
                      HINT = 'Use one of cs_service.sla_policies, or leave policy NULL to let the rules choose.';
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.opened_at > OLD.opened_at THEN
        SELECT min(e.at) INTO first_event
          FROM @extschema@.request_events AS e WHERE e.request_id = NEW.id;
        IF first_event < NEW.opened_at THEN
            RAISE EXCEPTION 'request % cannot be opened after its first event', NEW.id
                USING ERRCODE = 'check_violation',
                      DETAIL = format('The new opened_at is %s; its first event is at %s.', NEW.opened_at, first_event);
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER requests_check BEFORE INSERT OR UPDATE OF opened_at, policy ON @extschema@.requests
    FOR EACH ROW EXECUTE FUNCTION @extschema@.requests_check();

-- request_events: checked per statement (cheap for bulk loads), then is_open is recomputed for
-- the requests touched: open unless the latest of resolved / reopened / customer_message (a
-- message after a resolution reopens) is a resolution.
CREATE FUNCTION @extschema@.request_events_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT n.request_id, n.kind, n.at INTO bad
          FROM sla_new_events AS n
         WHERE n.kind NOT IN ('customer_message', 'agent_reply', 'waiting_on_client', 'resumed',
                              'resolved', 'reopened')
         LIMIT 1;
        IF FOUND THEN
            IF bad.kind = 'opened' THEN
                RAISE EXCEPTION 'request events cannot be of kind "opened"'
                    USING ERRCODE = 'check_violation',
                          DETAIL = format('Request %s: a request is opened by cs_service.requests.opened_at, once.', bad.request_id),
                          HINT = 'To move the opening, UPDATE cs_service.requests SET opened_at = ...; to open it again after a resolution, use kind ''reopened''.';
            END IF;
            RAISE EXCEPTION 'unknown request event kind "%"', bad.kind
                USING ERRCODE = 'check_violation',
                      DETAIL = 'The kinds are customer_message, agent_reply, waiting_on_client, resumed, resolved and reopened.',
                      HINT = 'Record a pause as ''waiting_on_client'' and its end as ''resumed'' or a ''customer_message''.';
        END IF;
        SELECT n.request_id, n.kind, n.at, r.opened_at INTO bad
          FROM sla_new_events AS n
          JOIN @extschema@.requests AS r ON r.id = n.request_id
         WHERE NOT isfinite(n.at) OR n.at < r.opened_at
         LIMIT 1;
        IF FOUND THEN
            IF NOT isfinite(bad.at) THEN
                RAISE EXCEPTION 'request event time must be finite'
                    USING ERRCODE = 'check_violation',
                          DETAIL = format('Request %s, event %s at %s.', bad.request_id, bad.kind, bad.at);
            END IF;
            RAISE EXCEPTION 'request event is before the request was opened'
                USING ERRCODE = 'check_violation',
                      DETAIL = format('Request %s was opened at %s; the %s event is at %s.',
                                      bad.request_id, bad.opened_at, bad.kind, bad.at),
                      HINT = 'If the request really began earlier, move its opening first: UPDATE cs_service.requests SET opened_at = ... WHERE id = ...';
        END IF;
        UPDATE @extschema@.requests AS r
           SET is_open = s.open
          FROM (SELECT t.request_id,
                       (SELECT e.kind FROM @extschema@.request_events AS e
                         WHERE e.request_id = t.request_id
                           AND e.kind IN ('resolved', 'reopened', 'customer_message')
                         ORDER BY e.at DESC, e.id DESC LIMIT 1) IS DISTINCT FROM 'resolved' AS open
                  FROM (SELECT DISTINCT n.request_id FROM sla_new_events AS n) AS t) AS s
         WHERE r.id = s.request_id AND r.is_open IS DISTINCT FROM s.open;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE @extschema@.requests AS r
           SET is_open = s.open
          FROM (SELECT t.request_id,
                       (SELECT e.kind FROM @extschema@.request_events AS e
                         WHERE e.request_id = t.request_id
                           AND e.kind IN ('resolved', 'reopened', 'customer_message')
                         ORDER BY e.at DESC, e.id DESC LIMIT 1) IS DISTINCT FROM 'resolved' AS open
                  FROM (SELECT DISTINCT o.request_id FROM sla_old_events AS o) AS t) AS s
         WHERE r.id = s.request_id AND r.is_open IS DISTINCT FROM s.open;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER request_events_insert AFTER INSERT ON @extschema@.request_events
    REFERENCING NEW TABLE AS sla_new_events
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.request_events_check();
CREATE TRIGGER request_events_update AFTER UPDATE ON @extschema@.request_events
    REFERENCING NEW TABLE AS sla_new_events OLD TABLE AS sla_old_events
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.request_events_check();
CREATE TRIGGER request_events_delete AFTER DELETE ON @extschema@.request_events
    REFERENCING OLD TABLE AS sla_old_events
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.request_events_check();

-- ---- Sources: what the SLA views read ----------------------------------------------------------
-- The views read two set-returning SQL functions with a fixed shape, sla_source_requests() and
-- sla_source_events().  By default they read the model above (through the views
-- sla_model_requests and sla_model_events); cs_service.sla_bind() points them at a view over a
-- CRM's own tables instead (see sla_bindings).
--
-- Why functions: a function body records no dependency, so the extension never depends on the
-- CRM's tables (a DROP ... CASCADE of a CRM table drops the binding's view, never the
-- extension and its data), and a plain SQL function is inlined into the query, so filters reach
-- the CRM's tables as through a view.  To be inlined they carry no SET search_path; their bodies
-- name only a relation (schema-qualified) and its columns, so no search_path can change them.

CREATE VIEW @extschema@.sla_model_requests WITH (security_invoker = true) AS
SELECT r.id AS request_id, r.opened_at, r.channel, r.priority, r.client, r.team, r.manager,
       r.policy, r.is_open
  FROM @extschema@.requests AS r;

COMMENT ON VIEW @extschema@.sla_model_requests IS
'The default model''s requests in the shape of cs_service.sla_source_requests()';

CREATE VIEW @extschema@.sla_model_events WITH (security_invoker = true) AS
SELECT r.id AS request_id, r.opened_at AS at, 'opened'::pg_catalog.text AS kind,
       0::pg_catalog.int8 AS seq
  FROM @extschema@.requests AS r
UNION ALL
SELECT e.request_id, e.at, e.kind, e.id AS seq
  FROM @extschema@.request_events AS e;

COMMENT ON VIEW @extschema@.sla_model_events IS
'The default model''s event log (openings included) in the shape of cs_service.sla_source_events()';

CREATE FUNCTION @extschema@.sla_source_requests()
RETURNS TABLE (request_id pg_catalog.int8, opened_at pg_catalog.timestamptz,
               channel pg_catalog.text, priority pg_catalog.text, client pg_catalog.text,
               team pg_catalog.text, manager pg_catalog.text, policy pg_catalog.text,
               is_open pg_catalog.bool)
LANGUAGE sql STABLE PARALLEL SAFE
AS 'SELECT s.request_id, s.opened_at, s.channel, s.priority, s.client, s.team, s.manager, s.policy, s.is_open FROM @extschema@.sla_model_requests AS s';

COMMENT ON FUNCTION @extschema@.sla_source_requests() IS
'The requests the SLA views measure: request_id, opened_at, channel, priority, client, team, manager, policy (NULL: the rules choose), is_open (NULL: unknown)';

CREATE FUNCTION @extschema@.sla_source_events()
RETURNS TABLE (request_id pg_catalog.int8, at pg_catalog.timestamptz, kind pg_catalog.text,
               seq pg_catalog.int8)
LANGUAGE sql STABLE PARALLEL SAFE
AS 'SELECT s.request_id, s.at, s.kind, s.seq FROM @extschema@.sla_model_events AS s';

COMMENT ON FUNCTION @extschema@.sla_source_events() IS
'The event log the SLA clocks read: request_id, at, kind, seq (orders events at the same instant); one opened event per request';

-- The binding.  A row here makes sla_bind's view (cs_service.sla_bound_requests or
-- sla_bound_events, a user object, not part of the extension) the source; the row is kept by
-- pg_dump (a configuration table), and when pg_restore reloads it the trigger points the source
-- function at the view again.  Only the extension's owner can bind.
CREATE TABLE @extschema@.sla_bindings (
    source     pg_catalog.text PRIMARY KEY CHECK (source IN ('requests', 'events')),
    query      pg_catalog.text NOT NULL,
    updated_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE @extschema@.sla_bindings IS
'Where the SLA views read from: a query per source replacing the default model (doc/sla.md, "Binding a CRM")';

CREATE FUNCTION @extschema@.sla_apply_binding(source pg_catalog.text, query pg_catalog.text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cols text;
    wrapped text;
    fn text;
    rettype text;
BEGIN
    IF source = 'requests' THEN
        cols := 's.request_id, s.opened_at, s.channel, s.priority, s.client, s.team, s.manager, s.policy, s.is_open';
        wrapped := 's.request_id::pg_catalog.int8 AS request_id, s.opened_at::pg_catalog.timestamptz AS opened_at, '
                   's.channel::pg_catalog.text AS channel, s.priority::pg_catalog.text AS priority, '
                   's.client::pg_catalog.text AS client, s.team::pg_catalog.text AS team, '
                   's.manager::pg_catalog.text AS manager, s.policy::pg_catalog.text AS policy, '
                   's.is_open::pg_catalog.bool AS is_open';
        rettype := 'TABLE (request_id pg_catalog.int8, opened_at pg_catalog.timestamptz, channel pg_catalog.text, '
                   'priority pg_catalog.text, client pg_catalog.text, team pg_catalog.text, manager pg_catalog.text, '
                   'policy pg_catalog.text, is_open pg_catalog.bool)';
    ELSIF source = 'events' THEN
        cols := 's.request_id, s.at, s.kind, s.seq';
        wrapped := 's.request_id::pg_catalog.int8 AS request_id, s.at::pg_catalog.timestamptz AS at, '
                   's.kind::pg_catalog.text AS kind, s.seq::pg_catalog.int8 AS seq';
        rettype := 'TABLE (request_id pg_catalog.int8, at pg_catalog.timestamptz, kind pg_catalog.text, seq pg_catalog.int8)';
    ELSE
        RAISE EXCEPTION 'unknown SLA source "%"', source
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The sources are requests and events.';
    END IF;
    IF query IS NULL THEN
        fn := format('SELECT %s FROM @extschema@.%I AS s', cols, 'sla_model_' || source);
    ELSE
        EXECUTE format('CREATE OR REPLACE VIEW @extschema@.%I WITH (security_invoker = true) AS SELECT %s FROM (%s) AS s',
                       'sla_bound_' || source, wrapped, query);
        EXECUTE format('GRANT SELECT ON @extschema@.%I TO cs_service_bi, cs_service_writer', 'sla_bound_' || source);
        fn := format('SELECT %s FROM @extschema@.%I AS s', cols, 'sla_bound_' || source);
    END IF;
    EXECUTE format('CREATE OR REPLACE FUNCTION @extschema@.%I() RETURNS %s LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                   'sla_source_' || source, rettype, fn);
    IF query IS NULL AND to_regclass('@extschema@.sla_bound_' || source) IS NOT NULL THEN
        EXECUTE format('DROP VIEW @extschema@.%I', 'sla_bound_' || source);
    END IF;
END
$$;

REVOKE ALL ON FUNCTION @extschema@.sla_apply_binding(pg_catalog.text, pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@.sla_bindings_apply()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM @extschema@.sla_apply_binding(OLD.source, NULL);
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.source <> OLD.source THEN
        PERFORM @extschema@.sla_apply_binding(OLD.source, NULL);
    END IF;
    PERFORM @extschema@.sla_apply_binding(NEW.source, NEW.query);
    RETURN NEW;
END
$$;

CREATE TRIGGER sla_bindings_apply AFTER INSERT OR UPDATE OR DELETE ON @extschema@.sla_bindings
    FOR EACH ROW EXECUTE FUNCTION @extschema@.sla_bindings_apply();

CREATE FUNCTION @extschema@.sla_bind(source pg_catalog.text, query pg_catalog.text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF source IS NULL OR source NOT IN ('requests', 'events') THEN
        RAISE EXCEPTION 'unknown SLA source "%"', source
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The sources are requests and events.',
                  HINT = 'SELECT cs_service.sla_bind(''events'', ''SELECT ticket_id AS request_id, at, kind, id AS seq FROM crm.ticket_events'').';
    END IF;
    INSERT INTO @extschema@.sla_bindings AS b (source, query) VALUES (sla_bind.source, sla_bind.query)
        ON CONFLICT ON CONSTRAINT sla_bindings_pkey
        DO UPDATE SET query = excluded.query, updated_at = now();
END
$$;

COMMENT ON FUNCTION @extschema@.sla_bind(pg_catalog.text, pg_catalog.text) IS
'Point a source (requests or events) at a query over your own tables; survives pg_dump and restore';

CREATE FUNCTION @extschema@.sla_unbind(source pg_catalog.text)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    DELETE FROM @extschema@.sla_bindings AS b WHERE b.source = sla_unbind.source;
END;

COMMENT ON FUNCTION @extschema@.sla_unbind(pg_catalog.text) IS
'Point a source back at the default model';

REVOKE ALL ON FUNCTION @extschema@.sla_bind(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.sla_unbind(pg_catalog.text) FROM PUBLIC;

-- ---- Derived views (internal: they expose the clock type) ---------------------------------------

-- Each request with its policy, calendar and warning threshold.  A request no rule matches has
-- no SLA and appears in no SLA view.
CREATE VIEW @extschema@.sla_request_policies WITH (security_invoker = true) AS
SELECT r.request_id, r.opened_at, r.channel, r.priority, r.client, r.team, r.manager, r.is_open,
       p.name AS policy,
       coalesce(c.calendar, p.calendar,
                'UTC; mon-sun 00:00-24:00'::@extschema@.business_calendar) AS calendar,
       p.warning_pct
  FROM @extschema@.sla_source_requests() AS r
  JOIN @extschema@.sla_policies AS p
    ON p.name = coalesce(r.policy,
                         @extschema@.sla_policy_for(r.client, r.channel, r.priority, r.opened_at))
  LEFT JOIN @extschema@.calendars AS c ON c.name = p.calendar_name;

-- Each request with its clock, advanced to now().
CREATE VIEW @extschema@.sla_request_clocks WITH (security_invoker = true) AS
SELECT rp.request_id, rp.opened_at, rp.channel, rp.priority, rp.client, rp.team, rp.manager,
       rp.is_open, rp.policy, rp.calendar, rp.warning_pct,
       @extschema@.sla_clock_at(k.clock, pg_catalog.now(), rp.calendar) AS clock
  FROM @extschema@.sla_request_policies AS rp
 CROSS JOIN LATERAL (
        SELECT @extschema@.sla_clock_agg(e.at, e.kind, rp.calendar ORDER BY e.at, e.seq) AS clock
          FROM @extschema@.sla_source_events() AS e
         WHERE e.request_id = rp.request_id) AS k
 WHERE k.clock IS NOT NULL;

-- Each request and metric with a target: the target in effect when the request was opened, the
-- most specific first (channel and priority, then priority, then channel, then neither).
CREATE VIEW @extschema@.sla_request_metrics WITH (security_invoker = true) AS
SELECT rc.request_id, rc.opened_at, rc.channel, rc.priority, rc.client, rc.team, rc.manager,
       rc.policy, rc.calendar, rc.warning_pct, rc.clock, t.metric, t.target,
       @extschema@.sla_metric_started_at(rc.clock, t.metric) AS started_at,
       @extschema@.sla_metric_stopped_at(rc.clock, t.metric) AS stopped_at,
       @extschema@.sla_metric_elapsed(rc.clock, t.metric) AS elapsed,
       @extschema@.sla_metric_worst(rc.clock, t.metric) AS worst
  FROM @extschema@.sla_request_clocks AS rc
 CROSS JOIN LATERAL (
        SELECT DISTINCT ON (st.metric) st.metric, st.target
          FROM @extschema@.sla_targets AS st
         WHERE st.policy = rc.policy
           AND st.valid_from <= rc.opened_at
           AND (st.channel IS NULL OR st.channel = rc.channel)
           AND (st.priority IS NULL OR st.priority = rc.priority)
           -- (refers to the clock, so the clock is computed once per request, before this)
           AND @extschema@.sla_metric_started_at(rc.clock, st.metric) IS NOT NULL
         ORDER BY st.metric, (st.channel IS NOT NULL AND st.priority IS NOT NULL) DESC,
                  (st.priority IS NOT NULL) DESC, (st.channel IS NOT NULL) DESC,
                  st.valid_from DESC) AS t
 WHERE t.target IS NOT NULL;

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
  FROM @extschema@.sla_request_metrics AS m
 WHERE m.opened_at <= pg_catalog.now()
   AND @extschema@.is_open(m.clock);

COMMENT ON VIEW @extschema@.sla_status IS
'Live SLA status of every open request, per metric: target, due, elapsed and remaining minutes, % used, state ok / warning / breached (met / missed once the metric stopped)';

-- ---- sla_compliance: per period, outcome of every metric whose outcome is known -----------------

-- Each request and metric with its outcome: met (the worst instance within the target), missed
-- (an instance over it, even while the request is still open), or NULL while it can still go
-- either way.  A first response is decided when it stops; the other metrics when the request is
-- resolved (a reopen makes them undecided again unless already missed).
CREATE VIEW @extschema@.sla_outcomes WITH (security_invoker = true) AS
SELECT m.request_id, m.opened_at, m.channel, m.priority, m.client, m.team, m.manager, m.policy,
       m.metric, m.target, m.worst,
       CASE
           WHEN m.worst > m.target THEN false
           WHEN m.metric = 'first_response' AND m.stopped_at IS NOT NULL THEN true
           WHEN @extschema@.phase(m.clock) = 'resolved' THEN true
       END AS met
  FROM @extschema@.sla_request_metrics AS m;

-- Requests are counted in the day, ISO week (from Monday) and month they were opened in, in the
-- session's time zone.  One row per grain, period, channel, priority, team, manager, client,
-- policy and metric.  Filter on grain, or on day, week or month: only that grain is computed.
CREATE VIEW @extschema@.sla_compliance WITH (security_invoker = true) AS
SELECT 'day'::pg_catalog.text AS grain, x.period, x.period AS day, NULL::pg_catalog.date AS week, NULL::pg_catalog.date AS month,
       x.channel, x.priority, x.team, x.manager, x.client, x.policy, x.metric, x.requests, x.met,
       x.missed, x.pending,
       @extschema@.sla_pct(x.summary) AS sla_pct,
       (@extschema@.sla_interval(x.summary)).lower AS sla_pct_low,
       (@extschema@.sla_interval(x.summary)).upper AS sla_pct_high,
       pg_catalog.date_part('epoch', @extschema@.percentile(x.durations, 0.5)) / 60 AS median_minutes,
       pg_catalog.date_part('epoch', @extschema@.percentile(x.durations, 0.9)) / 60 AS p90_minutes
  FROM (SELECT o.opened_at::pg_catalog.date AS period,
               o.channel, o.priority, o.team, o.manager, o.client, o.policy, o.metric,
               count(o.met) AS requests,
               count(*) FILTER (WHERE o.met) AS met,
               count(*) FILTER (WHERE NOT o.met) AS missed,
               count(*) FILTER (WHERE o.met IS NULL) AS pending,
               @extschema@.sla_agg(o.met) AS summary,
               @extschema@.duration_agg(o.worst) FILTER (WHERE o.met IS NOT NULL) AS durations
          FROM @extschema@.sla_outcomes AS o
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) AS x
UNION ALL
SELECT 'week'::pg_catalog.text AS grain, x.period, NULL::pg_catalog.date AS day, x.period AS week, NULL::pg_catalog.date AS month,
       x.channel, x.priority, x.team, x.manager, x.client, x.policy, x.metric, x.requests, x.met,
       x.missed, x.pending,
       @extschema@.sla_pct(x.summary) AS sla_pct,
       (@extschema@.sla_interval(x.summary)).lower AS sla_pct_low,
       (@extschema@.sla_interval(x.summary)).upper AS sla_pct_high,
       pg_catalog.date_part('epoch', @extschema@.percentile(x.durations, 0.5)) / 60 AS median_minutes,
       pg_catalog.date_part('epoch', @extschema@.percentile(x.durations, 0.9)) / 60 AS p90_minutes
  FROM (SELECT pg_catalog.date_trunc('week', o.opened_at)::pg_catalog.date AS period,
               o.channel, o.priority, o.team, o.manager, o.client, o.policy, o.metric,
               count(o.met) AS requests,
               count(*) FILTER (WHERE o.met) AS met,
               count(*) FILTER (WHERE NOT o.met) AS missed,
               count(*) FILTER (WHERE o.met IS NULL) AS pending,
               @extschema@.sla_agg(o.met) AS summary,
               @extschema@.duration_agg(o.worst) FILTER (WHERE o.met IS NOT NULL) AS durations
          FROM @extschema@.sla_outcomes AS o
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) AS x
UNION ALL
SELECT 'month'::pg_catalog.text AS grain, x.period, NULL::pg_catalog.date AS day, NULL::pg_catalog.date AS week, x.period AS month,
       x.channel, x.priority, x.team, x.manager, x.client, x.policy, x.metric, x.requests, x.met,
       x.missed, x.pending,
       @extschema@.sla_pct(x.summary) AS sla_pct,
       (@extschema@.sla_interval(x.summary)).lower AS sla_pct_low,
       (@extschema@.sla_interval(x.summary)).upper AS sla_pct_high,
       pg_catalog.date_part('epoch', @extschema@.percentile(x.durations, 0.5)) / 60 AS median_minutes,
       pg_catalog.date_part('epoch', @extschema@.percentile(x.durations, 0.9)) / 60 AS p90_minutes
  FROM (SELECT pg_catalog.date_trunc('month', o.opened_at)::pg_catalog.date AS period,
               o.channel, o.priority, o.team, o.manager, o.client, o.policy, o.metric,
               count(o.met) AS requests,
               count(*) FILTER (WHERE o.met) AS met,
               count(*) FILTER (WHERE NOT o.met) AS missed,
               count(*) FILTER (WHERE o.met IS NULL) AS pending,
               @extschema@.sla_agg(o.met) AS summary,
               @extschema@.duration_agg(o.worst) FILTER (WHERE o.met IS NOT NULL) AS durations
          FROM @extschema@.sla_outcomes AS o
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) AS x;

COMMENT ON VIEW @extschema@.sla_compliance IS
'SLA % per day / week / month (grain, period, and a day, week or month column) x channel x priority x team x manager x client x policy x metric: requests decided, met, missed, pending, sla_pct with its 95 % Wilson interval, median and p90 SLA time in minutes';

-- ---- Breach checks ---------------------------------------------------------------------------

CREATE TABLE @extschema@.sla_alerts (
    id                  pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    recorded_at         pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    request_id          pg_catalog.int8 NOT NULL,
    metric              pg_catalog.text NOT NULL,
    kind                pg_catalog.text NOT NULL CHECK (kind IN ('warning', 'breach')),
    instance_started_at pg_catalog.timestamptz NOT NULL,
    cycle               pg_catalog.int4 NOT NULL,
    policy              pg_catalog.text NOT NULL,
    due_at              pg_catalog.timestamptz,
    target_minutes      pg_catalog.float8 NOT NULL,
    elapsed_minutes     pg_catalog.float8 NOT NULL,
    CONSTRAINT sla_alerts_once UNIQUE (request_id, metric, instance_started_at, kind)
);

CREATE INDEX sla_alerts_recorded_at ON @extschema@.sla_alerts (recorded_at);

COMMENT ON TABLE @extschema@.sla_alerts IS
'Warnings and breaches recorded by cs_service.check_sla(), each once per metric instance';

CREATE FUNCTION @extschema@.check_sla()
RETURNS pg_catalog.int4
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a record;
    n int := 0;
BEGIN
    FOR a IN
        INSERT INTO @extschema@.sla_alerts AS al
               (request_id, metric, kind, instance_started_at, cycle, policy, due_at,
                target_minutes, elapsed_minutes)
        SELECT s.request_id, s.metric,
               CASE s.state WHEN 'breached' THEN 'breach' ELSE 'warning' END,
               s.started_at, s.cycle, s.policy, s.due_at, s.target_minutes, s.elapsed_minutes
          FROM @extschema@.sla_status AS s
         WHERE s.state IN ('warning', 'breached')
           AND NOT EXISTS (SELECT FROM @extschema@.sla_alerts AS o
                            WHERE o.request_id = s.request_id AND o.metric = s.metric
                              AND o.instance_started_at = s.started_at
                              AND o.kind = CASE s.state WHEN 'breached' THEN 'breach' ELSE 'warning' END)
         -- one order for every run, so overlapping runs wait on each other's rows in the same
         -- order and never deadlock; the unique key makes the second one skip them
         ORDER BY s.request_id, s.metric, s.started_at, s.state
        ON CONFLICT ON CONSTRAINT sla_alerts_once DO NOTHING
        RETURNING al.id, al.request_id, al.metric, al.kind, al.due_at, al.policy, al.cycle
    LOOP
        PERFORM pg_notify('cs_service_sla', json_build_object(
            'alert_id', a.id, 'request_id', a.request_id, 'metric', a.metric, 'kind', a.kind,
            'due_at', a.due_at, 'policy', a.policy, 'cycle', a.cycle)::text);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@.check_sla() IS
'Records each newly reached warning and breach once in cs_service.sla_alerts, NOTIFYs channel cs_service_sla per alert (JSON payload), returns how many it recorded';

-- ---- pg_dump keeps user rows of every table of the model and of the configuration ------------

SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_policies', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_targets', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_policy_rules', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_bindings', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.requests', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.request_events', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_alerts', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.requests_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.request_events_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_alerts_id_seq', '');

-- ---- Roles ---------------------------------------------------------------------------------------
-- cs_service_bi: reads the SLA views (and, because they are security_invoker views, the rows
-- they read: row-level security on those applies).  Writes nothing, runs no check.
-- cs_service_writer: writes the model, the policies and the alerts, and runs check_sla().
-- Roles are cluster-wide; they are created if missing and never dropped by DROP EXTENSION.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'cs_service_bi') THEN
        CREATE ROLE cs_service_bi NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'cs_service_writer') THEN
        CREATE ROLE cs_service_writer NOLOGIN;
    END IF;
END
$$;

REVOKE ALL ON @extschema@.sla_policies, @extschema@.sla_targets, @extschema@.sla_policy_rules,
    @extschema@.sla_bindings, @extschema@.requests, @extschema@.request_events,
    @extschema@.sla_alerts FROM PUBLIC;
REVOKE ALL ON @extschema@.sla_model_requests, @extschema@.sla_model_events,
    @extschema@.sla_request_policies, @extschema@.sla_request_clocks,
    @extschema@.sla_request_metrics, @extschema@.sla_status, @extschema@.sla_outcomes,
    @extschema@.sla_compliance FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.check_sla() FROM PUBLIC;

GRANT SELECT ON @extschema@.sla_status, @extschema@.sla_compliance, @extschema@.sla_alerts
    TO cs_service_bi;
GRANT SELECT ON @extschema@.sla_model_requests, @extschema@.sla_model_events,
    @extschema@.sla_request_policies, @extschema@.sla_request_clocks,
    @extschema@.sla_request_metrics, @extschema@.sla_outcomes, @extschema@.requests,
    @extschema@.request_events, @extschema@.sla_policies, @extschema@.sla_targets,
    @extschema@.sla_policy_rules TO cs_service_bi;

GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.requests, @extschema@.request_events,
    @extschema@.sla_policies, @extschema@.sla_targets, @extschema@.sla_policy_rules
    TO cs_service_writer;
GRANT SELECT, INSERT ON @extschema@.sla_alerts TO cs_service_writer;
GRANT SELECT ON @extschema@.sla_model_requests, @extschema@.sla_model_events,
    @extschema@.sla_request_policies, @extschema@.sla_request_clocks,
    @extschema@.sla_request_metrics, @extschema@.sla_status, @extschema@.sla_outcomes,
    @extschema@.sla_compliance, @extschema@.sla_bindings TO cs_service_writer;
GRANT USAGE ON SEQUENCE @extschema@.requests_id_seq, @extschema@.request_events_id_seq,
    @extschema@.sla_alerts_id_seq TO cs_service_writer;
GRANT EXECUTE ON FUNCTION @extschema@.check_sla() TO cs_service_writer;
