//! Choosing one cluster's name among its options: the first that no
//! other cluster has taken and that holds no name the cluster must avoid
//! (a parent never repeats a child's name word for word, nor takes the
//! name of a cluster further below it), else a number.

use std::collections::HashSet;

use super::naming::OTHER;
use super::options::taken_key;
use super::taken::Taken;

/// Names one cluster may not take.
#[derive(Debug, Clone, Default)]
pub struct Banned {
    /// Normalised ([`normal`]) names no chosen name may hold word for word
    /// or be held by ([`overlaps`]): a parent's children's, a child's
    /// parent's.
    overlapping: HashSet<String>,
    /// Keys ([`taken_key`]) of names the chosen name may not repeat in
    /// other words ("Set alarm" for "Set an alarm"), nor join to another
    /// phrase ("Pending payment and stuff"): the names of the clusters
    /// above.
    repeated: HashSet<String>,
    /// Named again because its first name repeated a cluster above it.
    again: bool,
}

impl Banned {
    /// Names overlapping any of `names` are banned.
    pub fn children(names: &[String]) -> Banned {
        let mut banned = Banned::default();
        for n in names {
            banned.overlap(n);
        }
        banned
    }

    /// Bans names that hold `name` word for word or are held by it.
    pub fn overlap(&mut self, name: &str) {
        self.overlapping.insert(normal(name));
    }

    /// Bans `name` in other words, and pairs that join it to another phrase.
    pub fn repeat(&mut self, name: &str) {
        self.repeated.insert(taken_key(&normal(name)));
    }

    /// Whether the normalised name `n` repeats a banned name: the same
    /// key, or a pair ("A and B") one of whose halves has it.
    pub fn repeats(&self, n: &str) -> bool {
        if self.repeated.is_empty() {
            return false;
        }
        let halves = n.split_once(" and ");
        self.repeated.contains(&taken_key(n))
            || halves.is_some_and(|(a, b)| {
                self.repeated.contains(&taken_key(a)) || self.repeated.contains(&taken_key(b))
            })
    }

    /// Marks the cluster as named again because its first name repeated
    /// a cluster above it: its options that join two phrases by "and" come
    /// after its members' own requests.
    pub fn named_again(&mut self) {
        self.again = true;
    }

    /// Whether [`Banned::named_again`] was called.
    pub fn again(&self) -> bool {
        self.again
    }

    /// Whether the normalised name `n` overlaps a banned name or repeats one.
    pub fn refuses(&self, n: &str) -> bool {
        self.repeats(n) || self.overlapping.iter().any(|b| overlaps(n, b))
    }

    /// Whether the normalised name `n` is one of the banned names itself.
    fn is(&self, n: &str) -> bool {
        self.overlapping.contains(n) || self.repeated.contains(&taken_key(n))
    }
}

/// The first option (best first) that is not `taken` and is not refused
/// by `banned`, looking at `more()` only when none of `options` is; else
/// one that at least differs from the banned names; else the best
/// numbered ("… (2)").
pub(super) fn choose(
    options: &[(String, f64)],
    more: &dyn Fn() -> Vec<(String, f64)>,
    prefix: &str,
    taken: &Taken,
    banned: &Banned,
) -> String {
    let fits = |name: &String| {
        let n = normal(name);
        !taken.holds(&n) && !banned.refuses(&n)
    };
    let differs = |name: &String| {
        let n = normal(name);
        !taken.holds(&n) && !banned.is(&n)
    };
    // A numbered name is compared by its key alone, so a number is found.
    let numbered_free = |name: &String| {
        let n = normal(name);
        !taken.holds_key(&n) && !banned.is(&n)
    };
    let named = |list: &[(String, f64)]| -> Vec<String> {
        list.iter().map(|(p, _)| with_prefix(prefix, p)).collect()
    };
    let first = named(options);
    if let Some(name) = first.iter().find(|n| fits(n)) {
        return name.clone();
    }
    let rest = named(&more());
    if let Some(name) = rest
        .iter()
        .find(|n| fits(n))
        // Every option overlaps a banned name: take one that at least differs.
        .or_else(|| first.iter().chain(&rest).find(|n| differs(n)))
    {
        return name.clone();
    }
    let base = first
        .first()
        .or(rest.first())
        .cloned()
        .unwrap_or_else(|| with_prefix(prefix, OTHER));
    if first.is_empty() && rest.is_empty() && numbered_free(&base) {
        return base;
    }
    (2..)
        .map(|i| format!("{base} ({i})"))
        .find(numbered_free)
        .unwrap_or(base)
}

