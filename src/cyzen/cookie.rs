//! PKCE without a shared store: for a Worker whose callback may run in another isolate, the
//! authorization's `state` travels in a short-lived cookie signed with HMAC-SHA256, and the PKCE
//! verifier is *derived* from the cookie secret and that state (HMAC again), so the verifier itself
//! is never written anywhere — not in a store, not in the cookie.
//!
//! Cookie value: `<state>.<expires (Unix s)>.<base64url HMAC-SHA256(secret, "cyzen-pkce-cookie.v1.<state>.<expires>")>`;
//! verifier: `base64url(HMAC-SHA256(secret, "cyzen-pkce-verifier.v1.<state>.<expires>"))` (43 characters).
//! The callback checks the signature (constant time), the expiry and that the callback's `state`
//! is the cookie's, which also binds the callback to the browser that started the flow.

#[allow(unused_imports)]
use crate::prelude::*;

use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::{Error, ErrorCode, Result};

type HmacSha256 = Hmac<Sha256>;

/// Shortest accepted cookie secret, in bytes.
pub const MIN_SECRET_LEN: usize = 32;

fn mac(secret: &[u8], label: &str, state: &str, expires: i64) -> Result<HmacSha256> {
    // HMAC takes keys of any length: this cannot fail, but a failure is an error, not a trap.
    let mut mac = HmacSha256::new_from_slice(secret).map_err(|_| refused("cannot be signed"))?;
    mac.update(format!("{label}.v1.{state}.{expires}").as_bytes());
    Ok(mac)
}

/// The PKCE verifier of an authorization started with a cookie.
pub fn derived_verifier(secret: &[u8], state: &str, expires: i64) -> Result<String> {
    Ok(Base64UrlUnpadded::encode_string(&mac(secret, "cyzen-pkce-verifier", state, expires)?.finalize().into_bytes()))
}

/// The signed cookie value for `state`, valid until `expires` (Unix seconds).
pub fn sign(secret: &[u8], state: &str, expires: i64) -> Result<String> {
    let tag =
        Base64UrlUnpadded::encode_string(&mac(secret, "cyzen-pkce-cookie", state, expires)?.finalize().into_bytes());
    Ok(format!("{state}.{expires}.{tag}"))
}

fn refused(why: &str) -> Error {
    Error::new(ErrorCode::OAuthState, format!("the authorization cookie {why}; start the sign-in again"))
}

/// Checks a cookie against the callback's `state` at `now` (Unix seconds) and returns the verifier.
pub fn verify(secret: &[u8], cookie: &str, state: &str, now: i64) -> Result<String> {
    let mut parts = cookie.trim().splitn(3, '.');
    let (Some(cookie_state), Some(expires), Some(tag)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(refused("is missing or malformed"));
    };
    let expires: i64 = expires.parse().map_err(|_| refused("is malformed"))?;
    let tag = Base64UrlUnpadded::decode_vec(tag).map_err(|_| refused("is malformed"))?;
    mac(secret, "cyzen-pkce-cookie", cookie_state, expires)?
        .verify_slice(&tag)
        .map_err(|_| refused("has a bad signature"))?;
    if cookie_state != state {
        return Err(refused("belongs to another authorization (state mismatch)"));
    }
    if now >= expires {
        return Err(refused("has expired"));
    }
    derived_verifier(secret, state, expires)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn round_trip() {
        let cookie = sign(SECRET, "st4te", 1000).unwrap();
        assert!(cookie.starts_with("st4te.1000."));
        let verifier = verify(SECRET, &cookie, "st4te", 999).unwrap();
        assert_eq!(verifier, derived_verifier(SECRET, "st4te", 1000).unwrap());
        assert_eq!(verifier.len(), 43);
        assert!(!cookie.contains(&verifier));
    }

    #[test]
    fn refuses_tampering_expiry_and_mismatch() {
        let cookie = sign(SECRET, "st4te", 1000).unwrap();
        for (value, state, now) in [
            (cookie.clone(), "other", 999),
            (cookie.clone(), "st4te", 1000),
            (cookie.replace(".1000.", ".2000."), "st4te", 999),
            (
                format!("{}{}", cookie.get(..cookie.len() - 1).unwrap(), if cookie.ends_with('A') { 'B' } else { 'A' }),
                "st4te",
                999,
            ),
            (sign(b"another-secret-another-secret-xx", "st4te", 1000).unwrap(), "st4te", 999),
            ("st4te.10é0.abc".to_string(), "st4te", 999),
            ("garbage".to_string(), "st4te", 999),
            (String::new(), "st4te", 999),
        ] {
            let e = verify(SECRET, &value, state, now).unwrap_err();
            assert_eq!(e.code, ErrorCode::OAuthState, "{value}");
        }
    }
}
