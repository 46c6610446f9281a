//! The typed rule tree the checker produces and the planner and evaluators consume:
//! names resolved to variables, constants and collections; defs inlined; every node typed.

use crate::diag::{Severity, Span, VerdictKind};
use crate::syntax::ast::{AggregateOp, BinaryOp, UnaryOp};
use std::collections::BTreeMap;
use std::fmt;

/// The static type of an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    /// Not known statically (a fact's `value`, a map's field): checked at run time.
    Any,
    Bool,
    Number,
    Str,
    Date,
    Duration,
    Null,
    List(Box<Ty>),
    /// A record of the named collection (a variable bound to a collection).
    Record(String),
    /// The id of a record of the named collection: a string that field access follows.
    Ref(String),
    Map,
}

impl Ty {
    /// Whether values of the two types can be compared for equality.
    pub fn comparable(&self, other: &Ty) -> bool {
        use Ty::*;
        match (self, other) {
            (Any, _) | (_, Any) | (Null, _) | (_, Null) => true,
            (Str | Ref(_), Str | Ref(_)) => true,
            (Record(a), Record(b)) => a == b,
            (Record(a), Ref(b)) | (Ref(b), Record(a)) => a == b,
            (Record(_), Str) | (Str, Record(_)) => true,
            (List(a), List(b)) => a.comparable(b),
            (a, b) => a == b,
        }
    }

    /// The type of a run-time value.
    pub fn from_value(v: &crate::data::Value) -> Ty {
        use crate::data::Value;
        match v {
            Value::Null => Ty::Null,
            Value::Bool(_) => Ty::Bool,
            Value::Number(_) | Value::Range { .. } => Ty::Number,
            Value::Str(_) => Ty::Str,
            Value::Time(_) => Ty::Date,
            Value::Duration(_) => Ty::Duration,
            Value::List(items) => Ty::List(Box::new(
                items.first().map(Ty::from_value).unwrap_or(Ty::Any),
            )),
            Value::Map(_) => Ty::Map,
        }
    }

    /// Whether the type is string-like (strings and ids).
    pub fn is_str(&self) -> bool {
        matches!(self, Ty::Str | Ty::Ref(_) | Ty::Any)
    }

    /// The record collection a value of this type leads to by field access.
    pub fn collection(&self) -> Option<&str> {
        match self {
            Ty::Record(c) | Ty::Ref(c) => Some(c),
            _ => None,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Any => f.write_str("any"),
            Ty::Bool => f.write_str("bool"),
            Ty::Number => f.write_str("number"),
            Ty::Str => f.write_str("string"),
            Ty::Date => f.write_str("date"),
            Ty::Duration => f.write_str("duration"),
            Ty::Null => f.write_str("null"),
            Ty::List(t) => write!(f, "list of {t}"),
            Ty::Record(c) => write!(f, "record of `{c}`"),
            Ty::Ref(c) => write!(f, "id of `{c}`"),
            Ty::Map => f.write_str("map"),
        }
    }
}

/// Index of a variable in a rule's variable table.
pub type VarId = usize;

#[derive(Clone, Debug)]
pub struct VarInfo {
    pub name: String,
    pub ty: Ty,
    pub span: Span,
}

/// Builtin functions, in one table (see `check::builtins`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    Lower,
    Upper,
    Trim,
    Len,
    Year,
    Start,
    End,
    Abs,
    Lo,
    Hi,
    Date,
    IsPrecise,
    Days,
    Slice,
    At,
    Concat,
    Split,
    /// The source at the end of a source's `derived_from` chain (reads the dataset).
    Origin,
    /// The actor at the top of a source's ownership (reads the dataset).
    Owner,
    /// The text of a file a `file` field names, as the loader read it.
    Text,
    /// Whether a quote appears in a text, whitespace, quotes and case normalised.
    QuotedIn,
    /// A claim's verdict in this run (reads the verdicts of the rules that give them).
    Verdict,
}

