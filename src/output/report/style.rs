//! What every scorecard page shares: the `<head>` with its inline stylesheet (screen and A4 print), the content
//! security policy that keeps pages offline, the RAG badge and the key.

use maud::{DOCTYPE, Markup, PreEscaped, html};

/// No request may leave the page: styles and scripts are inline, images are inline SVG.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const STYLESHEET: &str = r#"
:root { --ink: #1d2433; --muted: #5a6475; --line: #d5dae3; --card: #ffffff; --page: #f3f5f8;
  --green: #1b7a3a; --amber: #a85d00; --red: #b3261e; --blue: #1f5fa8; --grey: #8a93a3; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 "DejaVu Sans", Arial, Helvetica, sans-serif; color: var(--ink); background: var(--page); }
header, nav, main, footer { max-width: 1280px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 16px; }
h1 { font-size: 26px; margin: 4px 0; }
h1 .subtitle { font-weight: normal; color: var(--muted); font-size: 18px; }
h2 { font-size: 20px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 0 0 2px; }
a { color: var(--blue); }
.meta { color: var(--muted); margin: 2px 0; font-size: 12.5px; }
.breadcrumb { margin: 0; font-size: 13px; }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; list-style: none; margin: 12px 0; }
.key { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 12.5px; color: var(--muted); margin: 8px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(370px, 1fr)); gap: 14px; }
.card { background: var(--card); border: 1px solid var(--line); border-top: 6px solid var(--grey); border-radius: 6px; padding: 12px 14px; }
.card.rag-green { border-top-color: var(--green); }
.card.rag-amber { border-top-color: var(--amber); }
.card.rag-red { border-top-color: var(--red); }
.headline { display: flex; align-items: baseline; gap: 10px; margin: 6px 0 0; }
.headline .value { font-size: 30px; font-weight: bold; }
.headline .value.no-data { font-size: 20px; color: var(--muted); font-style: italic; }
.rag { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: bold; }
.rag-badge-green { background: var(--green); } .rag-badge-amber { background: var(--amber); } .rag-badge-red { background: var(--red); }
.of { margin: 0; color: var(--muted); }
.caution { background: #fff4d6; border-left: 4px solid var(--amber); padding: 4px 8px; font-size: 12.5px; margin: 6px 0; }
.not-computed { color: var(--muted); font-style: italic; }
dl.figures { display: grid; grid-template-columns: 1fr 1fr; gap: 2px 12px; margin: 8px 0; }
dl.figures div { display: flex; justify-content: space-between; gap: 6px; border-bottom: 1px dotted var(--line); }
dt { color: var(--muted); } dd { margin: 0; font-weight: bold; text-align: right; }
.direction-better { color: var(--green); } .direction-worse { color: var(--red); }
.direction-up, .direction-down, .direction-same { color: var(--ink); }
.narrative { margin: 8px 0; font-style: italic; }
figure { margin: 6px 0; }
figcaption { font-size: 11.5px; color: var(--muted); }
svg { width: 100%; height: auto; display: block; }
svg text.tick { font-size: 9.5px; fill: var(--muted); }
svg .axis { stroke: var(--line); stroke-width: 1; }
svg .current { fill: none; stroke: var(--blue); stroke-width: 2; }
svg .year-before { fill: none; stroke: var(--grey); stroke-width: 1.3; stroke-dasharray: 4 3; }
svg .target { fill: none; stroke: var(--amber); stroke-width: 1.3; stroke-dasharray: 1.5 2.5; }
svg .point { fill: var(--blue); } svg .latest { fill: var(--blue); stroke: #fff; stroke-width: 1.5; }
svg .bar { fill: var(--blue); opacity: 0.8; }
.key-current { color: var(--blue); font-weight: bold; } .key-before { color: var(--grey); } .key-target { color: var(--amber); font-weight: bold; }
.chart-empty, .earlier, .versus { font-size: 12.5px; color: var(--muted); margin: 4px 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 12.5px; }
caption { text-align: left; font-weight: bold; font-size: 12.5px; padding: 2px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
th[scope=row] { font-weight: normal; }
td.number { text-align: right; }
.comparisons td:nth-child(2) { text-align: right; font-weight: bold; }
.suppressed { color: var(--muted); font-style: italic; font-weight: normal; }
ul.flags { margin: 6px 0 0; padding-left: 18px; font-size: 12px; color: var(--muted); }
.quality table { background: var(--card); }
footer { color: var(--muted); font-size: 12px; padding: 24px 20px; }
table.overview { background: var(--card); font-size: 13px; }
table.overview th button { font: inherit; font-weight: bold; background: none; border: 0; padding: 0; cursor: pointer; text-align: left; color: var(--ink); }
table.overview td.cell { white-space: nowrap; }
table.overview .rank { display: block; color: var(--muted); font-size: 11px; }
td.cell.rag-green { box-shadow: inset 4px 0 var(--green); } td.cell.rag-amber { box-shadow: inset 4px 0 var(--amber); } td.cell.rag-red { box-shadow: inset 4px 0 var(--red); }
.overview-wrap { overflow-x: auto; }
@page { size: A4; margin: 12mm; }
@media print {
  body { background: #fff; font-size: 9px; }
  nav, .breadcrumb { display: none; }
  header, nav, main, footer { max-width: none; padding: 0; }
  h2 { margin-top: 0; font-size: 15px; }
  .scorecard-section ~ .scorecard-section { break-before: page; }
  .cards { grid-template-columns: 1fr 1fr 1fr; gap: 6px; }
  .card { break-inside: avoid; border-width: 1px; border-top-width: 4px; padding: 6px; }
  h3 { font-size: 10.5px; }
  .headline .value { font-size: 18px; }
  table, .meta, .caution, .earlier, .versus, figcaption, .narrative { font-size: 8px; }
  th, td { padding: 1px 3px; }
  p, figure, dl.figures, table { margin: 2px 0; }
  figure.trend svg { max-height: 24mm; }
  a { color: inherit; text-decoration: none; }
  .rag, .caution { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .overview-wrap { overflow: visible; }
}
"#;

/// A whole page: the `<head>` (title, character set, offline policy, viewport, stylesheet) and `body`.
pub fn page(title: &str, body: Markup) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en-GB" {
            (head(title))
            body { (body) }
        }
    };
    page.into_string()
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta http-equiv="Content-Security-Policy" content=(CONTENT_SECURITY_POLICY);
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="generator" content=(concat!("csc-indicators ", env!("CARGO_PKG_VERSION")));
            title { (title) }
            style { (PreEscaped(STYLESHEET)) }
        }
    }
}

/// A RAG rating as a coloured badge that also says its colour in words.
pub fn rag_badge(rag: &str) -> Markup {
    let (icon, words) = match rag {
        "green" => ("●", "Green"),
        "amber" => ("◆", "Amber"),
        "red" => ("■", "Red"),
        other => ("", other),
    };
    html! {
        span class=(format!("rag rag-badge-{rag}")) title=(format!("RAG rating: {words}")) {
            span aria-hidden="true" { (icon) " " } (words)
        }
    }
}

/// The key to colours, arrows and marks, shown under the page title.
pub fn key() -> Markup {
    html! {
        p.key {
            span { "RAG against target: " (rag_badge("green")) " " (rag_badge("amber")) " " (rag_badge("red")) }
            span { span.direction-better { "▲▼ better" } " / " span.direction-worse { "worse" } " than last month" }
            span { "⚠ and * mark figures resting on 1 to 5 children or events" }
            span { "\"no data\" is a missing value, never a zero" }
        }
    }
}
