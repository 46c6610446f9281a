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

/// The width the text report fits (`WIDTH` columns, wrapped with hanging indents).
pub const WIDTH: usize = 80;

/// Render the report for a person, in 80 columns. `color` adds ANSI colours; the
/// text is the same otherwise. Rules with findings come by severity (errors first),
/// then in the order of `report.rules`; within a rule certain findings come first,
/// then the possible ones, each under the record it concerns (a statement with the
/// actions that contradict it beneath). Sources are listed once, numbered, at the
/// end; evidence cites them by number.
pub fn render_text(report: &Report, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    let mut sources = Sources::default();

    for group in groups(report) {
        render_group(&mut out, &p, &group, &mut sources);
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

    if !sources.numbered.list.is_empty() {
        let _ = writeln!(out, "{}", p.s(BOLD, "sources"));
        let width = sources.numbered.list.len().to_string().len() + 2;
        for (i, s) in sources.numbered.list.iter().enumerate() {
            let mark = format!("[{}]", i + 1);
            let first = format!("  {mark:<width$} ");
            let rest = " ".repeat(first.chars().count());
            for line in wrap(s, &first, &rest) {
                let _ = writeln!(out, "{line}");
            }
        }
        out.push('\n');
    }

    for line in wrap_clauses(&summary_line(report)) {
        let _ = writeln!(out, "{}", p.s(BOLD, &line));
    }
    if let Some(line) = data_errors_line(report) {
        for l in wrap_clauses(&line) {
            let _ = writeln!(out, "{}", p.s(BOLD, &l));
        }
    }
    out
}

/// One line per finding, as compilers print errors: `file:line:col: severity[rule]:
/// message`, `(possible)` after a possible one, then the summary.
pub fn render_compact(report: &Report, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    for g in groups(report) {
        let certain = g
            .findings
            .iter()
            .filter(|f| f.certainty == Certainty::Certain);
        let possible = g
            .findings
            .iter()
            .filter(|f| f.certainty == Certainty::Possible);
        for f in certain.chain(possible) {
            let at = f
                .evidence
                .first()
                .map_or_else(String::new, |e| format!("{}: ", clean(&e.span.to_string())));
            let head = format!("{}[{}]", f.severity.as_str(), clean(&f.rule));
            let msg = clean(&f.message);
            let mut line = format!(
                "{}{}: {msg}",
                p.s(LOCATION, &at),
                p.s(severity_color(f.severity), &head)
            );
            if f.certainty == Certainty::Possible {
                line.push_str(&format!(" {}", p.s(POSSIBLE, "(possible)")));
            }
            let _ = writeln!(out, "{line}");
        }
    }
    for v in &report.verdicts {
        let _ = writeln!(
            out,
            "{}: verdict[{}]: {}",
            p.s(LOCATION, &clean(&v.span.to_string())),
            clean(&v.claim),
            p.s(verdict_color(v.verdict), verdict_label(v.verdict))
        );
    }
    let _ = writeln!(out, "{}", p.s(BOLD, &summary_line(report)));
    if let Some(line) = data_errors_line(report) {
        let _ = writeln!(out, "{}", p.s(BOLD, &line));
    }
    out
}

/// The sources of a report in the order they are first cited, each once: one that
/// reads the same as one listed already (GDELT gives each event its own record of the
/// same article) is that one.
#[derive(Default)]
struct Sources {
    numbered: crate::report::output::Numbered,
}

impl Sources {
    fn number(&mut self, s: &SourceRef) -> usize {
        self.numbered.number(source_text(s))
    }
}

/// `text` wrapped to `WIDTH` columns: the first line after `first`, the others after
/// `rest` (a hanging indent). Lines break at spaces (a break takes the space's place;
/// other spaces are kept); a word longer than a line (a URL, a path) is cut. Every
/// line is then made safe for a CI log as a whole (`escape::visible`): a word that a
/// break puts at the start of a line cannot start a workflow command there.
pub(crate) fn wrap(text: &str, first: &str, rest: &str) -> Vec<String> {
    use unicode_width::UnicodeWidthStr as _;
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut width = first.width();
    // whether the line holds a word yet (its indent aside)
    let mut started = false;
    let mut break_line = |line: &mut String, width: &mut usize, started: &mut bool| {
        lines.push(std::mem::replace(line, rest.to_string()));
        *width = rest.width();
        *started = false;
    };
    for (i, word) in text.split(' ').enumerate() {
        // measured once: a word of a megabyte is cut in one pass, not measured per cut
        let mut word_width = word.width();
        let sep = usize::from(i > 0 && started);
        if started && width + sep + word_width > WIDTH {
            break_line(&mut line, &mut width, &mut started);
        } else if sep == 1 {
            line.push(' ');
            width += 1;
        }
        let mut word = word;
        // a word longer than the room left on a fresh line: cut it where lines end
        while word_width > WIDTH.saturating_sub(width)
            && word_width > WIDTH.saturating_sub(rest.width())
        {
            let room = WIDTH.saturating_sub(width).max(1);
            let mut cut = 0;
            let mut used = 0;
            for (j, c) in word.char_indices() {
                let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                if used + cw > room && j > 0 {
                    break;
                }
                used += cw;
                cut = j + c.len_utf8();
            }
            line.push_str(&word[..cut]);
            break_line(&mut line, &mut width, &mut started);
            word = &word[cut..];
            word_width = word_width.saturating_sub(used);
        }
        line.push_str(word);
        width += word_width;
        started |= !word.is_empty();
    }
    if started || lines.is_empty() {
        lines.push(line);
    }
    lines
        .into_iter()
        .map(|l| crate::diag::escape::visible(&l).into_owned())
        .collect()
}

/// A summary line of `;`-separated clauses, wrapped between clauses (a clause longer
/// than a line wraps within itself).
fn wrap_clauses(text: &str) -> Vec<String> {
    use unicode_width::UnicodeWidthStr as _;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for clause in text.split("; ") {
        let joined = if line.is_empty() {
            clause.to_string()
        } else {
            format!("{line}; {clause}")
        };
        if joined.width() <= WIDTH || line.is_empty() {
            line = joined;
        } else {
            lines.push(format!("{line};"));
            line = format!("  {clause}");
        }
    }
    lines.push(line);
    lines
        .iter()
        .flat_map(|l| {
            let (indent, body) = l.split_at(l.len() - l.trim_start().len());
            wrap(body, indent, "  ")
        })
        .collect()
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

fn render_group(out: &mut String, p: &Paint, g: &Group<'_>, sources: &mut Sources) {
    let description = g
        .rule
        .map(RuleInfo::short_description)
        .filter(|d| d != g.rule_id);
    let head = format!("{}[{}]", g.severity.as_str(), clean(g.rule_id));
    for line in wrap(&head, "", "  ") {
        let _ = writeln!(out, "{}", p.s(severity_color(g.severity), &line));
    }
    if let Some(d) = description {
        for line in wrap(&clean(&d), "  ", "  ") {
            let _ = writeln!(out, "{}", p.s(BOLD, &line));
        }
    }
    if let Some(r) = g.rule {
        let mut line = format!("rule at {}", r.span);
        if !r.tags.is_empty() {
            line.push_str(&format!("; tags: {}", r.tags.join(", ")));
        }
        for l in wrap(&clean(&line), "  ", "    ") {
            let _ = writeln!(out, "{}", p.s(DIM, &l));
        }
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
    render_by_subject(out, p, &certain, sources);
    if !possible.is_empty() {
        out.push('\n');
        let what = format!(
            "{}, resting on values that are unknown:",
            plural(possible.len(), "possible finding", "possible findings")
        );
        for l in wrap(&what, "  ", "  ") {
            let _ = writeln!(out, "{}", p.s(UNKNOWN, &l));
        }
        render_by_subject(out, p, &possible, sources);
    }
}

/// Findings under the record they concern (their first evidence record), in order of
/// first appearance: one statement, then each action that contradicts it.
fn render_by_subject(out: &mut String, p: &Paint, findings: &[&Finding], sources: &mut Sources) {
    let subjects = crate::report::output::by_subject(findings);
    for (subject, list) in subjects {
        out.push('\n');
        let shared = list.len() > 1 || list[0].evidence.len() > 1;
        if let (Some(e), true) = (subject, shared) {
            render_record(out, p, e, "  ", sources);
        }
        for f in list {
            render_finding(out, p, f, shared && subject.is_some(), sources);
        }
    }
}

/// `var  collection/id  [1][2]`, then its file:line on the next line when both do not
/// fit; `(test record)` or `no sources cited` where they apply.
fn render_record(out: &mut String, p: &Paint, e: &Evidence, indent: &str, sources: &mut Sources) {
    use unicode_width::UnicodeWidthStr as _;
    let name = clean(&record_name(e));
    let var = clean(&e.var);
    let cites: String = e
        .sources
        .iter()
        .map(|s| format!("[{}]", sources.number(s)))
        .collect();
    let mut tail = Vec::new();
    if !cites.is_empty() {
        tail.push(cites);
    } else if e.collection != "sources" {
        // a record of the sources collection is itself a source
        tail.push("no sources cited".to_string());
    }
    if e.test {
        tail.push("(test record)".to_string());
    }
    let location = clean(&e.span.to_string());
    let head = format!("{indent}{var}  {name}");
    let tail_text = tail.join(" ");
    let one = format!("{head}  {location}  {tail_text}");
    let hang = " ".repeat(indent.width() + var.width() + 2);
    if one.trim_end().width() <= WIDTH {
        let _ = writeln!(
            out,
            "{}",
            format!(
                "{indent}{var}  {}  {}  {}",
                p.s(BOLD, &name),
                p.s(LOCATION, &location),
                p.s(DIM, &tail_text)
            )
            .trim_end()
        );
        return;
    }
    // too wide for one line: the record, then where it is and its sources
    for (i, l) in wrap(&name, &format!("{indent}{var}  "), &hang)
        .into_iter()
        .enumerate()
    {
        let _ = writeln!(out, "{}", if i == 0 { p.s(BOLD, &l) } else { l });
    }
    let second = format!("{location}  {tail_text}");
    for l in wrap(second.trim_end(), &hang, &hang) {
        let _ = writeln!(out, "{}", p.s(LOCATION, &l));
    }
}

fn render_finding(
    out: &mut String,
    p: &Paint,
    f: &Finding,
    under_subject: bool,
    sources: &mut Sources,
) {
    let marker = match f.certainty {
        Certainty::Certain => p.s(severity_color(f.severity), "*"),
        Certainty::Possible => p.s(POSSIBLE, "?"),
    };
    let (lead, body) = if under_subject {
        ("    ", "      ")
    } else {
        ("  ", "    ")
    };
    let message = clean(&f.message);
    let lines = wrap(&message, &format!("{lead}* "), body);
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            // the marker painted in place of the plain one
            let _ = writeln!(out, "{lead}{marker}{}", &l[lead.len() + 1..]);
        } else {
            let _ = writeln!(out, "{l}");
        }
    }
    if let Some(g) = &f.group {
        for l in wrap(&clean(&group_line(g)), body, &format!("{body}  ")) {
            let _ = writeln!(out, "{}", p.s(DIM, &l));
        }
    }
    for (head, list) in [("unknown:", &f.unknown), ("because:", &f.undecided)] {
        for u in list {
            labelled(out, p, head, u, body, &format!("{body}  "));
        }
    }
    if let Some(v) = &f.verdict {
        // a possible finding says what it would rate the claim, never rates it
        let head = match f.certainty {
            Certainty::Certain => "verdict on",
            Certainty::Possible => "no verdict yet on",
        };
        let mut line = format!(
            "{head} {}: {}",
            clean(&v.claim),
            verdict_label(Some(v.kind))
        );
        if f.certainty == Certainty::Possible {
            line.push_str(" if the unknowns hold");
        }
        for l in wrap(&line, body, &format!("{body}  ")) {
            let _ = writeln!(out, "{l}");
        }
    }
    // the subject is printed above the findings under it
    let skip = usize::from(under_subject);
    for e in f.evidence.iter().skip(skip) {
        render_record(out, p, e, body, sources);
    }
    let _ = writeln!(out, "{body}{}", p.s(DIM, &format!("id {}", f.id)));
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
    let mut notes: Vec<String> = Vec::new();
    if let Some(r) = &s.reliability {
        notes.push(format!("reliability {}", clean(r)));
    }
    notes.extend(
        crate::report::output::notices(s)
            .into_iter()
            .map(|n| clean(&n)),
    );
    if !notes.is_empty() {
        t.push_str(&format!(" ({})", notes.join("; ")));
    }
    t
}

fn render_verdict(out: &mut String, p: &Paint, v: &ClaimVerdict, width: usize, report: &Report) {
    use unicode_width::UnicodeWidthStr as _;
    let label = verdict_label(v.verdict);
    let pad = " ".repeat(width.saturating_sub(label.len()));
    let claim = clean(&v.claim);
    let location = clean(&v.span.to_string());
    let one = format!("  {label}{pad}  {claim}  {location}");
    if one.width() <= WIDTH {
        let _ = writeln!(
            out,
            "  {}{pad}  {}  {}",
            p.s(verdict_color(v.verdict), label),
            p.s(BOLD, &claim),
            p.s(LOCATION, &location)
        );
    } else {
        let _ = writeln!(
            out,
            "  {}{pad}  {}",
            p.s(verdict_color(v.verdict), label),
            p.s(BOLD, &claim)
        );
        let _ = writeln!(out, "    {}", p.s(LOCATION, &location));
    }
    if let Some(t) = &v.claim_text {
        let quoted = format!("\"{}\"", clean(t).replace('\n', " "));
        for l in wrap(&quoted, "    ", "     ") {
            let _ = writeln!(out, "{l}");
        }
    }
    if v.support.is_empty() {
        let _ = writeln!(out, "    {}", p.s(DIM, "no verdict rule fired on it"));
    }
    for (kind, rule, finding, certainty) in &v.support {
        let mut line = String::new();
        if v.verdict != Some(*kind) {
            line.push_str(verdict_label(Some(*kind)));
            line.push(' ');
        }
        line.push_str(&format!("according to {}", clean(rule)));
        if *certainty == Certainty::Possible {
            line.push_str(" (possible)");
        }
        line.push_str(&format!(" [{finding}]"));
        for l in wrap(&line, "    ", "      ") {
            let _ = writeln!(out, "{l}");
        }
        // a possible finding does not rate the claim: say what would decide it
        if *certainty == Certainty::Possible {
            if let Some(f) = report.findings.iter().find(|f| &f.id == finding) {
                let lines = f.unknown.iter().map(|u| ("undecided until known:", u));
                for (head, u) in lines.chain(f.undecided.iter().map(|u| ("because:", u))) {
                    labelled(out, p, head, u, "      ", "        ");
                }
            }
        }
    }
}

/// `head text`, wrapped after `indent` (`rest` on later lines), `head` painted as
/// what rests on unknown values.
fn labelled(out: &mut String, p: &Paint, head: &str, text: &str, indent: &str, rest: &str) {
    for (i, l) in wrap(&clean(text), &format!("{indent}{head} "), rest)
        .into_iter()
        .enumerate()
    {
        let l = if i == 0 {
            l.replacen(head, &p.s(UNKNOWN, head), 1)
        } else {
            l
        };
        let _ = writeln!(out, "{l}");
    }
}

/// Text from data made safe for a terminal and a CI log: every control character
/// shown visibly (`\n`, `\u{1b}`), so no value starts a line or reaches the terminal
/// (`diag::escape::visible`, the one escaping for text).
fn clean(s: &str) -> String {
    crate::diag::escape::visible(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr as _;

    #[test]
    fn wrapping_keeps_words_and_spaces() {
        let text = "Russia invoked [sovereignty, non-interference] on 2026-01-03 (rus-mfa-2026-01-03), but its  invasion";
        let lines = wrap(text, "  * ", "    ");
        assert_eq!(
            lines,
            [
                "  * Russia invoked [sovereignty, non-interference] on 2026-01-03",
                "    (rus-mfa-2026-01-03), but its  invasion"
            ]
        );
        // a word that a break puts first on a line cannot start a workflow command
        let lines = wrap(&format!("{} ::add-mask::secret", "x".repeat(70)), "", "  ");
        assert_eq!(lines[1], "  \\u{3a}:add-mask::secret");
    }

    /// A word of two megabytes (a value interpolated into a message) is cut in linear
    /// time: a quadratic cut would take minutes.
    #[test]
    fn a_huge_word_wraps_in_one_pass() {
        let word = "x".repeat(2 << 20);
        let start = std::time::Instant::now();
        let lines = wrap(&word, "  ", "    ");
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert!(lines.iter().all(|l| l.width() <= WIDTH));
        assert_eq!(
            lines.concat().chars().filter(|c| *c == 'x').count(),
            2 << 20
        );
    }

    proptest::proptest! {
        /// Every line fits; no character is lost or added but spaces at breaks.
        #[test]
        fn every_line_fits_and_keeps_the_text(
            words in proptest::collection::vec("[a-z\u{4e00}-\u{4e10}é]{0,120}", 0..30),
            indent in 0usize..12,
        ) {
            let text = words.join(" ");
            let first = " ".repeat(indent);
            let rest = " ".repeat(indent + 2);
            let lines = wrap(&text, &first, &rest);
            for l in &lines {
                proptest::prop_assert!(l.width() <= WIDTH, "{} columns: {l}", l.width());
            }
            let squash = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
            proptest::prop_assert_eq!(squash(&lines.concat()), squash(&text));
        }
    }
}
