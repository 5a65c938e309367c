
-- ============================================================================================
-- Business calendars and business-time arithmetic (doc/calendar.md)
-- ============================================================================================

CREATE TYPE @extschema@.business_calendar;

CREATE FUNCTION @extschema@.business_calendar_in(pg_catalog.cstring)
RETURNS @extschema@.business_calendar
AS 'MODULE_PATHNAME', 'business_calendar_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.business_calendar_out(@extschema@.business_calendar)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'business_calendar_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.business_calendar_recv(pg_catalog.internal)
RETURNS @extschema@.business_calendar
AS 'MODULE_PATHNAME', 'business_calendar_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.business_calendar_send(@extschema@.business_calendar)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'business_calendar_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.business_calendar (
    INPUT = @extschema@.business_calendar_in,
    OUTPUT = @extschema@.business_calendar_out,
    RECEIVE = @extschema@.business_calendar_recv,
    SEND = @extschema@.business_calendar_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = extended
);

COMMENT ON TYPE @extschema@.business_calendar IS
'Business hours: a time zone, weekly spans and date rules (holidays, short days, worked weekends); see doc/calendar.md';

CREATE FUNCTION @extschema@.business_calendar_eq(@extschema@.business_calendar, @extschema@.business_calendar)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'business_calendar_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.business_calendar_ne(@extschema@.business_calendar, @extschema@.business_calendar)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'business_calendar_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.business_calendar_hash(@extschema@.business_calendar)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'business_calendar_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.business_calendar,
    RIGHTARG = @extschema@.business_calendar,
    FUNCTION = @extschema@.business_calendar_eq,
    COMMUTATOR = OPERATOR(@extschema@.=),
    NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel,
    JOIN = pg_catalog.eqjoinsel,
    HASHES,
    MERGES
);

CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.business_calendar,
    RIGHTARG = @extschema@.business_calendar,
    FUNCTION = @extschema@.business_calendar_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>),
    NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel,
    JOIN = pg_catalog.neqjoinsel
);

-- A total order by stored bytes, only so that calendars can be sorted (GROUP BY, DISTINCT).
CREATE FUNCTION @extschema@.business_calendar_cmp(@extschema@.business_calendar, @extschema@.business_calendar)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'business_calendar_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.business_calendar_lt(@extschema@.business_calendar, @extschema@.business_calendar)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'business_calendar_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR @extschema@.< (
    LEFTARG = @extschema@.business_calendar,
    RIGHTARG = @extschema@.business_calendar,
    FUNCTION = @extschema@.business_calendar_lt,
    COMMUTATOR = OPERATOR(@extschema@.>),
    NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = pg_catalog.scalarltsel,
    JOIN = pg_catalog.scalarltjoinsel
);

CREATE FUNCTION @extschema@.business_calendar_le(@extschema@.business_calendar, @extschema@.business_calendar)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'business_calendar_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR @extschema@.<= (
    LEFTARG = @extschema@.business_calendar,
    RIGHTARG = @extschema@.business_calendar,
    FUNCTION = @extschema@.business_calendar_le,
    COMMUTATOR = OPERATOR(@extschema@.>=),
    NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = pg_catalog.scalarlesel,
    JOIN = pg_catalog.scalarlejoinsel
);

CREATE FUNCTION @extschema@.business_calendar_gt(@extschema@.business_calendar, @extschema@.business_calendar)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'business_calendar_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR @extschema@.> (
    LEFTARG = @extschema@.business_calendar,
    RIGHTARG = @extschema@.business_calendar,
    FUNCTION = @extschema@.business_calendar_gt,
    COMMUTATOR = OPERATOR(@extschema@.<),
    NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = pg_catalog.scalargtsel,
    JOIN = pg_catalog.scalargtjoinsel
);

