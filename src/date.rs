//! Calendar arithmetic in UTC without `std::time` (which is unavailable on wasm): conversions between
//! Unix seconds and civil dates, the formats the two APIs use, and HTTP-dates for `Retry-After`.

#[allow(unused_imports)]
use crate::prelude::*;

/// A UTC date and time, to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime {
    /// Year (e.g. 2026).
    pub year: i32,
    /// Month 1–12.
    pub month: u32,
    /// Day 1–31.
    pub day: u32,
    /// Hour 0–23.
    pub hour: u32,
    /// Minute 0–59.
    pub minute: u32,
    /// Second 0–59.
    pub second: u32,
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's algorithm).
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl DateTime {
    /// The date and time of a Unix timestamp in seconds.
    pub fn from_unix(seconds: i64) -> DateTime {
        let days = seconds.div_euclid(86_400);
        let rem = seconds.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        DateTime { year, month, day, hour: rem / 3600, minute: rem / 60 % 60, second: rem % 60 }
    }

    /// Unix seconds.
    pub fn to_unix(self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour * 3600 + self.minute * 60 + self.second)
    }

    /// `YYYY-MM-DDThh:mm:ss` (cyzen's format).
    pub fn to_cyzen(self) -> String {
        format!("{}T{:02}:{:02}:{:02}", self.date_string(), self.hour, self.minute, self.second)
    }

    /// `YYYY-MM-DD hh:mm:ss` (SenseLink's visit-time format).
    pub fn to_senselink(self) -> String {
        format!("{} {:02}:{:02}:{:02}", self.date_string(), self.hour, self.minute, self.second)
    }

    /// `YYYY-MM-DD`.
    pub fn date_string(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    fn is_valid(self) -> bool {
        (1..=12).contains(&self.month)
            && self.day >= 1
            && self.day <= days_in_month(self.year, self.month)
            && self.hour < 24
            && self.minute < 60
            && self.second < 60
    }
}

fn number(text: &str, digits: usize) -> Option<u32> {
    if text.len() == digits && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

/// Parses a strict `YYYY-MM-DD` (a real calendar date).
pub fn parse_date(text: &str) -> Option<DateTime> {
    let mut parts = text.split('-');
    let year = number(parts.next()?, 4)? as i32;
    let month = number(parts.next()?, 2)?;
    let day = number(parts.next()?, 2)?;
    if parts.next().is_some() {
        return None;
    }
    let value = DateTime { year, month, day, hour: 0, minute: 0, second: 0 };
    value.is_valid().then_some(value)
}

/// Parses `YYYY-MM-DD<sep>hh:mm:ss` where `sep` is `T` or a space. A trailing `.0`-style fraction is
/// accepted (SenseLink answers with one); an offset is not. Any other text (a full-width digit, a
/// multi-byte character anywhere) is `None`, never a panic.
pub fn parse_datetime(text: &str) -> Option<DateTime> {
    let date = text.get(..10)?;
    let rest = text.get(10..)?;
    let time = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let (time, fraction) = match time.split_once('.') {
        Some((t, f)) => (t, Some(f)),
        None => (time, None),
    };
    if let Some(f) = fraction {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let mut value = parse_date(date)?;
    let mut fields = time.split(':');
    value.hour = number(fields.next()?, 2)?;
    value.minute = number(fields.next()?, 2)?;
    value.second = number(fields.next()?, 2)?;
    if fields.next().is_some() {
        return None;
    }
    value.is_valid().then_some(value)
}

/// Parses an IMF-fixdate HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`) into Unix seconds.
pub fn parse_http_date(text: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let mut words = text.split_whitespace();
    let _weekday = words.next()?.strip_suffix(',')?;
    let day = words.next()?.parse::<u32>().ok()?;
    let month_name = words.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name).map(|i| i as u32 + 1)?;
    let year = words.next()?.parse::<i32>().ok()?;
    let mut clock = words.next()?.split(':');
    let hour = clock.next()?.parse().ok()?;
    let minute = clock.next()?.parse().ok()?;
    let second = clock.next()?.parse().ok()?;
    if words.next()? != "GMT" {
        return None;
    }
    let value = DateTime { year, month, day, hour, minute, second };
    value.is_valid().then(|| value.to_unix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_unix_seconds() {
        for &seconds in &[0_i64, 951_782_400, 1_477_881_215, 4_102_444_799, -86_400] {
            assert_eq!(DateTime::from_unix(seconds).to_unix(), seconds);
        }
        let leap = DateTime::from_unix(951_782_400); // 2000-02-29
        assert_eq!(leap.date_string(), "2000-02-29");
        assert_eq!(DateTime::from_unix(1_477_881_215).to_cyzen(), "2016-10-31T02:33:35");
    }

    #[test]
    fn strict_date_parsing() {
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2019-6-15").is_none());
        assert!(parse_date("2019-06-15x").is_none());
        assert_eq!(parse_datetime("2018-07-20 12:30:45.0").unwrap().to_senselink(), "2018-07-20 12:30:45");
        assert_eq!(parse_datetime("2018-07-20T12:30:45").unwrap().second, 45);
        assert!(parse_datetime("2018-07-20 24:00:00").is_none());
        assert!(parse_datetime("2018-07-20T12:30:45+09:00").is_none());
        // Multi-byte characters where byte offsets 10 and 19 fall (an IME's full-width digits).
        for text in
            ["２０２４-04-01T00:00:00", "2024-04-0１T00:00:00", "2024-04-01T00:00:0０", "2024-04-01あ00:00:00", "é"]
        {
            assert!(parse_datetime(text).is_none(), "{text}");
            assert!(parse_date(text).is_none(), "{text}");
        }
    }

    #[test]
    fn http_date() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"), None);
    }
}
