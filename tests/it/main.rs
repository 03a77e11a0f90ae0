//! The one integration-test binary: each module tests one part of csc-indicators through its public API or CLI.

mod assessments; // assessments, section 47 enquiries, conferences
mod bad_input; // bad input files: exit codes, messages and findings
mod browser; // the scorecard in headless Chromium
mod care_leavers; // care leavers, adoption timeliness, caseloads
mod catalogue; // the repository catalogue and catalogue errors
mod child_protection; // child protection plans, reviews, visits, allocation
mod children_in_care; // children in care, periods of care, placements, visits, health, education, missing
mod cli; // the command line and its error messages
mod engine; // the engine's generic machinery, on small inline catalogues
mod extract; // extract from a real PostgreSQL server: the sample round trip, every failure, a killed extract
mod front_door; // referrals, re-referrals, early help
mod generator; // the synthetic data generator
mod history; // each month as first reported against now, on hand-built snapshots entered late
mod job; // exit codes, JSON logs, the output lock, a run killed while writing
mod output; // output files, metadata, scorecard columns, no person-level data
mod postgres; // a throwaway PostgreSQL server for the extract tests
mod property; // random catalogues over random tables: no panic, bounded values
mod publish; // disclosure control, and published tables combined
mod quality; // normalisation, data-quality findings, snapshot choice
mod report; // the HTML scorecard and overview on a hand-built run output
mod support; // fixtures
