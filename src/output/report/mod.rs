//! `report`: the scorecard itself. Reads a run's output (never recomputes) and writes one self-contained HTML page
//! per LA, grouped in the catalogue's sections, and `index.html`, the overview of every LA.
//!
//! The flow is `results` (read the output back) -> `card` (work out each card) -> `page` and `overview` (HTML with
//! maud, charts from `chart`) and, when asked, `workbook` (Excel) -> files staged and renamed into place together.

mod benchmarks;
mod card;
mod chart;
mod format;
mod overview;
mod page;
mod results;
mod style;
mod workbook;

use crate::catalogue::{self, Catalogue, CatalogueError, Indicator, Unit};
use crate::common::calendar::{FinancialYears, Month};
use crate::input::reference::{self, ReferenceError};
use crate::output::manifest::{ManifestError, RunManifest};
use crate::output::table::{IndicatorTable, TableError};
use crate::output::{self, OutputError};
use benchmarks::Benchmarks;
use card::Card;
use results::LaResults;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Why the scorecard could not be written.
#[allow(missing_docs)] // Variant fields are named for what they hold; the variant's doc says the rest.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The run's output is not there.
    #[error(
        "`{path}` cannot be read ({detail}): run `csc-indicators run` first, with the same --out"
    )]
    MissingOutput { path: PathBuf, detail: String },
    /// `run.json` is missing or is not what a run writes.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// `indicators.parquet` is not an indicator table, or was made with another catalogue.
    #[error(transparent)]
    Table(#[from] TableError),
    /// An output file cannot be read.
    #[error("cannot read `{path}`: {detail}")]
    Read { path: PathBuf, detail: String },
    /// `--la` names LAs the output does not have.
    #[error("`{path}` has no results for LA {}: it has {}", unknown.join(", "), present.join(", "))]
    UnknownLas {
        path: PathBuf,
        unknown: Vec<String>,
        present: Vec<String>,
    },
    /// `--period` is a month the LA has no results for.
    #[error(
        "LA {la_code} has no results for {month}: its last reported month is {last_month}; choose another --period"
    )]
    NoResultsForMonth {
        la_code: String,
        month: Month,
        last_month: Month,
    },
    /// The catalogue cannot be used.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// A reference table cannot be used.
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// A page cannot be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A workbook could not be made.
    #[error("cannot make the workbook `{path}`: {detail}")]
    Workbook { path: PathBuf, detail: String },
}

impl crate::failure::Failing for ReportError {
    fn failure(&self) -> crate::failure::Failure {
        use crate::failure::Failure;
        match self {
            ReportError::MissingOutput { .. }
            | ReportError::Read { .. }
            | ReportError::Reference(_) => Failure::BadData,
            ReportError::Manifest(e) => e.failure(),
            ReportError::Table(e) => e.failure(),
            ReportError::UnknownLas { .. }
            | ReportError::NoResultsForMonth { .. }
            | ReportError::Catalogue(_) => Failure::BadCatalogueOrArguments,
            ReportError::Output(e) => e.failure(),
            ReportError::Workbook { .. } => Failure::Internal,
        }
    }
}

/// What `report` is asked to do.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The run's output folder (`indicators.parquet`, `data_quality.parquet`, `run.json`); pages go to `report/`.
    pub out_dir: PathBuf,
    /// The catalogue the run used.
    pub catalogue: PathBuf,
    /// Where the reference tables are (published benchmarks, region names); default: the run's `--data`.
    pub data_dir: Option<PathBuf>,
    /// Only these LAs; empty means all of the output.
    pub las: Vec<String>,
    /// The month of every scorecard; default: each LA's last reported month.
    pub period: Option<Month>,
    /// Also write the scorecards as Excel workbooks, `<la_code>.xlsx` and `overview.xlsx`.
    pub xlsx: bool,
}

/// What `report` wrote.
#[derive(Debug, Clone)]
pub struct ReportSummary {
    /// The folder of the pages.
    pub report_dir: PathBuf,
    /// LA pages written (besides `index.html`).
    pub las: usize,
    /// Workbooks written (each LA's and the overview's), when asked for.
    pub workbooks: usize,
    /// Cards over all pages.
    pub cards: usize,
    /// Wall time.
    pub seconds: f64,
}

/// What every page needs besides its LA's results.
struct Context<'a> {
    /// The catalogue that made the output.
    catalogue: &'a Catalogue,
    /// What `run.json` says.
    manifest: RunManifest,
    /// The financial-year rule.
    years: FinancialYears,
    /// Region names by ONS code.
    region_names: HashMap<String, String>,
}

impl Context<'_> {
    /// The region's name, or its code when the reference table is not at hand.
    fn region_name(&self, code: &str) -> String {
        self.region_names
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    /// The overview's columns: the catalogue's `report: overview:` list, else every indicator that is not a count.
    fn overview_indicators(&self) -> Vec<&Indicator> {
        let c = self.catalogue;
        if c.report.overview.is_empty() {
            return c
                .indicators
                .iter()
                .filter(|i| i.unit() != Unit::Count)
                .collect();
        }
        c.report
            .overview
            .iter()
            .filter_map(|id| c.indicators.iter().find(|i| &i.id == id))
            .collect()
    }
}

