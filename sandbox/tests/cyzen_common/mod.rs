//! Shared helpers for the cyzen sandbox tests: serve `cyzen::router()` on 127.0.0.1:0 and talk to it
//! over real HTTP with reqwest.
#![allow(dead_code)]

use cyzen_senselink_sandbox::cyzen::{router, CyzenConfig};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const ANCHOR: &str = "2025-06-15T00:00:00";
pub const STATIC: &str = "sandbox-static-token";

pub struct Server {
    pub base: String,
    pub http: reqwest::Client,
    pub company: String,
    pub info: Value,
}

/// A config for data tests: pinned timeline, no rate limit.
pub fn test_config() -> CyzenConfig {
    CyzenConfig {
        anchor: Some(ANCHOR.to_string()),
        rate_limit_per_sec: 0,
        ..Default::default()
    }
}

pub async fn start(cfg: CyzenConfig) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router(cfg, 7)).await.unwrap();
    });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("http://{addr}");
    let info: Value = http
        .get(format!("{base}/__admin/cyzen/info"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let company = info["company_id"].as_str().unwrap().to_string();
    Server {
        base,
        http,
        company,
        info,
    }
}

pub fn enc(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

pub async fn body_json(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// GET `/webapi/v0{path}` with `company_id` added first.
    pub async fn get(&self, path: &str, params: &[(&str, &str)], token: &str) -> (u16, Value) {
        let mut all = vec![("company_id", self.company.as_str())];
        all.extend_from_slice(params);
        self.get_exact(path, &all, token).await
    }

    /// GET with exactly these parameters.
    pub async fn get_exact(
        &self,
        path: &str,
        params: &[(&str, &str)],
        token: &str,
    ) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}/webapi/v0{}?{}", self.base, path, enc(params)))
            .header("Authorization", format!("bearer {token}"))
            .send()
            .await
            .unwrap();
        body_json(r).await
    }

    /// Form-encoded write (`company_id` added first).
    pub async fn write(
        &self,
        method: reqwest::Method,
        path: &str,
        params: &[(&str, &str)],
        token: &str,
    ) -> (u16, Value) {
        let mut all = vec![("company_id", self.company.as_str())];
        all.extend_from_slice(params);
        let url = format!("{}/webapi/v0{}", self.base, path);
        let req = if method == reqwest::Method::DELETE {
            self.http.delete(format!("{url}?{}", enc(&all)))
        } else {
            self.http
                .request(method, url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(enc(&all))
        };
        body_json(
            req.header("Authorization", format!("bearer {token}"))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .request(method, format!("{}/__admin/cyzen{}", self.base, path))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        body_json(r).await
    }

    pub async fn config(&self, patch: Value) -> Value {
        let (s, v) = self.admin(reqwest::Method::POST, "/config", patch).await;
        assert_eq!(s, 200, "{v}");
        v
    }

    pub async fn stats(&self) -> Value {
        self.admin(reqwest::Method::GET, "/stats", json!(null))
            .await
            .1
    }

    /// Walk every page the way a client should: echo back every non-empty `next_*` field.
    /// Returns (items, number of pages).
    pub async fn walk(
        &self,
        path: &str,
        list_key: &str,
        params: &[(&str, &str)],
        token: &str,
    ) -> (Vec<Value>, usize) {
        let mut cursor: BTreeMap<String, String> = BTreeMap::new();
        let mut items = Vec::new();
        let mut pages = 0;
        loop {
            let mut all: Vec<(&str, &str)> = params.to_vec();
            all.extend(cursor.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let (s, v) = self.get(path, &all, token).await;
            assert_eq!(s, 200, "{path} {all:?}: {v}");
            assert!(v.get("errors").is_none(), "{v}");
            let page = v[list_key]
                .as_array()
                .unwrap_or_else(|| panic!("{path}: no list under {list_key}: {v}"));
            assert!(page.len() <= 200, "page larger than 200");
            pages += 1;
            items.extend(page.iter().cloned());
            let next: BTreeMap<String, String> = v
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, val)| {
                    k.starts_with("next_") && val.as_str().is_some_and(|s| !s.is_empty())
                })
                .map(|(k, val)| (k.clone(), val.as_str().unwrap().to_string()))
                .collect();
            if next.is_empty() {
                break;
            }
            assert!(!page.is_empty(), "non-last page must not be empty");
            cursor = next;
            assert!(pages < 100, "runaway pagination");
        }
        (items, pages)
    }

    pub fn count(&self, table: &str) -> usize {
        self.info["counts"][table].as_u64().unwrap() as usize
    }
}

pub fn ids(items: &[Value], key: &str) -> Vec<String> {
    items
        .iter()
        .map(|i| i[key].as_str().unwrap().to_string())
        .collect()
}

pub fn assert_unique(ids: &[String]) {
    let set: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(set.len(), ids.len(), "duplicates across pages");
}

pub fn err_code(v: &Value) -> i64 {
    v["errors"][0]["err_code"].as_i64().unwrap_or(-1)
}

/// `YYYY-MM-DDThh:mm:ss` arithmetic for the tests (seconds offset from the anchor).
pub fn at(offset_secs: i64) -> String {
    let base = 1_749_945_600i64; // 2025-06-15T00:00:00Z
    let ts = base + offset_secs;
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    // civil_from_days
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

pub const DAY: i64 = 86_400;
