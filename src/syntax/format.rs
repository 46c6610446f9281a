//! The canonical layout of rule files: one blank line between items (one-line includes,
//! consts and defs on consecutive lines stay together), two-space indent
//! in rules, clauses in a fixed order, a `where` of several conjuncts one per line,
//! parentheses only where precedence needs them. Comments are kept in their place.
//!
//! The formatter sees only the tree, so it places each comment by its span: before the
//! first element that starts after it, or at the end of the previous output line when
//! it stood on the same source line as the element emitted last.

use super::ast::*;
use super::lex::is_ident;

/// Format a parsed file in the canonical layout.
pub fn format(file: &File) -> String {
    let mut comments: Vec<&Comment> = file.comments.iter().collect();
    comments.sort_by_key(|c| c.span.start);
    let mut f = Formatter {
        out: String::new(),
        comments,
        next: 0,
        prev_line: 0,
        prev_simple: None,
    };
    for item in &file.items {
        f.item(item);
    }
    f.final_comments();
    f.out
}

struct Formatter<'a> {
    out: String,
    comments: Vec<&'a Comment>,
    /// The first comment not yet written.
    next: usize,
    /// Source line of the element written last; a comment on it trails that element.
    prev_line: u32,
    /// Line of the item written last, if it was an include, const or def without doc.
    prev_simple: Option<u32>,
}

