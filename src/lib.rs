//! factlint: a claim-verification rules engine.
#![forbid(unsafe_code)]
