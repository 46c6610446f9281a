//! The format-neutral tree every loader produces: values as the file wrote them, each
//! with its exact span. The schema turns nodes into `Value`s later (`convert`).

use crate::diag::{LineIndex, Span};
use std::sync::Arc;

/// A value read from a data file, before the schema gives it a type.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub(crate) enum NodeKind {
    Null,
    Bool(bool),
    Number(f64),
    /// A string the format typed as a string (YAML, JSON).
    Str(Arc<str>),
    /// Untyped text (a CSV or TSV cell): the schema decides whether it is a number, a
    /// date, a list `a;b;c` or a string.
    Text(Arc<str>),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub key: Arc<str>,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    pub fn new(kind: NodeKind, span: Span) -> Node {
        Node { kind, span }
    }

    /// What the node is, as messages say it: `a list`, `the string `x``.
    pub fn describe(&self) -> String {
        match &self.kind {
            NodeKind::Null => "null".into(),
            NodeKind::Bool(b) => format!("the boolean `{b}`"),
            NodeKind::Number(n) => format!("the number `{}`", super::value::fmt_number(*n)),
            NodeKind::Str(s) | NodeKind::Text(s) => format!("the string `{}`", clip(s, 60)),
            NodeKind::Seq(_) => "a list".into(),
            NodeKind::Map(_) => "a map".into(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => entries.iter().find(|e| &*e.key == key).map(|e| &e.value),
            _ => None,
        }
    }
}

/// At most `n` characters of `s`, with `...` when cut; newlines shown as `\n`.
pub(crate) fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().nth(n).is_some() {
        out.push_str("...");
    }
    out.replace('\n', "\\n").replace('\r', "\\r")
}

