//! Reading cyzen answers: `errors[]` (on any status, HTTP 200 included), the JSON body, and the
//! error each failure becomes.
//!
//! | answer | error |
//! |---|---|
//! | `errors[]` with `err_code` 40000 (any status) | `CYZEN_VALIDATION`, the server's message kept |
//! | 401 (after the one refresh, or with a static token) | `CYZEN_UNAUTHORIZED` |
//! | 503 / 429 after the retries | `RATE_LIMITED` with `retryAfterMs` when the server sent one |
//! | any other `errors[]` | `CYZEN_API` |
//! | another status without `errors[]` | `HTTP_STATUS` |
//! | a 2xx body that is not JSON | `DECODE` |

use crate::json::{Map, Value};

use crate::error::{Detail, Error, ErrorCode};
use crate::http::Response;

/// One entry of `errors[]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// `err_code` (a number or a string on the wire).
    pub code: Value,
    /// `err_msg`.
    pub message: String,
}

/// The `errors` array of a parsed body, when it holds at least one entry.
pub fn api_errors(body: &Value) -> Option<Vec<ApiError>> {
    let list = body.get("errors")?.as_array()?;
    if list.is_empty() {
        return None;
    }
    Some(
        list.iter()
            .map(|e| ApiError {
                code: e.get("err_code").cloned().unwrap_or(Value::Null),
                message: match e.get("err_msg") {
                    Some(Value::String(s)) => s.clone(),
                    _ => String::new(),
                },
            })
            .collect(),
    )
}

fn code_is(code: &Value, wanted: i64) -> bool {
    match code {
        Value::Number(n) => n.as_i64() == Some(wanted),
        Value::String(s) => s.trim() == wanted.to_string(),
        _ => false,
    }
}

/// Escapes a string as a JSON string literal.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn code_json(code: &Value) -> String {
    match code {
        Value::Number(n) => n.to_string(),
        Value::String(s) => json_string(s),
        _ => "null".to_string(),
    }
}

/// The field a `400 / 40000` message names (`invalid parameter field: spot_code …`), if any.
fn field_of(message: &str) -> Option<String> {
    let rest = message.split_once("invalid parameter field:")?.1.trim_start();
    let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    (!name.is_empty()).then_some(name)
}

/// The error for an `errors[]` answer.
pub fn from_api_errors(errors: &[ApiError], status: u16, body: &[u8], secrets: &[&str]) -> Error {
    let first = &errors[0];
    let validation = errors.iter().any(|e| code_is(&e.code, 40000));
    let code = if validation {
        ErrorCode::CyzenValidation
    } else if status == 401 {
        ErrorCode::CyzenUnauthorized
    } else {
        ErrorCode::CyzenApi
    };
    let message = if first.message.is_empty() { format!("cyzen answered HTTP {status} with errors[]") } else { first.message.clone() };
    let mut list = String::from("[");
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            list.push(',');
        }
        list.push_str(&format!("{{\"err_code\":{},\"err_msg\":{}}}", code_json(&e.code), json_string(&crate::secret::redact_text(&e.message, secrets))));
    }
    list.push(']');
    let api_code = match &first.code {
        Value::Number(n) => Detail::Num(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => match s.trim().parse::<i64>() {
            Ok(n) => Detail::Num(n as f64),
            Err(_) => Detail::Str(s.clone()),
        },
        _ => Detail::Num(0.0),
    };
    let mut error = Error::new(code, crate::secret::redact_text(&message, secrets))
        .with_status(status)
        .with_body_excerpt(body, secrets)
        .with_detail("apiCode", api_code)
        .with_detail("errors", Detail::Json(list));
    if let Some(field) = field_of(&first.message) {
        error = error.with_field(field);
    }
    error
}

/// Parses a JSON object body; `errors[]` (on any status) and non-2xx statuses become errors.
/// `secrets` are masked in whatever the error keeps of the body.
pub fn decode(response: &Response, secrets: &[&str]) -> Result<Map<String, Value>, Error> {
    let parsed: Option<Value> = crate::json::from_slice(&response.body).ok();
    if let Some(errors) = parsed.as_ref().and_then(api_errors) {
        return Err(from_api_errors(&errors, response.status, &response.body, secrets));
    }
    if !response.is_success() {
        return Err(status_error(response, secrets));
    }
    match parsed {
        Some(Value::Object(map)) => Ok(map),
        _ => Err(Error::new(ErrorCode::Decode, format!("cyzen answered HTTP {} with a body that is not a JSON object", response.status))
            .with_status(response.status)
            .with_body_excerpt(&response.body, secrets)),
    }
}

/// The error for a status without `errors[]`.
pub fn status_error(response: &Response, secrets: &[&str]) -> Error {
    let status = response.status;
    let (code, message) = match status {
        0 => (ErrorCode::HttpStatus, "cyzen answered with a redirect, which is never followed".to_string()),
        401 => (ErrorCode::CyzenUnauthorized, "cyzen refused the access token (HTTP 401)".to_string()),
        503 | 429 => (ErrorCode::RateLimited, format!("cyzen rate limit (HTTP {status}); retries exhausted")),
        _ => (ErrorCode::HttpStatus, format!("cyzen answered HTTP {status}")),
    };
    Error::new(code, message).with_status(status).with_body_excerpt(&response.body, secrets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response::new(status, body.as_bytes().to_vec())
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
        let parsed: Value = crate::json::from_str(list).unwrap();
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
    fn secrets_are_masked_in_kept_text() {
        let body = r#"{"errors":[{"err_code":40100,"err_msg":"token tok-secret-123 expired"}]}"#;
        let e = decode(&response(401, body), &["tok-secret-123"]).unwrap_err();
        assert!(!e.message.contains("tok-secret-123"));
        assert!(!e.body.as_deref().unwrap().contains("tok-secret-123"));
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\u0001é\"");
    }
}
