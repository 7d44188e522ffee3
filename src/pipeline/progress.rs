//! Per-stage progress as a fold of [`Event`]s. Time is passed in as the
//! elapsed time since the run began, so the state is deterministic and a
//! frame drawn from it is reproducible.

use std::collections::VecDeque;
use std::time::Duration;

use super::Stage;
use super::events::{Event, LogLevel, Outcome};
use crate::llm::ParseFixes;

const LOG_LINES: usize = 200;
const PREVIEWS: usize = 20;

/// Progress of one stage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StageProgress {
    pub total: u64,
    pub done: u64,
    /// Items done by an earlier run (not counted in the rate).
    pub resumed: u64,
    pub started_at: Option<Duration>,
    pub finished_at: Option<Duration>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    pub cached_calls: u64,
    pub retries: u64,
    /// Retries after a timeout (also counted in `retries`).
    pub timeouts: u64,
    pub errors: u64,
    /// The LLM client's concurrency limit and requests in flight, as last
    /// reported for this stage.
    pub concurrency: Option<(u32, u32)>,
    /// What lenient parsing fixed in this stage's answers.
    pub fixes: ParseFixes,
    /// Loaded from its checkpoint without work.
    pub from_checkpoint: bool,
}

impl StageProgress {
    pub fn is_running(&self) -> bool {
        self.started_at.is_some() && self.finished_at.is_none()
    }

    pub fn is_finished(&self) -> bool {
        self.finished_at.is_some()
    }

    /// Fraction done; stays below 1 while the stage still runs.
    pub fn fraction(&self) -> f64 {
        if self.is_finished() {
            return 1.0;
        }
        if self.total == 0 {
            return 0.0;
        }
        (self.done as f64 / self.total as f64).min(0.999)
    }

    /// Items per second in this run.
    pub fn rate(&self, now: Duration) -> Option<f64> {
        let start = self.started_at?;
        let end = self.finished_at.unwrap_or(now);
        let secs = end.checked_sub(start)?.as_secs_f64();
        let fresh = self.done.saturating_sub(self.resumed);
        (secs > 0.0 && fresh > 0).then(|| fresh as f64 / secs)
    }

    /// Estimated time left.
    pub fn eta(&self, now: Duration) -> Option<Duration> {
        if self.is_finished() {
            return Some(Duration::ZERO);
        }
        let rate = self.rate(now)?;
        let left = self.total.saturating_sub(self.done) as f64;
        Some(Duration::from_secs_f64(left / rate))
    }
}

/// Progress of a whole run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunProgress {
    pub stages: Vec<(Stage, StageProgress)>,
    pub log: VecDeque<(LogLevel, String)>,
    pub previews: VecDeque<(Stage, String)>,
    pub outcome: Option<Outcome>,
    /// Elapsed time at the last event or tick.
    pub now: Duration,
}

impl RunProgress {
    pub fn new() -> Self {
        RunProgress {
            stages: Stage::ALL
                .iter()
                .map(|s| (*s, StageProgress::default()))
                .collect(),
            ..Default::default()
        }
    }

    pub fn stage(&self, stage: Stage) -> Option<&StageProgress> {
        self.stages
            .iter()
            .find(|(s, _)| *s == stage)
            .map(|(_, p)| p)
    }

    fn stage_mut(&mut self, stage: Stage) -> &mut StageProgress {
        if let Some(i) = self.stages.iter().position(|(s, _)| *s == stage) {
            return &mut self.stages[i].1;
        }
        self.stages.push((stage, StageProgress::default()));
        let last = self.stages.len() - 1;
        &mut self.stages[last].1
    }

    fn log_line(&mut self, level: LogLevel, line: String) {
        if self.log.len() == LOG_LINES {
            self.log.pop_front();
        }
        self.log.push_back((level, line));
    }

    /// Advances the clock without an event (for rates and ETAs).
    pub fn tick(&mut self, now: Duration) {
        self.now = self.now.max(now);
    }

