//! Tool results as JSON: a documentation search, a code interpreter run, or a
//! lookup of the user's account in the product.

use rand::Rng;
use serde_json::json;

use super::catalogue::ToolKind;
use super::dialogue::Scene;
use super::template::pick;
use crate::model::slugify;

/// The JSON text of a tool message for `scene`.
pub(crate) fn result<R: Rng + ?Sized>(kind: ToolKind, scene: &Scene, rng: &mut R) -> String {
    let en = &scene.subtopic.en;
    let local = scene.subtopic.vocab(scene.lang);
    let value = match kind {
        ToolKind::WebSearch => {
            let query = format!(
                "{} {}",
                bare(pick(rng, local.terms)),
                bare(pick(rng, en.terms))
            );
            let section = scene.subtopic.id.rsplit('/').next().unwrap_or("docs");
            let hits = rng.random_range(2..=3);
            let results: Vec<_> = (0..hits)
                .map(|_| {
                    let term = bare(pick(rng, en.terms));
                    let kind = pick(rng, &["guide", "reference", "troubleshooting", "FAQ"]);
                    json!({
                        "title": format!("{} ({kind})", capitalise(term)),
                        "url": format!("https://docs.example.com/{section}/{}", slugify(term, 6)),
                        "snippet": pick(rng, en.advice),
                    })
                })
                .collect();
            json!({ "tool": "web_search", "query": query, "results": results })
        }
        ToolKind::Python => {
            let rows = rng.random_range(120..=98_000);
            let cols = rng.random_range(3..=24);
            let seconds = f64::from(rng.random_range(2..=900_u32)) / 100.0;
            json!({
                "tool": "python",
                "code": pick(rng, scene.subtopic.snippets),
                "status": "ok",
                "stdout": format!("shape: ({rows}, {cols})\nfinished in {seconds:.2} s"),
            })
        }
        ToolKind::AccountLookup => {
            let seats = match scene.plan {
                "team" => rng.random_range(3..=40),
                "enterprise" => rng.random_range(50..=2000),
                _ => 1,
            };
            let status = if rng.random_bool(0.85) {
                "active"
            } else {
                "past_due"
            };
            let paid = scene.plan != "free";
            let invoice = format!("INV-2025-{:05}", rng.random_range(100..=99_999));
            let renews = format!("2025-04-{:02}", rng.random_range(1..=28));
            json!({
                "tool": "account_lookup",
                "plan": scene.plan,
                "status": status,
                "seats": seats,
                "last_invoice": paid.then_some(invoice),
                "renews_on": paid.then_some(renews),
            })
        }
    };
    value.to_string()
}

/// An English term without its leading article or possessive.
fn bare(term: &str) -> &str {
    ["the ", "a ", "an ", "my "]
        .iter()
        .find_map(|article| term.strip_prefix(article))
        .unwrap_or(term)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_drops_articles_only_at_the_start() {
        assert_eq!(bare("the borrow checker"), "borrow checker");
        assert_eq!(bare("an index"), "index");
        assert_eq!(bare("my monthly budget"), "monthly budget");
        assert_eq!(bare("another thing"), "another thing");
        assert_eq!(capitalise("état"), "État");
    }
}
