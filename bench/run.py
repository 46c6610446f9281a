#!/usr/bin/env python3
"""Benchmark factlint against DuckDB on the same rules, in the same run.

Generates synthetic datasets in factlint's default event model (JSON Lines plus a
schema.yaml `use: event-model`) at several sizes with a fixed seed, runs each rule of
bench/rules/ with `factlint check` and its twin in bench/sql/ with DuckDB, checks that
both find the same certain findings (the same records, not only the same number), and
prints median wall times and the ratio factlint/DuckDB. It also times the load alone
(factlint with an empty rule file; DuckDB reading the files into typed tables), so
that evaluation and parsing are reported apart, and the reference evaluator (nested
loops) at the smallest size, to show what planning buys.

    cargo build --release           # once, in the repository
    pip install duckdb              # the peer; without it DuckDB is skipped
    python3 bench/run.py            # 1k, 10k, 100k actions: about 2 minutes on 2 cores
    python3 bench/run.py --scale 10 # 10k, 100k, 1M actions
    python3 bench/run.py --help

Timings never go into `cargo test`. Exit status: 0 when every comparison agreed,
1 when a count or a set of findings differed (printed loudly), 2 on a usage error.
See docs/benchmarks.md for what is compared and what the numbers mean.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RULES = BENCH / "rules"
SQL = BENCH / "sql"

# The rules compared: name -> (rule file, SQL file, what it exercises).
CASES = {
    "principle-own-action": "equality join + 20-year window + exists",
    "too-few-publishers": "count_distinct over a list of references",
    "superlative": "equality join + max aggregated by key",
    "source-below-d": "filter",
}
# The rules on the wide GDELT-like workload (bench/wide.py), on its CSV.
WIDE_CASES = {
    "gdelt-filter": "filter on two numeric columns",
    "gdelt-actor-average": "correlated aggregate: avg by Actor1Code",
    "gdelt-pair-conflicts": "group by two columns, with counts",
    "gdelt-repeat-pair": "self-join on two equality keys + 30-day window",
}
EXTRA = {
    "superlative-unguarded": ("superlative", "the suite's rule without the guard"),
}

try:
    import duckdb  # type: ignore
except ImportError:  # pragma: no cover - depends on the machine
    duckdb = None

sys.path.insert(0, str(BENCH))
sys.dont_write_bytecode = True  # no bench/__pycache__ in the work tree
import wide  # noqa: E402  (bench/wide.py: the GDELT-like workload)


# --------------------------------------------------------------------------------
# Data generation
# --------------------------------------------------------------------------------

ACTION_KINDS = [
    ("other", 25), ("military_operation", 15), ("sanction", 12), ("airstrike", 10),
    ("capture", 8), ("military_intervention", 8), ("peacekeeping", 8), ("occupation", 5),
    ("blockade", 5), ("invasion", 3), ("annexation", 1),
]
STATEMENT_KINDS = ["statement", "speech", "communique", "interview", "vote", "post", "resolution"]
PRINCIPLES = [
    ("sovereignty", "Sovereignty and territorial integrity",
     ["invasion", "annexation", "occupation", "military_intervention", "airstrike"], 30),
    ("non-interference", "Non-interference in internal affairs",
     ["military_intervention", "capture", "sanction", "blockade"], 20),
    ("un-charter", "The Charter of the United Nations",
     ["invasion", "annexation", "airstrike", "military_operation"], 15),
    ("non-aggression", "Non-aggression", ["invasion", "airstrike", "military_operation"], 8),
    ("self-determination", "Self-determination of peoples", ["annexation", "occupation"], 6),
    ("territorial-integrity", "Territorial integrity", ["annexation", "occupation", "invasion"], 6),
    ("humanitarian-law", "International humanitarian law", ["airstrike", "blockade", "capture"], 5),
    ("peaceful-settlement", "Peaceful settlement of disputes",
     ["invasion", "military_operation", "blockade"], 4),
    ("free-trade", "Free trade", ["sanction", "blockade"], 3),
    ("human-rights", "Human rights", ["capture"], 3),
    ("rule-of-law", "The rule of law", ["capture", "other"], 2),
    ("non-proliferation", "Non-proliferation", ["other"], 1),
]
# Numeric properties of states: plain numbers only, so that a maximum over one is
# certain (factlint's max of a range and a number that overlap is unknown).
NUMERIC_PROPERTIES = [
    ("proven_oil_reserves", "billion barrels", 40.0), ("gas_reserves", "tcm", 3.0),
    ("gdp", "billion USD", 300.0), ("population", "million", 20.0),
    ("military_spending", "billion USD", 8.0), ("area", "thousand km2", 400.0),
    ("coal_output", "Mt", 30.0), ("gold_reserves", "t", 150.0), ("refugees_hosted", "thousand", 80.0),
    ("debt", "percent of GDP", 60.0), ("inflation", "percent", 6.0), ("exports", "billion USD", 90.0),
    ("imports", "billion USD", 90.0), ("troops", "thousand", 60.0), ("tanks", "units", 500.0),
    ("aircraft", "units", 200.0), ("warships", "units", 40.0), ("nuclear_warheads", "units", 30.0),
    ("internet_users", "percent", 60.0), ("life_expectancy", "years", 70.0),
]
PUBLISHER_WORDS = ["Times", "Post", "Herald", "Tribune", "Gazette", "Observer", "Monitor",
                   "Wire", "Journal", "Courier", "News", "Review", "Chronicle", "Dispatch"]
PLACES = ["Caracas", "Kyiv", "Moscow", "Washington", "Bogotá", "Havana", "Tbilisi", "Damascus",
          "Beirut", "Tripoli", "Kabul", "Baghdad", "Sanaa", "Khartoum", "Bamako", "Niamey",
          "Port-au-Prince", "Managua", "La Paz", "Quito", "Lima", "São Paulo", "Zürich"]
AS_OF_YEAR = 2026


def counts_for(n_actions: int) -> dict:
    """How many records of each collection go with `n_actions` actions."""
    n = n_actions
    return {
        "actions": n,
        "statements": max(10, n // 4),
        "actors": max(40, n // 20),
        "principles": len(PRINCIPLES),
        "sources": max(50, n // 2),
        "publishers": max(30, n // 100),
        "claims": max(20, n // 5),
        "facts": max(20, n // 5),
    }


def weighted_cum(n: int, exponent: float) -> list[float]:
    """Cumulative Zipf-like weights over n ranks: a few items get many draws."""
    cum, total = [], 0.0
    for i in range(n):
        total += 1.0 / (i + 1) ** exponent
        cum.append(total)
    return cum


class Gen:
    def __init__(self, n_actions: int, seed: int):
        self.rng = random.Random(seed * 1_000_003 + n_actions)
        self.c = counts_for(n_actions)

    # ---- dates -------------------------------------------------------------------

    def year(self, lo: int = 1950, hi: int = AS_OF_YEAR - 1) -> int:
        # more events in recent decades
        return lo + int((hi - lo + 1) * self.rng.random() ** 0.6)

    def date_text(self, year: int | None = None, p_day=0.6, p_month=0.25) -> str:
        """A date at mixed precision: a day, a month or a year."""
        y = self.year() if year is None else year
        r = self.rng.random()
        m = self.rng.randint(1, 12)
        if r < p_day:
            d = self.rng.randint(1, 28 if m == 2 else 30)
            if m == 2 and y % 4 == 0 and self.rng.random() < 0.05:
                d = 29  # leap days exist, and a 20-year shift must keep them straight
            return f"{y:04d}-{m:02d}-{d:02d}"
        if r < p_day + p_month:
            return f"{y:04d}-{m:02d}"
        return f"{y:04d}"

    def action_time(self):
        r = self.rng.random()
        if r < 0.01:  # ongoing: an open end
            return {"start": self.date_text(p_day=0.7, p_month=0.2)}
        if r < 0.11:  # a span, each end at its own precision
            if self.rng.random() < 0.2:  # years: "2010".."2012"
                y = self.year(hi=AS_OF_YEAR - 4)
                return {"start": f"{y:04d}", "end": f"{y + self.rng.randint(1, 3):04d}"}
            y = self.year(hi=AS_OF_YEAR - 3)
            start = datetime.date(y, self.rng.randint(1, 12), self.rng.randint(1, 28))
            end = start + datetime.timedelta(days=self.rng.randint(40, 800))
            def text(d):
                return d.isoformat() if self.rng.random() < 0.7 else d.isoformat()[:7]
            return {"start": text(start), "end": text(end)}
        return self.date_text()

    # ---- helpers -----------------------------------------------------------------

    def pick(self, items, cum):
        return self.rng.choices(items, cum_weights=cum, k=1)[0]

    def some(self, items, k_lo, k_hi):
        k = self.rng.randint(k_lo, k_hi)
        return self.rng.sample(items, min(k, len(items)))

    # ---- collections -------------------------------------------------------------

    def generate(self) -> dict[str, list[dict]]:
        rng, c = self.rng, self.c
        # actors: states first (they act and speak most), then organisations, people, groups
        n_states = max(20, c["actors"] // 5)
        codes = set()
        while len(codes) < n_states:
            codes.add("".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3)))
        states = sorted(codes)
        rng.shuffle(states)
        actors = []
        for i, code in enumerate(states):
            a = {"id": code, "name": f"Republic of {rng.choice(PLACES)} {code}", "kind": "state"}
            if rng.random() < 0.3:
                a["aliases"] = [f"{code} government", f"the {code} state"]
            actors.append(a)
        kinds = ["organisation", "person", "group"]
        for i in range(c["actors"] - n_states):
            kind = rng.choices(kinds, weights=[4, 5, 2])[0]
            aid = f"{kind[:3]}-{i:05d}"
            a = {"id": aid, "name": f"{kind.title()} {i} of {rng.choice(PLACES)}", "kind": kind}
            if rng.random() < 0.7:
                a["country"] = rng.choice(states)
            actors.append(a)
        actor_ids = [a["id"] for a in actors]
        persons = [a["id"] for a in actors if a["kind"] == "person"] or actor_ids
        actor_cum = weighted_cum(len(actor_ids), 0.5)
        state_cum = weighted_cum(len(states), 0.6)

        # sources: a few big publishers, a long tail; some issued by a state itself
        pubs = [f"The {rng.choice(PLACES)} {rng.choice(PUBLISHER_WORDS)} {i}"
                for i in range(c["publishers"])]
        pub_cum = weighted_cum(len(pubs), 0.8)
        grades = ["A", "B", "C", "D", "E", "F"]
        sources, by_actor = [], {}
        for i in range(c["sources"]):
            s = {"id": f"src-{i:06d}", "title": f"Report {i} on {rng.choice(PLACES)}"}
            if rng.random() < 0.12:
                who = self.pick(states, state_cum)
                s["publisher"] = f"Ministry of Foreign Affairs of {who}"
                s["actor"] = who
                by_actor.setdefault(who, []).append(s["id"])
            else:
                s["publisher"] = self.pick(pubs, pub_cum)
            if rng.random() < 0.7:
                s["url"] = f"https://news.example/{i}"
            if rng.random() < 0.8:
                s["date"] = self.date_text(p_day=0.9, p_month=0.08)
            if rng.random() < 0.85:
                s["reliability"] = rng.choices(grades, weights=[10, 25, 25, 15, 10, 15])[0]
            if rng.random() < 0.6:
                s["credibility"] = str(rng.randint(1, 6))
            sources.append(s)
        source_ids = [s["id"] for s in sources]
        src_cum = weighted_cum(len(source_ids), 0.3)

        def cite(k_lo, k_hi):
            k = rng.randint(k_lo, k_hi)
            out = []
            for _ in range(k):
                s = self.pick(source_ids, src_cum)
                if s not in out:
                    out.append(s)
            return out

        principles = []
        for pid, name, viol, _ in PRINCIPLES:
            p = {"id": pid, "name": name, "violated_by": viol}
            if rng.random() < 0.5:
                p["description"] = f"{name}, as the Charter and custom state it."
            if rng.random() < 0.5:
                p["sources"] = cite(1, 1)
            principles.append(p)
        p_ids = [p[0] for p in PRINCIPLES]
        p_cum = []
        t = 0
        for p in PRINCIPLES:
            t += p[3]
            p_cum.append(t)

        kinds_a = [k for k, _ in ACTION_KINDS]
        kinds_cum = []
        t = 0
        for _, w in ACTION_KINDS:
            t += w
            kinds_cum.append(t)
        actions = []
        for i in range(c["actions"]):
            who = self.pick(actor_ids, actor_cum)
            a = {"id": f"act-{i:07d}", "actor": who, "kind": self.pick(kinds_a, kinds_cum),
                 "time": self.action_time()}
            if rng.random() < 0.8:
                tgt = self.pick(states, state_cum)
                if tgt != who:
                    a["target"] = tgt
            r = rng.random()
            if r < 0.15:
                a["consent"] = True
            elif r < 0.70:
                a["consent"] = False
            # else: consent not recorded (a possible breach)
            r = rng.random()
            if r < 0.3:
                a["fatalities"] = rng.randint(0, 500)
            elif r < 0.45:
                lo = rng.randint(0, 300)
                a["fatalities"] = {"min": lo, "max": lo + rng.randint(1, 200)}
            elif r < 0.5:
                a["fatalities"] = {"min": rng.randint(1, 100)}
            if rng.random() < 0.05:
                a["mandate"] = f"UNSC resolution {rng.randint(100, 2800)}"
            if rng.random() < 0.6:
                a["description"] = f"{a['kind'].replace('_', ' ')} near {rng.choice(PLACES)}"
            if rng.random() < 0.5:
                a["cameo"] = rng.choice(["190", "192", "193", "195", "163", "173", "0862", "074"])
            a["sources"] = cite(1, 3)
            actions.append(a)
        action_ids = [a["id"] for a in actions]

        statements = []
        for i in range(c["statements"]):
            s = {"id": f"st-{i:07d}", "actor": self.pick(actor_ids, actor_cum),
                 "date": self.date_text(p_day=0.8, p_month=0.15),
                 "kind": rng.choice(STATEMENT_KINDS)}
            if rng.random() < 0.3:
                s["speaker"] = rng.choice(persons)
            r = rng.random()
            if r < 0.1:
                pass  # not recorded: whether it invokes a principle is unknown
            elif r < 0.65:
                s["invokes"] = []  # recorded: it invokes none
            else:
                k = 1 if rng.random() < 0.7 else 2
                inv = []
                while len(inv) < k:
                    p = self.pick(p_ids, p_cum)
                    if p not in inv:
                        inv.append(p)
                s["invokes"] = inv
            if rng.random() < 0.5:
                s["about"] = self.some(states, 1, 2)
            if rng.random() < 0.1:
                s["refers_to"] = self.some(action_ids, 1, 2)
            if rng.random() < 0.7:
                s["text"] = f"On {rng.choice(PLACES)}: we stand by international law."
            if rng.random() < 0.1:
                s["quotes"] = ["«No one may interfere»", "We will respond."]
            s["sources"] = cite(1, 2)
            statements.append(s)

        # facts: numeric properties of states over the years; fatalities of actions
        # (numbers or ranges); heads of state (ids, with terms)
        facts, per_prop = [], {}
        for i in range(c["facts"]):
            f = {"id": f"fact-{i:06d}"}
            r = rng.random()
            if r < 0.7:
                prop, unit, scale = rng.choice(NUMERIC_PROPERTIES)
                subj = self.pick(states, state_cum)
                value = round(scale * math.exp(rng.gauss(0, 1.2)), 1)
                if rng.random() < 0.4:
                    value = int(value)
                f.update(subject=subj, property=prop, value=value, unit=unit,
                         valid=str(rng.randint(1990, AS_OF_YEAR - 1)))
                best = per_prop.get(prop)
                if best is None or value > best[1]:
                    per_prop[prop] = (subj, value)
                per_prop.setdefault(prop + "#subjects", []).append(subj)
            elif r < 0.9:
                act = rng.choice(actions)
                if rng.random() < 0.5:
                    value = rng.randint(0, 800)
                else:
                    lo = rng.randint(0, 500)
                    value = {"min": lo, "max": lo + rng.randint(1, 300)}
                f.update(subject=act["id"], property="fatalities", value=value)
            else:
                start = rng.randint(1950, AS_OF_YEAR - 2)
                f.update(subject=self.pick(states, state_cum), property="head_of_state",
                         value=rng.choice(persons),
                         valid={"start": f"{start}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                                "end": f"{start + rng.randint(1, 8)}-{rng.randint(1, 12):02d}"})
            f["sources"] = cite(1, 2)
            facts.append(f)

        claims = []
        fact_acts = [f for f in facts if f["property"] == "fatalities"]
        for i in range(c["claims"]):
            cl = {"id": f"claim-{i:06d}", "date": self.date_text(p_day=0.8, p_month=0.15)}
            if rng.random() < 0.5:
                cl["claimant"] = self.pick(states, state_cum) if rng.random() < 0.7 \
                    else rng.choice(actor_ids)
            r = rng.random()
            if r < 0.08:  # superlative: 40% name the real leader
                prop = rng.choice(NUMERIC_PROPERTIES)[0]
                if prop in per_prop and rng.random() < 0.4:
                    subj = per_prop[prop][0]
                elif prop in per_prop:
                    subj = rng.choice(per_prop[prop + "#subjects"])
                else:
                    subj = self.pick(states, state_cum)
                cl.update(text=f"{subj} has the world's largest {prop.replace('_', ' ')}.",
                          subject=subj, property=prop, comparator="max")
            elif r < 0.35 and fact_acts:  # numeric: "at least 80 killed"
                f = rng.choice(fact_acts)
                cmp_ = rng.choice(["ge", "ge", "gt", "le", "lt"])
                cl.update(text=f"{cmp_} {f['subject']} fatalities", subject=f["subject"],
                          property="fatalities", comparator=cmp_, value=rng.randint(1, 700))
            elif r < 0.42:  # a value: "X is the head of state"
                cl.update(text="The head of state is named.", subject=self.pick(states, state_cum),
                          property="head_of_state", comparator="eq", value=rng.choice(persons))
            else:  # free text: no structure at all
                cl["text"] = f"Something happened in {rng.choice(PLACES)} (claim {i})."
            r = rng.random()
            if r < 0.85:
                srcs = cite(1, 4)
                own = by_actor.get(cl.get("claimant", ""))
                if own and rng.random() < 0.3:
                    srcs = [rng.choice(own)] + [s for s in srcs if s not in own][:1]
                cl["sources"] = srcs
            if rng.random() < 0.01:
                cl["test"] = True
            claims.append(cl)

        return {"actors": actors, "principles": principles, "sources": sources,
                "actions": actions, "statements": statements, "facts": facts,
                "claims": claims}


def write_dataset(folder: Path, data: dict[str, list[dict]]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schema.yaml").write_text("# generated by bench/run.py\nuse: event-model\n")
    size = 0
    for name, records in data.items():
        p = folder / f"{name}.jsonl"
        with p.open("w", encoding="utf-8") as out:
            for r in records:
                out.write(json.dumps(r, ensure_ascii=False))
                out.write("\n")
        size += p.stat().st_size
    return size


# --------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------

class Failure(Exception):
    pass


def banner(msg: str) -> None:
    line = "!" * 78
    print(f"\n{line}\n!!! {msg}\n{line}\n", flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs):
    """Run-to-run noise: the interquartile range (max - min under 5 runs)."""
    if len(xs) < 2:
        return 0.0
    if len(xs) < 5:
        return max(xs) - min(xs)
    q = statistics.quantiles(xs, n=4)
    return q[2] - q[0]


# Runs of a measurement whose first run took LONG_MS or more, unless --reps was given:
# the default run stays within a few minutes (see main).
LONG_MS = 2000
LONG_REPS = None


def reps_for(times, reps, cap_long=True):
    """How many runs a measurement needs: `reps`, or at least 11 when a run is short
    (under 200 ms), where the noise of a shared machine matters most and runs are cheap;
    a long run (LONG_MS or more) is taken LONG_REPS times when that is set."""
    if times and times[0] < 200:
        return max(reps, 11)
    if cap_long and times and LONG_REPS is not None and times[0] >= LONG_MS:
        return min(reps, LONG_REPS)
    return reps


# factlint refuses data files over 512 MB by default; the wide JSON Lines file has
# 1.2 GB at 1M events.
MAX_FILE_MB = "100000"

# GNU time, to read a child's own peak RSS. Neither wait4 nor getrusage can give it
# here: a child forked (or vforked) from this Python process starts from its resident
# size, and Linux keeps that high-water mark across exec, so every child would seem to
# use at least as much memory as the benchmark itself. /usr/bin/time forks the command
# from its own small process and reports the command's peak alone.
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None


def run_proc(cmd, cwd, timeout, stdout=None):
    """Run a command; its wall time (ms), its own peak RSS (bytes; None without
    /usr/bin/time) and its exit status with stderr. Raises subprocess.TimeoutExpired
    after `timeout` s."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss_file:
        full = ([GNU_TIME, "-f", "%M", "-o", rss_file.name] if GNU_TIME else []) + \
            [str(c) for c in cmd]
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=stdout if stdout is not None else subprocess.DEVNULL,
                             stderr=err, cwd=cwd)
        try:
            code = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise subprocess.TimeoutExpired(cmd, timeout)
        ms = (time.perf_counter() - t0) * 1000
        err.seek(0)
        stderr = err.read()
        rss = None
        if GNU_TIME:
            text = rss_file.read().strip().splitlines()
            # GNU time writes "Command exited with non-zero status N" before the figure
            rss = int(text[-1]) * 1024 if text and text[-1].isdigit() else None
    return ms, rss, code, stderr


