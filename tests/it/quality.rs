//! Input normalisation and data-quality findings: text dates, timestamps, integer ids, Y/N flags, unmapped codes,
//! repeated ids, and the choice of snapshot.

use crate::support::{Fixture, d, write_table};
use csc_indicators::common::calendar::epoch_days;
use polars::prelude::*;

fn dates(values: &[Option<&str>]) -> Series {
    Series::new(
        "x".into(),
        values
            .iter()
            .map(|v| v.map(|s| epoch_days(d(s))))
            .collect::<Vec<_>>(),
    )
    .cast(&DataType::Date)
    .unwrap()
}

#[test]
fn text_dates_timestamps_and_integer_ids_are_normalised_and_bad_values_become_findings() {
    let f = Fixture::new("2024-05-01");
    f.write();
    // Referrals with integer ids and dates as text in both accepted formats, one of them impossible.
    let mut referrals = df!(
        "cine_referral_id" => [1i64, 2, 3, 4],
        "cine_person_id" => [10i64, 11, 12, 13],
        "cine_referral_date" => ["2023-04-03", "04/04/2023", "31/02/2023", " 2023-04-05 "],
    )
    .unwrap();
    f.replace_table("ssd_cin_episodes", &mut referrals);
    // Conferences with Y/N flags as text, one of them not a flag.
    let mut conferences = df!(
        "icpc_icpc_id" => ["K1", "K2", "K3", "K4"],
        "icpc_person_id" => ["A", "B", "C", "D"],
        "icpc_icpc_date" => ["2023-04-03", "2023-04-04", "2023-04-05", "2023-04-06"],
        "icpc_icpc_transfer_in" => ["Y", "n", "X", "NA"],
    )
    .unwrap();
    f.replace_table("ssd_initial_cp_conference", &mut conferences);
    // Plans with timestamps for dates.
    let starts = dates(&[Some("2023-03-01"), Some("2023-04-10")])
        .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
        .unwrap()
        .with_name("cppl_cp_plan_start_date".into());
    let ends = dates(&[None, Some("2023-05-02")])
        .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
        .unwrap()
        .with_name("cppl_cp_plan_end_date".into());
    let mut plans = DataFrame::new(
        2,
        vec![
            Series::new("cppl_cp_plan_id".into(), ["P1", "P2"]).into(),
            Series::new("cppl_person_id".into(), ["A", "B"]).into(),
            starts.into(),
            ends.into(),
        ],
    )
    .unwrap();
    f.replace_table("ssd_cp_plans", &mut plans);
    let mut professionals = df!(
        "prof_professional_id" => ["W1", "W2", "W3"],
        "prof_professional_job_title" => ["Social Worker", "Snr Practitioner", "Snr Practitioner"],
    )
    .unwrap();
    f.replace_table("ssd_professionals", &mut professionals);
    let options = f.options("2023-04");
    csc_indicators::pipeline::run(&options).unwrap();
    let out = crate::support::Output::read(&f.out_dir());
    assert_eq!(
        out.indicator("referrals")
            .window("month")
            .ending("2023-04")
            .numerator,
        3.0,
        "the impossible date is unknown, not counted"
    );
    assert_eq!(
        out.indicator("cp_children")
            .window("snapshot")
            .ending("2023-04")
            .numerator,
        2.0,
        "timestamps are read as dates"
    );
    assert_eq!(
        out.indicator("cp_children")
            .window("snapshot")
            .ending("2023-05")
            .numerator,
        1.0
    );
    assert_eq!(
        out.findings("unparseable_date"),
        vec![("ssd_cin_episodes".into(), "cine_referral_date".into(), 1)]
    );
    assert_eq!(
        out.findings("invalid_flag"),
        vec![(
            "ssd_initial_cp_conference".into(),
            "icpc_icpc_transfer_in".into(),
            1
        )]
    );
    assert_eq!(
        out.findings("unmapped_code"),
        vec![(
            "ssd_professionals".into(),
            "prof_professional_job_title".into(),
            2
        )]
    );
    let examples: Vec<String> = out
        .quality
        .column("example")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .map(String::from)
        .collect();
    assert!(
        examples.contains(&"cine_referral_id=3: \"31/02/2023\"".to_string()),
        "{examples:?}"
    );
}

#[test]
fn a_repeated_record_id_is_counted_once_and_reported_whitespace_around_it_or_not() {
    // " R1 " is R1 once trimmed: the same referral twice, one counted and one reported.
    let out = Fixture::new("2024-05-01")
        .records(
            "ssd_cin_episodes",
            &["cine_referral_id", "cine_person_id", "cine_referral_date"],
            &[
                &["R1", "A", "2023-04-03"],
                &[" R1 ", "A", "2023-04-03"],
                &["R2\t", " B", "2023-04-04"],
            ],
        )
        .run("2023-04");
    assert_eq!(
        out.indicator("referrals")
            .window("month")
            .ending("2023-04")
            .numerator,
        2.0
    );
    assert_eq!(
        out.findings("duplicate_id"),
        vec![("ssd_cin_episodes".into(), "cine_referral_id".into(), 1)]
    );
    let example = out.quality.column("example").unwrap().str().unwrap().get(0);
    assert_eq!(example, Some("cine_referral_id=R1: \"repeated\""));
}

