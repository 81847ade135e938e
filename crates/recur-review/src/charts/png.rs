//! A small, deterministic PNG encoder for 8-bit RGB images.
//!
//! plotters draws into a raw RGB buffer but its PNG encoding only writes to a file path, and the
//! `image`/`png` crates are not direct dependencies of this crate. Charts are flat colours with
//! anti-aliased edges, which compress well with per-row filtering (the standard minimum sum of
//! absolute differences heuristic) and a greedy LZ77 with the fixed Huffman code of deflate, so
//! this stays small. Same pixels in, same bytes out.

/// The 8-byte PNG signature every PNG file starts with.
pub(crate) const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Encode an RGB buffer (`width × height × 3` bytes, rows top to bottom) as a PNG file.
/// Returns `None` when the buffer does not have that size or a dimension is 0 or too large.
pub(crate) fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Option<Vec<u8>> {
    let row_len = usize::try_from(width).ok()?.checked_mul(3)?;
    let expected = row_len.checked_mul(usize::try_from(height).ok()?)?;
    if width == 0
        || height == 0
        || width > i32::MAX as u32
        || height > i32::MAX as u32
        || rgb.len() != expected
    {
        return None;
    }
    let filtered = filter_rows(rgb, row_len);
    let mut png = Vec::with_capacity(filtered.len() / 8 + 64);
    png.extend_from_slice(&SIGNATURE);
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    write_chunk(&mut png, b"IHDR", &header);
    write_chunk(&mut png, b"IDAT", &zlib(&filtered));
    write_chunk(&mut png, b"IEND", &[]);
    Some(png)
}

fn write_chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    // Chunk data of a chart is far below 4 GiB; the length field is 32 bits by the format.
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let mut crc = Crc32::new();
    crc.update(kind);
    crc.update(data);
    png.extend_from_slice(&crc.finish().to_be_bytes());
}

/// Each row prefixed with its filter type: None, Sub or Up, whichever gives the smallest sum of
/// absolute values (as signed bytes).
fn filter_rows(rgb: &[u8], row_len: usize) -> Vec<u8> {
    const BYTES_PER_PIXEL: usize = 3;
    let mut out = Vec::with_capacity(rgb.len() + rgb.len() / row_len);
    let mut candidates = [vec![0u8; row_len], vec![0u8; row_len], vec![0u8; row_len]];
    let zero_row = vec![0u8; row_len];
    for (index, row) in rgb.chunks_exact(row_len).enumerate() {
        let above = if index == 0 {
            &zero_row[..]
        } else {
            &rgb[(index - 1) * row_len..index * row_len]
        };
        for i in 0..row_len {
            let left = if i >= BYTES_PER_PIXEL {
                row[i - BYTES_PER_PIXEL]
            } else {
                0
            };
            candidates[0][i] = row[i];
            candidates[1][i] = row[i].wrapping_sub(left);
            candidates[2][i] = row[i].wrapping_sub(above[i]);
        }
        let cost = |bytes: &[u8]| {
            bytes
                .iter()
                .map(|&b| u64::from((b as i8).unsigned_abs()))
                .sum::<u64>()
        };
        let (best, _) = candidates
            .iter()
            .enumerate()
            .min_by_key(|(filter, bytes)| (cost(bytes), *filter))
            .unwrap_or((0, &candidates[0]));
        out.push(best as u8);
        out.extend_from_slice(&candidates[best]);
    }
    out
}

