//! The last stage: a run's `Report` (from `eval`) in every output format, one file per
//! format, with baselines and suppressions that filter findings before they are shown.

pub mod baseline;
pub mod claimreview;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod output;
pub mod sarif;
pub mod suppress;
pub mod text;
