//! Recognition records, devices and system information (outside the seed; shapes are sandbox
//! choices, see README). Record and device times are Unix seconds.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::api::*;
use super::persons::read_paging;
use super::store::{Record, COMPANY_ID};
use super::views;
use super::{Edition, SenseLink};
use crate::common::time::{format_jst_date, parse_datetime_jst};

/// Filters shared by both record endpoints.
struct RecordQuery {
    from: Option<i64>,
    to: Option<i64>,
    ascending: bool,
    page: usize,
    size: usize,
}

fn read_record_query(params: &Params) -> Result<RecordQuery, ApiError> {
    let time = |param: &str| -> Result<Option<i64>, ApiError> {
        match params.get(param) {
            None | Some("") => Ok(None),
            Some(v) => parse_datetime_jst(v)
                .map(Some)
                .ok_or_else(|| ApiError::param("無効なパラメーターです", format!("{param} must be YYYY-MM-DD hh:mm:ss, got {v:?}"))),
        }
    };
    let from = time("date_time_from")?;
    let to = time("date_time_to")?;
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            return Err(ApiError::param("無効なパラメーターです", "date_time_to is earlier than date_time_from"));
        }
    }
    let ascending = match params.get("order").map(|o| o.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("desc") | Some("0") => false,
        Some("asc") | Some("1") => true,
        Some(other) => {
            return Err(ApiError::param("無効なパラメーターです", format!("order must be desc/0 or asc/1, got {other:?}")))
        }
    };
    let (page, size) = read_paging(params)?;
    Ok(RecordQuery { from, to, ascending, page, size })
}

fn select<'a>(records: &'a [Record], query: &RecordQuery) -> (usize, Vec<&'a Record>) {
    let mut matching: Vec<&Record> = records
        .iter()
        .filter(|r| query.from.is_none_or(|f| r.sign_time >= f) && query.to.is_none_or(|t| r.sign_time <= t))
        .collect();
    if !query.ascending {
        matching.reverse();
    }
    let total = matching.len();
    let page = matching.into_iter().skip((query.page - 1) * query.size).take(query.size).collect();
    (total, page)
}

async fn parse_for_edition(sl: &SenseLink, request: Request, edition: Edition) -> Result<ApiRequest, Response> {
    if sl.config().edition != edition {
        return Err(spring_not_found(request.uri().path(), sl.clock().now_ms()));
    }
    ApiRequest::parse(request, sl).await
}

/// `GET /api/v5/record/list` (Cloud): `{list, page_num, page_size}`.
pub async fn records_v5(State(sl): State<SenseLink>, request: Request) -> Response {
    let req = match parse_for_edition(&sl, request, Edition::Cloud).await {
        Ok(req) => req,
        Err(response) => return response,
    };
    let answer = (|| {
        let query = read_record_query(&req.params)?;
        let store = sl.store();
        let (_, page) = select(&store.records, &query);
        let list: Vec<Value> = page.into_iter().map(|r| views::record(&store, r, &req.origin)).collect();
        ok(json!({"list": list, "page_num": query.page, "page_size": query.size}))
    })();
    answer.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /api/v3/record/list` (GE): `{list, page, size, total}`.
pub async fn records_v3(State(sl): State<SenseLink>, request: Request) -> Response {
    let req = match parse_for_edition(&sl, request, Edition::Enterprise).await {
        Ok(req) => req,
        Err(response) => return response,
    };
    let answer = (|| {
        let query = read_record_query(&req.params)?;
        let store = sl.store();
        let (total, page) = select(&store.records, &query);
        let list: Vec<Value> = page.into_iter().map(|r| views::record(&store, r, &req.origin)).collect();
        ok(json!({"list": list, "page": query.page, "size": query.size, "total": total}))
    })();
    answer.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /api/v2/device`: the seeded terminals.
pub async fn devices(State(sl): State<SenseLink>, _req: ApiRequest) -> ApiResult {
    let now = sl.clock().now_secs();
    let store = sl.store();
    ok(Value::Array(store.devices.iter().map(|d| views::device(d, now)).collect()))
}

/// `GET /api/v3/server/version`.
pub async fn server_version(State(sl): State<SenseLink>, _req: ApiRequest) -> ApiResult {
    let edition = sl.config().edition;
    ok(json!({
        "edition": edition.as_str(),
        "version": match edition { Edition::Cloud => "cloud-sandbox-2.9.0", Edition::Enterprise => "ge-sandbox-2.9.0" },
        "date": "2025-04-01",
    }))
}

/// `GET /api/v1/company`: tenant settings and licence window.
pub async fn company(State(sl): State<SenseLink>, _req: ApiRequest) -> ApiResult {
    let config = sl.config();
    let now = sl.clock().now_secs();
    let persons = sl.store().persons.len();
    ok(json!({
        "id": COMPANY_ID,
        "name": "サンドボックス株式会社",
        "edition": config.edition.as_str(),
        "validFrom": "2024-04-01",
        "validTo": "2099-03-31",
        "today": format_jst_date(now),
        "personCount": persons,
        "personLimit": config.person_limit,
    }))
}
