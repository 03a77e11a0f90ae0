//! csc-indicators: children's social care performance indicators for English councils, computed from Standard
//! Safeguarding Dataset Parquet snapshots with Polars, as declared in a YAML catalogue.
//!
//! The modules, in the order data flows through them:
//! - [`input`]: where the data comes from.
//!   - `contract`: the SSD tables and columns read, with their logical types;
//!   - `extract`: the SSD's tables in the council's database, over ODBC, into a snapshot (`connection_string`,
//!     `source`, `table`, `staging`, `error`);
//!   - `snapshot`: the latest snapshot of every LA, found (`discover`), normalised (`normalise`, `value_maps`,
//!     `plausible`) and checked per LA (`la_blocks`);
//!   - `reference`: local authorities, population, statistical neighbours, bank holidays, benchmarks.
//! - [`catalogue`]: the indicator definitions, from YAML (`raw`, `recover`) lowered and checked against the contract
//!   (`lower`, `scope`, `lower_steps`, `lower_indicator`, `layout`, `narrative`) into the `model`, type-checked into a
//!   [`catalogue::CheckedCatalogue`] (`checked`); `fingerprint` and `words` describe it.
//! - [`compute`]: the work.
//!   - `engine`: each indicator compiled to Polars plans and executed (`rows`, `steps`, `windows`, `spine`,
//!     `checks`, `date_arithmetic`, `sorted_scans`);
//!   - `scorecard`: targets, RAG, change and comparisons;
//!   - `history`: each month as first reported against the same month computed now.
//! - [`output`]: what is written.
//!   - `schema`: the output contract; `atomic`: staged files renamed into place together, under a lock;
//!   - `manifest`: `run.json`; `table`: an indicator table read back;
//!   - `report`: the HTML scorecards and the Excel workbooks; `publish`: small numbers suppressed; `combine`:
//!     several runs pooled; `docs`: the catalogue reference.
//! - [`pipeline`] ties them together for `run` and `validate`; [`cli`] is the command line over them and
//!   [`failure`] its exit codes; [`synth`] writes synthetic data; [`common`] is the vocabulary they share
//!   (`calendar`, `quality`, `workers`, `lockfile`).

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
