//! A classifier's definition: `classifiers/NAME.toml` in a project.
//!
//! Written by `classify new` from chosen clusters, or by hand; both load
//! through [`Definition::parse`], which refuses unknown fields, duplicate or
//! empty categories with an error naming the file, the line and the field.

use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::params::Params;
use crate::error::{Error, Location, Result};

/// The name of the implicit catch-all category.
pub const OTHER: &str = "other";

/// One category per text, or any number of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelMode {
    #[default]
    Single,
    Multi,
}

/// Which engine labels texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    /// The linear model of this module, trained on the labelled examples.
    #[default]
    Local,
    /// An LLM judge with the prompt and few-shot examples.
    Llm,
}

/// What text of a project conversation is classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    /// The user's messages, joined.
    #[default]
    User,
    /// The conversation's summary facets (falls back to the user's
    /// messages when a conversation has no summary yet).
    Summary,
}

/// A few-shot example: a project conversation (`id`) and/or a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub text: String,
}

/// One category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    /// The cluster the category was made from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_cluster: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
}

/// Shares of the labelled examples held out for validation and test; each
/// example's split is a hash of its key and `seed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SplitShares {
    pub validation: f64,
    pub test: f64,
    pub seed: u64,
}

impl Default for SplitShares {
    fn default() -> Self {
        SplitShares {
            validation: 0.2,
            test: 0.2,
            seed: 0,
        }
    }
}

fn yes() -> bool {
    true
}

fn default_prompt() -> String {
    "classify.md".into()
}

/// The whole definition file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub mode: LabelMode,
    #[serde(default)]
    pub engine: EngineKind,
    /// Prompt template of the LLM judge: a file in the project's
    /// `prompts/` (the built-in default when it does not exist).
    #[serde(default = "default_prompt")]
    pub prompt: String,
    /// Adds an `other` category (when none of the categories is named so).
    #[serde(default = "yes")]
    pub other: bool,
    #[serde(default)]
    pub text: TextSource,
    /// Use the project's embeddings when every text has one.
    #[serde(default = "yes")]
    pub embeddings: bool,
    #[serde(default)]
    pub split: SplitShares,
    pub categories: Vec<Category>,
    /// Parameters of the local engine.
    #[serde(default)]
    pub local: Params,
}

/// 1-based line of a byte offset.
fn line_of(source: &str, offset: usize) -> u64 {
    source
        .get(..offset.min(source.len()))
        .map_or(1, |s| s.bytes().filter(|&b| b == b'\n').count() as u64 + 1)
}

/// The first backquoted word of a message (the field serde complains about).
fn quoted(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_string())
}

