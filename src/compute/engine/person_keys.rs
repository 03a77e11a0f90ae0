//! Person keys: as the tables enter the engine, each table's person column (text) is replaced by an integer that
//! stands for the LA and the person together, so that the joins and distinct counts on children compare one
//! integer instead of two texts. The keys are made afresh for each batch and never leave the engine: outputs
//! carry `la_code` as text and no person-level column at all.

use crate::input::contract::{self, LA_CODE};
use polars::prelude::*;
use std::collections::BTreeMap;

/// A run of rows of one LA in one table: the table's place in the list of coded tables, the first row, the count.
type Run = (usize, usize, usize);

/// Replaces the person column of every table that has one by its person key: the LA's number in the batch (LAs
/// in code order) in the high 32 bits, the person's number within the LA in the low 32. The same LA and person
/// text give the same key in every table; a missing person gives a missing key. LAs are numbered side by side.
pub(super) fn replace_person_columns(
    tables: &mut BTreeMap<&'static str, DataFrame>,
) -> PolarsResult<()> {
    let coded: Vec<(&'static str, &'static str)> = tables
        .iter()
        .filter_map(|(name, df)| {
            let person = contract::table(name)?.person?;
            (df.schema().get(person) == Some(&DataType::String)).then_some((*name, person))
        })
        .collect();
    let mut keys: Vec<Vec<(usize, UInt64Chunked)>> = vec![Vec::new(); coded.len()];
    {
        let mut columns = Vec::new();
        for (name, person) in &coded {
            let df = &tables[name];
            columns.push((df.column(LA_CODE)?.str()?, df.column(person)?.str()?));
        }
        let mut runs_by_la: BTreeMap<&str, Vec<Run>> = BTreeMap::new();
        for (table, (la, _)) in columns.iter().enumerate() {
            for (code, start, len) in la_runs(la) {
                runs_by_la
                    .entry(code)
                    .or_default()
                    .push((table, start, len));
            }
        }
        let jobs: Vec<(u64, Vec<Run>)> = runs_by_la
            .into_values()
            .enumerate()
            .map(|(number, runs)| (number as u64, runs))
            .collect();
        let coded_runs = crate::common::workers::in_order(jobs, |(number, runs)| {
            let mut people: PlHashMap<&str, u32> = PlHashMap::default();
            let keyed: Vec<(usize, usize, UInt64Chunked)> = runs
                .into_iter()
                .map(|(table, start, len)| {
                    let part: UInt64Chunked = texts(columns[table].1, start, len)
                        .map(|id| {
                            let id = id?;
                            let next = people.len() as u32;
                            let person = *people.entry(id).or_insert(next);
                            Some((number << 32) | u64::from(person))
                        })
                        .collect();
                    (table, start, part)
                })
                .collect();
            Ok::<_, PolarsError>(keyed)
        })?;
        for (table, start, part) in coded_runs.into_iter().flatten() {
            keys[table].push((start, part));
        }
    }
    for ((name, person), mut parts) in coded.into_iter().zip(keys) {
        let Some(df) = tables.get_mut(name) else {
            continue;
        };
        parts.sort_by_key(|(start, _)| *start);
        let mut column = UInt64Chunked::full_null(person.into(), 0);
        for (start, part) in parts {
            // Rows without an LA code (between runs) have no key.
            let gap = start - column.len();
            column.append(&UInt64Chunked::full_null(person.into(), gap))?;
            column.append(&part)?;
        }
        let rest = df.height() - column.len();
        column.append(&UInt64Chunked::full_null(person.into(), rest))?;
        let column = column.rechunk().into_owned().with_name(person.into());
        df.with_column(column.into_column())?;
    }
    Ok(())
}

/// The texts of rows `start..start + len` of `column`, borrowed from its chunks.
fn texts(column: &StringChunked, start: usize, len: usize) -> impl Iterator<Item = Option<&str>> {
    let mut chunk_start = 0;
    column.downcast_iter().flat_map(move |chunk| {
        let first = chunk_start;
        chunk_start += chunk.len();
        let (from, to) = (start.max(first), (start + len).min(first + chunk.len()));
        (from..to.max(from)).map(move |row| chunk.get(row - first))
    })
}

/// The runs of equal LA codes in `la`, in row order, as (code, first row, count); rows without a code are in no run
/// (and get no key).
fn la_runs(la: &StringChunked) -> Vec<(&str, usize, usize)> {
    let mut runs: Vec<(&str, usize, usize)> = Vec::new();
    for (row, code) in la.iter().enumerate() {
        match (runs.last_mut(), code) {
            (Some((last, start, len)), Some(code)) if *last == code && *start + *len == row => {
                *len += 1
            }
            (_, Some(code)) => runs.push((code, row, 1)),
            (_, None) => {}
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(df: &DataFrame, column: &str) -> Vec<Option<u64>> {
        df.column(column).unwrap().u64().unwrap().iter().collect()
    }

    /// One person text in one LA is one key in every table, wherever its rows fall; the same text in another LA
    /// is another person; a missing id has no key.
    #[test]
    fn a_key_names_the_la_and_the_person_across_tables() {
        let mut tables = BTreeMap::new();
        tables.insert(
            "ssd_person",
            df!(
                LA_CODE => ["202", "201", "201", "202"],
                "pers_person_id" => ["A", "A", "B", "B"],
            )
            .unwrap(),
        );
        tables.insert(
            "ssd_cla_episodes",
            df!(
                LA_CODE => ["201", "202", "201", "201", "202"],
                "clae_person_id" => [Some("B"), Some("A"), None, Some("A"), Some("C")],
            )
            .unwrap(),
        );
        replace_person_columns(&mut tables).unwrap();
        let people = keys(&tables["ssd_person"], "pers_person_id");
        let episodes = keys(&tables["ssd_cla_episodes"], "clae_person_id");
        let (a202, a201, b201, b202) = (people[0], people[1], people[2], people[3]);
        assert_eq!(episodes, vec![b201, a202, None, a201, episodes[4]]);
        let mut distinct = vec![a202, a201, b201, b202, episodes[4]];
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 5, "five people: {distinct:?}");
        // LAs are numbered in code order: 201's keys sort before 202's.
        assert!(a201 < a202 && b201 < b202);
    }

    /// Tables without their person column (not read by the catalogue) are left as they are.
    #[test]
    fn a_table_without_its_person_column_is_left_alone() {
        let mut tables = BTreeMap::new();
        let cases = df!(LA_CODE => ["201"], "clae_cla_id" => ["L1"]).unwrap();
        tables.insert("ssd_cla_episodes", cases.clone());
        replace_person_columns(&mut tables).unwrap();
        assert!(tables["ssd_cla_episodes"].equals(&cases));
    }
}
