//! The run's own output read back for the scorecard: `indicators.parquet`, `data_quality.parquet` and `run.json`.
//! Nothing is recomputed; the scorecard shows exactly what the run wrote.

use super::ReportError;
use crate::catalogue::Window;
use crate::common::calendar::Month;
use crate::input::contract::LA_CODE;
use crate::output::schema::Flag;
use crate::output::table::IndicatorTable;
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// How many months of history a scorecard reads before its month: 13 months of trend, their year-earlier
/// counterparts, and the same month three years back.
const HISTORY_MONTHS: i32 = 36;

/// One output row's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Point {
    /// What is counted.
    pub numerator: Option<f64>,
    /// What it is out of.
    pub denominator: Option<f64>,
    /// The value in the indicator's unit.
    pub value: Option<f64>,
    /// The target for the month's financial year.
    pub target: Option<f64>,
    /// `green`, `amber` or `red`.
    pub rag: Option<String>,
    /// The previous month's value.
    pub previous_value: Option<f64>,
    /// `value - previous_value`.
    pub change: Option<f64>,
    /// `better`, `worse`, `same`, or `up`, `down` for neutral indicators.
    pub change_direction: Option<String>,
    /// Pooled over the LA's region in the run, and how many LAs.
    pub region: Comparison,
    /// Mean of the statistical neighbours in the run, and how many.
    pub stat_neighbours: Comparison,
    /// Pooled over every LA in the run, and how many.
    pub england: Comparison,
    /// The run's flags.
    pub flags: Vec<Flag>,
}

/// A comparison value and the number of LAs it was made from.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Comparison {
    /// The pooled or mean value.
    pub value: Option<f64>,
    /// How many LAs it covers.
    pub las: Option<u32>,
}

/// A series: one indicator in one window (the total, not a breakdown).
pub type SeriesKey = (String, Window);

/// Everything the run wrote about one LA that its scorecard shows.
#[derive(Debug, Clone)]
pub struct LaResults {
    /// DfE code.
    pub la_code: String,
    /// Name.
    pub la_name: String,
    /// ONS region code.
    pub region_code: String,
    /// The scorecard's month.
    pub month: Month,
    /// The LA's last reported month in the run.
    pub last_month: Month,
    /// The total of each indicator and window, by month.
    pub series: HashMap<SeriesKey, BTreeMap<Month, Point>>,
    /// Breakdown categories in the scorecard's month: (indicator, window) to (breakdown, category, figures).
    pub breakdowns: HashMap<SeriesKey, Vec<(String, String, Point)>>,
    /// The run's data-quality findings about this LA.
    pub findings: Vec<FindingRow>,
    /// Totals as first reported, where `history` wrote `history.parquet` beside the run: (indicator, window,
    /// month) to the first-reporting snapshot's date and its value.
    pub first_reported: HashMap<(String, Window, Month), FirstReport>,
}

/// A month's figure as the board first saw it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FirstReport {
    /// The snapshot that first reported the month.
    pub snapshot_date: NaiveDate,
    /// Its value then.
    pub value: Option<f64>,
}

impl LaResults {
    /// An indicator's total in a window and month.
    pub fn point(&self, indicator: &str, window: Window, month: Month) -> Option<&Point> {
        self.series
            .get(&(indicator.to_string(), window))
            .and_then(|s| s.get(&month))
    }
}

/// One data-quality finding as the scorecard lists it (the row example stays in `data_quality.parquet`: it names a
/// record, and the scorecard goes to boards).
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    /// The kind, e.g. `end_before_start`.
    pub kind: String,
    /// The table.
    pub table: Option<String>,
    /// The column or columns.
    pub column: Option<String>,
    /// Rows affected.
    pub count: Option<u64>,
    /// What is wrong and what to do.
    pub message: String,
}

