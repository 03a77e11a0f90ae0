//! The library API the CLI is a shell over: `run` computes and writes a scorecard table; `validate` checks a
//! catalogue, and optionally the data, without computing.

use crate::catalogue::{self, Catalogue, CatalogueError, CheckedCatalogue};
use crate::common::calendar::Month;
use crate::common::quality::Finding;
use crate::compute::engine::{self, EngineError, RangeRequest, Spine};
use crate::compute::scorecard;
use crate::input::contract::LA_CODE;
use crate::input::reference::{Reference, ReferenceError};
use crate::input::snapshot::{self, Inventory, LaSnapshot, SnapshotError};
use crate::output::manifest::{
    BatchRecord, CatalogueRecord, LaRecord, MonthRange, QuerySeconds, RUN_MANIFEST, RowCounts,
    RunManifest,
};
use crate::output::table::Footer;
use crate::output::{self, OutputError};
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Any error of a run, with the context of the stage that failed.
#[allow(missing_docs)] // Variant fields are named for what they hold; the variant's doc says the rest.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The catalogue is unreadable or invalid.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// The snapshot data is missing or unusable.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// A reference table is missing or unusable.
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// Computing an indicator failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Writing the outputs failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The reporting range is empty.
    #[error("the reporting range is empty: --from {from} is after the last complete month {to}")]
    EmptyRange { from: Month, to: Month },
    /// Polars failed while assembling the outputs.
    #[error("assembling the output failed")]
    Polars(#[from] PolarsError),
}

impl crate::failure::Failing for Error {
    fn failure(&self) -> crate::failure::Failure {
        use crate::failure::Failure;
        match self {
            Error::Catalogue(e) => e.failure(),
            Error::EmptyRange { .. } => Failure::BadCatalogueOrArguments,
            Error::Snapshot(e) => e.failure(),
            Error::Reference(e) => e.failure(),
            Error::Engine(e) => e.failure(),
            Error::Output(e) => e.failure(),
            Error::Polars(_) => Failure::Internal,
        }
    }
}

/// What `run` is asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The snapshot data directory.
    pub data_dir: PathBuf,
    /// The catalogue file.
    pub catalogue: PathBuf,
    /// Where the outputs go.
    pub out_dir: PathBuf,
    /// Use each LA's latest snapshot on or before this date.
    pub as_of: Option<NaiveDate>,
    /// The reporting range.
    pub range: RangeRequest,
    /// Only these LAs (all when empty).
    pub las: Vec<String>,
    /// Only these indicators, by catalogue id (all when empty).
    pub indicators: Vec<String>,
    /// LAs are loaded and computed in batches of about this many MiB of input Parquet, so that memory grows with
    /// the batch, not with the number of LAs.
    pub batch_input_mb: u64,
}

/// The default of [`RunOptions::batch_input_mb`]: about half a GiB in memory per batch, and the fastest on England-scale data.
pub const DEFAULT_BATCH_INPUT_MB: u64 = 64;

/// What a run did.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// LAs computed.
    pub las: usize,
    /// First and last reported month.
    pub months: (Month, Month),
    /// Indicators computed.
    pub indicators: usize,
    /// Rows written to `indicators.parquet`.
    pub rows: usize,
    /// Data-quality findings written.
    pub findings: usize,
    /// Wall time in seconds.
    pub seconds: f64,
    /// How many batches the LAs were loaded and computed in.
    pub batches: usize,
    /// The five queries that took longest to compute, slowest first: the indicators each computed (several when
    /// they share prepared rows) and its seconds. All are in `run.json`.
    pub slowest: Vec<(Vec<String>, f64)>,
    /// Where the outputs are.
    pub out_dir: PathBuf,
}

