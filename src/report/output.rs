//! Choosing and writing report outputs: the `Format` enum and its dispatch, the
//! `--output FORMAT=PATH` specs, and the `--fail-on` threshold.

use crate::diag::{Severity, VerdictKind};
use crate::eval::{Certainty, Evidence, Report};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// An output format of `factlint check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    /// For people: findings grouped by rule, with their evidence and sources.
    #[value(alias = "human")]
    Text,
    /// One JSON document (`"version": 1`).
    Json,
    /// JSON Lines: one finding, verdict or summary object a line.
    #[value(alias = "json-lines", alias = "ndjson")]
    Jsonl,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, IDEs).
    Sarif,
    /// JUnit XML, one test case per rule.
    #[value(alias = "junit-xml")]
    Junit,
    /// GitHub Actions workflow commands (`::error file=...::message`).
    #[value(alias = "github-actions")]
    Github,
    /// schema.org ClaimReview JSON-LD for the claim verdicts.
    #[value(name = "claimreview", alias = "claim-review")]
    ClaimReview,
    /// Markdown, for a newsroom document or a GitHub job summary.
    #[value(alias = "md")]
    Markdown,
    /// One self-contained HTML page: filters, timelines, sources (no network).
    Html,
}

impl Format {
    pub const ALL: [Format; 9] = [
        Format::Text,
        Format::Json,
        Format::Jsonl,
        Format::Sarif,
        Format::Junit,
        Format::Github,
        Format::ClaimReview,
        Format::Markdown,
        Format::Html,
    ];

    /// The name written on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::ClaimReview => "claimreview",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }

    /// Whether the format can carry colour (only text does).
    pub fn supports_color(self) -> bool {
        self == Format::Text
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        let lower = s.trim().to_ascii_lowercase();
        let format = match lower.as_str() {
            "text" | "human" => Format::Text,
            "json" => Format::Json,
            "jsonl" | "json-lines" | "ndjson" => Format::Jsonl,
            "sarif" => Format::Sarif,
            "junit" | "junit-xml" => Format::Junit,
            "github" | "github-actions" => Format::Github,
            "claimreview" | "claim-review" => Format::ClaimReview,
            "markdown" | "md" => Format::Markdown,
            "html" => Format::Html,
            _ => {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                let mut msg = format!("unknown output format `{s}`");
                if let Some(near) = nearest(&lower, &names) {
                    msg.push_str(&format!(" (did you mean `{near}`?)"));
                }
                msg.push_str(&format!("; expected one of: {}", names.join(", ")));
                return Err(msg);
            }
        };
        Ok(format)
    }
}

/// The closest name, for "did you mean" (the project's one edit-distance rule).
pub(crate) fn nearest<'a>(word: &str, names: &[&'a str]) -> Option<&'a str> {
    crate::diag::suggest::did_you_mean(word, names.iter().copied())
}

/// One `--output FORMAT=PATH`: where to write a report in which format. A path of
/// `-` means standard output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: Format,
    pub path: PathBuf,
}

impl OutputSpec {
    pub fn is_stdout(&self) -> bool {
        self.path.as_os_str() == "-"
    }
}

/// Parse `FORMAT=PATH` (e.g. `sarif=factlint.sarif`, `json=-`).
pub fn parse_output_spec(s: &str) -> Result<OutputSpec, String> {
    let Some((format, path)) = s.split_once('=') else {
        return Err(format!(
            "expected `FORMAT=PATH` (e.g. `sarif=factlint.sarif`), found `{s}`"
        ));
    };
    let format: Format = format.parse()?;
    if path.is_empty() {
        return Err(format!(
            "missing path after `{format}=` (use `{format}=-` for standard output)"
        ));
    }
    Ok(OutputSpec {
        format,
        path: PathBuf::from(path),
    })
}

impl FromStr for OutputSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<OutputSpec, String> {
        parse_output_spec(s)
    }
}

