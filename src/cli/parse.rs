//! `factlint parse FILE...`: the syntax tree of rule files, for debugging rules and the
//! parser. Prints the tree (spans as file:line:col) or the parse errors (exit 2).

use super::GlobalArgs;
use crate::diag::{Diagnostic, Sources};
use crate::project::rules;
use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct ParseArgs {
    /// Rule files, or folders whose `*.rules` files are shown (sorted).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Print Rust's debug view of the tree (every node with its span) instead of the
    /// compact S-expression view.
    #[arg(long)]
    pub debug: bool,
}

pub fn run(global: &GlobalArgs, args: ParseArgs) -> i32 {
    let mut sources = Sources::new();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let roots = rules::roots_of(&args.paths);
    let files = match rules::rule_files(&args.paths, Some(&roots)) {
        Ok(f) => f,
        Err(d) => {
            super::emit_diagnostics(global, &d, &sources);
            return 2;
        }
    };
    let many = files.len() > 1;
    for path in files {
        let name: Arc<str> = path.display().to_string().into();
        let bytes = match rules::read_checked(&path, args.paths.contains(&path), &roots) {
            Ok(b) => b,
            Err(d) => {
                diags.push(*d);
                continue;
            }
        };
        let (ast, errors) = crate::syntax::parse_bytes(name.clone(), &bytes);
        if errors.is_empty() {
            let mut text = String::new();
            if many {
                text.push_str(&format!("# {}\n", crate::diag::escape::visible(&name)));
            }
            if args.debug {
                // strings there are Rust-quoted; each line shown as text shows data
                for line in format!("{ast:#?}").lines() {
                    text.push_str(&crate::diag::escape::visible(line));
                    text.push('\n');
                }
            } else {
                text.push_str(&crate::syntax::tree_view(&ast, 100));
            }
            super::out(&text);
        } else {
            sources.add(name, String::from_utf8_lossy(&bytes).into());
            diags.extend(errors);
        }
    }
    if diags.is_empty() {
        0
    } else {
        super::emit_diagnostics(global, &diags, &sources);
        2
    }
}
