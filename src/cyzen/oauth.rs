//! OAuth 2.0 authorization code grant (RFC 6749) with PKCE S256 (RFC 7636) and `state`, refresh
//! tokens (rotating ones included), and the single-flight refresh every concurrent caller shares.
//!
//! cyzen's real authorize URL, token URL, scopes and the way it takes the *app token* are not
//! public: everything is configuration with no built-in default, and the requests are plain
//! RFC 6749 so that any compliant server works.
//!
//! **Single flight without a shared future.** Cloudflare Workers forbid awaiting a promise created
//! while serving another request. So the refresh is a shared *state*, not a shared future: the first
//! caller that needs a new token takes a lease and performs the refresh; every other caller sleeps
//! in short steps on its own timer until the token generation changes (then it uses the new token)
//! or the leader's attempt ends in failure (then it fails with the leader's error). A lease older
//! than [`LEASE_MS`], or one whose leader was dropped, is taken over.

#[allow(unused_imports)]
use crate::prelude::*;

use core::cell::RefCell;
use core::future::Future;

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};

use super::cookie;
use crate::doc::{json_string, Doc, Kind};
use crate::error::{Detail, Error, ErrorCode, Result};
use crate::http::{form_encode_component, split_url, Body, Method, Request, Response, Target};
use crate::runtime::{random_bytes, Runtime, Wait};
use crate::secret::{redact_text, Secret};

/// How long a refresh may hold its lease before another caller takes over.
pub const LEASE_MS: f64 = 30_000.0;
/// How often a caller waiting for another caller's refresh checks again.
pub const WAIT_STEP_MS: u64 = 25;
/// A token this close to its expiry is refreshed before use.
pub const EXPIRY_SKEW_MS: f64 = 30_000.0;
/// How long a pending authorization (its verifier or cookie) stays valid.
pub const PENDING_TTL_MS: f64 = 600_000.0;

/// base64url without padding (RFC 4648 §5), as PKCE wants.
pub fn base64url(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Standard base64 with padding (HTTP Basic).
pub fn base64(bytes: &[u8]) -> String {
    Base64::encode_string(bytes)
}

/// Decodes canonical unpadded base64url; `None` on anything else.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).ok()
}

/// 32 random bytes as 43 base64url characters (a PKCE verifier or a `state`).
pub fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    random_bytes(&mut bytes)?;
    Ok(base64url(&bytes))
}

/// `BASE64URL(SHA256(verifier))` (RFC 7636 §4.2).
pub fn challenge(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

/// OAuth settings. No field has a cyzen default: the real values are not public.
#[derive(Clone, Debug, Default)]
pub struct OAuthConfig {
    /// Authorization endpoint; empty when this instance only uses stored tokens (a scheduled job
    /// that refreshes): signing in then fails with `INVALID_INPUT`.
    pub authorize_url: String,
    /// Token endpoint.
    pub token_url: String,
    /// Client id.
    pub client_id: String,
    /// Client secret (confidential clients); none for public clients, which rely on PKCE alone.
    pub client_secret: Option<Secret>,
    /// Send the client secret in the form body (`client_secret_post`) instead of HTTP Basic
    /// (`client_secret_basic`, RFC 6749 §2.3.1's must-support method, the default).
    pub secret_in_body: bool,
    /// Redirect URI registered for the client; empty as `authorize_url` may be.
    pub redirect_uri: String,
    /// Requested scope (space-separated), if any.
    pub scope: Option<String>,
    /// App token and the header that carries it to the token endpoint.
    pub app_token: Option<(String, Secret)>,
    /// Key prefix in the store.
    pub store_prefix: String,
    /// Secret for the signed PKCE cookie (no store needed for pending authorizations).
    pub cookie_secret: Option<Secret>,
}

/// Tokens from the token endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenSet {
    /// The access token.
    pub access_token: Secret,
    /// The refresh token, if the server issued one.
    pub refresh_token: Option<Secret>,
    /// `bearer`.
    pub token_type: String,
    /// When the access token expires (Unix ms), if the server said (`expires_in`).
    pub expires_at_ms: Option<f64>,
    /// Granted scope, if the server said.
    pub scope: Option<String>,
}

impl TokenSet {
    /// A token set holding only an access token.
    pub fn bearer(access_token: impl Into<String>) -> TokenSet {
        TokenSet {
            access_token: Secret::new(access_token),
            refresh_token: None,
            token_type: "bearer".into(),
            expires_at_ms: None,
            scope: None,
        }
    }

