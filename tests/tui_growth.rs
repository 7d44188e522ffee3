//! The explorer after `kura-tui add`: a "+N new" badge on clusters that
//! grew, a marker on new conversations in the list and the viewer, and the
//! selected cluster's volume per day as a sparkline (snapshots at 120×40).

mod tui_fixture;

use std::collections::{BTreeMap, HashMap};

use kura_tui::analysis::Analysis;
use kura_tui::grow::marks::Marks;
use kura_tui::grow::record::{AddLog, Batch};
use kura_tui::grow::timeline::parse_date;
use kura_tui::tui::{Command, State};
use tui_fixture::*;

const W: u16 = 120;
const H: u16 = 40;

/// The fixture with conv-002, conv-005 and conv-007 (of the first base
/// cluster) marked as added.
fn grown() -> Analysis {
    let mut a = analysis();
    let ids: Vec<String> = [2, 5, 7].into_iter().map(conversation_id).collect();
    let mut log = AddLog::new("digest".into());
    log.batches.push(Batch {
        added_at: "2025-02-01T00:00:00Z".into(),
        input: "new.jsonl".into(),
        ids,
        skipped_duplicates: 0,
        assigned: 3,
        unassigned: 0,
        threshold: "auto".into(),
        grew: BTreeMap::from([("L0-0".to_string(), 3)]),
    });
    let dates: HashMap<String, chrono::NaiveDate> = conversations()
        .into_iter()
        .map(|c| (c.id.clone(), parse_date(&c.created_at.unwrap()).unwrap()))
        .collect();
    a.marks = Marks::build(Some(&log), Some("digest"), &a.hierarchy, &dates);
    a
}

fn state() -> State {
    let mut state = explorer_on(grown(), std::path::Path::new(ROOT), W, H);
    // Open "Programming help" and select its first base cluster.
    apply(&mut state, [Command::Toggle, Command::Down]);
    state
}

fn snap(name: &str, state: &State) {
    let terminal = render(state, W, H);
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, terminal.backend());
    });
}

#[test]
fn grown_cluster_shows_badge_sparkline_and_new_markers() {
    let state = state();
    let text = screen_text(&state, W, H);
    assert!(text.contains("Debug Rust borrow errors +3 new"), "{text}");
    assert!(text.contains("Programming help +3 new"), "{text}");
    assert!(text.contains("· +3 new"), "{text}");
    assert!(
        text.contains("Volume per day · 2025-01-01 → 2025-01-28"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.contains("+ The user asks")),
        "{text}"
    );
    // A cluster that did not grow has no badge.
    assert!(!text.contains("Write SQL queries +"), "{text}");
    snap("growth_detail_120x40", &state);
}

#[test]
fn viewer_marks_a_new_conversation() {
    let mut state = state();
    // Detail pane, third conversation (conv-002), open it.
    apply(
        &mut state,
        [
            Command::NextPane,
            Command::NextPane,
            Command::Down,
            Command::Down,
            Command::Open,
        ],
    );
    let text = screen_text(&state, W, H);
    assert!(text.contains("Conversation conv-002 · new"), "{text}");
    snap("growth_viewer_120x40", &state);
}
