//! The command line: argument types (clap) and the dispatch to the library. Nothing here computes.

use crate::common::calendar::Month;
use crate::compute::engine::RangeRequest;
use crate::failure::CommandError;
use crate::output::combine::{self, CombineOptions};
use crate::output::docs;
use crate::output::publish::{self, PublishOptions};
use crate::output::report::{self, ReportOptions};
use crate::pipeline::{self, RunOptions};
use crate::synth::{self, GenerateOptions};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Children's social care performance indicators from SSD Parquet snapshots.
///
/// Reads the latest snapshot of every local authority under --data, computes the indicators declared in the
/// catalogue for every authority and month, and writes a tidy indicator table with targets, RAG, change since
/// last month and comparisons across authorities.
#[derive(Debug, Parser)]
#[command(name = "csc-indicators", version, propagate_version = true)]
pub struct Cli {
    /// More log output (-v: debug, -vv: trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Log lines as text, or as one JSON object a line (for a scheduler's log collector).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object a line: timestamp, level, message and fields.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute every indicator and write indicators.parquet, data_quality.parquet and run.json.
    Run(RunArgs),
    /// Check the catalogue (and, with --data, the data's schemas) without computing.
    Validate(ValidateArgs),
    /// Show what an indicator computes: its rows, steps, windows and the Polars plan (no data needed).
    Explain(ExplainArgs),
    /// Write the HTML scorecard of each LA and the overview from a run's output (nothing is recomputed).
    Report(ReportArgs),
    /// Write the catalogue reference (Markdown and HTML) from the catalogue.
    Docs(DocsArgs),
    /// Write a shareable copy of a run's indicator table with small numbers suppressed (disclosure control).
    Publish(PublishArgs),
    /// Pool several runs' indicator tables (one per council or shard) with comparisons, ranks and quartiles.
    Combine(CombineArgs),
    /// Write synthetic SSD snapshots and reference tables.
    Generate(GenerateArgs),
    /// Compare each month's figures as first reported (by the earliest kept snapshot whose last complete month it
    /// is) with the same month computed from the latest snapshot; writes history.parquet.
    History(HistoryArgs),
    /// Read the SSD tables from the council's database (SQL Server, PostgreSQL) over ODBC into a new snapshot.
    Extract(ExtractArgs),
}

/// Arguments of `history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The snapshot data directory, with every kept snapshot (e.g. `extract --keep 40`).
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// The indicator catalogue.
    #[arg(long, default_value = "indicators.yaml")]
    pub catalogue: PathBuf,
    /// Where to write history.parquet.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Only this LA (DfE 3-digit code); repeat for several.
    #[arg(long = "la", value_name = "CODE")]
    pub las: Vec<String>,
    /// Load and compute LAs in batches of about this many MiB of input Parquet.
    #[arg(long, value_name = "MIB", default_value_t = pipeline::DEFAULT_BATCH_INPUT_MB)]
    pub batch_input_mb: u64,
}

/// Arguments of `extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// The ODBC connection string, e.g. `Driver={PostgreSQL Unicode};Server=db;Port=5432;Database=reporting;Uid=bi;Pwd=...`.
    /// Better set in the environment than on a command line a scheduler logs.
    #[arg(long, env = crate::input::extract::CONNECTION_VARIABLE, hide_env_values = true, value_parser = parse_connection, value_name = "STRING")]
    pub connection: Option<crate::input::extract::ConnectionString>,
    /// The LA whose database this is (DfE 3-digit code).
    #[arg(long = "la", value_name = "CODE")]
    pub la_code: String,
    /// The schema holding the SSD tables.
    #[arg(long, default_value = crate::input::extract::DEFAULT_SCHEMA)]
    pub schema: String,
    /// The data folder to write the snapshot into.
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// The snapshot's date (default: today).
    #[arg(long, value_name = "DATE")]
    pub snapshot_date: Option<NaiveDate>,
    /// The catalogue whose indicators decide which tables are read.
    #[arg(long, default_value = "indicators.yaml")]
    pub catalogue: PathBuf,
    /// Then remove this LA's snapshots beyond the newest N (never the one just written).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub keep: Option<u64>,
    /// Seconds to wait for the server to answer the login.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub connect_timeout: u64,
}

