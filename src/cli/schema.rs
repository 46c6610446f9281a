//! `factlint schema`: print the schema of a dataset (declared, or inferred from the
//! data) as a schema file that can be saved and loaded back.

use super::GlobalArgs;
use crate::data;
use crate::diag::diagnostic;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// Files or folders (default: examples/venezuela-2026 if it exists, else the
    /// current folder).
    pub paths: Vec<PathBuf>,
    /// The schema file to show instead of the dataset's.
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// Print the shipped default event model.
    #[arg(long, conflicts_with_all = ["paths", "schema"])]
    pub event_model: bool,
    /// Refuse data files larger than this many megabytes.
    #[arg(long, value_name = "MB", default_value_t = 512)]
    pub max_file_size: u64,
    /// Read GDELT and ICEWS tables as the event model's actors, statements, actions
    /// and sources.
    #[arg(long)]
    pub import: bool,
}

pub fn run(global: &GlobalArgs, args: SchemaArgs) -> i32 {
    if args.event_model {
        super::out(&data::schema_to_yaml(&data::event_model()));
        return 0;
    }
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
    let loaded = project.load_data();
    let (ds, mut diags) = (loaded.dataset, loaded.diagnostics);
    // only what stops the schema from being known is shown here; `validate` shows the rest
    diags.retain(|d| d.is_error());
    diagnostic::sort(&mut diags);
    if !diags.is_empty() {
        super::emit_diagnostics(global, &diags, &ds.sources);
    }
    super::out(&data::schema_to_yaml(&ds.schema));
    if diags.is_empty() {
        0
    } else {
        2
    }
}
