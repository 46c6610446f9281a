//! Why a finding fired, and why an expected one did not: every binding, every
//! predicate of the rule with the values it compared and whether it held.

use super::expr::{BoundedScan, Budget, Cx, Env};
use super::ops::{Tri, V};
use super::run::Limits;
use super::span_text;
use crate::check::ir::{CBinding, CExpr, CKind, CRule, CSource};
use crate::data::{Dataset, Value};
use crate::diag::escape::visible;
use crate::diag::Sources;
use crate::plan::{plan_rule, RulePlan};
use std::fmt::Write as _;

/// One predicate of a rule under one binding.
#[derive(Clone, Debug, PartialEq)]
pub struct PredicateTrace {
    pub text: String,
    /// The operands it compared, as `text = value`.
    pub operands: Vec<(String, String)>,
    pub result: Tri,
    /// For an unknown predicate: the values that left it unknown (a missing field and
    /// its record, an imprecise value), as findings' `undecided` names them.
    pub because: Vec<String>,
}

fn operands(e: &CExpr) -> Vec<&CExpr> {
    match &e.kind {
        CKind::Binary(_, a, b) => vec![a, b],
        CKind::Within { lhs, window, rhs } => vec![lhs, window, rhs],
        CKind::Missing { expr, .. } | CKind::Matches(expr, _) => vec![expr],
        CKind::Unary(_, x) => operands(x),
        _ => vec![],
    }
}

/// Evaluate every conjunct of `rule` with its variables bound as in `env`, within the
/// default work budget.
pub fn trace<'d>(
    rule: &CRule,
    ds: &'d Dataset,
    consts: &[Value],
    sources: &Sources,
    env: &mut Env<'d>,
) -> Vec<PredicateTrace> {
    let budget = Budget::new(Limits::default().max_work);
    let access = BoundedScan(&budget);
    let cx = Cx {
        ds,
        consts,
        access: &access,
    };
    trace_with(&plan_rule(rule), &cx, sources, env)
}

/// `trace` with the plan made and the work spent from `cx`'s budget.
fn trace_with<'d>(
    plan: &RulePlan,
    cx: &Cx<'d, '_>,
    sources: &Sources,
    env: &mut Env<'d>,
) -> Vec<PredicateTrace> {
    plan.conjuncts
        .iter()
        .zip(&plan.weights)
        .map(|(c, w)| {
            cx.spend(*w);
            let result = cx.truth(c, env);
            let mut because = Vec::new();
            if result == Tri::Unknown {
                super::why_unknown(cx, c, env, sources, &mut because);
            }
            PredicateTrace {
                text: span_text(sources, &c.span),
                operands: operands(c)
                    .into_iter()
                    .filter(|o| !matches!(o.kind, CKind::Lit(_)))
                    .map(|o| (span_text(sources, &o.span), cx.eval(o, env).display()))
                    .collect(),
                result,
                because,
            }
        })
        .collect()
}

