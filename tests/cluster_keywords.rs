//! Class-based TF-IDF keywords and keyword names.

use kura_tui::cluster::{ctfidf_keywords, keyword_name, tokenize};

#[test]
fn tokenize_lowercases_and_drops_noise() {
    assert_eq!(
        tokenize("The user asks: REFUND my invoice #4521, it's a double-charge!"),
        vec!["refund", "invoice", "double", "charge"]
    );
    // Stop words in other languages, their ways of asking ("puedo")
    // included; accents kept.
    assert_eq!(
        tokenize("¿Cómo puedo cambiar la contraseña?"),
        vec!["cambiar", "contraseña"]
    );
    assert_eq!(
        tokenize("Die Rechnung ist falsch"),
        vec!["rechnung", "falsch"]
    );
    assert!(tokenize("a an of 12 345").is_empty());
}

#[test]
fn ctfidf_picks_the_planted_words() {
    let texts = [
        "User wants a refund for a duplicate charge on the invoice",
        "Refund request: the invoice shows a wrong charge on my account",
        "Asks why the charge appears twice and requests a refund of the invoice",
        "Cannot login, needs a password reset for the account",
        "Password reset email never arrives, login blocked on account",
        "Login fails after password reset, account locked",
        "Recipe for vegan lasagna with spinach",
    ];
    let labels = [0, 0, 0, 1, 1, 1, 3];
    let keywords = ctfidf_keywords(&texts, &labels, 3).unwrap();
    assert_eq!(keywords.len(), 4);
    let mut top0 = keywords[0].clone();
    top0.sort();
    assert_eq!(top0, vec!["charge", "invoice", "refund"]);
    let mut top1 = keywords[1].clone();
    top1.sort();
    assert_eq!(top1, vec!["login", "password", "reset"]);
    assert!(keywords[2].is_empty(), "cluster 2 has no texts");
    assert!(
        keywords[3]
            .iter()
            .all(|k| ["recipe", "vegan", "lasagna", "spinach"].contains(&k.as_str()))
    );
    // "account" appears in both big clusters, so it is never distinctive.
    assert!(!keywords.iter().flatten().any(|k| k == "account"));
    // Deterministic, including tie order.
    assert_eq!(keywords, ctfidf_keywords(&texts, &labels, 3).unwrap());
}

#[test]
fn ctfidf_edge_cases() {
    assert!(ctfidf_keywords(&["a"], &[0, 1], 3).is_err());
    let none: [&str; 0] = [];
    assert!(ctfidf_keywords(&none, &[], 3).unwrap().is_empty());
    assert_eq!(
        ctfidf_keywords(&["", "the of"], &[0, 0], 3).unwrap(),
        vec![Vec::<String>::new()]
    );
    assert!(ctfidf_keywords(&["refund"], &[usize::MAX], 3).is_err());
}

#[test]
fn keyword_names_read_well() {
    assert_eq!(
        keyword_name(&["refund", "refunds", "invoice", "charge", "billing"]),
        "refund, invoice, charge"
    );
    assert_eq!(keyword_name(&["password"]), "password");
    assert_eq!(keyword_name::<&str>(&[]), "unlabelled");
    assert_eq!(
        keyword_name(&[String::from("translation"), String::from("translate")]),
        "translation"
    );
}
