#!/usr/bin/env bash
# The default resource budgets (docs/budgets.md), measured on a release build: each
# case is a hostile rule over generated data that runs away without a budget. Prints
# the exit code, the diagnostic code, the wall time and the peak memory of each run.
#
#   scripts/budgets.sh [path/to/factlint]    (default: target/release/factlint)
#
# Needs GNU time (/usr/bin/time). Every case but the last must end with exit 2 and its
# code within the bound the issue set: 12 s and 2.5 GB (expected: a few seconds, a few
# hundred MB). The last, `pairs`, is legitimate: 999,000 findings of which only the
# first --max-findings are built (exit 1 with the E0002 warning, within a few hundred MB).
set -euo pipefail
bin=${1:-target/release/factlint}
[ -x "$bin" ] || { echo "no binary at $bin (cargo build --release)" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

facts() { # N: a data.yaml of N facts
  echo "facts:"
  for ((i = 0; i < $1; i++)); do
    echo "  - {id: f$i, subject: S$((i % 4)), property: p, value: $i}"
  done
}
mkdir -p "$dir/d15" "$dir/d1000" "$dir/d2000"
facts 15 >"$dir/d15/data.yaml"
facts 1000 >"$dir/d1000/data.yaml"
facts 2000 >"$dir/d2000/data.yaml"

vars=$(for i in $(seq 1 12); do printf 'f%d in facts, ' "$i"; done)
vars=${vars%, }
printf 'rule selfjoin {\n  for %s\n}\n' "$vars" >"$dir/selfjoin.rules"
printf 'rule selfjoin-filtered {\n  for %s\n  where f12.value == f1.value + 1000\n}\n' "$vars" >"$dir/selfjoin-filtered.rules"
printf 'rule nested {\n  for f in facts\n  where count(x in facts where count(y in facts where exists(z in facts where z.value > y.value + x.value)) > 0) > 0\n}\n' >"$dir/nested.rules"
printf 'rule pairs {\n  for a in facts, b in facts\n  where a.value != b.value\n}\n' >"$dir/pairs.rules"
{
  echo "def d0(x) = x.value == 1"
  for k in $(seq 1 20); do echo "def d$k(x) = d$((k - 1))(x) or d$((k - 1))(x)"; done
  printf 'rule deep {\n  for f in facts\n  where d20(f)\n}\n'
} >"$dir/defs.rules"

run() { # NAME RULES DATA
  local out="$dir/$1.out" code
  set +e
  timeout 120 /usr/bin/time -v "$bin" check --color never --rules "$2" "$3" >/dev/null 2>"$out"
  code=$?
  set -e
  local diag secs mem
  diag=$(grep -o '^\(error\[[A-Z][0-9]*\]\|warning\[E0002\]\)' "$out" | sort -u | tr '\n' ' ' || true)
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out")
  mem=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f MB", $2 / 1024}' "$out")
  printf '%-20s exit %-3s %-22s %-10s %s\n' "$1" "$code" "${diag:--}" "${secs:-timeout}" "${mem:--}"
}
run selfjoin "$dir/selfjoin.rules" "$dir/d15"
run selfjoin-filtered "$dir/selfjoin-filtered.rules" "$dir/d15"
run nested "$dir/nested.rules" "$dir/d2000"
run defs "$dir/defs.rules" "$dir/d15"
run pairs "$dir/pairs.rules" "$dir/d1000"
