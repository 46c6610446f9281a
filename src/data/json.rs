//! JSON and JSON Lines files: serde_json reads the values, and a light scan of the
//! already-validated text finds where each value and key is.

use super::codes;
use super::convert::Strings;
use super::node::{Entry, Locator, Node, NodeKind};
use crate::diag::{Diagnostic, Span};
use serde_json::Value as J;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// JSON Lines errors reported one by one per file; the rest are counted.
const MAX_LINE_ERRORS: usize = 20;

/// Read a JSON file: one document.
pub(crate) fn read(loc: &Locator, diags: &mut Vec<Diagnostic>) -> Vec<Node> {
    let text = loc.text();
    if text.trim().is_empty() {
        return Vec::new();
    }
    let mut strings = Strings::default();
    let start = skip_ws(text.as_bytes(), 0);
    match read_value(loc, text, start, &mut strings, diags) {
        Ok(node) => vec![node],
        Err(e) => {
            diags.push(json_error(&e, loc, 0));
            Vec::new()
        }
    }
}

/// The node of the JSON value `piece` (of the file's text, its value starting at byte
/// `start`), with warnings (repeated keys) in `warnings`. serde_json checks the text
/// without building its values, and the value is read from the text; what the check
/// lets through and a value cannot hold (a number out of range, a lone surrogate,
/// nesting past serde_json's limit) is read the slow way, through serde_json's values,
/// which reports it.
fn read_value(
    loc: &Locator,
    piece: &str,
    start: usize,
    strings: &mut Strings,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Node, serde_json::Error> {
    let text = loc.text();
    if serde_json::from_str::<serde::de::IgnoredAny>(piece).is_ok() {
        let before = warnings.len();
        let mut scan = Scan::new(text, loc, warnings, strings);
        if let Some((node, _)) = scan.parse(start, 0) {
            return Ok(node);
        }
        warnings.truncate(before);
    }
    let v = serde_json::from_str::<J>(piece)?;
    Ok(Scan::new(text, loc, warnings, strings).value(v, start).0)
}

/// Read a JSON Lines file: one document, the list of its lines' values.
#[cfg(test)]
pub(crate) fn read_lines(loc: &Locator, diags: &mut Vec<Diagnostic>) -> Vec<Node> {
    let mut items = Vec::new();
    read_lines_each(loc, diags, &mut |n| items.push(n));
    vec![Node::new(NodeKind::Seq(items), loc.file_span())]
}

/// Read a JSON Lines file, handing each line's value to `each` as soon as it is read,
/// so that a caller that turns it into a record never holds the whole file's tree.
pub(crate) fn read_lines_each(
    loc: &Locator,
    diags: &mut Vec<Diagnostic>,
    each: &mut dyn FnMut(Node),
) {
    let mut out = Lines::default();
    let mut strings = Strings::default();
    read_line_range(loc, 0, loc.text().len(), &mut strings, &mut out, each);
    finish_lines(loc, vec![out], diags);
}

/// Like [`read_lines_each`], but a file of `min_chunked` bytes or more has its lines
/// read in pieces in parallel
/// (on the rayon pool), each with a state of its own made by `state`; the states come
/// back in the order of the file, and diagnostics are those `read_lines_each` gives,
/// in its order.
pub(crate) fn read_lines_chunked<S: Send>(
    loc: &Locator,
    diags: &mut Vec<Diagnostic>,
    min_chunked: usize,
    state: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, Node) + Sync,
) -> Vec<S> {
    let pieces = super::node::pieces(loc.text().len(), min_chunked);
    read_lines_in_pieces(loc, diags, pieces, state, each)
}