fn parse_connection(text: &str) -> Result<crate::input::extract::ConnectionString, String> {
    Ok(crate::input::extract::ConnectionString::new(text))
}

/// Arguments of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The snapshot data directory: <table>/la_code=<LA>/snapshot_date=<YYYY-MM-DD>/*.parquet and reference/.
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// The indicator catalogue.
    #[arg(long, default_value = "indicators.yaml")]
    pub catalogue: PathBuf,
    /// Where to write the outputs.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Use each LA's latest snapshot on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// First reported month (default: April three financial years before the current one).
    #[arg(long, value_name = "YYYY-MM")]
    pub from: Option<Month>,
    /// Last reported month (default: each LA's last complete month).
    #[arg(long, value_name = "YYYY-MM")]
    pub to: Option<Month>,
    /// Only this LA (DfE 3-digit code); repeat for several.
    #[arg(long = "la", value_name = "CODE")]
    pub las: Vec<String>,
    /// Only this indicator (its catalogue id); repeat for several. Only the tables they read are loaded.
    #[arg(long = "indicator", value_name = "ID")]
    pub indicators: Vec<String>,
    /// Load and compute LAs in batches of about this many MiB of input Parquet: memory grows with the batch, not
    /// with the number of LAs (an LA larger than this is a batch of its own).
    #[arg(long, value_name = "MIB", default_value_t = pipeline::DEFAULT_BATCH_INPUT_MB)]
    pub batch_input_mb: u64,
    /// Also write the HTML scorecards into <out>/report/ (as `report` does).
    #[arg(long)]
    pub report: bool,
    /// With --report, also write the scorecards as Excel workbooks (<la_code>.xlsx, overview.xlsx).
    #[arg(long, requires = "report")]
    pub xlsx: bool,
    /// Also write history.parquet (as `history` does: each month as first reported by the kept snapshots, against
    /// this run's figures), before the scorecards, which then show it. The run must be of the latest snapshots
    /// over the default range.
    #[arg(long, conflicts_with_all = ["as_of", "from", "to"])]
    pub history: bool,
}

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The run's output folder; the pages go to <out>/report/.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// The catalogue the run used.
    #[arg(long, default_value = "indicators.yaml")]
    pub catalogue: PathBuf,
    /// The data folder whose reference/ holds published benchmarks and region names (default: the run's --data).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Only this LA (DfE 3-digit code); repeat for several.
    #[arg(long = "la", value_name = "CODE")]
    pub las: Vec<String>,
    /// The month of every scorecard (default: each LA's last reported month).
    #[arg(long, value_name = "YYYY-MM")]
    pub period: Option<Month>,
    /// Also write the scorecards as Excel workbooks (<la_code>.xlsx, overview.xlsx).
    #[arg(long)]
    pub xlsx: bool,
}

/// Arguments of `publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The run's output folder.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// The catalogue the run used; its `disclosure` section sets the rules.
    #[arg(long, default_value = "indicators.yaml")]
    pub catalogue: PathBuf,
    /// The file to write (default: <out>/published.parquet).
    #[arg(long)]
    pub to: Option<PathBuf>,
}

/// Arguments of `combine`.
#[derive(Debug, Args)]
pub struct CombineArgs {
    /// Runs' output folders, or their indicators.parquet files.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Where to write the combined indicators.parquet.
    #[arg(long, default_value = "combined")]
    pub out: PathBuf,
    /// A data folder whose reference/ holds the statistical neighbours (without it, none are compared).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Inputs made with different catalogues are combined on the indicators whose definitions are identical in
    /// all of them; the others are left out, and named.
    #[arg(long)]
    pub allow_catalogue_mismatch: bool,
}

/// Arguments of `docs`.
#[derive(Debug, Args)]
pub struct DocsArgs {
    /// The indicator catalogue.
    #[arg(long, default_value = "indicators.yaml")]
    pub catalogue: PathBuf,
    /// Where to write catalogue.md and catalogue.html.
    #[arg(long, default_value = "docs")]
    pub out: PathBuf,
}

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The indicator's catalogue id.
    pub id: String,
    /// The indicator catalogue.
    #[arg(long, default_value = "indicators.yaml")]
    pub catalogue: PathBuf,
    /// Show the plan after Polars' optimisations (pushed-down filters, shared subplans, joins chosen).
    #[arg(long)]
    pub optimized: bool,
}

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The indicator catalogue.
    #[arg(long, default_value = "indicators.yaml")]
    pub catalogue: PathBuf,
    /// Also check the schemas of the snapshot files and the reference tables under this directory.
    #[arg(long)]
    pub data: Option<PathBuf>,
}

