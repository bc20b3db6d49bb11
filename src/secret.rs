//! Keeping credentials out of `Debug` output, error messages and logs.

use std::fmt;

/// A credential (app secret, token, client secret). `Debug` and `Display` print `[redacted]`; the
/// value is reachable only through [`Secret::expose`], so every use is visible in the code.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The credential itself: call only where it goes on the wire or into a hash.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True for an empty credential.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Whether a header, query parameter or form field of this name carries a credential.
pub fn is_sensitive_name(name: &str) -> bool {
    // Compare without case or separators so `refresh_token`, `refreshToken` and `X-Refresh-Token` match.
    let name: String = name.chars().filter(|c| *c != '_' && *c != '-').collect::<String>().to_ascii_lowercase();
    const EXACT: &[&str] = &["sign", "code", "state", "authorization", "cookie", "setcookie", "token", "bearer"];
    const PARTS: &[&str] = &[
        "secret", "password", "verifier", "signature", "accesstoken", "refreshtoken", "idtoken", "apptoken",
        "statictoken", "authtoken",
    ];
    EXACT.contains(&name.as_str()) || PARTS.iter().any(|part| name.contains(part))
}

/// Replaces every occurrence of each non-trivial secret in `text` with `[redacted]`, and masks the
/// values of JSON or form fields whose names carry credentials (e.g. `"access_token":"…"`).
pub fn redact_text(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(secret, "[redacted]");
    }
    mask_named_values(&out)
}

fn mask_named_values(text: &str) -> String {
    // Masks `"name": "value"` (JSON) and `name=value` (form) where `name` carries a credential. Cheap,
    // and enough for the short body excerpts errors keep.
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(['"', '=']) {
        let (before, after) = rest.split_at(pos);
        out.push_str(before);
        let name_start = before
            .char_indices()
            .rfind(|(_, ch)| !(ch.is_ascii_alphanumeric() || *ch == '_' || *ch == '-'))
            .map_or(0, |(p, ch)| p + ch.len_utf8());
        let name = &before[name_start..];
        let sensitive = !name.is_empty() && is_sensitive_name(name);
        if after.starts_with('=') {
            out.push('=');
            rest = &after[1..];
            if sensitive {
                let end = rest.find(['&', ' ', '\n']).unwrap_or(rest.len());
                out.push_str("[redacted]");
                rest = &rest[end..];
            }
            continue;
        }
        // A closing quote of a JSON key: `"name"` followed by `:` and a string value.
        let value = after[1..].trim_start();
        let is_key = out[..out.len() - name.len()].ends_with('"');
        if sensitive && is_key && value.starts_with(':') && value[1..].trim_start().starts_with('"') {
            let value = value[1..].trim_start();
            let end = value[1..].find('"').map_or(value.len(), |p| p + 2);
            out.push_str("\":\"[redacted]\"");
            rest = &value[end..];
            continue;
        }
        out.push('"');
        rest = &after[1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("2323dsfadfewrasa3434");
        assert_eq!(format!("{s:?} {s}"), "Secret([redacted]) [redacted]");
        assert_eq!(s.expose(), "2323dsfadfewrasa3434");
    }

    #[test]
    fn sensitive_names() {
        for name in ["sign", "Authorization", "client_secret", "refresh_token", "code_verifier", "X-App-Token", "code"] {
            assert!(is_sensitive_name(name), "{name}");
        }
        for name in ["app_key", "spot_code", "name", "timestamp", "grant_type", "token_type", "expires_in"] {
            assert!(!is_sensitive_name(name), "{name}");
        }
    }

    #[test]
    fn redacts_known_secrets_and_named_values() {
        let body = r#"{"access_token":"at-123","token_type":"bearer","refresh_token": "rt-456","note":"名前 abcdsecret"}"#;
        let out = redact_text(body, &["abcdsecret"]);
        assert!(!out.contains("at-123") && !out.contains("rt-456") && !out.contains("abcdsecret"), "{out}");
        assert!(out.contains("名前") && out.contains("\"token_type\":\"bearer\""), "{out}");
        assert!(out.contains("\"access_token\":\"[redacted]\""), "{out}");
        let form = "grant_type=refresh_token&refresh_token=rt-789&client_id=x";
        let out = redact_text(form, &[]);
        assert_eq!(out, "grant_type=refresh_token&refresh_token=[redacted]&client_id=x");
    }
}
