//! The building blocks that derive columns: working and calendar days, month offsets, lookups by id, existence of
//! a related row, earlier records of the same child, the previous dated row.

use super::{EngineError, Tables};
use crate::calendar::WorkingDays;
use crate::catalogue::{OpenAt, OpenAtDate, Step};
use crate::quality::Finding;
use polars::lazy::dsl::business_day_count;
use polars::prelude::*;

/// What the steps need besides the rows: the other tables and the calendar.
#[derive(Clone, Copy)]
pub(super) struct StepContext<'a> {
    pub tables: &'a Tables,
    pub working_days: &'a WorkingDays,
    pub open_at_date: OpenAtDate,
    /// The table the rows come from (for earlier records and findings).
    pub table: &'static crate::contract::TableSpec,
}

/// The rows after the steps, with the columns whose null means "left out".
pub(super) struct Derived {
    pub rows: LazyFrame,
    pub required: Vec<String>,
}

/// Applies `steps` in order.
pub(super) fn apply(
    ctx: &StepContext,
    mut rows: LazyFrame,
    steps: &[Step],
    findings: &mut Vec<Finding>,
) -> Result<Derived, EngineError> {
    let mut required = Vec::new();
    for step in steps {
        rows = match step {
            Step::WorkingDays { name, from, to } | Step::CalendarDays { name, from, to } => {
                let (a, b) = (as_date(col(from.as_str())), as_date(col(to.as_str())));
                end_before_start(ctx, &rows, from, to, findings)?;
                let days = match step {
                    Step::WorkingDays { .. } => {
                        working_days(a.clone(), b.clone(), ctx.working_days)
                    }
                    _ => (b.clone() - a.clone()).dt().total_days(false),
                };
                required.push(name.clone());
                rows.with_column(
                    when(b.lt(a))
                        .then(lit(NULL).cast(DataType::Int64))
                        .otherwise(days.cast(DataType::Int64))
                        .alias(name.as_str()),
                )
            }
            Step::AddMonths { name, date, months } => rows.with_column(
                as_date(col(date.as_str()))
                    .dt()
                    .offset_by(lit(format!("{months}mo")))
                    .alias(name.as_str()),
            ),
            Step::Lookup {
                table,
                on,
                columns,
                steps,
            } => {
                let other = related(ctx, table, steps, findings)?;
                let (left, right): (Vec<Expr>, Vec<Expr>) =
                    std::iter::once((col("la_code"), col("la_code")))
                        .chain(on.iter().map(|(l, r)| (col(l.as_str()), col(r.as_str()))))
                        .unzip();
                let mut keep: Vec<Expr> = right.clone();
                keep.extend(columns.iter().map(|c| col(c.as_str())));
                let other = other
                    .select(keep)
                    .unique_stable(Some(cols(on_names(on))), UniqueKeepStrategy::First);
                rows.join(other, left, right, JoinArgs::new(JoinType::Left))
            }
            Step::Exists {
                name,
                table,
                on,
                steps,
                filter,
                open_at,
            } => {
                let mut other = related(ctx, table, steps, findings)?;
                if let Some(f) = filter {
                    other = other.filter(f.expr.clone().fill_null(false));
                }
                exists(rows, other, name, on, open_at.as_ref(), ctx.open_at_date)?
            }
            Step::EarlierRecord {
                name,
                same,
                before,
                other_date,
                within_months,
            } => {
                let base = ctx.tables.get(ctx.table.name)?;
                earlier_record(
                    rows,
                    base,
                    name,
                    same,
                    before,
                    other_date.as_deref(),
                    *within_months,
                )?
            }
            Step::PreviousDate {
                name,
                same,
                date,
                otherwise,
            } => {
                let mut keys: Vec<Expr> = vec![col("la_code")];
                keys.extend(same.iter().map(|s| col(s.as_str())));
                let mut order = keys.clone();
                order.push(col(date.as_str()));
                let all_present = same
                    .iter()
                    .fold(lit(true), |acc, s| acc.and(col(s.as_str()).is_not_null()));
                let previous = when(all_present)
                    .then(col(date.as_str()).shift(lit(1)).over(keys)?)
                    .otherwise(lit(NULL).cast(DataType::Date));
                let value = match otherwise {
                    Some(o) => coalesce(&[previous, as_date(col(o.as_str()))]),
                    None => previous,
                };
                rows.sort_by_exprs(
                    order,
                    SortMultipleOptions::default().with_maintain_order(true),
                )
                .with_column(value.alias(name.as_str()))
            }
            Step::Expression { name, condition } => {
                rows.with_column(condition.expr.clone().alias(name.as_str()))
            }
        };
    }
    Ok(Derived { rows, required })
}

