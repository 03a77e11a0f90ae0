//! Judgement and comparison: targets, RAG, change since the previous month, and the same indicator pooled over the
//! LA's region, its statistical neighbours and all LAs in the run.

use crate::catalogue::{Catalogue, Polarity, Unit};
use crate::compute::engine::Spine;
use crate::input::contract::LA_CODE;
use crate::input::reference::Reference;
use crate::output::schema::OUTPUT_COLUMNS;
use polars::prelude::*;

/// The keys of one series: an indicator in one window and breakdown category.
const SERIES: [&str; 5] = [
    "indicator_id",
    "window",
    "breakdown",
    "breakdown_value",
    "month",
];

/// A comparison's method: the sum of the LAs' numerators over the sum of their denominators, scaled as the unit is.
pub const POOLED: &str = "pooled";
/// A comparison's method when some LA's row has no numerator or denominator (a file from elsewhere): the mean of
/// the LAs' values.
pub const MEAN_OF_VALUES: &str = "mean";

/// A join on key columns in which a null key (a total row's breakdown) matches a null.
pub(crate) fn keyed_join(how: JoinType) -> JoinArgs {
    let mut args = JoinArgs::new(how);
    args.nulls_equal = true;
    args
}

fn keys(extra: &[&str]) -> Vec<Expr> {
    extra.iter().chain(SERIES.iter()).map(|k| col(*k)).collect()
}

