-- The whole catalogue of indicators.yaml (57 indicators, with their windows and breakdowns) written straight from
-- the definitions in plain DuckDB SQL, as a council analyst would write it, over the same Parquet files
-- csc-indicators reads. Run by benches/duckdb/compare.py after calendar.sql (working days, spine, population).
-- Output: one row per LA x reported month x indicator x window x breakdown category: la_code, month
-- (year*12 + month - 1), indicator_id, window, breakdown, breakdown_value, numerator, denominator. Written for clean
-- generated data (`generate --clean`): no de-duplication, value maps of codes or date repair, which are
-- csc-indicators' own work.

-- ---------------------------------------------------------------- Calendar rules the dozen does not need
-- Whole years from dob to d (29 February birthdays reached on 1 March in common years).
CREATE MACRO age_at(dob, d) AS
  year(d) - year(dob) - CASE WHEN month(d) * 100 + day(d) < month(dob) * 100 + day(dob) THEN 1 ELSE 0 END;
CREATE MACRO is_yes(v) AS coalesce(upper(trim(v::VARCHAR)) IN ('Y', 'YES', 'TRUE', '1'), false);

-- ---------------------------------------------------------------- The catalogue: units, windows, categories
CREATE TEMP TABLE units AS SELECT * FROM (VALUES
  ('referrals', 'count'), ('referral_rate', 'rate'), ('referral_completed_1wd', 'percent'),
  ('referral_completed_over_3wd', 'percent'), ('re_referrals', 'count'), ('re_referral_rate', 'percent'),
  ('eha_started', 'count'), ('eha_started_external', 'percent'), ('assessments_completed', 'count'),
  ('assessments_completed_rate', 'rate'), ('assessments_within_45wd', 'percent'), ('s47_started', 'count'),
  ('s47_children', 'count'), ('s47_rate', 'rate'), ('s47_completed', 'count'), ('s47_to_icpc', 'percent'),
  ('icpc_children', 'count'), ('icpc_rate', 'rate'), ('icpc_within_15wd', 'percent'), ('cp_children', 'count'),
  ('cp_rate', 'rate'), ('cp_starts', 'count'), ('cp_starts_rate', 'rate'), ('cp_ends', 'count'),
  ('cp_ends_rate', 'rate'), ('cp_repeat_within_2y', 'percent'), ('cp_repeat_ever', 'percent'),
  ('cp_ended_2y_plus', 'percent'), ('cp_reviews_on_time', 'percent'), ('cp_visits_within_10wd', 'percent'),
  ('cp_visits_within_15wd', 'percent'), ('cp_allocated', 'percent'), ('cic_children', 'count'),
  ('cic_rate', 'rate'), ('cic_starts', 'count'), ('cic_starts_rate', 'rate'), ('cic_ends', 'count'),
  ('cic_ends_rate', 'rate'), ('cic_3plus_placements', 'percent'), ('cic_long_term_stability', 'percent'),
  ('cic_placed_20_miles', 'percent'), ('cic_reviews_on_time', 'percent'), ('cic_visits_on_time', 'percent'),
  ('iha_within_20wd', 'percent'), ('health_assessments_up_to_date', 'percent'),
  ('dental_checks_up_to_date', 'percent'), ('pep_in_place', 'percent'), ('missing_episodes', 'count'),
  ('missing_children', 'count'), ('rhi_within_72h', 'percent'), ('care_leavers_pathway_plan', 'percent'),
  ('care_leavers_neet', 'percent'), ('care_leavers_suitable_accommodation', 'percent'),
  ('cic_ceased_adopted', 'percent'), ('a1_entering_care_to_placed', 'days'), ('a2_order_to_match', 'days'),
  ('average_caseload', 'mean')
) t(indicator_id, unit);

CREATE TEMP TABLE windows AS
SELECT indicator_id, unnest(string_split(w, ' ')) AS win FROM (VALUES
  ('referrals', 'month ytd rolling_12m'), ('referral_rate', 'rolling_12m'), ('referral_completed_1wd', 'month ytd'),
  ('referral_completed_over_3wd', 'month ytd'), ('re_referrals', 'month ytd'), ('re_referral_rate', 'month ytd'),
  ('eha_started', 'month ytd'), ('eha_started_external', 'month ytd'), ('assessments_completed', 'month ytd'),
  ('assessments_completed_rate', 'ytd'), ('assessments_within_45wd', 'month ytd'),
  ('s47_started', 'month ytd rolling_12m'), ('s47_children', 'month ytd'), ('s47_rate', 'ytd rolling_12m'),
  ('s47_completed', 'month ytd rolling_12m'), ('s47_to_icpc', 'month ytd'), ('icpc_children', 'month rolling_12m'),
  ('icpc_rate', 'rolling_12m'), ('icpc_within_15wd', 'month ytd'), ('cp_starts', 'month ytd rolling_12m'),
  ('cp_starts_rate', 'rolling_12m'), ('cp_ends', 'month ytd rolling_12m'), ('cp_ends_rate', 'rolling_12m'),
  ('cp_repeat_within_2y', 'month ytd'), ('cp_repeat_ever', 'month ytd'), ('cp_ended_2y_plus', 'month ytd'),
  ('cp_reviews_on_time', 'month ytd'), ('cp_visits_within_10wd', 'month ytd'), ('cp_visits_within_15wd', 'month ytd'),
  ('cic_starts', 'month ytd rolling_12m'), ('cic_starts_rate', 'rolling_12m'), ('cic_ends', 'month ytd rolling_12m'),
  ('cic_ends_rate', 'rolling_12m'), ('cic_reviews_on_time', 'month ytd'), ('iha_within_20wd', 'quarter ytd'),
  ('missing_episodes', 'month ytd'), ('missing_children', 'month ytd'), ('rhi_within_72h', 'month ytd'),
  ('cic_ceased_adopted', 'ytd quarter'), ('a1_entering_care_to_placed', 'rolling_12m rolling_36m'),
  ('a2_order_to_match', 'rolling_12m rolling_36m')
) t(indicator_id, w);

