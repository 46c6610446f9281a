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
    #[arg(long)]
    pub with_data: bool,
    #[command(flatten)]
    pub suite: SuiteArgs,
}

pub fn run(global: &GlobalArgs, args: SqlArgs) -> i32 {
    // `--rule` keeps those rules, as `check --rule` does (A0006 for one not there)
    let loaded = match super::load(global, args.suite.options(&args.data, &args.rule)) {
        Ok(l) => l,
        Err(c) => return c,
    };
    let (queries, diags) = sql::compile(&loaded.suite, args.dialect);
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
    for q in &queries {
        // a rule id comes from a rule file: shown visibly, on one comment line
        text.push_str(&format!("\n-- rule {}\n{};\n", visible(&q.rule), q.sql));
    }
    super::out(&text);
    if diags.is_empty() {
        0
    } else {
        super::emit_diagnostics(global, &diags, &loaded.sources);
        2
    }
}
