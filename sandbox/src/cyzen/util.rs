//! Small helpers: seeded PRNG (over `common::rng`), UTC datetimes in cyzen's `YYYY-MM-DDThh:mm:ss` format, the error
//! envelope, form/query parsing.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::BTreeMap;

use crate::common::rng::SplitMix64;
pub use crate::common::png::checker_png as png_checker;
use crate::common::time::{civil_from_days, days_from_civil, days_in_month};

/// The cyzen data's seeded generator: the shared SplitMix64 (its own stream of the seed) plus the
/// helpers the cyzen seeding uses.
#[derive(Clone, Debug)]
pub struct Rng(SplitMix64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(SplitMix64::new(seed ^ 0x9E37_79B9_7F4A_7C15))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0.below(n)
    }
    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo).max(1) as u64) as i64
    }
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        self.0.pick(xs)
    }
    /// 32 lower-case hex chars.
    pub fn hex32(&mut self) -> String {
        self.0.hex(32)
    }
}

// ---------------------------------------------------------------------------------------------
// Datetimes: seconds since the Unix epoch <-> "YYYY-MM-DDThh:mm:ss" (UTC, no offset).

pub const DAY: i64 = 86_400;

pub fn fmt_dt(ts: i64) -> String {
    let days = ts.div_euclid(DAY);
    let secs = ts.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        y,
        m,
        d,
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// Strict parser: exactly `YYYY-MM-DDThh:mm:ss`, nothing else (no offset, no fraction, no date-only).
pub fn parse_dt(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = &s[r];
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (y, mo, d, h, mi, se) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    if !(1..=12).contains(&mo)
        || d < 1
        || d > days_in_month(y, mo as u32) as i64
        || h > 23
        || mi > 59
        || se > 59
    {
        return None;
    }
    Some(days_from_civil(y, mo as u32, d as u32) * DAY + h * 3600 + mi * 60 + se)
}

pub fn now_ts() -> i64 {
    crate::common::platform::wall_ms().div_euclid(1000)
}

pub fn day_start(ts: i64) -> i64 {
    ts.div_euclid(DAY) * DAY
}

// ---------------------------------------------------------------------------------------------
// The cyzen error envelope.

#[derive(Debug, Clone)]
pub struct ApiErr {
    pub status: StatusCode,
    pub code: u32,
    pub msg: String,
    pub retry_after: Option<u64>,
}

impl ApiErr {
    pub fn new(status: StatusCode, code: u32, msg: impl Into<String>) -> Self {
        ApiErr {
            status,
            code,
            msg: msg.into(),
            retry_after: None,
        }
    }
    /// 400 / 40000 — the service's answer to any bad parameter.
    pub fn bad(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 40000, msg)
    }
    pub fn unauthorized(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 40100, msg)
    }
    pub fn not_found(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, 40400, msg)
    }
}

pub fn errors_body(code: u32, msg: &str) -> Value {
    json!({"errors": [{"err_code": code, "err_msg": msg}]})
}

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(errors_body(self.code, &self.msg))).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

// ---------------------------------------------------------------------------------------------
// Parameters: `application/x-www-form-urlencoded` (query strings and form bodies).

/// Parsed parameters; a repeated name is refused (400/40000) because the service's behaviour for it
/// is unknown and a client should never need it.
pub type Params = BTreeMap<String, String>;

/// The request's `Content-Type` (empty when missing or not text).
pub fn content_type(headers: &axum::http::HeaderMap) -> &str {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Whether a `Content-Type` is a form body (`application/x-www-form-urlencoded`, any parameters).
pub fn is_form(content_type: &str) -> bool {
    content_type.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded")
}

pub fn parse_params(raw: &str) -> Result<Params, ApiErr> {
    let mut out = Params::new();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        if out.insert(k.to_string(), v.to_string()).is_some() {
            return Err(ApiErr::bad(format!(
                "invalid parameter field: duplicated parameter '{k}'"
            )));
        }
    }
    Ok(out)
}

pub fn encode_params<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    ser.finish()
}

pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_round_trip() {
        for ts in [
            0i64,
            951_782_400,
            1_700_000_000,
            1_709_164_800,
            4_102_444_799,
        ] {
            assert_eq!(parse_dt(&fmt_dt(ts)), Some(ts));
        }
        assert_eq!(fmt_dt(1_709_164_800), "2024-02-29T00:00:00");
        assert!(parse_dt("2023-02-29T00:00:00").is_none());
        assert!(parse_dt("2024-01-01").is_none());
        assert!(parse_dt("2024-01-01T00:00:00Z").is_none());
        assert!(parse_dt("2024-01-01 00:00:00").is_none());
    }
}
