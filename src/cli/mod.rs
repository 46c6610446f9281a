//! The command line: arguments and config, one file per subcommand.

/// Run the command line; returns the process exit code.
pub fn main() -> i32 {
    0
}
