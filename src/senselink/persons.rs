//! The 13 person endpoints of the seed's section 2.4: employees, visitors, the deny list and the
//! person search, with every documented parameter rule.
//!
//! | rule source | where |
//! |---|---|
//! | required fields, length limits, date formats, gender values | the tables below (seed 2.4.1–2.4.13) |
//! | GE Enterprise requires `icNumber`, `jobNumber`, `mobile`, `remark` on employees (`""` allowed) | [`employee_fields`] |
//! | `name` may not be `""` on updates; GE requires it on employee updates | [`employee_fields`] |
//! | visitors: `mobile` not empty, `remark` given, `groups`, `receptionUserId`, visit window required | [`VISITOR`] |
//! | `departmentId` / `groups` filters exist on Cloud only | [`plan`] (`persons.list`) |
//! | a face photo: at most 4 MB, JPEG or PNG | [`super::photo`] |
//!
//! Employee `name` has no documented length (the seed lists the error but no number), so the client
//! leaves it to the server; visitors and the deny list document 45 characters.

use crate::json::{Map, Value};

use super::input::{id_list, opt, read_fields, req, required_id, text, Field, Kind, Need, ANY_TEXT};
use super::ops::{Output, Plan};
use super::photo::Photo;
use super::types;
use super::Edition;
use crate::error::Error;
use crate::http::encode_path_segment;

const ID_NUMBER: Kind = Kind::Text { min: 6, max: 30 };

/// Employee parameters (2.4.1 add, 2.4.2 update).
pub const EMPLOYEE: &[Field] = &[
    req("name", ANY_TEXT).need(Need::NonEmpty),
    opt("groups", Kind::Ids),
    opt("icNumber", text(20)),
    opt("jobNumber", text(45)),
    opt("mobile", text(20)),
    opt("remark", text(255)),
    opt("departmentId", Kind::IdOrZero),
    opt("areaCode", ANY_TEXT),
    opt("birthday", Kind::Date),
    opt("entryTime", Kind::Date),
    opt("mail", text(45)),
    opt("position", text(45)),
    opt("location", text(45)),
    opt("idNumber", ID_NUMBER),
    opt("gender", Kind::Gender),
    opt("prompt", ANY_TEXT),
    opt("force", Kind::Flag),
];

/// Fields SenseLink GE Enterprise requires on new employees (`""` allowed); optional on Cloud.
pub const GE_REQUIRED: &[&str] = &["icNumber", "jobNumber", "mobile", "remark"];

/// Visitor parameters (2.4.5 add; 2.4.6 update relaxes `mobile` and `remark`).
pub const VISITOR: &[Field] = &[
    req("name", text(45)).need(Need::NonEmpty),
    req("mobile", text(20)).need(Need::NonEmpty),
    req("remark", text(255)),
    req("groups", Kind::Ids),
    req("receptionUserId", Kind::Id),
    req("dateTimeFrom", Kind::DateTime).need(Need::NonEmpty),
    req("dateTimeTo", Kind::DateTime).need(Need::NonEmpty),
    opt("force", Kind::Flag),
    opt("idNumber", ID_NUMBER),
    opt("gender", Kind::Gender),
    opt("guestCompany", text(45)),
    opt("position", text(45)),
    opt("guestPurpose", text(45)),
    opt("mail", text(45)),
    opt("icNumber", text(20)),
    opt("birthday", Kind::Date),
    opt("level", text(20)),
    opt("prompt", text(45)),
    opt("areaCode", ANY_TEXT),
];

/// Deny-list parameters (2.4.8 add, 2.4.11 update).
pub const DENY_LIST: &[Field] = &[
    req("name", text(45)).need(Need::NonEmpty),
    opt("groups", Kind::Ids),
    opt("areaCode", Kind::Digits { max: 8 }),
    opt("mobile", text(20)),
    opt("gender", Kind::Gender),
    opt("birthday", Kind::Date),
    opt("mail", text(45)),
    opt("icNumber", text(20)),
    opt("idNumber", ID_NUMBER),
    opt("prompt", text(255)),
    opt("remark", text(255)),
    opt("force", Kind::Flag),
];

