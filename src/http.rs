//! Plain HTTP values: the requests the clients plan and the answers the host hands back.
//!
//! Nothing here performs I/O. A [`Request`] is data (method, URL, query, headers, body, what to do
//! with the answer); the package's JavaScript transport sends it with the runtime's own `fetch`, and
//! native tests inspect it directly. A file part holds a [`FileRef`]: a handle to the caller's
//! `Blob`, which goes into the runtime's `FormData` as it is. A [`Response`] carries the status,
//! the few headers the clients decide on, and the body as the host parsed it (a [`Doc`] handle).

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::rc::Rc;
use core::any::Any;
use core::fmt;

use crate::doc::Doc;
use crate::secret::is_sensitive_name;

/// The header the package's clients send in proxy mode. A plain cross-site request (a link, an
/// `<img>`, a form) cannot carry it, and a script on another site only after a CORS preflight the
/// proxies never answer, so the proxies require it on every request that is not a read.
pub const PROXY_REQUEST_HEADER: (&str, &str) = ("X-Requested-With", "cyzen-senselink");

/// HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method as it goes on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Parses an upper-case method name.
    pub fn parse(name: &str) -> Option<Method> {
        Some(match name {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            _ => return None,
        })
    }

    /// Whether repeating the request has the same effect as sending it once (RFC 9110 §9.2.2).
    pub fn is_idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Put | Method::Delete)
    }
}

/// A handle to file data the host owns (a JavaScript `Blob` in the wasm build). The core sees only
/// its size and declared type; the transport appends the very same `Blob` to the `FormData`.
#[derive(Clone)]
pub struct FileRef {
    handle: Rc<dyn Any>,
    size: u64,
}

impl FileRef {
    /// Wraps a host value whose byte length is `size`.
    pub fn new<T: Any>(handle: T, size: u64) -> FileRef {
        FileRef { handle: Rc::new(handle), size }
    }

    /// Byte length.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The host value, if it is a `T`.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.handle.downcast_ref::<T>()
    }
}

impl fmt::Debug for FileRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileRef({} bytes)", self.size)
    }
}

/// One named part of a multipart body.
#[derive(Clone, Debug)]
pub enum Part {
    /// A text field.
    Text {
        /// Field name.
        name: String,
        /// Value.
        value: String,
    },
    /// A file.
    File {
        /// Field name.
        name: String,
        /// The data (a handle; never copied).
        data: FileRef,
        /// File name sent in `Content-Disposition`.
        filename: String,
        /// MIME type of the part.
        content_type: String,
    },
}

impl Part {
    /// A text field.
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Part {
        Part::Text { name: name.into(), value: value.into() }
    }

    /// The field name.
    pub fn name(&self) -> &str {
        match self {
            Part::Text { name, .. } | Part::File { name, .. } => name,
        }
    }
}

/// A request body.
#[derive(Clone, Debug, Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// `application/x-www-form-urlencoded` fields, in order.
    Form(Vec<(String, String)>),
    /// A JSON document (already written; small: the clients' own parameters).
    Json(String),
    /// `multipart/form-data` parts; the runtime's `FormData` writes the boundary.
    Multipart(Vec<Part>),
}

/// What the transport does with the answer's body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Expect {
    /// Parse it as JSON (with the engine's parser); text that is not JSON comes back as text.
    #[default]
    Json,
    /// Keep a successful non-JSON answer as a `Blob` (images); anything else as for `Json`.
    Blob,
}

/// Which server a request goes to: the API, or an OAuth token endpoint (which may have its own
/// `fetch`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Target {
    /// The API.
    #[default]
    Api,
    /// The OAuth token endpoint.
    TokenEndpoint,
}

/// An HTTP request as plain data.
#[derive(Clone, Default)]
pub struct Request {
    /// Method.
    pub method: Option<Method>,
    /// Absolute URL (or, in a page's proxy mode, a path on the page's origin), without the query.
    pub url: String,
    /// Query parameters, in order (encoded by [`Request::full_url`]).
    pub query: Vec<(String, String)>,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Body,
    /// What to do with the answer's body.
    pub expect: Expect,
    /// Where it goes.
    pub target: Target,
}

