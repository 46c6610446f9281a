//! Hostile files and faults, end to end through the binary: what a pull request can put
//! in a project (paths outside it, symlinks, FIFOs, devices, loops, odd names) and what
//! an unlucky machine does (a full disk, a closed pipe, a killed writer). Each case
//! asserts the exit code, the located message, that nothing of a file outside the
//! project reaches the output, and that nothing else on disk changed. `docs/security.md`
//! names the guarantee each test proves.

#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "TOPSECRET-do-not-print";

const RULES: &str = r#"
## Actors named x.
rule named-x {
  message: "{a.id} is named x"
  for a in actors
  where a.name == "x"
}
"#;

const DATA: &str = "- id: a1\n  name: x\n- id: a2\n  name: y\n";

/// A fresh project: `factlint.yaml`, `rules/a.rules`, `data/actors.yaml`, and beside
/// the project (outside it) a `secret.rules` and a `secret.yaml` holding `SECRET`.
fn project(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("factlint-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let p = root.join("proj");
    std::fs::create_dir_all(p.join("rules")).unwrap();
    std::fs::create_dir_all(p.join("data")).unwrap();
    std::fs::write(p.join("factlint.yaml"), "rules: [rules]\ndata: [data]\n").unwrap();
    std::fs::write(p.join("rules/a.rules"), RULES).unwrap();
    std::fs::write(p.join("data/actors.yaml"), DATA).unwrap();
    std::fs::write(root.join("secret.rules"), format!("{SECRET}\n")).unwrap();
    std::fs::write(root.join("secret.yaml"), format!("{SECRET}: [\n")).unwrap();
    p
}

/// Run factlint in `dir`, killed after 60 s (a hang fails the test instead of CI).
fn run(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_factlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run factlint");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!(
                "factlint {args:?} hung (killed after 60 s); stderr: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Exit 2, the code in the output, and nothing of the secret.
fn refused(o: &Output, code: &str) {
    let t = text(o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains(code), "expected {code}: {t}");
    assert!(
        !t.contains(SECRET),
        "a file outside the project was quoted: {t}"
    );
}

/// Run factlint in `dir`, which must refuse with `code` (see [`refused`]) and change
/// nothing on disk, in the project or beside it.
fn refuse(dir: &Path, args: &[&str], code: &str) -> Output {
    let around = dir.parent().unwrap();
    let before = snapshot(around);
    let o = run(dir, args);
    refused(&o, code);
    assert_eq!(snapshot(around), before, "{args:?} changed files on disk");
    o
}

fn mkfifo(p: &Path) -> bool {
    Command::new("mkfifo")
        .arg(p)
        .status()
        .is_ok_and(|s| s.success())
}

/// Every file under `dir` with its bytes, to show nothing else changed.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                stack.push(p);
            } else if m.is_file() {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            } else {
                out.push((p, Vec::new()));
            }
        }
    }
    out.sort();
    out
}

// ---------------------------------------------------------------------------------
// reading outside the project

#[test]
fn includes_outside_the_project_are_refused_and_quote_nothing() {
    let p = project("include");
    let outside = p.parent().unwrap().join("secret.rules");
    for include in [
        "../../secret.rules".to_string(),
        outside.display().to_string(),
        "/proc/self/environ".to_string(),
    ] {
        std::fs::write(p.join("rules/b.rules"), format!("include \"{include}\"\n")).unwrap();
        refuse(&p, &["check"], "F0003");
    }
    // a symlink inside the rules folder that leads outside, included or walked
    std::fs::write(p.join("rules/b.rules"), "include \"link.rules\"\n").unwrap();
    symlink(&outside, p.join("rules/link.rules")).unwrap();
    refuse(&p, &["check"], "F0003");
    refuse(&p, &["fmt", "--check"], "F0003");
}

