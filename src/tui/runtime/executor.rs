//! Carries out `update`'s effects: quick ones (saving labels, reading one
//! conversation) at once, slow ones (exporting, streaming metadata,
//! loading the analysis) on [`worker`] threads whose messages come back
//! through a channel. Effects carry their data, so nothing here reads the
//! UI state.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

use crate::pipeline::EventReceiver;
use crate::project::store::Store;
use crate::tui::effect::{Effect, StorePaths};
use crate::tui::msg::Msg;
use crate::tui::worker;

use super::Loader;

/// The outside world the UI talks to.
pub struct Runtime {
    pub events: Option<EventReceiver>,
    pub cancel: Option<Arc<dyn Fn() + Send + Sync>>,
    pub load: Option<Loader>,
    pub answer: Option<Box<dyn FnOnce(bool) + Send>>,
    /// The store last read from, kept open.
    store: Option<(StorePaths, Store)>,
    /// Workers' results.
    pub(super) results: mpsc::Receiver<Msg>,
    sender: mpsc::Sender<Msg>,
    /// Set on the way out: workers stop early.
    stop: Arc<AtomicBool>,
    /// Workers still running.
    pub(super) busy: Arc<AtomicUsize>,
    /// Export threads, joined on the way out so none leaves a temporary
    /// file behind.
    exports: Vec<JoinHandle<()>>,
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime::new()
    }
}

/// Counts a worker as running until dropped (even if it panics).
struct Busy(Arc<AtomicUsize>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Runtime {
    pub fn new() -> Runtime {
        let (sender, results) = mpsc::channel();
        Runtime {
            events: None,
            cancel: None,
            load: None,
            answer: None,
            store: None,
            results,
            sender,
            stop: Arc::new(AtomicBool::new(false)),
            busy: Arc::new(AtomicUsize::new(0)),
            exports: Vec::new(),
        }
    }

    fn store(&mut self, paths: StorePaths) -> std::result::Result<&Store, String> {
        if self.store.as_ref().is_none_or(|(p, _)| *p != paths) {
            let store = paths.open().map_err(|e| e.to_string())?;
            self.store = Some((paths, store));
        }
        self.store
            .as_ref()
            .map(|(_, s)| s)
            .ok_or_else(|| "no store".to_string())
    }

    /// Runs `job` on a worker thread; what it sends arrives as messages.
    fn spawn<F>(&mut self, job: F) -> JoinHandle<()>
    where
        F: FnOnce(&AtomicBool, &dyn Fn(Msg)) + Send + 'static,
    {
        let sender = self.sender.clone();
        let stop = self.stop.clone();
        self.busy.fetch_add(1, Ordering::Relaxed);
        let busy = Busy(self.busy.clone());
        std::thread::spawn(move || {
            let _busy = busy;
            job(&stop, &|msg| {
                // The UI may be gone; nothing is waiting then.
                let _ = sender.send(msg);
            });
        })
    }

    /// Carries out one effect; quick results come back through `queue`,
    /// workers' through the channel.
    pub(super) fn execute(&mut self, effect: Effect, queue: &mut VecDeque<Msg>) {
        match effect {
            Effect::SaveLabels { labels, path } => {
                let result = labels.save(&path).map_err(|e| e.to_string());
                queue.push_back(Msg::LabelsSaved(result));
            }
            Effect::Export(job) => {
                let handle = self.spawn(move |stop, send| worker::export(&job, stop, send));
                self.exports.push(handle);
            }
            Effect::LoadConversation { position, store } => {
                let result = self
                    .store(store)
                    .and_then(|s| s.get(position).map_err(|e| e.to_string()))
                    .map(Box::new);
                queue.push_back(Msg::ConversationLoaded { position, result });
            }
            Effect::LoadMetadata { store } => {
                self.spawn(move |stop, send| worker::load_metadata(&store, stop, send));
            }
            Effect::LoadAnalysis => {
                if let Some(load) = self.load.take() {
                    self.spawn(move |_, send| {
                        let result = load().map(Box::new).map_err(|e| e.to_string());
                        send(Msg::AnalysisLoaded(result));
                    });
                }
            }
            Effect::Classify(job) => {
                self.spawn(move |_, send| crate::tui::classify::work::run(job, send));
            }
            Effect::CancelRun => {
                if let Some(cancel) = &self.cancel {
                    cancel();
                }
            }
            Effect::Answer(yes) => {
                if let Some(answer) = self.answer.take() {
                    answer(yes);
                }
            }
            Effect::Quit => {}
        }
    }

    /// Stops the workers and waits for the exports to give up.
    pub(super) fn shut_down(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for handle in self.exports.drain(..) {
            let _ = handle.join();
        }
    }
}
