//! Distinctive keywords per cluster by class-based TF-IDF (c-TF-IDF, as in
//! BERTopic), for naming clusters without an LLM.
//!
//! All texts of a cluster form one document. For term `t` and cluster `c`:
//!
//! ```text
//! score(t, c) = tf(t, c) × ln(1 + A / f(t))
//! ```
//!
//! where `tf(t, c)` is the count of `t` in `c` divided by the words in `c`,
//! `f(t)` the count of `t` over all clusters, and `A` the average number of
//! words per non-empty cluster. Terms frequent in one cluster and rare
//! elsewhere score highest.

use std::collections::HashMap;

use super::input::ensure;
use super::stopwords::is_stopword;
use crate::error::Result;

/// Shortest token kept, in characters.
const MIN_TOKEN_CHARS: usize = 3;
/// Largest cluster number accepted, plus one.
const MAX_CLUSTERS: usize = 1 << 24;
/// Keywords joined into a [`keyword_name`].
const NAME_WORDS: usize = 3;

/// Lowercase word tokens of `text`: runs of letters and digits, without
/// stop words (see the built-in list), tokens under three characters and
/// pure numbers. Scripts written without spaces come out as long runs.
pub fn tokenize(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| {
            w.chars().count() >= MIN_TOKEN_CHARS
                && !w.chars().all(|c| c.is_numeric())
                && !is_stopword(w)
        })
        .collect()
}

/// The `top_n` most distinctive keywords of each cluster, best first.
///
/// `labels[i]` is the cluster of `texts[i]`; the result has one entry per
/// cluster `0..=max(labels)` (empty for a cluster without words). Ties are
/// broken alphabetically, so the output is deterministic. Errors when the
/// two slices differ in length or a label is above 16,777,215.
pub fn ctfidf_keywords<S: AsRef<str>>(
    texts: &[S],
    labels: &[usize],
    top_n: usize,
) -> Result<Vec<Vec<String>>> {
    ensure(texts.len() == labels.len(), "labels", || {
        format!("has {} entries for {} texts", labels.len(), texts.len())
    })?;
    let n_clusters = labels.iter().max().map_or(0, |m| m.saturating_add(1));
    ensure(n_clusters <= MAX_CLUSTERS, "labels", || {
        format!(
            "cluster numbers must be dense (0, 1, 2, …); got {}",
            n_clusters - 1
        )
    })?;
    let mut vocab: HashMap<String, usize> = HashMap::new();
    let mut terms: Vec<String> = Vec::new();
    let mut per_cluster: Vec<HashMap<usize, u32>> = vec![HashMap::new(); n_clusters];
    let mut totals = vec![0u64; n_clusters];
    let mut global: Vec<u64> = Vec::new();
    for (text, &label) in texts.iter().zip(labels) {
        for token in tokenize(text.as_ref()) {
            let id = match vocab.get(&token) {
                Some(&id) => id,
                None => {
                    let id = terms.len();
                    vocab.insert(token.clone(), id);
                    terms.push(token);
                    global.push(0);
                    id
                }
            };
            *per_cluster[label].entry(id).or_insert(0) += 1;
            totals[label] += 1;
            global[id] += 1;
        }
    }
    let non_empty = totals.iter().filter(|&&t| t > 0).count().max(1);
    let avg_words = totals.iter().sum::<u64>() as f64 / non_empty as f64;
    Ok(per_cluster
        .iter()
        .zip(&totals)
        .map(|(counts, &total)| {
            let mut scored: Vec<(f64, &str)> = counts
                .iter()
                .map(|(&id, &count)| {
                    let tf = f64::from(count) / total.max(1) as f64;
                    let idf = (1.0 + avg_words / global[id] as f64).ln();
                    (tf * idf, terms[id].as_str())
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
            scored
                .into_iter()
                .take(top_n)
                .map(|(_, t)| t.to_string())
                .collect()
        })
        .collect())
}

/// A readable name from keywords, best first: up to three of them joined
/// by ", " (e.g. "refund, invoice, charge"), skipping a keyword that shares
/// its first five letters with one already taken ("refunds" after
/// "refund"). "unlabelled" when there are none.
pub fn keyword_name<S: AsRef<str>>(keywords: &[S]) -> String {
    let mut chosen: Vec<&str> = Vec::new();
    for k in keywords.iter().map(AsRef::as_ref) {
        if chosen.len() == NAME_WORDS {
            break;
        }
        if k.trim().is_empty() || chosen.iter().any(|c| same_stem(c, k)) {
            continue;
        }
        chosen.push(k.trim());
    }
    if chosen.is_empty() {
        "unlabelled".to_string()
    } else {
        chosen.join(", ")
    }
}

/// Whether one word is a prefix of the other, or both share five leading
/// characters: a cheap stand-in for stemming.
fn same_stem(a: &str, b: &str) -> bool {
    if a.starts_with(b) || b.starts_with(a) {
        return true;
    }
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    common >= 5
}
