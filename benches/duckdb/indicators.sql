-- Twelve indicators of indicators.yaml written straight from their definitions in plain DuckDB SQL, over the same
-- Parquet files csc-indicators reads. Run by benches/duckdb/compare.py after calendar.sql (working days, spine,
-- population). Output: one row per LA x reported month x indicator x window: la_code, month (year*12 + month - 1),
-- indicator_id, window, numerator, denominator. Written for clean generated data (`generate --clean`): no
-- de-duplication, value maps or date repair, which are csc-indicators' own work.

-- Dated events: la_code, month, indicator_id, num (1 if in the numerator).
CREATE TEMP TABLE events AS
WITH
cin AS (SELECT la_code::VARCHAR la_code, cine_person_id p, cine_referral_date::DATE d FROM tbl('ssd_cin_episodes') WHERE cine_referral_date IS NOT NULL),
plans AS (SELECT la_code::VARCHAR la_code, cppl_person_id p, cppl_cp_plan_start_date::DATE s, cppl_cp_plan_end_date::DATE e FROM tbl('ssd_cp_plans')),
s47 AS (SELECT la_code::VARCHAR la_code, s47e_s47_enquiry_id id, s47e_s47_start_date::DATE s FROM tbl('ssd_s47_enquiry'))
SELECT la_code, mon(d) AS month, 'referrals' AS indicator_id, 1 AS num FROM cin
UNION ALL
SELECT la_code, mon(d), 're_referral_rate',
       CASE WHEN EXISTS (SELECT 1 FROM cin o WHERE o.la_code = c.la_code AND o.p = c.p AND o.d < c.d
                                                AND o.d >= c.d - INTERVAL 12 MONTH) THEN 1 ELSE 0 END
FROM cin c
UNION ALL
SELECT la_code::VARCHAR, mon(cina_assessment_auth_date::DATE), 'assessments_within_45wd',
       CASE WHEN wdays(cina_assessment_start_date, cina_assessment_auth_date) <= 45 THEN 1 ELSE 0 END
FROM tbl('ssd_cin_assessments')
WHERE cina_assessment_start_date IS NOT NULL AND cina_assessment_auth_date IS NOT NULL
  AND cina_assessment_auth_date::DATE >= cina_assessment_start_date::DATE
UNION ALL
SELECT la_code, mon(s), 's47_started', 1 FROM s47 WHERE s IS NOT NULL
UNION ALL
SELECT la_code, mon(s), 's47_rate', 1 FROM s47 WHERE s IS NOT NULL
UNION ALL
SELECT i.la_code::VARCHAR, mon(i.icpc_icpc_date::DATE), 'icpc_within_15wd',
       CASE WHEN wdays(s47.s, i.icpc_icpc_date) <= 15 THEN 1 ELSE 0 END
FROM tbl('ssd_initial_cp_conference') i
JOIN s47 ON s47.la_code = i.la_code::VARCHAR AND s47.id = i.icpc_s47_enquiry_id
WHERE i.icpc_icpc_date IS NOT NULL AND s47.s IS NOT NULL AND coalesce(upper(trim(i.icpc_icpc_transfer_in::VARCHAR)) IN ('Y', 'TRUE'), false) = false
  AND i.icpc_icpc_date::DATE >= s47.s
UNION ALL
SELECT la_code, mon(s), 'cp_repeat_within_2y',
       CASE WHEN EXISTS (SELECT 1 FROM plans o WHERE o.la_code = t.la_code AND o.p = t.p AND o.s < t.s
                           AND o.e IS NOT NULL AND o.e <= t.s AND o.e >= t.s - INTERVAL 24 MONTH) THEN 1 ELSE 0 END
FROM plans t WHERE s IS NOT NULL
UNION ALL
SELECT la_code, mon(e), 'cp_ended_2y_plus', CASE WHEN e >= s + INTERVAL 24 MONTH THEN 1 ELSE 0 END
FROM plans WHERE e IS NOT NULL
UNION ALL
SELECT la_code::VARCHAR, mon(cppr_cp_review_due::DATE), 'cp_reviews_on_time',
       CASE WHEN cppr_cp_review_date IS NOT NULL AND cppr_cp_review_date::DATE <= cppr_cp_review_due::DATE THEN 1 ELSE 0 END
FROM tbl('ssd_cp_reviews') WHERE cppr_cp_review_due IS NOT NULL;

