//! Late recording: what a snapshot taken before the final one holds. Social care records are often entered after
//! the event (a visit written up a week later, a plan closed retrospectively), so an earlier snapshot lacks the
//! rows not yet entered and still shows as open the records whose end was not yet entered. Each date of each row
//! is given a recording lag, drawn once (the same in every snapshot), mostly the same day with a tail of weeks,
//! longer for visits, reviews and closures than for referrals and contacts.

use super::rng::Rng;
use crate::input::contract::{Logical, TableSpec};
use chrono::NaiveDate;
use polars::prelude::*;

/// How late an entry of this kind tends to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pace {
    /// Contacts, referrals, starts: recorded at the front door, mostly the same day.
    Prompt,
    /// Visits, reviews, health checks and the ends of records: written up after the event.
    Slow,
}

/// Dates that are planned rather than recorded after the fact (a review's due date, a target date, an expected
/// birth): they come with their row.
fn is_planned(column: &str) -> bool {
    column.contains("due") || column.contains("target") || column.contains("expected")
}

fn pace(table: &str, column: &str) -> Pace {
    let slow_table = [
        "visits",
        "reviews",
        "health",
        "pep",
        "missing",
        "permanence",
        "care_leavers",
    ]
    .iter()
    .any(|t| table.contains(t));
    let closing = ["end", "ceased", "close", "auth", "outcome", "rhi"]
        .iter()
        .any(|w| column.contains(w));
    if slow_table || closing {
        Pace::Slow
    } else {
        Pace::Prompt
    }
}

/// Days between an event and its entry: same day for most, then a tail of days and weeks.
fn lag_days(rng: &mut Rng, pace: Pace) -> i64 {
    let u = rng.unit();
    let (same_day, days, weeks) = match pace {
        Pace::Prompt => (0.80, 0.93, 0.985),
        Pace::Slow => (0.55, 0.75, 0.92),
    };
    if u < same_day {
        0
    } else if u < days {
        rng.int(1, 3)
    } else if u < weeks {
        rng.int(4, 14)
    } else {
        rng.int(15, if pace == Pace::Slow { 63 } else { 35 })
    }
}

/// The table as a snapshot taken on `snapshot` holds it: rows whose first required date was entered after the
/// snapshot are left out, and later dates (an end, an authorisation) entered after it are null.
pub fn as_recorded_by(
    df: &DataFrame,
    table: &'static TableSpec,
    snapshot: NaiveDate,
    seed: u64,
    la: &str,
) -> PolarsResult<DataFrame> {
    let dated: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| matches!(c.logical, Logical::Date | Logical::Datetime))
        .filter(|c| !is_planned(c.name) && df.column(c.name).is_ok())
        .map(|c| c.name)
        .collect();
    if dated.is_empty() {
        return Ok(df.clone());
    }
    let primary = table
        .columns
        .iter()
        .find(|c| c.required && matches!(c.logical, Logical::Date | Logical::Datetime))
        .map(|c| c.name);
    let cutoff = crate::common::calendar::epoch_days(snapshot);
    let mut out = df.clone();
    let mut keep = vec![true; df.height()];
    for column in &dated {
        let mut rng = Rng::new(seed, &format!("recording-{la}-{}-{column}", table.name));
        let days: Vec<Option<i32>> = day_numbers(df.column(column)?)?;
        let pace = pace(table.name, column);
        let mut recorded = Vec::with_capacity(days.len());
        for (row, day) in days.iter().enumerate() {
            let lag = lag_days(&mut rng, pace);
            let entered_by_snapshot = day.is_none_or(|d| i64::from(d) + lag <= i64::from(cutoff));
            if Some(*column) == primary && !entered_by_snapshot {
                keep[row] = false;
            }
            recorded.push(entered_by_snapshot);
        }
        let mask = BooleanChunked::from_slice("recorded".into(), &recorded);
        let original = out.column(column)?.as_materialized_series().clone();
        let nulls = Series::full_null(original.name().clone(), original.len(), original.dtype());
        let shown = original.zip_with(&mask, &nulls)?;
        out.replace(column, shown.into())?;
    }
    out.filter(&BooleanChunked::from_slice("keep".into(), &keep))
}

/// Days since 1970 of a date or timestamp column's values.
fn day_numbers(column: &Column) -> PolarsResult<Vec<Option<i32>>> {
    let dates = column.cast(&DataType::Date)?;
    Ok(dates.date()?.physical().iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_entries_are_the_same_day_and_visits_come_later_than_referrals() {
        let mut rng = Rng::new(1, "lags");
        let mean = |pace, rng: &mut Rng| {
            (0..20_000).map(|_| lag_days(rng, pace)).sum::<i64>() as f64 / 20_000.0
        };
        let same_day = (0..20_000)
            .filter(|_| lag_days(&mut rng, Pace::Prompt) == 0)
            .count();
        assert!(same_day > 15_000, "{same_day}");
        let (prompt, slow) = (mean(Pace::Prompt, &mut rng), mean(Pace::Slow, &mut rng));
        assert!(prompt > 0.3 && prompt < 3.0, "{prompt}");
        assert!(slow > 2.0 * prompt, "{slow} against {prompt}");
        assert_eq!(pace("ssd_cp_visits", "cppv_cp_visit_date"), Pace::Slow);
        assert_eq!(pace("ssd_cin_episodes", "cine_referral_date"), Pace::Prompt);
        assert_eq!(pace("ssd_cp_plans", "cppl_cp_plan_end_date"), Pace::Slow);
    }

    #[test]
    fn an_earlier_snapshot_lacks_later_rows_and_shows_unrecorded_ends_as_open() {
        let table = crate::input::contract::table("ssd_cp_plans").unwrap();
        let days = |v: &[Option<i32>]| Series::new("d".into(), v).cast(&DataType::Date).unwrap();
        let d = |s: &str| crate::common::calendar::epoch_days(s.parse().unwrap());
        let mut df = df!(
            "cppl_cp_plan_id" => ["A", "B", "C"],
            "cppl_person_id" => ["1", "2", "3"],
        )
        .unwrap();
        df.with_column(
            days(&[
                Some(d("2024-01-10")),
                Some(d("2024-01-20")),
                Some(d("2024-06-01")),
            ])
            .with_name("cppl_cp_plan_start_date".into())
            .into(),
        )
        .unwrap();
        df.with_column(
            days(&[Some(d("2024-01-25")), Some(d("2024-05-20")), None])
                .with_name("cppl_cp_plan_end_date".into())
                .into(),
        )
        .unwrap();
        let at = as_recorded_by(&df, table, "2024-04-01".parse().unwrap(), 1, "873").unwrap();
        // C starts after the snapshot: not there. B's end is after it: open. A's end, over nine weeks before, is
        // entered by then whatever its lag (at most nine weeks).
        assert_eq!(at.height(), 2);
        let ends = at.column("cppl_cp_plan_end_date").unwrap();
        assert_eq!(ends.null_count(), 1);
        assert!(ends.get(1).unwrap().is_null());
    }
}
