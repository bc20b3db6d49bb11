//! One function per fuzz target. Each takes the fuzzer's bytes, calls every public reader of its
//! group with them and checks a few documented properties (a failed check panics, like a crash).
//! Nothing here may panic on its own account: a panic is a finding about the library.

use std::borrow::Cow;
use std::fmt::Debug;
use std::sync::OnceLock;

use arbitrary::Unstructured;
use cyzen_senselink::cyzen::client::Route;
use cyzen_senselink::cyzen::resources::{Resource, RESOURCES};
use cyzen_senselink::cyzen::{cookie, errors, oauth, paging, proxy as cyzen_proxy, windows};
use cyzen_senselink::date::{self, DateTime};
use cyzen_senselink::doc::{self, Doc};
use cyzen_senselink::error::Error;
use cyzen_senselink::http::{self, FileRef, Method, Payload, Request, Response};
use cyzen_senselink::secret::{self, Secret};
use cyzen_senselink::senselink::envelope::{self, CallContext};
use cyzen_senselink::senselink::operations::{Operation, OPERATIONS};
use cyzen_senselink::senselink::photo::{Photo, PhotoInput, MAX_PHOTO_BYTES};
use cyzen_senselink::senselink::plan::{self, Plan};
use cyzen_senselink::senselink::rules::{self, Kind as RuleKind, Need};
use cyzen_senselink::senselink::{self as senselink, events, proxy as sl_proxy, Edition};

use crate::gen::{self, small, Dict};
use crate::show;
use crate::val::{to_json, Val};

// ---------------------------------------------------------------------------------------------
// Shared pieces.

/// The SenseLink app secret and a signature, masked in everything kept on an error.
const APP_SECRET: &str = "sandbox-app-secret";
const SIGN: &str = "e5ef72ef839bdf5397b4906b199b9fbf";
const SECRETS: &[&str] = &[APP_SECRET, SIGN, "tok-secret-123"];
/// A cyzen tenant id.
const COMPANY: &str = "0123456789abcdef0123456789abcdef";
/// Local clocks (Unix ms): the epoch and 2025-03-31T15:00:00Z.
const NOWS_MS: [f64; 2] = [0.0, 1_743_433_200_000.0];
/// A JPEG's first bytes.
const JPEG: &[u8] = &[0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F'];
const HEADS: &[&[u8]] = &[
    JPEG,
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    b"GIF89a",
    b"RIFF\0\0\0\0WEBPVP8 ",
    b"\0\0\0\x18ftypheic",
    b"BM",
    b"%PDF-1.7",
    b"",
    b"\xff\xd8",
];

/// What a target was given, printed with `FUZZ_SHOW=1`.
fn shown<T: Debug>(target: &str, what: &T) {
    if show() {
        eprintln!("{target} input: {what:#?}");
    }
}

/// Uses everything an error carries, as the JavaScript layer does when it builds its error.
fn touch(error: &Error) {
    let _ = format!("{error} {error:?} {}", error.code.as_str());
}

fn touch_result<T: Debug>(result: Result<T, Error>) -> Option<T> {
    match result {
        Ok(value) => {
            let _ = format!("{value:?}");
            Some(value)
        }
        Err(error) => {
            touch(&error);
            None
        }
    }
}

fn lossy(data: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// The two ways the value targets read their bytes.
enum Input<'a> {
    /// JSON text: the value, and the text itself.
    Json(Val, &'a str),
    /// Anything else: drives the structured generator.
    Raw(Unstructured<'a>),
}

fn input(data: &[u8]) -> Input<'_> {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(value) = Val::parse(text) {
            return Input::Json(value, text);
        }
    }
    Input::Raw(Unstructured::new(data))
}

fn texts(u: &mut Unstructured<'_>, dict: &Dict, max: u32) -> Vec<String> {
    (0..small(u, max)).map(|_| gen::text(u, dict)).collect()
}

fn as_strs(items: &[String]) -> Vec<&str> {
    items.iter().map(String::as_str).collect()
}

fn response(status: u16, body: Payload<Val>) -> Response<Val> {
    Response::new(status, body)
}