/// Writes the scorecards of a run's output into `<out>/report/`, all pages renamed into place together.
pub fn write(options: &ReportOptions) -> Result<ReportSummary, ReportError> {
    let started = Instant::now();
    let catalogue = catalogue::load(&options.catalogue)?;
    let manifest = RunManifest::read(&options.out_dir)?;
    let table = IndicatorTable::read(&results::output_file(
        &options.out_dir,
        "indicators.parquet",
    )?)?;
    table.made_with(&catalogue)?;
    let _lock = output::OutputLock::acquire(&options.out_dir)?;
    let las = results::load(&table, &options.out_dir, &options.las, options.period)?;
    let data_dir = options.data_dir.clone().or_else(|| manifest.data.clone());
    let (benchmarks, region_names) = match &data_dir {
        Some(dir) => (published(dir)?, region_names(dir)),
        None => {
            tracing::warn!(
                "run.json names no data folder and --data is not given: no published benchmarks or region names"
            );
            (Benchmarks::default(), HashMap::new())
        }
    };
    let ctx = Context {
        catalogue: &catalogue,
        manifest,
        years: catalogue.calendar.financial_years,
        region_names,
    };
    let report_dir = options.out_dir.join("report");
    output::ensure_dir(&report_dir)?;
    let mut staged = Vec::new();
    let mut cards = 0;
    let mut workbooks = 0;
    for la in &las {
        let sections = cards_by_section(&ctx, la, &benchmarks);
        cards += sections.iter().map(|(_, _, c)| c.len()).sum::<usize>();
        let html = page::la_page(&ctx, la, &sections);
        staged.push(output::stage_text(
            &report_dir.join(format!("{}.html", la.la_code)),
            &html,
        )?);
        if options.xlsx {
            let path = report_dir.join(format!("{}.xlsx", la.la_code));
            let rows = results::la_rows(&table, &la.la_code)?;
            let title = format!("Children's social care scorecard: {}", la.la_name);
            let bytes = workbook::la_workbook(&title, la, &sections, &rows)
                .map_err(|e| workbook_failed(&path, e))?;
            staged.push(output::stage_bytes(&path, &bytes)?);
            workbooks += 1;
        }
        tracing::debug!(la = %la.la_code, "scorecard written");
    }
    staged.push(output::stage_text(
        &report_dir.join("index.html"),
        &overview::index_page(&ctx, &las),
    )?);
    if options.xlsx {
        let path = report_dir.join("overview.xlsx");
        let bytes =
            workbook::overview_workbook(&overview::title(&las), &ctx.overview_indicators(), &las)
                .map_err(|e| workbook_failed(&path, e))?;
        staged.push(output::stage_bytes(&path, &bytes)?);
        workbooks += 1;
    }
    for s in staged {
        s.commit()?;
    }
    Ok(ReportSummary {
        report_dir,
        las: las.len(),
        workbooks,
        cards,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn workbook_failed(path: &Path, e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError::Workbook {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// The cards of one LA, grouped in the catalogue's sections (one section of all indicators when it declares none).
fn cards_by_section<'a>(
    ctx: &Context<'a>,
    la: &LaResults,
    benchmarks: &'a Benchmarks,
) -> Vec<(String, String, Vec<Card<'a>>)> {
    let catalogue = ctx.catalogue;
    let build = |i: &'a Indicator| card::build(catalogue, i, la, benchmarks);
    if catalogue.report.sections.is_empty() {
        let all = catalogue.indicators.iter().map(build).collect();
        return vec![("indicators".into(), "Indicators".into(), all)];
    }
    catalogue
        .report
        .sections
        .iter()
        .map(|s| {
            let cards = catalogue
                .indicators
                .iter()
                .filter(|i| i.section.as_deref() == Some(s.id.as_str()))
                .map(build)
                .collect();
            (s.id.clone(), s.title.clone(), cards)
        })
        .collect()
}

fn published(data_dir: &Path) -> Result<Benchmarks, ReportError> {
    match reference::published_benchmarks(data_dir)? {
        Some(df) => Benchmarks::from_frame(&df).map_err(|e| ReportError::Read {
            path: data_dir.join("reference").join("published_benchmarks"),
            detail: e.to_string(),
        }),
        None => {
            tracing::info!("no published_benchmarks reference table: the scorecards show none");
            Ok(Benchmarks::default())
        }
    }
}

/// Region names from the `local_authorities` reference table; codes stand in when it cannot be read.
fn region_names(data_dir: &Path) -> HashMap<String, String> {
    let las = match reference::local_authorities(data_dir) {
        Ok(las) => las,
        Err(e) => {
            tracing::warn!("region names unavailable, codes shown instead: {e}");
            return HashMap::new();
        }
    };
    let (Ok(codes), Ok(names)) = (
        las.column("region_code").and_then(|c| c.str().cloned()),
        las.column("region_name").and_then(|c| c.str().cloned()),
    ) else {
        return HashMap::new();
    };
    codes
        .iter()
        .zip(names.iter())
        .filter_map(|(c, n)| Some((c?.to_string(), n?.to_string())))
        .collect()
}
