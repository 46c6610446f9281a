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
        // `NaN == x` is unknown, not false, for every x: NaN cannot be a key
        Value::Number(n) if !n.is_nan() => Some(num_key(*n)),
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

/// A hash index over one field or several (a composite key: every equality of a
/// binding at once), with, optionally, a sorted index on a date inside each bucket.
///
/// A record whose value of some key field has no exact key (missing, a range, an
/// imprecise date) may equal any probe on that field: it is kept under the key of its
/// other fields only (one map per set of exact fields, at most `2^fields` of them, and
/// rarely more than two), so it is found by every probe that agrees with those.
pub struct HashIndex {
    /// One map per set of fields (bit `i`: field `i`) with exact keys.
    groups: Vec<(u32, KeyMap<Bucket>)>,
    /// Records whose every key field is missing or null, in position order:
    /// candidates for every probe, which an aggregate may take once for all keys.
    missing: Vec<u32>,
    /// Whether `missing` is left out of the probes (the caller handles it).
    split: bool,
}

/// Buckets by composite key.
type KeyMap<B> = HashMap<Vec<Key>, B>;

/// The records under one key: in position order, or sorted by a date.
enum Bucket {
    Ids(Vec<u32>),
    Time(TimeIndex),
}

impl HashIndex {
    /// Index `cands` (record positions in `records`) by `field`.
    pub fn build(records: &[Record], cands: &[u32], field: &str) -> HashIndex {
        Self::build_composite(records, cands, &[field], None, false)
    }

    /// Index `cands` by all of `fields` (at most `MAX_KEY_FIELDS` are used), each
    /// bucket sorted by the date in `time` when given. With `split`, records whose
    /// every key field is missing or null are kept apart (`missing`) and left out of
    /// the probes.
    pub fn build_composite(
        records: &[Record],
        cands: &[u32],
        fields: &[&str],
        time: Option<&str>,
        split: bool,
    ) -> HashIndex {
        let fields: Vec<std::sync::Arc<str>> = fields
            .iter()
            .take(crate::plan::MAX_KEY_FIELDS)
            .map(|f| crate::data::intern(f))
            .collect();
        let mut groups: Vec<(u32, KeyMap<Vec<u32>>)> = Vec::new();
        let mut missing = Vec::new();
        for &i in cands {
            let r = records.get(i as usize);
            let mut mask = 0u32;
            let mut key = Vec::with_capacity(fields.len());
            let mut all_missing = true;
            for (b, f) in fields.iter().enumerate() {
                let v = r.and_then(|r| field_value(r, f));
                if matches!(v.as_deref(), Some(x) if !matches!(x, Value::Null)) {
                    all_missing = false;
                }
                if let Some(k) = v.and_then(|v| key_of_value(&v)) {
                    mask |= 1 << b;
                    key.push(k);
                }
            }
            if split && all_missing {
                missing.push(i);
                continue;
            }
            let g = match groups.iter().position(|g| g.0 == mask) {
                Some(g) => g,
                None => {
                    groups.push((mask, HashMap::new()));
                    groups.len() - 1
                }
            };
            groups[g].1.entry(key).or_default().push(i);
        }
        // the full key first: the usual bucket, then the wider ones
        groups.sort_by_key(|g| std::cmp::Reverse(g.0.count_ones()));
        let groups = groups
            .into_iter()
            .map(|(m, map)| {
                let map = map
                    .into_iter()
                    .map(|(k, ids)| {
                        let b = match time {
                            Some(t) => Bucket::Time(TimeIndex::build(records, &ids, t)),
                            None => Bucket::Ids(ids),
                        };
                        (k, b)
                    })
                    .collect();
                (m, map)
            })
            .collect();
        // in position order, so that the first of them are the first records
        missing.sort_unstable();
        HashIndex {
            groups,
            missing,
            split,
        }
    }

    /// The records kept apart by `build_composite` with `split`.
    pub fn missing(&self) -> &[u32] {
        &self.missing
    }

    /// Candidates for `field == probe`; `None` when the probe cannot narrow them
    /// (a missing or inexact probe may equal anything).
    pub fn probe(&self, probe: &V) -> Option<Vec<u32>> {
        self.probe_composite(std::slice::from_ref(probe), None)
    }

