//! Enumerating the bindings of a rule that satisfy its condition, in two ways: the
//! planned evaluator (pushdown, indexes) and the reference evaluator (nested loops
//! over everything, obviously correct). Both yield the same matches.

use super::expr::{AggAccess, Cx, Env, Lookup};
use super::index::{HashIndex, TimeIndex};
use super::ops::{Tri, V};
use crate::check::ir::{CAggregate, CRule, CSource};
use crate::data::{Dataset, Value};
use crate::diag::Diagnostic;
use crate::plan::{Access, AggPlan, RulePlan};
use std::collections::HashMap;

/// One satisfying binding of a rule.
#[derive(Clone, Debug)]
pub struct Match<'d> {
    /// Values of the rule's variables (bindings; aggregate variables are reset).
    pub env: Env<'d>,
    /// Position of each binding's element in its source: the order of findings.
    pub positions: Vec<u32>,
    /// Conjuncts (indexes into the plan's conjuncts) whose truth was unknown.
    pub unknown: Vec<usize>,
}

/// Bounds on the work one rule may do.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Partial bindings visited before the rule is stopped.
    pub max_bindings: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bindings: 10_000_000,
        }
    }
}

fn limit_error(rule: &CRule, level: usize, limits: &Limits) -> Box<Diagnostic> {
    let b = &rule.bindings[level.min(rule.bindings.len().saturating_sub(1))];
    let var = &rule.vars[b.var].name;
    Diagnostic::error(
        "E0001",
        format!(
            "rule `{}` stopped: its bindings passed {}",
            rule.info.id, limits.max_bindings
        ),
    )
    .at(b.span.clone(), format!("the join reached through `{var}` exploded"))
    .expected(format!("at most {} bindings", limits.max_bindings))
    .found("more, still growing")
    .help("add a condition that joins this variable to an earlier one (e.g. `a.actor == s.actor`), or raise --max-bindings")
    .into()
}

/// Aggregates answered from hash indexes built once per rule, and their results
/// remembered per key when nothing else of the binding reaches them.
struct Indexed<'d> {
    by_var: HashMap<usize, (AggPlan, HashIndex)>,
    memo: std::cell::RefCell<HashMap<(usize, String), V<'d>>>,
}

impl<'d> AggAccess<'d> for Indexed<'d> {
    fn lookup(&self, agg: &CAggregate, cx: &Cx<'d, '_>, env: &mut Env<'d>) -> Lookup<'d> {
        let Some((plan, idx)) = self.by_var.get(&agg.var) else {
            return Lookup::Scan;
        };
        let probe = cx.eval(&plan.key, env);
        let narrow = |p: &V<'d>| {
            if plan.membership {
                idx.probe_list(p)
            } else {
                idx.probe(p)
            }
        };
        if !plan.memoizable {
            return Lookup::Candidates(narrow(&probe), None);
        }
        let k = match &probe {
            V::Missing => "\0missing".to_string(),
            V::Rec(r, c) => format!("r:{c}:{}", r.id),
            V::Val(v) => match &**v {
                crate::data::Value::Time(t) => format!("time:{:?}..{:?}", t.start, t.end),
                other => format!("{}:{other:?}", other.type_name()),
            },
        };
        if let Some(v) = self.memo.borrow().get(&(agg.var, k.clone())) {
            return Lookup::Known(v.clone());
        }
        Lookup::Candidates(narrow(&probe), Some(k))
    }

    fn remember(&self, agg: &CAggregate, key: String, value: &V<'d>) {
        self.memo.borrow_mut().insert((agg.var, key), value.clone());
    }
}

/// The records a binding may take after pushdown, each with the filters it left unknown.
type Candidates = Vec<(u32, Vec<usize>)>;

enum LevelIndex {
    None,
    Hash(HashIndex),
    Time(TimeIndex),
}