impl Formatter<'_> {
    fn peek(&self) -> Option<&Comment> {
        self.comments.get(self.next).copied()
    }

    fn comment_line(&mut self, indent: &str, c: &Comment) {
        self.out.push_str(indent);
        self.out.push('#');
        if c.text.starts_with('#') {
            // `##` at the start of a line would be a doc comment
            self.out.push(' ');
        }
        self.out.push_str(&c.text);
        self.out.push('\n');
    }

    fn trailing(&mut self, c: &Comment) {
        if self.out.ends_with('\n') {
            self.out.pop();
        }
        self.out.push_str("  #");
        self.out.push_str(&c.text);
        self.out.push('\n');
        // one comment per line
        self.prev_line = 0;
    }

    /// Write the comments that come before byte `at`, inside a rule.
    fn before(&mut self, at: usize, indent: &str) {
        while let Some(c) = self.peek() {
            if c.span.start >= at {
                break;
            }
            let c = self.comments[self.next];
            self.next += 1;
            if c.span.line == self.prev_line {
                self.trailing(c);
            } else {
                self.comment_line(indent, c);
            }
        }
    }

    /// Comments at the top level before an item whose first line is `first_line`,
    /// with a blank line between groups where the source had one.
    fn top_comments(&mut self, at: usize, first_line: Option<u32>) {
        let mut last: Option<u32> = None;
        while let Some(c) = self.peek() {
            if c.span.start >= at {
                break;
            }
            let c = self.comments[self.next];
            self.next += 1;
            if last.is_some_and(|l| c.span.line > l + 1) {
                self.out.push('\n');
            }
            self.comment_line("", c);
            last = Some(c.span.line);
        }
        if let (Some(l), Some(first)) = (last, first_line) {
            if first > l + 1 {
                self.out.push('\n');
            }
        }
    }

    fn item(&mut self, item: &Item) {
        let (span, doc) = match item {
            Item::Include(x) => (&x.span, None),
            Item::Const(x) => (&x.span, x.doc.as_deref()),
            Item::Def(x) => (&x.span, x.doc.as_deref()),
            Item::Rule(x) => (&x.span, x.doc.as_deref()),
        };
        // includes, consts and defs written on consecutive lines stay together
        let simple = !matches!(item, Item::Rule(_)) && doc.is_none();
        let glued = simple
            && self.prev_simple.is_some_and(|l| span.line == l + 1)
            && self.peek().is_none_or(|c| c.span.start >= span.start);
        if !self.out.is_empty() && !glued {
            self.out.push('\n');
        }
        let doc_lines = doc.map_or(0, |d| d.split('\n').count() as u32);
        self.top_comments(span.start, Some(span.line.saturating_sub(doc_lines)));
        if let Some(doc) = doc {
            for line in doc.split('\n') {
                if line.is_empty() {
                    self.out.push_str("##\n");
                } else {
                    self.out.push_str("## ");
                    self.out.push_str(line);
                    self.out.push('\n');
                }
            }
        }
        self.prev_line = span.line;
        let body_start = self.out.len();
        match item {
            Item::Include(x) => {
                self.out.push_str("include ");
                self.out.push_str(&string(&x.path));
                self.out.push('\n');
            }
            Item::Const(x) => {
                self.out
                    .push_str(&format!("const {} = {}\n", x.name.name, expr(&x.value)));
            }
            Item::Def(x) => {
                let params: Vec<&str> = x.params.iter().map(|p| p.name.as_str()).collect();
                let head = format!("def {}({}) = ", x.name.name, params.join(", "));
                let body = expr(&x.body);
                // a long `and` / `or` chain goes one operand per line, like `where`
                let chain = match &x.body.kind {
                    ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), ..) => Some(*op),
                    _ => None,
                };
                match chain {
                    Some(op) if head.len() + body.len() > 88 => {
                        let mut parts = Vec::new();
                        flatten(&x.body, op, &mut parts);
                        let p = op.precedence();
                        let operand = |e: &Expr, min: u8| {
                            if op == BinaryOp::Or {
                                or_operand(e, min)
                            } else {
                                wrapped(e, min)
                            }
                        };
                        for (i, part) in parts.iter().enumerate() {
                            // a comment on the line of the last operand stays at its end
                            self.prev_line = self.prev_line.max(part.span.line);
                            if i == 0 {
                                self.out.push_str(&format!("{head}{}\n", operand(part, p)));
                            } else {
                                self.out.push_str(&format!(
                                    "  {} {}\n",
                                    op.as_str(),
                                    operand(part, p + 1)
                                ));
                            }
                        }
                    }
                    _ => self.out.push_str(&format!("{head}{body}\n")),
                }
            }
            Item::Rule(r) => {
                self.rule(r);
                self.prev_line = 0;
            }
        }
        // only an item written on one line glues to the next: a def broken over
        // several lines would not glue the second time, its next item no longer on
        // the line after its first
        let one_line = self.out[body_start..].matches('\n').count() == 1;
        self.prev_simple = (simple && one_line).then_some(span.line);
        // comments inside the item, or trailing it on its line
        while let Some(c) = self.peek() {
            if c.span.start >= span.end && c.span.line != self.prev_line {
                break;
            }
            let c = self.comments[self.next];
            self.next += 1;
            if c.span.line == self.prev_line {
                self.trailing(c);
            } else {
                self.comment_line("", c);
            }
        }
    }

    fn final_comments(&mut self) {
        if self.next < self.comments.len() && !self.out.is_empty() {
            self.out.push('\n');
        }
        self.top_comments(usize::MAX, None);
    }

    fn rule(&mut self, r: &Rule) {
        self.out.push_str(&format!("rule {} {{\n", r.id.name));
        let end = r.span.end.saturating_sub(1);
        let empty = r.severity.is_none()
            && r.message.is_none()
            && r.tags.is_empty()
            && r.meta.is_empty()
            && r.bindings.is_empty()
            && r.condition.is_none()
            && r.group.is_none()
            && r.verdict.is_none();
        if empty && self.peek().is_none_or(|c| c.span.start >= end) {
            self.out.pop();
            self.out.push_str("}\n");
            return;
        }
        if let Some(s) = &r.severity {
            self.clause(&s.span, format!("severity: {}", s.value.as_str()));
        }
        if let Some(m) = &r.message {
            self.clause(&m.span, format!("message: {}", message(m)));
        }
        if let Some(first) = r.tags.first() {
            let tags: Vec<String> = r
                .tags
                .iter()
                .map(|t| {
                    if is_ident(&t.value) {
                        t.value.clone()
                    } else {
                        string(&t.value)
                    }
                })
                .collect();
            self.clause(&first.span, format!("tags: [{}]", tags.join(", ")));
        }
        if let Some((first, _)) = r.meta.first() {
            let fields: Vec<String> = r
                .meta
                .iter()
                .map(|(k, v)| format!("{}: {}", k.name, expr(v)))
                .collect();
            self.clause(&first.span, format!("meta: {{{}}}", fields.join(", ")));
        }
        if let Some(first) = r.bindings.first() {
            let bindings: Vec<String> = r
                .bindings
                .iter()
                .map(|b| format!("{} in {}", b.var.name, wrapped(&b.source, POSTFIX)))
                .collect();
            self.clause(&first.span, format!("for {}", bindings.join(", ")));
        }
        if let Some(cond) = &r.condition {
            self.condition(cond);
        }
        if let Some(g) = &r.group {
            let keys: Vec<String> = g.keys.iter().map(expr).collect();
            self.clause(&g.span, format!("group by {}", keys.join(", ")));
        }
        if let Some(v) = &r.verdict {
            self.clause(
                &v.span,
                format!("verdict: {} for {}", v.kind.value.as_str(), v.claim.name),
            );
        }
        self.before(end, "  ");
        self.out.push_str("}\n");
    }

    fn clause(&mut self, anchor: &crate::diag::Span, text: String) {
        self.before(anchor.start, "  ");
        self.out.push_str("  ");
        self.out.push_str(&text);
        self.out.push('\n');
        self.prev_line = anchor.line;
    }

    /// `where` with a top-level `and` (or `or`) chain broken one operand per line.
    fn condition(&mut self, cond: &Expr) {
        let op = match &cond.kind {
            ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), _, _) => Some(*op),
            _ => None,
        };
        let Some(op) = op else {
            self.clause(&cond.span, format!("where {}", expr(cond)));
            return;
        };
        let mut parts = Vec::new();
        flatten(cond, op, &mut parts);
        let p = op.precedence();
        let (first, rest) = parts.split_first().unwrap_or((&cond, &[]));
        let operand = |e: &Expr, min: u8| {
            if op == BinaryOp::Or {
                or_operand(e, min)
            } else {
                wrapped(e, min)
            }
        };
        self.clause(&first.span, format!("where {}", operand(first, p)));
        for part in rest {
            self.before(part.span.start, "    ");
            self.out
                .push_str(&format!("    {} {}\n", op.as_str(), operand(part, p + 1)));
            self.prev_line = part.span.line;
        }
    }
}

