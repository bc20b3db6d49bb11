//! Plain HTTP values: what the clients build and what the transport returns.
//!
//! Nothing here performs I/O. A [`Request`] is data (method, URL, query, headers, body); the
//! transport in `fetch` turns it into a runtime `fetch` call, and native tests inspect it directly.
//! File parts of a multipart body can hold an opaque [`BlobHandle`] so that a JavaScript `Blob` is
//! appended to the runtime `FormData` as it is and its bytes never enter WebAssembly memory.

use std::any::Any;
use std::fmt;
use std::rc::Rc;

use crate::secret::is_sensitive_name;

/// HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
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
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Parses a method name (case-insensitive).
    pub fn parse(name: &str) -> Option<Method> {
        Some(match name.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => return None,
        })
    }

    /// Whether repeating the request has the same effect as sending it once (RFC 9110 §9.2.2).
    pub fn is_idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Put | Method::Delete)
    }
}

/// An opaque handle to data that lives outside WebAssembly memory (a JavaScript `Blob` in the wasm
/// build). The core only needs its size and content type; the transport downcasts it back.
#[derive(Clone)]
pub struct BlobHandle {
    value: Rc<dyn Any>,
    size: u64,
    content_type: String,
}

impl BlobHandle {
    /// Wraps a value whose byte length is `size`.
    pub fn new<T: Any>(value: T, size: u64, content_type: impl Into<String>) -> Self {
        BlobHandle { value: Rc::new(value), size, content_type: content_type.into() }
    }

    /// Byte length of the data.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The MIME type the data declared (may be empty).
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The wrapped value, if it is a `T`.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.value.downcast_ref::<T>()
    }
}

impl fmt::Debug for BlobHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobHandle({} bytes, {:?})", self.size, self.content_type)
    }
}

/// The bytes of a file part: in memory, or a handle to a `Blob` owned by the JavaScript side.
#[derive(Clone, Debug)]
pub enum FileData {
    /// Bytes held in Rust.
    Bytes(Vec<u8>),
    /// Data held by the host (never copied into wasm memory).
    Blob(BlobHandle),
}

impl FileData {
    /// Byte length of the file.
    pub fn len(&self) -> u64 {
        match self {
            FileData::Bytes(b) => b.len() as u64,
            FileData::Blob(h) => h.size(),
        }
    }

    /// True when the file has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A file part of a multipart body.
#[derive(Clone, Debug)]
pub struct FilePart {
    /// File name sent in `Content-Disposition`.
    pub filename: String,
    /// MIME type of the part.
    pub content_type: String,
    /// The content.
    pub data: FileData,
}

/// The value of one multipart part.
#[derive(Clone, Debug)]
pub enum PartValue {
    /// A text field.
    Text(String),
    /// A file.
    File(FilePart),
}

/// One named part of a multipart body.
#[derive(Clone, Debug)]
pub struct Part {
    /// Field name.
    pub name: String,
    /// Field value.
    pub value: PartValue,
}

impl Part {
    /// A text field.
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Part {
        Part { name: name.into(), value: PartValue::Text(value.into()) }
    }

    /// A file field.
    pub fn file(name: impl Into<String>, file: FilePart) -> Part {
        Part { name: name.into(), value: PartValue::File(file) }
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
    /// A JSON document (already serialised).
    Json(String),
    /// `multipart/form-data` parts; the runtime's `FormData` writes the boundary.
    Multipart(Vec<Part>),
    /// Raw bytes with a content type.
    Bytes {
        /// MIME type.
        content_type: String,
        /// Content.
        data: Vec<u8>,
    },
}

/// How the transport should hand back the response body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResponseKind {
    /// Read the body into [`Response::body`].
    #[default]
    Bytes,
    /// Keep the body outside wasm memory, as a [`BlobHandle`] in [`Response::blob`].
    Blob,
}

/// An HTTP request as plain data.
#[derive(Clone, Default)]
pub struct Request {
    /// Method.
    pub method: Option<Method>,
    /// Absolute URL without the query string.
    pub url: String,
    /// Query parameters, in order (encoded when the request is sent).
    pub query: Vec<(String, String)>,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Body,
    /// How the response body is wanted.
    pub response_kind: ResponseKind,
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
}

/// Shows everything but the values of credential-like query parameters, headers and form fields.
impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |pairs: &[(String, String)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| {
                    let v = if is_sensitive_name(k) { "[redacted]".to_string() } else { v.clone() };
                    (k.clone(), v)
                })
                .collect()
        };
        let body: &dyn fmt::Debug = match &self.body {
            Body::Form(fields) => &Body::Form(redacted(fields)),
            Body::Json(_) => &"Json([not shown])",
            other => other,
        };
        // `body` borrows a temporary for the Form case; format eagerly to keep the borrow short.
        let body_text = format!("{body:?}");
        f.debug_struct("Request")
            .field("method", &self.method())
            .field("url", &self.url)
            .field("query", &redacted(&self.query))
            .field("headers", &redacted(&self.headers))
            .field("body", &format_args!("{body_text}"))
            .finish()
    }
}

