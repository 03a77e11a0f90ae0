//! Data-quality checks that steps declare while an indicator is compiled. Each is a lazy count of the offending
//! rows per LA over the same rows the indicator reads, executed together with the indicator so that those rows are
//! computed once, and turned into findings afterwards.

use crate::common::quality::{Finding, FindingKind};
use crate::input::contract::LA_CODE;
use crate::input::snapshot::{cell_str, cell_u64};
use polars::prelude::*;

/// Column names of a check's result.
pub(super) const CHECK: &str = "__check";
pub(super) const COUNT: &str = "__check_count";
pub(super) const EXAMPLE: &str = "__check_example";

/// One check: what it is about, and the lazy frame `la_code, __check_count, __check_example` of the rows it finds.
pub(super) struct CheckPlan {
    table: &'static str,
    columns: String,
    kind: FindingKind,
    record_id: &'static str,
    message: String,
    /// Rows found per LA, with one record id as example.
    pub found: LazyFrame,
}

impl CheckPlan {
    /// Rows whose `to` is before `from`, which the steps that measure between them leave out. `None` when these
    /// rows lack the columns (a related table's rows, seen from another table's step).
    pub fn end_before_start(
        table: &'static crate::input::contract::TableSpec,
        rows: &LazyFrame,
        from: &str,
        to: &str,
    ) -> Option<CheckPlan> {
        let schema = rows.clone().collect_schema().ok()?;
        if [from, to, table.record_id, LA_CODE]
            .iter()
            .any(|c| !schema.contains(c))
        {
            return None;
        }
        let as_date = |c: &str| col(c).cast(DataType::Date);
        let found = rows
            .clone()
            .filter(as_date(to).lt(as_date(from)).fill_null(false))
            .group_by([col(LA_CODE)])
            .agg([
                len().cast(DataType::UInt64).alias(COUNT),
                // A person id never reaches an output: no example then.
                if table.is_sensitive(table.record_id) {
                    lit(NULL).cast(DataType::String)
                } else {
                    col(table.record_id).min().cast(DataType::String)
                }
                .alias(EXAMPLE),
            ])
            // LAs in order, so that the findings come in the same order on every run.
            .sort([LA_CODE], SortMultipleOptions::default());
        Some(CheckPlan {
            table: table.name,
            columns: format!("{from}, {to}"),
            kind: FindingKind::EndBeforeStart,
            record_id: table.record_id,
            message: format!(
                "`{to}` is before `{from}`: these rows are left out of the indicators that measure the time between them. Correct the dates at source"
            ),
            found,
        })
    }

    /// The findings of this check from its executed result (rows with `__check` equal to this check's number).
    pub fn findings(&self, found: &DataFrame) -> Vec<Finding> {
        (0..found.height())
            .map(|row| Finding {
                table: self.table.into(),
                column: Some(self.columns.clone()),
                la_code: cell_str(found, LA_CODE, row),
                snapshot_date: None,
                kind: self.kind,
                count: cell_u64(found, COUNT, row),
                example: cell_str(found, EXAMPLE, row).map(|id| format!("{}={id}", self.record_id)),
                message: self.message.clone(),
            })
            .collect()
    }
}