/// Reads the LAs' results for their scorecard months: `period` for every LA when given, else each LA's last
/// reported month. `las` empty means every LA of the output.
pub fn load(
    table: &IndicatorTable,
    out_dir: &Path,
    las: &[String],
    period: Option<Month>,
) -> Result<Vec<LaResults>, ReportError> {
    let path = table.path.clone();
    let read = unreadable(&path);
    let scan = table.rows.clone();
    let last = scan
        .clone()
        .group_by([col(LA_CODE)])
        .agg([
            col("period_end").max().alias("last"),
            col("la_name").first(),
            col("region_code").first(),
        ])
        .sort([LA_CODE], Default::default())
        .collect()
        .map_err(read)?;
    let mut chosen: Vec<(String, String, String, Month, Month)> = Vec::new();
    let codes = last.column(LA_CODE).map_err(read)?.str().map_err(read)?;
    let names = last.column("la_name").map_err(read)?.str().map_err(read)?;
    let regions = last
        .column("region_code")
        .map_err(read)?
        .str()
        .map_err(read)?;
    let lasts = last.column("last").map_err(read)?.date().map_err(read)?;
    for i in 0..last.height() {
        let (Some(code), Some(end)) = (codes.get(i), lasts.as_date_iter().nth(i).flatten()) else {
            continue;
        };
        if !las.is_empty() && !las.iter().any(|l| l == code) {
            continue;
        }
        let last_month = Month::of(end);
        chosen.push((
            code.to_string(),
            names.get(i).unwrap_or(code).to_string(),
            regions.get(i).unwrap_or_default().to_string(),
            period.unwrap_or(last_month),
            last_month,
        ));
    }
    let unknown: Vec<&String> = las
        .iter()
        .filter(|l| !chosen.iter().any(|c| &c.0 == *l))
        .collect();
    if !unknown.is_empty() {
        let present: Vec<String> = (0..last.height())
            .filter_map(|i| codes.get(i).map(str::to_string))
            .collect();
        return Err(ReportError::UnknownLas {
            path,
            unknown: unknown.into_iter().cloned().collect(),
            present,
        });
    }
    if chosen.is_empty() {
        return Err(ReportError::Read {
            path,
            detail: "the file has no rows: run `csc-indicators run` on data with at least one LA"
                .into(),
        });
    }
    let earliest = chosen.iter().map(|c| c.3).min().expect("not empty");
    let latest = chosen.iter().map(|c| c.3).max().expect("not empty");
    let wanted: Vec<String> = chosen.iter().map(|c| c.0.clone()).collect();
    let wanted = Series::new("wanted".into(), wanted);
    let rows = scan
        .filter(
            col(LA_CODE)
                .is_in(lit(wanted).implode(false), false)
                .and(col("period_end").gt_eq(lit(earliest.plus(-HISTORY_MONTHS).period_end())))
                .and(col("period_end").lt_eq(lit(latest.period_end())))
                .and(
                    col("breakdown")
                        .is_null()
                        .or(col("period_end").gt_eq(lit(earliest.period_end()))),
                ),
        )
        .collect()
        .map_err(read)?;
    let mut by_la: HashMap<String, LaResults> = chosen
        .into_iter()
        .map(|(code, name, region, month, last_month)| {
            (
                code.clone(),
                LaResults {
                    la_code: code,
                    la_name: name,
                    region_code: region,
                    month,
                    last_month,
                    series: HashMap::new(),
                    breakdowns: HashMap::new(),
                    findings: Vec::new(),
                    first_reported: HashMap::new(),
                },
            )
        })
        .collect();
    fill(&rows, &mut by_la).map_err(read)?;
    for la in by_la.values() {
        if la.series.values().all(|s| !s.contains_key(&la.month)) {
            return Err(ReportError::NoResultsForMonth {
                la_code: la.la_code.clone(),
                month: la.month,
                last_month: la.last_month,
            });
        }
    }
    let findings = findings(out_dir)?;
    first_reports(out_dir, &mut by_la)?;
    let mut out: Vec<LaResults> = by_la.into_values().collect();
    for la in &mut out {
        la.findings = findings.get(&la.la_code).cloned().unwrap_or_default();
    }
    out.sort_by(|a, b| a.la_code.cmp(&b.la_code));
    Ok(out)
}

