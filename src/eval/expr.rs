//! Evaluating one typed expression under a binding of variables. Shared by the
//! planned and the reference evaluator; they differ only in how aggregates find
//! their candidate records (`AggAccess`).

use super::ops::{self, Tri, V};
use crate::check::ir::{Builtin, CAggregate, CExpr, CKind, CSource};
use crate::data::reviews::normalise_text;
use crate::data::{Dataset, Record, Time, Value};
use crate::syntax::ast::{AggregateOp, BinaryOp, UnaryOp};
use std::borrow::Cow;
use std::collections::BTreeSet;

/// How an aggregate over a collection finds candidate records: the planned evaluator
/// answers from an index; `None` means scan every record.
pub trait AggAccess<'d> {
    fn lookup(&self, agg: &CAggregate, cx: &Cx<'d, '_>, env: &mut Env<'d>) -> Lookup<'d>;
    /// The result of an aggregate for its key (see `Lookup::Candidates`): `compute`d
    /// at most once per key, however many pieces of a rule's loop ask at once.
    fn memoize(
        &self,
        _agg: &CAggregate,
        _key: String,
        compute: &mut dyn FnMut() -> V<'d>,
    ) -> V<'d> {
        compute()
    }
    /// The first `limit` records of `agg`'s collection that may pass its filter, in
    /// position order (`None`: all of them); of those, a superset of the ones whose
    /// filter is true or unknown.
    fn candidates(
        &self,
        _agg: &CAggregate,
        _cx: &Cx<'d, '_>,
        _env: &mut Env<'d>,
        _limit: usize,
    ) -> Option<Vec<u32>> {
        None
    }
    /// The work budget evaluation spends from (`None`: unbounded).
    fn budget(&self) -> Option<&Budget> {
        None
    }
}

/// A budget of work (`--max-work`): what one rule may spend on candidates tried,
/// condition nodes evaluated and quantifier or aggregate elements visited. Once spent,
/// it stays spent: every later `spend` fails, aggregates return early with an unknown
/// value, and the evaluator that owns the budget turns that into an error, so nothing
/// computed after it ran out is ever reported.
#[derive(Debug)]
pub struct Budget {
    max: u64,
    spent: std::cell::Cell<u64>,
}

impl Budget {
    pub fn new(max: u64) -> Self {
        Budget {
            max,
            spent: std::cell::Cell::new(0),
        }
    }

    /// Spend `n` units; false once more than the budget has been spent.
    pub fn spend(&self, n: u64) -> bool {
        let s = self.spent.get().saturating_add(n);
        self.spent.set(s);
        s <= self.max
    }

    pub fn exhausted(&self) -> bool {
        self.spent.get() > self.max
    }

    /// What has been spent so far.
    pub fn spent(&self) -> u64 {
        self.spent.get()
    }

    /// Undo what was spent since `spent` (a run that starts over).
    pub fn restore(&self, spent: u64) {
        self.spent.set(spent);
    }

    pub fn max(&self) -> u64 {
        self.max
    }
}

/// Scan everything, spending from a budget (the reference evaluator, and what
/// re-evaluates after a run: messages, `why_unknown`, `explain`).
pub struct BoundedScan<'b>(pub &'b Budget);
impl<'d> AggAccess<'d> for BoundedScan<'_> {
    fn lookup(&self, _: &CAggregate, _: &Cx<'d, '_>, _: &mut Env<'d>) -> Lookup<'d> {
        Lookup::Scan
    }
    fn budget(&self) -> Option<&Budget> {
        Some(self.0)
    }
}

/// How to evaluate one aggregate.
pub enum Lookup<'d> {
    /// Every record of the collection.
    Scan,
    /// These records (sorted positions; `None`: all of them); with a key when the
    /// result depends on nothing but that key, so it can be remembered; and what the
    /// records left out of them (those without any key value) add, the same for every
    /// key, computed once.
    Candidates(
        Option<Vec<u32>>,
        Option<String>,
        Option<std::sync::Arc<Acc<'d>>>,
    ),
    /// The result, remembered from an earlier evaluation with the same key.
    Known(V<'d>),
}

