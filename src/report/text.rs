//! The human report: findings grouped by rule with their evidence records and the
//! sources those cite, possible findings apart, claim verdicts, and a summary line.

use crate::check::RuleInfo;
use crate::diag::style::{self, paint};
use crate::diag::{Severity, VerdictKind};
use crate::eval::{Certainty, ClaimVerdict, Evidence, Finding, Report, SourceRef};
use crate::report::output::{data_errors_line, plural, record_name, summary_line, verdict_label};
use anstyle::{AnsiColor, Style};
use std::fmt::Write as _;

/// Paints in anstyle styles (`diag::style::paint`), or not at all when colour is off.
struct Paint {
    on: bool,
}

impl Paint {
    fn s(&self, style: Style, text: &str) -> String {
        if self.on && !text.is_empty() {
            paint(style, text)
        } else {
            text.to_string()
        }
    }
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const LOCATION: Style = AnsiColor::Blue.on_default();
/// What is not certain: a possible finding's mark, a claim without a verdict.
const POSSIBLE: Style = AnsiColor::Magenta.on_default().bold();
/// What rests on unknown values.
const UNKNOWN: Style = AnsiColor::Magenta.on_default();
const TEST_RECORD: Style = AnsiColor::Yellow.on_default();

fn severity_color(s: Severity) -> Style {
    match s {
        Severity::Error => style::ERROR,
        Severity::Warning => style::WARNING,
        Severity::Info => style::INFO,
    }
}

fn verdict_color(v: Option<VerdictKind>) -> Style {
    match v {
        Some(VerdictKind::Supported) => AnsiColor::Green.on_default().bold(),
        Some(VerdictKind::Refuted) => AnsiColor::Red.on_default().bold(),
        Some(VerdictKind::NotEnoughEvidence) => AnsiColor::Yellow.on_default().bold(),
        None => POSSIBLE,
    }
}

/// Render the report for a person. `color` adds ANSI colours; the text is the same
/// otherwise. Rules with findings come by severity (errors first), then in the order
/// of `report.rules`; within a rule certain findings come first, then the possible ones.
pub fn render_text(report: &Report, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();

    for group in groups(report) {
        render_group(&mut out, &p, &group);
        out.push('\n');
    }

    if !report.verdicts.is_empty() {
        let _ = writeln!(out, "{}", p.s(BOLD, "claim verdicts"));
        let width = report
            .verdicts
            .iter()
            .map(|v| verdict_label(v.verdict).len())
            .max()
            .unwrap_or(0);
        for v in &report.verdicts {
            render_verdict(&mut out, &p, v, width, report);
        }
        out.push('\n');
    }

    let _ = writeln!(out, "{}", p.s(BOLD, &summary_line(report)));
    if let Some(line) = data_errors_line(report) {
        let _ = writeln!(out, "{}", p.s(BOLD, &line));
    }
    out
}

/// The findings of one rule.
struct Group<'a> {
    rule_id: &'a str,
    severity: Severity,
    rule: Option<&'a RuleInfo>,
    findings: Vec<&'a Finding>,
}

fn groups(report: &Report) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = report
        .rules
        .iter()
        .map(|r| Group {
            rule_id: &r.id,
            severity: r.severity,
            rule: Some(r),
            findings: Vec::new(),
        })
        .collect();
    for f in &report.findings {
        match groups.iter_mut().find(|g| g.rule_id == f.rule) {
            Some(g) => g.findings.push(f),
            // a finding of a rule the report does not describe still gets shown
            None => groups.push(Group {
                rule_id: &f.rule,
                severity: f.severity,
                rule: None,
                findings: vec![f],
            }),
        }
    }
    groups.retain(|g| !g.findings.is_empty());
    // stable: rules of the same severity keep the report's order
    groups.sort_by_key(|g| g.severity);
    groups
}

