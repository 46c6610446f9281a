//! The Markdown report (`--format markdown`): for a newsroom document or a GitHub job
//! summary (`$GITHUB_STEP_SUMMARY`). A summary table, then each rule's findings under
//! the record they concern, claim verdicts as a table, and the sources once, numbered,
//! with links. Every value from the data goes through `escape::markdown_text` (and a
//! URL through `escape::link_url`): no data starts a heading, a list or a table
//! cell, opens a link, or mentions anyone.

use crate::diag::escape::{link_url, markdown_text as md};
use crate::eval::{Certainty, Evidence, Finding, Report, SourceRef};
use crate::report::output::{
    by_subject, data_errors_line, plural, record_name, rules_with_findings, summary_line,
    verdict_label,
};
use std::fmt::Write as _;

pub fn render_markdown(report: &Report) -> String {
    let mut out = String::from("# factlint report\n\n");
    let _ = writeln!(out, "**{}**\n", md(&summary_line(report)));
    if let Some(line) = data_errors_line(report) {
        let _ = writeln!(out, "**{}**\n", md(&line));
    }
    let mut sources = crate::report::output::Numbered::default();
    let cite = |s: &SourceRef, sources: &mut crate::report::output::Numbered| {
        format!("\\[{}\\]", sources.number(source_text(s)))
    };
    // the rules with findings, by severity, as the text report orders them
    let rules = rules_with_findings(report);
    if !rules.is_empty() {
        out.push_str("| severity | rule | certain | possible |\n|---|---|---:|---:|\n");
        for (id, sev, list) in &rules {
            let certain = list
                .iter()
                .filter(|f| f.certainty == Certainty::Certain)
                .count();
            let _ = writeln!(
                out,
                "| {} | {} | {certain} | {} |",
                sev.as_str(),
                md(id),
                list.len() - certain
            );
        }
        out.push('\n');
    }
    for (id, sev, list) in &rules {
        let _ = writeln!(out, "## {}: {}\n", sev.as_str(), md(id));
        if let Some(r) = report.rules.iter().find(|r| r.id == *id) {
            let d = r.short_description();
            if d != r.id {
                let _ = writeln!(out, "{}\n", md(&d));
            }
            let mut line = format!("Rule at {}", md(&r.span.to_string()));
            if !r.tags.is_empty() {
                line.push_str(&format!("; tags: {}", md(&r.tags.join(", "))));
            }
            let _ = writeln!(out, "{line}\n");
        }
        for certainty in [Certainty::Certain, Certainty::Possible] {
            let these: Vec<&Finding> = list
                .iter()
                .copied()
                .filter(|f| f.certainty == certainty)
                .collect();
            if these.is_empty() {
                continue;
            }
            if certainty == Certainty::Possible {
                let _ = writeln!(
                    out,
                    "*{}, resting on values that are unknown:*\n",
                    plural(these.len(), "possible finding", "possible findings")
                );
            }
            // under the record they concern: a statement, then each action against it
            let subjects = by_subject(&these);
            for (subject, fs) in subjects {
                let shared = fs.len() > 1 || fs[0].evidence.len() > 1;
                let skip = usize::from(shared && subject.is_some());
                if let (Some(e), true) = (subject, shared) {
                    let _ = writeln!(out, "### {}\n", record(e, &mut |s| cite(s, &mut sources)));
                }
                for f in fs {
                    let mark = match f.certainty {
                        Certainty::Certain => "",
                        Certainty::Possible => " *(possible)*",
                    };
                    let _ = writeln!(out, "- **{}**{mark}", md(&f.message));
                    for u in &f.unknown {
                        let _ = writeln!(out, "  - unknown: {}", md(u));
                    }
                    for u in &f.undecided {
                        let _ = writeln!(out, "  - because: {}", md(u));
                    }
                    if let Some(v) = &f.verdict {
                        let _ = writeln!(
                            out,
                            "  - verdict on {}: **{}**",
                            md(&v.claim),
                            verdict_label(Some(v.kind))
                        );
                    }
                    for e in f.evidence.iter().skip(skip) {
                        let _ = writeln!(out, "  - {}", record(e, &mut |s| cite(s, &mut sources)));
                    }
                    let _ = writeln!(out, "  - id `{}`", f.id.replace('`', ""));
                }
                out.push('\n');
            }
        }
    }
    if !report.verdicts.is_empty() {
        out.push_str(
            "## Claim verdicts\n\n| verdict | claim | text | according to |\n|---|---|---|---|\n",
        );
        for v in &report.verdicts {
            let rules: Vec<String> = v
                .support
                .iter()
                .map(|(_, rule, _, c)| {
                    let possible = if *c == Certainty::Possible {
                        " (possible)"
                    } else {
                        ""
                    };
                    format!("{}{possible}", md(rule))
                })
                .collect();
            let _ = writeln!(
                out,
                "| **{}** | {} | {} | {} |",
                verdict_label(v.verdict),
                md(&v.claim),
                v.claim_text.as_deref().map(md).unwrap_or_default(),
                rules.join(", ")
            );
        }
        out.push('\n');
    }
    if !sources.list.is_empty() {
        out.push_str("## Sources\n\n");
        for (i, s) in sources.list.iter().enumerate() {
            let _ = writeln!(out, "{}. {s}", i + 1);
        }
        out.push('\n');
    }
    out
}

/// `**a**: actions/rus-georgia-2008 (examples/.../actions.yaml:5:3) [6]`.
fn record(e: &Evidence, cite: &mut dyn FnMut(&SourceRef) -> String) -> String {
    let mut line = format!(
        "{}: {} ({})",
        md(&e.var),
        md(&record_name(e)),
        md(&e.span.to_string())
    );
    let cites: Vec<String> = e.sources.iter().map(cite).collect();
    if !cites.is_empty() {
        line.push(' ');
        line.push_str(&cites.join(""));
    } else if e.collection != "sources" {
        line.push_str(" — no sources cited");
    }
    if e.test {
        line.push_str(" *(test record)*");
    }
    line
}

/// A source's title (linked when it has an http(s) URL), publisher, date, grade.
fn source_text(s: &SourceRef) -> String {
    let title = md(s.title.as_deref().unwrap_or(&s.id));
    let mut t = match s.url.as_deref().and_then(link_url) {
        Some(url) => format!("[{title}]({url})"),
        None => title,
    };
    if let Some(p) = &s.publisher {
        t.push_str(&format!(" — {}", md(p)));
    }
    if let Some(d) = &s.date {
        t.push_str(&format!(", {}", md(d)));
    }
    let mut notes: Vec<String> = Vec::new();
    if let Some(r) = &s.reliability {
        notes.push(format!("reliability {}", md(r)));
    }
    notes.extend(
        crate::report::output::notices(s)
            .into_iter()
            .map(|n| format!("**{}**", md(&n))),
    );
    if !notes.is_empty() {
        t.push_str(&format!(" ({})", notes.join("; ")));
    }
    t
}
