-- ============================================================================================
-- SLA policies: calendars, targets, the rules that choose a policy (doc/sla.md)
-- ============================================================================================

-- ---- Policies -----------------------------------------------------------------------------------

CREATE TABLE @extschema@.sla_policies (
    name          pg_catalog.text PRIMARY KEY CHECK (name <> ''),
    calendar_name pg_catalog.text REFERENCES @extschema@.calendars (name) ON UPDATE CASCADE,
    calendar      @extschema@.business_calendar,
    warning_pct   pg_catalog.float8 NOT NULL DEFAULT 75
                  CHECK (warning_pct > 0 AND warning_pct < 100),
    description   pg_catalog.text,
    created_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    -- the communication rhythm of the clients on this policy (the agency scorecard)
    status_every_days     pg_catalog.int4 NOT NULL DEFAULT 5
        CONSTRAINT sla_policies_status_every_days_range
        CHECK (status_every_days BETWEEN 1 AND 366),
    meeting_report_within pg_catalog.interval NOT NULL DEFAULT '4 hours'
        CONSTRAINT sla_policies_meeting_report_within_hours
        CHECK (meeting_report_within > interval '0'
               AND pg_catalog.date_part('day', meeting_report_within) = 0
               AND pg_catalog.date_part('month', meeting_report_within) = 0),
    -- whose waits stop the clocks of this policy (doc/sla.md, "Whom a wait is on")
    pause_parties pg_catalog.text[] NOT NULL DEFAULT '{client,third_party}'
        CONSTRAINT sla_policies_pause_parties_known
        CHECK (pause_parties OPERATOR(pg_catalog.<@) '{client,third_party,internal}'::pg_catalog.text[]
               AND pg_catalog.array_position(pause_parties, NULL) IS NULL),
    CONSTRAINT sla_policies_one_calendar CHECK (calendar_name IS NULL OR calendar IS NULL)
);

COMMENT ON TABLE @extschema@.sla_policies IS
'SLA policies: a calendar (named, literal, or none for 24/7), a warning threshold and the communication rhythm; targets in sla_targets';
COMMENT ON COLUMN @extschema@.sla_policies.pause_parties IS
'The parties (client, third_party, internal) whose waits stop the clocks of this policy (default: client and third party)';
COMMENT ON COLUMN @extschema@.sla_policies.status_every_days IS
'Communication rhythm: a status update is due this many business days after the previous one (default 5: weekly)';
COMMENT ON COLUMN @extschema@.sla_policies.meeting_report_within IS
'Communication rhythm: a meeting''s report is due this much business time after the meeting (default 4 hours)';

CREATE TABLE @extschema@.sla_targets (
    policy     pg_catalog.text NOT NULL REFERENCES @extschema@.sla_policies (name)
               ON UPDATE CASCADE ON DELETE CASCADE,
    metric     pg_catalog.text NOT NULL,
    channel    pg_catalog.text,             -- NULL: any channel
    priority   pg_catalog.text,             -- NULL: any priority
    target     pg_catalog.interval,         -- NULL: no target for this key from valid_from on
    valid_from pg_catalog.timestamptz NOT NULL DEFAULT '-infinity',
    created_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT sla_targets_metric_known
        CHECK (metric IN ('first_response', 'next_response', 'resolution', 'periodic_update')),
    CONSTRAINT sla_targets_target_positive CHECK (target > interval '0'),
    CONSTRAINT sla_targets_key UNIQUE NULLS NOT DISTINCT (policy, metric, channel, priority, valid_from)
);

COMMENT ON TABLE @extschema@.sla_targets IS
'Targets per policy, metric, channel and priority (NULL = any), versioned by valid_from: a request uses the versions in effect when it was opened';

CREATE TABLE @extschema@.sla_policy_rules (
    policy     pg_catalog.text REFERENCES @extschema@.sla_policies (name) ON UPDATE CASCADE,
               -- NULL: from valid_from on, this key selects no policy
    client     pg_catalog.text,             -- NULL: any client
    channel    pg_catalog.text,             -- NULL: any channel
    priority   pg_catalog.text,             -- NULL: any priority
    valid_from pg_catalog.timestamptz NOT NULL DEFAULT '-infinity',
    created_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT sla_policy_rules_key UNIQUE NULLS NOT DISTINCT (client, channel, priority, valid_from)
);

COMMENT ON TABLE @extschema@.sla_policy_rules IS
'Which policy a request gets: the most specific rule (client, then channel, then priority) in effect when it was opened';


SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_policies', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_targets', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_policy_rules', '');
