//! JavaScript bindings of the cyzen client: two classes with one dispatching `run` method each
//! (every async export costs size), wrapped by `pkg-template/src/cyzen.ts` into the public API.

use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::convert::{get, is_absent, opt_number, opt_string, pairs_to_object, req_string, set, string_pairs};
use super::http::runtime_from;
use super::to_js_error;
use crate::cyzen::client::{Auth, Client, ClientConfig, Counted, Route};
use crate::cyzen::oauth::{OAuth, OAuthConfig, TokenSet};
use crate::cyzen::paging::normalise;
use crate::cyzen::paths::{ADD, DELETE, UPDATE};
use crate::cyzen::proxy::{decide, Decision, ProxyConfig};
use crate::cyzen::store::Store;
use crate::error::{Error, ErrorCode, Result};
use crate::fetch::{js_error, FetchRuntime};
use crate::http::BlobHandle;
use crate::json::Value;
use crate::secret::Secret;

/// A store given by JavaScript: `{ load(key), save(key, value | null) }`, sync or async.
pub struct JsStore(JsValue);

async fn call_store(store: &JsValue, method: &str, args: &Array) -> Result<JsValue> {
    let failed = |e| js_error(ErrorCode::OAuthError, &format!("the token store's {method}() failed"), e);
    let function: Function = get(store, method).dyn_into().map_err(|_| Error::invalid_input(format!("store.{method}"), "must be a function"))?;
    let value = function.apply(store, args).map_err(failed)?;
    JsFuture::from(Promise::resolve(&value)).await.map_err(failed)
}

impl Store for JsStore {
    async fn load(&self, key: &str) -> Result<Option<String>> {
        let value = call_store(&self.0, "load", &Array::of1(&key.into())).await?;
        if is_absent(&value) {
            return Ok(None);
        }
        value.as_string().map(Some).ok_or_else(|| Error::new(ErrorCode::OAuthError, "the token store's load() must give a string or null"))
    }

    async fn save(&self, key: &str, value: Option<&str>) -> Result<()> {
        let value = value.map_or(JsValue::NULL, JsValue::from_str);
        call_store(&self.0, "save", &Array::of2(&key.into(), &value)).await.map(|_| ())
    }
}

/// A JSON value as a plain JavaScript value, with `created_at` added wherever only `create_at` is
/// given. Written as JSON text and parsed by the runtime's `JSON.parse`: one boundary crossing
/// instead of one per field, several times faster on a 200-item page.
fn to_js(mut value: Value) -> JsValue {
    normalise(&mut value);
    js_sys::JSON::parse(&crate::json::to_string(&value)).unwrap_or(JsValue::NULL)
}

fn tokens_to_js(tokens: &TokenSet) -> JsValue {
    let obj = Object::new();
    set(&obj, "accessToken", &tokens.access_token.expose().into());
    if let Some(rt) = &tokens.refresh_token {
        set(&obj, "refreshToken", &rt.expose().into());
    }
    set(&obj, "tokenType", &tokens.token_type.as_str().into());
    if let Some(at) = tokens.expires_at_ms {
        set(&obj, "expiresAt", &JsValue::from_f64(at.floor()));
    }
    if let Some(scope) = &tokens.scope {
        set(&obj, "scope", &scope.as_str().into());
    }
    obj.into()
}

fn tokens_from_js(value: &JsValue) -> Result<Option<TokenSet>> {
    if is_absent(value) {
        return Ok(None);
    }
    let field = |k: &str| opt_string(value, k).map_err(|e| e.with_field(format!("tokens.{k}")));
    Ok(Some(TokenSet {
        access_token: Secret::new(req_string(value, "accessToken").map_err(|e| e.with_field("tokens.accessToken"))?),
        refresh_token: field("refreshToken")?.filter(|s| !s.is_empty()).map(Secret::new),
        token_type: field("tokenType")?.unwrap_or_else(|| "bearer".into()),
        expires_at_ms: opt_number(value, "expiresAt")?,
        scope: field("scope")?,
    }))
}

/// A boxed future: its state machine stays one function instead of being inlined here (size).
fn boxed<'a, T>(f: impl std::future::Future<Output = T> + 'a) -> std::pin::Pin<Box<dyn std::future::Future<Output = T> + 'a>> {
    Box::pin(f)
}

