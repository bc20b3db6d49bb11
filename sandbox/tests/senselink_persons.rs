//! The 13 person endpoints of seed §2.4 and their rules.

mod senselink_support;

use reqwest::multipart::Form;
use senselink_support::*;
use serde_json::{json, Value};

async fn add_employee(sb: &Sandbox, form: Form) -> Value {
    sb.post_form("/api/v1/user", form).await
}

fn visitor_form(reception: i64, group: i64, name: &str, mobile: &str, photo_tag: &str) -> Form {
    form(&[
        ("name", name),
        ("mobile", mobile),
        ("remark", ""),
        ("groups", &group.to_string()),
        ("receptionUserId", &reception.to_string()),
        ("dateTimeFrom", "2025-05-01 09:00:00"),
        ("dateTimeTo", "2025-05-01 18:00:00"),
    ])
    .part("avatarFile", photo_part(jpeg(photo_tag), "visitor.jpg"))
}

// ------------------------------------------------------------------------------------------
// 2.4.1 add employee
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn add_employee_answers_the_seed_shape() {
    let sb = sandbox().await;
    let group = sb.group_id(1).await;
    let answer = add_employee(
        &sb,
        form(&[
            ("name", "佐藤 太郎"),
            ("groups", &group.to_string()),
            ("icNumber", "IC-NEW-0001"),
            ("jobNumber", "J-0001"),
            ("mobile", "09011112222"),
            ("remark", "テスト"),
            ("gender", "2"),
            ("birthday", "1990-06-15"),
            ("entryTime", "2019-04-01"),
        ])
        .part("avatarFile", photo_part(jpeg("employee-1"), "face.jpg")),
    )
    .await;
    assert_eq!(code(&answer), 200, "{answer}");
    let data = &answer["data"];
    for key in [
        "id", "name", "avatar", "mobile", "remark", "type", "birthday", "mail", "position", "location", "groupList",
        "gender", "prompt", "ic_number", "id_number", "job_number", "company_id", "create_at", "update_at",
        "department_id", "area_code", "entry_time",
    ] {
        assert!(data.get(key).is_some(), "missing {key} in {data}");
    }
    assert_eq!(data["name"], "佐藤 太郎");
    assert_eq!(data["type"], 1);
    assert_eq!(data["ic_number"], "IC-NEW-0001");
    assert_eq!(data["job_number"], "J-0001");
    assert_eq!(data["groupList"][0]["id"], group);
    assert_eq!(data["avatar"].as_str().unwrap().len(), 24);
    let created = data["create_at"].as_str().unwrap();
    assert_eq!(created.len(), 19, "YYYY-MM-DD hh:mm:ss: {created}");
    // It shows up in the list.
    let listed = sb.person(data["id"].as_i64().unwrap()).await;
    assert_eq!(listed["name"], "佐藤 太郎");
}

#[tokio::test]
async fn name_is_required_and_counted_in_characters() {
    let sb = sandbox().await;
    assert_eq!(code(&add_employee(&sb, form(&[("remark", "x")])).await), 30001);
    assert_eq!(code(&add_employee(&sb, form(&[("name", "")])).await), 30001);
    let max = "山".repeat(45);
    let answer = add_employee(&sb, form(&[("name", &max)])).await;
    assert_eq!(code(&answer), 200, "45 Japanese characters (135 bytes) fit: {answer}");
    let answer = add_employee(&sb, form(&[("name", &"山".repeat(46))])).await;
    assert_eq!(code(&answer), 30001);
    assert_eq!(answer["message"], "Param Invalid");
    assert!(answer["desc"].as_str().unwrap().contains("登録者名の長さが無効です"));
}

#[tokio::test]
async fn employee_length_limits_use_characters() {
    let sb = sandbox().await;
    let cases: &[(&str, usize)] =
        &[("icNumber", 20), ("jobNumber", 45), ("mobile", 20), ("remark", 255), ("mail", 45), ("position", 45), ("location", 45)];
    for (i, (field, limit)) in cases.iter().enumerate() {
        // Unique values so duplicates never interfere.
        let ok_value: String = format!("{i}{}", "字".repeat(limit - 1));
        let answer = add_employee(&sb, form(&[("name", "長さ テスト"), (field, &ok_value)])).await;
        assert_eq!(code(&answer), 200, "{field} at {limit} chars: {answer}");
        let too_long = "字".repeat(limit + 1);
        let answer = add_employee(&sb, form(&[("name", "長さ テスト"), (field, &too_long)])).await;
        assert_eq!(code(&answer), 30001, "{field} at {} chars", limit + 1);
    }
    // idNumber: 6–30.
    assert_eq!(code(&add_employee(&sb, form(&[("name", "a"), ("idNumber", "12345")])).await), 30001);
    assert_eq!(code(&add_employee(&sb, form(&[("name", "a"), ("idNumber", "123456")])).await), 200);
}