/// Arguments of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Where to write the data (created; existing files of the same partitions are replaced).
    #[arg(long)]
    pub out: PathBuf,
    /// How many LAs, taken in a fixed spread over England's regions.
    #[arg(long, conflicts_with = "la_codes")]
    pub las: Option<usize>,
    /// These LAs (DfE 3-digit codes); repeat for several.
    #[arg(long = "la", value_name = "CODE")]
    pub la_codes: Vec<String>,
    /// First month of activity.
    #[arg(long, value_name = "YYYY-MM", default_value = "2021-04")]
    pub from: Month,
    /// Last month of activity.
    #[arg(long, value_name = "YYYY-MM", default_value = "2024-03")]
    pub to: Month,
    /// The snapshot date (default: the day after --to's last day).
    #[arg(long, value_name = "DATE")]
    pub snapshot_date: Option<NaiveDate>,
    /// Random seed: the same arguments and seed give the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Multiplies every LA's child population (0.1 for a quick small set).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Write clean data, without the realistic dirt (descriptions for codes, bad dates, duplicates, ...).
    #[arg(long)]
    pub clean: bool,
    /// The share of rows given a row-level fault (an assessment authorised before it started).
    #[arg(long, default_value_t = 0.004, value_name = "F")]
    pub dirt_rate: f64,
    /// Every LA writes legal status, episode reasons, placement types, care-leaver activity and accommodation, and
    /// health check types as LiquidLogic-style descriptions instead of codes.
    #[arg(long)]
    pub descriptions: bool,
    /// Also write the snapshots a nightly extract kept monthly would have: one on the 1st of each of the last N
    /// months before the final snapshot, lacking what had not yet been entered then (for `history`).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub monthly_snapshots: usize,
}

