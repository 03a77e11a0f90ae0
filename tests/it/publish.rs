//! `publish`: disclosure control on a hand-built indicator table (primary and secondary suppression, each unit's
//! rule, previous values that would reveal a suppressed month), and end to end on the sample with `combine`.

use csc_indicators::catalogue::Disclosure;
use csc_indicators::output::publish::suppress;
use csc_indicators::output::schema::OUTPUT_COLUMNS;
use polars::prelude::*;
use std::path::Path;

/// (indicator, unit, breakdown, category, month, numerator, denominator, value, previous value)
type Row = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    f64,
    Option<f64>,
    f64,
    Option<f64>,
);

fn rows() -> Vec<Row> {
    vec![
        // A count of 13 with a breakdown: F = 3 is small; M = 0 is not; U = 10 is the next smallest above zero.
        (
            "cin",
            "count",
            None,
            None,
            "2024-03-31",
            13.0,
            None,
            13.0,
            None,
        ),
        (
            "cin",
            "count",
            Some("sex"),
            Some("F"),
            "2024-03-31",
            3.0,
            None,
            3.0,
            None,
        ),
        (
            "cin",
            "count",
            Some("sex"),
            Some("M"),
            "2024-03-31",
            0.0,
            None,
            0.0,
            None,
        ),
        (
            "cin",
            "count",
            Some("sex"),
            Some("U"),
            "2024-03-31",
            10.0,
            None,
            10.0,
            None,
        ),
        // No small category: nothing suppressed.
        (
            "cin",
            "count",
            Some("age"),
            Some("a"),
            "2024-03-31",
            6.0,
            None,
            6.0,
            None,
        ),
        (
            "cin",
            "count",
            Some("age"),
            Some("b"),
            "2024-03-31",
            7.0,
            None,
            7.0,
            None,
        ),
        // Two small categories protect each other: no secondary.
        (
            "cin",
            "count",
            Some("legal"),
            Some("x"),
            "2024-03-31",
            2.0,
            None,
            2.0,
            None,
        ),
        (
            "cin",
            "count",
            Some("legal"),
            Some("y"),
            "2024-03-31",
            4.0,
            None,
            4.0,
            None,
        ),
        (
            "cin",
            "count",
            Some("legal"),
            Some("z"),
            "2024-03-31",
            7.0,
            None,
            7.0,
            None,
        ),
        // Percentages: a small numerator, a small denominator, neither. February's 3 of 40 is suppressed, so March
        // may not show it as its previous value.
        (
            "pct",
            "percent",
            None,
            None,
            "2024-02-29",
            3.0,
            Some(40.0),
            7.5,
            None,
        ),
        (
            "pct",
            "percent",
            None,
            None,
            "2024-03-31",
            30.0,
            Some(40.0),
            75.0,
            Some(7.5),
        ),
        (
            "small_den",
            "percent",
            None,
            None,
            "2024-03-31",
            5.0,
            Some(5.0),
            100.0,
            None,
        ),
        (
            "big",
            "percent",
            None,
            None,
            "2024-03-31",
            40.0,
            Some(50.0),
            80.0,
            None,
        ),
        // Rates: a numerator of 2 is small; 0 is not. Days: rows averaged (the denominator) of 3 is small.
        (
            "rate",
            "rate_per_10k",
            None,
            None,
            "2024-03-31",
            2.0,
            Some(50000.0),
            0.4,
            None,
        ),
        (
            "rate0",
            "rate_per_10k",
            None,
            None,
            "2024-03-31",
            0.0,
            Some(50000.0),
            0.0,
            None,
        ),
        (
            "days",
            "days",
            None,
            None,
            "2024-03-31",
            900.0,
            Some(3.0),
            300.0,
            None,
        ),
        (
            "days10",
            "days",
            None,
            None,
            "2024-03-31",
            900.0,
            Some(10.0),
            90.0,
            None,
        ),
    ]
}

