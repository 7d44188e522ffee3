//! The stages, in order.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Summaries,
    Embeddings,
    Clusters,
    Names,
    Hierarchy,
    Projection,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Summaries,
        Stage::Embeddings,
        Stage::Clusters,
        Stage::Names,
        Stage::Hierarchy,
        Stage::Projection,
    ];

    /// The checkpoint name.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Summaries => "summaries",
            Stage::Embeddings => "embeddings",
            Stage::Clusters => "clusters",
            Stage::Names => "names",
            Stage::Hierarchy => "hierarchy",
            Stage::Projection => "projection",
        }
    }

    /// True for stages with one record per conversation.
    pub fn per_conversation(self) -> bool {
        matches!(
            self,
            Stage::Summaries | Stage::Embeddings | Stage::Projection
        )
    }
}
