//! The rule language front end at its boundaries: rule text in, syntax trees, canonical
//! layout and rendered diagnostics out.
//!
//! - `corpus/parse/valid/*.rules`: every construct; snapshot of the tree view; the
//!   layout is idempotent and keeps the tree, every node's span re-parses to the node.
//! - `corpus/parse/invalid/*.rules`: one mistake each (files named `multi_*` hold
//!   several); snapshot of the diagnostics exactly as a person sees them.
//! - hostile input built here: deep nesting, a 10 MB line, invalid UTF-8.
//! - properties: parse(format(ast)) == ast; parse never panics.

use factlint::diag::diagnostic::render_human;
use factlint::diag::{Diagnostic, Sources};
use factlint::syntax::ast::*;
use factlint::syntax::{format, format_source, parse, parse_bytes, tree_view};
use std::sync::Arc;

/// The diagnostics as a person sees them: no colour, 80 columns.
fn rendered(name: &str, text: &str, diags: &[Diagnostic]) -> String {
    let mut sources = Sources::new();
    sources.add(name.into(), text.into());
    diags
        .iter()
        .map(|d| render_human(d, &sources, false, 80))
        .collect::<Vec<_>>()
        .join("\n")
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("input.rules")
        .to_string()
}

/// The source shown in a snapshot's header, cut when huge.
fn shown_source(text: &str) -> String {
    if text.len() <= 2000 {
        text.to_string()
    } else {
        let mut cut = 300;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}... ({} bytes in all)", &text[..cut], text.len())
    }
}

/// Snapshot the errors of `text`, parsed as the file `file`, under the name `name`.
fn assert_errors(name: &str, file: &str, text: &str, diags: &[Diagnostic]) {
    assert!(!diags.is_empty(), "{name}: expected a parse error");
    insta::with_settings!({
        description => shown_source(text),
        omit_expression => true,
        snapshot_suffix => name.to_string(),
    }, {
        insta::assert_snapshot!("error", rendered(file, text, diags));
    });
}

// ---------------------------------------------------------------------------------
// The valid corpus

#[test]
fn valid_corpus_tree() {
    insta::glob!("../corpus", "parse/valid/*.rules", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let name = file_name(path);
        let (ast, diags) = parse(name.as_str().into(), &text);
        assert!(
            diags.is_empty(),
            "{name} should parse:\n{}",
            rendered(&name, &text, &diags)
        );
        insta::with_settings!({description => text.clone(), omit_expression => true}, {
            insta::assert_snapshot!("tree", tree_view(&ast, 90));
        });
    });
}

#[test]
fn valid_corpus_canonical_layout() {
    insta::glob!("../corpus", "parse/valid/*.rules", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let name = file_name(path);
        let formatted = match format_source(name.as_str().into(), &text) {
            Ok(f) => f,
            Err(d) => panic!("{name}:\n{}", rendered(&name, &text, &d)),
        };
        insta::with_settings!({description => text.clone(), omit_expression => true}, {
            insta::assert_snapshot!("formatted", formatted);
        });
    });
}

fn comment_texts(f: &File) -> Vec<String> {
    f.comments
        .iter()
        .map(|c| c.text.trim_start_matches(['#', ' ']).to_string())
        .collect()
}

#[test]
fn formatting_the_valid_corpus_is_idempotent_and_keeps_the_tree() {
    insta::glob!("../corpus", "parse/valid/*.rules", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let name: Arc<str> = file_name(path).into();
        let (before, diags) = parse(name.clone(), &text);
        assert!(diags.is_empty());
        let once = format(&before);
        let (after, diags) = parse(name.clone(), &once);
        assert!(
            diags.is_empty(),
            "formatted {name} does not parse:\n{once}\n{}",
            rendered(&name, &once, &diags)
        );
        assert_eq!(before, after, "formatting {name} changed its tree:\n{once}");
        assert_eq!(
            comment_texts(&before),
            comment_texts(&after),
            "formatting {name} lost or reordered comments:\n{once}"
        );
        let twice = format(&after);
        assert_eq!(once, twice, "formatting {name} is not idempotent");
    });
}

