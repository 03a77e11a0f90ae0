//! One indicator's card on an LA's scorecard, worked out from the run's output before any HTML is written: the
//! headline, target and variance, change since last month, trend, comparisons, breakdowns and narrative.

use super::benchmarks::{Benchmark, Benchmarks, Geography};
use super::format;
use super::results::{LaResults, Point};
use crate::catalogue::{Catalogue, Field, Indicator, Polarity, Unit, Window};
use crate::common::calendar::{FinancialYears, Month};

/// How many months the trend chart shows, ending with the scorecard's month.
pub const TREND_MONTHS: i32 = 13;

/// The largest count of children or events that the scorecard marks as a small number (the DfE suppresses 1 to 5).
pub const SMALL_NUMBER: f64 = 5.0;

/// A card, ready to render.
#[derive(Debug, Clone)]
pub struct Card<'a> {
    /// The indicator.
    pub indicator: &'a Indicator,
    /// The window of the headline.
    pub window: Window,
    /// Whether the run computed the indicator for this LA at all (it may not have the tables).
    pub computed: bool,
    /// The headline figures in the scorecard's month.
    pub headline: Point,
    /// The headline window's value in each of the last 13 months, oldest first.
    pub trend: Vec<(Month, Option<f64>)>,
    /// The value 12 months before each trend month.
    pub year_before: Vec<Option<f64>>,
    /// The target in each trend month.
    pub targets: Vec<Option<f64>>,
    /// The same month in each of up to three earlier years, where the data reaches back.
    pub earlier_years: Vec<(Month, Option<f64>)>,
    /// The financial year's quarters so far (label, value), for indicators with a quarter window.
    pub quarters: Vec<(String, Option<f64>)>,
    /// The latest published figures for the LA, its region and England.
    pub published: Vec<(Geography, &'a Benchmark)>,
    /// Breakdowns in the headline window: name and categories.
    pub breakdowns: Vec<(String, Vec<Category>)>,
    /// The card's sentence.
    pub narrative: Option<String>,
    /// Whether the headline is over 1 to 5 children or events.
    pub small_number: bool,
}

/// One category of a breakdown in the scorecard month.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    /// The category as the output writes it.
    pub label: String,
    /// Its value.
    pub value: Option<f64>,
    /// Whether it rests on 1 to 5 children or events.
    pub small: bool,
}

impl Card<'_> {
    /// The value minus the target, when both exist.
    pub fn variance(&self) -> Option<f64> {
        Some(self.headline.value? - self.headline.target?)
    }
}

/// Whether a figure rests on 1 to 5 children or events.
pub fn is_small(indicator: &Indicator, p: &Point) -> bool {
    let small = |x: Option<f64>| x.is_some_and(|x| x > 0.0 && x <= SMALL_NUMBER);
    match indicator.unit() {
        Unit::Count | Unit::RatePer10k => small(p.numerator),
        Unit::Percent | Unit::Days | Unit::Mean => small(p.numerator) || small(p.denominator),
    }
}

/// Builds the card of `indicator` for one LA.
pub fn build<'a>(
    catalogue: &'a Catalogue,
    indicator: &'a Indicator,
    la: &LaResults,
    benchmarks: &'a Benchmarks,
) -> Card<'a> {
    let years = catalogue.calendar.financial_years;
    let window = indicator.headline;
    let month = la.month;
    let series = la.series.get(&(indicator.id.clone(), window));
    let at = |m: Month| series.and_then(|s| s.get(&m));
    let headline = at(month).cloned().unwrap_or_default();
    let trend: Vec<(Month, Option<f64>)> = (0..TREND_MONTHS)
        .rev()
        .map(|k| month.plus(-k))
        .map(|m| (m, at(m).and_then(|p| p.value)))
        .collect();
    let year_before = trend
        .iter()
        .map(|(m, _)| at(m.plus(-12)).and_then(|p| p.value))
        .collect();
    let targets = trend
        .iter()
        .map(|(m, _)| at(*m).and_then(|p| p.target))
        .collect();
    let earlier_years = (1..=3)
        .map(|y| month.plus(-12 * y))
        .filter(|m| at(*m).is_some())
        .map(|m| (m, at(m).and_then(|p| p.value)))
        .collect();
    let quarters = quarters(indicator, la, years);
    let by = month.period_end();
    let published = [
        (Geography::La, la.la_code.as_str()),
        (Geography::Region, la.region_code.as_str()),
        (Geography::England, ""),
    ]
    .into_iter()
    .filter_map(|(g, code)| Some((g, benchmarks.latest(&indicator.id, g, code, by)?)))
    .collect();
    let breakdowns = breakdowns(indicator, la);
    let narrative = catalogue
        .report
        .narrative_of(indicator)
        .map(|n| n.render(|slot| fill(catalogue, indicator, la, years, slot)));
    Card {
        indicator,
        window,
        computed: series.is_some(),
        small_number: is_small(indicator, &headline),
        headline,
        trend,
        year_before,
        targets,
        earlier_years,
        quarters,
        published,
        breakdowns,
        narrative,
    }
}