fn render_group(out: &mut String, p: &Paint, g: &Group<'_>) {
    let description = g
        .rule
        .map(RuleInfo::short_description)
        .filter(|d| d != g.rule_id);
    let head = format!("{}[{}]", g.severity.as_str(), clean(g.rule_id));
    match description {
        Some(d) => {
            let _ = writeln!(
                out,
                "{}: {}",
                p.s(severity_color(g.severity), &head),
                p.s(BOLD, &clean(&d))
            );
        }
        None => {
            let _ = writeln!(out, "{}", p.s(severity_color(g.severity), &head));
        }
    }
    if let Some(r) = g.rule {
        let mut line = format!("rule at {}", r.span);
        if !r.tags.is_empty() {
            line.push_str(&format!("; tags: {}", r.tags.join(", ")));
        }
        let _ = writeln!(out, "  {}", p.s(DIM, &clean(&line)));
    }

    let certain: Vec<&Finding> = g
        .findings
        .iter()
        .copied()
        .filter(|f| f.certainty == Certainty::Certain)
        .collect();
    let possible: Vec<&Finding> = g
        .findings
        .iter()
        .copied()
        .filter(|f| f.certainty == Certainty::Possible)
        .collect();
    for f in &certain {
        out.push('\n');
        render_finding(out, p, f);
    }
    if !possible.is_empty() {
        out.push('\n');
        let _ = writeln!(
            out,
            "  {}",
            p.s(
                UNKNOWN,
                &format!(
                    "{}, resting on values that are unknown:",
                    plural(possible.len(), "possible finding", "possible findings")
                )
            )
        );
        for f in &possible {
            out.push('\n');
            render_finding(out, p, f);
        }
    }
}

fn render_finding(out: &mut String, p: &Paint, f: &Finding) {
    let marker = match f.certainty {
        Certainty::Certain => p.s(severity_color(f.severity), "*"),
        Certainty::Possible => p.s(POSSIBLE, "?"),
    };
    let mut lines = clean(&f.message)
        .lines()
        .map(str::to_string)
        .collect::<Vec<_>>();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let _ = writeln!(out, "  {marker} {}", lines[0]);
    for l in &lines[1..] {
        let _ = writeln!(out, "    {l}");
    }
    if let Some(g) = &f.group {
        let _ = writeln!(out, "    {}", p.s(DIM, &clean(&group_line(g))));
    }
    for u in &f.unknown {
        let _ = writeln!(out, "    {} {}", p.s(UNKNOWN, "unknown:"), clean(u));
    }
    for u in &f.undecided {
        let _ = writeln!(out, "    {} {}", p.s(UNKNOWN, "because:"), clean(u));
    }
    if let Some(v) = &f.verdict {
        // a possible finding says what it would rate the claim, never rates it
        let head = match f.certainty {
            Certainty::Certain => "verdict on",
            Certainty::Possible => "no verdict yet on",
        };
        let _ = write!(
            out,
            "    {head} {}: {}",
            clean(&v.claim),
            p.s(verdict_color(Some(v.kind)), verdict_label(Some(v.kind)))
        );
        if f.certainty == Certainty::Possible {
            out.push_str(" if the unknowns hold");
        }
        out.push('\n');
    }
    let var_width = f.evidence.iter().map(|e| e.var.chars().count()).max();
    let name_width = f
        .evidence
        .iter()
        .map(|e| record_name(e).chars().count())
        .max()
        .unwrap_or(0);
    // in a group many records cite the same sources: each is printed in full once
    let mut seen = Vec::new();
    let mut printed = f.group.is_some().then_some(&mut seen);
    for e in &f.evidence {
        render_evidence(
            out,
            p,
            e,
            var_width.unwrap_or(0),
            name_width,
            printed.as_deref_mut(),
        );
    }
    let _ = writeln!(out, "    {}", p.s(DIM, &format!("id {}", f.id)));
}

/// `group a.actor = RUS, b.actor = GEO: 12 bindings, 3 certain`.
fn group_line(g: &crate::eval::Group) -> String {
    let keys: Vec<String> = g
        .keys
        .iter()
        .map(|k| {
            let value = k.value.as_deref().unwrap_or("missing");
            if k.expr.is_empty() {
                value.to_string()
            } else {
                format!("{} = {value}", k.expr)
            }
        })
        .collect();
    let mut line = format!(
        "group {}: {}",
        keys.join(", "),
        plural(g.count, "binding", "bindings")
    );
    if g.certain != g.count && g.certain > 0 {
        line.push_str(&format!(", {} certain", g.certain));
    }
    line
}

