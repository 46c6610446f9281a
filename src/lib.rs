//! factlint: a claim-verification rules engine.
//!
//! The pipeline runs in one direction: [`syntax`] (rule text to AST), [`check`] (names
//! and types against the data's schema), [`plan`] (joins and indexes), [`eval`]
//! (findings with evidence), [`report`] (diagnostics and output formats); [`data`]
//! loads and validates datasets beside it. The [`cli`] is a thin layer over these.
//!
//! The whole pipeline, on the bundled example:
//!
//! ```
//! use factlint::{check, data, diag, eval, report, syntax};
//! use std::path::PathBuf;
//!
//! // data: load a folder (its schema.yaml says it follows the default event model)
//! let (dataset, problems) = data::load(
//!     &[PathBuf::from("examples/venezuela-2026")],
//!     &data::LoadOptions::default(),
//! );
//! assert!(problems.iter().all(|d| !d.is_error()));
//!
//! // syntax: rule text to a tree, with every error (none here)
//! let text = r#"
//! ## A statement and an action of the same actor less than 20 years apart.
//! rule close-in-time {
//!   message: "{s.id} and {a.id}"
//!   for s in statements, a in actions
//!   where a.actor == s.actor and a.time within 20 years of s.date and not a.consent
//! }
//! "#;
//! let (file, syntax_errors) = syntax::parse("example.rules".into(), text);
//! assert!(syntax_errors.is_empty());
//!
//! // check: names and types against the dataset's schema
//! let (suite, check_errors) = check::check(&[file], &dataset.schema);
//! assert!(check_errors.is_empty());
//!
//! // plan and eval: findings with their evidence, in a deterministic order
//! let mut sources = diag::Sources::new();
//! sources.add("example.rules".into(), text.into());
//! let (report, run_errors) = eval::run(&suite, &dataset, &sources, &eval::RunOptions::default());
//! assert!(run_errors.is_empty());
//! assert!(report
//!     .findings
//!     .iter()
//!     .any(|f| f.message == "rus-mfa-2026-01-06 and rus-georgia-2008"));
//!
//! // report: any output format
//! let sarif = report::output::render(report::output::Format::Sarif, &report, false);
//! assert!(sarif.contains("close-in-time"));
//! ```
#![forbid(unsafe_code)]

pub mod check;
pub mod cli;
pub mod data;
pub mod diag;
pub mod eval;
pub mod files;
pub mod lsp;
pub mod plan;
pub mod project;
pub mod report;
pub mod sql;
pub mod syntax;
