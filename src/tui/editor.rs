//! A one-line text editor: the rename field, the search and filter prompts.
//! The cursor moves by grapheme and widths are measured in terminal
//! columns, so accented letters, CJK and emoji edit and display correctly.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Text and a cursor (a byte offset on a grapheme boundary).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEditor {
    text: String,
    cursor: usize,
}

impl LineEditor {
    /// Starts with `text`, the cursor at its end.
    pub fn new(text: &str) -> LineEditor {
        LineEditor {
            text: text.to_string(),
            cursor: text.len(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn prev_boundary(&self) -> usize {
        self.text[..self.cursor]
            .grapheme_indices(true)
            .next_back()
            .map(|(i, _)| i)
            .unwrap_or(0)
    }

    fn next_boundary(&self) -> usize {
        self.text[self.cursor..]
            .graphemes(true)
            .next()
            .map(|g| self.cursor + g.len())
            .unwrap_or(self.text.len())
    }

    pub fn insert(&mut self, c: char) {
        if c.is_control() {
            return;
        }
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
        // A combining mark joins the grapheme before it; keep the cursor on
        // a boundary.
        while !self.text.is_char_boundary(self.cursor) {
            self.cursor += 1;
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.prev_boundary();
    }

    pub fn right(&mut self) {
        self.cursor = self.next_boundary();
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.len();
    }

    pub fn delete_back(&mut self) {
        let start = self.prev_boundary();
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    pub fn delete_forward(&mut self) {
        let end = self.next_boundary();
        self.text.replace_range(self.cursor..end, "");
    }

    /// Deletes the word (and the spaces after it) before the cursor.
    pub fn delete_word(&mut self) {
        let before = &self.text[..self.cursor];
        let trimmed = before.trim_end();
        let start = trimmed
            .unicode_word_indices()
            .next_back()
            .map(|(i, _)| i)
            .unwrap_or(0);
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// Columns before the cursor.
    pub fn cursor_column(&self) -> usize {
        self.text[..self.cursor].width()
    }

    /// The part of the text that fits in `width` columns with the cursor
    /// visible, and the cursor's column within it.
    pub fn visible(&self, width: usize) -> (&str, usize) {
        if width == 0 {
            return ("", 0);
        }
        // Keep one column free for the cursor at the end.
        let room = width.saturating_sub(1).max(1);
        let mut start = 0;
        while self.text[start..self.cursor].width() > room {
            let step = self.text[start..]
                .graphemes(true)
                .next()
                .map(str::len)
                .unwrap_or(1);
            start += step;
        }
        let mut end = self.cursor;
        for g in self.text[self.cursor..].graphemes(true) {
            if self.text[start..end + g.len()].width() > width {
                break;
            }
            end += g.len();
        }
        let shown = &self.text[start..end];
        (shown, self.text[start..self.cursor].width())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_by_grapheme_and_measures_columns() {
        let mut e = LineEditor::new("café");
        e.left();
        assert_eq!(e.cursor_column(), 3);
        e.delete_forward();
        assert_eq!(e.text(), "caf");
        e.insert('é');
        e.insert('日');
        assert_eq!(e.text(), "café日");
        assert_eq!(e.cursor_column(), 6, "CJK is two columns wide");
        e.home();
        e.insert('«');
        e.end();
        e.delete_back();
        assert_eq!(e.text(), "«café");
        e.insert(' ');
        e.insert('x');
        e.delete_word();
        assert_eq!(e.text(), "«café ");
        e.clear();
        assert_eq!((e.text(), e.cursor()), ("", 0));
        e.left();
        e.delete_back();
        assert_eq!(e.cursor(), 0, "nothing to delete at the start");
    }

    #[test]
    fn scrolls_to_keep_the_cursor_visible() {
        let e = LineEditor::new("abcdefghij");
        let (shown, col) = e.visible(5);
        assert_eq!((shown, col), ("ghij", 4));
        let mut e = LineEditor::new("日本語テキスト");
        e.home();
        let (shown, col) = e.visible(6);
        assert_eq!((shown, col), ("日本語", 0));
        assert_eq!(e.visible(0), ("", 0));
    }
}
