//! Choosing one cluster's name among its options: the first that no
//! other cluster has taken and that holds no name the cluster must avoid
//! (a parent never repeats a child's name word for word), else a number.

use std::collections::HashSet;

use super::naming::OTHER;
use super::taken::Taken;

/// The first option (best first) that is not `taken` and overlaps no
/// `banned` name, looking at `more()` only when none of `options` is;
/// else one that at least differs from them; else the best numbered
/// ("… (2)").
pub(super) fn choose(
    options: &[(String, f64)],
    more: &dyn Fn() -> Vec<(String, f64)>,
    prefix: &str,
    taken: &Taken,
    banned: &HashSet<String>,
) -> String {
    let fits = |name: &String| {
        let n = normal(name);
        !taken.holds(&n) && !banned.iter().any(|b| overlaps(&n, b))
    };
    let differs = |name: &String| {
        let n = normal(name);
        !taken.holds(&n) && !banned.contains(&n)
    };
    // A numbered name is compared by its key alone, so a number is found.
    let numbered_free = |name: &String| {
        let n = normal(name);
        !taken.holds_key(&n) && !banned.contains(&n)
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
        let none = HashSet::new();
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
        let banned: HashSet<String> = [normal("Other conversations")].into();
        assert_eq!(
            choose(&[], &Vec::new, "", &free, &banned),
            "Other conversations (2)"
        );
    }

    #[test]
    fn a_taken_name_gives_way_to_a_fallback_before_a_number() {
        let none = HashSet::new();
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
