//! Positions on the 2D map.

use serde::{Deserialize, Serialize};

/// One conversation's position in the 2D projection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point2D {
    pub conversation_id: String,
    pub x: f32,
    pub y: f32,
    /// Base cluster the conversation belongs to.
    pub cluster: String,
}

/// A cluster's position, derived from its members (their centroid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterPosition {
    pub cluster: String,
    pub x: f32,
    pub y: f32,
}