#[test]
fn paths_in_the_config_stay_inside_the_project() {
    let p = project("config-paths");
    let before = snapshot(p.parent().unwrap());
    for (key, value) in [
        ("rules", "[../secret.rules]"),
        ("data", "[../secret.yaml]"),
        ("data", "[/etc]"),
        ("schema", "/etc/passwd"),
        ("suppressions", "../secret.yaml"),
        ("baseline", "/proc/self/environ"),
        ("tests", "[..]"),
    ] {
        let other = if key == "rules" {
            "data: [data]"
        } else {
            "rules: [rules]"
        };
        std::fs::write(
            p.join("factlint.yaml"),
            format!("{other}\n{key}: {value}\n"),
        )
        .unwrap();
        for cmd in ["check", "validate", "test"] {
            let o = refuse(&p, &[cmd], "F0003");
            assert!(text(&o).contains(&format!("`{key}:`")), "{}", text(&o));
        }
    }
    std::fs::write(p.join("factlint.yaml"), "rules: [rules]\ndata: [data]\n").unwrap();
    assert_eq!(
        snapshot(p.parent().unwrap()),
        before,
        "nothing on disk changed"
    );
}

#[test]
fn walked_data_and_rules_do_not_follow_symlinks_outside() {
    let p = project("walk-outside");
    let root = p.parent().unwrap();
    symlink(root.join("secret.yaml"), p.join("data/evil.yaml")).unwrap();
    refuse(&p, &["validate"], "F0003");
    refuse(&p, &["check"], "F0003");
    std::fs::remove_file(p.join("data/evil.yaml")).unwrap();
    // a symlinked folder that leads outside
    std::fs::create_dir_all(root.join("elsewhere")).unwrap();
    std::fs::write(root.join("elsewhere/x.yaml"), format!("{SECRET}: [\n")).unwrap();
    symlink(root.join("elsewhere"), p.join("data/more")).unwrap();
    refuse(&p, &["check"], "F0003");
    std::fs::remove_file(p.join("data/more")).unwrap();
    // a schema.yaml found in the data folder, or above a rule test, that leads outside
    symlink(root.join("secret.yaml"), p.join("data/schema.yaml")).unwrap();
    refuse(&p, &["validate"], "F0003");
    std::fs::remove_file(p.join("data/schema.yaml")).unwrap();
    std::fs::create_dir_all(p.join("rules/tests/t")).unwrap();
    std::fs::write(
        p.join("rules/tests/t/expect.yaml"),
        "rules: [named-x]\nexpect: []\n",
    )
    .unwrap();
    symlink(
        root.join("secret.yaml"),
        p.join("rules/tests/t/schema.yaml"),
    )
    .unwrap();
    let o = run(&p, &["test"]);
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("F0003") && !text(&o).contains(SECRET),
        "{}",
        text(&o)
    );
    // named on the command line, a file outside is the user's choice
    let o = run(
        &p,
        &["validate", root.join("elsewhere/x.yaml").to_str().unwrap()],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "a YAML error, read as asked: {}",
        text(&o)
    );
}

// ---------------------------------------------------------------------------------
// FIFOs, devices, loops, names

#[test]
fn fifos_are_refused_without_blocking_wherever_they_are_named() {
    let p = project("fifo");
    let fifo = p.join("pipe.yaml");
    if !mkfifo(&fifo) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let f = fifo.to_str().unwrap();
    // each would block forever on open or read before
    for args in [
        vec!["check", "--config", f],
        vec!["check", "--baseline", f],
        vec!["check", "--suppressions", f],
        vec!["check", "--schema", f],
        vec!["check", f],
        vec!["check", "--rules", f],
        vec!["validate", f],
    ] {
        let o = refuse(&p, &args, "F0004");
        let t = text(&o);
        assert!(
            t.contains("FIFO") && !t.contains("does not exist"),
            "{args:?}: {t}"
        );
    }
    // found by walking a data folder or included by a rule file
    std::fs::rename(&fifo, p.join("data/pipe.yaml")).unwrap();
    refuse(&p, &["check"], "F0004");
    std::fs::rename(p.join("data/pipe.yaml"), p.join("rules/pipe.rules")).unwrap();
    refuse(&p, &["check"], "F0004");
    std::fs::write(p.join("rules/b.rules"), "include \"pipe.rules\"\n").unwrap();
    refuse(&p, &["check"], "F0004");
}

