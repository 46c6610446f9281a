//! `factlint fmt` (to be written).

use super::GlobalArgs;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct FmtArgs {
    /// Files or folders.
    pub paths: Vec<PathBuf>,
}

pub fn run(_global: &GlobalArgs, _args: FmtArgs) -> i32 {
    eprintln!("factlint fmt: not implemented yet");
    2
}
