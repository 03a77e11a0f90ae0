//! `extract`: the SSD's tables in the council's own database (SQL Server, PostgreSQL), read over ODBC into a
//! snapshot `run` can read, `<data>/<table>/la_code=<LA>/snapshot_date=<date>/part-0.parquet`.
//!
//! The flow is: connect (`source`), check that every table the catalogue reads and its required columns exist
//! (all missing ones reported at once), read each table's contract columns by name into a staging folder batch
//! by batch (`table`), then move the tables into place together and write `extract.json` (`staging`). A failed or
//! killed extract leaves no snapshot `run` would read.

mod connection_string;
mod error;
mod source;
mod staging;
mod table;

pub use connection_string::ConnectionString;
pub use error::ExtractError;
pub use staging::{STAGING_DIR, unfinished};
pub use table::TableExtract;

use crate::catalogue;
use crate::input::contract::{self, TableSpec};
use chrono::NaiveDate;
use source::Source;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The environment variable that may hold the connection string, so that a password need not sit in a
/// scheduler's command line.
pub const CONNECTION_VARIABLE: &str = "CSC_INDICATORS_CONNECTION";

/// The schema the SSD scripts create their tables in unless told otherwise.
pub const DEFAULT_SCHEMA: &str = "ssd_development";

/// What `extract` is asked to do.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// The ODBC connection string.
    pub connection: ConnectionString,
    /// The LA whose database this is (DfE 3-digit code): the snapshot's `la_code=` folder.
    pub la_code: String,
    /// The schema holding the SSD tables.
    pub schema: String,
    /// The data folder the snapshot is written into.
    pub data_dir: PathBuf,
    /// The snapshot's date.
    pub snapshot_date: NaiveDate,
    /// The catalogue whose indicators decide which tables are read.
    pub catalogue: PathBuf,
    /// Keep only this LA's newest this many snapshots once the new one is in place.
    pub keep: Option<usize>,
    /// How long to wait for the server to answer the login.
    pub connect_timeout: Duration,
}

/// What an extract did; also written as `extract.json` beside the tables.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExtractSummary {
    /// The LA.
    pub la_code: String,
    /// The snapshot's date.
    pub snapshot_date: NaiveDate,
    /// The connection string with its secrets redacted.
    pub source: String,
    /// The schema read.
    pub schema: String,
    /// The server's product name (`PostgreSQL`, `Microsoft SQL Server`).
    pub server_name: String,
    /// The server's version, where it says.
    pub server_version: Option<String>,
    /// The SSD's version, where the schema has its version table.
    pub ssd_version: Option<String>,
    /// The tables read, in the contract's order.
    pub tables: Vec<TableExtract>,
    /// Snapshots of the LA removed by `--keep` (after `extract.json` is written, so not in it).
    #[serde(skip)]
    pub removed_snapshots: Vec<NaiveDate>,
    /// Seconds the whole extract took.
    pub seconds: f64,
    /// This program's version.
    pub tool_version: String,
    /// Where `extract.json` was written.
    #[serde(skip)]
    pub record: PathBuf,
}

impl ExtractSummary {
    /// Rows written over all tables.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// The tables an extract reads: every table the catalogue's indicators read, and `ssd_person`, in the
/// contract's order.
pub fn tables_for(catalogue: &catalogue::Catalogue) -> Vec<&'static TableSpec> {
    let needed = catalogue.columns_by_table();
    contract::TABLES
        .iter()
        .filter(|t| t.name == "ssd_person" || needed.contains_key(t.name))
        .collect()
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !text.starts_with(|c: char| c.is_ascii_digit())
}

/// Reads the SSD tables the catalogue needs from the database into a new snapshot of `options.la_code`.
pub fn extract(options: &ExtractOptions) -> Result<ExtractSummary, ExtractError> {
    let started = Instant::now();
    if !is_identifier(&options.schema) {
        return Err(ExtractError::BadSchemaName {
            schema: options.schema.clone(),
        });
    }
    if options.la_code.is_empty() || !options.la_code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ExtractError::BadLaCode {
            la_code: options.la_code.clone(),
        });
    }
    let catalogue = catalogue::load(&options.catalogue)?;
    let tables = tables_for(&catalogue);
    let staging =
        staging::Staging::begin(&options.data_dir, &options.la_code, options.snapshot_date)?;
    let source = Source::connect(&options.connection, options.connect_timeout)?;
    let (server_name, server_version) = source.server();
    tracing::info!(la_code = %options.la_code, server = %server_name, source = %source.shown, "connected");

    let schema = options.schema.as_str();
    let server_tables = source.ssd_tables(schema)?;
    let server_table = |name: &str| {
        server_tables
            .iter()
            .find(|t| t.eq_ignore_ascii_case(name))
            .cloned()
    };
    if server_table("ssd_person").is_none() && tables.iter().all(|t| server_table(t.name).is_none())
    {
        let elsewhere = source.schemas_with("ssd_person");
        let found = match elsewhere.as_slice() {
            [] => String::new(),
            list => format!(
                "; `ssd_person` is in schema {}",
                list.iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return Err(ExtractError::SchemaNotFound {
            schema: schema.to_string(),
            found,
        });
    }
    let mut plan = Vec::with_capacity(tables.len());
    let mut missing_columns = Vec::new();
    for table in &tables {
        let Some(name) = server_table(table.name) else {
            return Err(ExtractError::MissingTable {
                object: format!("{schema}.{}", table.name),
                table: table.name.to_string(),
            });
        };
        let columns = source.columns(schema, &name)?;
        for spec in table.columns.iter().filter(|c| c.required) {
            if !columns
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(spec.name))
            {
                missing_columns.push(format!("`{schema}.{name}.{}`", spec.name));
            }
        }
        plan.push((*table, name, columns));
    }
    if !missing_columns.is_empty() {
        return Err(ExtractError::MissingColumns {
            list: missing_columns.join(", "),
        });
    }

    let mut extracted = Vec::with_capacity(plan.len());
    for (table, name, columns) in &plan {
        let file = staging.table_file(table.name)?;
        let done = table::extract_table(&source, schema, table, name, columns, &file)?;
        if !done.absent_columns.is_empty() {
            tracing::warn!(
                table = table.name,
                columns = done.absent_columns.join(", "),
                "optional columns are not in the database's table: the indicators that read them are not computed for this LA"
            );
        }
        tracing::info!(
            table = table.name,
            rows = done.rows,
            seconds = format!("{:.1}", done.seconds),
            "table read"
        );
        extracted.push(done);
    }
    let ssd_version = source.ssd_version(schema, &server_tables);
    drop(source);

    let mut summary = ExtractSummary {
        la_code: options.la_code.clone(),
        snapshot_date: options.snapshot_date,
        source: options.connection.redacted(),
        schema: schema.to_string(),
        server_name,
        server_version,
        ssd_version,
        tables: extracted,
        removed_snapshots: Vec::new(),
        seconds: started.elapsed().as_secs_f64(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        record: PathBuf::new(),
    };
    let names: Vec<&str> = tables.iter().map(|t| t.name).collect();
    let record = serde_json::to_string_pretty(&summary).expect("an extract summary serialises");
    staging.stage_record(&record)?;
    crate::output::pause_before_commit();
    summary.record = staging.commit(&names)?;
    if let Some(keep) = options.keep {
        summary.removed_snapshots = staging::keep_newest(
            &options.data_dir,
            &options.la_code,
            keep.max(1),
            options.snapshot_date,
        )?;
    }
    Ok(summary)
}
