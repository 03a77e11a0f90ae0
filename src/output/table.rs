//! Reading an indicator table back: a run's `indicators.parquet`, a published or a combined table. `report`,
//! `publish` and `combine` all read it here: its rows, checked against the output contract, and its footer, which
//! says the catalogue that made it.

use super::schema::{
    CATALOGUE_HASH_KEY, CATALOGUE_VERSION_KEY, DEFINITION_HASHES_KEY, OUTPUT_COLUMNS,
    TOOL_VERSION_KEY,
};
use crate::catalogue::Catalogue;
use crate::common::first_line;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why an indicator table cannot be used.
#[allow(missing_docs)] // Variant fields are named for what they hold; the variant's doc says the rest.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The file cannot be read as Parquet.
    #[error("cannot read `{path}`: {detail}")]
    Read { path: PathBuf, detail: String },
    /// The file lacks columns of the output contract.
    #[error(
        "`{path}` is not an indicator table of csc-indicators: columns {} are missing (a file of an older version? run `csc-indicators run` again)",
        missing.join(", ")
    )]
    NotAnIndicatorTable { path: PathBuf, missing: Vec<String> },
    /// The footer does not record the catalogue that made the table.
    #[error(
        "`{path}` records no catalogue hash in its footer: it was not written by csc-indicators run; run it again"
    )]
    NoCatalogue { path: PathBuf },
    /// The table was made with another catalogue than the one given.
    #[error(
        "`{path}` was made with another catalogue ({made_with}) than `{catalogue}` ({catalogue_is}): run `csc-indicators run` again, or pass the catalogue that made it with --catalogue"
    )]
    CatalogueMismatch {
        path: PathBuf,
        made_with: String,
        catalogue: PathBuf,
        catalogue_is: String,
    },
}

impl crate::failure::Failing for TableError {
    fn failure(&self) -> crate::failure::Failure {
        use crate::failure::Failure;
        match self {
            TableError::Read { .. }
            | TableError::NotAnIndicatorTable { .. }
            | TableError::NoCatalogue { .. } => Failure::BadData,
            TableError::CatalogueMismatch { .. } => Failure::BadCatalogueOrArguments,
        }
    }
}

/// What an output's Parquet footer records: the catalogue that made it and the tool's version. Written and read
/// through this one type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Footer {
    /// Every key-value pair, in the file's order (other tools may add their own).
    pub entries: Vec<(String, String)>,
}

impl Footer {
    /// The footer of every output made with `catalogue`: its hash, version and definitions, and the tool's version.
    pub fn of(catalogue: &Catalogue) -> Footer {
        let definitions = serde_json::to_string(&catalogue.definition_hashes())
            .expect("a map of strings serialises");
        Footer {
            entries: vec![
                (CATALOGUE_HASH_KEY.to_string(), catalogue.hash.clone()),
                (CATALOGUE_VERSION_KEY.to_string(), catalogue.version.clone()),
                (DEFINITION_HASHES_KEY.to_string(), definitions),
                (
                    TOOL_VERSION_KEY.to_string(),
                    env!("CARGO_PKG_VERSION").to_string(),
                ),
            ],
        }
    }

    /// The value of one key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The catalogue's SHA-256.
    pub fn catalogue_hash(&self) -> Option<&str> {
        self.get(CATALOGUE_HASH_KEY)
    }

    /// The catalogue's version.
    pub fn catalogue_version(&self) -> Option<&str> {
        self.get(CATALOGUE_VERSION_KEY)
    }

    /// Each indicator's definition fingerprint, when recorded and readable.
    pub fn definition_hashes(&self) -> Option<BTreeMap<String, String>> {
        serde_json::from_str(self.get(DEFINITION_HASHES_KEY)?).ok()
    }

    /// The catalogue as messages name it: `version 2026.1, sha256 0123456789ab`.
    pub fn catalogue_words(&self) -> String {
        catalogue_words(
            self.catalogue_version().unwrap_or("unknown"),
            self.catalogue_hash().unwrap_or_default(),
        )
    }
}

/// A catalogue's version and the start of its hash, as messages name a catalogue.
fn catalogue_words(version: &str, hash: &str) -> String {
    format!("version {version}, sha256 {}", &hash[..hash.len().min(12)])
}

/// An indicator table read back: its rows (a lazy scan, so that a reader takes only what it needs) and its footer.
pub struct IndicatorTable {
    /// The file.
    pub path: PathBuf,
    /// Its rows, with every column of the output contract (and any it adds, such as `status`).
    pub rows: LazyFrame,
    /// Its footer.
    pub footer: Footer,
}

impl IndicatorTable {
    /// Opens the table at `path`: its footer, and its rows once their columns are checked against the contract.
    pub fn read(path: &Path) -> Result<IndicatorTable, TableError> {
        let read = |detail: String| TableError::Read {
            path: path.to_path_buf(),
            detail,
        };
        let file = std::fs::File::open(path).map_err(|e| read(e.to_string()))?;
        let mut reader = ParquetReader::new(file);
        let entries: Vec<(String, String)> = reader
            .get_metadata()
            .map_err(|e| read(first_line(e)))?
            .key_value_metadata()
            .iter()
            .flatten()
            .filter_map(|e| Some((e.key.clone(), e.value.clone()?)))
            .collect();
        let mut rows = LazyFrame::scan_parquet(
            PlRefPath::new(path.to_string_lossy().to_string()),
            ScanArgsParquet::default(),
        )
        .map_err(|e| read(first_line(e)))?;
        let schema = rows.collect_schema().map_err(|e| read(first_line(e)))?;
        let missing: Vec<String> = OUTPUT_COLUMNS
            .iter()
            .filter(|c| !schema.contains(c))
            .map(|c| c.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(TableError::NotAnIndicatorTable {
                path: path.to_path_buf(),
                missing,
            });
        }
        Ok(IndicatorTable {
            path: path.to_path_buf(),
            rows,
            footer: Footer { entries },
        })
    }

    /// Checks that the table was made with `catalogue`, as its footer records.
    pub fn made_with(&self, catalogue: &Catalogue) -> Result<(), TableError> {
        let hash = self
            .footer
            .catalogue_hash()
            .ok_or_else(|| TableError::NoCatalogue {
                path: self.path.clone(),
            })?;
        if hash == catalogue.hash {
            return Ok(());
        }
        Err(TableError::CatalogueMismatch {
            path: self.path.clone(),
            made_with: self.footer.catalogue_words(),
            catalogue: catalogue.path.clone(),
            catalogue_is: catalogue_words(&catalogue.version, &catalogue.hash),
        })
    }

    /// All its rows.
    pub fn collect(self) -> Result<DataFrame, TableError> {
        let path = self.path;
        self.rows.collect().map_err(|e| TableError::Read {
            detail: first_line(&e),
            path,
        })
    }
}
