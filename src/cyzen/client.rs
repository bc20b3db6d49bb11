//! The cyzen client: every call goes through one path that takes a token, waits for its pacing
//! slot, sends, refreshes once on 401, retries rate limits and transient failures, and decodes.
//!
//! The client is generic over [`Runtime`] (the package's JavaScript driver in production, a
//! virtual-time runtime in tests). Token endpoint requests go through the same runtime, marked
//! [`Target::TokenEndpoint`] (the driver may use another `fetch` for them).
//!
//! Answers are the engine's parsed objects: the client reads `errors[]`, the `next_*` cursor and
//! finds the item array; the items go back to the caller untouched.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::rc::Rc;
use core::cell::RefCell;
use core::future::Future;

use super::errors::decode;
use super::oauth::OAuth;
use super::pacing::{Pacer, SlotId};
use super::paging::{self, Cursor};
use super::resources::{self, FieldKind, Resource, ADD, DELETE, GET, UPDATE};
use super::windows;
use crate::doc::{scalar_text, Doc, Kind};
use crate::error::{Detail, Error, ErrorCode, Issues, Result};
use crate::http::{join_url, parse_retry_after, Body, Expect, Method, Payload, Request, Response};
use crate::retry::{self, Failure, RetryPolicy};
use crate::runtime::{random_unit, Runtime, Wait};
use crate::secret::Secret;

/// The documented base URL of the integration API.
pub const DEFAULT_BASE_URL: &str = "https://ext.cyzen.cloud/webapi/v0";

/// The Workers limit on simultaneous connections.
pub const MAX_IN_FLIGHT: usize = 6;

/// Where a resource lives (the table's values, or the caller's `paths` override).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Path under the base URL.
    pub path: String,
    /// Key of the item array.
    pub list_key: String,
    /// Id field.
    pub id_key: String,
}

/// Client settings.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Base URL (default [`DEFAULT_BASE_URL`]).
    pub base_url: String,
    /// Tenant id sent with every call.
    pub company_id: String,
    /// Requests per 1-second sliding window (default 5).
    pub requests_per_second: usize,
    /// Extra time a slot stays in the window after its answer arrived (default 10 ms; see `pacing`).
    pub pacing_margin_ms: f64,
    /// Retries.
    pub retry: RetryPolicy,
    /// Path overrides by JavaScript resource name.
    pub paths: Vec<(String, Route)>,
}

impl ClientConfig {
    /// Defaults for a tenant.
    pub fn new(company_id: impl Into<String>) -> ClientConfig {
        ClientConfig {
            base_url: DEFAULT_BASE_URL.into(),
            company_id: company_id.into(),
            requests_per_second: 5,
            pacing_margin_ms: 10.0,
            retry: RetryPolicy::default(),
            paths: Vec::new(),
        }
    }
}

/// How the client authenticates.
pub enum Auth {
    /// A static token (server-to-server jobs); a 401 is final.
    Static(Secret),
    /// OAuth tokens, refreshed once on 401 or expiry.
    OAuth(Rc<OAuth>),
    /// Browser mode: requests go without a token or `company_id` to a cyzen proxy (see
    /// [`super::proxy`]) that adds both; a 401 is final (the proxy refreshes).
    Proxy,
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<V> {
    /// The answer's item array, as the engine parsed it (absent: no items).
    pub items: Option<V>,
    /// With a client-side filter: the indices of the items that pass it (the others are dropped).
    pub only: Option<Vec<usize>>,
    /// The cursor this page was fetched with.
    pub cursor: Vec<(String, String)>,
    /// The cursor of the next page; `None` after the last one.
    pub next: Option<Vec<(String, String)>>,
}

/// The cyzen client.
pub struct Client {
    cfg: ClientConfig,
    auth: Auth,
    pacer: RefCell<Pacer>,
}

/// Gives the pacing slot back when the request ends or is dropped.
/// An in-flight request's place in the pacer: its window starts when it is dropped (the answer
/// arrived, or the call was abandoned).
struct Slot<'a, R: Runtime> {
    pacer: &'a RefCell<Pacer>,
    id: SlotId,
    rt: &'a R,
}

