#!/usr/bin/env bash
# The DuckDB library that the `duckdb` cargo feature links to: DuckDB 1.5.6, the
# version of the pinned `duckdb` crate (=1.10506.1), as the npm registry publishes it
# (@duckdb/node-bindings-<platform>, whose libduckdb.so is DuckDB's C API). npm checks
# the package against the registry's sha512. Usage:
#
#     eval "$(bash scripts/duckdb-lib.sh)"    # sets DUCKDB_LIB_DIR and LD_LIBRARY_PATH
#     cargo build --release --features duckdb
#
# Prints the two exports on standard output; anything else goes to standard error.
# Exits 3 (printing why) when npm is missing or the platform has no package: callers
# say SKIP. `cargo build --features duckdb-bundled` needs none of this (it compiles
# DuckDB's C++, about 35 minutes on two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
version=1.5.6-r.1
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64 lib=libduckdb.so ;;
  Linux-aarch64) platform=linux-arm64 lib=libduckdb.so ;;
  Darwin-arm64) platform=darwin-arm64 lib=libduckdb.dylib ;;
  Darwin-x86_64) platform=darwin-x64 lib=libduckdb.dylib ;;
  *) echo "no DuckDB library package for $(uname -s) $(uname -m)" >&2; exit 3 ;;
esac
dir="$PWD/target/duckdb-lib/$version-$platform"
if [ ! -f "$dir/$lib" ]; then
  if ! command -v npm > /dev/null; then
    echo "npm is not installed: it fetches the DuckDB library (or build with --features duckdb-bundled)" >&2
    exit 3
  fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && npm pack --silent "@duckdb/node-bindings-$platform@$version" > /dev/null 2> npm.log); then
    echo "npm could not fetch @duckdb/node-bindings-$platform@$version:" >&2
    cat "$tmp/npm.log" >&2
    exit 3
  fi
  tar -xzf "$tmp"/*.tgz -C "$tmp" "package/$lib"
  mkdir -p "$dir"
  # in place only when whole: a killed run leaves no half library behind
  mv "$tmp/package/$lib" "$dir/$lib.part"
  mv "$dir/$lib.part" "$dir/$lib"
  echo "fetched $lib ($version) into $dir" >&2
fi
printf 'export DUCKDB_LIB_DIR=%q\n' "$dir"
printf 'export LD_LIBRARY_PATH=%q${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}\n' "$dir"
