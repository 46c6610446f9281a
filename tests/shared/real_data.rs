//! Rules over real event data nobody on this team wrote: the GDELT 2.0 and ICEWS
//! samples in `../shared/data/real/`.

use factlint::data::{self, LoadOptions};
use factlint::diag::Sources;
use factlint::eval::{self, Certainty, Engine, RunOptions};
use std::path::{Path, PathBuf};

tests![
    gdelt_consistency_rules_agree_across_evaluators,
    gdelt_join_uses_an_index_and_counts_right,
    gdelt_country_pairs_grouped_once_per_pair,
    icews_quoted_columns_and_a_consistency_rule,
    gdelt_codes_urls_and_compact_dates_through_builtins,
];

fn gdelt(shared: &Path) -> PathBuf {
    shared.join("real/gdelt-2.0-events-sample.csv")
}

fn run(rules: &str, path: &PathBuf, engine: Engine) -> factlint::eval::Report {
    let (ds, diags) = data::load(std::slice::from_ref(path), &LoadOptions::default());
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let (file, pd) = factlint::syntax::parse("real.rules".into(), rules);
    assert!(pd.is_empty(), "{pd:?}");
    let (suite, cd) = factlint::check::check(&[file], &ds.schema);
    assert!(cd.iter().all(|d| !d.is_error()), "{cd:?}");
    let mut sources = Sources::new();
    sources.add("real.rules".into(), rules.into());
    let opts = RunOptions {
        engine,
        ..RunOptions::default()
    };
    let (report, diags) = eval::run(&suite, &ds, &sources, &opts);
    // on DuckDB, a rule with no SQL translation runs natively and says so (S0005)
    assert!(
        diags
            .iter()
            .all(|d| engine == Engine::DuckDb && d.code == "S0005"),
        "{diags:?}"
    );
    report
}

/// With `--features duckdb`: the DuckDB engine finds exactly what the planned one
/// found (`planned`), over the same rules and file.
fn same_on_duckdb(rules: &str, path: &PathBuf, planned: &factlint::eval::Report) {
    if cfg!(feature = "duckdb") {
        assert_eq!(planned, &run(rules, path, Engine::DuckDb));
    }
}

/// CAMEO's quad classes bound the Goldstein scale: material conflict (class 4) is
/// never cooperative. An event coded otherwise is inconsistent.
const CONSISTENCY: &str = r#"
## Material conflict with a positive Goldstein score.
rule conflict-scored-as-cooperation {
  message: "{e.id}: {e.CAMEOCodeDescription} has Goldstein {e.GoldsteinScale}"
  for e in "gdelt-2.0-events-sample"
  where e.QuadClass == 4 and e.GoldsteinScale > 0
}

## An event whose root code disagrees with its quad class (roots 15-20 are material conflict).
rule root-code-against-quad-class {
  for e in "gdelt-2.0-events-sample"
  where e.EventRootCode in ["15", "16", "17", "18", "19", "20"] and e.QuadClass != 4
}
"#;

fn gdelt_consistency_rules_agree_across_evaluators(shared: &Path) {
    let path = gdelt(shared);
    let planned = run(CONSISTENCY, &path, Engine::Planned);
    let reference = run(CONSISTENCY, &path, Engine::Reference);
    assert_eq!(planned, reference);
    same_on_duckdb(CONSISTENCY, &path, &planned);
    assert_eq!(planned.summary.records, 6090);
    // the sample is internally consistent on both counts
    assert_eq!(planned.findings.len(), 0, "{:?}", planned.findings.first());
}

