//! The regional overview, `index.html`: every LA of the run against the catalogue's headline indicators, each cell
//! with its RAG rating, rank and quartile within the run, sortable in the browser without a server.

use super::results::LaResults;
use super::{Context, format, style};
use crate::catalogue::{Indicator, Polarity};
use maud::{PreEscaped, html};

/// Sorts the overview table by a column when its header button is pressed; a second press reverses the order.
const SORT_SCRIPT: &str = r#"
document.querySelectorAll('table.overview th button').forEach(function (button) {
  button.addEventListener('click', function () {
    var th = button.closest('th');
    var table = th.closest('table');
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = th.getAttribute('aria-sort') !== 'ascending';
    table.querySelectorAll('th[aria-sort]').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute('data-sort'), y = b.cells[index].getAttribute('data-sort');
      if (x === '' && y === '') return 0;
      if (x === '') return 1;
      if (y === '') return -1;
      var nx = Number(x), ny = Number(y);
      var c = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
      return ascending ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"#;

/// A cell's rank among the LAs with a value (1 is best; for neutral indicators, the highest) and its quartile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rank {
    /// 1-based; ties share the better rank.
    pub rank: usize,
    /// How many LAs were ranked.
    pub of: usize,
    /// 1 (best quarter) to 4.
    pub quartile: usize,
}

/// Ranks values by an indicator's polarity; `None` values are not ranked.
pub fn ranks(polarity: Polarity, values: &[Option<f64>]) -> Vec<Option<Rank>> {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let of = present.len();
    values
        .iter()
        .map(|v| {
            let v = (*v)?;
            let better = present
                .iter()
                .filter(|o| match polarity {
                    Polarity::LowIsGood => **o < v,
                    Polarity::HighIsGood | Polarity::Neutral => **o > v,
                })
                .count();
            let rank = better + 1;
            Some(Rank {
                rank,
                of,
                quartile: (better * 4 / of) + 1,
            })
        })
        .collect()
}

/// The largest revision of an LA's overview indicators in the month before its scorecard month.
struct Revision<'a> {
    indicator: &'a Indicator,
    first: Option<f64>,
    now: Option<f64>,
    /// |now - first| / |first| (the size of the move whatever the unit); what the column sorts by.
    relative: f64,
}

fn largest_revision<'a>(columns: &[&'a Indicator], la: &LaResults) -> Option<Revision<'a>> {
    let month = la.month.plus(-1);
    columns
        .iter()
        .filter_map(|ind| {
            let first = la
                .first_reported
                .get(&(ind.id.clone(), ind.headline, month))?
                .value?;
            let now = la.point(&ind.id, ind.headline, month)?.value?;
            let relative = (now - first).abs() / first.abs().max(f64::MIN_POSITIVE);
            (relative > 1e-9).then_some(Revision {
                indicator: ind,
                first: Some(first),
                now: Some(now),
                relative,
            })
        })
        .max_by(|a, b| a.relative.total_cmp(&b.relative))
}

/// The overview's title, with the month when every LA's scorecard is of the same month.
pub fn title(las: &[LaResults]) -> String {
    let months: Vec<_> = las.iter().map(|l| l.month).collect();
    let same_month = months.windows(2).all(|w| w[0] == w[1]);
    match (same_month, months.first()) {
        (true, Some(m)) => format!(
            "Children's social care scorecards: overview, {}",
            format::month_long(*m)
        ),
        _ => "Children's social care scorecards: overview".to_string(),
    }
}