fn leak(names: Vec<&'static str>) -> &'static [&'static str] {
    Box::leak(names.into_boxed_slice())
}

// ---------------------------------------------------------------------------------------------
// Text targets.

fn check_date_text(text: &str) {
    if let Some(value) = date::parse_date(text) {
        assert_eq!(value.date_string(), text, "parse_date accepted a text it does not print back");
    }
    if let Some(value) = date::parse_datetime(text) {
        assert_eq!(date::parse_datetime(&value.to_cyzen()), Some(value), "to_cyzen does not parse back");
        assert_eq!(date::parse_datetime(&value.to_senselink()), Some(value), "to_senselink does not parse back");
    }
    if let Some(seconds) = date::parse_http_date(text) {
        assert_eq!(DateTime::from_unix(seconds).to_unix(), seconds, "HTTP-date seconds do not round-trip");
    }
    if let Some(seconds) = windows::parse(text) {
        let _ = windows::format(seconds);
    }
    for now in NOWS_MS {
        let _ = http::parse_retry_after(text, now);
    }
}

/// `dates`: `date::{parse_date, parse_datetime, parse_http_date}`, `cyzen::windows::parse`,
/// `http::parse_retry_after`. Input: the text. Each text is also tried with a multi-byte character
/// put at byte offsets 10 and 19 (where the parsers cut).
pub fn dates(data: &[u8]) {
    let text = lossy(data);
    shown("dates", &text);
    check_date_text(&text);
    let other = gen::MULTIBYTE[data.len() % gen::MULTIBYTE.len()];
    for at in [10, 19] {
        for ch in ["０", other] {
            check_date_text(&gen::put_at(&text, at, ch, true));
            check_date_text(&gen::put_at(&text, at, ch, false));
        }
    }
}

/// `http_text`: `http::{split_url, url_path, url_host, parse_form_urlencoded, parse_retry_after,
/// encode_path_segment, join_url}`, `Request` rendering, `cyzen::oauth::{parse_callback,
/// base64url_decode}` and `cyzen::cookie::verify`. Input: the text (a URL, a form body, a header
/// value); its first line is also a cookie and its second line the callback's `state`.
pub fn http_text(data: &[u8]) {
    let text = lossy(data);
    shown("http_text", &text);
    let (first, second) = text.split_once('\n').unwrap_or((&text, ""));
    let (base, query) = http::split_url(&text);
    let _ = (http::url_path(&text), http::url_host(&text), http::url_path(&base), http::url_host(&base));
    let _ = http::form_urlencode(&query);
    let pairs = http::parse_form_urlencoded(&text);
    assert_eq!(http::parse_form_urlencoded(&http::form_urlencode(&pairs)), pairs, "form fields do not round-trip");
    let _ = (http::encode_path_segment(&text), http::form_encode_component(&text), http::join_url(first, second));
    for now in NOWS_MS {
        let _ = http::parse_retry_after(&text, now);
        let _ = http::parse_retry_after(first, now);
    }
    let _ = format!("{:?}", oauth::parse_callback(&text));
    let _ = oauth::base64url_decode(&text);
    let _ = oauth::base64url_decode(first);

    let secret = b"0123456789abcdef0123456789abcdef/cookie-secret";
    for now in [0, 1_743_433_200, i64::MAX, i64::MIN] {
        touch_result(cookie::verify(secret, first, second, now));
        touch_result(cookie::verify(secret, &text, first, now));
    }
    // A cookie the library signed verifies (a state without `.` and leading white space).
    let state = first;
    if !state.contains('.') && state.trim_start() == state {
        let expires = 1_743_433_200 + data.len() as i64;
        if let Some(signed) = touch_result(cookie::sign(secret, state, expires)) {
            let verified = cookie::verify(secret, &signed, state, expires - 1).ok();
            assert_eq!(verified, cookie::derived_verifier(secret, state, expires).ok(), "a signed cookie does not verify");
        }
    }

    let request = Request::new(Method::Get, text.to_string()).query(first, second).query("sign", first).header(first, second);
    let _ = (request.full_url(), request.redacted_url(), format!("{request:?}"));
}

/// `secrets`: `secret::{redact_text, mask_secrets, is_sensitive_name}` and `doc::json_string`.
/// Input: a first line of tab-separated secrets, then the text (no newline: the text alone).
pub fn secrets(data: &[u8]) {
    let text = lossy(data);
    let (line, body) = match text.split_once('\n') {
        Some((line, body)) => (line, body),
        None => ("", &*text),
    };
    let secrets: Vec<&str> = if line.is_empty() { Vec::new() } else { line.split('\t').collect() };
    shown("secrets", &(&secrets, body));
    let _ = secret::mask_secrets(body, &secrets);
    let _ = secret::redact_text(body, &secrets);
    let _ = secret::redact_text(&text, &[]);
    let _ = secret::is_sensitive_name(body);
    for s in &secrets {
        let _ = secret::is_sensitive_name(s);
    }
    let quoted = doc::json_string(body);
    assert_eq!(serde_json::from_str::<String>(&quoted).ok().as_deref(), Some(body), "json_string is not a JSON string of the text");
    assert_eq!(format!("{:?}", Secret::new(body)), "Secret([redacted])");
}

fn sl_default() -> &'static sl_proxy::ProxyConfig {
    static CONFIG: OnceLock<sl_proxy::ProxyConfig> = OnceLock::new();
    CONFIG.get_or_init(|| sl_proxy::ProxyConfig {
        base_url: "http://127.0.0.1:8787".into(),
        app_key: "key".into(),
        app_secret: Secret::new("2323dsfadfewrasa3434"),
        clock_offset_ms: 0.0,
        allow: sl_proxy::expand_allow(&["@default".to_string()]).unwrap_or_default(),
    })
}

fn cyzen_default() -> &'static cyzen_proxy::ProxyConfig {
    static CONFIG: OnceLock<Option<cyzen_proxy::ProxyConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| cyzen_proxy::ProxyConfig::new(Some("http://127.0.0.1:8787/webapi/v0/".into()), COMPANY.into(), Vec::new(), &["@default".into()]).ok())
        .as_ref()
        .expect("the default cyzen proxy config builds")
}

fn check_sl_decision(decision: sl_proxy::Decision) {
    if let sl_proxy::Decision::Forward { url, path, .. } = &decision {
        assert!(path.starts_with("/api/"), "forwarded a path that is not /api/...: {path:?}");
        let (_, query) = http::split_url(url);
        for name in sl_proxy::SIGNING_PARAMS {
            let count = query.iter().filter(|(k, _)| k == name).count();
            assert_eq!(count, 1, "the forwarded URL has {count} `{name}` parameters: {url}");
        }
    }
    let _ = format!("{decision:?}");
}

