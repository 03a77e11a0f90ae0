//! Children in care: the cohort at period end (short breaks left out), its breakdowns, periods of care starting and
//! ending, placement stability and distance, reviews, visits, health, education, missing episodes.

use crate::support::{Fixture, close};

/// Four children around February 2022:
/// - A, born 29 February 2012, in care since June 2021 (C2, U4 placement 25 miles away);
/// - B, on a V3 short break from 1 January until 10 March 2022, then C2 (U6, 5 miles);
/// - C, born 15 January 2022, in care from 1 February 2022 (C1, no placement, sex unknown);
/// - D, born 1 March 2006, two episodes of one period (X1 between) ending 15 March 2022 (V2, K2).
fn cohort() -> Fixture {
    Fixture::new("2022-05-01")
        .record(
            "ssd_person",
            &[
                ("pers_person_id", "A"),
                ("pers_dob", "2012-02-29"),
                ("pers_sex", "F"),
            ],
        )
        .record(
            "ssd_person",
            &[
                ("pers_person_id", "B"),
                ("pers_dob", "2015-05-05"),
                ("pers_sex", "M"),
            ],
        )
        .record(
            "ssd_person",
            &[("pers_person_id", "C"), ("pers_dob", "2022-01-15")],
        )
        .record(
            "ssd_person",
            &[
                ("pers_person_id", "D"),
                ("pers_dob", "2006-03-01"),
                ("pers_sex", "M"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "EA"),
                ("clae_person_id", "A"),
                ("clae_cla_id", "LA"),
                ("clae_cla_episode_start_date", "2021-06-01"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "EB"),
                ("clae_person_id", "B"),
                ("clae_cla_id", "LB"),
                ("clae_cla_episode_start_date", "2022-01-01"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "EC"),
                ("clae_person_id", "C"),
                ("clae_cla_id", "LC"),
                ("clae_cla_episode_start_date", "2022-02-01"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "ED1"),
                ("clae_person_id", "D"),
                ("clae_cla_id", "LD"),
                ("clae_cla_episode_start_date", "2021-01-01"),
                ("clae_cla_episode_ceased_date", "2021-09-01"),
                ("clae_cla_episode_ceased_reason", "X1"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "ED2"),
                ("clae_person_id", "D"),
                ("clae_cla_id", "LD"),
                ("clae_cla_episode_start_date", "2021-09-01"),
                ("clae_cla_episode_ceased_date", "2022-03-15"),
                ("clae_cla_episode_ceased_reason", "E13"),
            ],
        )
        .record(
            "ssd_legal_status",
            &[
                ("lega_legal_status_id", "GA"),
                ("lega_person_id", "A"),
                ("lega_legal_status", "C2"),
                ("lega_legal_status_start_date", "2021-06-01"),
            ],
        )
        .record(
            "ssd_legal_status",
            &[
                ("lega_legal_status_id", "GB1"),
                ("lega_person_id", "B"),
                ("lega_legal_status", "V3"),
                ("lega_legal_status_start_date", "2022-01-01"),
                ("lega_legal_status_end_date", "2022-03-10"),
            ],
        )
        .record(
            "ssd_legal_status",
            &[
                ("lega_legal_status_id", "GB2"),
                ("lega_person_id", "B"),
                ("lega_legal_status", "C2"),
                ("lega_legal_status_start_date", "2022-03-10"),
            ],
        )
        .record(
            "ssd_legal_status",
            &[
                ("lega_legal_status_id", "GC"),
                ("lega_person_id", "C"),
                ("lega_legal_status", "C1"),
                ("lega_legal_status_start_date", "2022-02-01"),
            ],
        )
        .record(
            "ssd_legal_status",
            &[
                ("lega_legal_status_id", "GD"),
                ("lega_person_id", "D"),
                ("lega_legal_status", "V2"),
                ("lega_legal_status_start_date", "2021-01-01"),
                ("lega_legal_status_end_date", "2022-03-15"),
            ],
        )
        .record(
            "ssd_cla_placement",
            &[
                ("clap_cla_placement_id", "PA"),
                ("clap_person_id", "A"),
                ("clap_cla_placement_start_date", "2021-06-01"),
                ("clap_cla_placement_type", "U4"),
                ("clap_cla_placement_distance", "25"),
            ],
        )
        .record(
            "ssd_cla_placement",
            &[
                ("clap_cla_placement_id", "PB"),
                ("clap_person_id", "B"),
                ("clap_cla_placement_start_date", "2022-01-01"),
                ("clap_cla_placement_type", "U6"),
                ("clap_cla_placement_distance", "5"),
            ],
        )
        .record(
            "ssd_cla_placement",
            &[
                ("clap_cla_placement_id", "PD"),
                ("clap_person_id", "D"),
                ("clap_cla_placement_start_date", "2021-01-01"),
                ("clap_cla_placement_end_date", "2022-03-15"),
                ("clap_cla_placement_type", "K2"),
                ("clap_cla_placement_distance", "1"),
            ],
        )
}

