//! csc-indicators: children's social care performance indicators for English councils, computed from Standard
//! Safeguarding Dataset Parquet snapshots with Polars, as declared in a YAML catalogue.
//!
//! The modules, in the order data flows through them:
//! - [`input`]: the data contract, the reference tables, loading snapshots, and `extract` (the SSD's tables in the
//!   council's database, over ODBC, into a snapshot);
//! - [`catalogue`]: the indicator definitions, checked into a [`catalogue::CheckedCatalogue`];
//! - [`compute`]: the engine (numerator and denominator per LA, month and window), the scorecard (targets, RAG,
//!   change, comparisons) and the history of first-reported figures;
//! - [`output`]: atomic Parquet and JSON, the HTML and Excel scorecards, `publish`, `combine` and the catalogue
//!   reference;
//! - [`pipeline`] ties them together for `run` and `validate`; [`cli`] is the command line over them and
//!   [`failure`] its exit codes; [`synth`] writes synthetic data; [`common`] is the vocabulary they share.

// Errors carry the file, table, column and LA a user needs to fix the input; they are built at most once per run,
// so their size does not matter.
#![allow(clippy::result_large_err)]
#![warn(missing_docs)]

pub mod catalogue;
pub mod cli;
pub mod common;
pub mod compute;
pub mod failure;
pub mod input;
pub mod output;
pub mod pipeline;
pub mod synth;