fn check_cyzen_decision(decision: cyzen_proxy::Decision) {
    if let cyzen_proxy::Decision::Forward { url, body, .. } = &decision {
        let (_, query) = http::split_url(url);
        let in_query = query.iter().filter(|(k, _)| k == "company_id").count();
        match body {
            Some(body) => {
                let fields = http::parse_form_urlencoded(body);
                let in_body = fields.iter().filter(|(k, _)| k == "company_id").count();
                assert_eq!((in_query, in_body), (0, 1), "company_id in the forwarded query / body: {url} {body}");
            }
            None => assert_eq!(in_query, 1, "company_id in the forwarded query: {url}"),
        }
    }
    let _ = format!("{decision:?}");
}

/// `proxies`: `senselink::proxy::{decide, expand_allow, pattern_matches}` and
/// `cyzen::proxy::{decide, ProxyConfig::new, pattern_matches}`. Input: lines `method`, `url`,
/// `content type`, then the body (the rest). The third line is also tried as an allow-list pattern,
/// a resource path override and a base URL.
pub fn proxies(data: &[u8]) {
    let text = lossy(data);
    let mut lines = text.splitn(4, '\n');
    let method = lines.next().unwrap_or("");
    let url = lines.next().unwrap_or("");
    let content_type = lines.next();
    let body = lines.next();
    shown("proxies", &(method, url, content_type, body));

    for now in NOWS_MS {
        check_sl_decision(sl_proxy::decide(sl_default(), method, url, now));
    }
    let pattern = content_type.unwrap_or("");
    let _ = sl_proxy::pattern_matches(pattern, method, url);
    if let Some(allow) = touch_result(sl_proxy::expand_allow(&[pattern.to_string(), "@default".to_string()])) {
        let config = sl_proxy::ProxyConfig { allow, ..sl_default().clone() };
        check_sl_decision(sl_proxy::decide(&config, method, url, 8.64e15));
    }

    check_cyzen_decision(cyzen_proxy::decide(cyzen_default(), method, url, content_type, body));
    let _ = cyzen_proxy::pattern_matches(pattern, method, url);
    let resource = RESOURCES.get(data.len() % RESOURCES.len().max(1));
    let overrides: Vec<(String, Route)> = resource
        .map(|res| (res.name.to_string(), Route { path: pattern.to_string(), list_key: "items".into(), id_key: "id".into() }))
        .into_iter()
        .collect();
    if let Some(config) = touch_result(cyzen_proxy::ProxyConfig::new(None, COMPANY.into(), overrides, &["@default".into(), pattern.to_string()])) {
        check_cyzen_decision(cyzen_proxy::decide(&config, method, url, content_type, body));
    }
    touch_result(cyzen_proxy::ProxyConfig::new(Some(pattern.to_string()), method.to_string(), Vec::new(), &[url.to_string()]));
}

// ---------------------------------------------------------------------------------------------
// Value targets: SenseLink.

const EVENT_DICT: Dict = Dict {
    keys: &["eventType", "messageId", "sendTime", "data", "device_id", "alert_type", "alert_message", "alert_time", "id", "user_id", "name"],
    words: &["30000", "30100", "30200", "9f1c", "77", "1743433200000", "", "offline", "{\"device_id\":\"500\"}", "[1]", "\u{feff}{}"],
};

/// `senselink_events`: `senselink::events::parse_event`. JSON input: the push body, also given as
/// its text (with and without a byte order mark).
pub fn senselink_events(data: &[u8]) {
    let bodies = match input(data) {
        Input::Json(value, text) => vec![value, Val::str(text), Val::str(&format!("\u{feff}{text}"))],
        Input::Raw(mut u) => {
            let u = &mut u;
            let body = match small(u, 4) {
                0 => Val::str(&gen::text(u, &EVENT_DICT)),
                1 => gen::value(u, &EVENT_DICT, 0),
                2 => {
                    // `data` as a JSON string, as some deployments send it.
                    let inner = gen::object_with(u, &["device_id", "alert_type", "alert_message", "alert_time", "id", "user_id"], &EVENT_DICT);
                    let mut members = vec![("data".to_string(), Val::str(&to_json(&inner).unwrap_or_default()))];
                    for name in ["eventType", "messageId", "sendTime"] {
                        members.push((name.to_string(), gen::value(u, &EVENT_DICT, 1)));
                    }
                    Val::object(members)
                }
                _ => gen::object_with(u, &["eventType", "messageId", "sendTime", "data"], &EVENT_DICT),
            };
            let text = to_json(&body).map(|t| Val::str(&t));
            [Some(body), text].into_iter().flatten().collect()
        }
    };
    shown("senselink_events", &bodies);
    for body in &bodies {
        touch_result(events::parse_event(body));
    }
}

const ENVELOPE_KEYS: &[&str] = &[
    "code", "message", "desc", "data", "similar_user_id", "similar_user_name", "similar_user_avatar", "can_force", "list", "page_num",
    "page", "pageNum", "page_size", "size", "pageSize", "total", "total_count", "totalCount", "id", "access_token", "sign", "secret_echo",
];

const ENVELOPE_DICT: Dict = Dict {
    keys: ENVELOPE_KEYS,
    words: &[
        "200", "30002", "610", "600", "50001", "30003", "709", "30001", "498", "40001", "40002", "40003", "OK", "Similar User Exist",
        "timestamp is invalid", "Timestamp Expired", "Invalid Sign", "sign error", "Invalid App Key", "app key", "appkey", "app_key",
        "RPC FAILED", "Param Invalid", "顔が検知されていません", "無効なパラメーターです。", APP_SECRET, SIGN, "名前=\"佐藤\" sign=abc",
        "5cbe7dec35060d0001750f15", "Sun, 06 Nov 1994 08:49:37 GMT",
    ],
};

const STATUSES: &[u16] = &[200, 0, 204, 400, 401, 403, 404, 429, 500, 502, 503];