#[derive(Clone, Debug)]
pub struct CExpr {
    pub kind: CKind,
    pub ty: Ty,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum CKind {
    Lit(crate::data::Value),
    Var(VarId),
    /// A suite constant, by index in `Suite::consts`.
    Const(usize),
    /// `base.name`; when the base is an id (`Ty::Ref`), the record is looked up first.
    Field {
        base: Box<CExpr>,
        name: std::sync::Arc<str>,
        deref: Option<String>,
    },
    Call(Builtin, Vec<CExpr>),
    List(Vec<CExpr>),
    Unary(UnaryOp, Box<CExpr>),
    Binary(BinaryOp, Box<CExpr>, Box<CExpr>),
    /// `matches` with its pattern compiled at check time.
    Matches(Box<CExpr>, regex::Regex),
    Within {
        lhs: Box<CExpr>,
        window: Box<CExpr>,
        rhs: Box<CExpr>,
    },
    Missing {
        expr: Box<CExpr>,
        negated: bool,
    },
    Aggregate(Box<CAggregate>),
}

#[derive(Clone, Debug)]
pub struct CAggregate {
    pub op: AggregateOp,
    pub var: VarId,
    pub source: CSource,
    pub filter: Option<CExpr>,
    pub value: Option<CExpr>,
}

/// What a variable ranges over.
#[derive(Clone, Debug)]
pub enum CSource {
    /// Every record of a collection.
    Collection(String),
    /// The elements of a list; ids are followed into `deref`'s collection.
    List { expr: CExpr, deref: Option<String> },
}

#[derive(Clone, Debug)]
pub struct CBinding {
    pub var: VarId,
    pub source: CSource,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum CMessagePart {
    Text(String),
    Expr(CExpr),
    /// `{count}`: the number of bindings a grouped finding stands for.
    Count,
}

/// `group by k1, k2`: one finding per distinct tuple of key values.
#[derive(Clone, Debug)]
pub struct CGroup {
    pub keys: Vec<CExpr>,
    pub span: Span,
}

/// A checked rule, ready to plan.
#[derive(Clone, Debug)]
pub struct CRule {
    pub info: RuleInfo,
    pub vars: Vec<VarInfo>,
    pub bindings: Vec<CBinding>,
    pub condition: Option<CExpr>,
    pub message: Vec<CMessagePart>,
    /// `group by ...`: findings are merged per key.
    pub group: Option<CGroup>,
    pub verdict: Option<(VerdictKind, VarId)>,
}

impl CRule {
    /// Every expression of the rule: what its bindings range over, its condition, its
    /// message and its `group by` keys.
    pub fn walk(&self, f: &mut dyn FnMut(&CExpr)) {
        for b in &self.bindings {
            if let CSource::List { expr, .. } = &b.source {
                expr.walk(f);
            }
        }
        if let Some(c) = &self.condition {
            c.walk(f);
        }
        for m in &self.message {
            if let CMessagePart::Expr(e) = m {
                e.walk(f);
            }
        }
        for k in self.group.iter().flat_map(|g| &g.keys) {
            k.walk(f);
        }
    }

    /// Whether the rule reads claims' verdicts (`verdict_of()`), so runs after the rules
    /// that give them.
    pub fn reads_verdicts(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(e.kind, CKind::Call(Builtin::Verdict, _)));
        found
    }
}

/// A named constant of the suite.
#[derive(Clone, Debug)]
pub struct CConst {
    pub name: String,
    pub doc: Option<String>,
    pub expr: CExpr,
    pub span: Span,
}

/// A checked rule suite.
#[derive(Clone, Debug, Default)]
pub struct Suite {
    pub consts: Vec<CConst>,
    pub rules: Vec<CRule>,
    /// The verdict rules that `keep` left out (`--rule`, `--tag`, a rule test's
    /// rules): not reported, but run when a kept rule reads verdicts (`verdict_of`),
    /// so the verdicts it reads are the whole suite's.
    pub support: Vec<CRule>,
}

impl Suite {
    /// Keep the rules for which `keep` holds; the verdict rules left out stay in
    /// `support`.
    pub fn keep(&mut self, keep: impl Fn(&CRule) -> bool) {
        let (kept, left): (Vec<CRule>, Vec<CRule>) = std::mem::take(&mut self.rules)
            .into_iter()
            .partition(|r| keep(r));
        self.rules = kept;
        self.support
            .extend(left.into_iter().filter(|r| r.verdict.is_some()));
    }
}

impl CExpr {
    /// Visit this expression and every sub-expression.
    pub fn walk(&self, f: &mut dyn FnMut(&CExpr)) {
        f(self);
        match &self.kind {
            CKind::Lit(_) | CKind::Var(_) | CKind::Const(_) => {}
            CKind::Field { base, .. } => base.walk(f),
            CKind::Call(_, args) | CKind::List(args) => args.iter().for_each(|a| a.walk(f)),
            CKind::Unary(_, e) => e.walk(f),
            CKind::Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            CKind::Matches(e, _) => e.walk(f),
            CKind::Within { lhs, window, rhs } => {
                lhs.walk(f);
                window.walk(f);
                rhs.walk(f);
            }
            CKind::Missing { expr, .. } => expr.walk(f),
            CKind::Aggregate(a) => {
                if let CSource::List { expr, .. } = &a.source {
                    expr.walk(f);
                }
                if let Some(e) = &a.filter {
                    e.walk(f);
                }
                if let Some(e) = &a.value {
                    e.walk(f);
                }
            }
        }
    }

    /// The variables this expression mentions (aggregate-local ones included).
    pub fn vars(&self) -> Vec<VarId> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let CKind::Var(v) = e.kind {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        });
        out
    }
}

/// What reports need to know about a rule besides its findings.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleInfo {
    pub id: String,
    pub severity: Severity,
    /// The rule's doc comment; its first line is the short description.
    pub doc: Option<String>,
    pub tags: Vec<String>,
    /// `meta: {...}` entries rendered as text (`references` lists joined by newlines).
    pub meta: BTreeMap<String, String>,
    pub verdict: Option<VerdictKind>,
    /// Where the rule is defined.
    pub span: Span,
}

impl RuleInfo {
    /// The first sentence of the doc comment (or the rule id without one).
    pub fn short_description(&self) -> String {
        let Some(doc) = self.doc.as_deref() else {
            return self.id.clone();
        };
        let para: Vec<&str> = doc
            .lines()
            .map(str::trim)
            .take_while(|l| !l.is_empty())
            .collect();
        let text = para.join(" ");
        match text.find(". ") {
            Some(i) => text[..=i].to_string(),
            None => text,
        }
    }
}

/// Split a condition at its top-level `and`s.
pub fn conjuncts(e: &CExpr, out: &mut Vec<CExpr>) {
    match &e.kind {
        CKind::Binary(BinaryOp::And, a, b) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        _ => out.push(e.clone()),
    }
}
