//! Months, financial years and working days: the one calendar every indicator shares.
//!
//! Months are numbered consecutively (`year * 12 + month - 1`) so that every window is a range of integers and no
//! day-of-month arithmetic can lose the 31st.

use chrono::{Datelike, Months, NaiveDate, Weekday};
use std::fmt;
use std::str::FromStr;

/// A calendar month, the grain of every indicator; its `period_end` is its last day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(i32);

impl Month {
    /// The month of this year and month number (1-12), if valid.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12)
            .contains(&month)
            .then(|| Month(year * 12 + month as i32 - 1))
    }

    /// The month containing a date.
    pub fn of(date: NaiveDate) -> Month {
        Month(date.year() * 12 + date.month0() as i32)
    }

    /// The consecutive month number (`year * 12 + month - 1`).
    pub fn index(self) -> i32 {
        self.0
    }

    /// The calendar year.
    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// The month number, 1 to 12.
    pub fn number(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), self.number(), 1).expect("a month's first day exists")
    }

    /// The last day of the month, the `period_end` of its output rows.
    pub fn period_end(self) -> NaiveDate {
        self.plus(1)
            .first_day()
            .pred_opt()
            .expect("a month's last day exists")
    }

    /// The month `n` months later (earlier when negative).
    pub fn plus(self, n: i32) -> Month {
        Month(self.0 + n)
    }

    /// The number of months from `earlier` to this month.
    pub fn months_since(self, earlier: Month) -> i32 {
        self.0 - earlier.0
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.number())
    }
}

impl FromStr for Month {
    type Err = String;

    fn from_str(s: &str) -> Result<Month, String> {
        let bad = || format!("`{s}` is not a month: expected YYYY-MM, e.g. 2024-03");
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year = y.parse().map_err(|_| bad())?;
        let month = m.parse().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }
}

/// The financial-year rule: which month a financial year starts in (April in England).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FinancialYears {
    start_month: u32,
}

impl FinancialYears {
    /// Financial years starting in `start_month` (1-12).
    pub fn starting_in(start_month: u32) -> FinancialYears {
        assert!(
            (1..=12).contains(&start_month),
            "a financial year starts in a month 1-12"
        );
        FinancialYears { start_month }
    }

    /// The month number (1-12) a financial year starts in.
    pub fn start_month(self) -> u32 {
        self.start_month
    }

    /// The calendar year in which the financial year containing `month` starts (2023 for 2023-24).
    pub fn start_year(self, month: Month) -> i32 {
        (month.index() - (self.start_month as i32 - 1)).div_euclid(12)
    }

    /// The first month of the financial year containing `month`.
    pub fn first_month(self, month: Month) -> Month {
        Month::new(self.start_year(month), self.start_month).expect("valid start month")
    }

    /// The last month of the financial year containing `month`.
    pub fn last_month(self, month: Month) -> Month {
        self.first_month(month).plus(11)
    }

    /// The last month of the financial quarter containing `month` (quarters count from the year's start).
    pub fn quarter_last_month(self, month: Month) -> Month {
        let offset = month.months_since(self.first_month(month));
        self.first_month(month).plus(offset / 3 * 3 + 2)
    }

    /// The label of the financial year containing `month`, e.g. `2023-24`.
    pub fn label(self, month: Month) -> String {
        let y = self.start_year(month);
        if self.start_month == 1 {
            format!("{y}")
        } else {
            format!("{y}-{:02}", (y + 1).rem_euclid(100))
        }
    }
}

/// Working days: a working week and a list of bank holidays.
#[derive(Clone, Debug)]
pub struct WorkingDays {
    week: [bool; 7],
    bank_holidays: Vec<NaiveDate>,
}

impl WorkingDays {
    /// Working days on the given weekdays (Monday first), excluding the bank holidays.
    pub fn new(week: [bool; 7], mut bank_holidays: Vec<NaiveDate>) -> WorkingDays {
        bank_holidays.sort_unstable();
        bank_holidays.dedup();
        WorkingDays {
            week,
            bank_holidays,
        }
    }

    /// The working week, Monday first, as Polars' business-day functions take it.
    pub fn week(&self) -> [bool; 7] {
        self.week
    }

    /// The bank holidays, sorted.
    pub fn bank_holidays(&self) -> &[NaiveDate] {
        &self.bank_holidays
    }

    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        self.week[day.weekday().num_days_from_monday() as usize]
            && self.bank_holidays.binary_search(&day).is_err()
    }

    /// `WD(a, b)`: the working days x with `a < x <= b`; `None` when `b < a`. A same-day completion is 0.
    pub fn between(&self, a: NaiveDate, b: NaiveDate) -> Option<i64> {
        if b < a {
            return None;
        }
        Some(
            a.iter_days()
                .skip(1)
                .take_while(|d| *d <= b)
                .filter(|d| self.is_working_day(*d))
                .count() as i64,
        )
    }
}

