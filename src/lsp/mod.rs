//! `factlint lsp`: a Language Server Protocol server over standard input and output.
//!
//! It opens the project of the workspace root (its `factlint.yaml`) as `factlint check`
//! does, and loads the schema, the data's record counts and the rule files once, in a
//! thread of their own: until they are in, an open rule file gets its parse errors,
//! and nothing waits. Each open or changed rule file is then parsed and checked with
//! the other rule files against the schema, as `check` checks them, and its
//! diagnostics are published with the version they are for; changes that arrive
//! together are checked once, at their last version.
//!
//! Requests answered: hover, definition, references, completion, formatting (`fmt`),
//! document symbols and quick fixes for "did you mean" diagnostics. Positions are
//! UTF-16 and clamped into the text (`text.rs`); messages that cannot be read are
//! answered with a JSON-RPC error (`transport.rs`); a handler that panics answers with
//! an internal error instead of stopping the server. Files are read only through the
//! project layer, confined to the workspace.

mod analysis;
mod complete;
mod convert;
pub mod text;
pub mod transport;

use crate::data::schema::Schema;
use crate::diag::Diagnostic;
use crate::syntax::ast;
use analysis::Hit;
use crossbeam_channel::{select, Receiver};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use text::Text;

/// A rule file larger than this is not analysed in the editor (`factlint check` still
/// reads up to `project::rules::MAX_RULE_FILE`).
pub const MAX_DOCUMENT: usize = 4 * 1024 * 1024;

/// Serve over standard input and output until `exit`; the process's exit code.
pub fn run_stdio() -> i32 {
    let (conn, threads) = transport::stdio();
    let code = serve(&conn);
    drop(conn);
    threads.join();
    code
}

/// What the project holds, loaded once.
pub struct Workspace {
    schema: Schema,
    counts: BTreeMap<String, usize>,
    /// The rule files as read from disk (an open one is replaced by its buffer).
    files: Vec<ast::File>,
    sources: crate::diag::Sources,
    /// The schema file's name and text, to find a collection's or field's entry.
    schema_text: Option<(String, String)>,
    /// Why the project could not be loaded, if it could not.
    problem: Option<String>,
}

/// Open the project of the workspace root `root`: its `factlint.yaml`, or without
/// one the defaults `factlint check` would take there (rules in `rules/`, data in the
/// root). Paths are absolute, so that nothing depends on the server's own folder.
pub fn load_workspace(root: &Path) -> Workspace {
    let mut ws = Workspace {
        schema: Schema::default(),
        counts: BTreeMap::new(),
        files: Vec::new(),
        sources: crate::diag::Sources::new(),
        schema_text: None,
        problem: None,
    };
    let config = root.join(crate::project::config::CONFIG_FILE);
    let open = |data: Vec<PathBuf>, rules: Vec<PathBuf>| {
        crate::project::Project::open(crate::project::Options {
            config: Some(config.clone())
                .filter(|c| crate::files::kind(c) == crate::files::Kind::File),
            data,
            rules,
            ..crate::project::Options::default()
        })
    };
    let mut project = open(Vec::new(), Vec::new());
    if let Ok(p) = &project {
        // what the config leaves out is the root's, not the server's folder's
        if p.config.data.is_empty() || p.config.rules.is_empty() {
            let data = if p.config.data.is_empty() {
                vec![root.to_path_buf()]
            } else {
                Vec::new()
            };
            let rules = if p.config.rules.is_empty() {
                vec![root.join("rules")]
            } else {
                Vec::new()
            };
            project = open(data, rules);
        }
    }
    let project = match project {
        Ok(p) => p,
        Err(f) => {
            ws.problem = Some(
                f.diagnostics
                    .first()
                    .map_or("factlint.yaml has errors".into(), |d| d.message.clone()),
            );
            return ws;
        }
    };
    let loaded = project.load_data();
    if let Some(path) = &loaded.schema_file {
        let confine = project.confine(&project.data_paths());
        if let Ok(t) = crate::files::read_text(path, &confine, 1 << 20) {
            ws.schema_text = Some((path.display().to_string(), t));
        }
    }
    ws.counts = loaded
        .dataset
        .collections
        .iter()
        .map(|(n, c)| (n.clone(), c.records.len()))
        .collect();
    ws.schema = loaded.dataset.schema;
    let rules = project.read_rules();
    ws.files = rules.files;
    ws.sources = rules.sources;
    ws
}