-- Breakdown categories, listed in full so that every LA and month has every category (zero when empty).
CREATE TEMP TABLE categories AS
SELECT i AS indicator_id, b AS breakdown, unnest(string_split(c, ' ')) AS category FROM (VALUES
  ('cic_children', 'legal_status', 'C1 C2 D1 E1 J1 J2 J3 L1 L2 L3 V2'),
  ('cic_children', 'placement_type', 'A3 A4 A5 A6 K1 K2 P1 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1'),
  ('cic_children', 'sex', 'F M'),
  ('missing_episodes', 'from_care', 'yes no'), ('missing_children', 'from_care', 'yes no'),
  ('care_leavers_neet', 'age_band', '19-21 22-25'), ('care_leavers_suitable_accommodation', 'age_band', '19-21 22-25'),
  ('average_caseload', 'role', 'qualified_social_worker personal_advisor independent_reviewing_officer')
) t(i, b, c)
UNION ALL
SELECT 'cic_children', 'age_group', unnest(['Under 1', '1 to 4', '5 to 9', '10 to 15', '16+']);

-- Every indicator's total (breakdown null) and its categories.
CREATE TEMP TABLE cells AS
SELECT indicator_id, NULL::VARCHAR AS breakdown, NULL::VARCHAR AS category FROM units
UNION ALL SELECT * FROM categories;

-- ---------------------------------------------------------------- Shared rows
CREATE TEMP TABLE cin AS
SELECT la_code::VARCHAR la_code, cine_referral_id id, cine_person_id p, cine_referral_date d, cine_referral_outcome_date o
FROM tbl('ssd_cin_episodes');
CREATE TEMP TABLE plans AS
SELECT la_code::VARCHAR la_code, cppl_cp_plan_id id, cppl_person_id p, cppl_cp_plan_start_date s, cppl_cp_plan_end_date e
FROM tbl('ssd_cp_plans');
CREATE TEMP TABLE s47 AS
SELECT la_code::VARCHAR la_code, s47e_s47_enquiry_id id, s47e_person_id p, s47e_s47_start_date s, s47e_s47_end_date e
FROM tbl('ssd_s47_enquiry');
CREATE TEMP TABLE icpc AS
SELECT la_code::VARCHAR la_code, icpc_s47_enquiry_id s47_id, icpc_person_id p, icpc_icpc_date d, icpc_icpc_transfer_in t
FROM tbl('ssd_initial_cp_conference');
CREATE TEMP TABLE legal AS
SELECT la_code::VARCHAR la_code, lega_legal_status_id id, lega_person_id p, lega_legal_status status,
       lega_legal_status_start_date s, lega_legal_status_end_date e
FROM tbl('ssd_legal_status');
CREATE TEMP TABLE short_breaks AS SELECT * FROM legal WHERE status IN ('V3', 'V4');
CREATE TEMP TABLE person AS
SELECT la_code::VARCHAR la_code, pers_person_id p, pers_dob dob, pers_expected_dob expected, pers_sex sex FROM tbl('ssd_person');
CREATE TEMP TABLE placements AS
SELECT la_code::VARCHAR la_code, clap_cla_placement_id id, clap_person_id p, clap_cla_placement_type type,
       clap_cla_placement_start_date s, clap_cla_placement_end_date e, clap_cla_placement_distance distance
FROM tbl('ssd_cla_placement');
CREATE TEMP TABLE health AS
SELECT la_code::VARCHAR la_code, clah_person_id p, clah_health_check_type type, clah_health_check_date d
FROM tbl('ssd_cla_health') WHERE lower(clah_health_check_status) = 'completed';
-- Job titles to roles, as the catalogue's value map says.
CREATE TEMP TABLE professionals AS
SELECT la_code::VARCHAR la_code, prof_professional_id id,
       CASE WHEN lower(trim(prof_professional_job_title)) IN ('qualified_social_worker', 'social worker', 'senior social worker',
                 'advanced practitioner', 'consultant social worker', 'practice supervisor') THEN 'qualified_social_worker'
            WHEN lower(trim(prof_professional_job_title)) IN ('personal_advisor', 'personal advisor', 'personal adviser') THEN 'personal_advisor'
            WHEN lower(trim(prof_professional_job_title)) IN ('independent_reviewing_officer', 'independent reviewing officer', 'iro')
                 THEN 'independent_reviewing_officer'
       END AS role
