//! Hostile strings in data and rule files never change what a reader of an output
//! reads: a copy of the example suite and data gets a hostile string in a claim's text,
//! a source's title, a rule's message and a predicate's string, and in the names of
//! the data and rules folders; every output is then read back as its reader would read
//! it (a GitHub runner, a terminal, serde_json, an XML parser, an HTML tokenizer) and
//! must hold the string exactly as meant, or visibly escaped, and nothing else.

use factlint::diag::diagnostic::{render_all, ErrorFormat};
use factlint::diag::escape::visible;
use factlint::eval::Report;
use factlint::project::{Options, Prepared, Project};
use factlint::report::output::{render, Format};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Strings that have broken out of an output somewhere.
const HOSTILE: &[&str] = &[
    "\n::add-mask::x",
    "\r\n::stop-commands::tok",
    "::error file=a,line=1::pwned",
    "##[add-mask]secret",
    "##[stop-commands]tok",
    "\u{1b}]8;;http://e\u{7}link\u{1b}]8;;\u{7}",
    "\u{1b}[2J\u{1b}[31mred",
    "</script><script>alert(1)</script>",
    "<!--<script>",
    "</SCRIPT\t>",
    "\u{2028}\u{2029}",
    "]]><x/>",
    "\0nul\u{8}\u{b}\u{c}",
    "%0A::warning::x%25",
    "a,b:c=d",
    "\u{202e}evil\u{202c}\u{2066}\u{2069}",
    "zero\u{200b}width\u{feff}#\u{200d}#[debug]",
    "\u{fffe}\u{ffff}",
    "&amp;&lt;'\"",
    "\u{85}next line",
    " \u{a0}::notice::x",
];

/// The commands a GitHub runner knows (actions/runner's command extensions and
/// `stop-commands`): a line that the runner reads as one of them is a command.
const RUNNER_COMMANDS: &[&str] = &[
    "set-env",
    "set-output",
    "save-state",
    "add-mask",
    "add-path",
    "add-matcher",
    "remove-matcher",
    "debug",
    "warning",
    "error",
    "notice",
    "group",
    "endgroup",
    "echo",
    "stop-commands",
];

/// A workflow command as the runner reads a line (`ActionCommand.TryParseV2`, then the
/// legacy `TryParse`): name, properties, data, with the runner's unescaping.
#[derive(Debug)]
struct RunnerCommand {
    name: String,
    properties: Vec<(String, String)>,
    data: String,
}

fn unescape_data(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%")
}

fn unescape_property(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

fn runner_reads(line: &str) -> Option<RunnerCommand> {
    // v2: `::name k=v,k=v::data` after leading blanks
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix("::") {
        if let Some(end) = rest.find("::") {
            let info = &rest[..end];
            let (name, props) = match info.find(' ') {
                Some(i) => (&info[..i], Some(info[i + 1..].trim())),
                None => (info, None),
            };
            if RUNNER_COMMANDS.contains(&name) {
                let properties = props
                    .into_iter()
                    .flat_map(|p| p.split(','))
                    .filter(|p| !p.is_empty())
                    .filter_map(|p| p.split_once('='))
                    .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                    .map(|(k, v)| (k.to_string(), unescape_property(v)))
                    .collect();
                return Some(RunnerCommand {
                    name: name.to_string(),
                    properties,
                    data: unescape_data(&rest[end + 2..]),
                });
            }
        }
    }
    // v1: `##[name k=v;]data` anywhere in the line
    let at = line.find("##[")?;
    let close = line[at..].find(']')? + at;
    let info = &line[at + 3..close];
    let name = info.split(' ').next().unwrap_or_default();
    RUNNER_COMMANDS.contains(&name).then(|| RunnerCommand {
        name: name.to_string(),
        properties: Vec::new(),
        data: line[close + 1..].to_string(),
    })
}

/// What a terminal or a log viewer must never be sent raw.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
}

