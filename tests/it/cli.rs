//! The binary end to end, as a user runs it from the repository root: exit codes,
//! every output format on the flagship example, baselines, explain, and the checks
//! `.ci/run` relies on.

use crate::factlint;
use std::path::PathBuf;
use std::process::{Command, Output};

/// `factlint check --format json --fail-on never EXTRA...`, its report parsed.
fn check_json(extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["check", "--format", "json", "--fail-on", "never"];
    args.extend_from_slice(extra);
    let o = factlint(&args);
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{args:?} gave no JSON report ({e}): {}", stderr(&o)))
}

const PRINCIPLE_RULE: &str = "principle-contradicted-by-own-action";

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The binary run in `dir`, as a user runs it there, without colour.
fn factlint_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_factlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run factlint")
}

#[test]
fn check_on_the_example_exits_1_with_warnings_and_0_below_the_threshold() {
    let o = factlint(&["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = factlint(&[
        "check",
        "--fail-on",
        "error",
        "--rule",
        "numeric-claim-supported",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = factlint(&["check", "--fail-on", "never"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn every_format_on_the_example() {
    for format in [
        "text",
        "json",
        "jsonl",
        "sarif",
        "junit",
        "github",
        "claimreview",
        "markdown",
    ] {
        let o = factlint(&["check", "--format", format, "--fail-on", "never"]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        insta::assert_snapshot!(format!("example_{format}"), stdout(&o));
    }
}

#[test]
fn output_is_deterministic() {
    let a = factlint(&["check", "--format", "json", "--fail-on", "never"]);
    let b = factlint(&[
        "check",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--engine",
        "reference",
    ]);
    assert_eq!(
        stdout(&a),
        stdout(&b),
        "planned and reference evaluators differ"
    );
    let c = factlint(&["check", "--format", "json", "--fail-on", "never"]);
    assert_eq!(a.stdout, c.stdout);
}

#[test]
fn no_colour_when_piped_or_no_color() {
    let o = factlint(&["check", "--fail-on", "never"]);
    assert!(!stdout(&o).contains('\x1b'));
    let o = Command::new(env!("CARGO_BIN_EXE_factlint"))
        .args(["check", "--fail-on", "never", "--color", "always"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run");
    assert!(stdout(&o).contains('\x1b'));
}

#[test]
fn bad_rules_exit_2_with_every_error() {
    let dir = tempdir("bad-rules");
    std::fs::write(
        dir.join("bad.rules"),
        "rule a {\n  for s in statments\n}\n\nrule b {\n  for a in actions\n  where a.time before 2008\n}\n",
    )
    .expect("write");
    let rules = dir.to_string_lossy().into_owned();
    let o = factlint(&["check", "--rules", &rules, "--error-format", "plain"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("C0010") && err.contains("did you mean `statements`"),
        "{err}"
    );
    assert!(err.contains("C0004") && err.contains("`@2008`"), "{err}");
}

#[test]
fn bad_arguments_exit_2() {
    let o = factlint(&["check", "--format", "yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = factlint(&["check", "--set", "nosuch=1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no constant `nosuch`"));
    let o = factlint(&["check", "--rule", "principle-contradicted"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `principle-contradicted-by-own-action`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn set_overrides_a_constant() {
    let count = |args: &[&str]| {
        let mut a = vec!["--rule", PRINCIPLE_RULE];
        a.extend_from_slice(args);
        check_json(&a)["findings"]
            .as_array()
            .map(|a| a.len())
            .unwrap_or(0)
    };
    let wide = count(&[]);
    let narrow = count(&["--set", "window=5 years"]);
    assert_eq!(wide, 15);
    assert!(narrow < wide, "{narrow} < {wide}");
}

#[test]
fn as_of_leaves_out_later_records() {
    // on 2025-01-01 none of the 2026 statements existed: only the US 2022 ones remain
    let v = check_json(&["--rule", PRINCIPLE_RULE, "--as-of", "2025-01-01"]);
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(findings.len(), 2, "{findings:?}");
    for f in &findings {
        assert!(f["message"].as_str().unwrap_or("").contains("Iraq"), "{f}");
    }
}

#[test]
fn explain_a_finding_and_a_non_finding() {
    let v = check_json(&["--rule", PRINCIPLE_RULE]);
    let id = v["findings"][0]["id"].as_str().expect("id").to_string();
    let o = factlint(&["explain", &id]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("fires (certain)") && out.contains("[holds  ] a.actor == s.actor"),
        "{out}"
    );
    let o = factlint(&[
        "explain",
        "--rule",
        PRINCIPLE_RULE,
        "--bind",
        "s=rus-mfa-2026-01-06",
        "--bind",
        "a=rus-syria-2015",
    ]);
    let out = stdout(&o);
    assert!(
        out.contains("does not fire") && out.contains("the first predicate that fails"),
        "{out}"
    );
    insta::assert_snapshot!("explain_syria", out);
}

#[test]
fn baseline_round_trip_reports_one_new_and_one_resolved() {
    let dir = tempdir("baseline");
    let data = dir.join("data");
    copy_into(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/venezuela-2026"),
        &data,
    );
    let base = dir.join("baseline.json");
    let d = data.to_string_lossy().into_owned();
    let b = base.to_string_lossy().into_owned();
    let o = factlint(&["check", &d, "--write-baseline", &b, "--fail-on", "never"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // a new low-grade source (one new finding) and the old low-grade fixture source
    // graded up (one resolved)
    let sources = data.join("sources.yaml");
    let text = std::fs::read_to_string(&sources).expect("read");
    let text = text.replacen("reliability: F", "reliability: C", 1)
        + "\n- id: src-new-rumour\n  title: A rumour\n  publisher: Rumour Mill\n  reliability: F\n  credibility: \"6\"\n";
    std::fs::write(&sources, text).expect("write");
    let o = factlint(&[
        "check",
        &d,
        "--baseline",
        &b,
        "--format",
        "json",
        "--fail-on",
        "never",
        "--rule",
        "source-below-reliability-threshold",
    ]);
    let err = stderr(&o);
    assert!(err.contains("1 new finding, 1 resolved"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let f = v["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(f.len(), 1);
    assert!(f[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("src-new-rumour"));
}

#[test]
fn the_repository_checks_pass() {
    let o = factlint(&["fmt", "--check", "rules/"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "rules are not canonically formatted: {}",
        stdout(&o)
    );
    let o = factlint(&["validate"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("factlint-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

/// The example's README lists, at its end, exactly what a new user must see.
#[test]
fn the_example_readme_lists_exactly_the_findings_and_verdicts() {
    let readme = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/venezuela-2026/README.md"),
    )
    .expect("read README");
    let block = readme
        .rsplit("```text")
        .next()
        .and_then(|b| b.split("```").next())
        .expect("a ```text block at the end of the README");
    let expected: Vec<&str> = block
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let v = check_json(&[]);
    let mut actual = Vec::new();
    for f in v["findings"].as_array().cloned().unwrap_or_default() {
        let ids: Vec<String> = f["evidence"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|e| e["id"].as_str().unwrap_or("").to_string())
            .collect();
        actual.push(format!(
            "{} | {} | {}",
            f["rule"].as_str().unwrap_or(""),
            ids.join(" "),
            f["certainty"].as_str().unwrap_or("")
        ));
    }
    for c in v["verdicts"].as_array().cloned().unwrap_or_default() {
        actual.push(format!(
            "verdict | {} | {}",
            c["claim"].as_str().unwrap_or(""),
            c["verdict"].as_str().unwrap_or("")
        ));
    }
    assert_eq!(expected, actual);
}

#[test]
fn suppressions_carry_reasons_and_expire() {
    let dir = tempdir("suppress");
    let file = dir.join("suppressions.yaml");
    std::fs::write(
        &file,
        "- rule: statement-only-self-sourced\n  records: [statements/usa-ukraine-2022-02-24]\n  reason: The White House transcript is the primary record of the speech.\n  reviewer: lead\n  expires: 2027-01-01\n- rule: source-below-reliability-threshold\n  records: [sources/src-factlint-fixture]\n  reason: A fixture source, graded F on purpose.\n  reviewer: lead\n  expires: 2026-02-01\n",
    )
    .expect("write");
    let f = file.to_string_lossy().into_owned();
    // before the second entry expires: both suppress
    let o = factlint(&[
        "check",
        "--suppressions",
        &f,
        "--fail-on",
        "never",
        "--as-of",
        "2026-01-31",
    ]);
    // the summary wraps at 80 columns: look for the count, wherever the line breaks
    assert!(stdout(&o).contains("2 suppressed"), "{}", stdout(&o));
    // after: it stops suppressing and says so
    let o = factlint(&[
        "check",
        "--suppressions",
        &f,
        "--fail-on",
        "never",
        "--as-of",
        "2026-06-01",
    ]);
    assert!(stdout(&o).contains("1 suppressed"), "{}", stdout(&o));
    assert!(stderr(&o).contains("expired"), "{}", stderr(&o));
    // an entry without a reason is an error
    std::fs::write(
        &file,
        "- rule: claim-unsourced\n  reviewer: lead\n  expires: 2027-01-01\n",
    )
    .expect("write");
    let o = factlint(&["check", "--suppressions", &f]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("reason"), "{}", stderr(&o));
}

#[test]
fn why_not_shows_the_nearest_candidates() {
    let o = factlint(&[
        "explain",
        "--rule",
        "superlative-claim-supported",
        "--bind",
        "c=claim-test-saudi-largest-oil-reserves",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("why_not_saudi_superlative", stdout(&o));
}

#[test]
fn explain_shows_a_rules_plan() {
    let o = factlint(&["explain", "--rule", "superlative-claim-supported", "--plan"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("plan_superlative", stdout(&o));
}

#[test]
fn as_of_leaves_out_what_was_not_yet_published() {
    let verdicts = |day: &str| {
        check_json(&["--as-of", day])["verdicts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|c| c["claim"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    // the claim about Delcy Rodriguez was made on 2026-01-06, the "dozens killed" one on 01-05
    let early = verdicts("2026-01-04");
    assert!(
        !early.iter().any(|c| c == "claim-dozens-killed"),
        "{early:?}"
    );
    assert!(!early
        .iter()
        .any(|c| c == "claim-delcy-rodriguez-authorised-president"));
    let later = verdicts("2026-01-06");
    assert!(
        later
            .iter()
            .any(|c| c == "claim-delcy-rodriguez-authorised-president"),
        "{later:?}"
    );
}

#[test]
fn diagnostics_as_json_lines_carry_code_and_location() {
    let dir = tempdir("json-diags");
    std::fs::write(dir.join("bad.rules"), "rule a {\n  for s in statments\n}\n\nrule b {\n  for a in actions\n  where a.kind == \"invasoin\"\n}\n")
        .expect("write");
    let rules = dir.to_string_lossy().into_owned();
    let o = factlint(&["check", "--rules", &rules, "--error-format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let lines: Vec<serde_json::Value> = stderr(&o)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2, "{}", stderr(&o));
    assert_eq!(lines[0]["code"], "C0010");
    assert_eq!(lines[0]["line"], 2);
    assert_eq!(lines[0]["column"], 12);
    assert_eq!(lines[0]["help"], "did you mean `statements`?");
    assert_eq!(lines[1]["code"], "C0011");
    assert_eq!(lines[1]["level"], "warning");
}

#[test]
fn colour_follows_clicolor_force_and_no_color_unless_told() {
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_factlint"));
        c.args(["check", "--fail-on", "never"])
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR")
            .env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            c.env(k, v);
        }
        stdout(&c.output().expect("run factlint")).contains('\x1b')
    };
    // piped: colour only when forced, and NO_COLOR wins over CLICOLOR_FORCE
    assert!(!run(&[], &[]));
    assert!(run(&[("CLICOLOR_FORCE", "1")], &[]));
    assert!(!run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[]));
    // --color always|never overrides the environment
    assert!(!run(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]));
    assert!(run(
        &[("NO_COLOR", "1"), ("TERM", "dumb")],
        &["--color", "always"]
    ));
}

// ---------------------------------------------------------------------------------
// data errors: reported, and the rules run over what loaded (`--strict` stops)

const KEEP_GOING_DATA: &str = "tests/corpus/keep-going/data";
const KEEP_GOING_RULES: &str = "tests/corpus/keep-going/keep-going.rules";

#[test]
fn data_errors_are_reported_and_the_rules_still_run() {
    let o = factlint(&[
        "check",
        KEEP_GOING_DATA,
        "--rules",
        KEEP_GOING_RULES,
        "--error-format",
        "plain",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    for code in ["D0016", "D0014", "D0010"] {
        assert!(err.contains(&format!("error[{code}]")), "{code}: {err}");
    }
    assert!(
        err.contains("exit 2: the data has 3 errors; the rules ran over the records that loaded"),
        "{err}"
    );
    // the rules that catch the broken values fire on them, the other one as always
    insta::assert_snapshot!("keep_going_text", stdout(&o));

    let json = check_json(&[KEEP_GOING_DATA, "--rules", KEEP_GOING_RULES]);
    let findings: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["evidence"][0]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("action-target-unknown", "a2"),
        ("action-time-unknown", "a3"),
        ("action-by-russia", "a1"),
        ("action-by-russia", "a3"),
    ];
    assert_eq!(
        findings,
        expected.map(|(r, id)| (r.to_string(), id.to_string()))
    );
    let e = &json["summary"]["data_errors"];
    assert_eq!(e["errors"], 3, "{e}");
    assert_eq!(e["unknown_values"], 1);
    assert_eq!(e["dangling_references"], 1);
    assert_eq!(e["records_left_out"], 1);
    let codes: Vec<&str> = e["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["D0016", "D0014", "D0010"]);
    assert_eq!(
        json["summary"]["records"], 7,
        "the record without an id is left out"
    );

    let o = factlint(&[
        "check",
        KEEP_GOING_DATA,
        "--rules",
        KEEP_GOING_RULES,
        "--format",
        "sarif",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false, "{inv}");
    assert_eq!(
        inv["toolExecutionNotifications"].as_array().unwrap().len(),
        3
    );
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        4,
        "every finding is still a result"
    );

    // a clean run's reports say nothing of data errors
    let clean = check_json(&[]);
    assert!(clean["summary"].get("data_errors").is_none());
}

#[test]
fn strict_stops_at_data_errors_before_any_rule() {
    let o = factlint(&[
        "check",
        KEEP_GOING_DATA,
        "--rules",
        KEEP_GOING_RULES,
        "--strict",
        "--error-format",
        "plain",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty(), "no report: {}", stdout(&o));
    assert!(stderr(&o).contains("error[D0010]"), "{}", stderr(&o));

    // `strict: true` in the config does the same
    // (paths in factlint.yaml stay inside its folder: the case is copied there)
    let dir = tempdir("strict-config");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    copy_into(&root.join(KEEP_GOING_RULES), &dir.join("rules"));
    copy_into(&root.join(KEEP_GOING_DATA), &dir.join("data"));
    std::fs::write(
        dir.join("factlint.yaml"),
        "rules: [rules]\ndata: [data]\nstrict: true\n",
    )
    .unwrap();
    let config = dir.join("factlint.yaml").display().to_string();
    let o = factlint(&["check", "--config", &config]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty(), "no report: {}", stdout(&o));
    let o = factlint(&["explain", "--config", &config, "0000000000000000"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("D0010"), "{}", stderr(&o));
    // data errors that leave no record stop the run too: no rule errors against an
    // empty schema on top of a mistyped path
    let o = factlint(&["check", "no-such-folder", "--error-format", "plain"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty(), "no report: {}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("F0001") && !err.contains("C0010"), "{err}");
}

#[test]
fn explain_reads_what_loaded_and_exits_2_on_data_errors() {
    let o = factlint(&[
        "explain",
        "--data",
        KEEP_GOING_DATA,
        "--rules",
        KEEP_GOING_RULES,
        "--rule",
        "action-target-unknown",
        "--bind",
        "a=a2",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("D0016"), "{}", stderr(&o));
    assert!(stdout(&o).contains("a.target is missing"), "{}", stdout(&o));
}

/// `--hide-possible` and `hide_possible: true` leave possible findings out and say how
/// many; verdicts are the same either way.
#[test]
fn hide_possible_leaves_out_possible_findings_and_counts_them() {
    let case = "tests/corpus/eval/coalesce";
    let rules = "tests/corpus/eval/coalesce/rules.rules";
    let all = check_json(&[case, "--rules", rules]);
    assert_eq!(all["summary"]["possible"], 3);
    assert_eq!(all["summary"]["hidden_possible"], 0);
    let hidden = check_json(&[case, "--rules", rules, "--hide-possible"]);
    assert_eq!(hidden["summary"]["possible"], 0);
    assert_eq!(hidden["summary"]["certain"], all["summary"]["certain"]);
    assert_eq!(hidden["summary"]["hidden_possible"], 3);
    let findings = hidden["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f["certainty"] == "certain"));
    let o = factlint(&["check", case, "--rules", rules, "--hide-possible"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("3 possible hidden"), "{out}");
    // the same from the config file
    let dir = std::env::temp_dir().join(format!("factlint-hide-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    copy_into(&root.join(rules), &dir.join("rules"));
    copy_into(&root.join(case), &dir.join("data"));
    std::fs::write(
        dir.join("factlint.yaml"),
        "rules: [rules]\ndata: [data]\nhide_possible: true\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_factlint"))
        .args(["check", "--format", "json", "--fail-on", "never"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        v["summary"]["hidden_possible"],
        3,
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A field read without a guard that the data often lacks is named, with counts, when
/// it left findings possible; a guarded read (`??`) and the flagship are quiet.
#[test]
fn unguarded_optional_fields_are_named_when_they_leave_findings_possible() {
    let o = factlint(&[
        "check",
        "tests/corpus/eval/coalesce",
        "--rules",
        "tests/corpus/eval/coalesce/rules.rules",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning[C0023]: `a.consent` is missing in 2 of 3 actions: 2 findings of rule `without-consent-unguarded` are possible for it"),
        "{err}"
    );
    assert_eq!(err.matches("C0023").count(), 1, "{err}");
    let o = factlint(&["check"]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("C0023"));
}

/// `factlint schema` prints the example's schema, the event model, and an inferred
/// schema that loads back; a missing path is an error, not an empty schema.
#[test]
fn schema_prints_a_schema_that_loads_back() {
    let o = factlint(&["schema"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for c in ["actors:", "statements:", "actions:", "claims:"] {
        assert!(out.contains(c), "{c} in {out}");
    }
    let o = factlint(&["schema", "--event-model"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("principles:"));
    // inferred from data without a schema, then used as the schema of the same data
    let dir = std::env::temp_dir().join(format!("factlint-schema-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("things.yaml"),
        "things:\n  - {id: t1, size: 3, seen: 2026-01-07, tags: [a]}\n  - {id: t2, size: 4}\n",
    )
    .unwrap();
    let o = factlint(&["schema", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let inferred = stdout(&o);
    assert!(
        inferred.contains("things:") && inferred.contains("size:"),
        "{inferred}"
    );
    std::fs::write(dir.join("schema.yaml"), &inferred).unwrap();
    let o = factlint(&["validate", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = factlint(&["schema", "no/such/folder"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Data cannot run GitHub workflow commands or reach the terminal through the text
/// report, diagnostics or explain: a claim whose text holds a newline and
/// `::add-mask::`, an escape sequence, and a data file whose name holds a newline.
#[test]
fn data_never_starts_a_line_in_text_output() {
    let dir = std::env::temp_dir().join(format!("factlint-inject-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(
        dir.join("data/claims.yaml"),
        "claims:\n  - {id: c1, text: \"fine\\n::add-mask::secret\\r\\n  ::stop-commands::x \\e]0;title\\a\"}\n",
    )
    .unwrap();
    // a file name with a newline, holding an error
    std::fs::write(
        dir.join("data/bad\n::error file=x::pwned.yaml"),
        "claims: [{id: c1}]\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(
        dir.join("rules/r.rules"),
        "## Every claim.\nrule every-claim {\n  message: \"{c.text}\"\n  for c in claims\n}\n",
    )
    .unwrap();
    for args in [
        &["check", "data", "--rules", "rules"][..],
        &[
            "check",
            "data",
            "--rules",
            "rules",
            "--error-format",
            "plain",
        ][..],
        &["validate", "data"][..],
        &[
            "explain",
            "--data",
            "data",
            "--rules",
            "rules",
            "--rule",
            "every-claim",
            "--bind",
            "c=c1",
        ][..],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_factlint"))
            .args(args)
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        for stream in [&o.stdout, &o.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(
                !text.contains('\u{1b}'),
                "{args:?}: an escape reached the output: {text}"
            );
            for line in text.lines() {
                // a workflow command is `::name` at the start of a line (blanks
                // trimmed); the renderer's own `:::` gutter is not one
                let t = line.trim_start();
                let command = t.starts_with("::")
                    && t[2..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic());
                assert!(
                    !command,
                    "{args:?}: a line starts a workflow command: {line:?}\n{text}"
                );
            }
        }
    }
}

/// A closed pipe (`factlint check | head -1`) does not panic, and the report files
/// asked for are still written.
#[test]
fn a_closed_stdout_pipe_ends_quietly_and_report_files_are_written() {
    use std::process::Stdio;
    let dir = std::env::temp_dir().join(format!("factlint-pipe-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sarif = dir.join("out.sarif");
    let mut child = Command::new(env!("CARGO_BIN_EXE_factlint"))
        .args(["check", "--output"])
        .arg(format!("sarif={}", sarif.display()))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // close the read end at once, as `head -0` would
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(o.status.code(), Some(101), "{err}");
    assert!(sarif.is_file(), "the SARIF file was not written: {err}");
}

/// Copy a file or a folder's tree to `to` (a file is copied into the folder `to`).
fn copy_into(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    if from.is_file() {
        std::fs::copy(from, to.join(from.file_name().unwrap())).unwrap();
        return;
    }
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            copy_into(&p, &to.join(p.file_name().unwrap()));
        } else {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

/// Shell completions and the man page come from the same argument definitions as
/// `--help`: every subcommand and option is in them.
#[test]
fn completions_and_the_man_page() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = factlint(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let text = stdout(&o);
        for word in ["check", "lsp", "tag", "fail-on"] {
            assert!(text.contains(word), "{shell} completions lack {word}");
        }
    }
    let o = factlint(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let page = stdout(&o);
    assert!(page.contains(".TH factlint 1"), "{page}");
    assert!(
        page.contains("completions") && page.contains("\\-\\-quiet"),
        "{page}"
    );
}

/// `--tag` keeps the rules with any of the tags; a tag no rule has is an error that
/// says which one was meant.
#[test]
fn tag_selects_rules() {
    let all = check_json(&[]);
    let claims = check_json(&["--tag", "claims"]);
    let n = |v: &serde_json::Value| v["summary"]["rules"].as_u64().unwrap_or(0);
    assert!(
        n(&claims) > 0 && n(&claims) < n(&all),
        "{} of {}",
        n(&claims),
        n(&all)
    );
    let both = check_json(&["--tag", "claims", "--tag", "principles"]);
    assert!(n(&both) > n(&claims));
    let o = factlint(&["check", "--tag", "principle"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("error[A0017]: no rule has the tag `principle`"),
        "{err}"
    );
    assert!(err.contains("did you mean `principles`?"), "{err}");
}

/// `--quiet` prints no report and no warnings, and the exit code still says the
/// result; `--verbose` says what was read; `--jobs 1` changes nothing in the output.
#[test]
fn quiet_verbose_and_jobs() {
    let o = factlint(&["check", "--quiet"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert_eq!(stderr(&o), "");
    let o = factlint(&["check", "--verbose", "--format", "json"]);
    let err = stderr(&o);
    assert!(
        err.contains("factlint: read 7 rule files (30 rules) and 131 records"),
        "{err}"
    );
    assert!(err.contains("factlint: ran 30 rules in"), "{err}");
    let one = factlint(&["--jobs", "1", "check", "--format", "json"]);
    let many = factlint(&["check", "--format", "json"]);
    assert_eq!(stdout(&one), stdout(&many));
    let o = factlint(&["check", "--quiet", "--verbose"]);
    assert_eq!(o.status.code(), Some(2), "--quiet and --verbose conflict");
}

/// A first CI run has no baseline file yet: every finding is new, and a notice says
/// how to write one (instead of failing the build over a missing file).
#[test]
fn a_missing_baseline_is_empty_with_a_notice() {
    let dir = crate::scratch("cli", "missing-baseline");
    let path = dir.join("baseline.json");
    let p = path.to_str().expect("utf-8 path");
    let o = factlint(&["check", "--baseline", p, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("info[A0016]: no baseline"), "{err}");
    assert!(err.contains("every finding is new"), "{err}");
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(report["findings"], check_json(&[])["findings"]);
    // written on that first run, it is read on the next
    let o = factlint(&["check", "--baseline", p, "--write-baseline", p]);
    assert_eq!(o.status.code(), Some(1));
    let o = factlint(&["check", "--baseline", p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("0 new findings"), "{}", stderr(&o));
}

/// `fmt --diff` shows what `fmt` would change as a unified diff (exit 1), and nothing
/// for a formatted file (exit 0); it writes nothing.
#[test]
fn fmt_diff() {
    let dir = crate::scratch("cli", "fmt-diff");
    let messy = dir.join("messy.rules");
    let text = "rule   m{for a in actions where a.consent}\n";
    std::fs::write(&messy, text).expect("write");
    let o = factlint(&["fmt", "--diff", messy.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&messy).expect("read"), text);
    let shown = stdout(&o).replace(&dir.display().to_string(), "<dir>");
    insta::assert_snapshot!(shown);
    let o = factlint(&["fmt", "--diff", "rules/"]);
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), String::new()));
}

/// The text report fits 80 columns (long messages, paths and URLs wrapped with a
/// hanging indent); the compact form is one line per finding, then the summary.
#[test]
fn text_fits_80_columns_and_compact_is_a_line_per_finding() {
    use unicode_width::UnicodeWidthStr as _;
    let o = factlint(&["check", "--color", "never"]);
    let text = stdout(&o);
    let wide: Vec<&str> = text.lines().filter(|l| l.width() > 80).collect();
    assert!(
        wide.is_empty(),
        "lines over 80 columns:\n{}",
        wide.join("\n")
    );
    // each source once, numbered
    assert_eq!(
        text.matches("Report of the Independent International")
            .count(),
        1
    );
    let o = factlint(&["check", "--compact", "--color", "never"]);
    let compact = stdout(&o);
    let n = check_json(&[])["findings"].as_array().map_or(0, Vec::len);
    let findings = compact
        .lines()
        .filter(|l| l.contains(": error[") || l.contains(": warning[") || l.contains(": info["))
        .count();
    assert_eq!(findings, n);
    insta::assert_snapshot!(compact);
}

/// ClaimReview is for publishing: without the fields Google's guidelines require
/// (`url`) and a publisher needs (`author`, `datePublished`) the run stops before
/// writing anything, saying how to give each; with them, every review carries them.
#[test]
fn claimreview_needs_its_publisher_fields() {
    let dir = crate::scratch("cli", "claimreview-fields");
    std::fs::write(dir.join("factlint.yaml"), "rules: [rules]\ndata: [data]\n").expect("config");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let copy = |from: &str, to: &str| {
        let out = std::process::Command::new("cp")
            .args([
                "-r",
                &root.join(from).display().to_string(),
                &dir.join(to).display().to_string(),
            ])
            .status()
            .expect("cp");
        assert!(out.success());
    };
    copy("rules", "rules");
    copy("examples/venezuela-2026", "data");
    let run = |args: &[&str]| factlint_in(&dir, args);
    let o = run(&["check", "--format", "claimreview"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    for field in ["url", "author", "datePublished"] {
        assert!(
            err.contains(&format!("error[A0018]: ClaimReview output needs `{field}`")),
            "{err}"
        );
    }
    // the same through --output, and a bad date
    let o = run(&[
        "check",
        "--output",
        "claimreview=out.json",
        "--claimreview-date",
        "soon",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error[A0019]: invalid ClaimReview `datePublished`"));
    assert!(!dir.join("out.json").exists());
    let o = run(&[
        "check",
        "--format",
        "claimreview",
        "--fail-on",
        "never",
        "--claimreview-publisher",
        "Desk",
        "--claimreview-url",
        "https://example.org/c/{claim}",
        "--claimreview-date",
        "2026-02-01",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let reviews: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let reviews = reviews.as_array().expect("an array");
    assert!(!reviews.is_empty());
    for r in reviews {
        let id = r["identifier"].as_str().expect("id");
        assert_eq!(r["url"], format!("https://example.org/c/{id}"));
        assert_eq!(r["author"]["name"], "Desk");
        assert_eq!(r["datePublished"], "2026-02-01");
        assert!(r["reviewRating"]["alternateName"].is_string());
    }
    // a claim's sources are where it appeared
    assert!(reviews
        .iter()
        .any(|r| r["itemReviewed"]["appearance"][0]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://"))));
}

/// `--exclude` and a data folder's `.factlintignore` leave files and folders out of
/// a walk; the project's own rule tests, baseline and suppressions are never data.
#[test]
fn exclude_factlintignore_and_the_projects_own_files() {
    let dir = crate::scratch("cli", "exclude");
    let write = |rel: &str, text: &str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    write("data/actors.yaml", "actors:\n  - {id: a1, name: x}\n");
    write(
        "data/drafts/bad.yaml",
        "actors:\n  - {id: a2, name: broken\n",
    );
    write("data/old.bak.yaml", "actors:\n  - {id: a3, name: y}\n");
    write(
        "rules/r.rules",
        "rule r { for a in actors where a.name == \"x\" }\n",
    );
    write(
        "rules/tests/t/data.yaml",
        "actors:\n  - {id: t1, name: fixture}\n",
    );
    write("baseline.json", "{\"version\": 1, \"findings\": []}\n");
    write(
        "factlint.yaml",
        "rules: [rules]\ndata: [.]\ntests: [rules/tests]\nbaseline: baseline.json\n",
    );
    let run = |args: &[&str]| factlint_in(&dir, args);
    // the broken draft is read, the fixture and the baseline are not
    let o = run(&["validate"]);
    let err = stderr(&o);
    assert!(err.contains("drafts/bad.yaml"), "{err}");
    assert!(
        !err.contains("rules/tests") && !err.contains("baseline.json"),
        "{err}"
    );
    assert!(err.contains("in 3 files, 2 records"), "{err}");
    let o = run(&[
        "validate",
        "--exclude",
        "drafts/",
        "--exclude",
        "*.bak.yaml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no problems in 1 file, 1 record"),
        "{}",
        stderr(&o)
    );
    write("data/.factlintignore", "# not data\ndrafts/\n*.bak.yaml\n");
    let o = run(&["validate", "data"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no problems in 1 file, 1 record"),
        "{}",
        stderr(&o)
    );
}

/// `--time` prints each rule's time, slowest first, on standard error only.
#[test]
fn time_per_rule() {
    let plain = factlint(&["check", "--format", "json"]);
    let o = factlint(&["check", "--time", "--format", "json"]);
    assert_eq!(stdout(&o), stdout(&plain));
    let err = stderr(&o);
    assert!(
        err.contains("factlint: time per rule, slowest first (30 rules in"),
        "{err}"
    );
    assert_eq!(
        err.lines().filter(|l| l.contains(" ms  ")).count(),
        30,
        "{err}"
    );
    assert!(
        err.contains("principle-contradicted-by-own-action  (15 findings)"),
        "{err}"
    );
}

/// `-` reads the data, or the rules, from standard input (not both).
#[test]
fn data_or_rules_from_standard_input() {
    use std::io::Write as _;
    let run = |args: &[&str], input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_factlint"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stdin = child.stdin.take().expect("stdin");
        // a run that stops before reading its input closes the pipe: not an error here
        let _ = stdin.write_all(input.as_bytes());
        drop(stdin);
        child.wait_with_output().expect("wait")
    };
    let data = "actors:\n  - {id: a1, name: x}\n  - {id: a1, name: y}\n";
    let o = run(&["validate", "-"], data);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("-:3:"), "{}", stderr(&o));
    let rules = "rule named-x { for a in actors where a.name == \"Russia\" }\n";
    let o = run(
        &[
            "check",
            "--rules",
            "-",
            "examples/venezuela-2026",
            "--format",
            "jsonl",
        ],
        rules,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("\"rule\":\"named-x\""),
        "{}",
        stdout(&o)
    );
    let o = run(&["check", "--rules", "-", "-"], rules);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error[A0020]"), "{}", stderr(&o));
}

/// `include "-"` in a rule file at the top of the folder would name standard input:
/// it is an error there, never a read (a CI job's stdin may be a terminal).
#[test]
fn an_include_never_reads_standard_input() {
    let dir = crate::scratch("cli", "include-stdin");
    std::fs::write(
        dir.join("top.rules"),
        "include \"-\"\nrule r { for a in actors where a.name == \"x\" }\n",
    )
    .expect("write");
    std::fs::write(dir.join("d.yaml"), "actors:\n  - {id: a1, name: x}\n").expect("write");
    let o = factlint_in(&dir, &["check", "--rules", "top.rules", "d.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("an include cannot read standard input"),
        "{}",
        stderr(&o)
    );
}

/// The spinner shows on a terminal (here `script`'s pseudo-terminal, with the delay
/// set to nothing) and never when standard error is not one.
#[test]
fn a_spinner_on_a_terminal_only() {
    let piped = Command::new(env!("CARGO_BIN_EXE_factlint"))
        .args(["check", "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("FACTLINT_PROGRESS_DELAY_MS", "0")
        .output()
        .expect("run");
    assert!(
        !stderr(&piped).contains("loading the data"),
        "{}",
        stderr(&piped)
    );
    let has_script = Command::new("script").arg("--version").output().is_ok();
    if !has_script {
        eprintln!("no `script` here: the terminal half of this test is skipped");
        return;
    }
    let cmd = format!(
        "{} check --format json > /dev/null",
        env!("CARGO_BIN_EXE_factlint")
    );
    let o = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("FACTLINT_PROGRESS_DELAY_MS", "0")
        .env("TERM", "xterm")
        .output()
        .expect("script");
    let tty = String::from_utf8_lossy(&o.stdout);
    assert!(
        tty.contains("loading the data and the rules") || tty.contains("running the rules"),
        "{tty}"
    );
}

/// A finding a suppression hides still occurs: against the baseline it is neither
/// new nor resolved (it was reported as resolved on every run).
#[test]
fn a_suppressed_finding_is_not_resolved_against_the_baseline() {
    let dir = crate::scratch("cli", "baseline-and-suppressions");
    let write = |rel: &str, text: &str| std::fs::write(dir.join(rel), text).expect("write");
    write(
        "d.yaml",
        "actors:\n  - {id: a1, name: x}\n  - {id: a2, name: x}\n",
    );
    write(
        "r.rules",
        "rule named-x { for a in actors where a.name == \"x\" }\n",
    );
    write(
        "s.yaml",
        "- rule: named-x\n  records: [actors/a1]\n  reason: reviewed\n  reviewer: A. Editor\n  expires: 2999-01-01\n",
    );
    let base = [
        "check",
        "--rules",
        "r.rules",
        "d.yaml",
        "--fail-on",
        "never",
    ];
    let o = factlint_in(&dir, &[&base[..], &["--write-baseline", "b.json"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = factlint_in(
        &dir,
        &[
            &base[..],
            &["--baseline", "b.json", "--suppressions", "s.yaml"],
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("0 new findings, 0 resolved, 1 unchanged"),
        "{err}"
    );
}

/// A retracted source is flagged from the day of its retraction, not before.
#[test]
fn a_retraction_counts_from_its_day() {
    let rule = "claim-cites-retracted-source";
    let after = check_json(&["--rule", rule]);
    let before = check_json(&["--rule", rule, "--as-of", "2026-01-19"]);
    let n = |v: &serde_json::Value| v["findings"].as_array().map_or(0, Vec::len);
    assert_eq!(n(&after), 2, "{after}");
    assert_eq!(n(&before), 0, "{before}");
}

/// factlint's own ClaimReview output, put back into the dataset, reads as reviews
/// linked to their claims by text, whose ratings agree with the verdicts they came
/// from: no dispute, no unmapped rating.
#[test]
fn its_own_claimreview_reads_back_as_agreeing_reviews() {
    let dir = tempdir("claimreview-round-trip");
    let data = dir.join("data");
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/venezuela-2026");
    copy_dir(&example, &data);
    std::fs::remove_dir_all(data.join("reviews")).expect("remove the test reviews");
    let own = factlint(&["check", "--format", "claimreview", "--fail-on", "never"]);
    assert_eq!(own.status.code(), Some(0), "{}", stderr(&own));
    std::fs::write(data.join("own.jsonld"), &own.stdout).expect("write");
    let rules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules");
    // `check data --rules rules/ EXTRA...` in the copy, its report and standard error
    let check = |extra: &[&str]| {
        let mut args = vec!["check", "data", "--rules", rules.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--format", "json", "--fail-on", "never"]);
        let o = factlint_in(&dir, &args);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("no JSON report ({e}): {}", stderr(&o)));
        (v, stderr(&o))
    };
    let (v, err) = check(&[]);
    let rules_fired: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    for r in [
        "claim-verdict-disputed-by-review",
        "claim-rated-differently-by-reviewers",
        "review-rating-unmapped",
    ] {
        assert!(!rules_fired.contains(&r), "{r} fired: {v}");
    }
    assert!(!err.contains("D0027"), "{err}");
    // they were read: without the ratings table, each of the 7, one a claim, is unmapped
    std::fs::remove_file(data.join("ratings.yaml")).expect("remove");
    let (v, _) = check(&["--rule", "review-rating-unmapped"]);
    assert_eq!(v["findings"].as_array().map_or(0, Vec::len), 7, "{v}");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

/// A rule that reads verdicts, run alone, reads the verdicts of the whole suite: the
/// verdict rules run too, unreported.
#[test]
fn a_rule_that_reads_verdicts_run_alone_reads_the_suites() {
    let v = check_json(&["--rule", "claim-verdict-disputed-by-review"]);
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(findings.len(), 1, "{v}");
    assert_eq!(findings[0]["certainty"], "certain", "{v}");
    assert_eq!(v["verdicts"].as_array().map_or(0, Vec::len), 0, "{v}");
    // a verdict rule run so, unreported, that stops still says so
    let o = factlint(&[
        "check",
        "--rule",
        "claim-verdict-disputed-by-review",
        "--max-work",
        "30",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[E0003]: rule `numeric-claim-supported` stopped"),
        "{}",
        stderr(&o)
    );
}

/// `explain` of a finding of a rule that reads verdicts uses the run's verdicts, so
/// it explains the finding as certain, as the run reported it.
#[test]
fn explain_reads_the_runs_verdicts() {
    let rule = "claim-verdict-disputed-by-review";
    let v = check_json(&[]);
    let id = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .and_then(|f| f["id"].as_str())
        .expect("the example's disputed claim")
        .to_string();
    let o = factlint(&["explain", &id]);
    let out = stdout(&o);
    assert!(out.contains("fires (certain)"), "{out}");
    assert!(out.contains("verdict_of(c) = refuted"), "{out}");
}
