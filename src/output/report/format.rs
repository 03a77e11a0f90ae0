//! Numbers, months and windows in the words a scorecard uses: "98.3%", "1,204", "in the 12 months to March 2024".

use crate::catalogue::{Indicator, Unit, Window};
use crate::common::calendar::{FinancialYears, Month};

/// What the scorecard shows for a missing value: never a zero.
pub const NO_DATA: &str = "no data";

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The month's name, "March".
pub fn month_name(m: Month) -> &'static str {
    MONTH_NAMES[m.number() as usize - 1]
}

/// The month in words, "March 2024".
pub fn month_long(m: Month) -> String {
    format!("{} {}", month_name(m), m.year())
}

/// The month on a chart axis, "Mar 24".
pub fn month_short(m: Month) -> String {
    format!("{} {:02}", &month_name(m)[..3], m.year().rem_euclid(100))
}

/// The decimals an indicator's values are shown with: the catalogue's, else 0 for counts and days, 1 otherwise.
pub fn decimals(indicator: &Indicator) -> usize {
    match indicator.decimals {
        Some(d) => d as usize,
        None => match indicator.unit() {
            Unit::Count | Unit::Days => 0,
            Unit::Percent | Unit::RatePer10k | Unit::Mean => 1,
        },
    }
}

/// A number with thousands separators and `decimals` decimals, rounded half away from zero as Excel's ROUND does:
/// `1,204`, `33.2`.
pub fn number(x: f64, decimals: usize) -> String {
    let scale = 10f64.powi(decimals as i32);
    let text = format!("{:.*}", decimals, (x.abs() * scale).round() / scale);
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w.to_string(), Some(f.to_string())),
        None => (text, None),
    };
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let negative = x < 0.0 && text_is_nonzero(&grouped, fraction.as_deref());
    let sign = if negative { "-" } else { "" };
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

fn text_is_nonzero(whole: &str, fraction: Option<&str>) -> bool {
    whole
        .chars()
        .chain(fraction.unwrap_or("").chars())
        .any(|c| c.is_ascii_digit() && c != '0')
}

/// A value in its unit: `98.3%`, `1,204`, `33.2`, `412 days`; "no data" when missing.
pub fn value(indicator: &Indicator, x: Option<f64>) -> String {
    match x {
        None => NO_DATA.to_string(),
        Some(x) => {
            let n = number(x, decimals(indicator));
            match indicator.unit() {
                Unit::Percent => format!("{n}%"),
                Unit::Days => format!("{n} days"),
                Unit::Count | Unit::RatePer10k | Unit::Mean => n,
            }
        }
    }
}

/// A difference of two values in the unit's words: `+3.1 pts`, `-12`, `+0.4 days`.
pub fn difference(indicator: &Indicator, d: f64) -> String {
    let n = number(d, decimals(indicator));
    let n = if n.starts_with('-')
        || number(d.abs(), decimals(indicator)) == number(0.0, decimals(indicator))
    {
        n
    } else {
        format!("+{n}")
    };
    match indicator.unit() {
        Unit::Percent => format!("{n} pts"),
        Unit::Days => format!("{n} days"),
        Unit::Count | Unit::RatePer10k | Unit::Mean => n,
    }
}

/// A numerator or denominator: whole numbers without decimals, others with one.
pub fn count(x: Option<f64>) -> String {
    match x {
        None => NO_DATA.to_string(),
        Some(x) if x.fract() == 0.0 => number(x, 0),
        Some(x) => number(x, 1),
    }
}

/// What the unit is, written out under the headline: "per 10,000 children aged 0-17".
pub fn unit_words(unit: Unit) -> &'static str {
    match unit {
        Unit::Count => "count",
        Unit::Percent => "percentage",
        Unit::RatePer10k => "per 10,000 children aged 0-17",
        Unit::Days => "average days",
        Unit::Mean => "average",
    }
}

/// The window's name on a card: "Year to date", "Rolling 12 months".
pub fn window_label(window: Window) -> String {
    match window {
        Window::Month => "Month".into(),
        Window::Quarter => "Quarter to date".into(),
        Window::Ytd => "Year to date".into(),
        Window::FinancialYear => "Financial year".into(),
        Window::Rolling(n) => format!("Rolling {n} months"),
        Window::Snapshot => "At month end".into(),
    }
}

/// The window ending in `month`, in a sentence: "in March 2024", "in the year to date (April 2023 to March 2024)",
/// "in the 12 months to March 2024", "on 31 March 2024".
pub fn window_phrase(window: Window, month: Month, years: FinancialYears) -> String {
    match window {
        Window::Month => format!("in {}", month_long(month)),
        Window::Quarter => {
            let last = years.quarter_last_month(month);
            let first = last.plus(-2);
            format!(
                "in the quarter to date ({} to {})",
                month_long(first),
                month_long(month)
            )
        }
        Window::Ytd => format!(
            "in the year to date ({} to {})",
            month_long(years.first_month(month)),
            month_long(month)
        ),
        Window::FinancialYear => format!("in the financial year {}", years.label(month)),
        Window::Rolling(n) => format!("in the {n} months to {}", month_long(month)),
        Window::Snapshot => format!(
            "on {} {}",
            month.period_end().format("%-d"),
            month_long(month)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_rounded() {
        assert_eq!(number(1204.0, 0), "1,204");
        assert_eq!(number(1234567.891, 1), "1,234,567.9");
        assert_eq!(number(-0.04, 1), "0.0");
        assert_eq!(number(-12.5, 0), "-13");
        assert_eq!(number(0.25, 1), "0.3");
        assert_eq!(number(999.96, 1), "1,000.0");
        assert_eq!(number(0.0, 0), "0");
    }

    #[test]
    fn windows_are_phrased_from_their_month() {
        let years = FinancialYears::starting_in(4);
        let march: Month = "2024-03".parse().unwrap();
        assert_eq!(
            window_phrase(Window::Ytd, march, years),
            "in the year to date (April 2023 to March 2024)"
        );
        assert_eq!(
            window_phrase(Window::Quarter, "2024-02".parse().unwrap(), years),
            "in the quarter to date (January 2024 to February 2024)"
        );
        assert_eq!(
            window_phrase(Window::Snapshot, "2024-02".parse().unwrap(), years),
            "on 29 February 2024"
        );
        assert_eq!(
            window_phrase(Window::Rolling(12), march, years),
            "in the 12 months to March 2024"
        );
        assert_eq!(
            window_phrase(Window::FinancialYear, march, years),
            "in the financial year 2023-24"
        );
    }
}
