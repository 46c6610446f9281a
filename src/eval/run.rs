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
use std::sync::{Arc, Mutex, OnceLock};

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
///
/// The tables are shared by the pieces of a rule's loop that run on other threads:
/// each remembered result is computed once, by whichever piece asks first, and the
/// others wait for it. The work a rule does is then the same however it is split.
pub(crate) struct Tables<'d> {
    by_var: HashMap<usize, (AggPlan, HashIndex)>,
    memo: Mutex<HashMap<(usize, String), Arc<Memo<'d>>>>,
    shared: Mutex<HashMap<usize, Arc<SharedAcc<'d>>>>,
}

/// The result of one aggregate for one key, once computed.
type Memo<'d> = OnceLock<V<'d>>;

/// What the records without a key add to one aggregate, once computed (`None`: the
/// budget ran out computing it).
type SharedAcc<'d> = OnceLock<Option<Arc<Acc<'d>>>>;

impl<'d> Tables<'d> {
    /// Index every aggregate of `plan` over `ds`.
    pub(crate) fn new(plan: &RulePlan, ds: &'d Dataset) -> Self {
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
        Tables {
            by_var,
            memo: Default::default(),
            shared: Default::default(),
        }
    }
}

/// The tables of a rule's aggregates, seen from one piece of its loop: what it
/// computes is spent from its own `budget`.
pub(crate) struct Indexed<'d, 'b> {
    pub(crate) tables: &'b Tables<'d>,
    pub(crate) budget: &'b Budget,
}

/// The cell for `key` in `map`, made on first asking. A lock poisoned by a panic
/// elsewhere still holds a usable map (cells are only ever added).
fn cell_of<K: std::hash::Hash + Eq, T: Default>(map: &Mutex<HashMap<K, Arc<T>>>, key: K) -> Arc<T> {
    let mut m = map.lock().unwrap_or_else(|e| e.into_inner());
    m.entry(key).or_default().clone()
}

impl<'d> Indexed<'d, '_> {
    /// What the records without any key value add to aggregate `agg`, once.
    fn shared(
        &self,
        agg: &CAggregate,
        plan: &AggPlan,
        idx: &HashIndex,
        cx: &Cx<'d, '_>,
        env: &mut Env<'d>,
    ) -> Option<Arc<Acc<'d>>> {
        let cell = cell_of(&self.tables.shared, agg.var);
        cell.get_or_init(|| {
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
                .map(Arc::new);
            env[agg.var] = saved;
            acc
        })
        .clone()
    }
}

impl<'d> AggAccess<'d> for Indexed<'d, '_> {
    fn budget(&self) -> Option<&Budget> {
        Some(self.budget)
    }

