//! JavaScript bindings of the SenseLink client: one class, `SenseLinkCore`, with a generic async
//! `call` (every operation goes through it, which keeps the wasm small) and the proxy planner, plus
//! the push-event parser. The public API (`SenseLinkClient`, `createSenseLinkProxy`, …) is the
//! TypeScript wrapper in `pkg-template/src/senselink.ts`.

use std::rc::Rc;

use js_sys::{Function, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{file_input, get, leading_bytes, is_absent, opt_bool, opt_function, opt_number, opt_string, opt_uint, set};
use super::http::runtime_from;
use super::to_js_error;
use crate::error::Error;
use crate::secret::Secret;
use crate::senselink::photo::{Photo, SNIFF_BYTES};
use crate::senselink::proxy::{decide, expand_allow, Decision, ProxyConfig};
use crate::senselink::{Client, Config, Edition};

struct Inner {
    client: Option<Client>,
    proxy: Option<ProxyConfig>,
    fetch: Option<Function>,
    timeout_ms: Option<u32>,
}

/// The engine behind `SenseLinkClient` and `createSenseLinkProxy` (not part of the public API).
#[wasm_bindgen]
pub struct SenseLinkCore {
    inner: Rc<Inner>,
}

fn json_to_js(value: &crate::json::Value) -> JsValue {
    if value.is_null() {
        return JsValue::UNDEFINED;
    }
    js_sys::JSON::parse(&crate::senselink::json::to_json(value)).unwrap_or(JsValue::UNDEFINED)
}

fn read_options(options: &JsValue, for_proxy: bool) -> Result<Inner, Error> {
    if !options.is_object() {
        return Err(Error::invalid_input("options", "must be an object"));
    }
    let edition = match opt_string(options, "edition")? {
        None => Edition::Cloud,
        Some(name) => Edition::parse(&name).ok_or_else(|| Error::invalid_input("edition", "must be \"cloud\" or \"enterprise\""))?,
    };
    let config = Config {
        base_url: opt_string(options, "baseUrl")?.unwrap_or_default(),
        app_key: opt_string(options, "appKey")?.unwrap_or_default(),
        app_secret: Secret::new(opt_string(options, "appSecret")?.unwrap_or_default()),
        edition,
        clock_offset_ms: opt_number(options, "clockOffsetMs")?.unwrap_or(0.0),
        proxy: !for_proxy && opt_bool(options, "proxy")?.unwrap_or(false),
    };
    // The proxy signs like a direct client: the same checks apply to its settings.
    let client = Client::new(config)?;
    let proxy = if for_proxy {
        let allow = get(options, "allow");
        let patterns: Vec<String> = if js_sys::Array::is_array(&allow) {
            js_sys::Array::from(&allow)
                .iter()
                .enumerate()
                .map(|(i, p)| p.as_string().ok_or_else(|| Error::invalid_input(format!("allow[{i}]"), "must be a string")))
                .collect::<Result<_, _>>()?
        } else {
            vec!["@default".to_string()]
        };
        let c = client.config();
        Some(ProxyConfig {
            base_url: c.base_url.clone(),
            app_key: c.app_key.clone(),
            app_secret: c.app_secret.clone(),
            clock_offset_ms: c.clock_offset_ms,
            allow: expand_allow(&patterns)?,
        })
    } else {
        None
    };
    let timeout = opt_uint(options, "timeoutMs")?;
    if timeout.is_some_and(|ms| ms == 0 || ms > u64::from(u32::MAX)) {
        return Err(Error::invalid_input("timeoutMs", "must be between 1 and 4294967295"));
    }
    Ok(Inner {
        client: (!for_proxy).then_some(client),
        proxy,
        fetch: opt_function(options, "fetch")?,
        timeout_ms: timeout.map(|ms| ms as u32),
    })
}

#[wasm_bindgen]
impl SenseLinkCore {
    /// Checks the options (`INVALID_INPUT` naming the option at fault). `forProxy` builds the
    /// signing proxy's planner instead of a client.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, for_proxy: bool) -> Result<SenseLinkCore, JsValue> {
        let inner = read_options(&options, for_proxy).map_err(to_js_error)?;
        Ok(SenseLinkCore { inner: Rc::new(inner) })
    }

    /// Runs one operation: `input` is the JSON text of the input without the photo, `avatar` the
    /// photo (`Blob`, `Uint8Array`, `ArrayBuffer` or `undefined`), `head` the first bytes of a `Blob`.
    pub fn call(&self, operation: String, input: String, avatar: JsValue, head: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        super::spawn_promise(Box::pin(async move {
            let run = async {
                let client = inner.client.as_ref().ok_or_else(|| Error::invalid_input("operation", "this core is a proxy planner"))?;
                let input: crate::json::Value =
                    crate::json::from_slice(input.as_bytes()).map_err(|_| Error::invalid_input("input", "must be JSON-serialisable"))?;
                let photo = if is_absent(&avatar) {
                    None
                } else {
                    let (data, filename, _) = file_input(&avatar, "avatar")?;
                    // A Blob's first bytes come from the wrapper (read with `blob.slice`); bytes given
                    // directly are sniffed here.
                    let head = head
                        .dyn_ref::<Uint8Array>()
                        .map(Uint8Array::to_vec)
                        .or_else(|| leading_bytes(&avatar, SNIFF_BYTES as u32))
                        .unwrap_or_default();
                    Some(Photo { data, filename, head })
                };
                let runtime = runtime_from(&options, inner.fetch.clone(), inner.timeout_ms)?;
                client.call(&runtime, &operation, &input, photo).await
            };
            match run.await {
                Ok(value) => Ok(json_to_js(&value)),
                Err(error) => Err(to_js_error(error)),
            }
        }))
    }

    /// The proxy's decision for an incoming `method url`:
    /// `{ forward: true, url, path, method, allowed }` or `{ forward: false, status, message }`.
    #[wasm_bindgen(js_name = proxyPlan)]
    pub fn proxy_plan(&self, method: &str, url: &str) -> Result<Object, JsValue> {
        let config = self
            .inner
            .proxy
            .as_ref()
            .ok_or_else(|| to_js_error(Error::invalid_input("operation", "this core is not a proxy planner")))?;
        let out = Object::new();
        match decide(config, method, url, js_sys::Date::now()) {
            Decision::Forward { url, path, method, allowed } => {
                set(&out, "forward", &JsValue::TRUE);
                set(&out, "url", &url.into());
                set(&out, "path", &path.into());
                set(&out, "method", &method.into());
                set(&out, "allowed", &allowed.into());
            }
            Decision::Refuse { status, message } => {
                set(&out, "forward", &JsValue::FALSE);
                set(&out, "status", &status.into());
                set(&out, "message", &message.into());
            }
        }
        Ok(out)
    }
}

/// Parses a SenseLink push body (text, or an already parsed object) into a typed event.
#[wasm_bindgen(js_name = parseSenseLinkEvent)]
pub fn parse_senselink_event(body: JsValue) -> Result<JsValue, JsValue> {
    let text = match body.as_string() {
        Some(text) => text,
        None if body.is_object() => js_sys::JSON::stringify(&body)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| to_js_error(Error::invalid_input("body", "cannot be serialised as JSON")))?,
        None => return Err(to_js_error(Error::invalid_input("body", "must be the request body text or its parsed JSON object"))),
    };
    crate::senselink::events::parse_event(&text).map(|v| json_to_js(&v)).map_err(to_js_error)
}