/// Render a report in a format. SARIF names this build's version; ClaimReview uses
/// default options (no publisher, no date).
pub fn render(format: Format, report: &Report, color: bool) -> String {
    match format {
        Format::Text => super::text::render_text(report, color),
        Format::Json => super::json::render_json(report),
        Format::Jsonl => super::json::render_jsonl(report),
        Format::Sarif => super::sarif::render_sarif(report, env!("CARGO_PKG_VERSION")),
        Format::Junit => super::junit::render_junit(report),
        Format::Github => super::github::render_github(report),
        Format::Markdown => super::markdown::render_markdown(report),
        Format::Html => super::html::render_html(report),
        Format::ClaimReview => super::claimreview::render_claimreview(
            report,
            &super::claimreview::ClaimReviewOptions::default(),
        ),
    }
}

/// The number of findings at or above `threshold` (`--fail-on`). Possible findings
/// count only when `include_possible` is set. The run fails (exit code 1) when this
/// is not zero.
pub fn count_at_or_above(report: &Report, threshold: Severity, include_possible: bool) -> usize {
    report
        .findings
        .iter()
        .filter(|f| f.severity <= threshold)
        .filter(|f| include_possible || f.certainty == Certainty::Certain)
        .count()
}

/// Recompute the counts of `report.summary` that depend on the findings (certain,
/// possible, by severity) after findings were removed by a baseline or suppressions.
pub(crate) fn recount(report: &mut Report) {
    let s = &mut report.summary;
    s.certain = 0;
    s.possible = 0;
    s.by_severity.clear();
    for f in &report.findings {
        match f.certainty {
            Certainty::Certain => s.certain += 1,
            Certainty::Possible => s.possible += 1,
        }
        *s.by_severity
            .entry(f.severity.as_str().to_string())
            .or_insert(0) += 1;
    }
}

/// Leave possible findings out of a report (`--hide-possible`): only certain findings
/// are shown, the verdicts keep only the certain findings behind them (possible ones
/// never decide a verdict anyway), and the summary counts what was hidden.
pub fn hide_possible(report: &mut Report) {
    let before = report.findings.len();
    report
        .findings
        .retain(|f| f.certainty == Certainty::Certain);
    let hidden = before - report.findings.len();
    for v in &mut report.verdicts {
        v.support.retain(|s| s.3 == Certainty::Certain);
    }
    recount(report);
    report.summary.hidden_possible += hidden;
}

/// `collection/id` of an evidence record.
pub(crate) fn record_name(e: &Evidence) -> String {
    format!("{}/{}", e.collection, e.id)
}

/// How a verdict reads in prose: `supported`, `refuted`, `not enough evidence`, and
/// `conflicting` when verdict rules disagree.
pub fn verdict_label(v: Option<VerdictKind>) -> &'static str {
    match v {
        Some(VerdictKind::Supported) => "supported",
        Some(VerdictKind::Refuted) => "refuted",
        Some(VerdictKind::NotEnoughEvidence) => "not enough evidence",
        None => "conflicting",
    }
}

/// The machine name of a verdict: `supported`, `refuted`, `not-enough-evidence`,
/// `conflicting`.
pub(crate) fn verdict_code(v: Option<VerdictKind>) -> &'static str {
    match v {
        Some(k) => k.as_str(),
        None => "conflicting",
    }
}

/// `n thing` or `n things`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// What the data's errors made of the run, when the rules ran despite them:
/// `the data has 3 errors (shown before the report): the rules read 2 values as unknown
/// (1 a reference to no record) and left out 1 record without an id`.
pub fn data_errors_line(report: &Report) -> Option<String> {
    let e = report.summary.data_errors.as_ref()?;
    let m = &e.mended;
    let mut what = Vec::new();
    let unknown = m.unknown_values + m.dangling_refs;
    if unknown > 0 {
        let mut s = format!("read {} as unknown", plural(unknown, "value", "values"));
        if m.dangling_refs > 0 {
            s.push_str(&format!(
                " ({} {})",
                m.dangling_refs,
                if m.dangling_refs == 1 {
                    "a reference to no record"
                } else {
                    "references to no record"
                }
            ));
        }
        what.push(s);
    }
    if m.records_left_out > 0 {
        what.push(format!(
            "left out {} without an id",
            plural(m.records_left_out, "record", "records")
        ));
    }
    let tail = if what.is_empty() {
        "the rules ran over the records that loaded".to_string()
    } else {
        format!("the rules {}", what.join(" and "))
    };
    Some(format!(
        "the data has {} (shown before the report): {tail}",
        plural(e.diagnostics.len(), "error", "errors")
    ))
}

