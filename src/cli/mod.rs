//! The command line: arguments and config, one file per subcommand. Each subcommand
//! returns an exit code: 0 clean, 1 findings at or above the threshold, 2 the run
//! could not be done.

use crate::diag::diagnostic::ErrorFormat;
use crate::diag::Severity;
use crate::project::{self, Failure, Project};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

// `eprintln!` and `eprint!` that never panic, for every file of `cli/`: std's panic
// when stderr cannot be written (a full disk, a closed descriptor); here the message
// is lost and the run goes on to its exit code.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
macro_rules! eprint {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

pub mod check;
pub mod completions;
pub mod explain;
pub mod fmt;
pub mod lsp;
pub mod parse;
mod progress;
pub use progress::Progress;
pub mod schema;
pub mod sql;
pub mod test;
pub mod validate;

/// factlint: check curated event datasets against a suite of consistency rules.
#[derive(Parser, Debug)]
#[command(name = "factlint", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand understands.
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// How to show errors in rules, data or arguments.
    #[arg(long, global = true, value_enum, default_value = "human")]
    pub error_format: ErrorFormat,
    /// When to use colour: auto (a terminal, unless NO_COLOR, CLICOLOR=0 or TERM=dumb;
    /// CLICOLOR_FORCE forces it), always, never.
    #[arg(long, global = true, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Use at most N threads (default: one per core).
    #[arg(long, short = 'j', global = true, value_name = "N")]
    pub jobs: Option<usize>,
    /// Print no report on standard output and only errors on standard error: the exit
    /// code says the result (`--output` files are still written).
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say on standard error what was read and how long each step took.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
    /// Leave out of data folders the files and folders this pattern matches
    /// (repeatable; as a `.factlintignore` line: `drafts/`, `*.bak.yaml`, `raw/**`).
    #[arg(long = "exclude", global = true, value_name = "GLOB")]
    pub exclude: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl GlobalArgs {
    /// Whether to colour output written to stderr (diagnostics).
    pub fn color_stderr(&self) -> bool {
        self.color.paints(&std::io::stderr())
    }
    /// Whether to colour output written to stdout (reports).
    pub fn color_stdout(&self) -> bool {
        self.color.paints(&std::io::stdout())
    }
}

impl ColorChoice {
    /// `always` and `never` as said; `auto` as anstream decides for the stream:
    /// never with `NO_COLOR` set, always with `CLICOLOR_FORCE`, never with
    /// `CLICOLOR=0`, else on a terminal whose `TERM` is set and not `dumb`.
    fn paints<S: anstream::stream::RawStream>(self, stream: &S) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                anstream::AutoStream::choice(stream) != anstream::ColorChoice::Never
            }
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the rule suite over the data and report findings.
    #[command(after_help = "Examples:
  factlint check                                 the suite and data of factlint.yaml
  factlint check data/ --rules rules/ --format sarif --output sarif=out.sarif
  factlint check --tag principles --hide-possible
  factlint check --baseline .factlint/baseline.json    only what is new since the baseline
  factlint check --set window=\"10 years\" --as-of 2026-01-31")]
    Check(check::CheckArgs),
    /// Why a finding fired, or why a rule did not fire for given records.
    #[command(after_help = "Examples:
  factlint explain 585a7c33                       why a finding (by id or prefix) fired
  factlint explain --rule claim-after-as-of --bind c=claim-1")]
    Explain(explain::ExplainArgs),
    /// Run the rules' own tests (fixtures with expected findings) and report coverage.
    #[command(after_help = "Examples:
  factlint test                                   every fixture under rules/tests
  factlint test --min-coverage 100")]
    Test(test::TestArgs),
    /// Format rule files in one canonical layout.
    #[command(after_help = "Examples:
  factlint fmt                                    rewrite the suite's rule files
  factlint fmt --check rules/                     list the files that would change (exit 1)
  factlint fmt --diff rules/principles.rules      show what would change")]
    Fmt(fmt::FmtArgs),
    /// Show the syntax tree of a rule file (for debugging rules).
    Parse(parse::ParseArgs),
    /// Check a dataset against its schema and integrity constraints.
    #[command(after_help = "Examples:
  factlint validate                               the data of factlint.yaml
  factlint validate data/ --schema data/schema.yaml")]
    Validate(validate::ValidateArgs),
    /// Print the schema of a dataset (declared, or inferred from the data).
    Schema(schema::SchemaArgs),
    /// Print the SQL that computes each rule's findings (DuckDB, Spark, BigQuery, PostgreSQL).
    #[command(after_help = "Examples:
  factlint sql --dialect duckdb --views           queries, and views over the data files
  factlint sql --dialect bigquery --tables tables.yaml --rule principle-contradicted-by-own-action")]
    Sql(sql::SqlArgs),
    /// Serve the Language Server Protocol over standard input and output, for editors.
    Lsp(lsp::LspArgs),
    /// Print a shell completion script: `factlint completions bash > ~/.local/share/bash-completion/completions/factlint`.
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff): `factlint man > factlint.1`.
    Man(completions::ManArgs),
}

