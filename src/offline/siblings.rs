//! Base cluster names chosen again once the first level of parents
//! exists, so that each reads differently from its siblings (the other
//! children of its parent), which is what a reader compares in the tree.
//!
//! The base names ([`super::naming::name_clusters`]) are chosen before the
//! hierarchy exists: each cluster's phrases score by recall times
//! precision over the whole corpus, so two siblings about one subject
//! ("set an alarm", "remove my alarm") can both be named by the words they
//! share. Here each cluster keeps the same candidate phrases, but each
//! score is multiplied by the square of the phrase's precision among the
//! parent's conversations (the share of the parent's uses of the phrase that fall
//! in this cluster): a phrase the siblings also use drops, one only this
//! cluster uses keeps its score. A cluster alone under its parent keeps its
//! order. The naming rules stay those of [`super::naming`]: two to seven
//! words, the language prefix, unique among all base clusters.

use rustc_hash::FxHashMap;

use super::naming::{self, Candidate};
use crate::model::Summary;

/// The power of the precision among siblings that multiplies a phrase's
/// score. Measured with the lexical embedder (`benches/RESULTS.md`, issue
/// 11): power 1 left sgd's base names 0.787 identifiable, 2 gave 0.810;
/// 3 and 4 moved the three data sets by at most 0.012 either way, so the
/// milder 2 is kept (higher powers favour rarer phrases).
const SIBLING_POWER: i32 = 2;

/// New names for base clusters: `rows[g]` are the positions in `summaries`
/// of cluster `g`'s conversations, `parent_of[g]` its parent, `above[g]`
/// (when present) the names it must not take (those of the clusters above
/// it). Returns one name per cluster.
pub fn names_among_siblings(
    summaries: &[Summary],
    rows: &[Vec<usize>],
    parent_of: &[usize],
    above: &[naming::Banned],
) -> Vec<String> {
    let groups = rows.len();
    let texts = naming::member_texts(summaries, rows);
    let members = naming::members(&texts);
    let scored = naming::score(&members, groups);
    let parent = |g: usize| parent_of.get(g).copied().unwrap_or(usize::MAX - g);
    // Per parent, how many of its conversations use each of its children's
    // candidate phrases.
    let mut in_parent: FxHashMap<usize, FxHashMap<u64, u32>> = FxHashMap::default();
    for (g, cands) in scored.candidates.iter().enumerate() {
        let counts = in_parent.entry(parent(g)).or_default();
        for c in cands {
            counts.insert(c.key, 0);
        }
    }
    for (m, keys) in members.iter().zip(&scored.doc_phrases) {
        let Some(counts) = in_parent.get_mut(&parent(m.group)) else {
            continue;
        };
        for (k, _, _) in keys {
            if let Some(n) = counts.get_mut(k) {
                *n += 1;
            }
        }
    }
    let mut order: Vec<usize> = (0..groups).collect();
    order.sort_by(|a, b| scored.sizes[*b].cmp(&scored.sizes[*a]).then(a.cmp(b)));
    let by_language =
        super::language_group::language_groups(&members, &scored.sizes, &scored.candidates);
    let mut taken = super::taken::Taken::default();
    let none = naming::Banned::default();
    let mut out = vec![String::new(); groups];
    for g in order {
        let size = scored.sizes[g];
        let counts = in_parent.get(&parent(g));
        let rescored = rescore(&scored.candidates[g], size, counts);
        let prefix = naming::language_prefix(&members, g, size);
        let group = by_language[g].as_ref();
        let name = super::options::pick(
            &members,
            g,
            &rescored,
            &prefix,
            group,
            &taken,
            above.get(g).unwrap_or(&none),
        );
        taken.insert(&name);
        out[g] = name;
    }
    out
}

/// `cands` with each score multiplied by the phrase's precision among the
/// parent's conversations (`in_parent`: uses per phrase), best first.
fn rescore(
    cands: &[Candidate],
    size: usize,
    in_parent: Option<&FxHashMap<u64, u32>>,
) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = cands
        .iter()
        .map(|c| {
            let own = (c.share * size as f64).round();
            let used = in_parent
                .and_then(|m| m.get(&c.key))
                .map_or(own, |n| f64::from(*n).max(own));
            let precision = if used > 0.0 { own / used } else { 1.0 };
            let mut c = c.clone();
            c.score *= precision.powi(SIBLING_POWER);
            c
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Summary;

    fn summary(id: &str, text: &str) -> Summary {
        Summary {
            conversation_id: id.into(),
            summary: text.into(),
            ..Summary::default()
        }
    }

    #[test]
    fn siblings_are_named_by_what_sets_them_apart() {
        let texts = [
            "alarm clock, snooze button",
            "alarm clock, snooze button",
            "alarm clock, bedside lamp",
            "alarm clock, kitchen timer",
            "kitchen timer",
            "kitchen timer",
            "python pandas dataframe merge",
            "python pandas dataframe filter",
        ];
        let summaries: Vec<Summary> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| summary(&i.to_string(), t))
            .collect();
        let rows = vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7]];
        // Over the whole corpus "alarm clock" wins (all of cluster 0, one
        // use elsewhere); its sibling uses it too, so among siblings the
        // phrase only cluster 0 uses wins.
        let global = naming::name_clusters(&summaries, &rows);
        assert_eq!(global[0].name, "Alarm clock");
        let names = names_among_siblings(&summaries, &rows, &[0, 0, 1], &[]);
        assert_eq!(names[0], "Snooze button");
        assert_eq!(names[1], "Kitchen timer");
        assert_eq!(names[2], global[2].name);
        assert!(names[2].starts_with("Python pandas dataframe"), "{names:?}");
    }

    #[test]
    fn a_phrase_the_siblings_share_loses_precision() {
        let make = |key, share| Candidate::for_test(key, 1.0, share);
        let cands = vec![make(1, 1.0), make(2, 0.5)];
        // Phrase 1: 4 uses here, 12 in the parent; phrase 2: 2 and 2.
        let parent: FxHashMap<u64, u32> = [(1, 12), (2, 2)].into_iter().collect();
        let r = rescore(&cands, 4, Some(&parent));
        assert_eq!(r[0].key, 2);
        // Its score times (4 / 12)²: the precision among siblings, squared.
        assert!((r[1].score - 1.0 / 9.0).abs() < 1e-9);
        // Without a parent's counts the order stays.
        assert_eq!(rescore(&cands, 4, None)[0].key, 1);
    }
}
