//! Running a checked suite over a dataset: the planned evaluator (indexes, pushdown),
//! the reference evaluator (nested loops, for tests), findings with their evidence,
//! claim verdicts, and explanations.

pub mod explain;
pub mod expr;
pub mod finding;
mod group;
pub mod index;
pub mod ops;
pub mod run;

use crate::check::ir::{CKind, CMessagePart, CRule, Suite};
use crate::data::{Dataset, Value};
use crate::diag::{Diagnostic, Sources, Span, VerdictKind};
use crate::plan::{plan_rule, RulePlan};
use expr::{BoundedScan, Budget, Cx, Scan};
pub use finding::{
    Certainty, ClaimVerdict, Claimant, DataErrors, Evidence, Finding, Group, GroupKey, Report,
    SourceRef, Summary, VerdictRef, When,
};
use ops::V;
use rayon::prelude::*;
use std::collections::BTreeMap;

pub use run::Limits;

use crate::sql::{self, Dialect, Shape};

/// Which evaluator runs the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Engine {
    /// Pushdown and indexes.
    #[default]
    Planned,
    /// Nested loops over everything (for tests).
    Reference,
    /// The rules compiled to SQL and run on embedded DuckDB (cargo feature `duckdb`);
    /// the findings are built here, as the planned engine builds them. A rule that
    /// does not compile runs on the planned engine, with a warning (`S0005`).
    DuckDb,
}

/// `--timeout` by default: one rule's query on DuckDB.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Clone, Debug)]
pub struct RunOptions {
    pub engine: Engine,
    pub limits: Limits,
    /// Stop collecting findings past this many (a warning says so).
    pub max_findings: usize,
    /// Run rules in parallel, and the outer loop of a rule in pieces.
    pub parallel: bool,
    /// The fewest elements of a rule's outer loop one piece runs (with `parallel`):
    /// loops shorter than two pieces run whole.
    pub piece: usize,
    /// Values that replace the suite's constants (`--set NAME=VALUE`).
    pub overrides: BTreeMap<String, Value>,
    /// How long one rule's query may run on DuckDB (`--timeout`): there, work is
    /// not counted, so time bounds it (`E0004` when it runs out).
    pub timeout: std::time::Duration,
    /// Where to note how long each rule took, and its findings (`--time`); `None`
    /// (the default) notes nothing. Never part of the report: times are not
    /// deterministic.
    pub timings: Option<Timings>,
}

/// Each rule's id, how long it took and how many findings it had, in the order the
/// rules finished.
pub type Timings = std::sync::Arc<std::sync::Mutex<Vec<(String, std::time::Duration, usize)>>>;

/// Run `f` for `rule`, noting its time in `timings` when asked.
fn timed(
    rule: &CRule,
    timings: Option<&Timings>,
    f: impl FnOnce() -> Result<RuleFindings, Box<Diagnostic>>,
) -> Result<RuleFindings, Box<Diagnostic>> {
    let Some(t) = timings else {
        return f();
    };
    let start = std::time::Instant::now();
    let out = f();
    let n = out.as_ref().map_or(0, |r| r.total);
    if let Ok(mut list) = t.lock() {
        list.push((rule.info.id.clone(), start.elapsed(), n));
    }
    out
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            engine: Engine::Planned,
            limits: Limits::default(),
            max_findings: 100_000,
            parallel: true,
            piece: 1024,
            overrides: BTreeMap::new(),
            timeout: DEFAULT_TIMEOUT,
            timings: None,
        }
    }
}