fn frame() -> DataFrame {
    let r = rows();
    let n = r.len();
    let dates: Vec<i32> = r
        .iter()
        .map(|x| csc_indicators::common::calendar::epoch_days(x.4.parse().unwrap()))
        .collect();
    let mut columns: Vec<Column> = Vec::new();
    for name in OUTPUT_COLUMNS {
        let c: Column = match *name {
            "la_code" => Column::new((*name).into(), vec!["873"; n]),
            "period_end" => Column::new((*name).into(), dates.clone())
                .cast(&DataType::Date)
                .unwrap(),
            "indicator_id" => {
                Column::new((*name).into(), r.iter().map(|x| x.0).collect::<Vec<_>>())
            }
            "unit" => Column::new((*name).into(), r.iter().map(|x| x.1).collect::<Vec<_>>()),
            "breakdown" => Column::new((*name).into(), r.iter().map(|x| x.2).collect::<Vec<_>>()),
            "breakdown_value" => {
                Column::new((*name).into(), r.iter().map(|x| x.3).collect::<Vec<_>>())
            }
            "window" => Column::new((*name).into(), vec!["month"; n]),
            "numerator" => Column::new((*name).into(), r.iter().map(|x| x.5).collect::<Vec<_>>()),
            "denominator" => Column::new((*name).into(), r.iter().map(|x| x.6).collect::<Vec<_>>()),
            "value" => Column::new((*name).into(), r.iter().map(|x| x.7).collect::<Vec<_>>()),
            "previous_value" => {
                Column::new((*name).into(), r.iter().map(|x| x.8).collect::<Vec<_>>())
            }
            "change" => Column::new(
                (*name).into(),
                r.iter().map(|x| x.8.map(|p| x.7 - p)).collect::<Vec<_>>(),
            ),
            "change_direction" => Column::new(
                (*name).into(),
                r.iter().map(|x| x.8.map(|_| "better")).collect::<Vec<_>>(),
            ),
            "region_las" | "stat_neighbours_las" | "england_las" => {
                Column::new((*name).into(), vec![None::<u32>; n])
            }
            "region_value" | "stat_neighbours_value" | "england_value" | "target" => {
                Column::new((*name).into(), vec![None::<f64>; n])
            }
            _ => Column::new((*name).into(), vec![None::<&str>; n]),
        };
        columns.push(c);
    }
    DataFrame::new(n, columns).unwrap()
}

fn status_of(
    df: &DataFrame,
    indicator: &str,
    category: Option<&str>,
    month: &str,
) -> (Option<String>, Option<f64>, Option<f64>) {
    let date = csc_indicators::common::calendar::epoch_days(month.parse().unwrap());
    let mut filter = col("indicator_id")
        .eq(lit(indicator))
        .and(col("period_end").cast(DataType::Int32).eq(lit(date)));
    filter = match category {
        Some(c) => filter.and(col("breakdown_value").eq(lit(c))),
        None => filter.and(col("breakdown").is_null()),
    };
    let row = df.clone().lazy().filter(filter).collect().unwrap();
    assert_eq!(row.height(), 1, "{indicator} {category:?} {month}");
    let status = row
        .column("status")
        .unwrap()
        .str()
        .unwrap()
        .get(0)
        .map(str::to_string);
    let value = row.column("value").unwrap().f64().unwrap().get(0);
    let numerator = row.column("numerator").unwrap().f64().unwrap().get(0);
    (status, value, numerator)
}

