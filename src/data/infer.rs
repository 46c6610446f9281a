//! A schema inferred from the data when none is declared: each field's type from its
//! values, required when every record has it, references where every value is an id
//! of one other collection, and the id field of tables without an `id` column.

use super::convert::{looks_numeric, parse_date};
use super::node::{Node, NodeKind};
use super::schema::{CollectionDef, FieldDef, FieldType, Schema};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// What a field's values have looked like so far.
#[derive(Clone, Debug, PartialEq)]
enum Seen {
    Nothing,
    Bool,
    Number,
    Date,
    /// A quoted string of four digits: a date beside other dates, else a string.
    Year,
    String,
    List(Box<Seen>),
    Map,
    Any,
}

fn join(a: Seen, b: Seen) -> Seen {
    use Seen::*;
    match (a, b) {
        (Nothing, x) | (x, Nothing) => x,
        (Date, String) | (String, Date) => String,
        (Date, Year) | (Year, Date) => Date,
        (Year, String) | (String, Year) => String,
        (List(x), List(y)) => List(Box::new(join(*x, *y))),
        (x, y) if x == y => x,
        _ => Any,
    }
}

fn classify(n: &Node) -> Seen {
    match &n.kind {
        NodeKind::Null => Seen::Nothing,
        NodeKind::Bool(_) => Seen::Bool,
        NodeKind::Number(_) => Seen::Number,
        NodeKind::Str(s) => {
            if parse_date(s).is_some() && !is_plain_digits(s) {
                Seen::Date
            } else if s.len() == 4 && is_plain_digits(s) && parse_date(s).is_some() {
                Seen::Year
            } else {
                Seen::String
            }
        }
        NodeKind::Text(t) => {
            let t = t.trim();
            if looks_numeric(t) {
                Seen::Number
            } else if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
                Seen::Bool
            } else if parse_date(t).is_some() && !is_plain_digits(t) {
                Seen::Date
            } else {
                Seen::String
            }
        }
        NodeKind::Seq(items) => Seen::List(Box::new(
            items.iter().map(classify).fold(Seen::Nothing, join),
        )),
        NodeKind::Map(entries) => {
            let keys: BTreeSet<&str> = entries.iter().map(|e| &*e.key).collect();
            let all = |f: &dyn Fn(&Seen) -> bool| entries.iter().all(|e| f(&classify(&e.value)));
            if !keys.is_empty()
                && keys.iter().all(|k| matches!(*k, "min" | "max"))
                && all(&|s| matches!(s, Seen::Number | Seen::Nothing))
            {
                Seen::Number
            } else if !keys.is_empty()
                && keys.iter().all(|k| matches!(*k, "start" | "end"))
                && all(&|s| matches!(s, Seen::Date | Seen::Number | Seen::Nothing))
            {
                Seen::Date
            } else {
                Seen::Map
            }
        }
    }
}

/// `2008` alone is a year only where a schema says the field is a date; untyped, a
/// string of digits stays a string (or a number in CSV).
fn is_plain_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

fn to_type(s: &Seen) -> FieldType {
    match s {
        Seen::Nothing | Seen::Any => FieldType::Any,
        Seen::Bool => FieldType::Bool,
        Seen::Number => FieldType::Number,
        Seen::Date => FieldType::Date,
        Seen::String | Seen::Year => FieldType::String,
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
            let s = classify(&e.value);
            let present = !matches!(e.value.kind, NodeKind::Null);
            let slot = seen.entry(e.key.to_string()).or_insert_with(|| {
                order.push(e.key.to_string());
                (Seen::Nothing, 0)
            });
            slot.0 = join(std::mem::replace(&mut slot.0, Seen::Nothing), s);
            slot.1 += usize::from(present);
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
    head.ends_with(['_', '-', ' ', '.'])
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
