#!/usr/bin/env python3
"""`factlint lsp` end to end: the real binary over standard input and output, spoken to
as an editor speaks to it (JSON-RPC with Content-Length frames). Usage:

    python3 scripts/lsp-e2e.py [FACTLINT]

On the flagship suite: a typo shows the same diagnostic as `factlint check` (code,
message, line, column); hover, definition, completion and formatting answer. Then
hostile input: malformed JSON, an unknown method, a position past the end of a line
and in the middle of a surrogate pair, a 10 MB document, an include that leaves the
workspace, and a rule file deleted while open. The server must answer each (or
ignore a notification), keep answering, and exit 0 after shutdown. It prints how long
a diagnostic pass takes after a change (a figure, not a pass/fail test).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import queue

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAILURES = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)


class Server:
    def __init__(self, factlint, root):
        self.p = subprocess.Popen([factlint, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, cwd="/")
        self.q = queue.Queue()
        self.notes = []
        self.next = 0
        threading.Thread(target=self._read, daemon=True).start()
        self.root = root

    def _read(self):
        out = self.p.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.q.put(None)
                    return
                line = line.decode().strip()
                if not line:
                    break
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            body = out.read(int(headers["content-length"]))
            self.q.put(json.loads(body))

    def raw(self, body: bytes):
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def send(self, obj):
        self.raw(json.dumps(obj).encode())

    def get(self, timeout=30):
        m = self.q.get(timeout=timeout)
        if m is None:
            raise RuntimeError("the server closed its output")
        return m

    def request(self, method, params, timeout=30):
        self.next += 1
        rid = self.next
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return self.response(rid, timeout)

    def response(self, rid, timeout=30):
        end = time.time() + timeout
        while True:
            m = self.get(max(0.1, end - time.time()))
            if m.get("id") == rid and "method" not in m:
                return m
            if "method" in m:
                self.notes.append(m)

    def answer(self, timeout=30):
        """The next message that is no notification (a response, or an error)."""
        end = time.time() + timeout
        while True:
            m = self.get(max(0.1, end - time.time()))
            if "method" not in m:
                return m
            self.notes.append(m)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, method, pick=lambda p: True, timeout=30):
        for i, n in enumerate(self.notes):
            if n["method"] == method and pick(n["params"]):
                return self.notes.pop(i)["params"]
        end = time.time() + timeout
        while True:
            m = self.get(max(0.1, end - time.time()))
            if m.get("method") == method and pick(m.get("params")):
                return m["params"]
            if "method" in m:
                self.notes.append(m)


def uri(path):
    return "file://" + path


def at(doc, line, ch):
    return {"textDocument": {"uri": uri(doc)}, "position": {"line": line, "character": ch}}


def main() -> int:
    factlint = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/debug/factlint"))
    s = Server(factlint, ROOT)
    init = s.request("initialize", {"rootUri": uri(ROOT), "capabilities": {}, "processId": None})
    check("hoverProvider" in init["result"]["capabilities"], "initialize: capabilities")
    s.notify("initialized", {})
    loaded = s.wait("factlint/projectLoaded", timeout=120)
    check(loaded["records"] > 0 and loaded["ruleFiles"] > 0, f"the project loads: {loaded}")

    # a typo: the same diagnostic as `factlint check`
    doc = os.path.join(ROOT, "rules/principles.rules")
    text = open(doc, encoding="utf-8").read()
    typo = text.replace("a.actor == s.actor", "a.acter == s.actor", 1)
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri(doc), "languageId": "factlint",
                                                        "version": 1, "text": typo}})
    diags = s.wait("textDocument/publishDiagnostics", lambda p: p["version"] == 1)["diagnostics"]
    tmp = tempfile.mkdtemp(prefix="factlint-lsp-")
    try:
        shutil.copytree(os.path.join(ROOT, "rules"), os.path.join(tmp, "rules"))
        with open(os.path.join(tmp, "rules/principles.rules"), "w", encoding="utf-8") as f:
            f.write(typo)
        cli = subprocess.run([factlint, "--error-format", "json", "check", "--rules", os.path.join(tmp, "rules"),
                              os.path.join(ROOT, "examples/venezuela-2026")],
                             capture_output=True, text=True, cwd=ROOT)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    want = [json.loads(l) for l in cli.stderr.splitlines() if l.startswith("{")]
    want = [d for d in want if d.get("file", "").endswith("principles.rules")]
    got = [(d["code"], d["message"].split(" (")[0], d["range"]["start"]["line"] + 1,
            d["range"]["start"]["character"] + 1) for d in diags]
    exp = [(d["code"], d["message"], d["line"], d["column"]) for d in want]
    check(got == exp and len(got) == 1, f"a typo: the editor shows what check shows: {got} / {exp}")

    # fix it, then time diagnostic passes after changes
    line = next(i for i, l in enumerate(typo.splitlines()) if "a.acter" in l)
    col = typo.splitlines()[line].index("acter")
    times = []
    for v in range(2, 42):
        word = "actor" if v % 2 == 0 else "acter"
        start = time.perf_counter()
        s.notify("textDocument/didChange", {"textDocument": {"uri": uri(doc), "version": v}, "contentChanges": [
            {"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 5}},
             "text": word}]})
        p = s.wait("textDocument/publishDiagnostics", lambda p, v=v: p["version"] == v)
        times.append((time.perf_counter() - start) * 1000)
        check(len(p["diagnostics"]) == (0 if word == "actor" else 1), f"version {v}: {word}") if v < 4 else None
    times.sort()
    print(f"diagnostic pass after a change, round trip over stdio: median {times[len(times) // 2]:.1f} ms, "
          f"max {times[-1]:.1f} ms ({len(times)} changes)")
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri(doc), "version": 100},
                                         "contentChanges": [{"text": text}]})
    s.wait("textDocument/publishDiagnostics", lambda p: p["version"] == 100)

    # hover, definition, completion, formatting on the flagship suite
    r = s.request("textDocument/hover", at(doc, 23, 11))["result"]
    check(r and "actions.actor" in r["contents"]["value"], "hover: a field's type and doc")
    r = s.request("textDocument/hover", at(doc, 21, 30))["result"]
    check(r and "records in the data" in r["contents"]["value"], "hover: a collection's record count")
    r = s.request("textDocument/definition", at(doc, 25, 60))["result"]
    check(r and r["range"]["start"]["line"] == 10, "definition: a def")
    r = s.request("textDocument/completion", at(doc, 23, 10))["result"]
    check(r and any(i["label"] == "consent" for i in r), "completion: the fields of `a`")
    r = s.request("textDocument/formatting", {"textDocument": {"uri": uri(doc)},
                                               "options": {"tabSize": 2, "insertSpaces": True}})
    check(r.get("result") == [], "formatting: the flagship file is formatted already")
    messy = os.path.join(ROOT, "rules/messy.rules")
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri(messy), "languageId": "factlint", "version": 1,
                                                        "text": "rule   m{for a in actions where a.consent}"}})
    r = s.request("textDocument/formatting", {"textDocument": {"uri": uri(messy)},
                                               "options": {"tabSize": 2, "insertSpaces": True}})
    check(r.get("result") and r["result"][0]["newText"].startswith("rule m {\n  for a in actions\n"),
          "formatting: a messy rule is laid out as `factlint fmt` lays it out")
    fixture = os.path.join(ROOT, "rules/tests/action-after-as-of/fires-starts-after-as-of/expect.yaml")
    ftext = open(fixture, encoding="utf-8").read()
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri(fixture), "languageId": "yaml", "version": 1,
                                                        "text": ftext}})
    fline = next(i for i, l in enumerate(ftext.splitlines()) if l.strip().startswith("- rule:"))
    r = s.request("textDocument/definition", at(fixture, fline, 14))["result"]
    check(r and r["uri"].endswith("time.rules"), f"definition: a fixture's rule id jumps to the rule: {r}")

    # hostile input
    s.raw(b"{this is not json")
    m = s.answer()
    check(m.get("error", {}).get("code") == -32700 and m.get("id") is None, "malformed JSON: a parse error")
    r = s.request("workspace/nothingLikeThis", {})
    check(r.get("error", {}).get("code") == -32601, "an unknown method: method not found")
    emoji = os.path.join(ROOT, "rules/emoji.rules")
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri(emoji), "languageId": "factlint", "version": 1,
                                                        "text": "## 😀😀\nrule e { for a in actions where a.consent }\n"}})
    r = s.request("textDocument/hover", at(emoji, 0, 4))
    check("result" in r, "a position in the middle of a surrogate pair: answered")
    r = s.request("textDocument/hover", at(emoji, 1, 10_000))
    check("result" in r, "a position past the end of a line: answered")
    r = s.request("textDocument/completion", at(emoji, 99, 99))
    check("result" in r, "a position past the last line: answered")
    big = os.path.join(ROOT, "rules/big.rules")
    body = "rule big { for a in actions where a.consent }\n" * (10 * 1024 * 1024 // 46)
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri(big), "languageId": "factlint", "version": 1,
                                                        "text": body}})
    p = s.wait("textDocument/publishDiagnostics", lambda p: p["uri"] == uri(big), timeout=60)
    check(len(body) > 10_000_000 and "not checked in the editor" in p["diagnostics"][0]["message"],
          "a 10 MB document: said to be too large, not checked")
    start = time.perf_counter()
    r = s.request("textDocument/hover", at(doc, 23, 11))
    check("result" in r and time.perf_counter() - start < 5, "still answering after the 10 MB document")
    outside = os.path.join(ROOT, "rules/outside.rules")
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri(outside), "languageId": "factlint", "version": 1,
                                                        "text": 'include "../../../../../etc/passwd"\n'}})
    r = s.request("textDocument/definition", at(outside, 0, 12))
    check(r.get("result") is None, "an include that leaves the workspace: no definition")
    gone_dir = tempfile.mkdtemp(prefix="factlint-lsp-gone-", dir=os.path.join(ROOT, "target"))
    gone = os.path.join(gone_dir, "gone.rules")
    with open(gone, "w", encoding="utf-8") as f:
        f.write("rule g { for a in actions where a.consent }\n")
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri(gone), "languageId": "factlint", "version": 1,
                                                        "text": "rule g { for a in actions where a.consent }\n"}})
    shutil.rmtree(gone_dir)
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri(gone), "version": 2},
                                         "contentChanges": [{"text": "rule g { for a in actions where a.consnt }\n"}]})
    p = s.wait("textDocument/publishDiagnostics", lambda p: p["uri"] == uri(gone) and p["version"] == 2)
    check(len(p["diagnostics"]) == 1, "a file deleted while open: still checked from its buffer")
    r = s.request("textDocument/formatting", {"textDocument": {"uri": uri(gone)}, "options": {"tabSize": 2, "insertSpaces": True}})
    check("result" in r, "a file deleted while open: formatting answered")
    s.raw(b'{"jsonrpc":"2.0","id":77}')
    m = s.answer()
    check(m.get("error", {}).get("code") == -32600 and m.get("id") == 77, "a message that is no request: invalid request")

    r = s.request("shutdown", None)
    check(r.get("result") is None and "error" not in r, "shutdown")
    s.notify("exit", None)
    try:
        code = s.p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        s.p.kill()
        code = "hung"
    check(code == 0, f"exit after shutdown: code {code}")
    if FAILURES:
        print(f"{len(FAILURES)} failed")
        return 1
    print("lsp-e2e: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
