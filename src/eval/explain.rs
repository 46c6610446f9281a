//! Why a finding fired, and why an expected one did not: every binding, every
//! predicate of the rule with the values it compared and whether it held.

use super::expr::{Cx, Env, Scan};
use super::ops::{Tri, V};
use super::span_text;
use crate::check::ir::{CExpr, CKind, CRule};
use crate::data::{Dataset, Value};
use crate::diag::Sources;
use crate::plan::plan_rule;
use std::fmt::Write as _;

/// One predicate of a rule under one binding.
#[derive(Clone, Debug, PartialEq)]
pub struct PredicateTrace {
    pub text: String,
    /// The operands it compared, as `text = value`.
    pub operands: Vec<(String, String)>,
    pub result: Tri,
}

fn operands(e: &CExpr) -> Vec<&CExpr> {
    match &e.kind {
        CKind::Binary(_, a, b) => vec![a, b],
        CKind::Within { lhs, window, rhs } => vec![lhs, window, rhs],
        CKind::Missing { expr, .. } | CKind::Matches(expr, _) => vec![expr],
        CKind::Unary(_, x) => operands(x),
        _ => vec![],
    }
}

/// Evaluate every conjunct of `rule` with its variables bound as in `env`.
pub fn trace<'d>(
    rule: &CRule,
    ds: &'d Dataset,
    consts: &[Value],
    sources: &Sources,
    env: &mut Env<'d>,
) -> Vec<PredicateTrace> {
    let plan = plan_rule(rule);
    let cx = Cx {
        ds,
        consts,
        access: &Scan,
    };
    plan.conjuncts
        .iter()
        .map(|c| PredicateTrace {
            text: span_text(sources, &c.span),
            operands: operands(c)
                .into_iter()
                .filter(|o| !matches!(o.kind, CKind::Lit(_)))
                .map(|o| (span_text(sources, &o.span), cx.eval(o, env).display()))
                .collect(),
            result: cx.truth(c, env),
        })
        .collect()
}

/// Bind the rule's variables to records given as `var=id` and explain the outcome:
/// for a finding, every predicate; for a binding that did not fire, the first
/// predicate that failed. Unknown variables or ids give an error message.
pub fn explain_binding(
    rule: &CRule,
    ds: &Dataset,
    consts: &[Value],
    sources: &Sources,
    bind: &[(String, String)],
) -> Result<String, String> {
    let mut env: Env = vec![V::Missing; rule.vars.len()];
    let mut out = String::new();
    let _ = writeln!(out, "rule {}", rule.info.id);
    for (v, _) in bind {
        if !rule.bindings.iter().any(|b| &rule.vars[b.var].name == v) {
            let names: Vec<&str> = rule
                .bindings
                .iter()
                .map(|b| rule.vars[b.var].name.as_str())
                .collect();
            return Err(format!(
                "rule `{}` binds no `{v}` (it binds {})",
                rule.info.id,
                names.join(", ")
            ));
        }
    }
    let unbound: Vec<usize> = rule
        .bindings
        .iter()
        .enumerate()
        .filter(|(_, b)| !bind.iter().any(|(v, _)| *v == rule.vars[b.var].name))
        .map(|(i, _)| i)
        .collect();
    if !unbound.is_empty() {
        return nearest(rule, ds, consts, sources, bind, &unbound);
    }
    for b in &rule.bindings {
        let name = &rule.vars[b.var].name;
        let Some((_, id)) = bind.iter().find(|(v, _)| v == name) else {
            return Err(format!("give a record for `{name}` (`--bind {name}=ID`)"));
        };
        let coll = match &b.source {
            crate::check::ir::CSource::Collection(c) => c.clone(),
            crate::check::ir::CSource::List { deref: Some(c), .. } => c.clone(),
            _ => {
                return Err(format!(
                    "`{name}` ranges over a list of values, not records"
                ))
            }
        };
        let Some((cname, c)) = ds.collections.get_key_value(&coll) else {
            return Err(format!("the dataset has no collection `{coll}`"));
        };
        let Some(r) = c.get(id) else {
            let ids: Vec<&str> = c.records.iter().map(|r| &*r.id).collect();
            let hint = crate::diag::suggest::did_you_mean(id, ids)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(format!("no record `{id}` in `{coll}`{hint}"));
        };
        env[b.var] = V::Rec(r, cname);
        let _ = writeln!(out, "  {name} = {coll}/{id} ({})", r.span);
    }
    let traces = trace(rule, ds, consts, sources, &mut env);
    let mut verdict = Tri::True;
    for t in &traces {
        verdict = verdict.and(t.result);
    }
    let _ = writeln!(
        out,
        "{}",
        match verdict {
            Tri::True => "fires (certain): every predicate holds",
            Tri::Unknown => "fires (possible): no predicate fails, some are unknown",
            Tri::False => "does not fire",
        }
    );
    let mut first_failure = true;
    for t in &traces {
        let mark = match t.result {
            Tri::True => "holds  ",
            Tri::Unknown => "unknown",
            Tri::False => "FAILS  ",
        };
        let _ = writeln!(out, "  [{mark}] {}", t.text);
        for (text, val) in &t.operands {
            let _ = writeln!(out, "              {text} = {val}");
        }
        if t.result == Tri::False && first_failure {
            let _ = writeln!(out, "              ^ the first predicate that fails");
            first_failure = false;
        }
    }
    Ok(out)
}

