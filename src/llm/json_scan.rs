//! Walking JSON-like text from a model while keeping track of strings:
//! what finding an answer's object and closing a cut-off one share.

use super::lenient::opens_string;

/// Where a scan is: inside a string (and which quote opened it) or not.
/// Double-quoted strings count everywhere; a single quote opens a string
/// only where one may start (see [`opens_string`]), elsewhere it is an
/// apostrophe.
#[derive(Debug, Default)]
pub(crate) struct JsonScan {
    quote: Option<char>,
    escaped: bool,
    /// The last non-blank character outside strings (`"` for a string).
    prev: Option<char>,
}

impl JsonScan {
    /// Feeds the next character; true when it is outside every string and
    /// is not a quote (so it is structure: a brace, comma, literal...).
    pub(crate) fn outside(&mut self, c: char) -> bool {
        if let Some(q) = self.quote {
            match c {
                _ if self.escaped => self.escaped = false,
                '\\' => self.escaped = true,
                c if c == q => {
                    self.quote = None;
                    self.prev = Some('"');
                }
                _ => {}
            }
            return false;
        }
        match c {
            '"' => {
                self.quote = Some('"');
                return false;
            }
            '\'' if opens_string(self.prev) => {
                self.quote = Some('\'');
                return false;
            }
            _ => {}
        }
        if !c.is_whitespace() {
            self.prev = Some(c);
        }
        true
    }

    /// The quote of the string the text stopped in, if it stopped in one.
    pub(crate) fn open_quote(&self) -> Option<char> {
        self.quote
    }

    /// True when the text stopped right after a backslash inside a string.
    pub(crate) fn escaped(&self) -> bool {
        self.escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn structure(text: &str) -> String {
        let mut scan = JsonScan::default();
        text.chars()
            .filter(|&c| scan.outside(c) && !c.is_whitespace())
            .collect()
    }

    #[test]
    fn characters_inside_strings_are_skipped() {
        assert_eq!(structure(r#"{"a": "x{,}\"y", 'b': 1}"#), "{:,:1}");
        // An apostrophe inside a bare word is text, not a string.
        assert_eq!(structure("{a: it's}"), "{a:it's}");
    }

    #[test]
    fn a_scan_that_stops_in_a_string_says_so() {
        let mut scan = JsonScan::default();
        r#"{"a": "ab\"#.chars().for_each(|c| {
            scan.outside(c);
        });
        assert_eq!((scan.open_quote(), scan.escaped()), (Some('"'), true));
    }
}
