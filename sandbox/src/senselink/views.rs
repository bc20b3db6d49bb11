//! JSON shapes of answers, field for field as in the seed's response examples (which differ per
//! endpoint: `groupList` vs `groups`, `createBy` vs `create_by`, times with or without `.0`).

use serde_json::{json, Value};

use super::store::*;
use crate::common::time::format_jst;

/// `YYYY-MM-DD hh:mm:ss` (JST).
pub fn time(secs: i64) -> String {
    format_jst(secs)
}

/// `YYYY-MM-DD hh:mm:ss.0` (JST), the style of several list/add answers.
pub fn time_dot0(secs: i64) -> String {
    format!("{}.0", format_jst(secs))
}

fn text(value: &Option<String>) -> Value {
    value.as_deref().map_or(Value::Null, |v| Value::String(v.to_string()))
}

/// `""` when unset (the seed shows `""` for these on new persons).
fn text_or_empty(value: &Option<String>) -> Value {
    Value::String(value.clone().unwrap_or_default())
}

/// `{id, name, type}` of each group of a person.
pub fn group_refs(store: &Store, person: &Person) -> Value {
    Value::Array(
        person
            .groups
            .iter()
            .filter_map(|id| store.groups.get(id))
            .map(|g| json!({"id": g.id, "name": g.name, "type": g.kind}))
            .collect(),
    )
}

/// Employee answer of add (2.4.1) and update (2.4.2).
pub fn employee(store: &Store, p: &Person) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "avatar": p.avatar.clone().unwrap_or_default(),
        "mobile": text_or_empty(&p.mobile),
        "remark": text_or_empty(&p.remark),
        "type": p.kind,
        "birthday": text(&p.birthday),
        "mail": text(&p.mail),
        "position": text(&p.position),
        "location": text(&p.location),
        "groupList": group_refs(store, p),
        "gender": p.gender,
        "prompt": text(&p.prompt),
        "ic_number": text_or_empty(&p.ic_number),
        "id_number": text(&p.id_number),
        "job_number": text_or_empty(&p.job_number),
        "company_id": COMPANY_ID,
        "create_at": time(p.create_at),
        "update_at": time(p.update_at),
        "department_id": p.department_id,
        "area_code": text(&p.area_code),
        "entry_time": text(&p.entry_time),
    })
}

/// Visitor answer: add (2.4.5, times with `.0`) and update (2.4.6, without).
pub fn visitor(store: &Store, p: &Person, with_dot0: bool) -> Value {
    let fmt = |secs: Option<i64>| -> Value {
        secs.map_or(Value::Null, |s| Value::String(if with_dot0 { time_dot0(s) } else { time(s) }))
    };
    let reception_name = p
        .reception_user_id
        .and_then(|id| store.persons.get(&id))
        .map(|r| r.name.clone());
    json!({
        "id": p.id,
        "name": p.name,
        "avatar": p.avatar.clone().unwrap_or_default(),
        "mobile": text_or_empty(&p.mobile),
        "remark": text_or_empty(&p.remark),
        "groups": group_refs(store, p),
        "position": text(&p.position),
        "level": text(&p.guest_level),
        "mail": text(&p.mail),
        "birthday": text(&p.birthday),
        "prompt": text(&p.prompt),
        "gender": p.gender,
        "ic_number": text_or_empty(&p.ic_number),
        "id_number": text(&p.id_number),
        "company_id": COMPANY_ID,
        "reception_user_id": p.reception_user_id,
        "reception_user_name": reception_name,
        "group_count": p.groups.len(),
        "date_time": fmt(p.date_time_from),
        "date_time_from": fmt(p.date_time_from),
        "date_time_to": fmt(p.date_time_to),
        "create_at": fmt(Some(p.create_at)),
        "update_at": fmt(Some(p.update_at)),
        "area_code": text(&p.area_code),
        "guest_company": text(&p.guest_company),
        "guest_purpose": text(&p.guest_purpose),
    })
}

/// Deny-list answer of add (2.4.8: `createBy`, `create_at` with `.0`).
pub fn deny_list_added(store: &Store, p: &Person) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "avatar": p.avatar.clone().unwrap_or_default(),
        "mobile": text_or_empty(&p.mobile),
        "mail": text_or_empty(&p.mail),
        "birthday": text_or_empty(&p.birthday),
        "remark": text_or_empty(&p.remark),
        "groups": group_refs(store, p),
        "prompt": text_or_empty(&p.prompt),
        "gender": p.gender.unwrap_or(0),
        "createBy": p.create_by,
        "avatar_show": "",
        "ic_number": text_or_empty(&p.ic_number),
        "id_number": text_or_empty(&p.id_number),
        "area_code": text(&p.area_code),
        "last_type": p.last_type,
        "create_at": time_dot0(p.create_at),
    })
}