/// A zlib stream (RFC 1950) of one deflate block with the fixed Huffman code (RFC 1951).
fn zlib(data: &[u8]) -> Vec<u8> {
    let mut bits = BitWriter::default();
    // CMF: deflate, 32K window; FLG: no dictionary, fastest; (0x78 << 8 | 0x01) % 31 == 0.
    bits.bytes.extend_from_slice(&[0x78, 0x01]);
    bits.write(1, 1); // BFINAL
    bits.write(1, 2); // BTYPE = fixed Huffman
    compress(data, &mut bits);
    write_literal(&mut bits, 256); // end of block
    let mut out = bits.finish();
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

const WINDOW: usize = 1 << 15;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
const HASH_BITS: u32 = 15;
const MAX_CHAIN: usize = 48;

/// Greedy LZ77 over a hash chain of 3-byte prefixes.
fn compress(data: &[u8], bits: &mut BitWriter) {
    let mut head = vec![usize::MAX; 1 << HASH_BITS];
    let mut prev = vec![usize::MAX; WINDOW];
    let hash = |pos: usize| -> usize {
        let key =
            u32::from(data[pos]) << 16 | u32::from(data[pos + 1]) << 8 | u32::from(data[pos + 2]);
        (key.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
    };
    let insert = |pos: usize, head: &mut Vec<usize>, prev: &mut Vec<usize>| {
        if pos + MIN_MATCH <= data.len() {
            let h = hash(pos);
            prev[pos % WINDOW] = head[h];
            head[h] = pos;
        }
    };
    let mut pos = 0;
    while pos < data.len() {
        let (mut best_len, mut best_dist) = (0, 0);
        if pos + MIN_MATCH <= data.len() {
            let max_len = MAX_MATCH.min(data.len() - pos);
            let mut candidate = head[hash(pos)];
            let mut chain = 0;
            while candidate != usize::MAX && pos - candidate <= WINDOW && chain < MAX_CHAIN {
                let len = data[candidate..]
                    .iter()
                    .zip(&data[pos..pos + max_len])
                    .take_while(|(a, b)| a == b)
                    .count();
                if len > best_len {
                    (best_len, best_dist) = (len, pos - candidate);
                    if len == max_len {
                        break;
                    }
                }
                let next = prev[candidate % WINDOW];
                // A stale slot (overwritten by a newer position) points forward: stop.
                if next == usize::MAX || next >= candidate {
                    break;
                }
                candidate = next;
                chain += 1;
            }
        }
        if best_len >= MIN_MATCH {
            write_match(bits, best_len, best_dist);
            for p in pos..pos + best_len {
                insert(p, &mut head, &mut prev);
            }
            pos += best_len;
        } else {
            write_literal(bits, u16::from(data[pos]));
            insert(pos, &mut head, &mut prev);
            pos += 1;
        }
    }
}

const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

fn write_match(bits: &mut BitWriter, len: usize, dist: usize) {
    let len = len as u16;
    let dist = dist as u16;
    let code = LENGTH_BASE
        .iter()
        .rposition(|&base| base <= len)
        .unwrap_or(0);
    write_literal(bits, 257 + code as u16);
    bits.write(u32::from(len - LENGTH_BASE[code]), LENGTH_EXTRA[code]);
    let dcode = DIST_BASE
        .iter()
        .rposition(|&base| base <= dist)
        .unwrap_or(0);
    bits.write_reversed(dcode as u32, 5);
    bits.write(u32::from(dist - DIST_BASE[dcode]), DIST_EXTRA[dcode]);
}

/// A literal/length symbol in the fixed Huffman code.
fn write_literal(bits: &mut BitWriter, symbol: u16) {
    let symbol = u32::from(symbol);
    match symbol {
        0..=143 => bits.write_reversed(0x30 + symbol, 8),
        144..=255 => bits.write_reversed(0x190 + symbol - 144, 9),
        256..=279 => bits.write_reversed(symbol - 256, 7),
        _ => bits.write_reversed(0xC0 + symbol - 280, 8),
    }
}

/// Bits packed least significant first, as deflate wants.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    buffer: u64,
    filled: u8,
}

impl BitWriter {
    fn write(&mut self, value: u32, count: u8) {
        self.buffer |= u64::from(value) << self.filled;
        self.filled += count;
        while self.filled >= 8 {
            self.bytes.push(self.buffer as u8);
            self.buffer >>= 8;
            self.filled -= 8;
        }
    }

    /// A Huffman code, which deflate stores most significant bit first.
    fn write_reversed(&mut self, code: u32, count: u8) {
        self.write(code.reverse_bits() >> (32 - u32::from(count)), count);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.filled > 0 {
            self.bytes.push(self.buffer as u8);
        }
        self.bytes
    }
}

fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    b << 16 | a
}

struct Crc32 {
    table: [u32; 256],
    value: u32,
}

