//! The checked catalogue: every reference resolved, every expression parsed, every rule known to hold.

use crate::common::calendar::FinancialYears;
use crate::input::contract::TableSpec;
use polars::prelude::Expr;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

pub use super::narrative::{Field, Narrative, Piece, Slot};
pub use super::raw::{
    MissingDate, NegativeDays, OpenAtDate, Polarity, Unit, Unmapped, WorkingDayCount,
};

/// A validated indicator catalogue.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// The catalogue's own version string, written into the output metadata.
    pub version: String,
    /// SHA-256 of the catalogue file, so an output names exactly the definitions that made it.
    pub hash: String,
    /// Where the catalogue was read from.
    pub path: PathBuf,
    /// The calendar rules shared by every indicator.
    pub calendar: CalendarRules,
    /// How many financial years before the current one the default reporting range covers.
    pub financial_years_before_current: u32,
    /// Amber band of the RAG rating, as a percentage of the target, unless an indicator sets its own.
    pub amber_within_percent_of_target: f64,
    /// Value maps applied to coded columns when the data is loaded.
    pub value_maps: Vec<ValueMap>,
    /// Tables and columns that describe the present, not history (see [`CurrentStatus`]).
    pub current_status: Vec<CurrentStatus>,
    /// The named cohorts indicators start from, with their descriptions, in catalogue order.
    pub cohorts: Vec<(String, Option<String>)>,
    /// How the scorecard presents the indicators.
    pub report: ReportLayout,
    /// The statistical disclosure control of `publish`.
    pub disclosure: Disclosure,
    /// The indicators, in catalogue order.
    pub indicators: Vec<Indicator>,
}

/// How the scorecard presents the catalogue: its sections, the overview's columns, each unit's narrative.
#[derive(Debug, Clone, Default)]
pub struct ReportLayout {
    /// The sections in the order the scorecard shows them; empty means one section of every indicator.
    pub sections: Vec<Section>,
    /// The indicators the regional overview shows, in order.
    pub overview: Vec<String>,
    /// The narrative of each unit, for indicators without one of their own.
    pub narratives: Vec<(Unit, Narrative)>,
}

impl ReportLayout {
    /// The narrative template an indicator's card uses: its own, else its unit's.
    pub fn narrative_of<'a>(&'a self, indicator: &'a Indicator) -> Option<&'a Narrative> {
        indicator.narrative.as_ref().or_else(|| {
            self.narratives
                .iter()
                .find(|(u, _)| *u == indicator.unit())
                .map(|(_, n)| n)
        })
    }
}

/// The statistical disclosure control `publish` applies before a table leaves the council, as the DfE applies it to
/// children's social care statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    /// Counts of 1 to this many children or events are suppressed, and figures whose numerator or denominator is.
    pub suppress_up_to: u32,
    /// The status a suppressed cell carries (`c`, as the DfE writes it).
    pub marker: String,
}

impl Default for Disclosure {
    fn default() -> Disclosure {
        Disclosure {
            suppress_up_to: 5,
            marker: "c".into(),
        }
    }
}

/// A section of the scorecard (front door, child protection, children in care, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The id indicators name in `section:`.
    pub id: String,
    /// The heading shown.
    pub title: String,
}

impl Catalogue {
    /// The columns the catalogue reads from each table, with the tables it needs.
    pub fn columns_by_table(&self) -> BTreeMap<&'static str, BTreeSet<String>> {
        let mut out: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
        for indicator in &self.indicators {
            for (table, cols) in indicator
                .columns_used
                .iter()
                .chain(&indicator.columns_if_present)
            {
                out.entry(table).or_default().extend(cols.iter().cloned());
            }
        }
        for map in &self.value_maps {
            if out.contains_key(map.table.name) {
                out.entry(map.table.name)
                    .or_default()
                    .insert(map.column.to_string());
            }
        }
        out
    }
}

/// The calendar rules: financial year, working week and bank holidays, and the open-at-date rule.
#[derive(Debug, Clone)]
pub struct CalendarRules {
    /// Financial years (April to March in England).
    pub financial_years: FinancialYears,
    /// The working week, Monday first.
    pub working_week: [bool; 7],
    /// The reference table that lists bank holidays.
    pub bank_holidays_table: String,
    /// How working days between two dates are counted.
    pub working_days: WorkingDayCount,
    /// When a record is open at a date.
    pub open_at_date: OpenAtDate,
}

