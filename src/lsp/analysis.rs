//! What the editor asks about a place in a rule file, answered from the syntax tree
//! and the schema: the name under the cursor and what it names (a rule, def, const,
//! variable, collection, field or builtin), where each is defined and used, and what
//! may be written at the cursor.

use crate::data::schema::{FieldType, Schema};
use crate::diag::Span;
use crate::syntax::ast::{self, Expr, ExprKind, Ident, Item, Literal};

/// What the name under the cursor is.
#[derive(Clone, Debug)]
pub enum Hit {
    /// A rule's id, where it is declared or named by a verdict.
    Rule(String),
    /// A def or a const, by its name (declared, or used).
    Name(String),
    /// A variable bound by `for` or an aggregate, with its collection when known.
    Var {
        name: String,
        collection: Option<String>,
    },
    /// A parameter of a def.
    Param(String),
    Collection(String),
    Field {
        collection: String,
        field: String,
    },
    Builtin(String),
    Include(String),
}

/// The name under byte `at` of `file`, with its span.
pub fn hit_at(file: &ast::File, at: usize, schema: &Schema) -> Option<(Hit, Span)> {
    let mut best: Option<(Hit, Span)> = None;
    let mut consider = |hit: Hit, span: &Span| {
        if span.start <= at && at <= span.end {
            let narrower = best
                .as_ref()
                .is_none_or(|(_, s)| span.end - span.start <= s.end - s.start);
            if narrower {
                best = Some((hit, span.clone()));
            }
        }
    };
    for item in &file.items {
        match item {
            Item::Include(inc) => consider(Hit::Include(inc.path.clone()), &inc.span),
            Item::Const(c) => {
                consider(Hit::Name(c.name.name.clone()), &c.name.span);
                walk(&c.value, &mut Vec::new(), &[], schema, &mut consider);
            }
            Item::Def(d) => {
                consider(Hit::Name(d.name.name.clone()), &d.name.span);
                let params: Vec<&str> = d.params.iter().map(|p| p.name.as_str()).collect();
                for p in &d.params {
                    consider(Hit::Param(p.name.clone()), &p.span);
                }
                walk(&d.body, &mut Vec::new(), &params, schema, &mut consider);
            }
            Item::Rule(r) => {
                consider(Hit::Rule(r.id.name.clone()), &r.id.span);
                let mut scope: Vec<(String, Option<String>)> = Vec::new();
                for b in &r.bindings {
                    walk(&b.source, &mut scope, &[], schema, &mut consider);
                    if let Some(c) = source_collection(&b.source, &scope, schema) {
                        consider(Hit::Collection(c.clone()), &b.source.span);
                    }
                    let c = source_collection(&b.source, &scope, schema);
                    consider(
                        Hit::Var {
                            name: b.var.name.clone(),
                            collection: c.clone(),
                        },
                        &b.var.span,
                    );
                    scope.push((b.var.name.clone(), c));
                }
                for e in r
                    .condition
                    .iter()
                    .chain(r.group.iter().flat_map(|g| &g.keys))
                {
                    walk(e, &mut scope, &[], schema, &mut consider);
                }
                if let Some(m) = &r.message {
                    for part in &m.parts {
                        if let ast::MessagePart::Expr(e) = part {
                            walk(e, &mut scope, &[], schema, &mut consider);
                        }
                    }
                }
                if let Some(v) = &r.verdict {
                    consider(
                        Hit::Var {
                            name: v.claim.name.clone(),
                            collection: scope
                                .iter()
                                .rev()
                                .find(|(n, _)| *n == v.claim.name)
                                .and_then(|(_, c)| c.clone()),
                        },
                        &v.claim.span,
                    );
                }
            }
        }
    }
    best
}