FROM tbl('ssd_professionals');
CREATE TEMP TABLE involvements AS
SELECT i.la_code::VARCHAR la_code, i.invo_person_id p, i.invo_professional_id professional,
       i.invo_involvement_start_date s, i.invo_involvement_end_date e, f.role
FROM tbl('ssd_involvements') i
LEFT JOIN professionals f ON f.la_code = i.la_code::VARCHAR AND f.id = i.invo_professional_id;

-- CLA episodes with their period of care (clae_cla_id): first start, the latest-starting episode's ceased date, and
-- how many of its episodes are open.
CREATE TEMP TABLE episodes AS
SELECT la_code::VARCHAR la_code, clae_cla_episode_id id, clae_person_id p, clae_cla_id cla_id,
       clae_cla_episode_start_date s, clae_cla_episode_ceased_date e, clae_cla_episode_ceased_reason reason,
       min(clae_cla_episode_start_date) OVER period AS period_start,
       arg_max(clae_cla_episode_ceased_date, clae_cla_episode_start_date) OVER period AS period_last_ceased,
       count(*) FILTER (WHERE clae_cla_episode_ceased_date IS NULL) OVER period AS period_open_episodes,
       row_number() OVER (period ORDER BY clae_cla_episode_start_date) = 1 AS is_first,
       row_number() OVER (period ORDER BY clae_cla_episode_start_date DESC) = 1 AS is_last
FROM tbl('ssd_cla_episodes')
WINDOW period AS (PARTITION BY la_code, clae_cla_id);

-- Periods of care starting (first episode, no V3/V4 open on its first day), dated by the first episode's start.
CREATE TEMP TABLE care_starts AS
SELECT e.* FROM episodes e
WHERE is_first AND NOT EXISTS (SELECT 1 FROM short_breaks b WHERE b.la_code = e.la_code AND b.p = e.p
                                  AND b.s <= e.s AND (b.e IS NULL OR b.e > e.s));

-- Periods of care ending (last episode, none open, reason set and not X1, no V3/V4 open on the last day in care).
CREATE TEMP TABLE care_ends AS
SELECT e.* FROM episodes e
WHERE is_last AND period_open_episodes = 0 AND reason IS NOT NULL AND reason <> 'X1'
  AND NOT EXISTS (SELECT 1 FROM short_breaks b WHERE b.la_code = e.la_code AND b.p = e.p
                     AND b.s <= greatest(e.e - 1, e.period_start) AND (b.e IS NULL OR b.e > greatest(e.e - 1, e.period_start)));

-- Missing episodes of type M, dated by the date part of their start, with whether the child was in care then.
CREATE TEMP TABLE missing AS
SELECT m.la_code::VARCHAR la_code, m.miss_person_id p, m.miss_missing_episode_start_date::DATE d,
       m.miss_missing_episode_end_date e, m.miss_missing_rhi_date rhi,
       CASE WHEN EXISTS (SELECT 1 FROM episodes c WHERE c.la_code = m.la_code::VARCHAR AND c.p = m.miss_person_id
                           AND c.s <= m.miss_missing_episode_start_date::DATE
                           AND (c.e IS NULL OR c.e > m.miss_missing_episode_start_date::DATE))
             AND NOT EXISTS (SELECT 1 FROM short_breaks b WHERE b.la_code = m.la_code::VARCHAR AND b.p = m.miss_person_id
                           AND b.s <= m.miss_missing_episode_start_date::DATE
                           AND (b.e IS NULL OR b.e > m.miss_missing_episode_start_date::DATE))
            THEN 'yes' ELSE 'no' END AS from_care
FROM tbl('ssd_missing') m WHERE m.miss_missing_episode_type = 'M';

