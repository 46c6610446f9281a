//! Positions as LSP counts them (a line, and UTF-16 code units in it) to byte offsets
//! of a document and back. A position past the end of its line is the line's end, a
//! line past the last is the end of the text, and a position inside a character (the
//! middle of a surrogate pair) is that character's start: a client's off-by-one never
//! panics the server or reads outside the text.

use lsp_types::{Position, Range};

/// A document's text with where its lines start.
pub struct Text {
    pub text: String,
    starts: Vec<usize>,
}

impl Text {
    pub fn new(text: String) -> Text {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Text { text, starts }
    }

    /// The byte range of line `line` (0-based), without its line break.
    fn line(&self, line: usize) -> (usize, usize) {
        let start = self.starts[line];
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let end = if self.text[start..end].ends_with('\r') {
            end - 1
        } else {
            end
        };
        (start, end)
    }

    /// The byte offset of `p`, clamped into the text (see the module's doc).
    pub fn offset(&self, p: Position) -> usize {
        let Some(_) = self.starts.get(p.line as usize) else {
            return self.text.len();
        };
        let (start, end) = self.line(p.line as usize);
        let mut units = 0u32;
        for (i, c) in self.text[start..end].char_indices() {
            let next = units + c.len_utf16() as u32;
            if next > p.character {
                return start + i;
            }
            units = next;
        }
        end
    }

    /// The position of byte offset `at` (clamped to the text and to a character's
    /// start).
    pub fn position(&self, at: usize) -> Position {
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= at) - 1;
        let units: usize = self.text[self.starts[line]..at]
            .chars()
            .map(char::len_utf16)
            .sum();
        Position::new(line as u32, units as u32)
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end.max(start)))
    }

    /// The text of the line holding byte `at`, up to `at`.
    pub fn line_before(&self, at: usize) -> &str {
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= at) - 1;
        &self.text[self.starts[line]..at]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions_clamp_and_round_trip() {
        let t = Text::new("ab\r\n😀x\nlast".to_string());
        // past the end of a line: its end (before \r\n)
        assert_eq!(t.offset(Position::new(0, 99)), 2);
        // the middle of the surrogate pair of 😀: the character's start
        assert_eq!(t.offset(Position::new(1, 1)), 4);
        assert_eq!(t.offset(Position::new(1, 2)), 8);
        assert_eq!(t.position(8), Position::new(1, 2));
        // a line past the last: the end of the text
        assert_eq!(t.offset(Position::new(9, 0)), t.text.len());
        // inside a character's bytes: its start
        assert_eq!(t.position(5), Position::new(1, 0));
        assert_eq!(t.position(999), Position::new(2, 4));
    }

    proptest::proptest! {
        #[test]
        fn any_position_is_a_char_boundary(text in "\\PC{0,40}", line in 0u32..6, ch in 0u32..50) {
            let t = Text::new(text);
            let at = t.offset(Position::new(line, ch));
            proptest::prop_assert!(t.text.is_char_boundary(at));
            let back = t.position(at);
            proptest::prop_assert_eq!(t.offset(back), at);
        }
    }
}