#[test]
fn children_in_care_leave_out_short_breaks_and_count_each_child_once() {
    let out = cohort().run("2022-01");
    // 31 January: A and D; B is on a V3 short break; C is not yet in care.
    assert_eq!(
        out.indicator("cic_children")
            .window("snapshot")
            .ending("2022-01")
            .numerator,
        2.0
    );
    // 28 February: A, C and D (B still on V3).
    assert_eq!(
        out.indicator("cic_children")
            .window("snapshot")
            .ending("2022-02")
            .numerator,
        3.0
    );
    // 31 March: A, B (V3 ended 10 March) and C; D's period ended 15 March.
    assert_eq!(
        out.indicator("cic_children")
            .window("snapshot")
            .ending("2022-03")
            .numerator,
        3.0
    );
    let rate = out
        .indicator("cic_rate")
        .window("snapshot")
        .ending("2022-03");
    close(rate.value, 3.0 / 100_000.0 * 10_000.0);
}

#[test]
fn age_groups_turn_on_1_march_for_a_29_february_birthday_in_a_common_year() {
    let out = cohort().run("2022-01");
    let group = |month: &str, g: &str| {
        out.indicator("cic_children")
            .category("age_group", g)
            .window("snapshot")
            .ending(month)
            .numerator
    };
    // 28 February 2022: A (born 29 Feb 2012) is still 9; D (born 1 March 2006) is still 15; C is under 1.
    assert_eq!(group("2022-02", "5 to 9"), 1.0);
    assert_eq!(group("2022-02", "10 to 15"), 1.0);
    assert_eq!(group("2022-02", "Under 1"), 1.0);
    assert_eq!(group("2022-02", "16+"), 0.0);
    // 31 March 2022: A is 10, B is 6, C is still under 1.
    assert_eq!(group("2022-03", "10 to 15"), 1.0);
    assert_eq!(group("2022-03", "5 to 9"), 1.0);
    assert_eq!(group("2022-03", "1 to 4"), 0.0);
}

#[test]
fn sex_legal_status_and_placement_breakdowns_use_the_rows_open_at_period_end() {
    let out = cohort().run("2022-01");
    let cat = |b: &str, v: &str| {
        out.indicator("cic_children")
            .category(b, v)
            .window("snapshot")
            .ending("2022-02")
            .numerator
    };
    // C's sex is unknown: in the total (3) but in no category.
    assert_eq!((cat("sex", "F"), cat("sex", "M")), (1.0, 1.0));
    assert_eq!(
        (
            cat("legal_status", "C1"),
            cat("legal_status", "C2"),
            cat("legal_status", "V2")
        ),
        (1.0, 1.0, 1.0)
    );
    // C has no placement.
    assert_eq!(
        (cat("placement_type", "U4"), cat("placement_type", "K2")),
        (1.0, 1.0)
    );
    let march = |b: &str, v: &str| {
        out.indicator("cic_children")
            .category(b, v)
            .window("snapshot")
            .ending("2022-03")
            .numerator
    };
    assert_eq!(march("legal_status", "C2"), 2.0);
    assert_eq!(march("placement_type", "U6"), 1.0);
    assert_eq!(march("placement_type", "K2"), 0.0);
}

