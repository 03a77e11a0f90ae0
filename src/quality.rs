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
    /// A stable name for the kind of problem (`unparseable_date`, `unmapped_code`, ...).
    pub kind: &'static str,
    /// How many rows have it.
    pub count: u64,
    /// One example: the record id and the offending value, never a person id or a date of birth.
    pub example: Option<String>,
    /// What it means for the indicators and what to do.
    pub message: String,
}