impl Cli {
    /// Runs the command; returns the line to print on success, or the error with the failure it exits with.
    pub fn execute(self) -> Result<String, CommandError> {
        match self.command {
            Command::Run(a) => {
                let options = RunOptions {
                    data_dir: a.data,
                    catalogue: a.catalogue,
                    out_dir: a.out,
                    as_of: a.as_of,
                    range: RangeRequest {
                        from: a.from,
                        to: a.to,
                    },
                    las: a.las,
                    indicators: a.indicators,
                    batch_input_mb: a.batch_input_mb,
                };
                let s = if show_progress(self.verbose, self.quiet) {
                    pipeline::run_with_progress(&options, &mut ProgressBar::default())?
                } else {
                    pipeline::run(&options)?
                };
                let history = if a.history {
                    let h = crate::compute::history::history_after_run(
                        &crate::compute::history::HistoryOptions {
                            data_dir: options.data_dir.clone(),
                            catalogue: options.catalogue.clone(),
                            out_dir: options.out_dir.clone(),
                            las: options.las.clone(),
                            indicators: options.indicators.clone(),
                            batch_input_mb: options.batch_input_mb,
                        },
                    )?;
                    format!(
                        "\nhistory: {} LA months first reported by a kept snapshot, {} rows revised since, written to {}",
                        h.first_reported,
                        h.revised,
                        h.path.display()
                    )
                } else {
                    String::new()
                };
                let report = if a.report {
                    let r = report::write(&ReportOptions {
                        out_dir: options.out_dir.clone(),
                        catalogue: options.catalogue.clone(),
                        data_dir: Some(options.data_dir.clone()),
                        las: Vec::new(),
                        period: None,
                        xlsx: a.xlsx,
                    })?;
                    format!("\n{}", report_line(&r))
                } else {
                    String::new()
                };
                let slowest: Vec<String> = s
                    .slowest
                    .iter()
                    .map(|(ids, secs)| match ids.as_slice() {
                        [one] => format!("{one} {secs:.1}s"),
                        [first, rest @ ..] => {
                            format!("{first} (+{} sharing its rows) {secs:.1}s", rest.len())
                        }
                        [] => format!("{secs:.1}s"),
                    })
                    .collect();
                tracing::debug!("slowest queries: {}", slowest.join("; "));
                Ok(format!(
                    "{} LAs, {} to {}, {} indicators: {} rows and {} data-quality findings written to {} in {:.1}s{history}{report}",
                    s.las,
                    s.months.0,
                    s.months.1,
                    s.indicators,
                    s.rows,
                    s.findings,
                    s.out_dir.display(),
                    s.seconds
                ))
            }
            Command::Validate(a) => {
                let v = pipeline::validate(&a.catalogue, a.data.as_deref())?;
                let mut out = format!(
                    "catalogue `{}` is valid: {} indicators (version {}, sha256 {})",
                    a.catalogue.display(),
                    v.catalogue.indicators.len(),
                    v.catalogue.version,
                    &v.catalogue.hash[..12]
                );
                if let Some(data) = &a.data {
                    out.push_str(&format!(
                        "\ndata `{}`: {} LAs checked",
                        data.display(),
                        v.las.len()
                    ));
                    for line in &v.not_computable {
                        out.push_str(&format!("\nwarning: {line}"));
                    }
                }
                Ok(out)
            }
            Command::Explain(a) => {
                let catalogue = crate::catalogue::load(&a.catalogue)?;
                Ok(crate::compute::engine::explain(
                    &catalogue,
                    &a.id,
                    a.optimized,
                )?)
            }
            Command::Report(a) => {
                let r = report::write(&ReportOptions {
                    out_dir: a.out,
                    catalogue: a.catalogue,
                    data_dir: a.data,
                    las: a.las,
                    period: a.period,
                    xlsx: a.xlsx,
                })?;
                Ok(report_line(&r))
            }
            Command::Publish(a) => {
                let s = publish::publish(&PublishOptions {
                    out_dir: a.out,
                    catalogue: a.catalogue,
                    to: a.to,
                })?;
                let history = match &s.history {
                    Some(p) => format!(
                        "; the history's first-reported figures likewise in {}",
                        p.display()
                    ),
                    None => String::new(),
                };
                Ok(format!(
                    "{} rows written to {}: {} cells suppressed for small numbers and {} more so that none can be recovered{history}",
                    s.rows,
                    s.path.display(),
                    s.primary,
                    s.secondary
                ))
            }
            Command::Combine(a) => {
                let s = combine::combine(&CombineOptions {
                    inputs: a.inputs,
                    out_dir: a.out.clone(),
                    data_dir: a.data,
                    allow_catalogue_mismatch: a.allow_catalogue_mismatch,
                })?;
                let left_out = match s.left_out.len() {
                    0 => String::new(),
                    n => format!(
                        "; {n} indicators left out as their definitions differ: {}",
                        s.left_out.join(", ")
                    ),
                };
                Ok(format!(
                    "{} inputs, {} LAs: {} rows written to {} in {:.1}s{left_out}",
                    s.inputs,
                    s.las,
                    s.rows,
                    a.out.join("indicators.parquet").display(),
                    s.seconds
                ))
            }
            Command::Docs(a) => {
                let catalogue = crate::catalogue::load(&a.catalogue)?;
                let written = docs::write(&catalogue, &a.out)?;
                let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
                Ok(format!(
                    "catalogue reference of {} indicators written to {}",
                    catalogue.indicators.len(),
                    names.join(" and ")
                ))
            }
            Command::History(a) => {
                let s =
                    crate::compute::history::history(&crate::compute::history::HistoryOptions {
                        data_dir: a.data,
                        catalogue: a.catalogue,
                        out_dir: a.out,
                        las: a.las,
                        indicators: Vec::new(),
                        batch_input_mb: a.batch_input_mb,
                    })?;
                Ok(format!(
                    "{} LAs: {} rows, {} LA months first reported by a kept snapshot ({} snapshot dates computed), {} rows revised since, written to {} in {:.1}s",
                    s.las,
                    s.rows,
                    s.first_reported,
                    s.snapshots_computed,
                    s.revised,
                    s.path.display(),
                    s.seconds
                ))
            }
            Command::Extract(a) => {
                let options = crate::input::extract::ExtractOptions {
                    connection: a
                        .connection
                        .ok_or(crate::input::extract::ExtractError::NoConnection)?,
                    la_code: a.la_code,
                    schema: a.schema,
                    data_dir: a.data,
                    snapshot_date: a
                        .snapshot_date
                        .unwrap_or_else(|| chrono::Local::now().date_naive()),
                    catalogue: a.catalogue,
                    keep: a.keep.map(|k| k as usize),
                    connect_timeout: std::time::Duration::from_secs(a.connect_timeout),
                };
                let s = crate::input::extract::extract(&options)?;
                let removed = match s.removed_snapshots.len() {
                    0 => String::new(),
                    n => format!("; {n} older snapshots removed (--keep)"),
                };
                Ok(format!(
                    "LA {} snapshot {}: {} tables, {} rows from {} ({}) written to {} in {:.1}s{removed}",
                    s.la_code,
                    s.snapshot_date,
                    s.tables.len(),
                    s.rows(),
                    s.server_name,
                    s.source,
                    options.data_dir.display(),
                    s.seconds
                ))
            }
            Command::Generate(a) => {
                let options = GenerateOptions {
                    out_dir: a.out.clone(),
                    la_count: a.las,
                    la_codes: a.la_codes,
                    from: a.from,
                    to: a.to,
                    snapshot_date: a.snapshot_date,
                    seed: a.seed,
                    scale: a.scale,
                    dirt: !a.clean,
                    dirt_rate: a.dirt_rate,
                    descriptions: a.descriptions,
                    monthly_snapshots: a.monthly_snapshots,
                };
                let s = synth::generate(&options).map_err(|e| {
                    CommandError::from(e).context(format!("generating into `{}`", a.out.display()))
                })?;
                Ok(format!(
                    "{} LAs, {} rows in {} files written to {} in {:.1}s",
                    s.las,
                    s.rows,
                    s.files,
                    a.out.display(),
                    s.seconds
                ))
            }
        }
    }
}