/// The rows of a related table after its own steps, without the rows those steps leave out.
fn related(
    ctx: &StepContext,
    table: &'static crate::contract::TableSpec,
    steps: &[Step],
    findings: &mut Vec<Finding>,
) -> Result<LazyFrame, EngineError> {
    let derived = apply(
        &StepContext { table, ..*ctx },
        ctx.tables.get(table.name)?,
        steps,
        findings,
    )?;
    Ok(derived.required.iter().fold(derived.rows, |rows, name| {
        rows.filter(col(name.as_str()).is_not_null())
    }))
}

fn on_names(on: &[(String, String)]) -> Vec<PlSmallStr> {
    std::iter::once(PlSmallStr::from("la_code"))
        .chain(on.iter().map(|(_, r)| PlSmallStr::from(r.as_str())))
        .collect()
}

/// A date or datetime column as a date.
pub(super) fn as_date(e: Expr) -> Expr {
    e.cast(DataType::Date)
}

/// `WD(a, b)`: working days x with `a < x <= b`, counted by Polars over `[a + 1, b + 1)`.
pub(super) fn working_days(a: Expr, b: Expr, wd: &WorkingDays) -> Expr {
    let days: Vec<i32> = wd
        .bank_holidays()
        .iter()
        .map(|d| crate::calendar::epoch_days(*d))
        .collect();
    let holidays = Series::new("holidays".into(), days)
        .cast(&DataType::Date)
        .expect("days cast to dates");
    let one = || lit("1d");
    business_day_count(
        a.dt().offset_by(one()),
        b.dt().offset_by(one()),
        wd.week(),
        lit(holidays).implode(false),
    )
}

/// Whether a row of `other` matches each row on `on` (and is open at the row's date, when asked).
fn exists(
    rows: LazyFrame,
    other: LazyFrame,
    name: &str,
    on: &[(String, String)],
    open_at: Option<&OpenAt>,
    rule: OpenAtDate,
) -> Result<LazyFrame, EngineError> {
    let rows = rows.with_row_index(ROW, None);
    let mut local: Vec<Expr> = vec![col(ROW), col("la_code")];
    let mut remote: Vec<Expr> = vec![col("la_code")];
    let mut left_keys = vec![col("la_code")];
    let mut right_keys = vec![col("la_code")];
    for (i, (l, r)) in on.iter().enumerate() {
        let key = format!("__exists_key{i}");
        local.push(col(l.as_str()).alias(key.as_str()));
        remote.push(col(r.as_str()).alias(key.as_str()));
        left_keys.push(col(key.as_str()));
        right_keys.push(col(key.as_str()));
    }
    if let Some(o) = open_at {
        local.push(as_date(col(o.date.as_str())).alias("__exists_at"));
        remote.push(as_date(col(o.start.as_str())).alias("__exists_start"));
        remote.push(as_date(col(o.end.as_str())).alias("__exists_end"));
    }
    let mut matched = rows.clone().select(local).join(
        other.select(remote),
        left_keys,
        right_keys,
        JoinArgs::new(JoinType::Inner),
    );
    if open_at.is_some() {
        matched = matched.filter(open_at_expr(
            col("__exists_start"),
            col("__exists_end"),
            col("__exists_at"),
            rule,
        ));
    }
    Ok(flag_matched(rows, matched, name))
}

