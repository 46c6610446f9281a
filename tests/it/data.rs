//! The data side at its boundaries: data files in, records and diagnostics out.
//!
//! - `broken_datasets`: one snapshot per folder of `tests/corpus/data/broken/`, each
//!   with one defect, of the report a person sees (`factlint validate`).
//! - the same records from YAML, JSON, JSON Lines and CSV;
//! - positions of values in tricky YAML, JSON and CSV;
//! - arbitrary bytes never make the loader panic.
//!
//! The real GDELT and ICEWS samples need `../shared`: `tests/shared/real_samples.rs`.

use factlint::data::{self, Dataset, FieldType, LoadOptions, Value};
use factlint::diag::diagnostic::render_human;
use factlint::diag::span::line_col;
use factlint::diag::Diagnostic;
use factlint::project::{summary_line, Options, Project};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

// ---------------------------------------------------------------------------------
// helpers

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh folder holding `files` (name, content), under the target's temp dir.
fn dataset_dir(files: &[(&str, &[u8])]) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "data-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for (name, content) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().expect("a file has a parent")).expect("create dir");
        std::fs::write(&p, content).expect("write file");
    }
    std::fs::create_dir_all(&dir).expect("create dir");
    dir
}

fn load_files(files: &[(&str, &[u8])]) -> (Dataset, Vec<Diagnostic>, PathBuf) {
    let dir = dataset_dir(files);
    let (ds, diags) = data::load(std::slice::from_ref(&dir), &LoadOptions::default());
    (ds, diags, dir)
}

/// Load one YAML file and fail on any diagnostic.
fn load_clean(name: &str, text: &str) -> Dataset {
    let (ds, diags, _) = load_files(&[(name, text.as_bytes())]);
    let mut all = diags;
    all.extend(data::validate(&ds));
    assert!(all.is_empty(), "unexpected diagnostics: {all:#?}");
    ds
}

/// The text a span covers, and a check that its line and column agree with its
/// byte offset.
fn spanned(text: &str, span: impl std::borrow::Borrow<factlint::diag::Span>) -> &str {
    let span = span.borrow();
    assert_eq!(
        line_col(text, span.start),
        (span.line, span.col),
        "line:col of {span:?} disagrees with its offset {}",
        span.start
    );
    &text[span.start..span.end]
}

fn record<'d>(ds: &'d Dataset, coll: &str, id: &str) -> &'d data::Record {
    ds.record(coll, id)
        .unwrap_or_else(|| panic!("no record `{id}` in `{coll}`"))
}

// ---------------------------------------------------------------------------------
// the corpus of broken datasets

#[test]
fn broken_datasets() {
    let root = manifest_dir();
    insta::glob!("../corpus", "data/broken/*/README.md", |readme| {
        let dir = readme.parent().expect("README.md is in a case folder");
        let rel = dir.strip_prefix(&root).unwrap_or(dir).to_path_buf();
        let description = std::fs::read_to_string(readme).unwrap_or_default();
        // paths as a user would type them, relative to the repository
        let project = Project::without_config(Options {
            data: vec![rel.clone()],
            ..Options::default()
        });
        let v = with_cwd(&root, || project.validate());
        let (diags, sources, summary) = (&v.diagnostics, &v.dataset.sources, v.summary());
        assert!(
            !diags.is_empty(),
            "{}: a broken dataset must report something",
            rel.display()
        );
        let mut report = String::new();
        for d in diags {
            report.push_str(&render_human(d, sources, false, 80));
            report.push('\n');
        }
        report.push_str(&summary);
        report.push('\n');
        insta::with_settings!({
            description => description.trim(),
            omit_expression => true,
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(report);
        });
    });
}

/// Tests run from the package root already; this only guards against a runner that
/// does not, without changing the process's directory.
fn with_cwd<T>(root: &Path, f: impl FnOnce() -> T) -> T {
    let cwd = std::env::current_dir().ok();
    assert_eq!(
        cwd.as_deref().map(|c| c.canonicalize().ok()),
        Some(root.canonicalize().ok()),
        "tests must run from the package root"
    );
    f()
}

#[test]
fn every_broken_case_says_what_it_breaks() {
    let dir = manifest_dir().join("tests/corpus/data/broken");
    let cases: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .collect();
    assert!(cases.len() >= 30, "only {} broken cases", cases.len());
    for c in cases {
        assert!(
            c.path().join("README.md").is_file(),
            "{} has no README.md",
            c.path().display()
        );
    }
}

#[test]
fn the_summary_line_counts_errors_warnings_files_and_records() {
    let e = Diagnostic::error("D0001", "x");
    let w = Diagnostic::warning("D0018", "y");
    assert_eq!(
        summary_line(&[e.clone(), e, w], 7, 54),
        "2 errors, 1 warning in 7 files, 54 records"
    );
    assert_eq!(summary_line(&[], 1, 1), "no problems in 1 file, 1 record");
}

// ---------------------------------------------------------------------------------
// one dataset, four formats

const SCHEMA: &str = "collections:
  actors:
    fields:
      name: {type: string, required: true}
      kind: enum [state, person]
      founded: date
      aliases: list of string
      member: bool
      population: number
  actions:
    fields:
      actor: {type: ref actors, required: true}
      time: date
      fatalities: number
      sources: list of string
";

const AS_YAML: &str = "actors:
  - id: VEN
    name: Venezuela
    kind: state
    founded: 1811
    aliases: [Bolivarian Republic of Venezuela, Venezuela]
    member: true
    population: 28300000
  - id: delcy-rodriguez
    name: Delcy Rodríguez
    kind: person