/// Scan everything (the reference evaluator).
pub struct Scan;
impl<'d> AggAccess<'d> for Scan {
    fn lookup(&self, _: &CAggregate, _: &Cx<'d, '_>, _: &mut Env<'d>) -> Lookup<'d> {
        Lookup::Scan
    }
}

pub type Env<'d> = Vec<V<'d>>;

/// What an expression may read: the dataset, the suite's constants, the aggregate
/// access strategy.
pub struct Cx<'d, 'a> {
    pub ds: &'d Dataset,
    pub consts: &'a [Value],
    pub access: &'a dyn AggAccess<'d>,
}

impl<'d> Cx<'d, '_> {
    /// The record a collection name and id lead to.
    pub fn record(&self, coll: &str, id: &str) -> Option<V<'d>> {
        let c = self.ds.collections.get_key_value(coll)?;
        let r = c.1.get(id)?;
        Some(V::Rec(r, c.0.as_str()))
    }

    pub fn collection(&self, coll: &str) -> Option<(&'d str, &'d [Record])> {
        self.ds
            .collections
            .get_key_value(coll)
            .map(|(k, c)| (k.as_str(), c.records.as_slice()))
    }

    /// Spend `n` units of work; false once the budget (if any) is spent.
    pub fn spend(&self, n: u64) -> bool {
        self.access.budget().is_none_or(|b| b.spend(n))
    }

    /// Whether the budget (if any) is spent.
    pub fn exhausted(&self) -> bool {
        self.access.budget().is_some_and(Budget::exhausted)
    }

    pub fn eval(&self, e: &CExpr, env: &mut Env<'d>) -> V<'d> {
        match &e.kind {
            CKind::Lit(v) => V::owned(v.clone()),
            CKind::Var(v) => env.get(*v).cloned().unwrap_or(V::Missing),
            CKind::Const(i) => self
                .consts
                .get(*i)
                .map(|v| V::owned(v.clone()))
                .unwrap_or(V::Missing),
            CKind::Field { base, name, deref } => {
                let b = self.eval(base, env);
                self.field(b, name, deref.as_deref())
            }
            CKind::Call(f, args) => {
                let vals: Vec<V<'d>> = args.iter().map(|a| self.eval(a, env)).collect();
                match f {
                    Builtin::Origin | Builtin::Owner | Builtin::Text | Builtin::Verdict => {
                        self.read_dataset(*f, vals.first().unwrap_or(&V::Missing))
                    }
                    Builtin::QuotedIn => self.quoted_in(&vals),
                    _ => builtin(*f, &vals),
                }
            }
            CKind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for it in items {
                    match self.eval(it, env) {
                        V::Missing => out.push(Value::Null),
                        V::Rec(r, _) => out.push(Value::Str(r.id.clone())),
                        V::Val(v) => out.push(v.into_owned()),
                    }
                }
                V::owned(Value::List(out))
            }
            CKind::Unary(UnaryOp::Not, x) => V::tri(self.eval(x, env).truth().not()),
            CKind::Unary(UnaryOp::Neg, x) => match self.eval(x, env).value() {
                Some(Value::Number(n)) => V::num(-n),
                Some(Value::Range { min, max }) => V::owned(Value::Range {
                    min: max.map(|m| -m),
                    max: min.map(|m| -m),
                }),
                Some(Value::Duration(d)) => V::owned(Value::Duration(crate::data::Duration {
                    months: d.months.saturating_neg(),
                    days: d.days.saturating_neg(),
                })),
                _ => V::Missing,
            },
            CKind::Binary(op, l, r) => self.binary(*op, l, r, env),
            CKind::Matches(x, re) => match self.eval(x, env).str() {
                Some(s) => V::bool(re.is_match(s)),
                None => V::Missing,
            },
            CKind::Within { lhs, window, rhs } => {
                let a = self.eval(lhs, env);
                let w = self.eval(window, env);
                let b = self.eval(rhs, env);
                V::tri(ops::within(&a, &w, &b))
            }
            CKind::Missing { expr, negated } => {
                let m = self.eval(expr, env).is_missing();
                V::bool(m != *negated)
            }
            CKind::Aggregate(a) => self.aggregate(a, env),
        }
    }

    /// The builtins that read the dataset beyond one record: `origin`, `owner`,
    /// `text` and `verdict_of`. A chain's end is looked up where the dataset worked it
    /// out once, in linear time; one that comes back to a record it passed (a cycle,
    /// reported as `D0025` when the data is validated) is unknown.
    fn read_dataset(&self, f: Builtin, arg: &V<'d>) -> V<'d> {
        match f {
            // the slot after the suite's constants: the verdicts, once the rules
            // that give them have run (`eval::run`); unknown before
            Builtin::Verdict => {
                let id = match arg {
                    V::Rec(r, _) => Some(&*r.id),
                    _ => arg.str(),
                };
                match (self.consts.last(), id) {
                    (Some(Value::Map(m)), Some(id)) => match m.get(id) {
                        Some(v) => V::owned(v.clone()),
                        None => V::Missing,
                    },
                    _ => V::Missing,
                }
            }
            Builtin::Text => match arg.str().and_then(|p| self.ds.texts.get(p)) {
                Some(t) => V::owned(Value::Str(t.clone())),
                None => V::Missing,
            },
            Builtin::Origin => {
                let Some(s) = self.source(arg) else {
                    return V::Missing;
                };
                match self.chain_end("sources", &s.id) {
                    Some(end) => V::owned(Value::Str(end.id.clone())),
                    None => V::Missing,
                }
            }
            Builtin::Owner => {
                let Some(s) = self.source(arg) else {
                    return V::Missing;
                };
                // the actor that issued it, else its publisher's owner
                let first = match s.get("actor") {
                    Some(Value::Str(a)) => a.clone(),
                    _ => {
                        let publisher = match s.get("publisher") {
                            Some(Value::Str(p)) => p,
                            _ => return V::Missing,
                        };
                        match self
                            .ds
                            .record("publishers", publisher)
                            .map(|p| p.get("owner"))
                        {
                            Some(Some(Value::Str(o))) => o.clone(),
                            _ => return V::Missing,
                        }
                    }
                };
                if self.ds.record("actors", &first).is_none() {
                    // an owner that is not an actor (D0016): the chain ends there
                    return V::owned(Value::Str(first));
                }
                match self.chain_end("actors", &first) {
                    Some(end) => V::owned(Value::Str(end.id.clone())),
                    None => V::Missing,
                }
            }
            _ => V::Missing,
        }
    }

    /// `quoted_in(q, t)`. A snapshot may be megabytes and is searched for each of a
    /// statement's quotes in turn: its normalised text is kept (one per thread, the
    /// last one) and made again only for another text, and the work of making it is
    /// counted, one unit per 256 bytes.
    fn quoted_in(&self, vals: &[V<'d>]) -> V<'d> {
        thread_local! {
            static LAST: std::cell::RefCell<Option<(std::sync::Arc<str>, String)>> =
                const { std::cell::RefCell::new(None) };
        }
        let (Some(q), Some(t)) = (vals.first().and_then(V::str), vals.get(1)) else {
            return V::Missing;
        };
        let shared = match t.value() {
            Some(Value::Str(a)) => a.clone(),
            _ => return V::Missing,
        };
        if !self.spend(1 + (q.len() / 256) as u64) {
            return V::Missing;
        }
        let q = normalise_text(q);
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            let fresh = !matches!(&*last, Some((a, _)) if std::sync::Arc::ptr_eq(a, &shared));
            if fresh {
                if !self.spend((shared.len() / 256) as u64) {
                    return V::Missing;
                }
                *last = Some((shared.clone(), normalise_text(&shared)));
            }
            match &*last {
                Some((_, text)) => {
                    V::bool(memchr::memmem::find(text.as_bytes(), q.as_bytes()).is_some())
                }
                None => V::Missing,
            }
        })
    }

    /// The source record a value is or names.
    fn source(&self, v: &V<'d>) -> Option<&'d crate::data::Record> {
        match v {
            V::Rec(r, c) if *c == "sources" => Some(r),
            V::Rec(..) | V::Missing => None,
            V::Val(_) => self.ds.record("sources", v.str()?),
        }
    }

    /// The record that the chain from record `id` of `coll` ends at (`data::Chains`,
    /// worked out once for the dataset); `None` when it goes round (a cycle, `D0025`)
    /// or the budget is spent.
    fn chain_end(&self, coll: &str, id: &str) -> Option<&'d crate::data::Record> {
        if !self.spend(1) {
            return None;
        }
        let c = self.ds.collection(coll)?;
        let end = self.ds.chains().end(coll, c.position(id)?)?;
        c.records.get(end)
    }

    /// The truth of a condition.
    pub fn truth(&self, e: &CExpr, env: &mut Env<'d>) -> Tri {
        self.eval(e, env).truth()
    }

    pub fn field(&self, b: V<'d>, name: &str, deref: Option<&str>) -> V<'d> {
        let b = match (deref, &b) {
            (Some(coll), V::Val(_)) => match b.str() {
                Some(id) => self.record(coll, id).unwrap_or(V::Missing),
                None => V::Missing,
            },
            _ => b,
        };
        match b {
            V::Missing => V::Missing,
            V::Rec(r, _) => {
                if name == "id" {
                    return V::owned(Value::Str(r.id.clone()));
                }
                match r.get(name) {
                    Some(v) => V::Val(Cow::Borrowed(v)),
                    None => V::Missing,
                }
            }
            V::Val(Cow::Borrowed(v)) => field_of_value(v, name)
                .map(|x| match x {
                    Cow::Borrowed(b) => V::Val(Cow::Borrowed(b)),
                    Cow::Owned(o) => V::owned(o),
                })
                .unwrap_or(V::Missing),
            V::Val(Cow::Owned(v)) => field_of_value(&v, name)
                .map(|x| V::owned(x.into_owned()))
                .unwrap_or(V::Missing),
        }
    }

    fn binary(&self, op: BinaryOp, l: &CExpr, r: &CExpr, env: &mut Env<'d>) -> V<'d> {
        use BinaryOp::*;
        match op {
            And => {
                let a = self.truth(l, env);
                if a == Tri::False {
                    return V::bool(false);
                }
                V::tri(a.and(self.truth(r, env)))
            }
            Or => {
                let a = self.truth(l, env);
                if a == Tri::True {
                    return V::bool(true);
                }
                V::tri(a.or(self.truth(r, env)))
            }
            Coalesce => {
                // the default is evaluated only where the value is missing
                let a = self.eval(l, env);
                if a.is_missing() {
                    self.eval(r, env)
                } else {
                    a
                }
            }
            _ => {
                let a = self.eval(l, env);
                let b = self.eval(r, env);
                apply_binary(op, &a, &b)
            }
        }
    }

    /// The elements a source ranges over: records (with their collection) or values.
    pub fn elements(
        &self,
        src: &CSource,
        env: &mut Env<'d>,
        cands: Option<Vec<u32>>,
    ) -> Option<Vec<V<'d>>> {
        match src {
            CSource::Collection(c) => {
                let (name, recs) = self.collection(c).unwrap_or(("", &[]));
                Some(match cands {
                    Some(idx) => idx
                        .into_iter()
                        .filter_map(|i| recs.get(i as usize).map(|r| V::Rec(r, name)))
                        .collect(),
                    None => recs.iter().map(|r| V::Rec(r, name)).collect(),
                })
            }
            CSource::List { expr, deref } => {
                let list = self.eval(expr, env);
                list_elements(self, list, deref.as_deref())
            }
        }
    }

    fn aggregate(&self, a: &CAggregate, env: &mut Env<'d>) -> V<'d> {
        let (cands, memo, shared) = match &a.source {
            CSource::Collection(_) => match self.access.lookup(a, self, env) {
                Lookup::Known(v) => {
                    self.spend(1);
                    return v;
                }
                Lookup::Candidates(c, memo, shared) => (c, memo, shared),
                Lookup::Scan => (None, None, None),
            },
            _ => (None, None, None),
        };
        let shared = shared.as_deref();
        match memo {
            Some(key) => {
                // called at most once: the candidates move into it
                let mut cands = cands;
                let mut compute = || self.aggregate_of(a, env, cands.take(), shared);
                self.access.memoize(a, key, &mut compute)
            }
            None => self.aggregate_of(a, env, cands, shared),
        }
    }

    /// An aggregate over `cands` (sorted positions; `None`: every element), with what
    /// the records without a key add (`shared`).
    fn aggregate_of(
        &self,
        a: &CAggregate,
        env: &mut Env<'d>,
        cands: Option<Vec<u32>>,
        shared: Option<&Acc<'d>>,
    ) -> V<'d> {
        let positions: Option<Vec<u32>> = cands.clone();
        let Some(elems) = self.elements(&a.source, env, cands) else {
            return V::Missing;
        };
        let saved = env.get(a.var).cloned();
        if env.len() <= a.var {
            env.resize(a.var + 1, V::Missing);
        }
        let elems = elems.into_iter().enumerate().map(|(i, v)| {
            let pos = positions
                .as_ref()
                .and_then(|p| p.get(i).copied())
                .unwrap_or(i as u32);
            (pos, v)
        });
        let result = match self.accumulate(a, elems, env, None) {
            Some(acc) => acc.finish(a.op, shared),
            None => V::Missing,
        };
        env[a.var] = saved.unwrap_or(V::Missing);
        result
    }

    /// Feed elements (with their positions) to an aggregate; `None` once the budget is
    /// spent. With `rest`, each element's filter is taken as unknown and `rest`: what
    /// the filter is for a record whose key fields are all missing, the key comparisons
    /// being unknown whatever the key.
    pub fn accumulate(
        &self,
        a: &CAggregate,
        elems: impl Iterator<Item = (u32, V<'d>)>,
        env: &mut Env<'d>,
        rest: Option<&[CExpr]>,
    ) -> Option<Acc<'d>> {
        let mut acc = Acc::new();
        // every element costs its filter and value: nested quantifiers spend from the
        // same budget as the joins around them
        let cost = if self.access.budget().is_some() {
            1 + a.filter.as_ref().map_or(0, crate::plan::weight)
                + a.value.as_ref().map_or(0, crate::plan::weight)
        } else {
            0
        };
        for (pos, el) in elems {
            if !self.spend(cost) {
                return None;
            }
            env[a.var] = el;
            let f = match (rest, &a.filter) {
                (Some(rest), _) => {
                    let mut t = Tri::Unknown;
                    for c in rest {
                        t = t.and(self.truth(c, env));
                        if t == Tri::False {
                            break;
                        }
                    }
                    t
                }
                (None, Some(f)) => self.truth(f, env),
                (None, None) => Tri::True,
            };
            if f == Tri::False {
                continue;
            }
            match a.op {
                AggregateOp::Count => {
                    if f == Tri::True {
                        acc.certain += 1
                    } else {
                        acc.unknown += 1
                    }
                }
                AggregateOp::Exists => {
                    acc.any = acc.any.or(f);
                    if acc.any == Tri::True {
                        break;
                    }
                }
                AggregateOp::All => {
                    let p = a
                        .value
                        .as_ref()
                        .map(|v| self.truth(v, env))
                        .unwrap_or(Tri::True);
                    // an element that may or may not be included counts only if it could fail
                    let t = if f == Tri::True {
                        p
                    } else if p == Tri::True {
                        Tri::True
                    } else {
                        Tri::Unknown
                    };
                    acc.all = acc.all.and(t);
                    if acc.all == Tri::False {
                        break;
                    }
                }
                AggregateOp::CountDistinct => {
                    let v = a
                        .value
                        .as_ref()
                        .map(|v| self.eval(v, env))
                        .unwrap_or(V::Missing);
                    if f == Tri::True && !v.is_missing() {
                        acc.keys.insert(key_of(&v));
                    } else {
                        acc.unknown += 1;
                    }
                }
                AggregateOp::Sum | AggregateOp::Avg | AggregateOp::Min | AggregateOp::Max => {
                    let v = a
                        .value
                        .as_ref()
                        .map(|v| self.eval(v, env))
                        .unwrap_or(V::Missing);
                    if v.is_missing() {
                        acc.value_unknown = true;
                    } else if f == Tri::Unknown {
                        acc.maybe.push((pos, v));
                    } else {
                        acc.values.push(v);
                    }
                }
            }
        }
        Some(acc)
    }
}

/// What an aggregate has gathered from some of its elements: the elements of one key,
/// or those without any key, which every key shares (`Acc::finish` puts them together
/// exactly as one pass over both in position order would).
#[derive(Debug)]
pub struct Acc<'d> {
    certain: usize,
    unknown: usize,
    all: Tri,
    any: Tri,
    /// Values of elements that pass the filter, in position order.
    values: Vec<V<'d>>,
    /// Values of elements that may or may not pass it, with their positions.
    maybe: Vec<(u32, V<'d>)>,
    value_unknown: bool,
    keys: BTreeSet<String>,
}

impl<'d> Acc<'d> {
    fn new() -> Self {
        Acc {
            certain: 0,
            unknown: 0,
            all: Tri::True,
            any: Tri::False,
            values: Vec::new(),
            maybe: Vec::new(),
            value_unknown: false,
            keys: BTreeSet::new(),
        }
    }

    /// The aggregate's value, with `shared` (elements that only ever pass the filter
    /// as unknown) added.
    pub fn finish(self, op: AggregateOp, shared: Option<&Acc<'d>>) -> V<'d> {
        let mut acc = self;
        if let Some(s) = shared {
            acc.unknown += s.unknown;
            acc.any = acc.any.or(s.any);
            acc.all = acc.all.and(s.all);
            acc.value_unknown |= s.value_unknown;
            debug_assert!(s.certain == 0 && s.values.is_empty() && s.keys.is_empty());
            if !s.maybe.is_empty() {
                if acc.maybe.is_empty() {
                    acc.maybe = s.maybe.clone();
                } else if matches!(op, AggregateOp::Avg) {
                    // any element that may pass leaves an average unknown
                    acc.maybe.extend(s.maybe.iter().cloned());
                } else {
                    let mut m = Vec::with_capacity(acc.maybe.len() + s.maybe.len());
                    let (mut i, mut j) = (0, 0);
                    while i < acc.maybe.len() || j < s.maybe.len() {
                        let take_left = j >= s.maybe.len()
                            || (i < acc.maybe.len() && acc.maybe[i].0 <= s.maybe[j].0);
                        if take_left {
                            m.push(acc.maybe[i].clone());
                            i += 1;
                        } else {
                            m.push(s.maybe[j].clone());
                            j += 1;
                        }
                    }
                    acc.maybe = m;
                }
            }
        }
        let maybe: Vec<V<'d>> = acc.maybe.into_iter().map(|(_, v)| v).collect();
        let values = acc.values;
        match op {
            AggregateOp::Count => count_value(acc.certain, acc.unknown),
            AggregateOp::CountDistinct => count_value(acc.keys.len(), acc.unknown),
            AggregateOp::Exists => V::tri(acc.any),
            AggregateOp::All => V::tri(acc.all),
            _ if acc.value_unknown => V::Missing,
            // numbers and ranges: interval arithmetic, certain whenever it is decided
            _ if values.iter().chain(&maybe).all(|v| bounds(v).is_some()) => {
                numeric_aggregate(op, &values, &maybe)
            }
            _ if !maybe.is_empty() => V::Missing,
            AggregateOp::Sum | AggregateOp::Avg => {
                let mut sum = 0.0;
                for v in &values {
                    match v.value() {
                        Some(Value::Number(n)) => sum += n,
                        _ => return V::Missing,
                    }
                }
                if op == AggregateOp::Avg {
                    if values.is_empty() {
                        return V::Missing;
                    }
                    sum /= values.len() as f64;
                }
                V::num(sum)
            }
            AggregateOp::Min | AggregateOp::Max => {
                if values.is_empty() {
                    return V::Missing;
                }
                extreme(values, op == AggregateOp::Max)
            }
        }
    }
}

/// A number or a range as bounds (`None`: open, i.e. minus or plus infinity).
fn bounds(v: &V<'_>) -> Option<(Option<f64>, Option<f64>)> {
    match v.value()? {
        Value::Number(n) => Some((Some(*n), Some(*n))),
        Value::Range { min, max } => Some((*min, *max)),
        _ => None,
    }
}

/// A number when both bounds meet, else a range (either end open).
fn from_bounds<'d>(lo: Option<f64>, hi: Option<f64>) -> V<'d> {
    match (lo, hi) {
        (Some(a), Some(b)) if a == b => V::num(a),
        _ => V::owned(Value::Range { min: lo, max: hi }),
    }
}

/// `sum`, `avg`, `min`, `max` over numbers and ranges by interval arithmetic: `values`
/// are of elements that pass the filter, `maybe` of elements that may. The result is
/// a range where the figures leave it open, and decides every comparison its bounds
/// decide: the max of 50 and "at least 83" is at least 83.
fn numeric_aggregate<'d>(op: AggregateOp, values: &[V<'d>], maybe: &[V<'d>]) -> V<'d> {
    let b = |vs: &[V<'d>]| -> Vec<(Option<f64>, Option<f64>)> {
        vs.iter().filter_map(bounds).collect()
    };
    let (sure, may) = (b(values), b(maybe));
    let add = |x: Option<f64>, y: Option<f64>| Some(x? + y?);
    match op {
        AggregateOp::Sum => {
            // an element that may be left out adds between 0 and its value
            let (mut lo, mut hi) = (Some(0.0), Some(0.0));
            for (l, h) in &sure {
                lo = add(lo, *l);
                hi = add(hi, *h);
            }
            for (l, h) in &may {
                lo = add(lo, l.map(|x| x.min(0.0)));
                hi = add(hi, h.map(|x| x.max(0.0)));
            }
            from_bounds(lo, hi)
        }
        AggregateOp::Avg => {
            if sure.is_empty() || !may.is_empty() {
                return V::Missing;
            }
            let n = sure.len() as f64;
            let lo = sure.iter().try_fold(0.0, |s, (l, _)| Some(s + (*l)?));
            let hi = sure.iter().try_fold(0.0, |s, (_, h)| Some(s + (*h)?));
            from_bounds(lo.map(|x| x / n), hi.map(|x| x / n))
        }
        AggregateOp::Max | AggregateOp::Min => {
            if sure.is_empty() {
                return V::Missing;
            }
            let max = op == AggregateOp::Max;
            // for max: at least the largest lower bound of the sure elements, at most
            // the largest upper bound of all (an open end is infinite); min mirrors it
            let pick = |a: Option<f64>, b: Option<f64>, open_wins: bool| match (a, b) {
                (Some(x), Some(y)) => Some(if max { x.max(y) } else { x.min(y) }),
                _ if open_wins => None,
                (x, y) => x.or(y),
            };
            let (inner, outer): (Vec<Option<f64>>, Vec<Option<f64>>) = if max {
                (
                    sure.iter().map(|(l, _)| *l).collect(),
                    sure.iter().chain(&may).map(|(_, h)| *h).collect(),
                )
            } else {
                (
                    sure.iter().map(|(_, h)| *h).collect(),
                    sure.iter().chain(&may).map(|(l, _)| *l).collect(),
                )
            };
            let inner = inner.into_iter().reduce(|a, b| pick(a, b, false)).flatten();
            let outer = outer.into_iter().reduce(|a, b| pick(a, b, true)).flatten();
            if max {
                from_bounds(inner, outer)
            } else {
                from_bounds(outer, inner)
            }
        }
        _ => V::Missing,
    }
}

fn count_value<'d>(certain: usize, unknown: usize) -> V<'d> {
    if unknown == 0 {
        V::num(certain as f64)
    } else {
        V::owned(Value::Range {
            min: Some(certain as f64),
            max: Some((certain + unknown) as f64),
        })
    }
}

/// A canonical text key for distinct counting.
fn key_of(v: &V) -> String {
    match v {
        V::Rec(r, c) => format!("r:{c}:{}", r.id),
        V::Val(x) => format!("{}:{}", x.type_name(), x),
        V::Missing => String::new(),
    }
}

/// The largest (or smallest) of values that are all precise numbers, precise dates
/// or strings; unknown when any is a range or an imprecise date whose order is unclear.
fn extreme<'d>(values: Vec<V<'d>>, max: bool) -> V<'d> {
    let mut best: Option<V<'d>> = None;
    for v in values {
        match &best {
            None => best = Some(v),
            Some(b) => {
                let t = ops::order(b, &v, true, false); // b < v
                match t {
                    Tri::Unknown if ops::eq(b, &v) != Tri::True => return V::Missing,
                    Tri::True if max => best = Some(v),
                    Tri::False if !max && ops::eq(b, &v) != Tri::True => best = Some(v),
                    _ => {}
                }
            }
        }
    }
    best.unwrap_or(V::Missing)
}

