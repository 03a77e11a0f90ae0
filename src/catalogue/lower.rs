//! Lowering the catalogue: its YAML, recovered section by section, checked and turned into the model, with every
//! problem collected at its line and column before any data is read.

use super::error::{CatalogueError, Problem};
use super::layout::declared_windows;
use super::model::*;
use super::raw;
use super::recover::{Sections, suggest};
use super::scope::{Checker, Scope, is_identifier, loc};
use crate::common::calendar::{FinancialYears, weekday_from_name};
use crate::input::contract::{Logical, REFERENCE_TABLES};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// Checks catalogue text and lowers it to the model; `path` is used in messages and recorded in the result. The
/// plans' types are checked after, by [`super::parse`].
pub(super) fn lower(text: &str, path: &Path) -> Result<Catalogue, CatalogueError> {
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
    let sections = checker.sections(doc.report.as_ref());
    let windows = declared_windows(&doc.indicators);
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
        let presentation = checker.presentation(parsed, &sections, &windows, &doc.indicators);
        if let Some(ind) = checker.indicator(parsed, &calendar, presentation) {
            indicators.push(ind);
        }
    }
    let report = checker.layout(
        doc.report.as_ref(),
        sections,
        &doc.indicators,
        &indicators,
        &windows,
    );
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

impl Checker<'_> {
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
}
