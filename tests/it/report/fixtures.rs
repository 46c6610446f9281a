//! Reports built by hand for the output-format tests, modelled on the flagship example
//! (`examples/venezuela-2026`). The SARIF schema check in `tests/shared/` validates the
//! same reports, so they live in a file of their own that both binaries include.

use chrono::NaiveDate;
use factlint::check::RuleInfo;
use factlint::diag::{Severity, Span, VerdictKind};
use factlint::eval::{
    Certainty, ClaimVerdict, Evidence, Finding, Report, SourceRef, Summary, VerdictRef,
};
use factlint::report::sarif::render_sarif_with_suppressed;
use factlint::report::suppress::{apply_suppressions, load_suppressions};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

const DATA: &str = "examples/venezuela-2026";

fn span(file: &str, line: u32, col: u32) -> Span {
    Span::new(Arc::from(file), 0, 0, line, col)
}

fn data(file: &str, line: u32) -> Span {
    span(&format!("{DATA}/{file}"), line, 3)
}

fn source(
    id: &str,
    title: &str,
    publisher: &str,
    url: Option<&str>,
    date: &str,
    reliability: &str,
) -> SourceRef {
    SourceRef {
        id: id.into(),
        title: Some(title.into()),
        publisher: Some(publisher.into()),
        url: url.map(Into::into),
        date: Some(date.into()),
        reliability: Some(reliability.into()),
        ..SourceRef::default()
    }
}

fn record(var: &str, collection: &str, id: &str, at: Span, sources: Vec<SourceRef>) -> Evidence {
    Evidence {
        var: var.into(),
        collection: collection.into(),
        id: id.into(),
        span: at,
        test: false,
        sources,
        when: None,
        actor: None,
    }
}

fn test_record(mut e: Evidence) -> Evidence {
    e.test = true;
    e
}

fn rule(
    id: &str,
    severity: Severity,
    doc: &str,
    tags: &[&str],
    verdict: Option<VerdictKind>,
    file: &str,
    line: u32,
) -> RuleInfo {
    RuleInfo {
        id: id.into(),
        severity,
        doc: Some(doc.into()),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        meta: BTreeMap::new(),
        verdict,
        span: span(file, line, 1),
    }
}

fn finding(
    rule: &RuleInfo,
    certainty: Certainty,
    message: &str,
    evidence: Vec<Evidence>,
) -> Finding {
    let records: Vec<(&str, &str)> = evidence
        .iter()
        .map(|e| (e.collection.as_str(), e.id.as_str()))
        .collect();
    let verdict = rule
        .verdict
        .zip(evidence.first())
        .map(|(kind, claim)| VerdictRef {
            kind,
            claim: claim.id.clone(),
        });
    Finding {
        id: Finding::fingerprint(&rule.id, &records),
        rule: rule.id.clone(),
        severity: rule.severity,
        certainty,
        message: message.into(),
        evidence,
        verdict,
        unknown: Vec::new(),
        undecided: Vec::new(),
        group: None,
    }
}

pub fn summarize(report: &mut Report, records: usize, suppressed: usize) {
    let mut s = Summary {
        rules: report.rules.len(),
        records,
        suppressed,
        ..Summary::default()
    };
    for f in &report.findings {
        match f.certainty {
            Certainty::Certain => s.certain += 1,
            Certainty::Possible => s.possible += 1,
        }
        *s.by_severity
            .entry(f.severity.as_str().to_string())
            .or_default() += 1;
    }
    report.summary = s;
}

fn verdict(
    report: &Report,
    claim: &str,
    text: &str,
    line: u32,
    verdict: Option<VerdictKind>,
) -> ClaimVerdict {
    let support = report
        .findings
        .iter()
        .filter_map(|f| {
            let v = f.verdict.as_ref()?;
            (v.claim == claim).then(|| (v.kind, f.rule.clone(), f.id.clone(), f.certainty))
        })
        .collect();
    ClaimVerdict {
        claim: claim.into(),
        claim_text: Some(text.into()),
        claimant: None,
        span: data("claims.yaml", line),
        verdict,
        support,
        appearance: Vec::new(),
    }
}

