#!/bin/bash
# Benchmark of the SLA engine on 1M requests and 10M events (default model), in one run:
#   1. the clock aggregate (sla_clock_agg, business calendar) against count(*) over the same
#      events, grouped by request; also on wall-clock time (no calendar), against an ordered
#      count(kind ORDER BY at, seq) (the per-group sort alone), and on input already sorted by
#      an index (no per-group sort);
#   2. sla_compliance for one month against a plain GROUP BY over the same rows.
# Prints times (best of 3, after a warm-up) and ratios.
#
#   bash bench/sla.sh                  # the running cluster from PG* variables, or a throwaway
#                                      # one made with pg_virtualenv (extension installed)
#   REQUESTS=100000 bash bench/sla.sh  # smaller
#
# Serial plans only (max_parallel_workers_per_gather = 0), jit off, work_mem 256MB for both sides.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${PGHOST:-}" ] && [ -z "${CS_BENCH_INNER:-}" ]; then
	exec env CS_BENCH_INNER=1 pg_virtualenv bash "$0" "$@"
fi

REQUESTS=${REQUESTS:-1000000}
CAL="Europe/Moscow; mon-fri 09:00-18:00; 2025-01-01..2025-01-08 off; 2025-02-24 off; 2025-03-10 off; 2025-05-01..2025-05-04 off; 2025-05-08..2025-05-11 off; 2025-06-12..2025-06-15 off; 2025-11-02..2025-11-04 off; 2025-12-31..2026-01-11 off"

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "# loading $REQUESTS requests and $((REQUESTS * 10)) events"
start=$SECONDS
psql_q <<SQL
CREATE EXTENSION IF NOT EXISTS cs_service;
SET cs_service.allow_history_rewrite = on;
TRUNCATE cs_service.requests CASCADE;
DELETE FROM cs_service.sla_alerts;
DELETE FROM cs_service.sla_policy_rules;
DELETE FROM cs_service.sla_targets;
DELETE FROM cs_service.sla_policies;
DELETE FROM cs_service.calendars WHERE name = 'bench-office';
INSERT INTO cs_service.calendars (name, calendar) VALUES ('bench-office', '$CAL');
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('standard', 'bench-office');
INSERT INTO cs_service.sla_policies (name) VALUES ('chat-24x7');
INSERT INTO cs_service.sla_targets (policy, metric, channel, priority, target) VALUES
    ('standard', 'first_response', NULL, NULL, '24 hours'),
    ('standard', 'first_response', 'email', NULL, '2 hours'),
    ('standard', 'first_response', NULL, 'critical', '1 hour'),
    ('standard', 'next_response', NULL, NULL, '4 hours'),
    ('standard', 'resolution', NULL, NULL, '24 hours'),
    ('standard', 'resolution', NULL, 'critical', '8 hours'),
    ('standard', 'periodic_update', NULL, NULL, '40 hours'),
    ('chat-24x7', 'first_response', NULL, NULL, '15 minutes'),
    ('chat-24x7', 'next_response', NULL, NULL, '30 minutes'),
    ('chat-24x7', 'resolution', NULL, NULL, '24 hours');
INSERT INTO cs_service.sla_policy_rules (policy, channel) VALUES ('standard', NULL), ('chat-24x7', 'chat');

-- bulk load: the model's triggers are skipped (replica mode), is_open is set directly
SET session_replication_role = replica;
SELECT setseed(0.42);
INSERT INTO cs_service.requests (id, opened_at, channel, priority, client, team, manager, policy, is_open)
SELECT g, o, ch,
       (ARRAY['low', 'normal', 'normal', 'normal', 'high', 'critical'])[1 + floor(random() * 6)::int],
       'client-' || floor(random() * 200)::int, 'team-' || (g % 7), 'manager-' || (g % 42),
       CASE ch WHEN 'chat' THEN 'chat-24x7' ELSE 'standard' END,
       false
  FROM (SELECT g, timestamptz '2025-01-01 00:00+03' + random() * interval '364 days' AS o,
               (ARRAY['chat', 'email', 'email', 'phone'])[1 + floor(random() * 4)::int] AS ch
          FROM generate_series(1, $REQUESTS) AS g) AS s;
-- ten events a request: reply, pause, client answer, reply, message, reply, resolved,
-- reopened, reply, resolved, at random gaps of up to 8 hours
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, r.opened_at + sum(k.gap) OVER (PARTITION BY r.id ORDER BY k.n), k.kind
  FROM cs_service.requests AS r
 CROSS JOIN LATERAL (
        SELECT n, kind, random() * interval '8 hours' + r.id * interval '0' AS gap
          FROM unnest(ARRAY['agent_reply', 'waiting_on_client', 'customer_message', 'agent_reply',
                            'customer_message', 'agent_reply', 'resolved', 'reopened',
                            'agent_reply', 'resolved']) WITH ORDINALITY AS u(kind, n)) AS k;
RESET session_replication_role;
-- the stored clocks (doc/sla.md, "Stored clocks"), which a load without triggers leaves empty
SELECT cs_service_internal.sla_state_rebuild();
CREATE INDEX IF NOT EXISTS bench_events_order ON cs_service.request_events (request_id, at, id);
VACUUM ANALYZE cs_service.requests;
VACUUM ANALYZE cs_service.request_events;
SQL
echo "# loaded in $((SECONDS - start)) s: $(psql -X -At -c "SELECT count(*) FROM cs_service.request_events") events, $(psql -X -At -c "SELECT pg_size_pretty(pg_total_relation_size('cs_service.request_events'))")"

SETTINGS=(-c "SET max_parallel_workers_per_gather = 0" -c "SET jit = off" -c "SET work_mem = '256MB'")

