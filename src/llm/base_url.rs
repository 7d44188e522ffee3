//! Base URLs: what users type, and where requests go.

use reqwest::Url;

use crate::error::{Error, Result};

/// The base URL of an OpenAI-compatible API.
///
/// The rule: surrounding spaces and trailing slashes are dropped; a pasted
/// endpoint (`…/chat/completions`, `…/embeddings`) is cut back to its base;
/// a URL with no path at all gets `/v1`. Anything else is used as given, so
/// `http://localhost:11434`, `http://localhost:11434/v1/` and
/// `https://openrouter.ai/api/v1` all work, and requests go to
/// `<base>/chat/completions` and `<base>/embeddings`.
pub fn openai_base(raw: &str, field: &str) -> Result<String> {
    let (url, mut path) = parse_base(raw, field)?;
    for suffix in ["/chat/completions", "/completions", "/embeddings"] {
        if let Some(p) = path.strip_suffix(suffix) {
            path = p.to_string();
            break;
        }
    }
    if path.is_empty() {
        path = "/v1".into();
    }
    Ok(format!("{url}{path}"))
}

/// The root of an Anthropic API (requests go to `<root>/v1/messages`).
/// Trailing slashes, a trailing `/v1` and a pasted `/v1/messages` are
/// dropped.
pub fn anthropic_base(raw: &str, field: &str) -> Result<String> {
    let (url, mut path) = parse_base(raw, field)?;
    for suffix in ["/messages", "/v1"] {
        if let Some(p) = path.strip_suffix(suffix) {
            path = p.to_string();
        }
    }
    Ok(format!("{url}{path}"))
}

/// Joins a base and an endpoint path into a URL.
pub(crate) fn endpoint(base: &str, path: &str) -> Result<Url> {
    Url::parse(&format!("{base}/{path}"))
        .map_err(|e| Error::param("base_url", format!("`{base}/{path}` is not a URL: {e}")))
}

/// Splits a base URL into `scheme://host[:port]` and a path without
/// trailing slashes.
fn parse_base(raw: &str, field: &str) -> Result<(String, String)> {
    let raw = raw.trim();
    let url =
        Url::parse(raw).map_err(|e| Error::param(field, format!("`{raw}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::param(
            field,
            format!("`{raw}` must start with http:// or https://"),
        ));
    }
    let host = url
        .host_str()
        .ok_or_else(|| Error::param(field, format!("`{raw}` has no host")))?;
    let origin = match url.port() {
        Some(p) => format!("{}://{host}:{p}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    };
    let path = url.path().trim_end_matches('/').to_string();
    Ok((origin, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_base_rule() {
        let cases = [
            ("https://api.openai.com/v1", "https://api.openai.com/v1"),
            ("https://api.openai.com", "https://api.openai.com/v1"),
            ("http://localhost:11434/v1/", "http://localhost:11434/v1"),
            ("http://localhost:11434", "http://localhost:11434/v1"),
            (
                " https://openrouter.ai/api/v1 ",
                "https://openrouter.ai/api/v1",
            ),
            (
                "http://127.0.0.1:8000/v1/chat/completions",
                "http://127.0.0.1:8000/v1",
            ),
            (
                "https://generativelanguage.googleapis.com/v1beta/openai/",
                "https://generativelanguage.googleapis.com/v1beta/openai",
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(openai_base(raw, "llm.base_url").unwrap(), want, "{raw}");
        }
        let err = openai_base("localhost:11434", "llm.base_url").unwrap_err();
        assert!(err.to_string().contains("llm.base_url"), "{err}");
        assert!(openai_base("not a url", "x").is_err());
    }

    #[test]
    fn anthropic_base_rule() {
        for raw in [
            "https://api.anthropic.com",
            "https://api.anthropic.com/",
            "https://api.anthropic.com/v1",
            "https://api.anthropic.com/v1/messages",
        ] {
            assert_eq!(
                anthropic_base(raw, "llm.base_url").unwrap(),
                "https://api.anthropic.com",
                "{raw}"
            );
        }
    }
}
