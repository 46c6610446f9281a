#!/usr/bin/env python3
"""Generated cases for `factlint sql`: random datasets (precise, partial, open and
missing values) and random rules over them (comparisons, boolean logic, membership,
presence, aggregates with correlated filters), each run by DuckDB from the SQL
`factlint sql --dialect duckdb --with-data` prints and by `factlint check`; every
rule must find the same bindings, in the same order, with the same certainty.

    python3 scripts/sql-fuzz.py [FACTLINT] [--cases N] [--seed S]

Without the `duckdb` Python package it prints SKIP with the reason. A difference
prints the case's seed, rule and data folder (kept), and the exit code is 1.
"""
import argparse
import importlib.util
import os
import random
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("sql_duckdb", os.path.join(HERE, "sql-duckdb.py"))
sql_duckdb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sql_duckdb)

SCHEMA = """collections:
  a:
    fields:
      id: {type: string}
      s: {type: string}
      f: {type: bool}
      n: {type: number}
      d: {type: date}
      v: {type: any}
      r: {type: ref b}
      l: {type: list of ref b}
      t: {type: list of string}
  b:
    fields:
      id: {type: string}
      s: {type: string}
      f: {type: bool}
      n: {type: number}
      d: {type: date}
      v: {type: any}
"""

STRINGS = ["x", "y", "xy", "yx"]
# with days exactly at and one past the windows below from 2020-01-15 (20 days, 1
# month, 1 year, 400 days), so that an edge off by one day differs
DATES = ["2020-01-15", "2020-01", "2020", "2019-12-31", "2021-06-01",
         "2020-02-04", "2020-02-05", "2020-02-15", "2020-02-16", "2021-01-15",
         "2021-01-16", "2021-02-18", "2021-02-19", "2019-12-26", "2019-12-25"]


def number(rng):
    k = rng.random()
    if k < 0.45:
        return str(rng.randint(-2, 6))
    if k < 0.65:
        lo = rng.randint(-2, 5)
        return f"{{min: {lo}, max: {lo + rng.randint(0, 3)}}}"
    if k < 0.75:
        return f"{{min: {rng.randint(0, 5)}}}"
    if k < 0.8:
        return f"{{max: {rng.randint(0, 5)}}}"
    return None


def date(rng):
    k = rng.random()
    if k < 0.55:
        return f'"{rng.choice(DATES)}"'
    if k < 0.7:
        return f'{{start: "{rng.choice([DATES[0], DATES[3]])}", end: "2021-01-31"}}'
    if k < 0.78:
        return '{start: "2020-02-01"}'
    return None


def record(rng, i, prefix, refs):
    fields = [f"id: {prefix}{i}"]
    if rng.random() < 0.8:
        fields.append(f"s: {rng.choice(STRINGS)}")
    if rng.random() < 0.75:
        fields.append(f"f: {rng.choice(['true', 'false'])}")
    n = number(rng)
    if n is not None:
        fields.append(f"n: {n}")
    d = date(rng)
    if d is not None:
        fields.append(f"d: {d}")
    k = rng.random()
    # a value of any type: a string, a number, a range, a date, a bool, or missing
    if k < 0.2:
        fields.append(f"v: {rng.choice(STRINGS)}")
    elif k < 0.45:
        fields.append(f"v: {number(rng) or 3}")
    elif k < 0.65:
        fields.append(f"v: {date(rng) or chr(34) + DATES[0] + chr(34)}")
    elif k < 0.75:
        fields.append(f"v: {rng.choice(['true', 'false'])}")
    if refs is not None and rng.random() < 0.8:
        fields.append(f"r: {rng.choice(refs + ['bx'])}")
    if refs is not None and rng.random() < 0.8:
        # ids of records and of none, repeated ones, and empty lists
        items = [rng.choice(refs + ["bx"]) for _ in range(rng.randint(0, 3))]
        fields.append(f"l: [{', '.join(items)}]")
    if refs is not None and rng.random() < 0.8:
        items = [rng.choice(STRINGS) for _ in range(rng.randint(0, 3))]
        fields.append(f"t: [{', '.join(items)}]")
    return "  - {" + ", ".join(fields) + "}\n"


