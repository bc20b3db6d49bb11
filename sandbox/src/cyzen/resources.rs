//! `/webapi/v0/<resource>`: the path table of `docs/cyzen-paths.md` and generic list / create /
//! update / delete over the seeded store, with the per-resource rules of the spec (date windows,
//! cursors, write names, quirks).

use super::auth::Caller;
use super::config::CyzenConfig;
use super::data::{Obj, Store};
use super::ratelimit::retry_after_secs;
use super::util::{content_type, errors_body, fmt_dt, is_form, now_ts, parse_dt, parse_params, ApiErr, Params, DAY};
use super::Shared;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Page size, fixed by the server.
pub const PAGE: usize = 200;

/// Magic `spot_code` value: `GET /spots?spot_code=__errors_in_200__` answers HTTP 200 with `errors[]`.
pub const MAGIC_ERRORS_IN_200: &str = "__errors_in_200__";

pub struct Spec {
    pub path: &'static str,
    pub list_key: &'static str,
    pub id_key: &'static str,
    /// Operations of the seed table: G(et) A(dd) U(pdate) D(elete).
    pub ops: &'static str,
    /// Cursor field(s) emitted while more data exists.
    pub cursor: &'static [&'static str],
    /// Equality filters accepted on GET (besides the id key).
    pub filters: &'static [&'static str],
    /// Writable form fields (POST/PUT), excluding the id key.
    pub write: &'static [&'static str],
    /// Fields required on POST.
    pub required: &'static [&'static str],
    pub confirmed: bool,
}

macro_rules! spec {
    ($path:literal, $id:literal, $ops:literal, [$($c:literal),*], [$($f:literal),*], [$($w:literal),*], [$($r:literal),*], $conf:literal) => {
        Spec { path: $path, list_key: $path, id_key: $id, ops: $ops, cursor: &[$($c),*], filters: &[$($f),*],
               write: &[$($w),*], required: &[$($r),*], confirmed: $conf }
    };
}

/// The path table (docs/cyzen-paths.md).
pub static SPECS: &[Spec] = &[
    spec!(
        "histories",
        "history_id",
        "G",
        ["next_history_created_at"],
        [],
        [],
        [],
        true
    ),
    spec!(
        "trackings",
        "tracking_id",
        "G",
        ["next_tracking_id"],
        ["user_id"],
        [],
        [],
        false
    ),
    spec!(
        "members_statuses",
        "user_id",
        "G",
        ["next_user_id"],
        [],
        [],
        [],
        true
    ),
    spec!(
        "spots",
        "spot_id",
        "GAUD",
        ["next_spot_id"],
        ["spot_code"],
        [
            "spot_code",
            "spot_name",
            "kana_name",
            "zip_code",
            "tel",
            "fax",
            "address",
            "lat",
            "lon",
            "valid_from",
            "valid_to",
            "url",
            "comment",
            "group_id",
            "spot_tag_id",
            "extend_data"
        ],
        ["spot_name"],
        true
    ),
    spec!(
        "spot_customers",
        "spot_customer_id",
        "G",
        ["next_spot_customer_id"],
        ["spot_id"],
        [],
        [],
        false
    ),
    spec!(
        "spot_staffs",
        "spot_staff_id",
        "GAD",
        ["next_spot_staff_id"],
        ["spot_id", "user_id"],
        ["spot_id", "user_id"],
        ["spot_id", "user_id"],
        false
    ),
    spec!(
        "spot_tag_links",
        "spot_tag_link_id",
        "AUD",
        [],
        [],
        ["spot_id", "spot_tag_id"],
        ["spot_id", "spot_tag_id"],
        false
    ),
    spec!(
        "spot_tags",
        "spot_tag_id",
        "G",
        ["next_spot_tag_id"],
        ["group_id"],
        [],
        [],
        true
    ),
    spec!(
        "groups",
        "group_id",
        "GAUD",
        ["next_group_id"],
        [],
        ["group_code", "group_name"],
        ["group_name"],
        true
    ),
    spec!(
        "users",
        "user_id",
        "GAUD",
        ["next_user_id"],
        [],
        ["user_login_id", "user_code", "user_name", "account_status"],
        ["user_login_id", "user_name"],
        true
    ),
    spec!(
        "user_affiliations",
        "user_affiliation_id",
        "AUD",
        [],
        [],
        ["user_id", "group_id"],
        ["user_id", "group_id"],
        false
    ),
    spec!(
        "statuses",
        "status_id",
        "G",
        ["next_status_id"],
        ["group_id"],
        [],
        [],
        true
    ),
    spec!(
        "action_types",
        "action_type_id",
        "G",
        ["next_action_type_id"],
        [],
        [],
        [],
        false
    ),
    spec!(
        "report_definitions",
        "report_definition_id",
        "G",
        ["next_report_definition_id"],
        [],
        [],
        [],
        true
    ),
    spec!(
        "reports",
        "report_id",
        "G",
        ["next_report_id", "next_report_updated_at"],
        [],
        [],
        [],
        true
    ),
    spec!("images", "image_id", "G", [], [], [], [], false),
    spec!(
        "schedules",
        "schedule_id",
        "GAUD",
        ["next_start_date"],
        [],
        [
            "title",
            "detail",
            "start_date",
            "end_date",
            "all_day",
            "group_id",
            "schedule_category",
            "spot_id",
            "address",
            "lat",
            "lon",
            "user_id"
        ],
        ["title", "start_date", "end_date"],
        true
    ),
    spec!(
        "schedule_members",
        "schedule_member_id",
        "GAUD",
        ["next_schedule_member_id"],
        ["schedule_id", "user_id"],
        ["schedule_id", "user_id"],
        ["schedule_id", "user_id"],
        false
    ),
    spec!(
        "transport_expenses",
        "transport_expense_id",
        "G",
        ["next_transport_expense_id"],
        ["user_id"],
        [],
        [],
        false
    ),
    spec!(
        "spot_photos",
        "spot_photo_id",
        "GD",
        ["next_spot_photo_id"],
        ["spot_id"],
        [],
        [],
        false
    ),
    spec!(
        "spot_photo_tags",
        "spot_photo_tag_id",
        "GD",
        ["next_spot_photo_tag_id"],
        ["spot_photo_id"],
        [],
        [],
        false
    ),
    spec!(
        "spot_classifications",
        "spot_classification_id",
        "GU",
        ["next_spot_classification_id"],
        ["spot_id"],
        ["spot_classification_definition_id"],
        [],
        false
    ),
    spec!(
        "spot_classification_definitions",
        "spot_classification_definition_id",
        "G",
        ["next_spot_classification_definition_id"],
        [],
        [],
        [],
        false
    ),
    spec!(
        "spot_photo_metadata",
        "spot_photo_id",
        "GU",
        ["next_spot_photo_id"],
        [],
        ["title", "description"],
        [],
        false
    ),
    spec!(
        "user_tags",
        "user_tag_id",
        "G",
        ["next_user_tag_id"],
        [],
        [],
        [],
        true
    ),
];

