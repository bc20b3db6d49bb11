//! Reading cyzen answers: `errors[]` (on any status, HTTP 200 included), the JSON object body, and
//! the error each failure becomes. The body is the engine's parsed object; only `errors[]` is read.
//!
//! | answer | error |
//! |---|---|
//! | `errors[]` with `err_code` 40000 (any status) | `CYZEN_VALIDATION`, the server's message kept |
//! | 401 (after the one refresh, or with a static token) | `CYZEN_UNAUTHORIZED` |
//! | 503 / 429 after the retries | `RATE_LIMITED` with `retryAfterMs` when the server sent one |
//! | any other `errors[]` | `CYZEN_API` |
//! | another status without `errors[]` | `HTTP_STATUS` |
//! | a 2xx body that is not a JSON object | `DECODE` |

#[allow(unused_imports)]
use crate::prelude::*;

use crate::doc::{bounded_text, excerpt, integer, json_string, scalar_text, Doc, Kind};
use crate::error::{Detail, Error, ErrorCode};
use crate::http::Response;

pub use crate::doc::MESSAGE_CHARS;

/// One entry of `errors[]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// `err_code` rendered as JSON, as sent (a number, a string, or `null`).
    pub code_json: String,
    /// `err_code` as an integer, when it is one (a number or a string of digits).
    pub number: Option<i64>,
    /// `err_code` when it is a string that is not an integer.
    pub text: Option<String>,
    /// `err_msg` (masked, cut to [`MESSAGE_CHARS`]).
    pub message: String,
}

/// The `errors` array of a parsed body, when it holds at least one entry.
pub fn api_errors<D: Doc>(body: &D, secrets: &[&str]) -> Option<Vec<ApiError>> {
    let list = body.get("errors").filter(|l| l.kind() == Kind::Array && !l.is_empty())?;
    Some(
        (0..list.len().min(20))
            .filter_map(|i| list.at(i))
            .map(|e| {
                let code = e.get("err_code");
                let message =
                    e.get("err_msg").and_then(|m| bounded_text(&m, secrets, MESSAGE_CHARS)).unwrap_or_default();
                let kind = code.as_ref().map_or(Kind::Absent, Doc::kind);
                let text = code.as_ref().and_then(scalar_text);
                let number = code
                    .as_ref()
                    .and_then(integer)
                    .or_else(|| text.as_deref().and_then(|t| crate::doc::parse_integer(t.trim())));
                ApiError {
                    code_json: match (kind, &text) {
                        (Kind::Number, Some(t)) => t.clone(),
                        (Kind::Text, Some(t)) => json_string(t),
                        _ => "null".to_string(),
                    },
                    text: text.filter(|_| number.is_none() && kind == Kind::Text),
                    number,
                    message,
                }
            })
            .collect(),
    )
}

/// The field a `400 / 40000` message names (`invalid parameter field: spot_code …`), if any.
fn field_of(message: &str) -> Option<String> {
    let rest = message.split_once("invalid parameter field:")?.1.trim_start();
    let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    (!name.is_empty()).then_some(name)
}

/// The error for an `errors[]` answer (`errors` is not empty).
pub fn from_api_errors<V: Doc>(errors: &[ApiError], response: &Response<V>, secrets: &[&str]) -> Error {
    let status = response.status;
    let validation = errors.iter().any(|e| e.number == Some(40000));
    let code = if validation {
        ErrorCode::CyzenValidation
    } else if status == 401 {
        ErrorCode::CyzenUnauthorized
    } else {
        ErrorCode::CyzenApi
    };
    let first = errors.first();
    let message = match first {
        Some(e) if !e.message.is_empty() => e.message.clone(),
        _ => format!("cyzen answered HTTP {status} with errors[]"),
    };
    let list: Vec<String> = errors
        .iter()
        .map(|e| format!("{{\"err_code\":{},\"err_msg\":{}}}", e.code_json, json_string(&e.message)))
        .collect();
    let api_code = match first {
        Some(ApiError { number: Some(n), .. }) => Detail::Num(*n as f64),
        Some(ApiError { text: Some(text), .. }) => Detail::Str(text.clone()),
        _ => Detail::Num(0.0),
    };
    let mut error = Error::new(code, message)
        .with_status(status)
        .with_body(response.excerpt(secrets))
        .with_detail("apiCode", api_code)
        .with_detail("errors", Detail::Json(format!("[{}]", list.join(","))));
    if let Some(field) = first.and_then(|e| field_of(&e.message)) {
        error = error.with_field(field);
    }
    error
}

