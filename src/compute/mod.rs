//! Computation: the `engine` compiles each catalogue indicator to Polars plans and computes numerator, denominator
//! and value per LA, month and window; the `scorecard` judges them (targets, RAG, change, comparisons); `history`
//! compares each month as first reported with the same month computed now.

pub mod engine;
pub mod history;
pub mod scorecard;
