//! `docs`: the catalogue reference, a data dictionary generated from `indicators.yaml` in Markdown and HTML, so
//! that the repository documents its own definitions and the documentation cannot drift from them.

use crate::catalogue::{
    Catalogue, CheckedCatalogue, Counting, Indicator, Measure, Polarity, Timing, Unit,
};
use crate::output::{self, OutputError};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The reference's file name, without extension.
pub const FILE_STEM: &str = "catalogue";

/// Writes `catalogue.md` and `catalogue.html` into `dir`; returns their paths.
pub fn write(catalogue: &CheckedCatalogue, dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    output::ensure_dir(dir)?;
    let md = dir.join(format!("{FILE_STEM}.md"));
    let html = dir.join(format!("{FILE_STEM}.html"));
    let staged = [
        output::stage_text(&md, &markdown(catalogue))?,
        output::stage_text(&html, &html_page(catalogue))?,
    ];
    for s in staged {
        s.commit()?;
    }
    Ok(vec![md, html])
}

/// One indicator's facts as label and text, shared by both formats.
fn facts(c: &Catalogue, i: &Indicator) -> Vec<(&'static str, String)> {
    let mut out = vec![("Definition", i.definition.clone())];
    if let Some(n) = &i.numerator_definition {
        out.push(("Numerator", n.clone()));
    }
    if let Some(d) = &i.denominator_definition {
        out.push(("Denominator", d.clone()));
    }
    out.push(("Unit", unit_words(i.unit()).to_string()));
    out.push(("Polarity", polarity_words(i.polarity).to_string()));
    let windows: Vec<String> = i
        .windows
        .all()
        .iter()
        .map(|w| {
            if *w == i.headline {
                format!("{w} (headline)")
            } else {
                w.to_string()
            }
        })
        .collect();
    out.push(("Windows", windows.join(", ")));
    out.push(("Targets", targets(c, i)));
    if !i.breakdowns.is_empty() {
        let b: Vec<String> = i
            .breakdowns
            .iter()
            .map(|b| format!("{} ({}: {})", b.name, b.column, b.categories.join(", ")))
            .collect();
        out.push(("Breakdowns", b.join("; ")));
    }
    out.push(("Rows", rows(i)));
    match &i.measure {
        Measure::Percent { numerator } => {
            out.push(("Numerator condition", format!("`{}`", numerator.sql)));
        }
        Measure::Days { mean_of } => out.push(("Mean of", format!("`{mean_of}`"))),
        Measure::Mean { per_distinct } => {
            out.push(("Denominator counts distinct", format!("`{per_distinct}`")));
        }
        Measure::Count | Measure::RatePer10k => {}
    }
    let columns: Vec<String> = i
        .columns_used
        .iter()
        .map(|(table, cols)| {
            let cols: Vec<String> = cols.iter().map(|c| format!("`{c}`")).collect();
            format!("`{table}`: {}", cols.join(", "))
        })
        .collect();
    out.push(("Source columns", columns.join("; ")));
    if let Some(d) = i.decimals {
        out.push(("Decimals shown", d.to_string()));
    }
    if let Some(n) = c.report.narrative_of(i) {
        out.push(("Scorecard sentence", n.text.clone()));
    }
    if let Some(s) = &i.source {
        out.push(("Source", s.clone()));
    }
    if let Some(cv) = &i.caveats {
        out.push(("Caveats", cv.clone()));
    }
    out
}

fn rows(i: &Indicator) -> String {
    let from = match &i.rows.cohort {
        Some(c) => format!("cohort `{}` of `{}`", c.name, i.rows.table.name),
        None => format!("`{}`", i.rows.table.name),
    };
    let timing = match &i.rows.timing {
        Timing::Dated { date } => format!("events dated by `{date}`"),
        Timing::Open { start, end } => format!("records open at period end (`{start}` to `{end}`)"),
        Timing::Current => "current records, counted at every period end".to_string(),
    };
    let counting = match &i.rows.counting {
        Counting::Rows => "each row counts".to_string(),
        Counting::Distinct(c) => format!("distinct `{c}`"),
    };
    let filter = i
        .rows
        .filter
        .as_ref()
        .map(|f| format!("; where `{}`", f.sql))
        .unwrap_or_default();
    format!("{from}: {timing}; {counting}{filter}")
}