#[test]
fn of_two_placements_starting_the_same_day_the_greater_id_is_current_whatever_the_rows_order() {
    // Child A's placements P1 (U4, 25 miles) and P2 (K2, 5 miles) both start on 1 June 2021 and are both open at
    // 28 February 2022: P2 is current, so A is in K2 and placed less than 20 miles away, in either order of the
    // rows.
    for order in [[0, 1], [1, 0]] {
        let pick = |v: [&'static str; 2]| [v[order[0]], v[order[1]]];
        let out = Fixture::new("2022-05-01")
            .record(
                "ssd_person",
                &[
                    ("pers_person_id", "A"),
                    ("pers_dob", "2012-02-29"),
                    ("pers_sex", "F"),
                ],
            )
            .record(
                "ssd_cla_episodes",
                &[
                    ("clae_cla_episode_id", "EA"),
                    ("clae_person_id", "A"),
                    ("clae_cla_id", "LA"),
                    ("clae_cla_episode_start_date", "2021-06-01"),
                ],
            )
            .table(
                "ssd_cla_placement",
                &[
                    ("clap_cla_placement_id", &pick(["P1", "P2"])),
                    ("clap_person_id", &["A", "A"]),
                    (
                        "clap_cla_placement_start_date",
                        &["2021-06-01", "2021-06-01"],
                    ),
                    ("clap_cla_placement_end_date", &["", ""]),
                    ("clap_cla_placement_type", &pick(["U4", "K2"])),
                    ("clap_cla_placement_distance", &pick(["25", "5"])),
                ],
            )
            .run("2022-01");
        let placed = |v: &str| {
            out.indicator("cic_children")
                .category("placement_type", v)
                .window("snapshot")
                .ending("2022-02")
                .numerator
        };
        assert_eq!((placed("K2"), placed("U4")), (1.0, 0.0), "{order:?}");
        assert_eq!(
            out.indicator("cic_placed_20_miles")
                .window("snapshot")
                .ending("2022-02")
                .numerator,
            0.0,
            "{order:?}"
        );
    }
}

#[test]
fn every_breakdown_category_appears_for_every_month() {
    let out = cohort().run("2022-01");
    let df = out.indicators.clone();
    use polars::prelude::*;
    let counts = df
        .lazy()
        .filter(col("indicator_id").eq(lit("cic_children")))
        .group_by([col("breakdown"), col("period_end")])
        .agg([len().alias("n")])
        .group_by([col("breakdown")])
        .agg([col("n").min().alias("min"), col("n").max().alias("max")])
        .sort(["breakdown"], SortMultipleOptions::default())
        .collect()
        .unwrap();
    let get = |b: &str| -> (u32, u32) {
        let idx = (0..counts.height())
            .find(|i| counts.column("breakdown").unwrap().str().unwrap().get(*i) == Some(b))
            .unwrap_or_else(|| panic!("no {b} rows"));
        (
            counts
                .column("min")
                .unwrap()
                .u32()
                .unwrap()
                .get(idx)
                .unwrap(),
            counts
                .column("max")
                .unwrap()
                .u32()
                .unwrap()
                .get(idx)
                .unwrap(),
        )
    };
    assert_eq!(get("age_group"), (5, 5));
    assert_eq!(get("sex"), (2, 2));
    assert_eq!(get("legal_status"), (11, 11));
    assert_eq!(get("placement_type"), (25, 25));
    // Age groups partition the cohort: they sum to the total every month.
    let sum_groups = |month: &str| -> f64 {
        ["Under 1", "1 to 4", "5 to 9", "10 to 15", "16+"]
            .iter()
            .map(|g| {
                out.indicator("cic_children")
                    .category("age_group", g)
                    .window("snapshot")
                    .ending(month)
                    .numerator
            })
            .sum()
    };
    for month in ["2022-01", "2022-02", "2022-03", "2022-04"] {
        assert_eq!(
            sum_groups(month),
            out.indicator("cic_children")
                .window("snapshot")
                .ending(month)
                .numerator,
            "{month}"
        );
    }
}

/// Periods of care: E (two episodes, X1 between, ended E13 in April), F (an X1 that no episode follows), G (a
/// short break from start to end), H (starts on V3, becomes C2), I (ends the day it starts, on V3), J (a period
/// whose first episode is still open while a later one has ceased: not ended).
fn periods() -> Fixture {
    Fixture::new("2022-06-01")
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "E1"),
                ("clae_person_id", "E"),
                ("clae_cla_id", "LE"),
                ("clae_cla_episode_start_date", "2022-02-10"),
                ("clae_cla_episode_ceased_date", "2022-02-20"),
                ("clae_cla_episode_ceased_reason", "X1"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "E2"),
                ("clae_person_id", "E"),
                ("clae_cla_id", "LE"),
                ("clae_cla_episode_start_date", "2022-02-20"),
                ("clae_cla_episode_ceased_date", "2022-04-05"),
                ("clae_cla_episode_ceased_reason", "E13"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "F1"),
                ("clae_person_id", "F"),
                ("clae_cla_id", "LF"),
                ("clae_cla_episode_start_date", "2022-02-01"),
                ("clae_cla_episode_ceased_date", "2022-03-01"),
                ("clae_cla_episode_ceased_reason", "X1"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "G1"),
                ("clae_person_id", "G"),
                ("clae_cla_id", "LG"),
                ("clae_cla_episode_start_date", "2022-02-05"),
                ("clae_cla_episode_ceased_date", "2022-03-20"),
                ("clae_cla_episode_ceased_reason", "E13"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "H1"),
                ("clae_person_id", "H"),
                ("clae_cla_id", "LH"),
                ("clae_cla_episode_start_date", "2022-01-10"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "I1"),
                ("clae_person_id", "I"),
                ("clae_cla_id", "LI"),
                ("clae_cla_episode_start_date", "2022-03-05"),
                ("clae_cla_episode_ceased_date", "2022-03-05"),
                ("clae_cla_episode_ceased_reason", "E13"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "J1"),
                ("clae_person_id", "J"),
                ("clae_cla_id", "LJ"),
                ("clae_cla_episode_start_date", "2022-03-01"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "J2"),
                ("clae_person_id", "J"),
                ("clae_cla_id", "LJ"),
                ("clae_cla_episode_start_date", "2022-03-10"),
                ("clae_cla_episode_ceased_date", "2022-04-10"),
                ("clae_cla_episode_ceased_reason", "E4A"),
            ],
        )
        .record(
            "ssd_legal_status",
            &[
                ("lega_legal_status_id", "GG"),
                ("lega_person_id", "G"),
                ("lega_legal_status", "V3"),
                ("lega_legal_status_start_date", "2022-02-05"),
            ],
        )
        .record(
            "ssd_legal_status",
            &[
                ("lega_legal_status_id", "GH1"),
                ("lega_person_id", "H"),
                ("lega_legal_status", "V3"),
                ("lega_legal_status_start_date", "2022-01-10"),
                ("lega_legal_status_end_date", "2022-02-01"),
            ],
        )
        .record(
            "ssd_legal_status",
            &[
                ("lega_legal_status_id", "GH2"),
                ("lega_person_id", "H"),
                ("lega_legal_status", "C2"),
                ("lega_legal_status_start_date", "2022-02-01"),
            ],
        )
        .record(
            "ssd_legal_status",
            &[
                ("lega_legal_status_id", "GI"),
                ("lega_person_id", "I"),
                ("lega_legal_status", "V4"),
                ("lega_legal_status_start_date", "2022-03-05"),
            ],
        )
}

