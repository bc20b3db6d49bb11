//! cyzen emulator settings: start-up values (`CyzenConfig`) and the runtime patch accepted by
//! `POST /__admin/cyzen/config`.

use serde::{Deserialize, Serialize};

/// Default tenant id (32 hex chars) of the single seeded company.
pub const DEFAULT_COMPANY_ID: &str = "5c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5b";

/// One registered OAuth client.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OAuthClient {
    pub client_id: String,
    /// `None` = public client (PKCE alone, no client authentication).
    pub client_secret: Option<String>,
    /// Exact redirect URIs registered for this client (loopback callbacks are accepted in addition
    /// when `CyzenConfig::allow_loopback_redirects` is on).
    pub redirect_uris: Vec<String>,
}

/// cyzen-side settings. Every field can also be changed at runtime through
/// `POST /__admin/cyzen/config` (JSON object with any subset of these field names).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CyzenConfig {
    /// Tenant id every call must carry (`company_id`, 32 hex chars).
    pub company_id: String,
    /// Long-lived static tokens valid for `company_id`.
    pub static_tokens: Vec<String>,
    /// Registered OAuth clients.
    pub clients: Vec<OAuthClient>,
    /// Accept any `http://127.0.0.1:<port>/...`, `http://localhost:<port>/...` or
    /// `http://[::1]:<port>/...` redirect URI for every client (local development).
    pub allow_loopback_redirects: bool,
    /// Header that must carry the app token at the token endpoint.
    pub app_token_header: String,
    /// Expected app token value.
    pub app_token: String,
    /// Skip the consent page: `GET /oauth/authorize` redirects with a code at once.
    pub auto_approve: bool,
    /// Access-token lifetime in seconds.
    pub access_token_ttl_secs: u64,
    /// Refresh-token lifetime in seconds.
    pub refresh_token_ttl_secs: u64,
    /// Authorization-code lifetime in seconds.
    pub code_ttl_secs: u64,
    /// Accepted calls per token within any 1-second sliding window; 0 disables the limit
    /// (calls are still counted in the stats).
    pub rate_limit_per_sec: u32,
    /// Status of an over-limit answer: 503 (today's service) or 429 (announced).
    pub rate_limit_status: u16,
    /// Add `Retry-After: <seconds>` to over-limit answers.
    pub retry_after: bool,
    /// Inject the known `/schedules` HTTP 500 for one seeded day when the window is wider than a day.
    pub schedules_500_quirk: bool,
    /// The next N resource calls (after auth and rate limiting) answer HTTP 200 with `errors[]`.
    pub force_errors_in_200: u32,
    /// Emit `next_history_id` (older servers) instead of `next_history_created_at`.
    pub legacy_history_cursor: bool,
    /// Anchor of the seeded timeline (`YYYY-MM-DDThh:mm:ss`, UTC). `None`: today 00:00:00 UTC at start.
    /// Histories/trackings cover the 30 days before it, reports the 14 days before it, schedules
    /// 7 days either side, spot updates the 60 days before it.
    pub anchor: Option<String>,
}

impl Default for CyzenConfig {
    fn default() -> Self {
        CyzenConfig {
            company_id: DEFAULT_COMPANY_ID.to_string(),
            static_tokens: vec!["sandbox-static-token".to_string()],
            clients: vec![
                OAuthClient {
                    client_id: "sandbox-client".to_string(),
                    client_secret: Some("sandbox-client-secret".to_string()),
                    redirect_uris: vec!["https://app.example.com/oauth/callback".to_string()],
                },
                OAuthClient {
                    client_id: "sandbox-public-client".to_string(),
                    client_secret: None,
                    redirect_uris: vec!["https://app.example.com/oauth/callback".to_string()],
                },
            ],
            allow_loopback_redirects: true,
            app_token_header: "X-App-Token".to_string(),
            app_token: "sandbox-app-token".to_string(),
            auto_approve: false,
            access_token_ttl_secs: 3600,
            refresh_token_ttl_secs: 30 * 86_400,
            code_ttl_secs: 60,
            rate_limit_per_sec: 5,
            rate_limit_status: 503,
            retry_after: false,
            schedules_500_quirk: true,
            force_errors_in_200: 0,
            legacy_history_cursor: false,
            anchor: None,
        }
    }
}

/// Runtime patch: any subset of the fields; unknown names are refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigPatch {
    pub company_id: Option<String>,
    pub static_tokens: Option<Vec<String>>,
    pub clients: Option<Vec<OAuthClient>>,
    pub allow_loopback_redirects: Option<bool>,
    pub app_token_header: Option<String>,
    pub app_token: Option<String>,
    pub auto_approve: Option<bool>,
    pub access_token_ttl_secs: Option<u64>,
    pub refresh_token_ttl_secs: Option<u64>,
    pub code_ttl_secs: Option<u64>,
    pub rate_limit_per_sec: Option<u32>,
    pub rate_limit_status: Option<u16>,
    pub retry_after: Option<bool>,
    pub schedules_500_quirk: Option<bool>,
    pub force_errors_in_200: Option<u32>,
    pub legacy_history_cursor: Option<bool>,
}

impl ConfigPatch {
    pub fn apply(self, c: &mut CyzenConfig) -> Result<(), String> {
        if let Some(s) = self.rate_limit_status {
            if s != 503 && s != 429 {
                return Err("rate_limit_status must be 503 or 429".into());
            }
            c.rate_limit_status = s;
        }
        if let Some(v) = self.company_id {
            if v.len() != 32 || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err("company_id must be 32 hex chars".into());
            }
            c.company_id = v;
        }
        if let Some(v) = self.app_token_header {
            if axum::http::HeaderName::from_bytes(v.as_bytes()).is_err() {
                return Err("app_token_header is not a valid header name".into());
            }
            c.app_token_header = v;
        }
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = self.$f { c.$f = v; } )* };
        }
        set!(
            static_tokens,
            clients,
            allow_loopback_redirects,
            app_token,
            auto_approve,
            access_token_ttl_secs,
            refresh_token_ttl_secs,
            code_ttl_secs,
            rate_limit_per_sec,
            retry_after,
            schedules_500_quirk,
            force_errors_in_200,
            legacy_history_cursor
        );
        Ok(())
    }
}