actions:
  - id: op-1
    actor: VEN
    time: 2026-01-03
    fatalities: 80
    sources: [a, b]
";

const AS_JSON: &str = r#"{
  "actors": [
    {"id": "VEN", "name": "Venezuela", "kind": "state", "founded": 1811,
     "aliases": ["Bolivarian Republic of Venezuela", "Venezuela"], "member": true,
     "population": 28300000},
    {"id": "delcy-rodriguez", "name": "Delcy Rodríguez", "kind": "person"}
  ],
  "actions": [
    {"id": "op-1", "actor": "VEN", "time": "2026-01-03", "fatalities": 80, "sources": ["a", "b"]}
  ]
}
"#;

const ACTORS_JSONL: &str = r#"{"id": "VEN", "name": "Venezuela", "kind": "state", "founded": "1811", "aliases": ["Bolivarian Republic of Venezuela", "Venezuela"], "member": true, "population": 28300000}

{"id": "delcy-rodriguez", "name": "Delcy Rodríguez", "kind": "person"}
"#;
const ACTIONS_JSONL: &str = r#"{"id": "op-1", "actor": "VEN", "time": "2026-01-03", "fatalities": 80, "sources": ["a", "b"]}
"#;

const ACTORS_CSV: &str = "id,name,kind,founded,aliases,member,population
VEN,Venezuela,state,1811,Bolivarian Republic of Venezuela;Venezuela,true,28300000
delcy-rodriguez,Delcy Rodríguez,person,,,,
";
const ACTIONS_CSV: &str = "id,actor,time,fatalities,sources\nop-1,VEN,2026-01-03,80,a;b\n";

/// Collections as (name, [(id, fields)]), without spans.
type Plain = Vec<(String, Vec<(String, Vec<(String, Value)>)>)>;

fn plain(ds: &Dataset) -> Plain {
    ds.collections
        .values()
        .map(|c| {
            let recs = c
                .records
                .iter()
                .map(|r| {
                    let f = r
                        .fields
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.clone()))
                        .collect();
                    (r.id.to_string(), f)
                })
                .collect();
            (c.name.clone(), recs)
        })
        .collect()
}

/// A format's name and the files (name, bytes) that write the dataset in it.
type FormatFiles<'a> = (&'a str, Vec<(&'a str, &'a [u8])>);

#[test]
fn yaml_json_jsonl_and_csv_load_to_the_same_records() {
    let schema = SCHEMA.as_bytes();
    let sets: [FormatFiles; 4] = [
        (
            "yaml",
            vec![("schema.yaml", schema), ("data.yaml", AS_YAML.as_bytes())],
        ),
        (
            "json",
            vec![("schema.yaml", schema), ("data.json", AS_JSON.as_bytes())],
        ),
        (
            "jsonl",
            vec![
                ("schema.yaml", schema),
                ("actors.jsonl", ACTORS_JSONL.as_bytes()),
                ("actions.jsonl", ACTIONS_JSONL.as_bytes()),
            ],
        ),
        (
            "csv",
            vec![
                ("schema.yaml", schema),
                ("actors.csv", ACTORS_CSV.as_bytes()),
                ("actions.csv", ACTIONS_CSV.as_bytes()),
            ],
        ),
    ];
    let mut loaded = Vec::new();
    for (fmt, files) in &sets {
        let (ds, mut diags, _) = load_files(files);
        diags.extend(data::validate(&ds));
        assert!(diags.is_empty(), "{fmt}: {diags:#?}");
        loaded.push((fmt, plain(&ds)));
    }
    let (_, yaml) = &loaded[0];
    // spot-check the typed values once
    let ven = &yaml[1].1[0].1;
    let get = |k: &str| ven.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert!(matches!(get("founded"), Some(Value::Time(t)) if t.year() == Some(1811)));
    assert_eq!(get("population"), Some(Value::Number(28_300_000.0)));
    assert_eq!(get("member"), Some(Value::Bool(true)));
    assert!(matches!(get("aliases"), Some(Value::List(l)) if l.len() == 2));
    for (fmt, other) in &loaded[1..] {
        assert_eq!(yaml, other, "yaml and {fmt} differ");
    }
}

// ---------------------------------------------------------------------------------
// positions

#[test]
fn positions_in_flow_style() {
    let text = "actors:\n  - {id: a, name: b}\n  - [x]\n";
    let text_ok = "actors: [{id: a, name: bee}, {id: c, name: d}]\n";
    let (ds, diags, _) = load_files(&[("f.yaml", text.as_bytes())]);
    // the second item is not a record
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    let span = &d.primary.as_ref().expect("a span").span;
    assert_eq!(spanned(text, span), "[x]");
    let a = record(&ds, "actors", "a");
    assert_eq!(spanned(text, &a.span), "{id: a, name: b}");
    assert_eq!(spanned(text, a.span_of("name")), "b");

    let ds = load_clean("f.yaml", text_ok);
    let c = record(&ds, "actors", "c");
    assert_eq!(spanned(text_ok, c.span_of("name")), "d");
    assert_eq!(c.span_of("name").col, 44);
    let a = record(&ds, "actors", "a");
    assert_eq!(spanned(text_ok, a.span_of("name")), "bee");
}

