//! Three-valued logic, table-driven: every comparison operator against precise,
//! partial (imprecise dates, ranges) and missing values.

use factlint::data::{Duration, Time, Value};
use factlint::eval::expr::apply_binary;
use factlint::eval::ops::{self, Tri, V};
use factlint::syntax::ast::BinaryOp::{self, *};
use Tri::{False as F, True as T, Unknown as U};

fn d(s: &str) -> V<'static> {
    V::owned(Value::Time(Time::parse(s).expect(s)))
}
fn n(x: f64) -> V<'static> {
    V::num(x)
}
fn range(min: Option<f64>, max: Option<f64>) -> V<'static> {
    V::owned(Value::Range { min, max })
}
fn s(x: &str) -> V<'static> {
    V::owned(Value::str(x))
}
fn list(xs: &[&str]) -> V<'static> {
    V::owned(Value::List(xs.iter().map(|x| Value::str(x)).collect()))
}
fn years(y: i32) -> V<'static> {
    V::owned(Value::Duration(Duration {
        months: 12 * y,
        days: 0,
    }))
}
fn missing() -> V<'static> {
    V::Missing
}

fn check(op: BinaryOp, a: V, b: V, want: Tri) {
    let got = apply_binary(op, &a, &b).truth();
    assert_eq!(
        got,
        want,
        "{} {} {} should be {}",
        a.display(),
        op.as_str(),
        b.display(),
        want.as_str()
    );
}

#[test]
fn dates_before_and_after() {
    let table = [
        // precise against precise
        ("2008-08-08", Before, "2026-01-07", T),
        ("2026-01-07", Before, "2008-08-08", F),
        ("2026-01-07", Before, "2026-01-07", F),
        ("2026-01-07", After, "2026-01-06", T),
        // a year against a day: certain when the whole year is on one side
        ("2008", Before, "2026-01-07", T),
        ("2026", Before, "2026-01-07", U),
        ("2027", Before, "2026-01-07", F),
        // a month against a day inside it: unknown
        ("2026-01", Before, "2026-01-07", U),
        ("2026-01", After, "2026-01-07", U),
        ("2025-12", Before, "2026-01-07", T),
        // during
        ("2026-01-07", During, "2026-01", T),
        ("2026-02-01", During, "2026-01", F),
        ("2026-01", During, "2026", T),
        ("2026", During, "2026-01", U),
        // order operators on dates behave like before/after
        ("2008", Lt, "2026-01-07", T),
        ("2026-01", Lt, "2026-01-07", U),
        ("2026-01-07", Le, "2026-01-07", T),
        ("2026-01-08", Gt, "2026-01-07", T),
        ("2026-01", Ge, "2026-01-31", U),
        // equality
        ("2026-01-07", Eq, "2026-01-07", T),
        ("2026-01-07", Eq, "2026-01-08", F),
        ("2026-01", Eq, "2026-01-07", U),
        ("2026-01", Eq, "2025-12-31", F),
        ("2026-01", Ne, "2025-12-31", T),
    ];
    for (a, op, b, want) in table {
        check(op, d(a), d(b), want);
    }
}

#[test]
fn open_intervals() {
    let open_end = V::owned(Value::Time(Time::interval(
        Time::parse("2026-01-05").as_ref(),
        None,
        "from 2026-01-05".into(),
    )));
    check(During, d("2026-01-07"), open_end.clone(), T);
    check(During, d("2026-01-04"), open_end.clone(), F);
    check(Before, d("2026-01-04"), open_end.clone(), T);
    check(After, d("2030-01-01"), open_end, U);
}

#[test]
fn within_windows() {
    let w = |a: &str, y: i32, b: &str, want: Tri| {
        let got = ops::within(&d(a), &years(y), &d(b));
        assert_eq!(got, want, "{a} within {y} years of {b}");
    };
    w("2008-08-08", 20, "2026-01-07", T);
    w("2003-03-20", 20, "2026-01-07", F);
    w("2006", 20, "2026-01-07", U);
    w("2026-01-03", 20, "2022-02-24", T);
    w("2026-01", 1, "2026-01-07", T);
    check(Eq, missing(), d("2026-01-07"), U);
    assert_eq!(ops::within(&missing(), &years(1), &d("2026-01-07")), U);
    assert_eq!(
        ops::within(&d("2026-01-07"), &missing(), &d("2026-01-07")),
        U
    );
}

