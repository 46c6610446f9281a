//! Values of record fields and of rule expressions.

use super::time::{Duration, Time};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Explicitly null in the data (`~`, `null`, an empty CSV cell).
    Null,
    Bool(bool),
    Number(f64),
    Str(Arc<str>),
    Time(Time),
    Duration(Duration),
    /// A numeric range, either end open: `{min: 80}` is "at least 80".
    Range {
        min: Option<f64>,
        max: Option<f64>,
    },
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(s.into())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The name of the value's type, as messages show it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::Str(_) => "string",
            Value::Time(_) => "date",
            Value::Duration(_) => "duration",
            Value::Range { .. } => "range",
            Value::List(_) => "list",
            Value::Map(_) => "map",
        }
    }
}

/// Numbers print without a trailing `.0` when whole.
pub fn fmt_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(&fmt_number(*n)),
            Value::Str(s) => f.write_str(s),
            Value::Time(t) => write!(f, "{t}"),
            Value::Duration(d) => write!(f, "{d}"),
            Value::Range { min, max } => match (min, max) {
                (Some(a), Some(b)) => write!(f, "{}-{}", fmt_number(*a), fmt_number(*b)),
                (Some(a), None) => write!(f, "at least {}", fmt_number(*a)),
                (None, Some(b)) => write!(f, "at most {}", fmt_number(*b)),
                (None, None) => f.write_str("unknown"),
            },
            Value::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}
