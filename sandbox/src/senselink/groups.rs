//! Person groups and departments (outside the seed; shapes are sandbox choices, see README).

use axum::extract::{Path, State};
use serde_json::Value;

use super::api::*;
use super::fields::{path_id, NAME_MAX_CHARS};
use super::persons::{page_of, read_paging};
use super::store::*;
use super::views;
use super::SenseLink;

const GROUP_KINDS: &[u8] = &[GROUP_EMPLOYEE, GROUP_VISITOR, GROUP_DENY_LIST, GROUP_DENY_LIST_ALT];

fn check_group_name(store: &Store, name: &str, kind: u8, exclude: Option<i64>) -> Result<(), ApiError> {
    if name.trim().is_empty() {
        return Err(ApiError::param("無効なパラメーターです", "name may not be empty"));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(ApiError::param("無効なパラメーターです", format!("name: at most {NAME_MAX_CHARS} characters")));
    }
    if let Some(other) = store.groups.values().find(|g| g.name == name && g.kind == kind && Some(g.id) != exclude) {
        return Err(ApiError::param(
            "無効なパラメーターです",
            format!("a group of type {kind} named {name:?} already exists (id {})", other.id),
        ));
    }
    Ok(())
}

fn check_remark(remark: &str) -> Result<(), ApiError> {
    if remark.chars().count() > 255 {
        return Err(ApiError::param("無効なパラメーターです", "remark: at most 255 characters"));
    }
    Ok(())
}

/// `POST /api/v1/group` (form-data: `name`, `type` 1/2/3(5), optional `remark`).
pub async fn add_group(State(sl): State<SenseLink>, req: ApiRequest) -> ApiResult {
    let params = &req.params;
    let name = params.get("name").unwrap_or("").to_string();
    let kind = match params.long("type")? {
        Some(k) if (0..256).contains(&k) && GROUP_KINDS.contains(&(k as u8)) => k as u8,
        Some(k) => return Err(ApiError::param("無効なパラメーターです", format!("type must be 1, 2 or 3, got {k}"))),
        None => return Err(ApiError::param("無効なパラメーターです", "type is required (1 employee, 2 visitor, 3 deny list)")),
    };
    let remark = params.get("remark").unwrap_or("").to_string();
    check_remark(&remark)?;
    let now = sl.clock().now_secs();
    let mut store = sl.store();
    check_group_name(&store, &name, kind, None)?;
    let id = store.next_group_id;
    store.next_group_id += 1;
    let group = Group { id, name, kind, remark, create_at: now, update_at: now };
    let answer = views::group(&store, &group);
    store.groups.insert(id, group);
    ok(answer)
}

/// `GET /api/v1/group` (optional `type`): every group, id descending.
pub async fn list_groups(State(sl): State<SenseLink>, req: ApiRequest) -> ApiResult {
    let kind = req.params.long("type")?;
    let store = sl.store();
    let items: Vec<Value> = store
        .groups
        .values()
        .rev()
        .filter(|g| kind.is_none_or(|k| i64::from(g.kind) == k))
        .map(|g| views::group(&store, g))
        .collect();
    ok(Value::Array(items))
}

/// `GET /api/v1/group/user?groupId=&page=&size=`: persons of a group (list item shape).
pub async fn group_members(State(sl): State<SenseLink>, req: ApiRequest) -> ApiResult {
    let group_id = req.params.required_long("groupId", "無効なパラメーターです")?;
    let (page, size) = read_paging(&req.params)?;
    let store = sl.store();
    if !store.groups.contains_key(&group_id) {
        return Err(ApiError::param("無効なパラメーターです", format!("group {group_id} does not exist")));
    }
    let members: Vec<&Person> = store.persons.values().filter(|p| p.groups.contains(&group_id)).collect();
    ok(page_of(&store, members, page, size))
}

/// `POST /api/v3/group/update` (JSON `{"id", "name"?, "remark"?}`).
pub async fn update_group(State(sl): State<SenseLink>, req: ApiRequest) -> ApiResult {
    let body = req.require_json()?;
    let id = body
        .get("id")
        .and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
        .ok_or_else(|| ApiError::param("無効なパラメーターです", "id (number) is required"))?;
    let name = body.get("name").and_then(Value::as_str).map(str::to_string);
    let remark = body.get("remark").and_then(Value::as_str).map(str::to_string);
    let now = sl.clock().now_secs();
    let mut store = sl.store();
    let Some(mut group) = store.groups.get(&id).cloned() else {
        return Err(ApiError::param("無効なパラメーターです", format!("group {id} does not exist")));
    };
    if let Some(name) = name {
        check_group_name(&store, &name, group.kind, Some(id))?;
        group.name = name;
    }
    if let Some(remark) = remark {
        check_remark(&remark)?;
        group.remark = remark;
    }
    group.update_at = now;
    let answer = views::group(&store, &group);
    store.groups.insert(id, group);
    ok(answer)
}

/// `GET /api/v1/group/delete/{id}`: removes the group and every membership in it.
pub async fn delete_group(State(sl): State<SenseLink>, Path(id): Path<String>, _req: ApiRequest) -> ApiResult {
    let id = path_id(&id)?;
    let mut store = sl.store();
    if store.groups.remove(&id).is_none() {
        return Err(ApiError::param("無効なパラメーターです", format!("group {id} does not exist")));
    }
    for person in store.persons.values_mut() {
        person.groups.retain(|g| *g != id);
    }
    ok_without_data()
}

/// `GET /api/v2/department`: the tree, roots (`parent_id` 0) first.
pub async fn department_tree(State(sl): State<SenseLink>, _req: ApiRequest) -> ApiResult {
    let store = sl.store();
    let roots: Vec<Value> = store
        .departments
        .values()
        .filter(|d| d.parent_id == 0)
        .map(|d| views::department_tree(&store, d))
        .collect();
    ok(Value::Array(roots))
}

/// `GET /api/v2/department/search/code?code=`: one department with its subtree.
pub async fn department_by_code(State(sl): State<SenseLink>, req: ApiRequest) -> ApiResult {
    let code = req.params.get("code").unwrap_or("");
    if code.is_empty() {
        return Err(ApiError::param("無効なパラメーターです", "code is required"));
    }
    let store = sl.store();
    match store.departments.values().find(|d| d.code == code) {
        Some(d) => ok(views::department_tree(&store, d)),
        None => Err(ApiError::param("無効なパラメーターです", format!("no department with code {code:?}"))),
    }
}
