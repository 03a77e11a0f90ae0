//! Calendar fields of date columns (consecutive month number, year, month and day) and dates moved by days or
//! months, computed from the days since 1970 in integer arithmetic. Polars' own `dt().year()`, `dt().month()` and
//! `dt().offset_by()` convert every value through a date-time object; on the England set that was a tenth of the
//! run's CPU time, for what these few lines give.

use polars::prelude::*;

/// The (year, month 1-12, day 1-31) of the proleptic Gregorian date `days` after 1970-01-01, for any `i32`.
///
/// Howard Hinnant's `civil_from_days`: the year is counted from 1 March, so that the leap day is the last day of
/// the year, and a 400-year era has exactly 146,097 days.
fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year as i32, month as u32, day as u32)
}

/// The days since 1970-01-01 of the proleptic Gregorian date (`year`, `month` 1-12, `day`), the inverse of
/// [`civil_from_days`] (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era * 146_097 + day_of_era - 719_468) as i32
}

/// The number of days in `month` (1-12) of `year`.
fn days_in_month(year: i32, month: u32) -> u32 {
    let leap = year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A date or datetime column as dates `days` days later (earlier when negative); null stays null.
pub(super) fn add_days(date: Expr, days: i32) -> Expr {
    (date.cast(DataType::Date).cast(DataType::Int32) + lit(days)).cast(DataType::Date)
}

/// A date or datetime column as dates `months` calendar months later (earlier when negative), a day past the end
/// of the month reached moved back to its last day (31 March less one month is 28 or 29 February), as Polars'
/// `offset_by("Nmo")`; null stays null.
pub(super) fn add_months(date: Expr, months: i32) -> Expr {
    date.cast(DataType::Date).map_with_fmt_str(
        move |c: Column| {
            let moved = c.date()?.physical().apply_values(|days| {
                let (year, month, day) = civil_from_days(days);
                let reached = i64::from(year) * 12 + i64::from(month) - 1 + i64::from(months);
                let (year, month) = (
                    reached.div_euclid(12) as i32,
                    reached.rem_euclid(12) as u32 + 1,
                );
                days_from_civil(year, month, day.min(days_in_month(year, month)))
            });
            Ok(moved.into_date().into_column())
        },
        |_, input| Ok(Field::new(input.name().clone(), DataType::Date)),
        "add_months",
    )
}

/// The consecutive month number (year x 12 + month - 1, as [`crate::common::calendar::Month`]) of a date or datetime
/// column; null stays null.
pub fn month_of(date: Expr) -> Expr {
    date_field(date, "month_of", |days| {
        let (year, month, _) = civil_from_days(days);
        year * 12 + month as i32 - 1
    })
}

/// Whether a date or datetime column falls in consecutive month `month` or later; null stays null. The same as
/// `month_of(date) >= month`, but it compares the dates with the month's first day, so no row's month is worked
/// out only to be thrown away.
pub(super) fn month_at_least(date: Expr, month: i32) -> Expr {
    date.cast(DataType::Date).gt_eq(first_day_of(month))
}

/// Whether a date or datetime column falls in consecutive month `month` or earlier; null stays null. The same as
/// `month_of(date) <= month`, as [`month_at_least`].
pub(super) fn month_at_most(date: Expr, month: i32) -> Expr {
    date.cast(DataType::Date).lt(first_day_of(month + 1))
}

/// Whether a date or datetime column falls in the consecutive months `first` to `last`; null stays null.
pub(super) fn in_months(date: Expr, first: i32, last: i32) -> Expr {
    month_at_least(date.clone(), first).and(month_at_most(date, last))
}

/// The first day of consecutive month `month`, as a date literal.
fn first_day_of(month: i32) -> Expr {
    let days = days_from_civil(month.div_euclid(12), month.rem_euclid(12) as u32 + 1, 1);
    lit(days).cast(DataType::Date)
}

/// The calendar year of a date or datetime column; null stays null.
pub(super) fn year_of(date: Expr) -> Expr {
    date_field(date, "year_of", |days| civil_from_days(days).0)
}

/// Month and day of a date or datetime column as one number, month x 100 + day (29 February is 229), so that
/// comparing two of them compares the dates' places in the year; null stays null.
pub(super) fn month_day_of(date: Expr) -> Expr {
    date_field(date, "month_day_of", |days| {
        let (_, month, day) = civil_from_days(days);
        (month * 100 + day) as i32
    })
}

/// An Int32 column of `field` of each date, named as the input; `name` is what plans print.
fn date_field<F>(date: Expr, name: &'static str, field: F) -> Expr
where
    F: Fn(i32) -> i32 + Copy + Send + Sync + 'static,
{
    date.cast(DataType::Date).map_with_fmt_str(
        move |c: Column| Ok(c.date()?.physical().apply_values(field).into_column()),
        |_, input| Ok(Field::new(input.name().clone(), DataType::Int32)),
        name,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate};

    fn days(y: i32, m: u32, d: u32) -> i32 {
        crate::common::calendar::epoch_days(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn civil_from_days_agrees_with_chrono_on_every_day_from_1800_to_2200() {
        let mut date = NaiveDate::from_ymd_opt(1800, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(2200, 12, 31).unwrap();
        while date <= last {
            let got = civil_from_days(crate::common::calendar::epoch_days(date));
            assert_eq!(got, (date.year(), date.month(), date.day()), "{date}");
            date = date.succ_opt().unwrap();
        }
    }

    #[test]
    fn days_from_civil_inverts_civil_from_days() {
        for days in (-800_000..800_000).step_by(7) {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
            assert!(day <= days_in_month(year, month));
        }
    }

    #[test]
    fn dates_move_as_polars_offset_by_moves_them() {
        // Every day of 1999-2031 (month ends, 29 February and the turn of centuries' rules included), moved by days
        // and months both ways, against Polars' own `offset_by`.
        let dates: Vec<i32> = (days(1999, 1, 1)..=days(2031, 12, 31)).collect();
        let frame = df!("d" => dates)
            .unwrap()
            .lazy()
            .with_column(col("d").cast(DataType::Date));
        let by_months = [-36, -30, -24, -13, -12, -1, 1, 6, 12, 24]
            .map(|n| (add_months(col("d"), n), format!("{n}mo")));
        let by_days = [-364, -1, 1, 45].map(|n| (add_days(col("d"), n), format!("{n}d")));
        for (ours, by) in by_months.into_iter().chain(by_days) {
            let moved = frame
                .clone()
                .select([
                    ours.alias("ours"),
                    col("d").dt().offset_by(lit(by.clone())).alias("polars"),
                ])
                .collect()
                .unwrap();
            assert!(moved["ours"].equals(&moved["polars"]), "{by}");
        }
        let with_null = df!("d" => [None, Some(days(2024, 3, 31))])
            .unwrap()
            .lazy()
            .select([add_months(col("d").cast(DataType::Date), -1).alias("d")])
            .collect()
            .unwrap();
        let moved: Vec<Option<i32>> = with_null["d"].date().unwrap().physical().iter().collect();
        assert_eq!(moved, [None, Some(days(2024, 2, 29))]);
    }

    #[test]
    fn month_bounds_on_dates_agree_with_comparing_months() {
        // Every day of 2023-2025 (29 February 2024 and every month's first and last day included), a null and a
        // date before 1970, against bounds at a year's turn, around February and a financial-year end.
        let mut dates: Vec<Option<i32>> =
            (days(2023, 1, 1)..=days(2025, 12, 31)).map(Some).collect();
        dates.extend([None, Some(days(1969, 12, 31))]);
        let frame = df!("d" => dates)
            .unwrap()
            .lazy()
            .with_column(col("d").cast(DataType::Date));
        let month = |y: i32, m: i32| y * 12 + m - 1;
        for (first, last) in [
            (month(2024, 1), month(2024, 2)),
            (month(2023, 12), month(2024, 3)),
            (month(2024, 2), month(2024, 2)),
            (month(1969, 12), month(2025, 3)),
        ] {
            let by_month = month_of(col("d"));
            let got = frame
                .clone()
                .select([
                    in_months(col("d"), first, last).alias("ours"),
                    by_month
                        .clone()
                        .gt_eq(lit(first))
                        .and(by_month.clone().lt_eq(lit(last)))
                        .alias("by_month"),
                    month_at_least(col("d"), first).alias("at_least"),
                    by_month
                        .clone()
                        .gt_eq(lit(first))
                        .alias("at_least_by_month"),
                    month_at_most(col("d"), last).alias("at_most"),
                    by_month.clone().lt_eq(lit(last)).alias("at_most_by_month"),
                ])
                .collect()
                .unwrap();
            for (ours, theirs) in [
                ("ours", "by_month"),
                ("at_least", "at_least_by_month"),
                ("at_most", "at_most_by_month"),
            ] {
                // `equals_missing`: nulls must stay null in the same places.
                assert!(
                    got[ours].equals_missing(&got[theirs]),
                    "{ours} {first}-{last}"
                );
            }
            assert_eq!(got["ours"].null_count(), 1);
        }
    }

    #[test]
    fn fields_of_a_column_keep_nulls_and_read_datetimes_as_their_date() {
        let dates = [
            Some(days(2024, 2, 29)),
            None,
            Some(days(1969, 12, 31)),
            Some(days(2026, 3, 31)),
        ];
        // 23:00 on each date, in milliseconds.
        let at = dates.map(|d| d.map(|d| (i64::from(d) * 24 + 23) * 3_600_000));
        let df = df!("d" => dates, "at" => at)
            .unwrap()
            .lazy()
            .with_columns([
                col("d").cast(DataType::Date),
                col("at").cast(DataType::Datetime(TimeUnit::Milliseconds, None)),
            ])
            .select([
                month_of(col("d")).alias("month"),
                year_of(col("at")).alias("year"),
                month_day_of(col("at")).alias("month_day"),
            ])
            .collect()
            .unwrap();
        let ints = |c: &str| -> Vec<Option<i32>> { df[c].i32().unwrap().iter().collect() };
        assert_eq!(
            ints("month"),
            [
                Some(2024 * 12 + 1),
                None,
                Some(1969 * 12 + 11),
                Some(2026 * 12 + 2)
            ]
        );
        assert_eq!(ints("year"), [Some(2024), None, Some(1969), Some(2026)]);
        assert_eq!(ints("month_day"), [Some(229), None, Some(1231), Some(331)]);
    }
}
