//! GitHub Actions workflow commands: one annotation per finding on the line of its
//! primary evidence record (`::error file=...,line=...,col=...,title=...::message`).

use crate::diag::escape::{github_data, github_property};
use crate::diag::Severity;
use crate::eval::{Certainty, Finding, Report};
use crate::report::output::record_name;

/// The toolkit's escaping, under the names this module always gave it.
pub use crate::diag::escape::{github_data as escape_data, github_property as escape_property};

/// The command of a finding: `error`, `warning` or `notice` by severity; possible
/// findings are notices whatever their severity.
pub fn command(f: &Finding) -> &'static str {
    match (f.certainty, f.severity) {
        (Certainty::Possible, _) => "notice",
        (Certainty::Certain, Severity::Error) => "error",
        (Certainty::Certain, Severity::Warning) => "warning",
        (Certainty::Certain, Severity::Info) => "notice",
    }
}

fn annotation(report: &Report, f: &Finding) -> String {
    let mut props: Vec<String> = Vec::new();
    let span = f.primary().map(|e| &e.span).or_else(|| {
        report
            .rules
            .iter()
            .find(|r| r.id == f.rule)
            .map(|r| &r.span)
    });
    if let Some(span) = span {
        props.push(format!("file={}", github_property(&span.file)));
        props.push(format!("line={}", span.line));
        props.push(format!("col={}", span.col));
    }
    let title = match f.certainty {
        Certainty::Certain => f.rule.clone(),
        Certainty::Possible => format!("{} (possible)", f.rule),
    };
    props.push(format!("title={}", github_property(&title)));

    // data and the message's own lines alike are escaped once, by `github_data`
    let mut message = f.message.clone();
    if f.certainty == Certainty::Possible && !f.unknown.is_empty() {
        message.push_str(&format!("\nunknown: {}", f.unknown.join("; ")));
        if !f.undecided.is_empty() {
            message.push_str(&format!("\nbecause: {}", f.undecided.join("; ")));
        }
    }
    for e in &f.evidence {
        let test = if e.test { " (test record)" } else { "" };
        message.push_str(&format!("\n{} at {}{test}", record_name(e), e.span));
        for s in &e.sources {
            let title = s.title.as_deref().unwrap_or(&s.id);
            match &s.url {
                Some(u) => message.push_str(&format!("\n  source: {title}, {u}")),
                None => message.push_str(&format!("\n  source: {title}")),
            }
            for n in crate::report::output::notices(s) {
                message.push_str(&format!(" ({n})"));
            }
        }
    }
    format!(
        "::{} {}::{}",
        command(f),
        props.join(","),
        github_data(&message)
    )
}

/// The report as GitHub Actions annotations, one workflow command a line.
pub fn render_github(report: &Report) -> String {
    let mut out = String::new();
    // the data's errors the rules ran despite, on their lines
    for d in report
        .summary
        .data_errors
        .iter()
        .flat_map(|e| &e.diagnostics)
    {
        let mut props = Vec::new();
        if let Some(l) = &d.primary {
            props.push(format!("file={}", github_property(&l.span.file)));
            props.push(format!("line={}", l.span.line));
            props.push(format!("col={}", l.span.col));
        }
        props.push(format!("title={}", github_property(&d.code)));
        out.push_str(&format!(
            "::error {}::{}\n",
            props.join(","),
            github_data(&d.message)
        ));
    }
    for f in &report.findings {
        out.push_str(&annotation(report, f));
        out.push('\n');
    }
    out
}
