//! Hostile sizes and shapes (issue 11): every pass over input is linear, every
//! recursive reader has a depth limit with a located error, nothing is silently lost,
//! and positions are right after a byte-order mark. The large inputs are generated
//! here, at run time; each case took from 12 s to minutes (or crashed) before.

use factlint::diag::Diagnostic;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A debug build on a loaded machine: linear runs take well under a second here,
/// the quadratic ones they replace took minutes.
const LIMIT: Duration = Duration::from_secs(20);

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("factlint-linear-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, text).expect("write");
    path
}

/// Run the binary in `dir`; the time it took.
fn run(dir: &Path, args: &[&str]) -> (Output, Duration) {
    let start = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_factlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run factlint");
    (o, start.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `check --rules r d --format json` in `dir`: how many findings, and the time it took.
fn json_findings(dir: &Path) -> (usize, Duration) {
    let args = [
        "check",
        "--rules",
        "r",
        "d",
        "--format",
        "json",
        "--fail-on",
        "never",
    ];
    let (o, took) = run(dir, &args);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", stderr(&o)));
    (v["findings"].as_array().map_or(0, Vec::len), took)
}

const THINGS: &str = "- id: a\n  n: 1\n- id: b\n  n: 2\n";

fn one_rule() -> &'static str {
    "rule r0 {\n  for t in things\n  where t.n == 1\n}\n"
}

#[test]
fn twenty_thousand_rules_are_checked_in_linear_time() {
    // C0013 (duplicate rules) compared every rule with every other
    let dir = tempdir("rules");
    write(&dir, "d/things.yaml", THINGS);
    let n = 20_000;
    let mut rules = String::new();
    for i in 0..n {
        rules.push_str(&format!(
            "rule r{i} {{\n  for t in things\n  where t.n == {i}\n}}\n"
        ));
    }
    // two twins of r5: each is said to repeat r5, the first of them
    for twin in ["twin-a", "twin-b"] {
        rules.push_str(&format!(
            "rule {twin} {{\n  for t in things\n  where t.n == 5\n}}\n"
        ));
    }
    write(&dir, "r/all.rules", rules);
    let (o, took) = run(
        &dir,
        &["check", "--rules", "r", "d", "--error-format", "plain"],
    );
    assert!(took < LIMIT, "{n} rules took {took:?}");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let dups: Vec<&str> = stderr(&o)
        .leak()
        .lines()
        .filter(|l| l.contains("C0013"))
        .collect();
    assert_eq!(dups.len(), 2, "{dups:?}");
    assert!(
        dups[0].starts_with(&format!(
            "r/all.rules:{}:6: warning[C0013]: rule `twin-a` duplicates rule `r5`",
            4 * n + 1
        )),
        "{}",
        dups[0]
    );
    assert!(
        dups[1].contains("rule `twin-b` duplicates rule `r5`"),
        "{}",
        dups[1]
    );
}

#[test]
fn twenty_thousand_diagnostics_are_rendered_in_linear_time() {
    // every excerpt counted the file's lines from the top
    let dir = tempdir("diags");
    write(&dir, "d/things.yaml", THINGS);
    let n = 20_000;
    let mut rules = String::new();
    for i in 0..n {
        rules.push_str(&format!(
            "rule e{i} {{\n  for t in things\n  where t.n == == 1\n}}\n"
        ));
    }
    write(&dir, "r/bad.rules", rules);
    let (o, took) = run(&dir, &["check", "--rules", "r", "d"]);
    assert!(took < LIMIT, "{n} diagnostics took {took:?}");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(
        err.matches("error[P").count(),
        n,
        "{}",
        &err[..2000.min(err.len())]
    );
    // the last one quotes its own line
    let last = format!("--> r/bad.rules:{}:16\n", 4 * n - 1);
    let at = err.rfind(&last).unwrap_or_else(|| panic!("no {last:?}"));
    assert!(
        err[at..].contains(&format!("{} |   where t.n == == 1\n", 4 * n - 1)),
        "{}",
        &err[at..]
    );
}

#[test]
fn sixty_thousand_nested_flow_brackets_are_refused_at_once() {
    let dir = tempdir("flow");
    let n = 60_000;
    let text = format!("- id: a\n  n: {}{}\n", "[".repeat(n), "]".repeat(n));
    write(&dir, "d/things.yaml", text);
    write(&dir, "r/a.rules", one_rule());
    let (o, took) = run(
        &dir,
        &["check", "--rules", "r", "d", "--error-format", "plain"],
    );
    assert!(took < LIMIT, "took {took:?}");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    // saphyr counts flow levels in a byte: it stops at the 256th bracket
    assert!(
        err.contains(
            "d/things.yaml:2:261: error[D0004]: YAML nested too deeply (more than 128 levels)"
        ),
        "{err}"
    );
}

#[test]
fn deep_block_nesting_is_refused_at_the_level_too_deep() {
    let dir = tempdir("block");
    let mut text = String::from("- id: a\n  n:\n");
    for i in 0..2000 {
        text.push_str(&format!("{}  -\n", "  ".repeat(i)));
    }
    write(&dir, "d/things.yaml", text);
    write(&dir, "r/a.rules", one_rule());
    let (o, took) = run(
        &dir,
        &["check", "--rules", "r", "d", "--error-format", "plain"],
    );
    assert!(took < LIMIT, "took {took:?}");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // the 1st list is n's value (depth 3 under the record list and record): the
    // 129th collection is the 127th `-` list, on line 2 + 127
    assert!(
        stderr(&o).contains("d/things.yaml:129:255: error[D0004]: YAML nested too deeply"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn deep_json_is_a_located_error() {
    let dir = tempdir("json");
    let n = 100_000;
    write(
        &dir,
        "d/things.json",
        format!(
            "[{{\"id\": \"a\", \"n\": {}{}}}]",
            "[".repeat(n),
            "]".repeat(n)
        ),
    );
    write(&dir, "r/a.rules", one_rule());
    let (o, took) = run(
        &dir,
        &["check", "--rules", "r", "d", "--error-format", "plain"],
    );
    assert!(took < LIMIT, "took {took:?}");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "d/things.json:1:144: error[D0005]: malformed JSON: recursion limit exceeded"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_csv_of_a_hundred_thousand_columns_loads_in_linear_time() {
    let dir = tempdir("columns");
    let n = 100_000;
    let names: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
    let ones = vec!["1"; n].join(",");
    write(
        &dir,
        "d/things.csv",
        format!("id,n,{}\na,1,{ones}\n", names.join(",")),
    );
    let (o, took) = run(&dir, &["validate", "d"]);
    assert!(took < LIMIT, "{n} columns took {took:?}");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no problems in 1 file, 1 record"),
        "{}",
        stderr(&o)
    );
    // a rule naming a field the table lacks: the help lists a few, not 100,000
    write(
        &dir,
        "r/a.rules",
        "rule r0 {\n  for t in things\n  where t.nope == 1\n}\n",
    );
    let (o, took) = run(
        &dir,
        &["check", "--rules", "r", "d", "--error-format", "plain"],
    );
    assert!(took < LIMIT, "{n} columns took {took:?}");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    let line = err.lines().find(|l| l.contains("C0002")).unwrap_or("");
    assert!(
        line.starts_with("r/a.rules:3:11: error[C0002]: collection `things` has no field `nope`"),
        "{line}"
    );
    assert!(
        line.ends_with(" and 99982 more"),
        "{}",
        &line[line.len().saturating_sub(300)..]
    );
    assert!(line.len() < 600, "{}", line.len());
}

#[test]
fn an_unclosed_csv_quote_is_an_error_at_the_quote() {
    let dir = tempdir("quote");
    write(
        &dir,
        "d/things.csv",
        "id,n,note\na,1,\"fine, quoted\"\nb,2,\"never closed\nc,3,x\nd,4,y\n",
    );
    let (o, _) = run(&dir, &["validate", "d", "--error-format", "plain"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "d/things.csv:3:5: error[D0006]: a quoted cell is never closed (expected a closing `\"` before the end of the cell, found the end of the file, 3 lines further on)"
        ),
        "{}",
        stderr(&o)
    );
    // a doubled quote inside a quoted cell is no unclosed quote
    write(
        &dir,
        "d/things.csv",
        "id,n,note\na,1,\"say \"\"hi\"\"\"\nb,2,x\"y\n",
    );
    let (o, _) = run(&dir, &["validate", "d"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 records"), "{}", stderr(&o));
}

#[test]
fn twenty_thousand_suppressions_apply_in_linear_time() {
    let dir = tempdir("suppress");
    let n = 20_000;
    let mut data = String::new();
    let mut entries = String::new();
    for i in 0..n {
        data.push_str(&format!("- id: t{i}\n  n: 1\n"));
        // half of them expired: their findings come back, counted per entry
        let expires = if i % 2 == 0 {
            "2099-01-01"
        } else {
            "2001-01-01"
        };
        entries.push_str(&format!(
            "- rule: r0\n  records: [things/t{i}]\n  reason: x\n  reviewer: y\n  expires: {expires}\n"
        ));
    }
    write(&dir, "d/things.yaml", data);
    write(&dir, "r/a.rules", one_rule());
    write(&dir, "s.yaml", entries);
    let args = [
        "check",
        "--rules",
        "r",
        "d",
        "--suppressions",
        "s.yaml",
        "--error-format",
        "plain",
    ];
    let (o, took) = run(&dir, &args);
    assert!(took < LIMIT, "{n} suppressions took {took:?}");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches("warning[R0207]").count(), n / 2);
    assert!(err.contains("s.yaml:6:1: warning[R0207]: suppression of `r0` on things/t1 expired on 2001-01-01 (reviewer: y); help: its 1 finding is reported again"), "{}", &err[..2000]);
    assert!(
        stdout(&o).contains(&format!("{} suppressed", n / 2)),
        "{}",
        stdout(&o).lines().last().unwrap_or("")
    );
}

#[test]
fn a_schema_type_nested_fifty_thousand_deep_is_refused() {
    // on this test thread's 2 MB stack: the type is read without recursion
    let deep = format!("{}string", "list of ".repeat(50_000));
    let err = factlint::data::parse_type(&deep, None).expect_err("too deep");
    assert_eq!(err, "a type nested too deeply (more than 32 `list of`)");
    let ok = format!("{}string", "list of ".repeat(32));
    assert!(factlint::data::parse_type(&ok, None).is_ok());

    let dir = tempdir("schema");
    write(&dir, "d/things.yaml", THINGS);
    write(&dir, "d/schema.yaml", format!("collections:\n  things:\n    fields:\n      id: string\n      n: number\n      deep: {deep}\n"));
    write(&dir, "r/a.rules", one_rule());
    let (o, took) = run(
        &dir,
        &["check", "--rules", "r", "d", "--error-format", "plain"],
    );
    assert!(took < LIMIT, "took {took:?}");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.contains("D0009"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.starts_with(
            "d/schema.yaml:6:13: error[D0009]: a type nested too deeply (more than 32 `list of`)"
        ),
        "{line}"
    );
    // the type is quoted cut short
    assert!(line.len() < 600, "{}", line.len());
}

/// Rule text nested far deeper than any stack: a located P0017 from the parser, and
/// nothing after it recurses (the run ends with exit 2, no crash).
#[test]
fn rule_expressions_nested_too_deeply_are_refused_where_the_limit_is_reached() {
    let n = 100_000;
    let cases = [
        (
            "parens",
            format!("{}t.n == 1{}", "(".repeat(n), ")".repeat(n)),
            3,
            209,
        ),
        ("not", format!("{}t.n == 1", "not ".repeat(n)), 3, 809),
        ("or", vec!["t.n == 1"; n].join(" or "), 3, 9 + 198 * 12),
        (
            "plus",
            format!("t.n == {}", vec!["1"; n].join(" + ")),
            3,
            16 + 200 * 4,
        ),
    ];
    for (name, cond, line, col) in &cases {
        let text = format!("rule {name} {{\n  for t in things\n  where {cond}\n}}\n");
        // the library, on this 2 MB test thread
        let (_, diags) = factlint::syntax::parse("deep.rules".into(), &text);
        let d: &Diagnostic = diags
            .iter()
            .find(|d| d.code == "P0017")
            .unwrap_or_else(|| panic!("{name}: {diags:?}"));
        let at = d.primary.as_ref().map(|l| (l.span.line, l.span.col));
        assert_eq!(at, Some((*line, *col)), "{name}");
    }
    // and the whole pipeline
    let dir = tempdir("deep-rules");
    write(&dir, "d/things.yaml", THINGS);
    let text = format!(
        "rule or {{\n  for t in things\n  where {}\n}}\n",
        cases[2].1
    );
    write(&dir, "r/a.rules", text);
    let (o, took) = run(
        &dir,
        &["check", "--rules", "r", "d", "--error-format", "plain"],
    );
    assert!(took < LIMIT, "took {took:?}");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with(&format!("r/a.rules:3:{}: error[P0017]", 9 + 198 * 12)),
        "{}",
        stderr(&o)
    );
}

#[test]
fn columns_on_line_one_do_not_count_a_byte_order_mark() {
    let dir = tempdir("bom");
    write(&dir, "d/things.yaml", "\u{feff}- {id: a, n: [1\n");
    write(
        &dir,
        "r/a.rules",
        "\u{feff}rule x { for t in things where t.nope == 1 }\n",
    );
    let (o, _) = run(&dir, &["check", "--rules", "r", "d"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    // the excerpt quotes the line without the mark, the caret under the place
    assert!(
        err.contains("--> d/things.yaml:1:16\n  |\n1 | - {id: a, n: [1\n  |                ^"),
        "{err}"
    );
    write(&dir, "d/things.yaml", THINGS);
    let (o, _) = run(&dir, &["check", "--rules", "r", "d"]);
    let err = stderr(&o);
    assert!(err.contains("--> r/a.rules:1:34\n  |\n1 | rule x { for t in things where t.nope == 1 }\n  |                                  ^^^^ unknown field"), "{err}");
    // a suppressions file with a mark is read (it did not parse), its columns right
    write(&dir, "r/a.rules", one_rule());
    write(
        &dir,
        "s.yaml",
        "\u{feff}- {rule: r0, reason: r, reviewer: v, expires: 2099-01-01, extra: 1}\n",
    );
    let (o, _) = run(
        &dir,
        &[
            "check",
            "--rules",
            "r",
            "d",
            "--suppressions",
            "s.yaml",
            "--error-format",
            "plain",
        ],
    );
    let err = stderr(&o);
    assert!(
        err.contains("s.yaml:1:59: error[R0206]: unknown field `extra` in a suppression"),
        "{err}"
    );
}

#[test]
fn each_suppression_error_points_at_its_own_entry() {
    use factlint::report::suppress::load_suppressions;
    let located = |text: &str| -> Vec<String> {
        let (_, diags) = load_suppressions("s.yaml", text);
        diags
            .iter()
            .map(|d| {
                let at = |s: &factlint::diag::Span| format!("{}:{}", s.line, s.col);
                let also: Vec<String> = d.secondary.iter().map(|l| at(&l.span)).collect();
                let primary = d.primary.as_ref().map(|l| at(&l.span)).unwrap_or_default();
                format!(
                    "{primary} {} {}{}",
                    d.code,
                    d.message,
                    if also.is_empty() {
                        String::new()
                    } else {
                        format!(" (also {})", also.join(", "))
                    }
                )
            })
            .collect()
    };
    // a bad value merged from a template: once at the template, once at the entry
    // that merges it (both were at the template)
    let text = "- &desk {rule: a, reason: r, reviewer: v, expires: 2026-13-01, extra: 1}\n- <<: *desk\n  rule: b\n";
    assert_eq!(
        located(text),
        [
            "1:52 R0204 invalid expiry date `2026-13-01`",
            "1:64 R0206 unknown field `extra` in a suppression",
            "2:1 R0204 invalid expiry date `2026-13-01` (also 1:52)",
            "2:1 R0206 unknown field `extra` in a suppression (also 1:64)",
        ]
    );
    // a comment after the `-`: the entry is still shown at its `-`
    let text = "- rule: a\n  reason: r\n  reviewer: v\n  expires: 2026-01-01\n- # the next one\n  # has no reason\n  rule: b\n  reviewer: v\n  expires: 2026-01-01\n";
    assert_eq!(
        located(text),
        ["5:1 R0202 suppression of `b` has no `reason`"]
    );
    // an alias entry is shown at the alias
    let text = "- &x {rule: a, reason: r, reviewer: v, expires: 2026-01-01, extra: 1}\n- *x\n";
    assert_eq!(
        located(text),
        [
            "1:61 R0206 unknown field `extra` in a suppression",
            "2:1 R0206 unknown field `extra` in a suppression (also 1:61)",
        ]
    );
}

#[test]
fn many_quotes_against_a_large_snapshot_normalise_it_once() {
    // each quote normalised the whole snapshot again: 2,000 quotes over 2 MB
    let dir = tempdir("snapshot");
    let mut text = "Lorem  ipsum dolor sit amet, \u{201c}consectetur\u{201d}\n".repeat(40_000);
    text.push_str("The LAST words.\n");
    write(&dir, "d/snapshots/big.txt", &text);
    write(
        &dir,
        "d/schema.yaml",
        "collections:\n  notes:\n    fields:\n      id: {type: string, required: true}\n      quotes: list of string\n      snapshot: file\n",
    );
    let mut quotes: Vec<String> = (0..2_000)
        .map(|i| format!("\"missing quote {i}\""))
        .collect();
    quotes.push("\"the last   words\"".into());
    write(
        &dir,
        "d/notes.yaml",
        format!(
            "- {{id: n1, snapshot: snapshots/big.txt, quotes: [{}]}}\n",
            quotes.join(", ")
        ),
    );
    write(
        &dir,
        "r/q.rules",
        "rule misquoted {\n  message: \"{q}\"\n  for n in notes, q in n.quotes\n  where not quoted_in(q, text(n.snapshot))\n}\n",
    );
    let (findings, took) = json_findings(&dir);
    assert!(took < LIMIT, "2,000 quotes took {took:?}");
    // every missing quote is a finding; the last words, in other case and spacing, are not
    assert_eq!(findings, 2_000);
}

#[test]
fn a_long_chain_of_copies_is_followed_once() {
    // origin() walked each source's chain to its end: 40,000 sources, each a copy of
    // the next, made 800 million steps
    let dir = tempdir("chain");
    let n = 40_000;
    let mut sources = String::new();
    for i in 0..n {
        let from = if i + 1 < n {
            format!(", \"derived_from\": \"s{}\"", i + 1)
        } else {
            String::new()
        };
        sources.push_str(&format!(
            "{{\"id\": \"s{i}\", \"title\": \"t\", \"publisher\": \"p{i}\"{from}}}\n"
        ));
    }
    write(&dir, "d/sources.jsonl", sources);
    let mut claims = String::new();
    for i in 0..n {
        claims.push_str(&format!(
            "{{\"id\": \"c{i}\", \"date\": \"2026-01-01\", \"text\": \"c\", \"sources\": [\"s{i}\"]}}\n"
        ));
    }
    write(&dir, "d/claims.jsonl", claims);
    write(&dir, "d/schema.yaml", "use: event-model\n");
    write(
        &dir,
        "r/o.rules",
        "rule from-the-last {\n  for c in claims, s in c.sources\n  where origin(s) == \"s39999\"\n}\n",
    );
    let (findings, took) = json_findings(&dir);
    assert!(took < LIMIT, "{n} copies took {took:?}");
    // every claim's source is a copy, through the chain, of the last one
    assert_eq!(findings, n);
}

#[test]
fn reports_of_forty_thousand_subjects_are_linear() {
    // the text, Markdown and HTML reports found each finding's subject, and each
    // rule, by searching the ones already met
    let dir = tempdir("subjects");
    let n = 40_000;
    let mut things = String::new();
    for i in 0..n {
        things.push_str(&format!("{{\"id\": \"t{i}\", \"n\": 1}}\n"));
    }
    write(&dir, "d/things.jsonl", things);
    write(&dir, "r/a.rules", one_rule());
    // the three together: a few seconds in a debug build, a minute the old way
    let mut total = Duration::ZERO;
    for format in ["text", "markdown", "html"] {
        let (o, took) = run(
            &dir,
            &[
                "check",
                "--rules",
                "r",
                "d",
                "--format",
                format,
                "--fail-on",
                "never",
            ],
        );
        total += took;
        assert!(stdout(&o).contains("t39999"), "{format}: {}", stderr(&o));
    }
    assert!(total < LIMIT, "the reports of {n} findings took {total:?}");
}
