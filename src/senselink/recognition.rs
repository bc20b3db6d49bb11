//! Face-photo APIs (spec §5): the face count of a photo (`recognition/check`) and the quality report
//! of its largest face (`recognition/quality`, v3 on Cloud, v1 on GE Enterprise). Both take the
//! photo as the `face_avatar` file part; the same 4 MB / JPEG-or-PNG checks apply before sending.

use crate::json::{Map, Value};

use super::input::{read_fields, Field, Kind, Need};
use super::ops::{Output, Plan};
use super::photo::Photo;
use super::Edition;
use crate::error::Error;

/// `qaLevel`: 1 low, 2 high, 3 strict (wire `qa_level`).
pub const QA_LEVEL: Field = Field { name: "qaLevel", wire: "qa_level", kind: Kind::OneOf(&[1, 2, 3]), need: Need::Optional };

/// Plans a recognition operation.
pub fn plan(operation: &str, input: &Map<String, Value>, photo: Option<Photo>, edition: Edition) -> Result<Plan, Error> {
    let photo = photo.ok_or_else(|| Error::invalid_input("avatar", "is required (a JPEG or PNG photo of at most 4 MB)"))?;
    match operation {
        "recognition.check" => {
            let fields = read_fields(input, &[], &[], operation)?;
            Plan::multipart("/api/v1/recognition/check".into(), fields, Some(("face_avatar", photo)), Output::Count)
        }
        "recognition.quality" => {
            let fields = read_fields(input, &[QA_LEVEL], &[], operation)?;
            let path = match edition {
                Edition::Cloud => "/api/v3/recognition/quality",
                Edition::Enterprise => "/api/v1/recognition/quality",
            };
            Plan::multipart(path.into(), fields, Some(("face_avatar", photo)), Output::Camel)
        }
        _ => Err(super::ops::unknown(operation)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Body;
    use crate::json::json;

    const JPEG: &[u8] = &[0xff, 0xd8, 0xff, 0xe0, 1, 2];

    #[test]
    fn face_avatar_part_and_edition_paths() {
        let p = plan("recognition.check", &Map::new(), Some(Photo::bytes(JPEG.to_vec())), Edition::Cloud).unwrap();
        assert!(p.photo);
        let Body::Multipart(parts) = &p.body else { panic!() };
        assert_eq!(parts[0].name, "face_avatar");
        let input = json!({"qaLevel": 3});
        let p = plan("recognition.quality", input.as_object().unwrap(), Some(Photo::bytes(JPEG.to_vec())), Edition::Enterprise).unwrap();
        assert_eq!(p.path, "/api/v1/recognition/quality");
        let Body::Multipart(parts) = &p.body else { panic!() };
        assert_eq!(parts[0].name, "qa_level");
        let e = plan("recognition.check", &Map::new(), None, Edition::Cloud).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("avatar"));
        let e = plan("recognition.check", &Map::new(), Some(Photo::bytes(b"GIF89a".to_vec())), Edition::Cloud).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("avatar"));
    }
}
