//! Published fact-checks as `reviews` records: schema.org ClaimReview JSON-LD (one
//! object, a list of them, or an `@graph`), and the JSON that Google's Fact Check
//! Tools API returns for a claim search (`claims[].claimReview[]`). A document is
//! recognised by its shape before the schema types it; each review keeps the spans of
//! the values it came from, so its diagnostics and findings point into the file.
//! A review is linked to a claim afterwards (`link`): by a `claim` key where the file
//! gives one, else by the claim's text.

use super::codes;
use super::dataset::Dataset;
use super::load::RawRecord;
use super::node::{Entry, Node, NodeKind};
use super::value::Value;
use crate::diag::{Diagnostic, Span};
use std::sync::Arc;

/// The `reviews` records of a document, if it is a ClaimReview or a Fact Check Tools
/// response; `None` leaves it to the ordinary reading.
pub(crate) fn recognise(stem: &str, doc: &Node) -> Option<Vec<RawRecord>> {
    let mut out = Vec::new();
    let is_review = |n: &Node| matches!(n.get("@type"), Some(Node { kind: NodeKind::Str(t), .. }) if &**t == "ClaimReview");
    match &doc.kind {
        // Fact Check Tools: {"claims": [{"text", "claimReview": [...]}], ...}
        NodeKind::Map(_) if fact_check_tools(doc) => {
            let Some(Node {
                kind: NodeKind::Seq(claims),
                ..
            }) = doc.get("claims")
            else {
                return Some(out);
            };
            for (i, c) in claims.iter().enumerate() {
                let Some(Node {
                    kind: NodeKind::Seq(reviews),
                    ..
                }) = c.get("claimReview")
                else {
                    continue;
                };
                for (j, r) in reviews.iter().enumerate() {
                    let fields = vec![
                        (
                            "id",
                            r.get("url")
                                .cloned()
                                .or_else(|| made(r, format!("{stem}-{}-{}", i + 1, j + 1))),
                        ),
                        ("claim", c.get("claim").cloned()),
                        ("claim_text", c.get("text").cloned()),
                        (
                            "publisher",
                            r.get("publisher")
                                .and_then(|p| p.get("name").or_else(|| p.get("site")))
                                .cloned(),
                        ),
                        ("rating", r.get("textualRating").cloned()),
                        ("date", r.get("reviewDate").cloned()),
                        ("url", r.get("url").cloned()),
                        ("title", r.get("title").cloned()),
                    ];
                    out.push(record(r, fields));
                }
            }
        }
        NodeKind::Map(_) if is_review(doc) => out.push(claim_review(stem, doc, 0)),
        NodeKind::Map(_) => {
            let Some(Node {
                kind: NodeKind::Seq(items),
                ..
            }) = doc.get("@graph")
            else {
                return None;
            };
            if !items.iter().any(is_review) {
                return None;
            }
            for (i, item) in items.iter().enumerate().filter(|(_, n)| is_review(n)) {
                out.push(claim_review(stem, item, i));
            }
        }
        NodeKind::Seq(items) if !items.is_empty() && items.iter().all(is_review) => {
            for (i, item) in items.iter().enumerate() {
                out.push(claim_review(stem, item, i));
            }
        }
        _ => return None,
    }
    Some(out)
}

/// Whether a map is a Fact Check Tools response: `claims` whose items have
/// `claimReview`.
fn fact_check_tools(doc: &Node) -> bool {
    match doc.get("claims") {
        Some(Node {
            kind: NodeKind::Seq(items),
            ..
        }) => !items.is_empty() && items.iter().all(|c| c.get("claimReview").is_some()),
        _ => false,
    }
}

