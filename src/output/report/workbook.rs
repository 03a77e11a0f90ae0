//! The scorecard as Excel workbooks, for "send me the figures": `<la_code>.xlsx` (Scorecard, Trends, Data and
//! Data quality sheets) and `overview.xlsx` (every LA against the overview's indicators, with rank and quartile).
//! Values are numbers with the catalogue's decimals as their number format, never text; a missing or suppressed
//! value is an empty cell with a note, never a zero.

use super::benchmarks::Geography;
use super::card::{Card, TREND_MONTHS, polarity_words};
use super::format;
use super::overview::{Rank, ranks};
use super::results::{FindingRow, LaResults};
use crate::catalogue::{Indicator, Unit};
use chrono::Datelike;
use polars::prelude::*;
use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Note, Sparkline, Table, TableColumn,
    TableStyle, Workbook, Worksheet, XlsxError,
};

/// Excel's paper size code for A4.
const A4: u8 = 9;

/// The RAG fills and their text colours (Excel's own Good, Neutral and Bad styles), by the output's word.
pub const RAG_FILLS: [(&str, u32, u32); 3] = [
    ("green", 0xC6EFCE, 0x006100),
    ("amber", 0xFFEB9C, 0x9C5700),
    ("red", 0xFFC7CE, 0x9C0006),
];

/// The Scorecard sheet's columns, in order.
pub const SCORECARD_COLUMNS: [&str; 16] = [
    "Indicator",
    "Headline window",
    "Value",
    "Unit",
    "Polarity",
    "Target",
    "Variance",
    "RAG",
    "Previous month",
    "Change",
    "Direction",
    "Region",
    "Statistical neighbours",
    "All LAs in the run",
    "England (published)",
    "Trend (13 months)",
];

/// Thousands grouped, with the indicator's decimals: `#,##0` or `#,##0.0`.
fn grouped_number_format(indicator: &Indicator) -> String {
    match format::decimals(indicator) {
        0 => "#,##0".to_string(),
        digits => format!("#,##0.{}", "0".repeat(digits)),
    }
}

/// The number format of an indicator's values: its decimals, with a `%` shown (not multiplied) for percentages.
fn value_format(indicator: &Indicator) -> String {
    let base = grouped_number_format(indicator);
    match indicator.unit() {
        Unit::Percent => format!("{base}\"%\""),
        _ => base,
    }
}

/// The number format of a difference (variance, change): signed, in points for percentages.
fn difference_format(indicator: &Indicator) -> String {
    let base = grouped_number_format(indicator);
    let suffix = if indicator.unit() == Unit::Percent {
        "\" pts\""
    } else {
        ""
    };
    format!("+{base}{suffix};-{base}{suffix};{base}{suffix}")
}

fn rag_format(rag: &str) -> Option<Format> {
    RAG_FILLS
        .iter()
        .find(|(word, _, _)| *word == rag)
        .map(|(_, fill, text)| {
            Format::new()
                .set_background_color(Color::RGB(*fill))
                .set_font_color(Color::RGB(*text))
                .set_bold()
                .set_align(FormatAlign::Center)
        })
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Prints on A4 landscape, one page wide, with the header rows on every page.
fn print_setup(sheet: &mut Worksheet, header_rows: u32) -> Result<(), XlsxError> {
    sheet
        .set_landscape()
        .set_paper_size(A4)
        .set_print_fit_to_pages(1, 0);
    if header_rows > 0 {
        sheet.set_repeat_rows(0, header_rows - 1)?;
    }
    Ok(())
}

/// A number, or an empty cell with a note saying why there is none.
fn number_or_note(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<f64>,
    format: &Format,
    why_none: &str,
) -> Result<(), XlsxError> {
    match value {
        Some(v) => {
            sheet.write_number_with_format(row, col, v, format)?;
        }
        None => {
            sheet.write_blank(row, col, format)?;
            sheet.insert_note(row, col, &Note::new(why_none).set_author("csc-indicators"))?;
        }
    }
    Ok(())
}

/// What a missing headline means, for its note.
fn why_no_value(card: &Card) -> &'static str {
    if !card.computed {
        "Not computed for this LA: its snapshot lacks what the indicator reads (see Data quality)."
    } else if card.headline.denominator == Some(0.0) {
        "No data: nothing to divide by in this window (a percentage of nothing)."
    } else {
        "No data for this month."
    }
}

/// The LA's workbook: Scorecard, Trends, Data and Data quality.
pub fn la_workbook(
    title: &str,
    la: &LaResults,
    sections: &[(String, String, Vec<Card>)],
    rows: &DataFrame,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let trend_rows = scorecard_sheet(&mut workbook, title, la, sections)?;
    trends_sheet(&mut workbook, la, sections, &trend_rows)?;
    data_sheet(&mut workbook, rows)?;
    quality_sheet(&mut workbook, &la.findings)?;
    workbook.save_to_buffer()
}

