//! `classify new` as one library call: the CLI and the explorer's `C` key
//! both write `classifiers/NAME.toml` through [`create_from_clusters`].

use super::corpus::Corpus;
use super::definition::{Definition, LabelMode, TextSource};
use super::files::ClassifierFiles;
use super::ops;
use crate::error::{Error, Result};
use crate::project::Project;

/// What to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClassifier {
    pub name: String,
    /// Cluster ids or slugs, one category each.
    pub clusters: Vec<String>,
    /// Few-shot examples per category.
    pub examples: usize,
    pub mode: LabelMode,
    /// Replace an existing definition.
    pub force: bool,
}

/// Default few-shot examples per category.
pub const DEFAULT_EXAMPLES: usize = 5;

impl NewClassifier {
    /// A single-label classifier from `clusters` with the default examples.
    pub fn new(name: impl Into<String>, clusters: Vec<String>) -> NewClassifier {
        NewClassifier {
            name: name.into(),
            clusters,
            examples: DEFAULT_EXAMPLES,
            mode: LabelMode::Single,
            force: false,
        }
    }
}

/// Checks the name and refuses to replace a definition (unless `force`)
/// before anything is read; then builds the definition from the project's
/// clusters and conversations and writes it atomically.
pub fn create_from_clusters(
    project: &Project,
    new: &NewClassifier,
) -> Result<(ClassifierFiles, Definition)> {
    let files = ClassifierFiles::new(project.layout.root(), &new.name)?;
    if files.definition().exists() && !new.force {
        return Err(Error::Other(format!(
            "{} already exists; edit it, or pass --force to replace it",
            files.definition().display()
        )));
    }
    let analysis = ops::clusters_of(project)?;
    let corpus = Corpus::load(project, TextSource::User)?;
    let def = ops::define_from_clusters(
        &analysis.hierarchy,
        &corpus,
        &new.clusters,
        new.examples,
        new.mode,
    )?;
    ops::write_definition(&files, &def, new.force)?;
    Ok((files, def))
}
