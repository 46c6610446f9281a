//! The grammar's error type: where parsing stopped, what was expected there, and the
//! specific advice for known mistakes; turned into the one `Diagnostic` at the end.
//!
//! Between alternatives the error that got furthest wins; at the same place a specific
//! error beats a generic one and generic ones pool what they expected.

use super::lex::{is_keyword, In};
use super::source::SourceMap;
use crate::diag::Diagnostic;
use nom::error::{ContextError, ErrorKind, ParseError};

/// Code of the generic "expected X, found Y" error.
pub(crate) const GENERIC: &str = "P0001";

#[derive(Debug)]
pub(crate) struct PError(pub Box<ErrorData>);

#[derive(Debug)]
pub(crate) struct ErrorData {
    /// Byte offset of the problem.
    pub pos: usize,
    /// End of the underlined range; by default the token found at `pos`.
    pub end: Option<usize>,
    pub code: &'static str,
    pub message: Option<String>,
    pub label: Option<String>,
    pub expected: Vec<String>,
    pub found: Option<String>,
    pub help: Option<String>,
    /// Other places worth showing: byte range and label.
    pub secondary: Vec<(usize, usize, String)>,
    /// Made by hand for a known mistake (as opposed to a plain "expected X").
    pub specific: bool,
}

impl PError {
    /// A generic error: `what` was expected at `pos`.
    pub fn expected(pos: usize, what: impl Into<String>) -> Self {
        let mut e = PError::generic(pos);
        e.0.expected.push(what.into());
        e
    }

    pub fn generic(pos: usize) -> Self {
        PError(Box::new(ErrorData {
            pos,
            end: None,
            code: GENERIC,
            message: None,
            label: None,
            expected: Vec::new(),
            found: None,
            help: None,
            secondary: Vec::new(),
            specific: false,
        }))
    }

    /// A specific error with its own code and message.
    pub fn new(code: &'static str, pos: usize, message: impl Into<String>) -> Self {
        let mut e = PError::generic(pos);
        e.0.code = code;
        e.0.message = Some(message.into());
        e.0.specific = true;
        e
    }

    pub fn pos(&self) -> usize {
        self.0.pos
    }

    pub fn is_specific(&self) -> bool {
        self.0.specific
    }

    pub fn end(mut self, end: usize) -> Self {
        self.0.end = Some(end);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.0.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    pub fn found(mut self, found: impl Into<String>) -> Self {
        self.0.found = Some(found.into());
        self
    }

    /// Replace what was expected.
    pub fn expecting(mut self, what: impl Into<String>) -> Self {
        self.0.expected = vec![what.into()];
        self
    }

    pub fn also(mut self, start: usize, end: usize, label: impl Into<String>) -> Self {
        self.0.secondary.push((start, end, label.into()));
        self
    }

    /// Mark a generic error as specific (with a code), keeping what it expected.
    pub fn code(mut self, code: &'static str) -> Self {
        self.0.code = code;
        self.0.specific = true;
        self
    }

    pub fn to_diagnostic(&self, src: &SourceMap) -> Diagnostic {
        let d = &self.0;
        let text = src.text;
        let mut pos = d.pos.min(text.len());
        while !text.is_char_boundary(pos) {
            pos -= 1;
        }
        let (desc, len) = describe(text, pos);
        if pos == text.len() {
            // point just after the last thing written, not at an empty last line
            pos = text.trim_end().len();
        }
        let end = d.end.unwrap_or(pos + len).max(pos);
        let found = d.found.clone().unwrap_or(desc);
        let expected = join_or(&d.expected);
        let message = d
            .message
            .clone()
            .unwrap_or_else(|| format!("unexpected {found}"));
        let label = d.label.clone().unwrap_or_else(|| {
            if expected.is_empty() {
                String::new()
            } else {
                format!("expected {expected}")
            }
        });
        let mut diag = Diagnostic::error(d.code, message).at(src.span(pos, end), label);
        if !expected.is_empty() {
            diag = diag.expected(expected);
        }
        diag = diag.found(found);
        for (s, e, l) in &d.secondary {
            diag = diag.also(src.span(*s, *e), l.clone());
        }
        if let Some(h) = &d.help {
            diag = diag.help(h.clone());
        }
        diag
    }
}

/// `a`, `a or b`, `a, b or c`.
pub(crate) fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// A person's description of the token at `pos`, and its length in bytes.
pub(crate) fn describe(text: &str, pos: usize) -> (String, usize) {
    let rest = text.get(pos..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return ("end of file".into(), 0);
    };
    let bytes = rest.as_bytes();
    match c {
        '\n' | '\r' => ("end of line".into(), 0),
        c if c == '_' || c.is_ascii_alphabetic() => {
            let n = super::lex::word_len(rest);
            let w = &rest[..n];
            if is_keyword(w) {
                (format!("keyword `{w}`"), n)
            } else {
                (format!("`{w}`"), n)
            }
        }
        '0'..='9' => {
            let n = bytes
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'.' || **b == b'_')
                .count();
            (format!("number `{}`", &rest[..n]), n)
        }
        '@' => {
            let n = 1 + bytes[1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
                .count();
            (format!("`{}`", &rest[..n]), n)
        }
        '"' => {
            let line_end = rest.find('\n').unwrap_or(rest.len());
            let mut n = line_end;
            let mut escaped = false;
            for (k, ch) in rest[..line_end].char_indices().skip(1) {
                if escaped {
                    escaped = false;
                } else if ch == '\\' {
                    escaped = true;
                } else if ch == '"' {
                    n = k + 1;
                    break;
                }
            }
            let shown: String = rest[..n].chars().take(30).collect();
            let more = if shown.len() < n { "..." } else { "" };
            (format!("string `{shown}{more}`"), n)
        }
        '#' if rest.starts_with("##") => ("doc comment `##`".into(), 2),
        '#' => ("`#`".into(), 1),
        c if "=!<>~&|+-*/%^".contains(c) => {
            let n = bytes
                .iter()
                .take(3)
                .take_while(|b| b"=!<>~&|+-*/%^".contains(b))
                .count();
            (format!("`{}`", &rest[..n]), n)
        }
        c if c.is_control() => (format!("character U+{:04X}", c as u32), c.len_utf8()),
        c => (format!("`{c}`"), c.len_utf8()),
    }
}

impl<'a> ParseError<In<'a>> for PError {
    fn from_error_kind(input: In<'a>, _kind: ErrorKind) -> Self {
        PError::generic(input.location_offset())
    }

    fn append(_input: In<'a>, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        let (a, b) = (&self.0, &other.0);
        if a.pos != b.pos {
            return if a.pos > b.pos { self } else { other };
        }
        match (a.specific, b.specific) {
            (true, _) => self,
            (false, true) => other,
            (false, false) => {
                let mut merged = self;
                for e in other.0.expected {
                    if !merged.0.expected.contains(&e) {
                        merged.0.expected.push(e);
                    }
                }
                merged
            }
        }
    }
}

impl<'a> ContextError<In<'a>> for PError {
    /// A context names what was being parsed; it becomes the "expected" of a generic
    /// error that has none, and is dropped otherwise (the innermost one is the best).
    fn add_context(_input: In<'a>, ctx: &'static str, mut other: Self) -> Self {
        if !other.0.specific && other.0.expected.is_empty() {
            other.0.expected.push(ctx.to_string());
        }
        other
    }
}
