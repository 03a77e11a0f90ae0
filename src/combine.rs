//! `combine`: pools the indicator tables of several runs (one per council, or per shard of LAs) into one, with the
//! comparisons across all their LAs recomputed and ranks and quartiles added. A regional hub shares aggregate
//! tables, never child-level records; `run --la` per shard plus `combine` is also how a run goes past one machine.

use crate::output::{self, OutputError};
use crate::reference::{self, ReferenceError};
use crate::scorecard::{self, OUTPUT_COLUMNS};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The columns `combine` adds to those of `run`, after `status` (`c` for a cell a published input suppressed).
pub const RANK_COLUMNS: [&str; 4] = [
    "region_rank",
    "region_quartile",
    "england_rank",
    "england_quartile",
];

/// Why the inputs could not be combined.
#[allow(missing_docs)] // Variant fields are named for what they hold; the variant's doc says the rest.
#[derive(Debug, thiserror::Error)]
pub enum CombineError {
    /// No input was given.
    #[error("no inputs: name the runs' output folders or their indicators.parquet files")]
    NoInputs,
    /// An input cannot be read.
    #[error("cannot read `{path}`: {detail}")]
    Read { path: PathBuf, detail: String },
    /// An input does not record the catalogue that made it.
    #[error(
        "`{path}` records no catalogue hash in its footer: it was not written by csc-indicators run; run it again"
    )]
    NoCatalogue { path: PathBuf },
    /// The inputs were made with different catalogues.
    #[error(
        "the inputs were made with different catalogues, so their indicators may not mean the same:\n{}\nrun them again with one catalogue",
        files.join("\n")
    )]
    CatalogueMismatch { files: Vec<String> },
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

/// What `combine` is asked to do.
#[derive(Debug, Clone)]
pub struct CombineOptions {
    /// Runs' output folders or `indicators.parquet` files.
    pub inputs: Vec<PathBuf>,
    /// Where `indicators.parquet` goes.
    pub out_dir: PathBuf,
    /// A data folder whose `reference/` holds the statistical neighbours (none compared without it).
    pub data_dir: Option<PathBuf>,
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
    for input in &options.inputs {
        let path = if input.is_dir() {
            input.join("indicators.parquet")
        } else {
            input.clone()
        };
        let (df, kv) = read(&path)?;
        let get = |key: &str| kv.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let hash = get(output::CATALOGUE_HASH_KEY)
            .ok_or_else(|| CombineError::NoCatalogue { path: path.clone() })?;
        let version = get(output::CATALOGUE_VERSION_KEY).unwrap_or_default();
        catalogues
            .entry(format!(
                "version {version}, sha256 {}",
                &hash[..hash.len().min(12)]
            ))
            .or_default()
            .push(path.display().to_string());
        let codes = df.column("la_code")?.str()?.unique()?;
        for la in (0..codes.len()).filter_map(|i| codes.get(i)) {
            if let Some(first) = la_source.insert(la.to_string(), path.clone()) {
                return Err(CombineError::SameLa {
                    la_code: la.to_string(),
                    first,
                    second: path,
                });
            }
        }
        metadata = kv
            .into_iter()
            .filter(|(k, _)| k.starts_with("csc_indicators."))
            .collect();
        frames.push(df.lazy());
    }
    if catalogues.len() > 1 {
        return Err(CombineError::CatalogueMismatch {
            files: catalogues
                .iter()
                .map(|(catalogue, files)| format!("  {catalogue}: {}", files.join(", ")))
                .collect(),
        });
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
    })
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
        .drop(cols(scorecard::COMPARISON_COLUMNS))
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
        col("status"),
        region_rank.alias(RANK_COLUMNS[0]),
        region_quartile.alias(RANK_COLUMNS[1]),
        england_rank.alias(RANK_COLUMNS[2]),
        england_quartile.alias(RANK_COLUMNS[3]),
    ]);
    Ok(scorecard::sort_series(
        scorecard::compare(rows, neighbours).select(columns),
        "period_end",
    ))
}

/// The statistical neighbours table (`la_code, neighbour_la_code`), empty without a data folder.
fn neighbours(data_dir: Option<&Path>) -> Result<LazyFrame, CombineError> {
    let empty = || {
        df!("la_code" => Vec::<String>::new(), "neighbour_la_code" => Vec::<String>::new())
            .map(DataFrame::lazy)
    };
    let Some(dir) = data_dir else {
        tracing::warn!("no --data: statistical neighbours are not compared");
        return Ok(empty()?);
    };
    let df = reference::statistical_neighbours(dir)?;
    Ok(df.lazy().select([col("la_code"), col("neighbour_la_code")]))
}

/// An indicator table's rows (the columns of `run`, and `status`: `c` where `publish` suppressed the cell) and
/// footer key-value metadata.
pub(crate) fn read(path: &Path) -> Result<(DataFrame, Vec<(String, String)>), CombineError> {
    let err = |detail: String| CombineError::Read {
        path: path.to_path_buf(),
        detail,
    };
    let file = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
    let mut reader = ParquetReader::new(file);
    let kv: Vec<(String, String)> = reader
        .get_metadata()
        .map_err(|e| err(e.to_string()))?
        .key_value_metadata()
        .iter()
        .flatten()
        .filter_map(|e| Some((e.key.clone(), e.value.clone()?)))
        .collect();
    let df = reader.finish().map_err(|e| err(e.to_string()))?;
    let missing: Vec<&str> = OUTPUT_COLUMNS
        .iter()
        .copied()
        .filter(|c| df.schema().get(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(err(format!(
            "columns {} are missing: it is not an indicators.parquet of csc-indicators run",
            missing.join(", ")
        )));
    }
    let status = match df.column("status") {
        Ok(c) => c.clone(),
        Err(_) => Column::full_null("status".into(), df.height(), &DataType::String),
    };
    let mut rows = df.select(OUTPUT_COLUMNS.iter().copied())?;
    rows.with_column(status)?;
    Ok((rows, kv))
}
