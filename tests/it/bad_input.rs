//! Bad input as a nightly job meets it, each on a copy of the sample data: a clear exit code and message or a
//! data-quality finding, never a panic and never a silent zero.

use crate::support::copy_dir;
use assert_cmd::Command;
use polars::prelude::*;
use std::path::{Path, PathBuf};

const EPISODES: &str = "ssd_cin_episodes/la_code=332/snapshot_date=2024-04-01/part-0.parquet";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// A copy of the sample data, changed by `change`, and an output folder beside it.
fn sample_with(change: impl FnOnce(&Path)) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_dir(&root().join("data"), &data);
    change(&data);
    let out = dir.path().join("out");
    (dir, data, out)
}

fn run(data: &Path, out: &Path) -> assert_cmd::assert::Assert {
    let mut cmd: Command = assert_cmd::cargo::cargo_bin_cmd!("csc-indicators");
    cmd.current_dir(root())
        .args(["run", "-q", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .assert()
}

fn rewrite(path: &Path, change: impl FnOnce(DataFrame) -> DataFrame) {
    let df = ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap();
    let mut df = change(df);
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(&mut df)
        .unwrap();
}

fn findings(out: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(out.join("data_quality.parquet")).unwrap())
        .finish()
        .unwrap()
}

/// The one finding of `kind` on `column`.
struct Found {
    la_code: String,
    count: u64,
    example: String,
    message: String,
}

fn finding(out: &Path, kind: &str, column: &str) -> Found {
    let df = findings(out)
        .lazy()
        .filter(col("kind").eq(lit(kind)).and(col("column").eq(lit(column))))
        .collect()
        .unwrap();
    assert_eq!(df.height(), 1, "one {kind} finding on {column}: {df}");
    let text = |name: &str| {
        let value = df.column(name).unwrap().str().unwrap().get(0);
        value.unwrap_or_default().to_string()
    };
    let count = df.column("count").unwrap().cast(&DataType::UInt64).unwrap();
    Found {
        la_code: text("la_code"),
        count: count.u64().unwrap().get(0).unwrap(),
        example: text("example"),
        message: text("message"),
    }
}

fn value(out: &Path, la: &str, indicator: &str, window: &str, month_end: &str) -> Option<f64> {
    let df = ParquetReader::new(std::fs::File::open(out.join("indicators.parquet")).unwrap())
        .finish()
        .unwrap();
    let end = csc_indicators::common::calendar::epoch_days(month_end.parse().unwrap());
    let row = df
        .lazy()
        .filter(
            col("la_code")
                .eq(lit(la))
                .and(col("indicator_id").eq(lit(indicator)))
                .and(col("window").eq(lit(window)))
                .and(col("breakdown").is_null())
                .and(col("period_end").cast(DataType::Int32).eq(lit(end))),
        )
        .collect()
        .unwrap();
    assert_eq!(row.height(), 1);
    row.column("value").unwrap().f64().unwrap().get(0)
}

#[test]
fn a_truncated_parquet_file_is_named_with_what_to_do() {
    let (_dir, data, out) = sample_with(|d| {
        let bytes = std::fs::read(d.join(EPISODES)).unwrap();
        std::fs::write(d.join(EPISODES), &bytes[..bytes.len() / 2]).unwrap();
    });
    run(&data, &out)
        .code(1)
        .stderr(predicates::str::contains(
            "part-0.parquet` is not a readable Parquet file",
        ))
        .stderr(predicates::str::contains("re-export it"));
}

#[test]
fn a_wrong_type_in_one_la_names_the_la_file_and_column() {
    let (_dir, data, out) = sample_with(|d| {
        rewrite(&d.join(EPISODES), |df| {
            df.lazy()
                .with_column(lit(true).alias("cine_referral_date"))
                .collect()
                .unwrap()
        })
    });
    run(&data, &out)
        .code(1)
        .stderr(predicates::str::contains("LA 332"))
        .stderr(predicates::str::contains("`cine_referral_date`"))
        .stderr(predicates::str::contains("cannot be read as a date"));
}

#[test]
fn an_empty_required_column_is_a_finding_not_a_silent_zero() {
    let (_dir, data, out) = sample_with(|d| {
        rewrite(&d.join(EPISODES), |df| {
            df.lazy()
                .with_column(lit(NULL).cast(DataType::Date).alias("cine_referral_date"))
                .collect()
                .unwrap()
        })
    });
    run(&data, &out).success();
    let found = finding(&out, "empty_column", "cine_referral_date");
    assert_eq!(found.la_code, "332");
    assert!(found.message.contains("count nothing for this LA"));
}

#[test]
fn an_empty_table_is_fine_and_counts_zero() {
    let (_dir, data, out) = sample_with(|d| rewrite(&d.join(EPISODES), |df| df.head(Some(0))));
    run(&data, &out).success();
    assert_eq!(
        value(&out, "332", "referrals", "month", "2024-03-31"),
        Some(0.0)
    );
    assert!(value(&out, "873", "referrals", "month", "2024-03-31").unwrap() > 0.0);
}

#[test]
fn far_past_and_far_future_dates_and_very_long_codes_do_not_crash() {
    let (_dir, data, out) = sample_with(|d| {
        rewrite(&d.join(EPISODES), |df| {
            let n = df.height();
            let mut dates: Vec<Option<i64>> = vec![None; n];
            dates[0] = Some(-5_364_662_400_000); // 1800-01-01, in milliseconds
            dates[1] = Some(253_402_214_400_000); // 9999-12-31
            let far = Series::new("far".into(), dates)
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .unwrap();
            df.lazy()
                .with_columns([
                    when(lit(Series::new(
                        "first_two".into(),
                        (0..n).map(|i| i < 2).collect::<Vec<_>>(),
                    )))
                    .then(lit(far))
                    .otherwise(
                        col("cine_referral_date")
                            .cast(DataType::Datetime(TimeUnit::Milliseconds, None)),
                    )
                    .alias("cine_referral_date"),
                    lit("X".repeat(100_000)).alias("cine_referral_source_code"),
                    concat_str(
                        [
                            col("cine_referral_id").cast(DataType::String),
                            lit("X".repeat(100_000)),
                        ],
                        "",
                        false,
                    )
                    .alias("cine_referral_id"),
                ])
                .collect()
                .unwrap()
        })
    });
    run(&data, &out).success();
    assert!(value(&out, "332", "referrals", "month", "2024-03-31").unwrap() > 0.0);
    let found = finding(&out, "implausible_date", "cine_referral_date");
    assert_eq!((found.la_code.as_str(), found.count), ("332", 2));
    assert!(found.example.contains("1800-01-01"), "{}", found.example);
}

#[test]
fn bytes_that_are_not_utf8_in_a_code_column_are_a_finding_not_a_crash() {
    let (_dir, data, out) = sample_with(|d| {
        rewrite(&d.join(EPISODES), |mut df| {
            let codes = df.column("cine_referral_id").unwrap().clone();
            let codes = codes.str().unwrap();
            let bytes: BinaryChunked = codes
                .downcast_iter()
                .flat_map(|array| array.iter())
                .enumerate()
                .map(|(i, v)| match i {
                    0 => Some(vec![0xff, 0xfe, b'1']),
                    _ => v.map(|s| s.as_bytes().to_vec()),
                })
                .collect();
            df.with_column(bytes.with_name("cine_referral_id".into()).into_column())
                .unwrap();
            df
        })
    });
    run(&data, &out).success();
    let found = finding(&out, "invalid_text", "cine_referral_id");
    assert_eq!((found.la_code.as_str(), found.count), ("332", 1));
    assert!(
        found.example.contains("\u{fffd}\u{fffd}1"),
        "{}",
        found.example
    );
    assert!(value(&out, "332", "referrals", "month", "2024-03-31").unwrap() > 0.0);
}

#[test]
fn an_la_partition_that_is_not_a_code_is_an_error_naming_it() {
    let (_dir, data, out) = sample_with(|d| {
        std::fs::rename(
            d.join("ssd_cin_episodes/la_code=332"),
            d.join("ssd_cin_episodes/la_code=3 32"),
        )
        .unwrap()
    });
    run(&data, &out).code(1).stderr(predicates::str::contains(
        "la_code=3 32`: the partition folder is not `la_code=<DfE code>`",
    ));
}

#[test]
fn a_snapshot_date_written_another_way_is_an_error_not_a_second_snapshot() {
    let (_dir, data, out) = sample_with(|d| {
        copy_dir(
            &d.join("ssd_cin_episodes/la_code=332/snapshot_date=2024-04-01"),
            &d.join("ssd_cin_episodes/la_code=332/snapshot_date=2024-4-1"),
        )
    });
    run(&data, &out).code(1).stderr(predicates::str::contains(
        "snapshot_date=2024-4-1`: the partition folder is not `snapshot_date=YYYY-MM-DD`",
    ));
}

#[test]
fn a_snapshot_folder_without_tables_is_skipped_with_a_warning() {
    let (_dir, data, out) = sample_with(|d| {
        std::fs::create_dir_all(d.join("ssd_cin_episodes/la_code=332/snapshot_date=2024-05-01"))
            .unwrap()
    });
    let mut cmd: Command = assert_cmd::cargo::cargo_bin_cmd!("csc-indicators");
    cmd.current_dir(root())
        .args(["run", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "a snapshot folder without Parquet files is skipped",
        ));
}

/// The indicator table a run wrote.
fn indicators(out: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(out.join("indicators.parquet")).unwrap())
        .finish()
        .unwrap()
}

