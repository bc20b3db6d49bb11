//! The 13 person endpoints of seed §2.4 plus `image_updated` (2.4.4).

use axum::extract::{Path, State};
use serde_json::{json, Value};

use super::api::*;
use super::fields::*;
use super::photos::{check_person_photo, check_similarity, force_flag, CheckedPhoto, PhotoRole};
use super::store::*;
use super::views;
use super::{Edition, SenseLink};
use crate::common::time::{format_jst_date, parse_date};

/// Fields GE Enterprise requires on employees (※ in 2.4.1); `""` is accepted.
const GE_REQUIRED_EMPLOYEE_FIELDS: &[&str] = &["icNumber", "jobNumber", "mobile", "remark"];

const EMPLOYEE_GROUP_UNKNOWN: &str = "無効なパラメーターです。登録者グループのID が存在しません";
const VISITOR_GROUP_UNKNOWN: &str = "無効なパラメーターです。ビジターのグループID が存在しません";
const DENY_GROUP_UNKNOWN: &str = "グループID は企業に属していません";

/// Stores a checked photo as the person's avatar and logs it for `image_updated`.
fn attach_photo(store: &mut Store, person: &mut Person, photo: CheckedPhoto, now: i64) {
    let remark = u8::from(person.avatar.is_some());
    let image_id = store.add_photo(photo.photo);
    store.image_updates.push(ImageUpdate { person_id: person.id, avatar: image_id.clone(), at: now, remark });
    person.avatar = Some(image_id);
}

fn photo_of(req: &ApiRequest, role: PhotoRole) -> Result<Option<CheckedPhoto>, ApiError> {
    req.file("avatarFile").map(|f| check_person_photo(f, role)).transpose()
}

// ---------------------------------------------------------------------------------------------
// Employees
// ---------------------------------------------------------------------------------------------

/// 2.4.1 `POST /api/v1/user` (form-data).
pub async fn add_employee(State(sl): State<SenseLink>, req: ApiRequest) -> ApiResult {
    let params = &req.params;
    let edition = sl.config().edition;
    let name = read_name(params, true, EMPLOYEE_NAME)?.unwrap_or_default();
    if edition == Edition::Enterprise {
        for field in GE_REQUIRED_EMPLOYEE_FIELDS {
            if !params.has(field) {
                return Err(ApiError::param(
                    "無効なパラメーターです",
                    format!("{field} is required on SenseLink GE Enterprise (\"\" is allowed)"),
                ));
            }
        }
    }
    let mut person = Person {
        kind: TYPE_EMPLOYEE,
        name,
        mobile: Some(String::new()),
        remark: Some(String::new()),
        ic_number: Some(String::new()),
        job_number: Some(String::new()),
        prompt: Some(String::new()),
        create_by: "OPEN API".into(),
        ..Person::default()
    };
    apply_fields(&mut person, params, EMPLOYEE_FIELDS)?;
    if let Some(gender) = read_gender(params)? {
        person.gender = gender;
    }
    let force = force_flag(params)?;
    let groups = read_groups(params)?.unwrap_or_default();
    let photo = photo_of(&req, PhotoRole::Employee)?;

    let now = sl.clock().now_secs();
    let mut store = sl.store();
    person.groups = validate_groups(&store, &groups, &[GROUP_EMPLOYEE], EMPLOYEE_GROUP_UNKNOWN)?;
    if let Some(department) = read_department(params, &store)? {
        person.department_id = department;
    }
    check_unique(&store, &person, None, EMPLOYEE_UNIQUE)?;
    sl.check_person_limit(&store)?;
    if let Some(photo) = &photo {
        check_similarity(&store, photo, None, force, CODE_SIMILAR_30002)?;
    }

    person.id = store.allocate_person_id();
    person.create_at = now;
    person.update_at = now;
    if let Some(photo) = photo {
        attach_photo(&mut store, &mut person, photo, now);
    }
    let answer = views::employee(&store, &person);
    store.persons.insert(person.id, person);
    ok(answer)
}