-- ---------------------------------------------------------------- Dated events: summed month by month
-- la_code, d (the date that places it), indicator_id, breakdown, category, num, den.
CREATE TEMP TABLE events AS
WITH
visits AS (
  SELECT v.la_code::VARCHAR la_code, v.cppv_cp_visit_date d, p.s, p.e,
         coalesce(lag(v.cppv_cp_visit_date) OVER (PARTITION BY v.la_code, v.cppv_cp_plan_id ORDER BY v.cppv_cp_visit_date), p.s) AS previous
  FROM tbl('ssd_cp_visits') v
  LEFT JOIN plans p ON p.la_code = v.la_code::VARCHAR AND p.id = v.cppv_cp_plan_id
),
on_time_visits AS (
  SELECT la_code, d, wdays(previous, d) AS wd FROM visits
  WHERE s <= d AND (e IS NULL OR e > d) AND previous <= d
),
adoptions AS (
  SELECT la_code::VARCHAR la_code, perm_person_id p, perm_permanence_order_date d, perm_placed_for_adoption_date placed,
         perm_placement_order_date placement_order, perm_matched_date matched
  FROM tbl('ssd_permanence') WHERE lower(perm_permanence_order_type) = 'adoption'
),
entered AS (
  SELECT a.*, (SELECT max(c.period_start) FROM episodes c
                WHERE c.la_code = a.la_code AND c.p = a.p AND c.period_start <= a.d
                  AND (c.period_open_episodes > 0 OR a.d <= c.period_last_ceased)) AS entered_care
  FROM adoptions a
)
SELECT la_code, d, 'referrals' indicator_id, NULL breakdown, NULL category, 1 num, 1 den FROM cin
UNION ALL SELECT la_code, d, 'referral_rate', NULL, NULL, 1, 1 FROM cin
UNION ALL SELECT la_code, o, 'referral_completed_1wd', NULL, NULL, (wdays(d, o) <= 1)::INT, 1 FROM cin WHERE o >= d
UNION ALL SELECT la_code, o, 'referral_completed_over_3wd', NULL, NULL, (wdays(d, o) > 3)::INT, 1 FROM cin WHERE o >= d
UNION ALL
SELECT la_code, d, indicator_id, NULL, NULL, num, 1 FROM (
  SELECT c.la_code, c.d,
         EXISTS (SELECT 1 FROM cin o WHERE o.la_code = c.la_code AND o.p = c.p AND o.d < c.d
                   AND o.d >= c.d - INTERVAL 12 MONTH)::INT AS num
  FROM cin c
), (VALUES ('re_referrals'), ('re_referral_rate')) k(indicator_id)
WHERE indicator_id = 're_referral_rate' OR num = 1
UNION ALL
SELECT la_code::VARCHAR, earl_episode_start_date, 'eha_started', NULL, NULL, 1, 1 FROM tbl('ssd_early_help_episodes')
UNION ALL
SELECT la_code::VARCHAR, earl_episode_start_date, 'eha_started_external', NULL, NULL,
       coalesce(lower(earl_episode_organisation) = 'external', false)::INT, 1 FROM tbl('ssd_early_help_episodes')
UNION ALL
SELECT la_code::VARCHAR, cina_assessment_auth_date, k, NULL, NULL, 1, 1
FROM tbl('ssd_cin_assessments'), (VALUES ('assessments_completed'), ('assessments_completed_rate')) t(k)
UNION ALL
SELECT la_code::VARCHAR, cina_assessment_auth_date, 'assessments_within_45wd', NULL, NULL,
       (wdays(cina_assessment_start_date, cina_assessment_auth_date) <= 45)::INT, 1
FROM tbl('ssd_cin_assessments') WHERE cina_assessment_auth_date >= cina_assessment_start_date
UNION ALL SELECT la_code, s, k, NULL, NULL, 1, 1 FROM s47, (VALUES ('s47_started'), ('s47_rate')) t(k)
UNION ALL SELECT la_code, e, 's47_completed', NULL, NULL, 1, 1 FROM s47
UNION ALL
SELECT la_code, e, 's47_to_icpc', NULL, NULL,
       EXISTS (SELECT 1 FROM icpc i WHERE i.la_code = s.la_code AND i.s47_id = s.id)::INT, 1 FROM s47 s
UNION ALL
SELECT i.la_code, i.d, 'icpc_within_15wd', NULL, NULL, (wdays(s47.s, i.d) <= 15)::INT, 1
FROM icpc i JOIN s47 ON s47.la_code = i.la_code AND s47.id = i.s47_id
WHERE s47.s IS NOT NULL AND NOT is_yes(i.t) AND i.d >= s47.s
UNION ALL SELECT la_code, s, k, NULL, NULL, 1, 1 FROM plans, (VALUES ('cp_starts'), ('cp_starts_rate')) t(k)
UNION ALL SELECT la_code, e, k, NULL, NULL, 1, 1 FROM plans, (VALUES ('cp_ends'), ('cp_ends_rate')) t(k)
UNION ALL
SELECT la_code, s, 'cp_repeat_within_2y', NULL, NULL,
       EXISTS (SELECT 1 FROM plans o WHERE o.la_code = t.la_code AND o.p = t.p AND o.s < t.s
                 AND o.e IS NOT NULL AND o.e <= t.s AND o.e >= t.s - INTERVAL 24 MONTH)::INT, 1
FROM plans t
UNION ALL
SELECT la_code, s, 'cp_repeat_ever', NULL, NULL,
       EXISTS (SELECT 1 FROM plans o WHERE o.la_code = t.la_code AND o.p = t.p AND o.s < t.s)::INT, 1
