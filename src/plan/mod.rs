//! Lowering a checked rule to a join plan: the condition split into conjuncts, each
//! conjunct placed at the first binding where all its variables are bound, filters
//! pushed down to their collection, and an access path per binding (hash index on
//! an equality or membership, sorted index on a date window) so that no rule loops
//! over every combination where a join key exists. Knows no data.

use crate::check::ir::{conjuncts, CAggregate, CExpr, CKind, CRule, CSource, VarId};
use crate::syntax::ast::BinaryOp;
use std::fmt;

/// How a binding finds its candidate records.
#[derive(Clone, Debug)]
pub enum Access {
    /// Every (pre-filtered) record, or every element of a list.
    Scan,
    /// `x.field == key`: a hash index on `field`, probed with `key`.
    HashEq { field: String, key: CExpr },
    /// `x.field in list`: the hash index probed with each element of `list`.
    HashIn { field: String, list: CExpr },
    /// A date comparison between `x.field` and `other`: a sorted index on `field`.
    Window {
        field: String,
        shape: WindowShape,
        other: CExpr,
        window: Option<CExpr>,
    },
}

/// Which part of the time line a candidate may occupy relative to the probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowShape {
    /// The candidate starts no later than the probe ends (strictly before it ends
    /// for `before` and `<`).
    NotAfter { strict: bool },
    /// The candidate ends no earlier than the probe starts (strictly after it starts
    /// for `after` and `>`).
    NotBefore { strict: bool },
    /// The candidate overlaps the probe.
    Overlaps,
    /// The candidate overlaps the probe widened by the window on both sides.
    Within,
}

#[derive(Clone, Debug)]
pub struct Level {
    /// Index into the rule's bindings.
    pub binding: usize,
    /// Conjuncts that mention only this binding: evaluated once per record, before the join.
    pub prefilter: Vec<usize>,
    pub access: Access,
    /// Index of the conjunct that gave the access path, if any.
    pub access_conjunct: Option<usize>,
    /// Other access paths, tried in order when the first cannot narrow the candidates
    /// for a binding (its probe value is missing, say).
    pub fallbacks: Vec<Access>,
    /// Conjuncts that become fully bound at this level.
    pub checks: Vec<usize>,
}

/// An aggregate over a collection whose filter has `x.field == key` or `x.field in key`.
#[derive(Clone, Debug)]
pub struct AggPlan {
    pub var: VarId,
    pub collection: String,
    pub field: String,
    pub key: CExpr,
    /// `x.field in key` rather than `x.field == key`: probe with each element.
    pub membership: bool,
    /// Whether the result depends on the binding only through `key`, so it can be
    /// computed once per key value.
    pub memoizable: bool,
}

#[derive(Clone, Debug)]
pub struct RulePlan {
    /// The rule's condition split at top-level `and`.
    pub conjuncts: Vec<CExpr>,
    /// Conjuncts that mention no binding: evaluated once.
    pub constant: Vec<usize>,
    pub levels: Vec<Level>,
    pub aggregates: Vec<AggPlan>,
}

/// The binding levels an expression mentions, as a bit set.
fn level_mask(e: &CExpr, level_of: &[Option<usize>]) -> u64 {
    let mut m = 0u64;
    for v in e.vars() {
        if let Some(Some(l)) = level_of.get(v) {
            m |= 1 << l;
        }
    }
    m
}