/// The summary line shared by text output and annotations:
/// `5 findings (4 certain, 1 possible) from 9 rules over 54 records; 1 suppressed`.
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let total = s.certain + s.possible;
    let mut line = if total == 0 {
        "no findings".to_string()
    } else {
        format!(
            "{} ({} certain, {} possible)",
            plural(total, "finding", "findings"),
            s.certain,
            s.possible
        )
    };
    line.push_str(&format!(
        " from {} over {}",
        plural(s.rules, "rule", "rules"),
        plural(s.records, "record", "records")
    ));
    if s.suppressed > 0 {
        line.push_str(&format!("; {} suppressed", s.suppressed));
    }
    if s.hidden_possible > 0 {
        line.push_str(&format!("; {} possible hidden", s.hidden_possible));
    }
    line
}

/// The rules with findings, each with its findings in report order: by severity
/// (errors first), then in the order of `report.rules` (a rule the report does not
/// describe last). The text, Markdown and HTML reports show them so.
pub(crate) fn rules_with_findings(
    report: &Report,
) -> Vec<(&str, crate::diag::Severity, Vec<&crate::eval::Finding>)> {
    // indexed: a report may hold a hundred thousand findings of thousands of rules
    let mut rules: Vec<(&str, crate::diag::Severity, Vec<&crate::eval::Finding>)> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for f in &report.findings {
        match at.get(f.rule.as_str()) {
            Some(&i) => rules[i].2.push(f),
            None => {
                at.insert(&f.rule, rules.len());
                rules.push((&f.rule, f.severity, vec![f]));
            }
        }
    }
    let mut order: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, r) in report.rules.iter().enumerate() {
        order.entry(&r.id).or_insert(i);
    }
    rules.sort_by_key(|(id, sev, _)| (*sev, order.get(id).copied().unwrap_or(usize::MAX)));
    rules
}

/// Findings under the record they concern (their first evidence record), in order of
/// first appearance: a statement, then each action that contradicts it. A grouped
/// finding stands for many records and heads a subject of its own.
pub(crate) fn by_subject<'r>(
    findings: &[&'r crate::eval::Finding],
) -> Vec<(
    Option<&'r crate::eval::Evidence>,
    Vec<&'r crate::eval::Finding>,
)> {
    let mut subjects: Vec<(Option<&crate::eval::Evidence>, Vec<&crate::eval::Finding>)> =
        Vec::new();
    // the first subject of each record: indexed, as a GDELT-sized rule has a hundred
    // thousand findings, each of its own record
    let mut at: std::collections::HashMap<(&str, &str), usize> = std::collections::HashMap::new();
    for &f in findings {
        let first = f.evidence.first();
        let key = first.map(|e| (e.collection.as_str(), e.id.as_str()));
        match key.and_then(|k| at.get(&k).copied()) {
            Some(i) if f.group.is_none() => subjects[i].1.push(f),
            _ => {
                if let Some(k) = key {
                    at.entry(k).or_insert(subjects.len());
                }
                subjects.push((first, vec![f]));
            }
        }
    }
    subjects
}

/// Texts numbered in the order they first come, each once (sources cited as `[n]`);
/// a hash index keeps it linear however many sources a report cites.
#[derive(Default)]
pub(crate) struct Numbered {
    pub list: Vec<String>,
    index: std::collections::HashMap<String, usize>,
}

impl Numbered {
    /// The number (1-based) of `text`, given it the first time.
    pub fn number(&mut self, text: String) -> usize {
        if let Some(&n) = self.index.get(&text) {
            return n;
        }
        self.list.push(text.clone());
        let n = self.list.len();
        self.index.insert(text, n);
        n
    }
}

/// What happened to a source since it was published, as of the run's day:
/// `retracted 2026-01-20`, `corrected 2026-01-12` (unescaped; each format escapes).
pub fn notices(s: &crate::eval::finding::SourceRef) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = &s.retracted {
        out.push(format!("retracted {d}"));
    }
    if let Some(d) = &s.corrected {
        out.push(format!("corrected {d}"));
    }
    out
}
