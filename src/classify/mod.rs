//! The local classifier engine: a linear model over sparse word and
//! character n-gram TF-IDF features, optionally joined with the project's
//! embeddings. Offline, fast and deterministic: the engine meant for
//! labelling every conversation of a project once a classifier's
//! categories and labelled examples exist.
//!
//! - [`Params`] → [`Params::check`] → training with
//!   [`LocalClassifier::fit`] on a [`TrainSet`] (single- or multi-label).
//! - The model is one-vs-rest linear SVMs (squared hinge loss, solved by
//!   dual coordinate descent); it works on sparse rows throughout.
//! - [`LocalClassifier::predict`] gives a [`Prediction`] per text with
//!   per-class scores and probabilities; the model serialises with serde.
//! - [`report`] and [`multi_label_report`] measure predictions;
//!   [`split_by_id`], [`stratified_folds`] and [`cross_validate`] make
//!   deterministic splits.
//!
//! On a project (`classifiers/NAME.*`): a [`Definition`] (TOML, written by
//! [`ops::define_from_clusters`] or by hand), labelled examples
//! ([`labelled`]), evaluations stored with the classifier's version
//! ([`evaluation`]) and applied labels ([`ops::apply`]).
//!
//! Every refusal is a typed [`ClassifyError`]; nothing here panics on
//! user data.

pub mod access;
pub mod corpus;
pub mod create;
pub mod definition;
pub mod engine;
mod error;
pub mod evaluation;
mod features;
pub mod files;
pub mod judge;
pub mod labelled;
mod metrics;
mod model;
pub mod ops;
mod params;
mod predict;
mod space;
mod split;
mod svm;

pub use definition::{Definition, EngineKind, LabelMode, TextSource};
pub use error::ClassifyError;
pub use files::ClassifierFiles;
pub use metrics::{ClassMetrics, MultiLabelReport, Report, multi_label_report, report};
pub use model::{Labels, LocalClassifier, MODEL_FORMAT, Mode, TrainSet};
pub use params::{CheckedParams, MAX_NGRAM, Params};
pub use predict::Prediction;
pub use space::{FeatureMap, SparseRows};
pub use split::{Fold, Split, cross_validate, shuffled_folds, split_by_id, stratified_folds};