FROM plans t
UNION ALL SELECT la_code, e, 'cp_ended_2y_plus', NULL, NULL, (e >= s + INTERVAL 24 MONTH)::INT, 1 FROM plans
UNION ALL
SELECT la_code::VARCHAR, cppr_cp_review_due, 'cp_reviews_on_time', NULL, NULL,
       coalesce(cppr_cp_review_date <= cppr_cp_review_due, false)::INT, 1 FROM tbl('ssd_cp_reviews')
UNION ALL SELECT la_code, d, 'cp_visits_within_10wd', NULL, NULL, (wd <= 10)::INT, 1 FROM on_time_visits
UNION ALL SELECT la_code, d, 'cp_visits_within_15wd', NULL, NULL, (wd <= 15)::INT, 1 FROM on_time_visits
UNION ALL SELECT la_code, s, k, NULL, NULL, 1, 1 FROM care_starts, (VALUES ('cic_starts'), ('cic_starts_rate')) t(k)
UNION ALL SELECT la_code, e, k, NULL, NULL, 1, 1 FROM care_ends, (VALUES ('cic_ends'), ('cic_ends_rate')) t(k)
UNION ALL SELECT la_code, e, 'cic_ceased_adopted', NULL, NULL, (reason IN ('E11', 'E12'))::INT, 1 FROM care_ends
UNION ALL
SELECT r.la_code::VARCHAR, r.clar_cla_review_due_date, 'cic_reviews_on_time', NULL, NULL,
       coalesce(r.clar_cla_review_date <= r.clar_cla_review_due_date, false)::INT, 1
FROM tbl('ssd_cla_reviews') r
WHERE NOT is_yes(r.clar_cla_review_cancelled)
  AND NOT EXISTS (SELECT 1 FROM short_breaks b WHERE b.la_code = r.la_code::VARCHAR AND b.p = r.clar_cla_person_id
                    AND b.s <= r.clar_cla_review_due_date AND (b.e IS NULL OR b.e > r.clar_cla_review_due_date))
UNION ALL SELECT la_code, d, 'missing_episodes', NULL, NULL, 1, 1 FROM missing
UNION ALL SELECT la_code, d, 'missing_episodes', 'from_care', from_care, 1, 1 FROM missing
UNION ALL
SELECT la_code, e::DATE, 'rhi_within_72h', NULL, NULL,
       coalesce(rhi >= e AND rhi <= e + INTERVAL 72 HOUR, false)::INT, 1 FROM missing
UNION ALL
SELECT la_code, d, 'a1_entering_care_to_placed', NULL, NULL, placed - entered_care, 1
FROM entered WHERE entered_care IS NOT NULL AND placed IS NOT NULL
UNION ALL
SELECT la_code, d, 'a2_order_to_match', NULL, NULL, greatest(matched - placement_order, 0), 1
FROM adoptions WHERE placement_order IS NOT NULL AND matched IS NOT NULL;

-- Per cell and month, zero-filled on the spine, then windowed by sums over months.
CREATE TEMP TABLE monthly AS
SELECT s.la_code, s.month, s.fy, s.fq, c.indicator_id, c.breakdown, c.category,
       coalesce(e.num, 0) AS num, coalesce(e.den, 0) AS den
FROM spine s
CROSS JOIN (SELECT * FROM cells WHERE indicator_id IN (SELECT indicator_id FROM events)) c
LEFT JOIN (SELECT la_code, mon(d) AS month, indicator_id, breakdown, category, sum(num) num, sum(den) den
           FROM events WHERE d IS NOT NULL GROUP BY ALL) e
  ON e.la_code = s.la_code AND e.month = s.month AND e.indicator_id = c.indicator_id
 AND coalesce(e.breakdown, '') = coalesce(c.breakdown, '') AND coalesce(e.category, '') = coalesce(c.category, '');

CREATE TEMP TABLE summed AS
SELECT la_code, month, fy, indicator_id, breakdown, category, win,
       CASE win WHEN 'month' THEN num
                   WHEN 'quarter' THEN sum(num) OVER (PARTITION BY la_code, indicator_id, breakdown, category, win, fq ORDER BY month)
                   WHEN 'ytd' THEN sum(num) OVER (PARTITION BY la_code, indicator_id, breakdown, category, win, fy ORDER BY month)
                   WHEN 'rolling_12m' THEN sum(num) OVER (PARTITION BY la_code, indicator_id, breakdown, category, win ORDER BY month ROWS 11 PRECEDING)
                   WHEN 'rolling_36m' THEN sum(num) OVER (PARTITION BY la_code, indicator_id, breakdown, category, win ORDER BY month ROWS 35 PRECEDING)
       END AS num,
       CASE win WHEN 'month' THEN den
                   WHEN 'quarter' THEN sum(den) OVER (PARTITION BY la_code, indicator_id, breakdown, category, win, fq ORDER BY month)
                   WHEN 'ytd' THEN sum(den) OVER (PARTITION BY la_code, indicator_id, breakdown, category, win, fy ORDER BY month)
                   WHEN 'rolling_12m' THEN sum(den) OVER (PARTITION BY la_code, indicator_id, breakdown, category, win ORDER BY month ROWS 11 PRECEDING)
                   WHEN 'rolling_36m' THEN sum(den) OVER (PARTITION BY la_code, indicator_id, breakdown, category, win ORDER BY month ROWS 35 PRECEDING)
       END AS den
