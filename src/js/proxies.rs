//! The planners behind the signing proxies (`createCyzenProxy`, `createSenseLinkProxy` in
//! `pkg-template/src/*-proxy.ts`): they check a proxy's settings and decide, for each incoming
//! request, whether it is forwarded and where. Server-side only (feature `proxies`); the
//! forwarding itself is the wrapper's one transport.

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::Object;
use wasm_bindgen::prelude::*;

use super::to_js_error;
use super::value::{allow_patterns, object, opt_text, set};
use crate::error::Result;

use crate::cyzen::proxy::{decide as decide_cyzen, Decision as CyzenDecision, ProxyConfig as CyzenProxyConfig};
use crate::senselink::proxy::{
    decide as decide_senselink, expand_allow, is_read, Decision as SenseLinkDecision,
    ProxyConfig as SenseLinkProxyConfig,
};

/// The planner behind `createCyzenProxy` (not part of the public API).
#[wasm_bindgen]
pub struct CyzenProxyCore {
    config: CyzenProxyConfig,
}

#[wasm_bindgen]
impl CyzenProxyCore {
    /// Checks the settings (`INVALID_INPUT` naming the option at fault).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> core::result::Result<CyzenProxyCore, JsValue> {
        let build = || -> Result<CyzenProxyCore> {
            let company_id = opt_text(&options, "companyId")?.unwrap_or_default();
            let config = CyzenProxyConfig::new(
                opt_text(&options, "baseUrl")?,
                company_id,
                super::config::route_overrides(&options)?,
                &allow_patterns(&options)?,
            )?;
            Ok(CyzenProxyCore { config })
        };
        build().map_err(to_js_error)
    }

    /// The decision for an incoming request: `{ forward: true, url, method, path, resource,
    /// allowed, body? }` or `{ forward: false, status, message }`.
    pub fn plan(&self, method: &str, url: &str, content_type: Option<String>, body: Option<String>) -> Object {
        match decide_cyzen(&self.config, method, url, content_type.as_deref(), body.as_deref()) {
            CyzenDecision::Forward { url, method, path, resource, allowed, body } => {
                let out = object(&[
                    ("forward", JsValue::TRUE),
                    ("url", url.into()),
                    ("method", method.into()),
                    ("path", path.into()),
                    ("resource", resource.into()),
                    ("allowed", allowed.into()),
                ]);
                if let Some(body) = body {
                    set(&out, "body", &body.into());
                }
                out
            }
            CyzenDecision::Refuse { status, message } => {
                object(&[("forward", JsValue::FALSE), ("status", status.into()), ("message", message.into())])
            }
        }
    }
}

/// The planner behind `createSenseLinkProxy` (not part of the public API).
#[wasm_bindgen]
pub struct SenseLinkProxyCore {
    config: SenseLinkProxyConfig,
}

#[wasm_bindgen]
impl SenseLinkProxyCore {
    /// Checks the options (the same checks as a direct client) and the `allow` patterns.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> core::result::Result<SenseLinkProxyCore, JsValue> {
        let build = || -> Result<SenseLinkProxyCore> {
            let client = crate::senselink::Client::new(super::config::senselink_config(&options, false)?)?;
            let c = client.config();
            let config = SenseLinkProxyConfig {
                base_url: c.base_url.clone(),
                app_key: c.app_key.clone(),
                app_secret: c.app_secret.clone(),
                clock_offset_ms: c.clock_offset_ms,
                allow: expand_allow(&allow_patterns(&options)?)?,
            };
            Ok(SenseLinkProxyCore { config })
        };
        build().map_err(to_js_error)
    }

    /// Whether `method url` is one of the client's reads (a GET the table marks as a read); every
    /// other request must carry the header a plain cross-site request cannot.
    pub fn reads(&self, method: &str, url: &str) -> bool {
        is_read(method, url)
    }

    /// The decision for an incoming `method url` at `now`:
    /// `{ forward: true, url, path, method, allowed }` or `{ forward: false, status, message }`.
    pub fn plan(&self, method: &str, url: &str, now: f64) -> Object {
        match decide_senselink(&self.config, method, url, now) {
            SenseLinkDecision::Forward { url, path, method, allowed } => object(&[
                ("forward", JsValue::TRUE),
                ("url", url.into()),
                ("path", path.into()),
                ("method", method.into()),
                ("allowed", allowed.into()),
            ]),
            SenseLinkDecision::Refuse { status, message } => {
                object(&[("forward", JsValue::FALSE), ("status", status.into()), ("message", message.into())])
            }
        }
    }
}
