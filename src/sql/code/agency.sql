-- ---- The agency model: reporting settings and quality weights, their checks --------------------

CREATE FUNCTION cs_service_internal.report_settings_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.zone IS NULL OR NEW.zone = '' THEN
        RAISE EXCEPTION 'the reporting zone must be a time zone name'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'UPDATE cs_service.report_settings SET zone = ''Europe/Moscow''.';
    END IF;
    BEGIN
        PERFORM pg_catalog.timezone(NEW.zone, pg_catalog.now());
    EXCEPTION WHEN invalid_parameter_value THEN
        RAISE EXCEPTION 'unknown reporting time zone "%"', NEW.zone
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use a name from pg_timezone_names, e.g. ''Europe/Moscow''.';
    END;
    NEW.singleton := true;
    NEW.updated_at := now();
    IF TG_OP = 'INSERT' AND EXISTS (SELECT FROM @extschema@.report_settings) THEN
        UPDATE @extschema@.report_settings SET zone = NEW.zone;
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER report_settings_check BEFORE INSERT OR UPDATE ON @extschema@.report_settings
    FOR EACH ROW EXECUTE FUNCTION cs_service_internal.report_settings_check();

CREATE FUNCTION cs_service_internal.report_settings_keep()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'cs_service.report_settings must keep its one row'
        USING ERRCODE = 'object_in_use',
              HINT = 'Change the zone instead: UPDATE cs_service.report_settings SET zone = ''UTC''.';
END
$$;

CREATE TRIGGER report_settings_keep BEFORE DELETE OR TRUNCATE ON @extschema@.report_settings
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.report_settings_keep();

CREATE FUNCTION @extschema@.report_zone()
RETURNS pg_catalog.text
LANGUAGE sql STABLE PARALLEL SAFE
-- a string body, not a SQL-standard one: Citus re-parses the text of a SQL function that reads
-- a distributed or reference table and fails on an empty one (doc/citus.md); inlined all the same
AS 'SELECT coalesce((SELECT s.zone FROM @extschema@.report_settings AS s), ''UTC'')';

COMMENT ON FUNCTION @extschema@.report_zone() IS
'The reporting time zone (cs_service.report_settings.zone)';

-- Quality weights: an INSERT of a factor that is already there sets its weight (so pg_restore
-- and scripts can write weights without knowing the defaults); they cannot all be zero.

CREATE FUNCTION cs_service_internal.quality_weights_upsert()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM @extschema@.quality_weights AS w WHERE w.factor = NEW.factor) THEN
        UPDATE @extschema@.quality_weights AS w
           SET weight = NEW.weight, description = coalesce(NEW.description, w.description)
         WHERE w.factor = NEW.factor;
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER quality_weights_upsert BEFORE INSERT ON @extschema@.quality_weights
    FOR EACH ROW EXECUTE FUNCTION cs_service_internal.quality_weights_upsert();

CREATE FUNCTION cs_service_internal.quality_weights_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF coalesce((SELECT sum(w.weight) FROM @extschema@.quality_weights AS w), 0) <= 0 THEN
        RAISE EXCEPTION 'the quality weights cannot all be zero'
            USING ERRCODE = 'check_violation',
                  DETAIL = 'With no positive weight there is no service score to compute.',
                  HINT = 'Give at least one factor a positive weight: UPDATE cs_service.quality_weights SET weight = 15 WHERE factor = ''sla''.';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER quality_weights_check AFTER UPDATE OR DELETE ON @extschema@.quality_weights
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION cs_service_internal.quality_weights_check();

CREATE FUNCTION cs_service_internal.quality_weights_no_truncate()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'the quality weights cannot all be removed'
        USING ERRCODE = 'check_violation',
              HINT = 'Set the weights you do not want to 0: UPDATE cs_service.quality_weights SET weight = 0 WHERE factor = ''ces''.';
END
$$;

CREATE TRIGGER quality_weights_no_truncate BEFORE TRUNCATE ON @extschema@.quality_weights
    FOR EACH STATEMENT EXECUTE FUNCTION cs_service_internal.quality_weights_no_truncate();
