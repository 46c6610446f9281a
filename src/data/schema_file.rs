//! Schema files: reading one (with `use: event-model` to start from the shipped model),
//! writing one back (`factlint schema`), and the shipped default event model.

use super::codes;
use super::node::{Locator, Node, NodeKind};
use super::schema::{CollectionDef, FieldDef, FieldType, Schema};
use super::yaml;
use crate::diag::did_you_mean;
use crate::diag::{Diagnostic, Span};
use std::fmt::Write as _;
use std::sync::Arc;

/// The text of the shipped default event model.
pub const EVENT_MODEL_YAML: &str = include_str!("../../schema/event-model.yaml");

/// The shipped default event model (`schema/event-model.yaml`).
pub fn event_model() -> Schema {
    // a test keeps the shipped file valid; never fail a run over it
    parse_schema("schema/event-model.yaml".into(), EVENT_MODEL_YAML).unwrap_or_default()
}

const TYPE_NAMES: &[&str] = &[
    "string", "number", "bool", "date", "duration", "enum", "ref", "list", "map", "any", "file",
];

/// Parse a schema file. Every problem is reported, not only the first.
pub fn parse_schema(file: Arc<str>, text: &str) -> Result<Schema, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let loc = Locator::new(file, text);
    let docs = yaml::read(&loc, &mut diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut p = SchemaParser { diags: Vec::new() };
    let schema = match docs.as_slice() {
        [] => Schema::default(),
        [doc] => p.schema(doc, &loc),
        [_, second, ..] => {
            p.err(
                &second.span,
                "a schema file holds one YAML document",
                "a second document",
            );
            Schema::default()
        }
    };
    if p.diags.is_empty() {
        Ok(schema)
    } else {
        Err(p.diags)
    }
}

struct SchemaParser {
    diags: Vec<Diagnostic>,
}

