//! The output contract, in one place: the columns and types of `indicators.parquet`, `data_quality.parquet`, the
//! published and the combined tables, the keys of their Parquet footers, and the flags a value may carry.
//! Analysts' notebooks read these names; changing one is a breaking change of the output.

use polars::prelude::DataType;

pub use crate::input::contract::LA_CODE;

/// The kind of value an output column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Text (`String`).
    Text,
    /// A date (`Date`).
    Date,
    /// A number (`Float64`).
    Number,
    /// A count of LAs or a rank (`UInt32`).
    Count,
    /// A count of rows (`UInt64`).
    Rows,
}

impl ColumnType {
    /// The Parquet (Polars) type the column is written as.
    pub fn dtype(self) -> DataType {
        match self {
            ColumnType::Text => DataType::String,
            ColumnType::Date => DataType::Date,
            ColumnType::Number => DataType::Float64,
            ColumnType::Count => DataType::UInt32,
            ColumnType::Rows => DataType::UInt64,
        }
    }
}

/// One column of an output table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputColumn {
    /// Its name.
    pub name: &'static str,
    /// Its type.
    pub kind: ColumnType,
}

const fn column(name: &'static str, kind: ColumnType) -> OutputColumn {
    OutputColumn { name, kind }
}

const fn names<const N: usize>(columns: &[OutputColumn; N]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = columns[i].name;
        i += 1;
    }
    out
}

/// The columns of `indicators.parquet`, in order: one row per LA, month, indicator, window and breakdown category.
pub const INDICATOR_COLUMNS: [OutputColumn; 28] = {
    use ColumnType::{Count, Date, Number, Text};
    [
        column(LA_CODE, Text),
        column("la_name", Text),
        column("region_code", Text),
        column("period_end", Date),
        column("financial_year", Text),
        column("indicator_id", Text),
        column("window", Text),
        column("breakdown", Text),
        column("breakdown_value", Text),
        column("numerator", Number),
        column("denominator", Number),
        column("value", Number),
        column("unit", Text),
        column("polarity", Text),
        column("target", Number),
        column("rag", Text),
        column("previous_value", Number),
        column("change", Number),
        column("change_direction", Text),
        column("region_value", Number),
        column("region_las", Count),
        column("region_method", Text),
        column("stat_neighbours_value", Number),
        column("stat_neighbours_las", Count),
        column("england_value", Number),
        column("england_las", Count),
        column("england_method", Text),
        column("flags", Text),
    ]
};

/// The names of [`INDICATOR_COLUMNS`], in order.
pub const OUTPUT_COLUMNS: &[&str] = &names(&INDICATOR_COLUMNS);

/// The columns that name one row of the output: LA, month, indicator, window and breakdown category.
pub const ROW_KEYS: [&str; 6] = [
    LA_CODE,
    "period_end",
    "indicator_id",
    "window",
    "breakdown",
    "breakdown_value",
];

/// How many of [`OUTPUT_COLUMNS`], from the first, say which row it is (the keys with the LA's name, region and the
/// financial year) rather than what it measures: the columns other tables keyed like the output start with.
pub const IDENTIFYING_COLUMNS: usize = 9;

/// The output columns that compare an LA with others, which the scorecard adds (and `combine` recomputes).
pub const COMPARISON_COLUMNS: [&str; 8] = [
    "region_value",
    "region_las",
    "region_method",
    "stat_neighbours_value",
    "stat_neighbours_las",
    "england_value",
    "england_las",
    "england_method",
];

/// The columns the engine computes and the scorecard judges, in order: the output's keys with the month as a
/// month number, and the values with their flags.
pub const COMPUTED_COLUMNS: [&str; 10] = [
    LA_CODE,
    "month",
    "indicator_id",
    "window",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "flags",
];

/// The column the published and combined tables add after [`INDICATOR_COLUMNS`]: `c` where `publish` suppressed
/// the cell, else null.
pub const STATUS: OutputColumn = column("status", ColumnType::Text);

/// The columns `combine` adds after [`STATUS`].
pub const RANK_COLUMNS: [OutputColumn; 4] = [
    column("region_rank", ColumnType::Count),
    column("region_quartile", ColumnType::Count),
    column("england_rank", ColumnType::Count),
    column("england_quartile", ColumnType::Count),
];

