//! The abstract syntax tree of rule files. Every node carries its span; spans take no
//! part in equality (see `Span`), so a reformatted file parses to an equal tree.

use crate::diag::span::Span;
pub use crate::diag::{Severity, VerdictKind};

/// A parsed rule file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
    /// Comments that are not doc comments, kept for the formatter, in source order.
    pub comments: Vec<Comment>,
    pub span: Span,
}

/// A `# ...` comment (not a doc comment). Ignored by equality-sensitive consumers
/// other than the formatter.
#[derive(Clone, Debug)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}
impl PartialEq for Comment {
    fn eq(&self, _: &Comment) -> bool {
        true
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Include(Include),
    Const(Const),
    Def(Def),
    Rule(Rule),
}

/// An identifier with its span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `include "other.rules"`: the path is relative to the including file.
#[derive(Clone, Debug, PartialEq)]
pub struct Include {
    pub path: String,
    pub span: Span,
}

/// `const window = 20 years`: a named constant, overridable with `--set window=...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Const {
    pub doc: Option<String>,
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `def violates(p, a) = a.kind in p.violated_by`: a named predicate or function.
#[derive(Clone, Debug, PartialEq)]
pub struct Def {
    pub doc: Option<String>,
    pub name: Ident,
    pub params: Vec<Ident>,
    pub body: Expr,
    pub span: Span,
}

/// A value with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A rule:
///
/// ```text
/// ## doc comment
/// rule principle-contradicted {
///   severity: warning
///   message: "{s.actor.name} invoked {p.name} ..."
///   tags: [sovereignty]
///   meta: { references: ["https://..."] }
///   for s in statements, a in actions
///   where a.actor == s.actor and ...
///   group by a.actor
///   verdict: refuted for c
/// }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// The text of the `##` doc comments before the rule, lines joined with `\n`.
    pub doc: Option<String>,
    /// Rule ids may contain letters, digits, `_`, `-` and `.`.
    pub id: Ident,
    pub severity: Option<Spanned<Severity>>,
    pub message: Option<Message>,
    pub tags: Vec<Spanned<String>>,
    /// Free metadata: `meta: { description: "...", references: ["..."] }`.
    pub meta: Vec<(Ident, Expr)>,
    /// `for x in C, y in D`: the bindings, in order.
    pub bindings: Vec<Binding>,
    /// `where ...`.
    pub condition: Option<Expr>,
    /// `group by a.actor, a.target`: one finding per distinct key.
    pub group: Option<GroupBy>,
    /// `verdict: refuted for c`.
    pub verdict: Option<Verdict>,
    pub span: Span,
}

/// `x in source`: the source is a collection name or any expression giving a list.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub var: Ident,
    pub source: Expr,
    pub span: Span,
}

/// A message with `{expr}` interpolations; `{{` and `}}` stand for braces.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub parts: Vec<MessagePart>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MessagePart {
    Text(String),
    Expr(Expr),
    /// `{count}`: the number of bindings a finding of a grouped rule stands for.
    Count(Span),
}

/// `group by k1, k2`: the rule reports one finding per distinct tuple of key values,
/// with the evidence of every binding that has it.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupBy {
    pub keys: Vec<Expr>,
    pub span: Span,
}

/// `verdict: refuted for c`: the rule's findings give this verdict on the claim bound to `c`.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub kind: Spanned<VerdictKind>,
    pub claim: Ident,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// A variable, a constant, a def without arguments, or a collection name.
    Name(Ident),
    /// `e.field`.
    Field(Box<Expr>, Ident),
    /// `f(a, b)`: a builtin or a def.
    Call(Ident, Vec<Expr>),
    /// `[a, b, c]`.
    List(Vec<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a within 20 years of b`: |a - b| <= duration.
    Within {
        lhs: Box<Expr>,
        window: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `e is missing` (negated: `e is present`).
    Missing {
        expr: Box<Expr>,
        negated: bool,
    },
    /// `count(x in C where F)`, `exists(x in C where F)`, `all(P for x in C where F)`,
    /// `sum(E for x in C where F)`, `min`, `max`, `avg`, `count_distinct(E for x in C where F)`.
    Aggregate(Box<Aggregate>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    pub op: AggregateOp,
    /// The per-element expression: the value summed, the predicate of `all`, the key
    /// of `count_distinct`. `None` for `count` and `exists`.
    pub value: Option<Expr>,
    pub var: Ident,
    pub source: Expr,
    pub filter: Option<Expr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggregateOp {
    Count,
    CountDistinct,
    Exists,
    All,
    Sum,
    Min,
    Max,
    Avg,
}

impl AggregateOp {
    pub fn as_str(self) -> &'static str {
        match self {
            AggregateOp::Count => "count",
            AggregateOp::CountDistinct => "count_distinct",
            AggregateOp::Exists => "exists",
            AggregateOp::All => "all",
            AggregateOp::Sum => "sum",
            AggregateOp::Min => "min",
            AggregateOp::Max => "max",
            AggregateOp::Avg => "avg",
        }
    }
    /// Whether the aggregate takes a per-element value (`E for x in ...`).
    pub fn takes_value(self) -> bool {
        !matches!(self, AggregateOp::Count | AggregateOp::Exists)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `~=`: case-insensitive equality of strings.
    EqIgnoreCase,
    In,
    NotIn,
    Contains,
    /// `starts with`
    StartsWith,
    /// `ends with`
    EndsWith,
    /// `matches "regex"` (linear-time engine).
    Matches,
    Before,
    After,
    /// `a during b`: a lies within b.
    During,
    /// `a ?? b`: `a`, or `b` where `a` is missing.
    Coalesce,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinaryOp {
    /// The operator as written in rule text.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::EqIgnoreCase => "~=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Contains => "contains",
            BinaryOp::StartsWith => "starts with",
            BinaryOp::EndsWith => "ends with",
            BinaryOp::Matches => "matches",
            BinaryOp::Before => "before",
            BinaryOp::After => "after",
            BinaryOp::During => "during",
            BinaryOp::Coalesce => "??",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
        }
    }

    /// Binding strength: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            // `not` sits at 3
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::EqIgnoreCase
            | BinaryOp::In
            | BinaryOp::NotIn
            | BinaryOp::Contains
            | BinaryOp::StartsWith
            | BinaryOp::EndsWith
            | BinaryOp::Matches
            | BinaryOp::Before
            | BinaryOp::After
            | BinaryOp::During => 4,
            BinaryOp::Coalesce => 5,
            BinaryOp::Add | BinaryOp::Sub => 6,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 7,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Number(f64),
    String(String),
    Bool(bool),
    /// `@2008`, `@2014-03`, `@2026-01-07`.
    Date(DateLit),
    /// `20 years`, `6 months`, `2 weeks`, `30 days`.
    Duration(DurationLit),
    /// `null`: a value known to be absent.
    Null,
}

/// A date literal of partial precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateLit {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    Days,
    Weeks,
    Months,
    Years,
}

impl DurationUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            DurationUnit::Days => "days",
            DurationUnit::Weeks => "weeks",
            DurationUnit::Months => "months",
            DurationUnit::Years => "years",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DurationLit {
    pub amount: u32,
    pub unit: DurationUnit,
}