/// What a run reports as it goes, for a progress display. Every method does nothing unless implemented.
pub trait Progress {
    /// The LAs are about to be loaded and computed: this many, in this many batches.
    fn start(&mut self, _las: usize, _batches: usize) {}
    /// A stage begins: `loading` or `computing` batch `batch` (from 1), then `judging` and `writing`.
    fn stage(&mut self, _stage: &'static str, _batch: Option<usize>) {}
    /// A batch of this many LAs is computed.
    fn batch_done(&mut self, _las: usize) {}
}

/// No progress display.
impl Progress for () {}

/// Computes every indicator of the catalogue for every selected LA and month and writes the outputs.
pub fn run(options: &RunOptions) -> Result<RunSummary, Error> {
    run_with_progress(options, &mut ())
}

/// The indicators of a set of LA snapshots, judged, before anything is written: what `run` writes and what
/// `history` compares.
pub(crate) struct Computed {
    /// The indicator table (the columns of `indicators.parquet`).
    pub indicators: DataFrame,
    /// Every data-quality finding, each with its LA's snapshot date.
    pub findings: Vec<Finding>,
    /// The reporting range and each LA's last month.
    pub spine: Spine,
    /// How many batches the LAs were loaded and computed in.
    pub batches: usize,
    /// Seconds of each stage over all batches (`load`, `compute`, `judge`).
    pub timings: BTreeMap<&'static str, f64>,
    /// Seconds of each query, by the indicators it computed.
    pub seconds_by_query: BTreeMap<Vec<String>, f64>,
}

/// Loads and computes `las` batch by batch, then judges the values (targets, RAG, change, comparisons).
pub(crate) fn compute(
    catalogue: &CheckedCatalogue,
    inventory: &Inventory,
    las: &[LaSnapshot],
    reference: &Reference,
    range: RangeRequest,
    batch_input_mb: u64,
    progress: &mut dyn Progress,
) -> Result<Computed, Error> {
    let spine = spine_for(catalogue, las, range)?;
    tracing::info!(las = las.len(), from = %spine.report_from, to = %spine.report_to(), "reporting range");
    let batches = compute_batches(
        catalogue,
        inventory,
        las,
        reference,
        &spine,
        batch_input_mb,
        progress,
    )?;
    let values = concat(batches.values, UnionArgs::default())?.collect()?;
    progress.stage("judging", None);
    let stage = Instant::now();
    let indicators = scorecard::judge(values, catalogue, reference, &spine)?;
    let mut timings = batches.timings;
    timings.insert("judge", stage.elapsed().as_secs_f64());
    let mut findings = batches.findings;
    findings.extend(unknown_las(las, reference)?);
    for f in &mut findings {
        if f.snapshot_date.is_none() {
            f.snapshot_date = las
                .iter()
                .find(|l| Some(&l.la_code) == f.la_code.as_ref())
                .map(|l| l.snapshot_date);
        }
    }
    Ok(Computed {
        indicators,
        findings,
        spine,
        batches: batches.count,
        timings,
        seconds_by_query: batches.seconds_by_query,
    })
}

/// The values of every batch of LAs, before judging, with what loading and computing found and took.
struct Batches {
    /// Each batch's values.
    values: Vec<LazyFrame>,
    /// The snapshots' findings, then the computation's.
    findings: Vec<Finding>,
    /// How many batches.
    count: usize,
    /// Seconds of `load` and `compute` over all batches.
    timings: BTreeMap<&'static str, f64>,
    /// Seconds of each query, by the indicators it computed.
    seconds_by_query: BTreeMap<Vec<String>, f64>,
}

/// Loads and computes `las` in batches of about `batch_input_mb` of input, so that memory grows with the batch.
fn compute_batches(
    catalogue: &CheckedCatalogue,
    inventory: &Inventory,
    las: &[LaSnapshot],
    reference: &Reference,
    spine: &Spine,
    batch_input_mb: u64,
    progress: &mut dyn Progress,
) -> Result<Batches, Error> {
    let needed = catalogue.columns_by_table();
    let tables: Vec<&str> = needed.keys().copied().collect();
    let batches = inventory.batches(las, &tables, batch_input_mb * 1024 * 1024);
    tracing::info!(
        batches = batches.len(),
        "LAs are loaded and computed in batches"
    );
    progress.start(las.len(), batches.len());
    let (mut values, mut snapshot_findings, mut computed_findings) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut seconds_by_query: BTreeMap<Vec<String>, f64> = BTreeMap::new();
    let (mut load_seconds, mut compute_seconds) = (0.0, 0.0);
    for (i, batch) in batches.iter().enumerate() {
        progress.stage("loading", Some(i + 1));
        let stage = Instant::now();
        let mut snap = snapshot::load(inventory, batch, &needed, &catalogue.value_maps)?;
        let loaded = stage.elapsed().as_secs_f64();
        load_seconds += loaded;
        progress.stage("computing", Some(i + 1));
        let stage = Instant::now();
        let computed = engine::compute(catalogue, &mut snap, reference, &spine.only(batch))?;
        let computed_in = stage.elapsed().as_secs_f64();
        compute_seconds += computed_in;
        tracing::info!(
            batch = i + 1,
            of = batches.len(),
            las = batch.len(),
            load_seconds = format!("{loaded:.1}"),
            compute_seconds = format!("{computed_in:.1}"),
            "batch done"
        );
        progress.batch_done(batch.len());
        values.push(computed.values.lazy());
        snapshot_findings.append(&mut snap.findings);
        computed_findings.extend(computed.findings);
        for (ids, seconds) in computed.seconds_by_query {
            *seconds_by_query.entry(ids).or_default() += seconds;
        }
    }
    snapshot_findings.extend(computed_findings);
    Ok(Batches {
        values,
        findings: snapshot_findings,
        count: batches.len(),
        timings: BTreeMap::from([("load", load_seconds), ("compute", compute_seconds)]),
        seconds_by_query,
    })
}

/// [`run`], telling `progress` how far it is: its stages, in order.
pub fn run_with_progress(
    options: &RunOptions,
    progress: &mut dyn Progress,
) -> Result<RunSummary, Error> {
    let started = Instant::now();
    let _lock = output::OutputLock::acquire(&options.out_dir)?;
    let inputs = RunInputs::read(
        &options.catalogue,
        &options.indicators,
        &options.data_dir,
        options.as_of,
        &options.las,
    )?;
    let computed = compute(
        &inputs.catalogue,
        &inputs.inventory,
        &inputs.las,
        &inputs.reference,
        options.range,
        options.batch_input_mb,
        progress,
    )?;
    progress.stage("writing", None);
    write(options, &inputs, computed, started)
}

/// What a run (and a history) reads before computing: the checked catalogue, the snapshots found, the LAs
/// selected and the reference tables.
pub(crate) struct RunInputs {
    /// The catalogue, with only the indicators asked for.
    pub catalogue: CheckedCatalogue,
    /// Every snapshot under the data directory.
    pub inventory: Inventory,
    /// The selected LAs' snapshots.
    pub las: Vec<LaSnapshot>,
    /// The reference tables.
    pub reference: Reference,
}

impl RunInputs {
    /// Checks the catalogue (keeping `indicators` when some are named), finds the snapshots under `data_dir`,
    /// selects the LAs (each one's latest snapshot on or before `as_of`) and loads the reference tables.
    pub(crate) fn read(
        catalogue: &Path,
        indicators: &[String],
        data_dir: &Path,
        as_of: Option<NaiveDate>,
        las: &[String],
    ) -> Result<RunInputs, Error> {
        let mut catalogue = catalogue::load(catalogue)?;
        catalogue.keep_only(indicators)?;
        tracing::info!(
            indicators = catalogue.indicators.len(),
            hash = &catalogue.hash[..12],
            "catalogue checked"
        );
        let inventory = Inventory::discover(data_dir)?;
        let las = inventory.select(as_of, las)?;
        let reference = Reference::load(data_dir, &catalogue.calendar.bank_holidays_table)?;
        Ok(RunInputs {
            catalogue,
            inventory,
            las,
            reference,
        })
    }
}

/// Writes a run's outputs atomically: every file is staged first, and committed only when all are staged.
fn write(
    options: &RunOptions,
    inputs: &RunInputs,
    computed: Computed,
    started: Instant,
) -> Result<RunSummary, Error> {
    let Computed {
        mut indicators,
        findings,
        spine,
        batches,
        mut timings,
        seconds_by_query,
    } = computed;
    let stage = Instant::now();
    let mut quality = output::findings_frame(&findings)?;
    output::ensure_dir(&options.out_dir)?;
    let metadata = Footer::of(&inputs.catalogue).entries;
    let staged_quality = output::stage_parquet(
        &options.out_dir.join("data_quality.parquet"),
        &mut quality,
        &metadata,
    )?;
    let staged_indicators = output::stage_parquet(
        &options.out_dir.join("indicators.parquet"),
        &mut indicators,
        &metadata,
    )?;
    timings.insert("write", stage.elapsed().as_secs_f64());
    let summary = RunSummary {
        las: inputs.las.len(),
        months: (spine.report_from, spine.report_to()),
        indicators: inputs.catalogue.indicators.len(),
        rows: indicators.height(),
        findings: findings.len(),
        seconds: started.elapsed().as_secs_f64(),
        batches,
        out_dir: options.out_dir.clone(),
        slowest: slowest_first(&seconds_by_query)
            .into_iter()
            .take(5)
            .collect(),
    };
    let manifest = manifest(
        &inputs.catalogue,
        &inputs.las,
        &spine,
        &summary,
        &timings,
        &seconds_by_query,
        options,
    );
    let staged_manifest =
        output::stage_text(&options.out_dir.join(RUN_MANIFEST), &manifest.to_json())?;
    output::pause_before_commit();
    for staged in [staged_quality, staged_indicators, staged_manifest] {
        staged.commit()?;
    }
    Ok(summary)
}

/// What `validate` found.
#[derive(Debug, Clone)]
pub struct Validation {
    /// The checked catalogue.
    pub catalogue: CheckedCatalogue,
    /// The LA snapshots checked (empty without data).
    pub las: Vec<LaSnapshot>,
    /// Indicators that would not be computable for an LA, with the reason.
    pub not_computable: Vec<String>,
}

/// Checks the catalogue and, when a data directory is given, every file's schema and the reference tables.
pub fn validate(catalogue_path: &Path, data_dir: Option<&Path>) -> Result<Validation, Error> {
    let catalogue = catalogue::load(catalogue_path)?;
    let mut validation = Validation {
        catalogue,
        las: Vec::new(),
        not_computable: Vec::new(),
    };
    let Some(data_dir) = data_dir else {
        return Ok(validation);
    };
    let inventory = Inventory::discover(data_dir)?;
    let las = inventory.select(None, &[])?;
    Reference::load(data_dir, &validation.catalogue.calendar.bank_holidays_table)?;
    let absent = snapshot::check(&inventory, &las, &validation.catalogue.columns_by_table())?;
    for ((la, table), columns) in &absent {
        let names: Vec<&str> = columns.keys().map(String::as_str).collect();
        for (indicator, missing) in validation.catalogue.not_computable(table, &names) {
            let missing: Vec<String> = missing
                .iter()
                .map(|m| {
                    let hint = columns.get(*m).map_or("", String::as_str);
                    format!("`{m}`{hint}")
                })
                .collect();
            validation.not_computable.push(format!(
                "LA {la}: `{}` is not computable: `{table}` lacks optional column(s) {}",
                indicator.id,
                missing.join(", ")
            ));
        }
    }
    validation.las = las;
    Ok(validation)
}

/// The reporting range and each LA's last month, as a run over `las` reports them.
pub(crate) fn spine_for(
    catalogue: &Catalogue,
    las: &[LaSnapshot],
    range: RangeRequest,
) -> Result<Spine, Error> {
    let longest = catalogue
        .indicators
        .iter()
        .flat_map(|i| i.windows.all())
        .map(|w| match w {
            catalogue::Window::Rolling(n) => n,
            _ => 12,
        })
        .max()
        .unwrap_or(12);
    let spine = Spine::new(
        las,
        range,
        catalogue.financial_years_before_current,
        longest,
        catalogue.calendar.financial_years,
    );
    if spine.report_from > spine.report_to() {
        return Err(Error::EmptyRange {
            from: spine.report_from,
            to: spine.report_to(),
        });
    }
    Ok(spine)
}

/// LAs with data but no row in `local_authorities`: their names and regions are unknown.
fn unknown_las(las: &[LaSnapshot], reference: &Reference) -> PolarsResult<Vec<Finding>> {
    let known: Vec<&str> = reference
        .local_authorities
        .column(LA_CODE)?
        .str()?
        .iter()
        .flatten()
        .collect();
    Ok(las
        .iter()
        .filter(|l| !known.contains(&l.la_code.as_str()))
        .map(|l| Finding {
            table: "local_authorities".into(),
            column: Some(LA_CODE.into()),
            la_code: Some(l.la_code.clone()),
            snapshot_date: Some(l.snapshot_date),
            kind: crate::common::quality::FindingKind::UnknownLa,
            count: 1,
            example: Some(l.la_code.clone()),
            message: "the LA is not in reference/local_authorities: its name and region are null and it is in no regional comparison".into(),
        })
        .collect())
}

/// What the run records of itself in `run.json`.
fn manifest(
    catalogue: &Catalogue,
    las: &[LaSnapshot],
    spine: &Spine,
    summary: &RunSummary,
    timings: &BTreeMap<&'static str, f64>,
    seconds_by_query: &BTreeMap<Vec<String>, f64>,
    options: &RunOptions,
) -> RunManifest {
    let data_dir =
        std::fs::canonicalize(&options.data_dir).unwrap_or_else(|_| options.data_dir.clone());
    // Each indicator of a query is given an equal share of its time; the queries themselves are listed too.
    let indicator_seconds = seconds_by_query
        .iter()
        .flat_map(|(ids, s)| ids.iter().map(move |id| (id.clone(), s / ids.len() as f64)))
        .collect();
    RunManifest {
        status: "ok".into(),
        findings: summary.findings,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        catalogue: CatalogueRecord {
            path: catalogue.path.display().to_string(),
            version: catalogue.version.clone(),
            sha256: catalogue.hash.clone(),
            indicators: catalogue.indicators.len(),
        },
        data: Some(data_dir),
        las: las
            .iter()
            .map(|l| LaRecord {
                la_code: l.la_code.clone(),
                snapshot_date: l.snapshot_date,
                last_month: spine.last_month.get(&l.la_code).map(|m| m.to_string()),
            })
            .collect(),
        months: MonthRange {
            from: spine.report_from.to_string(),
            to: spine.report_to().to_string(),
        },
        rows: RowCounts {
            indicators: summary.rows,
            data_quality: summary.findings,
        },
        batches: BatchRecord {
            count: summary.batches,
            input_mb: options.batch_input_mb,
        },
        timings_seconds: timings.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        indicator_seconds,
        query_seconds: slowest_first(seconds_by_query)
            .into_iter()
            .map(|(indicators, seconds)| QuerySeconds {
                indicators,
                seconds,
            })
            .collect(),
        total_seconds: summary.seconds,
    }
}

/// The queries with their seconds, slowest first.
fn slowest_first(seconds_by_query: &BTreeMap<Vec<String>, f64>) -> Vec<(Vec<String>, f64)> {
    let mut by_time: Vec<(Vec<String>, f64)> = seconds_by_query
        .iter()
        .map(|(ids, s)| (ids.clone(), *s))
        .collect();
    by_time.sort_by(|a, b| b.1.total_cmp(&a.1));
    by_time
}
