//! Loading a dataset: find the files, read each by its format into nodes, settle the
//! schema (declared or inferred), and turn nodes into records of typed values.

use super::codes;
use super::convert::{text_value, to_value, Strings};
use super::dataset::{Collection, Dataset, Pos, Record};
use super::fields::{FieldMap, Fields};
use super::node::{apply_merges, Locator, Node, NodeKind};
use super::schema::{CollectionDef, FieldType};
use super::value::{fmt_number, Value};
use super::{infer, json, schema_file, table, yaml, LoadOptions};
use crate::diag::escape::visible;
use crate::diag::{Diagnostic, Sources, Span};
use crate::files::{self, FileError, Kind};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The formats factlint reads, by file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
    JsonLines,
    Csv,
    Tsv,
}

impl Format {
    pub fn of(path: &Path) -> Option<Format> {
        // standard input holds YAML, which JSON is too: a map of collections
        if files::is_stdin(path) {
            return Some(Format::Yaml);
        }
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "yaml" | "yml" => Format::Yaml,
            "json" | "jsonld" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            "csv" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            _ => return None,
        })
    }
}

/// A data file to load.
#[derive(Clone, Debug)]
pub struct DataFile {
    pub path: PathBuf,
    /// The path as messages show it.
    pub name: Arc<str>,
    pub format: Format,
}

/// What loading found, besides the dataset.
pub struct Loaded {
    pub dataset: Dataset,
    pub diagnostics: Vec<Diagnostic>,
    /// The data files read, in load order.
    pub files: Vec<Arc<str>>,
    /// The schema file used, if one was declared.
    pub schema_file: Option<PathBuf>,
}

/// Files never loaded as data inside a dataset folder.
const SKIPPED_NAMES: &[&str] = &["readme.md", "factlint.yaml", "factlint.yml"];
const SCHEMA_NAMES: &[&str] = &["schema.yaml", "schema.yml"];

