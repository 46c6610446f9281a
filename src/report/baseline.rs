//! Semantic baselines: the findings a dataset is known to have, keyed on what each is
//! about (rule and record ids, and the fingerprint of both), never on lines or message
//! text, so that a pull request shows only new and resolved findings.

use crate::diag::{Diagnostic, Span};
use crate::eval::{Finding, Report};
use crate::report::output::{plural, recount};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt::Write as _;

/// The version of the baseline file format.
pub const BASELINE_VERSION: u32 = 1;

/// One known finding: its rule, its records (`collection/id`, in the order of the
/// rule's bindings) and its stable id.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub rule: String,
    pub records: Vec<String>,
    /// May be left out in a hand-written entry; it is then computed from the rule and
    /// records.
    #[serde(default)]
    pub id: String,
}

impl BaselineEntry {
    pub fn of(f: &Finding) -> BaselineEntry {
        BaselineEntry {
            rule: f.rule.clone(),
            records: f
                .evidence
                .iter()
                .map(|e| format!("{}/{}", e.collection, e.id))
                .collect(),
            id: f.id.clone(),
        }
    }

    /// The fingerprint of the rule and records, as `Finding::fingerprint` makes it.
    fn computed_id(&self) -> String {
        let pairs: Vec<(&str, &str)> = self
            .records
            .iter()
            .map(|r| r.split_once('/').unwrap_or(("", r)))
            .collect();
        Finding::fingerprint(&self.rule, &pairs)
    }
}

/// The findings known when the baseline was written, sorted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Baseline {
    pub entries: Vec<BaselineEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<BaselineEntry>,
}

/// Write the baseline of a report: JSON with one finding a line, sorted by rule,
/// records and id, so that the file diffs well in review.
pub fn write_baseline(report: &Report) -> String {
    render_baseline(baseline_of(report))
}

/// The baseline entries of a report's findings.
pub fn baseline_of(report: &Report) -> Vec<BaselineEntry> {
    report.findings.iter().map(BaselineEntry::of).collect()
}

/// A baseline file of `entries` (sorted and deduplicated here).
pub fn render_baseline(mut entries: Vec<BaselineEntry>) -> String {
    entries.sort();
    entries.dedup();
    let mut out = format!("{{\n  \"version\": {BASELINE_VERSION},\n  \"findings\": [");
    for (i, e) in entries.iter().enumerate() {
        let sep = if i + 1 < entries.len() { "," } else { "" };
        let _ = write!(
            out,
            "\n    {}{sep}",
            serde_json::to_string(e).unwrap_or_default()
        );
    }
    if entries.is_empty() {
        out.push_str("]\n}\n");
    } else {
        out.push_str("\n  ]\n}\n");
    }
    out
}

/// Read a baseline written by [`write_baseline`] (or by hand). `file` names it in
/// diagnostics.
// one diagnostic per file read: its size is of no consequence
#[allow(clippy::result_large_err)]
pub fn read_baseline(file: &str, text: &str) -> Result<Baseline, Diagnostic> {
    let parsed: BaselineFile = serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        let msg = match msg.rfind(" at line ") {
            Some(i) => msg[..i].to_string(),
            None => msg,
        };
        let span = Span::new(
            file.into(),
            0,
            0,
            e.line().max(1) as u32,
            e.column().max(1) as u32,
        );
        Diagnostic::error("R0101", format!("invalid baseline: {msg}"))
            .at(span, "here")
            .help("regenerate the baseline with `factlint check --write-baseline PATH`")
    })?;
    if parsed.version != BASELINE_VERSION {
        return Err(Diagnostic::error(
            "R0102",
            format!("unsupported baseline version `{}`", parsed.version),
        )
        .at(Span::line_only(file.into(), 1), "")
        .expected(format!("version {BASELINE_VERSION}"))
        .help("regenerate the baseline with `factlint check --write-baseline PATH`"));
    }
    let mut entries = parsed.findings;
    for e in &mut entries {
        if e.id.is_empty() {
            e.id = e.computed_id();
        }
    }
    entries.sort();
    entries.dedup();
    Ok(Baseline { entries })
}

/// What changed since the baseline.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BaselineDiff {
    /// Ids of the findings not in the baseline, in report order.
    pub new: Vec<String>,
    /// Baseline entries that no longer occur.
    pub resolved: Vec<BaselineEntry>,
    /// How many findings were in the baseline already (removed from the report).
    pub unchanged: usize,
}

impl BaselineDiff {
    /// For people: `2 new findings, 1 resolved, 3 unchanged since the baseline`, then a
    /// line per resolved entry.
    pub fn render_text(&self) -> String {
        let mut out = format!(
            "{}, {} resolved, {} unchanged since the baseline\n",
            plural(self.new.len(), "new finding", "new findings"),
            self.resolved.len(),
            self.unchanged
        );
        for e in &self.resolved {
            let _ = writeln!(
                out,
                "  resolved: {} on {} [{}]",
                e.rule,
                e.records.join(", "),
                e.id
            );
        }
        out
    }

    /// For programs: `{"version": 1, "new": [ids], "resolved": [entries], "unchanged": n}`,
    /// one line.
    pub fn render_json(&self) -> String {
        #[derive(Serialize)]
        struct Diff<'a> {
            version: u32,
            new: &'a [String],
            resolved: &'a [BaselineEntry],
            unchanged: usize,
        }
        let mut s = serde_json::to_string(&Diff {
            version: BASELINE_VERSION,
            new: &self.new,
            resolved: &self.resolved,
            unchanged: self.unchanged,
        })
        .unwrap_or_default();
        s.push('\n');
        s
    }
}

/// Keep in `report` only the findings that are not in the baseline, and list the
/// baseline entries that no longer occur. A finding matches an entry with its id, or
/// with its rule and records (so a baseline survives a change of fingerprint).
pub fn apply_baseline(report: &mut Report, baseline: &Baseline) -> BaselineDiff {
    let ids: HashSet<&str> = baseline.entries.iter().map(|e| e.id.as_str()).collect();
    let keys: HashSet<(&str, &[String])> = baseline
        .entries
        .iter()
        .map(|e| (e.rule.as_str(), e.records.as_slice()))
        .collect();
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut seen_keys: HashSet<(String, Vec<String>)> = HashSet::new();
    let mut diff = BaselineDiff::default();
    let mut kept = Vec::with_capacity(report.findings.len());
    for f in std::mem::take(&mut report.findings) {
        let entry = BaselineEntry::of(&f);
        let known = ids.contains(f.id.as_str())
            || keys.contains(&(entry.rule.as_str(), entry.records.as_slice()));
        if known {
            diff.unchanged += 1;
            seen_ids.insert(entry.id);
            seen_keys.insert((entry.rule, entry.records));
        } else {
            diff.new.push(f.id.clone());
            kept.push(f);
        }
    }
    report.findings = kept;
    diff.resolved = baseline
        .entries
        .iter()
        .filter(|e| {
            !seen_ids.contains(&e.id) && !seen_keys.contains(&(e.rule.clone(), e.records.clone()))
        })
        .cloned()
        .collect();
    recount(report);
    diff
}
