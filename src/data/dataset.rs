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
    /// Where each field's value is, for messages that point at one.
    pub field_spans: FieldMap<Span>,
}

impl Record {
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field)
    }
    /// The span of a field's value, or of the record when unknown.
    pub fn span_of(&self, field: &str) -> &Span {
        self.field_spans.get(field).unwrap_or(&self.span)
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
    pub fn push(&mut self, r: Record) {
        self.by_id.entry(r.id.clone()).or_insert(self.records.len());
        self.records.push(r);
    }
    pub fn get(&self, id: &str) -> Option<&Record> {
        self.by_id.get(id).map(|&i| &self.records[i])
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
}

impl Dataset {
    /// The dataset as it stood on `day`, for `--as-of`: records dated later (their
    /// `date`, else their `time`, starts after it) are left out; so are sources
    /// published later, and then records whose every source was published later
    /// (they were not knowable that day).
    pub fn as_of(&mut self, day: chrono::NaiveDate) {
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

    pub fn collection(&self, name: &str) -> Option<&Collection> {
        self.collections.get(name)
    }
    pub fn record(&self, collection: &str, id: &str) -> Option<&Record> {
        self.collections.get(collection)?.get(id)
    }
}
