//! The layers of `src/` and the one direction imports may take between them, as
//! `ARCHITECTURE.md` names them. This test reads every `crate::` path in `src/` and
//! fails on an import against the direction, or on a folder it does not know.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Bottom to top. A module may use modules of lower layers only; modules of the same
/// layer are independent of each other.
const LAYERS: &[&[&str]] = &[
    &["diag"],
    &["files"],
    &["syntax", "data"],
    &["check"],
    &["plan", "sql"],
    &["eval"],
    &["report"],
    &["project"],
    &["lsp"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Every `crate::<module>` named in a file, with its line, outside comments.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let code = match code.find("//") {
            Some(i) if !code[..i].contains('"') => &code[..i],
            _ => code,
        };
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `factlint::crate::` cannot occur; `$crate::` in macros is skipped.
            let before = &rest[..i];
            if !before.ends_with('$') && !name.is_empty() {
                out.push((n + 1, name));
            }
            rest = after;
        }
    }
    out
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, files);
        } else if p.extension().is_some_and(|e| e == "rs") {
            files.push(p);
        }
    }
}

#[test]
fn imports_follow_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut wrong = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let mut comps = rel.components();
        let first = comps
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .to_string();
        // lib.rs and main.rs sit above every layer.
        if comps.next().is_none() && (first == "lib.rs" || first == "main.rs") {
            continue;
        }
        let module = first.trim_end_matches(".rs").to_string();
        let Some(from) = layer_of(&module) else {
            wrong.push(format!(
                "src/{}: the folder `{module}` is in no layer: add it to LAYERS and ARCHITECTURE.md",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (line, target) in crate_paths(&text) {
            if target == module {
                continue;
            }
            edges
                .entry(module.clone())
                .or_default()
                .insert(target.clone());
            match layer_of(&target) {
                Some(to) if to < from => {}
                Some(to) => wrong.push(format!(
                    "src/{}:{line}: `{module}` (layer {from}) uses `crate::{target}` (layer {to}); \
                     imports go only to lower layers",
                    rel.display()
                )),
                None => wrong.push(format!(
                    "src/{}:{line}: `crate::{target}` is in no layer",
                    rel.display()
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}\nedges: {edges:#?}",
        wrong.join("\n")
    );
}

#[test]
fn the_layer_checker_sees_imports() {
    let text = "use crate::eval::Report;\n// crate::cli in a comment\nlet x = crate::diag::Span::default(); // crate::report\n";
    let found: Vec<String> = crate_paths(text).into_iter().map(|(_, m)| m).collect();
    assert_eq!(found, ["eval", "diag"]);
}

#[test]

fn cli_files_import_nothing_from_each_other_but_shared_arguments() {
    // `cli/mod.rs` holds the shared argument types (GlobalArgs) and the dispatcher; the
    // files of subcommands may use it, but not each other.
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli");
    let mut files = Vec::new();
    walk(&cli, &mut files);
    let names: BTreeSet<String> = files
        .iter()
        .map(|f| f.file_stem().unwrap().to_string_lossy().to_string())
        .filter(|n| n != "mod")
        .collect();
    let mut wrong = Vec::new();
    for file in &files {
        let me = file.file_stem().unwrap().to_string_lossy().to_string();
        if me == "mod" {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for other in &names {
                if other == &me {
                    continue;
                }
                for pat in [
                    format!("crate::cli::{other}::"),
                    format!("super::{other}::"),
                    format!("crate::cli::{other};"),
                    format!("super::{other};"),
                ] {
                    if line.contains(&pat) {
                        wrong.push(format!("src/cli/{me}.rs:{}: uses cli::{other}", n + 1));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every file is read and written through `src/files/` (confined, kind-checked,
/// bounded, atomic): no other module touches the file system itself.
#[test]
fn only_files_touches_the_file_system() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    assert!(files.len() > 50, "the walk sees src/");
    let mut bad = Vec::new();
    for f in files {
        if f.strip_prefix(&src).unwrap().starts_with("files") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for needle in [
                "std::fs",
                "fs::",
                "File::",
                "OpenOptions",
                "read_dir",
                ".is_dir()",
                ".is_file()",
                ".exists()",
                "canonicalize",
            ] {
                if code.contains(needle) {
                    bad.push(format!("{}:{}: `{needle}`: {}", f.display(), n + 1, code));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "file system access outside src/files/ (use crate::files):\n{}",
        bad.join("\n")
    );
}
