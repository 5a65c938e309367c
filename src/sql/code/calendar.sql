-- ---- Named calendars: the lookup ---------------------------------------------------------------

CREATE FUNCTION @extschema@.calendar(name pg_catalog.text)
RETURNS @extschema@.business_calendar
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result @extschema@.business_calendar;
BEGIN
    SELECT c.calendar INTO result
      FROM @extschema@.calendars AS c
     WHERE c.name OPERATOR(pg_catalog.=) calendar.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'business calendar "%" does not exist', calendar.name
            USING ERRCODE = 'undefined_object',
                  HINT = 'Add it first: INSERT INTO cs_service.calendars (name, calendar) VALUES (''office'', ''Europe/Moscow; mon-fri 09:00-18:00'').';
    END IF;
    RETURN result;
END
$$;

COMMENT ON FUNCTION @extschema@.calendar(pg_catalog.text) IS 'The named calendar from cs_service.calendars';