/// A value map: local values of one coded column to catalogue codes, for all or some LAs.
#[derive(Debug, Clone)]
pub struct ValueMap {
    /// The table holding the column.
    pub table: &'static TableSpec,
    /// The coded column.
    pub column: &'static str,
    /// The LAs the map applies to; empty means every LA.
    pub las: Vec<String>,
    /// Local value (as written) and the code it maps to.
    pub entries: Vec<(String, String)>,
    /// What happens to a value the map does not know.
    pub unmapped: Unmapped,
}

/// A table, or some of its columns, that a CMS holds only as they are today (a care leaver's current activity, a
/// worker's current job title). Indicators reading them are flagged `current_status` for months before the
/// snapshot's own month, so no reader mistakes them for what was recorded then.
#[derive(Debug, Clone)]
pub struct CurrentStatus {
    /// The table.
    pub table: &'static TableSpec,
    /// The columns; empty means every column of the table.
    pub columns: Vec<String>,
    /// What the CMS holds as of today, in words.
    pub note: Option<String>,
}

impl CurrentStatus {
    /// Whether reading `column` of this table reads the present.
    pub fn covers(&self, table: &str, column: &str) -> bool {
        self.table.name == table
            && (self.columns.is_empty() || self.columns.iter().any(|c| c == column))
    }
}

/// One indicator, checked.
#[derive(Debug, Clone)]
pub struct Indicator {
    /// The stable id used in the output.
    pub id: String,
    /// The title shown on scorecards.
    pub title: String,
    /// A short title for charts.
    pub short_title: Option<String>,
    /// What the indicator measures, in words.
    pub definition: String,
    /// What the numerator counts, in words.
    pub numerator_definition: Option<String>,
    /// What the denominator counts, in words.
    pub denominator_definition: Option<String>,
    /// What the value is, with what its unit needs (a percentage's numerator, a mean's column).
    pub measure: Measure,
    /// Which direction is an improvement.
    pub polarity: Polarity,
    /// The windows the indicator is reported for.
    pub windows: Windows,
    /// The window the scorecard shows first (the first window listed unless `headline` says).
    pub headline: Window,
    /// The scorecard section the indicator belongs to, when the catalogue declares sections.
    pub section: Option<String>,
    /// The card's sentence, when the indicator declares its own.
    pub narrative: Option<Narrative>,
    /// Targets, by financial year and LA.
    pub targets: Targets,
    /// The RAG amber band in the indicator's unit, overriding the catalogue's relative rule.
    pub amber_within: Option<f64>,
    /// Decimals to show (presentation only; values are stored unrounded).
    pub decimals: Option<u8>,
    /// Where the definition comes from.
    pub source: Option<String>,
    /// Known caveats.
    pub caveats: Option<String>,
    /// The rows the indicator counts.
    pub rows: Rows,
    /// Breakdowns reported besides the total.
    pub breakdowns: Vec<Breakdown>,
    /// Columns read per table, to load them and to decide computability per LA.
    pub columns_used: BTreeMap<&'static str, BTreeSet<String>>,
    /// Optional columns read when an extract has them, whose absence does not stop the indicator (an unborn
    /// child's expected date of birth).
    pub columns_if_present: BTreeMap<&'static str, BTreeSet<String>>,
    /// Whether the indicator reads a current-status column (see [`CurrentStatus`]).
    pub reads_current_status: bool,
    /// Where the indicator is declared.
    pub at: Location,
}

impl Indicator {
    /// The unit of the indicator's value.
    pub fn unit(&self) -> Unit {
        self.measure.unit()
    }
}

/// A line and column in the catalogue file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
}

/// The rows an indicator counts, and how they are placed in time.
#[derive(Debug, Clone)]
pub struct Rows {
    /// The table the rows come from.
    pub table: &'static TableSpec,
    /// The cohort the rows start from: its steps lead `steps`, and its filter applies before the rest.
    pub cohort: Option<CohortRows>,
    /// Columns derived before filtering, in order (a cohort's first).
    pub steps: Vec<Step>,
    /// Rows kept (besides the cohort's filter).
    pub filter: Option<Condition>,
    /// Whether rows are dated events or records open at a period end.
    pub timing: Timing,
    /// What one unit of the count is.
    pub counting: Counting,
}

/// The part of an indicator's rows that comes from a named cohort, built once per run for all its indicators.
#[derive(Debug, Clone)]
pub struct CohortRows {
    /// The cohort's name.
    pub name: String,
    /// How many of the rows' leading steps are the cohort's.
    pub steps: usize,
    /// The cohort's filter, applied after its steps.
    pub filter: Option<Condition>,
}

/// How rows are placed in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timing {
    /// Each row is an event on this date; it counts in every window containing the date.
    Dated {
        /// The date column.
        date: String,
    },
    /// Each row is open from `start` to `end`; it counts at every `period_end` it is open at.
    Open {
        /// The start column.
        start: String,
        /// The end column (null = still open).
        end: String,
    },
    /// Each row describes the present (one current row per young person): it counts at every `period_end`.
    Current,
}