/// Text output (report, diagnostics, explain) is safe for a terminal and a runner.
fn assert_text_safe(text: &str, what: &str) {
    if let Some(c) = text.chars().find(|&c| hidden(c)) {
        panic!("{what}: {c:?} reached the output raw:\n{text}");
    }
    for line in text.lines() {
        if let Some(c) = runner_reads(line) {
            panic!("{what}: a GitHub runner reads {c:?} in the line {line:?}\n{text}");
        }
    }
}

/// The YAML double-quoted form of `s`, every character outside printable ASCII escaped.
fn yaml_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// `s` inside a rule file's string (and message): raw, as a hostile rule file would
/// hold it, but for what would end the string or the line, and message braces.
fn rule_string(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '{' => out.push_str("{{"),
            '}' => out.push_str("}}"),
            c => out.push(c),
        }
    }
    out
}

const CLAIM: &str = "claim-at-least-80-killed";
const CLAIM_TEXT: &str = "At least 80 people were killed in the US operation in Venezuela.";
/// The title of a source that findings cite.
const TITLE: &str =
    "Remarks by President Biden on Russia's Unprovoked and Unjustified Attack on Ukraine";

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn replace_once(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Where the hostile strings went in one case.
struct Injected {
    /// In the claim's text (after the text it had).
    claim: String,
    /// In the title of a source that findings cite.
    title: String,
    /// In the message of `numeric-claim-supported` and a string it compares with.
    rule: String,
    /// In the names of the data and rules folders (`/` and NUL left out).
    folder: String,
}

/// A temporary copy of the example project with the strings injected, loaded.
fn project(inj: &Injected) -> (PathBuf, Result<Prepared, factlint::project::Failure>) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let root = std::env::temp_dir().join(format!(
        "factlint-escape-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&root);
    let data = root.join(format!("data{}", inj.folder));
    let rules = root.join(format!("rules{}", inj.folder));
    copy_dir(&manifest().join("examples/venezuela-2026"), &data);
    copy_dir(&manifest().join("rules"), &rules);
    replace_once(
        &data.join("claims.yaml"),
        &format!("text: {CLAIM_TEXT}"),
        &format!(
            "text: {}",
            yaml_quoted(&format!("{CLAIM_TEXT}{}", inj.claim))
        ),
    );
    replace_once(
        &data.join("sources.yaml"),
        &format!("title: {TITLE}\n"),
        &format!("title: {}\n", yaml_quoted(&format!("{TITLE}{}", inj.title))),
    );
    let rule = rule_string(&inj.rule);
    replace_once(
        &rules.join("claims.rules"),
        "message: \"{c.id} (\\\"{c.text}\\\") is supported by",
        &format!("message: \"{rule}{{c.id}} (\\\"{{c.text}}\\\") is supported by"),
    );
    replace_once(
        &rules.join("claims.rules"),
        "  where c.comparator is present\n",
        &format!("  where c.comparator is present\n    and c.id != \"{rule}\"\n"),
    );
    std::fs::write(root.join("factlint.yaml"), "fail_on: warning\n").unwrap();
    let p = Project::open(Options {
        config: Some(root.join("factlint.yaml")),
        data: vec![data],
        rules: vec![rules],
        ..Options::default()
    })
    .and_then(|p| p.load());
    (root, p)
}

/// Every string in a JSON value.
fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out)
        }),
        _ => {}
    }
}

