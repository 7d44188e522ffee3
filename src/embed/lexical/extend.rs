//! Embedding new texts into the space of a corpus that is already embedded
//! (`kura-tui add`). The lexical embedder keeps no fit on disk, but its fit
//! is a function of the corpus and the seed alone, so fitting again on the
//! same texts gives the same vocabulary, IDF and SVD basis. New texts are
//! projected with that basis (never refitted with them), then smoothed
//! towards their nearest neighbours among the old and new vectors, as a
//! full embedding would have done.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;

use super::LexicalEmbedder;
use crate::embed::{SyncProgress, l2_normalise};
use crate::error::{Error, Result};

/// Base rows recomputed to check that the refit reproduces the stored vectors.
const CHECK_ROWS: usize = 16;
/// Lowest cosine between a recomputed base row and the stored one.
pub const MIN_AGREEMENT: f32 = 0.99;

/// New vectors and how well the refit reproduced the stored ones.
#[derive(Debug, Clone)]
pub struct Extension {
    /// One unit-length row per new text.
    pub vectors: Array2<f32>,
    /// Lowest cosine between a sampled stored base row and its recomputation.
    pub agreement: f32,
}

impl LexicalEmbedder {
    /// Embeds `new` in the space fitted on `base`, whose vectors (as
    /// [`embed_texts`](Self::embed_texts) gave them) are `stored`. Fails when
    /// the refit does not reproduce `stored` (other texts, seed or version).
    pub fn extend(
        &self,
        base: &[String],
        stored: ArrayView2<f32>,
        new: &[String],
        progress: SyncProgress<'_>,
    ) -> Result<Extension> {
        if base.is_empty() || stored.nrows() != base.len() || stored.ncols() != self.dimensions() {
            return Err(Error::Internal(format!(
                "lexical extension: {} base texts for a {}×{} matrix (expected {} columns)",
                base.len(),
                stored.nrows(),
                stored.ncols(),
                self.dimensions()
            )));
        }
        let fitted = self.fit(base, progress)?;
        let base_raw = self.project(&fitted, base, Some(&fitted.sampled), progress)?;
        let new_raw = self.project(&fitted, new, None, progress)?;
        let k = self.options.smooth_k;
        let smoothed = crate::cluster::smooths(base.len(), k);
        let step = if k > 0 {
            self.options.smooth_alpha / k as f32
        } else {
            0.0
        };

        let n = base.len();
        let picks: Vec<usize> = (0..CHECK_ROWS.min(n))
            .map(|i| i * (n - 1) / (CHECK_ROWS.min(n) - 1).max(1))
            .collect();
        let mut agreement = f32::INFINITY;
        for &i in &picks {
            let mut row = base_raw.row(i).to_owned();
            if smoothed {
                row = smooth_row(&row, i, &[base_raw.view()], k, step);
            }
            agreement = agreement.min(row.dot(&stored.row(i)));
        }
        if agreement < MIN_AGREEMENT {
            return Err(Error::Model(format!(
                "the lexical embedder fitted again on the project's {n} summaries does not \
                 reproduce its stored embeddings (cosine {agreement:.3} < {MIN_AGREEMENT}); \
                 the embeddings were made by another version or settings: run the project \
                 again before adding"
            )));
        }

        let vectors = if smoothed {
            let rows: Vec<Array1<f32>> = (0..new_raw.nrows())
                .into_par_iter()
                .map(|i| {
                    smooth_row(
                        &new_raw.row(i).to_owned(),
                        n + i,
                        &[base_raw.view(), new_raw.view()],
                        k,
                        step,
                    )
                })
                .collect();
            let mut m = Array2::<f32>::zeros((rows.len(), self.dimensions()));
            for (mut dst, src) in m.axis_iter_mut(Axis(0)).zip(&rows) {
                dst.assign(src);
            }
            m
        } else {
            new_raw
        };
        Ok(Extension { vectors, agreement })
    }
}

/// `row` (at position `own` in the concatenated `pools`) moved towards its
/// `k` nearest rows by cosine, each weighted `step`, then scaled to unit
/// length: [`super::refine::smooth`] for a single row.
fn smooth_row(
    row: &Array1<f32>,
    own: usize,
    pools: &[ArrayView2<f32>],
    k: usize,
    step: f32,
) -> Array1<f32> {
    let mut scored: Vec<(f32, usize)> = Vec::new();
    let mut offset = 0;
    for pool in pools {
        let dots = pool.dot(row);
        scored.extend(
            dots.iter()
                .enumerate()
                .map(|(j, d)| (*d, offset + j))
                .filter(|(_, j)| *j != own),
        );
        offset += pool.nrows();
    }
    let take = k.min(scored.len());
    if take > 0 && take < scored.len() {
        scored.select_nth_unstable_by(take - 1, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    }
    let mut out = row.clone();
    for &(_, j) in scored.iter().take(take) {
        let mut at = j;
        for pool in pools {
            if at < pool.nrows() {
                out.scaled_add(step, &pool.row(at));
                break;
            }
            at -= pool.nrows();
        }
    }
    let mut m = out.insert_axis(Axis(0));
    l2_normalise(&mut m);
    m.remove_axis(Axis(0))
}