/// Apply YAML merge keys (`<<: *base`, `<<: [*a, *b]`) in place: keys of the merged
/// maps are added where the map does not set them itself.
pub(crate) fn apply_merges(node: &mut Node) {
    // iterative, to keep deep documents off the call stack
    let mut stack: Vec<&mut Node> = vec![node];
    while let Some(n) = stack.pop() {
        match &mut n.kind {
            NodeKind::Map(entries) => {
                if entries.iter().any(|e| &*e.key == "<<") {
                    let mut own: Vec<Entry> = Vec::with_capacity(entries.len());
                    let mut merged: Vec<Entry> = Vec::new();
                    for e in std::mem::take(entries) {
                        if &*e.key == "<<" {
                            match e.value.kind {
                                NodeKind::Map(m) => merged.extend(m),
                                NodeKind::Seq(items) => {
                                    for item in items {
                                        if let NodeKind::Map(m) = item.kind {
                                            merged.extend(m);
                                        }
                                    }
                                }
                                _ => own.push(e),
                            }
                        } else {
                            own.push(e);
                        }
                    }
                    for m in merged {
                        if !own.iter().any(|e| e.key == m.key) {
                            own.push(m);
                        }
                    }
                    *entries = own;
                }
                stack.extend(entries.iter_mut().map(|e| &mut e.value));
            }
            NodeKind::Seq(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// How many pieces a file of `len` bytes is read in: four per rayon thread when it is
/// at least `min_parallel` bytes long and there is more than one thread, else one.
pub(crate) fn pieces(len: usize, min_parallel: usize) -> usize {
    let threads = rayon::current_num_threads();
    if len >= min_parallel && threads > 1 {
        4 * threads
    } else {
        1
    }
}

/// Turns byte offsets (or character indexes) of one file into spans with 1-based line
/// and character column, from the file's `diag::LineIndex`.
pub(crate) struct Locator<'t> {
    file: Arc<str>,
    lines: LineIndex<'t>,
}

impl<'t> Locator<'t> {
    pub fn new(file: Arc<str>, text: &'t str) -> Self {
        Locator {
            file,
            lines: LineIndex::new(text),
        }
    }

    pub fn file(&self) -> &Arc<str> {
        &self.file
    }

    pub fn text(&self) -> &'t str {
        self.lines.text()
    }

    /// A span over bytes `start..end`.
    /// A span whose line and column the caller already knows (counted along a line,
    /// as a table's cells are): no lookup.
    pub fn span_at(&self, start: usize, end: usize, line: u32, col: u32) -> Span {
        Span::new(self.file.clone(), start, end, line, col)
    }

    pub fn span(&self, start: usize, end: usize) -> Span {
        let text = self.text();
        let start = floor_char(text, start.min(text.len()));
        let end = floor_char(text, end.clamp(start, text.len()));
        let (line, col) = self.lines.line_col(start);
        Span::new(self.file.clone(), start, end, line, col)
    }

    /// A span over the characters `start..end` (indexes in characters, as YAML
    /// parsers count).
    pub fn char_span(&self, start: usize, end: usize) -> Span {
        let s = self.lines.byte_of_char(start);
        let e = self.lines.byte_of_char(end.max(start));
        self.span(s, e)
    }

    /// A span for line `line` (1-based) alone, when nothing finer is known.
    pub fn line_span(&self, line: u32) -> Span {
        let i = (line.max(1) as usize - 1).min(self.lines.line_count() - 1);
        let start = self.lines.line_start(i);
        let text = self.text();
        let end = text[start..]
            .find(['\r', '\n'])
            .map(|n| start + n)
            .unwrap_or(text.len());
        self.span(start, end)
    }

    /// A one-character span at a 1-based line and character column (as YAML and
    /// JSON parsers report errors).
    pub fn line_col_span(&self, line: u32, col: u32) -> Span {
        let text = self.text();
        let at = self.clamp_to_content(self.lines.offset_of(line, col));
        let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        let end = if text[at..end].contains(['\n', '\r']) {
            at
        } else {
            end
        };
        self.span(at, end)
    }

    /// An empty span at a 1-based line and character column, exactly there.
    pub fn point(&self, line: u32, col: u32) -> Span {
        let at = self.lines.offset_of(line, col);
        self.span(at, at)
    }

    /// An offset in the blank tail of the file moves back to just after its last
    /// character, so that an error at the end of the file shows the line it is on.
    pub fn clamp_to_content(&self, offset: usize) -> usize {
        let text = self.text();
        let content_end = text.trim_end().len();
        if offset > content_end && content_end > 0 {
            content_end
        } else {
            offset.min(text.len())
        }
    }

    /// A span for the whole file (its first line).
    pub fn file_span(&self) -> Span {
        Span::line_only(self.file.clone(), 1)
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let text = "a: é\nbé: x\r\nc";
        let l = Locator::new("f".into(), text);
        let s = l.char_span(9, 10); // `x`
        assert_eq!((s.line, s.col), (2, 5));
        assert_eq!(&text[s.start..s.end], "x");
        let s = l.span(text.len() - 1, text.len());
        assert_eq!((s.line, s.col), (3, 1));
    }

    #[test]
    fn a_csv_cell_after_wide_characters_is_shown_under_its_caret() {
        use crate::diag::diagnostic::render_human;
        use crate::diag::{Diagnostic, Sources};
        let text = "name,code\n中文中,x1\n";
        let loc = Locator::new("t.csv".into(), text);
        let mut diags = Vec::new();
        let docs = super::super::table::read(&loc, b',', &mut diags);
        let cell = match docs.first().map(|d| &d.kind) {
            Some(NodeKind::Seq(rows)) => rows.first().and_then(|r| r.get("code")),
            _ => None,
        };
        let Some(cell) = cell else {
            panic!("no cell `code` in {docs:?}");
        };
        assert_eq!((cell.span.line, cell.span.col), (2, 5));
        let mut sources = Sources::new();
        sources.add("t.csv".into(), text.into());
        let d = Diagnostic::error("D0000", "not a number").at(cell.span.clone(), "here");
        let shown = render_human(&d, &sources, false, 80);
        assert!(
            shown.contains("2 | 中文中,x1\n  |        ^^ here"),
            "{shown}"
        );
    }
}
