//! `factlint sql`: the queries of a suite in every dialect (snapshots a person reads),
//! located `S0001` errors for what has no faithful translation, and names and strings
//! that try to break out of their quotes. That the DuckDB queries find what the native
//! engine finds is checked by `scripts/sql-duckdb.py`, which `.ci/run` runs.

use crate::factlint;

#[test]
fn every_dialect_compiles_the_semantics_corpus() {
    for dialect in ["duckdb", "spark", "bigquery", "postgres"] {
        let o = factlint(&[
            "sql",
            "--dialect",
            dialect,
            "--rules",
            "tests/sql/semantics.rules",
            "--rules",
            "tests/sql/aggregates.rules",
            "--rules",
            "tests/sql/groups.rules",
        ]);
        // every rule compiles in every dialect
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{dialect}: {err}");
        insta::assert_snapshot!(
            format!("semantics_{dialect}"),
            format!("{}\n{err}", String::from_utf8_lossy(&o.stdout))
        );
    }
}

#[test]
fn what_has_no_translation_is_a_located_error_and_the_rest_still_prints() {
    let dir = std::env::temp_dir().join(format!("factlint-sql-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let rules = dir.join("mixed.rules");
    std::fs::write(
        &rules,
        "rule plain {\n  for a in actions\n  where a.consent\n}\n\nrule patterned {\n  for a in actions\n  where a.cameo matches \"^19\"\n}\n",
    )
    .expect("write rules");
    let o = factlint(&["sql", "--rules", rules.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_dir_all(&dir);
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(out.contains("-- rule plain\n"), "{out}");
    assert!(!out.contains("-- rule patterned"), "{out}");
    assert!(err.contains("error[S0001]: rule `patterned` cannot be compiled to DuckDB: `matches` has no faithful translation"), "{err}");
    assert!(err.contains("mixed.rules:8:9"), "{err}");
}

#[test]
fn hostile_names_and_strings_stay_inside_their_quotes() {
    let mut outs = Vec::new();
    for dialect in ["duckdb", "spark", "bigquery", "postgres"] {
        let o = factlint(&[
            "sql",
            "--dialect",
            dialect,
            "--with-data",
            "--rules",
            "tests/sql/hostile/hostile.rules",
            "tests/sql/hostile",
        ]);
        outs.push(format!(
            "== {dialect} (exit {:?})\n{}{}",
            o.status.code(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    insta::assert_snapshot!(outs.join("\n"));
}

/// The flagship suite in every dialect: the rules that compile, and a located
/// `S0001` for each construct that has no faithful translation yet.
#[test]
fn the_flagship_suite_in_every_dialect() {
    for dialect in ["duckdb", "spark", "bigquery", "postgres"] {
        let o = factlint(&["sql", "--dialect", dialect]);
        insta::assert_snapshot!(
            format!("flagship_{dialect}"),
            format!(
                "exit {:?}\n{}\n{}",
                o.status.code(),
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        );
    }
}

/// `--rule` selects rules as `check --rule` does: one not in the suite is `A0006`,
/// with the rule it may have meant.
#[test]
fn rule_selects_as_check_does() {
    let o = factlint(&["sql", "--rule", "claim-after-as-of"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(out.matches("-- rule ").count(), 1, "{out}");
    let o = factlint(&["sql", "--rule", "claim-after-as"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("error[A0006]: no rule `claim-after-as` in the suite"),
        "{err}"
    );
    assert!(err.contains("did you mean `claim-after-as-of`?"), "{err}");
}

/// `check --engine duckdb` reports exactly what the native engine reports, in every
/// format, on the example and the SQL corpora (built with `--features duckdb`);
/// without the feature it says so before reading anything (exit 2, no report).
#[test]
fn check_on_duckdb_reports_what_the_native_engine_reports() {
    if !cfg!(feature = "duckdb") {
        let o = factlint(&["check", "--engine", "duckdb"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(o.stdout.is_empty());
        assert!(
            err.contains("error[S0004]: this factlint was built without the DuckDB engine"),
            "{err}"
        );
        return;
    }
    let cases: [&[&str]; 7] = [
        &[],
        &["--rules", "tests/sql/semantics.rules"],
        &["--rules", "tests/sql/aggregates.rules"],
        &["--rules", "tests/sql/groups.rules"],
        &["--rules", "tests/sql/mixed/mixed.rules", "tests/sql/mixed"],
        &[
            "--rules",
            "tests/sql/hostile/hostile.rules",
            "tests/sql/hostile",
        ],
        &[
            "--rules",
            "tests/sql/windows/windows.rules",
            "tests/sql/windows",
        ],
    ];
    for case in cases {
        for format in ["json", "text", "sarif", "github", "junit", "claimreview"] {
            let run = |engine: &str| {
                let mut args = vec!["check", "--engine", engine, "--format", format];
                args.extend_from_slice(case);
                factlint(&args)
            };
            let (native, duck) = (run("planned"), run("duckdb"));
            let shown = String::from_utf8_lossy(&duck.stderr);
            assert_eq!(
                native.status.code(),
                duck.status.code(),
                "{case:?}: {shown}"
            );
            assert_eq!(
                String::from_utf8_lossy(&native.stdout),
                String::from_utf8_lossy(&duck.stdout),
                "{case:?} --format {format}"
            );
            assert!(
                !shown.contains("S0004") && !shown.contains("E0004"),
                "{shown}"
            );
        }
    }
}

/// On DuckDB, where work is not counted, `--timeout` stops a rule that runs too long
/// (a nine-way join with nothing to tie it), with a located error, and the run goes on.
#[test]
fn a_rule_that_runs_too_long_on_duckdb_is_stopped() {
    if !cfg!(feature = "duckdb") {
        return;
    }
    let dir = crate::scratch("sql-tests", "timeout");
    let vars = "abcdefghi";
    let from: Vec<String> = vars.chars().map(|v| format!("{v} in actions")).collect();
    let sum: Vec<String> = vars
        .chars()
        .map(|v| format!("len({v}.description)"))
        .collect();
    let rules = format!(
        "rule slow {{\n  for {}\n  where {} == 1\n}}\n\nrule quick {{\n  for a in actions\n  where a.id == \"none\"\n}}\n",
        from.join(", "),
        sum.join(" + ")
    );
    let path = dir.join("slow.rules");
    std::fs::write(&path, rules).expect("write rules");
    let p = path.to_str().expect("utf-8 path");
    let o = factlint(&[
        "check",
        "--engine",
        "duckdb",
        "--timeout",
        "1",
        "--rules",
        p,
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "error[E0004]: rule `slow` failed on DuckDB: its query ran longer than --timeout 1 s"
        ),
        "{err}"
    );
    assert!(!err.contains("`quick`"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A dataset DuckDB's tables cannot hold (a list in a field of type `any`): the run
/// goes on natively, with the same findings, and a warning that says so.
#[test]
fn data_duckdb_cannot_hold_runs_natively_and_says_so() {
    if !cfg!(feature = "duckdb") {
        return;
    }
    let dir = crate::scratch("sql-tests", "unheld");
    std::fs::write(
        dir.join("schema.yaml"),
        "collections:\n  items:\n    fields:\n      id: {type: string}\n      v: {type: any}\n",
    )
    .expect("write schema");
    std::fs::write(
        dir.join("data.yaml"),
        "items:\n  - {id: a, v: [1, 2]}\n  - {id: b, v: 3}\n",
    )
    .expect("write data");
    std::fs::write(
        dir.join("r.rules"),
        "rule r {\n  for i in items\n  where i.v == 3\n}\n",
    )
    .expect("write rules");
    let (d, r) = (dir.to_str().expect("utf-8"), dir.join("r.rules"));
    let run = |engine: &str| {
        let rules = r.to_str().expect("utf-8");
        factlint(&[
            "check", "--engine", engine, "--format", "json", "--rules", rules, d,
        ])
    };
    let (native, duck) = (run("planned"), run("duckdb"));
    let err = String::from_utf8_lossy(&duck.stderr);
    assert_eq!(native.status.code(), duck.status.code(), "{err}");
    assert_eq!(native.stdout, duck.stdout);
    assert!(
        err.contains("warning[S0002]") && err.contains("the rules ran on the native engine"),
        "{err}"
    );
}

/// `--views`: a view per collection the queries read, over its CSV, TSV and JSON Lines
/// files, reading each kind of value as the loader does (that they agree, column by
/// column, is `scripts/sql-views.py`'s check). BigQuery and PostgreSQL read no local
/// files: their collections are rows, and a warning says so.
#[test]
fn views_over_the_files_in_every_dialect() {
    let rules = [
        "views.early",
        "views.score",
        "views.tagged",
        "views.flagged",
        "views.extra",
        "views.big",
        "views.aliased",
        "views.misc",
        "views.reported",
    ];
    for dialect in ["duckdb", "spark", "bigquery", "postgres"] {
        let mut args = vec![
            "sql",
            "--views",
            "--dialect",
            dialect,
            "--rules",
            "tests/sql/views/views.rules",
        ];
        for r in rules {
            args.extend(["--rule", r]);
        }
        args.push("tests/sql/views");
        let o = factlint(&args);
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        assert_eq!(o.status.code(), Some(0), "{dialect}: {err}");
        // the views, not the queries (those are snapshotted elsewhere)
        let views = out.split("\n-- rule ").next().unwrap_or_default();
        insta::assert_snapshot!(format!("views_{dialect}"), format!("{views}\n{err}"));
    }
}

/// A table mapping (`--tables`) puts collections in warehouse tables or Parquet files,
/// under other column names; every mistake in one is located, with what was meant.
#[test]
fn table_mappings_and_their_mistakes() {
    let mut outs = Vec::new();
    for (dialect, mapping) in [
        ("bigquery", "warehouse"),
        ("postgres", "warehouse"),
        ("spark", "parquet"),
        ("duckdb", "parquet"),
        ("bigquery", "parquet"),
        ("duckdb", "broken"),
        ("duckdb", "misnamed"),
    ] {
        let path = format!("tests/sql/mappings/{mapping}.yaml");
        let o = factlint(&[
            "sql",
            "--dialect",
            dialect,
            "--tables",
            &path,
            "--rules",
            "tests/sql/views-plain/plain.rules",
            "--rule",
            "plain.amount",
            "tests/sql/views-plain",
        ]);
        let out = String::from_utf8_lossy(&o.stdout);
        let views = out.split("\n-- rule ").next().unwrap_or_default();
        outs.push(format!(
            "== {dialect} --tables {path} (exit {:?})\n{views}{}",
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    insta::assert_snapshot!(outs.join("\n"));
}

/// The example's collections are YAML, which no engine reads from SQL: they are rows,
/// and one warning lists them with the reason.
#[test]
fn collections_no_engine_reads_are_rows_and_one_warning_says_so() {
    let o = factlint(&["sql", "--views", "--rule", "claim-after-as-of"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(err.matches("warning[S0007]").count(), 1, "{err}");
    assert!(
        err.contains(
            "`claims` (`examples/venezuela-2026/claims.yaml` is no CSV, TSV or JSON Lines file)"
        ),
        "{err}"
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("CREATE TABLE \"claims\""), "{out}");
    assert!(!out.contains("CREATE OR REPLACE VIEW"), "{out}");
}