impl SchemaParser {
    fn err(&mut self, span: &Span, msg: impl Into<String>, label: &str) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::error(codes::BAD_SCHEMA, msg).at(span.clone(), label));
        let n = self.diags.len() - 1;
        &mut self.diags[n]
    }

    fn unknown_key(&mut self, key: &str, span: &Span, known: &[&str], what: &str) {
        let d = self.err(
            span,
            format!("unknown key `{key}` in {what}"),
            "not a schema key",
        );
        d.expected = Some(
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        if let Some(s) = did_you_mean(key, known.iter().copied()) {
            d.help = Some(format!("did you mean `{s}`?"));
        }
    }

    fn schema(&mut self, doc: &Node, loc: &Locator) -> Schema {
        let NodeKind::Map(entries) = &doc.kind else {
            if matches!(doc.kind, NodeKind::Null) {
                return Schema::default();
            }
            let found = doc.describe();
            let d = self.err(
                &doc.span,
                "a schema file is a map with `collections`",
                "here",
            );
            d.expected = Some("`collections:` (and optionally `use: event-model`)".into());
            d.found = Some(found);
            return Schema::default();
        };
        let _ = loc;
        let mut schema = Schema::default();
        let mut own: Vec<(CollectionDef, bool, Span)> = Vec::new();
        for e in entries {
            match &*e.key {
                "use" => match &e.value.kind {
                    NodeKind::Str(s) if &**s == "event-model" => {
                        schema = event_model();
                    }
                    _ => {
                        let found = e.value.describe();
                        let d = self.err(&e.value.span, "unknown base schema", "here");
                        d.expected = Some("`event-model`".into());
                        d.found = Some(found);
                    }
                },
                "collections" => match &e.value.kind {
                    NodeKind::Map(cols) => {
                        for c in cols {
                            if let Some((def, extend)) = self.collection(&c.key, &c.value) {
                                own.push((def, extend, c.key_span.clone()));
                            }
                        }
                    }
                    NodeKind::Null => {}
                    _ => {
                        let found = e.value.describe();
                        let d = self.err(
                            &e.value.span,
                            "`collections` is a map from collection names to their definitions",
                            "here",
                        );
                        d.found = Some(found);
                    }
                },
                "doc" | "description" | "version" => {}
                other => self.unknown_key(
                    other,
                    &e.key_span,
                    &["use", "collections", "doc"],
                    "a schema",
                ),
            }
        }
        for (def, extend, _) in own {
            match schema.collections.get_mut(&def.name) {
                Some(base) if extend => {
                    base.fields.extend(def.fields);
                    base.unique.extend(def.unique);
                    if def.doc.is_some() {
                        base.doc = def.doc;
                    }
                    if def.id_field.is_some() {
                        base.id_field = def.id_field;
                    }
                }
                _ => {
                    schema.collections.insert(def.name.clone(), def);
                }
            }
        }
        self.check_refs(&schema, doc);
        schema
    }

    /// Every `ref` names a collection of the schema.
    fn check_refs(&mut self, schema: &Schema, doc: &Node) {
        let names: Vec<&str> = schema.collections.keys().map(|s| s.as_str()).collect();
        for c in schema.collections.values() {
            for f in c.fields.values() {
                if let Some(target) = ref_target(&f.ty) {
                    if !schema.collections.contains_key(target) {
                        let span = find_field_span(doc, &c.name, &f.name)
                            .unwrap_or_else(|| doc.span.clone());
                        let help = did_you_mean(target, names.iter().copied());
                        let d = self.err(
                            &span,
                            format!(
                                "field `{}.{}` refers to unknown collection `{target}`",
                                c.name, f.name
                            ),
                            "this reference",
                        );
                        d.expected = Some(format!("one of {}", list_names(&names)));
                        if let Some(h) = help {
                            d.help = Some(format!("did you mean `{h}`?"));
                        }
                    }
                }
            }
            for f in c.unique.iter().flatten().chain(c.id_field.iter()) {
                if !c.fields.contains_key(f) {
                    let span =
                        find_collection_span(doc, &c.name).unwrap_or_else(|| doc.span.clone());
                    let help = did_you_mean(f, c.fields.keys().map(|s| s.as_str()));
                    let d = self.err(
                        &span,
                        format!(
                            "collection `{}` names field `{f}`, which it does not declare",
                            c.name
                        ),
                        "in this collection",
                    );
                    if let Some(h) = help {
                        d.help = Some(format!("did you mean `{h}`?"));
                    }
                }
            }
        }
    }

    fn collection(&mut self, name: &str, node: &Node) -> Option<(CollectionDef, bool)> {
        let mut def = CollectionDef {
            name: name.to_string(),
            ..Default::default()
        };
        let mut extend = false;
        let entries = match &node.kind {
            NodeKind::Map(e) => e.as_slice(),
            NodeKind::Null => &[],
            _ => {
                let found = node.describe();
                let d = self.err(
                    &node.span,
                    format!("collection `{name}` must be a map"),
                    "here",
                );
                d.expected = Some(
                    "`fields:`, and optionally `doc:`, `id_field:`, `unique:`, `extend:`".into(),
                );
                d.found = Some(found);
                return None;
            }
        };
        for e in entries {
            match &*e.key {
                "doc" | "description" => def.doc = self.string(&e.value),
                "id_field" => def.id_field = self.string(&e.value),
                "extend" => extend = matches!(e.value.kind, NodeKind::Bool(true)),
                "unique" => def.unique = self.unique(&e.value),
                "fields" => match &e.value.kind {
                    NodeKind::Map(fields) => {
                        for f in fields {
                            if let Some(fd) = self.field(&f.key, &f.value) {
                                def.fields.insert(fd.name.clone(), fd);
                            }
                        }
                    }
                    NodeKind::Null => {}
                    _ => {
                        let found = e.value.describe();
                        let d = self.err(
                            &e.value.span,
                            "`fields` is a map from field names to their types",
                            "here",
                        );
                        d.found = Some(found);
                    }
                },
                other => self.unknown_key(
                    other,
                    &e.key_span,
                    &["fields", "doc", "id_field", "unique", "extend"],
                    &format!("collection `{name}`"),
                ),
            }
        }
        if !extend {
            def.fields.entry("id".into()).or_insert_with(|| FieldDef {
                name: "id".into(),
                ty: FieldType::String,
                required: true,
                doc: None,
            });
        }
        if let Some(f) = def.fields.get_mut("id") {
            f.required = true;
        }
        Some((def, extend))
    }

    fn string(&mut self, node: &Node) -> Option<String> {
        match &node.kind {
            NodeKind::Str(s) => Some(s.to_string()),
            NodeKind::Null => None,
            NodeKind::Number(n) => Some(super::value::fmt_number(*n)),
            _ => {
                let found = node.describe();
                let d = self.err(&node.span, "expected a string here", "here");
                d.found = Some(found);
                None
            }
        }
    }

    fn unique(&mut self, node: &Node) -> Vec<Vec<String>> {
        let NodeKind::Seq(items) = &node.kind else {
            let d = self.err(&node.span, "`unique` is a list of keys", "here");
            d.expected = Some("`[[name, country]]` or `[name]`".into());
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match &item.kind {
                NodeKind::Str(s) => out.push(vec![s.to_string()]),
                NodeKind::Seq(parts) => {
                    let key: Vec<String> = parts.iter().filter_map(|p| self.string(p)).collect();
                    if !key.is_empty() {
                        out.push(key);
                    }
                }
                _ => {
                    let d = self.err(
                        &item.span,
                        "a unique key is a field name or a list of them",
                        "here",
                    );
                    d.found = Some(item.describe());
                }
            }
        }
        out
    }

    fn field(&mut self, name: &str, node: &Node) -> Option<FieldDef> {
        let mut def = FieldDef {
            name: name.to_string(),
            ty: FieldType::Any,
            required: false,
            doc: None,
        };
        match &node.kind {
            NodeKind::Str(s) => def.ty = self.field_type(s, None, &node.span)?,
            NodeKind::Map(entries) => {
                let mut ty: Option<(Arc<str>, Span)> = None;
                let mut values: Option<Vec<String>> = None;
                for e in entries {
                    match &*e.key {
                        "type" => match &e.value.kind {
                            NodeKind::Str(s) => ty = Some((s.clone(), e.value.span.clone())),
                            _ => {
                                let found = e.value.describe();
                                let d = self.err(
                                    &e.value.span,
                                    "a field type is written as a string",
                                    "here",
                                );
                                d.expected = Some(
                                    "e.g. `string`, `list of ref sources`, `enum [a, b]`".into(),
                                );
                                d.found = Some(found);
                            }
                        },
                        "required" => match &e.value.kind {
                            NodeKind::Bool(b) => def.required = *b,
                            _ => {
                                let found = e.value.describe();
                                let d =
                                    self.err(&e.value.span, "`required` is true or false", "here");
                                d.found = Some(found);
                            }
                        },
                        "doc" | "description" => def.doc = self.string(&e.value),
                        "values" => match &e.value.kind {
                            NodeKind::Seq(items) => {
                                values = Some(items.iter().filter_map(|i| self.string(i)).collect())
                            }
                            _ => {
                                let found = e.value.describe();
                                let d = self.err(
                                    &e.value.span,
                                    "`values` is a list of the enum's values",
                                    "here",
                                );
                                d.found = Some(found);
                            }
                        },
                        other => self.unknown_key(
                            other,
                            &e.key_span,
                            &["type", "required", "doc", "values"],
                            &format!("field `{name}`"),
                        ),
                    }
                }
                match ty {
                    Some((t, span)) => def.ty = self.field_type(&t, values, &span)?,
                    None => {
                        let d =
                            self.err(&node.span, format!("field `{name}` has no `type`"), "here");
                        d.expected = Some("`type: string` (or number, bool, date, duration, enum [..], ref <collection>, list of <type>, map, any)".into());
                        return None;
                    }
                }
            }
            _ => {
                let found = node.describe();
                let d = self.err(&node.span, format!("field `{name}` needs a type"), "here");
                d.expected =
                    Some("a type such as `string`, or a map with `type:` and `required:`".into());
                d.found = Some(found);
                return None;
            }
        }
        Some(def)
    }

    fn field_type(
        &mut self,
        text: &str,
        values: Option<Vec<String>>,
        span: &Span,
    ) -> Option<FieldType> {
        match parse_type(text, values) {
            Ok(t) => Some(t),
            Err(msg) => {
                let first = text.split_whitespace().next().unwrap_or("");
                let help = did_you_mean(first, TYPE_NAMES.iter().copied());
                let d = self.err(span, msg, "this type");
                d.expected = Some("string, number, bool, date, duration, enum [a, b], ref <collection>, list of <type>, map or any".into());
                d.found = Some(format!("`{}`", shortened(text)));
                if let Some(h) = help {
                    d.help = Some(format!("did you mean `{h}`?"));
                }
                None
            }
        }
    }
}

