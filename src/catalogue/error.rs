//! Catalogue errors: each problem carries the file, line and column it is about.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in a catalogue, at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
    /// What is wrong and, where possible, what to write instead.
    pub message: String,
}

/// Why a catalogue could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// The file could not be read.
    #[error("cannot read the catalogue `{path}`")]
    Read {
        /// The catalogue path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but has problems; all of them are listed.
    #[error("{}", render(path, problems))]
    Invalid {
        /// The catalogue path.
        path: PathBuf,
        /// Every problem found, in file order.
        problems: Vec<Problem>,
    },
    /// `--indicator` named ids the catalogue does not declare.
    #[error("the catalogue `{}` declares no indicator {}", path.display(), unknown.join(", "))]
    UnknownIndicators {
        /// The catalogue path.
        path: PathBuf,
        /// Each unknown id, quoted, with the closest declared id if one is close.
        unknown: Vec<String>,
    },
}

/// Every catalogue error is the user's to fix in the catalogue or the arguments.
impl crate::failure::Failing for CatalogueError {
    fn failure(&self) -> crate::failure::Failure {
        match self {
            CatalogueError::Read { .. }
            | CatalogueError::Invalid { .. }
            | CatalogueError::UnknownIndicators { .. } => {
                crate::failure::Failure::BadCatalogueOrArguments
            }
        }
    }
}

fn render(path: &Path, problems: &[Problem]) -> String {
    let mut out = String::new();
    let n = problems.len();
    let noun = if n == 1 { "problem" } else { "problems" };
    out.push_str(&format!(
        "the catalogue `{}` has {n} {noun}; nothing was computed:",
        path.display()
    ));
    for p in problems {
        out.push_str(&format!(
            "\n  {}:{}:{}: {}",
            path.display(),
            p.line,
            p.column,
            p.message
        ));
    }
    out
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}