#[test]
fn positions_of_multi_line_strings() {
    let text = "\
- id: a
  literal: |
    one
    two
  folded: >
    three
    four
  plain: five
    six
  after: x
";
    let ds = load_clean("things.yaml", text);
    let a = record(&ds, "things", "a");
    assert_eq!(a.get("literal"), Some(&Value::str("one\ntwo\n")));
    assert_eq!(a.get("folded"), Some(&Value::str("three four\n")));
    assert_eq!(a.get("plain"), Some(&Value::str("five six")));
    let lit = a.span_of("literal");
    assert_eq!((lit.line, lit.col), (3, 5));
    assert!(spanned(text, lit).starts_with("one\n    two"));
    let folded = a.span_of("folded");
    assert_eq!((folded.line, folded.col), (6, 5));
    assert_eq!(spanned(text, a.span_of("plain")), "five\n    six");
    let after = a.span_of("after");
    assert_eq!((after.line, after.col), (10, 10));
    assert_eq!(spanned(text, after), "x");
}

#[test]
fn positions_through_anchors_and_aliases() {
    let text = "\
- id: a
  tags: &common [x, y]
  base: &b {k: 1}
- id: b
  tags: *common
  <<: *b
";
    let ds = load_clean("things.yaml", text);
    let b = record(&ds, "things", "b");
    let expected = Value::List(vec![Value::str("x"), Value::str("y")]);
    assert_eq!(b.get("tags"), Some(&expected));
    // an alias is shown where it is written
    assert_eq!(spanned(text, b.span_of("tags")), "*common");
    assert_eq!(b.span_of("tags").line, 5);
    // a merge key brings the anchor's fields, with the anchor's positions
    assert_eq!(b.get("k"), Some(&Value::Number(1.0)));
    assert_eq!(spanned(text, b.span_of("k")), "1");
    assert_eq!(b.span_of("k").line, 3);
}

#[test]
fn several_documents_comments_and_crlf() {
    let text = "# actors first\r\n---\r\nactors:\r\n  - id: a # the first\r\n    name: A\r\n---\r\n# then events\r\nevents:\r\n  - id: e\r\n    name: E\r\n...\r\n";
    let ds = load_clean("f.yaml", text);
    let a = record(&ds, "actors", "a");
    assert_eq!(a.get("name"), Some(&Value::str("A")));
    let n = a.span_of("name");
    assert_eq!((n.line, n.col), (5, 11));
    assert_eq!(spanned(text, n), "A");
    let e = record(&ds, "events", "e");
    let n = e.span_of("name");
    assert_eq!((n.line, n.col), (10, 11));
    assert_eq!(spanned(text, n), "E");
    // a document that is a list belongs to the collection named by the file
    let text2 = "- id: x\n---\n- id: y\n";
    let ds = load_clean("items.yaml", text2);
    assert_eq!(ds.collection("items").map(|c| c.records.len()), Some(2));
    assert_eq!(record(&ds, "items", "y").span.line, 3);
}

#[test]
fn columns_count_characters_not_bytes() {
    let text = "- {id: é, name: \"Côte d'Ivoire\", kind: ünï}\n";
    let ds = load_clean("actors.yaml", text);
    let r = record(&ds, "actors", "é");
    let kind = r.span_of("kind");
    assert_eq!(spanned(text, &kind), "ünï");
    assert_eq!(kind.col, 40);
    assert_eq!(spanned(text, r.span_of("name")), "\"Côte d'Ivoire\"");
}

