//! The dataset side of `factlint sql --views`: one view per collection the queries
//! read, with the columns they expect (`_pos`, `id`, and the columns of each field,
//! docs/sql.md), over where the records are: the dataset's own CSV, TSV and JSON Lines
//! files, or the files and warehouse tables a table mapping names (`--tables FILE`).
//! A collection a dialect cannot read from its files (YAML, or any file on BigQuery
//! and PostgreSQL, which read no local files from SQL) is written as a table with its
//! rows instead, as `--with-data` writes it.
//!
//! The views read text as the loader does (`data::convert`: a CSV cell trimmed, `a;b`
//! a list, `2008` a year, `20260107` a day) for every value `factlint validate`
//! accepts. What the loader reports as an error and then reads as missing
//! (`validate_and_mend`), a view does not know about: a view is faithful on a dataset
//! that validates, which is why `--views` reports the dataset's errors first.

use super::tables::{self, Kind};
use super::{quote, Dialect, OPEN_END, OPEN_START};
use crate::data::node::{Node, NodeKind};
use crate::data::Dataset;
use crate::diag::{Diagnostic, Span};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A file format the views read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Tsv,
    JsonLines,
    Parquet,
}

impl Format {
    const NAMES: [(&'static str, Format); 4] = [
        ("csv", Format::Csv),
        ("tsv", Format::Tsv),
        ("jsonl", Format::JsonLines),
        ("parquet", Format::Parquet),
    ];

    /// The format of a file by its extension, as the loader reads them.
    fn of_path(p: &str) -> Option<Format> {
        let ext = p.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "jsonl" | "ndjson" => Format::JsonLines,
            "parquet" => Format::Parquet,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        Format::NAMES
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |(n, _)| n)
    }

    /// Whether `dialect` reads files of this format from SQL (DuckDB's `read_csv`,
    /// `read_json`, `read_parquet`; Spark's data sources).
    fn readable(self, dialect: Dialect) -> bool {
        match dialect {
            Dialect::DuckDb => true,
            // Spark's JSON reader types a value by the whole column, not per value as
            // the loader does: JSON Lines stays rows
            Dialect::Spark => self != Format::JsonLines,
            Dialect::BigQuery | Dialect::Postgres => false,
        }
    }
}

/// Where a collection's records are.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    /// Files of one format (paths or globs, as the engine takes them), read in order.
    Files { format: Format, paths: Vec<String> },
    /// A warehouse table or view, by the parts of its name (`project.dataset.table`).
    Table(Vec<String>),
}

/// One collection of a table mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub place: Place,
    /// The column holding the id (default: the schema's id field).
    pub id: Option<String>,
    /// Columns named otherwise than their field, by field.
    pub columns: BTreeMap<String, String>,
    /// Where each field of `columns` is named.
    pub column_spans: BTreeMap<String, Span>,
    /// The column whose order is the records' order (default: the id's).
    pub order: Option<String>,
    /// Whether a table's or Parquet file's lists are text (`a;b;c`, as in CSV), not
    /// arrays.
    pub lists_text: bool,
    /// Where the collection is named in the mapping file.
    pub span: Span,
}

/// A table mapping (`--tables FILE`): where each collection is, for `--views`.
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    pub collections: BTreeMap<String, Source>,
}

/// The keys a collection of a mapping takes.
const KEYS: [&str; 7] = [
    "table", "files", "format", "id", "order", "columns", "lists",
];

fn mapping_error(span: &Span, msg: String, label: &str) -> Diagnostic {
    Diagnostic::error("S0006", msg).at(span.clone(), label)
}

fn text_of(n: &Node) -> Option<&str> {
    match &n.kind {
        NodeKind::Str(s) | NodeKind::Text(s) => Some(s),
        _ => None,
    }
}

