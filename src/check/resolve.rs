//! Name resolution and type checking of a rule suite against a dataset schema.
//! Collects every error instead of stopping at the first.

use super::ir::RuleInfo;
use super::ir::*;
use crate::data::{FieldType, Schema, Time, Value};
use crate::diag::suggest::did_you_mean;
use crate::diag::{Diagnostic, Span};
use crate::syntax::ast::{self, AggregateOp, BinaryOp, ExprKind, Literal, UnaryOp};
use std::collections::{BTreeMap, HashMap};

/// How deep defs may call defs before we call it recursion.
const MAX_DEF_DEPTH: usize = 32;

/// How many expression nodes inlining defs may make for one rule or constant
/// (`C0027`, docs/budgets.md): a def that uses another twice per level doubles at each.
pub const MAX_EXPANSION: u64 = 100_000;

/// A builtin's signature. A parameter ending in `?` may be left out (only at the end);
/// one ending in `...` takes one or more arguments (only the last).
struct BuiltinSig {
    name: &'static str,
    builtin: Builtin,
    params: &'static [&'static str],
    ret: Ty,
}

impl BuiltinSig {
    /// The fewest and the most arguments (`None`: no limit).
    fn arity(&self) -> (usize, Option<usize>) {
        let required = self.params.iter().filter(|p| !p.ends_with('?')).count();
        let repeats = self.params.last().is_some_and(|p| p.ends_with("..."));
        (required, (!repeats).then_some(self.params.len()))
    }

    /// How a call is written: `slice(list or string, number, [number])`,
    /// `concat(string, string, ...)`.
    fn usage(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| match (p.strip_suffix('?'), p.strip_suffix("...")) {
                (Some(opt), _) => format!("[{opt}]"),
                (_, Some(rep)) => format!("{rep}, ..."),
                _ => p.to_string(),
            })
            .collect();
        format!("{}({})", self.name, params.join(", "))
    }

    /// The parameter the `i`th argument is given for.
    fn param(&self, i: usize) -> &'static str {
        let p = self
            .params
            .get(i)
            .or(self.params.last())
            .copied()
            .unwrap_or("");
        p.trim_end_matches('?').trim_end_matches("...")
    }

    /// The result type, for builtins whose result follows their first argument.
    fn ret(&self, args: &[CExpr]) -> Ty {
        let first = args.first().map(|a| &a.ty);
        match (self.builtin, first) {
            (Builtin::Slice, Some(Ty::List(t))) => Ty::List(t.clone()),
            (Builtin::At, Some(Ty::List(t))) => (**t).clone(),
            (Builtin::Slice | Builtin::At, Some(Ty::Any | Ty::Null)) => Ty::Any,
            _ => self.ret.clone(),
        }
    }
}

fn builtins() -> Vec<BuiltinSig> {
    use Builtin::*;
    let s = |name, builtin, params, ret| BuiltinSig {
        name,
        builtin,
        params,
        ret,
    };
    vec![
        s("lower", Lower, &["string"], Ty::Str),
        s("upper", Upper, &["string"], Ty::Str),
        s("trim", Trim, &["string"], Ty::Str),
        s("len", Len, &["list or string"], Ty::Number),
        s("year", Year, &["date"], Ty::Number),
        s("start", Start, &["date"], Ty::Date),
        s("end", End, &["date"], Ty::Date),
        s("abs", Abs, &["number"], Ty::Number),
        s("lo", Lo, &["number"], Ty::Number),
        s("hi", Hi, &["number"], Ty::Number),
        s("date", Date, &["string or number"], Ty::Date),
        s("is_precise", IsPrecise, &["date"], Ty::Bool),
        s("days", Days, &["duration"], Ty::Number),
        s(
            "slice",
            Slice,
            &["list or string", "number", "number?"],
            Ty::Str,
        ),
        s("at", At, &["list or string", "number"], Ty::Str),
        s("concat", Concat, &["string", "string..."], Ty::Str),
        s(
            "split",
            Split,
            &["string", "string"],
            Ty::List(Box::new(Ty::Str)),
        ),
        s("origin", Origin, &["source"], Ty::Ref("sources".into())),
        s("owner", Owner, &["source"], Ty::Ref("actors".into())),
        s("text", Text, &["string"], Ty::Str),
        s("quoted_in", QuotedIn, &["string", "string"], Ty::Bool),
        s("verdict_of", Verdict, &["claim"], Ty::Str),
    ]
}

/// The name a builtin is called by.
pub fn builtin_name(b: Builtin) -> &'static str {
    builtins()
        .iter()
        .find(|s| s.builtin == b)
        .map_or("a builtin", |s| s.name)
}

/// The names of the builtin functions (for documentation and suggestions).
pub fn builtin_names() -> Vec<&'static str> {
    builtins().iter().map(|b| b.name).collect()
}

/// Each builtin's name, how a call is written (`slice(list or string, number,
/// [number])`) and the type it returns, for an editor's hover and completion.
pub fn builtin_signatures() -> Vec<(&'static str, String, String)> {
    builtins()
        .iter()
        .map(|b| (b.name, b.usage(), b.ret.to_string()))
        .collect()
}

fn param_accepts(param: &str, ty: &Ty) -> bool {
    if matches!(ty, Ty::Any | Ty::Null) {
        return true;
    }
    match param {
        "string" => ty.is_str(),
        "list or string" => ty.is_str() || matches!(ty, Ty::List(_)),
        "string or number" => ty.is_str() || *ty == Ty::Number,
        "date" => *ty == Ty::Date,
        "number" => *ty == Ty::Number,
        "duration" => *ty == Ty::Duration,
        "source" => matches!(ty, Ty::Record(c) | Ty::Ref(c) if c == "sources"),
        "claim" => matches!(ty, Ty::Record(_) | Ty::Ref(_)),
        _ => true,
    }
}

fn field_ty(t: &FieldType) -> Ty {
    match t {
        FieldType::String | FieldType::Enum(_) | FieldType::File => Ty::Str,
        FieldType::Number => Ty::Number,
        FieldType::Bool => Ty::Bool,
        FieldType::Date => Ty::Date,
        FieldType::Duration => Ty::Duration,
        FieldType::Ref(c) => Ty::Ref(c.clone()),
        FieldType::List(t) => Ty::List(Box::new(field_ty(t))),
        FieldType::Map => Ty::Map,
        FieldType::Any => Ty::Any,
    }
}

/// A literal of the rule language as a value.
pub fn literal_value(l: &Literal) -> Value {
    match l {
        Literal::Number(n) => Value::Number(*n),
        Literal::String(s) => Value::Str(s.as_str().into()),
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Null => Value::Null,
        Literal::Date(d) => match Time::partial(d.year, d.month, d.day) {
            Some(t) => Value::Time(t),
            None => Value::Null,
        },
        Literal::Duration(d) => {
            let n = d.amount as i64;
            let mut dur = crate::data::Duration::default();
            match d.unit {
                ast::DurationUnit::Days => dur.days = n,
                ast::DurationUnit::Weeks => dur.days = n * 7,
                ast::DurationUnit::Months => dur.months = n.min(i32::MAX as i64) as i32,
                ast::DurationUnit::Years => dur.months = (n * 12).min(i32::MAX as i64) as i32,
            }
            Value::Duration(dur)
        }
    }
}