#[test]
fn each_la_is_read_from_its_latest_snapshot_or_the_latest_on_or_before_as_of() {
    let f = Fixture::new("2024-05-01").record(
        "ssd_cin_episodes",
        &[
            ("cine_referral_id", "R1"),
            ("cine_person_id", "A"),
            ("cine_referral_date", "2023-04-03"),
        ],
    );
    f.write();
    // An older snapshot with more referrals, for every table.
    let older = d("2024-03-05");
    let older_fixture = Fixture::new("2024-03-05").records(
        "ssd_cin_episodes",
        &["cine_referral_id", "cine_person_id", "cine_referral_date"],
        &[&["R1", "A", "2023-04-03"], &["R2", "B", "2023-04-04"]],
    );
    for spec in csc_indicators::input::contract::TABLES {
        let given = older_fixture.tables.iter().find(|(n, _)| n == spec.name);
        let mut df = crate::support::frame(spec, given.map(|(_, c)| c.as_slice()).unwrap_or(&[]));
        write_table(&f.data_dir(), spec.name, "873", older, &mut df);
    }
    let mut options = f.options("2023-04");
    csc_indicators::pipeline::run(&options).unwrap();
    let latest = crate::support::Output::read(&f.out_dir());
    assert_eq!(
        latest
            .indicator("referrals")
            .window("month")
            .ending("2023-04")
            .numerator,
        1.0
    );
    options.as_of = Some(d("2024-04-30"));
    csc_indicators::pipeline::run(&options).unwrap();
    let as_of = crate::support::Output::read(&f.out_dir());
    assert_eq!(
        as_of
            .indicator("referrals")
            .window("month")
            .ending("2023-04")
            .numerator,
        2.0
    );
    // The older snapshot's last complete month is February 2024: March is not reported.
    let months = as_of
        .indicators
        .column("period_end")
        .unwrap()
        .cast(&DataType::Int32)
        .unwrap();
    let last = months.i32().unwrap().max().unwrap();
    assert_eq!(last, epoch_days(d("2024-02-29")));
}

#[test]
fn reference_tables_may_be_csv() {
    let f = Fixture::new("2024-05-01").record(
        "ssd_cin_episodes",
        &[
            ("cine_referral_id", "R1"),
            ("cine_person_id", "A"),
            ("cine_referral_date", "2023-06-01"),
        ],
    );
    f.write();
    let reference = f.data_dir().join("reference");
    std::fs::remove_file(reference.join("population.parquet")).unwrap();
    std::fs::write(
        reference.join("population.csv"),
        "la_code,mid_year,age_0_17\n873,2023,40000\n",
    )
    .unwrap();
    std::fs::remove_file(reference.join("bank_holidays.parquet")).unwrap();
    std::fs::write(
        reference.join("bank_holidays.csv"),
        "date,title\n2023-05-08,Coronation\n",
    )
    .unwrap();
    csc_indicators::pipeline::run(&f.options("2023-04")).unwrap();
    let out = crate::support::Output::read(&f.out_dir());
    let rate = out
        .indicator("referral_rate")
        .window("rolling_12m")
        .ending("2023-06");
    assert_eq!(rate.denominator, Some(40_000.0));
    crate::support::close(rate.value, 0.25);
}

#[test]
fn a_repeated_id_out_of_order_is_found_as_one_next_to_itself() {
    // R2 comes back after R1: the ids do not increase, so every id is counted.
    let out = Fixture::new("2024-05-01")
        .records(
            "ssd_cin_episodes",
            &["cine_referral_id", "cine_person_id", "cine_referral_date"],
            &[
                &["R2", "A", "2023-04-03"],
                &["R1", "B", "2023-04-04"],
                &["R2", "A", "2023-04-03"],
                &["R3", "C", "2023-04-05"],
            ],
        )
        .run("2023-04");
    assert_eq!(
        out.indicator("referrals")
            .window("month")
            .ending("2023-04")
            .numerator,
        3.0
    );
    assert_eq!(
        out.findings("duplicate_id"),
        vec![("ssd_cin_episodes".into(), "cine_referral_id".into(), 1)]
    );
}

/// A check on a table whose record id is a person id (`ssd_person`) finds the rows, but names none of them: no
/// person id reaches `data_quality.parquet`.
#[test]
fn an_engine_check_on_people_gives_no_person_id_as_example() {
    let catalogue = format!(
        "{}  - id: deaths
    title: Deaths
    definition: Children who died, by days lived.
    unit: count
    polarity: neutral
    windows: [month]
    rows:
      table: ssd_person
      dated_by: pers_death_date
      steps:
        - calendar_days: {{name: days_lived, from: pers_dob, to: pers_death_date}}
",
        crate::catalogue::HEADER
    );
    let out = Fixture::new("2024-05-01")
        .records(
            "ssd_person",
            &["pers_person_id", "pers_dob", "pers_death_date"],
            &[
                &["P1", "2020-01-01", "2023-05-02"],
                &["P2", "2023-06-01", "2023-05-03"],
            ],
        )
        .run_catalogue(&catalogue, "2023-04");
    assert_eq!(
        out.findings("end_before_start"),
        vec![("ssd_person".into(), "pers_dob, pers_death_date".into(), 1)],
        "P2 died before birth"
    );
    assert_eq!(
        out.indicator("deaths")
            .window("month")
            .ending("2023-05")
            .numerator,
        1.0,
        "P1"
    );
    let example = out.quality.column("example").unwrap().str().unwrap().get(0);
    assert_eq!(example, None);
}
