//! What every stage reports: the one `Diagnostic` type with spans, findings, and the
//! output formats (one file per format).

pub mod diagnostic;
pub mod span;

pub use diagnostic::{Diagnostic, Level, Sources};
pub use span::Span;