fn literal_ty(l: &Literal) -> Ty {
    match l {
        Literal::Number(_) => Ty::Number,
        Literal::String(_) => Ty::Str,
        Literal::Bool(_) => Ty::Bool,
        Literal::Null => Ty::Null,
        Literal::Date(_) => Ty::Date,
        Literal::Duration(_) => Ty::Duration,
    }
}

/// What a name in scope stands for.
#[derive(Clone)]
enum Scoped {
    Var(VarId),
    /// A def parameter: the argument's checked expression.
    Arg(CExpr),
}

struct Globals<'a> {
    schema: &'a Schema,
    consts: HashMap<String, (usize, Ty)>,
    defs: HashMap<String, &'a ast::Def>,
    /// Cycles of defs reported (`C0012`), by their sorted names: each is said once.
    cycles: std::cell::RefCell<std::collections::BTreeSet<Vec<String>>>,
}

struct Cx<'a, 'g> {
    g: &'g Globals<'a>,
    vars: Vec<VarInfo>,
    used: Vec<bool>,
    scopes: Vec<Vec<(String, Scoped)>>,
    def_depth: usize,
    diags: &'g mut Vec<Diagnostic>,
    /// Names that may be referred to without a binding: consts defined so far.
    const_limit: usize,
    /// The defs being inlined, outermost first, with the call that inlined each.
    def_stack: Vec<(String, Span)>,
    /// Expression nodes made inside defs so far, and how many may be (`MAX_EXPANSION`).
    expanded: u64,
    expansion_limit: u64,
}

fn err_expr(span: &Span) -> CExpr {
    CExpr {
        kind: CKind::Lit(Value::Null),
        ty: Ty::Any,
        span: span.clone(),
    }
}

impl<'a, 'g> Cx<'a, 'g> {
    fn new(g: &'g Globals<'a>, diags: &'g mut Vec<Diagnostic>) -> Self {
        Cx {
            g,
            vars: Vec::new(),
            used: Vec::new(),
            scopes: vec![Vec::new()],
            def_depth: 0,
            diags,
            const_limit: usize::MAX,
            def_stack: Vec::new(),
            expanded: 0,
            expansion_limit: MAX_EXPANSION,
        }
    }

    fn new_var(&mut self, name: &ast::Ident, ty: Ty) -> VarId {
        self.vars.push(VarInfo {
            name: name.name.clone(),
            ty,
            span: name.span.clone(),
        });
        self.used.push(false);
        self.vars.len() - 1
    }

    fn lookup(&self, name: &str) -> Option<Scoped> {
        for scope in self.scopes.iter().rev() {
            for (n, s) in scope.iter().rev() {
                if n == name {
                    return Some(s.clone());
                }
            }
            // def bodies see only their own parameters (and globals)
            if self.def_depth > 0 && scope.iter().any(|(n, _)| n == "\0def") {
                break;
            }
        }
        None
    }

    fn visible_names(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for scope in self.scopes.iter().rev() {
            for (n, _) in scope {
                if !n.starts_with('\0') {
                    v.push(n.clone());
                }
            }
        }
        v.extend(
            self.g
                .consts
                .iter()
                .filter(|(_, (i, _))| *i < self.const_limit)
                .map(|(n, _)| n.clone()),
        );
        v
    }

    fn expr(&mut self, e: &ast::Expr) -> CExpr {
        let span = e.span.clone();
        if self.def_depth > 0 {
            self.expanded = self.expanded.saturating_add(1);
        }
        match &e.kind {
            ExprKind::Literal(l) => {
                if let Literal::Date(d) = l {
                    if Time::partial(d.year, d.month, d.day).is_none() {
                        self.diags.push(
                            Diagnostic::error("C0020", "this date does not exist")
                                .at(span.clone(), "no such date"),
                        );
                    }
                }
                CExpr {
                    kind: CKind::Lit(literal_value(l)),
                    ty: literal_ty(l),
                    span,
                }
            }
            ExprKind::Name(id) => self.name(id),
            ExprKind::Field(base, field) => {
                let b = self.expr(base);
                self.field(b, field, span)
            }
            ExprKind::Call(f, args) => self.call(f, args, span),
            ExprKind::List(items) => {
                let items: Vec<CExpr> = items.iter().map(|i| self.expr(i)).collect();
                let mut elem = Ty::Any;
                for (k, it) in items.iter().enumerate() {
                    if k == 0 {
                        elem = it.ty.clone();
                    } else if !elem.comparable(&it.ty) {
                        self.diags.push(
                            Diagnostic::error("C0005", "list items have different types")
                                .at(it.span.clone(), format!("this is a {}", it.ty))
                                .also(items[0].span.clone(), format!("this is a {elem}"))
                                .expected(format!("a {elem}"))
                                .found(format!("a {}", it.ty)),
                        );
                        elem = Ty::Any;
                    }
                }
                CExpr {
                    kind: CKind::List(items),
                    ty: Ty::List(Box::new(elem)),
                    span,
                }
            }
            ExprKind::Unary(op, inner) => {
                let i = self.expr(inner);
                let ty = match op {
                    UnaryOp::Not => {
                        self.expect_bool(&i, "`not`");
                        Ty::Bool
                    }
                    UnaryOp::Neg => {
                        if !matches!(i.ty, Ty::Number | Ty::Duration | Ty::Any) {
                            self.type_error(&i, "a number", "`-`");
                        }
                        i.ty.clone()
                    }
                };
                CExpr {
                    kind: CKind::Unary(*op, Box::new(i)),
                    ty,
                    span,
                }
            }
            ExprKind::Binary(op, l, r) => {
                let l = self.expr(l);
                let r = self.expr(r);
                self.binary(*op, l, r, span)
            }
            ExprKind::Within { lhs, window, rhs } => {
                let l = self.expr(lhs);
                let w = self.expr(window);
                let r = self.expr(rhs);
                for side in [&l, &r] {
                    if !matches!(side.ty, Ty::Date | Ty::Any | Ty::Null) {
                        self.type_error(side, "a date", "`within`");
                    }
                }
                if !matches!(w.ty, Ty::Duration | Ty::Any) {
                    let mut d = Diagnostic::error("C0004", "`within` needs a duration")
                        .at(w.span.clone(), format!("this is a {}", w.ty))
                        .expected("a duration such as `20 years`")
                        .found(format!("a {}", w.ty));
                    if w.ty == Ty::Number {
                        d = d.help("add a unit: `20 years`, `6 months`, `30 days`");
                    }
                    self.diags.push(d);
                }
                CExpr {
                    kind: CKind::Within {
                        lhs: Box::new(l),
                        window: Box::new(w),
                        rhs: Box::new(r),
                    },
                    ty: Ty::Bool,
                    span,
                }
            }
            ExprKind::Missing { expr, negated } => {
                let i = self.expr(expr);
                CExpr {
                    kind: CKind::Missing {
                        expr: Box::new(i),
                        negated: *negated,
                    },
                    ty: Ty::Bool,
                    span,
                }
            }
            ExprKind::Aggregate(a) => self.aggregate(a, span),
        }
    }