/// Deny-list answer of update (2.4.11: `create_by`, `create_at` without `.0`).
pub fn deny_list_updated(store: &Store, p: &Person) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "avatar": p.avatar.clone().unwrap_or_default(),
        "mobile": text_or_empty(&p.mobile),
        "mail": text_or_empty(&p.mail),
        "birthday": text_or_empty(&p.birthday),
        "remark": text_or_empty(&p.remark),
        "groups": group_refs(store, p),
        "prompt": text_or_empty(&p.prompt),
        "gender": p.gender.unwrap_or(0),
        "avatar_show": "",
        "ic_number": text_or_empty(&p.ic_number),
        "id_number": text_or_empty(&p.id_number),
        "area_code": text(&p.area_code),
        "last_type": p.last_type,
        "create_by": p.create_by,
        "create_at": time(p.create_at),
    })
}

/// Placeholder the real list shows in the visit window of non-visitors.
const NO_VISIT_WINDOW: &str = "2017-01-01 00:00:00.0";

/// One item of the person list (2.4.13). `groupList` is `null` unless `with_groups`
/// (the real server fills it only when exactly one person is returned).
pub fn list_item(store: &Store, p: &Person, with_groups: bool) -> Value {
    let window = |secs: Option<i64>| -> Value {
        match secs {
            Some(s) => Value::String(time_dot0(s)),
            None => Value::String(NO_VISIT_WINDOW.into()),
        }
    };
    json!({
        "id": p.id,
        "name": p.name,
        "avatar": p.avatar.clone().unwrap_or_default(),
        "mobile": text_or_empty(&p.mobile),
        "remark": text_or_empty(&p.remark),
        "type": p.kind,
        "birthday": text(&p.birthday),
        "mail": text_or_empty(&p.mail),
        "position": text_or_empty(&p.position),
        "location": text_or_empty(&p.location),
        "groupList": if with_groups { group_refs(store, p) } else { Value::Null },
        "gender": p.gender,
        "prompt": text_or_empty(&p.prompt),
        "ic_number": text_or_empty(&p.ic_number),
        "id_number": text_or_empty(&p.id_number),
        "job_number": text_or_empty(&p.job_number),
        "company_id": COMPANY_ID,
        "create_at": time_dot0(p.create_at),
        "update_at": time_dot0(p.update_at),
        "department_id": p.department_id,
        "area_code": text(&p.area_code),
        "entry_time": text(&p.entry_time),
        "country_code": null,
        "place_code": null,
        "staff_type": 0,
        "reception_user_id": p.reception_user_id.unwrap_or(0),
        "date_time_from": window(p.date_time_from),
        "date_time_to": window(p.date_time_to),
        "avatar_show": null,
        "phone_suffix": "",
        "guest_company": text(&p.guest_company),
        "guest_purpose": text(&p.guest_purpose),
        "guest_level": text(&p.guest_level),
        "add_time": time_dot0(p.update_at),
        "guest_auth_status": 1,
        "last_type": p.last_type,
    })
}

/// A group as answered by the group APIs (sandbox shape).
pub fn group(store: &Store, g: &Group) -> Value {
    let user_count = store.persons.values().filter(|p| p.groups.contains(&g.id)).count();
    json!({
        "id": g.id,
        "name": g.name,
        "type": g.kind,
        "remark": g.remark,
        "user_count": user_count,
        "create_at": time(g.create_at),
        "update_at": time(g.update_at),
    })
}

/// A department with its subtree (sandbox shape following the public manual's field list).
pub fn department_tree(store: &Store, d: &Department) -> Value {
    let children: Vec<Value> = store
        .departments
        .values()
        .filter(|c| c.parent_id == d.id)
        .map(|c| department_tree(store, c))
        .collect();
    let leader_name = store.persons.get(&d.leader_id).map(|p| p.name.clone());
    json!({
        "id": d.id,
        "name": d.name,
        "code": d.code,
        "parent_id": d.parent_id,
        "leader_id": d.leader_id,
        "leader_name": leader_name,
        "user_num": store.persons.values().filter(|p| p.department_id == d.id).count(),
        "children": children,
    })
}

/// A recognition record (sandbox shape; times in Unix seconds).
pub fn record(store: &Store, r: &Record, origin: &str) -> Value {
    let device = store.devices.iter().find(|d| d.id == r.device_id);
    let snapshot = store
        .persons
        .get(&r.user_id)
        .and_then(|p| p.avatar.as_ref())
        .map(|a| format!("{origin}/static/avatar/{a}"));
    json!({
        "id": r.id,
        "user_id": r.user_id,
        "name": r.name,
        "type": r.kind,
        "sign_time": r.sign_time,
        "device_id": r.device_id,
        "device_name": device.map(|d| d.name.clone()),
        "device_ldid": device.map(|d| d.ldid.clone()),
        "location": device.map(|d| d.location.clone()),
        "direction": r.direction,
        "verify_score": r.verify_score,
        "mask": r.mask,
        "job_number": r.job_number,
        "ic_number": r.ic_number,
        "snapshot_url": snapshot,
    })
}

/// A device (sandbox shape; heartbeat in Unix seconds).
pub fn device(d: &Device, now_secs: i64) -> Value {
    json!({
        "id": d.id,
        "name": d.name,
        "ldid": d.ldid,
        "location": d.location,
        "status": 1,
        "type": "SenseLink Pass",
        "last_heartbeat": now_secs - now_secs % 60,
    })
}
