//! The command line: help, validate, run, and the errors a user meets, each naming what to fix.

use crate::support::{Fixture, catalogue_path, frame};
use assert_cmd::Command;
use csc_indicators::input::contract;
use predicates::prelude::*;

fn cli() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("csc-indicators")
}

fn validate_args(f: &Fixture) -> Vec<String> {
    vec![
        "validate".into(),
        "--catalogue".into(),
        catalogue_path().display().to_string(),
        "--data".into(),
        f.data_dir().display().to_string(),
    ]
}

fn run_args(f: &Fixture) -> Vec<String> {
    vec![
        "run".into(),
        "--data".into(),
        f.data_dir().display().to_string(),
        "--out".into(),
        f.out_dir().display().to_string(),
        "--catalogue".into(),
        catalogue_path().display().to_string(),
        "--from".into(),
        "2023-04".into(),
    ]
}

#[test]
fn help_lists_the_commands() {
    cli().arg("--help").assert().success().stdout(
        predicate::str::contains("run")
            .and(predicate::str::contains("validate"))
            .and(predicate::str::contains("generate")),
    );
    cli()
        .args(["run", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--as-of").and(predicate::str::contains("--la")));
}

#[test]
fn validate_accepts_the_repository_catalogue_and_checks_data_schemas() {
    let f = Fixture::new("2024-05-01");
    f.write();
    cli().args(validate_args(&f)).assert().success().stdout(
        predicate::str::contains("is valid: 57 indicators")
            .and(predicate::str::contains("1 LAs checked")),
    );
}

#[test]
fn validate_reports_a_bad_catalogue_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    let text = std::fs::read_to_string(catalogue_path()).unwrap().replacen(
        "dated_by: cine_referral_date}",
        "dated_by: cine_referal_date}",
        1,
    );
    std::fs::write(&path, text).unwrap();
    cli()
        .args(["validate", "--catalogue", &path.display().to_string()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("bad.yaml:").and(predicate::str::contains(
                "unknown column `cine_referal_date` (did you mean `cine_referral_date`?)",
            )),
        );
}

#[test]
fn a_missing_table_names_the_table_la_snapshot_and_expected_folder() {
    let f = Fixture::new("2024-05-01");
    f.write();
    std::fs::remove_dir_all(f.data_dir().join("ssd_cp_visits")).unwrap();
    cli().args(run_args(&f)).assert().code(1).stderr(
        predicate::str::contains(
            "table `ssd_cp_visits` is missing for LA 873 in snapshot 2024-05-01",
        )
        .and(predicate::str::contains(
            "ssd_cp_visits/la_code=873/snapshot_date=2024-05-01",
        )),
    );
}

#[test]
fn a_missing_required_column_names_the_column_and_file() {
    let f = Fixture::new("2024-05-01");
    f.write();
    let spec = contract::table("ssd_cp_plans").unwrap();
    let df = frame(spec, &[]).drop("cppl_cp_plan_start_date").unwrap();
    let mut df = df;
    f.replace_table("ssd_cp_plans", &mut df);
    cli().args(run_args(&f)).assert().code(1).stderr(
        predicate::str::contains("required column `cppl_cp_plan_start_date` is missing from").and(
            predicate::str::contains(
                "ssd_cp_plans/la_code=873/snapshot_date=2024-05-01/part-0.parquet",
            ),
        ),
    );
}

#[test]
fn a_corrupt_parquet_file_is_named() {
    let f = Fixture::new("2024-05-01");
    f.write();
    let file = f
        .data_dir()
        .join("ssd_cin_episodes/la_code=873/snapshot_date=2024-05-01/part-0.parquet");
    std::fs::write(&file, b"this is not parquet").unwrap();
    cli().args(run_args(&f)).assert().code(1).stderr(
        predicate::str::contains("part-0.parquet")
            .and(predicate::str::contains("is not a readable Parquet file")),
    );
}

#[test]
fn a_failed_run_leaves_the_previous_output_whole() {
    let f = Fixture::new("2024-05-01");
    f.write();
    cli()
        .args(run_args(&f))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 LAs, 2023-04 to 2024-04, 57 indicators",
        ));
    let before = std::fs::read(f.out_dir().join("indicators.parquet")).unwrap();
    let manifest = std::fs::read(f.out_dir().join("run.json")).unwrap();
    std::fs::remove_dir_all(f.data_dir().join("ssd_cp_plans")).unwrap();
    cli().args(run_args(&f)).assert().code(1);
    assert_eq!(
        std::fs::read(f.out_dir().join("indicators.parquet")).unwrap(),
        before
    );
    assert_eq!(
        std::fs::read(f.out_dir().join("run.json")).unwrap(),
        manifest
    );
    let leftovers: Vec<_> = std::fs::read_dir(f.out_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 3, "{leftovers:?}");
}

#[test]
fn an_la_without_data_is_an_error_and_a_range_can_be_chosen() {
    let f = Fixture::new("2024-05-01");
    f.write();
    let mut args = run_args(&f);
    args.extend(["--la".into(), "999".into()]);
    cli()
        .args(&args)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("LA `999` has no snapshot"));
    let mut args = run_args(&f);
    args.extend(["--to".into(), "2023-06".into()]);
    cli()
        .args(&args)
        .assert()
        .success()
        .stdout(predicate::str::contains("2023-04 to 2023-06"));
}

