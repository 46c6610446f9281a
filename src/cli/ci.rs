//! The CI side of `check`: suppressions (reviewed exceptions that expire) and
//! baselines (only new findings, and the resolved ones), applied to a report.

use super::check::{CheckArgs, Loaded};
use super::{emit_diagnostics, GlobalArgs};
use crate::diag::{Diagnostic, Sources};
use crate::eval::Report;
use crate::report::baseline::{apply_baseline, read_baseline, write_baseline};
use crate::report::suppress::{
    apply_suppressions, load_suppressions, SuppressedFinding, Suppression,
};
use std::path::Path;

fn read(global: &GlobalArgs, what: &str, path: &Path) -> Result<String, i32> {
    std::fs::read_to_string(path).map_err(|e| {
        emit_diagnostics(
            global,
            &[
                Diagnostic::error("A0014", format!("cannot read {what} `{}`", path.display()))
                    .found(e.to_string()),
            ],
            &Sources::new(),
        );
        2
    })
}

/// The findings suppressions took out of a run, and the entries, for SARIF.
pub type Suppressed = (Vec<SuppressedFinding>, Vec<Suppression>);

/// Apply suppressions, then the baseline; write a baseline when asked. Diagnostics
/// go to stderr; `Err` holds the exit code when the run cannot go on.
pub fn apply(
    global: &GlobalArgs,
    args: &CheckArgs,
    loaded: &Loaded,
    report: &mut Report,
) -> Result<Option<Suppressed>, i32> {
    let mut suppressed = None;
    let supp_path = args
        .suppressions
        .clone()
        .or_else(|| loaded.cfg.suppressions.clone());
    if let Some(path) = supp_path {
        let text = read(global, "suppressions", &path)?;
        let name = path.display().to_string();
        let (entries, diags) = load_suppressions(&name, &text);
        let mut sources = Sources::new();
        sources.add(name.as_str().into(), text.as_str().into());
        if diags.iter().any(|d| d.is_error()) {
            emit_diagnostics(global, &diags, &sources);
            return Err(2);
        }
        let today = loaded
            .as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let outcome = apply_suppressions(report, &entries, today);
        let mut all = diags;
        all.extend(outcome.diagnostics);
        if !all.is_empty() {
            emit_diagnostics(global, &all, &sources);
        }
        suppressed = Some((outcome.suppressed, entries));
    }
    if let Some(path) = &args.write_baseline {
        if let Err(e) = crate::report::output::write_atomic(path, write_baseline(report).as_bytes())
        {
            emit_diagnostics(
                global,
                &[
                    Diagnostic::error("A0009", format!("cannot write `{}`", path.display()))
                        .found(e.to_string()),
                ],
                &Sources::new(),
            );
            return Err(2);
        }
    }
    let base_path = args
        .baseline
        .clone()
        .or_else(|| loaded.cfg.baseline.clone());
    if let Some(path) = base_path {
        // writing and reading the same baseline in one run compares it with itself
        if args.write_baseline.as_ref() != Some(&path) {
            let text = read(global, "baseline", &path)?;
            let name = path.display().to_string();
            match read_baseline(&name, &text) {
                Ok(mut b) => {
                    // entries of rules that did not run (`--rule`) are neither new nor resolved
                    b.entries
                        .retain(|e| report.rules.iter().any(|r| r.id == e.rule));
                    let diff = apply_baseline(report, &b);
                    eprint!("{}", diff.render_text());
                }
                Err(d) => {
                    let mut sources = Sources::new();
                    sources.add(name.as_str().into(), text.as_str().into());
                    emit_diagnostics(global, &[d], &sources);
                    return Err(2);
                }
            }
        }
    }
    Ok(suppressed)
}