/// `x.field` (or `x` itself, meaning its id) for the variable `var`.
fn field_of(e: &CExpr, var: VarId) -> Option<String> {
    match &e.kind {
        CKind::Var(v) if *v == var => Some("id".to_string()),
        CKind::Field {
            base,
            name,
            deref: None,
        } => match base.kind {
            CKind::Var(v) if v == var => Some(name.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// The access path a conjunct offers for `var`, if its other side does not need `var`.
fn access_for(c: &CExpr, var: VarId, independent: &dyn Fn(&CExpr) -> bool) -> Option<Access> {
    use BinaryOp::*;
    match &c.kind {
        CKind::Binary(op, a, b) => {
            let pair = |x: &CExpr, y: &CExpr| field_of(x, var).filter(|_| independent(y));
            match op {
                Eq => {
                    if let Some(f) = pair(a, b) {
                        return Some(Access::HashEq {
                            field: f,
                            key: (**b).clone(),
                        });
                    }
                    pair(b, a).map(|f| Access::HashEq {
                        field: f,
                        key: (**a).clone(),
                    })
                }
                In => pair(a, b).map(|f| Access::HashIn {
                    field: f,
                    list: (**b).clone(),
                }),
                Contains => pair(b, a).map(|f| Access::HashIn {
                    field: f,
                    list: (**a).clone(),
                }),
                Before | Lt | Le | After | Gt | Ge | During => {
                    let (f, other, x_left) = if let Some(f) = pair(a, b) {
                        (f, b, true)
                    } else if let Some(f) = pair(b, a) {
                        (f, a, false)
                    } else {
                        return None;
                    };
                    if a.ty != crate::check::Ty::Date && b.ty != crate::check::Ty::Date {
                        return None;
                    }
                    let x_first_earlier = matches!(op, Before | Lt | Le);
                    let strict = matches!(op, Before | After | Lt | Gt);
                    let shape = match op {
                        During => WindowShape::Overlaps,
                        _ if x_first_earlier == x_left => WindowShape::NotAfter { strict },
                        _ => WindowShape::NotBefore { strict },
                    };
                    Some(Access::Window {
                        field: f,
                        shape,
                        other: (**other).clone(),
                        window: None,
                    })
                }
                _ => None,
            }
        }
        CKind::Within { lhs, window, rhs } => {
            if !independent(window) {
                return None;
            }
            let (f, other) = if let Some(f) = field_of(lhs, var).filter(|_| independent(rhs)) {
                (f, rhs)
            } else if let Some(f) = field_of(rhs, var).filter(|_| independent(lhs)) {
                (f, lhs)
            } else {
                return None;
            };
            Some(Access::Window {
                field: f,
                shape: WindowShape::Within,
                other: (**other).clone(),
                window: Some((**window).clone()),
            })
        }
        _ => None,
    }
}

fn rank(a: &Access) -> u8 {
    match a {
        Access::HashEq { .. } => 0,
        Access::HashIn { .. } => 1,
        Access::Window { .. } => 2,
        Access::Scan => 3,
    }
}

/// Plan one rule.
pub fn plan_rule(rule: &CRule) -> RulePlan {
    let mut cs = Vec::new();
    if let Some(c) = &rule.condition {
        conjuncts(c, &mut cs);
    }
    let mut level_of: Vec<Option<usize>> = vec![None; rule.vars.len()];
    for (l, b) in rule.bindings.iter().enumerate() {
        if let Some(slot) = level_of.get_mut(b.var) {
            *slot = Some(l);
        }
    }
    let masks: Vec<u64> = cs.iter().map(|c| level_mask(c, &level_of)).collect();
    let constant: Vec<usize> = (0..cs.len()).filter(|&i| masks[i] == 0).collect();
    let mut levels = Vec::new();
    for (l, b) in rule.bindings.iter().enumerate() {
        let bit = 1u64 << l;
        let top = |m: u64| m != 0 && (63 - m.leading_zeros() as usize) == l;
        let is_coll = matches!(b.source, CSource::Collection(_));
        // a list source depends on earlier bindings, so nothing can be pushed below it
        let prefilter: Vec<usize> = if is_coll {
            (0..cs.len()).filter(|&i| masks[i] == bit).collect()
        } else {
            Vec::new()
        };
        let mut checks: Vec<usize> = (0..cs.len())
            .filter(|&i| top(masks[i]) && !prefilter.contains(&i))
            .collect();
        let mut paths: Vec<(usize, Access)> = Vec::new();
        if is_coll {
            let earlier = bit - 1;
            let level_of = &level_of;
            let independent = |e: &CExpr| level_mask(e, level_of) & !earlier == 0;
            for &i in &checks {
                if let Some(a) = access_for(&cs[i], b.var, &independent) {
                    paths.push((i, a));
                }
            }
        }
        // the best path first (stable: in condition order within a rank)
        paths.sort_by_key(|(_, a)| rank(a));
        let mut paths = paths.into_iter();
        let (access_conjunct, access) = match paths.next() {
            Some((i, a)) => (Some(i), a),
            None => (None, Access::Scan),
        };
        let fallbacks: Vec<Access> = paths.map(|(_, a)| a).collect();
        checks.sort_unstable();
        levels.push(Level {
            binding: l,
            prefilter,
            access,
            access_conjunct,
            fallbacks,
            checks,
        });
    }
    let mut aggregates = Vec::new();
    let mut visit = |e: &CExpr| {
        e.walk(&mut |x| {
            if let CKind::Aggregate(a) = &x.kind {
                if let Some(p) = plan_aggregate(a) {
                    if !aggregates.iter().any(|q: &AggPlan| q.var == p.var) {
                        aggregates.push(p);
                    }
                }
            }
        })
    };
    for c in &cs {
        visit(c);
    }
    for p in &rule.message {
        if let crate::check::ir::CMessagePart::Expr(e) = p {
            visit(e);
        }
    }
    RulePlan {
        conjuncts: cs,
        constant,
        levels,
        aggregates,
    }
}

fn plan_aggregate(a: &CAggregate) -> Option<AggPlan> {
    let CSource::Collection(coll) = &a.source else {
        return None;
    };
    let mut fs = Vec::new();
    conjuncts(a.filter.as_ref()?, &mut fs);
    let independent = |e: &CExpr| !e.vars().contains(&a.var);
    // equality first: it narrows to one key
    let mut found: Vec<(usize, String, CExpr, bool)> = fs
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match access_for(f, a.var, &independent)? {
            Access::HashEq { field, key } => Some((i, field, key, false)),
            Access::HashIn { field, list } => Some((i, field, list, true)),
            _ => None,
        })
        .collect();
    found.sort_by_key(|x| x.3);
    if let Some((i, field, key, membership)) = found.into_iter().next() {
        {
            // the variables the rest of the aggregate reads must all be its own (its
            // variable, or those of aggregates nested in it)
            let mut local = vec![a.var];
            let mut read = Vec::new();
            let rest = fs
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, e)| e);
            for e in rest.chain(a.value.iter()) {
                e.walk(&mut |x| match &x.kind {
                    CKind::Aggregate(inner) => local.push(inner.var),
                    CKind::Var(v) => read.push(*v),
                    _ => {}
                });
            }
            let memoizable = read.iter().all(|v| local.contains(v));
            return Some(AggPlan {
                var: a.var,
                collection: coll.clone(),
                field,
                key,
                membership,
                memoizable,
            });
        }
    }
    None
}

fn describe(a: &Access) -> String {
    match a {
        Access::Scan => "scan".to_string(),
        Access::HashEq { field, .. } => format!("hash index on `{field}` (equality)"),
        Access::HashIn { field, .. } => format!("hash index on `{field}` (membership)"),
        Access::Window { field, shape, .. } => format!("sorted index on `{field}` ({shape:?})"),
    }
}

impl fmt::Display for RulePlan {
    /// A readable plan, for `factlint explain --rule ID --plan` and tests.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.levels {
            write!(f, "binding {}: {}", l.binding, describe(&l.access))?;
            for fb in &l.fallbacks {
                write!(f, ", else {}", describe(fb))?;
            }
            writeln!(
                f,
                "; {} pushed-down filter(s), {} check(s)",
                l.prefilter.len(),
                l.checks.len()
            )?;
        }
        for a in &self.aggregates {
            writeln!(
                f,
                "aggregate over `{}`: hash index on `{}` ({}){}",
                a.collection,
                a.field,
                if a.membership {
                    "membership"
                } else {
                    "equality"
                },
                if a.memoizable {
                    ", computed once per key"
                } else {
                    ""
                }
            )?;
        }
        Ok(())
    }
}
