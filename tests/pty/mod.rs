//! A pseudo-terminal harness for end-to-end tests of the real binary:
//! spawn it in a pty, follow its output with a tiny terminal emulator, wait
//! on what the screen shows (never on fixed sleeps) and send keys.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use unicode_width::UnicodeWidthChar;

pub const COLS: u16 = 100;
pub const ROWS: u16 = 30;
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Just enough of a VT100 to follow ratatui's output: cursor moves,
/// clears, text (with wide characters); everything else is skipped.
pub struct Screen {
    cells: Vec<Vec<char>>,
    row: usize,
    col: usize,
    pending: Vec<u8>,
}

impl Screen {
    fn new() -> Screen {
        Screen {
            cells: vec![vec![' '; COLS as usize]; ROWS as usize],
            row: 0,
            col: 0,
            pending: Vec::new(),
        }
    }

    pub fn text(&self) -> String {
        self.cells
            .iter()
            .map(|r| r.iter().filter(|c| **c != '\0').collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        let (text, rest) = match std::str::from_utf8(&self.pending) {
            Ok(t) => (t.to_string(), Vec::new()),
            Err(e) => {
                let good = e.valid_up_to();
                let t = String::from_utf8_lossy(&self.pending[..good]).into_owned();
                (t, self.pending[good..].to_vec())
            }
        };
        // Keep an unfinished escape sequence for the next chunk.
        let cut = text
            .rfind('\x1b')
            .filter(|&i| !complete(&text[i..]))
            .unwrap_or(text.len());
        let mut keep = text.as_bytes()[cut..].to_vec();
        keep.extend(rest);
        self.pending = keep;
        let text = text[..cut].to_string();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\x1b' => match chars.next() {
                    Some('[') => {
                        let mut params = String::new();
                        for ch in chars.by_ref() {
                            if ('@'..='~').contains(&ch) {
                                self.csi(&params, ch);
                                break;
                            }
                            params.push(ch);
                        }
                    }
                    Some(']') => {
                        while let Some(ch) = chars.next() {
                            if ch == '\x07' || (ch == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                                break;
                            }
                        }
                    }
                    _ => {}
                },
                '\r' => self.col = 0,
                '\n' => self.row = (self.row + 1).min(ROWS as usize - 1),
                c if c.is_control() => {}
                c => {
                    let w = c.width().unwrap_or(0);
                    if w == 0 {
                        continue;
                    }
                    if let Some(cell) = self.cells[self.row].get_mut(self.col) {
                        *cell = c;
                    }
                    if w == 2
                        && let Some(cell) = self.cells[self.row].get_mut(self.col + 1)
                    {
                        *cell = '\0';
                    }
                    self.col = (self.col + w).min(COLS as usize - 1);
                }
            }
        }
    }

    fn csi(&mut self, params: &str, op: char) {
        let nums: Vec<usize> = params
            .trim_start_matches('?')
            .split(';')
            .map(|p| p.parse().unwrap_or(0))
            .collect();
        let n = |i: usize, d: usize| nums.get(i).copied().filter(|v| *v > 0).unwrap_or(d);
        match op {
            'H' | 'f' => {
                self.row = (n(0, 1) - 1).min(ROWS as usize - 1);
                self.col = (n(1, 1) - 1).min(COLS as usize - 1);
            }
            'A' => self.row = self.row.saturating_sub(n(0, 1)),
            'B' => self.row = (self.row + n(0, 1)).min(ROWS as usize - 1),
            'C' => self.col = (self.col + n(0, 1)).min(COLS as usize - 1),
            'D' => self.col = self.col.saturating_sub(n(0, 1)),
            'J' if nums.first() == Some(&2) => {
                for r in &mut self.cells {
                    r.fill(' ');
                }
            }
            'K' => {
                for c in &mut self.cells[self.row][self.col..] {
                    *c = ' ';
                }
            }
            _ => {}
        }
    }
}

/// True when `s` (starting with ESC) holds a whole escape sequence.
fn complete(s: &str) -> bool {
    let mut it = s.chars().skip(1);
    match it.next() {
        None => false,
        Some('[') => it.any(|c| ('@'..='~').contains(&c)),
        Some(']') => s.contains('\x07') || s[1..].contains("\x1b\\"),
        Some(_) => true,
    }
}

pub struct Term {
    screen: Screen,
    output: Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    started: Instant,
    child: Option<Box<dyn Child + Send + Sync>>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Term {
    /// Reads output until the screen contains every one of `needles`.
    pub fn wait_for(&mut self, needles: &[&str]) {
        loop {
            let text = self.screen.text();
            if needles.iter().all(|n| text.contains(n)) {
                return;
            }
            let left = DEADLINE.saturating_sub(self.started.elapsed());
            match self.output.recv_timeout(left) {
                Ok(bytes) => self.screen.feed(&bytes),
                Err(e) => panic!("waiting for {needles:?} ({e}); the screen shows:\n{text}"),
            }
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }
}

impl Term {
    /// Starts the kura-tui binary with `args` in a fresh pty, in `cwd`,
    /// with `env` added to its environment.
    pub fn spawn(args: &[&std::ffi::OsStr], cwd: &Path, env: &[(&str, &std::ffi::OsStr)]) -> Term {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_kura-tui"));
        for a in args {
            cmd.arg(a);
        }
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.cwd(cwd);
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let (tx, output) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Term {
            screen: Screen::new(),
            output,
            writer: pty.master.take_writer().unwrap(),
            started: Instant::now(),
            child: Some(child),
            _master: pty.master,
        }
    }

    /// Waits for the process to exit and returns whether it succeeded.
    pub fn wait_exit(&mut self) -> bool {
        let mut child = self.child.take().expect("already waited");
        let (done_tx, done) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = done_tx.send(child.wait());
        });
        // The reader thread drains the pty, so the child never blocks.
        let left = DEADLINE.saturating_sub(self.started.elapsed());
        done.recv_timeout(left)
            .expect("kura-tui did not exit in time")
            .unwrap()
            .success()
    }
}