/// Tables of the store (every resource except the binary `images`).
pub const TABLES: [&str; 24] = [
    "histories",
    "trackings",
    "members_statuses",
    "spots",
    "spot_customers",
    "spot_staffs",
    "spot_tag_links",
    "spot_tags",
    "groups",
    "users",
    "user_affiliations",
    "statuses",
    "action_types",
    "report_definitions",
    "reports",
    "schedules",
    "schedule_members",
    "transport_expenses",
    "spot_photos",
    "spot_photo_tags",
    "spot_classifications",
    "spot_classification_definitions",
    "spot_photo_metadata",
    "user_tags",
];

/// Which table an id-valued write field must point into.
fn ref_table(field: &str) -> Option<&'static str> {
    Some(match field {
        "user_id" => "users",
        "group_id" => "groups",
        "spot_id" => "spots",
        "spot_tag_id" => "spot_tags",
        "schedule_id" => "schedules",
        "spot_classification_definition_id" => "spot_classification_definitions",
        _ => return None,
    })
}

pub async fn not_found() -> Response {
    ApiErr::not_found("no such resource").into_response()
}

pub async fn handle(
    State(st): State<Shared>,
    Path(resource): Path<String>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    match handle_inner(
        &st,
        &resource,
        &method,
        &headers,
        query.as_deref().unwrap_or(""),
        &body,
    ) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn handle_inner(
    st: &Shared,
    resource: &str,
    method: &Method,
    headers: &HeaderMap,
    query: &str,
    body: &[u8],
) -> Result<Response, ApiErr> {
    let spec = SPECS
        .iter()
        .find(|s| s.path == resource)
        .ok_or_else(|| ApiErr::not_found(format!("no such resource: /{resource}")))?;
    let cfg = st.cfg();
    let caller = st.tokens.lock().unwrap().authenticate(headers, &cfg)?;
    let limited = st
        .rates
        .lock()
        .unwrap()
        .check(&caller.token, cfg.rate_limit_per_sec);
    if let Err(wait) = limited {
        let (status, code) = if cfg.rate_limit_status == 429 {
            (StatusCode::TOO_MANY_REQUESTS, 42900)
        } else {
            (StatusCode::SERVICE_UNAVAILABLE, 50300)
        };
        let mut e = ApiErr::new(
            status,
            code,
            format!(
                "rate limit exceeded: at most {} calls per second per access token",
                cfg.rate_limit_per_sec
            ),
        );
        if cfg.retry_after {
            e.retry_after = Some(retry_after_secs(wait));
        }
        return Err(e);
    }
    {
        let mut c = st.cfg.lock().unwrap();
        if c.force_errors_in_200 > 0 {
            c.force_errors_in_200 -= 1;
            return Ok(errors_in_200());
        }
    }
    let op = match *method {
        Method::GET => 'G',
        Method::POST => 'A',
        Method::PUT => 'U',
        Method::DELETE => 'D',
        _ => 'X',
    };
    if !spec.ops.contains(op) {
        return Err(ApiErr::new(
            StatusCode::METHOD_NOT_ALLOWED,
            40500,
            format!("method {method} is not supported on /{}", spec.path),
        ));
    }
    let params = if op == 'G' || op == 'D' {
        parse_params(query)?
    } else {
        let ct = content_type(headers);
        if !is_form(ct) {
            return Err(ApiErr::bad(format!(
                "invalid content type '{ct}': send application/x-www-form-urlencoded"
            )));
        }
        if !query.is_empty() {
            return Err(ApiErr::bad(
                "invalid parameter field: POST/PUT parameters belong in the form body",
            ));
        }
        parse_params(std::str::from_utf8(body).map_err(|_| ApiErr::bad("body is not UTF-8"))?)?
    };
    match params.get("company_id").map(String::as_str) {
        None | Some("") => return Err(ApiErr::bad("company_id is required")),
        Some(c) if c != cfg.company_id => return Err(ApiErr::bad("invalid company_id")),
        _ => {}
    }
    let now = now_ts();
    match op {
        'G' if spec.path == "images" => image(st, &params),
        'G' => {
            let store = st.store.lock().unwrap();
            list(&store, spec, &params, &cfg, now).map(|v| Json(v).into_response())
        }
        'A' => {
            let mut store = st.store.lock().unwrap();
            create(&mut store, spec, &params, &caller, now).map(|v| Json(v).into_response())
        }
        'U' => {
            let mut store = st.store.lock().unwrap();
            update(&mut store, spec, &params, now).map(|v| Json(v).into_response())
        }
        _ => {
            let mut store = st.store.lock().unwrap();
            delete(&mut store, spec, &params, now).map(|v| Json(v).into_response())
        }
    }
}

fn errors_in_200() -> Response {
    (
        StatusCode::OK,
        Json(errors_body(
            50000,
            "internal error (reported with HTTP 200 — sandbox injection)",
        )),
    )
        .into_response()
}

fn check_known(p: &Params, allowed: &[&[&str]]) -> Result<(), ApiErr> {
    for k in p.keys() {
        if !allowed.iter().any(|a| a.contains(&k.as_str())) {
            return Err(ApiErr::bad(format!("invalid parameter field: {k}")));
        }
    }
    Ok(())
}

fn get<'a>(p: &'a Params, k: &str) -> Option<&'a str> {
    p.get(k).map(String::as_str).filter(|v| !v.is_empty())
}

