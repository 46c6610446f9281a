//! A compact view of the tree for people: S-expressions, one item per paragraph, items
//! and clauses marked with `@line:col`. Chains of `and`, `or`, `+` and `*` that lean left
//! (as written without parentheses) are shown flat: `(and a b c)` is `(a and b) and c`. Used by `factlint parse` and the parse snapshots.

use super::ast::*;
use crate::diag::Span;

/// The tree as indented S-expressions, lines kept under `width` where possible.
pub fn tree_view(file: &File, width: usize) -> String {
    let mut out = String::new();
    for item in &file.items {
        render(&item_node(item), 0, width, &mut out);
        out.push('\n');
    }
    if !file.comments.is_empty() {
        let comments: Vec<S> = file
            .comments
            .iter()
            .map(|c| atom(format!("{}@{}", quote(&c.text), at(&c.span))))
            .collect();
        render(&list("comments", comments), 0, width, &mut out);
        out.push('\n');
    }
    out
}

enum S {
    Atom(String),
    List(Vec<S>),
}

fn atom(s: impl Into<String>) -> S {
    S::Atom(s.into())
}

fn list(head: &str, mut rest: Vec<S>) -> S {
    rest.insert(0, atom(head));
    S::List(rest)
}

fn at(span: &Span) -> String {
    format!("{}:{}", span.line, span.col)
}

fn headed(head: &str, span: &Span, rest: Vec<S>) -> S {
    list(&format!("{head}@{}", at(span)), rest)
}

/// A string quoted as Rust does (control and invisible characters as `\u{..}`), and
/// then shown as text shows data (`diag::escape::visible`: no `##[` a GitHub runner
/// would read as a command).
fn quote(s: &str) -> String {
    crate::diag::escape::visible(&format!("{s:?}")).into_owned()
}

fn flat(s: &S) -> String {
    match s {
        S::Atom(a) => a.clone(),
        S::List(items) => {
            let parts: Vec<String> = items.iter().map(flat).collect();
            format!("({})", parts.join(" "))
        }
    }
}

fn render(s: &S, indent: usize, width: usize, out: &mut String) {
    let one = flat(s);
    match s {
        S::List(items) if indent + one.len() > width && items.len() > 1 => {
            out.push('(');
            out.push_str(&flat(&items[0]));
            for item in &items[1..] {
                out.push('\n');
                out.push_str(&" ".repeat(indent + 2));
                render(item, indent + 2, width, out);
            }
            out.push(')');
        }
        _ => out.push_str(&one),
    }
}

fn doc(d: &Option<String>, rest: &mut Vec<S>) {
    if let Some(d) = d {
        rest.push(list("doc", vec![atom(quote(d))]));
    }
}

fn item_node(item: &Item) -> S {
    match item {
        Item::Include(x) => headed("include", &x.span, vec![atom(quote(&x.path))]),
        Item::Const(x) => {
            let mut rest = vec![atom(&x.name.name)];
            doc(&x.doc, &mut rest);
            rest.push(expr(&x.value));
            headed("const", &x.span, rest)
        }
        Item::Def(x) => {
            let mut rest = vec![atom(&x.name.name)];
            rest.push(S::List(x.params.iter().map(|p| atom(&p.name)).collect()));
            doc(&x.doc, &mut rest);
            rest.push(expr(&x.body));
            headed("def", &x.span, rest)
        }
        Item::Rule(r) => rule(r),
    }
}

