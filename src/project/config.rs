//! The project config file, `factlint.yaml`: defaults for every subcommand, so that
//! `factlint check` in a repository with one does the right thing.

use super::Failure;
use crate::data::node::{Entry, Node, NodeKind};
use crate::data::yaml::read_text;
use crate::diag::{did_you_mean, Diagnostic, Sources, Span};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const CONFIG_FILE: &str = "factlint.yaml";

/// A config larger than this is refused (it is a page of settings).
pub const MAX_CONFIG: u64 = 1024 * 1024;

/// Every key `factlint.yaml` knows.
pub const KEYS: [&str; 12] = [
    "rules",
    "data",
    "schema",
    "fail_on",
    "set",
    "suppressions",
    "baseline",
    "tests",
    "as_of",
    "hide_possible",
    "strict",
    "claimreview",
];

/// The values of `fail_on` (in any case, as `--fail-on` takes them).
pub const FAIL_ON: [&str; 4] = ["error", "warning", "info", "never"];

/// One entry of the config's `set:`, with where it was written.
#[derive(Debug, Clone)]
pub struct Setting {
    pub name: String,
    /// The value as rule-language text.
    pub value: String,
    /// The name and the value in `factlint.yaml`.
    pub name_span: Span,
    pub value_span: Span,
}

#[derive(Debug, Default, Clone)]
pub struct Config {
    /// Rule files or folders (default: `rules`).
    pub rules: Vec<PathBuf>,
    /// Dataset folders or files.
    pub data: Vec<PathBuf>,
    /// A schema file for the data.
    pub schema: Option<PathBuf>,
    /// `error`, `warning`, `info` or `never`.
    pub fail_on: Option<String>,
    /// Overrides of the suite's named constants, as rule-language literals, in the
    /// order written.
    pub set: Vec<Setting>,
    /// A suppressions file.
    pub suppressions: Option<PathBuf>,
    /// A baseline file.
    pub baseline: Option<PathBuf>,
    /// Folders of rule tests (`factlint test`).
    pub tests: Vec<PathBuf>,
    /// Evaluate as of this date (`YYYY-MM-DD`; checked when read).
    pub as_of: Option<String>,
    /// Leave possible findings out of reports.
    pub hide_possible: bool,
    /// Stop at data errors before any rule runs (as `--strict`); by default rules run
    /// over the records that loaded, and the errors are reported.
    pub strict: bool,
    /// `claimreview:` — the publisher's fields of ClaimReview output.
    pub claimreview: ClaimReviewConfig,
    pub dir: PathBuf,
    /// The config file read, if one was.
    pub file: Option<PathBuf>,
    /// The text of the config file, to quote in messages that point into it.
    pub text: Option<Arc<str>>,
    /// Where each path of the config was written (as resolved against `dir`).
    pub path_spans: Vec<(PathBuf, Span)>,
    /// What is wrong with the file: unknown keys, values of the wrong kind. [`open`]
    /// refuses a config with any.
    pub problems: Vec<Diagnostic>,
}

impl Config {
    /// The config file's text under its name, for quoting (empty without one).
    pub fn sources(&self) -> Sources {
        let mut s = Sources::new();
        if let (Some(f), Some(t)) = (&self.file, &self.text) {
            s.add(f.display().to_string().into(), t.clone());
        }
        s
    }
}

/// [`load`], refusing a config file with problems (every one of them, located).
pub fn open(path: Option<&Path>) -> Result<Config, Failure> {
    let cfg = load(path).map_err(|d| Failure::one(*d))?;
    if cfg.problems.is_empty() {
        Ok(cfg)
    } else {
        let sources = cfg.sources();
        Err(Failure::new(cfg.problems, sources))
    }
}

/// Read `factlint.yaml` from `path` (or the current folder when `None`). A missing
/// default file is no error; paths in it are relative to its folder. What is wrong in
/// the file is in `problems` (see [`open`]).
pub fn load(path: Option<&Path>) -> Result<Config, Box<Diagnostic>> {
    let (file, explicit) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from(CONFIG_FILE), false),
    };
    let text = match crate::files::read_text(&file, &crate::files::Confine::anywhere(), MAX_CONFIG)
    {
        Ok(t) => t,
        Err(crate::files::FileError::Missing) if !explicit => return Ok(Config::default()),
        Err(e) => {
            return Err(Box::new(
                e.diagnostic("config", &file.display().to_string()),
            ))
        }
    };
    let mut cfg = parse(&file, &text);
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let rel = |p: &mut PathBuf| {
        if p.is_relative() && !dir.as_os_str().is_empty() {
            *p = dir.join(&*p);
        }
    };
    cfg.rules.iter_mut().for_each(rel);
    cfg.data.iter_mut().for_each(rel);
    cfg.tests.iter_mut().for_each(rel);
    if let Some(p) = cfg.schema.as_mut() {
        rel(p)
    }
    if let Some(p) = cfg.suppressions.as_mut() {
        rel(p)
    }
    if let Some(p) = cfg.baseline.as_mut() {
        rel(p)
    }
    cfg.path_spans.iter_mut().for_each(|(p, _)| rel(p));
    cfg.dir = dir;
    cfg.file = Some(file);
    cfg.text = Some(text.into());
    Ok(cfg)
}