/// The text a span covers in the rule files, for messages about predicates.
pub fn span_text(sources: &Sources, span: &Span) -> String {
    sources
        .get(&span.file)
        .and_then(|t| t.get(span.start..span.end))
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Evaluate the suite's constants, in order, applying overrides; then one slot more,
/// unknown, for the verdicts `verdict_of()` reads (see `run`).
pub fn eval_consts(suite: &Suite, ds: &Dataset, overrides: &BTreeMap<String, Value>) -> Vec<Value> {
    let mut values: Vec<Value> = Vec::with_capacity(suite.consts.len());
    for c in &suite.consts {
        if let Some(v) = overrides.get(&c.name) {
            values.push(v.clone());
            continue;
        }
        let cx = Cx {
            ds,
            consts: &values,
            access: &Scan,
        };
        let v = match cx.eval(&c.expr, &mut Vec::new()) {
            V::Val(v) => v.into_owned(),
            V::Rec(r, _) => Value::Str(r.id.clone()),
            V::Missing => Value::Null,
        };
        values.push(v);
    }
    // one slot more: the claims' verdicts that `verdict_of()` reads, filled by `run`
    // between the rules that give verdicts and those that read them
    values.push(Value::Null);
    values
}

fn source_refs(ds: &Dataset, rec: &crate::data::Record) -> Vec<SourceRef> {
    let Some(Value::List(ids)) = rec.get("sources") else {
        return Vec::new();
    };
    let text = |r: &crate::data::Record, f: &str| r.get(f).map(|v| v.to_string());
    ids.iter()
        .filter_map(|v| v.as_str())
        .map(|id| match ds.record("sources", id) {
            Some(s) => SourceRef {
                id: id.to_string(),
                title: text(s, "title"),
                publisher: text(s, "publisher"),
                url: text(s, "url"),
                date: text(s, "date"),
                reliability: text(s, "reliability"),
                retracted: text(s, "retracted"),
                corrected: text(s, "corrected"),
            },
            None => SourceRef {
                id: id.to_string(),
                ..SourceRef::default()
            },
        })
        .collect()
}

/// The leaves of an unknown predicate that made it unknown, for people: a field that
/// is missing (`` `a.consent` is missing in actions/a3 (data.yaml:10:5) ``) or whose
/// value is imprecise (`` `f.value` is 75-100 in facts/f1 (...) ``). Aggregates and
/// quantifiers are named whole when unknown. Each leaf once, in the order written.
fn why_unknown<'d>(
    cx: &Cx<'d, '_>,
    e: &crate::check::CExpr,
    env: &mut expr::Env<'d>,
    sources: &Sources,
    out: &mut Vec<String>,
) {
    use crate::check::CKind;
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    match &e.kind {
        CKind::Field { base, .. } => {
            let b = cx.eval(base, env);
            if b.is_missing() {
                // the base is what is missing (`a.target.name` without a target)
                why_unknown(cx, base, env, sources, out);
                return;
            }
            let where_ = match &b {
                V::Rec(r, coll) => format!(" in {coll}/{} ({})", r.id, r.span),
                _ => String::new(),
            };
            let v = cx.eval(e, env);
            let text = span_text(sources, &e.span);
            if v.is_missing() {
                push(format!("`{text}` is missing{where_}"));
            } else if imprecise(&v) {
                push(format!("`{text}` is {}{where_}", v.display()));
            }
        }
        CKind::Aggregate(a) => {
            let v = cx.eval(e, env);
            let text = span_text(sources, &e.span);
            let unknown = v.is_missing() || v.truth() == ops::Tri::Unknown;
            if !unknown && !imprecise(&v) {
                return;
            }
            // look inside: the first elements whose filter or value is unknown name
            // the values that left the whole undecided (`a.consent` in an `exists`)
            let before = out.len();
            // the records that may pass the filter (an index's candidates, in order):
            // the others are skipped below anyway
            // at most `MAX_WHY_SCAN` of them: an explanation, not a second evaluation
            let cands = match &a.source {
                crate::check::ir::CSource::Collection(c) => Some(
                    cx.access
                        .candidates(a, cx, env, MAX_WHY_SCAN)
                        .unwrap_or_else(|| {
                            let n = cx.collection(c).map_or(0, |(_, r)| r.len());
                            (0..n.min(MAX_WHY_SCAN) as u32).collect()
                        }),
                ),
                _ => None,
            };
            let elems = cx.elements(&a.source, env, cands);
            if let Some(elems) = elems {
                if env.len() <= a.var {
                    env.resize(a.var + 1, V::Missing);
                }
                let saved = env[a.var].clone();
                let mut named = 0;
                for el in elems {
                    if named >= MAX_INNER_LEAVES {
                        break;
                    }
                    env[a.var] = el;
                    let f = a.filter.as_ref().map(|f| cx.truth(f, env));
                    if f == Some(ops::Tri::False) {
                        continue;
                    }
                    let n = out.len();
                    if f == Some(ops::Tri::Unknown) {
                        why_unknown(cx, a.filter.as_ref().unwrap_or(e), env, sources, out);
                    }
                    if let Some(val) = &a.value {
                        let x = cx.eval(val, env);
                        if x.is_missing() || x.truth() == ops::Tri::Unknown || imprecise(&x) {
                            why_unknown(cx, val, env, sources, out);
                        }
                    }
                    named += usize::from(out.len() > n);
                }
                env[a.var] = saved;
            }
            if out.len() == before {
                let what = if v.is_missing() {
                    "unknown".to_string()
                } else {
                    v.display()
                };
                let s = format!("`{text}` is {what}");
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        CKind::Binary(crate::syntax::ast::BinaryOp::Coalesce, l, r) => {
            if cx.eval(l, env).is_missing() {
                why_unknown(cx, r, env, sources, out);
            } else {
                why_unknown(cx, l, env, sources, out);
            }
        }
        CKind::Binary(_, l, r) => {
            why_unknown(cx, l, env, sources, out);
            why_unknown(cx, r, env, sources, out);
        }
        CKind::Unary(_, x) | CKind::Matches(x, _) => why_unknown(cx, x, env, sources, out),
        CKind::Missing { .. } => {}
        CKind::Within { lhs, window, rhs } => {
            for x in [lhs, window, rhs] {
                why_unknown(cx, x, env, sources, out);
            }
        }
        CKind::Call(_, args) | CKind::List(args) => {
            for x in args {
                why_unknown(cx, x, env, sources, out);
            }
        }
        CKind::Lit(_) | CKind::Var(_) | CKind::Const(_) => {}
    }
}

/// How many elements of one quantifier or aggregate `why_unknown` names at most.
const MAX_INNER_LEAVES: usize = 3;

/// At most this many elements of an aggregate are looked into to name what left it
/// undecided (each possible finding asks; the names come from the first ones anyway).
const MAX_WHY_SCAN: usize = 4096;

/// A value known only within bounds: a range of numbers, or a date that is not one
/// precise day.
fn imprecise(v: &V<'_>) -> bool {
    match v.value() {
        Some(Value::Range { min, max }) => min != max || min.is_none(),
        Some(Value::Time(t)) => {
            t.precision != crate::data::Precision::Day || t.start.is_none() || t.start != t.end
        }
        _ => false,
    }
}

/// The findings of one rule: at most `keep` certain and `keep` possible ones (the
/// first by position), which is all a cut at `--max-findings` can keep of them, and
/// how many there were before that.
pub struct RuleFindings {
    pub findings: Vec<Finding>,
    pub total: usize,
    pub certain: usize,
}

/// Turn the matches of one rule into findings: one per match, or one per group. Only
/// the findings a cut at `keep` (`--max-findings`) could keep are built; messages and
/// what left each finding undecided are evaluated within the rule's work budget.
#[allow(clippy::too_many_arguments)]
fn findings_of(
    rule: &CRule,
    plan: &RulePlan,
    matches: Vec<run::Match<'_>>,
    ds: &Dataset,
    consts: &[Value],
    rule_sources: &Sources,
    budget: &Budget,
    keep: usize,
    engine: Engine,
    split: Option<usize>,
) -> RuleFindings {
    // the planned engine re-evaluates with its indexes (aggregates once per key), the
    // reference one by scanning
    let scan = BoundedScan(budget);
    let tables = (engine == Engine::Planned).then(|| run::Tables::new(plan, ds));
    let indexed;
    let access: &dyn expr::AggAccess<'_> = match &tables {
        Some(tables) => {
            indexed = run::Indexed { tables, budget };
            &indexed
        }
        None => &scan,
    };
    let cx = Cx { ds, consts, access };
    let mut ms = matches;
    ms.sort_by(|a, b| a.positions.cmp(&b.positions));
    if let Some(g) = &rule.group {
        let findings = group::grouped(rule, plan, g, &cx, ms, rule_sources);
        let total = findings.len();
        let certain = findings
            .iter()
            .filter(|f| f.certainty == Certainty::Certain)
            .count();
        let findings =
            first_of_each_certainty(findings, keep, |f| f.certainty == Certainty::Certain);
        return RuleFindings {
            findings,
            total,
            certain,
        };
    }
    let total = ms.len();
    let certain = ms.iter().filter(|m| m.unknown.is_empty()).count();
    let ms = first_of_each_certainty(ms, keep, |m| m.unknown.is_empty());
    // in pieces on the rayon pool, as the matches were found (see `run::planned`)
    if let Some(tables) = &tables {
        let limits = Limits {
            max_work: budget.max(),
            max_bindings: u64::MAX,
        };
        let pieces = run::Pieces {
            ds,
            consts,
            tables,
            limits: &limits,
            split,
        };
        if let Some(size) = pieces.piece_size(ms.len()) {
            let parts = pieces.in_pieces(ms.len(), size, budget, |range, cx| {
                let found = ms[range]
                    .iter()
                    .map(|m| finding_of(rule, plan, cx, &mut m.clone(), 1, rule_sources))
                    .collect::<Vec<_>>();
                Ok((found, 0))
            });
            // over the budget: so is one loop (the pieces do its work exactly, see
            // `run::Tables`), and `run_rule` reports the one error it would; nothing
            // is built again
            if parts.is_none() {
                budget.spend(u64::MAX);
            }
            return RuleFindings {
                findings: parts.map(|p| p.concat()).unwrap_or_default(),
                total,
                certain,
            };
        }
    }
    let findings = ms
        .into_iter()
        .map(|mut m| finding_of(rule, plan, &cx, &mut m, 1, rule_sources))
        .collect();
    RuleFindings {
        findings,
        total,
        certain,
    }
}

/// The first `keep` items that are certain and the first `keep` that are not, in
/// their order: what `keep_certain_first` can keep of one rule's findings.
fn first_of_each_certainty<T>(items: Vec<T>, keep: usize, certain: impl Fn(&T) -> bool) -> Vec<T> {
    let (mut c, mut p) = (0usize, 0usize);
    items
        .into_iter()
        .filter(|x| {
            let n = if certain(x) { &mut c } else { &mut p };
            *n += 1;
            *n <= keep
        })
        .collect()
}

/// The finding of one match; `count` is what `{count}` reads in its message.
fn finding_of<'d>(
    rule: &CRule,
    plan: &RulePlan,
    cx: &Cx<'d, '_>,
    m: &mut run::Match<'d>,
    count: usize,
    rule_sources: &Sources,
) -> Finding {
    let mut message = String::new();
    for p in &rule.message {
        match p {
            CMessagePart::Text(t) => message.push_str(t),
            CMessagePart::Expr(e) => message.push_str(&cx.eval(e, &mut m.env).display()),
            CMessagePart::Count => message.push_str(&count.to_string()),
        }
    }
    let mut keys: Vec<(String, String)> = Vec::new();
    let evidence = evidence_of(rule, cx.ds, m, &mut keys);
    let key_refs: Vec<(&str, &str)> = keys.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let verdict = rule.verdict.and_then(|(kind, var)| match &m.env[var] {
        V::Rec(r, _) => Some(VerdictRef {
            kind,
            claim: r.id.to_string(),
        }),
        _ => None,
    });
    Finding {
        id: Finding::fingerprint(&rule.info.id, &key_refs),
        rule: rule.info.id.clone(),
        severity: rule.info.severity,
        certainty: if m.unknown.is_empty() {
            Certainty::Certain
        } else {
            Certainty::Possible
        },
        message,
        evidence,
        verdict,
        unknown: m
            .unknown
            .iter()
            .map(|&i| span_text(rule_sources, &plan.conjuncts[i].span))
            .collect(),
        undecided: undecided_of(plan, cx, m, rule_sources),
        group: None,
    }
}

