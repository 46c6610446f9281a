//! `factlint lsp`: the language server, over standard input and output (`crate::lsp`).

use super::GlobalArgs;
use clap::Args;

#[derive(Args, Debug)]
pub struct LspArgs {
    /// Talk over standard input and output (the only transport; editors that pass
    /// `--stdio` are accepted as they are).
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_global: &GlobalArgs, _args: LspArgs) -> i32 {
    crate::lsp::run_stdio()
}
