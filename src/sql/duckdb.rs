//! Embedded DuckDB (`check --engine duckdb`, cargo feature `duckdb`): the loaded
//! dataset as the tables of docs/sql.md, filled through DuckDB's Arrow appender from
//! the same cells `--with-data` writes as literals, and the rules' queries
//! (`Shape::Matches`) run over them. The engine returns matches; `eval` builds the
//! findings, so ids, messages, evidence and verdicts are those of the native engine.
//!
//! Built without the feature, `open` says how to build with it.

use crate::data::Dataset;
use crate::diag::Diagnostic;

/// One match of a rule: the position of each bound record, in binding order, and
/// whether the condition was true (certain) rather than unknown (possible).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub positions: Vec<u32>,
    pub certain: bool,
}

/// `S0004`: this build has no DuckDB.
fn missing() -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error("S0004", "this factlint was built without the DuckDB engine")
            .expected("a build with the cargo feature `duckdb`")
            .help("build with `cargo build --release --features duckdb` (docs/scale.md), or leave out `--engine duckdb`"),
    )
}

/// Whether this build has DuckDB: `S0004` with how to get it when not.
pub fn available() -> Result<(), Box<Diagnostic>> {
    if cfg!(feature = "duckdb") {
        Ok(())
    } else {
        Err(missing())
    }
}

#[cfg(not(feature = "duckdb"))]
mod imp {
    use super::*;

    /// This build has no DuckDB.
    pub struct Db;

    pub fn open(
        _: &Dataset,
        _: Option<usize>,
        _: &dyn Fn(&str) -> bool,
    ) -> Result<Db, Box<Diagnostic>> {
        Err(missing())
    }

    impl Db {
        pub fn matches(
            &self,
            _: &str,
            _: usize,
            _: u64,
            _: std::time::Duration,
        ) -> Result<Vec<Row>, String> {
            Err("this factlint was built without DuckDB".into())
        }
    }
}

#[cfg(feature = "duckdb")]
mod imp {
    use super::*;
    use crate::sql::tables::{self, Cell, Kind};
    use crate::sql::Dialect;
    use ::duckdb::arrow::array::{
        Array, ArrayRef, BooleanArray, BooleanBuilder, Date32Builder, Float64Builder, Int64Array,
        Int64Builder, ListBuilder, StringBuilder,
    };
    use ::duckdb::arrow::datatypes::{Field, Schema};
    use ::duckdb::arrow::record_batch::RecordBatch;
    use std::sync::Arc;

    /// `S0004`: the DuckDB engine cannot run (the rules then run on the native one).
    fn cannot_run(why: String, help: &str) -> Box<Diagnostic> {
        Box::new(
            Diagnostic::error("S0004", format!("the DuckDB engine cannot run: {why}")).help(help),
        )
    }

    /// An in-memory DuckDB holding the dataset's tables.
    pub struct Db {
        conn: ::duckdb::Connection,
    }

    /// Rows appended per Arrow batch: bounds what one batch holds beside the dataset.
    const BATCH: usize = 64 * 1024;

