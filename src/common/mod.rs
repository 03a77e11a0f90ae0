//! The vocabulary every stage shares: the reporting calendar (months, financial years, working days), data-quality
//! findings, side-by-side workers and lock files.

pub mod calendar;
pub(crate) mod lockfile;
pub mod quality;
pub(crate) mod workers;

/// The first line of an error's message, trimmed: Polars follows its message with the plan it failed in, which
/// means nothing to the reader of a finding or an error.
pub(crate) fn first_line(message: impl std::fmt::Display) -> String {
    message
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}