    fn name(&mut self, id: &ast::Ident) -> CExpr {
        let span = id.span.clone();
        match self.lookup(&id.name) {
            Some(Scoped::Var(v)) => {
                self.used[v] = true;
                return CExpr {
                    kind: CKind::Var(v),
                    ty: self.vars[v].ty.clone(),
                    span,
                };
            }
            Some(Scoped::Arg(e)) => {
                // a parameter is a copy of its argument
                e.walk(&mut |_| self.expanded = self.expanded.saturating_add(1));
                return CExpr { span, ..e };
            }
            None => {}
        }
        if let Some((i, ty)) = self.g.consts.get(&id.name) {
            if *i < self.const_limit {
                return CExpr {
                    kind: CKind::Const(*i),
                    ty: ty.clone(),
                    span,
                };
            }
            self.diags.push(
                Diagnostic::error(
                    "C0007",
                    format!("constant `{}` is used before it is defined", id.name),
                )
                .at(span.clone(), "defined later")
                .help("constants may refer only to constants defined above them"),
            );
            return err_expr(&span);
        }
        if self.g.schema.collection(&id.name).is_some() {
            self.diags.push(
                Diagnostic::error("C0008", format!("collection `{}` is not a value", id.name))
                    .at(span.clone(), "a collection")
                    .expected("a variable, a constant or a field")
                    .found(format!("the collection `{}`", id.name))
                    .help(format!(
                    "bind it (`for x in {0}`) or aggregate over it (`count(x in {0} where ...)`)",
                    id.name
                )),
            );
            return err_expr(&span);
        }
        if let Some(def) = self.g.defs.get(&id.name) {
            if def.params.is_empty() {
                return self.inline_def(def, &[], &span);
            }
        }
        let names = self.visible_names();
        let mut d = Diagnostic::error("C0001", format!("unknown name `{}`", id.name))
            .at(span.clone(), "not defined")
            .expected("a variable bound by `for`, a constant, or a def");
        if let Some(s) = did_you_mean(&id.name, names.iter().map(|s| s.as_str())) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        self.diags.push(d);
        err_expr(&span)
    }

    fn field(&mut self, b: CExpr, field: &ast::Ident, span: Span) -> CExpr {
        let (ty, deref) = match &b.ty {
            Ty::Record(c) | Ty::Ref(c) => {
                let deref = matches!(b.ty, Ty::Ref(_)).then(|| c.clone());
                if field.name == "id" {
                    (Ty::Str, deref)
                } else {
                    match self.g.schema.field(c, &field.name) {
                        Some(fd) => (field_ty(&fd.ty), deref),
                        None => {
                            let known: Vec<&str> = self
                                .g
                                .schema
                                .collection(c)
                                .map(|cd| cd.fields.keys().map(|k| k.as_str()).collect())
                                .unwrap_or_default();
                            let mut d = Diagnostic::error(
                                "C0002",
                                format!("collection `{c}` has no field `{}`", field.name),
                            )
                            .at(field.span.clone(), "unknown field")
                            .expected(format!("a field of `{c}`"))
                            .found(format!("`{}`", field.name));
                            if let Some(s) = did_you_mean(&field.name, known.iter().copied()) {
                                d = d.help(format!("did you mean `{s}`?"));
                            } else if !known.is_empty() {
                                // a table of 100,000 columns is not listed whole
                                const SHOWN: usize = 20;
                                let more = known.len().saturating_sub(SHOWN);
                                let list = known[..known.len().min(SHOWN)].join(", ");
                                d = d.help(match more {
                                    0 => format!("fields of `{c}`: {list}"),
                                    n => format!("fields of `{c}`: {list} and {n} more"),
                                });
                            }
                            self.diags.push(d);
                            (Ty::Any, deref)
                        }
                    }
                }
            }
            Ty::Any | Ty::Map => (Ty::Any, None),
            Ty::Number if matches!(field.name.as_str(), "min" | "max") => (Ty::Number, None),
            Ty::Date if matches!(field.name.as_str(), "start" | "end") => (Ty::Date, None),
            other => {
                self.diags.push(
                    Diagnostic::error("C0003", format!("a {other} has no fields"))
                        .at(
                            field.span.clone(),
                            format!("field `{}` of a {other}", field.name),
                        )
                        .expected("a record, an id or a map before `.`")
                        .found(format!("a {other}")),
                );
                (Ty::Any, None)
            }
        };
        CExpr {
            kind: CKind::Field {
                base: Box::new(b),
                name: crate::data::intern(&field.name),
                deref,
            },
            ty,
            span,
        }
    }

    fn call(&mut self, f: &ast::Ident, args: &[ast::Expr], span: Span) -> CExpr {
        if let Some(def) = self.g.defs.get(&f.name).copied() {
            if def.params.len() != args.len() {
                for a in args {
                    self.expr(a);
                }
                self.diags.push(
                    arity_error(&f.name, def.params.len(), args.len(), &span)
                        .also(def.name.span.clone(), "defined here"),
                );
                return err_expr(&span);
            }
            let checked: Vec<CExpr> = args.iter().map(|a| self.expr(a)).collect();
            return self.inline_def(def, &checked, &span);
        }
        let table = builtins();
        let Some(sig) = table.iter().find(|b| b.name == f.name) else {
            let names: Vec<String> = table
                .iter()
                .map(|b| b.name.to_string())
                .chain(self.g.defs.keys().cloned())
                .collect();
            let mut d = Diagnostic::error("C0009", format!("unknown function `{}`", f.name))
                .at(f.span.clone(), "not a builtin or a def")
                .expected("a builtin function or a def");
            if let Some(s) = did_you_mean(&f.name, names.iter().map(|s| s.as_str())) {
                d = d.help(format!("did you mean `{s}`?"));
            } else {
                d = d.help(format!("builtins: {}", builtin_names().join(", ")));
            }
            self.diags.push(d);
            for a in args {
                self.expr(a);
            }
            return err_expr(&span);
        };
        let checked: Vec<CExpr> = args.iter().map(|a| self.expr(a)).collect();
        let (fewest, most) = sig.arity();
        if checked.len() < fewest || most.is_some_and(|m| checked.len() > m) {
            self.diags.push(
                builtin_arity_error(sig.name, fewest, most, checked.len(), &span)
                    .expected(sig.usage()),
            );
            return err_expr(&span);
        }
        for (i, a) in checked.iter().enumerate() {
            let p = sig.param(i);
            if !param_accepts(p, &a.ty) {
                self.diags.push(
                    Diagnostic::error("C0006", format!("wrong argument to `{}`", sig.name))
                        .at(a.span.clone(), format!("this is a {}", a.ty))
                        .expected(format!("a {p}"))
                        .found(format!("a {}", a.ty)),
                );
            }
        }
        CExpr {
            ty: sig.ret(&checked),
            kind: CKind::Call(sig.builtin, checked),
            span,
        }
    }

