//! A schema inferred from the data when none is declared: each field's type from its
//! values, required when every record has it, references where every value is an id
//! of one other collection, and the id field of tables without an `id` column.

use super::convert::{interval_of, looks_numeric, parse_date, range_of};
use super::node::{Node, NodeKind};
use super::schema::{CollectionDef, FieldDef, FieldType, Schema};
use std::collections::{BTreeMap, HashSet};

/// What a field's values have looked like so far.
#[derive(Clone, Debug, PartialEq)]
enum Seen {
    Nothing,
    Bool,
    Number,
    /// A map `{min, max}`.
    Range,
    /// A CSV cell that reads as a number: a number if the whole column does.
    NumberText,
    /// A CSV cell `true` or `false`: a boolean if the whole column is.
    BoolText,
    /// A string that reads as a date (`2014-03`, `2026-01-07`).
    DateText,
    /// A string of four digits: a year beside other dates, else a string (`"2024"`).
    YearText,
    /// A map `{start, end}` of dates.
    Interval,
    String,
    List(Box<Seen>),
    Map,
    Any,
}

fn join(a: Seen, b: Seen) -> Seen {
    use Seen::*;
    match (a, b) {
        (Nothing, x) | (x, Nothing) => x,
        (x, y) if x == y => x,
        (Number, Range) | (Range, Number) => Number,
        (NumberText, Number) | (Number, NumberText) => Number,
        (NumberText | BoolText | DateText | YearText | String, NumberText | BoolText | String) => {
            String
        }
        (NumberText | BoolText | String, DateText | YearText) => String,
        (DateText | YearText, DateText | YearText) => DateText,
        (DateText | YearText | Interval, DateText | YearText | Interval) => Interval,
        (List(x), List(y)) => List(Box::new(join(*x, *y))),
        _ => Any,
    }
}

fn classify(n: &Node) -> Seen {
    match &n.kind {
        NodeKind::Null => Seen::Nothing,
        NodeKind::Bool(_) => Seen::Bool,
        NodeKind::Number(_) => Seen::Number,
        NodeKind::Str(s) => date_text(s),
        NodeKind::Text(t) => classify_text(t),
        NodeKind::Seq(items) => Seen::List(Box::new(
            items.iter().map(classify).fold(Seen::Nothing, join),
        )),
        NodeKind::Map(_) => {
            if range_of(n).is_some() {
                Seen::Range
            } else if interval_of(n).is_some() {
                Seen::Interval
            } else {
                Seen::Map
            }
        }
    }
}

/// A CSV or TSV cell's kind: a number, a boolean, a date, a year or a string.
fn classify_text(t: &str) -> Seen {
    let t = t.trim();
    if looks_numeric(t) {
        Seen::NumberText
    } else if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
        Seen::BoolText
    } else {
        date_text(t)
    }
}

/// A string's kind: a date, a year (a date only beside other dates), or a string.
fn date_text(s: &str) -> Seen {
    let s = s.trim();
    if parse_date(s).is_none() {
        Seen::String
    } else if s.bytes().all(|b| b.is_ascii_digit()) {
        // `2024` may be a year; `20240101` is taken as a date only where declared
        if s.len() == 4 {
            Seen::YearText
        } else {
            Seen::String
        }
    } else {
        Seen::DateText
    }
}

fn to_type(s: &Seen) -> FieldType {
    match s {
        Seen::Nothing | Seen::Any => FieldType::Any,
        Seen::Bool | Seen::BoolText => FieldType::Bool,
        Seen::Number | Seen::Range | Seen::NumberText => FieldType::Number,
        Seen::DateText | Seen::Interval => FieldType::Date,
        Seen::String | Seen::YearText => FieldType::String,
        Seen::List(inner) => FieldType::List(Box::new(to_type(inner))),
        Seen::Map => FieldType::Map,
    }
}

/// A field's value as a record holds it: a node, or a table cell's text.
pub(crate) enum Cell<'a> {
    Node(&'a Node),
    Text(&'a str),
}

impl Cell<'_> {
    fn is_null(&self) -> bool {
        matches!(self, Cell::Node(n) if matches!(n.kind, NodeKind::Null))
    }
    /// A string, list or `Any` field stays so whatever text comes next.
    fn settled(&self, seen: &Seen) -> bool {
        match (seen, self) {
            (Seen::Any, _) => true,
            (Seen::String, Cell::Text(_)) => true,
            (Seen::String, Cell::Node(n)) => {
                matches!(
                    n.kind,
                    NodeKind::Text(_) | NodeKind::Str(_) | NodeKind::Null
                )
            }
            _ => false,
        }
    }
    fn classify(&self) -> Seen {
        match self {
            Cell::Node(n) => classify(n),
            Cell::Text(t) => classify_text(t),
        }
    }
    /// Its texts as references would be matched: a scalar's, or a list's items'.
    fn texts(&self, out: &mut dyn FnMut(&str)) {
        match self {
            Cell::Text(t) => out(t.trim()),
            Cell::Node(n) => match &n.kind {
                NodeKind::Seq(items) => {
                    for t in items.iter().filter_map(scalar_text) {
                        out(&t)
                    }
                }
                _ => {
                    if let Some(t) = scalar_text(n) {
                        out(&t)
                    }
                }
            },
        }
    }
    fn text(&self) -> Option<String> {
        match self {
            Cell::Text(t) => Some(t.trim().to_string()),
            Cell::Node(n) => scalar_text(n),
        }
    }
}

