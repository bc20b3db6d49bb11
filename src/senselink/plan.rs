//! From an operation's row and the caller's input to a [`Plan`]: method, path, query, body, and how
//! to read the answer.
//!
//! Planning validates the whole input first — every parameter, the photo, the window order — and
//! reports every problem in one `INVALID_INPUT` error, before anything is sent. The plan carries no
//! credentials: the client adds the signature (or, in proxy mode, the proxy does).

#[allow(unused_imports)]
use crate::prelude::*;

use crate::doc::{Doc, Kind as DocKind};
use crate::error::{Error, Issues};
use crate::http::{encode_path_segment, Body, Method, Part};

use super::operations::{BodyKind, Operation, PhotoRule, DEFAULT_SIZE};
use super::photo::{photo_part, PhotoInput};
use super::rules::{read_fields, value_of, Checked, Wire};
use super::Edition;

/// Everything needed to send one call and read its answer, minus the signature.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The operation.
    pub operation: &'static Operation,
    /// HTTP method.
    pub method: Method,
    /// Path starting with `/api/`.
    pub path: String,
    /// Business query parameters.
    pub query: Vec<(String, String)>,
    /// Body.
    pub body: Body,
    /// Whether a face photo is uploaded (face-failure codes then mean `SENSELINK_FACE_REJECTED`).
    pub photo: bool,
    /// For paged lists: the page number and size asked for.
    pub page: Option<(i64, i64)>,
}

/// Validates `input` (and `photo`) for `operation` on `edition`, and plans the request.
pub fn plan<D: Doc>(
    operation: &'static Operation,
    input: &D,
    photo: Option<PhotoInput>,
    edition: Edition,
) -> Result<Plan, Error> {
    if !matches!(input.kind(), DocKind::Object | DocKind::Absent | DocKind::Null) {
        return Err(Error::invalid_input("input", "must be an object"));
    }
    let mut issues = Issues::default();
    let extra: &[&str] = if operation.photo == PhotoRule::None { &[] } else { &["avatar"] };
    let checked = read_fields(input, operation.fields, extra, edition, operation.name, &mut issues);
    let file = match (operation.photo.part(), photo) {
        (Some(_), Some(PhotoInput::NotAFile)) => {
            issues.add("avatar", "must be a Blob, File, Uint8Array or ArrayBuffer");
            None
        }
        (Some(part), Some(PhotoInput::File(photo))) => photo_part(photo, "avatar", part, &mut issues),
        (None, Some(_)) => {
            issues.add("avatar", format!("is not a parameter of {}", operation.name));
            None
        }
        (_, None) => {
            if let PhotoRule::Required(_) = operation.photo {
                issues.add("avatar", "is required (a JPEG or PNG face photo of at most 4 MB)");
            }
            None
        }
    };
    if let Some((from, to)) = operation.window {
        if let (Some(Wire::Text(from_value)), Some(Wire::Text(to_value))) =
            (value_of(&checked, from), value_of(&checked, to))
        {
            // Same fixed format: text order is time order.
            if !from_value.is_empty() && !to_value.is_empty() && to_value < from_value {
                issues.add(to, format!("must not be earlier than {from} ({to_value} < {from_value})"));
            }
        }
    }
    issues.check(())?;
    Ok(build(operation, edition, checked, file))
}

