//! Decisions of the cyzen proxy (`createCyzenProxy`), as plain functions.
//!
//! A browser page uses `new CyzenClient({ baseUrl: "/cyzen", auth: { proxy: true } })`: it paces,
//! retries and paginates as usual but sends no token and no `company_id`. The proxy (in a Worker)
//! finds the resource named by the end of the path (`/cyzen/spots` → `spots`), refuses anything that
//! is not a clean path of the resource table, checks the method against the allow-list (default:
//! exactly the operations of the vendor's table), refuses (400) a query or form body that carries
//! `company_id` in any spelling (`Company_Id`, `company_id[]`, `%63ompany_id`; see
//! [`is_reserved_param`]) and adds its own — to the query of GET/DELETE, to the form body of POST/PUT. Taking the token (refreshing
//! it on expiry or a 401), forwarding and calling the caller's `authorize` hook happen in the
//! TypeScript wrapper.
//!
//! Allow-list patterns: `"[GET |POST |PUT |DELETE ]/path"` with the resource's path (`/spots`);
//! `"@default"` stands for every operation the table lists, so `["GET /spots"]` narrows and
//! `["@default", "GET /images"]` extends.

#[allow(unused_imports)]
use crate::prelude::*;

use super::client::Route;
use super::resources::{self, Resource, ADD, DELETE, GET, UPDATE};
use crate::error::{Error, Result};
use crate::http::{form_urlencode, join_url, parse_form_urlencoded, split_url};
use crate::senselink::proxy::is_reserved_param;

/// Parameters only the proxy may set.
pub const PROXY_PARAMS: &[&str] = &["company_id"];

/// Proxy settings.
#[derive(Clone, Debug)]
pub struct ProxyConfig {
    /// Upstream cyzen base URL (`https://ext.cyzen.cloud/webapi/v0`).
    pub base_url: String,
    /// Tenant id added to every call.
    pub company_id: String,
    /// Every resource with where it lives (the table, with the caller's overrides applied).
    pub routes: Vec<(&'static Resource, Route)>,
    /// Allow-list patterns, expanded (no `@default`).
    pub allow: Vec<String>,
}

/// What to do with one incoming request.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Forward to `url` with `method` (and `body`, form-encoded, for POST/PUT).
    Forward {
        /// Upstream URL with the caller's query (minus `company_id`) and the proxy's `company_id`.
        url: String,
        /// `GET`, `POST`, `PUT` or `DELETE`.
        method: String,
        /// The cyzen path (`/spots`).
        path: String,
        /// The resource's name in the JavaScript API (`spots`).
        resource: String,
        /// Whether the allow-list admits `method path`.
        allowed: bool,
        /// The rewritten form body of POST/PUT.
        body: Option<String>,
    },
    /// Answer with this status and explanation; send nothing upstream.
    Refuse {
        /// HTTP status.
        status: u16,
        /// Reason (no credentials).
        message: String,
    },
}

fn method_of(op: u8) -> &'static str {
    match op {
        ADD => "POST",
        UPDATE => "PUT",
        DELETE => "DELETE",
        _ => "GET",
    }
}

fn op_of(method: &str) -> Option<u8> {
    match method {
        "GET" => Some(GET),
        "POST" => Some(ADD),
        "PUT" => Some(UPDATE),
        "DELETE" => Some(DELETE),
        _ => None,
    }
}

fn route_path(route: &Route) -> String {
    format!("/{}", route.path.trim_matches('/'))
}