fn promise(future: impl std::future::Future<Output = Result<JsValue>> + 'static) -> Promise {
    super::spawn_promise(Box::pin(async move { future.await.map_err(to_js_error) }))
}

/// OAuth state shared by `CyzenOAuth` and the clients using it. Not part of the public API.
#[wasm_bindgen]
pub struct OAuthCore {
    inner: Rc<OAuth<JsStore>>,
    fetch: Option<Function>,
}

#[wasm_bindgen]
impl OAuthCore {
    /// Settings read by the TypeScript wrapper (see `CyzenOAuthOptions`); nothing is sent.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        authorize_url: String,
        token_url: String,
        client_id: String,
        redirect_uri: String,
        client_secret: Option<String>,
        secret_in_body: bool,
        scope: Option<String>,
        app_token: Option<String>,
        app_token_header: Option<String>,
        store: JsValue,
        store_key: Option<String>,
        cookie_secret: Option<String>,
        fetch: Option<Function>,
    ) -> std::result::Result<OAuthCore, JsValue> {
        let build = || -> Result<OAuthCore> {
            let app_token = match (app_token, app_token_header) {
                (Some(token), Some(header)) if !header.is_empty() => Some((header, Secret::new(token))),
                (None, None) => None,
                (Some(_), _) => return Err(Error::invalid_input("appTokenHeader", "is required with appToken (cyzen's header name is not public)")),
                (None, Some(_)) => return Err(Error::invalid_input("appToken", "is required with appTokenHeader")),
            };
            let cfg = OAuthConfig {
                authorize_url,
                token_url,
                client_id,
                client_secret: client_secret.filter(|s| !s.is_empty()).map(Secret::new),
                secret_in_body,
                redirect_uri,
                scope: scope.filter(|s| !s.is_empty()),
                app_token,
                store_prefix: store_key.unwrap_or_else(|| "cyzen".into()),
                cookie_secret: cookie_secret.map(Secret::new),
            };
            Ok(OAuthCore { inner: Rc::new(OAuth::new(cfg, JsStore(store))?), fetch })
        };
        build().map_err(to_js_error)
    }

    /// Another handle on the same state (to give to a client).
    pub fn share(&self) -> OAuthCore {
        OAuthCore { inner: self.inner.clone(), fetch: self.fetch.clone() }
    }

    /// 0 authorizationUrl, 1 handleCallback(url, {cookie}), 2 refresh, 3 getTokens, 4 setTokens(tokens),
    /// 5 a usable access token `{ token, generation }` (refreshed first when expired), 6 the token
    /// replacing generation `arg` (after a 401; one refresh for every caller with that generation).
    pub fn run(&self, op: u32, arg: JsValue, options: JsValue) -> Promise {
        let oauth = self.inner.clone();
        let fetch = self.fetch.clone();
        promise(async move {
            let rt = runtime_from(&options, fetch, None)?;
            let rt = Counted { rt: &rt, pacer: None };
            Ok(match op {
                0 => {
                    let start = boxed(oauth.authorization_url(&rt)).await?;
                    let obj = Object::new();
                    set(&obj, "url", &start.url.into());
                    set(&obj, "state", &start.state.into());
                    if let Some(cookie) = start.cookie {
                        set(&obj, "cookie", &cookie.into());
                    }
                    obj.into()
                }
                1 => {
                    let url = arg.as_string().ok_or_else(|| Error::invalid_input("callbackUrl", "must be a string or URL"))?;
                    let cookie = opt_string(&options, "cookie")?;
                    tokens_to_js(&boxed(oauth.handle_callback(&rt, &url, cookie.as_deref())).await?)
                }
                2 => tokens_to_js(&boxed(oauth.refresh(&rt)).await?),
                3 => oauth.tokens().await?.as_ref().map_or(JsValue::NULL, tokens_to_js),
                5 | 6 => {
                    let (token, generation) = match op {
                        5 => boxed(oauth.current(&rt)).await?,
                        _ => boxed(oauth.renew(&rt, arg.as_f64().unwrap_or(0.0) as u64)).await.map(|(t, g)| (t.access_token, g))?,
                    };
                    let obj = Object::new();
                    set(&obj, "token", &token.expose().into());
                    set(&obj, "generation", &JsValue::from_f64(generation as f64));
                    obj.into()
                }
                _ => {
                    oauth.replace(tokens_from_js(&arg)?).await?;
                    JsValue::UNDEFINED
                }
            })
        })
    }
}