/// Adds LA names, period end, financial year, metadata, targets, RAG, change and comparisons to computed values.
pub fn judge(
    values: DataFrame,
    catalogue: &Catalogue,
    reference: &Reference,
    spine: &Spine,
) -> PolarsResult<DataFrame> {
    let months = spine.months()?.lazy();
    let meta = indicator_metadata(catalogue)?.lazy();
    let targets = targets(catalogue, spine)?.lazy();
    let las = reference.local_authorities.clone().lazy().select([
        col(LA_CODE),
        col("la_name"),
        col("region_code"),
    ]);
    let base = values
        .lazy()
        .join(
            months,
            [col("month")],
            [col("month")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            las,
            [col(LA_CODE)],
            [col(LA_CODE)],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            meta,
            [col("indicator_id")],
            [col("indicator_id")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            targets,
            [col("indicator_id"), col(LA_CODE), col("financial_year")],
            [col("indicator_id"), col(LA_CODE), col("financial_year")],
            JoinArgs::new(JoinType::Left),
        );
    let margin = coalesce(&[
        col("__amber_within"),
        col("target") * lit(catalogue.amber_within_percent_of_target / 100.0),
    ]);
    let high = col("polarity").eq(lit(Polarity::HighIsGood.name()));
    let low = col("polarity").eq(lit(Polarity::LowIsGood.name()));
    let rag = when(col("target").is_null().or(col("value").is_null()))
        .then(lit(NULL).cast(DataType::String))
        .when(high.clone().and(col("value").gt_eq(col("target"))))
        .then(lit("green"))
        .when(
            high.clone()
                .and(col("value").gt_eq(col("target") - margin.clone())),
        )
        .then(lit("amber"))
        .when(high.clone())
        .then(lit("red"))
        .when(low.clone().and(col("value").lt_eq(col("target"))))
        .then(lit("green"))
        .when(low.clone().and(col("value").lt_eq(col("target") + margin)))
        .then(lit("amber"))
        .when(low.clone())
        .then(lit("red"))
        .otherwise(lit(NULL).cast(DataType::String));
    let neighbours = reference.statistical_neighbours.clone().lazy();
    let judged = compare(with_previous(base), neighbours)
        .with_column(rag.alias("rag"))
        .with_columns(change_columns());
    sort_series(judged, "month")
        .select(OUTPUT_COLUMNS.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
}

/// Adds `previous_value`: the value of the same LA and series one month earlier. `rows` need `la_code`, the series
/// keys (with `month` an integer month index) and `value`. `run` and `publish` (from the published values) share it.
pub fn with_previous(rows: LazyFrame) -> LazyFrame {
    let rows = rows.cache();
    let previous = rows.clone().select([
        col(LA_CODE),
        col("indicator_id"),
        col("window"),
        col("breakdown"),
        col("breakdown_value"),
        (col("month") + lit(1)).alias("month"),
        col("value").alias("previous_value"),
    ]);
    rows.join(
        previous,
        keys(&[LA_CODE]),
        keys(&[LA_CODE]),
        keyed_join(JoinType::Left),
    )
}

/// `change` (`value - previous_value`) and `change_direction`: `better`, `worse` or `same` by `polarity`, `up`,
/// `down` or `same` for neutral indicators, null without both values.
pub fn change_columns() -> [Expr; 2] {
    let high = col("polarity").eq(lit(Polarity::HighIsGood.name()));
    let low = col("polarity").eq(lit(Polarity::LowIsGood.name()));
    let change = col("value") - col("previous_value");
    let direction = when(change.clone().is_null())
        .then(lit(NULL).cast(DataType::String))
        .when(change.clone().eq(lit(0.0)))
        .then(lit("same"))
        .when(
            high.and(change.clone().gt(lit(0.0)))
                .or(low.and(change.clone().lt(lit(0.0)))),
        )
        .then(lit("better"))
        .when(col("polarity").neq(lit(Polarity::Neutral.name())))
        .then(lit("worse"))
        .when(change.clone().gt(lit(0.0)))
        .then(lit("up"))
        .otherwise(lit("down"));
    [change.alias("change"), direction.alias("change_direction")]
}

/// Sorts output rows by LA, series and then `time` (`month` or `period_end`), nulls (totals) first.
pub fn sort_series(rows: LazyFrame, time: &str) -> LazyFrame {
    rows.sort(
        [
            LA_CODE,
            "indicator_id",
            "window",
            "breakdown",
            "breakdown_value",
            time,
        ],
        SortMultipleOptions::default()
            .with_nulls_last(false)
            .with_maintain_order(true),
    )
}

/// Adds the comparisons of each LA's value with the same series (indicator, window, breakdown category, month) of
/// other LAs: its region and every LA pooled (sum of numerators over sum of denominators, scaled as the unit is;
/// the mean of the values instead where some LA's row lacks them, as `region_method` and `england_method` say;
/// counts are not compared), and the mean of its statistical neighbours' values. `rows` needs `la_code`,
/// `region_code`, the series keys, `numerator`, `denominator`, `value` and `__scale` (null for counts);
/// `neighbours` is the reference table `la_code, neighbour_la_code`. `run` and `combine` share it, so that pooling
/// separate runs gives exactly the comparisons of one run.
pub fn compare(rows: LazyFrame, neighbours: LazyFrame) -> LazyFrame {
    let base = rows.cache();
    let pooled = |lf: LazyFrame, group: &[&str], prefix: &str| {
        let method = format!("{prefix}_method");
        lf.filter(col("value").is_not_null())
            .group_by(keys(group))
            .agg([
                col("numerator").sum().alias("__n"),
                col("denominator").sum().alias("__d"),
                col("numerator")
                    .is_null()
                    .or(col("denominator").is_null())
                    .any(true)
                    .alias("__partial"),
                col("value").mean().alias("__mean"),
                col("__scale").first().alias("__s"),
                len()
                    .cast(DataType::UInt32)
                    .alias(format!("{prefix}_las").as_str()),
            ])
            .with_columns([
                when(col("__s").is_null())
                    .then(lit(NULL).cast(DataType::Float64))
                    .when(col("__partial"))
                    .then(col("__mean"))
                    .when(col("__d").eq(lit(0.0)))
                    .then(lit(NULL).cast(DataType::Float64))
                    .otherwise(col("__s") * col("__n") / col("__d"))
                    .alias(format!("{prefix}_value").as_str()),
                when(col("__s").is_null())
                    .then(lit(NULL).cast(DataType::String))
                    .when(col("__partial"))
                    .then(lit(MEAN_OF_VALUES))
                    .otherwise(lit(POOLED))
                    .alias(method.as_str()),
            ])
            .drop(cols(["__n", "__d", "__s", "__partial", "__mean"]))
    };
    let region = pooled(
        base.clone().filter(col("region_code").is_not_null()),
        &["region_code"],
        "region",
    );
    let england = pooled(base.clone(), &[], "england");
    let neighbours = neighbours
        .select([
            col(LA_CODE).alias("__for_la"),
            col("neighbour_la_code").alias(LA_CODE),
        ])
        .join(
            base.clone().filter(col("__scale").is_not_null()),
            [col(LA_CODE)],
            [col(LA_CODE)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("value").is_not_null())
        .group_by(keys(&["__for_la"]))
        .agg([
            col("value").mean().alias("stat_neighbours_value"),
            len().cast(DataType::UInt32).alias("stat_neighbours_las"),
        ])
        .rename(["__for_la"], [LA_CODE], true);
    let mut key_region = vec!["region_code"];
    key_region.extend(SERIES);
    let region_keys: Vec<Expr> = key_region.iter().map(|k| col(*k)).collect();
    base.join(
        region,
        region_keys.clone(),
        region_keys,
        keyed_join(JoinType::Left),
    )
    .join(
        neighbours,
        keys(&[LA_CODE]),
        keys(&[LA_CODE]),
        keyed_join(JoinType::Left),
    )
    .join(england, keys(&[]), keys(&[]), keyed_join(JoinType::Left))
}

/// Unit, polarity, RAG band and comparison scale per indicator.
fn indicator_metadata(catalogue: &Catalogue) -> PolarsResult<DataFrame> {
    let inds = &catalogue.indicators;
    let scale = |u: Unit| match u {
        Unit::Count => None,
        Unit::Percent => Some(100.0),
        Unit::RatePer10k => Some(10_000.0),
        Unit::Days | Unit::Mean => Some(1.0),
    };
    df!(
        "indicator_id" => inds.iter().map(|i| i.id.clone()).collect::<Vec<_>>(),
        "unit" => inds.iter().map(|i| i.unit().name()).collect::<Vec<_>>(),
        "polarity" => inds.iter().map(|i| i.polarity.name()).collect::<Vec<_>>(),
        "__amber_within" => inds.iter().map(|i| i.amber_within).collect::<Vec<_>>(),
        "__scale" => inds.iter().map(|i| scale(i.unit())).collect::<Vec<_>>(),
    )
}

/// The target of every indicator, LA and financial year of the spine that has one.
fn targets(catalogue: &Catalogue, spine: &Spine) -> PolarsResult<DataFrame> {
    let years: Vec<String> = {
        let mut y = Vec::new();
        let mut m = spine.calc_from;
        while m <= spine.report_to() {
            let label = spine.financial_years.label(m);
            if !y.contains(&label) {
                y.push(label);
            }
            m = m.plus(1);
        }
        y
    };
    let (mut ids, mut las, mut fys, mut values) = (vec![], vec![], vec![], vec![]);
    for ind in catalogue
        .indicators
        .iter()
        .filter(|i| !i.targets.is_empty())
    {
        for la in spine.last_month.keys() {
            for year in &years {
                if let Some(t) = ind.targets.for_la_year(la, year) {
                    ids.push(ind.id.clone());
                    las.push(la.clone());
                    fys.push(year.clone());
                    values.push(t);
                }
            }
        }
    }
    df!("indicator_id" => ids, LA_CODE => las, "financial_year" => fys, "target" => values)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three LAs of one region: 1/4 (25%), 3/4 (75%) and 6/8 (75%), the third's numerator given or not.
    fn compared(third_numerator: Option<f64>) -> DataFrame {
        let rows = df!(
            LA_CODE => ["A", "B", "C"],
            "region_code" => ["R"; 3],
            "indicator_id" => ["p"; 3],
            "window" => ["month"; 3],
            "breakdown" => [None::<&str>; 3],
            "breakdown_value" => [None::<&str>; 3],
            "month" => [0i32; 3],
            "numerator" => [Some(1.0), Some(3.0), third_numerator],
            "denominator" => [4.0, 4.0, 8.0],
            "value" => [25.0, 75.0, 75.0],
            "__scale" => [100.0; 3],
        )
        .unwrap();
        let neighbours = df!(
            LA_CODE => ["A"],
            "neighbour_la_code" => ["B"],
        )
        .unwrap();
        compare(rows.lazy(), neighbours.lazy())
            .filter(col(LA_CODE).eq(lit("A")))
            .collect()
            .unwrap()
    }

    fn cell(df: &DataFrame, column: &str) -> AnyValue<'static> {
        df.column(column).unwrap().get(0).unwrap().into_static()
    }

    #[test]
    fn region_and_england_pool_numerators_over_denominators() {
        let a = compared(Some(6.0));
        assert_eq!(cell(&a, "region_value"), AnyValue::Float64(62.5)); // 100 x 10 / 16
        assert_eq!(cell(&a, "england_value"), AnyValue::Float64(62.5));
        assert_eq!(cell(&a, "region_method").to_string(), "\"pooled\"");
        assert_eq!(cell(&a, "region_las"), AnyValue::UInt32(3));
        assert_eq!(cell(&a, "stat_neighbours_value"), AnyValue::Float64(75.0));
    }

    #[test]
    fn a_row_without_its_numerator_makes_the_comparison_a_mean_of_values() {
        let a = compared(None);
        let mean = (25.0 + 75.0 + 75.0) / 3.0;
        assert_eq!(cell(&a, "region_value"), AnyValue::Float64(mean));
        assert_eq!(cell(&a, "england_method").to_string(), "\"mean\"");
        assert_eq!(cell(&a, "region_las"), AnyValue::UInt32(3));
    }
}
