//! Reviewed exceptions: a YAML file of suppressions, each with a reason, a reviewer and
//! an expiry date. Matching findings leave the report; expired entries stop working.

use crate::diag::diagnostic::sort;
use crate::diag::span::line_col;
use crate::diag::{Diagnostic, Level, Span};
use crate::eval::{Finding, Report};
use crate::report::output::{nearest, recount};
use chrono::NaiveDate;
use serde_yaml::Value;
use std::sync::Arc;

/// One accepted exception.
#[derive(Clone, Debug, PartialEq)]
pub struct Suppression {
    pub rule: String,
    /// `collection/id` or a bare `id`; a finding matches when each names one of its
    /// records. Empty: every finding of the rule.
    pub records: Vec<String>,
    pub reason: String,
    pub reviewer: String,
    /// The last day the entry suppresses.
    pub expires: NaiveDate,
    /// Where the entry starts in the suppressions file.
    pub span: Span,
}

impl Suppression {
    /// Whether the entry covers the finding (its expiry aside).
    pub fn matches(&self, f: &Finding) -> bool {
        f.rule == self.rule
            && self.records.iter().all(|r| {
                f.evidence.iter().any(|e| match r.split_once('/') {
                    Some((c, id)) => e.collection == c && e.id == id,
                    None => e.id == *r,
                })
            })
    }

    /// `principle-contradicted` or `principle-contradicted on actions/x, actions/y`.
    fn describe(&self) -> String {
        if self.records.is_empty() {
            format!("`{}`", self.rule)
        } else {
            format!("`{}` on {}", self.rule, self.records.join(", "))
        }
    }
}

/// A finding taken out of the report and the entry that took it.
#[derive(Clone, Debug, PartialEq)]
pub struct SuppressedFinding {
    pub finding: Finding,
    /// Index of the suppression in the slice given to [`apply_suppressions`].
    pub suppression: usize,
}

/// What applying suppressions did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SuppressionOutcome {
    pub suppressed: Vec<SuppressedFinding>,
    /// Expired entries (warnings), entries naming unknown rules (warnings), entries
    /// that matched nothing (info).
    pub diagnostics: Vec<Diagnostic>,
}

const FIELDS: [&str; 5] = ["rule", "records", "reason", "reviewer", "expires"];

/// Where each entry and each of its keys is in the text, found by scanning lines:
/// serde_yaml does not keep positions.
struct Layout<'t> {
    file: Arc<str>,
    text: &'t str,
    /// Byte offsets of the line starts.
    lines: Vec<usize>,
    /// Byte offset of each entry's `-`.
    entries: Vec<usize>,
}

