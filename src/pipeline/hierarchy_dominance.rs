//! Dominant top-level clusters that have no parts.
//!
//! A parent that holds more than [`MAX_SHARE`] of the conversations says
//! in its description how coherent its parts are
//! ([`crate::offline::hierarchy`]). A base cluster can stand at the top as
//! well: in a project with no more base clusters than the top level
//! allows, or where a one-child parent was folded into it
//! ([`super::hierarchy_chains`]). Such a cluster says how coherent its
//! conversations are, against the other top-level clusters'.

use std::collections::HashMap;

use ndarray::ArrayView2;

use super::naming;
use crate::model::{Cluster, Summary};
use crate::offline::hierarchy::{MAX_SHARE, members_dominance_note};

/// A top-level cluster without parts (a base cluster at the top: a small
/// project, or a one-child parent folded into it) that holds more than
/// [`MAX_SHARE`] of the conversations says in its description how coherent
/// its conversations are, as a dominant parent says of its parts.
/// `all` holds no noise.
pub(super) fn note_base_roots(
    all: &mut [Cluster],
    summaries: &[Summary],
    embeddings: ArrayView2<f32>,
) {
    let roots: Vec<usize> = (0..all.len())
        .filter(|&i| all[i].parent.is_none())
        .collect();
    let total: usize = roots.iter().map(|&i| all[i].count).sum();
    let dominant = |i: usize| {
        all[i].children.is_empty() && total > 0 && all[i].count as f64 / total as f64 > MAX_SHARE
    };
    if !roots.iter().any(|&i| dominant(i)) {
        return;
    }
    // The summary rows under each root, through its base clusters.
    let by_id: HashMap<&str, usize> = all
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let position: HashMap<usize, usize> = roots.iter().enumerate().map(|(r, &i)| (i, r)).collect();
    // A parent has no members of its own, so its rows are empty.
    let own_rows = naming::rows_of(all, summaries);
    let mut rows = vec![Vec::new(); roots.len()];
    for (b, members) in own_rows.into_iter().enumerate() {
        if members.is_empty() {
            continue;
        }
        let mut top = b;
        for _ in 0..all.len() {
            match all[top].parent.as_deref().and_then(|p| by_id.get(p)) {
                Some(&up) => top = up,
                None => break,
            }
        }
        if let Some(&r) = position.get(&top) {
            rows[r].extend(members);
        }
    }
    let notes: Vec<(usize, String)> = roots
        .iter()
        .enumerate()
        .filter(|(_, i)| dominant(**i))
        .map(|(r, &i)| {
            let share = all[i].count as f64 / total as f64;
            (i, members_dominance_note(embeddings, &rows, r, share))
        })
        .collect();
    for (i, note) in notes {
        all[i].description.push(' ');
        all[i].description.push_str(&note);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_base_cluster_at_the_top_holding_most_conversations_says_how_coherent_it_is() {
        // Roots: L0-0 (3 conversations, tight), L1-0 over L0-1 and L0-2 (one each).
        let mut all = vec![
            Cluster::test_node("L0-0", 0, None, &[], 3),
            Cluster::test_node("L0-1", 0, Some("L1-0"), &[], 1),
            Cluster::test_node("L0-2", 0, Some("L1-0"), &[], 1),
            Cluster::test_node("L1-0", 1, None, &["L0-1", "L0-2"], 2),
        ];
        let ids = ["L0-0-0", "L0-0-1", "L0-0-2", "L0-1-0", "L0-2-0"];
        let summaries: Vec<Summary> = ids
            .iter()
            .map(|id| Summary {
                conversation_id: id.to_string(),
                ..Summary::default()
            })
            .collect();
        let embeddings = array![
            [1.0f32, 0.0],
            [1.0, 0.0],
            [1.0, 0.0],
            [1.0, 0.0],
            [0.0, 1.0],
        ];
        note_base_roots(&mut all, &summaries, embeddings.view());
        assert_eq!(
            all[0].description,
            "About L0-0. It holds 60% of the conversations; its conversations have a \
             coherence of 1.00 (mean cosine to its centre, against 0.71 on average for \
             the other groups)."
        );
        for c in &all[1..] {
            assert_eq!(
                c.description,
                format!("About {}.", c.id),
                "only the dominant base root"
            );
        }
    }
}
