//! Three-valued logic and the comparison operators on run-time values. A missing value
//! or an imprecise date makes a comparison unknown rather than true or false.

use crate::data::dataset::Record;
use crate::data::time::{shift_date, Duration, Time};
use crate::data::Value;
use chrono::NaiveDate;
use std::borrow::Cow;

/// A truth value of three-valued (Kleene) logic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tri {
    False,
    Unknown,
    True,
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }
    pub fn and(self, o: Tri) -> Tri {
        self.min(o)
    }
    pub fn or(self, o: Tri) -> Tri {
        self.max(o)
    }
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Tri::True => "true",
            Tri::False => "false",
            Tri::Unknown => "unknown",
        }
    }
}

/// A run-time value: a data value (borrowed from the dataset where possible), a
/// record bound to a variable, or missing.
#[derive(Clone, Debug)]
pub enum V<'d> {
    Missing,
    Rec(&'d Record, &'d str),
    Val(Cow<'d, Value>),
}

impl<'d> V<'d> {
    pub fn owned(v: Value) -> V<'d> {
        V::Val(Cow::Owned(v))
    }
    pub fn bool(b: bool) -> V<'d> {
        V::Val(Cow::Owned(Value::Bool(b)))
    }
    pub fn tri(t: Tri) -> V<'d> {
        match t {
            Tri::True => V::bool(true),
            Tri::False => V::bool(false),
            Tri::Unknown => V::Missing,
        }
    }
    pub fn num(n: f64) -> V<'d> {
        V::Val(Cow::Owned(Value::Number(n)))
    }
    /// The data value, if any (records and missing have none).
    pub fn value(&self) -> Option<&Value> {
        match self {
            V::Val(v) => match &**v {
                Value::Null => None,
                v => Some(v),
            },
            _ => None,
        }
    }
    pub fn is_missing(&self) -> bool {
        match self {
            V::Missing => true,
            V::Val(v) => matches!(**v, Value::Null),
            V::Rec(..) => false,
        }
    }
    /// The truth of a condition value.
    pub fn truth(&self) -> Tri {
        match self.value() {
            Some(Value::Bool(b)) => Tri::from_bool(*b),
            _ => Tri::Unknown,
        }
    }
    /// A string view: strings, and records by their id.
    pub fn str(&self) -> Option<&str> {
        match self {
            V::Rec(r, _) => Some(&r.id),
            V::Val(v) => v.as_str(),
            V::Missing => None,
        }
    }
    /// How a value reads in a message.
    pub fn display(&self) -> String {
        match self {
            V::Missing => "unknown".to_string(),
            V::Rec(r, _) => r.id.to_string(),
            V::Val(v) => match &**v {
                Value::Null => "unknown".to_string(),
                v => v.to_string(),
            },
        }
    }
}

const NEG_INF: i64 = i64::MIN / 4;
const POS_INF: i64 = i64::MAX / 4;

fn day_num(d: NaiveDate) -> i64 {
    d.num_days_from_ce() as i64
}

use chrono::Datelike;

/// A time as inclusive day numbers, open ends as infinities.
pub fn day_bounds(t: &Time) -> (i64, i64) {
    (
        t.start.map(day_num).unwrap_or(NEG_INF),
        t.end.map(day_num).unwrap_or(POS_INF),
    )
}

fn num_bounds(v: &Value) -> Option<(f64, f64)> {
    match v {
        Value::Number(n) => Some((*n, *n)),
        Value::Range { min, max } => Some((
            min.unwrap_or(f64::NEG_INFINITY),
            max.unwrap_or(f64::INFINITY),
        )),
        _ => None,
    }
}

fn duration_days(d: &Duration) -> f64 {
    d.months as f64 * 30.436875 + d.days as f64
}

/// Equality.
pub fn eq(a: &V, b: &V) -> Tri {
    if a.is_missing() || b.is_missing() {
        return Tri::Unknown;
    }
    match (a, b) {
        (V::Rec(x, cx), V::Rec(y, cy)) => Tri::from_bool(cx == cy && x.id == y.id),
        (V::Rec(x, _), V::Val(v)) | (V::Val(v), V::Rec(x, _)) => {
            Tri::from_bool(v.as_str() == Some(&*x.id))
        }
        (V::Val(x), V::Val(y)) => eq_values(x, y),
        _ => Tri::Unknown,
    }
}

