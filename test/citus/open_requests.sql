-- test/citus/open_requests.sql: requests open now, for test/citus/model.sh (run in both databases
-- before the distribution).  The demo agency's requests are all decided by its "as of" instant,
-- so without these sla_status is empty and check_sla() records nothing.  Each has its first
-- response late (stopped, breached) and is waiting on the client (its resolution paused past
-- its target), so the rows sla_status shows do not change while the two databases are read; and
-- check_sla() records their breaches: through the next-due index, the claim and the insert of
-- the alerts, on the client's shard.  Instants are whole days before today (UTC), the same in
-- both databases.
-- (today and tomorrow are off in their calendar, so neither the paused clocks nor the business
-- time waited on the client move while the databases are read, even across midnight)
INSERT INTO cs_service.sla_policies (name, calendar, pause_parties)
SELECT 'citus-open', format('UTC; mon-sun 00:00-24:00; %s off; %s off', d, d + 1)::cs_service.business_calendar, '{client}'
  FROM (SELECT (now() AT TIME ZONE 'UTC')::date AS d) AS t;
INSERT INTO cs_service.sla_targets (policy, metric, target)
VALUES ('citus-open', 'first_response', '1 hour'), ('citus-open', 'resolution', '4 hours');
INSERT INTO cs_service.requests (id, opened_at, channel, client, policy)
SELECT 990000 + g, date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '2 days',
       'email', c.client_id, 'citus-open'
  FROM generate_series(1, 12) AS g
  JOIN (SELECT client_id, row_number() OVER (ORDER BY client_id) AS n FROM cs_service.clients) AS c ON c.n = g * 7;
INSERT INTO cs_service.request_events (request_id, at, kind)
SELECT r.id, r.opened_at + e.after, e.kind
  FROM cs_service.requests AS r
 CROSS JOIN (VALUES (interval '2 hours', 'agent_reply'), (interval '5 hours', 'waiting_on_client')) AS e (after, kind)
 WHERE r.id > 990000;
