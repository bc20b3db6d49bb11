//! The SenseLink client: configuration, signing, one call = plan → sign → send → read the envelope.
//!
//! Generic over [`Runtime`], so the same code runs on the package's JavaScript driver and on
//! scripted runtimes in native tests. [`Client::request`] and [`Client::finish`] are the sans-IO
//! halves of [`Client::call`].

#[allow(unused_imports)]
use crate::prelude::*;

use super::envelope::{output, read_envelope, CallContext, Output};
use super::operations::Operation;
use super::photo::PhotoInput;
use super::plan::{plan, Plan};
use super::sign::auth_query;
use super::Edition;
use crate::doc::Doc;
use crate::error::{Detail, Error, ErrorCode};
use crate::http::parse_retry_after;
use crate::http::{join_url, Request, Response};
use crate::retry::{self, Failure, RetryPolicy};
use crate::runtime::{random_unit, Runtime, Wait};
use crate::secret::Secret;

/// Client settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// `https://link.japancv.co.jp`, `https://HOST:PORT`, or (proxy mode) the proxy's mount URL.
    pub base_url: String,
    /// The app key (`app_key`); empty in proxy mode.
    pub app_key: String,
    /// The app secret; empty in proxy mode.
    pub app_secret: Secret,
    /// Which product answers.
    pub edition: Edition,
    /// Added to the local clock when signing (positive when the local clock is behind the server's).
    pub clock_offset_ms: f64,
    /// Send unsigned requests to a signing proxy that holds the secret (browsers).
    pub proxy: bool,
    /// Retries of reads (5xx, 429, network failures); writes are never retried.
    pub retry: RetryPolicy,
}

/// SenseLink's default retries: 3 for reads (waits of about 1, 2 and 4 s), none for writes.
pub const DEFAULT_RETRY: RetryPolicy = RetryPolicy { max_retries: 3, base_ms: 1000, max_wait_ms: 60_000 };

impl Default for Config {
    fn default() -> Config {
        Config {
            base_url: String::new(),
            app_key: String::new(),
            app_secret: Secret::new(""),
            edition: Edition::default(),
            clock_offset_ms: 0.0,
            proxy: false,
            retry: DEFAULT_RETRY,
        }
    }
}

/// A configured client.
#[derive(Clone, Debug)]
pub struct Client {
    config: Config,
}

fn valid_base(url: &str, proxy: bool) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) => !rest.is_empty() && !rest.starts_with('/') && !url.contains(['?', '#', ' ']),
        // A page may mount its proxy on its own origin: `/senselink`.
        None => proxy && url.starts_with('/') && !url.starts_with("//") && !url.contains(['?', '#', ' ']),
    }
}

