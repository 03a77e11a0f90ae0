//! The rows an indicator counts: the table, placed in time (dated events, or records open at each period end),
//! with the steps' columns, filtered, and reduced to what counting needs.

use super::EngineError;
use super::checks::CheckPlan;
use super::date_arithmetic::{in_months, month_of};
use super::month_ends;
use super::passes::{self, Pass};
use super::spine::{Spine, with_period_end};
use super::steps::{self, StepContext};
use crate::catalogue::{Condition, Counting, Indicator, Measure, Step, Timing};
use crate::input::contract::LA_CODE;
use polars::lazy::dsl::int_ranges;
use polars::prelude::*;

/// Column names of prepared rows.
pub(super) const MONTH: &str = "month";
pub(super) const KEY: &str = "__key";
pub(super) const NUM: &str = "__num";
pub(super) const IN_NUM: &str = "__in_num";
pub(super) const DEN_KEY: &str = "__den_key";

/// The prepared rows, and for rows judged at each period end the filter, numerator flag and numerator value that
/// must wait until each row is placed in the windows that contain it.
pub(super) struct Prepared {
    pub rows: LazyFrame,
    pub at_period_end: Option<AtPeriodEnd>,
    /// Whether open records are kept as one row each with their first and last month (`SPAN_FIRST`,
    /// `SPAN_LAST`) instead of one row per month: possible when nothing about a row depends on the month.
    pub spans: bool,
    /// `la_code, month, num, den` of the total when the indicator is counted in one pass with others
    /// ([`passes`]): its total's aggregation, computed with theirs.
    pub totals: Option<LazyFrame>,
}

/// The first and last month an open record counts in, on rows kept as spans.
pub(super) const SPAN_FIRST: &str = "__first";
pub(super) const SPAN_LAST: &str = "__last";

/// Rows that several indicators start from (a cohort, or identical rows and steps such as the two CP visit
/// indicators): planned once, as a cached node that every indicator sharing it reads, so that executing those
/// indicators together computes the rows once.
pub(super) struct SharedRows<'a> {
    frames: Vec<(SharedKey, LazyFrame)>,
    /// The indicators counted several together, by pass.
    passes: Vec<Pass<'a>>,
}

impl<'a> SharedRows<'a> {
    /// No rows planned yet, for `indicators`.
    pub fn new(indicators: &'a [Indicator]) -> SharedRows<'a> {
        SharedRows {
            frames: Vec::new(),
            passes: passes::plan(indicators),
        }
    }
}

/// What makes two indicators' rows the same rows: the cohort they start from, or the same table placed the same way
/// with the same steps.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum SharedKey {
    /// The rows of a named cohort.
    Cohort(String),
    /// The rows of a table, placed in time, with steps.
    Rows {
        table: &'static str,
        timing: Timing,
        steps: Vec<Step>,
    },
}

/// How the engine places an indicator's rows in time, worked out from the definition when it is compiled (the
/// logical definition says what is counted; this says in which order the work is done).
pub(super) struct Placement {
    /// For rows open at (or current at) each period end: how many leading steps read nothing that depends on
    /// `period_end`, and so can run once per record before records are repeated at every month end.
    steps_before_placing: usize,
    /// Whether the filter or numerator of dated rows reads `period_end`, so that a row's membership depends on the
    /// window it is counted in (a period of care that has lasted 28 days by `period_end`).
    pub judged_at_period_end: bool,
}

impl Placement {
    /// The placement of an indicator's rows.
    pub(super) fn of(indicator: &Indicator) -> Placement {
        let rows = &indicator.rows;
        let steps_before_placing = match rows.timing {
            Timing::Open { .. } | Timing::Current => {
                let independent = rows
                    .steps
                    .iter()
                    .position(|s| s.reads().iter().any(|c| c == "period_end"))
                    .unwrap_or(rows.steps.len());
                let shared = rows.cohort.as_ref().map_or(rows.steps.len(), |c| c.steps);
                independent.min(shared)
            }
            Timing::Dated { .. } => 0,
        };
        let numerator_reads_period_end = matches!(&indicator.measure, Measure::Percent { numerator } if numerator.reads_period_end());
        let judged_at_period_end = matches!(rows.timing, Timing::Dated { .. })
            && (rows
                .filter
                .as_ref()
                .is_some_and(Condition::reads_period_end)
                || numerator_reads_period_end);
        Placement {
            steps_before_placing,
            judged_at_period_end,
        }
    }
}

