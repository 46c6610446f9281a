//! Rule text and data in, diagnostics and findings out: the checker's corpus
//! (`tests/corpus/check/*.rules`, one mistake each, checked against the default event
//! model) and the evaluator's corpus (`tests/corpus/eval/<case>/`, rules with a small
//! dataset). Snapshots show what a person sees.

use factlint::data::{self, LoadOptions};
use factlint::diag::diagnostic::{render_all, ErrorFormat};
use factlint::eval::{self, Engine, RunOptions};
use factlint::project::rules;
use std::path::{Path, PathBuf};

fn rel(p: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    p.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}

#[test]
fn check_corpus() {
    insta::glob!("../corpus", "check/*.rules", |path| {
        let loaded = rules::load(&[rel(path)]);
        assert!(
            loaded.diags.is_empty(),
            "parse errors in {path:?}: {:?}",
            loaded.diags
        );
        let (_, diags) = factlint::check::check(&loaded.files, &data::event_model());
        assert!(!diags.is_empty(), "{path:?} should give a diagnostic");
        let text = render_all(&diags, &loaded.sources, ErrorFormat::Human, false, 80);
        let src = std::fs::read_to_string(path).unwrap_or_default();
        insta::with_settings!({description => src, omit_expression => true}, {
            insta::assert_snapshot!(text);
        });
    });
}

#[test]
fn eval_corpus() {
    insta::glob!("../corpus", "eval/*/rules.rules", |path| {
        let dir = rel(path.parent().unwrap_or(Path::new(".")));
        let loaded = rules::load(&[rel(path)]);
        let (ds, ddiags) = data::load(std::slice::from_ref(&dir), &LoadOptions::default());
        assert!(
            ddiags.iter().all(|d| !d.is_error()),
            "data errors: {ddiags:?}"
        );
        assert!(loaded.diags.is_empty(), "parse errors: {:?}", loaded.diags);
        let (suite, cdiags) = factlint::check::check(&loaded.files, &ds.schema);
        assert!(
            cdiags.iter().all(|d| !d.is_error()),
            "check errors: {cdiags:?}"
        );
        let mut sources = ds.sources.clone();
        sources.merge(&loaded.sources);
        let run = |engine| {
            let opts = RunOptions {
                engine,
                parallel: false,
                ..RunOptions::default()
            };
            eval::run(&suite, &ds, &sources, &opts)
        };
        let (report, diags) = run(Engine::Planned);
        let (reference, _) = run(Engine::Reference);
        assert_eq!(
            report, reference,
            "planned and reference evaluators disagree"
        );
        let mut text = render_all(&cdiags, &sources, ErrorFormat::Human, false, 80);
        text.push_str(&render_all(&diags, &sources, ErrorFormat::Human, false, 80));
        text.push_str(&factlint::report::text::render_text(&report, false));
        insta::with_settings!({description => std::fs::read_to_string(path).unwrap_or_default(), omit_expression => true}, {
            insta::assert_snapshot!(text);
        });
    });
}

#[test]
fn a_join_that_explodes_stops_with_a_clear_error() {
    let dir = Path::new("tests/corpus/eval/aggregates");
    let (ds, _) = data::load(&[dir.to_path_buf()], &LoadOptions::default());
    let (file, pd) = factlint::syntax::parse(
        "cross.rules".into(),
        "rule cross {\n  for a in facts, b in facts, c in facts\n  where a.id != b.id\n}\n",
    );
    assert!(pd.is_empty());
    let (suite, _) = factlint::check::check(&[file], &ds.schema);
    let mut opts = RunOptions::default();
    opts.limits.max_bindings = 10;
    let (report, diags) = eval::run(&suite, &ds, &factlint::diag::Sources::new(), &opts);
    assert!(report.findings.is_empty());
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, "E0001");
    assert!(
        diags[0].message.contains("rule `cross` stopped"),
        "{}",
        diags[0].message
    );
}

#[test]
fn a_cut_at_max_findings_keeps_certain_findings_first() {
    let dir = PathBuf::from("tests/corpus/eval/ranges");
    let loaded = rules::load(&[dir.join("rules.rules")]);
    let (ds, _) = data::load(std::slice::from_ref(&dir), &LoadOptions::default());
    let (suite, _) = factlint::check::check(&loaded.files, &ds.schema);
    // the possible findings (range-50-120, unknown) sit between and after the certain ones
    let opts = RunOptions {
        max_findings: 3,
        ..RunOptions::default()
    };
    let (report, diags) = eval::run(&suite, &ds, &loaded.sources, &opts);
    assert_eq!(diags.len(), 1);
    assert!(
        diags[0]
            .message
            .contains("reporting 3 of 5 findings (3 certain)"),
        "{}",
        diags[0].message
    );
    assert_eq!(report.findings.len(), 3);
    assert!(report
        .findings
        .iter()
        .all(|f| f.certainty == factlint::eval::Certainty::Certain));
}