impl<R: Runtime> Drop for Slot<'_, R> {
    fn drop(&mut self) {
        self.pacer.borrow_mut().finish(self.id, self.rt.now_ms());
    }
}

/// A token-endpoint request's in-flight place.
struct FlightSlot<'a>(&'a RefCell<Pacer>);

impl Drop for FlightSlot<'_> {
    fn drop(&mut self) {
        self.0.borrow_mut().release_flight();
    }
}

/// The token runtime, with its requests counted against the in-flight cap (the Workers limit on
/// connections covers token requests too) but not against the API's rate window. Also used, with
/// no pacer, for OAuth calls made outside a client, so that one instantiation of the OAuth code
/// serves both (size).
pub struct Counted<'a, T: Runtime> {
    /// The runtime.
    pub rt: &'a T,
    /// The client's pacer, if any.
    pub pacer: Option<&'a RefCell<Pacer>>,
}

impl<T: Runtime> Runtime for Counted<'_, T> {
    type Value = T::Value;

    fn now_ms(&self) -> f64 {
        self.rt.now_ms()
    }

    fn sleep(&self, ms: u64, why: Wait) -> impl Future<Output = Result<()>> {
        self.rt.sleep(ms, why)
    }

    fn load(&self, key: &str) -> impl Future<Output = Result<Option<T::Value>>> {
        self.rt.load(key)
    }

    fn save(&self, key: &str, value: Option<String>) -> impl Future<Output = Result<()>> {
        self.rt.save(key, value)
    }

    fn lock(&self, key: &str) -> impl Future<Output = Result<()>> {
        self.rt.lock(key)
    }

    fn unlock(&self, key: &str) -> impl Future<Output = ()> {
        self.rt.unlock(key)
    }

    async fn send(&self, request: Request) -> Result<Response<T::Value>> {
        let Some(pacer) = self.pacer else { return self.rt.send(request).await };
        loop {
            let wait = pacer.borrow_mut().try_acquire_flight();
            match wait {
                Ok(()) => break,
                Err(ms) => self.rt.sleep(ms as u64, Wait::Pacing).await?,
            }
        }
        let _slot = FlightSlot(pacer);
        self.rt.send(request).await
    }
}

fn with_cursor(error: Error, res: &Resource, cursor: &Cursor) -> Error {
    error.with_detail("cursor", Detail::Pairs(cursor.to_pairs(res)))
}

/// A write input's value as a form field carries it: text as it is, numbers and booleans as text,
/// a `Date` as cyzen's UTC datetime, nested objects and arrays as JSON text (`extend_data`);
/// `None` for `undefined` and `null` (not sent).
fn form_value<D: Doc>(value: &D) -> Option<String> {
    match value.kind() {
        Kind::Absent | Kind::Null => None,
        Kind::Date => value.number().map(|ms| windows::format(libm::floor(ms / 1000.0) as i64)),
        Kind::Object | Kind::Array => value.json_text(),
        _ => scalar_text(value),
    }
}

/// A decimal number in text (`35.6`, `-139.70`, `+1`) within `[-limit, limit]`, without parsing
/// floats (which would pull float parsing into the wasm).
fn decimal_within(text: &str, limit: u64) -> bool {
    let text = text.trim();
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 4
        || !digits(whole)
        || !digits(fraction)
        || (unsigned.contains('.') && fraction.is_empty())
    {
        return false;
    }
    let whole: u64 = whole.bytes().fold(0, |n, b| n * 10 + u64::from(b - b'0'));
    whole < limit || (whole == limit && fraction.bytes().all(|b| b == b'0'))
}