/// Every string, number and date of the example dataset is exactly where its span
/// says: the text there reads back as the value.
#[test]
fn positions_agree_with_values_across_the_example() {
    let dir = manifest_dir().join("examples/venezuela-2026");
    let (ds, diags) = data::load(std::slice::from_ref(&dir), &LoadOptions::default());
    assert!(diags.is_empty(), "{diags:#?}");
    let mut checked = 0;
    for c in ds.collections.values() {
        for r in &c.records {
            let text = ds.sources.get(&r.span.file).expect("quoted source");
            for path in r.field_spans.keys() {
                let value = value_at(&r.fields, path);
                let span = r.span_of(path);
                let shown = spanned(text, &span);
                match value {
                    Some(Value::Str(s))
                        if !shown.starts_with(['|', '>']) && !shown.contains('\n') =>
                    {
                        let unquoted = if shown.starts_with('"') {
                            serde_json::from_str::<String>(shown).expect("a JSON-like string")
                        } else if let Some(inner) =
                            shown.strip_prefix('\'').and_then(|x| x.strip_suffix('\''))
                        {
                            inner.replace("''", "'")
                        } else {
                            shown.to_string()
                        };
                        assert_eq!(unquoted, &**s, "{}:{} {path}", r.span.file, span.line);
                        checked += 1;
                    }
                    Some(Value::Number(n)) => {
                        assert_eq!(shown.parse::<f64>().ok(), Some(*n), "{path} at {span:?}");
                        checked += 1;
                    }
                    Some(Value::Time(t)) if !shown.starts_with('{') => {
                        assert_eq!(shown.trim_matches('"'), &*t.raw, "{path} at {span:?}");
                        checked += 1;
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} values checked");
}

/// The value at a span path such as `time.start` or `sources[1]`.
fn value_at<'v>(fields: &'v factlint::data::Fields, path: &str) -> Option<&'v Value> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let (name, mut idx) = split_index(first);
    let mut v = fields.get(name)?;
    loop {
        for i in idx {
            v = match v {
                Value::List(items) => items.get(i)?,
                _ => return None,
            };
        }
        let Some(next) = parts.next() else {
            return Some(v);
        };
        let (name, i) = split_index(next);
        v = match v {
            Value::Map(m) => m.get(name)?,
            _ => return None,
        };
        idx = i;
    }
}

fn split_index(part: &str) -> (&str, Vec<usize>) {
    let mut it = part.split('[');
    let name = it.next().unwrap_or("");
    let idx = it
        .filter_map(|p| p.trim_end_matches(']').parse().ok())
        .collect();
    (name, idx)
}

#[test]
fn positions_in_json_jsonl_and_csv() {
    let json = "{\"actors\": [\n  {\"id\": \"a\",  \"name\": \"Ünal\"},\n  {\"id\": \"b\", \"name\": [1, 2]}\n]}\n";
    let ds = load_clean("d.json", json);
    assert_eq!(
        spanned(json, record(&ds, "actors", "a").span_of("name")),
        "\"Ünal\""
    );
    assert_eq!(
        spanned(json, record(&ds, "actors", "b").span_of("name")),
        "[1, 2]"
    );
    assert_eq!(
        spanned(json, record(&ds, "actors", "b").span_of("name[1]")),
        "2"
    );

    let jsonl = "{\"id\": \"a\"}\n\n{\"id\": \"b\", \"n\": 3}\n";
    let ds = load_clean("t.jsonl", jsonl);
    let b = record(&ds, "t", "b");
    assert_eq!(b.span.line, 3);
    assert_eq!(spanned(jsonl, b.span_of("n")), "3");

    let csv = "id,name,tags\na,\"Smith, J.\",x;y\nb,Ünal,z\n";
    let dir = dataset_dir(&[
        ("t.csv", csv.as_bytes()),
        (
            "schema.yaml",
            b"collections:\n  t:\n    fields:\n      name: string\n      tags: list of string\n",
        ),
    ]);
    let (ds, diags) = data::load(&[dir], &LoadOptions::default());
    assert!(diags.is_empty(), "{diags:#?}");
    let a = record(&ds, "t", "a");
    assert_eq!(spanned(csv, a.span_of("name")), "\"Smith, J.\"");
    assert_eq!(a.get("name"), Some(&Value::str("Smith, J.")));
    assert_eq!(spanned(csv, a.span_of("tags[1]")), "y");
    let b = record(&ds, "t", "b");
    assert_eq!(b.span.line, 3);
    assert_eq!(spanned(csv, b.span_of("tags")), "z");
}

// ---------------------------------------------------------------------------------
// schema files

#[test]
fn the_event_model_matches_the_documented_collections() {
    let s = data::event_model();
    let names: Vec<&str> = s.collections.keys().map(|k| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "actions",
            "actors",
            "claims",
            "facts",
            "principles",
            "publishers",
            "ratings",
            "reviews",
            "sources",
            "statements"
        ]
    );
    assert!(!s.inferred);
    let doc = std::fs::read_to_string(manifest_dir().join("docs/data-model.md"))
        .expect("docs/data-model.md");
    // every field of the model is in the document's table of its collection
    for c in s.collections.values() {
        let section = doc
            .split(&format!("### {}\n", c.name))
            .nth(1)
            .unwrap_or_else(|| panic!("no section for `{}`", c.name));
        let section = section.split("\n### ").next().unwrap_or(section);
        for f in c.fields.values() {
            let row = section
                .lines()
                .find(|l| l.starts_with(&format!("| {} |", f.name)))
                .unwrap_or_else(|| panic!("`{}.{}` is not documented", c.name, f.name));
            let required = row.split('|').nth(3).map(str::trim);
            assert_eq!(
                required == Some("yes"),
                f.required,
                "`{}.{}`: required differs between schema and doc",
                c.name,
                f.name
            );
        }
    }
    assert_eq!(
        s.field("actions", "sources").map(|f| &f.ty),
        Some(&FieldType::List(Box::new(FieldType::Ref("sources".into()))))
    );
}

#[test]
fn an_inferred_schema_is_printed_and_loads_back() {
    let (ds, diags, _) = load_files(&[("data.yaml", AS_YAML.as_bytes())]);
    assert!(diags.is_empty(), "{diags:#?}");
    assert!(ds.schema.inferred);
    let actions = ds.schema.collection("actions").expect("actions");
    assert_eq!(
        actions.fields.get("actor").map(|f| &f.ty),
        Some(&FieldType::Ref("actors".into()))
    );
    assert_eq!(
        actions.fields.get("time").map(|f| &f.ty),
        Some(&FieldType::Date)
    );
    let text = data::schema_to_yaml(&ds.schema);
    let back = data::parse_schema("schema.yaml".into(), &text).expect("loads back");
    assert_eq!(back.collections, ds.schema.collections);
    insta::assert_snapshot!("inferred_schema", text);
}

#[test]
fn an_inferred_schema_accepts_the_data_it_came_from() {
    let text = "\
- id: a
  when: \"2024\"
  n: {min: 1}
  mixed: 1
- id: b
  when: {start: 2026-01-05}
  n: 3
  mixed: x
- id: c
  when: 2020-03
";
    let ds = load_clean("facts.yaml", text);
    let def = ds.schema.collection("facts").expect("facts");
    assert_eq!(def.fields["when"].ty, FieldType::Date);
    assert_eq!(def.fields["n"].ty, FieldType::Number);
    assert_eq!(def.fields["mixed"].ty, FieldType::Any);
}

#[test]
fn a_schema_file_can_extend_the_event_model() {
    let schema = "use: event-model\ncollections:\n  actors:\n    extend: true\n    fields:\n      founded: date\n  weather:\n    fields:\n      rain: number\n";
    let s = data::parse_schema("s.yaml".into(), schema).expect("parses");
    assert_eq!(s.collections.len(), 11);
    assert_eq!(
        s.field("actors", "founded").map(|f| &f.ty),
        Some(&FieldType::Date)
    );
    assert!(s.field("actors", "kind").is_some_and(|f| f.required));
}

/// A CSV column declared `date` reads GDELT's compact `YYYYMMDD` and
/// `YYYYMMDDHHMMSS` as days (the text keeps the time of day); a value that is no such
/// date stays text, and `validate` reports it.
#[test]
fn a_declared_date_column_reads_compact_dates_and_date_times() {
    let csv = "\
GLOBALEVENTID,SQLDATE,DATEADDED,EventCode
1,20260103,20260107153000,190
2,20251231,20260107000000,042
3,20260230,20260107250000,19
";
    let schema = "\
collections:
  events:
    id_field: GLOBALEVENTID
    fields:
      GLOBALEVENTID: string
      SQLDATE: date
      DATEADDED: date
      EventCode: string
";
    let (ds, diags, dir) = load_files(&[
        ("events.csv", csv.as_bytes()),
        ("schema.yaml", schema.as_bytes()),
    ]);
    assert!(diags.is_empty(), "{diags:#?}");
    let jan7 = data::Time::partial(2026, Some(1), Some(7)).expect("a day");
    let first = record(&ds, "events", "1");
    let Some(Value::Time(added)) = first.get("DATEADDED") else {
        panic!("DATEADDED is not a date: {:?}", first.get("DATEADDED"));
    };
    assert_eq!(added, &jan7);
    assert!(added.is_precise());
    assert_eq!(&*added.raw, "20260107153000");
    let text = std::fs::read_to_string(dir.join("events.csv")).expect("read");
    assert_eq!(spanned(&text, first.span_of("DATEADDED")), "20260107153000");
    assert!(matches!(
        record(&ds, "events", "2").get("SQLDATE"),
        Some(Value::Time(t)) if &*t.raw == "20251231" && t.is_precise()
    ));
    // 30 February and 25 o'clock are no dates: kept as text, reported by `validate`
    let third = record(&ds, "events", "3");
    assert_eq!(third.get("SQLDATE"), Some(&Value::str("20260230")));
    assert_eq!(third.get("DATEADDED"), Some(&Value::str("20260107250000")));
    let problems = data::validate(&ds);
    let bad: Vec<&str> = problems
        .iter()
        .filter(|d| d.code == "D0014")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(bad.len(), 2, "{problems:#?}");
    assert!(bad.iter().any(|m| m.contains("DATEADDED")), "{bad:?}");
}

/// `--import` maps a GDELT row's `DATEADDED` to the day of its source's `date`,
/// keeping the time of day in the text; one that is no date-time gives no date.
#[test]
fn the_gdelt_importer_reads_dateadded_as_a_day() {
    let csv = "\
GLOBALEVENTID,SQLDATE,Actor1Code,Actor1Name,Actor2Code,Actor2Name,EventCode,SOURCEURL,DATEADDED
7,20250101,RUS,RUSSIA,VEN,VENEZUELA,190,https://tass.ru/a,20260107153000
8,20250101,RUS,RUSSIA,VEN,VENEZUELA,042,https://tass.ru/b,20260107250000
";
    let dir = dataset_dir(&[("gdelt.csv", csv.as_bytes())]);
    let opts = LoadOptions {
        import: true,
        ..LoadOptions::default()
    };
    let (ds, diags) = data::load(std::slice::from_ref(&dir), &opts);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
    let src = record(&ds, "sources", "gdelt-src-7");
    let Some(Value::Time(date)) = src.get("date") else {
        panic!("no source date: {:?}", src.get("date"));
    };
    assert_eq!(
        date,
        &data::Time::partial(2026, Some(1), Some(7)).expect("a day")
    );
    assert_eq!(&*date.raw, "20260107153000");
    let text = std::fs::read_to_string(dir.join("gdelt.csv")).expect("read");
    assert_eq!(spanned(&text, src.span_of("date")), "20260107153000");
    assert_eq!(record(&ds, "sources", "gdelt-src-8").get("date"), None);
    let action = record(&ds, "actions", "gdelt-7");
    assert!(matches!(action.get("time"), Some(Value::Time(t)) if &*t.raw == "20250101"));
}

#[test]
fn claimreview_json_ld_loads_as_records() {
    let one = r#"{
  "@context": "https://schema.org",
  "@type": "ClaimReview",
  "url": "https://example.org/fact-check/80-dead",
  "claimReviewed": "At least 80 people were killed",
  "datePublished": "2026-01-06",
  "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A. Official"}, "datePublished": "2026-01-04"},
  "reviewRating": {"@type": "Rating", "ratingValue": 4, "alternateName": "Mostly true"}
}"#;
    let ds = load_clean("claimreview.json", one);
    let c = ds.collection("claimreview").expect("collection");
    assert_eq!(c.records.len(), 1);
    let r = &c.records[0];
    assert_eq!(
        r.get("claimReviewed"),
        Some(&Value::str("At least 80 people were killed"))
    );
    assert_eq!(spanned(one, r.span_of("datePublished")), "\"2026-01-06\"");

    let graph = r#"{"@context": "https://schema.org", "@graph": [
  {"@id": "r1", "@type": "ClaimReview", "claimReviewed": "x"},
  {"@id": "r2", "@type": "ClaimReview", "claimReviewed": "y"}
]}"#;
    let ds = load_clean("reviews.jsonld", graph);
    assert_eq!(
        ds.schema
            .collection("reviews")
            .and_then(|c| c.id_field.as_deref()),
        Some("@id")
    );
    assert_eq!(
        record(&ds, "reviews", "r2").get("claimReviewed"),
        Some(&Value::str("y"))
    );
}