/// Whether values seen so far as `s` may yet be a string's, as more are joined: a
/// number, a boolean, a range, an interval or a map never is.
fn may_become_string(s: &Seen) -> bool {
    matches!(
        s,
        Seen::Nothing
            | Seen::NumberText
            | Seen::BoolText
            | Seen::DateText
            | Seen::YearText
            | Seen::String
    )
}

/// What one collection's records have looked like so far.
#[derive(Default)]
struct Stats {
    records: usize,
    /// Field names in the order first met.
    order: Vec<String>,
    /// What each field's values looked like.
    fields: BTreeMap<String, FieldStats>,
    /// Per field named like an id: its values' texts while every record has a
    /// distinct one (`None` once one repeats or is no text).
    id_like: BTreeMap<String, Option<Texts>>,
    /// The texts of `id` values, and whether any record has `id` (null counts).
    ids: Texts,
    has_id: bool,
}

/// What one field's values looked like so far.
struct FieldStats {
    seen: Seen,
    /// How many records have a value (not null).
    count: usize,
    /// Every text of its values (list items too), while it may yet be a reference: a
    /// field that can no longer be a string, and `id`, have none.
    texts: Option<Texts>,
}

/// Distinct texts of values.
type Texts = HashSet<String, foldhash::fast::RandomState>;

/// A schema inferred from records met one at a time, so that records need not all be
/// held to infer it: each field's type from its values, required when every record
/// has it, references where every value is an id of one other collection, and the id
/// field of tables without an `id` column.
#[derive(Default)]
pub(crate) struct Inferrer {
    collections: BTreeMap<String, Stats>,
}

impl Inferrer {
    /// A record (a map node) of `collection`.
    pub fn add_node(&mut self, collection: &str, record: &Node) {
        let entries: &[super::node::Entry] = match &record.kind {
            NodeKind::Map(e) => e,
            _ => &[],
        };
        self.add(
            collection,
            entries.iter().map(|e| (&*e.key, Cell::Node(&e.value))),
        );
    }

    /// A record given as its fields, in the order written (a key written twice counts
    /// its first value where one value is read, as a map lookup would).
    pub fn add<'a>(
        &mut self,
        collection: &str,
        fields: impl Iterator<Item = (&'a str, Cell<'a>)> + Clone,
    ) {
        let st = match self.collections.get_mut(collection) {
            Some(st) => st,
            None => self.collections.entry(collection.to_string()).or_default(),
        };
        st.records += 1;
        for (key, cell) in fields.clone() {
            // found by name without making a `String` of it (one per cell was a tenth
            // of inferring a wide table's schema)
            let slot = match st.fields.get_mut(key) {
                Some(slot) => slot,
                None => {
                    st.order.push(key.to_string());
                    if is_id_like(key) {
                        // records before this one lack it: it is no id
                        let all = (st.records == 1).then(Texts::default);
                        st.id_like.insert(key.to_string(), all);
                    }
                    st.fields.entry(key.to_string()).or_insert(FieldStats {
                        seen: Seen::Nothing,
                        count: 0,
                        texts: (key != "id").then(Texts::default),
                    })
                }
            };
            slot.count += usize::from(!cell.is_null());
            // a string column stays a string whatever text comes next, and `Any`
            // stays `Any`: no need to parse the cell as a number or a date
            if !cell.settled(&slot.seen) {
                let s = cell.classify();
                slot.seen = join(std::mem::replace(&mut slot.seen, Seen::Nothing), s);
            }
            let can_be_string = match &slot.seen {
                Seen::List(inner) => may_become_string(inner),
                s => may_become_string(s),
            };
            if !can_be_string {
                slot.texts = None;
            }
            if let Some(set) = &mut slot.texts {
                cell.texts(&mut |t| {
                    if !set.contains(t) {
                        set.insert(t.to_string());
                    }
                });
            }
        }
        // the first value of each name, where one value is read
        let first = |name: &str| fields.clone().find(|(k, _)| *k == name).map(|(_, c)| c);
        for (name, set) in st.id_like.iter_mut() {
            if let Some(values) = set {
                let fresh = first(name)
                    .and_then(|c| c.text())
                    .is_some_and(|t| values.insert(t));
                if !fresh {
                    *set = None;
                }
            }
        }
        if let Some(id) = first("id") {
            st.has_id = true;
            if let Some(t) = id.text() {
                st.ids.insert(t);
            }
        }
    }

    /// Whether a record of `collection` has a value (not null) for `field`.
    pub fn has_value(&self, collection: &str, field: &str) -> bool {
        (self.collections.get(collection))
            .and_then(|st| st.fields.get(field))
            .is_some_and(|f| f.count > 0)
    }

    /// The schema of everything added.
    pub fn schema(&self) -> Schema {
        let mut schema = Schema {
            inferred: true,
            ..Default::default()
        };
        for (name, st) in &self.collections {
            schema
                .collections
                .insert(name.clone(), collection_def(name, st));
        }
        infer_refs(&mut schema, &self.collections);
        schema
    }
}

