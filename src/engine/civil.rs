//! Calendar fields of date columns (consecutive month number, year, month and day), computed from the days since
//! 1970 in integer arithmetic. Polars' own `dt().year()` and `dt().month()` convert every value through a
//! date-time object; on the England set that was a tenth of the run's CPU time, for fields these few lines give.

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

/// The consecutive month number (year x 12 + month - 1, as [`crate::calendar::Month`]) of a date or datetime
/// column; null stays null.
pub(super) fn month_of(date: Expr) -> Expr {
    date_field(date, "month_of", |days| {
        let (year, month, _) = civil_from_days(days);
        year * 12 + month as i32 - 1
    })
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
        crate::calendar::epoch_days(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn civil_from_days_agrees_with_chrono_on_every_day_from_1800_to_2200() {
        let mut date = NaiveDate::from_ymd_opt(1800, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(2200, 12, 31).unwrap();
        while date <= last {
            let got = civil_from_days(crate::calendar::epoch_days(date));
            assert_eq!(got, (date.year(), date.month(), date.day()), "{date}");
            date = date.succ_opt().unwrap();
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
