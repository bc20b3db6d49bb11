//! The `{code, message, desc, data}` envelope, its mapping to typed errors, and the output the
//! caller gets from `data`.
//!
//! `code == 200` is success, whatever the HTTP status; anything else is an error even under HTTP 200.
//! Known codes map to stable error codes (similar person, face rejected, person limit, invalid
//! parameter, signature, timestamp); any other code becomes `SENSELINK_API`. Every SenseLink error
//! keeps `apiCode`, `apiMessage`, `desc` and `data` as details. Texts coming from the server are
//! masked with the app secret and the request's signature, so neither can appear in a message; the
//! envelope is read from the engine's parsed object, field by field, and `data` is handed back as
//! the engine's own value.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::doc::{bounded_text, excerpt, integer, scalar_text, Doc, Kind, MESSAGE_CHARS};
use crate::error::{Detail, Error, ErrorCode};
use crate::http::Response;

use super::operations::Output as Shaping;
use super::plan::Plan;

/// What the call was, for wording and for codes whose meaning depends on it.
#[derive(Clone, Copy, Debug, Default)]
pub struct CallContext<'a> {
    /// The operation (`employees.create`), used in messages.
    pub operation: &'a str,
    /// Whether the request carried a face photo: 600 / 50001 / 30003 then mean "face rejected".
    pub photo: bool,
    /// Whether requests go through the caller's signing proxy (changes the hints).
    pub proxy: bool,
}

/// The result of a successful call, before the TypeScript side shapes it.
#[derive(Clone, Debug, PartialEq)]
pub enum Output<V> {
    /// Nothing (`undefined`).
    Nothing,
    /// The answer's `data`, as the engine parsed it (an object, a list, any JSON).
    Data(V),
    /// A page of a list.
    Page {
        /// The items, as the engine parsed them.
        items: V,
        /// This page's number.
        page: i64,
        /// The page size.
        size: i64,
        /// The next page's number, `None` after the last page.
        next: Option<i64>,
        /// Total matching items, when the server says (records v3).
        total: Option<i64>,
    },
    /// A count (faces in a photo).
    Count(i64),
}

/// Longest rendering of an error's `data` kept as a detail, in characters.
const DATA_CHARS: usize = 4000;

/// Reads the envelope of a response: `Ok(data)` (`None` when absent or `null`) for `code == 200`, a
/// typed error otherwise. `secrets` are masked in every text kept on the error.
pub fn read_envelope<V: Doc>(
    response: &Response<V>,
    context: &CallContext,
    secrets: &[&str],
) -> Result<Option<V>, Error> {
    let status = response.status;
    if status == 0 {
        return Err(Error::new(
            ErrorCode::HttpStatus,
            format!("{}: the server answered with a redirect, which is not followed; check baseUrl (http vs https, trailing path)", context.operation),
        ));
    }
    let envelope = response.json().filter(|doc| doc.kind() == Kind::Object);
    let code = envelope.and_then(|doc| doc.get("code")).and_then(|code| integer(&code));
    let (Some(envelope), Some(code)) = (envelope, code) else {
        let (code, what) = if response.is_success() {
            (ErrorCode::Decode, "an answer that is not a SenseLink JSON envelope".to_string())
        } else if status == 404 {
            (
                ErrorCode::HttpStatus,
                "HTTP 404: this deployment has no such endpoint (check baseUrl and the edition option)".to_string(),
            )
        } else if context.proxy && (status == 401 || status == 403) {
            (
                ErrorCode::HttpStatus,
                format!("HTTP {status} from the proxy (not authorised, or the path is not in its allow-list)"),
            )
        } else {
            (ErrorCode::HttpStatus, format!("HTTP {status}"))
        };
        return Err(Error::new(code, format!("{}: SenseLink answered {what}", context.operation))
            .with_status(status)
            .with_body(response.excerpt(secrets)));
    };
    if code == 200 {
        return Ok(envelope.given("data"));
    }
    if context.proxy && status >= 400 && code == i64::from(status) {
        // A refusal by the signing proxy itself (createSenseLinkProxy answers in the envelope style).
        let parts: Vec<String> = [field_text(envelope, "message", secrets), field_text(envelope, "desc", secrets)]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect();
        let said = parts.join(": ");
        return Err(Error::new(
            ErrorCode::HttpStatus,
            format!("{}: the proxy refused the call (HTTP {status} {said})", context.operation),
        )
        .with_status(status)
        .with_body(response.excerpt(secrets)));
    }
    Err(api_error(code, envelope, context, secrets).with_status(status))
}

