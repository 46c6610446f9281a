//! `factlint test`: run the rules' own tests. A test is a folder holding a small
//! dataset and `expect.yaml`, the findings the rules under test must report (rule,
//! records, certainty) and nothing else; an empty list says they must not fire.

use super::{config, emit_diagnostics, GlobalArgs};
use crate::diag::{Diagnostic, Sources};
use crate::eval::Certainty;
use clap::Args;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub const EXPECT_FILE: &str = "expect.yaml";

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Test folders, or folders of them. Default: `tests:` in factlint.yaml, else `rules/tests`.
    pub paths: Vec<PathBuf>,
    /// Rule files or folders. Default: `rules:` in factlint.yaml, else `rules/`.
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// The project config file (default: ./factlint.yaml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Fail when fewer than this percentage of the rules fire in some test.
    #[arg(long, value_name = "PERCENT", default_value_t = 0.0)]
    pub min_coverage: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectFile {
    /// What the test shows, for the report.
    description: Option<String>,
    /// The rules under test (default: the rules named in `expect`).
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default)]
    expect: Vec<Expected>,
    /// Constants to override for this test, as rule-language literals.
    #[serde(default)]
    set: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    rule: String,
    /// `collection/id` of every record the finding binds.
    records: Vec<String>,
    #[serde(default = "certain")]
    certainty: String,
}

fn certain() -> String {
    "certain".into()
}

/// A finding as tests compare them: rule, records (sorted), certainty.
type Key = (String, Vec<String>, String);

fn fmt_key(k: &Key) -> String {
    format!("{} [{}] {}", k.0, k.1.join(", "), k.2)
}

/// Every folder under `paths` that holds an `expect.yaml`, sorted.
fn test_dirs(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    fn walk(p: &Path, out: &mut Vec<PathBuf>) {
        if p.join(EXPECT_FILE).is_file() {
            out.push(p.to_path_buf());
            return;
        }
        let Ok(rd) = std::fs::read_dir(p) else { return };
        let mut dirs: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for d in dirs {
            walk(&d, out);
        }
    }
    for p in paths {
        walk(p, &mut out);
    }
    out
}

/// The schema for a test: its own `schema.yaml`, else one in a parent test folder.
fn schema_for(dir: &Path, roots: &[PathBuf]) -> Option<PathBuf> {
    let mut d = Some(dir);
    while let Some(x) = d {
        let s = x.join("schema.yaml");
        if s.is_file() {
            return Some(s);
        }
        if roots.iter().any(|r| r == x) {
            break;
        }
        d = x.parent();
    }
    None
}

struct Outcome {
    name: String,
    ok: bool,
    detail: String,
    fired: BTreeSet<String>,
    tested: BTreeSet<String>,
}

