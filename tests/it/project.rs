//! The project layer and `factlint test` (the rules' own tests): a project opened from
//! factlint.yaml, one rule file re-checked without reloading data, and fixtures that
//! pass, fail, report a finding twice, or cannot run.

use factlint::project::{fixtures, Options, Project};
use std::path::{Path, PathBuf};
use std::process::Command;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn flagship() -> factlint::project::Prepared {
    Project::open(Options {
        config: Some(manifest().join("factlint.yaml")),
        ..Options::default()
    })
    .expect("the flagship config opens")
    .load()
    .expect("the flagship project loads without errors")
}

#[test]
fn the_flagship_project_loads_and_runs() {
    let p = flagship();
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.suite.rules.len(), 30);
    let (report, diags) = p.run();
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(report.findings.len(), 48);
}

#[test]
fn a_missing_config_is_a_located_failure_not_a_default() {
    let f = Project::open(Options {
        config: Some(manifest().join("no-such-factlint.yaml")),
        ..Options::default()
    })
    .expect_err("an explicit config that does not exist");
    assert_eq!(f.diagnostics[0].code, "F0001");
}

#[test]
fn options_override_the_config_and_errors_come_together() {
    let Err(f) = Project::open(Options {
        config: Some(manifest().join("factlint.yaml")),
        set: vec!["no_such_const=3".into(), "broken".into()],
        only: vec!["principle-contradicted-by-own-acton".into()],
        as_of: Some("2026-02-30".into()),
        ..Options::default()
    })
    .unwrap()
    .load() else {
        panic!("four bad overrides must fail the load");
    };
    let codes: Vec<&str> = f.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["A0004", "A0005", "A0006", "A0007"], "{codes:?}");
    let help = f.diagnostics[2].help.as_deref().unwrap_or_default();
    assert!(
        help.contains("principle-contradicted-by-own-action"),
        "{:#?}",
        f.diagnostics
    );
}

#[test]
fn one_rule_file_is_rechecked_against_the_loaded_schema() {
    let p = flagship();
    let file = p
        .rule_files
        .iter()
        .map(|f| f.span.file.to_string())
        .find(|f| f.ends_with("principles.rules"))
        .expect("principles.rules is loaded");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        p.recheck(&file, &text).is_empty(),
        "unchanged text is clean"
    );

    // a typo in a field name: a check error in that file, with a did-you-mean
    let edited = text.replacen("a.actor", "a.acter", 1);
    let diags = p.recheck(&file, &edited);
    assert!(!diags.is_empty());
    let d = &diags[0];
    assert!(d.code.starts_with('C'), "{d:?}");
    assert_eq!(&*d.primary.as_ref().unwrap().span.file, file.as_str());
    assert!(
        d.help.as_deref().unwrap_or_default().contains("actor"),
        "{d:?}"
    );

    // a syntax error: the parse error, and the rest of the suite still checked
    let diags = p.recheck(&file, "rule broken {\n  for x in\n}\n");
    assert!(diags.iter().any(|d| d.code.starts_with('P')), "{diags:?}");

    // a new file that uses a def of the suite's other files
    let diags = p.recheck("scratch.rules", "rule r {\n  for s in statmnts\n}\n");
    assert!(
        diags
            .iter()
            .any(|d| d.help.as_deref().unwrap_or_default().contains("statements")),
        "{diags:?}"
    );
}

// ---------------------------------------------------------------------------------
// `factlint test` on a project made for the purpose

/// A project folder: a rule that reports each pair of facts about one subject in both
/// orders (a finding twice, as the test sees it), a rule that never fires, and tests.
fn fixture_project(name: &str, tests: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("factlint-project-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(
        dir.join("rules/pairs.rules"),
        "## Two facts about one subject, in both orders.\n\
         rule same-subject {\n  for f in facts, g in facts\n  where f.subject == g.subject and f.id != g.id\n}\n\n\
         ## Two facts about one subject, once per pair.\n\
         rule same-subject-once {\n  for f in facts, g in facts\n  where f.subject == g.subject and f.id < g.id\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("factlint.yaml"),
        "rules: [rules]\ntests: [tests]\n",
    )
    .unwrap();
    let data = "facts:\n  - {id: f1, subject: VEN, property: p, value: 1}\n  - {id: f2, subject: VEN, property: p, value: 2}\n";
    for (test, expect) in tests {
        let t = dir.join("tests").join(test);
        std::fs::create_dir_all(&t).unwrap();
        std::fs::write(t.join("data.yaml"), data).unwrap();
        std::fs::write(t.join("expect.yaml"), expect).unwrap();
    }
    dir
}