#[test]
fn periods_of_care_start_at_their_first_episode_unless_on_a_short_break() {
    let out = periods().run("2022-01");
    // January: H starts on V3 (never a start, though it becomes C2). February: E (once, not per episode) and F;
    // G starts on V3. March: J; I starts on V4.
    assert_eq!(
        out.indicator("cic_starts")
            .window("month")
            .ending("2022-01")
            .numerator,
        0.0
    );
    assert_eq!(
        out.indicator("cic_starts")
            .window("month")
            .ending("2022-02")
            .numerator,
        2.0
    );
    assert_eq!(
        out.indicator("cic_starts")
            .window("month")
            .ending("2022-03")
            .numerator,
        1.0
    );
    assert_eq!(
        out.indicator("cic_starts")
            .window("ytd")
            .ending("2022-03")
            .numerator,
        3.0
    );
    let rate = out
        .indicator("cic_starts_rate")
        .window("rolling_12m")
        .ending("2022-03");
    close(rate.value, 3.0 / 100_000.0 * 10_000.0);
}

#[test]
fn periods_of_care_end_at_their_last_episode_with_a_reason_other_than_x1() {
    let out = periods().run("2022-01");
    // E ends 5 April (E13). F's X1 is not an end. G ends on a short break (V3 open on 19 March, its last day in
    // care); I ends the day it starts, on V4. J's first episode is still open.
    assert_eq!(
        out.indicator("cic_ends")
            .window("month")
            .ending("2022-03")
            .numerator,
        0.0
    );
    assert_eq!(
        out.indicator("cic_ends")
            .window("month")
            .ending("2022-04")
            .numerator,
        1.0
    );
    assert_eq!(
        out.indicator("cic_ends")
            .window("rolling_12m")
            .ending("2022-05")
            .numerator,
        1.0
    );
    let adopted = out
        .indicator("cic_ceased_adopted")
        .window("ytd")
        .ending("2022-04");
    assert_eq!((adopted.numerator, adopted.denominator), (0.0, Some(1.0)));
}

/// Children in care at 30 September 2023 with placement histories:
/// - P (age 10): P1 ended 1 October 2022 (open on no day of the 12 months), P2, P3 (current, from March 2023,
///   25 miles); in care since January 2021;
/// - Q (age 10): Q1 ended 2 October 2022, Q2, Q3 (current, no distance); in care since January 2021;
/// - R (age 18): one placement, 30 miles;
/// - S (age 12): in care and in one placement since June 2020, 5 miles.
fn placements() -> Fixture {
    Fixture::new("2023-10-01")
        .record(
            "ssd_person",
            &[("pers_person_id", "P"), ("pers_dob", "2013-01-01")],
        )
        .record(
            "ssd_person",
            &[("pers_person_id", "Q"), ("pers_dob", "2013-01-01")],
        )
        .record(
            "ssd_person",
            &[("pers_person_id", "R"), ("pers_dob", "2005-01-01")],
        )
        .record(
            "ssd_person",
            &[("pers_person_id", "S"), ("pers_dob", "2011-01-01")],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "EP"),
                ("clae_person_id", "P"),
                ("clae_cla_id", "LP"),
                ("clae_cla_episode_start_date", "2021-01-01"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "EQ"),
                ("clae_person_id", "Q"),
                ("clae_cla_id", "LQ"),
                ("clae_cla_episode_start_date", "2021-01-01"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "ER"),
                ("clae_person_id", "R"),
                ("clae_cla_id", "LR"),
                ("clae_cla_episode_start_date", "2022-01-01"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "ES"),
                ("clae_person_id", "S"),
                ("clae_cla_id", "LS"),
                ("clae_cla_episode_start_date", "2020-06-01"),
            ],
        )
        .record(
            "ssd_cla_placement",
            &[
                ("clap_cla_placement_id", "P1"),
                ("clap_person_id", "P"),
                ("clap_cla_placement_start_date", "2021-01-01"),
                ("clap_cla_placement_end_date", "2022-10-01"),
                ("clap_cla_placement_distance", "1"),
            ],
        )
        .record(
            "ssd_cla_placement",
            &[
                ("clap_cla_placement_id", "P2"),
                ("clap_person_id", "P"),
                ("clap_cla_placement_start_date", "2022-10-01"),
                ("clap_cla_placement_end_date", "2023-03-01"),
                ("clap_cla_placement_distance", "1"),
            ],
        )
        .record(
            "ssd_cla_placement",
            &[
                ("clap_cla_placement_id", "P3"),
                ("clap_person_id", "P"),
                ("clap_cla_placement_start_date", "2023-03-01"),
                ("clap_cla_placement_distance", "25"),
            ],
        )
        .record(
            "ssd_cla_placement",
            &[
                ("clap_cla_placement_id", "Q1"),
                ("clap_person_id", "Q"),
                ("clap_cla_placement_start_date", "2021-01-01"),
                ("clap_cla_placement_end_date", "2022-10-02"),
                ("clap_cla_placement_distance", "1"),
            ],
        )
        .record(
            "ssd_cla_placement",
            &[
                ("clap_cla_placement_id", "Q2"),
                ("clap_person_id", "Q"),
                ("clap_cla_placement_start_date", "2022-10-02"),
                ("clap_cla_placement_end_date", "2023-03-01"),
                ("clap_cla_placement_distance", "1"),
            ],
        )
        .record(
            "ssd_cla_placement",
            &[
                ("clap_cla_placement_id", "Q3"),
                ("clap_person_id", "Q"),
                ("clap_cla_placement_start_date", "2023-03-01"),
            ],
        )
        .record(
            "ssd_cla_placement",
            &[
                ("clap_cla_placement_id", "R1"),
                ("clap_person_id", "R"),
                ("clap_cla_placement_start_date", "2022-01-01"),
                ("clap_cla_placement_distance", "30"),
            ],
        )
        .record(
            "ssd_cla_placement",
            &[
                ("clap_cla_placement_id", "S1"),
                ("clap_person_id", "S"),
                ("clap_cla_placement_start_date", "2020-06-01"),
                ("clap_cla_placement_distance", "5"),
            ],
        )
}

