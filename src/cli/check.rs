//! `factlint check`: run the rule suite over the data and report findings.

use super::{config, emit_diagnostics, GlobalArgs};
use crate::check::Suite;
use crate::data::{Dataset, Value};
use crate::diag::Severity;
use crate::diag::{Diagnostic, Sources};
use crate::eval::Report;
use crate::eval::{Engine, RunOptions};
use crate::report::output::{self, Format};
use clap::{Args, ValueEnum};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    fn parse(s: &str) -> Option<FailOn> {
        <FailOn as ValueEnum>::from_str(s, true).ok()
    }
    /// The lowest severity that fails the run, if any does.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Never => None,
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum EngineArg {
    #[default]
    Planned,
    Reference,
}

/// Options shared by `check`, `explain` and `test`: where the rules and data are.
#[derive(Args, Debug, Clone, Default)]
pub struct SuiteArgs {
    /// Rule files or folders (repeatable). Default: `rules:` in factlint.yaml, else `rules/`.
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// A schema file for the data (default: `schema.yaml` in the dataset folder).
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// The project config file (default: ./factlint.yaml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Override a named constant of the suite: `--set window="10 years"` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Evaluate as of this date: records dated later are left out.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Stop a rule whose joins pass this many bindings.
    #[arg(long, value_name = "N", default_value_t = 10_000_000)]
    pub max_bindings: u64,
    /// Refuse data files larger than this many megabytes.
    #[arg(long, value_name = "MB", default_value_t = 512)]
    pub max_file_size: u64,
    /// Read GDELT and ICEWS tables as the event model's actors, statements, actions
    /// and sources.
    #[arg(long)]
    pub import: bool,
    /// Which evaluator runs the rules (the reference one is for testing).
    #[arg(long, value_enum, default_value = "planned", hide = true)]
    pub engine: EngineArg,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Dataset folders or files. Default: `data:` in factlint.yaml.
    pub data: Vec<PathBuf>,
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Also write a report to a file: `--output sarif=factlint.sarif` (repeatable).
    #[arg(long = "output", value_name = "FORMAT=PATH")]
    pub outputs: Vec<String>,
    /// The lowest severity of a certain finding that fails the run (exit 1).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Let possible findings fail the run too.
    #[arg(long)]
    pub fail_on_possible: bool,
    /// Run only this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rule: Vec<String>,
    /// Report at most this many findings.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub max_findings: usize,
    /// Report only findings not in this baseline, and the baseline's resolved entries.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the findings of this run as a baseline.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// A suppressions file of reviewed exceptions.
    #[arg(long, value_name = "FILE")]
    pub suppressions: Option<PathBuf>,
    /// After each finding, show every predicate of its rule and the values compared.
    #[arg(long)]
    pub explain: bool,
}

/// Everything a run needs, loaded and checked.
pub struct Loaded {
    pub cfg: config::Config,
    pub dataset: Dataset,
    pub suite: Suite,
    pub rule_sources: Sources,
    pub options: RunOptions,
    pub as_of: Option<chrono::NaiveDate>,
}

/// Parse a `--set` value as a rule-language constant expression.
fn parse_set_value(name: &str, text: &str) -> Result<Value, Box<Diagnostic>> {
    let src = format!("const {name} = {text}\n");
    let file: std::sync::Arc<str> = format!("--set {name}").into();
    let (ast, diags) = crate::syntax::parse(file, &src);
    let bad = || {
        Box::new(
            Diagnostic::error("A0004", format!("invalid value for `--set {name}`"))
                .expected("a literal: a number, a string in quotes, a date like @2026-01-07, a duration like `20 years`")
                .found(format!("`{text}`")),
        )
    };
    if diags.iter().any(|d| d.is_error()) {
        return Err(bad());
    }
    let Some(crate::syntax::ast::Item::Const(c)) = ast.items.first() else {
        return Err(bad());
    };
    let schema = crate::data::Schema::default();
    let (suite, diags) = crate::check::check(std::slice::from_ref(&ast), &schema);
    if diags.iter().any(|d| d.is_error())
        || c.value.kind == crate::syntax::ast::ExprKind::List(vec![])
    {
        return Err(bad());
    }
    let ds = Dataset::default();
    let vals = crate::eval::eval_consts(&suite, &ds, &BTreeMap::new());
    match vals.into_iter().next() {
        Some(v) if v != Value::Null => Ok(v),
        _ => Err(bad()),
    }
}

