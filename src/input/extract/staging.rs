//! Where an extract writes before its snapshot exists: `<data>/.extract/<LA>-<date>/`, moved into the tables'
//! folders only when every table is read, under a lock that also marks the snapshot as unfinished until the last
//! move is done.

use super::error::ExtractError;
use crate::common::lockfile::{LockError, LockFile};
use crate::input::contract;
use crate::input::snapshot::{canonical_date, snapshot_dir};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// The folder under the data directory that holds extracts in progress; `run` never reads it.
pub const STAGING_DIR: &str = ".extract";

/// The folder of the extract records (`extract.json`), laid out as the tables are.
pub const RECORDS_DIR: &str = "extract";

/// The lock file of one LA's extract for one date. While it exists the snapshot is unfinished: `run` leaves
/// that LA's snapshot of that date out.
pub fn lock_path(data_dir: &Path, la_code: &str, snapshot_date: NaiveDate) -> PathBuf {
    data_dir
        .join(STAGING_DIR)
        .join(format!("{la_code}-{snapshot_date}.lock"))
}

/// The LA snapshots whose extract has not finished (a lock file is there, its extract running or killed).
pub fn unfinished(data_dir: &Path) -> Vec<(String, NaiveDate)> {
    let Ok(entries) = std::fs::read_dir(data_dir.join(STAGING_DIR)) else {
        return Vec::new();
    };
    let mut out: Vec<(String, NaiveDate)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            // `<LA>-<YYYY-MM-DD>.lock`: the date is the last ten characters before the suffix.
            let stem = name.strip_suffix(".lock")?;
            let (la, date) = stem.split_at(stem.len().checked_sub(10)?);
            Some((la.strip_suffix('-')?.to_string(), canonical_date(date)?))
        })
        .collect();
    out.sort();
    out
}

/// An extract's staging folder, held under its lock.
pub struct Staging {
    data_dir: PathBuf,
    la_code: String,
    snapshot_date: NaiveDate,
    root: PathBuf,
    _lock: LockFile,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExtractError + '_ {
    move |source| ExtractError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Staging {
    /// Takes the lock of this LA and date (failing at once, naming the holder, when another extract has it) and
    /// starts an empty staging folder. What a killed extract of the same LA and date left is removed first.
    pub fn begin(
        data_dir: &Path,
        la_code: &str,
        snapshot_date: NaiveDate,
    ) -> Result<Staging, ExtractError> {
        let staging = data_dir.join(STAGING_DIR);
        std::fs::create_dir_all(&staging).map_err(io(&staging))?;
        let lock_file = lock_path(data_dir, la_code, snapshot_date);
        let lock = LockFile::acquire(&lock_file).map_err(|e| match e {
            LockError::Held(holder) => ExtractError::Locked {
                la_code: la_code.to_string(),
                snapshot_date,
                holder,
                lock: lock_file.clone(),
            },
            LockError::Io(source) => ExtractError::Io {
                path: lock_file.clone(),
                source,
            },
        })?;
        if lock.took_over() {
            tracing::warn!(la_code, %snapshot_date, "an earlier extract of this LA and date did not finish; it is done again");
        }
        let root = staging.join(format!("{la_code}-{snapshot_date}"));
        if root.exists() {
            std::fs::remove_dir_all(&root).map_err(io(&root))?;
        }
        std::fs::create_dir_all(&root).map_err(io(&root))?;
        Ok(Staging {
            data_dir: data_dir.to_path_buf(),
            la_code: la_code.to_string(),
            snapshot_date,
            root,
            _lock: lock,
        })
    }

    /// The staged file of a table (its folder created).
    pub fn table_file(&self, table: &str) -> Result<PathBuf, ExtractError> {
        let dir = self.root.join(table);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(dir.join("part-0.parquet"))
    }

    /// Writes the extract's record into the staging folder: the last file staged before the tables move.
    pub fn stage_record(&self, record: &str) -> Result<(), ExtractError> {
        let file = self.root.join("extract.json");
        std::fs::write(&file, record).map_err(io(&file))
    }

    /// Moves every staged table into `<data>/<table>/la_code=<LA>/snapshot_date=<date>/` (replacing a snapshot of
    /// the same date), then the record into `<data>/extract/...`; then releases the lock, which makes the snapshot
    /// visible to `run`. Returns where the record is.
    pub fn commit(self, tables: &[&str]) -> Result<PathBuf, ExtractError> {
        let replaced = self.root.join(".replaced");
        for table in tables.iter().copied().chain(std::iter::once(RECORDS_DIR)) {
            let target = snapshot_dir(&self.data_dir, table, &self.la_code, self.snapshot_date);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            if target.exists() {
                std::fs::create_dir_all(&replaced).map_err(io(&replaced))?;
                let old = replaced.join(table);
                std::fs::rename(&target, &old).map_err(io(&target))?;
            }
            let staged = if table == RECORDS_DIR {
                let dir = self.root.join(RECORDS_DIR);
                std::fs::create_dir_all(&dir).map_err(io(&dir))?;
                let record = self.root.join("extract.json");
                std::fs::rename(&record, dir.join("extract.json")).map_err(io(&record))?;
                dir
            } else {
                self.root.join(table)
            };
            std::fs::rename(&staged, &target).map_err(io(&staged))?;
        }
        std::fs::remove_dir_all(&self.root).map_err(io(&self.root))?;
        Ok(snapshot_dir(
            &self.data_dir,
            RECORDS_DIR,
            &self.la_code,
            self.snapshot_date,
        )
        .join("extract.json"))
    }
}

/// Removes the LA's snapshots beyond the newest `keep` (over every table and the extract records), never
/// `written`, nor one whose extract is unfinished. Returns the dates removed, oldest first.
pub fn keep_newest(
    data_dir: &Path,
    la_code: &str,
    keep: usize,
    written: NaiveDate,
) -> Result<Vec<NaiveDate>, ExtractError> {
    let folders: Vec<&str> = contract::TABLES
        .iter()
        .map(|t| t.name)
        .chain(std::iter::once(RECORDS_DIR))
        .collect();
    let mut dates: Vec<NaiveDate> = Vec::new();
    for folder in &folders {
        let la_dir = data_dir.join(folder).join(format!("la_code={la_code}"));
        let Ok(entries) = std::fs::read_dir(&la_dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if let Some(date) = name.strip_prefix("snapshot_date=").and_then(canonical_date) {
                dates.push(date);
            }
        }
    }
    dates.sort();
    dates.dedup();
    let unfinished: Vec<NaiveDate> = unfinished(data_dir)
        .into_iter()
        .filter(|(la, _)| la == la_code)
        .map(|(_, d)| d)
        .collect();
    let newest: Vec<NaiveDate> = dates.iter().rev().take(keep).copied().collect();
    let removed: Vec<NaiveDate> = dates
        .into_iter()
        .filter(|d| *d != written && !newest.contains(d) && !unfinished.contains(d))
        .collect();
    for date in &removed {
        for folder in &folders {
            let dir = snapshot_dir(data_dir, folder, la_code, *date);
            if dir.is_dir() {
                std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
            }
        }
        tracing::info!(la_code, snapshot_date = %date, "older snapshot removed (--keep)");
    }
    Ok(removed)
}