fn jpeg(size: u64) -> PhotoInput {
    PhotoInput::File(Photo { data: FileRef::new((), size), filename: None, head: JPEG.to_vec() })
}

/// A minimal valid input for an operation on an edition (as the library's own planning test).
fn minimal_input(op: &Operation, edition: Edition) -> Val {
    let members = op
        .fields
        .iter()
        .filter(|f| matches!(f.need_on(edition), Need::Required | Need::NonEmpty))
        .map(|field| {
            let value = match field.kind {
                RuleKind::Ids => Val::array(Vec::new()),
                RuleKind::Id | RuleKind::OneOf(_) => Val::Num(1.0),
                RuleKind::Date => Val::str("2025-04-01"),
                RuleKind::DateTime => Val::str("2025-04-01 10:00:00"),
                _ => Val::str("a"),
            };
            (field.name.to_string(), value)
        })
        .collect();
    Val::object(members)
}

thread_local! {
    /// A plan of every operation on both editions, and paged ones with extreme page numbers.
    static PLANS: Vec<Plan> = {
        let mut plans = Vec::new();
        for op in OPERATIONS {
            for edition in [Edition::Cloud, Edition::Enterprise] {
                let photo = || op.photo.part().map(|_| jpeg(10));
                if let Ok(p) = plan::plan(op, &minimal_input(op, edition), photo(), edition) {
                    plans.push(p);
                }
                if op.paged {
                    for (page, size) in [(1.0, 1.0), (1_000_000_000.0, 100.0)] {
                        let mut members = match minimal_input(op, edition) {
                            Val::Obj(m) => m.to_vec(),
                            _ => Vec::new(),
                        };
                        members.push(("page".into(), Val::Num(page)));
                        members.push(("size".into(), Val::Num(size)));
                        if let Ok(p) = plan::plan(op, &Val::object(members), photo(), edition) {
                            plans.push(p);
                        }
                    }
                }
            }
        }
        assert!(plans.len() >= OPERATIONS.len() * 2, "the minimal inputs no longer plan");
        plans
    };
}

fn clients() -> &'static [senselink::Client; 2] {
    static CLIENTS: OnceLock<Option<[senselink::Client; 2]>> = OnceLock::new();
    CLIENTS
        .get_or_init(|| {
            let direct = senselink::Config {
                base_url: "https://link.example".into(),
                app_key: "key".into(),
                app_secret: Secret::new(APP_SECRET),
                ..senselink::Config::default()
            };
            let proxied = senselink::Config { base_url: "/senselink".into(), proxy: true, ..senselink::Config::default() };
            Some([senselink::Client::new(direct).ok()?, senselink::Client::new(proxied).ok()?])
        })
        .as_ref()
        .expect("the SenseLink clients build")
}

fn read_and_shape(response: &Response<Val>, context: &CallContext, secrets: &[&str], plan: Option<&Plan>) {
    let _ = response.excerpt(secrets);
    if let Some(data) = touch_result(envelope::read_envelope(response, context, secrets)) {
        match plan {
            Some(plan) => {
                touch_result(envelope::output(plan, data));
            }
            None => PLANS.with(|plans| {
                for plan in plans {
                    touch_result(envelope::output(plan, data.clone()));
                }
            }),
        }
    }
}

/// `senselink_envelope`: `senselink::envelope::{read_envelope, output, api_error}` and
/// `senselink::Client::finish` (with the `Date` header on timestamp errors). JSON input: the body,
/// read as JSON and as text under several statuses, with and without a photo and the proxy, then
/// shaped by every operation's output.
pub fn senselink_envelope(data: &[u8]) {
    match input(data) {
        Input::Json(value, text) => {
            shown("senselink_envelope", &value);
            for body in [Payload::Json(value.clone()), Payload::Text(Val::str(text))] {
                for &status in STATUSES {
                    for (photo, proxy) in [(false, false), (true, false), (false, true), (true, true)] {
                        let context = CallContext { operation: "employees.create", photo, proxy };
                        let shape_all = status == 200 && !photo && !proxy;
                        let first = PLANS.with(|plans| plans.first().cloned());
                        read_and_shape(&response(status, body.clone()), &context, SECRETS, if shape_all { None } else { first.as_ref() });
                    }
                }
            }
            let code = value.get("code").and_then(|c| doc::integer(&c));
            if let Some(code) = code {
                touch(&envelope::api_error(code, &value, &CallContext::default(), SECRETS));
            }
            PLANS.with(|plans| {
                let picked = [plans.get(data.len() % plans.len().max(1)), plans.iter().find(|p| p.page.is_some())];
                for plan in picked.into_iter().flatten() {
                    for client in clients() {
                        for date in [None, Some("Sun, 06 Nov 1994 08:49:37 GMT"), Some(text)] {
                            let mut answer = response(200, Payload::Json(value.clone()));
                            answer.date = date.map(str::to_string);
                            for now in NOWS_MS {
                                touch_result(client.finish(plan, &answer, Some(SIGN), now));
                            }
                        }
                    }
                }
            });
        }
        Input::Raw(mut u) => {
            let u = &mut u;
            let status = match small(u, 3) {
                0 => u.arbitrary::<u16>().unwrap_or(0),
                1 => 200,
                _ => u.choose(STATUSES).copied().unwrap_or(200),
            };
            let (photo, proxy) = (u.arbitrary().unwrap_or(false), u.arbitrary().unwrap_or(false));
            let body = match small(u, 6) {
                0 => Payload::Empty,
                1 => Payload::Text(Val::str(&gen::text(u, &ENVELOPE_DICT))),
                2 => Payload::Json(gen::value(u, &ENVELOPE_DICT, 0)),
                3 => Payload::Blob(Val::Func),
                _ => {
                    let mut members = Vec::new();
                    if u.arbitrary().unwrap_or(true) {
                        let code = match small(u, 2) {
                            0 => gen::value(u, &ENVELOPE_DICT, 1),
                            1 => Val::str(gen::text(u, &ENVELOPE_DICT).as_str()),
                            _ => Val::Num(gen::number(u)),
                        };
                        members.push(("code".to_string(), code));
                    }
                    for name in ["message", "desc"] {
                        if u.arbitrary().unwrap_or(false) {
                            members.push((name.to_string(), gen::value(u, &ENVELOPE_DICT, 1)));
                        }
                    }
                    let data = match small(u, 3) {
                        0 => gen::object_with(u, &["similar_user_id", "similar_user_name", "similar_user_avatar", "can_force"], &ENVELOPE_DICT),
                        1 => gen::object_with(u, &["list", "page_num", "page", "pageNum", "page_size", "size", "pageSize", "total", "total_count", "totalCount"], &ENVELOPE_DICT),
                        _ => gen::value(u, &ENVELOPE_DICT, 1),
                    };
                    members.push(("data".to_string(), data));
                    Payload::Json(Val::object(members))
                }
            };
            let secrets = texts(u, &ENVELOPE_DICT, 2);
            let secrets = as_strs(&secrets);
            let date = u.arbitrary::<bool>().unwrap_or(false).then(|| gen::text(u, &ENVELOPE_DICT));
            let now = if u.arbitrary().unwrap_or(true) { NOWS_MS[1] } else { gen::number(u) };
            let plan_index = u.arbitrary::<u16>().unwrap_or(0) as usize;
            let client_index = small(u, 1) as usize;
            shown("senselink_envelope", &(status, photo, proxy, &body, &secrets, &date, now, plan_index, client_index));
            let mut answer = response(status, body);
            answer.date = date;
            PLANS.with(|plans| {
                let plan = plans.get(plan_index % plans.len().max(1));
                read_and_shape(&answer, &CallContext { operation: "op", photo, proxy }, &secrets, plan);
                if let (Some(plan), Some(client)) = (plan, clients().get(client_index)) {
                    touch_result(client.finish(plan, &answer, secrets.first().copied(), now));
                }
            });
        }
    }
}

