//! `history`: each month as first reported against the month as computed now, on hand-built snapshots of one LA
//! whose records were entered late. Every expected figure is worked out by hand below.

use crate::support::{Fixture, frame, write_table};
use assert_cmd::Command;
use csc_indicators::input::contract;
use polars::prelude::*;
use std::path::Path;

/// One table's text columns (see `Fixture::table`).
type TextTable = (
    &'static str,
    &'static [(&'static str, &'static [&'static str])],
);

/// The tables of one snapshot.
type Tables<'a> = &'a [TextTable];

/// Writes every contract table of LA 873's snapshot of `date` into `data` (empty unless given).
fn write_snapshot(data: &Path, date: &str, tables: Tables) {
    for spec in contract::TABLES {
        let given: Vec<(String, Vec<String>)> = tables
            .iter()
            .find(|(n, _)| *n == spec.name)
            .map(|(_, cols)| {
                cols.iter()
                    .map(|(c, v)| (c.to_string(), v.iter().map(|s| s.to_string()).collect()))
                    .collect()
            })
            .unwrap_or_default();
        write_table(
            data,
            spec.name,
            "873",
            date.parse().unwrap(),
            &mut frame(spec, &given),
        );
    }
}

// Plan P1 (child C1) starts Tuesday 2 January 2024. Its visits: V1 on Friday 5 January (3 working days after the
// start: timely), V2 on Friday 19 January (10 working days after V1: timely) and V3 on Wednesday 31 January (8
// working days after V2: timely; 18 after V1). V2 was entered in February, after the month end.
// Plan P2 (child C2) starts 8 January; it was closed in February, retrospectively, as ended on 20 January.
const PERSONS: TextTable = (
    "ssd_person",
    &[
        ("pers_person_id", &["C1", "C2"]),
        ("pers_dob", &["2015-06-01", "2016-07-01"]),
    ],
);

fn early_snapshot() -> Vec<TextTable> {
    vec![
        PERSONS,
        (
            "ssd_cp_plans",
            &[
                ("cppl_cp_plan_id", &["P1", "P2"]),
                ("cppl_person_id", &["C1", "C2"]),
                ("cppl_cp_plan_start_date", &["2024-01-02", "2024-01-08"]),
                ("cppl_cp_plan_end_date", &["", ""]),
            ],
        ),
        (
            "ssd_cp_visits",
            &[
                ("cppv_cp_visit_id", &["V1", "V3"]),
                ("cppv_person_id", &["C1", "C1"]),
                ("cppv_cp_plan_id", &["P1", "P1"]),
                ("cppv_cp_visit_date", &["2024-01-05", "2024-01-31"]),
            ],
        ),
    ]
}

/// LA 873 with its snapshot of 1 March 2024 (every record entered) and, beside it, that of 1 February 2024.
fn la_with_two_snapshots() -> Fixture {
    let fixture = Fixture::new("2024-03-01")
        .table(PERSONS.0, PERSONS.1)
        .records(
            "ssd_cp_plans",
            &[
                "cppl_cp_plan_id",
                "cppl_person_id",
                "cppl_cp_plan_start_date",
                "cppl_cp_plan_end_date",
            ],
            &[
                &["P1", "C1", "2024-01-02", ""],
                &["P2", "C2", "2024-01-08", "2024-01-20"],
            ],
        )
        .records(
            "ssd_cp_visits",
            &[
                "cppv_cp_visit_id",
                "cppv_person_id",
                "cppv_cp_plan_id",
                "cppv_cp_visit_date",
            ],
            &[
                &["V1", "C1", "P1", "2024-01-05"],
                &["V2", "C1", "P1", "2024-01-19"],
                &["V3", "C1", "P1", "2024-01-31"],
            ],
        );
    fixture.write();
    write_snapshot(&fixture.data_dir(), "2024-02-01", &early_snapshot());
    fixture
}

fn cli() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("csc-indicators")
}

/// `csc-indicators <command> <args>` on the fixture's data, output folder and the repository's catalogue.
fn on_fixture(fixture: &Fixture, command: &str, args: &[&str]) -> Command {
    let mut cmd = cli();
    cmd.arg(command).args(args);
    if command != "publish" {
        cmd.arg("--data").arg(fixture.data_dir());
    }
    cmd.arg("--out")
        .arg(fixture.out_dir())
        .arg("--catalogue")
        .arg(crate::support::catalogue_path());
    cmd
}

fn history(fixture: &Fixture) -> DataFrame {
    on_fixture(fixture, "history", &["-q"])
        .assert()
        .success()
        .stdout(predicates::str::contains("1 LAs"));
    read(&fixture.out_dir().join("history.parquet"))
}

