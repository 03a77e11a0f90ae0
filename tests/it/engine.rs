//! The engine's generic machinery on small inline catalogues, independent of the repository's definitions: every
//! window, breakdowns with a per-LA value map, distinct counts and lookups. Expected figures worked out by hand.

use crate::support::{Fixture, Output, close};
use polars::prelude::*;

const CATALOGUE: &str = r#"version: "test"
calendar:
  financial_year_start_month: 4
  working_week: [mon, tue, wed, thu, fri]
  bank_holidays: bank_holidays
  working_days: after_start_through_end
  open_at_date: start_on_or_before_end_after
value_maps:
  - table: ssd_cin_episodes
    column: cine_referral_source_code
    las: ["873"]
    values:
      "1A": [Individual]
      "2B": [Police]
indicators:
  - id: referrals
    title: Referrals
    definition: Referrals dated in the window.
    unit: count
    polarity: neutral
    windows: [month, quarter, ytd, financial_year, rolling_12m, rolling_36m]
    rows: {table: ssd_cin_episodes, dated_by: cine_referral_date}
    breakdowns:
      - {name: source, column: cine_referral_source_code, categories: ["1A", "2B"]}
  - id: children_referred
    title: Children referred
    definition: Distinct children with a referral in the window.
    unit: count
    polarity: neutral
    windows: [ytd, rolling_12m]
    rows: {table: ssd_cin_episodes, dated_by: cine_referral_date, count: children}
  - id: girls_share
    title: Referrals of girls
    definition: Of referrals in the window, the percentage whose child is female.
    unit: percent
    polarity: neutral
    windows: [ytd]
    rows:
      table: ssd_cin_episodes
      dated_by: cine_referral_date
      steps:
        - lookup: {table: ssd_person, on: {cine_person_id: pers_person_id}, columns: [pers_sex]}
    numerator: pers_sex = 'F'
"#;

/// Eight referrals of three children from 2021 to April 2024 (snapshot 1 May 2024, reported from April 2023).
fn output() -> Output {
    Fixture::new("2024-05-01")
        .records(
            "ssd_cin_episodes",
            &[
                "cine_referral_id",
                "cine_person_id",
                "cine_referral_date",
                "cine_referral_source_code",
            ],
            &[
                &["R1", "P1", "2021-05-10", "Individual"],
                &["R2", "P1", "2021-04-30", "1A"],
                &["R3", "P2", "2023-04-01", "2B"],
                &["R4", "P2", "2023-06-30", "Police"],
                &["R5", "P3", "2023-07-01", "1A"],
                &["R6", "P1", "2024-02-29", "Self"],
                &["R7", "P3", "2024-03-31", "1A"],
                &["R8", "P2", "2024-04-01", "2B"],
            ],
        )
        .records(
            "ssd_person",
            &["pers_person_id", "pers_dob", "pers_sex"],
            &[
                &["P1", "2010-01-01", "F"],
                &["P2", "2012-06-15", "M"],
                &["P3", "2015-03-03", "F"],
            ],
        )
        .run_catalogue(CATALOGUE, "2023-04")
}

#[test]
fn every_window_counts_the_events_dated_in_it() {
    let out = output();
    let count = |window: &str, month: &str| {
        out.indicator("referrals")
            .window(window)
            .ending(month)
            .numerator
    };
    assert_eq!(count("month", "2023-04"), 1.0, "R3 on 1 April");
    assert_eq!(count("month", "2023-05"), 0.0, "an empty month is 0");
    assert_eq!(count("month", "2024-02"), 1.0, "R6 on 29 February");
    assert_eq!(
        count("quarter", "2023-06"),
        2.0,
        "Q1 to date: R3, R4 (30 June)"
    );
    assert_eq!(count("quarter", "2023-07"), 1.0, "Q2 starts again: R5");
    assert_eq!(count("quarter", "2024-03"), 2.0, "Q4: R6, R7 (31 March)");
    assert_eq!(count("ytd", "2024-03"), 5.0, "FY 2023-24: R3 to R7");
    assert_eq!(count("ytd", "2024-04"), 1.0, "FY 2024-25 starts with R8");
    assert_eq!(count("financial_year", "2024-03"), 5.0);
    assert_eq!(
        count("rolling_12m", "2024-03"),
        5.0,
        "April 2023 to March 2024"
    );
    assert_eq!(count("rolling_12m", "2024-04"), 5.0, "R3 leaves, R8 enters");
    assert_eq!(
        count("rolling_36m", "2023-04"),
        3.0,
        "May 2020 to April 2023: R1, R2, R3"
    );
    assert_eq!(
        count("rolling_36m", "2024-03"),
        7.0,
        "April 2021 to March 2024: R1 to R7"
    );
    assert_eq!(
        count("rolling_36m", "2024-04"),
        7.0,
        "R2 (30 April 2021) leaves, R8 enters"
    );
    let financial_year_rows = out
        .indicators
        .clone()
        .lazy()
        .filter(
            col("indicator_id")
                .eq(lit("referrals"))
                .and(col("window").eq(lit("financial_year")))
                .and(col("breakdown").is_null()),
        )
        .collect()
        .unwrap();
    assert_eq!(
        financial_year_rows.height(),
        1,
        "the financial year is reported at March only"
    );
}

