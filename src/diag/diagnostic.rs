//! The one diagnostic type every stage emits (parse, check, data, eval, cli), and its
//! renderings: for people (with the source excerpt and a caret), plain, and JSON.

use super::escape::{quoted_line, visible};
use super::span::Span;
use super::style;
use anstyle::Style;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};
use unicode_width::UnicodeWidthChar;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// A problem found in rule text, data, or arguments.
///
/// `message` is lowercase without a final period and puts user input in backticks;
/// `expected` and `found` say what was wanted and what was there; `help` gives advice.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// A stable code, e.g. `P0001` (parse), `C0003` (check), `D0007` (data).
    pub code: String,
    pub level: Level,
    pub message: String,
    pub primary: Option<Label>,
    pub secondary: Vec<Label>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.into(),
            level: Level::Error,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            expected: None,
            found: None,
            help: None,
        }
    }

    pub fn warning(code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn info(code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Info,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn with_level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some(Label {
            span,
            message: label.into(),
        });
        self
    }

    pub fn also(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: label.into(),
        });
        self
    }

    pub fn expected(mut self, what: impl Into<String>) -> Self {
        self.expected = Some(what.into());
        self
    }

    pub fn found(mut self, what: impl Into<String>) -> Self {
        self.found = Some(what.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// Sort key giving a deterministic order: file, position, code, message.
    pub fn sort_key(&self) -> (String, usize, u32, u32, String, String) {
        match &self.primary {
            Some(l) => (
                l.span.file.to_string(),
                l.span.start,
                l.span.line,
                l.span.col,
                self.code.clone(),
                self.message.clone(),
            ),
            None => (
                String::new(),
                0,
                0,
                0,
                self.code.clone(),
                self.message.clone(),
            ),
        }
    }
}

/// Sort diagnostics into their reporting order.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| d.sort_key());
}

/// The texts of the files diagnostics point into, so renderings can quote them.
#[derive(Default, Clone)]
pub struct Sources {
    files: BTreeMap<Arc<str>, Source>,
}

/// One file's text and, once a diagnostic quotes it, where its lines start: quoting
/// 20,000 lines of one file must not count lines from the top for each.
#[derive(Clone)]
struct Source {
    text: Arc<str>,
    line_starts: OnceLock<Vec<usize>>,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, name: Arc<str>, text: Arc<str>) {
        let line_starts = OnceLock::new();
        self.files.insert(name, Source { text, line_starts });
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(|s| &*s.text)
    }
    /// Line `line` (1-based) of a file without its line ending, as `str::lines` gives
    /// it (and without a byte-order mark); `None` past the last line. O(log lines) after the file's first question.
    pub fn line(&self, name: &str, line: u32) -> Option<&str> {
        let source = self.files.get(name)?;
        let text = &*source.text;
        let starts = source.line_starts.get_or_init(|| {
            let ends = text.bytes().enumerate().filter(|&(_, b)| b == b'\n');
            std::iter::once(0).chain(ends.map(|(i, _)| i + 1)).collect()
        });
        let i = (line as usize).checked_sub(1)?;
        let start = *starts.get(i)?;
        if start >= text.len() {
            return None;
        }
        let line = match starts.get(i + 1) {
            Some(&next) => {
                let l = &text[start..next - 1];
                l.strip_suffix('\r').unwrap_or(l)
            }
            None => &text[start..],
        };
        // a byte-order mark is no column (`LineIndex`), so it is not quoted either
        Some(if i == 0 {
            line.strip_prefix('\u{feff}').unwrap_or(line)
        } else {
            line
        })
    }
    /// Add every file of `other`.
    pub fn merge(&mut self, other: &Sources) {
        for (k, v) in &other.files {
            self.files.insert(k.clone(), v.clone());
        }
    }
}

/// How diagnostics are shown (`--error-format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ErrorFormat {
    /// Source excerpt with a caret under the place, colour on a terminal.
    Human,
    /// One line per diagnostic: `file:line:col: level[code]: message`.
    Plain,
    /// One JSON object per line.
    Json,
}

/// Paints in `diag::style`'s styles, or not at all when colour is off.
struct Paint {
    on: bool,
}
impl Paint {
    fn s(&self, style: Style, text: &str) -> String {
        if self.on {
            style::paint(style, text)
        } else {
            text.to_string()
        }
    }
}

