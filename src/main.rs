//! The `threadlings` command: thin front ends over the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
