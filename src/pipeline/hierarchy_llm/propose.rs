//! Steps 1–3 of a level: neighbourhoods of similar clusters, parent
//! proposals per neighbourhood (all neighbourhoods at once), and the merge
//! of the proposals into one list of parents.

use ndarray::ArrayView2;

use super::names::clean_names;
use super::{Gaps, Level, item_failed};
use crate::cluster::{self, KMeansParams};
use crate::error::{Error, Result};
use crate::pipeline::concurrent;

/// How many clusters outside a neighbourhood its proposal prompt shows.
pub const NEARBY: usize = 5;

/// Step 1: the neighbourhoods, as lists of cluster indices (k-means on the
/// centroids, about `neighbourhood_size` clusters each; empty ones dropped).
pub(super) fn neighbourhoods(job: &Level) -> Result<Vec<Vec<usize>>> {
    let m = job.current.len();
    let hoods = m
        .div_ceil(job.config.neighbourhood_size.max(2))
        .clamp(1, m.max(1));
    let labels = if hoods > 1 {
        let mut p = KMeansParams::new(hoods);
        p.seed = job.seed;
        cluster::kmeans(job.centroids.view(), &p)?.labels
    } else {
        vec![0; m]
    };
    let mut out = vec![Vec::new(); hoods];
    for (i, l) in labels.into_iter().enumerate() {
        if let Some(h) = out.get_mut(l) {
            h.push(i);
        }
    }
    out.retain(|h| !h.is_empty());
    Ok(out)
}

/// The `k` clusters outside `members` whose centroids are nearest (in
/// Euclidean distance) to the mean centroid of `members`; ties go to the
/// lower index.
pub fn nearest_outside(centroids: ArrayView2<f32>, members: &[usize], k: usize) -> Vec<usize> {
    let d = centroids.ncols();
    let mut mean = vec![0.0f32; d];
    for &i in members {
        for (m, x) in mean.iter_mut().zip(centroids.row(i)) {
            *m += x;
        }
    }
    let n = members.len().max(1) as f32;
    mean.iter_mut().for_each(|m| *m /= n);
    let inside: std::collections::HashSet<usize> = members.iter().copied().collect();
    let mut scored: Vec<(f32, usize)> = (0..centroids.nrows())
        .filter(|i| !inside.contains(i))
        .map(|i| {
            let dist: f32 = centroids
                .row(i)
                .iter()
                .zip(&mean)
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            (dist, i)
        })
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(k).map(|(_, i)| i).collect()
}

/// Step 2: parent names proposed for every neighbourhood, all asked at
/// once, merged in neighbourhood order (so the result does not depend on
/// which answer came first). Each neighbourhood asks for its share of
/// `target` and sees the clusters nearest to it from outside.
pub(super) async fn propose(
    job: &Level<'_>,
    lines: &[String],
    hoods: &[Vec<usize>],
    gaps: &mut Gaps,
) -> Result<(Vec<String>, usize)> {
    let m = lines.len().max(1);
    let asks: Vec<(Vec<String>, Vec<String>, usize)> = hoods
        .iter()
        .map(|members| {
            let share = ((job.target * members.len()) as f64 / m as f64).round() as usize;
            let t = share.clamp(1, members.len());
            let nearby = nearest_outside(job.centroids.view(), members, NEARBY)
                .into_iter()
                .map(|i| lines[i].clone())
                .collect();
            let texts = members.iter().map(|i| lines[*i].clone()).collect();
            (texts, nearby, t)
        })
        .collect();
    gaps.proposals.0 += asks.len();
    let answers = concurrent::map_ordered(
        job.ctx,
        asks,
        |(texts, nearby, t)| {
            let llm = job.llm.clone();
            async move {
                llm.propose(texts, nearby, t, (t * 3).div_ceil(2).max(1))
                    .await
            }
        },
        |_| {},
    )
    .await?;
    let mut proposals = Vec::new();
    let mut failed = 0;
    for answer in answers {
        match answer {
            Ok(names) => proposals.extend(names),
            Err(Error::Cancelled) => return Err(Error::Cancelled),
            Err(e) => {
                failed += 1;
                gaps.proposals.1.add(&e);
                item_failed(job, "proposing parents", &e);
            }
        }
    }
    Ok((clean_names(proposals, usize::MAX), failed))
}

/// Step 3: one list of about `target` parents from all the proposals (one
/// call); when it fails, the proposals as they are.
pub(super) async fn merge(
    job: &Level<'_>,
    proposals: Vec<String>,
    gaps: &mut Gaps,
) -> Result<Vec<String>> {
    let max = (job.target * 6).div_ceil(5).max(1);
    Ok(
        match job.llm.dedupe(proposals.clone(), job.target, max).await {
            Ok(names) if !clean_names(names.clone(), max).is_empty() => clean_names(names, max),
            Err(Error::Cancelled) => return Err(Error::Cancelled),
            Err(e) => {
                gaps.dedupe.add(&e);
                item_failed(job, "merging proposals", &e);
                clean_names(proposals, max)
            }
            Ok(_) => clean_names(proposals, max),
        },
    )
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::nearest_outside;

    #[test]
    fn nearby_clusters_are_the_nearest_outside_not_the_first() {
        // Clusters on a line: 0..4 far away at x = 100..104, the
        // neighbourhood {5, 6} at x = 0..1, and 7, 8, 9 at x = 2, 3, 50.
        let xs = [
            100.0f32, 101.0, 102.0, 103.0, 104.0, 0.0, 1.0, 2.0, 3.0, 50.0,
        ];
        let mut c = Array2::<f32>::zeros((xs.len(), 2));
        for (i, x) in xs.iter().enumerate() {
            c[[i, 0]] = *x;
        }
        assert_eq!(nearest_outside(c.view(), &[5, 6], 3), vec![7, 8, 9]);
        assert_eq!(nearest_outside(c.view(), &[5, 6], 4), vec![7, 8, 9, 0]);
        // Never the members themselves, even when fewer remain than asked.
        assert_eq!(
            nearest_outside(c.view(), &[0, 1, 2, 3, 4, 5, 6, 7], 5),
            vec![9, 8]
        );
    }
}
