//! Turning a raw Parquet column into the contract's normalised type, with an expression that flags the values that
//! could not be normalised.

use crate::common::quality::FindingKind;
use crate::input::contract::Logical;
use polars::prelude::*;

/// The normalised column and, where normalisation can fail value by value, flags for the values that failed.
pub(super) struct Normalised {
    /// The normalised value.
    pub value: Expr,
    /// True where a non-empty raw value became null, with the kind of problem that is.
    pub failed: Option<(Expr, FindingKind)>,
    /// The raw value as text, for the example a finding shows.
    pub raw_text: Expr,
}

impl Normalised {
    /// An optional column the file lacks: unknown in every row, nothing to flag.
    pub fn absent(dtype: DataType) -> Normalised {
        Normalised {
            value: lit(NULL).cast(dtype),
            failed: None,
            raw_text: lit(NULL).cast(DataType::String),
        }
    }
}

/// Bytes decoded value by value: valid UTF-8 is kept, anything else is null (`lossy` instead replaces the bytes
/// that are not UTF-8, for showing the value in a finding).
fn utf8(name: &str, lossy: bool) -> Expr {
    col(name).map(
        move |c| {
            let bytes = c.binary()?;
            let text: StringChunked = bytes
                .downcast_iter()
                .flat_map(|array| array.iter())
                .map(|v| {
                    v.and_then(|b| {
                        if lossy {
                            Some(String::from_utf8_lossy(b).into_owned())
                        } else {
                            std::str::from_utf8(b).ok().map(str::to_owned)
                        }
                    })
                })
                .collect();
            Ok(text.with_name(c.name().clone()).into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::String)),
    )
}

fn date_format(format: &str) -> StrptimeOptions {
    StrptimeOptions {
        format: Some(format.into()),
        strict: false,
        exact: true,
        cache: true,
    }
}

fn trimmed(name: &str) -> Expr {
    trim(col(name))
}

/// A text expression with leading and trailing whitespace removed (as `str::trim`). Most extracts have none, and
/// then the column is passed on as it is instead of being copied value by value.
pub(super) fn trim(text: Expr) -> Expr {
    text.map_with_fmt_str(
        |c| {
            let text = c.str()?;
            if !text.iter().flatten().any(needs_trim) {
                return Ok(c);
            }
            let trimmed: StringChunked = text.iter().map(|v| v.map(str::trim)).collect();
            Ok(trimmed.with_name(c.name().clone()).into_column())
        },
        |_, field| Ok(field.clone()),
        "trimmed",
    )
}

/// Whether `str::trim` would change `value`: its first or last byte may start or end whitespace. Bytes from 0x80
/// may be part of a Unicode space, so those values are trimmed to see.
fn needs_trim(value: &str) -> bool {
    let may_be_space = |b: &u8| b.is_ascii_whitespace() || *b == 0x0b || *b >= 0x80;
    let bytes = value.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) if may_be_space(first) || may_be_space(last) => {
            value.trim().len() != value.len()
        }
        _ => false,
    }
}

fn text_present(name: &str) -> Expr {
    trimmed(name).is_not_null().and(trimmed(name).neq(lit("")))
}

