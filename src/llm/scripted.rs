//! A chat model that answers from a closure: the test double other modules
//! use instead of a server.

use std::sync::Mutex;

use super::types::{BoxFuture, ChatModel, ChatRequest, ChatResponse, Usage, estimate_tokens};
use crate::error::Result;

type Script = dyn Fn(&ChatRequest) -> Result<String> + Send + Sync;

/// Answers each request with `script(request)`, and keeps every request.
pub struct ScriptedChat {
    name: String,
    script: Box<Script>,
    requests: Mutex<Vec<ChatRequest>>,
}

impl ScriptedChat {
    pub fn new(script: impl Fn(&ChatRequest) -> Result<String> + Send + Sync + 'static) -> Self {
        Self::named("scripted", script)
    }

    pub fn named(
        name: impl Into<String>,
        script: impl Fn(&ChatRequest) -> Result<String> + Send + Sync + 'static,
    ) -> Self {
        ScriptedChat {
            name: name.into(),
            script: Box::new(script),
            requests: Mutex::new(Vec::new()),
        }
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<ChatRequest> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn calls(&self) -> usize {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }
}

impl ChatModel for ScriptedChat {
    fn identity(&self) -> String {
        self.name.clone()
    }

    fn chat<'a>(&'a self, req: ChatRequest) -> BoxFuture<'a, Result<ChatResponse>> {
        Box::pin(async move {
            let answer = (self.script)(&req);
            let input_tokens = estimate_tokens(req.input_chars());
            self.requests
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(req);
            let content = answer?;
            Ok(ChatResponse {
                usage: Usage {
                    input_tokens,
                    output_tokens: estimate_tokens(content.len()),
                },
                content,
                cached: false,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::structured::structured;

    #[derive(serde::Deserialize)]
    struct Answer {
        n: u32,
    }

    #[tokio::test]
    async fn repair_loop_appends_the_problem() {
        let chat = ScriptedChat::new(|req| {
            Ok(if req.messages.len() == 1 {
                r#"{"n": "three"}"#.into()
            } else {
                r#"{"n": 3}"#.into()
            })
        });
        let req = ChatRequest::new("test").user("count");
        let got = structured::<Answer, _>(&chat, req, |_| Ok(()), 2)
            .await
            .unwrap();
        assert_eq!(got.value.n, 3);
        assert_eq!(got.attempts, 2);
        let second = &chat.requests()[1];
        assert_eq!(second.messages.len(), 3);
        assert!(
            second.messages[2].content.contains("invalid type"),
            "{:?}",
            second.messages[2]
        );
    }

    #[tokio::test]
    async fn gives_up_with_a_clear_error() {
        let chat = ScriptedChat::named("fake:model", |_| Ok("not json".into()));
        let req = ChatRequest::new("names").user("name it");
        let err = structured::<Answer, _>(&chat, req, |_| Ok(()), 1)
            .await
            .err()
            .unwrap()
            .to_string();
        assert_eq!(chat.calls(), 2);
        assert!(
            err.contains("fake:model") && err.contains("`names`"),
            "{err}"
        );
        assert!(err.contains("2 attempt"), "{err}");
        assert!(err.contains("no JSON object"), "{err}");
    }
}
