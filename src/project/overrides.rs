//! What a run changes of a checked suite: `--set` (and the config's `set:`) replacing
//! constants, `--rule` keeping some rules, `--as-of` taking the dataset as it stood.

use super::config::Setting;
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
    if let Some(e) = diags.iter().find(|d| d.is_error()) {
        let mut d = bad();
        // what the parser said of a number or duration, such as the longest there is
        if !["P0005", "P0006"].contains(&e.code.as_str()) {
            return Err(d);
        }
        let why = match &e.expected {
            Some(x) => format!("{}: expected {x}", e.message),
            None => e.message.clone(),
        };
        d.help = Some(why);
        return Err(d);
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
/// arguments, each checked against the constant's type. A problem with an entry of
/// the config is located at its name or value in `factlint.yaml`.
pub(crate) fn overrides(
    suite: &Suite,
    configured: &[Setting],
    asked: &[String],
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Value> {
    let mut overrides = BTreeMap::new();
    // name, value, and the config's entry it came from
    let mut sets: Vec<(String, String, Option<&Setting>)> = configured
        .iter()
        .map(|s| (s.name.clone(), s.value.clone(), Some(s)))
        .collect();
    for s in asked {
        match s.split_once('=') {
            Some((k, v)) => sets.push((k.trim().to_string(), v.trim().to_string(), None)),
            None => diags.push(
                Diagnostic::error("A0004", format!("invalid `--set {s}`"))
                    .expected("NAME=VALUE")
                    .found(format!("`{s}`")),
            ),
        }
    }
    for (k, v, at) in sets {
        let Some(c) = suite.consts.iter().find(|c| c.name == k) else {
            let names: Vec<&str> = suite.consts.iter().map(|c| c.name.as_str()).collect();
            let mut d = Diagnostic::error("A0005", format!("the suite has no constant `{k}`"));
            if let Some(s) = at {
                d = d.at(s.name_span.clone(), "no such constant");
            }
            d = d.expected(if names.is_empty() {
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
        let what = match at {
            Some(_) => format!("`{k}` in `set:`"),
            None => format!("`--set {k}`"),
        };
        match parse_set_value(&k, &v) {
            Ok(val) => {
                let want = &c.expr.ty;
                let got = Ty::from_value(&val);
                if !want.comparable(&got) {
                    let d = Diagnostic::error("A0004", format!("{what} has the wrong type"));
                    let d = match &at {
                        Some(s) => d
                            .at(s.value_span.clone(), format!("a {got}"))
                            .also(c.span.clone(), format!("`{k}` is a {want}")),
                        None => d.at(c.span.clone(), format!("`{k}` is a {want}")),
                    };
                    diags.push(d.expected(format!("a {want}")).found(format!("a {got}")));
                } else {
                    overrides.insert(k, val);
                }
            }
            Err(d) => {
                let mut d = *d;
                if let Some(s) = at {
                    d.message = format!("invalid value for {what}");
                    d = d.at(s.value_span.clone(), "not a literal");
                    // a word where a string was meant: YAML took the quotes
                    let word = v.chars().next().is_some_and(char::is_alphabetic);
                    if word && !v.contains('"') && d.help.is_none() {
                        d = d.help(format!(
                            "a string needs the rule language's quotes inside YAML's: `{k}: '\"{v}\"'`"
                        ));
                    }
                }
                diags.push(d)
            }
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
    suite.keep(|r| only.contains(&r.info.id));
}

/// Keep only the rules with one of `tags` (all when empty); a tag no rule has is an
/// error with a did-you-mean.
pub(crate) fn tagged(suite: &mut Suite, tags: &[String], diags: &mut Vec<Diagnostic>) {
    if tags.is_empty() {
        return;
    }
    let mut known: Vec<&str> = suite
        .rules
        .iter()
        .flat_map(|r| r.info.tags.iter().map(String::as_str))
        .collect();
    known.sort_unstable();
    known.dedup();
    for t in tags {
        if !known.contains(&t.as_str()) {
            let mut d = Diagnostic::error("A0017", format!("no rule has the tag `{t}`"));
            d = match did_you_mean(t, known.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!("the tags are: {}", known.join(", "))),
            };
            diags.push(d);
        }
    }
    suite.keep(|r| r.info.tags.iter().any(|t| tags.contains(t)));
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
