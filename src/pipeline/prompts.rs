//! Prompt templates: the defaults live in `assets/prompts/`, and a project
//! can override any of them with a file of the same name in its `prompts/`.
//! Placeholders are written `{{name}}`.

use std::path::Path;

use crate::error::{Error, Result};

/// The prompts the pipeline uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Summarise,
    NameCluster,
    ProposeParents,
    DedupeParents,
    AssignParent,
    RenameParent,
}

impl PromptKind {
    pub fn file_name(self) -> &'static str {
        match self {
            PromptKind::Summarise => "summarise.md",
            PromptKind::NameCluster => "name_cluster.md",
            PromptKind::ProposeParents => "propose_parents.md",
            PromptKind::DedupeParents => "dedupe_parents.md",
            PromptKind::AssignParent => "assign_parent.md",
            PromptKind::RenameParent => "rename_parent.md",
        }
    }

    fn default_text(self) -> &'static str {
        match self {
            PromptKind::Summarise => include_str!("../../assets/prompts/summarise.md"),
            PromptKind::NameCluster => include_str!("../../assets/prompts/name_cluster.md"),
            PromptKind::ProposeParents => include_str!("../../assets/prompts/propose_parents.md"),
            PromptKind::DedupeParents => include_str!("../../assets/prompts/dedupe_parents.md"),
            PromptKind::AssignParent => include_str!("../../assets/prompts/assign_parent.md"),
            PromptKind::RenameParent => include_str!("../../assets/prompts/rename_parent.md"),
        }
    }

    fn placeholders(self) -> &'static [&'static str] {
        match self {
            PromptKind::Summarise => &["conversation"],
            PromptKind::NameCluster => &["examples", "contrastive"],
            PromptKind::ProposeParents => &["clusters", "target"],
            PromptKind::DedupeParents => &["names", "target"],
            PromptKind::AssignParent => &["cluster", "parents"],
            PromptKind::RenameParent => &["children"],
        }
    }
}

/// A loaded template.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
}

impl Prompt {
    /// The project's override if present, else the default. An override that
    /// lacks a required placeholder is an error naming the file.
    pub fn load(kind: PromptKind, prompts_dir: Option<&Path>) -> Result<Prompt> {
        if let Some(dir) = prompts_dir {
            let path = dir.join(kind.file_name());
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    for p in kind.placeholders() {
                        if !text.contains(&format!("{{{{{p}}}}}")) {
                            return Err(Error::Config {
                                path,
                                message: format!(
                                    "prompt override lacks the placeholder {{{{{p}}}}}"
                                ),
                            });
                        }
                    }
                    return Ok(Prompt { kind, text });
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(path, e)),
            }
        }
        Ok(Prompt {
            kind,
            text: kind.default_text().to_string(),
        })
    }

    /// Fills the placeholders; unknown ones are left as they are.
    pub fn render(&self, values: &[(&str, &str)]) -> String {
        let mut out = self.text.clone();
        for (k, v) in values {
            out = out.replace(&format!("{{{{{k}}}}}"), v);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_defaults_and_checks_overrides() {
        let p = Prompt::load(PromptKind::AssignParent, None).unwrap();
        let r = p.render(&[("cluster", "Fix bugs"), ("parents", "- A\n- B")]);
        assert!(r.contains("Fix bugs") && r.contains("- B") && !r.contains("{{"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("assign_parent.md"), "pick {{cluster}}").unwrap();
        let err = Prompt::load(PromptKind::AssignParent, Some(dir.path())).unwrap_err();
        assert!(err.to_string().contains("{{parents}}"), "{err}");
        std::fs::write(
            dir.path().join("assign_parent.md"),
            "{{cluster}} / {{parents}}",
        )
        .unwrap();
        let p = Prompt::load(PromptKind::AssignParent, Some(dir.path())).unwrap();
        assert_eq!(p.render(&[("cluster", "x"), ("parents", "y")]), "x / y");
    }
}
