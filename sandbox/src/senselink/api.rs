//! The SenseLink wire conventions: the `{code, message, desc, data}` envelope (always HTTP 200),
//! error codes, and the [`ApiRequest`] extractor that parses query/form/multipart/JSON input and
//! checks the signature before any handler runs.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::auth;
use super::SenseLink;

/// `code` of a successful answer.
pub const CODE_OK: i64 = 200;
/// Deny list missing / wrong person type (move-in, seed 2.4.9).
pub const CODE_PARAM_498: i64 = 498;
/// Face photo rejected or remote sync failure (deny-list endpoints, seed 2.4.8/2.4.11).
pub const CODE_SYNC_FAILED: i64 = 600;
/// A similar person exists (most person endpoints).
pub const CODE_SIMILAR_610: i64 = 610;
/// Batch / group link failure (deny-list endpoints).
pub const CODE_MULTI_REQUEST: i64 = 700;
/// Plan person limit reached (Cloud).
pub const CODE_PERSON_LIMIT: i64 = 709;
/// Invalid parameter.
pub const CODE_PARAM_INVALID: i64 = 30001;
/// Similar person exists, with details in `data` (add employee, seed 2.4.1 example).
pub const CODE_SIMILAR_30002: i64 = 30002;
/// No face in the image (recognition check API).
pub const CODE_NO_FACE: i64 = 30003;
/// Face detection RPC failed.
pub const CODE_RPC_FAILED: i64 = 50001;
/// Person could not be linked to groups (employee update).
pub const CODE_INTERNAL: i64 = 50002;
/// Sandbox choice (real code not public): bad or uppercase `sign`.
pub const CODE_INVALID_SIGN: i64 = 40001;
/// Sandbox choice (real code not public): `timestamp` missing, not decimal, or > 30 min off.
pub const CODE_TIMESTAMP_EXPIRED: i64 = 40002;
/// Sandbox choice (real code not public): `app_key` missing or unknown.
pub const CODE_INVALID_APP_KEY: i64 = 40003;

/// Largest accepted face photo: 4 MB (4 * 1024 * 1024 bytes).
pub const MAX_PHOTO_BYTES: usize = 4 * 1024 * 1024;

/// A SenseLink error answer: HTTP 200 with a non-200 `code`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: i64,
    pub message: &'static str,
    pub desc: String,
    pub data: Option<Value>,
}

impl ApiError {
    /// Any code with its message and a description.
    pub fn new(code: i64, message: &'static str, desc: impl Into<String>) -> Self {
        ApiError { code, message, desc: desc.into(), data: None }
    }

    /// 30001 "Param Invalid". `ja` is the seed's Japanese description, `detail` says in English
    /// exactly what was wrong (both end up in `desc`).
    pub fn param(ja: &str, detail: impl std::fmt::Display) -> Self {
        ApiError::new(CODE_PARAM_INVALID, "Param Invalid", describe(ja, detail))
    }

    /// Adds `data` to the error (used by similar-person answers).
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
}

/// `"<ja> (<detail>)"`, the `desc` style of this sandbox.
pub fn describe(ja: &str, detail: impl std::fmt::Display) -> String {
    let detail = detail.to_string();
    if detail.is_empty() {
        ja.to_string()
    } else {
        format!("{ja} ({detail})")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({"code": self.code, "message": self.message, "desc": self.desc});
        if let Some(data) = self.data {
            body["data"] = data;
        }
        Json(body).into_response()
    }
}

/// What every handler returns.
pub type ApiResult = Result<Response, ApiError>;

/// `{"code":200,"message":"OK","desc":"","data":data}`.
pub fn ok(data: Value) -> ApiResult {
    Ok(Json(json!({"code": CODE_OK, "message": "OK", "desc": "", "data": data})).into_response())
}

/// `{"code":200,"message":"OK","desc":""}`: the seed's delete/move answers carry no `data`.
pub fn ok_without_data() -> ApiResult {
    Ok(Json(json!({"code": CODE_OK, "message": "OK", "desc": ""})).into_response())
}

/// Spring Boot's plain 404 page, which is what a path the deployment lacks answers.
pub fn spring_not_found(path: &str, now_ms: i64) -> Response {
    let body = json!({
        "timestamp": crate::common::time::format_jst(now_ms / 1000),
        "status": 404,
        "error": "Not Found",
        "message": "No message available",
        "path": path,
    });
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

/// Fallback for unknown `/api/...` paths.
pub async fn unknown_api_path(axum::extract::State(sl): axum::extract::State<SenseLink>, uri: Uri) -> Response {
    spring_not_found(uri.path(), sl.clock().now_ms())
}

/// An uploaded file part.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    /// Part name (`avatarFile`, `face_avatar`).
    pub field: String,
    /// File name as sent (`""` when the part had none); carries the test markers.
    pub filename: String,
    pub bytes: Bytes,
}

/// Business parameters (query string and form fields merged, signing fields removed).
#[derive(Debug, Clone, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// The value of `name` if it was sent (possibly `""`).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Whether `name` was sent at all.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// A `long` parameter: absent → None, `""` → None, otherwise must be an integer.
    pub fn long(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.get(name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::param("無効なパラメーターです", format!("{name} must be an integer, got {v:?}"))),
        }
    }

    /// A required `long` parameter.
    pub fn required_long(&self, name: &str, ja_missing: &str) -> Result<i64, ApiError> {
        self.long(name)?
            .ok_or_else(|| ApiError::param(ja_missing, format!("{name} is required")))
    }
}

