//! Fault injection, per request (`x-sandbox-fault: <spec>` header) or queued
//! (`POST /__admin/faults`). A fault acts before the request reaches a handler.
//!
//! Spec: items separated by `,` or `;`:
//! - `latency=MS`: wait, then continue normally (unless combined with another fault)
//! - `status=NNN`: answer NNN with a JSON error body
//! - `retry-after=S`: add `Retry-After: S` (implies `status=503` when no status is given)
//! - `retry-after-date[=S]`: add `Retry-After` as an HTTP-date S seconds ahead (default 3;
//!   implies `status=503` when no status is given)
//! - `malformed-json`: 200 with a broken JSON body
//! - `html`: an HTML error page (502 unless `status=` says otherwise)
//! - `truncate`: a JSON-looking 200 whose body stops mid-way (Content-Length larger than what
//!   is sent, then the connection closes)
//! - `drop`: close the connection without any response
//! - `huge=BYTES`: a 200 JSON answer of BYTES bytes, streamed in 64 KiB chunks without a
//!   `Content-Length` (add `declared` to send one; add `in-message` to make it a SenseLink error
//!   envelope, `code` 50002, whose `message` holds the bytes)
//! - `hostile-headers`: the handler answers as usual, with headers a proxy must not pass on added
//!   (`Set-Cookie`, `Access-Control-*`, `Refresh`, `Location`, `Content-Security-Policy`,
//!   `Strict-Transport-Security`, `Link`, `X-Hostile`) and an `X-Request-Id` it may pass on
//! - `drop-after`: the handler runs to its end (a create is stored), then the connection closes
//!   without the response: a write whose outcome the client cannot know

use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::is_admin_path;
use super::request_log::{RequestId, RequestLog};
use super::connection::ConnectionKiller;
use super::platform;

/// Request header carrying a fault spec.
pub const FAULT_HEADER: &str = "x-sandbox-fault";

/// How `Retry-After` is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RetryAfter {
    Seconds(u64),
    /// HTTP-date this many seconds ahead.
    DateAhead(u64),
}

/// A parsed fault spec.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultPlan {
    pub spec: String,
    pub latency_ms: Option<u64>,
    pub status: Option<u16>,
    pub retry_after: Option<RetryAfter>,
    pub malformed_json: bool,
    pub html: bool,
    pub truncate: bool,
    pub drop: bool,
    pub huge_bytes: Option<u64>,
    pub declared: bool,
    pub in_message: bool,
    pub hostile_headers: bool,
    pub drop_after: bool,
}

impl FaultPlan {
    /// Parses a spec (see the module docs).
    pub fn parse(spec: &str) -> Result<FaultPlan, String> {
        let mut plan = FaultPlan { spec: spec.trim().to_string(), ..FaultPlan::default() };
        let number = |key: &str, value: Option<&str>| -> Result<u64, String> {
            value
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or_else(|| format!("{key} needs a number, e.g. {key}=2"))
        };
        for item in spec.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()) {
            let (key, value) = match item.split_once('=') {
                Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v.trim())),
                None => (item.to_ascii_lowercase(), None),
            };
            match key.as_str() {
                "latency" => plan.latency_ms = Some(number("latency", value)?),
                "status" => {
                    let status = number("status", value)?;
                    if !(400..=599).contains(&status) {
                        return Err(format!("status must be a 4xx or 5xx code, got {status}"));
                    }
                    plan.status = Some(status as u16);
                }
                "retry-after" => plan.retry_after = Some(RetryAfter::Seconds(number("retry-after", value)?)),
                "retry-after-date" => {
                    let ahead = match value {
                        None => 3,
                        Some(_) => number("retry-after-date", value)?,
                    };
                    plan.retry_after = Some(RetryAfter::DateAhead(ahead));
                }
                "malformed-json" => plan.malformed_json = true,
                "html" => plan.html = true,
                "truncate" => plan.truncate = true,
                "drop" => plan.drop = true,
                "huge" => plan.huge_bytes = Some(number("huge", value)?),
                "declared" => plan.declared = true,
                "in-message" => plan.in_message = true,
                "hostile-headers" => plan.hostile_headers = true,
                "drop-after" => plan.drop_after = true,
                other => {
                    return Err(format!(
                        "unknown fault {other:?}; known: latency=MS, status=NNN, retry-after=S, retry-after-date[=S], malformed-json, html, truncate, drop, huge=BYTES, declared, in-message, hostile-headers, drop-after"
                    ))
                }
            }
        }
        if plan == (FaultPlan { spec: plan.spec.clone(), ..FaultPlan::default() }) {
            return Err("empty fault spec".into());
        }
        Ok(plan)
    }

    /// Whether the request continues to its handler after the latency.
    fn continues(&self) -> bool {
        self.status.is_none()
            && self.retry_after.is_none()
            && !self.malformed_json
            && !self.html
            && !self.truncate
            && !self.drop
            && self.huge_bytes.is_none()
    }
}

