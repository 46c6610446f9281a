//! Integrity of a loaded dataset against its schema: types, required fields, enum
//! values, duplicate ids and unique keys, references, intervals that end before they
//! start, and fields or collections the schema does not know.

use super::codes;
use super::dataset::{Collection, Dataset, Record};
use super::load::describe_value;
use super::schema::{CollectionDef, FieldType};
use super::value::{fmt_number, Value};
use crate::diag::did_you_mean;
use crate::diag::{Diagnostic, Level, Span};
use std::collections::HashMap;

/// Diagnostics of one kind reported per collection and field before the rest are
/// only counted: a systematic mistake in a large table should not bury the others.
const MAX_PER_KIND: usize = 50;

/// Ids of a collection beyond which no "did you mean" is searched.
const MAX_SUGGESTION_POOL: usize = 20_000;

/// Check the dataset against its schema. Sorted, every problem at once.
pub fn validate(ds: &Dataset) -> Vec<Diagnostic> {
    check(ds).0
}

/// What [`validate_and_mend`] changed so that rules can run over a dataset with errors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mended {
    /// Values that failed their type (a date that is no date, an unknown enum value, an
    /// interval ending before it starts), now null: rules read them as unknown.
    pub unknown_values: usize,
    /// References to records that do not exist, now null: they resolve to nothing.
    pub dangling_refs: usize,
    /// Records that could not be read (no usable id), left out of the dataset.
    pub records_left_out: usize,
}

impl Mended {
    pub fn is_empty(&self) -> bool {
        *self == Mended::default()
    }
}

/// Check the dataset (as [`validate`]), then make what failed readable by rules: every
/// value that an error was reported on becomes null (a missing value, which rules read
/// as unknown; an item of a list becomes a null item), a reference to no record
/// becomes null too, and records without a usable id are left out. The diagnostics
/// are the same as [`validate`]'s.
pub fn validate_and_mend(ds: &mut Dataset) -> (Vec<Diagnostic>, Mended) {
    // a cleared reference may end a chain
    ds.chains = Default::default();
    let (diags, broken) = check(ds);
    let mut mended = Mended::default();
    for b in broken {
        let Some(coll) = ds.collections.get_mut(&b.collection) else {
            continue;
        };
        let Some(r) = coll.records.get_mut(b.record) else {
            continue;
        };
        let Some(v) = r
            .fields
            .get_mut(&b.field)
            .and_then(|v| item_at(v, &b.items))
        else {
            continue;
        };
        if matches!(v, Value::Null) {
            continue;
        }
        *v = Value::Null;
        if b.dangling {
            mended.dangling_refs += 1;
        } else {
            mended.unknown_values += 1;
        }
    }
    let schema = &ds.schema;
    for (name, coll) in ds.collections.iter_mut() {
        let id_field = schema
            .collection(name)
            .and_then(|d| d.id_field.as_deref())
            .unwrap_or("id");
        let unreadable = coll
            .records
            .iter()
            .filter(|r| !has_usable_id(r, id_field))
            .count();
        if unreadable > 0 {
            coll.retain(|r| has_usable_id(r, id_field));
            mended.records_left_out += unreadable;
        }
    }
    (diags, mended)
}

/// The item of nested lists at `path` (indices).
fn item_at<'v>(v: &'v mut Value, path: &[usize]) -> Option<&'v mut Value> {
    match path.split_first() {
        None => Some(v),
        Some((&i, rest)) => match v {
            Value::List(items) => item_at(items.get_mut(i)?, rest),
            _ => None,
        },
    }
}

/// Whether the loader found an id for the record (else it named it `#<n>` and
/// reported it, `D0010`).
fn has_usable_id(r: &Record, id_field: &str) -> bool {
    match r.get(id_field) {
        Some(Value::Str(s)) => !s.trim().is_empty(),
        Some(Value::Number(_)) => true,
        _ => false,
    }
}