    fn inline_def(&mut self, def: &ast::Def, args: &[CExpr], span: &Span) -> CExpr {
        if self.expanded > self.expansion_limit {
            // said once, where the expansion that grew too large began
            if self.expanded != u64::MAX {
                self.expanded = u64::MAX;
                self.diags.push(self.expansion_error(def, span));
            }
            return err_expr(span);
        }
        if let Some(i) = self.def_stack.iter().position(|(n, _)| *n == def.name.name) {
            let chain: Vec<&str> = self.def_stack[i..]
                .iter()
                .map(|(n, _)| n.as_str())
                .chain([def.name.name.as_str()])
                .collect();
            let mut cycle: Vec<String> =
                self.def_stack[i..].iter().map(|(n, _)| n.clone()).collect();
            cycle.sort();
            if !self.g.cycles.borrow_mut().insert(cycle) {
                return err_expr(span);
            }
            let through = if chain.len() > 2 {
                format!(" through `{}`", chain[1..chain.len() - 1].join("`, `"))
            } else {
                String::new()
            };
            self.diags.push(
                Diagnostic::error(
                    "C0012",
                    format!("`{}` calls itself{through}", def.name.name),
                )
                .at(span.clone(), "recursive call")
                .expected("a def that uses only builtins, constants and other defs")
                .found(if chain.len() > 2 {
                    format!("the chain {}", quoted_chain(&chain))
                } else {
                    format!("`{}` inside its own body", def.name.name)
                })
                .also(def.name.span.clone(), "defined here")
                .help("defs are expanded where they are used, so they cannot recurse"),
            );
            return err_expr(span);
        }
        if self.def_depth >= MAX_DEF_DEPTH {
            self.diags.push(
                Diagnostic::error("C0012", format!("`{}` calls itself", def.name.name))
                    .at(span.clone(), "recursive call")
                    .expected("a def that uses only builtins, constants and other defs")
                    .found(format!("`{}` inside its own body", def.name.name))
                    .also(def.name.span.clone(), "defined here")
                    .help("defs are expanded where they are used, so they cannot recurse"),
            );
            return err_expr(span);
        }
        let mut scope: Vec<(String, Scoped)> =
            vec![("\0def".to_string(), Scoped::Arg(err_expr(span)))];
        for (p, a) in def.params.iter().zip(args) {
            scope.push((p.name.clone(), Scoped::Arg(a.clone())));
        }
        self.scopes.push(scope);
        self.def_depth += 1;
        self.def_stack.push((def.name.name.clone(), span.clone()));
        let body = self.expr(&def.body);
        self.def_stack.pop();
        self.def_depth -= 1;
        self.scopes.pop();
        CExpr {
            span: span.clone(),
            ..body
        }
    }

    /// `C0027`: inlining defs made more than `expansion_limit` nodes; `def` is the
    /// def about to be inlined at `span` when the count passed it.
    fn expansion_error(&self, def: &ast::Def, span: &Span) -> Diagnostic {
        let (outer, at) = self
            .def_stack
            .first()
            .map(|(n, s)| (n.as_str(), s.clone()))
            .unwrap_or((def.name.name.as_str(), span.clone()));
        let mut chain: Vec<&str> = self.def_stack.iter().map(|(n, _)| n.as_str()).collect();
        chain.push(&def.name.name);
        Diagnostic::error(
            "C0027",
            format!(
                "`{outer}` expands to more than {} expression nodes",
                self.expansion_limit
            ),
        )
        .at(at, "inlining this call grows too large")
        .expected(format!(
            "at most {} nodes made by inlining defs in one rule or constant",
            self.expansion_limit
        ))
        .found(format!("more, still growing in the chain {}", quoted_chain(&chain)))
        .also(span.clone(), format!("`{}` was being inlined here", def.name.name))
        .help("every use of a def copies its body, so a def that uses another twice doubles at each level; call each def once per level, or split the condition across rules")
    }

    fn expect_bool(&mut self, e: &CExpr, what: &str) {
        if !matches!(e.ty, Ty::Bool | Ty::Any | Ty::Null) {
            self.type_error(e, "a condition (bool)", what);
        }
    }

    fn type_error(&mut self, e: &CExpr, expected: &str, what: &str) {
        self.diags.push(
            Diagnostic::error("C0004", format!("{what} needs {expected}"))
                .at(e.span.clone(), format!("this is a {}", e.ty))
                .expected(expected.to_string())
                .found(format!("a {}", e.ty)),
        );
    }

    fn mismatch(&mut self, op: BinaryOp, l: &CExpr, r: &CExpr, expected: &str) {
        let mut d = Diagnostic::error(
            "C0004",
            format!(
                "cannot apply `{}` to a {} and a {}",
                op.as_str(),
                l.ty,
                r.ty
            ),
        )
        .at(r.span.clone(), format!("this is a {}", r.ty))
        .also(l.span.clone(), format!("this is a {}", l.ty))
        .expected(expected.to_string())
        .found(format!("a {} and a {}", l.ty, r.ty));
        let num_lit = |e: &CExpr| matches!(e.kind, CKind::Lit(Value::Number(_)));
        if (l.ty == Ty::Date && num_lit(r)) || (r.ty == Ty::Date && num_lit(l)) {
            let n = if num_lit(r) { r } else { l };
            if let CKind::Lit(Value::Number(x)) = &n.kind {
                d = d.help(format!(
                    "date literals start with `@`: write `@{}`",
                    crate::data::value::fmt_number(*x)
                ));
            }
        } else if (l.ty == Ty::Date && r.ty == Ty::Str) || (r.ty == Ty::Date && l.ty == Ty::Str) {
            d = d.help("write a date literal as `@2026-01-07`, or convert with `date(...)`");
        } else if op == BinaryOp::Add && l.ty.is_str() && r.ty.is_str() {
            d = d.help("join strings with `concat(...)`");
        }
        self.diags.push(d);
    }

    fn binary(&mut self, op: BinaryOp, l: CExpr, r: CExpr, span: Span) -> CExpr {
        use BinaryOp::*;
        let any = |t: &Ty| matches!(t, Ty::Any | Ty::Null);
        let ty = match op {
            Or | And => {
                self.expect_bool(&l, &format!("`{}`", op.as_str()));
                self.expect_bool(&r, &format!("`{}`", op.as_str()));
                Ty::Bool
            }
            Eq | Ne => {
                if !l.ty.comparable(&r.ty) {
                    self.mismatch(op, &l, &r, "two values of the same type");
                } else {
                    self.enum_check(&l, &r, op);
                    self.enum_check(&r, &l, op);
                }
                Ty::Bool
            }
            Lt | Le | Gt | Ge => {
                let ok = any(&l.ty)
                    || any(&r.ty)
                    || (l.ty == r.ty && matches!(l.ty, Ty::Number | Ty::Date | Ty::Duration))
                    || (l.ty.is_str() && r.ty.is_str());
                if !ok {
                    self.mismatch(
                        op,
                        &l,
                        &r,
                        "two numbers, two dates, two durations or two strings",
                    );
                }
                Ty::Bool
            }
            EqIgnoreCase | StartsWith | EndsWith => {
                if !(l.ty.is_str() || any(&l.ty)) || !(r.ty.is_str() || any(&r.ty)) {
                    self.mismatch(op, &l, &r, "two strings");
                }
                Ty::Bool
            }
            Contains => {
                let ok = match &l.ty {
                    Ty::List(e) => e.comparable(&r.ty),
                    t if t.is_str() => r.ty.is_str() || any(&r.ty),
                    t => any(t),
                };
                if !ok {
                    self.mismatch(op, &l, &r, "a list and an item, or two strings");
                } else if let Ty::List(_) = &l.ty {
                    self.enum_check(&r, &l, op);
                }
                Ty::Bool
            }
            In | NotIn => {
                let ok = match &r.ty {
                    Ty::List(e) => e.comparable(&l.ty),
                    t if t.is_str() => l.ty.is_str() || any(&l.ty),
                    t => any(t),
                };
                if !ok {
                    self.mismatch(op, &l, &r, "an item and a list, or two strings");
                } else {
                    self.enum_check(&l, &r, op);
                }
                Ty::Bool
            }
            Matches => {
                if !(l.ty.is_str() || any(&l.ty)) {
                    self.type_error(&l, "a string", "`matches`");
                }
                let pattern = match &r.kind {
                    CKind::Lit(Value::Str(p)) => Some(p.to_string()),
                    _ => None,
                };
                match pattern {
                    None => {
                        self.diags.push(
                            Diagnostic::error("C0014", "`matches` needs a string literal pattern")
                                .at(r.span.clone(), "not a literal")
                                .expected("a regular expression in quotes")
                                .found(format!("a {}", r.ty))
                                .help("patterns are compiled before the run, so they must be written out"),
                        );
                    }
                    Some(p) => match regex::RegexBuilder::new(&p).size_limit(1 << 20).build() {
                        Ok(re) => {
                            return CExpr {
                                kind: CKind::Matches(Box::new(l), re),
                                ty: Ty::Bool,
                                span,
                            }
                        }
                        Err(e) => {
                            let msg = e.to_string();
                            let last = msg.lines().last().unwrap_or("").trim().to_string();
                            self.diags.push(
                                Diagnostic::error("C0014", "invalid regular expression")
                                    .at(r.span.clone(), "this pattern")
                                    .expected("a regular expression (Rust regex syntax)")
                                    .found(last),
                            );
                        }
                    },
                }
                Ty::Bool
            }
            Before | After | During => {
                let date = |t: &Ty| matches!(t, Ty::Date | Ty::Any | Ty::Null);
                if !date(&l.ty) || !date(&r.ty) {
                    self.mismatch(op, &l, &r, "two dates");
                }
                Ty::Bool
            }
            Coalesce => {
                // the default stands in for the value: it must be of its type
                if !l.ty.comparable(&r.ty) {
                    self.mismatch(op, &l, &r, "a default of the value's type");
                }
                if any(&l.ty) {
                    r.ty.clone()
                } else {
                    l.ty.clone()
                }
            }
            Add | Sub => match (&l.ty, &r.ty) {
                (Ty::Number, Ty::Number) => Ty::Number,
                (Ty::Date, Ty::Duration) => Ty::Date,
                (Ty::Duration, Ty::Date) if op == Add => Ty::Date,
                (Ty::Duration, Ty::Duration) => Ty::Duration,
                (a, b) if any(a) || any(b) => {
                    if *a == Ty::Date || *b == Ty::Date {
                        Ty::Date
                    } else {
                        Ty::Any
                    }
                }
                _ => {
                    self.mismatch(op, &l, &r, "two numbers, or a date and a duration");
                    Ty::Any
                }
            },
            Mul | Div | Rem => match (&l.ty, &r.ty) {
                (Ty::Number, Ty::Number) => Ty::Number,
                (a, b) if any(a) || any(b) => Ty::Number,
                _ => {
                    self.mismatch(op, &l, &r, "two numbers");
                    Ty::Any
                }
            },
        };
        CExpr {
            kind: CKind::Binary(op, Box::new(l), Box::new(r)),
            ty,
            span,
        }
    }