/// The line `report` prints.
fn report_line(r: &report::ReportSummary) -> String {
    let workbooks = match r.workbooks {
        0 => String::new(),
        n => format!(", {n} workbooks"),
    };
    format!(
        "{} scorecards ({} cards) and index.html{workbooks} written to {} in {:.1}s",
        r.las,
        r.cards,
        r.report_dir.display(),
        r.seconds
    )
}

/// Whether `run` shows a progress bar: on a terminal, unless -q or -v asks for something else. Elsewhere (a
/// nightly job's log) each batch is an info line instead.
fn show_progress(verbose: u8, quiet: bool) -> bool {
    !quiet && verbose == 0 && std::io::IsTerminal::is_terminal(&std::io::stderr())
}

/// A progress bar on stderr over the LAs of a run.
#[derive(Default)]
struct ProgressBar {
    bar: Option<indicatif::ProgressBar>,
    batches: usize,
}

impl pipeline::Progress for ProgressBar {
    fn start(&mut self, las: usize, batches: usize) {
        let bar = indicatif::ProgressBar::new(las as u64);
        bar.enable_steady_tick(std::time::Duration::from_millis(250));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} LAs  {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        self.bar = Some(bar);
        self.batches = batches;
    }

    fn stage(&mut self, stage: &'static str, batch: Option<usize>) {
        if let Some(bar) = &self.bar {
            match batch {
                Some(b) => bar.set_message(format!("{stage} batch {b} of {}", self.batches)),
                None => bar.set_message(stage),
            }
        }
    }

    fn batch_done(&mut self, las: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(las as u64);
        }
    }
}

impl Drop for ProgressBar {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Sets up `tracing` logs on stderr: `RUST_LOG` if set, else info for this crate (warn on a terminal, where `run`
/// shows a progress bar instead; -q: error, -v: debug, -vv: trace).
pub fn init_logging(verbose: u8, quiet: bool, format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) if show_progress(verbose, quiet) => "warn",
        (false, 0) => "csc_indicators=info,odbc_api=error,warn",
        (false, 1) => "csc_indicators=debug,odbc_api=error,info",
        // Other crates stay at info: at debug, Polars' SQL parser logs every token of every condition. The ODBC
        // layer's warnings are drivers' notes (a driver offering ODBC 3.5 when 3.8 is asked for), not problems.
        _ => "csc_indicators=trace,odbc_api=error,info",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(ansi).try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