/// Find the data files under `paths` and the schema file that applies. Folders are
/// walked through [`files::walk`]: symlinks that lead outside the folder (and
/// `opts.confine`) or back up the tree, and names that are not UTF-8, are errors.
pub fn discover(
    paths: &[PathBuf],
    opts: &LoadOptions,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<DataFile>, Option<PathBuf>) {
    let mut files = Vec::new();
    let mut schema = opts.schema.clone();
    for root in paths {
        let name = display(root);
        match files::kind(root) {
            Kind::Dir => {
                // what a walk of this folder may reach: the folder and the project
                let mut confine = opts.confine.clone();
                confine.add(root);
                if schema.is_none() {
                    schema = SCHEMA_NAMES
                        .iter()
                        .map(|n| root.join(n))
                        .find(|p| files::kind(p) != Kind::Missing);
                    // found, not named: it must stay inside like any walked file
                    if let Some(p) = schema
                        .as_ref()
                        .filter(|p| !files::resolves_inside(p, &confine))
                    {
                        diags.push(FileError::Outside.diagnostic("schema", &display(p)));
                        schema = None;
                    }
                }
                let before = files.len();
                let ignore = Ignore::new(root, opts, &confine, diags);
                walk(root, &confine, &ignore, &mut files, diags);
                if files.len() == before {
                    diags.push(
                        Diagnostic::warning(
                            codes::NO_DATA,
                            format!("no data files in `{}`", visible(&name)),
                        )
                        .at(files::file_span(&name), "this folder")
                        .help("data files end in .yaml, .yml, .json, .jsonl, .csv, .tsv or .tab"),
                    );
                }
            }
            Kind::File => match Format::of(root) {
                Some(format) => files.push(DataFile {
                    path: root.clone(),
                    name,
                    format,
                }),
                None => diags.push(
                    Diagnostic::warning(
                        codes::NO_DATA,
                        format!("`{}` is not a data file; skipped", visible(&name)),
                    )
                    .at(files::file_span(&name), "this file")
                    .help("data files end in .yaml, .yml, .json, .jsonl, .csv, .tsv or .tab"),
                ),
            },
            Kind::Missing => diags.push(
                FileError::Missing
                    .diagnostic("data", &name)
                    .help("give a data file or a folder of data files"),
            ),
            Kind::Loop => diags.push(FileError::Loop.diagnostic("data", &name)),
            k => diags.push(FileError::NotRegular(k).diagnostic("data", &name)),
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files.dedup_by(|a, b| a.name == b.name);
    if let Some(s) = &schema {
        files.retain(|f| &f.path != s);
    }
    (files, schema)
}

/// What a walk of one data folder leaves out: `--exclude` and the folder's
/// `.factlintignore` patterns, and the project's own files.
pub(crate) struct Ignore {
    globs: globset::GlobSet,
    /// Patterns that match folders only (a trailing `/`).
    dir_globs: globset::GlobSet,
    project: Vec<PathBuf>,
}

/// The name of the file of patterns a data folder may hold.
pub const IGNORE_FILE: &str = ".factlintignore";

impl Ignore {
    fn new(
        root: &Path,
        opts: &LoadOptions,
        confine: &files::Confine,
        diags: &mut Vec<Diagnostic>,
    ) -> Ignore {
        let mut patterns: Vec<(String, Option<crate::diag::Span>)> =
            opts.exclude.iter().map(|p| (p.clone(), None)).collect();
        let file = root.join(IGNORE_FILE);
        if files::kind(&file) == Kind::File {
            match files::read_text(&file, confine, 1 << 20) {
                Ok(text) => {
                    let name = display(&file);
                    for (i, line) in text.lines().enumerate() {
                        let l = line.trim();
                        if l.is_empty() || l.starts_with('#') {
                            continue;
                        }
                        let span = crate::diag::Span::new(name.clone(), 0, 0, i as u32 + 1, 1);
                        patterns.push((l.to_string(), Some(span)));
                    }
                }
                Err(e) => diags.push(e.diagnostic("ignore file", &display(&file))),
            }
        }
        let (mut globs, mut dir_globs) = (
            globset::GlobSetBuilder::new(),
            globset::GlobSetBuilder::new(),
        );
        for (p, span) in patterns {
            let (body, dirs) = match p.strip_suffix('/') {
                Some(b) => (b, true),
                None => (p.as_str(), false),
            };
            // a name anywhere, or a path from the folder
            let full = if body.contains('/') {
                body.trim_start_matches('/').to_string()
            } else {
                format!("**/{body}")
            };
            match globset::GlobBuilder::new(&full)
                .literal_separator(true)
                .build()
            {
                Ok(g) => {
                    if dirs {
                        dir_globs.add(g);
                    } else {
                        globs.add(g);
                    }
                }
                Err(e) => {
                    let mut d = Diagnostic::warning(
                        codes::NO_DATA,
                        format!(
                            "the pattern `{}` is not a glob: {e}; it excludes nothing",
                            visible(&p)
                        ),
                    );
                    if let Some(s) = span {
                        d = d.at(s, "this pattern");
                    }
                    diags.push(d);
                }
            }
        }
        Ignore {
            globs: globs.build().unwrap_or_else(|_| globset::GlobSet::empty()),
            dir_globs: dir_globs
                .build()
                .unwrap_or_else(|_| globset::GlobSet::empty()),
            project: opts.project_files.iter().map(|p| clean(p)).collect(),
        }
    }

    /// Whether `p` (found under `root`) is left out.
    fn excludes(&self, root: &Path, p: &Path, is_dir: bool) -> bool {
        let path = clean(p);
        if self.project.iter().any(|x| path.starts_with(x)) {
            return true;
        }
        let rel = p.strip_prefix(root).unwrap_or(p);
        self.globs.is_match(rel) || (is_dir && self.dir_globs.is_match(rel))
    }
}

/// A path without `.` components, for comparing paths written differently.
fn clean(p: &Path) -> PathBuf {
    p.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

/// Every data file under `root`, skipping hidden entries, README.md, factlint.yaml,
/// the schema file, `tests/` at the root, and what `ignore` leaves out.
fn walk(
    root: &Path,
    confine: &files::Confine,
    ignore: &Ignore,
    out: &mut Vec<DataFile>,
    diags: &mut Vec<Diagnostic>,
) {
    let accept = |p: &Path, is_dir: bool| {
        let lower = p
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if SKIPPED_NAMES.contains(&lower.as_str()) || ignore.excludes(root, p, is_dir) {
            return false;
        }
        let at_root = p.parent() == Some(root);
        if is_dir {
            !(at_root && lower == "tests")
        } else {
            !(at_root && SCHEMA_NAMES.contains(&lower.as_str())) && Format::of(p).is_some()
        }
    };
    let walked = files::walk(root, confine, &accept);
    for (p, e) in &walked.errors {
        diags.push(e.diagnostic("data file", &display(p)));
    }
    for p in walked.files {
        if let Some(format) = Format::of(&p) {
            out.push(DataFile {
                name: display(&p),
                path: p,
                format,
            });
        }
    }
}

fn display(p: &Path) -> Arc<str> {
    let s = p.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).into()
}

/// A record as read, before the schema types it.
pub(crate) struct RawRecord {
    pub collection: String,
    pub node: Node,
}

/// Load everything: see `super::load`.
pub fn load_all(paths: &[PathBuf], opts: &LoadOptions) -> Loaded {
    let mut diags = Vec::new();
    let mut sources = Sources::new();
    let (files, schema_path) = discover(paths, opts, &mut diags);

    let declared = schema_path.as_ref().and_then(|p| {
        let name = display(p);
        let text = read_text(p, &name, Format::Yaml, opts, &mut diags, &mut sources)?;
        sources.add(name.clone(), text.clone());
        match schema_file::parse_schema(name, &text) {
            Ok(s) => Some(s),
            Err(d) => {
                diags.extend(d);
                None
            }
        }
    });

    // With a declared schema, every record is typed as soon as it is read: a table's
    // row or a JSON Lines value is a record before the next is read, so the tree of
    // a large file is never held whole beside its records. Without one, the schema is
    // inferred first: YAML and JSON files' records are held as read, while a table or
    // JSON Lines file is read once for the inference, holding nothing, and again
    // once the schema is known, as with a declared one.
    let mut collections: BTreeMap<String, Collection> = BTreeMap::new();
    if let Some(s) = &declared {
        for name in s.collections.keys() {
            collections.insert(name.clone(), Collection::new(name));
        }
    }
    // made-record diagnostics follow every reading diagnostic, as when all records
    // were typed after all files were read
    let mut typing_diags = Vec::new();
    // ClaimReview and Fact Check Tools documents are read as `reviews` records when
    // the schema declares them (the event model does), or with `--import`
    let reviews_here =
        opts.import || (declared.as_ref()).is_some_and(|s| s.collection("reviews").is_some());
    let mut inferrer = infer::Inferrer::default();
    let mut later: Vec<Later> = Vec::new();
    let mut names = Vec::new();
    for f in &files {
        names.push(f.name.clone());
        let Some(text) = read_text(&f.path, &f.name, f.format, opts, &mut diags, &mut sources)
        else {
            continue;
        };
        if text.len() <= opts.max_quoted_size {
            sources.add(f.name.clone(), text.clone());
        }
        let loc = Locator::new(f.name.clone(), &text);
        let stem = f
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let mut item_diags = Vec::new();
        let streamed = matches!(f.format, Format::Csv | Format::Tsv | Format::JsonLines);
        match (streamed, &declared) {
            (true, Some(schema)) => {
                let to = Target {
                    stem: &stem,
                    def: schema.collection(&stem),
                    numbered: false,
                    min_parallel_size: opts.min_parallel_size,
                };
                let read = (&mut diags, &mut item_diags);
                stream_file(
                    f.format,
                    &loc,
                    &to,
                    read,
                    &mut collections,
                    &mut typing_diags,
                );
            }
            (true, None) => {
                // read for the inference alone; typed once the schema is known
                match f.format {
                    Format::JsonLines => {
                        json::read_lines_each(&loc, &mut diags, &mut |mut item| {
                            apply_merges(&mut item);
                            if let Some(node) = record_node(&stem, item, &mut item_diags) {
                                inferrer.add_node(&stem, &node);
                            }
                        })
                    }
                    format => {
                        let delimiter = if format == Format::Tsv { b'\t' } else { b',' };
                        table::read_each(&loc, delimiter, &mut diags, &mut |row| {
                            let cells = row
                                .cells
                                .iter()
                                .map(|c| (&*row.header[c.column].0, infer::Cell::Text(c.text)));
                            inferrer.add(&stem, cells);
                        });
                    }
                }
                later.push(Later::Reread {
                    format: f.format,
                    name: f.name.clone(),
                    text: text.clone(),
                    stem,
                });
            }
            (false, _) => {
                let mut docs = match f.format {
                    Format::Yaml => yaml::read(&loc, &mut diags),
                    _ => json::read(&loc, &mut diags),
                };
                for doc in &mut docs {
                    apply_merges(doc);
                }
                let mut file_raw: Vec<RawRecord> = Vec::new();
                for doc in docs {
                    // a published fact-check is a review, where the schema has them
                    if reviews_here {
                        if let Some(reviews) = super::reviews::recognise(&stem, &doc) {
                            file_raw.extend(reviews);
                            continue;
                        }
                    }
                    collect_records(&stem, doc, &mut file_raw, &mut item_diags);
                }
                match &declared {
                    Some(schema) => {
                        let numbered = |_: &str| false;
                        add_raw(
                            file_raw,
                            schema,
                            &numbered,
                            &mut collections,
                            &mut typing_diags,
                        );
                    }
                    None => {
                        for r in &file_raw {
                            inferrer.add_node(&r.collection, &r.node);
                        }
                        later.push(Later::Raw(file_raw));
                    }
                }
            }
        }
        diags.append(&mut item_diags);
    }

    let schema = match declared {
        Some(s) => s,
        None => inferrer.schema(),
    };
    // collections where no record has its own id: ids are row numbers
    let numbered = |coll: &str| {
        let id_field = (schema.collection(coll))
            .and_then(|d| d.id_field.as_deref())
            .unwrap_or("id");
        schema.inferred && !inferrer.has_value(coll, id_field)
    };
    for l in later {
        match l {
            Later::Reread {
                format,
                name,
                text,
                stem,
            } => {
                // read again, now typed: what reading reports was reported the first time
                let loc = Locator::new(name, &text);
                let to = Target {
                    stem: &stem,
                    def: schema.collection(&stem),
                    numbered: numbered(&stem),
                    min_parallel_size: opts.min_parallel_size,
                };
                let read = (&mut Vec::new(), &mut Vec::new());
                stream_file(format, &loc, &to, read, &mut collections, &mut typing_diags);
            }
            Later::Raw(raw) => {
                add_raw(raw, &schema, &numbered, &mut collections, &mut typing_diags)
            }
        }
    }
    diags.append(&mut typing_diags);

    let mut dataset = Dataset {
        collections,
        schema,
        sources,
        texts: BTreeMap::new(),
        chains: Default::default(),
    };
    // each path given, and the folder its records' files are relative to
    let roots: Vec<(PathBuf, PathBuf)> = paths
        .iter()
        .filter(|p| !files::is_stdin(p))
        .map(|p| match files::kind(p) {
            Kind::Dir => (p.clone(), p.clone()),
            _ => match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => (p.clone(), d.to_path_buf()),
                _ => (p.clone(), PathBuf::from(".")),
            },
        })
        .collect();
    if reviews_here {
        diags.extend(super::reviews::link(&mut dataset));
    }
    let known: Vec<super::snapshots::Known> = files
        .iter()
        .map(|f| super::snapshots::Known {
            name: &f.name,
            path: &f.path,
        })
        .collect();
    diags.extend(super::snapshots::read_all(
        &mut dataset,
        &known,
        &roots,
        opts.max_file_size,
    ));
    if opts.import {
        diags.extend(super::import::import_event_tables(&mut dataset));
    }
    Loaded {
        dataset,
        diagnostics: diags,
        files: names,
        schema_file: schema_path,
    }
}

/// Read a file's text, within the size limit. YAML and JSON must be UTF-8; CSV and
/// TSV with other bytes are read with those replaced, and a warning.
fn read_text(
    path: &Path,
    name: &Arc<str>,
    format: Format,
    opts: &LoadOptions,
    diags: &mut Vec<Diagnostic>,
    sources: &mut Sources,
) -> Option<Arc<str>> {
    // the file was given, or found by the walk inside its confines
    let bytes = match files::read(path, &files::Confine::anywhere(), opts.max_file_size) {
        Ok(b) => b,
        Err(FileError::TooLarge { size, limit }) => {
            diags.push(
                Diagnostic::error(
                    codes::TOO_LARGE,
                    format!("`{}` is too large to load", visible(name)),
                )
                .at(files::file_span(name), "this file")
                .expected(format!("at most {limit} bytes"))
                .found(format!("{size} bytes"))
                .help("raise the limit with --max-file-size, or split the file"),
            );
            return None;
        }
        Err(e) => {
            diags.push(e.diagnostic("data file", name));
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            let (line, col) = crate::diag::span::line_col(&prefix, prefix.len());
            let bad = bytes[valid..]
                .iter()
                .take(4)
                .map(|b| format!("{b:#04x}"))
                .collect::<Vec<_>>()
                .join(" ");
            let span = Span::new(name.clone(), valid, valid, line, col);
            let tabular = matches!(format, Format::Csv | Format::Tsv);
            let d = if tabular {
                Diagnostic::warning(
                    codes::NOT_UTF8,
                    format!("`{name}` is not valid UTF-8; bad bytes are shown as `\u{fffd}`"),
                )
            } else {
                Diagnostic::error(codes::NOT_UTF8, format!("`{name}` is not UTF-8 text"))
            };
            diags.push(
                d.at(span, "first bad byte here")
                    .expected("UTF-8 text")
                    .found(format!("the bytes {bad}"))
                    .help("save the file as UTF-8 (it may be Latin-1 or Windows-1252, or not text at all)"),
            );
            let lossy = String::from_utf8_lossy(&bytes).into_owned();
            if !tabular {
                // quote the line where it is text; never print binary to a terminal
                let printable = !lossy
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'));
                if printable && lossy.len() <= opts.max_quoted_size {
                    sources.add(name.clone(), lossy.into());
                }
                return None;
            }
            lossy
        }
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    Some(text.into())
}

/// The records of one document: a list is the file's collection, a map holds
/// collections by name.
fn collect_records(stem: &str, doc: Node, out: &mut Vec<RawRecord>, diags: &mut Vec<Diagnostic>) {
    match doc.kind {
        NodeKind::Null => {}
        NodeKind::Seq(items) => push_records(stem, items, out, diags),
        NodeKind::Map(entries) if entries.iter().any(|e| e.key.starts_with('@')) => {
            // JSON-LD (ClaimReview): one record, or the records of its `@graph`
            let graph = entries.iter().position(|e| &*e.key == "@graph");
            match graph {
                Some(i) => {
                    let mut entries = entries;
                    let g = entries.swap_remove(i);
                    match g.value.kind {
                        NodeKind::Seq(items) => push_records(stem, items, out, diags),
                        _ => push_records(stem, vec![g.value], out, diags),
                    }
                }
                None => push_records(
                    stem,
                    vec![Node::new(NodeKind::Map(entries), doc.span)],
                    out,
                    diags,
                ),
            }
        }
        NodeKind::Map(entries) => {
            for e in entries {
                match e.value.kind {
                    NodeKind::Seq(items) => push_records(&e.key, items, out, diags),
                    NodeKind::Null => {}
                    _ => {
                        let found = e.value.describe();
                        diags.push(
                            Diagnostic::error(
                                codes::BAD_STRUCTURE,
                                format!("collection `{}` must be a list of records", e.key),
                            )
                            .at(e.value.span.clone(), "expected a list here")
                            .also(e.key_span.clone(), "the collection")
                            .expected("a list of records (`- id: ...`)")
                            .found(found)
                            .help(format!("a file holds one collection as a list (named by the file, like `{stem}`), or a map from collection names to lists")),
                        );
                    }
                }
            }
        }
        _ => {
            let found = doc.describe();
            diags.push(
                Diagnostic::error(codes::BAD_STRUCTURE, "a data file holds records")
                    .at(doc.span.clone(), "expected a list or a map here")
                    .expected(
                        "a list of records, or a map from collection names to lists of records",
                    )
                    .found(found),
            );
        }
    }
}

fn push_records(
    collection: &str,
    items: Vec<Node>,
    out: &mut Vec<RawRecord>,
    diags: &mut Vec<Diagnostic>,
) {
    for item in items {
        if let Some(node) = record_node(collection, item, diags) {
            out.push(RawRecord {
                collection: collection.to_string(),
                node,
            });
        }
    }
}

/// An item of a collection's list as a record: a map is one, null is nothing, anything
/// else is an error.
fn record_node(collection: &str, item: Node, diags: &mut Vec<Diagnostic>) -> Option<Node> {
    match item.kind {
        NodeKind::Map(_) => Some(item),
        NodeKind::Null => None,
        _ => {
            let found = item.describe();
            diags.push(
                Diagnostic::error(
                    codes::BAD_STRUCTURE,
                    format!("a record of `{collection}` must be a map of fields"),
                )
                .at(item.span.clone(), "expected a record here")
                .expected("a map such as `{id: x, name: y}`")
                .found(found),
            );
            None
        }
    }
}

/// Type a raw record of `collection` by its collection's definition.
fn make_record(
    collection: &str,
    node: &Node,
    def: Option<&CollectionDef>,
    numbered: bool,
    seq: usize,
    diags: &mut Vec<Diagnostic>,
) -> Record {
    make_record_with(collection, node, (def, None), numbered, seq, diags)
}

/// The declared types of field names met before, by the name's address (the name is
/// held, so no other takes its address); at most `MAX_TYPES` of them.
type TypeCache<'d> = HashMap<usize, (Arc<str>, Option<&'d FieldType>), foldhash::fast::RandomState>;
const MAX_TYPES: usize = 4096;

/// [`make_record`], finding field types through `types` when given: a JSON Lines
/// file's lines name the same fields, and looking each up in the schema by text was a
/// tenth of making their records.
fn make_record_with<'d>(
    collection: &str,
    node: &Node,
    (def, mut types): (Option<&'d CollectionDef>, Option<&mut TypeCache<'d>>),
    numbered: bool,
    seq: usize,
    diags: &mut Vec<Diagnostic>,
) -> Record {
    let entries: &[super::node::Entry] = match &node.kind {
        NodeKind::Map(e) => e,
        _ => &[],
    };
    let lookup = |name: &str| def.and_then(|d| d.fields.get(name)).map(|f| &f.ty);
    let mut fields = Vec::with_capacity(entries.len() + 1);
    let mut spans = Vec::with_capacity(entries.len() + 1);
    for e in entries {
        let ty = match types.as_deref_mut() {
            Some(cache) => match cache.get(&(e.key.as_ptr() as usize)) {
                Some((_, ty)) => *ty,
                None => {
                    let ty = lookup(&e.key);
                    if cache.len() < MAX_TYPES {
                        cache.insert(e.key.as_ptr() as usize, (e.key.clone(), ty));
                    }
                    ty
                }
            },
            None => lookup(&e.key),
        };
        // keys are interned by the readers: a clone here is the shared name
        spans.push((e.key.clone(), e.value.span.clone()));
        let v = to_value(&e.value, ty, &e.key, &mut spans);
        fields.push((&e.key, v));
    }
    let mut positions = Vec::with_capacity(spans.len());
    positions.extend(spans.into_iter().map(|(k, s)| (k, Pos::of(&s))));
    let field_spans = FieldMap::from_unsorted(positions);
    finish_record(
        collection,
        fields,
        field_spans,
        &node.span,
        def,
        numbered,
        seq,
        diags,
    )
}