/// A join over real data: pairs of events where one actor's material conflict against
/// another is answered, the same day, by verbal cooperation in the other direction.
/// Uses the hash index on Actor1Code; checked against a count made by hand. Empty
/// actor codes are missing values, so the rule says it wants them present: without
/// that, every pair with an empty code would be a *possible* finding.
fn gdelt_join_uses_an_index_and_counts_right(shared: &Path) {
    let path = gdelt(shared);
    let rules = r#"
rule conflict-answered-by-cooperation {
  for e in "gdelt-2.0-events-sample", f in "gdelt-2.0-events-sample"
  where e.Actor1Code is present
    and e.Actor2Code is present
    and f.Actor1Code is present
    and f.Actor2Code is present
    and f.Actor1Code == e.Actor2Code
    and f.Actor2Code == e.Actor1Code
    and e.QuadClass == 4
    and f.QuadClass == 1
}
"#;
    let report = run(rules, &path, Engine::Planned);
    same_on_duckdb(rules, &path, &report);
    // the same count by hand
    let (ds, _) = data::load(std::slice::from_ref(&path), &LoadOptions::default());
    let recs = &ds
        .collection("gdelt-2.0-events-sample")
        .expect("collection")
        .records;
    let s = |r: &factlint::data::Record, f: &str| r.get(f).map(|v| v.to_string());
    let n = |r: &factlint::data::Record, f: &str| match r.get(f) {
        Some(factlint::data::Value::Number(x)) => Some(*x),
        _ => None,
    };
    let mut expected = 0;
    for e in recs.iter().filter(|e| n(e, "QuadClass") == Some(4.0)) {
        for f in recs.iter().filter(|f| n(f, "QuadClass") == Some(1.0)) {
            let (a1, a2) = (s(e, "Actor1Code"), s(e, "Actor2Code"));
            if a1.is_some() && a2.is_some() && s(f, "Actor1Code") == a2 && s(f, "Actor2Code") == a1
            {
                expected += 1;
            }
        }
    }
    assert!(expected > 0);
    assert_eq!(report.summary.certain, expected);
    assert_eq!(report.summary.possible, 0);
}

/// Actions between two countries in both directions, imported into the event model:
/// one finding per event pair, or with `group by` one per country pair that merges
/// them all (measured on the sample: 454 event pairs in 44 country pairs).
fn gdelt_country_pairs_grouped_once_per_pair(shared: &Path) {
    let path = gdelt(shared);
    let body = r#"
  for a in actions, b in actions
  where a.actor.country is present
    and a.target.country is present
    and a.actor.country != a.target.country
    and b.actor.country is present
    and b.target.country is present
    and b.actor.country == a.target.country
    and b.target.country == a.actor.country
"#;
    let rules = format!(
        "rule pairs {{\n  message: \"{{a.actor.country}}/{{a.target.country}}\"{body}}}\n\n\
         rule grouped {{\n  message: \"{{a.actor.country}}/{{a.target.country}}\"{body}  group by a.actor.country, a.target.country\n}}\n"
    );
    let (ds, diags) = data::load(
        std::slice::from_ref(&path),
        &LoadOptions {
            import: true,
            ..LoadOptions::default()
        },
    );
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let (file, pd) = factlint::syntax::parse("real.rules".into(), &rules);
    assert!(pd.is_empty(), "{pd:?}");
    let (suite, cd) = factlint::check::check(&[file], &ds.schema);
    assert!(cd.iter().all(|d| !d.is_error()), "{cd:?}");
    let run = |engine| {
        let opts = RunOptions {
            engine,
            ..RunOptions::default()
        };
        eval::run(&suite, &ds, &Sources::new(), &opts).0
    };
    let planned = run(Engine::Planned);
    assert_eq!(planned, run(Engine::Reference));
    if cfg!(feature = "duckdb") {
        assert_eq!(planned, run(Engine::DuckDb));
    }
    let of = |rule: &str| -> Vec<&factlint::eval::Finding> {
        planned.findings.iter().filter(|f| f.rule == rule).collect()
    };
    let (pairs, grouped) = (of("pairs"), of("grouped"));
    let mut distinct: Vec<&str> = pairs.iter().map(|f| f.message.as_str()).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        grouped.len(),
        distinct.len(),
        "one finding per country pair"
    );
    let merged: usize = grouped
        .iter()
        .map(|f| f.group.as_ref().map_or(0, |g| g.count))
        .sum();
    assert_eq!(merged, pairs.len(), "every event pair in one group");
    assert_eq!((pairs.len(), grouped.len()), (454, 44));
}