/// The flagship report: 9 rules over 96 records, 7 findings (6 certain, 1 possible),
/// six claim verdicts, one finding suppressed earlier.
pub fn flagship() -> Report {
    let mid_0106 = source(
        "src-mid-2026-01-06",
        "[Statement by the Russian Ministry of Foreign Affairs welcoming the swearing-in of Delcy Rodríguez as authorised President of Venezuela]",
        "Ministry of Foreign Affairs of the Russian Federation",
        None,
        "2026-01-06",
        "B",
    );
    let rbc = source(
        "src-rbc-2026-01-06",
        "[Report: Russian Foreign Ministry welcomes the swearing-in of Delcy Rodríguez]",
        "RBC",
        Some("https://www.rbc.ru/politics/06/01/2026/695d1aab9a79474a73f74e62"),
        "2026-01-06",
        "B",
    );
    let iiffmcg = source(
        "src-iiffmcg-2009",
        "Report of the Independent International Fact-Finding Mission on the Conflict in Georgia",
        "Independent International Fact-Finding Mission on the Conflict in Georgia (mandated by the Council of the European Union)",
        None,
        "2009-09",
        "B",
    );
    let kremlin = source(
        "src-kremlin-2014-03-18",
        "[Signing of the treaty on the accession of the Republic of Crimea and Sevastopol to the Russian Federation]",
        "President of Russia (kremlin.ru)",
        None,
        "2014-03-18",
        "B",
    );
    let unga = source(
        "src-unga-68-262",
        "Territorial integrity of Ukraine (resolution 68/262)",
        "United Nations General Assembly",
        None,
        "2014-03-27",
        "A",
    );
    let un_charter = source(
        "src-un-charter",
        "Charter of the United Nations",
        "United Nations",
        Some("https://www.un.org/en/about-us/un-charter/full-text"),
        "1945-06-26",
        "A",
    );
    let tass = source(
        "src-tass-2026-01-05",
        "[Report: Nebenzya calls on the US to release Maduro and his wife without delay]",
        "TASS",
        Some("https://tass.com/politics/2068785"),
        "2026-01-05",
        "C",
    );
    let rediff = source(
        "src-rediff-2026-01-08",
        "[Listicle: the nine countries with the most oil]",
        "Rediff.com",
        Some("https://www.rediff.com/business/report/money-listicle-9-countries-with-the-most-oil/20260108.htm"),
        "2026-01-08",
        "C",
    );
    let fixture = SourceRef {
        id: "src-factlint-fixture".into(),
        title: Some("[Deliberately wrong claim written to exercise the verdict rules]".into()),
        publisher: Some("factlint example dataset".into()),
        url: None,
        date: None,
        reliability: Some("F".into()),
        ..SourceRef::default()
    };
    let opec = source(
        "src-opec-asb-2025",
        "OPEC Annual Statistical Bulletin 2025",
        "OPEC",
        Some("https://asb.opec.org/"),
        "2025-07",
        "A",
    );
    let nyt = source(
        "src-nyt-2026-01-04",
        "[Report that at least 80 people were killed in the US strikes on Venezuela, citing a senior Venezuelan official]",
        "The New York Times",
        None,
        "2026-01-04",
        "B",
    );

    let mut principle = rule(
        "principle-contradicted",
        Severity::Warning,
        "An actor invokes a principle that its own recent actions violate.\nA statement appealing to a principle is checked against the actor's actions of the kinds\nthe principle's `violated_by` names, in the 20 years before the statement. Actions at the\ntarget government's request (`consent: true`) do not count.",
        &["sovereignty", "consistency"],
        None,
        "rules/principles.rules",
        4,
    );
    principle.meta.insert(
        "references".into(),
        "https://www.un.org/en/about-us/un-charter/chapter-1".into(),
    );
    let refuted = rule(
        "claim-refuted-by-record",
        Severity::Error,
        "A claimed value contradicts every recorded value of the property.",
        &["claims"],
        Some(VerdictKind::Refuted),
        "rules/claims.rules",
        3,
    );
    let supported = rule(
        "claim-supported-by-record",
        Severity::Info,
        "A claimed value agrees with a recorded value of the property.",
        &["claims"],
        Some(VerdictKind::Supported),
        "rules/claims.rules",
        18,
    );
    let superlative = rule(
        "superlative-not-maximum",
        Severity::Error,
        "A claim that its subject has the largest value is contradicted by a larger recorded value.",
        &["claims", "superlatives"],
        Some(VerdictKind::Refuted),
        "rules/claims.rules",
        33,
    );
    let single = rule(
        "claim-single-source",
        Severity::Warning,
        "A claim is backed by fewer than two independent sources.",
        &["sourcing"],
        Some(VerdictKind::NotEnoughEvidence),
        "rules/sourcing.rules",
        3,
    );
    let unsourced = rule(
        "unsourced-claim",
        Severity::Error,
        "A claim cites no source at all.",
        &["sourcing"],
        None,
        "rules/sourcing.rules",
        15,
    );
    let low = rule(
        "source-low-reliability",
        Severity::Info,
        "A claim outside the test records cites a source graded below C on the Admiralty scale.",
        &["sourcing"],
        None,
        "rules/sourcing.rules",
        24,
    );
    let self_sourced = rule(
        "self-sourced-statement",
        Severity::Warning,
        "A statement whose only sources were issued by the actor itself.",
        &["sourcing"],
        None,
        "rules/sourcing.rules",
        33,
    );
    let after = rule(
        "source-after-claim",
        Severity::Warning,
        "A claim cites a source published after the claim was made.",
        &["time"],
        None,
        "rules/time.rules",
        3,
    );

    let statement = record(
        "s",
        "statements",
        "rus-mfa-2026-01-06",
        data("statements.yaml", 40),
        vec![mid_0106.clone(), rbc.clone()],
    );
    let sovereignty = record(
        "p",
        "principles",
        "sovereignty",
        data("principles.yaml", 5),
        vec![un_charter],
    );
    let mut findings = vec![
        finding(
            &principle,
            Certainty::Certain,
            "Russia invoked Sovereignty and territorial integrity on 2026-01-06, but carried out an invasion of Georgia on 2008-08-08",
            vec![
                statement.clone(),
                sovereignty.clone(),
                record("a", "actions", "rus-georgia-2008", data("actions.yaml", 5), vec![iiffmcg]),
            ],
        ),
        finding(
            &principle,
            Certainty::Certain,
            "Russia invoked Sovereignty and territorial integrity on 2026-01-06, but carried out an annexation of Ukraine on 2014-03-18",
            vec![
                statement,
                sovereignty,
                record(
                    "a",
                    "actions",
                    "rus-crimea-2014",
                    data("actions.yaml", 20),
                    vec![kremlin, unga],
                ),
            ],
        ),
        finding(
            &superlative,
            Certainty::Certain,
            "\"Saudi Arabia holds the world's largest proven oil reserves.\": the largest recorded proven_oil_reserves is VEN's (303.2), not SAU's (267.2)",
            vec![
                test_record(record(
                    "c",
                    "claims",
                    "claim-test-saudi-largest-oil-reserves",
                    data("claims.yaml", 44),
                    vec![fixture.clone()],
                )),
                record("f", "facts", "fact-ven-oil-reserves-2024", data("facts.yaml", 6), vec![opec]),
            ],
        ),
        finding(
            &supported,
            Certainty::Certain,
            "\"At least 80 people were killed in the US operation in Venezuela.\" agrees with the recorded fatalities (at least 80)",
            vec![
                record(
                    "c",
                    "claims",
                    "claim-at-least-80-killed",
                    data("claims.yaml", 5),
                    vec![nyt.clone()],
                ),
                record(
                    "f",
                    "facts",
                    "fact-usa-venezuela-2026-fatalities-first-count",
                    data("facts.yaml", 60),
                    vec![nyt],
                ),
            ],
        ),
        finding(
            &single,
            Certainty::Certain,
            "claim-dozens-killed is backed by 1 independent source (TASS); at least 2 are needed",
            vec![record(
                "c",
                "claims",
                "claim-dozens-killed",
                data("claims.yaml", 33),
                vec![tass],
            )],
        ),
        finding(
            &unsourced,
            Certainty::Certain,
            "claim-test-unsourced-reserves-over-300 cites no source",
            vec![test_record(record(
                "c",
                "claims",
                "claim-test-unsourced-reserves-over-300",
                data("claims.yaml", 54),
                vec![],
            ))],
        ),
        finding(
            &after,
            Certainty::Possible,
            "claim-venezuela-largest-oil-reserves (made 2026-01) cites Rediff.com, published 2026-01-08",
            vec![
                record(
                    "c",
                    "claims",
                    "claim-venezuela-largest-oil-reserves",
                    data("claims.yaml", 14),
                    vec![rediff],
                ),
                record("src", "sources", "src-rediff-2026-01-08", data("sources.yaml", 322), vec![]),
            ],
        ),
    ];
    findings[6].unknown = vec!["src.date > c.date".into()];

    let mut report = Report {
        rules: vec![
            principle,
            refuted,
            supported,
            superlative,
            single,
            unsourced,
            low,
            self_sourced,
            after,
        ],
        findings,
        verdicts: Vec::new(),
        summary: Summary::default(),
        windows: Default::default(),
    };
    report.verdicts = vec![
        verdict(
            &report,
            "claim-at-least-80-killed",
            "At least 80 people were killed in the US operation in Venezuela.",
            5,
            Some(VerdictKind::Supported),
        ),
        verdict(
            &report,
            "claim-venezuela-largest-oil-reserves",
            "Venezuela holds the world's largest proven oil reserves.",
            14,
            Some(VerdictKind::NotEnoughEvidence),
        ),
        verdict(
            &report,
            "claim-delcy-rodriguez-authorised-president",
            "Delcy Rodríguez is the authorised President of Venezuela.",
            22,
            Some(VerdictKind::NotEnoughEvidence),
        ),
        verdict(
            &report,
            "claim-dozens-killed",
            "The US assault caused the deaths of dozens of Venezuelan and Cuban citizens.",
            33,
            Some(VerdictKind::NotEnoughEvidence),
        ),
        verdict(
            &report,
            "claim-test-saudi-largest-oil-reserves",
            "Saudi Arabia holds the world's largest proven oil reserves.",
            44,
            Some(VerdictKind::Refuted),
        ),
        verdict(
            &report,
            "claim-test-unsourced-reserves-over-300",
            "Venezuela's proven oil reserves exceed 300 billion barrels.",
            54,
            Some(VerdictKind::NotEnoughEvidence),
        ),
    ];
    summarize(&mut report, 96, 1);
    report
}