/// A write value checked against what its field must hold, as the form field to send; `Err` says
/// what is wrong.
fn write_value<D: Doc>(kind: FieldKind, value: &D) -> core::result::Result<String, String> {
    let shown = || match value.kind() {
        Kind::Text => "text",
        Kind::Number => "a number",
        Kind::Bool => "a boolean",
        Kind::Date => "a Date",
        Kind::Array => "an array",
        _ => "an object",
    };
    match kind {
        FieldKind::Text => match value.kind() {
            Kind::Text | Kind::Number => scalar_text(value).ok_or_else(|| "must be text".to_string()),
            _ => Err(format!("must be text (got {})", shown())),
        },
        FieldKind::Latitude | FieldKind::Longitude => {
            let (limit, what) = if kind == FieldKind::Latitude {
                (90, "a latitude from -90 to 90")
            } else {
                (180, "a longitude from -180 to 180")
            };
            match value.kind() {
                Kind::Number | Kind::Text => {
                    let text = scalar_text(value).unwrap_or_default();
                    if decimal_within(&text, limit) {
                        Ok(text.trim().to_string())
                    } else {
                        Err(format!("must be {what} (got {})", crate::doc::json_string(&text)))
                    }
                }
                _ => Err(format!("must be {what} (got {})", shown())),
            }
        }
        FieldKind::Flag => match (value.kind(), scalar_text(value).as_deref()) {
            (Kind::Bool, Some("true")) | (Kind::Number | Kind::Text, Some("1")) => Ok("1".into()),
            (Kind::Bool, Some("false")) | (Kind::Number | Kind::Text, Some("0")) => Ok("0".into()),
            _ => Err("must be 0 or 1".into()),
        },
        FieldKind::DateTime => match value.kind() {
            Kind::Date => form_value(value).ok_or_else(|| "must be a valid Date".to_string()),
            Kind::Text => {
                let text = value.text().unwrap_or_default();
                if windows::parse(&text).is_some() {
                    Ok(text)
                } else {
                    Err(format!(
                        "must be a Date or a datetime such as 2024-05-01T09:00:00 (got {})",
                        crate::doc::json_string(&text)
                    ))
                }
            }
            _ => Err(format!("must be a Date or a datetime text (got {})", shown())),
        },
        FieldKind::Json => match value.kind() {
            Kind::Object | Kind::Array | Kind::Text => {
                form_value(value).ok_or_else(|| "must be an object or JSON text".to_string())
            }
            _ => Err(format!("must be an object or JSON text (got {})", shown())),
        },
    }
}

impl Client {
    /// Checks the settings; nothing is sent.
    pub fn new(cfg: ClientConfig, auth: Auth) -> Result<Client> {
        let proxy = matches!(auth, Auth::Proxy);
        if !proxy && cfg.company_id.trim().is_empty() {
            return Err(Error::invalid_input("companyId", "is required (the tenant id, 32 hex characters)"));
        }
        let hex32 = cfg.company_id.len() == 32 && cfg.company_id.bytes().all(|b| b.is_ascii_hexdigit());
        if !proxy && !hex32 {
            return Err(Error::invalid_input("companyId", "must be the tenant id: 32 hex characters"));
        }
        let absolute = cfg.base_url.starts_with("https://") || cfg.base_url.starts_with("http://");
        // A page may reach its proxy on its own origin: `/cyzen`.
        let on_origin = proxy && cfg.base_url.starts_with('/') && !cfg.base_url.starts_with("//");
        if !absolute && !on_origin {
            let rule = if proxy {
                "must be an absolute http(s) URL or a path on this origin (\"/cyzen\")"
            } else {
                "must be an absolute http(s) URL"
            };
            return Err(Error::invalid_input("baseUrl", rule));
        }
        if cfg.requests_per_second == 0 {
            return Err(Error::invalid_input("requestsPerSecond", "must be at least 1"));
        }
        if let Auth::Static(token) = &auth {
            if token.is_empty() {
                return Err(Error::invalid_input("auth.staticToken", "is empty"));
            }
        }
        for (name, _) in &cfg.paths {
            if resources::find(name).is_none() {
                return Err(Error::invalid_input(format!("paths.{name}"), "is not a cyzen resource"));
            }
        }
        let pacer = Pacer::new(cfg.requests_per_second, 1000.0, cfg.pacing_margin_ms, MAX_IN_FLIGHT);
        Ok(Client { cfg, auth, pacer: RefCell::new(pacer) })
    }

