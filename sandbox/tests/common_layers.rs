//! Global layers: CORS, request log, fault injection, determinism by seed, admin hooks.

mod senselink_support;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::multipart::{Form, Part};
use senselink_support::*;
use serde_json::{json, Value};

async fn requests(sb: &Sandbox, prefix: &str) -> Vec<Value> {
    sb.admin_get(&format!("/__admin/requests?path_prefix={}", enc(prefix))).await.as_array().unwrap().clone()
}

#[tokio::test]
async fn health_answers() {
    let sb = sandbox().await;
    assert_eq!(sb.admin_get("/__admin/health").await, json!({"ok": true}));
    sb.running.shutdown().await;
}

#[tokio::test]
async fn cors_preflight_and_exposed_headers() {
    let sb = sandbox().await;
    let response = sb
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/api/v1/user", sb.base))
        .header("origin", "https://admin.example.com")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, content-type, x-sandbox-fault, x-custom")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], "https://admin.example.com");
    let allowed = headers["access-control-allow-headers"].to_str().unwrap().to_ascii_lowercase();
    for h in ["authorization", "content-type", "x-sandbox-fault", "x-custom"] {
        assert!(allowed.contains(h), "{h} in {allowed}");
    }
    assert!(headers["access-control-allow-methods"].to_str().unwrap().contains("POST"));
    // Preflights are not requests of the client: not logged.
    assert!(requests(&sb, "/api").await.is_empty());

    let response = sb
        .http
        .get(format!("{}/webapi/v0/users", sb.base))
        .header("origin", "null")
        .header("x-sandbox-fault", "status=503;retry-after=2")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "null");
    let exposed = response.headers()["access-control-expose-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(exposed.contains("retry-after"));
}

