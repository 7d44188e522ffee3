//! The `kura-tui` binary: parses arguments and hands over to the library.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

fn main() -> std::process::ExitCode {
    kura_tui::cli::main()
}
