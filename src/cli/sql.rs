//! `factlint sql`: the SQL that computes each rule's findings, for a dialect. What has
//! no faithful translation is a located `S0001` error (exit 2), never a query that
//! silently differs; the rules that compile are printed all the same.

use super::{GlobalArgs, SuiteArgs};
use crate::diag::escape::visible;
use crate::sql::{self, Dialect};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SqlArgs {
    /// The SQL dialect to write.
    #[arg(long, value_enum, default_value = "duckdb")]
    pub dialect: Dialect,
    /// Only these rules (repeatable). Default: every rule of the suite.
    #[arg(long = "rule", value_name = "ID")]
    pub rule: Vec<String>,
    /// Dataset folders or files, for the schema the rules are checked against (and the
    /// tables of --with-data). Default: `data:` in factlint.yaml.
    #[arg(value_name = "DATA")]
    pub data: Vec<PathBuf>,
    /// Also print the tables the queries read, made from the loaded dataset
    /// (`CREATE TABLE` and `INSERT`; for examples and tests, not data at scale).
    #[arg(long, conflicts_with = "views")]
    pub with_data: bool,
    /// Also print a view per collection the queries read, over its CSV, TSV or JSON
    /// Lines files, or over what `--tables` maps it to (docs/sql.md).
    #[arg(long)]
    pub views: bool,
    /// A table mapping: the warehouse table or the files (Parquet too) of each
    /// collection, and its columns' names (implies --views).
    #[arg(long, value_name = "FILE")]
    pub tables: Option<PathBuf>,
    #[command(flatten)]
    pub suite: SuiteArgs,
}

pub fn run(global: &GlobalArgs, args: SqlArgs) -> i32 {
    // `--rule` keeps those rules, as `check --rule` does (A0006 for one not there)
    let loaded = match super::load(global, args.suite.options(&args.data, &args.rule)) {
        Ok(l) => l,
        Err(c) => return c,
    };
    let (queries, mut diags) = sql::compile(&loaded.suite, args.dialect);
    let mut text = format!(
        "-- factlint {}: the findings of each rule, for {}.\n-- Tables: one per collection, as docs/sql.md describes.\n",
        env!("CARGO_PKG_VERSION"),
        args.dialect.name()
    );
    if args.with_data {
        match sql::tables::tables(&loaded.dataset, args.dialect) {
            Ok(t) => text.push_str(&format!("\n{t}")),
            Err(d) => {
                super::emit_diagnostics(global, &[*d], &loaded.sources);
                return 2;
            }
        }
    }
    // the mapping's text is quoted by its diagnostics, as the rules' and data's are
    let mut sources = loaded.sources.clone();
    if args.views || args.tables.is_some() {
        let mapping = match &args.tables {
            None => sql::views::Mapping::default(),
            Some(path) => {
                let read = read_mapping(path, &mut sources).and_then(|m| {
                    sql::views::check_mapping(&m, &loaded.dataset.schema).map(|()| m)
                });
                match read {
                    Ok(m) => m,
                    Err(d) => {
                        super::emit_diagnostics(global, &d, &sources);
                        return 2;
                    }
                }
            }
        };
        // the tables and columns the queries read: the names of the same queries in
        // DuckDB, whose quoting `quote::duckdb_names` reads back
        let (duck, _) = sql::compile(&loaded.suite, Dialect::DuckDb);
        let mut names = std::collections::HashSet::new();
        for q in &duck {
            names.extend(sql::quote::duckdb_names(&q.sql));
        }
        // a file the loader mended (not UTF-8) reads otherwise in an engine
        let mended: std::collections::HashSet<&str> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.code == "D0003")
            .filter_map(|d| d.primary.as_ref().map(|l| &*l.span.file))
            .collect();
        let unreadable = |f: &str| {
            mended
                .contains(f)
                .then(|| format!("`{}` is not valid UTF-8", visible(f)))
        };
        match sql::views::views(
            &loaded.dataset,
            args.dialect,
            &mapping,
            &|n| names.contains(n),
            &unreadable,
        ) {
            Ok((v, warnings)) => {
                text.push_str(&format!("\n{v}"));
                diags.extend(warnings);
            }
            Err(d) => {
                super::emit_diagnostics(global, &[*d], &sources);
                return 2;
            }
        }
        if let Some(e) = &loaded.data_errors {
            diags.push(
                crate::diag::Diagnostic::warning(
                    "S0007",
                    format!(
                        "the data has {} error(s): factlint reads each value an error is reported on as missing, and the views do not",
                        e.diagnostics.len()
                    ),
                )
                .help("the views read the data as factlint does where `factlint validate` finds no error: fix those first"),
            );
        }
    }
    for q in &queries {
        // a rule id comes from a rule file: shown visibly, on one comment line
        text.push_str(&format!("\n-- rule {}\n{};\n", visible(&q.rule), q.sql));
    }
    super::out(&text);
    if diags.is_empty() {
        return 0;
    }
    super::emit_diagnostics(global, &diags, &sources);
    if diags.iter().any(|d| d.level == crate::diag::Level::Error) {
        2
    } else {
        0
    }
}

/// Read a table mapping file (given on the command line, like `--config`), its text
/// added to `sources`.
fn read_mapping(
    path: &std::path::Path,
    sources: &mut crate::diag::Sources,
) -> Result<sql::views::Mapping, Vec<crate::diag::Diagnostic>> {
    let name: std::sync::Arc<str> = path.display().to_string().into();
    let text = crate::files::read_text(path, &crate::files::Confine::anywhere(), 1 << 20)
        .map_err(|e| vec![e.diagnostic("table mapping", &name)])?;
    sources.add(name.clone(), text.as_str().into());
    sql::views::read_mapping(name, &text)
}
