-- ============================================================================================
-- Stored SLA state (doc/sla.md, "Stored clocks"): the triggers that keep
-- cs_service_internal.sla_clocks and sla_clock_due equal to a refold of the model's log, the
-- retraction of alerts a correction disproves, and the claim check_sla() makes on what is due.
--
-- Who keeps what:
--   * an event written after the request's last one (the live case) is folded into the stored
--     clock: constant work per request, the log is not read;
--   * an event written before it (back-dated, out of order), an event updated or deleted, a
--     moved opening, a changed policy, channel or priority, a calendar edited: the requests
--     touched are refolded from their logs, and their alerts recorded after the earliest
--     instant the change moved are checked again (sla_alerts_review);
--   * a target or warning threshold changed: the due instants of the policy's open requests.
-- The functions are SECURITY DEFINER: the state is a fold of the whole log, whatever the writer
-- may read under row-level security.
-- ============================================================================================

-- Each request of the default model with its policy's calendar and warning threshold.
CREATE VIEW cs_service_internal.sla_model_request_calendars WITH (security_invoker = true) AS
SELECT r.id AS request_id, r.opened_at, r.channel, r.priority, r.is_open, r.policy,
       p.calendar, p.warning_pct, p.pause_parties, r.client
  FROM @extschema@.requests AS r
  JOIN cs_service_internal.sla_policy_calendars AS p ON p.policy = r.policy;

