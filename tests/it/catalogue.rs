//! The catalogue: the repository's definitions, and every kind of mistake reported with its line and column.

use crate::support::catalogue_path;
use csc_indicators::catalogue::{self, CatalogueError, Polarity, Unit, Window};
use std::path::Path;

fn problems(yaml: &str) -> Vec<String> {
    match catalogue::parse(yaml, Path::new("bad.yaml")) {
        Ok(_) => panic!("expected problems"),
        Err(CatalogueError::Invalid { problems, .. }) => {
            problems.iter().map(|p| p.to_string()).collect()
        }
        Err(e) => panic!("unexpected error {e}"),
    }
}

pub const HEADER: &str = "version: \"1\"
calendar:
  financial_year_start_month: 4
  working_week: [mon, tue, wed, thu, fri]
  bank_holidays: bank_holidays
  working_days: after_start_through_end
  open_at_date: start_on_or_before_end_after
indicators:
";

#[test]
fn the_repository_catalogue_declares_every_indicator_of_every_section() {
    let cat = catalogue::load(&catalogue_path()).expect("the catalogue is valid");
    use Window::*;
    type Expected = (&'static str, Unit, &'static [Window], Polarity, Option<f64>);
    let expected: &[Expected] = &[
        (
            "referrals",
            Unit::Count,
            &[Month, Ytd, Rolling(12)],
            Polarity::Neutral,
            None,
        ),
        (
            "referral_rate",
            Unit::RatePer10k,
            &[Rolling(12)],
            Polarity::Neutral,
            None,
        ),
        (
            "referral_completed_1wd",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::HighIsGood,
            Some(90.0),
        ),
        (
            "referral_completed_over_3wd",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::LowIsGood,
            Some(5.0),
        ),
        (
            "re_referrals",
            Unit::Count,
            &[Month, Ytd],
            Polarity::Neutral,
            None,
        ),
        (
            "re_referral_rate",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::LowIsGood,
            Some(18.0),
        ),
        (
            "eha_started",
            Unit::Count,
            &[Month, Ytd],
            Polarity::Neutral,
            None,
        ),
        (
            "eha_started_external",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::Neutral,
            None,
        ),
        (
            "assessments_completed",
            Unit::Count,
            &[Month, Ytd],
            Polarity::Neutral,
            None,
        ),
        (
            "assessments_completed_rate",
            Unit::RatePer10k,
            &[Ytd],
            Polarity::Neutral,
            None,
        ),
        (
            "assessments_within_45wd",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::HighIsGood,
            Some(90.0),
        ),
        (
            "s47_started",
            Unit::Count,
            &[Month, Ytd, Rolling(12)],
            Polarity::Neutral,
            None,
        ),
        (
            "s47_children",
            Unit::Count,
            &[Month, Ytd],
            Polarity::Neutral,
            None,
        ),
        (
            "s47_rate",
            Unit::RatePer10k,
            &[Ytd, Rolling(12)],
            Polarity::Neutral,
            None,
        ),
        (
            "s47_completed",
            Unit::Count,
            &[Month, Ytd, Rolling(12)],
            Polarity::Neutral,
            None,
        ),
        (
            "s47_to_icpc",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::Neutral,
            None,
        ),
        (
            "icpc_children",
            Unit::Count,
            &[Month, Rolling(12)],
            Polarity::Neutral,
            None,
        ),
        (
            "icpc_rate",
            Unit::RatePer10k,
            &[Rolling(12)],
            Polarity::LowIsGood,
            None,
        ),
        (
            "icpc_within_15wd",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::HighIsGood,
            Some(95.0),
        ),
        (
            "cp_children",
            Unit::Count,
            &[Snapshot],
            Polarity::Neutral,
            None,
        ),
        (
            "cp_rate",
            Unit::RatePer10k,
            &[Snapshot],
            Polarity::LowIsGood,
            None,
        ),
        (
            "cp_starts",
            Unit::Count,
            &[Month, Ytd, Rolling(12)],
            Polarity::Neutral,
            None,
        ),
        (
            "cp_starts_rate",
            Unit::RatePer10k,
            &[Rolling(12)],
            Polarity::Neutral,
            None,
        ),
        (
            "cp_ends",
            Unit::Count,
            &[Month, Ytd, Rolling(12)],
            Polarity::Neutral,
            None,
        ),
        (
            "cp_ends_rate",
            Unit::RatePer10k,
            &[Rolling(12)],
            Polarity::HighIsGood,
            None,
        ),
        (
            "cp_repeat_within_2y",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::LowIsGood,
            Some(10.0),
        ),
        (
            "cp_repeat_ever",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::LowIsGood,
            None,
        ),
        (
            "cp_ended_2y_plus",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::LowIsGood,
            Some(2.0),
        ),
        (
            "cp_reviews_on_time",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::HighIsGood,
            Some(98.0),
        ),
        (
            "cp_visits_within_10wd",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::HighIsGood,
            Some(90.0),
        ),
        (
            "cp_visits_within_15wd",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::HighIsGood,
            Some(90.0),
        ),
        (
            "cp_allocated",
            Unit::Percent,
            &[Snapshot],
            Polarity::HighIsGood,
            Some(100.0),
        ),
        (
            "cic_children",
            Unit::Count,
            &[Snapshot],
            Polarity::Neutral,
            None,
        ),
        (
            "cic_rate",
            Unit::RatePer10k,
            &[Snapshot],
            Polarity::Neutral,
            None,
        ),
        (
            "cic_starts",
            Unit::Count,
            &[Month, Ytd, Rolling(12)],
            Polarity::Neutral,
            None,
        ),
        (
            "cic_starts_rate",
            Unit::RatePer10k,
            &[Rolling(12)],
            Polarity::Neutral,
            None,
        ),
        (
            "cic_ends",
            Unit::Count,
            &[Month, Ytd, Rolling(12)],
            Polarity::Neutral,
            None,
        ),
        (
            "cic_ends_rate",
            Unit::RatePer10k,
            &[Rolling(12)],
            Polarity::Neutral,
            None,
        ),
        (
            "cic_3plus_placements",
            Unit::Percent,
            &[Snapshot],
            Polarity::LowIsGood,
            Some(10.0),
        ),
        (
            "cic_long_term_stability",
            Unit::Percent,
            &[Snapshot],
            Polarity::HighIsGood,
            Some(68.0),
        ),
        (
            "cic_placed_20_miles",
            Unit::Percent,
            &[Snapshot],
            Polarity::LowIsGood,
            Some(10.0),
        ),
        (
            "cic_reviews_on_time",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::HighIsGood,
            Some(98.0),
        ),
        (
            "cic_visits_on_time",
            Unit::Percent,
            &[Snapshot],
            Polarity::HighIsGood,
            Some(90.0),
        ),
        (
            "iha_within_20wd",
            Unit::Percent,
            &[Quarter, Ytd],
            Polarity::HighIsGood,
            Some(95.0),
        ),
        (
            "health_assessments_up_to_date",
            Unit::Percent,
            &[Snapshot],
            Polarity::HighIsGood,
            Some(90.0),
        ),
        (
            "dental_checks_up_to_date",
            Unit::Percent,
            &[Snapshot],
            Polarity::HighIsGood,
            Some(90.0),
        ),
        (
            "pep_in_place",
            Unit::Percent,
            &[Snapshot],
            Polarity::HighIsGood,
            Some(100.0),
        ),
        (
            "missing_episodes",
            Unit::Count,
            &[Month, Ytd],
            Polarity::LowIsGood,
            None,
        ),
        (
            "missing_children",
            Unit::Count,
            &[Month, Ytd],
            Polarity::LowIsGood,
            None,
        ),
        (
            "rhi_within_72h",
            Unit::Percent,
            &[Month, Ytd],
            Polarity::HighIsGood,
            None,
        ),
        (
            "care_leavers_pathway_plan",
            Unit::Percent,
            &[Snapshot],
            Polarity::HighIsGood,
            Some(95.0),
        ),
        (
            "care_leavers_neet",
            Unit::Percent,
            &[Snapshot],
            Polarity::LowIsGood,
            Some(30.0),
        ),
        (
            "care_leavers_suitable_accommodation",
            Unit::Percent,
            &[Snapshot],
            Polarity::HighIsGood,
            Some(90.0),
        ),
        (
            "cic_ceased_adopted",
            Unit::Percent,
            &[Ytd, Quarter],
            Polarity::HighIsGood,
            Some(17.0),
        ),
        (
            "a1_entering_care_to_placed",
            Unit::Days,
            &[Rolling(12), Rolling(36)],
            Polarity::LowIsGood,
            Some(400.0),
        ),
        (
            "a2_order_to_match",
            Unit::Days,
            &[Rolling(12), Rolling(36)],
            Polarity::LowIsGood,
            Some(183.0),
        ),
        (
            "average_caseload",
            Unit::Mean,
            &[Snapshot],
            Polarity::LowIsGood,
            None,
        ),
    ];
    assert_eq!(cat.indicators.len(), expected.len());
    for (id, unit, windows, polarity, target) in expected {
        let ind = cat
            .indicators
            .iter()
            .find(|i| i.id == *id)
            .unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(ind.unit(), *unit, "{id}");
        assert_eq!(ind.windows.all(), windows.to_vec(), "{id}");
        assert_eq!(ind.polarity, *polarity, "{id}");
        assert_eq!(ind.targets.all_years, *target, "{id}");
    }
    assert_eq!(cat.hash.len(), 64);
    let breakdowns = |id: &str| -> Vec<(String, Vec<String>)> {
        let ind = cat.indicators.iter().find(|i| i.id == id).unwrap();
        ind.breakdowns
            .iter()
            .map(|b| (b.name.clone(), b.categories.clone()))
            .collect()
    };
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let cic = breakdowns("cic_children");
    assert_eq!(
        cic.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["age_group", "sex", "legal_status", "placement_type"]
    );
    assert_eq!(
        cic[0].1,
        owned(&["Under 1", "1 to 4", "5 to 9", "10 to 15", "16+"])
    );
    assert_eq!(cic[1].1, owned(&["F", "M"]));
    assert_eq!(
        cic[2].1,
        owned(&[
            "C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2"
        ])
    );
    assert_eq!(cic[3].1.len(), 25);
    for id in ["missing_episodes", "missing_children"] {
        assert_eq!(
            breakdowns(id),
            vec![("from_care".to_string(), owned(&["yes", "no"]))]
        );
    }
    for id in ["care_leavers_neet", "care_leavers_suitable_accommodation"] {
        assert_eq!(
            breakdowns(id),
            vec![("age_band".to_string(), owned(&["19-21", "22-25"]))]
        );
    }
    assert_eq!(
        breakdowns("average_caseload"),
        vec![(
            "role".to_string(),
            owned(&[
                "qualified_social_worker",
                "personal_advisor",
                "independent_reviewing_officer"
            ])
        )]
    );
}

