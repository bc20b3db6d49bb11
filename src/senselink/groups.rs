//! Person groups and departments (spec §5; shapes follow the public manual's field lists).

use crate::json::{Map, Value};

use super::input::{opt, read_fields, req, required_id, text, Field, Kind, Need, ANY_TEXT};
use super::ops::{Output, Plan};
use super::persons::{paged_query, PAGE, SIZE};
use super::types;
use crate::error::Error;

/// Group types: 1 employees, 2 visitors, 3 deny list (5 is also seen for deny-list groups).
pub const GROUP_TYPE: Kind = Kind::OneOf(&[1, 2, 3, 5]);

const CREATE: &[Field] = &[req("name", text(45)).need(Need::NonEmpty), req("type", GROUP_TYPE), opt("remark", text(255))];
const LIST: &[Field] = &[opt("type", GROUP_TYPE)];
const MEMBERS: &[Field] = &[req("groupId", Kind::Id), opt("page", PAGE), opt("size", SIZE)];
const UPDATE: &[Field] = &[req("id", Kind::Id), opt("name", text(45)).need(Need::NotEmptyIfGiven), opt("remark", text(255))];
const BY_CODE: &[Field] = &[req("code", ANY_TEXT).need(Need::NonEmpty)];

/// Plans a group or department operation.
pub fn plan(operation: &str, input: &Map<String, Value>) -> Result<Plan, Error> {
    let group = Output::One(types::GROUP);
    match operation {
        "groups.create" => {
            let fields = read_fields(input, CREATE, &[], operation)?;
            Plan::multipart("/api/v1/group".into(), fields, None, group)
        }
        "groups.list" => {
            let query = read_fields(input, LIST, &[], operation)?;
            Ok(Plan::get("/api/v1/group".into(), query, Output::List(types::GROUP)))
        }
        "groups.members" => {
            let (query, page, size) = paged_query(input, MEMBERS, operation)?;
            Ok(Plan::get("/api/v1/group/user".into(), query, Output::Persons { page, size }))
        }
        "groups.update" => {
            let fields = read_fields(input, UPDATE, &[], operation)?;
            let mut body = Map::new();
            for (name, value) in fields {
                let value = if name == "id" { Value::from(required_id(input, "id")?) } else { Value::from(value) };
                body.insert(name, value);
            }
            Ok(Plan::json("/api/v3/group/update".into(), Value::Object(body), group))
        }
        "groups.delete" => {
            read_fields(input, &[], &["id"], operation)?;
            let id = required_id(input, "id")?;
            Ok(Plan::get(format!("/api/v1/group/delete/{id}"), Vec::new(), Output::Nothing))
        }
        "departments.list" => {
            read_fields(input, &[], &[], operation)?;
            Ok(Plan::get("/api/v2/department".into(), Vec::new(), Output::List(types::DEPARTMENT)))
        }
        "departments.byCode" => {
            let query = read_fields(input, BY_CODE, &[], operation)?;
            Ok(Plan::get("/api/v2/department/search/code".into(), query, Output::One(types::DEPARTMENT)))
        }
        _ => Err(super::ops::unknown(operation)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Body, Method};
    use crate::json::json;

    fn plan_of(op: &str, input: Value) -> Result<Plan, Error> {
        plan(op, input.as_object().unwrap())
    }

    #[test]
    fn group_crud() {
        let p = plan_of("groups.create", json!({"name": "夜間入館", "type": 1})).unwrap();
        assert_eq!((p.method, p.path.as_str()), (Method::Post, "/api/v1/group"));
        assert!(matches!(p.body, Body::Multipart(ref parts) if parts.len() == 2));
        assert_eq!(plan_of("groups.create", json!({"name": "x"})).unwrap_err().message, "type: is required");
        assert_eq!(plan_of("groups.create", json!({"name": "x", "type": 4})).unwrap_err().message, "type: must be one of 1, 2, 3, 5 (got 4)");
        let p = plan_of("groups.list", json!({"type": 2})).unwrap();
        assert_eq!(p.query, vec![("type".into(), "2".into())]);
        let p = plan_of("groups.update", json!({"id": "12", "remark": ""})).unwrap();
        let Body::Json(body) = &p.body else { panic!() };
        assert_eq!(crate::json::from_str(body).unwrap(), json!({"id": 12, "remark": ""}));
        assert_eq!(plan_of("groups.update", json!({"id": 1, "name": ""})).unwrap_err().message, "name: may not be empty");
        assert_eq!(plan_of("groups.delete", json!({"id": 9})).unwrap().path, "/api/v1/group/delete/9");
        let p = plan_of("groups.members", json!({"groupId": 3, "page": 2})).unwrap();
        assert_eq!(p.query, vec![("groupId".into(), "3".into()), ("page".into(), "2".into()), ("size".into(), "20".into())]);
    }

    #[test]
    fn departments() {
        assert_eq!(plan_of("departments.list", json!({})).unwrap().path, "/api/v2/department");
        let p = plan_of("departments.byCode", json!({"code": "D100"})).unwrap();
        assert_eq!(p.query, vec![("code".into(), "D100".into())]);
        assert_eq!(plan_of("departments.byCode", json!({})).unwrap_err().message, "code: is required");
    }
}
