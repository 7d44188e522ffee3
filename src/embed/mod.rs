//! Embedders turn summary text into vectors. This is a seam: the API
//! embedder (`crate::llm`), the in-process MiniLM model and the built-in
//! lexical embedder all implement [`Embedder`].

use std::future::Future;
use std::pin::Pin;

use ndarray::Array2;

use crate::error::{Error, Result};

pub mod install;
pub mod lexical;
#[cfg(feature = "minilm")]
pub mod minilm;
mod select;

pub use install::{ModelSpec, minilm_dir, minilm_installed};
pub use lexical::LexicalEmbedder;
#[cfg(feature = "minilm")]
pub use minilm::MiniLmEmbedder;
pub use select::local_embedder;

/// The MiniLM embedder's identity (see [`Embedder::identity`]), known to every
/// build so plans and checkpoints read the same with or without it.
pub const MINILM_EMBEDDER_NAME: &str = "minilm:all-MiniLM-L6-v2";

/// True when this build carries the in-process MiniLM embedder (the
/// `minilm` cargo feature, on by default).
pub const MINILM_BUILT: bool = cfg!(feature = "minilm");

/// The error for choosing MiniLM in a build without it.
pub fn minilm_not_built() -> Error {
    Error::Model(
        "this kura-tui was built without the minilm feature, so it cannot run the MiniLM \
         embedder; choose `--embedder lexical` (or api), or rebuild with default features \
         (`cargo install --path .`)"
            .into(),
    )
}

/// A boxed, sendable future (object-safe async trait methods).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Called with the number of texts embedded so far.
pub type ProgressFn<'a> = &'a (dyn Fn(usize) + Send + Sync);

/// Turns texts into L2-normalised vectors, one row per text, in input order.
pub trait Embedder: Send + Sync {
    /// A stable name including the model, e.g. `lexical-256`,
    /// `minilm:all-MiniLM-L6-v2`, `api:text-embedding-3-small`. It is part of
    /// checkpoint keys, so it changes whenever the vectors would.
    fn identity(&self) -> String;

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

/// Progress for the synchronous embedders: called with the number of texts
/// done so far; returning `false` asks the embedder to stop (cancellation).
pub type SyncProgress<'a> = &'a (dyn Fn(usize) -> bool + Send + Sync);

/// A progress callback that never asks to stop.
pub fn no_progress(_done: usize) -> bool {
    true
}

enum Event {
    Progress(usize),
    Done(Result<Array2<f32>>),
}

/// Runs a CPU-heavy embedding job on its own thread and relays its progress
/// to `progress` from the awaiting task, so an async caller's executor is
/// never blocked. Dropping the returned future asks the job to stop at its
/// next progress report.
pub fn run_blocking<'a, F>(job: F, progress: ProgressFn<'a>) -> BoxFuture<'a, Result<Array2<f32>>>
where
    F: FnOnce(SyncProgress<'_>) -> Result<Array2<f32>> + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let spawned = std::thread::Builder::new()
        .name("kura-embed".into())
        .spawn(move || {
            let report = |done: usize| tx.send(Event::Progress(done)).is_ok();
            let result = job(&report);
            let _ = tx.send(Event::Done(result));
        });
    Box::pin(async move {
        if let Err(e) = spawned {
            return Err(Error::task(
                "the embedding thread",
                format!("it could not start: {e}"),
            ));
        }
        while let Some(event) = rx.recv().await {
            match event {
                Event::Progress(done) => progress(done),
                Event::Done(result) => return result,
            }
        }
        Err(Error::task(
            "the embedding thread",
            "it stopped without a result",
        ))
    })
}
