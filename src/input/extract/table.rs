//! One SSD table read over ODBC and written as Parquet as it comes: the contract's columns selected by name,
//! each fetched in the form its server type and contract type call for, batch by batch.

use super::error::ExtractError;
use super::source::{Source, quote};
use crate::input::contract::{ColumnSpec, Logical, TableSpec};
use odbc_api::buffers::{AnyColumnBufferSlice, BufferDesc, ColumnarDynBuffer};
use odbc_api::sys::Timestamp;
use odbc_api::{Cursor, DataType as SqlType, ResultSetMetadata};
use polars::prelude::*;
use std::path::Path;

/// How a column's values are fetched and turned into the contract's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fetch {
    /// As text (ids, codes, free text, and dates, flags or numbers the server holds as text, which the loader
    /// parses and reports on as it does for files).
    Text { max_chars: usize },
    /// A date or timestamp, kept as its date.
    Date,
    /// A date or timestamp, kept to the microsecond.
    Datetime,
    /// A bit, as a boolean.
    Bit,
    /// An integer flag, 0 or 1, as a boolean.
    IntegerFlag,
    /// A number, as a 64-bit float.
    Number,
}

/// The longest text a column without a declared length (`text`, `nvarchar(max)`) is read to; a longer value is
/// an error rather than a silent cut.
const UNBOUNDED_TEXT_CHARS: usize = 8000;

/// About how many bytes one batch's buffers take: rows per batch are set from the row's width.
const BATCH_BYTES: usize = 32 * 1024 * 1024;

/// What was extracted of one table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TableExtract {
    /// The SSD table.
    pub table: String,
    /// Rows written.
    pub rows: u64,
    /// Seconds from the query to the file's last byte.
    pub seconds: f64,
    /// Optional contract columns the server's table does not have (the loader reports them as `not_computable`
    /// for the indicators that read them).
    pub absent_columns: Vec<String>,
}

/// A contract column as found on the server.
struct Planned {
    spec: &'static ColumnSpec,
    server_name: String,
    fetch: Fetch,
}

/// The `SELECT` of a table's contract columns that the server has, by name.
pub fn select_statement(schema: &str, table: &str, columns: &[&str]) -> String {
    let list: Vec<String> = columns.iter().map(|c| quote(c)).collect();
    format!(
        "SELECT {} FROM {}.{}",
        list.join(", "),
        quote(schema),
        quote(table)
    )
}

fn fetch_for(spec: &ColumnSpec, data_type: SqlType) -> Option<Fetch> {
    let text = |length: Option<std::num::NonZeroUsize>| Fetch::Text {
        max_chars: length
            .map(|l| l.get())
            .filter(|l| *l <= UNBOUNDED_TEXT_CHARS)
            .unwrap_or(UNBOUNDED_TEXT_CHARS),
    };
    let as_text = match data_type {
        SqlType::Char { length }
        | SqlType::WChar { length }
        | SqlType::Varchar { length }
        | SqlType::WVarchar { length }
        | SqlType::LongVarchar { length }
        | SqlType::WLongVarchar { length } => Some(text(length)),
        _ => None,
    };
    let numeric = matches!(
        data_type,
        SqlType::Numeric { .. }
            | SqlType::Decimal { .. }
            | SqlType::Integer
            | SqlType::SmallInt
            | SqlType::TinyInt
            | SqlType::BigInt
            | SqlType::Float { .. }
            | SqlType::Real
            | SqlType::Double
    );
    let integer = matches!(
        data_type,
        SqlType::Integer | SqlType::SmallInt | SqlType::TinyInt | SqlType::BigInt
    );
    let dated = matches!(data_type, SqlType::Date | SqlType::Timestamp { .. });
    match spec.logical {
        // Ids and codes of any type become text, as the loader would make them (an integer id 12 is "12").
        Logical::Id | Logical::Code | Logical::Text => as_text.or_else(|| {
            (numeric || dated || data_type == SqlType::Bit).then_some(Fetch::Text { max_chars: 40 })
        }),
        Logical::Date => as_text.or(dated.then_some(Fetch::Date)),
        Logical::Datetime => as_text.or(dated.then_some(Fetch::Datetime)),
        Logical::Flag => as_text
            .or((data_type == SqlType::Bit).then_some(Fetch::Bit))
            .or(integer.then_some(Fetch::IntegerFlag)),
        Logical::Number => as_text.or(numeric.then_some(Fetch::Number)),
    }
}