fn plan_keys() -> &'static [&'static str] {
    static KEYS: OnceLock<&'static [&'static str]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut names: Vec<&'static str> = vec!["avatar"];
        for op in OPERATIONS {
            for field in op.fields {
                if !names.contains(&field.name) {
                    names.push(field.name);
                }
            }
        }
        leak(names)
    })
}

const PLAN_WORDS: &[&str] = &[
    "a", "", "1", "2", "3", "5", "0", "-1", "60001", "12a", "1,2", "asc", "desc", "up", "2025-04-01", "2019-13-01", "2023-02-29",
    "2025-04-01 10:00:00", "2025-04-01 09:00:00", "2025-04-01T10:00:00", "２０２５-04-01 10:00:00", "2025-04-01 10:00:0０", "+81", "0312345678",
    "山田 花子", "face.jpg", "E1", "ex@example.com", "999999999999999999", "1000000000", "1000000001", "100", "101",
];

fn check_plan(plan: &Plan) {
    assert!(plan.path.starts_with("/api/v") && !plan.path.contains('{'), "planned path {:?}", plan.path);
    for client in clients() {
        let request = client.request(plan, NOWS_MS[1]);
        let _ = (request.full_url(), request.redacted_url(), format!("{request:?}"));
    }
}

/// `senselink_plan`: `senselink::plan::plan` (the input validation of every operation) and
/// `senselink::Client::request`. JSON input: the input object, planned for every row of
/// `OPERATIONS` on both editions, without a photo, with a JPEG and with something not a file.
pub fn senselink_plan(data: &[u8]) {
    match input(data) {
        Input::Json(value, _) => {
            shown("senselink_plan", &value);
            for op in OPERATIONS {
                for edition in [Edition::Cloud, Edition::Enterprise] {
                    for photo in [None, Some(jpeg(10)), Some(PhotoInput::NotAFile)] {
                        if let Some(plan) = touch_result(plan::plan(op, &value, photo, edition)) {
                            check_plan(&plan);
                        }
                    }
                }
            }
        }
        Input::Raw(mut u) => {
            let u = &mut u;
            let Ok(op) = u.choose(OPERATIONS) else { return };
            let edition = if u.arbitrary().unwrap_or(false) { Edition::Enterprise } else { Edition::Cloud };
            let dict = Dict { keys: plan_keys(), words: PLAN_WORDS };
            let value = if small(u, 7) == 0 {
                gen::value(u, &dict, 0)
            } else {
                let mut names: Vec<&str> = op.fields.iter().map(|f| f.name).collect();
                names.push("avatar");
                gen::object_with(u, &names, &dict)
            };
            let photo = match small(u, 3) {
                0 => None,
                1 => Some(PhotoInput::NotAFile),
                _ => {
                    let size = match small(u, 4) {
                        0 => u.arbitrary::<u64>().unwrap_or(0),
                        1 => MAX_PHOTO_BYTES,
                        2 => MAX_PHOTO_BYTES + 1,
                        3 => 0,
                        _ => 10,
                    };
                    let head = match small(u, 1) {
                        0 => u.choose(HEADS).map(|h| h.to_vec()).unwrap_or_default(),
                        _ => {
                            let n = small(u, 16) as usize;
                            u.bytes(n).map(<[u8]>::to_vec).unwrap_or_default()
                        }
                    };
                    let filename = u.arbitrary::<bool>().unwrap_or(false).then(|| gen::text(u, &dict));
                    Some(PhotoInput::File(Photo { data: FileRef::new((), size), filename, head }))
                }
            };
            shown("senselink_plan", &(op.name, edition, &value, &photo));
            if let Some(plan) = touch_result(plan::plan(op, &value, photo, edition)) {
                check_plan(&plan);
            }
            // The rule readers on their own.
            let _ = rules::shown(&value);
            let mut issues = cyzen_senselink::error::Issues::default();
            let _ = rules::read_fields(&value, op.fields, &["avatar"], edition, op.name, &mut issues);
            let _ = issues.into_error().map(|e| touch(&e));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Value targets: cyzen.

fn answer_keys() -> &'static [&'static str] {
    static KEYS: OnceLock<&'static [&'static str]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut names: Vec<&'static str> = vec![
            "errors", "err_code", "err_msg", "access_token", "refresh_token", "token_type", "expires_in", "expires_at", "scope", "error",
            "error_description", "report_definition_id", "count",
        ];
        for res in RESOURCES {
            for name in [res.list_key, res.id_key].into_iter().chain(res.cursor.iter().copied()) {
                if !name.is_empty() && !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        leak(names)
    })
}