/// The sample data's indicator table, as a run on an unchanged copy writes it.
fn sample_indicators() -> DataFrame {
    let (_dir, data, out) = sample_with(|_| ());
    run(&data, &out).success();
    indicators(&out)
}

#[test]
fn columns_named_like_the_partition_folders_leave_each_row_in_its_own_la() {
    // LA 332's referrals claim to be LA 873's, of another snapshot: the folder decides, as for every other file.
    let (_dir, data, out) = sample_with(|d| {
        rewrite(&d.join(EPISODES), |df| {
            df.lazy()
                .with_columns([
                    lit(873i64).alias("la_code"),
                    lit("1999-01-01").alias("snapshot_date"),
                ])
                .collect()
                .unwrap()
        })
    });
    run(&data, &out).success();
    assert!(indicators(&out).equals_missing(&sample_indicators()));
}

#[test]
fn one_las_table_split_into_part_files_of_different_types_reads_as_one() {
    // The first half of LA 332's referrals keep timestamps, the second half has dates as text: two files that
    // cannot be read by one plan, between LAs whose files can.
    let (_dir, data, out) = sample_with(|d| {
        let path = d.join(EPISODES);
        let df = ParquetReader::new(std::fs::File::open(&path).unwrap())
            .finish()
            .unwrap();
        let half = df.height() / 2;
        let mut first = df.head(Some(half));
        let mut second = df
            .tail(Some(df.height() - half))
            .lazy()
            .with_column(col("cine_referral_date").dt().strftime("%Y-%m-%d"))
            .collect()
            .unwrap();
        ParquetWriter::new(std::fs::File::create(&path).unwrap())
            .finish(&mut first)
            .unwrap();
        ParquetWriter::new(std::fs::File::create(path.with_file_name("part-1.parquet")).unwrap())
            .finish(&mut second)
            .unwrap();
    });
    run(&data, &out).success();
    assert!(indicators(&out).equals_missing(&sample_indicators()));
}

