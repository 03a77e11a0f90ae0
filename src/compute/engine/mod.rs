//! The engine: compiles each catalogue indicator to Polars lazy plans over all LAs and months at once, and
//! computes numerator, denominator and value on the LA x month spine.

mod checks;
mod date_arithmetic;
mod month_ends;
mod passes;
mod person_keys;
mod rows;
mod sorted_scans;
mod spine;
mod steps;
mod windows;

pub use date_arithmetic::month_of;
pub use spine::{RangeRequest, Spine, last_complete_month};

use crate::catalogue::{self, Catalogue, CheckedCatalogue, Indicator, Measure};
use crate::common::calendar::WorkingDays;
use crate::common::quality::{Finding, FindingKind};
use crate::input::contract::LA_CODE;
use crate::input::reference::Reference;
use crate::input::snapshot::Snapshot;
use crate::output::schema::{COMPUTED_COLUMNS, Flag};
use checks::CheckPlan;
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
    /// `explain` was asked for an indicator the catalogue does not declare.
    #[error("the catalogue declares no indicator `{id}`{hint}")]
    UnknownIndicator { id: String, hint: String },
    /// Polars failed outside any one indicator.
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

impl crate::failure::Failing for EngineError {
    fn failure(&self) -> crate::failure::Failure {
        use crate::failure::Failure;
        match self {
            EngineError::UnknownIndicator { .. } => Failure::BadCatalogueOrArguments,
            EngineError::TableNotLoaded(_)
            | EngineError::Indicator { .. }
            | EngineError::Polars(_) => Failure::Internal,
        }
    }
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
    /// Wall seconds each query took to execute (queries run side by side, so these overlap), in catalogue order,
    /// with the indicators it computed (several when they share prepared rows, such as a cohort's).
    pub seconds_by_query: Vec<(Vec<String>, f64)>,
}

/// Computes every indicator of the catalogue for every LA and month of the spine: compiles the catalogue to one
/// plan per indicator, then executes them. Takes the snapshot's tables; each is freed once the last plan that reads
/// it has run, so that memory shrinks as the run goes on.
pub fn compute(
    catalogue: &CheckedCatalogue,
    snapshot: &mut Snapshot,
    reference: &Reference,
    spine: &Spine,
) -> Result<Computed, EngineError> {
    let mut tables = std::mem::take(&mut snapshot.tables);
    let coding = std::time::Instant::now();
    person_keys::replace_person_columns(&mut tables)?;
    tracing::debug!(seconds = coding.elapsed().as_secs_f64(), "person keys made");
    let tables = Tables(tables);
    let mut findings = Vec::new();
    let population = population(reference, spine, &mut findings)?;
    let working_days = WorkingDays::new(
        catalogue.calendar.working_week,
        reference.bank_holidays.clone(),
    );
    let plans = compile(
        catalogue,
        &catalogue.indicators,
        &tables,
        &working_days,
        spine,
        &population,
    )?;
    drop(tables);
    let executed = execute(plans)?;
    findings.extend(executed.findings);
    let values = drop_not_computable(executed.values, catalogue, snapshot, &mut findings)?;
    let values = flag_current_status(values, catalogue, snapshot)?;
    Ok(Computed {
        values,
        findings: dedupe(findings),
        seconds_by_query: executed.seconds_by_query,
    })
}

/// One indicator compiled: the lazy plan of its values and the checks its steps declared. Plans read the loaded
/// tables and do no work until executed.
struct IndicatorPlan {
    id: String,
    line: u64,
    /// Indicators with the same key share prepared rows, and are executed together.
    shared_key: rows::SharedKey,
    values: LazyFrame,
    checks: Vec<CheckPlan>,
}

