//! `factlint validate` (to be written).

use super::GlobalArgs;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Files or folders.
    pub paths: Vec<PathBuf>,
}

pub fn run(_global: &GlobalArgs, _args: ValidateArgs) -> i32 {
    eprintln!("factlint validate: not implemented yet");
    2
}