/// A field's value, `null` when absent (never panics like `Map[...]`).
fn fv<'a>(o: &'a Obj, k: &str) -> &'a Value {
    o.get(k).unwrap_or(&Value::Null)
}

fn field_matches(o: &Obj, k: &str, v: &str) -> bool {
    match o.get(k) {
        Some(Value::String(s)) => s == v,
        Some(Value::Number(n)) => n.to_string() == v,
        _ => false,
    }
}

fn str_field<'a>(o: &'a Obj, keys: &[&str]) -> &'a str {
    keys.iter()
        .find_map(|k| o.get(*k).and_then(Value::as_str))
        .unwrap_or("")
}

/// Validate a date window (inclusive bounds). One bound alone extends to the maximum span.
fn window(
    p: &Params,
    from_k: &str,
    to_k: &str,
    max_days: i64,
    default: Option<(i64, i64)>,
) -> Result<Option<(i64, i64)>, ApiErr> {
    let parse = |k: &str| -> Result<Option<i64>, ApiErr> {
        match get(p, k) {
            None => Ok(None),
            Some(v) => parse_dt(v).map(Some).ok_or_else(|| {
                ApiErr::bad(format!(
                    "invalid parameter field: {k} must be YYYY-MM-DDThh:mm:ss (UTC)"
                ))
            }),
        }
    };
    let max = max_days * DAY;
    let w = match (parse(from_k)?, parse(to_k)?) {
        (None, None) => return Ok(default),
        (Some(f), None) => (f, f + max),
        (None, Some(t)) => (t - max, t),
        (Some(f), Some(t)) => (f, t),
    };
    if w.0 > w.1 {
        return Err(ApiErr::bad(format!(
            "invalid parameter field: {from_k} is after {to_k}"
        )));
    }
    if w.1 - w.0 > max {
        return Err(ApiErr::bad(format!(
            "invalid parameter field: {from_k}..{to_k} may span at most {max_days} days"
        )));
    }
    Ok(Some(w))
}

fn in_window(s: &str, w: Option<(i64, i64)>) -> bool {
    match w {
        None => true,
        Some((f, t)) => s >= fmt_dt(f).as_str() && s <= fmt_dt(t).as_str(),
    }
}