const ANSWER_WORDS: &[&str] = &[
    "bearer", "Bearer", "BEARER", "mac", "invalid_grant", "invalid_client", "unauthorized_client", "access_denied", "server_error", "40000",
    "40100", "50000", " 40000 ", "invalid parameter field: spot_code is required", "invalid parameter field:", "invalid parameter field: ",
    "tok-secret-123", "3600", " 3600 ", "4294967296", "-1", "d1", "r9", "s200", "2024-01-01T00:00:00", "internal", "rt-1", "at-1",
];

fn previous_token() -> oauth::TokenSet {
    oauth::TokenSet {
        access_token: Secret::new("at-old"),
        refresh_token: Some(Secret::new("rt-old")),
        token_type: "bearer".into(),
        expires_at_ms: Some(1_743_433_200_000.0),
        scope: Some("read write".into()),
    }
}

fn check_token_store(token: &oauth::TokenSet) {
    // What goes into the caller's token store must read back as a token set.
    let stored = token.to_json();
    let back = Val::parse(&stored).and_then(|v| oauth::TokenSet::from_doc(&v));
    match back {
        Some(back) => assert_eq!(back.access_token, token.access_token, "the stored access token reads back differently"),
        None => panic!("a stored token set does not read back: {stored}"),
    }
}

fn read_answer(response: &Response<Val>, now: f64, secrets: &[&str]) {
    touch_result(errors::decode(response, secrets));
    let previous = previous_token();
    for prev in [None, Some(&previous)] {
        if let Some(token) = touch_result(oauth::decode_token_response(response, now, prev, secrets)) {
            check_token_store(&token);
        }
    }
    if let Some(body) = response.json() {
        if let Some(token) = oauth::TokenSet::from_doc(body) {
            check_token_store(&token);
            let _ = token.is_expired(now);
        }
        let _ = paging::next_fields(body);
        if let Some(list) = errors::api_errors(body, secrets) {
            touch(&errors::from_api_errors(&list, response, secrets));
        }
        let _ = errors::rendered(body, secrets);
        let client_side = [("report_definition_id".to_string(), "d1".to_string())];
        let mut seen: Vec<&str> = Vec::new();
        for res in RESOURCES {
            if seen.contains(&res.list_key) {
                continue;
            }
            seen.push(res.list_key);
            if let Some(items) = paging::items(body, res.list_key) {
                for index in 0..items.len().min(8) {
                    if let Some(item) = items.at(index) {
                        let _ = paging::keep(&item, &client_side);
                    }
                }
            }
        }
    }
}

/// `cyzen_answers`: `cyzen::errors::{decode, api_errors, from_api_errors, rendered}`,
/// `cyzen::oauth::{decode_token_response, TokenSet::from_doc}` and
/// `cyzen::paging::{next_fields, items, keep}`. JSON input: the body, read as JSON and as text under
/// several statuses.
pub fn cyzen_answers(data: &[u8]) {
    let dict = Dict { keys: answer_keys(), words: ANSWER_WORDS };
    match input(data) {
        Input::Json(value, text) => {
            shown("cyzen_answers", &value);
            for body in [Payload::Json(value.clone()), Payload::Text(Val::str(text))] {
                for status in [200, 0, 400, 401, 429, 500, 503] {
                    read_answer(&response(status, body.clone()), NOWS_MS[1], SECRETS);
                }
            }
        }
        Input::Raw(mut u) => {
            let u = &mut u;
            let status = match small(u, 2) {
                0 => u.arbitrary::<u16>().unwrap_or(0),
                1 => 200,
                _ => u.choose(STATUSES).copied().unwrap_or(200),
            };
            let body = match small(u, 6) {
                0 => Payload::Text(Val::str(&gen::text(u, &dict))),
                1 => Payload::Json(gen::value(u, &dict, 0)),
                2 => {
                    let count = small(u, 4);
                    let list = (0..count).map(|_| gen::object_with(u, &["err_code", "err_msg"], &dict)).collect();
                    Payload::Json(Val::object(vec![("errors".into(), Val::array(list))]))
                }
                3 => Payload::Json(gen::object_with(
                    u,
                    &["access_token", "refresh_token", "token_type", "expires_in", "expires_at", "scope", "error", "error_description"],
                    &dict,
                )),
                _ => {
                    let res = u.choose(RESOURCES).ok();
                    let mut names: Vec<&str> = vec!["errors"];
                    if let Some(res) = res {
                        names.push(res.list_key);
                        names.extend(res.cursor.iter().copied());
                    }
                    Payload::Json(gen::object_with(u, &names, &dict))
                }
            };
            let now = if u.arbitrary().unwrap_or(true) { NOWS_MS[1] } else { gen::number(u) };
            let secrets = texts(u, &dict, 2);
            let secrets = as_strs(&secrets);
            shown("cyzen_answers", &(status, &body, now, &secrets));
            read_answer(&response(status, body), now, &secrets);
        }
    }
}

