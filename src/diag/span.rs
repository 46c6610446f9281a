//! Source locations shared by every stage: a rule file or a data file, a byte range,
//! and the 1-based line and column of its start.

use std::fmt;
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
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// Line and column (1-based, columns in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let mut line = 1u32;
    let mut line_start = 0usize;
    for (i, b) in text.as_bytes()[..offset].iter().enumerate() {
        if *b == b'\n' {
            line += 1;
            line_start = i + 1;
        }
    }
    let col = text
        .get(line_start..offset)
        .map(|s| s.chars().count())
        .unwrap_or(offset - line_start) as u32
        + 1;
    (line, col)
}