FROM monthly JOIN windows USING (indicator_id);

-- ---------------------------------------------------------------- Dated events: distinct children per window
-- Each event joined to the reported months whose window holds it, then children counted once per window.
CREATE TEMP TABLE child_events AS
SELECT la_code, s, 's47_children' indicator_id, NULL breakdown, NULL category, p FROM s47
UNION ALL SELECT la_code, d, k, NULL, NULL, p FROM icpc, (VALUES ('icpc_children'), ('icpc_rate')) t(k)
UNION ALL
SELECT la_code, d, 'missing_children', b, c, p
FROM missing, LATERAL (SELECT NULL, NULL UNION ALL SELECT 'from_care', from_care) t(b, c);

CREATE TEMP TABLE distinct_children AS
SELECT r.la_code, r.month, r.fy, c.indicator_id, c.breakdown, c.category, w.win,
       count(DISTINCT e.p) AS num, NULL::BIGINT AS den
FROM reported r
CROSS JOIN (SELECT * FROM cells WHERE indicator_id IN (SELECT indicator_id FROM child_events)) c
JOIN windows w ON w.indicator_id = c.indicator_id
LEFT JOIN child_events e
  ON e.la_code = r.la_code AND e.indicator_id = c.indicator_id
 AND coalesce(e.breakdown, '') = coalesce(c.breakdown, '') AND coalesce(e.category, '') = coalesce(c.category, '')
 AND mon(e.s) <= r.month
 AND CASE w.win WHEN 'month' THEN mon(e.s) = r.month
                   WHEN 'ytd' THEN (mon(e.s) - 3) // 12 = r.fy
                   WHEN 'rolling_12m' THEN mon(e.s) > r.month - 12 END
GROUP BY ALL;

-- ---------------------------------------------------------------- Judged at each period end: IHA within 20 working days
CREATE TEMP TABLE iha AS
SELECT c.la_code, c.s, c.s + 28 AS day_28, c.period_open_episodes, c.period_last_ceased,
       (SELECT min(h.d) FROM health h WHERE h.la_code = c.la_code AND h.p = c.p AND h.type = 'IHA' AND h.d >= c.s) AS first_iha
FROM care_starts c;

CREATE TEMP TABLE iha_windows AS
SELECT r.la_code, r.month, r.fy, 'iha_within_20wd' AS indicator_id, NULL::VARCHAR breakdown, NULL::VARCHAR category, w.win,
       count(i.s) FILTER (WHERE i.first_iha <= r.period_end AND wdays(i.s, i.first_iha) <= 20) AS num,
       count(i.s) AS den
FROM reported r
CROSS JOIN (VALUES ('quarter'), ('ytd')) w(win)
LEFT JOIN iha i
  ON i.la_code = r.la_code AND mon(i.s) <= r.month
 AND CASE w.win WHEN 'quarter' THEN (mon(i.s) - 3) // 3 = r.fq ELSE (mon(i.s) - 3) // 12 = r.fy END
 AND i.day_28 <= r.period_end AND (i.period_open_episodes > 0 OR i.period_last_ceased >= i.day_28)
GROUP BY ALL;

-- ---------------------------------------------------------------- Snapshots: the state at the end of each period end
CREATE MACRO open_at(s, e, d) AS s <= d AND (e IS NULL OR e > d);

-- Children in care at each period end: an episode open then and no V3/V4 open then, with the cohort's columns.
CREATE TEMP TABLE in_care AS
SELECT r.la_code, r.month, r.fy, r.period_end, e.p, e.period_start
FROM reported r
JOIN episodes e ON e.la_code = r.la_code AND open_at(e.s, e.e, r.period_end)
WHERE NOT EXISTS (SELECT 1 FROM short_breaks b WHERE b.la_code = e.la_code AND b.p = e.p AND open_at(b.s, b.e, r.period_end));

