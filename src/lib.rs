//! csc-indicators: children's social care performance indicators for English councils, computed from Standard
//! Safeguarding Dataset Parquet snapshots with Polars, as declared in a YAML catalogue.
//!
//! The flow is `extract` (the SSD's tables in the council's database, over ODBC, into a snapshot) -> `catalogue`
//! (check the YAML) -> `snapshot` (load the latest snapshot of every LA) -> `engine`
//! (numerator and denominator per LA, month and window) -> `scorecard` (targets, RAG, change, comparisons) ->
//! `output` (atomic Parquet and JSON). `pipeline` ties them together; `history` compares each month as first
//! reported with the month computed now; `report` turns a run's output into HTML
//! scorecards; `docs` writes the catalogue reference; `cli` is the command line over them; `synth` writes synthetic
//! data.

// Errors carry the file, table, column and LA a user needs to fix the input; they are built at most once per run,
// so their size does not matter.
#![allow(clippy::result_large_err)]
#![warn(missing_docs)]

pub mod calendar;
pub mod catalogue;
pub mod cli;
pub mod combine;
pub mod contract;
pub mod docs;
pub mod engine;
pub mod extract;
pub mod failure;
pub mod history;
mod lockfile;
pub mod output;
pub mod pipeline;
pub mod publish;
pub mod quality;
pub mod reference;
pub mod report;
pub mod scorecard;
pub mod snapshot;
pub mod synth;
mod workers;