/// `placed` with the columns of `steps_to_apply`, without the rows they leave out, kept by `filter`.
fn derive(
    ctx: &StepContext,
    placed: LazyFrame,
    steps_to_apply: &[crate::catalogue::Step],
    filter: Option<&Expr>,
    checks: &mut Vec<CheckPlan>,
) -> Result<LazyFrame, EngineError> {
    let mut lf = steps::apply(ctx, placed, steps_to_apply, checks)?;
    if let Some(f) = filter {
        lf = lf.filter(f.clone().fill_null(false));
    }
    Ok(lf)
}

/// The key under which indicators share rows: equal keys, equal rows.
pub(super) fn shared_key(indicator: &Indicator) -> SharedKey {
    shared_part(indicator).0
}

/// The key of the part of an indicator's rows other indicators may share, how many of its steps that part
/// takes, and its filter.
fn shared_part(indicator: &Indicator) -> (SharedKey, usize, Option<&Expr>) {
    let rows = &indicator.rows;
    match &rows.cohort {
        Some(c) => (
            SharedKey::Cohort(c.name.clone()),
            c.steps,
            c.filter.as_ref().map(|f| &f.expr),
        ),
        None => (
            SharedKey::Rows {
                table: rows.table.name,
                timing: rows.timing.clone(),
                steps: rows.steps.clone(),
            },
            rows.steps.len(),
            None,
        ),
    }
}

/// Expressions over `period_end` and the row's columns, evaluated once rows are placed in windows.
pub(super) struct AtPeriodEnd {
    pub filter: Expr,
    pub in_num: Expr,
    pub num: Expr,
}

/// The breakdown column of prepared rows.
pub(super) fn breakdown_column(name: &str) -> String {
    format!("__bd_{name}")
}