impl ProxyConfig {
    /// Checks the settings: an absolute base URL, a tenant id, known resource names in
    /// `overrides`, well-formed allow-list patterns (`INVALID_INPUT` naming the option).
    pub fn new(
        base_url: Option<String>,
        company_id: String,
        overrides: Vec<(String, Route)>,
        allow: &[String],
    ) -> Result<ProxyConfig> {
        let base_url = base_url.unwrap_or_else(|| super::client::DEFAULT_BASE_URL.to_string());
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) || base_url.contains(['?', '#']) {
            return Err(Error::invalid_input("baseUrl", "must be an absolute http(s) URL without query"));
        }
        if company_id.trim().is_empty() {
            return Err(Error::invalid_input("companyId", "is required (the tenant id, 32 hex characters)"));
        }
        let mut routes = Vec::new();
        for res in resources::RESOURCES {
            let route = match overrides.iter().find(|(name, _)| name == res.name) {
                Some((_, route)) => route.clone(),
                None => Route { path: res.path.into(), list_key: res.list_key.into(), id_key: res.id_key.into() },
            };
            routes.push((res, route));
        }
        if let Some((name, _)) = overrides.iter().find(|(name, _)| resources::find(name).is_none()) {
            return Err(Error::invalid_input(format!("paths.{name}"), "is not a cyzen resource"));
        }
        let mut config =
            ProxyConfig { base_url: base_url.trim_end_matches('/').to_string(), company_id, routes, allow: Vec::new() };
        for (i, pattern) in allow.iter().enumerate() {
            if pattern == "@default" {
                let defaults = config.default_allow();
                config.allow.extend(defaults);
                continue;
            }
            let (method, path) = match pattern.split_once(' ') {
                Some((m, p)) => (Some(m), p),
                None => (None, pattern.as_str()),
            };
            let known = config.routes.iter().any(|(_, r)| route_path(r) == path);
            if method.is_some_and(|m| op_of(m).is_none()) || !known {
                return Err(Error::invalid_input(
                    format!("allow[{i}]"),
                    "must be \"@default\" or \"[GET |POST |PUT |DELETE ]/<resource path>\" (e.g. \"GET /spots\")",
                ));
            }
            config.allow.push(pattern.clone());
        }
        Ok(config)
    }

    /// Every operation of the vendor's table, as patterns (`GET /spots`, `POST /spots`, …).
    pub fn default_allow(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (res, route) in &self.routes {
            for op in [GET, ADD, UPDATE, DELETE] {
                if res.has(op) {
                    out.push(format!("{} {}", method_of(op), route_path(route)));
                }
            }
        }
        out
    }
}

/// Whether a pattern admits `method path`.
pub fn pattern_matches(pattern: &str, method: &str, path: &str) -> bool {
    match pattern.split_once(' ') {
        Some((m, p)) => m == method && p == path,
        None => pattern == path,
    }
}

fn with_company(company_id: &str, pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out = vec![("company_id".to_string(), company_id.to_string())];
    out.extend(pairs);
    out
}

fn carries_company(pairs: &[(String, String)]) -> bool {
    pairs.iter().any(|(key, _)| is_reserved_param(key, PROXY_PARAMS))
}

const COMPANY_REFUSED: &str =
    "company_id is added by the proxy: the request may not carry it (in any case, [] form or encoding)";

