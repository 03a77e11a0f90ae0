//! Scans over rows sorted by a key: where each key's rows begin, and a running maximum that starts afresh at each
//! key. One pass over the whole frame, instead of a window per key (`.over(key)`), which Polars evaluates group by
//! group and which is slow when there are hundreds of thousands of keys (children).

use polars::prelude::*;

/// Whether each row is the first of its key, on rows sorted by `key`: the first row, or a row whose key differs
/// from the previous row's (a null equals a null).
pub(super) fn starts_key(key: &[Expr]) -> Expr {
    key.iter()
        .map(|k| k.clone().neq_missing(k.clone().shift(lit(1))))
        .reduce(Expr::or)
        .unwrap_or(lit(false))
        .fill_null(true)
}

/// How far apart two keys' values are kept in [`running_max_before`]: more than the range of any 32-bit value.
const KEY_STRIDE: i64 = 1 << 32;

/// What lifts a 32-bit value to be non-negative.
const VALUE_OFFSET: i64 = 1 << 31;

/// On rows sorted by key, the maximum of `value` (a 32-bit integer, such as a month or a day number) over the
/// earlier rows of the same key: null on a key's first row, and where the earlier values are all null. `starts`
/// is [`starts_key`] of the key.
pub(super) fn running_max_before(value: Expr, starts: Expr) -> Expr {
    let key_number = starts.cast(DataType::Int64).cum_sum(false);
    // Each key's values are lifted above every earlier key's, so a running maximum over the whole frame never
    // carries one key's values into the next: whatever comes from an earlier key falls below zero once lowered.
    let floor = key_number * lit(KEY_STRIDE);
    let lifted = floor.clone() + value.cast(DataType::Int64) + lit(VALUE_OFFSET);
    let before = lifted
        .cum_max(false)
        .fill_null_with_strategy(FillNullStrategy::Forward(None))
        .shift(lit(1))
        - floor;
    when(before.clone().gt_eq(lit(0i64)))
        .then(before - lit(VALUE_OFFSET))
        .otherwise(lit(NULL).cast(DataType::Int64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_running_maximum_restarts_at_each_key_and_skips_nulls() {
        let df = df!(
            "la" => ["A", "A", "A", "A", "B", "B", "B", "C", "C"],
            "child" => [Some("1"), Some("1"), Some("1"), Some("2"), None, None, Some("1"), Some("1"), Some("1")],
            "value" => [Some(5i32), None, Some(3), Some(-40), Some(7), Some(-2), Some(1), None, Some(4)],
        )
        .unwrap();
        let key = [col("la"), col("child")];
        let out = df
            .lazy()
            .with_column(starts_key(&key).alias("starts"))
            .with_column(running_max_before(col("value"), col("starts")).alias("before"))
            .collect()
            .unwrap();
        let starts: Vec<Option<bool>> = out
            .column("starts")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .collect();
        let before: Vec<Option<i64>> = out
            .column("before")
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect();
        let t = Some(true);
        let f = Some(false);
        assert_eq!(starts, [t, f, f, t, t, f, t, t, f]);
        // A's child 1: nothing before 5, then 5, and 5 still after the null; child 2 and the keyless rows of B
        // (one key, null = null) start afresh, negative values included; C's child 1 has only a null before 4.
        assert_eq!(
            before,
            [
                None,
                Some(5),
                Some(5),
                None,
                None,
                Some(7),
                None,
                None,
                None
            ]
        );
    }
}
