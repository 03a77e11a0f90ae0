//! Each LA's rows of a loaded table as one block, so that the per-LA checks read slices of the table instead of
//! grouping every row by its LA code.

use polars::prelude::*;
use std::collections::HashSet;

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

/// `df` with each LA's rows together, and where each LA's rows are. A table is loaded file by file in LA order, so
/// its rows already come in blocks; were they ever mixed, a stable sort by LA puts them back in blocks, each LA's
/// rows in their order.
pub(super) fn la_blocks(df: DataFrame) -> PolarsResult<(DataFrame, Vec<LaBlock>)> {
    let blocks = runs(&df)?;
    let las: HashSet<&str> = blocks.iter().map(|b| b.la_code.as_str()).collect();
    if las.len() == blocks.len() {
        return Ok((df, blocks));
    }
    let sorted = df.sort(
        ["la_code"],
        SortMultipleOptions::default().with_maintain_order(true),
    )?;
    let blocks = runs(&sorted)?;
    Ok((sorted, blocks))
}

/// The runs of consecutive rows with the same LA code.
fn runs(df: &DataFrame) -> PolarsResult<Vec<LaBlock>> {
    let mut blocks: Vec<LaBlock> = Vec::new();
    for (row, la) in df.column("la_code")?.str()?.iter().enumerate() {
        let la = la.unwrap_or_default();
        match blocks.last_mut() {
            Some(block) if block.la_code == la => block.len += 1,
            _ => blocks.push(LaBlock {
                la_code: la.to_string(),
                offset: row,
                len: 1,
            }),
        }
    }
    Ok(blocks)
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
        let df = df!("la_code" => ["201", "201", "202", "203", "203", "203"], "id" => [1, 2, 3, 4, 5, 6]).unwrap();
        let (same, blocks) = la_blocks(df.clone()).unwrap();
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
        let df = df!("la_code" => ["202", "201", "202", "201"], "id" => [1, 2, 3, 4]).unwrap();
        let (sorted, blocks) = la_blocks(df).unwrap();
        assert_eq!(blocks, [block("201", 0, 2), block("202", 2, 2)]);
        let ids: Vec<Option<i32>> = sorted.column("id").unwrap().i32().unwrap().iter().collect();
        assert_eq!(ids, [Some(2), Some(4), Some(1), Some(3)]);
    }

    #[test]
    fn an_empty_table_has_no_blocks() {
        let df = df!("la_code" => Vec::<String>::new()).unwrap();
        assert_eq!(la_blocks(df).unwrap().1, []);
    }
}
