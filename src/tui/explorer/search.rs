//! `/` search: cluster names (and descriptions) and conversation summaries,
//! case-insensitively. Summaries are lower-cased once, when the explorer
//! opens, so each keystroke is one substring scan over them all.

use super::index::ClusterIndex;
use crate::analysis::Analysis;

/// Listed results are capped; the total is still counted.
pub const MAX_HITS: usize = 300;
/// Summaries are searched from this many characters on.
pub const MIN_SUMMARY_QUERY: usize = 2;

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

/// Every summary lower-cased into one buffer, one per line, so a query is
/// a single substring scan.
#[derive(Debug, Clone, Default)]
pub struct SearchText {
    text: String,
    /// Byte offset where each summary starts (store order).
    starts: Vec<usize>,
}

impl SearchText {
    pub fn build(analysis: &Analysis) -> SearchText {
        let total: usize = analysis.summaries.iter().map(|s| s.summary.len() + 1).sum();
        let mut text = String::with_capacity(total);
        let mut starts = Vec::with_capacity(analysis.summaries.len());
        for s in &analysis.summaries {
            let start = text.len();
            starts.push(start);
            if s.summary.is_ascii() {
                text.push_str(&s.summary);
                text[start..].make_ascii_lowercase();
            } else {
                text.extend(s.summary.chars().flat_map(char::to_lowercase));
            }
            if text[start..].contains('\n') {
                let line = text[start..].replace('\n', " ");
                text.truncate(start);
                text.push_str(&line);
            }
            text.push('\n');
        }
        SearchText { text, starts }
    }

    pub fn search(&self, analysis: &Analysis, index: &ClusterIndex, query: &str) -> SearchResults {
        let needle = query.trim().to_lowercase();
        let mut out = SearchResults {
            query: query.to_string(),
            ..Default::default()
        };
        if needle.is_empty() || needle.contains('\n') {
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
        // A single character would match nearly every summary; wait for more.
        if needle.chars().count() < MIN_SUMMARY_QUERY {
            return out;
        }
        // One find per matching summary: after a hit, jump to the next one.
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let bytes = self.text.as_bytes();
        let mut from = 0;
        while let Some(found) = bytes.get(from..).and_then(|rest| finder.find(rest)) {
            let at = from + found;
            let p = self.starts.partition_point(|&s| s <= at).saturating_sub(1);
            out.conversation_matches += 1;
            if out.hits.len() < MAX_HITS {
                out.hits.push(Hit::Conversation(p as u32));
            }
            from = self.starts.get(p + 1).copied().unwrap_or(bytes.len());
        }
        out
    }
}