/// How the body arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    None,
    Multipart,
    UrlEncoded,
    Json,
    Other,
}

/// A verified SenseLink request: signature checked, input parsed.
#[derive(Debug)]
pub struct ApiRequest {
    pub params: Params,
    pub files: Vec<UploadedFile>,
    pub json: Option<Value>,
    pub body_kind: BodyKind,
    /// `http://host:port` the client used, to build absolute image URLs.
    pub origin: String,
}

impl ApiRequest {
    /// The file part named `field`, if any.
    pub fn file(&self, field: &str) -> Option<&UploadedFile> {
        self.files.iter().find(|f| f.field == field)
    }

    /// The JSON body of a `J` endpoint (30001 when missing or not JSON).
    pub fn require_json(&self) -> Result<&Value, ApiError> {
        match (&self.json, self.body_kind) {
            (Some(v), _) => Ok(v),
            (None, BodyKind::Json) => Err(ApiError::param("無効なパラメーターです", "the body is not valid JSON")),
            (None, _) => Err(ApiError::param(
                "無効なパラメーターです",
                "this endpoint takes a JSON body with Content-Type: application/json",
            )),
        }
    }

    /// Parses and verifies a request (what the extractor does).
    pub async fn parse(req: Request, sl: &SenseLink) -> Result<ApiRequest, Response> {
        let origin = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(|h| format!("http://{h}"))
            .unwrap_or_else(|| "http://127.0.0.1".to_string());
        let mut query: Vec<(String, String)> = req
            .uri()
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();

        let mut form: Vec<(String, String)> = Vec::new();
        let mut files = Vec::new();
        let mut json = None;
        let body_kind = if content_type.starts_with("multipart/form-data") {
            let mut multipart = Multipart::from_request(req, &())
                .await
                .map_err(|e| ApiError::param("無効なパラメーターです", format!("malformed multipart body: {e}")).into_response())?;
            loop {
                let field = match multipart.next_field().await {
                    Ok(Some(field)) => field,
                    Ok(None) => break,
                    Err(e) => {
                        return Err(ApiError::param("無効なパラメーターです", format!("malformed multipart body: {e}"))
                            .into_response())
                    }
                };
                let name = field.name().unwrap_or("").to_string();
                let filename = field.file_name().map(str::to_string);
                let bytes = field.bytes().await.map_err(|e| {
                    ApiError::param("無効なパラメーターです", format!("malformed multipart body: {e}")).into_response()
                })?;
                // Spring binds file parts by name; a part is a file when it has a file name or
                // sits in a file-only slot.
                if filename.is_some() || FILE_FIELDS.contains(&name.as_str()) {
                    files.push(UploadedFile { field: name, filename: filename.unwrap_or_default(), bytes });
                } else {
                    form.push((name, String::from_utf8_lossy(&bytes).into_owned()));
                }
            }
            BodyKind::Multipart
        } else {
            let bytes = axum::body::to_bytes(req.into_body(), usize::MAX)
                .await
                .map_err(|e| ApiError::param("無効なパラメーターです", format!("unreadable body: {e}")).into_response())?;
            if bytes.is_empty() {
                BodyKind::None
            } else if content_type.starts_with("application/x-www-form-urlencoded") {
                form = form_urlencoded::parse(&bytes).into_owned().collect();
                BodyKind::UrlEncoded
            } else if content_type.starts_with("application/json") {
                json = serde_json::from_slice(&bytes).ok();
                BodyKind::Json
            } else {
                BodyKind::Other
            }
        };

        // Signing fields: the query string first, multipart/form fields as a fallback.
        let signing = auth::SigningFields {
            app_key: take_field(&mut query, "app_key").or_else(|| take_field(&mut form, "app_key")),
            timestamp: take_field(&mut query, "timestamp").or_else(|| take_field(&mut form, "timestamp")),
            sign: take_field(&mut query, "sign").or_else(|| take_field(&mut form, "sign")),
        };
        let config = sl.config();
        auth::verify(&signing, &config.app_key, &config.app_secret, sl.clock().now_ms())
            .map_err(IntoResponse::into_response)?;

        let mut pairs = query;
        pairs.extend(form);
        for (i, (name, _)) in pairs.iter().enumerate() {
            if pairs[..i].iter().any(|(earlier, _)| earlier == name) {
                let count = pairs.iter().filter(|(k, _)| k == name).count();
                return Err(ApiError::param(
                    "無効なパラメーターです",
                    format!("parameter {name} was sent {count} times; send it once (lists as one comma-joined field, e.g. groups=1,2)"),
                )
                .into_response());
            }
        }
        Ok(ApiRequest { params: Params { pairs }, files, json, body_kind, origin })
    }
}

/// Part names that always hold a file.
const FILE_FIELDS: &[&str] = &["avatarFile", "face_avatar"];

/// Removes every `name` field and returns the first value.
fn take_field(pairs: &mut Vec<(String, String)>, name: &str) -> Option<String> {
    let first = pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    pairs.retain(|(k, _)| k != name);
    first
}

impl FromRequest<SenseLink> for ApiRequest {
    type Rejection = Response;

    async fn from_request(req: Request, state: &SenseLink) -> Result<Self, Self::Rejection> {
        ApiRequest::parse(req, state).await
    }
}
