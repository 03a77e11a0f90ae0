//! The output files: schema and footer metadata read back by an independent Parquet reader, the scorecard
//! columns, and no person-level data.

use crate::support::{Fixture, close};
use polars::prelude::*;

fn fixture() -> Fixture {
    Fixture::new("2024-05-01")
        .records(
            "ssd_cp_plans",
            &[
                "cppl_cp_plan_id",
                "cppl_person_id",
                "cppl_cp_plan_start_date",
                "cppl_cp_plan_end_date",
            ],
            &[
                &["P1", "CHILD-A", "2023-03-01", ""],
                &["P2", "CHILD-B", "2023-05-10", ""],
                &["P3", "CHILD-C", "2023-06-01", "2023-06-20"],
            ],
        )
        .records(
            "ssd_person",
            &["pers_person_id", "pers_dob"],
            &[&["CHILD-A", "2015-06-01"], &["CHILD-B", "2012-07-30"]],
        )
}

#[test]
fn the_indicator_table_has_typed_columns_and_catalogue_metadata_an_independent_reader_sees() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let f = fixture();
    f.run("2023-04");
    let file = std::fs::File::open(f.out_dir().join("indicators.parquet")).unwrap();
    let reader = SerializedFileReader::new(file).unwrap();
    let meta = reader.metadata().file_metadata();
    let kv = meta.key_value_metadata().expect("key-value metadata");
    let get = |k: &str| kv.iter().find(|e| e.key == k).and_then(|e| e.value.clone());
    let cat = csc_indicators::catalogue::load(&crate::support::catalogue_path()).unwrap();
    assert_eq!(get("csc_indicators.catalogue_hash"), Some(cat.hash.clone()));
    assert_eq!(
        get("csc_indicators.catalogue_version"),
        Some(cat.version.clone())
    );
    let schema = meta.schema_descr();
    let logical = |name: &str| {
        let c = (0..schema.num_columns())
            .map(|i| schema.column(i))
            .find(|c| c.name() == name)
            .unwrap();
        format!("{:?}", c.logical_type_ref())
    };
    assert!(
        logical("period_end").contains("Date"),
        "{}",
        logical("period_end")
    );
    assert!(
        logical("la_code").contains("String"),
        "{}",
        logical("la_code")
    );
    let names: Vec<String> = (0..schema.num_columns())
        .map(|i| schema.column(i).name().to_string())
        .collect();
    assert_eq!(
        names,
        csc_indicators::output::schema::OUTPUT_COLUMNS
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    );
}

