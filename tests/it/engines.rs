//! The planned evaluator and the reference evaluator agree: on generated rules over
//! generated data, they give the same findings, with the same certainty; grouped rules
//! (`group by`) the same groups, counts, evidence and messages.

use factlint::check;
use factlint::data::{Collection, Dataset, FieldDef, FieldType, Record, Schema, Time, Value};
use factlint::diag::{Sources, Span};
use factlint::eval::{self, Engine, RunOptions};
use factlint::syntax::ast::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn sp() -> Span {
    Span::default()
}
fn ident(s: &str) -> Ident {
    Ident {
        name: s.into(),
        span: sp(),
    }
}
fn e(kind: ExprKind) -> Expr {
    Expr { kind, span: sp() }
}
fn name(s: &str) -> Expr {
    e(ExprKind::Name(ident(s)))
}
fn field(v: &str, f: &str) -> Expr {
    e(ExprKind::Field(Box::new(name(v)), ident(f)))
}
fn bin(op: BinaryOp, a: Expr, b: Expr) -> Expr {
    e(ExprKind::Binary(op, Box::new(a), Box::new(b)))
}
fn call(f: &str, args: Vec<Expr>) -> Expr {
    e(ExprKind::Call(ident(f), args))
}
fn lit(l: Literal) -> Expr {
    e(ExprKind::Literal(l))
}

fn schema() -> Schema {
    let mut s = Schema::default();
    for (c, other) in [("a", "b"), ("b", "a")] {
        let mut fields = BTreeMap::new();
        let mut f = |n: &str, ty: FieldType| {
            fields.insert(
                n.to_string(),
                FieldDef {
                    name: n.into(),
                    ty,
                    required: false,
                    doc: None,
                },
            );
        };
        f("id", FieldType::String);
        f("k", FieldType::String);
        f("n", FieldType::Number);
        f("t", FieldType::Date);
        f("l", FieldType::List(Box::new(FieldType::String)));
        f("r", FieldType::Ref(other.into()));
        s.collections.insert(
            c.into(),
            factlint::data::CollectionDef {
                name: c.into(),
                fields,
                ..Default::default()
            },
        );
    }
    s
}

fn arb_str() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        prop::sample::select(vec!["x", "y", "z"]).prop_map(|s| Some(Value::str(s))),
    ]
}

fn arb_num() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        1 => Just(None),
        4 => (-2i32..8).prop_map(|n| Some(Value::Number(n as f64))),
        2 => (-2i32..6, 0i32..4).prop_map(|(a, w)| Some(Value::Range { min: Some(a as f64), max: Some((a + w) as f64) })),
        1 => (-2i32..6).prop_map(|a| Some(Value::Range { min: Some(a as f64), max: None })),
        1 => (-2i32..6).prop_map(|a| Some(Value::Range { min: None, max: Some(a as f64) })),
    ]
}

fn arb_time() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        1 => Just(None),
        4 => (2000i32..2002, 1u32..4, 1u32..4).prop_map(|(y, m, d)| Time::partial(y, Some(m), Some(d)).map(Value::Time)),
        2 => (2000i32..2002, 1u32..4).prop_map(|(y, m)| Time::partial(y, Some(m), None).map(Value::Time)),
        1 => (2000i32..2002).prop_map(|y| Time::partial(y, None, None).map(Value::Time)),
        // open-ended intervals: from a day on, or up to a day
        1 => (2000i32..2002, 1u32..4, any::<bool>()).prop_map(|(y, m, from)| {
            let day = Time::partial(y, Some(m), Some(1))?;
            let mut t = day.clone();
            t.precision = factlint::data::Precision::Interval;
            if from { t.end = None } else { t.start = None }
            Some(Value::Time(t))
        }),
    ]
}

fn arb_list() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        1 => Just(None),
        3 => prop::collection::vec(prop::sample::select(vec!["x", "y", "z"]), 0..3)
            .prop_map(|v| Some(Value::List(v.into_iter().map(Value::str).collect()))),
    ]
}

