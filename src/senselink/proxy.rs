//! Decisions of the signing proxy (`createSenseLinkProxy`), as plain functions.
//!
//! A browser page calls `https://worker.example/<mount>/api/v1/user/list?...` without credentials.
//! The proxy finds the `/api/...` path after its mount point, refuses anything that is not a clean
//! SenseLink path, checks it against the allow-list, refuses (400) a query that carries `app_key` /
//! `timestamp` / `sign` in any spelling (see [`is_reserved_param`]), and builds the upstream URL with
//! a fresh signature. Executing the forward (streaming
//! the body through the runtime's `fetch`) and calling the caller's `authorize` hook happen in the
//! TypeScript wrapper.
//!
//! Allow-list patterns: `"[METHOD ]/api/path"`, where a path segment `*` stands for one segment
//! (an id) and a trailing `/**` for any remainder; `"@default"` stands for [`default_allow`], so
//! `["@default", "GET /api/v3/device/delete"]` extends the default and a list without it narrows.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::Error;
use crate::http::{form_urlencode, join_url, parse_form_urlencoded, split_url};
use crate::secret::Secret;

use super::operations::OPERATIONS;
use super::sign::auth_query;

/// Every endpoint the client calls, on both editions: the proxy's default allow-list, derived from
/// the operations table (`{id}` becomes `*`).
pub fn default_allow() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for op in OPERATIONS {
        for path in [Some(op.path), op.path_enterprise].into_iter().flatten() {
            let pattern = format!("{} {}", op.method.as_str(), path.replace("{id}", "*"));
            if !out.contains(&pattern) {
                out.push(pattern);
            }
        }
    }
    out
}

/// Query parameters a client may not set: the proxy signs.
pub const SIGNING_PARAMS: &[&str] = &["app_key", "timestamp", "sign"];

/// How many times a key is decoded again when looking for a reserved name inside it.
const MAX_DECODE_DEPTH: u8 = 3;

/// The name a lenient server could read `key` as: trailing `[...]` groups removed (`company_id[]`,
/// `sign[0]`), Unicode case folded through upper case (`APP_KEY`, `Sign`, `ſign`), and everything
/// but ASCII letters and digits dropped (`app-key`, `app.key`, `Company_Id`, `appKey`).
fn canonical_param_name(key: &str) -> String {
    let mut name = key.trim_end();
    while let Some(rest) = name.strip_suffix(']').and_then(|inner| inner.rfind('[').and_then(|open| inner.get(..open)))
    {
        name = rest.trim_end();
    }
    name.chars().map(ascii_fold).filter(char::is_ascii_alphanumeric).collect()
}

/// A character's ASCII lower-case letter when some server's case-insensitive comparison could read
/// it as one: ASCII letters, and the four non-ASCII characters whose Unicode case mappings are
/// ASCII (`ſ` → `S`, the Kelvin sign `K` → `k`, dotless `ı` → `I`, dotted `İ` → `i`). Listing
/// them spares the wasm Unicode's case tables (`to_uppercase`/`to_lowercase` cost about 10 KB).
fn ascii_fold(c: char) -> char {
    match c {
        '\u{17F}' => 's',
        '\u{212A}' => 'k',
        '\u{131}' | '\u{130}' => 'i',
        _ => c.to_ascii_lowercase(),
    }
}

/// Whether a query or form key (already percent-decoded once) may stand for one of `reserved`
/// (parameters only a proxy sets) on some server: its [canonical form](canonical_param_name)
/// matches, it carries a control character (C-string truncation), or a name hidden in it by a
/// second encoding or separator (`%73ign`, `x&sign=1`, `a;sign`) does. Shared by both proxies.
pub fn is_reserved_param(key: &str, reserved: &[&str]) -> bool {
    reserved_at(key, reserved, 0)
}

fn reserved_at(key: &str, reserved: &[&str], depth: u8) -> bool {
    let canonical = canonical_param_name(key);
    if key.chars().any(char::is_control) || reserved.iter().any(|name| canonical == canonical_param_name(name)) {
        return true;
    }
    depth < MAX_DECODE_DEPTH
        && key.contains(['%', '&', ';', '=', '+'])
        && key.split(';').flat_map(parse_form_urlencoded).any(|(inner, _)| reserved_at(&inner, reserved, depth + 1))
}

