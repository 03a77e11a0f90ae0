//! Why an extract failed, in words a BI team can act on, each kind with its own exit code.

use crate::failure::{Failing, Failure};
use std::path::PathBuf;

/// Why `extract` failed. Each variant's message is one paragraph naming the SQL object or setting at fault and
/// what to do; [`ExtractError::failure`] gives the exit code a scheduler acts on.
#[allow(missing_docs)] // Variant fields are named for what they hold; the variant's doc says the rest.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// No connection string on the command line or in the environment.
    #[error(
        "no connection string: pass --connection or set CSC_INDICATORS_CONNECTION (for example \
         `Driver={{PostgreSQL Unicode}};Server=db;Port=5432;Database=reporting;Uid=bi;Pwd=...`)"
    )]
    NoConnection,
    /// The schema name is not a plain SQL identifier.
    #[error(
        "--schema `{schema}` is not a plain SQL name: use letters, digits and `_` only (the SSD's default is `ssd_development`)"
    )]
    BadSchemaName { schema: String },
    /// The LA code is not a folder name the loader accepts.
    #[error(
        "--la `{la_code}` is not an LA code: use the DfE 3-digit code, letters and digits only (e.g. 873)"
    )]
    BadLaCode { la_code: String },
    /// The ODBC driver named in the connection string is not registered with the driver manager.
    #[error(
        "the ODBC driver `{driver}` is not installed or not registered{detail}: the driver manager knows {known}. Install \
         the driver (Debian: `odbc-postgresql` for PostgreSQL, Microsoft's `msodbcsql18` or `tdsodbc` for SQL \
         Server) and name it as `odbcinst -q -d` lists it, or give the driver library's full path"
    )]
    UnknownDriver {
        driver: String,
        known: String,
        detail: String,
    },
    /// The server could not be reached in time.
    #[error(
        "cannot reach the database server ({source_shown}) within {timeout_seconds} s: {message}. Check the \
         server name and port, that the server runs and accepts TCP connections from this machine, and any \
         firewall between; then run again (--connect-timeout sets the wait)"
    )]
    Unreachable {
        source_shown: String,
        timeout_seconds: u64,
        message: String,
    },
    /// The server refused the login.
    #[error(
        "the database refused the login ({source_shown}): {message}. Check the user name and password (or, for \
         Trusted_Connection, that the job runs as an account with access to the database)"
    )]
    LoginFailed {
        source_shown: String,
        message: String,
    },
    /// The connection failed for a reason the driver did not make plain.
    #[error("cannot connect to the database ({source_shown}): {message}")]
    Connect {
        source_shown: String,
        message: String,
    },
    /// The schema holds none of the SSD's tables.
    #[error(
        "schema `{schema}` holds no SSD table (`{schema}.ssd_person` is not there){found}. Pass the schema the \
         SSD script created with --schema (its default is `ssd_development`)"
    )]
    SchemaNotFound { schema: String, found: String },
    /// A table the catalogue reads is missing from the schema.
    #[error(
        "table `{object}` does not exist, and the catalogue's indicators read it. The SSD script for your case \
         management system creates it: run that script's `{table}` section (or the whole script) in the reporting \
         database, or check that the extract's account may see it"
    )]
    MissingTable { object: String, table: String },
    /// Required columns are missing from tables.
    #[error(
        "required columns are missing: {list}. These columns are part of the SSD's data contract; update the SSD \
         tables with the current SSD script for your case management system"
    )]
    MissingColumns { list: String },
    /// A column's server type cannot hold what the contract expects.
    #[error(
        "column `{object}` is of type `{server_type}`, which cannot hold a {logical}: the contract expects {expected}. \
         Check that the SSD script created the table, or cast the column in a view"
    )]
    UnsupportedType {
        object: String,
        server_type: String,
        logical: &'static str,
        expected: &'static str,
    },
    /// A value could not be converted to the contract's type.
    #[error(
        "cannot convert a value of `{object}` ({row}): {value} is not {expected}. Correct the record in the case \
         management system or the SSD table, then run again"
    )]
    BadValue {
        object: String,
        row: String,
        value: String,
        expected: &'static str,
    },
    /// A text value is longer than the extract's buffer.
    #[error(
        "a value of `{object}` is longer than {limit} characters, which no contract column needs: check the column, \
         or select it through a view that shortens it"
    )]
    ValueTooLong { object: String, limit: usize },
    /// The server failed a query.
    #[error("the database failed `{query}`: {message}")]
    Query { query: String, message: String },
    /// Another extract of the same LA and date is running.
    #[error(
        "another extract of LA {la_code} for {snapshot_date} ({holder}) is running: wait for it to finish, or delete \
         `{lock}` if no extract is going on"
    )]
    Locked {
        la_code: String,
        snapshot_date: chrono::NaiveDate,
        holder: String,
        lock: PathBuf,
    },
    /// The catalogue is unreadable or invalid.
    #[error(transparent)]
    Catalogue(#[from] crate::catalogue::CatalogueError),
    /// A file or folder could not be written, moved or removed.
    #[error("cannot write `{path}`")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Polars could not build or write a table.
    #[error("cannot write `{path}`")]
    Parquet {
        path: PathBuf,
        source: polars::prelude::PolarsError,
    },
    /// The ODBC driver manager could not start.
    #[error("the ODBC driver manager could not start: {message}")]
    DriverManager { message: String },
}

/// 1-3 as for every command, 4-10 for what only an extract meets.
impl Failing for ExtractError {
    fn failure(&self) -> Failure {
        match self {
            ExtractError::Unreachable { .. } => Failure::Unreachable,
            ExtractError::LoginFailed { .. } => Failure::LoginFailed,
            ExtractError::UnknownDriver { .. } => Failure::UnknownDriver,
            ExtractError::SchemaNotFound { .. } => Failure::SchemaNotFound,
            ExtractError::MissingTable { .. } => Failure::MissingTable,
            ExtractError::MissingColumns { .. } => Failure::MissingColumns,
            ExtractError::UnsupportedType { .. }
            | ExtractError::BadValue { .. }
            | ExtractError::ValueTooLong { .. } => Failure::BadValue,
            ExtractError::NoConnection
            | ExtractError::BadSchemaName { .. }
            | ExtractError::BadLaCode { .. }
            | ExtractError::Locked { .. }
            | ExtractError::Catalogue(_) => Failure::BadCatalogueOrArguments,
            ExtractError::Connect { .. } | ExtractError::Query { .. } => Failure::BadData,
            ExtractError::Io { .. }
            | ExtractError::Parquet { .. }
            | ExtractError::DriverManager { .. } => Failure::Internal,
        }
    }
}
