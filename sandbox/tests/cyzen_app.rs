//! The cyzen router inside the whole sandbox app (`cyzen_senselink_sandbox::start`): reachable
//! through the shared layers and reset by the global `POST /__admin/reset`.

use cyzen_senselink_sandbox::{cyzen::CyzenConfig, start, Config};
use serde_json::Value;

#[tokio::test]
async fn cyzen_inside_the_full_sandbox() {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        cyzen: CyzenConfig {
            rate_limit_per_sec: 0,
            ..Default::default()
        },
        ..Default::default()
    };
    let sandbox = start(config).await.unwrap();
    let base = sandbox.base_url();
    let base = base.trim_end_matches('/');
    let http = reqwest::Client::new();
    let company = cyzen_senselink_sandbox::cyzen::DEFAULT_COMPANY_ID;
    let url = format!("{base}/webapi/v0/groups?company_id={company}");
    let r = http
        .get(&url)
        .header("Authorization", "bearer sandbox-static-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["groups"].as_array().is_some_and(|g| !g.is_empty()));

    // a runtime switch is undone by the global reset
    let r = http
        .post(format!("{base}/__admin/cyzen/config"))
        .header("Content-Type", "application/json")
        .body(r#"{"force_errors_in_200": 5}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .post(format!("{base}/__admin/reset"))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["cyzen"], "reset", "{v}");
    let v: Value = http
        .get(&url)
        .header("Authorization", "bearer sandbox-static-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v.get("errors").is_none(), "{v}");
}