CREATE TEMP TABLE cic AS
SELECT c.*,
       CASE WHEN pe.dob IS NOT NULL THEN age_at(pe.dob, c.period_end) WHEN pe.expected IS NOT NULL THEN 0 END AS age,
       CASE WHEN pe.dob IS NOT NULL THEN age_at(pe.dob, make_date(year(c.period_end) - CASE WHEN month(c.period_end) * 100 + day(c.period_end) <= 831 THEN 1 ELSE 0 END, 8, 31))
            WHEN pe.expected IS NOT NULL THEN 0 END AS school_year_age,
       pe.sex,
       greatest(c.period_start, (SELECT max(b.e) FROM short_breaks b WHERE b.la_code = c.la_code AND b.p = c.p
                                   AND b.e >= c.period_start AND b.e <= c.period_end)) AS spell_start,
       (SELECT arg_max(l.status, (l.s, l.id)) FROM legal l WHERE l.la_code = c.la_code AND l.p = c.p
          AND open_at(l.s, l.e, c.period_end)) AS legal_status,
       (SELECT arg_max({type: x.type, s: x.s, distance: x.distance}, (x.s, x.id)) FROM placements x
          WHERE x.la_code = c.la_code AND x.p = c.p AND open_at(x.s, x.e, c.period_end)) AS placement,
       (SELECT count(*) FROM placements x WHERE x.la_code = c.la_code AND x.p = c.p
          AND x.s <= c.period_end AND (x.e IS NULL OR x.e > (c.period_end - INTERVAL 12 MONTH)::DATE + 1)) AS placements_in_12_months,
       (SELECT count(*) FROM tbl('ssd_cla_visits') v WHERE v.la_code::VARCHAR = c.la_code AND v.clav_person_id = c.p
          AND v.clav_cla_visit_date > c.period_end - 42 AND v.clav_cla_visit_date <= c.period_end) AS visits_in_42_days,
       (SELECT count(*) FROM health h WHERE h.la_code = c.la_code AND h.p = c.p AND h.type IN ('RHA', 'IHA')
          AND h.d > c.period_end - INTERVAL 12 MONTH AND h.d <= c.period_end) AS health_checks_in_12_months,
       (SELECT count(*) FROM health h WHERE h.la_code = c.la_code AND h.p = c.p AND h.type = 'DENTAL'
          AND h.d > c.period_end - INTERVAL 12 MONTH AND h.d <= c.period_end) AS dental_checks_in_12_months,
       (SELECT count(*) FROM tbl('ssd_cla_pep') x WHERE x.la_code::VARCHAR = c.la_code AND x.pep_person_id = c.p
          AND (x.pep_status IS NULL OR trim(x.pep_status) = '' OR lower(x.pep_status) = 'completed')
          AND x.pep_date > c.period_end - INTERVAL 6 MONTH AND x.pep_date <= c.period_end) AS peps_in_6_months
FROM in_care c
LEFT JOIN person pe ON pe.la_code = c.la_code AND pe.p = c.p;

-- Each snapshot indicator's rows: la_code, month, indicator_id, breakdown, category, person or record (counted
-- once), whether in the denominator, whether in the numerator.
CREATE TEMP TABLE snapshot_rows AS
WITH care_leavers AS (
  SELECT r.la_code, r.month, r.period_end, l.clea_person_id p, lower(l.clea_care_leaver_eligibility) eligibility,
         l.clea_care_leaver_activity activity, l.clea_care_leaver_accom_suitable suitable,
         l.clea_pathway_plan_review_date review, pe.dob + INTERVAL 195 MONTH AS aged_16_3,
         age_at(pe.dob, r.period_end) AS age
  FROM reported r
  JOIN tbl('ssd_care_leavers') l ON l.la_code::VARCHAR = r.la_code
  LEFT JOIN person pe ON pe.la_code = r.la_code AND pe.p = l.clea_person_id
),
leavers_19_25 AS (
  SELECT *, CASE WHEN age <= 21 THEN '19-21' ELSE '22-25' END AS band FROM care_leavers
  WHERE eligibility = 'former relevant' AND age >= 19 AND age <= 25
),
on_plan AS (
  SELECT r.la_code, r.month, r.period_end, p.p FROM reported r
  JOIN plans p ON p.la_code = r.la_code AND open_at(p.s, p.e, r.period_end)
),
open_involvements AS (
  SELECT r.la_code, r.month, i.* EXCLUDE (la_code) FROM reported r
  JOIN involvements i ON i.la_code = r.la_code AND open_at(i.s, i.e, r.period_end)
)
SELECT la_code, month, 'cic_children' indicator_id, NULL breakdown, NULL category, p, true den, true num FROM cic
UNION ALL SELECT la_code, month, 'cic_children', 'sex', sex, p, true, true FROM cic
UNION ALL SELECT la_code, month, 'cic_children', 'legal_status', legal_status, p, true, true FROM cic
UNION ALL SELECT la_code, month, 'cic_children', 'placement_type', placement.type, p, true, true FROM cic
UNION ALL
SELECT la_code, month, 'cic_children', 'age_group',
       CASE WHEN age < 1 THEN 'Under 1' WHEN age <= 4 THEN '1 to 4' WHEN age <= 9 THEN '5 to 9'
            WHEN age <= 15 THEN '10 to 15' WHEN age >= 16 THEN '16+' END, p, true, true FROM cic
UNION ALL SELECT la_code, month, 'cic_rate', NULL, NULL, p, true, true FROM cic
UNION ALL
SELECT la_code, month, 'cic_3plus_placements', NULL, NULL, p, age < 18, placements_in_12_months >= 3 FROM cic
UNION ALL
SELECT la_code, month, 'cic_long_term_stability', NULL, NULL, p,
       age < 16 AND period_start <= period_end - INTERVAL 30 MONTH,
       placement.s <= period_end - INTERVAL 24 MONTH FROM cic
