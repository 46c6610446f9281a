//! What every stage reports: the one `Diagnostic` type with spans, findings, and the
//! output formats (one file per format).

pub mod baseline;
pub mod claimreview;
pub mod diagnostic;
pub mod finding;
pub mod github;
pub mod json;
pub mod junit;
pub mod output;
pub mod sarif;
pub mod span;
pub mod suppress;
pub mod text;

pub use diagnostic::{Diagnostic, Level, Sources};
pub use finding::{
    Certainty, ClaimVerdict, Evidence, Finding, Report, RuleInfo, SourceRef, Summary, VerdictRef,
};
pub use span::Span;
