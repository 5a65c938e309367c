-- test/citus/aggregates_data.sql: the rows test/citus/aggregates.sql measures, the same in the
-- single-node database and in the cluster (test/citus/run.sh distributes citus_facts afterwards).
-- Deterministic: every value is a hash of the row number, no random().
\set ON_ERROR_STOP 1
SET client_min_messages = error;   -- Citus: the pg_temp helper stays local, as it should
\if :{?rows}
\else
\set rows 200000
\endif

CREATE FUNCTION pg_temp.u(i int8, salt int) RETURNS float8
LANGUAGE sql IMMUTABLE
RETURN (pg_catalog.hashint8(i * 7919 + salt)::int8 + 2147483648) / 4294967296.0;

CREATE TABLE citus_facts (
    id      int8 NOT NULL,
    client  text NOT NULL,
    channel text NOT NULL,
    score   int4,              -- 0..10, NULL for ~5 %
    csat    int4,              -- 1..5
    effort  int4,              -- 1..7
    in_time bool,              -- NULL for ~3 %
    took    interval,          -- 1 minute .. ~3 days, log-spread
    at      timestamptz NOT NULL,
    kind    text NOT NULL,
    PRIMARY KEY (client, id)
);

INSERT INTO citus_facts
SELECT i,
       'client-' || (1 + floor(pg_temp.u(i, 1) * 97)::int),
       (ARRAY['email', 'chat', 'phone'])[1 + floor(pg_temp.u(i, 2) * 3)::int],
       CASE WHEN pg_temp.u(i, 3) < 0.05 THEN NULL ELSE floor(pg_temp.u(i, 4) * 11)::int END,
       1 + floor(pg_temp.u(i, 5) * 5)::int,
       1 + floor(pg_temp.u(i, 6) * 7)::int,
       CASE WHEN pg_temp.u(i, 7) < 0.03 THEN NULL ELSE pg_temp.u(i, 8) < 0.87 END,
       make_interval(secs => 60 * exp(pg_temp.u(i, 9) * 8.4)),
       timestamptz '2026-01-01 00:00+00' + make_interval(secs => pg_temp.u(i, 10) * 3.0e7),
       (ARRAY['customer_message', 'agent_reply', 'waiting_on_client', 'resumed', 'resolved'])
           [1 + floor(pg_temp.u(i, 11) * 5)::int]
  FROM generate_series(1, :rows) AS i;

-- summaries stored per client and day, as a rollup table would hold them
CREATE TABLE citus_daily AS
SELECT client, at::date AS day,
       cs_service.score_agg(score) AS scores,
       cs_service.sla_agg(in_time) AS slas,
       cs_service.duration_agg(took) AS took
  FROM citus_facts GROUP BY 1, 2;
ALTER TABLE citus_daily ADD PRIMARY KEY (client, day);

ANALYZE citus_facts;
ANALYZE citus_daily;
