#!/usr/bin/env python3
"""The views `factlint sql --views` prints read the data files as factlint's loader
does. For each case, DuckDB runs the views over the files and, in another database,
the rows `--with-data` writes from the loaded dataset; every column of every view is
compared, row by row, and then each rule's findings through the views with
`factlint check`'s. Usage:

    python3 scripts/sql-views.py [FACTLINT]

Needs the `duckdb` Python package (SKIP without it). The cases over the real GDELT
and ICEWS samples SKIP when ../shared/data/real is absent.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

REAL = "../shared/data/real"
CASES = [
    ["--rules", "tests/sql/views/views.rules", "tests/sql/views"],
    ["--rules", "tests/sql/views-plain/plain.rules", "tests/sql/views-plain"],
    ["--rules", "tests/sql/hostile-csv/hostile.rules", "tests/sql/hostile-csv"],
    ["--rules", "tests/sql/views/real/gdelt.rules", f"{REAL}/gdelt-2.0-events-sample.csv"],
    ["--rules", "tests/sql/views/real/icews.rules", f"{REAL}/icews-2018-06-01-sample.tab"],
]


# Warehouse tables and Parquet files through a table mapping (`--tables`): the GDELT
# sample loaded by DuckDB into a typed table (codes as text, as GDELT's BigQuery
# tables hold them; a column renamed; the file's order in a column of its own, as a
# table has none), and written to Parquet. {tmp} is a fresh folder.
GDELT = f"{REAL}/gdelt-2.0-events-sample.csv"
WAREHOUSE = [
    "CREATE SCHEMA wh",
    f"""CREATE TABLE wh.events AS SELECT * EXCLUDE (AvgTone), AvgTone AS "avg tone",
        ROW_NUMBER() OVER () AS loaded_at
        FROM read_csv('{GDELT}', header = true, types = {{'EventRootCode': 'VARCHAR',
        'EventCode': 'VARCHAR', 'EventBaseCode': 'VARCHAR', 'Actor1CountryCode': 'VARCHAR',
        'Actor2CountryCode': 'VARCHAR'}})""",
    "COPY wh.events TO '{tmp}/events.parquet' (FORMAT parquet)",
]
MAPPED = [
    ("table", """"gdelt-2.0-events-sample":
  table: wh.events
  id: GLOBALEVENTID
  order: loaded_at
  columns: {AvgTone: avg tone}
"""),
    ("parquet", """"gdelt-2.0-events-sample":
  files: ["{tmp}/events.parquet"]
  id: GLOBALEVENTID
  columns: {AvgTone: avg tone}
"""),
]


def statements(text):
    """The statements of `factlint sql` output, comments left out."""
    for stmt in text.split(";\n"):
        body = "\n".join(l for l in stmt.strip().splitlines() if not l.startswith("--"))
        if body.strip():
            yield body.strip()


def columns_agree(factlint, case, setup=(), mapping=None):
    """Differences between each view's columns and the `--with-data` rows. `setup`
    runs before the views; `mapping` is a `--tables` file for them."""
    import duckdb  # type: ignore
    out = {}
    for mode in ("--with-data", "--views"):
        extra = ["--tables", mapping] if mapping and mode == "--views" else []
        r = subprocess.run([factlint, "sql", mode, *extra, *case], capture_output=True, text=True)
        if r.returncode != 0:
            return [f"factlint sql {mode} exited {r.returncode}: {r.stderr[:2000]}"], 0
        con = duckdb.connect()
        if mode == "--views":
            for s in setup:
                con.execute(s)
        for s in statements(r.stdout):
            if not s.startswith("SELECT"):
                con.execute(s)
        out[mode] = (con, r.stdout)
    rows, views = out["--with-data"][0], out["--views"][0]
    names = re.findall(r'^CREATE OR REPLACE VIEW "((?:[^"]|"")+)" AS', out["--views"][1], re.M)
    differences = []
    compared = 0
    for name in names:
        table = '"' + name + '"'
        cols = [c[0] for c in views.execute(f"DESCRIBE {table}").fetchall()]
        listed = ", ".join('"' + c.replace('"', '""') + '"' for c in cols)
        q = f'SELECT {listed} FROM {table} ORDER BY "_pos"'
        want, got = rows.execute(q).fetchall(), views.execute(q).fetchall()
        compared += len(cols)
        if len(want) != len(got):
            differences.append(f"!!! {name}: {len(got)} rows in the view, {len(want)} loaded")
            continue
        for w, g in zip(want, got):
            for c, a, b in zip(cols, w, g):
                if a != b:
                    differences.append(f"!!! {name}.{c} of row {w[0]} ({w[1]}): view {b!r}, factlint {a!r}")
    return differences, compared


def main() -> int:
    try:
        import duckdb  # type: ignore  # noqa: F401
    except ImportError:
        print("SKIP sql-views: the duckdb Python package is not installed (pip install duckdb)")
        return 0
    import importlib
    compare = importlib.import_module("sql-duckdb").compare
    factlint = sys.argv[1] if len(sys.argv) > 1 else "target/debug/factlint"
    failures = 0
    for case in CASES:
        if any(a.startswith(REAL) for a in case) and not os.path.isdir(REAL):
            print(f"SKIP {' '.join(case)}: {REAL} is absent")
            continue
        differences, columns = columns_agree(factlint, case)
        rules, rule_diffs = compare(factlint, case, quiet=True, data="--views")
        for d in (differences + rule_diffs)[:40]:
            print(d)
        failures += len(differences) + len(rule_diffs) + (rules == 0)
        print(f"views {' '.join(case)}: {columns} columns and {rules} rules compared, "
              f"{len(differences) + len(rule_diffs)} differ")
    if os.path.isdir(REAL):
        import tempfile
        with tempfile.TemporaryDirectory(prefix="factlint-views-") as tmp:
            case = ["--rules", "tests/sql/views/real/gdelt.rules", GDELT]
            for what, text in MAPPED:
                path = os.path.join(tmp, f"{what}.yaml")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text.replace("{tmp}", tmp))
                setup = [s.replace("{tmp}", tmp) for s in WAREHOUSE]
                differences, columns = columns_agree(factlint, case, setup, path)
                for d in differences[:40]:
                    print(d)
                failures += len(differences)
                print(f"views over a {what} (--tables): {columns} columns compared, "
                      f"{len(differences)} differ")
    else:
        print(f"SKIP views over a table and Parquet: {REAL} is absent")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