fn claim_review(stem: &str, r: &Node, i: usize) -> RawRecord {
    let name = |n: &Node| n.get("name").cloned().or_else(|| Some(n.clone()));
    let fields = vec![
        (
            "id",
            r.get("@id")
                .or_else(|| r.get("url"))
                .cloned()
                .or_else(|| made(r, format!("{stem}-{}", i + 1))),
        ),
        ("claim", r.get("claim").cloned()),
        ("claim_text", r.get("claimReviewed").cloned()),
        (
            "publisher",
            r.get("author")
                .or_else(|| r.get("publisher"))
                .and_then(name),
        ),
        (
            "rating",
            r.get("reviewRating")
                .and_then(|x| x.get("alternateName").or_else(|| x.get("name")))
                .cloned(),
        ),
        ("date", r.get("datePublished").cloned()),
        ("url", r.get("url").cloned()),
        (
            "title",
            r.get("headline").or_else(|| r.get("name")).cloned(),
        ),
    ];
    record(r, fields)
}

/// A string made for a value the file does not give (an id), at the item's span.
fn made(at: &Node, s: String) -> Option<Node> {
    Some(Node::new(NodeKind::Str(s.into()), at.span.clone()))
}

fn record(at: &Node, fields: Vec<(&str, Option<Node>)>) -> RawRecord {
    let entries = fields
        .into_iter()
        .filter_map(|(k, v)| {
            let v = v?;
            Some(Entry {
                key: Arc::from(k),
                key_span: v.span.clone(),
                value: v,
            })
        })
        .collect();
    RawRecord {
        collection: "reviews".into(),
        node: Node::new(NodeKind::Map(entries), at.span.clone()),
    }
}

/// Link each review without a `claim` to the claim whose text is its `claim_text`
/// (compared as `quoted_in` compares quotes: case, whitespace and quotation marks set
/// aside). A review that matches no claim, or several, is left out with a warning
/// (`D0027`) that says why.
pub fn link(ds: &mut Dataset) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut by_text: std::collections::HashMap<String, Vec<Arc<str>>> = Default::default();
    if let Some(claims) = ds.collections.get("claims") {
        for c in &claims.records {
            if let Some(Value::Str(t)) = c.get("text") {
                by_text
                    .entry(normalise_text(t))
                    .or_default()
                    .push(c.id.clone());
            }
        }
    }
    let Some(reviews) = ds.collections.get_mut("reviews") else {
        return diags;
    };
    reviews.retain_mut(|r| {
        if r.get("claim").is_some() {
            return true;
        }
        let text = match r.get("claim_text") {
            Some(Value::Str(t)) => t.clone(),
            _ => {
                diags.push(not_linked(
                    r.id.clone(),
                    r.span.clone(),
                    "it names no claim and gives no claim text",
                    "a `claim` key, or the text of the claim it reviews",
                ));
                return false;
            }
        };
        match by_text.get(&normalise_text(&text)).map(Vec::as_slice) {
            Some([one]) => {
                r.fields.insert("claim", Value::Str(one.clone()));
                true
            }
            Some(many) => {
                let names: Vec<String> = many.iter().map(|c| format!("`{c}`")).collect();
                diags.push(not_linked(
                    r.id.clone(),
                    r.span_of("claim_text"),
                    &format!(
                        "its claim text is the text of {} claims ({})",
                        many.len(),
                        names.join(", ")
                    ),
                    "the text of exactly one claim, or a `claim` key",
                ));
                false
            }
            None => {
                diags.push(not_linked(
                    r.id.clone(),
                    r.span_of("claim_text"),
                    "no claim has its claim text",
                    "the text of a claim in `claims`, or a `claim` key naming one",
                ));
                false
            }
        }
    });
    diags
}

fn not_linked(id: Arc<str>, span: Span, why: &str, expected: &str) -> Diagnostic {
    Diagnostic::warning(
        codes::REVIEW_NOT_IMPORTED,
        format!("review `{id}` is not linked to a claim: {why}; it is left out"),
    )
    .at(span, "this review")
    .expected(expected.to_string())
    .found(why.to_string())
    .help("add the claim to `claims` with the same text, or give the review a `claim` key with the claim's id")
}