/// A value an error was reported on: its record, field and list indices below it.
struct Broken {
    collection: String,
    record: usize,
    field: String,
    items: Vec<usize>,
    dangling: bool,
}

fn check(ds: &Dataset) -> (Vec<Diagnostic>, Vec<Broken>) {
    let mut v = Validator {
        ds,
        out: Vec::new(),
        counts: HashMap::new(),
        empty_targets: HashMap::new(),
        broken: Vec::new(),
        here: None,
        items: Vec::new(),
    };
    for coll in ds.collections.values() {
        v.collection(coll);
    }
    // the chains `origin()` and `owner()` follow
    for (coll, field) in super::dataset::CHAINS {
        let verb = match field {
            "owner" => "is owned by",
            _ => "derives from",
        };
        v.cycles(coll, field, verb);
    }
    let broken = std::mem::take(&mut v.broken);
    (v.finish(), broken)
}

struct Validator<'a> {
    ds: &'a Dataset,
    out: Vec<Diagnostic>,
    /// (code, collection, field) -> how many were found
    counts: HashMap<(&'static str, String, String), (usize, Option<Span>)>,
    /// (collection, field, target) -> (first span, how many refs), for references
    /// into collections that have no records at all
    empty_targets: HashMap<(String, String, String), (Span, usize)>,
    /// Values an error was reported on, for `validate_and_mend`.
    broken: Vec<Broken>,
    /// The value being checked: collection, record index and field; `items` are the
    /// list indices below the field.
    here: Option<(&'a str, usize, &'a str)>,
    items: Vec<usize>,
}

/// Where a value is: its record, its field and the path below the field.
struct At<'r> {
    collection: &'r str,
    record: &'r Record,
    field: &'r str,
}

impl At<'_> {
    fn whose(&self) -> String {
        format!("`{}` record `{}`", self.collection, self.record.id)
    }
    fn span(&self, path: &str) -> Span {
        self.record
            .field_span(path)
            .unwrap_or_else(|| self.record.span_of(self.field))
    }
}

impl<'a> Validator<'a> {
    /// Each cycle of references through `field` inside `coll`, reported once, at the
    /// reference of its first record (in load order) that closes it, which
    /// `validate_and_mend` then clears so the chain ends. Linear: the walk of
    /// `dataset::walk_chains`, which `origin()` and `owner()` follow too.
    fn cycles(&mut self, coll: &'a str, field: &'a str, verb: &str) {
        let Some(c) = self.ds.collections.get(coll) else {
            return;
        };
        let ty_ok = (self.ds.schema.field(coll, field))
            .is_some_and(|f| f.ty == FieldType::Ref(coll.to_string()));
        if !ty_ok {
            return;
        }
        for ring in super::dataset::walk_chains(c, field).1 {
            let Some(first) = ring.iter().copied().min() else {
                continue;
            };
            let k = ring.iter().position(|&p| p == first).unwrap_or(0);
            let names: Vec<String> = (0..=ring.len())
                .map(|j| format!("`{}`", c.records[ring[(k + j) % ring.len()]].id))
                .collect();
            let r = &c.records[first];
            let d = Diagnostic::error(
                codes::CYCLE,
                format!(
                    "`{coll}` record `{}` {verb} itself: {}",
                    r.id,
                    names.join(" -> ")
                ),
            )
            .at(key_span(r, field), format!("`{field}` leads back here"))
            .expected(format!("a chain of `{field}` that ends"))
            .found(format!(
                "a cycle of {} record{}",
                ring.len(),
                if ring.len() == 1 { "" } else { "s" }
            ))
            .help(format!(
                "remove the `{field}` that closes the cycle; until then, the chain ends at `{}`",
                r.id
            ));
            self.here = Some((coll, first, field));
            self.items.clear();
            self.push(codes::CYCLE, coll, field, d);
            self.here = None;
        }
    }

