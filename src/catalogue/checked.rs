//! The one way to a catalogue the rest of the tool may use: parsed, lowered to the model, and type-checked.

use super::error::CatalogueError;
use super::model::{Catalogue, Indicator};
use std::path::Path;

/// A catalogue that has passed every check: its YAML parsed, each indicator lowered against the data contract, and
/// every indicator's plan type-checked by the engine. Only [`load`] and [`parse`] make one, so a command that takes
/// it cannot forget a check.
#[derive(Debug, Clone)]
pub struct CheckedCatalogue {
    catalogue: Catalogue,
}

/// Reads and checks the catalogue at `path`.
pub fn load(path: &Path) -> Result<CheckedCatalogue, CatalogueError> {
    let text = std::fs::read_to_string(path).map_err(|source| CatalogueError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

/// Checks catalogue text; `path` is used in messages and recorded in the result.
pub fn parse(text: &str, path: &Path) -> Result<CheckedCatalogue, CatalogueError> {
    let catalogue = super::lower::lower(text, path)?;
    crate::compute::engine::type_check(&catalogue)?;
    Ok(CheckedCatalogue { catalogue })
}

impl std::ops::Deref for CheckedCatalogue {
    type Target = Catalogue;

    fn deref(&self) -> &Catalogue {
        &self.catalogue
    }
}

impl CheckedCatalogue {
    /// Keeps only the indicators with these ids (all when `ids` is empty), in catalogue order, so that a run can
    /// compute a few indicators without loading the tables only the others read.
    pub fn keep_only(&mut self, ids: &[String]) -> Result<(), CatalogueError> {
        if ids.is_empty() {
            return Ok(());
        }
        let indicators = &self.catalogue.indicators;
        let unknown: Vec<String> = ids
            .iter()
            .filter(|id| !indicators.iter().any(|i| &i.id == *id))
            .map(|id| {
                let hint = super::suggest(id, indicators.iter().map(|i| i.id.as_str()));
                format!("`{id}`{hint}")
            })
            .collect();
        if !unknown.is_empty() {
            return Err(CatalogueError::UnknownIndicators {
                path: self.catalogue.path.clone(),
                unknown,
            });
        }
        self.catalogue.indicators.retain(|i| ids.contains(&i.id));
        Ok(())
    }

    /// The indicators an LA cannot compute because its `table` lacks the optional columns `absent`, each with the
    /// absent columns it reads, in the order given. Both `validate --data` and a run decide computability here.
    pub fn not_computable<'a, 'c>(
        &'a self,
        table: &str,
        absent: &[&'c str],
    ) -> Vec<(&'a Indicator, Vec<&'c str>)> {
        self.catalogue
            .indicators
            .iter()
            .filter_map(|indicator| {
                let used = indicator.columns_used.get(table)?;
                let missing: Vec<&str> = absent
                    .iter()
                    .copied()
                    .filter(|c| used.contains(*c))
                    .collect();
                (!missing.is_empty()).then_some((indicator, missing))
            })
            .collect()
    }
}