    /// Open an in-memory database and fill a table for each collection the queries
    /// read, with the columns of the fields they read: `needed` says whether a name
    /// (of a table or a column) is one of them. `threads` is DuckDB's thread count
    /// (its default: every core).
    pub fn open(
        ds: &Dataset,
        threads: Option<usize>,
        needed: &dyn Fn(&str) -> bool,
    ) -> Result<Db, Box<Diagnostic>> {
        let failed = |what: &str, e: ::duckdb::Error| {
            cannot_run(
                format!("{what}: {e}"),
                "run the native engine (`--engine planned`), and report this with the data that caused it",
            )
        };
        let conn =
            ::duckdb::Connection::open_in_memory().map_err(|e| failed("opening a database", e))?;
        // rules do no I/O: neither does their SQL (no file readers, no extensions)
        let mut setup = String::from(
            "SET enable_external_access = false; SET autoinstall_known_extensions = false; \
             SET autoload_known_extensions = false; SET preserve_insertion_order = true;",
        );
        if let Some(n) = threads {
            setup.push_str(&format!(" SET threads = {};", n.max(1)));
        }
        // and nothing after this changes what was set
        setup.push_str(" SET lock_configuration = true;");
        conn.execute_batch(&setup)
            .map_err(|e| failed("setting it up", e))?;
        for (name, coll) in &ds.collections {
            if !needed(name) {
                continue;
            }
            let fields: Vec<(&str, Kind)> = tables::fields(ds, name)
                .into_iter()
                .filter(|(f, k)| {
                    let cols = tables::columns(*k);
                    cols.iter()
                        .any(|(suffix, _)| needed(&format!("{f}{suffix}")))
                })
                .collect();
            let cols = tables::table_columns(&fields, Dialect::DuckDb)?;
            let defs: Vec<String> = cols.iter().map(|(n, t)| format!("{n} {t}")).collect();
            let table = tables::name(Dialect::DuckDb, name)?;
            conn.execute_batch(&format!("CREATE TABLE {table} ({});", defs.join(", ")))
                .map_err(|e| failed("creating a table", e))?;
            let mut kinds = vec![Kind::Text];
            for (_, k) in &fields {
                kinds.extend(tables::columns(*k).iter().map(|(_, k)| *k));
            }
            let mut app = conn
                .appender(name)
                .map_err(|e| failed("appending rows", e))?;
            for (start, chunk) in coll.records.chunks(BATCH).enumerate() {
                let mut builders: Vec<Builder> = kinds.iter().map(|k| Builder::new(*k)).collect();
                let mut pos = Int64Builder::with_capacity(chunk.len());
                for (i, r) in chunk.iter().enumerate() {
                    pos.append_value((start * BATCH + i) as i64);
                    builders[0].push(&Cell::Text(&r.id));
                    let mut at = 1;
                    for (f, k) in &fields {
                        let Some(cells) = tables::values(*k, r.get(f)) else {
                            return Err(tables::unheld(name, &r.id, f, r.get(f)));
                        };
                        for c in &cells {
                            builders[at].push(c);
                            at += 1;
                        }
                    }
                }
                let mut arrays: Vec<ArrayRef> = vec![Arc::new(pos.finish())];
                arrays.extend(builders.iter_mut().map(Builder::finish));
                let schema = Schema::new(
                    arrays
                        .iter()
                        .enumerate()
                        .map(|(i, a)| Field::new(format!("c{i}"), a.data_type().clone(), true))
                        .collect::<Vec<_>>(),
                );
                let batch = RecordBatch::try_new(Arc::new(schema), arrays)
                    .map_err(|e| cannot_run(format!("building a batch: {e}"), "report this"))?;
                app.append_record_batch(batch)
                    .map_err(|e| failed("appending rows", e))?;
            }
            app.flush().map_err(|e| failed("appending rows", e))?;
        }
        Ok(Db { conn })
    }

    /// An Arrow column being built, of one kind of SQL column.
    enum Builder {
        Text(StringBuilder),
        Bool(BooleanBuilder),
        Number(Float64Builder),
        Date(Date32Builder),
        List(ListBuilder<StringBuilder>),
    }

    impl Builder {
        fn new(k: Kind) -> Builder {
            match k {
                Kind::Text | Kind::Any => Builder::Text(StringBuilder::new()),
                Kind::Bool => Builder::Bool(BooleanBuilder::new()),
                Kind::Number => Builder::Number(Float64Builder::new()),
                Kind::Date => Builder::Date(Date32Builder::new()),
                Kind::List => Builder::List(ListBuilder::new(StringBuilder::new())),
            }
        }

        /// Append one cell; a cell of another kind than the column's (none is) is NULL.
        fn push(&mut self, c: &Cell<'_>) {
            match (self, c) {
                (Builder::Text(b), Cell::Text(s)) => b.append_value(s),
                (Builder::Text(b), _) => b.append_null(),
                (Builder::Bool(b), Cell::Bool(x)) => b.append_value(*x),
                (Builder::Bool(b), _) => b.append_null(),
                (Builder::Number(b), Cell::Number(n)) => b.append_value(*n),
                (Builder::Number(b), _) => b.append_null(),
                (Builder::Date(b), Cell::Date(d)) => b.append_value(days(*d)),
                (Builder::Date(b), _) => b.append_null(),
                (Builder::List(b), Cell::List(items)) => {
                    for it in items {
                        b.values().append_option(*it);
                    }
                    b.append(true);
                }
                (Builder::List(b), _) => b.append(false),
            }
        }