/// The counting unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Counting {
    /// Every row counts once.
    Rows,
    /// Distinct values of this column (the child, for `children`).
    Distinct(String),
}

/// What an indicator's value is, with what each unit needs: one variant per unit, so that a percentage without a
/// numerator, or a count with a column to average, cannot be built.
#[derive(Debug, Clone)]
pub enum Measure {
    /// A count of the rows (or of distinct values): value = numerator.
    Count,
    /// A rate: value = 10000 x numerator / population aged 0-17.
    RatePer10k,
    /// A percentage of the rows: value = 100 x numerator / denominator.
    Percent {
        /// The condition a counted row meets to be in the numerator.
        numerator: Condition,
    },
    /// A mean duration: value = sum of days / number of rows.
    Days {
        /// The column of days to average.
        mean_of: String,
    },
    /// A mean count: value = rows / distinct values of a column (cases per worker).
    Mean {
        /// The column whose distinct values the rows are shared among.
        per_distinct: String,
    },
}

impl Measure {
    /// The unit of the value, as the catalogue and the output name it.
    pub fn unit(&self) -> Unit {
        match self {
            Measure::Count => Unit::Count,
            Measure::RatePer10k => Unit::RatePer10k,
            Measure::Percent { .. } => Unit::Percent,
            Measure::Days { .. } => Unit::Days,
            Measure::Mean { .. } => Unit::Mean,
        }
    }
}

/// An SQL condition or expression, parsed.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The SQL text as written.
    pub sql: String,
    /// The Polars expression.
    pub expr: Expr,
}

/// Conditions are alike when their SQL is: the expression is parsed from it.
impl PartialEq for Condition {
    fn eq(&self, other: &Condition) -> bool {
        self.sql == other.sql
    }
}

impl Condition {
    /// The columns the condition reads.
    pub fn reads(&self) -> Vec<String> {
        self.expr
            .clone()
            .meta()
            .root_names()
            .iter()
            .map(|n| n.to_string())
            .collect()
    }

    /// Whether the condition reads `period_end`, so that its value depends on the month a row is counted in.
    pub fn reads_period_end(&self) -> bool {
        self.reads().iter().any(|c| c == "period_end")
    }
}

/// A building block adding a column to the rows.
#[allow(missing_docs)] // Variant fields are named for what they hold; the variant's doc says the rest.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `name` = `WD(from, to)`; rows whose `to` is before `from` are left out, and so are rows missing a date
    /// unless `missing` keeps them.
    WorkingDays {
        name: String,
        from: String,
        to: String,
        missing: MissingDate,
    },
    /// `name` = calendar days from `from` to `to`; `negative` says what happens when `to < from`.
    CalendarDays {
        name: String,
        from: String,
        to: String,
        negative: NegativeDays,
    },
    /// `name` = hours (with minutes as a fraction) from the datetime `from` to the datetime `to`.
    Hours {
        name: String,
        from: String,
        to: String,
    },
    /// `name` = `date` moved by `days` days.
    AddDays {
        name: String,
        date: String,
        days: i32,
    },
    /// `name` = the age in whole years of the child named by `person` at the date `at`, or on the last
    /// `on_preceding` (month, day) strictly before it; an unborn child (expected date of birth only) is 0.
    Age {
        name: String,
        person: String,
        at: String,
        on_preceding: Option<(u32, u32)>,
    },
    /// Columns describing the group of rows of the whole table sharing `same`, ordered by `order_by`.
    Group {
        same: Vec<String>,
        order_by: String,
        columns: Vec<(String, GroupColumn)>,
    },
    /// Columns summarising the rows of another table related to each row.
    Related {
        table: &'static TableSpec,
        on: Vec<(String, String)>,
        steps: Vec<Step>,
        filter: Option<Condition>,
        window: Option<RelatedWindow>,
        columns: Vec<(String, Aggregate)>,
    },
    /// `name` = `date` moved by `months` calendar months.
    AddMonths {
        name: String,
        date: String,
        months: i32,
    },
    /// Columns of another table joined by id (the first row per id when ids repeat); with `open_at`, the row open
    /// at this row's date, the latest start when several are.
    Lookup {
        table: &'static TableSpec,
        on: Vec<(String, String)>,
        columns: Vec<String>,
        steps: Vec<Step>,
        open_at: Option<OpenAt>,
    },
    /// `name` = whether another table has a row matching on `on`, passing `filter`, open at `open_at`.
    Exists {
        name: String,
        table: &'static TableSpec,
        on: Vec<(String, String)>,
        steps: Vec<Step>,
        filter: Option<Condition>,
        open_at: Option<OpenAt>,
    },
    /// `name` = whether an earlier row of the same table matches (see the README for the exact rule).
    EarlierRecord {
        name: String,
        same: Vec<String>,
        before: String,
        other_date: Option<String>,
        within_months: Option<u32>,
    },
    /// `name` = the date of the previous row with the same `same` values, else `otherwise`.
    PreviousDate {
        name: String,
        same: Vec<String>,
        date: String,
        otherwise: Option<String>,
    },
    /// `name` = an SQL expression.
    Expression { name: String, condition: Condition },
}