/// Possible findings never rate a claim, whichever rules run: with only the
/// supporting rule, a figure of 75-100 against "at least 80" leaves the claim with not
/// enough evidence, in the report and in ClaimReview.
#[test]
fn possible_findings_never_rate_a_claim_even_under_a_rule_subset() {
    use factlint::diag::VerdictKind;
    use factlint::report::claimreview::{render_claimreview, ClaimReviewOptions};
    let dir = PathBuf::from("tests/corpus/eval/verdicts-possible");
    let loaded = rules::load(&[dir.join("rules.rules")]);
    let (ds, _) = data::load(std::slice::from_ref(&dir), &LoadOptions::default());
    let (mut suite, _) = factlint::check::check(&loaded.files, &ds.schema);
    suite.rules.retain(|r| r.info.id == "reaches");
    let (report, _) = eval::run(&suite, &ds, &loaded.sources, &RunOptions::default());
    let verdict = |claim: &str| {
        report
            .verdicts
            .iter()
            .find(|v| v.claim == claim)
            .map(|v| v.verdict)
            .expect("a verdict for every claim")
    };
    assert_eq!(verdict("imprecise"), Some(VerdictKind::NotEnoughEvidence));
    assert_eq!(verdict("unrecorded"), Some(VerdictKind::NotEnoughEvidence));
    assert_eq!(verdict("precise"), Some(VerdictKind::Supported));
    let json = render_claimreview(&report, &ClaimReviewOptions::default());
    let reviews: serde_json::Value = serde_json::from_str(&json).unwrap();
    let imprecise = reviews
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["identifier"] == "imprecise")
        .expect("a review of the imprecise claim");
    assert_eq!(
        imprecise["reviewRating"]["alternateName"],
        "Not enough evidence"
    );
    assert_eq!(
        imprecise["reviewBody"],
        "Not enough evidence: possibly supported according to rule reaches, on values that are not known."
    );
}

/// A grouped finding in the machine formats: JSON and SARIF carry the key, the count of
/// bindings and every evidence record; its id depends on the rule and the key alone,
/// so moving the records to other lines keeps it.
#[test]
fn grouped_findings_carry_key_count_and_all_evidence() {
    let dir = PathBuf::from("tests/corpus/eval/group-by");
    let loaded = rules::load(&[dir.join("rules.rules")]);
    let run = |dir: &Path| {
        let (ds, _) = data::load(&[dir.to_path_buf()], &LoadOptions::default());
        let (suite, _) = factlint::check::check(&loaded.files, &ds.schema);
        let mut sources = ds.sources.clone();
        sources.merge(&loaded.sources);
        eval::run(&suite, &ds, &sources, &RunOptions::default()).0
    };
    let report = run(&dir);
    let json: serde_json::Value =
        serde_json::from_str(&factlint::report::json::render_json(&report)).unwrap();
    let pairs: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "repeated-pairs")
        .collect();
    assert_eq!(pairs.len(), 4, "one finding per actor and target");
    let georgia = pairs[0];
    assert_eq!(georgia["certainty"], "certain");
    assert_eq!(georgia["group"]["count"], 4);
    assert_eq!(georgia["group"]["certain"], 2);
    assert_eq!(georgia["group"]["keys"][0]["expr"], "a.actor");
    assert_eq!(georgia["group"]["keys"][0]["value"], "RUS");
    let ids: Vec<&str> = georgia["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["a1", "a2", "a6"],
        "every record once, in binding order"
    );
    // the group of an unrecorded actor: possible, its key null
    let unrecorded = pairs[3];
    assert_eq!(unrecorded["certainty"], "possible");
    assert!(unrecorded["group"]["keys"][0]["value"].is_null());

    let sarif: serde_json::Value =
        serde_json::from_str(&factlint::report::sarif::render_sarif(&report, "0.0.0")).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["partialFingerprints"]["factlint/v1"] == georgia["id"])
        .expect("the grouped finding in SARIF");
    assert_eq!(result["properties"]["group"]["count"], 4);
    assert_eq!(result["relatedLocations"].as_array().unwrap().len(), 2);

    // the same records two lines lower: the same finding ids
    let tmp = std::env::temp_dir().join(format!("factlint-group-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for f in ["schema.yaml", "data.yaml"] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        let text = if f == "data.yaml" {
            format!("# moved\n# down\n{text}")
        } else {
            text
        };
        std::fs::write(tmp.join(f), text).unwrap();
    }
    let moved = run(&tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    let ids =
        |r: &factlint::eval::Report| r.findings.iter().map(|f| f.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&report), ids(&moved));
    assert_ne!(
        report.findings[0].evidence[0].span.line,
        moved.findings[0].evidence[0].span.line
    );
}
