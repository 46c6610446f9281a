//! Records, collections and datasets. Every record keeps where it came from.

use super::fields::{FieldMap, Fields};
use super::schema::Schema;
use super::value::Value;
use crate::diag::{Sources, Span};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// One record of a collection.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: Arc<str>,
    /// Every field, `id` included.
    pub fields: Fields,
    /// Where the record starts (file, line, column).
    pub span: Span,
    /// Where each field's value is (and values below it, by paths like `time.start`
    /// and `sources[1]`), for messages that point at one; in the record's file.
    pub field_spans: FieldMap<Pos>,
}

/// Where a value is in its record's file: a `Span` without the file, in 16 bytes
/// instead of 40, since a wide table holds one per cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    start: u32,
    end: u32,
    line: u32,
    col: u32,
}

impl Pos {
    /// The position of `span` (offsets past 4 GiB are clamped; no file is that large).
    pub fn of(span: &Span) -> Pos {
        Pos::at(span.start, span.end, span.line, span.col)
    }
    /// The position of bytes `start..end`, whose start is at `line` and `col`.
    pub fn at(start: usize, end: usize, line: u32, col: u32) -> Pos {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Pos {
            start: clamp(start),
            end: clamp(end),
            line,
            col,
        }
    }
    /// The span of this position in `file`.
    pub fn span(self, file: &Arc<str>) -> Span {
        Span::new(
            file.clone(),
            self.start as usize,
            self.end as usize,
            self.line,
            self.col,
        )
    }
}

