//! `history`: each month's figures as the board first saw them, beside the same figures computed from today's
//! snapshot. Records entered late (a visit recorded a week after it happened, a plan closed retrospectively)
//! change a month's figure after it was reported; `history.parquet` shows by how much.
//!
//! For each LA, a month is first reported by the earliest kept snapshot whose last complete month it is (dated on
//! or after the month's last day and before the next month's last day). Each such snapshot is computed once, for
//! that month only, with the machinery of `run --as-of`; LAs whose first-reporting snapshot has the same date are
//! computed together.

use crate::common::calendar::Month;
use crate::compute::engine::{RangeRequest, last_complete_month};
use crate::compute::scorecard::keyed_join;
use crate::input::contract::LA_CODE;
use crate::input::snapshot::LaSnapshot;
use crate::output;
use crate::output::schema::{IDENTIFYING_COLUMNS, OUTPUT_COLUMNS, ROW_KEYS};
use crate::pipeline::{self, Error, RunInputs};
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// The columns of `history.parquet` after the output's identifying ones: the figures as first reported and now.
const FIGURES: [&str; 7] = [
    "first_snapshot_date",
    "first_value",
    "first_numerator",
    "first_denominator",
    "value",
    "revision",
    "revised",
];

/// The columns `history.parquet` has, in order: those naming the row as `indicators.parquet` does, then
/// [`FIGURES`].
pub fn history_columns() -> Vec<&'static str> {
    OUTPUT_COLUMNS[..IDENTIFYING_COLUMNS]
        .iter()
        .chain(FIGURES.iter())
        .copied()
        .collect()
}

/// Two values differing by no more than this (relative to their size, or absolutely below 1) are the same figure
/// computed twice: floating-point rounding, not a revision.
const SAME_FIGURE: f64 = 1e-9;

/// What `history` is asked to do.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    /// The snapshot data directory, with every kept snapshot.
    pub data_dir: PathBuf,
    /// The catalogue file.
    pub catalogue: PathBuf,
    /// Where `history.parquet` goes.
    pub out_dir: PathBuf,
    /// Only these LAs (all when empty).
    pub las: Vec<String>,
    /// Only these indicators, by catalogue id (all when empty).
    pub indicators: Vec<String>,
    /// LAs are loaded and computed in batches of about this many MiB of input Parquet.
    pub batch_input_mb: u64,
}

/// What `history` did.
#[derive(Debug, Clone)]
pub struct HistorySummary {
    /// LAs compared.
    pub las: usize,
    /// Rows written (every row of the latest snapshots' table).
    pub rows: usize,
    /// LA months that a kept snapshot first reported.
    pub first_reported: usize,
    /// Rows whose figure now differs from the first reported one.
    pub revised: usize,
    /// Snapshot dates computed for their first-reported month.
    pub snapshots_computed: usize,
    /// Where `history.parquet` is.
    pub path: PathBuf,
    /// Wall time.
    pub seconds: f64,
}

/// The first-reporting snapshot of each LA's months: month -> earliest snapshot date whose last complete month it
/// is, for the months from `from` to `to`.
fn first_reports(dates: &[NaiveDate], from: Month, to: Month) -> BTreeMap<Month, NaiveDate> {
    let mut out: BTreeMap<Month, NaiveDate> = BTreeMap::new();
    for date in dates {
        let month = last_complete_month(*date);
        if month < from || month > to {
            continue;
        }
        out.entry(month)
            .and_modify(|d| *d = (*d).min(*date))
            .or_insert(*date);
    }
    out
}

impl HistoryOptions {
    /// What both ways of making a history read: the catalogue, and every LA's latest snapshot with the rest kept.
    fn inputs(&self) -> Result<RunInputs, Error> {
        RunInputs::read(
            &self.catalogue,
            &self.indicators,
            &self.data_dir,
            None,
            &self.las,
        )
    }
}

/// Writes `<out>/history.parquet`, computing the latest snapshots' figures first.
pub fn history(options: &HistoryOptions) -> Result<HistorySummary, Error> {
    let started = Instant::now();
    let _lock = output::OutputLock::acquire(&options.out_dir)?;
    let inputs = options.inputs()?;
    let now = pipeline::compute(
        &inputs.catalogue,
        &inputs.inventory,
        &inputs.las,
        &inputs.reference,
        RangeRequest::default(),
        options.batch_input_mb,
        &mut (),
    )?;
    compare(options, &inputs, now.indicators, &now.spine, started)
}

/// Writes `<out>/history.parquet` beside a run just made in the same folder from the same data (its latest
/// snapshots, the default range): the run's `indicators.parquet` are the figures now, which are not computed again.
pub fn history_after_run(options: &HistoryOptions) -> Result<HistorySummary, Error> {
    let started = Instant::now();
    let _lock = output::OutputLock::acquire(&options.out_dir)?;
    let inputs = options.inputs()?;
    let path = options.out_dir.join("indicators.parquet");
    let file = std::fs::File::open(&path).map_err(|source| output::OutputError::Io {
        path: path.clone(),
        source,
    })?;
    let now = ParquetReader::new(file).finish()?;
    let spine = pipeline::spine_for(&inputs.catalogue, &inputs.las, RangeRequest::default())?;
    compare(options, &inputs, now, &spine, started)
}

