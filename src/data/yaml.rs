//! YAML files: serde_yaml reads the values, and a second, position-aware pass with
//! saphyr-parser's event stream finds where each value is. The two are walked together.

use super::codes;
use super::node::{apply_merges, Entry, Locator, Node, NodeKind};
use crate::diag::{Diagnostic, Span};
use saphyr_parser::{Event, Parser};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Expanded size (in nodes) above which a document's aliases are refused, unless the
/// document itself is larger: a billion-laughs document must not exhaust memory.
const MIN_ALIAS_EXPANSION_LIMIT: u64 = 1_000_000;
/// How many times larger than its text a document may grow by expanding aliases.
const ALIAS_EXPANSION_FACTOR: u64 = 10;
/// How deeply lists and maps may nest: serde_yaml's own limit. Deeper documents are
/// refused at the collection that goes too deep, before serde_yaml reads them, as its
/// scanner takes time quadratic in the depth (60,000 `[` took 21 s).
pub(crate) const MAX_NESTING: usize = 128;

/// Read every document of a YAML file. Errors stop at the first malformed place, as
/// YAML cannot be resynchronised reliably after one.
pub(crate) fn read(loc: &Locator, diags: &mut Vec<Diagnostic>) -> Vec<Node> {
    read_docs(loc, diags, true)
}

/// Read a YAML file that is not data (a suppressions file) into spanned nodes, with
/// merge keys (`<<: *base`) applied, and every problem. A syntax error is placed where
/// the parser reports it, even past the last line (suppressions files always were).
pub(crate) fn read_text(file: Arc<str>, text: &str) -> (Vec<Node>, Vec<Diagnostic>) {
    let loc = Locator::new(file, text);
    let mut diags = Vec::new();
    let mut docs = read_docs(&loc, &mut diags, false);
    for doc in &mut docs {
        apply_merges(doc);
    }
    (docs, diags)
}

/// `read`; `clamp` moves an error in the blank tail of the file back to the end of its
/// last line.
fn read_docs(loc: &Locator, diags: &mut Vec<Diagnostic>, clamp: bool) -> Vec<Node> {
    let positions = Positions::scan(loc);
    for (first, second, key) in &positions.duplicates {
        let first = positions.span_of(*first, loc);
        let second = positions.span_of(*second, loc);
        diags.push(
            Diagnostic::error(
                codes::MALFORMED_YAML,
                format!("key `{key}` is written twice in one map"),
            )
            .at(second, "written again here")
            .also(first, "first written here")
            .help("YAML allows each key once per map; remove one of them"),
        );
    }
    let mut docs = Vec::new();
    let mut documents = serde_yaml::Deserializer::from_str(yaml_text(loc).0);
    for i in 0.. {
        if let Some((doc, at)) = positions.too_deep {
            if doc == i {
                diags.push(too_deep(loc, at));
                break;
            }
        }
        let Some(de) = documents.next() else {
            break;
        };
        let pos_doc = positions.docs.get(i).copied();
        if let (None, Some((at, why))) = (pos_doc, &positions.failed) {
            // without the scan, alias expansion cannot be bounded: refuse rather
            // than let a crafted document exhaust memory
            if yaml_text(loc).0.contains('*') {
                let at = loc.char_span(*at, *at + 1);
                diags.push(
                    Diagnostic::error(codes::MALFORMED_YAML, format!("malformed YAML: {why}"))
                        .at(at, why.clone()),
                );
                break;
            }
        }
        if let Some(doc) = pos_doc {
            let size = positions.expanded_size(doc);
            let limit = MIN_ALIAS_EXPANSION_LIMIT.max(positions.events * ALIAS_EXPANSION_FACTOR);
            if size > limit {
                let span = positions.span_of(doc, loc);
                diags.push(
                    Diagnostic::error(codes::ALIAS_BOMB, "aliases expand this document beyond the size limit")
                        .at(span, "this document")
                        .expected(format!("at most {limit} values after expanding aliases"))
                        .found(format!("{size} values"))
                        .help("a chain of aliases that repeat each other grows exponentially; write the values out or use fewer aliases"),
                );
                return docs;
            }
        }
        match serde_yaml::Value::deserialize(de) {
            Ok(value) => {
                let mut b = Builder {
                    pos: &positions,
                    loc,
                    diags,
                };
                let fallback = pos_doc
                    .map(|d| b.pos.span_of(d, b.loc))
                    .unwrap_or_else(|| b.loc.file_span());
                let node = b.build(value, pos_doc, &fallback);
                docs.push(node);
            }
            Err(e) => {
                // duplicate keys were reported above, with both places
                let dup = e.to_string().contains("duplicate entry");
                if !dup || positions.duplicates.is_empty() {
                    diags.push(if clamp {
                        yaml_error(&e, loc)
                    } else {
                        yaml_error_as_reported(&e, loc)
                    });
                }
                break;
            }
        }
    }
    docs
}

