//! Inputs the fuzz targets in `fuzz/` found crashing or hanging, kept as
//! regression tests (benches/RESULTS.md, "Fuzzing: input formats").

use kura_tui::ingest::fuzzing::{Piece, json_records};
use kura_tui::ingest::{self, Format, ImportOptions};

/// `json_stream`, first minutes: a `}` at depth 0 inside a JSON array
/// ended the element before it without consuming it, so the reader yielded
/// empty elements forever (and `init --skip-invalid` wrote rejects until
/// the disk was full). Found as this input (the last byte picks the shape
/// and buffer in the fuzz target).
const STRAY_BRACE_FOUND: &[u8] = b"[\n  {\n    \"chat_id\": \"k\x013user\", \"content\": \"Translate \\\"hello, world]\\\" to Fre\x95ch\", \"created_at\": \"2024-05-02T11:30:00+02:00\"}}\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff, \"create_time\": null},fff\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\": \"\x88\x90\x90\x8b\", \"m";

fn records(pieces: &[Piece]) -> Vec<&[u8]> {
    pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Record { bytes, .. } => Some(bytes.as_slice()),
            _ => None,
        })
        .collect()
}

#[test]
fn stray_closing_brace_in_an_array_moves_on() {
    for data in [STRAY_BRACE_FOUND, b"[}".as_slice(), b"[1, }, 2]", b"[{}}]"] {
        let (_, body) = data.split_last().unwrap();
        for buffer in [1, 3, 64, 1 << 16] {
            for input in [data, body] {
                let pieces = json_records(input, Some(1), buffer);
                assert!(!pieces.contains(&Piece::Stuck), "{pieces:?}");
                assert!(records(&pieces).iter().all(|r| !r.is_empty()), "{pieces:?}");
            }
        }
    }
    let pieces = json_records(b"[1, }, 2]", Some(1), 2);
    assert_eq!(records(&pieces), [b"1".as_slice(), b"}", b"2"]);
}

#[test]
fn stray_closing_brace_import_ends_with_its_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.json");
    std::fs::write(
        &input,
        "[{\"id\": \"a\", \"messages\": []}, }, {\"id\": \"b\", \"messages\": []}]",
    )
    .unwrap();
    let rejected = dir.path().join("rejected.jsonl");
    let options = ImportOptions {
        format: Some(Format::Openai),
        skip_invalid: true,
        ..ImportOptions::default()
    };
    let mut ids = Vec::new();
    let report = ingest::import_with(&input, &options, Some(&rejected), |c| {
        ids.push(c.id);
        Ok(())
    })
    .unwrap();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(report.skipped, 1);
    let rejects = std::fs::read_to_string(&rejected).unwrap();
    assert_eq!(rejects.lines().count(), 1, "{rejects}");
}