/// Compiles `indicators` (of `catalogue`) to their plans, in order. Pure: nothing is read or computed.
fn compile(
    catalogue: &Catalogue,
    indicators: &[Indicator],
    tables: &Tables,
    working_days: &WorkingDays,
    spine: &Spine,
    population: &DataFrame,
) -> Result<Vec<IndicatorPlan>, EngineError> {
    let months = spine.months()?;
    let mut shared = rows::SharedRows::new(indicators);
    indicators
        .iter()
        .map(|indicator| {
            let ctx = StepContext {
                tables,
                working_days,
                open_at_date: catalogue.calendar.open_at_date,
                table: indicator.rows.table,
                months: Some((spine.calc_from.index(), spine.report_to().index())),
                reported: (spine.report_from.index(), spine.report_to().index()),
                dated_by: match &indicator.rows.timing {
                    catalogue::Timing::Dated { date } => Some(date.as_str()),
                    _ => None,
                },
                placed: !matches!(indicator.rows.timing, catalogue::Timing::Dated { .. }),
            };
            let mut checks = Vec::new();
            let values = indicator_plan(
                indicator,
                &ctx,
                spine,
                &months,
                population,
                &mut shared,
                &mut checks,
            )?;
            Ok(IndicatorPlan {
                id: indicator.id.clone(),
                line: indicator.at.line,
                shared_key: rows::shared_key(indicator),
                values,
                checks,
            })
        })
        .collect()
}

/// What `explain` shows of one indicator: its definition as the engine reads it, then the Polars plan it compiles
/// to over tables of the contract's columns, before or after Polars optimises it (`optimized`). Needs no data.
pub fn explain(
    catalogue: &CheckedCatalogue,
    id: &str,
    optimized: bool,
) -> Result<String, EngineError> {
    let unknown = || EngineError::UnknownIndicator {
        id: id.to_string(),
        hint: crate::catalogue::suggest(id, catalogue.indicators.iter().map(|i| i.id.as_str())),
    };
    let indicator = catalogue
        .indicators
        .iter()
        .find(|i| i.id == id)
        .ok_or_else(unknown)?;
    // Compiled on its own, the indicator plans the rows it would share with others.
    let plan = plans_without_data(catalogue, std::slice::from_ref(indicator))?
        .pop()
        .ok_or_else(unknown)?;
    let wrap = |source| EngineError::Indicator {
        indicator: id.to_string(),
        line: indicator.at.line,
        source,
    };
    let polars_plan = if optimized {
        plan.values.describe_optimized_plan().map_err(wrap)?
    } else {
        plan.values.describe_plan().map_err(wrap)?
    };
    Ok(describe(
        indicator,
        &polars_plan,
        plan.checks.len(),
        optimized,
    ))
}

/// The plans of `indicators` over empty tables of the contract's columns, for a reporting month near today: what
/// `explain` shows and what `type_check` resolves.
fn plans_without_data(
    catalogue: &Catalogue,
    indicators: &[Indicator],
) -> Result<Vec<IndicatorPlan>, EngineError> {
    let mut tables = crate::input::snapshot::empty_tables(&catalogue.columns_by_table());
    person_keys::replace_person_columns(&mut tables)?;
    let tables = Tables(tables);
    let working_days = WorkingDays::new(catalogue.calendar.working_week, Vec::new());
    let month = last_complete_month(chrono::Local::now().date_naive());
    let range = RangeRequest {
        from: Some(month),
        to: Some(month),
    };
    let spine = Spine::new(&[], range, 0, 12, catalogue.calendar.financial_years);
    let population = df!(
        LA_CODE => Vec::<String>::new(),
        "__fy" => Vec::<i32>::new(),
        "population" => Vec::<f64>::new(),
        "population_year" => Vec::<i32>::new(),
    )?;
    compile(
        catalogue,
        indicators,
        &tables,
        &working_days,
        &spine,
        &population,
    )
}

