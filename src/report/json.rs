//! JSON and JSON Lines reports. Their serde types live here, versioned and separate
//! from the internal `Report`, so internal changes do not change the output by accident.

use crate::check::RuleInfo;
use crate::diag::Span;
use crate::eval::{ClaimVerdict, Evidence, Finding, Group, Report, SourceRef};
use crate::report::output::verdict_code;
use serde::Serialize;
use std::collections::BTreeMap;

/// The version of the JSON and JSON Lines formats; bumped on any incompatible change.
pub const JSON_VERSION: u32 = 1;

/// The whole report (`--format json`).
#[derive(Serialize)]
pub struct JsonReport<'a> {
    pub version: u32,
    pub summary: JsonSummary<'a>,
    pub rules: Vec<JsonRule<'a>>,
    pub findings: Vec<JsonFinding<'a>>,
    pub verdicts: Vec<JsonVerdict<'a>>,
}

#[derive(Serialize)]
pub struct JsonSummary<'a> {
    pub findings: usize,
    pub certain: usize,
    pub possible: usize,
    pub suppressed: usize,
    /// Possible findings left out by `--hide-possible`.
    pub hidden_possible: usize,
    pub rules: usize,
    pub records: usize,
    pub by_severity: &'a BTreeMap<String, usize>,
    /// Only when the data had errors and the rules ran despite them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_errors: Option<JsonDataErrors<'a>>,
}

/// The data's errors the run went on despite, and what the rules read instead.
#[derive(Serialize)]
pub struct JsonDataErrors<'a> {
    pub errors: usize,
    pub unknown_values: usize,
    pub dangling_references: usize,
    pub records_left_out: usize,
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// A diagnostic of the data: its code, message and where it points.
#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'a str,
    pub level: &'static str,
    pub message: &'a str,
    pub location: Option<JsonLocation<'a>>,
}

#[derive(Serialize)]
pub struct JsonLocation<'a> {
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
}

#[derive(Serialize)]
pub struct JsonRule<'a> {
    pub id: &'a str,
    pub severity: &'static str,
    pub description: String,
    pub doc: Option<&'a str>,
    pub tags: &'a [String],
    pub meta: &'a BTreeMap<String, String>,
    pub verdict: Option<&'static str>,
    pub location: JsonLocation<'a>,
}

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    pub id: &'a str,
    pub rule: &'a str,
    pub severity: &'static str,
    pub certainty: &'static str,
    pub message: &'a str,
    pub location: Option<JsonLocation<'a>>,
    pub evidence: Vec<JsonEvidence<'a>>,
    pub verdict: Option<JsonVerdictRef<'a>>,
    pub unknown: &'a [String],
    pub undecided: &'a [String],
    /// Only for rules with `group by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<JsonGroup<'a>>,
}

/// The group a finding of a `group by` rule stands for.
#[derive(Serialize)]
pub struct JsonGroup<'a> {
    /// The keys in the order of `group by`.
    pub keys: Vec<JsonGroupKey<'a>>,
    /// The number of bindings merged into the finding.
    pub count: usize,
    /// How many of them were certain.
    pub certain: usize,
}

#[derive(Serialize)]
pub struct JsonGroupKey<'a> {
    /// The key as written in the rule.
    pub expr: &'a str,
    /// Its value for the group; `null` for the group of a missing value.
    pub value: Option<&'a str>,
}

#[derive(Serialize)]
pub struct JsonEvidence<'a> {
    pub var: &'a str,
    pub collection: &'a str,
    pub id: &'a str,
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
    pub test: bool,
    pub sources: Vec<JsonSource<'a>>,
}

#[derive(Serialize)]
pub struct JsonSource<'a> {
    pub id: &'a str,
    pub title: Option<&'a str>,
    pub publisher: Option<&'a str>,
    pub url: Option<&'a str>,
    pub date: Option<&'a str>,
    pub reliability: Option<&'a str>,
    /// Only when the source was retracted (corrected) on or before the run's day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retracted: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected: Option<&'a str>,
}

#[derive(Serialize)]
pub struct JsonVerdictRef<'a> {
    pub verdict: &'static str,
    pub claim: &'a str,
}

#[derive(Serialize)]
pub struct JsonVerdict<'a> {
    pub claim: &'a str,
    pub text: Option<&'a str>,
    pub verdict: &'static str,
    pub location: JsonLocation<'a>,
    pub support: Vec<JsonSupport<'a>>,
}

#[derive(Serialize)]
pub struct JsonSupport<'a> {
    pub verdict: &'static str,
    pub rule: &'a str,
    pub finding: &'a str,
    pub certainty: &'static str,
}

/// A line of JSON Lines output: its `type` and `version`, then the object's fields.
#[derive(Serialize)]
struct JsonLine<T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    version: u32,
    #[serde(flatten)]
    body: T,
}

