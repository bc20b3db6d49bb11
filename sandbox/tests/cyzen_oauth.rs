//! cyzen OAuth 2.0 server over real HTTP: code flow with PKCE, consent page, refresh rotation,
//! expiry, client authentication, static tokens.

mod cyzen_common;

use base64::Engine;
use cyzen_common::*;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const REDIRECT: &str = "http://127.0.0.1:5173/callback";
const CLIENT: &str = "sandbox-client";
const SECRET: &str = "sandbox-client-secret";
const APP: &str = "sandbox-app-token";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn query_of(location: &str) -> std::collections::BTreeMap<String, String> {
    let q = location.split_once('?').map(|x| x.1).unwrap_or("");
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

fn authorize_url(s: &Server, client: &str, redirect: &str, verifier: &str, state: &str) -> String {
    s.url(&format!(
        "/oauth/authorize?{}",
        enc(&[
            ("response_type", "code"),
            ("client_id", client),
            ("redirect_uri", redirect),
            ("state", state),
            ("code_challenge", &challenge(verifier)),
            ("code_challenge_method", "S256"),
            ("scope", "read write"),
        ])
    ))
}

/// Consent page → Approve → code.
async fn code_via_consent(s: &Server, client: &str, verifier: &str, state: &str) -> String {
    let r = s
        .http
        .get(authorize_url(s, client, REDIRECT, verifier, state))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("承認 / Approve") && html.contains("Deny"));
    let ticket = html
        .split("name=\"ticket\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = s
        .http
        .post(s.url("/oauth/authorize"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(enc(&[("ticket", &ticket), ("decision", "approve")]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with(REDIRECT), "{loc}");
    let q = query_of(&loc);
    assert_eq!(q["state"], state, "state round trip");
    q["code"].clone()
}

async fn token_call(
    s: &Server,
    params: &[(&str, &str)],
    app: Option<&str>,
    basic: Option<(&str, &str)>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut req = s
        .http
        .post(s.url("/oauth/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(enc(params));
    if let Some(a) = app {
        req = req.header("X-App-Token", a);
    }
    if let Some((u, p)) = basic {
        req = req.basic_auth(u, Some(p));
    }
    let r = req.send().await.unwrap();
    let headers = r.headers().clone();
    let (st, v) = body_json(r).await;
    (st, v, headers)
}

async fn exchange(s: &Server, code: &str, verifier: &str) -> (u16, Value) {
    let (st, v, _) = token_call(
        s,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("code_verifier", verifier),
        ],
        Some(APP),
        None,
    )
    .await;
    (st, v)
}

async fn refresh(s: &Server, rt: &str) -> (u16, Value) {
    let (st, v, _) = token_call(
        s,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ],
        Some(APP),
        None,
    )
    .await;
    (st, v)
}

const VERIFIER: &str = "verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG";

#[tokio::test]
async fn code_flow_with_pkce() {
    let s = start(test_config()).await;
    // wrong verifier refused (and the code is burnt)
    let code = code_via_consent(&s, CLIENT, VERIFIER, "st-1").await;
    let (st, v) = exchange(
        &s,
        &code,
        "wrong-verifier-0123456789-abcdefghijklmnopqrstuvwxyz",
    )
    .await;
    assert_eq!(
        (st, v["error"].as_str()),
        (400, Some("invalid_grant")),
        "{v}"
    );
    let (st, _) = exchange(&s, &code, VERIFIER).await;
    assert_eq!(st, 400);

    // a fresh code works once
    let code = code_via_consent(&s, CLIENT, VERIFIER, "st-2").await;
    let (st, v, headers) = token_call(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("code_verifier", VERIFIER),
        ],
        Some(APP),
        None,
    )
    .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(v["token_type"], "bearer");
    assert!(v["expires_in"].as_u64().unwrap() > 0);
    assert_eq!(v["scope"], "read write");
    let at = v["access_token"].as_str().unwrap().to_string();
    let (st, _) = s.get("/groups", &[], &at).await;
    assert_eq!(st, 200);
    // code reuse refused, and the tokens it produced are revoked
    let (st, v) = exchange(&s, &code, VERIFIER).await;
    assert_eq!((st, v["error"].as_str()), (400, Some("invalid_grant")));
    let (st, _) = s.get("/groups", &[], &at).await;
    assert_eq!(st, 401);
    let stats = s.stats().await;
    assert_eq!(stats["token_endpoint"]["authorization_code"]["calls"], 4);
    assert_eq!(stats["token_endpoint"]["authorization_code"]["ok"], 1);
}

#[tokio::test]
async fn authorize_errors_and_deny() {
    let s = start(test_config()).await;
    // unregistered redirect_uri: error page, no redirect
    let r = s
        .http
        .get(authorize_url(
            &s,
            CLIENT,
            "https://evil.example/cb",
            VERIFIER,
            "x",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers().get("location").is_none());
    // unknown client: error page
    let r = s
        .http
        .get(authorize_url(&s, "who", REDIRECT, VERIFIER, "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // plain PKCE refused via the redirect
    let url = s.url(&format!(
        "/oauth/authorize?{}",
        enc(&[
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("state", "p"),
            ("code_challenge", VERIFIER),
            ("code_challenge_method", "plain"),
        ])
    ));
    let r = s.http.get(url).send().await.unwrap();
    assert_eq!(r.status(), 302);
    let q = query_of(r.headers()["location"].to_str().unwrap());
    assert_eq!(
        (q["error"].as_str(), q["state"].as_str()),
        ("invalid_request", "p")
    );
    // missing challenge
    let url = s.url(&format!(
        "/oauth/authorize?{}",
        enc(&[
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("state", "q")
        ])
    ));
    let r = s.http.get(url).send().await.unwrap();
    assert_eq!(
        query_of(r.headers()["location"].to_str().unwrap())["error"],
        "invalid_request"
    );
    // deny
    let r = s
        .http
        .get(authorize_url(&s, CLIENT, REDIRECT, VERIFIER, "deny-state"))
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    let ticket = html
        .split("name=\"ticket\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = s
        .http
        .post(s.url("/oauth/authorize"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(enc(&[("ticket", &ticket), ("decision", "deny")]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let q = query_of(r.headers()["location"].to_str().unwrap());
    assert_eq!(
        (q["error"].as_str(), q["state"].as_str()),
        ("access_denied", "deny-state")
    );
    // the ticket is single-use
    let r = s
        .http
        .post(s.url("/oauth/authorize"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(enc(&[("ticket", &ticket), ("decision", "approve")]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn auto_approve_redirect_uri_mismatch_and_client_auth() {
    let s = start(test_config()).await;
    s.config(json!({"auto_approve": true})).await;
    let get_code = |state: &'static str| {
        let url = authorize_url(&s, CLIENT, REDIRECT, VERIFIER, state);
        let http = s.http.clone();
        async move {
            let r = http.get(url).send().await.unwrap();
            assert_eq!(r.status(), 302);
            let q = query_of(r.headers()["location"].to_str().unwrap());
            assert_eq!(q["state"], state);
            q["code"].clone()
        }
    };
    // redirect_uri at the token endpoint must equal the authorize one
    let code = get_code("a").await;
    let (st, v, _) = token_call(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:5173/other"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("code_verifier", VERIFIER),
        ],
        Some(APP),
        None,
    )
    .await;
    assert_eq!((st, v["error"].as_str()), (400, Some("invalid_grant")));
    // app token missing / wrong → invalid_client (401)
    let code = get_code("b").await;
    let params = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("client_id", CLIENT),
        ("client_secret", SECRET),
        ("code_verifier", VERIFIER),
    ];
    let (st, v, _) = token_call(&s, &params, None, None).await;
    assert_eq!((st, v["error"].as_str()), (401, Some("invalid_client")));
    let (st, _, _) = token_call(&s, &params, Some("wrong"), None).await;
    assert_eq!(st, 401);
    // wrong secret
    let mut wrong = params;
    wrong[4] = ("client_secret", "nope");
    let (st, v, _) = token_call(&s, &wrong, Some(APP), None).await;
    assert_eq!((st, v["error"].as_str()), (401, Some("invalid_client")));
    // HTTP Basic client authentication works (the code is still unused: client checks come first)
    let basic_params = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let (st, v, _) = token_call(&s, &basic_params, Some(APP), Some((CLIENT, SECRET))).await;
    assert_eq!(st, 200, "{v}");
    // public client: PKCE alone, no secret
    let url = authorize_url(&s, "sandbox-public-client", REDIRECT, VERIFIER, "pub");
    let r = s.http.get(url).send().await.unwrap();
    let code = query_of(r.headers()["location"].to_str().unwrap())["code"].clone();
    let (st, v, _) = token_call(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", "sandbox-public-client"),
            ("code_verifier", VERIFIER),
        ],
        Some(APP),
        None,
    )
    .await;
    assert_eq!(st, 200, "{v}");
    // unsupported grant
    let (st, v, _) = token_call(
        &s,
        &[
            ("grant_type", "password"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ],
        Some(APP),
        None,
    )
    .await;
    assert_eq!(
        (st, v["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn refresh_rotation_and_expiry() {
    let s = start(test_config()).await;
    let code = code_via_consent(&s, CLIENT, VERIFIER, "r").await;
    let (st, t1) = exchange(&s, &code, VERIFIER).await;
    assert_eq!(st, 200);
    let at1 = t1["access_token"].as_str().unwrap().to_string();
    let rt1 = t1["refresh_token"].as_str().unwrap().to_string();

    // expire the access token through the admin hook → 401 mentioning "expired"
    let (st, _) = s
        .admin(Method::POST, "/expire", json!({"access_token": at1}))
        .await;
    assert_eq!(st, 200);
    let (st, v) = s.get("/groups", &[], &at1).await;
    assert_eq!((st, err_code(&v)), (401, 40100));
    assert!(v["errors"][0]["err_msg"]
        .as_str()
        .unwrap()
        .contains("expired"));

    // refresh: new pair; the old refresh token is refused afterwards
    let (st, t2) = refresh(&s, &rt1).await;
    assert_eq!(st, 200, "{t2}");
    let at2 = t2["access_token"].as_str().unwrap().to_string();
    let rt2 = t2["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rt1, rt2);
    let (st, _) = s.get("/groups", &[], &at2).await;
    assert_eq!(st, 200);
    let (st, v) = refresh(&s, &rt1).await;
    assert_eq!((st, v["error"].as_str()), (400, Some("invalid_grant")));
    let (st, t3) = refresh(&s, &rt2).await;
    assert_eq!(st, 200);
    let stats = s.stats().await;
    assert_eq!(stats["token_endpoint"]["refresh_token"]["calls"], 3);
    assert_eq!(stats["token_endpoint"]["refresh_token"]["ok"], 2);
    assert_eq!(stats["unauthorized"]["expired"], 1);

    // expire everything: OAuth tokens die, the static token lives on
    s.admin(Method::POST, "/expire", json!({"all": true})).await;
    let (st, _) = s
        .get("/groups", &[], t3["access_token"].as_str().unwrap())
        .await;
    assert_eq!(st, 401);
    let (st, _) = s.get("/groups", &[], STATIC).await;
    assert_eq!(st, 200);

    // short lifetimes through the runtime config (minted tokens use it too)
    s.config(json!({"access_token_ttl_secs": 2})).await;
    let (_, minted) = s.admin(Method::POST, "/tokens", json!({})).await;
    assert_eq!(minted["expires_in"], 2);
    let at = minted["access_token"].as_str().unwrap();
    let (st, _) = s.get("/groups", &[], at).await;
    assert_eq!(st, 200);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (st, v) = s.get("/groups", &[], at).await;
    assert_eq!(st, 401, "{v}");
    let (st, _) = refresh(&s, minted["refresh_token"].as_str().unwrap()).await;
    assert_eq!(st, 200);
}

#[tokio::test]
async fn static_tokens_are_configurable() {
    let mut cfg = test_config();
    cfg.static_tokens = vec!["batch-token-1".into()];
    let s = start(cfg).await;
    let (st, _) = s.get("/users", &[], "batch-token-1").await;
    assert_eq!(st, 200);
    let (st, _) = s.get("/users", &[], STATIC).await;
    assert_eq!(st, 401);
}