#[tokio::test]
async fn dates_and_gender_are_validated() {
    let sb = sandbox().await;
    for bad in ["2019-6-15", "2019/06/15", "2019-02-30", "15-06-2019"] {
        assert_eq!(code(&add_employee(&sb, form(&[("name", "a"), ("birthday", bad)])).await), 30001, "{bad}");
        assert_eq!(code(&add_employee(&sb, form(&[("name", "a"), ("entryTime", bad)])).await), 30001, "{bad}");
    }
    assert_eq!(code(&add_employee(&sb, form(&[("name", "a"), ("gender", "3")])).await), 30001);
    assert_eq!(code(&add_employee(&sb, form(&[("name", "a"), ("gender", "1")])).await), 200);
    assert_eq!(code(&add_employee(&sb, form(&[("name", "a"), ("force", "2")])).await), 30001);
}

#[tokio::test]
async fn groups_travel_as_one_comma_joined_field() {
    let sb = sandbox().await;
    let summary = sb.summary().await;
    let employee_groups: Vec<i64> =
        summary["groups"].as_array().unwrap().iter().filter(|g| g["type"] == 1).map(|g| g["id"].as_i64().unwrap()).collect();
    let joined = format!("{},{}", employee_groups[0], employee_groups[1]);
    let answer = add_employee(&sb, form(&[("name", "a"), ("groups", &joined)])).await;
    assert_eq!(code(&answer), 200);
    assert_eq!(answer["data"]["groupList"].as_array().unwrap().len(), 2);
    // Empty = no group.
    let answer = add_employee(&sb, form(&[("name", "a"), ("groups", "")])).await;
    assert_eq!(answer["data"]["groupList"], json!([]));
    // Unknown id and wrong group type.
    assert_eq!(code(&add_employee(&sb, form(&[("name", "a"), ("groups", "999999")])).await), 30001);
    let visitor_group = sb.group_id(2).await.to_string();
    assert_eq!(code(&add_employee(&sb, form(&[("name", "a"), ("groups", &visitor_group)])).await), 30001);
    // Repeated fields are a client mistake.
    let repeated = Form::new()
        .text("name", "a")
        .text("groups", employee_groups[0].to_string())
        .text("groups", employee_groups[1].to_string());
    let answer = add_employee(&sb, repeated).await;
    assert_eq!(code(&answer), 30001);
    assert!(answer["desc"].as_str().unwrap().contains("groups=1,2"));
    // JSON-style list is not a list of ids.
    assert_eq!(code(&add_employee(&sb, form(&[("name", "a"), ("groups", "[1,2]")])).await), 30001);
}

#[tokio::test]
async fn duplicate_ic_number_or_mobile_is_refused() {
    let sb = sandbox().await;
    let seeded = sb.person(sb.sample_id("employees_with_photo").await).await;
    let mobile = seeded["mobile"].as_str().unwrap();
    let answer = add_employee(&sb, form(&[("name", "a"), ("mobile", mobile)])).await;
    assert_eq!(code(&answer), 30001);
    assert!(answer["desc"].as_str().unwrap().contains("携帯電話番号がすでに存在します"));
    let first = add_employee(&sb, form(&[("name", "a"), ("icNumber", "DUP-IC-1")])).await;
    assert_eq!(code(&first), 200);
    let answer = add_employee(&sb, form(&[("name", "b"), ("icNumber", "DUP-IC-1")])).await;
    assert_eq!(code(&answer), 30001);
    assert!(answer["desc"].as_str().unwrap().contains("ICカード番号がすでに存在します"));
    // Empty values never clash.
    assert_eq!(code(&add_employee(&sb, form(&[("name", "c"), ("icNumber", "")])).await), 200);
    assert_eq!(code(&add_employee(&sb, form(&[("name", "d"), ("icNumber", "")])).await), 200);
}

#[tokio::test]
async fn enterprise_requires_ic_job_mobile_remark_on_employees() {
    let sb = start_with(|c| c.senselink.edition = "enterprise".parse().unwrap()).await;
    let answer = add_employee(&sb, form(&[("name", "a")])).await;
    assert_eq!(code(&answer), 30001);
    assert!(answer["desc"].as_str().unwrap().contains("GE Enterprise"));
    let full = [("name", "a"), ("icNumber", ""), ("jobNumber", ""), ("mobile", ""), ("remark", "")];
    assert_eq!(code(&add_employee(&sb, form(&full)).await), 200);
    for skip in 1..full.len() {
        let partial: Vec<(&str, &str)> = full.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, f)| *f).collect();
        assert_eq!(code(&add_employee(&sb, form(&partial)).await), 30001, "without {}", full[skip].0);
    }
    // Cloud does not require them.
    let cloud = sandbox().await;
    assert_eq!(code(&add_employee(&cloud, form(&[("name", "a")])).await), 200);
}

