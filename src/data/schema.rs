//! The schema of a dataset: collections, fields and their types, required fields,
//! enums, references and unique keys. Read from a YAML schema file or inferred.

use std::collections::BTreeMap;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldType {
    String,
    /// A number, or a range `{min, max}` of numbers.
    Number,
    Bool,
    Date,
    Duration,
    /// One of the listed strings.
    Enum(Vec<String>),
    /// The id of a record in the named collection.
    Ref(String),
    List(Box<FieldType>),
    Map,
    /// Anything (facts' `value`).
    Any,
    /// The path of a text file in the dataset folder (a statement's `snapshot`): a
    /// string to rules, whose file the loader reads (`Dataset::texts`).
    File,
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldType::String => f.write_str("string"),
            FieldType::Number => f.write_str("number"),
            FieldType::Bool => f.write_str("bool"),
            FieldType::Date => f.write_str("date"),
            FieldType::Duration => f.write_str("duration"),
            FieldType::Enum(v) => write!(f, "enum [{}]", v.join(", ")),
            FieldType::Ref(c) => write!(f, "ref {c}"),
            FieldType::List(t) => write!(f, "list of {t}"),
            FieldType::Map => f.write_str("map"),
            FieldType::Any => f.write_str("any"),
            FieldType::File => f.write_str("file"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDef {
    pub name: String,
    pub ty: FieldType,
    pub required: bool,
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct CollectionDef {
    pub name: String,
    pub doc: Option<String>,
    /// Fields by name; `id` is always present.
    pub fields: BTreeMap<String, FieldDef>,
    /// Sets of fields whose values must be unique together (besides `id`).
    pub unique: Vec<Vec<String>>,
    /// The field records take their id from, when it is not `id` (GDELT's
    /// `GLOBALEVENTID`, ICEWS's `Event ID`). The record's `id` field then holds a copy.
    pub id_field: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Schema {
    pub collections: BTreeMap<String, CollectionDef>,
    /// Whether the schema was inferred from the data rather than declared.
    pub inferred: bool,
}

impl Schema {
    pub fn collection(&self, name: &str) -> Option<&CollectionDef> {
        self.collections.get(name)
    }
    pub fn field(&self, collection: &str, field: &str) -> Option<&FieldDef> {
        self.collections.get(collection)?.fields.get(field)
    }
}