/// What left a match's unknown conjuncts unknown (see `why_unknown`).
fn undecided_of<'d>(
    plan: &RulePlan,
    cx: &Cx<'d, '_>,
    m: &mut run::Match<'d>,
    rule_sources: &Sources,
) -> Vec<String> {
    let mut out = Vec::new();
    for &i in &m.unknown {
        why_unknown(cx, &plan.conjuncts[i], &mut m.env, rule_sources, &mut out);
    }
    out
}

/// The records a match binds, in the order of the bindings; `keys` gets what the
/// finding's fingerprint is made of (collection and id per binding).
fn evidence_of(
    rule: &CRule,
    ds: &Dataset,
    m: &run::Match<'_>,
    keys: &mut Vec<(String, String)>,
) -> Vec<Evidence> {
    let mut evidence = Vec::new();
    for b in &rule.bindings {
        let var = &rule.vars[b.var].name;
        match &m.env[b.var] {
            V::Rec(r, coll) => {
                keys.push((coll.to_string(), r.id.to_string()));
                evidence.push(Evidence {
                    var: var.clone(),
                    collection: coll.to_string(),
                    id: r.id.to_string(),
                    span: r.span.clone(),
                    test: matches!(r.get("test"), Some(Value::Bool(true))),
                    sources: source_refs(ds, r),
                    when: match r.get("date").or_else(|| r.get("time")) {
                        Some(Value::Time(t)) => Some(finding::When {
                            start: t.start,
                            end: t.end,
                            text: t.raw.to_string(),
                        }),
                        _ => None,
                    },
                    actor: r.get("actor").and_then(Value::as_str).map(str::to_string),
                });
            }
            other => keys.push((String::new(), other.display())),
        }
    }
    evidence
}