fn expected(logical: Logical) -> &'static str {
    match logical {
        Logical::Id | Logical::Code | Logical::Text => "text or a number",
        Logical::Date | Logical::Datetime => "a date, a datetime or text",
        Logical::Flag => "a bit, an integer 0/1 or text Y/N",
        Logical::Number => "a number or text",
    }
}

impl Fetch {
    fn buffer(self) -> BufferDesc {
        match self {
            Fetch::Text { max_chars } => BufferDesc::WText {
                max_str_len: max_chars,
            },
            Fetch::Date | Fetch::Datetime => BufferDesc::Timestamp { nullable: true },
            Fetch::Bit => BufferDesc::Bit { nullable: true },
            Fetch::IntegerFlag => BufferDesc::I64 { nullable: true },
            Fetch::Number => BufferDesc::F64 { nullable: true },
        }
    }

    fn dtype(self) -> DataType {
        match self {
            Fetch::Text { .. } => DataType::String,
            Fetch::Date => DataType::Date,
            Fetch::Datetime => DataType::Datetime(TimeUnit::Microseconds, None),
            Fetch::Bit | Fetch::IntegerFlag => DataType::Boolean,
            Fetch::Number => DataType::Float64,
        }
    }

    /// Bytes one row of this column takes in the fetch buffer.
    fn row_bytes(self) -> usize {
        match self {
            Fetch::Text { max_chars } => 2 * (max_chars + 1) + 8,
            Fetch::Date | Fetch::Datetime => 16 + 8,
            _ => 16,
        }
    }
}

