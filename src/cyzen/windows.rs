//! Datetimes as cyzen wants them (UTC `YYYY-MM-DDThh:mm:ss`) and the splitting of a long range into
//! the windows the server accepts (≤ 15 days for histories, ≤ 7 days for reports, schedules, spots).
//!
//! Bounds are inclusive to the second, as the server treats them: a window `[from, to]` spans
//! `to - from ≤ max_days × 86 400` seconds, and the next window starts one second after `to`, so no
//! record is fetched twice and none falls between two windows.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::date::{parse_date, DateTime};

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// Formats Unix seconds as `YYYY-MM-DDThh:mm:ss` (UTC).
pub fn format(seconds: i64) -> String {
    DateTime::from_unix(seconds).to_cyzen()
}

/// Parses what callers give as a datetime, into Unix seconds:
/// `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDThh:mm:ss` or with a space (UTC, cyzen's own form), and
/// ISO 8601 with fractional seconds and `Z` or `±hh:mm` (what `Date.prototype.toISOString` gives).
/// Anything else — a full-width digit, a multi-byte character anywhere — is `None`, never a panic.
pub fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.len() == 10 {
        return parse_date(text).map(DateTime::to_unix);
    }
    // `parse_datetime` accepts `T` or a space and checks the calendar.
    let value = crate::date::parse_datetime(text.get(..19)?)?.to_unix();
    let mut rest = text.get(19..)?;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = fraction.get(digits..)?;
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let (sign, clock) = match (rest.strip_prefix('+'), rest.strip_prefix('-')) {
                (Some(clock), _) => (1, clock),
                (None, Some(clock)) => (-1, clock),
                _ => return None,
            };
            let (hours, minutes) = clock.split_once(':')?;
            if hours.len() != 2
                || minutes.len() != 2
                || !hours.bytes().chain(minutes.bytes()).all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let (hours, minutes): (i64, i64) = (hours.parse().ok()?, minutes.parse().ok()?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    Some(value - offset)
}

/// The window that starts at `start`: as long as the server allows, but not past `end`.
pub fn window_at(start: i64, end: i64, max_days: u32) -> (i64, i64) {
    (start, end.min(start + i64::from(max_days) * DAY))
}

/// Every window covering `[from, to]` (for documentation and tests; the client walks them lazily).
pub fn split(from: i64, to: i64, max_days: u32) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let window = window_at(start, to, max_days);
        out.push(window);
        start = window.1 + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_accepted_form() {
        let base = parse("2024-03-01T09:30:00").unwrap();
        assert_eq!(format(base), "2024-03-01T09:30:00");
        assert_eq!(parse("2024-03-01 09:30:00"), Some(base));
        assert_eq!(parse("2024-03-01T09:30:00Z"), Some(base));
        assert_eq!(parse("2024-03-01T09:30:00.123Z"), Some(base));
        assert_eq!(parse("2024-03-01T18:30:00+09:00"), Some(base));
        assert_eq!(parse("2024-03-01T00:30:00-09:00"), Some(base));
        assert_eq!(format(parse("2024-03-01").unwrap()), "2024-03-01T00:00:00");
        for bad in [
            "2024-02-30",
            "2024-03-01T25:00:00",
            "2024-03-01T09:30",
            "yesterday",
            "2024-03-01T09:30:00+0900",
            "2024-03-01T09:30:00.",
            "２０２４-04-01T00:00:00",
            "2024-04-01T00:00:0０",
            "2024-04-01T00:00:00+０9:00",
            "2024-04-01T00:00:00é",
            "2024-04-01T00:00:00+9:000",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn splits_into_inclusive_windows_without_gaps_or_overlap() {
        let from = parse("2024-01-01").unwrap();
        let to = parse("2024-01-31T23:59:59").unwrap();
        let windows = split(from, to, 7);
        assert_eq!(windows.len(), 5);
        assert_eq!(windows[0], (from, from + 7 * DAY));
        for pair in windows.windows(2) {
            assert_eq!(pair[1].0, pair[0].1 + 1);
        }
        for (a, b) in &windows {
            assert!(b - a <= 7 * DAY);
        }
        assert_eq!(windows.last().unwrap().1, to);
        assert_eq!(split(from, from, 15), vec![(from, from)]);
        assert_eq!(split(from, from + 15 * DAY, 15).len(), 1);
        assert_eq!(split(from, from + 15 * DAY + 1, 15).len(), 2);
        assert!(split(from + 1, from, 7).is_empty());
    }
}