impl Request {
    /// A request with no body.
    pub fn new(method: Method, url: impl Into<String>) -> Request {
        Request { method: Some(method), url: url.into(), ..Request::default() }
    }

    /// The method (`GET` when unset).
    pub fn method(&self) -> Method {
        self.method.unwrap_or(Method::Get)
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: Body) -> Request {
        self.body = body;
        self
    }

    /// The first value of a query parameter.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first value of a header (name compared case-insensitively).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The URL with its encoded query string, as sent.
    pub fn full_url(&self) -> String {
        if self.query.is_empty() {
            return self.url.clone();
        }
        let separator = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{}{}", self.url, separator, form_urlencode(&self.query))
    }

    /// The URL with the values of credential-like query parameters masked (for errors and hooks).
    pub fn redacted_url(&self) -> String {
        let mut shown = self.clone();
        shown.query = redact_pairs(&self.query);
        shown.full_url()
    }
}

fn redact_pairs(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| {
            let v = if is_sensitive_name(k) { "[redacted]".to_string() } else { v.clone() };
            (k.clone(), v)
        })
        .collect()
}

/// Shows everything but the values of credential-like query parameters, headers and form fields.
impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = match &self.body {
            Body::Form(fields) => format!("Form({:?})", redact_pairs(fields)),
            Body::Json(_) => "Json([not shown])".to_string(),
            other => format!("{other:?}"),
        };
        f.debug_struct("Request")
            .field("method", &self.method())
            .field("url", &self.url)
            .field("query", &redact_pairs(&self.query))
            .field("headers", &redact_pairs(&self.headers))
            .field("body", &format_args!("{body}"))
            .finish()
    }
}

/// The body of an answer, as the host holds it.
#[derive(Clone, Debug)]
pub enum Payload<V> {
    /// No body (or an opaque redirect).
    Empty,
    /// JSON, parsed by the host.
    Json(V),
    /// A body that is not JSON: the host's string (read an excerpt with [`Doc::text`] only on
    /// error paths).
    Text(V),
    /// A kept `Blob` ([`Expect::Blob`]).
    Blob(V),
}

/// An answer: status, the headers the clients decide on, and the body as the host holds it.
#[derive(Clone, Debug)]
pub struct Response<V> {
    /// Status code (0 when the runtime hid a redirect: redirects are never followed).
    pub status: u16,
    /// `Retry-After`, when present.
    pub retry_after: Option<String>,
    /// `Date`, when present.
    pub date: Option<String>,
    /// The server's request id (`X-Request-Id`, `Request-Id`, `CF-Ray`…), when present.
    pub request_id: Option<String>,
    /// The body.
    pub body: Payload<V>,
}

impl<V: Doc> Response<V> {
    /// An answer with a status and a body (tests, and the proxies' own answers).
    pub fn new(status: u16, body: Payload<V>) -> Response<V> {
        Response { status, retry_after: None, date: None, request_id: None, body }
    }

    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The parsed JSON body, if the body was JSON.
    pub fn json(&self) -> Option<&V> {
        match &self.body {
            Payload::Json(doc) => Some(doc),
            _ => None,
        }
    }

    /// A short excerpt of the body for errors: JSON rendered with credentials masked, text cut and
    /// masked (`secrets` are masked wherever they appear). `None` for an empty body or a blob.
    pub fn excerpt(&self, secrets: &[&str]) -> Option<String> {
        let text = match &self.body {
            Payload::Json(doc) => crate::doc::excerpt(doc, secrets, crate::doc::EXCERPT_CHARS),
            // Masked before the cut (a secret straddling it is masked too), cut after (a mask longer
            // than what it hides does not stretch the excerpt).
            Payload::Text(text) => crate::doc::bounded_text(text, secrets, crate::doc::EXCERPT_CHARS)?,
            Payload::Empty | Payload::Blob(_) => return None,
        };
        (!text.is_empty()).then_some(text)
    }
}

