//! Calendar helpers without a date crate. SenseLink shows local times of Japan (UTC+9).

/// Japan Standard Time offset in seconds; SenseLink formats its `YYYY-MM-DD hh:mm:ss` strings in it.
pub const JST_OFFSET_SECS: i64 = 9 * 3600;

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`]: (year, month, day).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days in a month of a year (Gregorian leap years).
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// `YYYY-MM-DD hh:mm:ss` in JST for a Unix time in seconds.
pub fn format_jst(unix_secs: i64) -> String {
    let local = unix_secs + JST_OFFSET_SECS;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
}

/// `YYYY-MM-DD` in JST for a Unix time in seconds.
pub fn format_jst_date(unix_secs: i64) -> String {
    format_jst(unix_secs)[..10].to_string()
}

fn parse_fixed_digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses a strict `YYYY-MM-DD` (real calendar date) into days since the epoch.
pub fn parse_date(s: &str) -> Option<i64> {
    let bytes = s.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = parse_fixed_digits(&s[0..4])? as i64;
    let month = parse_fixed_digits(&s[5..7])?;
    let day = parse_fixed_digits(&s[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// Parses a strict `YYYY-MM-DD hh:mm:ss` JST time into Unix seconds.
pub fn parse_datetime_jst(s: &str) -> Option<i64> {
    if s.len() != 19 || s.as_bytes()[10] != b' ' {
        return None;
    }
    let days = parse_date(&s[0..10])?;
    let t = &s[11..];
    let b = t.as_bytes();
    if b[2] != b':' || b[5] != b':' {
        return None;
    }
    let (h, m, sec) = (
        parse_fixed_digits(&t[0..2])?,
        parse_fixed_digits(&t[3..5])?,
        parse_fixed_digits(&t[6..8])?,
    );
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(days * 86_400 + i64::from(h * 3600 + m * 60 + sec) - JST_OFFSET_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(format_jst(0), "1970-01-01 09:00:00");
        let t = parse_datetime_jst("2024-02-29 23:59:59").unwrap();
        assert_eq!(format_jst(t), "2024-02-29 23:59:59");
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2023-2-09").is_none());
        assert!(parse_datetime_jst("2023-02-09T10:00:00").is_none());
    }
}
