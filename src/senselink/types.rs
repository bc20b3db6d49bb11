//! Lenient decoding of SenseLink answers into plain camelCase objects.
//!
//! The server is loose about types: `gender` is an int or a string, ids come as numbers or strings,
//! times carry a `.0` suffix or none, fields are `null` or missing, and the same field is spelled
//! `snake_case` in one answer and `camelCase` in another. Each output type is a table of
//! [`OutField`]s; [`decode`] fills every listed property (with `null` where the server gave nothing
//! usable), so one odd field never fails a page and the shape callers see is always the documented one.

use crate::json::{Map, Value};

use super::input::integer;

/// How a property is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Out {
    /// An id: an integer, `0` when missing or unreadable (so `id` is always a number).
    Key,
    /// A name: a string, `""` when missing (so `name` is always a string).
    Name,
    /// An integer (number, integral float or digit string); `null` otherwise.
    Int,
    /// A string (numbers and booleans are rendered); `null` otherwise.
    Str,
    /// A `YYYY-MM-DD hh:mm:ss` string with any `.0` fraction removed.
    Time,
    /// A number (or numeric string).
    Float,
    /// Unix seconds (a value that looks like milliseconds is divided by 1000).
    Secs,
    /// A list of `{ id, name, type }` group references; `null` when absent.
    Groups,
    /// A list of departments (the tree's `children`); `[]` when absent.
    Children,
}

/// One output property: its camelCase name and the server names it may come under (the camelCase
/// name itself is tried last).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutField(pub &'static str, pub &'static [&'static str], pub Out);

use Out::*;

/// Person (employee, visitor, deny-list entry, list item).
pub const PERSON: &[OutField] = &[
    OutField("id", &["id"], Key),
    OutField("name", &["name"], Name),
    OutField("type", &["type"], Int),
    OutField("lastType", &["last_type"], Int),
    OutField("avatar", &["avatar"], Str),
    OutField("mobile", &["mobile"], Str),
    OutField("areaCode", &["area_code"], Str),
    OutField("remark", &["remark"], Str),
    OutField("gender", &["gender"], Int),
    OutField("birthday", &["birthday"], Str),
    OutField("mail", &["mail"], Str),
    OutField("position", &["position"], Str),
    OutField("location", &["location"], Str),
    OutField("prompt", &["prompt"], Str),
    OutField("icNumber", &["ic_number"], Str),
    OutField("idNumber", &["id_number"], Str),
    OutField("jobNumber", &["job_number"], Str),
    OutField("companyId", &["company_id"], Int),
    OutField("departmentId", &["department_id"], Int),
    OutField("entryTime", &["entry_time"], Str),
    OutField("groups", &["groupList", "groups"], Groups),
    OutField("receptionUserId", &["reception_user_id"], Int),
    OutField("receptionUserName", &["reception_user_name"], Str),
    OutField("dateTimeFrom", &["date_time_from"], Time),
    OutField("dateTimeTo", &["date_time_to"], Time),
    OutField("guestCompany", &["guest_company"], Str),
    OutField("guestPurpose", &["guest_purpose"], Str),
    OutField("guestLevel", &["guest_level", "level"], Str),
    OutField("createBy", &["create_by", "createBy"], Str),
    OutField("createAt", &["create_at"], Time),
    OutField("updateAt", &["update_at"], Time),
];

/// `{ id, name, type }` of a person's group.
pub const GROUP_REF: &[OutField] = &[OutField("id", &["id"], Int), OutField("name", &["name"], Str), OutField("type", &["type"], Int)];

/// A person group.
pub const GROUP: &[OutField] = &[
    OutField("id", &["id"], Key),
    OutField("name", &["name"], Name),
    OutField("type", &["type"], Int),
    OutField("remark", &["remark"], Str),
    OutField("userCount", &["user_count"], Int),
    OutField("createAt", &["create_at"], Time),
    OutField("updateAt", &["update_at"], Time),
];

/// A department with its subtree.
pub const DEPARTMENT: &[OutField] = &[
    OutField("id", &["id"], Key),
    OutField("name", &["name"], Name),
    OutField("code", &["code"], Str),
    OutField("parentId", &["parent_id"], Int),
    OutField("leaderId", &["leader_id"], Int),
    OutField("leaderName", &["leader_name"], Str),
    OutField("userNum", &["user_num"], Int),
    OutField("children", &["children"], Children),
];