fn route_of(name: &str, value: &JsValue) -> Result<Route> {
    let res = crate::cyzen::paths::find(name).ok_or_else(|| Error::invalid_input(format!("paths.{name}"), "is not a cyzen resource"))?;
    let mut route = Route { path: res.path.into(), list_key: res.list_key.into(), id_key: res.id_key.into() };
    if let Some(path) = value.as_string() {
        route.path = path;
        return Ok(route);
    }
    let at = |k: &str| opt_string(value, k).map_err(|e| e.with_field(format!("paths.{name}.{k}")));
    if let Some(p) = at("path")? {
        route.path = p;
    }
    if let Some(k) = at("listKey")? {
        route.list_key = k;
    }
    if let Some(k) = at("idKey")? {
        route.id_key = k;
    }
    Ok(route)
}

/// The client behind `CyzenClient`. Not part of the public API.
#[wasm_bindgen]
pub struct ClientCore {
    inner: Rc<Client<JsStore>>,
    fetch: Option<Function>,
    token_fetch: Option<Function>,
}

async fn blob_bytes(handle: BlobHandle) -> Result<Vec<u8>> {
    let blob = handle.downcast_ref::<web_sys::Blob>().cloned().ok_or_else(|| Error::new(ErrorCode::Decode, "not a Blob"))?;
    let promise = blob.array_buffer();
    let buffer = JsFuture::from(promise).await.map_err(|e| js_error(ErrorCode::Network, "the response body could not be read", e))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

#[wasm_bindgen]
impl ClientCore {
    /// Settings read by the TypeScript wrapper (see `CyzenClientOptions`): the shared OAuth state,
    /// or a static token. Nothing is sent.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        company_id: String,
        base_url: Option<String>,
        requests_per_second: Option<u32>,
        max_retries: Option<u32>,
        paths: JsValue,
        fetch: Option<Function>,
        static_token: Option<String>,
        oauth: Option<OAuthCore>,
        proxy: bool,
    ) -> std::result::Result<ClientCore, JsValue> {
        let build = || -> Result<ClientCore> {
            let mut cfg = ClientConfig::new(company_id);
            if let Some(url) = base_url {
                cfg.base_url = url;
            }
            if let Some(rps) = requests_per_second {
                cfg.requests_per_second = rps as usize;
            }
            if let Some(retries) = max_retries {
                cfg.retry.max_retries = retries.min(10);
            }
            cfg.paths = route_overrides(&paths)?;
            let (auth, token_fetch) = match (oauth, static_token) {
                _ if proxy => (Auth::Proxy, None),
                (Some(core), _) => (Auth::OAuth(core.inner.clone()), core.fetch.clone().or_else(|| fetch.clone())),
                (None, Some(token)) => (Auth::Static(Secret::new(token)), None),
                (None, None) => return Err(Error::invalid_input("auth", "must be a CyzenOAuth or { staticToken }")),
            };
            Ok(ClientCore { inner: Rc::new(Client::new(cfg, auth)?), fetch, token_fetch })
        };
        build().map_err(to_js_error)
    }

    /// 0 list page(filter, cursor), 1 create(input), 2 update(id, input), 3 delete(id), 4 image(id).
    /// Resolves with `{ items, cursor, next }`, the server's answer object, or a `Blob`.
    pub fn run(&self, op: u32, resource: String, a: JsValue, b: JsValue, options: JsValue) -> Promise {
        let client = self.inner.clone();
        let (fetch, token_fetch) = (self.fetch.clone(), self.token_fetch.clone());
        promise(async move {
            let rt = runtime_from(&options, fetch, None)?;
            let token_rt = FetchRuntime { fetch: token_fetch, ..rt.clone() };
            let id = || a.as_string().ok_or_else(|| Error::invalid_input("id", "must be a string"));
            Ok(match op {
                0 => {
                    let filter = string_pairs(&a, "filter")?;
                    let cursor = if is_absent(&b) { None } else { Some(string_pairs(&b, "cursor")?) };
                    let page = boxed(client.list_page(&rt, &token_rt, &resource, &filter, cursor.as_deref())).await?;
                    let obj = Object::new();
                    set(&obj, "items", &to_js(Value::Array(page.items)));
                    set(&obj, "cursor", &pairs_to_object(&page.cursor));
                    set(&obj, "next", &page.next.as_deref().map_or(JsValue::NULL, |n| pairs_to_object(n).into()));
                    obj.into()
                }
                4 => {
                    let response = boxed(client.image(&rt, &token_rt, &id()?, blob_bytes)).await?;
                    response.blob.as_ref().and_then(|b| b.downcast_ref::<web_sys::Blob>()).map(JsValue::from).unwrap_or(JsValue::NULL)
                }
                _ => {
                    let (kind, id, input) = match op {
                        1 => (ADD, None, &a),
                        2 => (UPDATE, Some(id()?), &b),
                        _ => (DELETE, Some(id()?), &JsValue::UNDEFINED),
                    };
                    let input = string_pairs(input, "input")?;
                    let answer = boxed(client.write(&rt, &token_rt, &resource, kind, id.as_deref(), &input)).await?;
                    to_js(Value::Object(answer))
                }
            })
        })
    }
}


