//! The rules' own tests (`factlint test`). A test is a folder holding a small dataset
//! and `expect.yaml`, the findings the rules under test must report (rule, records,
//! certainty) and nothing else; an empty list says they must not fire. A finding
//! reported twice must be expected twice.
//!
//! Rules run despite errors in a test's data, as `check` runs them: a value that
//! failed its type reads as unknown, a reference to no record resolves to nothing, a
//! record without an id is left out. That is how a rule that catches data problems is
//! tested. The errors must be expected (`data_errors: [D0016]`, their codes), so that a
//! typo in a test's data fails the test instead of quietly changing what it shows.

use super::{Failure, LoadedRules, Project};
use crate::data::codes;
use crate::data::node::{Node, NodeKind};
use crate::diag::{did_you_mean, Diagnostic, Sources, Span};
use crate::eval::Certainty;
use crate::files::{self, Confine};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub const EXPECT_FILE: &str = "expect.yaml";

/// An `expect.yaml` larger than this is refused.
pub const MAX_EXPECT: u64 = 16 * 1024 * 1024;

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
    /// The codes of the errors the test's data has on purpose (`D0016`), one per error.
    #[serde(default)]
    data_errors: Vec<String>,
    /// The verdicts the rules under test give on these claims (others are not checked):
    /// `{claim: c1, verdict: supported | refuted | not-enough-evidence | conflicting}`.
    #[serde(default)]
    verdicts: Vec<ExpectedVerdict>,
    /// The day the test runs as of (`--as-of`): records dated later are left out, and
    /// so are retractions and corrections dated later. Without it, the day it runs.
    as_of: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedVerdict {
    claim: String,
    verdict: String,
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

/// Every folder under `paths` that holds an `expect.yaml`, sorted (a folder with one
/// is not searched further). Symlinks that loop or lead outside `confine` are not
/// followed; they are returned as errors.
pub fn test_dirs(paths: &[PathBuf], confine: &Confine) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let walked = files::walk(p, confine, &|q, is_dir| {
            is_dir || q.file_name().is_some_and(|n| n == EXPECT_FILE)
        });
        for (q, e) in &walked.errors {
            // a test folder that does not exist is told by "no rule tests found"
            if !(q == p && matches!(e, files::FileError::Missing)) {
                errors.push(e.diagnostic("rule test", &q.display().to_string()));
            }
        }
        for f in walked.files {
            if let Some(d) = f.parent() {
                out.push(d.to_path_buf());
            }
        }
    }
    out.sort();
    out.dedup();
    // a test folder's own folders are its data, not tests
    let mut kept: Vec<PathBuf> = Vec::new();
    for d in out {
        if !kept.iter().any(|k| d.starts_with(k)) {
            kept.push(d);
        }
    }
    (kept, errors)
}

/// The schema for a test: its own `schema.yaml`, else one in a parent test folder.
fn schema_for(dir: &Path, roots: &[PathBuf]) -> Option<PathBuf> {
    let mut d = Some(dir);
    while let Some(x) = d {
        let s = x.join("schema.yaml");
        if files::kind(&s) == files::Kind::File {
            return Some(s);
        }
        if roots.iter().any(|r| r == x) {
            break;
        }
        d = x.parent();
    }
    None
}

/// The result of one test folder.
pub struct Outcome {
    pub name: String,
    pub ok: bool,
    /// What differed, for people (empty when the test passed).
    pub detail: String,
    /// Why the test could not run, when it could not.
    pub failure: Option<Failure>,
    /// The errors of the test's data, which the rules ran despite (shown like a
    /// failure's diagnostics; the test fails unless `data_errors` expects them).
    pub data_errors: Option<Failure>,
    pub fired: BTreeSet<String>,
    pub tested: BTreeSet<String>,
}

/// Every test of a suite, and the rules' coverage.
pub struct Fixtures {
    pub outcomes: Vec<Outcome>,
    /// Every rule of the suite, in suite order.
    pub rules: Vec<String>,
}