/// Earliest and latest instants `windows::parse` reads (0000-01-01T00:00:00 … 9999-12-31T23:59:59).
const PARSEABLE: std::ops::RangeInclusive<i64> = -62_167_219_200..=253_402_300_799;

fn check_cursor_round_trip(res: &Resource, cursor: &paging::Cursor) {
    // A cursor handed to JavaScript (`page.next`, `error.cursor`) resumes exactly where it was,
    // when its window is in the years the datetime reader accepts.
    let in_range = |t: i64| PARSEABLE.contains(&t);
    if cursor.window.is_some_and(|(a, b)| !in_range(a) || !in_range(b)) || cursor.split_until.is_some_and(|t| !in_range(t)) {
        return;
    }
    let pairs = cursor.to_pairs(res);
    let distinct = pairs.iter().enumerate().all(|(i, (k, _))| !pairs.iter().skip(i + 1).any(|(other, _)| other == k));
    if !distinct || pairs.iter().any(|(k, v)| k.is_empty() || k.contains('\0') || v.is_empty()) {
        return;
    }
    let object = Val::object(pairs.iter().map(|(k, v)| (k.clone(), Val::str(v))).collect());
    match paging::Cursor::from_doc(res, &object) {
        Ok(back) => assert_eq!(&back, cursor, "a cursor does not read back from its pairs {pairs:?}"),
        Err(error) => panic!("a cursor's pairs {pairs:?} are refused: {error:?}"),
    }
}

/// Walks a list from `start`, the answers' `next_*` fields in turn, with a `/schedules` 500 now and
/// then; at most 64 pages.
fn walk(res: &Resource, query: &paging::ListQuery, start: paging::Cursor, answers: &[Val]) {
    let mut cursor = start;
    for step in 0..64usize {
        let _ = paging::page_params(res, query, &cursor);
        check_cursor_round_trip(res, &cursor);
        if step % 3 == 2 {
            if let Some(next) = paging::after_server_error(res, &cursor) {
                cursor = next;
                continue;
            }
        }
        let next = if answers.is_empty() { Vec::new() } else { answers.get(step % answers.len()).map(paging::next_fields).unwrap_or_default() };
        match paging::after_page(res, query, &cursor, next) {
            Ok(Some(next)) => cursor = next,
            Ok(None) => break,
            Err(error) => {
                touch(&error);
                break;
            }
        }
    }
}

fn run_cursors(res: &Resource, filter: &Val, cursor: Option<&Val>, answers: &[Val], now_s: i64) {
    let Some(query) = touch_result(paging::list_query(res, filter, now_s)) else {
        if let Some(cursor) = cursor {
            touch_result(paging::Cursor::from_doc(res, cursor));
        }
        return;
    };
    walk(res, &query, paging::first_cursor(res, &query), answers);
    if let Some(cursor) = cursor {
        if let Some(start) = touch_result(paging::Cursor::from_doc(res, cursor)) {
            walk(res, &query, start, answers);
        }
    }
}

const CURSOR_WORDS: &[&str] = &[
    "2024-01-01", "2024-01-20T00:00:00Z", "2024-01-08T00:00:01", "2024-03-01T18:30:00+09:00", "2024-01-03T10:00:00", "9999-12-31T23:59:59",
    "0000-01-01T00:00:00", "２０２４-04-01T00:00:00", "2024-04-01T00:00:0０", "soon", "true", "false", "1", "0", "yes", "s200", "r1", "d1", "",
];

fn cursor_keys() -> &'static [&'static str] {
    static KEYS: OnceLock<&'static [&'static str]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut names: Vec<&'static str> = vec![paging::SPLIT_UNTIL, "next_x"];
        for res in RESOURCES {
            let window = res.window.map(|w| [w.from, w.to]);
            let all = [res.id_key, res.list_key]
                .into_iter()
                .chain(window.into_iter().flatten())
                .chain(res.filters.iter().map(|(n, _)| *n))
                .chain(res.ignored.iter().map(|(n, _)| *n))
                .chain(res.cursor.iter().copied());
            for name in all {
                if !name.is_empty() && !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        leak(names)
    })
}

