//! The project layer: one way to go from a folder with `factlint.yaml` (or explicit
//! paths) to a runnable suite, for every front end (the command line today, an editor
//! server or a SQL backend tomorrow).
//!
//! [`Project::open`] reads the config; [`Project::load`] loads and validates the data,
//! reads, parses and checks the rules, applies `--set`, `--rule` and `--as-of`, and
//! hands back a [`Prepared`] suite with every diagnostic. Nothing here prints: every
//! step returns its diagnostics (sorted) with the sources to quote, and the caller
//! shows them.

pub mod ci;
pub mod config;
pub mod fixtures;
mod overrides;
pub mod rules;
pub mod unguarded;

pub use config::{Config, CONFIG_FILE};
pub use rules::LoadedRules;

use crate::check::Suite;
use crate::data::{self, Dataset, LoadOptions};
use crate::diag::{diagnostic, escape, Diagnostic, Level, Sources};
use crate::eval::{DataErrors, Engine, Limits, Report, RunOptions};
use crate::files::{self, Confine};
use crate::syntax::ast;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

/// Diagnostics that stopped a step, with the text of the files they point into.
#[derive(Default)]
pub struct Failure {
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Sources,
}

impl Failure {
    pub fn new(diagnostics: Vec<Diagnostic>, sources: Sources) -> Self {
        Failure {
            diagnostics,
            sources,
        }
    }
    pub(crate) fn one(d: Diagnostic) -> Self {
        Failure::new(vec![d], Sources::new())
    }
}

impl std::fmt::Debug for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.diagnostics).finish()
    }
}

/// What a front end asks of a project; everything left empty comes from
/// `factlint.yaml`, else from the defaults (`rules/`, the current folder).
#[derive(Clone, Debug)]
pub struct Options {
    /// The config file (default: `./factlint.yaml` when present).
    pub config: Option<PathBuf>,
    /// Dataset folders or files.
    pub data: Vec<PathBuf>,
    /// Rule files or folders.
    pub rules: Vec<PathBuf>,
    /// Folders of rule tests.
    pub tests: Vec<PathBuf>,
    /// A schema file for the data.
    pub schema: Option<PathBuf>,
    /// `NAME=VALUE` overrides of the suite's constants, after the config's `set:`.
    pub set: Vec<String>,
    /// Run only these rules.
    pub only: Vec<String>,
    /// Run only the rules with one of these tags (`--tag`).
    pub tags: Vec<String>,
    /// Patterns of files and folders that walks of data folders leave out
    /// (`--exclude`; see `data::LoadOptions::exclude`).
    pub exclude: Vec<String>,
    /// Evaluate as of this date (`YYYY-MM-DD`).
    pub as_of: Option<String>,
    pub limits: Limits,
    /// Refuse data files larger than this many bytes.
    pub max_file_size: u64,
    /// Read GDELT and ICEWS tables as the event model.
    pub import: bool,
    pub engine: Engine,
    /// How long one rule may run on DuckDB (`--timeout`).
    pub timeout: std::time::Duration,
    /// Stop at data errors, before any rule runs (also `strict: true` in the config).
    /// Otherwise rules run over what loaded: see [`Project::load`].
    pub strict: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            config: None,
            data: Vec::new(),
            rules: Vec::new(),
            tests: Vec::new(),
            schema: None,
            set: Vec::new(),
            only: Vec::new(),
            tags: Vec::new(),
            exclude: Vec::new(),
            as_of: None,
            limits: Limits::default(),
            timeout: crate::eval::DEFAULT_TIMEOUT,
            max_file_size: LoadOptions::default().max_file_size,
            import: false,
            engine: Engine::default(),
            strict: false,
        }
    }
}

/// A project: its config and what the front end asked.
#[derive(Clone, Debug)]
pub struct Project {
    pub config: Config,
    pub options: Options,
}