/// The config in `text`, with every problem of it located: a key it does not know
/// (with the nearest it does), a value of the wrong kind or not among those allowed.
fn parse(file: &Path, text: &str) -> Config {
    let name: Arc<str> = file.display().to_string().into();
    let mut cfg = Config::default();
    let (docs, problems) = read_text(name, text);
    if !problems.is_empty() {
        cfg.problems = problems;
        return cfg;
    }
    let doc = match docs.as_slice() {
        [] => return cfg,
        [doc] => doc,
        [_, second, ..] => {
            cfg.problems.push(
                Diagnostic::error("A0002", "invalid config file")
                    .at(second.span.clone(), "a second document")
                    .expected("one YAML document"),
            );
            return cfg;
        }
    };
    let entries = match &doc.kind {
        NodeKind::Null => return cfg,
        NodeKind::Map(m) => m,
        _ => {
            cfg.problems.push(
                Diagnostic::error("A0002", "invalid config file")
                    .at(doc.span.clone(), "not a map")
                    .expected(format!("a map of settings: {}", KEYS.join(", ")))
                    .found(doc.describe()),
            );
            return cfg;
        }
    };
    let p = &mut cfg.problems;
    let mut spans = Vec::new();
    let sp = &mut spans;
    for e in entries {
        let v = &e.value;
        if matches!(v.kind, NodeKind::Null) && KEYS.contains(&&*e.key) {
            continue; // `key:` with nothing: the default
        }
        match &*e.key {
            "rules" => cfg.rules = paths(e, p, sp),
            "data" => cfg.data = paths(e, p, sp),
            "tests" => cfg.tests = paths(e, p, sp),
            "schema" => cfg.schema = path(e, p, sp),
            "suppressions" => cfg.suppressions = path(e, p, sp),
            "baseline" => cfg.baseline = path(e, p, sp),
            "fail_on" => {
                cfg.fail_on = string(e, p).filter(|s| {
                    let ok = FAIL_ON.contains(&s.to_ascii_lowercase().as_str());
                    if !ok {
                        let mut d =
                            bad_value(e, "no such level", format!("one of {}", FAIL_ON.join(", ")));
                        if let Some(near) = did_you_mean(s, FAIL_ON) {
                            d = d.help(format!("did you mean `{near}`?"));
                        }
                        p.push(d);
                    }
                    ok
                })
            }
            "as_of" => {
                cfg.as_of = string(e, p).filter(|s| {
                    let ok = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok();
                    if !ok {
                        let mut d =
                            bad_value(e, "not a date", "a date YYYY-MM-DD, such as 2026-01-31");
                        d.code = "A0007".into();
                        p.push(d);
                    }
                    ok
                })
            }
            "hide_possible" => cfg.hide_possible = boolean(e, p),
            "strict" => cfg.strict = boolean(e, p),
            "claimreview" => cfg.claimreview = claimreview(e, p),
            "set" => cfg.set = settings(e, text, p),
            key => {
                let mut d =
                    Diagnostic::error("A0002", format!("unknown key `{key}` in the config"))
                        .at(e.key_span.clone(), "unknown key")
                        .expected(format!("one of {}", KEYS.join(", ")));
                if let Some(near) =
                    did_you_mean(&key.replace('-', "_"), KEYS).or_else(|| did_you_mean(key, KEYS))
                {
                    d = d.help(format!("did you mean `{near}`?"));
                }
                p.push(d);
            }
        }
    }
    cfg.path_spans = spans;
    cfg
}

/// `key: value` is not what `key` takes: at the value, saying what it takes.
fn bad_value(e: &Entry, label: &str, expected: impl Into<String>) -> Diagnostic {
    Diagnostic::error(
        "A0002",
        format!("invalid value of `{}` in the config", e.key),
    )
    .at(e.value.span.clone(), label)
    .expected(expected)
    .found(e.value.describe())
}

/// A scalar as text: strings, and numbers and booleans as written in `text`.
fn scalar(n: &Node, text: &str) -> Option<String> {
    match &n.kind {
        NodeKind::Str(s) | NodeKind::Text(s) => Some(s.to_string()),
        NodeKind::Number(_) | NodeKind::Bool(_) => {
            text.get(n.span.start..n.span.end).map(str::to_string)
        }
        _ => None,
    }
}

fn string(e: &Entry, p: &mut Vec<Diagnostic>) -> Option<String> {
    match &e.value.kind {
        NodeKind::Str(s) | NodeKind::Text(s) => Some(s.trim().to_string()),
        _ => {
            p.push(bad_value(e, "not a string", "a string"));
            None
        }
    }
}