/// The text the YAML parsers read: the file without a byte-order mark, which
/// serde_yaml would take for content, and how many characters that left out. Lines and
/// columns are the same in both (`LineIndex` counts no column for the mark).
fn yaml_text<'t>(loc: &Locator<'t>) -> (&'t str, usize) {
    match loc.text().strip_prefix('\u{feff}') {
        Some(rest) => (rest, 1),
        None => (loc.text(), 0),
    }
}

/// A list or map nested deeper than [`MAX_NESTING`], at its first character.
fn too_deep(loc: &Locator, at: usize) -> Diagnostic {
    Diagnostic::error(
        codes::MALFORMED_YAML,
        format!("YAML nested too deeply (more than {MAX_NESTING} levels)"),
    )
    .at(loc.char_span(at, at + 1), "nested too deeply here")
    .expected(format!("lists and maps nested at most {MAX_NESTING} deep"))
    .found(format!("lists or maps nested more than {MAX_NESTING} deep"))
    .help("records need only a few levels; flatten the value, or quote it if it is text")
}

/// A diagnostic for a serde_yaml error, at its line and column.
pub(crate) fn yaml_error(e: &serde_yaml::Error, loc: &Locator) -> Diagnostic {
    let span = match e.location() {
        Some(l) => loc.line_col_span(l.line() as u32, l.column() as u32),
        None => loc.file_span(),
    };
    yaml_error_at(e, span)
}

/// `yaml_error`, empty at the very line and column the parser gives.
fn yaml_error_as_reported(e: &serde_yaml::Error, loc: &Locator) -> Diagnostic {
    let span = match e.location() {
        Some(l) => loc.point(l.line() as u32, l.column() as u32),
        None => loc.file_span(),
    };
    yaml_error_at(e, span)
}

/// The error's message (without its positions: they are in the span) and its
/// context as help. The message is libyaml's, so the position is libyaml's too:
/// saphyr, which gives every node its place, words its errors differently and places
/// some elsewhere (a tab in an indentation: at the scalar before it).
fn yaml_error_at(e: &serde_yaml::Error, span: Span) -> Diagnostic {
    let text = e.to_string();
    let (problem, context) = split_yaml_message(&text);
    let mut d = Diagnostic::error(codes::MALFORMED_YAML, format!("malformed YAML: {problem}"))
        .at(span, problem.clone());
    if let Some(c) = context {
        d = d.help(c);
    }
    d
}

/// libyaml says `problem at line L column C, while parsing X at line L column C`; the
/// position goes into the span, the context into help.
fn split_yaml_message(text: &str) -> (String, Option<String>) {
    let strip = |s: &str| -> String {
        let mut s = s.trim().to_string();
        if let Some(i) = s.find(" at line ") {
            let rest = &s[i + " at line ".len()..];
            let tail = rest
                .find(" column ")
                .map(|j| &rest[j + " column ".len()..])
                .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit()))
                .unwrap_or("");
            s = format!("{}{}", &s[..i], tail);
        }
        if let Some(i) = s.find(" at position ") {
            s.truncate(i);
        }
        s
    };
    match text.split_once(", while ") {
        Some((p, c)) => {
            let ctx = strip(c);
            let ctx = match c.find(" at line ") {
                Some(i) => format!("while {} (which starts at {})", ctx, c[i + 4..].trim()),
                None => format!("while {ctx}"),
            };
            (strip(p), Some(ctx))
        }
        None => (strip(text), None),
    }
}

/// A node of the position tree.
#[derive(Clone, Debug)]
enum PosNode {
    Scalar {
        start: usize,
        end: usize,
    },
    Seq {
        start: usize,
        end: usize,
        items: Vec<usize>,
    },
    Map {
        start: usize,
        end: usize,
        /// (key node, value node)
        entries: Vec<(usize, usize)>,
    },
    Alias {
        start: usize,
        end: usize,
        target: Option<usize>,
    },
}

/// Where every node of every document is, in characters, and how large each node
/// becomes once its aliases are expanded.
struct Positions {
    nodes: Vec<PosNode>,
    sizes: Vec<u64>,
    docs: Vec<usize>,
    events: u64,
    /// Keys written twice in one map: (first key node, second key node, key).
    duplicates: Vec<(usize, usize, String)>,
    /// Where and why the scan stopped early (character index, message).
    failed: Option<(usize, String)>,
    /// The document (index) and character index of the first list or map nested
    /// deeper than [`MAX_NESTING`]; the scan stops there.
    too_deep: Option<(usize, usize)>,
}