/// Everything a run needs, loaded and checked.
pub struct Prepared {
    pub config: Config,
    pub dataset: Dataset,
    /// The parsed rule files, in load order (for [`Prepared::recheck`]).
    pub rule_files: Vec<ast::File>,
    /// The checked suite, filtered by `--rule`.
    pub suite: Suite,
    /// The text of every rule and data file, for quoting.
    pub sources: Sources,
    pub options: RunOptions,
    pub as_of: Option<chrono::NaiveDate>,
    /// Warnings found while loading, and the data's errors when the run goes on
    /// despite them (sorted); other errors make [`Project::load`] fail.
    pub diagnostics: Vec<Diagnostic>,
    /// Fields rules read without a guard that the data often lacks (`C0023` when the
    /// run shows they left findings possible).
    pub unguarded: Vec<unguarded::Unguarded>,
    /// The data's errors the run goes on despite, and what was made of them; `None`
    /// when the data has none. [`Prepared::run`] puts it in the report's summary.
    pub data_errors: Option<DataErrors>,
}

/// A validated dataset: every diagnostic (sorted), the text to quote, and counts.
pub struct Validation {
    pub dataset: Dataset,
    pub diagnostics: Vec<Diagnostic>,
    pub files: usize,
    pub records: usize,
}

impl Validation {
    /// `2 errors, 1 warning in 7 files, 54 records`.
    pub fn summary(&self) -> String {
        summary_line(&self.diagnostics, self.files, self.records)
    }
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// `2 errors, 1 warning in 7 files, 54 records`.
pub fn summary_line(diags: &[Diagnostic], files: usize, records: usize) -> String {
    let errors = diags.iter().filter(|d| d.level == Level::Error).count();
    let warnings = diags.iter().filter(|d| d.level == Level::Warning).count();
    let n = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    let head = match (errors, warnings) {
        (0, 0) => "no problems".to_string(),
        (e, 0) => n(e, "error", "errors"),
        (0, w) => n(w, "warning", "warnings"),
        (e, w) => format!(
            "{}, {}",
            n(e, "error", "errors"),
            n(w, "warning", "warnings")
        ),
    };
    format!(
        "{head} in {}, {}",
        n(files, "file", "files"),
        n(records, "record", "records")
    )
}

impl Project {
    /// Read the config (a missing default `factlint.yaml` is no error).
    pub fn open(options: Options) -> Result<Project, Failure> {
        let config = config::open(options.config.as_deref())?;
        let project = Project { config, options };
        let outside = project.config_paths_outside();
        if !outside.is_empty() {
            return Err(Failure::new(outside, project.config.sources()));
        }
        Ok(project)
    }

    /// The folder of `factlint.yaml`, when there is one.
    pub fn dir(&self) -> Option<PathBuf> {
        self.config.file.as_ref().map(|_| {
            if self.config.dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                self.config.dir.clone()
            }
        })
    }

    /// Where files named by other files may be read from, for a suite or dataset given
    /// as `paths`: the project folder (of `factlint.yaml`), and each folder given (or
    /// the folder of each file given).
    pub fn confine(&self, paths: &[PathBuf]) -> Confine {
        let mut c = rules::roots_of(paths);
        if let Some(d) = self.dir() {
            c.add(&d);
        }
        c
    }

