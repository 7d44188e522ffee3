//! The topic catalogue: eight topics of four subtopics each, with the
//! vocabulary every subtopic uses in every language.
//!
//! The data lives in one module per topic. Each subtopic owns a distinct set of
//! terms, requests and advice, so a lexical clusterer can recover it, while the
//! subtopics of one topic share a few topic-level words.

mod coding;
mod data;
mod finance;
mod health;
mod languages;
mod support;
mod travel;
mod writing;

/// A language the generator writes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    En,
    Es,
    Fr,
    De,
    Pt,
    Ja,
}

impl Lang {
    /// Every language, English first.
    pub const ALL: [Lang; 6] = [Lang::En, Lang::Es, Lang::Fr, Lang::De, Lang::Pt, Lang::Ja];

    /// The ISO 639-1 code recorded in `metadata.language`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::Pt => "pt",
            Lang::Ja => "ja",
        }
    }
}

/// What a subtopic's users ask and its assistant answers, in one language.
///
/// Strings may hold slots that the template renderer fills: `{t}` a term,
/// `{a}` an anchor, `{c}` a snippet, `{n}` 2–12, `{nn}` 10–99, `{big}` 100–9999.
#[derive(Debug)]
pub struct Vocab {
    /// Noun phrases that name the subtopic's things.
    pub terms: &'static [&'static str],
    /// Requests, shaped to fit the language's request frames (`{ask}`).
    pub asks: &'static [&'static str],
    /// Context sentences a user adds to a request.
    pub details: &'static [&'static str],
    /// Sentences of advice the assistant gives.
    pub advice: &'static [&'static str],
    /// Follow-up questions specific to the subtopic.
    pub followups: &'static [&'static str],
}

/// Which tool an assistant may call in a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolKind {
    /// A documentation search returning JSON results.
    WebSearch,
    /// A code interpreter returning its output.
    Python,
    /// A lookup of the user's own account in the product.
    AccountLookup,
}

/// One subtopic with its vocabulary in every language.
#[derive(Debug)]
pub struct Subtopic {
    /// The id recorded in `metadata.subtopic`, `topic/slug`.
    pub id: &'static str,
    /// A human-readable name.
    pub name: &'static str,
    /// Language-independent strings users quote (`{a}`): error messages,
    /// names, titles. One kind per subtopic, so any fits every `{a}` slot.
    pub anchors: &'static [&'static str],
    /// Code or formulas (`{c}`), also shown by the assistant as examples.
    pub snippets: &'static [&'static str],
    pub en: Vocab,
    pub es: Vocab,
    pub fr: Vocab,
    pub de: Vocab,
    pub pt: Vocab,
    pub ja: Vocab,
}

impl Subtopic {
    /// The vocabulary in `lang`.
    pub fn vocab(&self, lang: Lang) -> &Vocab {
        match lang {
            Lang::En => &self.en,
            Lang::Es => &self.es,
            Lang::Fr => &self.fr,
            Lang::De => &self.de,
            Lang::Pt => &self.pt,
            Lang::Ja => &self.ja,
        }
    }
}

/// Phrases in every language.
#[derive(Debug)]
pub struct Localised {
    pub en: &'static [&'static str],
    pub es: &'static [&'static str],
    pub fr: &'static [&'static str],
    pub de: &'static [&'static str],
    pub pt: &'static [&'static str],
    pub ja: &'static [&'static str],
}

impl Localised {
    /// The phrases in `lang`.
    pub fn get(&self, lang: Lang) -> &'static [&'static str] {
        match lang {
            Lang::En => self.en,
            Lang::Es => self.es,
            Lang::Fr => self.fr,
            Lang::De => self.de,
            Lang::Pt => self.pt,
            Lang::Ja => self.ja,
        }
    }
}

/// One topic: its id (recorded in `metadata.topic`), name and subtopics.
#[derive(Debug)]
pub struct Topic {
    pub id: &'static str,
    pub name: &'static str,
    /// Relative share of conversations.
    pub weight: u32,
    /// Relative weights of the plans free, pro, team, enterprise.
    pub plans: [u32; 4],
    /// The tool the assistant may call, if any.
    pub tool: Option<ToolKind>,
    /// Context sentences users of every subtopic of the topic add: the
    /// topic's shared vocabulary.
    pub context: Localised,
    pub subtopics: &'static [Subtopic; 4],
}

/// Every topic, in a fixed order.
pub static TOPICS: [&Topic; 8] = [
    &coding::TOPIC,
    &writing::TOPIC,
    &data::TOPIC,
    &travel::TOPIC,
    &finance::TOPIC,
    &health::TOPIC,
    &support::TOPIC,
    &languages::TOPIC,
];

#[cfg(test)]
mod tests;
