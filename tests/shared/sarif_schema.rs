//! SARIF against the official SARIF 2.1.0 schema, `../shared/data/schemas/`, offline:
//! the hand-built reports of `tests/it/report.rs`, a log with suppressions, and what
//! `factlint check --format sarif` writes for the flagship example. And a check that
//! the check itself catches an invalid log.

#[path = "../it/report/fixtures.rs"]
mod fixtures;

use factlint::eval::Report;
use factlint::report::sarif::render_sarif;
use fixtures::{awkward, flagship, flagship_sarif_with_suppressions};
use std::path::Path;
use std::process::Command;

tests![
    sarif_validates_against_the_official_schema,
    suppressed_findings_validate,
    the_flagship_example_through_the_binary_validates,
    data_errors_as_tool_notifications_validate,
    sarif_schema_check_catches_an_invalid_log,
];

/// The SARIF 2.1.0 schema (draft-04), compiled by boon from the file: boon loads
/// `file:` locations only, so nothing is fetched.
struct Validator {
    schemas: boon::Schemas,
    sarif: boon::SchemaIndex,
}

impl Validator {
    fn is_valid(&self, instance: &serde_json::Value) -> bool {
        self.schemas.validate(instance, self.sarif).is_ok()
    }
}

fn validator(shared: &Path) -> Validator {
    let path = shared.join("schemas/sarif-schema-2.1.0.json");
    assert!(
        path.is_file(),
        "the SARIF schema is not at {}",
        path.display()
    );
    let mut compiler = boon::Compiler::new();
    // format (date-time, uri) is asserted in draft-04 already; say so all the same
    compiler.enable_format_assertions();
    let mut schemas = boon::Schemas::new();
    let sarif = compiler
        .compile(&path.to_string_lossy(), &mut schemas)
        .unwrap_or_else(|e| panic!("the SARIF schema compiles offline: {e}"));
    Validator { schemas, sarif }
}

fn assert_valid_sarif(validator: &Validator, sarif: &str) {
    let instance: serde_json::Value = serde_json::from_str(sarif).expect("SARIF is JSON");
    if let Err(e) = validator.schemas.validate(&instance, validator.sarif) {
        panic!("invalid SARIF:\n{e}");
    }
}

fn sarif_validates_against_the_official_schema(shared: &Path) {
    let validator = validator(shared);
    assert_valid_sarif(&validator, &render_sarif(&flagship(), "0.1.0"));
    assert_valid_sarif(&validator, &render_sarif(&awkward(), "0.1.0"));
    assert_valid_sarif(&validator, &render_sarif(&Report::default(), "0.1.0"));
}

fn suppressed_findings_validate(shared: &Path) {
    assert_valid_sarif(&validator(shared), &flagship_sarif_with_suppressions());
}

/// The whole pipeline, as a user runs it from the repository root.
fn the_flagship_example_through_the_binary_validates(shared: &Path) {
    let o = Command::new(env!("CARGO_BIN_EXE_factlint"))
        .args(["check", "--format", "sarif", "--fail-on", "never"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run factlint");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let sarif = String::from_utf8(o.stdout).expect("SARIF is UTF-8");
    let v: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty(), "the example has findings: {stderr}");
    assert_valid_sarif(&validator(shared), &sarif);
}

/// A run over data with errors: an unsuccessful invocation with the errors as tool
/// execution notifications.
fn data_errors_as_tool_notifications_validate(shared: &Path) {
    let o = Command::new(env!("CARGO_BIN_EXE_factlint"))
        .args([
            "check",
            "tests/corpus/keep-going/data",
            "--rules",
            "tests/corpus/keep-going/keep-going.rules",
            "--format",
            "sarif",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run factlint");
    assert_eq!(o.status.code(), Some(2));
    let sarif = String::from_utf8(o.stdout).expect("SARIF is UTF-8");
    assert!(sarif.contains("toolExecutionNotifications"), "{sarif}");
    assert_valid_sarif(&validator(shared), &sarif);
}

fn sarif_schema_check_catches_an_invalid_log(shared: &Path) {
    let validator = validator(shared);
    let mut v: serde_json::Value =
        serde_json::from_str(&render_sarif(&flagship(), "0.1.0")).unwrap();
    assert!(
        validator.is_valid(&v),
        "the log is valid before it is broken"
    );
    v["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&v), "a level outside the enum");
    let mut v: serde_json::Value =
        serde_json::from_str(&render_sarif(&flagship(), "0.1.0")).unwrap();
    v["version"] = "2.0.0".into();
    assert!(!validator.is_valid(&v), "a version other than 2.1.0");
    let mut v: serde_json::Value =
        serde_json::from_str(&render_sarif(&flagship(), "0.1.0")).unwrap();
    v["runs"][0].as_object_mut().expect("a run").remove("tool");
    assert!(!validator.is_valid(&v), "a run without its required tool");
    let mut v: serde_json::Value =
        serde_json::from_str(&render_sarif(&flagship(), "0.1.0")).unwrap();
    v["runs"][0]["tool"]["driver"]["informationUri"] = "not a uri".into();
    assert!(!validator.is_valid(&v), "a format: uri that is not one");
}