/// 2.4.2 `POST /api/v2/user/update/{id}` (form-data): omitted = unchanged, `""` = cleared.
pub async fn update_employee(State(sl): State<SenseLink>, Path(id): Path<String>, req: ApiRequest) -> ApiResult {
    let id = path_id(&id)?;
    let params = &req.params;
    let edition = sl.config().edition;
    let name = read_name(params, edition == Edition::Enterprise, EMPLOYEE_NAME)?;
    let force = force_flag(params)?;
    let groups = read_groups(params)?;
    let photo = photo_of(&req, PhotoRole::Employee)?;

    let now = sl.clock().now_secs();
    let mut store = sl.store();
    let Some(existing) = store.employee(id) else {
        return Err(ApiError::param("無効なパラメーターです", format!("no employee with id {id}")));
    };
    let mut person = existing.clone();
    if let Some(name) = name {
        person.name = name;
    }
    apply_fields(&mut person, params, EMPLOYEE_FIELDS)?;
    if let Some(gender) = read_gender(params)? {
        person.gender = gender;
    }
    if let Some(groups) = groups {
        // Seed 2.4.2: the employee joins only the valid groups of the list (existing, employee type).
        person.groups = groups
            .into_iter()
            .filter(|g| store.groups.get(g).is_some_and(|g| g.kind == GROUP_EMPLOYEE))
            .collect();
    }
    if let Some(department) = read_department(params, &store)? {
        person.department_id = department;
    }
    check_unique(&store, &person, Some(id), EMPLOYEE_UNIQUE)?;
    if let Some(photo) = &photo {
        check_similarity(&store, photo, Some(id), force, CODE_SIMILAR_610)?;
        if photo.has_marker("grouplinkfail") {
            return Err(ApiError::new(
                CODE_INTERNAL,
                "Internal Server Error",
                describe("内部エラーです。従業員をグループに連携できませんでした", "file name marker \"grouplinkfail\""),
            ));
        }
    }

    person.update_at = now;
    if let Some(photo) = photo {
        attach_photo(&mut store, &mut person, photo, now);
    }
    let answer = views::employee(&store, &person);
    store.persons.insert(id, person);
    ok(answer)
}

/// 2.4.3 `GET /api/v1/user/delete/{id}`.
pub async fn delete_employee(State(sl): State<SenseLink>, Path(id): Path<String>, _req: ApiRequest) -> ApiResult {
    let id = path_id(&id)?;
    let mut store = sl.store();
    if store.employee(id).is_none() {
        return Err(ApiError::param("無効なパラメーターです", format!("no employee with id {id}")));
    }
    store.persons.remove(&id);
    ok_without_data()
}

/// 2.4.4 `GET /api/v2/staff/image_updated?date=YYYY-MM-DD` (JST day).
pub async fn image_updated(State(sl): State<SenseLink>, req: ApiRequest) -> ApiResult {
    let date = match req.params.get("date") {
        None | Some("") => return Err(ApiError::param("無効なパラメーターです", "date is required (YYYY-MM-DD)")),
        Some(date) if parse_date(date).is_none() => {
            return Err(ApiError::param("無効なパラメーターです", format!("date must be YYYY-MM-DD, got {date:?}")))
        }
        Some(date) => date.to_string(),
    };
    let store = sl.store();
    let mut updates: Vec<&ImageUpdate> = store
        .image_updates
        .iter()
        .filter(|u| format_jst_date(u.at) == date && store.employee(u.person_id).is_some())
        .collect();
    updates.sort_by_key(|u| (u.at, u.person_id));
    let items: Vec<Value> = updates
        .into_iter()
        .map(|u| {
            json!({
                "employee_id": u.person_id.to_string(),
                "image_URL": format!("{}/static/avatar/{}", req.origin, u.avatar),
                "remark": u.remark,
            })
        })
        .collect();
    ok(Value::Array(items))
}

// ---------------------------------------------------------------------------------------------
// Visitors
// ---------------------------------------------------------------------------------------------

const VISITOR_FROM_INVALID: &str = "無効なパラメーターです。来訪時間(開始)の形式が無効です";
const VISITOR_TO_INVALID: &str = "無効なパラメーターです。来訪時間(終了)の形式が無効です";

/// Required visitor fields shared by add and update: reception user, visit window, groups.
struct VisitorCore {
    reception_user_id: i64,
    from: i64,
    to: i64,
    groups: Vec<i64>,
}

