//! The tests that need `../shared/data`, the data kept beside the repository and never
//! in it: the real GDELT and ICEWS samples (`real/`) and the official SARIF schema
//! (`schemas/`).
//!
//! libtest cannot skip a test once it runs, so a test that finds no data can only
//! return and report *ok* having checked nothing. This binary has its own harness
//! (`harness = false`, libtest-mimic, same command-line options and output as libtest):
//! when `../shared/data` is absent, each of its tests is reported as *ignored*, with
//! the path it looked for as the reason. When the folder is there, they run and a
//! missing file in it fails the test.

use libtest_mimic::{Arguments, Completion, Trial};
use std::path::PathBuf;

/// A module's tests by name; each takes the `shared/data` folder. A test function
/// left out of the list is dead code, which `clippy -D warnings` refuses.
macro_rules! tests {
    ($($test:ident),* $(,)?) => {
        pub const TESTS: &[(&str, fn(&std::path::Path))] = &[$((stringify!($test), $test)),*];
    };
}

mod real_data;
mod real_samples;
mod sarif_schema;

/// `../shared/data`, beside the repository. The root is the one cargo names when it
/// runs the test (a target folder copied with its clone would carry the old path).
fn shared_data() -> PathBuf {
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    root.parent().unwrap_or(&root).join("shared/data")
}

fn main() {
    let args = Arguments::from_args();
    let data = shared_data();
    let modules = [
        ("real_data", real_data::TESTS),
        ("real_samples", real_samples::TESTS),
        ("sarif_schema", sarif_schema::TESTS),
    ];
    let trials = modules
        .into_iter()
        .flat_map(|(module, tests)| tests.iter().map(move |test| (module, *test)))
        .map(|(module, (name, test))| {
            let data = data.clone();
            Trial::ignorable_test(format!("{module}::{name}"), move || {
                if !data.is_dir() {
                    return Ok(Completion::ignored_with(format!(
                        "needs ../shared/data: not found at {}",
                        data.display()
                    )));
                }
                test(&data);
                Ok(Completion::Completed)
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
