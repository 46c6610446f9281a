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
        NodeKind::Text(t) => {
            let t = t.trim();
            if looks_numeric(t) {
                Seen::NumberText
            } else if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
                Seen::BoolText
            } else {
                date_text(t)
            }
        }
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

/// Infer a schema from the records of each collection.
pub(crate) fn infer(collections: &BTreeMap<String, Vec<&Node>>) -> Schema {
    let mut schema = Schema {
        inferred: true,
        ..Default::default()
    };
    for (name, records) in collections {
        schema
            .collections
            .insert(name.clone(), infer_collection(name, records));
    }
    infer_refs(&mut schema, collections);
    schema
}

fn infer_collection(name: &str, records: &[&Node]) -> CollectionDef {
    // field name -> (seen, how many records have a non-null value), first-seen order kept
    let mut order: Vec<String> = Vec::new();
    let mut seen: BTreeMap<String, (Seen, usize)> = BTreeMap::new();
    for r in records {
        let NodeKind::Map(entries) = &r.kind else {
            continue;
        };
        for e in entries {
            let present = !matches!(e.value.kind, NodeKind::Null);
            // found by name without making a `String` of it (one per cell was a tenth
            // of inferring a wide table's schema)
            let slot = match seen.get_mut(&*e.key) {
                Some(slot) => slot,
                None => {
                    order.push(e.key.to_string());
                    seen.entry(e.key.to_string()).or_insert((Seen::Nothing, 0))
                }
            };
            slot.1 += usize::from(present);
            // a string column stays a string whatever text comes next, and `Any`
            // stays `Any`: no need to parse the cell as a number or a date
            let settled = matches!(
                (&slot.0, &e.value.kind),
                (Seen::Any, _)
                    | (
                        Seen::String,
                        NodeKind::Text(_) | NodeKind::Str(_) | NodeKind::Null
                    )
            );
            if !settled {
                let s = classify(&e.value);
                slot.0 = join(std::mem::replace(&mut slot.0, Seen::Nothing), s);
            }
        }
    }
    let mut def = CollectionDef {
        name: name.to_string(),
        ..Default::default()
    };
    for (field, (s, count)) in &seen {
        def.fields.insert(
            field.clone(),
            FieldDef {
                name: field.clone(),
                ty: to_type(s),
                required: *count == records.len() && !records.is_empty(),
                doc: None,
            },
        );
    }
    if !seen.contains_key("id") {
        def.id_field = order
            .iter()
            .find(|f| is_id_like(f) && seen[*f].1 == records.len() && unique_values(records, f))
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

fn unique_values(records: &[&Node], field: &str) -> bool {
    let mut seen = HashSet::new();
    records.iter().all(|r| {
        r.get(field)
            .and_then(scalar_text)
            .is_some_and(|v| seen.insert(v))
    })
}

/// A string field (or list of strings) whose every value is an id of one other
/// collection, and of no second one, is a reference to it.
fn infer_refs(schema: &mut Schema, collections: &BTreeMap<String, Vec<&Node>>) {
    let ids: BTreeMap<&str, HashSet<String>> = collections
        .iter()
        .filter(|(_, recs)| recs.iter().any(|r| r.get("id").is_some()))
        .map(|(name, recs)| {
            let set = recs
                .iter()
                .filter_map(|r| r.get("id").and_then(scalar_text))
                .collect();
            (name.as_str(), set)
        })
        .collect();
    if ids.is_empty() {
        return;
    }
    for (name, records) in collections {
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
            let mut values: Vec<String> = Vec::new();
            for r in records {
                match r.get(&field.name).map(|n| &n.kind) {
                    Some(NodeKind::Seq(items)) => {
                        values.extend(items.iter().filter_map(scalar_text))
                    }
                    Some(_) => values.extend(r.get(&field.name).and_then(scalar_text)),
                    None => {}
                }
            }
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
