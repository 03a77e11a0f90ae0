//! `combine`: pools the indicator tables of several runs (one per council, or per shard of LAs) into one, with the
//! comparisons across all their LAs recomputed and ranks and quartiles added. A regional hub shares aggregate
//! tables, never child-level records; `run --la` per shard plus `combine` is also how a run goes past one machine.

use crate::compute::scorecard;
use crate::input::contract::LA_CODE;
use crate::input::reference::{self, ReferenceError};
use crate::output::schema::{OUTPUT_COLUMNS, RANK_COLUMNS, STATUS};
use crate::output::table::{Footer, IndicatorTable, TableError};
use crate::output::{self, OutputError};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Why the inputs could not be combined.
#[allow(missing_docs)] // Variant fields are named for what they hold; the variant's doc says the rest.
#[derive(Debug, thiserror::Error)]
pub enum CombineError {
    /// No input was given.
    #[error("no inputs: name the runs' output folders or their indicators.parquet files")]
    NoInputs,
    /// An input is not a readable indicator table of csc-indicators.
    #[error(transparent)]
    Table(#[from] TableError),
    /// The inputs were made with different catalogues.
    #[error(
        "the inputs were made with different catalogues, so their indicators may not mean the same:\n{}\nrun them again with one catalogue",
        files.join("\n")
    )]
    CatalogueMismatch { files: Vec<String> },
    /// Inputs of different catalogues cannot be compared indicator by indicator.
    #[error(
        "`{path}` records no indicator definitions in its footer (`{key}`), so it cannot be compared with outputs of another catalogue: run it again with this version of csc-indicators"
    )]
    NoDefinitions { path: PathBuf, key: &'static str },
    /// Inputs of different catalogues share no indicator with an identical definition.
    #[error(
        "the inputs' catalogues share no indicator with an identical definition: there is nothing to compare"
    )]
    NothingShared,
    /// Two inputs hold the same LA.
    #[error("LA {la_code} is in both `{first}` and `{second}`: combine each LA's results once")]
    SameLa {
        la_code: String,
        first: PathBuf,
        second: PathBuf,
    },
    /// The statistical neighbours cannot be read.
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// The output cannot be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Polars failed while pooling.
    #[error("pooling the inputs failed")]
    Polars(#[from] PolarsError),
}

impl crate::failure::Failing for CombineError {
    fn failure(&self) -> crate::failure::Failure {
        use crate::failure::Failure;
        match self {
            CombineError::NoInputs
            | CombineError::CatalogueMismatch { .. }
            | CombineError::NothingShared
            | CombineError::SameLa { .. } => Failure::BadCatalogueOrArguments,
            CombineError::Table(e) => e.failure(),
            CombineError::NoDefinitions { .. } | CombineError::Reference(_) => Failure::BadData,
            CombineError::Output(e) => e.failure(),
            CombineError::Polars(_) => Failure::Internal,
        }
    }
}

/// What `combine` is asked to do.
#[derive(Debug, Clone)]
pub struct CombineOptions {
    /// Runs' output folders or `indicators.parquet` files.
    pub inputs: Vec<PathBuf>,
    /// Where `indicators.parquet` goes.
    pub out_dir: PathBuf,
    /// A data folder whose `reference/` holds the statistical neighbours (none compared without it).
    pub data_dir: Option<PathBuf>,
    /// Combine inputs of different catalogues on the indicators whose definitions are identical in all of them.
    pub allow_catalogue_mismatch: bool,
}

/// What `combine` wrote.
#[derive(Debug, Clone)]
pub struct CombineSummary {
    /// Inputs read.
    pub inputs: usize,
    /// LAs in the output.
    pub las: usize,
    /// Rows written.
    pub rows: usize,
    /// Wall time.
    pub seconds: f64,
    /// Indicators left out because their definitions differ between the inputs' catalogues.
    pub left_out: Vec<String>,
}

