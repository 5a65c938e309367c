
-- ============================================================================================
-- Privileges: the complete grants of the extension's objects, applied after every install and
-- every update (an update first revokes what earlier releases granted these roles).
--   PUBLIC             the calendars and settings, and the functions that read nothing private
--   cs_service_bi      reads the views of cs_service and, as far as those security_invoker
--                      views read them, the model tables and the internal building blocks
--   cs_service_writer  writes the model and the configuration, runs check_sla() and the rollups
-- ============================================================================================

GRANT USAGE ON SCHEMA cs_service_internal TO cs_service_bi, cs_service_writer;

-- ---- Tables of the model and the configuration --------------------------------------------------
REVOKE ALL ON @extschema@.calendars, @extschema@.report_settings, @extschema@.quality_weights,
    @extschema@.sla_policies, @extschema@.sla_targets, @extschema@.sla_policy_rules,
    @extschema@.sla_bindings, @extschema@.requests, @extschema@.request_events,
    @extschema@.sla_alerts, @extschema@.clients, @extschema@.orders, @extschema@.projects,
    @extschema@.deliverables, @extschema@.surveys, @extschema@.escalations,
    @extschema@.complaints, @extschema@.activities, @extschema@.qa_reviews FROM PUBLIC;
GRANT SELECT ON @extschema@.calendars, @extschema@.report_settings, @extschema@.quality_weights
    TO PUBLIC;
GRANT SELECT ON @extschema@.sla_policies, @extschema@.sla_targets, @extschema@.sla_policy_rules,
    @extschema@.requests, @extschema@.request_events, @extschema@.sla_alerts,
    @extschema@.clients, @extschema@.orders, @extschema@.projects, @extschema@.deliverables,
    @extschema@.surveys, @extschema@.escalations, @extschema@.complaints,
    @extschema@.activities, @extschema@.qa_reviews TO cs_service_bi;
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.sla_policies, @extschema@.sla_targets,
    @extschema@.sla_policy_rules, @extschema@.requests, @extschema@.request_events,
    @extschema@.clients, @extschema@.orders, @extschema@.projects, @extschema@.deliverables,
    @extschema@.surveys, @extschema@.escalations, @extschema@.complaints,
    @extschema@.activities, @extschema@.qa_reviews, @extschema@.quality_weights
    TO cs_service_writer;
GRANT SELECT ON @extschema@.sla_bindings TO cs_service_writer;
GRANT UPDATE ON @extschema@.report_settings TO cs_service_writer;
GRANT SELECT, INSERT ON @extschema@.sla_alerts TO cs_service_writer;
GRANT USAGE ON SEQUENCE @extschema@.requests_id_seq, @extschema@.request_events_id_seq,
    @extschema@.sla_alerts_id_seq, @extschema@.orders_order_id_seq,
    @extschema@.projects_project_id_seq, @extschema@.deliverables_deliverable_id_seq,
    @extschema@.surveys_survey_id_seq, @extschema@.escalations_escalation_id_seq,
    @extschema@.complaints_complaint_id_seq, @extschema@.activities_activity_id_seq
    TO cs_service_writer;

-- ---- The views for BI ---------------------------------------------------------------------------
REVOKE ALL ON @extschema@.sla_status, @extschema@.sla_compliance, @extschema@.client_scorecard,
    @extschema@.team_scorecard, @extschema@.retention, @extschema@.delivery_adherence,
    @extschema@.deliverable_quality, @extschema@.communication_rhythm,
    @extschema@.complaint_patterns, @extschema@.qa_results, @extschema@.at_risk_clients,
    @extschema@.wait_attribution FROM PUBLIC;
GRANT SELECT ON @extschema@.sla_status, @extschema@.sla_compliance, @extschema@.client_scorecard,
    @extschema@.team_scorecard, @extschema@.retention, @extschema@.delivery_adherence,
    @extschema@.deliverable_quality, @extschema@.communication_rhythm,
    @extschema@.complaint_patterns, @extschema@.qa_results, @extschema@.at_risk_clients,
    @extschema@.wait_attribution TO cs_service_bi, cs_service_writer;

