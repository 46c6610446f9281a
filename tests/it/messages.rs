//! Messages that were missing, unlocated or misleading (issue 11): every unknown key
//! and bad value of `factlint.yaml` located with what is allowed; `set:` and `as_of:`
//! errors located in the config; durations beyond the calendar refused with the
//! limit; `--import` rows at their own line with what a bad date should have been;
//! `factlint test` exiting 2 when a test cannot run; `fmt` idempotent.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch project folder with `files` (path, text) written into it.
fn project(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("factlint-messages-{name}-{}", std::process::id()));
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
    let clean = |b: &[u8]| {
        String::from_utf8_lossy(b).replace(&dir.display().to_string(), "<dir>")
    };
    (o.status.code().unwrap_or(-1), clean(&o.stdout), clean(&o.stderr))
}

const DATA: &str = "facts:\n  - {id: f1, subject: VEN, property: p, value: 1}\n";
const RULES: &str = "const window = 20 years\n\nrule small {\n  for f in facts\n  where f.value > 5\n}\n";

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
    let cases: [(&str, &[u8], &str); 6] = [
        ("not-utf8", b"expect: [\xff]\n", "F0002"),
        ("bad-yaml", b"expect: [{rule: small, recrds: []}]\n", "A0012"),
        ("bad-verdict", b"verdicts: [{claim: c, verdict: maybe}]\n", "A0012"),
        ("unknown-rule", b"expect: [{rule: smal, records: []}]\n", "A0013"),
        ("bad-set", b"set: {window: \"x y\"}\nexpect: []\n", "A0004"),
        ("unknown-rule-in-rules", b"rules: [nope]\n", "A0013"),
    ];
    for (name, expect, want) in cases {
        let dir = fixture(name, expect);
        let (code, stdout, stderr) = factlint_in(&dir, &["test"]);
        assert_eq!(code, 2, "{name}: {stdout}{stderr}");
        assert!(stderr.contains(want), "{name}: {stderr}");
        assert!(stdout.contains("tests/ok ... ok"), "{name}: {stdout}");
        let _ = std::fs::remove_dir_all(&dir);
    }
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
