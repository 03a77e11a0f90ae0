//! Child protection: plans open at month end, starts and ends, repeats, duration, reviews, visits, allocation.

use crate::support::{Fixture, close};

fn plans() -> Fixture {
    Fixture::new("2024-05-01").records(
        "ssd_cp_plans",
        &[
            "cppl_cp_plan_id",
            "cppl_person_id",
            "cppl_cp_plan_start_date",
            "cppl_cp_plan_end_date",
        ],
        &[
            &["P1", "A", "2021-03-01", "2023-04-15"],
            &["P2", "A", "2023-05-01", ""],
            &["P3", "B", "2023-04-10", "2023-04-30"],
            &["P4", "C", "2024-02-29", ""],
            &["P6", "E", "2020-01-01", "2021-06-01"],
            &["P7", "E", "2023-06-01", ""],
            &["P8", "F", "2020-01-01", "2021-05-31"],
            &["P9", "F", "2023-06-01", ""],
            &["P10", "G", "2023-06-10", ""],
            &["P11", "G", "2023-01-01", ""],
            &["P12", "H", "2023-03-01", ""],
            &["P13", "H", "2023-03-15", ""],
        ],
    )
}

#[test]
fn children_on_a_plan_are_counted_once_at_the_end_of_each_month() {
    let out = plans().run("2023-04");
    // 30 April 2023: P3 ended that day (not open), P1 ended earlier; G and H (two overlapping plans) are open.
    assert_eq!(
        out.indicator("cp_children")
            .window("snapshot")
            .ending("2023-04")
            .numerator,
        2.0
    );
    assert_eq!(
        out.indicator("cp_children")
            .window("snapshot")
            .ending("2023-05")
            .numerator,
        3.0
    );
    assert_eq!(
        out.indicator("cp_children")
            .window("snapshot")
            .ending("2023-06")
            .numerator,
        5.0
    );
    // A plan starting on 29 February 2024 is open at the end of that day.
    assert_eq!(
        out.indicator("cp_children")
            .window("snapshot")
            .ending("2024-02")
            .numerator,
        6.0
    );
    let rate = out
        .indicator("cp_rate")
        .window("snapshot")
        .ending("2023-04");
    assert_eq!(rate.denominator, Some(100_000.0));
    close(rate.value, 2.0 / 100_000.0 * 10_000.0);
}

#[test]
fn plan_starts_and_ends_are_events_in_their_windows() {
    let out = plans().run("2023-04");
    assert_eq!(
        out.indicator("cp_starts")
            .window("month")
            .ending("2023-06")
            .numerator,
        3.0
    );
    assert_eq!(
        out.indicator("cp_ends")
            .window("month")
            .ending("2023-04")
            .numerator,
        2.0
    );
    // July 2022 to June 2023: P11, P12, P13, P3, P2 and June's P7, P9, P10.
    assert_eq!(
        out.indicator("cp_starts")
            .window("rolling_12m")
            .ending("2023-06")
            .numerator,
        8.0
    );
    assert_eq!(
        out.indicator("cp_ends")
            .window("ytd")
            .ending("2024-03")
            .numerator,
        2.0
    );
}

#[test]
fn repeat_plans_look_for_an_earlier_plan_ended_within_two_years_or_ever() {
    let out = plans().run("2023-04");
    // June 2023: P7 (E's P6 ended exactly 2 years before: counts), P9 (F's P8 ended one day too early),
    // P10 (G's P11 is still open: not a repeat within 2 years, but an earlier plan).
    let two_years = out
        .indicator("cp_repeat_within_2y")
        .window("month")
        .ending("2023-06");
    assert_eq!(
        (two_years.numerator, two_years.denominator),
        (1.0, Some(3.0))
    );
    let ever = out
        .indicator("cp_repeat_ever")
        .window("month")
        .ending("2023-06");
    assert_eq!((ever.numerator, ever.denominator), (3.0, Some(3.0)));
    let may = out
        .indicator("cp_repeat_within_2y")
        .window("month")
        .ending("2023-05");
    assert_eq!(
        (may.numerator, may.denominator),
        (1.0, Some(1.0)),
        "A's P1 ended 2 weeks before P2"
    );
}

#[test]
fn plans_ending_after_two_years_or_more_use_calendar_years() {
    let out = plans().run("2023-04");
    let april = out
        .indicator("cp_ended_2y_plus")
        .window("month")
        .ending("2023-04");
    assert_eq!((april.numerator, april.denominator), (1.0, Some(2.0)));
    close(april.value, 50.0);
}

