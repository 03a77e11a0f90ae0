//! Children's journeys through one LA's services, simulated month by month: contacts, referrals, assessments,
//! section 47 enquiries, conferences, child protection plans with reviews and visits, care (episodes, legal
//! statuses, placements, reviews, visits, health checks, PEPs), missing episodes, leaving care and adoption,
//! and the professionals involved.

use super::frame::{TableBuilder, Value, flag};
use super::rng::Rng;
use crate::common::calendar::{Month, WorkingDays, add_months, age_at};
use crate::input::contract;
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

/// How an LA performs: drawn once per LA so that authorities differ.
#[derive(Debug, Clone)]
pub struct Practice {
    referrals_per_10k: f64,
    re_referral: f64,
    outcome_1wd: f64,
    assess_45wd: f64,
    s47_share: f64,
    icpc_share: f64,
    icpc_15wd: f64,
    plan_share: f64,
    plan_months: f64,
    review_on_time: f64,
    visit_10wd: f64,
    allocated: f64,
    care_entries_per_10k: f64,
    moves_per_year: f64,
    settled_moves_per_year: f64,
    distance_miles: f64,
    cla_review_on_time: f64,
    cla_visit_on_time: f64,
    iha_20wd: f64,
    health_check: f64,
    dental_check: f64,
    pep: f64,
    external_eha: f64,
    missing_rate: f64,
    rhi_72h: f64,
    neet: f64,
    adoption: f64,
}

impl Practice {
    /// Draws an LA's practice.
    pub fn draw(rng: &mut Rng) -> Practice {
        Practice {
            referrals_per_10k: rng.uniform(380.0, 650.0),
            re_referral: rng.uniform(0.16, 0.27),
            outcome_1wd: rng.uniform(0.6, 0.95),
            assess_45wd: rng.uniform(0.5, 0.9),
            s47_share: rng.uniform(0.22, 0.30),
            icpc_share: rng.uniform(0.28, 0.42),
            icpc_15wd: rng.uniform(0.65, 0.95),
            plan_share: rng.uniform(0.8, 0.92),
            plan_months: rng.uniform(8.0, 13.0),
            review_on_time: rng.uniform(0.88, 0.995),
            visit_10wd: rng.uniform(0.55, 0.9),
            allocated: rng.uniform(0.95, 1.0),
            care_entries_per_10k: rng.uniform(18.0, 40.0),
            moves_per_year: rng.uniform(1.0, 1.7),
            settled_moves_per_year: rng.uniform(0.11, 0.2),
            distance_miles: rng.uniform(6.0, 14.0),
            cla_review_on_time: rng.uniform(0.85, 0.99),
            cla_visit_on_time: rng.uniform(0.85, 0.98),
            iha_20wd: rng.uniform(0.1, 0.8),
            health_check: rng.uniform(0.8, 0.96),
            dental_check: rng.uniform(0.6, 0.9),
            pep: rng.uniform(0.85, 0.99),
            external_eha: rng.uniform(0.05, 0.15),
            missing_rate: rng.uniform(0.08, 0.2),
            rhi_72h: rng.uniform(0.6, 0.95),
            neet: rng.uniform(0.25, 0.45),
            adoption: rng.uniform(0.08, 0.18),
        }
    }
}

/// The simulated tables of one LA.
pub struct LaTables {
    /// Every contract table, by name.
    pub tables: BTreeMap<&'static str, TableBuilder>,
}

struct Child {
    id: String,
    dob: NaiveDate,
}

struct Sim<'a> {
    rng: Rng,
    practice: Practice,
    wd: &'a WorkingDays,
    la: &'a str,
    start: NaiveDate,
    snapshot: NaiveDate,
    tables: BTreeMap<&'static str, TableBuilder>,
    next_id: u64,
    social_workers: Vec<String>,
    personal_advisors: Vec<String>,
    iros: Vec<String>,
}

