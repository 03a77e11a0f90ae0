//! Recovering the catalogue's YAML section by section, so that one mistake does not hide the others, and rendering
//! serde's messages and the snippets they point at.

use super::error::Problem;
use super::raw::{self, RawCatalogue, RawIndicator};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_saphyr::Spanned;

/// The catalogue's sections, parsed: in one pass when the whole file parses (anchors and aliases may then cross
/// indicators), else each section and indicator on its own so that every mistake is reported.
pub(super) struct Sections {
    pub(super) version: Spanned<String>,
    pub(super) calendar: Option<raw::RawCalendar>,
    pub(super) reporting: Option<raw::RawReporting>,
    pub(super) rag: Option<raw::RawRag>,
    pub(super) value_maps: Vec<raw::RawValueMap>,
    pub(super) current_status: Vec<raw::RawCurrentStatus>,
    pub(super) cohorts: Vec<raw::RawCohort>,
    pub(super) report: Option<raw::RawReport>,
    pub(super) disclosure: Option<raw::RawDisclosure>,
    pub(super) indicators: Vec<RawIndicator>,
    /// How many indicators the file lists, parsed or not.
    pub(super) indicators_listed: usize,
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
    pub(super) fn one_by_one(
        text: &str,
        problems: &mut Vec<Problem>,
    ) -> Result<Sections, Vec<Problem>> {
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
