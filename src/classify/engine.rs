//! The local engine behind a classifier definition: turns labelled items
//! (and the definition's few-shot examples) into a training set over the
//! project's texts, trains a [`LocalClassifier`] and labels texts with
//! category names.

use std::collections::HashSet;

use ndarray::{Array2, Axis};

use super::corpus::Corpus;
use super::definition::{Definition, LabelMode};
use super::labelled::LabelledItem;
use super::model::{Labels, LocalClassifier, TrainSet};
use crate::error::{Error, Result};

/// A text to classify: a project conversation (by store position) or a
/// free text.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Conversation(usize),
    Text(String),
}

impl Item {
    /// The item of a labelled record (its id must be in the corpus).
    pub fn of(record: &LabelledItem, corpus: &Corpus) -> Result<Item> {
        if let Some(id) = &record.id {
            return corpus
                .position(id)
                .map(Item::Conversation)
                .ok_or_else(|| Error::Other(format!("conversation `{id}` is not in the project")));
        }
        Ok(Item::Text(record.text.clone().unwrap_or_default()))
    }

    pub fn text<'a>(&'a self, corpus: &'a Corpus) -> &'a str {
        match self {
            Item::Conversation(p) => corpus.texts.get(*p).map_or("", String::as_str),
            Item::Text(t) => t,
        }
    }
}

/// A trained classifier with its category names.
#[derive(Debug, Clone)]
pub struct Trained {
    pub model: LocalClassifier,
    pub classes: Vec<String>,
    pub mode: LabelMode,
    /// True when the project's embeddings are part of the features.
    pub embeddings: bool,
    pub n_train: usize,
}

/// The definition's few-shot examples as labelled items, leaving out any
/// whose key is already labelled (the label file wins).
pub fn example_items(def: &Definition, labelled: &[LabelledItem]) -> Vec<LabelledItem> {
    let taken: HashSet<String> = labelled.iter().map(LabelledItem::key).collect();
    let mut out = Vec::new();
    for c in &def.categories {
        for e in &c.examples {
            let item = LabelledItem {
                id: e.id.clone(),
                text: Some(e.text.clone()),
                labels: vec![c.name.get_ref().trim().to_string()],
            };
            if !taken.contains(&item.key()) {
                out.push(item);
            }
        }
    }
    out
}

/// Whether embeddings can be used for all these items.
pub fn can_embed(def: &Definition, corpus: &Corpus, items: &[&Item]) -> bool {
    def.embeddings
        && corpus.embeddings.is_some()
        && items.iter().all(|i| matches!(i, Item::Conversation(_)))
}

fn embedding_rows(corpus: &Corpus, items: &[Item]) -> Option<Array2<f32>> {
    let e = corpus.embeddings.as_ref()?;
    let rows: Option<Vec<usize>> = items
        .iter()
        .map(|i| match i {
            Item::Conversation(p) if *p < e.nrows() => Some(*p),
            _ => None,
        })
        .collect();
    Some(e.select(Axis(0), &rows?))
}

/// Trains on `records` (label names are resolved through the definition).
/// With `embeddings`, every record must be a project conversation.
pub fn train(
    def: &Definition,
    corpus: &Corpus,
    records: &[LabelledItem],
    embeddings: bool,
) -> Result<Trained> {
    let classes = def.class_names();
    let mut items = Vec::with_capacity(records.len());
    let mut label_sets = Vec::with_capacity(records.len());
    for r in records {
        items.push(Item::of(r, corpus)?);
        let set: Vec<usize> = r.labels.iter().filter_map(|l| def.class_of(l)).collect();
        label_sets.push(set);
    }
    let texts: Vec<String> = items.iter().map(|i| i.text(corpus).to_string()).collect();
    let emb =
        if embeddings {
            Some(embedding_rows(corpus, &items).ok_or_else(|| {
                Error::Other("embeddings were asked for texts that have none".into())
            })?)
        } else {
            None
        };
    let singles: Vec<usize>;
    let labels = match def.mode {
        LabelMode::Single => {
            singles = label_sets
                .iter()
                .map(|s| s.first().copied().unwrap_or(classes.len()))
                .collect();
            Labels::Single(&singles)
        }
        LabelMode::Multi => Labels::Multi(&label_sets),
    };
    let set = TrainSet {
        texts: &texts,
        embeddings: emb.as_ref().map(|e| e.view()),
        labels,
        n_classes: classes.len(),
    };
    let model = LocalClassifier::fit(&set, &def.local).map_err(|e| {
        Error::Other(format!(
            "training on {} labelled examples failed: {e}",
            texts.len()
        ))
    })?;
    Ok(Trained {
        model,
        classes,
        mode: def.mode,
        embeddings,
        n_train: texts.len(),
    })
}

/// What the classifier says about one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    /// Predicted classes (one for single-label, unless it abstains).
    pub classes: Vec<usize>,
    /// Probability of the top class (single-label) or of each predicted
    /// class, in the same order (multi-label).
    pub confidence: Vec<f32>,
}

impl Trained {
    /// Labels `items`.
    pub fn predict(&self, corpus: &Corpus, items: &[Item]) -> Result<Vec<Labelled>> {
        let texts: Vec<String> = items.iter().map(|i| i.text(corpus).to_string()).collect();
        let emb = if self.embeddings {
            Some(embedding_rows(corpus, items).ok_or_else(|| {
                Error::Other("the model uses embeddings but some texts have none".into())
            })?)
        } else {
            None
        };
        let preds = self
            .model
            .predict(&texts, emb.as_ref().map(|e| e.view()))
            .map_err(|e| Error::Other(format!("prediction failed: {e}")))?;
        Ok(preds
            .into_iter()
            .map(|p| Labelled {
                confidence: p
                    .labels
                    .iter()
                    .map(|&c| p.probabilities.get(c).copied().unwrap_or(0.0))
                    .collect(),
                classes: p.labels,
            })
            .collect())
    }
}