    /// Paths `factlint.yaml` names must resolve inside its folder: a pull request can
    /// change the config, and must not make a run read `/etc/shadow` or write a
    /// baseline anywhere else. One error per path outside.
    fn config_paths_outside(&self) -> Vec<Diagnostic> {
        let (Some(dir), Some(file)) = (self.dir(), &self.config.file) else {
            return Vec::new();
        };
        let inside = Confine::within([dir.as_path()]);
        let c = &self.config;
        let mut named: Vec<(&str, &PathBuf)> = Vec::new();
        named.extend(c.rules.iter().map(|p| ("rules", p)));
        named.extend(c.data.iter().map(|p| ("data", p)));
        named.extend(c.tests.iter().map(|p| ("tests", p)));
        named.extend(c.schema.iter().map(|p| ("schema", p)));
        named.extend(c.suppressions.iter().map(|p| ("suppressions", p)));
        named.extend(c.baseline.iter().map(|p| ("baseline", p)));
        let name = file.display().to_string();
        named
            .into_iter()
            .filter(|(_, p)| !files::resolves_inside(p, &inside))
            .map(|(key, p)| {
                let at = c
                    .path_spans
                    .iter()
                    .find(|(q, _)| q == p)
                    .map(|(_, s)| s.clone())
                    .unwrap_or_else(|| files::file_span(&name));
                Diagnostic::error(
                    "F0003",
                    format!(
                        "`{key}:` in `{}` names a path outside the project",
                        escape::visible(&name)
                    ),
                )
                .at(at, "outside the folder of factlint.yaml")
                .expected("a path inside the folder of factlint.yaml (symlinks followed)")
                .found(format!("`{}`", escape::visible(&p.display().to_string())))
                .help("paths in factlint.yaml stay inside the project; name a file outside on the command line instead")
            })
            .collect()
    }

    /// A project with no config file: only what `options` says.
    pub fn without_config(options: Options) -> Project {
        Project {
            config: Config::default(),
            options,
        }
    }

    /// The dataset paths: as asked, else `data:` in the config, else the current folder.
    pub fn data_paths(&self) -> Vec<PathBuf> {
        first_of(&self.options.data, &self.config.data, ".")
    }

    /// The rule paths: as asked, else `rules:` in the config, else `rules`.
    pub fn rule_paths(&self) -> Vec<PathBuf> {
        first_of(&self.options.rules, &self.config.rules, "rules")
    }

    /// The rule test folders: as asked, else `tests:` in the config, else `rules/tests`.
    pub fn test_paths(&self) -> Vec<PathBuf> {
        first_of(&self.options.tests, &self.config.tests, "rules/tests")
    }

