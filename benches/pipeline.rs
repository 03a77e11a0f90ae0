//! Benchmarks of the whole pipeline on generated data: one run of the catalogue over a few LAs and years.
//! Run with `cargo bench`; the figures are printed by criterion, never asserted.

use criterion::{Criterion, criterion_group, criterion_main};
use csc_indicators::common::calendar::Month;
use csc_indicators::compute::engine::RangeRequest;
use csc_indicators::pipeline::{self, RunOptions};
use csc_indicators::synth::{self, GenerateOptions};
use std::path::Path;

fn pipeline_run(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    synth::generate(&GenerateOptions {
        out_dir: data.clone(),
        la_count: Some(4),
        la_codes: vec![],
        from: "2021-04".parse::<Month>().expect("month"),
        to: "2024-03".parse::<Month>().expect("month"),
        snapshot_date: None,
        seed: 1,
        scale: 0.5,
        dirt: true,
        dirt_rate: 0.004,
        descriptions: false,
        monthly_snapshots: 0,
    })
    .expect("generate");
    let options = RunOptions {
        data_dir: data,
        catalogue: Path::new(env!("CARGO_MANIFEST_DIR")).join("indicators.yaml"),
        out_dir: dir.path().join("out"),
        as_of: None,
        range: RangeRequest::default(),
        las: vec![],
        indicators: vec![],
        batch_input_mb: csc_indicators::pipeline::DEFAULT_BATCH_INPUT_MB,
    };
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.bench_function("run_4_las_3_years", |b| {
        b.iter(|| pipeline::run(&options).expect("run"))
    });
    group.finish();
}

criterion_group!(benches, pipeline_run);
criterion_main!(benches);