pub fn eq_values(x: &Value, y: &Value) -> Tri {
    match (x, y) {
        (Value::Null, _) | (_, Value::Null) => Tri::Unknown,
        (Value::Str(a), Value::Str(b)) => Tri::from_bool(a == b),
        (Value::Bool(a), Value::Bool(b)) => Tri::from_bool(a == b),
        (Value::Duration(a), Value::Duration(b)) => Tri::from_bool(a == b),
        (Value::Number(_) | Value::Range { .. }, Value::Number(_) | Value::Range { .. }) => {
            let (Some(a), Some(b)) = (num_bounds(x), num_bounds(y)) else {
                return Tri::Unknown;
            };
            interval_eq(a, b)
        }
        (Value::Time(a), Value::Time(b)) => interval_eq(day_bounds(a), day_bounds(b)),
        (Value::List(a), Value::List(b)) => {
            if a.len() != b.len() {
                return Tri::False;
            }
            a.iter()
                .zip(b)
                .fold(Tri::True, |acc, (x, y)| acc.and(eq_values(x, y)))
        }
        (Value::Map(a), Value::Map(b)) => {
            if a.len() != b.len() || a.keys().ne(b.keys()) {
                return Tri::False;
            }
            a.values()
                .zip(b.values())
                .fold(Tri::True, |acc, (x, y)| acc.and(eq_values(x, y)))
        }
        _ => Tri::False,
    }
}

/// Equality of two closed intervals: certain for two equal points, false when they do
/// not meet, unknown otherwise.
fn interval_eq<T: PartialOrd>((alo, ahi): (T, T), (blo, bhi): (T, T)) -> Tri {
    if alo == ahi && blo == bhi {
        Tri::from_bool(alo == blo)
    } else if ahi < blo || bhi < alo {
        Tri::False
    } else {
        Tri::Unknown
    }
}

/// `<`, `<=`, `>`, `>=` (`strict`, `greater`).
pub fn order(a: &V, b: &V, strict: bool, greater: bool) -> Tri {
    if greater {
        return order(b, a, strict, false);
    }
    if a.is_missing() || b.is_missing() {
        return Tri::Unknown;
    }
    if let (Some(x), Some(y)) = (a.str(), b.str()) {
        return Tri::from_bool(if strict { x < y } else { x <= y });
    }
    let (Some(x), Some(y)) = (a.value(), b.value()) else {
        return Tri::Unknown;
    };
    let (alo, ahi, blo, bhi) = match (x, y) {
        (Value::Time(p), Value::Time(q)) => {
            let (alo, ahi) = day_bounds(p);
            let (blo, bhi) = day_bounds(q);
            (alo as f64, ahi as f64, blo as f64, bhi as f64)
        }
        (Value::Duration(p), Value::Duration(q)) => {
            let (p, q) = (duration_days(p), duration_days(q));
            (p, p, q, q)
        }
        _ => match (num_bounds(x), num_bounds(y)) {
            (Some((alo, ahi)), Some((blo, bhi))) => (alo, ahi, blo, bhi),
            _ => return Tri::Unknown,
        },
    };
    if strict {
        if ahi < blo {
            Tri::True
        } else if alo >= bhi {
            Tri::False
        } else {
            Tri::Unknown
        }
    } else if ahi <= blo {
        Tri::True
    } else if alo > bhi {
        Tri::False
    } else {
        Tri::Unknown
    }
}

fn times<'a>(a: &'a V, b: &'a V) -> Option<(&'a Time, &'a Time)> {
    match (a.value()?, b.value()?) {
        (Value::Time(x), Value::Time(y)) => Some((x, y)),
        _ => None,
    }
}

/// `a before b`: every day of `a` is before every day of `b`.
pub fn before(a: &V, b: &V) -> Tri {
    let Some((x, y)) = times(a, b) else {
        return Tri::Unknown;
    };
    let (alo, ahi) = day_bounds(x);
    let (blo, bhi) = day_bounds(y);
    if ahi < blo {
        Tri::True
    } else if alo >= bhi {
        Tri::False
    } else {
        Tri::Unknown
    }
}

/// `a during b`: `a` lies within `b`.
pub fn during(a: &V, b: &V) -> Tri {
    let Some((x, y)) = times(a, b) else {
        return Tri::Unknown;
    };
    let (alo, ahi) = day_bounds(x);
    let (blo, bhi) = day_bounds(y);
    if blo <= alo && ahi <= bhi {
        Tri::True
    } else if ahi < blo || alo > bhi {
        Tri::False
    } else {
        Tri::Unknown
    }
}

