//! JSON-RPC over standard input and output, as LSP frames it (`Content-Length`
//! headers). `lsp-server`'s own stdio transport ends the connection at the first
//! malformed message; this one answers it instead (`-32700` parse error, `-32600`
//! invalid request, with a null id as JSON-RPC says) and reads on. Headers and bodies
//! are bounded: a body larger than [`MAX_BODY`] is read past and refused.

use crossbeam_channel::{bounded, select, Receiver, Sender};
use lsp_server::{Connection, Message};
use std::io::{self, BufRead, Read, Write};
use std::thread;

/// The largest message body read (a 10 MB document fits, with room for its escapes).
pub const MAX_BODY: u64 = 64 * 1024 * 1024;
/// The longest header line read, and the most header lines in one message.
const MAX_HEADER_LINE: u64 = 8 * 1024;
const MAX_HEADERS: usize = 32;

/// The reader and writer threads; `join` waits for both.
pub struct Threads {
    reader: thread::JoinHandle<()>,
    writer: thread::JoinHandle<()>,
}

impl Threads {
    pub fn join(self) {
        let _ = self.reader.join();
        let _ = self.writer.join();
    }
}

/// A connection over standard input and output.
pub fn stdio() -> (Connection, Threads) {
    let (to_server, from_client) = bounded::<Message>(64);
    let (to_client, outgoing) = bounded::<Message>(64);
    let (to_client_raw, outgoing_raw) = bounded::<String>(16);
    let writer = thread::spawn(move || write_loop(&mut io::stdout(), &outgoing, &outgoing_raw));
    let reader = thread::spawn(move || {
        let stdin = io::stdin();
        read_loop(&mut stdin.lock(), &to_server, &to_client_raw);
    });
    let conn = Connection {
        sender: to_client,
        receiver: from_client,
    };
    (conn, Threads { reader, writer })
}

fn write_loop(out: &mut impl Write, msgs: &Receiver<Message>, raw: &Receiver<String>) {
    loop {
        let written = select! {
            recv(msgs) -> m => match m {
                Ok(m) => m.write(out),
                Err(_) => return,
            },
            recv(raw) -> r => match r {
                Ok(body) => write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())
                    .and_then(|()| out.flush()),
                Err(_) => continue,
            },
        };
        if written.is_err() {
            return;
        }
    }
}

/// A JSON-RPC error for a message that could not be read: with its id when that much
/// of it could be, else a null id.
fn error_for(id: serde_json::Value, code: i32, message: &str) -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": code, "message": message},
    })
    .to_string()
}

fn error_body(code: i32, message: &str) -> String {
    error_for(serde_json::Value::Null, code, message)
}

/// Read messages until the input ends or the server stops listening; answer what
/// cannot be read on `raw`.
pub fn read_loop(input: &mut impl BufRead, to_server: &Sender<Message>, raw: &Sender<String>) {
    loop {
        let length = match read_headers(input) {
            Ok(Some(Some(n))) => n,
            // a header block without a length: nothing to read as a body
            Ok(Some(None)) => {
                let _ = raw.send(error_body(-32700, "a message without Content-Length"));
                continue;
            }
            Ok(None) | Err(_) => return,
        };
        if length > MAX_BODY {
            // read past it (the client is sending it anyway), and refuse it
            if io::copy(&mut input.take(length), &mut io::sink()).is_err() {
                return;
            }
            let _ = raw.send(error_body(
                -32600,
                &format!("a message of {length} bytes; the most factlint reads is {MAX_BODY}"),
            ));
            continue;
        }
        let mut body = Vec::new();
        match input.take(length).read_to_end(&mut body) {
            Ok(n) if n as u64 == length => {}
            _ => return,
        }
        let value: serde_json::Value = match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                let _ = raw.send(error_body(-32700, &format!("not JSON: {e}")));
                continue;
            }
        };
        let exit = value.get("method").and_then(|m| m.as_str()) == Some("exit");
        let id = value
            .get("id")
            .filter(|i| i.is_string() || i.is_i64())
            .cloned()
            .unwrap_or_default();
        match serde_json::from_value::<Message>(value) {
            Ok(m) => {
                if to_server.send(m).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = raw.send(error_for(
                    id,
                    -32600,
                    &format!("not a JSON-RPC request, response or notification: {e}"),
                ));
            }
        }
        if exit {
            return;
        }
    }
}

/// The headers of one message: `Some(Some(length))`, `Some(None)` for a block
/// without a usable `Content-Length`, `None` at the end of the input.
fn read_headers(input: &mut impl BufRead) -> io::Result<Option<Option<u64>>> {
    let mut length = None;
    let mut lines = 0;
    loop {
        let mut line = Vec::new();
        let n = input.take(MAX_HEADER_LINE).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(None);
        }
        if !line.ends_with(b"\n") && n as u64 == MAX_HEADER_LINE {
            // an overlong line: skip the rest of it
            let mut rest = Vec::new();
            while {
                rest.clear();
                let m = input.take(MAX_HEADER_LINE).read_until(b'\n', &mut rest)?;
                m > 0 && !rest.ends_with(b"\n")
            } {}
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if lines == 0 {
                // a stray blank line between messages
                continue;
            }
            return Ok(Some(length));
        }
        lines += 1;
        if lines > MAX_HEADERS {
            length = None;
        }
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<u64>().ok();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(parts: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for p in parts {
            out.extend(format!("Content-Length: {}\r\n\r\n{p}", p.len()).into_bytes());
        }
        out
    }

    #[test]
    fn malformed_messages_are_answered_and_reading_goes_on() {
        let mut input = frames(&[
            "{not json",
            r#"{"jsonrpc":"2.0","id":1}"#,
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ]);
        input.extend(b"X-Nothing: 1\r\n\r\n");
        input.extend(format!("Content-Length: {}\r\n\r\n", MAX_BODY + 1).into_bytes());
        let (tx, rx) = bounded(8);
        let (etx, erx) = bounded(8);
        read_loop(&mut io::Cursor::new(input), &tx, &etx);
        let got: Vec<Message> = rx.try_iter().collect();
        assert_eq!(got.len(), 1, "{got:?}");
        let errors: Vec<String> = erx.try_iter().collect();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(
            errors[0].contains("-32700") && errors[0].contains("\"id\":null"),
            "{}",
            errors[0]
        );
        // the id is answered when it could be read
        assert!(
            errors[1].contains("-32600") && errors[1].contains("\"id\":1"),
            "{}",
            errors[1]
        );
        assert!(
            errors[2].contains("without Content-Length"),
            "{}",
            errors[2]
        );
        assert!(
            errors[3].contains("the most factlint reads"),
            "{}",
            errors[3]
        );
    }
}