/// Calls `f` on every expression of the file.
fn walk_exprs(file: &File, f: &mut dyn FnMut(&Expr)) {
    fn walk(e: &Expr, f: &mut dyn FnMut(&Expr)) {
        f(e);
        match &e.kind {
            ExprKind::Literal(_) | ExprKind::Name(_) => {}
            ExprKind::Field(b, _) => walk(b, f),
            ExprKind::Call(_, args) | ExprKind::List(args) => args.iter().for_each(|a| walk(a, f)),
            ExprKind::Unary(_, x) => walk(x, f),
            ExprKind::Binary(_, l, r) => {
                walk(l, f);
                walk(r, f);
            }
            ExprKind::Within { lhs, window, rhs } => {
                walk(lhs, f);
                walk(window, f);
                walk(rhs, f);
            }
            ExprKind::Missing { expr, .. } => walk(expr, f),
            ExprKind::Aggregate(a) => {
                a.value.iter().for_each(|v| walk(v, f));
                walk(&a.source, f);
                a.filter.iter().for_each(|x| walk(x, f));
            }
        }
    }
    for item in &file.items {
        match item {
            Item::Include(_) => {}
            Item::Const(c) => walk(&c.value, f),
            Item::Def(d) => walk(&d.body, f),
            Item::Rule(r) => {
                if let Some(m) = &r.message {
                    for p in &m.parts {
                        if let MessagePart::Expr(e) = p {
                            walk(e, f);
                        }
                    }
                }
                r.meta.iter().for_each(|(_, v)| walk(v, f));
                r.bindings.iter().for_each(|b| walk(&b.source, f));
                r.condition.iter().for_each(|c| walk(c, f));
            }
        }
    }
}

#[test]
fn every_expression_span_covers_text_that_parses_back_to_it() {
    insta::glob!("../corpus", "parse/valid/*.rules", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let name: Arc<str> = file_name(path).into();
        let (ast, _) = parse(name.clone(), &text);
        walk_exprs(&ast, &mut |e| {
            let piece = &text[e.span.start..e.span.end];
            let (line, col) = factlint::diag::span::line_col(&text, e.span.start);
            assert_eq!((e.span.line, e.span.col), (line, col), "{name}: `{piece}`");
            let (alone, diags) = parse("piece".into(), &format!("const x = {piece}"));
            assert!(
                diags.is_empty(),
                "{name}: span text `{piece}` does not parse"
            );
            match alone.items.first() {
                Some(Item::Const(c)) => assert_eq!(&c.value, e, "{name}: `{piece}`"),
                other => panic!("{name}: `{piece}` gave {other:?}"),
            }
        });
    });
}

// ---------------------------------------------------------------------------------
// The invalid corpus

#[test]
fn invalid_corpus_diagnostics() {
    insta::glob!("../corpus", "parse/invalid/*.rules", |path| {
        let bytes = std::fs::read(path).unwrap_or_default();
        let name = file_name(path);
        let (_, diags) = parse_bytes(name.as_str().into(), &bytes);
        let text = String::from_utf8_lossy(&bytes);
        if !name.starts_with("multi_") {
            assert_eq!(
                diags.len(),
                1,
                "{name} holds one mistake:\n{}",
                rendered(&name, &text, &diags)
            );
        }
        for d in &diags {
            assert!(d.expected.is_some() || d.help.is_some(), "{name}: {d:?}");
            assert!(d.found.is_some(), "{name}: {d:?}");
        }
        insta::with_settings!({description => text.to_string(), omit_expression => true}, {
            insta::assert_snapshot!("error", rendered(&name, &text, &diags));
        });
    });
}

#[test]
fn three_broken_rules_give_three_errors_and_keep_the_good_rules() {
    let text = std::fs::read_to_string("tests/corpus/parse/invalid/multi_three_broken_rules.rules")
        .unwrap_or_default();
    let (ast, diags) = parse("multi.rules".into(), &text);
    assert_eq!(diags.len(), 3);
    let ids: Vec<&str> = ast
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Rule(r) => Some(r.id.name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["good-one", "good-two", "good-three"]);
}

// ---------------------------------------------------------------------------------
// Hostile input

#[test]
fn empty_file_is_valid_and_has_no_items() {
    for text in ["", "\n\n", "   \t\n", "\u{feff}"] {
        let (ast, diags) = parse("empty.rules".into(), text);
        assert!(diags.is_empty(), "{text:?}");
        assert!(ast.items.is_empty());
        assert_eq!(format(&ast), "");
    }
}