/// Whether a record from `start` to `end` is open at `at`.
pub(super) fn open_at_expr(start: Expr, end: Expr, at: Expr, rule: OpenAtDate) -> Expr {
    let end_ok = match rule {
        OpenAtDate::StartOnOrBeforeEndAfter => end.clone().gt(at.clone()),
        OpenAtDate::StartOnOrBeforeEndOnOrAfter => end.clone().gt_eq(at.clone()),
    };
    start
        .lt_eq(at)
        .and(end.is_null().or(end_ok))
        .fill_null(false)
}

/// Whether the same child (or `same` columns) has an earlier row in `base`: its `before` strictly earlier, its
/// `other_date` (default: `before`) set, not after this row's `before`, and within `within_months` of it.
fn earlier_record(
    rows: LazyFrame,
    base: LazyFrame,
    name: &str,
    same: &[String],
    before: &str,
    other_date: Option<&str>,
    within_months: Option<u32>,
) -> Result<LazyFrame, EngineError> {
    let rows = rows.with_row_index(ROW, None);
    let mut keys = vec![col("la_code")];
    keys.extend(same.iter().map(|s| col(s.as_str())));
    let mut this: Vec<Expr> = keys.clone();
    this.push(col(ROW));
    this.push(as_date(col(before)).alias("__this_before"));
    let mut that: Vec<Expr> = keys.clone();
    that.push(as_date(col(before)).alias("__that_before"));
    that.push(as_date(col(other_date.unwrap_or(before))).alias("__that_date"));
    let mut cond = col("__that_before")
        .lt(col("__this_before"))
        .and(col("__that_date").is_not_null())
        .and(col("__that_date").lt_eq(col("__this_before")));
    if let Some(n) = within_months {
        cond = cond.and(
            col("__that_date").gt_eq(col("__this_before").dt().offset_by(lit(format!("-{n}mo")))),
        );
    }
    let matched = rows
        .clone()
        .select(this)
        .join(
            base.select(that),
            keys.clone(),
            keys,
            JoinArgs::new(JoinType::Inner),
        )
        .filter(cond.fill_null(false));
    Ok(flag_matched(rows, matched, name))
}

/// The row index that matched rows of a related table are keyed on.
const ROW: &str = "__step_row";

/// `rows` (with a `ROW` index) with column `name` true for the rows that appear in `matched`.
fn flag_matched(rows: LazyFrame, matched: LazyFrame, name: &str) -> LazyFrame {
    let matched = matched
        .select([col(ROW)])
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias(name));
    rows.join(
        matched,
        [col(ROW)],
        [col(ROW)],
        JoinArgs::new(JoinType::Left),
    )
    .with_column(col(name).fill_null(false))
    .drop(cols([ROW]))
}

/// Counts rows whose `to` is before `from` as a data-quality finding, per LA.
fn end_before_start(
    ctx: &StepContext,
    rows: &LazyFrame,
    from: &str,
    to: &str,
    findings: &mut Vec<Finding>,
) -> Result<(), EngineError> {
    let Ok(found) = rows
        .clone()
        .filter(as_date(col(to)).lt(as_date(col(from))).fill_null(false))
        .group_by_stable([col("la_code")])
        .agg([len().alias("count"), col(ctx.table.record_id).first()])
        .collect()
    else {
        // A related table's columns may not be in these rows; then there is nothing of this table to report.
        return Ok(());
    };
    for row in 0..found.height() {
        let la = crate::snapshot::cell_str(&found, "la_code", row);
        let id = crate::snapshot::cell_str(&found, ctx.table.record_id, row).unwrap_or_default();
        findings.push(Finding {
            table: ctx.table.name.into(),
            column: Some(format!("{from}, {to}")),
            la_code: la,
            snapshot_date: None,
            kind: "end_before_start",
            count: crate::snapshot::cell_u64(&found, "count", row),
            example: Some(format!("{}={id}", ctx.table.record_id)),
            message: format!("`{to}` is before `{from}`: these rows are left out of the indicators that measure the time between them. Correct the dates at source"),
        });
    }
    Ok(())
}
