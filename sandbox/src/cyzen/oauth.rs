//! OAuth 2.0 authorization server (RFC 6749 authorization code grant + RFC 7636 PKCE S256, rotating
//! refresh tokens). The real cyzen URLs and the way it takes the app token are unknown; this is a
//! standard-compliant stand-in (see `sandbox/docs/cyzen.md`).

use super::auth::{AuthCode, Consent};
use super::config::CyzenConfig;
use super::util::{content_type, encode_params, html_escape, is_form, parse_params, Params};
use super::Shared;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::Duration;

const CONSENT_TTL: Duration = Duration::from_secs(600);

// ---------------------------------------------------------------------------------------------
// Redirect URI rules

fn is_loopback(uri: &str) -> bool {
    for prefix in ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"] {
        if let Some(rest) = uri.strip_prefix(prefix) {
            let port_len = rest.bytes().take_while(u8::is_ascii_digit).count();
            let after = &rest[port_len..];
            return port_len > 0
                && port_len <= 5
                && (after.is_empty() || after.starts_with('/'))
                && !uri.contains('#');
        }
    }
    false
}

/// Whether `uri` is on the sandbox's own origin (`http://` + the request's `Host`): as local as a
/// loopback callback, and what an in-process sandbox (`http://sandbox.invalid`) or a Worker
/// deployment has instead of one.
fn is_own_origin(uri: &str, host: Option<&str>) -> bool {
    let Some(host) = host.filter(|h| !h.is_empty() && !h.contains(['/', '@', '#', '?'])) else {
        return false;
    };
    let origin = format!("http://{host}");
    uri.strip_prefix(&origin).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')) && !uri.contains('#')
}

fn redirect_allowed(cfg: &CyzenConfig, client_id: &str, uri: &str, host: Option<&str>) -> bool {
    let Some(c) = cfg.clients.iter().find(|c| c.client_id == client_id) else {
        return false;
    };
    c.redirect_uris.iter().any(|r| r == uri)
        || (cfg.allow_loopback_redirects && (is_loopback(uri) || is_own_origin(uri, host)))
}

fn redirect_to(uri: &str, pairs: &[(&str, &str)]) -> Response {
    let sep = if uri.contains('?') { '&' } else { '?' };
    let location = format!("{uri}{sep}{}", encode_params(pairs.iter().copied()));
    let mut r = StatusCode::FOUND.into_response();
    r.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&location).unwrap_or(HeaderValue::from_static("/")),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn redirect_error(uri: &str, state: Option<&str>, error: &str, desc: &str) -> Response {
    let mut pairs = vec![("error", error), ("error_description", desc)];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    redirect_to(uri, &pairs)
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <link rel=\"icon\" href=\"data:,\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <style>body{{font-family:sans-serif;max-width:34em;margin:3em auto;padding:0 1em;color:#222}}\
         .box{{border:1px solid #ccc;border-radius:8px;padding:1.5em}} button{{font-size:1.1em;padding:.5em 1.4em;margin-right:1em;cursor:pointer}}\
         .approve{{background:#d9232d;color:#fff;border:0;border-radius:4px}} .deny{{background:#eee;border:1px solid #aaa;border-radius:4px}}\
         code{{background:#f4f4f4;padding:0 .3em}} .note{{color:#777;font-size:.85em}}</style></head>\
         <body><div class=\"box\">{body}</div><p class=\"note\">cyzen sandbox — 検証用の認可サーバー / local test authorization server</p></body></html>",
        t = html_escape(title)
    )
}

/// Error shown to the user, never redirected (RFC 6749 §4.1.2.1: unknown client or redirect URI).
fn error_page(status: StatusCode, error: &str, desc: &str) -> Response {
    let body = format!(
        "<h1>認可エラー / Authorization error</h1><p><code>{}</code></p><p>{}</p>",
        html_escape(error),
        html_escape(desc)
    );
    (
        status,
        Html(page("認可エラー / Authorization error", &body)),
    )
        .into_response()
}

fn issue_code(st: &Shared, cfg: &CyzenConfig, c: &Consent) -> String {
    let user_id = st.store.lock().unwrap().api_user_id.clone();
    let mut tokens = st.tokens.lock().unwrap();
    let code = tokens.random("czac_");
    tokens.codes.insert(
        code.clone(),
        AuthCode {
            client_id: c.client_id.clone(),
            redirect_uri: c.redirect_uri.clone(),
            code_challenge: c.code_challenge.clone(),
            scope: c.scope.clone(),
            user_id,
            expires_at: st.clock.moment() + Duration::from_secs(cfg.code_ttl_secs),
            used: false,
        },
    );
    tokens.stats.approved += 1;
    code
}

