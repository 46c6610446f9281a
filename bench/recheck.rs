//! How long an editor waits after a keystroke: `Prepared::recheck` (parse one rule
//! file, check the whole suite against the loaded schema) on the flagship suite.
//! Then the same pass through `factlint lsp` (an in-memory connection). Run with
//! `cargo bench --bench recheck`; not part of `cargo test`.

use factlint::project::{Options, Project};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let t = Instant::now();
    let prepared = Project::open(Options {
        config: Some(root.join("factlint.yaml")),
        ..Options::default()
    })
    .expect("config")
    .load()
    .expect("the flagship project loads");
    let load = t.elapsed();
    let file = prepared
        .rule_files
        .iter()
        .map(|f| f.span.file.to_string())
        .find(|f| f.ends_with("principles.rules"))
        .expect("principles.rules");
    let text = std::fs::read_to_string(&file).expect("read");
    let edited = text.replacen("a.actor", "a.acter", 1);
    let mut times: Vec<Duration> = Vec::new();
    for i in 0..200 {
        let t = Instant::now();
        let diags = prepared.recheck(&file, if i % 2 == 0 { &text } else { &edited });
        times.push(t.elapsed());
        assert_eq!(diags.is_empty(), i % 2 == 0);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "flagship: load {:.1} ms; recheck of {} over {} rules: median {:.2} ms, p90 {:.2} ms, max {:.2} ms ({} runs)",
        ms(load),
        file.rsplit('/').next().unwrap_or(&file),
        prepared.suite.rules.len(),
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(times[times.len() - 1]),
        times.len()
    );
    lsp_pass(&root, &file, &text, &edited);
}

/// The same through `factlint lsp`, over an in-memory connection: from a change
/// notification to the diagnostics published for its version (parse, check against
/// the other rule files and the schema, convert, send). The bar: under 20 ms.
fn lsp_pass(root: &std::path::Path, file: &str, text: &str, edited: &str) {
    use lsp_server::{Connection, Message, Notification, Request, RequestId};
    use serde_json::json;
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || factlint::lsp::serve(&server));
    let send = |m: Message| client.sender.send(m).expect("send");
    let wait = |pick: &dyn Fn(&Notification) -> bool| loop {
        if let Message::Notification(n) = client.receiver.recv().expect("recv") {
            if pick(&n) {
                return;
            }
        }
    };
    send(Message::Request(Request::new(
        RequestId::from(1),
        "initialize".into(),
        json!({"rootUri": format!("file://{}", root.display()), "capabilities": {}}),
    )));
    send(Message::Notification(Notification::new(
        "initialized".into(),
        json!({}),
    )));
    wait(&|n| n.method == "factlint/projectLoaded");
    let uri = format!("file://{}", root.join(file).display());
    send(Message::Notification(Notification::new(
        "textDocument/didOpen".into(),
        json!({"textDocument": {"uri": uri, "languageId": "factlint", "version": 0, "text": text}}),
    )));
    let mut times = Vec::new();
    for v in 1..=200 {
        let t = Instant::now();
        send(Message::Notification(Notification::new(
            "textDocument/didChange".into(),
            json!({"textDocument": {"uri": uri, "version": v},
                   "contentChanges": [{"text": if v % 2 == 0 { text } else { edited }}]}),
        )));
        wait(&|n| n.method == "textDocument/publishDiagnostics" && n.params["version"] == v);
        times.push(t.elapsed());
    }
    send(Message::Request(Request::new(
        RequestId::from(2),
        "shutdown".into(),
        serde_json::Value::Null,
    )));
    send(Message::Notification(Notification::new(
        "exit".into(),
        serde_json::Value::Null,
    )));
    let _ = thread.join();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "factlint lsp: change to published diagnostics: median {:.2} ms, p90 {:.2} ms, max {:.2} ms ({} changes)",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(times[times.len() - 1]),
        times.len()
    );
}
