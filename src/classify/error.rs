//! The local classifier's typed error. Every way training or prediction
//! can refuse its input has its own variant, so callers (and tests) can
//! tell them apart; it converts into the library's [`crate::Error`].

/// Why the local classifier refused its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClassifyError {
    /// A parameter is out of range; `name` is the [`super::Params`] field.
    #[error("invalid classifier parameter `{name}`: {message}")]
    InvalidParam { name: &'static str, message: String },

    /// Nothing to work on: no training examples, no texts to calibrate
    /// on, no predictions to evaluate.
    #[error("{what} is empty")]
    Empty { what: &'static str },

    /// Single-label training needs examples of at least two classes.
    #[error("the training set has examples of only {found} class(es); at least two are needed")]
    TooFewClasses { found: usize },

    /// Multi-label training needs a label that some examples have and
    /// others lack.
    #[error("no label separates the training examples (every label is on all or none of them)")]
    NothingToLearn,

    /// An example names a class outside `0..n_classes`.
    #[error(
        "example {example}: label {label} is out of range (the classifier has {n_classes} classes)"
    )]
    LabelOutOfRange {
        example: usize,
        label: usize,
        n_classes: usize,
    },

    /// Two inputs that must have one entry per example do not.
    #[error("{what}: expected {expected} rows, got {got}")]
    LengthMismatch {
        what: &'static str,
        expected: usize,
        got: usize,
    },

    /// Embeddings were given where the model has none, or the reverse, or
    /// they have the wrong width.
    #[error("embeddings: {message}")]
    Embeddings { message: String },

    /// Embeddings or parameters contain NaN or infinity.
    #[error("{what} contains a non-finite value (row {row})")]
    NonFinite { what: &'static str, row: usize },

    /// A stored model is inconsistent (wrong version or sizes).
    #[error("stored classifier model is invalid: {message}")]
    CorruptModel { message: String },
}

impl From<ClassifyError> for crate::Error {
    fn from(e: ClassifyError) -> Self {
        match e {
            ClassifyError::InvalidParam { name, message } => crate::Error::param(name, message),
            other => crate::Error::Other(other.to_string()),
        }
    }
}
