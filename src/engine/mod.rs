//! The engine: compiles each catalogue indicator to Polars lazy plans over all LAs and months at once, and
//! computes numerator, denominator and value on the LA x month spine.

mod rows;
mod spine;
mod steps;
mod windows;

pub use spine::{RangeRequest, Spine, last_complete_month};

use crate::calendar::WorkingDays;
use crate::catalogue::{Catalogue, Indicator, Unit};
use crate::quality::Finding;
use crate::reference::Reference;
use crate::snapshot::Snapshot;
use polars::prelude::*;
use std::collections::BTreeMap;
use steps::StepContext;

/// Why indicators could not be computed.
#[allow(missing_docs)] // Variant fields are named for what they hold; the variant's doc says the rest.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A table was not loaded (a bug: the catalogue lists every table it uses).
    #[error("table `{0}` was not loaded")]
    TableNotLoaded(String),
    /// Polars failed while computing an indicator.
    #[error("indicator `{indicator}` (catalogue line {line}) could not be computed")]
    Indicator {
        indicator: String,
        line: u64,
        source: PolarsError,
    },
    /// Polars failed outside any one indicator.
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

/// Percentages and means over this many rows or fewer are flagged, as the DfE suppresses them when publishing.
const SMALL_DENOMINATOR: f64 = 5.0;

/// The loaded tables, by name.
pub(crate) struct Tables(BTreeMap<&'static str, DataFrame>);

impl Tables {
    fn get(&self, name: &str) -> Result<LazyFrame, EngineError> {
        self.0
            .get(name)
            .map(|df| df.clone().lazy())
            .ok_or_else(|| EngineError::TableNotLoaded(name.into()))
    }
}

/// The computed indicator values and what the computation found.
#[derive(Debug)]
pub struct Computed {
    /// `la_code, month, indicator_id, window, breakdown, breakdown_value, numerator, denominator, value, flags`.
    pub values: DataFrame,
    /// Problems found while computing.
    pub findings: Vec<Finding>,
    /// Seconds each indicator took to compute (building its plan and collecting it), in catalogue order.
    pub seconds_by_indicator: Vec<(String, f64)>,
}

/// Computes every indicator of the catalogue for every LA and month of the spine. Takes the snapshot's tables and
/// drops each after the last indicator that reads it, so that memory shrinks as the run goes on.
pub fn compute(
    catalogue: &Catalogue,
    snapshot: &mut Snapshot,
    reference: &Reference,
    spine: &Spine,
) -> Result<Computed, EngineError> {
    let working_days = WorkingDays::new(
        catalogue.calendar.working_week,
        reference.bank_holidays.clone(),
    );
    let mut tables = Tables(std::mem::take(&mut snapshot.tables));
    let mut last_reader: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, indicator) in catalogue.indicators.iter().enumerate() {
        for table in indicator
            .columns_used
            .keys()
            .chain(indicator.columns_if_present.keys())
        {
            last_reader.insert(table, i);
        }
    }
    let months = spine.months()?;
    let mut findings = Vec::new();
    let population = population(reference, spine, &mut findings)?;
    let mut frames = Vec::new();
    let mut seconds_by_indicator = Vec::new();
    let mut shared = rows::SharedRows::for_indicators(&catalogue.indicators);
    for (i, indicator) in catalogue.indicators.iter().enumerate() {
        let _span = tracing::info_span!("indicator", id = indicator.id.as_str()).entered();
        let started = std::time::Instant::now();
        let ctx = StepContext {
            tables: &tables,
            working_days: &working_days,
            open_at_date: catalogue.calendar.open_at_date,
            table: indicator.rows.table,
            months: Some((spine.calc_from.index(), spine.report_to().index())),
        };
        let wrap = |source| EngineError::Indicator {
            indicator: indicator.id.clone(),
            line: indicator.at.line,
            source,
        };
        let computed = indicator_plan(
            indicator,
            &ctx,
            spine,
            &months,
            &population,
            &mut shared,
            &mut findings,
        )?;
        let df = computed.collect().map_err(wrap)?;
        let seconds = started.elapsed().as_secs_f64();
        tracing::debug!(rows = df.height(), seconds, "computed");
        seconds_by_indicator.push((indicator.id.clone(), seconds));
        tables
            .0
            .retain(|name, _| last_reader.get(name).is_some_and(|last| *last > i));
        frames.push(df.lazy());
    }
    let values = concat(frames, UnionArgs::default())?.collect()?;
    let values = drop_not_computable(values, catalogue, snapshot, &mut findings)?;
    let values = flag_current_status(values, catalogue, snapshot)?;
    Ok(Computed {
        values,
        findings: dedupe(findings),
        seconds_by_indicator,
    })
}

