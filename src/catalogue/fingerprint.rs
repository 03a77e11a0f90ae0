//! Per-indicator fingerprints, so that outputs made with different catalogues can still be compared on the
//! indicators whose definitions are the same.

use super::model::{Catalogue, Indicator, Location};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

impl Catalogue {
    /// A SHA-256 per indicator id over everything that decides its values and RAG: its rows, conditions, unit,
    /// windows, breakdowns and targets, and the catalogue's calendar, value maps, current-status tables and amber
    /// rule. Words shown to readers (title, definition, narrative, section, decimals, source, caveats) and where
    /// it sits in the file are left out, so rewording or moving an indicator keeps its fingerprint.
    pub fn definition_hashes(&self) -> BTreeMap<String, String> {
        let shared = format!(
            "{:?}|{:?}|{:?}|{:?}",
            self.calendar,
            self.value_maps,
            self.current_status,
            self.amber_within_percent_of_target
        );
        self.indicators
            .iter()
            .map(|indicator| {
                let definition = computed_part(indicator);
                let digest = Sha256::digest(format!("{shared}|{definition:?}").as_bytes());
                (indicator.id.clone(), format!("{digest:x}"))
            })
            .collect()
    }
}

/// The indicator with its words for readers and its place in the file blanked.
fn computed_part(indicator: &Indicator) -> Indicator {
    Indicator {
        title: String::new(),
        short_title: None,
        definition: String::new(),
        numerator_definition: None,
        denominator_definition: None,
        section: None,
        narrative: None,
        decimals: None,
        source: None,
        caveats: None,
        at: Location { line: 0, column: 0 },
        ..indicator.clone()
    }
}