#[test]
fn three_or_more_placements_count_those_open_on_at_least_one_day_of_the_12_months() {
    let out = placements().run("2023-09");
    // The 12 months ending 30 September 2023 start on 1 October 2022: P1 ended that day (not open on it), Q1 ended
    // the day after. R is 18: not in the cohort.
    let f = out
        .indicator("cic_3plus_placements")
        .window("snapshot")
        .ending("2023-09");
    assert_eq!((f.numerator, f.denominator), (1.0, Some(3.0)));
}

#[test]
fn long_term_stability_and_distance_use_the_current_placement() {
    let out = placements().run("2023-09");
    // Under 16 and in care since 31 March 2021 or earlier: P, Q, S; only S's placement started by 30 September 2021.
    let stable = out
        .indicator("cic_long_term_stability")
        .window("snapshot")
        .ending("2023-09");
    assert_eq!((stable.numerator, stable.denominator), (1.0, Some(3.0)));
    // 20 miles or more: P (25) and R (30); Q's placement has no distance (denominator only).
    let far = out
        .indicator("cic_placed_20_miles")
        .window("snapshot")
        .ending("2023-09");
    assert_eq!((far.numerator, far.denominator), (2.0, Some(4.0)));
}

#[test]
fn reviews_on_time_leave_out_cancelled_reviews_and_short_breaks() {
    let out = Fixture::new("2023-10-01")
        .record(
            "ssd_cla_reviews",
            &[
                ("clar_cla_review_id", "R1"),
                ("clar_cla_person_id", "A"),
                ("clar_cla_review_due_date", "2023-06-10"),
                ("clar_cla_review_date", "2023-06-10"),
                ("clar_cla_review_cancelled", "N"),
            ],
        )
        .record(
            "ssd_cla_reviews",
            &[
                ("clar_cla_review_id", "R2"),
                ("clar_cla_person_id", "B"),
                ("clar_cla_review_due_date", "2023-06-15"),
                ("clar_cla_review_date", "2023-06-16"),
            ],
        )
        .record(
            "ssd_cla_reviews",
            &[
                ("clar_cla_review_id", "R3"),
                ("clar_cla_person_id", "C"),
                ("clar_cla_review_due_date", "2023-06-20"),
                ("clar_cla_review_cancelled", "n"),
            ],
        )
        .record(
            "ssd_cla_reviews",
            &[
                ("clar_cla_review_id", "R4"),
                ("clar_cla_person_id", "D"),
                ("clar_cla_review_due_date", "2023-06-30"),
                ("clar_cla_review_date", "2023-06-01"),
                ("clar_cla_review_cancelled", "N"),
            ],
        )
        .record(
            "ssd_cla_reviews",
            &[
                ("clar_cla_review_id", "R5"),
                ("clar_cla_person_id", "E"),
                ("clar_cla_review_due_date", "2023-06-05"),
                ("clar_cla_review_cancelled", "y"),
            ],
        )
        .record(
            "ssd_legal_status",
            &[
                ("lega_legal_status_id", "GD"),
                ("lega_person_id", "D"),
                ("lega_legal_status", "V4"),
                ("lega_legal_status_start_date", "2023-01-01"),
            ],
        )
        .run("2023-06");
    // A on time (same day), B late, C not held; D on a short break and E cancelled are left out.
    let f = out
        .indicator("cic_reviews_on_time")
        .window("month")
        .ending("2023-06");
    assert_eq!((f.numerator, f.denominator), (1.0, Some(3.0)));
}