// ---------------------------------------------------------------------------------
// robustness

#[test]
fn garbage_of_a_few_megabytes_is_refused_quickly() {
    // a cheap deterministic generator: printable ASCII with newlines and YAML syntax
    let mut x: u32 = 12345;
    let alphabet = b"abc:-[]{}\"',#&*!|> \n\t0123456789";
    let garbage: Vec<u8> = (0..3_000_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            alphabet[(x as usize) % alphabet.len()]
        })
        .collect();
    for name in ["g.yaml", "g.json", "g.jsonl", "g.csv"] {
        let (_, diags, _) = load_files(&[(name, &garbage)]);
        assert!(!diags.is_empty(), "{name}: garbage loaded silently");
    }
}

#[test]
fn a_file_over_the_size_limit_is_refused() {
    let dir = dataset_dir(&[("big.yaml", b"- id: a\n  text: 0123456789\n")]);
    let opts = LoadOptions {
        max_file_size: 10,
        ..LoadOptions::default()
    };
    let (_, diags) = data::load(&[dir], &opts);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, "D0002");
}

#[test]
fn empty_files_and_lone_separators_hold_no_records() {
    for text in ["", "---\n", "---\n...\n", "# only a comment\n", "\n\n"] {
        let (ds, diags, _) = load_files(&[("e.yaml", text.as_bytes())]);
        assert!(diags.is_empty(), "{text:?}: {diags:#?}");
        assert_eq!(
            ds.collections
                .values()
                .map(|c| c.records.len())
                .sum::<usize>(),
            0
        );
    }
    for name in ["e.json", "e.jsonl", "e.csv", "e.tsv"] {
        let (_, diags, _) = load_files(&[(name, b"")]);
        assert!(diags.is_empty(), "{name}: {diags:#?}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "[".repeat(100_000);
    for name in ["d.yaml", "d.json"] {
        let (_, diags, _) = load_files(&[(name, deep.as_bytes())]);
        assert!(!diags.is_empty(), "{name}");
    }
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn any_text() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..400),
            // mostly YAML/JSON/CSV syntax, to get past the first character
            proptest::string::string_regex(
                r#"([-:\[\]{},"'#&*!|>?%@`\n\t ]|id|[a-z0-9]{1,4}|---|\r\n|é){0,120}"#
            )
            .expect("a valid regex")
            .prop_map(String::into_bytes),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]
        #[test]
        fn loading_arbitrary_bytes(bytes in any_text()) {
            for name in ["x.yaml", "x.json", "x.jsonl", "x.csv", "x.tsv"] {
                let (ds, _, _) = load_files(&[(name, &bytes)]);
                let _ = data::validate(&ds);
            }
        }
    }

    // Typed data: records of the event model whose values are right most of the time
    // and wrong in every way some of the time, with the event model's schema; then the
    // flagship rules over what loaded. And GDELT/ICEWS-shaped tables through `--import`.

    fn pick(options: &'static [&'static str]) -> impl Strategy<Value = String> {
        prop::sample::select(options).prop_map(str::to_string)
    }

    fn action() -> impl Strategy<Value = String> {
        (
            pick(&["RUS", "USA", "GEO"]),
            pick(&["invasion", "airstrike", "sanction", "military_operation"]),
            pick(&["2008-08", "2022-02-24", "{start: 2014-02-20, end: 2014-03-18}", "2026"]),
            pick(&["10", "{min: 5, max: 10}", "null", "0"]),
            pick(&["true", "false", "null"]),
            pick(&["[s1]", "[s1, s2]"]),
        )
            .prop_map(|(actor, kind, time, fat, consent, sources)| {
                format!("{{actor: {actor}, kind: {kind}, target: GEO, time: {time}, fatalities: {fat}, consent: {consent}, sources: {sources}}}")
            })
    }

    fn statement() -> impl Strategy<Value = String> {
        (
            pick(&["RUS", "USA"]),
            pick(&["2026-01-06", "2026-01", "{start: 2026-01-01}", "2008-08-08"]),
            pick(&["[sovereignty]", "[]"]),
        )
            .prop_map(|(actor, date, invokes)| {
                format!("{{actor: {actor}, date: {date}, kind: statement, invokes: {invokes}, sources: [s1]}}")
            })
    }

    fn claim() -> impl Strategy<Value = String> {
        (
            pick(&["RUS", "GEO"]),
            pick(&["80", "{min: 75, max: 100}", "2"]),
            pick(&["2026-01-07", "2026-01"]),
        )
            .prop_map(|(subject, value, date)| {
                format!("{{text: \"a claim\", claimant: USA, subject: {subject}, property: fatalities, value: {value}, date: {date}, sources: [s1]}}")
            })
    }

    /// One mistake a curator makes: a value of the wrong type or out of its set, a
    /// dangling reference, a duplicate id, a malformed date or range.
    const CORRUPTIONS: &[(&str, &str)] = &[
        ("kind: invasion", "kind: picnic"),
        ("time: 2008-08", "time: not a date"),
        ("time: 2026", "time: 2026-02-30"),
        ("fatalities: 10", "fatalities: many"),
        ("fatalities: 0", "fatalities: 1e400"),
        ("{min: 5, max: 10}", "{min: 10, max: 5}"),
        ("consent: true", "consent: yes"),
        ("sources: [s1]", "sources: s1"),
        ("actor: RUS", "actor: nobody"),
        ("id: a1,", "id: a0,"),
        ("invokes: [sovereignty]", "invokes: [nonexistent]"),
        ("date: 2026-01-06", "date: 2026-13-01"),
        ("value: 80", "value: \"eighty\""),
        ("subject: RUS", "subject: [RUS]"),
    ];

    fn with_ids(prefix: &str, items: Vec<String>) -> String {
        items
            .iter()
            .enumerate()
            .map(|(i, r)| format!("  - {{id: {prefix}{i}, {}\n", &r[1..]))
            .collect()
    }

    pub(super) fn event_model_data() -> impl Strategy<Value = Vec<(String, String)>> {
        (
            proptest::collection::vec(action(), 0..6),
            proptest::collection::vec(statement(), 0..3),
            proptest::collection::vec(claim(), 0..3),
            prop_oneof![3 => Just(None), 2 => prop::sample::select(CORRUPTIONS).prop_map(Some)],
            any::<bool>(),
        )
            .prop_map(|(actions, statements, claims, corruption, json)| {
                let mut yaml = String::from(
                    "actors:\n  - {id: RUS, name: Russia, kind: state}\n  - {id: USA, name: United States, kind: state}\n  - {id: GEO, name: Georgia, kind: state}\n\
                     principles:\n  - {id: sovereignty, name: Sovereignty, violated_by: [invasion, airstrike]}\n\
                     sources:\n  - {id: s1, title: A source, publisher: Reuters, reliability: B}\n  - {id: s2, title: Another, publisher: AP, reliability: A}\n",
                );
                for (name, prefix, items) in [("actions", "a", actions), ("statements", "st", statements), ("claims", "c", claims)] {
                    if !items.is_empty() {
                        yaml.push_str(&format!("{name}:\n{}", with_ids(prefix, items)));
                    }
                }
                if let Some((from, to)) = corruption {
                    yaml = yaml.replacen(from, to, 1);
                }
                let mut files = vec![("schema.yaml".to_string(), "use: event-model\n".to_string())];
                // the same records as JSON half of the time
                match serde_yaml::from_str::<serde_json::Value>(&yaml) {
                    Ok(v) if json => files.push(("data.json".into(), v.to_string())),
                    _ => files.push(("data.yaml".into(), yaml)),
                }
                files
            })
    }

    fn gdelt_row() -> impl Strategy<Value = String> {
        (
            pick(&["1", "2", "1", "x"]),
            pick(&["20260107", "2026", "", "99999999"]),
            pick(&["RUS", "USA", "", "RUSGOV"]),
            pick(&["VEN", "", "GEO"]),
            pick(&["190", "036", "1951", "", "abc", "0874"]),
            pick(&["https://example.org/a", "", "not a url"]),
        )
            .prop_map(|(id, date, a1, a2, code, url)| {
                format!("{id},{date},{a1},{a1} name,{a2},{a2} name,{code},{url},20260108\n")
            })
    }

    fn icews_row() -> impl Strategy<Value = String> {
        (
            pick(&["10", "11", "10"]),
            pick(&["2026-01-07", "2026-13-01", ""]),
            pick(&["Russia", "Government (Russia)", ""]),
            pick(&["190", "042", "", "19x"]),
        )
            .prop_map(|(id, date, source, code)| {
                format!("{id}\t{date}\t{source}\tGovt\tRussia\tVenezuela\tGovt\tVenezuela\tintervene\t{code}\t1\t\"Reuters\"\t5\t1\tCaracas\t\tCapital\tVenezuela\t\t\n")
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

        #[test]
        fn gdelt_and_icews_tables_import_without_panic(
            gdelt in proptest::collection::vec(gdelt_row(), 0..6),
            icews in proptest::collection::vec(icews_row(), 0..6),
        ) {
            let g = format!("GLOBALEVENTID,SQLDATE,Actor1Code,Actor1Name,Actor2Code,Actor2Name,EventCode,SOURCEURL,DATEADDED\n{}", gdelt.concat());
            let i = format!("Event ID\tEvent Date\tSource Name\tSource Sectors\tSource Country\tEvent Text\tTarget Sectors\tTarget Country\tCAMEOCodeDescription\tCAMEO Code\tIntensity\tPublisher\tStory ID\tSentence Number\tCity\tDistrict\tProvince\tCountry\tLatitude\tLongitude\n{}", icews.concat());
            for (name, text) in [("gdelt.csv", g), ("icews.tsv", i)] {
                let dir = dataset_dir(&[(name, text.as_bytes())]);
                let opts = LoadOptions { import: true, ..LoadOptions::default() };
                let (ds, _) = data::load(std::slice::from_ref(&dir), &opts);
                let _ = data::validate(&ds);
            }
        }
    }
}

/// Typed event-model data (with the event model's schema) loads, validates and, when
/// clean, runs the flagship rules; the test says how much of it reached the rules, so
/// it cannot silently stop testing them.
#[test]
fn typed_event_model_data_loads_validates_and_runs() {
    use never_panics::event_model_data;
    use proptest::test_runner::{Config, TestRunner};
    let cases = 120u32;
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let ran = AtomicUsize::new(0);
    let rules = factlint::project::rules::load(&[manifest_dir().join("rules")]);
    assert!(rules.diags.is_empty(), "{:?}", rules.diags);
    runner
        .run(&event_model_data(), |files| {
            let named: Vec<(&str, &[u8])> = files
                .iter()
                .map(|(n, t)| (n.as_str(), t.as_bytes()))
                .collect();
            let dir = dataset_dir(&named);
            let (ds, diags) = data::load(std::slice::from_ref(&dir), &LoadOptions::default());
            let problems = data::validate(&ds);
            // the schema was used: the event model's collections are declared
            assert!(ds.schema.collections.contains_key("facts"), "{:?}", files);
            if !diags.iter().chain(&problems).any(Diagnostic::is_error) {
                let (suite, check) = factlint::check::check(&rules.files, &ds.schema);
                assert!(check.iter().all(|d| !d.is_error()), "{check:?}");
                let _ = factlint::eval::run(
                    &suite,
                    &ds,
                    &ds.sources,
                    &factlint::eval::RunOptions::default(),
                );
                ran.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
        .unwrap();
    let n = ran.load(Ordering::Relaxed);
    assert!(
        n * 10 >= cases as usize * 4,
        "only {n} of {cases} generated datasets were clean enough to run the rules"
    );
}

/// Large CSV and JSON Lines files are read in pieces in parallel; a dataset read so is
/// the dataset read in one piece: the same records in the same order, with the same
/// ids (those numbered for want of one, `#7`, numbered in the whole collection),
/// values and positions, and the same diagnostics in the same order.
#[test]
fn files_read_in_pieces_load_as_read_whole() {
    let mut csv = String::from("id,n,when,tags\n");
    let mut jsonl = String::new();
    for i in 0..400 {
        let id = if i % 97 == 5 {
            String::new()
        } else {
            format!("r{i}")
        };
        let n = if i % 53 == 0 {
            "many".to_string()
        } else {
            i.to_string()
        };
        let extra = if i % 61 == 0 { ",surplus" } else { "" };
        csv += &format!("{id},{n},2026-01-{:02},\"a;b,{i}\"{extra}\r\n", i % 28 + 1);
        if i % 89 == 0 {
            jsonl += "{\"id\": \"broken\",\n";
        }
        let id_field = if i % 97 == 5 {
            String::new()
        } else {
            format!("\"id\": \"j{i}\", ")
        };
        jsonl += &format!(
            "{{{id_field}\"n\": {n:?}, \"n\": {i}, \"when\": \"2026-02-{:02}\"}}\n",
            i % 28 + 1
        );
    }
    let schema = "collections:\n  rows:\n    fields:\n      n: {type: number}\n      when: {type: date}\n      tags: {type: list of string}\n  lines:\n    fields:\n      n: {type: number}\n      when: {type: date}\n";
    // without a schema too: inferred from a first reading, then read again; a table
    // with no id column has its rows numbered, and a column of ids is a reference
    let numbered: String = std::iter::once("n,row\n".to_string())
        .chain((0..300).map(|i| format!("{i},r{}\n", i % 50)))
        .collect();
    let declared = dataset_dir(&[
        ("schema.yaml", schema.as_bytes()),
        ("rows.csv", csv.as_bytes()),
        ("lines.jsonl", jsonl.as_bytes()),
    ]);
    let inferred = dataset_dir(&[
        ("rows.csv", csv.as_bytes()),
        ("lines.jsonl", jsonl.as_bytes()),
        ("numbered.csv", numbered.as_bytes()),
        ("more.yaml", b"more:\n  - {id: m1, row: r3}\n"),
    ]);
    for dir in [declared, inferred] {
        let load = |min_parallel_size: usize| {
            let opts = LoadOptions {
                min_parallel_size,
                ..LoadOptions::default()
            };
            // four threads, so that files are read in sixteen pieces on any machine
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(4)
                .build()
                .expect("a thread pool");
            let (ds, diags) = pool.install(|| data::load(std::slice::from_ref(&dir), &opts));
            let mut shown = String::new();
            for c in ds.collections.values() {
                for r in &c.records {
                    let spans: Vec<String> = (r.field_spans.keys())
                        .map(|k| format!("{k}@{}", r.span_of(k)))
                        .collect();
                    shown += &format!("{} {} {:?} {spans:?}\n", r.id, r.span, r.fields);
                }
            }
            let schema = factlint::data::schema_to_yaml(&ds.schema);
            (
                shown,
                format!("{diags:#?}\n{schema}"),
                ds.collections
                    .values()
                    .map(|c| c.records.len())
                    .sum::<usize>(),
            )
        };
        let (whole, whole_diags, n) = load(usize::MAX);
        let (pieces, pieces_diags, m) = load(0);
        assert!(n > 780, "{n} records");
        assert_eq!(m, n);
        assert!(
            whole.contains("#6 "),
            "a record numbered for want of an id:\n{whole}"
        );
        assert!(whole_diags.contains("D0"), "{whole_diags}");
        if dir.join("numbered.csv").exists() {
            assert!(whole.contains("\n300 "), "rows numbered:\n{whole}");
            assert!(
                whole_diags.contains("ref rows"),
                "a reference inferred:\n{whole_diags}"
            );
        }
        assert_eq!(pieces, whole);
        assert_eq!(pieces_diags, whole_diags);
    }
}
