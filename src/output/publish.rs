//! `publish`: the run's indicator table made safe to share with other councils and a regional hub, by statistical
//! disclosure control as the DfE applies it to children's social care statistics. Small numbers are suppressed,
//! with the next smallest category of a breakdown suppressed too, so that none can be recovered by subtraction.

use crate::catalogue::{self, Catalogue, CatalogueError, Disclosure};
use crate::compute::scorecard::{self, keyed_join};
use crate::input::contract::LA_CODE;
use crate::output::schema::{DISCLOSURE_KEY, OUTPUT_COLUMNS, ROW_KEYS, STATUS};
use crate::output::table::{IndicatorTable, TableError};
use crate::output::{self, OutputError};
use polars::prelude::*;
use std::path::PathBuf;

/// Why the table could not be published.
#[allow(missing_docs)] // Variant fields are named for what they hold; the variant's doc says the rest.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The run's output cannot be read, or was made with another catalogue.
    #[error(transparent)]
    Table(#[from] TableError),
    /// The catalogue cannot be used.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// The published file cannot be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Polars failed while suppressing.
    #[error("suppressing small numbers failed")]
    Polars(#[from] PolarsError),
}

impl crate::failure::Failing for PublishError {
    fn failure(&self) -> crate::failure::Failure {
        use crate::failure::Failure;
        match self {
            PublishError::Table(e) => e.failure(),
            PublishError::Catalogue(_) => Failure::BadCatalogueOrArguments,
            PublishError::Output(e) => e.failure(),
            PublishError::Polars(_) => Failure::Internal,
        }
    }
}

/// What `publish` is asked to do.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    /// The run's output folder.
    pub out_dir: PathBuf,
    /// The catalogue the run used (its `disclosure` rules apply).
    pub catalogue: PathBuf,
    /// The file to write; default `<out>/published.parquet`.
    pub to: Option<PathBuf>,
}

/// What `publish` wrote.
#[derive(Debug, Clone)]
pub struct PublishSummary {
    /// Where the published copy of `history.parquet` was written, when the run's folder has one.
    pub history: Option<PathBuf>,
    /// The file written.
    pub path: PathBuf,
    /// Rows in it.
    pub rows: usize,
    /// Cells suppressed for resting on small numbers.
    pub primary: usize,
    /// Breakdown categories suppressed so that a suppressed one cannot be recovered from the total.
    pub secondary: usize,
}

/// Writes the shareable table.
pub fn publish(options: &PublishOptions) -> Result<PublishSummary, PublishError> {
    let catalogue = catalogue::load(&options.catalogue)?;
    let input = options.out_dir.join("indicators.parquet");
    let table = IndicatorTable::read(&input)?;
    table.made_with(&catalogue)?;
    let metadata = table.footer.entries.clone();
    let df = IndicatorTable {
        rows: table
            .rows
            .select(OUTPUT_COLUMNS.iter().map(|c| col(*c)).collect::<Vec<_>>()),
        ..table
    }
    .collect()?;
    let history = history_input(&options.out_dir)?;
    let first_statuses = match &history {
        Some(h) => Some(first_statuses(&df, h, &catalogue.disclosure)?),
        None => None,
    };
    let mut published = suppress(df.lazy(), &catalogue.disclosure)?.collect()?;
    let count = |name: &str| -> PolarsResult<usize> {
        Ok(published
            .column(name)?
            .as_materialized_series()
            .bool()?
            .sum()
            .unwrap_or(0) as usize)
    };
    let (primary, secondary) = (count("__primary")?, count("__secondary")?);
    let _ = published.drop_in_place("__primary")?;
    let _ = published.drop_in_place("__secondary")?;
    let mut metadata: Vec<(String, String)> = metadata
        .into_iter()
        .filter(|(k, _)| k.starts_with("csc_indicators."))
        .collect();
    metadata.push((DISCLOSURE_KEY.to_string(), rules(&catalogue)));
    let path = options
        .to
        .clone()
        .unwrap_or_else(|| options.out_dir.join("published.parquet"));
    let _lock = output::OutputLock::acquire(&options.out_dir)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        output::ensure_dir(dir)?;
    }
    let staged = output::stage_parquet(&path, &mut published, &metadata)?;
    let history_path = match (history, first_statuses) {
        (Some(history), Some(firsts)) => {
            let mut table = suppress_history(history, &published, firsts)?;
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let history_path = path.with_file_name(format!("{stem}_history.parquet"));
            let staged_history = output::stage_parquet(&history_path, &mut table, &metadata)?;
            staged.commit()?;
            staged_history.commit()?;
            Some(history_path)
        }
        _ => {
            staged.commit()?;
            None
        }
    };
    Ok(PublishSummary {
        history: history_path,
        path,
        rows: published.height(),
        primary,
        secondary,
    })
}