/// Reads the totals' first-reported values from `history.parquet`, when `history` wrote one beside the run.
fn first_reports(
    out_dir: &Path,
    by_la: &mut HashMap<String, LaResults>,
) -> Result<(), ReportError> {
    let path = out_dir.join("history.parquet");
    if !path.is_file() {
        return Ok(());
    }
    let read = unreadable(&path);
    let rows = LazyFrame::scan_parquet(
        PlRefPath::new(path.to_string_lossy().to_string()),
        ScanArgsParquet::default(),
    )
    .map_err(read)?
    .filter(
        col("breakdown")
            .is_null()
            .and(col("first_snapshot_date").is_not_null()),
    )
    .select([
        col(LA_CODE),
        col("indicator_id"),
        col("window"),
        col("period_end"),
        col("first_snapshot_date"),
        col("first_value"),
    ])
    .collect()
    .map_err(read)?;
    let text =
        |name: &str| -> PolarsResult<StringChunked> { Ok(rows.column(name)?.str()?.clone()) };
    let (las, ids, windows) = (
        text(LA_CODE).map_err(read)?,
        text("indicator_id").map_err(read)?,
        text("window").map_err(read)?,
    );
    let ends: Vec<Option<NaiveDate>> = rows
        .column("period_end")
        .and_then(|c| c.date().map(|d| d.as_date_iter().collect()))
        .map_err(read)?;
    let firsts: Vec<Option<NaiveDate>> = rows
        .column("first_snapshot_date")
        .and_then(|c| c.date().map(|d| d.as_date_iter().collect()))
        .map_err(read)?;
    let values = rows
        .column("first_value")
        .map_err(read)?
        .f64()
        .map_err(read)?
        .clone();
    for i in 0..rows.height() {
        let (Some(la), Some(id), Some(window), Some(end), Some(first)) = (
            las.get(i),
            ids.get(i),
            windows.get(i).and_then(Window::parse),
            ends[i],
            firsts[i],
        ) else {
            continue;
        };
        if let Some(results) = by_la.get_mut(la) {
            results.first_reported.insert(
                (id.to_string(), window, Month::of(end)),
                FirstReport {
                    snapshot_date: first,
                    value: values.get(i),
                },
            );
        }
    }
    Ok(())
}

/// Every row of one LA in the run's `indicators.parquet`, in the file's order and with all its columns: the tidy
/// table a workbook's Data sheet holds.
pub fn la_rows(table: &IndicatorTable, la_code: &str) -> Result<DataFrame, ReportError> {
    table
        .rows
        .clone()
        .filter(col(LA_CODE).eq(lit(la_code)))
        .collect()
        .map_err(unreadable(&table.path))
}

/// The path of one of the run's output files, which must exist.
pub(super) fn output_file(out_dir: &Path, name: &str) -> Result<PathBuf, ReportError> {
    let path = out_dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(ReportError::MissingOutput {
            path,
            detail: "no such file".into(),
        })
    }
}

/// Turns a Polars error about `path` into a report error with its first line.
fn unreadable(path: &Path) -> impl Fn(PolarsError) -> ReportError + Copy + '_ {
    move |e| ReportError::Read {
        path: path.to_path_buf(),
        detail: crate::common::first_line(&e),
    }
}

