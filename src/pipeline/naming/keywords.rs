//! Offline names: class-based TF-IDF keywords of each group's texts.

use std::collections::HashSet;

use super::GeneratedName;
use crate::cluster;
use crate::error::Result;
use crate::model::slugify;

/// Keyword names for groups of texts (offline mode).
pub fn keyword_names(
    texts: &[String],
    labels: &[usize],
    groups: usize,
) -> Result<Vec<GeneratedName>> {
    let keywords = if texts.is_empty() {
        vec![Vec::new(); groups]
    } else {
        cluster::ctfidf_keywords(texts, labels, 8)?
    };
    let mut taken_names = HashSet::new();
    Ok((0..groups)
        .map(|g| {
            let kw = keywords.get(g).cloned().unwrap_or_default();
            let mut name = cluster::keyword_name(&kw);
            // Two groups with the same top words: add the next distinct one.
            let mut extra = kw.iter().skip(3);
            while taken_names.contains(&name) {
                match extra.next() {
                    Some(k) => name = format!("{name}, {k}"),
                    None => {
                        name = format!("{name} ({})", g + 1);
                        break;
                    }
                }
            }
            taken_names.insert(name.clone());
            let description = if kw.is_empty() {
                "Conversations without distinctive words.".to_string()
            } else {
                format!(
                    "Conversations whose summaries stand out for: {}.",
                    kw.iter().take(8).cloned().collect::<Vec<_>>().join(", ")
                )
            };
            GeneratedName {
                slug: slugify(&name, 4),
                name,
                description,
            }
        })
        .collect())
}
