//! Published benchmarks (the DfE's annual figures for the LA, its region and England), matched to a card.

use chrono::NaiveDate;
use polars::prelude::*;

/// Where a published figure is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Geography {
    /// The LA itself.
    La,
    /// The LA's region.
    Region,
    /// England.
    England,
}

/// One published figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Benchmark {
    /// The catalogue id it is published for.
    pub indicator_id: String,
    /// The last day of the year it covers.
    pub year_ending: NaiveDate,
    /// LA, region or England.
    pub geography: Geography,
    /// The LA or region code; `None` for England.
    pub code: Option<String>,
    /// The figure; `None` when suppressed or not published.
    pub value: Option<f64>,
    /// The publication's status mark: `c` suppressed, `x` not available, `z` not applicable.
    pub status: Option<String>,
}

impl Benchmark {
    /// Whether the publication suppressed the figure (status `c`).
    pub fn suppressed(&self) -> bool {
        self.status.as_deref() == Some("c")
    }
}

/// Every published figure of the reference table.
#[derive(Debug, Clone, Default)]
pub struct Benchmarks {
    rows: Vec<Benchmark>,
}

impl Benchmarks {
    /// Reads the table loaded by [`crate::input::reference::published_benchmarks`]; rows of an unknown level are skipped.
    pub fn from_frame(df: &DataFrame) -> PolarsResult<Benchmarks> {
        let text =
            |name: &str| -> PolarsResult<StringChunked> { Ok(df.column(name)?.str()?.clone()) };
        let (ids, levels, codes, statuses) = (
            text("indicator_id")?,
            text("geography_level")?,
            text("geography_code")?,
            text("status")?,
        );
        let values = df.column("value")?.f64()?.clone();
        let years = df.column("year_ending")?.date()?.clone();
        let mut rows = Vec::new();
        for (i, year) in years.as_date_iter().enumerate() {
            let geography = match levels.get(i) {
                Some("la") => Geography::La,
                Some("region") => Geography::Region,
                Some("england") => Geography::England,
                _ => continue,
            };
            let (Some(id), Some(year_ending)) = (ids.get(i), year) else {
                continue;
            };
            rows.push(Benchmark {
                indicator_id: id.to_string(),
                year_ending,
                geography,
                code: codes.get(i).map(str::to_string),
                value: values.get(i),
                status: statuses
                    .get(i)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            });
        }
        Ok(Benchmarks { rows })
    }

    /// The latest figure published for the indicator and place with a year ending on or before `by`.
    pub fn latest(
        &self,
        indicator_id: &str,
        geography: Geography,
        code: &str,
        by: NaiveDate,
    ) -> Option<&Benchmark> {
        self.rows
            .iter()
            .filter(|b| {
                b.indicator_id == indicator_id
                    && b.geography == geography
                    && b.year_ending <= by
                    && (geography == Geography::England || b.code.as_deref() == Some(code))
            })
            .max_by_key(|b| b.year_ending)
    }
}
