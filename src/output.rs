//! Writing a run's outputs: `indicators.parquet`, `data_quality.parquet` and `run.json`, each written to a temporary
//! file beside its target and renamed into place, so a failed or interrupted run leaves the previous output whole.

use crate::calendar::epoch_days;
use crate::quality::Finding;
use polars::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why the outputs could not be written.
#[allow(missing_docs)] // Variant fields are named for what they hold; the variant's doc says the rest.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or folder could not be written.
    #[error("cannot write `{path}`")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Polars could not write a Parquet file.
    #[error("cannot write `{path}`")]
    Parquet { path: PathBuf, source: PolarsError },
}

/// Footer metadata key for the catalogue's SHA-256.
pub const CATALOGUE_HASH_KEY: &str = "csc_indicators.catalogue_hash";
/// Footer metadata key for the catalogue's version.
pub const CATALOGUE_VERSION_KEY: &str = "csc_indicators.catalogue_version";
/// Footer metadata key for the tool's version.
pub const TOOL_VERSION_KEY: &str = "csc_indicators.version";

/// The findings as a table: `table, column, la_code, snapshot_date, kind, count, example, message`.
pub fn findings_frame(findings: &[Finding]) -> PolarsResult<DataFrame> {
    let mut df = df!(
        "table" => findings.iter().map(|f| f.table.clone()).collect::<Vec<_>>(),
        "column" => findings.iter().map(|f| f.column.clone()).collect::<Vec<_>>(),
        "la_code" => findings.iter().map(|f| f.la_code.clone()).collect::<Vec<_>>(),
        "snapshot_date" => findings.iter().map(|f| f.snapshot_date.map(epoch_days)).collect::<Vec<_>>(),
        "kind" => findings.iter().map(|f| f.kind).collect::<Vec<_>>(),
        "count" => findings.iter().map(|f| f.count).collect::<Vec<_>>(),
        "example" => findings.iter().map(|f| f.example.clone()).collect::<Vec<_>>(),
        "message" => findings.iter().map(|f| f.message.clone()).collect::<Vec<_>>(),
    )?;
    df.apply("snapshot_date", |c| {
        c.cast(&DataType::Date).expect("days cast to dates")
    })?;
    Ok(df)
}

/// Writes `df` as Parquet to `path` atomically, with footer key-value metadata.
pub fn write_parquet(
    path: &Path,
    df: &mut DataFrame,
    metadata: &[(String, String)],
) -> Result<(), OutputError> {
    let tmp = temporary(path);
    let io = |source| OutputError::Io {
        path: tmp.clone(),
        source,
    };
    let file = std::fs::File::create(&tmp).map_err(io)?;
    let kv = KeyValueMetadata::from_static(metadata.to_vec());
    let written = ParquetWriter::new(file)
        .with_key_value_metadata(Some(kv))
        .finish(df);
    if let Err(source) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(OutputError::Parquet {
            path: path.to_path_buf(),
            source,
        });
    }
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes text to `path` atomically.
pub fn write_text(path: &Path, text: &str) -> Result<(), OutputError> {
    let tmp = temporary(path);
    let io = |source| OutputError::Io {
        path: tmp.clone(),
        source,
    };
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    file.write_all(text.as_bytes())
        .and_then(|_| file.sync_all())
        .map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Creates the output folder.
pub fn ensure_dir(dir: &Path) -> Result<(), OutputError> {
    std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}