/// The run's `history.parquet`, if `history` wrote one beside it.
fn history_input(out_dir: &std::path::Path) -> Result<Option<DataFrame>, PublishError> {
    let path = out_dir.join("history.parquet");
    if !path.is_file() {
        return Ok(None);
    }
    // An unreadable history is bad input (exit 1), as an unreadable indicators.parquet is.
    let unreadable = |detail: String| {
        PublishError::Table(TableError::Read {
            path: path.clone(),
            detail,
        })
    };
    let file = std::fs::File::open(&path).map_err(|e| unreadable(e.to_string()))?;
    let history = ParquetReader::new(file)
        .finish()
        .map_err(|e| unreadable(e.to_string()))?;
    Ok(Some(history))
}

/// Whether each row's first-reported figures are suppressed: the same rules (primary and secondary) applied to
/// the rows with their first numerators and denominators in place of today's. Keys and `first_status`.
fn first_statuses(
    rows: &DataFrame,
    history: &DataFrame,
    rules: &Disclosure,
) -> PolarsResult<LazyFrame> {
    let keys = ROW_KEYS.map(col);
    let firsts = history.clone().lazy().select(
        ROW_KEYS
            .iter()
            .map(|k| col(*k))
            .chain([
                col("first_value"),
                col("first_numerator"),
                col("first_denominator"),
            ])
            .collect::<Vec<_>>(),
    );
    let as_first = rows
        .clone()
        .lazy()
        .join(firsts, keys.clone(), keys, keyed_join(JoinType::Left))
        .with_columns([
            col("first_value").alias("value"),
            col("first_numerator").alias("numerator"),
            col("first_denominator").alias("denominator"),
        ])
        .drop(cols([
            "first_value",
            "first_numerator",
            "first_denominator",
        ]));
    Ok(suppress(as_first, rules)?.select(
        ROW_KEYS
            .iter()
            .map(|k| col(*k))
            .chain([col(STATUS.name).alias("first_status")])
            .collect::<Vec<_>>(),
    ))
}

/// `history.parquet` with the disclosure rules applied: first-reported figures suppressed as they would have been
/// published, today's value as it is published, and the revision of either suppressed too (with `revised`), so
/// that neither can be read back from the other. `status` and `first_status` carry the marker.
fn suppress_history(
    history: DataFrame,
    published: &DataFrame,
    firsts: LazyFrame,
) -> PolarsResult<DataFrame> {
    let keys = ROW_KEYS.map(col);
    let statuses = published.clone().lazy().select(
        ROW_KEYS
            .iter()
            .map(|k| col(*k))
            .chain([col(STATUS.name)])
            .collect::<Vec<_>>(),
    );
    let columns: Vec<String> = history
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let first_hidden = col("first_status").is_not_null();
    let now_hidden = col(STATUS.name).is_not_null();
    let blank = |c: &str, hidden: Expr, dtype: DataType| {
        when(hidden)
            .then(lit(NULL).cast(dtype))
            .otherwise(col(c))
            .alias(c)
    };
    let either = first_hidden.clone().or(now_hidden.clone());
    let mut select: Vec<Expr> = columns.iter().map(|c| col(c.as_str())).collect();
    select.extend([col(STATUS.name), col("first_status")]);
    history
        .lazy()
        .join(
            statuses,
            keys.clone(),
            keys.clone(),
            keyed_join(JoinType::Left),
        )
        .join(firsts, keys.clone(), keys, keyed_join(JoinType::Left))
        .with_columns([
            blank("first_value", first_hidden.clone(), DataType::Float64),
            blank("first_numerator", first_hidden.clone(), DataType::Float64),
            blank("first_denominator", first_hidden, DataType::Float64),
            blank("value", now_hidden, DataType::Float64),
            blank("revision", either.clone(), DataType::Float64),
            blank("revised", either, DataType::Boolean),
        ])
        .select(select)
        .collect()
}

