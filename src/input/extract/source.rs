//! The council's database, reached over ODBC: connecting (with a timeout of our own), the server's name and
//! version, the SSD's tables and columns as the catalogue functions list them, and the SSD's version.

use super::ConnectionString;
use super::error::ExtractError;
use odbc_api::buffers::TextRowSet;
use odbc_api::{Connection, ConnectionOptions, Cursor, Environment};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// An open connection to the council's database, with what is shown of it in messages.
pub struct Source {
    /// The ODBC connection.
    pub connection: Connection<'static>,
    /// The connection string with its secrets redacted, for messages and `extract.json`.
    pub shown: String,
    /// The string itself, to scrub secrets from drivers' messages.
    connection_string: ConnectionString,
}

/// One column of a table as the database lists it.
#[derive(Debug, Clone)]
pub struct ServerColumn {
    /// The column's name as the database spells it.
    pub name: String,
    /// The database's own name for its type (`timestamp`, `nvarchar`, `int2`).
    pub type_name: String,
}

fn environment() -> Result<&'static Environment, ExtractError> {
    odbc_api::environment().map_err(|e| ExtractError::DriverManager {
        message: e.to_string(),
    })
}

/// The message and SQLSTATE of an ODBC error, with the connection's secrets scrubbed.
fn diagnostic(error: &odbc_api::Error, connection: &ConnectionString) -> (String, String) {
    match error {
        odbc_api::Error::Diagnostics { record, .. } => (
            record.state.as_str().to_string(),
            connection.scrub(String::from_utf8_lossy(&record.message).trim()),
        ),
        other => (String::new(), connection.scrub(&other.to_string())),
    }
}

/// The folders where a driver registered by file name alone (as Debian's packages register theirs) is looked
/// for: the driver manager is built into this program and does not know the system's own driver folder.
fn driver_folders() -> Vec<PathBuf> {
    let arch = std::env::consts::ARCH;
    [
        format!("/usr/lib/{arch}-linux-gnu/odbc"),
        format!("/usr/lib/{arch}-linux-gnu"),
        "/usr/lib64".to_string(),
        "/usr/lib/odbc".to_string(),
        "/usr/local/lib".to_string(),
        "/usr/lib".to_string(),
        "/opt/homebrew/lib".to_string(),
    ]
    .into_iter()
    .map(PathBuf::from)
    .collect()
}

/// The rows psqlODBC fetches at a time when it streams a result through a cursor.
const PSQLODBC_FETCH_ROWS: &str = "10000";

/// psqlODBC reads a whole result into memory before it returns the first row, unless told to fetch through a
/// cursor (`UseDeclareFetch=1`): for psqlODBC that is set, unless the string says otherwise, so that memory stays
/// flat whatever the table's size.
fn streaming(connection: ConnectionString) -> ConnectionString {
    let driver = connection
        .get("driver")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if driver.contains("postgres") || driver.contains("psqlodbc") {
        connection
            .with_default("UseDeclareFetch", "1")
            .with_default("Fetch", PSQLODBC_FETCH_ROWS)
    } else {
        connection
    }
}

