//! The checked model in the catalogue's own words, for `explain`: each step as an analyst would say what it adds
//! (`allocated = exists in ssd_involvements on cppl_person_id = invo_person_id, open at period_end, where ...`),
//! using the YAML's names for options, so that what is printed can be found in the catalogue.

use super::model::{
    Aggregate, Counting, GroupColumn, Measure, OpenAt, RelatedWindow, Span, Step, Timing,
};
use super::raw::{MissingDate, NegativeDays};
use std::fmt;

/// `a = b, c = d`, as `on:` pairs read.
fn pairs(on: &[(String, String)]) -> String {
    on.iter()
        .map(|(l, r)| format!("{l} = {r}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `[a, b]`, as a YAML list reads.
fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// The steps of another table's rows, when there are any: ` (its steps: a; b)`.
fn nested(steps: &[Step]) -> String {
    if steps.is_empty() {
        return String::new();
    }
    let steps: Vec<String> = steps.iter().map(Step::to_string).collect();
    format!(" (its steps: {})", steps.join("; "))
}

/// `, open at date (from start to end)`.
fn open_at(open_at: &Option<OpenAt>) -> String {
    match open_at {
        Some(o) => format!(", open at {} (from {} to {})", o.date, o.start, o.end),
        None => String::new(),
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Span::Days(n) => write!(f, "{n} days"),
            Span::Months(n) => write!(f, "{n} months"),
        }
    }
}

impl fmt::Display for GroupColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupColumn::First(c) => write!(f, "first({c})"),
            GroupColumn::Last(c) => write!(f, "last({c})"),
            GroupColumn::Min(c) => write!(f, "min({c})"),
            GroupColumn::Max(c) => write!(f, "max({c})"),
            GroupColumn::Count => write!(f, "count"),
            GroupColumn::NullCount(c) => write!(f, "null_count({c})"),
            GroupColumn::IsFirst => write!(f, "is_first"),
            GroupColumn::IsLast => write!(f, "is_last"),
        }
    }
}

impl fmt::Display for Aggregate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Aggregate::Count => write!(f, "count"),
            Aggregate::Min(c) => write!(f, "min({c})"),
            Aggregate::Max(c) => write!(f, "max({c})"),
        }
    }
}

impl fmt::Display for RelatedWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RelatedWindow::Dated { date, ending, span } => {
                write!(f, "dated within: {date} in the {span} ending {ending}")
            }
            RelatedWindow::OpenDuring {
                start,
                end,
                ending,
                span,
            } => write!(
                f,
                "open during: from {start} to {end}, in the {span} ending {ending}"
            ),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::WorkingDays {
                name,
                from,
                to,
                missing,
            } => {
                write!(f, "{name} = working days from {from} to {to}")?;
                match missing {
                    MissingDate::LeaveOut => Ok(()),
                    MissingDate::Keep => write!(f, ", missing: keep"),
                }
            }
            Step::CalendarDays {
                name,
                from,
                to,
                negative,
            } => {
                write!(f, "{name} = calendar days from {from} to {to}")?;
                match negative {
                    NegativeDays::LeaveOut => Ok(()),
                    NegativeDays::Keep => write!(f, ", negative: keep"),
                    NegativeDays::Zero => write!(f, ", negative: zero"),
                }
            }
            Step::Hours { name, from, to } => write!(f, "{name} = hours from {from} to {to}"),
            Step::AddDays { name, date, days } => write!(f, "{name} = {date} moved by {days} days"),
            Step::AddMonths { name, date, months } => {
                write!(f, "{name} = {date} moved by {months} months")
            }
            Step::Age {
                name,
                person,
                at,
                on_preceding,
            } => {
                write!(f, "{name} = age of {person} at {at}")?;
                match on_preceding {
                    Some((month, day)) => {
                        let month = u8::try_from(*month)
                            .ok()
                            .and_then(|m| chrono::Month::try_from(m).ok())
                            .map_or_else(|| month.to_string(), |m| m.name().to_string());
                        write!(f, ", on the last {day} {month} before it")
                    }
                    None => Ok(()),
                }
            }
            Step::Group {
                same,
                order_by,
                columns,
            } => {
                let columns: Vec<String> =
                    columns.iter().map(|(n, c)| format!("{n} = {c}")).collect();
                write!(
                    f,
                    "group of rows with the same {}, ordered by {order_by}: {}",
                    list(same),
                    columns.join(", ")
                )
            }
            Step::Related {
                table,
                on,
                steps,
                filter,
                window,
                columns,
            } => {
                let columns: Vec<String> =
                    columns.iter().map(|(n, a)| format!("{n} = {a}")).collect();
                write!(
                    f,
                    "related rows of {} on {}{}",
                    table.name,
                    pairs(on),
                    nested(steps)
                )?;
                if let Some(filter) = filter {
                    write!(f, ", where {}", filter.sql)?;
                }
                if let Some(window) = window {
                    write!(f, ", {window}")?;
                }
                write!(f, ": {}", columns.join(", "))
            }
            Step::Lookup {
                table,
                on,
                columns,
                steps,
                open_at: at,
            } => write!(
                f,
                "lookup in {} on {}{}{}: {}",
                table.name,
                pairs(on),
                nested(steps),
                open_at(at),
                list(columns)
            ),
            Step::Exists {
                name,
                table,
                on,
                steps,
                filter,
                open_at: at,
            } => {
                write!(
                    f,
                    "{name} = exists in {} on {}{}{}",
                    table.name,
                    pairs(on),
                    nested(steps),
                    open_at(at)
                )?;
                match filter {
                    Some(filter) => write!(f, ", where {}", filter.sql),
                    None => Ok(()),
                }
            }
            Step::EarlierRecord {
                name,
                same,
                before,
                other_date,
                within_months,
            } => {
                write!(f, "{name} = an earlier row with the same {}", list(same))?;
                match other_date {
                    Some(other) => write!(f, ", its {other} before {before}")?,
                    None => write!(f, ", before {before}")?,
                }
                match within_months {
                    Some(n) => write!(f, ", within {n} months"),
                    None => Ok(()),
                }
            }
            Step::PreviousDate {
                name,
                same,
                date,
                otherwise,
            } => {
                write!(
                    f,
                    "{name} = the previous {date} of the rows with the same {}",
                    list(same)
                )?;
                match otherwise {
                    Some(o) => write!(f, ", else {o}"),
                    None => Ok(()),
                }
            }
            Step::Expression { name, condition } => write!(f, "{name} = {}", condition.sql),
        }
    }
}

impl fmt::Display for Timing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timing::Dated { date } => write!(f, "dated by {date}"),
            Timing::Open { start, end } => {
                write!(f, "open from {start} to {end}, at each period end")
            }
            Timing::Current => write!(f, "current: true, counted at every period end"),
        }
    }
}

impl fmt::Display for Counting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Counting::Rows => write!(f, "rows"),
            Counting::Distinct(c) => write!(f, "distinct {c}"),
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.unit().name())?;
        match self {
            Measure::Count | Measure::RatePer10k => Ok(()),
            Measure::Percent { numerator } => write!(f, ", numerator: {}", numerator.sql),
            Measure::Days { mean_of } => write!(f, ", mean_of: {mean_of}"),
            Measure::Mean { per_distinct } => write!(f, ", denominator: distinct {per_distinct}"),
        }
    }
}
