//! Writing a run's outputs: `indicators.parquet`, `data_quality.parquet` and `run.json` are each written to a
//! temporary file beside its target, and renamed into place only when all three are written, so a failed or
//! interrupted run leaves the previous output whole.

use crate::common::calendar::epoch_days;
use crate::common::lockfile::{LockError, LockFile};
use crate::common::quality::Finding;
use crate::input::contract::LA_CODE;
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
    /// Another run holds the output folder's lock.
    #[error(
        "another csc-indicators run ({holder}) is writing to `{dir}`: wait for it to finish, or delete `{lock}` if no run is going on"
    )]
    Locked {
        dir: PathBuf,
        lock: PathBuf,
        holder: String,
    },
}

impl crate::failure::Failing for OutputError {
    fn failure(&self) -> crate::failure::Failure {
        use crate::failure::Failure;
        match self {
            OutputError::Locked { .. } => Failure::BadCatalogueOrArguments,
            OutputError::Io { .. } | OutputError::Parquet { .. } => Failure::Internal,
        }
    }
}

/// Crash-safety tests set this variable to a number of milliseconds to hold a run between writing its temporary
/// files and renaming them into place, so that they can kill it exactly there.
pub const PAUSE_BEFORE_COMMIT_VARIABLE: &str = "CSC_INDICATORS_PAUSE_BEFORE_COMMIT_MS";

/// Holds the process for [`PAUSE_BEFORE_COMMIT_VARIABLE`] milliseconds, when set.
pub fn pause_before_commit() {
    if let Some(ms) = std::env::var(PAUSE_BEFORE_COMMIT_VARIABLE)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// The lock file in an output folder.
pub const LOCK_FILE: &str = ".csc-indicators.lock";

/// The output folder's lock, held while a run or report writes there: a second run fails at once with the
/// holder's pid instead of interleaving files. Released (the file removed) when dropped. A lock left by a process
/// that no longer runs (killed) is taken over.
#[derive(Debug)]
pub struct OutputLock {
    _lock: LockFile,
}

impl OutputLock {
    /// Takes the lock of `dir` (created if needed), then removes temporary files that killed runs left there.
    pub fn acquire(dir: &Path) -> Result<OutputLock, OutputError> {
        ensure_dir(dir)?;
        let path = dir.join(LOCK_FILE);
        let lock = LockFile::acquire(&path).map_err(|e| match e {
            LockError::Held(holder) => OutputError::Locked {
                dir: dir.to_path_buf(),
                lock: path.clone(),
                holder,
            },
            LockError::Io(source) => OutputError::Io {
                path: path.clone(),
                source,
            },
        })?;
        remove_stale_temporaries(dir)?;
        Ok(OutputLock { _lock: lock })
    }
}

/// Removes the temporary files (`.<name>.tmp-<pid>`) that killed runs left in `dir` and its `report/` folder. Only
/// called with the lock held, so no live run owns them.
fn remove_stale_temporaries(dir: &Path) -> Result<(), OutputError> {
    for folder in [dir.to_path_buf(), dir.join("report")] {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') && name.contains(".tmp-") {
                tracing::info!(file = %entry.path().display(), "removing a temporary file a killed run left");
                std::fs::remove_file(entry.path()).map_err(|source| OutputError::Io {
                    path: entry.path(),
                    source,
                })?;
            }
        }
    }
    Ok(())
}

/// The findings as a table: `table, column, la_code, snapshot_date, kind, count, example, message`.
pub fn findings_frame(findings: &[Finding]) -> PolarsResult<DataFrame> {
    let mut df = df!(
        "table" => findings.iter().map(|f| f.table.clone()).collect::<Vec<_>>(),
        "column" => findings.iter().map(|f| f.column.clone()).collect::<Vec<_>>(),
        LA_CODE => findings.iter().map(|f| f.la_code.clone()).collect::<Vec<_>>(),
        "snapshot_date" => findings.iter().map(|f| f.snapshot_date.map(epoch_days)).collect::<Vec<_>>(),
        "kind" => findings.iter().map(|f| f.kind.name()).collect::<Vec<_>>(),
        "count" => findings.iter().map(|f| f.count).collect::<Vec<_>>(),
        "example" => findings.iter().map(|f| f.example.clone()).collect::<Vec<_>>(),
        "message" => findings.iter().map(|f| f.message.clone()).collect::<Vec<_>>(),
    )?;
    df.apply("snapshot_date", |c| {
        c.cast(&DataType::Date).expect("days cast to dates")
    })?;
    Ok(df)
}

/// A file written beside its target under a temporary name, waiting to be renamed into place. Dropping it
/// without committing removes the temporary file.
#[derive(Debug)]
pub struct Staged {
    tmp: PathBuf,
    target: PathBuf,
}

impl Staged {
    /// Renames the file into place (atomic on one file system).
    pub fn commit(mut self) -> Result<(), OutputError> {
        let tmp = std::mem::take(&mut self.tmp);
        std::fs::rename(&tmp, &self.target).map_err(|source| OutputError::Io {
            path: self.target.clone(),
            source,
        })
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

impl Staged {
    /// A staged file for `path`, not yet written.
    fn beside(path: &Path) -> Staged {
        Staged {
            tmp: temporary(path),
            target: path.to_path_buf(),
        }
    }

    /// An I/O error about the temporary file.
    fn io_error(&self, source: std::io::Error) -> OutputError {
        OutputError::Io {
            path: self.tmp.clone(),
            source,
        }
    }
}

/// Writes `df` as Parquet beside `path`, with footer key-value metadata, ready to be committed.
pub fn stage_parquet(
    path: &Path,
    df: &mut DataFrame,
    metadata: &[(String, String)],
) -> Result<Staged, OutputError> {
    let staged = Staged::beside(path);
    let file = std::fs::File::create(&staged.tmp).map_err(|e| staged.io_error(e))?;
    let kv = KeyValueMetadata::from_static(metadata.to_vec());
    ParquetWriter::new(file)
        .with_key_value_metadata(Some(kv))
        .finish(df)
        .map_err(|source| OutputError::Parquet {
            path: path.to_path_buf(),
            source,
        })?;
    std::fs::File::open(&staged.tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| staged.io_error(e))?;
    Ok(staged)
}

/// Writes bytes beside `path`, ready to be committed.
pub fn stage_bytes(path: &Path, bytes: &[u8]) -> Result<Staged, OutputError> {
    let staged = Staged::beside(path);
    let mut file = std::fs::File::create(&staged.tmp).map_err(|e| staged.io_error(e))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| staged.io_error(e))?;
    Ok(staged)
}

/// Writes text beside `path`, ready to be committed.
pub fn stage_text(path: &Path, text: &str) -> Result<Staged, OutputError> {
    stage_bytes(path, text.as_bytes())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staged_file_replaces_its_target_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run.json");
        std::fs::write(&target, "previous").unwrap();
        let abandoned = stage_text(&target, "interrupted").unwrap();
        drop(abandoned);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "previous");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "the temporary file is removed"
        );
        stage_text(&target, "new").unwrap().commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