fn zero_one(p: &Params, k: &str) -> Result<bool, ApiErr> {
    match get(p, k) {
        None | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(_) => Err(ApiErr::bad(format!(
            "invalid parameter field: {k} must be 1 or 0"
        ))),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum CursorKind {
    Id(&'static str),
    HistoryCreated,
    Report,
    StartDate,
}

fn list(
    store: &Store,
    spec: &Spec,
    p: &Params,
    cfg: &CyzenConfig,
    now: i64,
) -> Result<Value, ApiErr> {
    let extra: &[&str] = match spec.path {
        "histories" => &["from_date", "to_date", "next_history_id"],
        "trackings" => &["from_date", "to_date"],
        "spots" => &["updated_from", "updated_to"],
        "reports" => &[
            "updated_from",
            "updated_to",
            "from_date",
            "to_date",
            "report_definition_id",
        ],
        "schedules" => &["from_date", "to_date", "get_deleted", "with_actual"],
        "users" => &["field"],
        _ => &[],
    };
    check_known(
        p,
        &[
            &["company_id", spec.id_key],
            spec.cursor,
            spec.filters,
            extra,
        ],
    )?;

    let mut rows: Vec<&Obj> = store.table(spec.path).values().collect();
    for f in spec.filters.iter().chain(std::iter::once(&spec.id_key)) {
        if let Some(v) = get(p, f) {
            if spec.path == "spots" && *f == "spot_code" && v == MAGIC_ERRORS_IN_200 {
                return Ok(errors_body(
                    50000,
                    "internal error (reported with HTTP 200 — sandbox magic spot_code)",
                ));
            }
            rows.retain(|o| field_matches(o, f, v));
        }
    }

    let mut with_actual = false;
    let mut field_all = false;
    let kind = match spec.path {
        "histories" => {
            let w = window(p, "from_date", "to_date", 15, Some((now - 15 * DAY, now)))?;
            rows.retain(|o| in_window(str_field(o, &["created_at", "create_at"]), w));
            CursorKind::HistoryCreated
        }
        "trackings" => {
            let w = window(p, "from_date", "to_date", 15, Some((now - 15 * DAY, now)))?;
            rows.retain(|o| in_window(str_field(o, &["create_at", "created_at"]), w));
            CursorKind::Id("next_tracking_id")
        }
        "spots" => {
            let w = window(p, "updated_from", "updated_to", 7, None)?;
            rows.retain(|o| in_window(str_field(o, &["updated_at"]), w));
            CursorKind::Id("next_spot_id")
        }
        "reports" => {
            // from_date / to_date are accepted and silently ignored; report_definition_id has no
            // effect (both like the real service).
            let w = window(p, "updated_from", "updated_to", 7, None)?;
            rows.retain(|o| in_window(str_field(o, &["updated_at"]), w));
            CursorKind::Report
        }
        "schedules" => {
            let w = window(p, "from_date", "to_date", 7, None)?;
            let get_deleted = zero_one(p, "get_deleted")?;
            with_actual = zero_one(p, "with_actual")?;
            if cfg.schedules_500_quirk {
                let (f, t) = w.unwrap_or((i64::MIN / 4, i64::MAX / 4));
                let bug = store.schedules_bug_day;
                if f < bug + DAY && t >= bug && t - f > DAY {
                    return Err(ApiErr::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        50000,
                        "internal server error",
                    ));
                }
            }
            rows.retain(|o| {
                (get_deleted || o.get("deleted_at").is_none_or(Value::is_null))
                    && in_window(str_field(o, &["start_date"]), w)
            });
            CursorKind::StartDate
        }
        "users" => {
            match get(p, "field") {
                None => {}
                Some("all") => field_all = true,
                Some(_) => return Err(ApiErr::bad("invalid parameter field: field must be 'all'")),
            }
            CursorKind::Id("next_user_id")
        }
        _ => CursorKind::Id(spec.cursor.first().copied().unwrap_or("")),
    };

    let key_of = |o: &Obj| -> String {
        match kind {
            CursorKind::Id(_) => str_field(o, &[spec.id_key]).to_string(),
            CursorKind::HistoryCreated => str_field(o, &["created_at", "create_at"]).to_string(),
            CursorKind::Report => str_field(o, &["updated_at"]).to_string(),
            CursorKind::StartDate => str_field(o, &["start_date"]).to_string(),
        }
    };
    let mut items: Vec<(String, String, &Obj)> = rows
        .into_iter()
        .map(|o| (key_of(o), str_field(o, &[spec.id_key]).to_string(), o))
        .collect();
    items.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));

    let dt_cursor = |k: &str| -> Result<Option<String>, ApiErr> {
        match get(p, k) {
            None => Ok(None),
            Some(v) if parse_dt(v).is_some() => Ok(Some(v.to_string())),
            Some(_) => Err(ApiErr::bad(format!(
                "invalid parameter field: {k} must be YYYY-MM-DDThh:mm:ss"
            ))),
        }
    };
    let mut unique_key = true;
    match kind {
        CursorKind::Id(name) => {
            if let Some(c) = get(p, name) {
                items.retain(|i| i.1.as_str() >= c);
            }
        }
        CursorKind::HistoryCreated => {
            unique_key = cfg.legacy_history_cursor;
            let by_time = dt_cursor("next_history_created_at")?;
            let by_id = get(p, "next_history_id");
            match (by_time, by_id) {
                (Some(_), Some(_)) => {
                    return Err(ApiErr::bad(
                        "invalid parameter field: send only one history cursor",
                    ));
                }
                (Some(c), None) => items.retain(|i| i.0 >= c),
                (None, Some(id)) => {
                    let row = store.table("histories").get(id).ok_or_else(|| {
                        ApiErr::bad("invalid parameter field: unknown next_history_id")
                    })?;
                    let k = (
                        str_field(row, &["created_at", "create_at"]).to_string(),
                        id.to_string(),
                    );
                    items.retain(|i| (&i.0, &i.1) >= (&k.0, &k.1));
                }
                (None, None) => {}
            }
        }
        CursorKind::Report => {
            let upd = dt_cursor("next_report_updated_at")?;
            match (get(p, "next_report_id"), upd) {
                (Some(id), Some(u)) => items.retain(|i| (&i.0, i.1.as_str()) >= (&u, id)),
                (None, None) => {}
                _ => {
                    return Err(ApiErr::bad(
                        "invalid parameter field: next_report_id and next_report_updated_at must be sent together",
                    ))
                }
            }
        }
        CursorKind::StartDate => {
            unique_key = false;
            if let Some(c) = dt_cursor("next_start_date")? {
                items.retain(|i| i.0 >= c);
            }
        }
    }

    // Page cut; with a non-unique cursor key never split a run of equal keys across pages.
    let mut cut = items.len().min(PAGE);
    if items.len() > PAGE && !unique_key {
        while cut > 0 && items[cut].0 == items[cut - 1].0 {
            cut -= 1;
        }
        if cut == 0 {
            cut = PAGE;
        }
    }
    let next = items.get(cut).map(|i| (i.0.clone(), i.1.clone()));

    let ctx = RenderCtx::build(store, spec.path, field_all, with_actual);
    let rendered: Vec<Value> = items[..cut].iter().map(|i| ctx.render(i.2)).collect();
    let mut out = serde_json::Map::new();
    out.insert(spec.list_key.to_string(), Value::Array(rendered));
    if let Some((k, id)) = next {
        match kind {
            CursorKind::Id(name) => {
                out.insert(name.to_string(), json!(id));
            }
            CursorKind::HistoryCreated if cfg.legacy_history_cursor => {
                out.insert("next_history_id".into(), json!(id));
            }
            CursorKind::HistoryCreated => {
                out.insert("next_history_created_at".into(), json!(k));
            }
            CursorKind::Report => {
                out.insert("next_report_id".into(), json!(id));
                out.insert("next_report_updated_at".into(), json!(k));
            }
            CursorKind::StartDate => {
                out.insert("next_start_date".into(), json!(k));
            }
        }
    }
    Ok(Value::Object(out))
}

