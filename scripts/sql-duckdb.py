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


def compare(factlint, extra, quiet=False):
    """Run both engines over `extra` (arguments for `sql` and `check`); return the
    number of rules compared and the list of differences (text)."""
    import duckdb  # type: ignore
    sql = subprocess.run([factlint, "sql", "--dialect", "duckdb", "--with-data", *extra],
                         capture_output=True, text=True)
    if sql.returncode not in (0, 2):
        return 0, [f"factlint sql exited {sql.returncode}: {sql.stderr}"]
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
    # the statements end with `;` at the end of a line: the tables, then one query per
    # rule after its `-- rule` comment
    rule = None
    differences = []
    compared = 0
    for stmt in sql.stdout.split(";\n"):
        lines = stmt.strip().splitlines()
        for l in lines:
            if l.startswith("-- rule "):
                rule = l[len("-- rule "):]
        body = "\n".join(l for l in lines if not l.startswith("--")).strip()
        if not body:
            continue
        try:
            if not body.startswith("SELECT"):
                con.execute(body)
                continue
            cur = con.execute(body)
            rows = cur.fetchall()
        except duckdb.Error as e:
            differences.append(f"!!! {rule}: DuckDB refused the SQL: {e}")
            continue
        # rule, one id per variable, certainty, and a verdict rule's `:verdict`
        names = [d[0] for d in cur.description]
        c = next(i for i, n in enumerate(names) if n in ("certainty", ":certainty"))
        got = [(tuple(r[1:c]), r[c]) for r in rows]
        want = native.get(rule, [])
        compared += 1
        if got != want:
            text = [f"!!! {rule}: DuckDB {len(got)} findings, factlint {len(want)}"]
            text += [f"    only DuckDB: {g}" for g in got if g not in want][:5]
            text += [f"    only factlint: {w}" for w in want if w not in got][:5]
            if len(text) == 1:
                text.append("    the same findings in another order")
            differences.append("\n".join(text))
        elif not quiet:
            print(f"ok {rule}: {len(got)} findings")
    return compared, differences


def main() -> int:
    try:
        import duckdb  # type: ignore  # noqa: F401
    except ImportError:
        print("SKIP sql-duckdb: the duckdb Python package is not installed (pip install duckdb)")
        return 0
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    factlint = argv[0] if argv else "target/debug/factlint"
    compared, differences = compare(factlint, extra)
    for d in differences:
        print(d)
    print(f"{compared} rules compared, {len(differences)} differ")
    return 1 if differences or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
