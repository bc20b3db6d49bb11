//! The one error model of the library.
//!
//! Every failure is an [`Error`] with a stable string [`ErrorCode`] (what JavaScript code switches on),
//! a message for people, and where relevant the HTTP status, the wait the server asked for, a short
//! redacted excerpt of the response body, the input field at fault, API-specific details and the
//! underlying cause. Messages never contain credentials: they are built from names and numbers, and
//! body excerpts are rendered from the parsed answer with credentials masked (`Response::excerpt`).

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::rc::Rc;
use core::any::Any;
use core::fmt;

/// Stable error codes. The string form (`as_str`) is part of the public JavaScript API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The request could not be sent or the connection failed (DNS, refused, reset, CORS).
    Network,
    /// The per-call timeout elapsed.
    Timeout,
    /// The caller's `AbortSignal` fired (or the call was dropped).
    Aborted,
    /// The answer was larger than the call's `maxResponseBytes`; reading stopped at the limit.
    ResponseTooLarge,
    /// The server answered with an HTTP status the call does not accept.
    HttpStatus,
    /// The caller's input is invalid; nothing was sent.
    InvalidInput,
    /// The response could not be decoded (not JSON, wrong shape, truncated).
    Decode,
    /// The server refused the call for exceeding a rate limit, and retries were exhausted.
    RateLimited,
    /// SenseLink: a similar face is already registered (30002 / 610); `force` can override.
    SenseLinkSimilarPerson,
    /// SenseLink: the face photo was rejected (50001 / 600 / 30003: no face, several faces, quality).
    SenseLinkFaceRejected,
    /// SenseLink: the tenant's person limit is reached (709).
    SenseLinkPersonLimit,
    /// SenseLink: the server refused a parameter (30001 / 498).
    SenseLinkInvalidParam,
    /// SenseLink: the signature or app key was refused.
    SenseLinkAuth,
    /// SenseLink: the timestamp was outside the server's 30-minute window (check the clock).
    SenseLinkTimestamp,
    /// SenseLink: any other `code != 200` answer; `apiCode`, `apiMessage`, `desc`, `data` are kept.
    SenseLinkApi,
    /// cyzen: the server refused the parameters (400 / `40000`).
    CyzenValidation,
    /// cyzen: the access token was refused (401) and could not be refreshed.
    CyzenUnauthorized,
    /// cyzen: any other `errors[]` answer.
    CyzenApi,
    /// OAuth: the callback's `state` is unknown, expired or already used.
    OAuthState,
    /// OAuth: the user or the server refused the authorization (`error` in the callback).
    OAuthAccessDenied,
    /// OAuth: the token endpoint refused the grant (`invalid_grant`: code or refresh token).
    OAuthInvalidGrant,
    /// OAuth: the token endpoint refused the client (`invalid_client`).
    OAuthInvalidClient,
    /// OAuth: any other RFC 6749 error from the token endpoint.
    OAuthError,
    /// OAuth: no token is stored; the user has to sign in.
    OAuthNoToken,
    /// A bug in this library (e.g. the wasm task runtime asked for two host actions at once).
    Internal,
}

impl ErrorCode {
    /// The stable string form used in JavaScript (`err.code`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Network => "NETWORK",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::Aborted => "ABORTED",
            ErrorCode::ResponseTooLarge => "RESPONSE_TOO_LARGE",
            ErrorCode::HttpStatus => "HTTP_STATUS",
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::Decode => "DECODE",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::SenseLinkSimilarPerson => "SENSELINK_SIMILAR_PERSON",
            ErrorCode::SenseLinkFaceRejected => "SENSELINK_FACE_REJECTED",
            ErrorCode::SenseLinkPersonLimit => "SENSELINK_PERSON_LIMIT",
            ErrorCode::SenseLinkInvalidParam => "SENSELINK_INVALID_PARAM",
            ErrorCode::SenseLinkAuth => "SENSELINK_AUTH",
            ErrorCode::SenseLinkTimestamp => "SENSELINK_TIMESTAMP",
            ErrorCode::SenseLinkApi => "SENSELINK_API",
            ErrorCode::CyzenValidation => "CYZEN_VALIDATION",
            ErrorCode::CyzenUnauthorized => "CYZEN_UNAUTHORIZED",
            ErrorCode::CyzenApi => "CYZEN_API",
            ErrorCode::OAuthState => "OAUTH_STATE",
            ErrorCode::OAuthAccessDenied => "OAUTH_ACCESS_DENIED",
            ErrorCode::OAuthInvalidGrant => "OAUTH_INVALID_GRANT",
            ErrorCode::OAuthInvalidClient => "OAUTH_INVALID_CLIENT",
            ErrorCode::OAuthError => "OAUTH_ERROR",
            ErrorCode::OAuthNoToken => "OAUTH_NO_TOKEN",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An API-specific detail attached to an error (becomes a property of the JavaScript error).
#[derive(Clone, Debug, PartialEq)]
pub enum Detail {
    /// A string.
    Str(String),
    /// A number.
    Num(f64),
    /// A boolean.
    Bool(bool),
    /// A JSON document (parsed into a value on the JavaScript side).
    Json(String),
    /// Ordered string pairs (becomes a plain object), e.g. a pagination cursor.
    Pairs(Vec<(String, String)>),
    /// Input problems (becomes an array of `{ field, message }`).
    Issues(Vec<(String, String)>),
}

/// Every problem found in an input, as `(field, message)` pairs in the order they were found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Issues(Vec<(String, String)>);

impl Issues {
    /// Records a problem.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first problem.
    pub fn first(&self) -> Option<&(String, String)> {
        self.0.first()
    }

    /// Every problem.
    pub fn iter(&self) -> core::slice::Iter<'_, (String, String)> {
        self.0.iter()
    }