def dataset(rng):
    nb = rng.randint(0, 5)
    na = rng.randint(1, 6)
    bs = [f"b{i}" for i in range(nb)]
    text = "b:\n" + "".join(record(rng, i, "b", None) for i in range(nb)) if nb else ""
    text += "a:\n" + "".join(record(rng, i, "a", bs) for i in range(na))
    return text


class Rules:
    """Random conditions over the variables in scope (name -> collection)."""

    def __init__(self, rng):
        self.rng = rng
        self.fresh = 0

    def var(self, scope):
        return self.rng.choice(list(scope))

    def literal(self, kind):
        r = self.rng
        if kind == "n":
            return str(r.randint(-2, 7))
        if kind == "d":
            return "@" + r.choice(DATES)
        if kind == "s":
            return f'"{r.choice(STRINGS)}"'
        return r.choice(["true", "false"])

    def operand(self, kind, scope):
        if self.rng.random() < 0.6:
            return f"{self.var(scope)}.{kind}"
        return self.literal(kind)

    def atom(self, scope, depth):
        r = self.rng
        k = r.random()
        if k < 0.25 and depth < 2:
            return self.aggregate(scope, depth)
        if k < 0.3:
            v = self.var(scope)
            return f"{v}.{r.choice('sfnd')} is {r.choice(['missing', 'present'])}"
        if k < 0.4:
            return f"{self.var(scope)}.f"
        if k < 0.5:
            items = ", ".join(f'"{s}"' for s in r.sample(STRINGS, r.randint(1, 2)))
            return f"{self.var(scope)}.s {r.choice(['in', 'not in'])} [{items}]"
        if k < 0.6:
            a, b = self.operand("s", scope), f"{self.var(scope)}.s"
            return f"{b} {r.choice(['==', '!=', '<', '<=', '>', '>='])} {a}"
        if k < 0.8:
            a, b = f"{self.var(scope)}.n", self.operand("n", scope)
            return f"{a} {r.choice(['==', '!=', '<', '<=', '>', '>='])} {b}"
        if k < 0.86:
            a, b = f"{self.var(scope)}.d", self.operand("d", scope)
            return f"{a} {r.choice(['==', '!=', '<', '<=', '>', '>=', 'before', 'after', 'during'])} {b}"
        if k < 0.9:
            window = r.choice(["20 days", "1 month", "3 months", "1 year", "400 days"])
            return f"{self.var(scope)}.d within {window} of {self.operand('d', scope)}"
        if k < 0.94:
            # through the reference of an `a` record to its `b` record
            avars = [v for v, c in scope.items() if c == "a"]
            if avars:
                v = r.choice(avars)
                field = r.choice("sn")
                return f"{v}.r.{field} {'==' if field == 's' else r.choice(['<', '>='])} {self.operand(field, scope)}"
            return f"{self.var(scope)}.f"
        if k < 0.955:
            avars = [v for v, c in scope.items() if c == "a"]
            if not avars:
                return f"{self.var(scope)}.f"
            v = r.choice(avars)
            kind = r.random()
            if kind < 0.3:
                return f"{self.operand('s', scope)} {r.choice(['in', 'not in'])} {v}.t"
            if kind < 0.5:
                other = self.var(scope)
                return f"{other}.id in {v}.l" if scope[other] == "b" else f"{v}.t contains {other}.s"
            if kind < 0.7:
                return f"len({v}.{r.choice('lt')}) {r.choice(['>=', '<', '=='])} {r.randint(0, 2)}"
            self.fresh += 1
            z = f"z{self.fresh}"
            inner = dict(scope)
            inner[z] = "b"
            op = r.choice(["count", "exists", "sum"])
            filt = self.cond(inner, 3) if r.random() < 0.7 else "true"
            if op == "count":
                return f"count({z} in {v}.l where {filt}) >= {r.randint(0, 2)}"
            if op == "exists":
                return f"exists({z} in {v}.l where {filt})"
            return f"sum({z}.n for {z} in {v}.l where {filt}) > {r.randint(0, 5)}"
        if k < 0.9625:
            v, w = self.var(scope), self.var(scope)
            if r.random() < 0.5:
                f = r.choice(["start", "end"])
                return f"{f}({v}.d) {r.choice(['<', '>=', '==', 'during', 'before'])} {self.operand('d', scope)}"
            if r.random() < 0.4:
                op = r.choice(["+", "-", "*", "/"])
                return f"{v}.n {op} {r.choice([str(r.randint(-2, 3)), w + '.n'])} {r.choice(['<', '>=', '=='])} {self.operand('n', scope)}"
            f = r.choice(["abs", "lo", "hi"])
            return f"{f}({v}.n) {r.choice(['<', '>=', '=='])} {r.choice([str(r.randint(0, 4)), w + '.n'])}"
        if k < 0.965:
            a = f"{self.var(scope)}.v"
            other = r.choice([f"{self.var(scope)}.v", self.operand(r.choice("snd"), scope), self.literal("b")])
            return f"{a} {r.choice(['==', '!=', '<', '<=', '>', '>='])} {other}"
        if k < 0.97:
            v = self.var(scope)
            other = r.choice(['"x"', '""', f"{self.var(scope)}.s"])
            return f"{v}.s {r.choice(['starts with', 'ends with', 'contains'])} {other}"
        v = self.var(scope)
        if r.random() < 0.5:
            return f"({v}.n ?? {r.randint(0, 3)}) {r.choice(['<', '>=', '=='])} {self.operand('n', scope)}"
        z = '"z"'
        return f"({v}.s ?? {z}) == {self.operand('s', scope)}"

    def cond(self, scope, depth=0):
        r = self.rng
        k = r.random()
        if depth < 3 and k < 0.25:
            return f"({self.cond(scope, depth + 1)} and {self.cond(scope, depth + 1)})"
        if depth < 3 and k < 0.4:
            return f"({self.cond(scope, depth + 1)} or {self.cond(scope, depth + 1)})"
        if depth < 3 and k < 0.48:
            return f"not ({self.cond(scope, depth + 1)})"
        return self.atom(scope, depth)

    def aggregate(self, scope, depth):
        r = self.rng
        self.fresh += 1
        y = f"y{self.fresh}"
        coll = r.choice(["a", "b"])
        inner = dict(scope)
        inner[y] = coll
        # a filter tied to an outer variable, and sometimes more
        outer = self.var(scope)
        field = r.choice("sn")
        filt = f"{y}.{field} == {outer}.{field}"
        if r.random() < 0.6:
            filt = f"{filt} and {self.cond(inner, depth + 2)}"
        op = r.choice(["count", "exists", "all", "count_distinct", "sum", "avg", "min", "max",
                       "any"])
        if op == "any":
            # values of type any: numbers, strings, dates, booleans, mixed
            agg = r.choice(["min", "max", "sum", "avg"])
            if agg in ("sum", "avg"):
                other = self.operand("n", scope)
            else:
                other = r.choice([f"{self.var(scope)}.v", self.operand(r.choice("snd"), scope)])
            return f"{agg}({y}.v for {y} in {coll} where {filt}) {r.choice(['==', '<', '>='])} {other}"
        if op == "count":
            return f"count({y} in {coll} where {filt}) {r.choice(['>=', '<', '=='])} {r.randint(0, 3)}"
        if op == "exists":
            return f"exists({y} in {coll} where {filt})"
        if op == "all":
            return f"all({self.cond(inner, depth + 2)} for {y} in {coll} where {filt})"
        if op == "count_distinct":
            return f"count_distinct({y}.s for {y} in {coll} where {filt}) {r.choice(['>=', '<'])} {r.randint(1, 2)}"
        return f"{op}({y}.n for {y} in {coll} where {filt}) {r.choice(['>', '<=', '=='])} {self.operand('n', scope)}"

    def rule(self, i):
        r = self.rng
        scope = {"p": r.choice(["a", "b"])}
        if r.random() < 0.5:
            scope["q"] = r.choice(["a", "b"])
        bindings = ", ".join(f"{v} in {c}" for v, c in scope.items())
        group = ""
        if r.random() < 0.3:
            keys = [f"{self.var(scope)}.{r.choice('snfdv')}" if r.random() < 0.8 else self.var(scope)
                    for _ in range(r.randint(1, 2))]
            group = f"\n  group by {', '.join(keys)}"
        return f"rule gen{i} {{\n  for {bindings}\n  where {self.cond(scope)}{group}\n}}\n"


