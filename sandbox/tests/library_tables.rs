//! The library's endpoint tables against the sandbox's routes. Every SenseLink operation
//! (`senselink::operations::OPERATIONS`) and every cyzen resource operation
//! (`cyzen::resources::RESOURCES`) the library can send must reach a handler here. So "adding an
//! endpoint is one row in the library's table plus the sandbox" holds: a row without a route
//! fails this test.
//!
//! Requests are minimal on purpose. A validation error (SenseLink 30001, cyzen 400/40000) proves
//! that the route exists. Only "no such endpoint" answers fail: SenseLink's Spring-style
//! 404 and axum's 405, cyzen's 404/40400 and 405/40500.

use std::time::{SystemTime, UNIX_EPOCH};

use cyzen_senselink::cyzen::resources::{ADD, DELETE, GET, RESOURCES, UPDATE};
use cyzen_senselink::secret::Secret;
use cyzen_senselink::senselink::operations::{BodyKind, Operation, OPERATIONS};
use cyzen_senselink::senselink::sign::auth_query;
use cyzen_senselink::senselink::Edition;
use cyzen_senselink_sandbox::cyzen::CyzenConfig;
use cyzen_senselink_sandbox::{start, Config, RunningSandbox};
use serde_json::{json, Value};

struct Sandbox {
    _running: RunningSandbox,
    base: String,
    http: reqwest::Client,
}

async fn sandbox(config: &Config) -> Sandbox {
    let running = start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..config.clone()
    })
    .await
    .expect("sandbox starts");
    let base = running.base_url();
    Sandbox {
        _running: running,
        base,
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
    }
}

/// Status and body (JSON, or the raw text as a JSON string so it shows up in failure messages).
async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn wire(method: cyzen_senselink::http::Method) -> reqwest::Method {
    reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap()
}

/// Sends `op` to `path`, signed with the library's own `auth_query`. The body is empty but of the
/// row's kind, so the handler gets as far as validating it.
async fn call_senselink(sb: &Sandbox, config: &Config, op: &Operation, path: &str) -> (u16, Value) {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as f64;
    let secret = Secret::new(config.senselink.app_secret.clone());
    let auth = auth_query(&config.senselink.app_key, &secret, now_ms);
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(auth.iter())
        .finish();
    let request = sb
        .http
        .request(wire(op.method), format!("{}{path}?{query}", sb.base));
    answer(match op.body {
        BodyKind::Query => request,
        BodyKind::Multipart => request.multipart(reqwest::multipart::Form::new()),
        BodyKind::Json => request.json(&json!({})),
    })
    .await
}

#[tokio::test]
async fn every_senselink_operation_has_a_route_on_both_editions() {
    let config = Config::default();
    let sb = sandbox(&config).await;
    for (edition, name) in [
        (Edition::Cloud, "cloud"),
        (Edition::Enterprise, "enterprise"),
    ] {
        let switched: Value = sb
            .http
            .post(format!("{}/__admin/senselink/config", sb.base))
            .json(&json!({"edition": name}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(switched["edition"], name);

        for op in OPERATIONS {
            // Every row on both editions: most paths are shared, and they must be served on both.
            let path = op.path_on(edition).replace("{id}", "999999");
            let (status, body) = call_senselink(&sb, &config, op, &path).await;
            // An envelope means a handler answered. A signature code would mean the request
            // never got past the check, so the route would not really be tested.
            let code = body["code"].as_i64();
            assert!(
                status == 200 && code.is_some_and(|c| !(40001..=40003).contains(&c)),
                "{name}: {} {} {path}: expected a SenseLink envelope, got HTTP {status} {body}",
                op.name,
                op.method.as_str(),
            );
        }

        // The converse for rows whose path differs: the other edition's path is not served here.
        // This is the documented Spring 404, so the table's split matches the sandbox.
        for op in OPERATIONS.iter().filter(|op| op.path_enterprise.is_some()) {
            let other = op.path_on(if edition == Edition::Cloud {
                Edition::Enterprise
            } else {
                Edition::Cloud
            });
            let (status, body) = call_senselink(&sb, &config, op, other).await;
            assert!(
                status == 404 && body["status"] == 404,
                "{name}: {} {other} should be 404 here, got {status} {body}",
                op.name
            );
        }
    }
}

#[tokio::test]
async fn every_cyzen_resource_operation_is_served_and_no_other() {
    // No rate limit (about 100 calls in a burst). No `/schedules` 500 quirk either: a list without
    // a window covers the quirk's day, and this test is about routes.
    let config = Config {
        cyzen: CyzenConfig {
            rate_limit_per_sec: 0,
            schedules_500_quirk: false,
            ..CyzenConfig::default()
        },
        ..Config::default()
    };
    let sb = sandbox(&config).await;
    let token = &config.cyzen.static_tokens[0];
    let company = format!("company_id={}", config.cyzen.company_id);
    let methods = [
        (GET, reqwest::Method::GET),
        (ADD, reqwest::Method::POST),
        (UPDATE, reqwest::Method::PUT),
        (DELETE, reqwest::Method::DELETE),
    ];

    for resource in RESOURCES {
        for (bit, method) in &methods {
            // Only `company_id`, as the client sends it: in the query for GET/DELETE, as a
            // form body for POST/PUT. Lists answer 200. Everything else, including the binary
            // `images` without an `image_id`, answers 400/40000 for a missing field.
            let url = format!("{}/webapi/v0/{}", sb.base, resource.path);
            let request = if *bit == GET || *bit == DELETE {
                sb.http.request(method.clone(), format!("{url}?{company}"))
            } else {
                sb.http
                    .request(method.clone(), url)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(company.clone())
            };
            let (status, body) =
                answer(request.header("Authorization", format!("bearer {token}"))).await;
            let err_code = body["errors"][0]["err_code"].as_i64();
            if resource.has(*bit) {
                assert!(
                    status == 200 || (status == 400 && err_code == Some(40000)),
                    "{} ({method} /{}): listed in the table but not served: {status} {body}",
                    resource.name,
                    resource.path,
                );
            } else {
                // The sandbox refuses a method the table does not list with 405/40500.
                assert_eq!(
                    (status, err_code),
                    (405, Some(40500)),
                    "{} ({method} /{}): not in the table but served: {body}",
                    resource.name,
                    resource.path,
                );
            }
        }
    }

    // The sandbox serves no resource the table lacks. Its path list is in the admin info.
    let info: Value = sb
        .http
        .get(format!("{}/__admin/cyzen/info", sb.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let served: Vec<&str> = info["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap().trim_start_matches('/'))
        .collect();
    for path in &served {
        assert!(
            RESOURCES.iter().any(|r| r.path == *path),
            "the sandbox serves /{path}, which the library's table lacks"
        );
    }
    assert_eq!(served.len(), RESOURCES.len());
}