#[tokio::test]
async fn request_log_records_multipart_parts_exactly() {
    let sb = sandbox().await;
    let photo = jpeg("logged-photo");
    let form = Form::new()
        .text("name", "記録 太郎")
        .text("groups", "1,2")
        .part("avatarFile", Part::bytes(photo.clone()).file_name("face.jpg").mime_str("image/jpeg").unwrap());
    let url = sb.signed("/api/v1/user");
    sb.http.post(&url).header("authorization", "Bearer not-needed").multipart(form).send().await.unwrap();
    sb.admin_get("/__admin/health").await;

    let log = requests(&sb, "/api/v1/user").await;
    assert_eq!(log.len(), 1, "admin calls are not logged: {log:?}");
    let entry = &log[0];
    assert_eq!(entry["method"], "POST");
    assert_eq!(entry["path"], "/api/v1/user");
    assert_eq!(entry["query"], url.split_once('?').unwrap().1);
    let query_names: Vec<&str> = entry["query_params"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(query_names, ["app_key", "timestamp", "sign"]);
    assert_eq!(entry["headers"]["authorization"], "Bearer not-needed");
    assert!(entry["content_type"].as_str().unwrap().starts_with("multipart/form-data; boundary="));
    assert!(entry["body_size"].as_u64().unwrap() > photo.len() as u64);
    assert_eq!(entry["status"], 200);
    let body = &entry["body"];
    assert_eq!(body["kind"], "multipart");
    let parts = body["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0]["name"], "name");
    assert_eq!(parts[0]["value"], "記録 太郎");
    assert_eq!(parts[0]["filename"], Value::Null);
    assert_eq!(parts[1]["value"], "1,2", "groups as one comma-joined field");
    assert_eq!(parts[2]["name"], "avatarFile");
    assert_eq!(parts[2]["filename"], "face.jpg");
    assert_eq!(parts[2]["content_type"], "image/jpeg");
    assert_eq!(parts[2]["size"], photo.len());
    let sha = {
        use sha2::{Digest, Sha256};
        Sha256::digest(&photo).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    assert_eq!(parts[2]["sha256"], sha);
    assert!(parts[2].get("value").is_none(), "no value for file parts");
}

#[tokio::test]
async fn request_log_records_form_and_json_bodies_and_clears() {
    let sb = sandbox().await;
    sb.http
        .post(sb.signed("/api/v1/group"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=%E5%96%B6%E6%A5%AD&type=1")
        .send()
        .await
        .unwrap();
    sb.post_json("/api/v2/black/move/in", &json!({"userId": 1, "groupIds": [2, 3]})).await;
    let log = requests(&sb, "/api").await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["body"], json!({"kind": "form", "fields": [{"name": "name", "value": "営業"}, {"name": "type", "value": "1"}]}));
    assert_eq!(log[1]["body"], json!({"kind": "json", "value": {"userId": 1, "groupIds": [2, 3]}}));
    assert!(log[0]["id"].as_u64().unwrap() < log[1]["id"].as_u64().unwrap(), "newest last");
    assert_eq!(requests(&sb, "/api/v1/group").await.len(), 1);
    sb.http.delete(format!("{}/__admin/requests", sb.base)).send().await.unwrap();
    assert!(requests(&sb, "/").await.is_empty());
}

fn fault(spec: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-sandbox-fault", HeaderValue::from_str(spec).unwrap());
    headers
}

#[tokio::test]
async fn status_faults_with_retry_after() {
    let sb = sandbox().await;
    let url = sb.signed("/api/v1/user/list");
    let response = sb.http.get(&url).headers(fault("status=500")).send().await.unwrap();
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 500);

    let response = sb.http.get(&url).headers(fault("status=503;retry-after=2")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "2");

    let response = sb.http.get(&url).headers(fault("status=429;retry-after-date")).send().await.unwrap();
    assert_eq!(response.status(), 429);
    let date = response.headers()["retry-after"].to_str().unwrap().to_string();
    let when = httpdate::parse_http_date(&date).expect("HTTP-date");
    let ahead = when.duration_since(std::time::SystemTime::now() - std::time::Duration::from_secs(2));
    assert!(ahead.is_ok(), "Retry-After date lies ahead: {date}");

    // Latency alone continues normally; combined with a status it delays that answer.
    let response = sb.http.get(&url).headers(fault("latency=50")).send().await.unwrap();
    assert_eq!(code(&response.json::<Value>().await.unwrap()), 200);
    let response = sb.http.get(&url).headers(fault("latency=50,status=502")).send().await.unwrap();
    assert_eq!(response.status(), 502);

    let response = sb.http.get(&url).headers(fault("explode")).send().await.unwrap();
    assert_eq!(response.status(), 400, "unknown specs are refused loudly");

    let log = requests(&sb, "/api").await;
    assert_eq!(log[0]["fault"], "status=500");
}

#[tokio::test]
async fn malformed_json_and_html_faults() {
    let sb = sandbox().await;
    let url = sb.signed("/api/v1/user/list");
    let response = sb.http.get(&url).headers(fault("malformed-json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let text = response.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");

    let response = sb.http.get(&url).headers(fault("html")).send().await.unwrap();
    assert_eq!(response.status(), 502);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(response.text().await.unwrap().contains("<html>"));
}

#[tokio::test]
async fn truncate_and_drop_faults_break_the_transfer() {
    let sb = sandbox().await;
    let url = sb.signed("/api/v1/user/list");
    let response = sb.http.get(&url).headers(fault("truncate")).send().await.expect("headers arrive");
    assert_eq!(response.status(), 200);
    let declared = response.content_length().unwrap();
    assert!(declared > 0);
    assert!(response.bytes().await.is_err(), "body is cut short");

    let result = sb.http.get(&url).headers(fault("drop")).send().await;
    assert!(result.is_err(), "no response at all");

    // The server is fine afterwards.
    assert_eq!(code(&sb.get("/api/v1/user/list").await), 200);
}

#[tokio::test]
async fn queued_faults_hit_the_next_matching_requests() {
    let sb = sandbox().await;
    let queued = sb
        .admin_post("/__admin/faults", &json!({"path_prefix": "/api/v1/user/list", "count": 2, "fault": "status=503;retry-after=1"}))
        .await;
    assert_eq!(queued["queued"][0]["remaining"], 2);
    // Other paths are unaffected.
    assert_eq!(code(&sb.get("/api/v1/group").await), 200);
    for _ in 0..2 {
        let response = sb.http.get(sb.signed("/api/v1/user/list")).send().await.unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "1");
    }
    assert_eq!(code(&sb.get("/api/v1/user/list").await), 200);

    sb.admin_post("/__admin/faults", &json!({"path_prefix": "/api", "count": 5, "fault": "drop"})).await;
    assert_eq!(sb.admin_get("/__admin/faults").await["queued"][0]["remaining"], 5);
    sb.http.delete(format!("{}/__admin/faults", sb.base)).send().await.unwrap();
    assert_eq!(sb.admin_get("/__admin/faults").await["queued"], json!([]));
    assert_eq!(code(&sb.get("/api/v1/user/list").await), 200);

    let response = sb.http.post(format!("{}/__admin/faults", sb.base)).json(&json!({"fault": "bogus"})).send().await.unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn same_seed_same_data_other_seed_other_data() {
    let a = start_with(|c| c.seed = 7).await;
    let b = start_with(|c| c.seed = 7).await;
    let c = start_with(|c| c.seed = 8).await;
    let page = "/api/v1/user/list?size=100&page=2";
    let (pa, pb, pc) = (a.get(page).await, b.get(page).await, c.get(page).await);
    assert!(pa == pb, "same seed, same persons");
    assert!(pa["data"] != pc["data"], "other seed, other persons");
    assert_eq!(a.summary().await, b.summary().await);
    // Image URLs carry each server's own port; everything else is identical.
    let records = |sb: &Sandbox, answer: Value| answer.to_string().replace(&sb.base, "BASE");
    let ra = records(&a, a.get("/api/v5/record/list?size=50").await);
    let rb = records(&b, b.get("/api/v5/record/list?size=50").await);
    assert!(ra == rb, "records differ between two sandboxes of seed 7");
    let id = a.sample_id("employees_with_photo").await;
    let photo_url = |sb: &Sandbox| format!("{}/__admin/senselink/photo/{id}", sb.base);
    let photo_a = a.http.get(photo_url(&a)).send().await.unwrap().bytes().await.unwrap();
    let photo_b = b.http.get(photo_url(&b)).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(photo_a, photo_b);
    // Ids made at run time follow the seed too.
    let x = a.post_form("/api/v1/user", form(&[("name", "同じ 人")])).await;
    let y = b.post_form("/api/v1/user", form(&[("name", "同じ 人")])).await;
    assert_eq!(x["data"]["id"], y["data"]["id"]);
}

#[tokio::test]
async fn reset_restores_the_seeded_state() {
    let sb = sandbox().await;
    let before = sb.summary().await;
    sb.post_form("/api/v1/user", form(&[("name", "一時 的")])).await;
    sb.admin_post("/__admin/senselink/config", &json!({"person_limit": 1})).await;
    assert_ne!(sb.summary().await["persons"], before["persons"]);
    let answer = sb.admin_post("/__admin/reset", &json!({})).await;
    assert_eq!(answer["ok"], true);
    assert_eq!(answer["cyzen"], "reset");
    assert_eq!(sb.summary().await, before);
    assert!(requests(&sb, "/").await.is_empty());
}
