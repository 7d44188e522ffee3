//! Step 5 of a level: every parent is renamed from its actual children,
//! all parents at once; a failed rename keeps the proposed name.

use super::assign::Grouping;
use super::{Gaps, Level, item_failed};
use crate::error::{Error, Result};
use crate::model::slugify;
use crate::pipeline::naming::GeneratedName;
use crate::pipeline::{Event, Stage, concurrent};

pub(super) async fn rename(
    job: &Level<'_>,
    lines: &[String],
    grouping: &Grouping,
    gaps: &mut Gaps,
) -> Result<Vec<GeneratedName>> {
    let mut children: Vec<Vec<String>> = vec![Vec::new(); grouping.labels.len()];
    for (i, g) in grouping.groups.iter().enumerate() {
        children[*g].push(lines[i].clone());
    }
    let sizes: Vec<usize> = children.iter().map(Vec::len).collect();
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
    for (p, answer) in answers.into_iter().enumerate() {
        let label = &grouping.labels[p];
        let renamed = match answer {
            Ok(n) if !n.name.trim().is_empty() => Some(n),
            Ok(_) => None,
            Err(Error::Cancelled) => return Err(Error::Cancelled),
            Err(e) => {
                gaps.renames.1.add(&e);
                item_failed(job, &format!("renaming {label}"), &e);
                None
            }
        };
        let name = renamed.unwrap_or_else(|| GeneratedName {
            name: label.clone(),
            description: format!("Groups {} related clusters.", sizes[p]),
            slug: slugify(label, 4),
        });
        let _ = job.ctx.events.send(Event::Preview {
            stage: Stage::Hierarchy,
            text: name.name.clone(),
        });
        names.push(name);
    }
    Ok(names)
}
