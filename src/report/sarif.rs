//! SARIF 2.1.0 output for code scanning: one run, every rule in `tool.driver.rules`,
//! one result per finding located at its primary evidence record.

use crate::check::RuleInfo;
use crate::diag::Severity;
use crate::diag::Span;
use crate::eval::{Certainty, Evidence, Finding, Report};
use crate::report::output::record_name;
use crate::report::suppress::{SuppressedFinding, Suppression};
use serde::Serialize;
use std::collections::BTreeMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of the stable fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "factlint/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    /// Columns are counted in characters, as factlint counts them.
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    /// Only when the data had errors and the rules ran despite them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invocations: Vec<Invocation<'a>>,
}

/// The run as SARIF records how it went: not successful, with the data's errors as
/// tool notifications (the results are still every finding over what loaded).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification<'a>>,
    properties: InvocationProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InvocationProperties {
    data_errors: usize,
    unknown_values: usize,
    dangling_references: usize,
    records_left_out: usize,
}

#[derive(Serialize)]
struct Notification<'a> {
    descriptor: DescriptorReference<'a>,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
struct DescriptorReference<'a> {
    id: &'a str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    short_description: Message,
    full_description: Message,
    help: Message,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<&'static str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    meta: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression<'a>>,
    properties: ResultProperties<'a>,
}

/// A reviewed exception, as SARIF records it: code scanning shows the result as
/// dismissed, with the justification.
#[derive(Serialize)]
struct SarifSuppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
    properties: SuppressionProperties<'a>,
}

#[derive(Serialize)]
struct SuppressionProperties<'a> {
    reviewer: &'a str,
    expires: String,
    file: &'a str,
    line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    certainty: &'static str,
    /// The rule's severity (the level is `note` for possible findings whatever it is).
    severity: &'static str,
    verdict: Option<VerdictProperty<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    unknown: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    undecided: &'a [String],
    evidence: Vec<EvidenceProperty<'a>>,
    /// Only for rules with `group by`: the key, the number of bindings merged.
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<crate::report::json::JsonGroup<'a>>,
}

#[derive(Serialize)]
struct VerdictProperty<'a> {
    verdict: &'static str,
    claim: &'a str,
}

#[derive(Serialize)]
struct EvidenceProperty<'a> {
    var: &'a str,
    collection: &'a str,
    id: &'a str,
    test: bool,
    sources: Vec<SourceProperty<'a>>,
}

#[derive(Serialize)]
struct SourceProperty<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

/// The SARIF level of a severity: `error`, `warning`, `note`.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The level of one finding: its severity's level when certain, `note` when possible.
pub fn finding_level(f: &Finding) -> &'static str {
    match f.certainty {
        Certainty::Certain => level(f.severity),
        Certainty::Possible => "note",
    }
}

/// A relative URI reference for a path as the user gave it: `/` separators, and
/// every byte other than unreserved characters and `/` percent-encoded.
pub fn path_to_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The data's errors, when the rules ran despite them.
fn invocations(report: &Report) -> Vec<Invocation<'_>> {
    let Some(e) = &report.summary.data_errors else {
        return Vec::new();
    };
    let notifications = e
        .diagnostics
        .iter()
        .map(|d| Notification {
            descriptor: DescriptorReference { id: &d.code },
            level: match d.level {
                crate::diag::Level::Error => "error",
                crate::diag::Level::Warning => "warning",
                crate::diag::Level::Info => "note",
            },
            message: Message {
                text: d.message.clone(),
            },
            locations: d
                .primary
                .iter()
                .map(|l| Location {
                    id: None,
                    physical_location: physical(&l.span),
                    message: None,
                })
                .collect(),
        })
        .collect();
    vec![Invocation {
        execution_successful: false,
        tool_execution_notifications: notifications,
        properties: InvocationProperties {
            data_errors: e.diagnostics.len(),
            unknown_values: e.mended.unknown_values,
            dangling_references: e.mended.dangling_refs,
            records_left_out: e.mended.records_left_out,
        },
    }]
}

fn physical(span: &Span) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: path_to_uri(&span.file),
        },
        region: Region {
            start_line: span.line.max(1),
            start_column: span.col.max(1),
        },
    }
}

fn record_label(e: &Evidence) -> String {
    let mut s = format!("{} ({})", record_name(e), e.var);
    if e.test {
        s.push_str(", a test record");
    }
    s
}