type RecSpec = (
    Option<Value>,
    Option<Value>,
    Option<Value>,
    Option<Value>,
    Option<u8>,
);

fn arb_records() -> impl Strategy<Value = Vec<RecSpec>> {
    prop::collection::vec(
        (
            arb_str(),
            arb_num(),
            arb_time(),
            arb_list(),
            prop::option::of(0u8..5),
        ),
        0..6,
    )
}

fn dataset(a: Vec<RecSpec>, b: Vec<RecSpec>) -> Dataset {
    let mut ds = Dataset {
        schema: schema(),
        ..Default::default()
    };
    for (cname, other, specs) in [("a", "b", a), ("b", "a", b)] {
        let mut c = Collection::new(cname);
        for (i, (k, n, t, l, r)) in specs.into_iter().enumerate() {
            let id = format!("{cname}{i}");
            let mut fields = BTreeMap::new();
            fields.insert("id".to_string(), Value::str(&id));
            for (f, v) in [("k", k), ("n", n), ("t", t), ("l", l)] {
                if let Some(v) = v {
                    fields.insert(f.to_string(), v);
                }
            }
            if let Some(r) = r {
                fields.insert("r".to_string(), Value::str(&format!("{other}{r}")));
            }
            c.push(Record {
                id: id.as_str().into(),
                fields: fields.into(),
                span: Span::line_only("data.yaml".into(), i as u32 + 1),
                field_spans: Default::default(),
            });
        }
        ds.collections.insert(cname.into(), c);
    }
    ds
}

