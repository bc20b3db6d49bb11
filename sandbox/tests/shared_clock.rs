//! One clock for the whole sandbox: `POST /__admin/clock` moves SenseLink's server time and, since
//! the in-process front-end (npm `createSandbox().clock`), cyzen's token expiry and rate-limit
//! windows too, so a test can expire a token or empty a window without waiting. Also the command
//! line shared by the binary and the npm `bin`.

mod senselink_support;

use cyzen_senselink_sandbox::cli::{self, CliError};
use cyzen_senselink_sandbox::cyzen::DEFAULT_COMPANY_ID;
use serde_json::{json, Value};
use senselink_support::sandbox;

async fn users(sb: &senselink_support::Sandbox, token: &str) -> (u16, Value) {
    let response = sb
        .http
        .get(format!("{}/webapi/v0/users?company_id={DEFAULT_COMPANY_ID}", sb.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn moving_the_clock_expires_cyzen_tokens() {
    let sb = sandbox().await;
    let minted = sb.admin_post("/__admin/cyzen/tokens", &json!({"ttl_secs": 60})).await;
    let token = minted["access_token"].as_str().unwrap().to_string();
    assert_eq!(users(&sb, &token).await.0, 200);

    sb.admin_post("/__admin/clock", &json!({"offset_ms": 59_000})).await;
    assert_eq!(users(&sb, &token).await.0, 200, "still within its 60 s");
    sb.admin_post("/__admin/clock", &json!({"offset_ms": 61_000})).await;
    let (status, body) = users(&sb, &token).await;
    assert_eq!(status, 401);
    assert!(body.to_string().contains("expired"), "{body}");
    // Static tokens never expire.
    assert_eq!(users(&sb, "sandbox-static-token").await.0, 200);

    sb.admin_post("/__admin/clock", &json!({"offset_ms": 0})).await;
    assert_eq!(users(&sb, &token).await.0, 200, "the expiry is read on the clock");
}

#[tokio::test]
async fn moving_the_clock_empties_the_rate_limit_window() {
    let sb = sandbox().await;
    sb.admin_post("/__admin/cyzen/config", &json!({"rate_limit_per_sec": 1})).await;
    assert_eq!(users(&sb, "sandbox-static-token").await.0, 200);
    assert_eq!(users(&sb, "sandbox-static-token").await.0, 503, "second call within the same second");
    sb.admin_post("/__admin/clock", &json!({"offset_ms": 1_500})).await;
    assert_eq!(users(&sb, "sandbox-static-token").await.0, 200, "the window moved on");
    // Moving the clock back starts the window over instead of stalling it.
    sb.admin_post("/__admin/clock", &json!({"offset_ms": -60_000})).await;
    assert_eq!(users(&sb, "sandbox-static-token").await.0, 200);
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_command_line_is_shared() {
    let env = vec![("SANDBOX_SEED".to_string(), "9".to_string()), ("SANDBOX_PORT".to_string(), "1234".to_string())];
    let config = cli::parse(&strings(&["--port", "0", "--edition=enterprise", "--cyzen-auto-approve", "true"]), &env).unwrap();
    assert_eq!(config.listen.port(), 0, "flags win over the environment");
    assert_eq!(config.seed, 9);
    assert!(config.cyzen.auto_approve);
    let banner = cli::banner(&config, "http://127.0.0.1:4321");
    assert_eq!(banner.lines().next(), Some("sandbox listening on http://127.0.0.1:4321"));
    assert!(banner.contains("\nsenselink.edition=enterprise\n") && banner.ends_with("seed=9\n"), "{banner}");

    assert_eq!(cli::parse(&strings(&["--help"]), &[]).unwrap_err(), CliError::Help);
    assert!(matches!(cli::parse(&strings(&["--nope", "1"]), &[]), Err(CliError::Invalid(m)) if m.contains("--nope")));
    assert!(matches!(cli::parse(&strings(&["--cyzen-anchor", "yesterday"]), &[]), Err(CliError::Invalid(m)) if m.contains("anchor")));
}
