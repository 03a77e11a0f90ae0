//! Value maps: local values of a coded column turned into the catalogue's codes, per LA where a map says so, with a
//! flag on the values no map names.

use crate::catalogue::{Unmapped, ValueMap};
use crate::input::contract::LA_CODE;
use polars::prelude::*;
use std::collections::BTreeSet;

/// Maps `column` through `maps` (LA-specific entries before general ones; values that already are codes pass).
/// `flag_column` is set true where a value is unmapped (and `unmapped: finding`), `raw_column` keeps that value.
pub(super) fn apply(
    lf: LazyFrame,
    column: &str,
    maps: &[&ValueMap],
    flag_column: &str,
    raw_column: &str,
) -> PolarsResult<LazyFrame> {
    let key = |s: &str| s.trim().to_lowercase();
    let (mut all_keys, mut all_codes, mut la_las, mut la_keys, mut la_codes) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut codes: BTreeSet<String> = BTreeSet::new();
    for map in maps {
        for (local, code) in &map.entries {
            codes.insert(code.clone());
            if map.las.is_empty() {
                all_keys.push(key(local));
                all_codes.push(code.clone());
            } else {
                for la in &map.las {
                    la_las.push(la.clone());
                    la_keys.push(key(local));
                    la_codes.push(code.clone());
                }
            }
        }
    }
    let generic = df!("__map_key" => all_keys, "__code_all" => all_codes)?
        .lazy()
        .unique_stable(None, UniqueKeepStrategy::First);
    let by_la = df!(LA_CODE => la_las, "__map_key" => la_keys, "__code_la" => la_codes)?
        .lazy()
        .unique_stable(None, UniqueKeepStrategy::First);
    let codes = Series::new("codes".into(), codes.into_iter().collect::<Vec<_>>());
    let mapped = coalesce(&[
        col("__code_la"),
        col("__code_all"),
        when(col(column).is_in(lit(codes).implode(false), false))
            .then(col(column))
            .otherwise(lit(NULL)),
    ]);
    let keep = maps.iter().any(|m| m.unmapped == Unmapped::Keep);
    let failed = col(column).is_not_null().and(mapped.clone().is_null());
    let value = if keep {
        coalesce(&[mapped, col(column)])
    } else {
        mapped
    };
    let flag = if keep { lit(false) } else { failed.clone() };
    Ok(lf
        .with_column(
            super::normalise::trim(col(column))
                .str()
                .to_lowercase()
                .alias("__map_key"),
        )
        .left_join(generic, col("__map_key"), col("__map_key"))
        .join(
            by_la,
            [col(LA_CODE), col("__map_key")],
            [col(LA_CODE), col("__map_key")],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            flag.fill_null(false).alias(flag_column),
            when(failed)
                .then(col(column))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias(raw_column),
        ])
        .with_column(value.alias(column))
        .drop(cols(["__map_key", "__code_all", "__code_la"])))
}