-- The due instants of the requests' running metrics (ids NULL: every open request), recomputed
-- from their stored clocks, the targets, and the alerts recorded so far.  A candidate instant is
-- a second early (check_sla() decides on the exact state); one already passed is -infinity.
CREATE FUNCTION cs_service_internal.sla_state_dues(ids pg_catalog.int8[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF ids IS NULL THEN
        DELETE FROM cs_service_internal.sla_clock_due;
    ELSE
        DELETE FROM cs_service_internal.sla_clock_due AS d WHERE d.request_id = ANY (ids);
    END IF;
    INSERT INTO cs_service_internal.sla_clock_due AS d
           (request_id, metric, started_at, target, warning_at, breach_at, check_at, client)
    SELECT x.request_id, x.metric, x.started_at, x.target, x.warning_at, x.breach_at,
           least(CASE WHEN NOT x.warned AND NOT x.breached THEN x.warning_at END,
                 CASE WHEN NOT x.breached THEN x.breach_at END),
           x.client
      FROM (SELECT m.request_id, r.client, t.metric, t.target, m.started_at,
                   -- the warning as sla_status decides it; the breach is the first instant
                   -- past the target (a clock stopped exactly at it has not breached)
                   CASE WHEN 100 * pg_catalog.date_part('epoch', m.elapsed)
                             >= r.warning_pct * pg_catalog.date_part('epoch', t.target) THEN '-infinity'
                        ELSE @extschema@.sla_metric_due(k.clock, t.metric, m.warning, r.calendar) - interval '1 second'
                   END AS warning_at,
                   CASE WHEN m.elapsed > t.target THEN '-infinity'
                        ELSE @extschema@.sla_metric_due(k.clock, t.metric, t.target + interval '1 microsecond',
                                                        r.calendar) - interval '1 second'
                   END AS breach_at,
                   EXISTS (SELECT FROM cs_service_internal.sla_source_request_alerts(r.request_id, r.client) AS a
                            WHERE a.metric = t.metric
                              AND a.instance_started_at = m.started_at AND a.kind = 'warning'
                              AND a.retracted_at IS NULL) AS warned,
                   EXISTS (SELECT FROM cs_service_internal.sla_source_request_alerts(r.request_id, r.client) AS a
                            WHERE a.metric = t.metric
                              AND a.instance_started_at = m.started_at AND a.kind = 'breach'
                              AND a.retracted_at IS NULL) AS breached
              FROM cs_service_internal.sla_model_request_calendars AS r
             -- the stored clock (by id and client: on Citus both live on the client's shard),
             -- advanced to now.  (Citus pushes neither a sub-select without FROM that calls
             -- now() nor an OFFSET 0 in a lateral subquery into the shards; only the open
             -- requests get here, so evaluating the advance once per use costs little.)
             CROSS JOIN LATERAL (SELECT @extschema@.sla_clock_at(s.clock, now(), r.calendar) AS clock
                                   FROM cs_service_internal.sla_source_stored_clock(r.request_id, r.client) AS s) AS k
             CROSS JOIN LATERAL cs_service_internal.sla_request_targets(
                    r.policy, r.opened_at, r.channel, r.priority, k.clock) AS t
             CROSS JOIN LATERAL (SELECT r.request_id,
                                        @extschema@.sla_metric_started_at(k.clock, t.metric) AS started_at,
                                        @extschema@.sla_metric_elapsed(k.clock, t.metric) AS elapsed,
                                        t.target * (r.warning_pct / 100) AS warning) AS m
             WHERE (ids IS NULL OR r.request_id = ANY (ids))
               AND r.is_open
               AND @extschema@.is_open(k.clock)
               AND @extschema@.sla_metric_stopped_at(k.clock, t.metric) IS NULL) AS x;
END
$$;

COMMENT ON FUNCTION cs_service_internal.sla_state_dues(pg_catalog.int8[]) IS
'Recomputes sla_clock_due for the given requests (NULL: all) from their stored clocks';

-- Whether an alert still holds on the log as it is now: the clock of the events up to the
-- instant the alert was recorded, advanced to it, had the alert's metric instance running (or
-- paused) over its target (breach) or at its warning threshold (warning).
CREATE FUNCTION cs_service_internal.sla_alert_holds(a @extschema@.sla_alerts)
RETURNS pg_catalog.bool
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT coalesce(
        (SELECT CASE WHEN a.kind = 'breach' THEN m.elapsed > t.target
                     ELSE 100 * pg_catalog.date_part('epoch', m.elapsed)
                          >= r.warning_pct * pg_catalog.date_part('epoch', t.target)
                END
           FROM cs_service_internal.sla_model_request_calendars AS r
          CROSS JOIN LATERAL (
                 SELECT @extschema@.sla_clock_at(
                            @extschema@.sla_clock_agg(e.at, e.kind, r.calendar, r.pause_parties ORDER BY e.at, e.seq),
                            a.recorded_at, r.calendar) AS clock
                   FROM cs_service_internal.sla_model_events AS e
                  WHERE e.request_id = r.request_id AND e.at <= a.recorded_at) AS k
          CROSS JOIN LATERAL cs_service_internal.sla_request_targets(
                 r.policy, r.opened_at, r.channel, r.priority, k.clock) AS t
          CROSS JOIN LATERAL (SELECT @extschema@.sla_metric_elapsed(k.clock, t.metric) AS elapsed) AS m
          WHERE r.request_id = a.request_id
            AND t.metric = a.metric
            AND @extschema@.is_open(k.clock)
            AND @extschema@.sla_metric_started_at(k.clock, t.metric) = a.instance_started_at
            AND @extschema@.sla_metric_stopped_at(k.clock, t.metric) IS NULL),
        false);
END;

COMMENT ON FUNCTION cs_service_internal.sla_alert_holds(@extschema@.sla_alerts) IS
'Whether the warning or breach still happened on the log as corrected since it was recorded';

-- The alerts of the requests recorded after `since` that the corrected log disproves: marked
-- retracted (never deleted), with a NOTIFY of kind retraction on channel cs_service_sla.
CREATE FUNCTION cs_service_internal.sla_alerts_review(ids pg_catalog.int8[], since pg_catalog.timestamptz)
RETURNS pg_catalog.int4
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a record;
    n int := 0;
BEGIN
    FOR a IN
        UPDATE @extschema@.sla_alerts AS al
           SET retracted_at = now()
         WHERE al.request_id = ANY (ids) AND al.retracted_at IS NULL
           AND al.recorded_at >= since
           AND NOT cs_service_internal.sla_alert_holds(al)
        RETURNING al.id, al.request_id, al.metric, al.kind, al.policy, al.cycle
    LOOP
        PERFORM pg_notify('cs_service_sla', json_build_object(
            'alert_id', a.id, 'request_id', a.request_id, 'metric', a.metric,
            'kind', 'retraction', 'retracts', a.kind, 'policy', a.policy, 'cycle', a.cycle)::text);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

COMMENT ON FUNCTION cs_service_internal.sla_alerts_review(pg_catalog.int8[], pg_catalog.timestamptz) IS
'Retracts the alerts of the requests, recorded since the instant, that their corrected logs disprove';

-- Refold the requests (ids NULL: every request) from their logs, review their alerts recorded
-- since `since`, then their due instants.
CREATE FUNCTION cs_service_internal.sla_state_refold(ids pg_catalog.int8[],
                                                     since pg_catalog.timestamptz DEFAULT '-infinity')
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF ids IS NULL THEN
        DELETE FROM cs_service_internal.sla_clocks;
    ELSE
        -- the rows in one order, so that concurrent writers never deadlock on them
        PERFORM FROM cs_service_internal.sla_clocks AS s
          WHERE s.request_id = ANY (ids) ORDER BY s.request_id FOR UPDATE;
        DELETE FROM cs_service_internal.sla_clocks AS s WHERE s.request_id = ANY (ids);
    END IF;
    INSERT INTO cs_service_internal.sla_clocks (request_id, policy, calendar, last_at, last_seq, clock, client)
    SELECT r.request_id, r.policy, r.calendar, k.last_at,
           coalesce((SELECT max(e.id) FROM @extschema@.request_events AS e
                      WHERE e.request_id = r.request_id AND e.at = k.last_at), 0),
           k.clock, r.client
      FROM cs_service_internal.sla_model_request_calendars AS r
     CROSS JOIN LATERAL (
            SELECT c.clock, @extschema@.asof(c.clock) AS last_at
              FROM (SELECT @extschema@.sla_clock_agg(e.at, e.kind, r.calendar, r.pause_parties ORDER BY e.at, e.seq) AS clock
                      FROM cs_service_internal.sla_model_events AS e
                     WHERE e.request_id = r.request_id) AS c) AS k
     WHERE (ids IS NULL OR r.request_id = ANY (ids));
    -- the alerts first: the due instants skip what has a standing alert
    PERFORM cs_service_internal.sla_alerts_review(
        coalesce(ids, ARRAY(SELECT DISTINCT a.request_id FROM @extschema@.sla_alerts AS a
                             WHERE a.retracted_at IS NULL)), since);
    PERFORM cs_service_internal.sla_state_dues(ids);
END
$$;

COMMENT ON FUNCTION cs_service_internal.sla_state_refold(pg_catalog.int8[], pg_catalog.timestamptz) IS
'Refolds the stored clocks of the requests (NULL: all) from their logs, their due instants, and reviews their alerts';

-- Rebuild the whole stored state (after a pg_restore with triggers disabled, for instance).
CREATE FUNCTION cs_service_internal.sla_state_rebuild()
RETURNS pg_catalog.int8
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    LOCK TABLE @extschema@.requests, @extschema@.request_events IN SHARE MODE;
    PERFORM cs_service_internal.sla_state_refold(NULL);
    RETURN (SELECT count(*) FROM cs_service_internal.sla_clocks);
END
$$;

COMMENT ON FUNCTION cs_service_internal.sla_state_rebuild() IS
'Refolds every stored SLA clock and due instant from the model''s log; returns how many requests';

-- ---- The triggers --------------------------------------------------------------------------------

-- requests inserted: a clock with its opening; deleted: their state goes; TRUNCATE: all of it.
CREATE FUNCTION cs_service_internal.sla_state_requests()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM cs_service_internal.citus_refuse_shard_write(TG_TABLE_SCHEMA, TG_TABLE_NAME, 'the stored SLA clocks');
    IF TG_OP = 'INSERT' THEN
        INSERT INTO cs_service_internal.sla_clocks (request_id, policy, calendar, last_at, last_seq, clock, client)
        SELECT n.id, r.policy, r.calendar, n.opened_at, 0,
               @extschema@.sla_clock_trans(NULL, n.opened_at, 'opened', r.calendar, r.pause_parties),
               r.client
          FROM sla_new_requests AS n
          JOIN cs_service_internal.sla_model_request_calendars AS r ON r.request_id = n.id;
        PERFORM cs_service_internal.sla_state_dues(ARRAY(SELECT n.id FROM sla_new_requests AS n));
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM cs_service_internal.sla_clock_due AS d
         WHERE d.request_id IN (SELECT o.id FROM sla_old_requests AS o);
        DELETE FROM cs_service_internal.sla_clocks AS s
         WHERE s.request_id IN (SELECT o.id FROM sla_old_requests AS o);
    ELSE  -- TRUNCATE
        DELETE FROM cs_service_internal.sla_clock_due;
        DELETE FROM cs_service_internal.sla_clocks;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sla_state_insert AFTER INSERT ON @extschema@.requests
    REFERENCING NEW TABLE AS sla_new_requests
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.sla_state_requests();
CREATE TRIGGER sla_state_delete AFTER DELETE ON @extschema@.requests
    REFERENCING OLD TABLE AS sla_old_requests
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.sla_state_requests();
CREATE TRIGGER sla_state_truncate AFTER TRUNCATE ON @extschema@.requests
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.sla_state_requests();

-- A request's opening, policy, channel or priority changed: refold it; its client changed: the
-- stored state follows.  (A row trigger: PostgreSQL gives no transition tables to UPDATE OF
-- triggers; such updates are rare.)
CREATE FUNCTION cs_service_internal.sla_state_request_changed()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM cs_service_internal.citus_refuse_shard_write(TG_TABLE_SCHEMA, TG_TABLE_NAME, 'the stored SLA clocks');
    IF NEW.opened_at IS DISTINCT FROM OLD.opened_at OR NEW.policy IS DISTINCT FROM OLD.policy
       OR NEW.channel IS DISTINCT FROM OLD.channel OR NEW.priority IS DISTINCT FROM OLD.priority
       OR NEW.id IS DISTINCT FROM OLD.id THEN
        IF NEW.id IS DISTINCT FROM OLD.id THEN
            DELETE FROM cs_service_internal.sla_clock_due AS d WHERE d.request_id = OLD.id;
            DELETE FROM cs_service_internal.sla_clocks AS s WHERE s.request_id = OLD.id;
        END IF;
        PERFORM cs_service_internal.sla_state_refold(ARRAY[NEW.id]::int8[]);
    END IF;
    -- the stored state carries the request's client (on Citus it lives on the client's shard)
    IF NEW.client IS DISTINCT FROM OLD.client THEN
        UPDATE cs_service_internal.sla_clocks AS s SET client = NEW.client
         WHERE s.request_id = NEW.id AND s.client IS DISTINCT FROM NEW.client;
        UPDATE cs_service_internal.sla_clock_due AS d SET client = NEW.client
         WHERE d.request_id = NEW.id AND d.client IS DISTINCT FROM NEW.client;
        UPDATE @extschema@.sla_alerts AS a SET client = NEW.client
         WHERE a.request_id = NEW.id AND a.client IS DISTINCT FROM NEW.client;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sla_state_update AFTER UPDATE OF id, opened_at, policy, channel, priority, client
    ON @extschema@.requests
    FOR EACH ROW EXECUTE FUNCTION cs_service_internal.sla_state_request_changed();

-- request_events written.  INSERT: the requests whose new events all come after their stored
-- last event are folded on; the others (out of order, back-dated) refolded.  UPDATE, DELETE:
-- the requests touched are refolded.  Then the alerts recorded after the earliest instant the
-- statement wrote are reviewed.
CREATE FUNCTION cs_service_internal.sla_state_events()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    touched int8[];
    folded int8[] := '{}';
    since timestamptz;
BEGIN
    PERFORM cs_service_internal.citus_refuse_shard_write(TG_TABLE_SCHEMA, TG_TABLE_NAME, 'the stored SLA clocks');
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM cs_service_internal.sla_state_refold(NULL);
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        touched := ARRAY(SELECT DISTINCT n.request_id FROM sla_new_events AS n ORDER BY 1);
        since := (SELECT min(n.at) FROM sla_new_events AS n);
        PERFORM FROM cs_service_internal.sla_clocks AS s
          WHERE s.request_id = ANY (touched) ORDER BY s.request_id FOR UPDATE;
        -- (joins and aggregates only: a transition table has no index, and a bulk load
        -- brings millions of rows)
        folded := ARRAY(
            SELECT s.request_id
              FROM (SELECT DISTINCT ON (n.request_id) n.request_id, n.at, n.id
                      FROM sla_new_events AS n
                     ORDER BY n.request_id, n.at, n.id) AS f
              JOIN cs_service_internal.sla_clocks AS s ON s.request_id = f.request_id
             WHERE f.at > s.last_at OR (f.at = s.last_at AND f.id > s.last_seq)
             ORDER BY 1);
        WITH f AS (
            SELECT s.request_id,
                   cs_service_internal.sla_clock_resume(s.clock, n.at, n.kind, s.calendar
                                                        ORDER BY n.at, n.id) AS clock,
                   max(n.at) AS last_at,
                   (pg_catalog.array_agg(n.id ORDER BY n.at DESC, n.id DESC))[1] AS last_seq
              FROM sla_new_events AS n
              JOIN cs_service_internal.sla_clocks AS s ON s.request_id = n.request_id
             WHERE n.request_id = ANY (folded)
             GROUP BY s.request_id)
        UPDATE cs_service_internal.sla_clocks AS s
           SET clock = f.clock, last_at = f.last_at, last_seq = f.last_seq
          FROM f
         WHERE s.request_id = f.request_id;
    ELSE
        IF TG_OP = 'UPDATE' THEN
            touched := ARRAY(SELECT n.request_id FROM sla_new_events AS n
                             UNION SELECT o.request_id FROM sla_old_events AS o ORDER BY 1);
            since := least((SELECT min(n.at) FROM sla_new_events AS n),
                           (SELECT min(o.at) FROM sla_old_events AS o));
        ELSE
            touched := ARRAY(SELECT DISTINCT o.request_id FROM sla_old_events AS o ORDER BY 1);
            since := (SELECT min(o.at) FROM sla_old_events AS o);
        END IF;
    END IF;
    IF cardinality(folded) > 0 THEN
        PERFORM cs_service_internal.sla_alerts_review(folded, since);
        PERFORM cs_service_internal.sla_state_dues(folded);
    END IF;
    IF cardinality(folded) < cardinality(touched) THEN
        PERFORM cs_service_internal.sla_state_refold(
            ARRAY(SELECT pg_catalog.unnest(touched) EXCEPT SELECT pg_catalog.unnest(folded) ORDER BY 1), since);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sla_state_insert AFTER INSERT ON @extschema@.request_events
    REFERENCING NEW TABLE AS sla_new_events
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.sla_state_events();
CREATE TRIGGER sla_state_update AFTER UPDATE ON @extschema@.request_events
    REFERENCING NEW TABLE AS sla_new_events OLD TABLE AS sla_old_events
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.sla_state_events();
CREATE TRIGGER sla_state_delete AFTER DELETE ON @extschema@.request_events
    REFERENCING OLD TABLE AS sla_old_events
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.sla_state_events();
CREATE TRIGGER sla_state_truncate AFTER TRUNCATE ON @extschema@.request_events
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.sla_state_events();

-- A policy's calendar or pause parties changed (history rewrite) or a named calendar edited:
-- refold the requests measured with it.  A warning threshold changed: their due instants.
CREATE FUNCTION cs_service_internal.sla_state_policy_changed()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM cs_service_internal.citus_refuse_shard_write(TG_TABLE_SCHEMA, TG_TABLE_NAME, 'the stored SLA clocks of the requests it measures');
    IF TG_TABLE_NAME = 'calendars' THEN
        IF NEW.calendar OPERATOR(@extschema@.<>) OLD.calendar THEN
            PERFORM cs_service_internal.sla_state_refold(ARRAY(
                SELECT r.id FROM @extschema@.requests AS r
                  JOIN @extschema@.sla_policies AS p ON p.name = r.policy
                 WHERE p.calendar_name = NEW.name ORDER BY r.id));
        END IF;
    ELSIF NEW.calendar_name IS DISTINCT FROM OLD.calendar_name
          OR (NEW.calendar IS NULL) <> (OLD.calendar IS NULL)
          OR NEW.calendar OPERATOR(@extschema@.<>) OLD.calendar
          OR NOT (NEW.pause_parties OPERATOR(pg_catalog.<@) OLD.pause_parties
                  AND NEW.pause_parties OPERATOR(pg_catalog.@>) OLD.pause_parties) THEN
        PERFORM cs_service_internal.sla_state_refold(ARRAY(
            SELECT r.id FROM @extschema@.requests AS r WHERE r.policy = NEW.name ORDER BY r.id));
    ELSIF NEW.warning_pct IS DISTINCT FROM OLD.warning_pct THEN
        PERFORM cs_service_internal.sla_state_dues(ARRAY(
            SELECT r.id FROM @extschema@.requests AS r WHERE r.is_open AND r.policy = NEW.name));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sla_state_update AFTER UPDATE ON @extschema@.sla_policies
    FOR EACH ROW EXECUTE FUNCTION cs_service_internal.sla_state_policy_changed();
CREATE TRIGGER sla_state_update AFTER UPDATE ON @extschema@.calendars
    FOR EACH ROW EXECUTE FUNCTION cs_service_internal.sla_state_policy_changed();

-- Targets written: the due instants of the open requests of the policies touched, and their
-- alerts reviewed (a target rewritten in place may disprove a breach).
CREATE FUNCTION cs_service_internal.sla_state_targets_changed()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ids int8[];
BEGIN
    PERFORM cs_service_internal.citus_refuse_shard_write(TG_TABLE_SCHEMA, TG_TABLE_NAME, 'the stored SLA clocks of the requests it measures');
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT r.id FROM @extschema@.requests AS r
                      WHERE r.is_open AND r.policy IN (SELECT n.policy FROM sla_new_targets AS n));
    ELSIF TG_OP = 'UPDATE' THEN
        ids := ARRAY(SELECT r.id FROM @extschema@.requests AS r
                      WHERE r.is_open AND r.policy IN (SELECT n.policy FROM sla_new_targets AS n
                                                       UNION SELECT o.policy FROM sla_old_targets AS o));
    ELSE
        ids := ARRAY(SELECT r.id FROM @extschema@.requests AS r
                      WHERE r.is_open AND r.policy IN (SELECT o.policy FROM sla_old_targets AS o));
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM cs_service_internal.sla_alerts_review(ids, '-infinity');
    END IF;
    PERFORM cs_service_internal.sla_state_dues(ids);
    RETURN NULL;