def run_factlint(binary: Path, rules: Path, data: Path, work: Path, args, engine=None,
                 reps=3, keep_output=True):
    """Median wall time (ms) of `factlint check`, and the findings of the last run."""
    # the nested loops of the reference evaluator pass far more bindings
    max_bindings = max(10**10, args.max_bindings) if engine == "reference" else args.max_bindings
    cmd = [str(binary), "check", "--rules", str(rules), str(data), "--format", "jsonl",
           "--fail-on", "never", "--color", "never", "--error-format", "plain",
           "--max-findings", str(10**9), "--max-bindings", str(max_bindings),
           "--max-work", str(10**15), "--max-file-size", MAX_FILE_MB]
    engine = engine or args.factlint_engine
    cmd += ["--engine", engine]
    out_path = work / "factlint-out.jsonl"
    times, rss = [], 0
    while len(times) < reps_for(times, reps):
        with out_path.open("wb") as out:
            ms, maxrss, code, stderr = run_proc(cmd, work, args.timeout, stdout=out)
            times.append(ms)
            rss = max(rss, maxrss or 0)
        if code != 0:
            raise Failure(f"factlint exited {code}: {' '.join(cmd)}\n"
                          + stderr.decode("utf-8", "replace")[-3000:])
    certain, possible, out_bytes = set(), 0, out_path.stat().st_size
    if keep_output:
        with out_path.open(encoding="utf-8") as f:
            for line in f:
                o = json.loads(line)
                if o.get("type") != "finding":
                    continue
                if o["certainty"] == "certain":
                    group = o.get("group")
                    if group is not None:
                        # a grouped finding: its key values and how many bindings it merged
                        key = tuple("" if k["value"] is None else str(k["value"])
                                    for k in group["keys"]) + (str(group["count"]),)
                    else:
                        key = tuple(e["id"] for e in o["evidence"])
                    if key in certain:
                        raise Failure(f"factlint reported {key} twice")
                    certain.add(key)
                else:
                    possible += 1
    return median(times), certain, possible, out_bytes, rss


