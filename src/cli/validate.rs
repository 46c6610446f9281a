//! `factlint validate`: load a dataset, check it against its schema, and report every
//! problem with file:line:column, then a summary line. Exit 2 on any error.

use super::GlobalArgs;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Files or folders (default: `data:` in factlint.yaml, else the current folder).
    pub paths: Vec<PathBuf>,
    /// The schema file (default: schema.yaml at the root of the dataset folder, else
    /// the schema is inferred from the data).
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// Refuse data files larger than this many megabytes.
    #[arg(long, value_name = "MB", default_value_t = 512)]
    pub max_file_size: u64,
    /// Read GDELT and ICEWS tables as the event model's actors, statements, actions
    /// and sources.
    #[arg(long)]
    pub import: bool,
}

pub fn run(global: &GlobalArgs, args: ValidateArgs) -> i32 {
    let project = match super::open_data(
        global,
        args.paths,
        args.schema,
        args.max_file_size,
        args.import,
    ) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let validation = project.validate();
    super::emit_diagnostics(global, &validation.diagnostics, &validation.dataset.sources);
    eprintln!("{}", validation.summary());
    let code = if validation.has_errors() { 2 } else { 0 };
    // the process ends here: the operating system frees a large dataset at once,
    // where dropping it record by record took a tenth of validating it
    std::mem::forget(validation);
    code
}
