//! `csc-indicators`: parse the arguments, run the library, map the outcome to an exit code (0 ok, 1 bad input data,
//! 2 bad catalogue or arguments, 3 internal error), never a panic's backtrace.

use clap::Parser;
use csc_indicators::cli::{Cli, init_logging};
use csc_indicators::failure::Failure;
use std::process::ExitCode;

/// Polars allocates and frees many large, short-lived buffers from several threads. jemalloc, with the options in
/// `.cargo/config.toml`, reuses them instead of returning each to the kernel: the England run spends a fraction of
/// the time in the kernel that it does with the system allocator.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet, cli.log_format);
    std::panic::set_hook(Box::new(|info| {
        tracing::error!("internal error: {info}");
        eprintln!(
            "error: internal error in csc-indicators ({info}). The previous output is untouched. Please report this \
             with the command you ran and `csc-indicators --version`."
        );
    }));
    match std::panic::catch_unwind(move || cli.execute()) {
        Ok(Ok(summary)) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(e.failure() as u8)
        }
        Err(_) => ExitCode::from(Failure::Internal as u8),
    }
}
