//! With the `duckdb` feature linked to a DuckDB library outside the system's paths
//! (`DUCKDB_LIB_DIR`, as `scripts/duckdb-lib.sh` sets it), the binaries and tests
//! record where it is (an rpath), so they run without `LD_LIBRARY_PATH`. Nothing
//! otherwise.

fn main() {
    println!("cargo:rerun-if-env-changed=DUCKDB_LIB_DIR");
    let linked = std::env::var_os("CARGO_FEATURE_DUCKDB").is_some()
        && std::env::var_os("CARGO_FEATURE_DUCKDB_BUNDLED").is_none();
    let unix = std::env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f == "unix");
    if linked && unix {
        if let Ok(dir) = std::env::var("DUCKDB_LIB_DIR") {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        }
    }
}