    /// The JSON kept in the store.
    pub fn to_json(&self) -> String {
        let mut out = format!(
            "{{\"access_token\":{},\"token_type\":{}",
            json_string(self.access_token.expose()),
            json_string(&self.token_type)
        );
        if let Some(rt) = &self.refresh_token {
            out.push_str(&format!(",\"refresh_token\":{}", json_string(rt.expose())));
        }
        if let Some(at) = self.expires_at_ms {
            out.push_str(&format!(",\"expires_at\":{}", at as i64));
        }
        if let Some(scope) = &self.scope {
            out.push_str(&format!(",\"scope\":{}", json_string(scope)));
        }
        out.push('}');
        out
    }

    /// Reads what [`TokenSet::to_json`] wrote, as the host parsed it (`None` when it is not a
    /// token set).
    pub fn from_doc<D: Doc>(value: &D) -> Option<TokenSet> {
        let text_of = |k: &str| value.get(k).and_then(|v| v.text());
        let access = text_of("access_token").filter(|s| !s.is_empty())?;
        Some(TokenSet {
            access_token: Secret::new(access),
            refresh_token: text_of("refresh_token").filter(|s| !s.is_empty()).map(Secret::new),
            token_type: text_of("token_type").unwrap_or_else(|| "bearer".into()),
            expires_at_ms: value.get("expires_at").and_then(|v| v.number()).filter(|n| n.is_finite()),
            scope: text_of("scope"),
        })
    }

    /// Whether the access token is expired (or about to be) at `now_ms`.
    pub fn is_expired(&self, now_ms: f64) -> bool {
        self.expires_at_ms.is_some_and(|at| now_ms >= at - EXPIRY_SKEW_MS)
    }
}

/// The authorization URL for `state` and the PKCE `challenge`.
pub fn authorization_url(cfg: &OAuthConfig, state: &str, challenge: &str) -> String {
    let mut request = Request::new(Method::Get, cfg.authorize_url.clone())
        .query("response_type", "code")
        .query("client_id", cfg.client_id.clone())
        .query("redirect_uri", cfg.redirect_uri.clone());
    if let Some(scope) = &cfg.scope {
        request = request.query("scope", scope.clone());
    }
    request.query("state", state).query("code_challenge", challenge).query("code_challenge_method", "S256").full_url()
}

/// What the token request asks for.
pub enum Grant<'a> {
    /// Exchange an authorization code (with its PKCE verifier).
    Code {
        /// The code from the callback.
        code: &'a str,
        /// The PKCE verifier.
        verifier: &'a str,
    },
    /// Use a refresh token.
    Refresh(&'a Secret),
}

/// The token request (form body; client authentication; app token header).
pub fn token_request(cfg: &OAuthConfig, grant: Grant<'_>) -> Request {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: &str| fields.push((k.to_string(), v.to_string()));
    match grant {
        Grant::Code { code, verifier } => {
            push("grant_type", "authorization_code");
            push("code", code);
            push("redirect_uri", &cfg.redirect_uri);
            push("code_verifier", verifier);
        }
        Grant::Refresh(token) => {
            push("grant_type", "refresh_token");
            push("refresh_token", token.expose());
        }
    }
    let mut request = Request::new(Method::Post, cfg.token_url.clone()).header("Accept", "application/json");
    request.target = Target::TokenEndpoint;
    match &cfg.client_secret {
        Some(secret) if !cfg.secret_in_body => {
            // RFC 6749 §2.3.1: both parts form-encoded, then base64.
            let pair = format!("{}:{}", form_encode_component(&cfg.client_id), form_encode_component(secret.expose()));
            request = request.header("Authorization", format!("Basic {}", base64(pair.as_bytes())));
        }
        Some(secret) => {
            push("client_id", &cfg.client_id);
            push("client_secret", secret.expose());
        }
        None => push("client_id", &cfg.client_id),
    }
    if let Some((header, token)) = &cfg.app_token {
        request = request.header(header.clone(), token.expose());
    }
    request.body(Body::Form(fields))
}

/// Longest `error_description` kept, in characters.
const DESCRIPTION_CHARS: usize = 300;

fn oauth_error(error: &str, description: Option<&str>, status: Option<u16>, secrets: &[&str]) -> Error {
    // The server's texts are masked (an echoed client secret or token) and cut before they reach a
    // message.
    let error: String = redact_text(error, secrets).chars().take(80).collect();
    let error = error.as_str();
    let description: Option<String> =
        description.map(|d| redact_text(d, secrets).chars().take(DESCRIPTION_CHARS).collect());
    let description = description.as_deref();
    let code = match error {
        "invalid_grant" => ErrorCode::OAuthInvalidGrant,
        "invalid_client" | "unauthorized_client" => ErrorCode::OAuthInvalidClient,
        "access_denied" => ErrorCode::OAuthAccessDenied,
        _ => ErrorCode::OAuthError,
    };
    let message = match description {
        Some(d) if !d.is_empty() => format!("{error}: {d}"),
        _ => error.to_string(),
    };
    let mut e = Error::new(code, format!("OAuth {message}")).with_detail("oauthError", Detail::Str(error.to_string()));
    if let Some(d) = description {
        e = e.with_detail("oauthErrorDescription", Detail::Str(d.to_string()));
    }
    match status {
        Some(s) => e.with_status(s),
        None => e,
    }
}