fn read_visitor_core(params: &Params, store: &Store) -> Result<VisitorCore, ApiError> {
    let groups = read_groups(params)?.ok_or_else(|| {
        ApiError::param(VISITOR_GROUP_UNKNOWN, "groups is required (send an empty groups field for no group)")
    })?;
    let groups = validate_groups(store, &groups, &[GROUP_VISITOR], VISITOR_GROUP_UNKNOWN)?;
    let reception_user_id =
        params.required_long("receptionUserId", "無効なパラメーターです。ビジターの応対者は空にはできません")?;
    if store.employee(reception_user_id).is_none() {
        return Err(ApiError::param(
            "無効なパラメーターです。ビジターの応対者は空にはできません",
            format!("receptionUserId {reception_user_id} is not an employee"),
        ));
    }
    let from = read_visit_time(params, "dateTimeFrom", VISITOR_FROM_INVALID)?
        .ok_or_else(|| ApiError::param(VISITOR_FROM_INVALID, "dateTimeFrom is required (YYYY-MM-DD hh:mm:ss)"))?;
    let to = read_visit_time(params, "dateTimeTo", VISITOR_TO_INVALID)?
        .ok_or_else(|| ApiError::param(VISITOR_TO_INVALID, "dateTimeTo is required (YYYY-MM-DD hh:mm:ss)"))?;
    if to < from {
        return Err(ApiError::param(
            "無効なパラメーターです。終了時間の形式が無効です",
            "dateTimeTo is earlier than dateTimeFrom",
        ));
    }
    Ok(VisitorCore { reception_user_id, from, to, groups })
}

fn apply_visitor_core(person: &mut Person, core: VisitorCore) {
    person.reception_user_id = Some(core.reception_user_id);
    person.date_time_from = Some(core.from);
    person.date_time_to = Some(core.to);
    person.groups = core.groups;
}

const VISITOR_MOBILE_EMPTY: &str = "無効なパラメーターです。ビジターの携帯電話番号は空にはできません";

/// 2.4.5 `POST /api/v1/guest` (form-data).
pub async fn add_visitor(State(sl): State<SenseLink>, req: ApiRequest) -> ApiResult {
    let params = &req.params;
    let name = read_name(params, true, VISITOR_NAME)?.unwrap_or_default();
    let Some(file) = req.file("avatarFile") else {
        return Err(ApiError::param(
            "無効なパラメーターです。ビジターの認証用顔写真の形式が無効です",
            "avatarFile is required for visitors",
        ));
    };
    match params.get("mobile") {
        None | Some("") => return Err(ApiError::param(VISITOR_MOBILE_EMPTY, "mobile is required and may not be empty")),
        Some(_) => {}
    }
    if !params.has("remark") {
        return Err(ApiError::param(
            "無効なパラメーターです。ビジターのコメントは空にはできません",
            "remark is required (\"\" is allowed)",
        ));
    }
    let mut person = Person {
        kind: TYPE_VISITOR,
        name,
        ic_number: Some(String::new()),
        create_by: "OPEN API".into(),
        ..Person::default()
    };
    apply_fields(&mut person, params, VISITOR_FIELDS)?;
    if let Some(gender) = read_gender(params)? {
        person.gender = gender;
    }
    let force = force_flag(params)?;
    let photo = check_person_photo(file, PhotoRole::Visitor)?;

    let now = sl.clock().now_secs();
    let mut store = sl.store();
    let core = read_visitor_core(params, &store)?;
    apply_visitor_core(&mut person, core);
    sl.check_person_limit(&store)?;
    check_similarity(&store, &photo, None, force, CODE_SIMILAR_610)?;

    person.id = store.allocate_person_id();
    person.create_at = now;
    person.update_at = now;
    attach_photo(&mut store, &mut person, photo, now);
    let answer = views::visitor(&store, &person, true);
    store.persons.insert(person.id, person);
    ok(answer)
}