/// Simulates one LA from `from` (with two years of history before it) to the snapshot date.
pub fn simulate(
    la: &str,
    children: f64,
    from: Month,
    snapshot: NaiveDate,
    practice: Practice,
    rng: Rng,
    wd: &WorkingDays,
) -> LaTables {
    let tables = contract::TABLES
        .iter()
        .map(|t| (t.name, TableBuilder::new(t)))
        .collect();
    let mut sim = Sim {
        rng,
        practice,
        wd,
        la,
        start: from.plus(-24).first_day(),
        snapshot,
        tables,
        next_id: 0,
        social_workers: Vec::new(),
        personal_advisors: Vec::new(),
        iros: Vec::new(),
    };
    sim.staff(children);
    let per_10k = children / 10_000.0;
    let care_start = from.plus(-96).first_day();
    let mut month = Month::of(care_start);
    while month.first_day() <= snapshot {
        let days = (month.period_end() - month.first_day()).num_days() + 1;
        let in_events = month.first_day() >= sim.start;
        let entries = sim
            .rng
            .poisson(sim.practice.care_entries_per_10k * per_10k / 12.0 * 1.1);
        for _ in 0..entries {
            let date = month.first_day() + Duration::days(sim.rng.int(0, days - 1));
            if date <= snapshot {
                let child = sim.new_child(date, true);
                sim.care(&child, date, "S");
            }
        }
        if in_events {
            let referrals = sim
                .rng
                .poisson(sim.practice.referrals_per_10k * per_10k / 12.0 * 0.72);
            for _ in 0..referrals {
                let date = month.first_day() + Duration::days(sim.rng.int(0, days - 1));
                if date <= snapshot {
                    let child = sim.new_child(date, false);
                    sim.referral(&child, date);
                }
            }
            let contacts_only = sim
                .rng
                .poisson(sim.practice.referrals_per_10k * per_10k / 12.0 * 1.5);
            for _ in 0..contacts_only {
                let date = month.first_day() + Duration::days(sim.rng.int(0, days - 1));
                if date <= snapshot {
                    let child = sim.new_child(date, false);
                    sim.contact(&child, date);
                }
            }
            let eha = sim.rng.poisson(250.0 * per_10k / 12.0);
            for _ in 0..eha {
                let date = month.first_day() + Duration::days(sim.rng.int(0, days - 1));
                if date <= snapshot {
                    let child = sim.new_child(date, false);
                    sim.early_help(&child, date);
                }
            }
        }
        month = month.plus(1);
    }
    LaTables { tables: sim.tables }
}

