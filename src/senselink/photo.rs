//! Face photos: the 4 MB limit, JPEG/PNG sniffing from the first bytes, and the multipart file part.
//!
//! A `Blob`/`File` given by JavaScript stays a [`FileRef`] handle (bytes given as a `Uint8Array` or
//! `ArrayBuffer` are wrapped in a `Blob` on the JavaScript side): only its size and its first 16
//! bytes (read with `blob.slice(0, 16)`) are looked at here, and the transport appends the very same
//! `Blob` to the runtime's `FormData`.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::Issues;
use crate::http::{FileRef, Part};

/// Largest face photo SenseLink accepts: 4 MB (4 × 1024 × 1024 bytes).
pub const MAX_PHOTO_BYTES: u64 = 4 * 1024 * 1024;

/// How many leading bytes the sniffer needs.
pub const SNIFF_BYTES: usize = 16;

/// A face photo as given by the caller.
#[derive(Clone, Debug)]
pub struct Photo {
    /// The content: a handle to the caller's `Blob` (never copied).
    pub data: FileRef,
    /// The file name of a `File`, if any.
    pub filename: Option<String>,
    /// Its first bytes (at most [`SNIFF_BYTES`]), for the format check.
    pub head: Vec<u8>,
}

/// The photo a caller gave.
#[derive(Clone, Debug)]
pub enum PhotoInput {
    /// A `Blob`/`File` (bytes are wrapped in one on the JavaScript side).
    File(Photo),
    /// Something that is not a file (reported as an input problem).
    NotAFile,
}

/// `image/jpeg` or `image/png` from the magic bytes; `Err` names what the bytes look like instead.
pub fn sniff(head: &[u8]) -> Result<&'static str, &'static str> {
    if head.starts_with(&[0xff, 0xd8, 0xff]) {
        return Ok("image/jpeg");
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok("image/png");
    }
    Err(if head.starts_with(b"GIF8") {
        "a GIF image"
    } else if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        "a WebP image"
    } else if head.get(4..8) == Some(b"ftyp") {
        "a HEIC/AVIF image or a video"
    } else if head.starts_with(b"BM") {
        "a BMP image"
    } else if head.starts_with(b"%PDF") {
        "a PDF document"
    } else if head.is_empty() {
        "empty"
    } else {
        "neither"
    })
}

fn megabytes(bytes: u64) -> String {
    // Saturating: a `Blob` subclass can report any `size` (`Infinity` arrives as u64::MAX).
    let tenths = bytes.saturating_mul(10).saturating_add(MAX_PHOTO_BYTES / 8) / (1024 * 1024);
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

/// Checks a face photo (size, then format) and builds its file part named `part`. Problems are
/// recorded under `field` (the input property, `avatar`).
pub fn photo_part(photo: Photo, field: &str, part: &str, issues: &mut Issues) -> Option<Part> {
    let size = photo.data.size();
    if size == 0 {
        issues.add(field, "is empty; give a JPEG or PNG face photo");
        return None;
    }
    if size > MAX_PHOTO_BYTES {
        issues
            .add(field, format!("is {} ({size} bytes); the limit is 4 MB ({MAX_PHOTO_BYTES} bytes)", megabytes(size)));
        return None;
    }
    let content_type = match sniff(&photo.head) {
        Ok(content_type) => content_type,
        Err(looks_like) => {
            let what = match looks_like {
                "neither" => "its first bytes are neither JPEG nor PNG".to_string(),
                "empty" => "its first bytes could not be read".to_string(),
                other => format!("its first bytes look like {other}"),
            };
            issues.add(field, format!("must be a JPEG or PNG image ({what})"));
            return None;
        }
    };
    let extension = if content_type == "image/png" { "png" } else { "jpg" };
    let filename = photo
        .filename
        .map(|name| name.replace(['"', '\r', '\n', '/', '\\'], "_"))
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| format!("avatar.{extension}"));
    Some(Part::File { name: part.to_string(), data: photo.data, filename, content_type: content_type.to_string() })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    pub const JPEG: &[u8] = &[0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F'];

    /// A photo of `size` bytes starting with `head`.
    pub fn blob(size: u64, head: &[u8], name: Option<&str>) -> Photo {
        Photo { data: FileRef::new((), size), filename: name.map(str::to_string), head: head.to_vec() }
    }

    #[test]
    fn a_size_no_blob_can_have_still_gets_a_message() {
        // Found by fuzz/ (senselink_plan): a Blob subclass reporting `size: Infinity`.
        assert!(megabytes(u64::MAX).ends_with(" MB"));
        let e = part(blob(u64::MAX, JPEG, None)).unwrap_err();
        assert!(e.contains("limit is 4 MB"), "{e}");
    }

    fn part(photo: Photo) -> Result<Part, String> {
        let mut issues = Issues::default();
        photo_part(photo, "avatar", "avatarFile", &mut issues).ok_or_else(|| {
            let (field, message) = issues.first().cloned().unwrap_or_default();
            format!("{field}: {message}")
        })
    }

    fn file_of(part: Part) -> (String, String, u64) {
        match part {
            Part::File { filename, content_type, data, .. } => (filename, content_type, data.size()),
            Part::Text { .. } => panic!("a file part"),
        }
    }

    #[test]
    fn sniffs_jpeg_and_png_and_names_other_formats() {
        assert_eq!(sniff(JPEG), Ok("image/jpeg"));
        assert_eq!(sniff(PNG), Ok("image/png"));
        assert_eq!(sniff(b"GIF89a"), Err("a GIF image"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Err("a WebP image"));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic"), Err("a HEIC/AVIF image or a video"));
        assert_eq!(sniff(b"hello"), Err("neither"));
    }

    #[test]
    fn a_blob_keeps_its_handle_and_file_name_and_gets_the_sniffed_type() {
        assert_eq!(
            file_of(part(blob(1000, JPEG, Some("face.jpeg"))).unwrap()),
            ("face.jpeg".into(), "image/jpeg".into(), 1000)
        );
        assert_eq!(file_of(part(blob(10, PNG, Some("a\"b/c.png"))).unwrap()).0, "a_b_c.png");
        assert_eq!(file_of(part(blob(10, PNG, None)).unwrap()).0, "avatar.png");
        assert_eq!(file_of(part(blob(10, JPEG, Some(" "))).unwrap()).0, "avatar.jpg");
    }

    #[test]
    fn size_limit_is_checked_before_the_format() {
        assert!(part(blob(MAX_PHOTO_BYTES, PNG, None)).is_ok());
        assert_eq!(
            part(blob(MAX_PHOTO_BYTES + 1, b"junk", None)).unwrap_err(),
            "avatar: is 4.0 MB (4194305 bytes); the limit is 4 MB (4194304 bytes)"
        );
        assert!(part(blob(5 * 1024 * 1024, PNG, None)).unwrap_err().starts_with("avatar: is 5.0 MB"));
        assert_eq!(part(blob(0, PNG, None)).unwrap_err(), "avatar: is empty; give a JPEG or PNG face photo");
    }

    #[test]
    fn non_images_are_refused_with_what_they_look_like() {
        assert_eq!(
            part(blob(100, b"GIF89a", None)).unwrap_err(),
            "avatar: must be a JPEG or PNG image (its first bytes look like a GIF image)"
        );
        assert_eq!(
            part(blob(10, b"plain text", None)).unwrap_err(),
            "avatar: must be a JPEG or PNG image (its first bytes are neither JPEG nor PNG)"
        );
    }
}