        fn finish(&mut self) -> ArrayRef {
            match self {
                Builder::Text(b) => Arc::new(b.finish()),
                Builder::Bool(b) => Arc::new(b.finish()),
                Builder::Number(b) => Arc::new(b.finish()),
                Builder::Date(b) => Arc::new(b.finish()),
                Builder::List(b) => Arc::new(b.finish()),
            }
        }
    }

    /// Days since 1970-01-01 (Arrow's `Date32`).
    fn days(d: chrono::NaiveDate) -> i32 {
        use chrono::Datelike;
        // 1970-01-01 is day 719,163 of the common era
        d.num_days_from_ce() - 719_163
    }

    impl Db {
        /// The matches of a query of shape `Matches` binding `bindings` records;
        /// at most `max_rows` of them (more is an error: `--max-bindings`), within
        /// `timeout` (DuckDB is interrupted then).
        pub fn matches(
            &self,
            sql: &str,
            bindings: usize,
            max_rows: u64,
            timeout: std::time::Duration,
        ) -> Result<Vec<Row>, String> {
            use std::sync::atomic::{AtomicBool, Ordering};
            use std::sync::mpsc::{channel, RecvTimeoutError};
            let handle = self.conn.interrupt_handle();
            let (done, wait) = channel::<()>();
            let interrupted = AtomicBool::new(false);
            std::thread::scope(|s| {
                let interrupted = &interrupted;
                s.spawn(move || {
                    if let Err(RecvTimeoutError::Timeout) = wait.recv_timeout(timeout) {
                        interrupted.store(true, Ordering::SeqCst);
                        handle.interrupt();
                    }
                });
                let out = self.rows(sql, bindings, max_rows);
                // the watchdog stops here, whatever happened
                drop(done);
                out
            })
            .map_err(|e| {
                if interrupted.load(Ordering::SeqCst) {
                    format!(
                        "its query ran longer than --timeout {} s",
                        timeout.as_secs()
                    )
                } else {
                    e
                }
            })
        }

        fn rows(&self, sql: &str, bindings: usize, max_rows: u64) -> Result<Vec<Row>, String> {
            let mut stmt = self.conn.prepare(sql).map_err(|e| e.to_string())?;
            let mut out = Vec::new();
            for batch in stmt.query_arrow([]).map_err(|e| e.to_string())? {
                if batch.num_columns() != bindings + 1 {
                    return Err(format!(
                        "the query returned {} columns where {} were expected",
                        batch.num_columns(),
                        bindings + 1
                    ));
                }
                let pos: Vec<&Int64Array> = (0..bindings)
                    .map(|i| {
                        batch
                            .column(i)
                            .as_any()
                            .downcast_ref::<Int64Array>()
                            .ok_or_else(|| format!("column {i} is not a position"))
                    })
                    .collect::<Result<_, _>>()?;
                let cond = batch
                    .column(bindings)
                    .as_any()
                    .downcast_ref::<BooleanArray>()
                    .ok_or("the last column is not the condition")?;
                for row in 0..batch.num_rows() {
                    if out.len() as u64 >= max_rows {
                        return Err(format!("more than {max_rows} matches"));
                    }
                    let positions = pos
                        .iter()
                        .map(|p| u32::try_from(p.value(row)).map_err(|e| e.to_string()))
                        .collect::<Result<Vec<u32>, _>>()?;
                    let certain = match cond.is_null(row) {
                        true => false,
                        false if cond.value(row) => true,
                        false => return Err("a match whose condition is false".into()),
                    };
                    out.push(Row { positions, certain });
                }
            }
            Ok(out)
        }
    }
}

pub use imp::{open, Db};