/// Turns a successful answer's `data` into the call's output, checking the shape the operation
/// promises (`DECODE` otherwise). Items are not looked at, only counted.
pub fn output<V: Doc>(plan: &Plan, data: Option<V>) -> Result<Output<V>, Error> {
    let operation = plan.operation.name;
    let shape_error = |what: &str| {
        Error::new(ErrorCode::Decode, format!("{operation}: SenseLink answered code 200 but data is not {what}"))
    };
    let kind = data.as_ref().map_or(Kind::Null, Doc::kind);
    let (page, size) = plan.page.unwrap_or((1, 0));
    Ok(match plan.operation.output {
        Shaping::Nothing => Output::Nothing,
        Shaping::Camel => data.map_or(Output::Nothing, Output::Data),
        Shaping::One(_) | Shaping::Person(_) => match data {
            Some(data) if kind == Kind::Object => Output::Data(data),
            _ => return Err(shape_error("an object")),
        },
        Shaping::List(_) => match data {
            Some(data) if kind == Kind::Array => Output::Data(data),
            _ => return Err(shape_error("a list")),
        },
        Shaping::Count => match data.as_ref().and_then(integer) {
            Some(count) => Output::Count(count),
            None => return Err(shape_error("a number")),
        },
        Shaping::Persons => match data {
            Some(items) if kind == Kind::Array => {
                let full = items.len() as i64 >= size;
                Output::Page { items, page, size, next: full.then_some(page + 1), total: None }
            }
            _ => return Err(shape_error("a list")),
        },
        Shaping::Records => {
            let data = data.filter(|d| d.kind() == Kind::Object);
            let Some(items) = data.as_ref().and_then(|d| d.get("list")).filter(|l| l.kind() == Kind::Array) else {
                return Err(shape_error("an object with a list"));
            };
            let number = |names: &[&str], default: i64| {
                names
                    .iter()
                    .find_map(|n| data.as_ref().and_then(|d| d.get(n)).and_then(|v| integer(&v)))
                    .unwrap_or(default)
            };
            let page = number(&["page_num", "page", "pageNum"], page);
            let size = number(&["page_size", "size", "pageSize"], size);
            let total = ["total", "total_count", "totalCount"]
                .iter()
                .find_map(|n| data.as_ref().and_then(|d| d.get(n)).and_then(|v| integer(&v)));
            let more = match total {
                Some(total) => page.saturating_mul(size) < total,
                None => items.len() as i64 >= size && size > 0,
            };
            Output::Page { items, page, size, next: more.then_some(page + 1), total }
        }
    })
}

fn field_text<V: Doc>(envelope: &V, name: &str, secrets: &[&str]) -> String {
    envelope.get(name).and_then(|v| bounded_text(&v, secrets, MESSAGE_CHARS)).unwrap_or_default()
}

