#!/usr/bin/env python3
"""Markdown tables from the JSON that `bench/run.py --json FILE` writes, for
docs/benchmarks.md: the load per format, the rules with their ratios to DuckDB and
Polars, and the growth with size. Several files may be given (a default run and a
`--scale 10` run, say); their measurements are listed in the order given.

    python3 bench/report.py results.json [more.json ...]
"""

from __future__ import annotations

import json
import sys


def ms(x):
    if x is None:
        return "-"
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def mb(b):
    if not b:
        return "-"
    return f"{b / 1e6:,.0f}" if b >= 1e8 else f"{b / 1e6:,.1f}"


def rate(nbytes, t):
    return "-" if not t else f"{nbytes / 1e6 / (t / 1000):,.1f}"


def ratio(a, b):
    if a is None or not b:
        return "-"
    r = a / b
    return f"{r:,.1f}x" if r < 100 else f"{r:,.0f}x"


def table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def main(paths):
    runs = [json.load(open(p)) for p in paths]
    for run in runs:
        print(f"- {run.get('date')}, commit {run.get('commit')}, {run.get('factlint')}, "
              f"DuckDB {run.get('duckdb')}, Polars {run.get('polars')}, "
              f"{run['args'].get('duckdb_threads')} thread(s) for the peers")
    res = [r for run in runs for r in run["results"]]

    loads = [r for r in res if r["kind"] == "wide-load"]
    if loads:
        print("\nLoad only, per format (ms, MB/s of the file, peak RSS in MB):\n")
        print(table(["events", "format", "MB", "factlint", "MB/s", "peak RSS", "RSS / file",
                     "DuckDB", "MB/s", "Polars", "MB/s", "factlint / DuckDB"],
                    [[f"{r['size']:,}", r["format"], mb(r["bytes"]), ms(r["factlint_ms"]),
                      rate(r["bytes"], r["factlint_ms"]), mb(r["factlint_rss_bytes"]),
                      f"{r['factlint_rss_bytes'] / r['bytes']:.1f}x"
                      if r.get("factlint_rss_bytes") else "-",
                      ms(r["duckdb_ms"]), rate(r["bytes"], r["duckdb_ms"]),
                      ms(r["polars_ms"]), rate(r["bytes"], r["polars_ms"]),
                      ratio(r["factlint_ms"], r["duckdb_ms"])] for r in loads]))

    rules = [r for r in res if r["kind"] == "wide-rule"]
    if rules:
        print("\nRules on the CSV, end to end (ms; DuckDB and Polars: load + query):\n")
        rows = []
        for r in rules:
            if r.get("status") == "timeout":
                t = r["timeout_s"] * 1000
                rows.append([r["case"], f"{r['size']:,}", "-", f"> {t:,.0f}", "-", "-",
                             ms(r.get("duckdb_ms")), ms(r.get("polars_ms")),
                             "> " + ratio(t, r.get("duckdb_ms")) if r.get("duckdb_ms") else "-",
                             "> " + ratio(t, r.get("polars_ms")) if r.get("polars_ms") else "-",
                             "timeout"])
                continue
            measured = r["factlint_eval_ms"] > r["factlint_load_noise_ms"]
            rows.append([r["case"], f"{r['size']:,}", f"{r['certain']:,}", ms(r["factlint_ms"]),
                         ms(r["factlint_eval_ms"]) if measured else "< noise",
                         mb(r["factlint_rss_bytes"]), ms(r["duckdb_ms"]), ms(r["polars_ms"]),
                         ratio(r["factlint_ms"], r["duckdb_ms"]),
                         ratio(r["factlint_ms"], r["polars_ms"]), r["status"]])
        print(table(["rule", "events", "findings", "factlint", "eval", "peak RSS",
                     "DuckDB", "Polars", "factlint / DuckDB", "factlint / Polars",
                     "same findings"], rows))
        by_case = {}
        for r in rules:
            if r.get("status") != "timeout":
                by_case.setdefault(r["case"], {})[r["size"]] = r["factlint_ms"]
        grow = []
        for case, pts in by_case.items():
            sizes = sorted(pts)
            for a, b in zip(sizes, sizes[1:]):
                grow.append([case, f"{a:,} -> {b:,}", ratio(pts[b], pts[a])])
        if grow:
            print("\nGrowth of factlint's end-to-end time (target: at most 12x for 10x):\n")
            print(table(["rule", "events", "time"], grow))

    ev = [r for r in res if r["kind"] == "rule"]
    if ev:
        print("\nEvent-model rules (ms):\n")
        print(table(["rule", "actions", "certain", "possible", "factlint", "DuckDB",
                     "factlint / DuckDB", "same findings"],
                    [[r["case"], f"{r['size']:,}", f"{r['certain']:,}", f"{r['possible']:,}",
                      ms(r["factlint_ms"]), ms(r["duckdb_ms"]),
                      ratio(r["factlint_ms"], r["duckdb_ms"]), r["status"]] for r in ev]))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1:])
