//! Records every request (except `/__admin/*`) so tests can assert exactly what a client sent:
//! method, path, raw query, headers and a structured view of the body.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::is_admin_path;

/// Oldest entries are dropped beyond this many.
pub const LOG_CAPACITY: usize = 5_000;
/// Bodies above this are refused with 413 (the log buffers bodies to parse them).
pub const MAX_LOGGED_BODY: usize = 64 * 1024 * 1024;

/// Id of a request in the log, available to inner layers as a request extension.
#[derive(Clone, Copy, Debug)]
pub struct RequestId(pub u64);

/// Shared request log.
#[derive(Clone, Default)]
pub struct RequestLog {
    entries: Arc<Mutex<VecDeque<Value>>>,
    next_id: Arc<AtomicU64>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn pairs_json(pairs: impl Iterator<Item = (String, String)>) -> Value {
    Value::Array(pairs.map(|(name, value)| json!({"name": name, "value": value})).collect())
}

/// Structured view of a body by its content type.
pub async fn describe_body(content_type: &str, bytes: &Bytes) -> Value {
    let lower = content_type.to_ascii_lowercase();
    if bytes.is_empty() {
        return json!({"kind": "empty"});
    }
    if lower.starts_with("multipart/form-data") {
        return match multer::parse_boundary(content_type) {
            Ok(boundary) => describe_multipart(bytes.clone(), boundary).await,
            Err(e) => json!({"kind": "multipart_invalid", "error": e.to_string()}),
        };
    }
    if lower.starts_with("application/x-www-form-urlencoded") {
        return json!({"kind": "form", "fields": pairs_json(form_urlencoded::parse(bytes).into_owned())});
    }
    if lower.starts_with("application/json") || lower.contains("+json") {
        return match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => json!({"kind": "json", "value": value}),
            Err(e) => json!({"kind": "invalid_json", "error": e.to_string(), "text": String::from_utf8_lossy(&bytes[..bytes.len().min(4096)])}),
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if lower.starts_with("text/") || lower.is_empty() => json!({"kind": "text", "text": text}),
        _ => json!({"kind": "binary", "sha256": sha256_hex(bytes)}),
    }
}

async fn describe_multipart(bytes: Bytes, boundary: String) -> Value {
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().map(str::to_string);
                let filename = field.file_name().map(str::to_string);
                let content_type = field.content_type().map(|m| m.to_string());
                match field.bytes().await {
                    Ok(data) => {
                        let mut part = json!({
                            "name": name,
                            "filename": filename,
                            "content_type": content_type,
                            "size": data.len(),
                            "sha256": sha256_hex(&data),
                        });
                        if filename.is_none() {
                            part["value"] = std::str::from_utf8(&data).map_or(Value::Null, |s| Value::String(s.into()));
                        }
                        parts.push(part);
                    }
                    Err(e) => return json!({"kind": "multipart_invalid", "error": e.to_string(), "parts": parts}),
                }
            }
            Ok(None) => break,
            Err(e) => return json!({"kind": "multipart_invalid", "error": e.to_string(), "parts": parts}),
        }
    }
    json!({"kind": "multipart", "parts": parts})
}

impl RequestLog {
    /// An empty log.
    pub fn new() -> Self {
        RequestLog::default()
    }

    fn push(&self, mut entry: Value) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        entry["id"] = json!(id);
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.push_back(entry);
        while entries.len() > LOG_CAPACITY {
            entries.pop_front();
        }
        id
    }

    /// Sets `key` on the entry `id` (status, applied fault).
    pub fn annotate(&self, id: u64, key: &str, value: Value) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = entries.iter_mut().rev().find(|e| e["id"] == json!(id)) {
            entry[key] = value;
        }
    }

    /// Entries whose path starts with `path_prefix`, oldest first.
    pub fn list(&self, path_prefix: Option<&str>) -> Vec<Value> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .iter()
            .filter(|e| path_prefix.is_none_or(|p| e["path"].as_str().is_some_and(|path| path.starts_with(p))))
            .cloned()
            .collect()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// Middleware: buffers the body, records the request, passes it on unchanged.
pub async fn record(State(log): State<RequestLog>, request: Request, next: Next) -> Response {
    if is_admin_path(request.uri().path()) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_LOGGED_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            return (StatusCode::PAYLOAD_TOO_LARGE, Json(json!({"error": format!("body refused: {e}")}))).into_response()
        }
    };
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let mut headers = serde_json::Map::new();
    for name in parts.headers.keys() {
        let values: Vec<String> = parts
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        headers.insert(name.as_str().to_string(), Value::String(values.join(", ")));
    }
    let query = parts.uri.query().unwrap_or("").to_string();
    let received_at_ms = super::platform::wall_ms().max(0) as u64;
    let entry = json!({
        "id": 0,
        "received_at_ms": received_at_ms,
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "query": query,
        "query_params": pairs_json(form_urlencoded::parse(query.as_bytes()).into_owned()),
        "headers": headers,
        "content_type": if content_type.is_empty() { Value::Null } else { Value::String(content_type.clone()) },
        "body_size": bytes.len(),
        "body": describe_body(&content_type, &bytes).await,
        "status": null,
        "fault": null,
    });
    let id = log.push(entry);
    parts.extensions.insert(RequestId(id));
    let mut response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    log.annotate(id, "status", json!(response.status().as_u16()));
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        response.headers_mut().insert("x-sandbox-request-id", value);
    }
    response
}

/// Query of `GET /__admin/requests`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub path_prefix: Option<String>,
}

/// `GET /__admin/requests?path_prefix=`: the log, oldest first.
pub async fn list_requests(State(log): State<RequestLog>, Query(query): Query<ListQuery>) -> Json<Value> {
    Json(Value::Array(log.list(query.path_prefix.as_deref())))
}

/// `DELETE /__admin/requests`.
pub async fn clear_requests(State(log): State<RequestLog>) -> Json<Value> {
    log.clear();
    Json(json!({"ok": true}))
}
