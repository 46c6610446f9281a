//! Output formats, baselines and suppressions, tested at the boundary: a report in,
//! the bytes a person or a CI system reads out.
//!
//! The reports here are built by hand (`report/fixtures.rs`), modelled on the flagship
//! example (`examples/venezuela-2026`): Russia invoking sovereignty in January 2026
//! against its own invasion of Georgia (2008) and annexation of Crimea (2014), claims
//! checked against casualty figures and oil reserves, and a claim dated only to a month.

use chrono::NaiveDate;
use factlint::diag::diagnostic::{render_human, Sources};
use factlint::diag::{Diagnostic, Severity};
use factlint::eval::{Finding, Report};
use factlint::report::baseline::{apply_baseline, read_baseline, write_baseline, BaselineEntry};
use factlint::report::claimreview::{render_claimreview, ClaimReviewOptions, Claimant};
use factlint::report::github::{escape_data, escape_property, render_github};
use factlint::report::json::{render_json, render_jsonl};
use factlint::report::junit::{escape_xml, render_junit};
use factlint::report::output::{count_at_or_above, parse_output_spec, render, Format};
use factlint::report::sarif::render_sarif;
use factlint::report::suppress::{apply_suppressions, load_suppressions};
use factlint::report::text::render_text;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod fixtures;

use fixtures::{awkward, flagship, flagship_sarif_with_suppressions, summarize};

fn claimreview_options() -> ClaimReviewOptions {
    let russia = Claimant {
        name: "Russia".into(),
        is_person: false,
    };
    ClaimReviewOptions {
        publisher: Some("factlint example desk".into()),
        date_published: Some("2026-01-10".into()),
        claimants: BTreeMap::from([
            (
                "claim-delcy-rodriguez-authorised-president".to_string(),
                russia.clone(),
            ),
            ("claim-dozens-killed".to_string(), russia),
        ]),
        skip_conflicting: false,
        url: Some("https://example.org/checks/{claim}".into()),
    }
}

// ---------------------------------------------------------------------------
// snapshots

macro_rules! snapshot {
    ($name:expr, $value:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("../corpus/report/snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!($name, $value));
    }};
}

#[test]
fn text_report_of_flagship() {
    snapshot!("text_flagship", render_text(&flagship(), false));
}

#[test]
fn text_report_of_awkward_input() {
    snapshot!("text_awkward", render_text(&awkward(), false));
}

#[test]
fn markdown_report_of_flagship() {
    snapshot!(
        "markdown_flagship",
        factlint::report::markdown::render_markdown(&flagship())
    );
}

#[test]
fn markdown_report_of_awkward_input() {
    snapshot!(
        "markdown_awkward",
        factlint::report::markdown::render_markdown(&awkward())
    );
}

/// The HTML page without its fixed style and script: what the data made of it.
fn html_body(report: &factlint::eval::Report) -> String {
    let page = factlint::report::html::render_html(report);
    let cut = |s: &str, open: &str, close: &str| -> String {
        match (s.find(open), s.find(close)) {
            (Some(a), Some(b)) if a < b => format!("{}{open}...{}", &s[..a], &s[b..]),
            _ => s.to_string(),
        }
    };
    cut(&cut(&page, "<style>", "</style>"), "<script>", "</script>")
}

#[test]
fn html_report_of_flagship() {
    snapshot!("html_flagship", html_body(&flagship()));
}

#[test]
fn html_report_of_awkward_input() {
    snapshot!("html_awkward", html_body(&awkward()));
}

#[test]
fn text_colour_only_when_asked() {
    let plain = render_text(&flagship(), false);
    let coloured = render_text(&flagship(), true);
    assert!(!plain.contains('\x1b'));
    assert!(coloured.contains("\x1b[1;33mwarning[principle-contradicted]\x1b[0m"));
    let stripped = regex::Regex::new("\x1b\\[[0-9;]*m")
        .unwrap()
        .replace_all(&coloured, "");
    assert_eq!(stripped, plain);
}