/// Read a table mapping. Every problem is reported (`S0006`), not only the first.
pub fn read_mapping(file: Arc<str>, text: &str) -> Result<Mapping, Vec<Diagnostic>> {
    let (docs, mut diags) = crate::data::yaml::read_text(file.clone(), text);
    let mut out = Mapping::default();
    let doc = match docs.as_slice() {
        [] => {
            return if diags.is_empty() {
                Ok(out)
            } else {
                Err(diags)
            }
        }
        [doc] => doc,
        [_, second, ..] => {
            diags.push(mapping_error(
                &second.span,
                "a table mapping holds one YAML document".into(),
                "a second document",
            ));
            return Err(diags);
        }
    };
    let NodeKind::Map(entries) = &doc.kind else {
        diags.push(
            mapping_error(
                &doc.span,
                format!(
                    "a table mapping is a map of collections, found {}",
                    doc.describe()
                ),
                "expected `collection: {table: ...}`",
            )
            .help("write `events: {table: my_dataset.events}` or `events: {files: [data/events.parquet]}`"),
        );
        return Err(diags);
    };
    for e in entries {
        if let Some(s) = source(e, &mut diags) {
            out.collections.insert(e.key.to_string(), s);
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// That a mapping names collections and fields of `schema` (`S0006`, each with the
/// name it may have meant).
pub fn check_mapping(
    mapping: &Mapping,
    schema: &crate::data::schema::Schema,
) -> Result<(), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    for (name, source) in &mapping.collections {
        let Some(def) = schema.collection(name) else {
            let mut d = mapping_error(
                &source.span,
                format!("no collection `{}` in the schema", name.escape_debug()),
                "mapped here",
            );
            let known: Vec<&str> = schema.collections.keys().map(String::as_str).collect();
            if let Some(m) = crate::diag::did_you_mean(name, known.iter().copied()) {
                d = d.help(format!("did you mean `{m}`?"));
            }
            diags.push(d);
            continue;
        };
        for field in source.columns.keys() {
            if !def.fields.contains_key(field) {
                let mut d = mapping_error(
                    source.column_spans.get(field).unwrap_or(&source.span),
                    format!(
                        "collection `{}` has no field `{}` to map to a column",
                        name.escape_debug(),
                        field.escape_debug()
                    ),
                    "no such field",
                );
                if let Some(m) =
                    crate::diag::did_you_mean(field, def.fields.keys().map(String::as_str))
                {
                    d = d.help(format!("did you mean `{m}`?"));
                }
                diags.push(d);
            }
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(diags)
    }
}

/// One collection's entry of a mapping.
fn source(e: &crate::data::node::Entry, diags: &mut Vec<Diagnostic>) -> Option<Source> {
    let NodeKind::Map(keys) = &e.value.kind else {
        diags.push(mapping_error(
            &e.value.span,
            format!(
                "collection `{}`: expected a map with `table` or `files`, found {}",
                e.key.escape_debug(),
                e.value.describe()
            ),
            "expected a map",
        ));
        return None;
    };
    let before = diags.len();
    let string = |n: &Node, what: &str, diags: &mut Vec<Diagnostic>| -> Option<String> {
        match text_of(n) {
            Some(s) if !s.is_empty() => Some(s.to_string()),
            _ => {
                diags.push(mapping_error(
                    &n.span,
                    format!("`{what}` is a name, found {}", n.describe()),
                    "expected a string",
                ));
                None
            }
        }
    };
    let (mut table, mut files, mut format, mut id, mut order) = (None, None, None, None, None);
    let mut format_given = false;
    let mut lists_text = false;
    let mut columns = BTreeMap::new();
    let mut column_spans = BTreeMap::new();
    for k in keys {
        match &*k.key {
            // `a.b.c`, or its parts as a list (for a part that holds a dot)
            "table" => {
                table = match &k.value.kind {
                    NodeKind::Seq(parts) => {
                        let parts: Vec<String> = parts
                            .iter()
                            .filter_map(|p| string(p, "table", diags))
                            .collect();
                        (!parts.is_empty()).then_some(parts)
                    }
                    _ => string(&k.value, "table", diags)
                        .map(|t| t.split('.').map(str::to_string).collect::<Vec<_>>()),
                };
            }
            "lists" => {
                lists_text = match string(&k.value, "lists", diags).as_deref() {
                    Some("array") | None => false,
                    Some("text") => true,
                    Some(other) => {
                        diags.push(
                            mapping_error(
                                &k.value.span,
                                format!("unknown `lists` value `{}`", other.escape_debug()),
                                "expected `array` or `text`",
                            )
                            .help("`array`: list columns are arrays; `text`: lists are written `a;b;c`, as in CSV"),
                        );
                        false
                    }
                };
            }
            "files" => {
                let items: Vec<&Node> = match &k.value.kind {
                    NodeKind::Seq(items) => items.iter().collect(),
                    _ => vec![&k.value],
                };
                let paths: Vec<String> = items
                    .into_iter()
                    .filter_map(|n| string(n, "files", diags))
                    .collect();
                if paths.is_empty() {
                    diags.push(mapping_error(
                        &k.value.span,
                        "`files` names no file".into(),
                        "expected a path or a list of paths",
                    ));
                }
                files = Some(paths);
            }
            "format" => {
                format_given = true;
                let s = string(&k.value, "format", diags);
                format = s.and_then(|s| {
                    let f = Format::NAMES.iter().find(|(n, _)| *n == s).map(|(_, f)| *f);
                    if f.is_none() {
                        diags.push(
                            mapping_error(
                                &k.value.span,
                                format!("unknown format `{}`", s.escape_debug()),
                                "expected csv, tsv, jsonl or parquet",
                            )
                            .help("leave `format` out to take it from the files' extension"),
                        );
                    }
                    f
                });
            }
            "id" => id = string(&k.value, "id", diags),
            "order" => order = string(&k.value, "order", diags),
            "columns" => match &k.value.kind {
                NodeKind::Map(cols) => {
                    for c in cols {
                        if let Some(col) = string(&c.value, "columns", diags) {
                            columns.insert(c.key.to_string(), col);
                            column_spans.insert(c.key.to_string(), c.key_span.clone());
                        }
                    }
                }
                _ => diags.push(mapping_error(
                    &k.value.span,
                    format!(
                        "`columns` maps fields to columns, found {}",
                        k.value.describe()
                    ),
                    "expected `field: column`",
                )),
            },
            other => {
                let mut d = mapping_error(
                    &k.key_span,
                    format!("unknown key `{}`", other.escape_debug()),
                    "not a key of a mapped collection",
                );
                if let Some(s) = crate::diag::did_you_mean(other, KEYS.iter().copied()) {
                    d = d.help(format!("did you mean `{s}`?"));
                } else {
                    d = d.help(format!("the keys are {}", KEYS.join(", ")));
                }
                diags.push(d);
            }
        }
    }
    let place = match (table, files) {
        (Some(t), None) if format.is_none() => Place::Table(t),
        (None, Some(paths)) => {
            if order.is_some() {
                diags.push(mapping_error(
                    &e.key_span,
                    format!(
                        "collection `{}`: `order` is for `table`, not `files`",
                        e.key.escape_debug()
                    ),
                    "files keep the order of their rows",
                ));
            }
            let format = format.or_else(|| {
                let f = paths.first().and_then(|p| Format::of_path(p));
                if f.is_none() && !format_given {
                    diags.push(
                        mapping_error(
                            &e.key_span,
                            format!(
                                "collection `{}`: the files' extension says no format",
                                e.key.escape_debug()
                            ),
                            "which format are these files?",
                        )
                        .help("add `format: csv`, `tsv`, `jsonl` or `parquet`"),
                    );
                }
                f
            })?;
            Place::Files { format, paths }
        }
        (Some(_), None) => {
            diags.push(mapping_error(
                &e.key_span,
                format!(
                    "collection `{}`: `format` is for `files`, not `table`",
                    e.key.escape_debug()
                ),
                "a table has the types of its columns",
            ));
            return None;
        }
        (t, f) => {
            diags.push(mapping_error(
                &e.key_span,
                format!(
                    "collection `{}` needs either `table` or `files`, found {}",
                    e.key.escape_debug(),
                    if t.is_some() && f.is_some() {
                        "both"
                    } else {
                        "neither"
                    }
                ),
                "where are its records?",
            ));
            return None;
        }
    };
    (diags.len() == before).then(|| Source {
        place,
        id,
        columns,
        column_spans,
        order,
        lists_text,
        span: e.key_span.clone(),
    })
}

/// The SQL functions the views need, one spelling per dialect.
struct Sql {
    d: Dialect,
}

/// A number as the loader reads text (`convert::parse_number`): digits, an optional
/// point and exponent; no `nan`, `inf` or hex.
const NUMBER: &str = "[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?";

impl Sql {
    fn lit(&self, s: &str) -> Result<String, Box<Diagnostic>> {
        quote::string(self.d, s).map_err(|why| {
            Box::new(
                Diagnostic::error(
                    "S0002",
                    format!(
                        "`{}` cannot be written in {}: it holds {why}",
                        s.escape_debug(),
                        self.d.name()
                    ),
                )
                .help("rename it in the mapping or the schema"),
            )
        })
    }

    fn text_type(&self) -> &'static str {
        tables::type_name(self.d, Kind::Text)
    }

    /// Whether all of `s` matches `re` (which holds no backslash or quote).
    fn full_match(&self, s: &str, re: &str) -> String {
        match self.d {
            Dialect::DuckDb => format!("regexp_full_match({s}, '{re}')"),
            Dialect::Postgres => format!("({s} ~ '^({re})$')"),
            Dialect::Spark => format!("({s} RLIKE '^({re})$')"),
            Dialect::BigQuery => format!("REGEXP_CONTAINS({s}, '^({re})$')"),
        }
    }

    /// `s` as a double, NULL when it is none.
    fn double(&self, s: &str) -> String {
        let t = tables::type_name(self.d, Kind::Number);
        match self.d {
            Dialect::DuckDb | Dialect::Spark => format!("TRY_CAST({s} AS {t})"),
            Dialect::BigQuery => format!("SAFE_CAST({s} AS {t})"),
            Dialect::Postgres => format!("CAST({s} AS {t})"),
        }
    }

    fn int(&self, s: &str) -> String {
        match self.d {
            Dialect::BigQuery => format!("CAST({s} AS INT64)"),
            Dialect::Spark => format!("CAST({s} AS INT)"),
            _ => format!("CAST({s} AS INTEGER)"),
        }
    }

    /// `YYYY-MM-DD` text as a date, NULL when it is no day.
    fn day(&self, s: &str) -> String {
        match self.d {
            Dialect::DuckDb | Dialect::Spark => format!("TRY_CAST({s} AS DATE)"),
            Dialect::BigQuery => format!("SAFE_CAST({s} AS DATE)"),
            Dialect::Postgres => format!("CAST({s} AS DATE)"),
        }
    }

    fn last_day(&self, day: &str) -> String {
        match self.d {
            Dialect::Postgres => {
                format!("CAST({day} + INTERVAL '1 month' - INTERVAL '1 day' AS DATE)")
            }
            _ => format!("LAST_DAY({day})"),
        }
    }

    fn add_days(&self, day: &str, n: &str) -> String {
        match self.d {
            Dialect::DuckDb | Dialect::Postgres => format!("({day} + {n})"),
            Dialect::BigQuery => format!("DATE_ADD({day}, INTERVAL {n} DAY)"),
            Dialect::Spark => format!("DATE_ADD({day}, {n})"),
        }
    }

    /// A list of the non-empty trimmed parts of `s` between `;`, in order.
    fn split(&self, s: &str) -> String {
        match self.d {
            Dialect::DuckDb => format!(
                "list_filter(list_transform(string_split({s}, ';'), lambda x: trim(x)), lambda x: x <> '')"
            ),
            Dialect::Spark => {
                format!("filter(transform(split({s}, ';'), x -> trim(x)), x -> x <> '')")
            }
            Dialect::BigQuery => format!(
                "ARRAY(SELECT TRIM(x) FROM UNNEST(SPLIT({s}, ';')) AS x WITH OFFSET AS o \
                 WHERE TRIM(x) <> '' ORDER BY o)"
            ),
            Dialect::Postgres => format!(
                "ARRAY(SELECT btrim(x) FROM unnest(string_to_array({s}, ';')) WITH ORDINALITY AS p(x, o) \
                 WHERE btrim(x) <> '' ORDER BY o)"
            ),
        }
    }

    /// A column's value as trimmed text, NULL when empty (a CSV cell, or a typed
    /// warehouse column written as text).
    fn text(&self, col: &str) -> String {
        format!("NULLIF(TRIM(CAST({col} AS {})), '')", self.text_type())
    }

    /// The first and last day of the date text `t` reads as (`Time::parse`): a year, a
    /// month, a day (`2026-01-07`, `20260107`), a date-time's day, RFC 3339's day in
    /// UTC. NULL for anything else.
    fn date_bounds(&self, t: &str) -> (String, String) {
        let sub = |from: u32, len: u32| format!("SUBSTR({t}, {from}, {len})");
        let dashed = self.day(&sub(1, 10));
        let compact = self.day(&format!(
            "{} || '-' || {} || '-' || {}",
            sub(1, 4),
            sub(5, 2),
            sub(7, 2)
        ));
        let year = self.full_match(t, "[0-9]{4}");
        let month = self.full_match(t, "[0-9]{4}-[0-9]{2}");
        let day = self.full_match(
            t,
            "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}",
        );
        let digits = self.full_match(t, "[0-9]{8}|[0-9]{14}");
        // RFC 3339: the day in UTC, a day earlier or later than written by the offset
        let zoned = self.full_match(
            t,
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})",
        );
        let minutes = format!(
            "({h} * 60 + {m} - CASE WHEN {t} LIKE '%:__' THEN \
             (CASE WHEN SUBSTR({t}, LENGTH({t}) - 5, 1) = '-' THEN -1 ELSE 1 END) \
             * ({oh} * 60 + {om}) ELSE 0 END)",
            h = self.int(&sub(12, 2)),
            m = self.int(&sub(15, 2)),
            oh = self.int(&format!("SUBSTR({t}, LENGTH({t}) - 4, 2)")),
            om = self.int(&format!("SUBSTR({t}, LENGTH({t}) - 1, 2)")),
        );
        let shift =
            format!("(CASE WHEN {minutes} < 0 THEN -1 WHEN {minutes} >= 1440 THEN 1 ELSE 0 END)");
        let utc = self.add_days(&dashed, &shift);
        let first_of_month = self.day(&format!("{t} || '-01'"));
        let lo = format!(
            "(CASE WHEN {year} THEN {y0} WHEN {month} THEN {first_of_month} WHEN {day} THEN {dashed} \
             WHEN {digits} THEN {compact} WHEN {zoned} THEN {utc} END)",
            y0 = self.day(&format!("{t} || '-01-01'")),
        );
        let hi = format!(
            "(CASE WHEN {year} THEN {y1} WHEN {month} THEN {last} WHEN {day} THEN {dashed} \
             WHEN {digits} THEN {compact} WHEN {zoned} THEN {utc} END)",
            y1 = self.day(&format!("{t} || '-12-31'")),
            last = self.last_day(&first_of_month),
        );
        (lo, hi)
    }

    fn open(&self, end: &str) -> String {
        format!("DATE '{end}'")
    }

    /// The columns of a field of kind `k` from text `t` (a CSV cell, a table's
    /// column), in the order of `tables::columns(k)`.
    /// The values a number or date is parsed into once, from text `t`, for
    /// `read_parsed`: the number, or the first and last day.
    fn parse(&self, k: Kind, t: &str) -> Vec<(&'static str, String)> {
        match k {
            Kind::Number => vec![(
                ":n",
                format!(
                    "CASE WHEN {} THEN {} END",
                    self.full_match(t, NUMBER),
                    self.double(t)
                ),
            )],
            Kind::Date => {
                let (lo, hi) = self.date_bounds(t);
                vec![(":lo", lo), (":hi", hi)]
            }
            _ => Vec::new(),
        }
    }

    /// The columns of a number or date field from what `parse` made of it (`col`
    /// gives a parsed column by its suffix).
    fn read_parsed(&self, k: Kind, col: &dyn Fn(&str) -> String) -> Vec<String> {
        let (lo, hi) = match k {
            Kind::Number => (col(":n"), col(":n")),
            _ => (col(":lo"), col(":hi")),
        };
        let flag = format!("CASE WHEN {lo} IS NOT NULL THEN FALSE END");
        vec![lo, hi, flag]
    }

    fn read_text(&self, k: Kind, t: &str) -> Vec<String> {
        let present = |v: &str| format!("CASE WHEN {t} IS NOT NULL THEN {v} END");
        match k {
            Kind::Text => vec![t.to_string()],
            Kind::Bool => vec![format!(
                "CASE LOWER({t}) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END"
            )],
            // (`view` parses these once, in a select of their own; inline here)
            Kind::Number | Kind::Date => {
                let parsed = self.parse(k, t);
                let col = |suffix: &str| {
                    parsed
                        .iter()
                        .find(|(s, _)| *s == suffix)
                        .map_or_else(String::new, |(_, e)| format!("({e})"))
                };
                self.read_parsed(k, &col)
            }
            Kind::List => vec![present(&self.split(t))],
            // a CSV cell in a field of type any is a string (`convert::text_value`)
            Kind::Any => {
                let t_ty = self.text_type();
                let none = |k: Kind| format!("CAST(NULL AS {})", tables::type_name(self.d, k));
                vec![
                    present("'string'"),
                    format!("CAST({t} AS {t_ty})"),
                    none(Kind::Number),
                    none(Kind::Number),
                    none(Kind::Date),
                    none(Kind::Date),
                    none(Kind::Bool),
                ]
            }
        }
    }

    /// The columns of a field of kind `k` from a JSON value `j` (DuckDB's JSON type),
    /// typed per value as the loader types a JSON node (`convert::to_value`).
    fn read_json(&self, k: Kind, j: &str) -> Vec<String> {
        let ty = format!("json_type({j})");
        let string = format!("CASE WHEN {ty} IN ('VARCHAR', 'BIGINT', 'UBIGINT') THEN json_extract_string({j}, '$') END");
        let number = format!(
            "CASE WHEN {ty} IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN CAST({j} AS DOUBLE) END"
        );
        let inf = |neg| tables::infinity(self.d, neg);
        let end = |key: &str, neg: bool| {
            format!(
                "COALESCE(CAST(json_extract({j}, '$.{key}') AS DOUBLE), {})",
                inf(neg)
            )
        };
        let object = format!("{ty} = 'OBJECT'");
        let range = format!(
            "({object} AND json_exists({j}, '$.min') OR {object} AND json_exists({j}, '$.max'))"
        );
        let interval = format!(
            "({object} AND json_exists({j}, '$.start') OR {object} AND json_exists({j}, '$.end'))"
        );
        let date_text = |key: &str| {
            let path = if key == "$" {
                "$".to_string()
            } else {
                format!("$.{key}")
            };
            format!("TRIM(json_extract_string({j}, '{path}'))")
        };
        let date = |hi: bool| {
            let (lo_t, hi_t) = self.date_bounds(&date_text("$"));
            let (start_lo, _) = self.date_bounds(&date_text("start"));
            let (_, end_hi) = self.date_bounds(&date_text("end"));
            let (one, open, key, bound) = if hi {
                (hi_t, OPEN_END, "end", end_hi)
            } else {
                (lo_t, OPEN_START, "start", start_lo)
            };
            format!(
                "CASE WHEN {ty} IN ('VARCHAR', 'BIGINT', 'UBIGINT') THEN {one} \
                 WHEN {interval} THEN CASE WHEN json_type(json_extract({j}, '$.{key}')) IS NULL \
                 OR json_type(json_extract({j}, '$.{key}')) = 'NULL' THEN {o} ELSE {bound} END END",
                o = self.open(open)
            )
        };
        match k {
            Kind::Text => vec![string],
            Kind::Bool => vec![format!("CASE WHEN {ty} = 'BOOLEAN' THEN CAST({j} AS BOOLEAN) END")],
            Kind::Number => vec![
                format!("CASE WHEN {range} THEN {} ELSE {number} END", end("min", true)),
                format!("CASE WHEN {range} THEN {} ELSE {number} END", end("max", false)),
                format!("CASE WHEN {range} THEN TRUE WHEN ({number}) IS NOT NULL THEN FALSE END"),
            ],
            Kind::Date => vec![
                date(false),
                date(true),
                format!(
                    "CASE WHEN {interval} THEN TRUE WHEN {ty} IN ('VARCHAR', 'BIGINT', 'UBIGINT') \
                     AND ({}) IS NOT NULL THEN FALSE END",
                    self.date_bounds(&date_text("$")).0
                ),
            ],
            Kind::List => vec![format!(
                "CASE WHEN {ty} = 'ARRAY' THEN list_transform(CAST({j} AS JSON[]), lambda x: \
                 CASE WHEN json_type(x) IN ('VARCHAR', 'BIGINT', 'UBIGINT') THEN json_extract_string(x, '$') END) END"
            )],
            Kind::Any => vec![
                format!(
                    "CASE WHEN {ty} = 'VARCHAR' THEN 'string' WHEN {ty} IN ('BIGINT', 'UBIGINT', 'DOUBLE') \
                     OR {range} THEN 'number' WHEN {interval} THEN 'date' WHEN {ty} = 'BOOLEAN' THEN 'bool' END"
                ),
                format!("CASE WHEN {ty} = 'VARCHAR' THEN json_extract_string({j}, '$') END"),
                format!("CASE WHEN {range} THEN {} ELSE {number} END", end("min", true)),
                format!("CASE WHEN {range} THEN {} ELSE {number} END", end("max", false)),
                format!("CASE WHEN {interval} THEN {} END", date(false)),
                format!("CASE WHEN {interval} THEN {} END", date(true)),
                format!("CASE WHEN {ty} = 'BOOLEAN' THEN CAST({j} AS BOOLEAN) END"),
            ],
        }
    }
}

