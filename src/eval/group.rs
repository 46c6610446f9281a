//! `group by`: the matches of a rule merged into one finding per distinct key.
//!
//! Keys compare as `==` does where `==` decides (a record and its id are one key; 5 and
//! the range 5..5 are one key), and identical values that `==` leaves unknown (the
//! same imprecise date, the same range) fall in one group too, so that grouping is an
//! equivalence. A missing key (absent, `null`, unknown) is a group of its own, as
//! SQL's `GROUP BY` keeps one group for `NULL`.

use super::expr::Cx;
use super::finding::{Certainty, Finding, Group, GroupKey};
use super::ops::{day_bounds, V};
use super::run::Match;
use super::{evidence_of, finding_of, span_text};
use crate::check::ir::{CGroup, CRule};
use crate::data::Value;
use crate::diag::Sources;
use crate::plan::RulePlan;
use std::collections::{BTreeMap, BTreeSet};

/// The canonical text of a key value: equal for values `==` holds equal (or that are
/// identical); `None` for a missing value.
pub(crate) fn canonical(v: &V) -> Option<String> {
    match v {
        V::Missing => None,
        V::Rec(r, _) => Some(format!("{:?}", &*r.id)),
        V::Val(v) => match &**v {
            Value::Null => None,
            v => Some(canonical_value(v)),
        },
    }
}

fn canonical_value(v: &Value) -> String {
    // `+ 0.0` makes -0.0 into 0.0, which `==` holds equal
    let num = |lo: f64, hi: f64| format!("n:{:?}..{:?}", lo + 0.0, hi + 0.0);
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Str(s) => format!("{s:?}"),
        Value::Number(n) => num(*n, *n),
        Value::Range { min, max } => num(
            min.unwrap_or(f64::NEG_INFINITY),
            max.unwrap_or(f64::INFINITY),
        ),
        Value::Time(t) => {
            let (lo, hi) = day_bounds(t);
            format!("t:{lo}..{hi}")
        }
        Value::Duration(d) => format!("d:{d:?}"),
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(canonical_value).collect();
            format!("[{}]", parts.join(","))
        }
        Value::Map(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k:?}:{}", canonical_value(v)))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
    }
}

/// The fingerprint of a group: the rule id and the canonical key values, nothing else.
fn group_id(rule: &str, key: &[Option<String>]) -> String {
    let parts: Vec<(&str, &str)> = key
        .iter()
        .map(|k| match k {
            Some(c) => ("group key", c.as_str()),
            None => ("group key missing", ""),
        })
        .collect();
    Finding::fingerprint(rule, &parts)
}

/// One finding per distinct key, in the order of each group's first match (matches
/// come sorted by position). The message, the verdict and the shown key values come
/// from that first match; the evidence is every record of every match, each once, in
/// match order; the finding is certain if any match is, else possible with every
/// unknown of its matches.
pub(crate) fn grouped<'d>(
    rule: &CRule,
    plan: &RulePlan,
    g: &CGroup,
    cx: &Cx<'d, '_>,
    matches: Vec<Match<'d>>,
    rule_sources: &Sources,
) -> Vec<Finding> {
    let mut groups: Vec<(Vec<Option<String>>, Vec<Match<'d>>)> = Vec::new();
    let mut by_key: BTreeMap<Vec<Option<String>>, usize> = BTreeMap::new();
    for mut m in matches {
        let key: Vec<Option<String>> = g
            .keys
            .iter()
            .map(|k| canonical(&cx.eval(k, &mut m.env)))
            .collect();
        match by_key.get(&key) {
            Some(&i) => groups[i].1.push(m),
            None => {
                by_key.insert(key.clone(), groups.len());
                groups.push((key, vec![m]));
            }
        }
    }
    groups
        .into_iter()
        .map(|(key, mut ms)| {
            let count = ms.len();
            let certain = ms.iter().filter(|m| m.unknown.is_empty()).count();
            let first = &mut ms[0];
            let mut f = finding_of(rule, plan, cx, first, count, rule_sources);
            let keys = g
                .keys
                .iter()
                .map(|k| {
                    let v = cx.eval(k, &mut first.env);
                    GroupKey {
                        expr: span_text(rule_sources, &k.span),
                        value: (!v.is_missing()).then(|| v.display()),
                    }
                })
                .collect();
            let mut seen: BTreeSet<(String, String)> = f
                .evidence
                .iter()
                .map(|e| (e.collection.clone(), e.id.clone()))
                .collect();
            f.evidence.retain({
                let mut kept = BTreeSet::new();
                move |e| kept.insert((e.collection.clone(), e.id.clone()))
            });
            let mut unknown: BTreeSet<usize> = ms[0].unknown.iter().copied().collect();
            let mut undecided = f.undecided.clone();
            for m in &mut ms[1..] {
                for u in super::undecided_of(plan, cx, m, rule_sources) {
                    if !undecided.contains(&u) {
                        undecided.push(u);
                    }
                }
                for e in evidence_of(rule, cx.ds, m, &mut Vec::new()) {
                    if seen.insert((e.collection.clone(), e.id.clone())) {
                        f.evidence.push(e);
                    }
                }
                unknown.extend(m.unknown.iter().copied());
            }
            if certain > 0 {
                f.certainty = Certainty::Certain;
                f.unknown.clear();
                f.undecided.clear();
            } else {
                f.undecided = undecided;
                f.certainty = Certainty::Possible;
                f.unknown = unknown
                    .into_iter()
                    .map(|i| span_text(rule_sources, &plan.conjuncts[i].span))
                    .collect();
            }
            f.id = group_id(&rule.info.id, &key);
            f.group = Some(Group {
                keys,
                count,
                certain,
            });
            f
        })
        .collect()
}