fn list_elements<'d>(cx: &Cx<'d, '_>, list: V<'d>, deref: Option<&str>) -> Option<Vec<V<'d>>> {
    let items: Vec<V<'d>> = match list {
        V::Val(Cow::Borrowed(Value::List(items))) => {
            items.iter().map(|v| V::Val(Cow::Borrowed(v))).collect()
        }
        V::Val(Cow::Owned(Value::List(items))) => items.into_iter().map(V::owned).collect(),
        _ => return None,
    };
    Some(match deref {
        Some(coll) => items
            .into_iter()
            .map(|v| match v.str() {
                Some(id) => cx.record(coll, id).unwrap_or(V::Missing),
                None => V::Missing,
            })
            .collect(),
        None => items,
    })
}

fn field_of_value<'v>(v: &'v Value, name: &str) -> Option<Cow<'v, Value>> {
    match v {
        Value::Map(m) => m.get(name).map(Cow::Borrowed),
        Value::Range { min, max } => match name {
            "min" => min.map(|n| Cow::Owned(Value::Number(n))),
            "max" => max.map(|n| Cow::Owned(Value::Number(n))),
            _ => None,
        },
        Value::Number(n) if matches!(name, "min" | "max") => Some(Cow::Owned(Value::Number(*n))),
        Value::Time(t) => match name {
            "start" | "end" => time_end(t, name == "start").map(|t| Cow::Owned(Value::Time(t))),
            _ => None,
        },
        _ => None,
    }
}

