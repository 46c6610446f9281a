//! Enumerating the bindings of a rule that satisfy its condition, in two ways: the
//! planned evaluator (pushdown, indexes) and the reference evaluator (nested loops
//! over everything, obviously correct). Both yield the same matches.

use super::expr::{Acc, AggAccess, BoundedScan, Budget, Cx, Env, Lookup};
use super::index::{HashIndex, TimeIndex};
use super::ops::{Tri, V};
use crate::check::ir::{CAggregate, CExpr, CRule, CSource};
use crate::data::{Dataset, Value};
use crate::diag::{Diagnostic, Span};
use crate::plan::{Access, AggPlan, RulePlan};
use std::collections::HashMap;
use std::rc::Rc;

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

/// Bounds on what one rule may hold and do (`docs/budgets.md`).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Bindings one rule may hold (`--max-bindings`): every match it keeps holds one
    /// per variable it binds. Bounds the memory of matches before they become findings.
    pub max_bindings: u64,
    /// Work one rule may do (`--max-work`): one unit per candidate tried at each level
    /// of a join, per node of a condition evaluated, and per node of a quantifier's or
    /// aggregate's filter and value for every element it visits. Bounds time, including
    /// nested `count`/`exists`/`all`, and what re-evaluates after the run (messages,
    /// what left a finding undecided, `explain`).
    pub max_work: u64,
}

/// `--max-bindings` by default: a few hundred megabytes of matches at most.
pub const DEFAULT_MAX_BINDINGS: u64 = 2_000_000;
/// `--max-work` by default: a few seconds of a release build.
pub const DEFAULT_MAX_WORK: u64 = 100_000_000;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bindings: DEFAULT_MAX_BINDINGS,
            max_work: DEFAULT_MAX_WORK,
        }
    }
}

/// `E0001`: a rule holds more bindings than `--max-bindings`.
fn held_error(rule: &CRule, matches: usize, limits: &Limits) -> Box<Diagnostic> {
    let n = rule.bindings.len();
    let (span, var) = match rule.bindings.last() {
        Some(b) => (b.span.clone(), rule.vars[b.var].name.as_str()),
        None => (rule.info.span.clone(), ""),
    };
    Diagnostic::error(
        "E0001",
        format!(
            "rule `{}` stopped: it held more than {} bindings",
            rule.info.id, limits.max_bindings
        ),
    )
    .at(
        span,
        format!("the join of its {n} variable{} reached through `{var}` exploded", plural(n)),
    )
    .expected(format!(
        "at most {} bindings held (--max-bindings; each match holds one per variable)",
        limits.max_bindings
    ))
    .found(format!("{matches} matches of {n} variable{}, still growing", plural(n)))
    .help("add a condition that joins this variable to an earlier one (e.g. `a.actor == s.actor`), or raise --max-bindings")
    .into()
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `E0003`: a rule did more work than `--max-work`, noticed at `span`.
pub(crate) fn work_error(
    rule: &CRule,
    span: Span,
    label: String,
    limits: &Limits,
) -> Box<Diagnostic> {
    Diagnostic::error(
        "E0003",
        format!(
            "rule `{}` stopped: it passed its work budget of {}",
            rule.info.id, limits.max_work
        ),
    )
    .at(span, label)
    .expected(format!(
        "at most {} units of work (--max-work: candidates tried, condition nodes and quantifier elements evaluated)",
        limits.max_work
    ))
    .found("more, still going")
    .help("tie the join or the quantifier to an earlier variable with a condition (e.g. `b.actor == a.actor`), or raise --max-work")
    .into()
}

/// The work error noticed while searching the join through binding `b`.
fn join_work_error(rule: &CRule, b: usize, limits: &Limits) -> Box<Diagnostic> {
    let b = &rule.bindings[b];
    let var = &rule.vars[b.var].name;
    work_error(
        rule,
        b.span.clone(),
        format!("searching the join through `{var}`"),
        limits,
    )
}

/// The work error noticed while evaluating a condition.
fn cond_work_error(rule: &CRule, c: &CExpr, limits: &Limits) -> Box<Diagnostic> {
    work_error(
        rule,
        c.span.clone(),
        "evaluating this condition".into(),
        limits,
    )
}

/// Aggregates answered from hash indexes built once per rule (one per aggregate, over
/// all its key fields), and their results remembered per key when nothing else of the
/// binding reaches them: a grouped aggregate, each key's records visited once. Records
/// without any key value are then left out of every key's candidates and visited once
/// for all keys (`shared`): their key comparisons are unknown whatever the key.
pub(crate) struct Indexed<'d, 'b> {
    by_var: HashMap<usize, (AggPlan, HashIndex)>,
    memo: std::cell::RefCell<HashMap<(usize, String), V<'d>>>,
    shared: std::cell::RefCell<HashMap<usize, Option<Rc<Acc<'d>>>>>,
    budget: &'b Budget,
}

impl<'d, 'b> Indexed<'d, 'b> {
    /// Index every aggregate of `plan` over `ds`.
    pub(crate) fn new(plan: &RulePlan, ds: &'d Dataset, budget: &'b Budget) -> Self {
        let mut by_var = HashMap::new();
        for a in &plan.aggregates {
            let recs = ds
                .collection(&a.collection)
                .map(|c| c.records.as_slice())
                .unwrap_or(&[]);
            let all: Vec<u32> = (0..recs.len() as u32).collect();
            let fields: Vec<&str> = a.keys.iter().map(|(f, _)| f.as_str()).collect();
            // records without any key value are split off where they can be taken
            // once for all keys: equality keys, a result computed once per key
            let split = a.memoizable && !a.membership;
            let ix = HashIndex::build_composite(recs, &all, &fields, None, split);
            by_var.insert(a.var, (a.clone(), ix));
        }
        Indexed {
            by_var,
            memo: Default::default(),
            shared: Default::default(),
            budget,
        }
    }

    /// What the records without any key value add to aggregate `agg`, once.
    fn shared(
        &self,
        agg: &CAggregate,
        plan: &AggPlan,
        idx: &HashIndex,
        cx: &Cx<'d, '_>,
        env: &mut Env<'d>,
    ) -> Option<Rc<Acc<'d>>> {
        if let Some(s) = self.shared.borrow().get(&agg.var) {
            return s.clone();
        }
        let (name, recs) = cx.collection(&plan.collection).unwrap_or(("", &[]));
        let elems = idx
            .missing()
            .iter()
            .filter_map(|&i| recs.get(i as usize).map(|r| (i, V::Rec(r, name))));
        if env.len() <= agg.var {
            env.resize(agg.var + 1, V::Missing);
        }
        let saved = env[agg.var].clone();
        let acc = cx
            .accumulate(agg, elems, env, Some(&plan.rest))
            .map(Rc::new);
        env[agg.var] = saved;
        self.shared.borrow_mut().insert(agg.var, acc.clone());
        acc
    }
}

