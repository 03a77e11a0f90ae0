//! The HTML scorecard on a small hand-built run output: headline, target, variance, RAG, change arrows for both
//! polarities, "no data" for a missing value, small numbers, suppressed benchmarks, narratives, the overview's
//! ranks, and the errors a user meets. Every expected figure is worked out by hand from the rows below.

use chrono::NaiveDate;
use csc_indicators::common::calendar::{Month, epoch_days};
use csc_indicators::output::report::{self, ReportError, ReportOptions};
use csc_indicators::output::schema::OUTPUT_COLUMNS;
use polars::prelude::*;
use std::path::{Path, PathBuf};

const CATALOGUE: &str = r#"version: "report-test"
calendar:
  financial_year_start_month: 4
  working_week: [mon, tue, wed, thu, fri]
  bank_holidays: bank_holidays
  working_days: after_start_through_end
  open_at_date: start_on_or_before_end_after
report:
  sections:
    - {id: front_door, title: Front door}
    - {id: protection, title: Child protection}
  overview: [timely, repeat_rate]
  narratives:
    percent: "{value} {window}: {numerator} out of {denominator}."
indicators:
  - id: referrals
    title: Referrals received
    definition: Referrals dated in the window.
    unit: count
    polarity: neutral
    windows: [month, ytd]
    section: front_door
    narrative: "In {month_name}, {value.month} referrals; {value.ytd} {window.ytd}."
    rows: {table: ssd_cin_episodes, dated_by: cine_referral_date}
  - id: timely
    title: Referrals completed within 1 working day
    definition: Of referrals completed in the window, the percentage completed within 1 working day.
    unit: percent
    polarity: high_is_good
    target: 90
    windows: [month, ytd]
    headline: ytd
    section: front_door
    rows:
      table: ssd_cin_episodes
      dated_by: cine_referral_outcome_date
      steps:
        - working_days: {name: wd, from: cine_referral_date, to: cine_referral_outcome_date}
    numerator: wd <= 1
  - id: repeat_rate
    title: Repeat referrals
    definition: Of referrals in the window, the percentage with another referral in the 12 months before.
    unit: percent
    polarity: low_is_good
    target: 18
    windows: [month, ytd]
    headline: ytd
    section: protection
    rows:
      table: ssd_cin_episodes
      dated_by: cine_referral_date
      steps:
        - earlier_record: {name: again, before: cine_referral_date, within_months: 12}
    numerator: again
  - id: few
    title: Referrals from schools
    definition: Referrals from schools in the window.
    unit: count
    polarity: neutral
    windows: [month]
    section: protection
    rows: {table: ssd_cin_episodes, dated_by: cine_referral_date, where: "cine_referral_source_code = '3A'"}
"#;

/// One hand-built output row; unset figures are null.
#[derive(Clone, Default)]
struct Row {
    la: &'static str,
    month: &'static str,
    indicator: &'static str,
    window: &'static str,
    unit: &'static str,
    polarity: &'static str,
    numerator: Option<f64>,
    denominator: Option<f64>,
    value: Option<f64>,
    target: Option<f64>,
    rag: Option<&'static str>,
    previous: Option<f64>,
    direction: Option<&'static str>,
    england: Option<f64>,
}

