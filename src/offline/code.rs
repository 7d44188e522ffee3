//! Spotting programming languages: from the tag of a fenced code block, from
//! telltale syntax in untagged code, and from language names in prose.

/// A text split into prose and fenced code blocks.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Split {
    /// The text with each code block replaced by `[<language> code]` or
    /// `[code]`.
    pub prose: String,
    /// Languages of the code blocks, in order (one per block that has one).
    pub languages: Vec<&'static str>,
}

/// Maps a fence tag (```` ```py ````) to a language name.
pub fn from_tag(tag: &str) -> Option<&'static str> {
    let tag = tag
        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .next()
        .unwrap_or("")
        .trim_start_matches('.')
        .to_ascii_lowercase();
    Some(match tag.as_str() {
        "python" | "py" | "python3" | "py3" | "ipython" | "pycon" => "python",
        "rust" | "rs" => "rust",
        "javascript" | "js" | "jsx" | "node" | "mjs" => "javascript",
        "typescript" | "ts" | "tsx" => "typescript",
        "sql" | "mysql" | "postgresql" | "postgres" | "psql" | "sqlite" | "plsql" | "tsql" => "sql",
        "bash" | "sh" | "shell" | "zsh" | "console" | "shell-session" => "bash",
        "powershell" | "ps1" | "pwsh" => "powershell",
        "java" => "java",
        "kotlin" | "kt" => "kotlin",
        "c" | "h" => "c",
        "cpp" | "c++" | "cc" | "cxx" | "hpp" => "c++",
        "csharp" | "cs" | "c#" => "c#",
        "go" | "golang" => "go",
        "ruby" | "rb" => "ruby",
        "php" => "php",
        "swift" => "swift",
        "html" | "htm" => "html",
        "css" | "scss" | "sass" | "less" => "css",
        "r" => "r",
        "scala" => "scala",
        "haskell" | "hs" => "haskell",
        "lua" => "lua",
        "perl" | "pl" => "perl",
        "matlab" => "matlab",
        "dart" => "dart",
        "julia" | "jl" => "julia",
        "elixir" | "ex" | "exs" => "elixir",
        _ => return None,
    })
}

/// Guesses the language of a piece of code from syntax that rarely occurs
/// elsewhere. `None` when nothing is telling.
pub fn sniff(code: &str) -> Option<&'static str> {
    let has = |s: &str| code.contains(s);
    let line_starts = |p: &str| code.lines().any(|l| l.trim_start().starts_with(p));
    let upper_sql = (has("SELECT ") && has(" FROM "))
        || has("INSERT INTO ")
        || has("CREATE TABLE ")
        || (has("UPDATE ") && has(" SET "))
        || has("DELETE FROM ");
    let rules: [(bool, &'static str); 16] = [
        (has("<?php"), "php"),
        (
            has("fn main(") || has("println!(") || has("let mut ") || has("impl<"),
            "rust",
        ),
        (line_starts("fn ") && (has("->") || has("::")), "rust"),
        (
            has("public static void main") || has("System.out.println"),
            "java",
        ),
        (
            has("Console.WriteLine") || line_starts("using System"),
            "c#",
        ),
        (
            has("#include <iostream>") || has("std::cout") || has("std::vector"),
            "c++",
        ),
        (
            has("#include <") || (has("int main(") && has("printf(")),
            "c",
        ),
        (has("package main") || has("fmt.Println"), "go"),
        (
            (has("console.log(") || has("=> {") || has("document."))
                && (has(": string") || has("interface ")),
            "typescript",
        ),
        (
            has("console.log(") || has("function ") && has("{") || has("require("),
            "javascript",
        ),
        (
            code.lines().any(|l| {
                let l = l.trim();
                (l.starts_with("def ") || l.starts_with("class ")) && l.ends_with(':')
            }) || line_starts("import numpy")
                || line_starts("import pandas")
                || line_starts("from ") && has(" import ")
                || has("__init__")
                || line_starts("elif "),
            "python",
        ),
        (upper_sql, "sql"),
        (
            has("<!DOCTYPE") || has("<html") || has("<div") || has("</p>"),
            "html",
        ),
        (
            line_starts("#!/bin/bash") || line_starts("#!/bin/sh") || line_starts("sudo "),
            "bash",
        ),
        (
            line_starts("$ ") || line_starts("apt-get ") || line_starts("pip install "),
            "bash",
        ),
        (line_starts("library(") || has(" <- c("), "r"),
    ];
    rules.iter().find(|(hit, _)| *hit).map(|(_, lang)| *lang)
}