/// 2.4.6 `POST /api/v1/guest/update/{id}` (form-data).
pub async fn update_visitor(State(sl): State<SenseLink>, Path(id): Path<String>, req: ApiRequest) -> ApiResult {
    let id = path_id(&id)?;
    let params = &req.params;
    let name = read_name(params, true, VISITOR_NAME)?.unwrap_or_default();
    if params.get("mobile") == Some("") {
        return Err(ApiError::param(VISITOR_MOBILE_EMPTY, "mobile may not be empty"));
    }
    let force = force_flag(params)?;
    let photo = photo_of(&req, PhotoRole::Visitor)?;

    let now = sl.clock().now_secs();
    let mut store = sl.store();
    let Some(existing) = store.persons.get(&id).filter(|p| p.kind == TYPE_VISITOR) else {
        return Err(ApiError::param("ビジターが存在しません", format!("no visitor with id {id}")));
    };
    let mut person = existing.clone();
    person.name = name;
    apply_fields(&mut person, params, VISITOR_FIELDS)?;
    if let Some(gender) = read_gender(params)? {
        person.gender = gender;
    }
    let core = read_visitor_core(params, &store)?;
    apply_visitor_core(&mut person, core);
    if let Some(photo) = &photo {
        check_similarity(&store, photo, Some(id), force, CODE_SIMILAR_610)?;
    }

    person.update_at = now;
    if let Some(photo) = photo {
        attach_photo(&mut store, &mut person, photo, now);
    }
    let answer = views::visitor(&store, &person, false);
    store.persons.insert(id, person);
    ok(answer)
}

/// 2.4.7 `GET /api/v1/guest/delete/{id}`.
pub async fn delete_visitor(State(sl): State<SenseLink>, Path(id): Path<String>, _req: ApiRequest) -> ApiResult {
    let id = path_id(&id)?;
    let mut store = sl.store();
    if store.persons.get(&id).is_none_or(|p| p.kind != TYPE_VISITOR) {
        return Err(ApiError::param("ビジターが存在しません", format!("no visitor with id {id}")));
    }
    store.persons.remove(&id);
    ok_without_data()
}

// ---------------------------------------------------------------------------------------------
// Deny list
// ---------------------------------------------------------------------------------------------

const DENY_GROUP_KINDS: &[u8] = &[GROUP_DENY_LIST, GROUP_DENY_LIST_ALT];

fn group_link_failure(photo: &Option<CheckedPhoto>) -> Result<(), ApiError> {
    if photo.as_ref().is_some_and(|p| p.has_marker("grouplinkfail")) {
        return Err(ApiError::new(
            CODE_MULTI_REQUEST,
            "Multi Request Error",
            describe("拒否リストとグループの連携に失敗しました", "file name marker \"grouplinkfail\""),
        ));
    }
    Ok(())
}

/// 2.4.8 `POST /api/v2/black` (form-data).
pub async fn add_deny_listed(State(sl): State<SenseLink>, req: ApiRequest) -> ApiResult {
    let params = &req.params;
    let name = read_name(params, true, DENY_LIST_NAME)?.unwrap_or_default();
    let mut person = Person {
        kind: TYPE_DENY_LIST,
        name,
        create_by: "OPEN API".into(),
        ..Person::default()
    };
    apply_fields(&mut person, params, DENY_LIST_FIELDS)?;
    if person.area_code.is_none() {
        // Seed 2.4.8: area_code defaults to 86 when not given.
        person.area_code = Some("86".into());
    }
    if let Some(gender) = read_gender(params)? {
        person.gender = gender;
    }
    let force = force_flag(params)?;
    let groups = read_groups(params)?.unwrap_or_default();
    let photo = photo_of(&req, PhotoRole::DenyList)?;

    let now = sl.clock().now_secs();
    let mut store = sl.store();
    person.groups = validate_groups(&store, &groups, DENY_GROUP_KINDS, DENY_GROUP_UNKNOWN)?;
    check_unique(&store, &person, None, DENY_LIST_UNIQUE)?;
    sl.check_person_limit(&store)?;
    if let Some(photo) = &photo {
        check_similarity(&store, photo, None, force, CODE_SIMILAR_610)?;
    }
    group_link_failure(&photo)?;

    person.id = store.allocate_person_id();
    person.create_at = now;
    person.update_at = now;
    if let Some(photo) = photo {
        attach_photo(&mut store, &mut person, photo, now);
    }
    let answer = views::deny_list_added(&store, &person);
    store.persons.insert(person.id, person);
    ok(answer)
}

