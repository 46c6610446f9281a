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

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_rules_never_panic(pred in predicate(), msg in operand()) {
        let text = format!(
            "const window = 20 years\n\nrule random {{\n  message: \"{{{msg}}}\"\n  for s in statements, a in actions, c in claims\n  where {pred}\n}}\n"
        );
        let (file, _) = factlint::syntax::parse("random.rules".into(), &text);
        let ds = example();
        let (suite, diags) = factlint::check::check(&[file], &ds.schema);
        if diags.iter().any(|d| d.is_error()) {
            return Ok(());
        }
        let mut sources = Sources::new();
        sources.add("random.rules".into(), text.as_str().into());
        for engine in [Engine::Planned, Engine::Reference] {
            let mut opts = RunOptions { engine, parallel: false, ..RunOptions::default() };
            opts.limits.max_bindings = 200_000;
            let _ = eval::run(&suite, ds, &sources, &opts);
        }
    }
}
