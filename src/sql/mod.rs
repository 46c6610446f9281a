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

pub mod duckdb;
pub mod quote;
pub mod tables;
pub mod views;

use crate::check::ir::{Builtin, CAggregate};
use crate::check::ir::{CExpr, CKind, CRule, CSource, Suite, Ty};
use crate::data::{Precision, Value};
use crate::diag::{Diagnostic, Span};
use crate::syntax::ast::{AggregateOp, BinaryOp, UnaryOp};

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
/// The suffix of the column saying a number field holds a range (`{min, max}`), even
/// one whose bounds meet.
pub const RANGE: &str = ":range";
/// The suffix of the column saying a date was written as an interval with its ends
/// (`{start: .., end: ..}`), not as a date of some precision.
pub const SPAN: &str = ":span";

/// What a rule's query returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Its findings, as `factlint sql` prints them: the bound records' ids, the
    /// certainty, the verdict, and one row per group with its counts.
    Findings,
    /// Every match, for an engine that builds the findings itself: the position
    /// (`_pos`) of each bound record in binding order, then the condition's truth
    /// (TRUE: certain; NULL: possible), in the order of the positions; `group by`
    /// rules too give one row per match.
    Matches,
}

/// Compile every rule of `suite` to `dialect`: the queries of the rules that compile,
/// and a diagnostic for each construct that does not.
pub fn compile(suite: &Suite, dialect: Dialect) -> (Vec<RuleSql>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for rule in &suite.rules {
        match compile_rule(suite, rule, dialect, Shape::Findings) {
            Ok(sql) => out.push(RuleSql {
                rule: rule.info.id.clone(),
                sql,
            }),
            Err(d) => diags.extend(d),
        }
    }
    (out, diags)
}

/// Compile one rule of `suite`: its query in this shape, or a diagnostic for each
/// construct that has no faithful translation.
pub fn compile_rule(
    suite: &Suite,
    rule: &CRule,
    dialect: Dialect,
    shape: Shape,
) -> Result<String, Vec<Diagnostic>> {
    let mut c = Compiler {
        dialect,
        suite,
        rule,
        diags: Vec::new(),
        fresh: 0,
        scalars: Default::default(),
        laterals: vec![Vec::new()],
    };
    let sql = c.rule(shape);
    // a def used twice is inlined twice: its construct is named once
    let mut seen = std::collections::HashSet::new();
    c.diags.retain(|d| {
        let at = d.primary.as_ref().map(|l| l.span.to_string());
        seen.insert((d.message.clone(), at))
    });
    if c.diags.is_empty() {
        Ok(sql)
    } else {
        Err(c.diags)
    }
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
    /// A list of strings or ids; NULL is missing.
    List(String),
    /// A field of type `any`: its columns.
    Any(Box<AnyCols>),
    /// What did not compile (its `S0001` is written): whatever uses it fails quietly.
    Failed,
}

struct Compiler<'a> {
    dialect: Dialect,
    suite: &'a Suite,
    rule: &'a CRule,
    diags: Vec<Diagnostic>,
    /// Numbers for the aliases of records read through references.
    fresh: usize,
    /// Variables bound to the strings of a list (not to records): their SQL.
    scalars: std::collections::HashMap<usize, String>,
    /// The aggregates of each query level being compiled, innermost last: each a
    /// `LATERAL` subquery that its level's `FROM` ends with (see `aggregate`).
    laterals: Vec<Vec<String>>,
}

