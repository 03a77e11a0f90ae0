//! Inline SVG charts: a card's 13-month trend with its target and the year before, and a breakdown's bars. Small
//! code of our own: the charts need nothing a chart library adds, and every element carries its accessible text.

use maud::{Markup, html};

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 120.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 22.0;

/// The inputs of a trend chart, all aligned to `labels`.
pub struct Trend<'a> {
    /// What the chart shows, for screen readers: a sentence.
    pub description: &'a str,
    /// The axis label of each month, oldest first.
    pub labels: Vec<String>,
    /// The value in each month.
    pub values: &'a [Option<f64>],
    /// The value 12 months earlier.
    pub year_before: &'a [Option<f64>],
    /// The target in each month.
    pub targets: &'a [Option<f64>],
    /// Formats an axis value.
    pub axis: &'a dyn Fn(f64) -> String,
}

/// A line chart of the trend, or nothing when there is no value to draw.
pub fn trend(t: &Trend<'_>) -> Markup {
    let all: Vec<f64> = t
        .values
        .iter()
        .chain(t.year_before)
        .chain(t.targets)
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    if t.values.iter().all(Option::is_none) {
        return html! { p.chart-empty { "No values to chart in these 13 months." } };
    }
    let least = all.iter().copied().fold(f64::MAX, f64::min);
    let mut hi = all.iter().copied().fold(f64::MIN, f64::max);
    // Zero at the foot, unless every value sits in the top half: then the foot is labelled and the movement shows.
    let lo = if least > 0.0 && least > hi / 2.0 {
        (least - (hi - least) * 0.3).max(0.0)
    } else {
        least.min(0.0)
    };
    if hi <= lo {
        hi = lo + 1.0;
    }
    hi += (hi - lo) * 0.08;
    let n = t.labels.len().max(2);
    let x = |i: usize| LEFT + i as f64 * (WIDTH - LEFT - RIGHT) / (n - 1) as f64;
    let y = |v: f64| TOP + (hi - v) / (hi - lo) * (HEIGHT - TOP - BOTTOM);
    let line = |series: &[Option<f64>]| -> Vec<String> { segments(series, &x, &y) };
    let current = line(t.values);
    let before = line(t.year_before);
    let target = line(t.targets);
    let last = t
        .values
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, v)| v.map(|v| (i, v)));
    html! {
        svg.chart viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(t.description) {
            title { (t.description) }
            line.axis x1=(LEFT) y1=(y(lo)) x2=(WIDTH - RIGHT) y2=(y(lo)) {}
            text.tick x=(LEFT - 4.0) y=(y(hi) + 4.0) text-anchor="end" { ((t.axis)(hi)) }
            text.tick x=(LEFT - 4.0) y=(y(lo)) text-anchor="end" { ((t.axis)(lo)) }
            @if let (Some(first), Some(end)) = (t.labels.first(), t.labels.last()) {
                text.tick x=(LEFT) y=(HEIGHT - 6.0) text-anchor="start" { (first) }
                text.tick x=(WIDTH - RIGHT) y=(HEIGHT - 6.0) text-anchor="end" { (end) }
            }
            @for points in &before {
                polyline.year-before points=(points) {}
            }
            @for points in &target {
                polyline.target points=(points) {}
            }
            @for points in &current {
                polyline.current points=(points) {}
            }
            @for (i, v) in t.values.iter().enumerate() {
                @if let Some(v) = v {
                    circle.point cx=(fmt(x(i))) cy=(fmt(y(*v))) r="2.2" {}
                }
            }
            @if let Some((i, v)) = last {
                circle.latest cx=(fmt(x(i))) cy=(fmt(y(v))) r="3.5" {}
            }
        }
    }
}

/// The `points` of each unbroken run of values (a missing month breaks the line).
fn segments(
    series: &[Option<f64>],
    x: &dyn Fn(usize) -> f64,
    y: &dyn Fn(f64) -> f64,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<String> = Vec::new();
    for (i, v) in series.iter().enumerate() {
        match v {
            Some(v) if v.is_finite() => run.push(format!("{},{}", fmt(x(i)), fmt(y(*v)))),
            _ => {
                if run.len() > 1 {
                    out.push(run.join(" "));
                }
                run.clear();
            }
        }
    }
    if run.len() > 1 {
        out.push(run.join(" "));
    }
    out
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

/// One bar of a breakdown chart.
pub struct Bar {
    /// The category.
    pub label: String,
    /// Its value; `None` draws no bar and says "no data".
    pub value: Option<f64>,
    /// The value as shown.
    pub text: String,
    /// Whether it rests on 1 to 5 children or events.
    pub small: bool,
}

/// A horizontal bar chart of a breakdown's categories.
pub fn bars(description: &str, bars: &[Bar]) -> Markup {
    const ROW: f64 = 17.0;
    const LABEL: f64 = 130.0;
    const BAR: f64 = 140.0;
    let max = bars
        .iter()
        .filter_map(|b| b.value)
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let height = ROW * bars.len() as f64 + 4.0;
    html! {
        svg.bars viewBox=(format!("0 0 {WIDTH} {height}")) role="img" aria-label=(description) {
            title { (description) }
            @for (i, b) in bars.iter().enumerate() {
                @let top = 2.0 + i as f64 * ROW;
                text.tick x=(LABEL - 6.0) y=(fmt(top + 11.0)) text-anchor="end" { (b.label) }
                @if let Some(v) = b.value {
                    rect.bar x=(LABEL) y=(fmt(top + 2.0)) width=(fmt((v / max * BAR).max(0.0))) height="11" {}
                }
                text.tick x=(fmt(LABEL + b.value.map_or(0.0, |v| (v / max * BAR).max(0.0)) + 4.0)) y=(fmt(top + 11.0)) {
                    (b.text) @if b.small { " *" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_month_breaks_the_line() {
        let series = [
            Some(1.0),
            Some(2.0),
            None,
            Some(3.0),
            Some(4.0),
            None,
            Some(5.0),
        ];
        let parts = segments(&series, &|i| i as f64, &|v| v);
        assert_eq!(parts, vec!["0.0,1.0 1.0,2.0", "3.0,3.0 4.0,4.0"]);
    }
}
