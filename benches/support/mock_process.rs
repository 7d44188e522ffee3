//! The loopback mock server in a child process, so a bench measures only
//! its own CPU time and memory. The bench binary re-runs itself with
//! `--mock-server MODE`; the child prints its base URL, then answers each
//! `count` line on stdin with the requests served so far (`chat` with the
//! chat requests, `cpu` with its CPU time in ms), and stops at the end of its input.

#![allow(dead_code)]

use std::io::{BufRead, Write};
use std::time::Duration;

use super::mock_openai::{MockReply, MockRequest, MockServer};

/// The mode the bench was started with as a mock child, if it was.
pub fn child_mode() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == "--mock-server")?;
    Some(args.get(at + 1).cloned().unwrap_or_default())
}

/// Child-process mode: serves `responder` until stdin closes.
pub fn serve(responder: impl Fn(&MockRequest) -> MockReply + Send + Sync + 'static) {
    let server = MockServer::start(responder);
    println!("{}", server.base_url());
    for line in std::io::stdin().lines() {
        match line.as_deref().map(str::trim) {
            Ok("count") => println!("{}", server.request_count()),
            Ok("chat") => println!(
                "{}",
                server.requests().iter().filter(|r| r.is_chat()).count()
            ),
            Ok("cpu") => println!("{}", process_cpu().map_or(0, |d| d.as_millis() as u64)),
            _ => {}
        }
    }
}

/// CPU time of this process: the sum of its threads' on-CPU nanoseconds
/// from /proc (Linux only; threads that already exited are not counted).
pub fn process_cpu() -> Option<Duration> {
    let mut ns: u64 = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        ns += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(ns))
}

/// A mock server running in a child process.
pub struct MockProcess {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    stdout: std::io::BufReader<std::process::ChildStdout>,
    pub url: String,
}

impl MockProcess {
    /// Starts this bench binary again as a mock serving `mode`.
    pub fn start(mode: &str) -> Self {
        let mut child = std::process::Command::new(std::env::current_exe().expect("exe"))
            .args(["--mock-server", mode])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start mock process");
        let stdin = child.stdin.take().expect("stdin");
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut url = String::new();
        stdout.read_line(&mut url).expect("mock url");
        MockProcess {
            child,
            stdin,
            stdout,
            url: url.trim().to_string(),
        }
    }

    fn ask(&mut self, what: &str) -> u64 {
        writeln!(self.stdin, "{what}").expect("ask the mock");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("mock answer");
        line.trim().parse().expect("number")
    }

    /// Requests served so far.
    pub fn count(&mut self) -> usize {
        self.ask("count") as usize
    }

    /// Chat requests served so far.
    pub fn chat_count(&mut self) -> usize {
        self.ask("chat") as usize
    }

    /// The mock's CPU time so far.
    pub fn cpu(&mut self) -> Duration {
        Duration::from_millis(self.ask("cpu"))
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
