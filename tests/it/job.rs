//! The nightly job as a scheduler sees it: exit codes by kind of failure, JSON log lines, the output folder's lock,
//! and a run killed while writing that leaves the previous output whole.

use crate::support::copy_dir;
use assert_cmd::Command;
use polars::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn cli() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("csc-indicators")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// `run` on the sample data into `out`.
fn run_sample(out: &Path) -> Command {
    let mut cmd = cli();
    cmd.current_dir(root())
        .args(["run", "-q", "--out"])
        .arg(out);
    cmd
}

#[test]
fn exit_codes_say_what_kind_of_failure_it_was() {
    let dir = tempfile::tempdir().unwrap();
    // 1: the data is missing or unusable.
    cli()
        .current_dir(root())
        .args(["run", "--data"])
        .arg(dir.path().join("nowhere"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(1);
    let broken = dir.path().join("data");
    copy_dir(&root().join("data"), &broken);
    let file = broken.join("ssd_cin_episodes/la_code=332/snapshot_date=2024-04-01/part-0.parquet");
    std::fs::write(&file, b"").unwrap();
    cli()
        .current_dir(root())
        .args(["run", "--data"])
        .arg(&broken)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("part-0.parquet"));
    // 2: the catalogue or the arguments.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "version: 1\nindicators: []\n").unwrap();
    cli()
        .current_dir(root())
        .args(["run", "--catalogue"])
        .arg(&bad)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(2);
    cli()
        .current_dir(root())
        .args(["run", "--indicator", "no_such_thing", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .code(2);
    // A report without a run is missing its input (1); a report of an unknown LA is an argument (2).
    cli()
        .current_dir(root())
        .args(["report", "--out"])
        .arg(dir.path().join("empty"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("run `csc-indicators run` first"));
    let out = dir.path().join("sample");
    run_sample(&out).assert().success();
    cli()
        .current_dir(root())
        .args(["report", "--la", "999", "--out"])
        .arg(&out)
        .assert()
        .code(2);
}

#[test]
fn json_logs_are_one_object_a_line_and_run_json_says_ok() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let assert = cli()
        .current_dir(root())
        .args(["--log-format", "json", "run", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "the run logs its batches");
    for line in &lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            v.get("level").is_some() && v.get("fields").is_some(),
            "{line}"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(manifest["status"], "ok");
    assert_eq!(manifest["findings"], 3, "the sample's three findings");
    // Every indicator is in exactly one query; the cohort's nine share one.
    let queries = manifest["query_seconds"].as_array().unwrap();
    let mut computed: Vec<&str> = queries
        .iter()
        .flat_map(|q| q["indicators"].as_array().unwrap())
        .map(|id| id.as_str().unwrap())
        .collect();
    let cohort = queries
        .iter()
        .find(|q| q["indicators"][0] == "cic_children")
        .unwrap();
    assert_eq!(cohort["indicators"].as_array().unwrap().len(), 9);
    computed.sort();
    let listed = manifest["indicator_seconds"].as_object().unwrap();
    assert_eq!(
        computed,
        listed.keys().map(String::as_str).collect::<Vec<_>>()
    );
}

#[test]
fn a_second_run_on_the_same_output_fails_with_the_holders_pid() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let lock = out.join(".csc-indicators.lock");
    // This test's own process stands for a run that is still going.
    let holder = format!("pid {}, started 2026-11-22 01:00:00", std::process::id());
    std::fs::write(&lock, &holder).unwrap();
    run_sample(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "another csc-indicators run (pid {}",
            std::process::id()
        )))
        .stderr(predicates::str::contains("delete"));
    assert!(!out.join("indicators.parquet").exists(), "nothing written");
    assert_eq!(
        std::fs::read_to_string(&lock).unwrap(),
        holder,
        "the holder's lock stays"
    );
    // A lock whose process is gone (a killed run) is taken over, and the killed run's temporary files removed.
    std::fs::write(&lock, "pid 4194999, started 2026-11-21 01:00:00").unwrap();
    std::fs::write(out.join(".indicators.parquet.tmp-4194999"), b"half written").unwrap();
    run_sample(&out).assert().success();
    assert!(!lock.exists(), "released at the end");
    assert!(!out.join(".indicators.parquet.tmp-4194999").exists());
    assert!(out.join("indicators.parquet").exists());
}

#[test]
fn a_run_killed_while_writing_leaves_the_previous_output_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_sample(&out).assert().success();
    let before: Vec<(String, Vec<u8>)> = ["indicators.parquet", "data_quality.parquet", "run.json"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(out.join(f)).unwrap()))
        .collect();
    // Run again, held between writing its temporary files and renaming them, and kill it (SIGKILL) there.
    let binary = assert_cmd::cargo::cargo_bin!("csc-indicators");
    let mut child = std::process::Command::new(binary)
        .current_dir(root())
        .env(
            csc_indicators::output::PAUSE_BEFORE_COMMIT_VARIABLE,
            "60000",
        )
        .args(["run", "-q", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut killed_while_writing = false;
    while started.elapsed() < Duration::from_secs(120) && child.try_wait().unwrap().is_none() {
        let temporaries = std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .count();
        if temporaries == 3 {
            child.kill().unwrap();
            killed_while_writing = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait().unwrap();
    assert!(
        killed_while_writing,
        "the run ended before its write stage was seen"
    );
    for (name, bytes) in &before {
        assert_eq!(
            &std::fs::read(out.join(name)).unwrap(),
            bytes,
            "{name} changed under a run killed before renaming"
        );
    }
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(
        !leftovers.is_empty(),
        "the killed run left its lock or temporary files"
    );
    // The next run takes over the dead run's lock, cleans up and writes.
    run_sample(&out).assert().success();
    let after: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert_eq!(after, Vec::<String>::new());
}

#[test]
fn three_shards_combined_give_the_comparisons_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    run_sample(&whole).assert().success();
    let mut shards = Vec::new();
    for la in ["332", "841", "873"] {
        let out = dir.path().join(format!("shard-{la}"));
        run_sample(&out).args(["--la", la]).assert().success();
        shards.push(out);
    }
    let combined = dir.path().join("combined");
    cli()
        .current_dir(root())
        .arg("combine")
        .args(&shards)
        .args(["--data", "data", "--out"])
        .arg(&combined)
        .assert()
        .success()
        .stdout(predicates::str::contains("3 inputs, 3 LAs"));
    let read = |path: &Path| {
        ParquetReader::new(std::fs::File::open(path).unwrap())
            .finish()
            .unwrap()
    };
    let one = read(&whole.join("indicators.parquet"));
    let pooled = read(&combined.join("indicators.parquet"));
    let columns: Vec<&str> = csc_indicators::output::schema::OUTPUT_COLUMNS.to_vec();
    let sorted = |df: &DataFrame| {
        df.select(columns.iter().copied())
            .unwrap()
            .sort(
                [
                    "la_code",
                    "indicator_id",
                    "window",
                    "breakdown",
                    "breakdown_value",
                    "period_end",
                ],
                SortMultipleOptions::default().with_nulls_last(false),
            )
            .unwrap()
    };
    let (one, same) = (sorted(&one), sorted(&pooled));
    assert_eq!(one.height(), same.height());
    assert!(
        one.equals_missing(&same),
        "combine differs from the single run"
    );
    // Ranks: among the three sample LAs, for a percentage with a value in every LA, ranks 1 to 3.
    let ranks = pooled
        .clone()
        .lazy()
        .filter(
            col("indicator_id")
                .eq(lit("re_referral_rate"))
                .and(col("window").eq(lit("ytd")))
                .and(col("breakdown").is_null()),
        )
        .group_by([col("period_end")])
        .agg([
            col("england_rank").min().alias("best"),
            col("england_rank").max().alias("worst"),
            col("england_rank").count().alias("ranked"),
        ])
        .collect()
        .unwrap();
    assert!(ranks.height() > 10);
    let column = |name: &str| ranks.column(name).unwrap().cast(&DataType::UInt32).unwrap();
    let (best, worst, ranked) = (column("best"), column("worst"), column("ranked"));
    for i in 0..ranks.height() {
        let (b, w, n) = (
            best.u32().unwrap().get(i),
            worst.u32().unwrap().get(i),
            ranked.u32().unwrap().get(i),
        );
        assert_eq!(
            (b, n),
            (Some(1), Some(3)),
            "every month ranks the three LAs from 1"
        );
        assert!(w.unwrap() <= 3);
    }
    // Two inputs of one LA are refused, as are inputs of different catalogues.
    cli()
        .current_dir(root())
        .arg("combine")
        .args([&shards[0], &shards[0]])
        .args(["--out"])
        .arg(dir.path().join("twice"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("LA 332 is in both"));
}

#[test]
fn runs_of_different_catalogues_combine_only_on_identical_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let catalogue = std::fs::read_to_string(root().join("indicators.yaml")).unwrap();
    let changed = catalogue
        .replace("title: Referrals received", "title: Referrals in")
        .replace(
            "polarity: low_is_good\n    target: 18\n",
            "polarity: low_is_good\n    target: 15\n",
        );
    assert_ne!(changed, catalogue);
    let other = dir.path().join("other.yaml");
    std::fs::write(&other, changed).unwrap();
    let first = dir.path().join("332");
    run_sample(&first).args(["--la", "332"]).assert().success();
    let second = dir.path().join("873");
    run_sample(&second)
        .args(["--la", "873", "--catalogue"])
        .arg(&other)
        .assert()
        .success();
    let combine = |out: &str| {
        let mut cmd = cli();
        cmd.current_dir(root())
            .arg("combine")
            .args([&first, &second])
            .arg("--out")
            .arg(dir.path().join(out));
        cmd
    };
    combine("refused")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("different catalogues"));
    combine("shared")
        .arg("--allow-catalogue-mismatch")
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "1 indicators left out as their definitions differ: re_referral_rate",
        ));
    let shared = ParquetReader::new(
        std::fs::File::open(dir.path().join("shared/indicators.parquet")).unwrap(),
    )
    .finish()
    .unwrap();
    let ids = shared
        .column("indicator_id")
        .unwrap()
        .str()
        .unwrap()
        .clone();
    let has = |id: &str| {
        ids.downcast_iter()
            .flat_map(|array| array.iter())
            .any(|v| v == Some(id))
    };
    // A new title is not a new definition; a new target is.
    assert!(has("referrals"));
    assert!(!has("re_referral_rate"));
}
