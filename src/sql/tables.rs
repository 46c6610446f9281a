//! The dataset side of `factlint sql --with-data`: the tables the queries read
//! (docs/sql.md), made from a loaded dataset as `CREATE TABLE` and `INSERT`
//! statements of one dialect. For examples, fixtures and tests of equal semantics;
//! data at scale stays where it is (views over its files, or warehouse tables).

use super::{date, quote, Dialect, HI, OPEN_END, OPEN_START, RANGE, SPAN};
use crate::data::schema::FieldType;
use crate::data::{Dataset, Value};
use crate::diag::Diagnostic;

/// The kind of column a field becomes.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    Text,
    Bool,
    /// Lower bound in the field's column, upper bound in `<field>:hi`.
    Number,
    Date,
    /// A list of strings or ids.
    List,
    /// A value of any type: its kind and a column per kind.
    Any,
}

fn kind(t: &FieldType) -> Option<Kind> {
    match t {
        FieldType::String | FieldType::Enum(_) | FieldType::Ref(_) | FieldType::File => {
            Some(Kind::Text)
        }
        FieldType::Bool => Some(Kind::Bool),
        FieldType::Number => Some(Kind::Number),
        FieldType::Date => Some(Kind::Date),
        FieldType::Any => Some(Kind::Any),
        FieldType::List(item)
            if matches!(
                **item,
                FieldType::String | FieldType::Enum(_) | FieldType::Ref(_)
            ) =>
        {
            Some(Kind::List)
        }
        _ => None,
    }
}

/// The SQL type of a column of kind `k` in `d`.
pub(crate) fn type_name(d: Dialect, k: Kind) -> &'static str {
    match (d, k) {
        (Dialect::DuckDb, Kind::Text) => "VARCHAR",
        (Dialect::Postgres, Kind::Text) => "TEXT",
        (Dialect::Spark | Dialect::BigQuery, Kind::Text) => "STRING",
        (Dialect::BigQuery, Kind::Bool) => "BOOL",
        (_, Kind::Bool) => "BOOLEAN",
        (Dialect::BigQuery, Kind::Number) => "FLOAT64",
        (Dialect::Postgres, Kind::Number) => "DOUBLE PRECISION",
        (_, Kind::Number) => "DOUBLE",
        (_, Kind::Date) => "DATE",
        (Dialect::DuckDb, Kind::List) => "VARCHAR[]",
        (Dialect::Postgres, Kind::List) => "TEXT[]",
        (Dialect::Spark | Dialect::BigQuery, Kind::List) => "ARRAY<STRING>",
        (d, Kind::Any) => type_name(d, Kind::Text),
    }
}

/// Infinity (or minus infinity) as a double of `d`: the open end of a range.
pub(crate) fn infinity(d: Dialect, negative: bool) -> String {
    let t = type_name(d, Kind::Number);
    let sign = if negative { "-" } else { "" };
    match d {
        Dialect::BigQuery => format!("CAST('{sign}inf' AS {t})"),
        _ => format!("CAST('{sign}Infinity' AS {t})"),
    }
}

fn number(d: Dialect, n: f64) -> String {
    if n.is_finite() {
        super::number(n)
    } else {
        infinity(d, n < 0.0)
    }
}

/// The columns of a field of type `any`, after its name, with their kinds: its kind,
/// then a value column per kind (`Compiler::expr` reads them in this order).
pub(crate) const ANY_COLUMNS: [(&str, Kind); 7] = [
    (":kind", Kind::Text),
    ("", Kind::Text),
    (":num", Kind::Number),
    (":num:hi", Kind::Number),
    (":date", Kind::Date),
    (":date:hi", Kind::Date),
    (":bool", Kind::Bool),
];
const NUMBER_COLUMNS: [(&str, Kind); 3] =
    [("", Kind::Number), (HI, Kind::Number), (RANGE, Kind::Bool)];
const DATE_COLUMNS: [(&str, Kind); 3] = [("", Kind::Date), (HI, Kind::Date), (SPAN, Kind::Bool)];

/// The columns a field of kind `k` becomes, after its name, with their kinds.
pub(crate) fn columns(k: Kind) -> &'static [(&'static str, Kind)] {
    match k {
        Kind::Number => &NUMBER_COLUMNS,
        Kind::Date => &DATE_COLUMNS,
        Kind::Any => &ANY_COLUMNS,
        Kind::Text => &[("", Kind::Text)],
        Kind::Bool => &[("", Kind::Bool)],
        Kind::List => &[("", Kind::List)],
    }
}