def check(factlint, cases, seed, rules_per_case, dialect, runner=None):
    """`cases` generated cases, from `seed` on, run in `dialect` (by `runner`, see
    `sql_duckdb.compare`) and by `factlint check`. On DuckDB every rule must compile;
    elsewhere the rules that do not (an S0001) are left out. Prints the first case
    that differs (its folder kept) or a summary line; True when all agree."""
    total = 0
    for case in range(cases):
        rng = random.Random(seed + case)
        d = tempfile.mkdtemp(prefix="factlint-sql-fuzz-")
        with open(os.path.join(d, "schema.yaml"), "w") as f:
            f.write(SCHEMA)
        with open(os.path.join(d, "data.yaml"), "w") as f:
            f.write(dataset(rng))
        g = Rules(rng)
        path = os.path.join(d, "gen.rules")
        with open(path, "w") as f:
            f.write("\n".join(g.rule(i) for i in range(rules_per_case)))
        compared, differences = sql_duckdb.compare(factlint, ["--rules", path, d], quiet=True,
                                                   dialect=dialect, runner=runner)
        if compared != rules_per_case and not differences and dialect == "duckdb":
            differences.append(f"only {compared} of {rules_per_case} rules compiled")
        if differences:
            print(f"!!! {dialect} case {case} (seed {seed + case}), kept in {d}:")
            for x in differences:
                print(x)
            return False
        total += compared
        shutil.rmtree(d)
    print(f"{cases} generated cases, {total} rules: {dialect} and factlint agree on every one")
    return True


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("factlint", nargs="?", default="target/debug/factlint")
    ap.add_argument("--cases", type=int, default=150)
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--rules-per-case", type=int, default=8)
    ap.add_argument("--dialect", choices=["duckdb", "spark"], default="duckdb",
                    help="the engine that runs the SQL (PostgreSQL's cases run from "
                         "sql-postgres.py, which makes its server)")
    args = ap.parse_args()
    if args.dialect == "duckdb":
        try:
            import duckdb  # type: ignore  # noqa: F401
        except ImportError:
            print("SKIP sql-fuzz: the duckdb Python package is not installed (pip install duckdb)")
            return 0
        ok = check(args.factlint, args.cases, args.seed, args.rules_per_case, "duckdb")
        return 0 if ok else 1
    spec2 = importlib.util.spec_from_file_location("sql_spark", os.path.join(HERE, "sql-spark.py"))
    sql_spark = importlib.util.module_from_spec(spec2)
    spec2.loader.exec_module(sql_spark)
    why = sql_spark.available()
    if why:
        print(f"SKIP sql-fuzz on Spark: {why}")
        return 0
    spark, warehouse, runner = sql_spark.session()
    try:
        ok = check(args.factlint, args.cases, args.seed, args.rules_per_case, "spark", runner)
    finally:
        spark.stop()
        shutil.rmtree(warehouse, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