/// The rows of `indicator` as `la_code, month, __key, __num, __in_num, __bd_*`: `month` is the event's month, or
/// a month at whose end the record is open; `__num` is the row's contribution to an additive numerator and
/// `__in_num` whether it is in the numerator.
pub(super) fn prepare(
    indicator: &Indicator,
    ctx: &StepContext,
    spine: &Spine,
    months: &DataFrame,
    shared: &mut SharedRows,
    checks: &mut Vec<CheckPlan>,
) -> Result<Prepared, EngineError> {
    let rows = &indicator.rows;
    let placement = Placement::of(indicator);
    let (report_from, report_to) = (spine.report_from.index(), spine.report_to().index());
    let (key, shared_steps, shared_filter) = shared_part(indicator);
    // Indicators sharing rows read the cached rows the first of them planned, and plan none of their own.
    let start = match shared.frames.iter().find(|(k, _)| *k == key) {
        Some((_, lf)) => lf.clone(),
        None => {
            // Steps that do not read `period_end` run once per record, before records are repeated at every
            // month end.
            let early = &rows.steps[..placement.steps_before_placing];
            let late = &rows.steps[placement.steps_before_placing..shared_steps];
            let mut base = derive(ctx, ctx.tables.get(rows.table.name)?, early, None, checks)?;
            if ctx.placed {
                base = steps::with_birth_dates_for(ctx, base, late)?;
            }
            let spans = counts_as_spans(indicator, &placement);
            let placed = match &rows.timing {
                // Steps see the whole table (a previous visit may predate every window); the window filter comes after.
                Timing::Dated { .. } => base,
                Timing::Open { start, end } => {
                    let (first, last) = month_ends::months_open(
                        col(start.as_str()),
                        col(end.as_str()),
                        ctx.open_at_date,
                        (report_from, report_to),
                    )?;
                    let spanned = base
                        .filter(col(start.as_str()).is_not_null())
                        .with_columns([first.alias(SPAN_FIRST), last.alias(SPAN_LAST)])
                        .filter(col(SPAN_FIRST).lt_eq(col(SPAN_LAST)));
                    if spans {
                        return spans_prepared(indicator, spanned);
                    }
                    let exploded = spanned
                        .with_column(
                            int_ranges(
                                col(SPAN_FIRST),
                                col(SPAN_LAST) + lit(1),
                                lit(1),
                                DataType::Int32,
                            )
                            .alias(MONTH),
                        )
                        .explode(
                            cols([MONTH]),
                            ExplodeOptions {
                                empty_as_null: false,
                                keep_nulls: false,
                            },
                        )
                        .drop(cols([SPAN_FIRST, SPAN_LAST]));
                    with_period_end(exploded, months)
                }
                Timing::Current => base.cross_join(
                    months
                        .clone()
                        .lazy()
                        .select([col(MONTH), col("period_end")])
                        .filter(
                            col(MONTH)
                                .gt_eq(lit(report_from))
                                .and(col(MONTH).lt_eq(lit(report_to))),
                        ),
                    None,
                ),
            };
            let lf = derive(ctx, placed, late, shared_filter, checks)?.cache();
            shared.frames.push((key, lf.clone()));
            lf
        }
    };
    let own_steps = &rows.steps[shared_steps..];
    let in_months_counted = |lf: LazyFrame| match &rows.timing {
        Timing::Dated { date } => lf
            .filter(in_months(
                col(date.as_str()),
                spine.calc_from.index(),
                report_to,
            ))
            .with_column(month_of(col(date.as_str())).alias(MONTH)),
        Timing::Open { .. } | Timing::Current => lf,
    };
    let (mut lf, totals) = match shared.passes.iter_mut().find(|p| p.counts(indicator)) {
        Some(pass) => {
            let steps = pass.steps().to_vec();
            let lf =
                pass.rows(|| derive(ctx, start, &steps, None, checks).map(in_months_counted))?;
            (lf, pass.totals(indicator)?)
        }
        None => (
            in_months_counted(derive(ctx, start, own_steps, None, checks)?),
            None,
        ),
    };
    let filter = rows
        .filter
        .as_ref()
        .map_or(lit(true), |f| f.expr.clone().fill_null(false));
    let (in_num, num) = numerator(indicator);
    let mut select = vec![col(LA_CODE), col(MONTH)];
    select.extend(keys(indicator));
    let at_period_end = if placement.judged_at_period_end {
        // Keep what the filter and numerator read; they are evaluated per window in `windows`.
        let mut read = std::collections::BTreeSet::new();
        for e in [&filter, &in_num, &num] {
            read.extend(
                e.clone()
                    .meta()
                    .root_names()
                    .into_iter()
                    .filter(|n| !["period_end", LA_CODE, MONTH].contains(&n.as_str())),
            );
        }
        select.extend(read.into_iter().map(col));
        Some(AtPeriodEnd {
            filter,
            in_num,
            num,
        })
    } else {
        lf = lf.filter(filter);
        select.extend([num.alias(NUM), in_num.alias(IN_NUM)]);
        None
    };
    select.extend(breakdown_columns(indicator));
    Ok(Prepared {
        rows: keep_keyed(lf.select(select), indicator),
        at_period_end,
        spans: false,
        totals,
    })
}

/// Whether a row is in the numerator, and what it adds to an additive numerator.
fn numerator(indicator: &Indicator) -> (Expr, Expr) {
    match &indicator.measure {
        Measure::Percent { numerator } => {
            let in_num = numerator.expr.clone().fill_null(false);
            (in_num.clone(), in_num.cast(DataType::Float64))
        }
        Measure::Days { mean_of } => (lit(true), col(mean_of.as_str()).cast(DataType::Float64)),
        Measure::Count | Measure::RatePer10k | Measure::Mean { .. } => {
            (lit(true), lit(true).cast(DataType::Float64))
        }
    }
}