/// The rules, as the published file's footer records them.
fn rules(catalogue: &Catalogue) -> String {
    let d = &catalogue.disclosure;
    serde_json::json!({
        "suppress_up_to": d.suppress_up_to,
        "marker": d.marker,
        "primary": format!(
            "count and rate: numerator 1 to {n}; percent and mean: numerator or denominator 1 to {n}; days: rows averaged 1 to {n}",
            n = d.suppress_up_to
        ),
        "secondary": "in each breakdown with exactly one suppressed category, the unsuppressed category with the smallest numerator above zero too (a zero only when no other is left)",
        "suppressed_cells": "value, numerator, denominator, rag, previous_value, change and change_direction null; status set to the marker",
    })
    .to_string()
}

/// Marks and blanks the suppressed cells; adds `status` and the boolean columns `__primary`, `__secondary`.
pub fn suppress(rows: LazyFrame, rules: &Disclosure) -> PolarsResult<LazyFrame> {
    let up_to = rules.suppress_up_to as f64;
    let small = |c: &str| {
        col(c)
            .is_not_null()
            .and(col(c).gt_eq(lit(1.0)))
            .and(col(c).lt_eq(lit(up_to)))
    };
    let unit = |u: &str| col("unit").eq(lit(u.to_string()));
    let primary = when(unit("count").or(unit("rate_per_10k")))
        .then(small("numerator"))
        .when(unit("days"))
        .then(small("denominator"))
        .otherwise(small("numerator").or(small("denominator")));
    let group = [LA_CODE, "period_end", "indicator_id", "window", "breakdown"].map(col);
    let candidate = col("breakdown")
        .is_not_null()
        .and(col("__primary").not())
        .and(col("numerator").is_not_null());
    // The smallest category above zero: suppressing a zero would leave the suppressed one bounded by the total.
    let order = when(candidate.clone())
        .then(
            when(col("numerator").gt(lit(0.0)))
                .then(col("numerator"))
                .otherwise(lit(f64::MAX)),
        )
        .otherwise(lit(f64::INFINITY));
    let lone = col("__primary")
        .cast(DataType::UInt32)
        .sum()
        .over(group.clone())?
        .eq(lit(1u32));
    let secondary = candidate
        .and(lone)
        .and(order.clone().eq(order.min().over(group)?));
    let suppressed = col("__primary").or(col("__secondary"));
    let blank = |c: &str, dtype: DataType| {
        when(suppressed.clone())
            .then(lit(NULL).cast(dtype))
            .otherwise(col(c))
            .alias(c)
    };
    let rows = rows
        .with_column(primary.alias("__primary"))
        .with_column(secondary.alias("__secondary"))
        .with_columns([
            blank("value", DataType::Float64),
            blank("numerator", DataType::Float64),
            blank("denominator", DataType::Float64),
            blank("rag", DataType::String),
            when(suppressed)
                .then(lit(rules.marker.clone()))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias(STATUS.name),
        ])
        // The previous month's value and the change are taken from the published values, so that a suppressed
        // month cannot be read back through the next one.
        .with_column(crate::compute::engine::month_of(col("period_end")).alias("month"))
        .drop(cols(["previous_value", "change", "change_direction"]));
    let mut columns: Vec<Expr> = OUTPUT_COLUMNS.iter().map(|c| col(*c)).collect();
    columns.extend([col(STATUS.name), col("__primary"), col("__secondary")]);
    Ok(scorecard::with_previous(rows)
        .with_columns(scorecard::change_columns())
        .select(columns))
}