    /// Note that the value being checked is broken.
    fn mark(&mut self, dangling: bool) {
        if let Some((c, i, f)) = self.here {
            self.broken.push(Broken {
                collection: c.to_string(),
                record: i,
                field: f.to_string(),
                items: self.items.clone(),
                dangling,
            });
        }
    }

    fn push(&mut self, code: &'static str, collection: &str, field: &str, d: Diagnostic) {
        if d.level == Level::Error {
            self.mark(code == codes::DANGLING_REF);
        }
        let key = (code, collection.to_string(), field.to_string());
        let slot = self.counts.entry(key).or_insert((0, None));
        slot.0 += 1;
        if slot.0 <= MAX_PER_KIND {
            if slot.1.is_none() {
                slot.1 = d.primary.as_ref().map(|l| l.span.clone());
            }
            self.out.push(d);
        }
    }

    fn finish(mut self) -> Vec<Diagnostic> {
        let mut empties: Vec<_> = self.empty_targets.drain().collect();
        empties.sort_by(|a, b| a.0.cmp(&b.0));
        for ((coll, field, target), (span, n)) in empties {
            let d = Diagnostic::error(
                codes::DANGLING_REF,
                format!("`{coll}.{field}` refers to `{target}`, which has no records"),
            )
            .at(
                span,
                "refers to a record of `{target}`".replace("{target}", &target),
            )
            .expected(format!("records in `{target}`"))
            .found(format!(
                "{n} reference{} and no `{target}` records",
                if n == 1 { "" } else { "s" }
            ))
            .help(format!(
                "add a `{target}` file (for example `{target}.yaml`) to the dataset"
            ));
            self.out.push(d);
        }
        let mut extra: Vec<_> = self
            .counts
            .iter()
            .filter(|(_, (n, _))| *n > MAX_PER_KIND)
            .map(|((code, c, f), (n, span))| (*code, c.clone(), f.clone(), *n, span.clone()))
            .collect();
        extra.sort_by(|a, b| (a.0, &a.1, &a.2).cmp(&(b.0, &b.1, &b.2)));
        for (code, c, f, n, span) in extra {
            let mut d = Diagnostic::error(
                code,
                format!(
                    "{} more like this in `{c}`{}",
                    n - MAX_PER_KIND,
                    if f.is_empty() {
                        String::new()
                    } else {
                        format!(" field `{f}`")
                    }
                ),
            )
            .help(format!("only the first {MAX_PER_KIND} are shown"));
            if code == codes::UNKNOWN_FIELD || code == codes::UNKNOWN_COLLECTION {
                d = d.with_level(crate::diag::Level::Warning);
            }
            if let Some(s) = span {
                d = d.at(s, "the first one");
            }
            self.out.push(d);
        }
        crate::diag::diagnostic::sort(&mut self.out);
        self.out
    }

