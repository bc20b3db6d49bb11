//! Face photos: size/format checks, the deterministic quality "markers" in file names, the
//! similarity rule (same bytes = same face), recognition APIs and avatar serving.
//!
//! Markers (case-insensitive, anywhere in the uploaded file name):
//! `noface`, `multiface`, `detectfail`, `syncfail` (quality failures), `grouplinkfail`
//! (group link failure on the endpoints that document one), `lowquality` (quality API only).

use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::api::*;
use super::seed::hex;
use super::store::{Person, Photo, Store};
use super::{Edition, SenseLink};

/// Which family of endpoint receives the photo: decides the error codes the seed documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoRole {
    /// 2.4.1 / 2.4.2: 50001 on face failures.
    Employee,
    /// 2.4.5 / 2.4.6: 50001 on face failures.
    Visitor,
    /// 2.4.8 / 2.4.11: 600 "Sync Failed" on face failures, "file invalid" wording.
    DenyList,
}

/// A photo that passed the format, size and quality checks.
#[derive(Debug, Clone)]
pub struct CheckedPhoto {
    pub photo: Photo,
    pub filename: String,
}

impl CheckedPhoto {
    /// Whether the file name carries `marker`.
    pub fn has_marker(&self, marker: &str) -> bool {
        has_marker(&self.filename, marker)
    }
}

fn has_marker(filename: &str, marker: &str) -> bool {
    filename.to_ascii_lowercase().contains(marker)
}

/// `image/jpeg` or `image/png` by magic bytes.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some("image/png")
    } else {
        None
    }
}

/// Lowercase hex sha256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Size, format and face-quality checks of a person photo (seed rows per endpoint family).
pub fn check_person_photo(file: &UploadedFile, role: PhotoRole) -> Result<CheckedPhoto, ApiError> {
    let (too_large, invalid) = match role {
        PhotoRole::Employee => (
            "無効なパラメーターです。従業員の認証用顔写真のファイルが大きすぎます",
            "無効なパラメーターです。登録者の認証用顔写真の形式が無効です",
        ),
        PhotoRole::Visitor => (
            "無効なパラメーターです。ビジターの認証用顔写真ファイルが大きすぎます",
            "無効なパラメーターです。ビジターの認証用顔写真の形式が無効です",
        ),
        PhotoRole::DenyList => ("拒否リストの認証用顔写真ファイルが大きすぎます", "拒否リストの認証用顔写真ファイルが無効です"),
    };
    let size = file.bytes.len();
    if size > MAX_PHOTO_BYTES {
        return Err(ApiError::param(
            too_large,
            format!("photo file too large: {} is {size} bytes, the limit is {MAX_PHOTO_BYTES}", file.field),
        ));
    }
    let Some(content_type) = sniff_image(&file.bytes) else {
        return Err(ApiError::param(invalid, format!("photo format invalid: {} is neither JPEG nor PNG", file.field)));
    };

    let quality_failure = |marker: &str| -> Option<ApiError> {
        if !has_marker(&file.filename, marker) {
            return None;
        }
        let (rpc, sync) = match marker {
            "noface" => ("リモート rpc の呼び出しに失敗しました。顔が検知されていません", "認証用顔写真内で顔を検出できません"),
            "multiface" => ("リモート rpc の呼び出しに失敗しました。複数の顔が検知されました", "認証用顔写真内で複数の顔が検出されました"),
            "detectfail" => ("リモート rpc の呼び出しに失敗しました。顔の検知に失敗しました", "RPCに失敗しました"),
            _ => ("リモート rpc の呼び出しに失敗しました", "認証用顔写真が小さすぎます"),
        };
        let detail = format!("file name marker {marker:?}");
        Some(match role {
            PhotoRole::DenyList => ApiError::new(CODE_SYNC_FAILED, "Sync Failed", describe(sync, detail)),
            _ => ApiError::new(CODE_RPC_FAILED, "RPC FAILED", describe(rpc, detail)),
        })
    };
    for marker in ["noface", "multiface", "detectfail", "syncfail"] {
        if let Some(error) = quality_failure(marker) {
            return Err(error);
        }
    }
    Ok(CheckedPhoto {
        photo: Photo { sha256: sha256_hex(&file.bytes), bytes: file.bytes.clone(), content_type },
        filename: file.filename.clone(),
    })
}

/// The similar-person answer: `code` is 30002 (add employee, per the seed's example) or 610.
pub fn similar_error(similar: &Person, code: i64) -> ApiError {
    ApiError::new(code, "Similar User Exist", "ex.similar-user").with_data(json!({
        "similar_user_id": similar.id,
        "similar_user_name": similar.name,
        "similar_user_avatar": similar.avatar.clone().unwrap_or_default(),
        "can_force": 1,
    }))
}

