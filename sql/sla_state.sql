-- Stored SLA state (doc/sla.md, "Stored clocks"): the clock and next-due rows the triggers keep,
-- check_sla() through the next-due index, retractions, and the bad inputs with their SQLSTATE.
SET timezone = 'UTC';
SET extra_float_digits = 0;
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
\set SHOW_CONTEXT never

INSERT INTO cs_service.calendars (name, calendar) VALUES ('state-office', 'UTC; mon-fri 09:00-18:00');
INSERT INTO cs_service.sla_policies (name, calendar_name) VALUES ('state', 'state-office');
INSERT INTO cs_service.sla_targets (policy, metric, target) VALUES
    ('state', 'first_response', '2 hours'),
    ('state', 'resolution', '8 hours');

-- Whether every stored clock equals a refold of its log.
CREATE FUNCTION pg_temp.stored_equals_refold() RETURNS bool LANGUAGE sql AS $$
    SELECT bool_and(s.clock::text = f.clock::text)
      FROM cs_service_internal.sla_clocks AS s
     CROSS JOIN LATERAL (
            SELECT cs_service.sla_clock_agg(e.at, e.kind, c.calendar ORDER BY e.at, e.seq) AS clock
              FROM cs_service_internal.sla_model_events AS e
              JOIN cs_service.requests AS r ON r.id = e.request_id
              JOIN cs_service_internal.sla_policy_calendars AS c ON c.policy = r.policy
             WHERE e.request_id = s.request_id) AS f
$$;

-- A request opened Monday 2026-01-05 09:00: its stored clock and its due rows (a second before
-- each instant; the warning at 75 % of the target).
INSERT INTO cs_service.requests (id, opened_at, channel, policy) VALUES (1, '2026-01-05 09:00', 'email', 'state');
SELECT request_id, policy, last_at, last_seq, cs_service.phase(clock) AS phase, cs_service.replies(clock) AS replies
  FROM cs_service_internal.sla_clocks ORDER BY request_id;
SELECT request_id, metric, started_at, target, warning_at, breach_at, check_at
  FROM cs_service_internal.sla_clock_due ORDER BY request_id, metric;

-- The check records both breaches (the warnings are passed over: the breach is what holds now);
-- then nothing is due until something changes.
SELECT cs_service.check_sla();
SELECT request_id, metric, kind, instance_started_at, due_at, retracted_at IS NOT NULL AS retracted
  FROM cs_service.sla_alerts ORDER BY id;
SELECT count(*) AS due_rows_with_check FROM cs_service_internal.sla_clock_due WHERE check_at IS NOT NULL;
SELECT cs_service.check_sla();

-- A reply logged late: the agent answered at 10:00.  The first-response breach did not happen:
-- it is retracted, not deleted.
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (1, '2026-01-05 10:00', 'agent_reply');
SELECT request_id, metric, kind, retracted_at IS NOT NULL AS retracted FROM cs_service.sla_alerts ORDER BY id;

-- A back-dated pause: "the client has been waiting since Monday 12:00" (3 business hours used
-- of 8).  The resolution breach is retracted too; nothing is due while the clock is paused.
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (1, '2026-01-05 12:00', 'waiting_on_client');
SELECT request_id, metric, kind, retracted_at IS NOT NULL AS retracted FROM cs_service.sla_alerts ORDER BY id;
SELECT request_id, metric, warning_at, breach_at, check_at FROM cs_service_internal.sla_clock_due ORDER BY metric;
SELECT cs_service.check_sla();

-- The client answered on Wednesday 09:00: 5 business hours later the resolution is breached
-- (Wednesday 14:00), so the next check records a new breach; the retracted one stays.
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (1, '2026-01-07 09:00', 'customer_message');
SELECT request_id, metric, breach_at FROM cs_service_internal.sla_clock_due ORDER BY metric;
SELECT cs_service.check_sla();
SELECT request_id, metric, kind, due_at, retracted_at IS NOT NULL AS retracted FROM cs_service.sla_alerts ORDER BY id;

