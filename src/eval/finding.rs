//! Findings and the evidence they carry, as the evaluator produces them and every
//! output format consumes them. Output formats have serde types of their own.

use crate::check::RuleInfo;
use crate::diag::{Diagnostic, Span};
use crate::diag::{Severity, VerdictKind};
use std::collections::BTreeMap;

/// Whether a finding's condition was true, or unknown because of missing values or
/// imprecise dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Certainty {
    Certain,
    Possible,
}

impl Certainty {
    pub fn as_str(self) -> &'static str {
        match self {
            Certainty::Certain => "certain",
            Certainty::Possible => "possible",
        }
    }
}

/// A source cited by an evidence record.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceRef {
    pub id: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub date: Option<String>,
    pub reliability: Option<String>,
    /// The day its publisher retracted it, as written, when that is on or before the
    /// run's day (`--as-of`): a finding resting on it rests on a retracted source.
    pub retracted: Option<String>,
    /// The day its publisher corrected it, likewise.
    pub corrected: Option<String>,
}

/// One record a finding rests on.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// The rule variable the record was bound to.
    pub var: String,
    pub collection: String,
    pub id: String,
    /// Where the record is (file, line, column).
    pub span: Span,
    /// The record's `test: true` mark.
    pub test: bool,
    /// The sources the record cites, resolved in the `sources` collection where present.
    pub sources: Vec<SourceRef>,
    /// When the record happened: its `date`, else its `time` (first and last day, as
    /// written), for timelines.
    pub when: Option<When>,
    /// Who the record is about: its `actor` field, when it names one.
    pub actor: Option<String>,
}

/// A date of some precision as first and last day (open ends `None`), and as written.
#[derive(Clone, Debug, PartialEq)]
pub struct When {
    pub start: Option<chrono::NaiveDate>,
    pub end: Option<chrono::NaiveDate>,
    pub text: String,
}

/// A verdict on a claim given by a finding of a verdict rule.
#[derive(Clone, Debug, PartialEq)]
pub struct VerdictRef {
    pub kind: VerdictKind,
    /// The claim's id.
    pub claim: String,
}

/// One finding of one rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// A stable fingerprint of the rule id and the bound records' collections and ids
    /// (for a grouped rule: of the rule id and the key values): it never depends on
    /// lines or message text.
    pub id: String,
    pub rule: String,
    pub severity: Severity,
    pub certainty: Certainty,
    pub message: String,
    /// The bound records, in the order of the rule's bindings. The first is the
    /// primary location.
    pub evidence: Vec<Evidence>,
    pub verdict: Option<VerdictRef>,
    /// For possible findings: the predicates whose truth was unknown, as written.
    pub unknown: Vec<String>,
    /// For possible findings: what made them unknown, value by value (a missing field
    /// and the record it is missing in, an imprecise figure or date).
    pub undecided: Vec<String>,
    /// For a rule with `group by`: the group's key and how many bindings it merges.
    pub group: Option<Group>,
}

/// What a finding of a grouped rule stands for: one key, many bindings. Its evidence
/// is every record of every binding in the group, each once.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The keys in the order of `group by`.
    pub keys: Vec<GroupKey>,
    /// The number of bindings merged (certain and possible).
    pub count: usize,
    /// How many of them were certain.
    pub certain: usize,
}

/// One key of a group: the expression as written and its value (`None`: missing).
#[derive(Clone, Debug, PartialEq)]
pub struct GroupKey {
    pub expr: String,
    pub value: Option<String>,
}

impl Finding {
    /// The stable fingerprint of a rule and its records (FNV-1a 64, hex).
    pub fn fingerprint(rule: &str, records: &[(&str, &str)]) -> String {
        let mut h: u64 = 0xcbf29ce484222325;
        let mut eat = |s: &str| {
            for b in s.bytes().chain(std::iter::once(0u8)) {
                h ^= b as u64;
                h = h.wrapping_mul(0x100000001b3);
            }
        };
        eat(rule);
        for (c, id) in records {
            eat(c);
            eat(id);
        }
        format!("{h:016x}")
    }

    /// The primary location: the first evidence record.
    pub fn primary(&self) -> Option<&Evidence> {
        self.evidence.first()
    }
}

/// The author of a claim: a person, or an organisation (a state, a ministry, a group).
#[derive(Clone, Debug, PartialEq)]
pub struct Claimant {
    pub name: String,
    pub is_person: bool,
}

/// The verdict on one claim, gathered from every verdict rule that fired on it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimVerdict {
    pub claim: String,
    pub claim_text: Option<String>,
    /// Who made the claim (its `claimant`, resolved in `actors` where possible).
    pub claimant: Option<Claimant>,
    pub span: Span,
    /// `None` when verdict rules disagree (`conflicting`).
    pub verdict: Option<VerdictKind>,
    /// Every (verdict, rule, finding id, certainty) behind it.
    pub support: Vec<(VerdictKind, String, String, Certainty)>,
    /// Where the claim appeared: the http(s) URLs of the sources the claim cites.
    pub appearance: Vec<String>,
}

/// Counts shown in the summary line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub rules: usize,
    pub records: usize,
    pub certain: usize,
    pub possible: usize,
    pub suppressed: usize,
    /// Possible findings left out of the report (`--hide-possible`).
    pub hidden_possible: usize,
    pub by_severity: BTreeMap<String, usize>,
    /// Errors in the data the run went on despite (`check` without `--strict`).
    pub data_errors: Option<DataErrors>,
}

/// Errors in the data that rules ran despite, and what they made of the data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DataErrors {
    /// The data's error diagnostics, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// What the rules read instead: values as unknown, records left out.
    pub mended: crate::data::Mended,
}

/// The result of a run: every finding in a deterministic order, rule metadata, claim
/// verdicts and counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub rules: Vec<RuleInfo>,
    pub findings: Vec<Finding>,
    pub verdicts: Vec<ClaimVerdict>,
    pub summary: Summary,
    /// The window of each rule's `a within W of b` whose `W` is a constant (after
    /// `--set`), by rule id, for timelines.
    pub windows: BTreeMap<String, crate::data::Duration>,
}