/// Whether a path would be read as a glob pattern by DuckDB or Spark (and so might
/// name other files than itself).
fn globby(p: &str) -> bool {
    p.contains(['*', '?', '[', ']', '{', '}'])
}

/// How one collection is read: its place, and per file (for files) the fields it holds.
struct Read<'a> {
    place: Place,
    id: Option<&'a str>,
    order: Option<&'a str>,
    /// Lists of a typed source written as text (`a;b`).
    lists_text: bool,
    columns: Option<&'a BTreeMap<String, String>>,
    /// For the dataset's own files: the fields present in each file (a column a file
    /// lacks is NULL there); `None` for mapped sources (every column is read).
    present: Option<Vec<std::collections::BTreeSet<String>>>,
    /// Whether the ids are the records' numbers, as the loader gives them when the
    /// records have no id column.
    numbered: bool,
}

/// The views (or tables) of the collections `needed` names, over `mapping` and the
/// dataset's files; a warning per collection written as rows instead (`S0007`).
/// `unreadable` says why the loader read a file otherwise than an engine would (not
/// UTF-8, say), or `None`.
pub fn views(
    ds: &Dataset,
    dialect: Dialect,
    mapping: &Mapping,
    needed: &dyn Fn(&str) -> bool,
    unreadable: &dyn Fn(&str) -> Option<String>,
) -> Result<(String, Vec<Diagnostic>), Box<Diagnostic>> {
    let sql = Sql { d: dialect };
    let mut out = String::new();
    let mut warnings = Vec::new();
    let mut names: Vec<&str> = ds.collections.keys().map(String::as_str).collect();
    for n in mapping.collections.keys() {
        if !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    names.sort_unstable();
    let mut as_rows = Vec::new();
    for name in names {
        if !needed(name) {
            continue;
        }
        let read = match mapping.collections.get(name) {
            Some(s) => {
                if let Place::Files { format, .. } = &s.place {
                    if !format.readable(dialect) {
                        return Err(Box::new(
                            Diagnostic::error(
                                "S0006",
                                format!(
                                    "{} cannot read {} files from SQL",
                                    dialect.name(),
                                    format.name()
                                ),
                            )
                            .at(s.span.clone(), "mapped to files here")
                            .help(
                                "load them into a table and map the collection to it with `table:`",
                            ),
                        ));
                    }
                }
                Read {
                    place: s.place.clone(),
                    // the mapping's id column, else the schema's id field
                    id: s.id.as_deref().or_else(|| {
                        ds.schema
                            .collection(name)
                            .and_then(|c| c.id_field.as_deref())
                    }),
                    order: s.order.as_deref(),
                    lists_text: s.lists_text,
                    columns: Some(&s.columns),
                    present: None,
                    numbered: false,
                }
            }
            None => match own_files(ds, name, dialect, unreadable) {
                Ok(r) => r,
                Err(why) => {
                    as_rows.push((name.to_string(), why));
                    continue;
                }
            },
        };
        out.push_str(&view(ds, &sql, name, &read, needed)?);
    }
    if !as_rows.is_empty() {
        out.push_str(&tables::tables_of(ds, dialect, &|n| {
            as_rows.iter().any(|(r, _)| r == n)
        })?);
        let list: Vec<String> = as_rows
            .iter()
            .map(|(n, why)| format!("`{}` ({why})", n.escape_debug()))
            .collect();
        warnings.push(
            Diagnostic::warning(
                "S0007",
                format!(
                    "{} written as rows, not as views: {}",
                    if as_rows.len() == 1 { "a collection is" } else { "collections are" },
                    list.join(", ")
                ),
            )
            .help("map a collection to a warehouse table or to files with `--tables FILE` (docs/sql.md)"),
        );
    }
    Ok((out, warnings))
}

/// The dataset's own files of collection `name`, when `dialect` reads them all.
fn own_files<'a>(
    ds: &'a Dataset,
    name: &str,
    dialect: Dialect,
    unreadable: &dyn Fn(&str) -> Option<String>,
) -> Result<Read<'a>, String> {
    let Some(coll) = ds.collections.get(name) else {
        return Err("it has no records".into());
    };
    let mut files: Vec<(Arc<str>, std::collections::BTreeSet<String>)> = Vec::new();
    for r in &coll.records {
        if files.last().map(|(f, _)| f) != Some(&r.span.file) {
            if files.iter().any(|(f, _)| *f == r.span.file) {
                return Err("its files' records are interleaved".into());
            }
            files.push((r.span.file.clone(), Default::default()));
        }
        if let Some((_, seen)) = files.last_mut() {
            // the fields read from the file's cells (an id the loader made has no span)
            for (k, _) in r.field_spans.iter() {
                if !k.contains(['.', '[']) && !seen.contains(k) {
                    seen.insert(k.to_string());
                }
            }
        }
    }
    if files.is_empty() {
        return Err("it has no records".into());
    }
    let mut format = None;
    for (f, _) in &files {
        if let Some(why) = unreadable(f) {
            return Err(why);
        }
        let this = Format::of_path(f).filter(|x| *x != Format::Parquet);
        match (this, format) {
            (None, _) => {
                return Err(format!(
                    "`{}` is no CSV, TSV or JSON Lines file",
                    f.escape_debug()
                ))
            }
            (Some(t), Some(prev)) if t != prev => {
                return Err("its files are of different formats".into())
            }
            (Some(t), _) => format = Some(t),
        }
        if globby(f) {
            return Err(format!(
                "the path `{}` would be read as a pattern",
                f.escape_debug()
            ));
        }
    }
    let format = format.unwrap_or(Format::Csv);
    if !format.readable(dialect) {
        return Err(format!(
            "{} reads no {} files from SQL",
            dialect.name(),
            format.name()
        ));
    }
    let id_field = ds
        .schema
        .collection(name)
        .and_then(|c| c.id_field.as_deref());
    // no id column: the loader numbered the records (`1`, `2`, ... in load order)
    let numbered = id_field.is_none()
        && coll
            .records
            .iter()
            .all(|r| r.field_spans.get("id").is_none());
    let (paths, present) = files.into_iter().map(|(f, s)| (f.to_string(), s)).unzip();
    Ok(Read {
        place: Place::Files { format, paths },
        id: id_field,
        order: None,
        lists_text: false,
        columns: None,
        present: Some(present),
        numbered,
    })
}

