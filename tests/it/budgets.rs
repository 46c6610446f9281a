//! Resource budgets (docs/budgets.md): def expansion (`C0027`) and recursion between
//! defs (`C0012`) at check time; bindings held (`E0001`, `--max-bindings`) and work
//! done (`E0003`, `--max-work`) by each rule, nested quantifiers included, in both
//! evaluators and in `explain`; findings built only up to `--max-findings`. Every input
//! is generated here; each budget is small, so each case stops in milliseconds where
//! the unbounded run took minutes or gigabytes. The default budgets are measured in
//! release by `scripts/budgets.sh`.

use factlint::check::check;
use factlint::data::{self, Dataset, LoadOptions};
use factlint::diag::{Diagnostic, Sources};
use factlint::eval::{self, Engine, Limits, RunOptions};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const RULES: &str = "budget.rules";

/// A folder holding `data.yaml` with `n` facts (values 0..n, four subjects).
fn data_dir(name: &str, n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("factlint-budgets-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut yaml = String::from("facts:\n");
    for i in 0..n {
        yaml.push_str(&format!(
            "  - {{id: f{i}, subject: S{}, property: p, value: {i}}}\n",
            i % 4
        ));
    }
    std::fs::write(dir.join("data.yaml"), yaml).expect("write data");
    dir
}

fn dataset(name: &str, n: usize) -> Dataset {
    let dir = data_dir(name, n);
    let (ds, diags) = data::load(std::slice::from_ref(&dir), &LoadOptions::default());
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let _ = std::fs::remove_dir_all(&dir);
    ds
}

/// Parse and check rule text; its diagnostics (parse and check).
fn checked(text: &str, ds: &Dataset) -> (factlint::check::Suite, Vec<Diagnostic>, Sources) {
    let (file, mut diags) = factlint::syntax::parse(RULES.into(), text);
    let (suite, cdiags) = check(&[file], &ds.schema);
    diags.extend(cdiags);
    let mut sources = Sources::new();
    sources.add(RULES.into(), Arc::from(text));
    (suite, diags, sources)
}

fn run(
    text: &str,
    ds: &Dataset,
    engine: Engine,
    limits: Limits,
) -> (eval::Report, Vec<Diagnostic>) {
    let (suite, diags, sources) = checked(text, ds);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let opts = RunOptions {
        engine,
        limits,
        parallel: false,
        ..RunOptions::default()
    };
    eval::run(&suite, ds, &sources, &opts)
}

/// Where a diagnostic points: `file:line:col`.
fn at(d: &Diagnostic) -> String {
    d.primary
        .as_ref()
        .map(|l| l.span.to_string())
        .unwrap_or_default()
}

/// The 1-based line and column where `needle` first starts in `text`.
fn pos(text: &str, needle: &str) -> String {
    let i = text.find(needle).expect("needle in text");
    let line = text[..i].matches('\n').count() + 1;
    let col = text[..i].rsplit('\n').next().unwrap_or("").chars().count() + 1;
    format!("{RULES}:{line}:{col}")
}

fn limits(max_bindings: u64, max_work: u64) -> Limits {
    Limits {
        max_bindings,
        max_work,
    }
}

/// Checks in well under a few seconds even in a debug build (the unbounded expansion
/// took more than a minute in release).
fn assert_quick(start: Instant) {
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn defs_that_use_each_other_twice_per_level_stop_at_the_expansion_budget() {
    let ds = dataset("double", 1);
    let mut text = String::from("def d0(x) = x.value == 1\n");
    for k in 1..=30 {
        text.push_str(&format!("def d{k}(x) = d{}(x) or d{}(x)\n", k - 1, k - 1));
    }
    text.push_str("\nrule deep {\n  for f in facts\n  where d30(f)\n}\n");
    let start = Instant::now();
    let (_, diags, _) = checked(&text, &ds);
    assert_quick(start);
    let errs: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "C0027").collect();
    assert_eq!(errs.len(), 1, "{diags:?}");
    let d = errs[0];
    assert_eq!(
        d.message,
        format!(
            "`d30` expands to more than {} expression nodes",
            factlint::check::resolve::MAX_EXPANSION
        )
    );
    // at the use in the rule, naming the chain of defs it went through
    assert_eq!(at(d), pos(&text, "d30(f)"));
    let found = d.found.as_deref().unwrap_or("");
    assert!(
        found.starts_with("more, still growing in the chain `d30` → `d29` → "),
        "{found}"
    );
    assert!(
        d.help.as_deref().unwrap_or("").contains("twice"),
        "{:?}",
        d.help
    );
}

#[test]
fn a_def_that_doubles_its_argument_stops_at_the_expansion_budget() {
    // one call per level, but each level copies its argument twice: 2^40 nodes
    let ds = dataset("args", 1);
    let mut text = String::from("def e0(x) = x\n");
    for k in 1..=40 {
        text.push_str(&format!("def e{k}(x) = e{}(concat(x, x))\n", k - 1));
    }
    text.push_str("\nrule long {\n  for f in facts\n  where len(e40(f.subject)) > 3\n}\n");
    let start = Instant::now();
    let (_, diags, _) = checked(&text, &ds);
    assert_quick(start);
    let d = diags.iter().find(|d| d.code == "C0027").expect("C0027");
    assert_eq!(at(d), pos(&text, "e40(f.subject)"));
}

#[test]
fn recursion_between_defs_is_reported_at_once_with_its_chain() {
    // a and b call each other twice: found only at depth 32 before, after 2^32 calls
    let ds = dataset("mutual", 1);
    let text = "def a(x) = b(x) or b(x)\ndef b(x) = c(x) and c(x)\ndef c(x) = a(x) or x.value > 1\n\nrule loops {\n  for f in facts\n  where a(f)\n}\n";
    let start = Instant::now();
    let (_, diags, _) = checked(text, &ds);
    assert_quick(start);
    // one cycle, said once (not once per def on it, nor again at the use)
    let cycles: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "C0012").collect();
    assert_eq!(cycles.len(), 1, "{diags:?}");
    let d = cycles[0];
    assert_eq!(d.message, "`a` calls itself through `b`, `c`");
    assert_eq!(at(d), pos(text, "a(x) or x.value"));
    assert_eq!(d.found.as_deref(), Some("the chain `a` → `b` → `c` → `a`"));
}

