//! schema.org ClaimReview JSON-LD for claim verdicts, the format fact-checkers publish
//! and search engines read: one ClaimReview object per claim with a verdict.

use crate::diag::escape::json_for_html;
use crate::diag::VerdictKind;
use crate::eval::{Certainty, ClaimVerdict, Report};
use crate::report::output::verdict_label;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the report does not know about the review itself. Everything is optional so
/// that the output stays deterministic: no date is taken from the clock.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClaimReviewOptions {
    /// The organisation publishing the reviews (`author` of each ClaimReview).
    pub publisher: Option<String>,
    /// `datePublished` of each ClaimReview (`YYYY-MM-DD`).
    pub date_published: Option<String>,
    /// Who made each claim, by claim id (`itemReviewed.author`), until claim
    /// verdicts carry their claimant.
    pub claimants: BTreeMap<String, Claimant>,
    /// Leave out claims whose verdict rules disagree (`conflicting`).
    pub skip_conflicting: bool,
    /// The URL of each review's page, `{claim}` standing for the claim's id
    /// (percent-encoded): `https://example.org/checks/{claim}`.
    pub url: Option<String>,
}

/// The fields Google's structured-data guidelines for ClaimReview require (`url`) or
/// that a publisher needs (`author`, `datePublished`) that `opts` lacks, each with
/// how to give it.
pub fn missing_fields(opts: &ClaimReviewOptions) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if opts.url.is_none() {
        out.push(("url", "--claimreview-url PATTERN or `claimreview: {url: ...}` ({claim} stands for the claim's id)"));
    }
    if opts.publisher.is_none() {
        out.push((
            "author",
            "--claimreview-publisher NAME or `claimreview: {publisher: ...}`",
        ));
    }
    if opts.date_published.is_none() {
        out.push((
            "datePublished",
            "--claimreview-date YYYY-MM-DD or `claimreview: {date_published: ...}`",
        ));
    }
    out
}

/// `pattern` with `{claim}` replaced by `claim`, percent-encoded as a URL path segment.
fn review_url(pattern: &str, claim: &str) -> String {
    let mut id = String::new();
    for b in claim.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            id.push(b as char);
        } else {
            id.push_str(&format!("%{b:02X}"));
        }
    }
    pattern.replace("{claim}", &id)
}

pub use crate::eval::finding::Claimant;

#[derive(Serialize)]
struct ClaimReview<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    identifier: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(rename = "claimReviewed")]
    claim_reviewed: &'a str,
    #[serde(rename = "reviewRating")]
    review_rating: Rating,
    #[serde(rename = "reviewBody")]
    review_body: String,
    #[serde(rename = "itemReviewed")]
    item_reviewed: Claim<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<Agent<'a>>,
    #[serde(rename = "datePublished", skip_serializing_if = "Option::is_none")]
    date_published: Option<&'a str>,
}

#[derive(Serialize)]
struct Rating {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "alternateName")]
    alternate_name: &'static str,
}

#[derive(Serialize)]
struct Claim<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<Agent<'a>>,
    /// Where the claim appeared (its sources' URLs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    appearance: Vec<Work<'a>>,
}

#[derive(Serialize)]
struct Work<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct Agent<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

/// The rating's `alternateName`: `Supported`, `Refuted`, `Not enough evidence`,
/// `Conflicting evidence`.
pub fn rating_name(v: Option<VerdictKind>) -> &'static str {
    match v {
        Some(VerdictKind::Supported) => "Supported",
        Some(VerdictKind::Refuted) => "Refuted",
        Some(VerdictKind::NotEnoughEvidence) => "Not enough evidence",
        None => "Conflicting evidence",
    }
}

/// A sentence naming the rules behind a verdict, e.g. `Refuted according to rule
/// superlative-not-maximum.`
fn review_body(v: &ClaimVerdict) -> String {
    let mut parts: Vec<String> = Vec::new();
    // certain findings first: they rate the claim; possible ones only say what might
    for (kind, rule, _, certainty) in v
        .support
        .iter()
        .filter(|s| s.3 == Certainty::Certain)
        .chain(v.support.iter().filter(|s| s.3 == Certainty::Possible))
    {
        let p = match certainty {
            Certainty::Certain => {
                format!("{} according to rule {rule}", verdict_label(Some(*kind)))
            }
            Certainty::Possible => format!(
                "possibly {} according to rule {rule}, on values that are not known",
                verdict_label(Some(*kind))
            ),
        };
        if !parts.contains(&p) {
            parts.push(p);
        }
    }
    if v.verdict == Some(VerdictKind::NotEnoughEvidence)
        && !v.support.is_empty()
        && v.support.iter().all(|s| s.3 == Certainty::Possible)
    {
        return format!("Not enough evidence: {}.", parts.join("; "));
    }
    if parts.is_empty() {
        return match v.verdict {
            Some(VerdictKind::NotEnoughEvidence) => {
                "Not enough evidence: no rule found the claim supported or refuted.".to_string()
            }
            other => format!("{}.", rating_name(other)),
        };
    }
    let body = parts.join("; ");
    let mut chars = body.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => body,
    }
}

/// The claim verdicts as a JSON array of ClaimReview objects (pretty, ending in a
/// newline). Claims without text are left out: a ClaimReview needs `claimReviewed`.
/// The JSON is safe to paste into an HTML `<script type="application/ld+json">`
/// block, where JSON-LD is published: `<`, `>`, `&`, U+2028 and U+2029 in strings are
/// written as `\u003c`... (`diag::escape::json_for_html`), the same JSON value.
pub fn render_claimreview(report: &Report, opts: &ClaimReviewOptions) -> String {
    let reviews: Vec<ClaimReview<'_>> = report
        .verdicts
        .iter()
        .filter(|v| !(opts.skip_conflicting && v.verdict.is_none()))
        .filter_map(|v| {
            let text = v.claim_text.as_deref()?;
            Some(ClaimReview {
                context: "https://schema.org",
                kind: "ClaimReview",
                identifier: &v.claim,
                url: opts.url.as_deref().map(|p| review_url(p, &v.claim)),
                claim_reviewed: text,
                review_rating: Rating {
                    kind: "Rating",
                    alternate_name: rating_name(v.verdict),
                },
                review_body: review_body(v),
                item_reviewed: Claim {
                    kind: "Claim",
                    author: opts
                        .claimants
                        .get(&v.claim)
                        .or(v.claimant.as_ref())
                        .map(|c| Agent {
                            kind: if c.is_person {
                                "Person"
                            } else {
                                "Organization"
                            },
                            name: &c.name,
                        }),
                    appearance: v
                        .appearance
                        .iter()
                        .map(|u| Work {
                            kind: "CreativeWork",
                            url: u,
                        })
                        .collect(),
                },
                author: opts.publisher.as_deref().map(|name| Agent {
                    kind: "Organization",
                    name,
                }),
                date_published: opts.date_published.as_deref(),
            })
        })
        .collect();
    let mut s = json_for_html(&serde_json::to_string_pretty(&reviews).unwrap_or_default());
    s.push('\n');
    s
}