/// Decides what to do with `method url` (with the POST/PUT body and its `Content-Type`).
pub fn decide(
    config: &ProxyConfig,
    method: &str,
    url: &str,
    content_type: Option<&str>,
    body: Option<&str>,
) -> Decision {
    let refuse = |status: u16, message: String| Decision::Refuse { status, message };
    let (without_query, query) = split_url(url);
    let full_path = crate::http::url_path(&without_query).trim_end_matches('/');
    let clean = full_path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/_-.".contains(&b))
        && !full_path.contains("//")
        && !full_path.split('/').any(|s| s == "." || s == "..");
    if !clean {
        return refuse(400, "the path must be a plain cyzen path (letters, digits, / _ - .; no dot segments)".into());
    }
    // The resource named by the end of the path; the longest match wins (overridden paths may nest).
    let found = config
        .routes
        .iter()
        .map(|(res, route)| (res, route_path(route)))
        // Route paths start with `/`, so a suffix match ends on a segment boundary.
        .filter(|(_, path)| full_path.ends_with(path.as_str()))
        .max_by_key(|(_, path)| path.len());
    let Some((res, path)) = found else {
        return refuse(404, "no cyzen resource at the end of the path (e.g. /cyzen/spots)".into());
    };
    let method = method.to_ascii_uppercase();
    let Some(op) = op_of(&method) else {
        return refuse(405, format!("{method} is not a cyzen method (GET, POST, PUT and DELETE only)"));
    };
    let allowed = config.allow.iter().any(|p| pattern_matches(p, &method, &path));
    if carries_company(&query) {
        return refuse(400, COMPANY_REFUSED.into());
    }
    let (query, body) = match op {
        ADD | UPDATE => {
            let mime = content_type.unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            if mime != "application/x-www-form-urlencoded" {
                return refuse(415, "cyzen writes are application/x-www-form-urlencoded".into());
            }
            let fields = parse_form_urlencoded(body.unwrap_or(""));
            if carries_company(&fields) {
                return refuse(400, COMPANY_REFUSED.into());
            }
            (query, Some(form_urlencode(&with_company(&config.company_id, fields))))
        }
        _ => (with_company(&config.company_id, query), None),
    };
    let mut url = join_url(&config.base_url, &path);
    if !query.is_empty() {
        url.push('?');
        url.push_str(&form_urlencode(&query));
    }
    Decision::Forward { url, method, path, resource: res.name.to_string(), allowed, body }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cyzen::client::{Auth, Client, ClientConfig};
    use crate::cyzen::testing::{block_on, Reply, Sim};
    use crate::http::Body;
    use serde_json::json;

    const COMPANY: &str = "0123456789abcdef0123456789abcdef";

    fn config(allow: &[&str]) -> ProxyConfig {
        let allow: Vec<String> = allow.iter().map(|s| s.to_string()).collect();
        ProxyConfig::new(Some("http://127.0.0.1:8787/webapi/v0/".into()), COMPANY.into(), Vec::new(), &allow).unwrap()
    }

    fn forward(d: Decision) -> (String, String, String, String, bool, Option<String>) {
        match d {
            Decision::Forward { url, method, path, resource, allowed, body } => {
                (url, method, path, resource, allowed, body)
            }
            other => panic!("{other:?}"),
        }
    }

    fn status(d: Decision) -> u16 {
        match d {
            Decision::Refuse { status, .. } => status,
            Decision::Forward { .. } => 0,
        }
    }

    #[test]
    fn company_id_is_added_to_the_query_and_the_form_body() {
        let c = config(&["@default"]);
        let (url, method, path, resource, allowed, body) = forward(decide(
            &c,
            "get",
            "https://w.example/cyzen/spots?updated_from=2024-06-01T00%3A00%3A00&next_spot_id=s9#x",
            None,
            None,
        ));
        assert_eq!(
            (method.as_str(), path.as_str(), resource.as_str(), allowed, body),
            ("GET", "/spots", "spots", true, None)
        );
        assert_eq!(url, format!("http://127.0.0.1:8787/webapi/v0/spots?company_id={COMPANY}&updated_from=2024-06-01T00%3A00%3A00&next_spot_id=s9"));
        let (url, method, _, _, allowed, body) = forward(decide(
            &c,
            "POST",
            "/cyzen/spots",
            Some("application/x-www-form-urlencoded;charset=UTF-8"),
            Some("spot_name=%E6%9C%AC%E7%A4%BE+A&lat=35.6"),
        ));
        assert_eq!((url.as_str(), method.as_str(), allowed), ("http://127.0.0.1:8787/webapi/v0/spots", "POST", true));
        assert_eq!(body.unwrap(), format!("company_id={COMPANY}&spot_name=%E6%9C%AC%E7%A4%BE+A&lat=35.6"));
        let (url, _, _, _, _, body) = forward(decide(&c, "DELETE", "/cyzen/spots?spot_id=s1", None, Some("ignored=1")));
        assert_eq!(url, format!("http://127.0.0.1:8787/webapi/v0/spots?company_id={COMPANY}&spot_id=s1"));
        assert_eq!(body, None);
    }

    #[test]
    fn the_default_allow_list_is_the_vendor_table() {
        let c = config(&["@default"]);
        for res in resources::RESOURCES {
            for op in [GET, ADD, UPDATE, DELETE] {
                let ct = Some("application/x-www-form-urlencoded");
                let (_, _, path, name, allowed, _) =
                    forward(decide(&c, method_of(op), &format!("https://w/cyzen/{}", res.path), ct, Some("")));
                assert_eq!((path, name.as_str()), (format!("/{}", res.path), res.name));
                assert_eq!(allowed, res.has(op), "{} {}", method_of(op), res.path);
            }
        }
    }

    #[test]
    fn patterns_narrow_and_extend_and_are_checked() {
        let allowed = |c: &ProxyConfig, m: &str, p: &str| {
            matches!(
                decide(c, m, p, Some("application/x-www-form-urlencoded"), None),
                Decision::Forward { allowed: true, .. }
            )
        };
        let narrow = config(&["GET /spots"]);
        assert!(allowed(&narrow, "GET", "/c/spots"));
        assert!(!allowed(&narrow, "POST", "/c/spots"));
        assert!(!allowed(&narrow, "GET", "/c/users"));
        let extended = config(&["@default", "POST /reports", "/histories"]);
        assert!(allowed(&extended, "POST", "/c/reports"));
        assert!(allowed(&extended, "DELETE", "/c/histories"));
        assert!(allowed(&extended, "PUT", "/c/spots"));
        assert!(!allowed(&extended, "DELETE", "/c/reports"));
        for bad in ["/nope", "PATCH /spots", "spots", "GET  /spots"] {
            let e = ProxyConfig::new(None, COMPANY.into(), Vec::new(), &[bad.to_string()]).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("allow[0]"), "{bad}");
        }
        assert_eq!(
            ProxyConfig::new(None, " ".into(), Vec::new(), &[]).unwrap_err().field.as_deref(),
            Some("companyId")
        );
        assert_eq!(
            ProxyConfig::new(Some("/rel".into()), COMPANY.into(), Vec::new(), &[]).unwrap_err().field.as_deref(),
            Some("baseUrl")
        );
    }

    #[test]
    fn overridden_paths_are_used_and_the_longest_match_wins() {
        let route = Route { path: "/v2/spot_members".into(), list_key: "rows".into(), id_key: "spot_staff_id".into() };
        let c =
            ProxyConfig::new(None, COMPANY.into(), vec![("spotStaff".into(), route)], &["@default".into()]).unwrap();
        let (url, _, path, name, allowed, _) = forward(decide(&c, "GET", "/cyzen/v2/spot_members", None, None));
        assert_eq!((path.as_str(), name.as_str(), allowed), ("/v2/spot_members", "spotStaff", true));
        assert!(url.starts_with("https://ext.cyzen.cloud/webapi/v0/v2/spot_members?company_id="));
        assert_eq!(status(decide(&c, "GET", "/cyzen/spot_staffs", None, None)), 404);
        let e = ProxyConfig::new(
            None,
            COMPANY.into(),
            vec![("spotz".into(), Route { path: "x".into(), list_key: "x".into(), id_key: "x".into() })],
            &[],
        );
        assert_eq!(e.unwrap_err().field.as_deref(), Some("paths.spotz"));
    }

    #[test]
    fn refusals() {
        let c = config(&["@default"]);
        assert_eq!(status(decide(&c, "GET", "https://w/cyzen/login", None, None)), 404);
        assert_eq!(status(decide(&c, "GET", "https://w/cyzen/xspots", None, None)), 404);
        assert_eq!(status(decide(&c, "GET", "https://w/cyzen/../spots", None, None)), 400);
        assert_eq!(status(decide(&c, "GET", "https://w/cyzen/sp%6fts", None, None)), 400);
        assert_eq!(status(decide(&c, "GET", "https://w/cyzen//spots", None, None)), 400);
        assert_eq!(status(decide(&c, "PATCH", "https://w/cyzen/spots", None, None)), 405);
        assert_eq!(status(decide(&c, "POST", "https://w/cyzen/spots", Some("application/json"), Some("{}"))), 415);
        assert_eq!(status(decide(&c, "PUT", "https://w/cyzen/spots", None, Some("a=1"))), 415);
        assert_eq!(status(decide(&c, "GET", "/spots/", None, None)), 0);
    }

    #[test]
    fn company_id_in_any_spelling_is_refused_in_the_query_and_the_form_body() {
        let c = config(&["@default"]);
        let form = Some("application/x-www-form-urlencoded");
        for key in [
            "company_id",
            "COMPANY_ID",
            "Company_Id",
            "company_id[]",
            "company_id[0]",
            "company_id%5B%5D",
            "%63ompany_id",
            "%2563ompany_id",
            "companyId",
            "company-id",
            "company.id",
            "company+id",
            "company_id%00",
            "x%26company_id%3D1",
        ] {
            let decision = decide(&c, "GET", &format!("https://w/cyzen/spots?{key}=ffff&spot_id=1"), None, None);
            assert!(
                matches!(&decision, Decision::Refuse { status: 400, message } if message.contains("company_id")),
                "GET {key}: {decision:?}"
            );
            let decision = decide(&c, "DELETE", &format!("https://w/cyzen/spots?spot_id=1&{key}=ffff"), None, None);
            assert_eq!(status(decision), 400, "DELETE {key}");
            let body = format!("spot_name=x&{key}=ffff");
            assert_eq!(status(decide(&c, "POST", "https://w/cyzen/spots", form, Some(&body))), 400, "POST body {key}");
            assert_eq!(status(decide(&c, "PUT", "https://w/cyzen/spots", form, Some(&body))), 400, "PUT body {key}");
            let url = format!("https://w/cyzen/spots?{key}=ffff");
            assert_eq!(status(decide(&c, "POST", &url, form, Some("spot_name=x"))), 400, "POST query {key}");
        }
        for key in ["company", "company_name", "companies", "id"] {
            assert_eq!(status(decide(&c, "GET", &format!("https://w/cyzen/spots?{key}=1"), None, None)), 0, "{key}");
            assert_eq!(
                status(decide(&c, "POST", "https://w/cyzen/spots", form, Some(&format!("{key}=1")))),
                0,
                "{key}"
            );
        }
    }

    /// A proxy-mode client's requests, rewritten by the proxy, are exactly what a direct client sends
    /// (the token aside): lists with cursors, writes, deletes and images.
    #[test]
    fn a_proxy_mode_client_through_the_proxy_sends_what_a_direct_client_sends() {
        fn script(req: &crate::http::Request, _: f64) -> Reply {
            if req.url.contains("/spots") && req.method() == crate::http::Method::Get {
                let body = if req.query_value("next_spot_id").is_some() {
                    r#"{"spots":[{"spot_id":"b"}]}"#
                } else {
                    r#"{"spots":[{"spot_id":"a"}],"next_spot_id":"b"}"#
                };
                return Reply::json(200, body);
            }
            Reply::json(200, r#"{"spot_id":"s1"}"#)
        }
        let direct_sim = Sim::new(0.0, script);
        let proxy_sim = Sim::new(0.0, script);
        let mut cfg = ClientConfig::new(COMPANY);
        cfg.base_url = "http://127.0.0.1:8787/webapi/v0".into();
        let direct = Client::new(cfg, Auth::Static(crate::secret::Secret::new("tok-1"))).unwrap();
        let mut cfg = ClientConfig::new("");
        cfg.base_url = "/cyzen".into();
        let browser = Client::new(cfg, Auth::Proxy).unwrap();
        let filter = json!({"updated_from": "2024-06-01T00:00:00", "updated_to": "2024-06-03T00:00:00"});
        let input = json!({"spot_name": "本社 A", "latitude": "35.6"});
        for (client, sim) in [(&direct, &direct_sim), (&browser, &proxy_sim)] {
            block_on(sim, async {
                let first = client.list_page(sim, "spots", &filter, None).await.unwrap();
                let next = first
                    .next
                    .map(|pairs| serde_json::Value::Object(pairs.into_iter().map(|(k, v)| (k, json!(v))).collect()));
                client.list_page(sim, "spots", &filter, next.as_ref()).await.unwrap();
                client.write(sim, "spots", ADD, None, &input).await.unwrap();
                client.write(sim, "spots", UPDATE, Some("s1"), &input).await.unwrap();
                client.write(sim, "spots", DELETE, Some("s1"), &json!({})).await.unwrap();
            });
        }
        let c = config(&["@default"]);
        let direct_log = direct_sim.log();
        let proxy_log = proxy_sim.log();
        assert_eq!(direct_log.len(), 5);
        assert_eq!(proxy_log.len(), 5);
        for (d, p) in direct_log.iter().zip(&proxy_log) {
            let (d, p) = (&d.request, &p.request);
            assert_eq!(p.header_value("Authorization"), None);
            assert_eq!(d.header_value("Authorization"), Some("bearer tok-1"));
            assert_eq!(p.header_value("X-Requested-With"), Some("cyzen-senselink"), "the proxy requires it on writes");
            assert_eq!(d.header_value("X-Requested-With"), None);
            assert!(p.url.starts_with("/cyzen/spots"), "{}", p.url);
            assert!(p.query.iter().all(|(k, _)| k != "company_id"), "{:?}", p.query);
            let (body, ct) = match &p.body {
                Body::Form(fields) => {
                    assert!(fields.iter().all(|(k, _)| k != "company_id"));
                    (Some(form_urlencode(fields)), Some("application/x-www-form-urlencoded"))
                }
                _ => (None, None),
            };
            let (url, method, _, _, allowed, new_body) =
                forward(decide(&c, p.method().as_str(), &p.full_url(), ct, body.as_deref()));
            assert!(allowed);
            assert_eq!((url, method), (d.full_url(), d.method().as_str().to_string()));
            let direct_body = match &d.body {
                Body::Form(fields) => Some(form_urlencode(fields)),
                _ => None,
            };
            assert_eq!(new_body, direct_body);
        }
    }

    #[test]
    fn a_proxy_mode_client_needs_no_company_id_and_takes_a_path_as_base() {
        let client = |base: &str, auth: Auth| {
            let mut cfg = ClientConfig::new("");
            cfg.base_url = base.into();
            Client::new(cfg, auth)
        };
        assert!(client("/cyzen", Auth::Proxy).is_ok());
        assert!(client("https://w.example/cyzen", Auth::Proxy).is_ok());
        assert_eq!(client("//evil.example", Auth::Proxy).err().unwrap().field.as_deref(), Some("baseUrl"));
        assert_eq!(
            client("/cyzen", Auth::Static(crate::secret::Secret::new("t"))).err().unwrap().field.as_deref(),
            Some("companyId")
        );
        // A 401 from the proxy is final (the proxy refreshes), and typed.
        let sim = Sim::new(0.0, |_, _| {
            Reply::json(401, r#"{"errors":[{"err_code":40100,"err_msg":"not signed in to cyzen"}]}"#)
        });
        let c = client("/cyzen", Auth::Proxy).unwrap();
        let e = block_on(&sim, c.list_page(&sim, "users", &json!({}), None)).unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::CyzenUnauthorized);
        assert_eq!(e.message, "not signed in to cyzen");
        assert_eq!(sim.log().len(), 1);
    }
}