/// A rule whose where-clause nests three quantifiers over the same collection.
const NESTED: &str = "rule nested {\n  for f in facts\n  where count(x in facts where count(y in facts where exists(z in facts where z.value > y.value + x.value)) > 0) > 0\n}\n";

#[test]
fn nested_quantifiers_spend_the_work_budget_in_both_evaluators() {
    let ds = dataset("nested", 40);
    for engine in [Engine::Planned, Engine::Reference] {
        let start = Instant::now();
        let (report, diags) = run(NESTED, &ds, engine, limits(1_000_000, 200_000));
        assert_quick(start);
        assert!(report.findings.is_empty(), "{engine:?}");
        assert_eq!(diags.len(), 1, "{engine:?}: {diags:?}");
        let d = &diags[0];
        assert_eq!(d.code, "E0003", "{engine:?}");
        assert_eq!(
            d.message,
            "rule `nested` stopped: it passed its work budget of 200000"
        );
        assert_eq!(at(d), pos(NESTED, "count(x in facts"), "{engine:?}");
        assert!(d.help.as_deref().unwrap_or("").contains("--max-work"));
    }
    // within the budget, both find the same (and stop nowhere)
    let small = dataset("nested-small", 5);
    let (a, da) = run(NESTED, &small, Engine::Planned, Limits::default());
    let (b, db) = run(NESTED, &small, Engine::Reference, Limits::default());
    assert!(da.is_empty() && db.is_empty(), "{da:?} {db:?}");
    assert_eq!(a, b);
    assert_eq!(a.findings.len(), 5);
}

#[test]
fn a_join_that_never_matches_stops_on_work_not_on_bindings_held() {
    // 12 facts joined 12 ways, the only condition on the last: nothing is ever held
    let ds = dataset("selfjoin", 15);
    let vars: Vec<String> = (1..=12).map(|i| format!("f{i} in facts")).collect();
    let text = format!(
        "rule wide {{\n  for {}\n  where f12.value == f1.value + 1000\n}}\n",
        vars.join(", ")
    );
    for engine in [Engine::Planned, Engine::Reference] {
        let start = Instant::now();
        let (_, diags) = run(&text, &ds, engine, limits(1_000_000, 300_000));
        assert_quick(start);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].code, "E0003");
        assert!(diags[0].message.starts_with("rule `wide` stopped"));
        let label = &diags[0].primary.as_ref().expect("located").message;
        assert!(
            label.starts_with("searching the join through `f")
                || label == "evaluating this condition",
            "{label}"
        );
    }
}