/// The distinct-count key (`KEY`) and the distinct-denominator key (`DEN_KEY`) of each row, null when unused.
fn keys(indicator: &Indicator) -> [Expr; 2] {
    let key = match &indicator.rows.counting {
        Counting::Rows => lit(NULL).cast(DataType::String),
        Counting::Distinct(c) => col(c.as_str()),
    };
    let den_key = match per_distinct(&indicator.measure) {
        Some(c) => col(c),
        None => lit(NULL).cast(DataType::String),
    };
    [key.alias(KEY), den_key.alias(DEN_KEY)]
}

/// Each breakdown's column as text, named by [`breakdown_column`].
fn breakdown_columns(indicator: &Indicator) -> Vec<Expr> {
    indicator
        .breakdowns
        .iter()
        .map(|b| {
            col(b.column.as_str())
                .cast(DataType::String)
                .alias(breakdown_column(&b.name).as_str())
        })
        .collect()
}

/// Rows without the key a distinct count needs are not counted.
fn keep_keyed(mut lf: LazyFrame, indicator: &Indicator) -> LazyFrame {
    if indicator.rows.counting != Counting::Rows {
        lf = lf.filter(col(KEY).is_not_null());
    }
    if per_distinct(&indicator.measure).is_some() {
        lf = lf.filter(col(DEN_KEY).is_not_null());
    }
    lf
}

/// What decides whether a row of `indicator` is counted and how: whether it is kept (its filter, and the keys its
/// count needs), whether it is in the numerator, its contribution to an additive numerator, its distinct-count key
/// and its distinct-denominator key.
pub(super) fn counted(indicator: &Indicator) -> (Expr, Expr, Expr, Expr, Expr) {
    let mut keep = indicator
        .rows
        .filter
        .as_ref()
        .map_or(lit(true), |f| f.expr.clone().fill_null(false));
    let [key, den_key] = keys(indicator);
    if indicator.rows.counting != Counting::Rows {
        keep = keep.and(key.clone().is_not_null());
    }
    if per_distinct(&indicator.measure).is_some() {
        keep = keep.and(den_key.clone().is_not_null());
    }
    let (in_num, num) = numerator(indicator);
    (keep, in_num, num, key, den_key)
}

/// Whether an indicator's open records can be counted as spans: every step runs before placing (none reads
/// `period_end`), it starts from no cohort, and neither its filter nor its numerator reads `period_end`.
pub(super) fn counts_as_spans(indicator: &Indicator, placement: &Placement) -> bool {
    let rows = &indicator.rows;
    matches!(rows.timing, Timing::Open { .. })
        && rows.cohort.is_none()
        && placement.steps_before_placing == rows.steps.len()
        && !placement.judged_at_period_end
        && !rows
            .filter
            .as_ref()
            .is_some_and(Condition::reads_period_end)
        && !matches!(&indicator.measure, Measure::Percent { numerator } if numerator.reads_period_end())
}

/// The column whose distinct values divide a `mean` indicator's rows; `None` for every other measure.
pub(super) fn per_distinct(measure: &Measure) -> Option<&str> {
    match measure {
        Measure::Mean { per_distinct } => Some(per_distinct),
        Measure::Count | Measure::RatePer10k | Measure::Percent { .. } | Measure::Days { .. } => {
            None
        }
    }
}

/// The prepared rows of an indicator counted as spans: one row per record with its first and last month.
fn spans_prepared(indicator: &Indicator, spanned: LazyFrame) -> Result<Prepared, EngineError> {
    let mut lf = spanned;
    if let Some(f) = &indicator.rows.filter {
        lf = lf.filter(f.expr.clone().fill_null(false));
    }
    let (in_num, num) = numerator(indicator);
    let mut select = vec![col(LA_CODE), col(SPAN_FIRST), col(SPAN_LAST)];
    select.extend(keys(indicator));
    select.extend([num.alias(NUM), in_num.alias(IN_NUM)]);
    select.extend(breakdown_columns(indicator));
    Ok(Prepared {
        rows: keep_keyed(lf.select(select), indicator),
        at_period_end: None,
        spans: true,
        totals: None,
    })
}