fn build(operation: &'static Operation, edition: Edition, checked: Checked, file: Option<Part>) -> Plan {
    let mut path = operation.path_on(edition).to_string();
    let mut sent = Vec::new();
    for (field, wire) in checked {
        if operation.in_path(field) {
            path = path.replace("{id}", &encode_path_segment(&wire.to_text()));
        } else {
            sent.push((field, wire));
        }
    }
    let page = operation.paged.then(|| {
        let number = |name: &str| match value_of(&sent, name) {
            Some(Wire::Int(n)) => Some(*n),
            _ => None,
        };
        (number("page").unwrap_or(1), number("size").unwrap_or(DEFAULT_SIZE))
    });
    let mut query = Vec::new();
    let body = match operation.body {
        BodyKind::Query => {
            query = sent
                .iter()
                .filter(|(f, _)| page.is_none() || (f.name != "page" && f.name != "size"))
                .map(|(f, w)| (f.wire.to_string(), w.to_text()))
                .collect();
            if let Some((number, size)) = page {
                query.push(("page".into(), number.to_string()));
                query.push(("size".into(), size.to_string()));
            }
            Body::Empty
        }
        BodyKind::Multipart => {
            let mut parts: Vec<Part> = sent.iter().map(|(f, w)| Part::text(f.wire, w.to_text())).collect();
            parts.extend(file);
            Body::Multipart(parts)
        }
        BodyKind::Json => {
            let members: Vec<String> =
                sent.iter().map(|(f, w)| format!("{}:{}", crate::doc::json_string(f.wire), w.to_json())).collect();
            Body::Json(format!("{{{}}}", members.join(",")))
        }
    };
    let photo = matches!(&body, Body::Multipart(parts) if parts.iter().any(|p| matches!(p, Part::File { .. })));
    Plan { operation, method: operation.method, path, query, body, photo, page }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::senselink::operations::{find, OPERATIONS};
    use crate::senselink::photo::tests::{blob as photo, JPEG, PNG};
    use crate::senselink::photo::Photo;

    fn blob(size: u64, head: &[u8], name: Option<&str>) -> PhotoInput {
        PhotoInput::File(photo(size, head, name))
    }
    use crate::senselink::rules::{Kind, Need};
    use serde_json::{json, Value};

    fn plan_of(op: &str, input: Value, photo: Option<PhotoInput>, edition: Edition) -> Result<Plan, Error> {
        plan(find(op).unwrap(), &input, photo, edition)
    }

    fn cloud(op: &str, input: Value) -> Result<Plan, Error> {
        plan_of(op, input, None, Edition::Cloud)
    }

    fn fail(op: &str, input: Value) -> String {
        cloud(op, input).unwrap_err().message.clone()
    }

    fn png() -> Option<PhotoInput> {
        Some(blob(100, PNG, None))
    }

    fn texts(plan: &Plan) -> Vec<(String, String)> {
        match &plan.body {
            Body::Multipart(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    Part::Text { name, value } => Some((name.clone(), value.clone())),
                    Part::File { .. } => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn visitor() -> Value {
        json!({"name": "山田 花子", "mobile": "09012345678", "remark": "", "groups": [15, 16], "receptionUserId": 60001,
            "dateTimeFrom": "2025-04-01 10:00:00", "dateTimeTo": "2025-04-01 12:00:00"})
    }

    #[test]
    fn every_operation_plans_with_minimal_input() {
        for op in OPERATIONS {
            let photo = op.photo.part().map(|_| blob(10, JPEG, None));
            for edition in [Edition::Cloud, Edition::Enterprise] {
                let mut input = serde_json::Map::new();
                let required =
                    op.fields.iter().filter(|f| matches!(f.need_on(edition), Need::Required | Need::NonEmpty));
                for field in required {
                    let value = match field.kind {
                        Kind::Ids => json!([]),
                        Kind::Id | Kind::OneOf(_) => json!(1),
                        Kind::Date => json!("2025-04-01"),
                        Kind::DateTime => json!("2025-04-01 10:00:00"),
                        _ => json!("a"),
                    };
                    input.insert(field.name.to_string(), value);
                }
                let plan = plan(op, &Value::Object(input), photo.clone(), edition)
                    .unwrap_or_else(|e| panic!("{}: {e}", op.name));
                assert!(plan.path.starts_with("/api/v") && !plan.path.contains('{'), "{}: {}", op.name, plan.path);
            }
        }
    }

    #[test]
    fn employee_create_is_multipart_with_one_groups_field_and_the_avatar_part() {
        let plan = plan_of(
            "employees.create",
            json!({"name": "佐藤 太郎", "groups": [1, 2], "force": true, "jobNumber": "E1"}),
            Some(blob(100, PNG, Some("face.png"))),
            Edition::Cloud,
        )
        .unwrap();
        assert_eq!((plan.method, plan.path.as_str(), plan.photo), (Method::Post, "/api/v1/user", true));
        assert_eq!(
            texts(&plan),
            vec![
                ("name".into(), "佐藤 太郎".into()),
                ("groups".into(), "1,2".into()),
                ("jobNumber".into(), "E1".into()),
                ("force".into(), "1".into()),
            ]
        );
        let Body::Multipart(parts) = &plan.body else { panic!() };
        let Some(Part::File { name, filename, content_type, .. }) = parts.last() else { panic!() };
        assert_eq!((name.as_str(), filename.as_str(), content_type.as_str()), ("avatarFile", "face.png", "image/png"));
    }

    #[test]
    fn employee_rules() {
        assert_eq!(fail("employees.create", json!({})), "name: is required");
        assert_eq!(fail("employees.create", json!({"name": ""})), "name: may not be empty");
        assert_eq!(
            fail("employees.create", json!({"name": "a", "icNumber": "1".repeat(21)})),
            "icNumber: at most 20 characters (got 21)"
        );
        assert_eq!(
            fail("employees.create", json!({"name": "a", "remark": "備".repeat(256)})),
            "remark: at most 255 characters (got 256)"
        );
        assert_eq!(
            fail("employees.create", json!({"name": "a", "entryTime": "2019-13-01"})),
            "entryTime: must be a date YYYY-MM-DD (got \"2019-13-01\")"
        );
        assert_eq!(
            fail("employees.create", json!({"name": "a", "departmentId": "x"})),
            "departmentId: must be a non-negative integer id (0 = none) (got \"x\")"
        );
        // No documented employee name limit: long names go to the server.
        assert!(cloud("employees.create", json!({"name": "n".repeat(60)})).is_ok());
        assert_eq!(fail("employees.create", json!([1])), "input: must be an object");
        assert_eq!(
            fail("employees.delete", json!({"id": 1, "avatar": {}})),
            "avatar: is not a parameter of employees.delete"
        );
        let e = plan_of(
            "employees.create",
            json!({"name": "", "avatar": "face.jpg"}),
            Some(PhotoInput::NotAFile),
            Edition::Cloud,
        )
        .unwrap_err();
        assert_eq!(e.message, "name: may not be empty (and 1 more: avatar)");
        let _: Option<Photo> = None;
    }

    #[test]
    fn ge_enterprise_requires_four_employee_fields_and_the_name_on_update() {
        let e = plan_of("employees.create", json!({"name": "a"}), None, Edition::Enterprise).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("icNumber"));
        assert!(
            e.message.starts_with("icNumber: is required (\"\" is allowed) (and 3 more: jobNumber, mobile, remark)"),
            "{}",
            e.message
        );
        let ok = json!({"name": "a", "icNumber": "", "jobNumber": "", "mobile": "", "remark": ""});
        assert!(plan_of("employees.create", ok, None, Edition::Enterprise).is_ok());
        let e = plan_of("employees.update", json!({"id": 5}), None, Edition::Enterprise).unwrap_err();
        assert_eq!(e.message, "name: is required");
        assert!(cloud("employees.update", json!({"id": 5})).is_ok());
        assert_eq!(fail("employees.update", json!({"id": 5, "name": ""})), "name: may not be empty");
    }

    #[test]
    fn updates_send_only_what_is_given_with_the_id_in_the_path() {
        let plan = cloud("employees.update", json!({"id": 79653, "mobile": "", "remark": null, "groups": []})).unwrap();
        assert_eq!(plan.path, "/api/v2/user/update/79653");
        assert_eq!(texts(&plan), vec![("groups".into(), "".into()), ("mobile".into(), "".into())]);
        assert!(!plan.photo);
        assert_eq!(fail("employees.update", json!({"name": "a"})), "id: is required");
        assert_eq!(fail("employees.update", json!({"id": 0})), "id: must be a positive integer id (got 0)");
        assert_eq!(fail("employees.update", json!({"id": "12a"})), "id: must be a positive integer id (got \"12a\")");
    }

    #[test]
    fn deletes_and_image_updates_are_gets() {
        for (op, path) in [
            ("employees.delete", "/api/v1/user/delete/7"),
            ("visitors.delete", "/api/v1/guest/delete/7"),
            ("denyList.delete", "/api/v2/black/delete/7"),
            ("groups.delete", "/api/v1/group/delete/7"),
        ] {
            let plan = cloud(op, json!({"id": "7"})).unwrap();
            assert_eq!((plan.method, plan.path.as_str(), plan.query.len()), (Method::Get, path, 0));
            assert_eq!(fail(op, json!({})), "id: is required");
            assert_eq!(fail(op, json!({"id": 1, "name": "x"})), format!("name: is not a parameter of {op}"));
        }
        let plan = cloud("employees.avatarsUpdatedOn", json!({"date": "2025-04-01"})).unwrap();
        assert_eq!(plan.query, vec![("date".into(), "2025-04-01".into())]);
        assert_eq!(
            fail("employees.avatarsUpdatedOn", json!({"date": "20250401"})),
            "date: must be a date YYYY-MM-DD (got \"20250401\")"
        );
    }

    #[test]
    fn visitor_rules() {
        let plan = plan_of("visitors.create", visitor(), png(), Edition::Cloud).unwrap();
        assert_eq!(plan.path, "/api/v1/guest");
        assert!(texts(&plan).contains(&("groups".into(), "15,16".into())));
        assert!(texts(&plan).contains(&("remark".into(), "".into())));
        let with = |change: Value| {
            let mut input = visitor();
            for (k, v) in change.as_object().unwrap() {
                if v.is_null() {
                    input.as_object_mut().unwrap().remove(k);
                } else {
                    input[k] = v.clone();
                }
            }
            plan_of("visitors.create", input, png(), Edition::Cloud).unwrap_err().message.clone()
        };
        assert_eq!(
            fail("visitors.create", visitor()),
            "avatar: is required (a JPEG or PNG face photo of at most 4 MB)"
        );
        assert_eq!(with(json!({"mobile": ""})), "mobile: may not be empty");
        assert_eq!(with(json!({"remark": null})), "remark: is required (\"\" is allowed)");
        assert_eq!(with(json!({"groups": null})), "groups: is required ([] for none)");
        assert_eq!(
            with(json!({"dateTimeTo": "2025-04-01 09:00:00"})),
            "dateTimeTo: must not be earlier than dateTimeFrom (2025-04-01 09:00:00 < 2025-04-01 10:00:00)"
        );
        let mut update = visitor();
        update["id"] = json!(124379);
        update.as_object_mut().unwrap().remove("mobile");
        update.as_object_mut().unwrap().remove("remark");
        let plan = cloud("visitors.update", update.clone()).unwrap();
        assert_eq!(plan.path, "/api/v1/guest/update/124379");
        update["mobile"] = json!("");
        assert_eq!(cloud("visitors.update", update).unwrap_err().message, "mobile: may not be empty");
    }

    #[test]
    fn deny_list_update_keeps_the_id_in_the_form_and_move_in_is_json() {
        let plan = cloud("denyList.update", json!({"id": 124759, "name": "668089"})).unwrap();
        assert_eq!(plan.path, "/api/v2/black/update");
        assert_eq!(texts(&plan), vec![("id".into(), "124759".into()), ("name".into(), "668089".into())]);
        let plan = cloud("denyList.moveIn", json!({"userId": "60001", "groupIds": [18]})).unwrap();
        assert_eq!((plan.method, plan.path.as_str()), (Method::Post, "/api/v2/black/move/in"));
        let Body::Json(body) = &plan.body else { panic!() };
        assert_eq!(body, r#"{"userId":60001,"groupIds":[18]}"#);
        assert_eq!(fail("denyList.moveIn", json!({"userId": 1})), "groupIds: is required ([] for no deny-list group)");
        assert_eq!(
            fail("denyList.moveIn", json!({"userId": 1, "groupIds": [1, "x"]})),
            "groupIds[1]: must be a positive integer id (got \"x\")"
        );
        let plan = cloud("groups.update", json!({"id": "12", "remark": ""})).unwrap();
        let Body::Json(body) = &plan.body else { panic!() };
        assert_eq!(body, r#"{"id":12,"remark":""}"#);
        let plan = cloud("denyList.moveOut", json!({"id": 5})).unwrap();
        assert_eq!(
            (plan.path.as_str(), plan.query.clone()),
            ("/api/v2/black/move/out", vec![("id".into(), "5".into())])
        );
    }

    #[test]
    fn list_filters_paging_and_cloud_only_filters() {
        let plan = cloud("persons.list", json!({"type": 2, "name": "佐藤", "groups": [1, 2], "size": 100})).unwrap();
        assert_eq!(
            plan.query,
            vec![
                ("type".into(), "2".into()),
                ("name".into(), "佐藤".into()),
                ("groups".into(), "1,2".into()),
                ("page".into(), "1".into()),
                ("size".into(), "100".into()),
            ]
        );
        assert_eq!(plan.page, Some((1, 100)));
        assert_eq!(cloud("persons.list", json!({})).unwrap().page, Some((1, 20)));
        assert_eq!(fail("persons.list", json!({"size": 101})), "size: must be an integer from 1 to 100 (got 101)");
        assert_eq!(fail("persons.list", json!({"page": 0})), "page: must be an integer from 1 to 1000000000 (got 0)");
        let e = plan_of("persons.list", json!({"departmentId": 3}), None, Edition::Enterprise).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("departmentId"));
        let p = cloud("groups.members", json!({"groupId": 3, "page": 2})).unwrap();
        assert_eq!(
            p.query,
            vec![("groupId".into(), "3".into()), ("page".into(), "2".into()), ("size".into(), "20".into())]
        );
    }

    #[test]
    fn records_use_the_edition_path_and_snake_case_filters() {
        let input = json!({"dateTimeFrom": "2025-03-01 00:00:00", "order": "asc", "size": 50});
        let p = cloud("records.list", input).unwrap();
        assert_eq!(p.path, "/api/v5/record/list");
        assert_eq!(
            p.query,
            vec![
                ("date_time_from".into(), "2025-03-01 00:00:00".into()),
                ("order".into(), "asc".into()),
                ("page".into(), "1".into()),
                ("size".into(), "50".into()),
            ]
        );
        assert_eq!(plan_of("records.list", json!({}), None, Edition::Enterprise).unwrap().path, "/api/v3/record/list");
        let bad = json!({"dateTimeFrom": "2025-03-02 00:00:00", "dateTimeTo": "2025-03-01 00:00:00"});
        assert_eq!(cloud("records.list", bad).unwrap_err().field.as_deref(), Some("dateTimeTo"));
    }

    #[test]
    fn face_photo_checks_use_the_face_avatar_part() {
        let p = plan_of("recognition.check", json!({}), Some(blob(10, JPEG, None)), Edition::Cloud).unwrap();
        assert!(p.photo);
        let Body::Multipart(parts) = &p.body else { panic!() };
        assert_eq!(parts[0].name(), "face_avatar");
        let p = plan_of("recognition.quality", json!({"qaLevel": 3}), Some(blob(10, JPEG, None)), Edition::Enterprise)
            .unwrap();
        assert_eq!(p.path, "/api/v1/recognition/quality");
        let Body::Multipart(parts) = &p.body else { panic!() };
        assert_eq!(parts[0].name(), "qa_level");
        assert_eq!(cloud("recognition.check", json!({})).unwrap_err().field.as_deref(), Some("avatar"));
        let e = plan_of("recognition.check", json!({}), Some(blob(10, b"GIF89a", None)), Edition::Cloud).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("avatar"));
    }
}
