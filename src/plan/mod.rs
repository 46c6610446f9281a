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
    /// `x.f1 == k1 and x.f2 == k2 ...`: one hash index over every equality of the
    /// binding (a composite key), probed with the keys; with `within` (a `Window`), each
    /// bucket is sorted by that date and only the range the window allows is taken.
    HashEq {
        keys: Vec<(String, CExpr)>,
        within: Option<Box<Access>>,
    },
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

/// An aggregate over a collection whose filter has `x.field == key` (one or more of
/// them: a composite key) or `x.field in key`.
#[derive(Clone, Debug)]
pub struct AggPlan {
    pub var: VarId,
    pub collection: String,
    /// The key fields and the expressions that give their probes (one for membership).
    pub keys: Vec<(String, CExpr)>,
    /// `x.field in key` rather than `x.field == key`: probe with each element.
    pub membership: bool,
    /// Whether the result depends on the binding only through the keys, so it is
    /// computed once per key value (a grouped aggregate; for `exists`, a semi-join).
    pub memoizable: bool,
    /// The filter's conjuncts other than the keys' (what a record without any key
    /// value is filtered by: its key comparisons are unknown whatever the key).
    pub rest: Vec<CExpr>,
    /// An `exists` (a semi-join when memoizable; under `not`, an anti-join).
    pub exists: bool,
}

#[derive(Clone, Debug)]
pub struct RulePlan {
    /// The rule's condition split at top-level `and`.
    pub conjuncts: Vec<CExpr>,
    /// Conjuncts that mention no binding: evaluated once.
    pub constant: Vec<usize>,
    pub levels: Vec<Level>,
    pub aggregates: Vec<AggPlan>,
    /// The work one evaluation of each conjunct costs (`weight`), for the budget.
    pub weights: Vec<u64>,
}

