//! The dataset side of `factlint sql --with-data`: the tables the queries read
//! (docs/sql.md), made from a loaded dataset as `CREATE TABLE` and `INSERT`
//! statements of one dialect. For examples, fixtures and tests of equal semantics;
//! data at scale stays where it is (views over its files, or warehouse tables).

use super::{quote, Dialect, HI, OPEN_END, OPEN_START, RANGE, SPAN};
use crate::data::schema::FieldType;
use crate::data::{Dataset, Value};
use crate::diag::Diagnostic;

/// The kind of column a field becomes.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
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
        FieldType::String | FieldType::Enum(_) | FieldType::Ref(_) => Some(Kind::Text),
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

fn type_name(d: Dialect, k: Kind) -> &'static str {
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

fn infinity(d: Dialect, negative: bool) -> String {
    let t = type_name(d, Kind::Number);
    let sign = if negative { "-" } else { "" };
    match d {
        Dialect::BigQuery => format!("CAST('{sign}inf' AS {t})"),
        _ => format!("CAST('{sign}Infinity' AS {t})"),
    }
}

fn number(d: Dialect, n: Option<f64>, negative: bool) -> String {
    match n {
        Some(n) if n.is_finite() => super::number(n),
        Some(n) => infinity(d, n < 0.0),
        None => infinity(d, negative),
    }
}

/// The columns of a field of type `any`, after its name, with their kinds.
const ANY_COLUMNS: [(&str, Kind); 7] = [
    (":kind", Kind::Text),
    ("", Kind::Text),
    (":num", Kind::Number),
    (":num:hi", Kind::Number),
    (":date", Kind::Date),
    (":date:hi", Kind::Date),
    (":bool", Kind::Bool),
];

