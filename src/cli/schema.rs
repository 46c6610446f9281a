//! `factlint schema` (to be written).

use super::GlobalArgs;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// Files or folders.
    pub paths: Vec<PathBuf>,
}

pub fn run(_global: &GlobalArgs, _args: SchemaArgs) -> i32 {
    eprintln!("factlint schema: not implemented yet");
    2
}
