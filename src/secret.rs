//! Keeping credentials out of `Debug` output, error messages and logs.

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

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
        "secret",
        "password",
        "verifier",
        "signature",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "apptoken",
        "statictoken",
        "authtoken",
    ];
    EXACT.contains(&name.as_str()) || PARTS.iter().any(|part| name.contains(part))
}

/// Replaces every occurrence of each non-trivial secret (4 characters or more) with `[redacted]`.
pub fn mask_secrets(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| s.chars().count() >= 4) {
        if out.contains(secret) {
            out = out.replace(secret, "[redacted]");
        }
    }
    out
}

/// Masks every secret in a text (a non-JSON body, a server message), and the values of JSON or
/// form fields whose names carry credentials (`"access_token":"…"`, `refresh_token=…`). JSON
/// bodies are redacted on their parsed values instead (`doc::excerpt`).
pub fn redact_text(text: &str, secrets: &[&str]) -> String {
    mask_named_values(&mask_secrets(text, secrets))
}

fn is_name_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'
}

/// The identifier ending right before `end`, and where it starts.
fn name_before(chars: &[char], end: usize) -> (String, usize) {
    let head = chars.get(..end).unwrap_or(&[]);
    let length = head.iter().rev().take_while(|ch| is_name_char(**ch)).count();
    let start = end.saturating_sub(length);
    (head.get(start..).unwrap_or(&[]).iter().collect(), start)
}

fn mask_named_values(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(ch) = at(i) {
        out.push(ch);
        i += 1;
        if ch != '=' && ch != '"' {
            continue;
        }
        let (name, start) = name_before(&chars, i - 1);
        if name.is_empty() || !is_sensitive_name(&name) {
            continue;
        }
        if ch == '=' {
            // `name=value` up to the next separator.
            while at(i).is_some_and(|c| !matches!(c, '&' | ' ' | '\n' | ';' | ',')) {
                i += 1;
            }
            out.push_str("[redacted]");
            continue;
        }
        // `"name"` followed by `:` and a string value.
        if start == 0 || at(start - 1) != Some('"') {
            continue;
        }
        let mut j = i;
        while at(j).is_some_and(char::is_whitespace) {
            j += 1;
        }
        if at(j) != Some(':') {
            continue;
        }
        j += 1;
        while at(j).is_some_and(char::is_whitespace) {
            j += 1;
        }
        if at(j) != Some('"') {
            continue;
        }
        j += 1;
        // The value ends at the next quote that is not escaped.
        while let Some(c) = at(j) {
            j += 1;
            match c {
                '\\' => j += 1,
                '"' => break,
                _ => {}
            }
        }
        out.push_str(":\"[redacted]\"");
        i = j;
    }
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
        for name in ["sign", "Authorization", "client_secret", "refresh_token", "code_verifier", "X-App-Token", "code"]
        {
            assert!(is_sensitive_name(name), "{name}");
        }
        for name in ["app_key", "spot_code", "name", "timestamp", "grant_type", "token_type", "expires_in"] {
            assert!(!is_sensitive_name(name), "{name}");
        }
    }

    #[test]
    fn redacts_known_secrets_and_named_values() {
        let body =
            r#"{"access_token":"at-123","token_type":"bearer","refresh_token": "rt-456","note":"名前 abcdsecret"}"#;
        let out = redact_text(body, &["abcdsecret"]);
        assert!(!out.contains("at-123") && !out.contains("rt-456") && !out.contains("abcdsecret"), "{out}");
        assert!(out.contains("名前") && out.contains("\"token_type\":\"bearer\""), "{out}");
        assert!(out.contains("\"access_token\":\"[redacted]\""), "{out}");
        let form = "grant_type=refresh_token&refresh_token=rt-789&client_id=x";
        let out = redact_text(form, &[]);
        assert_eq!(out, "grant_type=refresh_token&refresh_token=[redacted]&client_id=x");
        let escaped = r#"{"refresh_token":"a\"b","x":"名=値","sign":"abc"} sign=abc"#;
        assert_eq!(
            redact_text(escaped, &[]),
            r#"{"refresh_token":"[redacted]","x":"名=値","sign":"[redacted]"} sign=[redacted]"#
        );
        assert_eq!(redact_text("=\"", &[]), "=\"");
    }
}
