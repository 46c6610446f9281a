//! Completion: what may be written at the cursor. The text before the cursor says the
//! context, so that a half-written rule (which does not parse yet) still completes:
//! after `in`, the collections; after `x.`, the fields of the collection `x` is bound
//! to (following references: `a.actor.`); after `==` on an enum field, its values;
//! elsewhere keywords, builtins, the suite's consts and defs, and a rule snippet.

use super::{Doc, Workspace};
use crate::data::schema::{FieldType, Schema};
use crate::syntax::ast::{self, Item};
use lsp_types as lsp;

fn item(
    label: String,
    kind: lsp::CompletionItemKind,
    detail: Option<String>,
) -> lsp::CompletionItem {
    lsp::CompletionItem {
        label,
        kind: Some(kind),
        detail,
        ..Default::default()
    }
}

/// A name as the language writes it: bare when it is an identifier, else quoted.
fn written(name: &str) -> String {
    let ident = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ident && !crate::syntax::keywords().contains(&name) {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// The variables bound before the cursor in the rule around it, and their sources'
/// text: `for a in actions, p in principles` and aggregates' `x in C`.
fn bound(before: &str) -> Vec<(String, String)> {
    let start = ["rule ", "def ", "const "]
        .iter()
        .filter_map(|k| before.rfind(k))
        .max()
        .unwrap_or(0);
    let text = &before[start..];
    let mut out = Vec::new();
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == '{')
        .filter(|w| !w.is_empty())
        .collect();
    for w in words.windows(3) {
        if w[1] == "in" && w[0].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push((
                w[0].to_string(),
                w[2].trim_end_matches([')', '}']).to_string(),
            ));
        }
    }
    out
}

