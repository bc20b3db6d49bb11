//! Minimal PNG writer (uncompressed, RGB) for the seeded images: SenseLink's synthetic "face
//! photos" and cyzen's report/spot images.

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A valid `size`×`size` RGB PNG whose pixels are derived from `key`, so distinct keys give
/// distinct files (and distinct sha256 digests) while the same key always gives the same bytes.
pub fn synthetic_png(key: u64, size: u32) -> Vec<u8> {
    let base = super::rng::SplitMix64::new(key).next_u64().to_le_bytes();
    rgb_png(size, |x, y| {
        let shade = ((x + y) * 4) as u8;
        [base[0] ^ shade, base[1].wrapping_add(shade), base[2] ^ (x as u8)]
    })
}

/// A `size`×`size` RGB checkerboard (4-pixel squares) of two colours.
pub fn checker_png(size: u32, a: [u8; 3], b: [u8; 3]) -> Vec<u8> {
    rgb_png(size, |x, y| if ((x / 4) + (y / 4)) % 2 == 0 { a } else { b })
}

/// Encodes a `size`×`size` 8-bit RGB image given pixel by pixel (uncompressed deflate blocks).
fn rgb_png(size: u32, pixel: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(((size * 3 + 1) * size) as usize);
    for y in 0..size {
        raw.push(0); // filter type: none
        for x in 0..size {
            raw.extend_from_slice(&pixel(x, y));
        }
    }
    // zlib stream made of stored (uncompressed) deflate blocks of at most 65535 bytes.
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());

    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc_of_iend_is_the_well_known_value() {
        assert_eq!(super::crc32(b"IEND"), 0xae42_6082);
    }
}