/// Run the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let code = run(cli);
    if STDOUT_FAILED.load(Ordering::Relaxed) {
        // the report did not reach standard output: the run is not a pass
        return code.max(2);
    }
    code
}

pub fn run(cli: Cli) -> i32 {
    if let Some(n) = cli.global.jobs {
        // before any parallel work; a pool already built (a test harness) is kept
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    match cli.command {
        Command::Check(a) => check::run(&cli.global, a),
        Command::Explain(a) => explain::run(&cli.global, a),
        Command::Test(a) => test::run(&cli.global, a),
        Command::Fmt(a) => fmt::run(&cli.global, a),
        Command::Parse(a) => parse::run(&cli.global, a),
        Command::Validate(a) => validate::run(&cli.global, a),
        Command::Schema(a) => schema::run(&cli.global, a),
        Command::Sql(a) => sql::run(&cli.global, a),
        Command::Lsp(a) => lsp::run(&cli.global, a),
        Command::Completions(a) => completions::completions(&cli.global, a),
        Command::Man(a) => completions::man(&cli.global, a),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Write diagnostics to stderr in the chosen format.
pub fn emit_diagnostics(
    global: &GlobalArgs,
    diags: &[crate::diag::Diagnostic],
    sources: &crate::diag::Sources,
) {
    // `--quiet`: errors only
    let errors: Vec<crate::diag::Diagnostic>;
    let diags = if global.quiet {
        errors = diags.iter().filter(|d| d.is_error()).cloned().collect();
        &errors[..]
    } else {
        diags
    };
    let text = crate::diag::diagnostic::render_all(
        diags,
        sources,
        global.error_format,
        global.color_stderr(),
        100,
    );
    eprint!("{text}");
}

/// Show why a step of the project could not go on; the exit code is 2.
pub fn emit_failure(global: &GlobalArgs, failure: &Failure) -> i32 {
    emit_diagnostics(global, &failure.diagnostics, &failure.sources);
    2
}

/// The lowest severity of a certain finding that fails a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn parse(s: &str) -> Option<FailOn> {
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
    /// factlint's own evaluator: indexes, pushdown, every core.
    #[default]
    Planned,
    /// Nested loops over everything: slow and simple, for testing the others.
    #[value(hide = true)]
    Reference,
    /// The rules compiled to SQL and run on embedded DuckDB (a build with
    /// `--features duckdb`; docs/scale.md).
    #[value(name = "duckdb")]
    DuckDb,
}

/// Options shared by `check`, `explain` and `test`: where the rules and data are.
#[derive(Args, Debug, Clone, Default)]
pub struct SuiteArgs {
    /// Rule files or folders (repeatable). Default: `rules:` in factlint.yaml, else `rules/`.
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Only the rules with this tag (repeatable: any of them).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,

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
    /// Stop a rule that holds more than this many bindings: every match it keeps holds
    /// one per variable it binds (bounds memory; docs/budgets.md).
    #[arg(long, value_name = "N", default_value_t = crate::eval::run::DEFAULT_MAX_BINDINGS)]
    pub max_bindings: u64,
    /// Stop a rule that does more than this many units of work: candidates tried,
    /// condition nodes and quantifier elements evaluated (bounds time; docs/budgets.md).
    #[arg(long, value_name = "N", default_value_t = crate::eval::run::DEFAULT_MAX_WORK)]
    pub max_work: u64,
    /// Stop a rule whose query runs longer than this many seconds on DuckDB
    /// (`--engine duckdb`, where work is not counted; docs/budgets.md).
    #[arg(long, value_name = "SECONDS", default_value_t = crate::eval::DEFAULT_TIMEOUT.as_secs())]
    pub timeout: u64,
    /// Refuse data files larger than this many megabytes.
    #[arg(long, value_name = "MB", default_value_t = 512)]
    pub max_file_size: u64,
    /// Read GDELT and ICEWS tables as the event model's actors, statements, actions
    /// and sources.
    #[arg(long)]
    pub import: bool,
    /// Stop at errors in the data, before any rule runs (also `strict: true` in
    /// factlint.yaml). Without it, the errors are reported (exit 2) and rules still run
    /// over every record that loaded.
    #[arg(long)]
    pub strict: bool,
    /// Which engine runs the rules. Findings, their ids and every output are the same
    /// with each; `duckdb` needs a build with `--features duckdb` (docs/scale.md).
    #[arg(long, value_enum, default_value = "planned")]
    pub engine: EngineArg,
}

impl SuiteArgs {
    /// The project options these arguments ask for, with the data paths and the rules
    /// to run.
    pub fn options(&self, data: &[PathBuf], only: &[String]) -> project::Options {
        project::Options {
            tags: self.tags.clone(),
            config: self.config.clone(),
            data: data.to_vec(),
            rules: self.rules.clone(),
            schema: self.schema.clone(),
            set: self.set.clone(),
            only: only.to_vec(),
            as_of: self.as_of.clone(),
            limits: crate::eval::Limits {
                max_bindings: self.max_bindings,
                max_work: self.max_work,
            },
            max_file_size: megabytes(self.max_file_size),
            timeout: std::time::Duration::from_secs(self.timeout),
            import: self.import,
            engine: match self.engine {
                EngineArg::Planned => crate::eval::Engine::Planned,
                EngineArg::Reference => crate::eval::Engine::Reference,
                EngineArg::DuckDb => crate::eval::Engine::DuckDb,
            },
            strict: self.strict,
            ..project::Options::default()
        }
    }
}

/// `--max-file-size` in bytes.
pub fn megabytes(mb: u64) -> u64 {
    mb.saturating_mul(1024 * 1024)
}

/// Open the project, showing why when it cannot be (exit 2).
pub fn open(global: &GlobalArgs, mut options: project::Options) -> Result<Project, i32> {
    options.exclude.extend(global.exclude.iter().cloned());
    // `-` is standard input, which can hold one of them
    let stdin = |paths: &[PathBuf]| paths.iter().any(|p| crate::files::is_stdin(p));
    if stdin(&options.data) && stdin(&options.rules) {
        emit_diagnostics(
            global,
            &[crate::diag::Diagnostic::error(
                "A0020",
                "standard input (`-`) can hold the data or the rules, not both",
            )
            .help("give one of them as a file")],
            &crate::diag::Sources::new(),
        );
        return Err(2);
    }
    Project::open(options).map_err(|f| emit_failure(global, &f))
}

/// Open the project for a command over data only (`validate`, `schema`): its paths,
/// schema file, size limit in megabytes and `--import`.
pub fn open_data(
    global: &GlobalArgs,
    data: Vec<PathBuf>,
    schema: Option<PathBuf>,
    max_file_size_mb: u64,
    import: bool,
) -> Result<Project, i32> {
    open(
        global,
        project::Options {
            data,
            schema,
            max_file_size: megabytes(max_file_size_mb),
            import,
            ..project::Options::default()
        },
    )
}

/// Open and load the project: data, rules, checks, overrides. Warnings are shown; `Err`
/// holds the exit code when the run cannot go on.
pub fn load(global: &GlobalArgs, options: project::Options) -> Result<project::Prepared, i32> {
    // an engine this build lacks is said before anything is read
    if options.engine == crate::eval::Engine::DuckDb {
        if let Err(d) = crate::sql::duckdb::available() {
            emit_diagnostics(global, &[*d], &crate::diag::Sources::new());
            return Err(2);
        }
    }
    let started = std::time::Instant::now();
    let project = open(global, options)?;
    let spinner = Progress::start(global, "loading the data and the rules");
    let prepared = project.load();
    drop(spinner);
    let prepared = prepared.map_err(|f| emit_failure(global, &f))?;
    if global.verbose {
        let records = crate::data::record_count(&prepared.dataset);
        eprintln!(
            "factlint: read {} rule file{} ({} rule{}) and {} record{} in {} collection{}, in {} ms",
            prepared.rule_files.len(),
            plural(prepared.rule_files.len()),
            prepared.suite.rules.len(),
            plural(prepared.suite.rules.len()),
            records,
            plural(records),
            prepared.dataset.collections.len(),
            plural(prepared.dataset.collections.len()),
            started.elapsed().as_millis()
        );
    }
    if !prepared.diagnostics.is_empty() {
        emit_diagnostics(global, &prepared.diagnostics, &prepared.sources);
    }
    Ok(prepared)
}

/// Set when standard output could not be written for a reason other than a closed
/// pipe: the run then exits 2.
static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);

/// Whether standard output failed (the run will exit 2).
pub fn stdout_failed() -> bool {
    STDOUT_FAILED.load(Ordering::Relaxed)
}

/// Write to standard output. A closed pipe (`factlint check | head -1`) or a full
/// disk does not panic: the rest of the run (report files) goes on. A closed pipe is
/// the reader's choice and says nothing; any other failure is said, once, on
/// standard error, and the run exits 2.
pub fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        if e.kind() != std::io::ErrorKind::BrokenPipe
            && !STDOUT_FAILED.swap(true, Ordering::Relaxed)
        {
            eprintln!("error[F0009]: cannot write the report to standard output: {e}");
        }
    }
}