impl Fixtures {
    pub fn passed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.ok).count()
    }
    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.passed()
    }
    /// Rules that fired in no test.
    pub fn never_fired(&self) -> Vec<&str> {
        let fired: BTreeSet<&String> = self.outcomes.iter().flat_map(|o| &o.fired).collect();
        self.rules
            .iter()
            .filter(|r| !fired.contains(r))
            .map(String::as_str)
            .collect()
    }
    /// The percentage of rules that fired in some test.
    pub fn coverage(&self) -> f64 {
        if self.rules.is_empty() {
            100.0
        } else {
            let n = self.rules.len() - self.never_fired().len();
            100.0 * n as f64 / self.rules.len() as f64
        }
    }

    /// The report people read: one line per test, what differed, coverage, counts.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let mut tested: BTreeSet<&String> = BTreeSet::new();
        for o in &self.outcomes {
            let _ = writeln!(
                out,
                "test {} ... {}",
                crate::diag::escape::visible(&o.name),
                if o.ok { "ok" } else { "FAILED" }
            );
            out.push_str(&o.detail);
            tested.extend(o.tested.iter());
        }
        let untested: Vec<&str> = self
            .rules
            .iter()
            .filter(|r| !tested.contains(r))
            .map(String::as_str)
            .collect();
        let never_fired = self.never_fired();
        let _ = writeln!(
            out,
            "\ncoverage: {} of {} rules fired in a test ({:.0}%)",
            self.rules.len() - never_fired.len(),
            self.rules.len(),
            self.coverage()
        );
        if !untested.is_empty() {
            let _ = writeln!(out, "  rules without a test: {}", untested.join(", "));
        }
        if !never_fired.is_empty() {
            let _ = writeln!(
                out,
                "  rules that fired in no test: {}",
                never_fired.join(", ")
            );
        }
        let _ = writeln!(out, "\n{} passed, {} failed", self.passed(), self.failed());
        out
    }
}

