//! The catalogue exactly as written in YAML: serde types with locations kept for later checks.
//!
//! Nothing here is validated beyond its shape; [`super::validate`] turns these into the checked model.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

/// The top level of `indicators.yaml`. Sections, value maps and indicators are kept unparsed here so that each is
/// parsed on its own and every one's errors are reported, not only the first in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCatalogue {
    pub version: Spanned<String>,
    pub calendar: Spanned<IgnoredAny>,
    #[serde(default)]
    pub reporting: Option<Spanned<IgnoredAny>>,
    #[serde(default)]
    pub rag: Option<Spanned<IgnoredAny>>,
    #[serde(default)]
    pub value_maps: Vec<Spanned<IgnoredAny>>,
    #[serde(default)]
    pub current_status: Vec<Spanned<IgnoredAny>>,
    #[serde(default)]
    pub cohorts: Vec<Spanned<IgnoredAny>>,
    #[serde(default)]
    pub report: Option<Spanned<IgnoredAny>>,
    #[serde(default)]
    pub disclosure: Option<Spanned<IgnoredAny>>,
    pub indicators: Vec<Spanned<IgnoredAny>>,
}

/// The whole of `indicators.yaml` parsed in one pass, so that anchors and aliases may cross sections and
/// indicators. A file with a mistake fails this as a whole; [`RawCatalogue`] then reports every mistake.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDocument {
    pub version: Spanned<String>,
    pub calendar: RawCalendar,
    #[serde(default)]
    pub reporting: Option<RawReporting>,
    #[serde(default)]
    pub rag: Option<RawRag>,
    #[serde(default)]
    pub value_maps: Vec<RawValueMap>,
    #[serde(default)]
    pub current_status: Vec<RawCurrentStatus>,
    #[serde(default)]
    pub cohorts: Vec<RawCohort>,
    #[serde(default)]
    pub report: Option<RawReport>,
    #[serde(default)]
    pub disclosure: Option<RawDisclosure>,
    pub indicators: Vec<RawIndicator>,
}

/// The statistical disclosure control `publish` applies.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDisclosure {
    pub suppress_up_to: Spanned<u32>,
    #[serde(default)]
    pub marker: Option<String>,
}

/// How the scorecard is laid out: its sections, the indicators of the overview, and each unit's narrative.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReport {
    #[serde(default)]
    pub sections: Vec<RawSection>,
    #[serde(default)]
    pub overview: Vec<Spanned<String>>,
    #[serde(default)]
    pub narratives: RawNarratives,
}

/// A section of the scorecard, in the order the scorecard shows them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSection {
    pub id: Spanned<String>,
    pub title: String,
}

/// The narrative template of each unit, used by indicators that declare none of their own.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNarratives {
    #[serde(default)]
    pub count: Option<Spanned<String>>,
    #[serde(default)]
    pub percent: Option<Spanned<String>>,
    #[serde(default)]
    pub rate_per_10k: Option<Spanned<String>>,
    #[serde(default)]
    pub days: Option<Spanned<String>>,
    #[serde(default)]
    pub mean: Option<Spanned<String>>,
}

/// Columns that describe the present rather than history (or a whole table, when `columns` is empty).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCurrentStatus {
    pub table: Spanned<String>,
    #[serde(default)]
    pub columns: Vec<Spanned<String>>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Named rows that several indicators start from (for example children in care at period end).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCohort {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub rows: RawRows,
}

/// The calendar rules, declared once for the whole catalogue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalendar {
    pub financial_year_start_month: Spanned<u32>,
    pub working_week: Spanned<Vec<String>>,
    pub bank_holidays: Spanned<String>,
    pub working_days: WorkingDayCount,
    pub open_at_date: OpenAtDate,
}

/// How `WD(a, b)` counts.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WorkingDayCount {
    /// Working days x with `a < x <= b`: a same-day completion is 0.
    AfterStartThroughEnd,
}

/// When a record with a start and an end is open at a date d.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OpenAtDate {
    /// `start <= d` and (`end` is null or `end > d`): a plan that ends on d is not open at d.
    StartOnOrBeforeEndAfter,
    /// `start <= d` and (`end` is null or `end >= d`).
    StartOnOrBeforeEndOnOrAfter,
}

/// The default reporting range.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReporting {
    pub financial_years_before_current: Spanned<u32>,
}

/// The catalogue-wide RAG rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRag {
    pub amber_within_percent_of_target: Spanned<f64>,
}

