//! cyzen rate limit: 5 calls per second per token over a sliding window, 503 by default, 429 and
//! Retry-After on request, stats proving the maximum seen in any 1-second window.

mod cyzen_common;

use cyzen_common::*;
use reqwest::Method;
use serde_json::json;

fn limited_config() -> cyzen_senselink_sandbox::cyzen::CyzenConfig {
    cyzen_senselink_sandbox::cyzen::CyzenConfig {
        anchor: Some(ANCHOR.to_string()),
        ..Default::default()
    }
}

#[tokio::test]
async fn sixth_immediate_call_is_503_then_429_with_retry_after() {
    let s = start(limited_config()).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(s.get("/groups", &[], STATIC).await.0);
    }
    assert_eq!(statuses, vec![200, 200, 200, 200, 200, 503]);
    let r = s
        .http
        .get(s.url(&format!("/webapi/v0/groups?company_id={}", s.company)))
        .header("Authorization", format!("bearer {STATIC}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert!(r.headers().get("retry-after").is_none());
    let (_, v) = body_json(r).await;
    assert_eq!(err_code(&v), 50300);

    let stats = s.stats().await;
    assert_eq!(stats["tokens"][STATIC]["accepted"], 5);
    assert_eq!(stats["tokens"][STATIC]["rejected"], 2);
    assert_eq!(stats["tokens"][STATIC]["max_in_1s"], 5);
    assert_eq!(stats["max_in_1s"], 5);

    // switch to 429 + Retry-After at runtime; a fresh token has its own window
    s.config(json!({"rate_limit_status": 429, "retry_after": true}))
        .await;
    let (_, minted) = s.admin(Method::POST, "/tokens", json!({})).await;
    let tok = minted["access_token"].as_str().unwrap().to_string();
    for _ in 0..5 {
        assert_eq!(s.get("/groups", &[], &tok).await.0, 200);
    }
    let r = s
        .http
        .get(s.url(&format!("/webapi/v0/groups?company_id={}", s.company)))
        .header("Authorization", format!("bearer {tok}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let ra: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(ra >= 1);
    assert_eq!(err_code(&body_json(r).await.1), 42900);

    // reset stats
    let (st, _) = s.admin(Method::DELETE, "/stats", json!(null)).await;
    assert_eq!(st, 200);
    let stats = s.stats().await;
    assert_eq!(stats["accepted"], 0);
    assert_eq!(stats["max_in_1s"], 0);
}

#[tokio::test]
async fn rejected_calls_do_not_fill_the_window() {
    let s = start(limited_config()).await;
    for _ in 0..5 {
        assert_eq!(s.get("/groups", &[], STATIC).await.0, 200);
    }
    // hammer while limited: none of these count
    for _ in 0..20 {
        assert_eq!(s.get("/groups", &[], STATIC).await.0, 503);
    }
    // once the accepted calls are older than a second, calls pass again
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(s.get("/groups", &[], STATIC).await.0, 200);
    let stats = s.stats().await;
    assert_eq!(stats["tokens"][STATIC]["accepted"], 6);
    assert_eq!(stats["tokens"][STATIC]["rejected"], 20);
    assert!(stats["tokens"][STATIC]["max_in_1s"].as_u64().unwrap() <= 5);
}

#[tokio::test]
async fn unlimited_mode_still_measures() {
    let s = start(test_config()).await; // rate_limit_per_sec = 0
    let futs: Vec<_> = (0..12).map(|_| s.get("/groups", &[], STATIC)).collect();
    let statuses: Vec<u16> = futures_join(futs).await;
    assert!(statuses.iter().all(|x| *x == 200));
    let stats = s.stats().await;
    assert_eq!(stats["tokens"][STATIC]["accepted"], 12);
    assert!(stats["max_in_1s"].as_u64().unwrap() >= 1);
    // 401s are not rate-limit calls
    let (st, _) = s.get("/groups", &[], "unknown-token").await;
    assert_eq!(st, 401);
    assert!(s.stats().await["tokens"].get("unknown-token").is_none());
}

async fn futures_join<F: std::future::Future<Output = (u16, serde_json::Value)>>(
    futs: Vec<F>,
) -> Vec<u16> {
    let mut set = Vec::new();
    for f in futs {
        set.push(f.await.0);
    }
    set
}
