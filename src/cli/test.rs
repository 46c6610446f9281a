//! `factlint test`: run the rules' own tests (folders with a small dataset and
//! `expect.yaml`) and report each, the rules' coverage, and the counts. Exit 1 when a
//! test fails, 2 when one could not run.

use super::{emit_diagnostics, emit_failure, GlobalArgs};
use crate::project::{self, fixtures};
use clap::Args;
use std::path::PathBuf;

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

pub fn run(global: &GlobalArgs, args: TestArgs) -> i32 {
    let project = match super::open(
        global,
        project::Options {
            config: args.config.clone(),
            rules: args.rules.clone(),
            tests: args.paths.clone(),
            ..project::Options::default()
        },
    ) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let results = match fixtures::run(&project) {
        Ok(r) => r,
        Err(f) => return emit_failure(global, &f),
    };
    for o in &results.outcomes {
        for f in o.failure.iter().chain(&o.data_errors) {
            emit_diagnostics(global, &f.diagnostics, &f.sources);
        }
    }
    super::out(&results.render_text());
    // a test that could not run (its expectations or data unreadable or malformed,
    // its rules not checking) is a run that could not be done, not a failed test
    if results.outcomes.iter().any(|o| o.failure.is_some()) {
        return 2;
    }
    if results.failed() > 0 {
        return 1;
    }
    let pct = results.coverage();
    if pct + 1e-9 < args.min_coverage {
        eprintln!(
            "error: rule coverage {pct:.0}% is below --min-coverage {}%",
            args.min_coverage
        );
        return 1;
    }
    0
}