/// Children in care at 30 September 2023: V1 and V2 since January 2022, V3 since 25 August 2023, V4 since 2022
/// but on a V3 short break until 1 September 2023 (V3 and V4 are 18: never of school age).
fn visits_and_checks() -> Fixture {
    Fixture::new("2023-10-01")
        .record(
            "ssd_person",
            &[("pers_person_id", "V1"), ("pers_dob", "2018-08-31")],
        )
        .record(
            "ssd_person",
            &[("pers_person_id", "V2"), ("pers_dob", "2018-09-01")],
        )
        .record(
            "ssd_person",
            &[("pers_person_id", "V3"), ("pers_dob", "2005-01-01")],
        )
        .record(
            "ssd_person",
            &[("pers_person_id", "V4"), ("pers_dob", "2005-01-01")],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "E1"),
                ("clae_person_id", "V1"),
                ("clae_cla_id", "L1"),
                ("clae_cla_episode_start_date", "2022-01-01"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "E2"),
                ("clae_person_id", "V2"),
                ("clae_cla_id", "L2"),
                ("clae_cla_episode_start_date", "2022-01-01"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "E3"),
                ("clae_person_id", "V3"),
                ("clae_cla_id", "L3"),
                ("clae_cla_episode_start_date", "2023-08-25"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "E4"),
                ("clae_person_id", "V4"),
                ("clae_cla_id", "L4"),
                ("clae_cla_episode_start_date", "2022-01-01"),
            ],
        )
        .record(
            "ssd_legal_status",
            &[
                ("lega_legal_status_id", "G4"),
                ("lega_person_id", "V4"),
                ("lega_legal_status", "V3"),
                ("lega_legal_status_start_date", "2022-01-01"),
                ("lega_legal_status_end_date", "2023-09-01"),
            ],
        )
        .record(
            "ssd_cla_visits",
            &[
                ("clav_cla_visit_id", "W1"),
                ("clav_person_id", "V1"),
                ("clav_cla_visit_date", "2023-08-19"),
            ],
        )
        .record(
            "ssd_cla_visits",
            &[
                ("clav_cla_visit_id", "W2"),
                ("clav_person_id", "V2"),
                ("clav_cla_visit_date", "2023-08-20"),
            ],
        )
        .record(
            "ssd_cla_visits",
            &[
                ("clav_cla_visit_id", "W3"),
                ("clav_person_id", "V3"),
                ("clav_cla_visit_date", "2023-09-01"),
            ],
        )
        .record(
            "ssd_cla_visits",
            &[
                ("clav_cla_visit_id", "W4"),
                ("clav_person_id", "V4"),
                ("clav_cla_visit_date", "2023-09-20"),
            ],
        )
        .record(
            "ssd_cla_health",
            &[
                ("clah_health_check_id", "H1"),
                ("clah_person_id", "V1"),
                ("clah_health_check_type", "RHA"),
                ("clah_health_check_date", "2022-10-01"),
                ("clah_health_check_status", "completed"),
            ],
        )
        .record(
            "ssd_cla_health",
            &[
                ("clah_health_check_id", "H2"),
                ("clah_person_id", "V2"),
                ("clah_health_check_type", "RHA"),
                ("clah_health_check_date", "2022-09-30"),
                ("clah_health_check_status", "Completed"),
            ],
        )
        .record(
            "ssd_cla_health",
            &[
                ("clah_health_check_id", "H3"),
                ("clah_person_id", "V2"),
                ("clah_health_check_type", "DENTAL"),
                ("clah_health_check_date", "2023-01-01"),
                ("clah_health_check_status", "Completed"),
            ],
        )
        .record(
            "ssd_cla_health",
            &[
                ("clah_health_check_id", "H4"),
                ("clah_person_id", "V1"),
                ("clah_health_check_type", "DENTAL"),
                ("clah_health_check_date", "2023-02-01"),
                ("clah_health_check_status", "Refused"),
            ],
        )
        .record(
            "ssd_cla_pep",
            &[
                ("pep_id", "D1"),
                ("pep_person_id", "V1"),
                ("pep_date", "2023-04-01"),
            ],
        )
        .record(
            "ssd_cla_pep",
            &[
                ("pep_id", "D2"),
                ("pep_person_id", "V2"),
                ("pep_date", "2023-09-01"),
                ("pep_status", "Completed"),
            ],
        )
}

#[test]
fn a_visit_exactly_42_days_before_period_end_is_not_in_the_42_days() {
    let out = visits_and_checks().run("2023-09");
    // 30 September - 42 days = 19 August: V1's visit that day is outside, V2's the next day inside. V3 has been in
    // care 36 days; V4's spell in care started when the short break ended on 1 September.
    let f = out
        .indicator("cic_visits_on_time")
        .window("snapshot")
        .ending("2023-09");
    assert_eq!((f.numerator, f.denominator), (1.0, Some(2.0)));
}

#[test]
fn health_and_dental_checks_count_completed_checks_in_the_12_months() {
    let out = visits_and_checks().run("2023-09");
    // The 12 months start on 1 October 2022: V1's RHA that day counts ("completed" in any case), V2's the day
    // before does not. V1's dental check was refused.
    let health = out
        .indicator("health_assessments_up_to_date")
        .window("snapshot")
        .ending("2023-09");
    assert_eq!((health.numerator, health.denominator), (1.0, Some(2.0)));
    let dental = out
        .indicator("dental_checks_up_to_date")
        .window("snapshot")
        .ending("2023-09");
    assert_eq!((dental.numerator, dental.denominator), (1.0, Some(2.0)));
}