/// The planned evaluator.
pub fn planned<'d>(
    rule: &CRule,
    plan: &RulePlan,
    ds: &'d Dataset,
    consts: &[Value],
    limits: &Limits,
) -> Result<Vec<Match<'d>>, Box<Diagnostic>> {
    let mut by_var = HashMap::new();
    for a in &plan.aggregates {
        let recs = ds
            .collection(&a.collection)
            .map(|c| c.records.as_slice())
            .unwrap_or(&[]);
        let all: Vec<u32> = (0..recs.len() as u32).collect();
        by_var.insert(a.var, (a.clone(), HashIndex::build(recs, &all, &a.field)));
    }
    let access = Indexed {
        by_var,
        memo: Default::default(),
    };
    let cx = Cx {
        ds,
        consts,
        access: &access,
    };
    let mut env: Env<'d> = vec![V::Missing; rule.vars.len()];
    // conjuncts without bindings: once
    let mut base_unknown = Vec::new();
    for &i in &plan.constant {
        match cx.truth(&plan.conjuncts[i], &mut env) {
            Tri::False => return Ok(Vec::new()),
            Tri::Unknown => base_unknown.push(i),
            Tri::True => {}
        }
    }
    // per level: pushed-down candidates (with the filters they left unknown) and index
    let mut cands: Vec<Option<Candidates>> = Vec::new();
    let mut indexes: Vec<Vec<LevelIndex>> = Vec::new();
    for l in &plan.levels {
        let b = &rule.bindings[l.binding];
        match &b.source {
            CSource::Collection(c) => {
                let recs = ds
                    .collection(c)
                    .map(|c| c.records.as_slice())
                    .unwrap_or(&[]);
                let (name, _) = cx.collection(c).unwrap_or(("", &[]));
                let mut kept = Vec::new();
                for (i, r) in recs.iter().enumerate() {
                    env[b.var] = V::Rec(r, name);
                    let mut unk = Vec::new();
                    let mut ok = true;
                    for &f in &l.prefilter {
                        match cx.truth(&plan.conjuncts[f], &mut env) {
                            Tri::False => {
                                ok = false;
                                break;
                            }
                            Tri::Unknown => unk.push(f),
                            Tri::True => {}
                        }
                    }
                    if ok {
                        kept.push((i as u32, unk));
                    }
                }
                env[b.var] = V::Missing;
                let ids: Vec<u32> = kept.iter().map(|k| k.0).collect();
                let index: Vec<LevelIndex> = std::iter::once(&l.access)
                    .chain(&l.fallbacks)
                    .map(|a| match a {
                        Access::HashEq { field, .. } | Access::HashIn { field, .. } => {
                            LevelIndex::Hash(HashIndex::build(recs, &ids, field))
                        }
                        Access::Window { field, .. } => {
                            LevelIndex::Time(TimeIndex::build(recs, &ids, field))
                        }
                        Access::Scan => LevelIndex::None,
                    })
                    .collect();
                cands.push(Some(kept));
                indexes.push(index);
            }
            CSource::List { .. } => {
                cands.push(None);
                indexes.push(Vec::new());
            }
        }
    }
    let mut out = Vec::new();
    let mut visited = 0u64;
    let mut positions = vec![0u32; rule.bindings.len()];
    let mut st = State {
        rule,
        plan,
        cx: &cx,
        cands: &cands,
        indexes: &indexes,
        limits,
        visited: &mut visited,
        out: &mut out,
    };
    st.level(0, &mut env, &mut positions, base_unknown)?;
    Ok(out)
}

struct State<'s, 'd, 'a> {
    rule: &'s CRule,
    plan: &'s RulePlan,
    cx: &'s Cx<'d, 'a>,
    cands: &'s [Option<Candidates>],
    indexes: &'s [Vec<LevelIndex>],
    limits: &'s Limits,
    visited: &'s mut u64,
    out: &'s mut Vec<Match<'d>>,
}

