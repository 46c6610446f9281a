//! The command line: arguments and config, one file per subcommand. Each subcommand
//! returns an exit code: 0 clean, 1 findings at or above the threshold, 2 the run
//! could not be done.

use crate::diag::diagnostic::ErrorFormat;
use clap::{Args, Parser, Subcommand};

pub mod check;
pub mod ci;
pub mod config;
pub mod explain;
pub mod fmt;
pub mod parse;
pub mod rules;
pub mod schema;
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
    /// When to use colour: auto (a terminal without NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value = "auto")]
    pub color: ColorChoice,
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
        use std::io::IsTerminal;
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
        }
    }
    /// Whether to colour output written to stdout (reports).
    pub fn color_stdout(&self) -> bool {
        use std::io::IsTerminal;
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the rule suite over the data and report findings.
    Check(check::CheckArgs),
    /// Why a finding fired, or why a rule did not fire for given records.
    Explain(explain::ExplainArgs),
    /// Run the rules' own tests (fixtures with expected findings) and report coverage.
    Test(test::TestArgs),
    /// Format rule files in one canonical layout.
    Fmt(fmt::FmtArgs),
    /// Show the syntax tree of a rule file (for debugging rules).
    Parse(parse::ParseArgs),
    /// Check a dataset against its schema and integrity constraints.
    Validate(validate::ValidateArgs),
    /// Print the schema of a dataset (declared, or inferred from the data).
    Schema(schema::SchemaArgs),
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
    run(cli)
}

pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Check(a) => check::run(&cli.global, a),
        Command::Explain(a) => explain::run(&cli.global, a),
        Command::Test(a) => test::run(&cli.global, a),
        Command::Fmt(a) => fmt::run(&cli.global, a),
        Command::Parse(a) => parse::run(&cli.global, a),
        Command::Validate(a) => validate::run(&cli.global, a),
        Command::Schema(a) => schema::run(&cli.global, a),
    }
}

/// Write diagnostics to stderr in the chosen format.
pub fn emit_diagnostics(
    global: &GlobalArgs,
    diags: &[crate::diag::Diagnostic],
    sources: &crate::diag::Sources,
) {
    let text = crate::diag::diagnostic::render_all(
        diags,
        sources,
        global.error_format,
        global.color_stderr(),
        100,
    );
    eprint!("{text}");
}
