//! A project's conversations as a classifier sees them: one text per
//! conversation (the user's messages or the summary facets) and, when the
//! project's embeddings are current, one embedding row per conversation.

use std::collections::HashMap;

use ndarray::Array2;

use super::definition::TextSource;
use crate::analysis::Analysis;
use crate::error::Result;
use crate::model::Conversation;
use crate::pipeline::Stage;
use crate::project::Project;
use crate::project::checkpoint::{self, FileCheckpoints};

/// Longest text kept per conversation, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

/// Texts (and embeddings) of a project's conversations, in store order.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub ids: Vec<String>,
    pub texts: Vec<String>,
    /// Current embeddings of the summaries, one row per conversation.
    pub embeddings: Option<Array2<f32>>,
    /// Why there are no embeddings, for reports.
    pub embeddings_note: Option<String>,
    index: HashMap<String, usize>,
    /// Up to 160 characters of each conversation's summary (or text), for
    /// examples and listings.
    pub snippets: Vec<String>,
}

/// The user's messages, joined and capped.
pub fn user_text(conv: &Conversation) -> String {
    let mut out = String::new();
    for m in conv.user_messages() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(m.content.trim());
        if out.len() >= MAX_TEXT_CHARS * 4 {
            break;
        }
    }
    cap(&out, MAX_TEXT_CHARS)
}

/// The first `n` characters of `s`.
pub fn cap(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((at, _)) => s[..at].to_string(),
        None => s.to_string(),
    }
}

impl Corpus {
    /// Reads every conversation of the project, its summary when known,
    /// and the embeddings when they are current.
    pub fn load(project: &Project, source: TextSource) -> Result<Corpus> {
        let store = project.store()?;
        let analysis = Analysis::load(project)?;
        let mut corpus = Corpus::default();
        for (pos, conv) in store.iter()?.enumerate() {
            let conv = conv?;
            let summary = analysis
                .summaries
                .get(pos)
                .filter(|s| s.conversation_id == conv.id && !s.summary.is_empty());
            let user = user_text(&conv);
            let text = match (source, summary) {
                (TextSource::Summary, Some(s)) => s.embedding_text(),
                _ => user.clone(),
            };
            let snippet = summary.map_or(user, |s| s.summary.clone());
            corpus.snippets.push(cap(snippet.trim(), 160));
            corpus.index.insert(conv.id.clone(), pos);
            corpus.ids.push(conv.id);
            corpus.texts.push(text);
        }
        if analysis.stages_done.contains(&Stage::Embeddings) {
            let cps = FileCheckpoints::new(project.layout.checkpoints());
            match checkpoint::read_matrix(&cps, Stage::Embeddings.name())? {
                Ok((_, m)) if m.nrows() == corpus.ids.len() => corpus.embeddings = Some(m),
                Ok((_, m)) => {
                    corpus.embeddings_note = Some(format!(
                        "the embeddings have {} rows for {} conversations",
                        m.nrows(),
                        corpus.ids.len()
                    ))
                }
                Err(why) => {
                    corpus.embeddings_note = Some(format!("embeddings unreadable: {why:?}"))
                }
            }
        } else {
            corpus.embeddings_note =
                Some("the project has no current embeddings (run the pipeline first)".into());
        }
        Ok(corpus)
    }

    /// Store position of a conversation id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}