#[tokio::test]
async fn photo_size_and_format_are_checked() {
    let sb = sandbox().await;
    let limit = 4 * 1024 * 1024;
    let mut exactly = jpeg("limit");
    exactly.resize(limit, 0);
    let answer = add_employee(&sb, form(&[("name", "a")]).part("avatarFile", photo_part(exactly, "big.jpg"))).await;
    assert_eq!(code(&answer), 200, "exactly 4 MB is fine");
    let mut over = jpeg("over");
    over.resize(limit + 1, 0);
    let answer = add_employee(&sb, form(&[("name", "a")]).part("avatarFile", photo_part(over, "big.jpg"))).await;
    assert_eq!(code(&answer), 30001);
    assert!(answer["desc"].as_str().unwrap().contains("too large"), "{answer}");
    let text = reqwest::multipart::Part::bytes(b"not an image".to_vec()).file_name("face.jpg");
    let answer = add_employee(&sb, form(&[("name", "a")]).part("avatarFile", text)).await;
    assert_eq!(code(&answer), 30001);
    assert!(answer["desc"].as_str().unwrap().contains("format invalid"));
    // PNG is fine too.
    let png = sb.http.get(format!("{}/__admin/senselink/photo/{}", sb.base, sb.sample_id("visitors").await));
    let png = png.send().await.unwrap().bytes().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"));
}

