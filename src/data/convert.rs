//! From nodes to typed values: the schema says what each field is, and the node is
//! read as that (a date, a range, a list `a;b;c` from a CSV cell). A node that cannot
//! be read as its type is kept as it is, for `validate` to report.

use super::node::{Node, NodeKind};
use super::schema::FieldType;
use super::time::{Duration, Time};
use super::value::{fmt_number, Value};
use crate::diag::Span;
use std::sync::Arc;

/// Spans of a record's values by path, in the order found (later ones win).
pub(crate) type Spans = Vec<(Arc<str>, Span)>;

/// Note that the value at `path` is at `span`. The same path again at the same span
/// (a value read as its type and then as it is) is noted once.
fn note(spans: &mut Spans, path: &str, span: &Span) {
    let key = match spans.last() {
        Some((k, s)) if **k == *path && s == span => return,
        Some((k, _)) if **k == *path => k.clone(),
        // field names are interned, deeper paths are not (they would only fill the table)
        _ if path.contains(['.', '[']) => path.into(),
        _ => super::fields::intern(path),
    };
    spans.push((key, span.clone()));
}

/// Convert `node` as a value of type `ty` (`None`: not declared). Spans of nested
/// values go into `spans` under paths like `time.start` and `sources[1]`.
pub(crate) fn to_value(
    node: &Node,
    ty: Option<&FieldType>,
    path: &str,
    spans: &mut Spans,
) -> Value {
    note(spans, path, &node.span);
    match (&node.kind, ty) {
        (NodeKind::Null, _) => Value::Null,
        (_, None) | (_, Some(FieldType::Any)) => generic(node, path, spans),
        (NodeKind::Text(t), Some(ty)) => from_text(t, ty, node, path, spans),
        (_, Some(FieldType::String | FieldType::File)) => generic(node, path, spans),
        (NodeKind::Number(n), Some(FieldType::Number)) => Value::Number(*n),
        (NodeKind::Map(_), Some(FieldType::Number)) => {
            range(node, path, spans).unwrap_or_else(|| generic(node, path, spans))
        }
        (NodeKind::Bool(b), Some(FieldType::Bool)) => Value::Bool(*b),
        (NodeKind::Str(s), Some(FieldType::Date)) => match parse_date(s) {
            Some(t) => Value::Time(t),
            None => Value::Str(s.clone()),
        },
        (NodeKind::Number(n), Some(FieldType::Date)) => match year_of_number(*n) {
            Some(t) => Value::Time(t),
            None => Value::Number(*n),
        },
        (NodeKind::Map(_), Some(FieldType::Date)) => {
            interval(node, path, spans).unwrap_or_else(|| generic(node, path, spans))
        }
        (NodeKind::Str(s), Some(FieldType::Duration)) => match parse_duration(s) {
            Some(d) => Value::Duration(d),
            None => Value::Str(s.clone()),
        },
        (NodeKind::Number(n), Some(FieldType::Enum(values))) => {
            // `credibility: 2` means the enum value "2"
            let s = fmt_number(*n);
            if values.contains(&s) {
                Value::Str(s.into())
            } else {
                Value::Number(*n)
            }
        }
        (NodeKind::Number(n), Some(FieldType::Ref(_))) if n.fract() == 0.0 => {
            // numeric ids (GDELT's) are ids all the same
            Value::Str(fmt_number(*n).into())
        }
        (NodeKind::Map(entries), Some(FieldType::Map)) => Value::Map(
            entries
                .iter()
                .map(|e| {
                    let v = generic(&e.value, &format!("{path}.{}", e.key), spans);
                    (e.key.to_string(), v)
                })
                .collect(),
        ),
        (NodeKind::Seq(items), Some(FieldType::List(inner))) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, n)| to_value(n, Some(inner), &format!("{path}[{i}]"), spans))
                .collect(),
        ),
        _ => generic(node, path, spans),
    }
}

