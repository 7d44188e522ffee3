//! Choosing the models a run uses from the configuration: the LLM seams
//! when a provider is configured, the offline ones otherwise, and the
//! embedder (API, MiniLM or lexical).

use std::sync::Arc;

use super::events::LogLevel;
use super::llm_models::{LlmHierarchy, LlmNamer, LlmParams, LlmSummariser};
use super::prompts::{Prompt, PromptKind};
use super::runner::Models;
use super::summarise::Summariser;
use super::{Event, EventSender, Stage};
use crate::config::{Config, EmbedderKind, EnvSource, FacetSpec};
use crate::embed::BoxFuture;
use crate::error::Result;
use crate::llm::{ClientEvent, ClientHooks, Events, RetryCause};
use crate::model::{Conversation, Summary};
use crate::project::Layout;

/// The offline summariser's identity (part of the summaries' key).
pub const OFFLINE_SUMMARISER: &str = "offline-extractive-v1";

/// Extractive summaries with no LLM.
pub struct OfflineSummariser {
    pub facets: Vec<FacetSpec>,
}

impl Summariser for OfflineSummariser {
    fn identity(&self) -> String {
        OFFLINE_SUMMARISER.into()
    }

    fn summarise<'a>(&'a self, conversation: &'a Conversation) -> BoxFuture<'a, Result<Summary>> {
        let s = crate::offline::summarise(conversation, &self.facets);
        Box::pin(async move { Ok(s) })
    }
}

fn stage_of(tag: &str) -> Stage {
    Stage::ALL
        .into_iter()
        .find(|s| s.name() == tag)
        .unwrap_or(Stage::Embeddings)
}

/// Client hooks that turn client events into pipeline events.
pub fn hooks(events: EventSender, cancel: super::Cancel, config: &Config) -> ClientHooks {
    let price = config.price(&config.chat_model());
    let embed_price = config
        .embedding
        .model
        .as_deref()
        .and_then(|m| config.price(m))
        .or_else(|| config.price(crate::llm::DEFAULT_EMBEDDING_MODEL));
    let sink = move |e: ClientEvent| match e {
        ClientEvent::RequestFinished { tag, usage, cached } => {
            let stage = stage_of(&tag);
            let p = if stage == Stage::Embeddings {
                embed_price
            } else {
                price
            };
            let cost = match (p, cached) {
                (Some(p), false) => {
                    crate::llm::accounting::cost_usd(p, usage.input_tokens, usage.output_tokens)
                }
                _ => 0.0,
            };
            let _ = events.send(Event::Usage {
                stage,
                input_tokens: usage.input_tokens,
                output_tokens: usage.output_tokens,
                cost_usd: cost,
                cached,
            });
        }
        ClientEvent::Retry {
            tag,
            reason,
            attempt,
            cause,
            ..
        } => {
            let stage = stage_of(&tag);
            if cause == RetryCause::Timeout {
                let _ = events.send(Event::Timeout { stage });
            }
            let _ = events.send(Event::Retry {
                stage,
                reason: format!("attempt {attempt}: {reason}"),
            });
        }
        ClientEvent::Concurrency {
            tag,
            limit,
            in_flight,
        } => {
            let _ = events.send(Event::Concurrency {
                stage: stage_of(&tag),
                limit: u32::try_from(limit).unwrap_or(u32::MAX),
                in_flight: u32::try_from(in_flight).unwrap_or(u32::MAX),
            });
        }
        ClientEvent::Negotiated {
            tag,
            from,
            to,
            status,
        } => {
            let message = format!(
                "{}: the server refused {from} structured output (HTTP {status}); \
                 using {to} for the rest of the run and remembering it",
                stage_of(&tag).name()
            );
            tracing::info!("{message}");
            let _ = events.send(Event::Log {
                level: LogLevel::Warn,
                message,
            });
        }
        ClientEvent::Lenient { tag, fixes } => {
            let _ = events.send(Event::Fixed {
                stage: stage_of(&tag),
                fixes,
            });
        }
        ClientEvent::Failed { tag, error } => {
            tracing::debug!(%tag, %error, "LLM request failed");
        }
        ClientEvent::RequestStarted { .. } => {}
    };
    ClientHooks {
        events: Events::from_fn(sink),
        cancel,
    }
}

/// Which embedder a run uses when `kind` is `Auto`.
pub fn resolve_embedder(config: &Config, offline: bool) -> EmbedderKind {
    match config.embedding.embedder {
        EmbedderKind::Auto => {
            let api = config.embedding.base_url.is_some()
                || (!offline && config.llm.provider == crate::config::Provider::Openai);
            if api {
                EmbedderKind::Api
            } else {
                EmbedderKind::Auto
            }
        }
        other => other,
    }
}

/// Builds the models; returns notices to show the user (e.g. how to
/// install the better local embedder).
pub fn build(
    config: &Config,
    layout: &Layout,
    offline: bool,
    hooks: &ClientHooks,
    env: &dyn EnvSource,
) -> Result<(Models, Vec<String>)> {
    let mut notices = Vec::new();
    let embedder = match resolve_embedder(config, offline) {
        EmbedderKind::Api => crate::llm::api_embedder_from_config(config, &layout.cache(), hooks)?,
        kind => {
            let (e, notice) = crate::embed::local_embedder(kind, config, env)?;
            notices.extend(notice);
            e
        }
    };
    if offline {
        notices.push("offline mode: extractive summaries and keyword names (no LLM calls)".into());
        return Ok((
            Models {
                summariser: Arc::new(OfflineSummariser {
                    facets: config.summarise.facets.clone(),
                }),
                embedder,
                namer: None,
                hierarchy: None,
            },
            notices,
        ));
    }
    let chat = crate::llm::chat_from_config(config, &layout.cache(), hooks)?;
    let params = LlmParams::new(chat, config);
    let dir = Some(layout.prompts());
    let load = |k| Prompt::load(k, dir.as_deref());
    Ok((
        Models {
            summariser: Arc::new(LlmSummariser {
                llm: params.clone(),
                prompt: load(PromptKind::Summarise)?,
                facets: config.summarise.facets.clone(),
                max_chars: config.summarise.max_chars,
            }),
            embedder,
            namer: Some(Arc::new(LlmNamer {
                llm: params.clone(),
                prompt: load(PromptKind::NameCluster)?,
            })),
            hierarchy: Some(Arc::new(LlmHierarchy {
                llm: params,
                propose: load(PromptKind::ProposeParents)?,
                dedupe: load(PromptKind::DedupeParents)?,
                assign: load(PromptKind::AssignParent)?,
                rename: load(PromptKind::RenameParent)?,
            })),
        },
        notices,
    ))
}
