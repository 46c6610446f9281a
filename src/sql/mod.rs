//! Compiling a checked suite to SQL (`factlint sql`): one query per rule whose rows
//! are the rule's findings, with the same certain/possible semantics as the
//! evaluators. A rule condition's three-valued logic is SQL's own (a missing value is
//! NULL, unknown is NULL, and AND, OR and NOT are Kleene's in every dialect here); a
//! finding is a binding whose condition is not false, certain when it is true.
//! Numbers and dates are intervals (a range, a partial date), written as a lower and
//! an upper bound; a comparison of two intervals is true or false only when every
//! pair of their points agrees, and NULL otherwise, as in `eval::ops`.
//!
//! What has no faithful translation yet is a located `S0001` diagnostic naming the
//! construct, never a query that silently differs. Names and strings reach SQL only
//! through `quote` (one function per dialect).
//!
//! The tables the queries read are described in `docs/sql.md`: one per collection,
//! with `_pos` (the record's place in load order: the order of findings), `id`, a
//! column per scalar field, and for numbers and dates the lower bound in the field's
//! column and the upper bound in `<field>:hi`.

pub mod quote;
pub mod tables;

use crate::check::ir::{CExpr, CKind, CRule, CSource, Suite, Ty};
use crate::data::{Precision, Value};
use crate::diag::{Diagnostic, Span};
use crate::syntax::ast::{BinaryOp, UnaryOp};

/// A SQL dialect a suite compiles to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    #[value(name = "duckdb")]
    DuckDb,
    Spark,
    #[value(name = "bigquery")]
    BigQuery,
    Postgres,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "DuckDB",
            Dialect::Spark => "Spark SQL",
            Dialect::BigQuery => "BigQuery",
            Dialect::Postgres => "PostgreSQL",
        }
    }
}

/// The query of one rule.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSql {
    pub rule: String,
    pub sql: String,
}

/// The suffix of the column holding an interval's upper bound.
pub const HI: &str = ":hi";

/// Compile every rule of `suite` (or those `keep` selects) to `dialect`: the queries
/// of the rules that compile, and a diagnostic for each construct that does not.
pub fn compile(
    suite: &Suite,
    dialect: Dialect,
    keep: impl Fn(&CRule) -> bool,
) -> (Vec<RuleSql>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for rule in suite.rules.iter().filter(|r| keep(r)) {
        let mut c = Compiler {
            dialect,
            suite,
            rule,
            diags: Vec::new(),
        };
        let sql = c.rule();
        // a def used twice is inlined twice: its construct is named once
        let mut seen = std::collections::HashSet::new();
        c.diags.retain(|d| {
            let at = d.primary.as_ref().map(|l| l.span.to_string());
            seen.insert((d.message.clone(), at))
        });
        if c.diags.is_empty() {
            out.push(RuleSql {
                rule: rule.info.id.clone(),
                sql,
            });
        }
        diags.extend(c.diags);
    }
    (out, diags)
}

/// A compiled expression.
#[derive(Clone, Debug)]
enum Out {
    /// A SQL boolean; NULL is unknown.
    Bool(String),
    /// A string, an id or a boolean value; NULL is missing.
    Scalar(String),
    /// A number or a date as its bounds; NULL (both) is missing.
    Interval { lo: String, hi: String },
    /// A record bound to a variable: its table alias and collection.
    Record { alias: String, collection: String },
}

struct Compiler<'a> {
    dialect: Dialect,
    suite: &'a Suite,
    rule: &'a CRule,
    diags: Vec<Diagnostic>,
}

