//! Random catalogues over random small tables: whatever the definitions and the data, the engine does not panic,
//! every value is finite or null, percentages lie within 0 to 100 and their numerators do not exceed their
//! denominators.

use crate::support::Fixture;
use polars::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// The seed of the random cases: `CSC_PROPERTY_SEED`, else a fixed one.
fn seed() -> u64 {
    std::env::var("CSC_PROPERTY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_122)
}

/// How an indicator's rows are placed in time.
const TIMINGS: [&str; 3] = [
    "dated_by: cine_referral_date",
    "dated_by: cine_close_date",
    "open: {start: cine_referral_date, end: cine_close_date}",
];

/// Row filters, any of which may read the steps' columns.
const FILTERS: [Option<&str>; 6] = [
    None,
    Some("cine_referral_nfa = true"),
    Some("coalesce(cine_referral_nfa, false) = false"),
    Some("pers_sex = 'F'"),
    Some("days_open > 30"),
    Some("cine_referral_source_code IN ('1A', '2B')"),
];

/// Conditions for a percentage's numerator.
const NUMERATORS: [&str; 4] = [
    "pers_sex = 'F'",
    "days_open <= 20",
    "cine_referral_nfa = true",
    "cine_close_date IS NULL",
];

const DATED_WINDOWS: [&str; 6] = [
    "month",
    "quarter",
    "ytd",
    "financial_year",
    "rolling_12m",
    "rolling_36m",
];

/// One random indicator, as indices into the choices above.
#[derive(Debug, Clone)]
struct Drawn {
    timing: usize,
    unit: usize,
    count: usize,
    filter: usize,
    numerator: usize,
    windows: u8,
    negative: usize,
    breakdown: bool,
}

fn drawn() -> impl Strategy<Value = Drawn> {
    (
        0..TIMINGS.len(),
        0..5usize,
        0..3usize,
        0..FILTERS.len(),
        0..NUMERATORS.len(),
        1..64u8,
        0..3usize,
        any::<bool>(),
    )
        .prop_map(
            |(timing, unit, count, filter, numerator, windows, negative, breakdown)| Drawn {
                timing,
                unit,
                count,
                filter,
                numerator,
                windows,
                negative,
                breakdown,
            },
        )
}

impl Drawn {
    fn yaml(&self, i: usize) -> String {
        let windows = if self.timing == 2 {
            "snapshot".to_string()
        } else {
            let chosen: Vec<&str> = DATED_WINDOWS
                .iter()
                .enumerate()
                .filter(|(b, _)| self.windows & (1 << b) != 0)
                .map(|(_, w)| *w)
                .collect();
            chosen.join(", ")
        };
        let (unit, measure) = match self.unit {
            0 => ("count", String::new()),
            1 => (
                "percent",
                format!("    numerator: {}\n", NUMERATORS[self.numerator]),
            ),
            2 => ("rate_per_10k", String::new()),
            3 => ("days", "    mean_of: days_open\n".to_string()),
            _ => (
                "mean",
                "    denominator: {distinct: cine_person_id}\n".into(),
            ),
        };
        let count = match (unit, self.count) {
            ("count", 1) => "      count: children\n",
            ("count", 2) => "      count: {distinct: cine_referral_source_code}\n",
            _ => "",
        };
        let filter = FILTERS[self.filter]
            .map(|f| format!("      where: {f}\n"))
            .unwrap_or_default();
        let negative = ["leave_out", "keep", "zero"][self.negative];
        let breakdown = if self.breakdown {
            "    breakdowns:\n      - {name: source, column: cine_referral_source_code, categories: [\"1A\", \"2B\"]}\n"
        } else {
            ""
        };
        format!(
            "  - id: drawn_{i}
    title: Drawn {i}
    definition: A random indicator.
    unit: {unit}
    polarity: neutral
    windows: [{windows}]
    rows:
      table: ssd_cin_episodes
      {timing}
{count}      steps:
        - calendar_days: {{name: days_open, from: cine_referral_date, to: cine_close_date, negative: {negative}}}
        - lookup: {{table: ssd_person, on: {{cine_person_id: pers_person_id}}, columns: [pers_sex]}}
{filter}{measure}{breakdown}",
            timing = TIMINGS[self.timing]
        )
    }
}

/// One random referral: person, referral date, close date, source, no-further-action flag. Dates are days after
/// 1 January 2020 (about five years), missing, or implausible.
type Referral = (usize, Option<i64>, Option<i64>, usize, usize);

fn referral() -> impl Strategy<Value = Referral> {
    let day = prop_oneof![
        8 => (0..1900i64).prop_map(Some),
        1 => Just(None),
        1 => Just(Some(-80_000)),
    ];
    (0..5usize, day.clone(), day, 0..4usize, 0..4usize)
}

fn date(day: Option<i64>) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    day.map(|d| (start + chrono::Duration::days(d)).to_string())
        .unwrap_or_default()
}