/// A queued fault.
#[derive(Clone, Debug)]
struct QueuedFault {
    path_prefix: String,
    method: Option<String>,
    remaining: u32,
    plan: FaultPlan,
}

/// State of the fault layer: the queue and the request log (to note applied faults).
#[derive(Clone, Default)]
pub struct Faults {
    queue: Arc<Mutex<Vec<QueuedFault>>>,
    log: RequestLog,
}

/// Body of `POST /__admin/faults`.
#[derive(Debug, Deserialize)]
pub struct QueueRequest {
    #[serde(default = "root")]
    pub path_prefix: String,
    #[serde(default = "one")]
    pub count: u32,
    pub fault: String,
    /// Only requests of this method (any when absent).
    pub method: Option<String>,
}

fn root() -> String {
    "/".into()
}

fn one() -> u32 {
    1
}

impl Faults {
    /// Fault state sharing `log`.
    pub fn new(log: RequestLog) -> Self {
        Faults { queue: Arc::default(), log }
    }

    fn take(&self, method: &str, path: &str) -> Option<FaultPlan> {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        let index = queue.iter().position(|f| {
            path.starts_with(&f.path_prefix) && f.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
        })?;
        let plan = queue[index].plan.clone();
        queue[index].remaining -= 1;
        if queue[index].remaining == 0 {
            queue.remove(index);
        }
        Some(plan)
    }

    fn snapshot(&self) -> Value {
        let queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        Value::Array(
            queue
                .iter()
                .map(|f| json!({"path_prefix": f.path_prefix, "method": f.method, "remaining": f.remaining, "fault": f.plan.spec}))
                .collect(),
        )
    }

    /// Forgets every queued fault.
    pub fn clear(&self) {
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// `POST /__admin/faults`.
pub async fn queue_fault(State(faults): State<Faults>, Json(request): Json<QueueRequest>) -> Response {
    let plan = match FaultPlan::parse(&request.fault) {
        Ok(plan) => plan,
        Err(e) => return (StatusCode::BAD_REQUEST, Json(json!({"error": e}))).into_response(),
    };
    if request.count == 0 {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "count must be at least 1"}))).into_response();
    }
    faults.queue.lock().unwrap_or_else(|p| p.into_inner()).push(QueuedFault {
        path_prefix: request.path_prefix,
        method: request.method,
        remaining: request.count,
        plan,
    });
    Json(json!({"queued": faults.snapshot()})).into_response()
}

/// `GET /__admin/faults`: what is still queued.
pub async fn list_faults(State(faults): State<Faults>) -> Json<Value> {
    Json(json!({"queued": faults.snapshot()}))
}

/// `DELETE /__admin/faults`.
pub async fn clear_faults(State(faults): State<Faults>) -> Json<Value> {
    faults.clear();
    Json(json!({"ok": true}))
}

fn json_error(status: StatusCode, path: &str) -> Response {
    let body = json!({
        "status": status.as_u16(),
        "error": status.canonical_reason().unwrap_or("Error"),
        "message": "fault injected by the sandbox",
        "path": path,
    });
    (status, Json(body)).into_response()
}