/// Writes the Scorecard sheet; returns, per card in order, its row on the Trends sheet.
fn scorecard_sheet(
    workbook: &mut Workbook,
    title: &str,
    la: &LaResults,
    sections: &[(String, String, Vec<Card>)],
) -> Result<Vec<u32>, XlsxError> {
    let sheet = workbook.add_worksheet();
    sheet.set_name("Scorecard")?;
    let heading = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0x1F3864))
        .set_font_color(Color::White)
        .set_border_bottom(FormatBorder::Thin);
    let section_format = Format::new()
        .set_bold()
        .set_font_size(12)
        .set_background_color(Color::RGB(0xD9E1F2));
    sheet.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14))?;
    sheet.write_string(
        1,
        0,
        format!(
            "{} ({}), {}. Values are unrounded figures shown to the catalogue's decimals; an empty cell with a \
             note has no figure (never a zero).",
            la.la_name,
            la.la_code,
            format::month_long(la.month)
        ),
    )?;
    let header_row = 3;
    for (c, name) in SCORECARD_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(header_row, c as u16, *name, &heading)?;
    }
    // Column A fits the longest title (rows are not wrapped: spreadsheet programs do not grow a row to fit).
    let longest = sections
        .iter()
        .flat_map(|(_, _, cards)| cards.iter().map(|c| c.indicator.title.chars().count()))
        .max()
        .unwrap_or(40);
    let first = (longest as f64 + 2.0).clamp(30.0, 90.0);
    let widths = [
        first, 18.0, 11.0, 29.0, 26.0, 10.0, 12.0, 9.0, 11.0, 12.0, 10.0, 11.0, 13.0, 12.0, 13.0,
        20.0,
    ];
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    sheet.set_row_height(header_row, 30)?;
    sheet.set_freeze_panes(header_row + 1, 1)?;
    print_setup(sheet, header_row + 1)?;

    let mut row = header_row + 1;
    let mut trend_rows = Vec::new();
    let mut trend_row = 1;
    for (_, section_title, cards) in sections {
        if cards.is_empty() {
            continue;
        }
        sheet.merge_range(
            row,
            0,
            row,
            SCORECARD_COLUMNS.len() as u16 - 1,
            section_title,
            &section_format,
        )?;
        row += 1;
        for card in cards {
            let i = card.indicator;
            let number = Format::new().set_num_format(value_format(i));
            let difference = Format::new().set_num_format(difference_format(i));
            let h = &card.headline;
            sheet.write_string(row, 0, &i.title)?;
            sheet.write_string(row, 1, format::window_label(card.window))?;
            let why = why_no_value(card);
            number_or_note(sheet, row, 2, h.value, &number, why)?;
            if card.small_number && h.value.is_some() {
                sheet.insert_note(
                    row,
                    2,
                    &Note::new("Small number: this figure rests on 1 to 5 children or events.")
                        .set_author("csc-indicators"),
                )?;
            }
            sheet.write_string(row, 3, format::unit_words(i.unit()))?;
            sheet.write_string(row, 4, polarity_words(i.polarity))?;
            if let Some(t) = h.target {
                sheet.write_number_with_format(row, 5, t, &number)?;
            }
            if let Some(v) = card.variance() {
                sheet.write_number_with_format(row, 6, v, &difference)?;
            }
            if let Some(rag) = h.rag.as_deref() {
                match rag_format(rag) {
                    Some(f) => sheet.write_string_with_format(row, 7, capitalised(rag), &f)?,
                    None => sheet.write_string(row, 7, capitalised(rag))?,
                };
            }
            number_or_note(
                sheet,
                row,
                8,
                h.previous_value,
                &number,
                "No figure for the previous month.",
            )?;
            if let Some(c) = h.change {
                sheet.write_number_with_format(row, 9, c, &difference)?;
            }
            if let Some(d) = h.change_direction.as_deref() {
                sheet.write_string(row, 10, d)?;
            }
            let compared = i.unit() != Unit::Count;
            for (col, comparison) in [(11, &h.region), (12, &h.stat_neighbours), (13, &h.england)] {
                match (compared, comparison.value) {
                    (true, Some(v)) => {
                        sheet.write_number_with_format(row, col, v, &number)?;
                    }
                    (true, None) if h.value.is_some() => {
                        sheet.write_blank(row, col, &number)?;
                        sheet.insert_note(
                            row,
                            col,
                            &Note::new("No comparison: no other LA of the run has a figure.")
                                .set_author("csc-indicators"),
                        )?;
                    }
                    _ => {}
                }
            }
            if let Some((_, b)) = card
                .published
                .iter()
                .find(|(g, _)| *g == Geography::England)
            {
                let year = format!(
                    "Published for the year ending {}.",
                    b.year_ending.format("%-d %B %Y")
                );
                match b.value {
                    Some(v) => {
                        sheet.write_number_with_format(row, 14, v, &number)?;
                        sheet.insert_note(
                            row,
                            14,
                            &Note::new(year).set_author("csc-indicators"),
                        )?;
                    }
                    None => {
                        sheet.write_blank(row, 14, &number)?;
                        let why = if b.suppressed() {
                            "Suppressed (c) in the publication."
                        } else {
                            "Not published."
                        };
                        sheet.insert_note(
                            row,
                            14,
                            &Note::new(format!("{why} {year}")).set_author("csc-indicators"),
                        )?;
                    }
                }
            }
            let sparkline = Sparkline::new()
                .set_range(("Trends", trend_row, 2, trend_row, 1 + TREND_MONTHS as u16))
                .show_markers(true);
            sheet.add_sparkline(row, 15, &sparkline)?;
            trend_rows.push(trend_row);
            trend_row += 1;
            row += 1;
        }
    }
    Ok(trend_rows)
}