/// Render one diagnostic for a person: header, location, source excerpt with carets
/// under the spans, expected/found, help. Lines are cut at `width` columns.
pub fn render_human(d: &Diagnostic, sources: &Sources, color: bool, width: usize) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    let lvl_color = match d.level {
        Level::Error => style::ERROR,
        Level::Warning => style::WARNING,
        Level::Info => style::INFO,
    };
    let _ = writeln!(
        out,
        "{}: {}",
        p.s(
            lvl_color,
            &format!("{}[{}]", d.level.as_str(), visible(&d.code))
        ),
        p.s(style::BOLD, &visible(&d.message))
    );
    let mut labels: Vec<(&Label, bool)> = Vec::new();
    if let Some(l) = &d.primary {
        labels.push((l, true));
    }
    for l in &d.secondary {
        labels.push((l, false));
    }
    let gutter = labels
        .iter()
        .map(|(l, _)| l.span.line.to_string().len())
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(gutter);
    for (i, (label, primary)) in labels.iter().enumerate() {
        let span = &label.span;
        let arrow = if i == 0 { "-->" } else { ":::" };
        let _ = writeln!(
            out,
            "{pad}{} {}",
            p.s(style::GUTTER, arrow),
            visible(&span.to_string())
        );
        let line_text = sources.line(&span.file, span.line);
        match line_text {
            Some(text) => {
                let (shown, col0, len) = excerpt(text, span, width.saturating_sub(gutter + 3));
                let _ = writeln!(out, "{pad} {}", p.s(style::GUTTER, "|"));
                let _ = writeln!(
                    out,
                    "{} {} {}",
                    p.s(style::GUTTER, &format!("{:>gutter$}", span.line)),
                    p.s(style::GUTTER, "|"),
                    quoted_line(&shown)
                );
                let mark = if *primary { "^" } else { "-" };
                let carets = mark.repeat(len.max(1));
                let _ = writeln!(
                    out,
                    "{pad} {} {}{} {}",
                    p.s(style::GUTTER, "|"),
                    " ".repeat(col0),
                    p.s(if *primary { lvl_color } else { style::GUTTER }, &carets),
                    p.s(
                        if *primary { lvl_color } else { style::GUTTER },
                        &visible(&label.message)
                    )
                );
            }
            None => {
                if !label.message.is_empty() {
                    let _ = writeln!(
                        out,
                        "{pad} {} {}",
                        p.s(style::GUTTER, "="),
                        visible(&label.message)
                    );
                }
            }
        }
    }
    if let Some(e) = &d.expected {
        let _ = writeln!(
            out,
            "{pad} {} expected: {}",
            p.s(style::GUTTER, "="),
            visible(e)
        );
    }
    if let Some(f) = &d.found {
        let _ = writeln!(
            out,
            "{pad} {} found: {}",
            p.s(style::GUTTER, "="),
            visible(f)
        );
    }
    if let Some(h) = &d.help {
        let _ = writeln!(
            out,
            "{pad} {} {}: {}",
            p.s(style::GUTTER, "="),
            p.s(style::BOLD, "help"),
            visible(h)
        );
    }
    out
}