/// Embedded / derived fields added at read time.
struct RenderCtx {
    path: &'static str,
    spot_tags: HashMap<String, Vec<Value>>,
    user_groups: HashMap<String, Vec<Value>>,
    user_tag_names: HashMap<String, String>,
    schedule_users: HashMap<String, Vec<Value>>,
    field_all: bool,
    with_actual: bool,
}

impl RenderCtx {
    fn build(store: &Store, path: &'static str, field_all: bool, with_actual: bool) -> Self {
        let mut c = RenderCtx {
            path,
            spot_tags: HashMap::new(),
            user_groups: HashMap::new(),
            user_tag_names: HashMap::new(),
            schedule_users: HashMap::new(),
            field_all,
            with_actual,
        };
        match path {
            "spots" => {
                let tags = store.table("spot_tags");
                for l in store.table("spot_tag_links").values() {
                    let tid = str_field(l, &["spot_tag_id"]);
                    let name = tags
                        .get(tid)
                        .map(|t| t["spot_tag_name"].clone())
                        .unwrap_or(Value::Null);
                    c.spot_tags
                        .entry(str_field(l, &["spot_id"]).to_string())
                        .or_default()
                        .push(json!({"spot_tag_id": tid, "spot_tag_name": name}));
                }
            }
            "users" if field_all => {
                let groups = store.table("groups");
                for a in store.table("user_affiliations").values() {
                    let gid = str_field(a, &["group_id"]);
                    let name = groups
                        .get(gid)
                        .map(|g| g["group_name"].clone())
                        .unwrap_or(Value::Null);
                    c.user_groups
                        .entry(str_field(a, &["user_id"]).to_string())
                        .or_default()
                        .push(json!({"group_id": gid, "group_name": name}));
                }
                for t in store.table("user_tags").values() {
                    c.user_tag_names.insert(
                        str_field(t, &["user_tag_id"]).to_string(),
                        str_field(t, &["user_tag_name"]).to_string(),
                    );
                }
            }
            "schedules" => {
                for m in store.table("schedule_members").values() {
                    c.schedule_users
                        .entry(str_field(m, &["schedule_id"]).to_string())
                        .or_default()
                        .push(json!({"user_id": str_field(m, &["user_id"])}));
                }
            }
            _ => {}
        }
        c
    }

    fn render(&self, o: &Obj) -> Value {
        let mut m: Obj = o
            .iter()
            .filter(|(k, _)| !k.starts_with('_'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        match self.path {
            "spots" => {
                let id = str_field(o, &["spot_id"]);
                m.insert(
                    "spot_tags".into(),
                    Value::Array(self.spot_tags.get(id).cloned().unwrap_or_default()),
                );
            }
            "users" if self.field_all => {
                let id = str_field(o, &["user_id"]);
                m.insert(
                    "groups".into(),
                    Value::Array(self.user_groups.get(id).cloned().unwrap_or_default()),
                );
                let tags: Vec<Value> = o
                    .get("_user_tag_ids")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(|t| json!({"user_tag_id": t, "user_tag_name": self.user_tag_names.get(t)}))
                            .collect()
                    })
                    .unwrap_or_default();
                m.insert("user_tags".into(), Value::Array(tags));
            }
            "schedules" => {
                let id = str_field(o, &["schedule_id"]);
                m.insert(
                    "users".into(),
                    Value::Array(self.schedule_users.get(id).cloned().unwrap_or_default()),
                );
                if self.with_actual {
                    m.insert(
                        "actual".into(),
                        o.get("_actual").cloned().unwrap_or(Value::Null),
                    );
                }
            }
            _ => {}
        }
        Value::Object(m)
    }
}

fn image(st: &Shared, p: &Params) -> Result<Response, ApiErr> {
    check_known(p, &[&["company_id", "image_id"]])?;
    let id = get(p, "image_id").ok_or_else(|| ApiErr::bad("image_id is required"))?;
    let bytes = st
        .store
        .lock()
        .unwrap()
        .images
        .get(id)
        .cloned()
        .ok_or_else(|| ApiErr::not_found("no such image"))?;
    Ok(([(header::CONTENT_TYPE, "image/png")], bytes).into_response())
}