fn path(e: &Entry, p: &mut Vec<Diagnostic>, spans: &mut Vec<(PathBuf, Span)>) -> Option<PathBuf> {
    match &e.value.kind {
        NodeKind::Str(s) | NodeKind::Text(s) if !s.trim().is_empty() => {
            spans.push((PathBuf::from(&**s), e.value.span.clone()));
            Some(PathBuf::from(&**s))
        }
        _ => {
            p.push(bad_value(e, "not a path", "a path"));
            None
        }
    }
}

/// A list of paths, or one path.
fn paths(e: &Entry, p: &mut Vec<Diagnostic>, spans: &mut Vec<(PathBuf, Span)>) -> Vec<PathBuf> {
    let items = match &e.value.kind {
        NodeKind::Seq(items) => items.as_slice(),
        _ => std::slice::from_ref(&e.value),
    };
    let mut out = Vec::new();
    for item in items {
        match &item.kind {
            NodeKind::Str(s) | NodeKind::Text(s) if !s.trim().is_empty() => {
                spans.push((PathBuf::from(&**s), item.span.clone()));
                out.push(PathBuf::from(&**s))
            }
            _ => p.push(
                Diagnostic::error(
                    "A0002",
                    format!("invalid value in `{}` of the config", e.key),
                )
                .at(item.span.clone(), "not a path")
                .expected("a path, or a list of paths")
                .found(item.describe()),
            ),
        }
    }
    out
}

fn boolean(e: &Entry, p: &mut Vec<Diagnostic>) -> bool {
    match e.value.kind {
        NodeKind::Bool(b) => b,
        _ => {
            p.push(bad_value(e, "not `true` or `false`", "`true` or `false`"));
            false
        }
    }
}

/// The publisher's fields of ClaimReview output (`claimreview:` in the config).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ClaimReviewConfig {
    /// The organisation publishing the reviews (`author`).
    pub publisher: Option<String>,
    /// Each review's URL, `{claim}` standing for the claim's id.
    pub url: Option<String>,
    /// `datePublished` (`YYYY-MM-DD`).
    pub date_published: Option<String>,
}

const CLAIMREVIEW_KEYS: [&str; 3] = ["publisher", "url", "date_published"];

fn claimreview(e: &Entry, p: &mut Vec<Diagnostic>) -> ClaimReviewConfig {
    let mut out = ClaimReviewConfig::default();
    let NodeKind::Map(entries) = &e.value.kind else {
        p.push(bad_value(
            e,
            "not a map",
            "a map: `claimreview: {publisher: ..., url: ..., date_published: ...}`",
        ));
        return out;
    };
    for k in entries {
        match &*k.key {
            "publisher" => out.publisher = string(k, p),
            "url" => {
                out.url = string(k, p).filter(|u| {
                    let ok = u.starts_with("https://") || u.starts_with("http://");
                    if !ok {
                        p.push(bad_value(
                            k,
                            "not an http(s) URL",
                            "a URL pattern such as https://example.org/checks/{claim}",
                        ));
                    }
                    ok
                })
            }
            "date_published" => {
                out.date_published = string(k, p).filter(|s| {
                    let ok = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok();
                    if !ok {
                        p.push(bad_value(k, "not a date", "a date YYYY-MM-DD"));
                    }
                    ok
                })
            }
            key => {
                let mut d =
                    Diagnostic::error("A0002", format!("unknown key `{key}` in `claimreview`"))
                        .at(k.key_span.clone(), "unknown key")
                        .expected(format!("one of {}", CLAIMREVIEW_KEYS.join(", ")));
                if let Some(near) = did_you_mean(key, CLAIMREVIEW_KEYS) {
                    d = d.help(format!("did you mean `{near}`?"));
                }
                p.push(d);
            }
        }
    }
    out
}

/// `set:`, a map of constant names to rule-language literals.
fn settings(e: &Entry, text: &str, p: &mut Vec<Diagnostic>) -> Vec<Setting> {
    let NodeKind::Map(entries) = &e.value.kind else {
        p.push(bad_value(
            e,
            "not a map",
            "a map of constant names to values, such as `window: 20 years`",
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in entries {
        match scalar(&s.value, text) {
            Some(value) if !value.trim().is_empty() => out.push(Setting {
                name: s.key.to_string(),
                value: value.trim().to_string(),
                name_span: s.key_span.clone(),
                value_span: s.value.span.clone(),
            }),
            _ => p.push(
                Diagnostic::error("A0004", format!("invalid value for `{}` in `set:`", s.key))
                    .at(s.value.span.clone(), "not a literal")
                    .expected("a literal: a number, a string in quotes, a date like @2026-01-07, a duration like `20 years`")
                    .found(s.value.describe()),
            ),
        }
    }
    out
}