fn descriptor(r: &RuleInfo) -> ReportingDescriptor<'_> {
    let short = r.short_description();
    let full = r.doc.clone().unwrap_or_else(|| short.clone());
    let mut help = full.clone();
    if let Some(refs) = r.meta.get("references") {
        help.push_str("\n\nReferences:\n");
        help.push_str(refs);
    }
    ReportingDescriptor {
        id: &r.id,
        short_description: Message { text: short },
        full_description: Message { text: full },
        help: Message { text: help },
        default_configuration: Configuration {
            level: level(r.severity),
        },
        properties: RuleProperties {
            tags: &r.tags,
            verdict: r.verdict.map(|v| v.as_str()),
            meta: &r.meta,
        },
    }
}

fn result<'a>(report: &'a Report, f: &'a Finding) -> SarifResult<'a> {
    let rule_index = report.rules.iter().position(|r| r.id == f.rule);
    let mut text = f.message.clone();
    if f.certainty == Certainty::Possible {
        if f.unknown.is_empty() {
            text.push_str(" (possible: a condition's truth is unknown)");
        } else {
            let unknown: Vec<String> = f.unknown.iter().map(|u| format!("`{u}`")).collect();
            text.push_str(&format!(
                " (possible: unknown whether {})",
                unknown.join(", ")
            ));
        }
    }
    let locations = match f.primary() {
        Some(e) => vec![Location {
            id: None,
            physical_location: physical(&e.span),
            message: Some(Message {
                text: record_label(e),
            }),
        }],
        // a finding without records points at its rule
        None => rule_index
            .map(|i| Location {
                id: None,
                physical_location: physical(&report.rules[i].span),
                message: Some(Message {
                    text: format!("rule {}", f.rule),
                }),
            })
            .into_iter()
            .collect(),
    };
    let related_locations = f
        .evidence
        .iter()
        .skip(1)
        .enumerate()
        .map(|(i, e)| Location {
            id: Some(i + 1),
            physical_location: physical(&e.span),
            message: Some(Message {
                text: record_label(e),
            }),
        })
        .collect();
    SarifResult {
        rule_id: &f.rule,
        rule_index,
        level: finding_level(f),
        message: Message { text },
        locations,
        related_locations,
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.id.as_str())]),
        suppressions: Vec::new(),
        properties: ResultProperties {
            certainty: f.certainty.as_str(),
            severity: f.severity.as_str(),
            verdict: f.verdict.as_ref().map(|v| VerdictProperty {
                verdict: v.kind.as_str(),
                claim: &v.claim,
            }),
            unknown: &f.unknown,
            undecided: &f.undecided,
            evidence: f
                .evidence
                .iter()
                .map(|e| EvidenceProperty {
                    var: &e.var,
                    collection: &e.collection,
                    id: &e.id,
                    test: e.test,
                    sources: e
                        .sources
                        .iter()
                        .map(|s| SourceProperty {
                            id: &s.id,
                            title: s.title.as_deref(),
                            publisher: s.publisher.as_deref(),
                            url: s.url.as_deref(),
                        })
                        .collect(),
                })
                .collect(),
            group: f.group.as_ref().map(crate::report::json::group),
        },
    }
}

/// The report as a SARIF 2.1.0 log (pretty JSON ending in a newline). `tool_version`
/// is factlint's version, written to `tool.driver.version`.
pub fn render_sarif(report: &Report, tool_version: &str) -> String {
    render_sarif_with_suppressed(report, tool_version, &[], &[])
}

/// Like [`render_sarif`], and also the findings that suppressions took out of the
/// report, each with a SARIF `suppressions` entry (`external`, `accepted`, the reason as
/// justification, the reviewer and expiry as properties), after the other results.
/// Code scanning shows them as dismissed alerts rather than losing track of them.
pub fn render_sarif_with_suppressed(
    report: &Report,
    tool_version: &str,
    suppressed: &[SuppressedFinding],
    suppressions: &[Suppression],
) -> String {
    let mut results: Vec<SarifResult<'_>> =
        report.findings.iter().map(|f| result(report, f)).collect();
    for s in suppressed {
        let mut r = result(report, &s.finding);
        if let Some(by) = suppressions.get(s.suppression) {
            r.suppressions.push(SarifSuppression {
                kind: "external",
                status: "accepted",
                justification: &by.reason,
                properties: SuppressionProperties {
                    reviewer: &by.reviewer,
                    expires: by.expires.to_string(),
                    file: &by.span.file,
                    line: by.span.line,
                },
            });
        }
        results.push(r);
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "factlint",
                    version: tool_version,
                    rules: report.rules.iter().map(descriptor).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
            invocations: invocations(report),
        }],
    };
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}