fn run_fixtures(dir: &Path) -> fixtures::Fixtures {
    let project = Project::open(Options {
        config: Some(dir.join("factlint.yaml")),
        ..Options::default()
    })
    .unwrap();
    fixtures::run(&project).expect("the tests run")
}

/// The report with the scratch folder's path taken out.
fn text_of(dir: &Path, f: &fixtures::Fixtures) -> String {
    f.render_text()
        .replace(&dir.display().to_string(), "<project>")
}

const ONCE: &str = "expect:\n  - {rule: same-subject-once, records: [facts/f1, facts/f2]}\n";
const PAIR_ONCE: &str = "expect:\n  - {rule: same-subject, records: [facts/f1, facts/f2]}\n";
const PAIR_TWICE: &str = "expect:\n  - {rule: same-subject, records: [facts/f1, facts/f2]}\n  - {rule: same-subject, records: [facts/f2, facts/f1]}\n";
const WRONG: &str = "description: expects a certain finding the rule does not give\nexpect:\n  - {rule: same-subject-once, records: [facts/f1, facts/f3]}\n";
const QUIET: &str = "rules: [same-subject-once]\nexpect: []\n";

#[test]
fn passing_tests_and_full_coverage() {
    let dir = fixture_project("pass", &[("once", ONCE), ("twice", PAIR_TWICE)]);
    let f = run_fixtures(&dir);
    assert_eq!((f.passed(), f.failed()), (2, 0), "{}", f.render_text());
    assert_eq!(f.coverage(), 100.0);
    insta::assert_snapshot!(text_of(&dir, &f), @r"
    test <project>/tests/once ... ok
    test <project>/tests/twice ... ok

    coverage: 2 of 2 rules fired in a test (100%)

    2 passed, 0 failed
    ");
}

#[test]
fn a_finding_reported_twice_must_be_expected_twice() {
    let dir = fixture_project("twice", &[("pair-once", PAIR_ONCE)]);
    let f = run_fixtures(&dir);
    assert_eq!(f.failed(), 1);
    insta::assert_snapshot!(text_of(&dir, &f), @r"
    test <project>/tests/pair-once ... FAILED
      reported, not expected:
        + same-subject [facts/f1, facts/f2] certain (reported 2 times, expected 1)

    coverage: 1 of 2 rules fired in a test (50%)
      rules without a test: same-subject-once
      rules that fired in no test: same-subject-once

    0 passed, 1 failed
    ");
}

#[test]
fn a_failing_test_says_what_differed() {
    let dir = fixture_project("fail", &[("quiet", QUIET), ("wrong", WRONG)]);
    let f = run_fixtures(&dir);
    assert_eq!((f.passed(), f.failed()), (0, 2));
    insta::assert_snapshot!(text_of(&dir, &f), @r"
    test <project>/tests/quiet ... FAILED
      reported, not expected:
        + same-subject-once [facts/f1, facts/f2] certain
    test <project>/tests/wrong ... FAILED
      expects a certain finding the rule does not give
      expected, not reported:
        - same-subject-once [facts/f1, facts/f3] certain
      reported, not expected:
        + same-subject-once [facts/f1, facts/f2] certain

    coverage: 1 of 2 rules fired in a test (50%)
      rules without a test: same-subject
      rules that fired in no test: same-subject

    0 passed, 2 failed
    ");
}

#[test]
fn a_test_that_cannot_run_is_a_failure_with_its_diagnostics() {
    let dir = fixture_project(
        "broken",
        &[
            ("bad-yaml", "expect: [{rule: same-subject, recrds: []}]\n"),
            (
                "unknown-rule",
                "expect:\n  - {rule: same-subjct, records: []}\n",
            ),
        ],
    );
    let f = run_fixtures(&dir);
    assert_eq!(f.failed(), 2);
    let codes: Vec<&str> = f
        .outcomes
        .iter()
        .map(|o| {
            o.failure.as_ref().expect("could not run").diagnostics[0]
                .code
                .as_str()
        })
        .collect();
    assert_eq!(codes, ["A0012", "A0013"]);
    let help = f.outcomes[1].failure.as_ref().unwrap().diagnostics[0]
        .help
        .clone()
        .unwrap_or_default();
    assert!(help.contains("`same-subject`"), "{help}");
}

#[test]
fn factlint_test_exits_by_outcome_and_coverage() {
    let bin = env!("CARGO_BIN_EXE_factlint");
    let run = |dir: &Path, args: &[&str]| {
        Command::new(bin)
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .output()
            .expect("run factlint")
    };
    let pass = fixture_project("cli-pass", &[("once", ONCE)]);
    let o = run(&pass, &["test"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // one of two rules fired: below a 100% coverage bar
    let o = run(&pass, &["test", "--min-coverage", "100"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("below --min-coverage 100%"));

    let fail = fixture_project("cli-fail", &[("pair-once", PAIR_ONCE)]);
    let o = run(&fail, &["test"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("... FAILED"));

    let none = fixture_project("cli-none", &[]);
    let o = run(&none, &["test"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("A0010"));
}

// ---------------------------------------------------------------------------------
// data errors do not stop the run (unless strict)

fn keep_going(strict: bool) -> Project {
    let root = manifest().join("tests/corpus/keep-going");
    Project::without_config(Options {
        data: vec![root.join("data")],
        rules: vec![root.join("keep-going.rules")],
        strict,
        ..Options::default()
    })
}

#[test]
fn data_errors_are_mended_and_the_rules_run_over_what_loaded() {
    let p = keep_going(false)
        .load()
        .expect("data errors do not stop the run");
    let errors = p.data_errors.as_ref().expect("the data's errors are kept");
    let codes: Vec<&str> = errors.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["D0016", "D0014", "D0010"]);
    assert!(p.diagnostics.iter().any(|d| d.code == "D0016"), "shown");
    assert_eq!(
        (
            errors.mended.unknown_values,
            errors.mended.dangling_refs,
            errors.mended.records_left_out
        ),
        (1, 1, 1)
    );
    let actions = p.dataset.collection("actions").unwrap();
    let ids: Vec<&str> = actions.records.iter().map(|r| &*r.id).collect();
    assert_eq!(
        ids,
        ["a1", "a2", "a3"],
        "the record without an id is left out"
    );
    let null = Some(&factlint::data::Value::Null);
    assert_eq!(actions.get("a2").unwrap().get("target"), null, "dangling");
    assert_eq!(actions.get("a3").unwrap().get("time"), null, "not a date");
    assert!(actions
        .get("a1")
        .unwrap()
        .get("time")
        .is_some_and(|v| *v != factlint::data::Value::Null));

    let (report, diags) = p.run();
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(report.summary.data_errors.as_ref(), Some(errors));
    let fired: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.evidence[0].id.as_str()))
        .collect();
    assert_eq!(
        fired,
        [
            ("action-target-unknown", "a2"),
            ("action-time-unknown", "a3"),
            ("action-by-russia", "a1"),
            ("action-by-russia", "a3"),
        ]
    );
}

#[test]
fn strict_stops_at_data_errors_and_rule_errors_always_stop() {
    let f = keep_going(true).load().err().expect("strict stops");
    assert!(f.diagnostics.iter().any(|d| d.code == "D0010"), "{f:?}");

    // a rule error stops the run whatever the data
    let dir = std::env::temp_dir().join(format!("factlint-keep-going-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bad.rules"), "rule r {\n  for a in actoins\n}\n").unwrap();
    let f = Project::without_config(Options {
        data: vec![manifest().join("tests/corpus/keep-going/data")],
        rules: vec![dir.join("bad.rules")],
        ..Options::default()
    })
    .load()
    .err()
    .expect("a rule error stops the run");
    let codes: Vec<&str> = f.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(
        codes.contains(&"C0010") && codes.contains(&"D0016"),
        "{codes:?}"
    );
}

/// A fixture whose data has a dangling reference: the rule that catches it fires,
/// and the test passes when its `expect.yaml` expects the error, fails when not.
#[test]
fn fixtures_run_despite_expected_data_errors() {
    let dir = std::env::temp_dir().join(format!(
        "factlint-project-data-errors-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(
        dir.join("rules/targets.rules"),
        "## An action whose target is unknown.\nrule target-unknown {\n  for a in actions\n  where a.target is missing\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("factlint.yaml"),
        "rules: [rules]\ntests: [tests]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("schema.yaml"),
        "collections:\n  actors:\n    fields: {name: string}\n  actions:\n    fields: {target: ref actors}\n",
    )
    .unwrap();
    let data = "actors:\n  - {id: RUS, name: Russia}\nactions:\n  - {id: a1, target: RUS}\n  - {id: a2, target: XYZ}\n";
    let expect = "expect:\n  - {rule: target-unknown, records: [actions/a2]}\n";
    for (test, extra) in [("expected", "data_errors: [D0016]\n"), ("unexpected", "")] {
        let t = dir.join("tests").join(test);
        std::fs::create_dir_all(&t).unwrap();
        std::fs::copy(dir.join("schema.yaml"), t.join("schema.yaml")).unwrap();
        std::fs::write(t.join("data.yaml"), data).unwrap();
        std::fs::write(t.join("expect.yaml"), format!("{expect}{extra}")).unwrap();
    }
    let f = run_fixtures(&dir);
    assert_eq!((f.passed(), f.failed()), (1, 1), "{}", f.render_text());
    for o in &f.outcomes {
        assert!(o.failure.is_none(), "the test ran");
        let codes: Vec<&str> = o
            .data_errors
            .as_ref()
            .unwrap()
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(codes, ["D0016"]);
    }
    insta::assert_snapshot!(text_of(&dir, &f), @r"
    test <project>/tests/expected ... ok
    test <project>/tests/unexpected ... FAILED
      data errors: expected [], found [D0016] (shown above)

    coverage: 1 of 1 rules fired in a test (100%)

    1 passed, 1 failed
    ");
}

/// Fixtures can assert the verdicts the rules give on claims: a right verdict passes,
/// a wrong one fails saying what the rules gave, an unknown verdict name is an error.
#[test]
fn fixtures_assert_verdicts() {
    let dir = std::env::temp_dir().join(format!("factlint-verdicts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(
        dir.join("rules/claims.rules"),
        "## Supported by a figure at least as high.\nrule reaches {\n  for c in claims, f in facts\n  where f.subject == c.subject and f.value >= c.value\n  verdict: supported for c\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("factlint.yaml"),
        "rules: [rules]\ntests: [tests]\n",
    )
    .unwrap();
    let data = "claims:\n  - {id: sure, subject: A, value: 80}\n  - {id: vague, subject: B, value: 80}\nfacts:\n  - {id: fa, subject: A, value: 90}\n  - {id: fb, subject: B, value: {min: 75, max: 100}}\n";
    let findings = "expect:\n  - {rule: reaches, records: [claims/sure, facts/fa]}\n  - {rule: reaches, records: [claims/vague, facts/fb], certainty: possible}\n";
    for (name, verdicts) in [
        ("right", "verdicts:\n  - {claim: sure, verdict: supported}\n  - {claim: vague, verdict: not-enough-evidence}\n"),
        ("wrong", "verdicts:\n  - {claim: vague, verdict: supported}\n"),
        ("bad-name", "verdicts:\n  - {claim: sure, verdict: true}\n"),
    ] {
        let t = dir.join("tests").join(name);
        std::fs::create_dir_all(&t).unwrap();
        std::fs::write(t.join("data.yaml"), data).unwrap();
        std::fs::write(t.join("expect.yaml"), format!("{findings}{verdicts}")).unwrap();
    }
    let f = run_fixtures(&dir);
    let by_name = |n: &str| {
        f.outcomes
            .iter()
            .find(|o| o.name.ends_with(n))
            .expect("an outcome per test")
    };
    assert!(by_name("right").ok, "{}", f.render_text());
    let wrong = by_name("wrong");
    assert!(!wrong.ok);
    assert!(
        wrong
            .detail
            .contains("~ vague: expected supported, the rules give not-enough-evidence"),
        "{}",
        wrong.detail
    );
    let bad = by_name("bad-name");
    assert_eq!(bad.failure.as_ref().unwrap().diagnostics[0].code, "A0012");
}

/// Includes stay inside the project: a path up and out, an absolute path, a symlink
/// that points outside, are errors that quote nothing of the file; a FIFO is refused
/// before it is opened (it would block forever); includes inside the rules folder or
/// the folder of factlint.yaml are read.
#[test]
fn includes_never_read_outside_the_project() {
    let base = std::env::temp_dir().join(format!("factlint-outside-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let project = base.join("project");
    std::fs::create_dir_all(project.join("rules/sub")).unwrap();
    // a secret beside the project, and one in the project root (allowed: factlint.yaml is there)
    std::fs::write(base.join("secret.rules"), "TOP-SECRET-TOKEN not a rule\n").unwrap();
    std::fs::write(
        project.join("shared.rules"),
        "## Shared.\nrule shared {\n  for f in facts\n  where f.id == \"x\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        project.join("rules/sub/inner.rules"),
        "## Inner.\nrule inner {\n  for f in facts\n  where f.id == \"y\"\n}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(base.join("secret.rules"), project.join("rules/link.txt")).unwrap();
    let fifo = project.join("rules/pipe.txt");
    let made_fifo = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    std::fs::write(
        project.join("factlint.yaml"),
        "rules: [rules]\ndata: [data]\n",
    )
    .unwrap();
    std::fs::create_dir_all(project.join("data")).unwrap();
    std::fs::write(project.join("data/facts.yaml"), "facts:\n  - {id: x}\n").unwrap();
    let mut main = String::from(
        "include \"sub/inner.rules\"\ninclude \"../shared.rules\"\ninclude \"../../secret.rules\"\ninclude \"/etc/passwd\"\ninclude \"link.txt\"\n",
    );
    if made_fifo {
        main.push_str("include \"pipe.txt\"\n");
    }
    std::fs::write(project.join("rules/main.rules"), main).unwrap();

    let o = Command::new(env!("CARGO_BIN_EXE_factlint"))
        .args(["check", "--error-format", "plain"])
        .current_dir(&project)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.matches("[F0003]").count(), 3, "{err}");
    for leaked in ["TOP-SECRET-TOKEN", "root:", "/bin/"] {
        assert!(
            !err.contains(leaked) && !out.contains(leaked),
            "{leaked} leaked: {err}"
        );
    }
    if made_fifo {
        assert!(err.contains("[F0004]") && err.contains("FIFO"), "{err}");
    }
    // the two inside were read: no error names them
    assert!(
        !err.contains("inner.rules`") && !err.contains("shared.rules`"),
        "{err}"
    );

    // the same suite without the includes that leave: it runs
    std::fs::write(
        project.join("rules/main.rules"),
        "include \"sub/inner.rules\"\ninclude \"../shared.rules\"\n",
    )
    .unwrap();
    let _ = std::fs::remove_file(project.join("rules/link.txt"));
    let _ = std::fs::remove_file(&fifo);
    let o = Command::new(env!("CARGO_BIN_EXE_factlint"))
        .args(["check", "--format", "json", "--fail-on", "never"])
        .current_dir(&project)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["rules"], 2);
}

/// A symlink in a rules folder that points outside it is not followed there.
#[test]
fn a_symlinked_rule_file_pointing_outside_is_refused() {
    let base = std::env::temp_dir().join(format!("factlint-symlink-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(base.join("rules")).unwrap();
    std::fs::write(base.join("outside.txt"), "TOP-SECRET-TOKEN\n").unwrap();
    std::os::unix::fs::symlink(base.join("outside.txt"), base.join("rules/evil.rules")).unwrap();
    let loaded = factlint::project::rules::load(&[base.join("rules")]);
    let codes: Vec<&str> = loaded.diags.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["F0003"], "{:?}", loaded.diags);
    assert!(!format!("{:?}", loaded.diags).contains("TOP-SECRET-TOKEN"));
    assert!(loaded.files.is_empty());
    // nor by `parse` and `fmt`, which read rule folders too; fmt writes nothing there
    for args in [
        &["parse", "rules"][..],
        &["fmt", "rules"][..],
        &["fmt", "--check", "rules"][..],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_factlint"))
            .args(args)
            .current_dir(&base)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(o.status.code(), Some(2), "{args:?}: {all}");
        assert!(
            all.contains("F0003") && !all.contains("TOP-SECRET-TOKEN"),
            "{args:?}: {all}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(base.join("outside.txt")).unwrap(),
        "TOP-SECRET-TOKEN\n"
    );
}
