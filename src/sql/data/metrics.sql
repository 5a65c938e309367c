
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