impl Step {
    /// The columns of the rows this step reads (not those of another table it joins).
    pub fn reads(&self) -> Vec<String> {
        let sql = Condition::reads;
        let left = |on: &[(String, String)]| on.iter().map(|(l, _)| l.clone()).collect::<Vec<_>>();
        match self {
            Step::WorkingDays { from, to, .. }
            | Step::CalendarDays { from, to, .. }
            | Step::Hours { from, to, .. } => vec![from.clone(), to.clone()],
            Step::AddMonths { date, .. } | Step::AddDays { date, .. } => vec![date.clone()],
            Step::Age { person, at, .. } => vec![person.clone(), at.clone()],
            Step::Group { same, order_by, .. } => {
                let mut r = same.clone();
                r.push(order_by.clone());
                r
            }
            Step::Related {
                on, filter, window, ..
            } => {
                let mut r = left(on);
                // The filter reads both rows: every name counts, to be safe.
                r.extend(filter.iter().flat_map(sql));
                if let Some(
                    RelatedWindow::Dated { ending, .. } | RelatedWindow::OpenDuring { ending, .. },
                ) = window
                {
                    r.push(ending.clone());
                }
                r
            }
            Step::Lookup { on, open_at, .. } | Step::Exists { on, open_at, .. } => {
                let mut r = left(on);
                r.extend(open_at.iter().map(|o| o.date.clone()));
                r
            }
            Step::EarlierRecord {
                same,
                before,
                other_date,
                ..
            } => {
                let mut r = same.clone();
                r.push(before.clone());
                r.extend(other_date.clone());
                r
            }
            Step::PreviousDate {
                same,
                date,
                otherwise,
                ..
            } => {
                let mut r = same.clone();
                r.push(date.clone());
                r.extend(otherwise.clone());
                r
            }
            Step::Expression { condition, .. } => sql(condition),
        }
    }
}

/// A column describing a row's group (rows sharing the `same` columns, in `order_by` order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupColumn {
    /// The column's value on the group's first row.
    First(String),
    /// The column's value on the group's last row.
    Last(String),
    /// The smallest value in the group.
    Min(String),
    /// The largest value in the group.
    Max(String),
    /// The number of rows in the group.
    Count,
    /// The number of rows of the group where the column is null (open episodes, say).
    NullCount(String),
    /// Whether this row is the group's first.
    IsFirst,
    /// Whether this row is the group's last.
    IsLast,
}

/// A summary of the related rows of another table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Aggregate {
    /// How many related rows there are (0 when none).
    Count,
    /// The smallest value of a column over them (null when none).
    Min(String),
    /// The largest value of a column over them (null when none).
    Max(String),
}

/// A span of days or calendar months ending on a date, both ends included: the last 42 days ending on d are
/// `d - 41 days ..= d`; the last 12 months ending on d are `d - 12 months + 1 day ..= d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Whole days.
    Days(u32),
    /// Calendar months (clamped to month end).
    Months(u32),
}

/// Which related rows fall in a span ending on a date of this row.
#[allow(missing_docs)] // Variant fields are named for what they hold; the variant's doc says the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelatedWindow {
    /// The other row's `date` lies in the span ending on this row's `ending`.
    Dated {
        date: String,
        ending: String,
        span: Span,
    },
    /// The other row (from `start` to `end`) is open on at least one day of the span ending on this row's
    /// `ending`.
    OpenDuring {
        start: String,
        end: String,
        ending: String,
        span: Span,
    },
}

/// The other table's row is open at this row's `date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAt {
    /// This row's date column.
    pub date: String,
    /// The other row's start column.
    pub start: String,
    /// The other row's end column.
    pub end: String,
}

/// A breakdown: one row per category of a column, all categories always present.
#[derive(Debug, Clone)]
pub struct Breakdown {
    /// The breakdown's name in the output.
    pub name: String,
    /// The column holding the category.
    pub column: String,
    /// Every category, in order.
    pub categories: Vec<String>,
}