/// Type a table's row by its collection's definition, straight from its cells.
fn row_record(
    (collection, row, loc, types): (&str, &table::Row, &Locator, &[Option<&FieldType>]),
    (def, numbered): (Option<&CollectionDef>, bool),
    strings: &mut Strings,
    seq: usize,
    diags: &mut Vec<Diagnostic>,
) -> Record {
    let mut fields = Vec::with_capacity(row.cells.len() + 1);
    let mut positions = Vec::with_capacity(row.cells.len());
    // the items of lists `a;b;c`, by paths like `sources[1]`
    let mut parts: Vec<(Arc<str>, Pos)> = Vec::new();
    for c in row.cells {
        let key = &row.header[c.column].0;
        let ty = types.get(c.column).copied().flatten();
        positions.push((key, Pos::at(c.start, c.end, c.line, c.col)));
        let v = match text_value(c.text, ty, strings) {
            Some(v) => v,
            None => {
                let node = Node::new(
                    NodeKind::Text(c.text.into()),
                    loc.span_at(c.start, c.end, c.line, c.col),
                );
                let mut spans = vec![(key.clone(), node.span.clone())];
                let v = to_value(&node, ty, key, &mut spans);
                parts.extend(spans.iter().skip(1).map(|(k, s)| (k.clone(), Pos::of(s))));
                v
            }
        };
        fields.push((key, v));
    }
    let field_spans = if parts.is_empty() {
        FieldMap::from_pairs(positions)
    } else {
        let all = positions.into_iter().map(|(k, p)| (k.clone(), p));
        FieldMap::from_unsorted(all.chain(parts).collect())
    };
    finish_record(
        collection,
        fields,
        field_spans,
        &row.span,
        def,
        numbered,
        seq,
        diags,
    )
}

