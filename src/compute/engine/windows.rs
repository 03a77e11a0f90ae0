//! Windows: from prepared rows to numerator and denominator per LA, `period_end` month and window, zero-filled on
//! the spine. Additive counts are summed by month and then windowed; distinct counts are windowed on the rows.

use super::rows::{
    AtPeriodEnd, DEN_KEY, IN_NUM, KEY, MONTH, NUM, Prepared, SPAN_FIRST, SPAN_LAST,
    breakdown_column, per_distinct,
};
use super::sorted_scans;
use super::spine::{Spine, financial_year_of, month_in_year, with_period_end};
use crate::catalogue::{Breakdown, Counting, Indicator, Period, Window, Windows};
use crate::input::contract::LA_CODE;
use polars::lazy::dsl::int_ranges;
use polars::prelude::*;

/// Column names of component frames.
pub(super) const BREAKDOWN_VALUE: &str = "breakdown_value";
pub(super) const WINDOW: &str = "window";

/// Numerator (`num`) and denominator (`den`) of every LA x reported month x window, for the total or one
/// breakdown, as `la_code, month, window, breakdown_value, num, den`.
pub(super) fn components(
    prepared: &Prepared,
    indicator: &Indicator,
    breakdown: Option<&Breakdown>,
    spine: &Spine,
    months: &DataFrame,
) -> PolarsResult<LazyFrame> {
    let rows = &prepared.rows;
    let fy = spine.financial_years;
    let bd = breakdown.map(|b| breakdown_column(&b.name));
    let mut keys = vec![col(LA_CODE), col(MONTH)];
    if let Some(b) = &bd {
        keys.push(col(b.as_str()).alias(BREAKDOWN_VALUE));
    }
    let spine_from = |from| -> PolarsResult<LazyFrame> {
        let frame = spine.frame(from)?.lazy();
        Ok(match breakdown {
            Some(b) => {
                let categories = df!(BREAKDOWN_VALUE => b.categories.clone())?.lazy();
                frame.cross_join(categories, None)
            }
            None => frame,
        })
    };
    let group_cols = || {
        let mut g = vec![col(LA_CODE)];
        if bd.is_some() {
            g.push(col(BREAKDOWN_VALUE));
        }
        g
    };
    let join_keys = || {
        let mut k = group_cols();
        k.push(col(MONTH));
        k
    };
    let aggregate = |lf: LazyFrame, keys: Vec<Expr>| match &indicator.rows.counting {
        Counting::Rows if per_distinct(&indicator.measure).is_some() => lf.group_by(keys).agg([
            col(NUM).sum().alias("num"),
            col(DEN_KEY).n_unique().cast(DataType::Float64).alias("den"),
        ]),
        Counting::Rows => lf.group_by(keys).agg([
            col(NUM).sum().alias("num"),
            len().cast(DataType::Float64).alias("den"),
        ]),
        Counting::Distinct(_) => lf.group_by(keys).agg([
            col(KEY)
                .filter(col(IN_NUM))
                .n_unique()
                .cast(DataType::Float64)
                .alias("num"),
            col(KEY).n_unique().cast(DataType::Float64).alias("den"),
        ]),
    };
    let zero_fill = |spine: LazyFrame, agg: LazyFrame| {
        spine
            .join(agg, join_keys(), join_keys(), JoinArgs::new(JoinType::Left))
            .with_columns([
                col("num").fill_null(lit(0.0)),
                col("den").fill_null(lit(0.0)),
            ])
    };
    // The total of an indicator counted in one pass with others was aggregated with theirs.
    let totals = || match breakdown {
        None => prepared.totals.clone(),
        Some(_) => None,
    };
    let mut parts = Vec::new();
    let (snapshot, periods): (bool, &[Period]) = match &indicator.windows {
        Windows::Snapshot => (true, &[]),
        Windows::Periods(periods) => (false, periods),
    };
    let additive = indicator.rows.counting == Counting::Rows
        && per_distinct(&indicator.measure).is_none()
        && prepared.at_period_end.is_none();
    if prepared.spans {
        let deltas = span_deltas(rows.clone(), indicator, bd.as_deref())?;
        let sort_by = join_keys();
        parts.push(
            zero_fill(spine_from(spine.report_from)?, deltas)
                .sort_by_exprs(sort_by, SortMultipleOptions::default())
                .with_columns([
                    col("num").cum_sum(false).over(group_cols())?,
                    col("den").cum_sum(false).over(group_cols())?,
                ])
                .with_column(lit(Window::Snapshot.to_string()).alias(WINDOW)),
        );
    } else if snapshot {
        let agg = totals().unwrap_or_else(|| aggregate(rows.clone(), keys.clone()));
        parts.push(
            zero_fill(spine_from(spine.report_from)?, agg)
                .with_column(lit(Window::Snapshot.to_string()).alias(WINDOW)),
        );
    } else if additive {
        let agg = totals().unwrap_or_else(|| aggregate(rows.clone(), keys.clone()));
        let sort_by = join_keys();
        let base = zero_fill(spine_from(spine.calc_from)?, agg)
            .sort_by_exprs(sort_by, SortMultipleOptions::default())
            .with_columns([
                financial_year_of(col(MONTH), fy).alias("__fy"),
                month_in_year(col(MONTH), fy).alias("__miy"),
            ])
            .with_column((col("__miy") / lit(3)).alias("__fq"));
        for w in periods {
            let windowed = |over: Vec<Expr>| -> PolarsResult<Vec<Expr>> {
                Ok(vec![
                    col("num").cum_sum(false).over(over.clone())?.alias("num"),
                    col("den").cum_sum(false).over(over)?.alias("den"),
                ])
            };
            let mut g = group_cols();
            let part = match w {
                Period::Month => base.clone(),
                Period::Ytd | Period::FinancialYear => {
                    g.push(col("__fy"));
                    let lf = base.clone().with_columns(windowed(g)?);
                    if *w == Period::FinancialYear {
                        lf.filter(col("__miy").eq(lit(11)))
                    } else {
                        lf
                    }
                }
                Period::Quarter => {
                    g.extend([col("__fy"), col("__fq")]);
                    base.clone().with_columns(windowed(g)?)
                }
                Period::Rolling(n) => base
                    .clone()
                    .with_columns(windowed(g.clone())?)
                    .with_columns([
                        (col("num")
                            - col("num")
                                .shift(lit(*n as i64))
                                .over(g.clone())?
                                .fill_null(lit(0.0)))
                        .alias("num"),
                        (col("den")
                            - col("den")
                                .shift(lit(*n as i64))
                                .over(g)?
                                .fill_null(lit(0.0)))
                        .alias("den"),
                    ]),
            };
            parts.push(
                part.filter(col(MONTH).gt_eq(lit(spine.report_from.index())))
                    .with_column(lit(w.to_string()).alias(WINDOW)),
            );
        }
    } else {
        for w in periods {
            let miy = month_in_year(col(MONTH), fy);
            let (first, last) = match w {
                Period::Month => (col(MONTH), col(MONTH)),
                Period::Quarter => (col(MONTH), col(MONTH) + lit(2) - miy % lit(3)),
                Period::Ytd => (col(MONTH), col(MONTH) + lit(11) - miy),
                Period::FinancialYear => (
                    col(MONTH) + lit(11) - miy.clone(),
                    col(MONTH) + lit(11) - miy,
                ),
                Period::Rolling(n) => (col(MONTH), col(MONTH) + lit(*n as i32 - 1)),
            };
            let expanded = rows
                .clone()
                .with_column(
                    int_ranges(first, last + lit(1), lit(1), DataType::Int32).alias("__period"),
                )
                .explode(
                    cols(["__period"]),
                    ExplodeOptions {
                        empty_as_null: false,
                        keep_nulls: false,
                    },
                )
                .with_column(col("__period").alias(MONTH));
            let expanded = match &prepared.at_period_end {
                Some(deferred) => judge_at_period_end(expanded, deferred, months),
                None => expanded,
            };
            let agg = aggregate(expanded, keys.clone());
            let mut part = zero_fill(spine_from(spine.report_from)?, agg);
            if *w == Period::FinancialYear {
                part = part.filter(month_in_year(col(MONTH), fy).eq(lit(11)));
            }
            parts.push(part.with_column(lit(w.to_string()).alias(WINDOW)));
        }
    }
    let bd_value = if bd.is_some() {
        col(BREAKDOWN_VALUE)
    } else {
        lit(NULL).cast(DataType::String).alias(BREAKDOWN_VALUE)
    };
    let select = [
        col(LA_CODE),
        col(MONTH),
        col(WINDOW),
        bd_value,
        col("num"),
        col("den"),
    ];
    let parts: Vec<LazyFrame> = parts
        .into_iter()
        .map(|p| p.select(select.clone()))
        .collect();
    concat(parts, UnionArgs::default())
}