/// The overview page.
pub fn index_page(ctx: &Context, las: &[LaResults]) -> String {
    let columns: Vec<&Indicator> = ctx.overview_indicators();
    let title = title(las);
    let cells: Vec<Vec<(Option<f64>, Option<String>)>> = columns
        .iter()
        .map(|ind| {
            las.iter()
                .map(|la| {
                    let p = la.point(&ind.id, ind.headline, la.month);
                    (p.and_then(|p| p.value), p.and_then(|p| p.rag.clone()))
                })
                .collect()
        })
        .collect();
    let ranked: Vec<Vec<Option<Rank>>> = columns
        .iter()
        .zip(&cells)
        .map(|(ind, col)| {
            let values: Vec<Option<f64>> = col.iter().map(|(v, _)| *v).collect();
            ranks(ind.polarity, &values)
        })
        .collect();
    let revisions: Vec<Option<Revision>> = las
        .iter()
        .map(|la| largest_revision(&columns, la))
        .collect();
    let with_history = revisions.iter().any(Option::is_some);
    let body = html! {
        header {
            h1 { (title) }
            p.meta {
                (las.len()) " local authorities · catalogue version " (ctx.manifest.catalogue.version)
                " · press a column heading to sort"
            }
            p.meta {
                "Ranks and quartiles are among the LAs of this run with a value: rank 1 and quartile 1 are the best "
                "(for indicators where neither high nor low is good, the highest). Each cell shows the indicator's "
                "headline window in the LA's latest month."
            }
            (style::key())
        }
        main {
            div.overview-wrap {
                table.overview {
                    caption { "Headline indicators by local authority" }
                    thead {
                        tr {
                            th scope="col" { button type="button" { "Local authority" } }
                            th scope="col" { button type="button" { "Region" } }
                            th scope="col" { button type="button" { "Month" } }
                            @for ind in &columns {
                                th scope="col" title=(ind.definition) {
                                    button type="button" { (ind.short_title.as_deref().unwrap_or(&ind.title)) }
                                    span.rank { (format::window_label(ind.headline)) " · " (super::card::polarity_words(ind.polarity)) }
                                }
                            }
                            @if with_history {
                                th scope="col" title="The overview indicator whose previous month moved most, relative to its first-reported value, between the snapshot that first reported it and now (history.parquet)" {
                                    button type="button" { "Largest revision" }
                                    span.rank { "previous month, first reported against now" }
                                }
                            }
                        }
                    }
                    tbody {
                        @for (row, la) in las.iter().enumerate() {
                            tr {
                                th scope="row" data-sort=(la.la_name) {
                                    a href=(format!("{}.html", la.la_code)) { (la.la_name) }
                                }
                                td data-sort=(ctx.region_name(&la.region_code)) { (ctx.region_name(&la.region_code)) }
                                td data-sort=(la.month.to_string()) { (format::month_short(la.month)) }
                                @for (c, ind) in columns.iter().enumerate() {
                                    @let (value, rag) = &cells[c][row];
                                    @let rank = ranked[c][row];
                                    td class=(rag.as_ref().map_or("cell".to_string(), |r| format!("cell rag-{r}")))
                                        data-sort=(value.map(|v| v.to_string()).unwrap_or_default()) {
                                        (format::value(ind, *value))
                                        @if let Some(r) = rag { " " (style::rag_badge(r)) }
                                        @if let Some(r) = rank {
                                            span.rank { "rank " (r.rank) " of " (r.of) " · Q" (r.quartile) }
                                        }
                                    }
                                }
                                @if with_history {
                                    @let revision = &revisions[row];
                                    td.cell data-sort=(revision.as_ref().map(|r| r.relative.to_string()).unwrap_or_default()) {
                                        @if let Some(r) = revision {
                                            (r.indicator.short_title.as_deref().unwrap_or(&r.indicator.title)) ": "
                                            (format::value(r.indicator, r.first)) " → " (format::value(r.indicator, r.now))
                                        } @else { "none" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        footer { p { "Made by csc-indicators from the run's own output. Not official statistics." } }
        script { (PreEscaped(SORT_SCRIPT)) }
    };
    style::page(&title, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_polarity_and_ties_share() {
        let values = [Some(10.0), None, Some(30.0), Some(20.0), Some(20.0)];
        let high: Vec<Option<usize>> = ranks(Polarity::HighIsGood, &values)
            .iter()
            .map(|r| r.map(|r| r.rank))
            .collect();
        assert_eq!(high, vec![Some(4), None, Some(1), Some(2), Some(2)]);
        let low = ranks(Polarity::LowIsGood, &values);
        assert_eq!(
            low[0],
            Some(Rank {
                rank: 1,
                of: 4,
                quartile: 1
            })
        );
        assert_eq!(
            low[2],
            Some(Rank {
                rank: 4,
                of: 4,
                quartile: 4
            })
        );
        assert_eq!(low[3].unwrap().quartile, 2);
    }
}