/// The first and last days SQL dates hold: the open ends of date intervals.
pub const OPEN_START: &str = "0001-01-01";
pub const OPEN_END: &str = "9999-12-31";

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
        Out::Failed
    }

    /// The number of items of a list.
    fn list_len(&self, list: &str) -> String {
        match self.dialect {
            Dialect::DuckDb => format!("LEN({list})"),
            Dialect::Postgres => format!("CARDINALITY({list})"),
            Dialect::Spark => format!("SIZE({list})"),
            Dialect::BigQuery => format!("ARRAY_LENGTH({list})"),
        }
    }

    /// Whether a list holds a NULL item.
    fn list_has_null(&self, list: &str) -> String {
        match self.dialect {
            Dialect::DuckDb => format!("(LEN(LIST_FILTER({list}, lambda i: i IS NULL)) > 0)"),
            Dialect::Postgres => format!("(ARRAY_POSITION({list}, NULL) IS NOT NULL)"),
            Dialect::Spark => format!("EXISTS({list}, i -> i IS NULL)"),
            Dialect::BigQuery => {
                format!("EXISTS(SELECT 1 FROM UNNEST({list}) AS i WHERE i IS NULL)")
            }
        }
    }

    /// Whether a list holds `x` (neither NULL).
    fn list_has(&self, list: &str, x: &str) -> String {
        match self.dialect {
            Dialect::DuckDb => format!("LIST_CONTAINS({list}, {x})"),
            Dialect::Postgres => format!("({x} = ANY({list}))"),
            Dialect::Spark => format!("ARRAY_CONTAINS({list}, {x})"),
            Dialect::BigQuery => format!("({x} IN UNNEST({list}))"),
        }
    }

    /// When a number expression with bounds `lo` and `hi` is a plain number, not a
    /// range (which arithmetic leaves unknown, as `eval::ops`): a field says so in its
    /// `:range` column (`{min: 5, max: 5}` is a range); a computed value is a number
    /// exactly when its bounds meet. `None` where that is not known here.
    fn exact(&mut self, e: &CExpr, lo: &str, hi: &str) -> Option<String> {
        match &e.kind {
            CKind::Field {
                base,
                name,
                deref: None,
            } => {
                let CKind::Var(v) = &base.kind else {
                    return None;
                };
                if self.scalars.contains_key(v) {
                    return None;
                }
                let alias = self.alias(*v);
                let col = self.ident(&format!("{name}{RANGE}"), &e.span);
                Some(format!("({lo} = {hi} AND NOT {alias}.{col})"))
            }
            CKind::Field { .. } | CKind::Binary(BinaryOp::Coalesce, ..) => None,
            CKind::Unary(UnaryOp::Neg, x) => self.exact(x, lo, hi),
            CKind::Const(i) => {
                let c = self.suite.consts.get(*i)?.expr.clone();
                self.exact(&c, lo, hi)
            }
            _ => Some(format!("{lo} = {hi}")),
        }
    }

    /// The dialect's double-precision type.
    fn double(&self) -> &'static str {
        tables::type_name(self.dialect, tables::Kind::Number)
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

    /// The alias of variable `v` in the query: its name for a binding of the rule (the
    /// column of its ids is named so), and for an aggregate's variable its name and
    /// number, so that no inner alias hides an outer one.
    fn alias(&mut self, v: usize) -> String {
        let span = self.rule.vars[v].span.clone();
        let mut name = self.rule.vars[v].name.clone();
        if !self.rule.bindings.iter().any(|b| b.var == v) {
            name = format!("{name}#{v}");
        }
        self.ident(&name, &span)
    }

    /// The rule's query: the bindings with their condition computed once in an inner
    /// query, the findings (not false) kept and ordered by position in the outer one.
    fn rule(&mut self, shape: Shape) -> String {
        let rule = self.rule;
        let span = rule.info.span.clone();
        let mut from = Vec::new();
        let mut inner = Vec::new();
        let rule_col = self.ident("rule", &span);
        let mut outer = vec![rule_col.clone()];
        let mut order = Vec::new();
        for b in &rule.bindings {
            let alias = self.alias(b.var);
            match &b.source {
                CSource::Collection(c) => {
                    let table = self.ident(c, &b.span);
                    from.push(format!("{table} AS {alias}"));
                    let id = self.ident("id", &b.span);
                    let pos = self.ident("_pos", &b.span);
                    // internal names hold a `:`, which no variable's name does
                    let at = self.ident(&format!("{}:pos", rule.vars[b.var].name), &b.span);
                    inner.push(format!("{alias}.{id} AS {alias}"));
                    inner.push(format!("{alias}.{pos} AS {at}"));
                    outer.push(alias);
                    order.push(at);
                }
                CSource::List { .. } => {
                    self.unsupported(&b.span, "a variable over a list");
                }
            }
        }
        // `group by`: the columns each key is compared by (see `group_columns`)
        let mut keys = Vec::new();
        if let Some(g) = &rule.group {
            for (i, k) in g.keys.iter().enumerate() {
                let cols = self.group_columns(k);
                for (j, col) in cols.into_iter().enumerate() {
                    let name = self.ident(&format!(":key{i}:{j}"), &k.span);
                    inner.push(format!("{col} AS {name}"));
                    keys.push(name);
                }
            }
        }
        let (cond, filter, key) = self.condition(rule.condition.as_ref());
        let c = self.ident(":cond", &span);
        let name = self.string(&rule.info.id, &span);
        let certainty = if rule
            .bindings
            .iter()
            .any(|b| rule.vars[b.var].name == "certainty")
        {
            ":certainty"
        } else {
            "certainty"
        };
        let certainty = self.ident(certainty, &span);
        let bindings = self.ident(":bindings", &span);
        // certain when the condition is true; a group, when any of its matches is
        let any = self.ident(":any", &span);
        let certain_when = if rule.group.is_some() {
            format!("{any} = 1")
        } else {
            c.clone()
        };
        outer.push(format!(
            "CASE WHEN {certain_when} THEN 'certain' ELSE 'possible' END AS {certainty}"
        ));
        // a verdict rule's findings give their claim this verdict (when certain)
        if let Some((kind, _)) = rule.verdict {
            let verdict = self.ident(":verdict", &span);
            outer.push(format!("'{}' AS {verdict}", kind.as_str()));
        }
        let mut select = vec![format!("{name} AS {rule_col}")];
        select.extend(inner);
        select.push(format!("{cond} AS {c}"));
        // the rule's aggregates, each computed once per binding
        let laterals = self.laterals.pop().unwrap_or_default();
        let positions = order.join(", ");
        let order = if positions.is_empty() {
            String::new()
        } else {
            format!("\nORDER BY {positions}")
        };
        let select = select.join(",\n         ");
        // The bindings are joined first, with every conjunct that reads no subquery
        // (`reads_subquery`) in the last join's ON; then each aggregate's LATERAL
        // subquery, and the conjuncts that read a subquery in WHERE. An engine that
        // unnests a LATERAL subquery under a cross product of the bindings, with the
        // join's condition still above it, may otherwise build that whole product
        // (DuckDB did: 2.5 billion rows for the events benchmark's principles rule).
        let query = |extra: Option<String>| {
            let (mut on, mut after): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
            for (sql, subquery) in &filter {
                if *subquery { &mut after } else { &mut on }.push(sql.clone());
            }
            on.extend(extra);
            let mut items: Vec<String> = Vec::new();
            match from.split_last() {
                Some((last, rest)) if !rest.is_empty() => {
                    let joined = std::iter::once(rest[0].clone())
                        .chain(rest[1..].iter().map(|t| format!("CROSS JOIN {t}")))
                        .collect::<Vec<_>>()
                        .join("\n       ");
                    let cond = if on.is_empty() {
                        "TRUE".to_string()
                    } else {
                        on.join("\n        AND ")
                    };
                    items.push(format!("{joined}\n       JOIN {last}\n        ON {cond}"));
                }
                _ => {
                    items.extend(from.iter().cloned());
                    after.splice(0..0, on);
                }
            }
            items.extend(laterals.iter().cloned());
            let from = match items.first_mut() {
                None => String::new(),
                Some(first) => {
                    // nothing before it to read: an aggregate of constants only
                    if let Some(plain) = first.strip_prefix("LATERAL ") {
                        *first = plain.to_string();
                    }
                    format!("\n  FROM {}", items.join(",\n       "))
                }
            };
            if after.is_empty() {
                format!("SELECT {select}{from}")
            } else {
                format!(
                    "SELECT {select}{from}\n  WHERE {}",
                    after.join("\n    AND ")
                )
            }
        };
        let bindings_query = match key {
            None => query(None),
            // an equality of two bindings that nothing requires present: the pairs
            // it makes true, joined on it, and those it leaves unknown (a side
            // missing); the three parts share no binding and leave out only the
            // pairs it makes false
            Some((l, r)) => [
                format!("{l} = {r}"),
                format!("{l} IS NULL"),
                format!("{l} IS NOT NULL AND {r} IS NULL"),
            ]
            .into_iter()
            .map(|part| query(Some(part)))
            .collect::<Vec<_>>()
            .join("\n  UNION ALL\n  "),
        };
        if shape == Shape::Matches {
            let cols = if positions.is_empty() {
                c
            } else {
                format!("{positions}, {c}")
            };
            return format!("SELECT {cols}\nFROM (\n  {bindings_query}\n) AS {bindings}{order}");
        }
        if rule.group.is_none() {
            return format!(
                "SELECT {}\nFROM (\n  {bindings_query}\n) AS {bindings}{order}",
                outer.join(", ")
            );
        }
        // one finding per key: its first match (by position), certain when any match
        // is, with how many matches it stands for and how many are certain
        let (n, count, certain) = (
            self.ident(":n", &span),
            self.ident(":count", &span),
            self.ident(":certain", &span),
        );
        let groups = self.ident(":groups", &span);
        let part = if keys.is_empty() {
            String::new()
        } else {
            format!("PARTITION BY {}", keys.join(", "))
        };
        let over_order = if positions.is_empty() {
            String::new()
        } else {
            format!(" ORDER BY {positions}")
        };
        outer.push(count.clone());
        outer.push(certain.clone());
        format!(
            "SELECT {}\nFROM (\n  SELECT *,\n    ROW_NUMBER() OVER ({part}{over_order}) AS {n},\n    \
             COUNT(*) OVER ({part}) AS {count},\n    \
             SUM(CASE WHEN {c} THEN 1 ELSE 0 END) OVER ({part}) AS {certain},\n    \
             MAX(CASE WHEN {c} THEN 1 ELSE 0 END) OVER ({part}) AS {any}\n  \
             FROM (\n  {bindings_query}\n  ) AS {bindings}\n) AS {groups}\n\
             WHERE {n} = 1{order}",
            outer.join(", ")
        )
    }

    /// The columns a `group by` key is compared by, as `eval::group::canonical`: a
    /// value of one kind by its value, numbers and dates by both bounds (identical
    /// intervals group together), a record by its id, a value of type `any` by its
    /// kind and value columns; a missing key is one group, as NULL is in SQL.
    fn group_columns(&mut self, k: &CExpr) -> Vec<String> {
        match self.expr(k) {
            Out::Scalar(x) | Out::Bool(x) => vec![x],
            Out::Interval { lo, hi } => vec![lo, hi],
            Out::Record { alias, .. } => {
                let id = self.ident("id", &k.span);
                vec![format!("{alias}.{id}")]
            }
            Out::Any(a) => vec![a.kind, a.s, a.nlo, a.nhi, a.dlo, a.dhi, a.b],
            Out::Failed => vec!["NULL".into()],
            Out::List(_) => {
                self.unsupported(&k.span, "a `group by` key that is a list");
                vec!["NULL".into()]
            }
        }
    }

    /// A rule's condition, compiled once: its truth (the `AND` of its conjuncts), and
    /// the filter of the bindings it keeps, those whose condition is not false,
    /// written conjunct by conjunct (`COALESCE(c, TRUE)` each) so that an engine sees
    /// the equalities it can join on. An equality of two fields that other conjuncts
    /// require present (`x is present`) is written plainly: where it would be unknown,
    /// one of those conjuncts is false. Each filter conjunct comes with whether it
    /// reads a subquery (`reads_subquery`); last, the join key that splits the
    /// bindings when no equality is plain (`join_key`).
    #[allow(clippy::type_complexity)]
    fn condition(
        &mut self,
        cond: Option<&CExpr>,
    ) -> (String, Vec<(String, bool)>, Option<(String, String)>) {
        let Some(cond) = cond else {
            return ("TRUE".into(), Vec::new(), None);
        };
        let mut parts = Vec::new();
        crate::check::ir::conjuncts(cond, &mut parts);
        // fields required present: (variable, field)
        let present: Vec<(usize, std::sync::Arc<str>)> = parts
            .iter()
            .filter_map(|p| match &p.kind {
                CKind::Missing {
                    expr,
                    negated: true,
                } => field_of_var(expr),
                _ => None,
            })
            .collect();
        let plain = |e: &CExpr| {
            matches!(e.kind, CKind::Lit(_)) || field_of_var(e).is_some_and(|f| present.contains(&f))
        };
        let text = |e: &CExpr| matches!(e.ty, Ty::Str | Ty::Ref(_));
        let mut truths = Vec::new();
        let mut out = Vec::new();
        let mut joined = false;
        let mut key = None;
        for p in &parts {
            let t = self.truth(p);
            truths.push(t.clone());
            let subquery = reads_subquery(p);
            let sql = match &p.kind {
                CKind::Binary(BinaryOp::Eq, l, r) if plain(l) && plain(r) && text(l) && text(r) => {
                    joined = true;
                    t
                }
                CKind::Binary(BinaryOp::Eq, l, r) if key.is_none() && text(l) && text(r) => {
                    key = self.join_key(l, r);
                    format!("COALESCE({t}, TRUE)")
                }
                _ => format!("COALESCE({t}, TRUE)"),
            };
            out.push((sql, subquery));
        }
        // a guarded equality is a join key already
        if joined {
            key = None;
        }
        let whole = if truths.len() == 1 {
            truths.swap_remove(0)
        } else {
            format!("({})", truths.join(" AND "))
        };
        (whole, out, key)
    }

    /// `l == r` as a join key of two bindings: each side reads one binding variable
    /// (not the same), no aggregate and no list variable; the two sides' SQL.
    fn join_key(&mut self, l: &CExpr, r: &CExpr) -> Option<(String, String)> {
        let one_binding = |e: &CExpr| {
            let mut vars = Vec::new();
            e.walk(&mut |x| {
                if let CKind::Var(v) = &x.kind {
                    vars.push(*v);
                }
            });
            let simple = !reads_subquery(e);
            vars.dedup();
            match vars.as_slice() {
                [v] if simple && self.rule.bindings.iter().any(|b| b.var == *v) => Some(*v),
                _ => None,
            }
        };
        let (a, b) = (one_binding(l)?, one_binding(r)?);
        if a == b || self.scalars.contains_key(&a) || self.scalars.contains_key(&b) {
            return None;
        }
        match (self.expr(l), self.expr(r)) {
            (Out::Scalar(x), Out::Scalar(y)) => Some((x, y)),
            _ => None,
        }
    }

    /// A condition as a SQL boolean (NULL: unknown).
    fn truth(&mut self, e: &CExpr) -> String {
        match self.expr(e) {
            Out::Bool(s) => s,
            Out::Scalar(s) if e.ty == Ty::Bool => s,
            Out::Failed => "NULL".into(),
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
            CKind::Var(v) if self.scalars.contains_key(v) => Out::Scalar(self.scalars[v].clone()),
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
                if let Some(coll) = deref {
                    return self.through(base, coll, name, e);
                }
                let alias = match self.expr(base) {
                    Out::Record { alias, .. } => alias,
                    Out::Failed => return Out::Failed,
                    _ => {
                        return self.unsupported(&e.span, "a field of a value that is not a record")
                    }
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
                    Ty::List(item) if matches!(**item, Ty::Str | Ty::Ref(_)) => {
                        Out::List(format!("{alias}.{col}"))
                    }
                    Ty::Any => {
                        let [kind, s, nlo, nhi, dlo, dhi, b] =
                            tables::ANY_COLUMNS.map(|(suffix, _)| {
                                let q = self.ident(&format!("{name}{suffix}"), &e.span);
                                format!("{alias}.{q}")
                            });
                        Out::Any(Box::new(AnyCols {
                            kind,
                            s,
                            nlo,
                            nhi,
                            dlo,
                            dhi,
                            b,
                        }))
                    }
                    other => self.unsupported(&e.span, &format!("a field of type {other}")),
                }
            }
            CKind::Unary(UnaryOp::Not, x) => Out::Bool(format!("(NOT {})", self.truth(x))),
            CKind::Missing { expr, negated } => {
                let null = match self.expr(expr) {
                    Out::Scalar(s) => s,
                    Out::Interval { lo, .. } => lo,
                    Out::Bool(b) | Out::List(b) => b,
                    Out::Any(a) => a.kind,
                    Out::Failed => return Out::Failed,
                    // a bound record is never missing
                    Out::Record { .. } => {
                        return Out::Bool(if *negated { "TRUE" } else { "FALSE" }.into())
                    }
                };
                let is = if *negated { "IS NOT NULL" } else { "IS NULL" };
                Out::Bool(format!("({null} {is})"))
            }
            CKind::Binary(op, l, r) => self.binary(*op, l, r, &e.span),
            CKind::Within { lhs, window, rhs } => self.within(lhs, window, rhs, &e.span),
            CKind::Aggregate(a) => self.aggregate(a, &e.span),
            CKind::Matches(..) => self.unsupported(&e.span, "`matches`"),
            CKind::Call(Builtin::Len, args) if args.len() == 1 => {
                let n = match self.expr(&args[0]) {
                    Out::List(l) => self.list_len(&l),
                    Out::Scalar(x) if args[0].ty.is_str() => format!("LENGTH({x})"),
                    Out::Failed => return Out::Failed,
                    _ => return self.unsupported(&e.span, "`len` of this value"),
                };
                Out::Interval {
                    lo: n.clone(),
                    hi: n,
                }
            }
            CKind::Call(f @ (Builtin::Start | Builtin::End), args) if args.len() == 1 => {
                self.date_end(&args[0], *f == Builtin::Start, &e.span)
            }
            CKind::Call(f @ (Builtin::Abs | Builtin::Lo | Builtin::Hi), args)
                if args.len() == 1 && args[0].ty == Ty::Number =>
            {
                let (lo, hi) = match self.expr(&args[0]) {
                    Out::Interval { lo, hi } => (lo, hi),
                    Out::Failed => return Out::Failed,
                    _ => return self.unsupported(&e.span, "this builtin of this value"),
                };
                let x = match f {
                    // a number's absolute value; a range has none
                    Builtin::Abs => {
                        let Some(exact) = self.exact(&args[0], &lo, &hi) else {
                            return self.unsupported(
                                &e.span,
                                "`abs` of a number read through a reference or `??`",
                            );
                        };
                        format!("(CASE WHEN {exact} THEN ABS({lo}) END)")
                    }
                    // a range's bound, missing when open
                    Builtin::Lo => {
                        let inf = tables::infinity(self.dialect, true);
                        format!("(CASE WHEN {lo} > {inf} THEN {lo} END)")
                    }
                    _ => {
                        let inf = tables::infinity(self.dialect, false);
                        format!("(CASE WHEN {hi} < {inf} THEN {hi} END)")
                    }
                };
                Out::Interval {
                    lo: x.clone(),
                    hi: x,
                }
            }
            CKind::Call(f, _) => {
                let name = crate::check::resolve::builtin_name(*f);
                self.unsupported(&e.span, &format!("the builtin `{name}`"))
            }
            CKind::List(_) => self.unsupported(&e.span, "a list"),
            CKind::Unary(UnaryOp::Neg, x) => match self.expr(x) {
                Out::Interval { lo, hi } if x.ty == Ty::Number => Out::Interval {
                    lo: format!("(-{hi})"),
                    hi: format!("(-{lo})"),
                },
                Out::Failed => Out::Failed,
                _ => self.unsupported(&e.span, "a negated value that is not a number"),
            },
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
                    lo: date(a),
                    hi: date(b),
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
                let eq = if matches!(a, Out::Failed) || matches!(b, Out::Failed) {
                    "NULL".into()
                } else if matches!(a, Out::Any(_)) || matches!(b, Out::Any(_)) {
                    self.eq_any((a, &l.ty), (b, &r.ty), span)
                } else {
                    self.eq(a, b, span)
                };
                Out::Bool(if op == Ne { format!("(NOT {eq})") } else { eq })
            }
            Lt | Le | Gt | Ge | Before | After => {
                let (a, b) = ((self.expr(l), &l.ty), (self.expr(r), &r.ty));
                // a > b is b < a; `before` is `<` on the last and first days
                let (a, b) = if matches!(op, Gt | Ge | After) {
                    (b, a)
                } else {
                    (a, b)
                };
                let strict = matches!(op, Lt | Gt | Before | After);
                if matches!(a.0, Out::Failed) || matches!(b.0, Out::Failed) {
                    return Out::Failed;
                }
                if matches!(a.0, Out::Any(_)) || matches!(b.0, Out::Any(_)) {
                    return self.order_any(a, b, strict, span);
                }
                self.order(a.0, b.0, strict, span)
            }
            In | NotIn | Contains
                if matches!(r.ty, Ty::List(_)) && op != Contains
                    || matches!(l.ty, Ty::List(_)) && op == Contains =>
            {
                // `x in list`, `list contains x`
                let (x, list) = if op == Contains { (r, l) } else { (l, r) };
                if let Some(written) = self.written_list(list) {
                    return self.in_written(op, x, &written, span);
                }
                let (x, list) = match (self.expr(x), self.expr(list)) {
                    (Out::Scalar(x), Out::List(list)) => (x, list),
                    (Out::Record { alias, .. }, Out::List(list)) => {
                        let id = self.ident("id", span);
                        (format!("{alias}.{id}"), list)
                    }
                    (Out::Failed, _) | (_, Out::Failed) => return Out::Failed,
                    _ => {
                        return self
                            .unsupported(span, "`in` a list of values that are not strings or ids")
                    }
                };
                let has = self.list_has(&list, &x);
                let len = self.list_len(&list);
                let holes = self.list_has_null(&list);
                // an empty list holds nothing, even unknown; a missing one is unknown;
                // a missing item (a dangling id the loader mended) may be anything
                let t = format!(
                    "(CASE WHEN {list} IS NULL THEN NULL WHEN {len} = 0 THEN FALSE \
                     WHEN {x} IS NULL THEN NULL WHEN {has} THEN TRUE \
                     WHEN {holes} THEN NULL ELSE FALSE END)"
                );
                Out::Bool(if op == NotIn { format!("(NOT {t})") } else { t })
            }
            Add | Sub | Mul | Div if l.ty == Ty::Number && r.ty == Ty::Number => {
                let ((alo, ahi), (blo, bhi)) = match (self.expr(l), self.expr(r)) {
                    (Out::Interval { lo: alo, hi: ahi }, Out::Interval { lo: blo, hi: bhi }) => {
                        ((alo, ahi), (blo, bhi))
                    }
                    (Out::Failed, _) | (_, Out::Failed) => return Out::Failed,
                    _ => return self.unsupported(span, "arithmetic on these values"),
                };
                let Some(exact_b) = self.exact(r, &blo, &bhi) else {
                    return self.unsupported(
                        span,
                        "arithmetic on a number read through a reference or `??`",
                    );
                };
                match op {
                    // a range moves by a number; a number plus a range, or two ranges,
                    // is unknown (as eval::ops::add)
                    Add | Sub => {
                        let s = if op == Add { "+" } else { "-" };
                        let ok = exact_b;
                        Out::Interval {
                            lo: format!("(CASE WHEN {ok} THEN {alo} {s} {blo} END)"),
                            hi: format!("(CASE WHEN {ok} THEN {ahi} {s} {blo} END)"),
                        }
                    }
                    // two numbers; a range, or a division by zero, is unknown
                    _ => {
                        let s = if op == Mul { "*" } else { "/" };
                        let zero = if op == Div {
                            format!(" AND {blo} <> 0")
                        } else {
                            String::new()
                        };
                        // counts are integers: divide as doubles, as factlint does
                        let d = self.double();
                        let Some(exact_a) = self.exact(l, &alo, &ahi) else {
                            return self.unsupported(
                                span,
                                "arithmetic on a number read through a reference or `??`",
                            );
                        };
                        let x = format!(
                            "(CASE WHEN {exact_a} AND {exact_b}{zero} \
                             THEN CAST({alo} AS {d}) {s} {blo} END)"
                        );
                        Out::Interval {
                            lo: x.clone(),
                            hi: x,
                        }
                    }
                }
            }
            During => {
                let (a, b) = (self.expr(l), self.expr(r));
                match (a, b) {
                    (Out::Interval { lo: alo, hi: ahi }, Out::Interval { lo: blo, hi: bhi })
                        if l.ty == Ty::Date && r.ty == Ty::Date =>
                    {
                        Out::Bool(format!(
                            "(CASE WHEN {blo} <= {alo} AND {ahi} <= {bhi} THEN TRUE \
                             WHEN {ahi} < {blo} OR {alo} > {bhi} THEN FALSE ELSE NULL END)"
                        ))
                    }
                    (Out::Failed, _) | (_, Out::Failed) => Out::Failed,
                    _ => self.unsupported(span, "`during` of values that are not dates"),
                }
            }
            StartsWith | EndsWith | Contains if l.ty.is_str() && r.ty.is_str() => {
                let (a, b) = match (self.expr(l), self.expr(r)) {
                    (Out::Scalar(a), Out::Scalar(b)) => (a, b),
                    (Out::Failed, _) | (_, Out::Failed) => return Out::Failed,
                    _ => {
                        return self
                            .unsupported(span, "a string test of values that are not strings")
                    }
                };
                Out::Bool(match op {
                    StartsWith => format!("(LEFT({a}, LENGTH({b})) = {b})"),
                    EndsWith => format!("(RIGHT({a}, LENGTH({b})) = {b})"),
                    // `a contains b` on strings: b is a part of a
                    _ => match self.dialect {
                        Dialect::Spark => format!("(INSTR({a}, {b}) > 0)"),
                        _ => format!("(STRPOS({a}, {b}) > 0)"),
                    },
                })
            }
            Coalesce => match (self.expr(l), self.expr(r)) {
                (Out::Scalar(a), Out::Scalar(b)) => Out::Scalar(format!("COALESCE({a}, {b})")),
                (Out::Bool(a), Out::Bool(b)) => Out::Bool(format!("COALESCE({a}, {b})")),
                // both bounds from the same side
                (Out::Interval { lo: alo, hi: ahi }, Out::Interval { lo: blo, hi: bhi }) => {
                    Out::Interval {
                        lo: format!("(CASE WHEN {alo} IS NULL THEN {blo} ELSE {alo} END)"),
                        hi: format!("(CASE WHEN {alo} IS NULL THEN {bhi} ELSE {ahi} END)"),
                    }
                }
                (Out::Failed, _) | (_, Out::Failed) => Out::Failed,
                _ => self.unsupported(span, "`??` between values of different kinds"),
            },
            _ => self.unsupported(span, &format!("the operator `{}`", op_text(op))),
        }
    }

    /// The list an expression writes in the rule (itself, or a constant's).
    fn written_list(&self, e: &CExpr) -> Option<CExpr> {
        match &e.kind {
            CKind::List(_) => Some(e.clone()),
            CKind::Const(i) => self.written_list(&self.suite.consts.get(*i)?.expr),
            _ => None,
        }
    }

    /// `x in [..]` (`not in`, or `[..] contains x`) with a list written in the rule: an
    /// OR of equalities (any equal: true; all unequal: false; else unknown).
    fn in_written(&mut self, op: BinaryOp, x: &CExpr, list: &CExpr, span: &Span) -> Out {
        let a = self.expr(x);
        let CKind::List(items) = &list.kind else {
            return self.unsupported(span, "`in` a value that is not a list");
        };
        let mut eqs = Vec::new();
        for item in items {
            let o = self.expr(item);
            eqs.push(if matches!(a, Out::Any(_)) {
                self.eq_any((a.clone(), &x.ty), (o, &item.ty), span)
            } else {
                self.eq(a.clone(), o, span)
            });
        }
        let any = if eqs.is_empty() {
            "FALSE".to_string()
        } else {
            format!("({})", eqs.join(" OR "))
        };
        Out::Bool(if op == BinaryOp::NotIn {
            format!("(NOT {any})")
        } else {
            any
        })
    }

    /// `lhs within window of rhs` as `eval::ops::within`: true when every day of `lhs`
    /// is within the window of every day of `rhs` (and `lhs` has no open end), false
    /// when none is, unknown otherwise. The window is a duration the rule writes (a
    /// literal or a constant).
    fn within(&mut self, lhs: &CExpr, window: &CExpr, rhs: &CExpr, span: &Span) -> Out {
        let Some(d) = self.duration(window) else {
            return self.unsupported(
                &window.span,
                "a window that is not a duration written in the rule",
            );
        };
        if lhs.ty != Ty::Date || rhs.ty != Ty::Date {
            return self.unsupported(span, "`within` of values that are not dates");
        }
        let (alo, ahi, blo, bhi) = match (self.expr(lhs), self.expr(rhs)) {
            (Out::Interval { lo: alo, hi: ahi }, Out::Interval { lo: blo, hi: bhi }) => {
                (alo, ahi, blo, bhi)
            }
            (Out::Failed, _) | (_, Out::Failed) => return Out::Failed,
            _ => return self.unsupported(span, "`within` of values that are not dates"),
        };
        let (lo_true, hi_true) = (self.shift(&bhi, d, -1), self.shift(&blo, d, 1));
        let (lo_any, hi_any) = (self.shift(&blo, d, -1), self.shift(&bhi, d, 1));
        Out::Bool(format!(
            "(CASE WHEN {alo} >= {lo_true} AND {ahi} <= {hi_true} \
             AND {alo} > DATE '{OPEN_START}' AND {ahi} < DATE '{OPEN_END}' THEN TRUE \
             WHEN {ahi} < {lo_any} OR {alo} > {hi_any} THEN FALSE ELSE NULL END)"
        ))
    }

    /// `start(x)` or `end(x)` of a date field, as `eval::expr::time_end`: an interval
    /// written with its ends gives a day (missing when open), a date of any precision
    /// is its own start and end (`start` of `2026` is still the year). The field's
    /// `:span` column says which it is.
    fn date_end(&mut self, arg: &CExpr, start: bool, span: &Span) -> Out {
        let CKind::Field {
            base,
            name,
            deref: None,
        } = &arg.kind
        else {
            return self.unsupported(span, "`start` or `end` of a value that is not a date field");
        };
        if arg.ty != Ty::Date {
            return self.unsupported(span, "`start` or `end` of a value that is not a date field");
        }
        let alias = match self.expr(base) {
            Out::Record { alias, .. } => alias,
            Out::Failed => return Out::Failed,
            _ => {
                return self
                    .unsupported(span, "`start` or `end` of a value that is not a date field")
            }
        };
        let col = |me: &mut Self, suffix: &str| {
            let q = me.ident(&format!("{name}{suffix}"), span);
            format!("{alias}.{q}")
        };
        let (lo, hi, spanned) = (col(self, ""), col(self, HI), col(self, SPAN));
        let day = if start {
            format!("(CASE WHEN {lo} > DATE '{OPEN_START}' THEN {lo} END)")
        } else {
            format!("(CASE WHEN {hi} < DATE '{OPEN_END}' THEN {hi} END)")
        };
        Out::Interval {
            lo: format!("(CASE WHEN {spanned} THEN {day} ELSE {lo} END)"),
            hi: format!("(CASE WHEN {spanned} THEN {day} ELSE {hi} END)"),
        }
    }

    /// The duration an expression of the rule stands for, when known at compile time.
    fn duration(&self, e: &CExpr) -> Option<crate::data::Duration> {
        match &e.kind {
            CKind::Lit(Value::Duration(d)) => Some(*d),
            CKind::Const(i) => self.duration(&self.suite.consts.get(*i)?.expr),
            _ => None,
        }
    }

    /// A day shifted by a calendar duration (`sign` 1 or -1): months first, clamped to
    /// the month's last day, then days, as `data::time::shift_date`; an open end stays.
    fn shift(&self, day: &str, d: crate::data::Duration, sign: i64) -> String {
        let months = i64::from(d.months) * sign;
        let days = d.days * sign;
        let moved = match self.dialect {
            // a date plus whole days is a date, without going through a timestamp
            Dialect::DuckDb | Dialect::Postgres if months == 0 => format!("({day} + ({days}))"),
            Dialect::DuckDb | Dialect::Postgres => {
                format!("CAST({day} + INTERVAL '{months} months' + INTERVAL '{days} days' AS DATE)")
            }
            Dialect::BigQuery => {
                format!("DATE_ADD(DATE_ADD({day}, INTERVAL {months} MONTH), INTERVAL {days} DAY)")
            }
            Dialect::Spark => format!("DATE_ADD(ADD_MONTHS({day}, {months}), {days})"),
        };
        format!(
            "(CASE WHEN {day} <= DATE '{OPEN_START}' OR {day} >= DATE '{OPEN_END}' \
             THEN {day} ELSE {moved} END)"
        )
    }

    /// `base.name` where `base` is the id of a record of `coll`: the field of the first
    /// record with that id (in load order), missing when there is none.
    fn through(&mut self, base: &CExpr, coll: &str, name: &str, e: &CExpr) -> Out {
        let id = match self.expr(base) {
            Out::Scalar(id) => id,
            Out::Record { alias, .. } => {
                let col = self.ident("id", &e.span);
                format!("{alias}.{col}")
            }
            Out::Failed => return Out::Failed,
            _ => return self.unsupported(&e.span, "a reference that is not an id"),
        };
        self.fresh += 1;
        let t = self.ident(&format!("{coll}#ref{}", self.fresh), &e.span);
        let table = self.ident(coll, &e.span);
        let (idc, pos) = (self.ident("id", &e.span), self.ident("_pos", &e.span));
        let col = self.ident(name, &e.span);
        let dialect = self.dialect;
        let first = |v: &str| {
            let pick = match dialect {
                Dialect::DuckDb => format!("FIRST({v} ORDER BY {t}.{pos})"),
                Dialect::Spark => format!("MIN_BY({v}, {t}.{pos})"),
                Dialect::Postgres => format!("(ARRAY_AGG({v} ORDER BY {t}.{pos}))[1]"),
                Dialect::BigQuery => {
                    format!("ARRAY_AGG(STRUCT({v} AS v) ORDER BY {t}.{pos} LIMIT 1)[OFFSET(0)].v")
                }
            };
            format!("(SELECT {pick} FROM {table} AS {t} WHERE {t}.{idc} = {id})")
        };
        match &e.ty {
            Ty::Str | Ty::Ref(_) | Ty::Bool => Out::Scalar(first(&format!("{t}.{col}"))),
            Ty::Number | Ty::Date => {
                let hi = self.ident(&format!("{name}{HI}"), &e.span);
                Out::Interval {
                    lo: first(&format!("{t}.{col}")),
                    hi: first(&format!("{t}.{hi}")),
                }
            }
            other => self.unsupported(&e.span, &format!("a field of type {other}")),
        }
    }

    /// An aggregate over a collection as correlated subqueries, one per bound, with
    /// the semantics of `eval::expr::Acc`: elements whose filter is false are left
    /// out, those whose filter is unknown may or may not count.
    fn aggregate(&mut self, a: &CAggregate, span: &Span) -> Out {
        // found by running it: a subquery inside an aggregate's subquery cannot read
        // the query around both in Spark
        let mut inner = false;
        for e in [&a.filter, &a.value].into_iter().flatten() {
            e.walk(&mut |x| inner |= matches!(x.kind, CKind::Field { deref: Some(_), .. }));
        }
        if self.dialect == Dialect::Spark && inner {
            return self.unsupported(
                span,
                "an aggregate whose filter or value reads a field through a reference (Spark resolves no column two subqueries out)",
            );
        }
        if self.dialect == Dialect::Spark && reads_two_out(a) {
            return self.unsupported(
                span,
                "an aggregate inside this one that reads a variable from outside this one (Spark resolves no column two subqueries out)",
            );
        }
        let x = self.alias(a.var);
        // an expression of the aggregate's own row (see `anchor` below)
        let row: String;
        // the columns of the aggregate's rows, for Spark's inner projection below
        let mut star = format!("{x}.*");
        // the rows the aggregate runs over, and the list they come from (a missing
        // list leaves the aggregate unknown)
        let (from, list) = match &a.source {
            CSource::Collection(c) => {
                let pos = self.ident("_pos", span);
                row = format!("{x}.{pos}");
                let table = self.ident(c, span);
                let from = match self.narrowing(a, span) {
                    // the records the key equality does not make false: an equal
                    // key, no key (both unknown), or every record when the outer key
                    // is missing; every conjunct is still evaluated on each, so this
                    // only narrows, as an index does in the native engine
                    Some((key, outer)) => format!(
                        "(SELECT * FROM {table} AS {x} WHERE {x}.{key} = {outer} \
                         UNION ALL SELECT * FROM {table} AS {x} WHERE {x}.{key} IS NULL AND {outer} IS NOT NULL \
                         UNION ALL SELECT * FROM {table} AS {x} WHERE {outer} IS NULL) AS {x}"
                    ),
                    None => format!("{table} AS {x}"),
                };
                (from, None)
            }
            CSource::List { expr, deref } => {
                let list = match self.expr(expr) {
                    Out::List(l) => l,
                    Out::Failed => return Out::Failed,
                    _ => {
                        return self.unsupported(
                            span,
                            "an aggregate over a list of values that are not strings or ids",
                        )
                    }
                };
                self.fresh += 1;
                let u = self.ident(&format!("items#{}", self.fresh), span);
                let v = self.ident("v", span);
                let (rows, item): (String, String) = match self.dialect {
                    Dialect::DuckDb => (
                        format!("(SELECT UNNEST({list}) AS {v}) AS {u}"),
                        format!("{u}.{v}"),
                    ),
                    Dialect::Postgres => {
                        (format!("UNNEST({list}) AS {u}({v})"), format!("{u}.{v}"))
                    }
                    Dialect::BigQuery => (format!("UNNEST({list}) AS {u}"), u.clone()),
                    Dialect::Spark => (
                        format!("(SELECT EXPLODE({list}) AS {v}) AS {u}"),
                        format!("{u}.{v}"),
                    ),
                };
                row = item.clone();
                match deref {
                    // ids followed into their records: an id of no record is a
                    // missing record (every field NULL)
                    Some(coll) => {
                        let table = self.ident(coll, span);
                        let id = self.ident("id", span);
                        star = format!("{u}.*, {x}.*");
                        (
                            format!("{rows} LEFT JOIN {table} AS {x} ON {x}.{id} = {item}"),
                            Some(list),
                        )
                    }
                    None => {
                        self.scalars.insert(a.var, item);
                        star = format!("{u}.*");
                        (rows, Some(list))
                    }
                }
            }
        };
        // the aggregates inside this one's filter and value: in its own FROM
        self.laterals.push(Vec::new());
        let f = match &a.filter {
            Some(f) => self.truth(f),
            None => "TRUE".into(),
        };
        // SQL takes an aggregate whose arguments read only the query around it as an
        // aggregate of that query: every argument here reads the aggregate's own row
        // through `anchor`, which is always true
        let anchor = format!("({row} IS NULL OR {row} IS NOT NULL)");
        // Spark refuses an aggregate function whose argument reads both the
        // subquery's rows and the query around it (found by running it), which
        // unknown filters need: there, the filter and the values are columns of an
        // inner projection over the aggregate's rows, and the aggregate functions
        // read only those
        let dialect = self.dialect;
        let spark = dialect == Dialect::Spark;
        let mut projected: Vec<String> = Vec::new();
        let mut local = |e: String| -> String {
            if !spark {
                return e;
            }
            let name = quote::ident(dialect, &format!(":p{}", projected.len())).unwrap_or_default();
            projected.push(format!("{e} AS {name}"));
            format!("{x}.{name}")
        };
        let f = local(format!("({anchor} AND {f})"));
        // Where the dialect has LATERAL (DuckDB, PostgreSQL, Spark), the aggregate is
        // one subquery joined to its level's FROM, whose columns are every aggregate
        // function it needs, each computed once per outer row; elsewhere each is a
        // scalar subquery of its own, written where it is used
        let lateral = matches!(
            dialect,
            Dialect::DuckDb | Dialect::Postgres | Dialect::Spark
        );
        self.fresh += 1;
        let agg = self.ident(&format!("agg#{}", self.fresh), span);
        let cols: std::cell::RefCell<Vec<String>> = Default::default();
        let sub = |sel: &str| {
            let q = if lateral {
                let mut cols = cols.borrow_mut();
                let i = match cols.iter().position(|c| c == sel) {
                    Some(i) => i,
                    None => {
                        cols.push(sel.to_string());
                        cols.len() - 1
                    }
                };
                let c = quote::ident(dialect, &format!("c{i}")).unwrap_or_default();
                format!("{agg}.{c}")
            } else {
                format!("(SELECT {sel} FROM {from} WHERE COALESCE({f}, TRUE))")
            };
            match &list {
                Some(l) => format!("(CASE WHEN {l} IS NULL THEN NULL ELSE {q} END)"),
                None => q,
            }
        };
        let value = match &a.value {
            Some(v) if !matches!(a.op, AggregateOp::Exists | AggregateOp::All) => Some(match self
                .expr(v)
            {
                Out::Scalar(k) => Out::Scalar(local(format!("(CASE WHEN {anchor} THEN {k} END)"))),
                Out::Interval { lo, hi } => Out::Interval {
                    lo: local(format!("(CASE WHEN {anchor} THEN {lo} END)")),
                    hi: local(format!("(CASE WHEN {anchor} THEN {hi} END)")),
                },
                Out::Any(a) => {
                    let mut w = |x: &str| local(format!("(CASE WHEN {anchor} THEN {x} END)"));
                    Out::Any(Box::new(AnyCols {
                        kind: w(&a.kind),
                        s: w(&a.s),
                        nlo: w(&a.nlo),
                        nhi: w(&a.nhi),
                        dlo: w(&a.dlo),
                        dhi: w(&a.dhi),
                        b: w(&a.b),
                    }))
                }
                other => other,
            }),
            _ => None,
        };
        let out = match (a.op, value) {
            (AggregateOp::Count, _) => Out::Interval {
                lo: sub(&format!("COUNT(CASE WHEN {f} THEN 1 END)")),
                hi: sub("COUNT(*)"),
            },
            (AggregateOp::Exists, _) => Out::Bool(sub(&format!(
                "CASE WHEN COUNT(CASE WHEN {f} THEN 1 END) > 0 THEN TRUE \
                 WHEN COUNT(*) > 0 THEN NULL ELSE FALSE END"
            ))),
            (AggregateOp::All, _) => {
                let p = match &a.value {
                    Some(v) => {
                        let p = self.truth(v);
                        local(p)
                    }
                    None => "TRUE".into(),
                };
                // an element fails it when it surely counts and surely fails; leaves it
                // unknown when it surely counts and is unknown, or may count and may fail
                Out::Bool(sub(&format!(
                    "CASE WHEN COUNT(CASE WHEN {f} AND NOT {p} THEN 1 END) > 0 THEN FALSE \
                     WHEN COUNT(CASE WHEN ({f} AND {p} IS NULL) OR ({f} IS NULL AND NOT COALESCE({p}, FALSE)) THEN 1 END) > 0 THEN NULL \
                     ELSE TRUE END"
                )))
            }
            (AggregateOp::CountDistinct, Some(v)) => {
                let key = match v {
                    Out::Scalar(k) => k,
                    Out::Record { alias, .. } => {
                        let id = self.ident("id", span);
                        format!("{alias}.{id}")
                    }
                    _ => return self.unsupported(span, "`count_distinct` of numbers or dates"),
                };
                let lo = sub(&format!(
                    "COUNT(DISTINCT CASE WHEN {f} AND {key} IS NOT NULL THEN {key} END)"
                ));
                let hi = sub(&format!(
                    "COUNT(DISTINCT CASE WHEN {f} AND {key} IS NOT NULL THEN {key} END) \
                     + COUNT(CASE WHEN {f} AND {key} IS NOT NULL THEN NULL ELSE 1 END)"
                ));
                Out::Interval { lo, hi }
            }
            (
                op @ (AggregateOp::Sum | AggregateOp::Avg | AggregateOp::Min | AggregateOp::Max),
                Some(Out::Interval { lo: vlo, hi: vhi }),
            ) => {
                if a.value.as_ref().is_some_and(|v| v.ty != Ty::Number) {
                    return self.unsupported(span, &format!("`{}` of dates", op.as_str()));
                }
                // an element that may count and has no value leaves the result unknown
                let missing = format!("COUNT(CASE WHEN {vlo} IS NULL THEN 1 END) > 0");
                let (lo, hi, unknown) = self.numeric_bounds(op, &f, &vlo, &vhi);
                let unknown = match unknown {
                    Some(u) => format!("{missing} OR {u}"),
                    None => missing,
                };
                Out::Interval {
                    lo: sub(&format!("CASE WHEN {unknown} THEN NULL ELSE {lo} END")),
                    hi: sub(&format!("CASE WHEN {unknown} THEN NULL ELSE {hi} END")),
                }
            }
            (
                op @ (AggregateOp::Sum | AggregateOp::Avg | AggregateOp::Min | AggregateOp::Max),
                Some(Out::Any(v)),
            ) => self.aggregate_any(op, &v, &f, &sub),
            (op, _) => self.unsupported(span, &format!("`{}` of this value", op.as_str())),
        };
        let nested = self.laterals.pop().unwrap_or_default();
        let cols = cols.into_inner();
        if !cols.is_empty() {
            let mut from = from;
            for n in nested {
                from.push_str(&format!(", {n}"));
            }
            if !projected.is_empty() {
                from = format!(
                    "(SELECT {star}, {} FROM {from}) AS {x}",
                    projected.join(", ")
                );
            }
            let sel: Vec<String> = cols
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let name = quote::ident(self.dialect, &format!("c{i}")).unwrap_or_default();
                    format!("{c} AS {name}")
                })
                .collect();
            let q = format!(
                "LATERAL (SELECT {} FROM {from} WHERE COALESCE({f}, TRUE)) AS {agg}",
                sel.join(", ")
            );
            if let Some(level) = self.laterals.last_mut() {
                level.push(q);
            }
        }
        out
    }

    /// A key that narrows the records aggregate `a` reads (DuckDB and PostgreSQL,
    /// whose planners then join on it): a conjunct of its filter `x.k == e` where
    /// `x.k` is a string or id field of the aggregate's record and `e` a string of
    /// the query around it (no aggregate in it). The field's quoted name and `e`.
    fn narrowing(&mut self, a: &CAggregate, span: &Span) -> Option<(String, String)> {
        if !matches!(self.dialect, Dialect::DuckDb | Dialect::Postgres) {
            return None;
        }
        let mut parts = Vec::new();
        crate::check::ir::conjuncts(a.filter.as_ref()?, &mut parts);
        let text = |t: &Ty| matches!(t, Ty::Str | Ty::Ref(_));
        for p in &parts {
            let CKind::Binary(BinaryOp::Eq, l, r) = &p.kind else {
                continue;
            };
            for (mine, other) in [(l, r), (r, l)] {
                let CKind::Field {
                    base,
                    name,
                    deref: None,
                } = &mine.kind
                else {
                    continue;
                };
                if !matches!(base.kind, CKind::Var(v) if v == a.var)
                    || !text(&mine.ty)
                    || !text(&other.ty)
                {
                    continue;
                }
                let mut outside = true;
                other.walk(&mut |e| match &e.kind {
                    CKind::Var(v) if *v == a.var => outside = false,
                    CKind::Aggregate(_) => outside = false,
                    _ => {}
                });
                if !outside {
                    continue;
                }
                if let Out::Scalar(o) = self.expr(other) {
                    return Some((self.ident(name, span), o));
                }
            }
        }
        None
    }

    /// A value by kind (see `Facets`); `None` for what has no kind here.
    fn facets(&mut self, out: Out, ty: &Ty, span: &Span) -> Option<Facets> {
        let t = || "TRUE".to_string();
        let none = Facets {
            missing: String::new(),
            string: None,
            number: None,
            date: None,
            boolean: None,
        };
        Some(match (out, ty) {
            (Out::Any(a), _) => {
                let k = |kind: &str| format!("{} = '{kind}'", a.kind);
                Facets {
                    missing: format!("{} IS NULL", a.kind),
                    string: Some((k("string"), a.s.clone())),
                    number: Some((k("number"), a.nlo.clone(), a.nhi.clone())),
                    date: Some((k("date"), a.dlo.clone(), a.dhi.clone())),
                    boolean: Some((k("bool"), a.b.clone())),
                }
            }
            (Out::Record { alias, .. }, _) => {
                let id = self.ident("id", span);
                Facets {
                    missing: "FALSE".into(),
                    string: Some((t(), format!("{alias}.{id}"))),
                    ..none
                }
            }
            (Out::Scalar(x) | Out::Bool(x), Ty::Bool) => Facets {
                missing: format!("{x} IS NULL"),
                boolean: Some((t(), x)),
                ..none
            },
            (Out::Scalar(x), Ty::Str | Ty::Ref(_)) => Facets {
                missing: format!("{x} IS NULL"),
                string: Some((t(), x)),
                ..none
            },
            (Out::Interval { lo, hi }, Ty::Number) => Facets {
                missing: format!("{lo} IS NULL"),
                number: Some((t(), lo, hi)),
                ..none
            },
            (Out::Interval { lo, hi }, Ty::Date) => Facets {
                missing: format!("{lo} IS NULL"),
                date: Some((t(), lo, hi)),
                ..none
            },
            _ => return None,
        })
    }

    /// Equality where a side is of type `any`, as `eval::ops::eq_values`: unknown when
    /// either is missing, false between kinds, and as each kind compares within one.
    fn eq_any(&mut self, a: (Out, &Ty), b: (Out, &Ty), span: &Span) -> String {
        let (Some(x), Some(y)) = (self.facets(a.0, a.1, span), self.facets(b.0, b.1, span)) else {
            self.unsupported(span, "an equality with a value of type any");
            return "NULL".into();
        };
        let mut arms = Vec::new();
        if let (Some((g, s)), Some((h, t))) = (&x.string, &y.string) {
            arms.push(format!("WHEN {g} AND {h} THEN {s} = {t}"));
        }
        if let (Some((g, alo, ahi)), Some((h, blo, bhi))) = (&x.number, &y.number) {
            arms.push(format!(
                "WHEN {g} AND {h} THEN {}",
                interval_eq(alo, ahi, blo, bhi)
            ));
        }
        if let (Some((g, alo, ahi)), Some((h, blo, bhi))) = (&x.date, &y.date) {
            arms.push(format!(
                "WHEN {g} AND {h} THEN {}",
                interval_eq(alo, ahi, blo, bhi)
            ));
        }
        if let (Some((g, s)), Some((h, t))) = (&x.boolean, &y.boolean) {
            arms.push(format!("WHEN {g} AND {h} THEN {s} = {t}"));
        }
        format!(
            "(CASE WHEN {} OR {} THEN NULL {} ELSE FALSE END)",
            x.missing,
            y.missing,
            arms.join(" ")
        )
    }

    /// `a < b` (`strict`) or `a <= b` where a side is of type `any`, as
    /// `eval::ops::order`: strings by bytes, numbers and dates as intervals, and
    /// unknown for anything else (values of two kinds among them).
    fn order_any(&mut self, a: (Out, &Ty), b: (Out, &Ty), strict: bool, span: &Span) -> Out {
        let (Some(x), Some(y)) = (self.facets(a.0, a.1, span), self.facets(b.0, b.1, span)) else {
            return self.unsupported(span, "an order with a value of type any");
        };
        let mut arms = Vec::new();
        if let (Some((g, s)), Some((h, t))) = (&x.string, &y.string) {
            arms.push(format!(
                "WHEN {g} AND {h} THEN {}",
                self.str_order(s, t, strict)
            ));
        }
        if let (Some((g, alo, ahi)), Some((h, blo, bhi))) = (&x.number, &y.number) {
            arms.push(format!(
                "WHEN {g} AND {h} THEN {}",
                interval_order(alo, ahi, blo, bhi, strict)
            ));
        }
        if let (Some((g, alo, ahi)), Some((h, blo, bhi))) = (&x.date, &y.date) {
            arms.push(format!(
                "WHEN {g} AND {h} THEN {}",
                interval_order(alo, ahi, blo, bhi, strict)
            ));
        }
        if arms.is_empty() {
            return Out::Bool("NULL".into());
        }
        Out::Bool(format!("(CASE {} ELSE NULL END)", arms.join(" ")))
    }

    /// `sum`, `avg`, `min` or `max` over numbers with bounds `vlo` and `vhi` whose
    /// filter is `f`, as `eval::expr::numeric_aggregate`: its bounds, and when it is
    /// unknown besides an element without a value (`None`: never). A sum takes an
    /// element that may count as adding between 0 and its value; an average is unknown
    /// when any element may count or none surely does; `max` is at least the largest
    /// lower bound of the sure elements and at most the largest upper bound of all, and
    /// is unknown when none surely counts (`min` mirrors it).
    fn numeric_bounds(
        &self,
        op: AggregateOp,
        f: &str,
        vlo: &str,
        vhi: &str,
    ) -> (String, String, Option<String>) {
        let sure = format!("COUNT(CASE WHEN {f} THEN 1 END)");
        match op {
            AggregateOp::Sum => (
                format!("COALESCE(SUM(CASE WHEN {f} THEN {vlo} WHEN {vlo} < 0 THEN {vlo} ELSE 0 END), 0)"),
                format!("COALESCE(SUM(CASE WHEN {f} THEN {vhi} WHEN {vhi} > 0 THEN {vhi} ELSE 0 END), 0)"),
                None,
            ),
            AggregateOp::Avg => {
                let d = self.double();
                (
                    format!("CAST(SUM({vlo}) AS {d}) / COUNT(*)"),
                    format!("CAST(SUM({vhi}) AS {d}) / COUNT(*)"),
                    Some(format!(
                        "COUNT(CASE WHEN {f} IS NULL THEN 1 END) > 0 OR COUNT(*) = 0"
                    )),
                )
            }
            AggregateOp::Max => (
                format!("MAX(CASE WHEN {f} THEN {vlo} END)"),
                format!("MAX({vhi})"),
                Some(format!("{sure} = 0")),
            ),
            _ => (
                format!("MIN({vlo})"),
                format!("MIN(CASE WHEN {f} THEN {vhi} END)"),
                Some(format!("{sure} = 0")),
            ),
        }
    }

    /// `sum`, `avg`, `min`, `max` of values of type `any`, as `eval::expr::Acc::finish`:
    /// unknown when an element that may count has no value; numbers (and ranges) as
    /// for numbers; otherwise unknown when an element may count, and for `min`/`max`
    /// the extreme of the values that surely count when they are all strings, all the
    /// same boolean, or all dates of one day each (or one date); values of two kinds
    /// are unknown. Dates of coarser precision are ordered one by one in factlint, which
    /// SQL does not do: such a case stops the query with an error, never a different
    /// answer.
    fn aggregate_any(
        &mut self,
        op: AggregateOp,
        v: &AnyCols,
        f: &str,
        sub: &dyn Fn(&str) -> String,
    ) -> Out {
        let k = &v.kind;
        let (nlo, nhi, s, b, dlo, dhi) = (&v.nlo, &v.nhi, &v.s, &v.b, &v.dlo, &v.dhi);
        let missing = format!("COUNT(CASE WHEN {k} IS NULL THEN 1 END) > 0");
        let all = |kind: &str| format!("COUNT(CASE WHEN {k} <> '{kind}' THEN 1 END) = 0");
        let (numbers, strings, bools, dates) =
            (all("number"), all("string"), all("bool"), all("date"));
        let maybe = format!("COUNT(CASE WHEN {f} IS NULL THEN 1 END) > 0");
        let sure = format!("COUNT(CASE WHEN {f} THEN 1 END)");
        let max = op == AggregateOp::Max;
        // the numbers' bounds, as for fields of type number
        let (lo, hi, unknown) = self.numeric_bounds(op, f, nlo, nhi);
        let unknown = unknown.map(|u| format!(" OR {u}")).unwrap_or_default();
        let number = |x: &str| {
            sub(&format!(
                "CASE WHEN {missing} OR NOT ({numbers}){unknown} THEN NULL ELSE {x} END"
            ))
        };
        let (nlo_out, nhi_out) = (number(&lo), number(&hi));
        if matches!(op, AggregateOp::Sum | AggregateOp::Avg) {
            // anything but numbers leaves a sum or an average unknown
            return Out::Any(Box::new(AnyCols {
                kind: format!("(CASE WHEN {nlo_out} IS NULL THEN NULL ELSE 'number' END)"),
                s: "NULL".into(),
                nlo: nlo_out,
                nhi: nhi_out,
                dlo: "NULL".into(),
                dhi: "NULL".into(),
                b: "NULL".into(),
            }));
        }
        let pick = if max { "MAX" } else { "MIN" };
        let c = self.by_bytes();
        let bit = format!("(CASE WHEN {b} THEN 1 ELSE 0 END)");
        let same_bool = format!("MIN({bit}) = MAX({bit})");
        let text = tables::type_name(self.dialect, tables::Kind::Text);
        // not a constant: an engine must not fold it before it is reached
        let undecided = format!(
            "CAST(CONCAT('factlint: the {} of dates of coarser precision than a day is decided one by one; run this rule natively, values: ', CAST(COUNT(*) AS {text})) AS DATE)",
            if max { "max" } else { "min" }
        );
        let one_day_each = format!("COUNT(CASE WHEN {dlo} <> {dhi} THEN 1 END) = 0");
        // the other kinds: only elements that surely count
        let other = |then: &str| {
            sub(&format!(
                "CASE WHEN {missing} OR {numbers} OR {maybe} THEN NULL {then} ELSE NULL END"
            ))
        };
        let kind = sub(&format!(
            "CASE WHEN {missing} THEN NULL \
             WHEN {numbers} THEN (CASE WHEN {sure} = 0 THEN NULL ELSE 'number' END) \
             WHEN {maybe} THEN NULL \
             WHEN {strings} THEN 'string' \
             WHEN {bools} THEN (CASE WHEN {same_bool} THEN 'bool' END) \
             WHEN {dates} THEN 'date' ELSE NULL END"
        ));
        let date = |bound: &str| {
            other(&format!(
                "WHEN {dates} THEN (CASE WHEN {one_day_each} THEN {pick}({dlo}) \
                 WHEN COUNT(*) = 1 THEN MAX({bound}) ELSE {undecided} END)"
            ))
        };
        Out::Any(Box::new(AnyCols {
            kind,
            s: other(&format!("WHEN {strings} THEN {pick}({s}{c})")),
            nlo: nlo_out,
            nhi: nhi_out,
            dlo: date(dlo),
            dhi: date(dhi),
            b: other(&format!("WHEN {bools} AND {same_bool} THEN MAX({bit}) = 1")),
        }))
    }

    /// Equality as `eval::ops::eq`.
    fn eq(&mut self, a: Out, b: Out, span: &Span) -> String {
        match (a, b) {
            (Out::Failed, _) | (_, Out::Failed) => "NULL".into(),
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
            (Out::Interval { lo: alo, hi: ahi }, Out::Interval { lo: blo, hi: bhi }) => {
                interval_eq(&alo, &ahi, &blo, &bhi)
            }
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

    /// `x < y` (`strict`) or `x <= y` on strings: by bytes, as Rust compares them
    /// (PostgreSQL's default collation would follow a locale).
    fn str_order(&self, x: &str, y: &str, strict: bool) -> String {
        let op = if strict { "<" } else { "<=" };
        let c = self.by_bytes();
        format!("({x}{c} {op} {y}{c})")
    }

    /// What a string is followed by to be ordered by bytes: PostgreSQL's default
    /// collation follows a locale; the other dialects order by bytes already.
    fn by_bytes(&self) -> &'static str {
        if self.dialect == Dialect::Postgres {
            " COLLATE \"C\""
        } else {
            ""
        }
    }

    /// `a < b` (`strict`) or `a <= b`, as `eval::ops::order`.
    fn order(&mut self, a: Out, b: Out, strict: bool, span: &Span) -> Out {
        match (a, b) {
            (Out::Failed, _) | (_, Out::Failed) => Out::Failed,
            (Out::Scalar(x), Out::Scalar(y)) => Out::Bool(self.str_order(&x, &y, strict)),
            (Out::Interval { lo: alo, hi: ahi }, Out::Interval { lo: blo, hi: bhi }) => {
                Out::Bool(interval_order(&alo, &ahi, &blo, &bhi, strict))
            }
            _ => self.unsupported(span, "an order between values of different kinds"),
        }
    }
}