/// Person search filters (2.4.13); `departmentId` and `groups` are Cloud only.
pub const LIST_FILTERS: &[Field] = &[
    opt("type", Kind::OneOf(&[1, 2, 5])),
    opt("name", ANY_TEXT),
    opt("jobNumber", ANY_TEXT),
    opt("mobile", ANY_TEXT),
    opt("mail", ANY_TEXT),
    opt("icNumber", ANY_TEXT),
    opt("idNumber", ANY_TEXT),
    opt("id", Kind::Id),
    opt("departmentId", Kind::IdOrZero),
    opt("groups", Kind::Ids),
    opt("page", PAGE),
    opt("size", SIZE),
];

const DATE: &[Field] = &[req("date", Kind::Date).need(Need::NonEmpty)];
const ID: &[Field] = &[req("id", Kind::Id)];

/// Deny-list update (2.4.11): the id is a form field, then the 2.4.8 fields.
pub const DENY_LIST_UPDATE: &[Field] = &[
    req("id", Kind::Id),
    req("name", text(45)).need(Need::NonEmpty),
    opt("groups", Kind::Ids),
    opt("areaCode", Kind::Digits { max: 8 }),
    opt("mobile", text(20)),
    opt("gender", Kind::Gender),
    opt("birthday", Kind::Date),
    opt("mail", text(45)),
    opt("icNumber", text(20)),
    opt("idNumber", ID_NUMBER),
    opt("prompt", text(255)),
    opt("remark", text(255)),
    opt("force", Kind::Flag),
];

/// Page numbers start at 1.
pub const PAGE: Kind = Kind::Int { min: 1, max: 1_000_000_000 };
/// At most 100 items per page (seed 2.4.13).
pub const SIZE: Kind = Kind::Int { min: 1, max: 100 };
/// Default page size (seed 2.4.13).
pub const DEFAULT_SIZE: i64 = 20;

/// The employee table for an edition and operation (create or update).
pub fn employee_fields(edition: Edition, update: bool) -> Vec<Field> {
    EMPLOYEE
        .iter()
        .map(|f| match (f.name, update, edition) {
            ("name", true, Edition::Cloud) => f.need(Need::NotEmptyIfGiven),
            (name, false, Edition::Enterprise) if GE_REQUIRED.contains(&name) => f.need(Need::Required),
            _ => *f,
        })
        .collect()
}

fn visitor_fields(update: bool) -> Vec<Field> {
    VISITOR
        .iter()
        .map(|f| match (f.name, update) {
            ("mobile", true) => f.need(Need::NotEmptyIfGiven),
            ("remark", true) => f.need(Need::Optional),
            _ => *f,
        })
        .collect()
}

fn path_with_id(prefix: &str, id: i64) -> String {
    format!("{prefix}{}", encode_path_segment(&id.to_string()))
}

fn check_visit_window(fields: &[(String, String)]) -> Result<(), Error> {
    let value = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if let (Some(from), Some(to)) = (value("dateTimeFrom"), value("dateTimeTo")) {
        // Same fixed format: text order is time order.
        if to < from {
            return Err(Error::invalid_input("dateTimeTo", format!("must not be earlier than dateTimeFrom ({to} < {from})")));
        }
    }
    Ok(())
}

fn required_photo(photo: Option<Photo>) -> Result<Photo, Error> {
    photo.ok_or_else(|| Error::invalid_input("avatar", "is required (a JPEG or PNG face photo of at most 4 MB)"))
}

