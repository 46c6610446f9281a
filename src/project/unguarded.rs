//! Warnings that need both the checked suite and the data: a condition that reads an
//! optional field with no guard, where the data lacks that field in many records. Each
//! such record turns a would-be certain finding into a possible one, so the warning
//! says how many and how to say what the absence means.

use crate::check::ir::{conjuncts, CAggregate, CExpr, CKind, CRule, CSource, Ty};
use crate::check::Suite;
use crate::data::{Dataset, Value};
use crate::diag::{Diagnostic, Span};
use crate::eval::expr::{BoundedScan, Budget, Cx, Env};
use crate::eval::ops::{Tri, V};
use crate::syntax::ast::BinaryOp;
use std::collections::{BTreeMap, BTreeSet};

/// Warn (`C0023`) when at least this share of a collection's records lack a field a
/// condition reads without a guard.
const SHARE: f64 = 0.05;

/// A field read `var.name` where `var` is a record of `collection`, with the conditions
/// on `var` alone that decide which of its records matter (a record for which one of
/// them is false never reaches the read).
type Read = (usize, String, String, Span, Vec<CExpr>);

/// A field a rule reads without a guard, and the data often lacks: the warning to give
/// if the run shows it mattered (some finding of the rule is possible because of it).
#[derive(Clone, Debug)]
pub struct Unguarded {
    pub rule: String,
    /// `a.consent`, as `undecided` entries of findings name it.
    pub path: String,
    pub warning: Diagnostic,
}

impl Unguarded {
    /// The warning, with how many findings of the rule the field left possible, if any.
    pub fn confirm(&self, report: &crate::eval::Report) -> Option<Diagnostic> {
        let needle = format!("`{}` is missing", self.path);
        let n = report
            .findings
            .iter()
            .filter(|f| f.rule == self.rule && f.undecided.iter().any(|u| u.starts_with(&needle)))
            .count();
        if n == 0 {
            return None;
        }
        let mut d = self.warning.clone();
        d.message = format!(
            "{}: {n} finding{} of rule `{}` {} possible for it",
            d.message,
            if n == 1 { "" } else { "s" },
            self.rule,
            if n == 1 { "is" } else { "are" }
        );
        Some(d)
    }
}

/// The candidates for every rule of the suite: fields read without a guard that the
/// data lacks in at least `SHARE` of the records that may reach the read.
pub fn candidates(
    suite: &Suite,
    ds: &Dataset,
    overrides: &BTreeMap<String, Value>,
    limits: &crate::eval::Limits,
) -> Vec<Unguarded> {
    let consts = crate::eval::eval_consts(suite, ds, overrides);
    let mut out = Vec::new();
    'rules: for rule in &suite.rules {
        // the conditions may nest quantifiers: within the rule's work budget, or no
        // warning for it (the run says when the rule itself passes the budget)
        let budget = Budget::new(limits.max_work);
        let access = BoundedScan(&budget);
        let cx = Cx {
            ds,
            consts: &consts,
            access: &access,
        };
        let Some(cond) = &rule.condition else {
            continue;
        };
        let mut reads: Vec<Read> = Vec::new();
        let mut guarded: BTreeSet<(usize, String)> = BTreeSet::new();
        walk(rule, cond, &conjuncts_of(cond), &mut reads, &mut guarded);
        let mut seen: BTreeSet<(usize, String)> = BTreeSet::new();
        for (var, coll, field, span, scope) in reads {
            if guarded.contains(&(var, field.clone())) || !seen.insert((var, field.clone())) {
                continue;
            }
            if ds.schema.field(&coll, &field).is_some_and(|f| f.required) {
                continue;
            }
            let Some(c) = ds.collection(&coll) else {
                continue;
            };
            // the records that may reach the read: no condition on the variable alone
            // is false for them
            let mut env: Env<'_> = vec![V::Missing; rule.vars.len()];
            let mut total = 0;
            let mut missing = 0;
            for r in &c.records {
                env[var] = V::Rec(r, &c.name);
                let outside = scope.iter().any(|e| cx.truth(e, &mut env) == Tri::False);
                if !cx.spend(1) {
                    continue 'rules;
                }
                if outside {
                    continue;
                }
                total += 1;
                if matches!(r.get(&field), None | Some(Value::Null)) {
                    missing += 1;
                }
            }
            if total == 0 || missing == 0 || (missing as f64) < SHARE * total as f64 {
                continue;
            }
            let name = &rule.vars[var].name;
            out.push(Unguarded {
                rule: rule.info.id.clone(),
                path: format!("{name}.{field}"),
                warning: Diagnostic::warning(
                    "C0023",
                    format!("`{name}.{field}` is missing in {missing} of {total} {coll}"),
                )
                .at(span, format!("read without a guard in rule `{}`", rule.info.id))
                .expected(format!("a guard for `{name}.{field}`, which the data often lacks"))
                .found(format!("`{name}.{field}` read as it is"))
                .help(format!(
                    "guard it with `{name}.{field} is present`, or give the value its absence means with `{name}.{field} ?? ...`"
                )),
            });
        }
    }
    out
}

