//! The input data contract: the SSD tables the pipeline reads, their columns and logical types.
//!
//! This is the single place that knows the shape of the Standard Safeguarding Dataset subset described in
//! `docs/data-contract.md`; the loader checks files against it and the catalogue checks column references against it.

/// The logical type of a contract column, which decides how a raw Parquet column is normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Logical {
    /// An identifier: text, integers accepted and cast to text.
    Id,
    /// A calendar date: Date32, a timestamp's date part, or `YYYY-MM-DD` / `DD/MM/YYYY` text.
    Date,
    /// A date and time: a timestamp, or a date at midnight.
    Datetime,
    /// A `Y`/`N` flag, normalised to a boolean (null = unknown).
    Flag,
    /// A coded value, mapped to DfE codes through the catalogue's value maps.
    Code,
    /// Free text.
    Text,
    /// A number.
    Number,
}

impl Logical {
    /// The name used in messages and documentation.
    pub fn name(self) -> &'static str {
        match self {
            Logical::Id => "id",
            Logical::Date => "date",
            Logical::Datetime => "datetime",
            Logical::Flag => "flag",
            Logical::Code => "code",
            Logical::Text => "text",
            Logical::Number => "number",
        }
    }
}

/// One column of a contract table.
#[derive(Debug)]
pub struct ColumnSpec {
    /// The SSD column name.
    pub name: &'static str,
    /// How the raw value is normalised.
    pub logical: Logical,
    /// Whether every file of the table must carry the column.
    pub required: bool,
}

/// A table shows as its name in debug output (catalogue steps, `explain`): its columns are the contract's.
impl std::fmt::Debug for TableSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// One SSD table of the contract.
pub struct TableSpec {
    /// The SSD table name, also the folder name under the data directory.
    pub name: &'static str,
    /// The table's own record id.
    pub record_id: &'static str,
    /// The column naming the child (or, for professionals, none).
    pub person: Option<&'static str>,
    /// Every column the contract knows.
    pub columns: &'static [ColumnSpec],
}

/// Tables are the same table when their names are: the contract names each once.
impl PartialEq for TableSpec {
    fn eq(&self, other: &TableSpec) -> bool {
        self.name == other.name
    }
}

impl TableSpec {
    /// The column of this name, if the contract knows it.
    pub fn column(&self, name: &str) -> Option<&'static ColumnSpec> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Whether a column holds a person-level identifier or a date of birth, which must never reach an output.
    pub fn is_sensitive(&self, column: &str) -> bool {
        Some(column) == self.person
            || column == "pers_dob"
            || column == "pers_expected_dob"
            || column == "pers_upn"
            || (self.name == "ssd_person" && column == self.record_id)
    }
}

/// Whether `column` is the person column of a contract table (each table names its child in one column, and the
/// names carry their table's prefix, so a name is a person column in one table or in none).
pub fn is_person_column(column: &str) -> bool {
    TABLES.iter().any(|t| t.person == Some(column))
}

macro_rules! cols {
    ($($name:literal $logical:ident $($req:ident)?),* $(,)?) => {
        &[$(ColumnSpec { name: $name, logical: Logical::$logical, required: cols!(@req $($req)?) }),*]
    };
    (@req required) => { true };
    (@req) => { false };
}

