//! Signature rules of the SenseLink emulator.

mod senselink_support;

use reqwest::multipart::Form;
use senselink_support::*;
use serde_json::{json, Value};

async fn list_with(sb: &Sandbox, query: &str) -> Value {
    sb.http.get(format!("{}/api/v1/user/list?{query}", sb.base)).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn fresh_signature_is_accepted() {
    let sb = sandbox().await;
    let answer = list_with(&sb, &signed_query()).await;
    assert_eq!(code(&answer), 200);
    assert_eq!(answer["message"], "OK");
    assert!(answer["data"].is_array());
}

#[tokio::test]
async fn wrong_or_uppercase_or_missing_sign_is_40001() {
    let sb = sandbox().await;
    let ts = now_ms().to_string();
    let good = sign(&ts, APP_SECRET);
    for bad in [sign(&ts, "other-secret"), good.to_uppercase(), String::new()] {
        let answer = list_with(&sb, &format!("app_key={APP_KEY}&timestamp={ts}&sign={bad}")).await;
        assert_eq!(code(&answer), 40001, "{answer}");
        assert_eq!(answer["message"], "Invalid Sign");
    }
    let answer = list_with(&sb, &format!("app_key={APP_KEY}&timestamp={ts}")).await;
    assert_eq!(code(&answer), 40001);
}

#[tokio::test]
async fn timestamps_more_than_30_minutes_away_are_40002() {
    let sb = sandbox().await;
    let minute = 60_000;
    for offset in [-31 * minute, 31 * minute] {
        let answer = list_with(&sb, &signed_query_at(now_ms() + offset)).await;
        assert_eq!(code(&answer), 40002, "{answer}");
        assert_eq!(answer["message"], "Timestamp Expired");
    }
    for offset in [-29 * minute, 29 * minute] {
        assert_eq!(code(&list_with(&sb, &signed_query_at(now_ms() + offset)).await), 200);
    }
    // Seconds instead of milliseconds, non-numeric, missing.
    let secs = (now_ms() / 1000).to_string();
    let answer = list_with(&sb, &format!("app_key={APP_KEY}&timestamp={secs}&sign={}", sign(&secs, APP_SECRET))).await;
    assert_eq!(code(&answer), 40002);
    assert!(answer["desc"].as_str().unwrap().contains("milliseconds"));
    let answer = list_with(&sb, &format!("app_key={APP_KEY}&timestamp=abc&sign={}", sign("abc", APP_SECRET))).await;
    assert_eq!(code(&answer), 40002);
    assert_eq!(code(&list_with(&sb, &format!("app_key={APP_KEY}&sign=x")).await), 40002);
}

#[tokio::test]
async fn unknown_or_missing_app_key_is_40003() {
    let sb = sandbox().await;
    let ts = now_ms().to_string();
    let answer = list_with(&sb, &format!("app_key=nope&timestamp={ts}&sign={}", sign(&ts, APP_SECRET))).await;
    assert_eq!(code(&answer), 40003);
    assert_eq!(answer["message"], "Invalid App Key");
    assert_eq!(code(&list_with(&sb, &format!("timestamp={ts}&sign={}", sign(&ts, APP_SECRET))).await), 40003);
}

#[tokio::test]
async fn errors_come_with_http_200() {
    let sb = sandbox().await;
    let response = sb.http.get(format!("{}/api/v1/user/list", sb.base)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(code(&answer), 40003);
}

#[tokio::test]
async fn signing_fields_are_also_accepted_as_multipart_fields() {
    let sb = sandbox().await;
    let ts = now_ms().to_string();
    let form = Form::new()
        .text("app_key", APP_KEY)
        .text("timestamp", ts.clone())
        .text("sign", sign(&ts, APP_SECRET))
        .text("name", "署名 フォーム");
    let answer: Value =
        sb.http.post(format!("{}/api/v1/user", sb.base)).multipart(form).send().await.unwrap().json().await.unwrap();
    assert_eq!(code(&answer), 200, "{answer}");
    assert_eq!(answer["data"]["name"], "署名 フォーム");
}

#[tokio::test]
async fn documented_test_vector_verifies_against_a_matching_clock() {
    // secret 2323dsfadfewrasa3434, timestamp 1477881215000 → e5ef72ef839bdf5397b4906b199b9fbf.
    let sb = start_with(|c| c.senselink.app_secret = "2323dsfadfewrasa3434".into()).await;
    let offset = 1_477_881_215_000 - now_ms();
    sb.admin_post("/__admin/clock", &json!({"offset_ms": offset})).await;
    let query = format!("app_key={APP_KEY}&timestamp=1477881215000&sign=e5ef72ef839bdf5397b4906b199b9fbf");
    assert_eq!(code(&list_with(&sb, &query).await), 200);
    assert_eq!(sign("1477881215000", "2323dsfadfewrasa3434"), "e5ef72ef839bdf5397b4906b199b9fbf");
}

#[tokio::test]
async fn a_skewed_server_clock_expires_fresh_timestamps() {
    let sb = sandbox().await;
    sb.admin_post("/__admin/clock", &json!({"offset_ms": 40 * 60_000})).await;
    assert_eq!(code(&list_with(&sb, &signed_query()).await), 40002);
    // The client can correct for the skew by signing with the server's time.
    assert_eq!(code(&list_with(&sb, &signed_query_at(now_ms() + 40 * 60_000)).await), 200);
}
