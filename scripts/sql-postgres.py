#!/usr/bin/env python3
"""Equal semantics on PostgreSQL: the SQL `factlint sql --dialect postgres
--with-data` prints, run by a throwaway PostgreSQL server, finds what `factlint
check` finds, rule by rule (same bindings, order and certainty), over the example,
the SQL corpora and generated cases.

    python3 scripts/sql-postgres.py [FACTLINT] [--cases N]

The server is made for the run: `initdb` in a temporary folder (as the `postgres`
user when run as root, since PostgreSQL refuses to run as root), listening only on a
Unix socket in that folder, stopped and removed at the end. Needs PostgreSQL's server
programs (Debian: postgresql) and the `psycopg` Python package; without either it
prints SKIP with the reason and exits 0.
"""
import argparse
import glob
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, file))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sql_duckdb = load("sql_duckdb", "sql-duckdb.py")

def server_bin():
    """The folder of PostgreSQL's server programs, or None."""
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")) and os.path.exists(os.path.join(d, "pg_ctl")):
            return d
    return None


# `--views` over tables: the CSV and TSV files of tests/sql/views and the GDELT sample
# copied as text into tables (with their order in a column, as a table has none),
# mapped with `--tables`: PostgreSQL parses each value as factlint's loader does.
VIEW_TABLES = [
    ("tests/sql/views/views.rules", "tests/sql/views",
     [("events", "tests/sql/views/events.csv", "csv"), ("reports", "tests/sql/views/reports.tab", "text")]),
    ("tests/sql/views/real/gdelt.rules", "../shared/data/real/gdelt-2.0-events-sample.csv",
     [("gdelt-2.0-events-sample", "../shared/data/real/gdelt-2.0-events-sample.csv", "csv")]),
]


def views(factlint, root, runner, cur):
    """Compare each VIEW_TABLES case through `--views --tables`; the number of
    differences."""
    failures = 0
    for rules, data, tables in VIEW_TABLES:
        if not all(os.path.exists(f) for _, f, _ in tables):
            print(f"SKIP postgres --views {data}: a file is absent")
            continue
        mapping = os.path.join(root, "tables.yaml")
        loads = []
        with open(mapping, "w", encoding="utf-8") as m:
            for name, path, fmt in tables:
                with open(path, encoding="utf-8", newline="") as f:
                    text = f.read()
                header = text.split("\n", 1)[0].split("," if fmt == "csv" else "\t")
                cols = ", ".join('"' + c.strip('"').replace('"', '""') + '"' for c in header)
                table = '"' + name.replace('"', '""') + ':text"'
                loads.append((table, cols, fmt, text))
                # the name holds dots: the table's name as a list of its parts
                m.write(f'"{name}": {{table: ["{name}:text"], order: loaded_at, lists: text}}\n')

        def setup_runner(loads=loads):
            go, error = runner()
            for table, cols, fmt, text in loads:
                defs = ", ".join(f"{c} TEXT" for c in cols.split(", "))
                cur.execute(f"CREATE TABLE {table} ({defs}, loaded_at BIGSERIAL)")
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT {fmt}, HEADER true)") as cp:
                    cp.write(text)
            return go, error

        compared, differences = sql_duckdb.compare(
            factlint, ["--rules", rules, data], quiet=True, dialect="postgres",
            runner=setup_runner, data="--views", sql_extra=["--tables", mapping])
        for d in differences:
            print(d)
        failures += len(differences) + (compared == 0)
        print(f"postgres --views --tables {data}: {compared} rules compared, {len(differences)} differ")
    return failures


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("factlint", nargs="?", default="target/debug/factlint")
    ap.add_argument("--cases", type=int, default=100, help="generated cases (sql-fuzz.py)")
    args = ap.parse_args()
    bindir = server_bin()
    if bindir is None:
        print("SKIP sql-postgres: PostgreSQL's server programs are not installed (Debian: postgresql)")
        return 0
    try:
        import psycopg  # type: ignore
    except ImportError:
        print("SKIP sql-postgres: the psycopg Python package is not installed (pip install 'psycopg[binary]')")
        return 0
    root = tempfile.mkdtemp(prefix="factlint-pg-")
    data = os.path.join(root, "data")
    as_user = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        os.chmod(root, 0o700)
        as_user = ["runuser", "-u", "postgres", "--"]
    run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True, capture_output=True, text=True)
    failures = 0
    try:
        run(os.path.join(bindir, "initdb"), "-D", data, "-A", "trust", "-U", "factlint",
            "--no-locale", "-E", "UTF8")
        run(os.path.join(bindir, "pg_ctl"), "-D", data, "-w", "-l", os.path.join(root, "log"),
            "-o", f"-c listen_addresses='' -k {root} -p 54329", "start")
        con = psycopg.connect(f"host={root} port=54329 user=factlint dbname=postgres",
                              autocommit=True)
        cur = con.cursor()

        def runner():
            # a fresh schema per case
            cur.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cur.execute("CREATE SCHEMA public")

            def go(body):
                cur.execute(body)
                if cur.description is None:
                    return None
                return [d.name for d in cur.description], cur.fetchall()

            return go, psycopg.Error

        failures = sql_duckdb.run_cases(args.factlint, "postgres", runner)
        failures += views(args.factlint, root, runner, cur)
        fuzz = load("sql_fuzz", "sql-fuzz.py")
        if not fuzz.check(args.factlint, args.cases, 20261130, 8, "postgres", runner):
            failures += 1
        con.close()
    finally:
        subprocess.run([*as_user, os.path.join(bindir, "pg_ctl"), "-D", data, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