/// The operands of a left-associative chain of `op`.
fn flatten<'e>(e: &'e Expr, op: BinaryOp, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary(o, l, r) if *o == op => {
            flatten(l, op, out);
            out.push(r);
        }
        _ => out.push(e),
    }
}

const NOT: u8 = 3;
const CMP: u8 = 4;
const COALESCE: u8 = 5;
/// Operands of comparisons, `within`, `is` and `not`: a `??` among them is put in
/// parentheses though precedence does not need them, so `(a ?? b) == c` reads as
/// it parses.
const ARITH: u8 = COALESCE + 1;
const NEG: u8 = 8;
const POSTFIX: u8 = 9;

/// Binding strength of the expression's top node (see `BinaryOp::precedence`).
fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => op.precedence(),
        ExprKind::Unary(UnaryOp::Not, _) => NOT,
        ExprKind::Within { .. } | ExprKind::Missing { .. } => CMP,
        ExprKind::Unary(UnaryOp::Neg, _) => NEG,
        _ => POSTFIX,
    }
}

/// An operand of `or`: an `and` is put in parentheses though precedence does not need
/// them, because `a and b or c` reads ambiguously to people.
fn or_operand(e: &Expr, min: u8) -> String {
    match &e.kind {
        ExprKind::Binary(BinaryOp::And, ..) => format!("({})", expr(e)),
        _ => wrapped(e, min),
    }
}

/// The expression, in parentheses if it binds looser than `min`.
fn wrapped(e: &Expr, min: u8) -> String {
    if prec(e) < min {
        format!("({})", expr(e))
    } else {
        expr(e)
    }
}

