//! Lowering indicators: rows, timing, counting, measure, windows, breakdowns and targets, each checked against
//! the scope the indicator's steps leave.

use super::model::*;
use super::raw::{self, RawCounting, RawIndicator, RawStep};
use super::recover::suggest;
use super::scope::{ANY, Checker, DATES, Kind, NUMBERS, Scope, is_identifier, loc};
use crate::input::contract::{self, TableSpec};
use serde_saphyr::{Location as YamlLocation, Spanned};
use std::collections::BTreeMap;

impl Checker<'_> {
    pub(super) fn indicator(
        &mut self,
        r: &RawIndicator,
        calendar: &Option<CalendarRules>,
        (section, narrative): (Option<String>, Option<Narrative>),
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
        let indicator = table.and_then(|t| {
            self.indicator_body(r, cohort, t, windows?, calendar, (section, narrative))
        });
        self.context.clear();
        if self.problems.len() > before {
            return None;
        }
        indicator
    }

    pub(super) fn windows(&mut self, r: &RawIndicator) -> Option<Vec<Window>> {
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

    pub(super) fn indicator_body(
        &mut self,
        r: &RawIndicator,
        cohort: Option<&raw::RawCohort>,
        table: &'static TableSpec,
        windows: Vec<Window>,
        calendar: &Option<CalendarRules>,
        (section, narrative): (Option<String>, Option<Narrative>),
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
        let measure = self.measure(r, &scope, &scope_before_period_end, counting.as_ref());
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
            measure: measure?,
            polarity: r.polarity,
            headline: self.headline(r, &windows)?,
            section,
            narrative,
            windows,
            targets,
            amber_within: r.amber_within.as_ref().map(|a| a.value),
            decimals: r.decimals,
            source: r.source.clone(),
            caveats: r.caveats.clone(),
            rows: Rows {
                table,
                cohort: cohort_rows?,
                steps: steps?,
                filter,
                timing: timing?,
                counting: counting?,
            },
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

    /// The indicator's measure: its unit with what the unit needs, checked against the rows' scope (`scope`, and
    /// `before_period_end` for columns that must not depend on the window). Options of another unit are problems.
    fn measure(
        &mut self,
        r: &RawIndicator,
        scope: &Scope,
        before_period_end: &Scope,
        counting: Option<&Counting>,
    ) -> Option<Measure> {
        let unit = r.unit.value;
        if let Some(n) = &r.numerator
            && unit != Unit::Percent
        {
            let message = format!(
                "only percent indicators have a `numerator` (this one is {})",
                unit.name()
            );
            self.at(&n.referenced, message);
        }
        if let Some(m) = &r.mean_of
            && unit != Unit::Days
        {
            self.at(&m.referenced, "only days indicators have `mean_of`");
        }
        if let Some(d) = &r.denominator
            && unit != Unit::Mean
        {
            self.at(&d.referenced, "only mean indicators have a `denominator`");
        }
        let averages_rows = counting == Some(&Counting::Rows);
        let needs = |this: &mut Self, message: &str| {
            this.at(&r.unit.referenced, message);
            None
        };
        match unit {
            Unit::Count => Some(Measure::Count),
            Unit::RatePer10k => Some(Measure::RatePer10k),
            Unit::Percent => match &r.numerator {
                Some(n) => self
                    .sql(scope, n, "numerator")
                    .map(|numerator| Measure::Percent { numerator }),
                None => needs(self, "a percent indicator needs a `numerator` condition"),
            },
            Unit::Days => {
                if !averages_rows {
                    self.at(
                        &r.unit.referenced,
                        "a days indicator averages over rows: remove `count`",
                    );
                }
                let Some(m) = &r.mean_of else {
                    return needs(
                        self,
                        "a days indicator needs `mean_of`: the column of days to average",
                    );
                };
                let mean_of = self.column(before_period_end, m, NUMBERS, "mean_of")?;
                averages_rows.then_some(Measure::Days { mean_of })
            }
            Unit::Mean => {
                if !averages_rows {
                    self.at(
                        &r.unit.referenced,
                        "a mean indicator counts rows over distinct `denominator` values: remove `count`",
                    );
                }
                let Some(d) = &r.denominator else {
                    return needs(
                        self,
                        "a mean indicator needs `denominator: {distinct: column}`: what the rows are shared among",
                    );
                };
                let raw::RawDenominator::Distinct(name) = &d.value;
                let spanned = Spanned::new(name.clone(), d.referenced, d.defined);
                let per_distinct =
                    self.column(before_period_end, &spanned, ANY, "denominator distinct")?;
                averages_rows.then_some(Measure::Mean { per_distinct })
            }
        }
    }

    pub(super) fn targets(
        &mut self,
        r: &RawIndicator,
        calendar: &Option<CalendarRules>,
    ) -> Targets {
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