#[test]
fn breakdowns_use_the_las_value_map_and_count_unknowns_in_the_total_only() {
    let out = output();
    let by = |source: &str, window: &str, month: &str| {
        out.indicator("referrals")
            .category("source", source)
            .window(window)
            .ending(month)
            .numerator
    };
    assert_eq!(
        by("1A", "ytd", "2024-03"),
        2.0,
        "R5, R7 (R6's `Self` is unmapped)"
    );
    assert_eq!(
        by("2B", "ytd", "2024-03"),
        2.0,
        "R3, and R4 written as `Police`"
    );
    assert_eq!(
        out.indicator("referrals")
            .window("ytd")
            .ending("2024-03")
            .numerator,
        5.0,
        "R6 is in the total"
    );
    assert_eq!(
        by("1A", "rolling_36m", "2024-03"),
        4.0,
        "R1 written as `Individual`, R2, R5, R7"
    );
    assert_eq!(
        by("2B", "month", "2023-05"),
        0.0,
        "every category of every month is written"
    );
    let unmapped = out.findings("unmapped_code");
    assert_eq!(
        unmapped,
        [(
            "ssd_cin_episodes".to_string(),
            "cine_referral_source_code".to_string(),
            1
        )]
    );
}

#[test]
fn distinct_counts_and_lookups() {
    let out = output();
    assert_eq!(
        out.indicator("children_referred")
            .window("ytd")
            .ending("2024-03")
            .numerator,
        3.0,
        "P2 and P3 twice, P1 once"
    );
    assert_eq!(
        out.indicator("children_referred")
            .window("rolling_12m")
            .ending("2024-04")
            .numerator,
        3.0
    );
    let girls = out.indicator("girls_share").window("ytd").ending("2024-03");
    assert_eq!(
        (girls.numerator, girls.denominator),
        (3.0, Some(5.0)),
        "R5, R6, R7 of R3 to R7"
    );
    close(girls.value, 60.0);
}

