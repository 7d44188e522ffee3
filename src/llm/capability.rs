//! Which way of asking for structured output a server accepts, found out
//! once and remembered.
//!
//! A chat client holds a ladder of modes, most structured first (OpenAI:
//! `json_schema`, `json_object`, plain text; Anthropic: a forced tool, then
//! plain text). With `structured_output = "auto"`:
//!
//! - Until a structured request has succeeded, structured requests go one
//!   at a time (the others wait), so a server that rejects the mode rejects
//!   one request, not every request in flight.
//! - An error of any status whose body names the feature is a capability
//!   answer: the client steps down the ladder at once, without retries, for
//!   every request of the run.
//! - The mode that worked is stored per (provider, endpoint, model) in
//!   `capabilities.json` in the project's cache folder (see
//!   [`super::learned`]), so the next run starts in it and rejects
//!   nothing.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use super::learned::Memory;
use crate::config::StructuredOutput;

/// The structured-output mode of one client, shared by all its requests.
#[derive(Debug)]
pub(crate) struct Negotiator {
    ladder: &'static [StructuredOutput],
    level: AtomicU8,
    /// A structured request has succeeded in the current mode (or the mode
    /// was forced, or remembered).
    confirmed: AtomicBool,
    fallback: bool,
    /// Held by the one structured request in flight until confirmed.
    gate: tokio::sync::Mutex<()>,
    memory: Option<Memory>,
    /// The mode as remembered when the client started.
    remembered: Option<StructuredOutput>,
}

impl Negotiator {
    /// `configured` is the `structured_output` setting: `Auto` negotiates
    /// (starting from the remembered mode if there is one); anything else
    /// is used as is, or the nearest rung below it.
    pub(crate) fn new(
        ladder: &'static [StructuredOutput],
        configured: StructuredOutput,
        memory: Option<Memory>,
    ) -> Self {
        let index = |m: StructuredOutput| ladder.iter().position(|x| *x == m);
        let remembered = match (&memory, configured) {
            (Some(m), StructuredOutput::Auto) => m.mode().filter(|x| index(*x).is_some()),
            _ => None,
        };
        let (level, fallback, confirmed) = match configured {
            StructuredOutput::Auto => match remembered.and_then(index) {
                Some(i) => (i, true, true),
                None => (0, true, false),
            },
            forced => (
                index(forced).unwrap_or(ladder.len().saturating_sub(1)),
                false,
                true,
            ),
        };
        Negotiator {
            ladder,
            level: AtomicU8::new(level as u8),
            confirmed: AtomicBool::new(confirmed),
            fallback,
            gate: tokio::sync::Mutex::new(()),
            memory,
            remembered,
        }
    }

    /// The rung in use now (an index into the ladder).
    pub(crate) fn level(&self) -> usize {
        usize::from(self.level.load(Ordering::SeqCst))
    }

    /// The mode in use now.
    pub(crate) fn mode(&self) -> StructuredOutput {
        self.ladder
            .get(self.level())
            .copied()
            .unwrap_or(StructuredOutput::Text)
    }

    /// True when a rejection at `level` can still step down.
    pub(crate) fn can_fall_back(&self, level: usize) -> bool {
        self.fallback && level + 1 < self.ladder.len()
    }

    /// For a structured request: waits until no other structured request
    /// is finding out the mode, and holds the gate while this one does.
    /// `None` once the mode is known.
    pub(crate) async fn enter(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if self.confirmed.load(Ordering::SeqCst) {
            return None;
        }
        let guard = self.gate.lock().await;
        if self.confirmed.load(Ordering::SeqCst) {
            return None;
        }
        Some(guard)
    }

    /// A structured request succeeded at `level`: the mode is known, and
    /// remembered for the next run when it is new.
    pub(crate) fn succeeded(&self, level: usize) {
        if level != self.level() || self.confirmed.swap(true, Ordering::SeqCst) {
            return;
        }
        let mode = self.mode();
        if self.remembered == Some(mode) || !self.fallback {
            return;
        }
        if let Some(m) = &self.memory
            && let Err(e) = m.remember_mode(mode)
        {
            tracing::warn!(error = %e, "could not remember the structured-output mode");
        }
    }