/// The Trends sheet: the headline window's value in each of the last 13 months, one row per card (the Scorecard's
/// sparklines read it).
fn trends_sheet(
    workbook: &mut Workbook,
    la: &LaResults,
    sections: &[(String, String, Vec<Card>)],
    trend_rows: &[u32],
) -> Result<(), XlsxError> {
    let sheet = workbook.add_worksheet();
    sheet.set_name("Trends")?;
    let heading = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    sheet.write_string_with_format(0, 0, "Indicator", &heading)?;
    sheet.write_string_with_format(0, 1, "Window", &heading)?;
    let months: Vec<_> = (0..TREND_MONTHS).rev().map(|k| la.month.plus(-k)).collect();
    for (k, m) in months.iter().enumerate() {
        sheet.write_string_with_format(0, 2 + k as u16, format::month_short(*m), &heading)?;
    }
    sheet.set_column_width(0, 46)?;
    sheet.set_column_width(1, 18)?;
    sheet.set_freeze_panes(1, 2)?;
    print_setup(sheet, 1)?;
    let cards = sections.iter().flat_map(|(_, _, cards)| cards.iter());
    for (card, row) in cards.zip(trend_rows) {
        let number = Format::new().set_num_format(value_format(card.indicator));
        sheet.write_string(*row, 0, &card.indicator.title)?;
        sheet.write_string(*row, 1, format::window_label(card.window))?;
        for (k, (_, v)) in card.trend.iter().enumerate() {
            if let Some(v) = v {
                sheet.write_number_with_format(*row, 2 + k as u16, *v, &number)?;
            }
        }
    }
    Ok(())
}

/// The Data sheet: the LA's rows of `indicators.parquet`, every column, as an Excel table with filters.
fn data_sheet(workbook: &mut Workbook, rows: &DataFrame) -> Result<(), XlsxError> {
    let sheet = workbook.add_worksheet();
    sheet.set_name("Data")?;
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let names: Vec<String> = rows
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    for (c, column) in rows.columns().iter().enumerate() {
        let c = c as u16;
        let column = column.as_materialized_series();
        match column.dtype() {
            DataType::Date => {
                let days = column.date().map_err(polars_failed)?;
                for (r, d) in days.physical().iter().enumerate() {
                    if let Some(d) = d {
                        let day = chrono::NaiveDate::from_num_days_from_ce_opt(d + 719_163)
                            .ok_or_else(|| {
                                XlsxError::ParameterError(format!("date {d} out of range"))
                            })?;
                        let day = ExcelDateTime::from_ymd(
                            day.year() as u16,
                            day.month() as u8,
                            day.day() as u8,
                        )?;
                        sheet.write_datetime_with_format(r as u32 + 1, c, day, &date)?;
                    }
                }
            }
            DataType::String => {
                for (r, s) in column.str().map_err(polars_failed)?.iter().enumerate() {
                    if let Some(s) = s {
                        sheet.write_string(r as u32 + 1, c, s)?;
                    }
                }
            }
            _ => {
                let numbers = column.cast(&DataType::Float64).map_err(polars_failed)?;
                for (r, x) in numbers.f64().map_err(polars_failed)?.iter().enumerate() {
                    if let Some(x) = x {
                        sheet.write_number(r as u32 + 1, c, x)?;
                    }
                }
            }
        }
        sheet.set_column_width(c, (names[c as usize].len() as f64 + 4.0).max(11.0))?;
    }
    let columns: Vec<TableColumn> = names
        .iter()
        .map(|n| TableColumn::new().set_header(n))
        .collect();
    let last_row = rows.height().max(1) as u32;
    let table = Table::new()
        .set_name("indicators")
        .set_style(TableStyle::Light9)
        .set_columns(&columns);
    sheet.add_table(0, 0, last_row, names.len().saturating_sub(1) as u16, &table)?;
    sheet.set_freeze_panes(1, 0)?;
    print_setup(sheet, 1)?;
    Ok(())
}

