//! Data beside the pipeline: values, partial dates and intervals, the schema, loaders
//! per format, and validation. Files are read through `crate::files`.
//!
//! Loading goes files -> nodes (per format, each value with its span) -> schema
//! (declared or inferred) -> records of typed values; `validate` then checks the
//! records against the schema.

pub mod codes;
mod convert;
pub mod dataset;
pub mod fields;
pub mod import;
mod infer;
mod json;
pub mod load;
pub(crate) mod node;
pub mod reviews;
pub mod schema;
mod schema_file;
mod snapshots;
mod table;
pub mod time;
mod validate;
pub mod value;
pub(crate) mod yaml;

pub use dataset::{Collection, Dataset, Record};
pub use fields::{intern, FieldMap, Fields};
pub use load::{DataFile, Format, Loaded};
pub use schema::{CollectionDef, FieldDef, FieldType, Schema};
pub use schema_file::{parse_type, EVENT_MODEL_YAML};
pub use time::{Duration, Precision, Time};
pub use validate::{record_count, Mended};
pub use value::Value;

use crate::diag::Diagnostic;
use std::path::PathBuf;
use std::sync::Arc;

/// How to load a dataset.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// The schema file; when `None`, a `schema.yaml` at the root of a dataset folder,
    /// else the schema is inferred from the data.
    pub schema: Option<PathBuf>,
    /// Files larger than this many bytes are refused (default 512 MiB).
    pub max_file_size: u64,
    /// Files up to this many bytes are kept for quoting in diagnostics (default 8 MiB).
    pub max_quoted_size: usize,
    /// Map GDELT and ICEWS tables onto the event model's actors, statements, actions
    /// and sources (`import::import_event_tables`).
    pub import: bool,
    /// Where files found by walking a folder may lead (symlinks followed), besides the
    /// folder itself. Paths in `load`'s list are read where they are.
    pub confine: crate::files::Confine,
    /// CSV, TSV and JSON Lines files of at least this many bytes are read in pieces in
    /// parallel when the schema is declared (default 4 MiB); the result is the same.
    pub min_parallel_size: usize,
    /// Patterns of files and folders a walk of a folder leaves out (`--exclude`), as
    /// a `.factlintignore` at the folder's root holds them: a pattern without `/`
    /// matches a name at any depth, one with `/` a path from the folder, `**` any
    /// number of folders, a trailing `/` folders only.
    pub exclude: Vec<String>,
    /// Files and folders that are the project's own, never data when a walk meets
    /// them: rule tests, baselines, suppressions (from `factlint.yaml`).
    pub project_files: Vec<PathBuf>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            schema: None,
            max_file_size: 512 * 1024 * 1024,
            max_quoted_size: 8 * 1024 * 1024,
            import: false,
            confine: crate::files::Confine::within([]),
            min_parallel_size: 4 << 20,
            exclude: Vec::new(),
            project_files: Vec::new(),
        }
    }
}

/// Load the data files under `paths` (files or folders). Never panics; every error of
/// the run is returned together. `Dataset.schema` is the declared schema, or the one
/// inferred from the data (`inferred: true`).
pub fn load(paths: &[PathBuf], opts: &LoadOptions) -> (Dataset, Vec<Diagnostic>) {
    let l = load::load_all(paths, opts);
    (l.dataset, l.diagnostics)
}

/// Like `load`, and also says which files were read and which schema file was used.
pub fn load_detailed(paths: &[PathBuf], opts: &LoadOptions) -> Loaded {
    load::load_all(paths, opts)
}

/// Integrity of a dataset against its schema: types, required fields, enum values,
/// duplicate ids and keys, dangling references, intervals that end before they start,
/// unknown fields and collections (warnings). Sorted.
pub fn validate(ds: &Dataset) -> Vec<Diagnostic> {
    validate::validate(ds)
}

/// [`validate`], then what failed made readable by rules: a value that failed its
/// type or refers to no record becomes null (unknown), a record without a usable id
/// is left out. For running rules despite data errors (`check` without `--strict`).
pub fn validate_and_mend(ds: &mut Dataset) -> (Vec<Diagnostic>, Mended) {
    validate::validate_and_mend(ds)
}

/// The shipped default event model, from `schema/event-model.yaml`.
pub fn event_model() -> Schema {
    schema_file::event_model()
}

/// Parse a schema file (see docs/data-model.md for its format).
pub fn parse_schema(file: Arc<str>, text: &str) -> Result<Schema, Vec<Diagnostic>> {
    schema_file::parse_schema(file, text)
}

/// A schema as a schema file, loadable back with `parse_schema`.
pub fn schema_to_yaml(s: &Schema) -> String {
    schema_file::schema_to_yaml(s)
}
