//! The building blocks that derive columns: working and calendar days, month offsets, lookups by id, existence of
//! a related row, earlier records of the same child, the previous dated row.

use super::checks::CheckPlan;
use super::date_arithmetic::{
    add_days, add_months, in_months, month_at_least, month_at_most, month_day_of, month_of, year_of,
};
use super::month_ends;
use super::rows::MONTH;
use super::sorted_scans;
use super::{EngineError, Tables};
use crate::catalogue::{
    Aggregate, GroupColumn, MissingDate, NegativeDays, OpenAt, OpenAtDate, RelatedWindow, Span,
    Step,
};
use crate::common::calendar::WorkingDays;
use crate::input::contract::{self, LA_CODE};
use polars::lazy::dsl::{business_day_count, int_ranges, max_horizontal};
use polars::prelude::*;

/// What the steps need besides the rows: the other tables and the calendar.
#[derive(Clone, Copy)]
pub(super) struct StepContext<'a> {
    pub tables: &'a Tables,
    pub working_days: &'a WorkingDays,
    pub open_at_date: OpenAtDate,
    /// The table the rows come from (for earlier records and findings).
    pub table: &'static crate::input::contract::TableSpec,
    /// The months (first, last) the indicator's rows can be counted in, for the indicator's own rows; `None` for
    /// the rows of a related table, which may be matched at any date.
    pub months: Option<(i32, i32)>,
    /// The months (first, last) at whose end the indicator's own rows are placed when they are open records or
    /// current rows: the reported months.
    pub reported: (i32, i32),
    /// The date that places the indicator's own rows in a month, when they are dated events.
    pub dated_by: Option<&'a str>,
    /// Whether the rows are the indicator's own open records or current rows, which are repeated at every month
    /// end (or will be, before placing), so that a lookup is made once per distinct key.
    pub placed: bool,
}