/// The top-level conjuncts of a condition.
fn conjuncts_of(e: &CExpr) -> Vec<CExpr> {
    let mut out = Vec::new();
    conjuncts(e, &mut out);
    out
}

fn walk(
    rule: &CRule,
    e: &CExpr,
    scope: &[CExpr],
    reads: &mut Vec<Read>,
    guarded: &mut BTreeSet<(usize, String)>,
) {
    match &e.kind {
        CKind::Field { base, name, .. } => {
            if let CKind::Var(v) = &base.kind {
                if let Some(Ty::Record(coll)) = rule.vars.get(*v).map(|x| &x.ty) {
                    let alone: Vec<CExpr> = scope
                        .iter()
                        .filter(|c| c.vars().iter().all(|x| x == v))
                        .cloned()
                        .collect();
                    reads.push((*v, coll.clone(), name.to_string(), e.span.clone(), alone));
                }
            }
            walk(rule, base, scope, reads, guarded);
        }
        CKind::Missing { expr, .. } => {
            if let Some(k) = field_of(expr) {
                guarded.insert(k);
            }
            walk(rule, expr, scope, reads, guarded);
        }
        CKind::Binary(BinaryOp::Coalesce, l, r) => {
            if let Some(k) = field_of(l) {
                guarded.insert(k);
            }
            walk(rule, l, scope, reads, guarded);
            walk(rule, r, scope, reads, guarded);
        }
        CKind::Binary(_, l, r) => {
            walk(rule, l, scope, reads, guarded);
            walk(rule, r, scope, reads, guarded);
        }
        CKind::Unary(_, x) | CKind::Matches(x, _) => walk(rule, x, scope, reads, guarded),
        CKind::Within { lhs, window, rhs } => {
            for x in [lhs, window, rhs] {
                walk(rule, x, scope, reads, guarded);
            }
        }
        CKind::Call(_, args) | CKind::List(args) => {
            for x in args {
                walk(rule, x, scope, reads, guarded);
            }
        }
        CKind::Aggregate(a) => {
            let CAggregate {
                source,
                filter,
                value,
                ..
            } = &**a;
            if let CSource::List { expr, .. } = source {
                walk(rule, expr, scope, reads, guarded);
            }
            // inside, the aggregate's own filter decides which records matter
            // (the outer conditions still hold for the outer variables)
            let mut inner = scope.to_vec();
            inner.extend(filter.as_ref().map(conjuncts_of).unwrap_or_default());
            for x in [filter, value].into_iter().flatten() {
                walk(rule, x, &inner, reads, guarded);
            }
        }
        CKind::Lit(_) | CKind::Var(_) | CKind::Const(_) => {}
    }
}

/// `var.field` of an expression that is one.
fn field_of(e: &CExpr) -> Option<(usize, String)> {
    match &e.kind {
        CKind::Field { base, name, .. } => match &base.kind {
            CKind::Var(v) => Some((*v, name.to_string())),
            _ => None,
        },
        _ => None,
    }
}
