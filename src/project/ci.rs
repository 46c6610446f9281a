//! The CI side of a run: suppressions (reviewed exceptions that expire) and baselines
//! (only new findings, and the resolved ones), applied to a report.

use super::{Failure, Prepared};
use crate::diag::escape;
use crate::diag::{Diagnostic, Sources};
use crate::eval::Report;
use crate::report::baseline::{
    apply_baseline, baseline_of, read_baseline, render_baseline, BaselineEntry,
};
use crate::report::suppress::{
    apply_suppressions, load_suppressions, SuppressedFinding, Suppression,
};
use std::path::{Path, PathBuf};

/// Where the suppressions and baselines of a run are (each defaults to the config's).
#[derive(Clone, Debug, Default)]
pub struct CiOptions {
    pub suppressions: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub write_baseline: Option<PathBuf>,
    /// Why this run cannot write a baseline (it failed, or saw only part of the
    /// findings), when it cannot: `write_baseline` is then refused, never a file
    /// with entries missing.
    pub incomplete: Option<String>,
    /// Only some rules ran (`--rule`): a baseline written keeps the others' entries.
    pub some_rules: bool,
}

/// The findings suppressions took out of a run, and the entries, for SARIF.
pub type Suppressed = (Vec<SuppressedFinding>, Vec<Suppression>);

/// What applying suppressions and a baseline did.
#[derive(Default)]
pub struct CiOutcome {
    pub suppressed: Option<Suppressed>,
    /// Warnings about the suppressions (expired, unused entries), with their text.
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Sources,
    /// The baseline's new and resolved findings, for people.
    pub baseline_diff: Option<String>,
}

/// Suppressions and baselines larger than this are refused.
pub const MAX_CI_FILE: u64 = 64 * 1024 * 1024;

/// Read a suppressions or baseline file: named on the command line, or in
/// `factlint.yaml` (checked to be inside the project by `Project::open`).
fn read(what: &str, path: &Path) -> Result<String, Box<Diagnostic>> {
    crate::files::read_text(path, &crate::files::Confine::anywhere(), MAX_CI_FILE)
        .map_err(|e| Box::new(e.diagnostic(what, &path.display().to_string())))
}