/// An HTTP response as plain data.
#[derive(Clone, Debug, Default)]
pub struct Response {
    /// Status code (0 when the runtime hid a redirect, see `redirect: "manual"`).
    pub status: u16,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// Body bytes (empty when the body was kept as a [`BlobHandle`]).
    pub body: Vec<u8>,
    /// Body kept outside wasm memory, when [`ResponseKind::Blob`] was asked for.
    pub blob: Option<BlobHandle>,
}

impl Response {
    /// A response with a status and a body.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response { status, body: body.into(), ..Response::default() }
    }

    /// Adds a header (builder style, for tests and mocks).
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// The first value of a header (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The MIME type without parameters, lower case.
    pub fn mime_type(&self) -> String {
        let value = self.header("content-type").unwrap_or("");
        value.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
    }
}

/// Percent-encodes a string for `application/x-www-form-urlencoded` (as `URLSearchParams` does:
/// space becomes `+`; `*-._` and alphanumerics stay).
pub fn form_encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &byte in value.as_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(byte as char),
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
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(byte as char),
            _ => push_percent(&mut out, byte),
        }
    }
    out
}

fn push_percent(out: &mut String, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(HEX[(byte >> 4) as usize] as char);
    out.push(HEX[(byte & 15) as usize] as char);
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
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match (hex_value(bytes[i + 1]), hex_value(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
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

/// Splits an absolute URL into the part before `?` and its decoded query pairs (the fragment is dropped).
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
    match url.find("://") {
        Some(scheme_end) => {
            let rest = &url[scheme_end + 3..];
            rest.find('/').map_or("/", |slash| &rest[slash..])
        }
        None => url,
    }
}

/// Joins a base URL and a path with exactly one `/` between them.
pub fn join_url(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}

/// Reads a `Retry-After` value (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date compared with
/// `now_ms` (Unix milliseconds). Returns the wait in milliseconds (0 for a date in the past).
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds.saturating_mul(1000));
    }
    let at_ms = crate::date::parse_http_date(value)? as f64 * 1000.0;
    Some(if at_ms > now_ms { (at_ms - now_ms) as u64 } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(parse_form_urlencoded("a=%zz&b=%4&c=%41"), vec![
            ("a".to_string(), "%zz".to_string()),
            ("b".to_string(), "%4".to_string()),
            ("c".to_string(), "A".to_string()),
        ]);
    }

    #[test]
    fn full_url_appends_encoded_query() {
        let req = Request::new(Method::Get, "https://h/api/v1/user/list").query("name", "a b").query("page", "2");
        assert_eq!(req.full_url(), "https://h/api/v1/user/list?name=a+b&page=2");
        assert_eq!(Request::new(Method::Get, "https://h/x").full_url(), "https://h/x");
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
    }

    #[test]
    fn debug_redacts_credentials() {
        let req = Request::new(Method::Post, "https://h/token")
            .query("sign", "e5ef72ef839bdf5397b4906b199b9fbf")
            .query("app_key", "visible-key")
            .header("Authorization", "bearer very-secret-token")
            .body(Body::Form(vec![("refresh_token".into(), "rt-secret".into()), ("grant_type".into(), "refresh_token".into())]));
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
    }

    #[test]
    fn methods() {
        assert_eq!(Method::parse("put"), Some(Method::Put));
        assert!(Method::Delete.is_idempotent());
        assert!(!Method::Post.is_idempotent());
    }
}
