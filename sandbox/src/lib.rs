//! Local emulator of the cyzen and SenseLink HTTP APIs.
//!
//! One server on 127.0.0.1 serves both services:
//! - SenseLink person APIs under `/api/...` (signed with `md5(timestamp#secret)`),
//! - cyzen under `/webapi/v0/...` plus its OAuth 2.0 server under `/oauth/...`,
//! - test hooks under `/__admin/...` (request log, faults, clock, push events).
//!
//! It is deliberately as strict as the real services so that client mistakes fail here first.
//! Start it in tests with [`start`] (port 0 picks a free port) and talk to
//! [`RunningSandbox::base_url`].

pub mod cli;
pub mod common;
pub mod cyzen;
pub mod senselink;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tower::ServiceExt;

use common::clock::Clock;
use common::faults::{self, Faults};
use common::request_log::{self, RequestLog};
#[cfg(not(target_arch = "wasm32"))]
pub use common::server::RunningSandbox;

/// Everything the sandbox can be configured with. Defaults are the documented demo credentials.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Seed fixing generated data and ids.
    pub seed: u64,
    /// SenseLink settings.
    pub senselink: senselink::SenseLinkConfig,
    /// cyzen settings.
    pub cyzen: cyzen::CyzenConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            seed: 1,
            senselink: senselink::SenseLinkConfig::default(),
            cyzen: cyzen::CyzenConfig::default(),
        }
    }
}

/// Path the cyzen router may implement to take part in `POST /__admin/reset`.
pub const CYZEN_RESET_PATH: &str = "/__admin/cyzen/reset";

#[derive(Clone)]
struct AdminState {
    log: RequestLog,
    faults: Faults,
    clock: Clock,
    senselink: senselink::SenseLink,
    cyzen: Router,
}

/// The whole sandbox as one router: SenseLink, cyzen and the admin hooks, wrapped in CORS, the
/// request log and fault injection (outermost first).
pub fn app(config: &Config) -> Router {
    let clock = Clock::default();
    let log = RequestLog::new();
    let faults = Faults::new(log.clone());
    let senselink = senselink::SenseLink::new(config.senselink.clone(), config.seed, clock.clone());
    let cyzen = cyzen::router_with_clock(config.cyzen.clone(), config.seed, clock.clone());
    let admin = AdminState { log: log.clone(), faults: faults.clone(), clock, senselink: senselink.clone(), cyzen: cyzen.clone() };

    Router::new()
        .merge(senselink.router())
        .merge(cyzen)
        .merge(admin_routes(admin))
        .layer(from_fn_with_state(faults, faults::inject))
        .layer(from_fn_with_state(log, request_log::record))
        .layer(common::cors::layer())
}

/// Starts the sandbox on `config.listen` and serves it in a background task.
#[cfg(not(target_arch = "wasm32"))]
pub async fn start(config: Config) -> std::io::Result<RunningSandbox> {
    RunningSandbox::bind(config.listen, app(&config)).await
}

fn admin_routes(state: AdminState) -> Router {
    Router::new()
        .route("/__admin/health", get(|| async { Json(json!({"ok": true})) }))
        .route("/__admin/reset", post(reset))
        .route(
            "/__admin/requests",
            get(|State(s): State<AdminState>, q| request_log::list_requests(State(s.log), q))
                .delete(|State(s): State<AdminState>| request_log::clear_requests(State(s.log))),
        )
        .route(
            "/__admin/faults",
            get(|State(s): State<AdminState>| faults::list_faults(State(s.faults)))
                .post(|State(s): State<AdminState>, body| faults::queue_fault(State(s.faults), body))
                .delete(|State(s): State<AdminState>| faults::clear_faults(State(s.faults))),
        )
        .route("/__admin/clock", get(get_clock).post(set_clock))
        .with_state(state)
}

/// `POST /__admin/reset`: seeded SenseLink state, start-up settings, clock, request log and
/// fault queue; then forwards to cyzen's `POST /__admin/cyzen/reset` if it exists.
async fn reset(State(state): State<AdminState>) -> Response {
    state.senselink.reset();
    state.clock.set_offset_ms(0);
    state.log.clear();
    state.faults.clear();
    let request = Request::builder().method(Method::POST).uri(CYZEN_RESET_PATH).body(Body::empty());
    let cyzen = match request {
        Ok(request) => match state.cyzen.clone().oneshot(request).await {
            Ok(response) if response.status().is_success() => "reset",
            Ok(response) if response.status() == StatusCode::NOT_FOUND => "no reset hook",
            _ => "reset failed",
        },
        Err(_) => "reset failed",
    };
    Json(json!({"ok": true, "senselink": "reset", "cyzen": cyzen})).into_response()
}

fn clock_json(clock: &Clock) -> Value {
    json!({"now_ms": clock.now_ms(), "offset_ms": clock.offset_ms()})
}

async fn get_clock(State(state): State<AdminState>) -> Json<Value> {
    Json(clock_json(&state.clock))
}

#[derive(Deserialize)]
struct ClockChange {
    offset_ms: i64,
}

/// `POST /__admin/clock {"offset_ms": N}`: the server clock (as SenseLink sees it) runs N ms
/// ahead (negative: behind) of the wall clock.
async fn set_clock(State(state): State<AdminState>, Json(change): Json<ClockChange>) -> Json<Value> {
    state.clock.set_offset_ms(change.offset_ms);
    Json(clock_json(&state.clock))
}
