//! Reviewed exceptions: a YAML file of suppressions, each with a reason, a reviewer and
//! an expiry date. Matching findings leave the report; expired entries stop working.

use crate::data::node::{Entry, Node, NodeKind};
use crate::data::value::fmt_number;
use crate::data::yaml::read_text;
use crate::diag::diagnostic::sort;
use crate::diag::{Diagnostic, Level, LineIndex, Span};
use crate::eval::{Finding, Report};
use crate::report::output::{nearest, recount};
use chrono::NaiveDate;
use std::collections::HashMap;
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

/// Where the entries and their keys and values are: the spans of the YAML loader's
/// nodes, so flow style (`- {rule: x, ...}`), comments, anchors and merge keys place
/// them as well as block style does.
struct Layout<'t> {
    file: Arc<str>,
    lines: LineIndex<'t>,
}

impl Layout<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        let (line, col) = self.lines.line_col(start);
        Span::new(self.file.clone(), start, end, line, col)
    }

    /// An entry is shown at its `-` in a block list (comments between the two
    /// skipped), else (a flow list) where it starts.
    fn entry(&self, entry: &Node) -> Span {
        let text = self.lines.text();
        let start = entry.span.start.min(text.len());
        let mut before = &text[..start];
        loop {
            let trimmed = before.trim_end_matches([' ', '\t', '\r', '\n']);
            let line_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
            let line = &trimmed[line_start..];
            // a comment: `#` at the start of the line or after a blank
            let comment = line
                .char_indices()
                .find(|&(i, c)| c == '#' && (i == 0 || line[..i].ends_with([' ', '\t'])));
            let Some((at, _)) = comment else {
                before = trimmed;
                break;
            };
            let code = line[..at].trim_end_matches([' ', '\t']);
            if code.trim_start().is_empty() {
                before = &trimmed[..line_start]; // a line of comment alone
            } else {
                before = &trimmed[..line_start + code.len()];
                break;
            }
        }
        match before.strip_suffix('-') {
            Some(rest) => self.span(rest.len(), rest.len() + 1),
            None => self.span(start, start + 1),
        }
    }

    /// Where to show a problem of field `e` of `entry` (shown at `entry_span`) that
    /// lies at `at`: there when the entry writes the field itself, else (merged in by
    /// `<<`, or the entry is an alias) at the entry, with `at` as a second place, so
    /// each entry's problem points at that entry.
    fn place(&self, entry: &Node, entry_span: &Span, e: &Entry, at: Span) -> (Span, Option<Span>) {
        let own = entry.span.has_range()
            && (entry.span.start..entry.span.end.max(entry.span.start + 1))
                .contains(&e.key_span.start);
        if own {
            (at, None)
        } else {
            (entry_span.clone(), Some(at))
        }
    }

    /// The value of `key` when it starts on the key's line, else the key: a value on
    /// the lines below (a block list) is shown at its key.
    fn value(&self, entry: &Entry) -> Span {
        let v = &entry.value.span;
        if v.has_range() && v.line == entry.key_span.line {
            v.clone()
        } else {
            entry.key_span.clone()
        }
    }

    /// A value as the file writes it, for `found:`; a list or map over several lines
    /// by its kind.
    fn written(&self, node: &Node) -> String {
        let text = self.lines.text();
        match text.get(node.span.start..node.span.end) {
            _ if matches!(node.kind, NodeKind::Null) => "null".to_string(),
            Some(s) if !s.is_empty() && !s.contains('\n') => s.to_string(),
            _ => node.describe(),
        }
    }
}

/// `d` at `place` (see `Layout::place`), with `label` at the field.
fn at_place(d: Diagnostic, place: (Span, Option<Span>), label: &str) -> Diagnostic {
    match place {
        (at, None) => d.at(at, label),
        (entry, Some(field)) => d.at(entry, "this entry").also(
            field,
            format!(
                "{} (merged into the entry)",
                if label.is_empty() { "here" } else { label }
            ),
        ),
    }
}

/// A problem of the YAML itself (malformed, a key written twice, ...), as a
/// suppressions-file error at the place the loader found.
fn invalid_file(mut d: Diagnostic) -> Diagnostic {
    let problem = d
        .message
        .strip_prefix("malformed YAML: ")
        .unwrap_or(&d.message);
    d.message = format!("invalid suppressions file: {problem}");
    d.code = "R0201".to_string();
    d.level = Level::Error;
    d
}

