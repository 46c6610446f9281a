#!/usr/bin/env python3
"""Every query `factlint sql` prints parses in its dialect: sqlglot's parsers for
BigQuery, Spark, PostgreSQL and DuckDB read each statement back (the tables of
`--with-data` too). For the dialects no engine runs here (BigQuery always; Spark and
PostgreSQL unless their scripts run), this is the check that the SQL is well formed.

    python3 scripts/sql-parse.py [--views] [FACTLINT] [-- ARGS...]

ARGS go to `factlint sql` (e.g. `--rules R DATA`). With `--views`, the views over the
data files are parsed instead of `--with-data`'s rows. With `--expect-name N` and
`--expect-string S` (before `--`), every dialect's statements must also hold the
identifier N and the string literal S exactly, as its parser reads them back: a name
or string built to break out of its quotes stays one token meaning itself. Without
the `sqlglot` Python package it prints SKIP with the reason and exits 0.
"""
import importlib.util
import os
import subprocess
import sys

DIALECTS = {"duckdb": "duckdb", "spark": "spark", "bigquery": "bigquery", "postgres": "postgres"}


def main() -> int:
    try:
        import sqlglot  # type: ignore
        from sqlglot.errors import ParseError, TokenError  # type: ignore
    except ImportError:
        print("SKIP sql-parse: the sqlglot Python package is not installed (pip install sqlglot)")
        return 0
    spec = importlib.util.spec_from_file_location(
        "sql_duckdb", os.path.join(os.path.dirname(os.path.abspath(__file__)), "sql-duckdb.py"))
    sql_duckdb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sql_duckdb)
    argv, extra = sql_duckdb.split_args(sys.argv[1:])
    names, strings = [], []
    rest = []
    i = 0
    while i < len(argv):
        if argv[i] in ("--expect-name", "--expect-string") and i + 1 < len(argv):
            (names if argv[i] == "--expect-name" else strings).append(argv[i + 1])
            i += 2
        else:
            rest.append(argv[i])
            i += 1
    data = "--views" if "--views" in rest else "--with-data"
    rest = [a for a in rest if a != "--views"]
    factlint = rest[0] if rest else "target/debug/factlint"
    from sqlglot import exp  # type: ignore
    failures = 0
    for ours, theirs in DIALECTS.items():
        out = subprocess.run([factlint, "sql", "--dialect", ours, data, *extra],
                             capture_output=True, text=True)
        if out.returncode not in (0, 2):
            print(f"!!! factlint sql --dialect {ours} exited {out.returncode}: {out.stderr}")
            failures += 1
            continue
        n = 0
        rule = None
        seen_names, seen_strings = set(), set()
        for stmt in out.stdout.split(";\n"):
            lines = stmt.strip().splitlines()
            for l in lines:
                if l.startswith("-- rule "):
                    rule = l[len("-- rule "):]
            body = "\n".join(l for l in lines if not l.startswith("--")).strip()
            if not body:
                continue
            try:
                parsed = sqlglot.parse(body, read=theirs)
            except (ParseError, TokenError) as e:
                failures += 1
                print(f"!!! {ours}: {rule or 'tables'}: {str(e).splitlines()[0]}")
                continue
            for tree in parsed:
                if tree is None:
                    continue
                seen_names.update(i.name for i in tree.find_all(exp.Identifier))
                seen_strings.update(l.this for l in tree.find_all(exp.Literal) if l.is_string)
                # sqlglot reads PostgreSQL's E'...' strings as byte strings
                seen_strings.update(b.this for b in tree.find_all(exp.ByteString))
            if len([p for p in parsed if p is not None]) != 1:
                failures += 1
                print(f"!!! {ours}: {rule or 'tables'}: {len(parsed)} statements where one was written")
                continue
            n += 1
        for name in names:
            if name not in seen_names:
                failures += 1
                print(f"!!! {ours}: no identifier reads back as {name!r}")
        for string in strings:
            if string not in seen_strings:
                failures += 1
                print(f"!!! {ours}: no string literal reads back as {string!r}")
        print(f"{ours}: {n} statements parse")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
