//! `factlint validate`: load a dataset, check it against its schema, and report every
//! problem with file:line:column, then a summary line. Exit 2 on any error.

use super::GlobalArgs;
use crate::data::{self, LoadOptions};
use crate::diag::{diagnostic, Diagnostic, Level};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Files or folders (default: `data:` in factlint.yaml, else the current folder).
    pub paths: Vec<PathBuf>,
    /// The schema file (default: schema.yaml at the root of the dataset folder, else
    /// the schema is inferred from the data).
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// Refuse data files larger than this many megabytes.
    #[arg(long, value_name = "MB", default_value_t = 512)]
    pub max_file_size: u64,
    /// Read GDELT and ICEWS tables as the event model's actors, statements, actions
    /// and sources.
    #[arg(long)]
    pub import: bool,
}

/// The paths to load when none are given: `data:` in factlint.yaml, else the
/// current folder.
pub fn default_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if !paths.is_empty() {
        return paths;
    }
    match super::config::load(None) {
        Ok(cfg) if !cfg.data.is_empty() => cfg.data,
        _ => vec![PathBuf::from(".")],
    }
}

pub fn options(schema: Option<PathBuf>, max_file_size_mb: u64) -> LoadOptions {
    LoadOptions {
        schema,
        max_file_size: max_file_size_mb.saturating_mul(1024 * 1024),
        ..LoadOptions::default()
    }
}

pub fn run(global: &GlobalArgs, args: ValidateArgs) -> i32 {
    let paths = default_paths(args.paths);
    let mut opts = options(args.schema, args.max_file_size);
    opts.import = args.import;
    let (diags, sources, summary) = validate_report(&paths, &opts);
    super::emit_diagnostics(global, &diags, &sources);
    eprintln!("{summary}");
    if diags.iter().any(Diagnostic::is_error) {
        2
    } else {
        0
    }
}

/// Load and validate: every diagnostic, sorted; the sources to quote; the summary.
pub fn validate_report(
    paths: &[PathBuf],
    opts: &LoadOptions,
) -> (Vec<Diagnostic>, crate::diag::Sources, String) {
    let loaded = data::load_detailed(paths, opts);
    let mut diags = loaded.diagnostics;
    diags.extend(data::validate(&loaded.dataset));
    diagnostic::sort(&mut diags);
    let summary = summary_line(
        &diags,
        loaded.files.len(),
        data::record_count(&loaded.dataset),
    );
    (diags, loaded.dataset.sources, summary)
}

/// `2 errors, 1 warning in 7 files, 54 records`.
pub fn summary_line(diags: &[Diagnostic], files: usize, records: usize) -> String {
    let errors = diags.iter().filter(|d| d.level == Level::Error).count();
    let warnings = diags.iter().filter(|d| d.level == Level::Warning).count();
    let n = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    let head = match (errors, warnings) {
        (0, 0) => "no problems".to_string(),
        (e, 0) => n(e, "error", "errors"),
        (0, w) => n(w, "warning", "warnings"),
        (e, w) => format!(
            "{}, {}",
            n(e, "error", "errors"),
            n(w, "warning", "warnings")
        ),
    };
    format!(
        "{head} in {}, {}",
        n(files, "file", "files"),
        n(records, "record", "records")
    )
}