#[test]
fn text_escapes_terminal_control_characters_from_data() {
    let text = render_text(&awkward(), false);
    assert!(!text.contains('\x1b'));
    assert!(!text.contains('\x07'));
    assert!(text.contains("\\u{1b}[31mred"));
}

#[test]
fn text_of_a_clean_run_is_one_summary_line() {
    let mut report = flagship();
    report.findings.clear();
    report.verdicts.clear();
    summarize(&mut report, 96, 0);
    assert_eq!(
        render_text(&report, false),
        "no findings from 9 rules over 96 records\n"
    );
}

#[test]
fn json_report_of_flagship() {
    snapshot!("json_flagship", render_json(&flagship()));
}

#[test]
fn json_report_is_versioned_and_complete() {
    let v: serde_json::Value = serde_json::from_str(&render_json(&flagship())).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["findings"], 7);
    assert_eq!(v["summary"]["possible"], 1);
    assert_eq!(v["rules"].as_array().unwrap().len(), 9);
    assert_eq!(v["findings"].as_array().unwrap().len(), 7);
    assert_eq!(v["verdicts"].as_array().unwrap().len(), 6);
    let georgia = &v["findings"][0];
    assert_eq!(
        georgia["location"]["file"],
        "examples/venezuela-2026/statements.yaml"
    );
    assert_eq!(georgia["evidence"][2]["id"], "rus-georgia-2008");
    assert_eq!(georgia["evidence"][2]["line"], 5);
}

#[test]
fn jsonl_report_of_flagship() {
    snapshot!("jsonl_flagship", render_jsonl(&flagship()));
}

#[test]
fn jsonl_lines_are_findings_then_verdicts_then_summary() {
    let out = render_jsonl(&flagship());
    let types: Vec<String> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["version"], 1);
            v["type"].as_str().unwrap().to_string()
        })
        .collect();
    let mut expected = vec!["finding"; 7];
    expected.extend(vec!["verdict"; 6]);
    expected.push("summary");
    assert_eq!(types, expected);
}

#[test]
fn sarif_report_of_flagship() {
    snapshot!("sarif_flagship", render_sarif(&flagship(), "0.1.0"));
}

#[test]
fn junit_report_of_flagship() {
    snapshot!("junit_flagship", render_junit(&flagship()));
}

#[test]
fn junit_report_of_awkward_input() {
    snapshot!("junit_awkward", render_junit(&awkward()));
}

#[test]
fn github_annotations_of_flagship() {
    snapshot!("github_flagship", render_github(&flagship()));
}

#[test]
fn github_annotations_of_awkward_input() {
    snapshot!("github_awkward", render_github(&awkward()));
}

#[test]
fn claimreview_of_flagship() {
    snapshot!(
        "claimreview_flagship",
        render_claimreview(&flagship(), &claimreview_options())
    );
}

#[test]
fn claimreview_of_conflicting_verdicts() {
    let report = awkward();
    let all = render_claimreview(&report, &ClaimReviewOptions::default());
    let v: serde_json::Value = serde_json::from_str(&all).unwrap();
    assert_eq!(
        v[0]["reviewRating"]["alternateName"],
        "Conflicting evidence"
    );
    assert_eq!(
        v[0]["reviewBody"],
        "Refuted according to rule odd-rule; supported according to rule always-fine."
    );
    assert!(v[0].get("datePublished").is_none());
    let opts = ClaimReviewOptions {
        skip_conflicting: true,
        ..ClaimReviewOptions::default()
    };
    assert_eq!(render_claimreview(&report, &opts), "[]\n");
}

// ---------------------------------------------------------------------------
// SARIF (its check against the official schema is in tests/shared/sarif_schema.rs)