# best of 3 wall-clock milliseconds of a query, in one session after a warm-up run
best_ms() {
	psql -X -q -v ON_ERROR_STOP=1 "${SETTINGS[@]}" -c "$1" -c '\timing on' -c "$1" -c "$1" -c "$1" |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -n | head -1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# ---- 1. clock aggregate vs count(*) ----------------------------------------------------------
# same rows (the event log the views read: each request's opening and its ten events, 11M
# rows), same grouping; the clock's result is consumed by an accessor so that it is computed
Q_COUNT="SELECT sum(n) FROM (SELECT request_id, count(*) AS n FROM cs_service_internal.sla_source_events() GROUP BY request_id) AS s"
Q_CLOCK="SELECT sum(cs_service.replies(c)) FROM (SELECT request_id, cs_service.sla_clock_agg(at, kind, '$CAL'::cs_service.business_calendar ORDER BY at, seq) AS c FROM cs_service_internal.sla_source_events() GROUP BY request_id) AS s"
# the floor: the same per-group sort of an ordered aggregate, with a trivial transition
Q_ORDERED_COUNT="SELECT sum(n) FROM (SELECT request_id, count(kind ORDER BY at, seq) AS n FROM cs_service_internal.sla_source_events() GROUP BY request_id) AS s"
Q_CLOCK_WALL="SELECT sum(cs_service.replies(c)) FROM (SELECT request_id, cs_service.sla_clock_agg(at, kind ORDER BY at, seq) AS c FROM cs_service_internal.sla_source_events() GROUP BY request_id) AS s"
# input in (request_id, at, id) order from the index; the aggregate then needs no ORDER BY of
# its own (it checks the order and raises an error if it is wrong)
PRESORTED="SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_hashagg = off"
Q_COUNT_SORTED="$PRESORTED; SELECT sum(n) FROM (SELECT request_id, count(*) AS n FROM (SELECT * FROM cs_service_internal.sla_source_events() ORDER BY request_id, at, seq) AS e GROUP BY request_id) AS s"
Q_CLOCK_SORTED="$PRESORTED; SELECT sum(cs_service.replies(c)) FROM (SELECT request_id, cs_service.sla_clock_agg(at, kind, '$CAL'::cs_service.business_calendar) AS c FROM (SELECT * FROM cs_service_internal.sla_source_events() ORDER BY request_id, at, seq) AS e GROUP BY request_id) AS s"

# they must see the same events
a=$(psql -X -At -c "$Q_COUNT")
b=$(psql -X -At "${SETTINGS[@]}" -c "$Q_CLOCK_SORTED" | tail -1)
echo "# rows counted: $a; agent replies counted by the clocks: $b (4 of every 11 rows)"

t_count=$(best_ms "$Q_COUNT")
t_clock=$(best_ms "$Q_CLOCK")
t_wall=$(best_ms "$Q_CLOCK_WALL")
t_ordered=$(best_ms "$Q_ORDERED_COUNT")
t_count_sorted=$(best_ms "$Q_COUNT_SORTED")
t_clock_sorted=$(best_ms "$Q_CLOCK_SORTED")

# ---- 2. sla_compliance for a month vs a plain GROUP BY --------------------------------------
Q_COMPLIANCE="SELECT count(*), sum(requests), sum(met) FROM cs_service.sla_compliance WHERE grain = 'month' AND month = '2025-06-01'"
Q_PLAIN="SELECT count(*), sum(n) FROM (SELECT date_trunc('month', r.opened_at)::date AS month, r.channel, r.priority, r.team, r.manager, r.client, r.policy, count(*) AS n FROM cs_service.requests AS r JOIN cs_service.request_events AS e ON e.request_id = r.id WHERE date_trunc('month', r.opened_at)::date = '2025-06-01' GROUP BY 1, 2, 3, 4, 5, 6, 7) AS s"
have_compliance=$(psql -X -At -c "SELECT count(*) FROM pg_views WHERE schemaname = 'cs_service' AND viewname = 'sla_compliance'")
if [ "$have_compliance" = 1 ]; then
	month_requests=$(psql -X -At -c "SELECT count(*) FROM cs_service.requests WHERE date_trunc('month', opened_at)::date = '2025-06-01'")
	t_plain=$(best_ms "$Q_PLAIN")
	t_compliance=$(best_ms "$Q_COMPLIANCE")
fi

echo
echo "| query (serial, best of 3) | ms | ratio |"
echo "|---|---:|---:|"
echo "| count(*) per request, 11M rows (hash aggregate) | $t_count | 1.00 |"
echo "| sla_clock_agg(at, kind, cal ORDER BY at, seq) per request | $t_clock | $(ratio "$t_clock" "$t_count") |"
echo "| sla_clock_agg(at, kind ORDER BY at, seq), 24/7, per request | $t_wall | $(ratio "$t_wall" "$t_count") |"
echo "| count(kind ORDER BY at, seq) per request (ordered-aggregate floor) | $t_ordered | $(ratio "$t_ordered" "$t_count") |"
echo "| count(*) per request, input sorted by the index | $t_count_sorted | $(ratio "$t_count_sorted" "$t_count") |"
echo "| sla_clock_agg(at, kind, cal) per request, input sorted by the index | $t_clock_sorted | $(ratio "$t_clock_sorted" "$t_count") (vs sorted count(*): $(ratio "$t_clock_sorted" "$t_count_sorted")) |"
if [ "$have_compliance" = 1 ]; then
	echo "| plain GROUP BY, one month ($month_requests requests and their events) | $t_plain | 1.00 |"
	echo "| sla_compliance, grain month, one month | $t_compliance | $(ratio "$t_compliance" "$t_plain") |"
else
	echo "| sla_compliance | (not installed: needs the metrics aggregates) | |"
fi