/// ICEWS columns have spaces in their names: rules quote them (`e."CAMEO Code"`).
/// Fighting (CAMEO root 19) is conflict, so its intensity is never positive.
fn icews_quoted_columns_and_a_consistency_rule(shared: &Path) {
    let p = shared.join("real/icews-2018-06-01-sample.tab");
    let rules = r#"
## Fighting coded with a cooperative (positive) intensity.
rule fight-scored-as-cooperation {
  for e in "icews-2018-06-01-sample"
  where e."CAMEO Code" starts with "19"
    and e.Intensity > 0
}

## Fighting, as coded.
rule fighting {
  severity: info
  message: "{e."Source Name"} against {e."Target Name"}: {e."Event Text"}"
  for e in "icews-2018-06-01-sample"
  where e."CAMEO Code" starts with "19"
}
"#;
    let planned = run(rules, &p, Engine::Planned);
    let reference = run(rules, &p, Engine::Reference);
    assert_eq!(planned, reference);
    same_on_duckdb(rules, &p, &planned);
    let count = |rule: &str| planned.findings.iter().filter(|f| f.rule == rule).count();
    assert_eq!(count("fight-scored-as-cooperation"), 0);
    assert!(count("fighting") > 100, "{}", count("fighting"));
}

/// The string builtins and compact dates on the real GDELT sample, whose schema is
/// inferred (SQLDATE and DATEADDED are numbers there): each rule's count is made by
/// hand beside it, and both evaluators agree.
fn gdelt_codes_urls_and_compact_dates_through_builtins(shared: &Path) {
    let path = gdelt(shared);
    let rules = r#"
## An event code whose first two digits are not its root code.
rule code-against-root {
  for e in "gdelt-2.0-events-sample"
  where slice(e.EventCode, 0, 2) != e.EventRootCode
}

## Reported from a host under .ru.
rule russian-host {
  for e in "gdelt-2.0-events-sample"
  where at(split(e.SOURCEURL, "/"), 2) ends with ".ru"
}

## Seen by GDELT more than a year after it happened.
rule seen-late {
  message: "{e.id}: {date(e.SQLDATE)} seen {date(e.DATEADDED)}"
  for e in "gdelt-2.0-events-sample"
  where date(e.DATEADDED) after date(e.SQLDATE) + 1 year
}
"#;
    let planned = run(rules, &path, Engine::Planned);
    let reference = run(rules, &path, Engine::Reference);
    assert_eq!(planned, reference);
    same_on_duckdb(rules, &path, &planned);
    let (ds, _) = data::load(std::slice::from_ref(&path), &LoadOptions::default());
    let recs = &ds
        .collection("gdelt-2.0-events-sample")
        .expect("collection")
        .records;
    let text = |r: &factlint::data::Record, f: &str| r.get(f).map(|v| v.to_string());
    let count = |rule: &str, certain: bool| {
        planned
            .findings
            .iter()
            .filter(|f| f.rule == rule && (f.certainty == Certainty::Certain) == certain)
            .count()
    };
    // the sample's codes agree with their roots
    assert_eq!(count("code-against-root", true), 0);
    let hosts = recs
        .iter()
        .filter(|r| {
            text(r, "SOURCEURL")
                .and_then(|u| u.split('/').nth(2).map(|h| h.ends_with(".ru")))
                .unwrap_or(false)
        })
        .count();
    assert_eq!(count("russian-host", true), hosts);
    // YYYYMMDD as a number: a year later is 10000 more
    let day = |r: &factlint::data::Record, f: &str, div: f64| match r.get(f) {
        Some(factlint::data::Value::Number(n)) => Some((n / div).floor()),
        _ => None,
    };
    let late = recs
        .iter()
        .filter(|r| {
            matches!((day(r, "SQLDATE", 1.0), day(r, "DATEADDED", 1e6)),
                (Some(s), Some(a)) if a > s + 10000.0)
        })
        .count();
    assert!(late > 0);
    assert_eq!(count("seen-late", true), late);
    assert_eq!(count("seen-late", false), 0);
}