/// Run one rule with the chosen engine, within its budgets (`Limits`): finding the
/// matches and building their findings spend from one work budget.
pub fn run_rule(
    rule: &CRule,
    ds: &Dataset,
    consts: &[Value],
    rule_sources: &Sources,
    opts: &RunOptions,
) -> Result<RuleFindings, Box<Diagnostic>> {
    let plan = plan_rule(rule);
    let budget = Budget::new(opts.limits.max_work);
    let matches = match opts.engine {
        Engine::Planned | Engine::DuckDb => run::planned(
            rule,
            &plan,
            ds,
            consts,
            &opts.limits,
            &budget,
            opts.parallel.then_some(opts.piece),
        )?,
        Engine::Reference => run::reference(rule, &plan, ds, consts, &opts.limits, &budget)?,
    };
    let found = findings_of(
        rule,
        &plan,
        matches,
        ds,
        consts,
        rule_sources,
        &budget,
        opts.max_findings,
        opts.engine,
        opts.parallel.then_some(opts.piece),
    );
    within_budget(rule, found, &budget, opts)
}

/// A rule's findings, or the work error of building them when that spent the rest of
/// its budget.
fn within_budget(
    rule: &CRule,
    found: RuleFindings,
    budget: &Budget,
    opts: &RunOptions,
) -> Result<RuleFindings, Box<Diagnostic>> {
    if budget.exhausted() {
        return Err(run::work_error(
            rule,
            rule.info.span.clone(),
            "building its findings: messages, group keys and what left them undecided".into(),
            &opts.limits,
        ));
    }
    Ok(found)
}