/// Reads `schema.table`'s contract columns (those `server_columns` has; a required one missing has been reported
/// before) and writes them to `file`, batch by batch.
pub fn extract_table(
    source: &Source,
    schema: &str,
    table: &'static TableSpec,
    server_table: &str,
    server_columns: &[super::source::ServerColumn],
    file: &Path,
) -> Result<TableExtract, ExtractError> {
    let started = std::time::Instant::now();
    let found: Vec<(&'static ColumnSpec, &super::source::ServerColumn)> = table
        .columns
        .iter()
        .filter_map(|spec| {
            server_columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(spec.name))
                .map(|c| (spec, c))
        })
        .collect();
    let absent_columns: Vec<String> = table
        .columns
        .iter()
        .filter(|spec| !found.iter().any(|(s, _)| s.name == spec.name))
        .map(|spec| spec.name.to_string())
        .collect();
    let names: Vec<&str> = found.iter().map(|(_, c)| c.name.as_str()).collect();
    let query = select_statement(schema, server_table, &names);
    tracing::debug!(table = table.name, %query, "reading");
    let failed = |e: odbc_api::Error| ExtractError::Query {
        query: query.clone(),
        message: source.message(&e),
    };
    let mut cursor = source
        .connection
        .execute(&query, (), None)
        .map_err(failed)?
        .ok_or_else(|| ExtractError::Query {
            query: query.clone(),
            message: "the statement returned no rows at all (not even an empty result)".into(),
        })?;
    let mut planned = Vec::with_capacity(found.len());
    for (i, (spec, server)) in found.iter().enumerate() {
        let data_type = cursor.col_data_type(i as u16 + 1).map_err(failed)?;
        let fetch = fetch_for(spec, data_type).ok_or_else(|| ExtractError::UnsupportedType {
            object: format!("{schema}.{server_table}.{}", server.name),
            server_type: server.type_name.clone(),
            logical: spec.logical.name(),
            expected: expected(spec.logical),
        })?;
        planned.push(Planned {
            spec,
            server_name: server.name.clone(),
            fetch,
        });
    }
    let row_bytes: usize = planned
        .iter()
        .map(|p| p.fetch.row_bytes())
        .sum::<usize>()
        .max(1);
    let batch_rows = (BATCH_BYTES / row_bytes).clamp(1024, 65_536);
    let buffer =
        ColumnarDynBuffer::try_from_descs(batch_rows, planned.iter().map(|p| p.fetch.buffer()))
            .map_err(failed)?;
    let mut cursor = cursor.bind_buffer(buffer).map_err(failed)?;

    let schema_out: Schema = planned
        .iter()
        .map(|p| Field::new(p.spec.name.into(), p.fetch.dtype()))
        .collect();
    let io = |source| ExtractError::Io {
        path: file.to_path_buf(),
        source,
    };
    let parquet = |source| ExtractError::Parquet {
        path: file.to_path_buf(),
        source,
    };
    let out = std::fs::File::create(file).map_err(io)?;
    let mut writer = ParquetWriter::new(out)
        .batched(&schema_out)
        .map_err(parquet)?;
    let record_id = planned.iter().position(|p| p.spec.name == table.record_id);
    let mut rows: u64 = 0;
    loop {
        let batch = match cursor.fetch_with_truncation_check(true) {
            Ok(Some(batch)) => batch,
            Ok(None) => break,
            Err(odbc_api::Error::TooLargeValueForBuffer { buffer_index, .. }) => {
                let p = &planned[buffer_index];
                let limit = match p.fetch {
                    Fetch::Text { max_chars } => max_chars,
                    _ => 0,
                };
                return Err(ExtractError::ValueTooLong {
                    object: format!("{schema}.{server_table}.{}", p.server_name),
                    limit,
                });
            }
            Err(e) => return Err(failed(e)),
        };
        let n = batch.num_rows();
        let ids: Option<Vec<Option<String>>> = record_id
            .filter(|_| table.name != "ssd_person")
            .map(|i| wide_texts(batch.column(i)).unwrap_or_default());
        let row_of = |r: usize| match ids.as_ref().and_then(|ids| ids.get(r).cloned().flatten()) {
            Some(id) => format!("{} {id}", table.record_id),
            None => format!("row {} of the table", rows + r as u64 + 1),
        };
        let mut columns = Vec::with_capacity(planned.len());
        for (i, p) in planned.iter().enumerate() {
            let object = || format!("{schema}.{server_table}.{}", p.server_name);
            let shown = |value: String| {
                if table.is_sensitive(p.spec.name) {
                    "a person-level value (not shown)".to_string()
                } else {
                    format!("`{value}`")
                }
            };
            let column =
                convert(batch.column(i), p.fetch, p.spec.name).map_err(|(r, value, what)| {
                    ExtractError::BadValue {
                        object: object(),
                        row: row_of(r),
                        value: shown(value),
                        expected: what,
                    }
                })?;
            debug_assert_eq!(column.len(), n);
            columns.push(column);
        }
        let frame = DataFrame::new(n, columns).map_err(parquet)?;
        writer.write_batch(&frame).map_err(parquet)?;
        rows += n as u64;
    }
    writer.finish().map_err(parquet)?;
    Ok(TableExtract {
        table: table.name.to_string(),
        rows,
        seconds: started.elapsed().as_secs_f64(),
        absent_columns,
    })
}

fn wide_texts(slice: AnyColumnBufferSlice<'_>) -> Option<Vec<Option<String>>> {
    let view = slice.as_wide_text()?;
    Some(
        (0..view.len())
            .map(|r| view.get(r).map(String::from_utf16_lossy))
            .collect(),
    )
}

