//! The HTML of an LA's scorecard: its sections of cards and its data-quality panel, one self-contained page.

use super::card::{self, Card, Category};
use super::chart::{self, Bar, Trend};
use super::format;
use super::results::{Comparison, LaResults};
use super::{Context, style};
use crate::catalogue::{Indicator, Unit};
use crate::output::schema::Flag;
use maud::{Markup, html};

/// One LA's scorecard page.
pub fn la_page(
    ctx: &Context,
    la: &LaResults,
    sections: &[(String, String, Vec<Card<'_>>)],
) -> String {
    let month = format::month_long(la.month);
    let title = format!("{}: children's social care scorecard, {month}", la.la_name);
    let snapshot = ctx
        .manifest
        .snapshot_date(&la.la_code)
        .map(|d| d.format("%-d %B %Y").to_string());
    let body = html! {
        header {
            p.breadcrumb { a href="index.html" { "All authorities" } }
            h1 { (la.la_name) " " span.subtitle { "Children's social care scorecard" } }
            p.meta {
                "Month: " strong { (month) }
                " · LA " (la.la_code) " · region " (ctx.region_name(&la.region_code))
                @if let Some(s) = &snapshot { " · data as at the snapshot of " (s) }
                " · catalogue version " (ctx.manifest.catalogue.version)
            }
            @if la.month < la.last_month {
                p.meta { "Later months are reported up to " (format::month_long(la.last_month)) "." }
            }
            (style::key())
        }
        nav aria-label="Sections" {
            ol {
                @for (id, title, cards) in sections {
                    li { a href=(format!("#section-{id}")) { (title) } " (" (cards.len()) ")" }
                }
                li { a href="#data-quality" { "Data quality" } " (" (la.findings.len()) ")" }
            }
        }
        main {
            @for (id, title, cards) in sections {
                section.scorecard-section id=(format!("section-{id}")) aria-labelledby=(format!("heading-{id}")) {
                    h2 id=(format!("heading-{id}")) { (title) }
                    div.cards {
                        @for c in cards { (card_html(ctx, la, c)) }
                    }
                }
            }
            (quality_panel(la))
        }
        footer {
            p {
                "Made by csc-indicators from the run's own output (indicators.parquet, data_quality.parquet, run.json). "
                "Values are computed from the LA's case management snapshot and are not official statistics."
            }
        }
    };
    style::page(&title, body)
}

fn card_html(ctx: &Context, la: &LaResults, c: &Card<'_>) -> Markup {
    let ind = c.indicator;
    let h = &c.headline;
    let rag = h.rag.as_deref();
    html! {
        article id=(format!("indicator-{}", ind.id)) class=(rag.map_or("card".to_string(), |r| format!("card rag-{r}"))) {
            h3 { (ind.title) }
            p.meta {
                (format::window_label(c.window)) " · " (card::polarity_words(ind.polarity)) " · " (format::unit_words(ind.unit()))
            }
            @if !c.computed {
                p.not-computed {
                    "No results for this LA in this run: the run was limited with --indicator, or the LA's snapshot "
                    "lacks a table or column the indicator reads (see the data-quality panel)."
                }
            } @else {
                div.headline {
                    span.value.no-data[h.value.is_none()] { (format::value(ind, h.value)) }
                    @if let Some(r) = rag { (style::rag_badge(r)) }
                }
                @if let Some(of) = of_words(ind, h.numerator, h.denominator) { p.of { (of) } }
                @if c.small_number {
                    p.caution { span aria-hidden="true" { "⚠ " } "Small number: this figure rests on 1 to 5 children or events; treat it with care (the DfE suppresses such figures when publishing)." }
                }
                dl.figures {
                    div { dt { "Target" } dd { (h.target.map_or("none set".to_string(), |t| format::value(ind, Some(t)))) } }
                    @if let Some(v) = c.variance() {
                        div { dt { "Variance from target" } dd { (format::difference(ind, v)) } }
                    }
                    div { dt { "Previous month" } dd { (format::value(ind, h.previous_value)) } }
                    div { dt { "Change" } dd { (change(ind, h.change, h.change_direction.as_deref())) } }
                }
                @if let Some(n) = &c.narrative { p.narrative { (n) } }
                @if let Some(line) = first_reported(la, c) { p.first-reported { (line) } }
                (trend_chart(la, c))
                @if !c.earlier_years.is_empty() {
                    p.earlier {
                        (format::month_name(la.month)) " in earlier years: "
                        @for (i, (m, v)) in c.earlier_years.iter().enumerate() {
                            @if i > 0 { " · " }
                            (m.year()) ": " (format::value(ind, *v))
                        }
                    }
                }
                @if !c.quarters.is_empty() {
                    table.quarters {
                        caption { "Quarters of " (ctx.years.label(la.month)) }
                        thead { tr { @for (label, _) in &c.quarters { th scope="col" { (label) } } } }
                        tbody { tr { @for (_, v) in &c.quarters { td { (format::value(ind, *v)) } } } }
                    }
                }
                (comparisons(c))
                @for (name, cats) in &c.breakdowns {
                    (breakdown(ind, name, cats))
                }
                @if !h.flags.is_empty() {
                    ul.flags { @for f in &h.flags { li { (flag_words(f)) } } }
                }
            }
        }
    }
}

/// "353 out of 359", "453 in a population of 136,400 aged 0-17", ...
fn of_words(ind: &Indicator, numerator: Option<f64>, denominator: Option<f64>) -> Option<String> {
    let (n, d) = (format::count(numerator), format::count(denominator));
    match ind.unit() {
        Unit::Count => None,
        Unit::Percent => Some(format!("{n} out of {d}")),
        Unit::RatePer10k => Some(format!("{n} in a population of {d} aged 0-17")),
        Unit::Days => Some(format!("{n} days in all, over {d} records")),
        Unit::Mean => Some(format!("{n} across {d}")),
    }
}

/// The previous month's headline as first reported against now, where `history.parquet` sits beside the run:
/// "February 2024 as first reported: 81.2% (snapshot 2024-03-01); now 81.5%".
fn first_reported(la: &LaResults, c: &Card<'_>) -> Option<String> {
    let ind = c.indicator;
    let month = la.month.plus(-1);
    let first = la.first_reported.get(&(ind.id.clone(), c.window, month))?;
    let now = la.point(&ind.id, c.window, month).and_then(|p| p.value);
    Some(format!(
        "{} as first reported: {} (snapshot {}); now {}",
        format::month_long(month),
        format::value(ind, first.value),
        first.snapshot_date,
        format::value(ind, now)
    ))
}

/// The change since last month with an arrow coloured by polarity, and its direction in words.
fn change(ind: &Indicator, change: Option<f64>, direction: Option<&str>) -> Markup {
    let Some(d) = change else {
        return html! { span.change { (format::NO_DATA) } };
    };
    let (arrow, moved) = if d > 0.0 {
        ("▲", "up")
    } else if d < 0.0 {
        ("▼", "down")
    } else {
        ("▶", "no change")
    };
    let class = format!("change direction-{}", direction.unwrap_or("same"));
    let judged = match direction {
        Some("better") => " (better)",
        Some("worse") => " (worse)",
        _ => "",
    };
    html! {
        span class=(class) {
            span.arrow aria-hidden="true" { (arrow) } " "
            (moved) " " (format::difference(ind, d)) (judged)
        }
    }
}

fn trend_chart(la: &LaResults, c: &Card<'_>) -> Markup {
    let ind = c.indicator;
    let values: Vec<Option<f64>> = c.trend.iter().map(|(_, v)| *v).collect();
    let labels = c
        .trend
        .iter()
        .map(|(m, _)| format::month_short(*m))
        .collect();
    let first = c
        .trend
        .first()
        .map(|(m, _)| format::month_long(*m))
        .unwrap_or_default();
    let description = format!(
        "{} ({}) from {first} to {}: {} then, {} now{}.",
        ind.title,
        format::window_label(c.window).to_lowercase(),
        format::month_long(la.month),
        format::value(ind, values.first().copied().flatten()),
        format::value(ind, values.last().copied().flatten()),
        c.headline
            .target
            .map(|t| format!("; target {}", format::value(ind, Some(t))))
            .unwrap_or_default()
    );
    let decimals = if ind.unit() == Unit::Count {
        0
    } else {
        format::decimals(ind).min(1)
    };
    let axis = move |v: f64| format::number(v, decimals);
    let chart = chart::trend(&Trend {
        description: &description,
        labels,
        values: &values,
        year_before: &c.year_before,
        targets: &c.targets,
        axis: &axis,
    });
    html! {
        figure.trend {
            (chart)
            figcaption {
                span.key-current { "—" } " last 13 months "
                span.key-before { "- -" } " a year earlier "
                @if c.targets.iter().any(Option::is_some) { span.key-target { "···" } " target" }
            }
        }
    }
}

fn comparisons(c: &Card<'_>) -> Markup {
    let ind = c.indicator;
    let h = &c.headline;
    let compared = ind.unit() != Unit::Count;
    let row = |label: &str, cmp: Comparison, how: &str| {
        html! {
            tr {
                th scope="row" { (label) }
                td { (format::value(ind, cmp.value)) }
                td { (cmp.las.map_or("-".to_string(), |n| format!("{n} {} {how}", if n == 1 { "LA" } else { "LAs" }))) }
            }
        }
    };
    let england_published = c
        .published
        .iter()
        .find(|(g, _)| *g == super::benchmarks::Geography::England)
        .and_then(|(_, b)| b.value);
    html! {
        @if compared || !c.published.is_empty() {
            table.comparisons {
                caption { "Comparisons" }
                thead { tr { th scope="col" { "" } th scope="col" { "Value" } th scope="col" { "Based on" } } }
                tbody {
                    tr.this-la { th scope="row" { "This LA" } td { (format::value(ind, h.value)) } td { "" } }
                    @if compared {
                        (row("Region (this run)", h.region, "pooled"))
                        (row("Statistical neighbours (this run)", h.stat_neighbours, "mean"))
                        (row("All LAs in this run", h.england, "pooled"))
                    }
                    @for (geography, b) in &c.published {
                        tr.published {
                            th scope="row" {
                                "Published " (geography_words(*geography)) ", year ending " (b.year_ending.format("%-d %b %Y"))
                            }
                            td {
                                @if b.suppressed() { span.suppressed { "suppressed (c)" } }
                                @else { (format::value(ind, b.value)) }
                            }
                            td { "DfE" }
                        }
                    }
                }
            }
            @if let (Some(now), Some(bench)) = (h.value, england_published) {
                p.versus { "Current vs published England benchmark: " (format::difference(ind, now - bench)) }
            }
        }
    }
}

fn geography_words(g: super::benchmarks::Geography) -> &'static str {
    match g {
        super::benchmarks::Geography::La => "LA",
        super::benchmarks::Geography::Region => "region",
        super::benchmarks::Geography::England => "England",
    }
}

fn breakdown(ind: &Indicator, name: &str, cats: &[Category]) -> Markup {
    let bars: Vec<Bar> = cats
        .iter()
        .map(|c| Bar {
            label: c.label.clone(),
            value: c.value,
            text: format::value(ind, c.value),
            small: c.small,
        })
        .collect();
    let words = name.replace('_', " ");
    let description = format!(
        "{} by {words}: {}",
        ind.title,
        bars.iter()
            .map(|b| format!("{} {}", b.label, b.text))
            .collect::<Vec<_>>()
            .join(", ")
    );
    html! {
        figure.breakdown {
            figcaption { "By " (words) }
            (chart::bars(&description, &bars))
        }
    }
}

fn flag_words(flag: &Flag) -> String {
    match flag {
        Flag::PopulationFrom(year) => {
            format!("The rate uses the {year} mid-year population, the latest available.")
        }
        Flag::PopulationMissing => "No population figure for this LA: the rate cannot be worked out.".into(),
        Flag::SmallDenominator => "The denominator is 1 to 5: the DfE would suppress this figure.".into(),
        Flag::CurrentStatus => {
            "Reads what the case management system holds today, not what was recorded in this month.".into()
        }
        Flag::Other(other) => other.replace('_', " "),
    }
}

fn quality_panel(la: &LaResults) -> Markup {
    html! {
        section.scorecard-section.quality id="data-quality" aria-labelledby="heading-quality" {
            h2 id="heading-quality" { "Data quality" }
            @if la.findings.is_empty() {
                p { "The run found no data-quality problems in this LA's snapshot." }
            } @else {
                p {
                    "Problems the run found in this LA's snapshot and worked around. Row examples are in "
                    code { "data_quality.parquet" } "."
                }
                table.findings {
                    thead { tr {
                        th scope="col" { "Kind" } th scope="col" { "Table" } th scope="col" { "Column" }
                        th scope="col" { "Rows" } th scope="col" { "What to do" }
                    } }
                    tbody {
                        @for f in &la.findings {
                            tr {
                                td { (f.kind.replace('_', " ")) }
                                td { (f.table.as_deref().unwrap_or("-")) }
                                td { (f.column.as_deref().unwrap_or("-")) }
                                td.number { (f.count.map_or("-".to_string(), |n| format::number(n as f64, 0))) }
                                td { (f.message) }
                            }
                        }
                    }
                }
            }
        }
    }
}
