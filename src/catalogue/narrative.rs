//! Narrative templates: the one sentence a scorecard card says about an indicator, declared in the catalogue so that
//! analysts change the wording without changing code.
//!
//! A template is text with slots in braces: `{value}`, `{numerator.month}`, `{icpc_rate.value.rolling_12m}`. A slot
//! names a field, optionally the window it is read in (default: the indicator's headline window), and optionally
//! another indicator of the catalogue first. `{{` and `}}` are literal braces.

use super::model::Window;
use std::fmt;

/// A parsed narrative template.
#[derive(Debug, Clone, PartialEq)]
pub struct Narrative {
    /// The template as written, for the catalogue reference.
    pub text: String,
    /// Literal text and slots, in order.
    pub pieces: Vec<Piece>,
}

/// One part of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Text written as it is.
    Text(String),
    /// A value filled in when the scorecard is written.
    Slot(Slot),
}

/// A value a template asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    /// Another indicator to read, instead of the card's own.
    pub indicator: Option<String>,
    /// What to show.
    pub field: Field,
    /// The window to read; `None` means the indicator's headline window.
    pub window: Option<Window>,
}

/// What a slot shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The value, formatted in the indicator's unit and decimals.
    Value,
    /// The numerator, as a whole number where it is one.
    Numerator,
    /// The denominator (rows, children or population).
    Denominator,
    /// The target for the month's financial year.
    Target,
    /// The previous month's value.
    PreviousValue,
    /// The window in words: "in March 2024", "in the 12 months to March 2024", "on 31 March 2024".
    Window,
    /// The reported month, "March 2024".
    Month,
    /// The reported month's name, "March".
    MonthName,
    /// The financial year of the reported month, "2023-24".
    FinancialYear,
    /// The local authority's name.
    LaName,
    /// The indicator's title.
    Title,
}

impl Field {
    /// Every field with its name in templates.
    pub const ALL: [(&'static str, Field); 11] = [
        ("value", Field::Value),
        ("numerator", Field::Numerator),
        ("denominator", Field::Denominator),
        ("target", Field::Target),
        ("previous_value", Field::PreviousValue),
        ("window", Field::Window),
        ("month", Field::Month),
        ("month_name", Field::MonthName),
        ("financial_year", Field::FinancialYear),
        ("la_name", Field::LaName),
        ("title", Field::Title),
    ];

    fn parse(name: &str) -> Option<Field> {
        Field::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// Whether the field is read from an indicator's output row in a window (rather than from the month or LA).
    pub fn reads_a_window(self) -> bool {
        matches!(
            self,
            Field::Value
                | Field::Numerator
                | Field::Denominator
                | Field::Target
                | Field::PreviousValue
                | Field::Window
                | Field::Title
        )
    }
}

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// 0-based character offset of the problem in the template.
    pub offset: usize,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Narrative {
    /// Parses a template; the indicators and windows its slots name are checked by the catalogue.
    pub fn parse(text: &str) -> Result<Narrative, TemplateError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|(_, n)| *n) == Some('{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().map(|(_, n)| *n) == Some('}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => {
                    return Err(TemplateError {
                        offset: at,
                        message: "a `}` without its `{`: write `}}` for a literal brace".into(),
                    });
                }
                '{' => {
                    let mut inner = String::new();
                    let closed = loop {
                        match chars.next() {
                            Some((_, '}')) => break true,
                            Some((_, ch)) => inner.push(ch),
                            None => break false,
                        }
                    };
                    if !closed {
                        return Err(TemplateError {
                            offset: at,
                            message: format!("slot `{{{inner}` is not closed with `}}`"),
                        });
                    }
                    if !literal.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Slot(parse_slot(inner.trim(), at)?));
                }
                _ => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Narrative {
            text: text.to_string(),
            pieces,
        })
    }

    /// The slots of the template.
    pub fn slots(&self) -> impl Iterator<Item = &Slot> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Slot(s) => Some(s),
            Piece::Text(_) => None,
        })
    }

    /// The sentence, with each slot filled by `fill`.
    pub fn render(&self, mut fill: impl FnMut(&Slot) -> String) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Slot(s) => fill(s),
            })
            .collect()
    }
}

/// `field`, `field.window`, `indicator.field` or `indicator.field.window`.
fn parse_slot(inner: &str, at: usize) -> Result<Slot, TemplateError> {
    let err = |message: String| TemplateError {
        offset: at,
        message,
    };
    let parts: Vec<&str> = inner.split('.').collect();
    let (indicator, field_name, window_name) = match parts.as_slice() {
        [f] => (None, *f, None),
        [a, b] if Field::parse(a).is_some() => (None, *a, Some(*b)),
        [a, b] => (Some(*a), *b, None),
        [a, b, c] => (Some(*a), *b, Some(*c)),
        _ => {
            return Err(err(format!(
                "slot `{{{inner}}}` has too many parts: write `{{field}}`, `{{field.window}}` or `{{indicator.field.window}}`"
            )));
        }
    };
    let field = Field::parse(field_name).ok_or_else(|| {
        let hint = super::suggest(field_name, Field::ALL.iter().map(|(n, _)| *n));
        let names: Vec<&str> = Field::ALL.iter().map(|(n, _)| *n).collect();
        err(format!(
            "unknown field `{field_name}` in slot `{{{inner}}}`{hint}; fields: {}",
            names.join(", ")
        ))
    })?;
    let window = match window_name {
        None => None,
        Some(name) => Some(Window::parse(name).ok_or_else(|| {
            err(format!(
                "unknown window `{name}` in slot `{{{inner}}}`: use month, quarter, ytd, financial_year, snapshot or rolling_<N>m"
            ))
        })?),
    };
    if !field.reads_a_window() && (window.is_some() || indicator.is_some()) {
        return Err(err(format!(
            "`{field_name}` is the same for every indicator and window: write `{{{field_name}}}`"
        )));
    }
    Ok(Slot {
        indicator: indicator.map(str::to_string),
        field,
        window,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_name_a_field_a_window_and_another_indicator() {
        let n = Narrative::parse(
            "In {month_name}, {value.month} children {{ok}}; {icpc_rate.value.rolling_12m} per 10,000.",
        )
        .unwrap();
        let slots: Vec<&Slot> = n.slots().collect();
        assert_eq!(slots.len(), 3);
        assert_eq!(slots[1].window, Some(Window::Month));
        assert_eq!(slots[2].indicator.as_deref(), Some("icpc_rate"));
        assert_eq!(slots[2].window, Some(Window::Rolling(12)));
        let text = n.render(|s| format!("<{:?}>", s.field));
        assert_eq!(
            text,
            "In <MonthName>, <Value> children {ok}; <Value> per 10,000."
        );
    }

    #[test]
    fn mistakes_say_where_and_what_to_write() {
        let e = Narrative::parse("So far {valeu}.").unwrap_err();
        assert_eq!(e.offset, 7);
        assert!(e.message.contains("did you mean `value`"), "{}", e.message);
        let e = Narrative::parse("open {value").unwrap_err();
        assert!(e.message.contains("not closed"), "{}", e.message);
        let e = Narrative::parse("{month.ytd}").unwrap_err();
        assert!(e.message.contains("write `{month}`"), "{}", e.message);
        let e = Narrative::parse("{value.rolling_99m}").unwrap_err();
        assert!(e.message.contains("unknown window"), "{}", e.message);
    }
}