CREATE FUNCTION @extschema@.business_calendar_ge(@extschema@.business_calendar, @extschema@.business_calendar)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'business_calendar_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR @extschema@.>= (
    LEFTARG = @extschema@.business_calendar,
    RIGHTARG = @extschema@.business_calendar,
    FUNCTION = @extschema@.business_calendar_ge,
    COMMUTATOR = OPERATOR(@extschema@.<=),
    NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = pg_catalog.scalargesel,
    JOIN = pg_catalog.scalargejoinsel
);

CREATE OPERATOR CLASS @extschema@.business_calendar_btree_ops
DEFAULT FOR TYPE @extschema@.business_calendar USING btree AS
    OPERATOR 1 @extschema@.< (@extschema@.business_calendar, @extschema@.business_calendar),
    OPERATOR 2 @extschema@.<= (@extschema@.business_calendar, @extschema@.business_calendar),
    OPERATOR 3 @extschema@.= (@extschema@.business_calendar, @extschema@.business_calendar),
    OPERATOR 4 @extschema@.>= (@extschema@.business_calendar, @extschema@.business_calendar),
    OPERATOR 5 @extschema@.> (@extschema@.business_calendar, @extschema@.business_calendar),
    FUNCTION 1 @extschema@.business_calendar_cmp(@extschema@.business_calendar, @extschema@.business_calendar);

CREATE OPERATOR CLASS @extschema@.business_calendar_hash_ops
DEFAULT FOR TYPE @extschema@.business_calendar USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.business_calendar, @extschema@.business_calendar),
    FUNCTION 1 @extschema@.business_calendar_hash(@extschema@.business_calendar);

-- The arithmetic.  IMMUTABLE: the result depends only on the arguments and on the time zone
-- database, as for PostgreSQL's own timezone(text, timestamp).

CREATE FUNCTION @extschema@.business_duration(
    "from" pg_catalog.timestamptz, "to" pg_catalog.timestamptz, cal @extschema@.business_calendar)
RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'business_duration' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.business_duration(pg_catalog.timestamptz, pg_catalog.timestamptz, @extschema@.business_calendar) IS
'Business time within [from, to), in hours, minutes and seconds; negative when to < from';

CREATE FUNCTION @extschema@.business_add(
    ts pg_catalog.timestamptz, amount pg_catalog.interval, cal @extschema@.business_calendar)
RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'business_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.business_add(pg_catalog.timestamptz, pg_catalog.interval, @extschema@.business_calendar) IS
'The earliest instant at which the given amount of business time has passed since ts (the latest before ts for a negative amount)';

CREATE FUNCTION @extschema@.business_days_add(
    ts pg_catalog.timestamptz, days pg_catalog.int4, cal @extschema@.business_calendar)
RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'business_days_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.business_days_add(pg_catalog.timestamptz, pg_catalog.int4, @extschema@.business_calendar) IS
'The same local clock time on the n-th following (or preceding, n < 0) business day';

CREATE FUNCTION @extschema@.is_business_time(ts pg_catalog.timestamptz, cal @extschema@.business_calendar)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'is_business_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.next_business_time(ts pg_catalog.timestamptz, cal @extschema@.business_calendar)
RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'next_business_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.business_windows(r pg_catalog.tstzrange, cal @extschema@.business_calendar)
RETURNS pg_catalog.tstzmultirange
AS 'MODULE_PATHNAME', 'business_windows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.business_windows(pg_catalog.tstzrange, @extschema@.business_calendar) IS
'The business time within a range, as a multirange';

-- Named calendars.  pg_dump keeps the rows (pg_extension_config_dump).

CREATE TABLE @extschema@.calendars (
    name        pg_catalog.text PRIMARY KEY
                CHECK (name OPERATOR(pg_catalog.<>) ''),
    calendar    @extschema@.business_calendar NOT NULL,
    description pg_catalog.text,
    updated_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE @extschema@.calendars IS 'Named business calendars, looked up with cs_service.calendar(name)';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.calendars', '');