/// An open document.
struct Doc {
    uri: lsp::Uri,
    /// The name diagnostics and the project know it by (its path from the root).
    name: Arc<str>,
    version: i32,
    text: Text,
    ast: ast::File,
    parse_diags: Vec<Diagnostic>,
}

impl Doc {
    fn new(uri: lsp::Uri, name: Arc<str>, version: i32, text: String) -> Doc {
        let mut d = Doc {
            uri,
            name,
            version,
            text: Text::new(String::new()),
            ast: ast::File {
                items: Vec::new(),
                comments: Vec::new(),
                span: crate::diag::Span::default(),
            },
            parse_diags: Vec::new(),
        };
        d.set(text);
        d
    }

    fn is_rules(&self) -> bool {
        self.name.ends_with(".rules")
    }

    fn too_large(&self) -> bool {
        self.text.text.len() > MAX_DOCUMENT
    }

    fn set(&mut self, text: String) {
        self.text = Text::new(text);
        if self.is_rules() && !self.too_large() {
            let (ast, diags) = crate::syntax::parse(self.name.clone(), &self.text.text);
            self.ast = ast;
            self.parse_diags = diags;
        } else {
            self.ast.items.clear();
            self.parse_diags.clear();
        }
    }
}

struct Server<'c> {
    conn: &'c Connection,
    root: Option<PathBuf>,
    ws: Option<Arc<Workspace>>,
    loading: Option<Receiver<Workspace>>,
    docs: BTreeMap<String, Doc>,
    dirty: BTreeSet<String>,
    initialized: bool,
    shutdown: bool,
}

/// Serve on `conn` until `exit`: 0 after `shutdown`, 1 without it (as LSP says).
pub fn serve(conn: &Connection) -> i32 {
    let mut s = Server {
        conn,
        root: None,
        ws: None,
        loading: None,
        docs: BTreeMap::new(),
        dirty: BTreeSet::new(),
        initialized: false,
        shutdown: false,
    };
    loop {
        let loading = s.loading.clone().unwrap_or_else(crossbeam_channel::never);
        let msg = select! {
            recv(conn.receiver) -> m => match m {
                Ok(m) => Some(m),
                Err(_) => return if s.shutdown { 0 } else { 1 },
            },
            recv(loading) -> w => {
                s.loading = None;
                if let Ok(w) = w {
                    // clients (and tests) may wait for this before asking
                    let loaded = serde_json::json!({
                        "collections": w.counts.len(),
                        "records": w.counts.values().sum::<usize>(),
                        "ruleFiles": w.files.len(),
                        "problem": w.problem,
                    });
                    s.notify("factlint/projectLoaded", loaded);
                    s.ws = Some(Arc::new(w));
                    s.dirty.extend(s.docs.keys().cloned());
                }
                None
            },
        };
        if let Some(m) = msg {
            if let Some(code) = s.handle(m) {
                return code;
            }
            // changes that arrived together are checked once, at their last version
            while let Ok(m) = conn.receiver.try_recv() {
                if let Some(code) = s.handle(m) {
                    return code;
                }
            }
        }
        s.publish();
    }
}

fn respond(conn: &Connection, r: Response) {
    let _ = conn.sender.send(Message::Response(r));
}

fn error(id: RequestId, code: ErrorCode, message: impl Into<String>) -> Response {
    Response::new_err(id, code as i32, message.into())
}

