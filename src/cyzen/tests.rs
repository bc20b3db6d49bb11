//! The client against scripted servers in virtual time: OAuth flows, single-flight refresh,
//! pacing, backoff, pagination, windows, writes, images, errors.

use crate::runtime::Wait;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use serde_json::{json, Value};

use super::client::{Auth, Client, ClientConfig, Page, Route};
use super::oauth::{challenge, OAuth, OAuthConfig, TokenSet};
use super::resources::{ADD, DELETE, UPDATE};
use super::testing::{block_on, cancel_at, max_per_second, run, Reply, Scoped, Sim, Task};
use super::windows;
use crate::doc::Doc;
use crate::error::{Detail, Error, ErrorCode};
use crate::http::{parse_form_urlencoded, Body, Expect, Payload, Request, Response};
use crate::runtime::Runtime;
use crate::secret::Secret;

/// 2024-06-01T00:00:00Z in Unix ms.
const T0: f64 = 1_717_200_000_000.0;
const COMPANY: &str = "0123456789abcdef0123456789abcdef";

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn path_of(req: &Request) -> &str {
    req.url.rsplit('/').next().unwrap_or("")
}

fn bearer(req: &Request) -> String {
    req.header_value("Authorization").unwrap_or("").trim_start_matches("bearer ").to_string()
}

fn form(req: &Request) -> Vec<(String, String)> {
    match &req.body {
        Body::Form(fields) => fields.clone(),
        _ => Vec::new(),
    }
}

