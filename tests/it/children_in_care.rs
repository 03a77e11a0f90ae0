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
        .records(
            "ssd_person",
            &["pers_person_id", "pers_dob", "pers_sex"],
            &[
                &["A", "2012-02-29", "F"],
                &["B", "2015-05-05", "M"],
                &["C", "2022-01-15", ""],
                &["D", "2006-03-01", "M"],
            ],
        )
        .records(
            "ssd_cla_episodes",
            &[
                "clae_cla_episode_id",
                "clae_person_id",
                "clae_cla_id",
                "clae_cla_episode_start_date",
                "clae_cla_episode_ceased_date",
                "clae_cla_episode_ceased_reason",
            ],
            &[
                &["EA", "A", "LA", "2021-06-01", "", ""],
                &["EB", "B", "LB", "2022-01-01", "", ""],
                &["EC", "C", "LC", "2022-02-01", "", ""],
                &["ED1", "D", "LD", "2021-01-01", "2021-09-01", "X1"],
                &["ED2", "D", "LD", "2021-09-01", "2022-03-15", "E13"],
            ],
        )
        .records(
            "ssd_legal_status",
            &[
                "lega_legal_status_id",
                "lega_person_id",
                "lega_legal_status",
                "lega_legal_status_start_date",
                "lega_legal_status_end_date",
            ],
            &[
                &["GA", "A", "C2", "2021-06-01", ""],
                &["GB1", "B", "V3", "2022-01-01", "2022-03-10"],
                &["GB2", "B", "C2", "2022-03-10", ""],
                &["GC", "C", "C1", "2022-02-01", ""],
                &["GD", "D", "V2", "2021-01-01", "2022-03-15"],
            ],
        )
        .records(
            "ssd_cla_placement",
            &[
                "clap_cla_placement_id",
                "clap_person_id",
                "clap_cla_placement_start_date",
                "clap_cla_placement_type",
                "clap_cla_placement_distance",
                "clap_cla_placement_end_date",
            ],
            &[
                &["PA", "A", "2021-06-01", "U4", "25", ""],
                &["PB", "B", "2022-01-01", "U6", "5", ""],
                &["PD", "D", "2021-01-01", "K2", "1", "2022-03-15"],
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
        .records(
            "ssd_cla_episodes",
            &[
                "clae_cla_episode_id",
                "clae_person_id",
                "clae_cla_id",
                "clae_cla_episode_start_date",
                "clae_cla_episode_ceased_date",
                "clae_cla_episode_ceased_reason",
            ],
            &[
                &["E1", "E", "LE", "2022-02-10", "2022-02-20", "X1"],
                &["E2", "E", "LE", "2022-02-20", "2022-04-05", "E13"],
                &["F1", "F", "LF", "2022-02-01", "2022-03-01", "X1"],
                &["G1", "G", "LG", "2022-02-05", "2022-03-20", "E13"],
                &["H1", "H", "LH", "2022-01-10", "", ""],
                &["I1", "I", "LI", "2022-03-05", "2022-03-05", "E13"],
                &["J1", "J", "LJ", "2022-03-01", "", ""],
                &["J2", "J", "LJ", "2022-03-10", "2022-04-10", "E4A"],
            ],
        )
        .records(
            "ssd_legal_status",
            &[
                "lega_legal_status_id",
                "lega_person_id",
                "lega_legal_status",
                "lega_legal_status_start_date",
                "lega_legal_status_end_date",
            ],
            &[
                &["GG", "G", "V3", "2022-02-05", ""],
                &["GH1", "H", "V3", "2022-01-10", "2022-02-01"],
                &["GH2", "H", "C2", "2022-02-01", ""],
                &["GI", "I", "V4", "2022-03-05", ""],
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
        .records(
            "ssd_person",
            &["pers_person_id", "pers_dob"],
            &[
                &["P", "2013-01-01"],
                &["Q", "2013-01-01"],
                &["R", "2005-01-01"],
                &["S", "2011-01-01"],
            ],
        )
        .records(
            "ssd_cla_episodes",
            &[
                "clae_cla_episode_id",
                "clae_person_id",
                "clae_cla_id",
                "clae_cla_episode_start_date",
            ],
            &[
                &["EP", "P", "LP", "2021-01-01"],
                &["EQ", "Q", "LQ", "2021-01-01"],
                &["ER", "R", "LR", "2022-01-01"],
                &["ES", "S", "LS", "2020-06-01"],
            ],
        )
        .records(
            "ssd_cla_placement",
            &[
                "clap_cla_placement_id",
                "clap_person_id",
                "clap_cla_placement_start_date",
                "clap_cla_placement_end_date",
                "clap_cla_placement_distance",
            ],
            &[
                &["P1", "P", "2021-01-01", "2022-10-01", "1"],
                &["P2", "P", "2022-10-01", "2023-03-01", "1"],
                &["P3", "P", "2023-03-01", "", "25"],
                &["Q1", "Q", "2021-01-01", "2022-10-02", "1"],
                &["Q2", "Q", "2022-10-02", "2023-03-01", "1"],
                &["Q3", "Q", "2023-03-01", "", ""],
                &["R1", "R", "2022-01-01", "", "30"],
                &["S1", "S", "2020-06-01", "", "5"],
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
        .records(
            "ssd_cla_reviews",
            &[
                "clar_cla_review_id",
                "clar_cla_person_id",
                "clar_cla_review_due_date",
                "clar_cla_review_date",
                "clar_cla_review_cancelled",
            ],
            &[
                &["R1", "A", "2023-06-10", "2023-06-10", "N"],
                &["R2", "B", "2023-06-15", "2023-06-16", ""],
                &["R3", "C", "2023-06-20", "", "n"],
                &["R4", "D", "2023-06-30", "2023-06-01", "N"],
                &["R5", "E", "2023-06-05", "", "y"],
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
        .records(
            "ssd_person",
            &["pers_person_id", "pers_dob"],
            &[
                &["V1", "2018-08-31"],
                &["V2", "2018-09-01"],
                &["V3", "2005-01-01"],
                &["V4", "2005-01-01"],
            ],
        )
        .records(
            "ssd_cla_episodes",
            &[
                "clae_cla_episode_id",
                "clae_person_id",
                "clae_cla_id",
                "clae_cla_episode_start_date",
            ],
            &[
                &["E1", "V1", "L1", "2022-01-01"],
                &["E2", "V2", "L2", "2022-01-01"],
                &["E3", "V3", "L3", "2023-08-25"],
                &["E4", "V4", "L4", "2022-01-01"],
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
        .records(
            "ssd_cla_visits",
            &["clav_cla_visit_id", "clav_person_id", "clav_cla_visit_date"],
            &[
                &["W1", "V1", "2023-08-19"],
                &["W2", "V2", "2023-08-20"],
                &["W3", "V3", "2023-09-01"],
                &["W4", "V4", "2023-09-20"],
            ],
        )
        .records(
            "ssd_cla_health",
            &[
                "clah_health_check_id",
                "clah_person_id",
                "clah_health_check_type",
                "clah_health_check_date",
                "clah_health_check_status",
            ],
            &[
                &["H1", "V1", "RHA", "2022-10-01", "completed"],
                &["H2", "V2", "RHA", "2022-09-30", "Completed"],
                &["H3", "V2", "DENTAL", "2023-01-01", "Completed"],
                &["H4", "V1", "DENTAL", "2023-02-01", "Refused"],
            ],
        )
        .records(
            "ssd_cla_pep",
            &["pep_id", "pep_person_id", "pep_date", "pep_status"],
            &[
                &["D1", "V1", "2023-04-01", ""],
                &["D2", "V2", "2023-09-01", "Completed"],
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
        .records(
            "ssd_cla_episodes",
            &[
                "clae_cla_episode_id",
                "clae_person_id",
                "clae_cla_id",
                "clae_cla_episode_start_date",
                "clae_cla_episode_ceased_date",
                "clae_cla_episode_ceased_reason",
            ],
            &[
                &["E1", "I1", "L1", "2023-04-03", "", ""],
                &["E2", "I2", "L2", "2023-06-20", "", ""],
                &["E3", "I3", "L3", "2023-04-10", "2023-04-30", "E13"],
            ],
        )
        .records(
            "ssd_cla_health",
            &[
                "clah_health_check_id",
                "clah_person_id",
                "clah_health_check_type",
                "clah_health_check_date",
                "clah_health_check_status",
            ],
            &[
                &["H1", "I1", "IHA", "2023-05-02", "Completed"],
                &["H2", "I3", "IHA", "2023-04-12", "Completed"],
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
        .records(
            "ssd_cla_episodes",
            &[
                "clae_cla_episode_id",
                "clae_person_id",
                "clae_cla_id",
                "clae_cla_episode_start_date",
                "clae_cla_episode_ceased_date",
                "clae_cla_episode_ceased_reason",
            ],
            &[
                &["E1", "M1", "L1", "2023-01-01", "", ""],
                &["E3", "M3", "L3", "2023-01-01", "", ""],
                &["E4", "M4", "L4", "2023-05-01", "2023-05-12", "E13"],
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
        .records(
            "ssd_missing",
            &[
                "miss_table_id",
                "miss_person_id",
                "miss_missing_episode_type",
                "miss_missing_episode_start_date",
                "miss_missing_episode_end_date",
                "miss_missing_rhi_date",
            ],
            &[
                &[
                    "X1",
                    "M1",
                    "M",
                    "2023-05-10 14:00",
                    "2023-05-11 10:00",
                    "2023-05-14 10:00",
                ],
                &[
                    "X2",
                    "M1",
                    "M",
                    "2023-05-20 08:00",
                    "2023-05-20 20:00",
                    "2023-05-23 20:01",
                ],
                &["X3", "M2", "M", "2023-05-15 09:00", "2023-05-16 09:00", ""],
                &["X4", "M2", "A", "2023-05-18 09:00", "2023-05-18 12:00", ""],
                &["X5", "M3", "M", "2023-05-25 10:00", "", ""],
                &["X6", "M4", "M", "2023-05-05 10:00", "2023-05-05 18:00", ""],
                &["X7", "M4", "M", "2023-05-20 10:00", "", ""],
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
        .records(
            "ssd_legal_status",
            &[
                "lega_legal_status_id",
                "lega_person_id",
                "lega_legal_status",
                "lega_legal_status_start_date",
                "lega_legal_status_end_date",
            ],
            &[
                &["G1", "A", "  full CARE order ", "2022-01-01", "2022-03-01"],
                &["G2", "A", "Interim supervision order", "2022-03-01", ""],
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