/// Compiles every indicator over empty tables of the contract's columns and resolves each plan's types, before
/// any data is read: an expression Polars cannot type (a date compared with a number, a number used as a date) is
/// a catalogue problem at its indicator's line.
pub fn type_check(catalogue: &Catalogue) -> Result<(), crate::catalogue::CatalogueError> {
    let invalid = |problems| crate::catalogue::CatalogueError::Invalid {
        path: catalogue.path.clone(),
        problems,
    };
    let problem = |indicator: &Indicator, detail: String| crate::catalogue::Problem {
        line: indicator.at.line,
        column: indicator.at.column,
        message: format!("indicator `{}` does not type-check: {detail}", indicator.id),
    };
    let detail = |e: EngineError| match e {
        EngineError::Polars(source) | EngineError::Indicator { source, .. } => {
            crate::common::first_line(&source)
        }
        other => other.to_string(),
    };
    let mut problems = Vec::new();
    match plans_without_data(catalogue, &catalogue.indicators) {
        Ok(plans) => {
            for (mut plan, indicator) in plans.into_iter().zip(&catalogue.indicators) {
                if let Err(e) = plan.values.collect_schema() {
                    problems.push(problem(indicator, detail(e.into())));
                }
            }
        }
        Err(e) => {
            let at = match &e {
                EngineError::Indicator { indicator, .. } => {
                    catalogue.indicators.iter().find(|i| &i.id == indicator)
                }
                _ => None,
            };
            match at {
                Some(indicator) => problems.push(problem(indicator, detail(e))),
                None => problems.push(crate::catalogue::Problem {
                    line: 1,
                    column: 1,
                    message: format!("the catalogue does not compile: {}", detail(e)),
                }),
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(invalid(problems))
    }
}

/// The text of `explain`: the definition in the catalogue's words, then the Polars plan.
fn describe(indicator: &Indicator, polars_plan: &str, checks: usize, optimized: bool) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let rows = &indicator.rows;
    let _ = writeln!(
        out,
        "{} (line {}): {}",
        indicator.id, indicator.at.line, indicator.title
    );
    let _ = writeln!(out, "  definition: {}", indicator.definition);
    let windows: Vec<String> = indicator
        .windows
        .all()
        .iter()
        .map(|w| w.to_string())
        .collect();
    let _ = writeln!(out, "  unit: {}", indicator.measure);
    let _ = writeln!(
        out,
        "  polarity: {}, windows: [{}]",
        indicator.polarity.name(),
        windows.join(", ")
    );
    let _ = writeln!(out, "  rows: {}, {}", rows.table.name, rows.timing);
    if let Some(c) = &rows.cohort {
        let _ = writeln!(out, "  cohort: {} (steps 1 to {})", c.name, c.steps);
        if let Some(f) = &c.filter {
            let _ = writeln!(out, "  cohort where: {}", f.sql);
        }
    }
    let _ = writeln!(out, "  count: {}", rows.counting);
    for (i, step) in rows.steps.iter().enumerate() {
        let _ = writeln!(out, "  step {}: {step}", i + 1);
    }
    if let Some(f) = &rows.filter {
        let _ = writeln!(out, "  where: {}", f.sql);
    }
    for b in &indicator.breakdowns {
        let _ = writeln!(
            out,
            "  breakdown {}: {} in [{}]",
            b.name,
            b.column,
            b.categories.join(", ")
        );
    }
    let _ = writeln!(out, "  data-quality checks: {checks}");
    let which = if optimized { "optimized" } else { "as built" };
    let _ = writeln!(out, "\nPolars plan ({which}):\n{polars_plan}");
    out
}

/// What executing the plans gave.
struct Executed {
    values: DataFrame,
    findings: Vec<Finding>,
    seconds_by_query: Vec<(Vec<String>, f64)>,
}

/// Executes the plans: the indicators that share prepared rows together, as one Polars query with their checks (so
/// shared rows are computed once and the query's parts run in parallel). Groups run side by side, two at a time
/// (`workers`), taken in catalogue order of their first indicators, with results in that order. Each group's
/// plans are dropped once executed, freeing the tables no later group reads.
fn execute(plans: Vec<IndicatorPlan>) -> Result<Executed, EngineError> {
    let mut groups: Vec<Vec<IndicatorPlan>> = Vec::new();
    for plan in plans {
        match groups
            .iter_mut()
            .find(|g| g[0].shared_key == plan.shared_key)
        {
            Some(group) => group.push(plan),
            None => groups.push(vec![plan]),
        }
    }
    let mut executed = Executed {
        values: DataFrame::empty(),
        findings: Vec::new(),
        seconds_by_query: Vec::new(),
    };
    let mut frames = Vec::new();
    for group in crate::common::workers::in_order(groups, execute_group)? {
        executed.findings.extend(group.findings);
        executed.seconds_by_query.extend(group.seconds_by_query);
        frames.push(group.values.lazy());
    }
    if !frames.is_empty() {
        executed.values = concat(frames, UnionArgs::default())?.collect()?;
    }
    Ok(executed)
}

/// Executes one group of plans that share prepared rows, with their checks, as one Polars query.
fn execute_group(group: Vec<IndicatorPlan>) -> Result<Executed, EngineError> {
    let ids: Vec<String> = group.iter().map(|p| p.id.clone()).collect();
    let _span = tracing::info_span!("indicators", ids = ids.join(", ")).entered();
    let started = std::time::Instant::now();
    let checks: Vec<&CheckPlan> = group.iter().flat_map(|p| &p.checks).collect();
    let mut parts: Vec<LazyFrame> = group.iter().map(|p| p.values.clone()).collect();
    parts.extend(checks.iter().enumerate().map(|(i, c)| {
        c.found
            .clone()
            .with_column(lit(i as u32).alias(checks::CHECK))
    }));
    let union = UnionArgs {
        diagonal: true,
        to_supertypes: true,
        ..Default::default()
    };
    let df = concat(parts, union)
        .and_then(LazyFrame::collect)
        .map_err(|source| EngineError::Indicator {
            indicator: ids.join(", "),
            line: group[0].line,
            source,
        })?;
    let mut findings = Vec::new();
    let values = if checks.is_empty() {
        df
    } else {
        let is_check = col(checks::CHECK).is_not_null();
        let found = df.clone().lazy().filter(is_check.clone()).collect()?;
        for (i, check) in checks.iter().enumerate() {
            let mine = found
                .clone()
                .lazy()
                .filter(col(checks::CHECK).eq(lit(i as u32)))
                .collect()?;
            findings.extend(check.findings(&mine));
        }
        df.lazy()
            .filter(is_check.not())
            .select(COMPUTED_COLUMNS.map(col))
            .collect()?
    };
    let seconds = started.elapsed().as_secs_f64();
    tracing::debug!(rows = values.height(), seconds, "computed");
    Ok(Executed {
        values,
        findings,
        seconds_by_query: vec![(ids, seconds)],
    })
}

fn indicator_plan(
    indicator: &Indicator,
    ctx: &StepContext,
    spine: &Spine,
    months: &DataFrame,
    population: &DataFrame,
    shared: &mut rows::SharedRows<'_>,
    checks: &mut Vec<CheckPlan>,
) -> Result<LazyFrame, EngineError> {
    let wrap = |source| EngineError::Indicator {
        indicator: indicator.id.clone(),
        line: indicator.at.line,
        source,
    };
    let mut prepared = rows::prepare(indicator, ctx, spine, months, shared, checks)?;
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
    let lf = match &indicator.measure {
        Measure::Count => lf.with_columns([
            col("num").alias("numerator"),
            lit(NULL).cast(DataType::Float64).alias("denominator"),
            col("num").alias("value"),
            no_flags.alias("flags"),
        ]),
        Measure::Mean { .. } => lf.with_columns([
            col("num").alias("numerator"),
            col("den").alias("denominator"),
            safe_div(col("num"), col("den"), 1.0).alias("value"),
            no_flags.alias("flags"),
        ]),
        measure @ (Measure::Percent { .. } | Measure::Days { .. }) => {
            let scale = if matches!(measure, Measure::Percent { .. }) {
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
                .then(lit(Flag::SmallDenominator.text()))
                .otherwise(no_flags)
                .alias("flags"),
            ])
        }
        Measure::RatePer10k => lf
            .with_column(
                spine::financial_year_of(col("month"), spine.financial_years).alias("__fy"),
            )
            .join(
                population.clone().lazy(),
                [col(LA_CODE), col("__fy")],
                [col(LA_CODE), col("__fy")],
                JoinArgs::new(JoinType::Left),
            )
            .with_columns([
                col("num").alias("numerator"),
                col("population").alias("denominator"),
                safe_div(col("num"), col("population"), 10_000.0).alias("value"),
                when(col("population").is_null())
                    .then(lit(Flag::PopulationMissing.text()))
                    .when(col("population_year").neq(col("__fy")))
                    .then(
                        lit(Flag::POPULATION_FROM) + col("population_year").cast(DataType::String),
                    )
                    .otherwise(no_flags)
                    .alias("flags"),
            ]),
    };
    Ok(lf.select([
        col(LA_CODE),
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
    let la = pop.column(LA_CODE)?.str()?;
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
                            FindingKind::PopulationFallback,
                            format!("mid_year {y} missing; {py} used"),
                            format!("no mid-{y} population for this LA: rates for {y}-{:02} use mid-{py} and are flagged. Add the estimate to reference/population", (y + 1) % 100),
                        ));
                    }
                }
                None if y >= reported_from => findings.push(population_finding(
                    la,
                    FindingKind::PopulationMissing,
                    format!("mid_year {y}"),
                    "no population for this LA in or before this year: its rates are null. Add it to reference/population".into(),
                )),
                None => {}
            }
        }
    }
    df!(LA_CODE => las, "__fy" => fys, "population" => pops, "population_year" => years)
}

