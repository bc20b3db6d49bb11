//! JavaScript bindings of the cyzen client: `OAuthCore` (the OAuth state shared by `CyzenOAuth` and
//! the clients and proxies using it), `CyzenCore` (the client behind `CyzenClient`) and
//! `CyzenProxyCore` (the planner behind `createCyzenProxy`). Every network step is a [`Task`] the
//! wrapper drives; the public API is `pkg-template/src/cyzen.ts`.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::rc::Rc;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::task::HostRuntime;
use super::task::Task;
use super::to_js_error;
use super::value::{array_of, object, opt_int, opt_text, pairs_object, set};
use crate::cyzen::client::{Auth, Client, ClientConfig, Counted};
use crate::cyzen::oauth::{OAuth, OAuthConfig, TokenSet};
use crate::cyzen::resources::{ADD, DELETE, UPDATE};
use crate::doc::{Doc, Kind};
use crate::error::{Error, Result};
use crate::secret::Secret;

fn tokens_to_js(tokens: &TokenSet) -> JsValue {
    let out = object(&[
        ("accessToken", tokens.access_token.expose().into()),
        ("tokenType", tokens.token_type.as_str().into()),
    ]);
    if let Some(rt) = &tokens.refresh_token {
        set(&out, "refreshToken", &rt.expose().into());
    }
    if let Some(at) = tokens.expires_at_ms {
        set(&out, "expiresAt", &JsValue::from_f64(libm::floor(at)));
    }
    if let Some(scope) = &tokens.scope {
        set(&out, "scope", &scope.as_str().into());
    }
    out.into()
}

fn tokens_from_js(value: &JsValue) -> Result<Option<TokenSet>> {
    if value.is_nothing() {
        return Ok(None);
    }
    let field = |k: &str| opt_text(value, k).map_err(|e| e.with_field(format!("tokens.{k}")));
    let access = field("accessToken")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::invalid_input("tokens.accessToken", "is required"))?;
    let expires_at = match value.get("expiresAt").filter(|v| !v.is_null()) {
        None => None,
        Some(at) if matches!(at.kind(), Kind::Number | Kind::Date) => at.number().filter(|n| n.is_finite()),
        Some(_) => return Err(Error::invalid_input("tokens.expiresAt", "must be a Date or Unix milliseconds")),
    };
    Ok(Some(TokenSet {
        access_token: Secret::new(access),
        refresh_token: field("refreshToken")?.filter(|s| !s.is_empty()).map(Secret::new),
        token_type: field("tokenType")?.unwrap_or_else(|| "bearer".into()),
        expires_at_ms: expires_at,
        scope: field("scope")?,
    }))
}

/// The runtime of an OAuth call made outside a client: the same `Counted` wrapper a client's token
/// requests go through (with no pacer), so the OAuth code is compiled once, for one runtime type.
fn unpaced(rt: &HostRuntime) -> Counted<'_, HostRuntime> {
    Counted { rt, pacer: None }
}

fn token_and_generation(token: &Secret, generation: u64) -> JsValue {
    object(&[("token", token.expose().into()), ("generation", JsValue::from_f64(generation as f64))]).into()
}

/// OAuth state shared by `CyzenOAuth` and the clients and proxies using it. Not part of the public API.
#[wasm_bindgen]
pub struct OAuthCore {
    inner: Rc<OAuth>,
}