/// Type records as read into their collections, by value: each raw record's nodes are
/// freed once its record is made, so a file's tree and all its records are never in
/// memory at once. `numbered(c)`: whether the ids of collection `c` are record numbers.
fn add_raw(
    raw: Vec<RawRecord>,
    schema: &super::schema::Schema,
    numbered: &dyn Fn(&str) -> bool,
    collections: &mut BTreeMap<String, Collection>,
    typing_diags: &mut Vec<Diagnostic>,
) {
    for r in raw {
        let numbered = numbered(&r.collection);
        let coll = collections
            .entry(r.collection.clone())
            .or_insert_with(|| Collection::new(&r.collection));
        let def = schema.collection(&r.collection);
        let seq = coll.records.len() + 1;
        let record = make_record(&r.collection, &r.node, def, numbered, seq, typing_diags);
        coll.push(record);
    }
}

/// A file whose records are made once the inferred schema is known.
enum Later {
    /// A table or JSON Lines file, read again.
    Reread {
        format: Format,
        name: Arc<str>,
        text: Arc<str>,
        stem: String,
    },
    /// The records of a YAML or JSON file, as read.
    Raw(Vec<RawRecord>),
}

/// Where a streamed file's records go, and how they are typed.
struct Target<'a> {
    stem: &'a str,
    def: Option<&'a CollectionDef>,
    /// Whether ids are record numbers (no record of an inferred collection has one).
    numbered: bool,
    min_parallel_size: usize,
}

