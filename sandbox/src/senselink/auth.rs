//! Request signing: `sign = lowercase hex md5(timestamp + "#" + app_secret)`, timestamp in Unix
//! milliseconds, accepted within ±30 minutes of the server clock.
//!
//! The real error codes for these failures are not public; the sandbox answers (HTTP 200):
//! 40003 "Invalid App Key", 40002 "Timestamp Expired", 40001 "Invalid Sign", checked in that order.

use md5::{Digest, Md5};

use super::api::{ApiError, CODE_INVALID_APP_KEY, CODE_INVALID_SIGN, CODE_TIMESTAMP_EXPIRED};

/// Largest accepted distance between `timestamp` and the server clock: 30 minutes.
pub const MAX_SKEW_MS: i64 = 30 * 60 * 1000;

/// The three signing fields as received (query string or form fields).
#[derive(Debug, Default)]
pub struct SigningFields {
    pub app_key: Option<String>,
    pub timestamp: Option<String>,
    pub sign: Option<String>,
}

/// Lowercase hex of `md5(timestamp#secret)`.
pub fn sign(timestamp: &str, app_secret: &str) -> String {
    let digest = Md5::digest(format!("{timestamp}#{app_secret}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks the signing fields against the configured credentials and the clock.
pub fn verify(fields: &SigningFields, app_key: &str, app_secret: &str, now_ms: i64) -> Result<(), ApiError> {
    match fields.app_key.as_deref() {
        None | Some("") => {
            return Err(ApiError::new(CODE_INVALID_APP_KEY, "Invalid App Key", "app_key is missing"));
        }
        Some(key) if key != app_key => {
            return Err(ApiError::new(CODE_INVALID_APP_KEY, "Invalid App Key", format!("unknown app_key {key:?}")));
        }
        Some(_) => {}
    }

    let timestamp = fields.timestamp.as_deref().unwrap_or("");
    if timestamp.is_empty() || !timestamp.bytes().all(|b| b.is_ascii_digit()) || timestamp.len() > 18 {
        return Err(ApiError::new(
            CODE_TIMESTAMP_EXPIRED,
            "Timestamp Expired",
            format!("timestamp must be decimal Unix milliseconds, got {timestamp:?}"),
        ));
    }
    let ts: i64 = timestamp.parse().unwrap_or(0);
    let skew = ts - now_ms;
    if skew.abs() > MAX_SKEW_MS {
        let hint = if timestamp.len() <= 10 { "; it looks like seconds, SenseLink wants milliseconds" } else { "" };
        return Err(ApiError::new(
            CODE_TIMESTAMP_EXPIRED,
            "Timestamp Expired",
            format!("timestamp {ts} is {} s away from the server clock {now_ms} (limit 1800 s){hint}", skew / 1000),
        ));
    }

    let expected = sign(timestamp, app_secret);
    match fields.sign.as_deref() {
        Some(given) if given == expected => Ok(()),
        Some(given) if given.eq_ignore_ascii_case(&expected) => Err(ApiError::new(
            CODE_INVALID_SIGN,
            "Invalid Sign",
            "sign must be lowercase hex",
        )),
        Some(_) => Err(ApiError::new(CODE_INVALID_SIGN, "Invalid Sign", "sign does not match md5(timestamp#app_secret)")),
        None => Err(ApiError::new(CODE_INVALID_SIGN, "Invalid Sign", "sign is missing")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn documented_test_vector() {
        assert_eq!(super::sign("1477881215000", "2323dsfadfewrasa3434"), "e5ef72ef839bdf5397b4906b199b9fbf");
    }
}