/// Run every test under the project's test folders against its rules. Fails when the
/// rules do not parse or no test is found; a test that cannot run is a failed outcome.
pub fn run(project: &Project) -> Result<Fixtures, Failure> {
    let roots = project.test_paths();
    let loaded = project.read_rules();
    if loaded.diags.iter().any(|d| d.is_error()) {
        return Err(Failure::new(loaded.diags, loaded.sources));
    }
    let rules: Vec<String> = loaded
        .files
        .iter()
        .flat_map(|f| f.items.iter())
        .filter_map(|i| match i {
            crate::syntax::ast::Item::Rule(r) => Some(r.id.name.clone()),
            _ => None,
        })
        .collect();
    let confine = project.confine(&roots);
    let (dirs, walk_errors) = test_dirs(&roots, &confine);
    if !walk_errors.is_empty() {
        return Err(Failure::new(walk_errors, Sources::new()));
    }
    if dirs.is_empty() {
        let d = Diagnostic::error("A0010", "no rule tests found").expected(format!(
            "folders holding `{EXPECT_FILE}` under {}",
            roots
                .iter()
                .map(|r| format!("`{}`", r.display()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return Err(Failure::one(d));
    }
    let outcomes = dirs
        .iter()
        .map(|dir| {
            run_one(dir, &roots, &confine, &loaded, &rules).unwrap_or_else(|failure| Outcome {
                name: dir.display().to_string(),
                ok: false,
                detail: "  the test could not run (see the errors above)\n".into(),
                failure: Some(failure),
                data_errors: None,
                fired: BTreeSet::new(),
                tested: BTreeSet::new(),
            })
        })
        .collect();
    Ok(Fixtures { outcomes, rules })
}

fn run_one(
    dir: &Path,
    roots: &[PathBuf],
    confine: &Confine,
    rules: &LoadedRules,
    all_rules: &[String],
) -> Result<Outcome, Failure> {
    let name = dir.display().to_string();
    let expect_path = dir.join(EXPECT_FILE);
    let text = files::read_text(&expect_path, confine, MAX_EXPECT).map_err(|e| {
        Failure::one(e.diagnostic("test expectations", &expect_path.display().to_string()))
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
                Span::new(
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
        Failure::new(vec![d], s)
    })?;
    // the same text as spanned nodes, to point at what is wrong in it
    let expect_name: std::sync::Arc<str> = expect_path.display().to_string().into();
    let spanned = crate::data::yaml::read_text(expect_name.clone(), &text).0;
    let at = |path: &[Step]| locate(spanned.first(), path);
    let mut expect_sources = Sources::new();
    expect_sources.add(expect_name.clone(), text.clone().into());
    let whole = || files::file_span(&expect_name);
    const VERDICTS: [&str; 4] = ["supported", "refuted", "not-enough-evidence", "conflicting"];
    if let Some((i, bad)) = expect
        .verdicts
        .iter()
        .enumerate()
        .find(|(_, v)| !VERDICTS.contains(&v.verdict.as_str()))
    {
        let span = at(&[Step::Key("verdicts"), Step::Index(i), Step::Key("verdict")]);
        let mut d = Diagnostic::error("A0012", "invalid test expectations")
            .at(span.unwrap_or_else(whole), "no such verdict")
            .expected(format!("a verdict: {}", VERDICTS.join(", ")))
            .found(format!("`{}` for claim `{}`", bad.verdict, bad.claim));
        if let Some(s) = did_you_mean(&bad.verdict, VERDICTS) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        return Err(Failure::new(vec![d], expect_sources));
    }
    // the data: every file of the folder but the expectations and the schema
    let listed = files::list(dir, confine, &|p| {
        p.file_name().and_then(|n| n.to_str()).is_none_or(|n| {
            n != EXPECT_FILE && n != "schema.yaml" && !n.eq_ignore_ascii_case("README.md")
        })
    });
    if !listed.errors.is_empty() {
        let ds = listed
            .errors
            .iter()
            .map(|(p, e)| e.diagnostic("test data", &p.display().to_string()))
            .collect();
        return Err(Failure::new(ds, Sources::new()));
    }
    let data_files = listed.files;
    let schema = schema_for(dir, roots);
    if let Some(s) = schema
        .as_ref()
        .filter(|s| !files::resolves_inside(s, confine))
    {
        let d = files::FileError::Outside.diagnostic("schema", &s.display().to_string());
        return Err(Failure::one(d));
    }
    let opts = crate::data::LoadOptions {
        schema,
        ..Default::default()
    };
    let (mut ds, mut diags) = crate::data::load(&data_files, &opts);
    // a data file that cannot be read at all (F-codes, D0001, D0002) is no test of
    // the rules: the test cannot run (an error of what was read is for `data_errors`
    // to expect)
    let unreadable = |d: &Diagnostic| {
        d.code.starts_with('F') || [codes::UNREADABLE, codes::TOO_LARGE].contains(&d.code.as_str())
    };
    if diags.iter().any(|d| d.is_error() && unreadable(d)) {
        diags.retain(Diagnostic::is_error);
        return Err(Failure::new(diags, ds.sources.clone()));
    }
    diags.extend(crate::data::validate_and_mend(&mut ds).0);
    let as_of = match &expect.as_of {
        Some(text) => {
            let mut bad = Vec::new();
            match super::overrides::as_of(Some(text), &mut bad) {
                Some(d) => Some(d),
                None => {
                    let span = at(&[Step::Key("as_of")]).unwrap_or_else(whole);
                    let d = bad
                        .into_iter()
                        .map(|d| d.at(span.clone(), "not a date"))
                        .collect();
                    return Err(Failure::new(d, expect_sources));
                }
            }
        }
        None => None,
    };
    if let Some(d) = as_of {
        ds.as_of(d);
    }
    ds.notices_as_of(as_of.unwrap_or_else(|| chrono::Local::now().date_naive()));
    crate::diag::diagnostic::sort(&mut diags);
    let mut sources = ds.sources.clone();
    sources.merge(&rules.sources);
    let data_errors: Vec<Diagnostic> = diags.iter().filter(|d| d.is_error()).cloned().collect();
    let (mut suite, check_diags) = crate::check::check(&rules.files, &ds.schema);
    if check_diags.iter().any(|d| d.is_error()) {
        diags.extend(check_diags);
        return Err(Failure::new(diags, sources));
    }
    let mut under_test: BTreeSet<String> = expect.rules.iter().cloned().collect();
    under_test.extend(expect.expect.iter().map(|e| e.rule.clone()));
    sources.merge(&expect_sources);
    let mut problems = Vec::new();
    for r in &under_test {
        if !all_rules.contains(r) {
            // where the expectations name it: in `rules:`, else in an `expect:` entry
            let span = expect
                .rules
                .iter()
                .position(|x| x == r)
                .and_then(|i| at(&[Step::Key("rules"), Step::Index(i)]))
                .or_else(|| {
                    let i = expect.expect.iter().position(|e| &e.rule == r)?;
                    at(&[Step::Key("expect"), Step::Index(i), Step::Key("rule")])
                });
            let mut d = Diagnostic::error(
                "A0013",
                format!("`{}` tests rule `{r}`, which the suite does not have", name),
            )
            .at(span.unwrap_or_else(whole), "no such rule");
            if let Some(s) = did_you_mean(r, all_rules.iter().map(|s| s.as_str())) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            problems.push(d);
        }
    }
    if !problems.is_empty() {
        return Err(Failure::new(problems, sources));
    }
    suite.keep(|r| under_test.contains(&r.info.id));
    let mut overrides = BTreeMap::new();
    for (k, v) in &expect.set {
        match super::overrides::parse_set_value(k, v) {
            Ok(val) => {
                overrides.insert(k.clone(), val);
            }
            Err(d) => {
                let mut d = *d;
                d.message = format!("invalid value for `{k}` in `set:`");
                let span = at(&[Step::Key("set"), Step::Key(k)]);
                d = d.at(span.unwrap_or_else(whole), "not a literal");
                return Err(Failure::new(vec![d], sources));
            }
        }
    }
    let opts = crate::eval::RunOptions {
        parallel: false,
        overrides,
        ..Default::default()
    };
    let (report, run_diags) = crate::eval::run(&suite, &ds, &sources, &opts);
    if run_diags.iter().any(|d| d.is_error()) {
        return Err(Failure::new(run_diags, sources));
    }
    // findings as multisets: a finding reported twice must be expected twice
    let mut actual: BTreeMap<Key, usize> = BTreeMap::new();
    for f in &report.findings {
        let mut recs: Vec<String> = f
            .evidence
            .iter()
            .map(|e| format!("{}/{}", e.collection, e.id))
            .collect();
        recs.sort();
        let certainty = match f.certainty {
            Certainty::Certain => "certain",
            Certainty::Possible => "possible",
        };
        *actual
            .entry((f.rule.clone(), recs, certainty.into()))
            .or_default() += 1;
    }
    let mut wanted: BTreeMap<Key, usize> = BTreeMap::new();
    for e in &expect.expect {
        let mut recs = e.records.clone();
        recs.sort();
        *wanted
            .entry((e.rule.clone(), recs, e.certainty.clone()))
            .or_default() += 1;
    }
    let count = |m: &BTreeMap<Key, usize>, k: &Key| m.get(k).copied().unwrap_or(0);
    let times = |k: &Key, reported: usize, expected: usize| {
        if reported.max(expected) > 1 {
            format!(
                "{} (reported {reported} {}, expected {expected})",
                fmt_key(k),
                if reported == 1 { "time" } else { "times" }
            )
        } else {
            fmt_key(k)
        }
    };
    let missing: Vec<String> = wanted
        .iter()
        .filter(|(k, &w)| count(&actual, k) < w)
        .map(|(k, &w)| times(k, count(&actual, k), w))
        .collect();
    let extra: Vec<String> = actual
        .iter()
        .filter(|(k, &a)| a > count(&wanted, k))
        .map(|(k, &a)| times(k, a, count(&wanted, k)))
        .collect();
    // the data's errors against those expected, by code, as multisets
    let mut codes_found: Vec<&str> = data_errors.iter().map(|d| d.code.as_str()).collect();
    let mut codes_expected: Vec<&str> = expect.data_errors.iter().map(String::as_str).collect();
    codes_found.sort_unstable();
    codes_expected.sort_unstable();
    let data_ok = codes_found == codes_expected;
    // the verdicts asked about, as the report gives them
    let mut verdicts_wrong: Vec<String> = Vec::new();
    for want in &expect.verdicts {
        let got = report
            .verdicts
            .iter()
            .find(|v| v.claim == want.claim)
            .map(|v| crate::report::output::verdict_code(v.verdict));
        if got != Some(want.verdict.as_str()) {
            verdicts_wrong.push(format!(
                "{}: expected {}, {}",
                want.claim,
                want.verdict,
                match got {
                    Some(g) => format!("the rules give {g}"),
                    None => "but no verdict rule under test rates it".to_string(),
                }
            ));
        }
    }
    let mut detail = String::new();
    if let Some(d) = &expect.description {
        if !missing.is_empty() || !extra.is_empty() || !data_ok || !verdicts_wrong.is_empty() {
            let _ = writeln!(detail, "  {}", crate::diag::escape::visible(d));
        }
    }
    if !verdicts_wrong.is_empty() {
        let _ = writeln!(detail, "  verdicts:");
        for v in &verdicts_wrong {
            let _ = writeln!(detail, "    ~ {}", crate::diag::escape::visible(v));
        }
    }
    if !data_ok {
        let _ = writeln!(
            detail,
            "  data errors: expected [{}], found [{}] (shown above)",
            codes_expected.join(", "),
            codes_found.join(", ")
        );
    }
    if !missing.is_empty() {
        let _ = writeln!(detail, "  expected, not reported:");
        for k in &missing {
            let _ = writeln!(detail, "    - {}", crate::diag::escape::visible(k));
        }
    }
    if !extra.is_empty() {
        let _ = writeln!(detail, "  reported, not expected:");
        for k in &extra {
            let _ = writeln!(detail, "    + {}", crate::diag::escape::visible(k));
        }
    }
    Ok(Outcome {
        name,
        ok: missing.is_empty() && extra.is_empty() && data_ok && verdicts_wrong.is_empty(),
        detail,
        failure: None,
        data_errors: (!data_errors.is_empty()).then(|| Failure::new(data_errors, sources)),
        fired: report.findings.iter().map(|f| f.rule.clone()).collect(),
        tested: under_test,
    })
}

/// A step of a path into a YAML document: a map key or a list index.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Where the value at `path` is in `doc`, if it is there.
fn locate(doc: Option<&Node>, path: &[Step]) -> Option<Span> {
    let mut n = doc?;
    for step in path {
        n = match (step, &n.kind) {
            (Step::Key(k), _) => n.get(k)?,
            (Step::Index(i), NodeKind::Seq(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(n.span.clone())
}
