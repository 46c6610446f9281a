//! The nom 8 grammar: items, rule clauses, expressions by precedence, and recovery at
//! item boundaries so that one broken rule does not hide the others.
//!
//! Recursion is bounded: every nested production passes a depth guard, and every node
//! built knows the depth of its subtree, so no input can overflow the stack here or in
//! the stages that walk the tree after us.

use super::ast::*;
use super::error::PError;
use super::lex::*;
use super::source::Ctx;
use nom::combinator::cut;
use nom::error::context;
use nom::Parser;

/// The deepest an expression may nest (parentheses, operators, fields, ...).
pub const MAX_DEPTH: u32 = 200;

/// An expression with the depth of its tree.
pub(crate) struct E {
    expr: Expr,
    depth: u32,
    /// The bytes written for it, parentheses included: a parenthesised expression is
    /// no node of its own, but its parent's span covers the parentheses.
    outer: Range,
}

type Doc = Option<(String, Range)>;

// ---------------------------------------------------------------------------------
// Helpers

/// Run `p`; an error at the very start becomes a failure expecting `what`. This is
/// `cut` plus a `context` whose text is built at run time.
fn need<'a, O>(
    i: In<'a>,
    p: impl FnOnce(In<'a>) -> PResult<'a, O>,
    what: impl FnOnce() -> String,
) -> PResult<'a, O> {
    let start = off(&i);
    match p(i) {
        Ok(x) => Ok(x),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) if e.pos() == start && !e.is_specific() => {
            Err(nom::Err::Failure(e.expecting(what())))
        }
        Err(nom::Err::Error(e)) => Err(nom::Err::Failure(e)),
        Err(other) => Err(other),
    }
}

/// Leaves the depth counter as it found it.
struct DepthGuard<'a>(&'a Ctx<'a>);

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.0.depth.set(self.0.depth.get().saturating_sub(1));
    }
}

fn too_deep(pos: usize) -> PError {
    PError::new(
        "P0017",
        pos,
        format!("expression nested too deeply (more than {MAX_DEPTH} levels)"),
    )
    .label("the limit is reached here")
    .help("split the expression into named parts with `def` or `const`")
}

fn enter<'a>(i: &In<'a>) -> Result<DepthGuard<'a>, nom::Err<PError>> {
    let ctx = i.extra;
    let d = ctx.depth.get() + 1;
    ctx.depth.set(d);
    let guard = DepthGuard(ctx);
    if d > MAX_DEPTH {
        return Err(nom::Err::Failure(too_deep(off(i))));
    }
    Ok(guard)
}

fn ident_node(ctx: &Ctx, name: &str, r: Range) -> Ident {
    Ident {
        name: name.to_string(),
        span: ctx.span(r.0, r.1),
    }
}

/// Build a node from its children, checking the depth of the tree.
fn node(ctx: &Ctx, kind: ExprKind, r: Range, children: &[u32]) -> Result<E, nom::Err<PError>> {
    let depth = 1 + children.iter().copied().max().unwrap_or(0);
    if depth > MAX_DEPTH {
        return Err(nom::Err::Failure(too_deep(r.0)));
    }
    Ok(E {
        expr: Expr {
            kind,
            span: ctx.span(r.0, r.1),
        },
        depth,
        outer: r,
    })
}

fn leaf(ctx: &Ctx, kind: ExprKind, r: Range) -> E {
    E {
        expr: Expr {
            kind,
            span: ctx.span(r.0, r.1),
        },
        depth: 1,
        outer: r,
    }
}

// ---------------------------------------------------------------------------------
// Files and items

/// Parse a whole file, recovering at item boundaries.
pub(crate) fn file<'a>(ctx: &'a Ctx<'a>) -> (File, Vec<crate::diag::Diagnostic>) {
    let text = ctx.src.text;
    let mut items = Vec::new();
    let mut diags = Vec::new();
    let mut i = In::new_extra(text, ctx);
    if let Ok((j, ())) = ws(i) {
        i = j;
    }
    while !rest(&i).is_empty() {
        let item_start = off(&i);
        ctx.depth.set(0);
        ctx.interp.set(false);
        match item(i) {
            Ok((j, it)) => {
                items.push(it);
                i = j;
            }
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                let err_pos = e.pos();
                diags.push(e.to_diagnostic(&ctx.src));
                ctx.interp.set(false);
                match resume_point(ctx, item_start, err_pos) {
                    Some(at) => {
                        i = skip(i, at - item_start);
                        if let Ok((j, ())) = ws(i) {
                            i = j;
                        }
                    }
                    None => break,
                }
            }
            Err(nom::Err::Incomplete(_)) => {
                diags.push(PError::generic(item_start).to_diagnostic(&ctx.src));
                break;
            }
        }
    }
    let comments = ctx.comments.borrow().values().cloned().collect();
    let file = File {
        items,
        comments,
        span: ctx.span(0, text.len()),
    };
    (file, diags)
}

/// Where to resume after an error in the item starting at `item_start`: the first
/// later line, at or after the error's line, that starts an item (a keyword of an item,
/// or doc comments followed by one).
fn resume_point(ctx: &Ctx, item_start: usize, err_pos: usize) -> Option<usize> {
    let text = ctx.src.text;
    let src = &ctx.src;
    let mut line = src.line_index(err_pos.max(item_start));
    while line < src.line_count() {
        let ls = src.line_start(line);
        line += 1;
        if ls <= item_start {
            continue;
        }
        let body = line_text(text, ls);
        let indent = body.len() - body.trim_start().len();
        let first = body.trim_start();
        if starts_item(first) {
            return Some(ls + indent);
        }
        if first.starts_with("##") {
            // a doc block counts only if an item follows it
            let mut l = line;
            while l < src.line_count() {
                let t = line_text(text, src.line_start(l)).trim_start();
                if t.is_empty() || t.starts_with('#') {
                    l += 1;
                    continue;
                }
                if starts_item(t) {
                    return Some(ls + indent);
                }
                break;
            }
            line = l;
        }
    }
    None
}

fn line_text(text: &str, start: usize) -> &str {
    let s = &text[start..];
    let end = s.find('\n').unwrap_or(s.len());
    &s[..end]
}

fn starts_item(s: &str) -> bool {
    let n = word_len(s);
    n > 0 && ITEM_KEYWORDS.contains(&&s[..n])
}