/// The collection whose records a binding's source yields: a collection's name, or a
/// field holding references.
pub fn source_collection(
    e: &Expr,
    scope: &[(String, Option<String>)],
    schema: &Schema,
) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) if schema.collection(&n.name).is_some() => Some(n.name.clone()),
        ExprKind::Literal(Literal::String(s)) if schema.collection(s).is_some() => Some(s.clone()),
        ExprKind::Field(base, f) => {
            let c = expr_collection(base, scope, schema)?;
            match &schema.field(&c, &f.name)?.ty {
                FieldType::List(inner) => match &**inner {
                    FieldType::Ref(t) => Some(t.clone()),
                    _ => None,
                },
                FieldType::Ref(t) => Some(t.clone()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The collection of the record `e` is (a variable, or a reference followed).
pub fn expr_collection(
    e: &Expr,
    scope: &[(String, Option<String>)],
    schema: &Schema,
) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => scope
            .iter()
            .rev()
            .find(|(v, _)| *v == n.name)
            .and_then(|(_, c)| c.clone()),
        ExprKind::Field(base, f) => {
            let c = expr_collection(base, scope, schema)?;
            match &schema.field(&c, &f.name)?.ty {
                FieldType::Ref(t) => Some(t.clone()),
                _ => None,
            }
        }
        _ => None,
    }
}

fn walk(
    e: &Expr,
    scope: &mut Vec<(String, Option<String>)>,
    params: &[&str],
    schema: &Schema,
    consider: &mut dyn FnMut(Hit, &Span),
) {
    match &e.kind {
        ExprKind::Literal(_) => {}
        ExprKind::Name(n) => {
            let hit = if let Some((_, c)) = scope.iter().rev().find(|(v, _)| *v == n.name) {
                Hit::Var {
                    name: n.name.clone(),
                    collection: c.clone(),
                }
            } else if params.contains(&n.name.as_str()) {
                Hit::Param(n.name.clone())
            } else if schema.collection(&n.name).is_some() {
                Hit::Collection(n.name.clone())
            } else {
                // a const, or a def without arguments
                Hit::Name(n.name.clone())
            };
            consider(hit, &n.span);
        }
        ExprKind::Field(base, f) => {
            walk(base, scope, params, schema, consider);
            if let Some(c) = expr_collection(base, scope, schema) {
                consider(
                    Hit::Field {
                        collection: c,
                        field: f.name.clone(),
                    },
                    &f.span,
                );
            }
        }
        ExprKind::Call(name, args) => {
            let hit = if crate::check::resolve::builtin_names().contains(&name.name.as_str()) {
                Hit::Builtin(name.name.clone())
            } else {
                Hit::Name(name.name.clone())
            };
            consider(hit, &name.span);
            for a in args {
                walk(a, scope, params, schema, consider);
            }
        }
        ExprKind::List(items) => {
            for i in items {
                walk(i, scope, params, schema, consider);
            }
        }
        ExprKind::Unary(_, x) => walk(x, scope, params, schema, consider),
        ExprKind::Binary(_, a, b) => {
            walk(a, scope, params, schema, consider);
            walk(b, scope, params, schema, consider);
        }
        ExprKind::Within { lhs, window, rhs } => {
            for x in [lhs, window, rhs] {
                walk(x, scope, params, schema, consider);
            }
        }
        ExprKind::Missing { expr, .. } => walk(expr, scope, params, schema, consider),
        ExprKind::Aggregate(a) => {
            walk(&a.source, scope, params, schema, consider);
            let c = source_collection(&a.source, scope, schema);
            if let Some(c) = &c {
                if matches!(a.source.kind, ExprKind::Name(_) | ExprKind::Literal(_)) {
                    consider(Hit::Collection(c.clone()), &a.source.span);
                }
            }
            consider(
                Hit::Var {
                    name: a.var.name.clone(),
                    collection: c.clone(),
                },
                &a.var.span,
            );
            scope.push((a.var.name.clone(), c));
            for x in a.value.iter().chain(a.filter.iter()) {
                walk(x, scope, params, schema, consider);
            }
            scope.pop();
        }
    }
}

/// Every name of `files` (rule ids where declared, defs, consts and their uses),
/// for definitions and references: `(kind, name, span, declared here)`.
pub fn names(files: &[&ast::File]) -> Vec<(&'static str, String, Span, bool)> {
    let mut out = Vec::new();
    for f in files {
        for item in &f.items {
            let mut uses = |e: &Expr, params: &[String]| {
                visit(e, &mut |x| match &x.kind {
                    ExprKind::Name(n) if !params.contains(&n.name) => {
                        out.push(("name", n.name.clone(), n.span.clone(), false))
                    }
                    ExprKind::Call(n, _) => {
                        out.push(("name", n.name.clone(), n.span.clone(), false))
                    }
                    _ => {}
                })
            };
            match item {
                Item::Include(_) => {}
                Item::Const(c) => {
                    uses(&c.value, &[]);
                    out.push(("const", c.name.name.clone(), c.name.span.clone(), true));
                }
                Item::Def(d) => {
                    let params: Vec<String> = d.params.iter().map(|p| p.name.clone()).collect();
                    uses(&d.body, &params);
                    out.push(("def", d.name.name.clone(), d.name.span.clone(), true));
                }
                Item::Rule(r) => {
                    let vars: Vec<String> = r.bindings.iter().map(|b| b.var.name.clone()).collect();
                    for b in &r.bindings {
                        uses(&b.source, &vars);
                    }
                    for e in r
                        .condition
                        .iter()
                        .chain(r.group.iter().flat_map(|g| &g.keys))
                    {
                        uses(e, &vars);
                    }
                    if let Some(m) = &r.message {
                        for part in &m.parts {
                            if let ast::MessagePart::Expr(e) = part {
                                uses(e, &vars);
                            }
                        }
                    }
                    out.push(("rule", r.id.name.clone(), r.id.span.clone(), true));
                }
            }
        }
    }
    out
}

/// Visit `e` and every expression under it.
fn visit(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Name(_) => {}
        ExprKind::Field(b, _) => visit(b, f),
        ExprKind::Call(_, args) | ExprKind::List(args) => args.iter().for_each(|a| visit(a, f)),
        ExprKind::Unary(_, x) => visit(x, f),
        ExprKind::Binary(_, a, b) => {
            visit(a, f);
            visit(b, f);
        }
        ExprKind::Within { lhs, window, rhs } => {
            visit(lhs, f);
            visit(window, f);
            visit(rhs, f);
        }
        ExprKind::Missing { expr, .. } => visit(expr, f),
        ExprKind::Aggregate(a) => {
            visit(&a.source, f);
            for x in a.value.iter().chain(a.filter.iter()) {
                visit(x, f);
            }
        }
    }
}