#[test]
fn ten_thousand_nested_parentheses_are_an_error_not_a_crash() {
    let depth = 10_000;
    let text = format!("const x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
    let (_, diags) = parse("deep.rules".into(), &text);
    assert_errors("ten_thousand_parentheses", "deep.rules", &text, &diags);
}

#[test]
fn deep_nesting_of_every_recursive_form_is_an_error() {
    let n = 5_000;
    let cases = [
        (
            "deep_lists",
            format!("const x = {}1{}", "[".repeat(n), "]".repeat(n)),
        ),
        ("deep_not", format!("const x = {}true", "not ".repeat(n))),
        ("deep_minus", format!("const x = {}1", "-".repeat(n))),
        (
            "deep_calls",
            format!("const x = {}1{}", "f(".repeat(n), ")".repeat(n)),
        ),
        ("long_field_path", format!("const x = a{}", ".b".repeat(n))),
        (
            "long_and_chain",
            format!("const x = a{}", " and a".repeat(n)),
        ),
        (
            "deep_aggregates",
            format!(
                "const x = {}1{}",
                "sum(".repeat(n),
                " for x in y)".repeat(n)
            ),
        ),
        (
            "deep_interpolation",
            format!(
                "rule r {{\n  message: \"{{{}1{}}}\"\n}}",
                "(".repeat(n),
                ")".repeat(n)
            ),
        ),
    ];
    for (name, text) in cases {
        let (_, diags) = parse(format!("{name}.rules").into(), &text);
        assert_eq!(diags.len(), 1, "{name}");
        assert_eq!(diags[0].code, "P0017", "{name}: {:?}", diags[0]);
    }
}

#[test]
fn the_deepest_trees_allowed_parse_format_and_compare_on_an_ordinary_thread() {
    let n = factlint::syntax::MAX_DEPTH as usize - 2;
    let cases = [
        format!("const x = {}1{}", "(".repeat(n), ")".repeat(n)),
        format!("const x = {}1{}", "(1 + ".repeat(n), ")".repeat(n)),
        format!("const x = {}1{}", "[".repeat(n), "]".repeat(n)),
        format!("const x = {}true", "not ".repeat(n)),
        format!("const x = {}1{}", "f(".repeat(n), ")".repeat(n)),
        format!("const x = a{}", " and a".repeat(n)),
        format!(
            "const x = {}1{}",
            "sum(".repeat(n / 2),
            " for x in y)".repeat(n / 2)
        ),
    ];
    for text in cases {
        let (ast, diags) = parse("deep.rules".into(), &text);
        assert!(diags.is_empty(), "{diags:?}");
        let formatted = format(&ast);
        let (back, _) = parse("deep.rules".into(), &formatted);
        assert_eq!(back, ast);
        assert!(!tree_view(&ast, 80).is_empty());
        let _ = format!("{ast:?}");
    }
}

const TEN_MB: usize = 10 * 1024 * 1024;
/// One element of a long list: long enough that 10 MB of them stay a modest tree.
const ELEMENT: &str =
    "\"a string of a hundred bytes, give or take, to fill the line without making a huge tree\", ";

#[test]
fn a_ten_megabyte_line_parses() {
    // a list literal, a string and a comment, each 10 MB on one line
    let list = format!("const xs = [{}1]\n", ELEMENT.repeat(TEN_MB / ELEMENT.len()));
    let (ast, diags) = parse("list.rules".into(), &list);
    assert!(diags.is_empty());
    match ast.items.first() {
        Some(Item::Const(c)) => match &c.value.kind {
            ExprKind::List(items) => assert_eq!(items.len(), TEN_MB / ELEMENT.len() + 1),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    let string = format!("const s = \"{}\"\n", "é".repeat(TEN_MB / 2));
    let (_, diags) = parse("string.rules".into(), &string);
    assert!(diags.is_empty());
    let comment = format!("# {}\nconst x = 1\n", "x".repeat(TEN_MB));
    let (ast, diags) = parse("comment.rules".into(), &comment);
    assert!(diags.is_empty());
    assert_eq!(ast.items.len(), 1);
}

#[test]
fn an_error_at_the_end_of_a_ten_megabyte_line_is_reported_there() {
    let n = TEN_MB / ELEMENT.len();
    let text = format!("const xs = [{}1 &&]\n", ELEMENT.repeat(n));
    let (_, diags) = parse("long.rules".into(), &text);
    assert_eq!(diags.len(), 1);
    let span = diags[0].primary.as_ref().map(|l| (l.span.line, l.span.col));
    // `const xs = [` is 12 characters, then the elements, `1`, a blank
    assert_eq!(span, Some((1, (12 + ELEMENT.len() * n + 3) as u32)));
    assert_errors("ten_megabyte_line", "long.rules", &text, &diags);
}

#[test]
fn invalid_utf8_is_reported_at_the_byte() {
    let mut bytes = b"rule r {\n  message: \"caf".to_vec();
    bytes.push(0xE9); // Latin-1 e-acute, not UTF-8
    bytes.extend_from_slice(b"\"\n}\n");
    let (ast, diags) = parse_bytes("latin1.rules".into(), &bytes);
    assert_eq!(ast.items.len(), 1, "the rest still parses");
    let text = String::from_utf8_lossy(&bytes).to_string();
    assert_errors("invalid_utf8", "latin1.rules", &text, &diags);
    assert_eq!(diags.len(), 1);
    let l = diags[0].primary.as_ref().map(|l| (l.span.line, l.span.col));
    assert_eq!(l, Some((2, 16)));

    let (_, diags) = parse_bytes("binary.rules".into(), &[0xff, 0xfe, 0x00, 0x80]);
    assert!(!diags.is_empty());
    assert_eq!(diags[0].code, "P0018");
}

#[test]
fn non_ascii_where_a_symbol_is_expected_is_an_error_not_a_panic() {
    for text in [
        "const x é",
        "def f(é",
        "def f(a) é",
        "rule r { tags: [a é",
        "const x = [1 é",
    ] {
        let (_, diags) = parse("utf8.rules".into(), text);
        assert_eq!(diags.len(), 1, "{text}");
        assert_eq!(diags[0].found.as_deref(), Some("`é`"), "{text}");
    }
}

#[test]
fn crlf_line_ends_parse_like_lf() {
    let lf = std::fs::read_to_string("tests/corpus/parse/valid/flagship.rules")
        .expect("the flagship rules in the parse corpus");
    let crlf = lf.replace('\n', "\r\n");
    let (a, d1) = parse("lf.rules".into(), &lf);
    let (b, d2) = parse("crlf.rules".into(), &crlf);
    assert!(d1.is_empty() && d2.is_empty(), "{d2:?}");
    assert!(!a.items.is_empty(), "the flagship rules parse to something");
    assert_eq!(a, b);
    assert_eq!(format(&a), format(&b));
}

// ---------------------------------------------------------------------------------
// Properties

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Cases per property: the default keeps the suite fast; `PROPTEST_CASES` explores.
    fn cases(default: u32) -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    fn sp() -> factlint::diag::Span {
        factlint::diag::Span::default()
    }

    fn ident(name: &str) -> Ident {
        Ident {
            name: name.to_string(),
            span: sp(),
        }
    }

    fn ex(kind: ExprKind) -> Expr {
        Expr { kind, span: sp() }
    }

    const NAMES: &[&str] = &[
        "a", "b", "s", "x1", "_tmp", "severity", "days", "years", "message",
    ];
    const FIELDS: &[&str] = &["id", "date", "min", "end", "in", "for", "count", "x_2"];

    fn name() -> impl Strategy<Value = String> {
        prop::sample::select(NAMES).prop_map(str::to_string)
    }

    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![
            (0u32..1000).prop_map(f64::from),
            (0.0f64..1e6),
            prop::sample::select(&[0.5, 1e300, 1.5e-7, 123456789012345680000.0, 0.1][..]),
        ]
    }

    fn date() -> impl Strategy<Value = DateLit> {
        (
            0i32..=9999,
            prop::option::of((1u32..=12, prop::option::of(1u32..=28))),
        )
            .prop_map(|(year, md)| DateLit {
                year,
                month: md.map(|m| m.0),
                day: md.and_then(|m| m.1),
            })
    }

    fn literal() -> impl Strategy<Value = Literal> {
        prop_oneof![
            number().prop_map(Literal::Number),
            any::<String>().prop_map(Literal::String),
            any::<bool>().prop_map(Literal::Bool),
            Just(Literal::Null),
            date().prop_map(Literal::Date),
            (
                0u32..1000,
                prop::sample::select(
                    &[
                        DurationUnit::Days,
                        DurationUnit::Weeks,
                        DurationUnit::Months,
                        DurationUnit::Years
                    ][..]
                )
            )
                .prop_map(|(amount, unit)| Literal::Duration(DurationLit { amount, unit })),
        ]
    }

    const BINARY: &[BinaryOp] = &[
        BinaryOp::Or,
        BinaryOp::And,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::EqIgnoreCase,
        BinaryOp::In,
        BinaryOp::NotIn,
        BinaryOp::Contains,
        BinaryOp::StartsWith,
        BinaryOp::EndsWith,
        BinaryOp::Matches,
        BinaryOp::Before,
        BinaryOp::After,
        BinaryOp::During,
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Rem,
    ];

    const AGGREGATES: &[AggregateOp] = &[
        AggregateOp::Count,
        AggregateOp::CountDistinct,
        AggregateOp::Exists,
        AggregateOp::All,
        AggregateOp::Sum,
        AggregateOp::Min,
        AggregateOp::Max,
        AggregateOp::Avg,
    ];

    pub(super) fn expr() -> impl Strategy<Value = Expr> {
        let leaf = prop_oneof![
            literal().prop_map(|l| ex(ExprKind::Literal(l))),
            name().prop_map(|n| ex(ExprKind::Name(ident(&n)))),
        ];
        leaf.prop_recursive(5, 48, 3, |inner| {
            prop_oneof![
                (inner.clone(), prop::sample::select(FIELDS))
                    .prop_map(|(b, f)| ex(ExprKind::Field(Box::new(b), ident(f)))),
                (name(), prop::collection::vec(inner.clone(), 0..3))
                    .prop_map(|(f, args)| ex(ExprKind::Call(ident(&f), args))),
                prop::collection::vec(inner.clone(), 0..3).prop_map(|v| ex(ExprKind::List(v))),
                (any::<bool>(), inner.clone()).prop_map(|(not, x)| ex(ExprKind::Unary(
                    if not { UnaryOp::Not } else { UnaryOp::Neg },
                    Box::new(x)
                ))),
                (prop::sample::select(BINARY), inner.clone(), inner.clone())
                    .prop_map(|(op, l, r)| ex(ExprKind::Binary(op, Box::new(l), Box::new(r)))),
                (inner.clone(), inner.clone(), inner.clone()).prop_map(|(l, w, r)| ex(
                    ExprKind::Within {
                        lhs: Box::new(l),
                        window: Box::new(w),
                        rhs: Box::new(r)
                    }
                )),
                (inner.clone(), any::<bool>()).prop_map(|(x, negated)| ex(ExprKind::Missing {
                    expr: Box::new(x),
                    negated
                })),
                (
                    prop::sample::select(AGGREGATES),
                    inner.clone(),
                    name(),
                    inner.clone(),
                    prop::option::of(inner),
                )
                    .prop_map(|(op, value, var, source, filter)| {
                        ex(ExprKind::Aggregate(Box::new(Aggregate {
                            op,
                            value: op.takes_value().then_some(value),
                            var: ident(&var),
                            source,
                            filter,
                        })))
                    }),
            ]
        })
    }

    /// Message parts as the parser makes them: no empty text, no two texts in a row.
    fn message() -> impl Strategy<Value = Message> {
        prop::collection::vec(
            prop_oneof![
                ".+".prop_map(MessagePart::Text),
                expr().prop_map(MessagePart::Expr),
                Just(MessagePart::Count(sp())),
            ],
            0..4,
        )
        .prop_map(|parts| {
            let mut out: Vec<MessagePart> = Vec::new();
            for p in parts {
                match (out.last_mut(), p) {
                    (Some(MessagePart::Text(a)), MessagePart::Text(b)) => a.push_str(&b),
                    (_, p) => out.push(p),
                }
            }
            Message {
                parts: out,
                span: sp(),
            }
        })
    }

    /// Doc comments as the parser makes them: lines without trailing blanks.
    fn doc() -> impl Strategy<Value = Option<String>> {
        prop::option::of(
            prop::collection::vec("( ?[^\\s][^\\n\\r]*[^\\s])?", 1..3).prop_map(|l| l.join("\n")),
        )
    }

    fn spanned<T>(value: T) -> Spanned<T> {
        Spanned { value, span: sp() }
    }

    fn rule() -> impl Strategy<Value = Rule> {
        (
            (doc(), "[a-z_][a-z0-9_.-]{0,12}"),
            prop::option::of(prop::sample::select(
                &[Severity::Error, Severity::Warning, Severity::Info][..],
            )),
            prop::option::of(message()),
            prop::collection::vec(any::<String>(), 0..3),
            prop::collection::vec((name(), expr()), 0..3),
            prop::collection::vec((name(), expr()), 0..3),
            prop::option::of(expr()),
            prop::option::of(prop::collection::vec(expr(), 1..3)),
            prop::option::of((
                prop::sample::select(
                    &[
                        VerdictKind::Supported,
                        VerdictKind::Refuted,
                        VerdictKind::NotEnoughEvidence,
                    ][..],
                ),
                name(),
            )),
        )
            .prop_map(
                |(
                    (doc, id),
                    severity,
                    message,
                    tags,
                    meta,
                    bindings,
                    condition,
                    group,
                    verdict,
                )| Rule {
                    doc,
                    id: ident(&id),
                    severity: severity.map(spanned),
                    message,
                    tags: tags.into_iter().map(spanned).collect(),
                    meta: meta.into_iter().map(|(k, v)| (ident(&k), v)).collect(),
                    bindings: bindings
                        .into_iter()
                        .map(|(v, source)| Binding {
                            var: ident(&v),
                            source,
                            span: sp(),
                        })
                        .collect(),
                    condition,
                    group: group.map(|keys| GroupBy { keys, span: sp() }),
                    verdict: verdict.map(|(kind, c)| Verdict {
                        kind: spanned(kind),
                        claim: ident(&c),
                        span: sp(),
                    }),
                    span: sp(),
                },
            )
    }

    fn item() -> impl Strategy<Value = Item> {
        prop_oneof![
            any::<String>().prop_map(|path| Item::Include(Include { path, span: sp() })),
            (doc(), name(), expr()).prop_map(|(doc, n, value)| Item::Const(Const {
                doc,
                name: ident(&n),
                value,
                span: sp()
            })),
            (doc(), name(), prop::collection::vec(name(), 0..3), expr()).prop_map(
                |(doc, n, params, body)| Item::Def(Def {
                    doc,
                    name: ident(&n),
                    params: params.iter().map(|p| ident(p)).collect(),
                    body,
                    span: sp()
                })
            ),
            rule().prop_map(Item::Rule),
        ]
    }

    fn file() -> impl Strategy<Value = File> {
        prop::collection::vec(item(), 0..4).prop_map(|items| File {
            items,
            comments: Vec::new(),
            span: sp(),
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(384), ..ProptestConfig::default() })]

        #[test]
        fn parsing_the_formatted_tree_gives_the_tree(ast in file()) {
            let text = format(&ast);
            let (back, diags) = parse("gen.rules".into(), &text);
            prop_assert!(diags.is_empty(), "{}\n{}", text, rendered("gen.rules", &text, &diags));
            prop_assert_eq!(&back, &ast, "{}", text);
            prop_assert_eq!(format(&back), text);
        }
    }

    fn corpus() -> Vec<(String, String)> {
        let mut files: Vec<_> = std::fs::read_dir("tests/corpus/parse/valid")
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|p| (file_name(p), std::fs::read_to_string(p).unwrap_or_default()))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(128), ..ProptestConfig::default() })]

        /// Comments anywhere a line ends or between lines: the layout keeps every one,
        /// in order, keeps the tree, and is idempotent.
        #[test]
        fn formatting_keeps_comments_sprinkled_into_the_corpus(
            pick in any::<prop::sample::Index>(),
            marks in prop::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 1..8),
        ) {
            let files = corpus();
            let (name, text) = &files[pick.index(files.len())];
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            if lines.is_empty() {
                lines.push(String::new());
            }
            for (k, (at, own_line)) in marks.iter().enumerate() {
                let n = at.index(lines.len());
                if *own_line {
                    lines.insert(n, format!("# own {k}"));
                } else {
                    lines[n].push_str(&format!("  # end {k}"));
                }
            }
            let text = lines.join("\n") + "\n";
            let (ast, diags) = parse(name.as_str().into(), &text);
            prop_assert!(diags.is_empty(), "{}\n{}", text, rendered(name, &text, &diags));
            let formatted = format(&ast);
            let (back, d2) = parse(name.as_str().into(), &formatted);
            prop_assert!(d2.is_empty(), "{}\n---\n{}", text, formatted);
            prop_assert_eq!(comment_texts(&back), comment_texts(&ast), "{}\n---\n{}", text, formatted);
            prop_assert_eq!(&back, &ast, "{}\n---\n{}", text, formatted);
            prop_assert_eq!(format(&back), formatted.clone(), "{}\n---\n{}", text, formatted);
        }
    }

    /// The parser runs on its own thread, which turns a panic into error P0000.
    fn crashed(diags: &[Diagnostic]) -> bool {
        diags.iter().any(|d| d.code == "P0000")
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

        /// Valid files with a few characters deleted or tokens inserted: errors, never
        /// a crash; and whatever still parses formats back to the same tree.
        #[test]
        fn mutated_corpus_files_never_crash(
            pick in any::<prop::sample::Index>(),
            edits in prop::collection::vec(
                (any::<prop::sample::Index>(), prop::option::of(rulish_piece())),
                1..4,
            ),
        ) {
            let files = corpus();
            let (name, original) = &files[pick.index(files.len())];
            let mut text: Vec<char> = original.chars().collect();
            for (at, insert) in &edits {
                let n = at.index(text.len() + 1);
                match insert {
                    Some(piece) => {
                        for (k, c) in piece.chars().enumerate() {
                            text.insert(n + k, c);
                        }
                    }
                    None if n < text.len() => {
                        text.remove(n);
                    }
                    None => {}
                }
            }
            let text: String = text.into_iter().collect();
            let (ast, diags) = parse(name.as_str().into(), &text);
            prop_assert!(!crashed(&diags), "{:?}", text);
            let _ = rendered(name, &text, &diags);
            if diags.is_empty() {
                let formatted = format(&ast);
                let (back, d2) = parse(name.as_str().into(), &formatted);
                prop_assert!(d2.is_empty(), "{:?}\n{}", text, formatted);
                prop_assert_eq!(&back, &ast);
                prop_assert_eq!(format(&back), formatted);
            }
        }
    }

    fn rulish_piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(
            &[
                "{", "}", "(", ")", "[", "]", "\"", "\\", "#", "##", "\n", ",", ":", "=", ".", "@",
                "-", "for", "in", "not", "rule", "é", "{{", "`", "$", " ",
            ][..],
        )
    }

    /// Text that looks like rule files: keywords, symbols, names, literals, blanks.
    fn rulish() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(
            &[
                "rule",
                "r",
                "{",
                "}",
                "severity",
                ":",
                "error",
                "message",
                "\"",
                "\"{",
                "}\"",
                "{{",
                "tags",
                "[",
                "]",
                ",",
                "meta",
                "for",
                "x",
                "in",
                "where",
                "and",
                "or",
                "not",
                "==",
                "=",
                "<",
                "&&",
                "(",
                ")",
                ".",
                "1",
                "2.5",
                "20 years",
                "@2014-03",
                "@20",
                "count",
                "sum",
                "within",
                "of",
                "is",
                "missing",
                "verdict",
                "refuted",
                "const",
                "def",
                "include",
                "##",
                "#",
                "\n",
                " ",
                "\\",
                "\\u{",
                "é",
                "-",
                "+",
                "*",
                "starts",
                "with",
                "not-enough-evidence",
                "~=",
                "!",
            ][..],
        );
        let sep = prop::sample::select(&["", " ", " ", "\n"][..]);
        prop::collection::vec((pieces, sep), 0..60)
            .prop_map(|v| v.into_iter().flat_map(|(p, s)| [p, s]).collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(512), ..ProptestConfig::default() })]

        #[test]
        fn parse_never_panics_on_rule_like_text(text in rulish()) {
            let (ast, diags) = parse("fuzz.rules".into(), &text);
            prop_assert!(!crashed(&diags), "{:?}", text);
            if diags.is_empty() {
                // what parses formats: same tree, same comments, idempotent
                let formatted = format(&ast);
                let (back, d2) = parse("fuzz.rules".into(), &formatted);
                prop_assert!(d2.is_empty(), "{:?}\n{}", text, formatted);
                prop_assert_eq!(comment_texts(&back), comment_texts(&ast), "{:?}\n{}", text, formatted);
                prop_assert_eq!(&back, &ast);
                prop_assert_eq!(format(&back), formatted, "{:?}", text);
            }
            for d in &diags {
                let _ = rendered("fuzz.rules", &text, std::slice::from_ref(d));
            }
        }

        #[test]
        fn parse_never_panics_on_any_string(text in any::<String>()) {
            let (_, diags) = parse("any.rules".into(), &text);
            prop_assert!(!crashed(&diags), "{:?}", text);
        }

        #[test]
        fn parse_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let (_, diags) = parse_bytes("bytes.rules".into(), &bytes);
            prop_assert!(!crashed(&diags), "{:?}", bytes);
            let text = String::from_utf8_lossy(&bytes);
            let _ = rendered("bytes.rules", &text, &diags);
        }
    }
}