    /// Warn when a string literal is compared with an enum field it can never equal:
    /// such a comparison never holds, and a rule that needs it never fires.
    fn enum_check(&mut self, field: &CExpr, other: &CExpr, op: BinaryOp) {
        let Some((coll, name, values)) = self.enum_of(field) else {
            return;
        };
        let lits: Vec<(&str, &Span)> = match &other.kind {
            CKind::Lit(Value::Str(s)) => vec![(s, &other.span)],
            CKind::List(items) => items
                .iter()
                .filter_map(|i| match &i.kind {
                    CKind::Lit(Value::Str(s)) => Some((&**s, &i.span)),
                    _ => None,
                })
                .collect(),
            _ => return,
        };
        for (lit, sp) in lits {
            if !values.iter().any(|v| v == lit) {
                let never = matches!(op, BinaryOp::Eq | BinaryOp::In | BinaryOp::Contains);
                let mut d = Diagnostic::warning(
                    "C0011",
                    format!("`{lit}` is not a value of `{coll}.{name}`"),
                )
                .at(
                    sp.clone(),
                    if never {
                        "this comparison can never be true"
                    } else {
                        "this comparison is always true"
                    },
                )
                .expected(format!("one of {}", values.join(", ")))
                .found(format!("`{lit}`"));
                if let Some(s) = did_you_mean(lit, values.iter().map(|s| s.as_str())) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.diags.push(d);
            }
        }
    }

    fn enum_of(&self, e: &CExpr) -> Option<(String, String, Vec<String>)> {
        let CKind::Field { base, name, .. } = &e.kind else {
            return None;
        };
        let coll = base.ty.collection()?;
        let fd = self.g.schema.field(coll, name)?;
        let values = match &fd.ty {
            FieldType::Enum(v) => v.clone(),
            FieldType::List(t) => match &**t {
                FieldType::Enum(v) => v.clone(),
                _ => return None,
            },
            _ => return None,
        };
        Some((coll.to_string(), name.to_string(), values))
    }

    /// Resolve what `var in source` ranges over, and the variable's type.
    fn source(&mut self, src: &ast::Expr) -> (CSource, Ty) {
        // a collection whose name is no identifier (`gdelt-2.0-events`) is named in quotes
        if let ExprKind::Literal(Literal::String(name)) = &src.kind {
            if self.g.schema.collection(name).is_some() {
                return (CSource::Collection(name.clone()), Ty::Record(name.clone()));
            }
            let names: Vec<&str> = self
                .g
                .schema
                .collections
                .keys()
                .map(|s| s.as_str())
                .collect();
            let mut d = Diagnostic::error("C0010", format!("unknown collection `{name}`"))
                .at(src.span.clone(), "no such collection")
                .expected(format!("one of {}", names.join(", ")))
                .found(format!("`{name}`"));
            if let Some(s) = did_you_mean(name, names.iter().copied()) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            self.diags.push(d);
            return (CSource::Collection(name.clone()), Ty::Any);
        }
        if let ExprKind::Name(id) = &src.kind {
            if self.lookup(&id.name).is_none() && !self.g.consts.contains_key(&id.name) {
                if self.g.schema.collection(&id.name).is_some() {
                    return (
                        CSource::Collection(id.name.clone()),
                        Ty::Record(id.name.clone()),
                    );
                }
                let names: Vec<&str> = self
                    .g
                    .schema
                    .collections
                    .keys()
                    .map(|s| s.as_str())
                    .collect();
                let mut d = Diagnostic::error("C0010", format!("unknown collection `{}`", id.name))
                    .at(id.span.clone(), "no such collection")
                    .expected(if names.is_empty() {
                        "a collection of the dataset".to_string()
                    } else {
                        format!("one of {}", names.join(", "))
                    })
                    .found(format!("`{}`", id.name));
                if let Some(s) = did_you_mean(&id.name, names.iter().copied()) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.diags.push(d);
                return (CSource::Collection(id.name.clone()), Ty::Any);
            }
        }
        let e = self.expr(src);
        let (elem, deref) = match &e.ty {
            Ty::List(t) => match &**t {
                Ty::Ref(c) => (Ty::Record(c.clone()), Some(c.clone())),
                t => (t.clone(), None),
            },
            Ty::Any | Ty::Null => (Ty::Any, None),
            other => {
                self.diags.push(
                    Diagnostic::error("C0004", "a variable must range over a collection or a list")
                        .at(e.span.clone(), format!("this is a {other}"))
                        .expected("a collection name or a list")
                        .found(format!("a {other}")),
                );
                (Ty::Any, None)
            }
        };
        (CSource::List { expr: e, deref }, elem)
    }