fn approve_redirect(st: &Shared, cfg: &CyzenConfig, c: &Consent) -> Response {
    let code = issue_code(st, cfg, c);
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = &c.state {
        pairs.push(("state", s));
    }
    redirect_to(&c.redirect_uri, &pairs)
}

fn valid_challenge(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// `GET /oauth/authorize`
pub async fn authorize_get(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let cfg = st.cfg();
    let p = match parse_params(q.as_deref().unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, "invalid_request", &e.msg),
    };
    let get = |k: &str| p.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(client_id) = get("client_id") else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id is required",
        );
    };
    if !cfg.clients.iter().any(|c| c.client_id == client_id) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            &format!("unknown client_id '{client_id}'"),
        );
    }
    let Some(redirect_uri) = get("redirect_uri") else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is required",
        );
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if !redirect_allowed(&cfg, client_id, redirect_uri, host) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("redirect_uri '{redirect_uri}' is not registered for this client"),
        );
    }
    // From here on errors go back to the client through the redirect.
    let state = get("state");
    match get("response_type") {
        Some("code") => {}
        None => {
            return redirect_error(
                redirect_uri,
                state,
                "invalid_request",
                "response_type is required",
            )
        }
        Some(_) => {
            return redirect_error(
                redirect_uri,
                state,
                "unsupported_response_type",
                "only response_type=code is supported",
            )
        }
    }
    let Some(challenge) = get("code_challenge") else {
        return redirect_error(
            redirect_uri,
            state,
            "invalid_request",
            "code_challenge is required (PKCE, S256)",
        );
    };
    if get("code_challenge_method") != Some("S256") {
        return redirect_error(
            redirect_uri,
            state,
            "invalid_request",
            "code_challenge_method must be S256 (plain is refused)",
        );
    }
    if !valid_challenge(challenge) {
        return redirect_error(
            redirect_uri,
            state,
            "invalid_request",
            "malformed code_challenge",
        );
    }
    let consent = Consent {
        client_id: client_id.to_string(),
        redirect_uri: redirect_uri.to_string(),
        state: state.map(str::to_string),
        code_challenge: challenge.to_string(),
        scope: get("scope").map(str::to_string),
        expires_at: st.clock.moment() + CONSENT_TTL,
    };
    if cfg.auto_approve {
        return approve_redirect(&st, &cfg, &consent);
    }
    let ticket = {
        let mut tokens = st.tokens.lock().unwrap();
        let t = tokens.random("czct_");
        tokens.consents.insert(t.clone(), consent.clone());
        t
    };
    let scope_line = match &consent.scope {
        Some(s) => format!("<p>権限 / Scope: <code>{}</code></p>", html_escape(s)),
        None => String::new(),
    };
    let body = format!(
        "<h1>アクセスの許可 / Authorize access</h1>\
         <p>アプリケーション <code>{client}</code> が、あなたの cyzen のデータ（スポット・報告書・予定など）へのアクセスを求めています。</p>\
         <p>The application <code>{client}</code> requests access to your cyzen data (spots, reports, schedules, ...).</p>\
         {scope_line}<p class=\"note\">戻り先 / Redirects to: <code>{redirect}</code></p>\
         <form method=\"post\" action=\"/oauth/authorize\">\
         <input type=\"hidden\" name=\"ticket\" value=\"{ticket}\">\
         <button type=\"submit\" class=\"approve\" name=\"decision\" value=\"approve\">承認 / Approve</button>\
         <button type=\"submit\" class=\"deny\" name=\"decision\" value=\"deny\">拒否 / Deny</button>\
         </form>",
        client = html_escape(client_id),
        redirect = html_escape(redirect_uri),
        ticket = html_escape(&ticket),
    );
    let mut r = Html(page("cyzen — アクセスの許可 / Authorize", &body)).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut()
        .insert("x-frame-options", HeaderValue::from_static("DENY"));
    r
}