/// A predicate over the variables `vars` (each bound to `a` or `b`).
fn arb_pred(vars: Vec<String>) -> impl Strategy<Value = Expr> {
    let v = prop::sample::select(vars);
    let leaf = (
        v.clone(),
        v.clone(),
        0u8..40,
        0u32..3,
        prop::sample::select(vec!["x", "y", "z"]),
    )
        .prop_map(|(x, y, which, w, s)| match which {
            0 => bin(BinaryOp::Eq, field(&x, "k"), field(&y, "k")),
            1 => bin(BinaryOp::Eq, field(&x, "k"), lit(Literal::String(s.into()))),
            2 => bin(BinaryOp::Lt, field(&x, "n"), field(&y, "n")),
            3 => bin(BinaryOp::Ge, field(&x, "n"), lit(Literal::Number(w as f64))),
            4 => bin(BinaryOp::Before, field(&x, "t"), field(&y, "t")),
            5 => e(ExprKind::Within {
                lhs: Box::new(field(&x, "t")),
                window: Box::new(lit(Literal::Duration(DurationLit {
                    amount: w,
                    unit: DurationUnit::Months,
                }))),
                rhs: Box::new(field(&y, "t")),
            }),
            6 => bin(BinaryOp::During, field(&x, "t"), field(&y, "t")),
            7 => bin(BinaryOp::In, field(&x, "k"), field(&y, "l")),
            8 => e(ExprKind::Missing {
                expr: Box::new(field(&x, "n")),
                negated: w == 0,
            }),
            9 => bin(BinaryOp::Eq, field(&x, "r"), field(&y, "id")),
            10 => bin(
                BinaryOp::Ge,
                e(ExprKind::Aggregate(Box::new(Aggregate {
                    op: AggregateOp::Count,
                    value: None,
                    var: ident("z"),
                    source: name("b"),
                    filter: Some(bin(BinaryOp::Eq, field("z", "k"), field(&x, "k"))),
                }))),
                lit(Literal::Number(w as f64)),
            ),
            11 => e(ExprKind::Aggregate(Box::new(Aggregate {
                op: AggregateOp::Exists,
                value: None,
                var: ident("z"),
                source: name("a"),
                filter: Some(bin(BinaryOp::Gt, field("z", "n"), field(&x, "n"))),
            }))),
            12 => bin(
                BinaryOp::After,
                field(&x, "t"),
                lit(Literal::Date(DateLit {
                    year: 2001,
                    month: Some(w + 1),
                    day: None,
                })),
            ),
            13 => bin(BinaryOp::Contains, field(&x, "l"), field(&y, "k")),
            14 => bin(BinaryOp::Eq, field(&x, "n"), field(&y, "n")),
            15 => bin(BinaryOp::StartsWith, field(&x, "k"), field(&y, "k")),
            16 => bin(
                BinaryOp::EndsWith,
                field(&x, "k"),
                lit(Literal::String(s.into())),
            ),
            17 => bin(
                BinaryOp::Matches,
                field(&x, "k"),
                lit(Literal::String("^[xy]$".into())),
            ),
            18 => bin(BinaryOp::NotIn, field(&x, "k"), field(&y, "l")),
            19 => bin(
                BinaryOp::EqIgnoreCase,
                field(&x, "k"),
                lit(Literal::String(s.to_uppercase())),
            ),
            20..=23 => bin(
                if which % 2 == 0 {
                    BinaryOp::Ge
                } else {
                    BinaryOp::Lt
                },
                e(ExprKind::Aggregate(Box::new(Aggregate {
                    op: [
                        AggregateOp::Sum,
                        AggregateOp::Min,
                        AggregateOp::Max,
                        AggregateOp::Avg,
                    ][(which - 20) as usize],
                    value: Some(field("z", "n")),
                    var: ident("z"),
                    source: name("a"),
                    filter: Some(bin(BinaryOp::Eq, field("z", "k"), field(&x, "k"))),
                }))),
                lit(Literal::Number(w as f64)),
            ),
            24 => bin(
                BinaryOp::Ge,
                e(ExprKind::Aggregate(Box::new(Aggregate {
                    op: AggregateOp::CountDistinct,
                    value: Some(field("z", "k")),
                    var: ident("z"),
                    source: name("b"),
                    filter: Some(bin(BinaryOp::Lt, field("z", "n"), field(&x, "n"))),
                }))),
                lit(Literal::Number(w as f64)),
            ),
            25 => e(ExprKind::Aggregate(Box::new(Aggregate {
                op: AggregateOp::All,
                value: Some(bin(BinaryOp::Before, field("z", "t"), field(&x, "t"))),
                var: ident("z"),
                source: name("b"),
                filter: Some(bin(BinaryOp::Eq, field("z", "r"), field(&x, "id"))),
            }))),
            // a list binding inside a quantifier
            26 => e(ExprKind::Aggregate(Box::new(Aggregate {
                op: AggregateOp::Exists,
                value: None,
                var: ident("z"),
                source: field(&x, "l"),
                filter: Some(bin(BinaryOp::Eq, name("z"), field(&y, "k"))),
            }))),
            27 => bin(
                BinaryOp::Ge,
                bin(
                    BinaryOp::Coalesce,
                    field(&x, "n"),
                    lit(Literal::Number(w as f64)),
                ),
                field(&y, "n"),
            ),
            28 => bin(
                BinaryOp::Eq,
                bin(
                    BinaryOp::Coalesce,
                    field(&x, "k"),
                    lit(Literal::String(s.into())),
                ),
                field(&y, "k"),
            ),
            // builtins on the probe side of a hash index, and on both sides
            29 => bin(
                BinaryOp::Eq,
                field(&x, "k"),
                call(
                    "concat",
                    vec![field(&y, "k"), lit(Literal::String("".into()))],
                ),
            ),
            30 => bin(
                BinaryOp::StartsWith,
                call("concat", vec![field(&x, "k"), field(&y, "k")]),
                call(
                    "slice",
                    vec![
                        field(&y, "k"),
                        lit(Literal::Number(0.0)),
                        lit(Literal::Number(w as f64)),
                    ],
                ),
            ),
            // correlated aggregates on a composite key (two equalities), with a filter
            // of their own, over records whose keys are often missing: grouped once
            // per key, the keyless records once for all keys
            32..=37 => {
                let op = [
                    AggregateOp::Count,
                    AggregateOp::Sum,
                    AggregateOp::Min,
                    AggregateOp::Max,
                    AggregateOp::Avg,
                    AggregateOp::CountDistinct,
                ][(which - 32) as usize];
                let keys = bin(
                    BinaryOp::And,
                    bin(BinaryOp::Eq, field("z", "k"), field(&x, "k")),
                    bin(BinaryOp::Eq, field(&y, "n"), field("z", "n")),
                );
                let filter = if w == 0 {
                    keys
                } else {
                    bin(
                        BinaryOp::And,
                        keys,
                        bin(
                            BinaryOp::Ne,
                            field("z", "k"),
                            lit(Literal::String(s.into())),
                        ),
                    )
                };
                let value = match op {
                    AggregateOp::Count => None,
                    AggregateOp::CountDistinct => Some(field("z", "k")),
                    _ => Some(field("z", "n")),
                };
                bin(
                    if w == 1 { BinaryOp::Lt } else { BinaryOp::Ge },
                    e(ExprKind::Aggregate(Box::new(Aggregate {
                        op,
                        value,
                        var: ident("z"),
                        source: name("a"),
                        filter: Some(filter),
                    }))),
                    lit(Literal::Number(w as f64)),
                )
            }
            // exists / not exists / all on one or two keys (semi- and anti-joins),
            // once with a date comparison that keeps it tied to the binding
            38 => {
                let mut filter = bin(BinaryOp::Eq, field("z", "k"), field(&x, "k"));
                if w > 0 {
                    filter = bin(
                        BinaryOp::And,
                        filter,
                        bin(BinaryOp::Eq, field("z", "n"), field(&y, "n")),
                    );
                }
                if w == 2 {
                    filter = bin(
                        BinaryOp::And,
                        filter,
                        bin(BinaryOp::Before, field("z", "t"), field(&x, "t")),
                    );
                }
                let ex = e(ExprKind::Aggregate(Box::new(Aggregate {
                    op: if s == "z" {
                        AggregateOp::All
                    } else {
                        AggregateOp::Exists
                    },
                    value: (s == "z")
                        .then(|| bin(BinaryOp::Gt, field("z", "n"), lit(Literal::Number(1.0)))),
                    var: ident("z"),
                    source: name("b"),
                    filter: Some(filter),
                })));
                if s == "x" {
                    e(ExprKind::Unary(UnaryOp::Not, Box::new(ex)))
                } else {
                    ex
                }
            }
            // a join on several equalities at once, with a date window in each bucket
            39 => {
                let mut c = bin(
                    BinaryOp::And,
                    bin(BinaryOp::Eq, field(&x, "k"), field(&y, "k")),
                    bin(BinaryOp::Eq, field(&y, "n"), field(&x, "n")),
                );
                if w > 0 {
                    c = bin(
                        BinaryOp::And,
                        c,
                        if w == 1 {
                            bin(BinaryOp::After, field(&x, "t"), field(&y, "t"))
                        } else {
                            e(ExprKind::Within {
                                lhs: Box::new(field(&x, "t")),
                                window: Box::new(lit(Literal::Duration(DurationLit {
                                    amount: 30,
                                    unit: DurationUnit::Days,
                                }))),
                                rhs: Box::new(field(&y, "t")),
                            })
                        },
                    );
                }
                c
            }
            _ => bin(
                BinaryOp::Gt,
                bin(BinaryOp::Add, field(&x, "n"), lit(Literal::Number(1.0))),
                field(&y, "n"),
            ),
        });
    leaf.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| bin(BinaryOp::Or, a, b)),
            inner
                .clone()
                .prop_map(|a| e(ExprKind::Unary(UnaryOp::Not, Box::new(a)))),
            (inner.clone(), inner).prop_map(|(a, b)| bin(BinaryOp::And, a, b)),
        ]
    })
}

