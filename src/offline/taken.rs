//! The names already chosen at one level ([`super::choose`]), by their
//! keys ([`super::options::taken_key`]: content words, singular and
//! uninflected, sorted). A name is taken when its key is, and also when
//! its key has two or more words and they all appear in a taken key: a
//! name less specific than one already chosen ("Captain Marvel" after
//! "Captain Marvel sounds", "Movie ticket" after "Buy movie tickets")
//! tells a reader nothing about which cluster is which. Clusters are named
//! largest first, so the general name goes to the larger cluster; a more
//! specific name stays free ("Set an alarm for seven" after "Set an
//! alarm"), since it says what sets its cluster apart. One word alone
//! ("Flights") blocks only itself.

use std::collections::{HashMap, HashSet};

/// Taken names; see the module doc.
#[derive(Debug, Default)]
pub(super) struct Taken {
    keys: HashSet<String>,
    /// Each taken key's words.
    words: Vec<Vec<String>>,
    /// For each word, the taken keys (indices into `words`) that hold it.
    by_word: HashMap<String, Vec<usize>>,
}

impl Taken {
    /// Records a chosen name.
    pub(super) fn insert(&mut self, name: &str) {
        let key = super::options::taken_key(&super::naming::normal(name));
        if !self.keys.insert(key.clone()) {
            return;
        }
        let id = self.words.len();
        let words: Vec<String> = key.split(' ').map(str::to_string).collect();
        for w in &words {
            self.by_word.entry(w.clone()).or_default().push(id);
        }
        self.words.push(words);
    }

    /// Whether the normal name `normal` is taken by the same key only
    /// (for numbered names: "… (2)" is free when no "… (2)" is taken).
    pub(super) fn holds_key(&self, normal: &str) -> bool {
        self.keys.contains(&super::options::taken_key(normal))
    }

    /// Whether the normal name `normal` is taken: its key is, or its key's
    /// two or more words all appear in a taken key.
    pub(super) fn holds(&self, normal: &str) -> bool {
        let key = super::options::taken_key(normal);
        if self.keys.contains(&key) {
            return true;
        }
        let mine: Vec<&str> = key.split(' ').collect();
        let mut seen: HashSet<usize> = HashSet::new();
        for w in &mine {
            for &id in self.by_word.get(*w).into_iter().flatten() {
                if !seen.insert(id) {
                    continue;
                }
                let theirs = &self.words[id];
                if mine.len() >= 2 && mine.iter().all(|m| theirs.iter().any(|t| t == m)) {
                    return true;
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::offline::naming::normal;

    #[test]
    fn a_name_less_specific_than_a_taken_one_is_taken() {
        let mut taken = Taken::default();
        taken.insert("Captain Marvel sounds");
        taken.insert("Kuala Lumpur");
        taken.insert("Flights");
        let holds = |n: &str| taken.holds(&normal(n));
        assert!(holds("Captain Marvel"));
        assert!(holds("Sounds of Captain Marvel"));
        assert!(holds("Kuala Lumpur"));
        assert!(!holds("Captain America"));
        // A more specific name says what sets its cluster apart: free.
        assert!(!holds("Hotels in Kuala Lumpur"));
        // One word blocks only itself.
        assert!(holds("flight"));
        assert!(!holds("Cheap flights"));
        // A numbered name checks its key alone.
        assert!(!taken.holds_key(&normal("Kuala Lumpur (2)")));
        assert!(taken.holds_key(&normal("Kuala Lumpur")));
    }
}