/// Percent-encodes a string for `application/x-www-form-urlencoded` (as `URLSearchParams` does:
/// space becomes `+`; `*-._` and alphanumerics stay).
pub fn form_encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &byte in value.as_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(char::from(byte)),
            b' ' => out.push('+'),
            _ => push_percent(&mut out, byte),
        }
    }
    out
}

/// Percent-encodes a string for use as one URL path segment (RFC 3986 unreserved characters stay).
pub fn encode_path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &byte in value.as_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(char::from(byte)),
            _ => push_percent(&mut out, byte),
        }
    }
    out
}

fn hex_digit(value: u8) -> char {
    char::from(b"0123456789ABCDEF".get(usize::from(value & 15)).copied().unwrap_or(b'0'))
}

fn push_percent(out: &mut String, byte: u8) {
    out.push('%');
    out.push(hex_digit(byte >> 4));
    out.push(hex_digit(byte));
}

/// Encodes name/value pairs as `a=1&b=2`.
pub fn form_urlencode(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&form_encode_component(name));
        out.push('=');
        out.push_str(&form_encode_component(value));
    }
    out
}

/// Decodes `a=1&b=%E3%81%82+x` into pairs (`+` is a space; malformed escapes are kept as they are).
pub fn parse_form_urlencoded(input: &str) -> Vec<(String, String)> {
    input
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(input: &str) -> String {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        match byte {
            b'+' => out.push(b' '),
            b'%' => {
                if let [high, low, after @ ..] = rest {
                    if let (Some(high), Some(low)) = (hex_value(*high), hex_value(*low)) {
                        out.push(high << 4 | low);
                        rest = after;
                        continue;
                    }
                }
                out.push(b'%');
            }
            other => out.push(other),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Splits a URL into the part before `?` and its decoded query pairs (the fragment is dropped).
pub fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    let without_fragment = url.split('#').next().unwrap_or("");
    match without_fragment.split_once('?') {
        Some((base, query)) => (base.to_string(), parse_form_urlencoded(query)),
        None => (without_fragment.to_string(), Vec::new()),
    }
}

/// The path of an absolute URL (`https://h:1/a/b?x` → `/a/b?x`; `/` when it has none); a string
/// without a scheme is returned as it is.
pub fn url_path(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').and_then(|slash| rest.get(slash..)).unwrap_or("/"),
        None => url,
    }
}

/// The host of an absolute URL (`https://h:1/a` → `h:1`), for messages.
pub fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or("")
}

/// Joins a base URL and a path with exactly one `/` between them.
pub fn join_url(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}