/// `cyzen_cursors`: `cyzen::paging::{list_query, Cursor::from_doc, first_cursor, page_params,
/// after_page, after_server_error, Cursor::to_pairs}` over every resource of `RESOURCES`, and
/// `cyzen::windows::parse` through them. JSON input: an object `{"filter", "cursor", "answers"}`
/// (a filter, a cursor given back, the answers of the pages walked), or any value used as both the
/// filter and the cursor.
pub fn cyzen_cursors(data: &[u8]) {
    let dict = Dict { keys: cursor_keys(), words: CURSOR_WORDS };
    match input(data) {
        Input::Json(value, _) => {
            shown("cyzen_cursors", &value);
            let wrapped = value.get("filter").is_some() || value.get("cursor").is_some() || value.get("answers").is_some();
            let (filter, cursor, answers) = if wrapped {
                let answers = value.get("answers");
                let answers = answers.map(|a| (0..a.len()).filter_map(|i| a.at(i)).collect()).unwrap_or_default();
                (value.get("filter").unwrap_or(Val::Undefined), value.get("cursor"), answers)
            } else {
                (value.clone(), Some(value.clone()), vec![value.clone()])
            };
            for res in RESOURCES {
                for now in [0, 1_743_433_200] {
                    run_cursors(res, &filter, cursor.as_ref(), &answers, now);
                }
            }
        }
        Input::Raw(mut u) => {
            let u = &mut u;
            let Ok(res) = u.choose(RESOURCES) else { return };
            let window: Vec<&str> = res.window.map(|w| vec![w.from, w.to]).unwrap_or_default();
            let mut filter_names = window.clone();
            filter_names.push(res.id_key);
            filter_names.extend(res.filters.iter().map(|(n, _)| *n));
            filter_names.extend(res.ignored.iter().map(|(n, _)| *n));
            let filter = if small(u, 5) == 0 { gen::value(u, &dict, 0) } else { gen::object_with(u, &filter_names, &dict) };
            let cursor = u.arbitrary::<bool>().unwrap_or(false).then(|| {
                let mut names = window.clone();
                names.push(paging::SPLIT_UNTIL);
                names.extend(res.cursor.iter().copied());
                gen::object_with(u, &names, &dict)
            });
            let answers: Vec<Val> = (0..small(u, 3))
                .map(|_| {
                    let mut names = vec![res.list_key];
                    names.extend(res.cursor.iter().copied());
                    gen::object_with(u, &names, &dict)
                })
                .collect();
            let now = match small(u, 2) {
                0 => u.int_in_range(-8_640_000_000_000i64..=8_640_000_000_000).unwrap_or(0),
                _ => 1_743_433_200,
            };
            shown("cyzen_cursors", &(res.name, &filter, &cursor, &answers, now));
            run_cursors(res, &filter, cursor.as_ref(), &answers, now);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Value target: the generic readers.

const DOC_DICT: Dict = Dict {
    keys: &[
        "access_token", "refresh_token", "refresh\u{5f}token", "refreshToken", "X-Refresh-Token", "password", "client_secret", "sign", "code",
        "state", "Authorization", "note", "n", "items", "name", "token_type", "expires_in", "spot_code", "",
    ],
    words: &["s3cr3t-value", "at-1", "rt-1", "echo s3cr3t-value", "\"access_token\":\"x\"", "refresh_token=rt", "名=値", "bearer"],
};

fn check_excerpt(value: &Val, secrets: &[&str], max: usize) {
    let text = doc::excerpt(value, secrets, max);
    let chars = text.chars().count();
    assert!(chars <= max.saturating_add(1), "an excerpt of at most {max} characters has {chars}");
}

/// `doc_values`: `doc::{excerpt, integer, scalar_text, parse_integer}`, `http::Response::excerpt`,
/// `senselink::rules::{shown, char_count}`. JSON input: the value (and its text, as a text body).
pub fn doc_values(data: &[u8]) {
    let (value, text, secrets, max) = match input(data) {
        Input::Json(value, text) => (value, text.to_string(), vec![], None),
        Input::Raw(mut u) => {
            let u = &mut u;
            let value = gen::value(u, &DOC_DICT, 0);
            let text = gen::text(u, &DOC_DICT);
            let secrets = texts(u, &DOC_DICT, 3);
            let max = Some(small(u, 5000) as usize);
            (value, text, secrets, max)
        }
    };
    let mut secrets = as_strs(&secrets);
    secrets.extend(["s3cr3t-value", "at-1"]);
    shown("doc_values", &(&value, &text, &secrets, max));
    for max in [0, 1, 40, doc::EXCERPT_CHARS, 4000].into_iter().chain(max) {
        check_excerpt(&value, &secrets, max);
    }
    let _ = (doc::integer(&value), doc::scalar_text(&value), rules::shown(&value), doc::parse_integer(&text));
    for key in value.keys().iter().take(32) {
        if let Some(member) = value.get(key) {
            let _ = (doc::integer(&member), doc::scalar_text(&member), rules::shown(&member));
        }
    }
    for index in 0..value.len().min(32) {
        if let Some(item) = value.at(index) {
            let _ = (doc::integer(&item), doc::scalar_text(&item), rules::shown(&item));
        }
    }
    assert_eq!(rules::char_count(&text), text.chars().count(), "char_count is not the number of characters");
    for body in [Payload::Text(Val::str(&text)), Payload::Json(value.clone()), Payload::Text(value)] {
        if let Some(excerpt) = response(502, body).excerpt(&secrets) {
            // Bounded, whatever the body's size. (Not by EXCERPT_CHARS itself: a text body is cut
            // before masking, and `[redacted]` is longer than what it replaces.)
            let chars = excerpt.chars().count();
            assert!(chars <= 4 * doc::EXCERPT_CHARS + 1, "a body excerpt has {chars} characters");
        }
    }
}

/// A fuzz target: a function of the fuzzer's bytes.
pub type Target = fn(&[u8]);

/// Every target, by name (for the replay test).
pub const TARGETS: &[(&str, Target)] = &[
    ("dates", dates),
    ("http_text", http_text),
    ("secrets", secrets),
    ("proxies", proxies),
    ("senselink_events", senselink_events),
    ("senselink_envelope", senselink_envelope),
    ("senselink_plan", senselink_plan),
    ("cyzen_answers", cyzen_answers),
    ("cyzen_cursors", cyzen_cursors),
    ("doc_values", doc_values),
];
