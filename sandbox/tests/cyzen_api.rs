//! cyzen `/webapi/v0` resources over real HTTP: auth, company_id, pagination, windows, writes, quirks.

mod cyzen_common;

use cyzen_common::*;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn anchor_helper_matches_server() {
    let s = start(test_config()).await;
    assert_eq!(at(0), ANCHOR);
    assert_eq!(s.info["anchor"], ANCHOR);
    assert_eq!(s.company.len(), 32);
}

#[tokio::test]
async fn auth_and_company_id_checks() {
    let s = start(test_config()).await;
    // no Authorization header
    let r = s
        .http
        .get(s.url(&format!("/webapi/v0/groups?company_id={}", s.company)))
        .send()
        .await
        .unwrap();
    let (st, v) = body_json(r).await;
    assert_eq!((st, err_code(&v)), (401, 40100), "{v}");
    // unknown token
    let (st, v) = s.get("/groups", &[], "nope").await;
    assert_eq!((st, err_code(&v)), (401, 40100));
    // scheme is case-insensitive
    for scheme in ["bearer", "Bearer", "BEARER"] {
        let r = s
            .http
            .get(s.url(&format!("/webapi/v0/groups?company_id={}", s.company)))
            .header("Authorization", format!("{scheme} {STATIC}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{scheme}");
    }
    // wrong scheme
    let r = s
        .http
        .get(s.url(&format!("/webapi/v0/groups?company_id={}", s.company)))
        .header("Authorization", format!("Token {STATIC}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // company_id missing / wrong
    let (st, v) = s.get_exact("/groups", &[], STATIC).await;
    assert_eq!((st, err_code(&v)), (400, 40000), "{v}");
    let (st, v) = s
        .get_exact(
            "/groups",
            &[("company_id", "00000000000000000000000000000000")],
            STATIC,
        )
        .await;
    assert_eq!((st, err_code(&v)), (400, 40000));
    // company_id of a write must be in the form body, not the query
    let r = s
        .http
        .post(s.url(&format!("/webapi/v0/groups?company_id={}", s.company)))
        .header("Authorization", format!("bearer {STATIC}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("group_name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // unknown resource, unsupported method
    let (st, _) = s.get("/nothing_here", &[], STATIC).await;
    assert_eq!(st, 404);
    let (st, v) = s.write(Method::POST, "/reports", &[], STATIC).await;
    assert_eq!((st, err_code(&v)), (405, 40500));
}

#[tokio::test]
async fn pagination_of_id_cursor_lists() {
    let s = start(test_config()).await;
    for (path, key, id) in [
        ("/users", "users", "user_id"),
        ("/spots", "spots", "spot_id"),
        ("/members_statuses", "members_statuses", "user_id"),
        ("/groups", "groups", "group_id"),
        ("/statuses", "statuses", "status_id"),
        ("/spot_tags", "spot_tags", "spot_tag_id"),
        ("/user_tags", "user_tags", "user_tag_id"),
        (
            "/report_definitions",
            "report_definitions",
            "report_definition_id",
        ),
        ("/action_types", "action_types", "action_type_id"),
        ("/spot_customers", "spot_customers", "spot_customer_id"),
        ("/spot_staffs", "spot_staffs", "spot_staff_id"),
        (
            "/schedule_members",
            "schedule_members",
            "schedule_member_id",
        ),
        (
            "/transport_expenses",
            "transport_expenses",
            "transport_expense_id",
        ),
        ("/spot_photos", "spot_photos", "spot_photo_id"),
        ("/spot_photo_tags", "spot_photo_tags", "spot_photo_tag_id"),
        (
            "/spot_classifications",
            "spot_classifications",
            "spot_classification_id",
        ),
        (
            "/spot_classification_definitions",
            "spot_classification_definitions",
            "spot_classification_definition_id",
        ),
        (
            "/spot_photo_metadata",
            "spot_photo_metadata",
            "spot_photo_id",
        ),
    ] {
        let (items, pages) = s.walk(path, key, &[], STATIC).await;
        let total = s.count(key);
        assert_eq!(items.len(), total, "{path}");
        assert_eq!(
            pages,
            total / 200 + 1 - usize::from(total % 200 == 0 && total > 0),
            "{path}"
        );
        assert_unique(&ids(&items, id));
    }
    // users and spots have >= 2 full pages and a partial one
    let (users, pages) = s.walk("/users", "users", &[], STATIC).await;
    assert!(users.len() > 400 && pages == 3);
    // the cursor field is exactly next_user_id
    let (_, v) = s.get("/users", &[], STATIC).await;
    assert!(v["next_user_id"].is_string());
    assert_eq!(v["users"].as_array().unwrap().len(), 200);
}

#[tokio::test]
async fn histories_two_windows_cover_everything() {
    let s = start(test_config()).await;
    let (a, pa) = s
        .walk(
            "/histories",
            "histories",
            &[
                ("from_date", &at(-30 * DAY)),
                ("to_date", &at(-15 * DAY - 1)),
            ],
            STATIC,
        )
        .await;
    let (b, pb) = s
        .walk(
            "/histories",
            "histories",
            &[("from_date", &at(-15 * DAY)), ("to_date", &at(-1))],
            STATIC,
        )
        .await;
    assert!(pa >= 3 && pb >= 3, "pages {pa} {pb}");
    let mut all = ids(&a, "history_id");
    all.extend(ids(&b, "history_id"));
    assert_eq!(all.len(), s.count("histories"));
    assert_unique(&all);
    // both spellings of the creation time occur
    assert!(a.iter().any(|h| h.get("create_at").is_some()));
    assert!(a.iter().any(|h| h.get("created_at").is_some()));
    // a first page carries next_history_created_at (and not next_history_id)
    let (_, v) = s
        .get(
            "/histories",
            &[("from_date", &at(-15 * DAY)), ("to_date", &at(-1))],
            STATIC,
        )
        .await;
    assert!(v["next_history_created_at"].is_string() && v.get("next_history_id").is_none());
    // default window = the last 15 days before now: the pinned 2025 data is outside it
    let (st, v) = s.get("/histories", &[], STATIC).await;
    assert_eq!(st, 200);
    assert_eq!(v["histories"].as_array().unwrap().len(), 0);
    // legacy cursor mode
    s.config(json!({"legacy_history_cursor": true})).await;
    let (c, _) = s
        .walk(
            "/histories",
            "histories",
            &[("from_date", &at(-15 * DAY)), ("to_date", &at(-1))],
            STATIC,
        )
        .await;
    assert_eq!(ids(&c, "history_id").len(), b.len());
    let (_, v) = s
        .get(
            "/histories",
            &[("from_date", &at(-15 * DAY)), ("to_date", &at(-1))],
            STATIC,
        )
        .await;
    assert!(v["next_history_id"].is_string());
}

#[tokio::test]
async fn trackings_windows() {
    let s = start(test_config()).await;
    let (a, _) = s
        .walk(
            "/trackings",
            "trackings",
            &[
                ("from_date", &at(-30 * DAY)),
                ("to_date", &at(-15 * DAY - 1)),
            ],
            STATIC,
        )
        .await;
    let (b, _) = s
        .walk(
            "/trackings",
            "trackings",
            &[("from_date", &at(-15 * DAY)), ("to_date", &at(-1))],
            STATIC,
        )
        .await;
    let mut all = ids(&a, "tracking_id");
    all.extend(ids(&b, "tracking_id"));
    assert_eq!(all.len(), s.count("trackings"));
    assert_unique(&all);
}

#[tokio::test]
async fn reports_pair_cursor_and_quirks() {
    let s = start(test_config()).await;
    let w1 = [
        ("updated_from", at(-14 * DAY)),
        ("updated_to", at(-7 * DAY - 1)),
    ];
    let w2 = [("updated_from", at(-7 * DAY)), ("updated_to", at(-1))];
    let p1: Vec<(&str, &str)> = w1.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p2: Vec<(&str, &str)> = w2.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (a, pa) = s.walk("/reports", "reports", &p1, STATIC).await;
    let (b, pb) = s.walk("/reports", "reports", &p2, STATIC).await;
    assert!(pa >= 3 && pb >= 3);
    let mut all = ids(&a, "report_id");
    all.extend(ids(&b, "report_id"));
    assert_eq!(all.len(), s.count("reports"));
    assert_unique(&all);
    // item_value is a string, a list or an object
    let values: Vec<&Value> = a
        .iter()
        .flat_map(|r| r["report_items"].as_array().unwrap())
        .map(|i| &i["item_value"])
        .collect();
    assert!(values.iter().any(|v| v.is_string()));
    assert!(values.iter().any(|v| v.is_array()));
    assert!(values.iter().any(|v| v.is_object()));

    // both cursor fields on a non-last page; half a cursor is refused
    let (_, v) = s.get("/reports", &p2, STATIC).await;
    let id = v["next_report_id"].as_str().unwrap().to_string();
    let upd = v["next_report_updated_at"].as_str().unwrap().to_string();
    let mut half = p2.clone();
    half.push(("next_report_id", &id));
    let (st, v) = s.get("/reports", &half, STATIC).await;
    assert_eq!((st, err_code(&v)), (400, 40000), "{v}");
    let mut half = p2.clone();
    half.push(("next_report_updated_at", &upd));
    let (st, _) = s.get("/reports", &half, STATIC).await;
    assert_eq!(st, 400);

    // from_date/to_date silently ignored (even a 30-day span); report_definition_id has no effect
    let mut ign = p2.clone();
    ign.push(("from_date", "2000-01-01T00:00:00"));
    ign.push(("to_date", "2000-01-31T00:00:00"));
    let (c, _) = s.walk("/reports", "reports", &ign, STATIC).await;
    assert_eq!(c.len(), b.len());
    let def = b[0]["report_definition_id"].as_str().unwrap().to_string();
    let mut f = p2.clone();
    f.push(("report_definition_id", &def));
    let (d, _) = s.walk("/reports", "reports", &f, STATIC).await;
    assert_eq!(d.len(), b.len());
    // 8-day update window refused
    let (st, v) = s
        .get(
            "/reports",
            &[("updated_from", &at(-8 * DAY)), ("updated_to", &at(0))],
            STATIC,
        )
        .await;
    assert_eq!((st, err_code(&v)), (400, 40000));
}

#[tokio::test]
async fn schedules_windows_cursor_and_500_quirk() {
    let s = start(test_config()).await;
    let bug_day = s.info["schedules_500_day"].as_str().unwrap().to_string();
    assert_eq!(bug_day, at(-3 * DAY));
    // a 7-day window over the bug day fails with 500 ...
    let (st, v) = s
        .get(
            "/schedules",
            &[("from_date", &at(-7 * DAY)), ("to_date", &at(-1))],
            STATIC,
        )
        .await;
    assert_eq!((st, err_code(&v)), (500, 50000), "{v}");
    // ... but one-day windows work (the documented workaround)
    let mut first_week = Vec::new();
    for d in -7..0 {
        let (items, _) = s
            .walk(
                "/schedules",
                "schedules",
                &[
                    ("from_date", &at(d * DAY)),
                    ("to_date", &at((d + 1) * DAY - 1)),
                ],
                STATIC,
            )
            .await;
        first_week.extend(items);
    }
    let (second_week, pages) = s
        .walk(
            "/schedules",
            "schedules",
            &[("from_date", &at(0)), ("to_date", &at(7 * DAY - 1))],
            STATIC,
        )
        .await;
    assert!(pages >= 3, "{pages}");
    // the cursor field is next_start_date
    let (_, v) = s
        .get(
            "/schedules",
            &[("from_date", &at(0)), ("to_date", &at(7 * DAY - 1))],
            STATIC,
        )
        .await;
    assert!(v["next_start_date"].is_string());
    let mut all = ids(&first_week, "schedule_id");
    all.extend(ids(&second_week, "schedule_id"));
    assert_unique(&all);
    assert_eq!(
        all.len(),
        s.count("schedules") - s.count("schedules_deleted")
    );
    let sch = &second_week[0];
    assert!(sch["place"].is_object() && sch["users"].as_array().is_some_and(|u| !u.is_empty()));
    assert!(sch.get("actual").is_none());
    // get_deleted=1 adds the deleted ones; with_actual=1 adds `actual`
    let (with_deleted, _) = s
        .walk(
            "/schedules",
            "schedules",
            &[
                ("from_date", &at(0)),
                ("to_date", &at(7 * DAY - 1)),
                ("get_deleted", "1"),
                ("with_actual", "1"),
            ],
            STATIC,
        )
        .await;
    assert!(with_deleted.len() > second_week.len());
    assert!(with_deleted.iter().any(|x| !x["deleted_at"].is_null()));
    assert!(with_deleted.iter().all(|x| x.get("actual").is_some()));
    // window limits
    let (st, _) = s
        .get(
            "/schedules",
            &[("from_date", &at(0)), ("to_date", &at(8 * DAY))],
            STATIC,
        )
        .await;
    assert_eq!(st, 400);
    // quirk can be switched off
    s.config(json!({"schedules_500_quirk": false})).await;
    let (st, _) = s
        .get(
            "/schedules",
            &[("from_date", &at(-7 * DAY)), ("to_date", &at(-1))],
            STATIC,
        )
        .await;
    assert_eq!(st, 200);
}

#[tokio::test]
async fn date_windows_formats_and_unknown_parameters() {
    let s = start(test_config()).await;
    let bad: Vec<(&str, Vec<(&str, String)>)> = vec![
        (
            "/spots",
            vec![("updated_from", at(-8 * DAY)), ("updated_to", at(0))],
        ),
        (
            "/histories",
            vec![("from_date", at(-16 * DAY)), ("to_date", at(0))],
        ),
        (
            "/trackings",
            vec![("from_date", at(-16 * DAY)), ("to_date", at(0))],
        ),
        (
            "/schedules",
            vec![("from_date", at(0)), ("to_date", at(7 * DAY + 1))],
        ),
        (
            "/histories",
            vec![("from_date", at(0)), ("to_date", at(-1))],
        ),
        ("/histories", vec![("from_date", "2025-06-01".into())]),
        (
            "/histories",
            vec![("from_date", "2025-06-01T00:00:00Z".into())],
        ),
        (
            "/histories",
            vec![("from_date", "2025-06-01T00:00:00+09:00".into())],
        ),
        (
            "/spots",
            vec![("updated_from", "2025/06/01 00:00:00".into())],
        ),
        ("/spots", vec![("limit", "10".into())]),
        ("/spots", vec![("per_page", "10".into())]),
        ("/reports", vec![("page", "2".into())]),
        ("/users", vec![("field", "ALL".into())]),
        ("/schedules", vec![("get_deleted", "true".into())]),
    ];
    for (path, params) in bad {
        let p: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (st, v) = s.get(path, &p, STATIC).await;
        assert_eq!((st, err_code(&v)), (400, 40000), "{path} {p:?}: {v}");
    }
    let (_, v) = s.get("/spots", &[("limit", "10")], STATIC).await;
    assert!(v["errors"][0]["err_msg"]
        .as_str()
        .unwrap()
        .contains("invalid parameter field"));
    // exactly 7 days is fine
    let (st, _) = s
        .get(
            "/spots",
            &[("updated_from", &at(-7 * DAY)), ("updated_to", &at(0))],
            STATIC,
        )
        .await;
    assert_eq!(st, 200);
    // repeated parameter refused
    let (st, _) = s
        .get(
            "/spots",
            &[("spot_code", "S000001"), ("spot_code", "S000002")],
            STATIC,
        )
        .await;
    assert_eq!(st, 400);
}

#[tokio::test]
async fn users_field_all() {
    let s = start(test_config()).await;
    let (_, plain) = s.get("/users", &[], STATIC).await;
    assert!(plain["users"][0].get("groups").is_none());
    let (_, all) = s.get("/users", &[("field", "all")], STATIC).await;
    let u = &all["users"][0];
    assert!(u["groups"].as_array().is_some_and(|g| !g.is_empty()));
    assert!(u["user_tags"].is_array());
    assert!(u["user_name"].as_str().unwrap().contains(' '));
    assert!(u["account_status"] == 1 || u["account_status"] == 0);
}

#[tokio::test]
async fn spot_writes_use_write_names_and_show_up_in_reads() {
    let s = start(test_config()).await;
    let tag = s.get("/spot_tags", &[], STATIC).await.1["spot_tags"][0]["spot_tag_id"]
        .as_str()
        .unwrap()
        .to_string();
    let group = s.get("/groups", &[], STATIC).await.1["groups"][0]["group_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, v) = s
        .write(
            Method::POST,
            "/spots",
            &[
                ("spot_name", "株式会社テスト 丸の内店"),
                ("kana_name", "カブシキガイシャテスト"),
                ("spot_code", "T-0001"),
                ("address", "東京都千代田区丸の内1丁目1-1"),
                ("lat", "35.681236"),
                ("lon", "139.767125"),
                ("group_id", &group),
                ("spot_tag_id", &tag),
                ("extend_data", r#"{"rank":"A","n":3}"#),
            ],
            STATIC,
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let id = v["spot_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    let (_, v) = s.get("/spots", &[("spot_id", &id)], STATIC).await;
    let spot = &v["spots"][0];
    assert_eq!(spot["spot_name_kana"], "カブシキガイシャテスト");
    assert_eq!(spot["latitude"], 35.681236);
    assert_eq!(spot["longitude"], 139.767125);
    assert_eq!(spot["spot_tags"][0]["spot_tag_id"], tag.as_str());
    assert_eq!(spot["extend_data"]["rank"], "A");
    assert!(spot.get("kana_name").is_none() && spot.get("lat").is_none());
    let created_updated = spot["updated_at"].as_str().unwrap().to_string();
    // filter by spot_code
    let (_, v) = s.get("/spots", &[("spot_code", "T-0001")], STATIC).await;
    assert_eq!(v["spots"].as_array().unwrap().len(), 1);

    // PUT with spot_id in the body
    let (st, v) = s
        .write(
            Method::PUT,
            "/spots",
            &[("spot_id", &id), ("lat", "35.7"), ("spot_tag_id", "")],
            STATIC,
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["spot_id"], id.as_str());
    let (_, v) = s.get("/spots", &[("spot_id", &id)], STATIC).await;
    assert_eq!(v["spots"][0]["latitude"], 35.7);
    assert_eq!(v["spots"][0]["spot_tags"], json!([]));
    assert!(v["spots"][0]["updated_at"].as_str().unwrap() >= created_updated.as_str());

    // read names, JSON bodies, bad extend_data, missing name are refused
    let (st, v) = s
        .write(
            Method::POST,
            "/spots",
            &[
                ("spot_name", "x"),
                ("latitude", "35.6"),
                ("longitude", "139.7"),
            ],
            STATIC,
        )
        .await;
    assert_eq!((st, err_code(&v)), (400, 40000));
    let (st, _) = s
        .write(
            Method::POST,
            "/spots",
            &[("spot_name", "x"), ("extend_data", "{not json")],
            STATIC,
        )
        .await;
    assert_eq!(st, 400);
    let (st, _) = s
        .write(Method::POST, "/spots", &[("kana_name", "x")], STATIC)
        .await;
    assert_eq!(st, 400);
    let r = s
        .http
        .post(s.url("/webapi/v0/spots"))
        .header("Authorization", format!("bearer {STATIC}"))
        .header("Content-Type", "application/json")
        .body(json!({"company_id": s.company, "spot_name": "json"}).to_string())
        .send()
        .await
        .unwrap();
    let (st, v) = body_json(r).await;
    assert_eq!((st, err_code(&v)), (400, 40000));
    // PUT of an unknown spot
    let (st, _) = s
        .write(
            Method::PUT,
            "/spots",
            &[
                ("spot_id", "ffffffffffffffffffffffffffffffff"),
                ("spot_name", "x"),
            ],
            STATIC,
        )
        .await;
    assert_eq!(st, 404);

    // DELETE with the id in the query
    let (st, v) = s
        .write(Method::DELETE, "/spots", &[("spot_id", &id)], STATIC)
        .await;
    assert_eq!((st, v), (200, json!({})));
    let (_, v) = s.get("/spots", &[("spot_id", &id)], STATIC).await;
    assert_eq!(v["spots"], json!([]));
    let (st, _) = s
        .write(Method::DELETE, "/spots", &[("spot_id", &id)], STATIC)
        .await;
    assert_eq!(st, 404);
    // reset restores the seed
    s.admin(Method::POST, "/reset", json!({})).await;
    let (items, _) = s.walk("/spots", "spots", &[], STATIC).await;
    assert_eq!(items.len(), s.count("spots"));
}

#[tokio::test]
async fn schedule_and_member_writes() {
    let s = start(test_config()).await;
    let users = s.get("/users", &[], STATIC).await.1["users"].clone();
    let (u1, u2) = (
        users[0]["user_id"].as_str().unwrap(),
        users[1]["user_id"].as_str().unwrap(),
    );
    let spot = s.get("/spots", &[], STATIC).await.1["spots"][0].clone();
    let members = format!("{u1},{u2}");
    let (st, v) = s
        .write(
            Method::POST,
            "/schedules",
            &[
                ("title", "テスト訪問"),
                ("start_date", &at(DAY + 3600)),
                ("end_date", &at(DAY + 7200)),
                ("spot_id", spot["spot_id"].as_str().unwrap()),
                ("user_id", &members),
            ],
            STATIC,
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let id = v["schedule_id"].as_str().unwrap().to_string();
    let (_, v) = s
        .get(
            "/schedules",
            &[("from_date", &at(DAY)), ("to_date", &at(2 * DAY - 1))],
            STATIC,
        )
        .await;
    let sch = v["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["schedule_id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(sch["place"]["spot_id"], spot["spot_id"]);
    assert_eq!(sch["users"].as_array().unwrap().len(), 2);
    // end before start refused
    let (st, _) = s
        .write(
            Method::PUT,
            "/schedules",
            &[("schedule_id", &id), ("end_date", &at(DAY))],
            STATIC,
        )
        .await;
    assert_eq!(st, 400);
    // members resource reflects into users[]
    let (st, v) = s
        .write(
            Method::POST,
            "/schedule_members",
            &[
                ("schedule_id", &id),
                ("user_id", users[2]["user_id"].as_str().unwrap()),
            ],
            STATIC,
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (_, v) = s
        .get("/schedule_members", &[("schedule_id", &id)], STATIC)
        .await;
    assert_eq!(v["schedule_members"].as_array().unwrap().len(), 3);
    // soft delete: hidden unless get_deleted=1
    let (st, _) = s
        .write(
            Method::DELETE,
            "/schedules",
            &[("schedule_id", &id)],
            STATIC,
        )
        .await;
    assert_eq!(st, 200);
    let (_, v) = s
        .get(
            "/schedules",
            &[("from_date", &at(DAY)), ("to_date", &at(2 * DAY - 1))],
            STATIC,
        )
        .await;
    assert!(!v["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["schedule_id"] == id.as_str()));
    let (_, v) = s
        .get(
            "/schedules",
            &[
                ("from_date", &at(DAY)),
                ("to_date", &at(2 * DAY - 1)),
                ("get_deleted", "1"),
            ],
            STATIC,
        )
        .await;
    assert!(v["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["schedule_id"] == id.as_str() && x["deleted_at"].is_string()));
    // user affiliation write shows in users field=all
    let group = s.get("/groups", &[], STATIC).await.1["groups"][5]["group_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, v) = s
        .write(
            Method::POST,
            "/user_affiliations",
            &[("user_id", u1), ("group_id", &group)],
            STATIC,
        )
        .await;
    if st == 200 {
        let (_, v) = s
            .get("/users", &[("user_id", u1), ("field", "all")], STATIC)
            .await;
        assert!(v["users"][0]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["group_id"] == group.as_str()));
    } else {
        assert_eq!(st, 400, "{v}"); // already a member of that group
    }
}

#[tokio::test]
async fn images_are_binary() {
    let s = start(test_config()).await;
    let image = s.info["image_ids"][0].as_str().unwrap().to_string();
    let r = s
        .http
        .get(s.url(&format!(
            "/webapi/v0/images?company_id={}&image_id={image}",
            s.company
        )))
        .header("Authorization", format!("bearer {STATIC}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // report photo items reference seeded images
    let (_, v) = s.get("/spot_photos", &[], STATIC).await;
    let ids: Vec<&str> = s.info["image_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(ids.contains(&v["spot_photos"][0]["image_id"].as_str().unwrap()));
    let (st, v) = s
        .get(
            "/images",
            &[("image_id", "ffffffffffffffffffffffffffffffff")],
            STATIC,
        )
        .await;
    assert_eq!((st, err_code(&v)), (404, 40400));
    let (st, _) = s.get("/images", &[], STATIC).await;
    assert_eq!(st, 400);
}

#[tokio::test]
async fn errors_inside_http_200() {
    let s = start(test_config()).await;
    let (st, v) = s
        .get("/spots", &[("spot_code", "__errors_in_200__")], STATIC)
        .await;
    assert_eq!(st, 200);
    assert!(v["errors"].as_array().is_some_and(|e| !e.is_empty()));
    s.config(json!({"force_errors_in_200": 1})).await;
    let (st, v) = s.get("/groups", &[], STATIC).await;
    assert_eq!(st, 200);
    assert!(v["errors"].is_array() && v.get("groups").is_none());
    let (st, v) = s.get("/groups", &[], STATIC).await;
    assert_eq!(st, 200);
    assert!(v.get("errors").is_none() && v["groups"].is_array());
}
