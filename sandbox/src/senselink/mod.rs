//! SenseLink emulator: the signed `/api/...` person, group, department, record and recognition
//! APIs, plus its test hooks under `/__admin/senselink/...`.

pub mod admin;
pub mod api;
pub mod auth;
pub mod fields;
pub mod groups;
pub mod persons;
pub mod photos;
pub mod push;
pub mod records;
pub mod seed;
pub mod store;
pub mod views;

use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use axum::Router;

use crate::common::clock::Clock;

/// Default SenseLink credentials of the sandbox.
pub const DEFAULT_APP_KEY: &str = "sandbox-app-key";
pub const DEFAULT_APP_SECRET: &str = "sandbox-app-secret";
/// Default time the push subscriber has to answer.
pub const DEFAULT_PUSH_TIMEOUT_MS: u64 = 5_000;
/// Bodies above this are refused before parsing (well above the 4 MB photo limit, so that the
/// photo limit itself answers 30001 as the real service does).
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Which SenseLink product is emulated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Edition {
    /// SenseLink Cloud: person limit (709), v5 records, v3 quality API, list filters
    /// `departmentId`/`groups`.
    #[default]
    Cloud,
    /// SenseLink GE Enterprise / Pro: `icNumber`,`jobNumber`,`mobile`,`remark` required on
    /// employees, `name` required on employee update, v3 records, v1 quality API.
    Enterprise,
}

impl Edition {
    /// `cloud` or `enterprise`.
    pub fn as_str(self) -> &'static str {
        match self {
            Edition::Cloud => "cloud",
            Edition::Enterprise => "enterprise",
        }
    }
}

impl FromStr for Edition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cloud" => Ok(Edition::Cloud),
            "enterprise" | "ge" | "pro" => Ok(Edition::Enterprise),
            other => Err(format!("unknown edition {other:?} (cloud | enterprise)")),
        }
    }
}

/// SenseLink-side settings.
#[derive(Clone, Debug)]
pub struct SenseLinkConfig {
    pub app_key: String,
    pub app_secret: String,
    pub edition: Edition,
    /// Plan limit of persons (Cloud only): adding beyond it answers 709. None = unlimited.
    pub person_limit: Option<usize>,
    /// Event subscriber URL (plain `http://`).
    pub push_url: Option<String>,
    /// How long the subscriber may take to answer before the subscription turns abnormal.
    pub push_timeout_ms: u64,
}

impl Default for SenseLinkConfig {
    fn default() -> Self {
        SenseLinkConfig {
            app_key: DEFAULT_APP_KEY.into(),
            app_secret: DEFAULT_APP_SECRET.into(),
            edition: Edition::Cloud,
            person_limit: None,
            push_url: None,
            push_timeout_ms: DEFAULT_PUSH_TIMEOUT_MS,
        }
    }
}

struct Inner {
    initial: SenseLinkConfig,
    seed: u64,
    clock: Clock,
    config: Mutex<SenseLinkConfig>,
    store: Mutex<store::Store>,
    subscription: Mutex<push::Subscription>,
}

/// The SenseLink emulator: state plus routes. Cheap to clone (shared state).
#[derive(Clone)]
pub struct SenseLink {
    inner: Arc<Inner>,
}

impl SenseLink {
    /// A tenant seeded from `seed`, with the given settings and clock.
    pub fn new(config: SenseLinkConfig, seed: u64, clock: Clock) -> Self {
        let subscription = push::Subscription::new(config.push_url.clone(), config.push_timeout_ms);
        SenseLink {
            inner: Arc::new(Inner {
                initial: config.clone(),
                seed,
                clock,
                config: Mutex::new(config),
                store: Mutex::new(seed::seeded_store(seed)),
                subscription: Mutex::new(subscription),
            }),
        }
    }

    /// Restores the seeded tenant, the start-up settings and subscription.
    pub fn reset(&self) {
        *lock(&self.inner.store) = seed::seeded_store(self.inner.seed);
        *lock(&self.inner.config) = self.inner.initial.clone();
        *lock(&self.inner.subscription) =
            push::Subscription::new(self.inner.initial.push_url.clone(), self.inner.initial.push_timeout_ms);
    }