/// How many `list of` a type may nest: a type is read without recursion, but the
/// types it builds are walked recursively wherever they are used.
pub const MAX_TYPE_DEPTH: usize = 32;

/// Parse a type: `string`, `number`, `bool`, `date`, `duration`, `map`, `any`,
/// `enum [a, b]` (or `enum` with `values`), `ref <collection>`, `list of <type>`
/// (at most [`MAX_TYPE_DEPTH`] deep).
pub fn parse_type(text: &str, values: Option<Vec<String>>) -> Result<FieldType, String> {
    let mut t = text.trim();
    let mut lists = 0usize;
    loop {
        let (head, rest) = split_type(t);
        if head != "list" {
            let mut ty = simple_type(head, rest, values)?;
            for _ in 0..lists {
                ty = FieldType::List(Box::new(ty));
            }
            return Ok(ty);
        }
        match rest.strip_prefix("of") {
            Some(inner) if inner.starts_with(char::is_whitespace) => {
                lists += 1;
                if lists > MAX_TYPE_DEPTH {
                    return Err(format!(
                        "a type nested too deeply (more than {MAX_TYPE_DEPTH} `list of`)"
                    ));
                }
                t = inner.trim();
            }
            _ => return Err("a list type says what it holds: `list of string`".into()),
        }
    }
}