/// Reads a `Retry-After` value (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date compared with
/// `now_ms` (Unix milliseconds). Returns the wait in milliseconds (0 for a date in the past).
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.len() <= 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(|seconds| seconds.saturating_mul(1000));
    }
    let at_ms = crate::date::parse_http_date(value)? as f64 * 1000.0;
    Some(if at_ms > now_ms { (at_ms - now_ms) as u64 } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn form_encoding_matches_url_search_params() {
        let pairs = vec![
            ("name".to_string(), "佐藤 太郎".to_string()),
            ("groups".to_string(), "1,2".to_string()),
            ("x".to_string(), "a+b&c=d*~".to_string()),
        ];
        assert_eq!(
            form_urlencode(&pairs),
            "name=%E4%BD%90%E8%97%A4+%E5%A4%AA%E9%83%8E&groups=1%2C2&x=a%2Bb%26c%3Dd*%7E"
        );
        assert_eq!(parse_form_urlencoded(&form_urlencode(&pairs)), pairs);
    }

    #[test]
    fn percent_decoding_keeps_malformed_escapes() {
        assert_eq!(
            parse_form_urlencoded("a=%zz&b=%4&c=%41&d=%"),
            vec![
                ("a".to_string(), "%zz".to_string()),
                ("b".to_string(), "%4".to_string()),
                ("c".to_string(), "A".to_string()),
                ("d".to_string(), "%".to_string()),
            ]
        );
    }

    #[test]
    fn full_url_appends_encoded_query() {
        let req = Request::new(Method::Get, "https://h/api/v1/user/list").query("name", "a b").query("page", "2");
        assert_eq!(req.full_url(), "https://h/api/v1/user/list?name=a+b&page=2");
        assert_eq!(Request::new(Method::Get, "https://h/x").full_url(), "https://h/x");
        let signed = req.query("sign", "e5ef72ef");
        assert_eq!(signed.redacted_url(), "https://h/api/v1/user/list?name=a+b&page=2&sign=%5Bredacted%5D");
    }

    #[test]
    fn split_and_join_urls() {
        let (base, query) = split_url("https://app.example/cb?code=abc&state=x%2By#frag");
        assert_eq!(base, "https://app.example/cb");
        assert_eq!(query, vec![("code".into(), "abc".into()), ("state".into(), "x+y".into())]);
        assert_eq!(join_url("https://h/webapi/v0/", "/spots"), "https://h/webapi/v0/spots");
        assert_eq!(encode_path_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(url_path("https://w.example:8443/senselink/api/v1/user"), "/senselink/api/v1/user");
        assert_eq!(url_path("http://host"), "/");
        assert_eq!(url_path("/cyzen/spots"), "/cyzen/spots");
        assert_eq!(url_host("https://w.example:8443/senselink?x"), "w.example:8443");
    }

    #[test]
    fn debug_redacts_credentials() {
        let req = Request::new(Method::Post, "https://h/token")
            .query("sign", "e5ef72ef839bdf5397b4906b199b9fbf")
            .query("app_key", "visible-key")
            .header("Authorization", "bearer very-secret-token")
            .body(Body::Form(vec![
                ("refresh_token".into(), "rt-secret".into()),
                ("grant_type".into(), "refresh_token".into()),
            ]));
        let shown = format!("{req:?}");
        assert!(!shown.contains("e5ef72ef"), "{shown}");
        assert!(!shown.contains("very-secret-token"), "{shown}");
        assert!(!shown.contains("rt-secret"), "{shown}");
        assert!(shown.contains("visible-key") && shown.contains("grant_type"), "{shown}");
    }

    #[test]
    fn retry_after_in_both_forms() {
        assert_eq!(parse_retry_after("3", 0.0), Some(3000));
        // Sun, 06 Nov 1994 08:49:37 GMT = 784111777 s
        let now = 784_111_770_000.0;
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), Some(7000));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now + 60_000.0), Some(0));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("99999999999999999999", now), None);
    }

    #[test]
    fn excerpts_of_json_and_text_bodies() {
        let json_body: Response<Value> =
            Response::new(400, Payload::Json(json!({"error": "invalid_grant", "refresh_token": "rt-1"})));
        assert_eq!(json_body.excerpt(&[]).unwrap(), r#"{"error":"invalid_grant","refresh_token":"[redacted]"}"#);
        let html: Response<Value> =
            Response::new(502, Payload::Text(json!(format!("<html>{}</html> key=s3cr3t", "x".repeat(400)))));
        let cut = html.excerpt(&["s3cr3t"]).unwrap();
        assert_eq!(cut.chars().count(), 301);
        let short: Response<Value> = Response::new(502, Payload::Text(json!("bad gateway s3cr3t")));
        assert_eq!(short.excerpt(&["s3cr3t"]).unwrap(), "bad gateway [redacted]");
        let empty: Response<Value> = Response::new(204, Payload::Empty);
        assert_eq!(empty.excerpt(&[]), None);
        // Many short secrets (their masks are longer than they are) still give at most 300 + "…".
        let dense: Response<Value> = Response::new(502, Payload::Text(json!("ab ".repeat(300))));
        assert_eq!(dense.excerpt(&["ab"]).unwrap().chars().count(), 301);
        // A secret straddling the cut is masked, not half shown.
        let straddle: Response<Value> =
            Response::new(502, Payload::Text(json!(format!("{}s3cr3t-value", "y".repeat(297)))));
        assert!(!straddle.excerpt(&["s3cr3t-value"]).unwrap().contains("s3c"));
    }

    #[test]
    fn methods() {
        assert_eq!(Method::parse("PUT"), Some(Method::Put));
        assert!(Method::Delete.is_idempotent());
        assert!(!Method::Post.is_idempotent());
    }
}