#[test]
fn no_person_identifier_or_date_of_birth_reaches_any_output() {
    let f = fixture();
    let out = f.run("2023-04");
    let mut text = String::new();
    for df in [&out.indicators, &out.quality] {
        text.push_str(&format!("{:?}", df.get_column_names()));
        for c in df.columns() {
            let s = c.cast(&DataType::String).unwrap();
            for v in s.str().unwrap().iter().flatten() {
                text.push_str(v);
                text.push('\n');
            }
        }
    }
    text.push_str(&std::fs::read_to_string(f.out_dir().join("run.json")).unwrap());
    for secret in [
        "CHILD-A",
        "CHILD-B",
        "CHILD-C",
        "2015-06-01",
        "2012-07-30",
        "person_id",
        "pers_",
        "dob",
    ] {
        assert!(
            !text.contains(secret),
            "`{secret}` reached an output:\n{}",
            text.lines()
                .filter(|l| l.contains(secret))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[test]
fn rows_carry_targets_rag_change_and_comparisons() {
    let f = Fixture::new("2024-05-01").records(
        "ssd_cp_reviews",
        &[
            "cppr_cp_review_id",
            "cppr_person_id",
            "cppr_cp_plan_id",
            "cppr_cp_review_due",
            "cppr_cp_review_date",
        ],
        &[
            &["V1", "A", "P1", "2023-04-10", "2023-04-10"],
            &["V2", "B", "P2", "2023-04-11", "2023-04-10"],
            &["V3", "C", "P3", "2023-05-10", "2023-05-10"],
            &["V4", "D", "P4", "2023-05-11", "2023-05-20"],
            &["V5", "E", "P5", "2023-06-01", "2023-06-01"],
        ],
    );
    let out = f.run("2023-04");
    let row = |month: &str| {
        let end = csc_indicators::common::calendar::epoch_days(
            month
                .parse::<csc_indicators::common::calendar::Month>()
                .unwrap()
                .period_end(),
        );
        out.indicators
            .clone()
            .lazy()
            .filter(
                col("indicator_id")
                    .eq(lit("cp_reviews_on_time"))
                    .and(col("window").eq(lit("month")))
                    .and(col("period_end").cast(DataType::Int32).eq(lit(end))),
            )
            .collect()
            .unwrap()
    };
    let april = row("2023-04");
    let may = row("2023-05");
    let june = row("2023-06");
    let text = |df: &DataFrame, c: &str| {
        df.column(c)
            .unwrap()
            .str()
            .unwrap()
            .get(0)
            .map(str::to_string)
    };
    let num = |df: &DataFrame, c: &str| df.column(c).unwrap().f64().unwrap().get(0);
    assert_eq!(num(&april, "target"), Some(98.0));
    assert_eq!(text(&april, "rag").as_deref(), Some("green"));
    assert_eq!(text(&may, "rag").as_deref(), Some("red"), "50% against 98%");
    close(num(&may, "change"), -50.0);
    assert_eq!(text(&may, "change_direction").as_deref(), Some("worse"));
    assert_eq!(text(&june, "change_direction").as_deref(), Some("better"));
    assert_eq!(text(&april, "financial_year").as_deref(), Some("2023-24"));
    assert_eq!(text(&april, "la_name").as_deref(), Some("Cambridgeshire"));
    close(num(&may, "england_value"), 50.0);
    assert_eq!(
        april.column("england_las").unwrap().u32().unwrap().get(0),
        Some(1)
    );
    assert_eq!(
        num(&april, "previous_value"),
        None,
        "the first reported month has no previous month"
    );
    assert_eq!(
        text(&april, "flags").as_deref(),
        Some("small_denominator"),
        "two reviews"
    );
}

/// Three generated LAs (a small scale, with the realistic dirt) under `dir/data`.
fn generated_las(dir: &std::path::Path) -> std::path::PathBuf {
    use csc_indicators::common::calendar::Month;
    use csc_indicators::synth::{self, GenerateOptions};
    let data = dir.join("data");
    synth::generate(&GenerateOptions {
        out_dir: data.clone(),
        la_count: None,
        la_codes: vec!["841".into(), "873".into(), "332".into()],
        from: "2023-04".parse::<Month>().unwrap(),
        to: "2024-03".parse::<Month>().unwrap(),
        snapshot_date: None,
        seed: 3,
        scale: 0.1,
        dirt: true,
        dirt_rate: 0.01,
        descriptions: false,
        monthly_snapshots: 0,
    })
    .unwrap();
    data
}

#[test]
fn computing_las_in_batches_gives_the_same_outputs_as_computing_them_together() {
    let dir = tempfile::tempdir().unwrap();
    let data = generated_las(dir.path());
    let run = |out: &str, batch_input_mb: u64| {
        let options = csc_indicators::pipeline::RunOptions {
            data_dir: data.clone(),
            catalogue: crate::support::catalogue_path(),
            out_dir: dir.path().join(out),
            as_of: None,
            range: Default::default(),
            las: vec![],
            indicators: vec![],
            batch_input_mb,
        };
        csc_indicators::pipeline::run(&options).unwrap();
        crate::support::Output::read(&options.out_dir)
    };
    // A budget of 0 MiB makes every LA a batch of its own.
    let (together, one_by_one) = (run("together", 1024), run("one_by_one", 0));
    let sorted = |df: &DataFrame| {
        let by: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        df.sort(by, SortMultipleOptions::default()).unwrap()
    };
    assert!(together.indicators.height() > 0);
    assert!(sorted(&together.indicators).equals_missing(&sorted(&one_by_one.indicators)));
    assert!(sorted(&together.quality).equals_missing(&sorted(&one_by_one.quality)));
    let batches = |out: &str| {
        let text = std::fs::read_to_string(dir.path().join(out).join("run.json")).unwrap();
        let run: serde_json::Value = serde_json::from_str(&text).unwrap();
        run["batches"]["count"].as_u64().unwrap()
    };
    assert_eq!((batches("together"), batches("one_by_one")), (1, 3));
}

#[test]
fn a_run_on_generated_data_writes_every_la_month_indicator_and_window_once_with_sane_values() {
    let dir = tempfile::tempdir().unwrap();
    let data = generated_las(dir.path());
    let options = csc_indicators::pipeline::RunOptions {
        data_dir: data,
        catalogue: crate::support::catalogue_path(),
        out_dir: dir.path().join("out"),
        as_of: None,
        range: Default::default(),
        las: vec![],
        indicators: vec![],
        batch_input_mb: csc_indicators::pipeline::DEFAULT_BATCH_INPUT_MB,
    };
    let summary = csc_indicators::pipeline::run(&options).unwrap();
    let df = crate::support::Output::read(&options.out_dir).indicators;
    let cat = csc_indicators::catalogue::load(&crate::support::catalogue_path()).unwrap();
    // Each window has a total row and one row per category of each breakdown.
    let windows: usize = cat
        .indicators
        .iter()
        .map(|i| {
            let categories: usize = i.breakdowns.iter().map(|b| b.categories.len()).sum();
            i.windows.all().len() * (1 + categories)
        })
        .sum();
    let months = (summary.months.1.months_since(summary.months.0) + 1) as usize;
    assert_eq!(
        summary.months.0.to_string(),
        "2020-04",
        "the default range is four financial years"
    );
    assert_eq!(
        df.height(),
        3 * months * windows,
        "every LA x month x indicator x window"
    );
    let keys = [
        "la_code",
        "period_end",
        "indicator_id",
        "window",
        "breakdown",
        "breakdown_value",
    ];
    let unique = df
        .clone()
        .lazy()
        .unique(Some(cols(keys)), UniqueKeepStrategy::Any)
        .collect()
        .unwrap();
    assert_eq!(unique.height(), df.height(), "no key appears twice");
    let bad = df
        .clone()
        .lazy()
        .filter(
            col("value")
                .is_nan()
                .or(col("value").is_infinite())
                .or(col("unit")
                    .eq(lit("percent"))
                    .and(col("value").lt(lit(0.0)).or(col("value").gt(lit(100.0)))))
                .or(col("numerator").lt(lit(0.0)))
                .or(col("unit")
                    .eq(lit("percent"))
                    .and(col("numerator").gt(col("denominator")))),
        )
        .collect()
        .unwrap();
    assert_eq!(bad.height(), 0, "{bad}");
}

#[test]
fn comparisons_pool_the_region_and_average_the_statistical_neighbours() {
    use crate::support::{frame, write_table};
    // cp_reviews_on_time in April 2023: 873 holds 1 of 2 on time, 874 (same region) 2 of 2, 841 (another region) 0 of 1.
    let f = Fixture::new("2024-05-01").records(
        "ssd_cp_reviews",
        &[
            "cppr_cp_review_id",
            "cppr_person_id",
            "cppr_cp_plan_id",
            "cppr_cp_review_due",
            "cppr_cp_review_date",
        ],
        &[
            &["V1", "A", "P1", "2023-04-10", "2023-04-10"],
            &["V2", "B", "P2", "2023-04-11", "2023-04-20"],
        ],
    );
    f.write();
    let reviews = |held: &[&str]| {
        let n = held.len();
        let ids: Vec<String> = (0..n).map(|i| format!("V{i}")).collect();
        vec![
            ("cppr_cp_review_id".to_string(), ids.clone()),
            ("cppr_person_id".to_string(), ids.clone()),
            ("cppr_cp_plan_id".to_string(), ids),
            (
                "cppr_cp_review_due".to_string(),
                vec!["2023-04-15".to_string(); n],
            ),
            (
                "cppr_cp_review_date".to_string(),
                held.iter().map(|s| s.to_string()).collect(),
            ),
        ]
    };
    for (la, held) in [
        ("874", vec!["2023-04-01", "2023-04-15"]),
        ("841", vec!["2023-04-30"]),
    ] {
        for spec in csc_indicators::input::contract::TABLES {
            let given = if spec.name == "ssd_cp_reviews" {
                reviews(&held)
            } else {
                vec![]
            };
            let mut df = frame(spec, &given);
            write_table(&f.data_dir(), spec.name, la, f.snapshot, &mut df);
        }
    }
    let reference = f.data_dir().join("reference");
    let write = |name: &str, mut df: DataFrame| {
        let file = std::fs::File::create(reference.join(format!("{name}.parquet"))).unwrap();
        ParquetWriter::new(file).finish(&mut df).unwrap();
    };
    write(
        "local_authorities",
        df!("la_code" => ["873", "874", "841"], "ons_code" => ["E10000003", "E06000031", "E06000005"],
            "la_name" => ["Cambridgeshire", "Peterborough", "Darlington"],
            "region_code" => ["E12000006", "E12000006", "E12000001"],
            "region_name" => ["East of England", "East of England", "North East"])
        .unwrap(),
    );
    write(
        "statistical_neighbours",
        df!("la_code" => ["873", "873"], "rank" => [1, 2], "neighbour_la_code" => ["874", "841"])
            .unwrap(),
    );
    csc_indicators::pipeline::run(&f.options("2023-04")).unwrap();
    let out = crate::support::Output::read(&f.out_dir());
    let row = out
        .indicators
        .clone()
        .lazy()
        .filter(
            col("la_code")
                .eq(lit("873"))
                .and(col("indicator_id").eq(lit("cp_reviews_on_time")))
                .and(col("window").eq(lit("month")))
                .and(col("period_end").eq(lit("2023-04-30").str().to_date(Default::default()))),
        )
        .collect()
        .unwrap();
    let num = |c: &str| row.column(c).unwrap().f64().unwrap().get(0);
    let las = |c: &str| row.column(c).unwrap().u32().unwrap().get(0);
    close(num("value"), 50.0);
    close(num("region_value"), 75.0);
    assert_eq!(las("region_las"), Some(2));
    close(num("stat_neighbours_value"), 50.0);
    assert_eq!(las("stat_neighbours_las"), Some(2));
    close(num("england_value"), 60.0);
    assert_eq!(las("england_las"), Some(3));
}

#[test]
fn the_sample_data_brings_every_indicator_and_window_to_life_for_every_la() {
    let dir = tempfile::tempdir().unwrap();
    let options = csc_indicators::pipeline::RunOptions {
        data_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
        catalogue: crate::support::catalogue_path(),
        out_dir: dir.path().join("out"),
        as_of: None,
        range: Default::default(),
        las: vec![],
        indicators: vec![],
        batch_input_mb: csc_indicators::pipeline::DEFAULT_BATCH_INPUT_MB,
    };
    csc_indicators::pipeline::run(&options).unwrap();
    let df = crate::support::Output::read(&options.out_dir).indicators;
    let live = df
        .lazy()
        .filter(col("breakdown").is_null())
        .group_by([col("la_code"), col("indicator_id"), col("window")])
        .agg([col("value")
            .filter(col("value").is_not_null().and(col("value").neq(lit(0.0))))
            .count()
            .alias("live_months")])
        .filter(col("live_months").eq(lit(0)))
        .sort(["indicator_id", "la_code"], SortMultipleOptions::default())
        .collect()
        .unwrap();
    assert_eq!(
        live.height(),
        0,
        "indicators with no non-zero value over the sample's reporting range:\n{live}"
    );
}

#[test]
fn the_outputs_have_the_contract_columns_and_types() {
    use csc_indicators::output::schema::{FINDING_COLUMNS, INDICATOR_COLUMNS, OutputColumn};
    let f = fixture();
    let out = f.run("2023-04");
    let contract = |columns: &[OutputColumn]| -> Vec<(String, DataType)> {
        columns
            .iter()
            .map(|c| (c.name.to_string(), c.kind.dtype()))
            .collect()
    };
    let written = |df: &DataFrame| -> Vec<(String, DataType)> {
        df.schema()
            .iter()
            .map(|(name, dtype)| (name.to_string(), dtype.clone()))
            .collect()
    };
    assert_eq!(written(&out.indicators), contract(&INDICATOR_COLUMNS));
    assert_eq!(written(&out.quality), contract(&FINDING_COLUMNS));
}
