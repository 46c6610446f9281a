//! factlint: a claim-verification rules engine.
//!
//! The pipeline runs in one direction: `syntax` (rule text to AST), `check` (names and
//! types against the data's schema), `plan` (joins and indexes), `eval` (findings),
//! `report` (diagnostics and output formats); `data` loads and validates datasets beside it.
#![forbid(unsafe_code)]

pub mod check;
pub mod cli;
pub mod data;
pub mod eval;
pub mod plan;
pub mod report;
pub mod syntax;