/// Pairs as the object a caller would pass.
fn doc(pairs: &[(String, String)]) -> Value {
    Value::Object(pairs.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
}

/// One page, with the filter and cursor given as pairs.
async fn list_page<R: Runtime<Value = Value>>(
    client: &Client,
    rt: &R,
    name: &str,
    filter: &[(String, String)],
    cursor: Option<&[(String, String)]>,
) -> Result<Page<Value>, Error> {
    let cursor = cursor.map(doc);
    client.list_page(rt, name, &doc(filter), cursor.as_ref()).await
}

/// A write with the input given as pairs.
async fn write(
    client: &Client,
    rt: &Sim,
    name: &str,
    op: u8,
    id: Option<&str>,
    input: &[(String, String)],
) -> Result<Value, Error> {
    client.write(rt, name, op, id, &doc(input)).await
}

/// The items a page delivers (its client-side filter applied).
fn items_of(page: &Page<Value>) -> Vec<Value> {
    let all: Vec<Value> =
        page.items.as_ref().map_or_else(Vec::new, |items| (0..items.len()).filter_map(|i| items.at(i)).collect());
    match &page.only {
        Some(only) => only.iter().filter_map(|i| all.get(*i).cloned()).collect(),
        None => all,
    }
}

fn field(fields: &[(String, String)], name: &str) -> Option<String> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// A list endpoint over `items` sorted by `id_key`, 200 a page, cursor `next_<cursor>` = next id.
fn list_answer(req: &Request, key: &str, id_key: &str, cursor: &str, items: &[Value]) -> Reply {
    let from = req.query_value(cursor).unwrap_or("");
    let rest: Vec<&Value> = items.iter().filter(|i| i[id_key].as_str().unwrap() >= from).collect();
    let page: Vec<&Value> = rest.iter().take(200).copied().collect();
    let mut body = json!({ key: page });
    if let Some(next) = rest.get(200) {
        body[cursor] = next[id_key].clone();
    }
    Reply::json(200, &body.to_string())
}

fn spots(n: usize) -> Vec<Value> {
    (0..n).map(|i| json!({"spot_id": format!("s{i:04}"), "spot_name": format!("spot {i}"), "create_at": "2024-01-01T00:00:00"})).collect()
}

fn static_client(rps: usize) -> Client {
    let mut cfg = ClientConfig::new(COMPANY);
    cfg.base_url = "https://api.test/webapi/v0".into();
    cfg.requests_per_second = rps;
    Client::new(cfg, Auth::Static(Secret::new("static-token-1"))).unwrap()
}

fn list_all(client: &Client, sim: &Sim, name: &str, filter: &[(String, String)]) -> Result<Vec<Page<Value>>, Error> {
    block_on(sim, async {
        let mut pages = Vec::new();
        let mut cursor: Option<Vec<(String, String)>> = None;
        loop {
            let page = list_page(client, sim, name, filter, cursor.as_deref()).await?;
            cursor = page.next.clone();
            pages.push(page);
            if cursor.is_none() {
                return Ok(pages);
            }
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Pagination, windows, filters

#[test]
fn paginates_by_echoing_the_cursor_and_normalises_created_at() {
    let data = spots(450);
    let items = data.clone();
    let sim = Sim::new(T0, move |req, _| {
        assert_eq!(req.query_value("company_id"), Some(COMPANY));
        assert_eq!(bearer(req), "static-token-1");
        list_answer(req, "spots", "spot_id", "next_spot_id", &items)
    });
    let client = static_client(5);
    let pages = list_all(&client, &sim, "spots", &[]).unwrap();
    assert_eq!(pages.iter().map(|p| items_of(p).len()).collect::<Vec<_>>(), [200, 200, 50]);
    let ids: Vec<String> =
        pages.iter().flat_map(items_of).map(|i| i["spot_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 450);
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 450);
    // The items are the answer's own objects, untouched.
    assert_eq!(
        items_of(&pages[0])[0],
        json!({"spot_id": "s0000", "spot_name": "spot 0", "create_at": "2024-01-01T00:00:00"})
    );
    let log = sim.log();
    assert_eq!(log[1].request.query_value("next_spot_id"), Some("s0200"));
    assert_eq!(pages[1].cursor, pairs(&[("next_spot_id", "s0200")]));
    assert_eq!(pages[2].next, None);
}

#[test]
fn echoes_both_report_cursor_fields_and_filters_definitions_client_side() {
    let sim = Sim::new(T0, |req, _| {
        assert!(req.query_value("report_definition_id").is_none(), "never sent");
        let body = match (req.query_value("next_report_id"), req.query_value("next_report_updated_at")) {
            (None, None) => {
                json!({"reports": [{"report_id": "r1", "report_definition_id": "d1"}, {"report_id": "r2", "report_definition_id": "d2"}],
                                   "next_report_id": "r3", "next_report_updated_at": "2024-05-30T00:00:00"})
            }
            (Some("r3"), Some("2024-05-30T00:00:00")) => {
                json!({"reports": [{"report_id": "r3", "report_definition_id": "d1"}]})
            }
            other => panic!("bad cursor {other:?}"),
        };
        Reply::json(200, &body.to_string())
    });
    let client = static_client(5);
    let filter = pairs(&[("report_definition_id", "d1"), ("updated_from", "2024-05-29"), ("updated_to", "2024-05-31")]);
    let pages = list_all(&client, &sim, "reports", &filter).unwrap();
    let ids: Vec<String> =
        pages.iter().flat_map(items_of).map(|i| i["report_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, ["r1", "r3"]);
}

#[test]
fn splits_long_ranges_into_server_windows() {
    let sim = Sim::new(T0, |_, _| Reply::json(200, r#"{"histories":[]}"#));
    let client = static_client(100);
    let filter = pairs(&[("from_date", "2024-04-01T00:00:00Z"), ("to_date", "2024-05-15T12:00:00+09:00")]);
    list_all(&client, &sim, "histories", &filter).unwrap();
    let windows: Vec<(i64, i64)> = sim
        .log()
        .iter()
        .map(|l| {
            (
                windows::parse(l.request.query_value("from_date").unwrap()).unwrap(),
                windows::parse(l.request.query_value("to_date").unwrap()).unwrap(),
            )
        })
        .collect();
    assert_eq!(windows.len(), 3);
    assert_eq!(sim.log()[0].request.query_value("from_date"), Some("2024-04-01T00:00:00"));
    assert_eq!(sim.log()[2].request.query_value("to_date"), Some("2024-05-15T03:00:00"), "sent in UTC");
    for (i, (from, to)) in windows.iter().enumerate() {
        assert!(to - from <= 15 * windows::DAY);
        if i > 0 {
            assert_eq!(*from, windows[i - 1].1 + 1, "no gap, no overlap");
        }
    }
}

#[test]
fn schedules_500_on_a_wide_window_is_retried_as_one_day_windows() {
    let bug_day = windows::parse("2024-05-03").unwrap();
    let sim = Sim::new(T0, move |req, _| {
        let from = windows::parse(req.query_value("from_date").unwrap()).unwrap();
        let to = windows::parse(req.query_value("to_date").unwrap()).unwrap();
        if to - from > windows::DAY && from < bug_day + windows::DAY && to >= bug_day {
            return Reply::json(500, r#"{"errors":[{"err_code":50000,"err_msg":"internal server error"}]}"#);
        }
        Reply::json(200, &json!({"schedules": [{"schedule_id": req.query_value("from_date")}]}).to_string())
    });
    let client = static_client(100);
    let filter = pairs(&[("from_date", "2024-05-01"), ("to_date", "2024-05-14T23:59:59")]);
    let pages = list_all(&client, &sim, "schedules", &filter).unwrap();
    let statuses: Vec<bool> = sim.log().iter().map(|l| l.request.query_value("to_date").is_some()).collect();
    assert!(statuses.iter().all(|s| *s));
    // 1 failed 7-day window (no backoff retries), 8 one-day windows, then the rest as one window.
    assert_eq!(sim.log().len(), 1 + 8 + 1);
    assert_eq!(pages.len(), 9);
    let delivered: Vec<i64> =
        pages.iter().map(|p| windows::parse(items_of(p)[0]["schedule_id"].as_str().unwrap()).unwrap()).collect();
    assert!(delivered.windows(2).all(|w| w[0] < w[1]));
    assert!(sim.now() - T0 < 1000.0, "no backoff waits: {}", sim.now() - T0);
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    let sim = Sim::new(T0, |_, _| panic!("nothing may be sent"));
    let client = static_client(5);
    type Case = (&'static str, Vec<(String, String)>, &'static str);
    let cases: Vec<Case> = vec![
        ("spots", pairs(&[("spot_nmae", "x")]), "filter.spot_nmae"),
        ("spots", pairs(&[("updated_from", "2024-05-02"), ("updated_to", "2024-05-01")]), "filter.updated_from"),
        ("reports", pairs(&[("from_date", "2024-05-01")]), "filter.from_date"),
        ("histories", pairs(&[("from_date", "last week")]), "filter.from_date"),
        ("users", pairs(&[("next_user_id", "u1")]), "filter.next_user_id"),
        ("nope", vec![], "resource"),
        ("images", vec![], "resource"),
        ("spotTagLinks", vec![], "resource"),
    ];
    for (name, filter, field) in cases {
        let e = block_on(&sim, list_page(&client, &sim, name, &filter, None)).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidInput, Some(field)), "{name}");
    }
    let e = block_on(&sim, list_page(&client, &sim, "spots", &[], Some(&pairs(&[("bogus", "1")])))).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("cursor.bogus"));
    let e = block_on(&sim, write(&client, &sim, "reports", ADD, None, &pairs(&[("a", "b")]))).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("resource"));
    let e = block_on(&sim, write(&client, &sim, "spots", UPDATE, Some(""), &pairs(&[("a", "b")]))).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("spot_id"));
    let e = block_on(&sim, write(&client, &sim, "spots", ADD, None, &pairs(&[("latitude", "1"), ("lat", "1")])))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("input.latitude"));
    let e = Client::new(ClientConfig::new(" "), Auth::Static(Secret::new("t"))).err().unwrap();
    assert_eq!(e.field.as_deref(), Some("companyId"));
    assert!(sim.log().is_empty());
}

#[test]
fn a_failed_page_carries_its_cursor_and_resuming_repeats_nothing() {
    let data = spots(450);
    let items = data.clone();
    let failures = Rc::new(RefCell::new(1));
    let f = failures.clone();
    let sim = Sim::new(T0, move |req, _| {
        if req.query_value("next_spot_id") == Some("s0400") && *f.borrow() > 0 {
            *f.borrow_mut() -= 1;
            return Reply::json(404, r#"{"errors":[{"err_code":40400,"err_msg":"gone for a moment"}]}"#);
        }
        list_answer(req, "spots", "spot_id", "next_spot_id", &items)
    });
    let client = static_client(5);
    let mut seen = Vec::new();
    let error = block_on(&sim, async {
        let mut cursor: Option<Vec<(String, String)>> = None;
        loop {
            match list_page(&client, &sim, "spots", &[], cursor.as_deref()).await {
                Ok(page) => {
                    seen.extend(items_of(&page));
                    cursor = page.next;
                }
                Err(e) => return e,
            }
        }
    });
    assert_eq!(error.code, ErrorCode::CyzenApi);
    assert_eq!(seen.len(), 400);
    let Some(Detail::Pairs(cursor)) = error.detail("cursor") else { panic!("no cursor") };
    assert_eq!(cursor, &pairs(&[("next_spot_id", "s0400")]));
    let rest = block_on(&sim, list_page(&client, &sim, "spots", &[], Some(cursor))).unwrap();
    seen.extend(items_of(&rest));
    let ids: BTreeSet<String> = seen.iter().map(|i| i["spot_id"].as_str().unwrap().to_string()).collect();
    assert_eq!((seen.len(), ids.len()), (450, 450));
}

#[test]
fn an_answer_repeating_its_cursor_stops_the_walk_with_decode_carrying_the_cursor() {
    // A server that answers every page with the same `next_spot_id` would loop forever.
    let sim = Sim::new(T0, |_, _| Reply::json(200, r#"{"spots":[{"spot_id":"s1"}],"next_spot_id":"s1"}"#).after(0.0));
    let client = static_client(100);
    let first = block_on(&sim, list_page(&client, &sim, "spots", &[], None)).unwrap();
    let next = first.next.clone().unwrap();
    assert_eq!(next, pairs(&[("next_spot_id", "s1")]));
    let e = block_on(&sim, list_page(&client, &sim, "spots", &[], Some(&next))).unwrap_err();
    assert_eq!(e.code, ErrorCode::Decode);
    assert!(e.message.contains("next_spot_id=s1"), "{}", e.message);
    assert_eq!(e.detail("cursor"), Some(&Detail::Pairs(next)), "the cursor to inspect or resume from");
    assert_eq!(sim.log().len(), 2, "stopped after the repeat");
}

#[test]
fn a_failed_window_page_carries_the_window() {
    let sim = Sim::new(T0, |req, _| {
        if req.query_value("updated_from") == Some("2024-05-08T00:00:01") {
            return Reply::json(
                400,
                r#"{"errors":[{"err_code":40000,"err_msg":"invalid parameter field: updated_to"}]}"#,
            );
        }
        Reply::json(200, r#"{"spots":[]}"#)
    });
    let client = static_client(100);
    let filter = pairs(&[("updated_from", "2024-05-01"), ("updated_to", "2024-05-20")]);
    let e = list_all(&client, &sim, "spots", &filter).unwrap_err();
    assert_eq!(e.code, ErrorCode::CyzenValidation);
    assert_eq!(e.message, "invalid parameter field: updated_to");
    assert_eq!(e.status, Some(400));
    let Some(Detail::Pairs(cursor)) = e.detail("cursor") else { panic!() };
    assert_eq!(cursor, &pairs(&[("updated_from", "2024-05-08T00:00:01"), ("updated_to", "2024-05-15T00:00:01")]));
}

#[test]
fn errors_in_a_200_answer_are_errors() {
    let sim = Sim::new(T0, |_, _| Reply::json(200, r#"{"errors":[{"err_code":50000,"err_msg":"internal"}]}"#));
    let e = block_on(&sim, list_page(&static_client(5), &sim, "groups", &[], None)).unwrap_err();
    assert_eq!((e.code, e.status), (ErrorCode::CyzenApi, Some(200)));
    assert_eq!(sim.log().len(), 1, "not retried");
}

#[test]
fn a_static_token_refused_is_final_and_never_shown() {
    let sim = Sim::new(T0, |_, _| {
        Reply::json(401, r#"{"errors":[{"err_code":40100,"err_msg":"invalid access token static-token-1"}]}"#)
    });
    let e = block_on(&sim, list_page(&static_client(5), &sim, "users", &[], None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::CyzenUnauthorized);
    let shown = format!("{e:?} {e}");
    assert!(!shown.contains("static-token-1"), "{shown}");
    assert_eq!(sim.log().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Pacing and retries

#[test]
fn pacing_holds_five_per_sliding_second_across_concurrent_calls() {
    let sim = Sim::new(T0, |_, _| Reply::json(200, r#"{"users":[]}"#).after(1500.0));
    let client = static_client(5);
    let tasks: Vec<Task<'_, Result<Page<Value>, Error>>> =
        (0..30).map(|_| Box::pin(list_page(&client, &sim, "users", &[], None)) as Task<'_, _>).collect();
    let results = run(&sim, tasks);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(sim.log().len(), 30);
    assert!(max_per_second(&sim.log()) <= 5);
    // A request holds its window slot until one window after its answer: with 1.5 s answers,
    // each burst of 5 waits for the previous burst's answers + 1 s.
    let log = sim.log();
    assert_eq!(log[5].at - log[0].at, 1500.0 + 1000.0 + 10.0);
}

#[test]
fn at_most_six_requests_are_in_flight() {
    // A higher rate than 6/s, slow answers: the Workers connection limit is what binds.
    let sim = Sim::new(T0, |_, _| Reply::json(200, r#"{"users":[]}"#).after(1500.0));
    let client = static_client(50);
    let tasks: Vec<Task<'_, Result<Page<Value>, Error>>> =
        (0..30).map(|_| Box::pin(list_page(&client, &sim, "users", &[], None)) as Task<'_, _>).collect();
    assert!(run(&sim, tasks).iter().all(Result::is_ok));
    assert_eq!(sim.log().len(), 30);
    assert_eq!(sim.max_in_flight(), 6);
}

#[test]
fn pacing_is_not_a_token_bucket() {
    let sim = Sim::new(T0, |_, _| Reply::json(200, r#"{"users":[]}"#).after(1.0));
    let client = static_client(5);
    let tasks: Vec<Task<'_, Result<Page<Value>, Error>>> =
        (0..23).map(|_| Box::pin(list_page(&client, &sim, "users", &[], None)) as Task<'_, _>).collect();
    run(&sim, tasks);
    let log = sim.log();
    assert!(max_per_second(&log) <= 5);
    // Send times come in bursts of 5, each one window + margin (10 ms) after the previous burst's
    // answers (1 ms here).
    assert_eq!(log[5].at - log[0].at, 1011.0);
    assert_eq!(log[22].at - log[0].at, 4.0 * 1011.0);
}

fn gaps(log: &[super::testing::Logged]) -> Vec<f64> {
    log.windows(2).map(|w| w[1].at - w[0].at).collect()
}

#[test]
fn rate_limits_back_off_exponentially_with_jitter() {
    let n = Rc::new(RefCell::new(0));
    let c = n.clone();
    let sim = Sim::new(T0, move |_, _| {
        *c.borrow_mut() += 1;
        if *c.borrow() <= 4 {
            Reply::json(503, r#"{"errors":[{"err_code":50300,"err_msg":"rate limit exceeded"}]}"#).after(0.0)
        } else {
            Reply::json(200, r#"{"groups":[{"group_id":"g"}]}"#).after(0.0)
        }
    });
    let page = block_on(&sim, list_page(&static_client(100), &sim, "groups", &[], None)).unwrap();
    assert_eq!(items_of(&page).len(), 1);
    let gaps = gaps(&sim.log());
    assert_eq!(gaps.len(), 4);
    for (gap, base) in gaps.iter().zip([1000.0, 2000.0, 4000.0, 8000.0]) {
        assert!(*gap >= base / 2.0 && *gap < base, "{gap} for base {base}");
    }
}

#[test]
fn retry_after_is_honoured_in_both_forms() {
    let n = Rc::new(RefCell::new(0));
    let c = n.clone();
    let sim = Sim::new(T0, move |_, now| {
        *c.borrow_mut() += 1;
        match *c.borrow() {
            1 => Reply::json(429, "{}").retry_after("3").after(0.0),
            2 => {
                // An HTTP-date 7 s ahead of the (virtual) server clock.
                let at = crate::date::DateTime::from_unix((now / 1000.0) as i64 + 7);
                let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
                let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
                let weekday = days[(at.to_unix().div_euclid(86_400) % 7) as usize];
                let date = format!(
                    "{weekday}, {:02} {} {} {:02}:{:02}:{:02} GMT",
                    at.day,
                    months[at.month as usize - 1],
                    at.year,
                    at.hour,
                    at.minute,
                    at.second
                );
                Reply::json(503, "{}").retry_after(&date).after(0.0)
            }
            _ => Reply::json(200, r#"{"groups":[]}"#).after(0.0),
        }
    });
    block_on(&sim, list_page(&static_client(100), &sim, "groups", &[], None)).unwrap();
    assert_eq!(gaps(&sim.log()), [3000.0, 7000.0]);
    // The host is told why each wait happens (the hooks' onRetry / onRateLimit).
    let retries: Vec<(u64, Wait)> =
        sim.waits().into_iter().filter(|(_, why)| matches!(why, Wait::Retry { .. })).collect();
    assert_eq!(
        retries,
        [(3000, Wait::Retry { status: Some(429), attempt: 1 }), (7000, Wait::Retry { status: Some(503), attempt: 2 })]
    );
}

#[test]
fn exhausted_rate_limit_is_rate_limited_with_retry_after() {
    let sim = Sim::new(T0, |_, _| {
        Reply::json(429, r#"{"errors":[{"err_code":42900,"err_msg":"slow down"}]}"#).retry_after("1")
    });
    let e = block_on(&sim, list_page(&static_client(100), &sim, "groups", &[], None)).unwrap_err();
    assert_eq!((e.code, e.status, e.retry_after_ms), (ErrorCode::RateLimited, Some(429), Some(1000)));
    assert_eq!(sim.log().len(), 6, "first attempt + 5 retries");
}

#[test]
fn write_inputs_are_type_checked_and_every_problem_reported_at_once() {
    let sim = Sim::new(T0, |_, _| panic!("nothing is sent"));
    let client = static_client(100);
    let input = json!({
        "spot_name": {"ja": "本社"},
        "lat": "north",
        "longitude": 200,
        "valid_from": "２０２４-04-01",
        "company_id": "x",
    });
    let e = block_on(&sim, client.write(&sim, "spots", ADD, None, &input)).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    let Some(Detail::Issues(issues)) = e.detail("issues") else { panic!("no issues") };
    let fields: Vec<&str> = issues.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["input.spot_name", "input.lat", "input.longitude", "input.valid_from", "input.company_id"]);
    assert!(issues[1].1.contains("latitude from -90 to 90"), "{:?}", issues[1]);
    let e = block_on(&sim, client.write(&sim, "users", UPDATE, Some("u1"), &json!({"account_status": 2}))).unwrap_err();
    assert_eq!(
        (e.field.as_deref(), e.message.as_str()),
        (Some("input.account_status"), "input.account_status: must be 0 or 1")
    );
    // Good values pass, in their forms: numeric text, booleans as flags, Dates.
    let ok = Sim::new(T0, |req, _| {
        let fields = form(req);
        assert_eq!(field(&fields, "lat").as_deref(), Some("35.681"));
        assert_eq!(field(&fields, "lon").as_deref(), Some("-139.767"));
        assert_eq!(field(&fields, "all_day").as_deref(), Some("1"));
        Reply::json(200, r#"{"schedule_id":"c1"}"#)
    });
    let input = json!({"title": "訪問", "lat": "35.681", "lon": -139.767, "all_day": true, "start_date": "2024-05-01T09:00:00"});
    block_on(&ok, client.write(&ok, "schedules", ADD, None, &input)).unwrap();
}

#[test]
fn company_id_must_be_32_hex_characters() {
    for bad in [
        "abc",
        "5c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5",
        "5c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5g",
        "５c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5b",
    ] {
        let e = Client::new(ClientConfig::new(bad), Auth::Static(Secret::new("t"))).err().unwrap();
        assert_eq!(e.field.as_deref(), Some("companyId"), "{bad}");
    }
    assert!(Client::new(ClientConfig::new(COMPANY), Auth::Static(Secret::new("t"))).is_ok());
}

#[test]
fn writes_are_never_retried_blindly() {
    let sim = Sim::new(T0, |_, _| Reply::json(500, r#"{"errors":[{"err_code":50000,"err_msg":"boom"}]}"#));
    let client = static_client(100);
    let e = block_on(&sim, write(&client, &sim, "groups", ADD, None, &pairs(&[("group_name", "x")]))).unwrap_err();
    assert_eq!((e.code, e.status), (ErrorCode::CyzenApi, Some(500)));
    assert_eq!(sim.log().len(), 1, "POST after a 500: not repeated");
    let network = Sim::new(T0, |_, _| Reply::err(Error::new(ErrorCode::Network, "reset")));
    let e =
        block_on(&network, write(&client, &network, "groups", ADD, None, &pairs(&[("group_name", "x")]))).unwrap_err();
    assert_eq!(e.code, ErrorCode::Network);
    assert_eq!(network.log().len(), 1);
    // …but a rate-limit refusal means it was not acted on: retried.
    let n = Rc::new(RefCell::new(0));
    let c = n.clone();
    let limited = Sim::new(T0, move |_, _| {
        *c.borrow_mut() += 1;
        if *c.borrow() == 1 {
            Reply::json(503, "{}")
        } else {
            Reply::json(200, r#"{"group_id":"g9"}"#)
        }
    });
    let out =
        block_on(&limited, write(&client, &limited, "groups", ADD, None, &pairs(&[("group_name", "x")]))).unwrap();
    assert_eq!(out["group_id"], "g9");
    // Reads retry a 500, and idempotent writes (PUT, DELETE) too.
    for op in [UPDATE, DELETE] {
        let n = Rc::new(RefCell::new(0));
        let c = n.clone();
        let sim = Sim::new(T0, move |_, _| {
            *c.borrow_mut() += 1;
            if *c.borrow() == 1 {
                Reply::json(502, "bad gateway")
            } else {
                Reply::json(200, "{}")
            }
        });
        block_on(&sim, write(&client, &sim, "groups", op, Some("g1"), &pairs(&[("group_name", "y")]))).unwrap();
        assert_eq!(sim.log().len(), 2);
    }
}

#[test]
fn writes_are_form_encoded_with_the_documented_names() {
    let sim = Sim::new(T0, |req, _| {
        let body = match req.method() {
            crate::http::Method::Post => r#"{"spot_id":"new1"}"#,
            crate::http::Method::Put => r#"{"spot_id":"s1"}"#,
            _ => "{}",
        };
        Reply::json(200, body)
    });
    let client = static_client(100);
    let input = json!({"spot_name": "本社", "spot_name_kana": "ホンシャ", "latitude": 35.6, "lon": "139.7", "extend_data": {"a": 1},
        "valid_from": null, "skipped": null});
    let created = block_on(&sim, client.write(&sim, "spots", ADD, None, &input)).unwrap();
    assert_eq!(created["spot_id"], "new1");
    let post = &sim.log()[0].request;
    assert_eq!(post.url, "https://api.test/webapi/v0/spots");
    assert_eq!(
        form(post),
        pairs(&[
            ("company_id", COMPANY),
            ("spot_name", "本社"),
            ("kana_name", "ホンシャ"),
            ("lat", "35.6"),
            ("lon", "139.7"),
            ("extend_data", r#"{"a":1}"#)
        ])
    );
    block_on(&sim, write(&client, &sim, "spots", UPDATE, Some("s1"), &pairs(&[("spot_name", "x"), ("spot_id", "s1")])))
        .unwrap();
    assert_eq!(form(&sim.log()[1].request), pairs(&[("company_id", COMPANY), ("spot_id", "s1"), ("spot_name", "x")]));
    block_on(&sim, write(&client, &sim, "spots", DELETE, Some("s1"), &[])).unwrap();
    let delete = &sim.log()[2].request;
    assert_eq!(delete.query, pairs(&[("company_id", COMPANY), ("spot_id", "s1")]));
    assert!(matches!(delete.body, Body::Empty));
}

#[test]
fn paths_can_be_overridden() {
    let sim = Sim::new(T0, |req, _| {
        assert_eq!(req.url, "https://api.test/webapi/v0/staff_of_spots");
        Reply::json(200, r#"{"rows":[{"x":1}],"total":1}"#)
    });
    let mut cfg = ClientConfig::new(COMPANY);
    cfg.base_url = "https://api.test/webapi/v0/".into();
    cfg.paths.push((
        "spotStaff".into(),
        Route { path: "/staff_of_spots".into(), list_key: "rows".into(), id_key: "spot_staff_id".into() },
    ));
    let client = Client::new(cfg, Auth::Static(Secret::new("t0k3n"))).unwrap();
    let page = block_on(&sim, list_page(&client, &sim, "spotStaff", &[], None)).unwrap();
    assert_eq!(items_of(&page), vec![json!({"x": 1})]);
    let mut bad = ClientConfig::new(COMPANY);
    bad.paths.push(("spotz".into(), Route { path: "x".into(), list_key: "x".into(), id_key: "x".into() }));
    assert!(Client::new(bad, Auth::Static(Secret::new("t"))).is_err());
}

#[test]
fn images_come_back_as_blobs_and_errors_are_read_from_them() {
    let sim = Sim::new(T0, |req, _| {
        assert_eq!(req.expect, Expect::Blob);
        if req.query_value("image_id") == Some("img1") {
            // The host kept the image as a Blob (here: a stand-in value).
            Reply::ok(Response::new(200, Payload::Blob(json!("blob:image/png"))))
        } else {
            Reply::json(404, r#"{"errors":[{"err_code":40400,"err_msg":"no such image"}]}"#)
        }
    });
    let client = static_client(100);
    assert_eq!(block_on(&sim, client.image(&sim, "img1")).unwrap(), json!("blob:image/png"));
    let e = block_on(&sim, client.image(&sim, "nope")).unwrap_err();
    assert_eq!((e.code, e.status, e.message.as_str()), (ErrorCode::CyzenApi, Some(404), "no such image"));
    let e = block_on(&sim, client.image(&sim, " ")).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
}

// ---------------------------------------------------------------------------------------------
// OAuth

/// A token endpoint with rotating refresh tokens, and an API that accepts only current tokens.
#[derive(Default)]
struct FakeAuth {
    issued: u32,
    valid_access: BTreeSet<String>,
    refresh: BTreeMap<String, bool>,
    codes: BTreeMap<String, String>,
    token_calls: Vec<String>,
    refuse_refresh: bool,
    /// Accept a used refresh token again (a server without rotation).
    reuse_ok: bool,
}

impl FakeAuth {
    fn issue(&mut self) -> (String, String) {
        self.issued += 1;
        let pair = (format!("at-{}", self.issued), format!("rt-{}", self.issued));
        self.valid_access.insert(pair.0.clone());
        self.refresh.insert(pair.1.clone(), false);
        pair
    }

    fn token(&mut self, req: &Request) -> Reply {
        assert_eq!(req.header_value("X-App-Token"), Some("app-token"));
        let fields = form(req);
        let grant = field(&fields, "grant_type").unwrap();
        self.token_calls.push(grant.clone());
        if grant == "refresh_token" {
            let rt = field(&fields, "refresh_token").unwrap();
            let usable = self.refresh.get(&rt) == Some(&false) || (self.reuse_ok && self.refresh.contains_key(&rt));
            if self.refuse_refresh || !usable {
                return Reply::json(
                    400,
                    r#"{"error":"invalid_grant","error_description":"refresh token already used"}"#,
                )
                .after(50.0);
            }
            self.refresh.insert(rt, true);
        } else {
            let code = field(&fields, "code").unwrap();
            let Some(expected) = self.codes.remove(&code) else {
                return Reply::json(400, r#"{"error":"invalid_grant"}"#);
            };
            if challenge(&field(&fields, "code_verifier").unwrap()) != expected {
                return Reply::json(400, r#"{"error":"invalid_grant","error_description":"PKCE"}"#);
            }
        }
        let (at, rt) = self.issue();
        Reply::json(
            200,
            &json!({"access_token": at, "token_type": "bearer", "expires_in": 3600, "refresh_token": rt}).to_string(),
        )
        .after(50.0)
    }

    fn expire_all(&mut self) {
        self.valid_access.clear();
    }
}

fn oauth_server(fake: Rc<RefCell<FakeAuth>>) -> Sim {
    Sim::new(T0, move |req, _| {
        let mut fake = fake.borrow_mut();
        if req.url.ends_with("/token") {
            return fake.token(req);
        }
        if !fake.valid_access.contains(&bearer(req)) {
            return Reply::json(401, r#"{"errors":[{"err_code":40100,"err_msg":"access token expired"}]}"#);
        }
        Reply::json(200, &json!({path_of(req): [{"ok": true}]}).to_string()).after(200.0)
    })
}

fn oauth_cfg() -> OAuthConfig {
    OAuthConfig {
        authorize_url: "https://auth.test/oauth/authorize".into(),
        token_url: "https://auth.test/oauth/token".into(),
        client_id: "client".into(),
        client_secret: Some(Secret::new("client-secret")),
        redirect_uri: "http://127.0.0.1:9/cb".into(),
        app_token: Some(("X-App-Token".into(), Secret::new("app-token"))),
        store_prefix: "cyzen".into(),
        ..OAuthConfig::default()
    }
}

/// Plays the authorization server's consent step: records the challenge, redirects with a code.
fn consent(fake: &Rc<RefCell<FakeAuth>>, url: &str) -> String {
    let (_, query) = crate::http::split_url(url);
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap();
    assert_eq!(get("code_challenge_method"), "S256");
    assert_eq!(get("response_type"), "code");
    let code = format!("code-{}", fake.borrow().codes.len());
    fake.borrow_mut().codes.insert(code.clone(), get("code_challenge"));
    format!("{}?code={code}&state={}", get("redirect_uri"), get("state"))
}

fn signed_in(fake: &Rc<RefCell<FakeAuth>>, sim: &Sim) -> Rc<OAuth> {
    let oauth = Rc::new(OAuth::new(oauth_cfg()).unwrap());
    let start = block_on(sim, oauth.authorization_url(sim)).unwrap();
    let callback = consent(fake, &start.url);
    block_on(sim, oauth.handle_callback(sim, &callback, None)).unwrap();
    oauth
}

fn oauth_client(oauth: &Rc<OAuth>, rps: usize) -> Client {
    let mut cfg = ClientConfig::new(COMPANY);
    cfg.base_url = "https://api.test/webapi/v0".into();
    cfg.requests_per_second = rps;
    Client::new(cfg, Auth::OAuth(oauth.clone())).unwrap()
}

#[test]
fn stored_tokens_need_no_sign_in_settings_and_sign_in_says_which_is_missing() {
    // A scheduled job: the tokens another instance stored, no authorizeUrl or redirectUri.
    let fake = Rc::new(RefCell::new(FakeAuth::default()));
    let sim = oauth_server(fake.clone());
    signed_in(&fake, &sim);
    let job =
        OAuth::new(OAuthConfig { authorize_url: String::new(), redirect_uri: String::new(), ..oauth_cfg() }).unwrap();
    let refreshed = block_on(&sim, job.refresh(&sim)).unwrap();
    assert_eq!(refreshed.access_token.expose(), "at-2");
    assert_eq!(fake.borrow().token_calls, ["authorization_code", "refresh_token"]);
    // Signing in with it fails before anything is stored or sent, naming the missing setting.
    let sent = sim.log().len();
    let e = block_on(&sim, job.authorization_url(&sim)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidInput, Some("authorizeUrl")));
    let half = OAuth::new(OAuthConfig { redirect_uri: String::new(), ..oauth_cfg() }).unwrap();
    let e = block_on(&sim, half.authorization_url(&sim)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidInput, Some("redirectUri")));
    let e = block_on(&sim, job.handle_callback(&sim, "http://127.0.0.1:9/cb?code=c&state=s", None)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidInput, Some("redirectUri")));
    assert_eq!((sim.log().len(), sim.stored_keys()), (sent, 1), "nothing sent, nothing stored but the tokens");
    // Given, they are still checked.
    let e = OAuth::new(OAuthConfig { redirect_uri: "/cb".into(), ..oauth_cfg() }).err().unwrap();
    assert_eq!(e.field.as_deref(), Some("redirectUri"));
}

#[test]
fn code_flow_with_pkce_and_state() {
    let fake = Rc::new(RefCell::new(FakeAuth::default()));
    let sim = oauth_server(fake.clone());
    let oauth = OAuth::new(oauth_cfg()).unwrap();
    let start = block_on(&sim, oauth.authorization_url(&sim)).unwrap();
    assert_eq!(start.state.len(), 43);
    assert!(start.cookie.is_none());
    let callback = consent(&fake, &start.url);
    let tokens = block_on(&sim, oauth.handle_callback(&sim, &callback, None)).unwrap();
    assert_eq!(tokens.access_token.expose(), "at-1");
    assert_eq!(tokens.expires_at_ms, Some(T0 + 50.0 + 3_600_000.0), "answer time + expires_in");
    let request = &sim.sent_to("/token")[0].request;
    assert_eq!(request.header_value("Authorization").map(|a| a.starts_with("Basic ")), Some(true));
    let fields = form(request);
    assert_eq!(field(&fields, "redirect_uri").as_deref(), Some("http://127.0.0.1:9/cb"));
    // Stored for the next instance (and the pending verifier is gone).
    assert_eq!(block_on(&sim, oauth.tokens(&sim)).unwrap().unwrap(), tokens);
    assert!(sim.stored("cyzen:tokens").unwrap().contains("at-1"));
    assert_eq!(sim.stored_keys(), 1, "the pending verifier is gone");
    // The same callback again: its state was used.
    let e = block_on(&sim, oauth.handle_callback(&sim, &callback, None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthState);
    assert_eq!(sim.sent_to("/token").len(), 1);
}

#[test]
fn callback_errors() {
    let fake = Rc::new(RefCell::new(FakeAuth::default()));
    let sim = oauth_server(fake.clone());
    let oauth = OAuth::new(oauth_cfg()).unwrap();
    let start = block_on(&sim, oauth.authorization_url(&sim)).unwrap();
    // A state this client never issued (CSRF), and none at all.
    for url in ["http://127.0.0.1:9/cb?code=x&state=forged", "http://127.0.0.1:9/cb?code=x"] {
        let e = block_on(&sim, oauth.handle_callback(&sim, url, None)).unwrap_err();
        assert_eq!(e.code, ErrorCode::OAuthState, "{url}");
    }
    let denied =
        format!("http://127.0.0.1:9/cb?error=access_denied&error_description=the+user+said+no&state={}", start.state);
    let e = block_on(&sim, oauth.handle_callback(&sim, &denied, None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthAccessDenied);
    assert_eq!(e.detail("oauthErrorDescription"), Some(&Detail::Str("the user said no".into())));
    // A verifier that does not match the challenge: the server refuses the code.
    let start = block_on(&sim, oauth.authorization_url(&sim)).unwrap();
    let callback = consent(&fake, &start.url);
    fake.borrow_mut().codes.values_mut().for_each(|c| *c = challenge("another verifier"));
    let e = block_on(&sim, oauth.handle_callback(&sim, &callback, None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthInvalidGrant);
    // An expired pending authorization.
    let start = block_on(&sim, oauth.authorization_url(&sim)).unwrap();
    block_on(&sim, sim.sleep_for(601_000));
    let e = block_on(&sim, oauth.handle_callback(&sim, &consent(&fake, &start.url), None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthState);
    assert!(sim.sent_to("/api").is_empty());
}

impl Sim {
    async fn sleep_for(&self, ms: u64) {
        crate::runtime::Runtime::sleep(self, ms, crate::runtime::Wait::Pacing).await.unwrap();
    }
}

#[test]
fn cookie_mode_needs_no_store() {
    let fake = Rc::new(RefCell::new(FakeAuth::default()));
    let sim = oauth_server(fake.clone());
    let mut cfg = oauth_cfg();
    cfg.cookie_secret = Some(Secret::new("a cookie secret of at least 32 bytes!"));
    let oauth = OAuth::new(cfg.clone()).unwrap();
    let start = block_on(&sim, oauth.authorization_url(&sim)).unwrap();
    assert_eq!(sim.stored_keys(), 0, "nothing stored for the pending authorization");
    let cookie = start.cookie.clone().unwrap();
    // Another instance (another isolate) handles the callback with the cookie.
    let other = OAuth::new(cfg).unwrap();
    let callback = consent(&fake, &start.url);
    let e = block_on(&sim, other.handle_callback(&sim, &callback, None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthState, "no cookie");
    let tokens = block_on(&sim, other.handle_callback(&sim, &callback, Some(&cookie))).unwrap();
    assert_eq!(tokens.access_token.expose(), "at-1");
    let e = OAuth::new(OAuthConfig { cookie_secret: Some(Secret::new("short")), ..oauth_cfg() }).err().unwrap();
    assert_eq!(e.field.as_deref(), Some("cookieSecret"));
}

#[test]
fn fifty_concurrent_calls_with_an_expired_token_cause_exactly_one_refresh() {
    let fake = Rc::new(RefCell::new(FakeAuth::default()));
    let sim = oauth_server(fake.clone());
    let oauth = signed_in(&fake, &sim);
    let client = oauth_client(&oauth, 1000);
    fake.borrow_mut().expire_all();
    let tasks: Vec<Task<'_, Result<Page<Value>, Error>>> =
        (0..50).map(|_| Box::pin(list_page(&client, &sim, "users", &[], None)) as Task<'_, _>).collect();
    let results = run(&sim, tasks);
    assert!(results.iter().all(|r| r.as_ref().map(|p| items_of(p).len()).ok() == Some(1)), "{results:?}");
    assert_eq!(fake.borrow().token_calls, ["authorization_code", "refresh_token"]);
    assert!(sim.max_in_flight() <= 6);
    // Only the calls already in flight when the token was refused were refused: the others waited
    // for the refresh instead of sending a doomed request.
    let refused = sim.sent_to("/users").iter().filter(|l| bearer(&l.request) == "at-1").count();
    assert!(refused <= 6, "{refused} requests with the expired token");
    assert_eq!(sim.sent_to("/users").len(), 50 + refused);
    // The new token is stored, rotated refresh token included.
    let stored = TokenSet::from_doc(&crate::doc::testing::parse(&sim.stored("cyzen:tokens").unwrap())).unwrap();
    assert_eq!(stored.refresh_token.unwrap().expose(), "rt-2");
}

#[test]
fn waiters_use_their_own_timers_not_the_leaders_future() {
    let fake = Rc::new(RefCell::new(FakeAuth::default()));
    let sim = oauth_server(fake.clone());
    let oauth = signed_in(&fake, &sim);
    let client = oauth_client(&oauth, 1000);
    fake.borrow_mut().expire_all();
    // Three "Workers requests", each with its own runtime.
    let scoped: Vec<Scoped> = (0..3).map(|_| Scoped::new(&sim)).collect();
    let tasks: Vec<Task<'_, Result<Page<Value>, Error>>> =
        scoped.iter().map(|rt| Box::pin(list_page(&client, rt, "users", &[], None)) as Task<'_, _>).collect();
    let results = run(&sim, tasks);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(fake.borrow().token_calls.len(), 2);
    // Two of them waited on their own timers while the third refreshed.
    let waited: Vec<usize> = scoped.iter().map(|s| s.sleeps.get()).collect();
    assert_eq!(waited.iter().filter(|n| **n > 0).count(), 2, "{waited:?}");
}

#[test]
fn a_dropped_leader_hands_the_refresh_over() {
    let fake = Rc::new(RefCell::new(FakeAuth::default()));
    let sim = oauth_server(fake.clone());
    let oauth = signed_in(&fake, &sim);
    let client = oauth_client(&oauth, 1000);
    {
        // The abandoned refresh reached the server; a rotating server would now refuse rt-1 (the
        // hazard of cancelling a refresh — see docs/cyzen.md). This one does not rotate.
        let mut f = fake.borrow_mut();
        f.expire_all();
        f.reuse_ok = true;
    }
    let start = sim.now();
    // The leader's call is cancelled while its refresh is in flight (its 401 arrives at +10 ms,
    // the token answer would arrive at +60 ms).
    let leader: Task<'_, Result<Page<Value>, Error>> = Box::pin(async {
        cancel_at(&sim, start + 30.0, list_page(&client, &sim, "users", &[], None))
            .await
            .unwrap_or(Err(Error::new(ErrorCode::Aborted, "cancelled")))
    });
    let follower: Task<'_, Result<Page<Value>, Error>> = Box::pin(async {
        sim.sleep_for(5).await;
        list_page(&client, &sim, "users", &[], None).await
    });
    let results = run(&sim, vec![leader, follower]);
    assert_eq!(results[0].as_ref().unwrap_err().code, ErrorCode::Aborted);
    assert!(results[1].is_ok(), "{:?}", results[1]);
    assert!(sim.now() - start < 1000.0, "the follower did not wait for the lease to go stale");
    assert_eq!(fake.borrow().token_calls.iter().filter(|g| *g == "refresh_token").count(), 2);
}

#[test]
fn a_refused_refresh_is_typed_and_keeps_the_tokens() {
    let fake = Rc::new(RefCell::new(FakeAuth::default()));
    let sim = oauth_server(fake.clone());
    let oauth = signed_in(&fake, &sim);
    let client = oauth_client(&oauth, 1000);
    let before = block_on(&sim, oauth.tokens(&sim)).unwrap().unwrap();
    {
        let mut f = fake.borrow_mut();
        f.expire_all();
        f.refuse_refresh = true;
    }
    let tasks: Vec<Task<'_, Result<Page<Value>, Error>>> =
        (0..20).map(|_| Box::pin(list_page(&client, &sim, "users", &[], None)) as Task<'_, _>).collect();
    let results = run(&sim, tasks);
    for r in &results {
        let e = r.as_ref().unwrap_err();
        assert_eq!(e.code, ErrorCode::OAuthInvalidGrant);
        assert_eq!(e.detail("oauthError"), Some(&Detail::Str("invalid_grant".into())));
    }
    assert_eq!(
        fake.borrow().token_calls.iter().filter(|g| *g == "refresh_token").count(),
        1,
        "a known refusal is not repeated"
    );
    assert_eq!(block_on(&sim, oauth.tokens(&sim)).unwrap().unwrap(), before, "nothing cleared");
    // An explicit refresh() tries again.
    fake.borrow_mut().refuse_refresh = false;
    let fresh = block_on(&sim, oauth.refresh(&sim)).unwrap();
    assert_eq!(fresh.access_token.expose(), "at-2");
    assert!(block_on(&sim, list_page(&client, &sim, "users", &[], None)).is_ok());
}

#[test]
fn refresh_rotation_uses_the_newest_refresh_token() {
    let fake = Rc::new(RefCell::new(FakeAuth::default()));
    let sim = oauth_server(fake.clone());
    let oauth = signed_in(&fake, &sim);
    for expected in ["at-2", "at-3", "at-4"] {
        let t = block_on(&sim, oauth.refresh(&sim)).unwrap();
        assert_eq!(t.access_token.expose(), expected);
    }
    let used: Vec<String> =
        sim.sent_to("/token").iter().skip(1).map(|l| field(&form(&l.request), "refresh_token").unwrap()).collect();
    assert_eq!(used, ["rt-1", "rt-2", "rt-3"]);
}

#[test]
fn an_expired_token_is_refreshed_before_use() {
    let fake = Rc::new(RefCell::new(FakeAuth::default()));
    let sim = oauth_server(fake.clone());
    let oauth = signed_in(&fake, &sim);
    let client = oauth_client(&oauth, 1000);
    block_on(&sim, sim.sleep_for(3_600_000));
    block_on(&sim, list_page(&client, &sim, "users", &[], None)).unwrap();
    assert_eq!(fake.borrow().token_calls.len(), 2);
    assert_eq!(sim.sent_to("/users").len(), 1, "no 401 round trip");
}

#[test]
fn a_token_another_instance_stored_is_adopted_instead_of_refreshing() {
    let fake = Rc::new(RefCell::new(FakeAuth::default()));
    let sim = oauth_server(fake.clone());
    let first = Rc::new(OAuth::new(oauth_cfg()).unwrap());
    let start = block_on(&sim, first.authorization_url(&sim)).unwrap();
    block_on(&sim, first.handle_callback(&sim, &consent(&fake, &start.url), None)).unwrap();
    // A second instance over the same store (another isolate) loads the tokens, then the first
    // refreshes (rotating them); the second's next 401 adopts the stored ones.
    let second = Rc::new(OAuth::new(oauth_cfg()).unwrap());
    let client = Client::new(
        ClientConfig { base_url: "https://api.test/webapi/v0".into(), ..ClientConfig::new(COMPANY) },
        Auth::OAuth(second.clone()),
    )
    .unwrap();
    block_on(&sim, list_page(&client, &sim, "users", &[], None)).unwrap();
    block_on(&sim, first.refresh(&sim)).unwrap();
    fake.borrow_mut().valid_access.remove("at-1");
    block_on(&sim, list_page(&client, &sim, "users", &[], None)).unwrap();
    assert_eq!(fake.borrow().token_calls, ["authorization_code", "refresh_token"]);
    assert!(sim.stored("cyzen:tokens").unwrap().contains("at-2"));
}

#[test]
fn the_loser_of_a_rotation_race_adopts_the_winners_tokens() {
    let fake = Rc::new(RefCell::new(FakeAuth::default()));
    let sim = oauth_server(fake.clone());
    let winner = signed_in(&fake, &sim);
    // Another isolate over the same store, holding the same tokens.
    let loser = Rc::new(OAuth::new(oauth_cfg()).unwrap());
    assert_eq!(block_on(&sim, loser.tokens(&sim)).unwrap().unwrap().access_token.expose(), "at-1");
    let (a, b) = (oauth_client(&winner, 1000), oauth_client(&loser, 1000));
    fake.borrow_mut().expire_all();
    // Both are refused and both refresh with rt-1: the server rotates once and refuses the second.
    let tasks: Vec<Task<'_, Result<Page<Value>, Error>>> =
        vec![Box::pin(list_page(&a, &sim, "users", &[], None)), Box::pin(list_page(&b, &sim, "users", &[], None))];
    let results = run(&sim, tasks);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(fake.borrow().token_calls, ["authorization_code", "refresh_token", "refresh_token"]);
    let held = block_on(&sim, loser.tokens(&sim)).unwrap().unwrap();
    assert_eq!(
        (held.access_token.expose(), held.refresh_token.as_ref().map(Secret::expose)),
        ("at-2", Some("rt-2")),
        "the winner's tokens"
    );
    assert!(sim.stored("cyzen:tokens").unwrap().contains("rt-2"), "the store keeps the winner's tokens");
}

#[test]
fn with_a_coordinator_one_refresh_reaches_the_token_endpoint_and_every_instance_adopts_it() {
    let fake = Rc::new(RefCell::new(FakeAuth::default()));
    let sim = oauth_server(fake.clone());
    sim.coordinate();
    let first = signed_in(&fake, &sim);
    // Three more instances (isolates) over the same store, holding the same tokens.
    let others: Vec<Rc<OAuth>> = (0..3).map(|_| Rc::new(OAuth::new(oauth_cfg()).unwrap())).collect();
    for other in &others {
        block_on(&sim, other.tokens(&sim)).unwrap();
    }
    let clients: Vec<Client> = std::iter::once(&first).chain(&others).map(|o| oauth_client(o, 1000)).collect();
    fake.borrow_mut().expire_all();
    let tasks: Vec<Task<'_, Result<Page<Value>, Error>>> =
        clients.iter().map(|c| -> Task<'_, _> { Box::pin(list_page(c, &sim, "users", &[], None)) }).collect();
    let results = run(&sim, tasks);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(fake.borrow().token_calls, ["authorization_code", "refresh_token"], "one refresh for all four");
    for other in &others {
        assert_eq!(block_on(&sim, other.tokens(&sim)).unwrap().unwrap().access_token.expose(), "at-2");
    }
}

#[test]
fn after_a_refusal_tokens_stored_elsewhere_are_adopted_instead_of_failing_at_once() {
    let fake = Rc::new(RefCell::new(FakeAuth::default()));
    let sim = oauth_server(fake.clone());
    let stuck = signed_in(&fake, &sim);
    let client = oauth_client(&stuck, 1000);
    {
        let mut f = fake.borrow_mut();
        f.expire_all();
        f.refuse_refresh = true;
    }
    let e = block_on(&sim, list_page(&client, &sim, "users", &[], None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthInvalidGrant);
    // A known refusal with nothing new in the store: fails at once, no second refresh.
    let e = block_on(&sim, list_page(&client, &sim, "users", &[], None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthInvalidGrant);
    assert_eq!(fake.borrow().token_calls.iter().filter(|g| *g == "refresh_token").count(), 1);
    // The user signs in again elsewhere (another isolate): the stuck instance adopts those tokens.
    fake.borrow_mut().refuse_refresh = false;
    let _elsewhere = signed_in(&fake, &sim);
    let page = block_on(&sim, list_page(&client, &sim, "users", &[], None)).unwrap();
    assert_eq!(items_of(&page).len(), 1);
    assert_eq!(fake.borrow().token_calls.iter().filter(|g| *g == "refresh_token").count(), 1, "adopted, not refreshed");
    assert_eq!(block_on(&sim, stuck.tokens(&sim)).unwrap().unwrap().access_token.expose(), "at-2");
}

#[test]
fn no_token_yet() {
    let sim = Sim::new(T0, |_, _| panic!("nothing is sent"));
    let oauth = Rc::new(OAuth::new(oauth_cfg()).unwrap());
    let client = oauth_client(&oauth, 5);
    let e = block_on(&sim, list_page(&client, &sim, "users", &[], None)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OAuthNoToken);
    block_on(&sim, oauth.replace(&sim, Some(TokenSet::bearer("given")))).unwrap();
    let parsed = parse_form_urlencoded("x=1");
    assert_eq!(parsed.len(), 1);
}
