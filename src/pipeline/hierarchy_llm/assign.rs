//! Step 4 of a level: every child picks one parent from a shuffled list,
//! all children at once. An answer that is not one of the parents is asked
//! again once, then replaced by the parent sharing most words with the child.

use rand::SeedableRng;
use rand::seq::SliceRandom;

use super::names::{closest_parent, match_parent};
use super::{Gaps, Level, item_failed};
use crate::error::{Error, Result};
use crate::pipeline::concurrent;

/// The children's parents, renumbered compactly in order of first use:
/// `groups[i]` is the parent of child `i`, `labels[p]` the proposed name
/// of parent `p`.
pub(super) struct Grouping {
    pub groups: Vec<usize>,
    pub labels: Vec<String>,
}

/// The shuffle of child `i`'s parent list depends only on the seed and `i`,
/// so answers (and the cache) do not depend on the order calls finish in.
fn rng_for(seed: u64, i: usize) -> rand_chacha::ChaCha8Rng {
    rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ (i as u64).wrapping_mul(0x9E37_79B9))
}

pub(super) async fn assign(
    job: &Level<'_>,
    lines: &[String],
    parents: &[String],
    gaps: &mut Gaps,
) -> Result<Grouping> {
    let m = lines.len();
    let jobs: Vec<(String, rand_chacha::ChaCha8Rng)> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| (line.clone(), rng_for(job.seed, i)))
        .collect();
    let shared: std::sync::Arc<[String]> = parents.into();
    let answers = concurrent::map_ordered(
        job.ctx,
        jobs,
        |(line, mut rng)| {
            let llm = job.llm.clone();
            let parents = shared.clone();
            async move {
                let mut failure = None;
                for _ in 0..2 {
                    let mut order: Vec<usize> = (0..parents.len()).collect();
                    order.shuffle(&mut rng);
                    let shown: Vec<String> = order.iter().map(|j| parents[*j].clone()).collect();
                    match llm.assign(line.clone(), shown).await {
                        Ok(answer) => {
                            if let Some(j) = match_parent(&answer, &parents) {
                                return (Some(j), None);
                            }
                        }
                        Err(e) => failure = Some(e),
                    }
                }
                (None, failure)
            }
        },
        |_| {},
    )
    .await?;
    let mut groups = vec![0usize; m];
    gaps.assignments.0 += m;
    for (i, (j, failure)) in answers.into_iter().enumerate() {
        match failure {
            Some(Error::Cancelled) => return Err(Error::Cancelled),
            Some(e) => {
                gaps.assignments.1.add(&e);
                item_failed(job, &format!("assigning {}", job.current[i].name), &e);
            }
            None => {}
        }
        groups[i] = j.unwrap_or_else(|| closest_parent(&lines[i], parents));
    }
    Ok(compact(groups, parents))
}

/// Renumbers used parents compactly, in order of first use.
fn compact(mut groups: Vec<usize>, parents: &[String]) -> Grouping {
    let mut remap = vec![usize::MAX; parents.len()];
    let mut labels = Vec::new();
    for g in groups.iter_mut() {
        if remap[*g] == usize::MAX {
            remap[*g] = labels.len();
            labels.push(parents[*g].clone());
        }
        *g = remap[*g];
    }
    Grouping { groups, labels }
}
