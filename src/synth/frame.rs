//! Building one contract table row by row, then turning it into a Polars frame in the contract's Parquet types.

use crate::input::contract::{Logical, TableSpec};
use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;

/// One value of a generated row.
#[derive(Debug, Clone)]
pub enum Value {
    /// Text (ids, codes, flags `Y`/`N`).
    Text(String),
    /// A date.
    Date(NaiveDate),
    /// A date and time.
    DateTime(NaiveDateTime),
    /// A number.
    Number(f64),
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}
impl From<NaiveDate> for Value {
    fn from(d: NaiveDate) -> Value {
        Value::Date(d)
    }
}
impl From<NaiveDateTime> for Value {
    fn from(d: NaiveDateTime) -> Value {
        Value::DateTime(d)
    }
}
impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Number(n)
    }
}

/// A flag value, `Y` or `N`.
pub fn flag(b: bool) -> Value {
    Value::Text(if b { "Y" } else { "N" }.to_string())
}

enum Cells {
    Text(Vec<Option<String>>),
    Date(Vec<Option<i32>>),
    DateTime(Vec<Option<i64>>),
    Number(Vec<Option<f64>>),
}

/// How dates are written: as Parquet dates, or (a realistic variation) as millisecond timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateStyle {
    /// Date32.
    Date,
    /// Timestamp(ms) at midnight.
    Timestamp,
}

/// Rows of one table, column by column in contract order.
pub struct TableBuilder {
    /// The table.
    pub spec: &'static TableSpec,
    columns: Vec<Cells>,
    rows: usize,
}

impl TableBuilder {
    /// An empty table.
    pub fn new(spec: &'static TableSpec) -> TableBuilder {
        let columns = spec
            .columns
            .iter()
            .map(|c| match c.logical {
                Logical::Date => Cells::Date(Vec::new()),
                Logical::Datetime => Cells::DateTime(Vec::new()),
                Logical::Number => Cells::Number(Vec::new()),
                _ => Cells::Text(Vec::new()),
            })
            .collect();
        TableBuilder {
            spec,
            columns,
            rows: 0,
        }
    }

    /// Adds a row; columns not named are null.
    pub fn row(&mut self, values: Vec<(&str, Option<Value>)>) {
        for (i, spec) in self.spec.columns.iter().enumerate() {
            let v = values
                .iter()
                .find(|(n, _)| *n == spec.name)
                .and_then(|(_, v)| v.clone());
            match (&mut self.columns[i], v) {
                (Cells::Text(c), Some(Value::Text(s))) => c.push(Some(s)),
                (Cells::Date(c), Some(Value::Date(d))) => {
                    c.push(Some(crate::common::calendar::epoch_days(d)))
                }
                (Cells::DateTime(c), Some(Value::DateTime(d))) => {
                    c.push(Some(d.and_utc().timestamp_millis()))
                }
                (Cells::DateTime(c), Some(Value::Date(d))) => c.push(Some(
                    d.and_hms_opt(0, 0, 0)
                        .expect("midnight")
                        .and_utc()
                        .timestamp_millis(),
                )),
                (Cells::Number(c), Some(Value::Number(n))) => c.push(Some(n)),
                (Cells::Text(c), None) => c.push(None),
                (Cells::Date(c), None) => c.push(None),
                (Cells::DateTime(c), None) => c.push(None),
                (Cells::Number(c), None) => c.push(None),
                (_, Some(v)) => panic!(
                    "{}.{}: value {v:?} does not fit the column",
                    self.spec.name, spec.name
                ),
            }
        }
        debug_assert!(
            values.iter().all(|(n, _)| self.spec.column(n).is_some()),
            "{}: unknown column in {values:?}",
            self.spec.name
        );
        self.rows += 1;
    }

    /// The frame, dates written in `style`, without the columns in `omit`.
    pub fn finish(self, style: DateStyle, omit: &[&str]) -> PolarsResult<DataFrame> {
        let mut out = Vec::new();
        for (spec, column) in self.spec.columns.iter().zip(self.columns) {
            if omit.contains(&spec.name) {
                continue;
            }
            let name = PlSmallStr::from(spec.name);
            let series = match column {
                Cells::Text(v) => Series::new(name, v),
                Cells::Number(v) => Series::new(name, v),
                Cells::Date(v) => {
                    let s = Series::new(name, v).cast(&DataType::Date)?;
                    match style {
                        DateStyle::Date => s,
                        DateStyle::Timestamp => {
                            s.cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?
                        }
                    }
                }
                Cells::DateTime(v) => {
                    Series::new(name, v).cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?
                }
            };
            out.push(series.into());
        }
        DataFrame::new_infer_height(out)
    }
}
