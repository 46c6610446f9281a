//! Checking a parsed suite against a dataset's schema: name resolution, types, defs
//! inlined, "did you mean", and the typed rule tree (`ir`) that planning consumes.

pub mod ir;
pub mod resolve;

pub use ir::{CExpr, CKind, CRule, RuleInfo, Suite, Ty};
pub use resolve::check;