-- A batch of events out of time order in one statement: refolded, stored = refold.
INSERT INTO cs_service.requests (id, opened_at, channel, policy) VALUES (2, '2026-01-05 09:00', 'email', 'state');
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES
    (2, '2026-01-06 15:00', 'resolved'),
    (2, '2026-01-05 11:00', 'agent_reply'),
    (2, '2026-01-05 09:30', 'customer_message');
SELECT request_id, last_at, cs_service.phase(clock) AS phase, cs_service.replies(clock) AS replies, cs_service.is_open(clock) AS open
  FROM cs_service_internal.sla_clocks WHERE request_id = 2;
SELECT pg_temp.stored_equals_refold();

-- A change to a resolved request's past (a reply found in another mailbox): the request is
-- re-graded from its log: its first response took 1 h 30 min, not 2 h 00 min.
SELECT metric, elapsed, worst <= target AS met
  FROM cs_service_internal.sla_request_metrics WHERE request_id = 2 ORDER BY metric;
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (2, '2026-01-05 10:30', 'agent_reply');
SELECT metric, elapsed, worst <= target AS met
  FROM cs_service_internal.sla_request_metrics WHERE request_id = 2 ORDER BY metric;

-- A corrected opening: refolded too.
UPDATE cs_service.requests SET opened_at = '2026-01-05 09:15' WHERE id = 2;
SELECT request_id, cs_service.opened_at(clock) FROM cs_service_internal.sla_clocks WHERE request_id = 2;
SELECT pg_temp.stored_equals_refold();

-- ---- Bad input: the statement fails, the stored state is untouched ---------------------------
-- an event for an unknown request
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (99, '2026-01-05 10:00', 'agent_reply');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- an event before the opening, in a batch with good ones
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES
    (2, '2026-01-07 10:00', 'reopened'),
    (2, '2026-01-05 08:00', 'agent_reply');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- an unknown kind
INSERT INTO cs_service.request_events (request_id, at, kind) VALUES (2, '2026-01-07 10:00', 'pending');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- an opening moved past the first event
UPDATE cs_service.requests SET opened_at = '2026-01-05 10:00' WHERE id = 2;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a year typed wrong
INSERT INTO cs_service.request_events (id, request_id, at, kind) VALUES (99990, 2, '20260-01-07 10:00', 'reopened');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT request_id, last_at, cs_service.phase(clock) AS phase, cs_service.replies(clock) AS replies FROM cs_service_internal.sla_clocks ORDER BY 1;
SELECT pg_temp.stored_equals_refold();

-- Deleting an event refolds; deleting a request takes its state with it.
DELETE FROM cs_service.request_events WHERE request_id = 1 AND kind = 'customer_message';
SELECT request_id, cs_service.is_paused(clock) AS paused FROM cs_service_internal.sla_clocks WHERE request_id = 1;
DELETE FROM cs_service.requests WHERE id = 2;
SELECT request_id FROM cs_service_internal.sla_clocks ORDER BY 1;
SELECT DISTINCT request_id FROM cs_service_internal.sla_clock_due ORDER BY 1;

-- The state is derived: a rebuild (after a restore with triggers disabled) refolds it all.
DELETE FROM cs_service_internal.sla_clocks;
SELECT cs_service_internal.sla_state_rebuild();
SELECT pg_temp.stored_equals_refold();

-- Writers and BI readers cannot write the state themselves, nor call the refold.
SET ROLE cs_service_writer;
DELETE FROM cs_service_internal.sla_clocks;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT cs_service_internal.sla_state_rebuild();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;

SET cs_service.allow_history_rewrite = on;
DELETE FROM cs_service.sla_alerts;
DELETE FROM cs_service.requests;
DELETE FROM cs_service.sla_targets WHERE policy = 'state';
DELETE FROM cs_service.sla_policies WHERE name = 'state';
DELETE FROM cs_service.calendars WHERE name = 'state-office';
RESET cs_service.allow_history_rewrite;
