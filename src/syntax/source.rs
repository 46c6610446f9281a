//! The parse state threaded through nom_locate's `extra`: the source map that turns byte
//! offsets into spans, the nesting depth, and the comments met so far.
//!
//! Lines and columns come from the file's `diag::LineIndex`, built once per file, so
//! making a span costs O(log lines + 64) whatever the length of the line: a 10 MB line
//! stays linear.

use super::ast::Comment;
use crate::diag::span::{LineIndex, Span};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Byte offsets of one rule file to spans.
pub(crate) struct SourceMap<'a> {
    pub file: Arc<str>,
    pub text: &'a str,
    lines: LineIndex<'a>,
}

impl<'a> SourceMap<'a> {
    pub fn new(file: Arc<str>, text: &'a str) -> Self {
        SourceMap {
            file,
            text,
            lines: LineIndex::new(text),
        }
    }

    /// 0-based index of the line holding `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        self.lines.line_index(offset)
    }

    pub fn line_start(&self, index: usize) -> usize {
        self.lines.line_start(index)
    }

    pub fn line_count(&self) -> usize {
        self.lines.line_count()
    }

    /// The span of bytes `start..end`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let start = start.min(self.text.len());
        let end = end.clamp(start, self.text.len());
        let (line, col) = self.lines.line_col(start);
        Span::new(self.file.clone(), start, end, line, col)
    }
}

/// Everything the grammar shares while it runs over one file.
pub(crate) struct Ctx<'a> {
    pub src: SourceMap<'a>,
    /// Current nesting of recursive expression productions (parentheses, lists, ...).
    pub depth: Cell<u32>,
    /// Inside a `{...}` interpolation of a message: whitespace stops at the end of the
    /// line and `#` is not a comment.
    pub interp: Cell<bool>,
    /// Comments by offset: backtracking may meet a comment twice.
    pub comments: RefCell<BTreeMap<usize, Comment>>,
}

impl<'a> Ctx<'a> {
    pub fn new(file: Arc<str>, text: &'a str) -> Self {
        Ctx {
            src: SourceMap::new(file, text),
            depth: Cell::new(0),
            interp: Cell::new(false),
            comments: RefCell::new(BTreeMap::new()),
        }
    }

    pub fn span(&self, start: usize, end: usize) -> Span {
        self.src.span(start, end)
    }

    pub fn add_comment(&self, start: usize, end: usize, text: &str) {
        let mut comments = self.comments.borrow_mut();
        comments.entry(start).or_insert_with(|| Comment {
            text: text.to_string(),
            span: self.src.span(start, end),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_lines_and_characters() {
        let text = "ab\nçd é\n\nx";
        let m = SourceMap::new("f".into(), text);
        let s = m.span(0, 1);
        assert_eq!((s.line, s.col), (1, 1));
        let e = text.find('é').unwrap_or(0);
        let s = m.span(e, e + 2);
        assert_eq!((s.line, s.col), (2, 4));
        let x = text.len() - 1;
        let s = m.span(x, x + 1);
        assert_eq!((s.line, s.col), (4, 1));
        let s = m.span(text.len(), text.len());
        assert_eq!((s.line, s.col), (4, 2));
    }

    #[test]
    fn columns_on_a_long_line_cross_table_marks() {
        let text = format!("{}é{}", "a".repeat(1000), "b".repeat(1000));
        let m = SourceMap::new("f".into(), &text);
        let s = m.span(1500, 1501);
        // 1000 'a', 'é' (2 bytes, 1 char), then 'b's
        assert_eq!(s.col, 1500);
    }
}