    /// Candidates for `field_i == probes[i]` for every key field, and, when the
    /// buckets are sorted by a date, for the date comparison `window` (shape, probe,
    /// width) within each bucket; `None` when a probe cannot narrow them.
    pub fn probe_composite(
        &self,
        probes: &[V],
        window: Option<(WindowShape, &V, Option<&V>)>,
    ) -> Option<Vec<u32>> {
        let keys: Vec<Key> = probes.iter().map(key_of).collect::<Option<_>>()?;
        let mut parts: Vec<std::borrow::Cow<'_, [u32]>> = Vec::new();
        if !self.split {
            parts.push(std::borrow::Cow::Borrowed(&self.missing));
        }
        let mut projected = Vec::with_capacity(keys.len());
        for (mask, map) in &self.groups {
            projected.clear();
            projected.extend(
                keys.iter()
                    .enumerate()
                    .filter(|(b, _)| mask & (1 << b) != 0)
                    .map(|(_, k)| k.clone()),
            );
            match map.get(&projected) {
                Some(Bucket::Ids(ids)) => parts.push(std::borrow::Cow::Borrowed(ids)),
                Some(Bucket::Time(tx)) => {
                    let found = window.and_then(|(shape, p, w)| tx.probe(shape, p, w));
                    parts.push(std::borrow::Cow::Owned(found.unwrap_or_else(|| tx.all())));
                }
                None => {}
            }
        }
        if parts.len() == 1 {
            return Some(parts.pop().map(|p| p.into_owned()).unwrap_or_default());
        }
        let refs: Vec<&[u32]> = parts.iter().map(|p| p.as_ref()).collect();
        Some(merge(&refs))
    }

