//! The last step of a level: every parent is named from its actual
//! children, all parents at once. A failed rename keeps the parent's
//! fallback name: the proposed label when the model grouped the level, the
//! offline name when the embeddings did ([`name_groups`]). Fallbacks are
//! made only once a rename has failed, so a level whose renames all
//! succeed sends its requests without waiting for them.

use super::assign::Grouping;
use super::{Gaps, Level, item_failed, names};
use crate::error::{Error, Result};
use crate::model::slugify;
use crate::pipeline::hierarchy::LevelPlan;
use crate::pipeline::naming::GeneratedName;
use crate::pipeline::{Event, Stage, concurrent};

/// Names the parents of a level the model grouped; the fallback is the
/// proposed label.
pub(super) async fn rename(
    job: &Level<'_>,
    lines: &[String],
    grouping: Grouping,
    gaps: &mut Gaps,
) -> Result<LevelPlan> {
    let mut sizes = vec![0usize; grouping.labels.len()];
    for g in &grouping.groups {
        sizes[*g] += 1;
    }
    let (labels, parents) = (grouping.labels, sizes.len());
    let fallback = move |_: &[usize]| {
        labels
            .iter()
            .zip(&sizes)
            .map(|(label, n)| GeneratedName {
                name: label.clone(),
                description: format!("Groups {n} related clusters."),
                slug: slugify(label, 4),
            })
            .collect()
    };
    rename_parents(job, lines, grouping.groups, parents, fallback, gaps).await
}

/// The embeddings grouped the level (`[hierarchy] grouping = "embeddings"`)
/// into `groups` (parent of each child, `0..parents`): the groups stay as
/// they are and the model names each parent; `fallback` makes the offline
/// names, one per parent.
pub(super) async fn name_groups(
    job: &Level<'_>,
    groups: Vec<usize>,
    parents: usize,
    fallback: impl FnOnce(&[usize]) -> Vec<GeneratedName>,
    gaps: &mut Gaps,
) -> Result<LevelPlan> {
    let lines: Vec<String> = job.current.iter().map(names::describe).collect();
    rename_parents(job, &lines, groups, parents, fallback, gaps).await
}

async fn rename_parents(
    job: &Level<'_>,
    lines: &[String],
    groups: Vec<usize>,
    parents: usize,
    fallback: impl FnOnce(&[usize]) -> Vec<GeneratedName>,
    gaps: &mut Gaps,
) -> Result<LevelPlan> {
    let mut children: Vec<Vec<String>> = vec![Vec::new(); parents];
    for (i, g) in groups.iter().enumerate() {
        children[*g].push(lines[i].clone());
    }
    gaps.renames.0 += children.len();
    let answers = concurrent::map_ordered(
        job.ctx,
        children,
        |kids| {
            let llm = job.llm.clone();
            async move { llm.rename(kids).await }
        },
        |_| {},
    )
    .await?;
    // An empty name is no answer: the parent keeps its fallback.
    let answers: Vec<Result<Option<GeneratedName>>> = answers
        .into_iter()
        .map(|a| a.map(|n| (!n.name.trim().is_empty()).then_some(n)))
        .collect();
    let fallback = if answers.iter().all(|a| matches!(a, Ok(Some(_)))) {
        Vec::new()
    } else {
        let made = fallback(&groups);
        if made.len() != parents {
            return Err(Error::Internal(format!(
                "level {}: {} fallback names for {parents} parents",
                job.level,
                made.len()
            )));
        }
        made
    };
    let mut fallback = fallback.into_iter();
    let mut names = Vec::with_capacity(answers.len());
    for answer in answers {
        let fallback = fallback.next();
        let renamed = match answer {
            Ok(n) => n,
            Err(Error::Cancelled) => return Err(Error::Cancelled),
            Err(e) => {
                gaps.renames.1.add(&e);
                let which = fallback.as_ref().map_or("a parent", |f| f.name.as_str());
                item_failed(job, &format!("renaming {which}"), &e);
                None
            }
        };
        let Some(name) = renamed.or(fallback) else {
            return Err(Error::Internal(format!(
                "level {}: no fallback name for a parent",
                job.level
            )));
        };
        let _ = job.ctx.events.send(Event::Preview {
            stage: Stage::Hierarchy,
            text: name.name.clone(),
        });
        names.push(name);
    }
    Ok(LevelPlan { groups, names })
}
