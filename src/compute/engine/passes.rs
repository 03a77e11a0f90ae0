//! Indicators counted in one pass. Indicators with the same rows (a count and its rate, a cohort's indicators that
//! add no steps of their own, two thresholds on the same visits) differ only in their filter, numerator and
//! measure. When their totals are one aggregation of the rows (a snapshot, or additive counts windowed
//! afterwards), one group-by by LA and month gives a numerator and a denominator column per indicator, which each
//! indicator then windows as its own, instead of one group-by each.
//!
//! Indicators of a cohort with different own steps are not merged: applying every member's steps to one frame
//! (one chain of joins instead of branches Polars runs side by side) was measured slower on England than the
//! group-bys it saved (the children-in-care cohort's nine: 7.6-7.9 s against 7.0-7.7 s).

use super::rows::{self, Placement, SharedKey};
use crate::catalogue::{Counting, Indicator, Step, Windows};
use crate::input::contract::LA_CODE;
use polars::prelude::*;

/// At most this many indicators are counted in one pass: one group-by then stays a few dozen columns wide, and
/// the plan every member carries stays small (a catalogue of ten thousand alike indicators still compiles fast).
const MEMBERS_AT_MOST: usize = 32;

/// The indicators counted in one pass over the same rows.
pub(super) struct Pass<'a> {
    key: SharedKey,
    /// The indicators counted in the pass, in catalogue order.
    members: Vec<&'a Indicator>,
    /// The steps each member applies to the rows it shares.
    steps: Vec<Step>,
    /// The shared rows with the members' own steps applied, once planned.
    rows: Option<LazyFrame>,
    /// `la_code, month` and each member's numerator and denominator, once planned.
    totals: Option<LazyFrame>,
}

/// The passes of a catalogue: the indicators with the same rows (the same shared rows and the same own steps)
/// whose totals are one aggregation of them, when two or more are.
pub(super) fn plan(indicators: &[Indicator]) -> Vec<Pass<'_>> {
    let mut passes: Vec<Pass> = Vec::new();
    for indicator in indicators.iter().filter(|i| counted_in_one_pass(i)) {
        let key = rows::shared_key(indicator);
        let own = own_steps(indicator);
        match passes
            .iter_mut()
            .find(|p| p.members.len() < MEMBERS_AT_MOST && p.key == key && p.steps == own)
        {
            Some(pass) => pass.members.push(indicator),
            None => passes.push(Pass {
                key,
                members: vec![indicator],
                steps: own.to_vec(),
                rows: None,
                totals: None,
            }),
        }
    }
    passes.retain(|p| p.members.len() > 1);
    passes
}

/// The steps an indicator applies to the rows it shares with others.
fn own_steps(indicator: &Indicator) -> &[Step] {
    let shared = indicator
        .rows
        .cohort
        .as_ref()
        .map_or(indicator.rows.steps.len(), |c| c.steps);
    &indicator.rows.steps[shared..]
}

/// Whether an indicator's totals are one aggregation of its rows by LA and month: a snapshot of rows placed at
/// each month end, or an additive count of rows, windowed afterwards.
fn counted_in_one_pass(indicator: &Indicator) -> bool {
    let placement = Placement::of(indicator);
    let one_aggregation = match &indicator.windows {
        Windows::Snapshot => true,
        Windows::Periods(_) => {
            indicator.rows.counting == Counting::Rows
                && rows::per_distinct(&indicator.measure).is_none()
        }
    };
    one_aggregation
        && !rows::counts_as_spans(indicator, &placement)
        && !placement.judged_at_period_end
}