    fn lookup(&self, agg: &CAggregate, cx: &Cx<'d, '_>, env: &mut Env<'d>) -> Lookup<'d> {
        let Some((plan, idx)) = self.tables.by_var.get(&agg.var) else {
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
        let known = {
            let memo = self.tables.memo.lock().unwrap_or_else(|e| e.into_inner());
            memo.get(&(agg.var, k.clone()))
                .and_then(|c| c.get().cloned())
        };
        if let Some(v) = known {
            return Lookup::Known(v);
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
        let (plan, idx) = self.tables.by_var.get(&agg.var)?;
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

    fn memoize(&self, agg: &CAggregate, key: String, compute: &mut dyn FnMut() -> V<'d>) -> V<'d> {
        let cell = cell_of(&self.tables.memo, (agg.var, key));
        let mut computed = false;
        let v = cell
            .get_or_init(|| {
                computed = true;
                compute()
            })
            .clone();
        if !computed {
            // another piece computed it first: what a remembered result costs
            self.budget.spend(1);
        }
        v
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
///
/// With `split`, the loops over many elements run in pieces of at least that many on
/// the rayon pool (when it has more than one thread): the pushed-down filters of each
/// binding over its collection, and the outer loop of the join. The matches are those
/// of one loop, in its order, and so is the work spent (each remembered aggregate is
/// computed once, see `Tables`). A piece that finds the rule over a budget stops them
/// all, and the rule runs again in one loop, from the start, so its error is exactly
/// the one a single loop meets first.
pub fn planned<'d>(
    rule: &CRule,
    plan: &RulePlan,
    ds: &'d Dataset,
    consts: &[Value],
    limits: &Limits,
    budget: &Budget,
    split: Option<usize>,
) -> Result<Vec<Match<'d>>, Box<Diagnostic>> {
    let start = budget.spent();
    let tables = Tables::new(plan, ds);
    let whole = Loop {
        rule,
        plan,
        pieces: Pieces {
            ds,
            consts,
            tables: &tables,
            limits,
            split,
        },
    };
    match whole.run(budget)? {
        Some(out) => Ok(out),
        None => {
            // from the start: nothing remembered by the pieces (what they computed
            // would cost the new loop nothing, and what a piece stopped computing
            // when its budget ran out is wrong)
            budget.restore(start);
            let tables = Tables::new(plan, ds);
            let one = Loop {
                pieces: Pieces {
                    split: None,
                    tables: &tables,
                    ..whole.pieces
                },
                ..whole
            };
            // one loop never asks to start over
            Ok(one.run(budget)?.unwrap_or_default())
        }
    }
}

/// What every piece of a rule's loops reads (see `planned`).
#[derive(Clone, Copy)]
struct Loop<'s, 'd> {
    rule: &'s CRule,
    plan: &'s RulePlan,
    pieces: Pieces<'s, 'd>,
}

impl<'s, 'd> Loop<'s, 'd> {
    /// The matches; `None` when a piece found the rule over a budget.
    fn run(&self, budget: &Budget) -> Result<Option<Vec<Match<'d>>>, Box<Diagnostic>> {
        let (rule, plan, limits) = (self.rule, self.plan, self.pieces.limits);
        let access = Indexed {
            tables: self.pieces.tables,
            budget,
        };
        let cx = Cx {
            ds: self.pieces.ds,
            consts: self.pieces.consts,
            access: &access,
        };
        let mut env: Env<'d> = vec![V::Missing; rule.vars.len()];
        // conjuncts without bindings: once
        let mut base_unknown = Vec::new();
        if !may_hold(
            rule,
            plan,
            &cx,
            limits,
            &plan.constant,
            &mut env,
            &mut base_unknown,
        )? {
            return Ok(Some(Vec::new()));
        }
        // per level: pushed-down candidates (with the filters they left unknown) and index
        let mut cands: Vec<Option<Candidates>> = Vec::new();
        let mut indexes: Vec<Vec<LevelIndex>> = Vec::new();
        for l in &plan.levels {
            let b = &rule.bindings[l.binding];
            match &b.source {
                CSource::Collection(c) => {
                    let (name, recs) = cx.collection(c).unwrap_or(("", &[]));
                    let kept = match self.pieces.piece_size(recs.len()) {
                        Some(size) => {
                            let parts =
                                self.pieces
                                    .in_pieces(recs.len(), size, budget, |range, cx| {
                                        let mut env: Env<'d> = vec![V::Missing; rule.vars.len()];
                                        let kept =
                                            self.prefilter(cx, l, recs, name, range, &mut env)?;
                                        Ok((kept, 0))
                                    });
                            match parts {
                                Some(parts) => parts.concat(),
                                None => return Ok(None),
                            }
                        }
                        None => self.prefilter(&cx, l, recs, name, 0..recs.len(), &mut env)?,
                    };
                    let ids: Vec<u32> = kept.iter().map(|k| k.0).collect();
                    let index: Vec<LevelIndex> = std::iter::once(&l.access)
                        .chain(&l.fallbacks)
                        .map(|a| match a {
                            Access::HashEq { keys, within } => {
                                let fields: Vec<&str> =
                                    keys.iter().map(|(f, _)| f.as_str()).collect();
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
        if plan.levels.is_empty() {
            st.level(0, &mut env, &mut positions, base_unknown)?;
        } else {
            let elems = st.elems(0, &mut env);
            match self.pieces.piece_size(elems.len()) {
                Some(size) => {
                    let (cands, indexes) = (&cands, &indexes);
                    let parts = self
                        .pieces
                        .in_pieces(elems.len(), size, budget, |range, cx| {
                            let mut out = Vec::new();
                            let mut st = State {
                                rule,
                                plan,
                                cx,
                                cands,
                                indexes,
                                limits,
                                held: 0,
                                out: &mut out,
                            };
                            let mut env: Env<'d> = vec![V::Missing; rule.vars.len()];
                            let mut positions = vec![0u32; rule.bindings.len()];
                            st.each(0, &elems[range], &mut env, &mut positions, &base_unknown)?;
                            let held = st.held;
                            Ok((out, held))
                        });
                    return Ok(parts.map(|p| p.concat()));
                }
                None => st.each(0, &elems, &mut env, &mut positions, &base_unknown)?,
            }
        }
        if cx.exhausted() {
            // spent in the last probe of an index, say: nothing after it may be reported
            let last = plan.levels.last().map_or(0, |l| l.binding);
            return Err(join_work_error(rule, last, limits));
        }
        Ok(Some(out))
    }

    /// The records of `recs` in `range` that the pushed-down filters of level `l` keep,
    /// each with the filters it left unknown.
    fn prefilter(
        &self,
        cx: &Cx<'d, '_>,
        l: &crate::plan::Level,
        recs: &'d [crate::data::Record],
        name: &'d str,
        range: std::ops::Range<usize>,
        env: &mut Env<'d>,
    ) -> Result<Candidates, Box<Diagnostic>> {
        let (rule, plan, limits) = (self.rule, self.plan, self.pieces.limits);
        let var = rule.bindings[l.binding].var;
        let mut kept = Vec::new();
        for (i, r) in recs.iter().enumerate().take(range.end).skip(range.start) {
            if !cx.spend(1) {
                return Err(join_work_error(rule, l.binding, limits));
            }
            env[var] = V::Rec(r, name);
            let mut unk = Vec::new();
            if may_hold(rule, plan, cx, limits, &l.prefilter, env, &mut unk)? {
                kept.push((i as u32, unk));
            }
        }
        env[var] = V::Missing;
        Ok(kept)
    }
}

/// Running a loop of one rule in pieces on the rayon pool (see `planned`): what every
/// piece reads, and how many elements a piece takes at least (`None`: one loop).
#[derive(Clone, Copy)]
pub(crate) struct Pieces<'s, 'd> {
    pub(crate) ds: &'d Dataset,
    pub(crate) consts: &'s [Value],
    pub(crate) tables: &'s Tables<'d>,
    pub(crate) limits: &'s Limits,
    pub(crate) split: Option<usize>,
}

impl<'s, 'd> Pieces<'s, 'd> {
    /// The size of the pieces a loop over `n` elements runs in; `None`: run it whole.
    pub(crate) fn piece_size(&self, n: usize) -> Option<usize> {
        let min = self.split?.max(1);
        let threads = rayon::current_num_threads();
        (threads > 1 && n >= min.saturating_mul(2)).then(|| n.div_ceil(threads * 4).max(min))
    }

    /// `work` over `0..n` in pieces of `size` on the rayon pool, each piece with its
    /// own budget (what is left of the rule's) and the shared tables; the results in
    /// order, and what they spent added to `budget`. `work` returns its result and the
    /// bindings it holds. `None` when a piece found the rule over one of its limits
    /// (the pieces not yet started then do not start).
    pub(crate) fn in_pieces<T: Send>(
        &self,
        n: usize,
        size: usize,
        budget: &Budget,
        work: impl Fn(std::ops::Range<usize>, &Cx<'d, '_>) -> Result<(T, u64), Box<Diagnostic>> + Sync,
    ) -> Option<Vec<T>> {
        use rayon::prelude::*;
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
        let spent = AtomicU64::new(budget.spent());
        let held = AtomicU64::new(0);
        let over = AtomicBool::new(false);
        let starts: Vec<usize> = (0..n).step_by(size.max(1)).collect();
        let parts: Vec<Option<T>> = starts
            .par_iter()
            .map(|&start| {
                if over.load(Relaxed) {
                    return None;
                }
                // what is left of the work budget once the pieces done so far count
                let budget = Budget::new(self.limits.max_work.saturating_sub(spent.load(Relaxed)));
                let access = Indexed {
                    tables: self.tables,
                    budget: &budget,
                };
                let cx = Cx {
                    ds: self.ds,
                    consts: self.consts,
                    access: &access,
                };
                let ran = work(start..n.min(start + size), &cx);
                let used = budget.spent();
                let total = spent.fetch_add(used, Relaxed).saturating_add(used);
                let result = match ran {
                    Ok((t, h)) => {
                        let all = held.fetch_add(h, Relaxed).saturating_add(h);
                        (all <= self.limits.max_bindings
                            && total <= self.limits.max_work
                            && !budget.exhausted())
                        .then_some(t)
                    }
                    Err(_) => None,
                };
                if result.is_none() {
                    over.store(true, Relaxed);
                }
                result
            })
            .collect();
        if over.load(Relaxed) {
            return None;
        }
        budget.restore(spent.load(Relaxed));
        parts.into_iter().collect()
    }
}

/// Whether conjuncts `cs` of `plan` may all hold under `env`: false at the first one
/// that is false, each spending its weight; those left unknown are added to `unknown`.
/// The work error where the budget runs out.
#[inline]
fn may_hold<'d>(
    rule: &CRule,
    plan: &RulePlan,
    cx: &Cx<'d, '_>,
    limits: &Limits,
    cs: &[usize],
    env: &mut Env<'d>,
    unknown: &mut Vec<usize>,
) -> Result<bool, Box<Diagnostic>> {
    for &c in cs {
        let cond = &plan.conjuncts[c];
        cx.spend(plan.weights[c]);
        let t = cx.truth(cond, env);
        if cx.exhausted() {
            return Err(cond_work_error(rule, cond, limits));
        }
        match t {
            Tri::False => return Ok(false),
            Tri::Unknown => unknown.push(c),
            Tri::True => {}
        }
    }
    Ok(true)
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

/// An element a binding tries: its position, its value, and the pushed-down filters
/// it left unknown.
type Elem<'s, 'd> = (u32, V<'d>, &'s [usize]);

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

impl<'s, 'd> State<'s, 'd, '_> {
    fn level(
        &mut self,
        depth: usize,
        env: &mut Env<'d>,
        positions: &mut Vec<u32>,
        unknown: Vec<usize>,
    ) -> Result<(), Box<Diagnostic>> {
        if depth < self.plan.levels.len() {
            let elems = self.elems(depth, env);
            return self.each(depth, &elems, env, positions, &unknown);
        }
        // every binding bound: a match
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
        Ok(())
    }

    /// The elements binding `depth` tries, each with the unknown pushed-down filters it
    /// carries.
    fn elems(&self, depth: usize, env: &mut Env<'d>) -> Vec<Elem<'s, 'd>> {
        let l = &self.plan.levels[depth];
        let b = &self.rule.bindings[l.binding];
        match (&b.source, &self.cands[depth]) {
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
        }
    }

    /// Try each of `elems` for binding `depth`, and go deeper with those that pass.
    fn each(
        &mut self,
        depth: usize,
        elems: &[Elem<'s, 'd>],
        env: &mut Env<'d>,
        positions: &mut Vec<u32>,
        unknown: &[usize],
    ) -> Result<(), Box<Diagnostic>> {
        let l = &self.plan.levels[depth];
        let b = &self.rule.bindings[l.binding];
        for (pos, v, pre_unknown) in elems {
            if !self.cx.spend(1) {
                return Err(join_work_error(self.rule, l.binding, self.limits));
            }
            env[b.var] = v.clone();
            positions[depth] = *pos;
            let mut unk = unknown.to_vec();
            unk.extend_from_slice(pre_unknown);
            if may_hold(
                self.rule,
                self.plan,
                self.cx,
                self.limits,
                &l.checks,
                env,
                &mut unk,
            )? {
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

/// The matches another engine found (`sql::duckdb`), as this engine's: each row's
/// records bound from their positions, in the rows' order. What left a possible
/// match possible is found here, by evaluating its conjuncts (aggregates through the
/// rule's `tables`); this also checks the other engine: a conjunct false here, a
/// possible match with nothing unknown, or a position past its collection is an
/// error (`E0004`), never a finding.
pub fn from_rows<'d>(
    rule: &CRule,
    plan: &RulePlan,
    ds: &'d Dataset,
    consts: &[Value],
    rows: Vec<crate::sql::duckdb::Row>,
    limits: &Limits,
    budget: &Budget,
) -> Result<Vec<Match<'d>>, Box<Diagnostic>> {
    // aggregates are read only to find what left a possible match possible
    let tables = rows
        .iter()
        .any(|r| !r.certain)
        .then(|| Tables::new(plan, ds));
    let (indexed, scan);
    let access: &dyn AggAccess<'d> = match &tables {
        Some(tables) => {
            indexed = Indexed { tables, budget };
            &indexed
        }
        None => {
            scan = BoundedScan(budget);
            &scan
        }
    };
    let cx = Cx { ds, consts, access };
    let every: Vec<usize> = (0..plan.conjuncts.len()).collect();
    let disagree = |what: String| {
        Box::new(
            Diagnostic::error(
                "E0004",
                format!(
                    "rule `{}`: the DuckDB engine and the native one disagree: {what}",
                    rule.info.id
                ),
            )
            .at(rule.info.span.clone(), "this rule")
            .help("run it with the native engine (`--engine planned`), and report this with the rule and the data"),
        )
    };
    let mut out = Vec::with_capacity(rows.len());
    let mut held = 0u64;
    for row in rows {
        hold(rule, &mut held, out.len() + 1, limits)?;
        let mut env: Env<'d> = vec![V::Missing; rule.vars.len()];
        for (b, &p) in rule.bindings.iter().zip(&row.positions) {
            let v = cx
                .elements(&b.source, &mut env, Some(vec![p]))
                .and_then(|mut v| v.pop())
                .ok_or_else(|| {
                    disagree(format!(
                        "it bound a record at position {p}, which is not there"
                    ))
                })?;
            env[b.var] = v;
        }
        let mut unknown = Vec::new();
        if !row.certain {
            if !may_hold(rule, plan, &cx, limits, &every, &mut env, &mut unknown)? {
                return Err(disagree(format!(
                    "it found a match at positions {:?} whose condition is false",
                    row.positions
                )));
            }
            if unknown.is_empty() {
                return Err(disagree(format!(
                    "it found a possible match at positions {:?} whose condition is true",
                    row.positions
                )));
            }
        }
        out.push(Match {
            env,
            positions: row.positions,
            unknown,
        });
    }
    Ok(out)
}
