//! The HTML report (`--format html`): one self-contained file (styles and script
//! inline, no network: a Content-Security-Policy allows nothing else), for a reporter
//! to forward to an editor. A summary; filters by rule, severity, tag and certainty
//! that work without a server; each rule's findings under the record they concern;
//! for a rule whose records carry dates (a statement and the actions that contradict
//! it), a timeline per actor (SVG): statements as marks, actions as spans over their
//! first to last day (a partial date is a span), the rule's `within` window shaded
//! around each statement; evidence with file:line; verdict badges; the sources once,
//! numbered, graded and linked. Every value from the data is escaped for HTML
//! (`escape::html`), and only http(s) URLs become links.

use crate::diag::escape::{html, link_url};
use crate::diag::Severity;
use crate::eval::{Certainty, Evidence, Finding, Report, SourceRef, When};
use crate::report::output::{
    by_subject, plural, record_name, rules_with_findings, summary_line, verdict_code, verdict_label,
};
use chrono::{Datelike, NaiveDate};
use std::fmt::Write as _;

const STYLE: &str = r#"
html{scroll-padding-top:14em}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#fafbfc}
header{background:#fff;border-bottom:1px solid #d8dee4;padding:1em 2em;position:sticky;top:0;z-index:2}
main{padding:1em 2em;max-width:70em}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.6em 0 .3em}h3{font-size:1em;margin:1em 0 .3em}
.summary{margin:.2em 0 .6em}.counts span{margin-right:1em}
#filters label{margin-right:1em}#filters select{font:inherit}
.badge{display:inline-block;border-radius:.8em;padding:0 .55em;font-size:.8em;font-weight:600;color:#fff;vertical-align:middle}
.sev-error{background:#cf222e}.sev-warning{background:#bc4c00}.sev-info{background:#0969da}
.possible{background:#8250df}.certain{background:#57606a}
.v-supported{background:#1a7f37}.v-refuted{background:#cf222e}.v-not-enough-evidence{background:#9a6700}.v-conflicting{background:#8250df}
.rule{background:#fff;border:1px solid #d8dee4;border-radius:6px;padding:.2em 1.2em 1em;margin:1em 0}
.where,.loc,.fid{color:#57606a;font-size:.85em}.loc{white-space:nowrap}
.finding{border-left:3px solid #d8dee4;padding:.1em .8em;margin:.6em 0}
.finding.is-possible{border-left-color:#8250df}
.finding p{margin:.2em 0}.evidence{margin:.2em 0;padding-left:1.2em}
.grade{font-weight:700;border:1px solid #8c959f;border-radius:3px;padding:0 .3em;font-size:.8em}
.notice{font-weight:700;color:#cf222e}
svg.timeline{width:100%;height:auto;background:#fff;border:1px solid #eaeef2;border-radius:4px;margin:.5em 0}
svg text{font:11px system-ui,sans-serif;fill:#1b1f24}
table{border-collapse:collapse}td,th{border:1px solid #d8dee4;padding:.2em .6em;text-align:left}
[hidden]{display:none!important}
"#;

const SCRIPT: &str = r#"
(function(){
  var rule=document.getElementById('f-rule'),sev=document.getElementById('f-severity'),
      tag=document.getElementById('f-tag'),pos=document.getElementById('f-possible'),
      shown=document.getElementById('shown');
  function apply(){
    var n=0;
    document.querySelectorAll('.finding').forEach(function(f){
      var ok=(!rule.value||f.dataset.rule===rule.value)&&(!sev.value||f.dataset.severity===sev.value)
        &&(!tag.value||(' '+f.dataset.tags+' ').indexOf(' '+tag.value+' ')>=0)
        &&(pos.checked||f.dataset.certainty==='certain');
      f.hidden=!ok;if(ok)n++;
    });
    document.querySelectorAll('.subject,.rule').forEach(function(g){
      g.hidden=!g.querySelector('.finding:not([hidden])');
    });
    shown.textContent=n+' shown';
  }
  [rule,sev,tag,pos].forEach(function(e){e.addEventListener('change',apply);});
  apply();
})();
"#;

/// The HTML report of `report`.
pub fn render_html(report: &Report) -> String {
    // each source once, as it reads in the list: numbered in order of first citation
    let mut sources = crate::report::output::Numbered::default();
    let mut out = String::from(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>factlint report</title>\n<style>",
    );
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<header>\n<h1>factlint report</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"summary\">{}</p>",
        html(&summary_line(report))
    );
    // counts by severity and verdict
    out.push_str("<p class=\"counts\">");
    for sev in [Severity::Error, Severity::Warning, Severity::Info] {
        if let Some(n) = report.summary.by_severity.get(sev.as_str()) {
            let s = sev.as_str();
            let _ = write!(
                out,
                "<span><span class=\"badge sev-{s}\">{s}</span> {n}</span>"
            );
        }
    }
    let mut verdicts: Vec<(&'static str, &'static str, usize)> = Vec::new();
    for v in &report.verdicts {
        let (code, label) = (verdict_code(v.verdict), verdict_label(v.verdict));
        match verdicts.iter_mut().find(|(c, _, _)| *c == code) {
            Some((_, _, n)) => *n += 1,
            None => verdicts.push((code, label, 1)),
        }
    }
    for (code, label, n) in &verdicts {
        let _ = write!(
            out,
            "<span><span class=\"badge v-{code}\">{label}</span> {n}</span>"
        );
    }
    out.push_str("</p>\n");
    filters(&mut out, report);
    out.push_str("</header>\n<main>\n");

    let rules = rules_with_findings(report);
    for (id, sev, list) in &rules {
        let info = report.rules.iter().find(|r| r.id == *id);
        let tags = info.map(|r| r.tags.join(" ")).unwrap_or_default();
        let _ = writeln!(out, "<section class=\"rule\" data-rule=\"{}\">", html(id));
        let _ = writeln!(
            out,
            "<h2><span class=\"badge sev-{s}\">{s}</span> {}</h2>",
            html(id),
            s = sev.as_str()
        );
        if let Some(r) = info {
            let d = r.short_description();
            if d != r.id {
                let _ = writeln!(out, "<p>{}</p>", html(&d));
            }
            let mut w = format!("rule at {}", r.span);
            if !r.tags.is_empty() {
                w.push_str(&format!(" · tags: {}", r.tags.join(", ")));
            }
            let _ = writeln!(out, "<p class=\"where\">{}</p>", html(&w));
        }
        timelines(&mut out, list, report.windows.get(*id));
        // under the record they concern
        let subjects = by_subject(list);
        for (subject, fs) in subjects {
            let shared = subject.is_some() && (fs.len() > 1 || fs[0].evidence.len() > 1);
            out.push_str("<div class=\"subject\">\n");
            if let (Some(e), true) = (subject, shared) {
                let _ = writeln!(out, "<h3>{}</h3>", record(e, &mut sources));
            }
            for f in fs {
                finding(&mut out, f, &tags, usize::from(shared), &mut sources);
            }
            out.push_str("</div>\n");
        }
        out.push_str("</section>\n");
    }

    if !report.verdicts.is_empty() {
        out.push_str(
            "<section id=\"verdicts\">\n<h2>Claim verdicts</h2>\n<table>\n\
             <tr><th>verdict</th><th>claim</th><th>text</th><th>according to</th></tr>\n",
        );
        for v in &report.verdicts {
            let rules: Vec<String> = v
                .support
                .iter()
                .map(|(_, rule, fid, c)| {
                    let possible = if *c == Certainty::Possible {
                        " (possible)"
                    } else {
                        ""
                    };
                    format!("<a href=\"#f-{}\">{}</a>{possible}", html(fid), html(rule))
                })
                .collect();
            let _ = writeln!(
                out,
                "<tr><td><span class=\"badge v-{}\">{}</span></td><td>{}<br><span class=\"loc\">{}</span></td><td>{}</td><td>{}</td></tr>",
                verdict_code(v.verdict),
                verdict_label(v.verdict),
                html(&v.claim),
                html(&v.span.to_string()),
                v.claim_text.as_deref().map(html).unwrap_or_default(),
                rules.join(", ")
            );
        }
        out.push_str("</table>\n</section>\n");
    }
    if !sources.list.is_empty() {
        out.push_str("<section id=\"sources\">\n<h2>Sources</h2>\n<ol>\n");
        for (i, s) in sources.list.iter().enumerate() {
            let _ = writeln!(out, "<li id=\"src-{}\">{s}</li>", i + 1);
        }
        out.push_str("</ol>\n</section>\n");
    }
    out.push_str("</main>\n<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

/// The filters: rule, severity, tag, and whether possible findings show.
fn filters(out: &mut String, report: &Report) {
    let mut rules: Vec<&str> = Vec::new();
    let mut sevs: Vec<Severity> = Vec::new();
    let mut tags: Vec<&str> = Vec::new();
    for f in &report.findings {
        if !rules.contains(&f.rule.as_str()) {
            rules.push(&f.rule);
        }
        if !sevs.contains(&f.severity) {
            sevs.push(f.severity);
        }
        if let Some(r) = report.rules.iter().find(|r| r.id == f.rule) {
            for t in &r.tags {
                if !tags.contains(&t.as_str()) {
                    tags.push(t);
                }
            }
        }
    }
    sevs.sort();
    tags.sort_unstable();
    let options = |items: &[&str]| -> String {
        items
            .iter()
            .map(|i| format!("<option value=\"{v}\">{v}</option>", v = html(i)))
            .collect()
    };
    let sev_names: Vec<&str> = sevs.iter().map(|s| s.as_str()).collect();
    let _ = writeln!(
        out,
        "<form id=\"filters\" onsubmit=\"return false\">\
         <label>Rule <select id=\"f-rule\"><option value=\"\">all</option>{}</select></label>\
         <label>Severity <select id=\"f-severity\"><option value=\"\">all</option>{}</select></label>\
         <label>Tag <select id=\"f-tag\"><option value=\"\">all</option>{}</select></label>\
         <label><input type=\"checkbox\" id=\"f-possible\" checked> possible findings</label>\
         <span id=\"shown\"></span></form>",
        options(&rules),
        options(&sev_names),
        options(&tags)
    );
}

fn finding(
    out: &mut String,
    f: &Finding,
    tags: &str,
    skip: usize,
    sources: &mut crate::report::output::Numbered,
) {
    let certainty = match f.certainty {
        Certainty::Certain => "certain",
        Certainty::Possible => "possible",
    };
    let _ = writeln!(
        out,
        "<article class=\"finding is-{certainty}\" id=\"f-{}\" data-rule=\"{}\" data-severity=\"{}\" data-tags=\"{}\" data-certainty=\"{certainty}\">",
        html(&f.id),
        html(&f.rule),
        f.severity.as_str(),
        html(tags)
    );
    let mut badges = format!("<span class=\"badge {certainty}\">{certainty}</span>");
    if let Some(v) = &f.verdict {
        let code = verdict_code(Some(v.kind));
        let _ = write!(
            badges,
            " <span class=\"badge v-{code}\" title=\"the verdict on {}\">{}</span>",
            html(&v.claim),
            verdict_label(Some(v.kind))
        );
    }
    let _ = writeln!(out, "<p>{badges} <strong>{}</strong></p>", html(&f.message));
    if let Some(g) = &f.group {
        let _ = writeln!(
            out,
            "<p class=\"where\">group of {}</p>",
            plural(g.count, "binding", "bindings")
        );
    }
    for (head, list) in [("unknown", &f.unknown), ("because", &f.undecided)] {
        for u in list {
            let _ = writeln!(out, "<p class=\"where\">{head}: {}</p>", html(u));
        }
    }
    out.push_str("<ul class=\"evidence\">\n");
    for e in f.evidence.iter().skip(skip) {
        let _ = writeln!(out, "<li>{}</li>", record(e, sources));
    }
    out.push_str("</ul>\n");
    let _ = writeln!(out, "<p class=\"fid\">id {}</p>\n</article>", html(&f.id));
}

/// `a: actions/rus-georgia-2008 file:line [6]`, the sources linked to the list.
fn record(e: &Evidence, sources: &mut crate::report::output::Numbered) -> String {
    let mut s = format!(
        "{}: {} <span class=\"loc\">{}</span>",
        html(&e.var),
        html(&record_name(e)),
        html(&e.span.to_string())
    );
    for src in &e.sources {
        let n = sources.number(source(src));
        let _ = write!(s, " <a href=\"#src-{n}\">[{n}]</a>");
    }
    if e.sources.is_empty() && e.collection != "sources" {
        s.push_str(" <span class=\"where\">no sources cited</span>");
    }
    if e.test {
        s.push_str(" <span class=\"where\">(test record)</span>");
    }
    s
}

fn source(s: &SourceRef) -> String {
    let title = html(s.title.as_deref().unwrap_or(&s.id));
    let mut t = match s.url.as_deref().and_then(link_url) {
        Some(u) => format!(
            "<a href=\"{}\" rel=\"noreferrer noopener\">{title}</a>",
            html(&u)
        ),
        None => title,
    };
    if let Some(p) = &s.publisher {
        let _ = write!(t, " — {}", html(p));
    }
    if let Some(d) = &s.date {
        let _ = write!(t, ", {}", html(d));
    }
    if let Some(r) = &s.reliability {
        let _ = write!(
            t,
            " <span class=\"grade\" title=\"reliability\">{}</span>",
            html(r)
        );
    }
    for n in crate::report::output::notices(s) {
        let _ = write!(t, " <span class=\"notice\">{}</span>", html(&n));
    }
    t
}

/// The most timelines a rule draws, and the most rows in one.
const MAX_TIMELINES: usize = 20;
const MAX_ROWS: usize = 60;

/// One timeline per actor for a rule whose findings bind dated records: the first
/// record of each finding (a statement) as a mark, the others (actions) as spans.
fn timelines(out: &mut String, findings: &[&Finding], window: Option<&crate::data::Duration>) {
    struct Row<'a> {
        id: &'a str,
        when: &'a When,
        mark: bool,
    }
    // actors in order of first appearance, each with its records once (indexed: a
    // GDELT-sized rule binds a hundred thousand dated records)
    let mut actors: Vec<(String, Vec<Row<'_>>)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut seen: std::collections::HashSet<(usize, &str)> = std::collections::HashSet::new();
    for f in findings {
        let Some(first) = f.evidence.first() else {
            continue;
        };
        let dated: Vec<&Evidence> = f.evidence.iter().filter(|e| e.when.is_some()).collect();
        if dated.len() < 2 || first.when.is_none() {
            continue;
        }
        let actor = first.actor.clone().unwrap_or_else(|| record_name(first));
        let a = *at.entry(actor.clone()).or_insert_with(|| {
            actors.push((actor, Vec::new()));
            actors.len() - 1
        });
        for (i, e) in dated.iter().enumerate() {
            let Some(when) = &e.when else { continue };
            if seen.insert((a, e.id.as_str())) {
                actors[a].1.push(Row {
                    id: &e.id,
                    when,
                    mark: i == 0 && std::ptr::eq(*e, first),
                });
            }
        }
    }
    // a page a person reads: the first actors, and the first records of each
    let (more_actors, more_rows) = (
        actors.len().saturating_sub(MAX_TIMELINES),
        actors
            .iter()
            .take(MAX_TIMELINES)
            .map(|(_, r)| r.len().saturating_sub(MAX_ROWS))
            .sum::<usize>(),
    );
    if more_actors + more_rows > 0 {
        let _ = writeln!(
            out,
            "<p class=\"where\">The timelines show {MAX_TIMELINES} actors at most, and {MAX_ROWS} records of each: {} and {} not drawn.</p>",
            plural(more_actors, "actor", "actors"),
            plural(more_rows, "record", "records")
        );
    }
    actors.truncate(MAX_TIMELINES);
    for (actor, mut rows) in actors {
        // statements first, then the actions, each in date order
        rows.sort_by_key(|r| (!r.mark, r.when.start));
        rows.truncate(MAX_ROWS);
        let days = |d: NaiveDate| f64::from(d.num_days_from_ce());
        let wdays = window.map(|w| f64::from(w.months) * 30.44 + w.days as f64);
        let mut lo = f64::MAX;
        let mut hi = f64::MIN;
        for r in &rows {
            for d in [r.when.start, r.when.end].into_iter().flatten() {
                lo = lo.min(days(d));
                hi = hi.max(days(d));
            }
            // the window reaches back from each statement: its start is on the axis
            if let (true, Some(w), Some(s)) = (r.mark, wdays, r.when.start) {
                lo = lo.min(days(s) - w);
            }
        }
        if lo > hi {
            continue;
        }
        let (lo, hi) = (lo - 120.0, hi + 240.0);
        let longest = rows.iter().map(|r| r.id.chars().count()).max().unwrap_or(0);
        let left = (12.0 + 6.6 * longest as f64).min(300.0);
        let width = 880.0 - left;
        let row_h = 22.0;
        let top = 48.0;
        let x = |d: f64| left + (d.clamp(lo, hi) - lo) / (hi - lo) * width;
        let height = top + 8.0 + row_h * rows.len() as f64;
        // what the marks are: statements and actions under a rule with a window,
        // else the first record of each finding and the others
        let what = match window {
            Some(_) => "statements and the actions against them",
            None => "the dated records of its findings",
        };
        let _ = writeln!(
            out,
            "<svg class=\"timeline\" viewBox=\"0 0 900 {height}\" role=\"img\" aria-label=\"timeline of {a}\" data-actor=\"{a}\"><title>{a}: {what}</title>",
            a = html(&actor)
        );
        // the caption and a legend
        let legend = match window {
            Some(w) => format!("● statement · ▮ action · shaded: the rule's window, {w} before and after a statement"),
            None => "● statement · ▮ action".to_string(),
        };
        let _ = write!(
            out,
            "<text x=\"4\" y=\"14\" font-weight=\"700\">{}</text><text x=\"{left:.1}\" y=\"14\" fill=\"#57606a\">{}</text>",
            html(&actor),
            html(&legend)
        );
        // years, at a round step
        let first_year = NaiveDate::from_num_days_from_ce_opt(lo as i32).map_or(0, |d| d.year());
        let last_year = NaiveDate::from_num_days_from_ce_opt(hi as i32).map_or(0, |d| d.year());
        let span = (last_year - first_year).max(1);
        let step = [1, 2, 5, 10, 20, 50, 100]
            .into_iter()
            .find(|s| span / s <= 10)
            .unwrap_or(200);
        let mut y = (first_year / step + 1) * step;
        while y <= last_year {
            if let Some(d) = NaiveDate::from_ymd_opt(y, 1, 1) {
                let px = x(days(d));
                let _ = write!(
                    out,
                    "<line x1=\"{px:.1}\" y1=\"{:.1}\" x2=\"{px:.1}\" y2=\"{height}\" stroke=\"#eaeef2\"/><text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{y}</text>",
                    top - 10.0,
                    top - 14.0
                );
            }
            y += step;
        }
        for (i, r) in rows.iter().enumerate() {
            let yy = top + row_h * i as f64;
            // the label, right-aligned against the plot
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                left - 6.0,
                yy + 11.0,
                html(r.id)
            );
            let s = r.when.start.map_or(lo, days);
            let e = r.when.end.map_or(hi, days) + 1.0;
            let tip = format!("{}: {}", r.id, r.when.text);
            if r.mark {
                // the window in the statement's own row: back from its first day
                if let (Some(w), Some(start)) = (wdays, r.when.start) {
                    let (a, b) = (x(days(start) - w), x(days(r.when.end.unwrap_or(start)) + w));
                    let _ = write!(
                        out,
                        "<rect class=\"window\" x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"16\" fill=\"#fff1a8\"><title>the window around {}</title></rect>",
                        yy - 1.0,
                        (b - a).max(1.0),
                        html(r.id)
                    );
                }
                let px = x(s);
                let _ = write!(
                    out,
                    "<g class=\"statement\"><circle cx=\"{px:.1}\" cy=\"{:.1}\" r=\"6\" fill=\"#0969da\"/><title>{}</title></g>",
                    yy + 7.0,
                    html(&tip)
                );
            } else {
                let (a, b) = (x(s), x(e));
                let _ = write!(
                    out,
                    "<g class=\"action\"><rect x=\"{a:.1}\" y=\"{yy:.1}\" width=\"{:.1}\" height=\"14\" rx=\"3\" fill=\"#cf222e\"/><title>{}</title></g>",
                    (b - a).max(3.0),
                    html(&tip)
                );
                // its dates beside it, for print and phones (no tooltips there)
                let after = a + (b - a).max(3.0) + 4.0;
                let (at, anchor) = if after + 6.0 * r.when.text.chars().count() as f64 <= 896.0 {
                    (after, "start")
                } else {
                    (a - 4.0, "end")
                };
                let _ = write!(
                    out,
                    "<text x=\"{at:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" fill=\"#57606a\">{}</text>",
                    yy + 11.0,
                    html(&r.when.text)
                );
            }
        }
        out.push_str("</svg>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Span;
    use crate::eval::{Finding, Report};

    fn dated(var: &str, id: &str, actor: &str, day: NaiveDate) -> Evidence {
        Evidence {
            var: var.into(),
            collection: "c".into(),
            id: id.into(),
            span: Span::default(),
            test: false,
            sources: Vec::new(),
            when: Some(When {
                start: Some(day),
                end: Some(day),
                text: day.to_string(),
            }),
            actor: Some(actor.into()),
        }
    }

    /// However many actors and records a rule binds, the page draws at most
    /// MAX_TIMELINES timelines of MAX_ROWS rows, and says what it left out.
    #[test]
    fn timelines_are_bounded() {
        let day = NaiveDate::from_ymd_opt(2020, 1, 1).expect("a day");
        let mut findings = Vec::new();
        for a in 0..25 {
            for r in 0..70 {
                findings.push(Finding {
                    id: format!("{a}-{r}"),
                    rule: "r".into(),
                    severity: Severity::Warning,
                    certainty: Certainty::Certain,
                    message: String::new(),
                    evidence: vec![
                        dated("s", &format!("s{a}"), &format!("A{a}"), day),
                        dated("x", &format!("x{a}-{r}"), &format!("A{a}"), day),
                    ],
                    verdict: None,
                    unknown: Vec::new(),
                    undecided: Vec::new(),
                    group: None,
                });
            }
        }
        let report = Report {
            findings,
            ..Report::default()
        };
        let page = render_html(&report);
        assert_eq!(
            page.matches("<svg class=\"timeline\"").count(),
            MAX_TIMELINES
        );
        assert!(
            page.contains("5 actors and 220 records not drawn"),
            "{}",
            &page[..3000]
        );
    }
}
