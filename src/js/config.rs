//! Options shared by a client and its proxy: SenseLink's connection settings, cyzen's `paths`.

#[allow(unused_imports)]
use crate::prelude::*;

use wasm_bindgen::prelude::*;

use super::value::{opt_bool, opt_int, opt_number, opt_text};
use crate::cyzen::client::Route;
use crate::cyzen::resources;
use crate::doc::{Doc, Kind};
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::senselink::client::DEFAULT_RETRY;
use crate::senselink::{Config, Edition};

/// A SenseLink client's settings from its options (`proxy` read only when `proxy_mode`).
pub(super) fn senselink_config(options: &JsValue, proxy_mode: bool) -> Result<Config, Error> {
    if !options.is_object() {
        return Err(Error::invalid_input("options", "must be an object"));
    }
    let edition = match opt_text(options, "edition")? {
        None => Edition::Cloud,
        Some(name) => Edition::parse(&name)
            .ok_or_else(|| Error::invalid_input("edition", "must be \"cloud\" or \"enterprise\""))?,
    };
    Ok(Config {
        base_url: opt_text(options, "baseUrl")?.unwrap_or_default(),
        app_key: opt_text(options, "appKey")?.unwrap_or_default(),
        app_secret: Secret::new(opt_text(options, "appSecret")?.unwrap_or_default()),
        edition,
        clock_offset_ms: opt_number(options, "clockOffsetMs")?.unwrap_or(0.0),
        proxy: proxy_mode && opt_bool(options, "proxy")?.unwrap_or(false),
        retry: match opt_int(options, "maxRetries", 0, 10)? {
            Some(retries) => RetryPolicy { max_retries: retries, ..DEFAULT_RETRY },
            None => DEFAULT_RETRY,
        },
    })
}

fn route_of(name: &str, value: &JsValue) -> Result<Route> {
    let res = resources::find(name)
        .ok_or_else(|| Error::invalid_input(format!("paths.{name}"), "is not a cyzen resource"))?;
    let mut route = Route { path: res.path.into(), list_key: res.list_key.into(), id_key: res.id_key.into() };
    if let Some(path) = value.as_string() {
        route.path = path;
        return Ok(route);
    }
    let at = |k: &str| opt_text(value, k).map_err(|e| e.with_field(format!("paths.{name}.{k}")));
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

/// The `paths` option: resource name → route.
pub(super) fn route_overrides(options: &JsValue) -> Result<Vec<(String, Route)>> {
    let Some(paths) = options.given("paths") else { return Ok(Vec::new()) };
    if paths.kind() != Kind::Object {
        return Err(Error::invalid_input("paths", "must be an object"));
    }
    paths
        .keys()
        .into_iter()
        .map(|name| Ok((name.clone(), route_of(&name, &paths.get(&name).unwrap_or(JsValue::UNDEFINED))?)))
        .collect()
}