/// The first word of a type and the rest, trimmed.
fn split_type(t: &str) -> (&str, &str) {
    match t.find(|c: char| c.is_whitespace() || c == '[') {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, ""),
    }
}

/// A type other than `list of`.
fn simple_type(head: &str, rest: &str, values: Option<Vec<String>>) -> Result<FieldType, String> {
    let simple = |ty: FieldType| {
        if rest.is_empty() {
            Ok(ty)
        } else {
            Err(format!("unexpected `{rest}` after type `{head}`"))
        }
    };
    match head {
        "string" | "str" | "text" => simple(FieldType::String),
        "number" | "int" | "integer" | "float" => simple(FieldType::Number),
        "bool" | "boolean" => simple(FieldType::Bool),
        "date" | "time" => simple(FieldType::Date),
        "duration" => simple(FieldType::Duration),
        "map" => simple(FieldType::Map),
        "any" => simple(FieldType::Any),
        "file" => simple(FieldType::File),
        "enum" => {
            if let Some(inner) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                let vals: Vec<String> = inner
                    .split(',')
                    .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
                    .filter(|v| !v.is_empty())
                    .collect();
                if vals.is_empty() {
                    return Err("an enum needs at least one value".into());
                }
                Ok(FieldType::Enum(vals))
            } else if rest.is_empty() {
                match values {
                    Some(v) if !v.is_empty() => Ok(FieldType::Enum(v)),
                    _ => Err("an enum needs its values: `enum [a, b]` or `values: [a, b]`".into()),
                }
            } else {
                Err(format!(
                    "an enum's values are written in brackets: `enum [{rest}]`"
                ))
            }
        }
        "ref" => {
            if rest.is_empty() || rest.contains(char::is_whitespace) {
                Err("a reference names one collection: `ref actors`".into())
            } else {
                Ok(FieldType::Ref(rest.to_string()))
            }
        }
        "" => Err("empty type".into()),
        other => Err(format!("unknown type `{other}`")),
    }
}

/// A type as written, cut after 80 characters: a found line quotes it.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_string(),
    }
}