/// A node read without a type: strings stay strings, maps stay maps.
fn generic(node: &Node, path: &str, spans: &mut Spans) -> Value {
    note(spans, path, &node.span);
    match &node.kind {
        NodeKind::Null => Value::Null,
        NodeKind::Bool(b) => Value::Bool(*b),
        NodeKind::Number(n) => Value::Number(*n),
        NodeKind::Str(s) | NodeKind::Text(s) => Value::Str(s.clone()),
        NodeKind::Seq(items) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, n)| generic(n, &format!("{path}[{i}]"), spans))
                .collect(),
        ),
        NodeKind::Map(entries) => {
            if let Some(r) = range(node, path, spans) {
                return r;
            }
            if let Some(t) = interval(node, path, spans) {
                return t;
            }
            Value::Map(
                entries
                    .iter()
                    .map(|e| {
                        let v = generic(&e.value, &format!("{path}.{}", e.key), spans);
                        (e.key.to_string(), v)
                    })
                    .collect(),
            )
        }
    }
}

/// Short strings of one file, shared: a table's codes and names repeat row after row,
/// and one `Arc` each is less memory and less time than one per cell.
#[derive(Default)]
pub(crate) struct Strings {
    seen: std::collections::HashSet<Arc<str>, foldhash::fast::RandomState>,
    /// Field names met in this file, interned (`fields::intern` takes a lock).
    names: std::collections::HashSet<Arc<str>, foldhash::fast::RandomState>,
}

impl Strings {
    /// Strings longer than this are not shared (URLs and free text rarely repeat).
    const MAX_LEN: usize = 32;
    /// At most this many strings are remembered per file.
    const MAX_COUNT: usize = 1 << 18;

    /// The interned field name `s`.
    pub fn name(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.names.get(s) {
            return a.clone();
        }
        let a = super::fields::intern(s);
        if self.names.len() < Self::MAX_COUNT {
            self.names.insert(a.clone());
        }
        a
    }

    /// Whether every name given out so far is remembered, so that names with the same
    /// text have been the same `Arc` (one address).
    pub fn names_shared(&self) -> bool {
        self.names.len() < Self::MAX_COUNT
    }

    pub fn get(&mut self, s: &str) -> Arc<str> {
        if s.len() > Self::MAX_LEN {
            return s.into();
        }
        if let Some(a) = self.seen.get(s) {
            return a.clone();
        }
        let a: Arc<str> = s.into();
        if self.seen.len() < Self::MAX_COUNT {
            self.seen.insert(a.clone());
        }
        a
    }
}

/// A CSV or TSV cell's text (trimmed) read as `ty` (`None`: not declared), as
/// [`to_value`] reads a text node, without the node; `None` for a list, whose parts
/// need spans of their own.
pub(crate) fn text_value(t: &str, ty: Option<&FieldType>, strings: &mut Strings) -> Option<Value> {
    let mut keep = move || Value::Str(strings.get(t));
    Some(match ty {
        None => keep(),
        Some(FieldType::List(_)) => return None,
        Some(ty) => scalar_text(t, ty, keep),
    })
}

/// Text read as a scalar type; `keep` is the text as a string, when it is not one.
fn scalar_text(s: &str, ty: &FieldType, keep: impl FnOnce() -> Value) -> Value {
    match ty {
        FieldType::Number => parse_number(s).map_or_else(keep, Value::Number),
        FieldType::Bool => {
            if s.eq_ignore_ascii_case("true") {
                Value::Bool(true)
            } else if s.eq_ignore_ascii_case("false") {
                Value::Bool(false)
            } else {
                keep()
            }
        }
        FieldType::Date => parse_date(s).map_or_else(keep, Value::Time),
        FieldType::Duration => parse_duration(s).map_or_else(keep, Value::Duration),
        _ => keep(),
    }
}

