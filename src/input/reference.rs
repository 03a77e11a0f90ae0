//! The reference tables in `<data>/reference/`: local authorities, population, statistical neighbours, bank
//! holidays and published benchmarks, each a Parquet or CSV file.

use crate::input::contract::LA_CODE;
use chrono::NaiveDate;
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// Why a reference table could not be used.
#[allow(missing_docs)] // Variant fields are named for what they hold; the variant's doc says the rest.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// A required reference table is absent.
    #[error(
        "reference table `{table}` is missing: expected `{dir}/{table}.parquet` or `{dir}/{table}.csv` ({what})"
    )]
    Missing {
        table: String,
        dir: PathBuf,
        what: &'static str,
    },
    /// A reference table lacks a column or cannot be read.
    #[error("reference table `{path}`: {detail}")]
    Invalid { path: PathBuf, detail: String },
}

impl crate::failure::Failing for ReferenceError {
    fn failure(&self) -> crate::failure::Failure {
        match self {
            ReferenceError::Missing { .. } | ReferenceError::Invalid { .. } => {
                crate::failure::Failure::BadData
            }
        }
    }
}

/// The reference data a run uses.
#[derive(Debug, Clone)]
pub struct Reference {
    /// `la_code, ons_code, la_name, region_code, region_name`.
    pub local_authorities: DataFrame,
    /// `la_code, mid_year (Int32), age_0_17 (Float64)`.
    pub population: DataFrame,
    /// `la_code, rank, neighbour_la_code`; empty when the table is absent.
    pub statistical_neighbours: DataFrame,
    /// England and Wales bank holidays.
    pub bank_holidays: Vec<NaiveDate>,
}

impl Reference {
    /// Reads the reference tables under `<data_dir>/reference/`; `bank_holidays` names the holiday table.
    pub fn load(data_dir: &Path, bank_holidays: &str) -> Result<Reference, ReferenceError> {
        let dir = data_dir.join("reference");
        let las = local_authorities(data_dir)?;
        let population = table(
            &dir,
            "population",
            "children aged 0-17 per LA and mid-year, for rates",
            &[
                (LA_CODE, DataType::String),
                ("mid_year", DataType::Int32),
                ("age_0_17", DataType::Float64),
            ],
        )?;
        let neighbours = statistical_neighbours(data_dir)?;
        let holidays = table(
            &dir,
            bank_holidays,
            "England and Wales bank holidays, for working days",
            &[("date", DataType::Date)],
        )?;
        let bank_holidays = holidays
            .column("date")
            .expect("selected")
            .date()
            .expect("cast to date")
            .as_date_iter()
            .flatten()
            .collect();
        Ok(Reference {
            local_authorities: las,
            population,
            statistical_neighbours: neighbours,
            bank_holidays,
        })
    }
}

/// The local authorities under `<data_dir>/reference/` (`la_code, ons_code, la_name, region_code, region_name`).
pub fn local_authorities(data_dir: &Path) -> Result<DataFrame, ReferenceError> {
    table(
        &data_dir.join("reference"),
        "local_authorities",
        "the DfE code, ONS code, name and region of each LA",
        &[
            (LA_CODE, DataType::String),
            ("ons_code", DataType::String),
            ("la_name", DataType::String),
            ("region_code", DataType::String),
            ("region_name", DataType::String),
        ],
    )
}

/// The statistical neighbours under `<data_dir>/reference/` (`la_code, rank, neighbour_la_code`); empty when the
/// table is absent, so that no neighbour comparison is made.
pub fn statistical_neighbours(data_dir: &Path) -> Result<DataFrame, ReferenceError> {
    let columns = [
        (LA_CODE, DataType::String),
        ("rank", DataType::Int32),
        ("neighbour_la_code", DataType::String),
    ];
    match table(
        &data_dir.join("reference"),
        "statistical_neighbours",
        "",
        &columns,
    ) {
        Ok(df) => Ok(df),
        Err(ReferenceError::Missing { .. }) => Ok(DataFrame::empty_with_schema(
            &columns
                .iter()
                .map(|(n, t)| Field::new((*n).into(), t.clone()))
                .collect(),
        )),
        Err(e) => Err(e),
    }
}

/// The published benchmarks under `<data_dir>/reference/` (`indicator_id, year_ending, geography_level,
/// geography_code, value, status`; a suppressed value is null with status `c`), or `None` when the table is absent:
/// the scorecard then shows none.
pub fn published_benchmarks(data_dir: &Path) -> Result<Option<DataFrame>, ReferenceError> {
    let columns = [
        ("indicator_id", DataType::String),
        ("year_ending", DataType::Date),
        ("geography_level", DataType::String),
        ("geography_code", DataType::String),
        ("value", DataType::Float64),
        ("status", DataType::String),
    ];
    match table(
        &data_dir.join("reference"),
        "published_benchmarks",
        "",
        &columns,
    ) {
        Ok(df) => Ok(Some(df)),
        Err(ReferenceError::Missing { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads a reference table and selects its columns in the given types.
fn table(
    dir: &Path,
    name: &str,
    what: &'static str,
    columns: &[(&str, DataType)],
) -> Result<DataFrame, ReferenceError> {
    select(dir, name, read(dir, name, what)?, columns)
}

fn read(dir: &Path, table: &str, what: &'static str) -> Result<DataFrame, ReferenceError> {
    let parquet = dir.join(format!("{table}.parquet"));
    let csv = dir.join(format!("{table}.csv"));
    let invalid = |path: &Path, e: PolarsError| ReferenceError::Invalid {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    if parquet.is_file() {
        let file = std::fs::File::open(&parquet).map_err(|e| ReferenceError::Invalid {
            path: parquet.clone(),
            detail: e.to_string(),
        })?;
        ParquetReader::new(file)
            .finish()
            .map_err(|e| invalid(&parquet, e))
    } else if csv.is_file() {
        let options = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .try_into_reader_with_file_path(Some(csv.clone()))
            .map_err(|e| invalid(&csv, e))?;
        options.finish().map_err(|e| invalid(&csv, e))
    } else {
        Err(ReferenceError::Missing {
            table: table.to_string(),
            dir: dir.to_path_buf(),
            what,
        })
    }
}

fn select(
    dir: &Path,
    table: &str,
    df: DataFrame,
    columns: &[(&str, DataType)],
) -> Result<DataFrame, ReferenceError> {
    let path = dir.join(table);
    let mut exprs = Vec::new();
    for (name, dtype) in columns {
        let Some(raw) = df.schema().get(name).cloned() else {
            let found: Vec<String> = df
                .get_column_names()
                .iter()
                .map(|c| c.to_string())
                .collect();
            return Err(ReferenceError::Invalid {
                path,
                detail: format!("column `{name}` is missing (found: {})", found.join(", ")),
            });
        };
        let e = match (dtype, &raw) {
            (DataType::Date, DataType::String) => col(*name).str().to_date(StrptimeOptions {
                format: Some("%Y-%m-%d".into()),
                strict: true,
                exact: true,
                cache: true,
            }),
            (DataType::Date, DataType::Datetime(_, _)) => col(*name).dt().date(),
            _ => col(*name).strict_cast(dtype.clone()),
        };
        exprs.push(e.alias(*name));
    }
    df.lazy()
        .select(exprs)
        .collect()
        .map_err(|e| ReferenceError::Invalid {
            path,
            detail: crate::common::first_line(&e),
        })
}