/// Run one rule on DuckDB: its matches from its query (`sql::Shape::Matches`), its
/// findings built as the planned engine builds them. A rule with no translation runs
/// on the planned engine, and `diags` gets a warning saying why.
#[allow(clippy::too_many_arguments)]
fn on_duckdb(
    db: &sql::duckdb::Db,
    query: Result<String, Vec<Diagnostic>>,
    rule: &CRule,
    ds: &Dataset,
    consts: &[Value],
    rule_sources: &Sources,
    opts: &RunOptions,
    diags: &mut Vec<Diagnostic>,
) -> Result<RuleFindings, Box<Diagnostic>> {
    let native = RunOptions {
        engine: Engine::Planned,
        ..opts.clone()
    };
    let query = match query {
        Ok(q) => q,
        Err(why) => {
            let mut d = Diagnostic::warning(
                "S0005",
                format!(
                    "rule `{}` ran on the native engine: it does not compile to DuckDB",
                    rule.info.id
                ),
            )
            .help("docs/sql.md lists what compiles");
            if let Some(first) = why.into_iter().next() {
                if let Some(p) = first.primary {
                    d = d.at(p.span, p.message);
                }
            }
            diags.push(d);
            return run_rule(rule, ds, consts, rule_sources, &native);
        }
    };
    let plan = plan_rule(rule);
    let budget = Budget::new(opts.limits.max_work);
    let per_row = rule.bindings.len().max(1) as u64;
    let rows = db
        .matches(
            &query,
            rule.bindings.len(),
            opts.limits.max_bindings / per_row + 1,
            opts.timeout,
        )
        .map_err(|e| {
            Box::new(
                Diagnostic::error(
                    "E0004",
                    format!("rule `{}` failed on DuckDB: {e}", rule.info.id),
                )
                .at(rule.info.span.clone(), "this rule")
                .help("tie each variable to an earlier one with a condition (e.g. `b.actor == a.actor`), raise --timeout, or run it with the native engine (`--engine planned`)"),
            )
        })?;
    let matches = run::from_rows(rule, &plan, ds, consts, rows, &opts.limits, &budget)?;
    let found = findings_of(
        rule,
        &plan,
        matches,
        ds,
        consts,
        rule_sources,
        &budget,
        opts.max_findings,
        Engine::Planned,
        opts.parallel.then_some(opts.piece),
    );
    within_budget(rule, found, &budget, opts)
}

