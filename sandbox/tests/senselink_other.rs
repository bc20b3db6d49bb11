//! SenseLink endpoints outside seed §2.4: groups, departments, records, devices, recognition,
//! system info, event push, unknown paths.

mod senselink_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::post;
use axum::{Json, Router};
use senselink_support::*;
use serde_json::{json, Value};

#[tokio::test]
async fn groups_create_list_update_members_delete() {
    let sb = sandbox().await;
    let answer = sb.post_form("/api/v1/group", form(&[("name", "夜勤チーム"), ("type", "1"), ("remark", "22時以降")])).await;
    assert_eq!(code(&answer), 200, "{answer}");
    let id = answer["data"]["id"].as_i64().unwrap();
    assert_eq!(answer["data"]["type"], 1);
    assert_eq!(answer["data"]["user_count"], 0);
    assert_eq!(code(&sb.post_form("/api/v1/group", form(&[("name", "夜勤チーム"), ("type", "1")])).await), 30001, "duplicate name");
    assert_eq!(code(&sb.post_form("/api/v1/group", form(&[("name", "x"), ("type", "9")])).await), 30001);
    assert_eq!(code(&sb.post_form("/api/v1/group", form(&[("name", ""), ("type", "1")])).await), 30001);

    let list = sb.get("/api/v1/group").await;
    let ids: Vec<i64> = list["data"].as_array().unwrap().iter().map(|g| g["id"].as_i64().unwrap()).collect();
    assert_eq!(ids[0], id, "newest first");
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "id descending");
    let visitors_only = sb.get("/api/v1/group?type=2").await;
    assert!(visitors_only["data"].as_array().unwrap().iter().all(|g| g["type"] == 2));

    let answer = sb.post_json("/api/v3/group/update", &json!({"id": id, "name": "夜勤チーム改"})).await;
    assert_eq!(code(&answer), 200);
    assert_eq!(answer["data"]["name"], "夜勤チーム改");
    assert_eq!(answer["data"]["remark"], "22時以降");
    assert_eq!(code(&sb.post_json("/api/v3/group/update", &json!({"id": 999_999, "name": "x"})).await), 30001);

    let member = sb.post_form("/api/v1/user", form(&[("name", "夜勤 一郎"), ("groups", &id.to_string())])).await;
    let member_id = member["data"]["id"].as_i64().unwrap();
    let members = sb.get(&format!("/api/v1/group/user?groupId={id}")).await;
    assert_eq!(members["data"].as_array().unwrap().len(), 1);
    assert_eq!(members["data"][0]["id"], member_id);
    let default_group = sb.group_id(1).await;
    let many = sb.get(&format!("/api/v1/group/user?groupId={default_group}&size=100")).await;
    assert_eq!(many["data"].as_array().unwrap().len(), 100);
    assert_eq!(code(&sb.get("/api/v1/group/user").await), 30001);

    assert_eq!(code(&sb.get(&format!("/api/v1/group/delete/{id}")).await), 200);
    assert_eq!(code(&sb.get(&format!("/api/v1/group/delete/{id}")).await), 30001);
    assert_eq!(sb.person(member_id).await["groupList"], json!([]), "membership removed with the group");
}

#[tokio::test]
async fn department_tree_and_search_by_code() {
    let sb = sandbox().await;
    let tree = sb.get("/api/v2/department").await;
    let roots = tree["data"].as_array().unwrap();
    assert_eq!(roots.len(), 3);
    for root in roots {
        assert_eq!(root["parent_id"], 0);
        for key in ["id", "name", "parent_id", "leader_id", "leader_name", "user_num", "children"] {
            assert!(root.get(key).is_some(), "{key}");
        }
        for child in root["children"].as_array().unwrap() {
            assert_eq!(child["parent_id"], root["id"]);
        }
    }
    let found = sb.get("/api/v2/department/search/code?code=D210").await;
    assert_eq!(found["data"]["name"], "第一開発部");
    assert!(found["data"]["user_num"].as_u64().unwrap() > 0);
    assert_eq!(code(&sb.get("/api/v2/department/search/code?code=NOPE").await), 30001);
    assert_eq!(code(&sb.get("/api/v2/department/search/code").await), 30001);
}