UNION ALL SELECT la_code, month, 'cic_placed_20_miles', NULL, NULL, p, true, placement.distance >= 20 FROM cic
UNION ALL
SELECT la_code, month, 'cic_visits_on_time', NULL, NULL, p, spell_start <= period_end - 42, visits_in_42_days > 0 FROM cic
UNION ALL
SELECT la_code, month, 'health_assessments_up_to_date', NULL, NULL, p,
       spell_start <= period_end - INTERVAL 12 MONTH, health_checks_in_12_months > 0 FROM cic
UNION ALL
SELECT la_code, month, 'dental_checks_up_to_date', NULL, NULL, p,
       spell_start <= period_end - INTERVAL 12 MONTH, dental_checks_in_12_months > 0 FROM cic
UNION ALL
SELECT la_code, month, 'pep_in_place', NULL, NULL, p,
       spell_start <= period_end - INTERVAL 1 MONTH AND school_year_age >= 5 AND school_year_age <= 15,
       peps_in_6_months > 0 FROM cic
UNION ALL
SELECT la_code, month, 'care_leavers_pathway_plan', NULL, NULL, p,
       eligibility IN ('eligible', 'relevant', 'former relevant') AND aged_16_3 <= period_end,
       review > period_end - INTERVAL 6 MONTH AND review <= period_end FROM care_leavers
UNION ALL
SELECT la_code, month, 'care_leavers_neet', b, c, p, true, activity IN ('G4', 'G5', 'G6')
FROM leavers_19_25, LATERAL (SELECT NULL, NULL UNION ALL SELECT 'age_band', band) t(b, c)
WHERE activity IS NOT NULL AND trim(activity) <> ''
UNION ALL
SELECT la_code, month, 'care_leavers_suitable_accommodation', b, c, p, true, suitable = '1'
FROM leavers_19_25, LATERAL (SELECT NULL, NULL UNION ALL SELECT 'age_band', band) t(b, c)
WHERE suitable IN ('1', '2')
UNION ALL SELECT la_code, month, k, NULL, NULL, p, true, true FROM on_plan, (VALUES ('cp_children'), ('cp_rate')) t(k)
UNION ALL
SELECT o.la_code, o.month, 'cp_allocated', NULL, NULL, o.p, true,
       EXISTS (SELECT 1 FROM involvements i WHERE i.la_code = o.la_code AND i.p = o.p AND i.role = 'qualified_social_worker'
                 AND open_at(i.s, i.e, o.period_end))
FROM on_plan o
UNION ALL
SELECT la_code, month, 'average_caseload', b, c, professional, true, true
FROM open_involvements, LATERAL (SELECT NULL, NULL UNION ALL SELECT 'role', role) t(b, c);

-- Each person (or professional) once per cell, then counted: rows, and those in the denominator and numerator.
CREATE TEMP TABLE snapshot_counts AS
SELECT la_code, month, indicator_id, b, c,
       CASE WHEN indicator_id = 'average_caseload' THEN sum(n) ELSE count(*) FILTER (WHERE in_num) END AS num,
       CASE WHEN indicator_id = 'average_caseload' THEN count(*) ELSE count(*) FILTER (WHERE in_den) END AS den
FROM (SELECT la_code, month, indicator_id, coalesce(breakdown, '') AS b, coalesce(category, '') AS c, p,
             count(*) AS n, bool_or(den) AS in_den, bool_or(den AND num) AS in_num
      FROM snapshot_rows GROUP BY ALL)
GROUP BY la_code, month, indicator_id, b, c;

CREATE TEMP TABLE snapshots AS
SELECT r.la_code, r.month, r.fy, c.indicator_id, c.breakdown, c.category, 'snapshot' AS win,
       coalesce(x.num, 0) AS num, coalesce(x.den, 0) AS den
FROM reported r
CROSS JOIN (SELECT * FROM cells WHERE indicator_id IN (SELECT indicator_id FROM snapshot_rows)) c
LEFT JOIN snapshot_counts x
  ON x.la_code = r.la_code AND x.month = r.month AND x.indicator_id = c.indicator_id
 AND x.b = coalesce(c.breakdown, '') AND x.c = coalesce(c.category, '');

-- ---------------------------------------------------------------- The result: each unit's numerator and denominator
CREATE TEMP TABLE result AS
SELECT w.la_code, w.month, w.indicator_id, w.win AS "window", w.breakdown, w.category AS breakdown_value,
       w.num::DOUBLE AS numerator,
       CASE u.unit WHEN 'count' THEN NULL WHEN 'rate' THEN p.population ELSE w.den::DOUBLE END AS denominator
FROM (SELECT * FROM summed WHERE month >= getvariable('report_from')
      UNION ALL SELECT * FROM distinct_children
      UNION ALL SELECT * FROM iha_windows
      UNION ALL SELECT * FROM snapshots) w
JOIN units u USING (indicator_id)
LEFT JOIN pop p ON p.la_code = w.la_code AND p.fy = w.fy;