/// A text as quotes and claim texts are compared: in lower case, every run of
/// whitespace one space (none at either end), every kind of quotation mark the plain
/// one (`'` or `"`, guillemets and low quotes included), and invisible characters
/// (zero-width spaces and joiners, soft hyphens, byte order marks) dropped.
pub fn normalise_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '\u{2039}'
            | '\u{203a}' | '`' | '\u{b4}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{ab}'
            | '\u{bb}' | '\u{300c}' | '\u{300d}' => '"',
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => continue,
            c => c,
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::json;
    use crate::data::node::Locator;

    fn reviews_of(text: &str) -> Option<Vec<RawRecord>> {
        let loc = Locator::new("r.json".into(), text);
        let mut diags = Vec::new();
        let docs = json::read(&loc, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        recognise("r", &docs[0])
    }

    fn field<'a>(r: &'a RawRecord, k: &str) -> Option<&'a str> {
        match r.node.get(k).map(|n| &n.kind) {
            Some(NodeKind::Str(s)) => Some(s),
            _ => None,
        }
    }

    #[test]
    fn fact_check_tools_responses_become_one_review_per_claim_review() {
        let r = reviews_of(
            r#"{"claims": [
              {"text": "A", "claimReview": [
                {"publisher": {"name": "P1"}, "url": "https://a/1", "textualRating": "False", "reviewDate": "2026-01-02T00:00:00Z"},
                {"publisher": {"site": "p2.example"}, "textualRating": "True"}]},
              {"text": "B", "claimReview": "not a list"},
              {"text": "C", "claimReview": [{"publisher": "a string"}]}
            ]}"#,
        )
        .expect("recognised");
        assert_eq!(r.len(), 3);
        assert_eq!(field(&r[0], "id"), Some("https://a/1"));
        assert_eq!(field(&r[0], "publisher"), Some("P1"));
        assert_eq!(field(&r[0], "rating"), Some("False"));
        assert_eq!(field(&r[0], "claim_text"), Some("A"));
        // no url: an id made from the file and the positions
        assert_eq!(field(&r[1], "id"), Some("r-1-2"));
        assert_eq!(field(&r[1], "publisher"), Some("p2.example"));
        // a publisher that is no map gives none: D0012 when the schema types it
        assert_eq!(field(&r[2], "publisher"), None);
        assert!(r.iter().all(|x| x.collection == "reviews"));
    }

    #[test]
    fn claim_reviews_alone_in_a_list_or_in_a_graph() {
        let one = r#"{"@type": "ClaimReview", "url": "https://a/1", "claimReviewed": "A",
            "author": {"name": "P"}, "reviewRating": {"alternateName": "Mostly true"}}"#;
        let r = reviews_of(one).expect("recognised");
        assert_eq!(field(&r[0], "rating"), Some("Mostly true"));
        assert_eq!(field(&r[0], "publisher"), Some("P"));
        let list = format!("[{one}, {one}]");
        assert_eq!(reviews_of(&list).map(|r| r.len()), Some(2));
        let graph = format!(r#"{{"@graph": [{one}, {{"@type": "Organization", "name": "x"}}]}}"#);
        assert_eq!(reviews_of(&graph).map(|r| r.len()), Some(1));
        // anything else is left to the ordinary reading
        assert!(reviews_of(r#"{"claims": [{"id": "c1"}]}"#).is_none());
        assert!(reviews_of(r#"[{"@type": "Claim"}]"#).is_none());
        assert!(reviews_of(r#"{"@graph": [{"@type": "Claim"}]}"#).is_none());
        assert!(reviews_of("[]").is_none());
    }

    proptest::proptest! {
        /// A quote is found in any text around it, whatever the case, spacing and
        /// quotation marks of either.
        #[test]
        fn a_quote_is_found_in_any_text_around_it(
            before in "[a-zA-Z \u{201c}\u{201d}\u{ab}\t\n\u{200b}]{0,12}",
            q in "[a-zA-Zé \u{2019}'\"\u{a0}\n\u{ad}]{0,12}",
            after in "[a-zA-Z \u{201c}\u{201d}\u{bb}\t\n]{0,12}",
        ) {
            let text = format!("{before}{q}{after}");
            let (t, n) = (normalise_text(&text), normalise_text(&q));
            proptest::prop_assert!(t.contains(&n), "{n:?} not in {t:?}");
            proptest::prop_assert!(normalise_text(&text.to_uppercase()).contains(&normalise_text(&q.to_uppercase())));
        }
    }
}