/// `CREATE VIEW` of one collection.
fn view(
    ds: &Dataset,
    sql: &Sql,
    name: &str,
    read: &Read<'_>,
    needed: &dyn Fn(&str) -> bool,
) -> Result<String, Box<Diagnostic>> {
    let d = sql.d;
    let q = |s: &str| tables::name(d, s);
    let fields: Vec<(&str, Kind)> = tables::fields(ds, name)
        .into_iter()
        .filter(|(f, k)| {
            tables::columns(*k)
                .iter()
                .any(|(suffix, _)| needed(&format!("{f}{suffix}")))
        })
        .collect();
    let column_of = |f: &str| -> String {
        read.columns
            .and_then(|c| c.get(f))
            .map_or_else(|| f.to_string(), Clone::clone)
    };
    let id_col = read.id.map_or_else(|| column_of("id"), str::to_string);
    // the raw value of each column: text, or JSON for JSON Lines
    // typed columns: a warehouse table's, or Parquet's (lists as arrays, unless the
    // mapping says they are text)
    let typed = !read.lists_text
        && matches!(
            read.place,
            Place::Table(_)
                | Place::Files {
                    format: Format::Parquet,
                    ..
                }
        );
    let json = matches!(
        read.place,
        Place::Files {
            format: Format::JsonLines,
            ..
        }
    );
    let raw_name = |f: &str| format!("{f}:raw");
    let mut preamble = String::new();
    // one inner select per file (own files) or one for the whole source
    let sources: Vec<(String, Option<&std::collections::BTreeSet<String>>)> = match &read.place {
        Place::Table(parts) => {
            let mut quoted = Vec::new();
            for p in parts {
                quoted.push(q(p)?);
            }
            vec![(quoted.join("."), None)]
        }
        Place::Files { format, paths } => {
            let per_file = read.present.is_some() && d == Dialect::Spark;
            let groups: Vec<Vec<&String>> = if per_file {
                paths.iter().map(|p| vec![p]).collect()
            } else {
                vec![paths.iter().collect()]
            };
            let mut out = Vec::new();
            for (i, g) in groups.into_iter().enumerate() {
                let present =
                    read.present
                        .as_ref()
                        .and_then(|p| if per_file { p.get(i) } else { None });
                out.push((
                    reader(
                        sql,
                        &mut preamble,
                        name,
                        i,
                        *format,
                        &g,
                        &fields,
                        &id_col,
                        &column_of,
                    )?,
                    present,
                ));
            }
            out
        }
    };
    // fields present in any of the dataset's files (a column no file has is NULL)
    let anywhere: Option<std::collections::BTreeSet<String>> = read
        .present
        .as_ref()
        .map(|p| p.iter().flatten().cloned().collect());
    let has = |present: Option<&std::collections::BTreeSet<String>>, f: &str| match (
        present, &anywhere,
    ) {
        (Some(p), _) => p.contains(f),
        (None, Some(a)) => a.contains(f),
        (None, None) => true,
    };
    let mut inners = Vec::new();
    for (i, (from, present)) in sources.iter().enumerate() {
        let mut cols = Vec::new();
        match (&read.place, d) {
            // a table's order: a column of it (the id's, by default)
            (Place::Table(_), _) => {
                let by = read.order.unwrap_or(&id_col);
                cols.push(format!("{} AS {}", q(by)?, q("row:at")?));
            }
            // Spark: the order of the rows within a file, then the files in order
            (_, Dialect::Spark) => cols.push(format!(
                "{i} AS {}, monotonically_increasing_id() AS {}",
                q("file:at")?,
                q("row:at")?
            )),
            _ => {}
        }
        let id_text = if read.numbered {
            format!("CAST(NULL AS {})", sql.text_type())
        } else if json {
            format!("json_extract_string({}, '$')", q(&id_col)?)
        } else {
            sql.text(&q(&id_col)?)
        };
        cols.push(format!("{id_text} AS {}", q("id")?));
        for (f, k) in &fields {
            let col = column_of(f);
            // a list in a table or in Parquet is an array column; in CSV, `a;b` text
            let array = typed && *k == Kind::List;
            let value = if !has(*present, f) {
                let t = if json {
                    "JSON"
                } else if array {
                    tables::type_name(d, Kind::List)
                } else {
                    sql.text_type()
                };
                format!("CAST(NULL AS {t})")
            } else if json {
                q(&col)?
            } else if array {
                format!("CAST({} AS {})", q(&col)?, tables::type_name(d, Kind::List))
            } else {
                sql.text(&q(&col)?)
            };
            cols.push(format!("{value} AS {}", q(&raw_name(f))?));
        }
        inners.push(format!("SELECT {} FROM {from}", cols.join(", ")));
    }
    let rows = q(":rows")?;
    // `_pos`: the records' order. Files keep theirs (DuckDB reads them in order);
    // a table has none, so the mapping's `order` column (the id's by default) gives it
    let pos = match (&read.place, d) {
        (Place::Table(_), _) => format!(
            "ROW_NUMBER() OVER (ORDER BY {rows}.{}, {rows}.{}) - 1",
            q("row:at")?,
            q("id")?
        ),
        (_, Dialect::Spark) => format!(
            "ROW_NUMBER() OVER (ORDER BY {rows}.{}, {rows}.{}) - 1",
            q("file:at")?,
            q("row:at")?
        ),
        _ => "ROW_NUMBER() OVER () - 1".to_string(),
    };
    let id = if read.numbered {
        format!("CAST({pos} + 1 AS {})", sql.text_type())
    } else {
        format!("{rows}.{}", q("id")?)
    };
    let mut outer = vec![
        format!("{pos} AS {}", q("_pos")?),
        format!("{id} AS {}", q("id")?),
    ];
    // numbers and dates read from text are parsed once, in a select of their own
    let raw_rows = q(":raw")?;
    let mut parsed = Vec::new();
    for (f, k) in &fields {
        let raw = format!("{rows}.{}", q(&raw_name(f))?);
        let exprs = if json {
            sql.read_json(*k, &raw)
        } else if typed && *k == Kind::List {
            vec![raw.clone()]
        } else if matches!(k, Kind::Number | Kind::Date) {
            let inner = format!("{raw_rows}.{}", q(&raw_name(f))?);
            for (suffix, e) in sql.parse(*k, &inner) {
                parsed.push(format!("{e} AS {}", q(&format!("{f}{suffix}"))?));
            }
            let mut names = Vec::new();
            for suffix in [":n", ":lo", ":hi"] {
                names.push((suffix, format!("{rows}.{}", q(&format!("{f}{suffix}"))?)));
            }
            let col = |suffix: &str| {
                names
                    .iter()
                    .find(|(s, _)| *s == suffix)
                    .map_or_else(String::new, |(_, n)| n.clone())
            };
            sql.read_parsed(*k, &col)
        } else {
            sql.read_text(*k, &raw)
        };
        for ((suffix, kind), e) in tables::columns(*k).iter().zip(exprs) {
            let t = tables::type_name(d, *kind);
            outer.push(format!(
                "CAST({e} AS {t}) AS {}",
                q(&format!("{f}{suffix}"))?
            ));
        }
    }
    let view = q(name)?;
    let create = match d {
        Dialect::Spark => "CREATE OR REPLACE TEMPORARY VIEW",
        Dialect::Postgres => "CREATE OR REPLACE TEMPORARY VIEW",
        _ => "CREATE OR REPLACE VIEW",
    };
    let mut from = inners.join("\n  UNION ALL ");
    if !parsed.is_empty() {
        from = format!(
            "SELECT {raw_rows}.*,\n    {}\n  FROM ({from}) AS {raw_rows}",
            parsed.join(",\n    ")
        );
    }
    Ok(format!(
        "{preamble}{create} {view} AS\nSELECT {}\nFROM ({from}) AS {rows};\n",
        outer.join(",\n  "),
    ))
}