    /// Current settings (a copy).
    pub fn config(&self) -> SenseLinkConfig {
        lock(&self.inner.config).clone()
    }

    /// Changes the settings at run time.
    pub fn update_config(&self, change: impl FnOnce(&mut SenseLinkConfig)) -> SenseLinkConfig {
        let mut config = lock(&self.inner.config);
        change(&mut config);
        config.clone()
    }

    /// The tenant data (never hold the guard across an `.await`).
    pub fn store(&self) -> MutexGuard<'_, store::Store> {
        lock(&self.inner.store)
    }

    /// The server clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Current subscription (a copy).
    pub fn subscription(&self) -> push::Subscription {
        lock(&self.inner.subscription).clone()
    }

    /// Changes the subscription and returns the new state.
    pub fn update_subscription(&self, change: impl FnOnce(&mut push::Subscription)) -> push::Subscription {
        let mut subscription = lock(&self.inner.subscription);
        change(&mut subscription);
        subscription.clone()
    }

    /// 709 when the Cloud plan limit is reached.
    pub fn check_person_limit(&self, store: &store::Store) -> Result<(), api::ApiError> {
        let config = self.config();
        match config.person_limit {
            Some(limit) if config.edition == Edition::Cloud && store.persons.len() >= limit => Err(api::ApiError::new(
                api::CODE_PERSON_LIMIT,
                "The maximum number of persons in the tenant has been reached.",
                api::describe(
                    "ご利用のプランの登録人数上限に達しました。",
                    format!("{} persons registered, limit {limit}", store.persons.len()),
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Every SenseLink route (`/api/...`, `/static/avatar/...`, `/__admin/senselink/...`).
    pub fn router(&self) -> Router {
        let api = Router::new()
            // Seed §2.4: persons.
            .route("/api/v1/user", post(persons::add_employee))
            .route("/api/v2/user/update/{id}", post(persons::update_employee))
            .route("/api/v1/user/delete/{id}", get(persons::delete_employee))
            .route("/api/v2/staff/image_updated", get(persons::image_updated))
            .route("/api/v1/guest", post(persons::add_visitor))
            .route("/api/v1/guest/update/{id}", post(persons::update_visitor))
            .route("/api/v1/guest/delete/{id}", get(persons::delete_visitor))
            .route("/api/v2/black", post(persons::add_deny_listed))
            .route("/api/v2/black/move/in", post(persons::move_into_deny_list))
            .route("/api/v2/black/move/out", get(persons::move_out_of_deny_list))
            .route("/api/v2/black/update", post(persons::update_deny_listed))
            .route("/api/v2/black/delete/{id}", get(persons::delete_deny_listed))
            .route("/api/v1/user/list", get(persons::list_persons))
            // Outside the seed.
            .route("/api/v1/group", post(groups::add_group).get(groups::list_groups))
            .route("/api/v1/group/user", get(groups::group_members))
            .route("/api/v3/group/update", post(groups::update_group))
            .route("/api/v1/group/delete/{id}", get(groups::delete_group))
            .route("/api/v2/department", get(groups::department_tree))
            .route("/api/v2/department/search/code", get(groups::department_by_code))
            .route("/api/v5/record/list", get(records::records_v5))
            .route("/api/v3/record/list", get(records::records_v3))
            .route("/api/v2/device", get(records::devices))
            .route("/api/v1/recognition/check", post(photos::recognition_check))
            .route("/api/v3/recognition/quality", post(photos::recognition_quality))
            .route("/api/v1/recognition/quality", post(photos::recognition_quality))
            .route("/api/v3/server/version", get(records::server_version))
            .route("/api/v1/company", get(records::company))
            .route("/api/{*rest}", any(api::unknown_api_path))
            .route("/static/avatar/{image_id}", get(photos::serve_avatar))
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
        api.merge(admin::routes()).with_state(self.clone())
    }
}

/// Routes of a stand-alone SenseLink emulator with its own clock (see [`SenseLink::router`]).
pub fn router(config: SenseLinkConfig, seed: u64) -> Router {
    SenseLink::new(config, seed, Clock::default()).router()
}

/// Locks a mutex, recovering from poisoning (a panicking handler must not brick the sandbox).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