impl<'t> Layout<'t> {
    fn scan(file: Arc<str>, text: &'t str) -> Layout<'t> {
        let mut lines = vec![0];
        lines.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut layout = Layout {
            file,
            text,
            lines,
            entries: Vec::new(),
        };
        // entries are the `-` lines at the indentation of the first one
        let mut indent: Option<usize> = None;
        for li in 0..layout.lines.len() {
            let (start, line) = layout.line(li);
            let trimmed = line.trim_start();
            let ind = line.len() - trimmed.len();
            if !(trimmed == "-" || trimmed.starts_with("- ")) {
                continue;
            }
            if *indent.get_or_insert(ind) == ind {
                layout.entries.push(start + ind);
            }
        }
        layout
    }

    /// The byte offset and text (without line end) of line `li` (0-based).
    fn line(&self, li: usize) -> (usize, &'t str) {
        let start = self.lines[li];
        let end = self
            .lines
            .get(li + 1)
            .map(|n| n - 1)
            .unwrap_or(self.text.len());
        let line = self.text.get(start..end).unwrap_or("");
        (start, line.strip_suffix('\r').unwrap_or(line))
    }

    fn span(&self, start: usize, end: usize) -> Span {
        let (line, col) = line_col(self.text, start);
        Span::new(self.file.clone(), start, end, line, col)
    }

    /// The `-` of entry `i`, or the file's start when the layout could not find it.
    fn entry(&self, i: usize) -> Span {
        match self.entries.get(i) {
            Some(&o) => self.span(o, o + 1),
            None => self.span(0, 0),
        }
    }

    /// The key `key:` of entry `i`, or its value when `value` is set.
    fn key(&self, i: usize, key: &str, value: bool) -> Option<Span> {
        let entry = *self.entries.get(i)?;
        let next = self.entries.get(i + 1).copied().unwrap_or(self.text.len());
        for li in 0..self.lines.len() {
            let (start, line) = self.line(li);
            if start + line.len() < entry || start >= next {
                continue;
            }
            // on the entry's first line, look after the `-`
            let from = if start <= entry { entry - start + 1 } else { 0 };
            let Some(rest) = line.get(from..) else {
                continue;
            };
            let trimmed = rest.trim_start();
            let key_at = start + from + (rest.len() - trimmed.len());
            let Some(after) = trimmed.strip_prefix(key).and_then(|r| r.strip_prefix(':')) else {
                continue;
            };
            if !value {
                return Some(self.span(key_at, key_at + key.len()));
            }
            let v = after.trim();
            if v.is_empty() {
                return Some(self.span(key_at, key_at + key.len()));
            }
            let v_at = key_at + key.len() + 1 + (after.len() - after.trim_start().len());
            return Some(self.span(v_at, v_at + v.len()));
        }
        None
    }
}

/// Load a suppressions file: a YAML list of entries (or a map with a `suppressions`
/// list). Every problem is reported, each at its line and column; entries with errors
/// are left out.
pub fn load_suppressions(file: &str, text: &str) -> (Vec<Suppression>, Vec<Diagnostic>) {
    let layout = Layout::scan(file.into(), text);
    let start = layout.span(0, 0);
    let mut diags = Vec::new();
    let doc: Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let at = e.location().map(|l| l.index()).unwrap_or(0);
            let msg = e.to_string();
            let msg = match msg.rfind(" at line ") {
                Some(i) => msg[..i].to_string(),
                None => msg,
            };
            let d = Diagnostic::error("R0201", format!("invalid suppressions file: {msg}"))
                .at(layout.span(at, at), "here");
            return (Vec::new(), vec![d]);
        }
    };
    let list = match &doc {
        Value::Null => return (Vec::new(), Vec::new()),
        Value::Sequence(s) => s,
        Value::Mapping(m) => match m.get("suppressions") {
            Some(Value::Sequence(s)) => s,
            Some(Value::Null) => return (Vec::new(), Vec::new()),
            _ => {
                let d = Diagnostic::error("R0201", "invalid suppressions file")
                    .at(start.clone(), "")
                    .expected("a list of suppressions, or a `suppressions:` list");
                return (Vec::new(), vec![d]);
            }
        },
        _ => {
            let d = Diagnostic::error("R0201", "invalid suppressions file")
                .at(start.clone(), "")
                .expected("a list of suppressions");
            return (Vec::new(), vec![d]);
        }
    };
    let mut out = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let entry_span = layout.entry(i);
        let key_span = |key: &str, value: bool| {
            layout
                .key(i, key, value)
                .unwrap_or_else(|| entry_span.clone())
        };
        let Value::Mapping(map) = entry else {
            diags.push(
                Diagnostic::error("R0201", "a suppression must be a mapping")
                    .at(entry_span.clone(), "this entry")
                    .expected("`rule`, `reason`, `reviewer`, `expires` and optional `records`"),
            );
            continue;
        };
        let before = diags.len();
        for key in map.keys() {
            let name = match key {
                Value::String(s) => s.clone(),
                other => serde_yaml::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            };
            if !FIELDS.contains(&name.as_str()) {
                let mut d =
                    Diagnostic::error("R0206", format!("unknown field `{name}` in a suppression"))
                        .at(key_span(&name, false), "unknown field")
                        .expected(format!("one of {}", FIELDS.join(", ")));
                if let Some(near) = nearest(&name, &FIELDS) {
                    d = d.help(format!("did you mean `{near}`?"));
                }
                diags.push(d);
            }
        }
        let string = |key: &str, diags: &mut Vec<Diagnostic>| -> Option<String> {
            match map.get(key) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if s.trim().is_empty() => None,
                Some(Value::String(s)) => Some(s.trim().to_string()),
                Some(other) => {
                    let found = serde_yaml::to_string(other).unwrap_or_default();
                    diags.push(
                        Diagnostic::error("R0201", format!("`{key}` must be a string"))
                            .at(key_span(key, true), "")
                            .expected("a string")
                            .found(found.trim().to_string()),
                    );
                    Some(String::new())
                }
            }
        };
        let rule = string("rule", &mut diags);
        let what = match &rule {
            Some(r) if !r.is_empty() => format!("suppression of `{r}`"),
            _ => "suppression".to_string(),
        };
        if rule.is_none() {
            diags.push(
                Diagnostic::error("R0205", "suppression without a `rule`")
                    .at(entry_span.clone(), "this entry")
                    .help("name the rule whose findings this entry accepts: `rule: RULE-ID`"),
            );
        }
        let reason = string("reason", &mut diags);
        if reason.is_none() {
            diags.push(
                Diagnostic::error("R0202", format!("{what} has no `reason`"))
                    .at(entry_span.clone(), "this entry")
                    .help("say why these findings are accepted: `reason: ...`"),
            );
        }
        let reviewer = string("reviewer", &mut diags);
        if reviewer.is_none() {
            diags.push(
                Diagnostic::error("R0203", format!("{what} has no `reviewer`"))
                    .at(entry_span.clone(), "this entry")
                    .help("name who reviewed the exception: `reviewer: ...`"),
            );
        }
        let expires = match string("expires", &mut diags) {
            None => {
                diags.push(
                    Diagnostic::error("R0204", format!("{what} has no `expires` date"))
                        .at(entry_span.clone(), "this entry")
                        .help("give the last day it applies: `expires: YYYY-MM-DD`"),
                );
                None
            }
            Some(s) if s.is_empty() => None,
            Some(s) => match parse_date(&s) {
                Some(d) => Some(d),
                None => {
                    diags.push(
                        Diagnostic::error("R0204", format!("invalid expiry date `{s}`"))
                            .at(key_span("expires", true), "not a date")
                            .expected("a date YYYY-MM-DD")
                            .found(format!("`{s}`")),
                    );
                    None
                }
            },
        };
        let records = match map.get("records") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s.trim().to_string()],
            Some(Value::Sequence(items)) => {
                let mut records = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) if !s.trim().is_empty() => {
                            records.push(s.trim().to_string())
                        }
                        Value::Number(n) => records.push(n.to_string()),
                        other => {
                            let found = serde_yaml::to_string(other).unwrap_or_default();
                            diags.push(
                                Diagnostic::error(
                                    "R0201",
                                    "a record in `records` must be `collection/id` or `id`",
                                )
                                .at(key_span("records", true), "")
                                .found(found.trim().to_string()),
                            );
                        }
                    }
                }
                if items.is_empty() {
                    diags.push(
                        Diagnostic::error("R0201", format!("{what} has an empty `records` list"))
                            .at(key_span("records", true), "empty")
                            .help("leave `records` out to accept every finding of the rule"),
                    );
                }
                records
            }
            Some(other) => {
                let found = serde_yaml::to_string(other).unwrap_or_default();
                diags.push(
                    Diagnostic::error("R0201", "`records` must be a list of record ids")
                        .at(key_span("records", true), "")
                        .expected("a list of `collection/id` or `id`")
                        .found(found.trim().to_string()),
                );
                Vec::new()
            }
        };
        if diags.len() > before {
            continue;
        }
        if let (Some(rule), Some(reason), Some(reviewer), Some(expires)) =
            (rule, reason, reviewer, expires)
        {
            out.push(Suppression {
                rule,
                records,
                reason,
                reviewer,
                expires,
                span: entry_span,
            });
        }
    }
    sort(&mut diags);
    (out, diags)
}