/// Shift a day number by a calendar duration; infinities stay put.
pub fn shift_day(day: i64, d: Duration, sign: i32) -> i64 {
    if day <= NEG_INF || day >= POS_INF {
        return day;
    }
    let Some(date) = i32::try_from(day)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
    else {
        return day;
    };
    match shift_date(date, d, sign) {
        Some(x) => day_num(x),
        None => {
            if sign > 0 {
                POS_INF
            } else {
                NEG_INF
            }
        }
    }
}

/// `a within d of b`: every day of `a` is within `d` of every day of `b`.
pub fn within(a: &V, d: &V, b: &V) -> Tri {
    let Some((x, y)) = times(a, b) else {
        return Tri::Unknown;
    };
    let Some(Value::Duration(d)) = d.value() else {
        return Tri::Unknown;
    };
    let (alo, ahi) = day_bounds(x);
    let (blo, bhi) = day_bounds(y);
    let (lo_true, hi_true) = (shift_day(bhi, *d, -1), shift_day(blo, *d, 1));
    if alo >= lo_true && ahi <= hi_true && alo > NEG_INF && ahi < POS_INF {
        return Tri::True;
    }
    let (lo_any, hi_any) = (shift_day(blo, *d, -1), shift_day(bhi, *d, 1));
    if ahi < lo_any || alo > hi_any {
        Tri::False
    } else {
        Tri::Unknown
    }
}

/// `x in list` (or a substring of a string).
pub fn member(x: &V, coll: &V) -> Tri {
    match coll.value() {
        Some(Value::List(items)) => {
            let mut acc = Tri::False;
            for it in items {
                let t = eq(x, &V::Val(Cow::Borrowed(it)));
                acc = acc.or(t);
                if acc == Tri::True {
                    break;
                }
            }
            acc
        }
        Some(Value::Str(s)) => match x.str() {
            Some(needle) => Tri::from_bool(s.contains(needle)),
            None => Tri::Unknown,
        },
        _ => Tri::Unknown,
    }
}

/// String predicates: `~=`, `starts with`, `ends with`.
pub fn str_pred(a: &V, b: &V, f: impl Fn(&str, &str) -> bool) -> Tri {
    match (a.str(), b.str()) {
        (Some(x), Some(y)) => Tri::from_bool(f(x, y)),
        _ => Tri::Unknown,
    }
}

/// `+` and `-` (`sign` 1 or -1).
pub fn add<'d>(a: &V<'d>, b: &V<'d>, sign: i32) -> V<'d> {
    let (Some(x), Some(y)) = (a.value(), b.value()) else {
        return V::Missing;
    };
    let s = sign as f64;
    match (x, y) {
        (Value::Number(p), Value::Number(q)) => V::num(p + s * q),
        (Value::Range { min, max }, Value::Number(q)) => V::owned(Value::Range {
            min: min.map(|m| m + s * q),
            max: max.map(|m| m + s * q),
        }),
        (Value::Time(t), Value::Duration(d)) => t
            .shift(*d, sign)
            .map(|t| V::owned(Value::Time(t)))
            .unwrap_or(V::Missing),
        (Value::Duration(d), Value::Time(t)) if sign > 0 => t
            .shift(*d, 1)
            .map(|t| V::owned(Value::Time(t)))
            .unwrap_or(V::Missing),
        (Value::Duration(p), Value::Duration(q)) => V::owned(Value::Duration(Duration {
            months: p.months.saturating_add(q.months.saturating_mul(sign)),
            days: p.days.saturating_add(q.days.saturating_mul(sign as i64)),
        })),
        _ => V::Missing,
    }
}

/// `*`, `/`, `%` on numbers; division by zero is unknown.
pub fn arith<'d>(a: &V<'d>, b: &V<'d>, op: char) -> V<'d> {
    let (Some(Value::Number(x)), Some(Value::Number(y))) = (a.value(), b.value()) else {
        return V::Missing;
    };
    let r = match op {
        '*' => x * y,
        '/' if *y != 0.0 => x / y,
        '%' if *y != 0.0 => x % y,
        _ => return V::Missing,
    };
    if r.is_finite() {
        V::num(r)
    } else {
        V::Missing
    }
}
