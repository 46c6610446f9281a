//! `factlint parse` (to be written).

use super::GlobalArgs;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ParseArgs {
    /// Files or folders.
    pub paths: Vec<PathBuf>,
}

pub fn run(_global: &GlobalArgs, _args: ParseArgs) -> i32 {
    eprintln!("factlint parse: not implemented yet");
    2
}