impl Definition {
    /// Reads and checks a definition file.
    pub fn load(path: &Path) -> Result<Definition> {
        let source = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&source, path)
    }

    /// Parses and checks definition text; `path` is only used in errors.
    pub fn parse(source: &str, path: &Path) -> Result<Definition> {
        let def: Definition = toml::from_str(source).map_err(|e| {
            let mut location = Location::file(path);
            if let Some(span) = e.span() {
                location.line = Some(line_of(source, span.start));
            }
            let message = e.message().trim().to_string();
            if let Some(field) = quoted(&message) {
                location = location.with_field(field);
            }
            Error::input(location, message)
        })?;
        def.check(source, path)?;
        Ok(def)
    }

    fn check(&self, source: &str, path: &Path) -> Result<()> {
        let at = |span: std::ops::Range<usize>, field: &str, message: String| {
            Error::input(
                Location::line(path, line_of(source, span.start)).with_field(field),
                message,
            )
        };
        if self.categories.is_empty() {
            return Err(Error::input(
                Location::file(path).with_field("categories"),
                "no categories: add at least one [[categories]] table with a name",
            ));
        }
        let mut seen: Vec<(String, u64)> = Vec::new();
        for (i, c) in self.categories.iter().enumerate() {
            let field = format!("categories[{i}].name");
            let name = c.name.get_ref().trim();
            if name.is_empty() {
                return Err(at(c.name.span(), &field, "empty category name".into()));
            }
            if name.contains([';', '\n']) {
                return Err(at(
                    c.name.span(),
                    &field,
                    format!("category name `{name}` may not contain `;` or a line break"),
                ));
            }
            let key = name.to_lowercase();
            let line = line_of(source, c.name.span().start);
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                return Err(at(
                    c.name.span(),
                    &field,
                    format!("duplicate category `{name}` (first defined on line {first})"),
                ));
            }
            seen.push((key, line));
            if let Some(j) = c.examples.iter().position(|e| e.text.trim().is_empty()) {
                return Err(at(
                    c.name.span(),
                    &format!("categories[{i}].examples[{j}].text"),
                    "empty example text".into(),
                ));
            }
        }
        let p = &self.split;
        if !(0.0..1.0).contains(&p.validation)
            || !(0.0..1.0).contains(&p.test)
            || p.validation + p.test >= 1.0
        {
            return Err(Error::input(
                Location::file(path).with_field("split"),
                format!(
                    "validation ({}) and test ({}) shares must be in [0, 1) and leave some examples for training",
                    p.validation, p.test
                ),
            ));
        }
        self.local.check().map_err(|e| {
            let field = match &e {
                super::ClassifyError::InvalidParam { name, .. } => format!("local.{name}"),
                _ => "local".into(),
            };
            Error::input(Location::file(path).with_field(field), e.to_string())
        })?;
        Ok(())
    }

    /// Category names in class order, with `other` last when it is implicit.
    pub fn class_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .categories
            .iter()
            .map(|c| c.name.get_ref().trim().to_string())
            .collect();
        if self.other && !names.iter().any(|n| n.eq_ignore_ascii_case(OTHER)) {
            names.push(OTHER.to_string());
        }
        names
    }

    /// The class of a category name (case-insensitive).
    pub fn class_of(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.class_names()
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))
    }

    /// The definition as TOML, for `classify new`.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string_pretty(self).map_err(|e| Error::Other(format!("classifier TOML: {e}")))
    }
}

/// A classifier name: letters, digits, `-` and `_`.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::param(
            "NAME",
            format!("classifier name `{name}` must be 1-64 letters, digits, `-` or `_`"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Definition> {
        Definition::parse(s, Path::new("c/x.toml"))
    }

    #[test]
    fn hand_written_minimal_definition_loads_with_defaults() {
        let d = parse("[[categories]]\nname = \"A\"\n[[categories]]\nname = \"b\"\n").unwrap();
        assert_eq!(d.class_names(), ["A", "b", "other"]);
        assert_eq!(
            (d.mode, d.engine, d.text),
            (LabelMode::Single, EngineKind::Local, TextSource::User)
        );
        assert_eq!(d.class_of(" B "), Some(1));
        assert_eq!(d.class_of("OTHER"), Some(2));
        let explicit = parse("[[categories]]\nname = \"Other\"\n").unwrap();
        assert_eq!(explicit.class_names(), ["Other"]);
    }

    #[test]
    fn written_definition_loads_back_the_same() {
        let d = parse("mode = \"multi\"\n[[categories]]\nname = \"A\"\nexamples = [{ id = \"c1\", text = \"hi\" }]\n[local]\nc = 2.0\n").unwrap();
        let again = parse(&d.to_toml().unwrap()).unwrap();
        assert_eq!(again.class_names(), d.class_names());
        assert_eq!(again.categories[0].examples, d.categories[0].examples);
        assert_eq!((again.mode, again.local.c), (LabelMode::Multi, 2.0));
    }

    #[test]
    fn errors_name_line_and_field() {
        let msg = |s: &str| parse(s).map(|_| ()).unwrap_err().to_string();
        let m = msg("[[categories]]\nname = \"A\"\n\n[local]\ncee = 1\n");
        assert!(m.starts_with("c/x.toml:5") && m.contains("`cee`"), "{m}");
        let m = msg("[[categories]]\nname = \"A\"\n[local]\nc = -1.0\n");
        assert!(m.contains("field `local.c`"), "{m}");
        let m = msg("[[categories]]\nname = \"a;b\"\n");
        assert!(m.starts_with("c/x.toml:2") && m.contains("`;`"), "{m}");
        let m = msg("[split]\ntest = 0.9\nvalidation = 0.2\n[[categories]]\nname = \"A\"\n");
        assert!(m.contains("field `split`"), "{m}");
        assert!(check_name("ok_name-1").is_ok());
        assert!(check_name("../up").is_err() && check_name("").is_err());
    }
}