/// The quarters of the scorecard month's financial year up to that month, for indicators with a quarter window.
fn quarters(
    indicator: &Indicator,
    la: &LaResults,
    years: FinancialYears,
) -> Vec<(String, Option<f64>)> {
    if !indicator.windows.all().contains(&Window::Quarter) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut start = years.first_month(la.month);
    let mut number = 1;
    while start <= la.month {
        let end = start.plus(2);
        let shown = end.min(la.month);
        let label = if shown == end {
            format!("Q{number}")
        } else {
            format!("Q{number} to date")
        };
        let value = la
            .point(&indicator.id, Window::Quarter, shown)
            .and_then(|p| p.value);
        out.push((label, value));
        start = start.plus(3);
        number += 1;
    }
    out
}

/// The breakdown categories of the headline window in the scorecard month, grouped by breakdown, breakdowns and
/// categories in catalogue order.
fn breakdowns(indicator: &Indicator, la: &LaResults) -> Vec<(String, Vec<Category>)> {
    let Some(rows) = la
        .breakdowns
        .get(&(indicator.id.clone(), indicator.headline))
    else {
        return Vec::new();
    };
    indicator
        .breakdowns
        .iter()
        .map(|b| {
            let mut bars: Vec<Category> = rows
                .iter()
                .filter(|(name, _, _)| *name == b.name)
                .map(|(_, category, p)| Category {
                    label: category.clone(),
                    value: p.value,
                    small: is_small(indicator, p),
                })
                .collect();
            bars.sort_by_key(|c| b.categories.iter().position(|k| *k == c.label));
            (b.name.clone(), bars)
        })
        .filter(|(_, bars)| !bars.is_empty())
        .collect()
}

/// The text of one narrative slot.
fn fill(
    catalogue: &Catalogue,
    owner: &Indicator,
    la: &LaResults,
    years: FinancialYears,
    slot: &crate::catalogue::Slot,
) -> String {
    let indicator = slot
        .indicator
        .as_deref()
        .and_then(|id| catalogue.indicators.iter().find(|i| i.id == id))
        .unwrap_or(owner);
    let window = slot.window.unwrap_or(indicator.headline);
    let point = la.point(&indicator.id, window, la.month);
    let month = la.month;
    match slot.field {
        Field::Value => format::value(indicator, point.and_then(|p| p.value)),
        Field::Numerator => format::count(point.and_then(|p| p.numerator)),
        Field::Denominator => format::count(point.and_then(|p| p.denominator)),
        Field::Target => match point.and_then(|p| p.target) {
            Some(t) => format::value(indicator, Some(t)),
            None => "no target".into(),
        },
        Field::PreviousValue => format::value(indicator, point.and_then(|p| p.previous_value)),
        Field::Window => format::window_phrase(window, month, years),
        Field::Month => format::month_long(month),
        Field::MonthName => format::month_name(month).to_string(),
        Field::FinancialYear => years.label(month),
        Field::LaName => la.la_name.clone(),
        Field::Title => indicator.title.clone(),
    }
}

/// Which way is better for an indicator, in the seeds' words.
pub fn polarity_words(p: Polarity) -> &'static str {
    match p {
        Polarity::HighIsGood => "High is good",
        Polarity::LowIsGood => "Low is good",
        Polarity::Neutral => "Neither high nor low is good",
    }
}
