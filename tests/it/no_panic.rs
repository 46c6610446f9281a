//! No input makes factlint panic: rule text assembled at random from the language's
//! pieces goes through parse, check and both evaluators over the example dataset.
//! Whatever the outcome (errors or findings), it must come back as a value.

use factlint::data::{self, Dataset, LoadOptions};
use factlint::diag::Sources;
use factlint::eval::{self, Engine, RunOptions};
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;

fn example() -> &'static Dataset {
    static DS: OnceLock<Dataset> = OnceLock::new();
    DS.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/venezuela-2026");
        data::load(&[dir], &LoadOptions::default()).0
    })
}

fn operand() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "s.date",
        "a.time",
        "a.actor",
        "s.actor",
        "a.fatalities",
        "c.value",
        "c.date",
        "c.sources",
        "s.invokes",
        "a.kind",
        "a.consent",
        "a.target.name",
        "s.actor.country",
        "c.subject",
        "@2008",
        "@2026-01",
        "@2026-01-07",
        "20 years",
        "3 months",
        "0",
        "80",
        "-1",
        "1.5",
        "\"invasion\"",
        "\"RUS\"",
        "\"\"",
        "null",
        "true",
        "[\"a\", \"b\"]",
        "[]",
        "count(x in c.sources)",
        "count(x in actions where x.actor == a.actor)",
        "max(f.value for f in facts where f.property == c.property)",
        "sum(f.value for f in facts)",
        "avg(f.value for f in facts where f.subject == c.subject)",
        "min(x.time for x in actions)",
        "count_distinct(x.publisher for x in c.sources)",
        "len(s.invokes)",
        "year(a.time)",
        "start(a.time)",
        "end(a.time)",
        "lo(a.fatalities)",
        "hi(c.value)",
        "lower(a.kind)",
        "date(\"2026-01\")",
        "date(\"20260107153000\")",
        "date(c.value)",
        "slice(a.kind, 1, -1)",
        "slice(s.invokes, -1)",
        "at(c.sources, 0)",
        "at(a.kind, c.value)",
        "concat(a.actor, \"-\", a.kind)",
        "split(a.target.name, \" \")",
        "days(20 years)",
        "s.date - 20 years",
        "a.time + 1 months",
        "c.value * 2",
        "c.value / 0",
        "c.value % 0",
    ])
    .prop_map(str::to_string)
}

fn predicate() -> impl Strategy<Value = String> {
    let op = prop::sample::select(vec![
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "~=",
        "in",
        "not in",
        "contains",
        "starts with",
        "ends with",
        "before",
        "after",
        "during",
    ]);
    let leaf = prop_oneof![
        (operand(), op, operand()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
        (operand(), operand(), operand()).prop_map(|(a, w, b)| format!("{a} within {w} of {b}")),
        operand().prop_map(|a| format!("{a} is missing")),
        operand().prop_map(|a| format!("{a} matches \"^[A-Z]+$\"")),
        Just("exists(p in principles where p.id in s.invokes)".to_string()),
        Just("all(x.reliability <= \"C\" for x in c.sources)".to_string()),
    ];
    leaf.prop_recursive(2, 8, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

// Well-typed pieces, by type: most generated rules pass the checker and reach both
// evaluators; the untyped `predicate()` above keeps exercising the checker's errors.

fn dates() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "s.date",
        "a.time",
        "c.date",
        "@2008",
        "@2026-01",
        "@2026-01-07",
        "start(a.time)",
        "end(a.time)",
        "s.date - 20 years",
        "a.time + 1 months",
        "min(x.time for x in actions where x.actor == a.actor)",
        "date(\"20260107\")",
        "date(\"20260107153000\")",
        "date(\"20261307\")",
        "date(concat(\"2026\", slice(a.kind, 0, 0), \"0105\"))",
        "date(year(a.time))",
        "date(a.fatalities)",
    ])
    .prop_map(str::to_string)
}

fn durations() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["20 years", "3 months", "1 days", "window"]).prop_map(str::to_string)
}

fn numbers() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a.fatalities",
        "0",
        "80",
        "-1",
        "1.5",
        "count(x in c.sources)",
        "count(x in actions where x.actor == a.actor)",
        "len(s.invokes)",
        "year(a.time)",
        "lo(a.fatalities)",
        "hi(a.fatalities)",
        "days(20 years)",
        "a.fatalities * 2",
        "a.fatalities / 0",
        "sum(x.fatalities for x in actions where x.target == a.target)",
        "avg(x.fatalities for x in actions where x.actor == a.actor)",
        "count_distinct(x.publisher for x in c.sources)",
        "len(a.kind)",
        "len(split(a.target.name, \" \"))",
        "len(slice(s.invokes, 1))",
        "len(concat(a.kind, s.kind))",
    ])
    .prop_map(str::to_string)
}

