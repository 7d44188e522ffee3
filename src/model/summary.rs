//! The facets the summarisation stage extracts from each conversation.

use serde::{Deserialize, Serialize};

use super::Metadata;

/// Privacy-safe facets of one conversation.
///
/// Optional facets are `None` when unknown (the offline summariser never
/// invents them). `custom` holds project-defined facets by name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Id of the conversation this summarises.
    pub conversation_id: String,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    /// 1 (not concerning) to 5 (very concerning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concerning_score: Option<u8>,
    /// 1 (content) to 5 (very frustrated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_frustration: Option<u8>,
    #[serde(default)]
    pub assistant_errors: Vec<String>,
    /// Project-defined facets, by name.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub custom: Metadata,
}

impl Summary {
    /// The text that is embedded for clustering: facet text only, never ids
    /// or metadata.
    pub fn embedding_text(&self) -> String {
        let mut out = self.summary.clone();
        if let Some(request) = &self.request
            && !request.is_empty()
            && !self.summary.contains(request.as_str())
        {
            out.push('\n');
            out.push_str(request);
        }
        out
    }
}
