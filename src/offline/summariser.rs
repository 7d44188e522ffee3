//! The offline summariser as a pipeline seam: extractive summaries ranked
//! against corpus statistics that it gathers once, on first use, from the
//! project's store.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::OnceCell;

use super::{CorpusStats, summarise_with};
use crate::config::FacetSpec;
use crate::embed::BoxFuture;
use crate::error::{Error, Result};
use crate::model::{Conversation, Summary};
use crate::pipeline::summarise::Summariser;
use crate::project::store::Store;

/// Corpus statistics come from at most this many conversations (the first
/// ones of the store): plenty to tell common words from rare ones.
pub const STATS_SAMPLE: usize = 20_000;

/// Where the corpus statistics come from.
enum Source {
    /// No corpus: every content word counts the same.
    None,
    /// The store at these paths (data, index), read once.
    Store(PathBuf, PathBuf),
}

/// Extractive summaries with no LLM.
pub struct OfflineSummariser {
    facets: Vec<FacetSpec>,
    source: Source,
    stats: OnceCell<Arc<CorpusStats>>,
}

impl OfflineSummariser {
    /// A summariser without corpus statistics.
    pub fn new(facets: Vec<FacetSpec>) -> Self {
        OfflineSummariser {
            facets,
            source: Source::None,
            stats: OnceCell::new(),
        }
    }

    /// A summariser that ranks sentences against the store at `data` and
    /// `index` (read on first use).
    pub fn for_store(facets: Vec<FacetSpec>, data: PathBuf, index: PathBuf) -> Self {
        OfflineSummariser {
            facets,
            source: Source::Store(data, index),
            stats: OnceCell::new(),
        }
    }

    /// A summariser with statistics already gathered.
    pub fn with_stats(facets: Vec<FacetSpec>, stats: CorpusStats) -> Self {
        OfflineSummariser {
            facets,
            source: Source::None,
            stats: OnceCell::new_with(Some(Arc::new(stats))),
        }
    }

    async fn stats(&self) -> Result<Arc<CorpusStats>> {
        let stats = self
            .stats
            .get_or_try_init(|| async {
                let (data, index) = match &self.source {
                    Source::None => return Ok(Arc::new(CorpusStats::empty())),
                    Source::Store(d, i) => (d.clone(), i.clone()),
                };
                tokio::task::spawn_blocking(move || gather(&data, &index))
                    .await
                    .map_err(|e| Error::task("corpus statistics", e))?
                    .map(Arc::new)
            })
            .await?;
        Ok(stats.clone())
    }
}

/// Reads up to [`STATS_SAMPLE`] conversations of a store.
fn gather(data: &std::path::Path, index: &std::path::Path) -> Result<CorpusStats> {
    let store = Store::open(data, index)?;
    let mut stats = CorpusStats::empty();
    for conv in store.iter()?.take(STATS_SAMPLE) {
        stats.add(&conv?);
    }
    Ok(stats)
}

/// The offline summariser's identity (part of the summaries' key).
pub const OFFLINE_SUMMARISER: &str = "offline-extractive-v2";

impl Summariser for OfflineSummariser {
    fn identity(&self) -> String {
        OFFLINE_SUMMARISER.into()
    }

    fn summarise<'a>(&'a self, conversation: &'a Conversation) -> BoxFuture<'a, Result<Summary>> {
        Box::pin(async move {
            let stats = self.stats().await?;
            Ok(summarise_with(conversation, &self.facets, &stats))
        })
    }
}