def time_cmd(cmd, work, reps, timeout, rss_out=None, cap_long=True):
    """The wall times (ms) of `reps` runs; the peak RSS of the largest goes to rss_out[0].
    cap_long=False: `reps` runs even when they are long (for the load that evaluation
    times are measured against: its spread says which of them are measured at all)."""
    times = []
    while len(times) < reps_for(times, reps, cap_long):
        ms, maxrss, code, stderr = run_proc(cmd, work, timeout)
        times.append(ms)
        if rss_out is not None:
            rss_out[0] = max(rss_out[0], maxrss or 0)
        if code != 0:
            raise Failure(f"{' '.join(cmd)} exited {code}:\n"
                          + stderr.decode("utf-8", "replace")[-3000:])
    return times


def duckdb_load(data: Path, threads: int, reps: int):
    """Median time (ms) to load the dataset into typed tables, and a loaded connection."""
    script = (SQL / "load.sql").read_text().replace("{data}", str(data))
    times, con = [], None
    while len(times) < reps_for(times, reps):
        if con is not None:
            con.close()
        con = duckdb.connect(":memory:")
        con.execute(f"SET threads = {threads}")
        t0 = time.perf_counter()
        con.execute(script)
        times.append((time.perf_counter() - t0) * 1000)
    return median(times), con


