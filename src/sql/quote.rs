//! Quoting for each SQL dialect: one function for identifiers and one for string
//! literals per dialect, and nothing else in the crate writes a name or a string into
//! SQL. A name or a string holding quotes, backticks, backslashes, semicolons, comment
//! markers or line breaks stays one token that means exactly itself.

use super::Dialect;

/// Why a name or a string cannot be written in a dialect (the caller locates it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unquotable {
    /// A NUL character: no dialect's text type holds one faithfully.
    Nul,
    /// An empty identifier (BigQuery, Spark and PostgreSQL refuse `""`).
    Empty,
    /// Longer than the dialect keeps (PostgreSQL cuts names at 63 bytes, silently).
    TooLong(usize),
}

impl std::fmt::Display for Unquotable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unquotable::Nul => f.write_str("a NUL character"),
            Unquotable::Empty => f.write_str("an empty name"),
            Unquotable::TooLong(n) => write!(f, "a name longer than {n} bytes"),
        }
    }
}

/// PostgreSQL's `NAMEDATALEN - 1`: longer names are cut, so two names could become one.
const POSTGRES_MAX_NAME: usize = 63;

/// `name` as a quoted identifier of `dialect`.
pub fn ident(dialect: Dialect, name: &str) -> Result<String, Unquotable> {
    if name.contains('\0') {
        return Err(Unquotable::Nul);
    }
    if name.is_empty() {
        return Err(Unquotable::Empty);
    }
    Ok(match dialect {
        // SQL standard: double quotes, a quote doubled
        Dialect::DuckDb => format!("\"{}\"", name.replace('"', "\"\"")),
        Dialect::Postgres => {
            if name.len() > POSTGRES_MAX_NAME {
                return Err(Unquotable::TooLong(POSTGRES_MAX_NAME));
            }
            format!("\"{}\"", name.replace('"', "\"\""))
        }
        // Spark: backticks, a backtick doubled; nothing else is special inside
        Dialect::Spark => format!("`{}`", name.replace('`', "``")),
        // BigQuery: backticks with the escapes of its string literals
        Dialect::BigQuery => format!("`{}`", escape_bigquery(name)),
    })
}

/// Every name double-quoted in DuckDB SQL written by this module (`ident`), read
/// back: quoted names, skipping string literals. A superset of the tables and
/// columns a query reads (a column alias is a name too).
pub fn duckdb_names(sql: &str) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '"' && c != '\'' {
            continue;
        }
        // a quoted name or a string: the quote doubled stands for itself
        let mut text = String::new();
        while let Some(d) = chars.next() {
            if d == c {
                if chars.peek() == Some(&c) {
                    chars.next();
                    text.push(c);
                    continue;
                }
                break;
            }
            text.push(d);
        }
        if c == '"' {
            out.insert(text);
        }
    }
    out
}

/// `s` as a string literal of `dialect`.
pub fn string(dialect: Dialect, s: &str) -> Result<String, Unquotable> {
    if s.contains('\0') {
        return Err(Unquotable::Nul);
    }
    Ok(match dialect {
        // standard strings: a quote doubled, backslashes are themselves
        // (PostgreSQL's standard_conforming_strings, on since 9.1, is assumed; an E''
        // string would be read the same either way, so use that form to be sure)
        Dialect::DuckDb => format!("'{}'", s.replace('\'', "''")),
        Dialect::Postgres => {
            let mut out = String::from("E'");
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\'' => out.push_str("''"),
                    c => out.push(c),
                }
            }
            out.push('\'');
            out
        }
        // Spark reads backslash escapes in literals: escape the escape and the quote
        Dialect::Spark => {
            let mut out = String::from("'");
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\'' => out.push_str("\\'"),
                    c => out.push(c),
                }
            }
            out.push('\'');
            out
        }
        Dialect::BigQuery => format!("'{}'", escape_bigquery(s)),
    })
}

