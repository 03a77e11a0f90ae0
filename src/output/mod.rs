//! Outputs: what a run writes and what is made from it. `atomic` stages files and renames them into place only
//! when all are written, under a lock on the output folder; `report` turns a run's output into HTML scorecards and
//! Excel workbooks; `publish` writes a copy with small numbers suppressed; `combine` pools several runs' tables;
//! `docs` writes the catalogue reference.

mod atomic;
pub mod combine;
pub mod docs;
pub mod manifest;
pub mod publish;
pub mod report;
pub mod schema;
pub mod table;

pub use atomic::*;