fn text(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}

fn check(indicators: &DataFrame) {
    let column = |name: &str| {
        indicators
            .column(name)
            .unwrap()
            .as_materialized_series()
            .clone()
    };
    let (unit, value) = (column("unit"), column("value"));
    let (numerator, denominator) = (column("numerator"), column("denominator"));
    let (unit, value) = (unit.str().unwrap(), value.f64().unwrap());
    let (numerator, denominator) = (numerator.f64().unwrap(), denominator.f64().unwrap());
    for row in 0..indicators.height() {
        let v = value.get(row);
        assert!(v.is_none_or(f64::is_finite), "row {row}: value {v:?}");
        if unit.get(row) == Some("percent") {
            if let Some(v) = v {
                assert!((0.0..=100.0).contains(&v), "row {row}: {v}%");
            }
            if let (Some(n), Some(d)) = (numerator.get(row), denominator.get(row)) {
                assert!(n <= d, "row {row}: numerator {n} over denominator {d}");
            }
        }
        if let Some(n) = numerator.get(row) {
            assert!(n >= 0.0 || unit.get(row) == Some("days"), "row {row}: {n}");
        }
    }
}

proptest! {
    // A fixed seed keeps CI deterministic; `CSC_PROPERTY_SEED=<n> cargo test property` explores other cases.
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed()),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_catalogues_over_random_tables_give_finite_bounded_values(
        indicators in prop::collection::vec(drawn(), 1..4),
        referrals in prop::collection::vec(referral(), 0..30),
        sexes in prop::collection::vec(0..3usize, 5),
    ) {
        let mut catalogue = crate::catalogue::HEADER.to_string();
        for (i, indicator) in indicators.iter().enumerate() {
            catalogue.push_str(&indicator.yaml(i));
        }
        let ids: Vec<String> = (0..referrals.len()).map(|i| format!("R{}", i % 25)).collect();
        let persons: Vec<String> = referrals.iter().map(|r| format!("P{}", r.0)).collect();
        let referred: Vec<String> = referrals.iter().map(|r| date(r.1)).collect();
        let closed: Vec<String> = referrals.iter().map(|r| date(r.2)).collect();
        let sources: Vec<String> =
            referrals.iter().map(|r| ["1A", "2B", "9Z", ""][r.3].to_string()).collect();
        let nfa: Vec<String> =
            referrals.iter().map(|r| ["Y", "N", "", "maybe"][r.4].to_string()).collect();
        let people: Vec<String> = (0..5).map(|p| format!("P{p}")).collect();
        let sex: Vec<String> = sexes.iter().map(|s| ["F", "M", ""][*s].to_string()).collect();
        let out = Fixture::new("2025-01-01")
            .table(
                "ssd_cin_episodes",
                &[
                    ("cine_referral_id", &text(&ids)),
                    ("cine_person_id", &text(&persons)),
                    ("cine_referral_date", &text(&referred)),
                    ("cine_close_date", &text(&closed)),
                    ("cine_referral_source_code", &text(&sources)),
                    ("cine_referral_nfa", &text(&nfa)),
                ],
            )
            .table(
                "ssd_person",
                &[
                    ("pers_person_id", &text(&people)),
                    ("pers_dob", &["2010-01-01"; 5]),
                    ("pers_sex", &text(&sex)),
                ],
            )
            .run_catalogue(&catalogue, "2023-04");
        check(&out.indicators);
    }
}
