//! Headless progress: one indicatif bar per stage on a terminal, plain
//! lines otherwise, fed by the same event fold the TUI uses.
//!
//! When stderr is not a terminal (a log file, CI, `nohup`), every running
//! stage gets a plain line every 10 seconds (`KURA_PROGRESS_SECS` changes
//! that): done/total, rate, ETA, retries, timeouts, errors and the LLM
//! client's concurrency limit.

use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::pipeline::{Event, EventReceiver, RunProgress, Stage, StageProgress};

/// How often plain progress lines are written.
pub const PLAIN_EVERY: Duration = Duration::from_secs(10);

/// The plain-line interval: `KURA_PROGRESS_SECS` if set to a positive
/// number of seconds, else [`PLAIN_EVERY`].
fn plain_every() -> Duration {
    std::env::var("KURA_PROGRESS_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| Duration::from_secs_f64(s.max(0.05)))
        .unwrap_or(PLAIN_EVERY)
}

/// Shows a run's events until it is done: bars on a terminal (`tty`),
/// plain lines on a timer otherwise.
pub async fn show(mut rx: EventReceiver, tty: bool) {
    let mut bars = Bars::new(tty);
    let start = Instant::now();
    let mut tick = tokio::time::interval(plain_every());
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick fires at once; the first line waits a whole period.
    tick.tick().await;
    loop {
        tokio::select! {
            event = rx.recv() => {
                let Some(event) = event else { break };
                let done = matches!(event, Event::Done(_));
                bars.apply(&event, start.elapsed());
                if done {
                    break;
                }
            }
            _ = tick.tick(), if !tty => bars.plain_lines(start.elapsed()),
        }
    }
    bars.finish();
}

fn secs(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s % 3600 / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

/// One plain progress line for a running stage.
pub fn plain_line(stage: Stage, p: &StageProgress, now: Duration) -> String {
    let rate = p
        .rate(now)
        .map(|r| format!("{r:.2}/s"))
        .unwrap_or_else(|| "-/s".into());
    let eta = p.eta(now).map(secs).unwrap_or_else(|| "-".into());
    let mut line = format!(
        "{}: {}/{} {rate} eta {eta} retries {} timeouts {} errors {}",
        stage.name(),
        p.done,
        p.total,
        p.retries,
        p.timeouts,
        p.errors
    );
    if let Some((limit, in_flight)) = p.concurrency {
        line.push_str(&format!(" concurrency {in_flight}/{limit}"));
    }
    line
}

pub struct Bars {
    multi: MultiProgress,
    bars: Vec<(Stage, ProgressBar)>,
    progress: RunProgress,
    tty: bool,
    /// Stages whose first retry was already announced.
    retried: Vec<Stage>,
}

impl Bars {
    pub fn new(tty: bool) -> Self {
        let multi = MultiProgress::with_draw_target(if tty {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        Bars {
            multi,
            bars: Vec::new(),
            progress: RunProgress::new(),
            tty,
            retried: Vec::new(),
        }
    }

    fn bar(&mut self, stage: Stage) -> &ProgressBar {
        if let Some(i) = self.bars.iter().position(|(s, _)| *s == stage) {
            return &self.bars[i].1;
        }
        let style = ProgressStyle::with_template(
            "{prefix:>11} [{bar:30}] {pos}/{len} {per_sec} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        let bar = self.multi.add(ProgressBar::new(0));
        bar.set_style(style);
        bar.set_prefix(stage.name());
        self.bars.push((stage, bar));
        &self.bars[self.bars.len() - 1].1
    }

    /// A plain line for every running stage (for logs, not terminals).
    pub fn plain_lines(&mut self, now: Duration) {
        self.progress.tick(now);
        for (stage, p) in &self.progress.stages {
            if p.is_running() {
                eprintln!("{}", plain_line(*stage, p, now));
            }
        }
    }

    fn line(&self, message: &str) {
        if self.tty {
            // Above the bars, without tearing them.
            let _ = self.multi.println(message);
        } else {
            eprintln!("{message}");
        }
    }

    pub fn apply(&mut self, event: &Event, now: Duration) {
        self.progress.apply(event, now);
        // The first retry of a stage is worth a line: a slow or unreachable
        // endpoint is not silent (every retry goes to the run's log).
        if let Event::Retry { stage, reason } = event
            && !self.retried.contains(stage)
        {
            self.retried.push(*stage);
            self.line(&format!(
                "{}: retrying ({reason}); further retries go to the log",
                stage.name()
            ));
        }
        let stage = match event {
            Event::Started { stage, .. }
            | Event::Advanced { stage, .. }
            | Event::Usage { stage, .. }
            | Event::Retry { stage, .. }
            | Event::ItemFailed { stage, .. }
            | Event::Finished { stage, .. } => Some(*stage),
            Event::Log { message, .. } => {
                self.line(message);
                None
            }
            _ => None,
        };
        let Some(stage) = stage else { return };
        let Some(p) = self.progress.stage(stage).cloned() else {
            return;
        };
        let tty = self.tty;
        let bar = self.bar(stage);
        bar.set_length(p.total.max(p.done));
        bar.set_position(p.done);
        let mut msg = String::new();
        if p.input_tokens + p.output_tokens > 0 {
            msg.push_str(&format!(
                "{} tok in / {} out",
                p.input_tokens, p.output_tokens
            ));
            if p.cost_usd > 0.0 {
                msg.push_str(&format!(" ${:.3}", p.cost_usd));
            }
        }
        if p.retries > 0 {
            msg.push_str(&format!(" retries {}", p.retries));
        }
        if p.errors > 0 {
            msg.push_str(&format!(" errors {}", p.errors));
        }
        if let Event::Finished { cached, .. } = event {
            if *cached {
                msg = "cached".into();
            }
            bar.set_message(msg);
            bar.finish();
            let fixed = (!p.fixes.is_empty())
                .then(|| format!("{}: answers fixed: {}", stage.name(), p.fixes.render()));
            if !tty {
                eprintln!(
                    "{}: {}",
                    stage.name(),
                    if *cached { "cached" } else { "done" }
                );
                if let Some(line) = fixed {
                    eprintln!("{line}");
                }
            } else if let Some(line) = fixed {
                let _ = self.multi.println(line);
            }
            return;
        }
        bar.set_message(msg);
    }

    pub fn finish(&self) {
        for (_, b) in &self.bars {
            if !b.is_finished() {
                b.abandon();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_line_has_every_figure() {
        let mut progress = RunProgress::new();
        let st = Stage::Summaries;
        let s = Duration::from_secs;
        progress.apply(
            &Event::Started {
                stage: st,
                total: 20,
                resumed: 0,
            },
            s(0),
        );
        progress.apply(&Event::Advanced { stage: st, n: 5 }, s(10));
        progress.apply(
            &Event::Retry {
                stage: st,
                reason: "x".into(),
            },
            s(10),
        );
        progress.apply(&Event::Timeout { stage: st }, s(10));
        progress.apply(
            &Event::Concurrency {
                stage: st,
                limit: 3,
                in_flight: 2,
            },
            s(10),
        );
        let p = progress.stage(st).unwrap();
        assert_eq!(
            plain_line(st, p, s(10)),
            "summaries: 5/20 0.50/s eta 30s retries 1 timeouts 1 errors 0 concurrency 2/3"
        );
    }
}
