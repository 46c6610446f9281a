//! Data beside the pipeline: values, partial dates and intervals, the schema, loaders
//! per format, and validation. Only `data` and `cli` read files.

pub mod dataset;
pub mod schema;
pub mod time;
pub mod value;

pub use dataset::{Collection, Dataset, Record};
pub use schema::{CollectionDef, FieldDef, FieldType, Schema};
pub use time::{Duration, Precision, Time};
pub use value::Value;
