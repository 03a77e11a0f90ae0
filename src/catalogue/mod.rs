//! The indicator catalogue (`indicators.yaml`): its YAML form, its checked model, and the checks between them.

mod error;
mod fingerprint;
mod layout;
mod model;
mod narrative;
mod raw;
mod validate;

pub use error::{CatalogueError, Problem};
pub use model::*;
pub(crate) use validate::suggest;
pub use validate::{load, parse};