/// The columns of a field of type `any` (docs/sql.md): its kind (`string`, `number`,
/// `date`, `bool`; NULL when missing) and a value column per kind.
#[derive(Clone, Debug)]
struct AnyCols {
    kind: String,
    s: String,
    nlo: String,
    nhi: String,
    dlo: String,
    dhi: String,
    b: String,
}

/// A value seen by kind, for comparisons where one side is of type `any`: when it is
/// missing, and for each kind it may be, when it is of that kind and its SQL.
struct Facets {
    missing: String,
    string: Option<(String, String)>,
    number: Option<(String, String, String)>,
    date: Option<(String, String, String)>,
    boolean: Option<(String, String)>,
}

/// Equality of two closed intervals, as `eval::ops::interval_eq`. A missing side makes
/// every test NULL, so the `CASE` ends unknown.
fn interval_eq(alo: &str, ahi: &str, blo: &str, bhi: &str) -> String {
    format!(
        "(CASE WHEN {alo} = {ahi} AND {blo} = {bhi} THEN {alo} = {blo} \
         WHEN {ahi} < {blo} OR {bhi} < {alo} THEN FALSE ELSE NULL END)"
    )
}

/// `a < b` (`strict`) or `a <= b` on closed intervals, as `eval::ops::order` (unknown
/// when either side is missing, as above).
fn interval_order(alo: &str, ahi: &str, blo: &str, bhi: &str, strict: bool) -> String {
    let (yes, no) = if strict {
        (format!("{ahi} < {blo}"), format!("{alo} >= {bhi}"))
    } else {
        (format!("{ahi} <= {blo}"), format!("{alo} > {bhi}"))
    };
    format!("(CASE WHEN {yes} THEN TRUE WHEN {no} THEN FALSE ELSE NULL END)")
}