fn rule(r: &Rule) -> S {
    let mut rest = vec![atom(&r.id.name)];
    doc(&r.doc, &mut rest);
    if let Some(s) = &r.severity {
        rest.push(headed("severity", &s.span, vec![atom(s.value.as_str())]));
    }
    if let Some(m) = &r.message {
        let parts = m
            .parts
            .iter()
            .map(|p| match p {
                MessagePart::Text(t) => atom(quote(t)),
                MessagePart::Expr(e) => expr(e),
                MessagePart::Count(_) => list("count", vec![]),
            })
            .collect();
        rest.push(headed("message", &m.span, parts));
    }
    if let Some(first) = r.tags.first() {
        let tags = r.tags.iter().map(|t| atom(quote(&t.value))).collect();
        rest.push(headed("tags", &first.span, tags));
    }
    if let Some((first, _)) = r.meta.first() {
        let fields = r
            .meta
            .iter()
            .map(|(k, v)| S::List(vec![atom(format!("{}:", k.name)), expr(v)]))
            .collect();
        rest.push(headed("meta", &first.span, fields));
    }
    if !r.bindings.is_empty() {
        let bindings = r
            .bindings
            .iter()
            .map(|b| headed("in", &b.span, vec![atom(&b.var.name), expr(&b.source)]))
            .collect();
        rest.push(list("for", bindings));
    }
    if let Some(c) = &r.condition {
        rest.push(headed("where", &c.span, vec![expr(c)]));
    }
    if let Some(g) = &r.group {
        rest.push(headed(
            "group-by",
            &g.span,
            g.keys.iter().map(expr).collect(),
        ));
    }
    if let Some(v) = &r.verdict {
        rest.push(headed(
            "verdict",
            &v.span,
            vec![atom(v.kind.value.as_str()), atom(&v.claim.name)],
        ));
    }
    headed("rule", &r.span, rest)
}

fn expr(e: &Expr) -> S {
    match &e.kind {
        ExprKind::Literal(l) => atom(match l {
            Literal::Number(n) => format!("{n:?}"),
            Literal::String(s) => quote(s),
            Literal::Bool(b) => b.to_string(),
            Literal::Null => "null".into(),
            Literal::Date(d) => match (d.month, d.day) {
                (Some(m), Some(day)) => format!("@{:04}-{m:02}-{day:02}", d.year),
                (Some(m), None) => format!("@{:04}-{m:02}", d.year),
                _ => format!("@{:04}", d.year),
            },
            Literal::Duration(d) => format!("(duration {} {})", d.amount, d.unit.as_str()),
        }),
        ExprKind::Name(n) => atom(&n.name),
        ExprKind::Field(b, f) => list(".", vec![expr(b), atom(&f.name)]),
        ExprKind::Call(f, args) => {
            list(&format!("call {}", f.name), args.iter().map(expr).collect())
        }
        ExprKind::List(items) => list("list", items.iter().map(expr).collect()),
        ExprKind::Unary(op, x) => list(
            match op {
                UnaryOp::Not => "not",
                UnaryOp::Neg => "neg",
            },
            vec![expr(x)],
        ),
        ExprKind::Binary(op, l, r) => {
            // a left-associative chain is shown flat: `(and a b c)` is `(a and b) and c`
            let mut operands = vec![expr(r)];
            let mut left = l;
            while let ExprKind::Binary(o, ll, lr) = &left.kind {
                if o != op
                    || !matches!(
                        op,
                        BinaryOp::And | BinaryOp::Or | BinaryOp::Add | BinaryOp::Mul
                    )
                {
                    break;
                }
                operands.push(expr(lr));
                left = ll;
            }
            operands.push(expr(left));
            operands.reverse();
            list(&op.as_str().replace(' ', "-"), operands)
        }
        ExprKind::Within { lhs, window, rhs } => {
            list("within", vec![expr(window), expr(lhs), expr(rhs)])
        }
        ExprKind::Missing { expr: x, negated } => {
            list(if *negated { "present" } else { "missing" }, vec![expr(x)])
        }
        ExprKind::Aggregate(a) => {
            let mut rest = Vec::new();
            if let Some(v) = &a.value {
                rest.push(expr(v));
            }
            rest.push(list("in", vec![atom(&a.var.name), expr(&a.source)]));
            if let Some(f) = &a.filter {
                rest.push(list("where", vec![expr(f)]));
            }
            list(a.op.as_str(), rest)
        }
    }
}