/// Bind the rule's variables to records given as `var=id` and explain the outcome:
/// for a finding, every predicate; for a binding that did not fire, the first
/// predicate that failed. Unknown variables or ids give an error message, and so does
/// passing the work budget of `limits` (`--max-work`).
pub fn explain_binding(
    rule: &CRule,
    ds: &Dataset,
    consts: &[Value],
    sources: &Sources,
    bind: &[(String, String)],
    limits: &Limits,
) -> Result<String, String> {
    let budget = Budget::new(limits.max_work);
    let access = BoundedScan(&budget);
    let cx = Cx {
        ds,
        consts,
        access: &access,
    };
    let plan = plan_rule(rule);
    let mut env: Env = vec![V::Missing; rule.vars.len()];
    let mut out = String::new();
    let _ = writeln!(out, "rule {}", visible(&rule.info.id));
    for (v, _) in bind {
        if !rule.bindings.iter().any(|b| &rule.vars[b.var].name == v) {
            let names: Vec<&str> = rule
                .bindings
                .iter()
                .map(|b| rule.vars[b.var].name.as_str())
                .collect();
            return Err(format!(
                "rule `{}` binds no `{}` (it binds {})",
                visible(&rule.info.id),
                visible(v),
                visible(&names.join(", "))
            ));
        }
    }
    let unbound: Vec<usize> = rule
        .bindings
        .iter()
        .enumerate()
        .filter(|(_, b)| !bind.iter().any(|(v, _)| *v == rule.vars[b.var].name))
        .map(|(i, _)| i)
        .collect();
    if !unbound.is_empty() {
        return nearest(rule, &plan, &cx, sources, bind, &unbound);
    }
    for b in &rule.bindings {
        let name = &rule.vars[b.var].name;
        let Some((_, id)) = bind.iter().find(|(v, _)| v == name) else {
            let name = visible(name);
            return Err(format!("give a record for `{name}` (`--bind {name}=ID`)"));
        };
        let (r, coll) = given_record(rule, b, ds, id)?;
        env[b.var] = V::Rec(r, coll);
        let _ = writeln!(
            out,
            "  {} = {}/{} ({})",
            visible(name),
            visible(coll),
            visible(id),
            r.span
        );
    }
    let traces = trace_with(&plan, &cx, sources, &mut env);
    if cx.exhausted() {
        return Err(over_budget(rule, &cx));
    }
    let mut verdict = Tri::True;
    for t in &traces {
        verdict = verdict.and(t.result);
    }
    let _ = writeln!(
        out,
        "{}",
        match verdict {
            Tri::True => "fires (certain): every predicate holds",
            Tri::Unknown => "fires (possible): no predicate fails, some are unknown",
            Tri::False => "does not fire",
        }
    );
    let mut first_failure = true;
    for t in &traces {
        let mark = match t.result {
            Tri::True => "holds  ",
            Tri::Unknown => "unknown",
            Tri::False => "FAILS  ",
        };
        let _ = writeln!(out, "  [{mark}] {}", visible(&t.text));
        for (text, val) in &t.operands {
            let _ = writeln!(out, "              {} = {}", visible(text), visible(val));
        }
        for b in &t.because {
            let _ = writeln!(out, "              because {}", visible(b));
        }
        if t.result == Tri::False && first_failure {
            let _ = writeln!(out, "              ^ the first predicate that fails");
            first_failure = false;
        }
    }
    Ok(out)
}

/// The message when explaining a rule passed its work budget.
fn over_budget(rule: &CRule, cx: &Cx<'_, '_>) -> String {
    let max = cx.access.budget().map_or(0, Budget::max);
    format!(
        "explaining rule `{}` passed its work budget of {max} (--max-work); raise it, or give more of the rule's variables with --bind",
        rule.info.id
    )
}

/// The record `id` that binding `b` is given, with the name of its collection; an
/// error message when `b` ranges over plain values, or there is no such record.
fn given_record<'d>(
    rule: &CRule,
    b: &CBinding,
    ds: &'d Dataset,
    id: &str,
) -> Result<(&'d crate::data::Record, &'d str), String> {
    let name = &rule.vars[b.var].name;
    let coll = match &b.source {
        CSource::Collection(c) | CSource::List { deref: Some(c), .. } => c,
        CSource::List { deref: None, .. } => {
            return Err(format!(
                "`{}` ranges over a list of values, not records",
                visible(name)
            ))
        }
    };
    let Some((cname, c)) = ds.collections.get_key_value(coll) else {
        return Err(format!("the dataset has no collection `{}`", visible(coll)));
    };
    let Some(r) = c.get(id) else {
        let ids: Vec<&str> = c.records.iter().map(|r| &*r.id).collect();
        let hint = crate::diag::suggest::did_you_mean(id, ids)
            .map(|s| format!("; did you mean `{}`?", visible(s)))
            .unwrap_or_default();
        return Err(format!(
            "no record `{}` in `{}`{hint}",
            visible(id),
            visible(coll)
        ));
    };
    Ok((r, cname))
}