fn json_long(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// 2.4.9 `POST /api/v2/black/move/in` (JSON `{"userId": .., "groupIds": [..]}`).
pub async fn move_into_deny_list(State(sl): State<SenseLink>, req: ApiRequest) -> ApiResult {
    let body = req.require_json()?;
    let user_id = json_long(body.get("userId"))
        .ok_or_else(|| ApiError::param("無効なパラメーターです", "userId (number) is required"))?;
    let group_ids: Vec<i64> = match body.get("groupIds") {
        None | Some(Value::Null) => {
            return Err(ApiError::param("グループが空になっています", "groupIds is required ([] for no deny-list group)"))
        }
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| json_long(Some(v)))
            .collect::<Option<Vec<i64>>>()
            .ok_or_else(|| ApiError::param("無効なパラメーターです", "groupIds must be an array of ids"))?,
        Some(_) => return Err(ApiError::param("無効なパラメーターです", "groupIds must be an array of ids")),
    };

    let now = sl.clock().now_secs();
    let mut store = sl.store();
    let Some(person) = store.persons.get(&user_id) else {
        return Err(ApiError::param("無効なパラメーターです", format!("no person with id {user_id}")));
    };
    if person.kind != TYPE_EMPLOYEE && person.kind != TYPE_VISITOR {
        return Err(ApiError::new(
            CODE_PARAM_498,
            "Param Invalid",
            describe(
                "無効な登録者タイプです(拒否リストに移動中で、従業員でもビジターでもありません)",
                format!("person {user_id} has type {}", person.kind),
            ),
        ));
    }
    for group_id in &group_ids {
        if !store.groups.get(group_id).is_some_and(|g| DENY_GROUP_KINDS.contains(&g.kind)) {
            return Err(ApiError::new(
                CODE_PARAM_498,
                "Param Invalid",
                describe("拒否リストが存在しません", format!("group {group_id} is not a deny-list group")),
            ));
        }
    }
    let person = store.persons.get_mut(&user_id).expect("checked above");
    person.last_type = person.kind;
    person.kind = TYPE_DENY_LIST;
    person.groups = group_ids;
    person.department_id = 0;
    person.update_at = now;
    ok_without_data()
}

/// 2.4.10 `GET /api/v2/black/move/out?id=`: back to the type before moving in.
pub async fn move_out_of_deny_list(State(sl): State<SenseLink>, req: ApiRequest) -> ApiResult {
    let id = req.params.required_long("id", "無効なパラメーターです")?;
    let now = sl.clock().now_secs();
    let mut store = sl.store();
    let person = match store.persons.get_mut(&id) {
        Some(p) if p.kind == TYPE_DENY_LIST => p,
        _ => {
            return Err(ApiError::param(
                "登録者タイプが正しくありません",
                format!("no deny-list person with id {id}"),
            ))
        }
    };
    match person.last_type {
        TYPE_EMPLOYEE | TYPE_VISITOR => {}
        0 => {
            return Err(ApiError::param(
                "登録者タイプが正しくありません。拒否リストには元の識別子が無いため、拒否リストから外すことができません",
                format!("person {id} was added to the deny list directly"),
            ))
        }
        _ => {
            return Err(ApiError::param(
                "登録者タイプが正しくありません。拒否リストの元の識別子が従業員またはビジターではないため、拒否リストから外すことができません",
                format!("person {id} has last_type {}", person.last_type),
            ))
        }
    }
    person.kind = person.last_type;
    person.last_type = 0;
    // Deny-list groups mean nothing to an employee or visitor.
    person.groups.clear();
    person.update_at = now;
    ok_without_data()
}

/// 2.4.11 `POST /api/v2/black/update` (form-data; `id` and `name` are form fields).
pub async fn update_deny_listed(State(sl): State<SenseLink>, req: ApiRequest) -> ApiResult {
    let params = &req.params;
    let id = params.required_long("id", "拒否リストID が存在しません")?;
    let name = read_name(params, true, DENY_LIST_NAME)?.unwrap_or_default();
    let force = force_flag(params)?;
    // Seed 2.4.11: groups omitted or empty → the person is in no group.
    let groups = read_groups(params)?.unwrap_or_default();
    let photo = photo_of(&req, PhotoRole::DenyList)?;

    let now = sl.clock().now_secs();
    let mut store = sl.store();
    let Some(existing) = store.persons.get(&id).filter(|p| p.kind == TYPE_DENY_LIST) else {
        return Err(ApiError::param("拒否リストID が存在しません", format!("no deny-list person with id {id}")));
    };
    let mut person = existing.clone();
    person.name = name;
    apply_fields(&mut person, params, DENY_LIST_FIELDS)?;
    if let Some(gender) = read_gender(params)? {
        person.gender = gender;
    }
    person.groups = validate_groups(&store, &groups, DENY_GROUP_KINDS, DENY_GROUP_UNKNOWN)?;
    check_unique(&store, &person, Some(id), DENY_LIST_UNIQUE)?;
    if let Some(photo) = &photo {
        check_similarity(&store, photo, Some(id), force, CODE_SIMILAR_610)?;
    }
    group_link_failure(&photo)?;

    person.update_at = now;
    if let Some(photo) = photo {
        attach_photo(&mut store, &mut person, photo, now);
    }
    let answer = views::deny_list_updated(&store, &person);
    store.persons.insert(id, person);
    ok(answer)
}