/// The part of `line` to show, and the caret's column in it and length, all in
/// display columns: a wide character (`中`) takes two, a combining mark none, so the
/// caret stands under the span on a terminal. A tab is shown as one space. Long lines
/// are cut to a window of `width` columns around the span.
fn excerpt(line: &str, span: &Span, width: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let col0 = (span.col.saturating_sub(1) as usize).min(chars.len());
    let span_chars = if span.has_range() {
        // count the characters of the byte range that lie on this line
        let from_line_start: usize = chars.iter().take(col0).map(|c| c.len_utf8()).sum();
        let line_bytes_left = line.len().saturating_sub(from_line_start);
        let len_bytes = (span.end - span.start).min(line_bytes_left);
        let mut n = 0;
        let mut b = 0;
        for c in &chars[col0..] {
            if b >= len_bytes {
                break;
            }
            b += c.len_utf8();
            n += 1;
        }
        n.max(1)
    } else {
        1
    };
    let columns = |cs: &[char]| -> usize { cs.iter().map(|&c| display_width(c)).sum() };
    let width = width.max(20);
    if columns(&chars) <= width {
        let caret = columns(&chars[col0..(col0 + span_chars).min(chars.len())]);
        return (
            chars.iter().collect(),
            columns(&chars[..col0]),
            caret.max(1),
        );
    }
    // a third of the window before the span, the rest from there on
    let mut start = col0;
    let mut before = 0;
    while start > 0 && before + display_width(chars[start - 1]) <= width / 3 {
        start -= 1;
        before += display_width(chars[start]);
    }
    let mut end = start;
    let mut used = 0;
    while end < chars.len() && used + display_width(chars[end]) <= width {
        used += display_width(chars[end]);
        end += 1;
    }
    let mut shown: String = String::new();
    let mut offset = columns(&chars[start..col0]);
    if start > 0 {
        shown.push_str("...");
        offset += 3;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push_str("...");
    }
    let caret_end = (col0 + span_chars).min(end).max(col0);
    (shown, offset, columns(&chars[col0..caret_end]).max(1))
}

/// How many terminal columns `c` takes: two for wide characters (CJK, most emoji),
/// none for combining marks; a control character counts one, as it always has here.
fn display_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(1)
}

/// One line: `file:line:col: error[CODE]: message (expected X, found Y)`.
pub fn render_plain(d: &Diagnostic) -> String {
    let mut s = String::new();
    if let Some(l) = &d.primary {
        let _ = write!(s, "{}: ", l.span);
    }
    let _ = write!(s, "{}[{}]: {}", d.level.as_str(), d.code, d.message);
    match (&d.expected, &d.found) {
        (Some(e), Some(f)) => {
            let _ = write!(s, " (expected {e}, found {f})");
        }
        (Some(e), None) => {
            let _ = write!(s, " (expected {e})");
        }
        (None, Some(f)) => {
            let _ = write!(s, " (found {f})");
        }
        _ => {}
    }
    if let Some(h) = &d.help {
        let _ = write!(s, "; help: {h}");
    }
    // one line per diagnostic, whatever the data in it
    visible(&s).into_owned()
}

/// One JSON object (no trailing newline).
pub fn render_json(d: &Diagnostic) -> String {
    #[derive(Serialize)]
    struct J<'a> {
        code: &'a str,
        level: Level,
        message: &'a str,
        file: Option<&'a str>,
        line: Option<u32>,
        column: Option<u32>,
        label: Option<&'a str>,
        secondary: &'a [Label],
        expected: Option<&'a str>,
        found: Option<&'a str>,
        help: Option<&'a str>,
    }
    let l = d.primary.as_ref();
    serde_json::to_string(&J {
        code: &d.code,
        level: d.level,
        message: &d.message,
        file: l.map(|l| &*l.span.file),
        line: l.map(|l| l.span.line),
        column: l.map(|l| l.span.col),
        label: l.map(|l| l.message.as_str()),
        secondary: &d.secondary,
        expected: d.expected.as_deref(),
        found: d.found.as_deref(),
        help: d.help.as_deref(),
    })
    .unwrap_or_default()
}

