//! Importers: GDELT 2.0 event tables and ICEWS coded events mapped onto the default
//! event model (actors, statements, actions, sources), as docs/data-model.md
//! describes. Imported records keep the spans of the rows and cells they came from.

use super::dataset::{Collection, Dataset, Pos, Record};
use super::fields::{FieldMap, Fields};
use super::schema::Schema;
use super::value::Value;
use crate::diag::Diagnostic;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which table a collection is, by its columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Gdelt,
    Icews,
}

/// Recognise a GDELT or ICEWS table by its columns.
pub fn recognise(c: &Collection) -> Option<Table> {
    let first = c.records.first()?;
    let has = |f: &str| first.fields.contains_key(f);
    if has("GLOBALEVENTID") && has("EventCode") && has("SQLDATE") {
        Some(Table::Gdelt)
    } else if has("Event ID") && has("CAMEO Code") && has("Event Date") {
        Some(Table::Icews)
    } else {
        None
    }
}

/// The action kind of a CAMEO event code, or `None` for a verbal event (a statement).
pub fn cameo_kind(code: &str) -> Option<&'static str> {
    let code = code.trim();
    let root: u32 = code.get(..2)?.parse().ok()?;
    if (1..=5).contains(&root) || (10..=14).contains(&root) {
        return None;
    }
    let kind = if code.starts_with("163") {
        "sanction"
    } else if code.starts_with("173") || code.starts_with("181") {
        "capture"
    } else if code.starts_with("074") || code.starts_with("0862") {
        "peacekeeping"
    } else if code == "190" {
        "military_intervention"
    } else if code.starts_with("191") {
        "blockade"
    } else if code.starts_with("192") {
        "occupation"
    } else if code.starts_with("193") || code.starts_with("194") || code.starts_with("196") {
        "military_operation"
    } else if code.starts_with("195") {
        "airstrike"
    } else {
        "other"
    };
    Some(kind)
}

/// Replace every GDELT and ICEWS collection of `ds` by event-model records. Other
/// collections stay; actors already in the dataset win over imported ones of the same
/// id. When the schema was inferred, it becomes the event model (with the inferred
/// definitions of the collections that stay).
pub fn import_event_tables(ds: &mut Dataset) -> Vec<Diagnostic> {
    let tables: Vec<(String, Table)> = ds
        .collections
        .values()
        .filter_map(|c| recognise(c).map(|t| (c.name.clone(), t)))
        .collect();
    if tables.is_empty() {
        return Vec::new();
    }
    let mut out = Imported::default();
    let mut diags = Vec::new();
    for (name, table) in &tables {
        let Some(c) = ds.collections.remove(name) else {
            continue;
        };
        ds.schema.collections.remove(name);
        let skipped: Vec<&Record> = match table {
            Table::Gdelt => c
                .records
                .iter()
                .filter(|r| !gdelt_row(r, &mut out))
                .collect(),
            Table::Icews => c
                .records
                .iter()
                .filter(|r| !icews_row(r, &mut out))
                .collect(),
        };
        if let Some(first) = skipped.first() {
            let n = skipped.len();
            let (rows, have, were) = if n == 1 {
                ("row", "has", "was")
            } else {
                ("rows", "have", "were")
            };
            let actor = match table {
                Table::Gdelt => "Actor1Code",
                Table::Icews => "Source Name",
            };
            diags.push(
                Diagnostic::warning(
                    super::codes::NOT_IMPORTED,
                    format!("{n} {rows} of `{name}` {have} no actor and {were} not imported"),
                )
                .at(
                    first.span.clone(),
                    if n == 1 {
                        "this row"
                    } else {
                        "the first of them"
                    },
                )
                .expected(format!("every row to have `{actor}`"))
                .help("an event without its first actor cannot become a statement or an action"),
            );
        }
    }
    diags.append(&mut out.diags);
    let model = super::event_model();
    if ds.schema.inferred {
        let mut schema = Schema {
            inferred: false,
            ..model.clone()
        };
        for (name, def) in std::mem::take(&mut ds.schema.collections) {
            schema.collections.entry(name).or_insert(def);
        }
        ds.schema = schema;
    }
    for name in model.collections.keys() {
        ds.collections
            .entry(name.clone())
            .or_insert_with(|| Collection::new(name));
    }
    for (coll, records) in [
        ("actors", out.actors.into_values().collect::<Vec<_>>()),
        ("sources", out.sources.into_values().collect()),
        ("statements", out.statements),
        ("actions", out.actions),
    ] {
        let c = ds
            .collections
            .entry(coll.to_string())
            .or_insert_with(|| Collection::new(coll));
        for r in records {
            if (coll == "actors" || coll == "sources") && c.get(&r.id).is_some() {
                continue;
            }
            c.push(r);
        }
    }
    diags
}