#[test]
fn an_unknown_key_is_reported_at_its_line_and_column() {
    let yaml = format!(
        "{HEADER}  - id: a\n    title: A\n    definition: d\n    unit: count\n    polarity: neutral\n    windw: [month]\n"
    );
    let p = problems(&yaml);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("14:5:"), "{p:?}");
    assert!(p[0].contains("windw"), "{p:?}");
}

#[test]
fn a_wrong_type_and_a_missing_key_are_reported() {
    let yaml = format!(
        "{HEADER}  - id: a\n    title: A\n    definition: d\n    unit: percentage\n    polarity: neutral\n    windows: [month]\n    rows: {{table: ssd_cp_plans, dated_by: cppl_cp_plan_start_date}}\n  - id: b\n    title: B\n    unit: count\n    polarity: neutral\n    windows: [month]\n    rows: {{table: ssd_cp_plans, dated_by: cppl_cp_plan_start_date}}\n"
    );
    let p = problems(&yaml);
    assert_eq!(p.len(), 2, "both indicators are reported: {p:?}");
    assert!(
        p[0].starts_with("12:11:") && p[0].contains("percentage"),
        "{p:?}"
    );
    assert!(p[1].contains("definition"), "{p:?}");
}

#[test]
fn semantic_mistakes_name_the_indicator_and_suggest_the_closest_name() {
    let yaml = format!(
        "{HEADER}  - id: a
    title: A
    definition: d
    unit: count
    polarity: neutral
    windows: [month]
    rows: {{table: ssd_cp_plan, dated_by: cppl_cp_plan_start_date}}
  - id: b
    title: B
    definition: d
    unit: percent
    polarity: high_is_good
    target: 120
    windows: [month, snapshot]
    rows: {{table: ssd_cp_plans, dated_by: cppl_cp_plan_start_date, where: cppl_cp_plan_strat_date IS NULL}}
    numerator: cppl_cp_plan_end_date IS NOT NULL AND
  - id: a
    title: A again
    definition: d
    unit: count
    polarity: neutral
    windows: [rolling_12]
    rows: {{table: ssd_cp_plans, dated_by: cppl_cp_plan_start_date}}
"
    );
    let p = problems(&yaml).join("\n");
    assert!(
        p.contains("indicator `a`: unknown table `ssd_cp_plan` (did you mean `ssd_cp_plans`?)"),
        "{p}"
    );
    assert!(
        p.contains(
            "unknown column `cppl_cp_plan_strat_date` (did you mean `cppl_cp_plan_start_date`?)"
        ),
        "{p}"
    );
    assert!(p.contains("target 120 is not a percentage"), "{p}");
    assert!(p.contains("window `snapshot`"), "{p}");
    assert!(
        p.contains("24:16: indicator `b`: numerator: cannot parse SQL"),
        "{p}"
    );
    assert!(p.contains("25:9: duplicate indicator id `a`"), "{p}");
}