/// A recognition record (records API and push event 30000).
pub const RECORD: &[OutField] = &[
    OutField("id", &["id"], Key),
    OutField("userId", &["user_id"], Int),
    OutField("name", &["name"], Name),
    OutField("type", &["type"], Int),
    OutField("signTime", &["sign_time"], Secs),
    OutField("deviceId", &["device_id"], Int),
    OutField("deviceName", &["device_name"], Str),
    OutField("deviceLdid", &["device_ldid"], Str),
    OutField("location", &["location"], Str),
    OutField("direction", &["direction"], Int),
    OutField("verifyScore", &["verify_score"], Float),
    OutField("mask", &["mask"], Int),
    OutField("jobNumber", &["job_number"], Str),
    OutField("icNumber", &["ic_number"], Str),
    OutField("snapshotUrl", &["snapshot_url"], Str),
];

/// A device alert (push event 30100).
pub const DEVICE_ALERT: &[OutField] = &[
    OutField("deviceId", &["device_id"], Int),
    OutField("deviceName", &["device_name"], Str),
    OutField("deviceLdid", &["device_ldid"], Str),
    OutField("alertType", &["alert_type"], Int),
    OutField("alertMessage", &["alert_message"], Str),
    OutField("alertTime", &["alert_time"], Secs),
];

/// A door terminal.
pub const DEVICE: &[OutField] = &[
    OutField("id", &["id"], Key),
    OutField("name", &["name"], Name),
    OutField("ldid", &["ldid"], Str),
    OutField("location", &["location"], Str),
    OutField("status", &["status"], Int),
    OutField("type", &["type"], Str),
    OutField("lastHeartbeat", &["last_heartbeat"], Secs),
];

/// An employee face photo added or replaced on a day (2.4.4).
pub const IMAGE_UPDATE: &[OutField] = &[
    OutField("employeeId", &["employee_id"], Str),
    OutField("imageUrl", &["image_URL", "image_url"], Str),
    OutField("remark", &["remark"], Int),
];

fn lookup<'a>(obj: &'a Map<String, Value>, field: &OutField) -> Option<&'a Value> {
    field.1.iter().chain(std::iter::once(&field.0)).find_map(|name| obj.get(*name).filter(|v| !v.is_null()))
}

/// A string from a string, number or boolean.
pub fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `2019-06-20 03:30:37.0` → `2019-06-20 03:30:37` (other text unchanged).
pub fn strip_fraction(time: &str) -> String {
    match time.rsplit_once('.') {
        Some((head, fraction)) if head.len() >= 16 && head.contains(':') && fraction.bytes().all(|b| b.is_ascii_digit()) => {
            head.to_string()
        }
        _ => time.to_string(),
    }
}

fn float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        // Through the JSON number parser already linked in (not `f64::from_str`, which adds kilobytes).
        Value::String(s) => crate::json::from_slice(s.trim().as_bytes()).ok().and_then(|v| v.as_f64()),
        _ => None,
    }
}

fn convert(value: &Value, kind: Out) -> Value {
    match kind {
        Key => Value::from(integer(value).unwrap_or(0)),
        Name => Value::from(text(value).unwrap_or_default()),
        Int => integer(value).map_or(Value::Null, Value::from),
        Str => text(value).map_or(Value::Null, Value::from),
        Time => text(value).map_or(Value::Null, |t| Value::from(strip_fraction(&t))),
        Float => float(value).map_or(Value::Null, Value::from),
        Secs => integer(value).map_or(Value::Null, |n| Value::from(if n > 100_000_000_000 { n / 1000 } else { n })),
        Groups => value.as_array().map_or(Value::Null, |items| list(items, GROUP_REF)),
        Children => value.as_array().map_or_else(|| Value::Array(Vec::new()), |items| list(items, DEPARTMENT)),
    }
}

/// Decodes one object by a table; `None` when `value` is not an object.
pub fn decode(value: &Value, fields: &[OutField]) -> Option<Value> {
    let obj = value.as_object()?;
    let mut out = Map::new();
    for field in fields {
        let decoded = match lookup(obj, field) {
            Some(v) => convert(v, field.2),
            None => match field.2 {
                Children => Value::Array(Vec::new()),
                Key => Value::from(0),
                Name => Value::from(""),
                _ => Value::Null,
            },
        };
        out.insert(field.0.to_string(), decoded);
    }
    Some(Value::Object(out))
}

/// Decodes every object of a list by a table, skipping items that are not objects.
pub fn list(items: &[Value], fields: &[OutField]) -> Value {
    Value::Array(items.iter().filter_map(|item| decode(item, fields)).collect())
}