    /// Candidates for `field in list` (a one-field index); `None` when the list
    /// cannot narrow them.
    pub fn probe_list(&self, list: &V) -> Option<Vec<u32>> {
        let Some(Value::List(items)) = list.value() else {
            return None;
        };
        let mut keys = Vec::with_capacity(items.len());
        for it in items {
            keys.push(key_of_value(it)?);
        }
        let mut parts: Vec<Vec<u32>> = Vec::new();
        if !self.split {
            parts.push(self.missing.clone());
        }
        for (mask, map) in &self.groups {
            let ids = |b: &Bucket| match b {
                Bucket::Ids(ids) => ids.clone(),
                Bucket::Time(tx) => tx.all(),
            };
            if *mask == 0 {
                parts.extend(map.values().map(ids));
            } else {
                for k in &keys {
                    if let Some(b) = map.get(std::slice::from_ref(k)) {
                        parts.push(ids(b));
                    }
                }
            }
        }
        let refs: Vec<&[u32]> = parts.iter().map(|p| p.as_slice()).collect();
        Some(merge(&refs))
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

    /// Every record indexed, in position order.
    pub fn all(&self) -> Vec<u32> {
        let mut out: Vec<u32> = self.entries.iter().map(|e| e.2).collect();
        out.extend_from_slice(&self.always);
        out.sort_unstable();
        out
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

#[cfg(test)]
mod tests {
    //! The indexes on their own: each probe against a brute-force filter with the
    //! evaluator's own comparisons (`ops`). The contract is that a probe never leaves
    //! out a record for which the predicate could be true or unknown; for exact keys
    //! and for the one-sided and overlap windows it also leaves out every other one.

    use super::*;
    use crate::data::{Duration, Fields, Time};
    use crate::eval::ops::{before, during, eq, member, order, within, Tri};
    use proptest::prelude::*;
    use std::borrow::Cow;

    fn record(i: usize, field: Option<Value>) -> Record {
        let id = format!("r{i}");
        let mut fields = vec![(crate::data::intern("id"), Value::str(&id))];
        if let Some(v) = field {
            fields.push((crate::data::intern("f"), v));
        }
        Record {
            id: id.as_str().into(),
            fields: Fields::from_unsorted(fields),
            span: Default::default(),
            field_spans: Default::default(),
        }
    }

    fn records(values: Vec<Option<Value>>) -> Vec<Record> {
        values
            .into_iter()
            .enumerate()
            .map(|(i, v)| record(i, v))
            .collect()
    }

    fn all(recs: &[Record]) -> Vec<u32> {
        (0..recs.len() as u32).collect()
    }

    fn val(v: Value) -> V<'static> {
        V::owned(v)
    }

    fn num(n: f64) -> Value {
        Value::Number(n)
    }

    fn day(s: &str) -> Value {
        Value::Time(Time::parse(s).unwrap())
    }

    fn between(a: Option<&str>, b: Option<&str>) -> Value {
        let (a, b) = (
            a.map(|s| Time::parse(s).unwrap()),
            b.map(|s| Time::parse(s).unwrap()),
        );
        Value::Time(Time::interval(a.as_ref(), b.as_ref(), "interval".into()))
    }

    fn range(min: Option<f64>, max: Option<f64>) -> Value {
        Value::Range { min, max }
    }

    fn list(items: Vec<Value>) -> V<'static> {
        val(Value::List(items))
    }

    // ---- hash index -----------------------------------------------------------

    #[test]
    fn a_hash_probe_finds_every_duplicate_and_every_record_without_an_exact_key() {
        let recs = records(vec![
            Some(Value::str("x")),             // 0
            Some(Value::str("y")),             // 1
            Some(Value::str("x")),             // 2: a duplicate
            None,                              // 3: missing: may be anything
            Some(Value::Null),                 // 4: null: the same
            Some(range(Some(1.0), Some(3.0))), // 5: inexact
            Some(day("2024-03")),              // 6: a month is no exact day
            Some(num(7.0)),                    // 7
        ]);
        let ix = HashIndex::build(&recs, &all(&recs), "f");
        assert_eq!(
            ix.probe(&val(Value::str("x"))),
            Some(vec![0, 2, 3, 4, 5, 6])
        );
        assert_eq!(ix.probe(&val(Value::str("y"))), Some(vec![1, 3, 4, 5, 6]));
        assert_eq!(ix.probe(&val(Value::str("z"))), Some(vec![3, 4, 5, 6]));
        assert_eq!(ix.probe(&val(num(7.0))), Some(vec![3, 4, 5, 6, 7]));
    }

    #[test]
    fn a_probe_that_may_equal_anything_does_not_narrow() {
        let recs = records(vec![Some(Value::str("x")), Some(num(2.0))]);
        let ix = HashIndex::build(&recs, &all(&recs), "f");
        assert_eq!(ix.probe(&V::Missing), None);
        assert_eq!(ix.probe(&val(Value::Null)), None);
        assert_eq!(ix.probe(&val(range(Some(1.0), Some(3.0)))), None);
        assert_eq!(ix.probe(&val(range(Some(1.0), None))), None);
        assert_eq!(ix.probe(&val(day("2024"))), None);
        assert_eq!(ix.probe(&val(between(Some("2024-01-01"), None))), None);
        assert_eq!(ix.probe(&val(Value::Duration(Duration::default()))), None);
        assert_eq!(ix.probe(&val(Value::List(vec![]))), None);
    }

    #[test]
    fn a_nan_is_a_candidate_for_every_probe_and_narrows_nothing() {
        // `NaN == 5` is unknown, not false: the record may match, so a probe for 5
        // must return it (it went under the NaN's own bits and was lost)
        let recs = records(vec![Some(num(5.0)), Some(num(f64::NAN)), Some(num(6.0))]);
        let ix = HashIndex::build(&recs, &all(&recs), "f");
        assert_eq!(eq(&val(num(f64::NAN)), &val(num(5.0))), Tri::Unknown);
        assert_eq!(ix.probe(&val(num(5.0))), Some(vec![0, 1]));
        assert_eq!(ix.probe_list(&list(vec![num(6.0)])), Some(vec![1, 2]));
        assert_eq!(ix.probe(&val(num(f64::NAN))), None);
        assert_eq!(ix.probe(&val(range(Some(f64::NAN), Some(f64::NAN)))), None);
        assert_eq!(ix.probe_list(&list(vec![num(6.0), num(f64::NAN)])), None);
    }

    #[test]
    fn equal_numbers_share_a_key_whatever_their_form() {
        let recs = records(vec![
            Some(num(0.0)),
            Some(num(-0.0)),
            Some(range(Some(5.0), Some(5.0))),
            Some(num(5.0)),
            Some(Value::str("5")),
            Some(Value::Bool(true)),
        ]);
        let ix = HashIndex::build(&recs, &all(&recs), "f");
        assert_eq!(ix.probe(&val(num(-0.0))), Some(vec![0, 1]));
        assert_eq!(ix.probe(&val(num(5.0))), Some(vec![2, 3]));
        assert_eq!(
            ix.probe(&val(range(Some(5.0), Some(5.0)))),
            Some(vec![2, 3])
        );
        assert_eq!(ix.probe(&val(Value::str("5"))), Some(vec![4]));
        assert_eq!(ix.probe(&val(Value::Bool(true))), Some(vec![5]));
        assert_eq!(ix.probe(&val(Value::Bool(false))), Some(vec![]));
    }

    #[test]
    fn precise_days_are_keys_and_records_are_probed_by_id() {
        let recs = records(vec![
            Some(day("2024-03-01")),
            Some(day("2024-03-01T10:00:00Z")),
            Some(between(Some("2024-03-01"), Some("2024-03-01"))),
            Some(day("2024-03-02")),
        ]);
        let ix = HashIndex::build(&recs, &all(&recs), "f");
        assert_eq!(ix.probe(&val(day("2024-03-01"))), Some(vec![0, 1, 2]));
        // `id`, the one field every record has, indexed and probed with a record
        let by_id = HashIndex::build(&recs, &all(&recs), "id");
        assert_eq!(by_id.probe(&V::Rec(&recs[3], "c")), Some(vec![3]));
        assert_eq!(by_id.probe(&val(Value::str("r1"))), Some(vec![1]));
        assert_eq!(by_id.probe(&val(Value::str("nobody"))), Some(vec![]));
    }

    #[test]
    fn only_the_given_candidates_are_indexed() {
        let recs = records(vec![Some(Value::str("x")); 5]);
        let ix = HashIndex::build(&recs, &[1, 3], "f");
        assert_eq!(ix.probe(&val(Value::str("x"))), Some(vec![1, 3]));
        // positions past the end of the records are kept as candidates, not dropped
        let ix = HashIndex::build(&recs, &[4, 9], "f");
        assert_eq!(ix.probe(&val(Value::str("x"))), Some(vec![4, 9]));
    }

    #[test]
    fn empty_inputs_give_empty_candidates() {
        let ix = HashIndex::build(&[], &[], "f");
        assert_eq!(ix.probe(&val(Value::str("x"))), Some(vec![]));
        assert_eq!(ix.probe_list(&list(vec![Value::str("x")])), Some(vec![]));
        let tx = TimeIndex::build(&[], &[], "f");
        let p = val(day("2024-01-01"));
        for shape in shapes() {
            assert_eq!(
                tx.probe(shape, &p, Some(&month())),
                Some(vec![]),
                "{shape:?}"
            );
        }
    }

    #[test]
    fn a_list_probe_is_the_union_of_its_elements() {
        let recs = records(vec![
            Some(Value::str("x")),
            Some(Value::str("y")),
            Some(Value::str("z")),
            None,
            Some(Value::str("x")),
        ]);
        let ix = HashIndex::build(&recs, &all(&recs), "f");
        let strs = |v: &[&str]| list(v.iter().map(|s| Value::str(s)).collect());
        assert_eq!(ix.probe_list(&strs(&["x", "z"])), Some(vec![0, 2, 3, 4]));
        assert_eq!(ix.probe_list(&strs(&["x", "x"])), Some(vec![0, 3, 4]));
        assert_eq!(ix.probe_list(&strs(&["w"])), Some(vec![3]));
        assert_eq!(ix.probe_list(&strs(&[])), Some(vec![3]));
        // an element that may equal anything, or no list at all: no narrowing
        assert_eq!(
            ix.probe_list(&list(vec![Value::str("x"), Value::Null])),
            None
        );
        assert_eq!(ix.probe_list(&val(Value::str("xyz"))), None);
        assert_eq!(ix.probe_list(&V::Missing), None);
    }

    // ---- time index -----------------------------------------------------------

    fn shapes() -> [WindowShape; 6] {
        [
            WindowShape::NotAfter { strict: true },
            WindowShape::NotAfter { strict: false },
            WindowShape::NotBefore { strict: true },
            WindowShape::NotBefore { strict: false },
            WindowShape::Overlaps,
            WindowShape::Within,
        ]
    }

    fn month() -> V<'static> {
        val(Value::Duration(Duration { months: 1, days: 0 }))
    }

