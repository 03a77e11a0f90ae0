//! Assessments, section 47 enquiries and initial child protection conferences, on hand-built tables.

use crate::support::{Fixture, close};

#[test]
fn assessments_within_45_working_days_count_the_spring_bank_holidays() {
    // From Monday 3 April 2023, the 45th working day is Monday 12 June (Good Friday, Easter Monday, 1 May, the
    // Coronation on 8 May and 29 May are not working days).
    let out = Fixture::new("2024-05-01")
        .records(
            "ssd_cin_assessments",
            &[
                "cina_assessment_id",
                "cina_person_id",
                "cina_assessment_start_date",
                "cina_assessment_auth_date",
            ],
            &[
                &["A1", "A", "2023-04-03", "2023-06-12"],
                &["A2", "B", "2023-04-03", "2023-06-13"],
                &["A3", "C", "2023-04-03", ""],
            ],
        )
        .run("2023-04");
    let within = out
        .indicator("assessments_within_45wd")
        .window("month")
        .ending("2023-06");
    assert_eq!((within.numerator, within.denominator), (1.0, Some(2.0)));
    close(within.value, 50.0);
    assert_eq!(
        out.indicator("assessments_completed")
            .window("month")
            .ending("2023-06")
            .numerator,
        2.0
    );
    assert_eq!(
        out.indicator("assessments_completed")
            .window("ytd")
            .ending("2023-06")
            .numerator,
        2.0
    );
    let rate = out
        .indicator("assessments_completed_rate")
        .window("ytd")
        .ending("2023-06");
    close(rate.value, 2.0 / 100_000.0 * 10_000.0);
}

fn s47_and_conferences() -> Fixture {
    Fixture::new("2024-05-01")
        .records(
            "ssd_s47_enquiry",
            &[
                "s47e_s47_enquiry_id",
                "s47e_person_id",
                "s47e_s47_start_date",
                "s47e_s47_end_date",
            ],
            &[
                &["S1", "A", "2023-04-03", "2023-04-20"],
                &["S2", "A", "2023-04-25", ""],
                &["S3", "B", "2023-05-02", "2023-05-10"],
                &["S4", "C", "2023-05-03", "2023-05-12"],
            ],
        )
        .records(
            "ssd_initial_cp_conference",
            &[
                "icpc_icpc_id",
                "icpc_s47_enquiry_id",
                "icpc_person_id",
                "icpc_icpc_transfer_in",
                "icpc_icpc_date",
            ],
            &[
                &["K1", "S1", "A", "N", "2023-04-24"],
                &["K2", "S3", "B", "", "2023-05-25"],
                &["K3", "", "D", "Y", "2023-05-15"],
                &["K4", "S999", "E", "N", "2023-05-16"],
                &["K5", "S2", "A", "n", "2023-05-30"],
            ],
        )
}

#[test]
fn section_47_counts_enquiries_and_distinct_children() {
    let out = s47_and_conferences().run("2023-04");
    assert_eq!(
        out.indicator("s47_started")
            .window("month")
            .ending("2023-04")
            .numerator,
        2.0
    );
    assert_eq!(
        out.indicator("s47_children")
            .window("month")
            .ending("2023-04")
            .numerator,
        1.0,
        "two enquiries, one child"
    );
    assert_eq!(
        out.indicator("s47_started")
            .window("ytd")
            .ending("2023-05")
            .numerator,
        4.0
    );
    assert_eq!(
        out.indicator("s47_children")
            .window("ytd")
            .ending("2023-05")
            .numerator,
        3.0,
        "distinct over the year, not summed months"
    );
    assert_eq!(
        out.indicator("s47_started")
            .window("rolling_12m")
            .ending("2024-04")
            .numerator,
        2.0,
        "April 2023 is outside May 2023-April 2024"
    );
    assert_eq!(
        out.indicator("s47_completed")
            .window("month")
            .ending("2023-05")
            .numerator,
        2.0
    );
    close(
        out.indicator("s47_rate")
            .window("ytd")
            .ending("2023-05")
            .value,
        4.0 / 100_000.0 * 10_000.0,
    );
}

#[test]
fn section_47_to_conference_links_by_enquiry_id() {
    let out = s47_and_conferences().run("2023-04");
    let april = out
        .indicator("s47_to_icpc")
        .window("month")
        .ending("2023-04");
    assert_eq!((april.numerator, april.denominator), (1.0, Some(1.0)));
    let may = out
        .indicator("s47_to_icpc")
        .window("month")
        .ending("2023-05");
    assert_eq!(
        (may.numerator, may.denominator),
        (1.0, Some(2.0)),
        "S3 has a conference, S4 none"
    );
}

#[test]
fn conferences_count_children_and_time_from_the_enquiry_start_leaving_out_transfers_and_unlinked() {
    let out = s47_and_conferences().run("2023-04");
    assert_eq!(
        out.indicator("icpc_children")
            .window("month")
            .ending("2023-05")
            .numerator,
        4.0
    );
    assert_eq!(
        out.indicator("icpc_children")
            .window("rolling_12m")
            .ending("2023-05")
            .numerator,
        4.0,
        "five conferences, four children"
    );
    close(
        out.indicator("icpc_rate")
            .window("rolling_12m")
            .ending("2023-05")
            .value,
        4.0 / 100_000.0 * 10_000.0,
    );
    // K1: 13 working days (Easter); K2: 16; K5: 22; K3 is a transfer-in; K4 names no enquiry.
    let april = out
        .indicator("icpc_within_15wd")
        .window("month")
        .ending("2023-04");
    assert_eq!((april.numerator, april.denominator), (1.0, Some(1.0)));
    let may = out
        .indicator("icpc_within_15wd")
        .window("month")
        .ending("2023-05");
    assert_eq!((may.numerator, may.denominator), (0.0, Some(2.0)));
    let ytd = out
        .indicator("icpc_within_15wd")
        .window("ytd")
        .ending("2023-05");
    assert_eq!((ytd.numerator, ytd.denominator), (1.0, Some(3.0)));
}