/// 2.4.12 `GET /api/v2/black/delete/{id}`.
pub async fn delete_deny_listed(State(sl): State<SenseLink>, Path(id): Path<String>, _req: ApiRequest) -> ApiResult {
    let id = path_id(&id)?;
    let mut store = sl.store();
    if store.persons.get(&id).is_none_or(|p| p.kind != TYPE_DENY_LIST) {
        return Err(ApiError::param("拒否リストID が存在しません", format!("no deny-list person with id {id}")));
    }
    store.persons.remove(&id);
    ok_without_data()
}

// ---------------------------------------------------------------------------------------------
// List / search
// ---------------------------------------------------------------------------------------------

/// Largest page (`size`); the seed states the maximum, the sandbox refuses more with 30001.
pub const MAX_PAGE_SIZE: i64 = 100;
/// Default page size.
pub const DEFAULT_PAGE_SIZE: i64 = 20;

/// `page` (default 1, ≥ 1) and `size` (default 20, 1..=100).
pub fn read_paging(params: &Params) -> Result<(usize, usize), ApiError> {
    let page = params.long("page")?.unwrap_or(1);
    if page < 1 {
        return Err(ApiError::param("無効なパラメーターです", format!("page must be ≥ 1, got {page}")));
    }
    let size = params.long("size")?.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        return Err(ApiError::param(
            "無効なパラメーターです",
            format!("size must be between 1 and {MAX_PAGE_SIZE}, got {size}"),
        ));
    }
    Ok((page as usize, size as usize))
}

/// One page of persons as list items (`groupList` only when the page holds exactly one).
pub fn page_of(store: &Store, matches: Vec<&Person>, page: usize, size: usize) -> Value {
    let items: Vec<&Person> = matches.into_iter().skip((page - 1) * size).take(size).collect();
    let with_groups = items.len() == 1;
    Value::Array(items.into_iter().map(|p| views::list_item(store, p, with_groups)).collect())
}

/// 2.4.13 `GET /api/v1/user/list`: filters, paging; ordered by id ascending.
pub async fn list_persons(State(sl): State<SenseLink>, req: ApiRequest) -> ApiResult {
    let params = &req.params;
    let (page, size) = read_paging(params)?;
    let kind = match params.long("type")? {
        None => None,
        Some(t @ (1 | 2 | 5)) => Some(t as u8),
        Some(other) => {
            return Err(ApiError::param("無効なパラメーターです", format!("type must be 1, 2 or 5, got {other}")))
        }
    };
    let id = params.long("id")?;
    let cloud = sl.config().edition == Edition::Cloud;
    // departmentId and groups filter on Cloud only (the seed marks them unsupported on GE).
    let department = if cloud { params.long("departmentId")? } else { None };
    let groups = if cloud { read_groups(params)?.filter(|g| !g.is_empty()) } else { None };
    let name = params.get("name").filter(|n| !n.is_empty());
    let exact: Vec<(&str, &str)> = ["jobNumber", "mobile", "mail", "icNumber", "idNumber"]
        .into_iter()
        .filter_map(|param| params.get(param).filter(|v| !v.is_empty()).map(|v| (param, v)))
        .collect();

    let store = sl.store();
    let matches: Vec<&Person> = store
        .persons
        .values()
        .filter(|p| kind.is_none_or(|k| p.kind == k))
        .filter(|p| id.is_none_or(|id| p.id == id))
        .filter(|p| name.is_none_or(|n| p.name.contains(n)))
        .filter(|p| exact.iter().all(|(param, value)| p.text_field(param) == Some(value)))
        .filter(|p| department.is_none_or(|d| p.department_id == d))
        .filter(|p| groups.as_ref().is_none_or(|gs| p.groups.iter().any(|g| gs.contains(g))))
        .collect();
    ok(page_of(&store, matches, page, size))
}