#[test]
fn sarif_records_suppressed_findings_as_accepted_suppressions() {
    let sarif = flagship_sarif_with_suppressions();
    let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 7, "5 reported and 2 suppressed");
    assert!(results[..5].iter().all(|r| r.get("suppressions").is_none()));
    let georgia = &results[5];
    assert_eq!(georgia["ruleId"], "principle-contradicted");
    assert_eq!(georgia["suppressions"][0]["kind"], "external");
    assert_eq!(georgia["suppressions"][0]["status"], "accepted");
    assert_eq!(
        georgia["suppressions"][0]["properties"]["reviewer"],
        "A. Editor"
    );
    assert_eq!(
        georgia["suppressions"][0]["properties"]["expires"],
        "2026-06-30"
    );
    assert!(georgia["suppressions"][0]["justification"]
        .as_str()
        .unwrap()
        .starts_with("The ministry's statement of 2026-01-06"));
}

#[test]
fn sarif_results_point_at_records_and_carry_fingerprints() {
    let report = flagship();
    let v: serde_json::Value = serde_json::from_str(&render_sarif(&report, "0.1.0")).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 7);
    let first = &results[0];
    assert_eq!(first["ruleIndex"], 0);
    assert_eq!(first["level"], "warning");
    let loc = &first["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "examples/venezuela-2026/statements.yaml"
    );
    assert_eq!(loc["region"]["startLine"], 40);
    assert_eq!(first["relatedLocations"].as_array().unwrap().len(), 2);
    assert_eq!(
        first["partialFingerprints"]["factlint/v1"],
        report.findings[0].id.as_str()
    );
    // possible findings are notes whatever the rule's severity
    assert_eq!(results[6]["level"], "note");
    assert_eq!(results[6]["properties"]["certainty"], "possible");
    assert_eq!(results[6]["properties"]["severity"], "warning");
}

#[test]
fn sarif_uris_are_percent_encoded() {
    let v: serde_json::Value = serde_json::from_str(&render_sarif(&awkward(), "0.1.0")).unwrap();
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "data/odd%2C%20name%3A%20100%25/claims%20%232.yaml"
    );
    // a finding without records points at its rule
    assert_eq!(
        v["runs"][0]["results"][2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "rules/odd%20%3C%26%3E%20rules.rules"
    );
}

// ---------------------------------------------------------------------------
// escaping

