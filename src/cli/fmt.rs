//! `factlint fmt [--check] PATHS...`: rewrite rule files in the canonical layout, or with
//! `--check` list the files that would change (exit 1). Parse errors exit 2.

use super::GlobalArgs;
use crate::diag::{Diagnostic, Sources};
use crate::project::{self, rules};
use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct FmtArgs {
    /// Do not write; list the files whose layout would change and exit 1 if any.
    #[arg(long)]
    pub check: bool,
    /// Do not write; print a unified diff of what would change, and exit 1 if anything
    /// would.
    #[arg(long, conflicts_with = "check")]
    pub diff: bool,
    /// Rule files, or folders searched for `*.rules` files (default: `rules:` in
    /// factlint.yaml, else `rules`).
    pub paths: Vec<PathBuf>,
}

pub fn run(global: &GlobalArgs, args: FmtArgs) -> i32 {
    let mut sources = Sources::new();
    let project = match super::open(
        global,
        project::Options {
            rules: args.paths,
            ..project::Options::default()
        },
    ) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let given = project.rule_paths();
    let roots = project.confine(&given);
    let files = match rules::rule_files(&given, Some(&roots)) {
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
        let bytes = match rules::read_checked(&path, given.contains(&path), &roots) {
            Ok(b) => b,
            Err(d) => {
                diags.push(*d);
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
        if args.diff {
            // the file's text as it is, and as fmt would write it
            let old = String::from_utf8_lossy(&bytes);
            let shown = crate::diag::escape::visible(&name);
            let diff = similar::TextDiff::from_lines(old.as_ref(), formatted.as_str())
                .unified_diff()
                .context_radius(3)
                .header(&shown, &format!("{shown} (factlint fmt)"))
                .to_string();
            // each line as a quoted source line: nothing hidden, no workflow command
            let lines: Vec<_> = diff
                .split('\n')
                .map(crate::diag::escape::quoted_line)
                .collect();
            super::out(&lines.join("\n"));
            changed.push(name);
        } else if args.check {
            changed.push(name);
        } else if let Err(e) = crate::files::write(&path, formatted.as_bytes()) {
            diags.push(
                Diagnostic::error("F0002", format!("cannot write `{name}`: {e}"))
                    .help("check the file's permissions"),
            );
        }
    }
    if args.check {
        for name in &changed {
            super::out(&format!("{}\n", crate::diag::escape::visible(name)));
        }
    }
    if !diags.is_empty() {
        super::emit_diagnostics(global, &diags, &sources);
        return 2;
    }
    i32::from(!changed.is_empty())
}