fn item(i: In<'_>) -> PResult<'_, Item> {
    let (i, doc) = doc_comment(i)?;
    let start = off(&i);
    match peek_word(&i) {
        Some("include") => {
            if let Some((_, r)) = doc {
                return fail(
                    PError::new("P0019", r.0, "a doc comment cannot document an `include`")
                        .end(r.0 + 2)
                        .label("this doc comment")
                        .help("use `#` for a plain comment"),
                );
            }
            include(i).map(|(i, x)| (i, Item::Include(x)))
        }
        Some("const") => konst(i, doc).map(|(i, x)| (i, Item::Const(x))),
        Some("def") => def(i, doc).map(|(i, x)| (i, Item::Def(x))),
        Some("rule") => rule(i, doc).map(|(i, x)| (i, Item::Rule(x))),
        w => {
            if let Some((_, r)) = doc {
                return fail(
                    PError::new(
                        "P0019",
                        start,
                        "a doc comment must stand before a rule, const or def",
                    )
                    .expecting("`rule`, `const` or `def` after the doc comment")
                    .also(r.0, r.0 + 2, "the doc comment starts here")
                    .help("use `#` for a plain comment"),
                );
            }
            let mut e =
                PError::expected(start, "`rule`, `const`, `def` or `include`").code("P0020");
            if rest(&i).starts_with('}') {
                e = e.help("this `}` closes nothing: is there one too many?");
            } else if let Some(m) = w.and_then(|w| did_you_mean(w, ITEM_KEYWORDS)) {
                e = e.help(format!("did you mean `{m}`?"));
            } else if matches!(
                w,
                Some(
                    "severity"
                        | "message"
                        | "tags"
                        | "meta"
                        | "for"
                        | "where"
                        | "group"
                        | "verdict"
                )
            ) {
                e = e.help("clauses belong inside a rule's braces: `rule my-rule { ... }`");
            }
            fail(e)
        }
    }
}

/// `##` lines before an item: their text joined with `\n`, one leading space stripped.
fn doc_comment(mut i: In<'_>) -> PResult<'_, Doc> {
    let mut lines: Vec<String> = Vec::new();
    let mut first: Option<Range> = None;
    while rest(&i).starts_with("##") {
        let s = rest(&i);
        let end = s.find('\n').unwrap_or(s.len());
        let line = &s[2..end];
        let line = line.strip_prefix(' ').unwrap_or(line).trim_end();
        lines.push(line.to_string());
        let start = off(&i);
        first.get_or_insert((start, start + end));
        i = ws(skip(i, end))?.0;
    }
    Ok((i, first.map(|r| (lines.join("\n"), r))))
}

fn include(i: In<'_>) -> PResult<'_, Include> {
    let ctx = i.extra;
    let (i, k) = kw("include")(i)?;
    let (i, (path, r)) = need(i, string_lit, || {
        "the path of a rule file as a string, e.g. `include \"common.rules\"`".into()
    })?;
    Ok((
        i,
        Include {
            path,
            span: ctx.span(k.0, r.1),
        },
    ))
}

fn konst(i: In<'_>, doc: Doc) -> PResult<'_, Const> {
    let ctx = i.extra;
    let (i, k) = kw("const")(i)?;
    let (i, (name, nr)) = need(i, |i| ident(i, "constant"), || "a constant name".into())?;
    let (i, _) = need(i, sym("="), || format!("`=` after `const {name}`"))?;
    let (i, value) = need(i, expr, || format!("the value of `{name}`"))?;
    let end = value.outer.1;
    Ok((
        i,
        Const {
            doc: doc.map(|d| d.0),
            name: ident_node(ctx, name, nr),
            value: value.expr,
            span: ctx.span(k.0, end),
        },
    ))
}

fn def(i: In<'_>, doc: Doc) -> PResult<'_, Def> {
    let ctx = i.extra;
    let (i, k) = kw("def")(i)?;
    let (i, (name, nr)) = need(i, |i| ident(i, "definition"), || "a definition name".into())?;
    let (mut i, open) = need(i, sym("("), || {
        format!("`(` and the parameters of `{name}`")
    })?;
    let mut params = Vec::new();
    if let Ok((j, _)) = sym(")")(i) {
        i = j;
    } else {
        loop {
            let (j, (p, pr)) = need(i, |i| ident(i, "parameter"), || "a parameter name".into())?;
            params.push(ident_node(ctx, p, pr));
            i = j;
            if let Ok((j, _)) = sym(",")(i) {
                i = j;
                continue;
            }
            let (j, _) = close(i, ")", open, || {
                format!("`,` or `)` to close the parameters of `{name}`")
            })?;
            i = j;
            break;
        }
    }
    let (i, _) = need(i, sym("="), || format!("`=` and the body of `{name}`"))?;
    let (i, body) = need(i, expr, || format!("the body of `{name}`"))?;
    let end = body.outer.1;
    Ok((
        i,
        Def {
            doc: doc.map(|d| d.0),
            name: ident_node(ctx, name, nr),
            params,
            body: body.expr,
            span: ctx.span(k.0, end),
        },
    ))
}

/// The error for a missing closing delimiter; at the end of the file or where a new
/// item starts it says the delimiter was never closed.
fn unclosed(i: &In, open: Range, what: String) -> PError {
    let start = off(i);
    let open_sym = &i.extra.src.text[open.0..open.1];
    let mut e =
        PError::expected(start, what).also(open.0, open.1, format!("`{open_sym}` opened here"));
    let r = rest(i);
    if r.is_empty() || starts_item(r) {
        e = e.code("P0015");
        e.0.message = Some(format!("unclosed `{open_sym}`"));
    }
    e
}

/// A closing delimiter.
fn close<'a>(
    i: In<'a>,
    delim: &'static str,
    open: Range,
    what: impl FnOnce() -> String,
) -> PResult<'a, Range> {
    match sym(delim)(i) {
        Ok(x) => Ok(x),
        Err(_) => fail(unclosed(&i, open, what())),
    }
}

// ---------------------------------------------------------------------------------
// Rules

const CLAUSES: &[&str] = &[
    "severity", "message", "tags", "meta", "for", "where", "group", "verdict",
];

fn rule(i: In<'_>, doc: Doc) -> PResult<'_, Rule> {
    let ctx = i.extra;
    let (i, k) = kw("rule")(i)?;
    let id_len = rule_id_len(rest(&i));
    if id_len == 0 {
        return fail(
            PError::expected(off(&i), "a rule id, e.g. `rule principle-contradicted {`").help(
                "rule ids are letters, digits, `_`, `-` and `.`, starting with a letter or `_`",
            ),
        );
    }
    let id_text = rest(&i)[..id_len].to_string();
    let (i, idr) = token(i, id_len)?;
    let id = ident_node(ctx, &id_text, idr);
    let (mut i, open) = need(i, sym("{"), || format!("`{{` to open rule `{id_text}`"))?;
    let mut r = Rule {
        doc: doc.map(|d| d.0),
        id,
        severity: None,
        message: None,
        tags: Vec::new(),
        meta: Vec::new(),
        bindings: Vec::new(),
        condition: None,
        group: None,
        verdict: None,
        span: ctx.span(k.0, k.1),
    };
    let mut seen: Vec<(&'static str, Range)> = Vec::new();
    loop {
        let s = rest(&i);
        let start = off(&i);
        if s.starts_with('}') {
            let (j, cr) = token(i, 1)?;
            r.span = ctx.span(k.0, cr.1);
            return Ok((j, r));
        }
        let to_close = || format!("`}}` to close rule `{id_text}`");
        if s.is_empty() {
            return fail(
                PError::new("P0015", start, format!("rule `{id_text}` is not closed"))
                    .expecting(to_close())
                    .also(open.0, open.1, format!("rule `{id_text}` opens here")),
            );
        }
        if s.starts_with("##") {
            return fail(
                PError::new(
                    "P0019",
                    start,
                    format!("doc comment inside rule `{id_text}`"),
                )
                .end(start + 2)
                .label("doc comments go just before a rule, const or def")
                .help("use `#` for a comment inside a rule"),
            );
        }
        let w = peek_word(&i);
        let clause = w.and_then(|w| CLAUSES.iter().find(|c| **c == w).copied());
        let Some(clause) = clause else {
            let e = match w {
                Some(w) if ITEM_KEYWORDS.contains(&w) => {
                    PError::new("P0015", start, format!("rule `{id_text}` is not closed"))
                        .expecting(to_close())
                        .also(open.0, open.1, format!("rule `{id_text}` opens here"))
                }
                Some(w) if !is_keyword(w) => {
                    let mut e = PError::new(
                        "P0011",
                        start,
                        format!("unknown clause `{w}` in rule `{id_text}`"),
                    )
                    .label("not a clause")
                    .expecting(format!(
                        "a clause ({}) or `}}`",
                        CLAUSES
                            .iter()
                            .map(|c| match *c {
                                "group" => "`group by`".to_string(),
                                c => format!("`{c}`"),
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    if let Some(m) = did_you_mean(w, CLAUSES) {
                        e = e.help(format!("did you mean `{m}`?"));
                    }
                    e
                }
                _ => PError::expected(start, format!("a clause or {}", to_close())),
            };
            return fail(e);
        };
        let kr = (start, start + clause.len());
        if let Some((_, first)) = seen.iter().find(|(c, _)| *c == clause) {
            let help = match clause {
                "where" => "combine the conditions with `and`",
                "for" => "list every binding in one `for`, separated by commas: `for s in statements, a in actions`",
                "group" => "list every key in one `group by`, separated by commas: `group by a.actor, a.target`",
                _ => "a rule has at most one of each clause",
            };
            return fail(
                PError::new(
                    "P0014",
                    start,
                    format!("rule `{id_text}` has a second `{clause}` clause"),
                )
                .end(kr.1)
                .label("second clause")
                .also(first.0, first.1, "first one here")
                .help(help),
            );
        }
        seen.push((clause, kr));
        let (j, _) = token(i, clause.len())?;
        i = match clause {
            "severity" => {
                let (j, v) = severity(j)?;
                r.severity = Some(v);
                j
            }
            "message" => {
                let (j, _) = colon(j, clause)?;
                let (j, m) = need(j, message, || "the message as a string".into())?;
                r.message = Some(m);
                j
            }
            "tags" => {
                let (j, t) = tags(j)?;
                r.tags = t;
                j
            }
            "meta" => {
                let (j, m) = meta(j)?;
                r.meta = m;
                j
            }
            "for" => {
                let (j, b) = bindings(j)?;
                r.bindings = b;
                j
            }
            "where" => {
                let (j, c) = need(j, expr, || "a condition after `where`".into())?;
                r.condition = Some(c.expr);
                j
            }
            "group" => {
                let (j, g) = group_by(j, kr)?;
                r.group = Some(g);
                j
            }
            _ => {
                let (j, v) = verdict(j, kr)?;
                r.verdict = Some(v);
                j
            }
        };
    }
}

fn colon<'a>(i: In<'a>, clause: &str) -> PResult<'a, Range> {
    need(i, sym(":"), || format!("`:` after `{clause}`"))
}

fn severity(i: In<'_>) -> PResult<'_, Spanned<Severity>> {
    let ctx = i.extra;
    let (i, _) = colon(i, "severity")?;
    let start = off(&i);
    let expected = "`error`, `warning` or `info`";
    let Some(w) = peek_word(&i) else {
        return fail(PError::expected(start, expected));
    };
    let value = match w {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        _ => {
            let mut e =
                PError::new("P0012", start, format!("unknown severity `{w}`")).expecting(expected);
            if let Some(m) = did_you_mean(w, &["error", "warning", "info"]) {
                e = e.help(format!("did you mean `{m}`?"));
            }
            return fail(e);
        }
    };
    let (i, r) = token(i, w.len())?;
    Ok((
        i,
        Spanned {
            value,
            span: ctx.span(r.0, r.1),
        },
    ))
}

fn tags(i: In<'_>) -> PResult<'_, Vec<Spanned<String>>> {
    let ctx = i.extra;
    let (i, _) = colon(i, "tags")?;
    let (mut i, open) = need(i, sym("["), || {
        "`[` and a list of tags, e.g. `tags: [sovereignty, time]`".into()
    })?;
    let mut out = Vec::new();
    loop {
        if let Ok((j, _)) = sym("]")(i) {
            return Ok((j, out));
        }
        let start = off(&i);
        let (j, tag) = if rest(&i).starts_with('"') {
            string_lit(i)?
        } else {
            match peek_word(&i) {
                Some(w) if is_keyword(w) => {
                    return fail(
                        PError::new(
                            "P0007",
                            start,
                            format!("`{w}` is a keyword, not a tag name"),
                        )
                        .end(start + w.len())
                        .label("a tag name was expected here")
                        .expecting("a tag (a name or a string)")
                        .help(format!("write it as a string: `\"{w}\"`")),
                    )
                }
                Some(w) => {
                    let (j, r) = token(i, w.len())?;
                    (j, (w.to_string(), r))
                }
                None => {
                    let what = if out.is_empty() {
                        "a tag (a name or a string) or `]`"
                    } else {
                        "a tag (a name or a string)"
                    };
                    return close(i, "]", open, || what.to_string()).map(|(j, _)| (j, out));
                }
            }
        };
        out.push(Spanned {
            value: tag.0,
            span: ctx.span(tag.1 .0, tag.1 .1),
        });
        i = j;
        if let Ok((j, _)) = sym(",")(i) {
            i = j;
            continue;
        }
        let (j, _) = close(i, "]", open, || "`,` or `]` to close the tags".into())?;
        return Ok((j, out));
    }
}

fn meta(i: In<'_>) -> PResult<'_, Vec<(Ident, Expr)>> {
    let ctx = i.extra;
    let (i, _) = colon(i, "meta")?;
    let (mut i, open) = need(i, sym("{"), || {
        "`{` and fields, e.g. `meta: {description: \"...\"}`".into()
    })?;
    let mut out = Vec::new();
    loop {
        if let Ok((j, _)) = sym("}")(i) {
            return Ok((j, out));
        }
        if peek_word(&i).is_none() {
            let what = if out.is_empty() {
                "a field name or `}`"
            } else {
                "a field name"
            };
            return close(i, "}", open, || what.to_string()).map(|(j, _)| (j, out));
        }
        let (j, (key, kr)) = need(i, |i| ident(i, "field"), || "a field name".into())?;
        let (j, _) = need(j, sym(":"), || format!("`:` after `{key}`"))?;
        let (j, value) = need(j, expr, || format!("the value of `{key}`"))?;
        out.push((ident_node(ctx, key, kr), value.expr));
        i = j;
        if let Ok((j, _)) = sym(",")(i) {
            i = j;
            continue;
        }
        let (j, _) = close(i, "}", open, || "`,` or `}` to close the metadata".into())?;
        return Ok((j, out));
    }
}

fn bindings(mut i: In<'_>) -> PResult<'_, Vec<Binding>> {
    let mut out = Vec::new();
    loop {
        let (j, b) = binding(i)?;
        out.push(b);
        i = j;
        match sym(",")(i) {
            Ok((j, _)) => i = j,
            Err(_) => return Ok((i, out)),
        }
    }
}

/// `x in source`.
fn binding(i: In<'_>) -> PResult<'_, Binding> {
    let ctx = i.extra;
    let (i, (var, vr)) = need(
        i,
        |i| ident(i, "variable"),
        || "a variable, as in `for s in statements`".into(),
    )?;
    let start = off(&i);
    let (i, _) = match kw("in")(i) {
        Ok(x) => x,
        Err(_) => {
            return fail(PError::expected(start, "`in`").help(format!(
                "a binding reads `{var} in collection`, e.g. `for s in statements`"
            )))
        }
    };
    let (i, source) = need(i, postfix, || format!("a collection after `{var} in`"))?;
    let end = source.outer.1;
    Ok((
        i,
        Binding {
            var: ident_node(ctx, var, vr),
            source: source.expr,
            span: ctx.span(vr.0, end),
        },
    ))
}

/// `by k1, k2, ...` after the clause word `group` (at `kr`).
fn group_by(i: In<'_>, kr: Range) -> PResult<'_, GroupBy> {
    let ctx = i.extra;
    let start = off(&i);
    let (mut i, _) = match kw("by")(i) {
        Ok(x) => x,
        Err(_) => {
            return fail(
                PError::expected(start, "`by` after `group`")
                    .help("a grouped rule reads `group by a.actor, a.target`"),
            )
        }
    };
    let mut keys = Vec::new();
    loop {
        let (j, k) = need(i, expr, || {
            if keys.is_empty() {
                "a key after `group by`, e.g. `group by a.actor`".into()
            } else {
                "a key after `,`".into()
            }
        })?;
        let end = k.outer.1;
        keys.push(k.expr);
        i = j;
        match sym(",")(i) {
            Ok((j, _)) => i = j,
            Err(_) => {
                return Ok((
                    i,
                    GroupBy {
                        keys,
                        span: ctx.span(kr.0, end),
                    },
                ))
            }
        }
    }
}

fn verdict(i: In<'_>, kr: Range) -> PResult<'_, Verdict> {
    let ctx = i.extra;
    let (i, _) = colon(i, "verdict")?;
    let start = off(&i);
    let s = rest(&i);
    let words = ["supported", "refuted", "not-enough-evidence"];
    let expected = "`supported`, `refuted` or `not-enough-evidence`";
    let nee = "not-enough-evidence";
    let (kind, len) =
        if s.starts_with(nee) && word_len(&s[nee.len()..]) == 0 && !s[nee.len()..].starts_with('-')
        {
            (VerdictKind::NotEnoughEvidence, nee.len())
        } else {
            match peek_word(&i) {
                Some("supported") => (VerdictKind::Supported, 9),
                Some("refuted") => (VerdictKind::Refuted, 7),
                Some(_) => {
                    let w = &s[..rule_id_len(s)];
                    if w == "not" {
                        return fail(
                            PError::new("P0013", start, "unknown verdict `not`")
                                .end(start + 3)
                                .expecting(expected)
                                .help("write `not-enough-evidence`, with dashes"),
                        );
                    }
                    let mut e = PError::new("P0013", start, format!("unknown verdict `{w}`"))
                        .end(start + w.len())
                        .expecting(expected);
                    if let Some(m) = did_you_mean(w, &words) {
                        e = e.help(format!("did you mean `{m}`?"));
                    }
                    return fail(e);
                }
                None => return fail(PError::expected(start, expected)),
            }
        };
    let (i, vr) = token(i, len)?;
    let fstart = off(&i);
    let (i, _) = match kw("for")(i) {
        Ok(x) => x,
        Err(_) => {
            return fail(
                PError::expected(fstart, "`for` and the variable bound to the claim").help(
                    format!(
                        "a verdict names the claim it is about, e.g. `verdict: {} for c`",
                        kind.as_str()
                    ),
                ),
            )
        }
    };
    let (i, (claim, cr)) = need(
        i,
        |i| ident(i, "variable"),
        || "the variable bound to the claim".into(),
    )?;
    Ok((
        i,
        Verdict {
            kind: Spanned {
                value: kind,
                span: ctx.span(vr.0, vr.1),
            },
            claim: ident_node(ctx, claim, cr),
            span: ctx.span(kr.0, cr.1),
        },
    ))
}

/// A message string: text, `{{`/`}}` for braces, and `{expr}` interpolations parsed
/// in place by the expression grammar (so strings may appear inside them).
fn message(i: In<'_>) -> PResult<'_, Message> {
    let ctx = i.extra;
    let text = ctx.src.text;
    let start = off(&i);
    if !rest(&i).starts_with('"') {
        return backtrack(PError::expected(start, "a string"));
    }
    let mut parts = Vec::new();
    let mut buf = String::new();
    let mut i = skip(i, 1);
    loop {
        let s = rest(&i);
        let at = off(&i);
        let Some(c) = s.chars().next() else {
            return fail(unterminated_message(start, at, text));
        };
        match c {
            '"' => {
                if !buf.is_empty() {
                    parts.push(MessagePart::Text(std::mem::take(&mut buf)));
                }
                let (j, _) = token(i, 1)?;
                return Ok((
                    j,
                    Message {
                        parts,
                        span: ctx.span(start, at + 1),
                    },
                ));
            }
            '\n' | '\r' => return fail(unterminated_message(start, at, text)),
            '\\' => {
                let (ch, n) = escape(text, at, start).map_err(nom::Err::Failure)?;
                buf.push(ch);
                i = skip(i, n);
            }
            '{' if s.starts_with("{{") => {
                buf.push('{');
                i = skip(i, 2);
            }
            '}' if s.starts_with("}}") => {
                buf.push('}');
                i = skip(i, 2);
            }
            '}' => {
                return fail(
                    PError::new("P0016", at, "unmatched `}` in a message")
                        .end(at + 1)
                        .label("no `{` opens this")
                        .expecting("`}}` for a literal brace")
                        .help("write `}}` for a literal brace"),
                )
            }
            '{' => {
                if !buf.is_empty() {
                    parts.push(MessagePart::Text(std::mem::take(&mut buf)));
                }
                if let Some((j, r)) = count_interpolation(&i) {
                    parts.push(MessagePart::Count(ctx.span(r.0, r.1)));
                    i = j;
                    continue;
                }
                let (j, e) = interpolation(i)?;
                parts.push(MessagePart::Expr(e.expr));
                i = j;
            }
            c => {
                buf.push(c);
                i = skip(i, c.len_utf8());
            }
        }
    }
}

fn unterminated_message(start: usize, at: usize, text: &str) -> PError {
    let eol = at < text.len();
    let e = PError::new("P0002", start, "unterminated message string")
        .end(start + 1)
        .label("this string is not closed")
        .expecting("`\"` to close it")
        .found(if eol { "end of line" } else { "end of file" });
    if eol {
        e.help("a string ends on the line it starts; write `\\n` for a line break")
    } else {
        e
    }
}

/// `{count}` inside a message (blanks allowed inside the braces): the number of
/// bindings of a grouped rule's finding. `count` is a keyword, so no expression reads
/// so. `i` is at the `{`; returns the input after `}` and the range of `count`.
fn count_interpolation<'a>(i: &In<'a>) -> Option<(In<'a>, Range)> {
    let s = &rest(i)[1..];
    let lead = s.len() - s.trim_start_matches([' ', '\t']).len();
    let after = s[lead..].strip_prefix("count")?;
    let trail = after.len() - after.trim_start_matches([' ', '\t']).len();
    if !after[trail..].starts_with('}') {
        return None;
    }
    let start = off(i) + 1 + lead;
    Some((skip(*i, 1 + lead + 5 + trail + 1), (start, start + 5)))
}

/// `{expr}` inside a message; `i` is at the `{`.
fn interpolation(i: In<'_>) -> PResult<'_, E> {
    let ctx = i.extra;
    let open = off(&i);
    ctx.interp.set(true);
    let result = interpolation_inner(skip(i, 1), open);
    ctx.interp.set(false);
    result
}

fn interpolation_inner(i: In<'_>, open: usize) -> PResult<'_, E> {
    let (i, ()) = ws(i)?;
    let start = off(&i);
    let s = rest(&i);
    if s.starts_with('}') {
        return fail(
            PError::new("P0016", open, "empty interpolation `{}` in a message")
                .end(start + 1)
                .found("`{}`")
                .expecting("an expression between the braces, e.g. `{s.actor.name}`")
                .help("write `{{}}` for literal braces"),
        );
    }
    let (i, e) = need(i, expr, || {
        "an expression after `{`, e.g. `{s.actor.name}`".into()
    })?;
    let at = off(&i);
    if rest(&i).starts_with('}') {
        // no whitespace skipping: the text after `}` belongs to the message
        return Ok((skip(i, 1), e));
    }
    let at_end = rest(&i).is_empty() || rest(&i).starts_with(['"', '\n', '\r']);
    let mut err = PError::expected(at, "`}` to close the interpolation").also(
        open,
        open + 1,
        "the interpolation opens here",
    );
    if rest(&i).starts_with('"') {
        err = err.found("`\"`, the end of the message");
    }
    if at_end {
        err = err.code("P0016");
        err.0.message = Some("unclosed interpolation in a message".into());
        err = err.help("write `{{` for a literal brace");
    }
    fail(err)
}

// ---------------------------------------------------------------------------------
// Expressions

pub(crate) fn expr(i: In<'_>) -> PResult<'_, E> {
    context("an expression", or_expr).parse(i)
}

/// After a binary operator: its right operand (an error right there says so).
fn operand<'a>(i: In<'a>, p: fn(In<'a>) -> PResult<'a, E>, op: &str) -> PResult<'a, E> {
    need(i, p, || format!("an expression after `{op}`"))
}

fn binary(ctx: &Ctx, op: BinaryOp, l: E, r: E) -> Result<E, nom::Err<PError>> {
    let rg = (l.outer.0, r.outer.1);
    if 1 + l.depth.max(r.depth) > MAX_DEPTH {
        // a long chain `a or b or ...` is too deep at the operand that makes it so,
        // not where it starts
        return Err(nom::Err::Failure(too_deep(r.outer.0)));
    }
    node(
        ctx,
        ExprKind::Binary(op, Box::new(l.expr), Box::new(r.expr)),
        rg,
        &[l.depth, r.depth],
    )
}

/// A left-associative chain of `sub` joined by operators that `op_at` recognises.
fn chain<'a>(
    i: In<'a>,
    sub: fn(In<'a>) -> PResult<'a, E>,
    op_at: fn(&In<'a>) -> Option<(BinaryOp, usize)>,
) -> PResult<'a, E> {
    let ctx = i.extra;
    let (mut i, mut acc) = sub(i)?;
    while let Some((op, len)) = op_at(&i) {
        let (j, _) = token(i, len)?;
        let (j, rhs) = operand(j, sub, op.as_str())?;
        acc = binary(ctx, op, acc, rhs)?;
        i = j;
    }
    Ok((i, acc))
}

fn or_expr(i: In<'_>) -> PResult<'_, E> {
    chain(i, and_expr, |i| at_kw(i, "or").then_some((BinaryOp::Or, 2)))
}

fn and_expr(i: In<'_>) -> PResult<'_, E> {
    chain(i, not_expr, |i| {
        at_kw(i, "and").then_some((BinaryOp::And, 3))
    })
}

fn not_expr(i: In<'_>) -> PResult<'_, E> {
    if !at_kw(&i, "not") {
        return cmp(i);
    }
    let ctx = i.extra;
    let _guard = enter(&i)?;
    let (i, k) = token(i, 3)?;
    let (i, inner) = operand(i, not_expr, "not")?;
    let r = (k.0, inner.outer.1);
    let d = inner.depth;
    let e = node(
        ctx,
        ExprKind::Unary(UnaryOp::Not, Box::new(inner.expr)),
        r,
        &[d],
    )?;
    Ok((i, e))
}

/// What follows an operand where a comparison may be.
enum CmpOp {
    Binary(BinaryOp, usize),
    /// `not in`: the length up to the end of `in`.
    NotIn(usize),
    Within,
    Is,
}

/// Mistyped operators from other languages, with the operator to use instead.
const WRONG_OPS: &[(&str, &str)] = &[
    ("===", "=="),
    ("!==", "!="),
    ("<>", "!="),
    ("=>", ">="),
    ("=<", "<="),
    ("&&", "and"),
    ("||", "or"),
    ("&", "and"),
    ("|", "or"),
];

fn cmp_op_at(i: &In) -> Result<Option<CmpOp>, PError> {
    let s = rest(i);
    let at = off(i);
    for (bad, good) in WRONG_OPS {
        if s.starts_with(bad) {
            return Err(
                PError::new("P0009", at, format!("unknown operator `{bad}`"))
                    .end(at + bad.len())
                    .label("not an operator of the rule language")
                    .expecting(format!("`{good}`"))
                    .help(format!("use `{good}`")),
            );
        }
    }
    for (text, op) in [
        ("==", BinaryOp::Eq),
        ("!=", BinaryOp::Ne),
        ("<=", BinaryOp::Le),
        (">=", BinaryOp::Ge),
        ("~=", BinaryOp::EqIgnoreCase),
        ("<", BinaryOp::Lt),
        (">", BinaryOp::Gt),
    ] {
        if s.starts_with(text) {
            return Ok(Some(CmpOp::Binary(op, text.len())));
        }
    }
    if s.starts_with('=') {
        return Err(PError::new("P0008", at, "`=` is not a comparison")
            .end(at + 1)
            .label("a single `=` compares nothing")
            .expecting("`==`")
            .help("use `==` to compare"));
    }
    if s.starts_with('!') {
        return Err(PError::new("P0009", at, "unknown operator `!`")
            .end(at + 1)
            .label("not an operator of the rule language")
            .help("use `not` to negate, or `!=` to compare"));
    }
    let Some(w) = peek_word(i) else {
        return Ok(None);
    };
    let op = match w {
        "in" => CmpOp::Binary(BinaryOp::In, 2),
        "contains" => CmpOp::Binary(BinaryOp::Contains, 8),
        "matches" => CmpOp::Binary(BinaryOp::Matches, 7),
        "before" => CmpOp::Binary(BinaryOp::Before, 6),
        "after" => CmpOp::Binary(BinaryOp::After, 5),
        "during" => CmpOp::Binary(BinaryOp::During, 6),
        "starts" | "ends" => {
            let op = if w == "starts" {
                BinaryOp::StartsWith
            } else {
                BinaryOp::EndsWith
            };
            let after = skip(*i, w.len());
            let Ok((after, ())) = ws(after) else {
                return Ok(None);
            };
            if !at_kw(&after, "with") {
                return Err(PError::expected(off(&after), format!("`with` after `{w}`")));
            }
            CmpOp::Binary(op, off(&after) + 4 - at)
        }
        "not" => {
            let after = skip(*i, 3);
            let Ok((after, ())) = ws(after) else {
                return Ok(None);
            };
            if !at_kw(&after, "in") {
                return Ok(None);
            }
            CmpOp::NotIn(off(&after) + 2 - at)
        }
        "within" => CmpOp::Within,
        "is" => CmpOp::Is,
        _ => return Ok(None),
    };
    Ok(Some(op))
}

fn cmp(i: In<'_>) -> PResult<'_, E> {
    let ctx = i.extra;
    let (i, lhs) = coalesce(i)?;
    let op_start = off(&i);
    let op = match cmp_op_at(&i) {
        Ok(Some(op)) => op,
        Ok(None) => return Ok((i, lhs)),
        Err(e) => return fail(e),
    };
    let (i, e) = match op {
        CmpOp::Binary(op, len) => {
            let (i, _) = token(i, len)?;
            let (i, rhs) = operand(i, coalesce, op.as_str())?;
            (i, binary(ctx, op, lhs, rhs)?)
        }
        CmpOp::NotIn(len) => {
            let (i, _) = token(i, len)?;
            let (i, rhs) = operand(i, coalesce, "not in")?;
            (i, binary(ctx, BinaryOp::NotIn, lhs, rhs)?)
        }
        CmpOp::Within => {
            let (i, _) = token(i, 6)?;
            let (i, window) = operand(i, coalesce, "within")?;
            let (i, _) = need(i, kw("of"), || {
                "`of`, as in `a within 20 years of b`".into()
            })?;
            let (i, rhs) = operand(i, coalesce, "of")?;
            let r = (lhs.outer.0, rhs.outer.1);
            let depths = [lhs.depth, window.depth, rhs.depth];
            let kind = ExprKind::Within {
                lhs: Box::new(lhs.expr),
                window: Box::new(window.expr),
                rhs: Box::new(rhs.expr),
            };
            (i, node(ctx, kind, r, &depths)?)
        }
        CmpOp::Is => {
            let (i, _) = token(i, 2)?;
            let at = off(&i);
            let negated = match peek_word(&i) {
                Some("missing") => false,
                Some("present") => true,
                _ => {
                    let mut e = PError::expected(at, "`missing` or `present` after `is`");
                    if at_kw(&i, "not") {
                        e = e.help("write `is present` for a value that is there");
                    } else {
                        e = e.help("compare values with `==`; `is` only tests for missing values");
                    }
                    return fail(e);
                }
            };
            let (i, w) = token(i, 7)?;
            let r = (lhs.outer.0, w.1);
            let d = lhs.depth;
            let kind = ExprKind::Missing {
                expr: Box::new(lhs.expr),
                negated,
            };
            (i, node(ctx, kind, r, &[d])?)
        }
    };
    // comparisons do not chain
    match cmp_op_at(&i) {
        Ok(None) => Ok((i, e)),
        Err(err) => fail(err),
        Ok(Some(_)) => {
            let at = off(&i);
            let (desc, len) = super::error::describe(ctx.src.text, at);
            fail(
                PError::new("P0010", at, "comparisons cannot be chained")
                    .end(at + len)
                    .label(format!("second comparison {desc}"))
                    .also(
                        op_start,
                        op_start + super::error::describe(ctx.src.text, op_start).1,
                        "first comparison",
                    )
                    .expecting("`and`, `or` or the end of the condition")
                    .help("join two comparisons with `and`, e.g. `a < b and b < c`"),
            )
        }
    }
}

/// `a ?? b`: binds tighter than comparisons, looser than arithmetic, so that
/// `a.fatalities ?? 0 > 10` reads `(a.fatalities ?? 0) > 10`.
fn coalesce(i: In<'_>) -> PResult<'_, E> {
    chain(i, add, |i| {
        rest(i).starts_with("??").then_some((BinaryOp::Coalesce, 2))
    })
}

fn add(i: In<'_>) -> PResult<'_, E> {
    chain(i, mul, |i| match rest(i).as_bytes().first() {
        Some(b'+') => Some((BinaryOp::Add, 1)),
        Some(b'-') => Some((BinaryOp::Sub, 1)),
        _ => None,
    })
}

fn mul(i: In<'_>) -> PResult<'_, E> {
    chain(i, unary, |i| match rest(i).as_bytes().first() {
        Some(b'*') => Some((BinaryOp::Mul, 1)),
        Some(b'/') => Some((BinaryOp::Div, 1)),
        Some(b'%') => Some((BinaryOp::Rem, 1)),
        _ => None,
    })
}

fn unary(i: In<'_>) -> PResult<'_, E> {
    if !rest(&i).starts_with('-') {
        return postfix(i);
    }
    let ctx = i.extra;
    let _guard = enter(&i)?;
    let (i, k) = token(i, 1)?;
    let (i, inner) = operand(i, unary, "-")?;
    let r = (k.0, inner.outer.1);
    let d = inner.depth;
    let e = node(
        ctx,
        ExprKind::Unary(UnaryOp::Neg, Box::new(inner.expr)),
        r,
        &[d],
    )?;
    Ok((i, e))
}

/// A primary followed by `.field`s; any word may follow `.`.
pub(crate) fn postfix(i: In<'_>) -> PResult<'_, E> {
    let ctx = i.extra;
    let (mut i, mut e) = primary(i)?;
    while rest(&i).starts_with('.') {
        let (j, _) = token(i, 1)?;
        // a field whose name is no identifier (a CSV column `Event Text`) is quoted
        let (j, (name, nr)) = if rest(&j).starts_with('"') {
            string_lit(j)?
        } else {
            let (j, (name, nr)) = need(j, word, || "a field name after `.`".into())?;
            (j, (name.to_string(), nr))
        };
        let r = (e.outer.0, nr.1);
        let d = e.depth;
        e = node(
            ctx,
            ExprKind::Field(Box::new(e.expr), ident_node(ctx, &name, nr)),
            r,
            &[d],
        )?;
        i = j;
    }
    Ok((i, e))
}

fn primary(i: In<'_>) -> PResult<'_, E> {
    let ctx = i.extra;
    let start = off(&i);
    let s = rest(&i);
    let Some(c) = s.chars().next() else {
        return backtrack(PError::expected(start, "an expression"));
    };
    match c {
        '!' if !s.starts_with("!=") => fail(
            PError::new("P0009", start, "unknown operator `!`")
                .end(start + 1)
                .expecting("an expression")
                .help("use `not` to negate"),
        ),
        '0'..='9' => number(i),
        '"' => {
            let (i, (v, r)) = string_lit(i)?;
            Ok((i, leaf(ctx, ExprKind::Literal(Literal::String(v)), r)))
        }
        '@' => {
            let (i, (d, r)) = date_lit(i)?;
            Ok((i, leaf(ctx, ExprKind::Literal(Literal::Date(d)), r)))
        }
        '[' => list(i),
        '(' => {
            let _guard = enter(&i)?;
            let (i, open) = token(i, 1)?;
            let (i, mut e) = need(i, expr, || "an expression after `(`".into())?;
            let (i, cr) = close(i, ")", open, || "`)` to close `(`".into())?;
            e.outer = (open.0, cr.1);
            Ok((i, e))
        }
        _ => match peek_word(&i) {
            Some("true") => {
                let (i, r) = token(i, 4)?;
                Ok((i, leaf(ctx, ExprKind::Literal(Literal::Bool(true)), r)))
            }
            Some("false") => {
                let (i, r) = token(i, 5)?;
                Ok((i, leaf(ctx, ExprKind::Literal(Literal::Bool(false)), r)))
            }
            Some("null") => {
                let (i, r) = token(i, 4)?;
                Ok((i, leaf(ctx, ExprKind::Literal(Literal::Null), r)))
            }
            Some(
                w @ ("count" | "exists" | "all" | "sum" | "min" | "max" | "avg" | "count_distinct"),
            ) => aggregate(i, w),
            Some(w) if !is_keyword(w) => {
                let (i, r) = token(i, w.len())?;
                let name = ident_node(ctx, w, r);
                if rest(&i).starts_with('(') {
                    call(i, name)
                } else {
                    Ok((i, leaf(ctx, ExprKind::Name(name), r)))
                }
            }
            _ => backtrack(PError::expected(start, "an expression")),
        },
    }
}

fn number(i: In<'_>) -> PResult<'_, E> {
    let ctx = i.extra;
    let start = off(&i);
    let s = rest(&i);
    let n = number_len(s);
    let lit = &s[..n];
    let (i, r) = token(i, n)?;
    let unit = match peek_word(&i) {
        Some("day" | "days") => Some((DurationUnit::Days, "days")),
        Some("week" | "weeks") => Some((DurationUnit::Weeks, "weeks")),
        Some("month" | "months") => Some((DurationUnit::Months, "months")),
        Some("year" | "years") => Some((DurationUnit::Years, "years")),
        _ => None,
    };
    if let Some((unit, unit_name)) = unit {
        let ulen = peek_word(&i).map_or(0, str::len);
        let uend = off(&i) + ulen;
        if !lit.bytes().all(|b| b.is_ascii_digit()) {
            let value: f64 = lit.parse().unwrap_or(0.0);
            let smaller = match unit {
                DurationUnit::Years => Some((value * 12.0, "months")),
                DurationUnit::Months => None,
                DurationUnit::Weeks => Some((value * 7.0, "days")),
                DurationUnit::Days => None,
            };
            let help = match smaller {
                Some((v, u)) if v.fract() == 0.0 && v < 1e9 => format!("write `{v} {u}`"),
                _ => "write a whole number of a smaller unit".to_string(),
            };
            return fail(
                PError::new(
                    "P0006",
                    start,
                    format!("a duration needs a whole number of {unit_name}"),
                )
                .end(uend)
                .found(format!("`{lit}`"))
                .expecting("a whole number, e.g. `20 years`")
                .help(help),
            );
        }
        // no two dates of 4-digit years are 10,000 years apart; a longer duration
        // would only overflow the calendar, so it is refused rather than clamped
        let max = match unit {
            DurationUnit::Years => 10_000,
            DurationUnit::Months => 120_000,
            DurationUnit::Weeks => 521_775,
            DurationUnit::Days => 3_652_425,
        };
        let Some(amount) = lit.parse::<u32>().ok().filter(|a| *a <= max) else {
            return fail(
                PError::new(
                    "P0005",
                    start,
                    format!("duration `{lit} {unit_name}` is too long"),
                )
                .end(uend)
                .found(format!("`{lit} {unit_name}`"))
                .expecting(if matches!(unit, DurationUnit::Years) {
                    format!("at most {max} years")
                } else {
                    format!("at most {max} {unit_name}, as long as 10000 years")
                }),
            );
        };
        let (i, ur) = token(i, ulen)?;
        return Ok((
            i,
            leaf(
                ctx,
                ExprKind::Literal(Literal::Duration(DurationLit { amount, unit })),
                (r.0, ur.1),
            ),
        ));
    }
    match lit.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok((i, leaf(ctx, ExprKind::Literal(Literal::Number(v)), r))),
        _ => fail(
            PError::new("P0005", start, format!("number `{lit}` is too large"))
                .end(r.1)
                .expecting("a number below 1.8e308"),
        ),
    }
}

fn list(i: In<'_>) -> PResult<'_, E> {
    let ctx = i.extra;
    let _guard = enter(&i)?;
    let (mut i, open) = token(i, 1)?;
    let mut items = Vec::new();
    let mut depths = Vec::new();
    loop {
        if rest(&i).starts_with(']') {
            let (j, cr) = token(i, 1)?;
            let e = node(ctx, ExprKind::List(items), (open.0, cr.1), &depths)?;
            return Ok((j, e));
        }
        let at = off(&i);
        let (j, e) = match expr(i) {
            Ok(x) => x,
            Err(nom::Err::Error(err)) if err.pos() == at && !err.is_specific() => {
                let what = if items.is_empty() {
                    "an expression or `]`"
                } else {
                    "an expression"
                };
                return fail(unclosed(&i, open, what.to_string()));
            }
            Err(nom::Err::Error(err)) => return fail(err),
            Err(err) => return Err(err),
        };
        depths.push(e.depth);
        items.push(e.expr);
        i = j;
        if let Ok((j, _)) = sym(",")(i) {
            i = j;
            continue;
        }
        if !rest(&i).starts_with(']') {
            return fail(unclosed(&i, open, "`,` or `]` to close the list".into()));
        }
    }
}

fn call<'a>(i: In<'a>, name: Ident) -> PResult<'a, E> {
    let ctx = i.extra;
    let _guard = enter(&i)?;
    let (mut i, open) = token(i, 1)?;
    let mut args = Vec::new();
    let mut depths = Vec::new();
    let start = name.span.start;
    let fname = name.name.clone();
    if rest(&i).starts_with(')') {
        let (j, cr) = token(i, 1)?;
        let e = node(ctx, ExprKind::Call(name, args), (start, cr.1), &depths)?;
        return Ok((j, e));
    }
    loop {
        let (j, e) = need(i, expr, || format!("an argument of `{fname}`"))?;
        depths.push(e.depth);
        args.push(e.expr);
        i = j;
        if let Ok((j, _)) = sym(",")(i) {
            i = j;
            continue;
        }
        let (j, cr) = close(i, ")", open, || {
            format!("`,` or `)` to close the arguments of `{fname}`")
        })?;
        let e = node(ctx, ExprKind::Call(name, args), (start, cr.1), &depths)?;
        return Ok((j, e));
    }
}

/// `count(x in C where F)`, `exists(...)`, `sum(E for x in C where F)`, ...
fn aggregate<'a>(i: In<'a>, w: &str) -> PResult<'a, E> {
    let ctx = i.extra;
    let op = match w {
        "count" => AggregateOp::Count,
        "exists" => AggregateOp::Exists,
        "all" => AggregateOp::All,
        "sum" => AggregateOp::Sum,
        "min" => AggregateOp::Min,
        "max" => AggregateOp::Max,
        "avg" => AggregateOp::Avg,
        _ => AggregateOp::CountDistinct,
    };
    let shape = if op.takes_value() {
        format!("`{w}(value for x in collection where ...)`")
    } else {
        format!("`{w}(x in collection where ...)`")
    };
    let _guard = enter(&i)?;
    let (i, k) = token(i, w.len())?;
    let (i, open) = match cut(sym("(")).parse(i) {
        Ok(x) => x,
        Err(_) => {
            return fail(
                PError::expected(off(&i), format!("`(` after `{w}`")).help(format!(
                    "`{w}` is a keyword: write {shape}, or rename the variable, e.g. `{w}_`"
                )),
            )
        }
    };
    let (i, value) = if op.takes_value() {
        let (i, v) = need(i, expr, || format!("the value of `{w}`, as in {shape}"))?;
        let at = off(&i);
        let (i, _) = match kw("for")(i) {
            Ok(x) => x,
            Err(_) => return fail(PError::expected(at, format!("`for`, as in {shape}"))),
        };
        (i, Some(v))
    } else {
        (i, None)
    };
    let before_var = i;
    let (i, (var, vr)) = need(
        i,
        |i| ident(i, "variable"),
        || format!("a variable, as in {shape}"),
    )?;
    let at = off(&i);
    let (i, _) = match kw("in")(i) {
        Ok(x) => x,
        Err(_) => {
            let mut e = PError::expected(at, format!("`in`, as in {shape}"));
            // `count(c.sources)`: a collection where the variable should be
            if rest(&i).starts_with('.') {
                if let Ok((_, c)) = postfix(before_var) {
                    let written = &ctx.src.text[c.outer.0..c.outer.1];
                    let value = if op.takes_value() { "value for " } else { "" };
                    e = e.help(format!(
                        "name the elements with a variable: `{w}({value}x in {written})`"
                    ));
                }
            }
            return fail(e);
        }
    };
    let (i, source) = need(i, postfix, || format!("a collection after `{var} in`"))?;
    let (i, filter) = if at_kw(&i, "where") {
        let (i, _) = token(i, 5)?;
        let (i, f) = need(i, expr, || "a condition after `where`".into())?;
        (i, Some(f))
    } else {
        (i, None)
    };
    let what = if filter.is_some() {
        "`)`"
    } else {
        "`where` or `)`"
    };
    let (i, cr) = close(i, ")", open, || format!("{what} to close `{w}(`"))?;
    let depths: Vec<u32> = [value.as_ref(), Some(&source), filter.as_ref()]
        .into_iter()
        .flatten()
        .map(|e| e.depth)
        .collect();
    let agg = Aggregate {
        op,
        value: value.map(|v| v.expr),
        var: ident_node(ctx, var, vr),
        source: source.expr,
        filter: filter.map(|f| f.expr),
    };
    let e = node(
        ctx,
        ExprKind::Aggregate(Box::new(agg)),
        (k.0, cr.1),
        &depths,
    )?;
    Ok((i, e))
}