/// Plans one of the person operations.
pub fn plan(operation: &str, input: &Map<String, Value>, photo: Option<Photo>, edition: Edition) -> Result<Plan, Error> {
    let person = Output::Person(match operation.split_once('.').map_or("", |(section, _)| section) {
        "employees" => 1,
        "visitors" => 2,
        _ => 5,
    });
    let with_photo = |photo: Option<Photo>| photo.map(|p| ("avatarFile", p));
    match operation {
        "employees.create" => {
            let fields = read_fields(input, &employee_fields(edition, false), &[], operation)?;
            Plan::multipart("/api/v1/user".into(), fields, with_photo(photo), person)
        }
        "employees.update" => {
            let fields = read_fields(input, &employee_fields(edition, true), &["id"], operation)?;
            let id = required_id(input, "id")?;
            Plan::multipart(path_with_id("/api/v2/user/update/", id), fields, with_photo(photo), person)
        }
        "visitors.create" | "visitors.update" => {
            let update = operation == "visitors.update";
            let fields = read_fields(input, &visitor_fields(update), &["id"][..usize::from(update)], operation)?;
            check_visit_window(&fields)?;
            if update {
                let id = required_id(input, "id")?;
                Plan::multipart(path_with_id("/api/v1/guest/update/", id), fields, with_photo(photo), person)
            } else {
                Plan::multipart("/api/v1/guest".into(), fields, Some(("avatarFile", required_photo(photo)?)), person)
            }
        }
        "denyList.create" => {
            let fields = read_fields(input, DENY_LIST, &[], operation)?;
            Plan::multipart("/api/v2/black".into(), fields, with_photo(photo), person)
        }
        "denyList.update" => {
            // 2.4.11: the id travels as a form field, not in the path.
            let fields = read_fields(input, DENY_LIST_UPDATE, &[], operation)?;
            Plan::multipart("/api/v2/black/update".into(), fields, with_photo(photo), person)
        }
        "employees.delete" | "visitors.delete" | "denyList.delete" => {
            read_fields(input, &[], &["id"], operation)?;
            let id = required_id(input, "id")?;
            let prefix = match operation {
                "employees.delete" => "/api/v1/user/delete/",
                "visitors.delete" => "/api/v1/guest/delete/",
                _ => "/api/v2/black/delete/",
            };
            Ok(Plan::get(path_with_id(prefix, id), Vec::new(), Output::Nothing))
        }
        "employees.avatarsUpdatedOn" => {
            let query = read_fields(input, DATE, &[], operation)?;
            Ok(Plan::get("/api/v2/staff/image_updated".into(), query, Output::List(types::IMAGE_UPDATE)))
        }
        "denyList.moveIn" => {
            read_fields(input, &[], &["userId", "groupIds"], operation)?;
            let user_id = required_id(input, "userId")?;
            let group_ids = match super::input::given(input, "groupIds") {
                Some(value) => id_list(value, "groupIds")?,
                None => return Err(Error::invalid_input("groupIds", "is required ([] for no deny-list group)")),
            };
            let mut body = Map::new();
            body.insert("userId".into(), Value::from(user_id));
            body.insert("groupIds".into(), Value::from(group_ids));
            Ok(Plan::json("/api/v2/black/move/in".into(), Value::Object(body), Output::Nothing))
        }
        "denyList.moveOut" => {
            let query = read_fields(input, ID, &[], operation)?;
            Ok(Plan::get("/api/v2/black/move/out".into(), query, Output::Nothing))
        }
        "persons.list" => {
            if edition == Edition::Enterprise {
                for name in ["departmentId", "groups"] {
                    if super::input::given(input, name).is_some() {
                        return Err(Error::invalid_input(name, "is a filter of SenseLink Cloud only (edition: \"enterprise\" has no such filter)"));
                    }
                }
            }
            let (query, page, size) = paged_query(input, LIST_FILTERS, operation)?;
            Ok(Plan::get("/api/v1/user/list".into(), query, Output::Persons { page, size }))
        }
        _ => Err(super::ops::unknown(operation)),
    }
}

/// Query pairs with the page number and size they ask for.
pub type PagedQuery = (Vec<(String, String)>, i64, i64);

