//! Embedders turn summary text into vectors. This is a seam: the API
//! embedder (`crate::llm`), the in-process MiniLM model and the built-in
//! lexical embedder all implement [`Embedder`].

use std::future::Future;
use std::pin::Pin;

use ndarray::Array2;

use crate::error::Result;

/// A boxed, sendable future (object-safe async trait methods).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Called with the number of texts embedded so far.
pub type ProgressFn<'a> = &'a (dyn Fn(usize) + Send + Sync);

/// Turns texts into L2-normalised vectors, one row per text, in input order.
pub trait Embedder: Send + Sync {
    /// A stable name including the model, e.g. `lexical-256`,
    /// `minilm:all-MiniLM-L6-v2`, `api:text-embedding-3-small`. It is part of
    /// checkpoint keys, so it changes whenever the vectors would.
    fn name(&self) -> String;

    /// Embeds a whole corpus. Corpus-fitted embedders (lexical) fit on
    /// `texts` itself.
    fn embed<'a>(
        &'a self,
        texts: &'a [String],
        progress: ProgressFn<'a>,
    ) -> BoxFuture<'a, Result<Array2<f32>>>;
}

/// Scales each row to unit length (rows of zeros stay zero).
pub fn l2_normalise(m: &mut Array2<f32>) {
    for mut row in m.rows_mut() {
        let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            row.mapv_inplace(|x| x / norm);
        }
    }
}
