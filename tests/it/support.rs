//! Fixtures: hand-built SSD snapshots in the contract's layout, a run of the real catalogue over them, and lookups
//! into the output.

use chrono::NaiveDate;
use csc_indicators::common::calendar::{Month, epoch_days};
use csc_indicators::compute::engine::RangeRequest;
use csc_indicators::input::contract::{self, Logical};
use csc_indicators::pipeline::{self, RunOptions};
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// The repository's catalogue.
pub fn catalogue_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("indicators.yaml")
}

/// Text columns of a hand-built table: name and values.
pub type TextColumns = Vec<(String, Vec<String>)>;

/// A temporary data directory with one LA's snapshot.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub la: String,
    pub snapshot: NaiveDate,
    pub tables: Vec<(String, TextColumns)>,
    pub population: Vec<(i32, f64)>,
}

/// A parsed date.
pub fn d(s: &str) -> NaiveDate {
    s.parse().unwrap_or_else(|_| panic!("bad date {s}"))
}

impl Fixture {
    /// LA 873 with a snapshot taken on `snapshot`, 100,000 children every year 2015-2030.
    pub fn new(snapshot: &str) -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
            la: "873".into(),
            snapshot: d(snapshot),
            tables: Vec::new(),
            population: (2015..=2030).map(|y| (y, 100_000.0)).collect(),
        }
    }

    /// Adds a table: columns as text (dates `YYYY-MM-DD`, empty = null); other contract columns are null.
    pub fn table(mut self, name: &str, columns: &[(&str, &[&str])]) -> Fixture {
        let cols = columns
            .iter()
            .map(|(c, v)| (c.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect();
        self.tables.push((name.to_string(), cols));
        self
    }

    /// Adds one record (a row) to a table, as `(column, value)` pairs (dates `YYYY-MM-DD`); columns it does not
    /// name are null. Records read top to bottom as the children's story.
    pub fn record(mut self, table: &str, values: &[(&str, &str)]) -> Fixture {
        let at = match self.tables.iter().position(|(n, _)| n == table) {
            Some(at) => at,
            None => {
                self.tables.push((table.to_string(), Vec::new()));
                self.tables.len() - 1
            }
        };
        let columns = &mut self.tables[at].1;
        let height = columns.first().map_or(0, |(_, v)| v.len());
        for (name, _) in values {
            if !columns.iter().any(|(c, _)| c == name) {
                columns.push((name.to_string(), vec![String::new(); height]));
            }
        }
        for (name, column) in columns.iter_mut() {
            let value = values
                .iter()
                .find(|(c, _)| c == name)
                .map_or("", |(_, v)| v);
            column.push(value.to_string());
        }
        self
    }

    /// Adds records to a table, one row of values per record under the `columns` named once (dates `YYYY-MM-DD`,
    /// empty = null): the table reads as the children's story, a line a record.
    pub fn records(mut self, table: &str, columns: &[&str], rows: &[&[&str]]) -> Fixture {
        for row in rows {
            assert_eq!(
                row.len(),
                columns.len(),
                "{table}: a value for every column"
            );
            let values: Vec<(&str, &str)> =
                columns.iter().copied().zip(row.iter().copied()).collect();
            self = self.record(table, &values);
        }
        self
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The output directory.
    pub fn out_dir(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// Writes every table the catalogue needs (empty unless given) and the reference tables.
    pub fn write(&self) {
        for spec in contract::TABLES {
            let given = self.tables.iter().find(|(n, _)| n == spec.name);
            let mut df = frame(spec, given.map(|(_, c)| c.as_slice()).unwrap_or(&[]));
            write_table(
                &self.data_dir(),
                spec.name,
                &self.la,
                self.snapshot,
                &mut df,
            );
        }
        write_reference(&self.data_dir(), &self.la, &self.population);
    }

    /// Replaces one table of the fixture's snapshot with `df` (after `write`).
    pub fn replace_table(&self, table: &str, df: &mut DataFrame) {
        write_table(&self.data_dir(), table, &self.la, self.snapshot, df);
    }

    /// Writes the data and runs the real catalogue from `from`.
    pub fn run(&self, from: &str) -> Output {
        self.write();
        let options = self.options(from);
        pipeline::run(&options).unwrap_or_else(|e| panic!("run failed: {e}"));
        Output::read(&self.out_dir())
    }

    /// Writes the data and runs the catalogue `text` (not the repository's) from `from`.
    pub fn run_catalogue(&self, text: &str, from: &str) -> Output {
        self.write();
        let path = self.dir.path().join("catalogue.yaml");
        std::fs::write(&path, text).expect("catalogue written");
        let options = RunOptions {
            catalogue: path,
            ..self.options(from)
        };
        pipeline::run(&options).unwrap_or_else(|e| panic!("run failed: {e}"));
        Output::read(&self.out_dir())
    }

    /// Run options for this fixture.
    pub fn options(&self, from: &str) -> RunOptions {
        RunOptions {
            data_dir: self.data_dir(),
            catalogue: catalogue_path(),
            out_dir: self.out_dir(),
            as_of: None,
            range: RangeRequest {
                from: Some(from.parse::<Month>().unwrap()),
                to: None,
            },
            las: vec![],
            indicators: vec![],
            batch_input_mb: csc_indicators::pipeline::DEFAULT_BATCH_INPUT_MB,
        }
    }
}

/// A frame of `spec`'s columns in contract types from text values.
pub fn frame(spec: &contract::TableSpec, given: &[(String, Vec<String>)]) -> DataFrame {
    let height = given.first().map(|(_, v)| v.len()).unwrap_or(0);
    let mut columns = Vec::new();
    for c in spec.columns {
        let values: Vec<Option<String>> = match given.iter().find(|(n, _)| n == c.name) {
            Some((_, v)) => {
                assert_eq!(
                    v.len(),
                    height,
                    "{}.{}: every column needs {height} values",
                    spec.name,
                    c.name
                );
                v.iter()
                    .map(|s| (!s.is_empty()).then(|| s.clone()))
                    .collect()
            }
            None => vec![None; height],
        };
        let name = PlSmallStr::from(c.name);
        let series = match c.logical {
            Logical::Date => Series::new(
                name,
                values
                    .iter()
                    .map(|v| v.as_ref().map(|s| epoch_days(d(s))))
                    .collect::<Vec<_>>(),
            )
            .cast(&DataType::Date)
            .unwrap(),
            Logical::Datetime => Series::new(
                name,
                values
                    .iter()
                    .map(|v| {
                        v.as_ref().map(|s| {
                            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
                                .unwrap()
                                .and_utc()
                                .timestamp_millis()
                        })
                    })
                    .collect::<Vec<_>>(),
            )
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap(),
            Logical::Number => Series::new(
                name,
                values
                    .iter()
                    .map(|v| v.as_ref().map(|s| s.parse::<f64>().unwrap()))
                    .collect::<Vec<_>>(),
            ),
            _ => Series::new(name, values),
        };
        columns.push(series.into());
    }
    DataFrame::new(height, columns).unwrap()
}

/// Writes one table partition.
pub fn write_table(data: &Path, table: &str, la: &str, snapshot: NaiveDate, df: &mut DataFrame) {
    let dir = data
        .join(table)
        .join(format!("la_code={la}"))
        .join(format!("snapshot_date={snapshot}"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = std::fs::File::create(dir.join("part-0.parquet")).unwrap();
    ParquetWriter::new(file).finish(df).unwrap();
}

/// Writes the reference tables for one LA.
pub fn write_reference(data: &Path, la: &str, population: &[(i32, f64)]) {
    let dir = data.join("reference");
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, mut df: DataFrame| {
        let file = std::fs::File::create(dir.join(format!("{name}.parquet"))).unwrap();
        ParquetWriter::new(file).finish(&mut df).unwrap();
    };
    write(
        "local_authorities",
        df!("la_code" => [la, "841"], "ons_code" => ["E10000003", "E06000005"], "la_name" => ["Cambridgeshire", "Darlington"],
            "region_code" => ["E12000006", "E12000001"], "region_name" => ["East of England", "North East"])
        .unwrap(),
    );
    write(
        "population",
        df!("la_code" => vec![la; population.len()], "mid_year" => population.iter().map(|p| p.0).collect::<Vec<_>>(),
            "age_0_17" => population.iter().map(|p| p.1).collect::<Vec<_>>())
        .unwrap(),
    );
    let holidays: Vec<i32> = csc_indicators::synth::bank_holidays(2015, 2030)
        .iter()
        .map(|(d, _)| epoch_days(*d))
        .collect();
    let mut bh =
        df!("date" => holidays.clone(), "title" => vec!["holiday"; holidays.len()]).unwrap();
    bh.apply("date", |c| c.cast(&DataType::Date).unwrap())
        .unwrap();
    write("bank_holidays", bh);
}

/// The output of a run.
pub struct Output {
    pub indicators: DataFrame,
    pub quality: DataFrame,
}

/// One output row's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub numerator: f64,
    pub denominator: Option<f64>,
    pub value: Option<f64>,
    pub flags: Option<String>,
}

impl Output {
    /// Reads a run's outputs.
    pub fn read(out: &Path) -> Output {
        let read = |name: &str| {
            ParquetReader::new(std::fs::File::open(out.join(name)).unwrap())
                .finish()
                .unwrap()
        };
        Output {
            indicators: read("indicators.parquet"),
            quality: read("data_quality.parquet"),
        }
    }

    /// The rows of one indicator, narrowed by name: `out.indicator("cp_starts").window("month").ending("2023-06")`
    /// is LA 873's total of the month window ending June 2023.
    pub fn indicator<'a>(&'a self, id: &'a str) -> Lookup<'a> {
        Lookup {
            out: self,
            indicator: id,
            la: "873",
            window: "",
            breakdown: None,
        }
    }

    /// The findings of a kind, as (table, column, count).
    pub fn findings(&self, kind: &str) -> Vec<(String, String, u64)> {
        let df = self
            .quality
            .clone()
            .lazy()
            .filter(col("kind").eq(lit(kind)))
            .collect()
            .unwrap();
        let text = |c: &str, i| {
            df.column(c)
                .unwrap()
                .str()
                .unwrap()
                .get(i)
                .unwrap_or_default()
                .to_string()
        };
        (0..df.height())
            .map(|i| {
                (
                    text("table", i),
                    text("column", i),
                    df.column("count").unwrap().u64().unwrap().get(i).unwrap(),
                )
            })
            .collect()
    }
}

/// One output row, named field by field (LA 873 and the total unless said).
pub struct Lookup<'a> {
    out: &'a Output,
    indicator: &'a str,
    la: &'a str,
    window: &'a str,
    breakdown: Option<(&'a str, &'a str)>,
}

impl<'a> Lookup<'a> {
    /// The window (`month`, `ytd`, `rolling_12m`, `snapshot`, ...).
    pub fn window(self, window: &'a str) -> Lookup<'a> {
        Lookup { window, ..self }
    }

    /// One category of a breakdown instead of the total.
    pub fn category(self, breakdown: &'a str, value: &'a str) -> Lookup<'a> {
        self.breakdown(Some((breakdown, value)))
    }

    /// A category of a breakdown, or the total for `None`.
    pub fn breakdown(self, breakdown: Option<(&'a str, &'a str)>) -> Lookup<'a> {
        Lookup { breakdown, ..self }
    }

    /// The figures of the window ending in `month` (`YYYY-MM`); exactly one row must match.
    pub fn ending(self, month: &str) -> Figures {
        let (indicator, window) = (self.indicator, self.window);
        let end = epoch_days(month.parse::<Month>().unwrap().period_end());
        let mut filter = col("la_code")
            .eq(lit(self.la))
            .and(col("indicator_id").eq(lit(indicator)))
            .and(col("window").eq(lit(window)))
            .and(col("period_end").cast(DataType::Int32).eq(lit(end)));
        filter = match self.breakdown {
            Some((b, v)) => filter
                .and(col("breakdown").eq(lit(b)))
                .and(col("breakdown_value").eq(lit(v))),
            None => filter.and(col("breakdown").is_null()),
        };
        let rows = self
            .out
            .indicators
            .clone()
            .lazy()
            .filter(filter)
            .collect()
            .unwrap();
        assert_eq!(
            rows.height(),
            1,
            "expected one row for {indicator} {window} {month}, got:\n{rows}"
        );
        let f = |c: &str| rows.column(c).unwrap().f64().unwrap().get(0);
        Figures {
            numerator: f("numerator").unwrap(),
            denominator: f("denominator"),
            value: f("value"),
            flags: rows
                .column("flags")
                .unwrap()
                .str()
                .unwrap()
                .get(0)
                .map(str::to_string),
        }
    }
}

impl Figures {
    /// (numerator, denominator, value).
    pub fn triple(&self) -> (f64, Option<f64>, Option<f64>) {
        (self.numerator, self.denominator, self.value)
    }
}

/// Asserts two percentages (or rates) agree to 1e-9.
pub fn close(actual: Option<f64>, expected: f64) {
    let a = actual.unwrap_or_else(|| panic!("expected {expected}, got null"));
    assert!((a - expected).abs() < 1e-9, "expected {expected}, got {a}");
}

/// Copies a folder and everything in it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
