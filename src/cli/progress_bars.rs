//! Headless progress: one indicatif bar per stage, fed by the same event
//! fold the TUI uses.

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::pipeline::{Event, RunProgress, Stage};

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
            if !tty {
                eprintln!(
                    "{}: {}",
                    stage.name(),
                    if *cached { "cached" } else { "done" }
                );
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