    #[test]
    fn one_sided_windows_on_days_months_and_years() {
        let recs = records(vec![
            Some(day("2024-02-28")),                               // 0
            Some(day("2024-03-01")),                               // 1
            Some(day("2024-03")),                                  // 2: the whole month
            Some(day("2024")),                                     // 3: the whole year
            Some(day("2024-03-02")),                               // 4
            Some(between(Some("2024-03-10"), None)),               // 5: open end
            None,                                                  // 6: missing
            Some(Value::str("2024-03-01")),                        // 7: not a date
            Some(between(Some("2023-12-01"), Some("2024-02-15"))), // 8
            Some(day("2024-03-01")),                               // 9: a duplicate
        ]);
        let tx = TimeIndex::build(&recs, &all(&recs), "f");
        let p = val(day("2024-03-01"));
        let probe = |shape| tx.probe(shape, &p, None).unwrap();
        let always = [5, 6, 7];
        let with = |v: &[u32]| {
            let mut v = v.to_vec();
            v.extend(always);
            v.sort();
            v
        };
        // x < p: starts before the probe's day (March 2024 does not)
        assert_eq!(
            probe(WindowShape::NotAfter { strict: true }),
            with(&[0, 3, 8])
        );
        // x <= p: starts no later than the probe's day
        assert_eq!(
            probe(WindowShape::NotAfter { strict: false }),
            with(&[0, 1, 2, 3, 8, 9])
        );
        // x > p: ends after it
        assert_eq!(
            probe(WindowShape::NotBefore { strict: true }),
            with(&[2, 3, 4])
        );
        // x >= p: ends on it or after
        assert_eq!(
            probe(WindowShape::NotBefore { strict: false }),
            with(&[1, 2, 3, 4, 9])
        );
        assert_eq!(probe(WindowShape::Overlaps), with(&[1, 2, 3, 9]));
        // a month after or before 1 March (with a few days' slack)
        let w = tx.probe(WindowShape::Within, &p, Some(&month())).unwrap();
        assert_eq!(w, with(&[0, 1, 2, 3, 4, 8, 9]));
    }