def duckdb_query(con, sql: str, reps: int):
    """Median time (ms) to compute the findings into a table; and the findings."""
    sql = sql.strip().rstrip(";")
    times = []
    while len(times) < reps_for(times, reps):
        t0 = time.perf_counter()
        con.execute(f"CREATE OR REPLACE TEMP TABLE findings AS {sql}")
        times.append((time.perf_counter() - t0) * 1000)
    rows = con.execute("SELECT * FROM findings").fetchall()
    keys = [tuple(r) for r in rows]
    if len(set(keys)) != len(keys):
        raise Failure("the SQL gave a finding twice")
    return median(times), set(keys)


def fmt_ms(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def fmt_ratio(a, b):
    if a is None or b is None or b <= 0 or (isinstance(a, float) and math.isnan(a)):
        return "-"
    r = a / b
    return f"{r:,.1f}x" if r < 100 else f"{r:,.0f}x"


def table(headers, rows, align=None):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(headers)]
    align = align or ["<"] + [">"] * (len(headers) - 1)
    def line(cells):
        return "  ".join(f"{str(c):{a}{w}}" for c, a, w in zip(cells, align, widths))
    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


def compare(case, size, fl_keys, db_keys, failures, unit="actions", peer="DuckDB"):
    if fl_keys == db_keys:
        return "ok"
    only_fl = sorted(fl_keys - db_keys)[:5]
    only_db = sorted(db_keys - fl_keys)[:5]
    msg = (f"MISMATCH in {case} at {size:,} {unit}: factlint {len(fl_keys)} certain findings, "
           f"{peer} {len(db_keys)}.\n    only factlint: {only_fl}\n    only {peer}:"
           f"{' ' * max(1, 10 - len(peer))}{only_db}")
    banner(msg)
    failures.append(msg)
    return "MISMATCH"