fn targets(c: &Catalogue, i: &Indicator) -> String {
    let t = &i.targets;
    let mut parts = Vec::new();
    if let Some(all) = t.all_years {
        parts.push(format!("{all} every year"));
    }
    for (year, v) in &t.by_year {
        parts.push(format!("{v} in {year}"));
    }
    for (la, years) in &t.by_la {
        let ys: Vec<String> = years.iter().map(|(y, v)| format!("{v} in {y}")).collect();
        parts.push(format!("LA {la}: {}", ys.join(", ")));
    }
    if parts.is_empty() {
        return "none".into();
    }
    let amber = match i.amber_within {
        Some(a) => format!("amber within {a} of the target"),
        None => format!(
            "amber within {}% of the target",
            c.amber_within_percent_of_target
        ),
    };
    format!("{} ({amber})", parts.join("; "))
}

fn unit_words(u: Unit) -> &'static str {
    match u {
        Unit::Count => "count",
        Unit::Percent => "percent (100 x numerator / denominator)",
        Unit::RatePer10k => "rate per 10,000 children aged 0-17",
        Unit::Days => "mean days",
        Unit::Mean => "mean (rows per distinct denominator value)",
    }
}

fn polarity_words(p: Polarity) -> &'static str {
    match p {
        Polarity::HighIsGood => "high is good",
        Polarity::LowIsGood => "low is good",
        Polarity::Neutral => "neutral (no direction is better)",
    }
}

/// The sections in order with their indicators (one section of all when the catalogue declares none).
fn sections(c: &Catalogue) -> Vec<(String, String, Vec<&Indicator>)> {
    if c.report.sections.is_empty() {
        return vec![(
            "indicators".into(),
            "Indicators".into(),
            c.indicators.iter().collect(),
        )];
    }
    c.report
        .sections
        .iter()
        .map(|s| {
            let members = c
                .indicators
                .iter()
                .filter(|i| i.section.as_deref() == Some(s.id.as_str()))
                .collect();
            (s.id.clone(), s.title.clone(), members)
        })
        .collect()
}

/// The reference as Markdown.
pub fn markdown(c: &Catalogue) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Catalogue reference\n");
    let _ = writeln!(
        md,
        "Generated by `csc-indicators docs` from `indicators.yaml` (catalogue version {}, {} indicators). Do not edit: \
         change the catalogue and run `csc-indicators docs` again.\n",
        c.version,
        c.indicators.len()
    );
    for (id, title, members) in sections(c) {
        let _ = writeln!(md, "- [{title}](#{}) ({})", anchor(&id), members.len());
    }
    for (id, title, members) in sections(c) {
        let _ = writeln!(md, "\n## {title}\n\n<a id=\"{}\"></a>", anchor(&id));
        for i in members {
            let _ = writeln!(md, "\n### `{}`: {}\n", i.id, i.title);
            let _ = writeln!(md, "| | |\n|---|---|");
            for (label, text) in facts(c, i) {
                let _ = writeln!(md, "| {label} | {} |", cell(&text));
            }
        }
    }
    md
}

fn anchor(id: &str) -> String {
    format!("section-{}", id.replace('_', "-"))
}

/// Text in a Markdown table cell: pipes escaped, lines joined.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The reference as one self-contained HTML page.
pub fn html_page(c: &Catalogue) -> String {
    let page: Markup = html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'";
                title { "Catalogue reference" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "Catalogue reference" }
                p {
                    "Generated by " code { "csc-indicators docs" } " from " code { "indicators.yaml" }
                    " (catalogue version " (c.version) ", " (c.indicators.len()) " indicators)."
                }
                nav { ol { @for (id, title, members) in sections(c) {
                    li { a href=(format!("#{}", anchor(&id))) { (title) } " (" (members.len()) ")" }
                } } }
                @for (id, title, members) in sections(c) {
                    section id=(anchor(&id)) {
                        h2 { (title) }
                        @for i in members {
                            article id=(i.id) {
                                h3 { code { (i.id) } ": " (i.title) }
                                table {
                                    @for (label, text) in facts(c, i) {
                                        tr { th scope="row" { (label) } td { (code_spans(&text)) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page.into_string()
}

/// Text with `backticked` parts shown as code.
fn code_spans(text: &str) -> Markup {
    let parts: Vec<&str> = text.split('`').collect();
    html! {
        @for (k, part) in parts.iter().enumerate() {
            @if k % 2 == 1 { code { (part) } } @else { (part) }
        }
    }
}

const STYLE: &str = "body{font:14px/1.5 'DejaVu Sans',Arial,sans-serif;max-width:1000px;margin:0 auto;padding:16px;color:#1d2433}\
h2{border-bottom:2px solid #1d2433;margin-top:32px}table{border-collapse:collapse;width:100%}\
th,td{border-bottom:1px solid #d5dae3;padding:4px 8px;text-align:left;vertical-align:top}th{width:190px;color:#5a6475;font-weight:normal}\
code{background:#f0f2f6;padding:0 3px;border-radius:3px}";
