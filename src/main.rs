//! `csc-indicators`: parse the arguments, run the library, map the outcome to an exit code.

use clap::Parser;
use csc_indicators::cli::{Cli, init_logging};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet);
    match cli.execute() {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