# --------------------------------------------------------------------------------
# The wide workload (bench/wide.py)
# --------------------------------------------------------------------------------

def fmt_mb(b):
    return "-" if not b else f"{b / 1e6:,.0f}" if b >= 1e8 else f"{b / 1e6:,.1f}"


def fmt_rate(nbytes, ms):
    return "-" if ms is None or ms <= 0 else f"{nbytes / 1e6 / (ms / 1000):,.1f}"


def peer_load(engine, fmt, file, args, work):
    """Median load time (ms, timed inside the process) and peak RSS (bytes) of one peer
    reading one file, each run in a fresh Python process of its own."""
    times, rss = [], 0
    while len(times) < reps_for(times, args.reps):
        with tempfile.TemporaryFile() as out:
            _, maxrss, code, stderr = run_proc(
                [sys.executable, str(BENCH / "wide.py"), "load", engine, fmt, str(file),
                 str(args.duckdb_threads)], work, args.timeout, stdout=out)
            if code != 0:
                raise Failure(f"{engine} could not load {file}:\n"
                              + stderr.decode("utf-8", "replace")[-3000:])
            out.seek(0)
            times.append(json.loads(out.read())["ms"])
        rss = max(rss, maxrss or 0)
    return median(times), rss


def time_py(fn, reps):
    """Median time (ms) of fn() and its last result."""
    times, result = [], None
    while len(times) < reps_for(times, reps):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return median(times), result


def run_wide(args, sizes, cases, work, failures, results, pl):
    """Load each format, then run the wide rules on the CSV, against DuckDB and Polars.
    Returns the rows of the load and the rules tables."""
    load_rows, rule_rows = [], []
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    by_case = {}  # case -> [(size, factlint ms)], for the growth table
    for n in sizes:
        fmts = [f for f in formats if f != "yaml" or n <= args.yaml_max_events]
        if len(fmts) < len(formats):
            print(f"\n   (YAML skipped at {n:,} events: beyond --yaml-max-events "
                  f"{args.yaml_max_events:,}; factlint's YAML load needs about 29 KB per event)")
        if "csv" not in fmts and cases:
            fmts.append("csv")  # the rules run on the CSV
        t0 = time.perf_counter()
        ds = wide.write_datasets(work, n, args.seed, fmts)
        print(f"\n== {n:,} GDELT-like events, 61 columns, resampled from {wide.SAMPLE.name}: "
              + ", ".join(f"{f} {fmt_mb(ds[f][2])} MB" for f in fmts)
              + f" (generated in {time.perf_counter() - t0:.1f} s)", flush=True)
        for fmt in fmts:
            folder, file, nbytes = ds[fmt]
            rss = [0]
            fl_ms = median(time_cmd([str(args.factlint), "validate", "--color", "never",
                                     "--error-format", "plain", "--max-file-size", MAX_FILE_MB,
                                     str(folder)], work, args.reps,
                                    args.timeout, rss))
            peers = {}
            for engine, mod in (("duckdb", duckdb), ("polars", pl)):
                if mod is not None and fmt in ("csv", "jsonl"):
                    peers[engine] = peer_load(engine, fmt, file, args, work)
            db = peers.get("duckdb", (None, None))
            po = peers.get("polars", (None, None))
            load_rows.append([f"{n:,}", fmt, fmt_mb(nbytes), fmt_ms(fl_ms), fmt_rate(nbytes, fl_ms),
                              fmt_mb(rss[0]), f"{rss[0] / nbytes:.1f}x" if rss[0] else "-",
                              fmt_ms(db[0]), fmt_rate(nbytes, db[0]), fmt_mb(db[1]),
                              fmt_ms(po[0]), fmt_rate(nbytes, po[0]), fmt_mb(po[1]),
                              fmt_ratio(fl_ms, db[0])])
            print(f"   load {fmt}: factlint validate {fmt_ms(fl_ms)} ms "
                  f"({fmt_rate(nbytes, fl_ms)} MB/s, peak RSS {fmt_mb(rss[0])} MB); "
                  + "; ".join(f"{e} {fmt_ms(t)} ms ({fmt_rate(nbytes, t)} MB/s, "
                              f"RSS {fmt_mb(r)} MB)" for e, (t, r) in peers.items()), flush=True)
            results.append({"kind": "wide-load", "size": n, "format": fmt, "bytes": nbytes,
                            "factlint_ms": fl_ms, "factlint_rss_bytes": rss[0],
                            "duckdb_ms": db[0], "duckdb_rss_bytes": db[1],
                            "polars_ms": po[0], "polars_rss_bytes": po[1]})
            if fmt != "csv" and not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
        if not cases:
            continue

        folder, file, nbytes = ds["csv"]
        load_times = time_cmd([str(args.factlint), "check", "--engine", args.factlint_engine,
                               "--rules", str(RULES / "empty.rules"),
                               str(folder), "--format", "jsonl", "--fail-on", "never",
                               "--max-file-size", MAX_FILE_MB],
                              work, args.reps, args.timeout, cap_long=False)
        fl_load, noise = median(load_times), spread(load_times)
        con = db_load = None
        if duckdb is not None:
            def load_db():
                c = duckdb.connect(":memory:")
                c.execute(f"SET threads = {args.duckdb_threads}")
                t = time.perf_counter()
                c.execute(wide.duckdb_load_sql("csv", file))
                return c, (time.perf_counter() - t) * 1000
            times = []
            while len(times) < reps_for(times, args.reps):
                if con is not None:
                    con.close()
                con, ms = load_db()
                times.append(ms)
            db_load = median(times)
        df = pl_load = None
        pl_rules = wide.polars_rules(pl) if pl is not None else {}
        if pl is not None:
            pl_load, df = time_py(lambda: wide.polars_load(pl, "csv", file), args.reps)
        print(f"   rules on the CSV: load factlint {fmt_ms(fl_load)} ms (check, no rules), "
              f"DuckDB {fmt_ms(db_load)} ms, Polars {fmt_ms(pl_load)} ms", flush=True)
        for case in cases:
            try:
                fl_ms, fl_keys, possible, out_bytes, fl_rss = run_factlint(
                    args.factlint, RULES / f"{case}.rules", folder, work, args, reps=args.reps)
            except subprocess.TimeoutExpired as e:
                msg = f"{case} at {n:,} events: factlint timed out after {e.timeout:.0f} s"
                banner(msg)
                # the peers' times still say what the rule costs them
                db_q = pl_q = None
                if con is not None:
                    db_q, db_keys = duckdb_query(con, (SQL / f"{case}.sql").read_text(), args.reps)
                if df is not None:
                    pl_q, _ = time_py(lambda: pl_rules[case](df), args.reps)
                db_ms = None if db_q is None else db_load + db_q
                pl_ms = None if pl_q is None else pl_load + pl_q
                rule_rows.append([case, f"{n:,}", "-", "-", f">{e.timeout * 1000:,.0f}", "-",
                                  "-", fmt_ms(db_ms), fmt_ms(db_q), fmt_ms(pl_ms), fmt_ms(pl_q),
                                  f">{fmt_ratio(e.timeout * 1000, db_ms)}", "-", "timeout"])
                results.append({"kind": "wide-rule", "case": case, "size": n,
                                "status": "timeout", "timeout_s": e.timeout,
                                "duckdb_ms": db_ms, "duckdb_query_ms": db_q,
                                "duckdb_findings": None if db_q is None else len(db_keys),
                                "polars_ms": pl_ms, "polars_query_ms": pl_q})
                continue
            fl_eval = fl_ms - fl_load
            by_case.setdefault(case, []).append((n, fl_ms))
            status, db_ms, db_q, pl_ms, pl_q = [], None, None, None, None
            if con is not None:
                db_q, db_keys = duckdb_query(con, (SQL / f"{case}.sql").read_text(), args.reps)
                db_ms = db_load + db_q
                status.append("DuckDB " + compare(case, n, fl_keys, db_keys, failures, "events"))
            if df is not None:
                pl_q, pl_keys = time_py(lambda: pl_rules[case](df), args.reps)
                pl_ms = pl_load + pl_q
                status.append("Polars " + compare(case, n, fl_keys, pl_keys, failures, "events",
                                                  "Polars"))
            status = ", ".join(status) or "no peer"
            measured = fl_eval > noise
            eval_txt = fmt_ms(fl_eval) if measured else f"<{fmt_ms(max(noise, 0.1))}"
            rule_rows.append([case, f"{n:,}", f"{len(fl_keys):,}", f"{possible:,}", fmt_ms(fl_ms),
                              eval_txt, fmt_mb(fl_rss), fmt_ms(db_ms), fmt_ms(db_q),
                              fmt_ms(pl_ms), fmt_ms(pl_q), fmt_ratio(fl_ms, db_ms),
                              fmt_ratio(fl_eval, db_q) if measured else "-", status])
            print(f"   {case}: factlint {fmt_ms(fl_ms)} ms (eval {eval_txt}, RSS "
                  f"{fmt_mb(fl_rss)} MB), {len(fl_keys):,} certain + {possible:,} possible, "
                  f"{out_bytes / 1e6:.1f} MB out; DuckDB {fmt_ms(db_ms)} ms (query "
                  f"{fmt_ms(db_q)}); Polars {fmt_ms(pl_ms)} ms (query {fmt_ms(pl_q)}); {status}",
                  flush=True)
            results.append({"kind": "wide-rule", "case": case, "size": n,
                            "certain": len(fl_keys), "possible": possible,
                            "factlint_ms": fl_ms, "factlint_eval_ms": fl_eval,
                            "factlint_load_ms": fl_load, "factlint_load_noise_ms": noise,
                            "factlint_rss_bytes": fl_rss, "factlint_output_bytes": out_bytes,
                            "duckdb_ms": db_ms, "duckdb_load_ms": db_load, "duckdb_query_ms": db_q,
                            "polars_ms": pl_ms, "polars_load_ms": pl_load, "polars_query_ms": pl_q,
                            "status": status})
        if con is not None:
            con.close()
        df = None
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    growth = []
    for case, pts in by_case.items():
        for (n0, t0_), (n1, t1) in zip(pts, pts[1:]):
            growth.append([case, f"{n0:,} -> {n1:,}", f"{n1 / n0:.0f}x", fmt_ratio(t1, t0_)])
    return load_rows, rule_rows, growth


