//! `extract` against a real PostgreSQL server the test starts itself: the sample's three LAs loaded into SSD
//! tables of the types a deployment uses, extracted, and run, must give the indicators of the Parquet sample row
//! for row; and each failure a BI team meets (a missing table, missing columns, a wrong schema, bad credentials,
//! an unreachable server, an unknown driver, a bad value, a second extract) has its message and exit code, with
//! the password nowhere.

use crate::postgres::{self, PASSWORD, Postgres};
use crate::support::copy_dir;
use assert_cmd::Command;
use csc_indicators::input::contract::{self, Logical};
use polars::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn cli() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("csc-indicators")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// How the test database holds flags: the SSD scripts use small integers or one-letter text.
#[derive(Clone, Copy)]
enum Flags {
    SmallInt,
    Letter,
}

fn server_type(logical: Logical, flags: Flags) -> &'static str {
    match (logical, flags) {
        (Logical::Id, _) => "varchar(48)",
        (Logical::Date | Logical::Datetime, _) => "timestamp",
        (Logical::Flag, Flags::SmallInt) => "smallint",
        (Logical::Flag, Flags::Letter) => "varchar(1)",
        (Logical::Code, _) => "varchar(255)",
        (Logical::Text, _) => "text",
        (Logical::Number, _) => "numeric",
    }
}

/// Loads one LA's snapshot of `data` (the columns its files have, as its files have them) into database `db`,
/// schema `ssd_development`, in SSD types.
fn load_la(
    pg: &Postgres,
    data: &Path,
    la: &str,
    snapshot: &str,
    db: &str,
    flags: Flags,
    work: &Path,
) {
    pg.sql("postgres", &format!("CREATE DATABASE {db}"));
    pg.sql(db, "CREATE SCHEMA ssd_development");
    for spec in contract::TABLES {
        let file = data
            .join(spec.name)
            .join(format!("la_code={la}"))
            .join(format!("snapshot_date={snapshot}"))
            .join("part-0.parquet");
        if !file.is_file() {
            continue;
        }
        let mut df = ParquetReader::new(std::fs::File::open(&file).unwrap())
            .finish()
            .unwrap();
        let mut columns = Vec::new();
        let mut ddl = Vec::new();
        let mut exprs = Vec::new();
        for name in df.get_column_names_owned() {
            let Some(column) = spec.column(&name) else {
                continue;
            };
            columns.push(name.to_string());
            ddl.push(format!("{name} {}", server_type(column.logical, flags)));
            exprs.push(match (column.logical, flags) {
                (Logical::Flag, Flags::SmallInt) => when(col(name.clone()).eq(lit("Y")))
                    .then(lit(1i32))
                    .when(col(name.clone()).eq(lit("N")))
                    .then(lit(0i32))
                    .otherwise(lit(NULL).cast(DataType::Int32))
                    .alias(name.clone()),
                _ => col(name.clone()),
            });
        }
        df = df.lazy().select(exprs).collect().unwrap();
        let table = format!("ssd_development.{}", spec.name);
        pg.sql(db, &format!("CREATE TABLE {table} ({})", ddl.join(", ")));
        let csv = work.join(format!("{db}-{}.csv", spec.name));
        CsvWriter::new(std::fs::File::create(&csv).unwrap())
            .include_header(true)
            .with_quote_style(QuoteStyle::NonNumeric)
            .with_date_format(Some("%Y-%m-%d".into()))
            .with_datetime_format(Some("%Y-%m-%d %H:%M:%S%.6f".into()))
            .finish(&mut df)
            .unwrap();
        pg.copy_csv(db, &table, &columns, &csv);
    }
}

fn extract(pg: &Postgres, db: &str, la: &str, data: &Path, date: &str) -> Command {
    let mut cmd = cli();
    cmd.current_dir(root())
        .args(["extract", "--la", la, "--snapshot-date", date, "--data"])
        .arg(data)
        .env("CSC_INDICATORS_CONNECTION", pg.connection(db));
    cmd
}

