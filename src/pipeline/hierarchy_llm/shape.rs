//! Keeping a level's shape whatever the model answered: a level whose
//! parents collapsed below a third of its target (a weak model can merge
//! every proposal into one name) is repaired by splitting its largest
//! parents in two, deterministically, until it reaches the target. The
//! split parents are then named from their children like any other.

use ndarray::{Array2, ArrayView2, Axis};

use super::assign::Grouping;
use crate::cluster::{self, KMeansParams};
use crate::error::Result;

/// True when `parents` is below a third of `target`.
pub fn collapsed(parents: usize, target: usize) -> bool {
    parents * 3 < target
}

/// Splits the largest parent (by conversations, then children, then the
/// lower index) with at least two children into two, by 2-means on its
/// children's centroids, until there are `goal` parents or nothing can be
/// split. New parents take the label of the parent they came from, with
/// a part number.
pub(super) fn split_largest(
    grouping: &mut Grouping,
    centroids: ArrayView2<f32>,
    counts: &[usize],
    goal: usize,
    seed: u64,
) -> Result<()> {
    let mut parts = vec![1usize; grouping.labels.len()];
    let mut origin: Vec<usize> = (0..grouping.labels.len()).collect();
    while grouping.labels.len() < goal {
        let n = grouping.labels.len();
        let mut children = vec![Vec::new(); n];
        let mut size = vec![0usize; n];
        for (i, g) in grouping.groups.iter().enumerate() {
            children[*g].push(i);
            size[*g] += counts.get(i).copied().unwrap_or(1);
        }
        let Some(p) = (0..n).filter(|p| children[*p].len() >= 2).max_by(|a, b| {
            (size[*a], children[*a].len())
                .cmp(&(size[*b], children[*b].len()))
                .then(b.cmp(a))
        }) else {
            break;
        };
        let side = halves(centroids, &children[p], seed)?;
        for (child, second) in children[p].iter().zip(side) {
            if second {
                grouping.groups[*child] = n;
            }
        }
        let root = origin[p];
        parts[root] += 1;
        origin.push(root);
        let base = &grouping.labels[root];
        let label = format!("{base} ({})", parts[root]);
        grouping.labels.push(label);
    }
    Ok(())
}

/// Which of `rows` go to the second half: 2-means on their centroids, or
/// the second half by position when 2-means leaves one side empty (e.g.
/// identical centroids).
fn halves(centroids: ArrayView2<f32>, rows: &[usize], seed: u64) -> Result<Vec<bool>> {
    let data: Array2<f32> = centroids.select(Axis(0), rows);
    let mut p = KMeansParams::new(2);
    p.seed = seed;
    let labels = cluster::kmeans(data.view(), &p)?.labels;
    let second = labels.iter().filter(|l| **l == 1).count();
    if second == 0 || second == rows.len() {
        let half = rows.len() / 2;
        return Ok((0..rows.len()).map(|i| i >= half).collect());
    }
    Ok(labels.into_iter().map(|l| l == 1).collect())
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::*;

    fn grouping(groups: Vec<usize>, labels: &[&str]) -> Grouping {
        Grouping {
            groups,
            labels: labels.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_collapsed_level_is_split_to_its_goal_along_the_data() {
        // Twelve children in three tight groups of four, all under one parent.
        let mut c = Array2::<f32>::zeros((12, 2));
        for i in 0..12 {
            let (x, y) = [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)][i / 4];
            c[[i, 0]] = x + (i % 4) as f32 * 0.01;
            c[[i, 1]] = y;
        }
        let mut g = grouping(vec![0; 12], &["Everything"]);
        assert!(collapsed(1, 9));
        assert!(!collapsed(3, 9));
        split_largest(&mut g, c.view(), &[1; 12], 3, 7).unwrap();
        assert_eq!(g.labels.len(), 3);
        // Each natural group ends up under one parent of its own.
        for grp in 0..3 {
            let p = g.groups[grp * 4];
            assert!((0..4).all(|j| g.groups[grp * 4 + j] == p), "{:?}", g.groups);
        }
        let distinct: std::collections::HashSet<_> = g.groups.iter().collect();
        assert_eq!(distinct.len(), 3);
        assert_eq!(g.labels[0], "Everything");
        assert!(g.labels[1..].iter().all(|l| l.starts_with("Everything (")));
        // Deterministic: the same input splits the same way.
        let mut again = grouping(vec![0; 12], &["Everything"]);
        split_largest(&mut again, c.view(), &[1; 12], 3, 7).unwrap();
        assert_eq!(again.groups, g.groups);
    }

    #[test]
    fn splitting_stops_when_every_parent_has_one_child() {
        let c = Array2::<f32>::zeros((3, 2));
        let mut g = grouping(vec![0, 0, 1], &["A", "B"]);
        split_largest(&mut g, c.view(), &[5, 5, 100], 10, 1).unwrap();
        assert_eq!(g.labels.len(), 3);
        let distinct: std::collections::HashSet<_> = g.groups.iter().collect();
        assert_eq!(distinct.len(), 3);
    }
}
