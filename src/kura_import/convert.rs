//! Kura's records as kura-tui's: `Conversation`, `ConversationSummary`,
//! `Cluster` (base and meta, linked by `parent_id`) and `ProjectedCluster`.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::read::Record;
use crate::error::Result;
use crate::model::{Cluster, Conversation, Message, Metadata, Role, Summary};

/// A Kura `Conversation`.
pub fn conversation(r: &Record) -> Result<Conversation> {
    let id = r.string("chat_id")?;
    let created_at = r.opt_string("created_at")?;
    let Some(Value::Array(raw)) = r.fields.get("messages") else {
        return Err(r.error("messages", "missing or not a list"));
    };
    let mut messages = Vec::with_capacity(raw.len());
    for (i, m) in raw.iter().enumerate() {
        let field = |f: &str| format!("messages[{i}].{f}");
        let role = m
            .get("role")
            .and_then(Value::as_str)
            .ok_or_else(|| r.error(&field("role"), "missing or not a string"))?;
        let role = Role::from_speaker(role)
            .ok_or_else(|| r.error(&field("role"), format!("unknown role `{role}`")))?;
        let content = m
            .get("content")
            .and_then(Value::as_str)
            .ok_or_else(|| r.error(&field("content"), "missing or not a string"))?;
        messages.push(Message {
            role,
            content: content.to_string(),
            created_at: m
                .get("created_at")
                .and_then(Value::as_str)
                .map(str::to_string),
        });
    }
    let metadata = match r.fields.get("metadata") {
        None | Some(Value::Null) => Metadata::new(),
        Some(Value::Object(m)) => m.clone().into_iter().collect(),
        Some(other) => {
            return Err(r.error("metadata", format!("expected an object, found {other}")));
        }
    };
    Ok(Conversation {
        id,
        created_at,
        messages,
        metadata,
    })
}

/// A Kura `ConversationSummary`, and its embedding when it has one.
pub fn summary(r: &Record) -> Result<(Summary, Option<Vec<f32>>)> {
    let mut custom = Metadata::new();
    for extra in ["topic"] {
        if let Some(v) = r.opt_string(extra)? {
            custom.insert(extra.into(), Value::String(v));
        }
    }
    let summary = Summary {
        conversation_id: r.string("chat_id")?,
        summary: r.string("summary")?,
        request: r.opt_string("request")?,
        task: r.opt_string("task")?,
        languages: r.strings("languages")?,
        concerning_score: r.score("concerning_score")?,
        user_frustration: r.score("user_frustration")?,
        assistant_errors: r.strings("assistant_errors")?,
        custom,
    };
    let embedding = match r.fields.get("embedding") {
        None | Some(Value::Null) => None,
        Some(Value::Array(xs)) => Some(
            xs.iter()
                .enumerate()
                .map(|(i, x)| {
                    x.as_f64().map(|f| f as f32).ok_or_else(|| {
                        r.error(
                            &format!("embedding[{i}]"),
                            format!("expected a number, found {x}"),
                        )
                    })
                })
                .collect::<Result<Vec<f32>>>()?,
        ),
        Some(other) => return Err(r.error("embedding", format!("expected a list, found {other}"))),
    };
    Ok((summary, embedding))
}

/// A Kura `Cluster` (or `ProjectedCluster`), with the fields we keep.
#[derive(Debug, Clone)]
pub struct KuraCluster {
    pub id: String,
    pub name: String,
    pub description: String,
    pub slug: String,
    pub chat_ids: Vec<String>,
    pub parent_id: Option<String>,
}

