//! Scope and type checking: the columns visible at each point of an indicator's rows, what kind of value each
//! holds, and the checks of every column reference and SQL expression against them.

use super::error::Problem;
use super::model::{Condition, CurrentStatus, Location};
use super::raw;
use super::recover::suggest;
use crate::input::contract::{self, Logical, TableSpec};
use serde_saphyr::{Location as YamlLocation, Spanned};
use std::collections::{BTreeMap, BTreeSet};

/// The kind of value a column holds, for checking references.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Date,
    Datetime,
    Bool,
    Number,
    Text,
    Any,
}

impl Kind {
    pub(super) fn of(logical: Logical) -> Kind {
        match logical {
            Logical::Date => Kind::Date,
            Logical::Datetime => Kind::Datetime,
            Logical::Flag => Kind::Bool,
            Logical::Number => Kind::Number,
            Logical::Id | Logical::Code | Logical::Text => Kind::Text,
        }
    }

    pub(super) fn name(self) -> &'static str {
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

pub(super) const DATES: &[Kind] = &[Kind::Date, Kind::Datetime, Kind::Any];
pub(super) const NUMBERS: &[Kind] = &[Kind::Number, Kind::Any];
pub(super) const ANY: &[Kind] = &[
    Kind::Date,
    Kind::Datetime,
    Kind::Bool,
    Kind::Number,
    Kind::Text,
    Kind::Any,
];

/// The columns visible at a point of an indicator's rows: name, kind, and the table it is read from.
#[derive(Clone, Default)]
pub(super) struct Scope {
    pub(super) columns: BTreeMap<String, (Kind, Option<&'static str>)>,
}

impl Scope {
    pub(super) fn of_table(table: &'static TableSpec) -> Scope {
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
    pub(super) problems: Vec<Problem>,
    pub(super) context: String,
    pub(super) used: BTreeMap<&'static str, BTreeSet<String>>,
    pub(super) if_present: BTreeMap<&'static str, BTreeSet<String>>,
    pub(super) current_status: Vec<CurrentStatus>,
    pub(super) cohorts: BTreeMap<&'c str, &'c raw::RawCohort>,
}

pub(super) fn loc(l: &YamlLocation) -> Location {
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

    pub(super) fn table(&mut self, name: &Spanned<String>) -> Option<&'static TableSpec> {
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

    /// Checks a column reference against the scope; records which table it is read from.
    pub(super) fn column(
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

    pub(super) fn new_column(
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

    pub(super) fn sql(
        &mut self,
        scope: &Scope,
        text: &Spanned<String>,
        role: &str,
    ) -> Option<Condition> {
        let expr = match polars::sql::sql_expr(&text.value) {
            Ok(e) => e,
            Err(e) => {
                let detail = crate::common::first_line(&e);
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
            if contract::is_person_column(&name) {
                self.at(
                    &text.referenced,
                    format!(
                        "{role}: `{name}` is a person id, which a condition or expression cannot read: the engine holds it as a key for the LA and child, not as text. Match it in `on`, or count children with `count: children`"
                    ),
                );
                ok = false;
                continue;
            }
            let spanned = Spanned::new(name.to_string(), text.referenced, text.defined);
            ok &= self.column(scope, &spanned, ANY, role).is_some();
        }
        ok.then(|| Condition {
            sql: text.value.clone(),
            expr,
        })
    }

    pub(super) fn on(
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
            if contract::is_person_column(&l) != contract::is_person_column(&r) {
                self.at(
                    &on.referenced,
                    format!(
                        "on (table `{table}`): `{l}` is matched with `{r}`, but a person id matches only another table's person id (the engine holds both as keys for the LA and child)"
                    ),
                );
                return None;
            }
            pairs.push((l, r));
        }
        Some(pairs)
    }
}

/// Whether an expression divides (or takes a remainder) by a literal zero anywhere.
fn divides_by_zero(expr: &polars::prelude::Expr) -> bool {
    use polars::prelude::{Expr, Operator};
    expr.into_iter().any(|node| match node {
        Expr::BinaryExpr { op, right, .. } => {
            let by = matches!(
                op,
                Operator::RustDivide
                    | Operator::TrueDivide
                    | Operator::FloorDivide
                    | Operator::Modulus
            );
            let zero = match right.as_ref() {
                Expr::Literal(value) => value
                    .to_any_value()
                    .and_then(|v| v.extract::<f64>())
                    .is_some_and(|v| v == 0.0),
                _ => false,
            };
            by && zero
        }
        _ => false,
    })
}

pub(super) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