    /// How data files are read.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            schema: self
                .options
                .schema
                .clone()
                .or_else(|| self.config.schema.clone()),
            max_file_size: self.options.max_file_size,
            import: self.options.import,
            confine: self.confine(&self.data_paths()),
            exclude: self.options.exclude.clone(),
            // the project's own files are never data, wherever a walk meets them
            project_files: self
                .config
                .tests
                .iter()
                .chain(&self.options.tests)
                .chain(self.config.baseline.iter())
                .chain(self.config.suppressions.iter())
                .cloned()
                .collect(),
            ..LoadOptions::default()
        }
    }

    /// Load the data without its integrity checks (for `schema`).
    pub fn load_data(&self) -> data::Loaded {
        data::load_detailed(&self.data_paths(), &self.load_options())
    }

    /// Load the data and check it against its schema and integrity constraints.
    pub fn validate(&self) -> Validation {
        let loaded = self.load_data();
        let mut diagnostics = loaded.diagnostics;
        diagnostics.extend(data::validate(&loaded.dataset));
        diagnostic::sort(&mut diagnostics);
        Validation {
            records: data::record_count(&loaded.dataset),
            files: loaded.files.len(),
            dataset: loaded.dataset,
            diagnostics,
        }
    }

    /// Read and parse the rule files, following includes.
    pub fn read_rules(&self) -> LoadedRules {
        rules::load_within(&self.rule_paths(), self.dir().as_deref())
    }

    /// Whether data errors stop the run (`--strict`, or `strict: true` in the config).
    pub fn strict(&self) -> bool {
        self.options.strict || self.config.strict
    }

    /// Load config, data and rules; check the suite; apply overrides, the rule filter
    /// and as-of. Fails with every error found (sorted) when the run cannot go on:
    /// errors in rules, in overrides, and (with `strict`) in the data. Without
    /// `strict`, errors in the data do not stop the run: they are in
    /// `Prepared::diagnostics` and `Prepared::data_errors`, and rules run over every
    /// record that loaded, a value that failed its type or refers to no record read as
    /// unknown and a record without an id left out ([`data::validate_and_mend`]).
    /// When data errors leave no record at all, the run stops as with `strict`.
    pub fn load(self) -> Result<Prepared, Failure> {
        let strict = self.strict();
        let mut diags: Vec<Diagnostic> = Vec::new();
        let (mut dataset, data_diags) = data::load(&self.data_paths(), &self.load_options());
        let mut sources = dataset.sources.clone();
        let loaded_cleanly = !data_diags.iter().any(Diagnostic::is_error);
        diags.extend(data_diags);
        let mut mended = data::Mended::default();
        if !strict {
            let (checked, m) = data::validate_and_mend(&mut dataset);
            diags.extend(checked);
            mended = m;
        } else if loaded_cleanly {
            // strict: rules run only over data that passes its schema and integrity checks
            diags.extend(data::validate(&dataset));
        }
        let mut data_errors: Vec<Diagnostic> =
            diags.iter().filter(|d| d.is_error()).cloned().collect();
        diagnostic::sort(&mut data_errors);
        let rules = self.read_rules();
        let rule_errors = rules.diags.iter().any(Diagnostic::is_error);
        diags.extend(rules.diags);
        sources.merge(&rules.sources);
        sources.merge(&self.config.sources());
        // nothing loaded at all (a path that does not exist, every file broken): the
        // rules would only add errors of their own against an empty schema
        let nothing_loaded = data::record_count(&dataset) == 0;
        if rule_errors || (!data_errors.is_empty() && (strict || nothing_loaded)) {
            diagnostic::sort(&mut diags);
            return Err(Failure::new(diags, sources));
        }
        let (mut suite, check_diags) = crate::check::check(&rules.files, &dataset.schema);
        let checked = !check_diags.iter().any(Diagnostic::is_error);
        diags.extend(check_diags);
        let overrides =
            overrides::overrides(&suite, &self.config.set, &self.options.set, &mut diags);
        overrides::only(&mut suite, &self.options.only, &mut diags);
        overrides::tagged(&mut suite, &self.options.tags, &mut diags);
        let unguarded = if checked {
            unguarded::candidates(&suite, &dataset, &overrides, &self.options.limits)
        } else {
            Vec::new()
        };
        let as_of = overrides::as_of(
            self.options
                .as_of
                .as_deref()
                .or(self.config.as_of.as_deref()),
            &mut diags,
        );
        diagnostic::sort(&mut diags);
        // errors beyond the data's (which do not stop the run here)
        if diags.iter().filter(|d| d.is_error()).count() > data_errors.len() {
            return Err(Failure::new(diags, sources));
        }
        if let Some(d) = as_of {
            dataset.as_of(d);
        }
        // a retraction or correction dated after the run's day had not happened yet
        dataset.notices_as_of(as_of.unwrap_or_else(|| chrono::Local::now().date_naive()));
        let options = RunOptions {
            engine: self.options.engine,
            limits: self.options.limits,
            timeout: self.options.timeout,
            overrides,
            ..RunOptions::default()
        };
        Ok(Prepared {
            config: self.config,
            dataset,
            rule_files: rules.files,
            suite,
            sources,
            options,
            as_of,
            diagnostics: diags,
            unguarded,
            data_errors: (!data_errors.is_empty()).then_some(DataErrors {
                diagnostics: data_errors,
                mended,
            }),
        })
    }
}

fn first_of(asked: &[PathBuf], configured: &[PathBuf], default: &str) -> Vec<PathBuf> {
    if !asked.is_empty() {
        asked.to_vec()
    } else if !configured.is_empty() {
        configured.to_vec()
    } else {
        vec![PathBuf::from(default)]
    }
}