    fn collection(&mut self, coll: &'a Collection) {
        let schema = &self.ds.schema;
        let Some(def) = schema.collection(&coll.name) else {
            if !schema.inferred {
                if let Some(first) = coll.records.first() {
                    let names: Vec<&str> = schema.collections.keys().map(|s| s.as_str()).collect();
                    let mut d = Diagnostic::warning(
                        codes::UNKNOWN_COLLECTION,
                        format!("collection `{}` is not in the schema", coll.name),
                    )
                    .at(first.span.clone(), "first record of it")
                    .found(match coll.records.len() {
                        1 => "1 record".to_string(),
                        n => format!("{n} records"),
                    });
                    d = match did_you_mean(&coll.name, names.iter().copied()) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d.help("declare it in the schema, or its fields are not checked"),
                    };
                    self.push(codes::UNKNOWN_COLLECTION, &coll.name, "", d);
                }
            }
            return;
        };
        self.duplicate_ids(coll, def);
        for key in def.unique.iter().filter(|k| !k.is_empty()) {
            self.unique_key(coll, key);
        }
        for (i, r) in coll.records.iter().enumerate() {
            self.record(coll, def, i, r);
        }
    }

    fn duplicate_ids(&mut self, coll: &Collection, def: &CollectionDef) {
        let id_field = def.id_field.as_deref().unwrap_or("id");
        let mut first: HashMap<&str, &Record, foldhash::fast::RandomState> =
            HashMap::with_capacity_and_hasher(coll.records.len(), Default::default());
        for r in &coll.records {
            if !r.fields.contains_key(id_field) {
                continue; // already reported as missing
            }
            match first.get(&*r.id) {
                None => {
                    first.insert(&r.id, r);
                }
                Some(earlier) => {
                    let d = Diagnostic::error(
                        codes::DUPLICATE_ID,
                        format!("duplicate id `{}` in `{}`", r.id, coll.name),
                    )
                    .at(r.span_of(id_field), "used again here")
                    .also(earlier.span_of(id_field), "first used here")
                    .expected(format!("ids unique within `{}`", coll.name))
                    .help("give one of the records another id, or merge them");
                    self.push(codes::DUPLICATE_ID, &coll.name, "", d);
                }
            }
        }
    }

    fn unique_key(&mut self, coll: &Collection, key: &[String]) {
        let mut first: HashMap<Vec<String>, &Record> = HashMap::new();
        for r in &coll.records {
            let Some(values) = key
                .iter()
                .map(|f| {
                    r.get(f)
                        .filter(|v| !matches!(v, Value::Null))
                        .map(|v| v.to_string())
                })
                .collect::<Option<Vec<String>>>()
            else {
                continue;
            };
            match first.get(&values) {
                None => {
                    first.insert(values, r);
                }
                Some(earlier) => {
                    let shown: Vec<String> = key
                        .iter()
                        .zip(&values)
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect();
                    let d = Diagnostic::error(
                        codes::DUPLICATE_KEY,
                        format!(
                            "`{}` records `{}` and `{}` have the same {}",
                            coll.name,
                            earlier.id,
                            r.id,
                            key.join(", ")
                        ),
                    )
                    .at(r.span_of(&key[0]), "here")
                    .also(earlier.span_of(&key[0]), "and here")
                    .expected(format!(
                        "({}) unique within `{}`",
                        key.join(", "),
                        coll.name
                    ))
                    .found(shown.join(", "));
                    self.push(codes::DUPLICATE_KEY, &coll.name, &key.join(","), d);
                }
            }
        }
    }

    fn record(&mut self, coll: &'a Collection, def: &'a CollectionDef, i: usize, r: &'a Record) {
        // the schema's fields and the record's are both sorted by name: one merged pass
        // pairs them, with no lookup by name (41 lookups a record were a fifth of loading
        // a wide table)
        let mut fields = r.fields.iter().peekable();
        let mut known = vec![false; r.fields.len()];
        let mut at_field = 0;
        for f in def.fields.values() {
            let mut value = None;
            while let Some((k, v)) = fields.peek() {
                match (*k).cmp(f.name.as_str()) {
                    std::cmp::Ordering::Less => {
                        fields.next();
                        at_field += 1;
                    }
                    std::cmp::Ordering::Equal => {
                        value = Some(*v);
                        known[at_field] = true;
                        fields.next();
                        at_field += 1;
                        break;
                    }
                    std::cmp::Ordering::Greater => break,
                }
            }
            if f.name == "id" && value.is_none() {
                continue; // a missing id is reported by the loader
            }
            let at = At {
                collection: &coll.name,
                record: r,
                field: &f.name,
            };
            match value {
                None | Some(Value::Null) if f.required => {
                    let is_null = value.is_some();
                    let (msg, span, label) = if is_null {
                        (
                            format!("required field `{}` of {} is null", f.name, at.whose()),
                            at.span(&f.name),
                            "null here",
                        )
                    } else {
                        (
                            format!("{} has no `{}`", at.whose(), f.name),
                            r.span.clone(),
                            "this record",
                        )
                    };
                    let mut d = Diagnostic::error(codes::MISSING_FIELD, msg)
                        .at(span, label)
                        .expected(format!("`{}`: {}", f.name, type_phrase(&f.ty)));
                    if !is_null {
                        if let Some(s) = did_you_mean(
                            &f.name,
                            r.fields.keys().filter(|k| !def.fields.contains_key(*k)),
                        ) {
                            d = d.help(format!("did you mean `{}` where it says `{s}`?", f.name));
                        } else {
                            d = d.help(format!("`{}` is required in `{}`", f.name, coll.name));
                        }
                    }
                    self.push(codes::MISSING_FIELD, &coll.name, &f.name, d);
                }
                None | Some(Value::Null) => {}
                Some(v) => {
                    self.here = Some((&coll.name, i, &f.name));
                    self.value(&at, v, &f.ty, &f.name);
                    self.here = None;
                }
            }
        }
        for ((name, v), known) in r.fields.iter().zip(known) {
            if known || name == "id" {
                continue;
            }
            if name == "test" {
                // the data model's convention on every collection
                let at = At {
                    collection: &coll.name,
                    record: r,
                    field: name,
                };
                self.here = Some((&coll.name, i, name));
                self.value(&at, v, &FieldType::Bool, name);
                self.here = None;
                continue;
            }
            if self.ds.schema.inferred {
                continue;
            }
            let mut d = Diagnostic::warning(
                codes::UNKNOWN_FIELD,
                format!("unknown field `{name}` in {}", record_phrase(&coll.name, r)),
            )
            .at(key_span(r, name), "not in the schema");
            let candidates = def
                .fields
                .keys()
                .map(|k| k.as_str())
                .filter(|k| !r.fields.contains_key(k));
            d = match did_you_mean(name, candidates) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!(
                    "`{}` has {}",
                    coll.name,
                    def.fields
                        .keys()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            self.push(codes::UNKNOWN_FIELD, &coll.name, name, d);
        }
    }

    /// Check one value (at `path` below the record) against its type.
    fn value(&mut self, at: &At<'a>, v: &Value, ty: &FieldType, path: &str) {
        if matches!(v, Value::Null) {
            return;
        }
        match (ty, v) {
            (FieldType::Any, _) => self.any_value(at, v, path),
            (FieldType::String | FieldType::File, Value::Str(_))
            | (FieldType::Bool, Value::Bool(_))
            | (FieldType::Duration, Value::Duration(_))
            | (FieldType::Map, Value::Map(_)) => {}
            (FieldType::Number, Value::Number(n)) if n.is_finite() => {}
            (FieldType::Number, Value::Range { min, max }) => {
                if let (Some(a), Some(b)) = (min, max) {
                    if a > b {
                        let d = Diagnostic::error(
                            codes::END_BEFORE_START,
                            format!("range `{path}` of {} has its max below its min", at.whose()),
                        )
                        .at(at.span(&format!("{path}.max")), "max")
                        .also(at.span(&format!("{path}.min")), "min")
                        .expected("min <= max")
                        .found(format!(
                            "min {}, max {}",
                            fmt_number(*a),
                            fmt_number(*b)
                        ));
                        self.push(codes::END_BEFORE_START, at.collection, at.field, d);
                    }
                }
            }
            (FieldType::Date, Value::Time(t)) => {
                if let (Some(s), Some(e)) = (t.start, t.end) {
                    if e < s {
                        let d = Diagnostic::error(
                            codes::END_BEFORE_START,
                            format!("`{path}` of {} ends before it starts", at.whose()),
                        )
                        .at(at.span(&format!("{path}.end")), "end")
                        .also(at.span(&format!("{path}.start")), "start")
                        .expected("an end on or after the start")
                        .found(format!(
                            "start {}, end {}",
                            s.format("%Y-%m-%d"),
                            e.format("%Y-%m-%d")
                        ));
                        self.push(codes::END_BEFORE_START, at.collection, at.field, d);
                    }
                }
            }
            (FieldType::Date, _) => self.bad_date(at, v, path),
            (FieldType::Duration, Value::Str(s)) => {
                let d = Diagnostic::error(
                    codes::BAD_DURATION,
                    format!("`{path}` of {} is not a duration", at.whose()),
                )
                .at(at.span(path), "not a duration")
                .expected(type_phrase(ty))
                .found(format!("`{s}`"));
                // a duration, but longer than any there is
                let max = super::time::Duration::MAX_YEARS;
                let d = match super::convert::parse_any_duration(s) {
                    Some(_) => d.help(format!("a duration is at most {max} years long")),
                    None => d,
                };
                self.push(codes::BAD_DURATION, at.collection, at.field, d);
            }
            (FieldType::Enum(values), Value::Str(s)) => {
                if !values.iter().any(|x| x == &**s) {
                    let mut d = Diagnostic::error(
                        codes::UNKNOWN_ENUM,
                        format!("unknown value `{s}` for `{path}` of {}", at.whose()),
                    )
                    .at(at.span(path), "not one of the values")
                    .expected(format!("one of {}", quoted_list(values)))
                    .found(format!("`{s}`"));
                    if let Some(m) = did_you_mean(s, values.iter().map(|x| x.as_str())) {
                        d = d.help(format!("did you mean `{m}`?"));
                    }
                    self.push(codes::UNKNOWN_ENUM, at.collection, at.field, d);
                }
            }
            (FieldType::Enum(values), Value::Number(n)) => {
                let d = Diagnostic::error(
                    codes::UNKNOWN_ENUM,
                    format!(
                        "unknown value `{}` for `{path}` of {}",
                        fmt_number(*n),
                        at.whose()
                    ),
                )
                .at(at.span(path), "not one of the values")
                .expected(format!("one of {}", quoted_list(values)))
                .found(format!("`{}`", fmt_number(*n)));
                self.push(codes::UNKNOWN_ENUM, at.collection, at.field, d);
            }
            (FieldType::Ref(target), Value::Str(id)) => self.reference(at, target, id, path),
            (FieldType::List(inner), Value::List(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.items.push(i);
                    self.value(at, item, inner, &format!("{path}[{i}]"));
                    self.items.pop();
                }
            }
            (FieldType::Number, Value::Map(m)) => {
                let d = Diagnostic::error(
                    codes::WRONG_TYPE,
                    format!("wrong type for `{path}` in {}", at.whose()),
                )
                .at(at.span(path), "expected a number or a range")
                .expected(type_phrase(ty))
                .found(format!(
                    "a map with {}",
                    m.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ))
                .help("a range is written `{min: 80, max: 100}`, with numbers; either end may be left out");
                self.push(codes::WRONG_TYPE, at.collection, at.field, d);
            }
            _ => {
                let mut d = Diagnostic::error(
                    codes::WRONG_TYPE,
                    format!("wrong type for `{path}` in {}", at.whose()),
                )
                .at(at.span(path), format!("expected {}", short_type(ty)))
                .expected(type_phrase(ty))
                .found(describe_value(v));
                if let Some(h) = type_help(ty, v, path) {
                    d = d.help(h);
                }
                self.push(codes::WRONG_TYPE, at.collection, at.field, d);
            }
        }
    }

    /// In an `any` field, only what was read as a time or a range can be wrong.
    fn any_value(&mut self, at: &At<'a>, v: &Value, path: &str) {
        match v {
            Value::Time(_) => self.value(at, v, &FieldType::Date, path),
            Value::Range { .. } => self.value(at, v, &FieldType::Number, path),
            _ => {}
        }
    }

    fn bad_date(&mut self, at: &At<'a>, v: &Value, path: &str) {
        // an interval map: point at the part that is wrong
        if let Value::Map(m) = v {
            let unknown: Vec<&String> = m
                .keys()
                .filter(|k| !matches!(k.as_str(), "start" | "end"))
                .collect();
            if let Some(k) = unknown.first() {
                let mut d = Diagnostic::error(
                    codes::BAD_DATE,
                    format!(
                        "unknown key `{k}` in the interval `{path}` of {}",
                        at.whose()
                    ),
                )
                .at(at.span(&format!("{path}.{k}")), "not `start` or `end`")
                .expected("an interval `{start: .., end: ..}` (either end may be left out)")
                .found(format!("`{k}`"));
                if let Some(s) = did_you_mean(k, ["start", "end"]) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.push(codes::BAD_DATE, at.collection, at.field, d);
                return;
            }
            for (k, part) in m {
                let fine = match part {
                    Value::Time(_) | Value::Null => true,
                    Value::Str(s) => super::convert::parse_date(s).is_some(),
                    Value::Number(n) => super::convert::year_of_number(*n).is_some(),
                    _ => false,
                };
                if !fine {
                    self.bad_date(at, part, &format!("{path}.{k}"));
                }
            }
            return;
        }
        let found = match v {
            Value::Str(s) => format!("`{s}`"),
            other => describe_value(other),
        };
        let mut d = Diagnostic::error(
            codes::BAD_DATE,
            format!("`{path}` of {} is not a date", at.whose()),
        )
        .at(at.span(path), "not a date")
        .expected("a date: `2008`, `2014-03`, `2026-01-07`, an RFC 3339 timestamp, or `{start: .., end: ..}`")
        .found(found);
        if let Value::Str(s) = v {
            if looks_like_day(s) {
                d = d.help(format!(
                    "`{s}` has the shape of a date, but there is no such day in the calendar"
                ));
            } else if looks_like_slash_date(s) {
                d = d.help("write dates year first, with dashes: `2026-01-07`");
            } else {
                d = d.help("write an imprecise time as the year or month alone (`2026-01`), or as the interval it covers: `{start: 2026-01-05, end: 2026-01-07}`");
            }
        }
        if let Value::Number(n) = v {
            d = d.help(format!(
                "`{}` is not a year; a bare number in a date field is read as a year (4 digits)",
                fmt_number(*n)
            ));
        }
        self.push(codes::BAD_DATE, at.collection, at.field, d);
    }

    fn reference(&mut self, at: &At<'a>, target: &str, id: &str, path: &str) {
        let coll = self.ds.collection(target);
        let Some(coll) = coll.filter(|c| !c.records.is_empty()) else {
            let key = (
                at.collection.to_string(),
                at.field.to_string(),
                target.to_string(),
            );
            let span = at.span(path);
            self.empty_targets.entry(key).or_insert((span, 0)).1 += 1;
            self.mark(true);
            return;
        };
        if coll.get(id).is_some() {
            return;
        }
        let mut d = Diagnostic::error(
            codes::DANGLING_REF,
            format!(
                "`{path}` of {} refers to `{id}`, which is not in `{target}`",
                at.whose()
            ),
        )
        .at(at.span(path), format!("no such record in `{target}`"))
        .expected(format!("the id of a record in `{target}`"))
        .found(format!("`{id}`"));
        if coll.records.len() <= MAX_SUGGESTION_POOL {
            if let Some(s) = did_you_mean(id, coll.records.iter().map(|r| &*r.id)) {
                d = d.help(format!("did you mean `{s}`?"));
            }
        }
        self.push(codes::DANGLING_REF, at.collection, at.field, d);
    }
}