fn rows() -> Vec<Row> {
    let timely = Row {
        la: "873",
        indicator: "timely",
        window: "ytd",
        unit: "percent",
        polarity: "high_is_good",
        target: Some(90.0),
        ..Row::default()
    };
    let repeat = Row {
        indicator: "repeat_rate",
        polarity: "low_is_good",
        target: Some(18.0),
        ..timely.clone()
    };
    let referrals = Row {
        la: "873",
        indicator: "referrals",
        unit: "count",
        polarity: "neutral",
        ..Row::default()
    };
    vec![
        // 353 of 359 = 98.33%, against 97.0% in February: up 1.3 points, better; 8.3 points over the target of 90.
        Row {
            month: "2024-03",
            numerator: Some(353.0),
            denominator: Some(359.0),
            value: Some(100.0 * 353.0 / 359.0),
            rag: Some("green"),
            previous: Some(97.0),
            direction: Some("better"),
            ..timely.clone()
        },
        Row {
            month: "2024-02",
            numerator: Some(320.0),
            denominator: Some(329.9),
            value: Some(97.0),
            ..timely.clone()
        },
        Row {
            month: "2023-03",
            value: Some(91.5),
            numerator: Some(300.0),
            denominator: Some(327.9),
            ..timely.clone()
        },
        // Darlington completed no referrals: no value, never a zero.
        Row {
            la: "841",
            month: "2024-03",
            numerator: Some(0.0),
            denominator: Some(0.0),
            ..timely.clone()
        },
        // 60 of 250 = 24.0%, against 22.0% in February: up 2 points, worse for a low-is-good indicator; 6 points over 18.
        Row {
            month: "2024-03",
            numerator: Some(60.0),
            denominator: Some(250.0),
            value: Some(24.0),
            rag: Some("red"),
            previous: Some(22.0),
            direction: Some("worse"),
            england: Some(19.5),
            ..repeat.clone()
        },
        Row {
            la: "841",
            month: "2024-03",
            numerator: Some(30.0),
            denominator: Some(200.0),
            value: Some(15.0),
            rag: Some("green"),
            previous: Some(16.0),
            direction: Some("better"),
            ..repeat.clone()
        },
        Row {
            month: "2024-03",
            window: "month",
            numerator: Some(35.0),
            value: Some(35.0),
            previous: Some(41.0),
            direction: Some("down"),
            ..referrals.clone()
        },
        Row {
            month: "2024-03",
            window: "ytd",
            numerator: Some(453.0),
            value: Some(453.0),
            ..referrals.clone()
        },
        Row {
            la: "841",
            month: "2024-03",
            window: "month",
            numerator: Some(12.0),
            value: Some(12.0),
            ..referrals.clone()
        },
        // Three referrals from schools: a small number.
        Row {
            month: "2024-03",
            indicator: "few",
            window: "month",
            numerator: Some(3.0),
            value: Some(3.0),
            ..referrals.clone()
        },
    ]
}

fn month_end(m: &str) -> i32 {
    epoch_days(m.parse::<Month>().unwrap().period_end())
}

fn output_frame(rows: &[Row]) -> DataFrame {
    let s = |f: &dyn Fn(&Row) -> Option<&'static str>| rows.iter().map(f).collect::<Vec<_>>();
    let n = |f: &dyn Fn(&Row) -> Option<f64>| rows.iter().map(f).collect::<Vec<_>>();
    let none_f = vec![None::<f64>; rows.len()];
    let none_u = vec![None::<u32>; rows.len()];
    let mut df = df!(
        "la_code" => s(&|r| Some(r.la)),
        "la_name" => s(&|r| Some(if r.la == "873" { "Cambridgeshire" } else { "Darlington" })),
        "region_code" => s(&|r| Some(if r.la == "873" { "E12000006" } else { "E12000001" })),
        "period_end" => rows.iter().map(|r| month_end(r.month)).collect::<Vec<_>>(),
        "financial_year" => s(&|_| Some("2023-24")),
        "indicator_id" => s(&|r| Some(r.indicator)),
        "window" => s(&|r| Some(r.window)),
        "breakdown" => s(&|_| None),
        "breakdown_value" => s(&|_| None),
        "numerator" => n(&|r| r.numerator),
        "denominator" => n(&|r| r.denominator),
        "value" => n(&|r| r.value),
        "unit" => s(&|r| Some(r.unit)),
        "polarity" => s(&|r| Some(r.polarity)),
        "target" => n(&|r| r.target),
        "rag" => s(&|r| r.rag),
        "previous_value" => n(&|r| r.previous),
        "change" => n(&|r| Some(r.value? - r.previous?)),
        "change_direction" => s(&|r| r.direction),
        "region_value" => none_f.clone(),
        "region_las" => none_u.clone(),
        "region_method" => s(&|_| None),
        "stat_neighbours_value" => none_f.clone(),
        "stat_neighbours_las" => none_u.clone(),
        "england_value" => n(&|r| r.england),
        "england_las" => rows.iter().map(|r| r.england.map(|_| 2u32)).collect::<Vec<_>>(),
        "england_method" => s(&|r| r.england.map(|_| "pooled")),
        "flags" => s(&|_| None),
    )
    .unwrap();
    df.apply("period_end", |c| c.cast(&DataType::Date).unwrap())
        .unwrap();
    assert_eq!(
        df.get_column_names()
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        OUTPUT_COLUMNS
    );
    df
}