#[wasm_bindgen]
impl OAuthCore {
    /// Checks the settings (see `CyzenOAuthOptions`); nothing is sent.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> core::result::Result<OAuthCore, JsValue> {
        let build = || -> Result<OAuthCore> {
            if !options.is_object() {
                return Err(Error::invalid_input("options", "must be an object"));
            }
            let required = |k: &str| {
                opt_text(&options, k)?.filter(|s| !s.is_empty()).ok_or_else(|| Error::invalid_input(k, "is required"))
            };
            let secret_in_body = match opt_text(&options, "clientAuthMethod")?.as_deref() {
                None | Some("client_secret_basic") => false,
                Some("client_secret_post") => true,
                Some(_) => {
                    return Err(Error::invalid_input(
                        "clientAuthMethod",
                        "must be \"client_secret_basic\" or \"client_secret_post\"",
                    ))
                }
            };
            let app_token = match (opt_text(&options, "appToken")?, opt_text(&options, "appTokenHeader")?) {
                (Some(token), Some(header)) if !header.is_empty() => Some((header, Secret::new(token))),
                (None, None) => None,
                (Some(_), _) => {
                    return Err(Error::invalid_input(
                        "appTokenHeader",
                        "is required with appToken (cyzen's header name is not public)",
                    ))
                }
                (None, Some(_)) => return Err(Error::invalid_input("appToken", "is required with appTokenHeader")),
            };
            let cfg = OAuthConfig {
                // Only the sign-in steps need these two: a job using stored tokens leaves them out.
                authorize_url: opt_text(&options, "authorizeUrl")?.unwrap_or_default(),
                token_url: required("tokenUrl")?,
                client_id: required("clientId")?,
                client_secret: opt_text(&options, "clientSecret")?.filter(|s| !s.is_empty()).map(Secret::new),
                secret_in_body,
                redirect_uri: opt_text(&options, "redirectUri")?.unwrap_or_default(),
                scope: opt_text(&options, "scope")?.filter(|s| !s.is_empty()),
                app_token,
                store_prefix: opt_text(&options, "storeKey")?.unwrap_or_else(|| "cyzen".into()),
                cookie_secret: opt_text(&options, "cookieSecret")?.map(Secret::new),
            };
            Ok(OAuthCore { inner: Rc::new(OAuth::new(cfg)?) })
        };
        build().map_err(to_js_error)
    }

    /// Another handle on the same state (to give to a client, which takes ownership of it).
    pub fn share(&self) -> OAuthCore {
        OAuthCore { inner: self.inner.clone() }
    }

    /// A task starting an authorization: `{ url, state, cookie? }`.
    #[wasm_bindgen(js_name = authorizationUrl)]
    pub fn authorization_url(&self) -> Task {
        let oauth = self.inner.clone();
        Task::new(move |rt| async move {
            let start = oauth.authorization_url(&unpaced(&rt)).await?;
            let out = object(&[("url", start.url.into()), ("state", start.state.into())]);
            if let Some(cookie) = start.cookie {
                set(&out, "cookie", &cookie.into());
            }
            Ok(out.into())
        })
    }

    /// A task completing an authorization from the callback URL (and the PKCE cookie, in cookie
    /// mode): the tokens.
    #[wasm_bindgen(js_name = handleCallback)]
    pub fn handle_callback(&self, url: String, cookie: Option<String>) -> Task {
        let oauth = self.inner.clone();
        Task::new(move |rt| async move {
            Ok(tokens_to_js(&oauth.handle_callback(&unpaced(&rt), &url, cookie.as_deref()).await?))
        })
    }

    /// A task refreshing now (joining a refresh under way): the new tokens.
    pub fn refresh(&self) -> Task {
        let oauth = self.inner.clone();
        Task::new(move |rt| async move { Ok(tokens_to_js(&oauth.refresh(&unpaced(&rt)).await?)) })
    }

    /// A task reading the current tokens (`null` when signed out).
    #[wasm_bindgen(js_name = getTokens)]
    pub fn get_tokens(&self) -> Task {
        let oauth = self.inner.clone();
        Task::new(move |rt| async move {
            Ok(oauth.tokens(&unpaced(&rt)).await?.as_ref().map_or(JsValue::NULL, tokens_to_js))
        })
    }

    /// A task replacing the tokens (`null` signs out).
    #[wasm_bindgen(js_name = setTokens)]
    pub fn set_tokens(&self, tokens: JsValue) -> Task {
        let oauth = self.inner.clone();
        Task::new(move |rt| async move {
            oauth.replace(&unpaced(&rt), tokens_from_js(&tokens)?).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// A task giving a usable access token and its generation `{ token, generation }` (refreshed
    /// first when expired): what a proxy sends upstream.
    #[wasm_bindgen(js_name = accessToken)]
    pub fn access_token(&self) -> Task {
        let oauth = self.inner.clone();
        Task::new(move |rt| async move {
            let (token, generation) = oauth.current(&unpaced(&rt)).await?;
            Ok(token_and_generation(&token, generation))
        })
    }

    /// A task giving the token that replaces generation `stale` (after a 401): one refresh for every
    /// caller holding that generation.
    #[wasm_bindgen(js_name = renewAfter)]
    pub fn renew_after(&self, stale: f64) -> Task {
        let oauth = self.inner.clone();
        Task::new(move |rt| async move {
            let (tokens, generation) = oauth.renew(&unpaced(&rt), stale.max(0.0) as u64).await?;
            Ok(token_and_generation(&tokens.access_token, generation))
        })
    }
}

/// The client behind `CyzenClient`. Not part of the public API.
#[wasm_bindgen]
pub struct CyzenCore {
    client: Rc<Client>,
}

#[wasm_bindgen(module = "/src/js/host.js")]
extern "C" {
    #[wasm_bindgen(js_name = cursorPageOf)]
    fn cursor_page_of(items: JsValue, cursor: JsValue, next: JsValue) -> JsValue;
}

fn items_of(items: Option<JsValue>, only: Option<Vec<usize>>) -> JsValue {
    let Some(items) = items else { return Array::new().into() };
    match only {
        None => items,
        Some(indices) => array_of(indices.iter().filter_map(|i| items.at(*i))).into(),
    }
}

#[wasm_bindgen]
impl CyzenCore {
    /// Checks the settings (see `CyzenClientOptions`): the shared OAuth state, a static token or
    /// proxy mode. Nothing is sent.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, oauth: Option<OAuthCore>) -> core::result::Result<CyzenCore, JsValue> {
        let build = || -> Result<CyzenCore> {
            if !options.is_object() {
                return Err(Error::invalid_input("options", "must be an object"));
            }
            let auth_option = options.get("auth").unwrap_or(JsValue::UNDEFINED);
            let proxy = oauth.is_none() && auth_option.get("proxy").and_then(|p| p.as_bool()) == Some(true);
            let company_id = opt_text(&options, "companyId")?;
            if proxy && company_id.is_some() {
                return Err(Error::invalid_input(
                    "companyId",
                    "is not used with auth: { proxy: true }; the proxy (createCyzenProxy) adds its own",
                ));
            }
            let mut cfg = ClientConfig::new(company_id.unwrap_or_default());
            if let Some(url) = opt_text(&options, "baseUrl")? {
                cfg.base_url = url;
            }
            if let Some(rps) = opt_int(&options, "requestsPerSecond", 1, 10_000)? {
                cfg.requests_per_second = rps as usize;
            }
            if let Some(retries) = opt_int(&options, "maxRetries", 0, 10)? {
                cfg.retry.max_retries = retries;
            }
            cfg.paths = super::config::route_overrides(&options)?;
            let auth = match oauth {
                Some(core) => Auth::OAuth(core.inner.clone()),
                None if proxy => Auth::Proxy,
                None => match auth_option.get("staticToken").and_then(|t| t.as_string()).filter(|t| !t.is_empty()) {
                    Some(token) => Auth::Static(Secret::new(token)),
                    None => {
                        return Err(Error::invalid_input(
                            "auth",
                            "must be a CyzenOAuth, { staticToken: string } or { proxy: true }",
                        ))
                    }
                },
            };
            Ok(CyzenCore { client: Rc::new(Client::new(cfg, auth)?) })
        };
        build().map_err(to_js_error)
    }

    /// A task fetching one page of `resource` with the caller's `filter` object, from `cursor` (a
    /// page's `next` or a failed page's `error.cursor`): `{ items, cursor, next }`.
    #[wasm_bindgen(js_name = listPage)]
    pub fn list_page(&self, resource: String, filter: JsValue, cursor: JsValue) -> Task {
        let client = self.client.clone();
        Task::new(move |rt| async move {
            let page = client.list_page(&rt, &resource, &filter, Some(&cursor)).await?;
            let next = page.next.as_deref().map_or(JsValue::NULL, pairs_object);
            Ok(cursor_page_of(items_of(page.items, page.only), pairs_object(&page.cursor), next))
        })
    }

    /// A task writing `resource`: `verb` is `create`, `update` or `delete`; `input` the caller's
    /// object of form fields. Resolves with the answer object.
    pub fn write(
        &self,
        resource: String,
        verb: &str,
        id: Option<String>,
        input: JsValue,
    ) -> core::result::Result<Task, JsValue> {
        let op = match verb {
            "create" => ADD,
            "update" => UPDATE,
            "delete" => DELETE,
            _ => return Err(to_js_error(Error::invalid_input("verb", "must be create, update or delete"))),
        };
        let client = self.client.clone();
        Ok(Task::new(move |rt| async move { client.write(&rt, &resource, op, id.as_deref(), &input).await }))
    }

    /// A task fetching one image by id: a `Blob`.
    pub fn image(&self, id: String) -> Task {
        let client = self.client.clone();
        Task::new(move |rt| async move { client.image(&rt, &id).await })
    }
}