/// Load config, data and rules; check the suite. Diagnostics are emitted; `Err` holds
/// the exit code when the run cannot go on.
pub fn load(
    global: &GlobalArgs,
    data: &[PathBuf],
    args: &SuiteArgs,
    only: &[String],
) -> Result<Loaded, i32> {
    let cfg = match config::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(d) => {
            emit_diagnostics(global, &[*d], &Sources::new());
            return Err(2);
        }
    };
    let mut diags: Vec<Diagnostic> = Vec::new();
    // data
    let data_paths: Vec<PathBuf> = if !data.is_empty() {
        data.to_vec()
    } else if !cfg.data.is_empty() {
        cfg.data.clone()
    } else {
        vec![PathBuf::from(".")]
    };
    let mut opts = super::validate::options(
        args.schema.clone().or_else(|| cfg.schema.clone()),
        args.max_file_size,
    );
    opts.import = args.import;
    let (mut dataset, data_diags) = crate::data::load(&data_paths, &opts);
    let mut all_sources = dataset.sources.clone();
    let loaded_cleanly = !data_diags.iter().any(|d| d.is_error());
    diags.extend(data_diags);
    // rules run only over data that passes its schema and integrity checks
    if loaded_cleanly {
        diags.extend(crate::data::validate(&dataset));
    }
    // rules
    let rule_paths: Vec<PathBuf> = if !args.rules.is_empty() {
        args.rules.clone()
    } else if !cfg.rules.is_empty() {
        cfg.rules.clone()
    } else {
        vec![PathBuf::from("rules")]
    };
    let loaded = super::rules::load(&rule_paths);
    diags.extend(loaded.diags);
    all_sources.merge(&loaded.sources);
    if diags.iter().any(|d| d.is_error()) {
        crate::diag::diagnostic::sort(&mut diags);
        emit_diagnostics(global, &diags, &all_sources);
        return Err(2);
    }
    let (mut suite, check_diags) = crate::check::check(&loaded.files, &dataset.schema);
    diags.extend(check_diags);
    // overrides
    let mut overrides = BTreeMap::new();
    let mut sets: Vec<(String, String)> = cfg
        .set
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for s in &args.set {
        match s.split_once('=') {
            Some((k, v)) => sets.push((k.trim().to_string(), v.trim().to_string())),
            None => diags.push(
                Diagnostic::error("A0004", format!("invalid `--set {s}`"))
                    .expected("NAME=VALUE")
                    .found(format!("`{s}`")),
            ),
        }
    }
    for (k, v) in sets {
        let Some(c) = suite.consts.iter().find(|c| c.name == k) else {
            let names: Vec<&str> = suite.consts.iter().map(|c| c.name.as_str()).collect();
            let mut d = Diagnostic::error("A0005", format!("the suite has no constant `{k}`"))
                .expected(if names.is_empty() {
                    "a constant of the suite".to_string()
                } else {
                    format!("one of {}", names.join(", "))
                });
            if let Some(s) = crate::diag::suggest::did_you_mean(&k, names.iter().copied()) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            diags.push(d);
            continue;
        };
        match parse_set_value(&k, &v) {
            Ok(val) => {
                let want = &c.expr.ty;
                let got = crate::check::ir::Ty::from_value(&val);
                if !want.comparable(&got) {
                    diags.push(
                        Diagnostic::error("A0004", format!("`--set {k}` has the wrong type"))
                            .at(c.span.clone(), format!("`{k}` is a {want}"))
                            .expected(format!("a {want}"))
                            .found(format!("a {got}")),
                    );
                } else {
                    overrides.insert(k, val);
                }
            }
            Err(d) => diags.push(*d),
        }
    }
    if !only.is_empty() {
        for id in only {
            if !suite.rules.iter().any(|r| &r.info.id == id) {
                let ids: Vec<&str> = suite.rules.iter().map(|r| r.info.id.as_str()).collect();
                let mut d = Diagnostic::error("A0006", format!("no rule `{id}` in the suite"));
                let near =
                    crate::diag::suggest::did_you_mean(id, ids.iter().copied()).or_else(|| {
                        ids.iter()
                            .copied()
                            .find(|r| r.starts_with(id.as_str()) || r.contains(id.as_str()))
                    });
                if let Some(s) = near {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                diags.push(d);
            }
        }
        suite.rules.retain(|r| only.contains(&r.info.id));
    }
    // as-of
    let as_of_text = args.as_of.clone().or_else(|| cfg.as_of.clone());
    let mut as_of = None;
    if let Some(t) = as_of_text {
        match chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
            Ok(d) => as_of = Some(d),
            Err(_) => diags.push(
                Diagnostic::error("A0007", "invalid `--as-of` date")
                    .expected("a date like 2026-01-31")
                    .found(format!("`{t}`")),
            ),
        }
    }
    crate::diag::diagnostic::sort(&mut diags);
    let failed = diags.iter().any(|d| d.is_error());
    if !diags.is_empty() {
        emit_diagnostics(global, &diags, &all_sources);
    }
    if failed {
        return Err(2);
    }
    if let Some(d) = as_of {
        dataset.as_of(d);
    }
    let options = RunOptions {
        engine: match args.engine {
            EngineArg::Planned => Engine::Planned,
            EngineArg::Reference => Engine::Reference,
        },
        limits: crate::eval::Limits {
            max_bindings: args.max_bindings,
        },
        overrides,
        ..RunOptions::default()
    };
    Ok(Loaded {
        cfg,
        dataset,
        suite,
        rule_sources: all_sources,
        options,
        as_of,
    })
}

