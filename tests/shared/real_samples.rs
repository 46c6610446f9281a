//! Loading the real GDELT 2.0 and ICEWS samples in `../shared/data/real/`: event ids,
//! column types and positions, and importing both onto the event model (`--import`).

use factlint::data::{self, LoadOptions, Value};
use factlint::diag::span::line_col;
use std::path::Path;

tests![
    gdelt_sample_loads_with_event_ids,
    icews_sample_loads_as_tsv,
    gdelt_and_icews_import_onto_the_event_model,
    the_whole_real_folder_loads_without_errors,
];

/// The text a span covers, and a check that its line and column agree with its
/// byte offset (as in `tests/it/data.rs`).
fn spanned<'t>(text: &'t str, span: &factlint::diag::Span) -> &'t str {
    assert_eq!(
        line_col(text, span.start),
        (span.line, span.col),
        "line:col of {span:?} disagrees with its offset {}",
        span.start
    );
    &text[span.start..span.end]
}

fn gdelt_sample_loads_with_event_ids(shared: &Path) {
    let dir = shared.join("real");
    let path = dir.join("gdelt-2.0-events-sample.csv");
    let (ds, diags) = data::load(std::slice::from_ref(&path), &LoadOptions::default());
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let v = data::validate(&ds);
    assert!(v.iter().all(|d| !d.is_error()), "{v:#?}");
    let c = ds
        .collection("gdelt-2.0-events-sample")
        .expect("collection");
    assert_eq!(c.records.len(), 6090);
    let def = ds.schema.collection(&c.name).expect("schema");
    assert_eq!(def.id_field.as_deref(), Some("GLOBALEVENTID"));
    let first = &c.records[0];
    assert_eq!(&*first.id, "669666350");
    assert_eq!(first.span.line, 2);
    // CAMEO codes keep their leading zeros
    assert_eq!(first.get("EventCode"), Some(&Value::str("040")));
    let text = std::fs::read_to_string(&path).expect("read");
    assert_eq!(spanned(&text, &first.span_of("EventCode")), "040");
    assert_eq!(
        spanned(&text, &first.span_of("CAMEOCodeDescription")),
        "\" Consult, not specified below\""
    );
    assert!(
        spanned(&text, &first.span_of("SOURCEURL")).starts_with("http://www.cvilletomorrow.org/")
    );
}

fn icews_sample_loads_as_tsv(shared: &Path) {
    let dir = shared.join("real");
    let path = dir.join("icews-2018-06-01-sample.tab");
    let (ds, diags) = data::load(std::slice::from_ref(&path), &LoadOptions::default());
    assert!(diags.is_empty(), "{diags:#?}");
    let v = data::validate(&ds);
    assert!(v.iter().all(|d| !d.is_error()), "{v:#?}");
    let c = ds
        .collection("icews-2018-06-01-sample")
        .expect("collection");
    assert_eq!(c.records.len(), 3705);
    let first = &c.records[0];
    assert_eq!(&*first.id, "32889836");
    assert!(matches!(first.get("Event Date"), Some(Value::Time(t)) if t.is_precise()));
    assert_eq!(first.get("CAMEO Code"), Some(&Value::str("040")));
    let text = std::fs::read_to_string(&path).expect("read");
    assert_eq!(
        spanned(&text, &first.span_of("Source Country")),
        "Bangladesh"
    );
}

fn gdelt_and_icews_import_onto_the_event_model(shared: &Path) {
    let dir = shared.join("real");
    let gdelt = dir.join("gdelt-2.0-events-sample.csv");
    let icews = dir.join("icews-2018-06-01-sample.tab");
    let opts = LoadOptions {
        import: true,
        ..LoadOptions::default()
    };
    let (ds, diags) = data::load(&[gdelt.clone(), icews], &opts);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
    let v = data::validate(&ds);
    assert!(v.is_empty(), "{:#?}", &v[..v.len().min(5)]);
    assert!(!ds.schema.inferred);
    let n = |c: &str| ds.collection(c).map_or(0, |c| c.records.len());
    assert!(n("actions") > 1000 && n("statements") > 1000 && n("actors") > 100);
    // an imported record points at the row and cell it came from
    let text = std::fs::read_to_string(&gdelt).expect("read");
    let s = ds
        .collection("statements")
        .and_then(|c| c.records.iter().find(|r| r.span.file.ends_with(".csv")))
        .expect("a GDELT statement");
    let sqldate = spanned(&text, &s.span_of("date"));
    assert_eq!(sqldate.len(), 8);
    assert!(matches!(s.get("date"), Some(Value::Time(t)) if t.is_precise()));
    // a source's date is the day of its DATEADDED, a compact date-time
    let src = ds
        .collection("sources")
        .and_then(|c| c.records.iter().find(|r| r.span.file.ends_with(".csv")))
        .expect("a GDELT source");
    let added = spanned(&text, &src.span_of("date"));
    assert_eq!(added.len(), 14);
    assert!(matches!(src.get("date"), Some(Value::Time(t)) if t.is_precise() && &*t.raw == added));
}

fn the_whole_real_folder_loads_without_errors(shared: &Path) {
    let dir = shared.join("real");
    let (ds, diags) = data::load(&[dir], &LoadOptions::default());
    // cameo-codes.csv is Windows-1252 in places: a warning, not an error
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
    assert_eq!(ds.collections.len(), 3);
}
