//! How the binary ends when something goes wrong: one `error:` line with
//! each cause said once, and a quiet exit when the reader of standard
//! output has gone away (`kura-tui tree P | head -1`).

use std::io::ErrorKind;
use std::process::ExitCode;

use crate::export::sink::STDOUT_NAME;

/// The error and its causes joined with `: `, leaving out a cause whose
/// text the message already ends with. [`crate::Error::Io`] prints its OS
/// error and also reports it as its source; a plain `{:#}` would say
/// "Permission denied (os error 13)" twice.
pub fn render(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if text.is_empty() || message.ends_with(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}

/// Whether the error comes from writing to standard output after its
/// reader closed. A broken pipe anywhere else (a socket, a FIFO named with
/// `--out`) is a real failure and is reported.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<crate::Error>(),
            Some(crate::Error::Io { path, source })
                if path.as_os_str() == STDOUT_NAME && source.kind() == ErrorKind::BrokenPipe
        )
    })
}

/// The exit for a failed command: silent success for a closed standard
/// output (the reader took what it wanted, as with `| head`), otherwise
/// the message on stderr and status 1.
pub fn exit(error: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(error) {
        return ExitCode::SUCCESS;
    }
    eprintln!("error: {}", render(error));
    ExitCode::FAILURE
}

/// `println!` panics when standard output is a closed pipe. This hook turns
/// that one panic into the same quiet exit as [`exit`], wherever the print
/// happens; every other panic goes to the default hook.
pub fn quiet_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_are_said_once() {
        let io = std::io::Error::from(ErrorKind::PermissionDenied);
        let text = io.to_string();
        let e =
            anyhow::Error::from(crate::Error::io("/p/kura.toml", io)).context("reading project /p");
        let rendered = render(&e);
        assert_eq!(
            rendered,
            format!("reading project /p: /p/kura.toml: {text}")
        );
        assert_eq!(rendered.matches(&text).count(), 1, "{rendered}");
    }

    #[test]
    fn causes_not_repeated_are_kept() {
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(render(&e), "outer: inner");
    }

    #[test]
    fn only_stdout_broken_pipes_are_quiet() {
        let pipe = std::io::Error::from(ErrorKind::BrokenPipe);
        let e = anyhow::Error::from(crate::Error::io(STDOUT_NAME, pipe)).context("exporting");
        assert!(is_broken_pipe(&e));
        let fifo = std::io::Error::from(ErrorKind::BrokenPipe);
        let other = anyhow::Error::from(crate::Error::io("/tmp/fifo", fifo));
        assert!(!is_broken_pipe(&other));
    }
}
