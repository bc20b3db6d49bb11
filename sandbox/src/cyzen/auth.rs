//! Token store (OAuth codes, access and refresh tokens, consent tickets), bearer authentication of
//! API calls and the counters behind `GET /__admin/cyzen/stats`.

use super::config::CyzenConfig;
use super::util::{ApiErr, Rng};
use axum::http::{header, HeaderMap};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use crate::common::clock::{Clock, Moment};
use crate::common::platform;
use std::time::Duration;

#[derive(Debug, Clone)]
#[allow(dead_code)] // client_id / scope are kept for debugging and future checks
pub struct AccessToken {
    pub client_id: String,
    pub user_id: String,
    pub scope: Option<String>,
    pub expires_at: Moment,
    /// Set by `POST /__admin/cyzen/expire`.
    pub force_expired: bool,
    /// Set when the authorization code it came from was replayed (RFC 6749 §4.1.2).
    pub revoked: bool,
    /// Id of the grant (authorization code) the token descends from.
    pub family: String,
}

#[derive(Debug, Clone)]
pub struct RefreshToken {
    pub client_id: String,
    pub user_id: String,
    pub scope: Option<String>,
    pub expires_at: Moment,
    pub used: bool,
    pub revoked: bool,
    pub family: String,
}

#[derive(Debug, Clone)]
pub struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub scope: Option<String>,
    pub user_id: String,
    pub expires_at: Moment,
    pub used: bool,
}

/// A pending consent page (`GET /oauth/authorize` shown, waiting for the button).
#[derive(Debug, Clone)]
pub struct Consent {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub code_challenge: String,
    pub scope: Option<String>,
    pub expires_at: Moment,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Count {
    pub calls: u64,
    pub ok: u64,
}

#[derive(Debug, Default)]
pub struct AuthStats {
    pub missing: u64,
    pub invalid: u64,
    pub expired: u64,
    /// grant_type (or "other") -> calls / successes at `POST /oauth/token`
    pub token_endpoint: BTreeMap<String, Count>,
    pub approved: u64,
    pub denied: u64,
}

impl AuthStats {
    pub fn to_json(&self) -> Value {
        let mut te = serde_json::Map::new();
        for g in ["authorization_code", "refresh_token", "other"] {
            let c = self.token_endpoint.get(g).copied().unwrap_or_default();
            te.insert(g.to_string(), json!({"calls": c.calls, "ok": c.ok}));
        }
        json!({
            "unauthorized": {"missing": self.missing, "invalid": self.invalid, "expired": self.expired},
            "token_endpoint": te,
            "authorize": {"approved": self.approved, "denied": self.denied},
        })
    }
}

pub struct Tokens {
    pub access: HashMap<String, AccessToken>,
    pub refresh: HashMap<String, RefreshToken>,
    pub codes: HashMap<String, AuthCode>,
    pub consents: HashMap<String, Consent>,
    pub stats: AuthStats,
    rng: Rng,
    clock: Clock,
}

/// What an authenticated call acts as.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token: String,
    /// `None` for a static token.
    pub user_id: Option<String>,
}

pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub scope: Option<String>,
}

impl Issued {
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "access_token": self.access_token,
            "token_type": "bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
        });
        if let Some(s) = &self.scope {
            v["scope"] = json!(s);
        }
        v
    }
}

impl Tokens {
    /// Expiries are read on `clock` (so moving its offset forward expires tokens).
    pub fn new(seed: u64, clock: Clock) -> Self {
        // Mix in the wall clock so tokens from an earlier run of the sandbox are never valid again.
        let nanos = (platform::wall_ms() as u64).wrapping_mul(1_000_000) ^ platform::monotonic_ns() as u64;
        Tokens {
            access: HashMap::new(),
            refresh: HashMap::new(),
            codes: HashMap::new(),
            consents: HashMap::new(),
            stats: AuthStats::default(),
            rng: Rng::new(seed ^ nanos.rotate_left(17)),
            clock,
        }
    }

    pub fn random(&mut self, prefix: &str) -> String {
        format!("{prefix}{}{}", self.rng.hex32(), &self.rng.hex32()[..16])
    }

    /// Issue an access + refresh token pair.
    pub fn issue(
        &mut self,
        cfg: &CyzenConfig,
        client_id: &str,
        user_id: &str,
        scope: Option<String>,
        family: &str,
        ttl_override: Option<u64>,
    ) -> Issued {
        let now = self.clock.moment();
        let ttl = ttl_override.unwrap_or(cfg.access_token_ttl_secs);
        let at = self.random("czat_");
        let rt = self.random("czrt_");
        self.access.insert(
            at.clone(),
            AccessToken {
                client_id: client_id.to_string(),
                user_id: user_id.to_string(),
                scope: scope.clone(),
                expires_at: now + Duration::from_secs(ttl),
                force_expired: false,
                revoked: false,
                family: family.to_string(),
            },
        );
        self.refresh.insert(
            rt.clone(),
            RefreshToken {
                client_id: client_id.to_string(),
                user_id: user_id.to_string(),
                scope: scope.clone(),
                expires_at: now + Duration::from_secs(cfg.refresh_token_ttl_secs),
                used: false,
                revoked: false,
                family: family.to_string(),
            },
        );
        Issued {
            access_token: at,
            refresh_token: rt,
            expires_in: ttl,
            scope,
        }
    }

    /// Revoke every token descending from one grant (authorization-code replay).
    pub fn revoke_family(&mut self, family: &str) {
        for t in self.access.values_mut().filter(|t| t.family == family) {
            t.revoked = true;
        }
        for t in self.refresh.values_mut().filter(|t| t.family == family) {
            t.revoked = true;
        }
    }

    /// Check `Authorization: bearer <token>` (scheme case-insensitive).
    pub fn authenticate(
        &mut self,
        headers: &HeaderMap,
        cfg: &CyzenConfig,
    ) -> Result<Caller, ApiErr> {
        let Some(raw) = headers.get(header::AUTHORIZATION) else {
            self.stats.missing += 1;
            return Err(ApiErr::unauthorized(
                "missing access token: send 'Authorization: bearer <token>'",
            ));
        };
        let raw = raw.to_str().unwrap_or("");
        let token = match raw.split_once(' ') {
            Some((scheme, tok))
                if scheme.eq_ignore_ascii_case("bearer") && !tok.trim().is_empty() =>
            {
                tok.trim()
            }
            _ => {
                self.stats.invalid += 1;
                return Err(ApiErr::unauthorized(
                    "invalid authorization header: expected 'bearer <token>'",
                ));
            }
        };
        if cfg.static_tokens.iter().any(|s| s == token) {
            return Ok(Caller {
                token: token.to_string(),
                user_id: None,
            });
        }
        match self.access.get(token) {
            None => {
                self.stats.invalid += 1;
                Err(ApiErr::unauthorized("invalid access token"))
            }
            Some(t) if t.revoked => {
                self.stats.invalid += 1;
                Err(ApiErr::unauthorized("invalid access token (revoked)"))
            }
            Some(t) if t.force_expired || self.clock.moment() >= t.expires_at => {
                self.stats.expired += 1;
                Err(ApiErr::unauthorized("access token expired"))
            }
            Some(t) => Ok(Caller {
                token: token.to_string(),
                user_id: Some(t.user_id.clone()),
            }),
        }
    }
}