/// Every table of the contract.
pub static TABLES: &[TableSpec] = &[
    TableSpec {
        name: "ssd_person",
        record_id: "pers_person_id",
        person: Some("pers_person_id"),
        columns: cols![
            "pers_person_id" Id required, "pers_dob" Date required, "pers_expected_dob" Date,
            "pers_death_date" Date, "pers_sex" Code, "pers_gender" Code, "pers_ethnicity" Code, "pers_upn" Id,
        ],
    },
    TableSpec {
        name: "ssd_contacts",
        record_id: "cont_contact_id",
        person: Some("cont_person_id"),
        columns: cols![
            "cont_contact_id" Id required, "cont_person_id" Id required, "cont_contact_date" Date required,
            "cont_contact_source_code" Code, "cont_contact_outcome_json" Text, "cont_contact_outcome_date" Date,
        ],
    },
    TableSpec {
        name: "ssd_early_help_episodes",
        record_id: "earl_episode_id",
        person: Some("earl_person_id"),
        columns: cols![
            "earl_episode_id" Id required, "earl_person_id" Id required, "earl_episode_start_date" Date required,
            "earl_episode_end_date" Date, "earl_episode_reason" Code, "earl_episode_end_reason" Code,
            "earl_episode_organisation" Text,
        ],
    },
    TableSpec {
        name: "ssd_cin_episodes",
        record_id: "cine_referral_id",
        person: Some("cine_person_id"),
        columns: cols![
            "cine_referral_id" Id required, "cine_person_id" Id required, "cine_referral_date" Date required,
            "cine_cin_primary_need_code" Code, "cine_referral_source_code" Code, "cine_referral_nfa" Flag,
            "cine_close_reason" Code, "cine_close_date" Date, "cine_referral_outcome_date" Date,
        ],
    },
    TableSpec {
        name: "ssd_cin_assessments",
        record_id: "cina_assessment_id",
        person: Some("cina_person_id"),
        columns: cols![
            "cina_assessment_id" Id required, "cina_person_id" Id required, "cina_referral_id" Id,
            "cina_assessment_start_date" Date required, "cina_assessment_auth_date" Date,
            "cina_assessment_outcome_nfa" Flag,
        ],
    },
    TableSpec {
        name: "ssd_s47_enquiry",
        record_id: "s47e_s47_enquiry_id",
        person: Some("s47e_person_id"),
        columns: cols![
            "s47e_s47_enquiry_id" Id required, "s47e_referral_id" Id, "s47e_person_id" Id required,
            "s47e_s47_start_date" Date required, "s47e_s47_end_date" Date, "s47e_s47_nfa" Flag,
            "s47e_s47_outcome_json" Text,
        ],
    },
    TableSpec {
        name: "ssd_initial_cp_conference",
        record_id: "icpc_icpc_id",
        person: Some("icpc_person_id"),
        columns: cols![
            "icpc_icpc_id" Id required, "icpc_s47_enquiry_id" Id, "icpc_person_id" Id required,
            "icpc_cp_plan_id" Id, "icpc_referral_id" Id, "icpc_icpc_transfer_in" Flag,
            "icpc_icpc_target_date" Date, "icpc_icpc_date" Date required, "icpc_icpc_outcome_cp_flag" Flag,
        ],
    },
    TableSpec {
        name: "ssd_cp_plans",
        record_id: "cppl_cp_plan_id",
        person: Some("cppl_person_id"),
        columns: cols![
            "cppl_cp_plan_id" Id required, "cppl_referral_id" Id, "cppl_icpc_id" Id, "cppl_person_id" Id required,
            "cppl_cp_plan_start_date" Date required, "cppl_cp_plan_end_date" Date, "cppl_cp_plan_ola" Flag,
            "cppl_cp_plan_initial_category" Code, "cppl_cp_plan_latest_category" Code,
        ],
    },
    TableSpec {
        name: "ssd_cp_reviews",
        record_id: "cppr_cp_review_id",
        person: Some("cppr_person_id"),
        columns: cols![
            "cppr_cp_review_id" Id required, "cppr_person_id" Id required, "cppr_cp_plan_id" Id required,
            "cppr_cp_review_due" Date, "cppr_cp_review_date" Date,
        ],
    },
    TableSpec {
        name: "ssd_cp_visits",
        record_id: "cppv_cp_visit_id",
        person: Some("cppv_person_id"),
        columns: cols![
            "cppv_cp_visit_id" Id required, "cppv_person_id" Id required, "cppv_cp_plan_id" Id,
            "cppv_cp_visit_date" Date required, "cppv_cp_visit_seen" Flag, "cppv_cp_visit_seen_alone" Flag,
        ],
    },
    TableSpec {
        name: "ssd_cla_episodes",
        record_id: "clae_cla_episode_id",
        person: Some("clae_person_id"),
        columns: cols![
            "clae_cla_episode_id" Id required, "clae_person_id" Id required, "clae_cla_id" Id required,
            "clae_cla_placement_id" Id, "clae_cla_episode_start_date" Date required,
            "clae_cla_episode_start_reason" Code, "clae_cla_primary_need_code" Code,
            "clae_cla_episode_ceased_date" Date, "clae_cla_episode_ceased_reason" Code,
            "clae_entered_care_date" Date,
        ],
    },
    TableSpec {
        name: "ssd_legal_status",
        record_id: "lega_legal_status_id",
        person: Some("lega_person_id"),
        columns: cols![
            "lega_legal_status_id" Id required, "lega_person_id" Id required, "lega_legal_status" Code required,
            "lega_legal_status_start_date" Date required, "lega_legal_status_end_date" Date,
        ],
    },
    TableSpec {
        name: "ssd_cla_placement",
        record_id: "clap_cla_placement_id",
        person: Some("clap_person_id"),
        columns: cols![
            "clap_cla_placement_id" Id required, "clap_cla_id" Id, "clap_person_id" Id required,
            "clap_cla_placement_start_date" Date required, "clap_cla_placement_type" Code,
            "clap_cla_placement_urn" Id, "clap_cla_placement_distance" Number, "clap_cla_placement_provider" Code,
            "clap_cla_placement_end_date" Date, "clap_cla_placement_change_reason" Code,
        ],
    },
    TableSpec {
        name: "ssd_cla_reviews",
        record_id: "clar_cla_review_id",
        person: Some("clar_cla_person_id"),
        columns: cols![
            "clar_cla_review_id" Id required, "clar_cla_id" Id, "clar_cla_person_id" Id required,
            "clar_cla_review_due_date" Date, "clar_cla_review_date" Date, "clar_cla_review_cancelled" Flag,
            "clar_cla_review_participation" Code,
        ],
    },
    TableSpec {
        name: "ssd_cla_visits",
        record_id: "clav_cla_visit_id",
        person: Some("clav_person_id"),
        columns: cols![
            "clav_cla_visit_id" Id required, "clav_cla_id" Id, "clav_person_id" Id required,
            "clav_cla_visit_date" Date required, "clav_cla_visit_seen" Flag, "clav_cla_visit_seen_alone" Flag,
        ],
    },
    TableSpec {
        name: "ssd_cla_health",
        record_id: "clah_health_check_id",
        person: Some("clah_person_id"),
        columns: cols![
            "clah_health_check_id" Id required, "clah_person_id" Id required, "clah_health_check_type" Code required,
            "clah_health_check_date" Date required, "clah_health_check_status" Code,
        ],
    },
    TableSpec {
        name: "ssd_cla_pep",
        record_id: "pep_id",
        person: Some("pep_person_id"),
        columns: cols![
            "pep_id" Id required, "pep_person_id" Id required, "pep_date" Date required, "pep_status" Code,
        ],
    },
    TableSpec {
        name: "ssd_missing",
        record_id: "miss_table_id",
        person: Some("miss_person_id"),
        columns: cols![
            "miss_table_id" Id required, "miss_person_id" Id required,
            "miss_missing_episode_start_date" Datetime required, "miss_missing_episode_type" Code,
            "miss_missing_episode_end_date" Datetime, "miss_missing_rhi_offered" Flag,
            "miss_missing_rhi_accepted" Flag, "miss_missing_rhi_date" Datetime,
        ],
    },
    TableSpec {
        name: "ssd_care_leavers",
        record_id: "clea_table_id",
        person: Some("clea_person_id"),
        columns: cols![
            "clea_table_id" Id required, "clea_person_id" Id required, "clea_care_leaver_eligibility" Code,
            "clea_care_leaver_in_touch" Code, "clea_care_leaver_latest_contact" Date,
            "clea_care_leaver_accommodation" Code, "clea_care_leaver_accom_suitable" Code,
            "clea_care_leaver_activity" Code, "clea_pathway_plan_review_date" Date,
        ],
    },
    TableSpec {
        name: "ssd_permanence",
        record_id: "perm_table_id",
        person: Some("perm_person_id"),
        columns: cols![
            "perm_table_id" Id required, "perm_person_id" Id required, "perm_cla_id" Id,
            "perm_adm_decision_date" Date, "perm_placement_order_date" Date, "perm_matched_date" Date,
            "perm_placed_for_adoption_date" Date, "perm_permanence_order_date" Date,
            "perm_permanence_order_type" Code, "perm_adopted_by_carer_flag" Flag,
        ],
    },
    TableSpec {
        name: "ssd_professionals",
        record_id: "prof_professional_id",
        person: None,
        columns: cols![
            "prof_professional_id" Id required, "prof_professional_job_title" Code,
            "prof_full_time_equivalency" Number, "prof_agency_worker_flag" Flag,
        ],
    },
    TableSpec {
        name: "ssd_involvements",
        record_id: "invo_involvements_id",
        person: Some("invo_person_id"),
        columns: cols![
            "invo_involvements_id" Id required, "invo_professional_id" Id required, "invo_person_id" Id required,
            "invo_professional_role_id" Code, "invo_involvement_start_date" Date required,
            "invo_involvement_end_date" Date,
        ],
    },
];

