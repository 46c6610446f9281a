//! The ground every stage stands on: source spans and line tables, the one
//! `Diagnostic` type and its renderings, "did you mean", and the small enums that
//! several stages share (severity, verdict kinds). It imports nothing else of the crate.

pub mod diagnostic;
pub mod escape;
pub mod kinds;
pub mod span;
pub mod style;
pub mod suggest;

pub use diagnostic::{Diagnostic, ErrorFormat, Label, Level, Sources};
pub use kinds::{Severity, VerdictKind};
pub use span::{LineIndex, Span};
pub use suggest::did_you_mean;