#[test]
fn devices_behind_symlinks_are_refused() {
    let p = project("devices");
    symlink("/dev/zero", p.join("data/zero.yaml")).unwrap();
    let o = refuse(&p, &["check"], "F0004");
    assert!(text(&o).contains("device"), "{}", text(&o));
    std::fs::remove_file(p.join("data/zero.yaml")).unwrap();
    symlink("/dev/zero", p.join("rules/zero.rules")).unwrap();
    refuse(&p, &["check"], "F0004");
}

#[test]
fn symlink_loops_end_the_walk_with_an_error() {
    let p = project("loops");
    // a folder that leads back up, and two symlinks that lead to each other
    symlink(&p, p.join("data/up")).unwrap();
    symlink(p.join("data/b.yaml"), p.join("data/a.yaml")).unwrap();
    symlink(p.join("data/a.yaml"), p.join("data/b.yaml")).unwrap();
    refuse(&p, &["check"], "F0006");
    std::fs::remove_file(p.join("data/up")).unwrap();
    std::fs::remove_file(p.join("data/a.yaml")).unwrap();
    std::fs::remove_file(p.join("data/b.yaml")).unwrap();
    symlink(p.join("rules"), p.join("rules/again")).unwrap();
    refuse(&p, &["check"], "F0006");
    std::fs::remove_file(p.join("rules/again")).unwrap();
    std::fs::create_dir_all(p.join("rules/tests/t")).unwrap();
    symlink(p.join("rules/tests"), p.join("rules/tests/t/again")).unwrap();
    refuse(&p, &["test"], "F0006");
}

#[test]
fn names_that_are_not_utf8_are_errors_not_skipped() {
    use std::os::unix::ffi::OsStrExt;
    let p = project("names");
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.yaml");
    if std::fs::write(p.join("data").join(name), DATA).is_err() {
        eprintln!("skipped: this file system refuses names that are not UTF-8");
        return;
    }
    let o = refuse(&p, &["validate"], "F0007");
    assert!(text(&o).contains("caf\u{fffd}.yaml"), "{}", text(&o));
}

#[test]
fn an_empty_rules_folder_is_an_error_not_a_pass() {
    let p = project("empty-rules");
    std::fs::remove_file(p.join("rules/a.rules")).unwrap();
    let o = refuse(&p, &["check"], "F0008");
    assert!(
        text(&o).contains("no rule files in `rules`"),
        "{}",
        text(&o)
    );
}