/// True when one normalised name holds the other word for word ("komme
/// nicht weiter" and "german: komme nicht weiter and habe"), ignoring a
/// language prefix: a parent must say more than, or other than, its child.
pub fn overlaps(a: &str, b: &str) -> bool {
    let strip = |s: &str| -> String {
        match s.split_once(": ") {
            Some((lang, rest)) if !lang.contains(' ') => rest.to_string(),
            _ => s.to_string(),
        }
    };
    let (a, b) = (format!(" {} ", strip(a)), format!(" {} ", strip(b)));
    a.contains(&b) || b.contains(&a)
}

/// Lower-case, single-spaced: how names are compared.
pub fn normal(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn with_prefix(prefix: &str, phrase: &str) -> String {
    if prefix.is_empty() {
        return phrase.to_string();
    }
    // "German: Anschreiben" keeps nouns' capitals; other first letters go
    // lower-case after the colon.
    format!("{prefix}{phrase}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_with_nothing_in_common_is_other_conversations_unnumbered() {
        let none = Banned::default();
        let free = Taken::default();
        assert_eq!(
            choose(&[], &Vec::new, "", &free, &none),
            "Other conversations"
        );
        let mut taken = Taken::default();
        taken.insert("Other conversations");
        assert_eq!(
            choose(&[], &Vec::new, "", &taken, &none),
            "Other conversations (2)"
        );
        let banned = Banned::children(&["Other conversations".to_string()]);
        assert_eq!(
            choose(&[], &Vec::new, "", &free, &banned),
            "Other conversations (2)"
        );
    }

    #[test]
    fn a_name_above_is_not_repeated_in_other_words_nor_in_a_pair() {
        let mut banned = Banned::default();
        banned.repeat("Set an alarm");
        assert!(banned.repeats(&normal("Set alarm")));
        assert!(banned.repeats(&normal("Alarms set")));
        assert!(banned.repeats(&normal("Set an alarm and snooze")));
        assert!(!banned.repeats(&normal("Remove the alarm")));
        // More specific than the name above is fine.
        assert!(!banned.repeats(&normal("Set an alarm for seven")));
        let free = Taken::default();
        let options = [
            ("Set alarm".to_string(), 1.0),
            ("Wake me at seven".to_string(), 0.5),
        ];
        assert_eq!(
            choose(&options, &Vec::new, "", &free, &banned),
            "Wake me at seven"
        );
    }

    #[test]
    fn a_taken_name_gives_way_to_a_fallback_before_a_number() {
        let none = Banned::default();
        let free = Taken::default();
        // "Alarms set" is "Set an alarm" in other words: taken.
        let mut taken = Taken::default();
        taken.insert("Set an alarm");
        let options = [("Alarms set".to_string(), 1.0)];
        let more = || vec![("Wake me up at seven".to_string(), 0.0)];
        assert_eq!(
            choose(&options, &more, "", &taken, &none),
            "Wake me up at seven"
        );
        assert_eq!(
            choose(&options, &Vec::new, "", &taken, &none),
            "Alarms set (2)"
        );
        // The fallbacks are not looked at while an option is free.
        let unused = || -> Vec<(String, f64)> { panic!("fallbacks worked out") };
        assert_eq!(choose(&options, &unused, "", &free, &none), "Alarms set");
    }

    #[test]
    fn overlap_is_word_for_word_containment() {
        assert!(overlaps(
            "german: komme nicht weiter and habe",
            "german: komme nicht weiter"
        ));
        assert!(overlaps("blog post", "german: blog post"));
        assert!(!overlaps("blog posts", "blog post ideas"));
        assert!(overlaps("trip", "trip planning"));
    }
}