fn collection_def(name: &str, st: &Stats) -> CollectionDef {
    let mut def = CollectionDef {
        name: name.to_string(),
        ..Default::default()
    };
    for (field, FieldStats { seen: s, count, .. }) in &st.fields {
        def.fields.insert(
            field.clone(),
            FieldDef {
                name: field.clone(),
                ty: to_type(s),
                required: *count == st.records && st.records > 0,
                doc: None,
            },
        );
    }
    if !st.fields.contains_key("id") {
        def.id_field = st
            .order
            .iter()
            .find(|f| {
                st.fields[*f].count == st.records
                    && st
                        .id_like
                        .get(*f)
                        .is_some_and(|v| v.as_ref().is_some_and(|v| v.len() == st.records))
            })
            .cloned();
    }
    // the record's `id` is always a required string, whatever it was read from
    def.fields.insert(
        "id".into(),
        FieldDef {
            name: "id".into(),
            ty: FieldType::String,
            required: true,
            doc: None,
        },
    );
    def
}

/// `id`, `event_id`, `Event ID`, `GLOBALEVENTID`, `EventId`; not `valid` or `paid`.
pub(crate) fn is_id_like(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower == "id" {
        return true;
    }
    if !lower.ends_with("id") || name.len() < 3 {
        return false;
    }
    let head = &name[..name.len() - 2];
    let tail = &name[name.len() - 2..];
    head.ends_with(['_', '-', ' ', '.', '@'])
        || tail == "ID"
        || (tail == "Id" && head.ends_with(|c: char| c.is_ascii_lowercase()))
}

fn scalar_text(n: &Node) -> Option<String> {
    match &n.kind {
        NodeKind::Str(s) | NodeKind::Text(s) => Some(s.trim().to_string()),
        NodeKind::Number(x) => Some(super::value::fmt_number(*x)),
        _ => None,
    }
}

/// A string field (or list of strings) whose every value is an id of one other
/// collection, and of no second one, is a reference to it.
fn infer_refs(schema: &mut Schema, collections: &BTreeMap<String, Stats>) {
    let ids: BTreeMap<&str, &Texts> = collections
        .iter()
        .filter(|(_, st)| st.has_id)
        .map(|(name, st)| (name.as_str(), &st.ids))
        .collect();
    if ids.is_empty() {
        return;
    }
    for (name, st) in collections {
        let Some(def) = schema.collections.get_mut(name) else {
            continue;
        };
        for field in def.fields.values_mut() {
            if field.name == "id" {
                continue;
            }
            let is_list = match &field.ty {
                FieldType::String => false,
                FieldType::List(inner) if **inner == FieldType::String => true,
                _ => continue,
            };
            let Some(Some(values)) = st.fields.get(&field.name).map(|f| &f.texts) else {
                continue;
            };
            if values.is_empty() {
                continue;
            }
            let targets: Vec<&str> = ids
                .iter()
                .filter(|(_, set)| values.iter().all(|v| set.contains(v)))
                .map(|(n, _)| *n)
                .collect();
            if let [target] = targets.as_slice() {
                let r = FieldType::Ref(target.to_string());
                field.ty = if is_list {
                    FieldType::List(Box::new(r))
                } else {
                    r
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_like_names() {
        for n in [
            "id",
            "ID",
            "event_id",
            "Event ID",
            "GLOBALEVENTID",
            "EventId",
        ] {
            assert!(is_id_like(n), "{n}");
        }
        for n in ["valid", "paid", "Idea", "android"] {
            assert!(!is_id_like(n), "{n}");
        }
    }
}