/// The collection a chain like `a`, `a.actor` or a source like `actions` or
/// `"gdelt-events"` names, given the variables bound.
fn chain_collection(
    chain: &str,
    vars: &[(String, String)],
    schema: &Schema,
    depth: usize,
) -> Option<String> {
    if depth > 8 {
        return None;
    }
    let chain = chain.trim();
    let unquoted = chain.trim_matches('"');
    if schema.collection(unquoted).is_some()
        && (chain.starts_with('"') || !chain.contains('.'))
        && !vars.iter().any(|(v, _)| v == chain)
    {
        return Some(unquoted.to_string());
    }
    let (head, field) = match chain.rsplit_once('.') {
        Some((h, f)) => (h, Some(f.trim_matches('"'))),
        None => (chain, None),
    };
    let base = match field {
        None => {
            let (_, src) = vars.iter().rev().find(|(v, _)| v == head)?;
            return chain_collection(
                src,
                &vars[..vars.len().saturating_sub(1)],
                schema,
                depth + 1,
            )
            .or_else(|| chain_collection(src, &[], schema, depth + 1));
        }
        Some(_) => chain_collection(head, vars, schema, depth + 1)?,
    };
    match &schema.field(&base, field?)?.ty {
        FieldType::Ref(t) => Some(t.clone()),
        FieldType::List(inner) => match &**inner {
            FieldType::Ref(t) => Some(t.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The chain of names ending at the end of `line` (`a.actor`), if any.
fn trailing_chain(line: &str) -> &str {
    let mut start = line.len();
    let mut in_quote = false;
    for (i, c) in line.char_indices().rev() {
        if c == '"' {
            in_quote = !in_quote;
        } else if !(in_quote || c.is_ascii_alphanumeric() || c == '_' || c == '.') {
            break;
        }
        start = i;
    }
    &line[start..]
}

pub fn complete(
    doc: &Doc,
    at: usize,
    ws: Option<&Workspace>,
    files: &[&ast::File],
) -> Vec<lsp::CompletionItem> {
    let before = &doc.text.text[..at.min(doc.text.text.len())];
    let line = doc.text.line_before(at);
    let Some(ws) = ws else {
        return Vec::new();
    };
    let schema = &ws.schema;
    let vars = bound(before);
    // `x.` or `x.fie`: the fields of x's collection
    let chain = trailing_chain(line);
    if let Some((head, _partial)) = chain.rsplit_once('.') {
        if let Some(c) = chain_collection(head, &vars, schema, 0) {
            let def = match schema.collection(&c) {
                Some(d) => d,
                None => return Vec::new(),
            };
            return def
                .fields
                .values()
                .map(|f| {
                    let mut it = item(
                        written(&f.name),
                        lsp::CompletionItemKind::FIELD,
                        Some(format!(
                            "{}{}",
                            f.ty,
                            if f.required { ", required" } else { "" }
                        )),
                    );
                    it.documentation = f.doc.clone().map(lsp::Documentation::String);
                    it
                })
                .collect();
        }
    }
    let trimmed = line.trim_end();
    // after `in`: the collections
    let last_word = trimmed
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    let after_in = last_word == "in"
        || (trimmed.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '"' || c == '-')
            && trimmed
                .rsplit(|c: char| c.is_whitespace() || c == '(')
                .nth(1)
                == Some("in"));
    if after_in {
        return schema
            .collections
            .values()
            .map(|c| {
                let n = ws.counts.get(&c.name).copied().unwrap_or(0);
                item(
                    written(&c.name),
                    lsp::CompletionItemKind::CLASS,
                    Some(format!("{n} records")),
                )
            })
            .collect();
    }
    // `x.f ==` or `x.f != "`: the values of an enum field
    for op in ["==", "!="] {
        let Some(lhs) = trimmed.trim_end_matches('"').trim_end().strip_suffix(op) else {
            continue;
        };
        let chain = trailing_chain(lhs.trim_end());
        let Some((head, field)) = chain.rsplit_once('.') else {
            continue;
        };
        let Some(c) = chain_collection(head, &vars, schema, 0) else {
            continue;
        };
        if let Some(FieldType::Enum(values)) =
            schema.field(&c, field.trim_matches('"')).map(|f| &f.ty)
        {
            return values
                .iter()
                .map(|v| {
                    let mut it = item(
                        format!("\"{v}\""),
                        lsp::CompletionItemKind::ENUM_MEMBER,
                        Some(format!("a value of `{c}.{field}`")),
                    );
                    if trimmed.ends_with('"') {
                        it.insert_text = Some(format!("{v}\""));
                    }
                    it
                })
                .collect();
        }
    }
    // anything else: keywords, builtins, consts, defs, variables and a rule snippet
    let mut out: Vec<lsp::CompletionItem> = crate::syntax::keywords()
        .iter()
        .map(|k| item(k.to_string(), lsp::CompletionItemKind::KEYWORD, None))
        .collect();
    for (name, usage, ret) in crate::check::resolve::builtin_signatures() {
        out.push(item(
            name.to_string(),
            lsp::CompletionItemKind::FUNCTION,
            Some(format!("{usage} → {ret}")),
        ));
    }
    for f in files {
        for it in &f.items {
            match it {
                Item::Const(c) => out.push(item(
                    c.name.name.clone(),
                    lsp::CompletionItemKind::CONSTANT,
                    Some("const".into()),
                )),
                Item::Def(d) => {
                    let params: Vec<&str> = d.params.iter().map(|p| p.name.as_str()).collect();
                    out.push(item(
                        d.name.name.clone(),
                        lsp::CompletionItemKind::FUNCTION,
                        Some(format!("def {}({})", d.name.name, params.join(", "))),
                    ))
                }
                _ => {}
            }
        }
    }
    for (v, src) in &vars {
        out.push(item(
            v.clone(),
            lsp::CompletionItemKind::VARIABLE,
            Some(format!("in {src}")),
        ));
    }
    out.push(lsp::CompletionItem {
        label: "rule".into(),
        kind: Some(lsp::CompletionItemKind::SNIPPET),
        detail: Some("a new rule".into()),
        insert_text: Some(
            "## ${1:What the rule finds.}\nrule ${2:id} {\n  for ${3:x} in ${4:collection}\n  where $0\n}".into(),
        ),
        insert_text_format: Some(lsp::InsertTextFormat::SNIPPET),
        ..Default::default()
    });
    out
}
