//! Parents with one child, folded into it.
//!
//! A grouping step may leave a cluster alone (an outlier among its
//! level), and its parent then holds exactly the same conversations under
//! a second name: the demo showed "People switch to English as soon"
//! (45) over "Learning and lessons with a tutor" (45). At seed 42 about
//! one parent in ten was such a chain (demo 5 of 38, banking77 6 of 65,
//! hwu64 21 of 273, sgd 20 of 229). Once the tree is built and named,
//! [`collapse`] takes each chain out: its lowest cluster takes the top's
//! place, under the top's parent or as a root. The levels' partitions do
//! not change (a cluster stands for its level wherever no cluster of
//! that level is above it; [`crate::model::Hierarchy::at_level`]), so
//! neither does any NMI.
//!
//! The surviving cluster takes the lowest name of its chain that still
//! reads apart from its new siblings and does not repeat its new
//! ancestors (nor hold its parent's name word for word, or be held by
//! it): the lowest name was chosen freely, while the ones above had to
//! avoid it. When none does, it takes the top's, which was chosen for
//! that place.

use std::collections::{HashMap, HashSet};

use crate::model::Cluster;
use crate::offline::naming::{Banned, normal};

/// Folds every chain of parents with one child into its lowest cluster;
/// returns how many clusters were taken out.
pub(super) fn collapse(all: &mut Vec<Cluster>) -> usize {
    let by_id: HashMap<String, usize> = all
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    let chains = chains(all, &by_id);
    if chains.is_empty() {
        return 0;
    }
    // First the tree as it read before: each survivor in its top's place,
    // with its top's name.
    let mut names: Vec<Vec<(String, String)>> = Vec::with_capacity(chains.len());
    for chain in &chains {
        let (top, last) = (chain[0], chain[chain.len() - 1]);
        let parent = all[top].parent.clone();
        if let Some(&p) = parent.as_ref().and_then(|p| by_id.get(p)) {
            let (from, to) = (all[top].id.clone(), all[last].id.clone());
            for child in &mut all[p].children {
                if *child == from {
                    child.clone_from(&to);
                }
            }
        }
        all[last].parent = parent;
        let own: Vec<(String, String)> = chain
            .iter()
            .rev()
            .map(|&i| (all[i].name.clone(), all[i].description.clone()))
            .collect();
        let top_name = own[own.len() - 1].clone();
        names.push(own);
        name(&mut all[last], top_name);
    }
    // Then each survivor takes the lowest of its chain's names that fits
    // (no cluster has moved in `all` yet, so `by_id` still holds).
    for (chain, own) in chains.iter().zip(names) {
        let last = chain[chain.len() - 1];
        let banned = around(all, &by_id, last);
        if let Some(fits) = own.into_iter().find(|(n, _)| !banned.refuses(&normal(n))) {
            name(&mut all[last], fits);
        }
    }
    let out: HashSet<usize> = chains
        .iter()
        .flat_map(|c| c[..c.len() - 1].iter().copied())
        .collect();
    let mut i = 0;
    all.retain(|_| {
        i += 1;
        !out.contains(&(i - 1))
    });
    out.len()
}

/// Each chain of parents with one child, top first; its last cluster has
/// none or several children and is the one that stays.
fn chains(all: &[Cluster], by_id: &HashMap<String, usize>) -> Vec<Vec<usize>> {
    let only_child = |i: usize| -> Option<usize> {
        match all[i].children.as_slice() {
            [one] => by_id.get(one).copied(),
            _ => None,
        }
    };
    let parent_of = |i: usize| all[i].parent.as_ref().and_then(|p| by_id.get(p)).copied();
    let mut chains = Vec::new();
    for top in 0..all.len() {
        if only_child(top).is_none() || parent_of(top).is_some_and(|p| only_child(p).is_some()) {
            continue;
        }
        let mut chain = vec![top];
        let mut seen = HashSet::from([top]);
        while let Some(next) = only_child(chain[chain.len() - 1]) {
            if !seen.insert(next) {
                break; // a cycle would be a bug; never loop forever
            }
            chain.push(next);
        }
        chains.push(chain);
    }
    chains
}

fn name(c: &mut Cluster, (name, description): (String, String)) {
    if c.name != name {
        super::hierarchy::rename(c, name, Some(description));
    }
}

