//! Operations: from an operation name and the caller's input to a [`Plan`] (method, path, query,
//! body, how to read the answer), and from the answer's `data` to the output object.
//!
//! Planning validates the whole input first, so an invalid input fails with `INVALID_INPUT` before
//! anything is sent. The plan carries no credentials: the client adds the signature (or, in proxy
//! mode, the proxy does).

use crate::json::{Map, Value};

use super::photo::{photo_part, Photo};
use super::types::{self, decode, list, OutField};
use super::{groups, persons, recognition, records, Edition};
use crate::error::{Error, ErrorCode};
use crate::http::{Body, Method, Part};

/// How the `data` of a successful answer becomes the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// No output (`undefined`): deletes and moves.
    Nothing,
    /// One object by a table (group, department).
    One(&'static [OutField]),
    /// One person; `type` is filled with this value when the answer lacks it (visitor answers do).
    Person(i64),
    /// A list of objects by a table (groups, departments, devices, image updates).
    List(&'static [OutField]),
    /// A page of persons: `{ items, page, size, nextPage }`.
    Persons {
        /// Page asked for.
        page: i64,
        /// Page size asked for.
        size: i64,
    },
    /// A page of records (v5 `{list, page_num, page_size}` or v3 `{list, page, size, total}`).
    Records {
        /// Page asked for.
        page: i64,
        /// Page size asked for.
        size: i64,
    },
    /// An integer (number of faces).
    Count,
    /// Any JSON, keys turned into camelCase.
    Camel,
}

/// Everything needed to send one call and read its answer, minus the signature.
#[derive(Clone, Debug)]
pub struct Plan {
    /// HTTP method.
    pub method: Method,
    /// Path starting with `/api/`.
    pub path: String,
    /// Business query parameters.
    pub query: Vec<(String, String)>,
    /// Body.
    pub body: Body,
    /// How to read `data`.
    pub output: Output,
    /// Whether a face photo is uploaded (face-failure codes then mean `SENSELINK_FACE_REJECTED`).
    pub photo: bool,
}

impl Plan {
    /// A GET plan.
    pub fn get(path: String, query: Vec<(String, String)>, output: Output) -> Plan {
        Plan { method: Method::Get, path, query, body: Body::Empty, output, photo: false }
    }

    /// A multipart POST plan with text fields and an optional file part named `file_field`.
    pub fn multipart(path: String, fields: Vec<(String, String)>, file: Option<(&str, Photo)>, output: Output) -> Result<Plan, Error> {
        let mut parts: Vec<Part> = fields.into_iter().map(|(k, v)| Part::text(k, v)).collect();
        let photo = file.is_some();
        if let Some((name, photo)) = file {
            parts.push(Part::file(name, photo_part(photo, "avatar")?));
        }
        Ok(Plan { method: Method::Post, path, query: Vec::new(), body: Body::Multipart(parts), output, photo })
    }

    /// A JSON POST plan.
    pub fn json(path: String, body: Value, output: Output) -> Plan {
        Plan { method: Method::Post, path, query: Vec::new(), body: Body::Json(super::json::to_json(&body)), output, photo: false }
    }
}

/// Every operation name the client accepts.
pub const OPERATIONS: &[&str] = &[
    "employees.create",
    "employees.update",
    "employees.delete",
    "employees.avatarsUpdatedOn",
    "visitors.create",
    "visitors.update",
    "visitors.delete",
    "denyList.create",
    "denyList.update",
    "denyList.delete",
    "denyList.moveIn",
    "denyList.moveOut",
    "persons.list",
    "groups.create",
    "groups.list",
    "groups.members",
    "groups.update",
    "groups.delete",
    "departments.list",
    "departments.byCode",
    "records.list",
    "devices.list",
    "recognition.check",
    "recognition.quality",
    "system.version",
    "system.company",
];

/// Validates the input of `operation` and plans the request.
pub fn plan(operation: &str, input: &Value, photo: Option<Photo>, edition: Edition) -> Result<Plan, Error> {
    let empty = Map::new();
    let input = match input {
        Value::Null => &empty,
        other => super::input::as_object(other, "input")?,
    };
    let takes_photo = matches!(
        operation,
        "employees.create" | "employees.update" | "visitors.create" | "visitors.update" | "denyList.create"
            | "denyList.update" | "recognition.check" | "recognition.quality"
    );
    if photo.is_some() && !takes_photo {
        return Err(Error::invalid_input("avatar", format!("is not a parameter of {operation}")));
    }
    let (section, _) = operation.split_once('.').unwrap_or((operation, ""));
    match section {
        "employees" | "visitors" | "denyList" | "persons" => persons::plan(operation, input, photo, edition),
        "groups" | "departments" => groups::plan(operation, input),
        "records" | "devices" | "system" => records::plan(operation, input, edition),
        "recognition" => recognition::plan(operation, input, photo, edition),
        _ => Err(unknown(operation)),
    }
}

/// The error for an operation name that does not exist.
pub fn unknown(operation: &str) -> Error {
    Error::new(ErrorCode::InvalidInput, format!("unknown SenseLink operation \"{operation}\"")).with_field("operation")
}

fn page_number(next: bool, page: i64) -> Value {
    if next {
        Value::from(page + 1)
    } else {
        Value::Null
    }
}

/// Turns the `data` of a successful answer into the output object.
pub fn output(plan_output: Output, data: &Value, operation: &str) -> Result<Value, Error> {
    let shape_error = |what: &str| {
        Error::new(ErrorCode::Decode, format!("{operation}: SenseLink answered code 200 but data is not {what}"))
    };
    Ok(match plan_output {
        Output::Nothing => Value::Null,
        Output::One(fields) => decode(data, fields).ok_or_else(|| shape_error("an object"))?,
        Output::Person(kind) => {
            let mut person = decode(data, types::PERSON).ok_or_else(|| shape_error("a person object"))?;
            // Not `person["type"] = …`: `IndexMut` brings in a panic message that formats the key
            // with `Debug` (string escaping and Unicode tables in the wasm).
            if let Value::Object(map) = &mut person {
                if map.get("type").map_or(true, Value::is_null) {
                    map.insert("type".into(), Value::from(kind));
                }
            }
            person
        }
        Output::List(fields) => list(data.as_array().ok_or_else(|| shape_error("a list"))?, fields),
        Output::Persons { page, size } => {
            let items = data.as_array().ok_or_else(|| shape_error("a list"))?;
            let mut out = Map::new();
            out.insert("items".into(), list(items, types::PERSON));
            out.insert("page".into(), Value::from(page));
            out.insert("size".into(), Value::from(size));
            out.insert("nextPage".into(), page_number(items.len() as i64 >= size, page));
            Value::Object(out)
        }
        Output::Records { page, size } => {
            let items = data
                .get("list")
                .and_then(Value::as_array)
                .ok_or_else(|| shape_error("an object with a list"))?;
            let number = |names: &[&str], default: i64| {
                names.iter().find_map(|n| data.get(*n).and_then(super::input::integer)).unwrap_or(default)
            };
            let page = number(&["page_num", "page", "pageNum"], page);
            let size = number(&["page_size", "size", "pageSize"], size);
            let total = ["total", "total_count", "totalCount"].iter().find_map(|n| data.get(*n).and_then(super::input::integer));
            let more = match total {
                Some(total) => page * size < total,
                None => items.len() as i64 >= size && size > 0,
            };
            let mut out = Map::new();
            out.insert("items".into(), list(items, types::RECORD));
            out.insert("page".into(), Value::from(page));
            out.insert("size".into(), Value::from(size));
            out.insert("total".into(), total.map_or(Value::Null, Value::from));
            out.insert("nextPage".into(), page_number(more, page));
            Value::Object(out)
        }
        Output::Count => Value::from(super::input::integer(data).ok_or_else(|| shape_error("a number"))?),
        Output::Camel => types::camelize(data),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    #[test]
    fn unknown_operations_and_stray_avatars_are_refused() {
        let e = plan("employees.fly", &json!({}), None, Edition::Cloud).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let e = plan("nothing", &json!({}), None, Edition::Cloud).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("operation"));
        let e = plan("employees.delete", &json!({"id": 1}), Some(Photo::bytes(vec![1])), Edition::Cloud).unwrap_err();
        assert_eq!(e.message, "avatar: is not a parameter of employees.delete");
        let e = plan("employees.delete", &json!([1]), None, Edition::Cloud).unwrap_err();
        assert_eq!(e.message, "input: must be an object");
    }

    #[test]
    fn every_operation_plans_with_minimal_input() {
        let png = || Some(Photo::bytes(b"\x89PNG\r\n\x1a\n....".to_vec()));
        for op in OPERATIONS {
            let (input, photo) = match *op {
                "employees.create" | "denyList.create" => (json!({"name": "a"}), None),
                "employees.update" => (json!({"id": 1}), None),
                "employees.avatarsUpdatedOn" => (json!({"date": "2025-04-01"}), None),
                "visitors.create" => (json!({"name": "a", "mobile": "1", "remark": "", "groups": [], "receptionUserId": 1,
                    "dateTimeFrom": "2025-04-01 10:00:00", "dateTimeTo": "2025-04-01 12:00:00"}), png()),
                "visitors.update" => (json!({"id": 1, "name": "a", "groups": [], "receptionUserId": 1,
                    "dateTimeFrom": "2025-04-01 10:00:00", "dateTimeTo": "2025-04-01 12:00:00"}), None),
                "denyList.update" => (json!({"id": 1, "name": "a"}), None),
                "denyList.moveIn" => (json!({"userId": 1, "groupIds": []}), None),
                "groups.create" => (json!({"name": "a", "type": 1}), None),
                "groups.members" => (json!({"groupId": 1}), None),
                "groups.update" => (json!({"id": 1}), None),
                "departments.byCode" => (json!({"code": "D100"}), None),
                "recognition.check" | "recognition.quality" => (json!({}), png()),
                op if op.ends_with(".delete") || op == "denyList.moveOut" => (json!({"id": 1}), None),
                _ => (json!({}), None),
            };
            let plan = plan(op, &input, photo, Edition::Cloud).unwrap_or_else(|e| panic!("{op}: {e}"));
            assert!(plan.path.starts_with("/api/v"), "{op}: {}", plan.path);
        }
    }

    #[test]
    fn person_pages_say_whether_another_page_exists() {
        let full = json!([{"id": 1}, {"id": 2}]);
        let out = output(Output::Persons { page: 3, size: 2 }, &full, "persons.list").unwrap();
        assert_eq!(out["nextPage"], json!(4));
        assert_eq!(out["items"][1]["id"], json!(2));
        let out = output(Output::Persons { page: 3, size: 5 }, &full, "persons.list").unwrap();
        assert_eq!(out["nextPage"], Value::Null);
        let out = output(Output::Persons { page: 1, size: 5 }, &json!([]), "persons.list").unwrap();
        assert_eq!((out["nextPage"].clone(), out["items"].clone()), (Value::Null, json!([])));
        // A junk item does not hide that the page was full.
        let out = output(Output::Persons { page: 1, size: 2 }, &json!([{"id": 1}, 7]), "persons.list").unwrap();
        assert_eq!(out["nextPage"], json!(2));
        assert_eq!(out["items"].as_array().unwrap().len(), 1);
        let e = output(Output::Persons { page: 1, size: 2 }, &json!({"x": 1}), "persons.list").unwrap_err();
        assert_eq!(e.code, ErrorCode::Decode);
    }

    #[test]
    fn record_pages_in_both_versions() {
        let v5 = json!({"list": [{"id": 1}, {"id": 2}], "page_num": 1, "page_size": 2});
        let out = output(Output::Records { page: 1, size: 2 }, &v5, "records.list").unwrap();
        assert_eq!((out["nextPage"].clone(), out["total"].clone()), (json!(2), Value::Null));
        let v3 = json!({"list": [{"id": 1}, {"id": 2}], "page": 2, "size": 2, "total": 4});
        let out = output(Output::Records { page: 2, size: 2 }, &v3, "records.list").unwrap();
        assert_eq!((out["nextPage"].clone(), out["total"].clone()), (Value::Null, json!(4)));
        let v3 = json!({"list": [{"id": 1}], "page": "1", "size": "1", "total": "4"});
        let out = output(Output::Records { page: 1, size: 1 }, &v3, "records.list").unwrap();
        assert_eq!(out["nextPage"], json!(2));
    }

    #[test]
    fn counts_objects_and_nothing() {
        assert_eq!(output(Output::Count, &json!(2), "recognition.check").unwrap(), json!(2));
        assert_eq!(output(Output::Count, &json!("x"), "recognition.check").unwrap_err().code, ErrorCode::Decode);
        assert_eq!(output(Output::Nothing, &json!({"a": 1}), "x").unwrap(), Value::Null);
        assert_eq!(output(Output::One(types::GROUP), &json!([]), "x").unwrap_err().code, ErrorCode::Decode);
        assert_eq!(output(Output::Person(2), &json!({"id": 1}), "visitors.create").unwrap()["type"], json!(2));
        assert_eq!(output(Output::Person(2), &json!({"id": 1, "type": 5}), "visitors.update").unwrap()["type"], json!(5));
    }
}
