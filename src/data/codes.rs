//! The stable codes of data diagnostics, one place for all of them. Each is listed with
//! an example in `docs/data-model.md`; never reuse a retired code.

/// A file or folder cannot be read (missing, permissions, not a data file).
pub const UNREADABLE: &str = "D0001";
/// A file is larger than the size limit.
pub const TOO_LARGE: &str = "D0002";
/// A file is not UTF-8 text (an error for YAML and JSON, a warning for CSV and TSV,
/// whose bad bytes are replaced).
pub const NOT_UTF8: &str = "D0003";
/// YAML that does not parse (including duplicate keys).
pub const MALFORMED_YAML: &str = "D0004";
/// JSON or a JSON Lines line that does not parse.
pub const MALFORMED_JSON: &str = "D0005";
/// A CSV or TSV file that does not parse, a row whose cell count differs from the
/// header's, or a column named twice in the header.
pub const MALFORMED_TABLE: &str = "D0006";
/// A file whose shape is not records: a scalar at the top, a collection that is not a
/// list, a record that is not a map.
pub const BAD_STRUCTURE: &str = "D0007";
/// Aliases that expand a YAML document beyond the size limit.
pub const ALIAS_BOMB: &str = "D0008";
/// A schema file that cannot be understood.
pub const BAD_SCHEMA: &str = "D0009";
/// A record without an id.
pub const MISSING_ID: &str = "D0010";
/// Two records of a collection with the same id.
pub const DUPLICATE_ID: &str = "D0011";
/// A required field that is absent or null.
pub const MISSING_FIELD: &str = "D0012";
/// A value of the wrong type.
pub const WRONG_TYPE: &str = "D0013";
/// A value in a date field that is not a date.
pub const BAD_DATE: &str = "D0014";
/// A value not among an enum's values.
pub const UNKNOWN_ENUM: &str = "D0015";
/// A reference to a record that does not exist.
pub const DANGLING_REF: &str = "D0016";
/// An interval that ends before it starts, or a range whose max is below its min.
pub const END_BEFORE_START: &str = "D0017";
/// A field the schema does not declare (a warning).
pub const UNKNOWN_FIELD: &str = "D0018";
/// A collection the schema does not declare (a warning).
pub const UNKNOWN_COLLECTION: &str = "D0019";
/// Two records with the same values of a unique key.
pub const DUPLICATE_KEY: &str = "D0020";
/// A key written twice in one JSON object (a warning; the last one counts).
pub const DUPLICATE_JSON_KEY: &str = "D0021";
/// A path given on the command line that holds no data files (a warning).
pub const NO_DATA: &str = "D0022";
/// A duration that does not parse.
pub const BAD_DURATION: &str = "D0023";
/// Rows of an imported table that could not be mapped onto the event model (a
/// warning).
pub const NOT_IMPORTED: &str = "D0024";
/// A chain of references that leads back to where it started: a source derived from
/// itself through `derived_from`, an actor that owns itself through `owner`.
pub const CYCLE: &str = "D0025";
/// A file a `file` field names (a statement's `snapshot`) that cannot be read: missing,
/// outside the dataset folder, not a regular file, too large or not UTF-8.
pub const UNREADABLE_SNAPSHOT: &str = "D0026";
/// A published review that could not be linked to a claim: its claim text is the text
/// of no claim, or of several (a warning; the review is left out).
pub const REVIEW_NOT_IMPORTED: &str = "D0027";
