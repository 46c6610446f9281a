//! Reading a rule suite from files and folders: every `*.rules` file (folders walked
//! in sorted order), includes followed once each, all parse errors together.

use crate::diag::{Diagnostic, Sources, Span};
use crate::syntax::ast;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A parsed suite: its files in load order, their text, and every diagnostic.
pub struct LoadedRules {
    pub files: Vec<ast::File>,
    pub sources: Sources,
    pub diags: Vec<Diagnostic>,
}

/// The rule files named by `paths`: files as given, folders searched (recursively,
/// skipping hidden folders) for `*.rules`, each folder's files sorted.
pub fn rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
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

fn display(p: &Path) -> Arc<str> {
    let s = p.display().to_string();
    s.strip_prefix("./").unwrap_or(&s).into()
}

/// Parse the suite under `paths`, following includes (relative to the including file).
pub fn load(paths: &[PathBuf]) -> LoadedRules {
    let mut diags = Vec::new();
    let mut sources = Sources::new();
    let mut files = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let given = rule_files(paths).unwrap_or_else(|errors| {
        diags.extend(errors);
        Vec::new()
    });
    let mut queue: Vec<(PathBuf, Option<Span>)> = given.into_iter().map(|p| (p, None)).collect();
    queue.reverse();
    while let Some((path, from)) = queue.pop() {
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let name = display(&path);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                let mut d = Diagnostic::error("A0003", format!("cannot read rule file `{name}`"))
                    .found(e.to_string());
                if let Some(s) = from {
                    d = d.at(s, "included here");
                }
                diags.push(d);
                continue;
            }
        };
        let (file, mut ds) = crate::syntax::parse_bytes(name.clone(), &bytes);
        sources.add(name.clone(), String::from_utf8_lossy(&bytes).into());
        diags.append(&mut ds);
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut includes = Vec::new();
        for item in &file.items {
            if let ast::Item::Include(inc) = item {
                includes.push((dir.join(&inc.path), Some(inc.span.clone())));
            }
        }
        files.push(file);
        // includes are read right after the including file, in order
        for inc in includes.into_iter().rev() {
            queue.push(inc);
        }
    }
    LoadedRules {
        files,
        sources,
        diags,
    }
}

/// A file or folder that cannot be read.
pub fn read_error(name: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error("F0001", format!("cannot read `{name}`: {e}"))
}