/// The work one evaluation of an expression costs against `--max-work`: its number of
/// nodes. A quantifier's or aggregate's filter and value count once here; the
/// evaluator charges them again for every element it visits.
pub fn weight(e: &CExpr) -> u64 {
    let mut n = 0u64;
    e.walk(&mut |_| n += 1);
    n
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
                            keys: vec![(f, (**b).clone())],
                            within: None,
                        });
                    }
                    pair(b, a).map(|f| Access::HashEq {
                        keys: vec![(f, (**a).clone())],
                        within: None,
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

/// With two or more equalities, or an equality and a date window: one composite path
/// first (every equality's field once, in condition order, at most
/// `MAX_KEY_FIELDS`; the first window inside each bucket), then the paths as they were,
/// tried when a probe of the composite cannot narrow (one of its keys is missing).
fn composite(paths: Vec<(usize, Access)>) -> Vec<(usize, Access)> {
    let mut keys: Vec<(String, CExpr)> = Vec::new();
    let mut first = None;
    for (i, a) in &paths {
        if let Access::HashEq { keys: k, .. } = a {
            for (f, e) in k {
                if keys.len() < MAX_KEY_FIELDS && !keys.iter().any(|(g, _)| g == f) {
                    keys.push((f.clone(), e.clone()));
                    first.get_or_insert(*i);
                }
            }
        }
    }
    let window = paths
        .iter()
        .find(|(_, a)| matches!(a, Access::Window { .. }))
        .map(|(_, a)| Box::new(a.clone()));
    let Some(first) = first else {
        return paths;
    };
    if keys.len() < 2 && window.is_none() {
        return paths;
    }
    let mut out = vec![(
        first,
        Access::HashEq {
            keys,
            within: window,
        },
    )];
    out.extend(paths);
    out
}

/// At most this many equalities make one composite key (the rest are checked).
pub const MAX_KEY_FIELDS: usize = 4;

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
        let paths = composite(paths);
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
        weights: cs.iter().map(weight).collect(),
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
    let mut eqs: Vec<(usize, String, CExpr)> = Vec::new();
    let mut ins: Vec<(usize, String, CExpr)> = Vec::new();
    for (i, f) in fs.iter().enumerate() {
        match access_for(f, a.var, &independent) {
            Some(Access::HashEq { keys, .. }) => {
                for (field, key) in keys {
                    // each field once, the first equality on it (the rest are checked)
                    if eqs.len() < MAX_KEY_FIELDS && !eqs.iter().any(|e| e.1 == field) {
                        eqs.push((i, field, key));
                    }
                }
            }
            Some(Access::HashIn { field, list }) => ins.push((i, field, list)),
            _ => {}
        }
    }
    // equalities first: together they narrow to one key
    let (used, keys, membership): (Vec<usize>, Vec<(String, CExpr)>, bool) = if !eqs.is_empty() {
        (
            eqs.iter().map(|e| e.0).collect(),
            eqs.into_iter().map(|(_, f, k)| (f, k)).collect(),
            false,
        )
    } else {
        let (i, f, l) = ins.into_iter().next()?;
        (vec![i], vec![(f, l)], true)
    };
    let rest: Vec<CExpr> = fs
        .iter()
        .enumerate()
        .filter(|(j, _)| !used.contains(j))
        .map(|(_, e)| e.clone())
        .collect();
    // the variables the rest of the aggregate reads must all be its own (its
    // variable, or those of aggregates nested in it)
    let mut local = vec![a.var];
    let mut read = Vec::new();
    for e in rest.iter().chain(a.value.iter()) {
        e.walk(&mut |x| match &x.kind {
            CKind::Aggregate(inner) => local.push(inner.var),
            CKind::Var(v) => read.push(*v),
            _ => {}
        });
    }
    let memoizable = read.iter().all(|v| local.contains(v));
    Some(AggPlan {
        var: a.var,
        collection: coll.clone(),
        keys,
        membership,
        memoizable,
        rest,
        exists: a.op == crate::syntax::ast::AggregateOp::Exists,
    })
}

fn describe(a: &Access) -> String {
    match a {
        Access::Scan => "scan".to_string(),
        Access::HashEq { keys, within } => {
            let fields: Vec<String> = keys.iter().map(|(f, _)| format!("`{f}`")).collect();
            let mut s = if keys.len() > 1 {
                format!("hash index on {} (composite key)", fields.join(", "))
            } else {
                format!("hash index on {} (equality)", fields.join(", "))
            };
            if let Some(w) = within {
                if let Access::Window { field, shape, .. } = &**w {
                    s.push_str(&format!(
                        " with a sorted range on `{field}` ({shape:?}) within each bucket"
                    ));
                }
            }
            s
        }
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
            let fields: Vec<String> = a.keys.iter().map(|(f, _)| format!("`{f}`")).collect();
            writeln!(
                f,
                "aggregate over `{}`: hash index on {} ({}){}",
                a.collection,
                fields.join(", "),
                if a.membership {
                    "membership"
                } else if a.keys.len() > 1 {
                    "composite key"
                } else {
                    "equality"
                },
                if a.memoizable && a.membership {
                    ", computed once per key"
                } else if a.memoizable && a.exists {
                    ", semi-join: decided once per key, records without a key once for all keys"
                } else if a.memoizable && !a.membership {
                    ", grouped: computed once per key, records without a key once for all keys"
                } else {
                    ""
                }
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The plan chosen for rules written as text and checked against the event model:
    //! which conjuncts run once, which are pushed down to one binding, which access
    //! path each binding takes (and in which order the others are tried), which
    //! aggregates get an index, and what `Display` prints.

    use super::*;
    use crate::diag::Level;
    use std::fmt::Write as _;

    /// Parse and check `text` (one rule, perhaps with consts and defs before it)
    /// against the event model, and plan its last rule.
    fn plan_of(text: &str) -> (CRule, RulePlan) {
        let (file, diags) = crate::syntax::parse("t.rules".into(), text);
        assert!(diags.is_empty(), "parse: {diags:#?}");
        let (suite, diags) = crate::check::check(&[file], &crate::data::event_model());
        let errors: Vec<_> = diags.iter().filter(|d| d.level == Level::Error).collect();
        assert!(errors.is_empty(), "check: {errors:#?}");
        let rule = suite.rules.last().expect("a rule").clone();
        let plan = plan_rule(&rule);
        (rule, plan)
    }

    /// The rule text an expression was checked from, on one line.
    fn text_of(text: &str, e: &CExpr) -> String {
        text[e.span.start..e.span.end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn access_text(text: &str, a: &Access) -> String {
        match a {
            Access::Scan => "scan".into(),
            Access::HashEq { keys, within } => {
                let ks: Vec<String> = keys
                    .iter()
                    .map(|(f, k)| format!("`{f}` == `{}`", text_of(text, k)))
                    .collect();
                let w = within
                    .as_ref()
                    .map(|w| format!(", then {} in each bucket", access_text(text, w)))
                    .unwrap_or_default();
                format!("hash {}{w}", ks.join(" and "))
            }
            Access::HashIn { field, list } => {
                format!("hash `{field}` in `{}`", text_of(text, list))
            }
            Access::Window {
                field,
                shape,
                other,
                window,
            } => format!(
                "sorted `{field}` {shape:?} `{}`{}",
                text_of(text, other),
                window
                    .as_ref()
                    .map(|w| format!(" by `{}`", text_of(text, w)))
                    .unwrap_or_default()
            ),
        }
    }

    /// The whole plan in words, every conjunct named by its text.
    fn show(text: &str) -> String {
        let (rule, plan) = plan_of(text);
        let names = |ix: &[usize]| -> String {
            ix.iter()
                .map(|&i| format!("`{}`", text_of(text, &plan.conjuncts[i])))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = String::new();
        if !plan.constant.is_empty() {
            let _ = writeln!(out, "once: {}", names(&plan.constant));
        }
        for l in &plan.levels {
            let b = &rule.bindings[l.binding];
            let source = match &b.source {
                CSource::Collection(c) => c.clone(),
                CSource::List { expr, .. } => format!("list `{}`", text_of(text, expr)),
            };
            let _ = writeln!(out, "{} in {source}", rule.vars[b.var].name);
            let _ = writeln!(out, "  access: {}", access_text(text, &l.access));
            if let Some(i) = l.access_conjunct {
                let _ = writeln!(out, "    from: {}", names(&[i]));
            }
            for fb in &l.fallbacks {
                let _ = writeln!(out, "  else: {}", access_text(text, fb));
            }
            if !l.prefilter.is_empty() {
                let _ = writeln!(out, "  pushed down: {}", names(&l.prefilter));
            }
            if !l.checks.is_empty() {
                let _ = writeln!(out, "  checks: {}", names(&l.checks));
            }
        }
        for a in &plan.aggregates {
            let _ = writeln!(
                out,
                "aggregate {} over {}: `{}` {} `{}`{}",
                rule.vars[a.var].name,
                a.collection,
                a.keys[0].0,
                if a.membership { "in" } else { "==" },
                a.keys
                    .iter()
                    .map(|(_, k)| text_of(text, k))
                    .collect::<Vec<_>>()
                    .join("`, `"),
                if a.memoizable { ", once per key" } else { "" }
            );
        }
        out
    }

    const HEAD: &str = "rule r {\n  severity: warning\n  message: \"m\"\n";

    fn rule(body: &str) -> String {
        format!("{HEAD}{body}\n}}\n")
    }

    #[test]
    fn one_binding_pushes_every_filter_down_and_scans() {
        let t = rule("  for a in actions\n  where a.kind == \"airstrike\" and a.fatalities > 10");
        insta::assert_snapshot!(show(&t), @r#"
        a in actions
          access: scan
          pushed down: `a.kind == "airstrike"`, `a.fatalities > 10`
        "#);
    }

    #[test]
    fn an_equality_join_probes_a_hash_index_from_either_side() {
        for cond in ["a.actor == s.actor", "s.actor == a.actor"] {
            let t = rule(&format!(
                "  for s in statements, a in actions\n  where {cond} and a.kind == \"invasion\""
            ));
            let (_, plan) = plan_of(&t);
            assert_eq!(plan.levels[0].prefilter, Vec::<usize>::new());
            assert!(matches!(plan.levels[0].access, Access::Scan));
            assert_eq!(plan.levels[1].prefilter, vec![1]);
            assert_eq!(plan.levels[1].checks, vec![0]);
            assert_eq!(plan.levels[1].access_conjunct, Some(0));
            match &plan.levels[1].access {
                Access::HashEq { keys, within } => {
                    assert!(within.is_none());
                    assert_eq!(keys.len(), 1);
                    assert_eq!(keys[0].0, "actor");
                    assert_eq!(text_of(&t, &keys[0].1), "s.actor", "{cond}");
                }
                other => panic!("{cond}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_record_compared_whole_is_found_by_its_id() {
        let t = rule("  for s in statements, x in actors\n  where x == s.actor");
        insta::assert_snapshot!(show(&t), @r#"
        s in statements
          access: scan
        x in actors
          access: hash `id` == `s.actor`
            from: `x == s.actor`
          checks: `x == s.actor`
        "#);
    }

    #[test]
    fn membership_probes_with_each_element() {
        let t = rule(
            "  for s in statements, a in actions, p in principles\n  \
             where a.id in s.refers_to and s.invokes contains p.id",
        );
        insta::assert_snapshot!(show(&t), @r#"
        s in statements
          access: scan
        a in actions
          access: hash `id` in `s.refers_to`
            from: `a.id in s.refers_to`
          checks: `a.id in s.refers_to`
        p in principles
          access: hash `id` in `s.invokes`
            from: `s.invokes contains p.id`
          checks: `s.invokes contains p.id`
        "#);
    }

    #[test]
    fn date_comparisons_give_a_window_of_the_right_shape() {
        use WindowShape::*;
        let cases = [
            ("a.time after s.date", NotBefore { strict: true }),
            ("s.date before a.time", NotBefore { strict: true }),
            ("a.time > s.date", NotBefore { strict: true }),
            ("a.time >= s.date", NotBefore { strict: false }),
            ("s.date <= a.time", NotBefore { strict: false }),
            ("a.time before s.date", NotAfter { strict: true }),
            ("s.date after a.time", NotAfter { strict: true }),
            ("a.time < s.date", NotAfter { strict: true }),
            ("a.time <= s.date", NotAfter { strict: false }),
            ("s.date >= a.time", NotAfter { strict: false }),
            ("a.time during s.date", Overlaps),
            ("s.date during a.time", Overlaps),
            ("a.time within 30 days of s.date", Within),
            ("s.date within 30 days of a.time", Within),
        ];
        for (cond, want) in cases {
            let t = rule(&format!(
                "  for s in statements, a in actions\n  where {cond}"
            ));
            let (_, plan) = plan_of(&t);
            match &plan.levels[1].access {
                Access::Window {
                    field,
                    shape,
                    other,
                    window,
                } => {
                    assert_eq!(field, "time", "{cond}");
                    assert_eq!(*shape, want, "{cond}");
                    assert_eq!(text_of(&t, other), "s.date", "{cond}");
                    assert_eq!(
                        window.as_ref().map(|w| text_of(&t, w)),
                        (want == Within).then(|| "30 days".to_string()),
                        "{cond}"
                    );
                }
                other => panic!("{cond}: {other:?}"),
            }
        }
    }

    #[test]
    fn comparisons_that_are_not_on_dates_give_no_index() {
        for cond in [
            "a.fatalities > count(b in actions where b.actor == s.actor)",
            "a.cameo < s.text",
            "a.kind != s.kind",
            "a.description starts with s.text",
            "a.id not in s.refers_to",
            "start(a.time) within 30 days of s.date",
            "a.fatalities == count(b in actions where b.actor == s.actor and b.target == a.actor)",
        ] {
            let t = rule(&format!(
                "  for s in statements, a in actions\n  where {cond}"
            ));
            let (_, plan) = plan_of(&t);
            assert!(
                matches!(plan.levels[1].access, Access::Scan),
                "{cond}: {:?}",
                plan.levels[1].access
            );
            assert_eq!(plan.levels[1].checks, vec![0], "{cond}");
        }
    }

    #[test]
    fn equality_is_tried_first_and_other_paths_are_kept_in_condition_order() {
        let t = rule(
            "  for s in statements, a in actions\n  \
             where a.time after s.date and a.time within 1 year of s.date\n    \
             and a.id in s.refers_to and a.actor == s.actor",
        );
        insta::assert_snapshot!(show(&t), @r#"
        s in statements
          access: scan
        a in actions
          access: hash `actor` == `s.actor`, then sorted `time` NotBefore { strict: true } `s.date` in each bucket
            from: `a.actor == s.actor`
          else: hash `actor` == `s.actor`
          else: hash `id` in `s.refers_to`
          else: sorted `time` NotBefore { strict: true } `s.date`
          else: sorted `time` Within `s.date` by `1 year`
          checks: `a.time after s.date`, `a.time within 1 year of s.date`, `a.id in s.refers_to`, `a.actor == s.actor`
        "#);
    }

    #[test]
    fn a_key_that_needs_the_binding_itself_or_a_later_one_gives_no_index() {
        // `a.actor == a.target` mentions only `a`: a pushed-down filter, not a join key;
        // `s.actor == x.id` at level `s` would need `x`, bound later
        let t = rule(
            "  for s in statements, a in actions, x in actors\n  \
             where a.actor == a.target and s.actor == x.id and a.fatalities == count(y in actions where y.actor == a.actor)",
        );
        insta::assert_snapshot!(show(&t), @r#"
        s in statements
          access: scan
        a in actions
          access: scan
          pushed down: `a.actor == a.target`, `a.fatalities == count(y in actions where y.actor == a.actor)`
        x in actors
          access: hash `id` == `s.actor`
            from: `s.actor == x.id`
          checks: `s.actor == x.id`
        aggregate y over actions: `actor` == `a.actor`, once per key
        "#);
    }

    #[test]
    fn a_conjunct_waits_for_its_last_binding_and_constants_run_once() {
        let t = format!(
            "const on = true\nconst cutoff = @2026-01-01\n{}",
            rule(
                "  for s in statements, c in claims, a in actions\n  \
                 where on and cutoff > @2025-01-01 and a.actor == s.actor and c.subject == a.id and s.date before cutoff"
            )
        );
        insta::assert_snapshot!(show(&t), @r#"
        once: `on`, `cutoff > @2025-01-01`
        s in statements
          access: scan
          pushed down: `s.date before cutoff`
        c in claims
          access: scan
        a in actions
          access: hash `actor` == `s.actor` and `id` == `c.subject`
            from: `a.actor == s.actor`
          else: hash `actor` == `s.actor`
          else: hash `id` == `c.subject`
          checks: `a.actor == s.actor`, `c.subject == a.id`
        "#);
    }

    #[test]
    fn a_list_binding_is_never_indexed_nor_filtered_below_its_source() {
        let t = rule(
            "  for s in statements, p in s.invokes\n  \
             where p.name == \"x\" and p.id == s.actor",
        );
        insta::assert_snapshot!(show(&t), @r#"
        s in statements
          access: scan
        p in list `s.invokes`
          access: scan
          checks: `p.name == "x"`, `p.id == s.actor`
        "#);
    }

    #[test]
    fn aggregates_get_a_hash_index_and_memoize_when_only_the_key_is_outside() {
        let t = rule(
            "  for s in statements\n  \
             where count(a in actions where a.actor == s.actor) > 1\n    \
             and exists(b in actions where b.actor == s.actor and b.time after s.date)\n    \
             and exists(p in principles where p.id in s.invokes)\n    \
             and exists(c in claims where c.id in s.refers_to and c.claimant == s.actor)\n    \
             and exists(x in s.about where x.kind == \"state\")\n    \
             and count(y in actors) > 2\n    \
             and exists(f in facts where f.value > 3)",
        );
        insta::assert_snapshot!(show(&t), @r#"
        once: `count(y in actors) > 2`, `exists(f in facts where f.value > 3)`
        s in statements
          access: scan
          pushed down: `count(a in actions where a.actor == s.actor) > 1`, `exists(b in actions where b.actor == s.actor and b.time after s.date)`, `exists(p in principles where p.id in s.invokes)`, `exists(c in claims where c.id in s.refers_to and c.claimant == s.actor)`, `exists(x in s.about where x.kind == "state")`
        aggregate a over actions: `actor` == `s.actor`, once per key
        aggregate b over actions: `actor` == `s.actor`
        aggregate p over principles: `id` in `s.invokes`, once per key
        aggregate c over claims: `claimant` == `s.actor`
        "#);
    }

    #[test]
    fn nested_aggregates_are_local_and_messages_are_planned_too() {
        let t = "rule r {\n  severity: warning\n  \
                 message: \"{count(b in actions where b.target == s.actor)}\"\n  \
                 for s in statements\n  \
                 where exists(a in actions where a.actor == s.actor and count(c in claims where c.subject == a.id) > 0)\n}\n";
        insta::assert_snapshot!(show(t), @r#"
        s in statements
          access: scan
          pushed down: `exists(a in actions where a.actor == s.actor and count(c in claims where c.subject == a.id) > 0)`
        aggregate a over actions: `actor` == `s.actor`, once per key
        aggregate c over claims: `subject` == `a.id`, once per key
        aggregate b over actions: `target` == `s.actor`, once per key
        "#);
    }

    #[test]
    fn a_def_inlined_twice_gives_two_aggregates_with_their_own_keys() {
        let t = format!(
            "def acts(x) = count(y in actions where y.actor == x)\n{}",
            rule("  for s in statements\n  where acts(s.actor) > 0 and acts(s.speaker) == 0")
        );
        let (rule, plan) = plan_of(&t);
        assert_eq!(plan.aggregates.len(), 2, "{plan}");
        assert_ne!(plan.aggregates[0].var, plan.aggregates[1].var);
        // each plan probes with its own argument: the key is the inlined `x`
        let keys: Vec<String> = plan
            .aggregates
            .iter()
            .map(|a| {
                a.keys[0]
                    .1
                    .vars()
                    .iter()
                    .map(|&v| rule.vars[v].name.clone())
                    .collect()
            })
            .collect();
        assert_eq!(keys, ["s", "s"]);
        assert!(plan.aggregates.iter().all(|a| a.memoizable));
    }

    #[test]
    fn no_condition_means_scans_and_nothing_else() {
        let t = rule("  for a in actors, b in actors");
        let (_, plan) = plan_of(&t);
        assert!(plan.conjuncts.is_empty() && plan.constant.is_empty());
        assert_eq!(plan.levels.len(), 2);
        assert!(plan
            .levels
            .iter()
            .all(|l| matches!(l.access, Access::Scan) && l.checks.is_empty()));
        assert_eq!(plan.to_string(), "binding 0: scan; 0 pushed-down filter(s), 0 check(s)\nbinding 1: scan; 0 pushed-down filter(s), 0 check(s)\n");
    }

    #[test]
    fn sixty_four_bindings_the_most_a_rule_may_have_still_plan() {
        let mut fors = vec!["v0 in actions".to_string()];
        let mut conds = Vec::new();
        for i in 1..64 {
            fors.push(format!("v{i} in actions"));
            conds.push(format!("v{i}.actor == v{}.actor", i - 1));
        }
        conds.push("v63.time after v0.time".into());
        let t = rule(&format!(
            "  for {}\n  where {}",
            fors.join(", "),
            conds.join(" and ")
        ));
        let (_, plan) = plan_of(&t);
        assert_eq!(plan.levels.len(), 64);
        let last = &plan.levels[63];
        assert!(
            matches!(&last.access, Access::HashEq { keys, within: Some(_) } if keys[0].0 == "actor")
        );
        assert!(matches!(
            &last.fallbacks[..],
            [Access::HashEq { within: None, .. }, Access::Window { .. }]
        ));
        assert_eq!(last.checks, vec![62, 63]);
        for l in &plan.levels[1..63] {
            assert_eq!(l.checks, vec![l.binding - 1]);
        }
    }

    #[test]
    fn display_names_every_binding_path_and_aggregate() {
        let t = rule(
            "  for s in statements, a in actions, p in principles\n  \
             where s.kind == \"speech\" and a.actor == s.actor and a.time within 1 year of s.date\n    \
             and p.id in s.invokes and a.kind in p.violated_by\n    \
             and count(b in actions where b.actor == a.actor and b.time after s.date) > 0\n    \
             and exists(c in claims where c.subject in a.id)",
        );
        let (_, plan) = plan_of(&t);
        insta::assert_snapshot!(plan.to_string(), @r#"
        binding 0: scan; 1 pushed-down filter(s), 0 check(s)
        binding 1: hash index on `actor` (equality) with a sorted range on `time` (Within) within each bucket, else hash index on `actor` (equality), else sorted index on `time` (Within); 1 pushed-down filter(s), 3 check(s)
        binding 2: hash index on `id` (membership); 0 pushed-down filter(s), 2 check(s)
        aggregate over `actions`: hash index on `actor` (equality)
        aggregate over `claims`: hash index on `subject` (membership), computed once per key
        "#);
    }
}