fn indicator_plan(
    indicator: &Indicator,
    ctx: &StepContext,
    spine: &Spine,
    months: &DataFrame,
    population: &DataFrame,
    shared: &mut rows::SharedRows,
    findings: &mut Vec<Finding>,
) -> Result<LazyFrame, EngineError> {
    let wrap = |source| EngineError::Indicator {
        indicator: indicator.id.clone(),
        line: indicator.at.line,
        source,
    };
    let mut prepared = rows::prepare(indicator, ctx, spine, months, shared, findings)?;
    prepared.rows = prepared.rows.cache();
    let mut parts = vec![
        windows::components(&prepared, indicator, None, spine, months)
            .map_err(wrap)?
            .with_column(lit(NULL).cast(DataType::String).alias("breakdown")),
    ];
    for b in &indicator.breakdowns {
        let part =
            windows::components(&prepared, indicator, Some(b), spine, months).map_err(wrap)?;
        parts.push(part.with_column(lit(b.name.clone()).alias("breakdown")));
    }
    let lf = concat(parts, UnionArgs::default()).map_err(wrap)?;
    let safe_div = |num: Expr, den: Expr, scale: f64| {
        when(den.clone().is_null().or(den.clone().eq(lit(0.0))))
            .then(lit(NULL).cast(DataType::Float64))
            .otherwise(lit(scale) * num / den)
    };
    let no_flags = lit(NULL).cast(DataType::String);
    let lf = match indicator.unit {
        Unit::Count => lf.with_columns([
            col("num").alias("numerator"),
            lit(NULL).cast(DataType::Float64).alias("denominator"),
            col("num").alias("value"),
            no_flags.alias("flags"),
        ]),
        Unit::Mean => lf.with_columns([
            col("num").alias("numerator"),
            col("den").alias("denominator"),
            safe_div(col("num"), col("den"), 1.0).alias("value"),
            no_flags.alias("flags"),
        ]),
        Unit::Percent | Unit::Days => {
            let scale = if indicator.unit == Unit::Percent {
                100.0
            } else {
                1.0
            };
            lf.with_columns([
                col("num").alias("numerator"),
                col("den").alias("denominator"),
                safe_div(col("num"), col("den"), scale).alias("value"),
                when(
                    col("den")
                        .gt_eq(lit(1.0))
                        .and(col("den").lt_eq(lit(SMALL_DENOMINATOR))),
                )
                .then(lit("small_denominator"))
                .otherwise(no_flags)
                .alias("flags"),
            ])
        }
        Unit::RatePer10k => lf
            .with_column(
                spine::financial_year_of(col("month"), spine.financial_years).alias("__fy"),
            )
            .join(
                population.clone().lazy(),
                [col("la_code"), col("__fy")],
                [col("la_code"), col("__fy")],
                JoinArgs::new(JoinType::Left),
            )
            .with_columns([
                col("num").alias("numerator"),
                col("population").alias("denominator"),
                safe_div(col("num"), col("population"), 10_000.0).alias("value"),
                when(col("population").is_null())
                    .then(lit("population_missing"))
                    .when(col("population_year").neq(col("__fy")))
                    .then(lit("population_from_") + col("population_year").cast(DataType::String))
                    .otherwise(no_flags)
                    .alias("flags"),
            ]),
    };
    Ok(lf.select([
        col("la_code"),
        col("month"),
        lit(indicator.id.clone()).alias("indicator_id"),
        col("window"),
        col("breakdown"),
        col("breakdown_value"),
        col("numerator"),
        col("denominator"),
        col("value"),
        col("flags"),
    ]))
}

/// Population aged 0-17 per LA and financial-year start year: the mid-year estimate of the year the financial
/// year starts in, else the latest earlier one (flagged).
fn population(
    reference: &Reference,
    spine: &Spine,
    findings: &mut Vec<Finding>,
) -> PolarsResult<DataFrame> {
    let pop = &reference.population;
    let la = pop.column("la_code")?.str()?;
    let year = pop.column("mid_year")?.i32()?;
    let count = pop.column("age_0_17")?.f64()?;
    let mut by_la: BTreeMap<String, BTreeMap<i32, f64>> = BTreeMap::new();
    for i in 0..pop.height() {
        if let (Some(l), Some(y), Some(c)) = (la.get(i), year.get(i), count.get(i)) {
            by_la.entry(l.to_string()).or_default().insert(y, c);
        }
    }
    let fy = spine.financial_years;
    let (first, last) = (
        fy.start_year(spine.calc_from),
        fy.start_year(spine.report_to()),
    );
    let reported_from = fy.start_year(spine.report_from);
    let (mut las, mut fys, mut pops, mut years) = (vec![], vec![], vec![], vec![]);
    for la in spine.last_month.keys() {
        let known = by_la.get(la);
        for y in first..=last {
            match known.and_then(|k| k.range(..=y).next_back()) {
                Some((py, p)) => {
                    las.push(la.clone());
                    fys.push(y);
                    pops.push(*p);
                    years.push(*py);
                    if *py != y && y >= reported_from {
                        findings.push(population_finding(
                            la,
                            "population_fallback",
                            format!("mid_year {y} missing; {py} used"),
                            format!("no mid-{y} population for this LA: rates for {y}-{:02} use mid-{py} and are flagged. Add the estimate to reference/population", (y + 1) % 100),
                        ));
                    }
                }
                None if y >= reported_from => findings.push(population_finding(
                    la,
                    "population_missing",
                    format!("mid_year {y}"),
                    "no population for this LA in or before this year: its rates are null. Add it to reference/population".into(),
                )),
                None => {}
            }
        }
    }
    df!("la_code" => las, "__fy" => fys, "population" => pops, "population_year" => years)
}