impl<'d> AggAccess<'d> for Indexed<'d, '_> {
    fn budget(&self) -> Option<&Budget> {
        Some(self.budget)
    }

    fn lookup(&self, agg: &CAggregate, cx: &Cx<'d, '_>, env: &mut Env<'d>) -> Lookup<'d> {
        let Some((plan, idx)) = self.by_var.get(&agg.var) else {
            return Lookup::Scan;
        };
        let probes: Vec<V<'d>> = plan.keys.iter().map(|(_, k)| cx.eval(k, env)).collect();
        let narrow = || {
            if plan.membership {
                probes.first().and_then(|p| idx.probe_list(p))
            } else {
                idx.probe_composite(&probes, None)
            }
        };
        if !plan.memoizable {
            return Lookup::Candidates(narrow(), None, None);
        }
        let mut k = String::new();
        for probe in &probes {
            k.push_str(&match probe {
                V::Missing => "\0missing".to_string(),
                V::Rec(r, c) => format!("r:{c}:{}", r.id),
                V::Val(v) => match &**v {
                    crate::data::Value::Time(t) => format!("time:{:?}..{:?}", t.start, t.end),
                    other => format!("{}:{other:?}", other.type_name()),
                },
            });
            k.push('\u{1}');
        }
        if let Some(v) = self.memo.borrow().get(&(agg.var, k.clone())) {
            return Lookup::Known(v.clone());
        }
        let cands = narrow();
        if cands.is_none() || idx.missing().is_empty() {
            // a probe that cannot narrow scans everything, the keyless records too
            return Lookup::Candidates(cands, Some(k), None);
        }
        match self.shared(agg, plan, idx, cx, env) {
            Some(s) => Lookup::Candidates(cands, Some(k), Some(s)),
            // the budget ran out: the aggregate is unknown, and the rule stops
            None => Lookup::Known(V::Missing),
        }
    }

    fn candidates(
        &self,
        agg: &CAggregate,
        cx: &Cx<'d, '_>,
        env: &mut Env<'d>,
        limit: usize,
    ) -> Option<Vec<u32>> {
        let (plan, idx) = self.by_var.get(&agg.var)?;
        let probes: Vec<V<'d>> = plan.keys.iter().map(|(_, k)| cx.eval(k, env)).collect();
        let mut found = if plan.membership {
            probes.first().and_then(|p| idx.probe_list(p))
        } else {
            idx.probe_composite(&probes, None)
        }?;
        // the records without a key are candidates for every key: only the first
        // `limit` of each list can be among the first `limit` of both (asked once per
        // possible finding, a copy and a sort of all of them made naming what left a
        // finding undecided quadratic)
        found.sort_unstable();
        found.truncate(limit);
        let mut all = found;
        all.extend(idx.missing().iter().take(limit));
        all.sort_unstable();
        all.dedup();
        all.truncate(limit);
        Some(all)
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

/// The planned evaluator. Work is spent from `budget` (made of `limits.max_work`).
pub fn planned<'d>(
    rule: &CRule,
    plan: &RulePlan,
    ds: &'d Dataset,
    consts: &[Value],
    limits: &Limits,
    budget: &Budget,
) -> Result<Vec<Match<'d>>, Box<Diagnostic>> {
    let access = Indexed::new(plan, ds, budget);
    let cx = Cx {
        ds,
        consts,
        access: &access,
    };
    let mut env: Env<'d> = vec![V::Missing; rule.vars.len()];
    // conjuncts without bindings: once
    let mut base_unknown = Vec::new();
    for &i in &plan.constant {
        cx.spend(plan.weights[i]);
        let t = cx.truth(&plan.conjuncts[i], &mut env);
        if cx.exhausted() {
            return Err(cond_work_error(rule, &plan.conjuncts[i], limits));
        }
        match t {
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
                    if !cx.spend(1) {
                        return Err(join_work_error(rule, l.binding, limits));
                    }
                    env[b.var] = V::Rec(r, name);
                    let mut unk = Vec::new();
                    let mut ok = true;
                    for &f in &l.prefilter {
                        cx.spend(plan.weights[f]);
                        let t = cx.truth(&plan.conjuncts[f], &mut env);
                        if cx.exhausted() {
                            return Err(cond_work_error(rule, &plan.conjuncts[f], limits));
                        }
                        match t {
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
                        Access::HashEq { keys, within } => {
                            let fields: Vec<&str> = keys.iter().map(|(f, _)| f.as_str()).collect();
                            let time = match within.as_deref() {
                                Some(Access::Window { field, .. }) => Some(field.as_str()),
                                _ => None,
                            };
                            LevelIndex::Hash(HashIndex::build_composite(
                                recs, &ids, &fields, time, false,
                            ))
                        }
                        Access::HashIn { field, .. } => {
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
    let mut positions = vec![0u32; rule.bindings.len()];
    let mut st = State {
        rule,
        plan,
        cx: &cx,
        cands: &cands,
        indexes: &indexes,
        limits,
        held: 0,
        out: &mut out,
    };
    st.level(0, &mut env, &mut positions, base_unknown)?;
    if cx.exhausted() {
        // spent in the last probe of an index, say: nothing after it may be reported
        let last = plan.levels.last().map_or(0, |l| l.binding);
        return Err(join_work_error(rule, last, limits));
    }
    Ok(out)
}

/// Count one more match held; the error when the rule holds more than it may.
fn hold(
    rule: &CRule,
    held: &mut u64,
    matches: usize,
    limits: &Limits,
) -> Result<(), Box<Diagnostic>> {
    *held = held.saturating_add(rule.bindings.len().max(1) as u64);
    if *held > limits.max_bindings {
        return Err(held_error(rule, matches, limits));
    }
    Ok(())
}

struct State<'s, 'd, 'a> {
    rule: &'s CRule,
    plan: &'s RulePlan,
    cx: &'s Cx<'d, 'a>,
    cands: &'s [Option<Candidates>],
    indexes: &'s [Vec<LevelIndex>],
    limits: &'s Limits,
    /// Bindings held in `out` (see `Limits::max_bindings`).
    held: u64,
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
            hold(self.rule, &mut self.held, self.out.len() + 1, self.limits)?;
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
                    // a probe costs its key, as a condition does
                    chosen = match (access, index) {
                        (Access::HashEq { keys, within }, LevelIndex::Hash(ix)) => {
                            let mut cost = 1;
                            let mut probes = Vec::with_capacity(keys.len());
                            for (_, k) in keys {
                                cost += crate::plan::weight(k);
                                probes.push(self.cx.eval(k, env));
                            }
                            let window = match within.as_deref() {
                                Some(Access::Window {
                                    shape,
                                    other,
                                    window,
                                    ..
                                }) => {
                                    cost += crate::plan::weight(other)
                                        + window.as_ref().map_or(0, crate::plan::weight);
                                    let p = self.cx.eval(other, env);
                                    let w = window.as_ref().map(|w| self.cx.eval(w, env));
                                    Some((*shape, p, w))
                                }
                                _ => None,
                            };
                            self.cx.spend(cost);
                            ix.probe_composite(
                                &probes,
                                window.as_ref().map(|(s, p, w)| (*s, p, w.as_ref())),
                            )
                        }
                        (Access::HashIn { list, .. }, LevelIndex::Hash(ix)) => {
                            self.cx.spend(1 + crate::plan::weight(list));
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
                            self.cx.spend(
                                1 + crate::plan::weight(other)
                                    + window.as_ref().map_or(0, crate::plan::weight),
                            );
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
            if !self.cx.spend(1) {
                return Err(join_work_error(self.rule, l.binding, self.limits));
            }
            env[b.var] = v;
            positions[depth] = pos;
            let mut unk = unknown.clone();
            unk.extend_from_slice(pre_unknown);
            let mut ok = true;
            for &c in &l.checks {
                let cond = &self.plan.conjuncts[c];
                self.cx.spend(self.plan.weights[c]);
                let t = self.cx.truth(cond, env);
                if self.cx.exhausted() {
                    return Err(cond_work_error(self.rule, cond, self.limits));
                }
                match t {
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
/// Work is spent from `budget` as in the planned evaluator (more of it: nothing is
/// pushed down), and the same matches are held.
pub fn reference<'d>(
    rule: &CRule,
    plan: &RulePlan,
    ds: &'d Dataset,
    consts: &[Value],
    limits: &Limits,
    budget: &Budget,
) -> Result<Vec<Match<'d>>, Box<Diagnostic>> {
    let access = BoundedScan(budget);
    let cx = Cx {
        ds,
        consts,
        access: &access,
    };
    let mut r = Reference {
        rule,
        plan,
        cx: &cx,
        limits,
        held: 0,
        out: Vec::new(),
    };
    let mut env: Env<'d> = vec![V::Missing; rule.vars.len()];
    let mut positions = vec![0u32; rule.bindings.len()];
    r.go(0, &mut env, &mut positions)?;
    if cx.exhausted() {
        let last = rule.bindings.len().saturating_sub(1);
        return Err(join_work_error(rule, last, limits));
    }
    Ok(r.out)
}

struct Reference<'s, 'd, 'a> {
    rule: &'s CRule,
    plan: &'s RulePlan,
    cx: &'s Cx<'d, 'a>,
    limits: &'s Limits,
    held: u64,
    out: Vec<Match<'d>>,
}

impl<'d> Reference<'_, 'd, '_> {
    fn go(
        &mut self,
        depth: usize,
        env: &mut Env<'d>,
        positions: &mut Vec<u32>,
    ) -> Result<(), Box<Diagnostic>> {
        let (rule, cx) = (self.rule, self.cx);
        if depth == rule.bindings.len() {
            let mut unknown = Vec::new();
            for (i, c) in self.plan.conjuncts.iter().enumerate() {
                cx.spend(self.plan.weights[i]);
                let t = cx.truth(c, env);
                if cx.exhausted() {
                    return Err(cond_work_error(rule, c, self.limits));
                }
                match t {
                    Tri::False => return Ok(()),
                    Tri::Unknown => unknown.push(i),
                    Tri::True => {}
                }
            }
            hold(rule, &mut self.held, self.out.len() + 1, self.limits)?;
            self.out.push(Match {
                env: env.clone(),
                positions: positions.clone(),
                unknown,
            });
            return Ok(());
        }
        let b = &rule.bindings[depth];
        let items = cx.elements(&b.source, env, None).unwrap_or_default();
        for (i, v) in items.into_iter().enumerate() {
            if !cx.spend(1) {
                return Err(join_work_error(rule, depth, self.limits));
            }
            env[b.var] = v;
            positions[depth] = i as u32;
            self.go(depth + 1, env, positions)?;
        }
        env[b.var] = V::Missing;
        Ok(())
    }
}