-- ---- Internal building blocks: what the views read ----------------------------------------------
GRANT SELECT ON cs_service_internal.sla_model_requests, cs_service_internal.sla_model_events,
    cs_service_internal.sla_policy_calendars, cs_service_internal.sla_model_request_calendars,
    cs_service_internal.sla_clocks, cs_service_internal.sla_clock_due,
    cs_service_internal.sla_request_policies, cs_service_internal.sla_request_clocks,
    cs_service_internal.sla_request_metrics, cs_service_internal.sla_outcomes,
    cs_service_internal.sla_daily, cs_service_internal.client_settings,
    cs_service_internal.scorecard_daily, cs_service_internal.scorecard_monthly,
    cs_service_internal.scorecard_summaries, cs_service_internal.scorecard_values,
    cs_service_internal.rollup_daily, cs_service_internal.rollup_monthly,
    cs_service_internal.rollup_state, cs_service_internal.rollup_sla_daily,
    cs_service_internal.sla_monthly, cs_service_internal.rollup_sla_monthly,
    cs_service_internal.rollup_team_bound, cs_service_internal.scorecard_groups_live,
    cs_service_internal.rollup_team_monthly, cs_service_internal.rollup_team_clients
    TO cs_service_bi, cs_service_writer;
GRANT SELECT ON cs_service_internal.scorecard_monthly_raw TO cs_service_writer;
GRANT SELECT, INSERT, DELETE ON cs_service_internal.rollup_daily, cs_service_internal.rollup_monthly,
    cs_service_internal.rollup_sla_daily, cs_service_internal.rollup_sla_monthly,
    cs_service_internal.rollup_team_monthly, cs_service_internal.rollup_team_clients,
    cs_service_internal.rollup_queue TO cs_service_writer;
GRANT UPDATE ON cs_service_internal.rollup_state TO cs_service_writer;

-- ---- Functions that write or bind: not for PUBLIC -----------------------------------------------
REVOKE ALL ON FUNCTION @extschema@.check_sla(), @extschema@.refresh_rollups(pg_catalog.bool),
    @extschema@.rollups_invalidate(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.text),
    @extschema@.sla_bind(pg_catalog.text, pg_catalog.text), @extschema@.sla_unbind(pg_catalog.text),
    cs_service_internal.sla_apply_binding(pg_catalog.text, pg_catalog.text),
    cs_service_internal.agency_apply_binding(pg_catalog.text, pg_catalog.text),
    cs_service_internal.apply_binding(pg_catalog.text, pg_catalog.text),
    cs_service_internal.rollup_enqueue(), cs_service_internal.rollup_enqueue_project_deliverables(),
    cs_service_internal.rollup_enqueue_client_signing(), cs_service_internal.rollup_reset(),
    cs_service_internal.rollups_reset(),
    cs_service_internal.sla_apply_clock_source(),
    cs_service_internal.sla_state_dues(pg_catalog.int8[]),
    cs_service_internal.sla_alerts_review(pg_catalog.int8[], pg_catalog.timestamptz),
    cs_service_internal.sla_state_refold(pg_catalog.int8[], pg_catalog.timestamptz),
    cs_service_internal.sla_state_rebuild(), cs_service_internal.sla_state_claim(),
    cs_service_internal.sla_state_requests(), cs_service_internal.sla_state_request_changed(),
    cs_service_internal.sla_state_events(), cs_service_internal.sla_state_policy_changed(),
    cs_service_internal.sla_state_targets_changed(),
    cs_service_internal.citus_run_everywhere(pg_catalog.text),
    cs_service_internal.citus_distribute(pg_catalog.int4)
    FROM PUBLIC;
-- check_sla() runs as its caller and claims what is due through these (SECURITY DEFINER)
GRANT EXECUTE ON FUNCTION cs_service_internal.sla_state_claim(),
    cs_service_internal.sla_state_dues(pg_catalog.int8[]) TO cs_service_writer;
GRANT EXECUTE ON FUNCTION @extschema@.check_sla(), @extschema@.refresh_rollups(pg_catalog.bool),
    @extschema@.rollups_invalidate(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.text)
    TO cs_service_writer;

-- ---- The reports: run with the caller's rights (SECURITY INVOKER), for the BI role and the writer --
REVOKE ALL ON FUNCTION @extschema@.client_report(pg_catalog.text, pg_catalog.date, pg_catalog.text),
    @extschema@.team_report(pg_catalog.text, pg_catalog.date, pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.client_report(pg_catalog.text, pg_catalog.date, pg_catalog.text),
    @extschema@.team_report(pg_catalog.text, pg_catalog.date, pg_catalog.text)
    TO cs_service_bi, cs_service_writer;
