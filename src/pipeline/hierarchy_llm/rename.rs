//! The last step of a level: every parent is named from its actual
//! children, all parents at once. A failed rename keeps the parent's
//! fallback name: the proposed label when the model grouped the level, the
//! offline name when the embeddings did ([`name_groups`]).

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
    let fallback = grouping
        .labels
        .iter()
        .zip(&sizes)
        .map(|(label, n)| GeneratedName {
            name: label.clone(),
            description: format!("Groups {n} related clusters."),
            slug: slugify(label, 4),
        })
        .collect();
    rename_parents(job, lines, grouping.groups, fallback, gaps).await
}

/// The embeddings grouped the level (`[hierarchy] grouping = "embeddings"`):
/// the groups stay as they are and the model names each parent; the
/// fallback is the offline name already in `plan`.
pub(super) async fn name_groups(
    job: &Level<'_>,
    plan: LevelPlan,
    gaps: &mut Gaps,
) -> Result<LevelPlan> {
    let lines: Vec<String> = job.current.iter().map(names::describe).collect();
    rename_parents(job, &lines, plan.groups, plan.names, gaps).await
}

async fn rename_parents(
    job: &Level<'_>,
    lines: &[String],
    groups: Vec<usize>,
    fallback: Vec<GeneratedName>,
    gaps: &mut Gaps,
) -> Result<LevelPlan> {
    let mut children: Vec<Vec<String>> = vec![Vec::new(); fallback.len()];
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
    let mut names = Vec::with_capacity(answers.len());
    for (answer, fallback) in answers.into_iter().zip(fallback) {
        let renamed = match answer {
            Ok(n) if !n.name.trim().is_empty() => Some(n),
            Ok(_) => None,
            Err(Error::Cancelled) => return Err(Error::Cancelled),
            Err(e) => {
                gaps.renames.1.add(&e);
                item_failed(job, &format!("renaming {}", fallback.name), &e);
                None
            }
        };
        let name = renamed.unwrap_or(fallback);
        let _ = job.ctx.events.send(Event::Preview {
            stage: Stage::Hierarchy,
            text: name.name.clone(),
        });
        names.push(name);
    }
    Ok(LevelPlan { groups, names })
}
