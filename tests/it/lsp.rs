//! `factlint lsp` through a whole exchange, over an in-memory connection: initialize,
//! open a rule file with a typo, change it, then hover, definition, references,
//! completion, formatting, symbols, a quick fix, shutdown and exit. The responses are
//! snapshots (the repository's path shown as `<root>`). The same exchange over the
//! real binary's standard input and output is `scripts/lsp-e2e.py`.

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};
use std::path::Path;

struct Client {
    conn: Connection,
    next: i32,
    /// Notifications received while waiting for responses.
    notes: Vec<Notification>,
}

impl Client {
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = RequestId::from(self.next);
        let r = Request::new(id.clone(), method.to_string(), params);
        self.conn.sender.send(Message::Request(r)).expect("send");
        loop {
            match self.recv() {
                Message::Response(r) if r.id == id => {
                    return match r.response_result {
                        Ok(v) => v,
                        Err(e) => json!({"error": e.code, "message": e.message}),
                    }
                }
                Message::Notification(n) => self.notes.push(n),
                _ => {}
            }
        }
    }

    fn notify(&self, method: &str, params: Value) {
        let n = Notification::new(method.to_string(), params);
        self.conn
            .sender
            .send(Message::Notification(n))
            .expect("send");
    }

    fn recv(&self) -> Message {
        self.conn
            .receiver
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the server answers within a minute")
    }

    /// Wait for a notification of `method` that `pick` accepts.
    fn wait(&mut self, method: &str, pick: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self
            .notes
            .iter()
            .position(|n| n.method == method && pick(&n.params))
        {
            return self.notes.remove(i).params;
        }
        loop {
            if let Message::Notification(n) = self.recv() {
                if n.method == method && pick(&n.params) {
                    return n.params;
                }
                self.notes.push(n);
            }
        }
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn uri(rel: &str) -> String {
    format!("file://{}/{rel}", root().display())
}

/// A response as a person reads it: the repository's path as `<root>`.
fn shown(v: &Value) -> String {
    serde_json::to_string_pretty(v)
        .expect("json")
        .replace(&root().display().to_string(), "<root>")
}

fn at(line: u32, character: u32, doc: &str) -> Value {
    json!({"textDocument": {"uri": uri(doc)}, "position": {"line": line, "character": character}})
}

#[test]
fn a_whole_editing_session() {
    let (server, conn) = Connection::memory();
    let thread = std::thread::spawn(move || factlint::lsp::serve(&server));
    let mut c = Client {
        conn,
        next: 0,
        notes: Vec::new(),
    };
    let mut log = Vec::new();
    let init = c.request(
        "initialize",
        json!({"rootUri": format!("file://{}", root().display()), "capabilities": {}}),
    );
    log.push(format!("initialize\n{}", shown(&init)));
    c.notify("initialized", json!({}));
    let loaded = c.wait("factlint/projectLoaded", |_| true);
    log.push(format!("factlint/projectLoaded\n{}", shown(&loaded)));

    // a typo: the same diagnostic as `factlint check` gives
    let doc = "rules/principles.rules";
    let text = std::fs::read_to_string(root().join(doc)).expect("read");
    let typo = text.replacen("a.actor == s.actor", "a.acter == s.actor", 1);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(doc), "languageId": "factlint", "version": 1, "text": typo}}),
    );
    let diags = c.wait("textDocument/publishDiagnostics", |p| p["version"] == 1);
    log.push(format!("publishDiagnostics (a typo)\n{}", shown(&diags)));
    let (dataset, _) = factlint::data::load(
        &[root().join("examples/venezuela-2026")],
        &factlint::data::LoadOptions::default(),
    );
    let (file, _) = factlint::syntax::parse(doc.into(), &typo);
    let (_, check) = factlint::check::check(&[file], &dataset.schema);
    let d = &diags["diagnostics"][0];
    assert_eq!(check.len(), 1, "{check:?}");
    assert_eq!(d["code"], check[0].code.as_str());
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.starts_with(&check[0].message)),
        "{d}"
    );
    let span = &check[0].primary.as_ref().expect("located").span;
    assert_eq!(d["range"]["start"]["line"], span.line - 1);
    assert_eq!(d["range"]["start"]["character"], span.col - 1);

    // the quick fix puts in the name it meant
    let fix = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(doc)}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    log.push(format!("codeAction (did you mean)\n{}", shown(&fix)));

    // fixed: no diagnostics, for the newer version
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(doc), "version": 2}, "contentChanges": [
            {"range": d["range"], "text": "actor"}
        ]}),
    );
    let diags = c.wait("textDocument/publishDiagnostics", |p| p["version"] == 2);
    log.push(format!("publishDiagnostics (fixed)\n{}", shown(&diags)));

    for (what, method, params) in [
        ("hover: a variable", "textDocument/hover", at(23, 8, doc)),
        ("hover: a field", "textDocument/hover", at(23, 11, doc)),
        ("hover: a collection", "textDocument/hover", at(21, 30, doc)),
        ("hover: a def", "textDocument/hover", at(25, 60, doc)),
        ("hover: a const", "textDocument/hover", at(24, 25, doc)),
        (
            "hover: an aggregate's variable",
            "textDocument/hover",
            at(25, 15, doc),
        ),
        (
            "hover: an aggregate's collection",
            "textDocument/hover",
            at(25, 20, doc),
        ),
        ("hover: a rule", "textDocument/hover", at(16, 10, doc)),
        (
            "definition: a def",
            "textDocument/definition",
            at(25, 60, doc),
        ),
        (
            "definition: a const",
            "textDocument/definition",
            at(24, 25, doc),
        ),
        ("references: a def", "textDocument/references", {
            let mut p = at(10, 6, doc);
            p["context"] = json!({"includeDeclaration": true});
            p
        }),
        ("references: a collection", "textDocument/references", {
            let mut p = at(21, 30, doc);
            p["context"] = json!({"includeDeclaration": false});
            p
        }),
        (
            "symbols",
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri(doc)}}),
        ),
        (
            "an unknown method",
            "textDocument/semanticTokens/full",
            json!({}),
        ),
        (
            "hover past the end of a line",
            "textDocument/hover",
            at(23, 999, doc),
        ),
        (
            "hover on a line past the end",
            "textDocument/hover",
            at(9999, 0, doc),
        ),
        (
            "hover on an unknown document",
            "textDocument/hover",
            at(0, 0, "rules/none.rules"),
        ),
    ] {
        let r = c.request(method, params);
        log.push(format!("{what}\n{}", shown(&r)));
    }

    // completion in a new file, as it is being written
    let new = "rules/new.rules";
    let mut text = String::from("rule draft {\n  for a in actions, s in statements\n  where a.");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(new), "languageId": "factlint", "version": 1, "text": text}}),
    );
    let labels = |v: &Value| -> String {
        v.as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|i| {
                        format!(
                            "{} ({})",
                            i["label"].as_str().unwrap_or(""),
                            i["detail"].as_str().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    };
    let r = c.request("textDocument/completion", at(2, 10, new));
    log.push(format!("completion after `a.`\n{}", labels(&r)));
    let r = c.request("textDocument/completion", at(1, 11, new));
    log.push(format!("completion after `in `\n{}", labels(&r)));
    text.push_str("actor.");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(new), "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let r = c.request("textDocument/completion", at(2, 16, new));
    log.push(format!("completion after `a.actor.`\n{}", labels(&r)));
    text = text.trim_end_matches("actor.").to_string() + "kind == ";
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(new), "version": 3}, "contentChanges": [{"text": text}]}),
    );
    let r = c.request("textDocument/completion", at(2, 18, new));
    log.push(format!("completion after `a.kind == `\n{}", labels(&r)));

    // formatting
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(new), "version": 4}, "contentChanges": [
            {"text": "rule   draft{for a in actions where a.consent}"}
        ]}),
    );
    let r = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri(new)}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    log.push(format!("formatting\n{}", shown(&r)));

    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(new), "version": 5}, "contentChanges": [
            {"text": "rule draft {\n  for a in actions\n  where lower(a.kind) == \"x\"\n}\n"}
        ]}),
    );
    let r = c.request("textDocument/hover", at(2, 9, new));
    log.push(format!("hover: a builtin\n{}", shown(&r)));

    let r = c.request("shutdown", Value::Null);
    log.push(format!("shutdown\n{}", shown(&r)));
    c.notify("exit", Value::Null);
    let code = thread.join().expect("the server thread ends");
    log.push(format!("exit code {code}"));
    insta::assert_snapshot!(log.join("\n\n"));
}
