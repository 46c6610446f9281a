//! Messages that were missing, unlocated or misleading (issue 11): every unknown key
//! and bad value of `factlint.yaml` located with what is allowed; `set:` and `as_of:`
//! errors located in the config; durations beyond the calendar refused with the
//! limit; `--import` rows at their own line with what a bad date should have been;
//! `factlint test` exiting 2 when a test cannot run; `fmt` idempotent.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch project folder with `files` (path, text) written into it.
fn project(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("factlint-messages-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("a folder")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

/// Run factlint in `dir`: exit code, stdout, stderr (the folder's path as `<dir>`).
fn factlint_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_factlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("the factlint binary runs");
    let clean = |b: &[u8]| String::from_utf8_lossy(b).replace(&dir.display().to_string(), "<dir>");
    (
        o.status.code().unwrap_or(-1),
        clean(&o.stdout),
        clean(&o.stderr),
    )
}

const DATA: &str = "facts:\n  - {id: f1, subject: VEN, property: p, value: 1}\n";
const RULES: &str =
    "const window = 20 years\n\nrule small {\n  for f in facts\n  where f.value > 5\n}\n";

// ---------------------------------------------------------------------------------
// factlint.yaml: unknown keys and bad values

#[test]
fn every_unknown_key_and_bad_value_of_the_config_is_located() {
    let config = "\
rule: [rules]
data: [data, 7]
fail-on: warning
fail_on: warnings
hide_possible: yes
strict: 1
schema: [a, b]
set: [window]
";
    let dir = project(
        "config-keys",
        &[
            ("factlint.yaml", config.as_bytes()),
            ("data/facts.yaml", DATA.as_bytes()),
            ("rules/r.rules", RULES.as_bytes()),
        ],
    );
    let (code, stdout, stderr) = factlint_in(&dir, &["check"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(stdout, "");
    insta::assert_snapshot!("config_unknown_keys_and_bad_values", stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_config_with_every_key_right_runs() {
    let config = "\
rules: rules
data: [data]
fail_on: Error
hide_possible: false
strict: true
as_of: 2026-01-31
set:
  window: 10 years
";
    let dir = project(
        "config-ok",
        &[
            ("factlint.yaml", config.as_bytes()),
            ("data/facts.yaml", DATA.as_bytes()),
            ("rules/r.rules", RULES.as_bytes()),
        ],
    );
    let (code, stdout, stderr) = factlint_in(&dir, &["check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stderr, "");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn set_and_as_of_errors_point_into_the_config() {
    let config = "\
rules: [rules]
data: [data]
as_of: 2026-02-30
set:
  windw: 10 years
  window: \"ten\"
";
    let dir = project(
        "config-set",
        &[
            ("factlint.yaml", config.as_bytes()),
            ("data/facts.yaml", DATA.as_bytes()),
            ("rules/r.rules", RULES.as_bytes()),
        ],
    );
    // as_of is checked when the config is read: it stops the run before the data
    let (code, _, stderr) = factlint_in(&dir, &["check"]);
    assert_eq!(code, 2, "{stderr}");
    insta::assert_snapshot!("config_as_of_located", stderr);

    let config = config.replace("as_of: 2026-02-30\n", "");
    std::fs::write(dir.join("factlint.yaml"), &config).expect("write");
    let (code, _, stderr) = factlint_in(&dir, &["check"]);
    assert_eq!(code, 2, "{stderr}");
    insta::assert_snapshot!("config_set_located", stderr);

    let config = config.replace("\"ten\"", "10 yeers (");
    std::fs::write(dir.join("factlint.yaml"), &config).expect("write");
    let (code, _, stderr) = factlint_in(&dir, &["--error-format", "json", "check"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("\"code\":\"A0004\"")
            && stderr.contains("\"file\":\"factlint.yaml\",\"line\":5,\"column\":11"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------
// durations beyond the calendar

#[test]
fn a_duration_longer_than_the_calendar_is_an_error_with_the_limit() {
    let rules = "const w = 200000000 years\nconst m = 120001 months\nconst d = 3652425 days\n";
    let dir = project(
        "durations",
        &[
            ("data/facts.yaml", DATA.as_bytes()),
            ("rules/r.rules", rules.as_bytes()),
        ],
    );
    let (code, _, stderr) = factlint_in(&dir, &["check", "data"]);
    assert_eq!(code, 2, "{stderr}");
    insta::assert_snapshot!("duration_too_long", stderr);
    // the same limit for `--set`, saying what it is
    std::fs::write(dir.join("rules/r.rules"), "const w = 20 years\n").expect("write");
    let (code, _, stderr) = factlint_in(&dir, &["check", "data", "--set", "w=10001 years"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("A0004") && stderr.contains("expected at most 10000 years"),
        "{stderr}"
    );
    let (code, _, stderr) = factlint_in(&dir, &["check", "data", "--set", "w=10000 years"]);
    assert_eq!(code, 0, "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_duration_in_data_longer_than_the_calendar_is_an_error_with_the_limit() {
    let schema = "collections:\n  things:\n    fields:\n      id: string\n      span: duration\n";
    let data = "things:\n  - {id: a, span: 200000000 years}\n  - {id: b, span: P10001Y}\n  - {id: c, span: 10000 years}\n  - {id: d, span: 3652425 days}\n";
    let dir = project(
        "data-durations",
        &[
            ("data/schema.yaml", schema.as_bytes()),
            ("data/things.yaml", data.as_bytes()),
        ],
    );
    let (code, _, stderr) = factlint_in(&dir, &["validate", "data"]);
    assert_eq!(code, 2, "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 2, "{stderr}");
    for at in ["things.yaml:2:19", "things.yaml:3:19"] {
        assert!(stderr.contains(at), "{at}: {stderr}");
    }
    assert_eq!(
        stderr
            .matches("help: a duration is at most 10000 years long")
            .count(),
        2,
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------
// --import: rows at their line, dates that are none said to be none

#[test]
fn imported_rows_are_located_at_their_line_and_bad_dates_say_what_they_are() {
    let csv = "\
GLOBALEVENTID,SQLDATE,Actor1Code,Actor1Name,Actor2Code,Actor2Name,EventCode,SOURCEURL,DATEADDED
7,20250101,RUS,RUSSIA,VEN,VENEZUELA,190,https://tass.ru/a,20260107153000

8,20261399,RUS,RUSSIA,VEN,VENEZUELA,190,https://tass.ru/b,20260107250000


9,20250101,,,VEN,VENEZUELA,190,https://tass.ru/c,20260107153000
";
    let dir = project("import", &[("events/gdelt.csv", csv.as_bytes())]);
    let (code, _, stderr) = factlint_in(&dir, &["validate", "--import", "events"]);
    assert_eq!(code, 2, "{stderr}");
    insta::assert_snapshot!("import_rows_and_dates", stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_records_after_blank_lines_are_at_their_own_line() {
    let csv = "\n\nid,actor,kind\n\na1,x,airstrike\n\n\n,y,airstrike\n";
    let dir = project("blank-lines", &[("events/events.csv", csv.as_bytes())]);
    let (code, _, stderr) = factlint_in(&dir, &["validate", "events"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("events.csv:8:1"), "{stderr}");
    assert!(stderr.contains("8 | ,y,airstrike"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------
// factlint test: 2 when a test cannot run, 1 when one fails

fn fixture(name: &str, expect: &[u8]) -> PathBuf {
    project(
        name,
        &[
            ("factlint.yaml", b"rules: [rules]\ntests: [tests]\n"),
            ("rules/r.rules", RULES.as_bytes()),
            ("tests/ok/facts.yaml", DATA.as_bytes()),
            ("tests/ok/expect.yaml", b"expect: []\n"),
            ("tests/t/facts.yaml", DATA.as_bytes()),
            ("tests/t/expect.yaml", expect),
        ],
    )
}

#[test]
fn factlint_test_exits_2_when_a_test_cannot_run() {
    // name, expect.yaml, the code and where it points
    let cases: [(&str, &[u8], &str); 6] = [
        ("not-utf8", b"expect: [\xff]\n", "F0002"),
        ("bad-yaml", b"expect: [{rule: small, recrds: []}]\n", "A0012]: invalid test expectations\n --> tests/t/expect.yaml:1:24"),
        ("bad-verdict", b"verdicts: [{claim: c, verdict: maybe}]\n", "A0012]: invalid test expectations\n --> tests/t/expect.yaml:1:32"),
        ("unknown-rule", b"expect: [{rule: smal, records: []}]\n", "A0013]: `tests/t` tests rule `smal`, which the suite does not have\n --> tests/t/expect.yaml:1:17"),
        ("bad-set", b"set: {window: \"x y\"}\nexpect: []\n", "A0004]: invalid value for `window` in `set:`\n --> tests/t/expect.yaml:1:15"),
        ("unknown-rule-in-rules", b"rules: [small, nope]\n", "A0013]: `tests/t` tests rule `nope`, which the suite does not have\n --> tests/t/expect.yaml:1:16"),
    ];
    for (name, expect, want) in cases {
        let dir = fixture(name, expect);
        let (code, stdout, stderr) = factlint_in(&dir, &["test"]);
        assert_eq!(code, 2, "{name}: {stdout}{stderr}");
        assert!(stderr.contains(want), "{name}: {stderr}");
        assert!(stdout.contains("tests/ok ... ok"), "{name}: {stdout}");
        let _ = std::fs::remove_dir_all(&dir);
    }
    // what a person sees for a verdict that is none
    let dir = fixture(
        "verdict-shown",
        b"verdicts:\n  - {claim: c, verdict: refutd}\n",
    );
    let (_, _, stderr) = factlint_in(&dir, &["test"]);
    insta::assert_snapshot!("test_expect_bad_verdict", stderr);
    let _ = std::fs::remove_dir_all(&dir);
    // a data file that cannot be read (a FIFO, which would block) stops the test
    let dir = fixture("fifo", b"expect: []\n");
    let made = Command::new("mkfifo")
        .arg(dir.join("tests/t/pipe.yaml"))
        .status()
        .is_ok_and(|s| s.success());
    if made {
        let (code, stdout, stderr) = factlint_in(&dir, &["test"]);
        assert_eq!(code, 2, "fifo: {stdout}{stderr}");
        assert!(stderr.contains("F0004"), "fifo: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    // a test that runs and fails is 1, as before
    let dir = fixture("fails", b"expect: [{rule: small, records: [facts/f1]}]\n");
    let (code, stdout, stderr) = factlint_in(&dir, &["test"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------
// fmt: idempotent, and the tree it writes is the tree it read

mod fmt_idempotent {
    use factlint::syntax::ast::File;
    use factlint::syntax::{format, parse};
    use proptest::prelude::*;

    fn comments(f: &File) -> Vec<String> {
        f.comments
            .iter()
            .map(|c| c.text.trim_start_matches(['#', ' ']).trim_end().to_string())
            .collect()
    }

    /// `text` formats to a layout that parses to the same tree and comments, and that
    /// formatting again leaves alone. `Err` says how it failed.
    pub(super) fn holds(name: &str, text: &str) -> Result<(), String> {
        let (ast, diags) = parse(name.into(), text);
        if !diags.is_empty() {
            return Err(format!("{name} does not parse:\n{text}\n{diags:#?}"));
        }
        let once = format(&ast);
        let (back, d2) = parse(name.into(), &once);
        if !d2.is_empty() {
            return Err(format!(
                "{name}: the layout does not parse:\n{text}\n---\n{once}\n{d2:#?}"
            ));
        }
        if back != ast {
            return Err(format!(
                "{name}: the layout changes the tree:\n{text}\n---\n{once}"
            ));
        }
        if comments(&back) != comments(&ast) {
            return Err(format!(
                "{name}: the layout changes the comments:\n{text}\n---\n{once}"
            ));
        }
        let twice = format(&back);
        if twice != once {
            return Err(format!(
                "{name}: fmt is not idempotent:\n{text}\n--- once\n{once}\n--- twice\n{twice}"
            ));
        }
        Ok(())
    }

    #[test]
    fn every_rule_file_of_the_repository_formats_idempotently() {
        let mut files = Vec::new();
        for dir in [
            "tests/corpus/parse/valid",
            "tests/corpus/parse/invalid",
            "rules",
        ] {
            let mut stack = vec![std::path::PathBuf::from(dir)];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if p.extension().is_some_and(|x| x == "rules") {
                        files.push(p);
                    }
                }
            }
        }
        files.sort();
        assert!(files.len() >= 25, "only {} rule files found", files.len());
        let mut failures = Vec::new();
        let mut checked = 0;
        for p in &files {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            let name = p.display().to_string();
            if !parse(name.as_str().into(), &text).1.is_empty() {
                continue; // the invalid corpus: nothing to format
            }
            checked += 1;
            if let Err(e) = holds(&name, &text) {
                failures.push(e);
            }
        }
        assert!(checked >= 25, "only {checked} files parse");
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }

    /// Inputs that were not idempotent: a def too long for one line glued to the
    /// next item, a comment between a doc comment and its item, `#` comments
    /// starting with `#`, comments after the last item.
    #[test]
    fn layouts_that_were_not_idempotent() {
        let long = format!(
            "def d(x) = x.a == 1 and x.b == 2 and x.{} == 3 and x.c == 4",
            "f".repeat(60)
        );
        let cases = [
            format!("{long}\nconst b = 1\n"),
            format!("const a = 1\n{long}\nconst b = 1\n"),
            "## doc\n# note\nconst a = 1\n".to_string(),
            "const a = 1  ##x\nconst b = 2\n".to_string(),
            "###x\nconst a = 1\n".to_string(),
            "const a = 1\n\n\n# tail\n\n# tail 2\n".to_string(),
            "rule r {\n  where a ## doc-like\n}\n".to_string(),
            "rule r {\n  # only a comment\n}\n".to_string(),
            "rule r { # on the brace\n  where a\n}\n".to_string(),
            "const s = \"tab\\t nl\\n quote\\\" back\\\\ \\u{1b} é 😀\"\n".to_string(),
            "rule r {\n  message: \"{{x}} {a.b} é\"\n  where a\n}\n".to_string(),
        ];
        let failures: Vec<String> = cases
            .iter()
            .enumerate()
            .filter_map(|(i, t)| holds(&format!("case{i}.rules"), t).err())
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }

    fn atom() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "a",
                "b.c",
                "x.\"odd name\"",
                "1",
                "2.5",
                "-3",
                "1e300",
                "@2014",
                "@2014-03",
                "@2026-01-07",
                "20 years",
                "1 day",
                "3 weeks",
                "true",
                "null",
                "\"\"",
                "\"é 😀 \\\"q\\\" \\\\ \\n \\t\"",
                "\"{x}\"",
                "[]",
                "[1, 2]",
                "f(a, b)",
                "count(y in ys)",
                "max(y.v for y in ys where y.v > 1)",
            ])
            .prop_map(str::to_string),
            "[a-z]{1,12}".prop_map(|s| format!("\"{s}\"")),
        ]
    }

    fn expr() -> impl Strategy<Value = String> {
        atom().prop_recursive(4, 24, 2, |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    prop::sample::select(vec![
                        "and", "or", "==", "<", "+", "*", "??", "in", "contains"
                    ]),
                    inner.clone()
                )
                    .prop_map(|(l, op, r)| {
                        // comparisons do not chain, `+ not` is no operand: in parentheses
                        if ["and", "or"].contains(&op) {
                            format!("{l} {op} {r}")
                        } else {
                            format!("({l}) {op} ({r})")
                        }
                    }),
                inner.clone().prop_map(|x| format!("({x})")),
                inner.clone().prop_map(|x| format!("not ({x})")),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| format!("({a}) within 20 years of ({b})")),
                inner.prop_map(|x| format!("({x}) is missing")),
            ]
        })
    }

    /// A comment to put somewhere: none, on its own line, or at a line's end.
    fn comment() -> impl Strategy<Value = Option<(bool, String)>> {
        prop::option::of((
            any::<bool>(),
            prop::sample::select(vec![
                "# c",
                "#",
                "##",
                "###x",
                "# é 😀",
                "#   spaced  ",
                "# {x} \"q\"",
            ])
            .prop_map(str::to_string),
        ))
    }

    fn item() -> impl Strategy<Value = String> {
        let doc = prop::option::of(prop::sample::select(vec![
            "## doc",
            "##",
            "## two\n## lines",
            "##  indented",
        ]));
        prop_oneof![
            (prop::sample::select(vec!["k", "n", "window"]), expr())
                .prop_map(|(n, e)| format!("const {n} = {e}")),
            (expr(), expr(), expr())
                .prop_map(|(a, b, c)| format!("def d(x, y) = {a} and {b} and {c}")),
            "[a-z/.]{1,20}".prop_map(|p| format!("include \"{p}\"")),
            (
                prop::option::of(expr()),
                prop::option::of(expr()),
                any::<bool>(),
                comment(),
                prop::option::of(expr()),
            )
                .prop_map(|(w, m, tags, c, more)| {
                    let (w, more) = match (w, more) {
                        (Some(_), Some(m)) => (None, Some(m)),
                        other => other,
                    };
                    let mut r = String::from("rule r.x-1 {\n");
                    r.push_str("  severity: warning");
                    match c {
                        // `##` on its own line in a rule is a doc comment out of place
                        Some((true, c)) if c.starts_with("##") => r.push_str(&format!("\n  # {c}")),
                        Some((true, c)) => r.push_str(&format!("\n  {c}")),
                        Some((false, c)) => r.push_str(&format!("  {c}")),
                        None => {}
                    }
                    r.push('\n');
                    if let Some(m) = m {
                        r.push_str(&format!("  message: \"value {{{m}}} {{{{lit}}}} é\"\n"));
                    }
                    if tags {
                        r.push_str("  tags: [a, \"b c\"]\n");
                    }
                    r.push_str("\tfor x in xs, y in x.ys\n");
                    if let Some(w) = w {
                        r.push_str(&format!("  where {w}\n"));
                    }
                    if let Some(m) = more {
                        // a chain over lines, with comments at line ends and between
                        r.push_str(&format!(
                            "  where {m}  # first\n    and {m}\n  # between\n    or {m}  ## last\n"
                        ));
                    }
                    r.push('}');
                    r
                }),
        ]
        .prop_flat_map(move |item| (Just(item), doc.clone()))
        .prop_map(|(item, doc)| match doc {
            // an include has no doc comment
            Some(d) if !item.starts_with("include") => format!("{d}\n{item}"),
            _ => item,
        })
    }

    /// Rule text built from the grammar, laid out at random: items with 0 to 2 blank
    /// lines between them, comments on their own lines and at line ends, tabs, CRLF.
    fn file() -> impl Strategy<Value = String> {
        let items = prop::collection::vec((item(), 0usize..3, comment()), 0..5);
        (items, any::<bool>()).prop_map(|(items, crlf)| {
            let mut out = String::new();
            for (item, blanks, c) in items {
                match c {
                    Some((true, c)) => {
                        // `##` on its own line is a doc comment, and an include has none
                        if c.starts_with("##") && item.starts_with("include") {
                            out.push_str("# ");
                        }
                        out.push_str(&c);
                        out.push('\n');
                        out.push_str(&item);
                    }
                    Some((false, c)) => {
                        out.push_str(&item);
                        out.push_str("  ");
                        out.push_str(&c);
                    }
                    None => out.push_str(&item),
                }
                out.push('\n');
                out.push_str(&"\n".repeat(blanks));
            }
            if crlf {
                out = out.replace('\n', "\r\n");
            }
            out
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn random_rule_text_formats_idempotently(text in file()) {
            let (_, diags) = parse("gen.rules".into(), &text);
            // what the generator builds is valid, save for rare clashes
            prop_assert!(diags.is_empty(), "{}\n{:?}", text, diags.iter().map(|d| &d.message).collect::<Vec<_>>());
            if let Err(e) = holds("gen.rules", &text) {
                prop_assert!(false, "{}", e);
            }
        }
    }
}