/// Language names that are never ordinary words.
const PLAIN_NAMES: &[(&str, &str)] = &[
    ("python", "python"),
    ("javascript", "javascript"),
    ("typescript", "typescript"),
    ("sql", "sql"),
    ("mysql", "sql"),
    ("postgresql", "sql"),
    ("sqlite", "sql"),
    ("c++", "c++"),
    ("c#", "c#"),
    ("golang", "go"),
    ("kotlin", "kotlin"),
    ("php", "php"),
    ("haskell", "haskell"),
    ("matlab", "matlab"),
    ("powershell", "powershell"),
    ("bash", "bash"),
    ("html", "html"),
    ("css", "css"),
];

/// Names that are also ordinary words: they count only in a text that
/// talks about code.
const AMBIGUOUS_NAMES: &[&str] = &[
    "rust", "java", "ruby", "swift", "scala", "perl", "lua", "dart", "julia", "elixir",
];

const CODE_WORDS: &[&str] = &[
    "code",
    "coding",
    "program",
    "programming",
    "function",
    "script",
    "compile",
    "compiler",
    "library",
    "syntax",
    "crate",
    "class",
    "method",
    "variable",
    "bug",
    "api",
    "framework",
    "module",
    "array",
    "loop",
    "query",
    "developer",
];

/// Programming languages named in prose, in order of first mention.
pub fn mentioned(prose: &str) -> Vec<&'static str> {
    let words: Vec<String> = prose
        .split(|c: char| !(c.is_alphanumeric() || c == '+' || c == '#'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let about_code = words.iter().any(|w| CODE_WORDS.contains(&w.as_str()));
    let mut out: Vec<&'static str> = Vec::new();
    for w in &words {
        let w = w.as_str();
        let found = PLAIN_NAMES
            .iter()
            .find(|(name, _)| *name == w)
            .map(|(_, lang)| *lang)
            .or_else(|| {
                AMBIGUOUS_NAMES
                    .iter()
                    .find(|name| about_code && **name == w)
                    .copied()
            });
        if let Some(lang) = found.filter(|l| !out.contains(l)) {
            out.push(lang);
        }
    }
    out
}

/// Splits fenced code blocks (```` ``` ```` or `~~~`) out of `text`.
pub fn split_fences(text: &str) -> Split {
    let mut split = Split::default();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let fence = if trimmed.starts_with("```") {
            "```"
        } else if trimmed.starts_with("~~~") {
            "~~~"
        } else {
            split.prose.push_str(line);
            split.prose.push('\n');
            continue;
        };
        let tag = trimmed.trim_start_matches(fence.chars().next().unwrap_or('`'));
        let mut body = String::new();
        for inner in lines.by_ref() {
            if inner.trim_start().starts_with(fence) {
                break;
            }
            body.push_str(inner);
            body.push('\n');
        }
        let lang = from_tag(tag).or_else(|| sniff(&body));
        match lang {
            Some(l) => {
                split.prose.push_str(&format!("[{l} code]\n"));
                if !split.languages.contains(&l) {
                    split.languages.push(l);
                }
            }
            None => split.prose.push_str("[code]\n"),
        }
    }
    split
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_sniffing() {
        assert_eq!(from_tag("py"), Some("python"));
        assert_eq!(from_tag("rust,ignore"), Some("rust"));
        assert_eq!(from_tag("json"), None);
        assert_eq!(sniff("fn main() {\n    println!(\"hi\");\n}"), Some("rust"));
        assert_eq!(sniff("def f(x):\n    return x"), Some("python"));
        assert_eq!(sniff("SELECT name FROM users WHERE id = 1"), Some("sql"));
        assert_eq!(sniff("just some words"), None);
    }

    #[test]
    fn fences_become_placeholders() {
        let s = split_fences(
            "Fix this:\n```python\nprint(1)\n```\nand this\n```\nSELECT a FROM b\n```\n",
        );
        assert_eq!(s.languages, ["python", "sql"]);
        assert_eq!(s.prose, "Fix this:\n[python code]\nand this\n[sql code]\n");
    }

    #[test]
    fn names_in_prose() {
        assert_eq!(mentioned("How do I sort a list in Python?"), ["python"]);
        assert!(mentioned("The rust on my car").is_empty());
        assert_eq!(mentioned("My Rust code does not compile"), ["rust"]);
        assert_eq!(mentioned("a C++ and C# question"), ["c++", "c#"]);
    }
}