#[test]
fn validate_with_data_catches_a_missing_required_column_and_a_yaml_syntax_error() {
    let f = Fixture::new("2024-05-01");
    f.write();
    let spec = contract::table("ssd_cin_episodes").unwrap();
    let mut df = frame(spec, &[]).drop("cine_person_id").unwrap();
    f.replace_table("ssd_cin_episodes", &mut df);
    cli()
        .args(validate_args(&f))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "required column `cine_person_id` is missing",
        ));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.yaml");
    std::fs::write(
        &path,
        "version: \"1\"\ncalendar:\n  financial_year_start_month: [4\n",
    )
    .unwrap();
    cli()
        .args(["validate", "--catalogue", &path.display().to_string()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("broken.yaml:"));
}

#[test]
fn validate_with_data_warns_of_indicators_an_extract_cannot_compute_and_suggests_the_column() {
    let f = Fixture::new("2024-05-01");
    f.write();
    let spec = contract::table("ssd_cin_episodes").unwrap();
    let mut df = frame(spec, &[])
        .rename(
            "cine_referral_outcome_date",
            "cine_referal_outcome_date".into(),
        )
        .unwrap()
        .clone();
    f.replace_table("ssd_cin_episodes", &mut df);
    cli()
        .args(validate_args(&f))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "warning: LA 873: `referral_completed_1wd` is not computable: `ssd_cin_episodes` lacks optional column(s) `cine_referral_outcome_date` (did you mean `cine_referal_outcome_date`?)",
        ));
}

#[test]
fn explain_shows_an_indicators_rows_steps_and_polars_plan_without_data() {
    cli()
        .args(["explain", "cp_visits_within_10wd", "--catalogue"])
        .arg(catalogue_path())
        .assert()
        .success()
        .stdout(
            predicate::str::contains("rows: ssd_cp_visits, dated by cppv_cp_visit_date")
                .and(predicate::str::contains(
                    "previous_visit_or_plan_start = the previous cppv_cp_visit_date",
                ))
                .and(predicate::str::contains(
                    "numerator: working_days_since_previous <= 10",
                ))
                .and(predicate::str::contains("Polars plan (as built)"))
                .and(predicate::str::contains("business_day_count")),
        );
    cli()
        .args(["explain", "cic_children", "--optimized", "--catalogue"])
        .arg(catalogue_path())
        .assert()
        .success()
        .stdout(
            predicate::str::contains("cohort: children_in_care")
                .and(predicate::str::contains("breakdown legal_status"))
                .and(predicate::str::contains("Polars plan (optimized)")),
        );
}

/// `explain` of one indicator, as a user reads it, up to the Polars plan (whose text is Polars' own), compared with
/// `tests/it/snapshots/explain_cp_visits_within_10wd.txt`. `CSC_UPDATE_SNAPSHOTS=1 cargo test explain` rewrites it
/// after a deliberate change; review the diff.
#[test]
fn explain_speaks_the_catalogues_words() {
    let out = cli()
        .args(["explain", "cp_visits_within_10wd", "--catalogue"])
        .arg(catalogue_path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let (words, plan) = text
        .split_once("\nPolars plan (as built):\n")
        .expect("the plan follows the definition");
    assert!(plan.contains("business_day_count"), "{plan}");
    let snapshot = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/snapshots/explain_cp_visits_within_10wd.txt");
    if std::env::var_os("CSC_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot, words).unwrap();
    }
    let expected = std::fs::read_to_string(&snapshot).unwrap();
    assert_eq!(
        words,
        expected,
        "explain's text changed; see {}",
        snapshot.display()
    );
}

#[test]
fn an_unknown_indicator_id_is_an_error_with_the_closest_id() {
    cli()
        .args(["explain", "cp_vists_within_10wd", "--catalogue"])
        .arg(catalogue_path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "declares no indicator `cp_vists_within_10wd` (did you mean `cp_visits_within_10wd`?)",
        ));
    let f = Fixture::new("2024-05-01");
    f.write();
    cli()
        .args(run_args(&f))
        .args(["--indicator", "referals"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "declares no indicator `referals` (did you mean `referrals`?)",
        ));
}

#[test]
fn run_computes_only_the_indicators_asked_for() {
    let f = Fixture::new("2024-05-01");
    f.write();
    cli()
        .args(run_args(&f))
        .args(["--indicator", "referrals", "--indicator", "cp_children"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2 indicators"));
    let out = crate::support::Output::read(&f.out_dir());
    let ids: std::collections::BTreeSet<&str> = out
        .indicators
        .column("indicator_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    assert_eq!(ids, ["cp_children", "referrals"]);
}

#[test]
fn validate_type_checks_every_indicator_before_reading_data() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(catalogue_path()).unwrap();
    let good = "    rows: {table: ssd_cin_episodes, dated_by: cine_referral_date}\n";
    let id_line = text[..text.find("  - id: referrals\n").unwrap()]
        .lines()
        .count()
        + 1;
    let bad = text.replacen(
        good,
        "    rows: {table: ssd_cin_episodes, dated_by: cine_referral_date, where: \"cine_referral_source_code * 2 > 1\"}\n",
        1,
    );
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, bad).unwrap();
    cli()
        .args(["validate", "--catalogue"])
        .arg(&path)
        .assert()
        .failure()
        .stderr(
            predicate::str::contains(format!("bad.yaml:{id_line}:"))
                .and(predicate::str::contains(
                    "indicator `referrals` does not type-check: arithmetic on dtypes str and dyn int is not allowed",
                )),
        );
}
