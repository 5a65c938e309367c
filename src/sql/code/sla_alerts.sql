-- ---- Breach checks ----------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.check_sla()
RETURNS pg_catalog.int4
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a record;
    n int := 0;
    stored bool := cs_service_internal.sla_state_in_use();
    due int8[];
BEGIN
    -- the default model: only the requests whose next warning or breach instant has passed
    -- (the next-due index, src/sql/code/sla_state.sql); a bound CRM: every open request
    IF stored THEN
        due := cs_service_internal.sla_state_claim();
        IF cardinality(due) = 0 THEN
            RETURN 0;
        END IF;
    END IF;
    FOR a IN
        INSERT INTO @extschema@.sla_alerts AS al
               (request_id, metric, kind, instance_started_at, cycle, policy, due_at,
                target_minutes, elapsed_minutes, client)
        SELECT s.request_id, s.metric,
               CASE s.state WHEN 'breached' THEN 'breach' ELSE 'warning' END,
               s.started_at, s.cycle, s.policy, s.due_at, s.target_minutes, s.elapsed_minutes, s.client
          FROM @extschema@.sla_status AS s
         WHERE s.state IN ('warning', 'breached')
           AND (NOT stored OR s.request_id = ANY (due))
           AND NOT EXISTS (SELECT FROM cs_service_internal.sla_source_request_alerts(s.request_id, s.client) AS o
                            WHERE o.metric = s.metric
                              AND o.instance_started_at = s.started_at
                              AND o.kind = CASE s.state WHEN 'breached' THEN 'breach' ELSE 'warning' END
                              AND o.retracted_at IS NULL)
         -- one order for every run, so overlapping runs wait on each other's rows in the same
         -- order and never deadlock; the unique index makes the second one skip them
         ORDER BY s.request_id, s.metric, s.started_at, s.state
        ON CONFLICT (request_id, metric, instance_started_at, kind, client) WHERE retracted_at IS NULL
        DO NOTHING
        RETURNING al.id, al.request_id, al.metric, al.kind, al.due_at, al.policy, al.cycle
    LOOP
        PERFORM pg_notify('cs_service_sla', json_build_object(
            'alert_id', a.id, 'request_id', a.request_id, 'metric', a.metric, 'kind', a.kind,
            'due_at', a.due_at, 'policy', a.policy, 'cycle', a.cycle)::text);
        n := n + 1;
    END LOOP;
    IF stored THEN
        PERFORM cs_service_internal.sla_state_dues(due);
    END IF;
    RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@.check_sla() IS
'Records each newly reached warning and breach once in cs_service.sla_alerts, NOTIFYs channel cs_service_sla per alert (JSON payload), returns how many it recorded';