/// Combines the inputs into `<out>/indicators.parquet`.
pub fn combine(options: &CombineOptions) -> Result<CombineSummary, CombineError> {
    let started = Instant::now();
    if options.inputs.is_empty() {
        return Err(CombineError::NoInputs);
    }
    let mut frames = Vec::new();
    let mut catalogues: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut metadata = Vec::new();
    let mut la_source: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut definitions: Vec<(PathBuf, Option<BTreeMap<String, String>>)> = Vec::new();
    for input in &options.inputs {
        let path = if input.is_dir() {
            input.join("indicators.parquet")
        } else {
            input.clone()
        };
        let (df, footer) = read(&path)?;
        if footer.catalogue_hash().is_none() {
            return Err(TableError::NoCatalogue { path }.into());
        }
        catalogues
            .entry(footer.catalogue_words())
            .or_default()
            .push(path.display().to_string());
        definitions.push((path.clone(), footer.definition_hashes()));
        let codes = df.column(LA_CODE)?.str()?.unique()?;
        for la in (0..codes.len()).filter_map(|i| codes.get(i)) {
            if let Some(first) = la_source.insert(la.to_string(), path.clone()) {
                return Err(CombineError::SameLa {
                    la_code: la.to_string(),
                    first,
                    second: path,
                });
            }
        }
        metadata = footer
            .entries
            .into_iter()
            .filter(|(k, _)| k.starts_with("csc_indicators."))
            .collect();
        frames.push(df.lazy());
    }
    let mut left_out = Vec::new();
    if catalogues.len() > 1 {
        if !options.allow_catalogue_mismatch {
            return Err(CombineError::CatalogueMismatch {
                files: catalogues
                    .iter()
                    .map(|(catalogue, files)| format!("  {catalogue}: {}", files.join(", ")))
                    .collect(),
            });
        }
        let (shared, differing) = shared_definitions(definitions)?;
        tracing::warn!(
            left_out = differing.len(),
            "the inputs were made with different catalogues: only the {} indicators defined identically in all are combined",
            shared.len()
        );
        metadata.retain(|(k, _)| {
            k != output::schema::CATALOGUE_HASH_KEY && k != output::schema::DEFINITION_HASHES_KEY
        });
        metadata.push((
            output::schema::CATALOGUE_HASH_KEY.to_string(),
            format!(
                "mixed:{}",
                catalogues.keys().cloned().collect::<Vec<_>>().join(";")
            ),
        ));
        metadata.push((
            output::schema::DEFINITION_HASHES_KEY.to_string(),
            serde_json::to_string(&shared).expect("a map of strings serialises"),
        ));
        let ids = Series::new("ids".into(), shared.keys().cloned().collect::<Vec<_>>());
        frames = frames
            .into_iter()
            .map(|f| f.filter(col("indicator_id").is_in(lit(ids.clone()).implode(false), false)))
            .collect();
        left_out = differing;
    }
    let neighbours = neighbours(options.data_dir.as_deref())?;
    let rows = concat(frames, UnionArgs::default())?;
    let mut combined = pooled(rows, neighbours)?.collect()?;
    let las = la_source.len();
    let _lock = output::OutputLock::acquire(&options.out_dir)?;
    let staged = output::stage_parquet(
        &options.out_dir.join("indicators.parquet"),
        &mut combined,
        &metadata,
    )?;
    staged.commit()?;
    Ok(CombineSummary {
        inputs: options.inputs.len(),
        las,
        rows: combined.height(),
        seconds: started.elapsed().as_secs_f64(),
        left_out,
    })
}

/// The indicators every input defines identically (id to fingerprint), and the ids of the others.
fn shared_definitions(
    definitions: Vec<(PathBuf, Option<BTreeMap<String, String>>)>,
) -> Result<(BTreeMap<String, String>, Vec<String>), CombineError> {
    let mut all: Vec<BTreeMap<String, String>> = Vec::new();
    for (path, hashes) in definitions {
        all.push(hashes.ok_or(CombineError::NoDefinitions {
            path,
            key: output::schema::DEFINITION_HASHES_KEY,
        })?);
    }
    let mut ids: Vec<String> = all.iter().flat_map(|h| h.keys().cloned()).collect();
    ids.sort();
    ids.dedup();
    let (shared, differing): (Vec<String>, Vec<String>) = ids.into_iter().partition(|id| {
        let first = all[0].get(id);
        first.is_some() && all.iter().all(|h| h.get(id) == first)
    });
    if shared.is_empty() {
        return Err(CombineError::NothingShared);
    }
    let shared = shared
        .into_iter()
        .map(|id| {
            let hash = all[0][&id].clone();
            (id, hash)
        })
        .collect();
    Ok((shared, differing))
}