/// A report made to break formats: quotes, markup, control characters, `%`, `:` and
/// `,` in messages and paths; a finding without records; a finding of a rule the
/// report does not describe; a rule without a doc comment; conflicting verdicts.
pub fn awkward() -> Report {
    let odd = RuleInfo {
        id: "odd-rule".into(),
        severity: Severity::Error,
        doc: None,
        tags: vec![],
        meta: BTreeMap::new(),
        verdict: Some(VerdictKind::Refuted),
        span: span("rules/odd <&> rules.rules", 2, 1),
    };
    let fine = RuleInfo {
        id: "always-fine".into(),
        severity: Severity::Info,
        doc: Some("Never fires.".into()),
        tags: vec!["x".into()],
        meta: BTreeMap::new(),
        verdict: Some(VerdictKind::Supported),
        span: span("rules/fine.rules", 1, 1),
    };
    let claim = Evidence {
        var: "c".into(),
        collection: "claims".into(),
        id: "c-1".into(),
        span: span("data/odd, name: 100%/claims #2.yaml", 7, 5),
        test: true,
        sources: vec![SourceRef {
            id: "s<1>".into(),
            title: None,
            publisher: Some("Tom & Jerry's \"Gazette\"".into()),
            url: Some("https://example.org/?a=1&b=<2>".into()),
            date: None,
            reliability: None,
            retracted: Some("2026-01-20 <script>".into()),
            corrected: None,
        }],
        when: None,
        actor: None,
    };
    let messy =
        "Quote \"x\" & <tag> 'y'\u{7}bell \u{1b}[31mred\u{1b}[0m 100% done: a, b\r\nsecond line";
    let mut f1 = finding(&odd, Certainty::Certain, messy, vec![claim.clone()]);
    f1.verdict = Some(VerdictRef {
        kind: VerdictKind::Refuted,
        claim: "c-1".into(),
    });
    let mut f2 = finding(&fine, Certainty::Certain, "fires after all", vec![claim]);
    f2.verdict = Some(VerdictRef {
        kind: VerdictKind::Supported,
        claim: "c-1".into(),
    });
    let mut f3 = finding(&odd, Certainty::Possible, "no records at all", vec![]);
    f3.unknown = vec!["x.y == \"z\"".into()];
    f3.verdict = None;
    let stray = Finding {
        id: Finding::fingerprint("not-in-report", &[]),
        rule: "not-in-report".into(),
        severity: Severity::Warning,
        certainty: Certainty::Certain,
        message: "a finding of a rule the report does not list".into(),
        evidence: vec![],
        verdict: None,
        unknown: vec![],
        undecided: vec![],
        group: None,
    };
    let mut report = Report {
        rules: vec![odd, fine],
        findings: vec![f1, f2, f3, stray],
        verdicts: vec![],
        summary: Summary::default(),
        windows: Default::default(),
    };
    let mut v = verdict(&report, "c-1", "It is \"so\" & <more>", 7, None);
    v.span = span("data/odd, name: 100%/claims #2.yaml", 7, 5);
    report.verdicts = vec![v];
    summarize(&mut report, 3, 0);
    report
}

/// The flagship's SARIF with `tests/corpus/report/suppressions.yaml` applied on
/// 2026-03-01: five findings reported, two suppressed.
pub fn flagship_sarif_with_suppressions() -> String {
    let file = "tests/corpus/report/suppressions.yaml";
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .expect("the suppressions corpus file");
    let (suppressions, _) = load_suppressions(file, &text);
    let mut report = flagship();
    let today = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date");
    let outcome = apply_suppressions(&mut report, &suppressions, today);
    render_sarif_with_suppressed(&report, "0.1.0", &outcome.suppressed, &suppressions)
}
