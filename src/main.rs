fn main() {
    std::process::exit(factlint::cli::main());
}