fn render_evidence(
    out: &mut String,
    p: &Paint,
    e: &Evidence,
    var_width: usize,
    name_width: usize,
    mut printed: Option<&mut Vec<String>>,
) {
    let name = clean(&record_name(e));
    let pad = name_width.saturating_sub(name.chars().count());
    let mut line = format!(
        "    {:<var_width$}  {}{}  {}",
        clean(&e.var),
        p.s(BOLD, &name),
        " ".repeat(pad),
        p.s(LOCATION, &clean(&e.span.to_string()))
    );
    if e.test {
        line.push_str(&format!("  {}", p.s(TEST_RECORD, "(test record)")));
    }
    let _ = writeln!(out, "{}", line.trim_end());
    let indent = " ".repeat(4 + var_width + 2);
    // a record of the sources collection is itself a source
    if e.sources.is_empty() && e.collection != "sources" {
        let _ = writeln!(out, "{indent}{}", p.s(DIM, "no sources cited"));
    }
    for s in &e.sources {
        let Some(printed) = printed.as_deref_mut() else {
            let _ = writeln!(out, "{indent}{} {}", p.s(DIM, "source:"), source_text(s));
            continue;
        };
        // the same source, or one that reads the same (GDELT gives each event its own
        // record of the same article): a short title (else its id) once more, no more
        let text = source_text(s);
        if printed.contains(&text) {
            let name = match s.title.as_deref() {
                Some(t) if t.chars().count() <= 60 => t,
                _ => &s.id,
            };
            let again = format!("{}, as above", clean(name));
            let _ = writeln!(out, "{indent}{} {}", p.s(DIM, "source:"), p.s(DIM, &again));
            continue;
        }
        let _ = writeln!(out, "{indent}{} {}", p.s(DIM, "source:"), text);
        printed.push(text);
    }
}

/// `title — publisher, date, url (reliability B)`, with what is known.
fn source_text(s: &SourceRef) -> String {
    let mut t = clean(s.title.as_deref().unwrap_or(&s.id));
    if let Some(p) = &s.publisher {
        t.push_str(" — ");
        t.push_str(&clean(p));
    }
    for part in [&s.date, &s.url].into_iter().flatten() {
        t.push_str(", ");
        t.push_str(&clean(part));
    }
    if let Some(r) = &s.reliability {
        t.push_str(&format!(" (reliability {})", clean(r)));
    }
    t
}

fn render_verdict(out: &mut String, p: &Paint, v: &ClaimVerdict, width: usize, report: &Report) {
    let label = verdict_label(v.verdict);
    let pad = " ".repeat(width.saturating_sub(label.len()));
    let _ = writeln!(
        out,
        "  {}{pad}  {}  {}",
        p.s(verdict_color(v.verdict), label),
        p.s(BOLD, &clean(&v.claim)),
        p.s(LOCATION, &clean(&v.span.to_string()))
    );
    if let Some(t) = &v.claim_text {
        let _ = writeln!(out, "    \"{}\"", clean(t).replace('\n', " "));
    }
    if v.support.is_empty() {
        let _ = writeln!(out, "    {}", p.s(DIM, "no verdict rule fired on it"));
    }
    for (kind, rule, finding, certainty) in &v.support {
        let mut line = String::new();
        if v.verdict != Some(*kind) {
            line.push_str(&p.s(verdict_color(Some(*kind)), verdict_label(Some(*kind))));
            line.push(' ');
        }
        line.push_str(&format!("according to {}", p.s(BOLD, &clean(rule))));
        if *certainty == Certainty::Possible {
            line.push_str(&format!(" {}", p.s(UNKNOWN, "(possible)")));
        }
        line.push_str(&format!(" {}", p.s(DIM, &format!("[{finding}]"))));
        let _ = writeln!(out, "    {line}");
        // a possible finding does not rate the claim: say what would decide it
        if *certainty == Certainty::Possible {
            if let Some(f) = report.findings.iter().find(|f| &f.id == finding) {
                let lines = f.unknown.iter().map(|u| ("undecided until known:", u));
                for (head, u) in lines.chain(f.undecided.iter().map(|u| ("because:", u))) {
                    let _ = writeln!(out, "      {} {}", p.s(UNKNOWN, head), clean(u));
                }
            }
        }
    }
}

/// Text from data made safe for a terminal and a CI log: every control character
/// shown visibly (`\n`, `\u{1b}`), so no value starts a line or reaches the terminal
/// (`diag::escape::visible`, the one escaping for text).
fn clean(s: &str) -> String {
    crate::diag::escape::visible(s).into_owned()
}