#[test]
fn a_bad_sql_expression_and_an_unknown_column_in_it_are_reported() {
    let yaml = format!(
        "{HEADER}  - id: a
    title: A
    definition: d
    unit: percent
    polarity: neutral
    windows: [month]
    rows: {{table: ssd_cp_plans, dated_by: cppl_cp_plan_start_date}}
    numerator: cppl_cp_plan_end_date >=
  - id: b
    title: B
    definition: d
    unit: percent
    polarity: neutral
    windows: [month]
    rows: {{table: ssd_cp_plans, dated_by: cppl_cp_plan_start_date}}
    numerator: cppl_cp_plan_ednd_date IS NULL
"
    );
    let p = problems(&yaml).join("\n");
    assert!(
        p.contains("16:16: indicator `a`: numerator: cannot parse SQL"),
        "{p}"
    );
    assert!(p.contains("24:16: indicator `b`: numerator: unknown column `cppl_cp_plan_ednd_date` (did you mean `cppl_cp_plan_end_date`?)"), "{p}");
}

/// Inside the engine a person id is a key for the LA and child, not text: a condition cannot read it (a
/// comparison with text would match nothing, silently) and `on` matches it only with another person id.
#[test]
fn a_person_id_is_matched_only_with_a_person_id_and_read_by_no_condition() {
    let yaml = format!(
        "{HEADER}  - id: a
    title: A
    definition: d
    unit: percent
    polarity: neutral
    windows: [month]
    rows: {{table: ssd_cp_plans, dated_by: cppl_cp_plan_start_date}}
    numerator: cppl_person_id <> 'P1'
  - id: b
    title: B
    definition: d
    unit: count
    polarity: neutral
    windows: [month]
    rows:
      table: ssd_cp_plans
      dated_by: cppl_cp_plan_start_date
      steps:
        - lookup: {{table: ssd_person, on: {{cppl_cp_plan_id: pers_person_id}}, columns: [pers_sex]}}
"
    );
    let p = problems(&yaml).join("\n");
    assert!(
        p.contains("16:16: indicator `a`: numerator: `cppl_person_id` is a person id, which a condition or expression cannot read"),
        "{p}"
    );
    assert!(
        p.contains("indicator `b`: on (table `ssd_person`): `cppl_cp_plan_id` is matched with `pers_person_id`, but a person id matches only another table's person id"),
        "{p}"
    );
}