/// Apply suppressions, then the baseline; write a baseline when asked. On failure the
/// warnings found before it come first in the failure's diagnostics.
pub fn apply(
    prepared: &Prepared,
    opts: &CiOptions,
    report: &mut Report,
) -> Result<CiOutcome, Failure> {
    let mut out = CiOutcome::default();
    let fail = |out: CiOutcome, d: Vec<Diagnostic>, s: Sources| {
        let mut diagnostics = out.diagnostics;
        diagnostics.extend(d);
        let mut sources = out.sources;
        sources.merge(&s);
        Failure::new(diagnostics, sources)
    };
    let supp_path = opts
        .suppressions
        .clone()
        .or_else(|| prepared.config.suppressions.clone());
    if let Some(path) = supp_path {
        let text = read("suppressions", &path).map_err(|d| Failure::one(*d))?;
        let name = path.display().to_string();
        let (entries, diags) = load_suppressions(&name, &text);
        let mut sources = Sources::new();
        sources.add(name.as_str().into(), text.as_str().into());
        if diags.iter().any(|d| d.is_error()) {
            return Err(Failure::new(diags, sources));
        }
        let today = prepared
            .as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let outcome = apply_suppressions(report, &entries, today);
        out.diagnostics = diags;
        out.diagnostics.extend(outcome.diagnostics);
        out.sources = sources;
        out.suppressed = Some((outcome.suppressed, entries));
    }
    if let (Some(path), Some(why)) = (&opts.write_baseline, &opts.incomplete) {
        let d = Diagnostic::error(
            "A0015",
            format!(
                "not writing the baseline `{}`: {why}",
                escape::visible(&path.display().to_string())
            ),
        )
        .expected("a complete run: every rule of the suite, every finding, no errors")
        .found(why.clone())
        .help("fix the errors above (or raise --max-findings) and write the baseline again; the old baseline is unchanged");
        return Err(fail(out, vec![d], Sources::new()));
    }
    // what to write is taken before the baseline filters the report
    let to_write = opts
        .write_baseline
        .as_ref()
        .map(|p| (p.clone(), baseline_of(report)));
    let base_path = opts
        .baseline
        .clone()
        .or_else(|| prepared.config.baseline.clone());
    if let Some(path) = base_path {
        let text = match crate::files::read_text(
            &path,
            &crate::files::Confine::anywhere(),
            MAX_CI_FILE,
        ) {
            Ok(t) => Some(t),
            // a first run, before any baseline was written: every finding is new
            Err(crate::files::FileError::Missing) => {
                let name = path.display().to_string();
                let shown = escape::visible(&name);
                out.diagnostics.push(
                    Diagnostic::info(
                        "A0016",
                        format!("no baseline `{shown}` yet: every finding is new"),
                    )
                    .help(format!(
                        "write it with `--write-baseline {shown}` and commit it, to report only new findings from then on"
                    )),
                );
                None
            }
            Err(e) => {
                let d = e.diagnostic("baseline", &path.display().to_string());
                return Err(fail(out, vec![d], Sources::new()));
            }
        };
        if let Some(text) = text {
            let name = path.display().to_string();
            match read_baseline(&name, &text) {
                Ok(mut b) => {
                    // entries of rules that did not run (`--rule`) are neither new nor resolved
                    b.entries
                        .retain(|e| report.rules.iter().any(|r| r.id == e.rule));
                    // nor are those of findings a suppression hid: they still occur
                    if let Some((found, _)) = &out.suppressed {
                        let hidden: Vec<BaselineEntry> = found
                            .iter()
                            .map(|s| BaselineEntry::of(&s.finding))
                            .collect();
                        let keys: std::collections::HashSet<(&str, &[String])> = hidden
                            .iter()
                            .map(|e| (e.rule.as_str(), e.records.as_slice()))
                            .collect();
                        let ids: std::collections::HashSet<&str> =
                            found.iter().map(|s| s.finding.id.as_str()).collect();
                        b.entries.retain(|e| {
                            !ids.contains(e.id.as_str())
                                && !keys.contains(&(e.rule.as_str(), e.records.as_slice()))
                        });
                    }
                    let diff = apply_baseline(report, &b);
                    out.baseline_diff = Some(diff.render_text());
                }
                Err(d) => {
                    let mut sources = Sources::new();
                    sources.add(name.as_str().into(), text.as_str().into());
                    return Err(fail(out, vec![d], sources));
                }
            }
        }
    }
    if let Some((path, mut entries)) = to_write {
        // a run of some rules (`--rule`) keeps the entries of the others
        if opts.some_rules {
            match kept_entries(&path, report) {
                Ok(kept) => entries.extend(kept),
                Err(d) => return Err(fail(out, vec![*d], Sources::new())),
            }
        }
        let text = render_baseline(entries);
        if let Err(e) = crate::files::write(&path, text.as_bytes()) {
            let d = Diagnostic::error(
                "A0009",
                format!(
                    "cannot write `{}`",
                    escape::visible(&path.display().to_string())
                ),
            )
            .found(e.to_string());
            return Err(fail(out, vec![d], Sources::new()));
        }
    }
    Ok(out)
}

/// The entries of an existing baseline at `path` for rules this run did not run.
fn kept_entries(path: &Path, report: &Report) -> Result<Vec<BaselineEntry>, Box<Diagnostic>> {
    if crate::files::kind(path) == crate::files::Kind::Missing {
        return Ok(Vec::new());
    }
    let text = read("baseline", path)?;
    let b = read_baseline(&path.display().to_string(), &text).map_err(|d| {
        Box::new(d.help(
            "a run of some rules (--rule) keeps the other rules' entries of the baseline it replaces; this one cannot be read, so it is left as it is",
        ))
    })?;
    Ok(b.entries
        .into_iter()
        .filter(|e| !report.rules.iter().any(|r| r.id == e.rule))
        .collect())
}