impl Client {
    /// Checks the settings (`INVALID_INPUT` naming the option at fault).
    pub fn new(mut config: Config) -> Result<Client, Error> {
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        if config.base_url.is_empty() {
            return Err(Error::invalid_input("baseUrl", "is required"));
        }
        if !valid_base(&config.base_url, config.proxy) {
            let rule = if config.proxy {
                "must be an absolute http(s) URL or a path on this origin (\"/senselink\"), without query"
            } else {
                "must be an absolute http(s) URL without query (e.g. \"https://link.japancv.co.jp\")"
            };
            return Err(Error::invalid_input("baseUrl", rule));
        }
        if config.proxy {
            if !config.app_secret.is_empty() {
                return Err(Error::invalid_input(
                    "appSecret",
                    "must not be given with proxy: true; the secret belongs to the proxy (createSenseLinkProxy), never to a browser",
                ));
            }
        } else {
            if config.app_key.is_empty() {
                return Err(Error::invalid_input(
                    "appKey",
                    "is required (or use proxy: true behind createSenseLinkProxy)",
                ));
            }
            if config.app_secret.is_empty() {
                return Err(Error::invalid_input(
                    "appSecret",
                    "is required (or use proxy: true behind createSenseLinkProxy)",
                ));
            }
        }
        if !config.clock_offset_ms.is_finite() {
            return Err(Error::invalid_input("clockOffsetMs", "must be a finite number of milliseconds"));
        }
        Ok(Client { config })
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The request of a plan, signed with the time `now_ms` (+ `clock_offset_ms`) unless in proxy mode.
    pub fn request(&self, plan: &Plan, now_ms: f64) -> Request {
        let mut request =
            Request::new(plan.method, join_url(&self.config.base_url, &plan.path)).body(plan.body.clone());
        request.query = plan.query.clone();
        if self.config.proxy {
            let (name, value) = crate::http::PROXY_REQUEST_HEADER;
            return request.header(name, value);
        }
        let auth = auth_query(&self.config.app_key, &self.config.app_secret, now_ms + self.config.clock_offset_ms);
        request.query.extend(auth);
        request
    }

    /// Reads the answer to a plan's request. `sign` is masked like the secret in anything kept on an
    /// error; `now_ms` (local clock) is compared with the server's `Date` header on timestamp errors.
    pub fn finish<V: Doc>(
        &self,
        plan: &Plan,
        response: &Response<V>,
        sign: Option<&str>,
        now_ms: f64,
    ) -> Result<Output<V>, Error> {
        let context = CallContext { operation: plan.operation.name, photo: plan.photo, proxy: self.config.proxy };
        let secrets = [self.config.app_secret.expose(), sign.unwrap_or("")];
        match read_envelope(response, &context, &secrets) {
            Ok(data) => output(plan, data),
            Err(error) if error.code == ErrorCode::SenseLinkTimestamp => Err(with_clock_hint(error, response, now_ms)),
            Err(error) => Err(error),
        }
    }

    /// Validates, signs, sends and reads one call. A read that fails with a 5xx, a 429 or no answer
    /// is retried (freshly signed) with backoff, honouring `Retry-After`; a write never is: its
    /// fate is unknown and SenseLink has no idempotency key.
    pub async fn call<R: Runtime>(
        &self,
        runtime: &R,
        operation: &'static Operation,
        input: &R::Value,
        photo: Option<PhotoInput>,
    ) -> Result<Output<R::Value>, Error> {
        let plan = plan(operation, input, photo, self.config.edition)?;
        let policy =
            if operation.read { self.config.retry } else { RetryPolicy { max_retries: 0, ..self.config.retry } };
        let mut retries = 0;
        loop {
            let request = self.request(&plan, runtime.now_ms());
            let sign = request.query_value("sign").map(str::to_string);
            let (wait, status) = match runtime.send(request).await {
                Ok(response) => {
                    let status = response.status;
                    let retry_after =
                        response.retry_after.as_deref().and_then(|v| parse_retry_after(v, runtime.now_ms()));
                    let retryable = status >= 500 || retry::is_rate_limit(status);
                    match retryable
                        .then(|| {
                            retry::decide(&policy, Failure::Status(status), true, retries, retry_after, random_unit())
                        })
                        .flatten()
                    {
                        Some(wait) => (wait, Some(status)),
                        None => return self.finish(&plan, &response, sign.as_deref(), runtime.now_ms()),
                    }
                }
                Err(error) if error.code == ErrorCode::Network => {
                    match retry::decide(&policy, Failure::Network, true, retries, None, random_unit()) {
                        Some(wait) => (wait, None),
                        None => return Err(error),
                    }
                }
                Err(error) => return Err(error),
            };
            retries += 1;
            runtime.sleep(wait, Wait::Retry { status, attempt: retries }).await?;
        }
    }
}

/// Adds `suggestedClockOffsetMs` (server `Date` minus the local clock) to a timestamp error when the
/// response carries a readable `Date` header.
fn with_clock_hint<V>(error: Error, response: &Response<V>, now_ms: f64) -> Error {
    let Some(server_secs) = response.date.as_deref().and_then(crate::date::parse_http_date) else {
        return error;
    };
    let offset = server_secs as f64 * 1000.0 - now_ms;
    // The header has one-second resolution: below 2 s the clocks agree.
    let offset = if offset.abs() < 2000.0 { 0.0 } else { libm::round(offset / 1000.0) * 1000.0 };
    // `offset` is a whole number of seconds in ms: printed as an integer (no float formatting in wasm).
    let message = format!("{} (the server's Date header suggests clockOffsetMs: {})", error.message, offset as i64);
    let mut error = error;
    error.message = message;
    error.with_detail("suggestedClockOffsetMs", Detail::Num(offset))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::doc::testing::parse;
    use crate::http::{Body, Method, Part, Payload};
    use crate::senselink::operations::find;
    use crate::senselink::photo::tests::{blob, JPEG};
    use core::cell::RefCell;
    use serde_json::{json, Value};
    use std::collections::VecDeque;

    /// A runtime that answers from a script and records what was sent.
    #[derive(Default)]
    pub struct Scripted {
        pub now: f64,
        pub answers: RefCell<VecDeque<Result<Response<Value>, Error>>>,
        pub sent: RefCell<Vec<Request>>,
        pub waits: RefCell<Vec<(u64, Wait)>>,
    }

    impl Scripted {
        pub fn new(now: f64, answers: Vec<Result<Response<Value>, Error>>) -> Scripted {
            Scripted {
                now,
                answers: RefCell::new(answers.into()),
                sent: RefCell::new(Vec::new()),
                waits: RefCell::new(Vec::new()),
            }
        }

        pub fn ok(data: Value) -> Result<Response<Value>, Error> {
            Ok(Response::new(200, Payload::Json(json!({"code": 200, "message": "OK", "desc": "", "data": data}))))
        }

        pub fn body(status: u16, text: &str) -> Result<Response<Value>, Error> {
            Ok(Response::new(status, Payload::Json(parse(text))))
        }
    }

    impl Runtime for Scripted {
        type Value = Value;

        fn now_ms(&self) -> f64 {
            self.now
        }

        async fn sleep(&self, ms: u64, why: Wait) -> Result<(), Error> {
            self.waits.borrow_mut().push((ms, why));
            Ok(())
        }

        async fn send(&self, request: Request) -> Result<Response<Value>, Error> {
            self.sent.borrow_mut().push(request);
            self.answers.borrow_mut().pop_front().expect("an answer was scripted")
        }

        async fn load(&self, _key: &str) -> Result<Option<Value>, Error> {
            Ok(None)
        }

        async fn save(&self, _key: &str, _value: Option<String>) -> Result<(), Error> {
            Ok(())
        }

        async fn lock(&self, _key: &str) -> Result<(), Error> {
            Ok(())
        }

        async fn unlock(&self, _key: &str) {}
    }

    pub const SECRET: &str = "2323dsfadfewrasa3434";

    pub fn client(proxy: bool) -> Client {
        Client::new(Config {
            base_url: "https://link.example/".into(),
            app_key: if proxy { String::new() } else { "key".into() },
            app_secret: Secret::new(if proxy { "" } else { SECRET }),
            proxy,
            ..Config::default()
        })
        .unwrap()
    }

    fn run<T>(future: impl core::future::Future<Output = T>) -> T {
        futures_executor::block_on(future)
    }

    fn call(
        c: &Client,
        rt: &Scripted,
        op: &str,
        input: Value,
        photo: Option<PhotoInput>,
    ) -> Result<Output<Value>, Error> {
        run(c.call(rt, find(op).unwrap(), &input, photo))
    }

    #[test]
    fn every_request_is_signed_with_a_fresh_millisecond_timestamp() {
        let rt = Scripted::new(1_477_881_215_000.0, vec![Scripted::ok(json!([])), Scripted::ok(json!([]))]);
        let c = client(false);
        call(&c, &rt, "persons.list", json!({"name": "佐藤"}), None).unwrap();
        let sent = rt.sent.borrow();
        let r = &sent[0];
        assert_eq!(r.method(), Method::Get);
        assert_eq!(r.url, "https://link.example/api/v1/user/list");
        assert_eq!(r.query_value("app_key"), Some("key"));
        assert_eq!(r.query_value("timestamp"), Some("1477881215000"));
        assert_eq!(r.query_value("sign"), Some("e5ef72ef839bdf5397b4906b199b9fbf"));
        assert_eq!(r.query_value("name"), Some("佐藤"));
        drop(sent);
        let mut c2 = c.config().clone();
        c2.clock_offset_ms = 60_000.0;
        let c2 = Client::new(c2).unwrap();
        call(&c2, &rt, "persons.list", json!({}), None).unwrap();
        assert_eq!(rt.sent.borrow()[1].query_value("timestamp"), Some("1477881275000"));
    }

    #[test]
    fn invalid_input_sends_nothing() {
        let rt = Scripted::new(0.0, vec![]);
        let e = call(&client(false), &rt, "employees.create", json!({"name": "a", "mobile": "0".repeat(23)}), None)
            .unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidInput, Some("mobile")));
        let big = PhotoInput::File(blob(5 << 20, JPEG, None));
        let e = call(&client(false), &rt, "employees.create", json!({"name": "a"}), Some(big)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("avatar"));
        assert!(rt.sent.borrow().is_empty());
    }

    #[test]
    fn proxy_mode_sends_unsigned_requests_to_the_proxy() {
        let rt = Scripted::new(1.0, vec![Scripted::body(200, r#"{"code":200,"message":"OK"}"#)]);
        let c = Client::new(Config { base_url: "/senselink".into(), proxy: true, ..Config::default() }).unwrap();
        call(&c, &rt, "employees.delete", json!({"id": 5}), None).unwrap();
        let r = &rt.sent.borrow()[0];
        assert_eq!(r.url, "/senselink/api/v1/user/delete/5");
        assert!(r.query.is_empty());
        assert_eq!(r.header_value("X-Requested-With"), Some("cyzen-senselink"), "the proxies require it on writes");
    }

    #[test]
    fn configuration_rules() {
        let make = |base: &str, key: &str, secret: &str, proxy: bool| {
            Client::new(Config {
                base_url: base.into(),
                app_key: key.into(),
                app_secret: Secret::new(secret),
                proxy,
                ..Config::default()
            })
        };
        assert_eq!(make("", "k", "s", false).unwrap_err().field.as_deref(), Some("baseUrl"));
        assert_eq!(make("link.japancv.co.jp", "k", "s", false).unwrap_err().field.as_deref(), Some("baseUrl"));
        assert_eq!(make("/senselink", "k", "s", false).unwrap_err().field.as_deref(), Some("baseUrl"));
        assert_eq!(make("https://h/?x=1", "k", "s", false).unwrap_err().field.as_deref(), Some("baseUrl"));
        assert_eq!(make("https://h", "", "s", false).unwrap_err().field.as_deref(), Some("appKey"));
        assert_eq!(make("https://h", "k", "", false).unwrap_err().field.as_deref(), Some("appSecret"));
        let e = make("https://w/senselink", "", "s3cr3t-value", true).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("appSecret"));
        assert!(!e.message.contains("s3cr3t-value"));
        assert!(make("https://w/senselink", "", "", true).is_ok());
        assert!(make("http://127.0.0.1:8787", "k", "s", false).is_ok());
        let c = make("https://h/base/", "k", "s", false).unwrap();
        assert_eq!(c.config().base_url, "https://h/base");
    }

    #[test]
    fn answers_become_outputs_or_typed_errors() {
        let person = json!({"id": 65838, "name": "1312313123123122", "groupList": [{"id": 1, "name": "Default group", "type": 1}]});
        let similar = Scripted::body(
            200,
            r#"{"code":30002,"message":"Similar User Exist","data":{"similar_user_id":65833,"similar_user_name":"11111111","similar_user_avatar":"5cbe","can_force":1},"desc":"ex.similar-user"}"#,
        );
        let rt = Scripted::new(1.0, vec![Scripted::ok(person.clone()), similar]);
        let c = client(false);
        let jpeg = || Some(PhotoInput::File(blob(100, JPEG, None)));
        // The engine's object comes back as it is: the TypeScript side shapes it.
        assert_eq!(call(&c, &rt, "employees.create", json!({"name": "x"}), jpeg()).unwrap(), Output::Data(person));
        let e = call(&c, &rt, "employees.create", json!({"name": "x"}), jpeg()).unwrap_err();
        assert_eq!(e.code, ErrorCode::SenseLinkSimilarPerson);
        assert_eq!(e.detail("similarUserId"), Some(&Detail::Num(65833.0)));
        let Body::Multipart(parts) = &rt.sent.borrow()[1].body else { panic!() };
        assert!(matches!(parts.last(), Some(Part::File { name, .. }) if name == "avatarFile"));
    }

    #[test]
    fn transport_errors_pass_through() {
        let rt = Scripted::new(1.0, vec![Err(Error::new(ErrorCode::Timeout, "no complete response within 5 ms"))]);
        let e = call(&client(false), &rt, "devices.list", Value::Null, None).unwrap_err();
        assert_eq!(e.code, ErrorCode::Timeout);
    }

    #[test]
    fn timestamp_errors_suggest_a_clock_offset_from_the_date_header() {
        // The server is one hour ahead.
        let now = 784_111_777_000.0 - 3_600_000.0;
        let mut answer = Response::new(200, Payload::Json(json!({"code": 40002, "message": "Timestamp Expired"})));
        answer.date = Some("Sun, 06 Nov 1994 08:49:37 GMT".into());
        let mut unreadable = answer.clone();
        unreadable.date = Some("x".into());
        let rt = Scripted::new(now, vec![Ok(answer), Ok(unreadable)]);
        let e = call(&client(false), &rt, "devices.list", Value::Null, None).unwrap_err();
        assert_eq!(e.code, ErrorCode::SenseLinkTimestamp);
        assert_eq!(e.detail("suggestedClockOffsetMs"), Some(&Detail::Num(3_600_000.0)));
        assert!(e.message.ends_with("(the server's Date header suggests clockOffsetMs: 3600000)"), "{}", e.message);
        let e = call(&client(false), &rt, "devices.list", Value::Null, None).unwrap_err();
        assert_eq!(e.detail("suggestedClockOffsetMs"), None);
    }

    #[test]
    fn the_secret_and_the_sign_never_reach_an_error() {
        let body = format!(
            r#"{{"code":40001,"message":"Invalid Sign","desc":"got sign e5ef72ef839bdf5397b4906b199b9fbf for {SECRET}","data":{{"echo":"{SECRET}"}}}}"#
        );
        let rt = Scripted::new(1_477_881_215_000.0, vec![Scripted::body(200, &body)]);
        let e = call(&client(false), &rt, "devices.list", Value::Null, None).unwrap_err();
        let shown = format!("{e:?}");
        assert!(!shown.contains(SECRET) && !shown.contains("e5ef72ef839bdf5397b4906b199b9fbf"), "{shown}");
        assert_eq!(e.code, ErrorCode::SenseLinkAuth);
    }

    #[test]
    fn reads_are_retried_freshly_signed_and_writes_never() {
        let c = client(false);
        let busy = || Scripted::body(502, r#"{"status":502,"error":"Bad Gateway"}"#);
        let network = || Err(Error::new(ErrorCode::Network, "reset"));
        let rt = Scripted::new(1_000.0, vec![busy(), network(), Scripted::ok(json!([]))]);
        call(&c, &rt, "persons.list", json!({}), None).unwrap();
        assert_eq!(rt.sent.borrow().len(), 3);
        let waits = rt.waits.borrow().clone();
        assert!(
            matches!(
                waits.as_slice(),
                [(_, Wait::Retry { status: Some(502), attempt: 1 }), (_, Wait::Retry { status: None, attempt: 2 })]
            ),
            "{waits:?}"
        );
        // A Retry-After is honoured.
        let rt = Scripted::new(
            1_000.0,
            vec![
                Ok(Response { retry_after: Some("2".into()), ..Response::new(429, Payload::Empty) }),
                Scripted::ok(json!([])),
            ],
        );
        call(&c, &rt, "persons.list", json!({}), None).unwrap();
        assert_eq!(rt.waits.borrow()[0].0, 2000);
        // Gives up after the policy's retries with the last answer's error.
        let rt = Scripted::new(1_000.0, vec![busy(), busy(), busy(), busy()]);
        let e = call(&c, &rt, "persons.list", json!({}), None).unwrap_err();
        assert_eq!((e.code, e.status), (ErrorCode::HttpStatus, Some(502)));
        assert_eq!(rt.sent.borrow().len(), 4, "first attempt + 3 retries");
        // A write is sent once, whatever happens.
        for answer in [busy(), network(), Scripted::body(503, "{}")] {
            let rt = Scripted::new(1_000.0, vec![answer]);
            assert!(call(&c, &rt, "groups.create", json!({"name": "g", "type": 1}), None).is_err());
            assert_eq!(rt.sent.borrow().len(), 1);
            assert!(rt.waits.borrow().is_empty());
        }
    }
}