fn record_phrase(collection: &str, r: &Record) -> String {
    format!("`{collection}` record `{}`", r.id)
}

/// The span of a field's key, approximated by its value's line start when only the
/// value is known.
fn key_span(r: &Record, field: &str) -> Span {
    r.span_of(field)
}

fn quoted_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a type asks for, as `expected:` says it.
pub(crate) fn type_phrase(ty: &FieldType) -> String {
    match ty {
        FieldType::String => "a string".into(),
        FieldType::Number => "a number, or a range `{min, max}`".into(),
        FieldType::Bool => "`true` or `false`".into(),
        FieldType::Date => {
            "a date (`2008`, `2014-03`, `2026-01-07`) or an interval `{start, end}`".into()
        }
        FieldType::Duration => "a duration such as `20 years`, `3 months 2 days` or `P1Y`".into(),
        FieldType::Enum(v) => format!("one of {}", quoted_list(v)),
        FieldType::Ref(c) => format!("the id of a record in `{c}`"),
        FieldType::List(inner) => format!("a list of {}", plural(inner)),
        FieldType::Map => "a map".into(),
        FieldType::Any => "any value".into(),
        FieldType::File => "the path of a text file in the dataset folder".into(),
    }
}

/// A label-sized name of a type.
fn short_type(ty: &FieldType) -> String {
    match ty {
        FieldType::String => "a string".into(),
        FieldType::Number => "a number".into(),
        FieldType::Bool => "true or false".into(),
        FieldType::Date => "a date".into(),
        FieldType::Duration => "a duration".into(),
        FieldType::Enum(_) => "one of the enum's values".into(),
        FieldType::Ref(c) => format!("an id in `{c}`"),
        FieldType::List(_) => "a list".into(),
        FieldType::Map => "a map".into(),
        FieldType::Any => "a value".into(),
        FieldType::File => "a file's path".into(),
    }
}