fn route_overrides(paths: &JsValue) -> Result<Vec<(String, Route)>> {
    let mut out = Vec::new();
    if !is_absent(paths) {
        for entry in Object::entries(paths.unchecked_ref()).iter() {
            let pair: Array = entry.unchecked_into();
            let name = pair.get(0).as_string().unwrap_or_default();
            out.push((name.clone(), route_of(&name, &pair.get(1))?));
        }
    }
    Ok(out)
}

/// The planner behind `createCyzenProxy` (not part of the public API).
#[wasm_bindgen]
pub struct CyzenProxyCore {
    config: ProxyConfig,
}

#[wasm_bindgen]
impl CyzenProxyCore {
    /// Checks the settings (`INVALID_INPUT` naming the option at fault); `allow` is an array of
    /// patterns or `undefined` (`["@default"]`).
    #[wasm_bindgen(constructor)]
    pub fn new(base_url: Option<String>, company_id: Option<String>, paths: JsValue, allow: JsValue) -> std::result::Result<CyzenProxyCore, JsValue> {
        let build = || -> Result<CyzenProxyCore> {
            let patterns: Vec<String> = if Array::is_array(&allow) {
                Array::from(&allow)
                    .iter()
                    .enumerate()
                    .map(|(i, p)| p.as_string().ok_or_else(|| Error::invalid_input(format!("allow[{i}]"), "must be a string")))
                    .collect::<Result<_>>()?
            } else {
                vec!["@default".to_string()]
            };
            let config = ProxyConfig::new(base_url, company_id.unwrap_or_default(), route_overrides(&paths)?, &patterns)?;
            Ok(CyzenProxyCore { config })
        };
        build().map_err(to_js_error)
    }

    /// The decision for an incoming request: `{ forward: true, url, method, path, resource,
    /// allowed, body? }` or `{ forward: false, status, message }`.
    pub fn plan(&self, method: &str, url: &str, content_type: Option<String>, body: Option<String>) -> Object {
        let out = Object::new();
        match decide(&self.config, method, url, content_type.as_deref(), body.as_deref()) {
            Decision::Forward { url, method, path, resource, allowed, body } => {
                set(&out, "forward", &JsValue::TRUE);
                set(&out, "url", &url.into());
                set(&out, "method", &method.into());
                set(&out, "path", &path.into());
                set(&out, "resource", &resource.into());
                set(&out, "allowed", &allowed.into());
                if let Some(body) = body {
                    set(&out, "body", &body.into());
                }
            }
            Decision::Refuse { status, message } => {
                set(&out, "forward", &JsValue::FALSE);
                set(&out, "status", &status.into());
                set(&out, "message", &message.into());
            }
        }
        out
    }
}