/// Proxy settings.
#[derive(Clone, Debug)]
pub struct ProxyConfig {
    /// Upstream SenseLink base URL.
    pub base_url: String,
    /// App key.
    pub app_key: String,
    /// App secret.
    pub app_secret: Secret,
    /// Added to the local clock when signing.
    pub clock_offset_ms: f64,
    /// Allow-list patterns (already expanded: no `@default`).
    pub allow: Vec<String>,
}

/// What to do with one incoming request.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Forward to `url` (signed). `allowed` is the allow-list verdict for `method path`.
    Forward {
        /// Upstream URL with business query and fresh signature.
        url: String,
        /// The SenseLink path (`/api/...`).
        path: String,
        /// `GET` or `POST`.
        method: String,
        /// Whether the allow-list admits it.
        allowed: bool,
    },
    /// Answer with this status and explanation; send nothing upstream.
    Refuse {
        /// HTTP status.
        status: u16,
        /// Reason (no credentials).
        message: String,
    },
}

/// Checks and expands allow-list patterns (`@default` → [`default_allow`]).
pub fn expand_allow(patterns: &[String]) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for (i, pattern) in patterns.iter().enumerate() {
        if pattern == "@default" {
            out.extend(default_allow());
            continue;
        }
        let path = pattern.rsplit(' ').next().unwrap_or("");
        let method_ok = match pattern.split_once(' ') {
            Some((method, _)) => matches!(method, "GET" | "POST"),
            None => true,
        };
        if !path.starts_with("/api/") || !method_ok || pattern.matches(' ').count() > 1 {
            return Err(Error::invalid_input(
                format!("allow[{i}]"),
                "must be \"@default\" or \"[GET |POST ]/api/...\" (segments may be * ; a trailing /** matches the rest)",
            ));
        }
        out.push(pattern.clone());
    }
    Ok(out)
}

/// Whether a pattern admits `method path`.
pub fn pattern_matches(pattern: &str, method: &str, path: &str) -> bool {
    let (wanted_method, pattern_path) = match pattern.split_once(' ') {
        Some((m, p)) => (Some(m), p),
        None => (None, pattern),
    };
    if wanted_method.is_some_and(|m| m != method) {
        return false;
    }
    if let Some(prefix) = pattern_path.strip_suffix("/**") {
        return path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'));
    }
    let mut want = pattern_path.split('/');
    let mut have = path.split('/');
    loop {
        match (want.next(), have.next()) {
            (None, None) => return true,
            (Some("*"), Some(segment)) if !segment.is_empty() => {}
            (Some(w), Some(h)) if w == h => {}
            _ => return false,
        }
    }
}

/// Whether `method url` is a read the client makes: a GET of an operation the table marks as a
/// read (lists, searches, versions). Everything else — every POST, the GET endpoints that delete
/// or move a person out (`/api/v1/user/delete/{id}`, `/api/v2/black/move/out`…), and GETs the
/// table does not know (an extended allow-list) — changes state as far as the proxy can tell, and
/// must carry the header a plain cross-site request cannot (the wrapper checks it).
pub fn is_read(method: &str, url: &str) -> bool {
    if !method.eq_ignore_ascii_case("GET") {
        return false;
    }
    let (without_query, _) = split_url(url);
    let full_path = crate::http::url_path(&without_query);
    let Some(path) = full_path.find("/api/").and_then(|start| full_path.get(start..)) else {
        return false;
    };
    OPERATIONS.iter().filter(|op| op.read && op.method == crate::http::Method::Get).any(|op| {
        [Some(op.path), op.path_enterprise]
            .into_iter()
            .flatten()
            .any(|pattern| pattern_matches(&pattern.replace("{id}", "*"), "GET", path))
    })
}

