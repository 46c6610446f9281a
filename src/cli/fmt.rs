//! `factlint fmt [--check] PATHS...`: rewrite rule files in the canonical layout, or with
//! `--check` list the files that would change (exit 1). Parse errors exit 2.

use super::GlobalArgs;
use crate::report::{Diagnostic, Sources};
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct FmtArgs {
    /// Do not write; list the files whose layout would change and exit 1 if any.
    #[arg(long)]
    pub check: bool,
    /// Rule files, or folders searched for `*.rules` files (default: `rules`).
    pub paths: Vec<PathBuf>,
}

pub fn run(global: &GlobalArgs, args: FmtArgs) -> i32 {
    let mut sources = Sources::new();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("rules")]
    } else {
        args.paths
    };
    let files = match rule_files(&paths) {
        Ok(f) => f,
        Err(d) => {
            super::emit_diagnostics(global, &d, &sources);
            return 2;
        }
    };
    let mut diags = Vec::new();
    let mut changed = Vec::new();
    for path in files {
        let name: Arc<str> = path.display().to_string().into();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                diags.push(read_error(&name, &e));
                continue;
            }
        };
        let (ast, errors) = crate::syntax::parse_bytes(name.clone(), &bytes);
        if !errors.is_empty() {
            sources.add(name, String::from_utf8_lossy(&bytes).into());
            diags.extend(errors);
            continue;
        }
        let formatted = crate::syntax::format(&ast);
        if formatted.as_bytes() == bytes.as_slice() {
            continue;
        }
        if args.check {
            changed.push(name);
        } else if let Err(e) = std::fs::write(&path, formatted) {
            diags.push(
                Diagnostic::error("F0002", format!("cannot write `{name}`: {e}"))
                    .help("check the file's permissions"),
            );
        }
    }
    for name in &changed {
        println!("{name}");
    }
    if !diags.is_empty() {
        super::emit_diagnostics(global, &diags, &sources);
        return 2;
    }
    i32::from(!changed.is_empty())
}

/// The rule files named by `paths`: files as given, folders searched (recursively,
/// skipping hidden folders) for `*.rules`, each folder's files sorted.
pub(crate) fn rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.is_dir() {
            collect(p, &mut out, &mut errors);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            errors.push(
                Diagnostic::error("F0001", format!("`{}` does not exist", p.display()))
                    .help("give rule files or folders holding `*.rules` files"),
            );
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(read_error(&dir.display().to_string(), &e));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if p.is_dir() {
            if !hidden {
                collect(&p, out, errors);
            }
        } else if p.extension().is_some_and(|e| e == "rules") {
            out.push(p);
        }
    }
}

pub(crate) fn read_error(name: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error("F0001", format!("cannot read `{name}`: {e}"))
}
