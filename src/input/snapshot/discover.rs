//! Finding the snapshots on disk: `<data>/<table>/la_code=<LA>/snapshot_date=<YYYY-MM-DD>/*.parquet`.

use super::SnapshotError;
use crate::input::contract;
use crate::input::contract::LA_CODE;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every snapshot file on disk: table, then LA, then snapshot date, then files.
#[derive(Debug, Default, Clone)]
pub struct Inventory {
    /// Where the data lives.
    pub data_dir: PathBuf,
    /// Files by table, LA and snapshot date.
    pub files: BTreeMap<String, BTreeMap<String, BTreeMap<NaiveDate, Vec<PathBuf>>>>,
}

/// The snapshot an LA's data is read from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LaSnapshot {
    /// The DfE 3-digit LA code.
    pub la_code: String,
    /// The extract date: months ending after it are not reported.
    pub snapshot_date: NaiveDate,
}

impl Inventory {
    /// Lists the snapshot files under `data_dir` (reference tables and unknown folders are skipped, and so are
    /// the snapshots whose `extract` has not finished).
    pub fn discover(data_dir: &Path) -> Result<Inventory, SnapshotError> {
        let io = |path: &Path, source| SnapshotError::Io {
            path: path.to_path_buf(),
            source,
        };
        if !data_dir.is_dir() {
            return Err(SnapshotError::NoDataDir {
                path: data_dir.to_path_buf(),
            });
        }
        let mut inv = Inventory {
            data_dir: data_dir.to_path_buf(),
            ..Inventory::default()
        };
        let unfinished = crate::input::extract::unfinished(data_dir);
        let mut left_out = std::collections::BTreeSet::new();
        for table in contract::TABLES {
            let table_dir = data_dir.join(table.name);
            if !table_dir.is_dir() {
                continue;
            }
            let by_la = inv.files.entry(table.name.to_string()).or_default();
            for la_dir in read_dir_sorted(&table_dir).map_err(|e| io(&table_dir, e))? {
                let Some(la) = partition_value(&la_dir, LA_CODE) else {
                    continue;
                };
                if la.is_empty() || !la.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return Err(SnapshotError::BadLaPartition { path: la_dir });
                }
                for snap_dir in read_dir_sorted(&la_dir).map_err(|e| io(&la_dir, e))? {
                    let Some(date_text) = partition_value(&snap_dir, "snapshot_date") else {
                        continue;
                    };
                    let date =
                        canonical_date(&date_text).ok_or_else(|| SnapshotError::BadPartition {
                            path: snap_dir.clone(),
                        })?;
                    let files: Vec<PathBuf> = read_dir_sorted(&snap_dir)
                        .map_err(|e| io(&snap_dir, e))?
                        .into_iter()
                        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
                        .collect();
                    if unfinished.contains(&(la.clone(), date)) {
                        left_out.insert((la.clone(), date));
                    } else if files.is_empty() {
                        tracing::warn!(folder = %snap_dir.display(), "a snapshot folder without Parquet files is skipped");
                    } else {
                        by_la.entry(la.clone()).or_default().insert(date, files);
                    }
                }
            }
        }
        for (la, date) in left_out {
            tracing::warn!(la_code = %la, snapshot_date = %date, "the extract of this snapshot has not finished (or was killed): it is left out; run `extract` again");
        }
        Ok(inv)
    }

    /// Each LA's latest snapshot date on or before `as_of`, over all tables; `only` restricts the LAs.
    pub fn select(
        &self,
        as_of: Option<NaiveDate>,
        only: &[String],
    ) -> Result<Vec<LaSnapshot>, SnapshotError> {
        let mut latest: BTreeMap<&str, Option<NaiveDate>> = BTreeMap::new();
        for by_la in self.files.values() {
            for (la, dates) in by_la {
                let best = dates
                    .keys()
                    .filter(|d| as_of.is_none_or(|a| **d <= a))
                    .max()
                    .copied();
                let entry = latest.entry(la).or_default();
                *entry = (*entry).max(best);
            }
        }
        for la in only {
            if !latest.contains_key(la.as_str()) {
                return Err(SnapshotError::UnknownLa {
                    la_code: la.clone(),
                    data_dir: self.data_dir.clone(),
                });
            }
        }
        let mut out = Vec::new();
        for (la, date) in latest {
            if !only.is_empty() && !only.iter().any(|o| o == la) {
                continue;
            }
            match date {
                Some(snapshot_date) => out.push(LaSnapshot {
                    la_code: la.to_string(),
                    snapshot_date,
                }),
                None => tracing::warn!(
                    la_code = la,
                    "no snapshot on or before --as-of; the LA is left out"
                ),
            }
        }
        if out.is_empty() {
            return Err(SnapshotError::NoSnapshots {
                data_dir: self.data_dir.clone(),
            });
        }
        Ok(out)
    }

    /// Every snapshot date of an LA, over all tables, oldest first.
    pub fn snapshot_dates(&self, la_code: &str) -> Vec<NaiveDate> {
        let dates: std::collections::BTreeSet<NaiveDate> = self
            .files
            .values()
            .filter_map(|by_la| by_la.get(la_code))
            .flat_map(|dates| dates.keys().copied())
            .collect();
        dates.into_iter().collect()
    }

    /// The files of one table in one LA's snapshot, if the snapshot has the table.
    pub fn table_files(&self, table: &str, snapshot: &LaSnapshot) -> Option<&[PathBuf]> {
        self.files
            .get(table)?
            .get(&snapshot.la_code)?
            .get(&snapshot.snapshot_date)
            .map(Vec::as_slice)
    }

    /// The LA snapshots in batches of at most `budget` bytes of Parquet files among `tables` (an LA larger than
    /// the budget is a batch of its own), in order, so that a run can load and compute a few LAs at a time and
    /// hold only their tables in memory.
    pub fn batches(
        &self,
        las: &[LaSnapshot],
        tables: &[&str],
        budget: u64,
    ) -> Vec<Vec<LaSnapshot>> {
        let mut batches: Vec<Vec<LaSnapshot>> = Vec::new();
        let mut filled = 0;
        for la in las {
            let bytes: u64 = tables
                .iter()
                .filter_map(|t| self.table_files(t, la))
                .flatten()
                .filter_map(|f| std::fs::metadata(f).ok())
                .map(|m| m.len())
                .sum();
            match batches.last_mut() {
                Some(batch) if filled + bytes <= budget => {
                    batch.push(la.clone());
                    filled += bytes;
                }
                _ => {
                    batches.push(vec![la.clone()]);
                    filled = bytes;
                }
            }
        }
        batches
    }

    /// The folder a table's files for one LA snapshot are expected in.
    pub fn expected_dir(&self, table: &str, snapshot: &LaSnapshot) -> PathBuf {
        snapshot_dir(
            &self.data_dir,
            table,
            &snapshot.la_code,
            snapshot.snapshot_date,
        )
    }
}

/// The folder of one table's snapshot of one LA: `<data>/<table>/la_code=<LA>/snapshot_date=<YYYY-MM-DD>`, as every
/// writer (the generator, `extract`) lays it out and `discover` reads it.
pub fn snapshot_dir(
    data_dir: &Path,
    table: &str,
    la_code: &str,
    snapshot_date: NaiveDate,
) -> PathBuf {
    data_dir
        .join(table)
        .join(format!("la_code={la_code}"))
        .join(format!("snapshot_date={snapshot_date}"))
}

/// The date of a snapshot folder's `YYYY-MM-DD`, only in that canonical form, so that `2024-4-1` and `2024-04-01`
/// are never two folders of one date.
pub fn canonical_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| d.format("%Y-%m-%d").to_string() == text)
}

fn partition_value(dir: &Path, key: &str) -> Option<String> {
    if !dir.is_dir() {
        return None;
    }
    let name = dir.file_name()?.to_str()?;
    name.strip_prefix(key)?
        .strip_prefix('=')
        .map(str::to_string)
}

fn read_dir_sorted(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()?;
    entries.sort();
    Ok(entries)
}