fn ref_target(t: &FieldType) -> Option<&str> {
    match t {
        FieldType::Ref(c) => Some(c),
        FieldType::List(inner) => ref_target(inner),
        _ => None,
    }
}

fn list_names(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn find_collection_span(doc: &Node, collection: &str) -> Option<Span> {
    let cols = doc.get("collections")?;
    match &cols.kind {
        NodeKind::Map(entries) => entries
            .iter()
            .find(|e| &*e.key == collection)
            .map(|e| e.key_span.clone()),
        _ => None,
    }
}

fn find_field_span(doc: &Node, collection: &str, field: &str) -> Option<Span> {
    let f = doc
        .get("collections")?
        .get(collection)?
        .get("fields")?
        .get(field)?;
    Some(f.get("type").map_or(f.span.clone(), |t| t.span.clone()))
}

/// Write a schema as a schema file that `parse_schema` reads back to the same schema.
pub fn schema_to_yaml(s: &Schema) -> String {
    let mut out = String::new();
    if s.inferred {
        out.push_str("# Inferred from the data by factlint. Edit it and save it as schema.yaml\n");
        out.push_str("# at the root of the dataset to declare it.\n");
    }
    if s.collections.is_empty() {
        out.push_str("collections: {}\n");
        return out;
    }
    out.push_str("collections:\n");
    for c in s.collections.values() {
        let _ = writeln!(out, "  {}:", yaml_str(&c.name));
        if let Some(d) = &c.doc {
            let _ = writeln!(out, "    doc: {}", yaml_str(d));
        }
        if let Some(f) = &c.id_field {
            let _ = writeln!(out, "    id_field: {}", yaml_str(f));
        }
        if !c.unique.is_empty() {
            out.push_str("    unique:\n");
            for key in &c.unique {
                let parts: Vec<String> = key.iter().map(|k| yaml_str(k)).collect();
                let _ = writeln!(out, "      - [{}]", parts.join(", "));
            }
        }
        out.push_str("    fields:\n");
        // `id` first, then the others by name
        let fields = c
            .fields
            .get("id")
            .into_iter()
            .chain(c.fields.values().filter(|f| f.name != "id"));
        for f in fields {
            let ty = yaml_str(&f.ty.to_string());
            if f.doc.is_none() && !f.required {
                let _ = writeln!(out, "      {}: {}", yaml_str(&f.name), ty);
                continue;
            }
            let _ = writeln!(out, "      {}:", yaml_str(&f.name));
            let _ = writeln!(out, "        type: {ty}");
            if f.required {
                out.push_str("        required: true\n");
            }
            if let Some(d) = &f.doc {
                let _ = writeln!(out, "        doc: {}", yaml_str(d));
            }
        }
    }
    out
}

/// A YAML scalar for `s`: plain where that reads back as the same string, else
/// double-quoted.
fn yaml_str(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && s.trim() == s
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c) || c.is_ascii_digit())
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains(['\n', '\r', '\t', '"', '\\'])
        && !s.ends_with(':')
        && !s.contains(['[', ']', '{', '}', ','])
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true"
                | "false"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "null"
                | "~"
                | "y"
                | "n"
                | ".nan"
                | ".inf"
                | "-.inf"
        )
        && s.parse::<f64>().is_err();
    if plain_ok {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_parse() {
        assert_eq!(
            parse_type("list of ref sources", None),
            Ok(FieldType::List(Box::new(FieldType::Ref("sources".into()))))
        );
        assert_eq!(
            parse_type("enum [A, B]", None),
            Ok(FieldType::Enum(vec!["A".into(), "B".into()]))
        );
        assert!(parse_type("strnig", None).is_err());
    }

    #[test]
    fn the_event_model_parses_and_round_trips() {
        let s = parse_schema("schema/event-model.yaml".into(), EVENT_MODEL_YAML);
        let s = match s {
            Ok(s) => s,
            Err(d) => panic!("{d:#?}"),
        };
        assert_eq!(s.collections.len(), 10);
        let again = parse_schema("x".into(), &schema_to_yaml(&s));
        assert_eq!(again.ok(), Some(s));
    }
}