/// Computes each LA month as first reported, joins it to `now` and writes the table.
fn compare(
    options: &HistoryOptions,
    inputs: &RunInputs,
    now: DataFrame,
    spine: &crate::compute::engine::Spine,
    started: Instant,
) -> Result<HistorySummary, Error> {
    let RunInputs {
        catalogue,
        inventory,
        las: latest,
        reference,
    } = inputs;
    let (from, to) = (spine.report_from, spine.report_to());

    // LAs whose month is first reported by a snapshot of the same date are computed together.
    let mut groups: BTreeMap<(NaiveDate, Month), Vec<LaSnapshot>> = BTreeMap::new();
    for la in latest {
        let dates = inventory.snapshot_dates(&la.la_code);
        let last = spine.last_month.get(&la.la_code).copied().unwrap_or(to);
        for (month, date) in first_reports(&dates, from, last) {
            groups.entry((date, month)).or_default().push(LaSnapshot {
                la_code: la.la_code.clone(),
                snapshot_date: date,
            });
        }
    }
    let first_reported = groups.values().map(Vec::len).sum();
    let mut firsts = Vec::with_capacity(groups.len());
    for ((date, month), las) in &groups {
        tracing::info!(snapshot_date = %date, month = %month, las = las.len(), "computing the month as first reported");
        let computed = pipeline::compute(
            catalogue,
            inventory,
            las,
            reference,
            RangeRequest {
                from: Some(*month),
                to: Some(*month),
            },
            options.batch_input_mb,
            &mut (),
        )?;
        firsts.push(
            computed
                .indicators
                .lazy()
                .filter(col("period_end").eq(lit(month.period_end())))
                .select(
                    ROW_KEYS
                        .map(col)
                        .into_iter()
                        .chain([
                            lit(crate::common::calendar::epoch_days(*date))
                                .cast(DataType::Date)
                                .alias("first_snapshot_date"),
                            col("value").alias("first_value"),
                            col("numerator").alias("first_numerator"),
                            col("denominator").alias("first_denominator"),
                        ])
                        .collect::<Vec<_>>(),
                ),
        );
    }
    let mut table = revisions(now.lazy(), firsts)?;
    let revised = table.column("revised")?.bool()?.sum().unwrap_or(0) as usize;
    let path = options.out_dir.join("history.parquet");
    let staged = output::stage_parquet(
        &path,
        &mut table,
        &crate::output::table::Footer::of(catalogue).entries,
    )?;
    staged.commit()?;
    Ok(HistorySummary {
        las: latest.len(),
        rows: table.height(),
        first_reported,
        revised,
        snapshots_computed: groups
            .keys()
            .map(|(d, _)| *d)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        path,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Every row of `now` with its first-reported figures (null where no kept snapshot first reported the month),
/// the revision (value minus first value; points for percentages) and whether the figure was revised.
fn revisions(now: LazyFrame, firsts: Vec<LazyFrame>) -> PolarsResult<DataFrame> {
    let keys = ROW_KEYS.map(col);
    let schema = Schema::from_iter([
        Field::new(LA_CODE.into(), DataType::String),
        Field::new("period_end".into(), DataType::Date),
        Field::new("indicator_id".into(), DataType::String),
        Field::new("window".into(), DataType::String),
        Field::new("breakdown".into(), DataType::String),
        Field::new("breakdown_value".into(), DataType::String),
        Field::new("first_snapshot_date".into(), DataType::Date),
        Field::new("first_value".into(), DataType::Float64),
        Field::new("first_numerator".into(), DataType::Float64),
        Field::new("first_denominator".into(), DataType::Float64),
    ]);
    let firsts = if firsts.is_empty() {
        DataFrame::empty_with_schema(&schema).lazy()
    } else {
        concat(firsts, UnionArgs::default())?
    };
    let args = keyed_join(JoinType::Left);
    let difference = col("value") - col("first_value");
    let same = difference
        .clone()
        .abs()
        .lt_eq(lit(SAME_FIGURE) * (col("value").abs().clip_min(lit(1.0))));
    let revised = when(col("first_snapshot_date").is_null())
        .then(lit(NULL).cast(DataType::Boolean))
        .when(col("value").is_null().and(col("first_value").is_null()))
        .then(lit(false))
        .when(col("value").is_null().or(col("first_value").is_null()))
        .then(lit(true))
        .otherwise(same.not());
    now.join(firsts, keys.clone(), keys, args)
        .with_columns([difference.alias("revision"), revised.alias("revised")])
        .select(history_columns().into_iter().map(col).collect::<Vec<_>>())
        // Each series' months in order: the row keys with the month last.
        .sort(
            ROW_KEYS
                .into_iter()
                .filter(|k| *k != "period_end")
                .chain(["period_end"])
                .collect::<Vec<_>>(),
            SortMultipleOptions::default().with_nulls_last(false),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_month_is_first_reported_by_the_earliest_snapshot_whose_last_complete_month_it_is() {
        let m = |s: &str| s.parse::<Month>().unwrap();
        let dates = [
            d("2024-03-31"),
            d("2024-04-02"),
            d("2024-04-29"),
            d("2024-04-30"),
            d("2024-06-01"),
        ];
        let firsts = first_reports(&dates, m("2024-01"), m("2024-12"));
        // 31 March is the last day of March, so March is complete on it; 30 April completes April; nothing
        // first reports February or May.
        assert_eq!(
            firsts.into_iter().collect::<Vec<_>>(),
            [
                (m("2024-03"), d("2024-03-31")),
                (m("2024-04"), d("2024-04-30")),
                (m("2024-05"), d("2024-06-01"))
            ]
        );
    }
}
