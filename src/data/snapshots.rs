//! Text files that records name (fields of type `file`, such as a statement's
//! `snapshot`), read by the loader so that rules can read them (`text()`) without
//! doing I/O. Each is read through `files::read`, bounded like every data file, and
//! confined to the dataset folder the record was found in; what cannot be read is a
//! located `D0026` on the field, and the field's text is then unknown.

use super::codes;
use super::dataset::Dataset;
use super::schema::FieldType;
use super::value::Value;
use crate::diag::escape::visible;
use crate::diag::Diagnostic;
use crate::files::{self, Confine, FileError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A data file: its name as messages show it, and its path.
pub struct Known<'a> {
    pub name: &'a str,
    pub path: &'a Path,
}

/// Read every file that a `file` field of `ds` names into `ds.texts`, keyed by the
/// path as written. The path is relative to the dataset folder of the record's data
/// file: of `roots` (each path given, and its folder), the folder given, or the folder
/// of the file given; and it must resolve inside that folder.
pub fn read_all(
    ds: &mut Dataset,
    known: &[Known],
    roots: &[(PathBuf, PathBuf)],
    limit: u64,
) -> Vec<Diagnostic> {
    let by_name: BTreeMap<&str, &Path> = known.iter().map(|k| (k.name, k.path)).collect();
    let mut diags = Vec::new();
    let mut texts: BTreeMap<Arc<str>, Arc<str>> = BTreeMap::new();
    let mut failed: BTreeMap<Arc<str>, ()> = BTreeMap::new();
    for (cname, def) in &ds.schema.collections {
        let fields: Vec<&str> = def
            .fields
            .values()
            .filter(|f| f.ty == FieldType::File)
            .map(|f| f.name.as_str())
            .collect();
        if fields.is_empty() {
            continue;
        }
        let Some(coll) = ds.collections.get(cname) else {
            continue;
        };
        for r in &coll.records {
            for field in &fields {
                let Some(Value::Str(written)) = r.get(field) else {
                    continue;
                };
                if texts.contains_key(written) || failed.contains_key(written) {
                    continue;
                }
                let span = r.span_of(field);
                let data_file = by_name.get(&*span.file).copied();
                let root = data_file.and_then(|p| {
                    (roots.iter().find(|(given, _)| p.starts_with(given))).map(|(_, folder)| folder)
                });
                let fail = |why: String, found: String| {
                    Diagnostic::error(
                        codes::UNREADABLE_SNAPSHOT,
                        format!(
                            "`{field}` of `{cname}` record `{}` names `{}`, which cannot be read: {why}",
                            visible(&r.id),
                            visible(written)
                        ),
                    )
                    .at(span.clone(), "this file")
                    .expected("the path of a UTF-8 text file inside the dataset folder, relative to it")
                    .found(found)
                };
                let Some(root) = root else {
                    diags.push(
                        fail(
                            "the record has no dataset folder".into(),
                            "a record read from standard input".into(),
                        )
                        .help("load the data from a folder or a file, so the path has a folder to start from"),
                    );
                    failed.insert(written.clone(), ());
                    continue;
                };
                let path = root.join(&**written);
                let confine = Confine::within([root.as_path()]);
                let text = files::read(&path, &confine, limit).and_then(|bytes| {
                    String::from_utf8(bytes).map_err(|_| {
                        FileError::Io(std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            "it is not UTF-8",
                        ))
                    })
                });
                match text {
                    Ok(t) => {
                        let t = t.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(t);
                        texts.insert(written.clone(), t.into());
                    }
                    Err(e) => {
                        let (why, found, help) = match e {
                            FileError::Missing => (
                                "it does not exist".to_string(),
                                "no such file".to_string(),
                                "check the path: it is relative to the dataset folder",
                            ),
                            FileError::Outside => (
                                "it is outside the dataset folder".into(),
                                "a path that resolves outside it (symlinks followed)".into(),
                                "copy the snapshot into the dataset folder",
                            ),
                            FileError::TooLarge { size, limit } => (
                                "it is too large".into(),
                                format!("{size} bytes, more than {limit}"),
                                "keep only the archived text, or raise --max-file-size",
                            ),
                            FileError::NotRegular(k) => (
                                "it is not a regular file".into(),
                                k.describe().into(),
                                "a snapshot is a text file",
                            ),
                            FileError::Loop => (
                                "it is reached through a loop of symlinks".into(),
                                "a symlink loop".into(),
                                "remove the symlink",
                            ),
                            FileError::NotUtf8Name => (
                                "its name is not UTF-8".into(),
                                "a name that is not UTF-8".into(),
                                "rename the file",
                            ),
                            FileError::Io(e) => (
                                "it could not be read".into(),
                                e.to_string(),
                                "a snapshot is a UTF-8 text file",
                            ),
                        };
                        diags.push(fail(why, found).help(help));
                        failed.insert(written.clone(), ());
                    }
                }
            }
        }
    }
    ds.texts = texts;
    diags
}