/// `snake_case` → `camelCase`.
pub fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for ch in name.chars() {
        if ch == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.push(ch.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// A value with every object key turned into camelCase (for answers without a documented shape:
/// server version, company, face-quality report).
pub fn camelize(value: &Value) -> Value {
    match value {
        Value::Object(obj) => {
            let mut out = Map::new();
            for (key, item) in obj {
                out.insert(camel(key), camelize(item));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(camelize).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    #[test]
    fn seed_list_item_decodes_with_documented_names() {
        // The 2.4.13 response example, verbatim fields.
        let item = json!({
            "id": 67015, "name": "太郎", "avatar": "5d0afdde1870ac00019ffffd", "mobile": "1882960772",
            "remark": "", "type": 1, "birthday": null, "mail": "", "position": "", "location": "",
            "groupList": [{"id": 1, "name": "Default group", "type": 1}], "gender": 1, "prompt": "",
            "ic_number": "", "id_number": "", "job_number": "", "company_id": 1,
            "create_at": "2019-06-20 03:30:37.0", "update_at": "2019-06-20 03:30:38.0", "department_id": 0,
            "area_code": "86", "entry_time": null, "country_code": null, "staff_type": 0, "reception_user_id": 0,
            "date_time_from": "2017-01-01 00:00:00.0", "guest_level": null, "last_type": 0
        });
        let p = decode(&item, PERSON).unwrap();
        assert_eq!(p["id"], json!(67015));
        assert_eq!(p["name"], json!("太郎"));
        assert_eq!(p["groups"], json!([{"id": 1, "name": "Default group", "type": 1}]));
        assert_eq!(p["createAt"], json!("2019-06-20 03:30:37"));
        assert_eq!(p["dateTimeFrom"], json!("2017-01-01 00:00:00"));
        assert_eq!(p["birthday"], Value::Null);
        assert_eq!(p["areaCode"], json!("86"));
        assert_eq!(p["lastType"], json!(0));
        assert!(p.get("country_code").is_none() && p.get("countryCode").is_none());
        assert_eq!(p.as_object().unwrap().len(), PERSON.len());
    }

    #[test]
    fn odd_fields_become_null_or_are_converted() {
        let item = json!({"id": "79661", "name": 123, "gender": "2", "type": "x", "groups": "oops",
            "company_id": 1.0, "create_at": 1566455524, "level": "VIP", "createBy": "OPEN API",
            "receptionUserId": "4567"});
        let p = decode(&item, PERSON).unwrap();
        assert_eq!(p["id"], json!(79661));
        assert_eq!(p["name"], json!("123"));
        assert_eq!(p["gender"], json!(2));
        assert_eq!(p["type"], Value::Null);
        assert_eq!(p["groups"], Value::Null);
        assert_eq!(p["companyId"], json!(1));
        assert_eq!(p["createAt"], json!("1566455524"));
        assert_eq!(p["guestLevel"], json!("VIP"));
        assert_eq!(p["createBy"], json!("OPEN API"));
        assert_eq!(p["receptionUserId"], json!(4567));
        let empty = decode(&json!({"id": null}), PERSON).unwrap();
        assert_eq!((empty["id"].clone(), empty["name"].clone(), empty["mobile"].clone()), (json!(0), json!(""), Value::Null));
    }

    #[test]
    fn a_page_skips_non_objects_and_keeps_the_rest() {
        let page = list(&[json!({"id": 1, "groupList": [{"id": "7", "name": null}, 3]}), json!(null), json!("x"), json!({"id": 2})], PERSON);
        let items = page.as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["groups"], json!([{"id": 7, "name": null, "type": null}]));
        assert_eq!(items[1]["groups"], Value::Null);
    }

    #[test]
    fn fractions_are_stripped_only_from_times() {
        assert_eq!(strip_fraction("2019-08-22 6:32:04.0"), "2019-08-22 6:32:04");
        assert_eq!(strip_fraction("2019-08-22 14:32:04.123"), "2019-08-22 14:32:04");
        assert_eq!(strip_fraction("2019-08-22"), "2019-08-22");
        assert_eq!(strip_fraction("v1.2"), "v1.2");
    }

    #[test]
    fn records_and_departments() {
        let r = decode(&json!({"id": 1, "sign_time": 1_700_000_000_123_i64, "verify_score": "0.93"}), RECORD).unwrap();
        assert_eq!(r["signTime"], json!(1_700_000_000));
        assert_eq!(r["verifyScore"], json!(0.93));
        let d = decode(&json!({"id": 1, "parent_id": 0, "children": [{"id": 2, "parent_id": 1}]}), DEPARTMENT).unwrap();
        assert_eq!(d["children"][0]["parentId"], json!(1));
        assert_eq!(d["children"][0]["children"], json!([]));
    }

    #[test]
    fn camelize_renames_nested_keys() {
        assert_eq!(camel("largest_face"), "largestFace");
        assert_eq!(camel("_x"), "x");
        assert_eq!(camelize(&json!({"qa_level": 1, "largest_face": {"mouth_open": 0.1}, "reasons": ["a_b"]})),
            json!({"qaLevel": 1, "largestFace": {"mouthOpen": 0.1}, "reasons": ["a_b"]}));
    }
}
