//! Indexes over the candidate records of one binding: a hash index for equality and
//! membership, a sorted index for date windows. Every probe returns a superset of
//! the records for which the indexed predicate could be true or unknown; the
//! evaluator then checks the predicate itself, so an index can never change a result.

use super::ops::{day_bounds, shift_day, V};
use crate::data::{Record, Value};
use crate::plan::WindowShape;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Str(Arc<str>),
    Num(u64),
    Bool(bool),
    Day(i64),
}

fn num_key(n: f64) -> Key {
    Key::Num(if n == 0.0 {
        0.0f64.to_bits()
    } else {
        n.to_bits()
    })
}

/// The exact-equality key of a value, when equality on it is certain.
fn key_of_value(v: &Value) -> Option<Key> {
    match v {
        Value::Str(s) => Some(Key::Str(s.clone())),
        Value::Number(n) => Some(num_key(*n)),
        Value::Range {
            min: Some(a),
            max: Some(b),
        } if a == b => Some(num_key(*a)),
        Value::Bool(b) => Some(Key::Bool(*b)),
        Value::Time(t) if t.is_precise() => Some(Key::Day(day_bounds(t).0)),
        _ => None,
    }
}

fn key_of(v: &V) -> Option<Key> {
    match v {
        V::Rec(r, _) => Some(Key::Str(r.id.clone())),
        V::Val(x) => key_of_value(x),
        V::Missing => None,
    }
}

/// The value of `field` in a record (`id` included).
pub fn field_value<'r>(r: &'r Record, field: &str) -> Option<std::borrow::Cow<'r, Value>> {
    if field == "id" {
        return Some(std::borrow::Cow::Owned(Value::Str(r.id.clone())));
    }
    r.get(field).map(std::borrow::Cow::Borrowed)
}

pub struct HashIndex {
    map: HashMap<Key, Vec<u32>>,
    /// Records whose value has no exact key (missing, a range, an imprecise date):
    /// candidates for every probe.
    always: Vec<u32>,
}

impl HashIndex {
    /// Index `cands` (record positions in `records`) by `field`.
    pub fn build(records: &[Record], cands: &[u32], field: &str) -> HashIndex {
        let mut map: HashMap<Key, Vec<u32>> = HashMap::new();
        let mut always = Vec::new();
        for &i in cands {
            let k = records
                .get(i as usize)
                .and_then(|r| field_value(r, field))
                .and_then(|v| key_of_value(&v));
            match k {
                Some(k) => map.entry(k).or_default().push(i),
                None => always.push(i),
            }
        }
        HashIndex { map, always }
    }

    /// Candidates for `field == probe`; `None` when the probe cannot narrow them
    /// (a missing or inexact probe may equal anything).
    pub fn probe(&self, probe: &V) -> Option<Vec<u32>> {
        let k = key_of(probe)?;
        Some(merge(&[
            self.map.get(&k).map(|v| v.as_slice()).unwrap_or(&[]),
            &self.always,
        ]))
    }

    /// Candidates for `field in list`; `None` when the list cannot narrow them.
    pub fn probe_list(&self, list: &V) -> Option<Vec<u32>> {
        let Some(Value::List(items)) = list.value() else {
            return None;
        };
        let mut parts: Vec<&[u32]> = vec![&self.always];
        for it in items {
            match key_of_value(it) {
                Some(k) => {
                    if let Some(v) = self.map.get(&k) {
                        parts.push(v);
                    }
                }
                None => return None,
            }
        }
        Some(merge(&parts))
    }
}

/// Sorted, de-duplicated union of sorted lists.
fn merge(parts: &[&[u32]]) -> Vec<u32> {
    let mut out: Vec<u32> = parts.iter().flat_map(|p| p.iter().copied()).collect();
    out.sort_unstable();
    out.dedup();
    out
}

pub struct TimeIndex {
    /// (first day, last day, record) sorted by first day; bounded intervals only.
    entries: Vec<(i64, i64, u32)>,
    max_span: i64,
    always: Vec<u32>,
}

const FAR: i64 = i64::MAX / 8;

impl TimeIndex {
    pub fn build(records: &[Record], cands: &[u32], field: &str) -> TimeIndex {
        let mut entries = Vec::new();
        let mut always = Vec::new();
        let mut max_span = 0;
        for &i in cands {
            let t = records.get(i as usize).and_then(|r| r.get(field));
            match t {
                Some(Value::Time(t)) if t.start.is_some() && t.end.is_some() => {
                    let (lo, hi) = day_bounds(t);
                    max_span = max_span.max(hi - lo);
                    entries.push((lo, hi, i));
                }
                _ => always.push(i),
            }
        }
        entries.sort_unstable();
        TimeIndex {
            entries,
            max_span,
            always,
        }
    }

    /// Candidates that may satisfy the comparison of `shape` with `probe`.
    pub fn probe(&self, shape: WindowShape, probe: &V, window: Option<&V>) -> Option<Vec<u32>> {
        let Some(Value::Time(t)) = probe.value() else {
            return None;
        };
        let (plo, phi) = day_bounds(t);
        // the candidate must satisfy lo <= upper and hi >= lower
        let (lower, upper) = match shape {
            WindowShape::NotAfter { strict } => (-FAR, if strict { phi - 1 } else { phi }),
            WindowShape::NotBefore { strict } => (if strict { plo + 1 } else { plo }, FAR),
            WindowShape::Overlaps => (plo, phi),
            WindowShape::Within => {
                let Some(Value::Duration(d)) = window.and_then(|w| w.value()) else {
                    return None;
                };
                // calendar arithmetic is not exactly invertible: widen by a few days
                (
                    shift_day(plo, *d, -1).saturating_sub(4),
                    shift_day(phi, *d, 1).saturating_add(4),
                )
            }
        };
        let end = self.entries.partition_point(|e| e.0 <= upper);
        let from = lower.saturating_sub(self.max_span);
        let start = self.entries[..end].partition_point(|e| e.0 < from);
        let mut out: Vec<u32> = self.entries[start..end]
            .iter()
            .filter(|e| e.1 >= lower)
            .map(|e| e.2)
            .collect();
        out.extend_from_slice(&self.always);
        out.sort_unstable();
        out.dedup();
        Some(out)
    }
}
