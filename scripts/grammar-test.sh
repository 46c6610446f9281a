#!/usr/bin/env bash
# The VS Code extension's TextMate grammar against its sample files
# (editors/vscode/test/*.rules, assertions in comments), with vscode-tmgrammar-test
# from npm, installed into target/npm on first use. Says SKIP with the reason when npm
# is missing or the package cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.1.3
bin=target/npm/node_modules/.bin/vscode-tmgrammar-test
if [ ! -x "$bin" ]; then
  if ! command -v npm > /dev/null; then
    echo "SKIP grammar tests: npm is not installed (Debian: npm)"
    exit 0
  fi
  mkdir -p target/npm
  if ! npm install --silent --no-audit --no-fund --prefix target/npm "vscode-tmgrammar-test@$version" > target/npm/install.log 2>&1; then
    echo "SKIP grammar tests: npm could not install vscode-tmgrammar-test@$version (see target/npm/install.log)"
    exit 0
  fi
fi
cd editors/vscode
"../../$bin" -g syntaxes/factlint.tmLanguage.json 'test/*.rules'