    /// The resource and where it lives.
    pub fn route(&self, name: &str) -> Result<(&'static Resource, Route)> {
        let res = resources::find(name)
            .ok_or_else(|| Error::invalid_input("resource", format!("{name} is not a cyzen resource")))?;
        let route = match self.cfg.paths.iter().find(|(n, _)| n == name) {
            Some((_, r)) => r.clone(),
            None => Route { path: res.path.into(), list_key: res.list_key.into(), id_key: res.id_key.into() },
        };
        Ok((res, route))
    }

    async fn token<R: Runtime>(&self, token_rt: &R) -> Result<(Secret, u64)> {
        match &self.auth {
            Auth::Static(token) => Ok((token.clone(), 0)),
            Auth::OAuth(oauth) => oauth.current(token_rt).await,
            Auth::Proxy => Ok((Secret::new(""), 0)),
        }
    }

    /// The tenant id to send, or `None` in proxy mode (the proxy adds it).
    fn company_id(&self) -> Option<&str> {
        (!matches!(self.auth, Auth::Proxy)).then_some(self.cfg.company_id.as_str())
    }

    async fn slot<'a, R: Runtime>(&'a self, rt: &'a R) -> Result<Slot<'a, R>> {
        loop {
            let wait = self.pacer.borrow_mut().try_acquire(rt.now_ms());
            match wait {
                Ok(id) => return Ok(Slot { pacer: &self.pacer, id, rt }),
                Err(ms) => rt.sleep(libm::ceil(ms) as u64, Wait::Pacing).await?,
            }
        }
    }

    /// Sends one logical call: token, pacing, one refresh on 401, retries. Returns the final answer
    /// (any status) and the token used. `retry_5xx: false` hands a 5xx back at once (the caller has
    /// a better remedy than waiting).
    async fn send<R: Runtime>(
        &self,
        rt: &R,
        build: &dyn Fn() -> Request,
        idempotent: bool,
        retry_5xx: bool,
    ) -> Result<(Response<R::Value>, Secret)> {
        let token_rt = &Counted { rt, pacer: Some(&self.pacer) };
        let policy = self.cfg.retry;
        let mut refreshed = false;
        let mut retries = 0;
        loop {
            let (mut token, mut generation) = self.token(token_rt).await?;
            let slot = self.slot(rt).await?;
            // The wait for a slot can be long: take a token refreshed meanwhile, and give the slot
            // back while a refresh is under way (never wait for it holding a slot: it may need one).
            if let Auth::OAuth(oauth) = &self.auth {
                match oauth.peek() {
                    None => continue,
                    Some((newer, g)) if g != generation => (token, generation) = (newer, g),
                    Some(_) => {}
                }
            }
            let request = match self.auth {
                Auth::Proxy => build().header(crate::http::PROXY_REQUEST_HEADER.0, crate::http::PROXY_REQUEST_HEADER.1),
                _ => build().header("Authorization", format!("bearer {}", token.expose())),
            };
            let sent = rt.send(request).await;
            drop(slot);
            let response = match sent {
                Ok(response) => response,
                Err(error) if error.code == ErrorCode::Network => {
                    match retry::decide(&policy, Failure::Network, idempotent, retries, None, random_unit()) {
                        Some(ms) => {
                            retries += 1;
                            rt.sleep(ms, Wait::Retry { status: None, attempt: retries }).await?;
                            continue;
                        }
                        None => return Err(error),
                    }
                }
                Err(error) => return Err(error),
            };
            let status = response.status;
            if status == 401 {
                if let (Auth::OAuth(oauth), false) = (&self.auth, refreshed) {
                    refreshed = true;
                    oauth.renew(token_rt, generation).await?;
                    continue;
                }
                return Ok((response, token));
            }
            let rate_limited = retry::is_rate_limit(status);
            if rate_limited || (status >= 500 && retry_5xx) {
                let retry_after = response.retry_after.as_deref().and_then(|v| parse_retry_after(v, rt.now_ms()));
                match retry::decide(&policy, Failure::Status(status), idempotent, retries, retry_after, random_unit()) {
                    Some(ms) => {
                        retries += 1;
                        rt.sleep(ms, Wait::Retry { status: Some(status), attempt: retries }).await?;
                        continue;
                    }
                    None if rate_limited => {
                        let message = format!("cyzen rate limit (HTTP {status}) after {retries} retries");
                        return Err(Error::new(ErrorCode::RateLimited, message)
                            .with_status(status)
                            .with_retry_after_ms(retry_after)
                            .with_body(response.excerpt(&[token.expose()])));
                    }
                    None => {}
                }
            }
            return Ok((response, token));
        }
    }

