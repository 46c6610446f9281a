//! The project config file, `factlint.yaml`: defaults for every subcommand, so that
//! `factlint check` in a repository with one does the right thing.

use crate::diag::{Diagnostic, Span};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "factlint.yaml";

/// A config larger than this is refused (it is a page of settings).
pub const MAX_CONFIG: u64 = 1024 * 1024;

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Rule files or folders (default: `rules`).
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    /// Dataset folders or files.
    #[serde(default)]
    pub data: Vec<PathBuf>,
    /// A schema file for the data.
    pub schema: Option<PathBuf>,
    /// `error`, `warning`, `info` or `never`.
    pub fail_on: Option<String>,
    /// Overrides of the suite's named constants, as rule-language literals.
    #[serde(default)]
    pub set: BTreeMap<String, String>,
    /// A suppressions file.
    pub suppressions: Option<PathBuf>,
    /// A baseline file.
    pub baseline: Option<PathBuf>,
    /// Folders of rule tests (`factlint test`).
    #[serde(default)]
    pub tests: Vec<PathBuf>,
    /// Evaluate as of this date (`YYYY-MM-DD`).
    pub as_of: Option<String>,
    /// Leave possible findings out of reports.
    #[serde(default)]
    pub hide_possible: bool,
    /// Stop at data errors before any rule runs (as `--strict`); by default rules run
    /// over the records that loaded, and the errors are reported.
    #[serde(default)]
    pub strict: bool,
    #[serde(skip)]
    pub dir: PathBuf,
    /// The config file read, if one was.
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

/// Read `factlint.yaml` from `path` (or the current folder when `None`). A missing
/// default file is no error; paths in it are relative to its folder.
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
    let mut cfg: Config = if text.trim().is_empty() {
        Config::default()
    } else {
        serde_yaml::from_str(&text).map_err(|e| {
            let name: std::sync::Arc<str> = file.display().to_string().into();
            let mut d = Diagnostic::error("A0002", "invalid config file")
                .expected("the keys rules, data, schema, fail_on, set, suppressions, baseline, tests, as_of, hide_possible, strict")
                .found(e.to_string());
            if let Some(loc) = e.location() {
                d = d.at(
                    Span::new(name, loc.index(), loc.index() + 1, loc.line() as u32, loc.column() as u32),
                    "here",
                );
            }
            Box::new(d)
        })?
    };
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
    cfg.dir = dir;
    cfg.file = Some(file);
    Ok(cfg)
}