/// The statements that create and fill one table per collection, in collection order,
/// rows in load order (`_pos`).
pub fn tables(ds: &Dataset, dialect: Dialect) -> Result<String, Box<Diagnostic>> {
    let q = |s: &str| {
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
    };
    let lit =
        |s: &str| {
            quote::string(dialect, s).map_err(|why| -> Box<Diagnostic> {
                Box::new(Diagnostic::error(
                "S0002",
                format!(
                    "a value cannot be written in {}: it holds {why}",
                    dialect.name()
                ),
            )
            .help("leave the value out of the tables, or run the rules with the native engine"))
            })
        };
    let mut out = String::new();
    for (name, coll) in &ds.collections {
        let fields: Vec<(&str, Kind)> = ds
            .schema
            .collection(name)
            .map(|c| {
                c.fields
                    .values()
                    .filter(|f| f.name != "id")
                    .filter_map(|f| kind(&f.ty).map(|k| (f.name.as_str(), k)))
                    .collect()
            })
            .unwrap_or_default();
        let mut cols = vec![
            format!("{} BIGINT", q("_pos")?),
            format!("{} {}", q("id")?, type_name(dialect, Kind::Text)),
        ];
        for (f, k) in &fields {
            if *k == Kind::Any {
                for (suffix, kind) in ANY_COLUMNS {
                    cols.push(format!(
                        "{} {}",
                        q(&format!("{f}{suffix}"))?,
                        type_name(dialect, kind)
                    ));
                }
                continue;
            }
            cols.push(format!("{} {}", q(f)?, type_name(dialect, *k)));
            if matches!(k, Kind::Number | Kind::Date) {
                cols.push(format!(
                    "{} {}",
                    q(&format!("{f}{HI}"))?,
                    type_name(dialect, *k)
                ));
            }
            if matches!(k, Kind::Number | Kind::Date) {
                let flag = if *k == Kind::Date { SPAN } else { RANGE };
                cols.push(format!(
                    "{} {}",
                    q(&format!("{f}{flag}"))?,
                    type_name(dialect, Kind::Bool)
                ));
            }
        }
        let table = q(name)?;
        // Spark's catalog refuses some quoted names for tables it writes: a
        // temporary view over typed rows holds the same, in memory
        let spark = dialect == Dialect::Spark;
        let (names, types): (Vec<&str>, Vec<&str>) = cols
            .iter()
            .map(|c| c.rsplit_once(' ').unwrap_or((c.as_str(), "")))
            .unzip();
        let mut rows = Vec::new();
        if !spark {
            out.push_str(&format!("CREATE TABLE {table} ({});\n", cols.join(", ")));
        }
        for (pos, r) in coll.records.iter().enumerate() {
            let mut vals = vec![pos.to_string(), lit(&r.id)?];
            for (f, k) in &fields {
                let v = r.get(f);
                if *k == Kind::Any {
                    // kind, string, number bounds, date bounds, bool
                    let mut row = vec!["NULL".to_string(); ANY_COLUMNS.len()];
                    let day = |d: Option<chrono::NaiveDate>, or: &str| {
                        format!(
                            "DATE '{}'",
                            d.map_or(or.to_string(), |d| d.format("%Y-%m-%d").to_string())
                        )
                    };
                    match v {
                        None | Some(Value::Null) => {}
                        Some(Value::Str(s)) => {
                            row[0] = "'string'".into();
                            row[1] = lit(s)?;
                        }
                        Some(Value::Number(n)) => {
                            row[0] = "'number'".into();
                            row[2] = number(dialect, Some(*n), true);
                            row[3] = number(dialect, Some(*n), false);
                        }
                        Some(Value::Range { min, max }) => {
                            row[0] = "'number'".into();
                            row[2] = number(dialect, *min, true);
                            row[3] = number(dialect, *max, false);
                        }
                        Some(Value::Time(t)) => {
                            row[0] = "'date'".into();
                            row[4] = day(t.start, OPEN_START);
                            row[5] = day(t.end, OPEN_END);
                        }
                        Some(Value::Bool(b)) => {
                            row[0] = "'bool'".into();
                            row[6] = b.to_string().to_uppercase();
                        }
                        Some(other) => {
                            return Err(Box::new(
                                Diagnostic::error(
                                    "S0002",
                                    format!(
                                        "`{}` of `{name}` record `{}` is a {}: no SQL column of a value of type any holds one",
                                        f.escape_debug(),
                                        r.id.escape_debug(),
                                        other.type_name()
                                    ),
                                )
                                .help("the tables hold strings, numbers, ranges, dates and booleans in a field of type any"),
                            ))
                        }
                    }
                    vals.extend(row);
                    continue;
                }
                match (k, v) {
                    (_, None | Some(Value::Null)) => {
                        vals.push("NULL".into());
                        if matches!(k, Kind::Number | Kind::Date) {
                            vals.push("NULL".into());
                        }
                        if matches!(k, Kind::Number | Kind::Date) {
                            vals.push("NULL".into());
                        }
                    }
                    (Kind::Text, Some(Value::Str(s))) => vals.push(lit(s)?),
                    (Kind::Bool, Some(Value::Bool(b))) => vals.push(b.to_string().to_uppercase()),
                    (Kind::Number, Some(Value::Number(n))) => {
                        vals.push(number(dialect, Some(*n), true));
                        vals.push(number(dialect, Some(*n), false));
                        vals.push("FALSE".into());
                    }
                    (Kind::Number, Some(Value::Range { min, max })) => {
                        vals.push(number(dialect, *min, true));
                        vals.push(number(dialect, *max, false));
                        vals.push("TRUE".into());
                    }
                    (Kind::List, Some(Value::List(items))) => {
                        let mut quoted = Vec::with_capacity(items.len());
                        for it in items {
                            match it {
                                Value::Str(x) => quoted.push(lit(x)?),
                                _ => quoted.push("NULL".into()),
                            }
                        }
                        let t = type_name(dialect, Kind::List);
                        let q = quoted.join(", ");
                        vals.push(match dialect {
                            Dialect::DuckDb => format!("CAST([{q}] AS {t})"),
                            Dialect::Postgres => format!("CAST(ARRAY[{q}] AS {t})"),
                            Dialect::Spark => format!("CAST(ARRAY({q}) AS {t})"),
                            Dialect::BigQuery => format!("{t}[{q}]"),
                        });
                    }
                    (Kind::Date, Some(Value::Time(t))) => {
                        // open ends as the first and last days SQL dates hold
                        let day = |d: Option<chrono::NaiveDate>, or: &str| {
                            format!(
                                "DATE '{}'",
                                d.map_or(or.to_string(), |d| d.format("%Y-%m-%d").to_string())
                            )
                        };
                        vals.push(day(t.start, OPEN_START));
                        vals.push(day(t.end, OPEN_END));
                        let spanned = t.precision == crate::data::Precision::Interval;
                        vals.push(spanned.to_string().to_uppercase());
                    }
                    // a value of another type (a data error already reported): missing
                    (_, Some(_)) => {
                        vals.push("NULL".into());
                        if matches!(k, Kind::Number | Kind::Date) {
                            vals.push("NULL".into());
                        }
                        if matches!(k, Kind::Number | Kind::Date) {
                            vals.push("NULL".into());
                        }
                    }
                }
            }
            if spark {
                let typed: Vec<String> = vals
                    .iter()
                    .zip(&types)
                    .map(|(v, t)| format!("CAST({v} AS {t})"))
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
                let nulls: Vec<String> = names
                    .iter()
                    .zip(&types)
                    .map(|(n, t)| format!("CAST(NULL AS {t}) AS {n}"))
                    .collect();
                format!("SELECT {} WHERE FALSE", nulls.join(", "))
            } else {
                let v = q(":rows")?;
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