    fn url(&self, route: &Route) -> String {
        join_url(&self.cfg.base_url, &route.path)
    }

    /// One page of a list. `cursor` resumes (from `page.next` or a failed page's `error.cursor`);
    /// without it the walk starts at the beginning of the filter's range. A failure carries the
    /// cursor of the page that failed.
    pub async fn list_page<R: Runtime>(
        &self,
        rt: &R,
        name: &str,
        filter: &R::Value,
        cursor: Option<&R::Value>,
    ) -> Result<Page<R::Value>> {
        let (res, route) = self.route(name)?;
        if !res.has(GET) || res.binary {
            return Err(Error::invalid_input("resource", format!("{name} cannot be listed")));
        }
        let query = paging::list_query(res, filter, (rt.now_ms() / 1000.0) as i64)?;
        let mut cursor = match cursor.filter(|c| !c.is_nothing()) {
            Some(given) => Cursor::from_doc(res, given)?,
            None => paging::first_cursor(res, &query),
        };
        let url = self.url(&route);
        loop {
            let params = paging::page_params(res, &query, &cursor);
            let split = paging::after_server_error(res, &cursor);
            let build = || {
                let mut request = Request::new(Method::Get, url.clone());
                request.query.extend(self.company_id().map(|c| ("company_id".to_string(), c.to_string())));
                request.query.extend(params.iter().cloned());
                request.header("Accept", "application/json")
            };
            let (response, token) =
                self.send(rt, &build, true, split.is_none()).await.map_err(|e| with_cursor(e, res, &cursor))?;
            if let (500, Some(day)) = (response.status, &split) {
                cursor = day.clone();
                continue;
            }
            let body = decode(&response, &[token.expose()]).map_err(|e| with_cursor(e, res, &cursor))?;
            let next = paging::next_fields(&body);
            let items = paging::items(&body, &route.list_key);
            let only = match (&items, query.client_side.is_empty()) {
                (Some(items), false) => Some(
                    (0..items.len())
                        .filter(|i| items.at(*i).is_some_and(|item| paging::keep(&item, &query.client_side)))
                        .collect(),
                ),
                _ => None,
            };
            let after = paging::after_page(res, &query, &cursor, next).map_err(|e| with_cursor(e, res, &cursor))?;
            return Ok(Page { items, only, cursor: cursor.to_pairs(res), next: after.map(|c| c.to_pairs(res)) });
        }
    }

