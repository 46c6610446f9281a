//! Times that know their precision: every time value is an interval of days with a
//! precision and the raw text it was read from. Comparisons on them are three-valued.

use chrono::{Datelike, Duration as ChronoDuration, Months, NaiveDate};
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Day,
    Month,
    Year,
    /// An explicit `{start, end}` interval.
    Interval,
}

/// An interval of days, both ends inclusive; `None` is an open end.
#[derive(Clone)]
pub struct Time {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub precision: Precision,
    /// The text the value was read from, for messages.
    pub raw: Arc<str>,
}

impl PartialEq for Time {
    fn eq(&self, o: &Time) -> bool {
        self.start == o.start && self.end == o.end && self.precision == o.precision
    }
}

impl fmt::Debug for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Time({})", self.raw)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// A calendar duration: months (years are 12) and days (weeks are 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    pub months: i32,
    pub days: i64,
}

impl Duration {
    /// The longest duration there is: no two dates of 4-digit years are further apart,
    /// and longer ones would overflow the calendar when a date is shifted by them.
    /// Rule text refuses longer literals (P0005), data longer values (D0023).
    pub const MAX_YEARS: i64 = 10_000;

    /// Whether the duration is longer than [`Duration::MAX_YEARS`] (either part).
    pub fn is_beyond_calendar(&self) -> bool {
        // 10000 years of 365.2425 days
        i64::from(self.months).abs() > Self::MAX_YEARS * 12
            || self.days.abs() > Self::MAX_YEARS * 3_652_425 / 10_000
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.months != 0 {
            if self.months % 12 == 0 {
                parts.push(format!("{} years", self.months / 12));
            } else {
                parts.push(format!("{} months", self.months));
            }
        }
        if self.days != 0 || parts.is_empty() {
            parts.push(format!("{} days", self.days));
        }
        f.write_str(&parts.join(" "))
    }
}

impl Time {
    /// A single day.
    pub fn day(d: NaiveDate) -> Time {
        Time::day_as(d, d.format("%Y-%m-%d").to_string().into())
    }

    /// A single day, read from `raw`.
    fn day_as(d: NaiveDate, raw: Arc<str>) -> Time {
        Time {
            start: Some(d),
            end: Some(d),
            precision: Precision::Day,
            raw,
        }
    }

    /// `year`, `year-month` or `year-month-day`; `None` if no such date exists.
    pub fn partial(year: i32, month: Option<u32>, day: Option<u32>) -> Option<Time> {
        match (month, day) {
            (None, None) => {
                let s = NaiveDate::from_ymd_opt(year, 1, 1)?;
                let e = NaiveDate::from_ymd_opt(year, 12, 31)?;
                Some(Time {
                    start: Some(s),
                    end: Some(e),
                    precision: Precision::Year,
                    raw: format!("{year:04}").into(),
                })
            }
            (Some(m), None) => {
                let s = NaiveDate::from_ymd_opt(year, m, 1)?;
                let e = s.checked_add_months(Months::new(1))? - ChronoDuration::days(1);
                Some(Time {
                    start: Some(s),
                    end: Some(e),
                    precision: Precision::Month,
                    raw: format!("{year:04}-{m:02}").into(),
                })
            }
            (Some(m), Some(d)) => NaiveDate::from_ymd_opt(year, m, d).map(Time::day),
            (None, Some(_)) => None,
        }
    }

    /// An explicit interval; either end may be open.
    pub fn interval(start: Option<&Time>, end: Option<&Time>, raw: Arc<str>) -> Time {
        Time {
            start: start.and_then(|t| t.start),
            end: end.and_then(|t| t.end),
            precision: Precision::Interval,
            raw,
        }
    }