/// Reads a token endpoint answer (RFC 6749 §5.1 success, §5.2 error). On a refresh, `previous`
/// supplies the refresh token and scope the server may leave out.
pub fn decode_token_response<V: Doc>(
    response: &Response<V>,
    now_ms: f64,
    previous: Option<&TokenSet>,
    secrets: &[&str],
) -> Result<TokenSet> {
    let status = response.status;
    if status == 0 {
        return Err(Error::new(ErrorCode::OAuthError, "the token endpoint answered with a redirect (not followed)")
            .with_status(0));
    }
    let body = response.json().filter(|b| b.kind() == Kind::Object);
    let text = |k: &str| body.and_then(|b| b.get(k)).and_then(|v| v.text());
    if let Some(error) = text("error") {
        return Err(oauth_error(&error, text("error_description").as_deref(), Some(status), secrets)
            .with_body(response.excerpt(secrets)));
    }
    let fail = |why: &str| {
        Error::new(ErrorCode::OAuthError, format!("token endpoint: {why}"))
            .with_status(status)
            .with_body(response.excerpt(secrets))
    };
    if !response.is_success() {
        return Err(fail(&format!("HTTP {status}")));
    }
    let access = text("access_token").filter(|s| !s.is_empty()).ok_or_else(|| fail("no access_token in the answer"))?;
    let token_type = text("token_type").unwrap_or_else(|| "bearer".into());
    if !token_type.eq_ignore_ascii_case("bearer") {
        let shown: String = token_type.chars().take(20).collect();
        return Err(fail(&format!("unsupported token_type \"{shown}\"")));
    }
    let expires_in = body.and_then(|b| b.get("expires_in")).and_then(|v| match v.kind() {
        Kind::Number => v.number().filter(|n| n.is_finite() && *n >= 0.0),
        Kind::Text => v.text().and_then(|t| t.trim().parse::<u32>().ok()).map(f64::from),
        _ => None,
    });
    Ok(TokenSet {
        access_token: Secret::new(access),
        refresh_token: text("refresh_token")
            .filter(|s| !s.is_empty())
            .map(Secret::new)
            .or_else(|| previous.and_then(|p| p.refresh_token.clone())),
        token_type: "bearer".into(),
        expires_at_ms: expires_in.map(|s| now_ms + s * 1000.0),
        scope: text("scope").or_else(|| previous.and_then(|p| p.scope.clone())),
    })
}

/// The parameters of the redirect back to the application.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Callback {
    /// `state`.
    pub state: Option<String>,
    /// `code`.
    pub code: Option<String>,
    /// `error`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
}

/// Reads the callback URL's query (a full URL, or just its `?query`).
pub fn parse_callback(url: &str) -> Callback {
    let (_, query) = if url.contains('?') { split_url(url) } else { split_url(&format!("?{url}")) };
    let mut cb = Callback::default();
    for (k, v) in query {
        let slot = match k.as_str() {
            "state" => &mut cb.state,
            "code" => &mut cb.code,
            "error" => &mut cb.error,
            "error_description" => &mut cb.error_description,
            _ => continue,
        };
        slot.get_or_insert(v);
    }
    cb
}

/// An authorization to send the user to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizationRequest {
    /// Where to send the user.
    pub url: String,
    /// The `state` in that URL.
    pub state: String,
    /// With a cookie secret: the signed value to set as a cookie (HttpOnly, Secure, SameSite=Lax).
    pub cookie: Option<String>,
}

#[derive(Debug)]
struct Lease {
    attempt: u64,
    since_ms: f64,
}

#[derive(Debug, Default)]
struct TokenState {
    tokens: Option<TokenSet>,
    loaded: bool,
    generation: u64,
    lease: Option<Lease>,
    attempts: u64,
    /// The last failed attempt: its number, the generation it tried to replace, the error.
    failed: Option<(u64, u64, Error)>,
}

/// Failures that repeating the same refresh cannot fix.
fn is_permanent(error: &Error) -> bool {
    matches!(error.code, ErrorCode::OAuthInvalidGrant | ErrorCode::OAuthInvalidClient | ErrorCode::OAuthNoToken)
}

/// OAuth client state: configuration, and the current tokens with their generation. The tokens
/// and pending authorizations are kept in the caller's store, reached through the runtime.
pub struct OAuth {
    /// Settings.
    pub cfg: OAuthConfig,
    state: RefCell<TokenState>,
}

