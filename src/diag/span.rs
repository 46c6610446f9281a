//! Source locations shared by every stage: a rule file or a data file, a byte range,
//! and the 1-based line and column of its start.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Where something is in a file. Spans never take part in equality or hashing, so
/// that trees built from differently laid out text compare equal.
#[derive(Clone, Default, serde::Serialize)]
pub struct Span {
    /// The file's path as the user gave it (or `<input>` for text without a file).
    pub file: Arc<str>,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: u32,
    /// 1-based column of `start`, counted in characters.
    pub col: u32,
}

impl Span {
    pub fn new(file: Arc<str>, start: usize, end: usize, line: u32, col: u32) -> Self {
        Span {
            file,
            start,
            end,
            line,
            col,
        }
    }

    /// A span covering a whole line of a file, for data whose columns are unknown.
    pub fn line_only(file: Arc<str>, line: u32) -> Self {
        Span {
            file,
            start: 0,
            end: 0,
            line,
            col: 1,
        }
    }

    /// The span from the start of `self` to the end of `other` (same file assumed).
    pub fn to(&self, other: &Span) -> Span {
        Span {
            file: self.file.clone(),
            start: self.start,
            end: other.end.max(self.start),
            line: self.line,
            col: self.col,
        }
    }

    /// Whether the byte range is meaningful (data spans may know only a line).
    pub fn has_range(&self) -> bool {
        self.end > self.start
    }
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}
impl Eq for Span {}
impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}",
            super::escape::visible(&self.file),
            self.line,
            self.col
        )
    }
}

/// Line and column (1-based, columns in characters) of a byte offset in `text`.
///
/// Builds a [`LineIndex`] for one question; ask the index itself for many.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    LineIndex::new(text).line_col(offset)
}

/// Byte distance between two entries of the character-count table.
const MARK: usize = 64;

/// The line and column tables of one text, the only ones in the crate: rule files
/// (`syntax`), data files (`data`) and diagnostics all turn byte offsets into lines and
/// columns here.
///
/// Built once in linear time. A lookup costs O(log lines + 64) whatever the length of
/// the line, so the many spans of a 10 MB single-line file stay linear. Lines are
/// 1-based and end after each `\n` (a `\r` before it counts as a character of the
/// line); columns are 1-based and counted in characters (Unicode scalar values).
/// A byte-order mark that starts the text is no column: every reader skips it and no
/// editor shows it, so the first character after it is column 1.
#[derive(Debug)]
pub struct LineIndex<'t> {
    text: &'t str,
    /// Byte offset of the first byte of every line.
    line_starts: Vec<usize>,
    /// `char_marks[k]`: how many characters start before byte `k * MARK`. Empty when
    /// the text is ASCII: then characters are bytes.
    char_marks: Vec<usize>,
    /// The last character index turned into a byte offset, and that offset, packed
    /// into one atomic (each half 32 bits; larger ones are not remembered): parsers
    /// ask for positions in order, so the next one is usually a few characters on. An
    /// atomic, not a `Cell`, so that threads reading parts of one file share the index.
    last_char: AtomicU64,
    /// The length of the byte-order mark that starts the text (3), or 0.
    bom: usize,
}

/// Whether `b` starts a character (is not a UTF-8 continuation byte).
fn starts_char(b: u8) -> bool {
    b & 0xC0 != 0x80
}

/// How many characters start in `bytes`.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| starts_char(b)).count()
}