#[test]
fn matches_held_are_bounded_by_max_bindings_in_both_evaluators() {
    let ds = dataset("held", 15);
    let text =
        "rule cross {\n  for a in facts, b in facts, c in facts\n  where a.value <= b.value\n}\n";
    for engine in [Engine::Planned, Engine::Reference] {
        let (report, diags) = run(text, &ds, engine, limits(1_000, 100_000_000));
        assert!(report.findings.is_empty());
        assert_eq!(diags.len(), 1, "{diags:?}");
        let d = &diags[0];
        assert_eq!(d.code, "E0001");
        assert_eq!(
            d.message,
            "rule `cross` stopped: it held more than 1000 bindings"
        );
        assert_eq!(at(d), pos(text, "c in facts"));
        assert_eq!(
            d.found.as_deref(),
            Some("334 matches of 3 variables, still growing")
        );
        assert!(d.help.as_deref().unwrap_or("").contains("--max-bindings"));
    }
}

#[test]
fn only_the_findings_a_cut_keeps_are_built_and_the_counts_stay_whole() {
    let ds = dataset("cut", 40);
    let text = "rule pairs {\n  for a in facts, b in facts\n  where a.value < b.value\n}\n";
    let (suite, diags, sources) = checked(text, &ds);
    assert!(diags.is_empty(), "{diags:?}");
    let opts = RunOptions {
        max_findings: 7,
        parallel: false,
        ..RunOptions::default()
    };
    let (report, diags) = eval::run(&suite, &ds, &sources, &opts);
    assert_eq!(report.findings.len(), 7);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, "E0002");
    assert_eq!(
        diags[0].message,
        "reporting 7 of 780 findings (780 certain)"
    );
    // the first by position, as before the cut was made early
    let ids: Vec<String> = report.findings[0]
        .evidence
        .iter()
        .map(|e| e.id.clone())
        .collect();
    assert_eq!(ids, ["f0", "f1"]);
}

#[test]
fn explain_stops_at_the_work_budget() {
    let ds = dataset("explain", 40);
    let (suite, diags, sources) = checked(NESTED, &ds);
    assert!(diags.is_empty(), "{diags:?}");
    let consts = eval::eval_consts(&suite, &ds, &Default::default());
    let start = Instant::now();
    let got = eval::explain::explain_binding(
        &suite.rules[0],
        &ds,
        &consts,
        &sources,
        &[],
        &limits(1_000_000, 50_000),
    );
    assert_quick(start);
    assert_eq!(
        got,
        Err("explaining rule `nested` passed its work budget of 50000 (--max-work); raise it, or give more of the rule's variables with --bind".to_string())
    );
    // with room, it explains
    let small = dataset("explain-small", 3);
    let (suite, _, sources) = checked(NESTED, &small);
    let got = eval::explain::explain_binding(
        &suite.rules[0],
        &small,
        &consts,
        &sources,
        &[],
        &Limits::default(),
    );
    assert!(got.is_ok(), "{got:?}");
}