/// Maps a `code != 200` envelope to a typed error.
pub fn api_error<V: Doc>(code: i64, envelope: &V, context: &CallContext, secrets: &[&str]) -> Error {
    let message = field_text(envelope, "message", secrets);
    let desc = field_text(envelope, "desc", secrets);
    let data = envelope.given("data");
    let op = context.operation;
    // What the server said, for messages: `desc` when it says more than `message`.
    let said = match (message.is_empty(), desc.is_empty()) {
        (_, true) => message.clone(),
        (true, false) => desc.clone(),
        (false, false) => format!("{message}: {desc}"),
    };
    let lower = message.to_ascii_lowercase();
    let mut similar: Option<(Option<i64>, String, String, bool)> = None;

    let (error_code, text) = match code {
        30002 | 610 => {
            let get = |name: &str| data.as_ref().and_then(|d| d.get(name));
            let id = get("similar_user_id").and_then(|v| integer(&v));
            let name =
                get("similar_user_name").and_then(|v| bounded_text(&v, secrets, MESSAGE_CHARS)).unwrap_or_default();
            let avatar = get("similar_user_avatar").and_then(|v| scalar_text(&v)).unwrap_or_default();
            // 610 comes without data; the seed says it can be retried with force=1.
            let can_force = match get("can_force") {
                Some(v) if v.kind() == Kind::Bool => v.boolean().unwrap_or(true),
                Some(v) => integer(&v) != Some(0),
                None => true,
            };
            let who = match (id, name.is_empty()) {
                (Some(id), false) => format!(" as {name} (id {id})"),
                (Some(id), true) => format!(" (id {id})"),
                (None, false) => format!(" as {name}"),
                (None, true) => String::new(),
            };
            let what_next = if can_force {
                "; pass force: true to register anyway"
            } else {
                "; the server does not allow forcing this one (use another photo or remove the other person)"
            };
            similar = Some((id, name, avatar, can_force));
            (ErrorCode::SenseLinkSimilarPerson, format!("a similar face is already registered{who}{what_next}"))
        }
        600 | 50001 | 30003 if context.photo => (
            ErrorCode::SenseLinkFaceRejected,
            format!("the face photo was rejected ({code} {said}); use a sharp, frontal photo with exactly one face"),
        ),
        709 => (
            ErrorCode::SenseLinkPersonLimit,
            format!("the tenant's person limit is reached ({code} {said}); delete persons or upgrade the plan"),
        ),
        30001 | 498 => (ErrorCode::SenseLinkInvalidParam, format!("the server refused a parameter ({code} {said})")),
        40002 => (ErrorCode::SenseLinkTimestamp, timestamp_text(code, &said)),
        40001 | 40003 => (ErrorCode::SenseLinkAuth, auth_text(code, &said, context)),
        _ if lower.contains("timestamp") => (ErrorCode::SenseLinkTimestamp, timestamp_text(code, &said)),
        _ if lower.contains("sign")
            || lower.contains("app key")
            || lower.contains("appkey")
            || lower.contains("app_key") =>
        {
            (ErrorCode::SenseLinkAuth, auth_text(code, &said, context))
        }
        _ => (ErrorCode::SenseLinkApi, format!("SenseLink answered {code} {said}")),
    };
    let mut error = Error::new(error_code, format!("{op}: {text}"))
        .with_detail("apiCode", Detail::Num(code as f64))
        .with_detail("apiMessage", Detail::Str(message))
        .with_detail("desc", Detail::Str(desc.clone()));
    if let Some(data) = &data {
        error = error.with_detail("data", Detail::Json(excerpt(data, secrets, DATA_CHARS)));
    }
    if let Some((id, name, avatar, can_force)) = similar {
        if let Some(id) = id {
            error = error.with_detail("similarUserId", Detail::Num(id as f64));
        }
        error = error
            .with_detail("similarUserName", Detail::Str(name))
            .with_detail("similarUserAvatar", Detail::Str(avatar))
            .with_detail("canForce", Detail::Bool(can_force));
    }
    if error_code == ErrorCode::SenseLinkFaceRejected {
        error = error
            .with_detail("reason", Detail::Str(if desc.is_empty() { message_or_code(envelope, code) } else { desc }));
    }
    error
}

fn message_or_code<V: Doc>(envelope: &V, code: i64) -> String {
    envelope.get("message").and_then(|v| scalar_text(&v)).unwrap_or_else(|| code.to_string())
}

fn timestamp_text(code: i64, said: &str) -> String {
    format!(
        "the request timestamp was refused ({code} {said}); the clock differs from the server's by more than 30 minutes: fix the clock or set clockOffsetMs"
    )
}