/// The engine's reader of `paths` of `format`, with a column per field read.
#[allow(clippy::too_many_arguments)]
fn reader(
    sql: &Sql,
    preamble: &mut String,
    name: &str,
    at: usize,
    format: Format,
    paths: &[&String],
    fields: &[(&str, Kind)],
    id_col: &str,
    column_of: &dyn Fn(&str) -> String,
) -> Result<String, Box<Diagnostic>> {
    let mut lits = Vec::new();
    for p in paths {
        lits.push(sql.lit(p)?);
    }
    let list = format!("[{}]", lits.join(", "));
    Ok(match (sql.d, format) {
        (Dialect::DuckDb, Format::Csv | Format::Tsv) => {
            let (delim, quote) = if format == Format::Tsv {
                ("\t", "")
            } else {
                (",", "\"")
            };
            format!(
                "read_csv({list}, header = true, all_varchar = true, union_by_name = true, \
                 delim = {}, quote = {}, escape = {}, auto_detect = true)",
                sql.lit(delim)?,
                sql.lit(quote)?,
                sql.lit(quote)?
            )
        }
        (Dialect::DuckDb, Format::JsonLines) => {
            let mut cols = vec![format!("{}: 'JSON'", sql.lit(id_col)?)];
            for (f, _) in fields {
                let c = column_of(f);
                if c != id_col {
                    cols.push(format!("{}: 'JSON'", sql.lit(&c)?));
                }
            }
            format!(
                "read_json({list}, format = 'newline_delimited', records = true, columns = {{{}}})",
                cols.join(", ")
            )
        }
        (Dialect::DuckDb, Format::Parquet) => format!("read_parquet({list}, union_by_name = true)"),
        (Dialect::Spark, _) => {
            // a data source with options is a temporary view of its own in Spark SQL
            let (fmt, opts) = match format {
                Format::Parquet => ("parquet", String::new()),
                Format::Tsv => (
                    "csv",
                    format!(", header 'true', sep {}, quote ''", sql.lit("\t")?),
                ),
                _ => (
                    "csv",
                    ", header 'true', multiLine 'true', escape '\"'".to_string(),
                ),
            };
            let raw = tables::name(sql.d, &format!("{name}:file:{at}"))?;
            preamble.push_str(&format!(
                "CREATE OR REPLACE TEMPORARY VIEW {raw} USING {fmt} OPTIONS (path {}{opts});\n",
                lits.join(", ")
            ));
            raw
        }
        (d, f) => {
            return Err(Box::new(Diagnostic::error(
                "S0006",
                format!("{} cannot read {} files from SQL", d.name(), f.name()),
            )))
        }
    })
}