#[test]
fn a_relative_data_folder_with_a_trailing_slash_reads_the_same_rows() {
    let (dir, _data, out) = sample_with(|_| ());
    let mut cmd: Command = assert_cmd::cargo::cargo_bin_cmd!("csc-indicators");
    cmd.current_dir(dir.path())
        .args(["run", "-q", "--catalogue"])
        .arg(root().join("indicators.yaml"))
        .args(["--data", "data/", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(indicators(&out).equals_missing(&sample_indicators()));
}

#[test]
fn files_alike_in_types_but_not_in_columns_are_read_alike() {
    // LAs 841 and 873 write the same types, so their files are read by one scan; here 841's placements lack an
    // optional column no indicator reads, and 873's have a column of their own. Polars refuses a scan of files
    // with different columns, so they must be read apart, and give the sample's indicators.
    let placements = "ssd_cla_placement/la_code=841/snapshot_date=2024-04-01/part-0.parquet";
    let (_dir, data, out) = sample_with(|d| {
        rewrite(&d.join(placements), |df| {
            df.drop("clap_cla_placement_provider").unwrap()
        });
        rewrite(
            &d.join(placements.replace("la_code=841", "la_code=873")),
            |df| {
                df.lazy()
                    .with_column(lit("north").alias("clap_team"))
                    .collect()
                    .unwrap()
            },
        );
    });
    run(&data, &out).success();
    assert!(indicators(&out).equals_missing(&sample_indicators()));
}

#[test]
fn extra_columns_in_some_las_files_are_ignored() {
    // The first LA's referrals have a column the others lack, and the second LA's another one.
    let (_dir, data, out) = sample_with(|d| {
        rewrite(&d.join(EPISODES), |df| {
            df.lazy()
                .with_column(lit("local").alias("cine_team"))
                .collect()
                .unwrap()
        });
        let second = EPISODES.replace("la_code=332", "la_code=841");
        rewrite(&d.join(second), |df| {
            df.lazy()
                .with_column(lit(1i64).alias("cine_locality"))
                .collect()
                .unwrap()
        });
    });
    run(&data, &out).success();
    assert!(indicators(&out).equals_missing(&sample_indicators()));
}