impl<'d> State<'_, 'd, '_> {
    fn level(
        &mut self,
        depth: usize,
        env: &mut Env<'d>,
        positions: &mut Vec<u32>,
        unknown: Vec<usize>,
    ) -> Result<(), Box<Diagnostic>> {
        if depth == self.plan.levels.len() {
            let mut unknown = unknown;
            unknown.sort_unstable();
            unknown.dedup();
            let mut env_out = env.clone();
            let keep: Vec<usize> = self.rule.bindings.iter().map(|b| b.var).collect();
            for (i, v) in env_out.iter_mut().enumerate() {
                if !keep.contains(&i) {
                    *v = V::Missing;
                }
            }
            self.out.push(Match {
                env: env_out,
                positions: positions.clone(),
                unknown,
            });
            return Ok(());
        }
        let l = &self.plan.levels[depth];
        let b = &self.rule.bindings[l.binding];
        // the elements to try, each with the unknown pushed-down filters it carries
        let elems: Vec<(u32, V<'d>, &[usize])> = match (&b.source, &self.cands[depth]) {
            (CSource::Collection(c), Some(kept)) => {
                let (name, recs) = self.cx.collection(c).unwrap_or(("", &[]));
                // the first access path whose probe narrows the candidates
                let mut chosen: Option<Vec<u32>> = None;
                for (access, index) in std::iter::once(&l.access)
                    .chain(&l.fallbacks)
                    .zip(&self.indexes[depth])
                {
                    chosen = match (access, index) {
                        (Access::HashEq { key, .. }, LevelIndex::Hash(ix)) => {
                            ix.probe(&self.cx.eval(key, env))
                        }
                        (Access::HashIn { list, .. }, LevelIndex::Hash(ix)) => {
                            ix.probe_list(&self.cx.eval(list, env))
                        }
                        (
                            Access::Window {
                                shape,
                                other,
                                window,
                                ..
                            },
                            LevelIndex::Time(ix),
                        ) => {
                            let p = self.cx.eval(other, env);
                            let w = window.as_ref().map(|w| self.cx.eval(w, env));
                            ix.probe(*shape, &p, w.as_ref())
                        }
                        _ => None,
                    };
                    if chosen.is_some() {
                        break;
                    }
                }
                match chosen {
                    Some(ids) => {
                        // kept is sorted by position: find each id there, in
                        // O(log n), not by walking it (a probe is small, kept is not)
                        let mut v = Vec::with_capacity(ids.len());
                        for id in ids {
                            if let Ok(k) = kept.binary_search_by_key(&id, |e| e.0) {
                                v.push((
                                    id,
                                    V::Rec(&recs[id as usize], name),
                                    kept[k].1.as_slice(),
                                ));
                            }
                        }
                        v
                    }
                    None => kept
                        .iter()
                        .map(|(i, unk)| (*i, V::Rec(&recs[*i as usize], name), unk.as_slice()))
                        .collect(),
                }
            }
            _ => match self.cx.elements(&b.source, env, None) {
                Some(items) => items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (i as u32, v, &[][..]))
                    .collect(),
                None => Vec::new(),
            },
        };
        for (pos, v, pre_unknown) in elems {
            *self.visited += 1;
            if *self.visited > self.limits.max_bindings {
                return Err(limit_error(self.rule, depth, self.limits));
            }
            env[b.var] = v;
            positions[depth] = pos;
            let mut unk = unknown.clone();
            unk.extend_from_slice(pre_unknown);
            let mut ok = true;
            for &c in &l.checks {
                match self.cx.truth(&self.plan.conjuncts[c], env) {
                    Tri::False => {
                        ok = false;
                        break;
                    }
                    Tri::Unknown => unk.push(c),
                    Tri::True => {}
                }
            }
            if ok {
                self.level(depth + 1, env, positions, unk)?;
            }
        }
        env[b.var] = V::Missing;
        Ok(())
    }
}

/// The reference evaluator: every combination of every binding, the whole condition
/// checked conjunct by conjunct, aggregates by scanning. Slow and obviously right.
pub fn reference<'d>(
    rule: &CRule,
    plan: &RulePlan,
    ds: &'d Dataset,
    consts: &[Value],
    limits: &Limits,
) -> Result<Vec<Match<'d>>, Box<Diagnostic>> {
    let cx = Cx {
        ds,
        consts,
        access: &super::expr::Scan,
    };
    let mut env: Env<'d> = vec![V::Missing; rule.vars.len()];
    let mut out = Vec::new();
    let mut positions = vec![0u32; rule.bindings.len()];
    let mut visited = 0u64;
    #[allow(clippy::too_many_arguments)]
    fn go<'d>(
        depth: usize,
        rule: &CRule,
        plan: &RulePlan,
        cx: &Cx<'d, '_>,
        env: &mut Env<'d>,
        positions: &mut Vec<u32>,
        visited: &mut u64,
        limits: &Limits,
        out: &mut Vec<Match<'d>>,
    ) -> Result<(), Box<Diagnostic>> {
        if depth == rule.bindings.len() {
            let mut unknown = Vec::new();
            for (i, c) in plan.conjuncts.iter().enumerate() {
                match cx.truth(c, env) {
                    Tri::False => return Ok(()),
                    Tri::Unknown => unknown.push(i),
                    Tri::True => {}
                }
            }
            out.push(Match {
                env: env.clone(),
                positions: positions.clone(),
                unknown,
            });
            return Ok(());
        }
        let b = &rule.bindings[depth];
        let items = cx.elements(&b.source, env, None).unwrap_or_default();
        for (i, v) in items.into_iter().enumerate() {
            *visited += 1;
            if *visited > limits.max_bindings {
                return Err(limit_error(rule, depth, limits));
            }
            env[b.var] = v;
            positions[depth] = i as u32;
            go(
                depth + 1,
                rule,
                plan,
                cx,
                env,
                positions,
                visited,
                limits,
                out,
            )?;
        }
        env[b.var] = V::Missing;
        Ok(())
    }
    go(
        0,
        rule,
        plan,
        &cx,
        &mut env,
        &mut positions,
        &mut visited,
        limits,
        &mut out,
    )?;
    Ok(out)
}