fn html_error(status: StatusCode) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let code = status.as_u16();
    let page = format!(
        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

/// A body that announces `full.len()` bytes, sends about half, then fails (hyper then closes
/// the connection). The pause lets the partial bytes reach the client first.
fn truncated_response(full: &'static str) -> Response {
    let partial = Bytes::from_static(&full.as_bytes()[..full.len() / 2]);
    let stream = futures_util::stream::unfold(0u8, move |step| {
        let partial = partial.clone();
        async move {
            match step {
                0 => Some((Ok::<Bytes, std::io::Error>(partial), 1)),
                1 => {
                    platform::sleep(100).await;
                    Some((Err(std::io::Error::other("response truncated by sandbox fault")), 2))
                }
                _ => None,
            }
        }
    });
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(full.len()));
    response
}

/// A JSON answer of exactly `total` bytes (at least the envelope's), produced 64 KiB at a time so
/// the sandbox never holds it whole; a client that stops reading stops the stream.
fn huge_response(total: u64, declared: bool, in_message: bool) -> Response {
    let head: &'static [u8] = if in_message { br#"{"code":50002,"desc":"","data":null,"message":""# } else { br#"{"code":200,"message":"OK","data":""# };
    const TAIL: &[u8] = br#""}"#;
    const CHUNK: u64 = 64 * 1024;
    let envelope = (head.len() + TAIL.len()) as u64;
    let total = total.max(envelope);
    let padding = total - envelope;
    let stream = futures_util::stream::unfold(0u64, move |sent| async move {
        if sent >= total {
            return None;
        }
        let mut chunk = Vec::new();
        if sent == 0 {
            chunk.extend_from_slice(head);
        }
        let padded_so_far = sent.saturating_sub(head.len() as u64).min(padding);
        let room = CHUNK.saturating_sub(chunk.len() as u64);
        let pad = (padding - padded_so_far).min(room);
        chunk.resize(chunk.len() + pad as usize, b'x');
        if padded_so_far + pad == padding {
            chunk.extend_from_slice(TAIL);
        }
        let next = sent + chunk.len() as u64;
        Some((Ok::<Bytes, std::io::Error>(Bytes::from(chunk)), next))
    });
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    if declared {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(total));
    }
    response
}

/// What `hostile-headers` adds: headers an upstream may send that a proxy must never pass back to
/// a browser on its own origin, and one request id it may.
pub const HOSTILE_HEADERS: &[(&str, &str)] = &[
    ("set-cookie", "sandbox_session=stolen; Path=/; HttpOnly"),
    ("access-control-allow-origin", "*"),
    ("access-control-allow-credentials", "true"),
    ("access-control-expose-headers", "*"),
    ("refresh", "0; url=https://evil.example/"),
    ("location", "https://evil.example/"),
    ("content-security-policy", "script-src * 'unsafe-inline'"),
    ("strict-transport-security", "max-age=0"),
    ("link", "<https://evil.example/x.js>; rel=preload; as=script"),
    ("x-hostile", "1"),
    ("x-request-id", "sandbox-hostile-1"),
];

fn add_hostile_headers(response: &mut Response) {
    let headers = response.headers_mut();
    for (name, value) in HOSTILE_HEADERS {
        headers.append(*name, HeaderValue::from_static(value));
    }
}

const TRUNCATED_BODY: &str = r#"{"code":200,"message":"OK","desc":"","data":[{"id":60001,"name":"佐藤 太郎","avatar":"5cbe78b135060d0001750ef5","mobile":"09012345678","remark":"","type":1,"groupList":null,"ic_number":"","job_number":"E10001","create_at":"2024-04-01 09:00:00.0"},{"id":60002,"name":"鈴木 花子","avatar":"5cbe78b135060d0001750ef6","mobile":"09012345679","remark":"","type":1,"groupList":null}]}"#;