fn polars_failed(e: PolarsError) -> XlsxError {
    XlsxError::ParameterError(e.to_string())
}

/// The Data quality sheet: the LA's findings (kind, table, column, count, what to do), without row examples.
fn quality_sheet(workbook: &mut Workbook, findings: &[FindingRow]) -> Result<(), XlsxError> {
    let sheet = workbook.add_worksheet();
    sheet.set_name("Data quality")?;
    let heading = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    let wrap = Format::new().set_text_wrap();
    for (c, name) in ["Finding", "Table", "Column", "Rows", "What to do"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(0, c as u16, *name, &heading)?;
    }
    for (c, w) in [22.0, 26.0, 32.0, 9.0, 100.0].iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    if findings.is_empty() {
        sheet.write_string(1, 0, "No data-quality findings for this LA.")?;
    }
    for (r, f) in findings.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, &f.kind)?;
        if let Some(t) = &f.table {
            sheet.write_string(r, 1, t)?;
        }
        if let Some(c) = &f.column {
            sheet.write_string(r, 2, c)?;
        }
        if let Some(n) = f.count {
            sheet.write_number(r, 3, n as f64)?;
        }
        sheet.write_string_with_format(r, 4, &f.message, &wrap)?;
        // Wrapped text does not grow its row in every spreadsheet program: the row is given its lines' height.
        let lines = f.message.chars().count().div_ceil(95).max(1);
        sheet.set_row_height(r, 15.0 * lines as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    print_setup(sheet, 1)?;
    Ok(())
}

/// The overview workbook: one row per LA, and for each overview indicator its value (with RAG fill), rank and
/// quartile within the run.
pub fn overview_workbook(
    title: &str,
    columns: &[&Indicator],
    las: &[LaResults],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Overview")?;
    let heading = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0x1F3864))
        .set_font_color(Color::White);
    sheet.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14))?;
    sheet.write_string(
        1,
        0,
        "Rank 1 is the best value by polarity (the highest for neutral indicators); ties share the better rank; \
         quartile 1 is the best quarter. LAs without a value are not ranked.",
    )?;
    let (top, sub) = (3, 4);
    for (c, name) in ["LA code", "LA", "Region", "Month"].iter().enumerate() {
        sheet.merge_range(top, c as u16, sub, c as u16, name, &heading)?;
    }
    sheet.set_column_width(0, 8)?;
    sheet.set_column_width(1, 24)?;
    sheet.set_column_width(2, 12)?;
    sheet.set_column_width(3, 10)?;
    for (k, indicator) in columns.iter().enumerate() {
        let first = 4 + 3 * k as u16;
        sheet.merge_range(top, first, top, first + 2, &indicator.title, &heading)?;
        for (j, name) in ["Value", "Rank", "Quartile"].iter().enumerate() {
            sheet.write_string_with_format(sub, first + j as u16, *name, &heading)?;
            sheet.set_column_width(first + j as u16, if j == 0 { 12.0 } else { 8.0 })?;
        }
        let values: Vec<Option<f64>> = las
            .iter()
            .map(|la| {
                la.point(&indicator.id, indicator.headline, la.month)
                    .and_then(|p| p.value)
            })
            .collect();
        let ranked: Vec<Option<Rank>> = ranks(indicator.polarity, &values);
        let number = Format::new().set_num_format(value_format(indicator));
        for (r, la) in las.iter().enumerate() {
            let row = sub + 1 + r as u32;
            let point = la.point(&indicator.id, indicator.headline, la.month);
            let rag = point.and_then(|p| p.rag.as_deref()).and_then(rag_format);
            let format = match rag {
                Some(f) => f
                    .set_num_format(value_format(indicator))
                    .set_align(FormatAlign::Right),
                None => number.clone(),
            };
            number_or_note(
                sheet,
                row,
                first,
                values[r],
                &format,
                "No data for this LA and month.",
            )?;
            if let Some(rank) = ranked[r] {
                sheet.write_number(row, first + 1, rank.rank as f64)?;
                sheet.write_number(row, first + 2, rank.quartile as f64)?;
            }
        }
    }
    for (r, la) in las.iter().enumerate() {
        let row = sub + 1 + r as u32;
        sheet.write_string(row, 0, &la.la_code)?;
        sheet.write_string(row, 1, &la.la_name)?;
        sheet.write_string(row, 2, &la.region_code)?;
        sheet.write_string(row, 3, format::month_short(la.month))?;
    }
    sheet.set_freeze_panes(sub + 1, 2)?;
    print_setup(sheet, sub + 1)?;
    workbook.save_to_buffer()
}
