//! Compact storage of vectors in cache entries: little-endian `f32` bytes in
//! standard base64 (a third of the size of JSON numbers, and exact).

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encodes a vector.
pub(crate) fn encode_f32(v: &[f32]) -> String {
    let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes a vector; `None` if the text is not valid base64 of whole `f32`s.
pub(crate) fn decode_f32(text: &str) -> Option<Vec<f32>> {
    let text = text.trim_end_matches('=');
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push(((acc >> bits) & 0xff) as u8);
        }
    }
    if bytes.len() % 4 != 0 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_exactly() {
        for v in [
            vec![],
            vec![1.0f32],
            vec![0.1, -2.5],
            vec![f32::MIN_POSITIVE, 3.25, -0.0, 1e-30, 7.0],
        ] {
            let enc = encode_f32(&v);
            assert_eq!(enc.len() % 4, 0);
            let dec = decode_f32(&enc).unwrap();
            assert_eq!(
                dec.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn known_value_and_garbage() {
        // 1.0f32 = 00 00 80 3f
        assert_eq!(encode_f32(&[1.0]), "AACAPw==");
        assert_eq!(decode_f32("AACAPw=="), Some(vec![1.0]));
        assert_eq!(decode_f32("AAC!Pw=="), None);
        assert_eq!(decode_f32("AACA"), None);
    }
}
