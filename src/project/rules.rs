//! Reading a rule suite from files and folders: every `*.rules` file (folders walked
//! in sorted order), includes followed once each, all parse errors together.

use crate::diag::{escape, Diagnostic, Sources, Span};
use crate::files::{self, Confine, FileError, Kind};
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
/// skipping hidden entries) for `*.rules`, each folder's files sorted. A folder with
/// no rule files is an error: a suite that runs nothing must not pass. A walked
/// symlink that leads outside `confine` (or, with `None`, outside the folder given) or
/// back up the tree is an error and is not followed.
pub fn rule_files(
    paths: &[PathBuf],
    confine: Option<&Confine>,
) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let name = display(p);
        match files::kind(p) {
            Kind::Dir => {
                let mut c = confine.cloned().unwrap_or_else(|| Confine::within([]));
                c.add(p);
                let walked = files::walk(p, &c, &|q, is_dir| {
                    is_dir || q.extension().is_some_and(|e| e == "rules")
                });
                for (q, e) in &walked.errors {
                    errors.push(e.diagnostic("rule file", &display(q)));
                }
                if walked.files.is_empty() && walked.errors.is_empty() {
                    errors.push(
                        Diagnostic::error("F0008", format!("no rule files in `{}`", escape::visible(&name)))
                            .at(files::file_span(&name), "this folder")
                            .expected("files ending in `.rules` (in this folder or below it)")
                            .found("none")
                            .help("give the folder that holds the suite's `*.rules` files, or the files themselves"),
                    );
                }
                out.extend(walked.files);
            }
            Kind::File => out.push(p.clone()),
            Kind::Missing => errors.push(
                FileError::Missing
                    .diagnostic("rule file", &name)
                    .help("give rule files or folders holding `*.rules` files"),
            ),
            Kind::Loop => errors.push(FileError::Loop.diagnostic("rule file", &name)),
            k => errors.push(FileError::NotRegular(k).diagnostic("rule file", &name)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
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
    let mut confine = roots_of(paths);
    if let Some(p) = project {
        confine.add(p);
    }
    let given = rule_files(paths, Some(&confine)).unwrap_or_else(|errors| {
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
        // `-` is standard input only when the command line says so, never through an
        // include (`include "-"` in a file at the top of the folder would name it)
        if !named && files::is_stdin(&path) {
            diags.push(at(Diagnostic::error(
                "F0001",
                "an include cannot read standard input (`-`)",
            )
            .help("include a rule file by its path")));
            continue;
        }
        // a file read once is not read again; one that cannot be read is not marked
        // seen, so each include of it is an error
        let key = files::resolve(&path);
        if key.as_ref().is_some_and(|k| seen.contains(k)) {
            continue;
        }
        let bytes = match read_checked(&path, named, &confine) {
            Ok(b) => b,
            Err(d) => {
                diags.push(at(*d));
                continue;
            }
        };
        seen.extend(key);
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
pub fn roots_of(paths: &[PathBuf]) -> Confine {
    let mut roots = Vec::new();
    for p in paths {
        let dir = if files::kind(p) == Kind::Dir {
            p.clone()
        } else {
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."))
        };
        roots.push(dir);
    }
    Confine::within(roots.iter().map(PathBuf::as_path))
}

/// Read a rule file through [`files::read`]: unless it was `named` on the command line
/// or in the config, it must resolve (symlinks followed) inside `confine`; it must be
/// a regular file (a FIFO would block, a device never end) of at most
/// `MAX_RULE_FILE` bytes. Errors quote nothing of the file.
pub fn read_checked(
    path: &Path,
    named: bool,
    confine: &Confine,
) -> Result<Vec<u8>, Box<Diagnostic>> {
    let anywhere = Confine::anywhere();
    let c = if named { &anywhere } else { confine };
    files::read(path, c, MAX_RULE_FILE)
        .map_err(|e| Box::new(e.diagnostic("rule file", &display(path))))
}
