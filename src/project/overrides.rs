//! What a run changes of a checked suite: `--set` (and the config's `set:`) replacing
//! constants, `--rule` keeping some rules, `--as-of` taking the dataset as it stood.

use crate::check::ir::Ty;
use crate::check::Suite;
use crate::data::{Dataset, Schema, Value};
use crate::diag::{did_you_mean, Diagnostic};
use crate::syntax::ast::{ExprKind, Item};
use std::collections::BTreeMap;

/// Parse a `--set` value as a rule-language constant expression.
pub(crate) fn parse_set_value(name: &str, text: &str) -> Result<Value, Box<Diagnostic>> {
    let src = format!("const {name} = {text}\n");
    let file: std::sync::Arc<str> = format!("--set {name}").into();
    let (ast, diags) = crate::syntax::parse(file, &src);
    let bad = || {
        Box::new(
            Diagnostic::error("A0004", format!("invalid value for `--set {name}`"))
                .expected("a literal: a number, a string in quotes, a date like @2026-01-07, a duration like `20 years`")
                .found(format!("`{text}`")),
        )
    };
    if diags.iter().any(|d| d.is_error()) {
        return Err(bad());
    }
    let Some(Item::Const(c)) = ast.items.first() else {
        return Err(bad());
    };
    let (suite, diags) = crate::check::check(std::slice::from_ref(&ast), &Schema::default());
    if diags.iter().any(|d| d.is_error()) || c.value.kind == ExprKind::List(vec![]) {
        return Err(bad());
    }
    let vals = crate::eval::eval_consts(&suite, &Dataset::default(), &BTreeMap::new());
    match vals.into_iter().next() {
        Some(v) if v != Value::Null => Ok(v),
        _ => Err(bad()),
    }
}

/// The values that replace constants: the config's `set:` first, then `NAME=VALUE`
/// arguments, each checked against the constant's type.
pub(crate) fn overrides(
    suite: &Suite,
    configured: &BTreeMap<String, String>,
    asked: &[String],
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Value> {
    let mut overrides = BTreeMap::new();
    let mut sets: Vec<(String, String)> = configured
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for s in asked {
        match s.split_once('=') {
            Some((k, v)) => sets.push((k.trim().to_string(), v.trim().to_string())),
            None => diags.push(
                Diagnostic::error("A0004", format!("invalid `--set {s}`"))
                    .expected("NAME=VALUE")
                    .found(format!("`{s}`")),
            ),
        }
    }
    for (k, v) in sets {
        let Some(c) = suite.consts.iter().find(|c| c.name == k) else {
            let names: Vec<&str> = suite.consts.iter().map(|c| c.name.as_str()).collect();
            let mut d = Diagnostic::error("A0005", format!("the suite has no constant `{k}`"))
                .expected(if names.is_empty() {
                    "a constant of the suite".to_string()
                } else {
                    format!("one of {}", names.join(", "))
                });
            if let Some(s) = did_you_mean(&k, names.iter().copied()) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            diags.push(d);
            continue;
        };
        match parse_set_value(&k, &v) {
            Ok(val) => {
                let want = &c.expr.ty;
                let got = Ty::from_value(&val);
                if !want.comparable(&got) {
                    diags.push(
                        Diagnostic::error("A0004", format!("`--set {k}` has the wrong type"))
                            .at(c.span.clone(), format!("`{k}` is a {want}"))
                            .expected(format!("a {want}"))
                            .found(format!("a {got}")),
                    );
                } else {
                    overrides.insert(k, val);
                }
            }
            Err(d) => diags.push(*d),
        }
    }
    overrides
}

/// Keep only the rules named in `only` (all when empty); a name the suite does not
/// have is an error with a did-you-mean.
pub(crate) fn only(suite: &mut Suite, only: &[String], diags: &mut Vec<Diagnostic>) {
    if only.is_empty() {
        return;
    }
    for id in only {
        if !suite.rules.iter().any(|r| &r.info.id == id) {
            let ids: Vec<&str> = suite.rules.iter().map(|r| r.info.id.as_str()).collect();
            let mut d = Diagnostic::error("A0006", format!("no rule `{id}` in the suite"));
            let near = did_you_mean(id, ids.iter().copied()).or_else(|| {
                ids.iter()
                    .copied()
                    .find(|r| r.starts_with(id.as_str()) || r.contains(id.as_str()))
            });
            if let Some(s) = near {
                d = d.help(format!("did you mean `{s}`?"));
            }
            diags.push(d);
        }
    }
    suite.rules.retain(|r| only.contains(&r.info.id));
}

/// The `--as-of` date, if one is given and valid.
pub(crate) fn as_of(text: Option<&str>, diags: &mut Vec<Diagnostic>) -> Option<chrono::NaiveDate> {
    let t = text?;
    match chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            diags.push(
                Diagnostic::error("A0007", "invalid `--as-of` date")
                    .expected("a date like 2026-01-31")
                    .found(format!("`{t}`")),
            );
            None
        }
    }
}