/// The window of the first `a within W of b` of `rule` whose `W` is a constant
/// duration (a literal, or a const after `--set`).
fn window_of(rule: &CRule, consts: &[Value]) -> Option<crate::data::Duration> {
    let mut found = None;
    let mut look = |e: &crate::check::CExpr| {
        if found.is_some() {
            return;
        }
        if let CKind::Within { window, .. } = &e.kind {
            found = match &window.kind {
                CKind::Lit(Value::Duration(d)) => Some(*d),
                CKind::Const(i) => match consts.get(*i) {
                    Some(Value::Duration(d)) => Some(*d),
                    _ => None,
                },
                _ => None,
            };
        }
    };
    if let Some(c) = &rule.condition {
        c.walk(&mut look);
    }
    found
}

/// Run a checked suite over a dataset. Findings come in suite order, then in the
/// order of the records they bind; the same input gives the same report.
pub fn run(
    suite: &Suite,
    ds: &Dataset,
    rule_sources: &Sources,
    opts: &RunOptions,
) -> (Report, Vec<Diagnostic>) {
    let mut consts = eval_consts(suite, ds, &opts.overrides);
    let mut diags = Vec::new();
    // rules that read verdicts run after the rules that give them, with the verdicts
    // of their certain findings in the slot `eval_consts` keeps for them
    let (late, early): (Vec<usize>, Vec<usize>) =
        (0..suite.rules.len()).partition(|&i| suite.rules[i].reads_verdicts());
    let mut results: Vec<Option<Result<RuleFindings, Box<Diagnostic>>>> =
        suite.rules.iter().map(|_| None).collect();
    let rules =
        |which: &[usize]| -> Vec<&CRule> { which.iter().map(|&i| &suite.rules[i]).collect() };
    let done = run_rules(
        suite,
        &rules(&early),
        ds,
        &consts,
        rule_sources,
        opts,
        &mut diags,
    );
    for (&i, r) in early.iter().zip(done) {
        results[i] = Some(r);
    }
    if !late.is_empty() {
        // the verdict rules left out of this run give their verdicts too, unreported
        let support: Vec<&CRule> = suite.support.iter().collect();
        let mut supporting = Vec::new();
        if !support.is_empty() {
            // their errors are said like any rule's: a verdict they did not give is
            // not a verdict of not enough evidence
            let done = run_rules(suite, &support, ds, &consts, rule_sources, opts, &mut diags);
            for r in done {
                match r {
                    Ok(f) => supporting.push(f),
                    Err(d) => diags.push(*d),
                }
            }
        }
        let given: Vec<Finding> = (results.iter().flatten().filter_map(|r| r.as_ref().ok()))
            .chain(&supporting)
            .flat_map(|f| f.findings.iter().filter(|f| f.verdict.is_some()).cloned())
            .collect();
        let every = suite.rules.iter().chain(&suite.support);
        set_verdicts(&mut consts, &verdicts_of(every, ds, &given));
        let done = run_rules(
            suite,
            &rules(&late),
            ds,
            &consts,
            rule_sources,
            opts,
            &mut diags,
        );
        for (&i, r) in late.iter().zip(done) {
            results[i] = Some(r);
        }
    }
    let results = results.into_iter().flatten();
    let mut findings = Vec::new();
    let (mut all, mut certain) = (0usize, 0usize);
    for r in results {
        match r {
            Ok(f) => {
                all += f.total;
                certain += f.certain;
                findings.extend(f.findings);
            }
            Err(d) => diags.push(*d),
        }
    }
    if all > opts.max_findings {
        diags.push(
            Diagnostic::warning(
                "E0002",
                format!(
                    "reporting {} of {all} findings ({certain} certain)",
                    opts.max_findings
                ),
            )
            .help("certain findings are kept before possible ones; raise --max-findings to see them all"),
        );
        findings = keep_certain_first(findings, opts.max_findings);
    }
    let verdicts = claim_verdicts(suite, ds, &findings);
    let mut summary = Summary {
        rules: suite.rules.len(),
        records: ds.collections.values().map(|c| c.records.len()).sum(),
        ..Summary::default()
    };
    for f in &findings {
        match f.certainty {
            Certainty::Certain => summary.certain += 1,
            Certainty::Possible => summary.possible += 1,
        }
        *summary
            .by_severity
            .entry(f.severity.as_str().to_string())
            .or_default() += 1;
    }
    let windows = suite
        .rules
        .iter()
        .filter_map(|r| Some((r.info.id.clone(), window_of(r, &consts)?)))
        .collect();
    let report = Report {
        rules: suite.rules.iter().map(|r| r.info.clone()).collect(),
        findings,
        verdicts,
        summary,
        windows,
    };
    (report, diags)
}

