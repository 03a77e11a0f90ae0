//! From YAML text to a checked [`Catalogue`]: every problem is collected with its line and column before any data
//! is read.

use super::error::{CatalogueError, Problem};
use super::model::*;
use super::raw::{self, RawCatalogue, RawCounting, RawIndicator, RawStep};
use crate::calendar::{FinancialYears, weekday_from_name};
use crate::contract::{self, Logical, REFERENCE_TABLES, TableSpec};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_saphyr::{Location as YamlLocation, Spanned};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Reads and checks the catalogue at `path`.
pub fn load(path: &Path) -> Result<Catalogue, CatalogueError> {
    let text = std::fs::read_to_string(path).map_err(|source| CatalogueError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

/// Checks catalogue text; `path` is used in messages and recorded in the result.
pub fn parse(text: &str, path: &Path) -> Result<Catalogue, CatalogueError> {
    let invalid = |problems: Vec<Problem>| CatalogueError::Invalid {
        path: path.to_path_buf(),
        problems,
    };
    let mut checker = Checker::default();
    let doc = match serde_saphyr::from_str::<raw::RawDocument>(text) {
        Ok(doc) => Sections::from(doc),
        Err(_) => Sections::one_by_one(text, &mut checker.problems).map_err(invalid)?,
    };
    let raw_calendar = doc.calendar;
    let calendar = raw_calendar.as_ref().and_then(|c| checker.calendar(c));
    let reporting = doc.reporting;
    let rag = doc.rag;
    let raw_maps = doc.value_maps;
    let value_maps = raw_maps
        .iter()
        .filter_map(|m| checker.value_map(m))
        .collect();
    let raw_current = doc.current_status;
    checker.current_status = raw_current
        .iter()
        .filter_map(|c| checker.current_status(c))
        .collect();
    let raw_cohorts = doc.cohorts;
    let mut cohorts: BTreeMap<&str, &raw::RawCohort> = BTreeMap::new();
    for c in &raw_cohorts {
        if !is_identifier(&c.name.value) {
            checker.at(&c.name.referenced, "a cohort name is lower_snake_case");
        }
        if c.rows.cohort.is_some() {
            checker.at(
                &c.name.referenced,
                "a cohort cannot start from another cohort: give its rows a `table`",
            );
        }
        if cohorts.insert(&c.name.value, c).is_some() {
            checker.at(
                &c.name.referenced,
                format!("cohort `{}` is declared twice", c.name.value),
            );
        }
    }
    checker.cohorts = cohorts;
    let mut indicators: Vec<Indicator> = Vec::new();
    let mut seen: BTreeMap<String, Location> = BTreeMap::new();
    for parsed in &doc.indicators {
        if let Some(first) = seen.get(&parsed.id.value) {
            checker.at(
                &parsed.id.referenced,
                format!(
                    "duplicate indicator id `{}`: first declared at line {}",
                    parsed.id.value, first.line
                ),
            );
            continue;
        }
        seen.insert(parsed.id.value.clone(), loc(&parsed.id.referenced));
        if let Some(ind) = checker.indicator(parsed, &calendar) {
            indicators.push(ind);
        }
    }
    let report = checker.layout(doc.report.as_ref(), &doc.indicators, &mut indicators);
    if doc.indicators_listed == 0 {
        checker.problems.push(Problem {
            line: 1,
            column: 1,
            message: "the catalogue declares no indicators".into(),
        });
    }
    let years = reporting
        .as_ref()
        .map(|r| r.financial_years_before_current.value)
        .unwrap_or(3);
    let amber = rag
        .as_ref()
        .map(|r| r.amber_within_percent_of_target.value)
        .unwrap_or(10.0);
    if let Some(r) = &rag
        && !(0.0..=100.0).contains(&amber)
    {
        checker.at(
            &r.amber_within_percent_of_target.referenced,
            "amber_within_percent_of_target must be 0 to 100",
        );
    }
    let disclosure = match &doc.disclosure {
        None => Disclosure::default(),
        Some(d) => {
            if d.suppress_up_to.value == 0 {
                checker.at(
                    &d.suppress_up_to.referenced,
                    "suppress_up_to is at least 1 (the DfE suppresses 1 to 5)",
                );
            }
            Disclosure {
                suppress_up_to: d.suppress_up_to.value,
                marker: d.marker.clone().unwrap_or_else(|| "c".into()),
            }
        }
    };
    if !checker.problems.is_empty() {
        let mut problems = checker.problems;
        problems.sort();
        problems.dedup();
        return Err(invalid(problems));
    }
    Ok(Catalogue {
        version: doc.version.value,
        hash: format!("{:x}", Sha256::digest(text.as_bytes())),
        path: path.to_path_buf(),
        calendar: calendar.expect("no problems means the calendar was checked"),
        financial_years_before_current: years,
        amber_within_percent_of_target: amber,
        value_maps,
        current_status: checker.current_status,
        cohorts: raw_cohorts
            .iter()
            .map(|c| (c.name.value.clone(), c.description.clone()))
            .collect(),
        report,
        disclosure,
        indicators,
    })
}

/// The catalogue's sections, parsed: in one pass when the whole file parses (anchors and aliases may then cross
/// indicators), else each section and indicator on its own so that every mistake is reported.
struct Sections {
    version: Spanned<String>,
    calendar: Option<raw::RawCalendar>,
    reporting: Option<raw::RawReporting>,
    rag: Option<raw::RawRag>,
    value_maps: Vec<raw::RawValueMap>,
    current_status: Vec<raw::RawCurrentStatus>,
    cohorts: Vec<raw::RawCohort>,
    report: Option<raw::RawReport>,
    disclosure: Option<raw::RawDisclosure>,
    indicators: Vec<RawIndicator>,
    /// How many indicators the file lists, parsed or not.
    indicators_listed: usize,
}

impl From<raw::RawDocument> for Sections {
    fn from(doc: raw::RawDocument) -> Sections {
        Sections {
            version: doc.version,
            calendar: Some(doc.calendar),
            reporting: doc.reporting,
            rag: doc.rag,
            value_maps: doc.value_maps,
            current_status: doc.current_status,
            cohorts: doc.cohorts,
            report: doc.report,
            disclosure: doc.disclosure,
            indicators_listed: doc.indicators.len(),
            indicators: doc.indicators,
        }
    }
}

impl Sections {
    /// Parses each section and indicator on its own, recording each one's first problem; fails only when the
    /// file's top level cannot be read.
    fn one_by_one(text: &str, problems: &mut Vec<Problem>) -> Result<Sections, Vec<Problem>> {
        let raw: RawCatalogue = serde_saphyr::from_str(text).map_err(|e| vec![yaml_problem(&e)])?;
        Ok(Sections {
            calendar: section(text, &raw.calendar, problems),
            reporting: raw
                .reporting
                .as_ref()
                .and_then(|n| section(text, n, problems)),
            rag: raw.rag.as_ref().and_then(|n| section(text, n, problems)),
            value_maps: every_section(text, &raw.value_maps, problems),
            current_status: every_section(text, &raw.current_status, problems),
            cohorts: every_section(text, &raw.cohorts, problems),
            report: raw.report.as_ref().and_then(|n| section(text, n, problems)),
            disclosure: raw
                .disclosure
                .as_ref()
                .and_then(|n| section(text, n, problems)),
            indicators: every_section(text, &raw.indicators, problems),
            indicators_listed: raw.indicators.len(),
            version: raw.version,
        })
    }
}

/// Each node parsed on its own, recording each one's first problem.
fn every_section<T: DeserializeOwned>(
    text: &str,
    nodes: &[Spanned<IgnoredAny>],
    problems: &mut Vec<Problem>,
) -> Vec<T> {
    nodes
        .iter()
        .filter_map(|n| section(text, n, problems))
        .collect()
}

/// A problem from the YAML parser, with its location.
fn yaml_problem(e: &serde_saphyr::Error) -> Problem {
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((1, 1));
    let rendered = e.render_with_options(
        serde_saphyr::render_options! { snippets: serde_saphyr::SnippetMode::Off },
    );
    let message = match rendered.rfind(" at line ") {
        Some(i) => rendered[..i].to_string(),
        None => rendered,
    };
    Problem {
        line,
        column,
        message: with_suggestion(message.trim()),
    }
}

/// Adds the closest name to serde's "unknown field `x`, expected one of a, b" and "unknown variant" messages.
fn with_suggestion(message: &str) -> String {
    let parts = ["unknown field `", "unknown variant `"]
        .iter()
        .find_map(|p| message.strip_prefix(p))
        .and_then(|rest| rest.split_once("`, expected one of "));
    match parts {
        Some((given, expected)) => {
            let hint = suggest(given, expected.split(", ").map(|e| e.trim_matches('`')));
            format!("{message}{hint}")
        }
        None => message.to_string(),
    }
}

/// Parses one node of the file on its own, recording its first problem.
fn section<T: DeserializeOwned>(
    text: &str,
    node: &Spanned<IgnoredAny>,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    let (line, column) = (
        node.referenced.line() as usize,
        node.referenced.column() as usize,
    );
    match serde_saphyr::from_str(&node_text(text, line, column)) {
        Ok(value) => Some(value),
        Err(e) => {
            problems.push(yaml_problem(&e));
            None
        }
    }
}

/// The text of one node (a sequence item or a section's value), with everything before it blanked so that the parser's lines and columns are
/// those of the whole file.
fn node_text(text: &str, line: usize, column: usize) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let start = line.saturating_sub(1).min(lines.len().saturating_sub(1));
    let first: Vec<char> = lines[start].chars().collect();
    let col0 = column.saturating_sub(1).min(first.len());
    let dash = first[..col0]
        .iter()
        .rposition(|c| *c == '-')
        .unwrap_or(col0.saturating_sub(2));
    let mut out = String::new();
    for _ in 0..start {
        out.push('\n');
    }
    out.extend(std::iter::repeat_n(' ', col0));
    out.extend(first[col0..].iter());
    for l in &lines[start + 1..] {
        let trimmed = l.trim_start();
        let indent = l.len() - trimmed.len();
        if !trimmed.is_empty() && !trimmed.starts_with('#') && indent <= dash {
            break;
        }
        out.push('\n');
        out.push_str(l);
    }
    out.push('\n');
    out
}

/// The kind of value a column holds, for checking references.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Date,
    Datetime,
    Bool,
    Number,
    Text,
    Any,
}

