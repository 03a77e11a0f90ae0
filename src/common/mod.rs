//! The vocabulary every stage shares: the reporting calendar (months, financial years, working days), data-quality
//! findings, side-by-side workers and lock files.

pub mod calendar;
pub(crate) mod lockfile;
pub mod quality;
pub(crate) mod workers;