fn plural(ty: &FieldType) -> String {
    match ty {
        FieldType::String => "strings".into(),
        FieldType::Number => "numbers".into(),
        FieldType::Bool => "booleans".into(),
        FieldType::Date => "dates".into(),
        FieldType::Duration => "durations".into(),
        FieldType::Enum(v) => format!("values among {}", quoted_list(v)),
        FieldType::Ref(c) => format!("ids of records in `{c}`"),
        FieldType::List(inner) => format!("lists of {}", plural(inner)),
        FieldType::Map => "maps".into(),
        FieldType::Any => "values".into(),
        FieldType::File => "file paths".into(),
    }
}

fn type_help(ty: &FieldType, v: &Value, path: &str) -> Option<String> {
    let field = path.rsplit('.').next().unwrap_or(path);
    match (ty, v) {
        (FieldType::List(_), Value::Str(s)) => {
            Some(format!("write a list, even of one item: `{field}: [{s}]`"))
        }
        (FieldType::String | FieldType::Enum(_), Value::Number(n)) => Some(format!(
            "quote it to keep it a string: `{field}: \"{}\"`",
            fmt_number(*n)
        )),
        (FieldType::String | FieldType::Enum(_), Value::Bool(b)) => Some(format!(
            "YAML reads `{b}` (and yes/no, on/off) as a boolean; quote it: `{field}: \"{b}\"`"
        )),
        (FieldType::Number, Value::Str(s)) if super::convert::parse_number(s).is_some() => {
            Some(format!("remove the quotes: `{field}: {s}`"))
        }
        (FieldType::Number, Value::Str(_)) => {
            Some("write a number like `80`, or a range `{min: 80, max: 100}`".into())
        }
        (FieldType::Bool, Value::Str(s))
            if matches!(s.to_ascii_lowercase().as_str(), "true" | "false") =>
        {
            Some(format!(
                "remove the quotes: `{field}: {}`",
                s.to_ascii_lowercase()
            ))
        }
        _ => None,
    }
}

fn looks_like_day(s: &str) -> bool {
    let b = s.trim().as_bytes();
    b.len() >= 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
}

fn looks_like_slash_date(s: &str) -> bool {
    let parts: Vec<&str> = s.trim().split(['/', '.']).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Counts for a summary line: records per collection.
pub fn record_count(ds: &Dataset) -> usize {
    ds.collections.values().map(|c| c.records.len()).sum()
}
