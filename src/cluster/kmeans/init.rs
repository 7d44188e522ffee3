//! k-means++ seeding (Arthur & Vassilvitskii 2007): each new centre is a
//! row drawn with probability proportional to its squared distance to the
//! nearest centre chosen so far.
//!
//! Updating those distances naively costs `n · d` per centre. We skip the
//! rows that provably cannot get closer (the triangle inequality, as in
//! Raff 2021, "Exact acceleration of k-means++ and k-means‖"): a row whose
//! nearest centre `c` is at distance `r` can only move to a new centre `z`
//! if `|z − c| < 2r`. So each centre keeps its member rows and their
//! largest distance, and whole groups are skipped at once. The picks are
//! exactly those of plain k-means++ with the same random draws.

use ndarray::{Array2, ArrayView2};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::cluster::dense::sq_dist;

/// Rows per parallel work item when scanning a centre's members.
const CHUNK: usize = 1024;

/// Picks `k` rows of `data` (standard layout, `k <= n`) as starting
/// centroids.
pub(super) fn kmeans_plus_plus(
    data: ArrayView2<f32>,
    k: usize,
    rng: &mut ChaCha8Rng,
) -> Array2<f32> {
    let (n, d) = data.dim();
    let mut centroids = Array2::<f32>::zeros((k, d));
    if n == 0 || k == 0 {
        return centroids;
    }
    let rows: Vec<&[f32]> = data
        .rows()
        .into_iter()
        .map(|r| r.to_slice().unwrap_or(&[]))
        .collect();
    let mut state = State {
        rows: &rows,
        min_d2: vec![f32::INFINITY; n],
        owner: vec![0; n],
        members: Vec::with_capacity(k),
        radius2: Vec::with_capacity(k),
        centres: Vec::with_capacity(k),
    };
    let first = rng.random_range(0..n);
    state.add_centre(first);
    for _ in 1..k {
        let pick = draw(&state.min_d2, rng);
        state.add_centre(pick);
    }
    for (c, &row) in state.centres.iter().enumerate() {
        centroids.row_mut(c).assign(&data.row(row));
    }
    centroids
}

/// A row with probability proportional to `min_d2`; uniform when every row
/// already coincides with a centre.
fn draw(min_d2: &[f32], rng: &mut ChaCha8Rng) -> usize {
    let n = min_d2.len();
    let total: f64 = min_d2.iter().map(|&v| f64::from(v)).sum();
    if !(total > 0.0 && total.is_finite()) {
        return rng.random_range(0..n);
    }
    let target = rng.random::<f64>() * total;
    let mut acc = 0.0f64;
    for (i, &v) in min_d2.iter().enumerate() {
        acc += f64::from(v);
        if acc > target && v > 0.0 {
            return i;
        }
    }
    // Rounding left `acc` just short of `target`: take the last row that
    // is not a centre yet.
    min_d2.iter().rposition(|&v| v > 0.0).unwrap_or(n - 1)
}

struct State<'a> {
    rows: &'a [&'a [f32]],
    /// Squared distance of each row to its nearest centre so far.
    min_d2: Vec<f32>,
    /// That centre.
    owner: Vec<u32>,
    /// Rows owned by each centre.
    members: Vec<Vec<u32>>,
    /// Largest `min_d2` among each centre's members.
    radius2: Vec<f32>,
    /// Row index of each centre.
    centres: Vec<usize>,
}

impl State<'_> {
    fn add_centre(&mut self, row: usize) {
        let z = self.rows[row];
        let new = self.centres.len();
        // Work items: (centre, slice of its members) that may move to `z`.
        let mut work: Vec<(usize, &[u32], f32)> = Vec::new();
        let all: Vec<u32>;
        if new == 0 {
            all = (0..self.rows.len() as u32).collect();
            work.extend(all.chunks(CHUNK).map(|c| (0, c, 0.0)));
        } else {
            let gaps: Vec<f32> = self
                .centres
                .par_iter()
                .map(|&c| sq_dist(self.rows[c], z))
                .collect();
            for (c, &gap) in gaps.iter().enumerate() {
                if gap < 4.0 * self.radius2[c] {
                    work.extend(self.members[c].chunks(CHUNK).map(|m| (c, m, gap)));
                }
            }
        }
        let rows = self.rows;
        let min_d2 = &self.min_d2;
        let moved: Vec<Vec<(u32, f32)>> = work
            .par_iter()
            .map(|&(_, members, gap)| {
                members
                    .iter()
                    .filter(|&&x| gap < 4.0 * min_d2[x as usize])
                    .filter_map(|&x| {
                        let d = sq_dist(rows[x as usize], z);
                        (d < min_d2[x as usize]).then_some((x, d))
                    })
                    .collect()
            })
            .collect();
        let mut touched: Vec<usize> = work.iter().map(|w| w.0).collect();
        touched.dedup();
        let mut mine = Vec::new();
        for (x, d) in moved.into_iter().flatten() {
            self.min_d2[x as usize] = d;
            self.owner[x as usize] = new as u32;
            mine.push(x);
        }
        if new > 0 {
            for c in touched {
                let owner = &self.owner;
                self.members[c].retain(|&x| owner[x as usize] as usize == c);
                self.radius2[c] = self.members[c]
                    .iter()
                    .map(|&x| self.min_d2[x as usize])
                    .fold(0.0, f32::max);
            }
        }
        let radius = mine
            .iter()
            .map(|&x| self.min_d2[x as usize])
            .fold(0.0, f32::max);
        self.members.push(mine);
        self.radius2.push(radius);
        self.centres.push(row);
    }
}