#[test]
fn every_example_in_the_language_doc_parses_and_is_in_canonical_layout() {
    let doc = std::fs::read_to_string("docs/language.md").unwrap_or_default();
    let mut blocks = 0;
    for (k, block) in doc.split("```rules\n").skip(1).enumerate() {
        let code = block.split("```").next().unwrap_or_default();
        let name = format!("language.md example {}", k + 1);
        match format_source(name.as_str().into(), code) {
            Ok(formatted) => assert_eq!(formatted, code, "{name} is not in canonical layout"),
            Err(d) => panic!("{name}:\n{}", rendered(&name, code, &d)),
        }
        blocks += 1;
    }
    assert!(blocks >= 12, "only {blocks} examples found");
}

// ---------------------------------------------------------------------------------
// The command line

mod command_line {
    use std::path::PathBuf;
    use std::process::Command;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("factlint-parse-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::create_dir_all(dir.join("nested"));
        dir
    }

    fn factlint(args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_factlint"))
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .expect("the factlint binary runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    const MESSY: &str = "rule  a{severity:error\nwhere x==1 and y==2}\n";
    const TIDY: &str = "rule a {\n  severity: error\n  where x == 1\n    and y == 2\n}\n";

    #[test]
    fn fmt_check_lists_files_that_would_change_and_exits_1() {
        let dir = scratch("check");
        let _ = std::fs::write(dir.join("messy.rules"), MESSY);
        let _ = std::fs::write(dir.join("nested/tidy.rules"), TIDY);
        let _ = std::fs::write(dir.join("notes.txt"), "not a rule file");
        let d = dir.to_string_lossy().to_string();
        let (code, stdout, _) = factlint(&["fmt", "--check", &d]);
        assert_eq!(code, 1);
        assert_eq!(stdout.trim(), dir.join("messy.rules").to_string_lossy());
        assert_eq!(
            std::fs::read_to_string(dir.join("messy.rules")).unwrap_or_default(),
            MESSY
        );

        let (code, _, _) = factlint(&["fmt", &d]);
        assert_eq!(code, 0);
        assert_eq!(
            std::fs::read_to_string(dir.join("messy.rules")).unwrap_or_default(),
            TIDY
        );
        let (code, stdout, _) = factlint(&["fmt", "--check", &d]);
        assert_eq!((code, stdout.as_str()), (0, ""));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn fmt_and_parse_report_parse_errors_and_exit_2() {
        let dir = scratch("errors");
        let bad = dir.join("bad.rules");
        let _ = std::fs::write(&bad, "rule r {\n  where a && b\n}\n");
        let b = bad.to_string_lossy().to_string();
        for cmd in ["fmt", "parse"] {
            let (code, stdout, stderr) = factlint(&[cmd, &b]);
            assert_eq!(code, 2, "{cmd}");
            assert_eq!(stdout, "", "{cmd}");
            assert!(
                stderr.contains("error[P0009]: unknown operator `&&`"),
                "{cmd}: {stderr}"
            );
            assert!(stderr.contains("bad.rules:2:11"), "{cmd}: {stderr}");
        }
        let (code, _, stderr) = factlint(&["--error-format", "json", "fmt", &b]);
        assert_eq!(code, 2);
        assert!(stderr.contains("\"code\":\"P0009\""), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(&bad).unwrap_or_default(),
            "rule r {\n  where a && b\n}\n"
        );
        let (code, _, stderr) = factlint(&["fmt", &dir.join("absent.rules").to_string_lossy()]);
        assert_eq!(code, 2);
        assert!(stderr.contains("does not exist"), "{stderr}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn parse_prints_the_tree() {
        let dir = scratch("tree");
        let file = dir.join("ok.rules");
        let _ = std::fs::write(&file, TIDY);
        let (code, stdout, _) = factlint(&["parse", &file.to_string_lossy()]);
        assert_eq!(code, 0);
        assert_eq!(
            stdout,
            "(rule@1:1 a (severity@2:13 error) (where@3:9 (and (== x 1.0) (== y 2.0))))\n"
        );
        let (code, stdout, _) = factlint(&["parse", "--debug", &file.to_string_lossy()]);
        assert_eq!(code, 0);
        assert!(stdout.contains("ok.rules:2:13"), "{stdout}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