pub fn run(global: &GlobalArgs, args: TestArgs) -> i32 {
    let cfg = match config::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(d) => {
            emit_diagnostics(global, &[*d], &Sources::new());
            return 2;
        }
    };
    let roots: Vec<PathBuf> = if !args.paths.is_empty() {
        args.paths.clone()
    } else if !cfg.tests.is_empty() {
        cfg.tests.clone()
    } else {
        vec![PathBuf::from("rules/tests")]
    };
    let rule_paths = if !args.rules.is_empty() {
        args.rules.clone()
    } else if !cfg.rules.is_empty() {
        cfg.rules.clone()
    } else {
        vec![PathBuf::from("rules")]
    };
    let loaded = super::rules::load(&rule_paths);
    if loaded.diags.iter().any(|d| d.is_error()) {
        emit_diagnostics(global, &loaded.diags, &loaded.sources);
        return 2;
    }
    let all_rules: Vec<String> = loaded
        .files
        .iter()
        .flat_map(|f| f.items.iter())
        .filter_map(|i| match i {
            crate::syntax::ast::Item::Rule(r) => Some(r.id.name.clone()),
            _ => None,
        })
        .collect();
    let dirs = test_dirs(&roots);
    if dirs.is_empty() {
        let d = Diagnostic::error("A0010", "no rule tests found").expected(format!(
            "folders holding `{EXPECT_FILE}` under {}",
            roots
                .iter()
                .map(|r| format!("`{}`", r.display()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        emit_diagnostics(global, &[d], &Sources::new());
        return 2;
    }
    let mut outcomes = Vec::new();
    for dir in &dirs {
        match run_one(dir, &roots, &loaded, &all_rules) {
            Ok(o) => outcomes.push(o),
            Err((diags, sources)) => {
                emit_diagnostics(global, &diags, &sources);
                outcomes.push(Outcome {
                    name: dir.display().to_string(),
                    ok: false,
                    detail: "  the test could not run (see the errors above)\n".into(),
                    fired: BTreeSet::new(),
                    tested: BTreeSet::new(),
                });
            }
        }
    }
    let mut out = String::new();
    let mut fired: BTreeSet<String> = BTreeSet::new();
    let mut tested: BTreeSet<String> = BTreeSet::new();
    for o in &outcomes {
        let _ = writeln!(
            out,
            "test {} ... {}",
            o.name,
            if o.ok { "ok" } else { "FAILED" }
        );
        out.push_str(&o.detail);
        fired.extend(o.fired.iter().cloned());
        tested.extend(o.tested.iter().cloned());
    }
    let untested: Vec<&String> = all_rules.iter().filter(|r| !tested.contains(*r)).collect();
    let never_fired: Vec<&String> = all_rules.iter().filter(|r| !fired.contains(*r)).collect();
    let pct = if all_rules.is_empty() {
        100.0
    } else {
        100.0 * (all_rules.len() - never_fired.len()) as f64 / all_rules.len() as f64
    };
    let _ = writeln!(
        out,
        "\ncoverage: {} of {} rules fired in a test ({pct:.0}%)",
        all_rules.len() - never_fired.len(),
        all_rules.len()
    );
    if !untested.is_empty() {
        let _ = writeln!(
            out,
            "  rules without a test: {}",
            untested
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !never_fired.is_empty() {
        let _ = writeln!(
            out,
            "  rules that fired in no test: {}",
            never_fired
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let passed = outcomes.iter().filter(|o| o.ok).count();
    let failed = outcomes.len() - passed;
    let _ = writeln!(out, "\n{passed} passed, {failed} failed");
    print!("{out}");
    if failed > 0 {
        return 1;
    }
    if pct + 1e-9 < args.min_coverage {
        eprintln!(
            "error: rule coverage {pct:.0}% is below --min-coverage {}%",
            args.min_coverage
        );
        return 1;
    }
    0
}

type Failure = (Vec<Diagnostic>, Sources);

fn run_one(
    dir: &Path,
    roots: &[PathBuf],
    rules: &super::rules::LoadedRules,
    all_rules: &[String],
) -> Result<Outcome, Failure> {
    let name = dir.display().to_string();
    let expect_path = dir.join(EXPECT_FILE);
    let text = std::fs::read_to_string(&expect_path).map_err(|e| {
        (
            vec![
                Diagnostic::error("A0011", format!("cannot read `{}`", expect_path.display()))
                    .found(e.to_string()),
            ],
            Sources::new(),
        )
    })?;
    let expect: ExpectFile = serde_yaml::from_str(&text).map_err(|e| {
        let file: std::sync::Arc<str> = expect_path.display().to_string().into();
        let mut d = Diagnostic::error("A0012", "invalid test expectations")
            .expected(
                "`rules: [...]`, `expect: [{rule, records: [collection/id, ...], certainty}]`",
            )
            .found(e.to_string());
        if let Some(l) = e.location() {
            d = d.at(
                crate::diag::Span::new(
                    file.clone(),
                    l.index(),
                    l.index() + 1,
                    l.line() as u32,
                    l.column() as u32,
                ),
                "here",
            );
        }
        let mut s = Sources::new();
        s.add(file, text.clone().into());
        (vec![d], s)
    })?;
    // the data: every file of the folder but the expectations and the schema
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.is_file()
            && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n != EXPECT_FILE
                    && n != "schema.yaml"
                    && !n.starts_with('.')
                    && !n.eq_ignore_ascii_case("README.md")
            })
    });
    files.sort();
    let opts = crate::data::LoadOptions {
        schema: schema_for(dir, roots),
        ..Default::default()
    };
    let (ds, mut diags) = crate::data::load(&files, &opts);
    if !diags.iter().any(|d| d.is_error()) {
        diags.extend(crate::data::validate(&ds));
    }
    let mut sources = ds.sources.clone();
    sources.merge(&rules.sources);
    if diags.iter().any(|d| d.is_error()) {
        return Err((diags, sources));
    }
    let (mut suite, check_diags) = crate::check::check(&rules.files, &ds.schema);
    if check_diags.iter().any(|d| d.is_error()) {
        diags.extend(check_diags);
        return Err((diags, sources));
    }
    let mut under_test: BTreeSet<String> = expect.rules.iter().cloned().collect();
    under_test.extend(expect.expect.iter().map(|e| e.rule.clone()));
    let mut problems = Vec::new();
    for r in &under_test {
        if !all_rules.contains(r) {
            let mut d = Diagnostic::error(
                "A0013",
                format!("`{}` tests rule `{r}`, which the suite does not have", name),
            );
            if let Some(s) =
                crate::diag::suggest::did_you_mean(r, all_rules.iter().map(|s| s.as_str()))
            {
                d = d.help(format!("did you mean `{s}`?"));
            }
            problems.push(d);
        }
    }
    if !problems.is_empty() {
        return Err((problems, sources));
    }
    suite.rules.retain(|r| under_test.contains(&r.info.id));
    let mut overrides = BTreeMap::new();
    for (k, v) in &expect.set {
        let src = format!("const {k} = {v}\n");
        let (f, pd) = crate::syntax::parse("set".into(), &src);
        let (s, cd) = crate::check::check(&[f], &crate::data::Schema::default());
        if pd.iter().chain(cd.iter()).any(|d| d.is_error()) {
            return Err((
                vec![Diagnostic::error(
                    "A0004",
                    format!("invalid value for `{k}` in `{}`", expect_path.display()),
                )
                .found(v.clone())],
                sources,
            ));
        }
        if let Some(val) =
            crate::eval::eval_consts(&s, &crate::data::Dataset::default(), &BTreeMap::new()).pop()
        {
            overrides.insert(k.clone(), val);
        }
    }
    let opts = crate::eval::RunOptions {
        parallel: false,
        overrides,
        ..Default::default()
    };
    let (report, run_diags) = crate::eval::run(&suite, &ds, &sources, &opts);
    if run_diags.iter().any(|d| d.is_error()) {
        return Err((run_diags, sources));
    }
    let actual: BTreeSet<Key> = report
        .findings
        .iter()
        .map(|f| {
            let mut recs: Vec<String> = f
                .evidence
                .iter()
                .map(|e| format!("{}/{}", e.collection, e.id))
                .collect();
            recs.sort();
            (
                f.rule.clone(),
                recs,
                match f.certainty {
                    Certainty::Certain => "certain".into(),
                    Certainty::Possible => "possible".into(),
                },
            )
        })
        .collect();
    let wanted: BTreeSet<Key> = expect
        .expect
        .iter()
        .map(|e| {
            let mut recs = e.records.clone();
            recs.sort();
            (e.rule.clone(), recs, e.certainty.clone())
        })
        .collect();
    let missing: Vec<&Key> = wanted.difference(&actual).collect();
    let extra: Vec<&Key> = actual.difference(&wanted).collect();
    let mut detail = String::new();
    if let Some(d) = &expect.description {
        if !missing.is_empty() || !extra.is_empty() {
            let _ = writeln!(detail, "  {d}");
        }
    }
    if !missing.is_empty() {
        let _ = writeln!(detail, "  expected, not reported:");
        for k in &missing {
            let _ = writeln!(detail, "    - {}", fmt_key(k));
        }
    }
    if !extra.is_empty() {
        let _ = writeln!(detail, "  reported, not expected:");
        for k in &extra {
            let _ = writeln!(detail, "    + {}", fmt_key(k));
        }
    }
    Ok(Outcome {
        name,
        ok: missing.is_empty() && extra.is_empty(),
        detail,
        fired: report.findings.iter().map(|f| f.rule.clone()).collect(),
        tested: under_test,
    })
}