/// Middleware: applies the header fault, else the first matching queued fault.
pub async fn inject(State(faults): State<Faults>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if is_admin_path(&path) {
        return next.run(request).await;
    }
    let plan = match request.headers().get(FAULT_HEADER) {
        Some(value) => match FaultPlan::parse(value.to_str().unwrap_or("")) {
            Ok(plan) => Some(plan),
            Err(e) => {
                return (StatusCode::BAD_REQUEST, Json(json!({"error": format!("invalid {FAULT_HEADER}: {e}")})))
                    .into_response()
            }
        },
        None => faults.take(request.method().as_str(), &path),
    };
    let Some(plan) = plan else {
        return next.run(request).await;
    };
    if let Some(RequestId(id)) = request.extensions().get::<RequestId>().copied() {
        faults.log.annotate(id, "fault", json!(plan.spec));
    }
    if let Some(ms) = plan.latency_ms {
        platform::sleep(ms).await;
    }
    if plan.drop_after {
        let killer = request.extensions().get::<ConnectionKiller>().cloned();
        // The handler's work is done (and kept); only its answer is lost.
        let _ = next.run(request).await;
        if let Some(killer) = killer {
            killer.kill();
            std::future::pending::<()>().await;
        }
        let stream = futures_util::stream::once(async { Err::<Bytes, _>(std::io::Error::other("dropped by sandbox fault")) });
        return Response::new(Body::from_stream(stream));
    }
    if plan.continues() {
        let mut response = next.run(request).await;
        if plan.hostile_headers {
            add_hostile_headers(&mut response);
        }
        return response;
    }
    if plan.drop {
        if let Some(killer) = request.extensions().get::<ConnectionKiller>() {
            killer.kill();
            // The connection task drops this future together with the socket.
            std::future::pending::<()>().await;
        }
        // Served without the sandbox's accept loop: fail the body, hyper then aborts.
        let stream = futures_util::stream::once(async { Err::<Bytes, _>(std::io::Error::other("dropped by sandbox fault")) });
        return Response::new(Body::from_stream(stream));
    }
    if plan.truncate {
        return truncated_response(TRUNCATED_BODY);
    }
    if let Some(bytes) = plan.huge_bytes {
        return huge_response(bytes, plan.declared, plan.in_message);
    }
    let mut response = if plan.html {
        html_error(plan.status.and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::BAD_GATEWAY))
    } else if plan.malformed_json {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
            r#"{"code":200,"message":"OK","desc":"","data":{"id":60001,"name":"佐藤"#,
        )
            .into_response()
    } else {
        let status = plan.status.and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        json_error(status, &path)
    };
    match &plan.retry_after {
        Some(RetryAfter::Seconds(s)) => {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*s));
        }
        Some(RetryAfter::DateAhead(s)) => {
            let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_millis(platform::wall_ms().max(0) as u64) + Duration::from_secs(*s));
            if let Ok(value) = HeaderValue::from_str(&date) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        None => {}
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_answers_have_the_asked_length_and_parse() {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        for total in [10, 40, 64 * 1024, 200_000] {
            let response = huge_response(total, false, false);
            let bytes = rt.block_on(axum::body::to_bytes(response.into_body(), usize::MAX)).unwrap();
            assert_eq!(bytes.len() as u64, total.max(37));
            let value: Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(value["code"], 200);
        }
    }

    #[test]
    fn parses_combined_specs() {
        let plan = FaultPlan::parse("latency=200,status=503;retry-after=2").unwrap();
        assert_eq!(plan.latency_ms, Some(200));
        assert_eq!(plan.status, Some(503));
        assert_eq!(plan.retry_after, Some(RetryAfter::Seconds(2)));
        assert!(FaultPlan::parse("latency=50").unwrap().continues());
        assert!(FaultPlan::parse("explode").is_err());
        assert!(FaultPlan::parse("status=200").is_err());
        assert_eq!(FaultPlan::parse("status=429;retry-after-date").unwrap().retry_after, Some(RetryAfter::DateAhead(3)));
        let hostile = FaultPlan::parse("hostile-headers").unwrap();
        assert!(hostile.hostile_headers && hostile.continues());
    }

    #[test]
    fn drop_after_runs_the_handler_first() {
        let plan = FaultPlan::parse("drop-after").unwrap();
        assert!(plan.drop_after && plan.continues());
        assert!(FaultPlan::parse("latency=10,drop-after").unwrap().drop_after);
    }
}
