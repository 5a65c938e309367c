
-- ============================================================================================
-- The factors of the service score (doc/scorecard.md, "The service score")
-- ============================================================================================

-- THE list of the factors: each a percentage 0..100 for a client (or team) and month, in one of
-- the three K's of trust, with its default weight.  quality_weights (its CHECK, its part, its
-- default rows) and the scores of cs_service_internal.scorecard_values are generated from it.
-- weighted: the factor times its weight, as SQL over the row's metrics (alias v) with %1$s for
-- the weight; NULL when the factor has no data that month.  To add a factor: add its row (an
-- upgrade: INSERT it and widen quality_weights_factor_known), and its metric to scorecard_values
-- if it needs a new one.
CREATE TABLE cs_service_internal.scorecard_factors (
    factor      pg_catalog.text PRIMARY KEY,
    part        pg_catalog.text NOT NULL
                CONSTRAINT scorecard_factors_part_known
                CHECK (part IN ('contract', 'competence', 'communication')),
    ord         pg_catalog.int4 NOT NULL UNIQUE,
    weighted    pg_catalog.text NOT NULL,
    weight      pg_catalog.float8 NOT NULL,
    description pg_catalog.text NOT NULL
);

COMMENT ON TABLE cs_service_internal.scorecard_factors IS
'The factors of the service score (fixed by the extension): part, the SQL of the weighted factor, default weight';

INSERT INTO cs_service_internal.scorecard_factors (factor, part, ord, weighted, weight, description) VALUES
    ('sla',                 'contract',       1, '%1$s * v.sla_pct',                 15, 'contract: requests handled within their SLA targets, %'),
    ('on_time',             'contract',       2, '%1$s * v.on_time_pct',             15, 'contract: projects delivered on or before their due date, %'),
    ('within_budget',       'contract',       3, '%1$s * v.within_budget_pct',       10, 'contract: projects delivered within budget (spent <= budget), %'),
    ('deliverable_quality', 'competence',     4, '%1$s * v.deliverable_quality_pct', 15, 'competence: deliverables that passed verification, %'),
    ('qa_pass',             'competence',     5, '%1$s * v.qa_pass_pct',             10, 'competence: QA-reviewed manager activities that passed, %'),
    ('nps',                 'communication',  6, '%1$s * (v.nps + 100) / 2',         10, 'communication: NPS mapped to 0..100 as (NPS + 100) / 2'),
    ('csat',                'communication',  7, '%1$s * v.csat',                     5, 'communication: CSAT, % of answers 4 or 5'),
    ('ces',                 'communication',  8, '%1$s * (7 - v.ces) / 6 * 100',      5, 'communication: CES mapped to 0..100 as (7 - mean effort) / 6 x 100'),
    ('rhythm',              'communication',  9, '%1$s * v.rhythm_pct',              10, 'communication: status updates and meeting reports on time, %'),
    ('response_time',       'communication', 10, '%1$s * v.response_pct',             5, 'communication: first responses within their target, %');