// ---------------------------------------------------------------------------------------------
// Writes

/// Changes to other tables, applied only once every field validated.
#[derive(Default)]
struct Side {
    spot_tags: Option<Vec<String>>,
    members: Option<Vec<String>>,
}

fn must_exist(store: &Store, field: &str, v: &str) -> Result<(), ApiErr> {
    let t = ref_table(field).expect("reference field");
    if store.table(t).contains_key(v) {
        Ok(())
    } else {
        Err(ApiErr::bad(format!(
            "invalid parameter field: unknown {field} '{v}'"
        )))
    }
}

fn id_list(store: &Store, field: &str, v: &str) -> Result<Vec<String>, ApiErr> {
    let mut out = Vec::new();
    for id in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        must_exist(store, field, id)?;
        if !out.iter().any(|x| x == id) {
            out.push(id.to_string());
        }
    }
    Ok(out)
}

fn coord(k: &str, v: &str, limit: f64) -> Result<Value, ApiErr> {
    let x: f64 = v
        .trim()
        .parse()
        .map_err(|_| ApiErr::bad(format!("invalid parameter field: {k} must be a number")))?;
    if !x.is_finite() || x.abs() > limit {
        return Err(ApiErr::bad(format!(
            "invalid parameter field: {k} out of range"
        )));
    }
    Ok(json!(x))
}

fn opt_dt(k: &str, v: &str) -> Result<Value, ApiErr> {
    if v.is_empty() {
        return Ok(Value::Null);
    }
    parse_dt(v).map(|_| json!(v)).ok_or_else(|| {
        ApiErr::bad(format!(
            "invalid parameter field: {k} must be YYYY-MM-DDThh:mm:ss (UTC)"
        ))
    })
}

fn non_empty(k: &str, v: &str) -> Result<Value, ApiErr> {
    if v.trim().is_empty() {
        Err(ApiErr::bad(format!(
            "invalid parameter field: {k} must not be empty"
        )))
    } else {
        Ok(json!(v))
    }
}

fn set_defaults(o: &mut Obj, defaults: Value) {
    if let Value::Object(d) = defaults {
        for (k, v) in d {
            o.entry(k).or_insert(v);
        }
    }
}