impl Record {
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field)
    }
    /// The span of the value at `path` (a field, or a path below one), if known.
    pub fn field_span(&self, path: &str) -> Option<Span> {
        self.field_spans.get(path).map(|p| p.span(&self.span.file))
    }
    /// The span of a field's value, or of the record when unknown.
    pub fn span_of(&self, field: &str) -> Span {
        self.field_span(field).unwrap_or_else(|| self.span.clone())
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Collection {
    pub name: String,
    /// Records in load order (files sorted by path, then position in the file).
    pub records: Vec<Record>,
    /// Record index by id (the first record with that id).
    pub by_id: HashMap<Arc<str>, usize, foldhash::fast::RandomState>,
}

impl Collection {
    pub fn new(name: &str) -> Self {
        Collection {
            name: name.to_string(),
            ..Default::default()
        }
    }
    /// Room for `n` more records, so that adding many grows the vector and the id
    /// index once.
    pub fn reserve(&mut self, n: usize) {
        self.records.reserve(n);
        self.by_id.reserve(n);
    }
    pub fn push(&mut self, r: Record) {
        self.by_id.entry(r.id.clone()).or_insert(self.records.len());
        self.records.push(r);
    }
    pub fn get(&self, id: &str) -> Option<&Record> {
        self.by_id.get(id).map(|&i| &self.records[i])
    }
    /// The position of the (first) record with this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Keep the records for which `keep` holds (it may change them), re-indexing ids.
    pub fn retain_mut(&mut self, mut keep: impl FnMut(&mut Record) -> bool) {
        self.records.retain_mut(|r| keep(r));
        self.by_id.clear();
        for (i, r) in self.records.iter().enumerate() {
            self.by_id.entry(r.id.clone()).or_insert(i);
        }
    }

    /// Keep the records for which `keep` holds, re-indexing ids.
    pub fn retain(&mut self, keep: impl Fn(&Record) -> bool) {
        self.retain_mut(|r| keep(r));
    }
}

/// A loaded dataset: its collections, its schema (declared or inferred), and the text
/// of its files for quoting in diagnostics.
#[derive(Clone, Default)]
pub struct Dataset {
    pub collections: BTreeMap<String, Collection>,
    pub schema: Schema,
    pub sources: Sources,
    /// The text of each file a `file` field names (a statement's `snapshot`), by the
    /// path as written; a file that could not be read is absent (`snapshots.rs`).
    pub texts: BTreeMap<Arc<str>, Arc<str>>,
    /// Where each chain of `derived_from` and of `owner` ends, worked out once, when
    /// a rule first asks (`origin()`, `owner()`); cleared by whatever changes records.
    pub chains: std::sync::OnceLock<Chains>,
}

/// The ends of the chains `origin()` and `owner()` follow, one entry per record:
/// `ends[c][i]` is the position of the record that record `i` of collection `c` leads
/// to (itself when its reference is absent or leads to no record), `None` when the
/// chain goes round. Linear to make: each record is walked from once.
#[derive(Clone, Debug, Default)]
pub struct Chains {
    ends: BTreeMap<&'static str, Vec<Option<u32>>>,
}

/// The chains: (collection, the reference to its own records that is followed).
pub const CHAINS: [(&str, &str); 2] = [("sources", "derived_from"), ("actors", "owner")];

/// Follow `field` from every record of `c` to where its chain ends, once each: the end
/// of each record's chain (its position; itself when its reference is absent or leads
/// to no record; `None` when the chain goes round), and each cycle, its records in the
/// order the walk met them.
pub fn walk_chains(c: &Collection, field: &str) -> (Vec<Option<u32>>, Vec<Vec<usize>>) {
    let n = c.records.len();
    let next = |i: usize| match c.records[i].get(field) {
        Some(Value::Str(id)) => c.position(id),
        _ => None,
    };
    // None: not yet known; Some(None): goes round; Some(Some(e)): ends at e
    let mut end: Vec<Option<Option<u32>>> = vec![None; n];
    let mut on_path = vec![false; n];
    let mut rings = Vec::new();
    for start in 0..n {
        let mut path = Vec::new();
        let mut at = start;
        let result = loop {
            if let Some(known) = end[at] {
                break known;
            }
            if on_path[at] {
                let from = path.iter().position(|&p| p == at).unwrap_or(0);
                rings.push(path[from..].to_vec());
                break None;
            }
            on_path[at] = true;
            path.push(at);
            match next(at) {
                Some(n) => at = n,
                None => break Some(at as u32),
            }
        };
        for p in path {
            end[p] = Some(result);
            on_path[p] = false;
        }
    }
    (end.into_iter().map(Option::flatten).collect(), rings)
}

impl Chains {
    fn of(ds: &Dataset) -> Chains {
        let mut ends = BTreeMap::new();
        for (coll, field) in CHAINS {
            if let Some(c) = ds.collections.get(coll) {
                ends.insert(coll, walk_chains(c, field).0);
            }
        }
        Chains { ends }
    }

    /// Where the chain from record `i` of `coll` ends (its position), `None` when it
    /// goes round or `coll` has no chain.
    pub fn end(&self, coll: &str, i: usize) -> Option<usize> {
        self.ends
            .get(coll)?
            .get(i)
            .copied()
            .flatten()
            .map(|e| e as usize)
    }
}

impl Dataset {
    /// The ends of the chains of `derived_from` and `owner`, made on first use.
    pub fn chains(&self) -> &Chains {
        self.chains.get_or_init(|| Chains::of(self))
    }

    /// The dataset as it stood on `day`, for `--as-of`: records dated later (their
    /// `date`, else their `time`, starts after it) are left out; so are sources
    /// published later, and then records whose every source was published later
    /// (they were not knowable that day).
    pub fn as_of(&mut self, day: chrono::NaiveDate) {
        self.chains = Default::default();
        let later = |r: &Record| {
            matches!(r.get("date").or_else(|| r.get("time")),
                Some(Value::Time(t)) if t.start.is_some_and(|s| s > day))
        };
        for c in self.collections.values_mut() {
            c.retain(|r| !later(r));
        }
        let Some(sources) = self.collections.get("sources") else {
            return;
        };
        let known: std::collections::HashSet<Arc<str>> =
            sources.records.iter().map(|r| r.id.clone()).collect();
        for (name, c) in self.collections.iter_mut() {
            if name == "sources" {
                continue;
            }
            c.retain_mut(|r| match r.fields.get_mut("sources") {
                Some(Value::List(ids)) if !ids.is_empty() => {
                    ids.retain(|v| v.as_str().is_some_and(|id| known.contains(id)));
                    !ids.is_empty()
                }
                _ => true,
            });
        }
    }

    /// Sources' retractions and corrections as they stood on `day`: one dated later
    /// (its first day after `day`) is left out, with its note and link, so the source
    /// stands as it stood before. Applied on every run, with the run's day or `--as-of`.
    pub fn notices_as_of(&mut self, day: chrono::NaiveDate) {
        let Some(sources) = self.collections.get_mut("sources") else {
            return;
        };
        for r in &mut sources.records {
            for notice in ["retracted", "corrected"] {
                let later = matches!(r.get(notice),
                    Some(Value::Time(t)) if t.start.is_some_and(|s| s > day));
                if later {
                    for f in [
                        notice.to_string(),
                        format!("{notice}_note"),
                        format!("{notice}_url"),
                    ] {
                        r.fields.remove(&f);
                    }
                }
            }
        }
    }

    pub fn collection(&self, name: &str) -> Option<&Collection> {
        self.collections.get(name)
    }
    pub fn record(&self, collection: &str, id: &str) -> Option<&Record> {
        self.collections.get(collection)?.get(id)
    }
}