/// The normalised expression for column `name` of raw type `raw`, or `None` when the type cannot be normalised.
pub(super) fn normalise(name: &str, raw: &DataType, logical: Logical) -> Option<Normalised> {
    let c = || col(name);
    let raw_text = || c().cast(DataType::String);
    let plain = |value: Expr| {
        Some(Normalised {
            value,
            failed: None,
            raw_text: raw_text(),
        })
    };
    let parsed = |value: Expr, present: Expr, kind: FindingKind| {
        Some(Normalised {
            value: value.clone(),
            failed: Some((present.and(value.is_null()), kind)),
            raw_text: raw_text(),
        })
    };
    match (logical, raw) {
        (_, DataType::Null) => plain(lit(NULL).cast(target_type(logical))),
        (Logical::Id | Logical::Code | Logical::Text, DataType::String) => {
            plain(if logical == Logical::Text {
                c()
            } else {
                trimmed(name)
            })
        }
        (Logical::Id | Logical::Code | Logical::Text, DataType::Binary) => {
            let text = utf8(name, false);
            let value = if logical == Logical::Text {
                text
            } else {
                trim(text)
            };
            Some(Normalised {
                value: value.clone(),
                failed: Some((
                    c().is_not_null().and(value.is_null()),
                    FindingKind::InvalidText,
                )),
                raw_text: utf8(name, true),
            })
        }
        (Logical::Id | Logical::Code | Logical::Text, dt) if dt.is_integer() => {
            plain(c().cast(DataType::String))
        }
        (Logical::Date, DataType::Date) => plain(c()),
        (Logical::Date, DataType::Datetime(_, _)) => plain(c().dt().date()),
        (Logical::Date, DataType::String) => {
            let iso = trimmed(name).str().to_date(date_format("%Y-%m-%d"));
            let uk = trimmed(name).str().to_date(date_format("%d/%m/%Y"));
            parsed(
                coalesce(&[iso, uk]),
                text_present(name),
                FindingKind::UnparseableDate,
            )
        }
        (Logical::Datetime, DataType::Datetime(_, tz)) => {
            let naive = if tz.is_some() {
                c().dt()
                    .replace_time_zone(None, lit("raise"), NonExistent::Raise)
            } else {
                c()
            };
            plain(naive.cast(DataType::Datetime(TimeUnit::Milliseconds, None)))
        }
        (Logical::Datetime, DataType::Date) => {
            plain(c().cast(DataType::Datetime(TimeUnit::Milliseconds, None)))
        }
        (Logical::Datetime, DataType::String) => {
            let dt = |f: &str| {
                trimmed(name).str().to_datetime(
                    Some(TimeUnit::Milliseconds),
                    None,
                    date_format(f),
                    lit("raise"),
                )
            };
            let value = coalesce(&[
                dt("%Y-%m-%d %H:%M:%S"),
                dt("%Y-%m-%dT%H:%M:%S"),
                dt("%Y-%m-%d %H:%M"),
                dt("%d/%m/%Y %H:%M"),
                trimmed(name)
                    .str()
                    .to_date(date_format("%Y-%m-%d"))
                    .cast(DataType::Datetime(TimeUnit::Milliseconds, None)),
            ]);
            parsed(value, text_present(name), FindingKind::UnparseableDatetime)
        }
        (Logical::Flag, DataType::Boolean) => plain(c()),
        (Logical::Flag, DataType::String) => {
            let up = trimmed(name).str().to_uppercase();
            let value = when(up.clone().eq(lit("Y")))
                .then(lit(true))
                .when(up.clone().eq(lit("N")))
                .then(lit(false))
                .otherwise(lit(NULL).cast(DataType::Boolean));
            let present = text_present(name).and(up.neq(lit("NA")));
            parsed(value, present, FindingKind::InvalidFlag)
        }
        (Logical::Flag, dt) if dt.is_integer() => {
            let value = when(c().eq(lit(1)))
                .then(lit(true))
                .when(c().eq(lit(0)))
                .then(lit(false))
                .otherwise(lit(NULL).cast(DataType::Boolean));
            parsed(value, c().is_not_null(), FindingKind::InvalidFlag)
        }
        (Logical::Number, dt) if dt.is_primitive_numeric() => plain(c().cast(DataType::Float64)),
        (Logical::Number, DataType::String) => {
            let value = trimmed(name).cast(DataType::Float64);
            parsed(value, text_present(name), FindingKind::InvalidNumber)
        }
        _ => None,
    }
}

/// The Polars type a logical type normalises to.
pub(super) fn target_type(logical: Logical) -> DataType {
    match logical {
        Logical::Id | Logical::Code | Logical::Text => DataType::String,
        Logical::Date => DataType::Date,
        Logical::Datetime => DataType::Datetime(TimeUnit::Milliseconds, None),
        Logical::Flag => DataType::Boolean,
        Logical::Number => DataType::Float64,
    }
}

#[cfg(test)]
mod tests {
    use super::needs_trim;

    #[test]
    fn a_value_needs_trimming_when_trim_would_change_it() {
        let values = [
            "",
            "A",
            "P1",
            " P1",
            "P1 ",
            "\tP1",
            "P1\r\n",
            "\u{0b}P1",
            "P1\u{a0}",
            "\u{2003}P1",
            "é",
            "Zoë",
            "P 1",
        ];
        for value in values {
            assert_eq!(needs_trim(value), value.trim() != value, "{value:?}");
        }
    }
}