#[tokio::test]
async fn same_photo_as_a_registered_person_is_similar_unless_forced() {
    let sb = sandbox().await;
    let seeded_id = sb.sample_id("employees_with_photo").await;
    let bytes = sb
        .http
        .get(format!("{}/__admin/senselink/photo/{seeded_id}", sb.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let seeded = sb.person(seeded_id).await;
    let with_photo = |force: &str| {
        form(&[("name", "そっくり さん"), ("force", force)]).part("avatarFile", photo_part(bytes.clone(), "same.png"))
    };
    // 2.4.1 documents 30002 with data.
    let answer = add_employee(&sb, with_photo("0")).await;
    assert_eq!(code(&answer), 30002, "{answer}");
    assert_eq!(answer["message"], "Similar User Exist");
    assert_eq!(answer["desc"], "ex.similar-user");
    assert_eq!(answer["data"]["similar_user_id"], seeded_id);
    assert_eq!(answer["data"]["similar_user_name"], seeded["name"]);
    assert_eq!(answer["data"]["similar_user_avatar"], seeded["avatar"]);
    assert_eq!(answer["data"]["can_force"], 1);
    // Updating a person with their own photo is not "similar".
    let own = form(&[]).part("avatarFile", photo_part(bytes.clone(), "own.png"));
    let answer = sb.post_form(&format!("/api/v2/user/update/{seeded_id}"), own).await;
    assert_eq!(code(&answer), 200, "{answer}");
    assert_eq!(code(&add_employee(&sb, with_photo("1")).await), 200, "force=1 adds anyway");

    // Visitors and the deny list document 610.
    let reception = sb.sample_id("employees_with_photo").await;
    let group = sb.group_id(2).await;
    let visitor = form(&[
        ("name", "来訪 者"),
        ("mobile", "08000000001"),
        ("remark", ""),
        ("groups", &group.to_string()),
        ("receptionUserId", &reception.to_string()),
        ("dateTimeFrom", "2025-05-01 09:00:00"),
        ("dateTimeTo", "2025-05-01 18:00:00"),
    ])
    .part("avatarFile", photo_part(bytes.clone(), "same.png"));
    assert_eq!(code(&sb.post_form("/api/v1/guest", visitor).await), 610);
    let deny = form(&[("name", "拒否 者")]).part("avatarFile", photo_part(bytes.clone(), "same.png"));
    let answer = sb.post_form("/api/v2/black", deny).await;
    assert_eq!(code(&answer), 610);
    assert_eq!(answer["data"]["similar_user_id"], seeded_id);
}

#[tokio::test]
async fn file_name_markers_fail_face_checks_with_each_endpoints_code() {
    let sb = sandbox().await;
    let employee = |file: &str| form(&[("name", "a")]).part("avatarFile", photo_part(jpeg(file), file));
    for marker in ["noface", "multiface", "detectfail", "syncfail"] {
        let answer = add_employee(&sb, employee(&format!("{marker}.jpg"))).await;
        assert_eq!(code(&answer), 50001, "{marker}: {answer}");
        assert_eq!(answer["message"], "RPC FAILED");
    }
    let answer = add_employee(&sb, employee("photo_NoFace_01.jpg")).await;
    assert!(answer["desc"].as_str().unwrap().contains("顔が検知されていません"));

    let deny = |file: &str| form(&[("name", "a")]).part("avatarFile", photo_part(jpeg(file), file));
    for marker in ["noface", "multiface", "detectfail", "syncfail"] {
        let answer = sb.post_form("/api/v2/black", deny(&format!("{marker}.jpg"))).await;
        assert_eq!(code(&answer), 600, "{marker}: {answer}");
        assert_eq!(answer["message"], "Sync Failed");
    }
    let answer = sb.post_form("/api/v2/black", deny("syncfail.jpg")).await;
    assert!(answer["desc"].as_str().unwrap().contains("小さすぎます"));
    assert_eq!(code(&sb.post_form("/api/v2/black", deny("grouplinkfail.jpg")).await), 700);

    let id = sb.sample_id("employees_with_photo").await;
    let update = form(&[]).part("avatarFile", photo_part(jpeg("glf"), "grouplinkfail.jpg"));
    let answer = sb.post_form(&format!("/api/v2/user/update/{id}"), update).await;
    assert_eq!(code(&answer), 50002);
    assert_eq!(answer["message"], "Internal Server Error");

    let reception = sb.sample_id("employees_with_photo").await;
    let group = sb.group_id(2).await;
    let visitor = form(&[
        ("name", "v"),
        ("mobile", "08000000002"),
        ("remark", ""),
        ("groups", &group.to_string()),
        ("receptionUserId", &reception.to_string()),
        ("dateTimeFrom", "2025-05-01 09:00:00"),
        ("dateTimeTo", "2025-05-01 18:00:00"),
    ])
    .part("avatarFile", photo_part(jpeg("v"), "multiface.jpg"));
    assert_eq!(code(&sb.post_form("/api/v1/guest", visitor).await), 50001);
}

#[tokio::test]
async fn person_limit_answers_709_on_cloud_only() {
    let sb = sandbox().await;
    let total = sb.summary().await["persons"]["total"].as_i64().unwrap();
    sb.admin_post("/__admin/senselink/config", &json!({"person_limit": total + 1})).await;
    assert_eq!(code(&add_employee(&sb, form(&[("name", "最後の 一人")])).await), 200);
    let answer = add_employee(&sb, form(&[("name", "溢れた 人")])).await;
    assert_eq!(code(&answer), 709);
    assert_eq!(answer["message"], "The maximum number of persons in the tenant has been reached.");
    assert_eq!(code(&sb.post_form("/api/v2/black", form(&[("name", "x")])).await), 709);
    // Deleting frees a slot.
    let id = sb.sample_id("employees_without_photo").await;
    assert_eq!(code(&sb.get(&format!("/api/v1/user/delete/{id}")).await), 200);
    assert_eq!(code(&add_employee(&sb, form(&[("name", "空き 枠")])).await), 200);
    // GE has no plan limit.
    sb.admin_post("/__admin/senselink/config", &json!({"edition": "enterprise"})).await;
    let ge = form(&[("name", "a"), ("icNumber", ""), ("jobNumber", ""), ("mobile", ""), ("remark", "")]);
    assert_eq!(code(&add_employee(&sb, ge).await), 200);
    // Limit can be started with.
    let limited = start_with(|c| c.senselink.person_limit = Some(1)).await;
    assert_eq!(code(&add_employee(&limited, form(&[("name", "a")])).await), 709);
}

// ------------------------------------------------------------------------------------------
// 2.4.2 / 2.4.3 update and delete employee
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn update_employee_leaves_omitted_fields_and_clears_empty_ones() {
    let sb = sandbox().await;
    let groups = sb.group_id(1).await.to_string();
    let created = add_employee(
        &sb,
        form(&[("name", "更新 前"), ("remark", "残す"), ("mail", "a@example.jp"), ("groups", &groups), ("icNumber", "UPD-1")]),
    )
    .await;
    let id = created["data"]["id"].as_i64().unwrap();
    let path = format!("/api/v2/user/update/{id}");

    let answer = sb.post_form(&path, form(&[("name", "更新 後"), ("mail", "")])).await;
    assert_eq!(code(&answer), 200, "{answer}");
    let data = &answer["data"];
    assert_eq!(data["name"], "更新 後");
    assert_eq!(data["remark"], "残す", "omitted = unchanged");
    assert_eq!(data["mail"], "", "\"\" = cleared");
    assert_eq!(data["ic_number"], "UPD-1");
    assert_eq!(data["groupList"].as_array().unwrap().len(), 1, "groups omitted = unchanged");

    let answer = sb.post_form(&path, form(&[("groups", "")])).await;
    assert_eq!(answer["data"]["groupList"], json!([]), "groups \"\" = no group");
    assert_eq!(answer["data"]["name"], "更新 後", "name optional on Cloud");

    let answer = sb.post_form(&path, form(&[("name", "")])).await;
    assert_eq!(code(&answer), 30001, "empty name refused");
    let answer = sb.post_form(&path, form(&[("remark", &"x".repeat(256))])).await;
    assert_eq!(code(&answer), 30001);
    // Unknown ids, other person types.
    assert_eq!(code(&sb.post_form("/api/v2/user/update/1", form(&[("name", "a")])).await), 30001);
    let visitor = sb.sample_id("visitors").await;
    assert_eq!(code(&sb.post_form(&format!("/api/v2/user/update/{visitor}"), form(&[("name", "a")])).await), 30001);
    // Invalid groups are skipped on update (seed 2.4.2), not refused.
    let answer = sb.post_form(&path, form(&[("groups", &format!("{groups},999999"))])).await;
    assert_eq!(code(&answer), 200);
    assert_eq!(answer["data"]["groupList"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn enterprise_requires_name_on_employee_update() {
    let sb = start_with(|c| c.senselink.edition = "enterprise".parse().unwrap()).await;
    let id = sb.sample_id("employees_with_photo").await;
    let path = format!("/api/v2/user/update/{id}");
    assert_eq!(code(&sb.post_form(&path, form(&[("remark", "x")])).await), 30001);
    assert_eq!(code(&sb.post_form(&path, form(&[("name", "名前"), ("remark", "x")])).await), 200);
}

#[tokio::test]
async fn delete_employee_answers_without_data() {
    let sb = sandbox().await;
    let id = sb.sample_id("employees_with_photo").await;
    let answer = sb.get(&format!("/api/v1/user/delete/{id}")).await;
    assert_eq!(answer, json!({"code": 200, "message": "OK", "desc": ""}));
    assert_eq!(code(&sb.get(&format!("/api/v1/user/delete/{id}")).await), 30001);
    let visitor = sb.sample_id("visitors").await;
    assert_eq!(code(&sb.get(&format!("/api/v1/user/delete/{visitor}")).await), 30001);
    assert_eq!(code(&sb.get("/api/v1/user/delete/abc").await), 30001);
    // Wrong method.
    let response = sb.http.post(sb.signed(&format!("/api/v1/user/delete/{visitor}"))).send().await.unwrap();
    assert_eq!(response.status(), 405);
}

// ------------------------------------------------------------------------------------------
// 2.4.4 image_updated
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn image_updated_lists_new_and_replaced_avatars_of_a_day() {
    let sb = sandbox().await;
    let id = sb.sample_id("employees_with_photo").await;
    let update = form(&[]).part("avatarFile", photo_part(jpeg("replaced"), "new.jpg"));
    assert_eq!(code(&sb.post_form(&format!("/api/v2/user/update/{id}"), update).await), 200);
    let created = add_employee(&sb, form(&[("name", "新規 写真")]).part("avatarFile", photo_part(jpeg("fresh"), "f.jpg"))).await;
    let new_id = created["data"]["id"].as_i64().unwrap();
    let today = &created["data"]["create_at"].as_str().unwrap()[..10];

    let answer = sb.get(&format!("/api/v2/staff/image_updated?date={today}")).await;
    assert_eq!(code(&answer), 200);
    let items = answer["data"].as_array().unwrap();
    let replaced = items.iter().find(|i| i["employee_id"].as_str() == Some(&*id.to_string())).expect("replaced avatar listed");
    assert_eq!(replaced["remark"], 1);
    let added = items.iter().find(|i| i["employee_id"].as_str() == Some(&*new_id.to_string())).expect("new avatar listed");
    assert_eq!(added["remark"], 0);
    let url = added["image_URL"].as_str().unwrap();
    let image = sb.http.get(url).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(image.as_ref(), jpeg("fresh").as_slice());

    assert_eq!(code(&sb.get("/api/v2/staff/image_updated").await), 30001);
    assert_eq!(code(&sb.get("/api/v2/staff/image_updated?date=2025-13-01").await), 30001);
    assert_eq!(sb.get("/api/v2/staff/image_updated?date=1999-01-01").await["data"], json!([]));
}

// ------------------------------------------------------------------------------------------
// 2.4.5–2.4.7 visitors
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn visitor_add_update_delete() {
    let sb = sandbox().await;
    let reception = sb.sample_id("employees_with_photo").await;
    let group = sb.group_id(2).await;
    let answer = sb.post_form("/api/v1/guest", visitor_form(reception, group, "来客 花子", "08012345678", "visitor-1")).await;
    assert_eq!(code(&answer), 200, "{answer}");
    let data = &answer["data"];
    assert_eq!(data["date_time_from"], "2025-05-01 09:00:00.0", "add answers with .0");
    assert_eq!(data["date_time"], "2025-05-01 09:00:00.0");
    assert_eq!(data["date_time_to"], "2025-05-01 18:00:00.0");
    assert!(data["create_at"].as_str().unwrap().ends_with(".0"));
    assert_eq!(data["groups"][0]["id"], group);
    assert_eq!(data["group_count"], 1);
    assert_eq!(data["reception_user_id"], reception);
    assert!(data["reception_user_name"].is_string());
    for key in ["ic_number", "id_number", "company_id", "guest_company", "guest_purpose", "area_code", "level"] {
        assert!(data.get(key).is_some(), "missing {key}");
    }
    let id = data["id"].as_i64().unwrap();

    let update = form(&[
        ("name", "来客 花子"),
        ("groups", ""),
        ("receptionUserId", &reception.to_string()),
        ("dateTimeFrom", "2025-05-02 10:00:00"),
        ("dateTimeTo", "2025-05-02 11:00:00"),
        ("guestCompany", "株式会社テスト"),
    ]);
    let answer = sb.post_form(&format!("/api/v1/guest/update/{id}"), update).await;
    assert_eq!(code(&answer), 200, "{answer}");
    assert_eq!(answer["data"]["date_time_from"], "2025-05-02 10:00:00", "update answers without .0");
    assert_eq!(answer["data"]["groups"], json!([]));
    assert_eq!(answer["data"]["guest_company"], "株式会社テスト");
    assert_eq!(answer["data"]["mobile"], "08012345678", "omitted mobile unchanged");

    assert_eq!(code(&sb.get(&format!("/api/v1/guest/delete/{id}")).await), 200);
    assert_eq!(code(&sb.get(&format!("/api/v1/guest/delete/{id}")).await), 30001);
    let employee = sb.sample_id("employees_with_photo").await;
    assert_eq!(code(&sb.get(&format!("/api/v1/guest/delete/{employee}")).await), 30001);
}

#[tokio::test]
async fn visitor_required_fields_and_formats() {
    let sb = sandbox().await;
    let reception = sb.sample_id("employees_with_photo").await.to_string();
    let group = sb.group_id(2).await.to_string();
    let full: Vec<(&str, &str)> = vec![
        ("name", "来客"),
        ("mobile", "08099990000"),
        ("remark", ""),
        ("groups", &group),
        ("receptionUserId", &reception),
        ("dateTimeFrom", "2025-05-01 09:00:00"),
        ("dateTimeTo", "2025-05-01 18:00:00"),
    ];
    let send = |fields: Vec<(&str, &str)>, with_photo: bool, tag: &str| {
        let f = form(&fields);
        let f = if with_photo { f.part("avatarFile", photo_part(jpeg(tag), "v.jpg")) } else { f };
        sb.post_form("/api/v1/guest", f)
    };
    assert_eq!(code(&send(full.clone(), false, "").await), 30001, "avatarFile required");
    for (i, (field, _)) in full.iter().enumerate() {
        let without: Vec<(&str, &str)> = full.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, f)| *f).collect();
        assert_eq!(code(&send(without, true, &format!("r{i}")).await), 30001, "without {field}");
    }
    let replace = |field: &str, value: &'static str| -> Vec<(&str, &str)> {
        full.iter().map(|(k, v)| if *k == field { (*k, value) } else { (*k, *v) }).collect()
    };
    assert_eq!(code(&send(replace("mobile", ""), true, "m").await), 30001, "empty mobile");
    assert_eq!(code(&send(replace("dateTimeFrom", "2025-05-01T09:00:00"), true, "f").await), 30001);
    assert_eq!(code(&send(replace("dateTimeTo", "2025-05-01 24:00:00"), true, "t").await), 30001);
    assert_eq!(code(&send(replace("dateTimeTo", "2025-04-30 09:00:00"), true, "o").await), 30001, "to before from");
    assert_eq!(code(&send(replace("receptionUserId", "1"), true, "u").await), 30001, "unknown reception user");
    assert_eq!(code(&send(replace("name", "ああああああああああああああああああああああああああああああああああああああああああああああ"), true, "n").await), 30001, "46 chars");
    assert_eq!(code(&send(replace("groups", ""), true, "g").await), 200, "empty groups allowed");
    assert_eq!(code(&send(full.clone(), true, "ok").await), 200);
}

// ------------------------------------------------------------------------------------------
// 2.4.8–2.4.12 deny list
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn deny_list_add_update_delete() {
    let sb = sandbox().await;
    let deny_group = sb.group_id(3).await.to_string();
    let answer = sb
        .post_form("/api/v2/black", form(&[("name", "山田"), ("groups", &deny_group), ("mail", "y@example.jp"), ("prompt", "ようこそ")]))
        .await;
    assert_eq!(code(&answer), 200, "{answer}");
    let data = &answer["data"];
    assert_eq!(data["createBy"], "OPEN API", "add answers createBy");
    assert_eq!(data["area_code"], "86", "default area code");
    assert_eq!(data["last_type"], 0);
    assert!(data["create_at"].as_str().unwrap().ends_with(".0"));
    assert_eq!(data["groups"][0]["id"].to_string(), deny_group);
    let id = data["id"].as_i64().unwrap();
    assert_eq!(sb.person(id).await["type"], 5);

    // 2.4.11: id and name travel in the form body.
    let answer = sb.post_form("/api/v2/black/update", form(&[("id", &id.to_string()), ("name", "山田 改")])).await;
    assert_eq!(code(&answer), 200, "{answer}");
    assert_eq!(answer["data"]["name"], "山田 改");
    assert_eq!(answer["data"]["create_by"], "OPEN API", "update answers create_by");
    assert!(answer["data"].get("createBy").is_none());
    assert_eq!(answer["data"]["mail"], "y@example.jp");
    assert_eq!(answer["data"]["groups"], json!([]), "groups omitted on update = no group (seed 2.4.11)");
    assert_eq!(code(&sb.post_form("/api/v2/black/update", form(&[("id", &id.to_string())])).await), 30001, "name required");
    assert_eq!(code(&sb.post_form("/api/v2/black/update", form(&[("name", "x")])).await), 30001, "id required");
    let employee = sb.sample_id("employees_with_photo").await.to_string();
    assert_eq!(code(&sb.post_form("/api/v2/black/update", form(&[("id", &employee), ("name", "x")])).await), 30001);

    assert_eq!(code(&sb.get(&format!("/api/v2/black/delete/{id}")).await), 200);
    assert_eq!(code(&sb.get(&format!("/api/v2/black/delete/{id}")).await), 30001);
}

#[tokio::test]
async fn deny_list_field_rules() {
    let sb = sandbox().await;
    let cases: &[(&str, &str)] = &[
        ("areaCode", "123456789"),
        ("areaCode", "8a"),
        ("mobile", "090-abc"),
        ("mobile", "012345678901234567890"),
        ("mail", "no-at-sign"),
        ("birthday", "1990-1-1"),
        ("prompt", &"あ".repeat(256)),
        ("icNumber", &"1".repeat(21)),
        ("groups", &"1".repeat(3)),
    ];
    for (field, value) in cases {
        let answer = sb.post_form("/api/v2/black", form(&[("name", "x"), (field, value)])).await;
        assert_eq!(code(&answer), 30001, "{field}={value}: {answer}");
    }
    let employee_group = sb.group_id(1).await.to_string();
    assert_eq!(code(&sb.post_form("/api/v2/black", form(&[("name", "x"), ("groups", &employee_group)])).await), 30001);
    assert_eq!(code(&sb.post_form("/api/v2/black", form(&[("name", &"あ".repeat(45)), ("prompt", &"あ".repeat(255))])).await), 200);
    let seeded = sb.person(sb.sample_id("employees_with_photo").await).await;
    let answer = sb.post_form("/api/v2/black", form(&[("name", "x"), ("mobile", seeded["mobile"].as_str().unwrap())])).await;
    assert_eq!(code(&answer), 30001, "duplicate mobile");
}

#[tokio::test]
async fn move_in_and_out_of_the_deny_list() {
    let sb = sandbox().await;
    let deny_group = sb.group_id(3).await;
    let employee_group = sb.group_id(1).await;
    let id = sb.sample_id("employees_with_photo").await;
    let before = sb.person(id).await;
    assert_eq!(before["type"], 1);

    let answer = sb.post_json("/api/v2/black/move/in", &json!({"userId": id, "groupIds": [deny_group]})).await;
    assert_eq!(answer, json!({"code": 200, "message": "OK", "desc": ""}));
    let moved = sb.person(id).await;
    assert_eq!(moved["type"], 5);
    assert_eq!(moved["last_type"], 1);
    assert_eq!(moved["department_id"], 0, "department cleared");
    assert_eq!(moved["groupList"], json!([{"id": deny_group, "name": "デフォルト拒否リスト", "type": 3}]));
    assert_eq!(moved["name"], before["name"], "other information kept");
    assert_eq!(moved["mobile"], before["mobile"]);

    // Already on the deny list → 498; deny-list group missing → 498; groupIds missing → 30001.
    assert_eq!(code(&sb.post_json("/api/v2/black/move/in", &json!({"userId": id, "groupIds": []})).await), 498);
    let other = sb.summary().await["sample_ids"]["employees_with_photo"][1].as_i64().unwrap();
    assert_eq!(code(&sb.post_json("/api/v2/black/move/in", &json!({"userId": other, "groupIds": [employee_group]})).await), 498);
    assert_eq!(code(&sb.post_json("/api/v2/black/move/in", &json!({"userId": other})).await), 30001);
    assert_eq!(code(&sb.post_json("/api/v2/black/move/in", &json!({"groupIds": []})).await), 30001);
    // Form data instead of JSON is refused.
    let answer = sb.post_form("/api/v2/black/move/in", form(&[("userId", &other.to_string()), ("groupIds", "")])).await;
    assert_eq!(code(&answer), 30001);

    let answer = sb.get(&format!("/api/v2/black/move/out?id={id}")).await;
    assert_eq!(code(&answer), 200, "{answer}");
    let back = sb.person(id).await;
    assert_eq!(back["type"], 1, "back to last_type");
    assert_eq!(back["last_type"], 0);

    // A visitor keeps type 2 through the round trip; an empty groupIds list is allowed.
    let visitor = sb.sample_id("visitors").await;
    assert_eq!(code(&sb.post_json("/api/v2/black/move/in", &json!({"userId": visitor, "groupIds": []})).await), 200);
    assert_eq!(sb.person(visitor).await["last_type"], 2);
    assert_eq!(code(&sb.get(&format!("/api/v2/black/move/out?id={visitor}")).await), 200);
    assert_eq!(sb.person(visitor).await["type"], 2);

    // Directly added deny-list persons have no original type; employees are not on the list.
    let direct = sb.sample_id("deny_list_direct").await;
    let answer = sb.get(&format!("/api/v2/black/move/out?id={direct}")).await;
    assert_eq!(code(&answer), 30001);
    assert!(answer["desc"].as_str().unwrap().contains("元の識別子が無い"));
    assert_eq!(code(&sb.get(&format!("/api/v2/black/move/out?id={id}")).await), 30001);
    let seeded_moved = sb.sample_id("deny_list_moved_in").await;
    assert_eq!(code(&sb.get(&format!("/api/v2/black/move/out?id={seeded_moved}")).await), 200);
}

// ------------------------------------------------------------------------------------------
// 2.4.13 list
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn list_pages_and_limits_size() {
    let sb = sandbox().await;
    let page1 = sb.get("/api/v1/user/list").await;
    let items = page1["data"].as_array().unwrap();
    assert_eq!(items.len(), 20, "default size 20");
    assert!(items.iter().all(|p| p["groupList"].is_null()), "no groupList when several persons");
    let page2 = sb.get("/api/v1/user/list?page=2&size=20").await;
    assert_ne!(page1["data"][0]["id"], page2["data"][0]["id"]);
    assert_eq!(sb.get("/api/v1/user/list?size=100").await["data"].as_array().unwrap().len(), 100);
    let answer = sb.get("/api/v1/user/list?size=101").await;
    assert_eq!(code(&answer), 30001);
    assert!(answer["desc"].as_str().unwrap().contains("100"));
    assert_eq!(code(&sb.get("/api/v1/user/list?page=0").await), 30001);
    assert_eq!(code(&sb.get("/api/v1/user/list?size=abc").await), 30001);
    assert_eq!(code(&sb.get("/api/v1/user/list?type=3").await), 30001);
    assert_eq!(sb.get("/api/v1/user/list?page=999").await["data"], json!([]));
    // All persons across pages.
    let total = sb.summary().await["persons"]["total"].as_u64().unwrap();
    let mut seen = 0;
    for page in 1.. {
        let n = sb.get(&format!("/api/v1/user/list?page={page}&size=100")).await["data"].as_array().unwrap().len();
        seen += n as u64;
        if n < 100 {
            break;
        }
    }
    assert_eq!(seen, total);
}

#[tokio::test]
async fn list_filters_and_group_list_rule() {
    let sb = sandbox().await;
    let one = sb.get("/api/v1/user/list?size=1").await;
    let first = &one["data"][0];
    assert!(first["groupList"].is_array(), "exactly one person → groupList filled: {first}");
    let id = first["id"].as_i64().unwrap();
    let name = first["name"].as_str().unwrap();
    let family = name.split(' ').next().unwrap();
    let by_name = sb.get(&format!("/api/v1/user/list?size=100&name={}", enc(family))).await;
    let found = by_name["data"].as_array().unwrap();
    assert!(found.iter().any(|p| p["id"] == id));
    assert!(found.iter().all(|p| p["name"].as_str().unwrap().contains(family)));
    let mobile = first["mobile"].as_str().unwrap();
    let by_mobile = sb.get(&format!("/api/v1/user/list?mobile={mobile}")).await;
    assert_eq!(by_mobile["data"].as_array().unwrap().len(), 1);
    let job = first["job_number"].as_str().unwrap();
    assert_eq!(sb.get(&format!("/api/v1/user/list?jobNumber={job}")).await["data"][0]["id"], id);
    let visitors = sb.get("/api/v1/user/list?type=2&size=100").await;
    assert_eq!(visitors["data"].as_array().unwrap().len(), 50);
    let visitor = &visitors["data"][0];
    assert!(visitor["date_time_from"].as_str().unwrap().ends_with(".0"));
    let deny = sb.get("/api/v1/user/list?type=5&size=100").await;
    assert!(deny["data"].as_array().unwrap().iter().all(|p| p["type"] == 5));

    // departmentId and groups filter on Cloud …
    let department = first["department_id"].as_i64().unwrap();
    let by_department = sb.get(&format!("/api/v1/user/list?size=100&departmentId={department}")).await;
    assert!(by_department["data"].as_array().unwrap().iter().all(|p| p["department_id"] == department));
    let visitor_group = sb.group_id(2).await;
    let employee_group = sb.group_id(1).await;
    let by_groups = sb.get(&format!("/api/v1/user/list?size=100&groups={visitor_group},{employee_group}")).await;
    assert_eq!(by_groups["data"].as_array().unwrap().len(), 100);
    // … and are ignored on GE.
    sb.admin_post("/__admin/senselink/config", &json!({"edition": "enterprise"})).await;
    let ge = sb.get(&format!("/api/v1/user/list?size=100&departmentId={department}")).await;
    assert!(ge["data"].as_array().unwrap().iter().any(|p| p["department_id"] != department));
}
