//! Lowering an indicator's steps: each YAML step checked against the scope it reads and turned into a [`Step`]
//! that adds its columns to the scope.

use super::model::*;
use super::raw::{self, RawStep};
use super::scope::{ANY, Checker, DATES, Kind, Scope};
use crate::input::contract::{self, TableSpec};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

impl Checker<'_> {
    pub(super) fn steps(
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

    /// The number column `name` that a step measuring from `from` to `to` (columns of one of `kinds`) adds, and the
    /// two columns it reads, all three checked so that every problem among them is reported at once.
    fn measured_between(
        &mut self,
        scope: &mut Scope,
        name: &Spanned<String>,
        from: &Spanned<String>,
        to: &Spanned<String>,
        kinds: &[Kind],
    ) -> Option<(String, String, String)> {
        let from = self.column(scope, from, kinds, "from");
        let to = self.column(scope, to, kinds, "to");
        let name = self.new_column(scope, name, Kind::Number);
        Some((name?, from?, to?))
    }

    pub(super) fn step(
        &mut self,
        table: &'static TableSpec,
        scope: &mut Scope,
        step: &RawStep,
    ) -> Option<Step> {
        match step {
            RawStep::WorkingDays(b) => {
                let (name, from, to) =
                    self.measured_between(scope, &b.name, &b.from, &b.to, DATES)?;
                Some(Step::WorkingDays {
                    name,
                    from,
                    to,
                    missing: b.missing,
                })
            }
            RawStep::CalendarDays(b) => {
                let (name, from, to) =
                    self.measured_between(scope, &b.name, &b.from, &b.to, DATES)?;
                Some(Step::CalendarDays {
                    name,
                    from,
                    to,
                    negative: b.negative,
                })
            }
            RawStep::Hours(b) => {
                const DATETIMES: &[Kind] = &[Kind::Datetime, Kind::Any];
                let (name, from, to) =
                    self.measured_between(scope, &b.name, &b.from, &b.to, DATETIMES)?;
                Some(Step::Hours { name, from, to })
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

    pub(super) fn open_at(
        &mut self,
        local: &Scope,
        remote: &Scope,
        o: &raw::RawOpenAt,
    ) -> Option<OpenAt> {
        let date = self.column(local, &o.date, DATES, "open_at date");
        let start = self.column(remote, &o.start, DATES, "open_at start");
        let end = self.column(remote, &o.end, DATES, "open_at end");
        Some(OpenAt {
            date: date?,
            start: start?,
            end: end?,
        })
    }

    pub(super) fn age(
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

    pub(super) fn group(
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

    pub(super) fn related(&mut self, scope: &mut Scope, r: &raw::RawRelated) -> Option<Step> {
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
    pub(super) fn named_columns<T>(
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

    pub(super) fn span(&mut self, last: &Spanned<String>) -> Option<Span> {
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
}

/// `name(arg)` or `name`, as written in `columns` of `group` and `related`.
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
