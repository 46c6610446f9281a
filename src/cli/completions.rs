//! `factlint completions SHELL` and `factlint man`: shell completion scripts
//! (clap_complete) and the man page (clap_mangen), made from the same argument
//! definitions as `--help`, so they never drift from the command line.

use super::{Cli, GlobalArgs};
use clap::{Args, CommandFactory};

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct ManArgs {}

pub fn completions(_global: &GlobalArgs, args: CompletionsArgs) -> i32 {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "factlint", &mut out);
    super::out(&String::from_utf8_lossy(&out));
    0
}

pub fn man(_global: &GlobalArgs, _args: ManArgs) -> i32 {
    let mut out = Vec::new();
    if clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .is_err()
    {
        return 2;
    }
    super::out(&String::from_utf8_lossy(&out));
    0
}