#[derive(Default)]
struct Imported {
    /// Warnings about cells, such as dates that are none.
    diags: Vec<Diagnostic>,
    actors: BTreeMap<Arc<str>, Record>,
    sources: BTreeMap<Arc<str>, Record>,
    statements: Vec<Record>,
    actions: Vec<Record>,
}

/// Builds one record from fields of a source row, keeping their spans.
struct Builder<'r> {
    row: &'r Record,
    id: Arc<str>,
    fields: Fields,
    spans: FieldMap<Pos>,
}

impl<'r> Builder<'r> {
    fn new(row: &'r Record, id: String, id_from: &str) -> Self {
        let id: Arc<str> = id.into();
        let mut b = Builder {
            row,
            id: id.clone(),
            fields: Fields::new(),
            spans: FieldMap::new(),
        };
        b.set("id", Value::Str(id), id_from);
        b
    }
    /// Set `field` to `v`, pointing at the row's cell `from`.
    fn set(&mut self, field: &str, v: Value, from: &str) {
        let at =
            (self.row.field_spans.get(from).copied()).unwrap_or_else(|| Pos::of(&self.row.span));
        self.spans.insert(field, at);
        self.fields.insert(field, v);
    }
    fn done(self) -> Record {
        Record {
            id: self.id,
            fields: self.fields,
            span: self.row.span.clone(),
            field_spans: self.spans,
        }
    }
}

/// A cell as text, absent when empty or `NA`.
fn text(r: &Record, f: &str) -> Option<String> {
    let s = match r.get(f)? {
        Value::Str(s) => s.trim().to_string(),
        Value::Number(n) => super::value::fmt_number(*n),
        Value::Time(t) => t.raw.to_string(),
        other => other.to_string(),
    };
    (!s.is_empty() && s != "NA").then_some(s)
}

/// A day: a date already read, `YYYYMMDD`, or the day of `YYYYMMDDHHMMSS` (times are
/// days; the value's text keeps the time of day). A cell that is neither, such as a
/// time of day `25` o'clock, gives no date, and a warning at the cell saying what it
/// should have been.
fn day(r: &Record, f: &str, diags: &mut Vec<Diagnostic>) -> Option<Value> {
    if let Some(v @ Value::Time(_)) = r.get(f) {
        return Some(v.clone());
    }
    let cell = text(r, f)?;
    let day = super::convert::parse_date(&cell).map(Value::Time);
    if day.is_none() {
        diags.push(
            Diagnostic::warning(super::codes::BAD_DATE, format!("`{f}` is not a date"))
                .at(r.span_of(f), "not a date")
                .expected(
                    "a date YYYYMMDD, a date-time YYYYMMDDHHMMSS, or a date YYYY-MM-DD",
                )
                .found(format!("`{cell}`"))
                .help("the record imported from this row has no date; correct the cell or leave it empty"),
        );
    }
    day
}