/// Render many diagnostics in one format, in order, separated for reading.
pub fn render_all(
    diags: &[Diagnostic],
    sources: &Sources,
    format: ErrorFormat,
    color: bool,
    width: usize,
) -> String {
    let mut out = String::new();
    for d in diags {
        match format {
            ErrorFormat::Human => {
                out.push_str(&render_human(d, sources, color, width));
                out.push('\n');
            }
            ErrorFormat::Plain => {
                out.push_str(&render_plain(d));
                out.push('\n');
            }
            ErrorFormat::Json => {
                out.push_str(&render_json(d));
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The excerpt and caret lines of a diagnostic at bytes `start..end` of a
    /// one-file source, rendered without colour.
    fn carets(text: &str, start: usize, end: usize, width: usize) -> String {
        let (line, col) = crate::diag::span::line_col(text, start);
        let span = Span::new("t.csv".into(), start, end, line, col);
        let mut sources = Sources::new();
        sources.add("t.csv".into(), text.into());
        let d = Diagnostic::error("D0000", "m").at(span, "here");
        let out = render_human(&d, &sources, false, width);
        let lines: Vec<&str> = out.lines().collect();
        lines[3..5].join("\n")
    }

    fn at(text: &str, what: &str) -> (usize, usize) {
        let start = text.find(what).unwrap_or(0);
        (start, start + what.len())
    }

    #[test]
    fn carets_stand_under_the_span_after_wide_characters() {
        let text = "中文中,x1\n";
        let (s, e) = at(text, "x1");
        assert_eq!(carets(text, s, e, 80), "1 | 中文中,x1\n  |        ^^ here");
        // a wide character under the caret takes two carets
        let (s, e) = at(text, "文");
        assert_eq!(carets(text, s, e, 80), "1 | 中文中,x1\n  |   ^^ here");
    }

    #[test]
    fn tabs_are_one_space_and_combining_marks_none() {
        let text = "\tname: 名前\tx\n";
        let (s, e) = at(text, "x");
        assert_eq!(
            carets(text, s, e, 80),
            "1 |  name: 名前 x\n  |             ^ here"
        );
        // `e` and a combining acute accent are one column
        let text = "e\u{301}\tx";
        let (s, e) = at(text, "x");
        assert_eq!(carets(text, s, e, 80), "1 | e\u{301} x\n  |   ^ here");
    }

    #[test]
    fn colour_is_one_sequence_per_style_as_before_anstyle() {
        let text = "a\n}\n";
        let mut sources = Sources::new();
        sources.add("r.rules".into(), text.into());
        let d = Diagnostic::error("P0001", "unexpected `}`")
            .at(
                Span::new("r.rules".into(), 2, 3, 2, 1),
                "expected an expression",
            )
            .also(Span::new("r.rules".into(), 0, 1, 1, 1), "after this")
            .help("h");
        let expected = "\x1b[1;31merror[P0001]\x1b[0m: \x1b[1munexpected `}`\x1b[0m
 \x1b[1;34m-->\x1b[0m r.rules:2:1
  \x1b[1;34m|\x1b[0m
\x1b[1;34m2\x1b[0m \x1b[1;34m|\x1b[0m }
  \x1b[1;34m|\x1b[0m \x1b[1;31m^\x1b[0m \x1b[1;31mexpected an expression\x1b[0m
 \x1b[1;34m:::\x1b[0m r.rules:1:1
  \x1b[1;34m|\x1b[0m
\x1b[1;34m1\x1b[0m \x1b[1;34m|\x1b[0m a
  \x1b[1;34m|\x1b[0m \x1b[1;34m-\x1b[0m \x1b[1;34mafter this\x1b[0m
  \x1b[1;34m=\x1b[0m \x1b[1mhelp\x1b[0m: h
";
        assert_eq!(render_human(&d, &sources, true, 80), expected);
    }

    #[test]
    fn a_cut_long_line_counts_columns_from_the_cut() {
        let text = format!("{}x{}", "中".repeat(30), "中".repeat(30));
        let (s, e) = at(&text, "x");
        // a window of 20 columns: 3 wide characters (6 columns) before `x`, 6 after
        let shown = format!("...{}x{}...", "中".repeat(3), "中".repeat(6));
        assert_eq!(
            carets(&text, s, e, 24),
            format!("1 | {shown}\n  | {}^ here", " ".repeat(9))
        );
    }

    #[test]
    fn a_line_of_a_source_is_the_line_str_lines_gives() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\n\n",
            "a\r\nb\r\n",
            "a\r",
            "x\n\ny\rz\n中\r\n",
            "\u{feff}a\n\u{feff}b",
        ] {
            let mut sources = Sources::new();
            sources.add("f".into(), text.into());
            for line in 0..6 {
                let want = text.lines().nth((line as usize).wrapping_sub(1));
                let want = if line == 0 { None } else { want };
                let want = if line == 1 {
                    want.map(|l| l.strip_prefix('\u{feff}').unwrap_or(l))
                } else {
                    want
                };
                assert_eq!(sources.line("f", line), want, "{text:?} line {line}");
            }
        }
        assert_eq!(Sources::new().line("none", 1), None);
    }
}