/// Puts each output row into its LA's series or breakdowns.
fn fill(rows: &DataFrame, by_la: &mut HashMap<String, LaResults>) -> PolarsResult<()> {
    let text =
        |name: &str| -> PolarsResult<StringChunked> { Ok(rows.column(name)?.str()?.clone()) };
    let float = |name: &str| -> PolarsResult<Float64Chunked> {
        Ok(rows.column(name)?.cast(&DataType::Float64)?.f64()?.clone())
    };
    let count = |name: &str| -> PolarsResult<UInt32Chunked> {
        Ok(rows.column(name)?.cast(&DataType::UInt32)?.u32()?.clone())
    };
    let (la, indicator, window, breakdown, category) = (
        text(LA_CODE)?,
        text("indicator_id")?,
        text("window")?,
        text("breakdown")?,
        text("breakdown_value")?,
    );
    let (rag, direction, flags) = (text("rag")?, text("change_direction")?, text("flags")?);
    let (numerator, denominator, value, target, previous, change) = (
        float("numerator")?,
        float("denominator")?,
        float("value")?,
        float("target")?,
        float("previous_value")?,
        float("change")?,
    );
    let (region, region_las) = (float("region_value")?, count("region_las")?);
    let (sn, sn_las) = (
        float("stat_neighbours_value")?,
        count("stat_neighbours_las")?,
    );
    let (england, england_las) = (float("england_value")?, count("england_las")?);
    let ends = rows.column("period_end")?.date()?.clone();
    for (i, end) in ends.as_date_iter().enumerate() {
        let (Some(code), Some(end), Some(id), Some(window)) = (
            la.get(i),
            end,
            indicator.get(i),
            window.get(i).and_then(Window::parse),
        ) else {
            continue;
        };
        let Some(results) = by_la.get_mut(code) else {
            continue;
        };
        let month = Month::of(end);
        if month > results.month {
            continue;
        }
        let point = Point {
            numerator: numerator.get(i),
            denominator: denominator.get(i),
            value: value.get(i).filter(|v| v.is_finite()),
            target: target.get(i),
            rag: rag.get(i).map(str::to_string),
            previous_value: previous.get(i),
            change: change.get(i),
            change_direction: direction.get(i).map(str::to_string),
            region: Comparison {
                value: region.get(i),
                las: region_las.get(i),
            },
            stat_neighbours: Comparison {
                value: sn.get(i),
                las: sn_las.get(i),
            },
            england: Comparison {
                value: england.get(i),
                las: england_las.get(i),
            },
            flags: flags.get(i).map(Flag::parse_all).unwrap_or_default(),
        };
        let key = (id.to_string(), window);
        match (breakdown.get(i), category.get(i)) {
            (Some(b), Some(c)) if month == results.month => results
                .breakdowns
                .entry(key)
                .or_default()
                .push((b.to_string(), c.to_string(), point)),
            (Some(_), _) => {}
            (None, _) => {
                results.series.entry(key).or_default().insert(month, point);
            }
        }
    }
    Ok(())
}

/// The findings of `data_quality.parquet`, by LA.
fn findings(out_dir: &Path) -> Result<HashMap<String, Vec<FindingRow>>, ReportError> {
    let path = output_file(out_dir, "data_quality.parquet")?;
    let read = unreadable(&path);
    let file = std::fs::File::open(&path).map_err(|e| ReportError::MissingOutput {
        path: path.clone(),
        detail: e.to_string(),
    })?;
    let df = ParquetReader::new(file).finish().map_err(read)?;
    let text = |name: &str| -> PolarsResult<StringChunked> { Ok(df.column(name)?.str()?.clone()) };
    let (la, kind, table, column, message) = (
        text(LA_CODE).map_err(read)?,
        text("kind").map_err(read)?,
        text("table").map_err(read)?,
        text("column").map_err(read)?,
        text("message").map_err(read)?,
    );
    let counts = df
        .column("count")
        .and_then(|c| c.cast(&DataType::UInt64))
        .map_err(read)?;
    let counts = counts.u64().map_err(read)?;
    let mut out: HashMap<String, Vec<FindingRow>> = HashMap::new();
    for i in 0..df.height() {
        let Some(code) = la.get(i) else { continue };
        out.entry(code.to_string()).or_default().push(FindingRow {
            kind: kind.get(i).unwrap_or("unknown").to_string(),
            table: table.get(i).map(str::to_string),
            column: column.get(i).map(str::to_string),
            count: counts.get(i),
            message: message.get(i).unwrap_or_default().to_string(),
        });
    }
    Ok(out)
}