    /// `Ok(value)` when there is no problem, else one `INVALID_INPUT` error listing them all.
    pub fn check<T>(self, value: T) -> Result<T, Error> {
        match self.into_error() {
            Some(error) => Err(error),
            None => Ok(value),
        }
    }

    /// One `INVALID_INPUT` error listing every problem (`field` and `message` name the first;
    /// `issues` holds them all), or `None` when there is none.
    pub fn into_error(self) -> Option<Error> {
        let (field, message) = self.0.first()?.clone();
        let more = self.0.len() - 1;
        let mut error = Error::invalid_input(field, message);
        if more > 0 {
            let others: Vec<&str> = self.0.iter().skip(1).map(|(f, _)| f.as_str()).collect();
            error.message = format!("{} (and {more} more: {})", error.message, others.join(", "));
        }
        Some(error.with_detail("issues", Detail::Issues(self.0)))
    }
}

/// The underlying failure (a JavaScript exception in the wasm build), kept opaque.
#[derive(Clone)]
pub struct Cause(pub Rc<dyn Any>);

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cause(..)")
    }
}

/// A failure, with everything a caller needs to react to it.
///
/// The fields live behind one allocation ([`ErrorInfo`], reached through `Deref`/`DerefMut`:
/// `err.code`, `err.message`, `err.details`…), so `Result<T, Error>` stays small and every `?` moves
/// a few bytes instead of the whole record (a large share of the wasm code otherwise).
#[derive(Clone)]
pub struct Error {
    info: Box<ErrorInfo>,
}

/// The fields of an [`Error`].
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    /// What kind of failure.
    pub code: ErrorCode,
    /// A human-readable message (no credentials).
    pub message: String,
    /// HTTP status, when a response was received.
    pub status: Option<u16>,
    /// How long the server asked to wait before retrying, in milliseconds.
    pub retry_after_ms: Option<u64>,
    /// A short, redacted excerpt of the response body.
    pub body: Option<String>,
    /// The input field at fault (`INVALID_INPUT`, or a server-side validation error that names one).
    pub field: Option<String>,
    /// API-specific details, by property name (camelCase, as JavaScript sees them).
    pub details: Vec<(&'static str, Detail)>,
    /// The underlying failure.
    pub cause: Option<Cause>,
}

impl core::ops::Deref for Error {
    type Target = ErrorInfo;

    fn deref(&self) -> &ErrorInfo {
        &self.info
    }
}

impl core::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorInfo {
        &mut self.info
    }
}

/// Same output as the former derived `Debug` of the flat struct (`Error { code: …, … }`).
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &*self.info;
        f.debug_struct("Error")
            .field("code", &e.code)
            .field("message", &e.message)
            .field("status", &e.status)
            .field("retry_after_ms", &e.retry_after_ms)
            .field("body", &e.body)
            .field("field", &e.field)
            .field("details", &e.details)
            .field("cause", &e.cause)
            .finish()
    }
}

impl Error {
    /// An error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        let info = ErrorInfo {
            code,
            message: message.into(),
            status: None,
            retry_after_ms: None,
            body: None,
            field: None,
            details: Vec::new(),
            cause: None,
        };
        Error { info: Box::new(info) }
    }

    /// `INVALID_INPUT` naming the field and the rule it breaks (also as the one entry of `issues`).
    pub fn invalid_input(field: impl Into<String>, message: impl Into<String>) -> Error {
        let field = field.into();
        let message = message.into();
        let mut error = Error::new(ErrorCode::InvalidInput, format!("{field}: {message}"));
        error.field = Some(field.clone());
        error.with_detail("issues", Detail::Issues(vec![(field, message)]))
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Error {
        self.status = Some(status);
        self
    }

    /// Sets the server-requested wait.
    pub fn with_retry_after_ms(mut self, ms: Option<u64>) -> Error {
        self.retry_after_ms = ms;
        self
    }

    /// Keeps a (redacted) excerpt of the response body.
    pub fn with_body(mut self, excerpt: Option<String>) -> Error {
        self.body = excerpt;
        self
    }

    /// Names the input field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Error {
        self.field = Some(field.into());
        self
    }

    /// Adds (or replaces) a detail.
    pub fn with_detail(mut self, name: &'static str, value: Detail) -> Error {
        self.details.retain(|(n, _)| *n != name);
        self.details.push((name, value));
        self
    }

    /// Attaches the underlying failure.
    pub fn with_cause(mut self, cause: Rc<dyn Any>) -> Error {
        self.cause = Some(Cause(cause));
        self
    }

    /// A detail by name.
    pub fn detail(&self, name: &str) -> Option<&Detail> {
        self.details.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)
    }
}

impl core::error::Error for Error {}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_strings() {
        assert_eq!(ErrorCode::InvalidInput.as_str(), "INVALID_INPUT");
        assert_eq!(ErrorCode::SenseLinkSimilarPerson.to_string(), "SENSELINK_SIMILAR_PERSON");
    }

    #[test]
    fn invalid_input_names_the_field() {
        let e = Error::invalid_input("avatar", "is 5.0 MB; the limit is 4 MB");
        assert_eq!(e.field.as_deref(), Some("avatar"));
        assert_eq!(e.to_string(), "[INVALID_INPUT] avatar: is 5.0 MB; the limit is 4 MB");
    }

    #[test]
    fn details_replace_by_name() {
        let e = Error::new(ErrorCode::SenseLinkApi, "x")
            .with_detail("apiCode", Detail::Num(1.0))
            .with_detail("apiCode", Detail::Num(2.0));
        assert_eq!(e.details.len(), 1);
        assert_eq!(e.detail("apiCode"), Some(&Detail::Num(2.0)));
    }
}
