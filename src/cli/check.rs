//! `factlint check`: run the rule suite over the data and report findings.

use super::{emit_diagnostics, emit_failure, FailOn, GlobalArgs, SuiteArgs};
use crate::diag::{Diagnostic, Sources};
use crate::eval::Report;
use crate::project::ci::{self, CiOptions};
use crate::report::output::{self, Format};
use clap::Args;
use std::path::PathBuf;

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
    /// Leave possible findings (those resting on unknown values) out of the report;
    /// the summary says how many were hidden. Also `hide_possible: true` in factlint.yaml.
    #[arg(long, conflicts_with = "fail_on_possible")]
    pub hide_possible: bool,
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
    /// ClaimReview: the organisation publishing the reviews (`author`; also
    /// `claimreview: {publisher: ...}` in factlint.yaml).
    #[arg(long, value_name = "NAME")]
    pub claimreview_publisher: Option<String>,
    /// ClaimReview: each review's URL, `{claim}` standing for the claim's id
    /// (`https://example.org/checks/{claim}`).
    #[arg(long, value_name = "PATTERN")]
    pub claimreview_url: Option<String>,
    /// ClaimReview: `datePublished` of the reviews (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub claimreview_date: Option<String>,
    /// Print how long each rule took, slowest first, on standard error (times vary
    /// from run to run: they are never in a report).
    #[arg(long)]
    pub time: bool,
    /// With the text format: one line per finding (`file:line:col: severity[rule]:
    /// message`), then the summary.
    #[arg(long, conflicts_with = "explain")]
    pub compact: bool,
}

/// How many findings fail the run at this threshold.
pub fn failing(report: &Report, fail_on: FailOn, possible: bool) -> usize {
    fail_on
        .threshold()
        .map(|t| output::count_at_or_above(report, t, possible))
        .unwrap_or(0)
}

