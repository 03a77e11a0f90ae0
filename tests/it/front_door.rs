//! Front door: referrals, their timeliness, re-referrals and early help, on hand-built tables.

use crate::support::{Fixture, close};
use polars::prelude::IntoLazy;

const REFERRAL_COLUMNS: [&str; 3] = ["cine_referral_id", "cine_person_id", "cine_referral_date"];

fn referrals(rows: &[(&str, &str, &str)]) -> Fixture {
    let ids: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let people: Vec<&str> = rows.iter().map(|r| r.1).collect();
    let dates: Vec<&str> = rows.iter().map(|r| r.2).collect();
    Fixture::new("2024-05-01").table(
        "ssd_cin_episodes",
        &[
            (REFERRAL_COLUMNS[0], &ids),
            (REFERRAL_COLUMNS[1], &people),
            (REFERRAL_COLUMNS[2], &dates),
        ],
    )
}

#[test]
fn referrals_count_by_month_financial_year_and_rolling_12_months_across_boundaries() {
    // 31 March and 1 April straddle the financial year; 29 February 2024 is a leap day; May 2023 is empty.
    let out = referrals(&[
        ("R1", "A", "2023-03-31"),
        ("R2", "B", "2023-04-01"),
        ("R3", "A", "2023-04-01"),
        ("R4", "C", "2024-02-29"),
        ("R5", "D", "2024-03-31"),
        ("R6", "E", "2024-04-01"),
    ])
    .run("2023-04");
    assert_eq!(
        out.indicator("referrals")
            .window("month")
            .ending("2023-04")
            .triple(),
        (2.0, None, Some(2.0))
    );
    assert_eq!(
        out.indicator("referrals")
            .window("month")
            .ending("2023-05")
            .triple(),
        (0.0, None, Some(0.0))
    );
    assert_eq!(
        out.indicator("referrals")
            .window("month")
            .ending("2024-02")
            .triple(),
        (1.0, None, Some(1.0))
    );
    assert_eq!(
        out.indicator("referrals")
            .window("ytd")
            .ending("2024-03")
            .numerator,
        4.0
    );
    assert_eq!(
        out.indicator("referrals")
            .window("ytd")
            .ending("2024-04")
            .numerator,
        1.0,
        "the year to date restarts in April"
    );
    assert_eq!(
        out.indicator("referrals")
            .window("rolling_12m")
            .ending("2024-02")
            .numerator,
        4.0,
        "March 2023 to February 2024"
    );
    assert_eq!(
        out.indicator("referrals")
            .window("rolling_12m")
            .ending("2024-03")
            .numerator,
        4.0,
        "31 March 2023 drops out"
    );
    assert_eq!(
        out.indicator("referrals")
            .window("rolling_12m")
            .ending("2024-04")
            .numerator,
        3.0
    );
    // The first reported month's rolling window reaches back before the range: March 2023 counts.
    assert_eq!(
        out.indicator("referrals")
            .window("rolling_12m")
            .ending("2023-04")
            .numerator,
        3.0
    );
}

#[test]
fn referral_rate_uses_the_population_of_the_financial_years_mid_year_and_flags_a_fallback() {
    let mut fixture = referrals(&[("R1", "A", "2023-06-01"), ("R2", "B", "2024-04-10")]);
    fixture.population = vec![(2022, 50_000.0), (2023, 80_000.0)];
    let out = fixture.run("2023-04");
    let march = out
        .indicator("referral_rate")
        .window("rolling_12m")
        .ending("2024-03");
    assert_eq!(
        march.denominator,
        Some(80_000.0),
        "FY 2023-24 uses mid-2023"
    );
    close(march.value, 1.0 / 80_000.0 * 10_000.0);
    let april = out
        .indicator("referral_rate")
        .window("rolling_12m")
        .ending("2024-04");
    assert_eq!(
        april.denominator,
        Some(80_000.0),
        "mid-2024 is missing: the latest earlier year is used"
    );
    close(april.value, 2.0 / 80_000.0 * 10_000.0);
    let flags = out
        .indicators
        .clone()
        .lazy()
        .filter(polars::prelude::col("indicator_id").eq(polars::prelude::lit("referral_rate")))
        .select([polars::prelude::col("flags")])
        .collect()
        .unwrap();
    let flags: Vec<Option<&str>> = flags
        .column("flags")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        flags
            .iter()
            .filter(|f| **f == Some("population_from_2023"))
            .count(),
        1
    );
    assert_eq!(out.findings("population_fallback").len(), 1);
}