    fn aggregate(&mut self, a: &ast::Aggregate, span: Span) -> CExpr {
        let (source, var_ty) = self.source(&a.source);
        let var = self.new_var(&a.var, var_ty);
        self.scopes
            .push(vec![(a.var.name.clone(), Scoped::Var(var))]);
        let filter = a.filter.as_ref().map(|f| {
            let f = self.expr(f);
            self.expect_bool(&f, "`where`");
            f
        });
        let value = a.value.as_ref().map(|v| self.expr(v));
        self.scopes.pop();
        let ty = match a.op {
            AggregateOp::Count | AggregateOp::CountDistinct => Ty::Number,
            AggregateOp::Exists => Ty::Bool,
            AggregateOp::All => {
                if let Some(v) = &value {
                    self.expect_bool(v, "`all`");
                }
                Ty::Bool
            }
            AggregateOp::Sum | AggregateOp::Avg => {
                if let Some(v) = &value {
                    if !matches!(v.ty, Ty::Number | Ty::Any | Ty::Null) {
                        self.type_error(v, "a number", &format!("`{}`", a.op.as_str()));
                    }
                }
                Ty::Number
            }
            AggregateOp::Min | AggregateOp::Max => {
                let t = value.as_ref().map(|v| v.ty.clone()).unwrap_or(Ty::Any);
                if !matches!(t, Ty::Number | Ty::Date | Ty::Str | Ty::Any | Ty::Null) {
                    if let Some(v) = &value {
                        self.type_error(
                            v,
                            "a number, a date or a string",
                            &format!("`{}`", a.op.as_str()),
                        );
                    }
                }
                t
            }
        };
        if a.op.takes_value() && value.is_none() {
            self.diags.push(
                Diagnostic::error("C0015", format!("`{}` needs a value", a.op.as_str()))
                    .at(span.clone(), "no value")
                    .found(format!("`{}({} in ...)`", a.op.as_str(), a.var.name))
                    .expected(format!(
                        "`{}(EXPR for {} in ...)`",
                        a.op.as_str(),
                        a.var.name
                    )),
            );
        }
        CExpr {
            kind: CKind::Aggregate(Box::new(CAggregate {
                op: a.op,
                var,
                source,
                filter,
                value,
            })),
            ty,
            span,
        }
    }
}

fn meta_text(e: &ast::Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Literal(Literal::String(s)) => Some(s.clone()),
        ExprKind::Literal(l) => Some(literal_value(l).to_string()),
        ExprKind::List(items) => items
            .iter()
            .map(meta_text)
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join("\n")),
        _ => None,
    }
}

/// A field path rooted at a variable (`a.fatalities`, `s.actor.name`), as a key.
fn path_key(e: &CExpr) -> Option<String> {
    match &e.kind {
        CKind::Var(v) => Some(format!("#{v}")),
        CKind::Field { base, name, .. } => Some(format!("{}.{name}", path_key(base)?)),
        _ => None,
    }
}