/// Reads filters with `page` / `size`, which are always sent (defaults 1 and 20).
pub fn paged_query(input: &Map<String, Value>, fields: &[Field], operation: &str) -> Result<PagedQuery, Error> {
    let mut query = read_fields(input, fields, &[], operation)?;
    let number = |query: &[(String, String)], name: &str| query.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.parse::<i64>().ok());
    let page = number(&query, "page").unwrap_or(1);
    let size = number(&query, "size").unwrap_or(DEFAULT_SIZE);
    query.retain(|(k, _)| k != "page" && k != "size");
    query.push(("page".into(), page.to_string()));
    query.push(("size".into(), size.to_string()));
    Ok((query, page, size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Body, FileData, Method, PartValue};
    use crate::json::json;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n0000";

    fn plan_of(op: &str, input: Value, photo: Option<Photo>, edition: Edition) -> Result<Plan, Error> {
        super::super::ops::plan(op, &input, photo, edition)
    }

    fn cloud(op: &str, input: Value) -> Result<Plan, Error> {
        plan_of(op, input, None, Edition::Cloud)
    }

    fn fail(op: &str, input: Value) -> String {
        cloud(op, input).unwrap_err().message.clone()
    }

    fn texts(plan: &Plan) -> Vec<(String, String)> {
        match &plan.body {
            Body::Multipart(parts) => parts
                .iter()
                .filter_map(|p| match &p.value {
                    PartValue::Text(t) => Some((p.name.clone(), t.clone())),
                    PartValue::File(_) => None,
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
    fn employee_create_is_multipart_with_one_groups_field_and_the_avatar_part() {
        let plan = plan_of("employees.create", json!({"name": "佐藤 太郎", "groups": [1, 2], "force": true, "jobNumber": "E1"}),
            Some(Photo::bytes(PNG.to_vec())), Edition::Cloud).unwrap();
        assert_eq!((plan.method, plan.path.as_str(), plan.photo), (Method::Post, "/api/v1/user", true));
        assert_eq!(texts(&plan), vec![
            ("name".into(), "佐藤 太郎".into()),
            ("groups".into(), "1,2".into()),
            ("jobNumber".into(), "E1".into()),
            ("force".into(), "1".into()),
        ]);
        let Body::Multipart(parts) = &plan.body else { panic!() };
        let file = parts.iter().find(|p| p.name == "avatarFile").unwrap();
        let PartValue::File(file) = &file.value else { panic!() };
        assert_eq!((file.filename.as_str(), file.content_type.as_str()), ("avatar.png", "image/png"));
        assert!(matches!(file.data, FileData::Bytes(ref b) if b == PNG));
    }

    #[test]
    fn employee_rules() {
        assert_eq!(fail("employees.create", json!({})), "name: is required");
        assert_eq!(fail("employees.create", json!({"name": ""})), "name: may not be empty");
        assert_eq!(fail("employees.create", json!({"name": "a", "icNumber": "1".repeat(21)})), "icNumber: at most 20 characters (got 21)");
        assert_eq!(fail("employees.create", json!({"name": "a", "jobNumber": "j".repeat(46)})), "jobNumber: at most 45 characters (got 46)");
        assert_eq!(fail("employees.create", json!({"name": "a", "mobile": "0".repeat(23)})), "mobile: at most 20 characters (got 23)");
        assert_eq!(fail("employees.create", json!({"name": "a", "remark": "備".repeat(256)})), "remark: at most 255 characters (got 256)");
        for field in ["mail", "position", "location"] {
            assert_eq!(fail("employees.create", json!({"name": "a", field: "x".repeat(46)})), format!("{field}: at most 45 characters (got 46)"));
        }
        assert_eq!(fail("employees.create", json!({"name": "a", "idNumber": "1".repeat(31)})), "idNumber: must be 6 to 30 characters (got 31)");
        assert_eq!(fail("employees.create", json!({"name": "a", "birthday": "2019-6-15"})), "birthday: must be a date YYYY-MM-DD (got \"2019-6-15\")");
        assert_eq!(fail("employees.create", json!({"name": "a", "entryTime": "2019-13-01"})), "entryTime: must be a date YYYY-MM-DD (got \"2019-13-01\")");
        assert_eq!(fail("employees.create", json!({"name": "a", "gender": 3})), "gender: must be 1 (female) or 2 (male) (got 3)");
        assert_eq!(fail("employees.create", json!({"name": "a", "departmentId": "x"})), "departmentId: must be a non-negative integer id (0 = none) (got \"x\")");
        // No documented employee name limit: long names go to the server.
        assert!(cloud("employees.create", json!({"name": "n".repeat(60)})).is_ok());
    }

    #[test]
    fn ge_enterprise_requires_four_employee_fields_and_the_name_on_update() {
        let e = plan_of("employees.create", json!({"name": "a"}), None, Edition::Enterprise).unwrap_err();
        assert_eq!(e.message, "icNumber: is required (\"\" is allowed)");
        let ok = json!({"name": "a", "icNumber": "", "jobNumber": "", "mobile": "", "remark": ""});
        assert!(plan_of("employees.create", ok.clone(), None, Edition::Enterprise).is_ok());
        for missing in GE_REQUIRED {
            let mut input = ok.clone();
            input.as_object_mut().unwrap().remove(*missing);
            let e = plan_of("employees.create", input, None, Edition::Enterprise).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(*missing));
        }
        let e = plan_of("employees.update", json!({"id": 5}), None, Edition::Enterprise).unwrap_err();
        assert_eq!(e.message, "name: is required");
        assert!(cloud("employees.update", json!({"id": 5})).is_ok());
        assert_eq!(fail("employees.update", json!({"id": 5, "name": ""})), "name: may not be empty");
    }

    #[test]
    fn employee_update_sends_only_what_is_given_and_empty_strings_clear() {
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
        for (op, path) in [("employees.delete", "/api/v1/user/delete/7"), ("visitors.delete", "/api/v1/guest/delete/7"),
            ("denyList.delete", "/api/v2/black/delete/7")] {
            let plan = cloud(op, json!({"id": "7"})).unwrap();
            assert_eq!((plan.method, plan.path.as_str(), plan.output), (Method::Get, path, Output::Nothing));
            assert_eq!(fail(op, json!({})), "id: is required");
            assert_eq!(fail(op, json!({"id": 1, "name": "x"})), format!("name: is not a parameter of {op}"));
        }
        let plan = cloud("employees.avatarsUpdatedOn", json!({"date": "2025-04-01"})).unwrap();
        assert_eq!(plan.query, vec![("date".into(), "2025-04-01".into())]);
        assert_eq!(fail("employees.avatarsUpdatedOn", json!({"date": "20250401"})), "date: must be a date YYYY-MM-DD (got \"20250401\")");
        assert_eq!(fail("employees.avatarsUpdatedOn", json!({})), "date: is required");
    }

    #[test]
    fn visitor_create_rules() {
        let plan = plan_of("visitors.create", visitor(), Some(Photo::bytes(PNG.to_vec())), Edition::Cloud).unwrap();
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
            plan_of("visitors.create", input, Some(Photo::bytes(PNG.to_vec())), Edition::Cloud).unwrap_err().message.clone()
        };
        assert_eq!(fail("visitors.create", visitor()), "avatar: is required (a JPEG or PNG face photo of at most 4 MB)");
        assert_eq!(with(json!({"name": "x".repeat(46)})), "name: at most 45 characters (got 46)");
        assert_eq!(with(json!({"mobile": ""})), "mobile: may not be empty");
        assert_eq!(with(json!({"mobile": null})), "mobile: is required");
        assert_eq!(with(json!({"remark": null})), "remark: is required (\"\" is allowed)");
        assert_eq!(with(json!({"groups": null})), "groups: is required ([] for none)");
        assert_eq!(with(json!({"receptionUserId": null})), "receptionUserId: is required");
        assert_eq!(with(json!({"dateTimeFrom": "2025-04-01"})), "dateTimeFrom: must be a date and time YYYY-MM-DD hh:mm:ss (got \"2025-04-01\")");
        assert_eq!(with(json!({"dateTimeTo": ""})), "dateTimeTo: may not be empty");
        assert_eq!(with(json!({"dateTimeTo": "2025-04-01 09:00:00"})),
            "dateTimeTo: must not be earlier than dateTimeFrom (2025-04-01 09:00:00 < 2025-04-01 10:00:00)");
        for (field, max) in [("guestCompany", 45), ("position", 45), ("guestPurpose", 45), ("mail", 45), ("icNumber", 20), ("level", 20), ("prompt", 45)] {
            assert_eq!(with(json!({field: "x".repeat(max + 1)})), format!("{field}: at most {max} characters (got {})", max + 1));
        }
        assert_eq!(with(json!({"idNumber": "123"})), "idNumber: must be 6 to 30 characters (got 3)");
        assert_eq!(with(json!({"birthday": "06/17/2019"})), "birthday: must be a date YYYY-MM-DD (got \"06/17/2019\")");
        assert_eq!(with(json!({"gender": "2x"})), "gender: must be 1 (female) or 2 (male) (got \"2x\")");
    }

    #[test]
    fn visitor_update_relaxes_mobile_and_remark() {
        let mut input = visitor();
        input["id"] = json!(124379);
        input.as_object_mut().unwrap().remove("mobile");
        input.as_object_mut().unwrap().remove("remark");
        let plan = cloud("visitors.update", input.clone()).unwrap();
        assert_eq!(plan.path, "/api/v1/guest/update/124379");
        assert!(!plan.photo);
        input["mobile"] = json!("");
        assert_eq!(cloud("visitors.update", input).unwrap_err().message, "mobile: may not be empty");
        assert_eq!(fail("visitors.update", visitor()), "id: is required");
    }

    #[test]
    fn deny_list_rules_and_the_update_id_in_the_form() {
        let plan = cloud("denyList.create", json!({"name": "山田", "areaCode": "81", "groups": [20]})).unwrap();
        assert_eq!(plan.path, "/api/v2/black");
        assert_eq!(fail("denyList.create", json!({"name": "a", "areaCode": "123456789"})), "areaCode: at most 8 characters (got 9)");
        assert_eq!(fail("denyList.create", json!({"name": "a", "areaCode": "8-1"})), "areaCode: digits only (got \"8-1\")");
        assert_eq!(fail("denyList.create", json!({"name": "a", "prompt": "p".repeat(256)})), "prompt: at most 255 characters (got 256)");
        assert_eq!(fail("denyList.create", json!({"name": "n".repeat(46)})), "name: at most 45 characters (got 46)");
        let plan = cloud("denyList.update", json!({"id": 124759, "name": "668089"})).unwrap();
        assert_eq!(plan.path, "/api/v2/black/update");
        assert_eq!(texts(&plan), vec![("id".into(), "124759".into()), ("name".into(), "668089".into())]);
        assert_eq!(fail("denyList.update", json!({"id": 1})), "name: is required");
        assert_eq!(fail("denyList.update", json!({"name": "a"})), "id: is required");
    }

    #[test]
    fn the_deny_list_update_table_is_the_add_table_plus_id() {
        assert_eq!(DENY_LIST_UPDATE[0].name, "id");
        assert_eq!(DENY_LIST_UPDATE.len(), DENY_LIST.len() + 1);
        for (a, b) in DENY_LIST_UPDATE[1..].iter().zip(DENY_LIST) {
            assert_eq!((a.name, a.wire, a.kind, a.need), (b.name, b.wire, b.kind, b.need));
        }
    }

    #[test]
    fn move_in_is_json_and_move_out_a_query() {
        let plan = cloud("denyList.moveIn", json!({"userId": "60001", "groupIds": [18]})).unwrap();
        assert_eq!((plan.method, plan.path.as_str()), (Method::Post, "/api/v2/black/move/in"));
        let Body::Json(body) = &plan.body else { panic!() };
        assert_eq!(crate::json::from_str(body).unwrap(), json!({"userId": 60001, "groupIds": [18]}));
        assert_eq!(fail("denyList.moveIn", json!({"userId": 1})), "groupIds: is required ([] for no deny-list group)");
        assert_eq!(fail("denyList.moveIn", json!({"groupIds": []})), "userId: is required");
        assert_eq!(fail("denyList.moveIn", json!({"userId": 1, "groupIds": [1, "x"]})), "groupIds[1]: must be a positive integer id (got \"x\")");
        let plan = cloud("denyList.moveOut", json!({"id": 5})).unwrap();
        assert_eq!((plan.path.as_str(), plan.query.clone()), ("/api/v2/black/move/out", vec![("id".into(), "5".into())]));
    }

    #[test]
    fn list_filters_paging_and_cloud_only_filters() {
        let plan = cloud("persons.list", json!({"type": 2, "name": "佐藤", "groups": [1, 2], "size": 100})).unwrap();
        assert_eq!(plan.query, vec![
            ("type".into(), "2".into()), ("name".into(), "佐藤".into()), ("groups".into(), "1,2".into()),
            ("page".into(), "1".into()), ("size".into(), "100".into()),
        ]);
        assert_eq!(plan.output, Output::Persons { page: 1, size: 100 });
        let plan = cloud("persons.list", json!({})).unwrap();
        assert_eq!(plan.output, Output::Persons { page: 1, size: 20 });
        assert_eq!(fail("persons.list", json!({"size": 101})), "size: must be an integer from 1 to 100 (got 101)");
        assert_eq!(fail("persons.list", json!({"page": 0})), "page: must be an integer from 1 to 1000000000 (got 0)");
        assert_eq!(fail("persons.list", json!({"type": 3})), "type: must be one of 1, 2, 5 (got 3)");
        let e = plan_of("persons.list", json!({"departmentId": 3}), None, Edition::Enterprise).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("departmentId"));
        assert!(plan_of("persons.list", json!({"type": 1}), None, Edition::Enterprise).is_ok());
    }
}
