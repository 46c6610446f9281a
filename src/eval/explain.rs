//! Why a finding fired, and why an expected one did not: every binding, every
//! predicate of the rule with the values it compared and whether it held.

use super::expr::{Cx, Env, Scan};
use super::ops::{Tri, V};
use super::span_text;
use crate::check::ir::{CExpr, CKind, CRule};
use crate::data::{Dataset, Value};
use crate::plan::plan_rule;
use crate::report::Sources;
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
            let hint = crate::data::suggest::did_you_mean(id, ids)
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