#[test]
fn numbers_and_ranges() {
    let table = [
        (n(80.0), Ge, n(80.0), T),
        (n(79.0), Ge, n(80.0), F),
        (range(Some(80.0), None), Ge, n(80.0), T),
        (range(Some(80.0), Some(100.0)), Ge, n(90.0), U),
        (range(Some(80.0), Some(100.0)), Lt, n(120.0), T),
        (range(Some(80.0), Some(100.0)), Lt, n(80.0), F),
        (range(Some(80.0), Some(100.0)), Eq, n(90.0), U),
        (range(Some(80.0), Some(100.0)), Eq, n(120.0), F),
        (range(Some(5.0), Some(5.0)), Eq, n(5.0), T),
        (n(3.0), Le, n(3.0), T),
        (n(3.0), Lt, n(3.0), F),
        (n(4.0), Gt, n(3.0), T),
        (n(3.0), Ne, n(4.0), T),
        (n(1.0), Eq, s("1"), F),
    ];
    for (a, op, b, want) in table {
        check(op, a, b, want);
    }
}

#[test]
fn strings() {
    let table = [
        (s("Russia"), Eq, s("Russia"), T),
        (s("Russia"), Eq, s("russia"), F),
        (s("Russia"), EqIgnoreCase, s("RUSSIA"), T),
        (s("Russian Federation"), StartsWith, s("Russian"), T),
        (s("Russian Federation"), EndsWith, s("Russian"), F),
        (
            s("zone of peace"),
            In,
            s("a zone of peace in Latin America"),
            T,
        ),
        (s("b"), Lt, s("c"), T),
        (s("A"), Le, s("B"), T),
    ];
    for (a, op, b, want) in table {
        check(op, a, b, want);
    }
}

#[test]
fn membership() {
    check(
        In,
        s("sovereignty"),
        list(&["sovereignty", "un-charter"]),
        T,
    );
    check(In, s("trade"), list(&["sovereignty"]), F);
    check(NotIn, s("trade"), list(&["sovereignty"]), T);
    check(Contains, list(&["sovereignty"]), s("sovereignty"), T);
    check(
        In,
        s("x"),
        V::owned(Value::List(vec![Value::str("y"), Value::Null])),
        U,
    );
    check(
        In,
        s("y"),
        V::owned(Value::List(vec![Value::str("y"), Value::Null])),
        T,
    );
    check(In, s("x"), list(&[]), F);
}

#[test]
fn missing_values_are_unknown_for_every_operator() {
    let ops = [
        Eq,
        Ne,
        Lt,
        Le,
        Gt,
        Ge,
        EqIgnoreCase,
        In,
        NotIn,
        Contains,
        StartsWith,
        EndsWith,
        Before,
        After,
        During,
    ];
    let others = [
        n(1.0),
        s("x"),
        d("2026-01-07"),
        list(&["x"]),
        range(Some(1.0), None),
    ];
    for op in ops {
        for o in &others {
            check(op, missing(), o.clone(), U);
            check(op, o.clone(), missing(), U);
        }
        check(op, V::owned(Value::Null), n(1.0), U);
    }
    for op in [Add, Sub, Mul, Div, Rem] {
        assert!(apply_binary(op, &missing(), &n(1.0)).is_missing());
    }
}

#[test]
fn kleene_logic() {
    let all = [T, U, F];
    for a in all {
        for b in all {
            let and = a.and(b);
            let or = a.or(b);
            let want_and = if a == F || b == F {
                F
            } else if a == U || b == U {
                U
            } else {
                T
            };
            let want_or = if a == T || b == T {
                T
            } else if a == U || b == U {
                U
            } else {
                F
            };
            assert_eq!(and, want_and, "{a:?} and {b:?}");
            assert_eq!(or, want_or, "{a:?} or {b:?}");
            assert_eq!(apply_binary(And, &V::tri(a), &V::tri(b)).truth(), want_and);
            assert_eq!(apply_binary(Or, &V::tri(a), &V::tri(b)).truth(), want_or);
        }
        assert_eq!(a.not().not(), a);
    }
    assert_eq!(U.not(), U);
}

