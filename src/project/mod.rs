//! The project directory: layout, configuration, the conversation store,
//! checkpoints, labels and the lock.

pub mod atomic;
pub mod checkpoint;
pub mod journal;
pub mod labels;
mod layout;
mod lock;
mod open;
pub mod store;

pub use layout::Layout;
pub use lock::ProjectLock;
pub use open::Project;
