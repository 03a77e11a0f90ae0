//! Dates no case record can have: 1800, or the 9999-12-31 some systems write for "no end". They are read as
//! unknown, so that an end-date sentinel reads as an open record and no such date lands in a window, and each LA's
//! count is reported.

use super::{Flagged, LaSnapshot, report_flagged};
use crate::common::calendar::epoch_days;
use crate::common::quality::{Finding, FindingKind};
use crate::input::contract::{self, Logical, TableSpec};
use chrono::NaiveDate;
use polars::prelude::*;

/// The years a case record's date can plausibly fall in.
pub(super) const PLAUSIBLE_YEARS: (i32, i32) = (1900, 2099);

/// The first plausible instant and the first one after, typed as the column is: a plain date literal would
/// compare as nanoseconds, which overflow after 2262.
fn bounds(logical: Logical) -> (Expr, Expr) {
    let first = NaiveDate::from_ymd_opt(PLAUSIBLE_YEARS.0, 1, 1).expect("a valid date");
    let after = NaiveDate::from_ymd_opt(PLAUSIBLE_YEARS.1 + 1, 1, 1).expect("a valid date");
    let bound = |d: NaiveDate| match logical {
        Logical::Datetime => lit(i64::from(epoch_days(d)) * 86_400_000)
            .cast(DataType::Datetime(TimeUnit::Milliseconds, None)),
        _ => lit(epoch_days(d)).cast(DataType::Date),
    };
    (bound(first), bound(after))
}

/// True where the date or datetime column `name` lies outside [`PLAUSIBLE_YEARS`].
fn outside(name: &str, logical: Logical) -> Expr {
    let (first, after) = bounds(logical);
    col(name)
        .lt(first)
        .or(col(name).gt_eq(after))
        .fill_null(false)
}

/// Reports and nulls the implausible dates of the table's date and datetime columns. Most extracts have none: each
/// column's minimum and maximum settle that, and only columns with some are looked at per LA.
pub(super) fn implausible_dates(
    df: DataFrame,
    table: &'static TableSpec,
    columns: &[&'static contract::ColumnSpec],
    las: &[LaSnapshot],
    findings: &mut Vec<Finding>,
) -> PolarsResult<DataFrame> {
    let dated: Vec<(&str, Logical)> = columns
        .iter()
        .filter(|c| matches!(c.logical, Logical::Date | Logical::Datetime))
        .filter(|c| df.schema().contains(c.name))
        .map(|c| (c.name, c.logical))
        .collect();
    if dated.is_empty() || df.height() == 0 {
        return Ok(df);
    }
    let extremes = df
        .clone()
        .lazy()
        .select(
            dated
                .iter()
                .map(|(name, logical)| {
                    let (first, after) = bounds(*logical);
                    col(*name)
                        .min()
                        .lt(first)
                        .or(col(*name).max().gt_eq(after))
                        .fill_null(false)
                        .alias(*name)
                })
                .collect::<Vec<_>>(),
        )
        .collect()?;
    let found: Vec<(&str, Logical)> = dated
        .into_iter()
        .filter(|(name, _)| {
            extremes
                .column(name)
                .ok()
                .and_then(|c| c.bool().ok()?.get(0))
                .unwrap_or(false)
        })
        .collect();
    if found.is_empty() {
        return Ok(df);
    }
    let flagged: Vec<Flagged> = found
        .iter()
        .map(|(name, logical)| Flagged {
            column: name,
            kind: FindingKind::ImplausibleDate,
            flag: outside(name, *logical),
            raw: col(*name),
        })
        .collect();
    report_flagged(&df, table, las, &flagged, findings)?;
    df.lazy()
        .with_columns(
            found
                .iter()
                .map(|(name, logical)| {
                    when(outside(name, *logical))
                        .then(lit(NULL))
                        .otherwise(col(*name))
                        .alias(*name)
                })
                .collect::<Vec<_>>(),
        )
        .collect()
}
