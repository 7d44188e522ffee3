//! The data model shared by every stage: conversations, summaries, clusters
//! and map points. Everything round-trips through serde JSON without loss.

mod cluster;
mod conversation;
mod hierarchy;
mod point;
mod summary;

pub use cluster::{Cluster, slugify};
pub use conversation::{Conversation, Message, Role};
pub use hierarchy::{Hierarchy, unique_slug};
pub use point::{ClusterPosition, Point2D};
pub use summary::Summary;

/// Free-form metadata, carried through untouched. Keys keep their order.
pub type Metadata = serde_json::Map<String, serde_json::Value>;