/// Validate the body fields and apply them to `o` (a copy). `id` is the object's id.
#[allow(clippy::too_many_arguments)]
fn apply_fields(
    store: &Store,
    spec: &Spec,
    id: &str,
    o: &mut Obj,
    p: &Params,
    creating: bool,
    caller: Option<&Caller>,
    now: i64,
) -> Result<Side, ApiErr> {
    let mut side = Side::default();
    let fields = p
        .iter()
        .filter(|(k, _)| *k != "company_id" && *k != spec.id_key);
    match spec.path {
        "spots" => {
            if creating && (p.contains_key("lat") != p.contains_key("lon")) {
                return Err(ApiErr::bad(
                    "invalid parameter field: lat and lon must be sent together",
                ));
            }
            for (k, v) in fields {
                let v = v.as_str();
                match k.as_str() {
                    "spot_code" => {
                        if !v.is_empty()
                            && store
                                .table("spots")
                                .values()
                                .any(|s| fv(s, "spot_code") == v && fv(s, "spot_id") != id)
                        {
                            return Err(ApiErr::bad(format!(
                                "invalid parameter field: spot_code '{v}' already exists"
                            )));
                        }
                        o.insert("spot_code".into(), json!(v));
                    }
                    "spot_name" => {
                        o.insert("spot_name".into(), non_empty(k, v)?);
                    }
                    "kana_name" => {
                        o.insert("spot_name_kana".into(), json!(v));
                    }
                    "lat" => {
                        o.insert("latitude".into(), coord(k, v, 90.0)?);
                    }
                    "lon" => {
                        o.insert("longitude".into(), coord(k, v, 180.0)?);
                    }
                    "valid_from" | "valid_to" => {
                        o.insert(k.clone(), opt_dt(k, v)?);
                    }
                    "group_id" => {
                        if !v.is_empty() {
                            must_exist(store, k, v)?;
                        }
                        o.insert(
                            "group_id".into(),
                            if v.is_empty() { Value::Null } else { json!(v) },
                        );
                    }
                    "spot_tag_id" => side.spot_tags = Some(id_list(store, k, v)?),
                    "extend_data" => {
                        let parsed: Value = if v.trim().is_empty() {
                            Value::Null
                        } else {
                            serde_json::from_str(v).map_err(|e| {
                                ApiErr::bad(format!(
                                    "invalid parameter field: extend_data is not valid JSON ({e})"
                                ))
                            })?
                        };
                        o.insert("extend_data".into(), parsed);
                    }
                    _ => {
                        o.insert(k.clone(), json!(v));
                    }
                }
            }
            if creating {
                let creator = caller
                    .and_then(|c| c.user_id.clone())
                    .unwrap_or_else(|| store.api_user_id.clone());
                set_defaults(
                    o,
                    json!({
                        "spot_code": "", "spot_name_kana": "", "zip_code": "", "tel": "", "fax": "", "address": "",
                        "latitude": null, "longitude": null, "valid_from": null, "valid_to": null, "url": "",
                        "comment": "", "create_user_id": creator, "group_id": null, "extend_data": null,
                        "created_at": fmt_dt(now),
                    }),
                );
            }
            o.insert("updated_at".into(), json!(fmt_dt(now)));
        }
        "schedules" => {
            let mut place = o.get("place").cloned().unwrap_or_else(
                || json!({"spot_id": null, "address": "", "latitude": null, "longitude": null}),
            );
            if let Some(v) = p.get("spot_id") {
                if v.is_empty() {
                    place["spot_id"] = Value::Null;
                } else {
                    must_exist(store, "spot_id", v)?;
                    let s = &store.table("spots")[v.as_str()];
                    place = json!({"spot_id": v, "address": s["address"], "latitude": s["latitude"], "longitude": s["longitude"]});
                }
            }
            for (k, v) in fields {
                let v = v.as_str();
                match k.as_str() {
                    "spot_id" => {}
                    "title" => {
                        o.insert("title".into(), non_empty(k, v)?);
                    }
                    "start_date" | "end_date" => {
                        parse_dt(v).ok_or_else(|| {
                            ApiErr::bad(format!(
                                "invalid parameter field: {k} must be YYYY-MM-DDThh:mm:ss (UTC)"
                            ))
                        })?;
                        o.insert(k.clone(), json!(v));
                    }
                    "all_day" => {
                        let n = match v {
                            "0" => 0,
                            "1" => 1,
                            _ => {
                                return Err(ApiErr::bad(
                                    "invalid parameter field: all_day must be 0 or 1",
                                ))
                            }
                        };
                        o.insert("all_day".into(), json!(n));
                    }
                    "group_id" => {
                        if !v.is_empty() {
                            must_exist(store, k, v)?;
                        }
                        o.insert(
                            "group_id".into(),
                            if v.is_empty() { Value::Null } else { json!(v) },
                        );
                    }
                    "address" => place["address"] = json!(v),
                    "lat" => place["latitude"] = coord(k, v, 90.0)?,
                    "lon" => place["longitude"] = coord(k, v, 180.0)?,
                    "user_id" => side.members = Some(id_list(store, k, v)?),
                    _ => {
                        o.insert(k.clone(), json!(v));
                    }
                }
            }
            o.insert("place".into(), place);
            let start = parse_dt(str_field(o, &["start_date"])).unwrap_or(0);
            let end = parse_dt(str_field(o, &["end_date"])).unwrap_or(0);
            if end < start {
                return Err(ApiErr::bad(
                    "invalid parameter field: end_date is before start_date",
                ));
            }
            if creating {
                set_defaults(
                    o,
                    json!({"group_id": null, "detail": "", "all_day": 0, "schedule_category": "",
                           "created_at": fmt_dt(now), "deleted_at": null, "_actual": null}),
                );
            }
            o.insert("updated_at".into(), json!(fmt_dt(now)));
        }
        _ => {
            for (k, v) in fields {
                let v = v.as_str();
                match (spec.path, k.as_str()) {
                    ("users", "user_login_id") => {
                        non_empty(k, v)?;
                        if store
                            .table("users")
                            .values()
                            .any(|u| fv(u, "user_login_id") == v && fv(u, "user_id") != id)
                        {
                            return Err(ApiErr::bad(format!(
                                "invalid parameter field: user_login_id '{v}' already exists"
                            )));
                        }
                        o.insert(k.clone(), json!(v));
                    }
                    ("users", "user_name") | ("groups", "group_name") => {
                        o.insert(k.clone(), non_empty(k, v)?);
                    }
                    ("users", "account_status") => {
                        let n = match v {
                            "0" => 0,
                            "1" => 1,
                            _ => {
                                return Err(ApiErr::bad(
                                    "invalid parameter field: account_status must be 0 or 1",
                                ))
                            }
                        };
                        o.insert(k.clone(), json!(n));
                    }
                    (_, f) if ref_table(f).is_some() => {
                        must_exist(store, f, v)?;
                        o.insert(k.clone(), json!(v));
                    }
                    _ => {
                        o.insert(k.clone(), json!(v));
                    }
                }
            }
            // Duplicate links are refused.
            let dup_keys: Option<(&str, &str)> = match spec.path {
                "user_affiliations" => Some(("user_id", "group_id")),
                "spot_tag_links" => Some(("spot_id", "spot_tag_id")),
                "schedule_members" => Some(("schedule_id", "user_id")),
                "spot_staffs" => Some(("spot_id", "user_id")),
                _ => None,
            };
            if let Some((a, b)) = dup_keys {
                let dup = store.table(spec.path).values().any(|r| {
                    fv(r, a) == fv(o, a) && fv(r, b) == fv(o, b) && fv(r, spec.id_key) != id
                });
                if dup {
                    return Err(ApiErr::bad(format!(
                        "invalid parameter field: this {a}/{b} pair already exists"
                    )));
                }
            }
            if creating {
                match spec.path {
                    "users" => set_defaults(
                        o,
                        json!({"user_code": "", "account_status": 1, "_user_tag_ids": []}),
                    ),
                    "groups" => {
                        let join: String = id.chars().take(8).collect::<String>().to_uppercase();
                        set_defaults(o, json!({"group_code": "", "group_join_id": join}));
                    }
                    _ => {}
                }
            }
            if o.contains_key("updated_at") {
                o.insert("updated_at".into(), json!(fmt_dt(now)));
            }
        }
    }
    Ok(side)
}