impl Sim<'_> {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{}{:07}", self.la, self.next_id)
    }

    fn push(&mut self, table: &str, values: Vec<(&str, Option<Value>)>) {
        self.tables
            .get_mut(table)
            .expect("contract table")
            .row(values);
    }

    fn working_days_after(&self, date: NaiveDate, n: i64) -> NaiveDate {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.wd.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    fn known(&self, d: NaiveDate) -> Option<Value> {
        (d <= self.snapshot).then_some(Value::Date(d))
    }

    fn staff(&mut self, children: f64) {
        let titles = [
            ("Social Worker", 0.55),
            ("Senior Social Worker", 0.3),
            ("Advanced Practitioner", 0.15),
        ];
        let n_sw = ((children / 10_000.0) * 14.0).ceil().max(2.0) as usize;
        for _ in 0..n_sw {
            let id = self.id("W");
            let title = *self.rng.weighted(&titles);
            let agency = self.rng.chance(0.15);
            let fte = if self.rng.chance(0.8) { 1.0 } else { 0.6 };
            let row = vec![
                ("prof_professional_id", Some(id.clone().into())),
                ("prof_professional_job_title", Some(title.into())),
                ("prof_full_time_equivalency", Some(fte.into())),
                ("prof_agency_worker_flag", Some(flag(agency))),
            ];
            self.push("ssd_professionals", row);
            self.social_workers.push(id);
        }
        for (title, n, pool) in [
            (
                "Personal Advisor",
                (children / 10_000.0 * 3.0).ceil() as usize,
                0,
            ),
            (
                "Independent Reviewing Officer",
                (children / 10_000.0 * 1.5).ceil() as usize,
                1,
            ),
            (
                "Family Support Worker",
                (children / 10_000.0 * 2.0).ceil() as usize,
                2,
            ),
        ] {
            for _ in 0..n.max(1) {
                let id = self.id("W");
                let row = vec![
                    ("prof_professional_id", Some(id.clone().into())),
                    ("prof_professional_job_title", Some(title.into())),
                    ("prof_full_time_equivalency", Some(1.0.into())),
                    ("prof_agency_worker_flag", Some(flag(false))),
                ];
                self.push("ssd_professionals", row);
                match pool {
                    0 => self.personal_advisors.push(id),
                    1 => self.iros.push(id),
                    _ => {}
                }
            }
        }
    }

    fn involve(&mut self, child: &Child, pool: usize, start: NaiveDate, end: Option<NaiveDate>) {
        let staff = match pool {
            0 => &self.social_workers,
            1 => &self.personal_advisors,
            _ => &self.iros,
        };
        if staff.is_empty() || start > self.snapshot {
            return;
        }
        let who = staff[self.rng.int(0, staff.len() as i64 - 1) as usize].clone();
        let id = self.id("I");
        let role = ["SW", "PA", "IRO"][pool];
        let end = end.filter(|e| *e <= self.snapshot);
        let row = vec![
            ("invo_involvements_id", Some(id.into())),
            ("invo_professional_id", Some(who.into())),
            ("invo_person_id", Some(child.id.clone().into())),
            ("invo_professional_role_id", Some(role.into())),
            ("invo_involvement_start_date", Some(start.into())),
            ("invo_involvement_end_date", end.map(Value::Date)),
        ];
        self.push("ssd_involvements", row);
    }

    fn new_child(&mut self, at: NaiveDate, into_care: bool) -> Child {
        let bands: &[((i64, i64), f64)] = if into_care {
            &[
                ((0, 0), 0.18),
                ((1, 4), 0.16),
                ((5, 9), 0.2),
                ((10, 15), 0.36),
                ((16, 17), 0.1),
            ]
        } else {
            &[
                ((0, 0), 0.1),
                ((1, 4), 0.2),
                ((5, 9), 0.26),
                ((10, 15), 0.33),
                ((16, 17), 0.11),
            ]
        };
        let (lo, hi) = *self.rng.weighted(bands);
        let age_days = self.rng.int(lo * 365, hi * 365 + 364);
        let dob = at - Duration::days(age_days);
        let id = self.id("P");
        let sex = if self.rng.chance(0.52) { "M" } else { "F" };
        let ethnicity = *self.rng.weighted(&[
            ("WBRI", 0.72),
            ("MOTH", 0.06),
            ("BAFR", 0.05),
            ("APKN", 0.04),
            ("WOTH", 0.06),
            ("NOBT", 0.07),
        ]);
        let row = vec![
            ("pers_person_id", Some(id.clone().into())),
            ("pers_dob", Some(dob.into())),
            ("pers_sex", Some(sex.into())),
            ("pers_ethnicity", Some(ethnicity.into())),
        ];
        self.push("ssd_person", row);
        Child { id, dob }
    }

    fn contact(&mut self, child: &Child, date: NaiveDate) -> String {
        let id = self.id("C");
        let lag = self.rng.int(0, 2);
        let decided = self.working_days_after(date, lag);
        let source = *self.rng.weighted(&[
            ("1A", 0.2),
            ("2A", 0.2),
            ("3A", 0.25),
            ("5A", 0.15),
            ("8", 0.2),
        ]);
        let row = vec![
            ("cont_contact_id", Some(id.clone().into())),
            ("cont_person_id", Some(child.id.clone().into())),
            ("cont_contact_date", Some(date.into())),
            ("cont_contact_source_code", Some(source.into())),
            ("cont_contact_outcome_date", self.known(decided)),
        ];
        self.push("ssd_contacts", row);
        id
    }

    fn early_help(&mut self, child: &Child, date: NaiveDate) {
        let id = self.id("E");
        let end = date + Duration::days(self.rng.int(60, 300));
        let external = self.rng.chance(self.practice.external_eha);
        let row = vec![
            ("earl_episode_id", Some(id.into())),
            ("earl_person_id", Some(child.id.clone().into())),
            ("earl_episode_start_date", Some(date.into())),
            ("earl_episode_end_date", self.known(end)),
            (
                "earl_episode_organisation",
                Some(
                    if external {
                        "external"
                    } else {
                        "Local authority"
                    }
                    .into(),
                ),
            ),
        ];
        self.push("ssd_early_help_episodes", row);
    }

    /// A referral and everything that follows from it; returns the date the child's case closed, if it did.
    fn referral(&mut self, child: &Child, date: NaiveDate) {
        self.contact(child, date);
        let id = self.id("R");
        let lag = if self.rng.chance(self.practice.outcome_1wd) {
            self.rng.int(0, 1)
        } else {
            self.rng.int(2, 6)
        };
        let outcome = self.working_days_after(date, lag);
        let nfa = self.rng.chance(0.08);
        let need = *self.rng.weighted(&[
            ("N1", 0.55),
            ("N2", 0.08),
            ("N3", 0.05),
            ("N4", 0.2),
            ("N5", 0.05),
            ("N6", 0.03),
            ("N8", 0.02),
            ("N9", 0.02),
        ]);
        let mut closed = outcome + Duration::days(self.rng.int(20, 120));
        let s47 = !nfa && self.rng.chance(self.practice.s47_share / 0.92);
        let mut plan_end: Option<NaiveDate> = None;
        let mut plan_open = false;
        if !nfa && (s47 || self.rng.chance(0.92)) {
            let start = outcome;
            let wd = if self.rng.chance(self.practice.assess_45wd) {
                self.rng.int(8, 45)
            } else {
                self.rng.int(46, 90)
            };
            let auth = self.working_days_after(start, wd);
            let aid = self.id("A");
            let row = vec![
                ("cina_assessment_id", Some(aid.into())),
                ("cina_person_id", Some(child.id.clone().into())),
                ("cina_referral_id", Some(id.clone().into())),
                ("cina_assessment_start_date", Some(start.into())),
                ("cina_assessment_auth_date", self.known(auth)),
                (
                    "cina_assessment_outcome_nfa",
                    (auth <= self.snapshot).then(|| flag(self.rng.chance(0.3))),
                ),
            ];
            self.push("ssd_cin_assessments", row);
            closed = closed.max(auth + Duration::days(self.rng.int(10, 90)));
        }
        let s47 = s47 && date + Duration::days(7) <= self.snapshot;
        if s47 {
            let sid = self.id("S");
            let start = date + Duration::days(self.rng.int(0, 7));
            let icpc = self.rng.chance(self.practice.icpc_share);
            let days = if icpc {
                self.rng.int(2, 10)
            } else {
                self.rng.int(3, 30)
            };
            let end = start + Duration::days(days);
            let row = vec![
                ("s47e_s47_enquiry_id", Some(sid.clone().into())),
                ("s47e_referral_id", Some(id.clone().into())),
                ("s47e_person_id", Some(child.id.clone().into())),
                ("s47e_s47_start_date", Some(start.into())),
                ("s47e_s47_end_date", self.known(end)),
                ("s47e_s47_nfa", (end <= self.snapshot).then(|| flag(!icpc))),
            ];
            self.push("ssd_s47_enquiry", row);
            if icpc {
                let wd = if self.rng.chance(self.practice.icpc_15wd) {
                    self.rng.int(5, 15)
                } else {
                    self.rng.int(16, 30)
                };
                let conf = self.working_days_after(start, wd).max(end);
                if conf <= self.snapshot {
                    let to_plan = self.rng.chance(self.practice.plan_share);
                    let cid = self.id("K");
                    let plan_id = to_plan.then(|| self.id("CP"));
                    let row = vec![
                        ("icpc_icpc_id", Some(cid.clone().into())),
                        ("icpc_s47_enquiry_id", Some(sid.into())),
                        ("icpc_person_id", Some(child.id.clone().into())),
                        ("icpc_cp_plan_id", plan_id.clone().map(Value::Text)),
                        ("icpc_referral_id", Some(id.clone().into())),
                        ("icpc_icpc_transfer_in", Some(flag(false))),
                        (
                            "icpc_icpc_target_date",
                            Some(self.working_days_after(start, 15).into()),
                        ),
                        ("icpc_icpc_date", Some(conf.into())),
                        ("icpc_icpc_outcome_cp_flag", Some(flag(to_plan))),
                    ];
                    self.push("ssd_initial_cp_conference", row);
                    if let Some(plan_id) = plan_id {
                        let end = self.cp_plan(child, &plan_id, &id, &cid, conf);
                        plan_open = end.is_none();
                        plan_end = end;
                        closed = closed.max(end.unwrap_or(self.snapshot));
                    }
                }
            }
        }
        let outcome_value = if outcome <= self.snapshot {
            Some(Value::Date(outcome))
        } else {
            None
        };
        let row = vec![
            ("cine_referral_id", Some(id.into())),
            ("cine_person_id", Some(child.id.clone().into())),
            ("cine_referral_date", Some(date.into())),
            ("cine_cin_primary_need_code", Some(need.into())),
            (
                "cine_referral_source_code",
                Some(
                    (*self
                        .rng
                        .weighted(&[("1A", 0.3), ("3A", 0.3), ("5A", 0.2), ("8", 0.2)]))
                    .into(),
                ),
            ),
            ("cine_referral_nfa", Some(flag(nfa))),
            (
                "cine_close_reason",
                (closed <= self.snapshot && !plan_open).then(|| Value::Text("RC8".into())),
            ),
            (
                "cine_close_date",
                if plan_open { None } else { self.known(closed) },
            ),
            ("cine_referral_outcome_date", outcome_value),
        ];
        self.push("ssd_cin_episodes", row);
        if !nfa {
            self.involve(child, 0, date, if plan_open { None } else { Some(closed) });
        }
        if let Some(end) = plan_end
            && self.rng.chance(0.1)
            && age_at(child.dob, end) < 17
        {
            self.care(child, end, "S");
            return;
        }
        if !plan_open && self.rng.chance(self.practice.re_referral) {
            let next =
                date + Duration::days(self.rng.int(30, 420)).max(closed - date + Duration::days(1));
            if next <= self.snapshot && age_at(child.dob, next) < 18 {
                self.referral(child, next);
            }
        }
    }

    /// A child protection plan from `start`; returns its end date if it ended by the snapshot.
    fn cp_plan(
        &mut self,
        child: &Child,
        plan_id: &str,
        referral: &str,
        icpc: &str,
        start: NaiveDate,
    ) -> Option<NaiveDate> {
        let months = if self.rng.chance(0.03) {
            self.rng.uniform(24.0, 30.0)
        } else {
            let half = (self.practice.plan_months - 2.0) / 2.0;
            (self.rng.exponential(half) + self.rng.exponential(half) + 2.0).min(23.5)
        };
        let end = start + Duration::days((months * 30.4) as i64);
        let category = *self.rng.weighted(&[
            ("NEG", 0.5),
            ("EMO", 0.35),
            ("PHY", 0.08),
            ("SAB", 0.04),
            ("MUL", 0.03),
        ]);
        let row = vec![
            ("cppl_cp_plan_id", Some(plan_id.into())),
            ("cppl_referral_id", Some(referral.into())),
            ("cppl_icpc_id", Some(icpc.into())),
            ("cppl_person_id", Some(child.id.clone().into())),
            ("cppl_cp_plan_start_date", Some(start.into())),
            ("cppl_cp_plan_end_date", self.known(end)),
            ("cppl_cp_plan_ola", Some(flag(false))),
            ("cppl_cp_plan_initial_category", Some(category.into())),
            ("cppl_cp_plan_latest_category", Some(category.into())),
        ];
        self.push("ssd_cp_plans", row);
        let allocated = self.rng.chance(self.practice.allocated);
        if allocated {
            self.involve(child, 0, start, Some(end));
        }
        self.involve(child, 2, start, Some(end));
        let stop = end.min(self.snapshot);
        let mut due = add_months(start, 3);
        while due < end && due <= self.snapshot {
            let held = if self.rng.chance(self.practice.review_on_time) {
                due - Duration::days(self.rng.int(0, 10))
            } else {
                due + Duration::days(self.rng.int(1, 20))
            };
            let rid = self.id("CR");
            let row = vec![
                ("cppr_cp_review_id", Some(rid.into())),
                ("cppr_person_id", Some(child.id.clone().into())),
                ("cppr_cp_plan_id", Some(plan_id.into())),
                ("cppr_cp_review_due", Some(due.into())),
                ("cppr_cp_review_date", self.known(held)),
            ];
            self.push("ssd_cp_reviews", row);
            due = add_months(due, 6);
        }
        let mut last = start;
        loop {
            let wd = if self.rng.chance(self.practice.visit_10wd) {
                self.rng.int(4, 10)
            } else {
                self.rng.int(11, 18)
            };
            let visit = self.working_days_after(last, wd);
            if visit >= stop {
                break;
            }
            let vid = self.id("V");
            let seen = self.rng.chance(0.95);
            let row = vec![
                ("cppv_cp_visit_id", Some(vid.into())),
                ("cppv_person_id", Some(child.id.clone().into())),
                ("cppv_cp_plan_id", Some(plan_id.into())),
                ("cppv_cp_visit_date", Some(visit.into())),
                ("cppv_cp_visit_seen", Some(flag(seen))),
                (
                    "cppv_cp_visit_seen_alone",
                    Some(flag(seen && self.rng.chance(0.6))),
                ),
            ];
            self.push("ssd_cp_visits", row);
            last = visit;
        }
        (end <= self.snapshot).then_some(end)
    }

    /// A period of care from `start`: episodes, legal statuses, placements, reviews, visits, health, PEPs,
    /// missing episodes, and then leaving care or adoption.
    fn care(&mut self, child: &Child, start: NaiveDate, reason: &str) {
        let cla_id = self.id("L");
        let short_breaks = self.rng.chance(0.04);
        let age = age_at(child.dob, start);
        let adopted = !short_breaks && age < 5 && self.rng.chance(self.practice.adoption * 4.0);
        let years = if short_breaks {
            self.rng.uniform(0.5, 3.0)
        } else if adopted {
            self.rng.uniform(1.2, 3.0)
        } else if self.rng.chance(0.35) {
            self.rng.exponential(0.3)
        } else {
            self.rng.exponential(3.2)
        };
        let eighteen = add_months(child.dob, 18 * 12);
        let natural_end = start + Duration::days((years * 365.25) as i64).max(Duration::days(1));
        let end = natural_end.min(eighteen);
        let ended = end <= self.snapshot;
        let final_reason = if end == eighteen {
            "E8"
        } else if adopted {
            if self.rng.chance(0.9) { "E11" } else { "E12" }
        } else {
            *self.rng.weighted(&[
                ("E13", 0.45),
                ("E41", 0.15),
                ("E45", 0.1),
                ("E4A", 0.15),
                ("E15", 0.15),
            ])
        };
        let legal = if short_breaks {
            "V3"
        } else if self.rng.chance(0.3) {
            "V2"
        } else {
            "C2"
        };
        let lid = self.id("G");
        let row = vec![
            ("lega_legal_status_id", Some(lid.into())),
            ("lega_person_id", Some(child.id.clone().into())),
            ("lega_legal_status", Some(legal.into())),
            ("lega_legal_status_start_date", Some(start.into())),
            (
                "lega_legal_status_end_date",
                if ended { Some(end.into()) } else { None },
            ),
        ];
        self.push("ssd_legal_status", row);
        let mut changes = Vec::new();
        let mut t = start;
        loop {
            // Moves are frequent in the first year of care and rare once a child is settled.
            let settled = (t - start).num_days() > 365;
            let rate = if settled {
                self.practice.settled_moves_per_year
            } else {
                self.practice.moves_per_year
            };
            let gap = Duration::days((self.rng.exponential(365.0 / rate)) as i64 + 1);
            if !settled && t + gap - start > Duration::days(365) {
                t = start + Duration::days(366);
                continue;
            }
            t += gap;
            if t >= end || short_breaks {
                break;
            }
            changes.push(t);
        }
        let mut bounds = vec![start];
        bounds.extend(changes);
        let last = bounds.len() - 1;
        for (i, from) in bounds.iter().copied().enumerate() {
            if from > self.snapshot {
                break;
            }
            let to = if i == last { end } else { bounds[i + 1] };
            let placement_id = self.id("PL");
            let ptype = if adopted && i == last && i > 0 {
                "A5"
            } else {
                *self.rng.weighted(&[
                    ("U1", 0.15),
                    ("U3", 0.2),
                    ("U4", 0.15),
                    ("U5", 0.12),
                    ("U6", 0.1),
                    ("K2", 0.1),
                    ("R1", 0.03),
                    ("P1", 0.06),
                    ("H5", 0.05),
                    ("Z1", 0.04),
                ])
            };
            let distance =
                (self.rng.exponential(self.practice.distance_miles) * 10.0).round() / 10.0;
            let row = vec![
                ("clap_cla_placement_id", Some(placement_id.clone().into())),
                ("clap_cla_id", Some(cla_id.clone().into())),
                ("clap_person_id", Some(child.id.clone().into())),
                ("clap_cla_placement_start_date", Some(from.into())),
                ("clap_cla_placement_type", Some(ptype.into())),
                (
                    "clap_cla_placement_urn",
                    Some(format!("SC{:06}", self.rng.int(0, 999_999)).into()),
                ),
                ("clap_cla_placement_distance", Some(distance.into())),
                (
                    "clap_cla_placement_provider",
                    Some(
                        (*self
                            .rng
                            .weighted(&[("PR1", 0.6), ("PR4", 0.3), ("PR2", 0.1)]))
                        .into(),
                    ),
                ),
                ("clap_cla_placement_end_date", self.known(to)),
                (
                    "clap_cla_placement_change_reason",
                    (i < last && to <= self.snapshot).then(|| Value::Text("CHILD".into())),
                ),
            ];
            self.push("ssd_cla_placement", row);
            let eid = self.id("EP");
            let ceased = if i < last {
                Some("X1")
            } else {
                Some(final_reason)
            };
            let row = vec![
                ("clae_cla_episode_id", Some(eid.into())),
                ("clae_person_id", Some(child.id.clone().into())),
                ("clae_cla_id", Some(cla_id.clone().into())),
                ("clae_cla_placement_id", Some(placement_id.into())),
                ("clae_cla_episode_start_date", Some(from.into())),
                (
                    "clae_cla_episode_start_reason",
                    Some((if i == 0 { reason } else { "P" }).into()),
                ),
                ("clae_cla_primary_need_code", Some("N1".into())),
                ("clae_cla_episode_ceased_date", self.known(to)),
                (
                    "clae_cla_episode_ceased_reason",
                    if to <= self.snapshot {
                        ceased.map(Value::from)
                    } else {
                        None
                    },
                ),
                ("clae_entered_care_date", Some(start.into())),
            ];
            self.push("ssd_cla_episodes", row);
        }
        let stop = end.min(self.snapshot);
        self.involve(child, 0, start, Some(end));
        self.involve(child, 2, start, Some(end));
        if short_breaks {
            return;
        }
        let mut due = start + Duration::days(20);
        let mut n = 0;
        while due <= stop {
            let rid = self.id("LR");
            let cancelled = self.rng.chance(0.02);
            let held = if self.rng.chance(self.practice.cla_review_on_time) {
                due - Duration::days(self.rng.int(0, 7))
            } else {
                due + Duration::days(self.rng.int(1, 30))
            };
            let row = vec![
                ("clar_cla_review_id", Some(rid.into())),
                ("clar_cla_id", Some(cla_id.clone().into())),
                ("clar_cla_person_id", Some(child.id.clone().into())),
                ("clar_cla_review_due_date", Some(due.into())),
                (
                    "clar_cla_review_date",
                    if cancelled { None } else { self.known(held) },
                ),
                ("clar_cla_review_cancelled", Some(flag(cancelled))),
            ];
            self.push("ssd_cla_reviews", row);
            n += 1;
            due = if n == 1 {
                add_months(start, 3)
            } else {
                add_months(due, 6)
            };
        }
        let mut visit = start + Duration::days(self.rng.int(3, 10));
        while visit <= stop {
            let vid = self.id("LV");
            let row = vec![
                ("clav_cla_visit_id", Some(vid.into())),
                ("clav_cla_id", Some(cla_id.clone().into())),
                ("clav_person_id", Some(child.id.clone().into())),
                ("clav_cla_visit_date", Some(visit.into())),
                ("clav_cla_visit_seen", Some(flag(true))),
                (
                    "clav_cla_visit_seen_alone",
                    Some(flag(self.rng.chance(0.5))),
                ),
            ];
            self.push("ssd_cla_visits", row);
            let gap = if self.rng.chance(self.practice.cla_visit_on_time) {
                self.rng.int(20, 40)
            } else {
                self.rng.int(43, 70)
            };
            visit += Duration::days(gap);
        }
        if (end - start).num_days() >= 28 {
            let wd = if self.rng.chance(self.practice.iha_20wd) {
                self.rng.int(5, 20)
            } else {
                self.rng.int(21, 60)
            };
            let iha = self.working_days_after(start, wd);
            if iha <= stop {
                self.health(child, "IHA", iha);
            }
            let mut next = add_months(start, 12);
            while next <= stop {
                if self.rng.chance(self.practice.health_check) {
                    let d = next - Duration::days(self.rng.int(0, 40));
                    self.health(child, "RHA", d);
                }
                if self.rng.chance(self.practice.dental_check) {
                    let d = next - Duration::days(self.rng.int(0, 60));
                    self.health(child, "DENTAL", d);
                }
                next = add_months(next, 12);
            }
        }
        let mut pep = start + Duration::days(self.rng.int(10, 30));
        while pep <= stop {
            let age = age_at(child.dob, pep);
            if (4..=16).contains(&age) && self.rng.chance(self.practice.pep) {
                let id = self.id("EDU");
                let row = vec![
                    ("pep_id", Some(id.into())),
                    ("pep_person_id", Some(child.id.clone().into())),
                    ("pep_date", Some(pep.into())),
                    ("pep_status", Some("Completed".into())),
                ];
                self.push("ssd_cla_pep", row);
            }
            pep += Duration::days(self.rng.int(100, 170));
        }
        if self.rng.chance(self.practice.missing_rate * 1.5) && age >= 10 {
            let episodes = self.rng.int(1, 5);
            for _ in 0..episodes {
                let span = (stop - start).num_days().max(1);
                let day = start + Duration::days(self.rng.int(0, span));
                self.missing_episode(child, day);
            }
            // Some go missing from home in the months before they come into care.
            if self.rng.chance(0.5) {
                for _ in 0..self.rng.int(1, 2) {
                    let day = start - Duration::days(self.rng.int(7, 180));
                    self.missing_episode(child, day);
                }
            }
        }
        if ended && adopted {
            self.adoption(child, &cla_id, start, end);
        }
        let age_end = age_at(child.dob, end);
        if ended && age_end >= 16 && (end - start).num_days() >= 91 {
            self.care_leaver(child, end);
        }
    }

    fn health(&mut self, child: &Child, kind: &str, date: NaiveDate) {
        let id = self.id("H");
        let row = vec![
            ("clah_health_check_id", Some(id.into())),
            ("clah_person_id", Some(child.id.clone().into())),
            ("clah_health_check_type", Some(kind.into())),
            ("clah_health_check_date", Some(date.into())),
            (
                "clah_health_check_status",
                Some(
                    (if self.rng.chance(0.96) {
                        "Completed"
                    } else {
                        "Refused"
                    })
                    .into(),
                ),
            ),
        ];
        self.push("ssd_cla_health", row);
    }

    /// A missing (or, now and then, away) episode starting on `day`, with its return home interview.
    fn missing_episode(&mut self, child: &Child, day: NaiveDate) {
        if day > self.snapshot {
            return;
        }
        let at = day
            .and_hms_opt(self.rng.int(14, 23) as u32, 0, 0)
            .expect("valid time");
        let back = at + Duration::hours(self.rng.int(3, 72));
        let rhi = back
            + Duration::hours(if self.rng.chance(self.practice.rhi_72h) {
                self.rng.int(4, 71)
            } else {
                self.rng.int(73, 200)
            });
        let mid = self.id("M");
        let snapshot_end = self.snapshot.and_hms_opt(23, 59, 59).expect("valid time");
        let row = vec![
            ("miss_table_id", Some(mid.into())),
            ("miss_person_id", Some(child.id.clone().into())),
            ("miss_missing_episode_start_date", Some(at.into())),
            (
                "miss_missing_episode_type",
                Some((if self.rng.chance(0.85) { "M" } else { "A" }).into()),
            ),
            (
                "miss_missing_episode_end_date",
                (back <= snapshot_end).then_some(Value::DateTime(back)),
            ),
            ("miss_missing_rhi_offered", Some(flag(true))),
            (
                "miss_missing_rhi_accepted",
                Some(flag(self.rng.chance(0.8))),
            ),
            (
                "miss_missing_rhi_date",
                (rhi <= snapshot_end).then_some(Value::DateTime(rhi)),
            ),
        ];
        self.push("ssd_missing", row);
    }

    fn adoption(&mut self, child: &Child, cla_id: &str, start: NaiveDate, order: NaiveDate) {
        let span = (order - start).num_days().max(60);
        let decision = start + Duration::days(span * self.rng.int(20, 35) / 100);
        let placement_order = decision + Duration::days(span * self.rng.int(5, 15) / 100);
        let matched = placement_order + Duration::days(self.rng.int(30, 300).min(span / 3));
        let placed = (matched + Duration::days(self.rng.int(7, 60))).min(order - Duration::days(1));
        let id = self.id("AD");
        let row = vec![
            ("perm_table_id", Some(id.into())),
            ("perm_person_id", Some(child.id.clone().into())),
            ("perm_cla_id", Some(cla_id.into())),
            ("perm_adm_decision_date", Some(decision.into())),
            ("perm_placement_order_date", Some(placement_order.into())),
            ("perm_matched_date", Some(matched.into())),
            ("perm_placed_for_adoption_date", Some(placed.into())),
            ("perm_permanence_order_date", Some(order.into())),
            ("perm_permanence_order_type", Some("Adoption".into())),
            (
                "perm_adopted_by_carer_flag",
                Some(flag(self.rng.chance(0.1))),
            ),
        ];
        self.push("ssd_permanence", row);
    }

    fn care_leaver(&mut self, child: &Child, left: NaiveDate) {
        let age = age_at(child.dob, self.snapshot);
        if age > 25 {
            return;
        }
        let eligibility = if age >= 18 {
            "Former relevant"
        } else if age_at(child.dob, left) >= 16 {
            "Relevant"
        } else {
            "Eligible"
        };
        let neet = self.rng.chance(self.practice.neet);
        let activity = if neet {
            *self.rng.weighted(&[("G4", 0.2), ("G5", 0.6), ("G6", 0.2)])
        } else {
            *self
                .rng
                .weighted(&[("F1", 0.4), ("P1", 0.2), ("F2", 0.3), ("P2", 0.1)])
        };
        let id = self.id("CL");
        let contact = self.snapshot - Duration::days(self.rng.int(0, 120));
        let review = self.snapshot
            - Duration::days(if self.rng.chance(0.9) {
                self.rng.int(0, 170)
            } else {
                self.rng.int(190, 400)
            });
        let row = vec![
            ("clea_table_id", Some(id.into())),
            ("clea_person_id", Some(child.id.clone().into())),
            ("clea_care_leaver_eligibility", Some(eligibility.into())),
            ("clea_care_leaver_in_touch", Some("YES".into())),
            ("clea_care_leaver_latest_contact", Some(contact.into())),
            (
                "clea_care_leaver_accommodation",
                Some(
                    (*self
                        .rng
                        .weighted(&[("S", 0.3), ("T", 0.3), ("U", 0.2), ("V", 0.2)]))
                    .into(),
                ),
            ),
            (
                "clea_care_leaver_accom_suitable",
                Some((if self.rng.chance(0.88) { "1" } else { "2" }).into()),
            ),
            ("clea_care_leaver_activity", Some(activity.into())),
            (
                "clea_pathway_plan_review_date",
                Some(review.max(left).into()),
            ),
        ];
        self.push("ssd_care_leavers", row);
        self.involve(child, 1, left, None);
    }
}
