//! Assessments, section 47 enquiries and initial child protection conferences, on hand-built tables.

use crate::support::{Fixture, close};

#[test]
fn assessments_within_45_working_days_count_the_spring_bank_holidays() {
    // From Monday 3 April 2023, the 45th working day is Monday 12 June (Good Friday, Easter Monday, 1 May, the
    // Coronation on 8 May and 29 May are not working days).
    let out = Fixture::new("2024-05-01")
        .table(
            "ssd_cin_assessments",
            &[
                ("cina_assessment_id", &["A1", "A2", "A3"]),
                ("cina_person_id", &["A", "B", "C"]),
                (
                    "cina_assessment_start_date",
                    &["2023-04-03", "2023-04-03", "2023-04-03"],
                ),
                (
                    "cina_assessment_auth_date",
                    &["2023-06-12", "2023-06-13", ""],
                ),
            ],
        )
        .run("2023-04");
    let within = out.get("assessments_within_45wd", "month", "2023-06");
    assert_eq!((within.numerator, within.denominator), (1.0, Some(2.0)));
    close(within.value, 50.0);
    assert_eq!(
        out.get("assessments_completed", "month", "2023-06")
            .numerator,
        2.0
    );
    assert_eq!(
        out.get("assessments_completed", "ytd", "2023-06").numerator,
        2.0
    );
    let rate = out.get("assessments_completed_rate", "ytd", "2023-06");
    close(rate.value, 2.0 / 100_000.0 * 10_000.0);
}

fn s47_and_conferences() -> Fixture {
    Fixture::new("2024-05-01")
        .table(
            "ssd_s47_enquiry",
            &[
                ("s47e_s47_enquiry_id", &["S1", "S2", "S3", "S4"]),
                ("s47e_person_id", &["A", "A", "B", "C"]),
                (
                    "s47e_s47_start_date",
                    &["2023-04-03", "2023-04-25", "2023-05-02", "2023-05-03"],
                ),
                (
                    "s47e_s47_end_date",
                    &["2023-04-20", "", "2023-05-10", "2023-05-12"],
                ),
            ],
        )
        .table(
            "ssd_initial_cp_conference",
            &[
                ("icpc_icpc_id", &["K1", "K2", "K3", "K4", "K5"]),
                ("icpc_s47_enquiry_id", &["S1", "S3", "", "S999", "S2"]),
                ("icpc_person_id", &["A", "B", "D", "E", "A"]),
                ("icpc_icpc_transfer_in", &["N", "", "Y", "N", "n"]),
                (
                    "icpc_icpc_date",
                    &[
                        "2023-04-24",
                        "2023-05-25",
                        "2023-05-15",
                        "2023-05-16",
                        "2023-05-30",
                    ],
                ),
            ],
        )
}

#[test]
fn section_47_counts_enquiries_and_distinct_children() {
    let out = s47_and_conferences().run("2023-04");
    assert_eq!(out.get("s47_started", "month", "2023-04").numerator, 2.0);
    assert_eq!(
        out.get("s47_children", "month", "2023-04").numerator,
        1.0,
        "two enquiries, one child"
    );
    assert_eq!(out.get("s47_started", "ytd", "2023-05").numerator, 4.0);
    assert_eq!(
        out.get("s47_children", "ytd", "2023-05").numerator,
        3.0,
        "distinct over the year, not summed months"
    );
    assert_eq!(
        out.get("s47_started", "rolling_12m", "2024-04").numerator,
        2.0,
        "April 2023 is outside May 2023-April 2024"
    );
    assert_eq!(out.get("s47_completed", "month", "2023-05").numerator, 2.0);
    close(
        out.get("s47_rate", "ytd", "2023-05").value,
        4.0 / 100_000.0 * 10_000.0,
    );
}

#[test]
fn section_47_to_conference_links_by_enquiry_id() {
    let out = s47_and_conferences().run("2023-04");
    let april = out.get("s47_to_icpc", "month", "2023-04");
    assert_eq!((april.numerator, april.denominator), (1.0, Some(1.0)));
    let may = out.get("s47_to_icpc", "month", "2023-05");
    assert_eq!(
        (may.numerator, may.denominator),
        (1.0, Some(2.0)),
        "S3 has a conference, S4 none"
    );
}

#[test]
fn conferences_count_children_and_time_from_the_enquiry_start_leaving_out_transfers_and_unlinked() {
    let out = s47_and_conferences().run("2023-04");
    assert_eq!(out.get("icpc_children", "month", "2023-05").numerator, 4.0);
    assert_eq!(
        out.get("icpc_children", "rolling_12m", "2023-05").numerator,
        4.0,
        "five conferences, four children"
    );
    close(
        out.get("icpc_rate", "rolling_12m", "2023-05").value,
        4.0 / 100_000.0 * 10_000.0,
    );
    // K1: 13 working days (Easter); K2: 16; K5: 22; K3 is a transfer-in; K4 names no enquiry.
    let april = out.get("icpc_within_15wd", "month", "2023-04");
    assert_eq!((april.numerator, april.denominator), (1.0, Some(1.0)));
    let may = out.get("icpc_within_15wd", "month", "2023-05");
    assert_eq!((may.numerator, may.denominator), (0.0, Some(2.0)));
    let ytd = out.get("icpc_within_15wd", "ytd", "2023-05");
    assert_eq!((ytd.numerator, ytd.denominator), (1.0, Some(3.0)));
}