/// A finding about an LA's population estimates.
fn population_finding(la: &str, kind: FindingKind, example: String, message: String) -> Finding {
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
    catalogue: &CheckedCatalogue,
    snapshot: &Snapshot,
    findings: &mut Vec<Finding>,
) -> PolarsResult<DataFrame> {
    let (mut las, mut ids) = (Vec::new(), Vec::new());
    for ((la, table), absent) in &snapshot.absent_columns {
        let absent: Vec<&str> = absent.iter().map(String::as_str).collect();
        for (indicator, missing) in catalogue.not_computable(table, &absent) {
            las.push(la.clone());
            ids.push(indicator.id.clone());
            findings.push(Finding {
                table: table.to_string(),
                column: Some(missing.join(", ")),
                la_code: Some(la.clone()),
                snapshot_date: snapshot.las.iter().find(|l| &l.la_code == la).map(|l| l.snapshot_date),
                kind: FindingKind::NotComputable,
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
    let drop = df!(LA_CODE => las, "indicator_id" => ids)?;
    values
        .lazy()
        .join(
            drop.lazy(),
            [col(LA_CODE), col("indicator_id")],
            [col(LA_CODE), col("indicator_id")],
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
        LA_CODE => snapshot.las.iter().map(|l| l.la_code.clone()).collect::<Vec<_>>(),
        "__snapshot_month" => snapshot
            .las
            .iter()
            .map(|l| crate::common::calendar::Month::of(l.snapshot_date).index())
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
            [col(LA_CODE)],
            [col(LA_CODE)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            when(flagged.fill_null(false))
                .then(
                    when(col("flags").is_null())
                        .then(lit(Flag::CurrentStatus.text()))
                        .otherwise(
                            col("flags") + lit(Flag::SEPARATOR) + lit(Flag::CurrentStatus.text()),
                        ),
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
