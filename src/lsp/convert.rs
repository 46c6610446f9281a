//! factlint's values in LSP's terms: diagnostics (code, message, expected and found,
//! help, related places), locations, file URIs, document symbols and quick fixes.

use super::{Doc, Server, Workspace};
use crate::diag::{Diagnostic, Level, Span};
use lsp_types as lsp;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The local path of a `file:` URI.
pub fn uri_path(uri: &lsp::Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s.strip_prefix("file://")?;
    // `file:///path` (no host) or `file://localhost/path`
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(out).ok()?;
    Some(PathBuf::from(text))
}

/// The `file:` URI of an absolute path.
pub fn file_uri(path: &Path) -> Option<lsp::Uri> {
    let text = path.to_str()?;
    let mut out = String::from("file://");
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    lsp::Uri::from_str(&out).ok()
}

/// The range of `span` in the file it is in: exact for an open document or a rule
/// file the project read; from its line and column otherwise.
fn range_of(span: &Span, server: &Server<'_>) -> (Option<lsp::Uri>, lsp::Range) {
    if let Some(d) = server.docs.values().find(|d| d.name == span.file) {
        return (Some(d.uri.clone()), d.text.range(span.start, span.end));
    }
    let uri = server
        .root
        .as_ref()
        .and_then(|r| file_uri(&r.join(&*span.file)));
    if let Some(text) = server.ws.as_ref().and_then(|w| w.sources.get(&span.file)) {
        let t = super::Text::new(text.to_string());
        return (uri, t.range(span.start, span.end));
    }
    let p = lsp::Position::new(span.line.saturating_sub(1), span.col.saturating_sub(1));
    (uri, lsp::Range::new(p, p))
}

pub fn location(span: &Span, server: &Server<'_>) -> Option<lsp::Location> {
    let (uri, range) = range_of(span, server);
    Some(lsp::Location::new(uri?, range))
}

/// A diagnostic of `doc` as the editor shows it: the message, then what was expected
/// and found and the help line, as `factlint check` prints them.
pub fn diagnostic(d: &Diagnostic, doc: &Doc, root: Option<&Path>) -> lsp::Diagnostic {
    let range = d.primary.as_ref().map_or_else(lsp::Range::default, |l| {
        doc.text.range(l.span.start, l.span.end)
    });
    let mut message = d.message.clone();
    if let Some(l) = d.primary.as_ref().filter(|l| !l.message.is_empty()) {
        message.push_str(&format!(" ({})", l.message));
    }
    for (what, v) in [
        ("expected", &d.expected),
        ("found", &d.found),
        ("help", &d.help),
    ] {
        if let Some(v) = v {
            message.push_str(&format!("\n{what}: {v}"));
        }
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            let (uri, range) = if l.span.file == doc.name {
                (
                    Some(doc.uri.clone()),
                    doc.text.range(l.span.start, l.span.end),
                )
            } else {
                let uri = root.and_then(|r| file_uri(&r.join(&*l.span.file)));
                let p =
                    lsp::Position::new(l.span.line.saturating_sub(1), l.span.col.saturating_sub(1));
                (uri, lsp::Range::new(p, p))
            };
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(uri?, range),
                message: l.message.clone(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range,
        severity: Some(match d.level {
            Level::Error => lsp::DiagnosticSeverity::ERROR,
            Level::Warning => lsp::DiagnosticSeverity::WARNING,
            Level::Info => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(lsp::NumberOrString::String(d.code.clone())),
        source: Some("factlint".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// Where a collection (or one of its fields) is declared in the schema file.
pub fn schema_entry(
    ws: &Workspace,
    root: Option<&Path>,
    collection: &str,
    field: Option<&str>,
) -> Option<lsp::GotoDefinitionResponse> {
    let (name, text) = ws.schema_text.as_ref()?;
    let key = |line: &str, name: &str| {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        let quoted = [
            format!("{name}:"),
            format!("\"{name}\":"),
            format!("'{name}':"),
        ];
        (quoted.iter().any(|q| t.starts_with(q.as_str()))).then_some(indent)
    };
    let mut found = None;
    let mut coll_indent = None;
    for (i, line) in text.lines().enumerate() {
        match coll_indent {
            None => {
                if let Some(ind) = key(line, collection) {
                    if field.is_none() {
                        found = Some((i, ind));
                        break;
                    }
                    coll_indent = Some(ind);
                }
            }
            Some(ci) => {
                let t = line.trim_start();
                let ind = line.len() - t.len();
                if !t.is_empty() && !t.starts_with('#') && ind <= ci {
                    break;
                }
                if let Some(ind) = field.and_then(|f| key(line, f)) {
                    found = Some((i, ind));
                    break;
                }
            }
        }
    }
    let (line, col) = found?;
    let path = Path::new(name);
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root?.join(path)
    };
    let p = lsp::Position::new(line as u32, col as u32);
    Some(lsp::GotoDefinitionResponse::Scalar(lsp::Location::new(
        file_uri(&abs)?,
        lsp::Range::new(p, p),
    )))
}

#[allow(deprecated)]
pub fn symbols(doc: &Doc) -> Vec<lsp::DocumentSymbol> {
    use crate::syntax::ast::Item;
    let mut out = Vec::new();
    for item in &doc.ast.items {
        let (name, kind, ident, span, detail) = match item {
            Item::Rule(r) => (
                &r.id.name,
                lsp::SymbolKind::EVENT,
                &r.id.span,
                &r.span,
                "rule",
            ),
            Item::Def(d) => (
                &d.name.name,
                lsp::SymbolKind::FUNCTION,
                &d.name.span,
                &d.span,
                "def",
            ),
            Item::Const(c) => (
                &c.name.name,
                lsp::SymbolKind::CONSTANT,
                &c.name.span,
                &c.span,
                "const",
            ),
            Item::Include(_) => continue,
        };
        out.push(lsp::DocumentSymbol {
            name: name.clone(),
            detail: Some(detail.into()),
            kind,
            tags: None,
            deprecated: None,
            range: doc.text.range(span.start, span.end),
            selection_range: doc.text.range(ident.start, ident.end),
            children: None,
        });
    }
    out
}

/// A quick fix per "did you mean" diagnostic: the name it meant, in place.
pub fn quick_fixes(doc: &Doc, diags: &[lsp::Diagnostic]) -> Vec<lsp::CodeActionOrCommand> {
    let mut out = Vec::new();
    for d in diags {
        if d.source.as_deref() != Some("factlint") {
            continue;
        }
        let Some(rest) = d.message.split("did you mean `").nth(1) else {
            continue;
        };
        let Some(meant) = rest.split('`').next() else {
            continue;
        };
        // an edit of this version of the document (a later one may have moved it)
        let changes = lsp::DocumentChanges::Edits(vec![lsp::TextDocumentEdit {
            text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                uri: doc.uri.clone(),
                version: Some(doc.version),
            },
            edits: vec![lsp::OneOf::Left(lsp::TextEdit::new(
                d.range,
                meant.to_string(),
            ))],
        }]);
        out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title: format!("Change to `{meant}`"),
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![d.clone()]),
            edit: Some(lsp::WorkspaceEdit {
                document_changes: Some(changes),
                ..Default::default()
            }),
            is_preferred: Some(true),
            ..Default::default()
        }));
    }
    out
}