    #[test]
    fn open_probes_reach_to_the_end_of_time() {
        let recs = records(vec![
            Some(day("1900-01-01")),
            Some(day("2024-06-15")),
            Some(day("2999-12-31")),
        ]);
        let tx = TimeIndex::build(&recs, &all(&recs), "f");
        let from_2024 = val(between(Some("2024-01-01"), None));
        let until_2024 = val(between(None, Some("2024-12-31")));
        let nf = WindowShape::NotAfter { strict: true };
        let nb = WindowShape::NotBefore { strict: true };
        assert_eq!(tx.probe(nf, &from_2024, None), Some(vec![0, 1, 2]));
        assert_eq!(tx.probe(nb, &from_2024, None), Some(vec![1, 2]));
        assert_eq!(
            tx.probe(WindowShape::Overlaps, &from_2024, None),
            Some(vec![1, 2])
        );
        assert_eq!(tx.probe(nf, &until_2024, None), Some(vec![0, 1]));
        assert_eq!(tx.probe(nb, &until_2024, None), Some(vec![0, 1, 2]));
        assert_eq!(
            tx.probe(WindowShape::Overlaps, &until_2024, None),
            Some(vec![0, 1])
        );
        let w = tx.probe(WindowShape::Within, &from_2024, Some(&month()));
        assert_eq!(w, Some(vec![1, 2]));
    }

    #[test]
    fn a_long_interval_is_found_from_far_after_its_start() {
        // the index is sorted by first day: a record that started long before the
        // probe but lasts into it must still be found (`max_span`)
        let recs = records(vec![
            Some(between(Some("1990-01-01"), Some("2030-01-01"))),
            Some(day("2000-01-01")),
            Some(day("2024-05-05")),
        ]);
        let tx = TimeIndex::build(&recs, &all(&recs), "f");
        let p = val(day("2024-05-01"));
        assert_eq!(tx.probe(WindowShape::Overlaps, &p, None), Some(vec![0]));
        assert_eq!(
            tx.probe(WindowShape::NotBefore { strict: false }, &p, None),
            Some(vec![0, 2])
        );
    }

    #[test]
    fn within_a_month_allows_for_months_of_different_lengths() {
        // 29 February is within a month of 31 March (31 March - 1 month is 29
        // February), though 29 February + 1 month is only 29 March
        let recs = records(vec![Some(day("2024-03-31")), Some(day("2024-04-05"))]);
        let tx = TimeIndex::build(&recs, &all(&recs), "f");
        let p = val(day("2024-02-29"));
        assert_eq!(within(&p, &month(), &field_v(&recs[0])), Tri::True);
        assert_eq!(within(&p, &month(), &field_v(&recs[1])), Tri::False);
        assert_eq!(
            tx.probe(WindowShape::Within, &p, Some(&month())),
            Some(vec![0])
        );
    }