/// Read a CSV, TSV or JSON Lines file straight into records of its collection: a
/// row's cells become values with no node between, a line's value a record as soon
/// as it is read, and a large file is read in pieces in parallel, its records put
/// back in file order. Reading diagnostics go to `read.0`, values that are not
/// records to `read.1`, typing diagnostics to `typing_diags`.
fn stream_file(
    format: Format,
    loc: &Locator,
    to: &Target,
    read: (&mut Vec<Diagnostic>, &mut Vec<Diagnostic>),
    collections: &mut BTreeMap<String, Collection>,
    typing_diags: &mut Vec<Diagnostic>,
) {
    let (diags, item_diags) = read;
    let (stem, def, numbered) = (to.stem, to.def, to.numbered);
    let note = |p: &mut Piece, record: &Record, before: usize| {
        if numbered || (p.diags.len() > before && record.id.starts_with('#')) {
            p.numbered.push(p.records.len());
        }
    };
    let pieces = match format {
        Format::JsonLines => json::read_lines_chunked(
            loc,
            diags,
            to.min_parallel_size,
            Piece::default,
            |p: &mut Piece, mut item: Node| {
                apply_merges(&mut item);
                let Some(node) = record_node(stem, item, &mut p.item_diags) else {
                    return;
                };
                let (seq, before) = (p.records.len() + 1, p.diags.len());
                let types = Some(&mut p.json_types);
                let record =
                    make_record_with(stem, &node, (def, types), numbered, seq, &mut p.diags);
                note(p, &record, before);
                p.records.push(record);
            },
        ),
        _ => {
            let delimiter = if format == Format::Tsv { b'\t' } else { b',' };
            table::read_chunked(
                loc,
                delimiter,
                diags,
                to.min_parallel_size,
                Piece::default,
                |p: &mut Piece, row| {
                    if p.types.len() != row.header.len() {
                        p.types = column_types(row, def);
                    }
                    let (seq, before) = (p.records.len() + 1, p.diags.len());
                    let record = row_record(
                        (stem, row, loc, &p.types),
                        (def, numbered),
                        &mut p.strings,
                        seq,
                        &mut p.diags,
                    );
                    note(p, &record, before);
                    p.records.push(record);
                },
            )
            .unwrap_or_default()
        }
    };
    let total: usize = pieces.iter().map(|p| p.records.len()).sum();
    if total > 0 {
        // the vector and the id index grown once for the whole file
        let coll = collections
            .entry(stem.to_string())
            .or_insert_with(|| Collection::new(stem));
        coll.reserve(total);
    }
    for p in pieces {
        item_diags.extend(p.item_diags);
        if !p.records.is_empty() {
            let coll = collections
                .entry(stem.to_string())
                .or_insert_with(|| Collection::new(stem));
            add_piece(
                coll,
                (p.records, p.numbered),
                numbered,
                typing_diags,
                p.diags,
            );
        } else {
            typing_diags.extend(p.diags);
        }
    }
}