#[test]
fn junit_escapes_markup_quotes_and_control_characters() {
    assert_eq!(
        escape_xml("a \"b\" & <c> 'd'", true),
        "a &quot;b&quot; &amp; &lt;c&gt; &apos;d&apos;"
    );
    assert_eq!(
        escape_xml("a \"b\" & <c>", false),
        "a \"b\" &amp; &lt;c&gt;"
    );
    assert_eq!(
        escape_xml("bell\u{7} esc\u{1b} nul\u{0}", false),
        "bell\\u{7} esc\\u{1b} nul\\u{0}"
    );
    assert_eq!(
        escape_xml("line\nbreak\ttab\r", true),
        "line&#10;break&#9;tab&#13;"
    );
    assert_eq!(escape_xml("line\nbreak", false), "line\nbreak");
    assert_eq!(escape_xml("\u{FFFE}", false), "\\u{fffe}");

    let xml = render_junit(&awkward());
    let forbidden = |c: char| (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r');
    assert!(!xml.chars().any(forbidden), "control character in XML");
    assert!(xml.contains("message=\"Quote &quot;x&quot; &amp; &lt;tag&gt; &apos;y&apos;\\u{7}bell"));
}

#[test]
fn junit_counts_rules_and_failing_rules() {
    let xml = render_junit(&flagship());
    assert!(xml.contains("<testsuite name=\"factlint\" tests=\"9\" failures=\"4\""));
    assert_eq!(xml.matches("<failure ").count(), 5);
    // a rule with only possible findings passes, its findings in system-out
    assert!(xml.contains("name=\"source-after-claim\" file=\"rules/time.rules\" line=\"3\">\n      <system-out>possible warning:"));
    assert!(xml.contains("<testcase classname=\"factlint\" name=\"source-low-reliability\" file=\"rules/sourcing.rules\" line=\"24\"/>"));
}

#[test]
fn github_escapes_workflow_command_data_and_properties() {
    assert_eq!(escape_data("100% a\r\nb"), "100%25 a%0D%0Ab");
    assert_eq!(escape_property("a: b, c%\n"), "a%3A b%2C c%25%0A");
    let out = render_github(&awkward());
    assert_eq!(out.lines().count(), 4, "one annotation a line");
    let first = out.lines().next().unwrap();
    assert!(first.starts_with(
        "::error file=data/odd%2C name%3A 100%25/claims #2.yaml,line=7,col=5,title=odd-rule::"
    ));
    assert!(first.contains("100%25 done: a, b%0D%0Asecond line"));
}

#[test]
fn github_possible_findings_are_notices() {
    let out = render_github(&flagship());
    let last = out.lines().last().unwrap();
    assert!(last.starts_with(
        "::notice file=examples/venezuela-2026/claims.yaml,line=14,col=3,title=source-after-claim (possible)::"
    ));
}

// ---------------------------------------------------------------------------
// determinism and dispatch

#[test]
fn every_format_renders_the_same_bytes_twice() {
    for format in Format::ALL {
        for report in [flagship(), awkward(), Report::default()] {
            let a = render(format, &report, false);
            let b = render(format, &report.clone(), false);
            assert_eq!(a, b, "{format} is not deterministic");
            assert!(
                a.ends_with('\n') || a.is_empty(),
                "{format} ends in a newline"
            );
        }
    }
}

#[test]
fn render_dispatches_to_each_format() {
    let r = flagship();
    assert_eq!(render(Format::Text, &r, false), render_text(&r, false));
    assert_eq!(render(Format::Json, &r, false), render_json(&r));
    assert_eq!(render(Format::Jsonl, &r, false), render_jsonl(&r));
    assert_eq!(
        render(Format::Sarif, &r, false),
        render_sarif(&r, env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(render(Format::Junit, &r, false), render_junit(&r));
    assert_eq!(render(Format::Github, &r, false), render_github(&r));
    assert_eq!(
        render(Format::ClaimReview, &r, false),
        render_claimreview(&r, &ClaimReviewOptions::default())
    );
    // colour is for text only
    assert_eq!(render(Format::Json, &r, true), render_json(&r));
}

#[test]
fn fail_on_counts_certain_findings_at_or_above_the_threshold() {
    let r = flagship();
    assert_eq!(count_at_or_above(&r, Severity::Error, false), 2);
    assert_eq!(count_at_or_above(&r, Severity::Warning, false), 5);
    assert_eq!(count_at_or_above(&r, Severity::Warning, true), 6);
    assert_eq!(count_at_or_above(&r, Severity::Info, true), 7);
}

// ---------------------------------------------------------------------------
// --output FORMAT=PATH and atomic writes

#[test]
fn output_specs_parse() {
    let s = parse_output_spec("sarif=out/factlint.sarif").unwrap();
    assert_eq!(s.format, Format::Sarif);
    assert_eq!(s.path, PathBuf::from("out/factlint.sarif"));
    assert!(!s.is_stdout());
    assert!(parse_output_spec("json=-").unwrap().is_stdout());
    assert_eq!(
        parse_output_spec("claim-review=reviews.jsonld")
            .unwrap()
            .format,
        Format::ClaimReview
    );
    assert_eq!(
        parse_output_spec("JUnit=a=b.xml").unwrap().path,
        PathBuf::from("a=b.xml")
    );
    assert_eq!(
        parse_output_spec("factlint.sarif").unwrap_err(),
        "expected `FORMAT=PATH` (e.g. `sarif=factlint.sarif`), found `factlint.sarif`"
    );
    assert_eq!(
        parse_output_spec("sarf=x").unwrap_err(),
        "unknown output format `sarf` (did you mean `sarif`?); expected one of: text, json, jsonl, sarif, junit, github, claimreview, markdown, html"
    );
    assert_eq!(
        parse_output_spec("json=").unwrap_err(),
        "missing path after `json=` (use `json=-` for standard output)"
    );
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    crate::scratch("report-tests", name)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn write_atomic_replaces_an_existing_file_whole() {
    let dir = scratch("replace");
    let path = dir.join("factlint.sarif");
    factlint::files::write(&path, &vec![b'x'; 100_000]).unwrap();
    factlint::files::write(&path, b"short").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"short");
    assert_eq!(entries(&dir), ["factlint.sarif"]);
}

#[test]
fn write_atomic_failure_leaves_no_partial_file() {
    let dir = scratch("failure");
    let path = dir.join("report.json");
    // a failure half way through writing: the old file stays, no temporary remains
    factlint::files::write(&path, b"old").unwrap();
    let err = factlint::files::write_with(&path, &mut |f| {
        f.write_all(b"half of the new")?;
        Err(std::io::Error::other("disk full"))
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "disk full");
    assert_eq!(std::fs::read(&path).unwrap(), b"old");
    assert_eq!(entries(&dir), ["report.json"]);

    // a failure of the rename (a directory is in the way): nothing is left behind
    let blocked = dir.join("blocked");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("inside"), b"keep").unwrap();
    assert!(factlint::files::write(&blocked, b"new").is_err());
    assert_eq!(entries(&dir), ["blocked", "report.json"]);

    // a missing directory is an error, not a panic
    assert!(factlint::files::write(&dir.join("no/such/dir/x.json"), b"x").is_err());
}

// ---------------------------------------------------------------------------
// baselines

#[test]
fn baseline_of_flagship() {
    snapshot!("baseline_flagship", write_baseline(&flagship()));
}

#[test]
fn baseline_round_trip_shows_one_new_and_one_resolved() {
    let before = flagship();
    let text = write_baseline(&before);
    let baseline = read_baseline("factlint-baseline.json", &text).unwrap();
    assert_eq!(baseline.entries.len(), 7);

    // unchanged data: nothing new, nothing resolved
    let mut same = before.clone();
    let diff = apply_baseline(&mut same, &baseline);
    assert!(diff.new.is_empty() && diff.resolved.is_empty());
    assert_eq!(diff.unchanged, 7);
    assert!(same.findings.is_empty());
    assert_eq!((same.summary.certain, same.summary.possible), (0, 0));

    // one finding resolved (Crimea), one new (a finding on moved lines and reworded
    // messages is not new)
    let mut after = before.clone();
    let resolved = after.findings.remove(1);
    for f in &mut after.findings {
        f.message.push_str(" (reworded)");
        for e in &mut f.evidence {
            e.span.line += 10;
        }
    }
    let mut new = after.findings[0].clone();
    new.evidence[2].id = "rus-ukraine-2022".into();
    new.id = Finding::fingerprint(
        &new.rule,
        &new.evidence
            .iter()
            .map(|e| (e.collection.as_str(), e.id.as_str()))
            .collect::<Vec<_>>(),
    );
    after.findings.push(new.clone());
    summarize(&mut after, 96, 1);

    let diff = apply_baseline(&mut after, &baseline);
    assert_eq!(diff.new, vec![new.id.clone()]);
    assert_eq!(diff.resolved, vec![BaselineEntry::of(&resolved)]);
    assert_eq!(diff.unchanged, 6);
    assert_eq!(after.findings, vec![new.clone()]);
    assert_eq!(after.summary.certain, 1);
    snapshot!("baseline_diff", diff.render_text());
    let json: serde_json::Value = serde_json::from_str(&diff.render_json()).unwrap();
    assert_eq!(json["new"][0], new.id.as_str());
    assert_eq!(json["resolved"][0]["rule"], "principle-contradicted");
    assert_eq!(json["unchanged"], 6);
}

#[test]
fn baseline_entries_match_by_rule_and_records_without_an_id() {
    let text = r#"{"version": 1, "findings": [
        {"rule": "unsourced-claim", "records": ["claims/claim-test-unsourced-reserves-over-300"]},
        {"rule": "principle-contradicted", "records": ["statements/x", "principles/y"], "id": "0000000000000000"}
    ]}"#;
    let baseline = read_baseline("b.json", text).unwrap();
    let mut report = flagship();
    let diff = apply_baseline(&mut report, &baseline);
    assert_eq!(diff.unchanged, 1);
    assert_eq!(diff.new.len(), 6);
    assert_eq!(diff.resolved.len(), 1);
    assert_eq!(diff.resolved[0].id, "0000000000000000");
}

#[test]
fn bad_baselines_are_diagnostics_with_a_location() {
    let syntax = read_baseline("base.json", "{\"version\": 1,\n \"findings\": [}\n").unwrap_err();
    let version = read_baseline("base.json", "{\"version\": 7, \"findings\": []}").unwrap_err();
    let field = read_baseline("base.json", "{\"version\": 1, \"finding\": []}").unwrap_err();
    let out = [syntax, version, field]
        .iter()
        .map(factlint::diag::diagnostic::render_plain)
        .collect::<Vec<_>>()
        .join("\n");
    snapshot!("baseline_errors", out);
}

// ---------------------------------------------------------------------------
// suppressions

fn corpus(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/report")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Diagnostics as a user sees them, without colour, at a fixed width.
fn show(diags: &[Diagnostic], file: &str, text: &str) -> String {
    let mut sources = Sources::new();
    sources.add(Arc::from(file), Arc::from(text));
    diags
        .iter()
        .map(|d| render_human(d, &sources, false, 100))
        .collect::<Vec<_>>()
        .join("\n")
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn suppressions_apply_expire_and_report_unused_entries() {
    let file = "tests/corpus/report/suppressions.yaml";
    let text = corpus("suppressions.yaml");
    let (suppressions, diags) = load_suppressions(file, &text);
    assert!(diags.is_empty(), "{}", show(&diags, file, &text));
    assert_eq!(suppressions.len(), 5);

    let mut report = flagship();
    let outcome = apply_suppressions(&mut report, &suppressions, day("2026-03-01"));
    let suppressed: Vec<(&str, usize)> = outcome
        .suppressed
        .iter()
        .map(|s| (s.finding.rule.as_str(), s.suppression))
        .collect();
    assert_eq!(
        suppressed,
        [("principle-contradicted", 0), ("unsourced-claim", 1)]
    );
    assert_eq!(report.findings.len(), 5);
    assert_eq!(report.summary.suppressed, 3);
    assert_eq!((report.summary.certain, report.summary.possible), (4, 1));
    snapshot!(
        "suppressions_outcome",
        format!(
            "{}\n---\n{}",
            show(&outcome.diagnostics, file, &text),
            factlint::report::output::summary_line(&report)
        )
    );

    // on the expiry day an entry still applies; the day after it does not
    let mut on_the_day = flagship();
    let o = apply_suppressions(&mut on_the_day, &suppressions, day("2026-06-30"));
    assert_eq!(o.suppressed.len(), 2);
    let mut day_after = flagship();
    let o = apply_suppressions(&mut day_after, &suppressions, day("2026-07-01"));
    assert_eq!(o.suppressed.len(), 1);
    assert!(o
        .diagnostics
        .iter()
        .any(|d| d.code == "R0207" && d.message.contains("expired on 2026-06-30")));
}

#[test]
fn suppression_errors_point_at_the_entry_and_field() {
    let file = "tests/corpus/report/suppressions-bad.yaml";
    let text = corpus("suppressions-bad.yaml");
    let (suppressions, diags) = load_suppressions(file, &text);
    assert_eq!(suppressions.len(), 1, "only the valid entry is kept");
    assert!(diags.iter().all(|d| d.is_error()));
    snapshot!("suppressions_errors", show(&diags, file, &text));
}

#[test]
fn suppression_files_that_are_not_lists() {
    let (s, d) = load_suppressions("s.yaml", "");
    assert!(s.is_empty() && d.is_empty());
    let (s, d) = load_suppressions("s.yaml", "suppressions:\n");
    assert!(s.is_empty() && d.is_empty());
    let (_, d) = load_suppressions("s.yaml", "rule: x\n");
    assert_eq!(d[0].code, "R0201");
    let (_, d) = load_suppressions("s.yaml", "- rule: [unclosed\n");
    assert_eq!(d[0].code, "R0201");
    assert_eq!(d[0].primary.as_ref().map(|l| l.span.line), Some(2));
}

// ---------------------------------------------------------------------------
// the real pipeline: the flagship suite over the example dataset

/// The report of `rules/*.rules` over `examples/venezuela-2026`, run through the whole
/// pipeline (paths relative to the crate root, as a user in the repository gives them).
/// Panics, with the errors, when a stage before `report` rejects the suite or the data:
/// the flagship must run, and a test that returned early would check nothing.
fn pipeline_report() -> Report {
    // cargo runs integration tests in the crate root
    let load = factlint::data::LoadOptions {
        schema: Some(PathBuf::from("schema/event-model.yaml")),
        ..Default::default()
    };
    let (dataset, diags) = factlint::data::load(&[PathBuf::from("examples/venezuela-2026")], &load);
    assert_no_errors("data", &diags);
    let mut rule_files: Vec<PathBuf> = std::fs::read_dir("rules")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rules"))
        .collect();
    rule_files.sort();
    let mut sources = Sources::new();
    let mut files = Vec::new();
    for p in &rule_files {
        let name: Arc<str> = p.display().to_string().into();
        let text = std::fs::read_to_string(p).unwrap();
        let (ast, diags) = factlint::syntax::parse(name.clone(), &text);
        assert_no_errors("parse", &diags);
        sources.add(name, text.into());
        files.push(ast);
    }
    let (suite, diags) = factlint::check::check(&files, &dataset.schema);
    assert_no_errors("check", &diags);
    let opts = factlint::eval::RunOptions {
        parallel: false,
        ..Default::default()
    };
    let (report, diags) = factlint::eval::run(&suite, &dataset, &sources, &opts);
    assert_no_errors("eval", &diags);
    report
}

fn assert_no_errors(stage: &str, diags: &[Diagnostic]) {
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(factlint::diag::diagnostic::render_plain)
        .collect();
    assert!(
        errors.is_empty(),
        "the flagship suite fails at {stage}:\n{}",
        errors.join("\n")
    );
}

#[test]
fn flagship_pipeline_renders_in_every_format() {
    let report = pipeline_report();
    assert!(
        !report.findings.is_empty(),
        "the flagship suite finds something"
    );
    assert!(!report.verdicts.is_empty(), "and gives claim verdicts");

    // deterministic, whole-pipeline
    for format in Format::ALL {
        assert_eq!(
            render(format, &report, false),
            render(format, &pipeline_report(), false),
            "{format} differs between two runs"
        );
    }

    // machine formats parse, and carry every finding
    let json: serde_json::Value = serde_json::from_str(&render_json(&report)).unwrap();
    assert_eq!(
        json["findings"].as_array().unwrap().len(),
        report.findings.len()
    );
    for line in render_jsonl(&report).lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
    let reviews: serde_json::Value =
        serde_json::from_str(&render_claimreview(&report, &ClaimReviewOptions::default())).unwrap();
    assert!(!reviews.as_array().unwrap().is_empty());
    assert_eq!(
        render_github(&report).lines().count(),
        report.findings.len()
    );
    // the text names the Georgia war and where it is recorded
    let text = render_text(&report, false);
    assert!(text.contains("actions/rus-georgia-2008"), "{text}");
    assert!(
        text.contains("examples/venezuela-2026/actions.yaml:"),
        "{text}"
    );

    // a baseline of the run explains every finding of the same run
    let baseline = read_baseline("b.json", &write_baseline(&report)).unwrap();
    let mut again = report.clone();
    let diff = apply_baseline(&mut again, &baseline);
    assert!(diff.new.is_empty() && diff.resolved.is_empty());
    assert_eq!(diff.unchanged, report.findings.len());
}
