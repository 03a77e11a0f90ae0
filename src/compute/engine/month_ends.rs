//! Records open at month ends, by interval arithmetic. A record open from `start` to `end` is open at the end of
//! every month from its start's month to the month before its end's (or to its end's month, when it ends on that
//! month's last day and the catalogue counts a record ending on a date as open then). Worked out from the two
//! dates, the months a record covers come without pairing it with every row of the same child and filtering.

use super::date_arithmetic::month_of;
use super::rows::MONTH;
use super::sorted_scans;
use crate::catalogue::OpenAtDate;
use polars::lazy::dsl::{int_ranges, max_horizontal, min_horizontal};
use polars::prelude::*;

/// The first and last month (consecutive month numbers) at whose end a record from `start` to `end` is open,
/// within `from..=to`; an open-ended record (no `end`) is open until `to`. The first is after the last when the
/// record is open at no month end there; both are null without a start.
pub(super) fn months_open(
    start: Expr,
    end: Expr,
    rule: OpenAtDate,
    (from, to): (i32, i32),
) -> PolarsResult<(Expr, Expr)> {
    let (start, end) = (start.cast(DataType::Date), end.cast(DataType::Date));
    let end_month = month_of(end.clone());
    let last = match rule {
        OpenAtDate::StartOnOrBeforeEndAfter => end_month - lit(1),
        OpenAtDate::StartOnOrBeforeEndOnOrAfter => {
            let at_month_end = end.clone().dt().month_end().eq(end.clone());
            end_month - lit(1) + at_month_end.cast(DataType::Int32)
        }
    };
    let last = when(end.is_null()).then(lit(to)).otherwise(last);
    let first = when(start.clone().is_null())
        .then(lit(NULL).cast(DataType::Int32))
        .otherwise(max_horizontal([month_of(start), lit(from)])?);
    Ok((first, min_horizontal([last, lit(to)])?))
}

/// `records` repeated at the end of each month they are open at within `months`, with that month as `MONTH`.
pub(super) fn open_at_month_ends(
    records: LazyFrame,
    start: &str,
    end: &str,
    rule: OpenAtDate,
    months: (i32, i32),
) -> PolarsResult<LazyFrame> {
    let (first, last) = months_open(col(start), col(end), rule, months)?;
    Ok(records
        .with_column(int_ranges(first, last + lit(1), lit(1), DataType::Int32).alias(MONTH))
        .explode(
            cols([MONTH]),
            ExplodeOptions {
                empty_as_null: false,
                keep_nulls: false,
            },
        ))
}

/// Of `records` repeated at month ends (with `MONTH`), the one row per `keys` and month with the latest `start`,
/// and of those the greatest `id` (rows without an id count as the smallest): a sort, then the last row of each
/// run of equal keys and month, so no group is formed per child.
pub(super) fn latest_per_month(
    records: LazyFrame,
    keys: &[Expr],
    start: &str,
    id: &str,
) -> LazyFrame {
    let mut run: Vec<Expr> = keys.to_vec();
    run.push(col(MONTH));
    let mut order = run.clone();
    order.extend([col(start), col(id)]);
    let last_of_run = sorted_scans::starts_key(&run)
        .shift(lit(-1))
        .fill_null(true);
    records
        .sort_by_exprs(
            order,
            SortMultipleOptions::default()
                .with_nulls_last(false)
                .with_maintain_order(true),
        )
        .filter(last_of_run)
}