/// A finding about an LA's population estimates.
fn population_finding(la: &str, kind: &'static str, example: String, message: String) -> Finding {
    Finding {
        table: "population".into(),
        column: Some("age_0_17".into()),
        la_code: Some(la.to_string()),
        snapshot_date: None,
        kind,
        count: 1,
        example: Some(example),
        message,
    }
}

/// Removes the rows of indicators that read an optional column an LA's extract lacks, reporting each.
fn drop_not_computable(
    values: DataFrame,
    catalogue: &Catalogue,
    snapshot: &Snapshot,
    findings: &mut Vec<Finding>,
) -> PolarsResult<DataFrame> {
    let (mut las, mut ids) = (Vec::new(), Vec::new());
    for ((la, table), absent) in &snapshot.absent_columns {
        for indicator in &catalogue.indicators {
            let Some(used) = indicator.columns_used.get(table) else {
                continue;
            };
            let missing: Vec<&str> = used.intersection(absent).map(String::as_str).collect();
            if missing.is_empty() {
                continue;
            }
            las.push(la.clone());
            ids.push(indicator.id.clone());
            findings.push(Finding {
                table: table.to_string(),
                column: Some(missing.join(", ")),
                la_code: Some(la.clone()),
                snapshot_date: snapshot.las.iter().find(|l| &l.la_code == la).map(|l| l.snapshot_date),
                kind: "not_computable",
                count: 1,
                example: Some(indicator.id.clone()),
                message: format!(
                    "indicator `{}` is not computable for this LA: its extract lacks optional column(s) {}; no rows are written for it. Add the column(s) to the extract",
                    indicator.id,
                    missing.join(", ")
                ),
            });
        }
    }
    if las.is_empty() {
        return Ok(values);
    }
    let drop = df!("la_code" => las, "indicator_id" => ids)?;
    values
        .lazy()
        .join(
            drop.lazy(),
            [col("la_code"), col("indicator_id")],
            [col("la_code"), col("indicator_id")],
            JoinArgs::new(JoinType::Anti),
        )
        .collect()
}

/// Adds the flag `current_status` to the months before each LA's snapshot month of the indicators that read a
/// current-status column: those values come from the data as it stands today, not as it was then.
fn flag_current_status(
    values: DataFrame,
    catalogue: &Catalogue,
    snapshot: &Snapshot,
) -> PolarsResult<DataFrame> {
    let ids: Vec<String> = catalogue
        .indicators
        .iter()
        .filter(|i| i.reads_current_status)
        .map(|i| i.id.clone())
        .collect();
    if ids.is_empty() {
        return Ok(values);
    }
    let las = df!(
        "la_code" => snapshot.las.iter().map(|l| l.la_code.clone()).collect::<Vec<_>>(),
        "__snapshot_month" => snapshot
            .las
            .iter()
            .map(|l| crate::calendar::Month::of(l.snapshot_date).index())
            .collect::<Vec<_>>(),
    )?;
    let ids = Series::new("ids".into(), ids);
    let flagged = col("indicator_id")
        .is_in(lit(ids).implode(false), false)
        .and(col("month").lt(col("__snapshot_month")));
    values
        .lazy()
        .join(
            las.lazy(),
            [col("la_code")],
            [col("la_code")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            when(flagged.fill_null(false))
                .then(
                    when(col("flags").is_null())
                        .then(lit("current_status"))
                        .otherwise(col("flags") + lit(";current_status")),
                )
                .otherwise(col("flags"))
                .alias("flags"),
        )
        .drop(cols(["__snapshot_month"]))
        .collect()
}

/// Merges findings reported more than once (the same rows seen by several indicators).
fn dedupe(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for f in findings {
        let same = |o: &&mut Finding| {
            o.table == f.table
                && o.column == f.column
                && o.la_code == f.la_code
                && o.kind == f.kind
                && o.example == f.example
        };
        if !out.iter_mut().any(|o| same(&o)) {
            out.push(f);
        }
    }
    out
}