impl Kind {
    fn of(logical: Logical) -> Kind {
        match logical {
            Logical::Date => Kind::Date,
            Logical::Datetime => Kind::Datetime,
            Logical::Flag => Kind::Bool,
            Logical::Number => Kind::Number,
            Logical::Id | Logical::Code | Logical::Text => Kind::Text,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Date => "a date",
            Kind::Datetime => "a datetime",
            Kind::Bool => "a flag",
            Kind::Number => "a number",
            Kind::Text => "text",
            Kind::Any => "an expression",
        }
    }
}

const DATES: &[Kind] = &[Kind::Date, Kind::Datetime, Kind::Any];
const NUMBERS: &[Kind] = &[Kind::Number, Kind::Any];
const ANY: &[Kind] = &[
    Kind::Date,
    Kind::Datetime,
    Kind::Bool,
    Kind::Number,
    Kind::Text,
    Kind::Any,
];

/// The columns visible at a point of an indicator's rows: name, kind, and the table it is read from.
#[derive(Clone, Default)]
struct Scope {
    columns: BTreeMap<String, (Kind, Option<&'static str>)>,
}

impl Scope {
    fn of_table(table: &'static TableSpec) -> Scope {
        let columns = table
            .columns
            .iter()
            .map(|c| (c.name.to_string(), (Kind::of(c.logical), Some(table.name))));
        Scope {
            columns: columns.collect(),
        }
    }
}

#[derive(Default)]
pub(super) struct Checker<'c> {
    problems: Vec<Problem>,
    context: String,
    used: BTreeMap<&'static str, BTreeSet<String>>,
    if_present: BTreeMap<&'static str, BTreeSet<String>>,
    current_status: Vec<CurrentStatus>,
    cohorts: BTreeMap<&'c str, &'c raw::RawCohort>,
}

fn loc(l: &YamlLocation) -> Location {
    Location {
        line: l.line(),
        column: l.column(),
    }
}

impl<'c> Checker<'c> {
    pub(super) fn at(&mut self, l: &YamlLocation, message: impl Into<String>) {
        let message = message.into();
        let message = if self.context.is_empty() {
            message
        } else {
            format!("{}: {message}", self.context)
        };
        self.problems.push(Problem {
            line: l.line(),
            column: l.column(),
            message,
        });
    }

