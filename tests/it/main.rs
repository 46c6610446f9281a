//! The integration tests, in one binary: one module per area of the boundary they test.
//! One binary links the crate and the test dependencies once instead of once per file.

mod budgets;
mod cli;
mod data;
mod engines;
mod escape;
mod hostile;
mod layers;
mod linear;
mod lsp;
mod messages;
mod no_panic;
mod parse;
mod pipeline;
mod project;
mod report;
mod sql;
mod three_valued;

/// A rayon pool of four threads, whatever the machine has: what runs in pieces is
/// split the same on every machine (`budgets`, `engines`).
fn pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .expect("pool")
    })
}

/// A fresh, empty folder for one test: `name` under `area` in the target's temporary
/// folder.
fn scratch(area: &str, name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(area)
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch folder");
    dir
}

/// The binary run from the repository root, as a user runs it, without colour.
fn factlint(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_factlint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run factlint")
}
