//! The `renewflow` binary: parse arguments, run, print any error, exit 0, 1 or 2.

fn main() {
    let code = renewflow::drivers::cli::main(std::env::args_os());
    std::process::exit(code);
}