/// The start or end of a time. An explicit interval's ends are days (unknown when
/// open); a single date of any precision is its own start and end, so the start of
/// `2026` stays the imprecise year rather than becoming 1 January.
fn time_end(t: &Time, start: bool) -> Option<Time> {
    if t.precision != crate::data::Precision::Interval {
        return Some(t.clone());
    }
    let d = if start { t.start } else { t.end };
    d.map(Time::day)
}

/// Apply a non-short-circuit binary operator.
pub fn apply_binary<'d>(op: BinaryOp, a: &V<'d>, b: &V<'d>) -> V<'d> {
    use BinaryOp::*;
    let t = match op {
        Eq => ops::eq(a, b),
        Ne => ops::eq(a, b).not(),
        Lt => ops::order(a, b, true, false),
        Le => ops::order(a, b, false, false),
        Gt => ops::order(a, b, true, true),
        Ge => ops::order(a, b, false, true),
        EqIgnoreCase => ops::str_pred(a, b, |x, y| x.to_lowercase() == y.to_lowercase()),
        In => ops::member(a, b),
        NotIn => ops::member(a, b).not(),
        Contains => ops::member(b, a),
        StartsWith => ops::str_pred(a, b, |x, y| x.starts_with(y)),
        EndsWith => ops::str_pred(a, b, |x, y| x.ends_with(y)),
        Before => ops::before(a, b),
        After => ops::before(b, a),
        During => ops::during(a, b),
        Add => return ops::add(a, b, 1),
        Sub => return ops::add(a, b, -1),
        Mul => return ops::arith(a, b, '*'),
        Div => return ops::arith(a, b, '/'),
        Rem => return ops::arith(a, b, '%'),
        Coalesce => return if a.is_missing() { b.clone() } else { a.clone() },
        And => a.truth().and(b.truth()),
        Or => a.truth().or(b.truth()),
        Matches => Tri::Unknown,
    };
    V::tri(t)
}