#[test]
fn the_binary_names_the_budget_and_the_flag_that_raises_it() {
    let dir = data_dir("cli", 30);
    let rules = dir.join("nested.rules");
    std::fs::write(&rules, NESTED).expect("write rules");
    let o = Command::new(env!("CARGO_BIN_EXE_factlint"))
        .arg("check")
        .arg("--rules")
        .arg(&rules)
        .args(["--max-work", "100000", "--color", "never"])
        .arg(&dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run factlint");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error[E0003]: rule `nested` stopped: it passed its work budget of 100000"),
        "{err}"
    );
    assert!(err.contains("nested.rules:3:9"), "{err}");
    assert!(err.contains("raise --max-work"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_unguarded_field_check_at_load_stays_within_the_work_budget() {
    // `f.unit` is read without a guard, so loading counts, per fact, the facts for
    // which the other conditions on `f` alone may hold: a quantifier over every fact
    // nested in another, for each of 800 facts (512 M evaluations without the budget: half a minute)
    let dir =
        std::env::temp_dir().join(format!("factlint-budgets-unguarded-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules")).expect("temp dir");
    let mut yaml = String::from("facts:\n");
    for i in 0..800 {
        let unit = if i % 10 == 0 { ", unit: t" } else { "" };
        yaml.push_str(&format!(
            "  - {{id: f{i}, subject: S, property: p, value: {i}{unit}}}\n"
        ));
    }
    std::fs::write(dir.join("data.yaml"), yaml).expect("write data");
    let text = "rule scoped {\n  for f in facts\n  where count(x in facts where count(y in facts) > 0) > 0 and f.unit == \"t\"\n}\n";
    std::fs::write(dir.join("rules/scoped.rules"), text).expect("write rules");
    let options = factlint::project::Options {
        data: vec![dir.clone()],
        rules: vec![dir.join("rules")],
        limits: limits(1_000_000, 2_000_000),
        ..Default::default()
    };
    let start = Instant::now();
    let prepared = factlint::project::Project::without_config(options)
        .load()
        .unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    assert_quick(start);
    let (report, diags) = prepared.run();
    // the rule itself computes its constant condition once: well within the budget
    assert!(diags.iter().all(|d| d.code != "E0003"), "{diags:?}");
    assert_eq!(report.findings.len(), 800);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Rules whose outer loop the planned evaluator may split across threads: a join, a
/// grouped aggregate remembered per key (with records lacking the key, shared by every
/// key), nested quantifiers, and a rule whose matches grow fast.
const SPLIT: &[&str] = &[
    "rule pairs {\n  for a in facts, b in facts\n  where a.subject == b.subject and a.value < b.value\n}\n",
    "rule above {\n  message: \"{f.id} above {f.subject}\"\n  for f in facts\n  where f.value > avg(x.value for x in facts where x.subject == f.subject)\n}\n",
    NESTED,
    "rule cross {\n  for a in facts, b in facts, c in facts\n  where a.value <= b.value\n}\n",
];

/// 24 facts, every third without a subject (made once for every test that asks).
fn split_dataset() -> &'static Dataset {
    static DS: std::sync::OnceLock<Dataset> = std::sync::OnceLock::new();
    DS.get_or_init(make_split_dataset)
}

fn make_split_dataset() -> Dataset {
    let dir = std::env::temp_dir().join(format!("factlint-budgets-split-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut yaml = String::from("facts:\n");
    for i in 0..24 {
        let subject = if i % 3 == 2 {
            String::new()
        } else {
            format!(", subject: S{}", i % 4)
        };
        yaml.push_str(&format!(
            "  - {{id: f{i}{subject}, property: p, value: {i}}}\n"
        ));
    }
    std::fs::write(dir.join("data.yaml"), yaml).expect("write data");
    let (ds, diags) = data::load(std::slice::from_ref(&dir), &LoadOptions::default());
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let _ = std::fs::remove_dir_all(&dir);
    ds
}

/// One rule of `SPLIT` run in one loop and split across threads, within `limits`.
fn one_and_split(text: &str, ds: &Dataset, limits: Limits) -> [(eval::Report, Vec<Diagnostic>); 2] {
    let (suite, diags, sources) = checked(text, ds);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let opts = |parallel| RunOptions {
        limits,
        parallel,
        piece: 1,
        ..RunOptions::default()
    };
    let one = eval::run(&suite, ds, &sources, &opts(false));
    let split = crate::pool().install(|| eval::run(&suite, ds, &sources, &opts(true)));
    [one, split]
}

/// At the exact budget a rule needs in one loop, and one unit less, the split loop
/// runs and stops alike: it does the same work (each remembered aggregate computed
/// once, by whichever piece asks first) and holds the same matches.
#[test]
fn a_split_rule_needs_exactly_the_budgets_of_one_loop() {
    let ds = split_dataset();
    for text in &SPLIT[..2] {
        let fits = |l: Limits| {
            let [(_, d), _] = one_and_split(text, ds, l);
            d.is_empty()
        };
        // the least of each budget one loop needs, the other one ample
        let least = |work: bool| {
            let (mut lo, mut hi) = (0u64, 1u64 << 20);
            while lo < hi {
                let mid = (lo + hi) / 2;
                let l = if work {
                    limits(1 << 20, mid)
                } else {
                    limits(mid, 1 << 30)
                };
                if fits(l) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            lo
        };
        let (work, held) = (least(true), least(false));
        for l in [
            limits(1 << 20, work),
            limits(1 << 20, work - 1),
            limits(held, 1 << 30),
            limits(held.saturating_sub(1), 1 << 30),
        ] {
            let [one, split] = one_and_split(text, ds, l);
            assert_eq!(one.0.findings, split.0.findings, "{text} {l:?}");
            assert_eq!(one.1, split.1, "{text} {l:?}");
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 96, ..Default::default() })]

    /// Split into pieces of one element on four threads, a rule finds what one loop
    /// finds and, over a budget, stops with the error one loop meets first: the same
    /// report and diagnostics whatever the budgets.
    #[test]
    fn a_rule_split_across_threads_finds_and_stops_as_one_loop(
        which in 0..SPLIT.len(),
        max_work in 0u64..40_000,
        max_bindings in 0u64..2_000,
    ) {
        let ds = split_dataset();
        let [one, split] = one_and_split(SPLIT[which], ds, limits(max_bindings, max_work));
        proptest::prop_assert_eq!(&one.0.findings, &split.0.findings);
        proptest::prop_assert_eq!(&one.1, &split.1);
    }
}