/// How many findings fail the run at this threshold.
pub fn failing(report: &Report, fail_on: FailOn, possible: bool) -> usize {
    fail_on
        .threshold()
        .map(|t| output::count_at_or_above(report, t, possible))
        .unwrap_or(0)
}

pub fn run(global: &GlobalArgs, args: CheckArgs) -> i32 {
    let mut loaded = match load(global, &args.data, &args.suite, &args.rule) {
        Ok(l) => l,
        Err(code) => return code,
    };
    loaded.options.max_findings = args.max_findings;
    let (mut report, run_diags) = crate::eval::run(
        &loaded.suite,
        &loaded.dataset,
        &loaded.rule_sources,
        &loaded.options,
    );
    let mut code = 0;
    if !run_diags.is_empty() {
        emit_diagnostics(global, &run_diags, &loaded.rule_sources);
        if run_diags.iter().any(|d| d.is_error()) {
            code = 2;
        }
    }
    let suppressed = match super::ci::apply(global, &args, &loaded, &mut report) {
        Ok(s) => s,
        Err(c) => return c,
    };
    // SARIF shows suppressed findings as dismissed, with the reviewer's reason
    let render = |format: Format, color: bool| match (&suppressed, format) {
        (Some((found, entries)), Format::Sarif) => {
            crate::report::sarif::render_sarif_with_suppressed(
                &report,
                env!("CARGO_PKG_VERSION"),
                found,
                entries,
            )
        }
        _ => output::render(format, &report, color),
    };
    let color = global.color_stdout();
    let mut text = render(args.format, color);
    if args.explain && args.format == Format::Text {
        text.push_str(&super::explain::explain_all(&loaded, &report));
    }
    print!("{text}");
    for spec in &args.outputs {
        let spec = match output::parse_output_spec(spec) {
            Ok(s) => s,
            Err(e) => {
                emit_diagnostics(
                    global,
                    &[Diagnostic::error("A0008", format!("invalid `--output {spec}`")).found(e)],
                    &Sources::new(),
                );
                return 2;
            }
        };
        let body = render(spec.format, false);
        if let Err(e) = output::write_atomic(&spec.path, body.as_bytes()) {
            emit_diagnostics(
                global,
                &[
                    Diagnostic::error("A0009", format!("cannot write `{}`", spec.path.display()))
                        .found(e.to_string()),
                ],
                &Sources::new(),
            );
            return 2;
        }
    }
    if code != 0 {
        return code;
    }
    let fail_on = args
        .fail_on
        .or_else(|| loaded.cfg.fail_on.as_deref().and_then(FailOn::parse))
        .unwrap_or(FailOn::Warning);
    let n = failing(&report, fail_on, args.fail_on_possible);
    let code = i32::from(n > 0);
    if n > 0 && args.format == Format::Text {
        let threshold = fail_on.threshold().map(|s| s.as_str()).unwrap_or("never");
        eprintln!(
            "exit 1: {n} finding{} at or above --fail-on {threshold}",
            if n == 1 { "" } else { "s" }
        );
    }
    // the process ends here: freeing a large dataset and report record by record
    // took a sixth of a 100k-record run, and the operating system does it at once
    std::mem::forget(report);
    std::mem::forget(loaded);
    code
}
