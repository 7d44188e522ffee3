//! End to end: the real binary in a pseudo-terminal on a finished project.
//! It navigates, renames a cluster, exports it and quits; then the labels
//! store and the exported file are checked. The test waits on what the
//! screen shows (through a tiny terminal emulator), never on fixed sleeps.

mod tui_fixture;

use std::io::{Read, Write};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use unicode_width::UnicodeWidthChar;

const COLS: u16 = 100;
const ROWS: u16 = 30;
const DEADLINE: Duration = Duration::from_secs(60);

/// Just enough of a VT100 to follow ratatui's output: cursor moves,
/// clears, text (with wide characters); everything else is skipped.
struct Screen {
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

    fn text(&self) -> String {
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

struct Term {
    screen: Screen,
    output: Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    started: Instant,
}

impl Term {
    /// Reads output until the screen contains every one of `needles`.
    fn wait_for(&mut self, needles: &[&str]) {
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

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }
}

#[test]
fn explore_rename_export_quit() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("demo");
    tui_fixture::write_project(&project);
    let config_dir = dir.path().join("config");

    let pty = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_kura-tui"));
    cmd.arg(&project);
    cmd.env("TERM", "xterm-256color");
    cmd.env("KURA_CONFIG_DIR", &config_dir);
    cmd.cwd(dir.path());
    let mut child = pty.slave.spawn_command(cmd).unwrap();
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
    let mut term = Term {
        screen: Screen::new(),
        output,
        writer: pty.master.take_writer().unwrap(),
        started: Instant::now(),
    };

    term.wait_for(&["Programming help", "Careers and work", "Map"]);
    term.send(b"j");
    term.wait_for(&["22 conversations"]);
    // Open it and step into its first child and back, to exercise keys.
    term.send(b"\r");
    term.wait_for(&["Plan a trip to Japan"]);
    term.send(b"r");
    term.wait_for(&["Enter save"]);
    term.send(b"\x15"); // ctrl-u clears the field
    term.send("Voyages et cuisine".as_bytes());
    term.send(b"\r");
    term.wait_for(&["Renamed to", "Voyages et cuisine"]);
    term.send(b"e");
    term.wait_for(&["Exported 22 conversations"]);
    term.send(b"q");

    let (done_tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(child.wait());
    });
    let status = done
        .recv_timeout(DEADLINE.saturating_sub(term.started.elapsed()))
        .expect("kura-tui exits after q")
        .unwrap();
    assert!(status.success(), "exit status {status:?}");

    // The labels store holds the rename.
    let labels: serde_json::Value =
        serde_json::from_slice(&std::fs::read(project.join("labels.json")).unwrap()).unwrap();
    let relabels = labels["relabels"].as_array().unwrap();
    assert_eq!(relabels.len(), 1);
    assert_eq!(relabels[0]["cluster_id"], "L1-1");
    assert_eq!(relabels[0]["name"], "Voyages et cuisine");
    assert_eq!(relabels[0]["original_name"], "Everyday life");

    // The export holds the cluster's 22 conversations, with the new name.
    let exports: Vec<_> = std::fs::read_dir(project.join("exports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(exports.len(), 1, "{exports:?}");
    let name = exports[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with("voyages-et-cuisine-") && name.ends_with(".jsonl"),
        "{name}"
    );
    let text = std::fs::read_to_string(&exports[0]).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 22);
    let expected: Vec<String> = (27..49).map(tui_fixture::conversation_id).collect();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, expected);
    for l in &lines {
        assert_eq!(l["cluster_path"][0], "Voyages et cuisine");
        assert_eq!(l["cluster_ids"][0], "L1-1");
        assert!(
            l["summary"]["summary"]
                .as_str()
                .unwrap()
                .starts_with("The user asks")
        );
        assert_eq!(l["messages"].as_array().unwrap().len(), 4);
        assert!(l["metadata"]["satisfaction"].is_number());
    }
}
