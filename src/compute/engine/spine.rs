//! The explicit LA x month spine every indicator is zero-filled against, and the month helpers the plans share.

use crate::common::calendar::{FinancialYears, Month, epoch_days};
use crate::input::contract::LA_CODE;
use crate::input::snapshot::LaSnapshot;
use polars::prelude::*;
use std::collections::BTreeMap;

/// The months reported for each LA, and the earlier months look-back windows need.
#[derive(Debug, Clone)]
pub struct Spine {
    /// The first reported month (for every LA).
    pub report_from: Month,
    /// The last reported month of each LA: its last complete month, capped by `--to`.
    pub last_month: BTreeMap<String, Month>,
    /// The first month any window reaches back to.
    pub calc_from: Month,
    /// The financial-year rule.
    pub financial_years: FinancialYears,
}

/// The reporting range asked for on the command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct RangeRequest {
    /// `--from`.
    pub from: Option<Month>,
    /// `--to`.
    pub to: Option<Month>,
}

impl Spine {
    /// The spine for these LA snapshots: each LA up to its last complete month; by default from April of the
    /// financial year `years_before` years before the one containing the latest last complete month.
    pub fn new(
        las: &[LaSnapshot],
        range: RangeRequest,
        years_before: u32,
        longest_window: u32,
        financial_years: FinancialYears,
    ) -> Spine {
        let last_month: BTreeMap<String, Month> = las
            .iter()
            .map(|l| {
                let complete = last_complete_month(l.snapshot_date);
                let last = range.to.map_or(complete, |to| to.min(complete));
                (l.la_code.clone(), last)
            })
            .collect();
        let latest = last_month
            .values()
            .max()
            .copied()
            .unwrap_or_else(|| Month::new(2000, 1).expect("valid"));
        let report_from = range.from.unwrap_or_else(|| {
            let first = financial_years.first_month(latest);
            first.plus(-12 * years_before as i32)
        });
        let calc_from = report_from.plus(-(longest_window as i32 - 1).max(11));
        Spine {
            report_from,
            last_month,
            calc_from,
            financial_years,
        }
    }

    /// The same reporting range for only these LAs (a batch of a run): the months are those of the whole run.
    pub fn only(&self, las: &[LaSnapshot]) -> Spine {
        Spine {
            last_month: self
                .last_month
                .iter()
                .filter(|(la, _)| las.iter().any(|l| &l.la_code == *la))
                .map(|(la, m)| (la.clone(), *m))
                .collect(),
            ..self.clone()
        }
    }

    /// The latest reported month over all LAs.
    pub fn report_to(&self) -> Month {
        self.last_month
            .values()
            .max()
            .copied()
            .unwrap_or(self.report_from)
    }

    /// Every LA x month from `from` to the LA's last month, sorted by LA then month.
    pub fn frame(&self, from: Month) -> PolarsResult<DataFrame> {
        let (mut las, mut months) = (Vec::new(), Vec::new());
        for (la, last) in &self.last_month {
            let mut m = from;
            while m <= *last {
                las.push(la.clone());
                months.push(m.index());
                m = m.plus(1);
            }
        }
        df!(LA_CODE => las, "month" => months)
    }

    /// One row per month from `calc_from` to the last reported month: `period_end` (Date) and `financial_year`.
    pub fn months(&self) -> PolarsResult<DataFrame> {
        let (mut index, mut ends, mut years) = (Vec::new(), Vec::new(), Vec::new());
        let mut m = self.calc_from;
        while m <= self.report_to() {
            index.push(m.index());
            ends.push(epoch_days(m.period_end()));
            years.push(self.financial_years.label(m));
            m = m.plus(1);
        }
        let mut df = df!("month" => index, "period_end" => ends, "financial_year" => years)?;
        df.apply("period_end", |c| {
            c.cast(&DataType::Date).expect("days cast to dates")
        })?;
        Ok(df)
    }
}

/// `rows` (keyed by `month`) with the `period_end` of their month, from the frame of [`Spine::months`].
pub(super) fn with_period_end(rows: LazyFrame, months: &DataFrame) -> LazyFrame {
    rows.join(
        months
            .clone()
            .lazy()
            .select([col("month"), col("period_end")]),
        [col("month")],
        [col("month")],
        JoinArgs::new(JoinType::Inner),
    )
}

/// The last month whose last day is on or before the snapshot date.
pub fn last_complete_month(snapshot: chrono::NaiveDate) -> Month {
    let m = Month::of(snapshot);
    if m.period_end() == snapshot {
        m
    } else {
        m.plus(-1)
    }
}

/// Months since the start of the financial year (0 = the first month) of a month-number column.
pub fn month_in_year(month: Expr, fy: FinancialYears) -> Expr {
    (month - lit(fy.start_month() as i32 - 1)) % lit(12)
}

/// The financial year's start year of a month-number column.
pub fn financial_year_of(month: Expr, fy: FinancialYears) -> Expr {
    (month - lit(fy.start_month() as i32 - 1)).floor_div(lit(12))
}