-- Per indicator and month, zero-filled on the spine, then windowed.
CREATE TEMP TABLE monthly AS
SELECT s.la_code, s.month, s.fy, k.indicator_id,
       coalesce(sum(e.num), 0) AS num, count(e.num) AS den
FROM spine s
CROSS JOIN (SELECT DISTINCT indicator_id FROM events) k
LEFT JOIN events e ON e.la_code = s.la_code AND e.month = s.month AND e.indicator_id = k.indicator_id
GROUP BY ALL;

CREATE TEMP TABLE windowed AS
SELECT la_code, month, fy, indicator_id, 'month' AS window, num, den FROM monthly
UNION ALL
SELECT la_code, month, fy, indicator_id, 'ytd',
       sum(num) OVER (PARTITION BY la_code, indicator_id, fy ORDER BY month),
       sum(den) OVER (PARTITION BY la_code, indicator_id, fy ORDER BY month)
FROM monthly
UNION ALL
SELECT la_code, month, fy, indicator_id, 'rolling_12m',
       sum(num) OVER (PARTITION BY la_code, indicator_id ORDER BY month ROWS BETWEEN 11 PRECEDING AND CURRENT ROW),
       sum(den) OVER (PARTITION BY la_code, indicator_id ORDER BY month ROWS BETWEEN 11 PRECEDING AND CURRENT ROW)
FROM monthly WHERE indicator_id IN ('referrals', 's47_started', 's47_rate');

-- Children on a plan at each period end, and whether each has an involvement open then with a qualified social
-- worker (job titles mapped as the catalogue's value map does).
CREATE TEMP TABLE on_plan AS
SELECT DISTINCT p.la_code::VARCHAR AS la_code, p.cppl_person_id AS person, s.month
FROM tbl('ssd_cp_plans') p
JOIN spine s ON s.la_code = p.la_code::VARCHAR
 AND s.month >= getvariable('report_from')
 AND mon(p.cppl_cp_plan_start_date::DATE) <= s.month
 AND (p.cppl_cp_plan_end_date IS NULL OR mon(p.cppl_cp_plan_end_date::DATE) - 1 >= s.month);

CREATE TEMP TABLE allocated AS
SELECT DISTINCT o.la_code, o.person, o.month
FROM on_plan o
JOIN tbl('ssd_involvements') i ON i.la_code::VARCHAR = o.la_code AND i.invo_person_id = o.person
JOIN tbl('ssd_professionals') f ON f.la_code::VARCHAR = o.la_code AND f.prof_professional_id = i.invo_professional_id
WHERE mon(i.invo_involvement_start_date::DATE) <= o.month
  AND (i.invo_involvement_end_date IS NULL OR mon(i.invo_involvement_end_date::DATE) - 1 >= o.month)
  AND lower(trim(f.prof_professional_job_title)) IN ('qualified_social_worker', 'social worker', 'senior social worker',
      'advanced practitioner', 'consultant social worker', 'practice supervisor');

CREATE TEMP TABLE snapshots AS
SELECT s.la_code, s.month, s.fy, c.indicator_id, 'snapshot' AS window,
       CASE c.indicator_id WHEN 'cp_allocated' THEN coalesce(a.n, 0) ELSE coalesce(k.n, 0) END AS num,
       CASE c.indicator_id WHEN 'cp_allocated' THEN coalesce(k.n, 0) END AS den
FROM spine s
CROSS JOIN (VALUES ('cp_children'), ('cp_rate'), ('cp_allocated')) c(indicator_id)
LEFT JOIN (SELECT la_code, month, count(*) n FROM on_plan GROUP BY ALL) k USING (la_code, month)
LEFT JOIN (SELECT la_code, month, count(*) n FROM allocated GROUP BY ALL) a USING (la_code, month)
WHERE s.month >= getvariable('report_from');

-- Windows each indicator reports, and the unit's numerator and denominator.
CREATE TEMP TABLE result AS
SELECT w.la_code, w.month, w.indicator_id, w.window,
       w.num::DOUBLE AS numerator,
       CASE WHEN w.indicator_id IN ('referrals', 's47_started', 'cp_children') THEN NULL
            WHEN w.indicator_id IN ('s47_rate', 'cp_rate') THEN p.population
            ELSE w.den::DOUBLE END AS denominator
FROM (SELECT * FROM windowed UNION ALL SELECT * FROM snapshots) w
LEFT JOIN pop p ON p.la_code = w.la_code AND p.fy = w.fy
WHERE w.month >= getvariable('report_from')
  AND (w.window <> 'month' OR w.indicator_id NOT IN ('s47_rate'));