impl Prepared {
    /// Run the suite over the data. The report's summary says what errors the data
    /// had, when it had any. Besides the evaluator's diagnostics, a warning (`C0023`)
    /// for each field a rule read without a guard that the data often lacks, when it
    /// left findings of the rule possible, with counts.
    pub fn run(&self) -> (Report, Vec<Diagnostic>) {
        let (mut report, mut diags) =
            crate::eval::run(&self.suite, &self.dataset, &self.sources, &self.options);
        report.summary.data_errors = self.data_errors.clone();
        diags.extend(self.unguarded.iter().filter_map(|u| u.confirm(&report)));
        (report, diags)
    }

    /// Parse and check one rule file's new text against the loaded schema and the
    /// other rule files, without reading anything from disk: what an editor needs on
    /// every keystroke. `file` is the name the file was loaded under (or a new one);
    /// the result holds every diagnostic of the suite, sorted. Includes the new text
    /// adds are not followed (that would read files).
    pub fn recheck(&self, file: &str, text: &str) -> Vec<Diagnostic> {
        let name: Arc<str> = file.into();
        let (edited, mut diags) = crate::syntax::parse(name.clone(), text);
        let mut files = self.rule_files.clone();
        match files.iter().position(|f| &*f.span.file == file) {
            Some(i) => files[i] = edited,
            None => files.push(edited),
        }
        let (_, check_diags) = crate::check::check(&files, &self.dataset.schema);
        diags.extend(check_diags);
        diagnostic::sort(&mut diags);
        diags
    }

    /// The constants' values, with overrides.
    fn consts(&self) -> Vec<crate::data::Value> {
        crate::eval::eval_consts(&self.suite, &self.dataset, &self.options.overrides)
    }

    /// Why the rule `rule_id` does or does not fire for the records bound in `bind`
    /// (`(variable, record id)`); variables left out are searched.
    pub fn explain_binding(
        &self,
        rule_id: &str,
        bind: &[(String, String)],
    ) -> Result<String, String> {
        let Some(rule) = self.suite.rules.iter().find(|r| r.info.id == rule_id) else {
            return Err(format!("no rule `{rule_id}` in the suite"));
        };
        crate::eval::explain::explain_binding(
            rule,
            &self.dataset,
            &self.consts(),
            &self.sources,
            bind,
            &self.options.limits,
        )
    }

    /// The explanation of one finding of a report (by id, or a prefix of 6 or more).
    pub fn explain_finding(&self, report: &Report, id: &str) -> Option<String> {
        let f = report
            .findings
            .iter()
            .find(|f| f.id == id || (id.len() >= 6 && f.id.starts_with(id)))?;
        let rule = self.suite.rules.iter().find(|r| r.info.id == f.rule)?;
        let bind: Vec<(String, String)> = f
            .evidence
            .iter()
            .map(|e| (e.var.clone(), e.id.clone()))
            .collect();
        let visible = crate::diag::escape::visible;
        let mut out = format!(
            "finding {} ({})\n  {}\n",
            f.id,
            f.certainty.as_str(),
            visible(&f.message)
        );
        // what made a possible finding possible, value by value
        for u in &f.undecided {
            let _ = writeln!(out, "  because: {}", visible(u));
        }
        match crate::eval::explain::explain_binding(
            rule,
            &self.dataset,
            &{
                // the verdicts `verdict_of` reads are the run's
                let mut c = self.consts();
                crate::eval::set_verdicts(&mut c, &report.verdicts);
                c
            },
            &self.sources,
            &bind,
            &self.options.limits,
        ) {
            Ok(t) => out.push_str(&t),
            Err(e) => {
                let _ = writeln!(out, "  cannot re-bind: {e}");
            }
        }
        Some(out)
    }

    /// Explanations of every finding, for `check --explain`.
    pub fn explain_all(&self, report: &Report) -> String {
        let mut out = String::from("\nexplanations\n\n");
        for f in &report.findings {
            if let Some(t) = self.explain_finding(report, &f.id) {
                out.push_str(&t);
                out.push('\n');
            }
        }
        out
    }
}