    #[test]
    fn within_a_month_and_a_day_allows_for_the_same_going_back() {
        // 1 March is within a month and a day of 30 January (30 January + 1 month is
        // 29 February, + 1 day is 1 March), though 1 March - 1 month - 1 day is 31
        // January, after it
        let recs = records(vec![Some(day("2024-01-30")), Some(day("2024-01-20"))]);
        let tx = TimeIndex::build(&recs, &all(&recs), "f");
        let p = val(day("2024-03-01"));
        let d = val(Value::Duration(Duration { months: 1, days: 1 }));
        assert_eq!(within(&p, &d, &field_v(&recs[0])), Tri::True);
        assert_eq!(within(&p, &d, &field_v(&recs[1])), Tri::False);
        assert_eq!(tx.probe(WindowShape::Within, &p, Some(&d)), Some(vec![0]));
    }

    #[test]
    fn a_time_probe_needs_a_date_and_within_a_duration() {
        let recs = records(vec![Some(day("2024-01-01"))]);
        let tx = TimeIndex::build(&recs, &all(&recs), "f");
        let p = val(day("2024-01-01"));
        assert_eq!(tx.probe(WindowShape::Overlaps, &V::Missing, None), None);
        assert_eq!(
            tx.probe(WindowShape::Overlaps, &val(num(2024.0)), None),
            None
        );
        assert_eq!(tx.probe(WindowShape::Within, &p, None), None);
        assert_eq!(
            tx.probe(WindowShape::Within, &p, Some(&val(num(3.0)))),
            None
        );
        assert_eq!(
            tx.probe(WindowShape::Within, &p, Some(&month())),
            Some(vec![0])
        );
    }

    // ---- against brute force ----------------------------------------------------

    /// A day of 2024 near the start or the end of one of its first four months
    /// (month ends are where calendar arithmetic clamps: 31 March - 1 month).
    fn arb_day() -> impl Strategy<Value = chrono::NaiveDate> {
        (1u32..5, prop_oneof![1u32..6, 26u32..32]).prop_map(|(m, d)| {
            (0..4)
                .find_map(|back| chrono::NaiveDate::from_ymd_opt(2024, m, d - back))
                .unwrap()
        })
    }

    fn arb_time() -> impl Strategy<Value = Time> {
        let month = |m| Time::partial(2024, Some(m), None).unwrap();
        let year = |y| Time::partial(y, None, None).unwrap();
        prop_oneof![
            3 => arb_day().prop_map(Time::day),
            1 => (1u32..5).prop_map(month),
            1 => (2023i32..2025).prop_map(year),
            // an interval, closed or open at either end
            2 => (arb_day(), 0u64..60, 0u8..3).prop_map(|(a, len, open)| {
                let b = Time::day(a + chrono::Days::new(len));
                let a = Time::day(a);
                let start = (open != 1).then_some(&a);
                let end = (open != 2).then_some(&b);
                Time::interval(start, end, "i".into())
            }),
        ]
    }

    /// Values of one field: strings, numbers and ranges, precise and partial dates,
    /// intervals (open or not), booleans, null, missing, and NaN (a field of type
    /// `any` may hold one: YAML's `.nan`).
    fn arb_value() -> impl Strategy<Value = Option<Value>> {
        let strs = prop::sample::select(vec!["x", "y", "z"]);
        let ranges =
            (0i32..3, 0i32..2).prop_map(|(a, w)| range(Some(a as f64), Some((a + w) as f64)));
        prop_oneof![
            1 => Just(None),
            1 => Just(Some(Value::Null)),
            2 => strs.prop_map(|s| Some(Value::str(s))),
            2 => (-2i32..3).prop_map(|n| Some(num(n as f64))),
            1 => ranges.prop_map(Some),
            1 => Just(Some(num(f64::NAN))),
            1 => any::<bool>().prop_map(|b| Some(Value::Bool(b))),
            6 => arb_time().prop_map(|t| Some(Value::Time(t))),
        ]
    }