fn strings() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a.kind",
        "s.kind",
        "lower(a.kind)",
        "s.actor.country",
        "a.target.name",
        "a.actor.id",
        "a.actor",
        "a.target",
        "s.about",
        "\"invasion\"",
        "\"RUS\"",
        "\"\"",
        "upper(s.kind)",
        "trim(a.target.name)",
        "slice(a.kind, 0, 3)",
        "slice(a.target.name, -4)",
        "slice(a.actor, 1, a.fatalities)",
        "at(a.kind, 0)",
        "at(a.target.name, -1)",
        "at(s.invokes, 0)",
        "at(split(a.target.name, \" \"), 1)",
        "concat(a.actor, \"-\", a.kind)",
        "concat(s.actor.country, a.target.name)",
    ])
    .prop_map(str::to_string)
}

fn typed_predicate() -> impl Strategy<Value = String> {
    let order = prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]);
    let text_op = prop::sample::select(vec!["==", "!=", "contains", "starts with", "ends with"]);
    let time_op = prop::sample::select(vec!["before", "after", "during", "==", "<", ">="]);
    let present = prop::sample::select(vec!["is missing", "is present"]);
    let leaf = prop_oneof![
        (dates(), time_op, dates()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
        (dates(), durations(), dates()).prop_map(|(a, w, b)| format!("{a} within {w} of {b}")),
        (numbers(), order.clone(), numbers()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
        (strings(), text_op, strings()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
        strings().prop_map(|a| format!("{a} matches \"^[A-Z]+$\"")),
        strings().prop_map(|a| format!("{a} in [\"invasion\", \"RUS\"]")),
        (
            prop::sample::select(vec![
                "a.actor",
                "a.target",
                "a.consent",
                "a.fatalities",
                "c.subject"
            ]),
            present
        )
            .prop_map(|(a, p)| format!("{a} {p}")),
        Just("a.actor == s.actor".to_string()),
        Just("a.target == s.actor".to_string()),
        Just("a.consent".to_string()),
        Just("a.consent == false".to_string()),
        Just(
            "exists(p in principles where p.id in s.invokes and a.kind in p.violated_by)"
                .to_string()
        ),
        Just("all(x.reliability <= \"C\" for x in c.sources)".to_string()),
    ];
    leaf.prop_recursive(2, 8, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

/// Parse, check and (when it checks) run one rule on both evaluators; whether it
/// reached evaluation.
fn run_rule(text: &str) -> bool {
    let (file, _) = factlint::syntax::parse("random.rules".into(), text);
    let ds = example();
    let (suite, diags) = factlint::check::check(&[file], &ds.schema);
    if diags.iter().any(|d| d.is_error()) {
        return false;
    }
    let mut sources = Sources::new();
    sources.add("random.rules".into(), text.into());
    for engine in [Engine::Planned, Engine::Reference] {
        let mut opts = RunOptions {
            engine,
            parallel: false,
            ..RunOptions::default()
        };
        opts.limits.max_bindings = 200_000;
        let _ = eval::run(&suite, ds, &sources, &opts);
    }
    true
}

fn rule_text(pred: &str, msg: &str) -> String {
    format!(
        "const window = 20 years\n\nrule random {{\n  message: \"{{{msg}}} ({{s.id}}, {{a.id}}, {{c.id}})\"\n  for s in statements, a in actions, c in claims\n  where {pred}\n}}\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Untyped pieces: mostly checker errors, some evaluation.
    #[test]
    fn random_rules_never_panic(pred in predicate(), msg in operand()) {
        run_rule(&rule_text(&pred, &msg));
    }
}

/// Typed pieces (nine in ten) mixed with untyped ones: most rules reach evaluation,
/// and the test says so, so that it cannot silently stop testing the evaluators.
#[test]
fn typed_random_rules_never_panic_and_mostly_run() {
    use proptest::test_runner::{Config, TestRunner};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let cases = 300u32;
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let evaluated = AtomicUsize::new(0);
    let pred = prop_oneof![9 => typed_predicate(), 1 => predicate()];
    let msg = prop_oneof![numbers(), strings(), dates()];
    runner
        .run(&(pred, msg), |(pred, msg)| {
            if run_rule(&rule_text(&pred, &msg)) {
                evaluated.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
        .unwrap();
    let n = evaluated.load(Ordering::Relaxed);
    assert!(
        n * 10 >= cases as usize * 7,
        "only {n} of {cases} generated rules passed the checker and reached evaluation"
    );
}

/// One mutation of a file's bytes: a byte flipped, a run cut out, a line repeated or
/// cut short, a hostile string put in.
#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Cut(usize, usize),
    RepeatLine(usize),
    Truncate(usize),
    Insert(usize, &'static str),
}

const HOSTILE: &[&str] = &[
    "\n::add-mask::x\n",
    "\u{1b}]8;;http://e\u{7}",
    "</script><!--",
    "\u{2028}",
    "]]>",
    "\0",
    "\u{202e}",
    "\"",
    "'",
    "{",
    "}",
    "[[[[[[",
    "*a",
    "&a ",
    "<<: *a\n",
    "\t",
    "\r",
    "\u{feff}",
    "1e999",
    "-9999-99-99",
    "200000000 years",
    "é",
    "\u{fffd}",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Cut(i, n)),
        any::<usize>().prop_map(Mutation::RepeatLine),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), proptest::sample::select(HOSTILE))
            .prop_map(|(i, s)| Mutation::Insert(i, s)),
    ]
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let at = |i: usize| i % bytes.len();
    match *m {
        Mutation::Flip(i, b) => {
            let i = at(i);
            bytes[i] = b;
        }
        Mutation::Cut(i, n) => {
            let i = at(i);
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Mutation::RepeatLine(i) => {
            let i = at(i);
            let start = bytes[..i]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let end = bytes[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| i + p + 1);
            let line = bytes[start..end].to_vec();
            bytes.splice(start..start, line);
        }
        Mutation::Truncate(i) => {
            let i = at(i);
            bytes.truncate(i);
        }
        Mutation::Insert(i, s) => {
            let i = at(i);
            bytes.splice(i..i, s.bytes());
        }
    }
}

/// The example project (suite and data) with a few mutations in some of its files,
/// through the whole pipeline and every output format: never a panic.
#[test]
fn mutated_example_projects_never_panic() {
    use factlint::project::{Options, Project};
    use factlint::report::output::{render, Format};
    use proptest::test_runner::{Config, TestRunner};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut originals: Vec<(String, Vec<u8>)> = Vec::new();
    for (dir, to) in [("examples/venezuela-2026", "data"), ("rules", "rules")] {
        let mut names: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        names.sort();
        for p in names {
            let name = format!("{to}/{}", p.file_name().unwrap().to_string_lossy());
            originals.push((name, std::fs::read(&p).unwrap()));
        }
    }
    let tmp = std::env::temp_dir().join(format!("factlint-mutated-{}", std::process::id()));
    let n = originals.len();
    let ran = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 32,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = proptest::collection::vec((0..n, mutation()), 1..4);
    runner
        .run(&strategy, |muts| {
            let _ = std::fs::remove_dir_all(&tmp);
            std::fs::create_dir_all(tmp.join("data")).unwrap();
            std::fs::create_dir_all(tmp.join("rules")).unwrap();
            let mut files = originals.clone();
            for (i, m) in &muts {
                mutate(&mut files[*i].1, m);
            }
            for (name, bytes) in &files {
                std::fs::write(tmp.join(name), bytes).unwrap();
            }
            let options = Options {
                data: vec![tmp.join("data")],
                rules: vec![tmp.join("rules")],
                ..Options::default()
            };
            if let Ok(prepared) = Project::without_config(options).load() {
                ran.fetch_add(1, Ordering::Relaxed);
                let (report, _) = prepared.run();
                for format in [
                    Format::Text,
                    Format::Json,
                    Format::Sarif,
                    Format::Junit,
                    Format::Github,
                    Format::ClaimReview,
                    Format::Markdown,
                    Format::Html,
                ] {
                    let _ = render(format, &report, false);
                }
                let _ = prepared.explain_all(&report);
            }
            Ok(())
        })
        .unwrap();
    let _ = std::fs::remove_dir_all(&tmp);
    // most mutations leave a project that still runs: the test reaches evaluation
    assert!(
        ran.load(Ordering::Relaxed) > 8,
        "only {} of 32 ran",
        ran.load(Ordering::Relaxed)
    );
}