/// The comparisons recomputed over all inputs' LAs, then ranks and quartiles.
fn pooled(rows: LazyFrame, neighbours: LazyFrame) -> PolarsResult<LazyFrame> {
    let scale = when(col("unit").eq(lit("percent")))
        .then(lit(100.0))
        .when(col("unit").eq(lit("rate_per_10k")))
        .then(lit(10_000.0))
        .when(col("unit").eq(lit("count")))
        .then(lit(NULL).cast(DataType::Float64))
        .otherwise(lit(1.0));
    let rows = rows
        .drop(cols(output::schema::COMPARISON_COLUMNS))
        .with_columns([scale.alias("__scale"), col("period_end").alias("month")]);
    let series = [
        "indicator_id",
        "window",
        "breakdown",
        "breakdown_value",
        "period_end",
    ];
    let rank_within = |group: Option<&str>| {
        let partition: Vec<Expr> = group.into_iter().chain(series).map(col).collect();
        let ranked = col("value").is_not_null().and(col("__scale").is_not_null());
        let score = when(col("polarity").eq(lit("low_is_good")))
            .then(col("value"))
            .otherwise(lit(0.0) - col("value"));
        let rank = when(ranked.clone())
            .then(
                score
                    .rank(
                        RankOptions {
                            method: RankMethod::Min,
                            descending: false,
                        },
                        None,
                    )
                    .over(partition.clone())?
                    .cast(DataType::UInt32),
            )
            .otherwise(lit(NULL).cast(DataType::UInt32));
        let of = col("value")
            .filter(ranked)
            .count()
            .over(partition)?
            .cast(DataType::UInt32);
        PolarsResult::Ok((
            rank.clone(),
            (lit(1u32) + (lit(4u32) * (rank - lit(1u32))) / of).cast(DataType::UInt32),
        ))
    };
    let (region_rank, region_quartile) = rank_within(Some("region_code"))?;
    let (england_rank, england_quartile) = rank_within(None)?;
    let mut columns: Vec<Expr> = OUTPUT_COLUMNS.iter().map(|c| col(*c)).collect();
    columns.extend([
        col(STATUS.name),
        region_rank.alias(RANK_COLUMNS[0].name),
        region_quartile.alias(RANK_COLUMNS[1].name),
        england_rank.alias(RANK_COLUMNS[2].name),
        england_quartile.alias(RANK_COLUMNS[3].name),
    ]);
    Ok(scorecard::sort_series(
        scorecard::compare(rows, neighbours).select(columns),
        "period_end",
    ))
}

/// The statistical neighbours table (`la_code, neighbour_la_code`), empty without a data folder.
fn neighbours(data_dir: Option<&Path>) -> Result<LazyFrame, CombineError> {
    let empty = || {
        df!(LA_CODE => Vec::<String>::new(), "neighbour_la_code" => Vec::<String>::new())
            .map(DataFrame::lazy)
    };
    let Some(dir) = data_dir else {
        tracing::warn!("no --data: statistical neighbours are not compared");
        return Ok(empty()?);
    };
    let df = reference::statistical_neighbours(dir)?;
    Ok(df.lazy().select([col(LA_CODE), col("neighbour_la_code")]))
}

/// An indicator table's rows (the columns of `run`, and `status`: `c` where `publish` suppressed the cell) and
/// footer.
pub(crate) fn read(path: &Path) -> Result<(DataFrame, Footer), TableError> {
    let table = IndicatorTable::read(path)?;
    let footer = table.footer.clone();
    let has_status = table
        .rows
        .clone()
        .collect_schema()
        .is_ok_and(|s| s.contains(STATUS.name));
    let status = if has_status {
        col(STATUS.name)
    } else {
        lit(NULL).cast(DataType::String).alias(STATUS.name)
    };
    let mut columns: Vec<Expr> = OUTPUT_COLUMNS.iter().map(|c| col(*c)).collect();
    columns.push(status);
    let table = IndicatorTable {
        rows: table.rows.select(columns),
        ..table
    };
    Ok((table.collect()?, footer))
}