/// Clears the lease if its leader is dropped before finishing (a cancelled call), so a waiter
/// takes over at once.
struct LeaseGuard<'a> {
    state: &'a RefCell<TokenState>,
    attempt: u64,
}

impl Drop for LeaseGuard<'_> {
    fn drop(&mut self) {
        let mut st = self.state.borrow_mut();
        if st.lease.as_ref().is_some_and(|l| l.attempt == self.attempt) {
            st.lease = None;
        }
    }
}

impl OAuth {
    /// Checks the settings (URLs absolute, ids present). `authorize_url` and `redirect_uri` may be
    /// empty (stored tokens only); the sign-in steps then refuse to start.
    pub fn new(cfg: OAuthConfig) -> Result<OAuth> {
        let sign_in = [("authorizeUrl", &cfg.authorize_url), ("redirectUri", &cfg.redirect_uri)];
        for (field, url) in
            [("tokenUrl", &cfg.token_url)].into_iter().chain(sign_in.into_iter().filter(|(_, url)| !url.is_empty()))
        {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(Error::invalid_input(field, "must be an absolute http(s) URL"));
            }
        }
        if cfg.client_id.is_empty() {
            return Err(Error::invalid_input("clientId", "is required"));
        }
        if cfg.cookie_secret.as_ref().is_some_and(|s| s.expose().len() < cookie::MIN_SECRET_LEN) {
            return Err(Error::invalid_input("cookieSecret", "must be at least 32 bytes"));
        }
        Ok(OAuth { cfg, state: RefCell::new(TokenState::default()) })
    }

    /// Fails with `INVALID_INPUT` naming the first of `fields` left out of the settings: the sign-in
    /// steps need them, an instance that only uses stored tokens does not.
    fn require_sign_in(&self, step: &str, fields: &[&str]) -> Result<()> {
        for field in fields {
            let value = if *field == "authorizeUrl" { &self.cfg.authorize_url } else { &self.cfg.redirect_uri };
            if value.is_empty() {
                return Err(Error::invalid_input(
                    *field,
                    format!(
                        "is required to sign in ({step}); only an instance that uses stored tokens can leave it out"
                    ),
                ));
            }
        }
        Ok(())
    }

    fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.cfg.store_prefix)
    }

    fn secrets(&self) -> Vec<&str> {
        let mut out = Vec::new();
        if let Some(s) = &self.cfg.client_secret {
            out.push(s.expose());
        }
        if let Some((_, t)) = &self.cfg.app_token {
            out.push(t.expose());
        }
        out
    }

    /// Starts an authorization: a fresh `state` and PKCE verifier (kept in the store under the
    /// state, or derived from the signed cookie), and the URL to send the user to.
    pub async fn authorization_url<R: Runtime>(&self, rt: &R) -> Result<AuthorizationRequest> {
        self.require_sign_in("authorizationUrl", &["authorizeUrl", "redirectUri"])?;
        let state = random_token()?;
        let expires_ms = rt.now_ms() + PENDING_TTL_MS;
        let (verifier, cookie) = match &self.cfg.cookie_secret {
            Some(secret) => {
                let expires = (expires_ms / 1000.0) as i64;
                let bytes = secret.expose().as_bytes();
                (cookie::derived_verifier(bytes, &state, expires)?, Some(cookie::sign(bytes, &state, expires)?))
            }
            None => {
                let verifier = random_token()?;
                let record =
                    format!("{{\"verifier\":{},\"expires_at\":{}}}", json_string(&verifier), expires_ms as i64);
                rt.save(&self.key(&format!("pkce:{state}")), Some(record)).await?;
                (verifier, None)
            }
        };
        Ok(AuthorizationRequest { url: authorization_url(&self.cfg, &state, &challenge(&verifier)), state, cookie })
    }

    async fn take_verifier<R: Runtime>(&self, rt: &R, state: &str, cookie: Option<&str>) -> Result<String> {
        if let Some(secret) = &self.cfg.cookie_secret {
            let now = (rt.now_ms() / 1000.0) as i64;
            return cookie::verify(secret.expose().as_bytes(), cookie.unwrap_or(""), state, now);
        }
        let key = self.key(&format!("pkce:{state}"));
        let record = rt.load(&key).await?;
        let unknown = || {
            Error::new(
                ErrorCode::OAuthState,
                "the callback's state is unknown, already used or expired (possible CSRF); start the sign-in again",
            )
        };
        let record = record.ok_or_else(unknown)?;
        // One use only, whatever happens next.
        rt.save(&key, None).await?;
        let verifier = record.get("verifier").and_then(|v| v.text()).ok_or_else(unknown)?;
        if record.get("expires_at").and_then(|v| v.number()).is_some_and(|at| rt.now_ms() >= at) {
            return Err(unknown());
        }
        Ok(verifier)
    }

    /// Completes an authorization from the callback URL: checks `state`, reports `error`, and
    /// exchanges the code (with the PKCE verifier) for tokens, which are stored.
    pub async fn handle_callback<R: Runtime>(&self, rt: &R, url: &str, cookie: Option<&str>) -> Result<TokenSet> {
        // Checked before the pending authorization is read (and used up).
        self.require_sign_in("handleCallback", &["redirectUri"])?;
        let cb = parse_callback(url);
        let state = cb
            .state
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::new(ErrorCode::OAuthState, "the callback has no state"))?;
        let verifier = self.take_verifier(rt, state, cookie).await?;
        if let Some(error) = &cb.error {
            return Err(oauth_error(error, cb.error_description.as_deref(), None, &self.secrets()));
        }
        let code = cb
            .code
            .as_deref()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| Error::new(ErrorCode::OAuthError, "the callback has neither code nor error"))?;
        let response = rt.send(token_request(&self.cfg, Grant::Code { code, verifier: &verifier })).await?;
        let tokens = decode_token_response(&response, rt.now_ms(), None, &self.secrets())?;
        self.replace(rt, Some(tokens.clone())).await?;
        Ok(tokens)
    }

    async fn ensure_loaded<R: Runtime>(&self, rt: &R) -> Result<()> {
        if self.state.borrow().loaded {
            return Ok(());
        }
        let stored = rt.load(&self.key("tokens")).await?;
        let mut st = self.state.borrow_mut();
        if !st.loaded {
            st.loaded = true;
            st.tokens = stored.as_ref().and_then(TokenSet::from_doc);
            st.generation += 1;
        }
        Ok(())
    }

    /// The current tokens (from the store on first use), if any.
    pub async fn tokens<R: Runtime>(&self, rt: &R) -> Result<Option<TokenSet>> {
        self.ensure_loaded(rt).await?;
        Ok(self.state.borrow().tokens.clone())
    }

    /// Replaces the tokens (`None` signs out) and stores them.
    pub async fn replace<R: Runtime>(&self, rt: &R, tokens: Option<TokenSet>) -> Result<()> {
        {
            let mut st = self.state.borrow_mut();
            st.tokens = tokens.clone();
            st.loaded = true;
            st.generation += 1;
        }
        rt.save(&self.key("tokens"), tokens.as_ref().map(TokenSet::to_json)).await
    }

    /// A usable access token and its generation; refreshes first when it is known to be expired,
    /// and waits for a refresh under way.
    pub async fn current<R: Runtime>(&self, rt: &R) -> Result<(Secret, u64)> {
        self.ensure_loaded(rt).await?;
        let (expired, generation) = {
            let st = self.state.borrow();
            let tokens = st.tokens.as_ref().ok_or_else(no_token)?;
            // While a refresh is under way the current token is likely refused: wait for the new one.
            (tokens.is_expired(rt.now_ms()) || st.lease.is_some(), st.generation)
        };
        if expired {
            return self.renew(rt, generation).await.map(|(t, g)| (t.access_token, g));
        }
        let st = self.state.borrow();
        Ok((st.tokens.as_ref().ok_or_else(no_token)?.access_token.clone(), st.generation))
    }

    /// The access token held now and its generation — `None` while a refresh is under way —
    /// without loading, refreshing or waiting.
    pub fn peek(&self) -> Option<(Secret, u64)> {
        let st = self.state.borrow();
        if st.lease.is_some() {
            return None;
        }
        st.tokens.as_ref().map(|t| (t.access_token.clone(), st.generation))
    }

    /// Refreshes now (joining a refresh already under way) and returns the new tokens.
    pub async fn refresh<R: Runtime>(&self, rt: &R) -> Result<TokenSet> {
        self.ensure_loaded(rt).await?;
        let generation = self.state.borrow().generation;
        self.renew_inner(rt, generation, true).await.map(|(t, _)| t)
    }

    /// The tokens that replace generation `stale`: someone else's refresh if one happened or is
    /// under way, else this caller's own. Never awaits another caller's future (see the module docs).
    /// After a refusal that a retry cannot fix (`invalid_grant`, `invalid_client`, no refresh
    /// token), callers with the same stale generation fail at once with that error — the tokens are
    /// kept — until the tokens change ([`OAuth::replace`], a callback) or [`OAuth::refresh`] is called.
    // A plain function handing out `renew_inner`'s future: an `async fn` wrapper would be a second
    // state machine that the optimiser fills with a copy of `renew_inner` (4 KB of wasm).
    pub fn renew<'a, R: Runtime>(
        &'a self,
        rt: &'a R,
        stale: u64,
    ) -> impl Future<Output = Result<(TokenSet, u64)>> + 'a {
        self.renew_inner(rt, stale, false)
    }

    async fn renew_inner<R: Runtime>(&self, rt: &R, stale: u64, force: bool) -> Result<(TokenSet, u64)> {
        let mut waited_on: Option<u64> = None;
        let (attempt, current) = loop {
            let refused = {
                let mut st = self.state.borrow_mut();
                if st.generation != stale {
                    if let Some(tokens) = &st.tokens {
                        return Ok((tokens.clone(), st.generation));
                    }
                }
                let now = rt.now_ms();
                match &st.lease {
                    Some(lease) if now - lease.since_ms < LEASE_MS => {
                        waited_on = Some(lease.attempt);
                        None
                    }
                    _ => {
                        let mut refused = None;
                        if let Some((failed, generation, error)) = &st.failed {
                            let leader_failed = waited_on == Some(*failed);
                            let known_refusal = !force && *generation == stale && is_permanent(error);
                            if leader_failed || known_refusal {
                                refused = Some(error.clone());
                            }
                        }
                        if refused.is_none() {
                            st.attempts += 1;
                            let attempt = st.attempts;
                            st.lease = Some(Lease { attempt, since_ms: now });
                            break (attempt, st.tokens.clone());
                        }
                        refused
                    }
                }
            };
            if let Some(error) = refused {
                // The refusal stands unless another instance has stored other tokens since (it
                // won a rotation race, or the user signed in again): then they are adopted.
                return match self.adopt_stored(rt).await? {
                    Some(adopted) => Ok(adopted),
                    None => Err(error),
                };
            }
            rt.sleep(WAIT_STEP_MS, Wait::Refresh).await?;
        };
        let _guard = LeaseGuard { state: &self.state, attempt };
        // Other instances sharing these tokens (isolates, through the host's coordinator) wait
        // here while one refreshes; each then finds the winner's tokens in the store
        // (`refresh_once` reads it first), so one refresh reaches the token endpoint.
        let lock = self.key("tokens");
        rt.lock(&lock).await?;
        let outcome = self.refresh_once(rt, current.as_ref()).await;
        let settled = {
            let mut st = self.state.borrow_mut();
            if st.lease.as_ref().is_some_and(|l| l.attempt == attempt) {
                st.lease = None;
            }
            match outcome {
                Ok((tokens, save)) => {
                    st.tokens = Some(tokens.clone());
                    st.loaded = true;
                    st.generation += 1;
                    st.failed = None;
                    Ok((tokens, save, st.generation))
                }
                Err(error) => {
                    st.failed = Some((attempt, stale, error.clone()));
                    Err(error)
                }
            }
        };
        let saved = match &settled {
            Ok((_, Some(json), _)) => rt.save(&lock, Some(json.clone())).await,
            _ => Ok(()),
        };
        rt.unlock(&lock).await;
        let (tokens, _, generation) = settled?;
        saved?;
        Ok((tokens, generation))
    }

    /// After a refusal: the stored tokens, adopted as the current generation, when they differ from
    /// the ones held (other refresh token, or another access token still valid); else `None`.
    async fn adopt_stored<R: Runtime>(&self, rt: &R) -> Result<Option<(TokenSet, u64)>> {
        let stored = rt.load(&self.key("tokens")).await?.as_ref().and_then(TokenSet::from_doc);
        let mut st = self.state.borrow_mut();
        match stored {
            Some(stored) if replaces(&stored, st.tokens.as_ref(), rt.now_ms()) => {
                st.tokens = Some(stored.clone());
                st.loaded = true;
                st.generation += 1;
                st.failed = None;
                Ok(Some((stored, st.generation)))
            }
            _ => Ok(None),
        }
    }

    /// One refresh: adopt newer tokens another instance stored, else ask the token endpoint. When
    /// the endpoint refuses the refresh token for good (`invalid_grant`: another instance used it
    /// first and rotated it), the store is read again and the winner's tokens adopted — or, when
    /// they are expired too, refreshed with their own refresh token, once.
    /// Returns the tokens and, when they are new, the JSON to store.
    async fn refresh_once<R: Runtime>(&self, rt: &R, current: Option<&TokenSet>) -> Result<(TokenSet, Option<String>)> {
        let stored = rt.load(&self.key("tokens")).await?.as_ref().and_then(TokenSet::from_doc);
        if let Some(stored) = stored {
            let newer = current.is_none_or(|c| c.access_token != stored.access_token);
            if newer && !stored.is_expired(rt.now_ms()) {
                return Ok((stored, None));
            }
        }
        let current = current.ok_or_else(no_token)?;
        let error = match self.exchange(rt, current).await {
            Err(error) if is_permanent(&error) => error,
            other => return other,
        };
        let stored = rt.load(&self.key("tokens")).await?.as_ref().and_then(TokenSet::from_doc);
        match stored {
            Some(stored) if stored.refresh_token.is_some() && stored.refresh_token != current.refresh_token => {
                if !stored.is_expired(rt.now_ms()) {
                    Ok((stored, None))
                } else {
                    self.exchange(rt, &stored).await
                }
            }
            Some(stored) if stored.access_token != current.access_token && !stored.is_expired(rt.now_ms()) => {
                Ok((stored, None))
            }
            _ => Err(error),
        }
    }

    /// Asks the token endpoint for tokens replacing `current` (its refresh token).
    async fn exchange<R: Runtime>(&self, rt: &R, current: &TokenSet) -> Result<(TokenSet, Option<String>)> {
        let refresh_token = current.refresh_token.as_ref().ok_or_else(|| {
            Error::new(ErrorCode::OAuthNoToken, "the access token expired and there is no refresh token; sign in again")
        })?;
        let response = rt.send(token_request(&self.cfg, Grant::Refresh(refresh_token))).await?;
        let mut secrets = self.secrets();
        secrets.push(refresh_token.expose());
        let tokens = decode_token_response(&response, rt.now_ms(), Some(current), &secrets)?;
        let json = tokens.to_json();
        Ok((tokens, Some(json)))
    }
}