/// The connection string the driver manager is given: a driver named in it must be registered (else the error
/// lists those that are), and a registered driver whose library is a bare file name is given by its full path.
fn resolve_driver(connection: &ConnectionString) -> Result<ConnectionString, ExtractError> {
    let Some(driver) = connection.get("driver") else {
        return Ok(connection.clone());
    };
    if driver.contains('/') || driver.contains('\\') {
        return Ok(connection.clone());
    }
    let env = environment()?;
    let drivers = env.drivers().map_err(|e| ExtractError::DriverManager {
        message: e.to_string(),
    })?;
    let Some(info) = drivers
        .iter()
        .find(|d| d.description.eq_ignore_ascii_case(driver.trim()))
    else {
        let known = if drivers.is_empty() {
            "no driver at all (nothing is registered in odbcinst.ini)".to_string()
        } else {
            drivers
                .iter()
                .map(|d| format!("`{}`", d.description))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(ExtractError::UnknownDriver {
            driver: driver.to_string(),
            known,
            detail: String::new(),
        });
    };
    let library = info
        .attributes
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("driver"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if library.is_empty() || Path::new(&library).is_absolute() {
        return Ok(connection.clone());
    }
    match driver_folders()
        .into_iter()
        .map(|dir| dir.join(&library))
        .find(|p| p.is_file())
    {
        Some(path) => {
            tracing::debug!(driver, library = %path.display(), "driver library found");
            Ok(connection.with_driver(&path.to_string_lossy()))
        }
        None => Ok(connection.clone()),
    }
}

impl Source {
    /// Connects, giving up after `timeout` whether or not the driver honours its login timeout.
    pub fn connect(
        connection: &ConnectionString,
        timeout: Duration,
    ) -> Result<Source, ExtractError> {
        let shown = connection.redacted();
        if connection.has_fragments() {
            tracing::warn!(
                connection = %shown,
                "a part of the connection string has no `=`: a value holding `;` must be in braces (`Pwd={{...}}`), \
                 or the driver reads it cut short at the `;`"
            );
        }
        let resolved = streaming(resolve_driver(connection)?);
        let env = environment()?;
        let (send, receive) = mpsc::channel();
        let text = resolved.expose().to_string();
        let seconds = timeout.as_secs().max(1);
        std::thread::spawn(move || {
            let options = ConnectionOptions {
                login_timeout_sec: Some(seconds as u32),
                packet_size: None,
            };
            let _ = send.send(env.connect_with_connection_string(&text, options));
        });
        let outcome = receive
            .recv_timeout(timeout + Duration::from_millis(500))
            .map_err(|_| ExtractError::Unreachable {
                source_shown: shown.clone(),
                timeout_seconds: seconds,
                message: "no answer in time".into(),
            })?;
        match outcome {
            Ok(connection_handle) => Ok(Source {
                connection: connection_handle,
                shown,
                connection_string: connection.clone(),
            }),
            Err(e) => Err(classify_connect_error(&e, connection, shown, seconds)),
        }
    }

    /// The secrets-free form of an ODBC error of this connection.
    pub fn message(&self, error: &odbc_api::Error) -> String {
        diagnostic(error, &self.connection_string).1
    }

    /// The server's product name and version, as far as it says.
    pub fn server(&self) -> (String, Option<String>) {
        let name = self
            .connection
            .database_management_system_name()
            .unwrap_or_else(|_| "unknown".into());
        let query = match name.to_ascii_lowercase().as_str() {
            n if n.contains("postgres") => Some("SELECT version()"),
            n if n.contains("sql server") => Some("SELECT @@VERSION"),
            n if n.contains("oracle") => Some("SELECT banner FROM v$version WHERE ROWNUM = 1"),
            _ => None,
        };
        let version = query.and_then(|q| {
            self.text_rows(q)
                .ok()
                .and_then(|rows| rows.into_iter().next())
                .and_then(|row| row.into_iter().next().flatten())
        });
        (
            name,
            version.map(|v| v.lines().next().unwrap_or_default().trim().to_string()),
        )
    }

    /// Every row of a query, each value as text (null as `None`). Only for small answers.
    pub fn text_rows(&self, query: &str) -> Result<Vec<Vec<Option<String>>>, ExtractError> {
        let failed = |e: odbc_api::Error| ExtractError::Query {
            query: query.to_string(),
            message: self.message(&e),
        };
        let Some(mut cursor) = self.connection.execute(query, (), None).map_err(failed)? else {
            return Ok(Vec::new());
        };
        let buffer = TextRowSet::for_cursor(256, &mut cursor, Some(4096)).map_err(failed)?;
        let mut cursor = cursor.bind_buffer(buffer).map_err(failed)?;
        let mut rows = Vec::new();
        while let Some(batch) = cursor.fetch().map_err(failed)? {
            for r in 0..batch.num_rows() {
                rows.push(
                    (0..batch.num_cols())
                        .map(|c| {
                            batch
                                .at(c, r)
                                .map(|b| String::from_utf8_lossy(b).into_owned())
                        })
                        .collect(),
                );
            }
        }
        Ok(rows)
    }

    /// The tables of `schema` whose names start `ssd_`, as the database spells them.
    pub fn ssd_tables(&self, schema: &str) -> Result<Vec<String>, ExtractError> {
        let failed = |e: odbc_api::Error| ExtractError::Query {
            query: format!("the list of tables in schema `{schema}`"),
            message: self.message(&e),
        };
        let mut out = Vec::new();
        for row in self
            .connection
            .tables("", schema, "%", "")
            .map_err(failed)?
        {
            let row = row.map_err(failed)?;
            if let (true, Some(name)) = (names(&row.schema, schema), text(&row.table))
                && name.to_ascii_lowercase().starts_with("ssd_")
            {
                out.push(name.to_string());
            }
        }
        Ok(out)
    }

    /// The schemas (of any name) holding a table called `table`, to suggest one when `--schema` is wrong.
    pub fn schemas_with(&self, table: &str) -> Vec<String> {
        let Ok(rows) = self.connection.tables("", "%", table, "") else {
            return Vec::new();
        };
        let mut out: Vec<String> = rows
            .filter_map(Result::ok)
            .filter(|r| names(&r.table, table))
            .filter_map(|r| text(&r.schema).map(str::to_string))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The columns of `schema.table`, in the table's order.
    pub fn columns(&self, schema: &str, table: &str) -> Result<Vec<ServerColumn>, ExtractError> {
        let failed = |e: odbc_api::Error| ExtractError::Query {
            query: format!("the list of columns of `{schema}.{table}`"),
            message: self.message(&e),
        };
        let mut out = Vec::new();
        for row in self
            .connection
            .columns("", schema, table, "%")
            .map_err(failed)?
        {
            let row = row.map_err(failed)?;
            if !(names(&row.table, table) && names(&row.schema, schema)) {
                continue;
            }
            if let Some(name) = text(&row.column_name) {
                out.push(ServerColumn {
                    name: name.to_string(),
                    type_name: text(&row.type_name).unwrap_or("unknown").to_string(),
                });
            }
        }
        Ok(out)
    }

    /// The SSD's version from its version table (`ssd_version_history`, or `ssd_version_log` in newer
    /// releases): the `version_number` of the latest `release_date`, where the schema has one.
    pub fn ssd_version(&self, schema: &str, tables: &[String]) -> Option<String> {
        let table = tables.iter().find(|t| {
            t.eq_ignore_ascii_case("ssd_version_history")
                || t.eq_ignore_ascii_case("ssd_version_log")
        })?;
        let columns = self.columns(schema, table).ok()?;
        let find = |name: &str| columns.iter().find(|c| c.name.eq_ignore_ascii_case(name));
        let version = find("version_number")?;
        let order = find("release_date").map(|c| quote(&c.name));
        let query = format!(
            "SELECT {}, {} FROM {}.{}",
            quote(&version.name),
            order.unwrap_or_else(|| "NULL".into()),
            quote(schema),
            quote(table)
        );
        let rows = self.text_rows(&query).ok()?;
        rows.into_iter()
            .filter_map(|r| Some((r.get(1).cloned().flatten(), r.first().cloned().flatten()?)))
            .max()
            .map(|(_, v)| v.trim().to_string())
    }
}

/// A catalogue function's text field, when it is text.
fn text<const N: usize>(field: &odbc_api::parameter::VarCharArray<N>) -> Option<&str> {
    field.as_str().ok().flatten()
}

/// Whether a catalogue function's name field is `name`, ignoring case (as unquoted SQL names are).
fn names<const N: usize>(field: &odbc_api::parameter::VarCharArray<N>, name: &str) -> bool {
    text(field).is_some_and(|t| t.eq_ignore_ascii_case(name))
}

/// An SQL identifier in double quotes (the standard's quoting, which SQL Server's ODBC connections and
/// PostgreSQL accept).
pub fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn classify_connect_error(
    error: &odbc_api::Error,
    connection: &ConnectionString,
    shown: String,
    timeout_seconds: u64,
) -> ExtractError {
    let (state, message) = diagnostic(error, connection);
    let lower = message.to_ascii_lowercase();
    if state == "28000"
        || lower.contains("password authentication failed")
        || lower.contains("login failed")
        || lower.contains("authentication failed")
        || lower.contains("no password supplied")
    {
        return ExtractError::LoginFailed {
            source_shown: shown,
            message,
        };
    }
    if state == "IM002" || lower.contains("can't open lib") || lower.contains("file not found") {
        let driver = connection
            .get("driver")
            .or(connection.get("dsn"))
            .unwrap_or("(none named)")
            .to_string();
        let known = environment()
            .ok()
            .and_then(|env| env.drivers().ok())
            .map(|d| {
                d.iter()
                    .map(|d| format!("`{}`", d.description))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| "no driver at all".into());
        return ExtractError::UnknownDriver {
            driver,
            known,
            detail: format!(" (the driver manager says: {message})"),
        };
    }
    if state.starts_with("08")
        || state == "HYT00"
        || state == "HYT01"
        || lower.contains("timeout expired")
    {
        return ExtractError::Unreachable {
            source_shown: shown,
            timeout_seconds,
            message,
        };
    }
    ExtractError::Connect {
        source_shown: shown,
        message,
    }
}
