//! PNG bytes of a drawn chart, with the `png` crate (the encoder plotters itself uses, which
//! plotters does not expose for in-memory buffers). Same pixels in, same bytes out: the
//! encoder has no timestamps or other varying metadata.

/// The 8-byte PNG signature every PNG file starts with.
#[cfg(test)]
pub(crate) const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Encode an RGB buffer (`width × height × 3` bytes, rows top to bottom) as a PNG file.
/// Returns `None` when the buffer does not have that size or encoding fails.
pub(crate) fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Option<Vec<u8>> {
    let expected = (width as usize)
        .checked_mul(height as usize)?
        .checked_mul(3)?;
    if width == 0 || height == 0 || rgb.len() != expected {
        return None;
    }
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(rgb).ok()?;
    writer.finish().ok()?;
    Some(bytes)
}

/// Decode a PNG made by [`encode_rgb`] back to `(width, height, rgb)`.
#[cfg(test)]
pub(crate) fn decode_rgb(bytes: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().ok()?;
    let mut rgb = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut rgb).ok()?;
    rgb.truncate(info.buffer_size());
    Some((info.width, info.height, rgb))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_pixels_and_refuses_a_wrong_size() {
        let rgb: Vec<u8> = (0..4 * 3 * 3).map(|i| (i * 7 % 256) as u8).collect();
        let bytes = encode_rgb(4, 3, &rgb).unwrap();
        assert_eq!(bytes[..8], SIGNATURE);
        assert_eq!(decode_rgb(&bytes).unwrap(), (4, 3, rgb.clone()));
        assert_eq!(encode_rgb(4, 3, &rgb), Some(bytes), "deterministic");
        assert!(encode_rgb(5, 3, &rgb).is_none());
        assert!(encode_rgb(0, 0, &[]).is_none());
    }
}