/// Put `verdicts` in the slot after the suite's constants (`eval_consts`), where
/// `verdict_of` reads them: by claim id, `supported`, `refuted`,
/// `not-enough-evidence` or `conflicting`.
pub fn set_verdicts(consts: &mut [Value], verdicts: &[ClaimVerdict]) {
    let map = verdicts
        .iter()
        .map(|v| {
            let kind = v.verdict.map_or("conflicting", VerdictKind::as_str);
            (v.claim.clone(), Value::Str(kind.into()))
        })
        .collect();
    if let Some(slot) = consts.last_mut() {
        *slot = Value::Map(map);
    }
}

/// Run `rules` (of `suite`) on the engine `opts` names, in order.
fn run_rules(
    suite: &Suite,
    rules: &[&CRule],
    ds: &Dataset,
    consts: &[Value],
    rule_sources: &Sources,
    opts: &RunOptions,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Result<RuleFindings, Box<Diagnostic>>> {
    let on_db = if opts.engine == Engine::DuckDb {
        let threads = (!opts.parallel).then_some(1);
        let queries: Vec<_> = rules
            .iter()
            .map(|r| sql::compile_rule(suite, r, Dialect::DuckDb, Shape::Matches))
            .collect();
        // only the tables and columns the queries read are filled
        let mut names = std::collections::HashSet::new();
        for q in queries.iter().flatten() {
            names.extend(sql::quote::duckdb_names(q));
        }
        match sql::duckdb::open(ds, threads, &|n| names.contains(n)) {
            Ok(db) => Some(
                rules
                    .iter()
                    .zip(queries)
                    .map(|(r, q)| {
                        timed(r, opts.timings.as_ref(), || {
                            on_duckdb(&db, q, r, ds, consts, rule_sources, opts, diags)
                        })
                    })
                    .collect(),
            ),
            // the findings are the same either way: the run goes on natively, and
            // says why
            Err(d) => {
                let mut d = d.with_level(crate::diag::Level::Warning);
                d.message.push_str("; the rules ran on the native engine");
                diags.push(d);
                None
            }
        }
    } else {
        None
    };
    match on_db {
        Some(results) => results,
        None => {
            let native = RunOptions {
                engine: match opts.engine {
                    Engine::DuckDb => Engine::Planned,
                    e => e,
                },
                ..opts.clone()
            };
            if native.parallel {
                rules
                    .par_iter()
                    .map(|r| {
                        timed(r, native.timings.as_ref(), || {
                            run_rule(r, ds, consts, rule_sources, &native)
                        })
                    })
                    .collect()
            } else {
                rules
                    .iter()
                    .map(|r| {
                        timed(r, native.timings.as_ref(), || {
                            run_rule(r, ds, consts, rule_sources, &native)
                        })
                    })
                    .collect()
            }
        }
    }
}

/// At most `max` findings, certain ones before possible ones, in their original order:
/// a cut must never hide a certain finding behind possible ones (nor from `--fail-on`).
fn keep_certain_first(findings: Vec<Finding>, max: usize) -> Vec<Finding> {
    let certain = findings
        .iter()
        .filter(|f| f.certainty == Certainty::Certain)
        .count();
    let mut room_possible = max.saturating_sub(certain);
    let mut room_certain = max;
    findings
        .into_iter()
        .filter(|f| match f.certainty {
            Certainty::Certain if room_certain > 0 => {
                room_certain -= 1;
                true
            }
            Certainty::Possible if room_possible > 0 => {
                room_possible -= 1;
                true
            }
            _ => false,
        })
        .collect()
}

/// One verdict per claim, from the certain findings of verdict rules only: certain
/// findings that disagree make it conflicting (`None`); a claim with no certain
/// finding (none at all, or only possible ones) has not enough evidence. Possible
/// findings stay in `support`, so reports can list them and their unknowns.
pub fn claim_verdicts(suite: &Suite, ds: &Dataset, findings: &[Finding]) -> Vec<ClaimVerdict> {
    verdicts_of(suite.rules.iter(), ds, findings)
}

/// [`claim_verdicts`] of the claims that `rules` give verdicts on.
fn verdicts_of<'r>(
    rules: impl Iterator<Item = &'r CRule>,
    ds: &Dataset,
    findings: &[Finding],
) -> Vec<ClaimVerdict> {
    let mut collections: Vec<String> = Vec::new();
    for r in rules {
        if let Some((_, var)) = r.verdict {
            if let crate::check::Ty::Record(c) = &r.vars[var].ty {
                if !collections.contains(c) {
                    collections.push(c.clone());
                }
            }
        }
    }
    let mut support: BTreeMap<String, Vec<(VerdictKind, String, String, Certainty)>> =
        BTreeMap::new();
    for f in findings {
        if let Some(v) = &f.verdict {
            support.entry(v.claim.clone()).or_default().push((
                v.kind,
                f.rule.clone(),
                f.id.clone(),
                f.certainty,
            ));
        }
    }
    let mut out = Vec::new();
    for c in &collections {
        let Some(coll) = ds.collection(c) else {
            continue;
        };
        for r in &coll.records {
            let s = support.remove(&*r.id).unwrap_or_default();
            let pick = |cert: Certainty| {
                let mut kinds: Vec<VerdictKind> =
                    s.iter().filter(|x| x.3 == cert).map(|x| x.0).collect();
                kinds.sort();
                kinds.dedup();
                kinds
            };
            // only certain findings rate a claim: possible ones are listed beside the
            // verdict (with what left them undecided) but never decide it
            let kinds = pick(Certainty::Certain);
            let verdict = match kinds.len() {
                0 => Some(VerdictKind::NotEnoughEvidence),
                1 => Some(kinds[0]),
                _ => None,
            };
            let claimant = r.get("claimant").and_then(|v| v.as_str()).map(|id| {
                match ds.record("actors", id) {
                    Some(a) => crate::eval::finding::Claimant {
                        name: a
                            .get("name")
                            .map(|n| n.to_string())
                            .unwrap_or_else(|| id.to_string()),
                        is_person: a.get("kind").and_then(|k| k.as_str()) == Some("person"),
                    },
                    None => crate::eval::finding::Claimant {
                        name: id.to_string(),
                        is_person: false,
                    },
                }
            });
            out.push(ClaimVerdict {
                claim: r.id.to_string(),
                claim_text: r.get("text").map(|v| v.to_string()),
                claimant,
                span: r.span.clone(),
                verdict,
                support: s,
                appearance: source_refs(ds, r)
                    .into_iter()
                    .filter_map(|s| s.url)
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                    .collect(),
            });
        }
    }
    out
}
