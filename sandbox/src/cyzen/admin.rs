//! Test hooks under `/__admin/cyzen/...` (never part of the real service).

use super::config::ConfigPatch;
use super::data::Store;
use super::resources::{counts, table_json, MAGIC_ERRORS_IN_200};
use super::util::{fmt_dt, DAY};
use super::Shared;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

fn bad(msg: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": msg.into()}))).into_response()
}

#[allow(clippy::result_large_err)]
fn parse_json<T: for<'de> Deserialize<'de> + Default>(body: &[u8]) -> Result<T, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| bad(format!("invalid JSON body: {e}")))
}

/// `GET /__admin/cyzen/config`
pub async fn get_config(State(st): State<Shared>) -> Response {
    Json(serde_json::to_value(st.cfg()).unwrap_or(Value::Null)).into_response()
}

/// `POST /__admin/cyzen/config` — JSON object with any subset of the `CyzenConfig` fields
/// (except `anchor`); answers the resulting configuration.
pub async fn set_config(State(st): State<Shared>, body: Bytes) -> Response {
    let patch: ConfigPatch = match parse_json(&body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut cfg = st.cfg.lock().unwrap();
    let mut next = cfg.clone();
    if let Err(e) = patch.apply(&mut next) {
        return bad(e);
    }
    *cfg = next.clone();
    Json(serde_json::to_value(next).unwrap_or(Value::Null)).into_response()
}

/// `GET /__admin/cyzen/stats`
pub async fn get_stats(State(st): State<Shared>) -> Response {
    let mut v = st.rates.lock().unwrap().to_json();
    let a = st.tokens.lock().unwrap().stats.to_json();
    if let (Value::Object(m), Value::Object(extra)) = (&mut v, a) {
        m.extend(extra);
    }
    Json(v).into_response()
}

/// `DELETE /__admin/cyzen/stats`
pub async fn reset_stats(State(st): State<Shared>) -> Response {
    st.rates.lock().unwrap().reset();
    st.tokens.lock().unwrap().stats = Default::default();
    Json(json!({"ok": true})).into_response()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ExpireReq {
    access_token: Option<String>,
    refresh_token: Option<String>,
    all: Option<bool>,
}

/// `POST /__admin/cyzen/expire` — `{"access_token": "..."}`, `{"refresh_token": "..."}` or
/// `{"all": true}` (every OAuth access token; static tokens never expire).
pub async fn expire(State(st): State<Shared>, body: Bytes) -> Response {
    let req: ExpireReq = match parse_json(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let mut tokens = st.tokens.lock().unwrap();
    let mut n = 0;
    if let Some(t) = &req.access_token {
        match tokens.access.get_mut(t) {
            Some(a) => {
                a.force_expired = true;
                n += 1;
            }
            None => {
                return (
                    StatusCode::NOT_FOUND,
                    Json(json!({"error": "unknown access token"})),
                )
                    .into_response()
            }
        }
    }
    if let Some(t) = &req.refresh_token {
        match tokens.refresh.get_mut(t) {
            Some(r) => {
                r.expires_at = st.clock.moment();
                n += 1;
            }
            None => {
                return (
                    StatusCode::NOT_FOUND,
                    Json(json!({"error": "unknown refresh token"})),
                )
                    .into_response()
            }
        }
    }
    if req.all == Some(true) {
        for a in tokens.access.values_mut() {
            a.force_expired = true;
            n += 1;
        }
    }
    if req.access_token.is_none() && req.refresh_token.is_none() && req.all != Some(true) {
        return bad(
            "send {\"access_token\": \"...\"}, {\"refresh_token\": \"...\"} or {\"all\": true}",
        );
    }
    Json(json!({"expired": n})).into_response()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MintReq {
    client_id: Option<String>,
    ttl_secs: Option<u64>,
    scope: Option<String>,
}

/// `POST /__admin/cyzen/tokens` — issue a token pair without the browser flow:
/// `{"client_id"?, "ttl_secs"?, "scope"?}` → the token endpoint's success body.
pub async fn mint(State(st): State<Shared>, body: Bytes) -> Response {
    let req: MintReq = match parse_json(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let cfg = st.cfg();
    let client_id = req.client_id.unwrap_or_else(|| {
        cfg.clients
            .first()
            .map(|c| c.client_id.clone())
            .unwrap_or_else(|| "sandbox-client".into())
    });
    if !cfg.clients.iter().any(|c| c.client_id == client_id) {
        return bad(format!("unknown client_id {client_id}"));
    }
    let user = st.store.lock().unwrap().api_user_id.clone();
    let mut tokens = st.tokens.lock().unwrap();
    let family = tokens.random("admin_");
    let issued = tokens.issue(&cfg, &client_id, &user, req.scope, &family, req.ttl_secs);
    Json(issued.to_json()).into_response()
}

/// `GET /__admin/cyzen/info` — defaults, seeded counts, time ranges and ids tests need.
pub async fn info(State(st): State<Shared>) -> Response {
    let cfg = st.cfg();
    let store = st.store.lock().unwrap();
    let a = store.anchor;
    let image_ids: Vec<&String> = store.images.keys().collect();
    Json(json!({
        "company_id": cfg.company_id,
        "static_tokens": cfg.static_tokens,
        "clients": cfg.clients,
        "app_token_header": cfg.app_token_header,
        "app_token": cfg.app_token,
        "seed": st.seed,
        "anchor": fmt_dt(a),
        "api_user_id": store.api_user_id,
        "counts": counts(&store),
        "ranges": {
            "histories": {"from": fmt_dt(a - 30 * DAY), "to": fmt_dt(a - 1), "field": "create_at | created_at"},
            "trackings": {"from": fmt_dt(a - 30 * DAY), "to": fmt_dt(a - 1), "field": "create_at"},
            "reports": {"from": fmt_dt(a - 14 * DAY), "to": fmt_dt(a - 1), "field": "updated_at"},
            "schedules": {"from": fmt_dt(super::util::day_start(a) - 7 * DAY), "to": fmt_dt(super::util::day_start(a) + 7 * DAY - 1), "field": "start_date"},
            "spots": {"from": fmt_dt(a - 60 * DAY), "to": fmt_dt(a - 1), "field": "updated_at"},
        },
        "schedules_500_day": fmt_dt(store.schedules_bug_day),
        "image_ids": image_ids,
        "magic": {"errors_in_200_spot_code": MAGIC_ERRORS_IN_200},
        "paths": table_json(),
    }))
    .into_response()
}

/// `POST /__admin/cyzen/reset` — re-seed the data, restore the start-up configuration, clear the
/// stats and rate-limit windows. Issued tokens stay valid. Also called by the global
/// `POST /__admin/reset`.
pub async fn reset_data(State(st): State<Shared>) -> Response {
    let fresh = Store::generate(st.seed, st.anchor);
    *st.store.lock().unwrap() = fresh;
    *st.cfg.lock().unwrap() = st.initial_cfg.clone();
    st.rates.lock().unwrap().reset();
    st.tokens.lock().unwrap().stats = Default::default();
    Json(json!({"ok": true})).into_response()
}