enum Open {
    Seq(usize),
    /// A map, its pending key, and the text of its scalar keys so far.
    Map(usize, Option<usize>, HashMap<String, usize>),
}

impl Positions {
    /// Scan the text. Stops quietly at the first error: serde_yaml reports it.
    fn scan(loc: &Locator) -> Positions {
        let mut p = Positions {
            nodes: Vec::new(),
            sizes: Vec::new(),
            docs: Vec::new(),
            events: 0,
            duplicates: Vec::new(),
            failed: None,
            too_deep: None,
        };
        let mut anchors: HashMap<usize, usize> = HashMap::new();
        let mut stack: Vec<Open> = Vec::new();
        // positions are characters of the text the parser reads, which lacks the
        // byte-order mark: one character more in the file
        let (text, shift) = yaml_text(loc);
        for ev in Parser::new_from_str(text) {
            let (ev, span) = match ev {
                Ok(x) => x,
                Err(e) if e.info() == "recursion limit exceeded" => {
                    // saphyr counts open flow collections in a byte: more than 255
                    p.too_deep = Some((p.docs.len(), e.marker().index() + shift));
                    break;
                }
                Err(e) => {
                    p.failed = Some((e.marker().index() + shift, e.info().to_string()));
                    break;
                }
            };
            p.events += 1;
            let (s, e) = (span.start.index() + shift, span.end.index() + shift);
            let new = match ev {
                Event::Scalar(text, _, anchor, _) => {
                    let id = p.push(PosNode::Scalar { start: s, end: e }, 1);
                    if anchor > 0 {
                        anchors.insert(anchor, id);
                    }
                    if let Some(Open::Map(_, None, keys)) = stack.last_mut() {
                        // a key: YAML allows each only once per map
                        if &*text != "<<" {
                            if let Some(&first) = keys.get(&*text) {
                                p.duplicates.push((first, id, text.to_string()));
                            } else {
                                keys.insert(text.to_string(), id);
                            }
                        }
                    }
                    Some(id)
                }
                Event::Alias(anchor) => {
                    let target = anchors.get(&anchor).copied();
                    let size = target.map_or(1, |t| p.sizes[t]);
                    Some(p.push(
                        PosNode::Alias {
                            start: s,
                            end: e,
                            target,
                        },
                        size,
                    ))
                }
                Event::SequenceStart(anchor, _) => {
                    let id = p.push(
                        PosNode::Seq {
                            start: s,
                            end: e,
                            items: Vec::new(),
                        },
                        1,
                    );
                    if anchor > 0 {
                        anchors.insert(anchor, id);
                    }
                    stack.push(Open::Seq(id));
                    if stack.len() > MAX_NESTING {
                        p.too_deep = Some((p.docs.len(), s));
                        break;
                    }
                    None
                }
                Event::MappingStart(anchor, _) => {
                    let id = p.push(
                        PosNode::Map {
                            start: s,
                            end: e,
                            entries: Vec::new(),
                        },
                        1,
                    );
                    if anchor > 0 {
                        anchors.insert(anchor, id);
                    }
                    stack.push(Open::Map(id, None, HashMap::new()));
                    if stack.len() > MAX_NESTING {
                        p.too_deep = Some((p.docs.len(), s));
                        break;
                    }
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                    Some(Open::Seq(id)) | Some(Open::Map(id, _, _)) => {
                        p.close(id, e);
                        Some(id)
                    }
                    None => None,
                },
                Event::DocumentStart(_) => {
                    anchors.clear();
                    None
                }
                _ => None,
            };
            // attach a completed node (containers complete at their end) to its
            // parent, or make it a document
            if let Some(id) = new {
                match stack.last_mut() {
                    Some(Open::Seq(parent)) => {
                        let parent = *parent;
                        p.sizes[parent] = p.sizes[parent].saturating_add(p.sizes[id]);
                        if let PosNode::Seq { items, .. } = &mut p.nodes[parent] {
                            items.push(id);
                        }
                    }
                    Some(Open::Map(parent, pending, _)) => {
                        let parent = *parent;
                        p.sizes[parent] = p.sizes[parent].saturating_add(p.sizes[id]);
                        match pending.take() {
                            None => *pending = Some(id),
                            Some(key) => {
                                if let PosNode::Map { entries, .. } = &mut p.nodes[parent] {
                                    entries.push((key, id));
                                }
                            }
                        }
                    }
                    None => p.docs.push(id),
                }
            }
        }
        p
    }

    fn push(&mut self, n: PosNode, size: u64) -> usize {
        self.nodes.push(n);
        self.sizes.push(size);
        self.nodes.len() - 1
    }