/// A CSV or TSV cell read as `ty`.
fn from_text(t: &Arc<str>, ty: &FieldType, node: &Node, path: &str, spans: &mut Spans) -> Value {
    let keep = || Value::Str(t.clone());
    match ty {
        FieldType::List(inner) => {
            // `a;b;c`, each part at its own column
            let quoted = node.span.end.saturating_sub(node.span.start) > t.len();
            let base = node.span.start + usize::from(quoted);
            let base_col = node.span.col + u32::from(quoted);
            let mut items = Vec::new();
            let mut at = 0usize;
            for (i, part) in t.split(';').enumerate() {
                let p0 = at + (part.len() - part.trim_start().len());
                at += part.len() + 1;
                let trimmed = part.trim();
                if trimmed.is_empty() {
                    continue;
                }
                let col = base_col + t.get(..p0).map_or(0, |p| p.chars().count()) as u32;
                let span = Span::new(
                    node.span.file.clone(),
                    base + p0,
                    base + p0 + trimmed.len(),
                    node.span.line,
                    col,
                );
                let part_node = Node::new(NodeKind::Text(trimmed.into()), span);
                items.push(to_value(
                    &part_node,
                    Some(inner),
                    &format!("{path}[{i}]"),
                    spans,
                ));
            }
            Value::List(items)
        }
        _ => scalar_text(t.trim(), ty, keep),
    }
}

/// `{min, max}` with numbers, with the spans of its ends.
fn range(node: &Node, path: &str, spans: &mut Spans) -> Option<Value> {
    let v = range_of(node)?;
    if let NodeKind::Map(entries) = &node.kind {
        for e in entries {
            spans.push((format!("{path}.{}", e.key).into(), e.value.span.clone()));
        }
    }
    Some(v)
}

/// `{start, end}` with dates, with the spans of its ends.
fn interval(node: &Node, path: &str, spans: &mut Spans) -> Option<Value> {
    let v = interval_of(node)?;
    if let NodeKind::Map(entries) = &node.kind {
        for e in entries {
            spans.push((format!("{path}.{}", e.key).into(), e.value.span.clone()));
        }
    }
    Some(v)
}

/// `{min, max}` with numbers (either may be absent, nothing else present).
pub(crate) fn range_of(node: &Node) -> Option<Value> {
    let (min, max) = pair_map(node, "min", "max", |n| match &n.kind {
        NodeKind::Number(x) => Some(Some(*x)),
        NodeKind::Text(t) => parse_number(t).map(Some),
        NodeKind::Null => Some(None),
        _ => None,
    })?;
    Some(Value::Range { min, max })
}

/// A map holding only the keys `a` and `b` (either may be absent), each value read by
/// `read` (`Some(None)` for null); `None` when it is no such map or a value is unreadable.
fn pair_map<T>(
    node: &Node,
    a: &str,
    b: &str,
    read: impl Fn(&Node) -> Option<Option<T>>,
) -> Option<(Option<T>, Option<T>)> {
    let NodeKind::Map(entries) = &node.kind else {
        return None;
    };
    if entries.is_empty() || entries.iter().any(|e| &*e.key != a && &*e.key != b) {
        return None;
    }
    let (mut first, mut second) = (None, None);
    for e in entries {
        let v = read(&e.value)?;
        if &*e.key == a {
            first = v;
        } else {
            second = v;
        }
    }
    Some((first, second))
}

/// `{start, end}` with dates (either may be absent, nothing else present).
pub(crate) fn interval_of(node: &Node) -> Option<Value> {
    let (start, end) = pair_map(node, "start", "end", |n| match &n.kind {
        NodeKind::Str(s) | NodeKind::Text(s) => parse_date(s).map(Some),
        NodeKind::Number(x) => year_of_number(*x).map(Some),
        NodeKind::Null => Some(None),
        _ => None,
    })?;
    let raw = format!(
        "{}..{}",
        start
            .as_ref()
            .map_or(String::new(), |t: &Time| t.raw.to_string()),
        end.as_ref()
            .map_or(String::new(), |t: &Time| t.raw.to_string())
    );
    Some(Value::Time(Time::interval(
        start.as_ref(),
        end.as_ref(),
        raw.into(),
    )))
}

/// A number written as text: `80`, `-1.5`, `1e3`; not `nan`, `inf` or `0x10`.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if body.is_empty() || !body.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Whether CSV text looks like a number that should be read as one: not a code with
/// leading zeros (`040`, CAMEO), which would lose them.
pub(crate) fn looks_numeric(s: &str) -> bool {
    let body = s.trim().strip_prefix('-').unwrap_or(s.trim());
    let leading_zero = body.len() > 1 && body.starts_with('0') && !body.starts_with("0.");
    !leading_zero && parse_number(s).is_some()
}