/// [`read_lines_chunked`] in about `pieces` pieces.
fn read_lines_in_pieces<S: Send>(
    loc: &Locator,
    diags: &mut Vec<Diagnostic>,
    pieces: usize,
    state: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, Node) + Sync,
) -> Vec<S> {
    use rayon::prelude::*;
    let text = loc.text();
    // pieces end just after a line break
    let step = (text.len() / pieces.max(1)).max(1);
    let mut bounds = vec![0];
    while let Some(&last) = bounds.last() {
        let target = last + step;
        if target >= text.len() {
            break;
        }
        match text.as_bytes()[target..].iter().position(|&b| b == b'\n') {
            Some(n) => bounds.push(target + n + 1),
            None => break,
        }
    }
    bounds.push(text.len());
    let done: Vec<(S, Lines)> = bounds
        .par_windows(2)
        .map(|w| {
            let mut st = state();
            let mut out = Lines::default();
            let mut strings = Strings::default();
            read_line_range(loc, w[0], w[1], &mut strings, &mut out, &mut |n| {
                each(&mut st, n)
            });
            (st, out)
        })
        .collect();
    let (states, outs): (Vec<S>, Vec<Lines>) = done.into_iter().unzip();
    finish_lines(loc, outs, diags);
    states
}

/// What reading some lines found besides their values: diagnostics in order (each
/// saying whether it is a line that is not JSON, at most `MAX_LINE_ERRORS` of those),
/// and how many lines were not JSON.
#[derive(Default)]
struct Lines {
    diags: Vec<(bool, Diagnostic)>,
    errors: usize,
}

/// The diagnostics of a file's pieces of lines, in file order: at most
/// `MAX_LINE_ERRORS` lines that are not JSON reported, then the count of the rest.
fn finish_lines(loc: &Locator, outs: Vec<Lines>, diags: &mut Vec<Diagnostic>) {
    let (mut shown, mut errors) = (0usize, 0usize);
    for o in outs {
        for (is_error, d) in o.diags {
            if is_error {
                shown += 1;
                if shown > MAX_LINE_ERRORS {
                    continue;
                }
            }
            diags.push(d);
        }
        errors += o.errors;
    }
    if errors > MAX_LINE_ERRORS {
        diags.push(
            Diagnostic::error(
                codes::MALFORMED_JSON,
                format!("{} more lines are not JSON", errors - MAX_LINE_ERRORS),
            )
            .at(loc.file_span(), "in this file"),
        );
    }
}

/// Read the lines of bytes `from..to` (which start and end lines).
fn read_line_range(
    loc: &Locator,
    from: usize,
    to: usize,
    strings: &mut Strings,
    out: &mut Lines,
    each: &mut dyn FnMut(Node),
) {
    let text = loc.text();
    let mut offset = from;
    for line in text[from..to].split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        if line.trim().is_empty() {
            continue;
        }
        let start = skip_ws(text.as_bytes(), line_start);
        let mut warnings = Vec::new();
        let node = match read_value(loc, line, start, strings, &mut warnings) {
            Ok(node) => Some(node),
            Err(e) => {
                out.errors += 1;
                if out.errors <= MAX_LINE_ERRORS {
                    out.diags.push((true, json_error(&e, loc, line_start)));
                }
                None
            }
        };
        out.diags.extend(warnings.into_iter().map(|d| (false, d)));
        if let Some(node) = node {
            each(node);
        }
    }
}

/// A diagnostic for a serde_json error in text that starts at byte `base` of the file.
fn json_error(e: &serde_json::Error, loc: &Locator, base: usize) -> Diagnostic {
    let text = loc.text();
    // serde_json counts lines from the start of what it read, and columns in bytes
    let mut off = base;
    for _ in 1..e.line() {
        match text[off..].find('\n') {
            Some(n) => off += n + 1,
            None => break,
        }
    }
    let at = loc.clamp_to_content((off + e.column().saturating_sub(1)).min(text.len()));
    let mut at_char = at;
    while at_char > 0 && !text.is_char_boundary(at_char) {
        at_char -= 1;
    }
    let end = text[at_char..]
        .chars()
        .next()
        .filter(|c| *c != '\n' && *c != '\r')
        .map_or(at_char, |c| at_char + c.len_utf8());
    let msg = e.to_string();
    let problem = msg
        .rsplit_once(" at line ")
        .map_or(msg.as_str(), |(p, _)| p)
        .to_string();
    let what = if base == 0 && loc.file().ends_with(".json") {
        "malformed JSON"
    } else {
        "malformed JSON line"
    };
    let mut d = Diagnostic::error(codes::MALFORMED_JSON, format!("{what}: {problem}"))
        .at(loc.span(at_char, end), problem);
    if e.is_eof() {
        d = d.help(
            "the file ends before the value is complete: look for a missing `]`, `}` or `\"`",
        );
    }
    d
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// Walks text that serde_json accepted together with the value it produced.
struct Scan<'a, 'l, 't> {
    text: &'t str,
    loc: &'l Locator<'a>,
    diags: &'l mut Vec<Diagnostic>,
    strings: &'l mut Strings,
    /// The last position asked for: byte offset, line, column. Values and keys are
    /// visited in the order written, so the next one's column is counted on from here
    /// (a line-table lookup per value and key was a seventh of loading JSON Lines).
    at: (usize, u32, u32),
}