/// `POST /oauth/authorize` — the consent page's buttons.
pub async fn authorize_post(State(st): State<Shared>, body: Bytes) -> Response {
    let cfg = st.cfg();
    let p = match std::str::from_utf8(&body)
        .map_err(|_| ())
        .and_then(|s| parse_params(s).map_err(|_| ()))
    {
        Ok(p) => p,
        Err(_) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "malformed form body",
            )
        }
    };
    let consent = {
        let mut tokens = st.tokens.lock().unwrap();
        p.get("ticket").and_then(|t| tokens.consents.remove(t))
    };
    let Some(consent) = consent.filter(|c| st.clock.moment() < c.expires_at) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "unknown, used or expired consent ticket — start again",
        );
    };
    match p.get("decision").map(String::as_str) {
        Some("approve") => approve_redirect(&st, &cfg, &consent),
        Some("deny") => {
            st.tokens.lock().unwrap().stats.denied += 1;
            redirect_error(
                &consent.redirect_uri,
                consent.state.as_deref(),
                "access_denied",
                "the user denied access",
            )
        }
        _ => error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "decision must be approve or deny",
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Token endpoint

fn token_error(status: StatusCode, error: &str, desc: &str) -> Response {
    let mut r = (
        status,
        Json(json!({"error": error, "error_description": desc})),
    )
        .into_response();
    no_store(&mut r);
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"cyzen-sandbox\""),
        );
    }
    r
}

