-- ---- Stand-alone clock functions ---------------------------------------------------------------

-- sla_elapsed: business time in [start, stop) minus the business time of the paused ranges.
CREATE FUNCTION @extschema@.sla_elapsed(
    start pg_catalog.timestamptz, stop pg_catalog.timestamptz, cal @extschema@.business_calendar,
    paused pg_catalog.tstzmultirange DEFAULT '{}')
RETURNS pg_catalog.interval
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    lo timestamptz := least(start, stop);
    hi timestamptz := greatest(start, stop);
    total interval;
    p tstzrange;
BEGIN
    total := @extschema@.business_duration(lo, hi, cal);
    FOR p IN SELECT u FROM pg_catalog.unnest(paused) AS u LOOP
        IF (lower_inf(p) OR lower(p) < hi) AND (upper_inf(p) OR upper(p) > lo) THEN
            total := total - @extschema@.business_duration(
                greatest(lower(p), lo), least(upper(p), hi), cal);
        END IF;
    END LOOP;
    IF stop < start THEN
        RETURN -total;
    END IF;
    RETURN total;
END
$$;

COMMENT ON FUNCTION @extschema@.sla_elapsed(pg_catalog.timestamptz, pg_catalog.timestamptz, @extschema@.business_calendar, pg_catalog.tstzmultirange) IS
'SLA time from start to stop: business time minus the business time inside the paused ranges; negative when stop < start';

-- sla_due: the earliest instant t >= start with sla_elapsed(start, t, cal, paused) = target.
CREATE FUNCTION @extschema@.sla_due(
    start pg_catalog.timestamptz, target pg_catalog.interval, cal @extschema@.business_calendar,
    paused pg_catalog.tstzmultirange DEFAULT '{}')
RETURNS pg_catalog.timestamptz
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cur timestamptz := start;
    remaining interval := target;
    candidate timestamptz;
    p tstzrange;
BEGIN
    IF extract(month FROM target) <> 0 OR extract(day FROM target) <> 0 THEN
        RAISE EXCEPTION 'SLA target must not have days or months'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('The target was %s; a business day has no fixed length.', target),
                  HINT = 'Give the target in hours, e.g. interval ''24 hours''.';
    END IF;
    IF target <= interval '0' THEN
        RAISE EXCEPTION 'SLA target must be positive'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('The target was %s.', target),
                  HINT = 'Give the target as a positive interval, e.g. interval ''2 hours''.';
    END IF;
    -- the multirange's ranges are disjoint and in order
    FOR p IN SELECT u FROM pg_catalog.unnest(paused) AS u LOOP
        CONTINUE WHEN NOT upper_inf(p) AND upper(p) <= cur;
        IF lower_inf(p) OR lower(p) <= cur THEN
            -- the clock stands from cur until the pause ends
            IF upper_inf(p) THEN
                RETURN 'infinity';
            END IF;
            cur := upper(p);
            CONTINUE;
        END IF;
        candidate := @extschema@.business_add(cur, remaining, cal);
        IF candidate <= lower(p) THEN
            RETURN candidate;
        END IF;
        remaining := remaining - @extschema@.business_duration(cur, lower(p), cal);
        IF upper_inf(p) THEN
            RETURN 'infinity';
        END IF;
        cur := upper(p);
    END LOOP;
    RETURN @extschema@.business_add(cur, remaining, cal);
END
$$;

COMMENT ON FUNCTION @extschema@.sla_due(pg_catalog.timestamptz, pg_catalog.interval, @extschema@.business_calendar, pg_catalog.tstzmultirange) IS
'When an SLA clock started at start reaches target: paused time pushes the deadline out; infinity if it falls in a pause that never ends';