    /// A container's span ends where its end event does.
    fn close(&mut self, id: usize, at: usize) {
        if let PosNode::Seq { end, .. } | PosNode::Map { end, .. } = &mut self.nodes[id] {
            *end = at.max(*end);
        }
    }

    fn expanded_size(&self, id: usize) -> u64 {
        self.sizes[id]
    }

    /// Follow aliases to the node they stand for.
    fn resolve(&self, mut id: usize) -> usize {
        for _ in 0..64 {
            match &self.nodes[id] {
                PosNode::Alias {
                    target: Some(t), ..
                } => id = *t,
                _ => break,
            }
        }
        id
    }

    fn range(&self, id: usize) -> (usize, usize) {
        match &self.nodes[id] {
            PosNode::Scalar { start, end }
            | PosNode::Alias { start, end, .. }
            | PosNode::Seq { start, end, .. }
            | PosNode::Map { start, end, .. } => (*start, *end),
        }
    }

    fn span_of(&self, id: usize, loc: &Locator) -> Span {
        let (s, e) = self.range(id);
        loc.char_span(s, e)
    }
}

/// Walks a serde_yaml value and its position node together.
struct Builder<'a, 'l, 't> {
    pos: &'a Positions,
    loc: &'l Locator<'t>,
    diags: &'l mut Vec<Diagnostic>,
}

impl Builder<'_, '_, '_> {
    /// The span of position node `id` where it exists, else `fallback`. An alias is
    /// shown where it is written, not where its anchor is.
    fn span(&mut self, id: Option<usize>, fallback: &Span) -> Span {
        match id {
            Some(id) => self.pos.span_of(id, self.loc),
            None => fallback.clone(),
        }
    }

    fn build(&mut self, value: serde_yaml::Value, id: Option<usize>, fallback: &Span) -> Node {
        use serde_yaml::Value as Y;
        let span = self.span(id, fallback);
        // the structure below an alias is the anchor's
        let inner = id.map(|i| self.pos.resolve(i));
        let kind = match value {
            Y::Null => NodeKind::Null,
            Y::Bool(b) => NodeKind::Bool(b),
            Y::Number(n) => NodeKind::Number(n.as_f64().unwrap_or(f64::NAN)),
            Y::String(s) => NodeKind::Str(s.into()),
            Y::Tagged(t) => return self.build(t.value, id, fallback),
            Y::Sequence(items) => {
                let pos_items: &[usize] = match inner.map(|i| &self.pos.nodes[i]) {
                    Some(PosNode::Seq { items, .. }) => items,
                    _ => &[],
                };
                let pos_items = pos_items.to_vec();
                let mut out = Vec::with_capacity(items.len());
                for (k, v) in items.into_iter().enumerate() {
                    out.push(self.build(v, pos_items.get(k).copied(), &span));
                }
                NodeKind::Seq(out)
            }
            Y::Mapping(m) => {
                let pos_entries: Vec<(usize, usize)> = match inner.map(|i| &self.pos.nodes[i]) {
                    Some(PosNode::Map { entries, .. }) => entries.clone(),
                    _ => Vec::new(),
                };
                let mut out = Vec::with_capacity(m.len());
                for (k, (key, v)) in m.into_iter().enumerate() {
                    let (kid, vid) = match pos_entries.get(k) {
                        Some((a, b)) => (Some(*a), Some(*b)),
                        None => (None, None),
                    };
                    let key_span = self.span(kid, &span);
                    let key = match key {
                        Y::String(s) => s,
                        Y::Number(n) => n.to_string(),
                        Y::Bool(b) => b.to_string(),
                        Y::Null => "null".to_string(),
                        other => {
                            self.diags.push(
                                Diagnostic::error(
                                    codes::BAD_STRUCTURE,
                                    "a map key must be a plain value",
                                )
                                .at(key_span, "this key")
                                .expected("a field name")
                                .found(match other {
                                    Y::Sequence(_) => "a list",
                                    Y::Mapping(_) => "a map",
                                    _ => "a tagged value",
                                }),
                            );
                            continue;
                        }
                    };
                    let value = self.build(v, vid, &key_span);
                    out.push(Entry {
                        key: super::fields::intern(&key),
                        key_span,
                        value,
                    });
                }
                NodeKind::Map(out)
            }
        };
        Node { kind, span }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_messages_lose_their_positions() {
        let (p, c) = split_yaml_message(
            "did not find expected node content at line 2 column 1, while parsing a flow node at line 1 column 4",
        );
        assert_eq!(p, "did not find expected node content");
        assert_eq!(
            c.as_deref(),
            Some("while parsing a flow node (which starts at line 1 column 4)")
        );
    }
}