pub fn run(global: &GlobalArgs, args: CheckArgs) -> i32 {
    let mut loaded = match super::load(global, args.suite.options(&args.data, &args.rule)) {
        Ok(l) => l,
        Err(code) => return code,
    };
    loaded.options.max_findings = args.max_findings;
    // ClaimReview is published: its required and publisher fields are checked before
    // the run, so a CI job fails at once rather than after writing half its reports
    let claimreview = claimreview_options(&args, &loaded.config.claimreview);
    let wants_claimreview = args.format == Format::ClaimReview
        || args
            .outputs
            .iter()
            .any(|o| output::parse_output_spec(o).is_ok_and(|s| s.format == Format::ClaimReview));
    if wants_claimreview {
        if let Err(d) = check_claimreview(&claimreview) {
            emit_diagnostics(global, &d, &Sources::new());
            return 2;
        }
    }
    let timings = args.time.then(crate::eval::Timings::default);
    loaded.options.timings = timings.clone();
    let started = std::time::Instant::now();
    let spinner = super::Progress::start(global, "running the rules");
    let (mut report, run_diags) = loaded.run();
    drop(spinner);
    if let Some(t) = &timings {
        let mut list = t.lock().map(|l| l.clone()).unwrap_or_default();
        list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        eprintln!(
            "factlint: time per rule, slowest first ({} rules in {:.1} ms)",
            list.len(),
            started.elapsed().as_secs_f64() * 1000.0
        );
        for (rule, took, n) in list {
            eprintln!(
                "  {:>9.2} ms  {}  ({n} finding{})",
                took.as_secs_f64() * 1000.0,
                crate::diag::escape::visible(&rule),
                if n == 1 { "" } else { "s" }
            );
        }
    }
    if global.verbose {
        eprintln!(
            "factlint: ran {} rule{} in {} ms: {} finding{}",
            report.rules.len(),
            if report.rules.len() == 1 { "" } else { "s" },
            started.elapsed().as_millis(),
            report.findings.len(),
            if report.findings.len() == 1 { "" } else { "s" },
        );
    }
    let mut code = 0;
    if !run_diags.is_empty() {
        emit_diagnostics(global, &run_diags, &loaded.sources);
        if run_diags.iter().any(|d| d.is_error()) {
            code = 2;
        }
    }
    // a baseline holds every finding of a complete run, or is not written
    let incomplete = if code == 2 {
        Some("the run had errors".to_string())
    } else if loaded.data_errors.is_some() {
        Some("the data has errors, so the rules ran over part of it".to_string())
    } else if run_diags.iter().any(|d| d.code == "E0002") {
        Some(format!(
            "--max-findings {} cut the findings",
            args.max_findings
        ))
    } else {
        None
    };
    let ci_options = CiOptions {
        suppressions: args.suppressions.clone(),
        baseline: args.baseline.clone(),
        write_baseline: args.write_baseline.clone(),
        incomplete,
        some_rules: !args.rule.is_empty(),
    };
    let suppressed = match ci::apply(&loaded, &ci_options, &mut report) {
        Ok(outcome) => {
            if !outcome.diagnostics.is_empty() {
                emit_diagnostics(global, &outcome.diagnostics, &outcome.sources);
            }
            if let Some(diff) = outcome.baseline_diff.as_ref().filter(|_| !global.quiet) {
                eprint!("{diff}");
            }
            outcome.suppressed
        }
        Err(f) => return emit_failure(global, &f),
    };
    // after the baseline is written: it keeps the possible findings hidden here
    if args.hide_possible || loaded.config.hide_possible {
        output::hide_possible(&mut report);
    }
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
        (_, Format::ClaimReview) => {
            crate::report::claimreview::render_claimreview(&report, &claimreview)
        }
        _ => output::render(format, &report, color),
    };
    let color = global.color_stdout();
    let mut text = if args.compact && args.format == Format::Text {
        crate::report::text::render_compact(&report, color)
    } else {
        render(args.format, color)
    };
    if args.explain && args.format == Format::Text {
        text.push_str(&loaded.explain_all(&report));
    }
    if !global.quiet {
        super::out(&text);
    }
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
        if let Err(e) = crate::files::write(&spec.path, body.as_bytes()) {
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
    if let Some(errors) = &loaded.data_errors {
        if args.format == Format::Text {
            eprintln!(
                "exit 2: the data has {}; the rules ran over the records that loaded (--strict stops before them)",
                crate::report::output::plural(errors.diagnostics.len(), "error", "errors")
            );
        }
        code = 2;
    }
    if code != 0 {
        return code;
    }
    let fail_on = args
        .fail_on
        .or_else(|| loaded.config.fail_on.as_deref().and_then(FailOn::parse))
        .unwrap_or(FailOn::Warning);
    let n = failing(&report, fail_on, args.fail_on_possible);
    let code = i32::from(n > 0);
    if n > 0 && args.format == Format::Text && !super::stdout_failed() && !global.quiet {
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

/// The ClaimReview options: the flags, else `claimreview:` in factlint.yaml.
fn claimreview_options(
    args: &CheckArgs,
    cfg: &crate::project::config::ClaimReviewConfig,
) -> crate::report::claimreview::ClaimReviewOptions {
    crate::report::claimreview::ClaimReviewOptions {
        publisher: args.claimreview_publisher.clone().or(cfg.publisher.clone()),
        date_published: args.claimreview_date.clone().or(cfg.date_published.clone()),
        url: args.claimreview_url.clone().or(cfg.url.clone()),
        ..Default::default()
    }
}

/// Every field ClaimReview output lacks (`A0018`), and a bad date or URL (`A0019`).
fn check_claimreview(
    opts: &crate::report::claimreview::ClaimReviewOptions,
) -> Result<(), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    for (field, how) in crate::report::claimreview::missing_fields(opts) {
        diags.push(
            Diagnostic::error(
                "A0018",
                format!("ClaimReview output needs `{field}`"),
            )
            .expected(format!("`{field}` in every ClaimReview, as Google's structured-data guidelines and publishers need it"))
            .found("none given")
            .help(format!("give it with {how}")),
        );
    }
    if let Some(d) = &opts.date_published {
        if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
            diags.push(
                Diagnostic::error("A0019", "invalid ClaimReview `datePublished`")
                    .expected("a date YYYY-MM-DD")
                    .found(format!("`{}`", crate::diag::escape::visible(d))),
            );
        }
    }
    if let Some(u) = &opts.url {
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            diags.push(
                Diagnostic::error("A0019", "invalid ClaimReview `url` pattern")
                    .expected("an http(s) URL, `{claim}` standing for the claim's id")
                    .found(format!("`{}`", crate::diag::escape::visible(u))),
            );
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(diags)
    }
}