#[test]
fn a_yaml_syntax_error_is_reported_with_its_line() {
    let p = problems("version: \"1\"\ncalendar: [\n");
    assert_eq!(p.len(), 1);
    assert!(p[0].starts_with("3:") || p[0].starts_with("2:"), "{p:?}");
}

#[test]
fn previous_date_is_refused_on_open_rows() {
    let yaml = format!(
        "{HEADER}  - id: a
    title: A
    definition: d
    unit: count
    polarity: neutral
    windows: [snapshot]
    rows:
      table: ssd_cp_plans
      open: {{start: cppl_cp_plan_start_date, end: cppl_cp_plan_end_date}}
      steps:
        - previous_date: {{name: previous_start, same: [cppl_person_id], date: cppl_cp_plan_start_date}}
"
    );
    let p = problems(&yaml).join("\n");
    assert!(
        p.contains("19:33: indicator `a`: previous_date compares rows of the table"),
        "{p}"
    );
}

#[test]
fn the_readme_example_of_adding_an_indicator_is_a_valid_catalogue_entry() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme
        .find("```yaml\n  - id: assessments_within_20wd")
        .expect("the README shows the example")
        + 8;
    let end = start + readme[start..].find("```").unwrap();
    let text = std::fs::read_to_string(catalogue_path()).unwrap() + "\n" + &readme[start..end];
    let cat =
        catalogue::parse(&text, Path::new("indicators.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let added = cat
        .indicators
        .iter()
        .find(|i| i.id == "assessments_within_20wd")
        .unwrap();
    assert_eq!(
        added.windows.all(),
        vec![Window::Month, Window::Quarter, Window::Ytd]
    );
}

#[test]
fn problems_in_the_calendar_a_value_map_and_an_indicator_are_reported_together() {
    let yaml = "version: \"1\"
calendar:
  financial_year_start_month: 4
  working_week: [mon, tue, wed, thu, fri]
  bank_holidays: bank_holidays
  working_days: after_start_through_end
  open_at_date: start_on_or_before_end_afterr
value_maps:
  - table: ssd_professionals
    column: prof_professional_job_title
    valuse: {}
indicators:
  - id: a
    title: A
    definition: d
    unit: count
    polarity: neutral
    windw: [month]
";
    let p = problems(yaml);
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(
        p[0].starts_with("7:17:")
            && p[0].ends_with("(did you mean `start_on_or_before_end_after`?)"),
        "{p:?}"
    );
    assert!(
        p[1].starts_with("11:5:") && p[1].ends_with("(did you mean `values`?)"),
        "{p:?}"
    );
    assert!(
        p[2].starts_with("18:5:") && p[2].ends_with("(did you mean `windows`?)"),
        "{p:?}"
    );
}

#[test]
fn mistakes_in_cohorts_and_the_care_blocks_are_reported_at_their_lines() {
    let yaml = "version: \"1\"
calendar:
  financial_year_start_month: 4
  working_week: [mon, tue, wed, thu, fri]
  bank_holidays: bank_holidays
  working_days: after_start_through_end
  open_at_date: start_on_or_before_end_after
cohorts:
  - name: children_in_care
    rows:
      table: ssd_cla_episodes
      open: {start: clae_cla_episode_start_date, end: clae_cla_episode_ceased_date}
indicators:
  - id: a
    title: A
    definition: d
    unit: percent
    polarity: high_is_good
    windows: [snapshot]
    rows:
      cohort: children_in_cre
    numerator: 'true'
  - id: b
    title: B
    definition: d
    unit: percent
    polarity: high_is_good
    windows: [snapshot]
    rows:
      cohort: children_in_care
      steps:
        - related:
            table: ssd_cla_visits
            on: {clae_person_id: clav_person_id}
            dated_within: {date: clav_cla_visit_date, ending: period_end, last: 42 dayz}
            columns: {visits: count}
        - age: {name: school_age, at: period_end, on_preceding: 31 Smarch}
        - group: {same: [clae_cla_id], order_by: clae_cla_episode_start_date, columns: {middle: median(clae_cla_episode_start_date)}}
    numerator: visits > 0
  - id: c
    title: C
    definition: d
    unit: mean
    polarity: low_is_good
    windows: [snapshot]
    rows: {cohort: children_in_care}
    breakdowns:
      - {name: child, column: clae_person_id, categories: [x]}
  - id: d
    title: D
    definition: d
    unit: percent
    polarity: high_is_good
    windows: [month]
    rows:
      table: ssd_missing
      dated_by: miss_missing_episode_start_date
      steps:
        - hours: {name: h, from: miss_missing_episode_start_date, to: miss_missing_rhi_offered}
    numerator: h < 72
";
    let p = problems(yaml).join("\n");
    for expected in [
        "21:15: indicator `a`: unknown cohort `children_in_cre` (did you mean `children_in_care`?)",
        "35:81: indicator `b`: `42 dayz` is not a span: write it like `42 days` or `12 months`",
        "37:65: indicator `b`: `31 Smarch` is not a day of the year: write it like `31 August`",
        "38:88: indicator `b`: group column `middle`: `median(clae_cla_episode_start_date)` is not one of first(column)",
        "43:11: indicator `c`: a mean indicator needs `denominator: {distinct: column}`",
        "48:31: indicator `c`: `clae_person_id` identifies a child or holds a date of birth: it cannot be a breakdown",
        "59:71: indicator `d`: to: `miss_missing_rhi_offered` is a flag, expected a datetime",
    ] {
        assert!(p.contains(expected), "missing `{expected}` in:\n{p}");
    }
}

#[test]
fn a_cohort_gives_its_rows_and_an_indicator_adds_its_own_steps_and_filter() {
    let cat = catalogue::load(&catalogue_path()).unwrap();
    let visits = cat
        .indicators
        .iter()
        .find(|i| i.id == "cic_visits_on_time")
        .unwrap();
    let cohort = visits.rows.cohort.as_ref().expect("from a cohort");
    assert_eq!(cohort.name, "children_in_care");
    assert!(
        cohort
            .filter
            .as_ref()
            .unwrap()
            .sql
            .contains("on_short_break")
    );
    assert!(visits.rows.steps.len() > cohort.steps);
    assert!(
        visits
            .rows
            .filter
            .as_ref()
            .unwrap()
            .sql
            .contains("spell_start")
    );
    assert!(cat.cohorts.iter().any(|(name, _)| name == "care_leavers"));
    let leavers = cat
        .indicators
        .iter()
        .find(|i| i.id == "care_leavers_neet")
        .unwrap();
    assert!(leavers.reads_current_status);
    assert!(!visits.reads_current_status);
}

#[test]
fn a_flow_style_indicator_and_anchors_shared_between_indicators_parse_like_block_style() {
    let yaml = format!(
        "{HEADER}{}",
        r#"  - {id: referrals, title: Referrals, definition: Referrals in the window., unit: count, polarity: neutral, windows: [month, ytd], rows: &referral_rows {table: ssd_cin_episodes, dated_by: cine_referral_date}}
  - id: referrals_rolling
    title: Referrals over 12 months
    definition: Referrals in the 12 months ending period end.
    unit: count
    polarity: neutral
    windows: [rolling_12m]
    rows: *referral_rows
"#
    );
    let cat = catalogue::parse(&yaml, Path::new("anchors.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = cat.indicators.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["referrals", "referrals_rolling"]);
    assert_eq!(cat.indicators[1].rows.table.name, "ssd_cin_episodes");
    assert_eq!(cat.indicators[1].windows.all(), [Window::Rolling(12)]);
    assert_eq!(
        cat.indicators[1].at.line, 10,
        "locations are the file's own"
    );
}

#[test]
fn a_mistake_in_a_flow_style_indicator_is_reported_at_its_line_with_the_others() {
    let yaml = format!(
        "{HEADER}{}",
        r#"  - {id: referrals, title: Referrals, definition: x, unit: count, polarity: neutral, windows: [month], rows: {table: ssd_cin_episodes, dated_by: cine_referal_date}}
  - {id: bad_window, title: x, definition: x, unit: count, polarity: neutral, windows: [fortnight], rows: {table: ssd_cin_episodes, dated_by: cine_referral_date}}
"#
    );
    let found = problems(&yaml);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with("9:") && found[0].contains("cine_referral_date"),
        "{found:?}"
    );
    assert!(
        found[1].starts_with("10:") && found[1].contains("unknown window `fortnight`"),
        "{found:?}"
    );
}

/// The catalogue reference committed in `docs/` is what `csc-indicators docs` writes from the committed catalogue.
#[test]
fn the_committed_catalogue_reference_is_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalogue = csc_indicators::catalogue::load(&root.join("indicators.yaml")).unwrap();
    for (file, expected) in [
        (
            "catalogue.md",
            csc_indicators::output::docs::markdown(&catalogue),
        ),
        (
            "catalogue.html",
            csc_indicators::output::docs::html_page(&catalogue),
        ),
    ] {
        let committed = std::fs::read_to_string(root.join("docs").join(file)).unwrap_or_default();
        assert!(
            committed == expected,
            "docs/{file} is stale: run `cargo run -- docs` and commit it"
        );
    }
}

#[test]
fn scorecard_layout_mistakes_are_reported_at_their_line() {
    let yaml = "version: \"1\"
calendar:
  financial_year_start_month: 4
  working_week: [mon, tue, wed, thu, fri]
  bank_holidays: bank_holidays
  working_days: after_start_through_end
  open_at_date: start_on_or_before_end_after
report:
  sections:
    - {id: front_door, title: Front door}
  overview: [referals]
  narratives:
    count: \"{value.ytd} so far\"
indicators:
  - id: referrals
    title: Referrals
    definition: d
    unit: count
    polarity: neutral
    windows: [month, ytd]
    headline: rolling_12m
    section: front_dor
    narrative: \"{value} and {rate.value.month} and {valeu}\"
    rows: {table: ssd_cin_episodes, dated_by: cine_referral_date}
  - id: monthly
    title: Monthly
    definition: d
    unit: count
    polarity: neutral
    windows: [month]
    rows: {table: ssd_cin_episodes, dated_by: cine_referral_date}
";
    let p = problems(yaml).join("\n");
    assert!(
        p.contains(
            "11:14: the overview names unknown indicator `referals` (did you mean `referrals`?)"
        ),
        "{p}"
    );
    assert!(
        p.contains("21:15: indicator `referrals`: headline window `rolling_12m` is not one of the indicator's windows (month, ytd)"),
        "{p}"
    );
    assert!(
        p.contains(
            "22:14: indicator `referrals`: unknown section `front_dor` (did you mean `front_door`?)"
        ),
        "{p}"
    );
    assert!(
        p.contains("25:9: indicator `monthly` needs a `section:` (one of front_door)"),
        "{p}"
    );
    assert!(
        p.contains("13:12: the `count` narrative, as indicator `monthly` uses it: indicator `monthly` has no window `ytd` (it has month)"),
        "{p}"
    );
}

#[test]
fn a_narrative_slot_names_a_known_indicator_and_field() {
    let yaml = format!(
        "{HEADER}  - id: referrals
    title: Referrals
    definition: d
    unit: count
    polarity: neutral
    windows: [month, ytd]
    narrative: \"{{value}} and {{rate.value.month}}\"
    rows: {{table: ssd_cin_episodes, dated_by: cine_referral_date}}
  - id: other
    title: Other
    definition: d
    unit: count
    polarity: neutral
    windows: [month]
    narrative: \"so far {{valeu}}\"
    rows: {{table: ssd_cin_episodes, dated_by: cine_referral_date}}
"
    );
    let p = problems(&yaml).join("\n");
    assert!(
        p.contains("15:16: indicator `referrals`: narrative: unknown indicator `rate`"),
        "{p}"
    );
    assert!(
        p.contains("23:16: indicator `other`: narrative: unknown field `valeu` in slot `{valeu}` (did you mean `value`?)"),
        "{p}"
    );
    let ok = catalogue::parse(
        &yaml
            .replace("{rate.value.month}", "{value.ytd}")
            .replace("{valeu}", "{value}"),
        Path::new("ok.yaml"),
    )
    .unwrap();
    let referrals = &ok.indicators[0];
    assert_eq!(
        referrals.headline,
        Window::Month,
        "the first window by default"
    );
    assert_eq!(
        ok.report.narrative_of(referrals).unwrap().slots().count(),
        2
    );
}

#[test]
fn a_catalogue_of_ten_thousand_indicators_is_read() {
    let mut yaml = HEADER.to_string();
    for n in 0..10_000 {
        yaml.push_str(&format!(
            "  - id: i{n}\n    title: I\n    definition: d\n    unit: count\n    polarity: neutral\n    windows: [month]\n    rows: {{table: ssd_cin_episodes, dated_by: cine_referral_date}}\n"
        ));
    }
    let c = catalogue::parse(&yaml, Path::new("big.yaml")).unwrap();
    assert_eq!(c.indicators.len(), 10_000);
}

#[test]
fn deep_nesting_and_an_alias_bomb_are_refused_with_their_line() {
    let deep = format!(
        "{HEADER}  - id: x\n    title: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let p = problems(&deep).join("\n");
    assert!(
        p.contains("10:") && p.contains("recursion limit exceeded"),
        "{p}"
    );
    // Each level repeats the previous nine times: 9^10 strings if expanded.
    let mut bomb = HEADER.replace(
        "indicators:\n",
        "value_maps:\n  - table: ssd_cin_episodes\n    column: cine_referral_source_code\n    values:\n      A0: &a0 [x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..10 {
        let p = format!("*a{}", i - 1);
        bomb.push_str(&format!("      B{i}: &a{i} [{}]\n", vec![p; 9].join(", ")));
    }
    bomb.push_str(
        "indicators:\n  - id: i\n    title: I\n    definition: d\n    unit: count\n    polarity: neutral\n    windows: [month]\n    rows: {table: ssd_cin_episodes, dated_by: cine_referral_date}\n",
    );
    let p = problems(&bomb).join("\n");
    assert!(p.contains("budget breached"), "{p}");
}

#[test]
fn dividing_by_zero_is_refused_at_its_line() {
    let yaml = format!(
        "{HEADER}  - id: share
    title: Share
    definition: d
    unit: percent
    polarity: neutral
    windows: [month]
    rows: {{table: ssd_cin_episodes, dated_by: cine_referral_date, where: \"cine_referral_date IS NOT NULL\"}}
    numerator: \"(cine_referral_nfa = 'Y') OR 1 % 0 = 1\"
"
    );
    let p = problems(&yaml).join("\n");
    assert!(
        p.contains("16:16: indicator `share`: numerator: `(cine_referral_nfa = 'Y') OR 1 % 0 = 1` divides by zero"),
        "{p}"
    );
}

#[test]
fn rewording_or_moving_an_indicator_keeps_its_fingerprint_and_a_new_rule_changes_it() {
    let yaml = format!(
        "{HEADER}  - id: referrals
    title: Referrals
    definition: Referrals received.
    unit: count
    polarity: neutral
    windows: [month]
    rows: {{table: ssd_cin_episodes, dated_by: cine_referral_date}}
"
    );
    let fingerprint = |text: &str| {
        let catalogue = catalogue::parse(text, Path::new("t.yaml")).unwrap();
        catalogue.definition_hashes()["referrals"].clone()
    };
    let base = fingerprint(&yaml);
    let reworded = yaml.replace("Referrals received.", "Contacts that became referrals.");
    assert_eq!(fingerprint(&reworded), base);
    assert_eq!(
        fingerprint(&yaml.replace("indicators:\n", "indicators:\n\n\n")),
        base
    );
    let windowed = yaml.replace("windows: [month]", "windows: [month, quarter]");
    assert_ne!(fingerprint(&windowed), base);
    let week = yaml.replace("[mon, tue, wed, thu, fri]", "[mon, tue, wed, thu]");
    assert_ne!(fingerprint(&week), base);
}