/// A `group by` key over the variables `vars`: a field of each type, a reference, or a
/// whole record.
fn arb_key(vars: Vec<String>) -> impl Strategy<Value = Expr> {
    (prop::sample::select(vars), 0u8..6).prop_map(|(v, which)| match which {
        0 => field(&v, "k"),
        1 => field(&v, "n"),
        2 => field(&v, "t"),
        3 => field(&v, "r"),
        4 => field(&v, "l"),
        _ => name(&v),
    })
}

/// A message over the group: its count and a key-like value of the first binding.
fn grouped_message(var: &str) -> Message {
    Message {
        parts: vec![
            MessagePart::Count(sp()),
            MessagePart::Text(" bindings, first ".into()),
            MessagePart::Expr(field(var, "k")),
        ],
        span: sp(),
    }
}

fn arb_rule() -> impl Strategy<Value = Rule> {
    prop::collection::vec(prop::sample::select(vec!["a", "b"]), 1..4).prop_flat_map(|colls| {
        let vars: Vec<String> = (0..colls.len()).map(|i| format!("v{i}")).collect();
        let preds = prop::collection::vec(arb_pred(vars.clone()), 1..5);
        let group = prop::option::of(prop::collection::vec(arb_key(vars.clone()), 1..3));
        (Just(colls), Just(vars), preds, group).prop_map(|(colls, vars, preds, group)| {
            let cond = preds.into_iter().reduce(|a, b| bin(BinaryOp::And, a, b));
            Rule {
                doc: None,
                id: ident("generated"),
                severity: None,
                message: group.as_ref().map(|_| grouped_message(&vars[0])),
                tags: vec![],
                meta: vec![],
                bindings: vars
                    .iter()
                    .zip(&colls)
                    .map(|(v, c)| Binding {
                        var: ident(v),
                        source: name(c),
                        span: sp(),
                    })
                    .collect(),
                condition: cond,
                group: group.map(|keys| GroupBy { keys, span: sp() }),
                verdict: None,
                span: sp(),
            }
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1200, ..ProptestConfig::default() })]

    #[test]
    fn planned_and_reference_agree(rule in arb_rule(), a in arb_records(), b in arb_records()) {
        let ds = dataset(a, b);
        let file = File { items: vec![Item::Rule(rule)], comments: vec![], span: sp() };
        let (suite, diags) = check::check(&[file], &ds.schema);
        let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
        prop_assert!(errors.is_empty(), "generated rule did not check: {:?}", errors);
        let sources = Sources::new();
        let run = |engine, parallel| {
            // in pieces of one element, on four threads
            let opts = RunOptions { engine, parallel, piece: 1, ..RunOptions::default() };
            let (report, diags) = crate::pool().install(|| eval::run(&suite, &ds, &sources, &opts));
            assert!(diags.is_empty(), "{diags:?}");
            report.findings
        };
        let planned = run(Engine::Planned, false);
        let split = run(Engine::Planned, true);
        let reference = run(Engine::Reference, false);
        prop_assert_eq!(&planned, &split);
        prop_assert_eq!(planned, reference);
    }
}

// The DuckDB engine (`--features duckdb`) against the planned one on the same
// generated rules and data: the same findings, certain and possible. Rules with no
// SQL translation are set aside (proptest fails when too many are: the test cannot
// pass by compiling nothing).
#[cfg(feature = "duckdb")]
proptest! {
    #![proptest_config(ProptestConfig { cases: 1200, max_global_rejects: 4000, ..ProptestConfig::default() })]

    #[test]
    fn planned_and_duckdb_agree(rule in arb_rule(), a in arb_records(), b in arb_records()) {
        use factlint::sql::{self, Dialect, Shape};
        let ds = dataset(a, b);
        let file = File { items: vec![Item::Rule(rule)], comments: vec![], span: sp() };
        let (suite, diags) = check::check(&[file], &ds.schema);
        prop_assert!(diags.iter().all(|d| !d.is_error()), "generated rule did not check: {:?}", diags);
        prop_assume!(sql::compile_rule(&suite, &suite.rules[0], Dialect::DuckDb, Shape::Matches).is_ok());
        let sources = Sources::new();
        let run = |engine| {
            let opts = RunOptions { engine, ..RunOptions::default() };
            let (report, diags) = crate::pool().install(|| eval::run(&suite, &ds, &sources, &opts));
            assert!(diags.is_empty(), "{diags:?}");
            report.findings
        };
        prop_assert_eq!(run(Engine::Planned), run(Engine::DuckDb));
    }
}