/// Load a suppressions file: a YAML list of entries (or a map with a `suppressions`
/// list), read by the data loader's YAML reader. Every problem is reported, each at its
/// line and column; entries with errors are left out.
pub fn load_suppressions(file: &str, text: &str) -> (Vec<Suppression>, Vec<Diagnostic>) {
    let layout = Layout {
        file: file.into(),
        lines: LineIndex::new(text),
    };
    let start = layout.span(0, 0);
    let (docs, problems) = read_text(layout.file.clone(), text);
    if !problems.is_empty() {
        let mut diags: Vec<Diagnostic> = problems.into_iter().map(invalid_file).collect();
        sort(&mut diags);
        return (Vec::new(), diags);
    }
    let doc = match docs.as_slice() {
        [] => return (Vec::new(), Vec::new()),
        [doc] => doc,
        [_, second, ..] => {
            let d = Diagnostic::error("R0201", "invalid suppressions file")
                .at(second.span.clone(), "a second document")
                .expected("one YAML document");
            return (Vec::new(), vec![d]);
        }
    };
    let list = match &doc.kind {
        NodeKind::Null => return (Vec::new(), Vec::new()),
        NodeKind::Seq(s) => s,
        NodeKind::Map(_) => match doc.get("suppressions").map(|n| &n.kind) {
            Some(NodeKind::Seq(s)) => s,
            Some(NodeKind::Null) => return (Vec::new(), Vec::new()),
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
    let mut diags = Vec::new();
    let mut out = Vec::new();
    for entry in list {
        let entry_span = layout.entry(entry);
        let NodeKind::Map(map) = &entry.kind else {
            diags.push(
                Diagnostic::error("R0201", "a suppression must be a mapping")
                    .at(entry_span.clone(), "this entry")
                    .expected("`rule`, `reason`, `reviewer`, `expires` and optional `records`"),
            );
            continue;
        };
        let field = |key: &str| map.iter().find(|e| &*e.key == key);
        let before = diags.len();
        for e in map {
            let name = &*e.key;
            if !FIELDS.contains(&name) {
                let place = layout.place(entry, &entry_span, e, e.key_span.clone());
                let mut d = at_place(
                    Diagnostic::error("R0206", format!("unknown field `{name}` in a suppression")),
                    place,
                    "unknown field",
                )
                .expected(format!("one of {}", FIELDS.join(", ")));
                if let Some(near) = nearest(name, &FIELDS) {
                    d = d.help(format!("did you mean `{near}`?"));
                }
                diags.push(d);
            }
        }
        let string = |key: &str, diags: &mut Vec<Diagnostic>| -> Option<String> {
            let e = field(key)?;
            match &e.value.kind {
                NodeKind::Null => None,
                NodeKind::Str(s) | NodeKind::Text(s) if s.trim().is_empty() => None,
                NodeKind::Str(s) | NodeKind::Text(s) => Some(s.trim().to_string()),
                _ => {
                    let place = layout.place(entry, &entry_span, e, layout.value(e));
                    diags.push(
                        at_place(
                            Diagnostic::error("R0201", format!("`{key}` must be a string")),
                            place,
                            "",
                        )
                        .expected("a string")
                        .found(layout.written(&e.value)),
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
                    let place = match field("expires") {
                        Some(e) => layout.place(entry, &entry_span, e, layout.value(e)),
                        None => (entry_span.clone(), None),
                    };
                    diags.push(
                        at_place(
                            Diagnostic::error("R0204", format!("invalid expiry date `{s}`")),
                            place,
                            "not a date",
                        )
                        .expected("a date YYYY-MM-DD")
                        .found(format!("`{s}`")),
                    );
                    None
                }
            },
        };
        let records = match field("records") {
            None => Vec::new(),
            Some(e) => {
                let at = |d: Diagnostic, label: &str| {
                    at_place(
                        d,
                        layout.place(entry, &entry_span, e, layout.value(e)),
                        label,
                    )
                };
                match &e.value.kind {
                    NodeKind::Null => Vec::new(),
                    NodeKind::Str(s) | NodeKind::Text(s) => vec![s.trim().to_string()],
                    NodeKind::Seq(items) => {
                        let mut records = Vec::new();
                        for item in items {
                            match &item.kind {
                                NodeKind::Str(s) | NodeKind::Text(s) if !s.trim().is_empty() => {
                                    records.push(s.trim().to_string())
                                }
                                NodeKind::Number(n) => records.push(fmt_number(*n)),
                                _ => {
                                    diags.push(
                                    at(Diagnostic::error(
                                        "R0201",
                                        "a record in `records` must be `collection/id` or `id`",
                                    ), "")
                                    .found(layout.written(item)),
                                );
                                }
                            }
                        }
                        if items.is_empty() {
                            diags.push(
                                at(
                                    Diagnostic::error(
                                        "R0201",
                                        format!("{what} has an empty `records` list"),
                                    ),
                                    "empty",
                                )
                                .help("leave `records` out to accept every finding of the rule"),
                            );
                        }
                        records
                    }
                    _ => {
                        diags.push(
                            at(
                                Diagnostic::error(
                                    "R0201",
                                    "`records` must be a list of record ids",
                                ),
                                "",
                            )
                            .expected("a list of `collection/id` or `id`")
                            .found(layout.written(&e.value)),
                        );
                        Vec::new()
                    }
                }
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

/// The entries that may cover a finding, found by its rule and the ids of its records
/// rather than by trying every entry on every finding (20,000 entries over 20,000
/// findings took 12 s that way).
struct Candidates<'s> {
    /// Entries without `records`: every finding of the rule.
    by_rule: HashMap<&'s str, Vec<usize>>,
    /// Entries with `records`, by rule and the id of their first record.
    by_record: HashMap<(&'s str, &'s str), Vec<usize>>,
}

impl<'s> Candidates<'s> {
    fn new(suppressions: &'s [Suppression]) -> Self {
        let mut by_rule: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_record: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        for (i, s) in suppressions.iter().enumerate() {
            match s.records.first() {
                None => by_rule.entry(&s.rule).or_default().push(i),
                Some(r) => {
                    let id = r.split_once('/').map_or(r.as_str(), |(_, id)| id);
                    by_record.entry((&s.rule, id)).or_default().push(i);
                }
            }
        }
        Candidates { by_rule, by_record }
    }

    /// The indices of the entries that cover `f`, in file order.
    fn covering(&self, suppressions: &[Suppression], f: &Finding) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        if let Some(all) = self.by_rule.get(f.rule.as_str()) {
            out.extend(all);
        }
        for e in &f.evidence {
            if let Some(some) = self.by_record.get(&(f.rule.as_str(), e.id.as_str())) {
                out.extend(some);
            }
        }
        out.sort_unstable();
        out.dedup();
        out.retain(|&i| suppressions[i].matches(f));
        out
    }
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
    let candidates = Candidates::new(suppressions);
    for f in std::mem::take(&mut report.findings) {
        let by = candidates
            .covering(suppressions, &f)
            .into_iter()
            .find(|&i| active[i]);
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
    // how many of the findings left each expired entry would cover
    let mut again = vec![0usize; suppressions.len()];
    if active.contains(&false) {
        for f in &report.findings {
            for i in candidates.covering(suppressions, f) {
                again[i] += usize::from(!active[i]);
            }
        }
    }

    for (i, s) in suppressions.iter().enumerate() {
        if !active[i] {
            let again = again[i];
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Each diagnostic as `line:col code message`.
    fn located(diags: &[Diagnostic]) -> Vec<String> {
        diags
            .iter()
            .map(|d| {
                let at = d.primary.as_ref().map(|l| &l.span);
                let (line, col) = at.map_or((0, 0), |s| (s.line, s.col));
                format!("{line}:{col} {} {}", d.code, d.message)
            })
            .collect()
    }

    fn at(s: &Suppression) -> (u32, u32) {
        (s.span.line, s.span.col)
    }

    #[test]
    fn flow_style_entries_in_a_block_list() {
        let text = "\
# reviewed at the desk
- {rule: a, reason: known, reviewer: A. Editor, expires: 2026-06-30}
-   {rule: b, records: [actions/x, 12], reason: 'r, with a comma', reviewer: B, expires: \"2026-07-01\"}  # trailing
";
        let (s, d) = load_suppressions("s.yaml", text);
        assert!(d.is_empty(), "{:?}", located(&d));
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].rule.as_str(), at(&s[0])), ("a", (2, 1)));
        assert_eq!(s[0].expires, NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
        assert_eq!((s[1].rule.as_str(), at(&s[1])), ("b", (3, 1)));
        assert_eq!(s[1].records, ["actions/x", "12"]);
        assert_eq!(s[1].reason, "r, with a comma");
    }

    #[test]
    fn a_flow_list_places_entries_at_their_braces() {
        let text = "suppressions: [{rule: a, reason: r, reviewer: v, expires: 2026-01-01},\n  {rule: b, reason: r, reviewer: v, expires: 2026-01-01}]\n";
        let (s, d) = load_suppressions("s.yaml", text);
        assert!(d.is_empty(), "{:?}", located(&d));
        assert_eq!(at(&s[0]), (1, 16));
        assert_eq!(at(&s[1]), (2, 3));
    }

    #[test]
    fn errors_in_flow_entries_point_at_the_key_or_value() {
        let text = "- {rule: a, reason: r, reviewer: v, expires: 2026-02-30}\n- {rule: b, reason: r, reveiwer: v, expires: 2026-01-01, records: []}\n";
        let (s, d) = load_suppressions("s.yaml", text);
        assert!(s.is_empty());
        assert_eq!(
            located(&d),
            [
                "1:46 R0204 invalid expiry date `2026-02-30`",
                "2:1 R0203 suppression of `b` has no `reviewer`",
                "2:24 R0206 unknown field `reveiwer` in a suppression",
                "2:67 R0201 suppression of `b` has an empty `records` list",
            ]
        );
        let empty = d[3]
            .primary
            .as_ref()
            .map(|l| &text[l.span.start..l.span.end]);
        assert_eq!(empty, Some("[]"));
    }

    #[test]
    fn comments_anchors_and_merge_keys() {
        let text = "\
suppressions:
  # the desk's defaults
  - &desk {rule: a, reason: shared reason, reviewer: Desk, expires: 2026-12-31}
  - <<: *desk
    rule: b # overrides the merged rule
  - rule: c
    reason: *x
    reviewer: Desk
    expires: 2026-12-31
";
        // `*x` names no anchor: a YAML error, located
        let (_, d) = load_suppressions("s.yaml", text);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, "R0201");
        assert!(d[0].message.starts_with("invalid suppressions file: "));
        let text = text.replace("*x", "it is known # why");
        let (s, d) = load_suppressions("s.yaml", &text);
        assert!(d.is_empty(), "{:?}", located(&d));
        let rules: Vec<&str> = s.iter().map(|s| s.rule.as_str()).collect();
        assert_eq!(rules, ["a", "b", "c"]);
        assert_eq!(s[1].reason, "shared reason");
        assert_eq!(s[2].reason, "it is known");
        assert_eq!(at(&s[1]), (4, 3));
    }

    #[test]
    fn malformed_and_duplicate_keys_are_located() {
        // the message no longer carries libyaml's positions: the span and help do
        let (_, d) = load_suppressions("s.yaml", "- {rule: a, reason: r\n- rule: b\n");
        assert_eq!(
            located(&d),
            ["2:7 R0201 invalid suppressions file: did not find expected ',' or '}'"]
        );
        assert_eq!(
            d[0].help.as_deref(),
            Some("while parsing a flow mapping (which starts at line 1 column 3)")
        );
        let (_, d) = load_suppressions("s.yaml", "- rule: a\n  rule: b\n");
        assert_eq!(
            located(&d),
            ["2:3 R0201 invalid suppressions file: key `rule` is written twice in one map"]
        );
        assert_eq!(d[0].secondary[0].span.line, 1);
    }

    #[test]
    fn values_of_the_wrong_kind_are_shown_as_written() {
        let text = "- rule: [a, b]\n  reason: 5\n  reviewer: v\n  expires: 2026-01-01\n  records: {x: 1}\n";
        let (_, d) = load_suppressions("s.yaml", text);
        let found: Vec<(&str, Option<&str>)> = d
            .iter()
            .map(|d| (d.message.as_str(), d.found.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                ("`rule` must be a string", Some("[a, b]")),
                ("`reason` must be a string", Some("5")),
                ("`records` must be a list of record ids", Some("{x: 1}")),
            ]
        );
    }
}