pub fn cluster(r: &Record, known: &HashSet<&str>) -> Result<KuraCluster> {
    let chat_ids = r.strings("chat_ids")?;
    if let Some((i, id)) = chat_ids
        .iter()
        .enumerate()
        .find(|(_, id)| !known.contains(id.as_str()))
    {
        return Err(r.error(
            &format!("chat_ids[{i}]"),
            format!("`{id}` is not a conversation of the Kura checkpoint"),
        ));
    }
    Ok(KuraCluster {
        id: r.string("id")?,
        name: r.string("name")?,
        description: r.string("description")?,
        slug: r.opt_string("slug")?.unwrap_or_default(),
        chat_ids,
        parent_id: r.opt_string("parent_id")?,
    })
}

/// A `ProjectedCluster`'s id and 2D coordinate.
pub fn position(r: &Record) -> Result<(String, f32, f32)> {
    Ok((
        r.string("id")?,
        r.number("x_coord")? as f32,
        r.number("y_coord")? as f32,
    ))
}

/// Our clusters from Kura's: base clusters (those no cluster names as its
/// parent) at level 0, each parent one level above its highest child.
/// Ids follow our `L<level>-<index>` scheme (largest first in each level);
/// slugs keep Kura's, made unique. Also returns each of our ids' Kura id.
pub fn hierarchy(kura: &[KuraCluster]) -> (Vec<Cluster>, HashMap<String, String>) {
    let by_id: HashMap<&str, usize> = kura
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); kura.len()];
    for (i, c) in kura.iter().enumerate() {
        if let Some(&p) = c.parent_id.as_deref().and_then(|p| by_id.get(p)) {
            children[p].push(i);
        }
    }
    let mut level: Vec<Option<u32>> = vec![None; kura.len()];
    for i in 0..kura.len() {
        height(i, &children, &mut level, 0);
    }
    let mut order: Vec<usize> = (0..kura.len()).collect();
    order.sort_by(|a, b| {
        level[*a]
            .cmp(&level[*b])
            .then(kura[*b].chat_ids.len().cmp(&kura[*a].chat_ids.len()))
            .then(kura[*a].id.cmp(&kura[*b].id))
    });
    let mut ids = vec![String::new(); kura.len()];
    let mut per_level: HashMap<u32, usize> = HashMap::new();
    for &i in &order {
        let l = level[i].unwrap_or(0);
        let n = per_level.entry(l).or_default();
        ids[i] = Cluster::cluster_id(l, *n);
        *n += 1;
    }
    let kura_ids = ids
        .iter()
        .zip(kura)
        .map(|(ours, k)| (ours.clone(), k.id.clone()))
        .collect();
    let mut slugs = HashSet::new();
    let clusters = order
        .iter()
        .map(|&i| {
            let c = &kura[i];
            let base = if c.slug.is_empty() {
                crate::model::slugify(&c.name, 4)
            } else {
                c.slug.clone()
            };
            let mut slug = base.clone();
            let mut n = 2;
            while !slugs.insert(slug.clone()) {
                slug = format!("{base}-{n}");
                n += 1;
            }
            let leaf = children[i].is_empty();
            Cluster {
                id: ids[i].clone(),
                name: c.name.clone(),
                original_name: None,
                description: c.description.clone(),
                slug,
                level: level[i].unwrap_or(0),
                parent: c
                    .parent_id
                    .as_deref()
                    .and_then(|p| by_id.get(p))
                    .map(|&p| ids[p].clone()),
                children: children[i].iter().map(|&ch| ids[ch].clone()).collect(),
                members: if leaf { c.chat_ids.clone() } else { Vec::new() },
                count: c.chat_ids.len(),
                noise: false,
            }
        })
        .collect();
    (clusters, kura_ids)
}

/// A cluster's height above the base level; a cycle (a bug in the input)
/// is cut at the depth of the cluster count.
fn height(i: usize, children: &[Vec<usize>], level: &mut [Option<u32>], depth: usize) -> u32 {
    if let Some(l) = level[i] {
        return l;
    }
    if depth > children.len() {
        return 0;
    }
    let l = children[i]
        .iter()
        .map(|&c| height(c, children, level, depth + 1) + 1)
        .max()
        .unwrap_or(0);
    level[i] = Some(l);
    l
}