    /// Folds one event in.
    pub fn apply(&mut self, event: &Event, now: Duration) {
        self.tick(now);
        match event {
            Event::Started {
                stage,
                total,
                resumed,
            } => {
                let p = self.stage_mut(*stage);
                p.total = *total;
                p.done = *resumed;
                p.resumed = *resumed;
                p.started_at = Some(now);
                p.finished_at = None;
                let msg = if *resumed > 0 {
                    format!("{}: started, resuming {resumed}/{total}", stage.name())
                } else {
                    format!("{}: started ({total} items)", stage.name())
                };
                self.log_line(LogLevel::Info, msg);
            }
            Event::Advanced { stage, n } => {
                let p = self.stage_mut(*stage);
                p.done += n;
            }
            Event::Usage {
                stage,
                input_tokens,
                output_tokens,
                cost_usd,
                cached,
            } => {
                let p = self.stage_mut(*stage);
                p.input_tokens += input_tokens;
                p.output_tokens += output_tokens;
                p.cost_usd += cost_usd;
                if *cached {
                    p.cached_calls += 1;
                }
            }
            Event::Retry { stage, reason } => {
                self.stage_mut(*stage).retries += 1;
                self.log_line(LogLevel::Warn, format!("{}: retry: {reason}", stage.name()));
            }
            Event::Concurrency {
                stage,
                limit,
                in_flight,
            } => self.stage_mut(*stage).concurrency = Some((*limit, *in_flight)),
            Event::Timeout { stage } => self.stage_mut(*stage).timeouts += 1,
            Event::Fixed { stage, fixes } => self.stage_mut(*stage).fixes.add(fixes),
            Event::ItemFailed { stage, error } => {
                self.stage_mut(*stage).errors += 1;
                self.log_line(LogLevel::Error, format!("{}: {error}", stage.name()));
            }
            Event::Preview { stage, text } => {
                if self.previews.len() == PREVIEWS {
                    self.previews.pop_front();
                }
                self.previews.push_back((*stage, text.clone()));
            }
            Event::Log { level, message } => self.log_line(*level, message.clone()),
            Event::Finished { stage, cached } => {
                let p = self.stage_mut(*stage);
                if p.started_at.is_none() {
                    p.started_at = Some(now);
                }
                p.finished_at = Some(now);
                p.from_checkpoint = *cached;
                p.done = p.done.max(p.total);
                let fixes = p.fixes;
                let msg = if *cached {
                    format!("{}: loaded from checkpoint", stage.name())
                } else {
                    format!("{}: done", stage.name())
                };
                self.log_line(LogLevel::Info, msg);
                if !fixes.is_empty() {
                    let line = format!("{}: answers fixed: {}", stage.name(), fixes.render());
                    self.log_line(LogLevel::Info, line);
                }
            }
            Event::Done(outcome) => {
                let msg = match outcome {
                    Outcome::Completed => "run complete".to_string(),
                    Outcome::Cancelled => "run cancelled; finished work is saved".to_string(),
                    Outcome::Failed(e) => format!("run failed: {e}"),
                };
                let level = if matches!(outcome, Outcome::Failed(_)) {
                    LogLevel::Error
                } else {
                    LogLevel::Info
                };
                self.log_line(level, msg);
                self.outcome = Some(outcome.clone());
            }
        }
    }

    pub fn total_cost(&self) -> f64 {
        self.stages.iter().map(|(_, p)| p.cost_usd).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    #[test]
    fn folds_events_into_rates_and_eta() {
        let mut p = RunProgress::new();
        let st = Stage::Summaries;
        p.apply(
            &Event::Started {
                stage: st,
                total: 100,
                resumed: 20,
            },
            s(0),
        );
        p.apply(&Event::Advanced { stage: st, n: 40 }, s(10));
        p.apply(
            &Event::Usage {
                stage: st,
                input_tokens: 500,
                output_tokens: 50,
                cost_usd: 0.01,
                cached: false,
            },
            s(10),
        );
        p.apply(
            &Event::Retry {
                stage: st,
                reason: "429".into(),
            },
            s(10),
        );
        let sp = p.stage(st).unwrap();
        assert_eq!(sp.done, 60);
        assert_eq!(sp.rate(s(10)), Some(4.0));
        assert_eq!(sp.eta(s(10)), Some(s(10)));
        assert_eq!(sp.retries, 1);
        assert_eq!(sp.input_tokens, 500);
        assert!(sp.fraction() < 1.0);
        p.apply(&Event::Advanced { stage: st, n: 40 }, s(20));
        assert!(
            p.stage(st).unwrap().fraction() < 1.0,
            "below 1 until finished"
        );
        p.apply(
            &Event::Finished {
                stage: st,
                cached: false,
            },
            s(20),
        );
        assert_eq!(p.stage(st).unwrap().fraction(), 1.0);
        p.apply(&Event::Done(Outcome::Completed), s(21));
        assert_eq!(p.outcome, Some(Outcome::Completed));
        assert!(p.log.iter().any(|(_, l)| l.contains("retry: 429")));
    }

    #[test]
    fn folds_concurrency_timeouts_and_fixes() {
        let mut p = RunProgress::new();
        let st = Stage::Summaries;
        p.apply(
            &Event::Started {
                stage: st,
                total: 2,
                resumed: 0,
            },
            s(0),
        );
        p.apply(
            &Event::Concurrency {
                stage: st,
                limit: 32,
                in_flight: 2,
            },
            s(1),
        );
        p.apply(
            &Event::Concurrency {
                stage: st,
                limit: 3,
                in_flight: 3,
            },
            s(2),
        );
        p.apply(&Event::Timeout { stage: st }, s(2));
        let fixes = ParseFixes {
            trailing_commas: 1,
            ..Default::default()
        };
        p.apply(&Event::Fixed { stage: st, fixes }, s(3));
        p.apply(&Event::Fixed { stage: st, fixes }, s(3));
        let sp = p.stage(st).unwrap();
        assert_eq!(sp.concurrency, Some((3, 3)));
        assert_eq!(sp.timeouts, 1);
        assert_eq!(sp.fixes.trailing_commas, 2);
        p.apply(
            &Event::Finished {
                stage: st,
                cached: false,
            },
            s(4),
        );
        assert!(
            p.log
                .iter()
                .any(|(_, l)| l == "summaries: answers fixed: trailing commas 2"),
            "{:?}",
            p.log
        );
    }

    #[test]
    fn zero_total_is_handled() {
        let mut p = RunProgress::new();
        p.apply(
            &Event::Started {
                stage: Stage::Names,
                total: 0,
                resumed: 0,
            },
            s(0),
        );
        let sp = p.stage(Stage::Names).unwrap();
        assert_eq!(sp.fraction(), 0.0);
        assert_eq!(sp.rate(s(5)), None);
        assert_eq!(sp.eta(s(5)), None);
    }
}
