//! `repy`: the thin binary; everything it does is in the `repy_cli` library.

fn main() -> std::process::ExitCode {
    repy_cli::main(repy_cli::Binary::Repy)
}