/// What an XML 1.0 document can hold of `s`: characters it cannot hold shown as
/// `\u{..}`, as JUnit output promises.
fn xml_meant(s: &str) -> String {
    s.chars()
        .map(|c| {
            if ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
                || c == '\u{fffe}'
                || c == '\u{ffff}'
            {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The text of a `<script>` element as the HTML tokenizer reads it (script data
/// state, WHATWG HTML 13.2.5.4 ff.): it ends at the first `</script` (any case)
/// followed by a blank, `/` or `>`. Before that, `<!--` could enter the escaped
/// states, where `<script` changes what ends it: so a script text holding no `<` at
/// all is read exactly as written, which is what is asserted beside this.
fn script_text(html: &str) -> &str {
    let open = "<script type=\"application/ld+json\">";
    let body = &html[open.len()..];
    let lower = body.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("</script") {
        let at = from + i;
        if matches!(
            lower.as_bytes().get(at + 8),
            Some(b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>')
        ) {
            return &body[..at];
        }
        from = at + 1;
    }
    body
}

/// What a GitHub annotation shows of `s`: its lines, and each hidden character as
/// text shows it.
fn github_meant(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' => c.to_string(),
            c => visible(&c.to_string()).into_owned(),
        })
        .collect()
}

/// Every output of a run and every text, read back as its reader would.
fn check_outputs(p: &Prepared, report: &Report, inj: &Injected) {
    let verdict = report.verdicts.iter().find(|v| v.claim == CLAIM);
    let claim_text = format!("{CLAIM_TEXT}{}", inj.claim);
    // the claim's text arrived as written (YAML can hold every character we inject)
    let loaded = verdict.and_then(|v| v.claim_text.as_deref());
    assert_eq!(
        loaded,
        Some(claim_text.as_str()),
        "the injected claim loads"
    );

    // text, and the same in colour
    for color in [false, true] {
        let text = render(Format::Text, report, color);
        assert_text_safe(&text.replace("\u{1b}[", "SGR["), "text report");
        // the report wraps at 80 columns (breaks at spaces, long words cut): the
        // claim reads back once line breaks and indents are taken out
        // (a break that puts `::` first on a line escapes it there: `\u{3a}:`)
        let squash = |s: &str| {
            s.replace("\\u{3a}", ":")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
        };
        assert!(
            squash(&text).contains(&squash(&visible(&claim_text))),
            "{text}"
        );
    }

    // GitHub: every line one of our commands, its properties and message decoding
    // back to what was meant
    let github = render(Format::Github, report, false);
    let mut files: Vec<String> = report
        .findings
        .iter()
        .flat_map(|f| f.evidence.iter().map(|e| github_meant(&e.span.file)))
        .chain(report.rules.iter().map(|r| github_meant(&r.span.file)))
        .collect();
    files.extend(
        report
            .summary
            .data_errors
            .iter()
            .flat_map(|e| &e.diagnostics)
            .filter_map(|d| d.primary.as_ref())
            .map(|l| github_meant(&l.span.file)),
    );
    let mut claim_seen = false;
    for line in github.lines() {
        let c = runner_reads(line).unwrap_or_else(|| panic!("not a command: {line:?}"));
        assert!(
            ["error", "warning", "notice"].contains(&c.name.as_str()),
            "{c:?}"
        );
        for (k, v) in &c.properties {
            match k.as_str() {
                "file" => assert!(files.contains(v), "file {v:?} is none of ours"),
                "line" | "col" => assert!(v.parse::<u32>().is_ok(), "{k}={v:?}"),
                "title" => assert!(
                    report.rules.iter().any(|r| v.starts_with(&r.id)) || v.starts_with(['D']),
                    "title {v:?}"
                ),
                _ => panic!("a property we never write: {k}={v:?} in {line:?}"),
            }
        }
        // the message: lines, and nothing hidden
        let raw = c.data.chars().find(|&ch| ch != '\r' && hidden(ch));
        assert!(raw.is_none(), "{raw:?} raw in a GitHub message: {line:?}");
        claim_seen |= c.data.contains(&github_meant(&claim_text));
    }
    assert!(
        claim_seen,
        "the claim's text in a GitHub message:\n{github}"
    );

    // Markdown: a CommonMark parser (GitHub's flavour's tables and strikethrough on)
    // reads the claim's text back as text, sees no HTML and no link but to http(s)
    let markdown = render(Format::Markdown, report, false);
    let opts =
        pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH;
    let mut text = String::new();
    for event in pulldown_cmark::Parser::new_ext(&markdown, opts) {
        use pulldown_cmark::{Event, Tag};
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::Html(h) | Event::InlineHtml(h) => panic!("HTML in the Markdown report: {h}"),
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                assert!(
                    dest_url.starts_with("http://") || dest_url.starts_with("https://"),
                    "a link to {dest_url}"
                );
            }
            Event::Start(Tag::Strikethrough) => panic!("data struck through:\n{markdown}"),
            _ => {}
        }
    }
    assert!(text.contains(&*visible(&claim_text)), "{markdown}");
    assert!(
        !markdown.lines().any(|l| l.trim_start().starts_with("::")),
        "{markdown}"
    );

    // HTML: the claim's text escaped once, as the page shows it; no element, script
    // or link of its own
    let page = render(Format::Html, report, false);
    assert!(
        page.contains(&factlint::diag::escape::html(&claim_text)),
        "{page}"
    );
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    assert_eq!(page.matches("<style").count(), 1, "{page}");
    assert!(!page.to_ascii_lowercase().contains("javascript:"), "{page}");

    // JSON, JSON Lines, SARIF: serde_json reads back the strings exactly
    for format in [Format::Json, Format::Sarif] {
        let out = render(format, report, false);
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON parses");
        let mut all = Vec::new();
        strings(&v, &mut all);
        assert!(
            all.iter().any(|s| s.contains(&claim_text)),
            "{format:?} holds the claim's text"
        );
    }
    for line in render(Format::Jsonl, report, false).lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("a JSON line parses");
    }

    // JUnit: a conforming XML parser reads it, and reads back the text
    let junit = render(Format::Junit, report, false);
    let doc = roxmltree::Document::parse(&junit)
        .unwrap_or_else(|e| panic!("JUnit is not well-formed XML: {e}\n{junit}"));
    let mut texts: Vec<String> = Vec::new();
    for n in doc.descendants() {
        texts.extend(n.text().map(str::to_string));
        texts.extend(n.attributes().map(|a| a.value().to_string()));
    }
    for want in [&claim_text, &format!("{TITLE}{}", inj.title)] {
        let want = xml_meant(want);
        assert!(
            texts.iter().any(|t| t.contains(&want)),
            "JUnit holds {want:?}\n{junit}"
        );
    }
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name())
        .collect();
    assert!(
        names.iter().all(|n| [
            "testsuites",
            "testsuite",
            "testcase",
            "failure",
            "system-out"
        ]
        .contains(n)),
        "{names:?}"
    );

    // ClaimReview: JSON, and the same JSON inside an HTML script block
    let cr = render(Format::ClaimReview, report, false);
    assert!(
        !cr.contains(['<', '>', '&', '\u{2028}', '\u{2029}']),
        "ClaimReview holds what HTML or JavaScript reads: {cr}"
    );
    let v: serde_json::Value = serde_json::from_str(&cr).expect("ClaimReview parses");
    let reviewed: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["claimReviewed"].as_str())
        .collect();
    assert!(reviewed.contains(&claim_text.as_str()), "{reviewed:?}");
    let html = format!("<script type=\"application/ld+json\">{cr}</script>\n<p>after</p>");
    assert_eq!(
        script_text(&html),
        cr,
        "the script block ends where it was meant to"
    );

    // diagnostics and explanations
    let (_, diags) = p.run();
    for format in [ErrorFormat::Human, ErrorFormat::Plain] {
        let all: Vec<_> = p.diagnostics.iter().chain(&diags).cloned().collect();
        let text = render_all(&all, &p.sources, format, false, 100);
        assert_text_safe(&text, "diagnostics");
    }
    // every finding explained, every predicate with its text from the rule file
    let explained = p.explain_all(report);
    assert_text_safe(&explained, "check --explain");
    // (on one line: explain joins a predicate's words with single spaces)
    let predicate = format!("c.id != \"{}\"", rule_string(&inj.rule));
    let predicate = predicate.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(explained.contains(&*visible(&predicate)), "{explained}");
    let bound = p
        .explain_binding("numeric-claim-supported", &[("c".into(), CLAIM.into())])
        .expect("the rule explains the claim");
    assert_text_safe(&bound, "explain --rule --bind");
    let plain = ["--bind", "c=x\n::add-mask::y"].join(" ");
    if let Err(e) = p.explain_binding("numeric-claim-supported", &[("c".into(), plain)]) {
        assert_text_safe(&e, "an explain error");
    }
}