impl<'a, 'l, 't> Scan<'a, 'l, 't> {
    fn new(
        text: &'t str,
        loc: &'l Locator<'a>,
        diags: &'l mut Vec<Diagnostic>,
        strings: &'l mut Strings,
    ) -> Self {
        Scan {
            text,
            loc,
            diags,
            strings,
            at: (usize::MAX, 0, 0),
        }
    }

    /// A span from `start` to `end`, its line and column counted on from the last.
    fn span(&mut self, start: usize, end: usize) -> Span {
        let (o, l, c) = self.at;
        if start >= o {
            if let Some(seg) = self.text.get(o..start).filter(|s| !s.contains('\n')) {
                let c = c + if seg.is_ascii() {
                    seg.len() as u32
                } else {
                    seg.chars().count() as u32
                };
                self.at = (start, l, c);
                return self.loc.span_at(start, end, l, c);
            }
        }
        let sp = self.loc.span(start, end);
        self.at = (sp.start, sp.line, sp.col);
        sp
    }

    /// The keys of the object starting at byte `i`, in the order written, each with
    /// where it is and where its value starts; and the byte after the object.
    #[allow(clippy::type_complexity)]
    fn object_keys(&self, i: usize) -> (Vec<(Cow<'t, str>, usize, usize, usize)>, usize) {
        let b = self.text.as_bytes();
        let mut keys = Vec::new();
        let mut j = skip_ws(b, i + 1);
        while j < b.len() && b[j] == b'"' {
            let kend = string_end(b, j);
            // a key without escapes is its text: no need to decode (or allocate)
            let key: Cow<str> = match self.text.get(j + 1..kend.saturating_sub(1)) {
                Some(raw) if kend >= j + 2 && !raw.contains('\\') => Cow::Borrowed(raw),
                _ => Cow::Owned(serde_json::from_str(&self.text[j..kend]).unwrap_or_default()),
            };
            let vstart = skip_ws(b, skip_ws(b, kend) + 1);
            keys.push((key, j, kend, vstart));
            j = skip_ws(b, value_end(b, vstart));
            if b.get(j) == Some(&b',') {
                j = skip_ws(b, j + 1);
            }
        }
        (keys, (j + 1).min(b.len()))
    }

    /// The entries of the object starting at byte `i`, each value made by `value`
    /// (given the scan, the key and where the value starts), a repeated key's earlier
    /// values skipped with a warning; and the byte after the object. `None` when
    /// `value` gives none.
    fn object(
        &mut self,
        i: usize,
        mut value: impl FnMut(&mut Self, &str, usize) -> Option<Node>,
    ) -> Option<(Vec<Entry>, usize)> {
        let (keys, end) = self.object_keys(i);
        let names: Vec<Arc<str>> = keys.iter().map(|k| self.strings.name(&k.0)).collect();
        // names with the same text are one `Arc` while the file's names are all
        // remembered: repeated keys are then found by address
        let is_last = if self.strings.names_shared() {
            last_by_address(&names)
        } else {
            last_of_each(&keys)
        };
        let mut out: Vec<Entry> = Vec::with_capacity(keys.len());
        for (k, ((key, ks, ke, vs), name)) in keys.iter().zip(names).enumerate() {
            let key_span = self.span(*ks, *ke);
            if !is_last[k] {
                self.diags.push(duplicate_key(key, key_span));
                continue;
            }
            let node = value(self, key, *vs)?;
            out.push(Entry {
                key: name,
                key_span,
                value: node,
            });
        }
        Some((out, end))
    }

    /// The node for the value whose text starts at byte `i` of text serde_json has
    /// accepted, read from the text alone; returns it and the byte after. `None` when
    /// a value cannot be read (see `read_lines_each`), and past `MAX_DEPTH` levels.
    fn parse(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        const MAX_DEPTH: usize = 128;
        if depth > MAX_DEPTH {
            return None;
        }
        let b = self.text.as_bytes();
        let head = self.span(i, i);
        let span = |end: usize| Span {
            end,
            ..head.clone()
        };
        match b.get(i)? {
            b'[' => {
                let mut out = Vec::new();
                let mut j = skip_ws(b, i + 1);
                while j < b.len() && b[j] != b']' {
                    let (n, next) = self.parse(j, depth + 1)?;
                    out.push(n);
                    j = skip_ws(b, next);
                    if b.get(j) == Some(&b',') {
                        j = skip_ws(b, j + 1);
                    }
                }
                let end = (j + 1).min(b.len());
                Some((Node::new(NodeKind::Seq(out), span(end)), end))
            }
            b'{' => {
                let (entries, end) =
                    self.object(i, |scan, _, at| scan.parse(at, depth + 1).map(|(n, _)| n))?;
                Some((Node::new(NodeKind::Map(entries), span(end)), end))
            }
            b'"' => {
                let end = string_end(b, i);
                let raw = self.text.get(i + 1..end.saturating_sub(1))?;
                let s = if end >= i + 2 && !raw.contains('\\') {
                    self.strings.get(raw)
                } else {
                    let s: String = serde_json::from_str(&self.text[i..end]).ok()?;
                    self.strings.get(&s)
                };
                Some((Node::new(NodeKind::Str(s), span(end)), end))
            }
            _ => {
                let end = value_end(b, i);
                let kind = match &self.text[i..end] {
                    "null" => NodeKind::Null,
                    "true" => NodeKind::Bool(true),
                    "false" => NodeKind::Bool(false),
                    // serde_json's own reading of a number, as the slow way has it
                    n => NodeKind::Number(serde_json::from_str::<f64>(n).ok()?),
                };
                Some((Node::new(kind, span(end)), end))
            }
        }
    }

    /// The node for `v`, whose text starts at byte `i`; returns it and the byte after.
    fn value(&mut self, v: J, i: usize) -> (Node, usize) {
        let b = self.text.as_bytes();
        // the start's line and column before the children's, to keep counting linear
        let head = self.span(i, i);
        let span = |end: usize| Span {
            end,
            ..head.clone()
        };
        match v {
            J::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut j = skip_ws(b, i + 1);
                for item in items {
                    let (n, next) = self.value(item, j);
                    out.push(n);
                    j = skip_ws(b, next);
                    if b.get(j) == Some(&b',') {
                        j = skip_ws(b, j + 1);
                    }
                }
                let end = (j + 1).min(b.len());
                (Node::new(NodeKind::Seq(out), span(end)), end)
            }
            J::Object(mut map) => {
                let value = |scan: &mut Self, key: &str, at: usize| {
                    let v = map.remove(key).unwrap_or(J::Null);
                    Some(scan.value(v, at).0)
                };
                match self.object(i, value) {
                    Some((entries, end)) => (Node::new(NodeKind::Map(entries), span(end)), end),
                    // `value` never fails
                    None => (Node::new(NodeKind::Null, span(i)), i),
                }
            }
            scalar => {
                let end = value_end(b, i);
                let kind = match scalar {
                    J::Null => NodeKind::Null,
                    J::Bool(x) => NodeKind::Bool(x),
                    J::Number(n) => NodeKind::Number(n.as_f64().unwrap_or(f64::NAN)),
                    J::String(s) => NodeKind::Str(self.strings.get(&s)),
                    J::Array(_) | J::Object(_) => NodeKind::Null,
                };
                (Node::new(kind, span(end)), end)
            }
        }
    }
}