#[tokio::test]
async fn records_v5_on_cloud_and_v3_on_enterprise() {
    let sb = sandbox().await;
    let answer = sb.get("/api/v5/record/list?size=10").await;
    assert_eq!(code(&answer), 200);
    assert_eq!(answer["data"]["page_num"], 1);
    assert_eq!(answer["data"]["page_size"], 10);
    let list = answer["data"]["list"].as_array().unwrap();
    assert_eq!(list.len(), 10);
    let times: Vec<i64> = list.iter().map(|r| r["sign_time"].as_i64().unwrap()).collect();
    assert!(times.iter().all(|t| (1_000_000_000..10_000_000_000).contains(t)), "Unix seconds: {times:?}");
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first by default");
    assert_eq!(code(&sb.get("/api/v5/record/list?size=101").await), 30001);
    // v3 is a GE path: 404 on Cloud.
    let response = sb.http.get(sb.signed("/api/v3/record/list")).send().await.unwrap();
    assert_eq!(response.status(), 404);

    sb.admin_post("/__admin/senselink/config", &json!({"edition": "enterprise"})).await;
    let window = "date_time_from=2025-03-20%2000:00:00&date_time_to=2025-03-25%2023:59:59";
    let answer = sb.get(&format!("/api/v3/record/list?{window}&order=asc&size=100")).await;
    assert_eq!(code(&answer), 200, "{answer}");
    let data = &answer["data"];
    let list = data["list"].as_array().unwrap();
    assert!(!list.is_empty());
    assert!(data["total"].as_u64().unwrap() >= list.len() as u64);
    let from = 1_742_396_400; // 2025-03-20 00:00:00 JST
    let to = 1_742_914_799; // 2025-03-25 23:59:59 JST
    let times: Vec<i64> = list.iter().map(|r| r["sign_time"].as_i64().unwrap()).collect();
    assert!(times.iter().all(|t| (from..=to).contains(t)), "{times:?}");
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "ascending");
    assert_eq!(code(&sb.get("/api/v3/record/list?date_time_from=2025-03-20").await), 30001);
    assert_eq!(code(&sb.get("/api/v3/record/list?size=101").await), 30001);
    let response = sb.http.get(sb.signed("/api/v5/record/list")).send().await.unwrap();
    assert_eq!(response.status(), 404, "v5 is Cloud only");
}

#[tokio::test]
async fn recognition_check_and_quality() {
    let sb = sandbox().await;
    let check = |file: &str| form(&[]).part("face_avatar", photo_part(jpeg(file), file));
    assert_eq!(sb.post_form("/api/v1/recognition/check", check("face.jpg")).await["data"], 1);
    assert_eq!(sb.post_form("/api/v1/recognition/check", check("multiface.jpg")).await["data"], 2);
    let answer = sb.post_form("/api/v1/recognition/check", check("noface.jpg")).await;
    assert_eq!(code(&answer), 30003);
    assert_eq!(answer["message"], "No Face Detected In The Image");
    assert_eq!(code(&sb.post_form("/api/v1/recognition/check", form(&[])).await), 30001);

    let quality = |file: &str, level: &str| form(&[("qa_level", level)]).part("face_avatar", photo_part(jpeg(file), file));
    let answer = sb.post_form("/api/v3/recognition/quality", quality("face.jpg", "2")).await;
    assert_eq!(code(&answer), 200, "{answer}");
    assert_eq!(answer["data"]["pass"], true);
    assert_eq!(answer["data"]["qa_level"], 2);
    let answer = sb.post_form("/api/v3/recognition/quality", quality("lowquality.jpg", "1")).await;
    assert_eq!(answer["data"]["pass"], false);
    assert_eq!(code(&sb.post_form("/api/v3/recognition/quality", quality("face.jpg", "4")).await), 30001);
    let response = sb.http.post(sb.signed("/api/v1/recognition/quality")).multipart(quality("f.jpg", "1")).send().await.unwrap();
    assert_eq!(response.status(), 404, "v1 quality is the GE path");
    sb.admin_post("/__admin/senselink/config", &json!({"edition": "enterprise"})).await;
    assert_eq!(code(&sb.post_form("/api/v1/recognition/quality", quality("f.jpg", "3")).await), 200);
}