/// `run` of `data` into `out`, which must succeed.
fn run(data: &Path, out: &Path) {
    cli()
        .current_dir(root())
        .args(["run", "-q", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

fn indicators(out: &Path) -> DataFrame {
    let keys = csc_indicators::output::schema::ROW_KEYS;
    ParquetReader::new(std::fs::File::open(out.join("indicators.parquet")).unwrap())
        .finish()
        .unwrap()
        .sort(keys, SortMultipleOptions::default().with_nulls_last(true))
        .unwrap()
}

fn assert_no_password(what: &str, text: &str) {
    assert!(
        !text.contains(PASSWORD),
        "the password appears in {what}: {text}"
    );
    assert!(
        !text.contains("for-the-test"),
        "part of the password appears in {what}: {text}"
    );
}

#[test]
fn extracting_the_sample_from_postgres_gives_the_indicators_of_its_parquet_files() {
    let Some(pg) = postgres::start_or_skip("extracting_the_sample_from_postgres") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let sample = root().join("data");
    let las = [
        ("873", Flags::SmallInt),
        ("841", Flags::Letter),
        ("332", Flags::SmallInt),
    ];
    for (la, flags) in las {
        load_la(
            &pg,
            &sample,
            la,
            "2024-04-01",
            &format!("la_{la}"),
            flags,
            work.path(),
        );
    }
    pg.sql(
        "la_873",
        "CREATE TABLE ssd_development.ssd_version_history (version_number varchar(10), release_date timestamp, \
         description varchar(100)); INSERT INTO ssd_development.ssd_version_history VALUES \
         ('1.4.4', '2026-03-01', 'spring'), ('1.4.5', '2026-06-01', 'summer')",
    );
    let extracted = work.path().join("extracted");
    copy_dir(&sample.join("reference"), &extracted.join("reference"));
    for (la, _) in las {
        let done = extract(&pg, &format!("la_{la}"), la, &extracted, "2024-04-01")
            .args(["-vv", "--log-format", "json"])
            .assert()
            .success();
        let output = done.get_output();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains(&format!("LA {la} snapshot 2024-04-01")),
            "{stdout}"
        );
        assert_no_password("extract's output", &stdout);
        assert_no_password("extract's log", &String::from_utf8_lossy(&output.stderr));
        let record = std::fs::read_to_string(extracted.join(format!(
            "extract/la_code={la}/snapshot_date=2024-04-01/extract.json"
        )))
        .unwrap();
        assert_no_password("extract.json", &record);
        let record: serde_json::Value = serde_json::from_str(&record).unwrap();
        assert_eq!(record["la_code"], la);
        assert_eq!(record["server_name"], "PostgreSQL");
        assert!(
            record["server_version"]
                .as_str()
                .unwrap()
                .starts_with("PostgreSQL")
        );
        assert!(
            record["source"].as_str().unwrap().contains("Pwd=***"),
            "{record}"
        );
        let persons = record["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == "ssd_person")
            .unwrap();
        assert!(persons["rows"].as_u64().unwrap() > 1000, "{persons}");
        if la == "873" {
            assert_eq!(record["ssd_version"], "1.4.5");
        } else {
            assert!(record["ssd_version"].is_null());
        }
    }
    assert_eq!(
        std::fs::read_dir(extracted.join(".extract"))
            .unwrap()
            .count(),
        0,
        "nothing is left in the staging folder"
    );

    let from_parquet = work.path().join("from-parquet");
    let from_database = work.path().join("from-database");
    for (data, out) in [(&sample, &from_parquet), (&extracted, &from_database)] {
        run(data, out);
    }
    let (expected, actual) = (indicators(&from_parquet), indicators(&from_database));
    assert_eq!(expected.height(), actual.height());
    assert!(expected.height() > 20_000);
    assert!(
        expected.equals_missing(&actual),
        "the extracted snapshot gives other indicators than the Parquet sample"
    );
    assert_no_password(
        "run.json",
        &std::fs::read_to_string(from_database.join("run.json")).unwrap(),
    );

    // A later snapshot with --keep 1 removes the earlier one, for every table and the extract record alike, and
    // leaves other LAs' snapshots alone.
    extract(&pg, "la_873", "873", &extracted, "2024-04-08")
        .args(["--keep", "1"])
        .assert()
        .success()
        .stdout(predicates::str::contains("1 older snapshots removed"));
    for table in ["ssd_person", "ssd_cla_episodes", "extract"] {
        let la_dir = extracted.join(table).join("la_code=873");
        let dates: Vec<String> = std::fs::read_dir(&la_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(dates, ["snapshot_date=2024-04-08"], "{table}");
        assert!(
            extracted
                .join(table)
                .join("la_code=841/snapshot_date=2024-04-01")
                .is_dir()
        );
    }
}

/// One LA's small database: the sample's LA 841, whose tables the error cases then break one way each.
fn small_database(pg: &Postgres, work: &Path, db: &str) {
    load_la(
        pg,
        &root().join("data"),
        "841",
        "2024-04-01",
        db,
        Flags::SmallInt,
        work,
    );
}

/// A server with LA 841's database `la_841`, a work folder and its `data` folder (not yet made), unless the test
/// is skipped.
fn server_with_one_la(test: &str) -> Option<(Postgres, tempfile::TempDir, PathBuf)> {
    let pg = postgres::start_or_skip(test)?;
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    small_database(&pg, work.path(), "la_841");
    Some((pg, work, data))
}

fn stderr_of(cmd: &mut Command, code: i32) -> String {
    let output = cmd.assert().code(code).get_output().clone();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_no_password("an error message", &stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn each_failure_of_an_extract_says_what_to_do_with_its_own_exit_code() {
    let Some((pg, work, data)) = server_with_one_la("each_failure_of_an_extract") else {
        return;
    };

    // 4: a server that accepts the connection but never answers, given 2 seconds; and a port nobody listens on.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let connection = pg
        .connection("la_841")
        .replace(&format!("Port={}", pg.port), &format!("Port={port}"));
    let started = std::time::Instant::now();
    let message = stderr_of(
        extract(&pg, "la_841", "841", &data, "2024-04-01")
            .env("CSC_INDICATORS_CONNECTION", &connection)
            .args(["--connect-timeout", "2"])
            .timeout(Duration::from_secs(60)),
        4,
    );
    assert!(
        message.contains("cannot reach the database server"),
        "{message}"
    );
    assert!(message.contains("within 2 s"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(60));
    drop(silent);
    let closed = pg
        .connection("la_841")
        .replace(&format!("Port={}", pg.port), &format!("Port={port}"));
    let message = stderr_of(
        extract(&pg, "la_841", "841", &data, "2024-04-01")
            .env("CSC_INDICATORS_CONNECTION", &closed),
        4,
    );
    assert!(
        message.contains("cannot reach the database server"),
        "{message}"
    );

    // 5: a wrong password.
    let wrong = pg
        .connection("la_841")
        .replace(PASSWORD, "not-the-password");
    let message = stderr_of(
        extract(&pg, "la_841", "841", &data, "2024-04-01").env("CSC_INDICATORS_CONNECTION", &wrong),
        5,
    );
    assert!(message.contains("refused the login"), "{message}");
    assert!(message.contains("Pwd=***"), "{message}");
    assert!(!message.contains("not-the-password"), "{message}");

    // 6: a driver the driver manager does not know, with the ones it does.
    let unknown = pg
        .connection("la_841")
        .replace("PostgreSQL Unicode", "PostgreSQL Unicorn");
    let message = stderr_of(
        extract(&pg, "la_841", "841", &data, "2024-04-01")
            .env("CSC_INDICATORS_CONNECTION", &unknown),
        6,
    );
    assert!(
        message.contains("`PostgreSQL Unicorn` is not installed"),
        "{message}"
    );
    assert!(message.contains("`PostgreSQL Unicode`"), "{message}");

    // 7: a schema without the SSD's tables, naming the one that has them.
    let message = stderr_of(
        extract(&pg, "la_841", "841", &data, "2024-04-01").args(["--schema", "dbo"]),
        7,
    );
    assert!(
        message.contains("schema `dbo` holds no SSD table"),
        "{message}"
    );
    assert!(
        message.contains("`ssd_person` is in schema `ssd_development`"),
        "{message}"
    );

    // 8: a table the catalogue reads is missing.
    pg.sql(
        "la_841",
        "ALTER TABLE ssd_development.ssd_cla_episodes RENAME TO ssd_cla_episodes_old",
    );
    let message = stderr_of(&mut extract(&pg, "la_841", "841", &data, "2024-04-01"), 8);
    assert!(
        message.contains("`ssd_development.ssd_cla_episodes` does not exist"),
        "{message}"
    );
    assert!(message.contains("SSD script"), "{message}");
    pg.sql(
        "la_841",
        "ALTER TABLE ssd_development.ssd_cla_episodes_old RENAME TO ssd_cla_episodes",
    );

    // 9: required columns missing from two tables, all listed at once.
    pg.sql(
        "la_841",
        "ALTER TABLE ssd_development.ssd_person RENAME COLUMN pers_dob TO pers_birth; \
         ALTER TABLE ssd_development.ssd_cp_plans DROP COLUMN cppl_cp_plan_start_date; \
         ALTER TABLE ssd_development.ssd_cp_plans DROP COLUMN cppl_person_id",
    );
    let message = stderr_of(&mut extract(&pg, "la_841", "841", &data, "2024-04-01"), 9);
    for column in [
        "ssd_development.ssd_person.pers_dob",
        "ssd_development.ssd_cp_plans.cppl_person_id",
        "ssd_development.ssd_cp_plans.cppl_cp_plan_start_date",
    ] {
        assert!(message.contains(column), "{column} in {message}");
    }
    pg.sql("postgres", "DROP DATABASE la_841");
    small_database(&pg, work.path(), "la_841");

    // 10: a flag that is neither 0 nor 1, named by its table, column, record and value.
    pg.sql(
        "la_841",
        "UPDATE ssd_development.ssd_cp_visits SET cppv_cp_visit_seen = 2 WHERE cppv_cp_visit_id = \
         (SELECT min(cppv_cp_visit_id) FROM ssd_development.ssd_cp_visits)",
    );
    let message = stderr_of(&mut extract(&pg, "la_841", "841", &data, "2024-04-01"), 10);
    assert!(
        message.contains("ssd_development.ssd_cp_visits.cppv_cp_visit_seen"),
        "{message}"
    );
    assert!(message.contains("cppv_cp_visit_id "), "{message}");
    assert!(message.contains("`2` is not a flag"), "{message}");
    assert!(
        !data.join("ssd_cp_visits").exists(),
        "a failed extract writes no snapshot"
    );

    // 2: another extract of the same LA and date holds the lock (this test's own process, which runs).
    std::fs::create_dir_all(data.join(".extract")).unwrap();
    let lock = data.join(".extract/841-2024-04-01.lock");
    std::fs::write(
        &lock,
        format!("pid {}, started 2024-04-01 02:00:00", std::process::id()),
    )
    .unwrap();
    let message = stderr_of(&mut extract(&pg, "la_841", "841", &data, "2024-04-01"), 2);
    assert!(
        message.contains("another extract of LA 841 for 2024-04-01"),
        "{message}"
    );
    assert!(
        message.contains(&format!("pid {}", std::process::id())),
        "{message}"
    );
    std::fs::remove_file(&lock).unwrap();

    // 2: no connection string at all.
    let message = stderr_of(
        extract(&pg, "la_841", "841", &data, "2024-04-01").env_remove("CSC_INDICATORS_CONNECTION"),
        2,
    );
    assert!(message.contains("CSC_INDICATORS_CONNECTION"), "{message}");
}

#[test]
fn a_killed_extract_leaves_no_snapshot_that_run_would_read() {
    let Some((pg, work, data)) = server_with_one_la("a_killed_extract_leaves_no_snapshot") else {
        return;
    };
    copy_dir(&root().join("data/reference"), &data.join("reference"));
    extract(&pg, "la_841", "841", &data, "2024-04-01")
        .assert()
        .success();

    // An extract of a later date killed while its tables move into place: some tables are there, the lock too.
    let killed = std::process::Command::new(assert_cmd::cargo::cargo_bin!("csc-indicators"))
        .current_dir(root())
        .args([
            "extract",
            "--la",
            "841",
            "--snapshot-date",
            "2024-05-01",
            "--data",
        ])
        .arg(&data)
        .env("CSC_INDICATORS_CONNECTION", pg.connection("la_841"))
        .env(
            csc_indicators::output::PAUSE_BEFORE_COMMIT_VARIABLE,
            "60000",
        )
        .spawn()
        .unwrap();
    let staged = data.join(".extract/841-2024-05-01/ssd_person/part-0.parquet");
    let mut child = killed;
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while !data.join(".extract/841-2024-05-01/extract.json").exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the extract did not reach its commit"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(staged.is_file());
    // Half of the moves done by hand, as a kill between two renames would leave them.
    let target = data.join("ssd_person/la_code=841/snapshot_date=2024-05-01");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::rename(staged.parent().unwrap(), &target).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();

    let out = work.path().join("out");
    run(&data, &out);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let text = manifest.to_string();
    assert!(
        text.contains("2024-04-01") && !text.contains("2024-05-01"),
        "{text}"
    );

    // The next extract of that date takes over the killed one's lock and finishes it.
    extract(&pg, "la_841", "841", &data, "2024-05-01")
        .assert()
        .success();
    assert!(!data.join(".extract/841-2024-05-01.lock").exists());
    run(&data, &out);
    let text = std::fs::read_to_string(out.join("run.json")).unwrap();
    assert!(text.contains("2024-05-01"), "{text}");
}

#[test]
fn the_nightly_job_extracts_runs_and_publishes_and_stops_at_the_first_failure() {
    let Some((pg, work, data)) = server_with_one_la("the_nightly_job") else {
        return;
    };
    copy_dir(&root().join("data/reference"), &data.join("reference"));
    let (out, share) = (work.path().join("out"), work.path().join("share"));
    let nightly = |connection: String| {
        let mut cmd = Command::new("bash");
        cmd.arg(root().join("deploy/nightly.sh"))
            .env("CSC_LA", "841")
            .env("CSC_INDICATORS_CONNECTION", connection)
            .env("CSC_DATA", &data)
            .env("CSC_OUT", &out)
            .env("CSC_SHARE", &share)
            .env("CSC_CATALOGUE", root().join("indicators.yaml"))
            .env("CSC_BIN", assert_cmd::cargo::cargo_bin!("csc-indicators"))
            .env("CSC_RETRY_SECONDS", "0");
        cmd
    };
    let done = nightly(pg.connection("la_841")).assert().success();
    assert_no_password(
        "the nightly job's log",
        &String::from_utf8_lossy(&done.get_output().stderr),
    );
    for file in [
        "indicators.parquet",
        "run.json",
        "report/841.html",
        "report/index.html",
    ] {
        assert!(out.join(file).is_file(), "{file}");
    }
    assert!(share.join("841.parquet").is_file());
    assert!(share.join("841_history.parquet").is_file());
    let today = chrono::Local::now().date_naive();
    assert!(
        data.join(format!("ssd_person/la_code=841/snapshot_date={today}"))
            .is_dir()
    );

    // A refused login stops the job with extract's code, before anything is computed.
    let before = std::fs::read(out.join("indicators.parquet")).unwrap();
    let message = stderr_of(
        &mut nightly(pg.connection("la_841").replace(PASSWORD, "wrong")),
        5,
    );
    assert!(
        message.contains("nightly: extract failed (exit 5)"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(out.join("indicators.parquet")).unwrap(),
        before
    );
    // An unreachable server is retried, then given up with its own code.
    let closed = pg
        .connection("la_841")
        .replace(&format!("Port={}", pg.port), "Port=1");
    let message = stderr_of(&mut nightly(closed), 4);
    assert!(message.contains("retry 3 of 3"), "{message}");
}
