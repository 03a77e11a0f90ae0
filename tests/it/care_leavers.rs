//! Care leavers, adoption timeliness and caseloads.

use crate::support::{Fixture, close};

/// Care leavers as recorded on 1 May 2024:
/// - CL1, former relevant, turns 19 on 30 April 2024, NEET (G5), suitably housed, plan reviewed 15 March;
/// - CL2, former relevant, 22, in education, unsuitably housed, plan reviewed 30 October 2023;
/// - CL3, former relevant, 25, activity and suitability unknown, plan reviewed 1 January 2024;
/// - CL4, eligible, reaches 16 years 3 months on 30 April 2024, plan reviewed 1 April;
/// - CL5, qualifying (never in a cohort);
/// - CL6, former relevant, 18 until 1 May 2024, no plan review.
fn leavers() -> Fixture {
    Fixture::new("2024-05-01")
        .records(
            "ssd_person",
            &["pers_person_id", "pers_dob"],
            &[
                &["CL1", "2005-04-30"],
                &["CL2", "2002-01-10"],
                &["CL3", "1998-06-01"],
                &["CL4", "2008-01-31"],
                &["CL5", "2004-01-01"],
                &["CL6", "2005-05-01"],
            ],
        )
        .records(
            "ssd_care_leavers",
            &[
                "clea_table_id",
                "clea_person_id",
                "clea_care_leaver_eligibility",
                "clea_care_leaver_activity",
                "clea_care_leaver_accom_suitable",
                "clea_pathway_plan_review_date",
            ],
            &[
                &["T1", "CL1", "Former relevant", "G5", "1", "2024-03-15"],
                &["T2", "CL2", "former relevant", "F1", "2", "2023-10-30"],
                &["T3", "CL3", "FORMER RELEVANT", "", "", "2024-01-01"],
                &["T4", "CL4", "Eligible", "F2", "1", "2024-04-01"],
                &["T5", "CL5", "Qualifying", "G4", "2", "2024-04-01"],
                &["T6", "CL6", "Former relevant", "G6", "1", ""],
            ],
        )
}

#[test]
fn pathway_plans_cover_care_leavers_from_16_years_3_months() {
    let out = leavers().run("2024-01");
    // 30 April 2024: CL1, CL2, CL3, CL4 (16 years 3 months that day) and CL6; the 6 months start on 31 October
    // 2023, so CL2's review on 30 October is too old.
    let april = out
        .indicator("care_leavers_pathway_plan")
        .window("snapshot")
        .ending("2024-04");
    assert_eq!((april.numerator, april.denominator), (3.0, Some(5.0)));
    // 31 March 2024: CL4 is not yet 16 years 3 months; CL2's review is in the 6 months from 1 October.
    let march = out
        .indicator("care_leavers_pathway_plan")
        .window("snapshot")
        .ending("2024-03");
    assert_eq!((march.numerator, march.denominator), (3.0, Some(4.0)));
}

#[test]
fn neet_and_suitable_accommodation_cover_former_relevant_care_leavers_aged_19_to_25_by_age_band() {
    let out = leavers().run("2024-01");
    let get = |id: &str, band: Option<&str>| {
        let f = out
            .indicator(id)
            .breakdown(band.map(|b| ("age_band", b)))
            .window("snapshot")
            .ending("2024-04");
        (f.numerator, f.denominator)
    };
    // CL1 turns 19 on period end; CL6 is 18; CL3's activity and suitability are unknown.
    assert_eq!(get("care_leavers_neet", None), (1.0, Some(2.0)));
    assert_eq!(get("care_leavers_neet", Some("19-21")), (1.0, Some(1.0)));
    assert_eq!(get("care_leavers_neet", Some("22-25")), (0.0, Some(1.0)));
    assert_eq!(
        get("care_leavers_suitable_accommodation", None),
        (1.0, Some(2.0))
    );
    assert_eq!(
        get("care_leavers_suitable_accommodation", Some("22-25")),
        (0.0, Some(1.0))
    );
    // 31 March 2024: CL1 is still 18.
    let march = out
        .indicator("care_leavers_neet")
        .window("snapshot")
        .ending("2024-03");
    assert_eq!((march.numerator, march.denominator), (0.0, Some(1.0)));
}