/// Two top-level conjuncts that cannot both hold for the same field: `x.n > 5 and
/// x.n < 3`, `x.kind == "a" and x.kind == "b"`. Such a rule can never give a certain
/// finding (only possible ones, where the field is missing or a range).
fn contradiction(rule: &str, cond: &CExpr) -> Option<Diagnostic> {
    use BinaryOp::*;
    let mut parts = Vec::new();
    super::ir::conjuncts(cond, &mut parts);
    // per field path: tightest lower and upper bounds, and an exact string, each with
    // the span of the conjunct that set it
    type Bound = (f64, bool, Span);
    let mut lo: HashMap<String, Bound> = HashMap::new();
    let mut hi: HashMap<String, Bound> = HashMap::new();
    let mut exact: HashMap<String, (String, Span)> = HashMap::new();
    for p in &parts {
        let CKind::Binary(op, l, r) = &p.kind else {
            continue;
        };
        let (path, lit, op) = match (path_key(l), path_key(r), &l.kind, &r.kind) {
            (Some(k), _, _, CKind::Lit(v)) => (k, v, *op),
            (_, Some(k), CKind::Lit(v), _) => {
                let flipped = match op {
                    Lt => Gt,
                    Le => Ge,
                    Gt => Lt,
                    Ge => Le,
                    o => *o,
                };
                (k, v, flipped)
            }
            _ => continue,
        };
        let clash = |first: &Span| {
            Diagnostic::warning(
                "C0011",
                format!("rule `{rule}` can never give a certain finding"),
            )
            .at(p.span.clone(), "cannot hold together with")
            .also(first.clone(), "this condition")
            .expected("conditions on one field that can all hold")
            .found("two that contradict each other")
            .help("the rule can fire only as possible, where the field is missing or a range")
        };
        match (lit, op) {
            (Value::Str(s), Eq) => {
                if let Some((prev, sp)) = exact.get(&path) {
                    if prev != &**s {
                        return Some(clash(sp));
                    }
                }
                exact.insert(path, (s.to_string(), p.span.clone()));
            }
            (Value::Number(n), Lt | Le | Gt | Ge | Eq) => {
                let n = *n;
                if matches!(op, Gt | Ge | Eq) {
                    let strict = op == Gt;
                    let tighter = lo
                        .get(&path)
                        .is_none_or(|(m, s, _)| n > *m || (n == *m && strict && !s));
                    if tighter {
                        lo.insert(path.clone(), (n, strict, p.span.clone()));
                    }
                }
                if matches!(op, Lt | Le | Eq) {
                    let strict = op == Lt;
                    let tighter = hi
                        .get(&path)
                        .is_none_or(|(m, s, _)| n < *m || (n == *m && strict && !s));
                    if tighter {
                        hi.insert(path.clone(), (n, strict, p.span.clone()));
                    }
                }
                if let (Some((a, sa, spa)), Some((b, sb, spb))) = (lo.get(&path), hi.get(&path)) {
                    if a > b || (a == b && (*sa || *sb)) {
                        let first = if spa.start < spb.start { spa } else { spb };
                        return Some(clash(first));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// `a` → `b` → `a`, for messages about chains of defs.
fn quoted_chain(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// A builtin or def called with the wrong number of arguments.
fn arity_error(name: &str, wanted: usize, given: usize, span: &Span) -> Diagnostic {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    Diagnostic::error(
        "C0006",
        format!("`{name}` takes {wanted} argument{}", plural(wanted)),
    )
    .at(span.clone(), format!("{given} given"))
    .expected(format!("{wanted} argument{}", plural(wanted)))
    .found(format!("{given} argument{}", plural(given)))
}

/// A builtin called with too few or too many arguments; the message is the one of
/// `arity_error` when the builtin takes a fixed number.
fn builtin_arity_error(
    name: &str,
    fewest: usize,
    most: Option<usize>,
    given: usize,
    span: &Span,
) -> Diagnostic {
    if most == Some(fewest) {
        return arity_error(name, fewest, given, span);
    }
    let wanted = match most {
        Some(m) if m == fewest + 1 => format!("{fewest} or {m} arguments"),
        Some(m) => format!("{fewest} to {m} arguments"),
        None => format!("at least {fewest} arguments"),
    };
    let plural = if given == 1 { "" } else { "s" };
    Diagnostic::error("C0006", format!("`{name}` takes {wanted}"))
        .at(span.clone(), format!("{given} given"))
        .expected(wanted)
        .found(format!("{given} argument{plural}"))
}

fn defined_twice(name: &ast::Ident, first: &Span) -> Diagnostic {
    Diagnostic::error("C0016", format!("`{}` is defined twice", name.name))
        .at(name.span.clone(), "defined again here")
        .expected("one definition per name")
        .help("rename one of them, or remove the duplicate")
        .also(first.clone(), "first defined here")
}

/// Check a suite (all files, includes already followed, in order) against a schema.
/// Returns the checked suite and every diagnostic; the suite must not run when any
/// diagnostic is an error.
pub fn check(files: &[ast::File], schema: &Schema) -> (Suite, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut consts_ast: Vec<&ast::Const> = Vec::new();
    let mut defs: HashMap<String, &ast::Def> = HashMap::new();
    let mut rules_ast: Vec<&ast::Rule> = Vec::new();
    let mut seen_names: HashMap<String, Span> = HashMap::new();
    for f in files {
        for item in &f.items {
            match item {
                ast::Item::Include(_) => {}
                ast::Item::Const(c) => {
                    if let Some(prev) = seen_names.get(&c.name.name) {
                        diags.push(defined_twice(&c.name, prev));
                        continue;
                    }
                    seen_names.insert(c.name.name.clone(), c.name.span.clone());
                    consts_ast.push(c);
                }
                ast::Item::Def(d) => {
                    if let Some(prev) = seen_names.get(&d.name.name) {
                        diags.push(defined_twice(&d.name, prev));
                        continue;
                    }
                    if builtin_names().contains(&d.name.name.as_str()) {
                        diags.push(
                            Diagnostic::error(
                                "C0016",
                                format!("`{}` is a builtin function", d.name.name),
                            )
                            .at(d.name.span.clone(), "shadows a builtin")
                            .help("choose another name"),
                        );
                        continue;
                    }
                    seen_names.insert(d.name.name.clone(), d.name.span.clone());
                    defs.insert(d.name.name.clone(), d);
                }
                ast::Item::Rule(r) => rules_ast.push(r),
            }
        }
    }

    let mut g = Globals {
        schema,
        consts: HashMap::new(),
        defs,
        cycles: Default::default(),
    };
    // constants, in order: each sees the ones above it
    let mut consts = Vec::new();
    for (i, c) in consts_ast.iter().enumerate() {
        let expr = {
            let mut cx = Cx::new(&g, &mut diags);
            cx.const_limit = i;
            cx.expr(&c.value)
        };
        if !expr.vars().is_empty() {
            diags.push(
                Diagnostic::error(
                    "C0017",
                    format!("constant `{}` is not constant", c.name.name),
                )
                .at(c.value.span.clone(), "depends on a variable")
                .expected("literals, other constants and arithmetic"),
            );
        }
        g.consts.insert(c.name.name.clone(), (i, expr.ty.clone()));
        consts.push(CConst {
            name: c.name.name.clone(),
            doc: c.doc.clone(),
            expr,
            span: c.name.span.clone(),
        });
    }
    // def bodies: report unknown names even in unused defs, within one expansion
    // budget for them all (past it, defs are checked at their uses only)
    let mut def_names: Vec<&String> = g.defs.keys().collect();
    def_names.sort();
    let mut pass_left = 10 * MAX_EXPANSION;
    for name in def_names {
        let def = g.defs[name];
        let mut scratch = Vec::new();
        let mut cx = Cx::new(&g, &mut scratch);
        cx.expansion_limit = pass_left.min(MAX_EXPANSION);
        let args: Vec<CExpr> = def
            .params
            .iter()
            .map(|p| CExpr {
                kind: CKind::Lit(Value::Null),
                ty: Ty::Any,
                span: p.span.clone(),
            })
            .collect();
        cx.inline_def(def, &args, &def.name.span);
        pass_left = pass_left.saturating_sub(cx.expanded);
        // keep only name errors: types depend on the arguments at each call
        diags.extend(
            scratch
                .into_iter()
                .filter(|d| matches!(d.code.as_str(), "C0001" | "C0009" | "C0010" | "C0012")),
        );
    }

    let mut rules = Vec::new();
    let mut seen_rules: BTreeMap<String, Span> = BTreeMap::new();
    for r in &rules_ast {
        if let Some(prev) = seen_rules.get(&r.id.name) {
            diags.push(
                Diagnostic::error("C0016", format!("rule `{}` is defined twice", r.id.name))
                    .at(r.id.span.clone(), "defined again here")
                    .expected("a rule id not used before")
                    .found(format!("a second rule `{}`", r.id.name))
                    .also(prev.clone(), "first defined here")
                    .help("rule ids must be unique across the suite"),
            );
            continue;
        }
        seen_rules.insert(r.id.name.clone(), r.id.span.clone());
        rules.push(check_rule(r, &g, &mut diags));
    }
    // rules that duplicate each other: same bindings and condition (spans ignored).
    // Rules are bucketed by their canonical text, so only likely twins are compared
    // (60,000 rules compared pairwise took minutes); each is said to duplicate the
    // first rule it repeats.
    let mut twins: HashMap<String, Vec<&ast::Rule>> = HashMap::new();
    for b in rules_ast.iter().filter(|r| !r.bindings.is_empty()) {
        let bucket = twins.entry(duplicate_key(b)).or_default();
        let first = bucket.iter().find(|a| {
            a.id.name != b.id.name
                && a.bindings == b.bindings
                && a.condition == b.condition
                && a.group == b.group
                && a.verdict == b.verdict
        });
        let Some(a) = first else {
            bucket.push(b);
            continue;
        };
        {
            {
                diags.push(
                    Diagnostic::warning(
                        "C0013",
                        format!("rule `{}` duplicates rule `{}`", b.id.name, a.id.name),
                    )
                    .at(b.id.span.clone(), "same bindings and condition")
                    .also(a.id.span.clone(), "as this rule")
                    .help("every finding would be reported twice; remove one or make them differ"),
                );
            }
        }
    }
    crate::diag::diagnostic::sort(&mut diags);
    // a def's body is checked alone and again where it is used: say each thing once
    diags.dedup_by(|a, b| a.sort_key() == b.sort_key() && a.level == b.level);
    (
        Suite {
            consts,
            rules,
            support: Vec::new(),
        },
        diags,
    )
}

/// A rule's bindings, condition and grouping as canonical text: rules equal but for
/// their spans have the same key (other rules may share one; they are compared).
fn duplicate_key(r: &ast::Rule) -> String {
    use crate::syntax::canonical_expr as expr;
    let mut key = String::new();
    for b in &r.bindings {
        key.push_str(&b.var.name);
        key.push(' ');
        key.push_str(&expr(&b.source));
        key.push('\n');
    }
    if let Some(c) = &r.condition {
        key.push_str(&expr(c));
    }
    if let Some(g) = &r.group {
        for k in &g.keys {
            key.push('\n');
            key.push_str(&expr(k));
        }
    }
    key
}

fn check_rule(r: &ast::Rule, g: &Globals, diags: &mut Vec<Diagnostic>) -> CRule {
    let mut cx = Cx::new(g, diags);
    let mut bindings = Vec::new();
    let mut seen: HashMap<String, Span> = HashMap::new();
    for b in &r.bindings {
        if let Some(prev) = seen.get(&b.var.name) {
            cx.diags.push(
                Diagnostic::error("C0016", format!("variable `{}` is bound twice", b.var.name))
                    .at(b.var.span.clone(), "bound again here")
                    .expected("a new variable name")
                    .help("give each binding its own name")
                    .also(prev.clone(), "first bound here"),
            );
        }
        seen.insert(b.var.name.clone(), b.var.span.clone());
        let (source, ty) = cx.source(&b.source);
        let var = cx.new_var(&b.var, ty);
        cx.scopes[0].push((b.var.name.clone(), Scoped::Var(var)));
        bindings.push(CBinding {
            var,
            source,
            span: b.span.clone(),
        });
    }
    if r.bindings.len() > 64 {
        cx.diags.push(
            Diagnostic::error("C0018", "a rule may bind at most 64 variables")
                .at(r.id.span.clone(), format!("{} bindings", r.bindings.len())),
        );
    }
    let condition = r.condition.as_ref().map(|c| {
        let e = cx.expr(c);
        cx.expect_bool(&e, "`where`");
        e
    });
    let message = match &r.message {
        Some(m) => m
            .parts
            .iter()
            .map(|p| match p {
                ast::MessagePart::Text(t) => CMessagePart::Text(t.clone()),
                ast::MessagePart::Expr(e) => CMessagePart::Expr(cx.expr(e)),
                ast::MessagePart::Count(span) => {
                    if r.group.is_none() {
                        cx.diags.push(
                            Diagnostic::error(
                                "C0026",
                                "`{count}` in the message of a rule without `group by`",
                            )
                            .at(span.clone(), "counts the bindings of a group")
                            .expected("a `group by` clause in this rule")
                            .found("a rule that reports each binding on its own")
                            .help("add `group by` with the keys to report once per key, or drop `{count}` (it would always be 1)"),
                        );
                    }
                    CMessagePart::Count
                }
            })
            .collect(),
        None => vec![CMessagePart::Text(r.id.name.clone())],
    };
    let group = r.group.as_ref().map(|g| CGroup {
        keys: g
            .keys
            .iter()
            .map(|k| group_key(&mut cx, k, &bindings))
            .collect(),
        span: g.span.clone(),
    });
    let verdict = r
        .verdict
        .as_ref()
        .and_then(|v| match cx.lookup(&v.claim.name) {
            Some(Scoped::Var(var)) if bindings.iter().any(|b| b.var == var) => {
                cx.used[var] = true;
                if !matches!(cx.vars[var].ty, Ty::Record(_)) {
                    cx.diags.push(
                        Diagnostic::error(
                            "C0019",
                            "a verdict must name a variable bound to records",
                        )
                        .at(
                            v.claim.span.clone(),
                            format!("`{}` is a {}", v.claim.name, cx.vars[var].ty),
                        )
                        .expected("a variable bound by `for c in claims`"),
                    );
                }
                Some((v.kind.value, var))
            }
            _ => {
                let names: Vec<String> = r.bindings.iter().map(|b| b.var.name.clone()).collect();
                let mut d = Diagnostic::error(
                    "C0019",
                    format!("`{}` is not bound by this rule", v.claim.name),
                )
                .at(v.claim.span.clone(), "not a binding of this rule")
                .expected("a variable bound by `for`");
                if let Some(s) = did_you_mean(&v.claim.name, names.iter().map(|s| s.as_str())) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                cx.diags.push(d);
                None
            }
        });
    if let (Some(g), Some(v), Some((_, claim))) = (&r.group, &r.verdict, verdict) {
        let by_claim = group
            .iter()
            .flat_map(|g| &g.keys)
            .any(|k| matches!(k.kind, CKind::Var(x) if x == claim));
        if !by_claim {
            let name = &v.claim.name;
            cx.diags.push(
                Diagnostic::error(
                    "C0024",
                    format!("a verdict rule must be grouped by its claim `{name}`"),
                )
                .at(g.span.clone(), format!("does not group by `{name}`"))
                .expected(format!("`{name}` among the keys, e.g. `group by {name}`"))
                .also(v.claim.span.clone(), "the verdict is on this claim")
                .help(format!(
                    "a grouped finding gives one verdict on one claim: add `{name}` to the keys"
                )),
            );
        }
    }
    // a lone binding is the finding's evidence even when nothing else names it
    for b in bindings.iter().filter(|_| bindings.len() > 1) {
        if !cx.used[b.var] && !cx.vars[b.var].name.starts_with('_') {
            let name = cx.vars[b.var].name.clone();
            cx.diags.push(
                Diagnostic::warning("C0021", format!("variable `{name}` is never used"))
                    .at(cx.vars[b.var].span.clone(), "bound but unused")
                    .expected(format!("`{name}` in the condition, the message or the verdict"))
                    .found("no use")
                    .help(format!(
                        "an unused binding repeats every finding once per record; remove it, or name it `_{name}` if that is intended"
                    )),
            );
        }
    }
    if let Some(c) = &condition {
        if let CKind::Lit(Value::Bool(false)) = c.kind {
            cx.diags.push(
                Diagnostic::warning("C0011", format!("rule `{}` can never fire", r.id.name))
                    .at(c.span.clone(), "always false"),
            );
        }
        if let Some(d) = contradiction(&r.id.name, c) {
            cx.diags.push(d);
        }
    }
    let mut meta = BTreeMap::new();
    for (k, v) in &r.meta {
        match meta_text(v) {
            Some(t) => {
                meta.insert(k.name.clone(), t);
            }
            None => cx.diags.push(
                Diagnostic::error("C0022", format!("metadata `{}` must be a literal", k.name))
                    .at(v.span.clone(), "not a literal")
                    .expected("a string, a number, or a list of strings"),
            ),
        }
    }
    let info = RuleInfo {
        id: r.id.name.clone(),
        severity: r
            .severity
            .as_ref()
            .map(|s| s.value)
            .unwrap_or(ast::Severity::Warning),
        doc: r.doc.clone(),
        tags: r.tags.iter().map(|t| t.value.clone()).collect(),
        meta,
        verdict: r.verdict.as_ref().map(|v| v.kind.value),
        span: r.id.span.clone(),
    };
    let vars = std::mem::take(&mut cx.vars);
    let rule = CRule {
        info,
        vars,
        bindings,
        condition,
        message,
        group,
        verdict,
    };
    // verdicts are read after the rules that give them have run: a rule that gives one
    // cannot read them, or it would depend on itself
    if let Some(v) = &r.verdict {
        let mut at = None;
        rule.walk(&mut |e| {
            if at.is_none() && matches!(e.kind, CKind::Call(Builtin::Verdict, _)) {
                at = Some(e.span.clone());
            }
        });
        if let Some(at) = at {
            cx.diags.push(
                Diagnostic::error("C0028", "a verdict rule cannot read verdicts")
                    .at(v.claim.span.clone(), "this rule gives a verdict")
                    .also(at, "reads verdicts here")
                    .expected("`verdict_of()` only in rules without `verdict:`")
                    .found("`verdict_of()` in a verdict rule")
                    .help("split the rule: verdicts come from the rules that give them, and rules that read them run after those"),
            );
        }
    }
    rule
}

/// A `group by` key: any value of the binding (keys compare with `==`); a key that
/// mentions no variable of the rule is the same for every binding, so it is useless.
fn group_key(cx: &mut Cx, k: &ast::Expr, bindings: &[CBinding]) -> CExpr {
    let before = cx.diags.len();
    let e = cx.expr(k);
    let vars = e.vars();
    let bound = bindings.iter().any(|b| vars.contains(&b.var));
    // a key already in error says nothing more
    if !bound && cx.diags.len() == before {
        cx.diags.push(
            Diagnostic::warning("C0025", "a `group by` key that depends on no binding")
                .at(e.span.clone(), "the same for every binding")
                .expected("a key over the variables bound by `for`, e.g. `a.actor`")
                .help("such a key puts every binding in one group; remove it"),
        );
    }
    e
}
