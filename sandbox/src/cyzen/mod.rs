//! cyzen emulator: `/webapi/v0/...` resources and the OAuth 2.0 server under `/oauth/...`, plus test
//! hooks under `/__admin/cyzen/...`. See `sandbox/docs/cyzen.md`.
//!
//! Modules: `config` (settings), `data` (seeded store), `auth` (tokens, bearer check, stats),
//! `ratelimit` (sliding window per token), `resources` (the path table and generic list/create/
//! update/delete), `oauth` (authorization server), `admin` (test hooks), `util` (PRNG, datetimes,
//! error envelope, form parsing, PNG).

mod admin;
mod auth;
mod config;
mod data;
mod oauth;
mod ratelimit;
mod resources;
mod util;

pub use config::{CyzenConfig, OAuthClient, DEFAULT_COMPANY_ID};

use axum::routing::{any, get, post};
use axum::Router;

use crate::common::clock::Clock;
use std::sync::{Arc, Mutex};

pub(crate) struct Inner {
    pub cfg: Mutex<CyzenConfig>,
    /// Start-up configuration (restored by `POST /__admin/cyzen/reset`).
    pub initial_cfg: CyzenConfig,
    pub seed: u64,
    pub anchor: i64,
    pub store: Mutex<data::Store>,
    pub tokens: Mutex<auth::Tokens>,
    pub rates: Mutex<ratelimit::Rates>,
    /// The sandbox's clock: token, code and consent expiry and the rate-limit windows.
    pub clock: Clock,
}

pub(crate) type Shared = Arc<Inner>;

impl Inner {
    pub fn cfg(&self) -> CyzenConfig {
        self.cfg.lock().unwrap().clone()
    }
}

/// Whether `anchor` is a `YYYY-MM-DDThh:mm:ss` datetime (what [`router`] accepts).
pub fn is_valid_anchor(anchor: &str) -> bool {
    util::parse_dt(anchor).is_some()
}

/// Routes of the cyzen emulator (state is internal), with its own clock.
///
/// Panics if `config.anchor` is set but not a `YYYY-MM-DDThh:mm:ss` datetime.
pub fn router(config: CyzenConfig, seed: u64) -> Router {
    router_with_clock(config, seed, Clock::default())
}

/// [`router`] reading expiries and rate-limit windows on `clock` (the whole sandbox shares one,
/// moved by `POST /__admin/clock`).
///
/// Panics if `config.anchor` is set but not a `YYYY-MM-DDThh:mm:ss` datetime.
pub fn router_with_clock(config: CyzenConfig, seed: u64, clock: Clock) -> Router {
    let anchor = match &config.anchor {
        Some(a) => util::parse_dt(a)
            .unwrap_or_else(|| panic!("cyzen anchor {a:?} is not YYYY-MM-DDThh:mm:ss")),
        None => util::day_start(util::now_ts()),
    };
    let state: Shared = Arc::new(Inner {
        store: Mutex::new(data::Store::generate(seed, anchor)),
        tokens: Mutex::new(auth::Tokens::new(seed, clock.clone())),
        rates: Mutex::new(ratelimit::Rates { clock: clock.clone(), ..ratelimit::Rates::default() }),
        clock,
        initial_cfg: config.clone(),
        cfg: Mutex::new(config),
        seed,
        anchor,
    });
    Router::new()
        .route("/webapi/v0/{resource}", any(resources::handle))
        .route("/webapi/v0/{resource}/{*rest}", any(resources::not_found))
        .route(
            "/oauth/authorize",
            get(oauth::authorize_get).post(oauth::authorize_post),
        )
        .route("/oauth/token", post(oauth::token))
        .route(
            "/__admin/cyzen/config",
            get(admin::get_config).post(admin::set_config),
        )
        .route(
            "/__admin/cyzen/stats",
            get(admin::get_stats).delete(admin::reset_stats),
        )
        .route("/__admin/cyzen/expire", post(admin::expire))
        .route("/__admin/cyzen/tokens", post(admin::mint))
        .route("/__admin/cyzen/info", get(admin::info))
        .route("/__admin/cyzen/reset", post(admin::reset_data))
        .with_state(state)
}