#[test]
fn pep_cohort_age_is_taken_on_the_preceding_31_august() {
    let out = visits_and_checks().run("2023-08");
    // On 31 August 2023 V1 (born 31 August 2018) is 5 and V2 (born 1 September 2018) is 4. V1's PEP (empty
    // status) on 1 April is in the 6 months ending 30 September (from 31 March).
    let sept = out
        .indicator("pep_in_place")
        .window("snapshot")
        .ending("2023-09");
    assert_eq!((sept.numerator, sept.denominator), (1.0, Some(1.0)));
    // At 31 August 2023 the preceding 31 August is in 2022: V1 was 3, so nobody is in the cohort.
    let aug = out
        .indicator("pep_in_place")
        .window("snapshot")
        .ending("2023-08");
    assert_eq!(
        (aug.numerator, aug.denominator, aug.value),
        (0.0, Some(0.0), None)
    );
}

#[test]
fn initial_health_assessments_count_periods_that_have_lasted_28_days_by_period_end() {
    let out = Fixture::new("2023-10-01")
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "E1"),
                ("clae_person_id", "I1"),
                ("clae_cla_id", "L1"),
                ("clae_cla_episode_start_date", "2023-04-03"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "E2"),
                ("clae_person_id", "I2"),
                ("clae_cla_id", "L2"),
                ("clae_cla_episode_start_date", "2023-06-20"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "E3"),
                ("clae_person_id", "I3"),
                ("clae_cla_id", "L3"),
                ("clae_cla_episode_start_date", "2023-04-10"),
                ("clae_cla_episode_ceased_date", "2023-04-30"),
                ("clae_cla_episode_ceased_reason", "E13"),
            ],
        )
        .record(
            "ssd_cla_health",
            &[
                ("clah_health_check_id", "H1"),
                ("clah_person_id", "I1"),
                ("clah_health_check_type", "IHA"),
                ("clah_health_check_date", "2023-05-02"),
                ("clah_health_check_status", "Completed"),
            ],
        )
        .record(
            "ssd_cla_health",
            &[
                ("clah_health_check_id", "H2"),
                ("clah_person_id", "I3"),
                ("clah_health_check_type", "IHA"),
                ("clah_health_check_date", "2023-04-12"),
                ("clah_health_check_status", "Completed"),
            ],
        )
        .run("2023-04");
    // I1: WD(3 April, 2 May 2023) = 18 (Good Friday, Easter Monday and the May Day holiday are not working days).
    // I2 started 20 June: 10 days by 30 June, 41 by 31 July, no IHA. I3 lasted 20 days: never in the cohort.
    let q1 = out
        .indicator("iha_within_20wd")
        .window("quarter")
        .ending("2023-06");
    assert_eq!((q1.numerator, q1.denominator), (1.0, Some(1.0)));
    let ytd_june = out
        .indicator("iha_within_20wd")
        .window("ytd")
        .ending("2023-06");
    assert_eq!((ytd_june.numerator, ytd_june.denominator), (1.0, Some(1.0)));
    let ytd_july = out
        .indicator("iha_within_20wd")
        .window("ytd")
        .ending("2023-07");
    assert_eq!((ytd_july.numerator, ytd_july.denominator), (1.0, Some(2.0)));
    close(ytd_july.value, 50.0);
    let q2 = out
        .indicator("iha_within_20wd")
        .window("quarter")
        .ending("2023-07");
    assert_eq!((q2.numerator, q2.denominator), (0.0, Some(0.0)));
}