impl Compiler<'_> {
    /// `S0001`: `what` has no faithful translation to this dialect (yet).
    fn unsupported(&mut self, span: &Span, what: &str) -> Out {
        let d = self.dialect.name();
        self.diags.push(
            Diagnostic::error(
                "S0001",
                format!(
                    "rule `{}` cannot be compiled to {d}: {what} has no faithful translation",
                    self.rule.info.id
                ),
            )
            .at(span.clone(), format!("{what}, here"))
            .expected(format!("a construct `factlint sql` translates to {d} (docs/sql.md)"))
            .found(what.to_string())
            .help("run this rule with the native engine (`factlint check`), or rewrite it with the constructs docs/sql.md lists"),
        );
        Out::Bool("NULL".into())
    }

    fn ident(&mut self, name: &str, span: &Span) -> String {
        match quote::ident(self.dialect, name) {
            Ok(q) => q,
            Err(why) => {
                self.unsupported(span, &format!("the name `{}` ({why})", name.escape_debug()));
                "x".into()
            }
        }
    }

    fn string(&mut self, s: &str, span: &Span) -> String {
        match quote::string(self.dialect, s) {
            Ok(q) => q,
            Err(why) => {
                self.unsupported(span, &format!("a string with {why}"));
                "''".into()
            }
        }
    }

    /// The alias of variable `v` in the query.
    fn alias(&mut self, v: usize) -> String {
        let span = self.rule.vars[v].span.clone();
        let name = self.rule.vars[v].name.clone();
        self.ident(&name, &span)
    }

    fn rule(&mut self) -> String {
        let rule = self.rule;
        let info_span = rule.info.span.clone();
        let mut from = Vec::new();
        let mut select = vec![format!(
            "{} AS {}",
            self.string(&rule.info.id, &info_span),
            self.ident("rule", &info_span)
        )];
        let mut order = Vec::new();
        for b in &rule.bindings {
            let alias = self.alias(b.var);
            match &b.source {
                CSource::Collection(c) => {
                    let table = self.ident(c, &b.span);
                    from.push(format!("{table} AS {alias}"));
                    let id = self.ident("id", &b.span);
                    let pos = self.ident("_pos", &b.span);
                    select.push(format!("{alias}.{id} AS {alias}"));
                    order.push(format!("{alias}.{pos}"));
                }
                CSource::List { .. } => {
                    self.unsupported(&b.span, "a variable over a list");
                }
            }
        }
        if rule.group.is_some() {
            let span = rule
                .group
                .as_ref()
                .map_or(info_span.clone(), |g| g.span.clone());
            self.unsupported(&span, "`group by`");
        }
        if rule.verdict.is_some() {
            self.unsupported(&info_span, "a verdict");
        }
        let cond = match &rule.condition {
            Some(c) => self.truth(c),
            None => "TRUE".to_string(),
        };
        let certainty = self.ident("certainty", &info_span);
        select.push(format!(
            "CASE WHEN {cond} THEN 'certain' ELSE 'possible' END AS {certainty}"
        ));
        let from = if from.is_empty() {
            String::new()
        } else {
            format!("\nFROM {}", from.join(",\n     "))
        };
        let order = if order.is_empty() {
            String::new()
        } else {
            format!("\nORDER BY {}", order.join(", "))
        };
        format!(
            "SELECT {}{from}\nWHERE COALESCE({cond}, TRUE){order}",
            select.join(",\n       ")
        )
    }

    /// A condition as a SQL boolean (NULL: unknown).
    fn truth(&mut self, e: &CExpr) -> String {
        match self.expr(e) {
            Out::Bool(s) => s,
            Out::Scalar(s) if e.ty == Ty::Bool => s,
            _ => {
                self.unsupported(&e.span, "a condition that is not a boolean");
                "NULL".into()
            }
        }
    }

    fn expr(&mut self, e: &CExpr) -> Out {
        match &e.kind {
            CKind::Lit(v) => self.literal(v, &e.span),
            CKind::Const(i) => match self.suite.consts.get(*i) {
                Some(c) => self.expr(&c.expr.clone()),
                None => self.unsupported(&e.span, "an unknown constant"),
            },
            CKind::Var(v) => match &self.rule.vars[*v].ty {
                Ty::Record(c) => {
                    let collection = c.clone();
                    Out::Record {
                        alias: self.alias(*v),
                        collection,
                    }
                }
                _ => self.unsupported(&e.span, "a variable that is not a record"),
            },
            CKind::Field { base, name, deref } => {
                if deref.is_some() {
                    return self.unsupported(&e.span, "a field read through a reference");
                }
                let Out::Record { alias, .. } = self.expr(base) else {
                    return self.unsupported(&e.span, "a field of a value that is not a record");
                };
                let col = self.ident(name, &e.span);
                match &e.ty {
                    Ty::Str | Ty::Ref(_) | Ty::Bool => Out::Scalar(format!("{alias}.{col}")),
                    Ty::Number | Ty::Date => {
                        let hi = self.ident(&format!("{name}{HI}"), &e.span);
                        Out::Interval {
                            lo: format!("{alias}.{col}"),
                            hi: format!("{alias}.{hi}"),
                        }
                    }
                    other => self.unsupported(&e.span, &format!("a field of type {other}")),
                }
            }
            CKind::Unary(UnaryOp::Not, x) => Out::Bool(format!("(NOT {})", self.truth(x))),
            CKind::Missing { expr, negated } => {
                let null = match self.expr(expr) {
                    Out::Scalar(s) => s,
                    Out::Interval { lo, .. } => lo,
                    Out::Bool(b) => b,
                    // a bound record is never missing
                    Out::Record { .. } => {
                        return Out::Bool(if *negated { "TRUE" } else { "FALSE" }.into())
                    }
                };
                let is = if *negated { "IS NOT NULL" } else { "IS NULL" };
                Out::Bool(format!("({null} {is})"))
            }
            CKind::Binary(op, l, r) => self.binary(*op, l, r, &e.span),
            CKind::Within { .. } => self.unsupported(&e.span, "`within`"),
            CKind::Aggregate(_) => self.unsupported(&e.span, "an aggregate"),
            CKind::Matches(..) => self.unsupported(&e.span, "`matches`"),
            CKind::Call(..) => self.unsupported(&e.span, "a builtin function"),
            CKind::List(_) => self.unsupported(&e.span, "a list"),
            CKind::Unary(..) => self.unsupported(&e.span, "a negative number"),
        }
    }

    fn literal(&mut self, v: &Value, span: &Span) -> Out {
        match v {
            Value::Str(s) => Out::Scalar(self.string(s, span)),
            Value::Bool(b) => Out::Scalar(if *b { "TRUE" } else { "FALSE" }.into()),
            Value::Number(n) if n.is_finite() => {
                let n = number(*n);
                Out::Interval {
                    lo: n.clone(),
                    hi: n,
                }
            }
            Value::Time(t) if t.precision != Precision::Interval => match (t.start, t.end) {
                (Some(a), Some(b)) => Out::Interval {
                    lo: format!("DATE '{}'", a.format("%Y-%m-%d")),
                    hi: format!("DATE '{}'", b.format("%Y-%m-%d")),
                },
                _ => self.unsupported(span, "an open date"),
            },
            _ => self.unsupported(span, &format!("a {} literal", v.type_name())),
        }
    }

    fn binary(&mut self, op: BinaryOp, l: &CExpr, r: &CExpr, span: &Span) -> Out {
        use BinaryOp::*;
        match op {
            And | Or => {
                let (a, b) = (self.truth(l), self.truth(r));
                let op = if op == And { "AND" } else { "OR" };
                Out::Bool(format!("({a} {op} {b})"))
            }
            Eq | Ne => {
                let (a, b) = (self.expr(l), self.expr(r));
                let eq = self.eq(a, b, span);
                Out::Bool(if op == Ne { format!("(NOT {eq})") } else { eq })
            }
            Lt | Le | Gt | Ge | Before | After => {
                let (a, b) = (self.expr(l), self.expr(r));
                // a > b is b < a; `before` is `<` on the last and first days
                let (a, b) = if matches!(op, Gt | Ge | After) {
                    (b, a)
                } else {
                    (a, b)
                };
                let strict = matches!(op, Lt | Gt | Before | After);
                self.order(a, b, strict, span)
            }
            In | NotIn => {
                let a = self.expr(l);
                let CKind::List(items) = &r.kind else {
                    return self
                        .unsupported(span, "`in` a value that is not a list written in the rule");
                };
                let items: Vec<Out> = items.iter().map(|x| self.expr(x)).collect();
                let eqs: Vec<String> = items
                    .into_iter()
                    .map(|x| self.eq(a.clone(), x, span))
                    .collect();
                // any equal: true; all unequal: false; else unknown (Kleene OR)
                let any = if eqs.is_empty() {
                    "FALSE".to_string()
                } else {
                    format!("({})", eqs.join(" OR "))
                };
                Out::Bool(if op == NotIn {
                    format!("(NOT {any})")
                } else {
                    any
                })
            }
            _ => self.unsupported(span, &format!("the operator `{}`", op_text(op))),
        }
    }

    /// Equality as `eval::ops::eq`.
    fn eq(&mut self, a: Out, b: Out, span: &Span) -> String {
        match (a, b) {
            (Out::Scalar(x), Out::Scalar(y)) => format!("({x} = {y})"),
            (
                Out::Record {
                    alias: x,
                    collection: cx,
                },
                Out::Record {
                    alias: y,
                    collection: cy,
                },
            ) => {
                if cx != cy {
                    return "FALSE".into();
                }
                let id = self.ident("id", span);
                format!("({x}.{id} = {y}.{id})")
            }
            (Out::Record { alias, .. }, Out::Scalar(s))
            | (Out::Scalar(s), Out::Record { alias, .. }) => {
                let id = self.ident("id", span);
                format!("({alias}.{id} = {s})")
            }
            (Out::Interval { lo: alo, hi: ahi }, Out::Interval { lo: blo, hi: bhi }) => format!(
                "(CASE WHEN {alo} IS NULL OR {blo} IS NULL THEN NULL \
                 WHEN {alo} = {ahi} AND {blo} = {bhi} THEN {alo} = {blo} \
                 WHEN {ahi} < {blo} OR {bhi} < {alo} THEN FALSE ELSE NULL END)"
            ),
            (Out::Bool(x), Out::Bool(y))
            | (Out::Bool(x), Out::Scalar(y))
            | (Out::Scalar(x), Out::Bool(y)) => {
                format!("({x} = {y})")
            }
            _ => {
                self.unsupported(span, "an equality between values of different kinds");
                "NULL".into()
            }
        }
    }

    /// `a < b` (`strict`) or `a <= b`, as `eval::ops::order`.
    fn order(&mut self, a: Out, b: Out, strict: bool, span: &Span) -> Out {
        match (a, b) {
            (Out::Scalar(x), Out::Scalar(y)) => {
                let op = if strict { "<" } else { "<=" };
                // byte order, as Rust compares strings
                let c = if self.dialect == Dialect::Postgres {
                    " COLLATE \"C\""
                } else {
                    ""
                };
                Out::Bool(format!("({x}{c} {op} {y}{c})"))
            }
            (Out::Interval { lo: alo, hi: ahi }, Out::Interval { lo: blo, hi: bhi }) => {
                let (yes, no) = if strict {
                    (format!("{ahi} < {blo}"), format!("{alo} >= {bhi}"))
                } else {
                    (format!("{ahi} <= {blo}"), format!("{alo} > {bhi}"))
                };
                Out::Bool(format!(
                    "(CASE WHEN {alo} IS NULL OR {blo} IS NULL THEN NULL \
                     WHEN {yes} THEN TRUE WHEN {no} THEN FALSE ELSE NULL END)"
                ))
            }
            _ => self.unsupported(span, "an order between values of different kinds"),
        }
    }
}

/// A finite number as a SQL literal that reads back as the same double (Rust's
/// shortest round-trip form, which every dialect here reads as a number).
pub(crate) fn number(n: f64) -> String {
    if n < 0.0 {
        format!("({n:?})")
    } else {
        format!("{n:?}")
    }
}

fn op_text(op: BinaryOp) -> &'static str {
    use BinaryOp::*;
    match op {
        Or => "or",
        And => "and",
        Eq => "==",
        Ne => "!=",
        Lt => "<",
        Le => "<=",
        Gt => ">",
        Ge => ">=",
        EqIgnoreCase => "~=",
        In => "in",
        NotIn => "not in",
        Contains => "contains",
        StartsWith => "starts with",
        EndsWith => "ends with",
        Matches => "matches",
        Before => "before",
        After => "after",
        During => "during",
        Coalesce => "??",
        Add => "+",
        Sub => "-",
        Mul => "*",
        Div => "/",
        Rem => "%",
    }
}