#[test]
fn small_numbers_are_suppressed_and_cannot_be_recovered() {
    let out = suppress(frame().lazy(), &Disclosure::default())
        .unwrap()
        .collect()
        .unwrap();
    let c = Some("c".to_string());
    let hidden = (c.clone(), None, None);
    assert_eq!(
        status_of(&out, "cin", None, "2024-03-31"),
        (None, Some(13.0), Some(13.0))
    );
    assert_eq!(
        status_of(&out, "cin", Some("F"), "2024-03-31"),
        hidden,
        "primary: 3"
    );
    assert_eq!(
        status_of(&out, "cin", Some("U"), "2024-03-31"),
        hidden,
        "secondary: next smallest above 0"
    );
    assert_eq!(
        status_of(&out, "cin", Some("M"), "2024-03-31"),
        (None, Some(0.0), Some(0.0)),
        "a zero is shown"
    );
    assert_eq!(status_of(&out, "cin", Some("a"), "2024-03-31").0, None);
    assert_eq!(status_of(&out, "cin", Some("b"), "2024-03-31").0, None);
    assert_eq!(status_of(&out, "cin", Some("x"), "2024-03-31"), hidden);
    assert_eq!(status_of(&out, "cin", Some("y"), "2024-03-31"), hidden);
    assert_eq!(
        status_of(&out, "cin", Some("z"), "2024-03-31").0,
        None,
        "two suppressed protect each other"
    );
    assert_eq!(status_of(&out, "pct", None, "2024-02-29"), hidden);
    assert_eq!(
        status_of(&out, "pct", None, "2024-03-31"),
        (None, Some(75.0), Some(30.0))
    );
    assert_eq!(
        status_of(&out, "small_den", None, "2024-03-31"),
        hidden,
        "denominator 5"
    );
    assert_eq!(status_of(&out, "big", None, "2024-03-31").0, None);
    assert_eq!(status_of(&out, "rate", None, "2024-03-31"), hidden);
    assert_eq!(status_of(&out, "rate0", None, "2024-03-31").0, None);
    assert_eq!(
        status_of(&out, "days", None, "2024-03-31"),
        hidden,
        "3 rows averaged"
    );
    assert_eq!(status_of(&out, "days10", None, "2024-03-31").0, None);
    // March's previous value was February's suppressed 7.5: it is not shown, nor the change from it.
    let march = out
        .clone()
        .lazy()
        .filter(
            col("indicator_id")
                .eq(lit("pct"))
                .and(col("value").is_not_null()),
        )
        .collect()
        .unwrap();
    assert_eq!(march.column("previous_value").unwrap().null_count(), 1);
    assert_eq!(march.column("change").unwrap().null_count(), 1);
    assert_eq!(march.column("change_direction").unwrap().null_count(), 1);
    // Every suppressed row has no value, numerator or denominator; every other row keeps them.
    let suppressed = out
        .clone()
        .lazy()
        .filter(col("status").eq(lit("c")))
        .collect()
        .unwrap();
    for name in ["value", "numerator", "denominator", "rag"] {
        assert_eq!(
            suppressed.column(name).unwrap().null_count(),
            suppressed.height(),
            "{name}"
        );
    }
    assert_eq!(
        suppressed.height(),
        8,
        "F, U, x, y, February, small_den, rate, days"
    );
}

#[test]
fn published_runs_combine_with_suppressed_cells_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cli = || {
        let mut c = assert_cmd::cargo::cargo_bin_cmd!("csc-indicators");
        c.current_dir(root);
        c
    };
    let mut published = Vec::new();
    for la in ["332", "841", "873"] {
        let out = dir.path().join(la);
        cli()
            .args(["run", "-q", "--la", la, "--out"])
            .arg(&out)
            .assert()
            .success();
        cli()
            .args(["publish", "--out"])
            .arg(&out)
            .assert()
            .success()
            .stdout(predicates::str::contains(
                "cells suppressed for small numbers",
            ));
        published.push(out.join("published.parquet"));
    }
    let file = std::fs::File::open(&published[0]).unwrap();
    let mut reader = ParquetReader::new(file);
    let footer: Vec<(String, Option<String>)> = reader
        .get_metadata()
        .unwrap()
        .key_value_metadata()
        .iter()
        .flatten()
        .map(|kv| (kv.key.clone(), kv.value.clone()))
        .collect();
    let rules = footer
        .iter()
        .find(|(k, _)| k == "csc_indicators.disclosure")
        .and_then(|(_, v)| v.clone())
        .expect("the rules are in the footer");
    assert!(
        rules.contains("\"suppress_up_to\":5") && rules.contains("\"marker\":\"c\""),
        "{rules}"
    );
    let combined = dir.path().join("hub");
    cli()
        .arg("combine")
        .args(&published)
        .args(["--data", "data", "--out"])
        .arg(&combined)
        .assert()
        .success();
    let hub = ParquetReader::new(std::fs::File::open(combined.join("indicators.parquet")).unwrap())
        .finish()
        .unwrap();
    // Where an LA's cell is suppressed, the pooled England figure of that series uses the other LAs only.
    let check = hub
        .lazy()
        .filter(
            col("unit")
                .neq(lit("count"))
                .and(col("england_las").is_not_null()),
        )
        .group_by([
            col("indicator_id"),
            col("window"),
            col("breakdown"),
            col("breakdown_value"),
            col("period_end"),
        ])
        .agg([
            col("value").count().alias("with_value"),
            col("england_las").first().alias("pooled"),
        ])
        .filter(col("with_value").neq(col("pooled").cast(DataType::UInt32)))
        .collect()
        .unwrap();
    assert_eq!(check.height(), 0, "{check}");
}