/// The combinations of records for the variables not given that come nearest to
/// firing: fewest failing predicates, then fewest unknown ones.
fn nearest(
    rule: &CRule,
    ds: &Dataset,
    consts: &[Value],
    sources: &Sources,
    bind: &[(String, String)],
    unbound: &[usize],
) -> Result<String, String> {
    const LIMIT: usize = 100_000;
    // given variables first, as records
    let mut given: Vec<(usize, V)> = Vec::new();
    for b in &rule.bindings {
        let name = &rule.vars[b.var].name;
        if let Some((_, id)) = bind.iter().find(|(v, _)| v == name) {
            let coll = match &b.source {
                crate::check::ir::CSource::Collection(c) => c,
                crate::check::ir::CSource::List { deref: Some(c), .. } => c,
                _ => {
                    return Err(format!(
                        "`{name}` ranges over a list of values, not records"
                    ))
                }
            };
            let Some((cname, c)) = ds.collections.get_key_value(coll) else {
                return Err(format!("the dataset has no collection `{coll}`"));
            };
            let Some(r) = c.get(id) else {
                return Err(format!("no record `{id}` in `{coll}`"));
            };
            given.push((b.var, V::Rec(r, cname)));
        }
    }
    let cx = Cx {
        ds,
        consts,
        access: &Scan,
    };
    let mut env: Env = vec![V::Missing; rule.vars.len()];
    for (v, val) in &given {
        env[*v] = val.clone();
    }
    // every combination of the unbound variables, in binding order, up to LIMIT
    let mut combos: Vec<Vec<V>> = vec![Vec::new()];
    for &i in unbound {
        let b = &rule.bindings[i];
        let mut next = Vec::new();
        for c in &combos {
            for (k, v) in c.iter().enumerate() {
                env[rule.bindings[unbound[k]].var] = v.clone();
            }
            for el in cx.elements(&b.source, &mut env, None).unwrap_or_default() {
                if next.len() >= LIMIT {
                    break;
                }
                let mut c2 = c.clone();
                c2.push(el);
                next.push(c2);
            }
        }
        combos = next;
    }
    let mut scored: Vec<(usize, usize, Vec<PredicateTrace>, Vec<V>)> = Vec::new();
    for c in combos {
        for (k, v) in c.iter().enumerate() {
            env[rule.bindings[unbound[k]].var] = v.clone();
        }
        let traces = trace(rule, ds, consts, sources, &mut env);
        let fails = traces.iter().filter(|t| t.result == Tri::False).count();
        let unknown = traces.iter().filter(|t| t.result == Tri::Unknown).count();
        scored.push((fails, unknown, traces, c));
    }
    scored.sort_by_key(|(f, u, _, _)| (*f, *u));
    let mut out = format!("rule {}\n", rule.info.id);
    for (v, val) in &given {
        if let V::Rec(r, c) = val {
            let _ = writeln!(out, "  {} = {c}/{} ({})", rule.vars[*v].name, r.id, r.span);
        }
    }
    let names: Vec<&str> = unbound
        .iter()
        .map(|&i| rule.vars[rule.bindings[i].var].name.as_str())
        .collect();
    if scored.is_empty() {
        let _ = writeln!(out, "no records to try for {}", names.join(", "));
        return Ok(out);
    }
    let _ = writeln!(out, "the nearest candidates for {}:", names.join(", "));
    for (fails, unknown, traces, c) in scored.iter().take(3) {
        let who: Vec<String> = c
            .iter()
            .map(|v| match v {
                V::Rec(r, coll) => format!("{coll}/{} ({})", r.id, r.span),
                other => other.display(),
            })
            .collect();
        let verdict = match (fails, unknown) {
            (0, 0) => "fires (certain)".to_string(),
            (0, _) => "fires (possible)".to_string(),
            (f, _) => format!(
                "{f} predicate{} fail{}",
                if *f == 1 { "" } else { "s" },
                if *f == 1 { "s" } else { "" }
            ),
        };
        let _ = writeln!(out, "  {}: {verdict}", who.join(", "));
        for t in traces.iter().filter(|t| t.result != Tri::True) {
            let mark = if t.result == Tri::False {
                "FAILS  "
            } else {
                "unknown"
            };
            let _ = writeln!(out, "    [{mark}] {}", t.text);
            for (text, val) in &t.operands {
                let _ = writeln!(out, "                {text} = {val}");
            }
        }
    }
    Ok(out)
}