fn location(span: &Span) -> JsonLocation<'_> {
    JsonLocation {
        file: &span.file,
        line: span.line,
        column: span.col,
    }
}

fn summary(report: &Report) -> JsonSummary<'_> {
    let s = &report.summary;
    JsonSummary {
        findings: s.certain + s.possible,
        certain: s.certain,
        possible: s.possible,
        suppressed: s.suppressed,
        hidden_possible: s.hidden_possible,
        rules: s.rules,
        records: s.records,
        by_severity: &s.by_severity,
        data_errors: s.data_errors.as_ref().map(|e| JsonDataErrors {
            errors: e.diagnostics.len(),
            unknown_values: e.mended.unknown_values,
            dangling_references: e.mended.dangling_refs,
            records_left_out: e.mended.records_left_out,
            diagnostics: e
                .diagnostics
                .iter()
                .map(|d| JsonDiagnostic {
                    code: &d.code,
                    level: d.level.as_str(),
                    message: &d.message,
                    location: d.primary.as_ref().map(|l| location(&l.span)),
                })
                .collect(),
        }),
    }
}

fn rule(r: &RuleInfo) -> JsonRule<'_> {
    JsonRule {
        id: &r.id,
        severity: r.severity.as_str(),
        description: r.short_description(),
        doc: r.doc.as_deref(),
        tags: &r.tags,
        meta: &r.meta,
        verdict: r.verdict.map(|v| v.as_str()),
        location: location(&r.span),
    }
}

fn source(s: &SourceRef) -> JsonSource<'_> {
    JsonSource {
        id: &s.id,
        title: s.title.as_deref(),
        publisher: s.publisher.as_deref(),
        url: s.url.as_deref(),
        date: s.date.as_deref(),
        reliability: s.reliability.as_deref(),
        retracted: s.retracted.as_deref(),
        corrected: s.corrected.as_deref(),
    }
}

fn evidence(e: &Evidence) -> JsonEvidence<'_> {
    JsonEvidence {
        var: &e.var,
        collection: &e.collection,
        id: &e.id,
        file: &e.span.file,
        line: e.span.line,
        column: e.span.col,
        test: e.test,
        sources: e.sources.iter().map(source).collect(),
    }
}

/// The machine form of one finding, shared with other formats that embed findings.
pub fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        id: &f.id,
        rule: &f.rule,
        severity: f.severity.as_str(),
        certainty: f.certainty.as_str(),
        message: &f.message,
        location: f.primary().map(|e| location(&e.span)),
        evidence: f.evidence.iter().map(evidence).collect(),
        verdict: f.verdict.as_ref().map(|v| JsonVerdictRef {
            verdict: v.kind.as_str(),
            claim: &v.claim,
        }),
        unknown: &f.unknown,
        undecided: &f.undecided,
        group: f.group.as_ref().map(group),
    }
}

/// The machine form of a finding's group, shared with SARIF.
pub fn group(g: &Group) -> JsonGroup<'_> {
    JsonGroup {
        keys: g
            .keys
            .iter()
            .map(|k| JsonGroupKey {
                expr: &k.expr,
                value: k.value.as_deref(),
            })
            .collect(),
        count: g.count,
        certain: g.certain,
    }
}

fn verdict(v: &ClaimVerdict) -> JsonVerdict<'_> {
    JsonVerdict {
        claim: &v.claim,
        text: v.claim_text.as_deref(),
        verdict: verdict_code(v.verdict),
        location: location(&v.span),
        support: v
            .support
            .iter()
            .map(|(kind, rule, finding, certainty)| JsonSupport {
                verdict: kind.as_str(),
                rule,
                finding,
                certainty: certainty.as_str(),
            })
            .collect(),
    }
}

/// The report as one pretty-printed JSON document, ending in a newline.
pub fn render_json(report: &Report) -> String {
    let doc = JsonReport {
        version: JSON_VERSION,
        summary: summary(report),
        rules: report.rules.iter().map(rule).collect(),
        findings: report.findings.iter().map(finding).collect(),
        verdicts: report.verdicts.iter().map(verdict).collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The report as JSON Lines: one `finding` line per finding, one `verdict` line per
/// claim verdict, then one `summary` line.
pub fn render_jsonl(report: &Report) -> String {
    let mut out = String::new();
    let mut line = |v: serde_json::Result<String>| {
        out.push_str(&v.unwrap_or_default());
        out.push('\n');
    };
    for f in &report.findings {
        line(serde_json::to_string(&JsonLine {
            kind: "finding",
            version: JSON_VERSION,
            body: finding(f),
        }));
    }
    for v in &report.verdicts {
        line(serde_json::to_string(&JsonLine {
            kind: "verdict",
            version: JSON_VERSION,
            body: verdict(v),
        }));
    }
    line(serde_json::to_string(&JsonLine {
        kind: "summary",
        version: JSON_VERSION,
        body: summary(report),
    }));
    out
}