/// Whether each key is the last of its name in its object (a repeated key's earlier
/// values are ignored, as JSON readers do).
fn last_of_each(keys: &[(Cow<str>, usize, usize, usize)]) -> Vec<bool> {
    if keys.len() <= 16 {
        // small objects: by looking
        return (0..keys.len())
            .map(|k| !keys[k + 1..].iter().any(|o| o.0 == keys[k].0))
            .collect();
    }
    let mut last: HashMap<&str, usize, foldhash::fast::RandomState> = HashMap::default();
    for (k, (key, ..)) in keys.iter().enumerate() {
        last.insert(key, k);
    }
    (0..keys.len())
        .map(|k| last.get(&*keys[k].0) == Some(&k))
        .collect()
}

/// Whether each name is the last with its address (and so its text, for names that
/// share one `Arc` per text).
fn last_by_address(names: &[Arc<str>]) -> Vec<bool> {
    if names.len() <= 16 {
        return (0..names.len())
            .map(|k| !names[k + 1..].iter().any(|o| Arc::ptr_eq(o, &names[k])))
            .collect();
    }
    let mut by_address: Vec<(*const u8, usize)> = names
        .iter()
        .enumerate()
        .map(|(k, n)| (n.as_ptr(), k))
        .collect();
    by_address.sort_unstable();
    let mut last = vec![false; names.len()];
    for (j, &(p, k)) in by_address.iter().enumerate() {
        last[k] = by_address.get(j + 1).is_none_or(|&(q, _)| q != p);
    }
    last
}