/// Decides what to do with `method url` at local time `now_ms`.
pub fn decide(config: &ProxyConfig, method: &str, url: &str, now_ms: f64) -> Decision {
    let refuse = |status: u16, message: String| Decision::Refuse { status, message };
    let (without_query, query) = split_url(url);
    let full_path = crate::http::url_path(&without_query);
    let Some(path) = full_path.find("/api/").and_then(|start| full_path.get(start..)) else {
        return refuse(404, "no SenseLink path (/api/...) after the proxy's mount point".into());
    };
    let clean = path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/_-.".contains(&b))
        && !path.contains("//")
        && !path.split('/').any(|s| s == "." || s == "..");
    if !clean {
        return refuse(
            400,
            "the path must be a plain SenseLink path (letters, digits, / _ - .; no dot segments)".into(),
        );
    }
    let method = method.to_ascii_uppercase();
    if method != "GET" && method != "POST" {
        return refuse(405, format!("{method} is not a SenseLink method (GET and POST only)"));
    }
    if query.iter().any(|(key, _)| is_reserved_param(key, SIGNING_PARAMS)) {
        return refuse(
            400,
            "app_key, timestamp and sign are added by the proxy: the request may not carry them (in any case, [] form or encoding)".into(),
        );
    }
    let allowed = config.allow.iter().any(|p| pattern_matches(p, &method, path));
    let mut upstream_query = query;
    upstream_query.extend(auth_query(&config.app_key, &config.app_secret, now_ms + config.clock_offset_ms));
    let url = format!("{}?{}", join_url(&config.base_url, path), form_urlencode(&upstream_query));
    Decision::Forward { url, path: path.to_string(), method, allowed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::senselink::Edition;

    fn config(allow: &[&str]) -> ProxyConfig {
        ProxyConfig {
            base_url: "http://127.0.0.1:8787".into(),
            app_key: "key".into(),
            app_secret: Secret::new("2323dsfadfewrasa3434"),
            clock_offset_ms: 0.0,
            allow: expand_allow(&allow.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap(),
        }
    }

    #[test]
    fn unsigned_in_signed_out() {
        let d = decide(
            &config(&["@default"]),
            "get",
            "https://w.example/senselink/api/v1/user/list?name=%E4%BD%90&page=2#x",
            1_477_881_215_000.0,
        );
        let Decision::Forward { url, path, method, allowed } = d else { panic!("{d:?}") };
        assert_eq!((path.as_str(), method.as_str(), allowed), ("/api/v1/user/list", "GET", true));
        assert_eq!(
            url,
            "http://127.0.0.1:8787/api/v1/user/list?name=%E4%BD%90&page=2&app_key=key&timestamp=1477881215000&sign=e5ef72ef839bdf5397b4906b199b9fbf"
        );
        assert!(!url.contains("2323dsfadfewrasa3434"));
    }

    #[test]
    fn the_default_allow_list_admits_exactly_what_the_client_calls() {
        let c = config(&["@default"]);
        for edition in [Edition::Cloud, Edition::Enterprise] {
            for op in OPERATIONS {
                let url = format!("https://w/sl{}", op.path_on(edition).replace("{id}", "12"));
                match decide(&c, op.method.as_str(), &url, 0.0) {
                    Decision::Forward { allowed, .. } => assert!(allowed, "{} {url}", op.name),
                    other => panic!("{}: {other:?}", op.name),
                }
            }
        }
        for (method, path) in [
            ("GET", "/api/v3/device/delete"),
            ("POST", "/api/v3/device/update"),
            ("POST", "/api/v1/user/list"),
            ("GET", "/api/v1/user/delete"),
            ("GET", "/api/v1/user/delete/5/x"),
        ] {
            let Decision::Forward { allowed, .. } = decide(&c, method, &format!("https://w{path}"), 0.0) else {
                panic!()
            };
            assert!(!allowed, "{method} {path}");
        }
        assert_eq!(default_allow().len(), 28);
    }

    #[test]
    fn reads_are_the_tables_read_gets_and_nothing_else() {
        for url in [
            "https://w/sl/api/v1/user/list?page=1",
            "https://w/api/v2/device",
            "https://w/x/api/v5/record/list",
            "https://w/api/v3/record/list",
            "https://w/api/v1/group",
        ] {
            assert!(is_read("GET", url), "{url}");
            assert!(is_read("get", url), "{url}");
        }
        for (method, url) in [
            ("GET", "https://w/sl/api/v1/user/delete/5"),
            ("GET", "https://w/api/v1/guest/delete/5"),
            ("GET", "https://w/api/v2/black/move/out?id=5"),
            ("GET", "https://w/api/v2/black/delete/5"),
            ("GET", "https://w/api/v1/group/delete/5"),
            ("GET", "https://w/api/v3/device/delete"),
            ("POST", "https://w/api/v1/user/list"),
            ("POST", "https://w/api/v1/recognition/check"),
            ("GET", "https://w/nothing"),
            ("GET", "https://w/api/v1/user/list/x"),
            ("DELETE", "https://w/api/v1/user/list"),
        ] {
            assert!(!is_read(method, url), "{method} {url}");
        }
    }

    #[test]
    fn patterns_narrow_and_extend() {
        let narrow = config(&["GET /api/v1/user/list"]);
        let allowed = |c: &ProxyConfig, m: &str, p: &str| {
            matches!(decide(c, m, &format!("http://w{p}"), 0.0), Decision::Forward { allowed: true, .. })
        };
        assert!(allowed(&narrow, "GET", "/api/v1/user/list"));
        assert!(!allowed(&narrow, "POST", "/api/v1/user"));
        let extended = config(&["@default", "GET /api/v3/device/delete", "/api/v9/**"]);
        assert!(allowed(&extended, "GET", "/api/v3/device/delete"));
        assert!(allowed(&extended, "POST", "/api/v1/user"));
        assert!(allowed(&extended, "POST", "/api/v9/a/b"));
        assert!(!allowed(&extended, "POST", "/api/v90"));
        assert!(pattern_matches("/api/v2/user/update/*", "POST", "/api/v2/user/update/12"));
        assert!(!pattern_matches("/api/v2/user/update/*", "POST", "/api/v2/user/update/"));
        for bad in ["/v1/user", "DELETE /api/v1/user", "GET  /api/v1/user", "api/v1/user"] {
            let e = expand_allow(&[bad.to_string()]).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("allow[0]"), "{bad}");
        }
    }

    #[test]
    fn refusals() {
        let c = config(&["@default"]);
        let status = |m: &str, u: &str| match decide(&c, m, u, 0.0) {
            Decision::Refuse { status, .. } => status,
            Decision::Forward { .. } => 0,
        };
        assert_eq!(status("GET", "https://w/senselink/other"), 404);
        assert_eq!(status("GET", "https://w/api/v1/../admin"), 400);
        assert_eq!(status("GET", "https://w/api/v1/user%2Flist"), 400);
        assert_eq!(status("GET", "https://w/api//v1/user/list"), 400);
        assert_eq!(status("DELETE", "https://w/api/v1/user/list"), 405);
        assert_eq!(status("GET", "/sl/api/v1/user/list"), 0);
    }

    #[test]
    fn signing_parameters_in_any_spelling_are_refused_with_400() {
        let c = config(&["@default"]);
        let decision = |query: &str| decide(&c, "GET", &format!("https://w/sl/api/v1/user/list?size=1&{query}"), 0.0);
        for query in [
            "app_key=evil",
            "timestamp=1",
            "sign=forged",
            "sign",
            "APP_KEY=x",
            "Sign=x",
            "TimeStamp=1",
            "sign[]=x",
            "app_key[]=x",
            "sign[0]=x",
            "timestamp[a][b]=1",
            "Sign%5B%5D=x",
            "%73ign=x",
            "%2573ign=x",
            "%252573ign=x",
            "%61pp_key=x",
            "app-key=x",
            "app.key=x",
            "app+key=x",
            "appKey=x",
            "%C5%BFign=x",
            "sign%00=x",
            "x%26sign%3Dforged=1",
            "a%3Bsign=1",
            " sign =x",
            "si%00gn=1",
        ] {
            match decision(query) {
                Decision::Refuse { status, message } => {
                    assert_eq!(status, 400, "{query}");
                    assert!(message.contains("added by the proxy"), "{message}");
                }
                other => panic!("{query}: {other:?}"),
            }
        }
        for query in ["sign_time=1", "signature=x", "name=sign", "timestamps=1", "design=1", "page=app_key"] {
            assert!(matches!(decision(query), Decision::Forward { .. }), "{query}");
        }
    }

    #[test]
    fn reserved_names_are_found_without_panicking_on_odd_keys() {
        for key in [
            "",
            "[",
            "]",
            "[]",
            "][",
            "sign]",
            "[sign]",
            "é[",
            "日本[語]",
            "%",
            "%%",
            "%E3%81",
            "&&&",
            ";;=",
            "sign[[]]",
        ] {
            let _ = is_reserved_param(key, SIGNING_PARAMS);
        }
        assert!(is_reserved_param("company_id[]", &["company_id"]));
        assert!(is_reserved_param("Company_Id", &["company_id"]));
        assert!(is_reserved_param("COMPANYID", &["company_id"]));
        assert!(!is_reserved_param("company", &["company_id"]));
        assert!(!is_reserved_param("[sign]", SIGNING_PARAMS));
    }
}