#[test]
fn indicators_reading_current_status_tables_are_flagged_before_the_snapshot_month() {
    let out = leavers().run("2024-01");
    let flags = |id: &str, month: &str| {
        out.indicator(id)
            .window("snapshot")
            .ending(month)
            .flags
            .unwrap_or_default()
    };
    // Every reported month (January to April) is before the snapshot's month (May).
    for month in ["2024-01", "2024-02", "2024-03", "2024-04"] {
        assert!(
            flags("care_leavers_neet", month).contains("current_status"),
            "{month}"
        );
        assert!(
            flags("care_leavers_pathway_plan", month).contains("current_status"),
            "{month}"
        );
    }
    assert!(!flags("cic_children", "2024-04").contains("current_status"));
}

#[test]
fn a_current_status_flag_is_not_set_in_the_snapshot_month_itself() {
    // A snapshot taken on 30 April 2024 makes April complete and the snapshot's own month.
    let mut f = leavers();
    f.snapshot = crate::support::d("2024-04-30");
    let out = f.run("2024-03");
    let flags = |month: &str| {
        out.indicator("care_leavers_pathway_plan")
            .window("snapshot")
            .ending(month)
            .flags
            .unwrap_or_default()
    };
    assert!(flags("2024-03").contains("current_status"));
    assert!(!flags("2024-04").contains("current_status"));
}

/// Adoptions: X (order 15 June 2023, period of care from 1 January 2022 over two episodes), Y (order 1 September
/// 2023 made on the last day of a second period of care from 1 December 2022), Z (a special guardianship order), W
/// (no placed-for-adoption date).
fn adoptions() -> Fixture {
    Fixture::new("2023-10-01")
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
                &["X1", "X", "LX", "2022-01-01", "2022-08-01", "X1"],
                &["X2", "X", "LX", "2022-08-01", "2023-06-15", "E11"],
                &["Y1", "Y", "LY1", "2019-01-01", "2020-01-01", "E13"],
                &["Y2", "Y", "LY2", "2022-12-01", "2023-09-01", "E12"],
                &["V1", "V", "LV", "2022-01-01", "2023-05-01", "E13"],
            ],
        )
        .records(
            "ssd_permanence",
            &[
                "perm_table_id",
                "perm_person_id",
                "perm_permanence_order_type",
                "perm_permanence_order_date",
                "perm_placed_for_adoption_date",
                "perm_placement_order_date",
                "perm_matched_date",
            ],
            &[
                &[
                    "AX",
                    "X",
                    "Adoption",
                    "2023-06-15",
                    "2023-01-10",
                    "2022-09-01",
                    "2022-11-01",
                ],
                &[
                    "AY",
                    "Y",
                    "adoption",
                    "2023-09-01",
                    "2023-03-01",
                    "2023-05-01",
                    "2023-04-01",
                ],
                &[
                    "AZ",
                    "Z",
                    "Special guardianship",
                    "2023-07-01",
                    "2023-01-01",
                    "2022-01-01",
                    "2022-02-01",
                ],
                &[
                    "AW",
                    "W",
                    "Adoption",
                    "2023-08-01",
                    "",
                    "2023-02-01",
                    "2023-03-03",
                ],
            ],
        )
}