/// How numerator and denominator change at each month, from rows kept as spans (`la_code, month,
/// [breakdown_value], num, den`): a record adds from its first month and stops after its last, so the running
/// sum over months is the count open at each month end. A distinct count first merges the spans of each key, so a
/// key open twice at once counts once.
fn span_deltas(
    rows: LazyFrame,
    indicator: &Indicator,
    breakdown: Option<&str>,
) -> PolarsResult<LazyFrame> {
    let mut group = vec![LA_CODE];
    let rows = match breakdown {
        Some(b) => {
            group.push(BREAKDOWN_VALUE);
            rows.with_column(col(b).alias(BREAKDOWN_VALUE))
        }
        None => rows,
    };
    let by = |extra: &[&str]| -> Vec<Expr> { group.iter().chain(extra).map(|c| col(*c)).collect() };
    let deltas = |spans: LazyFrame, name: &str, weight: Expr| {
        let mut starts = by(&[]);
        starts.extend([col(SPAN_FIRST).alias(MONTH), weight.clone().alias(name)]);
        let mut ends = by(&[]);
        ends.extend([
            (col(SPAN_LAST) + lit(1)).alias(MONTH),
            (lit(0.0) - weight).alias(name),
        ]);
        [spans.clone().select(starts), spans.select(ends)]
    };
    let merged = |spans: LazyFrame, key: &str| -> PolarsResult<LazyFrame> {
        let keyed = by(&[key]);
        let mut order = keyed.clone();
        order.push(col(SPAN_FIRST));
        let mut select = keyed.clone();
        select.extend([col(SPAN_FIRST), col(SPAN_LAST)]);
        let mut islands = keyed.clone();
        islands.push(col("__island"));
        Ok(spans
            .select(select)
            .sort_by_exprs(order, SortMultipleOptions::default())
            .with_column(sorted_scans::starts_key(&keyed).alias("__starts"))
            .with_column(
                sorted_scans::running_max_before(col(SPAN_LAST), col("__starts")).alias("__reach"),
            )
            .with_column(
                (col("__reach").is_null())
                    .or(col(SPAN_FIRST).gt(col("__reach") + lit(1i64)))
                    .cast(DataType::UInt32)
                    .cum_sum(false)
                    .alias("__island"),
            )
            .group_by(islands)
            .agg([col(SPAN_FIRST).min(), col(SPAN_LAST).max()])
            .cache())
    };
    let one = || lit(1.0);
    let (num, den) = match (&indicator.rows.counting, per_distinct(&indicator.measure)) {
        (Counting::Rows, None) => (
            deltas(rows.clone(), "num", col(NUM)),
            deltas(rows, "den", one()),
        ),
        (Counting::Rows, Some(_)) => (
            deltas(rows.clone(), "num", col(NUM)),
            deltas(merged(rows, DEN_KEY)?, "den", one()),
        ),
        (Counting::Distinct(_), _) => (
            deltas(merged(rows.clone().filter(col(IN_NUM)), KEY)?, "num", one()),
            deltas(merged(rows, KEY)?, "den", one()),
        ),
    };
    let union = UnionArgs {
        diagonal: true,
        ..Default::default()
    };
    let parts: Vec<LazyFrame> = num.into_iter().chain(den).collect();
    Ok(concat(parts, union)?
        .group_by(by(&[MONTH]))
        .agg([col("num").sum(), col("den").sum()]))
}

/// Rows placed in a window ending at `MONTH`: the filter applied and the numerator evaluated at that `period_end`.
fn judge_at_period_end(rows: LazyFrame, deferred: &AtPeriodEnd, months: &DataFrame) -> LazyFrame {
    with_period_end(rows, months)
        .filter(deferred.filter.clone())
        .with_columns([
            deferred.num.clone().alias(NUM),
            deferred.in_num.clone().alias(IN_NUM),
        ])
}
