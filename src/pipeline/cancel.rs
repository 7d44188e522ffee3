//! The cancellation flag shared by the UI, the pipeline and the LLM
//! clients: once set, no new work starts, in-flight work is dropped, and
//! what finished stays saved.

pub use crate::llm::CancelToken as Cancel;
