//! Loading the latest snapshot of every LA: all LAs of a table in one plan, normalised to the contract's types,
//! value maps applied, with a data-quality finding for every value that could not be used.

mod discover;
mod la_blocks;
mod normalise;
mod plausible;
mod value_maps;

pub use discover::{Inventory, LaSnapshot, canonical_date, snapshot_dir};

use crate::catalogue::ValueMap;
use crate::common::quality::{Finding, FindingKind};
use crate::input::contract::LA_CODE;
use crate::input::contract::{self, TableSpec};
use la_blocks::LaBlock;
use normalise::{Normalised, normalise, target_type};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Why the snapshot data could not be read.
#[allow(missing_docs)] // Variant fields are named for what they hold; the variant's doc says the rest.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The data directory does not exist.
    #[error(
        "the data directory `{path}` does not exist: pass --data DIR, or generate sample data with `csc-indicators generate --out {path}`"
    )]
    NoDataDir { path: PathBuf },
    /// No snapshot was found for any LA.
    #[error(
        "no snapshots found under `{data_dir}` (expected <table>/la_code=<LA>/snapshot_date=<YYYY-MM-DD>/*.parquet, on or before --as-of if given)"
    )]
    NoSnapshots { data_dir: PathBuf },
    /// An LA asked for with --la has no data.
    #[error(
        "LA `{la_code}` has no snapshot under `{data_dir}`: check the code (DfE 3-digit, e.g. 873)"
    )]
    UnknownLa { la_code: String, data_dir: PathBuf },
    /// A snapshot folder's date cannot be read.
    #[error(
        "`{path}`: the partition folder is not `snapshot_date=YYYY-MM-DD` (four-digit year, two-digit month and day): rename it"
    )]
    BadPartition { path: PathBuf },
    /// An LA folder's name is not a code.
    #[error(
        "`{path}`: the partition folder is not `la_code=<DfE code>` (letters and digits only, e.g. la_code=873): rename it"
    )]
    BadLaPartition { path: PathBuf },
    /// A table an indicator needs is absent from an LA's snapshot.
    #[error(
        "table `{table}` is missing for LA {la_code} in snapshot {snapshot_date}: expected Parquet files in `{expected}`. Indicators need it; add the table to the extract or remove the indicators that use it"
    )]
    MissingTable {
        table: String,
        la_code: String,
        snapshot_date: chrono::NaiveDate,
        expected: PathBuf,
    },
    /// A required column is absent from a file.
    #[error(
        "table `{table}`, LA {la_code}, snapshot {snapshot_date}: required column `{column}` is missing from `{file}`{hint}. Add it to the extract"
    )]
    MissingColumn {
        table: String,
        column: String,
        la_code: String,
        snapshot_date: chrono::NaiveDate,
        file: PathBuf,
        hint: String,
    },
    /// A column has a type the contract cannot normalise.
    #[error(
        "table `{table}`, LA {la_code}, snapshot {snapshot_date}: column `{column}` in `{file}` is {found}, which cannot be read as a {logical}. Export it as {accepted}"
    )]
    BadType {
        table: String,
        column: String,
        la_code: String,
        snapshot_date: chrono::NaiveDate,
        file: PathBuf,
        found: String,
        logical: &'static str,
        accepted: &'static str,
    },
    /// A file is not readable Parquet.
    #[error(
        "`{path}` is not a readable Parquet file ({detail}); re-export it or remove it from the snapshot"
    )]
    Unreadable { path: PathBuf, detail: String },
    /// A directory could not be listed.
    #[error("cannot read `{path}`")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Polars failed while loading a table.
    #[error("loading table `{table}` failed")]
    Polars { table: String, source: PolarsError },
}

/// Every snapshot error is about the input data.
impl crate::failure::Failing for SnapshotError {
    fn failure(&self) -> crate::failure::Failure {
        match self {
            SnapshotError::NoDataDir { .. }
            | SnapshotError::NoSnapshots { .. }
            | SnapshotError::UnknownLa { .. }
            | SnapshotError::BadPartition { .. }
            | SnapshotError::BadLaPartition { .. }
            | SnapshotError::MissingTable { .. }
            | SnapshotError::MissingColumn { .. }
            | SnapshotError::BadType { .. }
            | SnapshotError::Unreadable { .. }
            | SnapshotError::Io { .. }
            | SnapshotError::Polars { .. } => crate::failure::Failure::BadData,
        }
    }
}

