#!/usr/bin/env python3
"""Equal semantics, checked: the SQL `factlint sql --dialect duckdb --with-data` prints,
run by DuckDB, finds what `factlint check` finds, rule by rule, for every rule that
compiles (same bindings, same certain/possible). Usage:

    python3 scripts/sql-duckdb.py [FACTLINT] [-- ARGS...]

ARGS go to both commands (e.g. `--rules R --data D`). Needs the `duckdb` Python
package; without it this prints SKIP with the reason and exits 0.
"""
import json
import subprocess
import sys


def main() -> int:
    try:
        import duckdb  # type: ignore
    except ImportError:
        print("SKIP sql-duckdb: the duckdb Python package is not installed (pip install duckdb)")
        return 0
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    factlint = argv[0] if argv else "target/debug/factlint"
    sql = subprocess.run([factlint, "sql", "--dialect", "duckdb", "--with-data", *extra],
                         capture_output=True, text=True)
    if sql.returncode not in (0, 2):
        print(sql.stderr, file=sys.stderr)
        return 1
    check = subprocess.run([factlint, "check", "--format", "jsonl", "--fail-on", "never",
                            "--max-findings", "100000000", *extra],
                           capture_output=True, text=True)
    native = {}
    for line in check.stdout.splitlines():
        f = json.loads(line)
        if f.get("type") != "finding":
            continue
        key = (tuple(e["id"] for e in f["evidence"]), f["certainty"])
        native.setdefault(f["rule"], []).append(key)
    con = duckdb.connect()
    # the statements are separated by `;` at the end of a line: the tables, then one
    # query per rule after its `-- rule` comment
    rule = None
    failures = 0
    compared = 0
    for stmt in sql.stdout.split(";\n"):
        lines = [l for l in stmt.strip().splitlines()]
        for l in lines:
            if l.startswith("-- rule "):
                rule = l[len("-- rule "):]
        body = "\n".join(l for l in lines if not l.startswith("--")).strip()
        if not body:
            continue
        if not body.startswith("SELECT"):
            con.execute(body)
            continue
        rows = con.execute(body).fetchall()
        got = [(tuple(r[1:-1]), r[-1]) for r in rows]
        want = native.get(rule, [])
        compared += 1
        if got != want:
            failures += 1
            print(f"!!! {rule}: DuckDB {len(got)} findings, factlint {len(want)}")
            for g in got[:5]:
                if g not in want:
                    print(f"    only DuckDB: {g}")
            for w in want[:5]:
                if w not in got:
                    print(f"    only factlint: {w}")
        else:
            print(f"ok {rule}: {len(got)} findings")
    print(f"{compared} rules compared, {failures} differ")
    return 1 if failures or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
