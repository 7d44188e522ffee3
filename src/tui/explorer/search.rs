//! `/` search: cluster names (and descriptions) and conversation summaries,
//! case-insensitively. Summaries are lower-cased once, the first time a
//! search runs, so each keystroke is a plain substring scan.

use super::index::ClusterIndex;
use crate::analysis::Analysis;

/// Listed results are capped; the total is still counted.
pub const MAX_HITS: usize = 300;

/// One search result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    Cluster(u32),
    /// A conversation, by store position.
    Conversation(u32),
}

/// Results of one query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    pub query: String,
    pub hits: Vec<Hit>,
    pub cluster_matches: usize,
    pub conversation_matches: usize,
}

/// Lower-cased summaries, by store position.
#[derive(Debug, Clone, Default)]
pub struct SearchText {
    summaries: Vec<String>,
}

impl SearchText {
    pub fn build(analysis: &Analysis) -> SearchText {
        SearchText {
            summaries: analysis
                .summaries
                .iter()
                .map(|s| s.summary.to_lowercase())
                .collect(),
        }
    }

    pub fn search(&self, analysis: &Analysis, index: &ClusterIndex, query: &str) -> SearchResults {
        let needle = query.trim().to_lowercase();
        let mut out = SearchResults {
            query: query.to_string(),
            ..Default::default()
        };
        if needle.is_empty() {
            return out;
        }
        // Clusters first, shallowest (broadest) first.
        let mut clusters: Vec<u32> = analysis
            .hierarchy
            .clusters()
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.name.to_lowercase().contains(&needle)
                    || c.description.to_lowercase().contains(&needle)
                    || c.id.to_lowercase() == needle
            })
            .map(|(i, _)| i as u32)
            .collect();
        clusters.sort_by_key(|&c| (index.depth.get(c as usize).copied().unwrap_or(0), c));
        out.cluster_matches = clusters.len();
        out.hits
            .extend(clusters.into_iter().take(MAX_HITS).map(Hit::Cluster));
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        for (p, s) in self.summaries.iter().enumerate() {
            if finder.find(s.as_bytes()).is_some() {
                out.conversation_matches += 1;
                if out.hits.len() < MAX_HITS {
                    out.hits.push(Hit::Conversation(p as u32));
                }
            }
        }
        out
    }
}