fn commit_side(store: &mut Store, id: &str, side: Side) {
    if let Some(tags) = side.spot_tags {
        store
            .table_mut("spot_tag_links")
            .retain(|_, l| fv(l, "spot_id") != id);
        for t in tags {
            let lid = store.new_id();
            store.table_mut("spot_tag_links").insert(
                lid.clone(),
                obj(json!({"spot_tag_link_id": lid, "spot_id": id, "spot_tag_id": t})),
            );
        }
    }
    if let Some(users) = side.members {
        store
            .table_mut("schedule_members")
            .retain(|_, m| fv(m, "schedule_id") != id);
        for u in users {
            let mid = store.new_id();
            store.table_mut("schedule_members").insert(
                mid.clone(),
                obj(json!({"schedule_member_id": mid, "schedule_id": id, "user_id": u})),
            );
        }
    }
}

fn obj(v: Value) -> Obj {
    match v {
        Value::Object(m) => m,
        _ => Obj::new(),
    }
}

fn create(
    store: &mut Store,
    spec: &Spec,
    p: &Params,
    caller: &Caller,
    now: i64,
) -> Result<Value, ApiErr> {
    check_known(p, &[&["company_id"], spec.write])?;
    for r in spec.required {
        if get(p, r).is_none() {
            return Err(ApiErr::bad(format!(
                "invalid parameter field: {r} is required"
            )));
        }
    }
    let id = store.new_id();
    let mut o = Obj::new();
    o.insert(spec.id_key.to_string(), json!(id));
    let side = apply_fields(store, spec, &id, &mut o, p, true, Some(caller), now)?;
    store.table_mut(spec.path).insert(id.clone(), o);
    commit_side(store, &id, side);
    Ok(json!({ spec.id_key: id }))
}

fn update(store: &mut Store, spec: &Spec, p: &Params, now: i64) -> Result<Value, ApiErr> {
    check_known(p, &[&["company_id", spec.id_key], spec.write])?;
    let id = get(p, spec.id_key)
        .ok_or_else(|| {
            ApiErr::bad(format!(
                "invalid parameter field: {} is required",
                spec.id_key
            ))
        })?
        .to_string();
    let mut o = store
        .table(spec.path)
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiErr::not_found(format!("no such {}: {id}", spec.id_key)))?;
    if spec.path == "schedules" && !o.get("deleted_at").is_none_or(Value::is_null) {
        return Err(ApiErr::not_found(format!("schedule {id} is deleted")));
    }
    if p.len() <= 2 {
        return Err(ApiErr::bad("invalid parameter field: nothing to update"));
    }
    let side = apply_fields(store, spec, &id, &mut o, p, false, None, now)?;
    store.table_mut(spec.path).insert(id.clone(), o);
    commit_side(store, &id, side);
    Ok(json!({ spec.id_key: id }))
}

fn delete(store: &mut Store, spec: &Spec, p: &Params, now: i64) -> Result<Value, ApiErr> {
    check_known(p, &[&["company_id", spec.id_key]])?;
    let id = get(p, spec.id_key)
        .ok_or_else(|| {
            ApiErr::bad(format!(
                "invalid parameter field: {} is required",
                spec.id_key
            ))
        })?
        .to_string();
    let Some(row) = store.table(spec.path).get(&id).cloned() else {
        return Err(ApiErr::not_found(format!("no such {}: {id}", spec.id_key)));
    };
    match spec.path {
        "schedules" => {
            if !row.get("deleted_at").is_none_or(Value::is_null) {
                return Err(ApiErr::not_found(format!(
                    "schedule {id} is already deleted"
                )));
            }
            let s = store.table_mut("schedules").get_mut(&id).expect("row");
            s.insert("deleted_at".into(), json!(fmt_dt(now)));
            s.insert("updated_at".into(), json!(fmt_dt(now)));
        }
        _ => {
            store.table_mut(spec.path).remove(&id);
            let cascade: &[(&str, &str)] = match spec.path {
                "spots" => &[("spot_tag_links", "spot_id"), ("spot_staffs", "spot_id")],
                "users" => &[
                    ("user_affiliations", "user_id"),
                    ("schedule_members", "user_id"),
                ],
                "groups" => &[("user_affiliations", "group_id")],
                "spot_photos" => &[
                    ("spot_photo_metadata", "spot_photo_id"),
                    ("spot_photo_tags", "spot_photo_id"),
                ],
                _ => &[],
            };
            for (t, k) in cascade {
                store.table_mut(t).retain(|_, r| fv(r, k) != id.as_str());
            }
        }
    }
    Ok(json!({}))
}

/// Counts for `GET /__admin/cyzen/info`.
pub fn counts(store: &Store) -> Value {
    let mut m = serde_json::Map::new();
    for t in TABLES {
        m.insert(t.to_string(), json!(store.table(t).len()));
    }
    let deleted = store
        .table("schedules")
        .values()
        .filter(|s| !fv(s, "deleted_at").is_null())
        .count();
    m.insert("schedules_deleted".into(), json!(deleted));
    m.insert("images".into(), json!(store.images.len()));
    Value::Object(m)
}

/// The path table, for `GET /__admin/cyzen/info`.
pub fn table_json() -> Value {
    Value::Array(
        SPECS
            .iter()
            .map(|s| {
                json!({"path": format!("/{}", s.path), "list_key": s.list_key, "id_key": s.id_key, "ops": s.ops,
                       "cursor": s.cursor, "filters": s.filters, "write": s.write, "required": s.required,
                       "confirmed": s.confirmed})
            })
            .collect(),
    )
}