/// What cluster `at` may not be named where it now stands: its siblings'
/// names, its ancestors', and none holding its parent's word for word or
/// held by it.
fn around(all: &[Cluster], by_id: &HashMap<String, usize>, at: usize) -> Banned {
    let mut banned = Banned::default();
    let parent = all[at].parent.as_ref().and_then(|p| by_id.get(p)).copied();
    let siblings: Vec<&Cluster> = match parent {
        Some(p) => all[p]
            .children
            .iter()
            .filter_map(|id| by_id.get(id).map(|&i| &all[i]))
            .collect(),
        None => all
            .iter()
            .filter(|c| c.parent.as_ref().is_none_or(|p| !by_id.contains_key(p)))
            .collect(),
    };
    for s in siblings.into_iter().filter(|s| s.id != all[at].id) {
        banned.repeat(&s.name);
    }
    if let Some(p) = parent {
        banned.overlap(&all[p].name);
    }
    let mut up = parent;
    let mut seen = HashSet::new();
    while let Some(p) = up.filter(|p| seen.insert(*p)) {
        banned.repeat(&all[p].name);
        up = all[p].parent.as_ref().and_then(|q| by_id.get(q)).copied();
    }
    banned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, name: &str, parent: Option<&str>, children: &[&str], count: usize) -> Cluster {
        let level = id[1..2].parse().unwrap();
        let mut c = Cluster::test_node(id, level, parent, children, count);
        super::super::hierarchy::rename(&mut c, name.into(), Some(format!("About {name}.")));
        c
    }

    fn get<'a>(all: &'a [Cluster], id: &str) -> &'a Cluster {
        all.iter().find(|c| c.id == id).unwrap()
    }

    #[test]
    fn a_chain_folds_into_its_lowest_cluster_under_the_top_parent() {
        // L2-0 ─┬─ L1-0 ── L0-0 (chain of one child)
        //       └─ L1-1 ─┬─ L0-1
        //                └─ L0-2
        // L2-1 ── L1-2 ── L0-3 (a root chain of two)
        let mut all = vec![
            c("L0-0", "Tutor lessons", Some("L1-0"), &[], 5),
            c("L0-1", "Missed connections", Some("L1-1"), &[], 3),
            c("L0-2", "Lost luggage", Some("L1-1"), &[], 2),
            c("L0-3", "Recipes for dinner", Some("L1-2"), &[], 4),
            c("L1-0", "Switch to English", Some("L2-0"), &["L0-0"], 5),
            c("L1-1", "Air travel", Some("L2-0"), &["L0-1", "L0-2"], 5),
            c("L1-2", "Cooking", Some("L2-1"), &["L0-3"], 4),
            c("L2-0", "Learning and travel", None, &["L1-0", "L1-1"], 10),
            c("L2-1", "Food", None, &["L1-2"], 4),
        ];
        assert_eq!(collapse(&mut all), 3);
        let ids: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            ["L0-0", "L0-1", "L0-2", "L0-3", "L1-1", "L2-0"],
            "the chains' upper clusters are gone"
        );
        assert_eq!(get(&all, "L2-0").children, ["L0-0", "L1-1"]);
        let tutor = get(&all, "L0-0");
        assert_eq!(tutor.parent.as_deref(), Some("L2-0"));
        assert_eq!(tutor.name, "Tutor lessons", "the lowest name fits");
        let recipes = get(&all, "L0-3");
        assert_eq!(recipes.parent, None, "the root chain's survivor is a root");
        assert_eq!(recipes.name, "Recipes for dinner");
    }

    #[test]
    fn a_survivor_whose_own_name_clashes_takes_the_next_one_up() {
        // The lowest name repeats a new sibling's up to a plural, so the
        // survivor takes its top's.
        let mut all = vec![
            c("L0-0", "Flight delay", Some("L1-0"), &[], 5),
            c("L0-1", "Missed connections", Some("L1-1"), &[], 3),
            c("L0-2", "Baggage", Some("L1-1"), &[], 2),
            c("L1-0", "Travel news", Some("L2-0"), &["L0-0"], 5),
            c("L1-1", "Flight delays", Some("L2-0"), &["L0-1", "L0-2"], 5),
            c("L2-0", "Journeys", None, &["L1-0", "L1-1"], 10),
        ];
        let mut top = all.clone();
        top.push(c("L3-0", "Trips", None, &["L2-0"], 10));
        top[5].parent = Some("L3-0".into());
        assert_eq!(collapse(&mut all), 1);
        let survivor = get(&all, "L0-0");
        assert_eq!(
            survivor.name, "Travel news",
            "the top's name, not a sibling's"
        );
        assert_eq!(survivor.description, "About Travel news.");
        assert_eq!(survivor.parent.as_deref(), Some("L2-0"));
        // A root over a single child folds too, and the ids stay unique.
        assert_eq!(collapse(&mut top), 2);
        assert!(top.iter().all(|c| c.children.len() != 1));
        assert_eq!(get(&top, "L2-0").parent, None);
    }
}