fn write_parquet(path: &Path, mut df: DataFrame) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(&mut df)
        .unwrap();
}

/// A run's output folder, its catalogue and a data folder with published benchmarks.
struct Run {
    dir: tempfile::TempDir,
}

impl Run {
    fn new() -> Run {
        let dir = tempfile::tempdir().unwrap();
        let run = Run { dir };
        std::fs::write(run.catalogue(), CATALOGUE).unwrap();
        let catalogue = csc_indicators::catalogue::load(&run.catalogue()).unwrap();
        // The footer a run writes: the catalogue that made the table.
        let footer = csc_indicators::output::table::Footer::of(&catalogue).entries;
        std::fs::create_dir_all(run.out()).unwrap();
        let path = run.out().join("indicators.parquet");
        csc_indicators::output::stage_parquet(&path, &mut output_frame(&rows()), &footer)
            .unwrap()
            .commit()
            .unwrap();
        let quality = df!(
            "table" => ["ssd_cin_episodes"], "column" => ["cine_referral_id"], "la_code" => ["873"],
            "kind" => ["duplicate_id"], "count" => [4u64], "example" => ["cine_referral_id=R1"],
            "message" => ["rows repeat a `cine_referral_id` already seen. Fix the extract so ids are unique"]
        )
        .unwrap();
        write_parquet(&run.out().join("data_quality.parquet"), quality);
        let manifest = serde_json::json!({
            "catalogue": {"sha256": catalogue.hash, "version": catalogue.version},
            "data": run.data().display().to_string(),
            "las": [{"la_code": "873", "snapshot_date": "2024-04-01"}, {"la_code": "841", "snapshot_date": "2024-04-01"}],
        });
        std::fs::write(run.out().join("run.json"), manifest.to_string()).unwrap();
        let year = epoch_days(NaiveDate::from_ymd_opt(2023, 3, 31).unwrap());
        let mut benchmarks = df!(
            "indicator_id" => ["repeat_rate", "repeat_rate", "repeat_rate", "repeat_rate"],
            "year_ending" => [year, year, year - 365, year],
            "geography_level" => ["england", "la", "england", "region"],
            "geography_code" => ["E92000001", "873", "E92000001", "E12000006"],
            "value" => [Some(21.6), None, Some(30.0), Some(20.0)],
            "status" => [None, Some("c"), None, None],
        )
        .unwrap();
        benchmarks
            .apply("year_ending", |c| c.cast(&DataType::Date).unwrap())
            .unwrap();
        write_parquet(
            &run.data()
                .join("reference")
                .join("published_benchmarks.parquet"),
            benchmarks,
        );
        run
    }

    fn catalogue(&self) -> PathBuf {
        self.dir.path().join("catalogue.yaml")
    }
    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn options(&self) -> ReportOptions {
        ReportOptions {
            out_dir: self.out(),
            catalogue: self.catalogue(),
            data_dir: None,
            las: Vec::new(),
            period: None,
            xlsx: false,
        }
    }

    fn write(&self) -> report::ReportSummary {
        report::write(&self.options()).unwrap()
    }

    fn page(&self, name: &str) -> String {
        std::fs::read_to_string(self.out().join("report").join(name)).unwrap()
    }
}

/// The HTML of one card.
fn card<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"indicator-{id}\""))
        .unwrap_or_else(|| panic!("no card for {id}"));
    let end = page[start..].find("</article>").unwrap() + start;
    &page[start..end]
}