fn no_store(r: &mut Response) {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

fn bad_req(desc: &str) -> Response {
    token_error(StatusCode::BAD_REQUEST, "invalid_request", desc)
}
fn bad_grant(desc: &str) -> Response {
    token_error(StatusCode::BAD_REQUEST, "invalid_grant", desc)
}
fn bad_client(desc: &str) -> Response {
    token_error(StatusCode::UNAUTHORIZED, "invalid_client", desc)
}

fn pct_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// HTTP Basic client credentials (RFC 6749 §2.3.1: both parts form-urlencoded).
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, ()> {
    let Some(v) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let v = v.to_str().map_err(|_| ())?;
    let Some((scheme, rest)) = v.split_once(' ') else {
        return Err(());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(());
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .map_err(|_| ())?;
    let s = String::from_utf8(raw).map_err(|_| ())?;
    let (id, secret) = s.split_once(':').ok_or(())?;
    Ok(Some((pct_decode(id), pct_decode(secret))))
}

pub fn pkce_s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `POST /oauth/token`
pub async fn token(State(st): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let cfg = st.cfg();
    let parsed: Option<Params> = std::str::from_utf8(&body)
        .ok()
        .and_then(|s| parse_params(s).ok());
    let grant = parsed
        .as_ref()
        .and_then(|p| p.get("grant_type"))
        .cloned()
        .unwrap_or_default();
    let stat_key = match grant.as_str() {
        "authorization_code" | "refresh_token" => grant.clone(),
        _ => "other".to_string(),
    };
    st.tokens
        .lock()
        .unwrap()
        .stats
        .token_endpoint
        .entry(stat_key.clone())
        .or_default()
        .calls += 1;
    let resp = token_inner(&st, &cfg, &headers, parsed);
    if resp.status() == StatusCode::OK {
        st.tokens
            .lock()
            .unwrap()
            .stats
            .token_endpoint
            .entry(stat_key)
            .or_default()
            .ok += 1;
    }
    resp
}

fn token_inner(
    st: &Shared,
    cfg: &CyzenConfig,
    headers: &HeaderMap,
    parsed: Option<Params>,
) -> Response {
    if !is_form(content_type(headers)) {
        return bad_req("the token request must be application/x-www-form-urlencoded");
    }
    let Some(p) = parsed else {
        return bad_req("malformed form body or repeated parameter");
    };
    let get = |k: &str| p.get(k).map(String::as_str).filter(|v| !v.is_empty());

    // App token (per integration program).
    let app_ok = headers
        .get(cfg.app_token_header.as_str())
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == cfg.app_token);
    if !app_ok {
        return bad_client(&format!(
            "missing or wrong app token (header {})",
            cfg.app_token_header
        ));
    }

    // Client authentication.
    let basic = match basic_credentials(headers) {
        Ok(b) => b,
        Err(()) => {
            return bad_client(
                "malformed Authorization header (expected HTTP Basic client credentials)",
            )
        }
    };
    if basic.is_some() && get("client_secret").is_some() {
        return bad_req("use either HTTP Basic or client_secret in the body, not both");
    }
    let (client_id, secret) = match (&basic, get("client_id")) {
        (Some((id, _)), Some(body_id)) if id != body_id => {
            return bad_req("client_id differs from the Basic credentials")
        }
        (Some((id, s)), _) => (id.clone(), Some(s.clone())),
        (None, Some(id)) => (id.to_string(), get("client_secret").map(str::to_string)),
        (None, None) => return bad_client("client authentication required (client_id)"),
    };
    let Some(client) = cfg.clients.iter().find(|c| c.client_id == client_id) else {
        return bad_client("unknown client");
    };
    match (
        &client.client_secret,
        secret.as_deref().filter(|s| !s.is_empty()),
    ) {
        (Some(expected), Some(given)) if expected == given => {}
        (Some(_), _) => return bad_client("client authentication failed"),
        (None, None) => {}
        (None, Some(_)) => return bad_client("public client must not send a client secret"),
    }

    match get("grant_type") {
        None => bad_req("grant_type is required"),
        Some("authorization_code") => {
            let Some(code) = get("code") else {
                return bad_req("code is required");
            };
            let Some(redirect_uri) = get("redirect_uri") else {
                return bad_req("redirect_uri is required");
            };
            let Some(verifier) = get("code_verifier") else {
                return bad_req("code_verifier is required (PKCE)");
            };
            let mut tokens = st.tokens.lock().unwrap();
            let Some(c) = tokens.codes.get(code).cloned() else {
                return bad_grant("unknown authorization code");
            };
            if c.used {
                // Replay: refuse and revoke what the code produced (RFC 6749 §4.1.2).
                tokens.revoke_family(code);
                return bad_grant("authorization code already used");
            }
            tokens.codes.get_mut(code).expect("code").used = true;
            if st.clock.moment() >= c.expires_at {
                return bad_grant("authorization code expired");
            }
            if c.client_id != client_id {
                return bad_grant("authorization code was issued to another client");
            }
            if c.redirect_uri != redirect_uri {
                return bad_grant("redirect_uri does not match the authorization request");
            }
            if !valid_challenge(verifier) || pkce_s256(verifier) != c.code_challenge {
                return bad_grant("code_verifier does not match the code_challenge (PKCE S256)");
            }
            let issued = tokens.issue(cfg, &client_id, &c.user_id, c.scope.clone(), code, None);
            ok(issued.to_json())
        }
        Some("refresh_token") => {
            let Some(rt) = get("refresh_token") else {
                return bad_req("refresh_token is required");
            };
            let mut tokens = st.tokens.lock().unwrap();
            let Some(r) = tokens.refresh.get(rt).cloned() else {
                return bad_grant("unknown refresh token");
            };
            if r.revoked {
                return bad_grant("refresh token revoked");
            }
            if r.used {
                return bad_grant(
                    "refresh token already used (refresh tokens rotate: use the newest one)",
                );
            }
            if st.clock.moment() >= r.expires_at {
                return bad_grant("refresh token expired");
            }
            if r.client_id != client_id {
                return bad_grant("refresh token was issued to another client");
            }
            if let Some(scope) = get("scope") {
                let granted: Vec<&str> = r.scope.as_deref().unwrap_or("").split(' ').collect();
                if !scope.split(' ').all(|s| granted.contains(&s)) {
                    return token_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_scope",
                        "scope exceeds the original grant",
                    );
                }
            }
            tokens.refresh.get_mut(rt).expect("refresh token").used = true;
            let issued = tokens.issue(
                cfg,
                &client_id,
                &r.user_id,
                r.scope.clone(),
                &r.family,
                None,
            );
            ok(issued.to_json())
        }
        Some(_) => token_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "supported: authorization_code, refresh_token",
        ),
    }
}

fn ok(v: serde_json::Value) -> Response {
    let mut r = Json(v).into_response();
    no_store(&mut r);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_rfc7636_appendix_b() {
        assert_eq!(
            pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn loopback_rule() {
        assert!(is_loopback("http://127.0.0.1:5173/callback"));
        assert!(is_loopback("http://localhost:8080"));
        assert!(!is_loopback("http://127.0.0.1.evil.example:80/cb"));
        assert!(!is_loopback("https://127.0.0.1:5173/cb"));
        assert!(!is_loopback("http://localhost/cb"));
    }

    #[test]
    fn own_origin_rule() {
        assert!(is_own_origin("http://sandbox.invalid/callback", Some("sandbox.invalid")));
        assert!(is_own_origin("http://sandbox.invalid", Some("sandbox.invalid")));
        assert!(!is_own_origin("http://sandbox.invalid.evil.example/cb", Some("sandbox.invalid")));
        assert!(!is_own_origin("https://sandbox.invalid/cb", Some("sandbox.invalid")));
        assert!(!is_own_origin("http://sandbox.invalid/cb#x", Some("sandbox.invalid")));
        assert!(!is_own_origin("http://a/cb", None));
    }
}