/// A day as a SQL date literal (the same in every dialect here).
pub(crate) fn date(d: chrono::NaiveDate) -> String {
    format!("DATE '{}'", d.format("%Y-%m-%d"))
}

/// Whether `e` compiles to a subquery: an aggregate, or a field read through a
/// reference. Spark takes a correlated subquery only in `WHERE` and `SELECT`, so
/// such a conjunct stays in `WHERE`, after the joins (see `Compiler::rule`).
fn reads_subquery(e: &CExpr) -> bool {
    let mut found = false;
    e.walk(&mut |x| {
        found |= matches!(
            x.kind,
            CKind::Aggregate(_) | CKind::Field { deref: Some(_), .. }
        )
    });
    found
}

/// Whether an aggregate inside `a` reads a variable bound outside `a`: two
/// subqueries out, which Spark cannot resolve (it can one).
fn reads_two_out(a: &CAggregate) -> bool {
    let mut found = false;
    for e in [&a.filter, &a.value].into_iter().flatten() {
        e.walk(&mut |x| {
            let CKind::Aggregate(n) = &x.kind else {
                return;
            };
            // the variables bound inside `n`, and those it reads
            let mut inside = vec![n.var];
            let mut read = Vec::new();
            let mut visit = |y: &CExpr| match &y.kind {
                CKind::Aggregate(m) => inside.push(m.var),
                CKind::Var(v) => read.push(*v),
                _ => {}
            };
            if let CSource::List { expr, .. } = &n.source {
                expr.walk(&mut visit);
            }
            for part in [&n.filter, &n.value].into_iter().flatten() {
                part.walk(&mut visit);
            }
            found |= read.iter().any(|v| *v != a.var && !inside.contains(v));
        });
    }
    found
}

/// `v.name` of a variable (no reference followed): the variable and the field.
fn field_of_var(e: &CExpr) -> Option<(usize, std::sync::Arc<str>)> {
    match &e.kind {
        CKind::Field {
            base,
            name,
            deref: None,
        } => match base.kind {
            CKind::Var(v) => Some((v, name.clone())),
            _ => None,
        },
        _ => None,
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