/// The value of one column of one row, before a dialect writes it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell<'a> {
    Null,
    Bool(bool),
    /// A bound of a number: infinite for an open end of a range.
    Number(f64),
    Text(&'a str),
    /// A bound of a date: the first or last day SQL dates hold for an open end.
    Date(chrono::NaiveDate),
    /// A list of strings; an item of another type is NULL.
    List(Vec<Option<&'a str>>),
}

/// An open end of a date interval as the first or last day SQL dates hold.
fn day(d: Option<chrono::NaiveDate>, open: &str) -> Cell<'static> {
    Cell::Date(d.unwrap_or_else(|| {
        chrono::NaiveDate::parse_from_str(open, "%Y-%m-%d").expect("a valid date constant")
    }))
}

fn bound(n: Option<f64>, negative: bool) -> Cell<'static> {
    Cell::Number(n.unwrap_or(if negative {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    }))
}

/// The values of the columns of a field of kind `k` holding `v`; `None` for a value
/// of type `any` that none of its columns holds (a list, a map, a duration).
pub(crate) fn values(k: Kind, v: Option<&Value>) -> Option<Vec<Cell<'_>>> {
    let mut out = vec![Cell::Null; columns(k).len()];
    match (k, v) {
        (_, None | Some(Value::Null)) => {}
        (Kind::Text, Some(Value::Str(s))) => out[0] = Cell::Text(s),
        (Kind::Bool, Some(Value::Bool(b))) => out[0] = Cell::Bool(*b),
        (Kind::Number, Some(Value::Number(n))) => {
            out = vec![Cell::Number(*n), Cell::Number(*n), Cell::Bool(false)];
        }
        (Kind::Number, Some(Value::Range { min, max })) => {
            out = vec![bound(*min, true), bound(*max, false), Cell::Bool(true)];
        }
        (Kind::Date, Some(Value::Time(t))) => {
            let spanned = t.precision == crate::data::Precision::Interval;
            out = vec![
                day(t.start, OPEN_START),
                day(t.end, OPEN_END),
                Cell::Bool(spanned),
            ];
        }
        (Kind::List, Some(Value::List(items))) => {
            out[0] = Cell::List(
                items
                    .iter()
                    .map(|it| match it {
                        Value::Str(x) => Some(&**x),
                        _ => None,
                    })
                    .collect(),
            );
        }
        // a value of type any, in the column of its kind (see ANY_COLUMNS)
        (Kind::Any, Some(v)) => match v {
            Value::Str(s) => {
                out[0] = Cell::Text("string");
                out[1] = Cell::Text(s);
            }
            Value::Number(n) => {
                out[0] = Cell::Text("number");
                out[2] = Cell::Number(*n);
                out[3] = Cell::Number(*n);
            }
            Value::Range { min, max } => {
                out[0] = Cell::Text("number");
                out[2] = bound(*min, true);
                out[3] = bound(*max, false);
            }
            Value::Time(t) => {
                out[0] = Cell::Text("date");
                out[4] = day(t.start, OPEN_START);
                out[5] = day(t.end, OPEN_END);
            }
            Value::Bool(b) => {
                out[0] = Cell::Text("bool");
                out[6] = Cell::Bool(*b);
            }
            _ => return None,
        },
        // a value of another type (a data error already reported): missing
        (_, Some(_)) => {}
    }
    Some(out)
}

/// A cell as a SQL literal of `dialect`.
fn literal(
    dialect: Dialect,
    cell: &Cell<'_>,
    lit: &dyn Fn(&str) -> Result<String, Box<Diagnostic>>,
) -> Result<String, Box<Diagnostic>> {
    Ok(match cell {
        Cell::Null => "NULL".into(),
        Cell::Bool(b) => b.to_string().to_uppercase(),
        Cell::Number(n) => number(dialect, *n),
        Cell::Text(s) => lit(s)?,
        Cell::Date(d) => date(*d),
        Cell::List(items) => {
            let mut quoted = Vec::with_capacity(items.len());
            for it in items {
                quoted.push(match it {
                    Some(x) => lit(x)?,
                    None => "NULL".into(),
                });
            }
            let t = type_name(dialect, Kind::List);
            let q = quoted.join(", ");
            match dialect {
                Dialect::DuckDb => format!("CAST([{q}] AS {t})"),
                Dialect::Postgres => format!("CAST(ARRAY[{q}] AS {t})"),
                Dialect::Spark => format!("CAST(ARRAY({q}) AS {t})"),
                Dialect::BigQuery => format!("{t}[{q}]"),
            }
        }
    })
}

/// The fields of collection `name` that become columns, with their kinds, in schema
/// order (`id` is a column of its own).
pub(crate) fn fields<'s>(ds: &'s Dataset, name: &str) -> Vec<(&'s str, Kind)> {
    ds.schema
        .collection(name)
        .map(|c| {
            c.fields
                .values()
                .filter(|f| f.name != "id")
                .filter_map(|f| kind(&f.ty).map(|k| (f.name.as_str(), k)))
                .collect()
        })
        .unwrap_or_default()
}