/// The contract table of this name.
pub fn table(name: &str) -> Option<&'static TableSpec> {
    TABLES.iter().find(|t| t.name == name)
}

/// The column naming the LA: the partition key of every snapshot table (`la_code=<code>`), a column of the
/// reference tables, and the first key of every output.
pub const LA_CODE: &str = "la_code";

/// The reference tables read from `<data>/reference/`.
pub const REFERENCE_TABLES: &[&str] = &[
    "local_authorities",
    "population",
    "statistical_neighbours",
    "published_benchmarks",
    "bank_holidays",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_its_record_id_and_person_as_required_columns() {
        for t in TABLES {
            assert!(
                t.column(t.record_id).is_some_and(|c| c.required),
                "{}",
                t.name
            );
            if let Some(p) = t.person {
                assert!(t.column(p).is_some_and(|c| c.required), "{}", t.name);
            }
        }
    }

    #[test]
    fn person_ids_and_dates_of_birth_are_sensitive() {
        let person = table("ssd_person").unwrap();
        assert!(person.is_sensitive("pers_dob"));
        assert!(person.is_sensitive("pers_person_id"));
        assert!(
            table("ssd_cp_plans")
                .unwrap()
                .is_sensitive("cppl_person_id")
        );
        assert!(
            !table("ssd_cp_plans")
                .unwrap()
                .is_sensitive("cppl_cp_plan_start_date")
        );
    }
}