#[test]
fn adoption_timeliness_averages_days_over_adoptions_in_the_window() {
    let out = adoptions().run("2023-04");
    // A1: X 374 days (1 January 2022 to 10 January 2023), Y 90 days (1 December 2022 to 1 March 2023, the period
    // ending on the order date); W has no placed date.
    let a1 = out
        .indicator("a1_entering_care_to_placed")
        .window("rolling_12m")
        .ending("2023-09");
    assert_eq!((a1.numerator, a1.denominator), (464.0, Some(2.0)));
    close(a1.value, 232.0);
    // A2: X 61 days, Y matched 30 days before the placement order (0), W 30 days.
    let a2 = out
        .indicator("a2_order_to_match")
        .window("rolling_12m")
        .ending("2023-09");
    assert_eq!((a2.numerator, a2.denominator), (91.0, Some(3.0)));
    let june = out
        .indicator("a1_entering_care_to_placed")
        .window("rolling_12m")
        .ending("2023-06");
    assert_eq!((june.numerator, june.denominator), (374.0, Some(1.0)));
}

#[test]
fn children_ceasing_care_by_adoption_are_e11_and_e12() {
    let out = adoptions().run("2023-04");
    // April to September 2023: V (E13, 1 May), X (E11), Y (E12).
    let ytd = out
        .indicator("cic_ceased_adopted")
        .window("ytd")
        .ending("2023-09");
    assert_eq!((ytd.numerator, ytd.denominator), (2.0, Some(3.0)));
    let q2 = out
        .indicator("cic_ceased_adopted")
        .window("quarter")
        .ending("2023-09");
    assert_eq!((q2.numerator, q2.denominator), (1.0, Some(1.0)));
}

#[test]
fn average_caseload_shares_open_involvements_among_professionals_by_the_role_of_their_job_title() {
    let out = Fixture::new("2024-05-01")
        .records(
            "ssd_professionals",
            &["prof_professional_id", "prof_professional_job_title"],
            &[
                &["W1", "Social Worker"],
                &["W2", "Personal Adviser"],
                &["W3", "Team Manager"],
                &["W4", "Chef"],
            ],
        )
        .records(
            "ssd_involvements",
            &[
                "invo_involvements_id",
                "invo_professional_id",
                "invo_person_id",
                "invo_professional_role_id",
                "invo_involvement_start_date",
                "invo_involvement_end_date",
            ],
            &[
                &["I1", "W1", "A", "SW", "2024-01-01", ""],
                &["I2", "W1", "B", "SW", "2024-02-01", ""],
                &["I3", "W1", "C", "SW", "2024-03-01", ""],
                &["I4", "W1", "D", "SW", "2024-01-01", "2024-04-30"],
                &["I5", "W2", "A", "SW", "2024-01-01", ""],
                &["I6", "W2", "D", "PA", "2024-01-01", ""],
                &["I7", "W3", "E", "TM", "2024-01-01", ""],
                &["I8", "W4", "F", "X", "2024-01-01", ""],
                &["I9", "W4", "G", "X", "2024-01-01", ""],
            ],
        )
        .run("2024-01");
    let get = |role: Option<&str>| {
        let f = out
            .indicator("average_caseload")
            .breakdown(role.map(|r| ("role", r)))
            .window("snapshot")
            .ending("2024-04");
        (f.numerator, f.denominator, f.value)
    };
    // 30 April: W1 has 3 open (I4 ended that day), W2 2 (one recorded as SW, one as PA: the title decides), W3 1,
    // W4 2 (an unmapped title: in the total only).
    assert_eq!(get(None), (8.0, Some(4.0), Some(2.0)));
    assert_eq!(
        get(Some("qualified_social_worker")),
        (3.0, Some(1.0), Some(3.0))
    );
    assert_eq!(get(Some("personal_advisor")), (2.0, Some(1.0), Some(2.0)));
    assert_eq!(
        get(Some("independent_reviewing_officer")),
        (0.0, Some(0.0), None)
    );
    // 31 March: I1-I4 of W1.
    let march = out
        .indicator("average_caseload")
        .window("snapshot")
        .ending("2024-03");
    assert_eq!((march.numerator, march.denominator), (9.0, Some(4.0)));
    assert!(
        out.findings("unmapped_code")
            .iter()
            .any(|(t, c, _)| t == "ssd_professionals" && c == "prof_professional_job_title"),
        "the unknown title is a finding"
    );
}
