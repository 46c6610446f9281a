//! The CI side of a run: suppressions (reviewed exceptions that expire) and baselines
//! (only new findings, and the resolved ones), applied to a report.

use super::{Failure, Prepared};
use crate::diag::{Diagnostic, Sources};
use crate::eval::Report;
use crate::report::baseline::{apply_baseline, read_baseline, write_baseline};
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
    if let Some(path) = &opts.write_baseline {
        if let Err(e) = crate::files::write(path, write_baseline(report).as_bytes()) {
            let d = Diagnostic::error("A0009", format!("cannot write `{}`", path.display()))
                .found(e.to_string());
            return Err(fail(out, vec![d], Sources::new()));
        }
    }
    let base_path = opts
        .baseline
        .clone()
        .or_else(|| prepared.config.baseline.clone());
    if let Some(path) = base_path {
        // writing and reading the same baseline in one run compares it with itself
        if opts.write_baseline.as_ref() != Some(&path) {
            let text = match read("baseline", &path) {
                Ok(t) => t,
                Err(d) => return Err(fail(out, vec![*d], Sources::new())),
            };
            let name = path.display().to_string();
            match read_baseline(&name, &text) {
                Ok(mut b) => {
                    // entries of rules that did not run (`--rule`) are neither new nor resolved
                    b.entries
                        .retain(|e| report.rules.iter().any(|r| r.id == e.rule));
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
    Ok(out)
}
