//! Helpers shared by the sandbox's own integration tests: start a sandbox on a free port, sign
//! SenseLink requests, build multipart bodies.
#![allow(dead_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use cyzen_senselink_sandbox::{start, Config, RunningSandbox};
use md5::{Digest, Md5};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

pub const APP_KEY: &str = "sandbox-app-key";
pub const APP_SECRET: &str = "sandbox-app-secret";

/// A running sandbox plus an HTTP client.
pub struct Sandbox {
    pub running: RunningSandbox,
    pub base: String,
    pub http: reqwest::Client,
}

/// Starts a sandbox on 127.0.0.1:0 with `configure` applied to the default config.
pub async fn start_with(configure: impl FnOnce(&mut Config)) -> Sandbox {
    let mut config = Config { listen: "127.0.0.1:0".parse().unwrap(), ..Config::default() };
    configure(&mut config);
    let running = start(config).await.expect("sandbox starts");
    let base = running.base_url();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    Sandbox { running, base, http }
}

/// Starts a default sandbox (seed 1, Cloud).
pub async fn sandbox() -> Sandbox {
    start_with(|_| {}).await
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Lowercase hex md5 of `timestamp#secret`.
pub fn sign(timestamp: &str, secret: &str) -> String {
    Md5::digest(format!("{timestamp}#{secret}").as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// `app_key=..&timestamp=..&sign=..` for the default credentials and the current time.
pub fn signed_query() -> String {
    signed_query_at(now_ms())
}

pub fn signed_query_at(timestamp_ms: i64) -> String {
    let ts = timestamp_ms.to_string();
    format!("app_key={APP_KEY}&timestamp={ts}&sign={}", sign(&ts, APP_SECRET))
}

/// Percent-encodes a query value (UTF-8).
pub fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A JPEG-looking file (magic bytes + a tag that makes it unique).
pub fn jpeg(tag: &str) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00];
    bytes.extend_from_slice(tag.as_bytes());
    bytes.extend_from_slice(&[0xff, 0xd9]);
    bytes
}

/// A file part with a file name and `image/jpeg`.
pub fn photo_part(bytes: Vec<u8>, filename: &str) -> Part {
    Part::bytes(bytes).file_name(filename.to_string()).mime_str("image/jpeg").unwrap()
}

/// Builds a multipart form from text fields.
pub fn form(fields: &[(&str, &str)]) -> Form {
    fields.iter().fold(Form::new(), |form, (k, v)| form.text(k.to_string(), v.to_string()))
}

impl Sandbox {
    /// `base + path` with a fresh signature appended.
    pub fn signed(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{}{path}{sep}{}", self.base, signed_query())
    }

    /// Signed GET, JSON answer (asserts HTTP 200).
    pub async fn get(&self, path: &str) -> Value {
        let response = self.http.get(self.signed(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    /// Signed multipart POST, JSON answer (asserts HTTP 200).
    pub async fn post_form(&self, path: &str, form: Form) -> Value {
        let response = self.http.post(self.signed(path)).multipart(form).send().await.unwrap();
        assert_eq!(response.status(), 200, "POST {path}");
        response.json().await.unwrap()
    }

    /// Signed JSON POST, JSON answer (asserts HTTP 200).
    pub async fn post_json(&self, path: &str, body: &Value) -> Value {
        let response = self.http.post(self.signed(path)).json(body).send().await.unwrap();
        assert_eq!(response.status(), 200, "POST {path}");
        response.json().await.unwrap()
    }

    /// GET on an admin path.
    pub async fn admin_get(&self, path: &str) -> Value {
        self.http.get(format!("{}{path}", self.base)).send().await.unwrap().json().await.unwrap()
    }

    /// POST JSON on an admin path.
    pub async fn admin_post(&self, path: &str, body: &Value) -> Value {
        self.http.post(format!("{}{path}", self.base)).json(body).send().await.unwrap().json().await.unwrap()
    }

    /// `GET /__admin/senselink/summary`.
    pub async fn summary(&self) -> Value {
        self.admin_get("/__admin/senselink/summary").await
    }

    /// Id of a seeded group by type (1 employee, 2 visitor, 3 deny list): the first one.
    pub async fn group_id(&self, kind: i64) -> i64 {
        let summary = self.summary().await;
        summary["groups"].as_array().unwrap().iter().find(|g| g["type"] == kind).unwrap()["id"].as_i64().unwrap()
    }

    /// A sample id from the summary (`employees_with_photo`, `visitors`, ...).
    pub async fn sample_id(&self, key: &str) -> i64 {
        self.summary().await["sample_ids"][key][0].as_i64().unwrap()
    }

    /// One person from the list API by id.
    pub async fn person(&self, id: i64) -> Value {
        let answer = self.get(&format!("/api/v1/user/list?id={id}")).await;
        assert_eq!(answer["code"], 200, "{answer}");
        answer["data"][0].clone()
    }
}

/// The envelope code.
pub fn code(answer: &Value) -> i64 {
    answer["code"].as_i64().unwrap_or_else(|| panic!("no code in {answer}"))
}
