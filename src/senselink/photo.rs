//! Face photos: the 4 MB limit, JPEG/PNG sniffing from the first bytes, and the multipart file part.
//!
//! A `Blob`/`File` given by JavaScript stays a [`FileData::Blob`] handle: only its size and its first
//! bytes (read with `blob.slice(0, 16)`) are looked at here, and the transport appends the very same
//! `Blob` to the runtime's `FormData`.

use crate::error::Error;
use crate::http::{FileData, FilePart};

/// Largest face photo SenseLink accepts: 4 MB (4 × 1024 × 1024 bytes).
pub const MAX_PHOTO_BYTES: u64 = 4 * 1024 * 1024;

/// How many leading bytes the sniffer needs.
pub const SNIFF_BYTES: usize = 16;

/// A face photo as given by the caller.
#[derive(Clone, Debug)]
pub struct Photo {
    /// The content (a `Blob` handle in the wasm build — bytes given by JavaScript are wrapped in one).
    pub data: FileData,
    /// The file name of a `File`, if any.
    pub filename: Option<String>,
    /// The first bytes of a `Blob` handle (in-memory bytes are sniffed directly).
    pub head: Vec<u8>,
}

impl Photo {
    /// A photo held in memory.
    pub fn bytes(bytes: Vec<u8>) -> Photo {
        Photo { data: FileData::Bytes(bytes), filename: None, head: Vec::new() }
    }

    fn head(&self) -> &[u8] {
        match &self.data {
            FileData::Bytes(bytes) => &bytes[..bytes.len().min(SNIFF_BYTES)],
            FileData::Blob(_) => &self.head,
        }
    }
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
    let tenths = (bytes * 10 + MAX_PHOTO_BYTES / 8) / (1024 * 1024);
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

/// Checks a face photo (size, then format) and builds its file part. `field` names the input
/// property in errors (`avatar`).
pub fn photo_part(photo: Photo, field: &str) -> Result<FilePart, Error> {
    let size = photo.data.len();
    if size == 0 {
        return Err(Error::invalid_input(field, "is empty; give a JPEG or PNG face photo"));
    }
    if size > MAX_PHOTO_BYTES {
        return Err(Error::invalid_input(
            field,
            format!("is {} ({size} bytes); the limit is 4 MB ({MAX_PHOTO_BYTES} bytes)", megabytes(size)),
        ));
    }
    let content_type = sniff(photo.head()).map_err(|looks_like| {
        let what = match looks_like {
            "neither" => "its first bytes are neither JPEG nor PNG".to_string(),
            "empty" => "its first bytes could not be read".to_string(),
            other => format!("its first bytes look like {other}"),
        };
        Error::invalid_input(field, format!("must be a JPEG or PNG image ({what})"))
    })?;
    let extension = if content_type == "image/png" { "png" } else { "jpg" };
    let filename = photo
        .filename
        .map(|name| name.replace(['"', '\r', '\n', '/', '\\'], "_"))
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| format!("avatar.{extension}"));
    Ok(FilePart { filename, content_type: content_type.to_string(), data: photo.data })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::BlobHandle;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG: &[u8] = &[0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F'];

    fn blob(size: u64, head: &[u8], name: Option<&str>) -> Photo {
        Photo {
            data: FileData::Blob(BlobHandle::new((), size, "application/octet-stream")),
            filename: name.map(str::to_string),
            head: head.to_vec(),
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
    fn bytes_get_a_sniffed_type_and_a_default_name() {
        let part = photo_part(Photo::bytes(PNG.to_vec()), "avatar").unwrap();
        assert_eq!((part.filename.as_str(), part.content_type.as_str()), ("avatar.png", "image/png"));
        let part = photo_part(Photo::bytes(JPEG.to_vec()), "avatar").unwrap();
        assert_eq!((part.filename.as_str(), part.content_type.as_str()), ("avatar.jpg", "image/jpeg"));
    }

    #[test]
    fn a_blob_keeps_its_handle_and_file_name_and_gets_the_right_type() {
        let part = photo_part(blob(1000, JPEG, Some("face.jpeg")), "avatar").unwrap();
        assert_eq!(part.filename, "face.jpeg");
        assert_eq!(part.content_type, "image/jpeg");
        assert!(matches!(part.data, FileData::Blob(ref h) if h.size() == 1000));
        let part = photo_part(blob(10, PNG, Some("a\"b/c.png")), "avatar").unwrap();
        assert_eq!(part.filename, "a_b_c.png");
    }

    #[test]
    fn size_limit_is_checked_before_the_format() {
        assert!(photo_part(blob(MAX_PHOTO_BYTES, PNG, None), "avatar").is_ok());
        let e = photo_part(blob(MAX_PHOTO_BYTES + 1, b"junk", None), "avatar").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("avatar"));
        assert_eq!(e.message, "avatar: is 4.0 MB (4194305 bytes); the limit is 4 MB (4194304 bytes)");
        let e = photo_part(blob(5 * 1024 * 1024, PNG, None), "avatar").unwrap_err();
        assert!(e.message.starts_with("avatar: is 5.0 MB"), "{}", e.message);
        let e = photo_part(Photo::bytes(Vec::new()), "avatar").unwrap_err();
        assert_eq!(e.message, "avatar: is empty; give a JPEG or PNG face photo");
    }

    #[test]
    fn non_images_are_refused_with_what_they_look_like() {
        let e = photo_part(blob(100, b"GIF89a", None), "avatar").unwrap_err();
        assert_eq!(e.message, "avatar: must be a JPEG or PNG image (its first bytes look like a GIF image)");
        let e = photo_part(Photo::bytes(b"plain text".to_vec()), "avatar").unwrap_err();
        assert_eq!(e.message, "avatar: must be a JPEG or PNG image (its first bytes are neither JPEG nor PNG)");
    }
}
