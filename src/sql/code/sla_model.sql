CREATE FUNCTION cs_service_internal.requests_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    first_event timestamptz;
BEGIN
    IF NOT cs_service_internal.is_record_time(NEW.opened_at) THEN
        RAISE EXCEPTION 'request opened_at must be in [1900-01-01, 9000-01-01) UTC'
            USING ERRCODE = 'check_violation',
                  DETAIL = format('Request %s: the opened_at was %s.', NEW.id, NEW.opened_at),
                  HINT = 'A year such as 20261 is a typo; infinity is not a time a request was opened.';
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
    FOR EACH ROW EXECUTE FUNCTION cs_service_internal.requests_check();

-- request_events: checked per statement (cheap for bulk loads), then is_open is recomputed for
-- the requests touched: open unless the latest of resolved / reopened / customer_message (a
-- message after a resolution reopens) is a resolution.
CREATE FUNCTION cs_service_internal.request_events_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
    touched pg_catalog.int8[] := '{}';
BEGIN
    PERFORM cs_service_internal.citus_refuse_shard_write(TG_TABLE_SCHEMA, TG_TABLE_NAME, 'the stored SLA clocks');
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT n.request_id, n.kind, n.at INTO bad
          FROM sla_new_events AS n
         WHERE n.kind NOT IN ('customer_message', 'agent_reply', 'waiting_on_client',
                              'waiting_on_third_party', 'waiting_on_internal', 'resumed',
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
                      DETAIL = 'The kinds are customer_message, agent_reply, waiting_on_client, waiting_on_third_party, waiting_on_internal, resumed, resolved and reopened.',
                      HINT = 'Record a wait as waiting_on_client, waiting_on_third_party or waiting_on_internal (the party it is on) and its end as ''resumed'' (or, for the client, a ''customer_message'').';
        END IF;
        SELECT n.request_id, n.kind, n.at, r.opened_at INTO bad
          FROM sla_new_events AS n
          JOIN @extschema@.requests AS r ON r.id = n.request_id
         WHERE NOT cs_service_internal.is_record_time(n.at) OR n.at < r.opened_at
         LIMIT 1;
        IF FOUND THEN
            IF NOT cs_service_internal.is_record_time(bad.at) THEN
                RAISE EXCEPTION 'request event time must be in [1900-01-01, 9000-01-01) UTC'
                    USING ERRCODE = 'check_violation',
                          DETAIL = format('Request %s, event %s at %s.', bad.request_id, bad.kind, bad.at);
            END IF;
            RAISE EXCEPTION 'request event is before the request was opened'
                USING ERRCODE = 'check_violation',
                      DETAIL = format('Request %s was opened at %s; the %s event is at %s.',
                                      bad.request_id, bad.opened_at, bad.kind, bad.at),
                      HINT = 'If the request really began earlier, move its opening first: UPDATE cs_service.requests SET opened_at = ... WHERE id = ...';
        END IF;
        touched := ARRAY(SELECT DISTINCT n.request_id FROM sla_new_events AS n);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        touched := touched || ARRAY(SELECT DISTINCT o.request_id FROM sla_old_events AS o);
    END IF;
    -- is_open of every request the statement touched, new and old rows alike
    UPDATE @extschema@.requests AS r
       SET is_open = s.open
      FROM (SELECT t.request_id,
                   (SELECT e.kind FROM @extschema@.request_events AS e
                     WHERE e.request_id = t.request_id
                       AND e.kind IN ('resolved', 'reopened', 'customer_message')
                     ORDER BY e.at DESC, e.id DESC LIMIT 1) IS DISTINCT FROM 'resolved' AS open
              FROM (SELECT DISTINCT u.request_id FROM pg_catalog.unnest(touched) AS u (request_id)) AS t) AS s
     WHERE r.id = s.request_id AND r.is_open IS DISTINCT FROM s.open;
    RETURN NULL;
END
$$;

CREATE TRIGGER request_events_insert AFTER INSERT ON @extschema@.request_events
    REFERENCING NEW TABLE AS sla_new_events
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.request_events_check();
CREATE TRIGGER request_events_update AFTER UPDATE ON @extschema@.request_events
    REFERENCING NEW TABLE AS sla_new_events OLD TABLE AS sla_old_events
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.request_events_check();
CREATE TRIGGER request_events_delete AFTER DELETE ON @extschema@.request_events
    REFERENCING OLD TABLE AS sla_old_events
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.request_events_check();

