
-- ============================================================================================
-- The monthly reports (doc/report.md): client_report() and team_report() return one
-- self-contained HTML document (inline CSS and SVG, no script, no external asset, A4 print
-- CSS) built from the public views.  The helpers below (escaping, number formats, labels, SVG
-- charts) are internal.  Every number printed is an element carrying data-metric (the view and
-- column it comes from), data-key (the row: month, channel, ...) and data-value (the exact
-- value, float8 text), so a test can compare the page with the views.
-- ============================================================================================

-- ---- Escaping and formats ------------------------------------------------------------------------

CREATE FUNCTION cs_service_internal.html_escape(s pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
           s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');

COMMENT ON FUNCTION cs_service_internal.html_escape(pg_catalog.text) IS
'Text safe inside HTML text and attribute values: & < > " and '' as character references';

-- x rounded to digits decimals: en 1,234.5; ru 1 234,5 (a no-break space between thousands, a
-- decimal comma).  NULL stays NULL.
CREATE FUNCTION cs_service_internal.report_number(x pg_catalog.float8, digits pg_catalog.int4, lang pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- (one expression, no subquery: PostgreSQL inlines it into the reports' statement)
RETURN CASE WHEN x IS NULL OR x IN ('NaN', 'Infinity', '-Infinity') THEN NULL
            ELSE CASE WHEN pg_catalog.round(x::pg_catalog.numeric, digits) < 0 THEN '-' ELSE '' END
                 || pg_catalog.regexp_replace(
                        pg_catalog.trunc(pg_catalog.abs(pg_catalog.round(x::pg_catalog.numeric, digits)))::pg_catalog.text,
                        '(\d)(?=(\d{3})+$)', CASE WHEN lang = 'ru' THEN E'\\1\u00a0' ELSE '\1,' END, 'g')
                 || CASE WHEN digits > 0
                         THEN CASE WHEN lang = 'ru' THEN ',' ELSE '.' END
                              || pg_catalog.split_part(pg_catalog.round(x::pg_catalog.numeric, digits)::pg_catalog.text, '.', 2)
                         ELSE '' END
       END;

COMMENT ON FUNCTION cs_service_internal.report_number(pg_catalog.float8, pg_catalog.int4, pg_catalog.text) IS
'A number for the reports: rounded, thousands grouped (en: 1,234.5; ru: 1 234,5 with a no-break space)';

-- A printed number: <span data-metric data-key data-value>text</span>, or a dash when NULL.
CREATE FUNCTION cs_service_internal.report_value(metric pg_catalog.text, key pg_catalog.text,
    x pg_catalog.float8, digits pg_catalog.int4, lang pg_catalog.text, suffix pg_catalog.text DEFAULT '')
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN x IS NULL THEN '<span class="nodata">&#8212;</span>'
            ELSE pg_catalog.format('<span class="num" data-metric="%s" data-key="%s" data-value="%s">%s%s</span>',
                                   cs_service_internal.html_escape(metric), cs_service_internal.html_escape(key),
                                   x::pg_catalog.text, cs_service_internal.report_number(x, digits, lang), suffix)
       END;

COMMENT ON FUNCTION cs_service_internal.report_value(pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.int4, pg_catalog.text, pg_catalog.text) IS
'A number of a report, tagged with the view column (data-metric), row (data-key) and exact value (data-value)';

-- ---- Labels -------------------------------------------------------------------------------------------
-- Every word of the reports per language (NULL: an unknown language); months are m1..m12 and
-- s1..s12 (short).
CREATE FUNCTION cs_service_internal.report_labels(lang pg_catalog.text)
RETURNS pg_catalog.jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE lang
WHEN 'en' THEN '{
 "lang": "en", "pct": "%", "hours": "h", "min": "min",
 "client_report": "Monthly service report", "team_report": "Monthly team review",
 "client": "Client", "manager": "Manager", "team": "Team", "month": "Month", "zone": "Report zone",
 "generated": "Generated", "scores": "Service score", "service_score": "Service score",
 "contract_score": "Contract", "competence_score": "Competence", "communication_score": "Communication",
 "promised": "What was promised and how it was kept", "channel": "Channel", "metric": "Metric",
 "target": "Target", "decided": "Decided", "met": "Met", "pending": "Pending", "sla_pct": "SLA %",
 "any": "any", "first_response": "first response", "next_response": "next response",
 "resolution": "resolution", "periodic_update": "periodic update",
 "fr_median": "First response, median", "fr_p90": "First response, 90th percentile",
 "business_hours": "business hours", "no_requests": "No requests decided this month.",
 "trend": "12-month trend", "trend_note": "Service score and SLA % per month",
 "deliverables": "Deliverables", "delivered": "Projects delivered", "early": "early",
 "on_time": "on time", "late_announced": "late, announced", "late_unannounced": "late, unannounced",
 "on_time_pct": "On time (early included)", "within_budget_pct": "Within budget",
 "over_budget": "Over budget", "quality_pct": "Passed verification", "first_pass_pct": "First pass",
 "deliverables_n": "Deliverables", "no_projects": "No project delivered this month.",
 "satisfaction": "Satisfaction", "answers": "answers", "interval": "95% interval",
 "too_few": "too few answers", "no_answers": "no answers", "nps": "NPS", "csat": "CSAT", "ces": "CES",
 "min_answers_note": "Figures from fewer than %s answers are not shown.",
 "rhythm": "Rhythm", "rhythm_pct": "Status updates and meeting reports on time",
 "review_held": "Monthly review held", "meetings": "Meetings", "reports_late": "Meeting reports late",
 "last_status": "Last status update", "status_overdue": "Status update overdue",
 "yes": "yes", "no": "no", "open_items": "Open at month end",
 "open_requests": "Requests open", "open_escalations": "Escalations open",
 "past_due_projects": "Projects past due, undelivered", "waiting": "Waited on the client",
 "waiting_note": "business hours the requests opened this month waited on the client",
 "managers": "Managers", "clients": "Clients", "lowest": "Lowest-scoring clients",
 "at_risk": "Clients at risk", "risk_score": "Risk", "reasons": "Reasons",
 "none_at_risk": "No client at risk.", "no_clients": "No client this month.",
 "escalations": "Escalations", "complaints": "Complaints",
 "m1": "January", "m2": "February", "m3": "March", "m4": "April", "m5": "May", "m6": "June",
 "m7": "July", "m8": "August", "m9": "September", "m10": "October", "m11": "November", "m12": "December",
 "s1": "Jan", "s2": "Feb", "s3": "Mar", "s4": "Apr", "s5": "May", "s6": "Jun",
 "s7": "Jul", "s8": "Aug", "s9": "Sep", "s10": "Oct", "s11": "Nov", "s12": "Dec"}'::pg_catalog.jsonb
WHEN 'ru' THEN '{
 "lang": "ru", "pct": "\u00a0%", "hours": "ч", "min": "мин",
 "client_report": "Ежемесячный отчёт о сервисе", "team_report": "Ежемесячный обзор команды",
 "client": "Клиент", "manager": "Менеджер", "team": "Команда", "month": "Месяц", "zone": "Часовой пояс отчёта",
 "generated": "Сформирован", "scores": "Оценка сервиса", "service_score": "Оценка сервиса",
 "contract_score": "Договор", "competence_score": "Компетентность", "communication_score": "Коммуникация",
 "promised": "Что обещали и как выполнили", "channel": "Канал", "metric": "Показатель",
 "target": "Норматив", "decided": "Решено", "met": "В срок", "pending": "Не решено", "sla_pct": "SLA, %",
 "any": "любой", "first_response": "первый ответ", "next_response": "следующий ответ",
 "resolution": "решение", "periodic_update": "регулярное обновление",
 "fr_median": "Первый ответ, медиана", "fr_p90": "Первый ответ, 90-й перцентиль",
 "business_hours": "рабочих часов", "no_requests": "В этом месяце решённых обращений нет.",
 "trend": "Динамика за 12 месяцев", "trend_note": "Оценка сервиса и SLA, % по месяцам",
 "deliverables": "Результаты работ", "delivered": "Сдано проектов", "early": "досрочно",
 "on_time": "в срок", "late_announced": "с опозданием, предупредили", "late_unannounced": "с опозданием, без предупреждения",
 "on_time_pct": "В срок (включая досрочно)", "within_budget_pct": "В рамках бюджета",
 "over_budget": "Сверх бюджета", "quality_pct": "Прошли проверку", "first_pass_pct": "С первого раза",
 "deliverables_n": "Результатов", "no_projects": "В этом месяце проекты не сдавались.",
 "satisfaction": "Удовлетворённость", "answers": "ответов", "interval": "95% интервал",
 "too_few": "слишком мало ответов", "no_answers": "нет ответов", "nps": "NPS", "csat": "CSAT", "ces": "CES",
 "min_answers_note": "Показатели по менее чем %s ответам не выводятся.",
 "rhythm": "Ритм коммуникации", "rhythm_pct": "Статусы и отчёты о встречах вовремя",
 "review_held": "Ежемесячная встреча проведена", "meetings": "Встречи", "reports_late": "Отчёты о встречах с опозданием",
 "last_status": "Последний статус", "status_overdue": "Статус просрочен",
 "yes": "да", "no": "нет", "open_items": "Открыто на конец месяца",
 "open_requests": "Открытых обращений", "open_escalations": "Открытых эскалаций",
 "past_due_projects": "Просроченных несданных проектов", "waiting": "Ожидание клиента",
 "waiting_note": "рабочих часов обращения этого месяца ждали клиента",
 "managers": "Менеджеры", "clients": "Клиенты", "lowest": "Клиенты с самой низкой оценкой",
 "at_risk": "Клиенты под угрозой", "risk_score": "Риск", "reasons": "Причины",
 "none_at_risk": "Клиентов под угрозой нет.", "no_clients": "В этом месяце клиентов нет.",
 "escalations": "Эскалации", "complaints": "Жалобы",
 "m1": "Январь", "m2": "Февраль", "m3": "Март", "m4": "Апрель", "m5": "Май", "m6": "Июнь",
 "m7": "Июль", "m8": "Август", "m9": "Сентябрь", "m10": "Октябрь", "m11": "Ноябрь", "m12": "Декабрь",
 "s1": "янв", "s2": "фев", "s3": "мар", "s4": "апр", "s5": "май", "s6": "июн",
 "s7": "июл", "s8": "авг", "s9": "сен", "s10": "окт", "s11": "ноя", "s12": "дек"}'::pg_catalog.jsonb
END;

COMMENT ON FUNCTION cs_service_internal.report_labels(pg_catalog.text) IS
'The words of the reports in a language (en, ru); NULL for another language';

-- The document around the sections: head, inline CSS (screen and A4 print), title block.
CREATE FUNCTION cs_service_internal.report_page(lang pg_catalog.text, title pg_catalog.text, body pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '<!DOCTYPE html>
<html lang="' || cs_service_internal.html_escape(lang) || '"><head><meta charset="utf-8">
<title>' || cs_service_internal.html_escape(title) || '</title>
<style>
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.5pt; color: #1d2430;
       margin: 0 auto; max-width: 186mm; padding: 8mm 0; background: #fff; }
h1 { font-size: 17pt; margin: 0 0 2mm; color: #123d6a; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; color: #123d6a; border-bottom: 1.5pt solid #c9d6e5; padding-bottom: 1mm; }
.meta { color: #56606e; margin-bottom: 3mm; }
.meta b { color: #1d2430; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 2mm; }
th, td { text-align: left; padding: 1.2mm 2mm; border-bottom: 0.5pt solid #dde3ea; vertical-align: top; }
th { background: #eef3f8; font-weight: 600; }
td.n, th.n { text-align: right; white-space: nowrap; }
.tiles { display: flex; gap: 3mm; flex-wrap: wrap; }
.tile { flex: 1 1 0; border: 0.75pt solid #c9d6e5; border-radius: 2mm; padding: 2mm 3mm; min-width: 35mm; }
.tile .v { font-size: 16pt; font-weight: 700; color: #123d6a; }
.tile .l { color: #56606e; font-size: 9pt; }
.few { color: #8a6d00; font-style: italic; }
.nodata { color: #8a939f; }
.note { color: #56606e; font-size: 9pt; }
.bad { color: #a3261b; font-weight: 600; }
svg { display: block; margin: 1mm 0 2mm; max-width: 100%; height: auto; }
section { break-inside: avoid; page-break-inside: avoid; }
@media print { body { padding: 0; } h2 { break-after: avoid; } }
</style></head><body>
' || body || '
</body></html>
';

COMMENT ON FUNCTION cs_service_internal.report_page(pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
'The HTML document of a report: head, inline CSS for screen and A4 print, the body';

-- ---- Charts (inline SVG) --------------------------------------------------------------------------------
-- A 12-month trend of two percentages (0..100): points is a jsonb array of {month, a, b}; a and
-- b NULL where there is no data.  Each point is a circle tagged like a printed number.
CREATE FUNCTION cs_service_internal.report_svg_trend(points pg_catalog.jsonb, labels pg_catalog.jsonb,
    metric_a pg_catalog.text, label_a pg_catalog.text, metric_b pg_catalog.text, label_b pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (
WITH p AS (
    SELECT e.ord - 1 AS i, (e.v ->> 'month')::pg_catalog.date AS month,
           (e.v ->> 'a')::pg_catalog.float8 AS a, (e.v ->> 'b')::pg_catalog.float8 AS b
      FROM pg_catalog.jsonb_array_elements(points) WITH ORDINALITY AS e (v, ord)),
q AS (SELECT p.*, 60 + p.i * 52 AS x FROM p)
SELECT '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 680 230" width="680" height="230" role="img" font-size="11" font-family="DejaVu Sans, Arial, sans-serif">'
       || (SELECT pg_catalog.string_agg(pg_catalog.format(
                   '<line x1="50" x2="660" y1="%s" y2="%s" stroke="#dde3ea"/><text x="44" y="%s" text-anchor="end" fill="#56606e">%s</text>',
                   190 - g * 1.6, 190 - g * 1.6, 194 - g * 1.6, g), '' ORDER BY g)
             FROM pg_catalog.generate_series(0, 100, 25) AS g)
       || coalesce((SELECT pg_catalog.string_agg(pg_catalog.format(
                   '<text x="%s" y="210" text-anchor="middle" fill="#56606e">%s</text>', q.x,
                   labels ->> ('s' || pg_catalog.date_part('month', q.month)::pg_catalog.int4)), '' ORDER BY q.i)
                     FROM q), '')
       || coalesce('<polyline fill="none" stroke="#1f6fb4" stroke-width="2.5" points="'
                   || (SELECT pg_catalog.string_agg(q.x || ',' || pg_catalog.round((190 - q.a * 1.6)::pg_catalog.numeric, 1), ' ' ORDER BY q.i)
                         FROM q WHERE q.a IS NOT NULL) || '"/>', '')
       || coalesce('<polyline fill="none" stroke="#2e9b57" stroke-width="2" stroke-dasharray="5 3" points="'
                   || (SELECT pg_catalog.string_agg(q.x || ',' || pg_catalog.round((190 - q.b * 1.6)::pg_catalog.numeric, 1), ' ' ORDER BY q.i)
                         FROM q WHERE q.b IS NOT NULL) || '"/>', '')
       || coalesce((SELECT pg_catalog.string_agg(pg_catalog.format(
                   '<circle cx="%s" cy="%s" r="3.5" fill="#1f6fb4" data-metric="%s" data-key="month=%s" data-value="%s"><title>%s</title></circle>',
                   q.x, pg_catalog.round((190 - q.a * 1.6)::pg_catalog.numeric, 1), metric_a, q.month, q.a,
                   cs_service_internal.report_number(q.a, 1, labels ->> 'lang')), '' ORDER BY q.i)
                     FROM q WHERE q.a IS NOT NULL), '')
       || coalesce((SELECT pg_catalog.string_agg(pg_catalog.format(
                   '<circle cx="%s" cy="%s" r="3" fill="#2e9b57" data-metric="%s" data-key="month=%s" data-value="%s"><title>%s</title></circle>',
                   q.x, pg_catalog.round((190 - q.b * 1.6)::pg_catalog.numeric, 1), metric_b, q.month, q.b,
                   cs_service_internal.report_number(q.b, 1, labels ->> 'lang')), '' ORDER BY q.i)
                     FROM q WHERE q.b IS NOT NULL), '')
       || pg_catalog.format('<rect x="60" y="218" width="14" height="4" fill="#1f6fb4"/><text x="80" y="223">%s</text>'
                            '<rect x="300" y="218" width="14" height="4" fill="#2e9b57"/><text x="320" y="223">%s</text>',
                            cs_service_internal.html_escape(label_a), cs_service_internal.html_escape(label_b))
       || '</svg>');

COMMENT ON FUNCTION cs_service_internal.report_svg_trend(pg_catalog.jsonb, pg_catalog.jsonb, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
'An inline SVG line chart of two percentages over the months of points (jsonb [{month, a, b}])';

-- One row of the satisfaction chart: the scale [lo, hi], the 95 % interval as a band, the value as
-- a dot; with fewer than min_n answers only the note "too few answers (n=...)" is drawn.
CREATE FUNCTION cs_service_internal.report_svg_score(y pg_catalog.int4, name pg_catalog.text,
    value pg_catalog.float8, low pg_catalog.float8, high pg_catalog.float8, n pg_catalog.int8,
    min_n pg_catalog.int4, lo pg_catalog.float8, hi pg_catalog.float8, labels pg_catalog.jsonb)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (
SELECT pg_catalog.format('<text x="10" y="%s" font-weight="600">%s</text>', y + 4, cs_service_internal.html_escape(name))
       || pg_catalog.format('<line x1="90" x2="530" y1="%s" y2="%s" stroke="#8a939f"/>', y, y)
       || pg_catalog.format('<text x="90" y="%s" fill="#56606e" text-anchor="middle">%s</text><text x="530" y="%s" fill="#56606e" text-anchor="middle">%s</text>',
                            y + 16, lo, y + 16, hi)
       || CASE WHEN n IS NULL OR n = 0 OR value IS NULL
               THEN pg_catalog.format('<text x="545" y="%s" fill="#8a939f">%s</text>', y + 4, labels ->> 'no_answers')
               WHEN n < min_n
               THEN pg_catalog.format('<rect x="90" y="%s" width="440" height="10" fill="#f3ecd6" opacity="0.6"/><text x="545" y="%s" fill="#8a6d00">%s (n=%s)</text>',
                                      y - 5, y + 4, labels ->> 'too_few', n)
               ELSE coalesce(pg_catalog.format('<rect x="%s" y="%s" width="%s" height="10" fill="#9cc3e6"/>',
                                               pg_catalog.round((90 + 440 * (greatest(low, lo) - lo) / (hi - lo))::pg_catalog.numeric, 1), y - 5,
                                               pg_catalog.round((440 * (least(high, hi) - greatest(low, lo)) / (hi - lo))::pg_catalog.numeric, 1)), '')
                    || pg_catalog.format('<circle cx="%s" cy="%s" r="5" fill="#123d6a"/><text x="545" y="%s">%s (n=%s)</text>',
                                         pg_catalog.round((90 + 440 * (value - lo) / (hi - lo))::pg_catalog.numeric, 1), y, y + 4,
                                         cs_service_internal.report_number(value, 1, labels ->> 'lang'), n)
          END);

COMMENT ON FUNCTION cs_service_internal.report_svg_score(pg_catalog.int4, pg_catalog.text, pg_catalog.float8, pg_catalog.float8, pg_catalog.float8, pg_catalog.int8, pg_catalog.int4, pg_catalog.float8, pg_catalog.float8, pg_catalog.jsonb) IS
'One row of the satisfaction chart: the value as a dot on its scale, the 95 % interval as a band, or "too few answers"';

-- A stacked bar of counts (jsonb [{label, n, color}]); an outline when all are 0.
CREATE FUNCTION cs_service_internal.report_svg_stack(parts pg_catalog.jsonb, empty_note pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (
WITH p AS (
    SELECT e.ord, e.v ->> 'label' AS label, (e.v ->> 'n')::pg_catalog.float8 AS n, e.v ->> 'color' AS color
      FROM pg_catalog.jsonb_array_elements(parts) WITH ORDINALITY AS e (v, ord)),
t AS (SELECT pg_catalog.sum(p.n) AS total FROM p),
w AS (SELECT p.*, 640 * p.n / NULLIF(t.total, 0) AS width,
             20 + 640 * coalesce(pg_catalog.sum(p.n) OVER (ORDER BY p.ord ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                 / NULLIF(t.total, 0) AS x
        FROM p CROSS JOIN t)
SELECT '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 680 64" width="680" height="64" role="img" font-size="11" font-family="DejaVu Sans, Arial, sans-serif">'
       || '<rect x="20" y="6" width="640" height="22" fill="none" stroke="#c9d6e5"/>'
       || CASE WHEN coalesce((SELECT t.total FROM t), 0) = 0
               THEN pg_catalog.format('<text x="30" y="21" fill="#8a939f">%s</text>', cs_service_internal.html_escape(empty_note))
               ELSE coalesce((SELECT pg_catalog.string_agg(pg_catalog.format('<rect x="%s" y="6" width="%s" height="22" fill="%s"/>',
                                     pg_catalog.round(w.x::pg_catalog.numeric, 1), pg_catalog.round(w.width::pg_catalog.numeric, 1), w.color), '' ORDER BY w.ord)
                                FROM w WHERE w.n > 0), '')
          END
       || (SELECT pg_catalog.string_agg(pg_catalog.format('<rect x="%s" y="42" width="10" height="10" fill="%s"/><text x="%s" y="51">%s (%s)</text>',
                                        20 + (p.ord - 1) * 165, p.color, 34 + (p.ord - 1) * 165,
                                        cs_service_internal.html_escape(p.label), p.n), '' ORDER BY p.ord) FROM p)
       || '</svg>');

COMMENT ON FUNCTION cs_service_internal.report_svg_stack(pg_catalog.jsonb, pg_catalog.text) IS
'An inline SVG stacked bar of counts with its legend';

-- ---- The checks both reports share ------------------------------------------------------------------

-- The minimum number of answers a survey figure is shown from: cs_service.report_min_answers
-- (default 10).
CREATE FUNCTION cs_service_internal.report_min_answers()
RETURNS pg_catalog.int4
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s text := nullif(current_setting('cs_service.report_min_answers', true), '');
BEGIN
    IF s IS NULL THEN
        RETURN 10;
    END IF;
    IF s !~ '^\s*[0-9]{1,6}\s*$' THEN
        RAISE EXCEPTION 'invalid value for cs_service.report_min_answers: "%"', s
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give a whole number of answers from 0 to 999999, e.g. SET cs_service.report_min_answers = 10.';
    END IF;
    RETURN s::int4;
END
$$;

COMMENT ON FUNCTION cs_service_internal.report_min_answers() IS
'The setting cs_service.report_min_answers (default 10): survey figures from fewer answers are marked, not shown';

CREATE FUNCTION cs_service_internal.report_check_args(what pg_catalog.text, key pg_catalog.text,
    month pg_catalog.date, lang pg_catalog.text)
RETURNS pg_catalog.jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    labels jsonb := cs_service_internal.report_labels(lang);
BEGIN
    IF key IS NULL OR month IS NULL OR lang IS NULL THEN
        RAISE EXCEPTION '%_report needs a %, a month and a language', what, CASE what WHEN 'client' THEN 'client_id' ELSE 'team' END
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = format('SELECT cs_service.%s_report(%L, ''2026-10-01'', ''en'').', what,
                                CASE what WHEN 'client' THEN 'c001' ELSE 'team-1' END);
    END IF;
    IF labels IS NULL THEN
        RAISE EXCEPTION 'unknown report language "%"', lang
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The reports are written in en and ru.';
    END IF;
    IF NOT isfinite(month) THEN
        RAISE EXCEPTION 'report month must be finite'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give a day of the month, e.g. ''2026-10-01''.';
    END IF;
    RETURN labels;
END
$$;

COMMENT ON FUNCTION cs_service_internal.report_check_args(pg_catalog.text, pg_catalog.text, pg_catalog.date, pg_catalog.text) IS
'The argument checks of client_report and team_report (22004, 22023); returns the labels of the language';

-- ---- client_report ------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.client_report(client_id pg_catalog.text, month pg_catalog.date,
    lang pg_catalog.text DEFAULT 'en')
RETURNS pg_catalog.text
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan   -- the big statement is planned once per session
AS $$
DECLARE
    labels jsonb := cs_service_internal.report_check_args('client', client_id, month, lang);
    min_n int4 := cs_service_internal.report_min_answers();
    zone text := @extschema@.report_zone();
    c record;
    m date := date_trunc('month', month)::date;
    first_month date;
    last_month date;
    result text;
BEGIN
    PERFORM cs_service_internal.citus_plan_per_call();   -- (sla_views.sql)
    SELECT s.client_id, s.name, s.manager, s.team, s.signed_at, s.ended_at
      INTO c FROM cs_service_internal.source_clients() AS s WHERE s.client_id = client_report.client_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown client "%"', client_id
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give a client_id of cs_service.clients (or of the bound clients query) that you may read.';
    END IF;
    first_month := date_trunc('month', timezone(zone, c.signed_at))::date;
    last_month := date_trunc('month', timezone(zone, least(coalesce(c.ended_at, now()), now())))::date;
    IF m < first_month OR m > last_month THEN
        RAISE EXCEPTION 'month % is outside the life of client "%"', to_char(m, 'YYYY-MM'), client_id
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = format('Client "%s" has months from %s to %s (report zone %s).', client_id,
                                to_char(first_month, 'YYYY-MM'), to_char(last_month, 'YYYY-MM'), zone);
    END IF;

    -- one statement: every section from the views, for the month and the 11 before it
    WITH bounds AS MATERIALIZED (
        SELECT timezone(zone, m::timestamp) AS m_start,
               timezone(zone, (m + interval '1 month')::timestamp) AS m_end,
               least(timezone(zone, (m + interval '1 month')::timestamp) - interval '1 microsecond', now()) AS asof),
    card AS MATERIALIZED (
        SELECT s.* FROM @extschema@.client_scorecard AS s
         WHERE s.client_id = c.client_id AND s.month BETWEEN (m - interval '11 months')::date AND m),
    cur AS (SELECT s.* FROM card AS s WHERE s.month = m),
    surveys AS MATERIALIZED (
        SELECT @extschema@.responses(sm.nps) AS nps_n, @extschema@.responses(sm.csat) AS csat_n,
               @extschema@.responses(sm.ces) AS ces_n,
               (@extschema@.nps_interval(sm.nps)).lower AS nps_low, (@extschema@.nps_interval(sm.nps)).upper AS nps_high,
               (@extschema@.csat_interval(sm.csat)).lower AS csat_low, (@extschema@.csat_interval(sm.csat)).upper AS csat_high,
               (SELECT sqrt(sum(@extschema@.score_count(sm.ces, k) * (k - @extschema@.ces(sm.ces)) ^ 2)
                            / NULLIF(@extschema@.responses(sm.ces) - 1, 0))
                  FROM generate_series(1, 7) AS k) AS ces_sd
          FROM cs_service_internal.scorecard_monthly AS sm
         WHERE sm.client_id = c.client_id AND sm.month = m),
    -- sla_compliance's numbers, from its source rows (one client's days: the rollups before the
    -- watermark, raw requests from it on), without building the view's three grains
    sla AS (
        SELECT x.channel, x.metric, @extschema@.sla_total(x.summary)::float8 AS requests,
               @extschema@.sla_met(x.summary)::float8 AS met, x.pending, x.policy
          FROM (SELECT d.channel, d.metric, @extschema@.rollup(d.outcomes) AS summary,
                       sum(d.pending)::float8 AS pending, min(d.policy) AS policy
                  FROM cs_service_internal.sla_daily AS d
                 WHERE d.client = c.client_id AND d.day >= m AND d.day < (m + interval '1 month')::date
                 GROUP BY d.channel, d.metric) AS x),
    sla_html AS (
        SELECT coalesce(string_agg(format('<tr><td>%s</td><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
                   coalesce(cs_service_internal.html_escape(s.channel), labels ->> 'any'),
                   coalesce(labels ->> s.metric, cs_service_internal.html_escape(s.metric)),
                   CASE WHEN t.target IS NULL THEN '<span class="nodata">&#8212;</span>'
                        ELSE cs_service_internal.report_value('sla_targets.target_hours', k.key,
                                 date_part('epoch', t.target) / 3600, 2, lang, ' ' || (labels ->> 'hours')) END,
                   cs_service_internal.report_value('sla_compliance.requests', k.key, s.requests, 0, lang),
                   cs_service_internal.report_value('sla_compliance.met', k.key, s.met, 0, lang),
                   cs_service_internal.report_value('sla_compliance.sla_pct', k.key, 100.0 * s.met / NULLIF(s.requests, 0), 1, lang, labels ->> 'pct'),
                   cs_service_internal.report_value('sla_compliance.pending', k.key, s.pending, 0, lang)),
                   '' ORDER BY s.channel NULLS LAST, s.metric), '') AS rows
          FROM sla AS s
         CROSS JOIN LATERAL (SELECT format('channel=%s;metric=%s', coalesce(s.channel, ''), s.metric) AS key) AS k
          LEFT JOIN LATERAL (
                SELECT st.target FROM @extschema@.sla_targets AS st, bounds AS b
                 WHERE st.policy = s.policy AND st.metric = s.metric AND st.priority IS NULL
                   AND (st.channel IS NULL OR st.channel IS NOT DISTINCT FROM s.channel)
                   AND st.valid_from < b.m_end
                 ORDER BY (st.channel IS NOT NULL) DESC, st.valid_from DESC LIMIT 1) AS t ON true),
    delivery AS (
        SELECT d.* FROM @extschema@.delivery_adherence AS d WHERE d.client_id = c.client_id AND d.month = m),
    quality AS (
        SELECT sum(q.deliverables)::float8 AS deliverables,
               sum(q.first_pass_pct * q.deliverables / 100.0)::float8 AS first_pass
          FROM @extschema@.deliverable_quality AS q WHERE q.client_id = c.client_id AND q.month = m),
    rhythm AS (
        SELECT r.* FROM bounds AS b, @extschema@.communication_rhythm_at(b.asof) AS r WHERE r.client_id = c.client_id),
    open_items AS (
        SELECT (SELECT count(*) FROM cs_service_internal.sla_source_requests() AS r
                 WHERE r.client = c.client_id AND r.opened_at <= b.asof
                   -- (opened in the 92 days before, or open now: not every request of the client's life)
                   AND (r.opened_at > b.asof - interval '92 days' OR r.is_open IS NOT false)
                   AND coalesce((SELECT e.kind FROM cs_service_internal.sla_source_request_log(r.request_id, r.client) AS e
                                  WHERE e.kind IN ('resolved', 'reopened')
                                    AND e.at <= b.asof
                                  ORDER BY e.at DESC, e.kind DESC LIMIT 1), 'open') <> 'resolved')::float8 AS requests,
               (SELECT count(*) FROM cs_service_internal.source_escalations() AS e
                 WHERE e.client_id = c.client_id AND e.opened_at <= b.asof
                   AND (e.resolved_at IS NULL OR e.resolved_at > b.asof))::float8 AS escalations,
               (SELECT count(*) FROM cs_service_internal.source_projects() AS p
                 WHERE p.client_id = c.client_id AND p.due_at < b.asof
                   AND (p.delivered_at IS NULL OR p.delivered_at > b.asof))::float8 AS projects,
               (SELECT sum(date_part('epoch', @extschema@.paused_time(k.clock))) / 3600
                  FROM cs_service_internal.sla_request_clocks AS k
                 WHERE k.client = c.client_id AND k.opened_at >= b.m_start AND k.opened_at < b.m_end) AS waiting_hours
          FROM bounds AS b),
    trend AS (
        SELECT jsonb_agg(jsonb_build_object('month', g.month, 'a', s.service_score, 'b', s.sla_pct) ORDER BY g.month) AS points
          FROM (SELECT generate_series(greatest(first_month, (m - interval '11 months')::date), m, interval '1 month')::date AS month) AS g
          LEFT JOIN card AS s ON s.month = g.month)
    SELECT cs_service_internal.report_page(lang,
        format('%s: %s, %s %s', labels ->> 'client_report', c.name, labels ->> ('m' || date_part('month', m)), date_part('year', m)),
        -- title
        format('<h1>%s</h1><div class="meta"><b>%s</b> (%s) &#183; %s: <b>%s</b> &#183; %s: <b>%s</b> &#183; %s: <b>%s %s</b> &#183; %s: %s</div>',
               cs_service_internal.html_escape(labels ->> 'client_report'),
               cs_service_internal.html_escape(c.name), cs_service_internal.html_escape(c.client_id),
               labels ->> 'manager', cs_service_internal.html_escape(c.manager),
               labels ->> 'team', cs_service_internal.html_escape(c.team),
               labels ->> 'month', labels ->> ('m' || date_part('month', m)), date_part('year', m),
               labels ->> 'zone', cs_service_internal.html_escape(zone))
        -- scores
        || format('<section><h2>%s</h2><div class="tiles">%s</div></section>', labels ->> 'scores',
               (SELECT string_agg(format('<div class="tile"><div class="v">%s</div><div class="l">%s</div></div>',
                                         cs_service_internal.report_value('client_scorecard.' || f.col, 'month=' || m, f.v, 1, lang),
                                         labels ->> f.col), '' ORDER BY f.ord)
                  FROM cur AS s
                 CROSS JOIN LATERAL (VALUES (1, 'service_score', s.service_score), (2, 'contract_score', s.contract_score),
                                            (3, 'competence_score', s.competence_score),
                                            (4, 'communication_score', s.communication_score)) AS f (ord, col, v)))
        -- SLA
        || format('<section><h2>%s</h2>', labels ->> 'promised')
        || CASE WHEN (SELECT h.rows FROM sla_html AS h) = '' THEN format('<p class="nodata">%s</p>', labels ->> 'no_requests')
                ELSE format('<table><tr><th>%s</th><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr>%s</table>',
                            labels ->> 'channel', labels ->> 'metric', labels ->> 'target', labels ->> 'decided',
                            labels ->> 'met', labels ->> 'sla_pct', labels ->> 'pending', (SELECT h.rows FROM sla_html AS h)) END
        || (SELECT format('<table><tr><td>%s</td><td class="n">%s</td><td>%s</td><td class="n">%s</td></tr></table>',
                          labels ->> 'fr_median',
                          cs_service_internal.report_value('client_scorecard.first_response_median_minutes', 'month=' || m,
                                                           s.first_response_median_minutes, 0, lang, ' ' || (labels ->> 'min'))
                              || ' (' || coalesce(cs_service_internal.report_number(s.first_response_median_minutes / 60, 2, lang), '&#8212;')
                              || ' ' || (labels ->> 'hours') || ')',
                          labels ->> 'fr_p90',
                          cs_service_internal.report_value('client_scorecard.first_response_p90_minutes', 'month=' || m,
                                                           s.first_response_p90_minutes, 0, lang, ' ' || (labels ->> 'min'))
                              || ' (' || coalesce(cs_service_internal.report_number(s.first_response_p90_minutes / 60, 2, lang), '&#8212;')
                              || ' ' || (labels ->> 'hours') || ')')
              FROM cur AS s)
        || format('<h2>%s</h2><p class="note">%s</p>', labels ->> 'trend', labels ->> 'trend_note')
        || cs_service_internal.report_svg_trend((SELECT t.points FROM trend AS t), labels,
               'client_scorecard.service_score', labels ->> 'service_score', 'client_scorecard.sla_pct', labels ->> 'sla_pct')
        || '</section>'
        -- deliverables
        || format('<section><h2>%s</h2>', labels ->> 'deliverables')
        || cs_service_internal.report_svg_stack(jsonb_build_array(
               jsonb_build_object('label', labels ->> 'early', 'n', coalesce((SELECT d.early FROM delivery AS d), 0), 'color', '#2e9b57'),
               jsonb_build_object('label', labels ->> 'on_time', 'n', coalesce((SELECT d.on_time FROM delivery AS d), 0), 'color', '#7cc08f'),
               jsonb_build_object('label', labels ->> 'late_announced', 'n', coalesce((SELECT d.late_announced FROM delivery AS d), 0), 'color', '#e6b43c'),
               jsonb_build_object('label', labels ->> 'late_unannounced', 'n', coalesce((SELECT d.late_unannounced FROM delivery AS d), 0), 'color', '#c2412f')),
               labels ->> 'no_projects')
        || (SELECT format('<table>%s</table>', string_agg(format('<tr><td>%s</td><td class="n">%s</td></tr>', labels ->> f.label, f.html), '' ORDER BY f.ord))
              FROM (SELECT * FROM (VALUES
                (1, 'delivered', cs_service_internal.report_value('delivery_adherence.delivered', 'month=' || m, coalesce((SELECT d.delivered FROM delivery AS d), 0), 0, lang)),
                (2, 'early', cs_service_internal.report_value('delivery_adherence.early', 'month=' || m, coalesce((SELECT d.early FROM delivery AS d), 0), 0, lang)),
                (3, 'on_time', cs_service_internal.report_value('delivery_adherence.on_time', 'month=' || m, coalesce((SELECT d.on_time FROM delivery AS d), 0), 0, lang)),
                (4, 'late_announced', cs_service_internal.report_value('delivery_adherence.late_announced', 'month=' || m, coalesce((SELECT d.late_announced FROM delivery AS d), 0), 0, lang)),
                (5, 'late_unannounced', cs_service_internal.report_value('delivery_adherence.late_unannounced', 'month=' || m, coalesce((SELECT d.late_unannounced FROM delivery AS d), 0), 0, lang)),
                (6, 'on_time_pct', cs_service_internal.report_value('delivery_adherence.on_time_pct', 'month=' || m, (SELECT d.on_time_pct FROM delivery AS d), 1, lang, labels ->> 'pct')),
                (7, 'within_budget_pct', cs_service_internal.report_value('delivery_adherence.within_budget_pct', 'month=' || m, (SELECT d.within_budget_pct FROM delivery AS d), 1, lang, labels ->> 'pct')),
                (8, 'over_budget', cs_service_internal.report_value('delivery_adherence.over_budget', 'month=' || m, coalesce((SELECT d.over_budget FROM delivery AS d), 0), 0, lang)),
                (9, 'deliverables_n', cs_service_internal.report_value('deliverable_quality.deliverables', 'month=' || m, coalesce((SELECT q.deliverables FROM quality AS q), 0), 0, lang)),
                (10, 'quality_pct', cs_service_internal.report_value('client_scorecard.deliverable_quality_pct', 'month=' || m, (SELECT s.deliverable_quality_pct FROM cur AS s), 1, lang, labels ->> 'pct')),
                (11, 'first_pass_pct', cs_service_internal.report_value('deliverable_quality.first_pass_pct', 'month=' || m,
                        (SELECT 100.0 * q.first_pass / NULLIF(q.deliverables, 0) FROM quality AS q), 1, lang, labels ->> 'pct'))
                ) AS v (ord, label, html)) AS f)
        || '</section>'
        -- satisfaction
        || format('<section><h2>%s</h2>', labels ->> 'satisfaction')
        || (SELECT '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 680 132" width="680" height="132" role="img" font-size="11" font-family="DejaVu Sans, Arial, sans-serif">'
                   || cs_service_internal.report_svg_score(20, 'NPS', s.nps, v.nps_low, v.nps_high, coalesce(v.nps_n, 0), min_n, -100, 100, labels)
                   || cs_service_internal.report_svg_score(62, 'CSAT', s.csat, v.csat_low, v.csat_high, coalesce(v.csat_n, 0), min_n, 0, 100, labels)
                   || cs_service_internal.report_svg_score(104, 'CES', s.ces, s.ces - 1.96 * v.ces_sd / sqrt(v.ces_n), s.ces + 1.96 * v.ces_sd / sqrt(v.ces_n),
                                                           coalesce(v.ces_n, 0), min_n, 1, 7, labels)
                   || '</svg>'
                   || format('<table><tr><th></th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr>%s</table>',
                             labels ->> 'answers', '', labels ->> 'interval',
                             (SELECT string_agg(format('<tr><td>%s</td><td class="n">%s</td>%s</tr>', f.name,
                                     cs_service_internal.report_value('survey.' || f.k || '_answers', 'month=' || m, coalesce(f.n, 0), 0, lang),
                                     CASE WHEN coalesce(f.n, 0) = 0 THEN format('<td class="n nodata">%s</td><td class="n"></td>', labels ->> 'no_answers')
                                          WHEN f.n < min_n THEN format('<td class="n few">%s (n=%s)</td><td class="n"></td>', labels ->> 'too_few', f.n)
                                          ELSE format('<td class="n">%s</td><td class="n">%s &#8211; %s</td>',
                                                      cs_service_internal.report_value('client_scorecard.' || f.k, 'month=' || m, f.v, 1, lang),
                                                      cs_service_internal.report_value('survey.' || f.k || '_low', 'month=' || m, f.lo, 1, lang),
                                                      cs_service_internal.report_value('survey.' || f.k || '_high', 'month=' || m, f.hi, 1, lang)) END),
                                     '' ORDER BY f.ord)
                                FROM (VALUES (1, 'nps', 'NPS', s.nps, v.nps_n, v.nps_low, v.nps_high),
                                             (2, 'csat', 'CSAT', s.csat, v.csat_n, v.csat_low, v.csat_high),
                                             (3, 'ces', 'CES', s.ces, v.ces_n, s.ces - 1.96 * v.ces_sd / sqrt(v.ces_n), s.ces + 1.96 * v.ces_sd / sqrt(v.ces_n)))
                                     AS f (ord, k, name, v, n, lo, hi)))
                   || format('<p class="note">%s</p>', format(labels ->> 'min_answers_note', min_n))
              FROM cur AS s LEFT JOIN surveys AS v ON true)
        || '</section>'
        -- rhythm and open items
        || format('<section><h2>%s</h2>', labels ->> 'rhythm')
        || (SELECT format('<table><tr><td>%s</td><td class="n">%s</td></tr><tr><td>%s</td><td class="n">%s</td></tr><tr><td>%s</td><td class="n">%s</td></tr><tr><td>%s</td><td class="n">%s</td></tr><tr><td>%s</td><td class="n">%s</td></tr></table>',
                          labels ->> 'rhythm_pct',
                          cs_service_internal.report_value('client_scorecard.rhythm_pct', 'month=' || m, (SELECT s.rhythm_pct FROM cur AS s), 1, lang, labels ->> 'pct'),
                          labels ->> 'review_held',
                          CASE WHEN r.review_held_this_month THEN labels ->> 'yes' WHEN NOT r.review_held_this_month THEN '<span class="bad">' || (labels ->> 'no') || '</span>' ELSE '&#8212;' END,
                          labels ->> 'meetings',
                          cs_service_internal.report_value('communication_rhythm_at.meetings_this_month', 'month=' || m, r.meetings_this_month, 0, lang),
                          labels ->> 'reports_late',
                          cs_service_internal.report_value('communication_rhythm_at.reports_late_this_month', 'month=' || m, r.reports_late_this_month, 0, lang),
                          labels ->> 'last_status',
                          coalesce(to_char(timezone(zone, r.last_status_at), 'YYYY-MM-DD HH24:MI'), '&#8212;')
                              || CASE WHEN r.status_overdue THEN ' <span class="bad">(' || (labels ->> 'status_overdue') || ')</span>' ELSE '' END)
              FROM (SELECT 1) AS one LEFT JOIN rhythm AS r ON true)
        || format('<h2>%s</h2>', labels ->> 'open_items')
        || (SELECT format('<table><tr><td>%s</td><td class="n">%s</td></tr><tr><td>%s</td><td class="n">%s</td></tr><tr><td>%s</td><td class="n">%s</td></tr><tr><td>%s</td><td class="n">%s</td></tr></table>',
                          labels ->> 'open_requests', cs_service_internal.report_value('open.requests', 'month=' || m, o.requests, 0, lang),
                          labels ->> 'open_escalations', cs_service_internal.report_value('open.escalations', 'month=' || m, o.escalations, 0, lang),
                          labels ->> 'past_due_projects', cs_service_internal.report_value('open.projects_past_due', 'month=' || m, o.projects, 0, lang),
                          labels ->> 'waiting', cs_service_internal.report_value('waiting_on_client_hours', 'month=' || m, coalesce(o.waiting_hours, 0), 1, lang,
                                                                               ' ' || (labels ->> 'waiting_note')))
              FROM open_items AS o)
        || '</section>'
        || format('<p class="note">%s: %s</p>', labels ->> 'generated', to_char(timezone(zone, now()), 'YYYY-MM-DD HH24:MI'))
    ) INTO result;
    RETURN result;
END
$$;

COMMENT ON FUNCTION @extschema@.client_report(pg_catalog.text, pg_catalog.date, pg_catalog.text) IS
'A client''s monthly service report as one self-contained HTML document (en, ru): SLA against the targets, the 12-month trend, deliverables, satisfaction with answers and intervals, rhythm, open items, time waited on the client';

-- ---- team_report --------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.team_report(team pg_catalog.text, month pg_catalog.date,
    lang pg_catalog.text DEFAULT 'en')
RETURNS pg_catalog.text
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan   -- the big statement is planned once per session
AS $$
DECLARE
    labels jsonb := cs_service_internal.report_check_args('team', team, month, lang);
    min_n int4 := cs_service_internal.report_min_answers();
    zone text := @extschema@.report_zone();
    m date := date_trunc('month', month)::date;
    first_month date;
    result text;
BEGIN
    PERFORM cs_service_internal.citus_plan_per_call();   -- (sla_views.sql)
    SELECT date_trunc('month', timezone(zone, min(s.signed_at)))::date INTO first_month
      FROM cs_service_internal.source_clients() AS s WHERE s.team = team_report.team;
    IF first_month IS NULL THEN
        RAISE EXCEPTION 'unknown team "%"', team
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give a team of cs_service.clients (clients.team) whose clients you may read.';
    END IF;
    IF m < first_month OR m > date_trunc('month', timezone(zone, now()))::date THEN
        RAISE EXCEPTION 'month % is outside the life of team "%"', to_char(m, 'YYYY-MM'), team
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = format('Team "%s" has months from %s to %s (report zone %s).', team,
                                to_char(first_month, 'YYYY-MM'), to_char(now() AT TIME ZONE zone, 'YYYY-MM'), zone);
    END IF;

    WITH bounds AS MATERIALIZED (
        SELECT least(timezone(zone, (m + interval '1 month')::timestamp) - interval '1 microsecond', now()) AS asof),
    card AS MATERIALIZED (
        SELECT s.* FROM @extschema@.team_scorecard AS s
         WHERE s.team = team_report.team AND s.month BETWEEN (m - interval '11 months')::date AND m),
    cur AS (SELECT s.* FROM card AS s WHERE s.level = 'team' AND s.month = m),
    managers AS (SELECT s.* FROM card AS s WHERE s.level = 'manager' AND s.month = m),
    clients AS MATERIALIZED (
        SELECT s.*, row_number() OVER (PARTITION BY s.manager ORDER BY s.service_score NULLS LAST, s.client_id) AS rank
          FROM @extschema@.client_scorecard AS s
         WHERE s.team = team_report.team AND s.month = m),
    -- NPS answers per manager (team_scorecard's survey_answers counts every kind)
    nps_answers AS (
        SELECT c.manager, @extschema@.responses(@extschema@.rollup(sm.nps)) AS n
          FROM clients AS c
          JOIN cs_service_internal.scorecard_monthly AS sm ON sm.client_id = c.client_id AND sm.month = m
         GROUP BY c.manager),
    risk AS MATERIALIZED (
        SELECT r.* FROM bounds AS b, @extschema@.at_risk_clients_at(b.asof) AS r WHERE r.team = team_report.team),
    trend AS (
        SELECT jsonb_agg(jsonb_build_object('month', g.month, 'a', s.service_score, 'b', s.sla_pct) ORDER BY g.month) AS points
          FROM (SELECT generate_series(greatest(first_month, (m - interval '11 months')::date), m, interval '1 month')::date AS month) AS g
          LEFT JOIN card AS s ON s.month = g.month AND s.level = 'team')
    SELECT cs_service_internal.report_page(lang,
        format('%s: %s, %s %s', labels ->> 'team_report', team, labels ->> ('m' || date_part('month', m)), date_part('year', m)),
        format('<h1>%s</h1><div class="meta">%s: <b>%s</b> &#183; %s: <b>%s %s</b> &#183; %s: %s</div>',
               cs_service_internal.html_escape(labels ->> 'team_report'),
               labels ->> 'team', cs_service_internal.html_escape(team),
               labels ->> 'month', labels ->> ('m' || date_part('month', m)), date_part('year', m),
               labels ->> 'zone', cs_service_internal.html_escape(zone))
        || format('<section><h2>%s</h2><div class="tiles">%s</div>', labels ->> 'scores',
               coalesce((SELECT string_agg(format('<div class="tile"><div class="v">%s</div><div class="l">%s</div></div>',
                                         cs_service_internal.report_value('team_scorecard.' || f.col, 'month=' || m, f.v, f.digits, lang, f.suffix),
                                         labels ->> f.col), '' ORDER BY f.ord)
                  FROM cur AS s
                 CROSS JOIN LATERAL (VALUES (1, 'service_score', s.service_score, 1, ''), (2, 'sla_pct', s.sla_pct, 1, labels ->> 'pct'),
                                            (3, 'clients', s.clients::float8, 0, ''), (4, 'escalations', s.escalations::float8, 0, ''),
                                            (5, 'complaints', s.complaints::float8, 0, '')) AS f (ord, col, v, digits, suffix)), ''))
        || format('<h2>%s</h2><p class="note">%s</p>', labels ->> 'trend', labels ->> 'trend_note')
        || cs_service_internal.report_svg_trend((SELECT t.points FROM trend AS t), labels,
               'team_scorecard.service_score', labels ->> 'service_score', 'team_scorecard.sla_pct', labels ->> 'sla_pct')
        || '</section>'
        || format('<section><h2>%s</h2>', labels ->> 'managers')
        || format('<table><tr><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th>%s</th></tr>%s</table>',
                  labels ->> 'manager', labels ->> 'clients', labels ->> 'service_score', labels ->> 'sla_pct',
                  labels ->> 'nps', labels ->> 'on_time_pct', labels ->> 'rhythm_pct', labels ->> 'lowest',
                  coalesce((SELECT string_agg(format('<tr><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td>%s</td></tr>',
                      cs_service_internal.html_escape(g.manager),
                      cs_service_internal.report_value('team_scorecard.clients', k.key, g.clients, 0, lang),
                      cs_service_internal.report_value('team_scorecard.service_score', k.key, g.service_score, 1, lang),
                      cs_service_internal.report_value('team_scorecard.sla_pct', k.key, g.sla_pct, 1, lang, labels ->> 'pct'),
                      CASE WHEN g.nps IS NOT NULL AND coalesce((SELECT a.n FROM nps_answers AS a WHERE a.manager = g.manager), 0) < min_n
                           THEN format('<span class="few">%s (n=%s)</span>', labels ->> 'too_few',
                                       coalesce((SELECT a.n FROM nps_answers AS a WHERE a.manager = g.manager), 0))
                           ELSE cs_service_internal.report_value('team_scorecard.nps', k.key, g.nps, 0, lang) END,
                      cs_service_internal.report_value('team_scorecard.on_time_pct', k.key, g.on_time_pct, 1, lang, labels ->> 'pct'),
                      cs_service_internal.report_value('team_scorecard.rhythm_pct', k.key, g.rhythm_pct, 1, lang, labels ->> 'pct'),
                      coalesce((SELECT string_agg(format('%s (%s)', cs_service_internal.html_escape(c.client_name),
                                       cs_service_internal.report_value('client_scorecard.service_score', 'client=' || c.client_id || ';month=' || m,
                                                                        c.service_score, 1, lang)), ', ' ORDER BY c.rank)
                                  FROM clients AS c WHERE c.manager = g.manager AND c.rank <= 3), '')),
                      '' ORDER BY g.manager)
                    FROM managers AS g
                   CROSS JOIN LATERAL (SELECT format('manager=%s;month=%s', g.manager, m) AS key) AS k),
                  format('<tr><td colspan="8" class="nodata">%s</td></tr>', labels ->> 'no_clients')))
        || '</section>'
        || format('<section><h2>%s</h2>', labels ->> 'at_risk')
        || coalesce((SELECT format('<table><tr><th>%s</th><th>%s</th><th class="n">%s</th><th>%s</th></tr>%s</table>',
                                   labels ->> 'client', labels ->> 'manager', labels ->> 'risk_score', labels ->> 'reasons',
                                   string_agg(format('<tr><td>%s</td><td>%s</td><td class="n">%s</td><td>%s</td></tr>',
                                       cs_service_internal.html_escape(r.client_name), cs_service_internal.html_escape(r.manager),
                                       cs_service_internal.report_value('at_risk_clients_at.risk_score', 'client=' || r.client_id, r.risk_score, 0, lang),
                                       cs_service_internal.html_escape(r.reasons)), '' ORDER BY r.risk_score DESC, r.client_id))
                       FROM risk AS r HAVING count(*) > 0),
                    format('<p class="nodata">%s</p>', labels ->> 'none_at_risk'))
        || '</section>'
        || format('<p class="note">%s. %s: %s</p>', format(labels ->> 'min_answers_note', min_n),
                  labels ->> 'generated', to_char(timezone(zone, now()), 'YYYY-MM-DD HH24:MI'))
    ) INTO result;
    RETURN result;
END
$$;

COMMENT ON FUNCTION @extschema@.team_report(pg_catalog.text, pg_catalog.date, pg_catalog.text) IS
'A team''s monthly review as one self-contained HTML document (en, ru): scores and trend, per manager the lowest-scoring clients, the clients at risk at the month''s end';
