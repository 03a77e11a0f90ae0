//! Data-quality findings: problems in the input that the run survived, counted so analysts can fix them at source.

use chrono::NaiveDate;

/// One kind of problem, in one column of one table of one LA, counted.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The table (or reference table) the problem is in.
    pub table: String,
    /// The column, where the problem is about one.
    pub column: Option<String>,
    /// The LA, where the problem is about one.
    pub la_code: Option<String>,
    /// The snapshot the LA's data came from.
    pub snapshot_date: Option<NaiveDate>,
    /// The kind of problem.
    pub kind: FindingKind,
    /// How many rows have it.
    pub count: u64,
    /// One example: the record id and the offending value, never a person id or a date of birth.
    pub example: Option<String>,
    /// What it means for the indicators and what to do.
    pub message: String,
}

/// Every kind of problem a run reports. Each has a stable name, written to `data_quality.parquet`'s `kind` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FindingKind {
    /// A date column's value is not a date; read as unknown.
    UnparseableDate,
    /// A datetime column's value is not a datetime; read as unknown.
    UnparseableDatetime,
    /// A date outside the plausible years (1800, or a 9999-12-31 "no end" sentinel); read as unknown.
    ImplausibleDate,
    /// A text or code column's value is bytes that are not UTF-8 text; read as unknown.
    InvalidText,
    /// A flag column's value is not Y, N, NA or empty; read as unknown.
    InvalidFlag,
    /// A number column's value is not a number; read as unknown.
    InvalidNumber,
    /// A coded column's value is neither a code nor named by a value map; read as unknown.
    UnmappedCode,
    /// Rows repeat a record id; only the first is used.
    DuplicateId,
    /// A step measuring between two dates found the end before the start; those rows are left out.
    EndBeforeStart,
    /// An indicator reads an optional column the LA's extract lacks; it is not written for that LA.
    NotComputable,
    /// No population estimate for an LA and year; its rates are null.
    PopulationMissing,
    /// An earlier year's population estimate stands in; its rates are flagged.
    PopulationFallback,
    /// The LA is not in the reference list of LAs; it is in no regional comparison.
    UnknownLa,
    /// A required column is empty in every row of an LA's table: an extract fault more often than not.
    EmptyColumn,
}

impl FindingKind {
    /// The stable name written to the output.
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::UnparseableDate => "unparseable_date",
            FindingKind::UnparseableDatetime => "unparseable_datetime",
            FindingKind::ImplausibleDate => "implausible_date",
            FindingKind::InvalidText => "invalid_text",
            FindingKind::InvalidFlag => "invalid_flag",
            FindingKind::InvalidNumber => "invalid_number",
            FindingKind::UnmappedCode => "unmapped_code",
            FindingKind::DuplicateId => "duplicate_id",
            FindingKind::EndBeforeStart => "end_before_start",
            FindingKind::NotComputable => "not_computable",
            FindingKind::PopulationMissing => "population_missing",
            FindingKind::PopulationFallback => "population_fallback",
            FindingKind::UnknownLa => "unknown_la",
            FindingKind::EmptyColumn => "empty_column",
        }
    }
}

impl std::fmt::Display for FindingKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
