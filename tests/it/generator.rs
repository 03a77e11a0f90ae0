//! The generator: deterministic, in the contract's layout and types, with coherent journeys.

use csc_indicators::common::calendar::Month;
use csc_indicators::input::contract::{self, Logical};
use csc_indicators::synth::{self, GenerateOptions};
use polars::prelude::*;
use std::path::Path;

fn options(out: &Path, las: &[&str], dirt: bool) -> GenerateOptions {
    GenerateOptions {
        out_dir: out.to_path_buf(),
        la_count: None,
        la_codes: las.iter().map(|s| s.to_string()).collect(),
        from: "2023-04".parse::<Month>().unwrap(),
        to: "2023-09".parse::<Month>().unwrap(),
        snapshot_date: None,
        seed: 7,
        scale: 0.3,
        dirt,
        dirt_rate: 0.004,
        descriptions: false,
        monthly_snapshots: 0,
    }
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p))
        } else {
            out.push(p)
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    synth::generate(&options(a.path(), &["841", "873"], true)).unwrap();
    synth::generate(&options(b.path(), &["841", "873"], true)).unwrap();
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert_eq!(fa.len(), fb.len());
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!(
            x.strip_prefix(a.path()).unwrap(),
            y.strip_prefix(b.path()).unwrap()
        );
        assert!(
            std::fs::read(x).unwrap() == std::fs::read(y).unwrap(),
            "{} differs",
            x.display()
        );
    }
}

#[test]
fn every_table_is_written_in_the_contract_layout_and_types() {
    let dir = tempfile::tempdir().unwrap();
    synth::generate(&options(dir.path(), &["841"], false)).unwrap();
    for spec in contract::TABLES {
        let path = dir
            .path()
            .join(spec.name)
            .join("la_code=841/snapshot_date=2023-10-01/part-0.parquet");
        let df = read(&path);
        let schema = df.schema();
        for c in spec.columns {
            let dtype = schema
                .get(c.name)
                .unwrap_or_else(|| panic!("{}.{} missing", spec.name, c.name));
            let ok = match c.logical {
                Logical::Date => dtype == &DataType::Date,
                Logical::Datetime => matches!(dtype, DataType::Datetime(_, _)),
                Logical::Number => dtype == &DataType::Float64,
                _ => dtype == &DataType::String,
            };
            assert!(ok, "{}.{} is {dtype}", spec.name, c.name);
        }
    }
    for reference in contract::REFERENCE_TABLES {
        assert!(
            dir.path()
                .join("reference")
                .join(format!("{reference}.parquet"))
                .is_file(),
            "{reference}"
        );
    }
    let las = read(&dir.path().join("reference/local_authorities.parquet"));
    assert_eq!(las.height(), 153);
}

#[test]
fn journeys_are_coherent_in_time() {
    let dir = tempfile::tempdir().unwrap();
    synth::generate(&options(dir.path(), &["873"], false)).unwrap();
    let table = |t: &str| {
        read(
            &dir.path()
                .join(t)
                .join("la_code=873/snapshot_date=2023-10-01/part-0.parquet"),
        )
        .lazy()
    };
    let people = table("ssd_person").select([col("pers_person_id"), col("pers_dob")]);
    let count = |lf: LazyFrame| lf.collect().unwrap().height();
    // No plan before its child's birth, and no plan ending before it starts.
    let plans = table("ssd_cp_plans");
    let born_after = plans
        .clone()
        .join(
            people.clone(),
            [col("cppl_person_id")],
            [col("pers_person_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("cppl_cp_plan_start_date").lt(col("pers_dob")));
    assert_eq!(count(born_after), 0);
    assert_eq!(
        count(
            plans
                .clone()
                .filter(col("cppl_cp_plan_end_date").lt(col("cppl_cp_plan_start_date")))
        ),
        0
    );
    assert!(count(plans) > 0);
    // Placements lie inside their period of care.
    let episodes = table("ssd_cla_episodes")
        .group_by([col("clae_cla_id")])
        .agg([col("clae_cla_episode_start_date").min().alias("care_start")]);
    let outside = table("ssd_cla_placement")
        .join(
            episodes,
            [col("clap_cla_id")],
            [col("clae_cla_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("clap_cla_placement_start_date").lt(col("care_start")));
    assert_eq!(count(outside), 0);
    // Every enquiry's conference is on or after the enquiry starts.
    let early = table("ssd_initial_cp_conference")
        .join(
            table("ssd_s47_enquiry"),
            [col("icpc_s47_enquiry_id")],
            [col("s47e_s47_enquiry_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("icpc_icpc_date").lt(col("s47e_s47_start_date")));
    assert_eq!(count(early), 0);
    // Nothing happens after the snapshot.
    let late = table("ssd_cin_episodes")
        .filter(col("cine_referral_date").gt(lit("2023-10-01").str().to_date(Default::default())));
    assert_eq!(count(late), 0);
}

#[test]
fn an_la_writing_descriptions_gives_the_same_figures_as_one_writing_codes() {
    use csc_indicators::compute::engine::RangeRequest;
    use csc_indicators::pipeline::{self, RunOptions};
    let run = |descriptions: bool| {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut o = options(&data, &["873"], false);
        o.from = "2022-04".parse::<Month>().unwrap();
        o.to = "2024-03".parse::<Month>().unwrap();
        o.descriptions = descriptions;
        synth::generate(&o).unwrap();
        let out = dir.path().join("out");
        pipeline::run(&RunOptions {
            data_dir: data.clone(),
            catalogue: crate::support::catalogue_path(),
            out_dir: out.clone(),
            as_of: None,
            range: RangeRequest::default(),
            las: vec![],
            indicators: vec![],
            batch_input_mb: csc_indicators::pipeline::DEFAULT_BATCH_INPUT_MB,
        })
        .unwrap();
        let described = std::fs::read_dir(data.join("ssd_legal_status/la_code=873"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let statuses = read(&described.join("part-0.parquet"));
        let written: Vec<String> = statuses
            .column("lega_legal_status")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .map(str::to_string)
            .collect();
        let indicators = read(&out.join("indicators.parquet"))
            .select([
                "indicator_id",
                "window",
                "breakdown",
                "breakdown_value",
                "period_end",
                "numerator",
                "denominator",
                "value",
            ])
            .unwrap();
        let quality = read(&out.join("data_quality.parquet"));
        (written, indicators, quality)
    };
    let (codes, by_code, _) = run(false);
    let (descriptions, by_description, quality) = run(true);
    assert!(codes.iter().all(|c| c.len() == 2), "codes: {codes:?}");
    assert!(
        descriptions.iter().any(|d| d == "Full care order"),
        "the LA wrote descriptions"
    );
    let unmapped = quality
        .clone()
        .lazy()
        .filter(col("kind").eq(lit("unmapped_code")))
        .collect()
        .unwrap();
    assert_eq!(
        unmapped.height(),
        0,
        "every description is mapped:\n{unmapped}"
    );
    assert_eq!(by_code.height(), by_description.height());
    assert!(
        by_code.equals_missing(&by_description),
        "the figures differ"
    );
    let care = by_code
        .clone()
        .lazy()
        .filter(
            col("indicator_id")
                .eq(lit("cic_children"))
                .and(col("numerator").gt(lit(0.0))),
        )
        .collect()
        .unwrap();
    assert!(care.height() > 0, "children in care were counted");
}
