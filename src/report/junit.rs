//! JUnit XML output for CI test dashboards: one test suite for the run, one test case
//! per rule, one `<failure>` per certain error or warning; info and possible findings
//! go to the test case's `<system-out>` and do not fail it.

use crate::diag::escape::{xml_attribute, xml_text};
use crate::diag::Severity;
use crate::eval::{Certainty, Finding, Report};
use crate::report::output::record_name;
use std::fmt::Write as _;

/// Text for XML 1.0 element content or, with `attribute`, a double-quoted attribute
/// value: `diag::escape::xml_text` and `xml_attribute`, the one escaping for XML.
pub fn escape_xml(s: &str, attribute: bool) -> String {
    if attribute {
        xml_attribute(s)
    } else {
        xml_text(s)
    }
}

/// The evidence of a finding as plain text, for a failure's body.
fn evidence_text(f: &Finding) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", f.message);
    for u in &f.unknown {
        let _ = writeln!(s, "unknown: {u}");
    }
    for u in &f.undecided {
        let _ = writeln!(s, "because: {u}");
    }
    if let Some(v) = &f.verdict {
        let _ = match f.certainty {
            Certainty::Certain => {
                writeln!(s, "verdict: {} for claim {}", v.kind.as_str(), v.claim)
            }
            // a possible finding never rates the claim
            Certainty::Possible => writeln!(
                s,
                "no verdict yet: {} for claim {} if the unknowns hold",
                v.kind.as_str(),
                v.claim
            ),
        };
    }
    for e in &f.evidence {
        let test = if e.test { " (test record)" } else { "" };
        let _ = writeln!(s, "{} = {} at {}{test}", e.var, record_name(e), e.span);
        for src in &e.sources {
            let mut line = src.title.clone().unwrap_or_else(|| src.id.clone());
            if let Some(p) = &src.publisher {
                line.push_str(" — ");
                line.push_str(p);
            }
            if let Some(u) = &src.url {
                line.push_str(", ");
                line.push_str(u);
            }
            for n in crate::report::output::notices(src) {
                line.push_str(&format!(" ({n})"));
            }
            let _ = writeln!(s, "  source: {line}");
        }
    }
    let _ = write!(s, "id: {}", f.id);
    s
}

/// One test case: a rule (or a finding's rule the report does not describe).
struct Case<'a> {
    rule: &'a str,
    file: Option<&'a str>,
    line: Option<u32>,
    findings: Vec<&'a Finding>,
}

/// Whether a finding fails its test case: certain, and an error or a warning.
fn fails(f: &Finding) -> bool {
    f.certainty == Certainty::Certain && f.severity != Severity::Info
}

/// The report as JUnit XML. `tests` counts rules, `failures` counts rules with at
/// least one failing finding (certain, error or warning).
pub fn render_junit(report: &Report) -> String {
    let mut cases: Vec<Case<'_>> = report
        .rules
        .iter()
        .map(|r| Case {
            rule: &r.id,
            file: Some(&r.span.file),
            line: Some(r.span.line),
            findings: Vec::new(),
        })
        .collect();
    for f in &report.findings {
        match cases.iter_mut().find(|c| c.rule == f.rule) {
            Some(c) => c.findings.push(f),
            None => cases.push(Case {
                rule: &f.rule,
                file: None,
                line: None,
                findings: vec![f],
            }),
        }
    }
    let failing = |c: &Case<'_>| c.findings.iter().any(|f| fails(f));
    let tests = cases.len();
    let failures = cases.iter().filter(|c| failing(c)).count();

    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"factlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"factlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
    );
    for c in &cases {
        let mut attrs = format!(
            "classname=\"factlint\" name=\"{}\"",
            escape_xml(c.rule, true)
        );
        if let Some(file) = c.file {
            let _ = write!(attrs, " file=\"{}\"", escape_xml(file, true));
        }
        if let Some(line) = c.line {
            let _ = write!(attrs, " line=\"{line}\"");
        }
        if c.findings.is_empty() {
            let _ = writeln!(out, "    <testcase {attrs}/>");
            continue;
        }
        let _ = writeln!(out, "    <testcase {attrs}>");
        for f in c.findings.iter().filter(|f| fails(f)) {
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape_xml(&f.message, true),
                f.severity.as_str(),
                escape_xml(&evidence_text(f), false)
            );
        }
        let passing: Vec<&&Finding> = c.findings.iter().filter(|f| !fails(f)).collect();
        if !passing.is_empty() {
            let mut text = String::new();
            for f in passing {
                let certainty = match f.certainty {
                    Certainty::Certain => "",
                    Certainty::Possible => "possible ",
                };
                let _ = writeln!(
                    text,
                    "{certainty}{}: {}\n",
                    f.severity.as_str(),
                    evidence_text(f)
                );
            }
            let _ = writeln!(
                out,
                "      <system-out>{}</system-out>",
                escape_xml(text.trim_end(), false)
            );
        }
        let _ = writeln!(out, "    </testcase>");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
