//! SenseLink test hooks under `/__admin/senselink/...` (never logged, never faulted).

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::push::{push_event, SubscriptionStatus, EVENT_DEVICE_ALERT, EVENT_RECOGNITION};
use super::store::*;
use super::{Edition, SenseLink, SenseLinkConfig};

/// The admin routes (state: [`SenseLink`]).
pub fn routes() -> Router<SenseLink> {
    Router::new()
        .route("/__admin/senselink/config", get(get_config).post(set_config))
        .route("/__admin/senselink/subscription", get(get_subscription).post(set_subscription))
        .route("/__admin/senselink/push", post(push))
        .route("/__admin/senselink/photo/{person_id}", get(photo))
        .route("/__admin/senselink/summary", get(summary))
}

fn bad_request(message: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message.into()}))).into_response()
}

fn config_json(config: &SenseLinkConfig) -> Value {
    json!({
        "app_key": config.app_key,
        "app_secret": config.app_secret,
        "edition": config.edition.as_str(),
        "person_limit": config.person_limit,
        "push_timeout_ms": config.push_timeout_ms,
    })
}

async fn get_config(State(sl): State<SenseLink>) -> Json<Value> {
    Json(config_json(&sl.config()))
}

/// Partial update: `{"edition"?, "person_limit"? (null = unlimited), "app_key"?, "app_secret"?}`.
async fn set_config(State(sl): State<SenseLink>, Json(body): Json<Map<String, Value>>) -> Response {
    let mut next = sl.config();
    for (key, value) in &body {
        match (key.as_str(), value) {
            ("edition", Value::String(s)) => match s.parse::<Edition>() {
                Ok(edition) => next.edition = edition,
                Err(e) => return bad_request(e),
            },
            ("person_limit", Value::Null) => next.person_limit = None,
            ("person_limit", Value::Number(n)) if n.as_u64().is_some() => {
                next.person_limit = n.as_u64().map(|n| n as usize)
            }
            ("app_key", Value::String(s)) if !s.is_empty() => next.app_key = s.clone(),
            ("app_secret", Value::String(s)) if !s.is_empty() => next.app_secret = s.clone(),
            _ => return bad_request(format!("unsupported setting {key} = {value}")),
        }
    }
    let updated = sl.update_config(|config| *config = next);
    Json(config_json(&updated)).into_response()
}

async fn get_subscription(State(sl): State<SenseLink>) -> Json<Value> {
    Json(json!(sl.subscription()))
}

/// `{"url"?: string|null, "timeout_ms"?: number}`; always re-enables (status normal).
async fn set_subscription(State(sl): State<SenseLink>, Json(body): Json<Map<String, Value>>) -> Response {
    let url = match body.get("url") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(u)) if u.starts_with("http://") || u.starts_with("https://") => Some(Some(u.clone())),
        Some(other) => return bad_request(format!("url must be an http(s) URL or null, got {other}")),
    };
    let timeout_ms = match body.get("timeout_ms") {
        None => None,
        Some(v) => match v.as_u64() {
            Some(ms) if ms > 0 => Some(ms),
            _ => return bad_request("timeout_ms must be a positive number"),
        },
    };
    let updated = sl.update_subscription(|s| {
        if let Some(url) = url {
            s.url = url;
        }
        if let Some(ms) = timeout_ms {
            s.timeout_ms = ms;
        }
        s.status = SubscriptionStatus::Normal;
        s.last_error = None;
    });
    Json(json!(updated)).into_response()
}

/// `{"eventType": "30000"|"30100", "data"?: {...}}` → pushes one event now and reports.
async fn push(State(sl): State<SenseLink>, headers: HeaderMap, Json(body): Json<Map<String, Value>>) -> Response {
    let event_type = match body.get("eventType") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => EVENT_RECOGNITION.to_string(),
    };
    if event_type != EVENT_RECOGNITION && event_type != EVENT_DEVICE_ALERT {
        return bad_request(format!("eventType must be {EVENT_RECOGNITION} or {EVENT_DEVICE_ALERT}"));
    }
    let origin = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| format!("http://{h}"))
        .unwrap_or_default();
    let data = body.get("data").filter(|d| !d.is_null()).cloned();
    Json(push_event(&sl, &event_type, data, &origin).await).into_response()
}

/// The exact bytes of a person's current photo (seeded synthetic PNG or the uploaded file).
async fn photo(State(sl): State<SenseLink>, Path(person_id): Path<i64>) -> Response {
    let store = sl.store();
    let photo = store
        .persons
        .get(&person_id)
        .and_then(|p| p.avatar.as_ref())
        .and_then(|a| store.photos.get(a))
        .cloned();
    match photo {
        Some(photo) => ([(header::CONTENT_TYPE, photo.content_type)], photo.bytes).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({"error": format!("person {person_id} has no photo")})))
            .into_response(),
    }
}

/// Counts and handy ids for tests.
async fn summary(State(sl): State<SenseLink>) -> Json<Value> {
    let config = sl.config();
    let store = sl.store();
    let count = |kind: u8| store.persons.values().filter(|p| p.kind == kind).count();
    let ids = |pred: &dyn Fn(&Person) -> bool| -> Vec<i64> {
        store.persons.values().filter(|p| pred(p)).map(|p| p.id).take(5).collect()
    };
    let groups: Vec<Value> = store
        .groups
        .values()
        .map(|g| json!({"id": g.id, "name": g.name, "type": g.kind}))
        .collect();
    let departments: Vec<Value> = store
        .departments
        .values()
        .map(|d| json!({"id": d.id, "name": d.name, "code": d.code, "parent_id": d.parent_id}))
        .collect();
    Json(json!({
        "edition": config.edition.as_str(),
        "app_key": config.app_key,
        "person_limit": config.person_limit,
        "persons": {
            "total": store.persons.len(),
            "employees": count(TYPE_EMPLOYEE),
            "visitors": count(TYPE_VISITOR),
            "deny_list": count(TYPE_DENY_LIST),
        },
        "sample_ids": {
            "employees_with_photo": ids(&|p| p.kind == TYPE_EMPLOYEE && p.avatar.is_some()),
            "employees_without_photo": ids(&|p| p.kind == TYPE_EMPLOYEE && p.avatar.is_none()),
            "visitors": ids(&|p| p.kind == TYPE_VISITOR),
            "deny_list_direct": ids(&|p| p.kind == TYPE_DENY_LIST && p.last_type == 0),
            "deny_list_moved_in": ids(&|p| p.kind == TYPE_DENY_LIST && p.last_type != 0),
        },
        "groups": groups,
        "departments": departments,
        "records": store.records.len(),
        "devices": store.devices.iter().map(|d| json!({"id": d.id, "name": d.name})).collect::<Vec<_>>(),
    }))
}