END
$$;

CREATE TRIGGER sla_state_insert AFTER INSERT ON @extschema@.sla_targets
    REFERENCING NEW TABLE AS sla_new_targets
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.sla_state_targets_changed();
CREATE TRIGGER sla_state_update AFTER UPDATE ON @extschema@.sla_targets
    REFERENCING NEW TABLE AS sla_new_targets OLD TABLE AS sla_old_targets
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.sla_state_targets_changed();
CREATE TRIGGER sla_state_delete AFTER DELETE ON @extschema@.sla_targets
    REFERENCING OLD TABLE AS sla_old_targets
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.sla_state_targets_changed();

-- ---- What check_sla() reads -----------------------------------------------------------------------

-- The requests with a metric due for a look (check_at passed), locked for this check; a
-- request being written right now is skipped (its writer recomputes its dues; the next check
-- sees it).  On Citus a row lock is taken on one shard at a time (a FOR UPDATE across shards is
-- refused), so there the same claim goes request by request (by id and client, which names the
-- shard), in the same order.
CREATE FUNCTION cs_service_internal.sla_state_claim()
RETURNS pg_catalog.int8[]
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    due record;
    claimed int8[] := '{}';
BEGIN
    IF NOT cs_service_internal.citus_by_client() THEN
        RETURN ARRAY(
            SELECT s.request_id
              FROM cs_service_internal.sla_clocks AS s
             WHERE s.request_id IN (SELECT d.request_id FROM cs_service_internal.sla_clock_due AS d
                                     WHERE d.check_at <= now())
             ORDER BY s.request_id
               FOR UPDATE SKIP LOCKED);
    END IF;
    FOR due IN SELECT u.request_id, u.client FROM cs_service_internal.sla_clock_due AS u
                WHERE u.check_at <= now() GROUP BY u.request_id, u.client ORDER BY u.request_id LOOP
        PERFORM FROM cs_service_internal.sla_clocks AS s
          WHERE s.request_id = due.request_id AND s.client = due.client FOR UPDATE SKIP LOCKED;
        IF FOUND THEN
            claimed := claimed || due.request_id;
        END IF;
    END LOOP;
    RETURN claimed;
END
$$;

COMMENT ON FUNCTION cs_service_internal.sla_state_claim() IS
'The requests with a warning or breach instant passed and no alert for it yet, locked for check_sla()';