/// What one piece of a table read in parallel made: its records, in order.
#[derive(Default)]
struct Piece<'d> {
    records: Vec<Record>,
    /// What was not a record (JSON Lines), and what typing the records found.
    item_diags: Vec<Diagnostic>,
    diags: Vec<Diagnostic>,
    strings: Strings,
    types: Vec<Option<&'d FieldType>>,
    json_types: TypeCache<'d>,
    /// The records whose id is their number in the piece (`#3`, having none of their
    /// own), to be numbered in the collection.
    numbered: Vec<usize>,
}

/// Add the records of a piece to their collection, numbering those numbered within
/// the piece (`numbered`, ascending) in the collection (as row numbers, `3`, when
/// `by_row`, else as records without an id, `#3`), and its typing diagnostics.
fn add_piece(
    coll: &mut Collection,
    (records, numbered): (Vec<Record>, Vec<usize>),
    by_row: bool,
    typing_diags: &mut Vec<Diagnostic>,
    diags: Vec<Diagnostic>,
) {
    let base = coll.records.len();
    let mut numbered = numbered.into_iter().peekable();
    for (i, mut r) in records.into_iter().enumerate() {
        if numbered.next_if_eq(&i).is_some() {
            renumber(&mut r, base + i + 1, by_row);
        }
        coll.push(r);
    }
    typing_diags.extend(diags);
}

