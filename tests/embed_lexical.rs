//! The built-in lexical embedder: deterministic, unit rows, sensible
//! neighbours, edge cases.

use std::sync::Mutex;

use kura_tui::embed::lexical::word_pieces::DIMS as PIECE_DIMS;
use kura_tui::embed::lexical::{LexicalOptions, MAX_DIMENSIONS};
use kura_tui::embed::{Embedder, LexicalEmbedder, no_progress};
use kura_tui::error::Error;
use ndarray::{Array2, ArrayView1};

fn corpus() -> Vec<String> {
    let topics: [&[&str]; 3] = [
        &[
            "how do I reset my card pin",
            "I forgot the PIN for my debit card",
            "change the pin number on my card",
            "my card pin is blocked after wrong attempts",
            "where can I see my card PIN",
        ],
        &[
            "book a flight to Paris next week",
            "find cheap flights from London to Paris",
            "I need a plane ticket to Rome",
            "cancel my flight booking to Berlin",
            "which airline flies to Paris on Monday",
        ],
        &[
            "write a python function that sorts a list",
            "my python script throws a KeyError",
            "how to read a csv file in python",
            "fix this python loop that never ends",
            "explain python list comprehensions",
        ],
    ];
    topics
        .iter()
        .flat_map(|t| t.iter().map(|s| s.to_string()))
        .collect()
}

fn cos(a: ArrayView1<f32>, b: ArrayView1<f32>) -> f32 {
    a.dot(&b)
}

fn embed(texts: &[String]) -> Array2<f32> {
    LexicalEmbedder::new(16, 42)
        .unwrap()
        .embed_texts(texts, &no_progress)
        .unwrap()
}

#[test]
fn same_input_same_vectors() {
    let texts = corpus();
    let a = embed(&texts);
    let b = embed(&texts);
    assert_eq!(a, b);
    assert_eq!(a.dim(), (15, 16 + PIECE_DIMS));
}

#[test]
fn rows_have_unit_length() {
    let m = embed(&corpus());
    for row in m.rows() {
        let norm = row.dot(&row).sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
    }
}

#[test]
fn similar_texts_are_closer_than_dissimilar_ones() {
    let texts = corpus();
    // The default smoothing moves each vector towards its 10 nearest
    // neighbours, which in a corpus of 15 texts is most of the others; two
    // neighbours keep this a test of the vectors themselves.
    let options = LexicalOptions {
        smooth_k: 2,
        ..LexicalOptions::default()
    };
    let m = LexicalEmbedder::with_options(16, 42, options)
        .unwrap()
        .embed_texts(&texts, &no_progress)
        .unwrap();
    // Same topic: the two PIN questions; other topic: a flight booking.
    let pin = cos(m.row(0), m.row(1));
    let flight = cos(m.row(0), m.row(5));
    let code = cos(m.row(0), m.row(10));
    assert!(pin > flight, "pin {pin} vs flight {flight}");
    assert!(pin > code, "pin {pin} vs code {code}");
    // On average, each text is closer to its own topic than to any other.
    for (i, text) in texts.iter().enumerate() {
        let mean_to = |topic: usize| {
            let others: Vec<usize> = (topic * 5..topic * 5 + 5).filter(|&j| j != i).collect();
            others.iter().map(|&j| cos(m.row(i), m.row(j))).sum::<f32>() / others.len() as f32
        };
        let own = mean_to(i / 5);
        for topic in (0..3).filter(|&t| t != i / 5) {
            assert!(own > mean_to(topic), "{text:?}: own {own} vs topic {topic}");
        }
    }
}

#[test]
fn empty_inputs_and_single_texts() {
    let e = LexicalEmbedder::new(8, 42).unwrap();
    let none = e.embed_texts(&[], &no_progress).unwrap();
    assert_eq!(none.dim(), (0, 8 + PIECE_DIMS));

    let one = e
        .embed_texts(&["a single text".to_string()], &no_progress)
        .unwrap();
    assert_eq!(one.dim(), (1, 8 + PIECE_DIMS));
    assert!((one.row(0).dot(&one.row(0)) - 1.0).abs() < 1e-4);

    let blanks = e
        .embed_texts(
            &[
                String::new(),
                " \t ".into(),
                "!!".into(),
                "words here".into(),
            ],
            &no_progress,
        )
        .unwrap();
    assert_eq!(blanks.dim(), (4, 8 + PIECE_DIMS));
    assert!(
        blanks.row(0).iter().all(|&x| x == 0.0),
        "no features: zero row"
    );
    assert!(blanks.row(1).iter().all(|&x| x == 0.0));
    // Punctuation alone: no n-gram feature, but word pieces ("!" is one).
    let bangs = blanks.row(2);
    assert!(bangs.iter().take(8).all(|&x| x == 0.0), "{bangs:?}");
    assert!((bangs.dot(&bangs) - 1.0).abs() < 1e-4);
    assert!((blanks.row(3).dot(&blanks.row(3)) - 1.0).abs() < 1e-4);
}

#[test]
fn a_sampled_fit_still_embeds_every_text() {
    let texts: Vec<String> = corpus().into_iter().cycle().take(40).collect();
    let opts = LexicalOptions {
        fit_rows: 10,
        ..LexicalOptions::default()
    };
    let e = LexicalEmbedder::with_options(8, 3, opts).unwrap();
    let m = e.embed_texts(&texts, &no_progress).unwrap();
    assert_eq!(m.nrows(), 40);
    // Repeated texts get the same row whether or not they were sampled: a
    // sampled text's row comes from the fit's own products, the others' from
    // a sparse product with the basis, so they agree up to rounding.
    for other in [15, 30] {
        let gap = (&m.row(0) - &m.row(other))
            .mapv(f32::abs)
            .fold(0.0f32, |a, &b| a.max(b));
        assert!(gap < 1e-5, "row 0 vs row {other}: {gap}");
    }
    assert!(m.row(0).iter().any(|&x| x.abs() > 0.1), "not a zero row");
}

#[test]
fn names_and_parameters() {
    assert_eq!(
        LexicalEmbedder::new(256, 42).unwrap().identity(),
        "lexical-v5-256"
    );
    assert_eq!(
        LexicalEmbedder::new(64, 7).unwrap().identity(),
        "lexical-v5-64-seed7"
    );
    for bad in [0, MAX_DIMENSIONS + 1] {
        let err = LexicalEmbedder::new(bad, 42).unwrap_err();
        assert!(
            matches!(err, Error::InvalidParam { ref name, .. } if name == "embedding.lexical_dimensions")
        );
    }
}

#[test]
fn stopping_early_is_cancellation() {
    let e = LexicalEmbedder::new(8, 42).unwrap();
    let err = e.embed_texts(&corpus(), &|_| false).unwrap_err();
    assert!(matches!(err, Error::Cancelled));
}

#[tokio::test]
async fn the_async_embedder_reports_progress_and_matches_the_sync_one() {
    let e = LexicalEmbedder::new(16, 42).unwrap();
    let texts = corpus();
    let seen = Mutex::new(Vec::new());
    let progress = |n: usize| seen.lock().unwrap().push(n);
    let m = e.embed(&texts, &progress).await.unwrap();
    assert_eq!(m, embed(&texts));
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.last(), Some(&texts.len()));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
}