    /// The server rejected `level`: steps down once (another request may
    /// have stepped already; never back up). Returns the modes (from, to)
    /// when this call stepped.
    pub(crate) fn rejected(&self, level: usize) -> Option<(StructuredOutput, StructuredOutput)> {
        if !self.can_fall_back(level) {
            return None;
        }
        let stepped = self
            .level
            .compare_exchange(
                level as u8,
                level as u8 + 1,
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .is_ok();
        // The remembered mode (if any) no longer holds: find out again.
        self.confirmed.store(false, Ordering::SeqCst);
        stepped.then(|| (self.ladder[level], self.ladder[level + 1]))
    }
}

/// The name of a mode as the settings spell it.
pub(crate) fn mode_name(mode: StructuredOutput) -> &'static str {
    match mode {
        StructuredOutput::Auto => "auto",
        StructuredOutput::JsonSchema => "json_schema",
        StructuredOutput::JsonObject => "json_object",
        StructuredOutput::Text => "text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::learned::{CAPABILITIES_FILE, learned_modes, test_memory};

    const LADDER: &[StructuredOutput] = &[
        StructuredOutput::JsonSchema,
        StructuredOutput::JsonObject,
        StructuredOutput::Text,
    ];

    #[test]
    fn steps_down_once_and_remembers_what_worked() {
        let dir = tempfile::tempdir().unwrap();
        let n = Negotiator::new(
            LADDER,
            StructuredOutput::Auto,
            Some(test_memory(dir.path())),
        );
        assert_eq!(n.mode(), StructuredOutput::JsonSchema);
        assert_eq!(
            n.rejected(0),
            Some((StructuredOutput::JsonSchema, StructuredOutput::JsonObject))
        );
        // A second request rejected at the same rung does not step again.
        assert_eq!(n.rejected(0), None);
        assert_eq!(n.mode(), StructuredOutput::JsonObject);
        n.succeeded(1);
        let text = std::fs::read_to_string(dir.path().join(CAPABILITIES_FILE)).unwrap();
        assert!(text.contains("json_object"), "{text}");
        assert!(!text.contains("s3cret") && !text.contains("pw"), "{text}");

        // The next client starts in the remembered mode, already known.
        let again = Negotiator::new(
            LADDER,
            StructuredOutput::Auto,
            Some(test_memory(dir.path())),
        );
        assert_eq!(again.mode(), StructuredOutput::JsonObject);
        assert!(again.confirmed.load(Ordering::SeqCst));
        let all = learned_modes(dir.path());
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].endpoint, "http://127.0.0.1:8080/v1/chat/completions");
    }

    #[test]
    fn a_forced_mode_neither_falls_back_nor_is_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let n = Negotiator::new(
            LADDER,
            StructuredOutput::JsonSchema,
            Some(test_memory(dir.path())),
        );
        assert_eq!(n.rejected(0), None);
        n.succeeded(0);
        assert!(learned_modes(dir.path()).is_empty());
        // Anthropic's ladder has no json_object: the prompt is next.
        const TOOL_OR_TEXT: &[StructuredOutput] =
            &[StructuredOutput::JsonSchema, StructuredOutput::Text];
        let n = Negotiator::new(TOOL_OR_TEXT, StructuredOutput::JsonObject, None);
        assert_eq!(n.mode(), StructuredOutput::Text);
    }

    #[tokio::test]
    async fn one_structured_request_at_a_time_until_known() {
        let n = Negotiator::new(LADDER, StructuredOutput::Auto, None);
        let first = n.enter().await;
        assert!(first.is_some());
        assert!(n.gate.try_lock().is_err(), "others wait");
        n.succeeded(0);
        drop(first);
        assert!(n.enter().await.is_none(), "known: no gate");
    }
}