fn auth_text(code: i64, said: &str, context: &CallContext) -> String {
    if context.proxy {
        format!("the signature was refused ({code} {said}); check the appKey and appSecret the proxy uses")
    } else {
        format!("the signature was refused ({code} {said}); check appKey and appSecret")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::testing::parse;
    use crate::http::Payload;
    use serde_json::{json, Value};

    const SECRET: &str = "sandbox-app-secret";

    fn ctx(photo: bool) -> CallContext<'static> {
        CallContext { operation: "employees.create", photo, proxy: false }
    }

    fn answer(body: Value) -> Response<Value> {
        Response::new(200, Payload::Json(body))
    }

    fn raw(status: u16, body: &str) -> Response<Value> {
        match serde_json::from_str(body) {
            Ok(doc) => Response::new(status, Payload::Json(doc)),
            Err(_) => Response::new(status, Payload::Text(Value::String(body.to_string()))),
        }
    }

    fn fail(body: Value, photo: bool) -> Error {
        read_envelope(&answer(body), &ctx(photo), &[SECRET]).unwrap_err()
    }

    #[test]
    fn code_200_returns_data_or_null() {
        let data =
            read_envelope(&answer(json!({"code": 200, "message": "OK", "data": {"id": 1}})), &ctx(false), &[]).unwrap();
        assert_eq!(data, Some(json!({"id": 1})));
        let data =
            read_envelope(&answer(json!({"code": "200", "message": "OK", "data": null})), &ctx(false), &[]).unwrap();
        assert_eq!(data, None);
    }

    #[test]
    fn similar_person_30002_carries_the_seed_data() {
        // The 2.4.1 example answer, verbatim.
        let e = fail(
            json!({"code": 30002, "message": "Similar User Exist", "data": {"similar_user_id": 65833,
            "similar_user_name": "11111111", "similar_user_avatar": "5cbe7dec35060d0001750f15", "can_force": 0},
            "desc": "ex.similar-user"}),
            true,
        );
        assert_eq!(e.code, ErrorCode::SenseLinkSimilarPerson);
        assert_eq!(e.detail("similarUserId"), Some(&Detail::Num(65833.0)));
        assert_eq!(e.detail("similarUserName"), Some(&Detail::Str("11111111".into())));
        assert_eq!(e.detail("similarUserAvatar"), Some(&Detail::Str("5cbe7dec35060d0001750f15".into())));
        assert_eq!(e.detail("canForce"), Some(&Detail::Bool(false)));
        assert_eq!(e.detail("apiCode"), Some(&Detail::Num(30002.0)));
        assert_eq!(e.detail("desc"), Some(&Detail::Str("ex.similar-user".into())));
        assert!(matches!(e.detail("data"), Some(Detail::Json(j)) if j.contains("65833")));
        assert!(e.message.contains("as 11111111 (id 65833)"), "{}", e.message);
        assert!(e.message.contains("does not allow forcing"), "{}", e.message);
        assert_eq!(e.status, Some(200));
    }

    #[test]
    fn similar_person_610_without_data_can_be_forced() {
        let e = fail(json!({"code": 610, "message": "Similar User Exist"}), true);
        assert_eq!(e.code, ErrorCode::SenseLinkSimilarPerson);
        assert_eq!(e.detail("canForce"), Some(&Detail::Bool(true)));
        assert!(
            e.message.ends_with("a similar face is already registered; pass force: true to register anyway"),
            "{}",
            e.message
        );
        let e = fail(
            json!({"code": 30002, "data": {"similar_user_id": "123", "similar_user_name": "佐藤 太郎", "can_force": 1}}),
            true,
        );
        assert_eq!(e.message, "employees.create: a similar face is already registered as 佐藤 太郎 (id 123); pass force: true to register anyway");
    }

    #[test]
    fn face_failures_map_only_when_a_photo_was_sent() {
        for code in [600, 50001, 30003] {
            let e = fail(json!({"code": code, "message": "RPC FAILED", "desc": "顔が検知されていません"}), true);
            assert_eq!(e.code, ErrorCode::SenseLinkFaceRejected, "{code}");
            assert_eq!(e.detail("reason"), Some(&Detail::Str("顔が検知されていません".into())));
            let e = fail(json!({"code": code, "message": "RPC FAILED"}), false);
            assert_eq!(e.code, ErrorCode::SenseLinkApi, "{code}");
        }
        let e = fail(json!({"code": 50001, "message": "RPC FAILED"}), true);
        assert_eq!(e.detail("reason"), Some(&Detail::Str("RPC FAILED".into())));
    }

    #[test]
    fn limit_param_auth_timestamp_and_unknown_codes() {
        assert_eq!(
            fail(
                json!({"code": 709, "message": "The maximum number of persons in the tenant has been reached."}),
                false
            )
            .code,
            ErrorCode::SenseLinkPersonLimit
        );
        let e = fail(
            json!({"code": 30001, "message": "Param Invalid", "desc": "無効なパラメーターです。登録者名が空です。"}),
            false,
        );
        assert_eq!(e.code, ErrorCode::SenseLinkInvalidParam);
        assert!(e.message.contains("Param Invalid: 無効なパラメーターです。登録者名が空です。"), "{}", e.message);
        assert_eq!(
            fail(json!({"code": 498, "message": "Param Invalid"}), false).code,
            ErrorCode::SenseLinkInvalidParam
        );
        assert_eq!(fail(json!({"code": 40001, "message": "Invalid Sign"}), false).code, ErrorCode::SenseLinkAuth);
        assert_eq!(fail(json!({"code": 40003, "message": "Invalid App Key"}), false).code, ErrorCode::SenseLinkAuth);
        assert_eq!(
            fail(json!({"code": 40002, "message": "Timestamp Expired"}), false).code,
            ErrorCode::SenseLinkTimestamp
        );
        assert_eq!(
            fail(json!({"code": 10086, "message": "timestamp is invalid"}), false).code,
            ErrorCode::SenseLinkTimestamp
        );
        assert_eq!(fail(json!({"code": 10087, "message": "sign error"}), false).code, ErrorCode::SenseLinkAuth);
        let e = fail(json!({"code": 700, "message": "Multi Request Error", "desc": "x", "data": [1]}), false);
        assert_eq!(e.code, ErrorCode::SenseLinkApi);
        assert_eq!(e.detail("apiCode"), Some(&Detail::Num(700.0)));
        assert_eq!(e.detail("apiMessage"), Some(&Detail::Str("Multi Request Error".into())));
        assert_eq!(e.detail("data"), Some(&Detail::Json("[1]".into())));
        let _ = parse("{}");
    }

    #[test]
    fn the_secret_never_appears() {
        let e = fail(
            json!({"code": 40001, "message": "Invalid Sign", "desc": format!("expected md5(ts#{SECRET})"),
            "data": {"secret_echo": SECRET}}),
            false,
        );
        let all = format!("{e:?}");
        assert!(!all.contains(SECRET), "{all}");
    }

    #[test]
    fn japanese_text_before_quotes_and_equals_is_redacted_without_panicking() {
        // Regression: the shared redactor once sliced inside a multi-byte character here.
        let text =
            r#"{"desc":"無効なパラメーターです。登録者名が空です。","similar_user_name":"佐藤 太郎","x":"名=値"}"#;
        assert_eq!(crate::secret::redact_text(text, &[SECRET]), text);
        let e = fail(json!({"code": 30001, "message": "Param Invalid", "desc": "名前=\"佐藤\" sign=abc"}), false);
        assert!(e.message.contains("名前="), "{}", e.message);
        assert!(!e.message.contains("sign=abc"), "{}", e.message);
    }

    #[test]
    fn non_envelopes_are_http_or_decode_errors() {
        let html = raw(502, "<html>bad gateway</html>");
        let e = read_envelope(&html, &ctx(false), &[]).unwrap_err();
        assert_eq!((e.code, e.status), (ErrorCode::HttpStatus, Some(502)));
        assert_eq!(e.body.as_deref(), Some("<html>bad gateway</html>"));
        let e = read_envelope(&raw(200, "{\"code\":20"), &ctx(false), &[]).unwrap_err();
        assert_eq!(e.code, ErrorCode::Decode);
        let spring = raw(404, r#"{"status":404,"error":"Not Found","path":"/api/v5/record/list"}"#);
        let e = read_envelope(&spring, &ctx(false), &[]).unwrap_err();
        assert_eq!(e.code, ErrorCode::HttpStatus);
        assert!(e.message.contains("edition"), "{}", e.message);
        let e = read_envelope(&raw(0, ""), &ctx(false), &[]).unwrap_err();
        assert_eq!(e.code, ErrorCode::HttpStatus);
        let refusal = raw(403, r#"{"code":403,"message":"Forbidden","desc":"GET /api/v2/x is not allowed"}"#);
        let proxied = CallContext { proxy: true, ..ctx(false) };
        let e = read_envelope(&refusal, &proxied, &[]).unwrap_err();
        assert_eq!((e.code, e.status), (ErrorCode::HttpStatus, Some(403)));
        assert!(
            e.message.ends_with("the proxy refused the call (HTTP 403 Forbidden: GET /api/v2/x is not allowed)"),
            "{}",
            e.message
        );
        // An envelope under HTTP 500 is still read as an envelope.
        let e = read_envelope(&raw(500, r#"{"code":50002,"message":"Internal Server Error"}"#), &ctx(false), &[])
            .unwrap_err();
        assert_eq!((e.code, e.status), (ErrorCode::SenseLinkApi, Some(500)));
    }

    fn plan_of(op: &str, input: Value) -> Plan {
        let photo = crate::senselink::photo::tests::blob(10, crate::senselink::photo::tests::JPEG, None);
        let operation = crate::senselink::operations::find(op).unwrap();
        let photo = operation.photo.part().map(|_| crate::senselink::photo::PhotoInput::File(photo));
        crate::senselink::plan::plan(operation, &input, photo, crate::senselink::Edition::Cloud).unwrap()
    }

    fn page_of(out: Output<Value>) -> (usize, i64, i64, Option<i64>, Option<i64>) {
        match out {
            Output::Page { items, page, size, next, total } => (items.len(), page, size, next, total),
            other => panic!("not a page: {other:?}"),
        }
    }

    #[test]
    fn person_pages_say_whether_another_page_exists() {
        let full = json!([{"id": 1}, {"id": 2}]);
        let plan = plan_of("persons.list", json!({"page": 3, "size": 2}));
        assert_eq!(page_of(output(&plan, Some(full.clone())).unwrap()), (2, 3, 2, Some(4), None));
        let plan = plan_of("persons.list", json!({"page": 3, "size": 5}));
        assert_eq!(page_of(output(&plan, Some(full)).unwrap()), (2, 3, 5, None, None));
        // A junk item does not hide that the page was full.
        let plan = plan_of("persons.list", json!({"size": 2}));
        assert_eq!(page_of(output(&plan, Some(json!([{"id": 1}, 7]))).unwrap()).3, Some(2));
        assert_eq!(output(&plan, Some(json!({"x": 1}))).unwrap_err().code, ErrorCode::Decode);
        assert_eq!(output::<Value>(&plan, None).unwrap_err().code, ErrorCode::Decode);
    }

    #[test]
    fn record_pages_in_both_versions() {
        let plan = plan_of("records.list", json!({"size": 2}));
        let v5 = json!({"list": [{"id": 1}, {"id": 2}], "page_num": 1, "page_size": 2});
        assert_eq!(page_of(output(&plan, Some(v5)).unwrap()), (2, 1, 2, Some(2), None));
        let v3 = json!({"list": [{"id": 1}, {"id": 2}], "page": 2, "size": 2, "total": 4});
        assert_eq!(page_of(output(&plan, Some(v3)).unwrap()), (2, 2, 2, None, Some(4)));
        let v3 = json!({"list": [{"id": 1}], "page": "1", "size": "1", "total": "4"});
        assert_eq!(page_of(output(&plan, Some(v3)).unwrap()).3, Some(2));
    }

    #[test]
    fn counts_objects_data_and_nothing() {
        assert_eq!(output(&plan_of("recognition.check", json!({})), Some(json!(2))).unwrap(), Output::Count(2));
        assert_eq!(
            output(&plan_of("recognition.check", json!({})), Some(json!("x"))).unwrap_err().code,
            ErrorCode::Decode
        );
        assert_eq!(
            output(&plan_of("employees.delete", json!({"id": 1})), Some(json!({"a": 1}))).unwrap(),
            Output::Nothing
        );
        assert_eq!(
            output(&plan_of("groups.update", json!({"id": 1})), Some(json!([]))).unwrap_err().code,
            ErrorCode::Decode
        );
        let person = json!({"id": 1});
        assert_eq!(
            output(&plan_of("visitors.delete", json!({"id": 1})), Some(person.clone())).unwrap(),
            Output::Nothing
        );
        assert_eq!(
            output(&plan_of("denyList.create", json!({"name": "a"})), Some(person.clone())).unwrap(),
            Output::Data(person)
        );
        assert_eq!(output::<Value>(&plan_of("system.version", json!({})), None).unwrap(), Output::Nothing);
    }
}