/// The weekday names a catalogue uses for the working week.
pub fn weekday_from_name(name: &str) -> Option<Weekday> {
    match name {
        "mon" => Some(Weekday::Mon),
        "tue" => Some(Weekday::Tue),
        "wed" => Some(Weekday::Wed),
        "thu" => Some(Weekday::Thu),
        "fri" => Some(Weekday::Fri),
        "sat" => Some(Weekday::Sat),
        "sun" => Some(Weekday::Sun),
        _ => None,
    }
}

/// `date` moved by whole calendar months, clamped to the month's end (29 Feb 2024 - 12 months = 28 Feb 2023).
pub fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    if months >= 0 {
        date.checked_add_months(Months::new(months as u32))
            .expect("date in range")
    } else {
        date.checked_sub_months(Months::new(months.unsigned_abs()))
            .expect("date in range")
    }
}

/// Whole years from `dob` to `at`; a child born on 29 February ages on 1 March in other years.
pub fn age_at(dob: NaiveDate, at: NaiveDate) -> i32 {
    let mut years = at.year() - dob.year();
    if (at.month(), at.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

/// Days since 1970-01-01, the physical value of a Polars `Date`.
pub fn epoch_days(date: NaiveDate) -> i32 {
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn months_know_their_period_end_including_leap_february() {
        assert_eq!(Month::of(d("2024-02-10")).period_end(), d("2024-02-29"));
        assert_eq!(Month::of(d("2023-02-10")).period_end(), d("2023-02-28"));
        assert_eq!(Month::of(d("2023-12-31")).plus(1).to_string(), "2024-01");
        assert_eq!(
            "2024-03".parse::<Month>().unwrap().period_end(),
            d("2024-03-31")
        );
        assert!("2024-3".parse::<Month>().is_err());
        assert!("2024-13".parse::<Month>().is_err());
    }

    #[test]
    fn financial_years_start_in_april() {
        let fy = FinancialYears::starting_in(4);
        let march = Month::new(2024, 3).unwrap();
        let april = Month::new(2024, 4).unwrap();
        assert_eq!(fy.start_year(march), 2023);
        assert_eq!(fy.start_year(april), 2024);
        assert_eq!(fy.label(march), "2023-24");
        assert_eq!(fy.label(Month::new(1999, 4).unwrap()), "1999-00");
        assert_eq!(fy.first_month(march), Month::new(2023, 4).unwrap());
        assert_eq!(fy.last_month(april), Month::new(2025, 3).unwrap());
        assert_eq!(
            fy.quarter_last_month(Month::new(2023, 8).unwrap()),
            Month::new(2023, 9).unwrap()
        );
        assert_eq!(
            fy.quarter_last_month(Month::new(2024, 1).unwrap()),
            Month::new(2024, 3).unwrap()
        );
        assert_eq!(fy.quarter_last_month(april), Month::new(2024, 6).unwrap());
    }

    #[test]
    fn working_days_count_after_start_through_end_and_skip_bank_holidays() {
        let wd = WorkingDays::new(
            [true, true, true, true, true, false, false],
            vec![d("2023-05-08")],
        );
        // Friday 5 May 2023 to Tuesday 9 May 2023: the weekend and the Coronation bank holiday are skipped.
        assert_eq!(wd.between(d("2023-05-05"), d("2023-05-09")), Some(1));
        assert_eq!(wd.between(d("2023-05-05"), d("2023-05-05")), Some(0));
        // A Saturday start: Monday counts.
        assert_eq!(wd.between(d("2023-05-13"), d("2023-05-15")), Some(1));
        assert_eq!(wd.between(d("2023-05-09"), d("2023-05-05")), None);
    }

    #[test]
    fn calendar_months_clamp_and_leap_birthdays_turn_on_first_of_march() {
        assert_eq!(add_months(d("2024-02-29"), -12), d("2023-02-28"));
        assert_eq!(add_months(d("2024-02-29"), 24), d("2026-02-28"));
        assert_eq!(add_months(d("2023-01-31"), 1), d("2023-02-28"));
        assert_eq!(age_at(d("2008-02-29"), d("2025-02-28")), 16);
        assert_eq!(age_at(d("2008-02-29"), d("2025-03-01")), 17);
        assert_eq!(age_at(d("2008-02-29"), d("2024-02-29")), 16);
    }
}