/// A failed conversion: the row in the batch, the value as text, and what it should have been.
type Bad = (usize, String, &'static str);

fn mismatch(fetch: Fetch) -> Bad {
    (
        0,
        format!("a {fetch:?} buffer that the driver filled as another type"),
        "the type the driver declared",
    )
}

fn convert(slice: AnyColumnBufferSlice<'_>, fetch: Fetch, name: &str) -> Result<Column, Bad> {
    let name: PlSmallStr = name.into();
    match fetch {
        Fetch::Text { .. } => {
            let view = slice.as_wide_text().ok_or_else(|| mismatch(fetch))?;
            let mut values: Vec<Option<String>> = Vec::with_capacity(view.len());
            for r in 0..view.len() {
                values.push(match view.get(r) {
                    None => None,
                    Some(units) => Some(String::from_utf16(units).map_err(|_| {
                        (
                            r,
                            String::from_utf16_lossy(units),
                            "text in a known encoding (it holds invalid UTF-16)",
                        )
                    })?),
                });
            }
            Ok(Column::new(name, values))
        }
        Fetch::Date | Fetch::Datetime => {
            let values = slice
                .as_nullable_slice::<Timestamp>()
                .ok_or_else(|| mismatch(fetch))?;
            let mut days: Vec<Option<i32>> = Vec::new();
            let mut micros: Vec<Option<i64>> = Vec::new();
            for (r, v) in values.enumerate() {
                let Some(t) = v else {
                    days.push(None);
                    micros.push(None);
                    continue;
                };
                let day = epoch_days(t.year, t.month, t.day).ok_or_else(|| {
                    (
                        r,
                        format!("{}-{}-{}", t.year, t.month, t.day),
                        "a calendar date",
                    )
                })?;
                if fetch == Fetch::Date {
                    days.push(Some(day));
                } else {
                    let seconds =
                        i64::from(t.hour) * 3600 + i64::from(t.minute) * 60 + i64::from(t.second);
                    micros.push(Some(
                        (i64::from(day) * 86_400 + seconds) * 1_000_000
                            + i64::from(t.fraction) / 1000,
                    ));
                }
            }
            let (column, dtype) = if fetch == Fetch::Date {
                (Column::new(name, days), DataType::Date)
            } else {
                (
                    Column::new(name, micros),
                    DataType::Datetime(TimeUnit::Microseconds, None),
                )
            };
            column
                .cast(&dtype)
                .map_err(|e| (0, e.to_string(), "a date"))
        }
        Fetch::Bit => {
            let values = slice
                .as_nullable_slice::<odbc_api::Bit>()
                .ok_or_else(|| mismatch(fetch))?;
            Ok(Column::new(
                name,
                values
                    .map(|v| v.map(|b| b.as_bool()))
                    .collect::<Vec<Option<bool>>>(),
            ))
        }
        Fetch::IntegerFlag => {
            let values = slice
                .as_nullable_slice::<i64>()
                .ok_or_else(|| mismatch(fetch))?;
            let mut out: Vec<Option<bool>> = Vec::new();
            for (r, v) in values.enumerate() {
                out.push(match v {
                    None => None,
                    Some(0) => Some(false),
                    Some(1) => Some(true),
                    Some(other) => return Err((r, other.to_string(), "a flag: 0 (no) or 1 (yes)")),
                });
            }
            Ok(Column::new(name, out))
        }
        Fetch::Number => {
            let values = slice
                .as_nullable_slice::<f64>()
                .ok_or_else(|| mismatch(fetch))?;
            Ok(Column::new(
                name,
                values.map(|v| v.copied()).collect::<Vec<Option<f64>>>(),
            ))
        }
    }
}

/// Days since 1970-01-01 of a calendar date, if it is one.
fn epoch_days(year: i16, month: u16, day: u16) -> Option<i32> {
    chrono::NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))
        .map(crate::common::calendar::epoch_days)
}