impl Server<'_> {
    /// Handle one message; `Some(code)` when the server is to stop.
    fn handle(&mut self, m: Message) -> Option<i32> {
        match m {
            Message::Request(r) => {
                let id = r.id.clone();
                let response = if r.method == "initialize" {
                    self.initialize(r)
                } else if !self.initialized {
                    error(id, ErrorCode::ServerNotInitialized, "initialize first")
                } else if self.shutdown {
                    error(id, ErrorCode::InvalidRequest, "the server is shutting down")
                } else if r.method == "shutdown" {
                    self.shutdown = true;
                    Response::new_ok(id, ())
                } else {
                    // a handler that panics answers with an error; the server goes on
                    let method = r.method.clone();
                    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.request(r)))
                    {
                        Ok(resp) => resp,
                        Err(_) => error(
                            id,
                            ErrorCode::InternalError,
                            format!("factlint failed on `{method}`; please report it"),
                        ),
                    }
                };
                respond(self.conn, response);
                None
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    return Some(if self.shutdown { 0 } else { 1 });
                }
                if self.initialized {
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        self.notification(n)
                    }));
                }
                None
            }
            Message::Response(_) => None,
        }
    }

    fn initialize(&mut self, r: Request) -> Response {
        if self.initialized {
            return error(r.id, ErrorCode::InvalidRequest, "initialized already");
        }
        let params: lsp::InitializeParams = match serde_json::from_value(r.params) {
            Ok(p) => p,
            Err(e) => return error(r.id, ErrorCode::InvalidParams, e.to_string()),
        };
        #[allow(deprecated)]
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| f.uri.clone())
            .or(params.root_uri.clone())
            .and_then(|u| convert::uri_path(&u))
            .or_else(|| std::env::current_dir().ok());
        if let Some(root) = root {
            self.root = Some(root.clone());
            let (tx, rx) = crossbeam_channel::bounded(1);
            std::thread::spawn(move || {
                let _ = tx.send(load_workspace(&root));
            });
            self.loading = Some(rx);
        }
        self.initialized = true;
        let caps = lsp::ServerCapabilities {
            text_document_sync: Some(lsp::TextDocumentSyncCapability::Kind(
                lsp::TextDocumentSyncKind::INCREMENTAL,
            )),
            hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
            definition_provider: Some(lsp::OneOf::Left(true)),
            references_provider: Some(lsp::OneOf::Left(true)),
            completion_provider: Some(lsp::CompletionOptions {
                trigger_characters: Some(vec![".".into(), " ".into(), "\"".into()]),
                ..Default::default()
            }),
            document_formatting_provider: Some(lsp::OneOf::Left(true)),
            document_symbol_provider: Some(lsp::OneOf::Left(true)),
            code_action_provider: Some(lsp::CodeActionProviderCapability::Simple(true)),
            ..Default::default()
        };
        let result = lsp::InitializeResult {
            capabilities: caps,
            server_info: Some(lsp::ServerInfo {
                name: "factlint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        };
        Response::new_ok(r.id, result)
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params)
                else {
                    return;
                };
                let d = p.text_document;
                let key = d.uri.as_str().to_string();
                let name = self.name_of(&d.uri);
                self.docs
                    .insert(key.clone(), Doc::new(d.uri, name, d.version, d.text));
                self.dirty.insert(key);
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params)
                else {
                    return;
                };
                let key = p.text_document.uri.as_str().to_string();
                let Some(doc) = self.docs.get_mut(&key) else {
                    return;
                };
                let mut text = std::mem::take(&mut doc.text.text);
                for c in p.content_changes {
                    match c.range {
                        None => text = c.text,
                        Some(r) => {
                            let t = Text::new(text);
                            let (a, b) = (t.offset(r.start), t.offset(r.end));
                            let (a, b) = (a.min(b), a.max(b));
                            let mut s = t.text;
                            s.replace_range(a..b, &c.text);
                            text = s;
                        }
                    }
                }
                doc.version = p.text_document.version;
                doc.set(text);
                self.dirty.insert(key);
            }
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params)
                else {
                    return;
                };
                let key = p.text_document.uri.as_str().to_string();
                if self.docs.remove(&key).is_some() {
                    self.dirty.remove(&key);
                    let params = lsp::PublishDiagnosticsParams {
                        uri: p.text_document.uri,
                        diagnostics: Vec::new(),
                        version: None,
                    };
                    self.notify("textDocument/publishDiagnostics", params);
                }
            }
            _ => {}
        }
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        let n = Notification::new(method.to_string(), params);
        let _ = self.conn.sender.send(Message::Notification(n));
    }

    /// The name the project knows a document by: its path (the project's paths are
    /// absolute), or its URI when it is no file.
    fn name_of(&self, uri: &lsp::Uri) -> Arc<str> {
        convert::uri_path(uri)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| uri.as_str().to_string())
            .into()
    }

    /// Every rule file's tree, borrowed: the project's, each open one as in its
    /// buffer (an open file the project lacks at the end).
    fn trees(&self) -> Vec<&ast::File> {
        let mut files: Vec<&ast::File> = self
            .ws
            .as_ref()
            .map(|w| w.files.iter().collect())
            .unwrap_or_default();
        for d in self
            .docs
            .values()
            .filter(|d| d.is_rules() && !d.too_large())
        {
            match files.iter().position(|f| f.span.file == d.name) {
                Some(i) => files[i] = &d.ast,
                None => files.push(&d.ast),
            }
        }
        files
    }

    /// Publish the diagnostics of every changed document.
    fn publish(&mut self) {
        if self.dirty.is_empty() {
            return;
        }
        let dirty = std::mem::take(&mut self.dirty);
        let checked = self.ws.as_ref().map(|ws| {
            // the checker takes the files themselves
            let files: Vec<ast::File> = self.trees().into_iter().cloned().collect();
            let (_, diags) = crate::check::check(&files, &ws.schema);
            diags
        });
        for key in dirty {
            let Some(doc) = self.docs.get(&key) else {
                continue;
            };
            let mut diags: Vec<lsp::Diagnostic> = Vec::new();
            if doc.too_large() {
                diags.push(lsp::Diagnostic {
                    range: lsp::Range::default(),
                    severity: Some(lsp::DiagnosticSeverity::INFORMATION),
                    source: Some("factlint".into()),
                    message: format!(
                        "a file of {} bytes is not checked in the editor (the most is {MAX_DOCUMENT}); run `factlint check`",
                        doc.text.text.len()
                    ),
                    ..Default::default()
                });
            } else if doc.is_rules() {
                let ours =
                    |d: &&Diagnostic| d.primary.as_ref().is_some_and(|l| l.span.file == doc.name);
                let mut all: Vec<&Diagnostic> = doc.parse_diags.iter().collect();
                // check errors only once the file parses: they would repeat the parse
                // errors' consequences
                if doc.parse_diags.iter().all(|d| !d.is_error()) {
                    all.extend(checked.iter().flatten().filter(ours));
                }
                diags = all
                    .into_iter()
                    .map(|d| convert::diagnostic(d, doc, self.root.as_deref()))
                    .collect();
            }
            let params = lsp::PublishDiagnosticsParams {
                uri: doc.uri.clone(),
                diagnostics: diags,
                version: Some(doc.version),
            };
            self.notify("textDocument/publishDiagnostics", params);
        }
    }

    fn request(&mut self, r: Request) -> Response {
        let id = r.id.clone();
        macro_rules! params {
            ($t:ty) => {
                match serde_json::from_value::<$t>(r.params) {
                    Ok(p) => p,
                    Err(e) => return error(id, ErrorCode::InvalidParams, e.to_string()),
                }
            };
        }
        macro_rules! doc {
            ($uri:expr) => {
                match self.docs.get($uri.as_str()) {
                    Some(d) => d,
                    None => return Response::new_ok(id, serde_json::Value::Null),
                }
            };
        }
        match r.method.as_str() {
            "textDocument/hover" => {
                let p = params!(lsp::HoverParams);
                let pos = p.text_document_position_params;
                let doc = doc!(pos.text_document.uri);
                Response::new_ok(id, self.hover(doc, pos.position))
            }
            "textDocument/definition" => {
                let p = params!(lsp::GotoDefinitionParams);
                let pos = p.text_document_position_params;
                let doc = doc!(pos.text_document.uri);
                Response::new_ok(id, self.definition(doc, pos.position))
            }
            "textDocument/references" => {
                let p = params!(lsp::ReferenceParams);
                let pos = p.text_document_position;
                let doc = doc!(pos.text_document.uri);
                let include = p.context.include_declaration;
                Response::new_ok(id, self.references(doc, pos.position, include))
            }
            "textDocument/completion" => {
                let p = params!(lsp::CompletionParams);
                let pos = p.text_document_position;
                let doc = doc!(pos.text_document.uri);
                let at = doc.text.offset(pos.position);
                let items = complete::complete(doc, at, self.ws.as_deref(), &self.trees());
                Response::new_ok(id, lsp::CompletionResponse::Array(items))
            }
            "textDocument/formatting" => {
                let p = params!(lsp::DocumentFormattingParams);
                let doc = doc!(p.text_document.uri);
                if !doc.is_rules() || doc.too_large() {
                    return Response::new_ok(id, serde_json::Value::Null);
                }
                match crate::syntax::format_source(doc.name.clone(), &doc.text.text) {
                    Ok(new) if new == doc.text.text => {
                        Response::new_ok(id, Vec::<lsp::TextEdit>::new())
                    }
                    Ok(new) => {
                        let whole = doc.text.range(0, doc.text.text.len());
                        Response::new_ok(id, vec![lsp::TextEdit::new(whole, new)])
                    }
                    Err(_) => error(
                        id,
                        ErrorCode::RequestFailed,
                        "the file has syntax errors: fix them to format it",
                    ),
                }
            }
            "textDocument/documentSymbol" => {
                let p = params!(lsp::DocumentSymbolParams);
                let doc = doc!(p.text_document.uri);
                Response::new_ok(id, convert::symbols(doc))
            }
            "textDocument/codeAction" => {
                let p = params!(lsp::CodeActionParams);
                let doc = doc!(p.text_document.uri);
                Response::new_ok(id, convert::quick_fixes(doc, &p.context.diagnostics))
            }
            other => error(
                id,
                ErrorCode::MethodNotFound,
                format!("factlint does not answer `{other}`"),
            ),
        }
    }

    fn hover(&self, doc: &Doc, pos: lsp::Position) -> Option<lsp::Hover> {
        let ws = self.ws.as_deref()?;
        let at = doc.text.offset(pos);
        let (hit, span) = analysis::hit_at(&doc.ast, at, &ws.schema)?;
        let refs = self.trees();
        let text = match &hit {
            Hit::Rule(id) => {
                let d = analysis::declaration(&refs, "rule", id)?;
                format!("**rule** `{id}`{}", doc_text(d.doc))
            }
            Hit::Name(n) => {
                let d = analysis::declaration(&refs, "def", n)
                    .or_else(|| analysis::declaration(&refs, "const", n))?;
                format!("**{}** `{n}`{}", d.what, doc_text(d.doc))
            }
            Hit::Var { name, collection } => match collection {
                Some(c) => format!("`{name}`: a record of `{c}`"),
                None => format!("`{name}`: a variable"),
            },
            Hit::Param(n) => format!("`{n}`: a parameter of the def"),
            Hit::Collection(c) => {
                let def = ws.schema.collection(c)?;
                let count = ws.counts.get(c).copied().unwrap_or(0);
                let fields: Vec<String> = def.fields.keys().map(|f| format!("`{f}`")).collect();
                format!(
                    "**collection** `{c}`: {count} record{} in the data{}\n\nfields: {}",
                    if count == 1 { "" } else { "s" },
                    doc_text(def.doc.as_deref()),
                    fields.join(", ")
                )
            }
            Hit::Field { collection, field } => {
                let f = ws.schema.field(collection, field)?;
                format!(
                    "`{collection}.{field}`: {}{}{}",
                    f.ty,
                    if f.required { ", required" } else { "" },
                    doc_text(f.doc.as_deref())
                )
            }
            Hit::Builtin(b) => {
                let (_, usage, ret) = crate::check::resolve::builtin_signatures()
                    .into_iter()
                    .find(|(n, _, _)| n == b)?;
                format!(
                    "**builtin** `{usage}` → {ret}{}",
                    doc_text(builtin_doc(b).as_deref())
                )
            }
            Hit::Include(path) => format!("**include** `{path}`"),
        };
        Some(lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: text,
            }),
            range: Some(doc.text.range(span.start, span.end)),
        })
    }

    fn definition(&self, doc: &Doc, pos: lsp::Position) -> Option<lsp::GotoDefinitionResponse> {
        let at = doc.text.offset(pos);
        let root = self.root.as_deref();
        if !doc.is_rules() {
            // a fixture's rule id (`rule: ID`, `rules: [ID, ...]`) jumps to the rule
            let line = doc.text.line_before(at);
            let key = line.trim_start().trim_start_matches("- ");
            if !(key.starts_with("rule:") || key.starts_with("rules:")) {
                return None;
            }
            let word = |c: char| c.is_ascii_alphanumeric() || "_.-".contains(c);
            let text = &doc.text.text;
            let start = text[..at].rfind(|c: char| !word(c)).map_or(0, |i| i + 1);
            let end = text[at..]
                .find(|c: char| !word(c))
                .map_or(text.len(), |i| at + i);
            let id = &text[start..end];
            let refs = self.trees();
            let d = analysis::declaration(&refs, "rule", id)?;
            return Some(lsp::GotoDefinitionResponse::Scalar(convert::location(
                &d.ident.span,
                self,
            )?));
        }
        let ws = self.ws.as_deref()?;
        let (hit, _) = analysis::hit_at(&doc.ast, at, &ws.schema)?;
        let refs = self.trees();
        let span = match &hit {
            Hit::Rule(id) => analysis::declaration(&refs, "rule", id)?.ident.span.clone(),
            Hit::Name(n) => analysis::declaration(&refs, "def", n)
                .or_else(|| analysis::declaration(&refs, "const", n))?
                .ident
                .span
                .clone(),
            Hit::Collection(c) => return convert::schema_entry(ws, root, c, None),
            Hit::Field { collection, field } => {
                return convert::schema_entry(ws, root, collection, Some(field))
            }
            Hit::Include(path) => {
                let base = Path::new(&*doc.name).parent().unwrap_or(Path::new(""));
                let target = base.join(path);
                let root = root?;
                let confine = crate::files::Confine::within([root]);
                if !crate::files::resolves_inside(&root.join(&target), &confine) {
                    return None;
                }
                let uri = convert::file_uri(&root.join(&target))?;
                return Some(lsp::GotoDefinitionResponse::Scalar(lsp::Location::new(
                    uri,
                    lsp::Range::default(),
                )));
            }
            Hit::Var { .. } | Hit::Param(_) | Hit::Builtin(_) => return None,
        };
        Some(lsp::GotoDefinitionResponse::Scalar(convert::location(
            &span, self,
        )?))
    }

    fn references(
        &self,
        doc: &Doc,
        pos: lsp::Position,
        include_declaration: bool,
    ) -> Option<Vec<lsp::Location>> {
        let ws = self.ws.as_deref()?;
        let at = doc.text.offset(pos);
        let (hit, _) = analysis::hit_at(&doc.ast, at, &ws.schema)?;
        let refs = self.trees();
        let name = match &hit {
            Hit::Rule(n) | Hit::Name(n) => n.clone(),
            Hit::Collection(c) => {
                let mut out: Vec<lsp::Location> = analysis::collection_uses(&refs, c)
                    .iter()
                    .filter_map(|s| convert::location(s, self))
                    .collect();
                if include_declaration {
                    if let Some(lsp::GotoDefinitionResponse::Scalar(l)) =
                        convert::schema_entry(ws, self.root.as_deref(), c, None)
                    {
                        out.insert(0, l);
                    }
                }
                return Some(out);
            }
            _ => return None,
        };
        let mut out = Vec::new();
        for (_, n, span, declared) in analysis::names(&refs) {
            if n == name && (include_declaration || !declared) {
                if let Some(l) = convert::location(&span, self) {
                    out.push(l);
                }
            }
        }
        Some(out)
    }
}