/// `S0002`: a value of type `any` that no column holds.
pub(crate) fn unheld(
    collection: &str,
    id: &str,
    field: &str,
    v: Option<&Value>,
) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            "S0002",
            format!(
                "`{}` of `{collection}` record `{}` is a {}: no SQL column of a value of type any holds one",
                field.escape_debug(),
                id.escape_debug(),
                v.map_or("value", Value::type_name)
            ),
        )
        .help("the tables hold strings, numbers, ranges, dates and booleans in a field of type any"),
    )
}

/// A name quoted for `dialect`, or `S0002` when it cannot be.
pub(crate) fn name(dialect: Dialect, s: &str) -> Result<String, Box<Diagnostic>> {
    quote::ident(dialect, s).map_err(|why| -> Box<Diagnostic> {
        Box::new(
            Diagnostic::error(
                "S0002",
                format!(
                    "the name `{}` cannot be a {} name: it holds {why}",
                    s.escape_debug(),
                    dialect.name()
                ),
            )
            .help("rename the collection or field in the schema"),
        )
    })
}

/// A string literal of `dialect`, or `S0002` when it cannot be written.
fn string(dialect: Dialect, s: &str) -> Result<String, Box<Diagnostic>> {
    quote::string(dialect, s).map_err(|why| -> Box<Diagnostic> {
        Box::new(
            Diagnostic::error(
                "S0002",
                format!(
                    "a value cannot be written in {}: it holds {why}",
                    dialect.name()
                ),
            )
            .help("leave the value out of the tables, or run the rules with the native engine"),
        )
    })
}

/// The columns of a table holding `fields` (see `fields`), quoted, with their SQL
/// types: `_pos`, `id`, then the columns of each field in order.
pub(crate) fn table_columns(
    fields: &[(&str, Kind)],
    dialect: Dialect,
) -> Result<Vec<(String, &'static str)>, Box<Diagnostic>> {
    let mut cols = vec![
        (name(dialect, "_pos")?, "BIGINT"),
        (name(dialect, "id")?, type_name(dialect, Kind::Text)),
    ];
    for &(f, k) in fields {
        for (suffix, kind) in columns(k) {
            cols.push((
                name(dialect, &format!("{f}{suffix}"))?,
                type_name(dialect, *kind),
            ));
        }
    }
    Ok(cols)
}

/// The statements that create and fill one table per collection, in collection order,
/// rows in load order (`_pos`).
pub fn tables(ds: &Dataset, dialect: Dialect) -> Result<String, Box<Diagnostic>> {
    tables_of(ds, dialect, &|_| true)
}

/// `tables` of the collections `keep` says.
pub(crate) fn tables_of(
    ds: &Dataset,
    dialect: Dialect,
    keep: &dyn Fn(&str) -> bool,
) -> Result<String, Box<Diagnostic>> {
    let q = |s: &str| name(dialect, s);
    let lit = |s: &str| string(dialect, s);
    let mut out = String::new();
    for (name, coll) in ds.collections.iter().filter(|(n, _)| keep(n)) {
        let fields = fields(ds, name);
        let cols = table_columns(&fields, dialect)?;
        let table = q(name)?;
        // Spark's catalog refuses some quoted names for tables it writes: a
        // temporary view over typed rows holds the same, in memory
        let spark = dialect == Dialect::Spark;
        let mut rows = Vec::new();
        if !spark {
            let defs: Vec<String> = cols.iter().map(|(n, t)| format!("{n} {t}")).collect();
            out.push_str(&format!("CREATE TABLE {table} ({});\n", defs.join(", ")));
        }
        for (pos, r) in coll.records.iter().enumerate() {
            let mut vals = vec![pos.to_string(), lit(&r.id)?];
            for (f, k) in &fields {
                let Some(v) = values(*k, r.get(f)) else {
                    return Err(unheld(name, &r.id, f, r.get(f)));
                };
                for c in &v {
                    vals.push(literal(dialect, c, &lit)?);
                }
            }
            if spark {
                let typed: Vec<String> = vals
                    .iter()
                    .zip(&cols)
                    .map(|(v, (_, t))| format!("CAST({v} AS {t})"))
                    .collect();
                rows.push(format!("({})", typed.join(", ")));
            } else {
                out.push_str(&format!(
                    "INSERT INTO {table} VALUES ({});\n",
                    vals.join(", ")
                ));
            }
        }
        if spark {
            let body = if rows.is_empty() {
                let nulls: Vec<String> = cols
                    .iter()
                    .map(|(n, t)| format!("CAST(NULL AS {t}) AS {n}"))
                    .collect();
                format!("SELECT {} WHERE FALSE", nulls.join(", "))
            } else {
                let v = q(":rows")?;
                let names: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
                format!(
                    "SELECT * FROM VALUES {} AS {v}({})",
                    rows.join(",\n  "),
                    names.join(", ")
                )
            };
            out.push_str(&format!(
                "CREATE OR REPLACE TEMPORARY VIEW {table} AS {body};\n"
            ));
        }
    }
    Ok(out)
}