/// The loaded, normalised snapshot data of every selected LA.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The LAs and the snapshot each was read from.
    pub las: Vec<LaSnapshot>,
    /// Each needed table, all LAs together, with a `la_code` column.
    pub tables: BTreeMap<&'static str, DataFrame>,
    /// Problems in the data that were survived.
    pub findings: Vec<Finding>,
    /// Optional columns absent from an LA's table: indicators reading them are not computable for that LA.
    pub absent_columns: BTreeMap<(String, &'static str), BTreeSet<String>>,
}

/// What a check found wrong with a value, as helper columns on the loading plan.
struct Check {
    column: &'static str,
    kind: FindingKind,
    flag: String,
    raw: String,
}

/// The schema of one Parquet file, read from its footer only (by a plain read of the file's end: a scan plan per
/// file would wait on Polars' I/O runtime, which across thousands of files costs seconds).
pub fn file_schema(path: &Path) -> Result<SchemaRef, SnapshotError> {
    let unreadable = |e: PolarsError| SnapshotError::Unreadable {
        path: path.to_path_buf(),
        detail: crate::common::first_line(&e),
    };
    let file = std::fs::File::open(path).map_err(|source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let arrow = ParquetReader::new(file).schema().map_err(unreadable)?;
    Ok(Arc::new(Schema::from_arrow_schema(&arrow)))
}

/// Loads the needed columns of the needed tables for every LA snapshot.
pub fn load(
    inventory: &Inventory,
    las: &[LaSnapshot],
    needed: &BTreeMap<&'static str, BTreeSet<String>>,
    maps: &[ValueMap],
) -> Result<Snapshot, SnapshotError> {
    let mut snapshot = Snapshot {
        las: las.to_vec(),
        ..Snapshot::default()
    };
    let tables = needed
        .iter()
        .map(|(name, wanted)| {
            let table = contract::table(name).expect("the catalogue only names contract tables");
            (table, wanted)
        })
        .collect();
    let loaded = crate::common::workers::in_order(tables, |(table, wanted)| {
        let _span = tracing::info_span!("load", table = table.name).entered();
        let loaded = load_table(inventory, las, table, wanted, maps)?;
        tracing::debug!(rows = loaded.df.height(), "loaded");
        Ok((table.name, loaded))
    })?;
    for (name, loaded) in loaded {
        snapshot.findings.extend(loaded.findings);
        snapshot.absent_columns.extend(loaded.absent_columns);
        snapshot.tables.insert(name, loaded.df);
    }
    Ok(snapshot)
}

/// One table loaded: its rows, what its checks found, and the optional columns each LA's files lack (keyed as
/// [`Snapshot::absent_columns`]).
struct LoadedTable {
    df: DataFrame,
    findings: Vec<Finding>,
    absent_columns: BTreeMap<(String, &'static str), BTreeSet<String>>,
}

/// Empty tables with the columns and types a load would give (`la_code`, then each read column normalised), so
/// that plans can be compiled and checked against the contract before any data is read.
pub fn empty_tables(
    needed: &BTreeMap<&'static str, BTreeSet<String>>,
) -> BTreeMap<&'static str, DataFrame> {
    needed
        .iter()
        .filter_map(|(name, wanted)| {
            let table = contract::table(name)?;
            let mut fields = vec![Field::new(LA_CODE.into(), DataType::String)];
            fields.extend(
                columns_to_read(table, wanted)
                    .into_iter()
                    .map(|c| Field::new(c.name.into(), target_type(c.logical))),
            );
            let schema = Schema::from_iter(fields);
            Some((table.name, DataFrame::empty_with_schema(&schema)))
        })
        .collect()
}

/// One column of a file plan: the contract column and how it is normalised.
type PlannedColumn = (&'static contract::ColumnSpec, Normalised);

/// How one file's columns are read: each wanted column normalised (with its failure flag), or absent.
struct FilePlan {
    columns: Vec<PlannedColumn>,
    /// Optional columns the file lacks, each with the closest column it has (` (did you mean ...)`), if any.
    absent: Vec<(&'static str, String)>,
    /// The file's type of each wanted column (`None` when absent): files alike in this are normalised alike, so
    /// they can be read by one scan.
    shape: Vec<Option<DataType>>,
    /// Every column name of the file, in order: one scan reads only files with the same names, as Polars refuses a
    /// file with a column the first file lacks (an optional column one LA's extract leaves out) or the reverse.
    names: Vec<String>,
}

impl FilePlan {
    /// Whether a file of this plan can be read by the same scan as a file of `other`.
    fn alike(&self, other: &FilePlan) -> bool {
        self.shape == other.shape && self.names == other.names
    }
}

/// Files of a table whose columns have the same names and types, so one plan normalises them all: read by one scan that takes
/// each file's LA from its `la_code=` folder, which costs far less than a scan per file.
struct FileRun<'a> {
    files: Vec<&'a PathBuf>,
    /// The plan of the run's first file, which is every file's plan.
    plan: FilePlan,
}

impl FileRun<'_> {
    /// The run's rows in file order, with `la_code` (and `snapshot_date`) read from the folders below `table_dir`.
    /// A column of the file with either name is ignored.
    fn scan(&self, table_dir: &Path) -> Result<LazyFrame, SnapshotError> {
        let prefix = format!(
            "{}{}",
            table_dir.to_string_lossy(),
            std::path::MAIN_SEPARATOR
        );
        let partitions = Schema::from_iter(
            [LA_CODE, "snapshot_date"].map(|c| Field::new(c.into(), DataType::String)),
        );
        let args = ScanArgsParquet {
            hive_options: HiveOptions {
                enabled: Some(true),
                hive_start_idx: prefix.len(),
                schema: Some(Arc::new(partitions)),
                try_parse_dates: false,
            },
            ..Default::default()
        };
        let paths = self
            .files
            .iter()
            .map(|f| PlRefPath::new(f.to_string_lossy().to_string()))
            .collect();
        LazyFrame::scan_parquet_files(paths, args).map_err(|e| SnapshotError::Unreadable {
            path: self.files[0].clone(),
            detail: e.to_string(),
        })
    }
}

/// Checks one file's schema (footer only) against the contract and plans its normalisation.
fn file_plan(
    table: &'static TableSpec,
    columns: &[&'static contract::ColumnSpec],
    la: &LaSnapshot,
    file: &Path,
) -> Result<FilePlan, SnapshotError> {
    let schema = file_schema(file)?;
    let mut plan = FilePlan {
        columns: Vec::new(),
        absent: Vec::new(),
        shape: columns
            .iter()
            .map(|spec| schema.get(spec.name).cloned())
            .collect(),
        names: schema.iter_names().map(|n| n.to_string()).collect(),
    };
    for spec in columns {
        let Some(raw) = schema.get(spec.name) else {
            if spec.required {
                return Err(SnapshotError::MissingColumn {
                    table: table.name.into(),
                    column: spec.name.into(),
                    la_code: la.la_code.clone(),
                    snapshot_date: la.snapshot_date,
                    file: file.to_path_buf(),
                    hint: crate::catalogue::suggest(
                        spec.name,
                        schema.iter_names().map(|n| n.as_str()),
                    ),
                });
            }
            let hint =
                crate::catalogue::suggest(spec.name, schema.iter_names().map(|n| n.as_str()));
            plan.absent.push((spec.name, hint));
            plan.columns
                .push((spec, Normalised::absent(target_type(spec.logical))));
            continue;
        };
        let n = normalise(spec.name, raw, spec.logical).ok_or_else(|| SnapshotError::BadType {
            table: table.name.into(),
            column: spec.name.into(),
            la_code: la.la_code.clone(),
            snapshot_date: la.snapshot_date,
            file: file.to_path_buf(),
            found: format!("{raw}"),
            logical: spec.logical.name(),
            accepted: accepted_types(spec.logical),
        })?;
        plan.columns.push((spec, n));
    }
    Ok(plan)
}

/// The contract columns of `table` a run reads: the required ones and the ones the catalogue names.
fn columns_to_read(
    table: &'static TableSpec,
    wanted: &BTreeSet<String>,
) -> Vec<&'static contract::ColumnSpec> {
    table
        .columns
        .iter()
        .filter(|c| c.required || wanted.contains(c.name))
        .collect()
}

/// Optional columns absent from an LA's table, each with the closest column the file has (or an empty hint).
pub type AbsentColumns = BTreeMap<(String, &'static str), BTreeMap<String, String>>;

/// Checks every file the run would read, from footers only: tables present, required columns present and of a
/// usable type. Returns the optional columns each LA's tables lack, each with the closest column the file has.
pub fn check(
    inventory: &Inventory,
    las: &[LaSnapshot],
    needed: &BTreeMap<&'static str, BTreeSet<String>>,
) -> Result<AbsentColumns, SnapshotError> {
    let mut absent = AbsentColumns::new();
    for (table_name, wanted) in needed {
        let table = contract::table(table_name).expect("the catalogue only names contract tables");
        let columns = columns_to_read(table, wanted);
        for la in las {
            let files = inventory
                .table_files(table.name, la)
                .ok_or_else(|| missing_table(inventory, table, la))?;
            for file in files {
                for (name, hint) in file_plan(table, &columns, la, file)?.absent {
                    absent
                        .entry((la.la_code.clone(), table.name))
                        .or_default()
                        .insert(name.to_string(), hint);
                }
            }
        }
    }
    Ok(absent)
}

fn missing_table(inventory: &Inventory, table: &TableSpec, la: &LaSnapshot) -> SnapshotError {
    SnapshotError::MissingTable {
        table: table.name.into(),
        la_code: la.la_code.clone(),
        snapshot_date: la.snapshot_date,
        expected: inventory.expected_dir(table.name, la),
    }
}

fn load_table(
    inventory: &Inventory,
    las: &[LaSnapshot],
    table: &'static TableSpec,
    wanted: &BTreeSet<String>,
    maps: &[ValueMap],
) -> Result<LoadedTable, SnapshotError> {
    let columns = columns_to_read(table, wanted);
    let mut findings = Vec::new();
    let mut absent_columns: BTreeMap<(String, &'static str), BTreeSet<String>> = BTreeMap::new();
    let mut checks: BTreeMap<(&'static str, FindingKind), Check> = BTreeMap::new();
    let mut runs: Vec<FileRun> = Vec::new();
    for la in las {
        let files = inventory
            .table_files(table.name, la)
            .ok_or_else(|| missing_table(inventory, table, la))?;
        let mut plans = Vec::new();
        for file in files {
            let plan = file_plan(table, &columns, la, file)?;
            for (name, _) in &plan.absent {
                absent_columns
                    .entry((la.la_code.clone(), table.name))
                    .or_default()
                    .insert(name.to_string());
            }
            plans.push((file, plan));
        }
        // An LA's files, when all alike, join the run of files like them. Files of an LA that differ among
        // themselves each start a run, in file order, so that `la_blocks` finds the LA's blocks in that order.
        let alike = plans.windows(2).all(|w| w[0].1.alike(&w[1].1));
        for (file, plan) in plans {
            match runs.iter_mut().find(|run| alike && run.plan.alike(&plan)) {
                Some(run) => run.files.push(file),
                None => runs.push(FileRun {
                    files: vec![file],
                    plan,
                }),
            }
        }
    }
    let table_dir = inventory.data_dir.join(table.name);
    let mut frames = Vec::new();
    for run in runs {
        let scanned = run.scan(&table_dir)?;
        let mut exprs = vec![col(LA_CODE)];
        for (spec, normalised) in run.plan.columns {
            if let Some((failed, kind)) = normalised.failed {
                let check = checks.entry((spec.name, kind)).or_insert_with(|| Check {
                    column: spec.name,
                    kind,
                    flag: format!("__bad__{kind}__{}", spec.name),
                    raw: format!("__raw__{kind}__{}", spec.name),
                });
                exprs.push(failed.clone().fill_null(false).alias(check.flag.as_str()));
                exprs.push(
                    when(failed)
                        .then(normalised.raw_text.clone())
                        .otherwise(lit(NULL).cast(DataType::String))
                        .alias(check.raw.as_str()),
                );
            }
            exprs.push(normalised.value.alias(spec.name));
        }
        frames.push(scanned.select(exprs));
    }
    let polars_err = |source| SnapshotError::Polars {
        table: table.name.into(),
        source,
    };
    let union = UnionArgs {
        diagonal: true,
        to_supertypes: true,
        ..Default::default()
    };
    let mut lf = concat(frames, union).map_err(polars_err)?;
    for spec in &columns {
        let table_maps: Vec<&ValueMap> = maps
            .iter()
            .filter(|m| m.table.name == table.name && m.column == spec.name)
            .collect();
        if table_maps.is_empty() {
            continue;
        }
        let check = Check {
            column: spec.name,
            kind: FindingKind::UnmappedCode,
            flag: format!("__bad__unmapped__{}", spec.name),
            raw: format!("__raw__unmapped__{}", spec.name),
        };
        lf = value_maps::apply(lf, spec.name, &table_maps, &check.flag, &check.raw)
            .map_err(polars_err)?;
        checks.insert((spec.name, FindingKind::UnmappedCode), check);
    }
    let order: Vec<&str> = las.iter().map(|l| l.la_code.as_str()).collect();
    let (mut df, blocks) =
        la_blocks::la_blocks(lf.collect().map_err(polars_err)?, &order).map_err(polars_err)?;
    let names = df.get_column_names_owned();
    let present: Vec<&Check> = checks
        .values()
        .filter(|c| names.iter().any(|n| n.as_str() == c.flag))
        .collect();
    if !present.is_empty() {
        let flagged: Vec<Flagged> = present
            .iter()
            .map(|c| Flagged {
                column: c.column,
                kind: c.kind,
                flag: col(c.flag.as_str()),
                raw: col(c.raw.as_str()),
            })
            .collect();
        report_flagged(&df, table, las, &flagged, &mut findings).map_err(polars_err)?;
        let helpers: Vec<&str> = present
            .iter()
            .flat_map(|c| [c.flag.as_str(), c.raw.as_str()])
            .collect();
        df = df.drop_many(helpers);
    }
    let df = plausible::implausible_dates(df, table, &columns, las, &mut findings)
        .map_err(polars_err)?;
    empty_columns(&df, &blocks, table, &columns, las, &mut findings).map_err(polars_err)?;
    let mut df = dedupe_ids(df, &blocks, table, las, &mut findings).map_err(polars_err)?;
    // One chunk per column, made once here: the table comes from many files, and every query that groups or joins
    // it would otherwise copy its chunks into one again.
    df.rechunk_mut_par();
    Ok(LoadedTable {
        df,
        findings,
        absent_columns,
    })
}

/// Rows of a loaded table that a check flags, as expressions over it.
struct Flagged {
    column: &'static str,
    kind: FindingKind,
    /// True on the rows the check flags.
    flag: Expr,
    /// The raw value to show as the example.
    raw: Expr,
}

/// One finding per check and LA with flagged rows: their count and the first one as the example. One pass: the
/// rows any check flags, then per LA each check's count and first example.
fn report_flagged(
    df: &DataFrame,
    table: &'static TableSpec,
    las: &[LaSnapshot],
    checks: &[Flagged],
    findings: &mut Vec<Finding>,
) -> PolarsResult<()> {
    let any_flagged = checks
        .iter()
        .fold(lit(false), |acc, c| acc.or(c.flag.clone()));
    let mut aggregates = Vec::new();
    for (i, c) in checks.iter().enumerate() {
        aggregates.extend([
            c.flag
                .clone()
                .sum()
                .cast(DataType::UInt64)
                .alias(format!("__count{i}")),
            c.raw
                .clone()
                .filter(c.flag.clone())
                .first()
                .cast(DataType::String)
                .alias(format!("__raw{i}")),
            col(table.record_id)
                .filter(c.flag.clone())
                .first()
                .alias(format!("__id{i}")),
        ]);
    }
    let found = df
        .clone()
        .lazy()
        .filter(any_flagged)
        .group_by_stable([col(LA_CODE)])
        .agg(aggregates)
        .collect()?;
    for (i, check) in checks.iter().enumerate() {
        for row in 0..found.height() {
            let count = cell_u64(&found, &format!("__count{i}"), row);
            if count == 0 {
                continue;
            }
            let la = cell_str(&found, LA_CODE, row).unwrap_or_default();
            let raw_value = if table.is_sensitive(check.column) {
                "<redacted>".to_string()
            } else {
                cell_str(&found, &format!("__raw{i}"), row).unwrap_or_default()
            };
            let id = cell_str(&found, &format!("__id{i}"), row);
            findings.push(Finding {
                table: table.name.into(),
                column: Some(check.column.into()),
                snapshot_date: las
                    .iter()
                    .find(|l| l.la_code == la)
                    .map(|l| l.snapshot_date),
                la_code: Some(la),
                kind: check.kind,
                count,
                example: Some(example(table, id, &raw_value)),
                message: finding_message(check.kind, check.column),
            });
        }
    }
    Ok(())
}

/// Below this many rows, a required column empty in every row may be true (every plan still open); from it on, it
/// is reported.
const EMPTY_COLUMN_MIN_ROWS: u32 = 10;

/// Reports each required column that is null in every row of an LA's table of at least
/// [`EMPTY_COLUMN_MIN_ROWS`] rows, so that an extract that lost a column is not read as zero activity.
fn empty_columns(
    df: &DataFrame,
    blocks: &[LaBlock],
    table: &'static TableSpec,
    columns: &[&'static contract::ColumnSpec],
    las: &[LaSnapshot],
    findings: &mut Vec<Finding>,
) -> PolarsResult<()> {
    let required: Vec<&Column> = columns
        .iter()
        .filter(|c| c.required)
        .filter_map(|c| df.column(c.name).ok())
        .collect();
    for block in blocks {
        let rows = block.len as u64;
        if rows < EMPTY_COLUMN_MIN_ROWS as u64 {
            continue;
        }
        let la = &block.la_code;
        for column in &required {
            if block.of(column).null_count() == block.len {
                let column = column.name();
                findings.push(Finding {
                    table: table.name.into(),
                    column: Some(column.to_string()),
                    snapshot_date: las.iter().find(|l| l.la_code == *la).map(|l| l.snapshot_date),
                    la_code: Some(la.clone()),
                    kind: FindingKind::EmptyColumn,
                    count: rows,
                    example: None,
                    message: format!(
                        "`{column}` is empty in every one of the LA's {rows} rows: the indicators that read it count nothing for this LA. Check that the extract fills it"
                    ),
                });
            }
        }
    }
    Ok(())
}

/// Keeps the first row of each record id per LA, reporting repeated ids.
fn dedupe_ids(
    df: DataFrame,
    blocks: &[LaBlock],
    table: &TableSpec,
    las: &[LaSnapshot],
    findings: &mut Vec<Finding>,
) -> PolarsResult<DataFrame> {
    // Most extracts repeat no id: each LA's ids in increasing order (as extracts often come), or else its count of
    // distinct ids, settles that without grouping every row by id.
    let ids = df.column(table.record_id)?;
    let mut repeating = Vec::new();
    for block in blocks {
        let ids = block.of(ids);
        if !strictly_increasing(&ids)? && ids.n_unique()? < block.len {
            repeating.push(block.la_code.clone());
        }
    }
    if repeating.is_empty() {
        return Ok(df);
    }
    let repeating = Series::new("las".into(), repeating);
    let dupes = df
        .clone()
        .lazy()
        .filter(col(LA_CODE).is_in(lit(repeating).implode(false), false))
        .group_by_stable([col(LA_CODE), col(table.record_id)])
        .agg([len().alias("n")])
        .filter(col("n").gt(lit(1)))
        .group_by_stable([col(LA_CODE)])
        .agg([
            (col("n") - lit(1)).sum().alias("count"),
            col(table.record_id).first(),
        ])
        .collect()?;
    if dupes.height() == 0 {
        return Ok(df);
    }
    for row in 0..dupes.height() {
        let la = cell_str(&dupes, LA_CODE, row).unwrap_or_default();
        findings.push(Finding {
            table: table.name.into(),
            column: Some(table.record_id.into()),
            snapshot_date: las.iter().find(|l| l.la_code == la).map(|l| l.snapshot_date),
            la_code: Some(la),
            kind: FindingKind::DuplicateId,
            count: cell_u64(&dupes, "count", row),
            example: Some(example(table, cell_str(&dupes, table.record_id, row), "repeated")),
            message: format!(
                "rows repeat a `{}` already seen; only the first row of each id is used. Fix the extract so ids are unique",
                table.record_id
            ),
        });
    }
    df.lazy()
        .unique_stable(
            Some(cols([
                PlSmallStr::from(LA_CODE),
                PlSmallStr::from(table.record_id),
            ])),
            UniqueKeepStrategy::First,
        )
        .collect()
}

/// Whether every value is greater than the one before (so none repeats): a comparison of neighbours, much cheaper
/// than hashing every value. False when a value is missing.
fn strictly_increasing(values: &Column) -> PolarsResult<bool> {
    let rows = values.len();
    if values.null_count() > 0 {
        return Ok(false);
    }
    if rows < 2 {
        return Ok(true);
    }
    let values = values.as_materialized_series();
    Ok(values
        .slice(1, rows - 1)
        .gt(&values.slice(0, rows - 1))?
        .all())
}

fn accepted_types(logical: contract::Logical) -> &'static str {
    use contract::Logical::*;
    match logical {
        Id | Code => "text or an integer",
        Text => "text",
        Date => "a Date32, a timestamp, or text YYYY-MM-DD / DD/MM/YYYY",
        Datetime => "a timestamp, a Date32, or text YYYY-MM-DD HH:MM:SS",
        Flag => "text Y/N or a boolean",
        Number => "an integer or a float",
    }
}

fn finding_message(kind: FindingKind, column: &str) -> String {
    match kind {
        FindingKind::UnparseableDate | FindingKind::UnparseableDatetime => format!(
            "`{column}` values that are not dates (YYYY-MM-DD or DD/MM/YYYY) were read as unknown; rows are kept. Correct them at source"
        ),
        FindingKind::ImplausibleDate => format!(
            "`{column}` dates before {} or after {} were read as unknown (an end date so read counts as open). Correct them at source",
            plausible::PLAUSIBLE_YEARS.0,
            plausible::PLAUSIBLE_YEARS.1
        ),
        FindingKind::InvalidText => format!(
            "`{column}` values that are not UTF-8 text were read as unknown. Export the column as UTF-8 text"
        ),
        FindingKind::InvalidFlag => format!(
            "`{column}` values other than Y, N, NA or empty were read as unknown. Correct them at source"
        ),
        FindingKind::InvalidNumber => format!(
            "`{column}` values that are not numbers were read as unknown. Correct them at source"
        ),
        FindingKind::UnmappedCode => format!(
            "`{column}` values that no value map in the catalogue names were read as unknown. Add them to the catalogue's value_maps"
        ),
        _ => format!("problem in `{column}`"),
    }
}

/// An example that names the record but never a person or a date of birth.
fn example(table: &TableSpec, id: Option<String>, value: &str) -> String {
    match id {
        Some(id) if !table.is_sensitive(table.record_id) => {
            format!("{}={id}: {value:?}", table.record_id)
        }
        _ => format!("{value:?}"),
    }
}

/// One cell as text, if present.
pub(crate) fn cell_str(df: &DataFrame, column: &str, row: usize) -> Option<String> {
    let value = df.column(column).ok()?.get(row).ok()?;
    match value {
        AnyValue::Null => None,
        AnyValue::String(s) => Some(s.to_string()),
        AnyValue::StringOwned(s) => Some(s.to_string()),
        other => Some(other.to_string()),
    }
}

/// One cell as an unsigned count (0 when absent).
pub(crate) fn cell_u64(df: &DataFrame, column: &str, row: usize) -> u64 {
    df.column(column)
        .ok()
        .and_then(|c| c.get(row).ok())
        .and_then(|v| v.extract::<u64>())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::strictly_increasing;
    use polars::prelude::*;

    fn ids(values: &[Option<&str>]) -> Column {
        Column::new("id".into(), values)
    }

    #[test]
    fn ids_in_increasing_order_repeat_none_and_anything_else_goes_to_the_full_count() {
        let yes = |v: &[Option<&str>]| strictly_increasing(&ids(v)).unwrap();
        assert!(yes(&[Some("R1"), Some("R2"), Some("R3")]));
        assert!(yes(&[Some("R1")]));
        assert!(yes(&[]));
        // A repeat next to itself, ids out of order (which may or may not repeat), a missing id: not settled here.
        assert!(!yes(&[Some("R1"), Some("R1"), Some("R2")]));
        assert!(!yes(&[Some("R2"), Some("R1"), Some("R3")]));
        assert!(!yes(&[Some("R1"), None, Some("R3")]));
    }
}