fn run_case(inj: &Injected) {
    let (root, loaded) = project(inj);
    match loaded {
        Ok(p) => {
            let (report, _) = p.run();
            check_outputs(&p, &report, inj);
        }
        Err(f) => {
            for format in [ErrorFormat::Human, ErrorFormat::Plain] {
                let text = render_all(&f.diagnostics, &f.sources, format, false, 100);
                assert_text_safe(&text, "failure diagnostics");
            }
            panic!("the example with injections must load: {:?}", f.diagnostics);
        }
    }
    let _ = std::fs::remove_dir_all(root);
}

fn path_safe(s: &str) -> String {
    s.chars().filter(|&c| c != '/' && c != '\0').collect()
}

/// Each hostile string everywhere at once.
#[test]
fn every_hostile_string_everywhere_reads_back_as_meant() {
    for h in HOSTILE {
        run_case(&Injected {
            claim: h.to_string(),
            title: h.to_string(),
            rule: h.to_string(),
            folder: path_safe(h),
        });
    }
}

fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => proptest::sample::select(HOSTILE).prop_map(str::to_string),
        1 => "[ -~]{0,6}",
        1 => proptest::collection::vec(any::<char>(), 0..4)
            .prop_map(|v| v.into_iter().collect::<String>()),
    ];
    proptest::collection::vec(piece, 1..4).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random mixes of hostile pieces, other text and any characters, each in its
    /// own place.
    #[test]
    fn random_hostile_text_reads_back_as_meant(
        claim in hostile(),
        title in hostile(),
        rule in hostile(),
        folder in hostile(),
    ) {
        run_case(&Injected { claim, title, rule, folder: path_safe(&folder) });
    }
}