    fn calendar(&mut self, c: &raw::RawCalendar) -> Option<CalendarRules> {
        let start = c.financial_year_start_month.value;
        if !(1..=12).contains(&start) {
            self.at(
                &c.financial_year_start_month.referenced,
                "financial_year_start_month must be 1 to 12",
            );
        }
        let mut week = [false; 7];
        for day in &c.working_week.value {
            match weekday_from_name(day) {
                Some(w) => week[w.num_days_from_monday() as usize] = true,
                None => self.at(
                    &c.working_week.referenced,
                    format!("`{day}` is not a weekday: use mon, tue, wed, thu, fri, sat, sun"),
                ),
            }
        }
        if !week.contains(&true) {
            self.at(
                &c.working_week.referenced,
                "working_week must name at least one weekday",
            );
        }
        if !REFERENCE_TABLES.contains(&c.bank_holidays.value.as_str()) {
            self.at(
                &c.bank_holidays.referenced,
                format!(
                    "unknown reference table `{}`{}",
                    c.bank_holidays.value,
                    suggest(&c.bank_holidays.value, REFERENCE_TABLES.iter().copied())
                ),
            );
        }
        (1..=12).contains(&start).then(|| CalendarRules {
            financial_years: FinancialYears::starting_in(start),
            working_week: week,
            bank_holidays_table: c.bank_holidays.value.clone(),
            working_days: c.working_days,
            open_at_date: c.open_at_date,
        })
    }