#[tokio::test]
async fn version_company_devices_and_unknown_paths() {
    let sb = sandbox().await;
    let version = sb.get("/api/v3/server/version").await;
    assert_eq!(version["data"]["edition"], "cloud");
    assert!(version["data"]["date"].is_string());
    let company = sb.get("/api/v1/company").await;
    assert!(company["data"]["validFrom"].is_string());
    assert!(company["data"]["validTo"].is_string());
    let devices = sb.get("/api/v2/device").await;
    assert_eq!(devices["data"].as_array().unwrap().len(), 3);
    let response = sb.http.get(sb.signed("/api/v9/nothing")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 404);
    assert_eq!(body["path"], "/api/v9/nothing");
}

/// A subscriber that records events and answers with `status` after `delay`.
async fn subscriber(status: u16, delay: Duration) -> (String, Arc<Mutex<Vec<Value>>>, tokio::task::JoinHandle<()>) {
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = received.clone();
    let app = Router::new().route(
        "/events",
        post(move |Json(event): Json<Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(event);
                tokio::time::sleep(delay).await;
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, received, task)
}

#[tokio::test]
async fn push_delivers_events_to_the_subscriber() {
    let sb = sandbox().await;
    let status = sb.admin_get("/__admin/senselink/subscription").await;
    assert_eq!(status["timeout_ms"], 5000, "real deadline by default");
    assert_eq!(sb.admin_post("/__admin/senselink/push", &json!({"eventType": "30000"})).await["result"], "no_subscription");

    let (url, received, task) = subscriber(200, Duration::ZERO).await;
    sb.admin_post("/__admin/senselink/subscription", &json!({"url": url})).await;
    let first = sb.admin_post("/__admin/senselink/push", &json!({"eventType": "30000"})).await;
    assert_eq!(first["result"], "delivered", "{first}");
    let second = sb.admin_post("/__admin/senselink/push", &json!({"eventType": "30100", "data": {"custom": true}})).await;
    assert_eq!(second["result"], "delivered");
    let events = received.lock().unwrap().clone();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["eventType"], "30000");
    assert!(events[0]["data"]["sign_time"].is_i64());
    assert!(events[0]["sendTime"].is_i64());
    assert_eq!(events[1]["eventType"], "30100");
    assert_eq!(events[1]["data"], json!({"custom": true}));
    assert_ne!(events[0]["messageId"], events[1]["messageId"], "messageId is unique");
    assert_eq!(events[0]["messageId"], first["messageId"]);
    task.abort();
}

#[tokio::test]
async fn a_slow_or_failing_subscriber_is_marked_abnormal_and_pushes_stop() {
    let sb = sandbox().await;
    let (slow_url, slow_received, slow_task) = subscriber(200, Duration::from_secs(3)).await;
    sb.admin_post("/__admin/senselink/subscription", &json!({"url": slow_url, "timeout_ms": 300})).await;
    let answer = sb.admin_post("/__admin/senselink/push", &json!({"eventType": "30000"})).await;
    assert_eq!(answer["result"], "failed", "{answer}");
    assert_eq!(answer["subscription"]["status"], "abnormal");
    let answer = sb.admin_post("/__admin/senselink/push", &json!({"eventType": "30000"})).await;
    assert_eq!(answer["result"], "subscription_abnormal");
    assert_eq!(slow_received.lock().unwrap().len(), 1, "no delivery attempt while abnormal");
    assert_eq!(sb.admin_get("/__admin/senselink/subscription").await["status"], "abnormal");
    slow_task.abort();

    // Any status other than 200 fails too.
    let (url, _received, task) = subscriber(204, Duration::ZERO).await;
    let enabled = sb.admin_post("/__admin/senselink/subscription", &json!({"url": url, "timeout_ms": 5000})).await;
    assert_eq!(enabled["status"], "normal", "re-enabled");
    let answer = sb.admin_post("/__admin/senselink/push", &json!({"eventType": "30100"})).await;
    assert_eq!(answer["result"], "failed");
    assert_eq!(answer["http_status"], 204);
    task.abort();

    // A subscriber that is gone.
    let (url, _received, task) = subscriber(200, Duration::ZERO).await;
    task.abort();
    let _ = task.await;
    sb.admin_post("/__admin/senselink/subscription", &json!({"url": url})).await;
    let answer = sb.admin_post("/__admin/senselink/push", &json!({"eventType": "30000"})).await;
    assert_eq!(answer["result"], "failed");
    assert_eq!(answer["subscription"]["status"], "abnormal");
}