impl Clone for LineIndex<'_> {
    fn clone(&self) -> Self {
        LineIndex {
            text: self.text,
            line_starts: self.line_starts.clone(),
            char_marks: self.char_marks.clone(),
            last_char: AtomicU64::new(self.last_char.load(Ordering::Relaxed)),
            bom: self.bom,
        }
    }
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        let char_marks = if text.is_ascii() {
            Vec::new()
        } else {
            let mut marks = Vec::with_capacity(bytes.len() / MARK + 2);
            let mut chars = 0usize;
            for block in bytes.chunks(MARK) {
                marks.push(chars);
                chars += count_chars(block);
            }
            // the count at the end, for an offset at the end of a text of whole blocks
            // and as the upper bound when mapping characters back to bytes
            marks.push(chars);
            marks
        };
        LineIndex {
            text,
            line_starts,
            char_marks,
            last_char: AtomicU64::new(0),
            bom: if text.starts_with('\u{feff}') { 3 } else { 0 },
        }
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    /// How many lines the text has (a text ending in `\n` has an empty last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based index of the line holding byte `offset` (a `\n` belongs to the line it
    /// ends; offsets past the end belong to the last line).
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset of the first byte of line `index` (0-based); the text's length past
    /// the last line.
    pub fn line_start(&self, index: usize) -> usize {
        self.line_starts
            .get(index)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// Byte offset of the `\n` that ends line `index` (0-based), or the text's length
    /// for the last line.
    pub fn line_end(&self, index: usize) -> usize {
        self.line_starts
            .get(index + 1)
            .map_or(self.text.len(), |&next| next - 1)
    }

    /// How many characters start before byte `offset`.
    pub fn chars_before(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if self.char_marks.is_empty() {
            return offset;
        }
        let block = offset / MARK;
        self.char_marks[block] + count_chars(&self.text.as_bytes()[block * MARK..offset])
    }

    /// Line and column (1-based, columns in characters) of byte `offset`. An offset
    /// past the end is taken as the end.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let chars = if self.char_marks.is_empty() {
            offset - start
        } else if offset - start <= MARK {
            // a short way into the line: counting it is quicker than the table
            count_chars(&self.text.as_bytes()[start..offset])
        } else {
            self.chars_before(offset) - self.chars_before(start)
        };
        // on the first line, the byte-order mark is no column (nor is any offset in it)
        let chars = if line == 0 && self.bom > 0 {
            chars.saturating_sub(1)
        } else {
            chars
        };
        (line as u32 + 1, chars as u32 + 1)
    }

    /// Byte offset of the character with index `index` (0-based, counted from the start
    /// of the text, as YAML parsers count); the text's length past the last character.
    pub fn byte_of_char(&self, index: usize) -> usize {
        let len = self.text.len();
        if self.char_marks.is_empty() {
            return index.min(len);
        }
        let total = self.char_marks[self.char_marks.len() - 1];
        if index >= total {
            return len;
        }
        let packed = self.last_char.load(Ordering::Relaxed);
        let (last_index, last_byte) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
        let (from, seen) = if index >= last_index && index - last_index < MARK {
            (last_byte, last_index)
        } else {
            // the last block that starts at or before the character: the character
            // starts in it, as the next block's mark is above `index`
            let block = self.char_marks.partition_point(|&m| m <= index) - 1;
            (block * MARK, self.char_marks[block])
        };
        let mut seen = seen;
        for (i, &b) in self.text.as_bytes()[from..].iter().enumerate() {
            if starts_char(b) {
                if seen == index {
                    if let (Ok(c), Ok(b)) = (u32::try_from(index), u32::try_from(from + i)) {
                        let packed = (u64::from(c) << 32) | u64::from(b);
                        self.last_char.store(packed, Ordering::Relaxed);
                    }
                    return from + i;
                }
                seen += 1;
            }
        }
        len
    }

    /// Byte offset of 1-based `line` and character `col`, as parsers report errors.
    /// A line past the last is the last; a column past the end of its line is the
    /// line's end (its `\n`, or the end of the text).
    pub fn offset_of(&self, line: u32, col: u32) -> usize {
        let i = (line.max(1) as usize - 1).min(self.line_starts.len() - 1);
        let start = if i == 0 {
            self.bom
        } else {
            self.line_starts[i]
        };
        let at = self.byte_of_char(self.chars_before(start) + (col.max(1) as usize - 1));
        at.clamp(start, self.line_end(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line and column by counting from the start, as the definition says.
    fn naive(text: &str, offset: usize) -> (u32, u32) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = text[line_start..offset].chars().count() + 1;
        (line as u32, col as u32)
    }

    /// Texts with characters of 1 to 4 bytes on both sides of the table's marks, long
    /// lines, CRLF, empty lines, and no final newline.
    fn texts() -> Vec<String> {
        let mut long = String::new();
        for i in 0..2000 {
            long.push(['a', 'é', '中', '😀', '\t'][i % 5]);
            if i % 700 == 699 {
                long.push_str("\r\n");
            }
        }
        vec![
            String::new(),
            "\n".into(),
            "abc".into(),
            "ab\nçd é\n\nx".into(),
            "a\r\nb\r\n".into(),
            format!("{}é{}", "a".repeat(1000), "b".repeat(1000)),
            format!("{}中x", "a".repeat(MARK - 1)),
            format!("{}😀\n{}", "a".repeat(MARK - 2), "中".repeat(MARK)),
            "中".repeat(MARK),
            long,
        ]
    }

    #[test]
    fn lines_and_columns_agree_with_counting() {
        for text in texts() {
            let index = LineIndex::new(&text);
            let boundaries = (0..=text.len()).filter(|&i| text.is_char_boundary(i));
            for (chars, offset) in boundaries.enumerate() {
                assert_eq!(index.line_col(offset), naive(&text, offset), "{offset}");
                assert_eq!(index.chars_before(offset), chars);
                assert_eq!(index.byte_of_char(chars), offset);
            }
            // backwards and in jumps too, not only in the order parsers ask
            let offsets: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            for (chars, &offset) in offsets.iter().enumerate().rev().step_by(3) {
                assert_eq!(index.byte_of_char(chars), offset);
            }
            assert_eq!(index.line_col(text.len() + 5), naive(&text, text.len()));
            let n = text.chars().count();
            assert_eq!(index.byte_of_char(n + 3), text.len());
            assert_eq!(index.line_count(), text.matches('\n').count() + 1);
        }
    }

    #[test]
    fn a_byte_order_mark_is_no_column() {
        let text = "\u{feff}ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(0), (1, 1));
        assert_eq!(index.line_col(3), (1, 1));
        assert_eq!(index.line_col(4), (1, 2));
        assert_eq!(index.line_col(7), (2, 2));
        assert_eq!(index.offset_of(1, 1), 3);
        assert_eq!(index.offset_of(1, 2), 4);
        assert_eq!(index.offset_of(2, 2), 7);
        // only at the very start
        let index = LineIndex::new("a\u{feff}b");
        assert_eq!(index.line_col(4), (1, 3));
    }

    #[test]
    fn an_offset_inside_a_character_counts_that_character() {
        let text = "aé中b";
        let index = LineIndex::new(text);
        assert_eq!(index.chars_before(2), 2); // inside `é`
        assert_eq!(index.line_col(4), (1, 4)); // inside `中`
    }

    #[test]
    fn line_and_column_back_to_an_offset() {
        let text = "ab\r\nçd é\n\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.offset_of(1, 1), 0);
        assert_eq!(index.offset_of(2, 4), text.find('é').unwrap_or(0));
        // past the end of a line: its end (before `\r\n`'s `\n`, after the `\r`)
        assert_eq!(index.offset_of(1, 9), 3);
        assert_eq!(index.offset_of(3, 2), text.rfind('\n').unwrap_or(0));
        // past the last line: the last line
        assert_eq!(index.offset_of(9, 1), text.len() - 1);
        assert_eq!(index.offset_of(0, 0), 0);
    }

    #[test]
    fn a_long_line_is_read_in_linear_time() {
        // 10 MB on one line, a lookup every 100 bytes: quadratic would take hours
        let text = "é".repeat(5_000_000);
        let index = LineIndex::new(&text);
        let mut last = 0;
        for offset in (0..text.len()).step_by(100) {
            let (line, col) = index.line_col(offset);
            assert_eq!(line, 1);
            assert!(col > last || offset == 0);
            last = col;
        }
        assert_eq!(index.byte_of_char(4_999_999), text.len() - 2);
    }
}