/// Rejects a photo that matches another person's photo unless `force=1`.
pub fn check_similarity(
    store: &Store,
    photo: &CheckedPhoto,
    exclude: Option<i64>,
    force: bool,
    code: i64,
) -> Result<(), ApiError> {
    if force {
        return Ok(());
    }
    match store.similar_person(&photo.photo.sha256, exclude) {
        Some(similar) => Err(similar_error(similar, code)),
        None => Ok(()),
    }
}

/// The `force` parameter: absent/`""`/`0` → false, `1` → true, anything else → 30001.
pub fn force_flag(params: &Params) -> Result<bool, ApiError> {
    match params.get("force").map(str::trim) {
        None | Some("") | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(other) => Err(ApiError::param("無効なパラメーターです", format!("force must be 0 or 1, got {other:?}"))),
    }
}

/// The `face_avatar` part of a recognition call, checked for size and format.
fn recognition_photo(req: &ApiRequest) -> Result<&UploadedFile, ApiError> {
    let file = req
        .file("face_avatar")
        .ok_or_else(|| ApiError::param("無効なパラメーターです", "face_avatar (file part) is required"))?;
    if file.bytes.len() > MAX_PHOTO_BYTES {
        return Err(ApiError::param(
            "無効なパラメーターです",
            format!("photo file too large: {} bytes, the limit is {MAX_PHOTO_BYTES}", file.bytes.len()),
        ));
    }
    if sniff_image(&file.bytes).is_none() {
        return Err(ApiError::param("無効なパラメーターです", "photo format invalid: neither JPEG nor PNG"));
    }
    if has_marker(&file.filename, "detectfail") {
        return Err(ApiError::new(CODE_RPC_FAILED, "RPC FAILED", describe("顔の検知に失敗しました", "file name marker \"detectfail\"")));
    }
    if has_marker(&file.filename, "noface") {
        return Err(ApiError::new(CODE_NO_FACE, "No Face Detected In The Image", "file name marker \"noface\""));
    }
    Ok(file)
}

/// `POST /api/v1/recognition/check` (F: `face_avatar`): `data` = number of faces.
pub async fn recognition_check(req: ApiRequest) -> ApiResult {
    let file = recognition_photo(&req)?;
    let faces = if has_marker(&file.filename, "multiface") { 2 } else { 1 };
    ok(json!(faces))
}

/// `POST /api/v3/recognition/quality` (Cloud) and `/api/v1/recognition/quality` (GE).
pub async fn recognition_quality(State(sl): State<SenseLink>, request: Request) -> Response {
    let wanted = if request.uri().path().starts_with("/api/v3/") { Edition::Cloud } else { Edition::Enterprise };
    if sl.config().edition != wanted {
        return spring_not_found(request.uri().path(), sl.clock().now_ms());
    }
    let req = match ApiRequest::parse(request, &sl).await {
        Ok(req) => req,
        Err(rejection) => return rejection,
    };
    quality_report(&req).unwrap_or_else(IntoResponse::into_response)
}

fn quality_report(req: &ApiRequest) -> ApiResult {
    let qa_level = match req.params.get("qa_level").map(str::trim) {
        None | Some("") | Some("1") => 1,
        Some("2") => 2,
        Some("3") => 3,
        Some(other) => {
            return Err(ApiError::param("無効なパラメーターです", format!("qa_level must be 1, 2 or 3, got {other:?}")))
        }
    };
    let file = recognition_photo(req)?;
    let low = has_marker(&file.filename, "lowquality");
    let faces = if has_marker(&file.filename, "multiface") { 2 } else { 1 };
    let (blur, brightness, occlusion) = if low { (0.62, 0.18, 0.55) } else { (0.05, 0.55, 0.02) };
    let reasons: Vec<&str> = if low { vec!["blur", "brightness", "occlusion"] } else { vec![] };
    ok(json!({
        "qa_level": qa_level,
        "pass": !low,
        "face_count": faces,
        "largest_face": {
            "rect": {"left": 4, "top": 3, "width": 9, "height": 10},
            "score": if low { 0.41 } else { 0.97 },
            "pitch": 2.5, "yaw": -4.0, "roll": 1.2,
            "blur": blur, "brightness": brightness, "occlusion": occlusion, "mouth_open": 0.03,
        },
        "reasons": reasons,
    }))
}

/// `GET /static/avatar/{image_id}`: the image bytes of a stored photo (no signature, like an
/// object-storage link).
pub async fn serve_avatar(State(sl): State<SenseLink>, Path(image_id): Path<String>) -> Response {
    let photo = sl.store().photos.get(&image_id).cloned();
    match photo {
        Some(photo) => ([(header::CONTENT_TYPE, photo.content_type)], photo.bytes).into_response(),
        None => (StatusCode::NOT_FOUND, "no such image").into_response(),
    }
}