/// A date as the data model writes it, including the compact `20070704` (GDELT's
/// `SQLDATE`) and `20070704153000` (its `DATEADDED`, read as its day).
pub(crate) fn parse_date(s: &str) -> Option<Time> {
    Time::parse(s)
}

/// A bare YAML number in a date field: a year (`2008`), `20070704` or
/// `20070704153000`.
pub(crate) fn year_of_number(n: f64) -> Option<Time> {
    if n.fract() != 0.0 || !(1.0..=99_999_999_999_999.0).contains(&n) {
        return None;
    }
    let text = fmt_number(n);
    match text.len() {
        4 | 8 | 14 => parse_date(&text),
        _ => None,
    }
}

/// A duration: `20 years`, `3 months 2 days`, `1 week`, or ISO 8601 `P1Y2M3W4D`; none
/// longer than [`Duration::MAX_YEARS`].
pub(crate) fn parse_duration(s: &str) -> Option<Duration> {
    parse_any_duration(s).filter(|d| !d.is_beyond_calendar())
}

/// `parse_duration` without the limit (to say why a long one is refused).
pub(crate) fn parse_any_duration(s: &str) -> Option<Duration> {
    // saturating: what overflows is beyond the calendar, and refused by the caller
    let months = |n: i64| n.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
    let s = s.trim();
    if let Some(iso) = s.strip_prefix(['P', 'p']) {
        let mut d = Duration::default();
        let mut num = String::new();
        for c in iso.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let n: i64 = num.parse().ok()?;
            num.clear();
            match c.to_ascii_uppercase() {
                'Y' => d.months = d.months.saturating_add(months(n.saturating_mul(12))),
                'M' => d.months = d.months.saturating_add(months(n)),
                'W' => d.days = d.days.saturating_add(n.saturating_mul(7)),
                'D' => d.days = d.days.saturating_add(n),
                _ => return None,
            }
        }
        return (!iso.is_empty() && num.is_empty()).then_some(d);
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.is_empty() || words.len() % 2 != 0 {
        return None;
    }
    let mut d = Duration::default();
    for pair in words.chunks(2) {
        let n: i64 = pair[0].parse().ok()?;
        match pair[1].trim_end_matches(',').to_ascii_lowercase().as_str() {
            "year" | "years" => d.months = d.months.saturating_add(months(n.saturating_mul(12))),
            "month" | "months" => d.months = d.months.saturating_add(months(n)),
            "week" | "weeks" => d.days = d.days.saturating_add(n.saturating_mul(7)),
            "day" | "days" => d.days = d.days.saturating_add(n),
            _ => return None,
        }
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("20 years"),
            Some(Duration {
                months: 240,
                days: 0
            })
        );
        assert_eq!(
            parse_duration("P1Y2W"),
            Some(Duration {
                months: 12,
                days: 14
            })
        );
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("P"), None);
    }

    #[test]
    fn compact_dates() {
        let day = |s: &str| parse_date(s).map(|t| (t.start, t.end, t.raw.to_string()));
        let jan7 = NaiveDate::from_ymd_opt(2026, 1, 7);
        assert_eq!(day("20260107"), Some((jan7, jan7, "20260107".into())));
        assert_eq!(
            day("20260107153000"),
            Some((jan7, jan7, "20260107153000".into()))
        );
        assert!(day("20261307").is_none());
        assert!(day("20260230").is_none());
        assert!(day("20260107246000").is_none());
        assert!(day("20260107235960").is_some());
        assert!(day("20260107235961").is_none());
        assert!(day("202601071530").is_none());
        assert!(day("2026010715300").is_none());
        assert!(year_of_number(20260107153000.0).is_some());
        assert!(year_of_number(202601071530.0).is_none());
    }

    #[test]
    fn numbers_keep_codes() {
        assert!(looks_numeric("2007.5041"));
        assert!(looks_numeric("-0.11"));
        assert!(!looks_numeric("040"));
        assert!(!looks_numeric("nan"));
    }
}