/// Give a record numbered within its piece (`3`, `#3`) its number in the collection.
fn renumber(r: &mut Record, seq: usize, by_row: bool) {
    let old = r.id.clone();
    let id: Arc<str> = if by_row {
        seq.to_string().into()
    } else {
        format!("#{seq}").into()
    };
    if let Some(Value::Str(s)) = r.fields.get_mut("id") {
        if *s == old {
            *s = id.clone();
        }
    }
    r.id = id;
}

/// The declared type of each column of `row`'s table.
fn column_types<'d>(
    row: &table::Row,
    def: Option<&'d CollectionDef>,
) -> Vec<Option<&'d FieldType>> {
    (row.header.iter())
        .map(|(k, _)| def.and_then(|d| d.fields.get(&**k)).map(|f| &f.ty))
        .collect()
}

/// A record from its typed fields: its id found (or numbered, or reported missing),
/// and `id` set.
#[allow(clippy::too_many_arguments)]
fn finish_record(
    collection: &str,
    fields: Vec<(&Arc<str>, Value)>,
    field_spans: FieldMap<Pos>,
    span: &Span,
    def: Option<&CollectionDef>,
    numbered: bool,
    seq: usize,
    diags: &mut Vec<Diagnostic>,
) -> Record {
    // the name `id`, shared, borrowed like the other names
    static ID: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
    let id_name = ID.get_or_init(|| super::fields::intern("id")).clone();
    let mut fields: Vec<(&Arc<str>, Value)> = fields;
    let id_field = def.and_then(|d| d.id_field.as_deref()).unwrap_or("id");
    // of a repeated name the last counts, as in the map the fields become
    let field =
        |fields: &[(&Arc<str>, Value)], name: &str| fields.iter().rposition(|(k, _)| ***k == *name);
    let id: Arc<str> = match field(&fields, id_field).map(|i| &fields[i].1) {
        Some(Value::Str(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::Number(n)) => fmt_number(*n).into(),
        _ if numbered => seq.to_string().into(),
        Some(other) => {
            let at = field_spans
                .get(id_field)
                .map(|p| p.span(&span.file))
                .unwrap_or_else(|| span.clone());
            diags.push(
                Diagnostic::error(
                    codes::MISSING_ID,
                    format!("a record of `{collection}` has an empty or unusable id"),
                )
                .at(at, "this id")
                .expected("a string or a number")
                .found(describe_value(other)),
            );
            format!("#{seq}").into()
        }
        None => {
            let mut d = Diagnostic::error(
                codes::MISSING_ID,
                format!("a record of `{collection}` has no `{id_field}`"),
            )
            .at(span.clone(), "this record")
            .expected(format!(
                "an `{id_field}` field, unique within `{collection}`"
            ));
            d = match crate::diag::did_you_mean(id_field, fields.iter().map(|(k, _)| &***k)) {
                Some(s) => d.help(format!(
                    "did you mean `{s}`? the field is spelled `{id_field}`"
                )),
                None => d.help(
                    "every record needs an id so that rules and other records can refer to it",
                ),
            };
            diags.push(d);
            format!("#{seq}").into()
        }
    };
    if id_field != "id" || numbered {
        if field(&fields, "id").is_none() {
            fields.push((&id_name, Value::Str(id.clone())));
        }
    } else if let Some(i) = field(&fields, "id") {
        if let Value::Number(_) = fields[i].1 {
            // ids are strings: `id: 42` is the id "42"
            fields[i].1 = Value::Str(id.clone());
        }
    }
    Record {
        id,
        fields: Fields::from_pairs(fields),
        span: span.clone(),
        field_spans,
    }
}

pub(crate) fn describe_value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Str(s) if s.trim().is_empty() => "an empty string".into(),
        Value::Str(s) => format!("the string `{}`", super::node::clip(s, 60)),
        Value::List(_) => "a list".into(),
        Value::Map(_) => "a map".into(),
        other => format!("the {} `{other}`", other.type_name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::of(Path::new("a/b.TAB")), Some(Format::Tsv));
        assert_eq!(Format::of(Path::new("README.md")), None);
    }

    /// A row typed straight from its cells is the record its node would make: the
    /// same values, the same positions for every field and list item, the same span.
    #[test]
    fn rows_make_the_records_their_nodes_make() {
        let schema = schema_file::parse_schema(
            "schema.yaml".into(),
            "collections:\n  t:\n    fields:\n      n: {type: number}\n      d: {type: date}\n      \
             b: {type: bool}\n      l: {type: list of string}\n      ln: {type: list of number}\n      \
             s: {type: string}\n      u: {type: duration}\n",
        )
        .expect("schema");
        let def = schema.collection("t");
        let text = "id,n,d,b,l,ln,s,u,extra\r\n\
                    x1, 42 ,2026-01-07,TRUE,\"a; b;;c\",1;x;3,\"two\nlines\",3 days,\u{e9}\r\n\
                    \r\n\
                    \u{4e2d}\u{6587},nope,2026-13,maybe,,, \"q\"\"q\" ,soon,\r\n\
                    x3,,,,,,,,\n";
        let loc = Locator::new("t.csv".into(), text);
        let mut diags = Vec::new();
        let (mut direct, mut via_nodes) = (Vec::new(), Vec::new());
        let mut d1 = Vec::new();
        let mut d2 = Vec::new();
        table::read_each(&loc, b',', &mut diags, &mut |row| {
            let seq = direct.len() + 1;
            let mut strings = Strings::default();
            let types = column_types(row, def);
            direct.push(row_record(
                ("t", row, &loc, &types),
                (def, false),
                &mut strings,
                seq,
                &mut d1,
            ));
            via_nodes.push(make_record("t", &row.node(&loc), def, false, seq, &mut d2));
        });
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(direct.len(), 3);
        assert_eq!(format!("{d1:?}"), format!("{d2:?}"));
        for (a, b) in direct.iter().zip(&via_nodes) {
            assert_eq!(a, b);
            assert_eq!(format!("{:?}", a.fields), format!("{:?}", b.fields));
            assert_eq!(a.field_spans, b.field_spans, "{}", a.id);
            assert_eq!(
                (a.span.start, a.span.end, a.span.line, a.span.col),
                (b.span.start, b.span.end, b.span.line, b.span.col)
            );
        }
        assert!(
            direct[0].field_spans.get("l[3]").is_some(),
            "list items have positions"
        );
    }
}
