-- test/citus/crm.sql: a CRM's own tables bound with sla_bind, for test/citus/model.sh.
--
--     psql -v distribute=1 -f test/citus/crm.sql     (0 on the single node)
--
-- Copies the demo agency's requests and events into crm.tickets and crm.ticket_events (the
-- CRM's names and shapes, not the model's), distributes both by the ticket id, co-located, where
-- distribute is 1, and binds the SLA engine's two sources to them (model.sh unbinds and drops
-- the schema after).  As doc/citus.md says for a CRM on Citus: the policy is given in the bound
-- query (a NULL policy would make every shard task look the rules up in a reference table, which
-- Citus refuses), and the events come from one table that holds the opening too (Citus cannot
-- push a UNION ALL into the per-request fold).

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE SCHEMA crm;
CREATE TABLE crm.tickets (
    id       bigint PRIMARY KEY,
    created  timestamptz NOT NULL,
    via      text NOT NULL,
    prio     text NOT NULL,
    customer text,
    grp      text,
    owner    text,
    plan     text NOT NULL,
    state    text NOT NULL
);
CREATE TABLE crm.ticket_events (
    ticket_id bigint NOT NULL,
    n         bigint NOT NULL,
    at        timestamptz NOT NULL,
    what      text NOT NULL,
    PRIMARY KEY (ticket_id, n)
);
INSERT INTO crm.tickets
SELECT r.id, r.opened_at, r.channel, r.priority, r.client, r.team, r.manager, r.policy,
       CASE WHEN r.is_open THEN 'open' ELSE 'closed' END
  FROM cs_service.requests AS r;
INSERT INTO crm.ticket_events
SELECT r.id, 0, r.opened_at, 'created' FROM cs_service.requests AS r
UNION ALL
SELECT e.request_id, e.id, e.at, e.kind FROM cs_service.request_events AS e;

\if :distribute
SELECT create_distributed_table('crm.tickets', 'id', shard_count => 32) \gset
SELECT create_distributed_table('crm.ticket_events', 'ticket_id', colocate_with => 'crm.tickets') \gset
\endif
ANALYZE crm.tickets, crm.ticket_events;

SELECT cs_service.sla_bind('requests', $$
    SELECT t.id AS request_id, t.created AS opened_at, t.via AS channel, t.prio AS priority,
           t.customer AS client, t.grp AS team, t.owner AS manager, t.plan AS policy,
           t.state <> 'closed' AS is_open
      FROM crm.tickets AS t $$) \gset
SELECT cs_service.sla_bind('events', $$
    SELECT e.ticket_id AS request_id, e.at, CASE e.what WHEN 'created' THEN 'opened' ELSE e.what END AS kind,
           e.n AS seq
      FROM crm.ticket_events AS e $$) \gset