    fn table(&mut self, name: &Spanned<String>) -> Option<&'static TableSpec> {
        let t = contract::table(&name.value);
        if t.is_none() {
            self.at(
                &name.referenced,
                format!(
                    "unknown table `{}`{}",
                    name.value,
                    suggest(&name.value, contract::TABLES.iter().map(|t| t.name))
                ),
            );
        }
        t
    }

    fn value_map(&mut self, m: &raw::RawValueMap) -> Option<ValueMap> {
        let table = self.table(&m.table)?;
        let Some(column) = table.column(&m.column.value) else {
            self.at(
                &m.column.referenced,
                format!(
                    "table `{}` has no column `{}`{}",
                    table.name,
                    m.column.value,
                    suggest(&m.column.value, table.columns.iter().map(|c| c.name))
                ),
            );
            return None;
        };
        if column.logical != Logical::Code {
            self.at(
                &m.column.referenced,
                format!(
                    "`{}` is not a coded column: only codes are mapped",
                    column.name
                ),
            );
        }
        let mut entries = Vec::new();
        let mut by_local: BTreeMap<String, String> = BTreeMap::new();
        for (code, locals) in &m.values.value {
            for local in locals {
                let key = local.trim().to_lowercase();
                if let Some(other) = by_local.insert(key, code.clone())
                    && other != *code
                {
                    self.at(
                        &m.values.referenced,
                        format!("`{local}` is mapped to both `{other}` and `{code}`"),
                    );
                }
                entries.push((local.clone(), code.clone()));
            }
        }
        if m.values.value.is_empty() {
            self.at(&m.values.referenced, "a value map needs at least one code");
        }
        Some(ValueMap {
            table,
            column: column.name,
            las: m.las.iter().map(|l| l.value.clone()).collect(),
            entries,
            unmapped: m.unmapped,
        })
    }

    fn current_status(&mut self, c: &raw::RawCurrentStatus) -> Option<CurrentStatus> {
        let table = self.table(&c.table)?;
        let scope = Scope::of_table(table);
        let mut columns = Vec::new();
        for column in &c.columns {
            let known = scope.columns.contains_key(&column.value);
            if known {
                columns.push(column.value.clone());
            } else {
                self.at(
                    &column.referenced,
                    format!(
                        "table `{}` has no column `{}`{}",
                        table.name,
                        column.value,
                        suggest(&column.value, table.columns.iter().map(|c| c.name))
                    ),
                );
            }
        }
        Some(CurrentStatus {
            table,
            columns,
            note: c.note.clone(),
        })
    }

    /// Checks a column reference against the scope; records which table it is read from.
    fn column(
        &mut self,
        scope: &Scope,
        name: &Spanned<String>,
        kinds: &[Kind],
        role: &str,
    ) -> Option<String> {
        match scope.columns.get(&name.value) {
            None => {
                let hint = suggest(&name.value, scope.columns.keys().map(String::as_str));
                self.at(
                    &name.referenced,
                    format!("{role}: unknown column `{}`{hint}", name.value),
                );
                None
            }
            Some((kind, origin)) => {
                if let Some(t) = origin {
                    self.used.entry(t).or_default().insert(name.value.clone());
                }
                if !kinds.contains(kind) {
                    let want: Vec<_> = kinds
                        .iter()
                        .filter(|k| **k != Kind::Any)
                        .map(|k| k.name())
                        .collect();
                    self.at(
                        &name.referenced,
                        format!(
                            "{role}: `{}` is {}, expected {}",
                            name.value,
                            kind.name(),
                            want.join(" or ")
                        ),
                    );
                    return None;
                }
                Some(name.value.clone())
            }
        }
    }

    fn new_column(
        &mut self,
        scope: &mut Scope,
        name: &Spanned<String>,
        kind: Kind,
    ) -> Option<String> {
        if !is_identifier(&name.value) {
            self.at(
                &name.referenced,
                format!(
                    "`{}` is not a column name: use lower_snake_case",
                    name.value
                ),
            );
            return None;
        }
        if scope.columns.contains_key(&name.value) {
            self.at(
                &name.referenced,
                format!(
                    "a column named `{}` already exists: choose another name",
                    name.value
                ),
            );
            return None;
        }
        scope.columns.insert(name.value.clone(), (kind, None));
        Some(name.value.clone())
    }

    fn sql(&mut self, scope: &Scope, text: &Spanned<String>, role: &str) -> Option<Condition> {
        let expr = match polars::sql::sql_expr(&text.value) {
            Ok(e) => e,
            Err(e) => {
                let detail = e.to_string().lines().next().unwrap_or_default().to_string();
                self.at(
                    &text.referenced,
                    format!("{role}: cannot parse SQL `{}`: {detail}", text.value),
                );
                return None;
            }
        };
        if divides_by_zero(&expr) {
            self.at(
                &text.referenced,
                format!(
                    "{role}: `{}` divides by zero, which gives no value for any row",
                    text.value
                ),
            );
            return None;
        }
        let mut ok = true;
        for name in expr.clone().meta().root_names() {
            let spanned = Spanned::new(name.to_string(), text.referenced, text.defined);
            ok &= self.column(scope, &spanned, ANY, role).is_some();
        }
        ok.then(|| Condition {
            sql: text.value.clone(),
            expr,
        })
    }

    fn on(
        &mut self,
        local: &Scope,
        remote: &Scope,
        on: &Spanned<BTreeMap<String, String>>,
        table: &str,
    ) -> Option<Vec<(String, String)>> {
        if on.value.is_empty() {
            self.at(
                &on.referenced,
                "`on` needs at least one `local_column: other_column` pair",
            );
            return None;
        }
        let mut pairs = Vec::new();
        for (l, r) in &on.value {
            let l = self.column(
                local,
                &Spanned::new(l.clone(), on.referenced, on.defined),
                ANY,
                "on",
            )?;
            let role = format!("on (table `{table}`)");
            let r = self.column(
                remote,
                &Spanned::new(r.clone(), on.referenced, on.defined),
                ANY,
                &role,
            )?;
            pairs.push((l, r));
        }
        Some(pairs)
    }

    fn steps(
        &mut self,
        table: &'static TableSpec,
        scope: &mut Scope,
        steps: &[RawStep],
    ) -> Option<Vec<Step>> {
        let mut out = Vec::new();
        let mut ok = true;
        for step in steps {
            match self.step(table, scope, step) {
                Some(s) => out.push(s),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn step(
        &mut self,
        table: &'static TableSpec,
        scope: &mut Scope,
        step: &RawStep,
    ) -> Option<Step> {
        match step {
            RawStep::WorkingDays(b) => {
                let from = self.column(scope, &b.from, DATES, "from");
                let to = self.column(scope, &b.to, DATES, "to");
                let name = self.new_column(scope, &b.name, Kind::Number);
                Some(Step::WorkingDays {
                    name: name?,
                    from: from?,
                    to: to?,
                    missing: b.missing,
                })
            }
            RawStep::CalendarDays(b) => {
                let from = self.column(scope, &b.from, DATES, "from");
                let to = self.column(scope, &b.to, DATES, "to");
                let name = self.new_column(scope, &b.name, Kind::Number);
                Some(Step::CalendarDays {
                    name: name?,
                    from: from?,
                    to: to?,
                    negative: b.negative,
                })
            }
            RawStep::Hours(b) => {
                const DATETIMES: &[Kind] = &[Kind::Datetime, Kind::Any];
                let from = self.column(scope, &b.from, DATETIMES, "from");
                let to = self.column(scope, &b.to, DATETIMES, "to");
                let name = self.new_column(scope, &b.name, Kind::Number);
                Some(Step::Hours {
                    name: name?,
                    from: from?,
                    to: to?,
                })
            }
            RawStep::AddDays(a) => {
                let date = self.column(scope, &a.date, DATES, "date");
                let name = self.new_column(scope, &a.name, Kind::Date);
                Some(Step::AddDays {
                    name: name?,
                    date: date?,
                    days: a.days.value,
                })
            }
            RawStep::Age(a) => self.age(table, scope, a),
            RawStep::Group(g) => self.group(table, scope, g),
            RawStep::Related(r) => self.related(scope, r),
            RawStep::AddMonths(a) => {
                let date = self.column(scope, &a.date, DATES, "date");
                let name = self.new_column(scope, &a.name, Kind::Date);
                Some(Step::AddMonths {
                    name: name?,
                    date: date?,
                    months: a.months.value,
                })
            }
            RawStep::Lookup(l) => {
                let other = self.table(&l.table)?;
                let mut remote = Scope::of_table(other);
                let steps = self.steps(other, &mut remote, &l.steps);
                let on = self.on(scope, &remote, &l.on, other.name);
                let mut columns = Vec::new();
                for c in &l.columns {
                    let role = format!("lookup columns (table `{}`)", other.name);
                    if let Some(name) = self.column(&remote, c, ANY, &role) {
                        let kind = remote.columns[&name].0;
                        if scope.columns.contains_key(&name) {
                            self.at(
                                &c.referenced,
                                format!("a column named `{name}` already exists"),
                            );
                        } else {
                            // Looked-up columns keep their table, so a person id or date of birth stays known.
                            scope.columns.insert(name.clone(), (kind, Some(other.name)));
                            columns.push(name);
                        }
                    }
                }
                if l.columns.is_empty() {
                    self.at(
                        &l.table.referenced,
                        "a lookup needs at least one column in `columns`",
                    );
                }
                let open_at = match &l.open_at {
                    Some(o) => Some(self.open_at(scope, &remote, o)?),
                    None => None,
                };
                Some(Step::Lookup {
                    table: other,
                    on: on?,
                    columns,
                    steps: steps?,
                    open_at,
                })
            }
            RawStep::Exists(e) => {
                let name = self.new_column(scope, &e.name, Kind::Bool);
                let other = self.table(&e.table)?;
                let mut remote = Scope::of_table(other);
                let steps = self.steps(other, &mut remote, &e.steps);
                let filter = match &e.filter {
                    Some(f) => Some(self.sql(&remote, f, "where")?),
                    None => None,
                };
                let on = self.on(scope, &remote, &e.on, other.name);
                let open_at = match &e.open_at {
                    Some(o) => Some(self.open_at(scope, &remote, o)?),
                    None => None,
                };
                Some(Step::Exists {
                    name: name?,
                    table: other,
                    on: on?,
                    steps: steps?,
                    filter,
                    open_at,
                })
            }
            RawStep::EarlierRecord(e) => {
                let name = self.new_column(scope, &e.name, Kind::Bool);
                let base = Scope::of_table(table);
                let same = match &e.same {
                    Some(cols) => cols
                        .iter()
                        .map(|c| self.column(&base, c, ANY, "same"))
                        .collect::<Option<Vec<_>>>(),
                    None => match table.person {
                        Some(p) => {
                            self.used
                                .entry(table.name)
                                .or_default()
                                .insert(p.to_string());
                            Some(vec![p.to_string()])
                        }
                        None => {
                            self.at(
                                &e.name.referenced,
                                format!("table `{}` has no child column: set `same`", table.name),
                            );
                            None
                        }
                    },
                };
                let before = self.column(&base, &e.before, DATES, "before");
                let other_date = match &e.other_date {
                    Some(d) => Some(self.column(&base, d, DATES, "other_date")?),
                    None => None,
                };
                Some(Step::EarlierRecord {
                    name: name?,
                    same: same?,
                    before: before?,
                    other_date,
                    within_months: e.within_months.as_ref().map(|w| w.value),
                })
            }
            RawStep::PreviousDate(p) => {
                let name = self.new_column(scope, &p.name, Kind::Date);
                let same = p
                    .same
                    .iter()
                    .map(|c| self.column(scope, c, ANY, "same"))
                    .collect::<Vec<_>>();
                let date = self.column(scope, &p.date, DATES, "date");
                let otherwise = match &p.otherwise {
                    Some(o) => Some(self.column(scope, o, DATES, "otherwise")?),
                    None => None,
                };
                let same = same.into_iter().collect::<Option<Vec<_>>>();
                Some(Step::PreviousDate {
                    name: name?,
                    same: same?,
                    date: date?,
                    otherwise,
                })
            }
            RawStep::Expression(x) => {
                let condition = self.sql(scope, &x.sql, "sql");
                let name = self.new_column(scope, &x.name, Kind::Any);
                Some(Step::Expression {
                    name: name?,
                    condition: condition?,
                })
            }
        }
    }

    fn open_at(&mut self, local: &Scope, remote: &Scope, o: &raw::RawOpenAt) -> Option<OpenAt> {
        let date = self.column(local, &o.date, DATES, "open_at date");
        let start = self.column(remote, &o.start, DATES, "open_at start");
        let end = self.column(remote, &o.end, DATES, "open_at end");
        Some(OpenAt {
            date: date?,
            start: start?,
            end: end?,
        })
    }

    fn age(
        &mut self,
        table: &'static TableSpec,
        scope: &mut Scope,
        a: &raw::RawAge,
    ) -> Option<Step> {
        let person = match &a.person {
            Some(p) => self.column(scope, p, ANY, "person"),
            None => match table.person {
                Some(p) => {
                    self.used
                        .entry(table.name)
                        .or_default()
                        .insert(p.to_string());
                    Some(p.to_string())
                }
                None => {
                    self.at(
                        &a.name.referenced,
                        format!("table `{}` has no child column: set `person`", table.name),
                    );
                    None
                }
            },
        };
        let at = self.column(scope, &a.at, DATES, "at");
        let on_preceding = match &a.on_preceding {
            Some(d) => match day_of_year(&d.value) {
                Some(md) => Some(Some(md)),
                None => {
                    self.at(
                        &d.referenced,
                        format!(
                            "`{}` is not a day of the year: write it like `31 August`",
                            d.value
                        ),
                    );
                    None
                }
            },
            None => Some(None),
        };
        let name = self.new_column(scope, &a.name, Kind::Number);
        let person_table = contract::table("ssd_person").expect("the contract has ssd_person");
        self.used
            .entry(person_table.name)
            .or_default()
            .extend([person_table.record_id.to_string(), "pers_dob".to_string()]);
        self.if_present
            .entry(person_table.name)
            .or_default()
            .insert("pers_expected_dob".to_string());
        Some(Step::Age {
            name: name?,
            person: person?,
            at: at?,
            on_preceding: on_preceding?,
        })
    }

    fn group(
        &mut self,
        table: &'static TableSpec,
        scope: &mut Scope,
        g: &raw::RawGroup,
    ) -> Option<Step> {
        let base = Scope::of_table(table);
        let same: Option<Vec<String>> = g
            .same
            .iter()
            .map(|c| self.column(&base, c, ANY, "same"))
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        if g.same.is_empty() {
            self.at(
                &g.order_by.referenced,
                "a group needs at least one column in `same`",
            );
        }
        let order_by = self.column(&base, &g.order_by, ANY, "order_by");
        let columns = self.named_columns(
            scope,
            &base,
            &g.columns,
            "group",
            "first(column), last(column), min(column), max(column), null_count(column), count, is_first, is_last",
            |call, arg| match (call, arg) {
                ("first", Some((c, kind))) => Some((kind, GroupColumn::First(c))),
                ("last", Some((c, kind))) => Some((kind, GroupColumn::Last(c))),
                ("min", Some((c, kind))) => Some((kind, GroupColumn::Min(c))),
                ("max", Some((c, kind))) => Some((kind, GroupColumn::Max(c))),
                ("null_count", Some((c, _))) => Some((Kind::Number, GroupColumn::NullCount(c))),
                ("count", None) => Some((Kind::Number, GroupColumn::Count)),
                ("is_first", None) => Some((Kind::Bool, GroupColumn::IsFirst)),
                ("is_last", None) => Some((Kind::Bool, GroupColumn::IsLast)),
                _ => None,
            },
        );
        (!g.same.is_empty()).then_some(())?;
        Some(Step::Group {
            same: same?,
            order_by: order_by?,
            columns: columns?,
        })
    }

    fn related(&mut self, scope: &mut Scope, r: &raw::RawRelated) -> Option<Step> {
        let other = self.table(&r.table)?;
        let mut remote = Scope::of_table(other);
        let steps = self.steps(other, &mut remote, &r.steps);
        let on = self.on(scope, &remote, &r.on, other.name);
        // `where` reads both rows; a name both have means the other table's column.
        let mut both = scope.clone();
        both.columns
            .extend(remote.columns.iter().map(|(k, v)| (k.clone(), *v)));
        let filter = match &r.filter {
            Some(f) => Some(self.sql(&both, f, "where")?),
            None => None,
        };
        let window = match (&r.dated_within, &r.open_during) {
            (Some(d), None) => {
                let date = self.column(&remote, &d.date, DATES, "dated_within date");
                let ending = self.column(scope, &d.ending, DATES, "dated_within ending");
                let span = self.span(&d.last);
                Some(RelatedWindow::Dated {
                    date: date?,
                    ending: ending?,
                    span: span?,
                })
            }
            (None, Some(o)) => {
                let start = self.column(&remote, &o.start, DATES, "open_during start");
                let end = self.column(&remote, &o.end, DATES, "open_during end");
                let ending = self.column(scope, &o.ending, DATES, "open_during ending");
                let span = self.span(&o.last);
                Some(RelatedWindow::OpenDuring {
                    start: start?,
                    end: end?,
                    ending: ending?,
                    span: span?,
                })
            }
            (Some(d), Some(_)) => {
                self.at(
                    &d.date.referenced,
                    "use one of `dated_within` and `open_during`, not both",
                );
                return None;
            }
            (None, None) => None,
        };
        let columns = self.named_columns(
            scope,
            &remote,
            &r.columns,
            "related",
            "count, min(column), max(column)",
            |call, arg| match (call, arg) {
                ("count", None) => Some((Kind::Number, Aggregate::Count)),
                ("min", Some((c, kind))) => Some((kind, Aggregate::Min(c))),
                ("max", Some((c, kind))) => Some((kind, Aggregate::Max(c))),
                _ => None,
            },
        );
        Some(Step::Related {
            table: other,
            on: on?,
            steps: steps?,
            filter,
            window,
            columns: columns?,
        })
    }

    /// The new columns of a `columns: {name: call}` map (of `group` or `related`): `call` is `function` or
    /// `function(column)`, the column checked against `source`; `meaning` turns a known call into the column's
    /// kind and what it computes.
    fn named_columns<T>(
        &mut self,
        scope: &mut Scope,
        source: &Scope,
        columns: &Spanned<BTreeMap<String, String>>,
        block: &str,
        allowed: &str,
        meaning: impl Fn(&str, Option<(String, Kind)>) -> Option<(Kind, T)>,
    ) -> Option<Vec<(String, T)>> {
        let spanned =
            |text: &str| Spanned::new(text.to_string(), columns.referenced, columns.defined);
        let mut out = Vec::new();
        let mut ok = true;
        for (name, call) in &columns.value {
            let role = format!("{block} column `{name}`");
            let not_known = |this: &mut Self| {
                this.at(
                    &columns.referenced,
                    format!("{role}: `{call}` is not one of {allowed}"),
                );
            };
            let Some((function, arg)) = parse_call(call) else {
                not_known(self);
                ok = false;
                continue;
            };
            let arg = match arg {
                None => None,
                Some(a) => match self.column(source, &spanned(a), ANY, &role) {
                    Some(c) => {
                        let kind = source.columns[&c].0;
                        Some((c, kind))
                    }
                    None => {
                        ok = false;
                        continue;
                    }
                },
            };
            let Some((kind, value)) = meaning(function, arg) else {
                not_known(self);
                ok = false;
                continue;
            };
            match self.new_column(scope, &spanned(name), kind) {
                Some(n) => out.push((n, value)),
                None => ok = false,
            }
        }
        if columns.value.is_empty() {
            self.at(
                &columns.referenced,
                format!("`{block}` needs at least one column in `columns`"),
            );
        }
        ok.then_some(out)
    }

    fn span(&mut self, last: &Spanned<String>) -> Option<Span> {
        let parsed = last.value.split_once(' ').and_then(|(n, unit)| {
            let n: u32 = n.trim().parse().ok().filter(|n| *n > 0)?;
            match unit.trim() {
                "day" | "days" => Some(Span::Days(n)),
                "month" | "months" => Some(Span::Months(n)),
                _ => None,
            }
        });
        if parsed.is_none() {
            self.at(
                &last.referenced,
                format!(
                    "`{}` is not a span: write it like `42 days` or `12 months`",
                    last.value
                ),
            );
        }
        parsed
    }

    fn indicator(
        &mut self,
        r: &RawIndicator,
        calendar: &Option<CalendarRules>,
    ) -> Option<Indicator> {
        self.context = format!("indicator `{}`", r.id.value);
        self.used = BTreeMap::new();
        self.if_present = BTreeMap::new();
        let before = self.problems.len();
        if !is_identifier(&r.id.value) {
            self.at(
                &r.id.referenced,
                "an indicator id is lower_snake_case: letters, digits and `_`",
            );
        }
        let cohort = match &r.rows.cohort {
            Some(name) => match self.cohorts.get(name.value.as_str()) {
                Some(c) => Some(*c),
                None => {
                    let hint = suggest(&name.value, self.cohorts.keys().copied());
                    self.at(
                        &name.referenced,
                        format!("unknown cohort `{}`{hint}", name.value),
                    );
                    return None;
                }
            },
            None => None,
        };
        let table_name = match (&r.rows.table, cohort) {
            (Some(t), None) => Some(t),
            (None, Some(c)) => c.rows.table.as_ref(),
            (Some(t), Some(_)) => {
                self.at(
                    &t.referenced,
                    "rows take their table from the cohort: remove `table`",
                );
                None
            }
            (None, None) => {
                self.at(
                    &r.id.referenced,
                    "rows need a `table` (or a `cohort` to start from)",
                );
                None
            }
        };
        let table = table_name.and_then(|t| self.table(t));
        let windows = self.windows(r);
        let indicator = table.and_then(|t| self.indicator_body(r, cohort, t, windows?, calendar));
        self.context.clear();
        if self.problems.len() > before {
            return None;
        }
        indicator
    }

    fn windows(&mut self, r: &RawIndicator) -> Option<Vec<Window>> {
        let mut out = Vec::new();
        for w in &r.windows.value {
            match Window::parse(&w.value) {
                Some(win) if out.contains(&win) => self.at(&w.referenced, format!("window `{}` is listed twice", w.value)),
                Some(win) => out.push(win),
                None => self.at(
                    &w.referenced,
                    format!(
                        "unknown window `{}`: use month, quarter, ytd, financial_year, snapshot or rolling_<N>m (N from 2 to 60)",
                        w.value
                    ),
                ),
            }
        }
        if r.windows.value.is_empty() {
            self.at(
                &r.windows.referenced,
                "an indicator needs at least one window",
            );
        }
        Some(out)
    }

    fn indicator_body(
        &mut self,
        r: &RawIndicator,
        cohort: Option<&raw::RawCohort>,
        table: &'static TableSpec,
        windows: Vec<Window>,
        calendar: &Option<CalendarRules>,
    ) -> Option<Indicator> {
        let rows = &r.rows;
        // A cohort gives the table, the timing, its steps and its filter; the indicator adds its own after them.
        let timed = cohort.map_or(rows, |c| &c.rows);
        if cohort.is_some() {
            let at = rows
                .cohort
                .as_ref()
                .map(|c| c.referenced)
                .expect("cohort set");
            if rows.dated_by.is_some() || rows.open.is_some() || rows.current.is_some() {
                self.at(&at, "rows take their timing from the cohort: remove `dated_by`, `open` or `current`");
            }
        }
        let mut scope = Scope::of_table(table);
        let at_period_end = |scope: &mut Scope| {
            scope
                .columns
                .insert("period_end".into(), (Kind::Date, None));
        };
        let current = timed.current.as_ref().is_some_and(|c| c.value);
        let timing = match (&timed.dated_by, &timed.open, current) {
            (Some(d), None, false) => self
                .column(&scope, d, DATES, "dated_by")
                .map(|date| Timing::Dated { date }),
            (None, Some(o), false) => {
                let start = self.column(&scope, &o.value.start, DATES, "open start");
                let end = self.column(&scope, &o.value.end, DATES, "open end");
                at_period_end(&mut scope);
                start
                    .zip(end)
                    .map(|(start, end)| Timing::Open { start, end })
            }
            (None, None, true) => {
                at_period_end(&mut scope);
                Some(Timing::Current)
            }
            _ => {
                let at = timed
                    .table
                    .as_ref()
                    .map(|t| t.referenced)
                    .unwrap_or(r.id.referenced);
                self.at(&at, "rows need exactly one of `dated_by` (events), `open` (records open at period end) or `current: true` (rows describing the present)");
                None
            }
        };
        let is_dated = matches!(timing, Some(Timing::Dated { .. }));
        if !is_dated {
            for step in timed.steps.iter().chain(&rows.steps) {
                if let RawStep::PreviousDate(p) = step {
                    self.at(
                        &p.name.referenced,
                        "previous_date compares rows of the table, but open rows repeat each record at every month end: use it on dated rows",
                    );
                }
            }
        }
        // A cohort's steps and filter come first; its rows are built once per run and shared by its indicators.
        let cohort_rows = match cohort {
            Some(c) => {
                let steps = self.steps(table, &mut scope, &c.rows.steps);
                let filter = match &c.rows.filter {
                    Some(f) => Some(self.sql(&scope, f, "where")?),
                    None => None,
                };
                steps.map(|steps| (c.name.value.clone(), steps, filter))
            }
            None => Some((String::new(), Vec::new(), None)),
        };
        let own_steps = self.steps(table, &mut scope, &rows.steps);
        // The filter and numerator of dated rows may read `period_end`: the end of the window being computed.
        let scope_before_period_end = scope.clone();
        if is_dated {
            at_period_end(&mut scope);
        }
        let filter = rows
            .filter
            .as_ref()
            .and_then(|f| self.sql(&scope, f, "where"));
        let (cohort_rows, steps) = match (cohort_rows, own_steps) {
            (Some((name, mut steps, cohort_filter)), Some(own)) => {
                let cohort_rows = cohort.map(|_| CohortRows {
                    name,
                    steps: steps.len(),
                    filter: cohort_filter,
                });
                steps.extend(own);
                (Some(cohort_rows), Some(steps))
            }
            _ => (None, None),
        };
        let count = rows.count.as_ref().or(timed.count.as_ref());
        let counting = match count {
            None => Some(Counting::Rows),
            Some(c) => match &c.value {
                RawCounting::Rows => Some(Counting::Rows),
                RawCounting::Children => match table.person {
                    Some(p) => {
                        self.used
                            .entry(table.name)
                            .or_default()
                            .insert(p.to_string());
                        Some(Counting::Distinct(p.to_string()))
                    }
                    None => {
                        self.at(
                            &c.referenced,
                            format!("table `{}` has no child column to count", table.name),
                        );
                        None
                    }
                },
                RawCounting::Distinct(col) => {
                    let spanned = Spanned::new(col.clone(), c.referenced, c.defined);
                    self.column(&scope_before_period_end, &spanned, ANY, "count distinct")
                        .map(Counting::Distinct)
                }
            },
        };
        let is_open = matches!(timing, Some(Timing::Open { .. } | Timing::Current));
        for w in &windows {
            if timing.is_some() && is_open != (*w == Window::Snapshot) {
                let why = if is_open {
                    "records open at period end are stocks: their only window is `snapshot`"
                } else {
                    "dated events have no `snapshot` window: use month, quarter, ytd, financial_year or rolling_<N>m"
                };
                self.at(&r.windows.referenced, format!("window `{w}`: {why}"));
            }
        }
        let windows = if is_open {
            Windows::Snapshot
        } else {
            Windows::Periods(windows.iter().filter_map(|w| w.period()).collect())
        };
        let unit = r.unit.value;
        let numerator = match (&r.numerator, unit) {
            (Some(n), Unit::Percent) => self.sql(&scope, n, "numerator"),
            (None, Unit::Percent) => {
                self.at(
                    &r.unit.referenced,
                    "a percent indicator needs a `numerator` condition",
                );
                None
            }
            (Some(n), _) => {
                self.at(
                    &n.referenced,
                    format!(
                        "only percent indicators have a `numerator` (this one is {})",
                        unit.name()
                    ),
                );
                None
            }
            (None, _) => None,
        };
        let mean_of = match (&r.mean_of, unit) {
            (Some(m), Unit::Days) => self.column(&scope_before_period_end, m, NUMBERS, "mean_of"),
            (None, Unit::Days) => {
                self.at(
                    &r.unit.referenced,
                    "a days indicator needs `mean_of`: the column of days to average",
                );
                None
            }
            (Some(m), _) => {
                self.at(&m.referenced, "only days indicators have `mean_of`");
                None
            }
            (None, _) => None,
        };
        if unit == Unit::Days && counting != Some(Counting::Rows) {
            self.at(
                &r.unit.referenced,
                "a days indicator averages over rows: remove `count`",
            );
        }
        let denominator_distinct = match (&r.denominator, unit) {
            (Some(d), Unit::Mean) => {
                let raw::RawDenominator::Distinct(name) = &d.value;
                let spanned = Spanned::new(name.clone(), d.referenced, d.defined);
                self.column(
                    &scope_before_period_end,
                    &spanned,
                    ANY,
                    "denominator distinct",
                )
            }
            (None, Unit::Mean) => {
                self.at(
                    &r.unit.referenced,
                    "a mean indicator needs `denominator: {distinct: column}`: what the rows are shared among",
                );
                None
            }
            (Some(d), _) => {
                self.at(&d.referenced, "only mean indicators have a `denominator`");
                None
            }
            (None, _) => None,
        };
        if unit == Unit::Mean && counting != Some(Counting::Rows) {
            self.at(
                &r.unit.referenced,
                "a mean indicator counts rows over distinct `denominator` values: remove `count`",
            );
        }
        let judged_at_period_end = is_dated
            && (filter.as_ref().is_some_and(Condition::reads_period_end)
                || numerator.as_ref().is_some_and(Condition::reads_period_end));
        let targets = self.targets(r, calendar);
        let mut breakdowns = Vec::new();
        for b in &r.breakdowns {
            let column = self.column(&scope_before_period_end, &b.column, ANY, "breakdown column");
            let sensitive = scope_before_period_end
                .columns
                .get(&b.column.value)
                .and_then(|(_, origin)| *origin)
                .and_then(contract::table)
                .is_some_and(|t| t.is_sensitive(&b.column.value));
            if sensitive {
                self.at(
                    &b.column.referenced,
                    format!(
                        "`{}` identifies a child or holds a date of birth: it cannot be a breakdown, which is written to the output",
                        b.column.value
                    ),
                );
            }
            if b.categories.is_empty() {
                self.at(&b.name.referenced, "a breakdown lists its categories");
            }
            if breakdowns
                .iter()
                .any(|x: &Breakdown| x.name == b.name.value)
            {
                self.at(
                    &b.name.referenced,
                    format!("breakdown `{}` is listed twice", b.name.value),
                );
            }
            if let Some(column) = column {
                breakdowns.push(Breakdown {
                    name: b.name.value.clone(),
                    column,
                    categories: b.categories.clone(),
                });
            }
        }
        if let Some(a) = &r.amber_within
            && a.value < 0.0
        {
            self.at(&a.referenced, "amber_within cannot be negative");
        }
        Some(Indicator {
            id: r.id.value.clone(),
            title: r.title.clone(),
            short_title: r.short_title.clone(),
            definition: r.definition.clone(),
            numerator_definition: r.numerator_definition.clone(),
            denominator_definition: r.denominator_definition.clone(),
            unit,
            polarity: r.polarity,
            headline: self.headline(r, &windows)?,
            section: None,
            narrative: None,
            windows,
            targets,
            amber_within: r.amber_within.as_ref().map(|a| a.value),
            decimals: r.decimals,
            source: r.source.clone(),
            caveats: r.caveats.clone(),
            rows: Rows {
                table,
                steps_before_placing: match (&timing, &steps, &cohort_rows) {
                    (Some(Timing::Open { .. } | Timing::Current), Some(steps), Some(cohort)) => {
                        let shared = cohort.as_ref().map_or(steps.len(), |c| c.steps);
                        steps_independent_of_period_end(steps).min(shared)
                    }
                    _ => 0,
                },
                cohort: cohort_rows?,
                steps: steps?,
                filter,
                judged_at_period_end,
                timing: timing?,
                counting: counting?,
            },
            numerator,
            mean_of,
            denominator_distinct,
            breakdowns,
            reads_current_status: self.used.iter().any(|(table, columns)| {
                columns
                    .iter()
                    .any(|c| self.current_status.iter().any(|s| s.covers(table, c)))
            }),
            columns_used: std::mem::take(&mut self.used),
            columns_if_present: std::mem::take(&mut self.if_present),
            at: loc(&r.id.referenced),
        })
    }

    fn targets(&mut self, r: &RawIndicator, calendar: &Option<CalendarRules>) -> Targets {
        let mut t = Targets {
            all_years: r.target.as_ref().map(|t| t.value),
            ..Targets::default()
        };
        let check = |this: &mut Checker, value: f64, at: &YamlLocation| {
            if r.polarity == Polarity::Neutral {
                this.at(at, "a neutral indicator has no target: set polarity to high_is_good or low_is_good");
            } else if r.unit.value == Unit::Percent && !(0.0..=100.0).contains(&value) {
                this.at(
                    at,
                    format!("target {value} is not a percentage from 0 to 100"),
                );
            }
        };
        if let Some(v) = &r.target {
            check(self, v.value, &v.referenced);
        }
        let year_ok = |label: &str| -> bool {
            let fy_starts_january = calendar
                .as_ref()
                .is_some_and(|c| c.financial_years.start_month() == 1);
            if fy_starts_january {
                return label.len() == 4 && label.parse::<i32>().is_ok();
            }
            match label.split_once('-') {
                Some((a, b)) if a.len() == 4 && b.len() == 2 => {
                    matches!((a.parse::<i32>(), b.parse::<i32>()), (Ok(a), Ok(b)) if (a + 1) % 100 == b)
                }
                _ => false,
            }
        };
        if let Some(by_year) = &r.targets_by_year {
            for (year, value) in &by_year.value {
                if !year_ok(year) {
                    self.at(
                        &by_year.referenced,
                        format!("`{year}` is not a financial year label like 2023-24"),
                    );
                }
                check(self, *value, &by_year.referenced);
            }
            t.by_year = by_year.value.clone();
        }
        if let Some(by_la) = &r.targets_by_la {
            for (la, years) in &by_la.value {
                for (year, value) in years {
                    if !year_ok(year) {
                        self.at(
                            &by_la.referenced,
                            format!(
                                "LA `{la}`: `{year}` is not a financial year label like 2023-24"
                            ),
                        );
                    }
                    check(self, *value, &by_la.referenced);
                }
            }
            t.by_la = by_la.value.clone();
        }
        t
    }
}

/// `name(arg)` or `name`, as written in `columns` of `group` and `related`.
/// Whether an expression divides (or takes a remainder) by a literal zero anywhere.
fn divides_by_zero(expr: &polars::prelude::Expr) -> bool {
    use polars::prelude::{Expr, Operator};
    expr.into_iter().any(|node| match node {
        Expr::BinaryExpr { op, right, .. } => {
            matches!(
                op,
                Operator::RustDivide
                    | Operator::TrueDivide
                    | Operator::FloorDivide
                    | Operator::Modulus
            ) && matches!(right.as_ref(), Expr::Literal(_))
                && {
                    let text = right.to_string();
                    let number = text.rsplit(": ").next().unwrap_or(&text);
                    number.trim().parse::<f64>() == Ok(0.0)
                }
        }
        _ => false,
    })
}

fn parse_call(spec: &str) -> Option<(&str, Option<&str>)> {
    let spec = spec.trim();
    match spec.split_once('(') {
        Some((name, rest)) => {
            let arg = rest.strip_suffix(')')?.trim();
            (!arg.is_empty()).then_some((name.trim(), Some(arg)))
        }
        None => Some((spec, None)),
    }
}

/// A day of the year written `31 August` (or `31 Aug`), as (month, day).
fn day_of_year(text: &str) -> Option<(u32, u32)> {
    let (day, month) = text.trim().split_once(' ')?;
    let day: u32 = day.parse().ok()?;
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let month = month.trim().to_lowercase();
    let m = MONTHS
        .iter()
        .position(|name| *name == month || (month.len() >= 3 && name.starts_with(&month)))?
        as u32
        + 1;
    chrono::NaiveDate::from_ymd_opt(2024, m, day).map(|_| (m, day))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// ` (did you mean `x`?)` for the closest candidate, or nothing when none is close.
pub(crate) fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let best = candidates
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, c)| *d <= (c.len().max(name.len()) / 3).max(2))
        .min();
    match best {
        Some((_, c)) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_get_the_closest_name() {
        assert_eq!(
            with_suggestion("unknown field `windw`, expected one of id, windows, title"),
            "unknown field `windw`, expected one of id, windows, title (did you mean `windows`?)"
        );
        assert_eq!(
            with_suggestion("invalid type: string"),
            "invalid type: string"
        );
    }

    #[test]
    fn suggestions_pick_the_closest_name() {
        let names = ["cine_referral_date", "cine_referral_id", "cine_close_date"];
        assert_eq!(
            suggest("cine_refferal_date", names.iter().copied()),
            " (did you mean `cine_referral_date`?)"
        );
        assert_eq!(suggest("zzz", names.iter().copied()), "");
    }

    #[test]
    fn an_item_keeps_its_lines_and_columns() {
        let text = "indicators:\n  - id: a\n    title: x\n  - id: b\n";
        let item = node_text(text, 2, 5);
        assert_eq!(item, "\n    id: a\n    title: x\n");
    }
}