#[test]
fn reviews_are_on_time_when_held_on_or_before_the_due_date() {
    let out = Fixture::new("2024-05-01")
        .records(
            "ssd_cp_reviews",
            &[
                "cppr_cp_review_id",
                "cppr_person_id",
                "cppr_cp_plan_id",
                "cppr_cp_review_due",
                "cppr_cp_review_date",
            ],
            &[
                &["V1", "A", "P1", "2023-04-30", "2023-04-30"],
                &["V2", "B", "P2", "2023-04-15", "2023-04-16"],
                &["V3", "C", "P3", "2023-04-20", ""],
                &["V4", "D", "P4", "2023-05-01", "2023-04-28"],
            ],
        )
        .run("2023-04");
    let april = out
        .indicator("cp_reviews_on_time")
        .window("month")
        .ending("2023-04");
    assert_eq!((april.numerator, april.denominator), (1.0, Some(3.0)));
    let ytd = out
        .indicator("cp_reviews_on_time")
        .window("ytd")
        .ending("2023-05");
    assert_eq!((ytd.numerator, ytd.denominator), (2.0, Some(4.0)));
}

#[test]
fn visits_are_timed_from_the_previous_visit_on_the_plan_or_its_start() {
    let out = Fixture::new("2024-05-01")
        .records(
            "ssd_cp_plans",
            &[
                "cppl_cp_plan_id",
                "cppl_person_id",
                "cppl_cp_plan_start_date",
                "cppl_cp_plan_end_date",
            ],
            &[
                &["V1", "A", "2023-04-03", ""],
                &["V2", "B", "2023-03-01", "2023-04-20"],
            ],
        )
        .records(
            "ssd_cp_visits",
            &[
                "cppv_cp_visit_id",
                "cppv_person_id",
                "cppv_cp_plan_id",
                "cppv_cp_visit_date",
            ],
            &[
                // 7 working days from the plan's start (over Easter).
                &["X1", "A", "V1", "2023-04-14"],
                // 11 working days after X1.
                &["X2", "A", "V1", "2023-05-02"],
                // The same day as X2: 0.
                &["X3", "A", "V1", "2023-05-02"],
                // 17 working days after X3.
                &["X4", "A", "V1", "2023-05-26"],
                // A visit after its plan ended.
                &["X5", "B", "V2", "2023-04-25"],
                // A visit on an unknown plan.
                &["X6", "C", "V9", "2023-04-26"],
            ],
        )
        .run("2023-04");
    let april10 = out
        .indicator("cp_visits_within_10wd")
        .window("month")
        .ending("2023-04");
    assert_eq!((april10.numerator, april10.denominator), (1.0, Some(1.0)));
    let may10 = out
        .indicator("cp_visits_within_10wd")
        .window("month")
        .ending("2023-05");
    assert_eq!((may10.numerator, may10.denominator), (1.0, Some(3.0)));
    let may15 = out
        .indicator("cp_visits_within_15wd")
        .window("month")
        .ending("2023-05");
    assert_eq!((may15.numerator, may15.denominator), (2.0, Some(3.0)));
}

#[test]
fn allocation_needs_a_qualified_social_worker_involved_at_month_end() {
    let out = plans()
        .records(
            "ssd_professionals",
            &["prof_professional_id", "prof_professional_job_title"],
            &[
                &["W1", "Social Worker"],
                &["W2", "family support worker"],
                &["W3", "Senior Social Worker"],
            ],
        )
        .records(
            "ssd_involvements",
            &[
                "invo_involvements_id",
                "invo_professional_id",
                "invo_person_id",
                "invo_involvement_start_date",
                "invo_involvement_end_date",
            ],
            &[
                &["I1", "W1", "G", "2023-01-01", ""],
                &["I2", "W2", "H", "2023-03-01", ""],
                &["I3", "W3", "H", "2023-03-01", "2023-04-30"],
                &["I4", "W1", "A", "2023-05-31", ""],
            ],
        )
        .run("2023-04");
    // 30 April: G has a social worker; H has a family support worker, and a social worker who left that day.
    let april = out
        .indicator("cp_allocated")
        .window("snapshot")
        .ending("2023-04");
    assert_eq!((april.numerator, april.denominator), (1.0, Some(2.0)));
    let may = out
        .indicator("cp_allocated")
        .window("snapshot")
        .ending("2023-05");
    assert_eq!(
        (may.numerator, may.denominator),
        (2.0, Some(3.0)),
        "A's social worker starts on 31 May"
    );
}