/// Whether `stored` tokens should replace the `held` ones after a refusal: another refresh token
/// (a rotation or a new sign-in happened elsewhere), or another access token that is still valid.
fn replaces(stored: &TokenSet, held: Option<&TokenSet>, now_ms: f64) -> bool {
    let Some(held) = held else { return true };
    let rotated = stored.refresh_token.is_some() && stored.refresh_token != held.refresh_token;
    rotated || (stored.access_token != held.access_token && !stored.is_expired(now_ms))
}

fn no_token() -> Error {
    Error::new(
        ErrorCode::OAuthNoToken,
        "no OAuth token yet: send the user to authorizationUrl() and call handleCallback()",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::testing::parse;
    use crate::http::{parse_form_urlencoded, Payload};
    use serde_json::Value;

    fn answer(status: u16, body: &str) -> Response<Value> {
        match serde_json::from_str(body) {
            Ok(doc) => Response::new(status, Payload::Json(doc)),
            Err(_) => Response::new(status, Payload::Text(Value::String(body.into()))),
        }
    }

    fn cfg() -> OAuthConfig {
        OAuthConfig {
            authorize_url: "https://auth.example/authorize?tenant=1".into(),
            token_url: "https://auth.example/token".into(),
            client_id: "my client".into(),
            client_secret: Some(Secret::new("s3cr:et")),
            redirect_uri: "https://app.example/cb".into(),
            scope: Some("read write".into()),
            app_token: Some(("X-App-Token".into(), Secret::new("app-tok"))),
            store_prefix: "cyzen".into(),
            ..OAuthConfig::default()
        }
    }

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let v = random_token().unwrap();
        assert_eq!(v.len(), 43);
        assert!(v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(v, random_token().unwrap());
    }

    #[test]
    fn base64_forms() {
        assert_eq!(base64(b"Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        for data in [&b""[..], b"f", b"fo", b"foo", b"foob", &[0xff, 0xee, 0x01]] {
            assert_eq!(base64url_decode(&base64url(data)).unwrap(), data);
        }
        assert!(base64url_decode("a+b").is_none());
        assert!(base64url_decode("-_9").is_none(), "non-zero leftover bits");
        assert!(base64url_decode("A").is_none(), "six bits are no byte");
    }

    #[test]
    fn authorization_url_keeps_existing_query() {
        let url = authorization_url(&cfg(), "st", "ch");
        assert_eq!(
            url,
            "https://auth.example/authorize?tenant=1&response_type=code&client_id=my+client&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=read+write&state=st&code_challenge=ch&code_challenge_method=S256"
        );
    }

    #[test]
    fn token_requests() {
        let req = token_request(&cfg(), Grant::Code { code: "c0de", verifier: "ver" });
        assert_eq!(req.method(), Method::Post);
        assert_eq!(req.header_value("X-App-Token"), Some("app-tok"));
        // Basic: "my+client:s3cr%3Aet"
        assert_eq!(
            req.header_value("Authorization"),
            Some(format!("Basic {}", base64(b"my+client:s3cr%3Aet")).as_str())
        );
        let Body::Form(fields) = &req.body else { panic!() };
        let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["grant_type", "code", "redirect_uri", "code_verifier"]);
        let shown = format!("{req:?}");
        assert!(!shown.contains("app-tok") && !shown.contains("c0de") && !shown.contains("ver\""), "{shown}");

        let mut post = cfg();
        post.secret_in_body = true;
        let rt = Secret::new("rt-1");
        let req = token_request(&post, Grant::Refresh(&rt));
        assert!(req.header_value("Authorization").is_none());
        let Body::Form(fields) = &req.body else { panic!() };
        assert_eq!(
            crate::http::form_urlencode(fields),
            "grant_type=refresh_token&refresh_token=rt-1&client_id=my+client&client_secret=s3cr%3Aet"
        );

        let mut public = cfg();
        public.client_secret = None;
        let Body::Form(fields) = token_request(&public, Grant::Refresh(&rt)).body else { panic!() };
        assert_eq!(fields.last().unwrap(), &("client_id".to_string(), "my client".to_string()));
    }

    #[test]
    fn token_responses() {
        let ok = answer(
            200,
            r#"{"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":"rt","scope":"read"}"#,
        );
        let t = decode_token_response(&ok, 1000.0, None, &[]).unwrap();
        assert_eq!(t.access_token.expose(), "at");
        assert_eq!(t.expires_at_ms, Some(3_601_000.0));
        assert_eq!(t.refresh_token.as_ref().unwrap().expose(), "rt");
        // A refresh answer without refresh_token keeps the old one (RFC 6749 §6).
        let again = answer(200, r#"{"access_token":"at2","token_type":"bearer","expires_in":"60"}"#);
        let t2 = decode_token_response(&again, 0.0, Some(&t), &[]).unwrap();
        assert_eq!(t2.refresh_token.unwrap().expose(), "rt");
        assert_eq!(t2.scope.as_deref(), Some("read"));
        assert_eq!(t2.expires_at_ms, Some(60_000.0));

        let cases = [
            (
                400,
                r#"{"error":"invalid_grant","error_description":"refresh token already used"}"#,
                ErrorCode::OAuthInvalidGrant,
            ),
            (401, r#"{"error":"invalid_client"}"#, ErrorCode::OAuthInvalidClient),
            (400, r#"{"error":"invalid_scope"}"#, ErrorCode::OAuthError),
            (500, "<html>", ErrorCode::OAuthError),
            (200, r#"{"token_type":"bearer"}"#, ErrorCode::OAuthError),
            (200, r#"{"access_token":"x","token_type":"mac"}"#, ErrorCode::OAuthError),
            (0, "", ErrorCode::OAuthError),
        ];
        for (status, body, code) in cases {
            let e = decode_token_response(&answer(status, body), 0.0, None, &[]).unwrap_err();
            assert_eq!(e.code, code, "{body}");
        }
        let e = decode_token_response(&answer(400, cases[0].1), 0.0, None, &[]).unwrap_err();
        assert_eq!(e.detail("oauthError"), Some(&Detail::Str("invalid_grant".into())));
        assert_eq!(e.detail("oauthErrorDescription"), Some(&Detail::Str("refresh token already used".into())));
        assert_eq!(e.status, Some(400));
        // The server's description is masked (an echoed secret) and cut.
        let echo =
            format!(r#"{{"error":"invalid_client","error_description":"bad secret s3cr:et {}"}}"#, "x".repeat(1000));
        let e = decode_token_response(&answer(401, &echo), 0.0, None, &["s3cr:et"]).unwrap_err();
        assert!(!e.message.contains("s3cr:et") && e.message.chars().count() < 400, "{}", e.message);
        let escaped = r#"{"error":"invalid_grant","refresh\u005ftoken":"rt-9"}"#;
        let e = decode_token_response(&answer(400, escaped), 0.0, None, &[]).unwrap_err();
        assert!(!e.body.clone().unwrap_or_default().contains("rt-9"));
    }

    #[test]
    fn token_set_json_round_trip_and_redaction() {
        let t = TokenSet {
            access_token: Secret::new("a\"t"),
            refresh_token: Some(Secret::new("rt")),
            token_type: "bearer".into(),
            expires_at_ms: Some(1.7e12),
            scope: None,
        };
        assert_eq!(TokenSet::from_doc(&parse(&t.to_json())).unwrap(), t);
        assert!(TokenSet::from_doc(&parse("{}")).is_none());
        assert!(!format!("{t:?}").contains("a\\\"t") && !format!("{t:?}").contains("rt\""));
        assert!(t.is_expired(1.7e12 - 1000.0));
        assert!(!t.is_expired(1.7e12 - 60_000.0));
    }

    #[test]
    fn callback_parameters() {
        let cb = parse_callback("https://app.example/cb?code=abc&state=x%2By&state=dup#f");
        assert_eq!(cb.code.as_deref(), Some("abc"));
        assert_eq!(cb.state.as_deref(), Some("x+y"));
        let cb = parse_callback("?error=access_denied&error_description=no+thanks&state=s");
        assert_eq!(cb.error.as_deref(), Some("access_denied"));
        assert_eq!(cb.error_description.as_deref(), Some("no thanks"));
        assert_eq!(parse_callback("state=s").state.as_deref(), Some("s"));
        let fields = parse_form_urlencoded("a=1");
        assert_eq!(fields.len(), 1);
    }
}