/// Map one GDELT row; false when it has no first actor.
fn gdelt_row(r: &Record, out: &mut Imported) -> bool {
    let Some(actor) = gdelt_actor(r, "Actor1", out) else {
        return false;
    };
    let target = gdelt_actor(r, "Actor2", out);
    let event_id = text(r, "GLOBALEVENTID").unwrap_or_else(|| r.id.to_string());
    let code = text(r, "EventCode").unwrap_or_default();

    let src_id = format!("gdelt-src-{event_id}");
    let mut src = Builder::new(r, src_id.clone(), "SOURCEURL");
    let url = text(r, "SOURCEURL");
    let host = url
        .as_deref()
        .and_then(|u| u.split("://").nth(1))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("GDELT")
        .to_string();
    src.set(
        "title",
        Value::str(url.as_deref().unwrap_or(&format!("GDELT event {event_id}"))),
        "SOURCEURL",
    );
    src.set("publisher", Value::str(&host), "SOURCEURL");
    if let Some(u) = &url {
        src.set("url", Value::str(u), "SOURCEURL");
    }
    if let Some(d) = day(r, "DATEADDED", &mut out.diags) {
        src.set("date", d, "DATEADDED");
    }
    // machine-coded: its reliability cannot be judged until a person reads it
    src.set("reliability", Value::str("F"), "SOURCEURL");
    out.sources
        .entry(src_id.clone().into())
        .or_insert(src.done());

    let mut description = text(r, "CAMEOCodeDescription").unwrap_or_default();
    if let Some(place) = text(r, "ActionGeo_FullName") {
        description = format!("{} in {place}", description.trim());
    }
    let mut b = Builder::new(r, format!("gdelt-{event_id}"), "GLOBALEVENTID");
    b.set("actor", Value::Str(actor), "Actor1Code");
    b.set(
        "sources",
        Value::List(vec![Value::str(&src_id)]),
        "SOURCEURL",
    );
    b.set("cameo", Value::str(&code), "EventCode");
    let when = day(r, "SQLDATE", &mut out.diags);
    match cameo_kind(&code) {
        None => {
            b.set("kind", Value::str("statement"), "EventCode");
            if let Some(d) = when {
                b.set("date", d, "SQLDATE");
            }
            if let Some(t) = target {
                b.set("about", Value::List(vec![Value::Str(t)]), "Actor2Code");
            }
            if !description.trim().is_empty() {
                b.set("text", Value::str(description.trim()), "EventCode");
            }
            // `cameo` is not a statement field in the model
            b.fields.remove("cameo");
            out.statements.push(b.done());
        }
        Some(kind) => {
            b.set("kind", Value::str(kind), "EventCode");
            if let Some(d) = when {
                b.set("time", d, "SQLDATE");
            }
            if let Some(t) = target {
                b.set("target", Value::Str(t), "Actor2Code");
            }
            if !description.trim().is_empty() {
                b.set("description", Value::str(description.trim()), "EventCode");
            }
            out.actions.push(b.done());
        }
    }
    true
}

/// Actor types that name groups of people rather than organisations.
const GROUP_TYPES: &[&str] = &[
    "CVL", "REB", "INS", "SEP", "UAF", "CRM", "REF", "LAB", "OPP", "ELI", "AGR", "MOD", "RAD",
];

fn gdelt_actor(r: &Record, which: &str, out: &mut Imported) -> Option<Arc<str>> {
    let code = text(r, &format!("{which}Code"))?;
    let name = text(r, &format!("{which}Name")).unwrap_or_else(|| code.clone());
    let country = text(r, &format!("{which}CountryCode"));
    let type1 = text(r, &format!("{which}Type1Code"));
    let (id, kind) = if country.as_deref() == Some(code.as_str()) {
        (code.clone(), "state")
    } else if type1.as_deref().is_none_or(|t| GROUP_TYPES.contains(&t)) {
        (code.clone(), "group")
    } else {
        (code.clone(), "organisation")
    };
    let id: Arc<str> = id.into();
    if !out.actors.contains_key(&id) {
        let from = format!("{which}Code");
        let mut b = Builder::new(r, id.to_string(), &from);
        b.set("name", Value::str(&name), &format!("{which}Name"));
        b.set("kind", Value::str(kind), &from);
        if let Some(c) = country {
            b.set("country", Value::str(&c), &format!("{which}CountryCode"));
        }
        out.actors.insert(id.clone(), b.done());
    }
    Some(id)
}

