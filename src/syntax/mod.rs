//! Rule text to AST: spans, the nom grammar, the AST, and the canonical formatter.
//! Knows nothing of schemas or data.
//!
//! Parsing never fails outright: [`parse`] returns the items it could build and every
//! error, recovering at item boundaries.

// `Item::Rule` is much larger than the others; items are few, so boxing buys nothing.
#[allow(clippy::large_enum_variant)]
pub mod ast;
mod error;
mod format;
mod grammar;
mod lex;
mod source;
mod view;

use crate::diag::Diagnostic;
use std::sync::Arc;

/// An expression in canonical text: equal trees (spans aside) give equal text.
pub(crate) use format::expr as canonical_expr;
pub use format::format;
pub use grammar::MAX_DEPTH;
pub use view::tree_view;

/// The words of the language (they cannot name a variable, constant or def), for an
/// editor's completion.
pub fn keywords() -> &'static [&'static str] {
    lex::KEYWORDS
}

/// Parse rule text. Returns the items that parsed and every error found; an empty
/// file or a file of comments is valid and has no items.
pub fn parse(file: Arc<str>, text: &str) -> (ast::File, Vec<Diagnostic>) {
    // The grammar recurses once per nesting level (bounded by `MAX_DEPTH`); unoptimised
    // builds use tens of kilobytes of stack per level, more than a test thread has. So
    // it runs on a thread of its own with room to spare, whoever the caller is.
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("factlint-parse".into())
            .stack_size(PARSER_STACK)
            .spawn_scoped(scope, || parse_here(file.clone(), text));
        match worker {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                let d =
                    Diagnostic::error("P0000", "internal error: the parser stopped on this file")
                        .help("please report this, with the file");
                (empty_file(&file, text), vec![d])
            }),
            Err(_) => parse_here(file.clone(), text),
        }
    })
}

/// Stack for the parser thread: `MAX_DEPTH` levels of the deepest production in a
/// debug build need about 16 MB; the memory is only reserved, not used.
const PARSER_STACK: usize = 64 << 20;

fn parse_here(file: Arc<str>, text: &str) -> (ast::File, Vec<Diagnostic>) {
    let ctx = source::Ctx::new(file, text);
    grammar::file(&ctx)
}

fn empty_file(file: &Arc<str>, text: &str) -> ast::File {
    ast::File {
        items: Vec::new(),
        comments: Vec::new(),
        span: source::SourceMap::new(file.clone(), text).span(0, text.len()),
    }
}

/// Parse rule text given as bytes. Invalid UTF-8 is reported at the first bad byte;
/// the rest is parsed with the bad bytes replaced, so other errors still show.
pub fn parse_bytes(file: Arc<str>, bytes: &[u8]) -> (ast::File, Vec<Diagnostic>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(file, text),
        Err(e) => {
            let text = String::from_utf8_lossy(bytes);
            let at = e.valid_up_to();
            let bad_len = e.error_len().unwrap_or(bytes.len() - at);
            let shown: Vec<String> = bytes[at..at + bad_len]
                .iter()
                .map(|b| format!("0x{b:02X}"))
                .collect();
            let map = source::SourceMap::new(file.clone(), &text);
            // in the replaced text the bad bytes are one U+FFFD (3 bytes) at `at`
            let diag = Diagnostic::error("P0018", "the file is not valid UTF-8")
                .at(map.span(at, at + 3), "invalid UTF-8 here")
                .expected("text encoded as UTF-8")
                .found(format!(
                    "the byte{} {}",
                    if bad_len > 1 { "s" } else { "" },
                    shown.join(" ")
                ))
                .help("save the file as UTF-8");
            let (ast, diags) = parse(file, &text);
            let mut all = vec![diag];
            // errors at a replacement character repeat the one above
            all.extend(diags.into_iter().filter(|d| {
                d.primary
                    .as_ref()
                    .is_none_or(|l| !text[l.span.start.min(text.len())..].starts_with('\u{fffd}'))
            }));
            (ast, all)
        }
    }
}

/// Format rule text in the canonical layout, or return the parse errors.
pub fn format_source(file: Arc<str>, text: &str) -> Result<String, Vec<Diagnostic>> {
    let (ast, diags) = parse(file, text);
    if diags.is_empty() {
        Ok(format(&ast))
    } else {
        Err(diags)
    }
}