/// The windows an indicator is reported for, as the timing of its rows allows: records open at each period end
/// have the snapshot only; dated events have windows of the periods ending at each period end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Windows {
    /// The state at the end of each `period_end`.
    Snapshot,
    /// Windows of dated events ending at each `period_end`, in catalogue order.
    Periods(Vec<Period>),
}

impl Windows {
    /// Every window, in catalogue order.
    pub fn all(&self) -> Vec<Window> {
        match self {
            Windows::Snapshot => vec![Window::Snapshot],
            Windows::Periods(periods) => periods.iter().map(|p| Window::from(*p)).collect(),
        }
    }
}

/// A window of dated events ending on `period_end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// The calendar month.
    Month,
    /// The financial quarter to date.
    Quarter,
    /// The financial year to date.
    Ytd,
    /// The whole financial year; reported at its last month only.
    FinancialYear,
    /// The N calendar months ending on `period_end`.
    Rolling(u32),
}

impl From<Period> for Window {
    fn from(p: Period) -> Window {
        match p {
            Period::Month => Window::Month,
            Period::Quarter => Window::Quarter,
            Period::Ytd => Window::Ytd,
            Period::FinancialYear => Window::FinancialYear,
            Period::Rolling(n) => Window::Rolling(n),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Window::from(*self).fmt(f)
    }
}

/// A reporting window ending on `period_end`, as the catalogue and the output name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Window {
    /// The calendar month.
    Month,
    /// The financial quarter to date.
    Quarter,
    /// The financial year to date.
    Ytd,
    /// The whole financial year; reported at its last month only.
    FinancialYear,
    /// The N calendar months ending on `period_end`.
    Rolling(u32),
    /// The state at the end of `period_end`.
    Snapshot,
}

impl Window {
    /// Parses a window name (`month`, `quarter`, `ytd`, `financial_year`, `snapshot`, `rolling_<N>m`).
    pub fn parse(name: &str) -> Option<Window> {
        match name {
            "month" => Some(Window::Month),
            "quarter" => Some(Window::Quarter),
            "ytd" => Some(Window::Ytd),
            "financial_year" => Some(Window::FinancialYear),
            "snapshot" => Some(Window::Snapshot),
            _ => {
                let n: u32 = name
                    .strip_prefix("rolling_")?
                    .strip_suffix('m')?
                    .parse()
                    .ok()?;
                (2..=60).contains(&n).then_some(Window::Rolling(n))
            }
        }
    }

    /// The period of a window of dated events; `None` for the snapshot.
    pub fn period(self) -> Option<Period> {
        match self {
            Window::Month => Some(Period::Month),
            Window::Quarter => Some(Period::Quarter),
            Window::Ytd => Some(Period::Ytd),
            Window::FinancialYear => Some(Period::FinancialYear),
            Window::Rolling(n) => Some(Period::Rolling(n)),
            Window::Snapshot => None,
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Window::Month => f.write_str("month"),
            Window::Quarter => f.write_str("quarter"),
            Window::Ytd => f.write_str("ytd"),
            Window::FinancialYear => f.write_str("financial_year"),
            Window::Rolling(n) => write!(f, "rolling_{n}m"),
            Window::Snapshot => f.write_str("snapshot"),
        }
    }
}

/// Targets in the indicator's unit: for one LA and year the most specific applies.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// The target for every year and LA.
    pub all_years: Option<f64>,
    /// Targets by financial year label (`2023-24`).
    pub by_year: BTreeMap<String, f64>,
    /// Targets by LA code, then financial year label.
    pub by_la: BTreeMap<String, BTreeMap<String, f64>>,
}

impl Targets {
    /// The target of an LA in a financial year, if any.
    pub fn for_la_year(&self, la: &str, year: &str) -> Option<f64> {
        self.by_la
            .get(la)
            .and_then(|y| y.get(year))
            .or_else(|| self.by_year.get(year))
            .copied()
            .or(self.all_years)
    }

    /// Whether any target is set.
    pub fn is_empty(&self) -> bool {
        self.all_years.is_none() && self.by_year.is_empty() && self.by_la.is_empty()
    }
}

impl Unit {
    /// The unit's name in the output.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Percent => "percent",
            Unit::RatePer10k => "rate_per_10k",
            Unit::Days => "days",
            Unit::Mean => "mean",
        }
    }
}

impl Polarity {
    /// The polarity's name in the output.
    pub fn name(self) -> &'static str {
        match self {
            Polarity::HighIsGood => "high_is_good",
            Polarity::LowIsGood => "low_is_good",
            Polarity::Neutral => "neutral",
        }
    }
}