    fn arb_duration() -> impl Strategy<Value = V<'static>> {
        prop_oneof![
            (0i32..3, 0i64..40)
                .prop_map(|(months, days)| val(Value::Duration(Duration { months, days }))),
            (-2i32..1, -10i64..1)
                .prop_map(|(months, days)| val(Value::Duration(Duration { months, days }))),
        ]
    }

    fn possible(t: Tri) -> bool {
        t != Tri::False
    }

    fn field_v(r: &Record) -> V<'_> {
        match r.get("f") {
            Some(v) => V::Val(Cow::Borrowed(v)),
            None => V::Missing,
        }
    }

    /// Checks `got` against the brute force: it must hold every candidate for which
    /// `may` holds and nothing outside `cands`; a record with an exact key (an exact
    /// date span for windows) may be returned only where `may` holds.
    fn check_probe(
        recs: &[Record],
        cands: &[u32],
        got: &[u32],
        may: impl Fn(&Record) -> bool,
        exact: impl Fn(&Record) -> bool,
    ) -> Result<(), TestCaseError> {
        prop_assert!(
            got.windows(2).all(|w| w[0] < w[1]),
            "not sorted and unique: {got:?}"
        );
        for &i in got {
            prop_assert!(cands.contains(&i), "{i} is no candidate");
        }
        for &i in cands {
            let r = &recs[i as usize];
            let want = may(r);
            let has = got.contains(&i);
            prop_assert!(!want || has, "left out {i}: {:?}", r.get("f"));
            prop_assert!(
                want || !has || !exact(r),
                "kept {i} for nothing: {:?}",
                r.get("f")
            );
        }
        Ok(())
    }

    fn subset(n: usize, mask: u64) -> Vec<u32> {
        (0..n as u32).filter(|i| mask & (1 << i) != 0).collect()
    }

    proptest! {
        #[test]
        fn hash_probes_agree_with_equality_and_membership(
            values in prop::collection::vec(arb_value(), 0..12),
            mask in any::<u64>(),
            probe in arb_value(),
            items in prop::collection::vec(arb_value(), 0..3),
        ) {
            let recs = records(values);
            let cands = subset(recs.len(), mask);
            let ix = HashIndex::build(&recs, &cands, "f");
            let exact = |r: &Record| r.get("f").and_then(key_of_value).is_some();
            let p = probe.clone().map(val).unwrap_or(V::Missing);
            match ix.probe(&p) {
                Some(got) => check_probe(&recs, &cands, &got, |r| possible(eq(&field_v(r), &p)), exact)?,
                // only a probe without an exact key may refuse to narrow
                None => prop_assert!(probe.as_ref().and_then(key_of_value).is_none()),
            }
            let items: Vec<Value> = items.into_iter().map(|v| v.unwrap_or(Value::Null)).collect();
            let l = list(items.clone());
            match ix.probe_list(&l) {
                Some(got) => check_probe(&recs, &cands, &got, |r| possible(member(&field_v(r), &l)), exact)?,
                None => prop_assert!(items.iter().any(|v| key_of_value(v).is_none())),
            }
        }

        #[test]
        fn time_probes_agree_with_the_date_comparisons(
            values in prop::collection::vec(arb_value(), 0..12),
            mask in any::<u64>(),
            probe in arb_value(),
            window in arb_duration(),
        ) {
            let recs = records(values);
            let cands = subset(recs.len(), mask);
            let tx = TimeIndex::build(&recs, &cands, "f");
            let p = probe.clone().map(val).unwrap_or(V::Missing);
            let bounded = |r: &Record| matches!(r.get("f"), Some(Value::Time(t)) if t.start.is_some() && t.end.is_some());
            for shape in shapes() {
                let Some(got) = tx.probe(shape, &p, Some(&window)) else {
                    prop_assert!(!matches!(probe, Some(Value::Time(_))), "{shape:?} refused a date");
                    continue;
                };
                let may = |r: &Record| {
                    let x = field_v(r);
                    match shape {
                        WindowShape::NotAfter { strict: true } => possible(order(&x, &p, true, false)) || possible(before(&x, &p)),
                        WindowShape::NotAfter { strict: false } => possible(order(&x, &p, false, false)),
                        WindowShape::NotBefore { strict: true } => possible(order(&x, &p, true, true)) || possible(before(&p, &x)),
                        WindowShape::NotBefore { strict: false } => possible(order(&x, &p, false, true)),
                        WindowShape::Overlaps => possible(during(&x, &p)) || possible(during(&p, &x)),
                        WindowShape::Within => possible(within(&x, &window, &p)) || possible(within(&p, &window, &x)),
                    }
                };
                // the within window is widened for calendar arithmetic: only a superset
                let exact = |r: &Record| shape != WindowShape::Within && bounded(r);
                check_probe(&recs, &cands, &got, may, exact)?;
            }
        }
    }
}
