//! The indicator catalogue (`indicators.yaml`): its YAML form, its checked model, and the checks between them.
//!
//! [`load`] and [`parse`] are the one way to a [`CheckedCatalogue`]: the YAML is recovered section by section
//! (`recover`), its settings, steps and indicators are checked against the data contract and lowered to the model
//! (`lower`, `scope`, `lower_steps`, `lower_indicator`, `layout`), and every indicator's plan is type-checked by the
//! engine before any data is read.

mod checked;
mod error;
mod fingerprint;
mod layout;
mod lower;
mod lower_indicator;
mod lower_steps;
mod model;
mod narrative;
mod raw;
mod recover;
mod scope;
mod words;

pub use checked::{CheckedCatalogue, load, parse};
pub use error::{CatalogueError, Problem};
pub use model::*;
pub(crate) use recover::suggest;
