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
import random
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

CASES = sql_duckdb.CASES


def server_bin():
    """The folder of PostgreSQL's server programs, or None."""
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")) and os.path.exists(os.path.join(d, "pg_ctl")):
            return d
    return None


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
        conninfo = f"host={root} port=54329 user=factlint dbname=postgres"

        def runner():
            con = psycopg.connect(conninfo, autocommit=True)
            cur = con.cursor()
            # a fresh schema per case
            cur.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cur.execute("CREATE SCHEMA public")

            def go(body):
                cur.execute(body)
                if cur.description is None:
                    return None
                return [d.name for d in cur.description], cur.fetchall()

            return go, psycopg.Error

        for case in CASES:
            compared, differences = sql_duckdb.compare(args.factlint, case, quiet=True,
                                                       dialect="postgres", runner=runner)
            for d in differences:
                print(d)
            failures += len(differences)
            print(f"postgres {' '.join(case) or '(the example)'}: {compared} rules compared, "
                  f"{len(differences)} differ")
        # generated cases, as sql-fuzz.py makes them
        fuzz = load("sql_fuzz", "sql-fuzz.py")
        total = 0
        for case in range(args.cases):
            seed = 20261130 + case
            rng = random.Random(seed)
            d = tempfile.mkdtemp(prefix="factlint-sql-fuzz-")
            with open(os.path.join(d, "schema.yaml"), "w") as f:
                f.write(fuzz.SCHEMA)
            with open(os.path.join(d, "data.yaml"), "w") as f:
                f.write(fuzz.dataset(rng))
            g = fuzz.Rules(rng)
            path = os.path.join(d, "gen.rules")
            with open(path, "w") as f:
                f.write("\n".join(g.rule(i) for i in range(8)))
            compared, differences = sql_duckdb.compare(args.factlint, ["--rules", path, d], quiet=True,
                                                       dialect="postgres", runner=runner)
            if differences:
                print(f"!!! generated case {case} (seed {seed}), kept in {d}:")
                for x in differences:
                    print(x)
                failures += 1
                break
            total += compared
            shutil.rmtree(d)
        else:
            print(f"postgres: {args.cases} generated cases, {total} rules agree")
    finally:
        subprocess.run([*as_user, os.path.join(bindir, "pg_ctl"), "-D", data, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