fn builtin<'d>(f: Builtin, args: &[V<'d>]) -> V<'d> {
    let a = args.first().cloned().unwrap_or(V::Missing);
    let s = |f: &dyn Fn(&str) -> String| match a.str() {
        Some(x) => V::owned(Value::Str(f(x).into())),
        None => V::Missing,
    };
    match f {
        Builtin::Lower => s(&|x| x.to_lowercase()),
        Builtin::Upper => s(&|x| x.to_uppercase()),
        Builtin::Trim => s(&|x| x.trim().to_string()),
        Builtin::Len => match a.value() {
            Some(Value::List(l)) => V::num(l.len() as f64),
            Some(Value::Str(x)) => V::num(x.chars().count() as f64),
            _ => V::Missing,
        },
        Builtin::Year => match a.value() {
            Some(Value::Time(t)) => t.year().map(|y| V::num(y as f64)).unwrap_or(V::Missing),
            _ => V::Missing,
        },
        Builtin::Start | Builtin::End => match a.value() {
            Some(Value::Time(t)) => time_end(t, f == Builtin::Start)
                .map(|t| V::owned(Value::Time(t)))
                .unwrap_or(V::Missing),
            _ => V::Missing,
        },
        Builtin::Abs => match a.value() {
            Some(Value::Number(n)) => V::num(n.abs()),
            _ => V::Missing,
        },
        Builtin::Lo | Builtin::Hi => match a.value() {
            Some(Value::Number(n)) => V::num(*n),
            Some(Value::Range { min, max }) => {
                let x = if f == Builtin::Lo { min } else { max };
                x.map(V::num).unwrap_or(V::Missing)
            }
            _ => V::Missing,
        },
        Builtin::Date => {
            let t = match a.value() {
                Some(Value::Str(x)) => Time::parse(x),
                // an inferred CSV column of `20260107`s holds numbers
                Some(Value::Number(n)) if n.fract() == 0.0 && *n >= 0.0 => {
                    Time::parse(&crate::data::value::fmt_number(*n))
                }
                _ => a.str().and_then(Time::parse),
            };
            t.map(|t| V::owned(Value::Time(t))).unwrap_or(V::Missing)
        }
        Builtin::IsPrecise => match a.value() {
            Some(Value::Time(t)) => V::bool(t.is_precise()),
            _ => V::Missing,
        },
        Builtin::Days => match a.value() {
            Some(Value::Duration(d)) => V::num(d.months as f64 * 30.436875 + d.days as f64),
            _ => V::Missing,
        },
        Builtin::Slice => {
            let to = match args.get(2) {
                None => Some(i64::MAX),
                Some(t) => whole(t),
            };
            let (Some(from), Some(to)) = (args.get(1).and_then(whole), to) else {
                return V::Missing;
            };
            match a.value() {
                Some(Value::List(l)) => {
                    let (i, j) = slice_bounds(l.len(), from, to);
                    V::owned(Value::List(l[i..j].to_vec()))
                }
                _ => match a.str() {
                    Some(x) => {
                        let (i, j) = slice_bounds(x.chars().count(), from, to);
                        V::owned(Value::Str(
                            x.chars().skip(i).take(j - i).collect::<String>().into(),
                        ))
                    }
                    None => V::Missing,
                },
            }
        }
        Builtin::At => {
            let Some(i) = args.get(1).and_then(whole) else {
                return V::Missing;
            };
            let at = |n: usize| {
                let k = if i < 0 { n as i64 + i } else { i };
                (0..n as i64).contains(&k).then_some(k as usize)
            };
            match a.value() {
                Some(Value::List(l)) => match at(l.len()).map(|k| &l[k]) {
                    Some(Value::Null) | None => V::Missing,
                    Some(v) => V::owned(v.clone()),
                },
                _ => match a.str() {
                    Some(x) => match at(x.chars().count()).and_then(|k| x.chars().nth(k)) {
                        Some(c) => V::owned(Value::Str(c.to_string().into())),
                        None => V::Missing,
                    },
                    None => V::Missing,
                },
            }
        }
        Builtin::Concat => {
            let mut out = String::new();
            for v in args {
                match v.str() {
                    Some(x) => out.push_str(x),
                    None => return V::Missing,
                }
            }
            V::owned(Value::Str(out.into()))
        }
        Builtin::Split => {
            let (Some(x), Some(sep)) = (a.str(), args.get(1).and_then(V::str)) else {
                return V::Missing;
            };
            let parts: Vec<Value> = if sep.is_empty() {
                x.chars()
                    .map(|c| Value::Str(c.to_string().into()))
                    .collect()
            } else {
                x.split(sep).map(|p| Value::Str(p.into())).collect()
            };
            V::owned(Value::List(parts))
        }
        // read the dataset, or count their work: `Cx::read_dataset`, `Cx::quoted_in`
        Builtin::Origin | Builtin::Owner | Builtin::Text | Builtin::Verdict | Builtin::QuotedIn => {
            V::Missing
        }
    }
}

/// A whole number given as an index: a number, or a range of one value; `None` (so
/// the builtin is unknown) for anything else, a fraction or a range that is not one
/// value.
fn whole(v: &V) -> Option<i64> {
    let n = match v.value()? {
        Value::Number(n) => *n,
        Value::Range {
            min: Some(a),
            max: Some(b),
        } if a == b => *a,
        _ => return None,
    };
    (n.fract() == 0.0 && n.abs() < 1e15).then_some(n as i64)
}

/// The positions `from..to` of a sequence of `len` items, counted from the end when
/// negative and clamped to the sequence (so `from` never passes `to`).
fn slice_bounds(len: usize, from: i64, to: i64) -> (usize, usize) {
    let n = len as i64;
    let place = |k: i64| if k < 0 { (n + k).max(0) } else { k.min(n) };
    let (i, j) = (place(from), place(to));
    (i as usize, j.max(i) as usize)
}
