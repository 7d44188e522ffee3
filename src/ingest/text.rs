//! Bytes to text: UTF-8 decoding that never fails (invalid sequences become
//! U+FFFD and are reported), BOM handling and truncation of raw records.

use std::borrow::Cow;

/// The UTF-8 byte order mark some editors put at the start of a file.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes `bytes` as UTF-8. Returns the text and whether any invalid
/// sequence had to be replaced with U+FFFD.
pub(crate) fn decode(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), false),
        Err(_) => (String::from_utf8_lossy(bytes), true),
    }
}

/// Removes a leading byte order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// At most `max` bytes of `text`, cut at a character boundary, with a marker
/// saying how much was dropped.
pub(crate) fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    let dropped = text.len() - end;
    Cow::Owned(format!(
        "{}… [truncated, {dropped} more bytes]",
        text.get(..end).unwrap_or("")
    ))
}

/// A short, printable preview of some bytes, for "what was seen" messages.
pub(crate) fn preview(bytes: &[u8], max_chars: usize) -> String {
    let (text, _) = decode(bytes);
    let mut out: String = text
        .chars()
        .take(max_chars)
        .flat_map(|c| c.escape_debug())
        .collect();
    if text.chars().count() > max_chars {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_replaces_invalid_bytes() {
        let (text, lossy) = decode(b"caf\xE9 ok");
        assert!(lossy);
        assert_eq!(text, "caf\u{FFFD} ok");
        let (text, lossy) = decode("café".as_bytes());
        assert!(!lossy);
        assert_eq!(text, "café");
    }

    #[test]
    fn truncate_keeps_char_boundaries() {
        let s = "ééé";
        let t = truncate(s, 3);
        assert!(t.starts_with('é'));
        assert!(t.contains("truncated, 4 more bytes"));
        assert_eq!(truncate("abc", 3), "abc");
    }

    #[test]
    fn preview_escapes_control_characters() {
        assert_eq!(preview(b"a\nb", 10), "a\\nb");
        assert_eq!(preview(b"abcdef", 3), "abc…");
    }
}