/// The columns of `data_quality.parquet`, in order: one row per kind of problem in a column of a table of an LA.
pub const FINDING_COLUMNS: [OutputColumn; 8] = {
    use ColumnType::{Date, Rows, Text};
    [
        column("table", Text),
        column("column", Text),
        column(LA_CODE, Text),
        column("snapshot_date", Date),
        column("kind", Text),
        column("count", Rows),
        column("example", Text),
        column("message", Text),
    ]
};

/// Footer metadata key for the catalogue's SHA-256.
pub const CATALOGUE_HASH_KEY: &str = "csc_indicators.catalogue_hash";
/// Footer metadata key for each indicator's definition fingerprint (a JSON object of id to SHA-256), so that
/// `combine --allow-catalogue-mismatch` can compare outputs of different catalogues on what they share.
pub const DEFINITION_HASHES_KEY: &str = "csc_indicators.definition_hashes";
/// Footer metadata key for the catalogue's version.
pub const CATALOGUE_VERSION_KEY: &str = "csc_indicators.catalogue_version";
/// Footer metadata key for the tool's version.
pub const TOOL_VERSION_KEY: &str = "csc_indicators.version";
/// Footer metadata key of the disclosure rules a published file was made with.
pub const DISCLOSURE_KEY: &str = "csc_indicators.disclosure";

/// What a value's `flags` column says about it: the flags are written `;`-joined, in the order they were added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    /// The denominator is 1 to 5: the DfE would suppress the figure.
    SmallDenominator,
    /// The value reads what the case management system holds today, not what was recorded in its month.
    CurrentStatus,
    /// No population estimate for the LA: the rate is null.
    PopulationMissing,
    /// The rate uses this (earlier) mid-year population, the latest available.
    PopulationFrom(i32),
    /// A flag this version does not know (a file written elsewhere), as written.
    Other(String),
}

impl Flag {
    /// What joins the flags of one value.
    pub const SEPARATOR: &'static str = ";";
    /// The start of [`Flag::PopulationFrom`]'s text, before the year.
    pub const POPULATION_FROM: &'static str = "population_from_";

    /// The flag's text in the `flags` column.
    pub fn text(&self) -> String {
        match self {
            Flag::SmallDenominator => "small_denominator".into(),
            Flag::CurrentStatus => "current_status".into(),
            Flag::PopulationMissing => "population_missing".into(),
            Flag::PopulationFrom(year) => format!("{}{year}", Flag::POPULATION_FROM),
            Flag::Other(text) => text.clone(),
        }
    }

    /// The flags of one `flags` cell.
    pub fn parse_all(cell: &str) -> Vec<Flag> {
        cell.split(Flag::SEPARATOR).map(Flag::parse).collect()
    }

    /// One flag from its text.
    pub fn parse(text: &str) -> Flag {
        let known = [
            Flag::SmallDenominator,
            Flag::CurrentStatus,
            Flag::PopulationMissing,
        ];
        if let Some(flag) = known.into_iter().find(|f| f.text() == text) {
            return flag;
        }
        match text
            .strip_prefix(Flag::POPULATION_FROM)
            .and_then(|y| y.parse().ok())
        {
            Some(year) => Flag::PopulationFrom(year),
            None => Flag::Other(text.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_read_back_as_written() {
        for flag in [
            Flag::SmallDenominator,
            Flag::CurrentStatus,
            Flag::PopulationMissing,
            Flag::PopulationFrom(2023),
            Flag::Other("from_elsewhere".into()),
        ] {
            assert_eq!(Flag::parse(&flag.text()), flag);
        }
        assert_eq!(
            Flag::parse_all("small_denominator;current_status"),
            [Flag::SmallDenominator, Flag::CurrentStatus]
        );
    }

    #[test]
    fn the_row_keys_and_comparisons_are_output_columns() {
        for key in ROW_KEYS.iter().chain(&COMPARISON_COLUMNS) {
            assert!(OUTPUT_COLUMNS.contains(key), "{key}");
        }
        assert_eq!(OUTPUT_COLUMNS[IDENTIFYING_COLUMNS - 1], "breakdown_value");
    }
}