/// The combinations of records for the variables not given that come nearest to
/// firing: fewest failing predicates, then fewest unknown ones.
fn nearest<'d>(
    rule: &CRule,
    plan: &RulePlan,
    cx: &Cx<'d, '_>,
    sources: &Sources,
    bind: &[(String, String)],
    unbound: &[usize],
) -> Result<String, String> {
    let ds = cx.ds;
    const LIMIT: usize = 100_000;
    // given variables first, as records
    let mut given: Vec<(usize, V)> = Vec::new();
    for b in &rule.bindings {
        let name = &rule.vars[b.var].name;
        if let Some((_, id)) = bind.iter().find(|(v, _)| v == name) {
            let (r, coll) = given_record(rule, b, ds, id)?;
            given.push((b.var, V::Rec(r, coll)));
        }
    }
    let mut env: Env = vec![V::Missing; rule.vars.len()];
    for (v, val) in &given {
        env[*v] = val.clone();
    }
    // every combination of the unbound variables, in binding order, up to LIMIT
    let mut combos: Vec<Vec<V>> = vec![Vec::new()];
    for &i in unbound {
        let b = &rule.bindings[i];
        let mut next = Vec::new();
        for c in &combos {
            for (k, v) in c.iter().enumerate() {
                env[rule.bindings[unbound[k]].var] = v.clone();
            }
            for el in cx.elements(&b.source, &mut env, None).unwrap_or_default() {
                if next.len() >= LIMIT {
                    break;
                }
                if !cx.spend(1) {
                    return Err(over_budget(rule, cx));
                }
                let mut c2 = c.clone();
                c2.push(el);
                next.push(c2);
            }
        }
        combos = next;
    }
    // the nearest SHOWN, first found first among equals: only they are kept, so the
    // traces of a hundred thousand combinations are never all held
    const SHOWN: usize = 3;
    let mut scored: Vec<(usize, usize, Vec<PredicateTrace>, Vec<V>)> = Vec::new();
    for c in combos {
        for (k, v) in c.iter().enumerate() {
            env[rule.bindings[unbound[k]].var] = v.clone();
        }
        let traces = trace_with(plan, cx, sources, &mut env);
        if cx.exhausted() {
            return Err(over_budget(rule, cx));
        }
        let fails = traces.iter().filter(|t| t.result == Tri::False).count();
        let unknown = traces.iter().filter(|t| t.result == Tri::Unknown).count();
        let at = scored.partition_point(|(f, u, _, _)| (*f, *u) <= (fails, unknown));
        if at < SHOWN {
            scored.insert(at, (fails, unknown, traces, c));
            scored.truncate(SHOWN);
        }
    }
    let mut out = format!("rule {}\n", visible(&rule.info.id));
    for (v, val) in &given {
        if let V::Rec(r, c) = val {
            let _ = writeln!(
                out,
                "  {} = {}/{} ({})",
                visible(&rule.vars[*v].name),
                visible(c),
                visible(&r.id),
                r.span
            );
        }
    }
    let names: Vec<&str> = unbound
        .iter()
        .map(|&i| rule.vars[rule.bindings[i].var].name.as_str())
        .collect();
    if scored.is_empty() {
        let _ = writeln!(out, "no records to try for {}", visible(&names.join(", ")));
        return Ok(out);
    }
    let _ = writeln!(
        out,
        "the nearest candidates for {}:",
        visible(&names.join(", "))
    );
    for (fails, unknown, traces, c) in &scored {
        let who: Vec<String> = c
            .iter()
            .map(|v| match v {
                V::Rec(r, coll) => format!("{coll}/{} ({})", r.id, r.span),
                other => other.display(),
            })
            .collect();
        let verdict = match (fails, unknown) {
            (0, 0) => "fires (certain)".to_string(),
            (0, _) => "fires (possible)".to_string(),
            (f, _) => format!(
                "{f} predicate{} fail{}",
                if *f == 1 { "" } else { "s" },
                if *f == 1 { "s" } else { "" }
            ),
        };
        let _ = writeln!(out, "  {}: {verdict}", visible(&who.join(", ")));
        for t in traces.iter().filter(|t| t.result != Tri::True) {
            let mark = if t.result == Tri::False {
                "FAILS  "
            } else {
                "unknown"
            };
            let _ = writeln!(out, "    [{mark}] {}", visible(&t.text));
            for (text, val) in &t.operands {
                let _ = writeln!(out, "                {} = {}", visible(text), visible(val));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    //! `explain_binding` on a small dataset: a binding that fires, one that fails at
    //! a named predicate, one that rests on a missing field, variables left out (the
    //! nearest candidates), and the errors for names and ids that do not exist.

    use super::*;
    use crate::check::ir::Suite;
    use crate::data::{intern, Collection, Fields, Record, Time};
    use crate::diag::{Level, Span};
    use std::collections::BTreeMap;
    use std::sync::Arc;

    const RULES: &str = "\
const window = 1 year

rule invaded-after-speaking {
  severity: warning
  message: \"{a.id}\"
  for s in statements, a in actions
  where a.actor == s.actor
    and a.kind == \"invasion\"
    and a.time within window of s.date
}

rule speaks-about {
  severity: info
  message: \"{x.id}\"
  for s in statements, x in s.about, q in s.quotes
  where x.kind == \"state\" and q starts with \"We\"
}

rule not-an-airstrike {
  severity: info
  message: \"{a.id}\"
  for a in actions
  where not (a.kind == \"airstrike\")
}
";

    fn rec(file: &str, line: u32, fields: Vec<(&str, Value)>) -> Record {
        let id = fields
            .iter()
            .find(|(k, _)| *k == "id")
            .and_then(|(_, v)| v.as_str())
            .unwrap()
            .to_string();
        Record {
            id: id.into(),
            fields: Fields::from_unsorted(
                fields.into_iter().map(|(k, v)| (intern(k), v)).collect(),
            ),
            span: Span::new(file.into(), 0, 0, line, 3),
            field_spans: Default::default(),
        }
    }

    fn day(s: &str) -> Value {
        Value::Time(Time::parse(s).unwrap())
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn dataset() -> Dataset {
        let mut ds = Dataset {
            schema: crate::data::event_model(),
            ..Default::default()
        };
        let mut add = |name: &str, recs: Vec<Record>| {
            let mut c = Collection::new(name);
            for r in recs {
                c.push(r);
            }
            ds.collections.insert(name.to_string(), c);
        };
        add(
            "actors",
            vec![
                rec(
                    "actors.yaml",
                    1,
                    vec![("id", s("RUS")), ("kind", s("state"))],
                ),
                rec(
                    "actors.yaml",
                    2,
                    vec![("id", s("UKR")), ("kind", s("state"))],
                ),
                rec(
                    "actors.yaml",
                    3,
                    vec![("id", s("wagner")), ("kind", s("group"))],
                ),
            ],
        );
        add(
            "statements",
            vec![rec(
                "statements.yaml",
                1,
                vec![
                    ("id", s("s1")),
                    ("actor", s("RUS")),
                    ("date", day("2022-01-01")),
                    ("about", Value::List(vec![s("wagner"), s("UKR")])),
                    ("quotes", Value::List(vec![s("They"), s("We")])),
                ],
            )],
        );
        let action = |line, id: &str, actor: &str, kind: &str, time: Option<&str>| {
            let mut f = vec![("id", s(id)), ("actor", s(actor)), ("kind", s(kind))];
            if let Some(t) = time {
                f.push(("time", day(t)));
            }
            rec("actions.yaml", line, f)
        };
        add(
            "actions",
            // a4 first: in data order it comes before a1, which fires for certain
            vec![
                action(13, "a4", "RUS", "invasion", None),
                action(1, "a1", "RUS", "invasion", Some("2022-02-24")),
                action(5, "a2", "RUS", "airstrike", Some("2022-03-01")),
                action(9, "a3", "UKR", "airstrike", Some("2022-03-01")),
                action(17, "a5", "RUS", "invasion", Some("2030-01-01")),
            ],
        );
        ds
    }

    fn suite() -> (Suite, Sources) {
        let (file, diags) = crate::syntax::parse("t.rules".into(), RULES);
        assert!(diags.is_empty(), "{diags:#?}");
        let (suite, diags) = crate::check::check(&[file], &crate::data::event_model());
        assert!(diags.iter().all(|d| d.level != Level::Error), "{diags:#?}");
        let mut sources = Sources::new();
        sources.add("t.rules".into(), Arc::from(RULES));
        (suite, sources)
    }

    /// Explain rule `rule` of the suite over `ds` with `bind` (`var=id` pairs).
    fn explain_in(ds: &Dataset, rule: usize, bind: &[(&str, &str)]) -> Result<String, String> {
        let (suite, sources) = suite();
        let consts = crate::eval::eval_consts(&suite, ds, &BTreeMap::new());
        let bind: Vec<(String, String)> = bind
            .iter()
            .map(|(v, id)| (v.to_string(), id.to_string()))
            .collect();
        explain_binding(
            &suite.rules[rule],
            ds,
            &consts,
            &sources,
            &bind,
            &Limits::default(),
        )
    }

    fn explain(bind: &[(&str, &str)]) -> Result<String, String> {
        explain_in(&dataset(), 0, bind)
    }

    #[test]
    fn a_binding_that_fires_shows_every_predicate_holding() {
        insta::assert_snapshot!(explain(&[("s", "s1"), ("a", "a1")]).unwrap(), @r#"
        rule invaded-after-speaking
          s = statements/s1 (statements.yaml:1:3)
          a = actions/a1 (actions.yaml:1:3)
        fires (certain): every predicate holds
          [holds  ] a.actor == s.actor
                      a.actor = RUS
                      s.actor = RUS
          [holds  ] a.kind == "invasion"
                      a.kind = invasion
          [holds  ] a.time within window of s.date
                      a.time = 2022-02-24
                      window = 1 years
                      s.date = 2022-01-01
        "#);
    }

    #[test]
    fn a_binding_that_does_not_fire_names_the_first_predicate_that_fails() {
        insta::assert_snapshot!(explain(&[("a", "a3"), ("s", "s1")]).unwrap(), @r#"
        rule invaded-after-speaking
          s = statements/s1 (statements.yaml:1:3)
          a = actions/a3 (actions.yaml:9:3)
        does not fire
          [FAILS  ] a.actor == s.actor
                      a.actor = UKR
                      s.actor = RUS
                      ^ the first predicate that fails
          [FAILS  ] a.kind == "invasion"
                      a.kind = airstrike
          [holds  ] a.time within window of s.date
                      a.time = 2022-03-01
                      window = 1 years
                      s.date = 2022-01-01
        "#);
    }

    #[test]
    fn a_missing_field_is_unknown_and_the_binding_fires_possibly() {
        insta::assert_snapshot!(explain(&[("s", "s1"), ("a", "a4")]).unwrap(), @r#"
        rule invaded-after-speaking
          s = statements/s1 (statements.yaml:1:3)
          a = actions/a4 (actions.yaml:13:3)
        fires (possible): no predicate fails, some are unknown
          [holds  ] a.actor == s.actor
                      a.actor = RUS
                      s.actor = RUS
          [holds  ] a.kind == "invasion"
                      a.kind = invasion
          [unknown] a.time within window of s.date
                      a.time = unknown
                      window = 1 years
                      s.date = 2022-01-01
                      because `a.time` is missing in actions/a4 (actions.yaml:13:3)
        "#);
    }

    #[test]
    fn a_variable_left_out_is_searched_for_the_nearest_candidates() {
        // a1 fires, then a4 possibly (though it comes first in the data), then one
        // failure each (a2 before a5, in data order); a3 fails twice, not shown
        insta::assert_snapshot!(explain(&[("s", "s1")]).unwrap(), @r#"
        rule invaded-after-speaking
          s = statements/s1 (statements.yaml:1:3)
        the nearest candidates for a:
          actions/a1 (actions.yaml:1:3): fires (certain)
          actions/a4 (actions.yaml:13:3): fires (possible)
            [unknown] a.time within window of s.date
                        a.time = unknown
                        window = 1 years
                        s.date = 2022-01-01
          actions/a2 (actions.yaml:5:3): 1 predicate fails
            [FAILS  ] a.kind == "invasion"
                        a.kind = airstrike
        "#);
    }

    #[test]
    fn with_nothing_given_every_combination_is_searched() {
        let mut ds = dataset();
        ds.collections
            .get_mut("actions")
            .unwrap()
            .retain(|r| &*r.id == "a3");
        insta::assert_snapshot!(explain_in(&ds, 0, &[]).unwrap(), @r#"
        rule invaded-after-speaking
        the nearest candidates for s, a:
          statements/s1 (statements.yaml:1:3), actions/a3 (actions.yaml:9:3): 2 predicates fail
            [FAILS  ] a.actor == s.actor
                        a.actor = UKR
                        s.actor = RUS
            [FAILS  ] a.kind == "invasion"
                        a.kind = airstrike
        "#);
        ds.collections.get_mut("actions").unwrap().retain(|_| false);
        insta::assert_snapshot!(explain_in(&ds, 0, &[("s", "s1")]).unwrap(), @r#"
        rule invaded-after-speaking
          s = statements/s1 (statements.yaml:1:3)
        no records to try for a
        "#);
    }

    #[test]
    fn list_bindings_bind_records_by_id_and_values_only_by_search() {
        // `x in s.about` follows ids into actors: it can be given
        let out = explain_in(&dataset(), 1, &[("s", "s1"), ("x", "UKR")]).unwrap();
        assert!(
            out.contains("  x = actors/UKR (actors.yaml:2:3)\n"),
            "{out}"
        );
        // `q in s.quotes` ranges over strings: it cannot be given, only searched
        assert_eq!(
            explain_in(&dataset(), 1, &[("s", "s1"), ("x", "UKR"), ("q", "We")]),
            Err("`q` ranges over a list of values, not records".to_string())
        );
        assert_eq!(
            explain_in(&dataset(), 1, &[("q", "We")]),
            Err("`q` ranges over a list of values, not records".to_string())
        );
        insta::assert_snapshot!(explain_in(&dataset(), 1, &[("s", "s1")]).unwrap(), @r#"
        rule speaks-about
          s = statements/s1 (statements.yaml:1:3)
        the nearest candidates for x, q:
          actors/UKR (actors.yaml:2:3), We: fires (certain)
          actors/wagner (actors.yaml:3:3), We: 1 predicate fails
            [FAILS  ] x.kind == "state"
                        x.kind = group
          actors/UKR (actors.yaml:2:3), They: 1 predicate fails
            [FAILS  ] q starts with "We"
                        q = They
        "#);
    }

    #[test]
    fn a_negation_shows_the_operands_of_what_it_negates() {
        insta::assert_snapshot!(explain_in(&dataset(), 2, &[("a", "a2")]).unwrap(), @r#"
        rule not-an-airstrike
          a = actions/a2 (actions.yaml:5:3)
        does not fire
          [FAILS  ] not (a.kind == "airstrike")
                      a.kind = airstrike
                      ^ the first predicate that fails
        "#);
    }

    #[test]
    fn a_name_that_is_no_variable_of_the_rule_is_an_error() {
        assert_eq!(
            explain(&[("s", "s1"), ("b", "a1")]),
            Err("rule `invaded-after-speaking` binds no `b` (it binds s, a)".to_string())
        );
        // `window` is a constant, not a binding
        assert_eq!(
            explain(&[("window", "a1")]),
            Err("rule `invaded-after-speaking` binds no `window` (it binds s, a)".to_string())
        );
    }

    #[test]
    fn an_id_that_is_no_record_is_an_error_with_a_suggestion() {
        assert_eq!(
            explain(&[("s", "s1"), ("a", "a11")]),
            Err("no record `a11` in `actions`; did you mean `a1`?".to_string())
        );
        assert_eq!(
            explain(&[("s", "s1"), ("a", "zzzz")]),
            Err("no record `zzzz` in `actions`".to_string())
        );
        // the same when other variables are left to search
        assert_eq!(
            explain(&[("s", "s2")]),
            Err("no record `s2` in `statements`; did you mean `s1`?".to_string())
        );
    }

    #[test]
    fn a_collection_the_dataset_lacks_is_an_error() {
        let mut ds = dataset();
        ds.collections.remove("actions");
        assert_eq!(
            explain_in(&ds, 0, &[("s", "s1"), ("a", "a1")]),
            Err("the dataset has no collection `actions`".to_string())
        );
        ds.collections.remove("statements");
        assert_eq!(
            explain_in(&ds, 0, &[("s", "s1")]),
            Err("the dataset has no collection `statements`".to_string())
        );
    }

    #[test]
    fn a_trace_leaves_literals_out_of_the_operands() {
        let ds = dataset();
        let (suite, sources) = suite();
        let rule = &suite.rules[0];
        let consts = crate::eval::eval_consts(&suite, &ds, &BTreeMap::new());
        let mut env: Env = vec![V::Missing; rule.vars.len()];
        env[rule.bindings[1].var] = V::Rec(ds.record("actions", "a2").unwrap(), "actions");
        let t = trace(rule, &ds, &consts, &sources, &mut env);
        // text, operands as (text, value), result
        type Row<'a> = (&'a str, Vec<(&'a str, &'a str)>, Tri);
        let got: Vec<Row> = t
            .iter()
            .map(|p| {
                let ops = p
                    .operands
                    .iter()
                    .map(|(a, b)| (a.as_str(), b.as_str()))
                    .collect();
                (p.text.as_str(), ops, p.result)
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "a.actor == s.actor",
                    vec![("a.actor", "RUS"), ("s.actor", "unknown")],
                    Tri::Unknown
                ),
                (
                    "a.kind == \"invasion\"",
                    vec![("a.kind", "airstrike")],
                    Tri::False
                ),
                (
                    "a.time within window of s.date",
                    vec![
                        ("a.time", "2022-03-01"),
                        ("window", "1 years"),
                        ("s.date", "unknown")
                    ],
                    Tri::Unknown
                ),
            ]
        );
    }
}