#[test]
fn a_card_shows_headline_target_variance_rag_and_change() {
    let run = Run::new();
    let summary = run.write();
    assert_eq!(summary.las, 2);
    assert_eq!(summary.cards, 8, "four indicators on each of two pages");
    let page = run.page("873.html");
    let timely = card(&page, "timely");
    assert!(timely.contains("98.3%"), "{timely}");
    assert!(timely.contains("353 out of 359"));
    assert!(timely.contains("<dd>90.0%</dd>"), "target: {timely}");
    assert!(timely.contains("<dd>+8.3 pts</dd>"), "variance: {timely}");
    assert!(timely.contains("rag-badge-green") && timely.contains("Green"));
    assert!(timely.contains("Year to date"));
    assert!(timely.contains("High is good"));
    assert!(timely.contains("direction-better"));
    assert!(timely.contains("▲"), "up arrow: {timely}");
    assert!(timely.contains("up +1.3 pts (better)"), "{timely}");
    assert!(
        timely.contains("98.3% in the year to date (April 2023 to March 2024): 353 out of 359."),
        "the unit's narrative: {timely}"
    );
    assert!(
        timely.contains("March in earlier years: 2023: 91.5%"),
        "{timely}"
    );
}

#[test]
fn an_increase_is_worse_when_low_is_good() {
    let run = Run::new();
    run.write();
    let page = run.page("873.html");
    let repeat = card(&page, "repeat_rate");
    assert!(repeat.contains("24.0%"));
    assert!(repeat.contains("Low is good"));
    assert!(repeat.contains("<dd>+6.0 pts</dd>"), "variance: {repeat}");
    assert!(repeat.contains("rag-badge-red") && repeat.contains("Red"));
    assert!(repeat.contains("direction-worse"));
    assert!(
        repeat.contains("▲") && repeat.contains("up +2.0 pts (worse)"),
        "{repeat}"
    );
    let other = run.page("841.html");
    let falling = card(&other, "repeat_rate");
    assert!(
        falling.contains("▼") && falling.contains("down -1.0 pts (better)"),
        "{falling}"
    );
    assert!(falling.contains("direction-better"));
}

#[test]
fn a_missing_value_says_no_data_never_zero() {
    let run = Run::new();
    run.write();
    let page = run.page("841.html");
    let timely = card(&page, "timely");
    assert!(
        timely.contains("class=\"value no-data\">no data<"),
        "{timely}"
    );
    assert!(
        !timely.contains(">0.0%<") && !timely.contains(">0%<"),
        "{timely}"
    );
    assert!(timely.contains("0 out of 0"));
}

#[test]
fn suppressed_benchmarks_are_shown_as_suppressed_and_the_latest_year_is_used() {
    let run = Run::new();
    run.write();
    let page = run.page("873.html");
    let repeat = card(&page, "repeat_rate");
    assert!(
        repeat.contains("Published LA, year ending 31 Mar 2023"),
        "{repeat}"
    );
    assert!(repeat.contains("suppressed (c)"), "{repeat}");
    assert!(repeat.contains("Published England, year ending 31 Mar 2023"));
    assert!(
        repeat.contains("21.6%") && !repeat.contains("30.0%"),
        "latest year only: {repeat}"
    );
    assert!(repeat.contains("Published region, year ending 31 Mar 2023"));
    assert!(repeat.contains("20.0%"));
    // 24.0 now against 21.6 published.
    assert!(
        repeat.contains("Current vs published England benchmark: +2.4 pts"),
        "{repeat}"
    );
    // The run's own comparison: 19.5 over 2 LAs.
    assert!(
        repeat.contains("19.5%") && repeat.contains("2 LAs pooled"),
        "{repeat}"
    );
}

#[test]
fn small_numbers_are_marked_and_narratives_read_other_windows() {
    let run = Run::new();
    run.write();
    let page = run.page("873.html");
    let few = card(&page, "few");
    assert!(few.contains("Small number"), "{few}");
    assert!(!card(&page, "referrals").contains("Small number"));
    let referrals = card(&page, "referrals");
    assert!(
        referrals.contains(
            "In March, 35 referrals; 453 in the year to date (April 2023 to March 2024)."
        ),
        "{referrals}"
    );
    assert!(referrals.contains("down -6</span>"), "{referrals}");
}