/// The JSON object body of an answer; `errors[]` (on any status) and non-2xx statuses become errors.
/// `secrets` are masked in whatever the error keeps of the body.
pub fn decode<V: Doc>(response: &Response<V>, secrets: &[&str]) -> Result<V, Error> {
    let body = response.json();
    if let Some(errors) = body.and_then(|b| api_errors(b, secrets)) {
        return Err(from_api_errors(&errors, response, secrets));
    }
    if !response.is_success() {
        return Err(status_error(response, secrets));
    }
    match body {
        Some(object) if object.kind() == Kind::Object => Ok(object.clone()),
        _ => Err(Error::new(
            ErrorCode::Decode,
            format!("cyzen answered HTTP {} with a body that is not a JSON object", response.status),
        )
        .with_status(response.status)
        .with_body(response.excerpt(secrets))),
    }
}

/// The error for a status without `errors[]`.
pub fn status_error<V: Doc>(response: &Response<V>, secrets: &[&str]) -> Error {
    let status = response.status;
    let (code, message) = match status {
        0 => (ErrorCode::HttpStatus, "cyzen answered with a redirect, which is never followed".to_string()),
        401 => (ErrorCode::CyzenUnauthorized, "cyzen refused the access token (HTTP 401)".to_string()),
        503 | 429 => (ErrorCode::RateLimited, format!("cyzen rate limit (HTTP {status}); retries exhausted")),
        _ => (ErrorCode::HttpStatus, format!("cyzen answered HTTP {status}")),
    };
    Error::new(code, message).with_status(status).with_body(response.excerpt(secrets))
}

/// A JSON rendering of an answer object for a detail (redacted, bounded).
pub fn rendered<V: Doc>(value: &V, secrets: &[&str]) -> String {
    excerpt(value, secrets, 4000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Payload;
    use serde_json::Value;

    fn response(status: u16, body: &str) -> Response<Value> {
        match serde_json::from_str(body) {
            Ok(doc) => Response::new(status, Payload::Json(doc)),
            Err(_) => Response::new(status, Payload::Text(Value::String(body.into()))),
        }
    }

    #[test]
    fn errors_on_http_200_are_errors() {
        let e = decode(&response(200, r#"{"errors":[{"err_code":50000,"err_msg":"internal"}]}"#), &[]).unwrap_err();
        assert_eq!(e.code, ErrorCode::CyzenApi);
        assert_eq!(e.status, Some(200));
        assert_eq!(e.message, "internal");
        assert_eq!(e.detail("apiCode"), Some(&Detail::Num(50000.0)));
    }

    #[test]
    fn validation_keeps_the_server_message_and_field() {
        let body = r#"{"errors":[{"err_code":"40000","err_msg":"invalid parameter field: updated_from..updated_to may span at most 7 days"}]}"#;
        let e = decode(&response(400, body), &[]).unwrap_err();
        assert_eq!(e.code, ErrorCode::CyzenValidation);
        assert!(e.message.contains("at most 7 days"));
        assert_eq!(e.field.as_deref(), Some("updated_from"));
        assert_eq!(e.detail("apiCode"), Some(&Detail::Num(40000.0)));
        let Some(Detail::Json(list)) = e.detail("errors") else { panic!() };
        let parsed: Value = serde_json::from_str(list).unwrap();
        assert_eq!(parsed[0]["err_code"], "40000");
    }

    #[test]
    fn statuses_without_errors() {
        assert_eq!(decode(&response(401, ""), &[]).unwrap_err().code, ErrorCode::CyzenUnauthorized);
        assert_eq!(decode(&response(503, "busy"), &[]).unwrap_err().code, ErrorCode::RateLimited);
        assert_eq!(decode(&response(502, "<html>"), &[]).unwrap_err().code, ErrorCode::HttpStatus);
        assert_eq!(decode(&response(200, "<html>"), &[]).unwrap_err().code, ErrorCode::Decode);
        assert_eq!(decode(&response(200, "[]"), &[]).unwrap_err().code, ErrorCode::Decode);
        assert!(decode(&response(200, r#"{"spots":[],"errors":[]}"#), &[]).is_ok());
    }

    #[test]
    fn secrets_are_masked_and_long_messages_cut() {
        let body = r#"{"errors":[{"err_code":40100,"err_msg":"token tok-secret-123 expired"}]}"#;
        let e = decode(&response(401, body), &["tok-secret-123"]).unwrap_err();
        assert!(!e.message.contains("tok-secret-123"));
        assert!(!e.body.as_deref().unwrap().contains("tok-secret-123"));
        let long = format!(r#"{{"errors":[{{"err_code":1,"err_msg":"{}"}}]}}"#, "x".repeat(5000));
        assert_eq!(decode(&response(500, &long), &[]).unwrap_err().message.chars().count(), MESSAGE_CHARS + 1);
    }
}