fn duplicate_key(key: &str, at: Span) -> Diagnostic {
    Diagnostic::warning(
        codes::DUPLICATE_JSON_KEY,
        format!("key `{key}` is written twice in this object"),
    )
    .at(at, "this value is ignored")
    .help("JSON keeps the last value of a repeated key; remove one of them")
}

/// The byte after the string token starting at `i` (a `"`).
fn string_end(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

/// The byte after the value starting at `i`, in valid JSON.
fn value_end(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b'"') => string_end(b, i),
        Some(b'[') | Some(b'{') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j);
                        continue;
                    }
                    b'[' | b'{' => depth += 1,
                    b']' | b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            b.len()
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
            {
                j += 1;
            }
            j
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(loc: &Locator, n: &Node, seen: &mut usize) {
        let looked_up = loc.span(n.span.start, n.span.end);
        assert_eq!((n.span.line, n.span.col), (looked_up.line, looked_up.col));
        *seen += 1;
        match &n.kind {
            NodeKind::Seq(items) => items.iter().for_each(|i| check(loc, i, seen)),
            NodeKind::Map(entries) => {
                for e in entries {
                    let k = loc.span(e.key_span.start, e.key_span.end);
                    assert_eq!(
                        (e.key_span.line, e.key_span.col),
                        (k.line, k.col),
                        "{}",
                        e.key
                    );
                    check(loc, &e.value, seen);
                }
            }
            _ => {}
        }
    }

    proptest::proptest! {
        /// Repeated keys found by address (of names shared per text) are those found
        /// by text, small objects and large.
        #[test]
        fn repeated_keys_by_address_are_repeated_keys_by_text(
            keys in proptest::collection::vec(proptest::sample::select(vec!["a", "b", "c", "dd", "e", "f"]), 0..40),
        ) {
            let mut strings = Strings::default();
            let names: Vec<Arc<str>> = keys.iter().map(|k| strings.name(k)).collect();
            let by_text: Vec<(Cow<str>, usize, usize, usize)> =
                keys.iter().map(|k| (Cow::Borrowed(*k), 0, 0, 0)).collect();
            proptest::prop_assert_eq!(last_by_address(&names), last_of_each(&by_text));
        }
    }

    /// A JSON Lines file read in pieces is the file read whole: the same values with
    /// the same spans, and the same diagnostics in the same order.
    #[test]
    fn lines_read_in_pieces_as_whole() {
        let bad: String = (0..30).map(|i| format!("{{\"id\": {i},\n")).collect();
        let texts = [
            "{\"a\": 1, \"a\": 2}\n\n{\"b\": \"\u{e9}t\u{e9}\"}\r\n[1, 2]\nnull\n".to_string(),
            format!("{{\"x\": 1}}\n{bad}{{\"k\": 1, \"k\": 2}}\n{bad}{{\"y\": 2}}"),
            "{\"n\": 1e400}\n{\"s\": \"\\ud800\"}\n{\"ok\": true}\n".to_string(),
        ];
        for text in &texts {
            let loc = Locator::new("t.jsonl".into(), text);
            let mut d1 = Vec::new();
            let mut whole = Vec::new();
            read_lines_each(&loc, &mut d1, &mut |n| whole.push(format!("{n:?}")));
            for pieces in 1..10 {
                let mut d2 = Vec::new();
                let parts = read_lines_in_pieces(&loc, &mut d2, pieces, Vec::new, |v, n| {
                    v.push(format!("{n:?}"))
                });
                assert_eq!(parts.concat(), whole, "{pieces} pieces of {text:?}");
                assert_eq!(format!("{d2:#?}"), format!("{d1:#?}"), "{pieces} pieces");
            }
        }
    }

    /// Values read from the text alone are those read through serde_json's values:
    /// the same nodes, spans and warnings; and what only serde_json's values refuse
    /// (a number out of range, a lone surrogate, nesting past 128) is refused.
    #[test]
    fn values_read_from_the_text_are_serde_jsons() {
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        let texts = [
            r#"{"a": "x\"y\u00e9\n", "b": [1, -0, 1e5, 0.1, 12345678901234567890, 2.5E-3], "a": {"c": null, "d": true, "e": false}}"#,
            r#"{"\u0061b": "\ud83d\ude00", "k": [], "m": {}, "n": [{"x": [[]]}], "s": ""}"#,
            r#"[1,2 , 3 ,"\u4e2d\u6587", "été"]"#,
            r#"{"a": 1e400}"#,
            r#"{"a": "\ud800"}"#,
            deep.as_str(),
        ];
        for text in texts {
            let loc = Locator::new("t.json".into(), text);
            let checked = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
            let full = serde_json::from_str::<J>(text).ok();
            let (mut d1, mut d2) = (Vec::new(), Vec::new());
            let (mut s1, mut s2) = (Strings::default(), Strings::default());
            let fast = Scan::new(text, &loc, &mut d1, &mut s1).parse(0, 0);
            assert!(checked, "{text}");
            match full {
                Some(v) => {
                    let (slow, end) = Scan::new(text, &loc, &mut d2, &mut s2).value(v, 0);
                    let (fast, fast_end) = fast.expect(text);
                    assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{text}");
                    assert_eq!(fast_end, end);
                    assert_eq!(format!("{d1:?}"), format!("{d2:?}"));
                }
                None => assert!(fast.is_none(), "{text}"),
            }
        }
    }

    /// Positions counted on from the last value are those a lookup gives: after wide
    /// characters, across the lines of pretty JSON, with CRLF line ends.
    #[test]
    fn counted_positions_are_looked_up_positions() {
        let pretty =
            "{\r\n  \"a\": [1, \"\u{e9}t\u{e9}\",\r\n    {\"\u{4e2d}\": true}],\n  \"b\": null }\n";
        let lines = "{\"id\": \"x\", \"n\": \"\u{e9}\", \"m\": [1, 2]}\n\n{\"id\": \"\u{4e2d}\u{6587}\", \"z\": {\"y\": 1}}\n";
        for (text, jsonl) in [(pretty, false), (lines, true)] {
            let loc = Locator::new("t.json".into(), text);
            let mut diags = Vec::new();
            let docs = if jsonl {
                read_lines(&loc, &mut diags)
            } else {
                read(&loc, &mut diags)
            };
            assert!(diags.is_empty(), "{diags:?}");
            let mut seen = 0;
            for d in &docs {
                check(&loc, d, &mut seen);
            }
            assert!(seen > 6, "{seen}");
        }
    }
}