#[test]
fn date_arithmetic() {
    let shifted = apply_binary(Sub, &d("2026-01-07"), &years(20));
    check(Eq, shifted, d("2006-01-07"), T);
    let shifted = apply_binary(Add, &d("2014-03"), &years(1));
    check(Eq, shifted.clone(), d("2015-03-10"), U);
    check(During, d("2015-03-10"), shifted, T);
}

/// The table of examples in docs/language.md ("Certain, possible, unknown"), row by
/// row: each condition over the documented record gives the documented result, on
/// both engines.
#[test]
fn the_documented_semantics_table_holds() {
    use factlint::data::{self, LoadOptions};
    use factlint::diag::Sources;
    use factlint::eval::{Certainty, Engine, RunOptions};
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/language.md")).expect("read docs");
    let table = doc
        .split("<!-- semantics-table: begin -->")
        .nth(1)
        .and_then(|t| t.split("<!-- semantics-table: end -->").next())
        .expect("the semantics table is marked in docs/language.md");
    let rows: Vec<(String, String)> = table
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim().trim_matches('|').split(" | ").collect();
            let cond = cells.first()?.trim().strip_prefix('`')?.strip_suffix('`')?;
            Some((cond.to_string(), cells.get(1)?.trim().to_string()))
        })
        .collect();
    assert!(
        rows.len() >= 40,
        "only {} rows read from the table",
        rows.len()
    );
    let dir = std::env::temp_dir().join(format!("factlint-semantics-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("data.yaml"),
        "xs:\n  - {id: x, n: 5, r: {min: 75, max: 100}, least: {min: 83}, month: 2026-01, day: 2026-01-07, s: Caracas, tags: [a, b], yes: true}\n\
         ys:\n  - {id: y1, v: 50}\n  - {id: y2, v: {min: 83}}\n  - {id: y3}\n",
    )
    .unwrap();
    let schema = "collections:\n  xs:\n    fields:\n      id: {type: string, required: true}\n      n: number\n      r: number\n      least: number\n      m: number\n      flag: bool\n      note: string\n      month: date\n      day: date\n      s: string\n      tags: list of string\n      yes: bool\n  ys:\n    fields:\n      id: {type: string, required: true}\n      v: number\n";
    std::fs::write(dir.join("schema.yaml"), schema).unwrap();
    let (ds, diags) = data::load(std::slice::from_ref(&dir), &LoadOptions::default());
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
    let mut wrong = Vec::new();
    for (cond, want) in &rows {
        let text = format!("rule t {{\n  for x in xs\n  where {cond}\n}}\n");
        let (file, pd) = factlint::syntax::parse("t.rules".into(), &text);
        let (suite, cd) = factlint::check::check(&[file], &ds.schema);
        if let Some(d) = pd.iter().chain(&cd).find(|d| d.is_error()) {
            wrong.push(format!("`{cond}`: {}", d.message));
            continue;
        }
        let mut sources = Sources::new();
        sources.add("t.rules".into(), text.as_str().into());
        for engine in [Engine::Planned, Engine::Reference] {
            let opts = RunOptions {
                engine,
                parallel: false,
                ..RunOptions::default()
            };
            let (report, _) = factlint::eval::run(&suite, &ds, &sources, &opts);
            let got = match report.findings.first().map(|f| f.certainty) {
                None => "false",
                Some(Certainty::Certain) => "true",
                Some(Certainty::Possible) => "unknown",
            };
            if got != want {
                wrong.push(format!(
                    "`{cond}` ({engine:?}): documented {want}, is {got}"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the semantics table is wrong:\n{}",
        wrong.join("\n")
    );
}