def commit_of(repo: Path):
    p = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                       capture_output=True, text=True)
    return p.stdout.strip() or None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Benchmark factlint against DuckDB on the same rules (see docs/benchmarks.md).")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every size (default 1: 1k, 10k, 100k actions; 10k and 100k "
                         "wide events; --scale 10 reaches 1M of both)")
    ap.add_argument("--workloads", default="events,wide",
                    help="comma-separated: 'events' (the event-model dataset and its four "
                         "rules), 'wide' (GDELT-like events, 61 columns: loads per format and "
                         "four rules); default both")
    ap.add_argument("--wide-sizes", default="10000,100000",
                    help="comma-separated numbers of wide events, before --scale")
    ap.add_argument("--formats", default="csv,jsonl,yaml",
                    help="formats of the wide load-only runs (default csv,jsonl,yaml)")
    ap.add_argument("--yaml-max-events", type=int, default=100_000,
                    help="skip the YAML load beyond this many wide events (default 100,000: "
                         "factlint needs about 29 KB of memory per event for YAML today)")
    ap.add_argument("--no-polars", action="store_true", help="leave Polars out even if installed")
    ap.add_argument("--sizes", default="1000,10000,100000",
                    help="comma-separated numbers of actions, before --scale")
    ap.add_argument("--reps", type=int, default=None,
                    help="runs per measurement; the median is shown (default 3, and 1 for a "
                         f"run that takes {LONG_MS / 1000:.0f} s or more, except the load "
                         "without rules that evaluation is measured against; given, N for "
                         "every run)")
    ap.add_argument("--seed", type=int, default=20260107)
    ap.add_argument("--rules", default=None,
                    help=f"comma-separated cases (default all: {', '.join(CASES)}; on the wide "
                         f"workload {', '.join(WIDE_CASES)})")
    ap.add_argument("--extra", action="store_true",
                    help="also run superlative-unguarded (the suite's rule without the guard) "
                         "at the smallest size; slow: a cross product of possible findings")
    ap.add_argument("--reference-sizes", default="auto",
                    help="sizes at which to time the reference evaluator too: 'auto' (default: "
                         "every size up to 10,000 actions; beyond, its nested loops take "
                         "minutes to hours), 'smallest', 'none', or comma-separated numbers of "
                         "actions (before --scale); it runs with --max-bindings 10^10")
    ap.add_argument("--duckdb-threads", type=int, default=1,
                    help="DuckDB threads, and Polars' (default 1; compare with "
                         "--factlint-threads 1, or give both the machine's cores)")
    ap.add_argument("--factlint-threads", type=int, default=None,
                    help="factlint's threads (RAYON_NUM_THREADS; default: every core). "
                         "Large files are loaded, and rules run, on all of them")
    ap.add_argument("--factlint-engine", default="planned", choices=["planned", "duckdb"],
                    help="the engine factlint runs the rules on (duckdb: a build with "
                         "--features duckdb; filling its tables from the loaded data is part "
                         "of the load, timed with no rules)")
    ap.add_argument("--factlint", type=Path, default=REPO / "target" / "release" / "factlint",
                    help="the factlint binary (default target/release/factlint)")
    ap.add_argument("--max-bindings", type=int, default=10**10,
                    help="passed to factlint check (default 10^10, with --max-work 10^15 and "
                         "--max-findings 10^9: no budget stops a benchmark run)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per factlint run")
    ap.add_argument("--workdir", type=Path, default=None,
                    help="where to write the datasets (default: a temporary folder, removed)")
    ap.add_argument("--keep", action="store_true", help="keep the generated datasets")
    ap.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = ap.parse_args(argv)
    global LONG_REPS
    LONG_REPS = None if args.reps is not None else 1
    if args.reps is None:
        args.reps = 3
    workloads = {w.strip() for w in args.workloads.split(",") if w.strip()}
    if not workloads <= {"events", "wide"}:
        print(f"error: unknown workload in {args.workloads!r}; known: events, wide",
              file=sys.stderr)
        return 2
    for f in args.formats.split(","):
        if f.strip() and f.strip() not in wide.WRITERS:
            print(f"error: unknown format {f!r}; known: {', '.join(wide.WRITERS)}", file=sys.stderr)
            return 2
    if args.rules is None:
        args.rules = ",".join(list(CASES) + list(WIDE_CASES))

    if not args.factlint.exists():
        print(f"error: {args.factlint} not found; build it first: cargo build --release",
              file=sys.stderr)
        return 2
    cases = [c.strip() for c in args.rules.split(",") if c.strip()]
    for c in cases:
        if c not in CASES and c not in EXTRA and c not in WIDE_CASES:
            print(f"error: unknown case {c!r}; known: "
                  f"{', '.join(list(CASES) + list(EXTRA) + list(WIDE_CASES))}", file=sys.stderr)
            return 2
    wide_cases = [c for c in cases if c in WIDE_CASES]
    cases = [c for c in cases if c not in WIDE_CASES]
    if args.extra:
        cases += [c for c in EXTRA if c not in cases]
    sizes = sorted({max(10, int(int(s) * args.scale)) for s in args.sizes.split(",") if s.strip()})
    wide_sizes = sorted({max(10, int(int(s) * args.scale))
                         for s in args.wide_sizes.split(",") if s.strip()})
    if "events" not in workloads:
        sizes = []
    if "wide" not in workloads:
        wide_sizes = []
    if "wide" in workloads and not wide.SAMPLE.exists():
        banner(f"the wide workload needs {wide.SAMPLE} (the shared real data): skipped")
        wide_sizes = []
    pl = None
    if wide_sizes and not args.no_polars:
        # Polars gets as many threads as DuckDB; set before the import
        os.environ["POLARS_MAX_THREADS"] = str(args.duckdb_threads)
        try:
            import polars as pl  # type: ignore
        except ImportError:
            banner("Polars is not installed: the wide workload is compared with DuckDB only.\n"
                   "!!! Install it with: pip install polars")
    if args.reference_sizes == "auto":
        ref_sizes = {s for s in sizes if s <= 10_000}
    elif args.reference_sizes == "smallest":
        ref_sizes = {sizes[0]} if sizes else set()
    elif args.reference_sizes == "none":
        ref_sizes = set()
    else:
        ref_sizes = {max(10, int(int(s) * args.scale)) for s in args.reference_sizes.split(",")}

    if duckdb is None:
        banner("DuckDB is not installed: timing factlint alone. Install it with\n"
               "!!!     pip install duckdb\n!!! and run again to compare.")
    else:
        print(f"DuckDB {duckdb.__version__}, {args.duckdb_threads} thread(s); ", end="")
    if pl is not None:
        print(f"Polars {pl.__version__}, {args.duckdb_threads} thread(s); ", end="")
    if args.factlint_threads is not None:
        os.environ["RAYON_NUM_THREADS"] = str(args.factlint_threads)
    factlint_threads = args.factlint_threads or os.cpu_count()
    version = subprocess.run([str(args.factlint), "--version"], capture_output=True, text=True)
    print(f"{version.stdout.strip()} ({args.factlint}), {factlint_threads} thread(s); "
          f"{os.cpu_count()} cores; "
          f"median of {args.reps} runs" + ("" if LONG_REPS is None else
                                            f" (1 for runs of {LONG_MS / 1000:.0f} s or more)"))

    if GNU_TIME is None:
        print("(/usr/bin/time not found: peak RSS is not measured; apt-get install time)")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="factlint-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    load_rows, rule_rows, ref_rows, results = [], [], [], []
    wide_load_rows, wide_rule_rows, growth_rows = [], [], []
    t_start = time.perf_counter()
    try:
        for size in sizes:
            t0 = time.perf_counter()
            data = Gen(size, args.seed).generate()
            folder = work / f"actions-{size}"
            nbytes = write_dataset(folder, data)
            n_records = sum(len(v) for v in data.values())
            print(f"\n== {size:,} actions: {n_records:,} records, {nbytes / 1e6:.1f} MB of JSON Lines "
                  f"(generated in {time.perf_counter() - t0:.1f} s) in {folder}", flush=True)
            # the data must load clean, or every timing below is meaningless
            v = subprocess.run([str(args.factlint), "validate", "--error-format", "plain",
                                "--color", "never", str(folder)], capture_output=True, text=True,
                               cwd=work)
            if v.returncode != 0:
                raise Failure(f"generated data does not validate:\n{v.stdout}{v.stderr[-3000:]}")

            load_times = time_cmd([str(args.factlint), "check", "--engine", args.factlint_engine,
                                   "--rules",
                                   str(RULES / "empty.rules"), str(folder), "--format", "jsonl",
                                   "--fail-on", "never"], work, args.reps, args.timeout,
                                  cap_long=False)
            fl_load = median(load_times)
            # the noise of the load: an evaluation time below it is not measured
            noise = spread(load_times)
            # validate does a little less than check (no rules): shown for reference, run once
            fl_validate = median(time_cmd([str(args.factlint), "validate", str(folder)], work, 1,
                                          args.timeout))
            con, db_load = None, None
            if duckdb is not None:
                db_load, con = duckdb_load(folder, args.duckdb_threads, args.reps)
            load_rows.append([f"{size:,}", f"{n_records:,}", f"{nbytes / 1e6:.1f}",
                              fmt_ms(fl_load), fmt_ms(fl_validate), fmt_ms(db_load),
                              fmt_ratio(fl_load, db_load)])
            print(f"   load: factlint {fmt_ms(fl_load)} ms (validate {fmt_ms(fl_validate)} ms), "
                  + (f"DuckDB {fmt_ms(db_load)} ms" if con is not None else "DuckDB skipped"),
                  flush=True)
            results.append({"kind": "load", "size": size, "records": n_records, "bytes": nbytes,
                            "factlint_ms": fl_load, "factlint_validate_ms": fl_validate,
                            "duckdb_ms": db_load})

            for case in cases:
                if case in EXTRA and size != sizes[0]:
                    continue  # far too slow beyond the smallest size
                sql_name = EXTRA[case][0] if case in EXTRA else case
                rules = RULES / f"{case}.rules"
                fl_ms, fl_keys, possible, out_bytes, fl_rss = run_factlint(
                    args.factlint, rules, folder, work, args, reps=args.reps)
                fl_eval = fl_ms - fl_load
                db_ms = db_q = None
                status = "no DuckDB"
                if con is not None:
                    db_q, db_keys = duckdb_query(con, (SQL / f"{sql_name}.sql").read_text(),
                                                 args.reps)
                    db_ms = db_load + db_q
                    status = compare(case, size, fl_keys, db_keys, failures)
                measured = fl_eval > noise
                eval_txt = fmt_ms(fl_eval) if measured else f"<{fmt_ms(max(noise, 0.1))}"
                rule_rows.append([case, f"{size:,}", f"{len(fl_keys):,}", f"{possible:,}",
                                  fmt_ms(fl_ms), eval_txt, fmt_ms(db_ms), fmt_ms(db_q),
                                  fmt_ratio(fl_ms, db_ms),
                                  fmt_ratio(fl_eval, db_q) if measured else "-", status])
                duck = (f"DuckDB {fmt_ms(db_ms)} ms (query {fmt_ms(db_q)}); {status}"
                        if con is not None else "DuckDB skipped")
                print(f"   {case}: factlint {fmt_ms(fl_ms)} ms (eval {eval_txt}), "
                      f"{len(fl_keys):,} certain + {possible:,} possible, "
                      f"{out_bytes / 1e6:.1f} MB out; {duck}", flush=True)
                results.append({"kind": "rule", "case": case, "size": size,
                                "certain": len(fl_keys), "possible": possible,
                                "factlint_ms": fl_ms, "factlint_eval_ms": fl_eval,
                                "factlint_load_noise_ms": noise,
                                "factlint_output_bytes": out_bytes,
                                "factlint_rss_bytes": fl_rss,
                                "duckdb_ms": db_ms, "duckdb_query_ms": db_q, "status": status})

                if size in ref_sizes:
                    ref_ms, ref_keys, ref_possible, _, _ = run_factlint(
                        args.factlint, rules, folder, work, args, engine="reference",
                        reps=args.reps)
                    ref_eval = ref_ms - fl_load
                    same = ref_keys == fl_keys and ref_possible == possible
                    if not same:
                        msg = (f"MISMATCH between the planned and the reference evaluator in "
                               f"{case} at {size:,}: {len(fl_keys)}+{possible} vs "
                               f"{len(ref_keys)}+{ref_possible}")
                        banner(msg)
                        failures.append(msg)
                    shown = (lambda x: fmt_ms(x) if x > noise else f"<{fmt_ms(max(noise, 0.1))}")
                    ref_rows.append([case, f"{size:,}", fmt_ms(fl_ms), fmt_ms(ref_ms),
                                     shown(fl_eval), shown(ref_eval),
                                     fmt_ratio(ref_eval, fl_eval)
                                     if fl_eval > noise and ref_eval > noise else "-",
                                     "ok" if same else "MISMATCH"])
                    print(f"   {case} (reference): {fmt_ms(ref_ms)} ms (eval {shown(ref_eval)})",
                          flush=True)
                    results.append({"kind": "reference", "case": case, "size": size,
                                    "planned_ms": fl_ms, "reference_ms": ref_ms,
                                    "planned_eval_ms": fl_eval, "reference_eval_ms": ref_eval,
                                    "same": same})
            if con is not None:
                con.close()
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
        if wide_sizes:
            wide_load_rows, wide_rule_rows, growth_rows = run_wide(
                args, wide_sizes, wide_cases, work, failures, results, pl)
    except Failure as e:
        banner(f"BENCHMARK FAILED: {e}")
        return 1
    except subprocess.TimeoutExpired as e:
        banner(f"BENCHMARK FAILED: timed out after {e.timeout:.0f} s: {' '.join(map(str, e.cmd))}")
        return 1
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)

    if load_rows:
        print("\nLoad (parse, type and validate the files; no rules). ms, median.")
        print(table(["actions", "records", "MB", "factlint", "(validate)", "DuckDB",
                     "factlint/DuckDB"], load_rows))
    if rule_rows:
        print("\nRules. ms, median. factlint: the whole `check` process; eval = check - load, "
              "including the report (\"<N\": below the load's run-to-run spread N, not "
              "measured). DuckDB: load + query; query = computing the findings into a table.")
        print(table(["rule", "actions", "certain", "possible", "factlint", "eval", "DuckDB",
                     "query", "ratio total", "ratio eval", "same findings"], rule_rows))
    if wide_load_rows:
        print("\nWide events, load only, per format. ms (median), MB/s of the file, peak RSS "
              "in MB. factlint: the whole `validate` process; DuckDB and Polars: the load "
              "inside a process of its own (RSS includes Python and the library).")
        print(table(["events", "format", "MB", "factlint", "MB/s", "RSS", "RSS/file",
                     "DuckDB", "MB/s", "RSS", "Polars", "MB/s", "RSS", "factlint/DuckDB"],
                    wide_load_rows))
    if wide_rule_rows:
        print("\nWide events, rules on the CSV. ms, median. factlint: the whole `check` "
              "process (eval = check - check without rules); DuckDB and Polars: load + query.")
        print(table(["rule", "events", "certain", "possible", "factlint", "eval", "RSS MB",
                     "DuckDB", "query", "Polars", "query", "ratio total", "ratio eval",
                     "same findings"], wide_rule_rows))
    if growth_rows:
        print("\nGrowth of factlint's end-to-end time with the size (target: at most 12x "
              "for 10x the events).")
        print(table(["rule", "events", "size", "time"], growth_rows))
    if ref_rows:
        print("\nPlanned vs reference (nested-loop) evaluator, same binary. ms, median.")
        print(table(["rule", "actions", "planned", "reference", "planned eval", "reference eval",
                     "reference/planned (eval)", "same"], ref_rows))
    print(f"\n{time.perf_counter() - t_start:.0f} s in all.")
    if args.json:
        args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                         "duckdb": getattr(duckdb, "__version__", None),
                                         "polars": getattr(pl, "__version__", None),
                                         "factlint": version.stdout.strip(),
                                         "commit": commit_of(REPO),
                                         "date": datetime.datetime.now().isoformat(
                                             timespec="seconds"),
                                         "results": results}, indent=2))
    if failures:
        banner(f"{len(failures)} COMPARISON(S) FAILED: factlint and a peer disagree")
        for f in failures:
            print(f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