/// A map from local values of one coded column to the codes the catalogue uses.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawValueMap {
    pub table: Spanned<String>,
    pub column: Spanned<String>,
    #[serde(default)]
    pub las: Vec<Spanned<String>>,
    pub values: Spanned<BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    pub unmapped: Unmapped,
}

/// What happens to a value that no map entry names and that is not itself a code of the map.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Unmapped {
    /// The value becomes null and is counted as a data-quality finding.
    #[default]
    Finding,
    /// The value is kept as it is.
    Keep,
}

/// One indicator as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub id: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub short_title: Option<String>,
    pub definition: String,
    #[serde(default)]
    pub numerator_definition: Option<String>,
    #[serde(default)]
    pub denominator_definition: Option<String>,
    pub unit: Spanned<Unit>,
    pub polarity: Polarity,
    pub windows: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub headline: Option<Spanned<String>>,
    #[serde(default)]
    pub section: Option<Spanned<String>>,
    #[serde(default)]
    pub narrative: Option<Spanned<String>>,
    #[serde(default)]
    pub target: Option<Spanned<f64>>,
    #[serde(default)]
    pub targets_by_year: Option<Spanned<BTreeMap<String, f64>>>,
    #[serde(default)]
    pub targets_by_la: Option<Spanned<BTreeMap<String, BTreeMap<String, f64>>>>,
    #[serde(default)]
    pub amber_within: Option<Spanned<f64>>,
    #[serde(default)]
    pub decimals: Option<u8>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub caveats: Option<String>,
    pub rows: RawRows,
    #[serde(default)]
    pub numerator: Option<Spanned<String>>,
    #[serde(default)]
    pub mean_of: Option<Spanned<String>>,
    #[serde(default)]
    pub denominator: Option<Spanned<RawDenominator>>,
    #[serde(default)]
    pub breakdowns: Vec<RawBreakdown>,
}

/// The unit of an indicator's value.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A count: value = numerator.
    Count,
    /// A percentage: value = 100 x numerator / denominator.
    Percent,
    /// A rate: value = 10000 x numerator / population aged 0-17.
    #[serde(rename = "rate_per_10k")]
    RatePer10k,
    /// A mean duration: value = sum of days / number of rows.
    Days,
    /// A mean count: value = rows / distinct values of the `denominator` column (for example cases per worker).
    Mean,
}

/// What the denominator of a `mean` indicator counts.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawDenominator {
    /// Distinct values of a column of the rows.
    Distinct(String),
}

/// Which direction of change is an improvement.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// Higher values are better.
    HighIsGood,
    /// Lower values are better.
    LowIsGood,
    /// No direction is better: no target, no RAG.
    Neutral,
}

/// The rows an indicator counts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRows {
    #[serde(default)]
    pub table: Option<Spanned<String>>,
    #[serde(default)]
    pub cohort: Option<Spanned<String>>,
    #[serde(default)]
    pub current: Option<Spanned<bool>>,
    #[serde(default)]
    pub steps: Vec<RawStep>,
    #[serde(default, rename = "where")]
    pub filter: Option<Spanned<String>>,
    #[serde(default)]
    pub dated_by: Option<Spanned<String>>,
    #[serde(default)]
    pub open: Option<Spanned<RawOpen>>,
    #[serde(default)]
    pub count: Option<Spanned<RawCounting>>,
}

/// The start and end columns of a record that is open between them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOpen {
    pub start: Spanned<String>,
    pub end: Spanned<String>,
}

/// The counting unit.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawCounting {
    /// Every row counts once (events, plans, episodes).
    Rows,
    /// Distinct children (the table's person column).
    Children,
    /// Distinct values of a column.
    Distinct(String),
}

/// A building block that adds a column to the rows. Parsed once per run, so variant sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawStep {
    WorkingDays(RawWorkingDays),
    CalendarDays(RawCalendarDays),
    Hours(RawBetween),
    AddMonths(RawAddMonths),
    AddDays(RawAddDays),
    Age(RawAge),
    Group(RawGroup),
    Related(RawRelated),
    Lookup(RawLookup),
    Exists(RawExists),
    EarlierRecord(RawEarlierRecord),
    PreviousDate(RawPreviousDate),
    Expression(RawExpression),
}

/// `name` = a count of days between two date columns.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBetween {
    pub name: Spanned<String>,
    pub from: Spanned<String>,
    pub to: Spanned<String>,
}

/// `name` = working days between two dates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkingDays {
    pub name: Spanned<String>,
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    #[serde(default)]
    pub missing: MissingDate,
}

/// What a count of days does when one of its dates is missing.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MissingDate {
    /// The row is left out of the indicator.
    #[default]
    LeaveOut,
    /// The row stays with a null count (a numerator comparing it is false): a period of care with no health
    /// assessment yet stays in the denominator.
    Keep,
}