impl Pass<'_> {
    /// Whether `indicator` is counted in this pass.
    pub fn counts(&self, indicator: &Indicator) -> bool {
        self.members.iter().any(|m| m.id == indicator.id)
    }

    /// The steps each member applies to the rows it shares.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The pass's rows, planned once by `plan_rows` (the shared rows with [`Pass::steps`] applied, placed in
    /// months): every member filters its own from them.
    pub fn rows<E>(
        &mut self,
        plan_rows: impl FnOnce() -> Result<LazyFrame, E>,
    ) -> Result<LazyFrame, E> {
        if self.rows.is_none() {
            self.rows = Some(plan_rows()?.cache());
        }
        Ok(self.rows.clone().expect("planned above"))
    }

    /// `la_code, month, num, den` of `indicator` (a member), from the pass's one group-by of its rows. Needs
    /// [`Pass::rows`] planned.
    pub fn totals(&mut self, indicator: &Indicator) -> PolarsResult<Option<LazyFrame>> {
        let Some(rows) = &self.rows else {
            return Ok(None);
        };
        let Some(index) = self.members.iter().position(|m| m.id == indicator.id) else {
            return Ok(None);
        };
        if self.totals.is_none() {
            let mut columns = Vec::new();
            let mut aggregates = Vec::new();
            for (i, member) in self.members.iter().enumerate() {
                let (c, a) = member_aggregates(member, i);
                columns.extend(c);
                aggregates.extend(a);
            }
            self.totals = Some(
                rows.clone()
                    .with_columns(columns)
                    .group_by([col(LA_CODE), col(rows::MONTH)])
                    .agg(aggregates)
                    .cache(),
            );
        }
        let totals = self.totals.clone().expect("planned above");
        Ok(Some(totals.select([
            col(LA_CODE),
            col(rows::MONTH),
            col(num_name(index).as_str()).alias("num"),
            col(den_name(index).as_str()).alias("den"),
        ])))
    }
}

fn num_name(member: usize) -> String {
    format!("__pass{member}_num")
}

fn den_name(member: usize) -> String {
    format!("__pass{member}_den")
}

/// The columns member number `i` adds to the pass's rows (its values on the rows it counts, null elsewhere),
/// and its numerator and denominator aggregates: the same numbers as the aggregation of its own rows.
fn member_aggregates(indicator: &Indicator, i: usize) -> (Vec<Expr>, Vec<Expr>) {
    let counted = |name: &str| format!("__pass{i}_{name}");
    let (keep, in_num, num, key, den_key) = rows::counted(indicator);
    let only_kept = |e: Expr| when(keep.clone()).then(e).otherwise(lit(NULL));
    // Distinct values without the null that stands for rows not counted.
    let distinct = |name: &str| {
        (col(name).n_unique().cast(DataType::Float64)
            - col(name).null_count().gt(lit(0)).cast(DataType::Float64))
        .alias(name)
    };
    let (num_col, den_col) = (counted("n"), counted("d"));
    let (columns, aggregates) = match (
        &indicator.rows.counting,
        rows::per_distinct(&indicator.measure),
    ) {
        (Counting::Rows, Some(_)) => (
            vec![
                only_kept(num).alias(num_col.as_str()),
                only_kept(den_key).alias(den_col.as_str()),
            ],
            vec![
                col(num_col.as_str()).sum().alias(num_name(i).as_str()),
                distinct(&den_col).alias(den_name(i).as_str()),
            ],
        ),
        (Counting::Rows, None) => (
            vec![
                only_kept(num).alias(num_col.as_str()),
                keep.clone().alias(den_col.as_str()),
            ],
            vec![
                col(num_col.as_str()).sum().alias(num_name(i).as_str()),
                col(den_col.as_str())
                    .sum()
                    .cast(DataType::Float64)
                    .alias(den_name(i).as_str()),
            ],
        ),
        (Counting::Distinct(_), _) => (
            vec![
                when(keep.clone().and(in_num))
                    .then(key.clone())
                    .otherwise(lit(NULL))
                    .alias(num_col.as_str()),
                only_kept(key).alias(den_col.as_str()),
            ],
            vec![
                distinct(&num_col).alias(num_name(i).as_str()),
                distinct(&den_col).alias(den_name(i).as_str()),
            ],
        ),
    };
    (columns, aggregates)
}