/// BigQuery's escapes for quoted strings and identifiers: a backslash before the
/// quotes and the backslash, `\uXXXX` for every control character (a single-quoted
/// string may not hold a line break).
fn escape_bigquery(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '`' => out.push_str("\\`"),
            c if c.is_control() => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Read one quoted token of `dialect` from the start of `sql`: what it means and
    /// the rest of the text, as the dialect's lexer would (for the forms written above).
    fn lex(dialect: Dialect, sql: &str, ident: bool) -> Option<(String, String)> {
        let mut chars = sql.chars();
        let open = chars.next()?;
        let rest: String = chars.collect();
        let (escapes, doubled) = match (dialect, ident) {
            (Dialect::DuckDb, _) | (Dialect::Postgres, true) => (false, true),
            (Dialect::Postgres, false) => {
                // E'...': backslash escapes and doubled quotes
                let inner = rest.strip_prefix('\'')?;
                return lex_body(inner, '\'', true, true);
            }
            (Dialect::Spark, true) => (false, true),
            (Dialect::Spark, false) | (Dialect::BigQuery, _) => (true, false),
        };
        lex_body(&rest, open, escapes, doubled)
    }

    fn lex_body(body: &str, close: char, escapes: bool, doubled: bool) -> Option<(String, String)> {
        let mut out = String::new();
        let mut it = body.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            if escapes && c == '\\' {
                let (_, e) = it.next()?;
                match e {
                    'u' => {
                        let hex: String = (0..4).filter_map(|_| it.next().map(|x| x.1)).collect();
                        let unit = u32::from_str_radix(&hex, 16).ok()?;
                        out.push(char::from_u32(unit)?);
                    }
                    other => out.push(other),
                }
            } else if c == close {
                if doubled && it.peek().map(|x| x.1) == Some(close) {
                    it.next();
                    out.push(close);
                } else {
                    return Some((out, body[i + c.len_utf8()..].to_string()));
                }
            } else {
                out.push(c);
            }
        }
        None
    }

    const DIALECTS: [Dialect; 4] = [
        Dialect::DuckDb,
        Dialect::Spark,
        Dialect::BigQuery,
        Dialect::Postgres,
    ];

    fn hostile() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                "a",
                "'",
                "\"",
                "`",
                "\\",
                ";",
                "--",
                "/*",
                "*/",
                "#",
                "\n",
                "\r",
                "\t",
                "é",
                "\u{2028}",
                "$$",
                " ",
                "x",
                "DROP TABLE t",
                "\u{7f}",
                "🙂",
            ]),
            1..12,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        /// Whatever a name or string holds, its quoted form is one token of the
        /// dialect that means exactly it, and nothing follows it.
        #[test]
        fn quoted_text_is_one_token_that_means_itself(s in hostile()) {
            for d in DIALECTS {
                if let Ok(q) = ident(d, &s) {
                    let got = lex(d, &q, true);
                    prop_assert_eq!(got, Some((s.clone(), String::new())), "{:?} ident {}", d, q);
                }
                let q = string(d, &s).expect("no NUL");
                let got = lex(d, &q, false);
                prop_assert_eq!(got, Some((s.clone(), String::new())), "{:?} string {}", d, q);
            }
        }

        /// The names a DuckDB query quotes are read back exactly, and nothing inside
        /// a string literal is taken for a name: the DuckDB engine fills exactly the
        /// tables and columns its queries read.
        #[test]
        fn quoted_names_read_back_and_strings_hide_nothing(a in hostile(), b in hostile(), t in hostile()) {
            prop_assume!(!a.is_empty() && !b.is_empty());
            let sql = format!(
                "SELECT {}.{} FROM {} WHERE x = {} AND {} IS NULL",
                ident(Dialect::DuckDb, &a).expect("a name"),
                ident(Dialect::DuckDb, &b).expect("a name"),
                ident(Dialect::DuckDb, &a).expect("a name"),
                string(Dialect::DuckDb, &t).expect("a string"),
                ident(Dialect::DuckDb, &b).expect("a name"),
            );
            let want: std::collections::HashSet<String> = [a, b].into_iter().collect();
            prop_assert_eq!(duckdb_names(&sql), want);
        }
    }

    #[test]
    fn what_no_dialect_can_hold_is_refused() {
        for d in DIALECTS {
            assert_eq!(string(d, "a\0b"), Err(Unquotable::Nul));
            assert_eq!(ident(d, "a\0b"), Err(Unquotable::Nul));
            assert_eq!(ident(d, ""), Err(Unquotable::Empty));
        }
        assert_eq!(
            ident(Dialect::Postgres, &"n".repeat(64)),
            Err(Unquotable::TooLong(63))
        );
        assert!(ident(Dialect::DuckDb, &"n".repeat(64)).is_ok());
    }

    #[test]
    fn each_dialect_quotes_as_its_documentation_says() {
        let name = "CAMEO \"Code\" `x`";
        assert_eq!(
            ident(Dialect::DuckDb, name).unwrap(),
            "\"CAMEO \"\"Code\"\" `x`\""
        );
        assert_eq!(
            ident(Dialect::Spark, name).unwrap(),
            "`CAMEO \"Code\" ``x```"
        );
        assert_eq!(
            ident(Dialect::BigQuery, name).unwrap(),
            "`CAMEO \\\"Code\\\" \\`x\\``"
        );
        let s = "it's \\ ok;\n-- no";
        assert_eq!(string(Dialect::DuckDb, s).unwrap(), "'it''s \\ ok;\n-- no'");
        assert_eq!(
            string(Dialect::Postgres, s).unwrap(),
            "E'it''s \\\\ ok;\n-- no'"
        );
        assert_eq!(
            string(Dialect::Spark, s).unwrap(),
            "'it\\'s \\\\ ok;\n-- no'"
        );
        assert_eq!(
            string(Dialect::BigQuery, s).unwrap(),
            "'it\\'s \\\\ ok;\\u000a-- no'"
        );
    }
}