/// `factlint parse` quotes rule strings, and `factlint test` names fixtures, their
/// descriptions and the records they expect: hostile text in each stays visible.
#[test]
fn parse_views_and_rule_tests_show_hostile_text_visibly() {
    for h in HOSTILE {
        let rules = format!(
            "## {d}\nrule r {{\n  message: \"{s}\"\n  for c in claims\n  where c.text == \"{s}\"\n}}\n",
            d = h.replace(['\n', '\r'], " "),
            s = rule_string(h)
        );
        let (file, _) = factlint::syntax::parse("t.rules".into(), &rules);
        assert_text_safe(&factlint::syntax::tree_view(&file, 100), "parse view");
    }

    static N: AtomicUsize = AtomicUsize::new(0);
    let root = std::env::temp_dir().join(format!(
        "factlint-escape-fixture-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&root);
    let fixture = manifest().join(FIXTURE);
    let h = HOSTILE.concat();
    let name = path_safe(&HOSTILE[..6].concat());
    let dir = root.join(format!("tests/t{name}"));
    copy_dir(&fixture, &dir);
    std::fs::copy(
        manifest().join("rules/tests/schema.yaml"),
        root.join("tests/schema.yaml"),
    )
    .unwrap();
    let expect = std::fs::read_to_string(dir.join("expect.yaml")).unwrap();
    let expect: String = expect
        .lines()
        .map(|l| match l.starts_with("description:") {
            true => format!("description: {}\n", yaml_quoted(&h)),
            false => format!("{l}\n"),
        })
        .collect();
    let expect = expect.replacen(
        "records: [",
        &format!("records: [{}, ", yaml_quoted(&format!("claims/{h}"))),
        1,
    );
    std::fs::write(dir.join("expect.yaml"), expect).unwrap();
    std::fs::write(root.join("factlint.yaml"), "fail_on: warning\n").unwrap();
    let p = Project::open(Options {
        config: Some(root.join("factlint.yaml")),
        rules: vec![manifest().join("rules")],
        tests: vec![root.join("tests")],
        ..Options::default()
    })
    .unwrap();
    let results =
        factlint::project::fixtures::run(&p).unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    for o in &results.outcomes {
        if let Some(f) = &o.failure {
            panic!(
                "{:?}",
                f.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
            );
        }
    }
    let out = results.render_text();
    assert_text_safe(&out, "factlint test");
    assert!(out.contains(&*visible(&h)), "{out}");
    assert!(out.contains(&*visible(&name)), "{out}");
    let _ = std::fs::remove_dir_all(root);
}
const FIXTURE: &str = "rules/tests/numeric-claim-refuted/fires-no-figure-satisfies";
