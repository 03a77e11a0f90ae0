//! Each LA's rows of a loaded table as one block, so that the per-LA checks read slices of the table instead of
//! grouping every row by its LA code.

use crate::input::contract::LA_CODE;
use polars::prelude::*;

/// The rows of one LA in a loaded table: `len` rows from row `offset`.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct LaBlock {
    /// The LA's code.
    pub la_code: String,
    /// The LA's first row.
    pub offset: usize,
    /// How many rows the LA has.
    pub len: usize,
}

impl LaBlock {
    /// This LA's part of `column`, without copying it.
    pub fn of(&self, column: &Column) -> Column {
        column.slice(self.offset as i64, self.len)
    }
}

/// `df` with each LA's rows together, the LAs in the order of `order`, and where each LA's rows are. A table is
/// read in runs of files alike (see `FileRun`), so its LAs come in blocks but not always in order, and an LA whose
/// files differ in type comes in several blocks; the blocks are put in order by slicing (no copy), each LA's blocks
/// in the order they came. LAs not in `order` come last.
pub(super) fn la_blocks(df: DataFrame, order: &[&str]) -> PolarsResult<(DataFrame, Vec<LaBlock>)> {
    let found = runs(&df)?;
    let rank = |la: &str| order.iter().position(|o| *o == la).unwrap_or(order.len());
    let mut placed: Vec<&LaBlock> = found.iter().collect();
    // A stable sort: an LA's blocks keep the order they came in.
    placed.sort_by_key(|b| rank(&b.la_code));
    if placed.iter().zip(&found).all(|(p, f)| std::ptr::eq(*p, f)) {
        return Ok((df, found));
    }
    let mut ordered = df.clear();
    for block in &placed {
        ordered.vstack_mut(&df.slice(block.offset as i64, block.len))?;
    }
    let blocks = runs(&ordered)?;
    Ok((ordered, blocks))
}

/// The runs of consecutive rows with the same LA code.
fn runs(df: &DataFrame) -> PolarsResult<Vec<LaBlock>> {
    let la = df.column(LA_CODE)?.str()?;
    let rows = la.len();
    if rows == 0 {
        return Ok(Vec::new());
    }
    // The rows whose code differs from the row before start a run: one vectorised comparison, not a row loop over
    // text.
    let changed = la
        .slice(1, rows - 1)
        .not_equal_missing(&la.slice(0, rows - 1));
    let mut starts = vec![0];
    let mut offset = 1;
    for chunk in changed.downcast_iter() {
        starts.extend(chunk.values().true_idx_iter().map(|i| i + offset));
        offset += chunk.len();
    }
    Ok(starts
        .iter()
        .zip(starts.iter().skip(1).chain([&rows]))
        .map(|(&offset, &end)| LaBlock {
            la_code: la.get(offset).unwrap_or_default().to_string(),
            offset,
            len: end - offset,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(la: &str, offset: usize, len: usize) -> LaBlock {
        LaBlock {
            la_code: la.into(),
            offset,
            len,
        }
    }

    #[test]
    fn rows_in_blocks_are_found_where_they_are() {
        let df =
            df!(LA_CODE => ["201", "201", "202", "203", "203", "203"], "id" => [1, 2, 3, 4, 5, 6])
                .unwrap();
        let (same, blocks) = la_blocks(df.clone(), &["201", "202", "203"]).unwrap();
        assert!(same.equals(&df));
        assert_eq!(
            blocks,
            [block("201", 0, 2), block("202", 2, 1), block("203", 3, 3)]
        );
        let ids = blocks[2].of(same.column("id").unwrap());
        assert_eq!(
            ids.i32().unwrap().iter().collect::<Vec<_>>(),
            [Some(4), Some(5), Some(6)]
        );
    }

    #[test]
    fn mixed_rows_are_put_back_in_blocks_keeping_each_las_order() {
        let df = df!(LA_CODE => ["202", "201", "202", "201"], "id" => [1, 2, 3, 4]).unwrap();
        let (sorted, blocks) = la_blocks(df, &["201", "202"]).unwrap();
        assert_eq!(blocks, [block("201", 0, 2), block("202", 2, 2)]);
        let ids: Vec<Option<i32>> = sorted.column("id").unwrap().i32().unwrap().iter().collect();
        assert_eq!(ids, [Some(2), Some(4), Some(1), Some(3)]);
    }

    #[test]
    fn blocks_out_of_order_are_put_in_order_and_unknown_las_last() {
        let df =
            df!(LA_CODE => ["203", "203", "999", "201", "202"], "id" => [1, 2, 3, 4, 5]).unwrap();
        let (ordered, blocks) = la_blocks(df, &["201", "202", "203"]).unwrap();
        assert_eq!(
            blocks,
            [
                block("201", 0, 1),
                block("202", 1, 1),
                block("203", 2, 2),
                block("999", 4, 1)
            ]
        );
        let ids: Vec<Option<i32>> = ordered
            .column("id")
            .unwrap()
            .i32()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(ids, [Some(4), Some(5), Some(1), Some(2), Some(3)]);
    }

    #[test]
    fn an_empty_table_has_no_blocks() {
        let df = df!(LA_CODE => Vec::<String>::new()).unwrap();
        assert_eq!(la_blocks(df, &["201"]).unwrap().1, []);
    }
}