    /// Create (`ADD`), update (`UPDATE`, `id` required) or delete (`DELETE`, `id` required).
    /// `input` is the caller's object of form fields; returns the answer (`{"<id key>": …}`) as the
    /// engine parsed it.
    pub async fn write<R: Runtime>(
        &self,
        rt: &R,
        name: &str,
        op: u8,
        id: Option<&str>,
        input: &R::Value,
    ) -> Result<R::Value> {
        let (res, route) = self.route(name)?;
        let (method, verb) = match op {
            ADD => (Method::Post, "create"),
            UPDATE => (Method::Put, "update"),
            DELETE => (Method::Delete, "delete"),
            _ => return Err(Error::invalid_input("op", "must be create, update or delete")),
        };
        if !res.has(op) {
            return Err(Error::invalid_input(
                "resource",
                format!("{name} has no {verb} operation (see the vendor's table)"),
            ));
        }
        let id = match (op, id.map(str::trim)) {
            (ADD, _) => None,
            (_, Some(id)) if !id.is_empty() => Some(id.to_string()),
            _ => return Err(Error::invalid_input(route.id_key.clone(), "is required")),
        };
        if !matches!(input.kind(), Kind::Object | Kind::Absent | Kind::Null) {
            return Err(Error::invalid_input("input", "must be an object"));
        }
        let mut fields: Vec<(String, String)> =
            self.company_id().map(|c| ("company_id".to_string(), c.to_string())).into_iter().collect();
        if let (UPDATE, Some(id)) = (op, &id) {
            fields.push((route.id_key.clone(), id.clone()));
        }
        let given = fields.len();
        let keys = input.keys();
        // Every problem is collected, so a form can show them all at once.
        let mut issues = Issues::default();
        for key in &keys {
            let Some(raw) = input.given(key) else { continue };
            let field = format!("input.{key}");
            let mut key = key.clone();
            if res.name == "spots" {
                if let Some((_, write_name)) = resources::SPOT_WRITE_NAMES.iter().find(|(read, _)| *read == key) {
                    if keys.iter().any(|k| k == write_name) {
                        issues.add(field, format!("give either {key} or {write_name}"));
                        continue;
                    }
                    key = write_name.to_string();
                }
            }
            if key == "company_id" {
                issues.add(field, "is set by the client (companyId)");
                continue;
            }
            let value = match resources::write_field_kind(res.name, &key) {
                Some(kind) => match write_value(kind, &raw) {
                    Ok(value) => value,
                    Err(message) => {
                        issues.add(field, message);
                        continue;
                    }
                },
                None => match form_value(&raw) {
                    Some(value) => value,
                    None => continue,
                },
            };
            if key == route.id_key && op == UPDATE {
                if Some(&value) != id.as_ref() {
                    issues.add(field, "differs from the id argument");
                }
                continue;
            }
            fields.push((key, value));
        }
        issues.check(())?;
        if op == UPDATE && fields.len() <= given {
            return Err(Error::invalid_input("input", "has nothing to update"));
        }
        if op == ADD && fields.len() <= given {
            return Err(Error::invalid_input("input", "is empty"));
        }
        let url = self.url(&route);
        let build = || {
            let request = Request::new(method, url.clone()).header("Accept", "application/json");
            match op {
                DELETE => {
                    let mut request = request;
                    request.query = fields.clone();
                    request.query.push((route.id_key.clone(), id.clone().unwrap_or_default()));
                    request
                }
                _ => request.body(Body::Form(fields.clone())),
            }
        };
        let (response, token) = self.send(rt, &build, method.is_idempotent(), true).await?;
        decode(&response, &[token.expose()])
    }

    /// One image (report or spot photo) by id, as the runtime's `Blob` with its content type.
    pub async fn image<R: Runtime>(&self, rt: &R, image_id: &str) -> Result<R::Value> {
        let (res, route) = self.route("images")?;
        let image_id = image_id.trim();
        if image_id.is_empty() {
            return Err(Error::invalid_input(res.id_key, "is required"));
        }
        let url = self.url(&route);
        let build = || {
            let mut request = Request::new(Method::Get, url.clone());
            request.query.extend(self.company_id().map(|c| ("company_id".to_string(), c.to_string())));
            let mut request = request.query(route.id_key.clone(), image_id);
            request.expect = Expect::Blob;
            request
        };
        let (response, token) = self.send(rt, &build, true, true).await?;
        if let (true, Payload::Blob(blob)) = (response.is_success(), &response.body) {
            return Ok(blob.clone());
        }
        match decode(&response, &[token.expose()]) {
            Err(error) => Err(error),
            Ok(_) => Err(Error::new(ErrorCode::Decode, "cyzen answered JSON where an image was expected")
                .with_status(response.status)),
        }
    }
}