#[test]
fn too_large_files_name_their_file_in_json() {
    let p = project("too-large");
    let mut big = String::from(DATA);
    big.push_str(&"# padding\n".repeat(120_000));
    std::fs::write(p.join("data/actors.yaml"), big).unwrap();
    let o = run(
        &p,
        &["validate", "--max-file-size", "1", "--error-format", "json"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let line = String::from_utf8_lossy(&o.stderr)
        .lines()
        .find(|l| l.contains("too large"))
        .map(str::to_string)
        .expect("a too-large error");
    let v: serde_json::Value = serde_json::from_str(&line).expect("json");
    assert_eq!(v["file"], "data/actors.yaml", "{line}");
}

// ---------------------------------------------------------------------------------
// writing: only regular files, atomically; devices written through

#[test]
fn outputs_to_devices_are_written_through_not_replaced() {
    let p = project("devnull");
    // never `/dev/null` itself: a regression would replace the machine's (as root);
    // through a symlink (the user's, outside the project) it would replace only that
    let root = p.parent().unwrap();
    symlink("/dev/null", root.join("null")).unwrap();
    let o = run(&p, &["check", "--output", "json=../null"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        std::fs::symlink_metadata(root.join("null"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the symlink to the device was replaced"
    );
    // a FIFO: written through to its reader, still a FIFO after
    if mkfifo(&p.join("fifo")) {
        // the read end is open before factlint runs, so the writer never finds nobody
        // reading it, however slow a reader thread would be to start. It is open
        // without blocking: reads poll until the writer has written and closed.
        use std::io::Read as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut end = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(p.join("fifo"))
            .unwrap();
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            let mut buf = [0u8; 8192];
            let mut seen_data = false;
            let start = Instant::now();
            loop {
                match end.read(&mut buf) {
                    Ok(0) if seen_data => break,
                    Ok(0) => {}
                    Ok(n) => {
                        got.extend_from_slice(&buf[..n]);
                        seen_data = true;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) => panic!("{e}"),
                }
                if start.elapsed() > Duration::from_secs(60) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            got
        });
        let o = run(&p, &["check", "--output", "json=fifo"]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let got = reader.join().unwrap();
        assert!(String::from_utf8_lossy(&got).contains("named-x"));
        assert!(!std::fs::metadata(p.join("fifo")).unwrap().is_file());
        // a FIFO nobody reads: an error at once, not a run that waits forever
        let o = run(&p, &["check", "--output", "json=fifo"]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains("nobody reads"), "{}", text(&o));
    }
    // a symlink to a regular file: the file is replaced, the symlink kept
    std::fs::write(p.join("real.json"), "old").unwrap();
    symlink(p.join("real.json"), p.join("link.json")).unwrap();
    let o = run(&p, &["check", "--output", "json=link.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(std::fs::symlink_metadata(p.join("link.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    let report = std::fs::read_to_string(p.join("real.json")).unwrap();
    assert!(report.contains("named-x"), "{report}");
}

/// A pull request can put symlinks in the project: an output or baseline path inside
/// it that a symlink leads outside (to `/etc/passwd`, a disk) is refused, and nothing
/// outside is written.
#[test]
fn outputs_inside_the_project_are_not_led_outside_by_symlinks() {
    let p = project("planted");
    let root = p.parent().unwrap();
    let secret = root.join("secret.rules");
    symlink(&secret, p.join("report.json")).unwrap();
    symlink("/dev/null", p.join("disk.json")).unwrap();
    symlink(root, p.join("out")).unwrap();
    let before = snapshot(root);
    for args in [
        ["check", "--output", "json=report.json"],
        ["check", "--output", "json=disk.json"],
        ["check", "--output", "json=out/x.json"],
        ["check", "--write-baseline", "report.json"],
    ] {
        let o = run(&p, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains("A0009"), "{args:?}: {}", text(&o));
        assert!(
            text(&o).contains("symlink leads it outside"),
            "{}",
            text(&o)
        );
    }
    assert_eq!(
        snapshot(root),
        before,
        "nothing was written in or beside the project"
    );
    assert_eq!(
        std::fs::read_to_string(&secret).unwrap(),
        format!("{SECRET}\n")
    );
}

#[test]
fn a_full_disk_is_an_error_not_a_panic() {
    let p = project("full");
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full");
        return;
    }
    // a report file on a full disk
    // through a symlink outside the project, so a regression cannot replace the
    // machine's /dev/full
    symlink("/dev/full", p.parent().unwrap().join("full")).unwrap();
    let o = run(&p, &["check", "--output", "json=../full"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("A0009"), "{}", text(&o));
    // standard output and standard error on a full disk
    for (out, err) in [(true, false), (true, true), (false, true)] {
        let full = || {
            Stdio::from(
                std::fs::File::options()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
        };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_factlint"));
        cmd.arg("check").current_dir(&p).env("NO_COLOR", "1");
        cmd.stdout(if out { full() } else { Stdio::null() });
        cmd.stderr(if err { full() } else { Stdio::piped() });
        let o = cmd.output().unwrap();
        assert_ne!(
            o.status.code(),
            Some(101),
            "a panic: stdout full {out}, stderr full {err}"
        );
        if out {
            assert_eq!(o.status.code(), Some(2), "the report was lost: not a pass");
        }
        if out && !err {
            assert!(String::from_utf8_lossy(&o.stderr).contains("F0009"));
        }
    }
}

#[test]
fn temporary_files_of_a_killed_run_are_removed_by_the_next() {
    let p = project("killed");
    // what a run killed while writing leaves: a temporary file of a process gone
    let stale = p.join(format!(".report.json.{}.0.factlint-tmp", u32::MAX - 7));
    std::fs::write(&stale, vec![b'x'; 4096]).unwrap();
    let o = run(&p, &["check", "--output", "json=report.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(!stale.exists(), "the stale temporary file is gone");
    let left: Vec<_> = std::fs::read_dir(&p)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".factlint-tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn an_unwritable_folder_is_an_error_and_leaves_no_temporary_file() {
    let p = project("readonly");
    let out = p.join("out");
    std::fs::create_dir_all(&out).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(out.join("probe"), "x").is_ok() {
        // root writes anywhere: a path through a regular file stands in
        let _ = std::fs::remove_file(out.join("probe"));
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(p.join("file"), "x").unwrap();
        let o = run(&p, &["check", "--output", "json=file/report.json"]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains("A0009"));
        return;
    }
    let o = run(&p, &["check", "--output", "json=out/report.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("A0009"));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
}

// ---------------------------------------------------------------------------------
// baselines: only from complete runs

fn baseline_ids(path: &Path) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["rule"].as_str().unwrap(), e["records"]))
        .collect()
}

#[test]
fn baselines_are_written_only_from_complete_runs() {
    let p = project("baseline");
    std::fs::write(
        p.join("rules/b.rules"),
        "## Actors named y.\nrule named-y {\n  message: \"{a.id}\"\n  for a in actors\n  where a.name == \"y\"\n}\n",
    )
    .unwrap();
    let o = run(&p, &["check", "--write-baseline", "b.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let full = baseline_ids(&p.join("b.json"));
    assert_eq!(full.len(), 2, "{full:?}");
    let bytes = std::fs::read(p.join("b.json")).unwrap();

    // cut by --max-findings: refused, the old baseline kept
    let o = run(
        &p,
        &["check", "--max-findings", "1", "--write-baseline", "b.json"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("A0015"), "{}", text(&o));
    assert_eq!(std::fs::read(p.join("b.json")).unwrap(), bytes);

    // data errors: refused
    std::fs::write(p.join("data/broken.yaml"), "actors:\n  - name: no id\n").unwrap();
    let o = run(&p, &["check", "--write-baseline", "b.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("A0015"), "{}", text(&o));
    assert_eq!(std::fs::read(p.join("b.json")).unwrap(), bytes);
    std::fs::remove_file(p.join("data/broken.yaml")).unwrap();

    // one rule: the other rule's entries are kept
    std::fs::write(
        p.join("data/actors.yaml"),
        "- id: a1\n  name: x\n- id: a3\n  name: y\n",
    )
    .unwrap();
    let o = run(
        &p,
        &["check", "--rule", "named-x", "--write-baseline", "b.json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let after = baseline_ids(&p.join("b.json"));
    assert!(after.iter().any(|e| e.starts_with("named-y")), "{after:?}");

    // ./b.json and b.json are the same file: written and read in one run, every
    // finding is new against the old baseline, none hidden by the new one
    for (w, r) in [("b.json", "./b.json"), ("./b.json", "b.json")] {
        std::fs::write(p.join("b.json"), "{\"version\": 1, \"findings\": []}\n").unwrap();
        let o = run(
            &p,
            &[
                "check",
                "--format",
                "json",
                "--write-baseline",
                w,
                "--baseline",
                r,
            ],
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        assert_eq!(v["findings"].as_array().unwrap().len(), 2, "{w} {r}");
    }
}

// ---------------------------------------------------------------------------------
// snapshots: files that data names

/// A project whose `notes` name a snapshot file each, and a rule that would print the
/// snapshot's text if it were read.
fn snapshot_project(name: &str, notes: &[&str]) -> PathBuf {
    let p = project(name);
    std::fs::write(
        p.join("data/schema.yaml"),
        "collections:\n  notes:\n    fields:\n      id: {type: string, required: true}\n      snapshot: file\n",
    )
    .unwrap();
    let mut data = String::new();
    for (i, n) in notes.iter().enumerate() {
        data.push_str(&format!("- {{id: n{i}, snapshot: {n:?}}}\n"));
    }
    std::fs::write(p.join("data/notes.yaml"), data).unwrap();
    std::fs::write(
        p.join("rules/a.rules"),
        "rule leak {\n  message: \"{n.id}: {text(n.snapshot)}\"\n  for n in notes\n  where len(text(n.snapshot)) > 0\n}\n",
    )
    .unwrap();
    p
}

/// Each snapshot the check names is refused with a located D0026, nothing of it
/// reaches the output, the run ends, and nothing on disk changed.
fn snapshots_refused(p: &Path, expected: usize, why: &[&str]) {
    let around = p.parent().unwrap();
    let before = snapshot(around);
    let o = run(p, &["check", "--format", "json", "--fail-on", "never"]);
    let t = text(&o);
    assert!(!t.contains(SECRET), "a snapshot outside was read: {t}");
    assert_eq!(t.matches("error[D0026]").count(), expected, "{t}");
    for w in why {
        assert!(t.contains(w), "expected `{w}`: {t}");
    }
    assert!(t.contains("notes.yaml:"), "not located: {t}");
    assert_eq!(snapshot(around), before, "the check changed files on disk");
}

#[test]
fn snapshots_outside_the_dataset_folder_are_refused() {
    let p = snapshot_project("snapshot-outside", &[]);
    let secret = p.parent().unwrap().join("secret.yaml");
    symlink(&secret, p.join("data/link.txt")).unwrap();
    symlink(p.parent().unwrap(), p.join("data/up")).unwrap();
    let abs = secret.to_str().unwrap().to_string();
    std::fs::write(
        p.join("data/notes.yaml"),
        format!("- {{id: n0, snapshot: ../../secret.yaml}}\n- {{id: n1, snapshot: {abs:?}}}\n- {{id: n2, snapshot: link.txt}}\n- {{id: n3, snapshot: up/secret.yaml}}\n- {{id: n4, snapshot: /dev/zero}}\n- {{id: n5, snapshot: /proc/self/environ}}\n"),
    )
    .unwrap();
    snapshots_refused(&p, 6, &["outside the dataset folder"]);
    // inside, it is read
    std::fs::write(p.join("data/ok.txt"), "harmless").unwrap();
    std::fs::write(p.join("data/notes.yaml"), "- {id: n0, snapshot: ok.txt}\n").unwrap();
    let o = run(&p, &["check", "--format", "json", "--fail-on", "never"]);
    assert!(text(&o).contains("n0: harmless"), "{}", text(&o));
}

#[test]
fn snapshots_that_are_fifos_folders_missing_or_too_large_are_refused_without_blocking() {
    let p = snapshot_project(
        "snapshot-kinds",
        &["pipe.txt", "sub", "missing.txt", "big.txt", "latin1.txt"],
    );
    std::fs::create_dir_all(p.join("data/sub")).unwrap();
    std::fs::write(p.join("data/big.txt"), vec![b'a'; 2 * 1024 * 1024 + 1]).unwrap();
    std::fs::write(p.join("data/latin1.txt"), b"caf\xe9").unwrap();
    if !mkfifo(&p.join("data/pipe.txt")) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let around = p.parent().unwrap();
    let before = snapshot(around);
    let o = run(
        &p,
        &[
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--max-file-size",
            "2",
        ],
    );
    let t = text(&o);
    assert_eq!(t.matches("error[D0026]").count(), 5, "{t}");
    for w in [
        "not a regular file",
        "does not exist",
        "too large",
        "not UTF-8",
    ] {
        assert!(t.contains(w), "expected `{w}`: {t}");
    }
    assert_eq!(snapshot(around), before, "the check changed files on disk");
}