/// Found by the property test: a step with an end-before-start check, then a lookup whose column the filter reads,
/// made Polars lose the looked-up column. Girls with an open episode: P1 (F) from 10 January to 30 November 2024
/// and from 1 May to 15 June 2023; P2 (M) from 1 February 2024. R4 has no close date, so `calendar_days` (leaving
/// out rows it cannot measure) leaves it out. The same lookup made once the episodes are placed at each month end
/// (after a step reading `period_end`), once per distinct child, gives the same figures.
#[test]
fn a_lookup_after_a_checked_step_keeps_its_columns() {
    let girls_open = |id: &str, first_step: &str| {
        format!(
            "  - id: {id}
    title: Girls open
    definition: Girls with an open episode.
    unit: count
    polarity: neutral
    windows: [snapshot]
    rows:
      table: ssd_cin_episodes
      open: {{start: cine_referral_date, end: cine_close_date}}
      count: children
      steps:{first_step}
        - calendar_days: {{name: days_open, from: cine_referral_date, to: cine_close_date}}
        - lookup: {{table: ssd_person, on: {{cine_person_id: pers_person_id}}, columns: [pers_sex]}}
      where: pers_sex = 'F'
"
        )
    };
    let catalogue = [
        crate::catalogue::HEADER.to_string(),
        girls_open("girls_open", ""),
        girls_open(
            "girls_open_looked_up_at_month_ends",
            "\n        - add_days: {name: day_after, date: period_end, days: 1}",
        ),
    ]
    .concat();
    let out = Fixture::new("2025-01-01")
        .records(
            "ssd_cin_episodes",
            &[
                "cine_referral_id",
                "cine_person_id",
                "cine_referral_date",
                "cine_close_date",
            ],
            &[
                &["R1", "P1", "2024-01-10", "2024-11-30"],
                &["R2", "P2", "2024-02-01", "2024-12-31"],
                &["R3", "P1", "2023-05-01", "2023-06-15"],
                &["R4", "P1", "2024-12-01", ""],
            ],
        )
        .records(
            "ssd_person",
            &["pers_person_id", "pers_sex"],
            &[&["P1", "F"], &["P2", "M"]],
        )
        .run_catalogue(&catalogue, "2023-04");
    let open = |month: &str| {
        let at_month_ends = out
            .indicator("girls_open_looked_up_at_month_ends")
            .window("snapshot")
            .ending(month);
        let once = out.indicator("girls_open").window("snapshot").ending(month);
        assert_eq!(at_month_ends, once, "{month}");
        once.numerator
    };
    assert_eq!(open("2023-05"), 1.0, "R3");
    assert_eq!(open("2023-07"), 0.0, "R3 closed on 15 June");
    assert_eq!(open("2024-02"), 1.0, "R1; R2 is a boy's");
    assert_eq!(open("2024-10"), 1.0, "R1");
    assert_eq!(open("2024-11"), 0.0, "R1 ended on the month's last day");
    assert_eq!(open("2024-12"), 0.0, "R4 has no close date to measure");
}

/// Children in care in LA 873, their birth dates and health checks (snapshot 1 May 2024, reported from April 2023).
/// P3 has no row in `ssd_person`; P4 was recorded before birth (expected 10 March 2024).
fn children_in_care(catalogue: &str) -> Output {
    Fixture::new("2024-05-01")
        .records(
            "ssd_cla_episodes",
            &[
                "clae_cla_episode_id",
                "clae_person_id",
                "clae_cla_id",
                "clae_cla_episode_start_date",
                "clae_cla_episode_ceased_date",
            ],
            &[
                &["E1", "P1", "C1", "2023-05-10", ""],
                &["E2", "P2", "C2", "2023-06-01", "2024-04-10"],
                &["E3", "P3", "C3", "2023-04-20", ""],
                &["E4", "P4", "C4", "2024-02-01", ""],
            ],
        )
        .records(
            "ssd_person",
            &["pers_person_id", "pers_dob", "pers_expected_dob"],
            &[
                &["P1", "2008-02-29", ""],
                &["P2", "2023-03-15", ""],
                &["P4", "", "2024-03-10"],
            ],
        )
        .records(
            "ssd_cla_health",
            &[
                "clah_health_check_id",
                "clah_person_id",
                "clah_health_check_type",
                "clah_health_check_date",
            ],
            &[
                &["H1", "P1", "IHA", "2023-05-20"],
                &["H2", "P2", "IHA", "2023-05-01"],
                &["H3", "P2", "RHA", "2023-07-01"],
                &["H4", "P3", "", "2023-05-01"],
                &["H5", "P4", "IHA", ""],
            ],
        )
        .run_catalogue(catalogue, "2023-04")
}

/// Ages at each month end come from birth dates looked up once per episode: P2 (born 15 March 2023) is under 1
/// until 15 March 2024; P4, recorded before birth, counts as 0; P3, with no person row, has no age and is left out.
#[test]
fn ages_at_each_month_end_of_open_records() {
    let catalogue = format!(
        "{}  - id: babies_in_care
    title: Babies in care
    definition: Children in care at period end aged under 1.
    unit: count
    polarity: neutral
    windows: [snapshot]
    rows:
      table: ssd_cla_episodes
      open: {{start: clae_cla_episode_start_date, end: clae_cla_episode_ceased_date}}
      count: children
      steps:
        - age: {{name: age, at: period_end}}
      where: age < 1
",
        crate::catalogue::HEADER
    );
    let out = children_in_care(&catalogue);
    let babies = |month: &str| {
        out.indicator("babies_in_care")
            .window("snapshot")
            .ending(month)
            .numerator
    };
    assert_eq!(babies("2023-05"), 0.0, "P1 is 15; P3 has no age");
    assert_eq!(babies("2023-06"), 1.0, "P2 from 1 June");
    assert_eq!(babies("2024-01"), 1.0, "P2 is 10 months old");
    assert_eq!(babies("2024-02"), 2.0, "P2, and P4 not yet born");
    assert_eq!(babies("2024-03"), 1.0, "P2 turned 1 on 15 March; P4 is 0");
    assert_eq!(
        babies("2024-04"),
        1.0,
        "P4; P2's episode ceased on 10 April"
    );
}

