//! The `kura-tui` binary: parses arguments and hands over to the library.

fn main() -> std::process::ExitCode {
    kura_tui::cli::main()
}