/// An expression in canonical form, with the fewest parentheses.
pub(crate) fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Literal(l) => literal(l),
        ExprKind::Name(n) => n.name.clone(),
        ExprKind::Field(base, f) => {
            let name = if super::lex::word_len(&f.name) == f.name.len() && !f.name.is_empty() {
                f.name.clone()
            } else {
                string(&f.name)
            };
            format!("{}.{name}", wrapped(base, POSTFIX))
        }
        ExprKind::Call(f, args) => {
            let args: Vec<String> = args.iter().map(expr).collect();
            format!("{}({})", f.name, args.join(", "))
        }
        ExprKind::List(items) => {
            let items: Vec<String> = items.iter().map(expr).collect();
            format!("[{}]", items.join(", "))
        }
        ExprKind::Unary(UnaryOp::Not, x) => {
            let min = if prec(x) == COALESCE { ARITH } else { NOT };
            format!("not {}", wrapped(x, min))
        }
        ExprKind::Unary(UnaryOp::Neg, x) => {
            let inner = wrapped(x, NEG);
            if inner.starts_with('-') {
                format!("- {inner}")
            } else {
                format!("-{inner}")
            }
        }
        ExprKind::Binary(BinaryOp::Or, l, r) => {
            format!("{} or {}", or_operand(l, 1), or_operand(r, 2))
        }
        ExprKind::Binary(op, l, r) => {
            let p = op.precedence();
            // comparisons do not chain, so neither side may be one
            let (left_min, right_min) = if p == CMP { (ARITH, ARITH) } else { (p, p + 1) };
            format!(
                "{} {} {}",
                wrapped(l, left_min),
                op.as_str(),
                wrapped(r, right_min)
            )
        }
        ExprKind::Within { lhs, window, rhs } => format!(
            "{} within {} of {}",
            wrapped(lhs, ARITH),
            wrapped(window, ARITH),
            wrapped(rhs, ARITH)
        ),
        ExprKind::Missing { expr: x, negated } => format!(
            "{} is {}",
            wrapped(x, ARITH),
            if *negated { "present" } else { "missing" }
        ),
        ExprKind::Aggregate(a) => {
            let mut s = format!("{}(", a.op.as_str());
            if let Some(v) = &a.value {
                s.push_str(&expr(v));
                s.push_str(" for ");
            }
            s.push_str(&a.var.name);
            s.push_str(" in ");
            s.push_str(&wrapped(&a.source, POSTFIX));
            if let Some(f) = &a.filter {
                s.push_str(" where ");
                s.push_str(&expr(f));
            }
            s.push(')');
            s
        }
    }
}

fn literal(l: &Literal) -> String {
    match l {
        Literal::Number(n) => number(*n),
        Literal::String(s) => string(s),
        Literal::Bool(b) => b.to_string(),
        Literal::Null => "null".into(),
        Literal::Date(d) => {
            let mut s = format!("@{:04}", d.year);
            if let Some(m) = d.month {
                s.push_str(&format!("-{m:02}"));
                if let Some(day) = d.day {
                    s.push_str(&format!("-{day:02}"));
                }
            }
            s
        }
        Literal::Duration(d) => {
            let unit = d.unit.as_str();
            if d.amount == 1 {
                format!("1 {}", &unit[..unit.len() - 1])
            } else {
                format!("{} {unit}", d.amount)
            }
        }
    }
}

/// The shortest text that parses back to the same `f64`.
fn number(n: f64) -> String {
    let plain = format!("{n}");
    if plain.len() <= 17 {
        plain
    } else {
        format!("{n:e}")
    }
}

fn escape_into(out: &mut String, s: &str, braces: bool) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '{' if braces => out.push_str("{{"),
            '}' if braces => out.push_str("}}"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
}

/// A string literal.
pub(crate) fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    escape_into(&mut out, s, false);
    out.push('"');
    out
}

fn message(m: &Message) -> String {
    let mut out = String::from("\"");
    for part in &m.parts {
        match part {
            MessagePart::Text(t) => escape_into(&mut out, t, true),
            MessagePart::Expr(e) => {
                out.push('{');
                out.push_str(&expr(e));
                out.push('}');
            }
            MessagePart::Count(_) => out.push_str("{count}"),
        }
    }
    out.push('"');
    out
}