/// A related row is matched when every part of `where` holds: the parts that read only the related table (type
/// IHA) and the parts that compare it with the row (checked on or after the start). A null in either part leaves
/// the related row out; an OR across both tables is judged on each match as a whole.
#[test]
fn a_related_condition_holds_in_every_part() {
    let indicator = |id: &str, condition: &str| {
        format!(
            "  - id: {id}
    title: {id}
    definition: Of episodes starting in the window, the percentage with a health check meeting the condition.
    unit: percent
    polarity: neutral
    windows: [ytd]
    rows:
      table: ssd_cla_episodes
      dated_by: clae_cla_episode_start_date
      steps:
        - related:
            table: ssd_cla_health
            on: {{clae_person_id: clah_person_id}}
            where: {condition}
            columns: {{checks: count}}
    numerator: checks > 0
"
        )
    };
    let catalogue = [
        crate::catalogue::HEADER.to_string(),
        indicator(
            "starts_with_iha",
            "clah_health_check_type = 'IHA' AND clah_health_check_date >= clae_cla_episode_start_date",
        ),
        indicator(
            "starts_with_iha_or_later_check",
            "clah_health_check_type = 'IHA' OR clah_health_check_date >= clae_cla_episode_start_date",
        ),
    ]
    .concat();
    let out = children_in_care(&catalogue);
    let and = out
        .indicator("starts_with_iha")
        .window("ytd")
        .ending("2024-03");
    assert_eq!(
        (and.numerator, and.denominator),
        (1.0, Some(4.0)),
        "E1 (H1); not E2 (H2 before the start, H3 an RHA), E3 (H4 of no type) nor E4 (H5 undated)"
    );
    let or = out
        .indicator("starts_with_iha_or_later_check")
        .window("ytd")
        .ending("2024-03");
    assert_eq!(
        (or.numerator, or.denominator),
        (4.0, Some(4.0)),
        "E1 (H1), E2 (H2 an IHA, H3 later), E3 (H4 later), E4 (H5 an IHA)"
    );
}

/// Indicators with the same rows (a count and its rate, a cohort's indicators without steps of their own, two
/// thresholds on the same visits) are counted in one pass, one group-by for all: each still gives exactly the rows
/// it gives when computed alone, on the sample data, every column (comparisons with other LAs too).
#[test]
fn indicators_counted_in_one_pass_give_what_each_gives_alone() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let run = |out: &str, only: &[&str]| {
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("csc-indicators");
        cmd.current_dir(root)
            .args(["run", "-q", "--out"])
            .arg(dir.path().join(out));
        for id in only {
            cmd.args(["--indicator", id]);
        }
        cmd.assert().success();
        Output::read(&dir.path().join(out)).indicators
    };
    let rows_of = |df: &DataFrame, id: &str| {
        let rows = df
            .clone()
            .lazy()
            .filter(col("indicator_id").eq(lit(id)))
            .collect()
            .unwrap();
        let by: Vec<String> = rows
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        rows.sort(by, SortMultipleOptions::default().with_nulls_last(true))
            .unwrap()
    };
    let together = run("together", &[]);
    for id in [
        "cic_rate",
        "cic_placed_20_miles",
        "referral_rate",
        "cic_ends_rate",
        "cp_visits_within_15wd",
        "care_leavers_neet",
    ] {
        let alone = run(id, &[id]);
        let (a, b) = (rows_of(&together, id), rows_of(&alone, id));
        assert!(a.height() > 0, "{id} has rows");
        assert!(a.equals_missing(&b), "{id}: together\n{a}\nalone\n{b}");
    }
}