impl Crc32 {
    fn new() -> Self {
        let mut table = [0u32; 256];
        for (n, slot) in table.iter_mut().enumerate() {
            let mut c = n as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        Self {
            table,
            value: 0xFFFF_FFFF,
        }
    }

    fn update(&mut self, data: &[u8]) {
        for &byte in data {
            self.value =
                self.table[((self.value ^ u32::from(byte)) & 0xFF) as usize] ^ (self.value >> 8);
        }
    }

    fn finish(&self) -> u32 {
        self.value ^ 0xFFFF_FFFF
    }
}

/// A minimal PNG reader for what [`encode_rgb`] writes (8-bit RGB, one zlib stream of stored
/// or fixed-Huffman blocks), so tests can check images pixel for pixel.
#[cfg(test)]
pub(crate) fn decode_rgb(png: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
    let mut rest = png.strip_prefix(&SIGNATURE[..])?;
    let (mut width, mut height, mut idat) = (0, 0, Vec::new());
    while rest.len() >= 12 {
        let len = u32::from_be_bytes(rest[..4].try_into().ok()?) as usize;
        let kind = &rest[4..8];
        let data = rest.get(8..8 + len)?;
        let crc = u32::from_be_bytes(rest.get(8 + len..12 + len)?.try_into().ok()?);
        let mut check = Crc32::new();
        check.update(kind);
        check.update(data);
        if check.finish() != crc {
            return None;
        }
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data[..4].try_into().ok()?);
                height = u32::from_be_bytes(data[4..8].try_into().ok()?);
                if data[8..13] != [8, 2, 0, 0, 0] {
                    return None;
                }
            }
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
        rest = &rest[12 + len..];
    }
    let raw = inflate(idat.get(2..idat.len().checked_sub(4)?)?)?;
    if adler32(&raw).to_be_bytes()[..] != idat[idat.len() - 4..] {
        return None;
    }
    let row_len = width as usize * 3;
    let mut rgb = vec![0u8; row_len * height as usize];
    for (index, row) in raw.chunks_exact(row_len + 1).enumerate() {
        for i in 0..row_len {
            let left = if i >= 3 {
                rgb[index * row_len + i - 3]
            } else {
                0
            };
            let above = if index > 0 {
                rgb[(index - 1) * row_len + i]
            } else {
                0
            };
            rgb[index * row_len + i] = match row[0] {
                0 => row[1 + i],
                1 => row[1 + i].wrapping_add(left),
                2 => row[1 + i].wrapping_add(above),
                _ => return None,
            };
        }
    }
    Some((width, height, rgb))
}

#[cfg(test)]
fn inflate(data: &[u8]) -> Option<Vec<u8>> {
    struct Bits<'a> {
        data: &'a [u8],
        pos: usize,
    }
    impl Bits<'_> {
        fn bit(&mut self) -> Option<u32> {
            let byte = *self.data.get(self.pos / 8)?;
            let bit = (byte >> (self.pos % 8)) & 1;
            self.pos += 1;
            Some(u32::from(bit))
        }
        fn bits(&mut self, count: u8) -> Option<u32> {
            (0..count).try_fold(0, |acc, i| Some(acc | self.bit()? << i))
        }
        fn code(&mut self, count: u8) -> Option<u32> {
            (0..count).try_fold(0, |acc, _| Some(acc << 1 | self.bit().unwrap_or(0)))
        }
        fn literal(&mut self) -> Option<u32> {
            let seven = self.code(7)?;
            if seven <= 0x17 {
                return Some(seven + 256);
            }
            let eight = seven << 1 | self.bit()?;
            match eight {
                0x30..=0xBF => Some(eight - 0x30),
                0xC0..=0xC7 => Some(eight - 0xC0 + 280),
                _ => Some((eight << 1 | self.bit()?) - 0x190 + 144),
            }
        }
    }
    let mut bits = Bits { data, pos: 0 };
    let mut out: Vec<u8> = Vec::new();
    loop {
        let last = bits.bit()?;
        match bits.bits(2)? {
            1 => loop {
                let symbol = bits.literal()?;
                match symbol {
                    0..=255 => out.push(symbol as u8),
                    256 => break,
                    _ => {
                        let code = (symbol - 257) as usize;
                        let len = usize::from(LENGTH_BASE[code])
                            + bits.bits(LENGTH_EXTRA[code])? as usize;
                        let dcode = bits.code(5)? as usize;
                        let dist =
                            usize::from(DIST_BASE[dcode]) + bits.bits(DIST_EXTRA[dcode])? as usize;
                        let start = out.len().checked_sub(dist)?;
                        for i in 0..len {
                            out.push(out[start + i]);
                        }
                    }
                }
            },
            _ => return None,
        }
        if last == 1 {
            return Some(out);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_pixels() {
        let (width, height) = (37u32, 11u32);
        let rgb: Vec<u8> = (0..width * height * 3)
            .map(|i| ((i * 7) % 251) as u8 / 32 * 32)
            .collect();
        let png = encode_rgb(width, height, &rgb).unwrap();
        assert_eq!(png[..8], SIGNATURE);
        assert_eq!(decode_rgb(&png).unwrap(), (width, height, rgb));
    }

    #[test]
    fn flat_images_compress() {
        let rgb = vec![255u8; 400 * 300 * 3];
        let png = encode_rgb(400, 300, &rgb).unwrap();
        assert!(png.len() < 4_000, "a blank image takes {} bytes", png.len());
        assert_eq!(decode_rgb(&png).unwrap().2, rgb);
    }

    #[test]
    fn rejects_a_buffer_of_the_wrong_size() {
        assert_eq!(encode_rgb(2, 2, &[0; 11]), None);
        assert_eq!(encode_rgb(0, 2, &[]), None);
    }

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        let mut crc = Crc32::new();
        crc.update(b"123456789");
        assert_eq!(crc.finish(), 0xCBF4_3926);
    }
}
