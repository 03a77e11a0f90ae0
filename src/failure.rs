//! Why a command failed, as the exit code a scheduler acts on. Every error type of the library says which failure
//! each of its variants is, in an exhaustive match beside its variants, so that a new variant must be classified
//! where it is added.

/// Why a command failed, as the exit code a scheduler acts on (0 is success).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Exit code 1: the input data (snapshots, reference tables, a run's output for `report`) is missing or unusable;
    /// fix the data and run again.
    BadData = 1,
    /// Exit code 2: the catalogue or the arguments are wrong (or `--out` is in use by another run).
    BadCatalogueOrArguments = 2,
    /// Exit code 3: an internal error (a bug, or the machine: a full disk, a failed write).
    Internal = 3,
    /// Exit code 4 (`extract`): the database server could not be reached in time; retry later.
    Unreachable = 4,
    /// Exit code 5 (`extract`): the database refused the login; fix the credentials.
    LoginFailed = 5,
    /// Exit code 6 (`extract`): the ODBC driver named is not installed or registered.
    UnknownDriver = 6,
    /// Exit code 7 (`extract`): the schema holds no SSD table.
    SchemaNotFound = 7,
    /// Exit code 8 (`extract`): a table the catalogue reads is missing from the database.
    MissingTable = 8,
    /// Exit code 9 (`extract`): required columns are missing from the database's tables.
    MissingColumns = 9,
    /// Exit code 10 (`extract`): a value or a column's type cannot be converted to the contract's.
    BadValue = 10,
}

/// An error that knows which [`Failure`] it is.
pub trait Failing {
    /// The failure this error is reported as.
    fn failure(&self) -> Failure;
}

/// A command's error, with the failure it exits with: what the command line prints and returns.
#[derive(Debug)]
pub struct CommandError {
    failure: Failure,
    error: anyhow::Error,
}

impl CommandError {
    /// The failure the command exits with.
    pub fn failure(&self) -> Failure {
        self.failure
    }

    /// The same failure, with a line of context above the error (`generating into ...`).
    pub fn context(self, context: String) -> CommandError {
        CommandError {
            failure: self.failure,
            error: self.error.context(context),
        }
    }
}

impl<E> From<E> for CommandError
where
    E: Failing + std::error::Error + Send + Sync + 'static,
{
    fn from(error: E) -> CommandError {
        CommandError {
            failure: error.failure(),
            error: error.into(),
        }
    }
}

/// The error and its causes; `{:#}` puts them on one line, as `anyhow` does.
impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if f.alternate() {
            write!(f, "{:#}", self.error)
        } else {
            write!(f, "{}", self.error)
        }
    }
}