/// Missing episodes in May 2023: M1 (in care) twice, M2 (not in care) once and once "away", M3 on a short break,
/// M4 once in care and once after leaving care.
fn missing() -> Fixture {
    Fixture::new("2023-07-01")
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "E1"),
                ("clae_person_id", "M1"),
                ("clae_cla_id", "L1"),
                ("clae_cla_episode_start_date", "2023-01-01"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "E3"),
                ("clae_person_id", "M3"),
                ("clae_cla_id", "L3"),
                ("clae_cla_episode_start_date", "2023-01-01"),
            ],
        )
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "E4"),
                ("clae_person_id", "M4"),
                ("clae_cla_id", "L4"),
                ("clae_cla_episode_start_date", "2023-05-01"),
                ("clae_cla_episode_ceased_date", "2023-05-12"),
                ("clae_cla_episode_ceased_reason", "E13"),
            ],
        )
        .record(
            "ssd_legal_status",
            &[
                ("lega_legal_status_id", "G3"),
                ("lega_person_id", "M3"),
                ("lega_legal_status", "V3"),
                ("lega_legal_status_start_date", "2023-01-01"),
            ],
        )
        .record(
            "ssd_missing",
            &[
                ("miss_table_id", "X1"),
                ("miss_person_id", "M1"),
                ("miss_missing_episode_type", "M"),
                ("miss_missing_episode_start_date", "2023-05-10 14:00"),
                ("miss_missing_episode_end_date", "2023-05-11 10:00"),
                ("miss_missing_rhi_date", "2023-05-14 10:00"),
            ],
        )
        .record(
            "ssd_missing",
            &[
                ("miss_table_id", "X2"),
                ("miss_person_id", "M1"),
                ("miss_missing_episode_type", "M"),
                ("miss_missing_episode_start_date", "2023-05-20 08:00"),
                ("miss_missing_episode_end_date", "2023-05-20 20:00"),
                ("miss_missing_rhi_date", "2023-05-23 20:01"),
            ],
        )
        .record(
            "ssd_missing",
            &[
                ("miss_table_id", "X3"),
                ("miss_person_id", "M2"),
                ("miss_missing_episode_type", "M"),
                ("miss_missing_episode_start_date", "2023-05-15 09:00"),
                ("miss_missing_episode_end_date", "2023-05-16 09:00"),
            ],
        )
        .record(
            "ssd_missing",
            &[
                ("miss_table_id", "X4"),
                ("miss_person_id", "M2"),
                ("miss_missing_episode_type", "A"),
                ("miss_missing_episode_start_date", "2023-05-18 09:00"),
                ("miss_missing_episode_end_date", "2023-05-18 12:00"),
            ],
        )
        .record(
            "ssd_missing",
            &[
                ("miss_table_id", "X5"),
                ("miss_person_id", "M3"),
                ("miss_missing_episode_type", "M"),
                ("miss_missing_episode_start_date", "2023-05-25 10:00"),
            ],
        )
        .record(
            "ssd_missing",
            &[
                ("miss_table_id", "X6"),
                ("miss_person_id", "M4"),
                ("miss_missing_episode_type", "M"),
                ("miss_missing_episode_start_date", "2023-05-05 10:00"),
                ("miss_missing_episode_end_date", "2023-05-05 18:00"),
            ],
        )
        .record(
            "ssd_missing",
            &[
                ("miss_table_id", "X7"),
                ("miss_person_id", "M4"),
                ("miss_missing_episode_type", "M"),
                ("miss_missing_episode_start_date", "2023-05-20 10:00"),
            ],
        )
}

#[test]
fn missing_episodes_and_children_are_broken_down_by_whether_the_child_was_in_care() {
    let out = missing().run("2023-04");
    let get = |id: &str, v: Option<&str>| {
        out.indicator(id)
            .breakdown(v.map(|v| ("from_care", v)))
            .window("month")
            .ending("2023-05")
            .numerator
    };
    // Episodes: M1 twice and M4 once from care; M2, M3 (short break) and M4's second not. M2's "away" is left out.
    assert_eq!(get("missing_episodes", None), 6.0);
    assert_eq!(get("missing_episodes", Some("yes")), 3.0);
    assert_eq!(get("missing_episodes", Some("no")), 3.0);
    // Children: M4 counts once in the total and once in each category.
    assert_eq!(get("missing_children", None), 4.0);
    assert_eq!(get("missing_children", Some("yes")), 2.0);
    assert_eq!(get("missing_children", Some("no")), 3.0);
    assert_eq!(
        out.indicator("missing_episodes")
            .window("month")
            .ending("2023-06")
            .numerator,
        0.0
    );
}

#[test]
fn return_interviews_are_within_72_hours_to_the_minute() {
    let out = missing().run("2023-04");
    // Ending in May: X1 (interview at exactly 72 hours), X2 (72 hours and 1 minute), X3 and X6 (none).
    let f = out
        .indicator("rhi_within_72h")
        .window("month")
        .ending("2023-05");
    assert_eq!((f.numerator, f.denominator), (1.0, Some(4.0)));
    close(f.value, 25.0);
}

#[test]
fn legal_status_descriptions_map_to_codes_and_an_unmapped_one_is_a_finding() {
    let out = Fixture::new("2022-05-01")
        .record(
            "ssd_cla_episodes",
            &[
                ("clae_cla_episode_id", "EA"),
                ("clae_person_id", "A"),
                ("clae_cla_id", "LA"),
                ("clae_cla_episode_start_date", "2022-01-01"),
            ],
        )
        .record(
            "ssd_legal_status",
            &[
                ("lega_legal_status_id", "G1"),
                ("lega_person_id", "A"),
                ("lega_legal_status", "  full CARE order "),
                ("lega_legal_status_start_date", "2022-01-01"),
                ("lega_legal_status_end_date", "2022-03-01"),
            ],
        )
        .record(
            "ssd_legal_status",
            &[
                ("lega_legal_status_id", "G2"),
                ("lega_person_id", "A"),
                ("lega_legal_status", "Interim supervision order"),
                ("lega_legal_status_start_date", "2022-03-01"),
            ],
        )
        .run("2022-01");
    let c2 = |month: &str| {
        out.indicator("cic_children")
            .category("legal_status", "C2")
            .window("snapshot")
            .ending(month)
            .numerator
    };
    // January: the description maps to C2 (ignoring case and spaces). March: an unmapped status, so the child
    // counts in the total but in no category, and the value is reported.
    assert_eq!(c2("2022-01"), 1.0);
    assert_eq!(c2("2022-03"), 0.0);
    assert_eq!(
        out.indicator("cic_children")
            .window("snapshot")
            .ending("2022-03")
            .numerator,
        1.0
    );
    assert_eq!(
        out.findings("unmapped_code"),
        vec![(
            "ssd_legal_status".to_string(),
            "lega_legal_status".to_string(),
            1
        )]
    );
}
