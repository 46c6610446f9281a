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

/// Rule files larger than this are refused (a rule suite is text people write).
pub const MAX_RULE_FILE: u64 = 16 * 1024 * 1024;

/// Parse the suite under `paths`, following includes (relative to the including file).
/// An include must stay inside the folder its suite was given as (a rules folder, or
/// the folder of a rules file), after symlinks are resolved.
pub fn load(paths: &[PathBuf]) -> LoadedRules {
    load_within(paths, None)
}

/// `load`, where includes may also reach anywhere under `project` (the folder of
/// `factlint.yaml`). Nothing outside is opened, and nothing of it is quoted.
pub fn load_within(paths: &[PathBuf], project: Option<&Path>) -> LoadedRules {
    let mut diags = Vec::new();
    let mut sources = Sources::new();
    let mut files = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let project = project.and_then(|p| std::fs::canonicalize(p).ok());
    let mut roots = roots_of(paths);
    roots.extend(project);
    let given = rule_files(paths).unwrap_or_else(|errors| {
        diags.extend(errors);
        Vec::new()
    });
    let mut queue: Vec<(PathBuf, Option<Span>)> = given.into_iter().map(|p| (p, None)).collect();
    queue.reverse();
    while let Some((path, from)) = queue.pop() {
        let name = display(&path);
        let at = |d: Diagnostic| match &from {
            Some(s) => d.at(s.clone(), "included here"),
            None => d,
        };
        let named = from.is_none() && paths.contains(&path);
        let key = match std::fs::canonicalize(&path) {
            Ok(k) => k,
            Err(e) => {
                diags.push(at(Diagnostic::error(
                    "A0003",
                    format!("cannot read rule file `{name}`"),
                )
                .found(e.to_string())));
                continue;
            }
        };
        if seen.contains(&key) {
            continue;
        }
        // a file that cannot be read is not marked seen: each include of it is an error
        let bytes = match read_checked(&path, named, &roots) {
            Ok(b) => b,
            Err(d) => {
                diags.push(at(*d));
                continue;
            }
        };
        seen.push(key);
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

/// The folders a suite given as `paths` may read from: each folder given, and the
/// folder of each file given, with symlinks resolved.
pub fn roots_of(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    for p in paths {
        let dir = if p.is_dir() {
            p.clone()
        } else {
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."))
        };
        if let Ok(c) = std::fs::canonicalize(&dir) {
            roots.push(c);
        }
    }
    roots
}

/// Read a rule file the safe way: unless it was `named` on the command line or in the
/// config, it must resolve (symlinks followed) inside one of `roots`; it must be a
/// regular file (a FIFO would block, a device never end) of at most `MAX_RULE_FILE`
/// bytes. Errors quote nothing of the file.
pub fn read_checked(
    path: &Path,
    named: bool,
    roots: &[PathBuf],
) -> Result<Vec<u8>, Box<Diagnostic>> {
    let name = display(path);
    let key = std::fs::canonicalize(path).map_err(|e| {
        Box::new(
            Diagnostic::error("A0003", format!("cannot read rule file `{name}`"))
                .found(e.to_string()),
        )
    })?;
    if !named && !roots.iter().any(|r| key.starts_with(r)) {
        // nothing of the file is read, so nothing of it can reach a log
        return Err(Box::new(
            Diagnostic::error("F0003", format!("`{name}` is outside the project"))
                .expected("an include inside the rules folder or the folder of factlint.yaml")
                .found(format!("a path that resolves outside them (`{name}`)"))
                .help(
                    "copy the file into the project, or name it on the command line with --rules",
                ),
        ));
    }
    match std::fs::metadata(&key) {
        Ok(m) if !m.is_file() => {
            return Err(Box::new(
                Diagnostic::error("F0004", format!("`{name}` is not a regular file"))
                    .expected("a rule file")
                    .found(kind_of(&m).to_string()),
            ))
        }
        Ok(m) if m.len() > MAX_RULE_FILE => {
            return Err(Box::new(
                Diagnostic::error("F0005", format!("rule file `{name}` is too large"))
                    .expected(format!("at most {} MB", MAX_RULE_FILE / (1024 * 1024)))
                    .found(format!("{} bytes", m.len())),
            ))
        }
        _ => {}
    }
    read_bounded(&key, MAX_RULE_FILE).map_err(|e| {
        Box::new(
            Diagnostic::error("A0003", format!("cannot read rule file `{name}`"))
                .found(e.to_string()),
        )
    })
}

/// What a path is, for people, when it is not a regular file.
fn kind_of(m: &std::fs::Metadata) -> &'static str {
    let t = m.file_type();
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO), which could block the run forever";
        } else if t.is_char_device() || t.is_block_device() {
            return "a device";
        } else if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Read at most `limit` bytes (a file that grows past its size while read is cut,
/// and then refused by the caller's parse, not read forever).
fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "larger than {} MB",
            limit / (1024 * 1024)
        )));
    }
    Ok(out)
}

/// A file or folder that cannot be read.
pub fn read_error(name: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error("F0001", format!("cannot read `{name}`: {e}"))
}