/// The doc comment and the text of the declaration of `name` of `kind`.
pub fn declaration<'f>(files: &[&'f ast::File], kind: &str, name: &str) -> Option<Declared<'f>> {
    for f in files {
        for item in &f.items {
            let d = match item {
                Item::Rule(r) if kind == "rule" && r.id.name == name => Declared {
                    doc: r.doc.as_deref(),
                    ident: &r.id,
                    what: "rule",
                },
                Item::Def(d) if kind == "def" && d.name.name == name => Declared {
                    doc: d.doc.as_deref(),
                    ident: &d.name,
                    what: "def",
                },
                Item::Const(c) if kind == "const" && c.name.name == name => Declared {
                    doc: c.doc.as_deref(),
                    ident: &c.name,
                    what: "const",
                },
                _ => continue,
            };
            return Some(d);
        }
    }
    None
}

/// A rule, def or const as declared.
pub struct Declared<'f> {
    pub doc: Option<&'f str>,
    pub ident: &'f Ident,
    pub what: &'static str,
}

/// Where collection `name` is named as the source of a binding or an aggregate.
pub fn collection_uses(files: &[&ast::File], name: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let names = |e: &Expr| match &e.kind {
        ExprKind::Name(n) => n.name == name,
        ExprKind::Literal(Literal::String(s)) => s == name,
        _ => false,
    };
    let scan = |e: &Expr, out: &mut Vec<Span>| {
        visit(e, &mut |x| {
            if let ExprKind::Aggregate(a) = &x.kind {
                if names(&a.source) {
                    out.push(a.source.span.clone());
                }
            }
        })
    };
    for f in files {
        for item in &f.items {
            match item {
                Item::Rule(r) => {
                    for b in &r.bindings {
                        if names(&b.source) {
                            out.push(b.source.span.clone());
                        }
                        scan(&b.source, &mut out);
                    }
                    for e in r
                        .condition
                        .iter()
                        .chain(r.group.iter().flat_map(|g| &g.keys))
                    {
                        scan(e, &mut out);
                    }
                }
                Item::Def(d) => scan(&d.body, &mut out),
                Item::Const(c) => scan(&c.value, &mut out),
                Item::Include(_) => {}
            }
        }
    }
    out
}