/// Applies `steps` in order, then leaves out the rows a step cannot measure (an end before its start, a missing
/// date).
pub(super) fn apply(
    ctx: &StepContext,
    mut rows: LazyFrame,
    steps: &[Step],
    checks: &mut Vec<CheckPlan>,
) -> Result<LazyFrame, EngineError> {
    let mut left_out = Vec::new();
    for step in steps {
        rows = match step {
            Step::WorkingDays {
                name,
                from,
                to,
                missing,
            } => {
                let (a, b) = (as_date(col(from.as_str())), as_date(col(to.as_str())));
                // The check and the rest of the plan read the same rows, computed once.
                rows = rows.cache();
                checks.extend(CheckPlan::end_before_start(ctx.table, &rows, from, to));
                let days = working_days(a.clone(), b.clone(), ctx.working_days);
                left_out.push(match missing {
                    MissingDate::LeaveOut => b.clone().lt(a.clone()).fill_null(true),
                    MissingDate::Keep => b.clone().lt(a.clone()).fill_null(false),
                });
                rows.with_column(
                    when(b.lt(a))
                        .then(lit(NULL).cast(DataType::Int64))
                        .otherwise(days.cast(DataType::Int64))
                        .alias(name.as_str()),
                )
            }
            Step::CalendarDays {
                name,
                from,
                to,
                negative,
            } => {
                let (a, b) = (as_date(col(from.as_str())), as_date(col(to.as_str())));
                let days = (b.clone() - a.clone())
                    .dt()
                    .total_days(false)
                    .cast(DataType::Int64);
                let value = match negative {
                    NegativeDays::LeaveOut => {
                        // The check and the rest of the plan read the same rows, computed once.
                        rows = rows.cache();
                        checks.extend(CheckPlan::end_before_start(ctx.table, &rows, from, to));
                        left_out.push(b.clone().lt(a.clone()).fill_null(true));
                        when(b.lt(a))
                            .then(lit(NULL).cast(DataType::Int64))
                            .otherwise(days)
                    }
                    NegativeDays::Keep => days,
                    NegativeDays::Zero => when(days.clone().lt(lit(0i64)))
                        .then(lit(0i64))
                        .otherwise(days),
                };
                rows.with_column(value.alias(name.as_str()))
            }
            Step::Hours { name, from, to } => {
                let as_datetime =
                    |c: &str| col(c).cast(DataType::Datetime(TimeUnit::Milliseconds, None));
                let minutes = (as_datetime(to) - as_datetime(from))
                    .dt()
                    .total_minutes(false);
                rows.with_column((minutes.cast(DataType::Float64) / lit(60.0)).alias(name.as_str()))
            }
            Step::AddDays { name, date, days } => {
                rows.with_column(add_days(col(date.as_str()), *days).alias(name.as_str()))
            }
            Step::Age {
                name,
                person,
                at,
                on_preceding,
            } => age(ctx, rows, name, person, at, *on_preceding)?,
            Step::Group {
                same,
                order_by,
                columns,
            } => group(ctx, rows, same, order_by, columns)?,
            Step::Related {
                table,
                on,
                steps,
                filter,
                window,
                columns,
            } => {
                let other = related(ctx, table, steps, checks)?;
                related_summary(
                    rows,
                    other,
                    on,
                    filter.as_ref().map(|f| f.expr.clone()),
                    window.as_ref(),
                    columns,
                    ctx,
                )?
            }
            Step::AddMonths { name, date, months } => {
                rows.with_column(add_months(col(date.as_str()), *months).alias(name.as_str()))
            }
            Step::Lookup {
                table,
                on,
                columns,
                steps,
                open_at: Some(open_at),
            } => {
                let other = related(ctx, table, steps, checks)?;
                let lookup = OpenLookup {
                    record_id: table.record_id,
                    on,
                    columns,
                    open_at,
                };
                match month_ends_of(ctx, &mut rows, open_at)? {
                    Some(months) => lookup.at_month_ends(rows, other, ctx.open_at_date, months)?,
                    None => lookup.at_each_date(rows, other, ctx.open_at_date)?,
                }
            }
            Step::Lookup {
                table,
                on,
                columns,
                steps,
                open_at: None,
            } => {
                let other = related(ctx, table, steps, checks)?;
                let (left, right): (Vec<Expr>, Vec<Expr>) = la_keys(on)
                    .into_iter()
                    .map(|la| (la.clone(), la))
                    .chain(on.iter().map(|(l, r)| (col(l.as_str()), col(r.as_str()))))
                    .unzip();
                let mut keep: Vec<Expr> = right.clone();
                keep.extend(columns.iter().map(|c| col(c.as_str())));
                // Loaded tables hold one row per record id: a lookup by it needs no de-duplication.
                let by_record_id = on.len() == 1 && on[0].1 == table.record_id;
                let mut other = other.select(keep);
                if !by_record_id {
                    other =
                        other.unique_stable(Some(cols(on_names(on))), UniqueKeepStrategy::First);
                }
                lookup_join(ctx, rows, left, other, right)?
            }
            Step::Exists {
                name,
                table,
                on,
                steps,
                filter,
                open_at,
            } => {
                let mut other = related(ctx, table, steps, checks)?;
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
            } => earlier_record(
                ctx,
                rows,
                name,
                same,
                before,
                other_date.as_deref(),
                *within_months,
            )?,
            Step::PreviousDate {
                name,
                same,
                date,
                otherwise,
            } => {
                let mut keys: Vec<Expr> = vec![col(LA_CODE)];
                keys.extend(same.iter().map(|s| col(s.as_str())));
                let mut order = keys.clone();
                order.push(col(date.as_str()));
                // Sorted by the keys then the date, the previous row of the same keys is the row before, unless
                // this row starts its keys' run or lacks a key.
                let same_as_previous = keys
                    .iter()
                    .fold(sorted_scans::starts_key(&keys).not(), |acc, k| {
                        acc.and(k.clone().is_not_null())
                    });
                let previous = when(same_as_previous)
                    .then(col(date.as_str()).shift(lit(1)))
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
    Ok(left_out
        .into_iter()
        .fold(rows, |rows, out| rows.filter(out.not())))
}

/// The rows of a related table after its own steps, without the rows those steps leave out.
fn related(
    ctx: &StepContext,
    table: &'static crate::input::contract::TableSpec,
    steps: &[Step],
    checks: &mut Vec<CheckPlan>,
) -> Result<LazyFrame, EngineError> {
    apply(
        &StepContext {
            table,
            months: None,
            dated_by: None,
            placed: false,
            ..*ctx
        },
        ctx.tables.get(table.name)?,
        steps,
        checks,
    )
}

fn on_names(on: &[(String, String)]) -> Vec<PlSmallStr> {
    let la = (!pins_la(on)).then(|| PlSmallStr::from(LA_CODE));
    la.into_iter()
        .chain(on.iter().map(|(_, r)| PlSmallStr::from(r.as_str())))
        .collect()
}

/// Whether `on` matches a person key with a person key, which names the LA as well as the child: the LA then
/// needs no matching of its own.
fn pins_la(on: &[(String, String)]) -> bool {
    on.iter()
        .any(|(l, r)| contract::is_person_column(l) && contract::is_person_column(r))
}

/// The LA column as a key of a match on `on`, unless `on` pins the LA already.
fn la_keys(on: &[(String, String)]) -> Vec<Expr> {
    if pins_la(on) {
        Vec::new()
    } else {
        vec![col(LA_CODE)]
    }
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
        .map(|d| crate::common::calendar::epoch_days(*d))
        .collect();
    let holidays = Series::new("holidays".into(), days)
        .cast(&DataType::Date)
        .expect("days cast to dates");
    // Polars 0.55 reads the holidays list while visiting the first row: when that row's dates are null it never
    // reads them, and counts every row without bank holidays. Counting between placeholder dates on missing
    // dates, then nulling those rows, keeps the first row complete.
    let missing = a.clone().is_null().or(b.clone().is_null());
    let placeholder = || lit(0i32).cast(DataType::Date);
    let days = business_day_count(
        add_days(a.fill_null(placeholder()), 1),
        add_days(b.fill_null(placeholder()), 1),
        wd.week(),
        lit(holidays).implode(false),
    );
    when(missing)
        .then(lit(NULL).cast(DataType::Int32))
        .otherwise(days)
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
    let rows = rows.with_row_index(ROW, None).cache();
    let mut local: Vec<Expr> = vec![col(ROW), col(LA_CODE)];
    let mut remote: Vec<Expr> = la_keys(on);
    let mut left_keys = la_keys(on);
    let mut right_keys = la_keys(on);
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

/// The months the rows are placed in, when a step asks what is open at `period_end` on rows placed at each
/// month end: what is open then is what is open at the end of the row's month, found by [`month_ends`].
fn month_ends_of(
    ctx: &StepContext,
    rows: &mut LazyFrame,
    open_at: &OpenAt,
) -> Result<Option<(i32, i32)>, EngineError> {
    if open_at.date != "period_end" {
        return Ok(None);
    }
    let placed = ctx.months.is_some() && rows.collect_schema()?.contains(MONTH);
    Ok(placed.then_some(ctx.reported))
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

/// Whether the same child (or `same` columns) has an earlier row in the whole table: its `before` strictly earlier, its
/// `other_date` (default: `before`) set, not after this row's `before`, and within `within_months` of it.
fn earlier_record(
    ctx: &StepContext,
    rows: LazyFrame,
    name: &str,
    same: &[String],
    before: &str,
    other_date: Option<&str>,
    within_months: Option<u32>,
) -> Result<LazyFrame, EngineError> {
    let pairs: Vec<(String, String)> = same.iter().map(|s| (s.clone(), s.clone())).collect();
    let mut keys = la_keys(&pairs);
    keys.extend(same.iter().map(|s| col(s.as_str())));
    let rows = rows.with_row_index(ROW, None).cache();
    let mut this: Vec<Expr> = keys.clone();
    this.push(col(ROW));
    this.push(as_date(col(before)).alias("__this_before"));
    // The earliest date within reach, computed once per row rather than once per matched pair.
    if let Some(n) = within_months {
        this.push(add_months(col(before), -(n as i32)).alias("__this_from"));
    }
    let mut that: Vec<Expr> = keys.clone();
    that.push(as_date(col(before)).alias("__that_before"));
    that.push(as_date(col(other_date.unwrap_or(before))).alias("__that_date"));
    let mut cond = col("__that_before")
        .lt(col("__this_before"))
        .and(col("__that_date").is_not_null())
        .and(col("__that_date").lt_eq(col("__this_before")));
    if within_months.is_some() {
        cond = cond.and(col("__that_date").gt_eq(col("__this_from")));
    }
    // Dated rows outside the months counted are left out once placed: only the others look for earlier records,
    // and only among the records those could reach.
    let mut this_rows = rows.clone();
    let mut base = ctx.tables.get(ctx.table.name)?;
    if let (Some((first, last)), Some(dated_by)) = (ctx.months, ctx.dated_by) {
        this_rows = this_rows.filter(in_months(col(dated_by), first, last));
        if dated_by == before {
            let mut reachable = month_at_most(col(before), last);
            if let Some(n) = within_months {
                let earliest = first.saturating_sub_unsigned(n).saturating_sub(1);
                reachable =
                    reachable.and(month_at_least(col(other_date.unwrap_or(before)), earliest));
            }
            base = base.filter(reachable);
        }
    }
    let matched = this_rows
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

/// The parts of `condition` joined by AND: a row meets the condition exactly when it meets every part (a part
/// that is null or false leaves it out either way).
fn conjuncts(condition: Expr) -> Vec<Expr> {
    match condition {
        Expr::BinaryExpr {
            left,
            op: Operator::And,
            right,
        } => {
            let mut parts = conjuncts(Arc::unwrap_or_clone(left));
            parts.extend(conjuncts(Arc::unwrap_or_clone(right)));
            parts
        }
        other => vec![other],
    }
}

/// Joins `local` (rows with a `ROW` index and the columns a match needs) to `other` on `la_code` and `on`, giving
/// each side's key columns the same names.
fn join_on(local: LazyFrame, other: LazyFrame, on: &[(String, String)]) -> LazyFrame {
    let mut left_keys = la_keys(on);
    let mut right_keys = la_keys(on);
    for (l, r) in on {
        left_keys.push(col(l.as_str()));
        right_keys.push(col(r.as_str()));
    }
    local.join(other, left_keys, right_keys, JoinArgs::new(JoinType::Inner))
}

/// A lookup of the columns of another table's row open at each row's date: the latest start when several are
/// open, and of those the greatest `record_id`, so that every run picks the same row.
struct OpenLookup<'a> {
    record_id: &'a str,
    on: &'a [(String, String)],
    columns: &'a [String],
    open_at: &'a OpenAt,
}

impl OpenLookup<'_> {
    /// The rows of `other` with what a match needs: the keys, start, end, record id and the looked-up columns.
    fn records(&self, other: LazyFrame) -> LazyFrame {
        let mut remote: Vec<Expr> = la_keys(self.on);
        remote.extend(self.on.iter().map(|(_, r)| col(r.as_str())));
        remote.push(as_date(col(self.open_at.start.as_str())).alias("__lookup_start"));
        remote.push(as_date(col(self.open_at.end.as_str())).alias("__lookup_end"));
        remote.push(col(self.record_id).alias("__lookup_id"));
        remote.extend(self.columns.iter().map(|c| col(c.as_str())));
        other.select(remote)
    }

    /// The lookup at any date: each row is paired with the matching rows of `other`, which are kept when open at
    /// the row's date.
    fn at_each_date(
        &self,
        rows: LazyFrame,
        other: LazyFrame,
        rule: OpenAtDate,
    ) -> Result<LazyFrame, EngineError> {
        let (on, columns) = (self.on, self.columns);
        let rows = rows.with_row_index(ROW, None).cache();
        let mut local: Vec<Expr> = vec![col(ROW), col(LA_CODE)];
        local.extend(on.iter().map(|(l, _)| col(l.as_str())));
        local.push(as_date(col(self.open_at.date.as_str())).alias("__lookup_at"));
        let mut keep = vec![col(ROW)];
        keep.extend(columns.iter().map(|c| col(c.as_str())));
        let found = join_on(rows.clone().select(local), self.records(other), on)
            .filter(open_at_expr(
                col("__lookup_start"),
                col("__lookup_end"),
                col("__lookup_at"),
                rule,
            ))
            .filter(col("__lookup_start").eq(col("__lookup_start").max().over([col(ROW)])?))
            .filter(col("__lookup_id").eq_missing(col("__lookup_id").max().over([col(ROW)])?))
            // Rows left tied have no record id to tell them apart.
            .unique(Some(cols([ROW])), UniqueKeepStrategy::Any)
            .select(keep);
        Ok(rows
            .join(found, [col(ROW)], [col(ROW)], JoinArgs::new(JoinType::Left))
            .drop(cols([ROW])))
    }

    /// The lookup at `period_end` on rows placed at month ends: each record of `other` is repeated at the month
    /// ends it is open at, the latest of each key and month kept, and the rows matched by key and month.
    fn at_month_ends(
        &self,
        rows: LazyFrame,
        other: LazyFrame,
        rule: OpenAtDate,
        months: (i32, i32),
    ) -> Result<LazyFrame, EngineError> {
        let (on, columns) = (self.on, self.columns);
        let open = month_ends::open_at_month_ends(
            self.records(other),
            "__lookup_start",
            "__lookup_end",
            rule,
            months,
        )?;
        let mut left_keys = la_keys(on);
        left_keys.extend(on.iter().map(|(l, _)| col(l.as_str())));
        let mut right_keys = la_keys(on);
        right_keys.extend(on.iter().map(|(_, r)| col(r.as_str())));
        let latest =
            month_ends::latest_per_month(open, &right_keys, "__lookup_start", "__lookup_id");
        let mut keep = right_keys.clone();
        keep.push(col(MONTH));
        keep.extend(columns.iter().map(|c| col(c.as_str())));
        left_keys.push(col(MONTH));
        right_keys.push(col(MONTH));
        Ok(rows.join(
            latest.select(keep),
            left_keys,
            right_keys,
            JoinArgs::new(JoinType::Left),
        ))
    }
}

/// The first day of the span ending on `ending` (both ends included).
fn span_start(ending: Expr, span: Span) -> Expr {
    match span {
        Span::Days(n) => add_days(ending, 1 - n as i32),
        Span::Months(n) => add_days(add_months(ending, -(n as i32)), 1),
    }
}

/// Each row with `columns` summarising the rows of `other` that match on `on`, pass `filter` (which may read
/// both rows) and fall in `window`.
fn related_summary(
    rows: LazyFrame,
    other: LazyFrame,
    on: &[(String, String)],
    filter: Option<Expr>,
    window: Option<&RelatedWindow>,
    columns: &[(String, Aggregate)],
    ctx: &StepContext,
) -> Result<LazyFrame, EngineError> {
    let rule = ctx.open_at_date;
    let rows = rows.with_row_index(ROW, None).cache();
    let mut other = other;
    let remote = other.collect_schema()?;
    // The parts of `filter` that read only the related table's columns leave its rows out before they are offered
    // to each row; the rest is judged on each match.
    let (remote_only, on_match): (Vec<Expr>, Vec<Expr>) = filter
        .map(conjuncts)
        .unwrap_or_default()
        .into_iter()
        .partition(|part| {
            part.clone()
                .meta()
                .root_names()
                .iter()
                .all(|n| remote.contains(n.as_str()))
        });
    for part in remote_only {
        other = other.filter(part.fill_null(false));
    }
    let filter = on_match.into_iter().reduce(Expr::and);
    // Only the columns a match reads travel through the join: the keys, the window's end and what `filter` reads
    // of this row.
    let mut local: std::collections::BTreeSet<String> = on.iter().map(|(l, _)| l.clone()).collect();
    if let Some(RelatedWindow::Dated { ending, .. } | RelatedWindow::OpenDuring { ending, .. }) =
        window
    {
        local.insert(ending.clone());
    }
    if let Some(f) = &filter {
        local.extend(
            f.clone()
                .meta()
                .root_names()
                .iter()
                .filter(|n| !remote.contains(n.as_str()))
                .map(|n| n.to_string()),
        );
    }
    let mut select = vec![col(ROW), col(LA_CODE)];
    select.extend(local.iter().map(|c| col(c.as_str())));
    let mut local = rows.clone().select(select);
    let mut on = on.to_vec();
    if let Some(RelatedWindow::Dated { date, ending, span }) = window {
        // A span of N days or months reaches back over at most `reach` calendar months: each related row is
        // offered only to the rows whose `ending` falls in one of those months, not to every row of the child.
        let reach = match span {
            Span::Days(n) => (*n as i32 - 1) / 28 + 1,
            Span::Months(n) => *n as i32,
        };
        let month = month_of(col(date.as_str()));
        if let Some((first, last)) = ctx.months {
            // Rows dated too early or too late for any span ending in a counted month are never offered.
            other = other.filter(in_months(col(date.as_str()), first - reach, last));
        }
        other = other
            .with_column(
                int_ranges(
                    month.clone(),
                    month + lit(reach + 1),
                    lit(1),
                    DataType::Int32,
                )
                .alias(BUCKET),
            )
            .explode(
                cols([BUCKET]),
                ExplodeOptions {
                    empty_as_null: false,
                    keep_nulls: false,
                },
            );
        local = local.with_column(month_of(col(ending.as_str())).alias(BUCKET));
        on.push((BUCKET.to_string(), BUCKET.to_string()));
    }
    let mut matched = join_on(local, other, &on);
    if let Some(w) = window {
        let inside = match w {
            RelatedWindow::Dated { date, ending, span } => {
                let (date, ending) = (as_date(col(date.as_str())), as_date(col(ending.as_str())));
                date.clone()
                    .gt_eq(span_start(ending.clone(), *span))
                    .and(date.lt_eq(ending))
            }
            RelatedWindow::OpenDuring {
                start,
                end,
                ending,
                span,
            } => {
                let (start, end) = (as_date(col(start.as_str())), as_date(col(end.as_str())));
                let ending = as_date(col(ending.as_str()));
                let first_day = max_horizontal([start.clone(), span_start(ending.clone(), *span)])?;
                let still_open = match rule {
                    OpenAtDate::StartOnOrBeforeEndAfter => end.clone().gt(first_day),
                    OpenAtDate::StartOnOrBeforeEndOnOrAfter => end.clone().gt_eq(first_day),
                };
                start.lt_eq(ending).and(end.is_null().or(still_open))
            }
        };
        matched = matched.filter(inside.fill_null(false));
    }
    if let Some(f) = filter {
        matched = matched.filter(f.fill_null(false));
    }
    let aggregates: Vec<Expr> = columns
        .iter()
        .map(|(name, a)| {
            match a {
                Aggregate::Count => len().cast(DataType::Int64),
                Aggregate::Min(c) => col(c.as_str()).min(),
                Aggregate::Max(c) => col(c.as_str()).max(),
            }
            .alias(name.as_str())
        })
        .collect();
    let summary = matched.group_by([col(ROW)]).agg(aggregates);
    let counts: Vec<Expr> = columns
        .iter()
        .filter(|(_, a)| *a == Aggregate::Count)
        .map(|(name, _)| col(name.as_str()).fill_null(lit(0i64)))
        .collect();
    Ok(rows
        .join(
            summary,
            [col(ROW)],
            [col(ROW)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns(counts)
        .drop(cols([ROW])))
}

/// Each row with the group columns of its group: the rows of the whole table sharing `same` (in the same LA),
/// ordered by `order_by` (nulls last, then by record id).
fn group(
    ctx: &StepContext,
    rows: LazyFrame,
    same: &[String],
    order_by: &str,
    columns: &[(String, GroupColumn)],
) -> Result<LazyFrame, EngineError> {
    let id = ctx.table.record_id;
    let mut keys = vec![col(LA_CODE)];
    keys.extend(same.iter().map(|s| col(s.as_str())));
    let mut order = keys.clone();
    order.push(col(order_by));
    order.push(col(id));
    let keyed = same
        .iter()
        .fold(lit(true), |acc, s| acc.and(col(s.as_str()).is_not_null()));
    let mut derived = vec![col(LA_CODE), col(id)];
    for (name, c) in columns {
        let over = |e: Expr| e.over(keys.clone());
        let value = match c {
            GroupColumn::First(c) => over(col(c.as_str()).first())?,
            GroupColumn::Last(c) => over(col(c.as_str()).last())?,
            GroupColumn::Min(c) => over(col(c.as_str()).min())?,
            GroupColumn::Max(c) => over(col(c.as_str()).max())?,
            GroupColumn::Count => over(len().cast(DataType::Int64))?,
            GroupColumn::NullCount(c) => over(col(c.as_str()).null_count().cast(DataType::Int64))?,
            // On rows sorted by group, a group's first row starts it and its last row precedes the next start.
            GroupColumn::IsFirst => sorted_scans::starts_key(&keys),
            GroupColumn::IsLast => sorted_scans::starts_key(&keys)
                .shift(lit(-1))
                .fill_null(true),
        };
        derived.push(
            when(keyed.clone())
                .then(value)
                .otherwise(lit(NULL))
                .alias(name.as_str()),
        );
    }
    let groups = ctx
        .tables
        .get(ctx.table.name)?
        .sort_by_exprs(
            order,
            SortMultipleOptions::default()
                .with_nulls_last(true)
                .with_maintain_order(true),
        )
        .select(derived)
        .unique_stable(Some(cols([LA_CODE, id])), UniqueKeepStrategy::First)
        // The whole table's sort, once: a lookup after this step reads the rows twice (their distinct keys, then
        // the join back), which without the cache sorted the table again for each read (measured on England: the
        // children-in-care cohort's query 13.7 s -> 11.3 s).
        .cache();
    Ok(rows.join(
        groups,
        [col(LA_CODE), col(id)],
        [col(LA_CODE), col(id)],
        JoinArgs::new(JoinType::Left),
    ))
}

/// Each row with `name`: the age in whole years of the child `person` at `at` (or on the last `on_preceding` month
/// and day strictly before it). A birthday on 29 February is reached on 1 March in common years; an unborn child
/// (no date of birth, an expected one) is 0, and so is a child not yet born at the date. `ssd_person` holds one row
/// per id and LA once loaded.
fn age(
    ctx: &StepContext,
    rows: LazyFrame,
    name: &str,
    person: &str,
    at: &str,
    on_preceding: Option<(u32, u32)>,
) -> Result<LazyFrame, EngineError> {
    let mut rows = rows;
    let (dob_name, expected_name) = birth_date_columns(person);
    if !rows.collect_schema()?.contains(&dob_name) {
        rows = with_birth_dates(ctx, rows, person)?;
    }
    let at = col(at);
    let (year, md) = match on_preceding {
        None => (year_of(at.clone()), month_day_of(at)),
        Some((m, d)) => {
            let target = (m * 100 + d) as i32;
            let before_this_year = month_day_of(at.clone()).lt_eq(lit(target));
            (
                year_of(at) - before_this_year.cast(DataType::Int32),
                lit(target),
            )
        }
    };
    let dob = col(dob_name.as_str());
    let years =
        year - year_of(dob.clone()) - md.lt(month_day_of(dob.clone())).cast(DataType::Int32);
    let value = when(dob.is_null())
        .then(
            when(col(expected_name.as_str()).is_not_null())
                .then(lit(0i32))
                .otherwise(lit(NULL).cast(DataType::Int32)),
        )
        .when(years.clone().lt(lit(0i32)))
        .then(lit(0i32))
        .otherwise(years);
    Ok(rows
        .with_column(value.cast(DataType::Int64).alias(name))
        .drop(cols([dob_name, expected_name])))
}

/// The columns that carry the date of birth and expected date of birth of the person in `person` until an `age`
/// step reads them (and drops them: they never reach an output).
fn birth_date_columns(person: &str) -> (String, String) {
    (
        format!("__dob_{person}"),
        format!("__expected_dob_{person}"),
    )
}

/// `rows` with the date of birth and expected date of birth of the person in `person`, from `ssd_person`.
fn with_birth_dates(
    ctx: &StepContext,
    rows: LazyFrame,
    person: &str,
) -> Result<LazyFrame, EngineError> {
    let (dob, expected) = birth_date_columns(person);
    // A person key names the LA as well as the child.
    let people = ctx.tables.get("ssd_person")?.select([
        col("pers_person_id").alias("__age_person"),
        col("pers_dob").alias(dob.as_str()),
        col("pers_expected_dob").alias(expected.as_str()),
    ]);
    let keys = vec![col(person)];
    let right = vec![col("__age_person")];
    lookup_join(ctx, rows, keys, people, right)
}

/// `rows` (records not yet placed at month ends) with the birth dates that the `age` steps in `later` will read,
/// looked up once per record rather than once per record and month.
pub(super) fn with_birth_dates_for(
    ctx: &StepContext,
    rows: LazyFrame,
    later: &[Step],
) -> Result<LazyFrame, EngineError> {
    let mut rows = rows;
    let schema = rows.collect_schema()?;
    let mut looked_up = std::collections::BTreeSet::new();
    for step in later {
        if let Step::Age { person, .. } = step
            && schema.contains(person.as_str())
            && looked_up.insert(person.as_str())
        {
            rows = with_birth_dates(ctx, rows, person)?;
        }
    }
    Ok(rows)
}

/// `rows` left-joined to `other` (one row per key) on `left` = `right`: once per distinct key for open records
/// and current rows (measured: a direct join there held 15% more memory for no time), directly for dated events
/// and a related table's rows.
fn lookup_join(
    ctx: &StepContext,
    rows: LazyFrame,
    left: Vec<Expr>,
    other: LazyFrame,
    right: Vec<Expr>,
) -> Result<LazyFrame, EngineError> {
    match ctx.placed {
        true => join_by_distinct_keys(ctx, rows, left, other, right),
        false => Ok(rows.join(other, left, right, JoinArgs::new(JoinType::Left))),
    }
}

/// `rows` left-joined to `other` on `left` = `right`. Rows repeat a key (a child at every month end) while `other`
/// may hold every child of every LA: the distinct keys of the rows are matched against `other`, and the few matches
/// joined back.
fn join_by_distinct_keys(
    ctx: &StepContext,
    rows: LazyFrame,
    left: Vec<Expr>,
    other: LazyFrame,
    right: Vec<Expr>,
) -> Result<LazyFrame, EngineError> {
    // The distinct keys come from the loaded table when it has the key columns (a superset of the rows' keys, which
    // the left join back ignores), so that the rows, and every step before this one, are read once. Otherwise from
    // the rows themselves. (No `.cache()` of `rows`: under a cache a step already placed for its end-before-start
    // check, a second one made Polars 0.55 lose the looked-up columns, "not found".)
    let in_table = left.iter().all(|key| {
        key.clone()
            .meta()
            .root_names()
            .iter()
            .all(|name| name == LA_CODE || ctx.table.column(name).is_some())
    });
    let keys = if in_table {
        ctx.tables.get(ctx.table.name)?
    } else {
        rows.clone()
    };
    let matched = keys
        .select(left.clone())
        .unique(None, UniqueKeepStrategy::Any)
        .join(other, left.clone(), right, JoinArgs::new(JoinType::Inner));
    Ok(rows.join(matched, left.clone(), left, JoinArgs::new(JoinType::Left)))
}

/// The month a related row is offered in, for spans ending on a date.
const BUCKET: &str = "__related_month";

/// The row index that matched rows of a related table are keyed on.
const ROW: &str = "__step_row";

/// `rows` (with a `ROW` index) with column `name` true for the rows that appear in `matched`.
fn flag_matched(rows: LazyFrame, matched: LazyFrame, name: &str) -> LazyFrame {
    // A column's own `unique` (a sort of the row numbers) took a third of the time of a frame's (a group-by):
    // 0.06 s against 0.15 s for `cp_allocated` on England.
    let matched = matched
        .select([col(ROW).unique()])
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::rng::Rng;
    use chrono::NaiveDate;

    /// England's bank holidays around Christmas and Easter of 2023-2025, a 29 February and a financial-year end.
    fn calendar() -> WorkingDays {
        let days = [
            "2023-04-07",
            "2023-04-10",
            "2023-05-01",
            "2023-05-08",
            "2023-05-29",
            "2023-08-28",
            "2023-12-25",
            "2023-12-26",
            "2024-01-01",
            "2024-03-29",
            "2024-04-01",
            "2024-05-06",
            "2024-05-27",
            "2024-08-26",
            "2024-12-25",
            "2024-12-26",
            "2025-01-01",
            "2025-04-18",
            "2025-04-21",
        ];
        let week = [true, true, true, true, true, false, false];
        WorkingDays::new(week, days.iter().map(|d| d.parse().unwrap()).collect())
    }

    /// The Polars working-day expression agrees with `WorkingDays::between` on random date pairs near bank
    /// holidays, in any row order, with missing dates anywhere (the first row included) and ends before starts.
    #[test]
    fn working_day_expression_equals_the_calendar_on_random_pairs() {
        let wd = calendar();
        let first = NaiveDate::from_ymd_opt(2023, 3, 20).unwrap();
        for seed in 0..20 {
            let mut rng = Rng::new(seed, "working-days");
            let (mut starts, mut ends) = (Vec::new(), Vec::new());
            for row in 0..300 {
                let a = first + chrono::Days::new(rng.int(0, 760) as u64);
                let b = a + chrono::Days::new(rng.int(0, 40) as u64) - chrono::Days::new(2);
                let missing = (row == 0 && seed % 2 == 0) || rng.chance(0.1);
                starts.push((!missing || rng.chance(0.5)).then_some(a));
                ends.push((!missing).then_some(b));
            }
            let days = |v: &[Option<NaiveDate>]| {
                Series::new(
                    "d".into(),
                    v.iter()
                        .map(|d| d.map(crate::common::calendar::epoch_days))
                        .collect::<Vec<_>>(),
                )
                .cast(&DataType::Date)
                .unwrap()
            };
            let df = DataFrame::new_infer_height(vec![
                days(&starts).with_name("a".into()).into(),
                days(&ends).with_name("b".into()).into(),
            ])
            .unwrap();
            let out = df
                .lazy()
                .select([when(col("b").lt(col("a")))
                    .then(lit(NULL).cast(DataType::Int64))
                    .otherwise(working_days(col("a"), col("b"), &wd).cast(DataType::Int64))
                    .alias("wd")])
                .collect()
                .unwrap();
            let got: Vec<Option<i64>> = out.column("wd").unwrap().i64().unwrap().iter().collect();
            let want: Vec<Option<i64>> = starts
                .iter()
                .zip(&ends)
                .map(|(a, b)| wd.between((*a)?, (*b)?))
                .collect();
            assert_eq!(got, want, "seed {seed}");
        }
    }

    /// Looked up at month ends from the months each record covers, the open row is the one that pairing every row
    /// with every record of its child and testing the dates picks: random records of a few children (overlaps,
    /// ties on the start broken by id, no id, no end, ends on a month's last day), under both open-at rules.
    #[test]
    fn a_lookup_at_month_ends_picks_what_pairing_with_every_record_picks() {
        let epoch = |d: NaiveDate| crate::common::calendar::epoch_days(d);
        let first_month = 2023 * 12; // January 2023
        let months = (first_month, first_month + 17);
        let month_end = |m: i32| {
            let next = NaiveDate::from_ymd_opt((m + 1) / 12, ((m + 1) % 12) as u32 + 1, 1).unwrap();
            epoch(next.pred_opt().unwrap())
        };
        let dates = |name: &str, v: Vec<Option<i32>>| {
            Series::new(name.into(), v)
                .cast(&DataType::Date)
                .unwrap()
                .into_column()
        };
        for rule in [
            OpenAtDate::StartOnOrBeforeEndAfter,
            OpenAtDate::StartOnOrBeforeEndOnOrAfter,
        ] {
            for seed in 0..12 {
                let mut rng = Rng::new(seed, "month-end-lookup");
                let (mut who, mut starts, mut ends, mut ids, mut values) =
                    (vec![], vec![], vec![], vec![], vec![]);
                for n in 0..40 {
                    let child = rng.int(0, 4);
                    let tie = n > 0 && who.last() == Some(&child) && rng.chance(0.2);
                    let start = if tie {
                        starts[n - 1]
                    } else if rng.chance(0.2) {
                        month_end(first_month + rng.int(-3, 18) as i32)
                    } else {
                        epoch(NaiveDate::from_ymd_opt(2022, 10, 1).unwrap())
                            + rng.int(0, 640) as i32
                    };
                    let end = match rng.int(0, 9) {
                        0 | 1 => None,
                        2 => Some(month_end(first_month + rng.int(-2, 18) as i32)),
                        _ => Some(start + rng.int(0, 200) as i32),
                    };
                    who.push(child);
                    starts.push(start);
                    ends.push(end);
                    ids.push((tie || rng.chance(0.9)).then(|| format!("R{n:02}")));
                    values.push(n as i64);
                }
                // A record without an id never ties on its start with another of its child.
                for n in 0..ids.len() {
                    let tied = (0..ids.len())
                        .any(|o| o != n && who[o] == who[n] && starts[o] == starts[n]);
                    if ids[n].is_none() && tied {
                        ids[n] = Some(format!("R{n:02}"));
                    }
                }
                let records = DataFrame::new_infer_height(vec![
                    Column::new(LA_CODE.into(), vec!["201"; who.len()]),
                    Column::new(
                        "q".into(),
                        who.iter().map(|c| format!("c{c}")).collect::<Vec<_>>(),
                    ),
                    dates("s", starts.iter().map(|d| Some(*d)).collect()),
                    dates("e", ends.clone()),
                    Column::new("id".into(), ids.clone()),
                    Column::new("v".into(), values.clone()),
                ])
                .unwrap();
                let (mut child, mut month, mut end_of_month) = (vec![], vec![], vec![]);
                for c in 0..6 {
                    for m in months.0..=months.1 {
                        child.push(format!("c{c}"));
                        month.push(m);
                        end_of_month.push(Some(month_end(m)));
                    }
                }
                let rows = DataFrame::new_infer_height(vec![
                    Column::new(LA_CODE.into(), vec!["201"; child.len()]),
                    Column::new("p".into(), child),
                    Column::new(MONTH.into(), month),
                    dates("period_end", end_of_month),
                ])
                .unwrap();
                let on = [("p".to_string(), "q".to_string())];
                let columns = ["v".to_string()];
                let open_at = OpenAt {
                    date: "period_end".into(),
                    start: "s".into(),
                    end: "e".into(),
                };
                let lookup = OpenLookup {
                    record_id: "id",
                    on: &on,
                    columns: &columns,
                    open_at: &open_at,
                };
                let sorted = |lf: LazyFrame| {
                    lf.select([col("p"), col(MONTH), col("v")])
                        .sort(["p", MONTH], SortMultipleOptions::default())
                        .collect()
                        .unwrap()
                };
                let paired = sorted(
                    lookup
                        .at_each_date(rows.clone().lazy(), records.clone().lazy(), rule)
                        .unwrap(),
                );
                let by_months = sorted(
                    lookup
                        .at_month_ends(rows.clone().lazy(), records.clone().lazy(), rule, months)
                        .unwrap(),
                );
                assert!(
                    paired.column("v").unwrap().null_count() < paired.height(),
                    "seed {seed}: some rows find an open record"
                );
                assert!(
                    paired.equals_missing(&by_months),
                    "{rule:?}, seed {seed}:\n{paired}\n{by_months}"
                );
            }
        }
    }
}
