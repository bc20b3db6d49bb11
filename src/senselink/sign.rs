//! Request signing (spec §2): `sign = lowercase_hex(md5(timestamp + "#" + app_secret))`, sent with
//! `app_key` and `timestamp` in the query string of every request.

#[allow(unused_imports)]
use crate::prelude::*;

use md5::{Digest, Md5};

use crate::secret::Secret;

/// The signature of a timestamp (decimal Unix milliseconds) with an app secret.
pub fn sign(timestamp: &str, app_secret: &str) -> String {
    let mut hasher = Md5::new();
    hasher.update(timestamp.as_bytes());
    hasher.update(b"#");
    hasher.update(app_secret.as_bytes());
    lower_hex(&hasher.finalize())
}

/// The three query parameters that authenticate a request made at `now_ms` (Unix milliseconds,
/// already corrected for clock skew by the caller).
pub fn auth_query(app_key: &str, app_secret: &Secret, now_ms: f64) -> [(String, String); 3] {
    let timestamp = format!("{}", libm::floor(now_ms) as i64);
    let signature = sign(&timestamp, app_secret.expose());
    [
        ("app_key".to_string(), app_key.to_string()),
        ("timestamp".to_string(), timestamp),
        ("sign".to_string(), signature),
    ]
}

/// Lower-case hexadecimal of bytes.
pub fn lower_hex(bytes: &[u8]) -> String {
    let digit = |nibble: u8| char::from(if nibble < 10 { b'0' + nibble } else { b'a' + nibble - 10 });
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(digit(b >> 4));
        out.push(digit(b & 15));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_test_vector() {
        assert_eq!(sign("1477881215000", "2323dsfadfewrasa3434"), "e5ef72ef839bdf5397b4906b199b9fbf");
    }

    #[test]
    fn auth_query_uses_integer_milliseconds() {
        let q = auth_query("key", &Secret::new("2323dsfadfewrasa3434"), 1_477_881_215_000.7);
        assert_eq!(q[0], ("app_key".into(), "key".into()));
        assert_eq!(q[1], ("timestamp".into(), "1477881215000".into()));
        assert_eq!(q[2].1, "e5ef72ef839bdf5397b4906b199b9fbf");
    }
}