/// Map one ICEWS row; false when it has no source actor.
fn icews_row(r: &Record, out: &mut Imported) -> bool {
    let Some(actor) = icews_actor(r, "Source", out) else {
        return false;
    };
    let target = icews_actor(r, "Target", out);
    let event_id = text(r, "Event ID").unwrap_or_else(|| r.id.to_string());
    let code = text(r, "CAMEO Code").unwrap_or_default();

    let story = text(r, "Story ID").unwrap_or_else(|| event_id.clone());
    let src_id = format!("icews-story-{story}");
    let when = day(r, "Event Date", &mut out.diags);
    if !out.sources.contains_key(src_id.as_str()) {
        let mut src = Builder::new(r, src_id.clone(), "Story ID");
        let sentence = text(r, "Sentence Number")
            .map(|n| format!(", sentence {n}"))
            .unwrap_or_default();
        src.set(
            "title",
            Value::str(&format!("story {story}{sentence}")),
            "Story ID",
        );
        src.set(
            "publisher",
            Value::str(text(r, "Publisher").as_deref().unwrap_or("ICEWS")),
            "Publisher",
        );
        if let Some(d) = &when {
            src.set("date", d.clone(), "Event Date");
        }
        out.sources.insert(src_id.clone().into(), src.done());
    }

    let place: Vec<String> = ["City", "District", "Province", "Country"]
        .iter()
        .filter_map(|f| text(r, f))
        .collect();
    let mut description = text(r, "Event Text").unwrap_or_default();
    if !place.is_empty() {
        description = format!("{description} in {}", place.join(", "));
    }
    let mut b = Builder::new(r, format!("icews-{event_id}"), "Event ID");
    b.set("actor", Value::Str(actor), "Source Name");
    b.set(
        "sources",
        Value::List(vec![Value::str(&src_id)]),
        "Story ID",
    );
    match cameo_kind(&code) {
        None => {
            b.set("kind", Value::str("statement"), "CAMEO Code");
            if let Some(d) = when {
                b.set("date", d, "Event Date");
            }
            if let Some(t) = target {
                b.set("about", Value::List(vec![Value::Str(t)]), "Target Name");
            }
            b.set("text", Value::str(&description), "Event Text");
            out.statements.push(b.done());
        }
        Some(kind) => {
            b.set("kind", Value::str(kind), "CAMEO Code");
            b.set("cameo", Value::str(&code), "CAMEO Code");
            if let Some(d) = when {
                b.set("time", d, "Event Date");
            }
            if let Some(t) = target {
                b.set("target", Value::Str(t), "Target Name");
            }
            b.set("description", Value::str(&description), "Event Text");
            out.actions.push(b.done());
        }
    }
    true
}

/// A name as an id: lowercase words joined by `-` (`Foreign Affairs (Bangladesh)` is
/// `foreign-affairs-bangladesh`).
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn icews_actor(r: &Record, which: &str, out: &mut Imported) -> Option<Arc<str>> {
    let name = text(r, &format!("{which} Name"))?;
    let country = text(r, &format!("{which} Country"));
    let kind = if country.as_deref() == Some(name.as_str()) {
        "state"
    } else if name.contains('(') {
        // sector actors are written `Ministry (Japan)`
        if name.starts_with("Citizen") {
            "group"
        } else {
            "organisation"
        }
    } else {
        "person"
    };
    let id: Arc<str> = slug(&name).into();
    if id.is_empty() {
        return None;
    }
    if !out.actors.contains_key(&id) {
        let from = format!("{which} Name");
        let mut b = Builder::new(r, id.to_string(), &from);
        b.set("name", Value::str(&name), &from);
        b.set("kind", Value::str(kind), &from);
        if let Some(c) = country {
            b.set("country", Value::str(&c), &format!("{which} Country"));
        }
        out.actors.insert(id.clone(), b.done());
    }
    Some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cameo_codes_map_to_kinds() {
        assert_eq!(cameo_kind("040"), None);
        assert_eq!(cameo_kind("0862"), Some("peacekeeping"));
        assert_eq!(cameo_kind("190"), Some("military_intervention"));
        assert_eq!(cameo_kind("1951"), Some("airstrike"));
        assert_eq!(cameo_kind("163"), Some("sanction"));
        assert_eq!(cameo_kind("061"), Some("other"));
        assert_eq!(cameo_kind("x"), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Foreign Affairs (Bangladesh)"),
            "foreign-affairs-bangladesh"
        );
        assert_eq!(slug("Côte d'Ivoire"), "côte-d-ivoire");
    }
}