#[test]
fn the_page_has_every_section_and_the_data_quality_panel() {
    let run = Run::new();
    run.write();
    let page = run.page("873.html");
    assert!(page.contains("<h2 id=\"heading-front_door\">Front door</h2>"));
    assert!(page.contains("<h2 id=\"heading-protection\">Child protection</h2>"));
    let front = page.find("heading-front_door\">").unwrap();
    let protection = page.find("heading-protection\">").unwrap();
    let timely = page.find("id=\"indicator-timely\"").unwrap();
    let repeat = page.find("id=\"indicator-repeat_rate\"").unwrap();
    assert!(front < timely && timely < protection && protection < repeat);
    assert!(page.contains("duplicate id") && page.contains("Fix the extract so ids are unique"));
    assert!(
        !page.contains("R1"),
        "row examples stay in data_quality.parquet"
    );
    assert!(page.contains("Content-Security-Policy"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no external address"
    );
    assert!(
        run.page("841.html")
            .contains("found no data-quality problems")
    );
    for name in ["873.html", "841.html", "index.html"] {
        let html = run.page(name);
        for tag in html.split('<').filter(|t| !t.starts_with('/')) {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            assert!(
                tag.matches(" class=").count() <= 1,
                "{name}: <{tag}> repeats class"
            );
            assert!(
                tag.matches(" id=").count() <= 1,
                "{name}: <{tag}> repeats id"
            );
        }
    }
}

#[test]
fn the_overview_ranks_by_polarity_and_links_each_la() {
    let run = Run::new();
    run.write();
    let index = run.page("index.html");
    assert!(index.contains("href=\"873.html\"") && index.contains("href=\"841.html\""));
    // Repeat referrals, low is good: Darlington 15.0% first, Cambridgeshire 24.0% second of two.
    let cambs = &index[index.find("href=\"873.html\"").unwrap()..];
    let cambs = &cambs[..cambs.find("</tr>").unwrap()];
    assert!(
        cambs.contains("24.0%") && cambs.contains("rank 2 of 2 · Q3"),
        "{cambs}"
    );
    // Timeliness: only Cambridgeshire has a value, so it is ranked 1 of 1; Darlington shows no data.
    assert!(cambs.contains("rank 1 of 1 · Q1"), "{cambs}");
    let darl = &index[index.find("href=\"841.html\"").unwrap()..];
    let darl = &darl[..darl.find("</tr>").unwrap()];
    assert!(
        darl.contains("no data") && darl.contains("rank 1 of 2 · Q1"),
        "{darl}"
    );
    assert!(index.contains("<script>"), "sorting works without a server");
}

#[test]
fn one_la_and_a_chosen_month() {
    let run = Run::new();
    let mut options = run.options();
    options.las = vec!["873".into()];
    options.period = Some("2024-02".parse().unwrap());
    let summary = report::write(&options).unwrap();
    assert_eq!(summary.las, 1);
    let page = run.page("873.html");
    assert!(page.contains("February 2024"));
    assert!(card(&page, "timely").contains("97.0%"));
    options.period = Some("2025-01".parse().unwrap());
    let e = report::write(&options).unwrap_err();
    assert!(matches!(e, ReportError::NoResultsForMonth { .. }), "{e}");
    assert!(
        e.to_string().contains("last reported month is 2024-03"),
        "{e}"
    );
    options.period = None;
    options.las = vec!["999".into()];
    let e = report::write(&options).unwrap_err().to_string();
    assert!(
        e.contains("no results for LA 999") && e.contains("841, 873"),
        "{e}"
    );
}

#[test]
fn an_output_of_another_catalogue_or_none_is_a_clear_error() {
    let run = Run::new();
    std::fs::write(run.catalogue(), CATALOGUE.replace("report-test", "changed")).unwrap();
    let e = report::write(&run.options()).unwrap_err().to_string();
    assert!(
        e.contains("was made with another catalogue (version report-test"),
        "{e}"
    );
    assert!(e.contains("run `csc-indicators run` again"), "{e}");
    let empty = tempfile::tempdir().unwrap();
    let mut options = run.options();
    std::fs::write(run.catalogue(), CATALOGUE).unwrap();
    options.out_dir = empty.path().to_path_buf();
    let e = report::write(&options).unwrap_err().to_string();
    assert!(
        e.contains("run.json") && e.contains("run `csc-indicators run` first"),
        "{e}"
    );
}

#[test]
fn a_failed_report_leaves_the_previous_pages() {
    let run = Run::new();
    run.write();
    let before = run.page("873.html");
    let mut options = run.options();
    options.period = Some("2030-01".parse().unwrap());
    assert!(report::write(&options).is_err());
    assert_eq!(run.page("873.html"), before);
}

/// The Excel workbooks, read back: calamine for the cells, the package's XML for fills and notes.
mod workbook {
    use super::Run;
    use calamine::{Data, Reader, Xlsx, open_workbook};
    use std::io::Read;
    use std::path::Path;

    fn part(path: &Path, name: &str) -> String {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut text = String::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    /// The fill colour (RGB hex) of a cell, following its style index into the workbook's styles.
    fn fill_of(path: &Path, sheet_xml: &str, cell: &str) -> Option<String> {
        let sheet = part(path, sheet_xml);
        let at = sheet.find(&format!("<c r=\"{cell}\""))?;
        let tag = &sheet[at..at + sheet[at..].find('>')?];
        let style: usize = tag.split(" s=\"").nth(1)?.split('"').next()?.parse().ok()?;
        let styles = part(path, "xl/styles.xml");
        let xfs = styles.split("<cellXfs").nth(1)?;
        let xf = xfs.split("<xf ").nth(style + 1)?;
        let fill: usize = xf
            .split("fillId=\"")
            .nth(1)?
            .split('"')
            .next()?
            .parse()
            .ok()?;
        let fills = styles.split("<fills").nth(1)?;
        let fill = fills.split("<fill>").nth(fill + 1)?;
        Some(
            fill.split("fgColor rgb=\"")
                .nth(1)?
                .split('"')
                .next()?
                .to_string(),
        )
    }

    /// The row (0-based) of the Scorecard sheet whose first cell is `title`.
    fn row_of(range: &calamine::Range<Data>, title: &str) -> u32 {
        (0..range.end().unwrap().0 + 1)
            .find(|r| range.get_value((*r, 0)) == Some(&Data::String(title.into())))
            .unwrap_or_else(|| panic!("no row for {title}"))
    }

    #[test]
    fn the_la_workbook_holds_the_hand_worked_card_as_numbers_with_rag_fill_and_empty_cells_for_no_data()
     {
        let run = Run::new();
        let mut options = run.options();
        options.xlsx = true;
        let summary = csc_indicators::output::report::write(&options).unwrap();
        assert_eq!(summary.workbooks, 3, "two LAs and the overview");
        let path = run.out().join("report/873.xlsx");
        let mut book: Xlsx<_> = open_workbook(&path).unwrap();
        assert_eq!(
            book.sheet_names(),
            ["Scorecard", "Trends", "Data", "Data quality"]
        );
        let sheet = book.worksheet_range("Scorecard").unwrap();
        assert_eq!(sheet.get_value((3, 2)), Some(&Data::String("Value".into())));
        // Section header rows in the catalogue's order, then their cards.
        let front_door = row_of(&sheet, "Front door");
        let timely = row_of(&sheet, "Referrals completed within 1 working day");
        let protection = row_of(&sheet, "Child protection");
        assert!(front_door < timely && timely < protection);
        // 353 of 359 = 98.33%, a number (not text), target 90, variance +8.33 points, green, from 97.0: +1.33.
        let number = |c: u32| match sheet.get_value((timely, c)) {
            Some(Data::Float(x)) => *x,
            other => panic!("column {c}: {other:?} is not a number"),
        };
        assert!((number(2) - 100.0 * 353.0 / 359.0).abs() < 1e-9);
        assert_eq!(number(5), 90.0);
        assert!((number(6) - (100.0 * 353.0 / 359.0 - 90.0)).abs() < 1e-9);
        assert_eq!(
            sheet.get_value((timely, 7)),
            Some(&Data::String("Green".into()))
        );
        assert_eq!(number(8), 97.0);
        assert_eq!(
            sheet.get_value((timely, 10)),
            Some(&Data::String("better".into()))
        );
        assert_eq!(
            sheet.get_value((timely, 4)),
            Some(&Data::String("High is good".into()))
        );
        let cell = |c: u8| format!("{}{}", (b'A' + c) as char, timely + 1);
        assert_eq!(
            fill_of(&path, "xl/worksheets/sheet1.xml", &cell(7)).as_deref(),
            Some("FFC6EFCE")
        );
        let styles = part(&path, "xl/styles.xml");
        assert!(
            styles.contains(r##"formatCode="#,##0.0&quot;%&quot;""##),
            "one decimal with a % sign"
        );
        // The low-is-good repeat rate at 24.0% against 18 is red.
        let repeat = row_of(&sheet, "Repeat referrals");
        let cell = format!("H{}", repeat + 1);
        assert_eq!(
            sheet.get_value((repeat, 7)),
            Some(&Data::String("Red".into()))
        );
        assert_eq!(
            fill_of(&path, "xl/worksheets/sheet1.xml", &cell).as_deref(),
            Some("FFFFC7CE")
        );
        assert!(
            part(&path, "xl/worksheets/sheet1.xml").contains("<x14:sparkline>"),
            "13-month sparklines"
        );

        // Darlington completed no referrals: an empty value cell with a note, never a zero.
        let path = run.out().join("report/841.xlsx");
        let mut book: Xlsx<_> = open_workbook(&path).unwrap();
        let sheet = book.worksheet_range("Scorecard").unwrap();
        let timely = row_of(&sheet, "Referrals completed within 1 working day");
        assert!(
            matches!(sheet.get_value((timely, 2)), None | Some(Data::Empty)),
            "{:?}",
            sheet.get_value((timely, 2))
        );
        let notes = part(&path, "xl/comments1.xml");
        assert!(notes.contains("nothing to divide by"), "{notes}");
        // The Data sheet is the LA's tidy rows with the output's columns; the Data quality sheet has no examples.
        let data = book.worksheet_range("Data").unwrap();
        assert_eq!(
            data.get_value((0, 0)),
            Some(&Data::String("la_code".into()))
        );
        assert_eq!(data.height(), 1 + 3, "a header and Darlington's three rows");
        let quality = book.worksheet_range("Data quality").unwrap();
        assert!(
            quality
                .rows()
                .all(|r| !r.iter().any(|c| c.to_string().contains("R1")))
        );
        assert!(
            part(&path, "xl/worksheets/sheet3.xml").contains("autoFilter")
                || part(&path, "xl/tables/table1.xml").contains("autoFilter")
        );
        // Printed on A4 landscape.
        let page = part(&path, "xl/worksheets/sheet1.xml");
        assert!(
            page.contains(r#"paperSize="9""#) && page.contains(r#"orientation="landscape""#),
            "{page}"
        );
    }

    #[test]
    fn the_overview_workbook_ranks_each_la() {
        let run = Run::new();
        let mut options = run.options();
        options.xlsx = true;
        csc_indicators::output::report::write(&options).unwrap();
        let mut book: Xlsx<_> = open_workbook(run.out().join("report/overview.xlsx")).unwrap();
        assert_eq!(book.sheet_names(), ["Overview"]);
        let sheet = book.worksheet_range("Overview").unwrap();
        // Columns: LA code, LA, region, month, then value, rank, quartile for `timely` and `repeat_rate`.
        assert_eq!(
            sheet.get_value((3, 4)),
            Some(&Data::String(
                "Referrals completed within 1 working day".into()
            ))
        );
        let row = |code: &str| {
            (5..sheet.end().unwrap().0 + 1)
                .find(|r| sheet.get_value((*r, 0)) == Some(&Data::String(code.into())))
                .unwrap()
        };
        let (cambs, darlington) = (row("873"), row("841"));
        // Repeat referrals, low is good: Darlington's 15.0% ranks 1st (quartile 1), Cambridgeshire's 24.0% 2nd
        // of 2 (quartile 3).
        assert_eq!(sheet.get_value((darlington, 7)), Some(&Data::Float(15.0)));
        assert_eq!(sheet.get_value((darlington, 8)), Some(&Data::Float(1.0)));
        assert_eq!(sheet.get_value((darlington, 9)), Some(&Data::Float(1.0)));
        assert_eq!(sheet.get_value((cambs, 8)), Some(&Data::Float(2.0)));
        assert_eq!(sheet.get_value((cambs, 9)), Some(&Data::Float(3.0)));
        // Darlington has no timely value: not ranked, an empty cell.
        assert!(matches!(
            sheet.get_value((darlington, 4)),
            None | Some(Data::Empty)
        ));
        assert!(matches!(
            sheet.get_value((darlington, 5)),
            None | Some(Data::Empty)
        ));
    }
}