    /// Parse the textual forms the data model accepts: `2008`, `2014-03`,
    /// `2026-01-07`, RFC 3339 timestamps (the UTC day of the instant), and the compact
    /// `20260107` and `20260107153000` (GDELT's `SQLDATE` and `DATEADDED`; see
    /// [`Time::parse_compact`]).
    pub fn parse(text: &str) -> Option<Time> {
        let t = text.trim();
        // the text is kept only for what parses, as a date's raw form
        let with_raw = |mut time: Time| {
            time.raw = t.into();
            time
        };
        let b = t.as_bytes();
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        if b.len() == 4 && digits(t) {
            return Time::partial(t.parse().ok()?, None, None).map(with_raw);
        }
        if b.len() == 7 && b[4] == b'-' && digits(&t[..4]) && digits(&t[5..]) {
            return Time::partial(t[..4].parse().ok()?, Some(t[5..].parse().ok()?), None)
                .map(with_raw);
        }
        if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
            // digits only: what `%Y-%m-%d` reads, without parsing the format each time
            let (y, m, d) = (&t[..4], &t[5..7], &t[8..]);
            let day = if digits(y) && digits(m) && digits(d) {
                NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
            } else {
                NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()
            };
            return day.map(|d| Time::day_as(d, t.into()));
        }
        if let Some(time) = Time::parse_compact(t) {
            return Some(time);
        }
        if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
            return Some(Time::day_as(dt.naive_utc().date(), t.into()));
        }
        if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S") {
            return Some(Time::day_as(dt.date(), t.into()));
        }
        if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S") {
            return Some(Time::day_as(dt.date(), t.into()));
        }
        None
    }

    /// A compact date, `YYYYMMDD` (8 digits), or date-time, `YYYYMMDDHHMMSS` (14
    /// digits). Times are days, so a date-time keeps its day and drops the time of day
    /// (which must still be valid: `24` o'clock is not); the raw text keeps it all.
    pub fn parse_compact(text: &str) -> Option<Time> {
        let t = text.trim();
        if !(t.len() == 8 || t.len() == 14) || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let num = |r: std::ops::Range<usize>| t[r].parse::<u32>().ok();
        let d = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(4..6)?, num(6..8)?)?;
        if t.len() == 14 {
            let sec = num(12..14)?;
            // second 60: a leap second
            (sec <= 60).then_some(())?;
            chrono::NaiveTime::from_hms_opt(num(8..10)?, num(10..12)?, sec.min(59))?;
        }
        Some(Time::day_as(d, t.into()))
    }

    /// Whether start and end are the same day.
    pub fn is_precise(&self) -> bool {
        self.start.is_some() && self.start == self.end
    }

    /// Shift both ends by a duration (negative to go back).
    pub fn shift(&self, d: Duration, sign: i32) -> Option<Time> {
        let f = |x: Option<NaiveDate>| -> Option<Option<NaiveDate>> {
            match x {
                None => Some(None),
                Some(x) => Some(Some(shift_date(x, d, sign)?)),
            }
        };
        Some(Time {
            start: f(self.start)?,
            end: f(self.end)?,
            precision: self.precision,
            raw: format!("{} {} {}", self.raw, if sign < 0 { "-" } else { "+" }, d).into(),
        })
    }

    pub fn year(&self) -> Option<i32> {
        match (self.start, self.end) {
            (Some(s), Some(e)) if s.year() == e.year() => Some(s.year()),
            _ => None,
        }
    }
}

/// `date + sign * duration`, months first then days; `None` when out of range.
pub fn shift_date(x: NaiveDate, d: Duration, sign: i32) -> Option<NaiveDate> {
    let months = d.months.checked_mul(sign)?;
    let x = if months >= 0 {
        x.checked_add_months(Months::new(months as u32))?
    } else {
        x.checked_sub_months(Months::new(months.unsigned_abs()))?
    };
    x.checked_add_signed(ChronoDuration::try_days(d.days.checked_mul(sign as i64)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A `YYYY-MM-DD` date read digit by digit is the date chrono's `%Y-%m-%d`
        /// reads, and none where it reads none.
        #[test]
        fn ten_character_dates_read_as_chrono_reads_them(
            y in 0u32..10_000, m in 0u32..14, d in 0u32..33, odd in proptest::option::of(0usize..10),
        ) {
            let mut s = format!("{y:04}-{m:02}-{d:02}");
            if let Some(i) = odd.filter(|i| *i != 4 && *i != 7) {
                s.replace_range(i..i + 1, "x");
            }
            let want = NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok();
            let got = Time::parse(&s);
            proptest::prop_assert_eq!(got.as_ref().and_then(|t| t.start), want);
            if let Some(t) = got {
                proptest::prop_assert_eq!(&*t.raw, s.as_str());
            }
        }
    }
}