#[test]
fn re_referrals_look_back_12_calendar_months_strictly_before_and_clamp_29_february() {
    let out = referrals(&[
        ("A1", "A", "2023-03-31"),
        ("A2", "A", "2023-04-01"), // re-referral: A1 is the day before
        ("F1", "F", "2022-04-10"),
        ("F2", "F", "2023-04-10"), // re-referral: exactly 12 months before counts
        ("G1", "G", "2022-04-09"),
        ("G2", "G", "2023-04-10"), // not: one day more than 12 months
        ("H1", "H", "2023-04-20"),
        ("H2", "H", "2023-04-20"), // same day: neither is before the other
        ("I1", "I", "2023-02-28"),
        ("I2", "I", "2024-02-29"), // 29 Feb 2024 - 12 months = 28 Feb 2023: counts
    ])
    .run("2023-04");
    assert_eq!(
        out.indicator("re_referrals")
            .window("month")
            .ending("2023-04")
            .numerator,
        2.0
    );
    let rate = out
        .indicator("re_referral_rate")
        .window("month")
        .ending("2023-04");
    assert_eq!((rate.numerator, rate.denominator), (2.0, Some(5.0)));
    close(rate.value, 40.0);
    assert_eq!(
        out.indicator("re_referrals")
            .window("month")
            .ending("2024-02")
            .numerator,
        1.0
    );
    let ytd = out
        .indicator("re_referral_rate")
        .window("ytd")
        .ending("2024-03");
    assert_eq!((ytd.numerator, ytd.denominator), (3.0, Some(6.0)));
    let empty = out
        .indicator("re_referral_rate")
        .window("month")
        .ending("2023-05");
    assert_eq!(
        (empty.numerator, empty.denominator, empty.value),
        (0.0, Some(0.0), None),
        "a zero denominator gives null"
    );
}

#[test]
fn referral_completion_counts_working_days_after_the_referral_skipping_weekends_and_bank_holidays()
{
    let out = Fixture::new("2024-05-01")
        .records(
            "ssd_cin_episodes",
            &[
                "cine_referral_id",
                "cine_person_id",
                "cine_referral_date",
                "cine_referral_outcome_date",
            ],
            &[
                // Fri -> Tue over the Coronation holiday: 1 working day.
                &["R1", "A", "2023-05-05", "2023-05-09"],
                // Thu -> Tue: 2.
                &["R2", "B", "2023-05-04", "2023-05-09"],
                // The same day: 0.
                &["R3", "C", "2023-05-10", "2023-05-10"],
                // Wed -> Tue: 4.
                &["R4", "D", "2023-05-10", "2023-05-16"],
                // The outcome before the referral: left out.
                &["R5", "E", "2023-05-20", "2023-05-19"],
                // No outcome: not completed.
                &["R6", "F", "2023-05-22", ""],
                // Fri -> Tue over 1 May: 1.
                &["R7", "G", "2023-04-28", "2023-05-02"],
            ],
        )
        .run("2023-04");
    let within = out
        .indicator("referral_completed_1wd")
        .window("month")
        .ending("2023-05");
    assert_eq!((within.numerator, within.denominator), (3.0, Some(5.0)));
    close(within.value, 60.0);
    let over = out
        .indicator("referral_completed_over_3wd")
        .window("month")
        .ending("2023-05");
    assert_eq!((over.numerator, over.denominator), (1.0, Some(5.0)));
    close(over.value, 20.0);
    let bad = out.findings("end_before_start");
    assert_eq!(
        bad,
        vec![(
            "ssd_cin_episodes".to_string(),
            "cine_referral_date, cine_referral_outcome_date".to_string(),
            1
        )]
    );
}

#[test]
fn early_help_counts_starts_and_the_share_started_by_external_agencies() {
    let out = Fixture::new("2024-05-01")
        .records(
            "ssd_early_help_episodes",
            &[
                "earl_episode_id",
                "earl_person_id",
                "earl_episode_start_date",
                "earl_episode_organisation",
            ],
            &[
                &["E1", "A", "2023-04-03", "external"],
                &["E2", "B", "2023-04-30", "External"],
                &["E3", "C", "2023-04-12", "Local authority"],
                &["E4", "C", "2023-05-01", ""],
            ],
        )
        .run("2023-04");
    assert_eq!(
        out.indicator("eha_started")
            .window("month")
            .ending("2023-04")
            .numerator,
        3.0
    );
    let ext = out
        .indicator("eha_started_external")
        .window("month")
        .ending("2023-04");
    assert_eq!((ext.numerator, ext.denominator), (2.0, Some(3.0)));
    let ytd = out
        .indicator("eha_started_external")
        .window("ytd")
        .ending("2023-05");
    assert_eq!((ytd.numerator, ytd.denominator), (2.0, Some(4.0)));
}