/// A strict `YYYY-MM-DD` date.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let ok_shape = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !ok_shape {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Move the findings that an unexpired suppression covers out of the report (counted
/// in `report.summary.suppressed`). An entry suppresses up to and including its
/// `expires` day; after it, it is reported and its findings come back.
pub fn apply_suppressions(
    report: &mut Report,
    suppressions: &[Suppression],
    today: NaiveDate,
) -> SuppressionOutcome {
    let mut outcome = SuppressionOutcome::default();
    let active: Vec<bool> = suppressions.iter().map(|s| s.expires >= today).collect();
    let mut hits = vec![0usize; suppressions.len()];
    let mut kept = Vec::with_capacity(report.findings.len());
    for f in std::mem::take(&mut report.findings) {
        let by = suppressions
            .iter()
            .enumerate()
            .position(|(i, s)| active[i] && s.matches(&f));
        match by {
            Some(i) => {
                hits[i] += 1;
                outcome.suppressed.push(SuppressedFinding {
                    finding: f,
                    suppression: i,
                });
            }
            None => kept.push(f),
        }
    }
    report.findings = kept;
    report.summary.suppressed += outcome.suppressed.len();
    recount(report);

    for (i, s) in suppressions.iter().enumerate() {
        if !active[i] {
            let again = report.findings.iter().filter(|f| s.matches(f)).count();
            outcome.diagnostics.push(
                Diagnostic::warning(
                    "R0207",
                    format!(
                        "suppression of {} expired on {} (reviewer: {})",
                        s.describe(),
                        s.expires,
                        s.reviewer
                    ),
                )
                .at(s.span.clone(), "expired")
                .help(format!(
                    "{} reported again; review, then extend `expires` or remove the entry",
                    if again == 1 {
                        "its 1 finding is".to_string()
                    } else {
                        format!("its {again} findings are")
                    }
                )),
            );
        } else if hits[i] == 0 {
            let known = report.rules.is_empty() || report.rules.iter().any(|r| r.id == s.rule);
            if known {
                outcome.diagnostics.push(
                    Diagnostic::warning(
                        "R0208",
                        format!("suppression of {} matched no finding", s.describe()),
                    )
                    .with_level(Level::Info)
                    .at(s.span.clone(), "unused")
                    .help("the findings it accepted are gone; remove the entry"),
                );
            } else {
                let ids: Vec<&str> = report.rules.iter().map(|r| r.id.as_str()).collect();
                let mut d = Diagnostic::warning(
                    "R0209",
                    format!("suppression names unknown rule `{}`", s.rule),
                )
                .at(s.span.clone(), "unknown rule");
                if let Some(near) = nearest(&s.rule, &ids) {
                    d = d.help(format!("did you mean `{near}`?"));
                }
                outcome.diagnostics.push(d);
            }
        }
    }
    outcome
}
