-- ---- SLA policies: the rule lookup and the checks ------------------------------------------------

-- The policy of a request opened at `at`: among the rules in effect then (for each key, the
-- latest valid_from <= at), the most specific match wins: a client match weighs 4, a channel
-- match 2, a priority match 1.  NULL if none matches.
CREATE FUNCTION @extschema@.sla_policy_for(
    client pg_catalog.text, channel pg_catalog.text, priority pg_catalog.text,
    at pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS pg_catalog.text
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT k.policy
      FROM (SELECT DISTINCT ON (r.client, r.channel, r.priority)
                   r.policy,
                   (CASE WHEN r.client IS NULL THEN 0 ELSE 4 END
                    + CASE WHEN r.channel IS NULL THEN 0 ELSE 2 END
                    + CASE WHEN r.priority IS NULL THEN 0 ELSE 1 END) AS weight
              FROM @extschema@.sla_policy_rules AS r
             WHERE r.valid_from <= sla_policy_for.at
               AND (r.client IS NULL OR r.client = sla_policy_for.client)
               AND (r.channel IS NULL OR r.channel = sla_policy_for.channel)
               AND (r.priority IS NULL OR r.priority = sla_policy_for.priority)
             ORDER BY r.client, r.channel, r.priority, r.valid_from DESC) AS k
     WHERE k.policy IS NOT NULL
     ORDER BY k.weight DESC
     LIMIT 1;
END;

COMMENT ON FUNCTION @extschema@.sla_policy_for(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz) IS
'The policy the rules give a request (client, channel, priority) opened at the given instant';

-- The same rules for every client at once, channel and priority unspecified (a client's own
-- policy: cs_service_internal.client_settings): per client key of the rules, and for the default
-- key (client NULL), the policy of the latest rule in effect at `at`, where it names one.  A
-- client's policy is its own row's, else the default row's: what sla_policy_for(client, NULL,
-- NULL, at) gives (only rules without a channel and a priority match; the client match weighs
-- more), as one sort of the rules instead of a lookup per client.
CREATE FUNCTION cs_service_internal.client_rule_policies(at pg_catalog.timestamptz)
RETURNS TABLE (client pg_catalog.text, policy pg_catalog.text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT k.client, k.policy
      FROM (SELECT DISTINCT ON (r.client) r.client, r.policy
              FROM @extschema@.sla_policy_rules AS r
             WHERE r.channel IS NULL AND r.priority IS NULL AND r.valid_from <= client_rule_policies.at
             ORDER BY r.client, r.valid_from DESC) AS k
     WHERE k.policy IS NOT NULL;
END;

COMMENT ON FUNCTION cs_service_internal.client_rule_policies(pg_catalog.timestamptz) IS
'Per client key of the SLA policy rules (NULL: the default), the policy in effect at the given instant for a request without channel and priority';

-- Checks with clear messages, and the history rule: a policy's calendar and the targets and
-- rules already in effect are not changed in place (that would silently re-grade past
-- requests); add a version with a later valid_from instead.  SET cs_service.allow_history_rewrite
-- = on lets a correction through deliberately.
CREATE FUNCTION cs_service_internal.sla_history_rewrite_allowed()
RETURNS pg_catalog.bool
LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce(pg_catalog.current_setting('cs_service.allow_history_rewrite', true), '')
       OPERATOR(pg_catalog.=) ANY (ARRAY['on', 'true', '1', 'yes']);

CREATE FUNCTION cs_service_internal.sla_policies_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad text;
BEGIN
    SELECT coalesce(u.party, 'NULL') INTO bad
      FROM pg_catalog.unnest(NEW.pause_parties) AS u (party)
     WHERE u.party IS NULL OR u.party NOT IN ('client', 'third_party', 'internal')
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'unknown pause party "%" in SLA policy "%"', bad, NEW.name
            USING ERRCODE = 'check_violation',
                  DETAIL = 'The parties a request can wait on are client, third_party and internal.',
                  HINT = 'The default stops the clock on the client and third parties: pause_parties = ''{client,third_party}''; map a vendor or a hosting provider onto third_party.';
    END IF;
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
       AND NOT cs_service_internal.sla_history_rewrite_allowed() THEN
        RAISE EXCEPTION 'cannot change the calendar of SLA policy "%"', OLD.name
            USING ERRCODE = 'object_in_use',
                  DETAIL = 'Requests already measured under this policy would be re-graded with the new calendar.',
                  HINT = 'Create a new policy with the new calendar and point the rules at it from a date on: '
                         'INSERT INTO cs_service.sla_policy_rules (policy, channel, valid_from) VALUES (''standard-2027'', ''email'', ''2027-01-01''). '
                         'To correct a mistake deliberately: SET cs_service.allow_history_rewrite = on.';
    END IF;
    IF TG_OP = 'UPDATE'
       AND NOT (NEW.pause_parties OPERATOR(pg_catalog.<@) OLD.pause_parties
                AND NEW.pause_parties OPERATOR(pg_catalog.@>) OLD.pause_parties)
       AND NOT cs_service_internal.sla_history_rewrite_allowed() THEN
        RAISE EXCEPTION 'cannot change the pause parties of SLA policy "%"', OLD.name
            USING ERRCODE = 'object_in_use',
                  DETAIL = 'Requests already measured under this policy would be re-graded: their waits would stop the clock differently.',
                  HINT = 'Create a new policy with the new pause parties and point the rules at it from a date on. '
                         'To correct a mistake deliberately (every request of the policy is measured again): SET cs_service.allow_history_rewrite = on.';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER sla_policies_check BEFORE INSERT OR UPDATE ON @extschema@.sla_policies
    FOR EACH ROW EXECUTE FUNCTION cs_service_internal.sla_policies_check();

CREATE FUNCTION cs_service_internal.sla_targets_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.valid_from <= now()
       AND NOT cs_service_internal.sla_history_rewrite_allowed() THEN
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
    FOR EACH ROW EXECUTE FUNCTION cs_service_internal.sla_targets_check();

CREATE FUNCTION cs_service_internal.sla_policy_rules_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.valid_from <= now()
       AND NOT cs_service_internal.sla_history_rewrite_allowed() THEN
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
    FOR EACH ROW EXECUTE FUNCTION cs_service_internal.sla_policy_rules_check();

