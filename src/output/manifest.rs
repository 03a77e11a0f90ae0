//! `run.json`: what a run records of itself (the catalogue, the data, each LA's snapshot, the months, rows,
//! batches and timings), written by `run` and read by `report` through this one type.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file's name in a run's output folder.
pub const RUN_MANIFEST: &str = "run.json";

/// What a run records of itself. Readers need only the catalogue and the LAs; the rest defaults when absent (a
/// file of an older version, or written by hand).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    /// `ok` for a run that wrote its outputs.
    #[serde(default)]
    pub status: String,
    /// Data-quality findings written.
    #[serde(default)]
    pub findings: usize,
    /// The version of csc-indicators.
    #[serde(default)]
    pub tool_version: String,
    /// The catalogue the run used.
    pub catalogue: CatalogueRecord,
    /// The data folder, as an absolute path.
    #[serde(default)]
    pub data: Option<PathBuf>,
    /// Each LA's snapshot and last reported month.
    pub las: Vec<LaRecord>,
    /// The reporting range.
    #[serde(default)]
    pub months: MonthRange,
    /// Rows written.
    #[serde(default)]
    pub rows: RowCounts,
    /// How the LAs were batched.
    #[serde(default)]
    pub batches: BatchRecord,
    /// Seconds of each stage (`load`, `compute`, `judge`, `write`).
    #[serde(default)]
    pub timings_seconds: BTreeMap<String, f64>,
    /// Seconds of each indicator (a query's time shared equally among the indicators it computed).
    #[serde(default)]
    pub indicator_seconds: BTreeMap<String, f64>,
    /// Seconds of each query, slowest first.
    #[serde(default)]
    pub query_seconds: Vec<QuerySeconds>,
    /// The run's wall time.
    #[serde(default)]
    pub total_seconds: f64,
}

/// The catalogue a run used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CatalogueRecord {
    /// Its path, as given.
    #[serde(default)]
    pub path: String,
    /// Its version.
    #[serde(default = "unknown")]
    pub version: String,
    /// Its SHA-256.
    pub sha256: String,
    /// How many indicators the run computed.
    #[serde(default)]
    pub indicators: usize,
}

/// One LA of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaRecord {
    /// The LA's code.
    pub la_code: String,
    /// The snapshot read.
    #[serde(with = "iso_date")]
    pub snapshot_date: NaiveDate,
    /// The LA's last reported month (`YYYY-MM`).
    #[serde(default)]
    pub last_month: Option<String>,
}

/// The first and last reported month (`YYYY-MM`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MonthRange {
    /// The first month.
    pub from: String,
    /// The last month.
    pub to: String,
}

/// Rows written to each table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RowCounts {
    /// `indicators.parquet`.
    pub indicators: usize,
    /// `data_quality.parquet`.
    pub data_quality: usize,
}

/// How the LAs were loaded and computed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchRecord {
    /// How many batches.
    pub count: usize,
    /// The batch size asked for, in MiB of input Parquet.
    pub input_mb: u64,
}

/// One query's time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuerySeconds {
    /// The indicators it computed (several when they share prepared rows).
    pub indicators: Vec<String>,
    /// Its wall seconds.
    pub seconds: f64,
}

/// Why `run.json` could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file is not there or cannot be read.
    #[error("`{}` cannot be read ({detail}): run `csc-indicators run` first, with the same --out", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// The file is not what a run writes.
    #[error("`{}` is not a run manifest ({detail}): run `csc-indicators run` again", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}

impl crate::failure::Failing for ManifestError {
    fn failure(&self) -> crate::failure::Failure {
        match self {
            ManifestError::Missing { .. } | ManifestError::Invalid { .. } => {
                crate::failure::Failure::BadData
            }
        }
    }
}

impl RunManifest {
    /// The manifest as written: pretty JSON, one field a line.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a manifest serialises") + "\n"
    }

    /// The snapshot date the run read for an LA.
    pub fn snapshot_date(&self, la_code: &str) -> Option<NaiveDate> {
        self.las
            .iter()
            .find(|l| l.la_code == la_code)
            .map(|l| l.snapshot_date)
    }

    /// Reads the `run.json` of the output folder `out_dir`.
    pub fn read(out_dir: &Path) -> Result<RunManifest, ManifestError> {
        let path = out_dir.join(RUN_MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| ManifestError::Missing {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        serde_json::from_str(&text).map_err(|e| ManifestError::Invalid {
            path,
            detail: e.to_string(),
        })
    }
}

/// The version of a catalogue a manifest does not name.
fn unknown() -> String {
    "unknown".into()
}

/// Dates as `YYYY-MM-DD` text.
mod iso_date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&date.format("%Y-%m-%d").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(d)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(serde::de::Error::custom)
    }
}