fn read(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

/// The history row of an indicator's total in a window and month.
fn row(df: &DataFrame, indicator: &str, window: &str, period_end: &str) -> DataFrame {
    let end: chrono::NaiveDate = period_end.parse().unwrap();
    let rows = df
        .clone()
        .lazy()
        .filter(
            col("indicator_id")
                .eq(lit(indicator))
                .and(col("window").eq(lit(window)))
                .and(col("breakdown").is_null())
                .and(col("period_end").eq(lit(end))),
        )
        .collect()
        .unwrap();
    assert_eq!(rows.height(), 1, "{indicator} {window} {period_end}");
    rows
}

fn f(df: &DataFrame, column: &str) -> Option<f64> {
    df.column(column)
        .unwrap()
        .cast(&DataType::Float64)
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
}

fn b(df: &DataFrame, column: &str) -> Option<bool> {
    df.column(column).unwrap().bool().unwrap().get(0)
}

fn date(df: &DataFrame, column: &str) -> Option<String> {
    let c = df.column(column).unwrap().cast(&DataType::String).unwrap();
    c.str().unwrap().get(0).map(str::to_string)
}

#[test]
fn a_visit_entered_after_the_month_end_raises_that_months_timeliness_only_in_the_later_snapshot() {
    let fixture = la_with_two_snapshots();
    let df = history(&fixture);
    // January as first reported (1 February): V1 timely, V3 18 working days after V1: 1 of 2, 50%. Now, with V2
    // entered: all three timely, 100%.
    let january = row(&df, "cp_visits_within_10wd", "month", "2024-01-31");
    assert_eq!(
        date(&january, "first_snapshot_date").as_deref(),
        Some("2024-02-01")
    );
    assert_eq!(f(&january, "first_numerator"), Some(1.0));
    assert_eq!(f(&january, "first_denominator"), Some(2.0));
    assert_eq!(f(&january, "first_value"), Some(50.0));
    assert_eq!(f(&january, "value"), Some(100.0));
    assert_eq!(
        f(&january, "revision"),
        Some(50.0),
        "points for a percentage"
    );
    assert_eq!(b(&january, "revised"), Some(true));
    // February is first reported by the later snapshot itself: the same figure, not revised.
    let february = row(&df, "cp_children", "snapshot", "2024-02-29");
    assert_eq!(
        date(&february, "first_snapshot_date").as_deref(),
        Some("2024-03-01")
    );
    assert_eq!(f(&february, "first_value"), f(&february, "value"));
    assert_eq!(b(&february, "revised"), Some(false));
}

#[test]
fn a_plan_closed_retrospectively_changes_the_earlier_months_count() {
    let fixture = la_with_two_snapshots();
    let df = history(&fixture);
    // On 31 January, as first reported, both plans were open: 2 children. P2 has since been closed as ended on 20
    // January: 1 child now.
    let january = row(&df, "cp_children", "snapshot", "2024-01-31");
    assert_eq!(f(&january, "first_value"), Some(2.0));
    assert_eq!(f(&january, "value"), Some(1.0));
    assert_eq!(f(&january, "revision"), Some(-1.0));
    assert_eq!(b(&january, "revised"), Some(true));
}

#[test]
fn a_month_no_kept_snapshot_first_reported_has_null_first_values() {
    let fixture = la_with_two_snapshots();
    let df = history(&fixture);
    // December 2023 would have been first reported by a snapshot of January 2024, which was not kept.
    let december = row(&df, "cp_children", "snapshot", "2023-12-31");
    assert_eq!(date(&december, "first_snapshot_date"), None);
    assert_eq!(f(&december, "first_value"), None);
    assert_eq!(f(&december, "first_numerator"), None);
    assert_eq!(f(&december, "value"), Some(0.0), "today's figure is there");
    assert_eq!(b(&december, "revised"), None);
}

#[test]
fn a_revision_of_a_suppressed_value_is_suppressed_in_the_published_file() {
    let fixture = la_with_two_snapshots();
    let history = history(&fixture);
    on_fixture(&fixture, "run", &["-q"]).assert().success();
    on_fixture(&fixture, "publish", &[])
        .assert()
        .success()
        .stdout(predicates::str::contains("published_history.parquet"));
    let published = read(&fixture.out_dir().join("published_history.parquet"));
    assert_eq!(published.height(), history.height());
    // 1 of 2 then 3 of 3 visits: both figures rest on 1 to 5 visits, so both are suppressed, and so is the
    // revision, which would give one from the other.
    let january = row(&published, "cp_visits_within_10wd", "month", "2024-01-31");
    for column in [
        "first_value",
        "first_numerator",
        "first_denominator",
        "value",
        "revision",
    ] {
        assert_eq!(f(&january, column), None, "{column}");
    }
    assert_eq!(b(&january, "revised"), None);
    assert_eq!(date(&january, "status").as_deref(), Some("c"));
    assert_eq!(date(&january, "first_status").as_deref(), Some("c"));
    // A zero is shown: no referrals in January, first or now.
    let referrals = row(&published, "referrals", "month", "2024-01-31");
    assert_eq!(f(&referrals, "first_value"), Some(0.0));
    assert_eq!(f(&referrals, "revision"), Some(0.0));
    assert_eq!(b(&referrals, "revised"), Some(false));
    assert_eq!(date(&referrals, "status"), None);
}

#[test]
fn the_scorecard_shows_last_month_as_first_reported_and_now() {
    let fixture = la_with_two_snapshots();
    history(&fixture);
    on_fixture(&fixture, "run", &["-q", "--report"])
        .assert()
        .success();
    let page = std::fs::read_to_string(fixture.out_dir().join("report/873.html")).unwrap();
    let start = page.find("id=\"indicator-cp_children\"").unwrap();
    let card = &page[start..start + page[start..].find("</article>").unwrap()];
    // The scorecard is of February; January was first reported with both plans open.
    assert!(
        card.contains("January 2024 as first reported: 2 (snapshot 2024-02-01); now 1"),
        "{card}"
    );
}
