//! The small enums every stage shares: a rule's severity and the verdict a rule gives
//! on a claim.

/// How serious a rule's findings are (`severity: warning`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The verdict a verdict rule gives on a claim (`verdict: refuted for c`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VerdictKind {
    Supported,
    Refuted,
    /// Written `not-enough-evidence`.
    NotEnoughEvidence,
}

impl VerdictKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Supported => "supported",
            VerdictKind::Refuted => "refuted",
            VerdictKind::NotEnoughEvidence => "not-enough-evidence",
        }
    }
}