/// What `docs/language.md`'s table of builtins says of `name`: its meaning, an
/// example and when it is unknown (one source for the docs and the editor).
fn builtin_doc(name: &str) -> Option<String> {
    const LANGUAGE: &str = include_str!("../../docs/language.md");
    let table = LANGUAGE.split("### Builtins").nth(1)?;
    let call = format!("`{name}(");
    let row = table
        .lines()
        .take_while(|l| l.starts_with('|') || l.trim().is_empty() || !l.starts_with('#'))
        .filter(|l| l.starts_with('|'))
        .find(|l| l.split('|').nth(1).is_some_and(|c| c.contains(&call)))?;
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    let (meaning, example, unknown) = (cells.get(2)?, cells.get(3)?, cells.get(4)?);
    Some(format!(
        "{meaning}\n\nExample: {example}\n\nUnknown when {unknown}."
    ))
}

fn doc_text(doc: Option<&str>) -> String {
    doc.map_or(String::new(), |d| format!("\n\n{}", d.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> &'static Workspace {
        static WS: std::sync::OnceLock<Workspace> = std::sync::OnceLock::new();
        WS.get_or_init(|| load_workspace(Path::new(env!("CARGO_MANIFEST_DIR"))))
    }

    /// Rule-like text: pieces of the language and stray characters, in any order.
    fn text() -> impl proptest::strategy::Strategy<Value = String> {
        let piece = proptest::prop_oneof![
            proptest::strategy::Just("rule r {\n".to_string()),
            proptest::strategy::Just("  for a in actions, s in statements\n".to_string()),
            proptest::strategy::Just("  where a.actor.".to_string()),
            proptest::strategy::Just("a.kind == \"".to_string()),
            proptest::strategy::Just("exists(p in principles where p.id in s.invokes)".to_string()),
            proptest::strategy::Just("def f(x) = x.kind\n".to_string()),
            proptest::strategy::Just("const c = 20 years\n".to_string()),
            proptest::strategy::Just("include \"../x.rules\"\n".to_string()),
            proptest::strategy::Just("}\n".to_string()),
            proptest::strategy::Just("😀\"{}.\\".to_string()),
            "\\PC{0,12}",
        ];
        proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
    }

    use proptest::strategy::Strategy as _;

    /// Every builtin's hover has its row of docs/language.md.
    #[test]
    fn every_builtin_has_its_docs() {
        for name in crate::check::resolve::builtin_names() {
            let doc = builtin_doc(name).unwrap_or_default();
            assert!(doc.contains("Unknown when"), "{name}: {doc}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Whatever the text and the position, hover, definition's analysis,
        /// completion, symbols and diagnostics answer without panicking.
        #[test]
        fn no_text_or_position_panics(t in text(), line in 0u32..20, ch in 0u32..80) {
            let ws = workspace();
            let uri: lsp::Uri = "file:///nowhere/x.rules".parse().expect("a uri");
            let doc = Doc::new(uri, "/nowhere/x.rules".into(), 1, t);
            let at = doc.text.offset(lsp::Position::new(line, ch));
            let _ = analysis::hit_at(&doc.ast, at, &ws.schema);
            let files: Vec<&ast::File> = ws.files.iter().collect();
            let _ = complete::complete(&doc, at, Some(ws), &files);
            let _ = convert::symbols(&doc);
            let (_, diags) = crate::check::check(std::slice::from_ref(&doc.ast), &ws.schema);
            for d in diags.iter().chain(&doc.parse_diags) {
                let _ = convert::diagnostic(d, &doc, None);
            }
        }
    }
}
