//! The synthetic data generator: realistic SSD snapshots for any set of English LAs, and the reference tables,
//! written in the data contract's exact layout. Deterministic for a given seed.

mod frame;
mod journeys;
mod places;
mod recording;
pub(crate) mod rng;

pub use places::{AUTHORITIES, Authority, REGIONS, authority, bank_holidays};

use crate::common::calendar::{Month, WorkingDays, epoch_days};
use crate::input::contract::LA_CODE;
use frame::DateStyle;
use polars::prelude::*;
use rng::Rng;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Why generation failed.
#[allow(missing_docs)] // Variant fields are named for what they hold; the variant's doc says the rest.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// An LA code is not one of England's 153.
    #[error("`{0}` is not the DfE code of an English LA (e.g. 873 for Cambridgeshire)")]
    UnknownLa(String),
    /// The options do not make sense.
    #[error("{0}")]
    Options(String),
    /// A file could not be written.
    #[error("cannot write `{path}`: {detail}")]
    Write { path: PathBuf, detail: String },
}

impl crate::failure::Failing for GenerateError {
    fn failure(&self) -> crate::failure::Failure {
        use crate::failure::Failure;
        match self {
            GenerateError::UnknownLa(_) | GenerateError::Options(_) => {
                Failure::BadCatalogueOrArguments
            }
            GenerateError::Write { .. } => Failure::Internal,
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Where to write.
    pub out_dir: PathBuf,
    /// How many LAs (a fixed spread over the regions), when `la_codes` is empty.
    pub la_count: Option<usize>,
    /// These LAs.
    pub la_codes: Vec<String>,
    /// First reported month; two years of history before it are written too.
    pub from: Month,
    /// Last month of activity.
    pub to: Month,
    /// The snapshot date (default: the day after `to`).
    pub snapshot_date: Option<chrono::NaiveDate>,
    /// Random seed.
    pub seed: u64,
    /// Multiplier on every LA's child population.
    pub scale: f64,
    /// Whether to add realistic dirt.
    pub dirt: bool,
    /// The share of rows given a row-level fault (an end before its start) where dirt is added.
    pub dirt_rate: f64,
    /// Whether every LA writes its coded columns as descriptions (and, unless `dirt`, no other dirt): a check
    /// that the catalogue's value maps give the same figures as codes.
    pub descriptions: bool,
    /// Also write a snapshot on the day after each of the last this many month ends before the final snapshot,
    /// as a nightly extract kept each month would have them: without what was not yet entered then.
    pub monthly_snapshots: usize,
}

/// What was generated.
#[derive(Debug, Clone)]
pub struct GenerateSummary {
    /// LAs written.
    pub las: usize,
    /// Rows written over all tables.
    pub rows: usize,
    /// Parquet files written.
    pub files: usize,
    /// Wall time.
    pub seconds: f64,
}

/// The dirt an LA gets, by its position in the generated list.
#[derive(Debug, Clone, Copy, Default)]
struct Dirt {
    /// Legal status, episode reasons, placement types, care-leaver activity and accommodation, and health check
    /// types written as descriptions (LiquidLogic style).
    descriptions: bool,
    /// Dates written as timestamps.
    timestamps: bool,
    /// Optional columns left out of the extract.
    absent_columns: bool,
    /// A few rows with end before start, a duplicated id, an unmapped job title.
    bad_rows: bool,
    /// An older snapshot left beside the latest one.
    older_snapshot: bool,
}

/// Generates the data described by `options`.
pub fn generate(options: &GenerateOptions) -> Result<GenerateSummary, GenerateError> {
    let started = Instant::now();
    if options.to < options.from {
        return Err(GenerateError::Options(format!(
            "--to {} is before --from {}",
            options.to, options.from
        )));
    }
    if !(0.0..=0.5).contains(&options.dirt_rate) {
        return Err(GenerateError::Options(
            "--dirt-rate must be from 0 to 0.5".into(),
        ));
    }
    if !(options.scale > 0.0 && options.scale <= 10.0) {
        return Err(GenerateError::Options(
            "--scale must be above 0 and at most 10".into(),
        ));
    }
    let las = choose_las(options)?;
    let snapshot = options
        .snapshot_date
        .unwrap_or_else(|| options.to.period_end() + chrono::Duration::days(1));
    write_reference(&options.out_dir, options.scale)?;
    let holidays: Vec<_> = bank_holidays(2010, 2035)
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    let wd = WorkingDays::new([true, true, true, true, true, false, false], holidays);
    let next = AtomicUsize::new(0);
    let totals = Mutex::new((0usize, 0usize));
    let failure: Mutex<Option<GenerateError>> = Mutex::new(None);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(las.len())
        .max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= las.len() || failure.lock().expect("lock").is_some() {
                        break;
                    }
                    let mut dirt = if options.dirt {
                        dirt_for(i)
                    } else {
                        Dirt::default()
                    };
                    dirt.descriptions |= options.descriptions;
                    match generate_la(options, las[i], snapshot, &wd, dirt) {
                        Ok((rows, files)) => {
                            let mut t = totals.lock().expect("lock");
                            t.0 += rows;
                            t.1 += files;
                        }
                        Err(e) => *failure.lock().expect("lock") = Some(e),
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().expect("lock") {
        return Err(e);
    }
    let (rows, files) = totals.into_inner().expect("lock");
    Ok(GenerateSummary {
        las: las.len(),
        rows,
        files: files + crate::input::contract::REFERENCE_TABLES.len(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The days after the `count` month ends before the final snapshot's last complete month, when a nightly extract
/// kept monthly would have taken them (the 1st of each month), oldest first: each first reports its month.
fn monthly_snapshot_dates(snapshot: chrono::NaiveDate, count: usize) -> Vec<chrono::NaiveDate> {
    let last = crate::compute::engine::last_complete_month(snapshot);
    (1..=count as i32)
        .rev()
        .map(|k| last.plus(-k).period_end() + chrono::Duration::days(1))
        .collect()
}

fn dirt_for(position: usize) -> Dirt {
    match position % 4 {
        0 => Dirt {
            older_snapshot: true,
            bad_rows: true,
            ..Dirt::default()
        },
        1 => Dirt {
            descriptions: true,
            ..Dirt::default()
        },
        2 => Dirt {
            timestamps: true,
            absent_columns: true,
            ..Dirt::default()
        },
        _ => Dirt::default(),
    }
}

fn choose_las(options: &GenerateOptions) -> Result<Vec<&'static Authority>, GenerateError> {
    if !options.la_codes.is_empty() {
        return options
            .la_codes
            .iter()
            .map(|c| authority(c).ok_or_else(|| GenerateError::UnknownLa(c.clone())))
            .collect();
    }
    let n = options.la_count.unwrap_or(3).min(AUTHORITIES.len());
    let mut by_region: Vec<Vec<&'static Authority>> = vec![Vec::new(); REGIONS.len()];
    for a in AUTHORITIES {
        by_region[a.region].push(a);
    }
    let mut out = Vec::new();
    let mut round = 0;
    while out.len() < n {
        for region in &by_region {
            if let Some(a) = region.get(round)
                && out.len() < n
            {
                out.push(*a);
            }
        }
        round += 1;
    }
    Ok(out)
}

fn generate_la(
    options: &GenerateOptions,
    la: &'static Authority,
    snapshot: chrono::NaiveDate,
    wd: &WorkingDays,
    dirt: Dirt,
) -> Result<(usize, usize), GenerateError> {
    let mut rng = Rng::new(options.seed, la.code);
    let practice = journeys::Practice::draw(&mut rng);
    let children = la.children_k * 1000.0 * options.scale;
    let sim = journeys::simulate(la.code, children, options.from, snapshot, practice, rng, wd);
    let mut dirt_rng = Rng::new(options.seed, &format!("dirt-{}", la.code));
    let style = if dirt.timestamps {
        DateStyle::Timestamp
    } else {
        DateStyle::Date
    };
    let (mut rows, mut files) = (0, 0);
    for (name, builder) in sim.tables {
        let spec = builder.spec;
        let omit: &[&str] = if dirt.absent_columns {
            &["pers_ethnicity", "clap_cla_placement_provider"]
        } else {
            &[]
        };
        let write_err = |e: PolarsError| GenerateError::Write {
            path: options.out_dir.join(name),
            detail: e.to_string(),
        };
        let mut df = builder.finish(style, omit).map_err(write_err)?;
        if dirt.descriptions {
            df = describe_codes(df, name).map_err(write_err)?;
        }
        if dirt.bad_rows {
            df = bad_rows(df, name, &mut dirt_rng, options.dirt_rate).map_err(write_err)?;
        }
        rows += df.height();
        write_partition(&options.out_dir, name, la.code, snapshot, &mut df)?;
        files += 1;
        for date in monthly_snapshot_dates(snapshot, options.monthly_snapshots) {
            let mut earlier = recording::as_recorded_by(&df, spec, date, options.seed, la.code)
                .map_err(write_err)?;
            write_partition(&options.out_dir, name, la.code, date, &mut earlier)?;
            files += 1;
        }
        if dirt.older_snapshot && (name == "ssd_cin_episodes" || name == "ssd_cp_plans") {
            let older = snapshot - chrono::Duration::days(7);
            let mut old = df.head(Some(df.height() * 9 / 10));
            write_partition(&options.out_dir, name, la.code, older, &mut old)?;
            files += 1;
        }
    }
    tracing::debug!(la = la.code, rows, "generated");
    Ok((rows, files))
}

/// A described column: table, column, and each code with the description written in its place.
type Described = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// LiquidLogic-style descriptions in place of DfE codes, as the catalogue's value maps know them.
const DESCRIPTIONS: &[Described] = &[
    (
        "ssd_legal_status",
        "lega_legal_status",
        &[
            ("C2", "Full care order"),
            ("V2", "Single period of accommodation under section 20"),
            (
                "V3",
                "Accommodated under an agreed series of short-term breaks, when individual episodes of care are recorded",
            ),
        ],
    ),
    (
        "ssd_cla_episodes",
        "clae_cla_episode_start_reason",
        &[
            ("S", "Started to be looked after"),
            ("P", "Change of placement and carer(s) only"),
        ],
    ),
    (
        "ssd_cla_episodes",
        "clae_cla_episode_ceased_reason",
        &[
            ("X1", "Episode ceases, and new episode begins on same day"),
            ("E11", "Adopted - application unopposed"),
            ("E12", "Adopted - consent dispensed with by the court"),
            (
                "E13",
                "Left care to live with parent(s), relative(s), or other person(s) with no parental responsibility",
            ),
            ("E41", "Child arrangements order granted"),
            (
                "E45",
                "Special guardianship order made to former foster carer(s), who was/are a relative(s) or friend(s)",
            ),
            (
                "E4A",
                "Returned home to live with parent(s), relative(s), or other person(s) with parental responsibility as part of the care planning process",
            ),
            ("E15", "Age assessment determined child is aged 18 or over"),
            ("E8", "Period of care ended for any other reason"),
        ],
    ),
    (
        "ssd_cla_placement",
        "clap_cla_placement_type",
        &[
            (
                "A5",
                "Placed for adoption with placement order with current foster carer(s)",
            ),
            (
                "K2",
                "Children's home subject to Children's Homes Regulations",
            ),
            (
                "P1",
                "Placed with own parent(s) or other person(s) with parental responsibility",
            ),
            ("R1", "Residential care home"),
            (
                "U1",
                "Foster placement with relative(s) or friend(s) - long term fostering",
            ),
            (
                "U3",
                "Foster placement with relative(s) or friend(s) - not long term or fostering for adoption",
            ),
            (
                "U4",
                "Foster placement with other foster carer(s) - long term fostering",
            ),
            (
                "U5",
                "Foster placement with other foster carer(s) who is/are also an approved adopter(s)",
            ),
            (
                "U6",
                "Foster placement with other foster carer(s) - not long term or fostering for adoption",
            ),
            ("Z1", "Other placements"),
        ],
    ),
    (
        "ssd_care_leavers",
        "clea_care_leaver_activity",
        &[
            ("F1", "Full time in higher education"),
            ("P1", "Part time in higher education"),
            ("F2", "Full time in education other than higher education"),
            ("P2", "Part time in education other than higher education"),
            (
                "G4",
                "Not in education, training or employment, owing to illness or disability",
            ),
            (
                "G5",
                "Not in education, training or employment, owing to other reasons",
            ),
            (
                "G6",
                "Not in education, training or employment, owing to pregnancy or parenting",
            ),
        ],
    ),
    (
        "ssd_care_leavers",
        "clea_care_leaver_accommodation",
        &[
            ("S", "No fixed abode or homeless"),
            ("T", "Foyers and similar supported accommodation"),
            ("U", "Independent living"),
            ("V", "Emergency accommodation"),
        ],
    ),
    (
        "ssd_cla_health",
        "clah_health_check_type",
        &[
            ("IHA", "Initial health assessment"),
            ("RHA", "Review health assessment"),
            ("DENTAL", "Dental check"),
        ],
    ),
];

/// Replaces the codes of `table`'s described columns with their descriptions.
fn describe_codes(df: DataFrame, table: &str) -> PolarsResult<DataFrame> {
    let mut lf = df.lazy();
    for (_, column, pairs) in DESCRIPTIONS.iter().filter(|(t, _, _)| *t == table) {
        let mut expr = col(*column);
        for (code, text) in *pairs {
            expr = when(col(*column).eq(lit(*code)))
                .then(lit(*text))
                .otherwise(expr);
        }
        lf = lf.with_column(expr.alias(*column));
    }
    lf.collect()
}

/// A few rows with an end before their start, a duplicated id and an unmapped job title.
fn bad_rows(df: DataFrame, table: &str, rng: &mut Rng, rate: f64) -> PolarsResult<DataFrame> {
    let flip = |rng: &mut Rng, n: usize, rate: f64| -> Series {
        Series::new(
            "flip".into(),
            (0..n).map(|_| rng.chance(rate)).collect::<Vec<bool>>(),
        )
    };
    let n = df.height();
    match table {
        "ssd_cin_assessments" => {
            let f = flip(rng, n, rate);
            let before = col("cina_assessment_start_date")
                .cast(DataType::Date)
                .dt()
                .offset_by(lit("-3d"));
            df.lazy()
                .with_column(
                    when(lit(f).and(col("cina_assessment_auth_date").is_not_null()))
                        .then(before)
                        .otherwise(col("cina_assessment_auth_date"))
                        .alias("cina_assessment_auth_date"),
                )
                .collect()
        }
        "ssd_cin_episodes" if n > 10 => {
            let dup = df.slice(5, 1);
            df.vstack(&dup)
        }
        "ssd_professionals" if n > 3 => df
            .lazy()
            .with_row_index("__i", None)
            .with_column(
                when(col("__i").eq(lit(2)))
                    .then(lit("Snr Practitioner"))
                    .otherwise(col("prof_professional_job_title"))
                    .alias("prof_professional_job_title"),
            )
            .drop(cols(["__i"]))
            .collect(),
        _ => Ok(df),
    }
}

fn write_partition(
    out: &Path,
    table: &str,
    la: &str,
    snapshot: chrono::NaiveDate,
    df: &mut DataFrame,
) -> Result<(), GenerateError> {
    let dir = crate::input::snapshot::snapshot_dir(out, table, la, snapshot);
    let err = |detail: String| GenerateError::Write {
        path: dir.clone(),
        detail,
    };
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| err(e.to_string()))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| err(e.to_string()))?;
    let file = std::fs::File::create(dir.join("part-0.parquet")).map_err(|e| err(e.to_string()))?;
    ParquetWriter::new(file)
        .finish(df)
        .map_err(|e| err(e.to_string()))?;
    Ok(())
}

fn write_reference(out: &Path, scale: f64) -> Result<(), GenerateError> {
    let dir = out.join("reference");
    std::fs::create_dir_all(&dir).map_err(|e| GenerateError::Write {
        path: dir.clone(),
        detail: e.to_string(),
    })?;
    let write = |name: &str, df: PolarsResult<DataFrame>| -> Result<(), GenerateError> {
        let path = dir.join(format!("{name}.parquet"));
        let err = |detail: String| GenerateError::Write {
            path: path.clone(),
            detail,
        };
        let mut df = df.map_err(|e| err(e.to_string()))?;
        let file = std::fs::File::create(&path).map_err(|e| err(e.to_string()))?;
        ParquetWriter::new(file)
            .finish(&mut df)
            .map_err(|e| err(e.to_string()))?;
        Ok(())
    };
    let a = AUTHORITIES;
    write(
        "local_authorities",
        df!(
            LA_CODE => a.iter().map(|x| x.code).collect::<Vec<_>>(),
            "ons_code" => a.iter().map(|x| x.ons).collect::<Vec<_>>(),
            "la_name" => a.iter().map(|x| x.name).collect::<Vec<_>>(),
            "region_code" => a.iter().map(|x| REGIONS[x.region].0).collect::<Vec<_>>(),
            "region_name" => a.iter().map(|x| REGIONS[x.region].1).collect::<Vec<_>>(),
        ),
    )?;
    let (mut las, mut years, mut counts) = (vec![], vec![], vec![]);
    for x in a {
        for year in 2014..=2030 {
            las.push(x.code);
            years.push(year);
            counts.push(
                (x.children_k * 1000.0 * scale * (1.0 + 0.004 * (year - 2022) as f64)).round()
                    as i64,
            );
        }
    }
    write(
        "population",
        df!(LA_CODE => las, "mid_year" => years, "age_0_17" => counts),
    )?;
    let (mut las, mut ranks, mut neighbours) = (vec![], vec![], vec![]);
    for x in a {
        for (rank, n) in places::neighbours(x).iter().enumerate() {
            las.push(x.code);
            ranks.push(rank as i32 + 1);
            neighbours.push(n.code);
        }
    }
    write(
        "statistical_neighbours",
        df!(LA_CODE => las, "rank" => ranks, "neighbour_la_code" => neighbours),
    )?;
    let holidays = bank_holidays(2015, 2030);
    let mut bh = df!(
        "date" => holidays.iter().map(|(d, _)| epoch_days(*d)).collect::<Vec<_>>(),
        "title" => holidays.iter().map(|(_, t)| *t).collect::<Vec<_>>(),
    )
    .map_err(|e| GenerateError::Write {
        path: dir.clone(),
        detail: e.to_string(),
    })?;
    bh.apply("date", |c| {
        c.cast(&DataType::Date).expect("days cast to dates")
    })
    .map_err(|e| GenerateError::Write {
        path: dir.clone(),
        detail: e.to_string(),
    })?;
    write("bank_holidays", Ok(bh))?;
    write("published_benchmarks", published_benchmarks())?;
    Ok(())
}

/// One published figure: indicator, year ending 31 March, geography level and code, value, DfE status.
type Published = (
    &'static str,
    i32,
    &'static str,
    &'static str,
    Option<f64>,
    &'static str,
);

/// A few published figures (England and regional), as the DfE publishes them, some suppressed.
fn published_benchmarks() -> PolarsResult<DataFrame> {
    let rows: &[Published] = &[
        ("cic_rate", 2022, "england", "E92000001", Some(70.0), ""),
        ("cic_rate", 2023, "england", "E92000001", Some(71.0), ""),
        ("cp_rate", 2022, "england", "E92000001", Some(42.1), ""),
        ("cp_rate", 2023, "england", "E92000001", Some(43.2), ""),
        ("s47_rate", 2022, "england", "E92000001", Some(180.4), ""),
        ("s47_rate", 2023, "england", "E92000001", Some(183.7), ""),
        (
            "referral_rate",
            2023,
            "england",
            "E92000001",
            Some(544.5),
            "",
        ),
        (
            "re_referral_rate",
            2023,
            "england",
            "E92000001",
            Some(21.6),
            "",
        ),
        ("cp_rate", 2023, "region", "E12000006", Some(33.9), ""),
        ("cp_rate", 2023, "la", "201", None, "c"),
    ];
    let mut df = df!(
        "indicator_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "year_ending" => rows.iter().map(|r| epoch_days(chrono::NaiveDate::from_ymd_opt(r.1, 3, 31).expect("31 March"))).collect::<Vec<_>>(),
        "geography_level" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "geography_code" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "value" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        "status" => rows.iter().map(|r| r.5).collect::<Vec<_>>(),
    )?;
    df.apply("year_ending", |c| {
        c.cast(&DataType::Date).expect("days cast to dates")
    })?;
    Ok(df)
}