/// `name` = calendar days between two dates, with what happens when `to` is before `from`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalendarDays {
    pub name: Spanned<String>,
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    #[serde(default)]
    pub negative: NegativeDays,
}

/// What a count of days does when the end is before the start.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NegativeDays {
    /// The row is left out of the indicator and counted as a data-quality finding.
    #[default]
    LeaveOut,
    /// The negative count is kept as it is.
    Keep,
    /// The count becomes 0.
    Zero,
}

/// `name` = `date` moved by whole days.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAddDays {
    pub name: Spanned<String>,
    pub date: Spanned<String>,
    pub days: Spanned<i32>,
}

/// `name` = the child's age in whole years at a date (or on the last given day of the year strictly before it).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAge {
    pub name: Spanned<String>,
    #[serde(default)]
    pub person: Option<Spanned<String>>,
    pub at: Spanned<String>,
    #[serde(default)]
    pub on_preceding: Option<Spanned<String>>,
}

/// Columns describing the group of rows (of the whole table) that share `same`, ordered by `order_by`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub same: Vec<Spanned<String>>,
    pub order_by: Spanned<String>,
    pub columns: Spanned<BTreeMap<String, String>>,
}

/// Columns summarising the rows of another table related to each row: matched on `on`, kept by `where` (which
/// may read both rows) and by an optional window ending at a date of this row.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRelated {
    pub table: Spanned<String>,
    pub on: Spanned<BTreeMap<String, String>>,
    #[serde(default)]
    pub steps: Vec<RawStep>,
    #[serde(default, rename = "where")]
    pub filter: Option<Spanned<String>>,
    #[serde(default)]
    pub dated_within: Option<RawDatedWithin>,
    #[serde(default)]
    pub open_during: Option<RawOpenDuring>,
    pub columns: Spanned<BTreeMap<String, String>>,
}

/// The other row's `date` lies in the `last` days or months ending on this row's `ending`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDatedWithin {
    pub date: Spanned<String>,
    pub ending: Spanned<String>,
    pub last: Spanned<String>,
}

/// The other row is open (from `start` to `end`) on at least one day of the `last` days or months ending on
/// this row's `ending`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOpenDuring {
    pub start: Spanned<String>,
    pub end: Spanned<String>,
    pub ending: Spanned<String>,
    pub last: Spanned<String>,
}

/// `name` = `date` moved by whole calendar months.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAddMonths {
    pub name: Spanned<String>,
    pub date: Spanned<String>,
    pub months: Spanned<i32>,
}

/// Columns of another table, joined by id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLookup {
    pub table: Spanned<String>,
    pub on: Spanned<BTreeMap<String, String>>,
    pub columns: Vec<Spanned<String>>,
    #[serde(default)]
    pub steps: Vec<RawStep>,
    #[serde(default)]
    pub open_at: Option<RawOpenAt>,
}

/// `name` = whether another table has a matching row.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExists {
    pub name: Spanned<String>,
    pub table: Spanned<String>,
    pub on: Spanned<BTreeMap<String, String>>,
    #[serde(default)]
    pub steps: Vec<RawStep>,
    #[serde(default, rename = "where")]
    pub filter: Option<Spanned<String>>,
    #[serde(default)]
    pub open_at: Option<RawOpenAt>,
}

/// The other row must be open (between `start` and `end`) at this row's `date`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOpenAt {
    pub date: Spanned<String>,
    pub start: Spanned<String>,
    pub end: Spanned<String>,
}

/// `name` = whether the same child (or the same `same` columns) has an earlier row in the same table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEarlierRecord {
    pub name: Spanned<String>,
    #[serde(default)]
    pub same: Option<Vec<Spanned<String>>>,
    pub before: Spanned<String>,
    #[serde(default)]
    pub other_date: Option<Spanned<String>>,
    #[serde(default)]
    pub within_months: Option<Spanned<u32>>,
}

/// `name` = the date of the previous row with the same `same` columns, else `otherwise`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPreviousDate {
    pub name: Spanned<String>,
    pub same: Vec<Spanned<String>>,
    pub date: Spanned<String>,
    #[serde(default)]
    pub otherwise: Option<Spanned<String>>,
}

/// `name` = an SQL expression over the row's columns.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpression {
    pub name: Spanned<String>,
    pub sql: Spanned<String>,
}

/// A breakdown: rows per category of a column.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBreakdown {
    pub name: Spanned<String>,
    pub column: Spanned<String>,
    pub categories: Vec<String>,
}
