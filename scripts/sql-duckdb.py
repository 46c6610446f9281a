#!/usr/bin/env python3
"""Equal semantics, checked: the SQL `factlint sql --dialect duckdb --with-data` prints,
run by DuckDB, finds what `factlint check` finds, rule by rule, for every rule that
compiles (same bindings, same certain/possible). Usage:

    python3 scripts/sql-duckdb.py [--views] [FACTLINT] [-- ARGS...]

ARGS go to both commands (e.g. `--rules R --data D`). With `--views`, the SQL reads
the data files through the views `factlint sql --views` prints, not rows. Needs the `duckdb` Python
package; without it this prints SKIP with the reason and exits 0.
"""
import json
import subprocess
import sys


# the example and the SQL corpora, as arguments of `factlint sql` and `check`
CASES = [
    [],
    ["--rules", "tests/sql/semantics.rules"],
    ["--rules", "tests/sql/aggregates.rules"],
    ["--rules", "tests/sql/groups.rules"],
    ["--rules", "tests/sql/mixed/mixed.rules", "tests/sql/mixed"],
    ["--rules", "tests/sql/windows/windows.rules", "tests/sql/windows"],
    ["--rules", "tests/sql/hostile/hostile.rules", "tests/sql/hostile"],
]


def duckdb_runner():
    """A function that runs one statement in a fresh in-memory DuckDB: the column
    names and rows of a query, or None for a statement that returns none."""
    import duckdb  # type: ignore
    con = duckdb.connect()

    def run(body):
        cur = con.execute(body)
        if cur.description is None:
            return None
        return [d[0] for d in cur.description], cur.fetchall()

    return run, duckdb.Error


def compare(factlint, extra, quiet=False, dialect="duckdb", runner=None, data="--with-data",
            sql_extra=(), setup=()):
    """Run both engines over `extra` (arguments for `sql` and `check`); return the
    number of rules compared and the list of differences (text). `runner` makes the
    engine that runs the SQL of `dialect` (DuckDB's by default); `data` is how `sql`
    gives the tables (`--with-data`, or `--views` over the files); `sql_extra` are
    arguments for `sql` alone (`--tables FILE`), and `setup` statements run first."""
    run, error = (runner or duckdb_runner)()
    for s in setup:
        run(s)
    sql = subprocess.run([factlint, "sql", "--dialect", dialect, data, *sql_extra, *extra],
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
        native.setdefault(f["rule"], []).append(f)
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
                run(body)
                continue
            names, rows = run(body)
        except error as e:
            # a query that stops itself where SQL cannot decide as factlint does is
            # loud by design (docs/sql.md), not a difference
            if "factlint: " not in str(e):
                differences.append(f"!!! {rule}: {dialect} refused the SQL: {str(e)[:2000]}")
            continue
        # rule, one id per variable, certainty, and a verdict rule's `:verdict`
        c = next(i for i, n in enumerate(names) if n in ("certainty", ":certainty"))
        grouped = ":count" in names
        if grouped:
            # a group's first match, and how many matches it stands for (certain ones too)
            k, kc = names.index(":count"), names.index(":certain")
            # (a group's evidence holds each record once: so do its first match's ids)
            got = [(tuple(dict.fromkeys(r[1:c])), r[c], int(r[k]), int(r[kc])) for r in rows]
            want = [(tuple(e["id"] for e in f["evidence"])[:len(g[0])], f["certainty"],
                     f["group"]["count"], f["group"]["certain"])
                    for f, g in zip(native.get(rule, []), got)]
            want += [None] * (len(native.get(rule, [])) - len(want))
        else:
            got = [(tuple(r[1:c]), r[c]) for r in rows]
            want = [(tuple(e["id"] for e in f["evidence"]), f["certainty"])
                    for f in native.get(rule, [])]
        compared += 1
        if got != want:
            text = [f"!!! {rule}: {dialect} {len(got)} findings, factlint {len(want)}"]
            text += [f"    only {dialect}: {g}" for g in got if g not in want][:5]
            text += [f"    only factlint: {w}" for w in want if w not in got][:5]
            if len(text) == 1:
                text.append("    the same findings in another order")
            differences.append("\n".join(text))
        elif not quiet:
            print(f"ok {rule}: {len(got)} findings")
    return compared, differences


def split_args(argv):
    """A script's own arguments, and those after `--` that go to factlint."""
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def run_cases(factlint, dialect, runner):
    """`compare` over every case of CASES on one engine, a line each; the number of
    differences."""
    failures = 0
    for case in CASES:
        compared, differences = compare(factlint, case, quiet=True, dialect=dialect,
                                        runner=runner)
        for d in differences:
            print(d)
        failures += len(differences)
        print(f"{dialect} {' '.join(case) or '(the example)'}: {compared} rules compared, "
              f"{len(differences)} differ")
    return failures


def main() -> int:
    try:
        import duckdb  # type: ignore  # noqa: F401
    except ImportError:
        print("SKIP sql-duckdb: the duckdb Python package is not installed (pip install duckdb)")
        return 0
    argv, extra = split_args(sys.argv[1:])
    data = "--views" if "--views" in argv else "--with-data"
    argv = [a for a in argv if a != "--views"]
    factlint = argv[0] if argv else "target/debug/factlint"
    compared, differences = compare(factlint, extra, data=data)
    for d in differences:
        print(d)
    print(f"{compared} rules compared, {len(differences)} differ")
    return 1 if differences or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
