//! The explorer's classifier menus at the `update` level and as
//! snapshots: the sort menu over report fields and the eval history.

mod tui_fixture;

use kura_tui::classify::evaluation::EvalRecord;
use kura_tui::classify::{EngineKind, LabelMode};
use kura_tui::tui::classify::{ClassifyJob, ClassifyReply, Purpose};
use kura_tui::tui::explorer::SortKey;
use kura_tui::tui::{Command, Context, Effect, State};
use tui_fixture::*;

fn mean_satisfaction(root: &str) -> f64 {
    let a = analysis();
    let convs = conversations();
    let ids = a.hierarchy.members(root);
    let vals: Vec<f64> = convs
        .iter()
        .filter(|c| ids.contains(&c.id.as_str()))
        .map(|c| c.metadata["satisfaction"].as_f64().unwrap())
        .collect();
    vals.iter().sum::<f64>() / vals.len() as f64
}

fn sort_menu_state(w: u16, h: u16) -> State {
    let mut state = explorer_state(w, h);
    apply(&mut state, [Command::SortMenu]);
    let menu = state
        .explorer_ref()
        .unwrap()
        .classify
        .sort_menu
        .clone()
        .unwrap();
    let at = menu
        .options
        .iter()
        .position(|o| o.column == "satisfaction")
        .unwrap();
    for _ in 0..at {
        apply(&mut state, [Command::Down]);
    }
    apply(&mut state, [Command::FlipDirection, Command::AddSortKey]);
    for _ in 0..at {
        apply(&mut state, [Command::Up]);
    }
    state
}

#[test]
fn sort_menu_sorts_by_lowest_satisfaction_then_volume() {
    let mut state = sort_menu_state(120, 40);
    assert_eq!(state.context(), Context::Menu);
    let labels: Vec<String> = state
        .explorer_ref()
        .unwrap()
        .classify
        .sort_menu
        .as_ref()
        .unwrap()
        .options
        .iter()
        .map(|o| o.column.clone())
        .collect();
    assert_eq!(
        labels,
        [
            "count",
            "share",
            "frustration",
            "concerning",
            "error_rate",
            "satisfaction"
        ]
    );
    apply(&mut state, [Command::Submit]);
    let ex = state.explorer_ref().unwrap();
    let SortKey::Fields(keys) = &ex.sort else {
        panic!("{:?}", ex.sort)
    };
    let got: Vec<(String, bool)> = keys
        .iter()
        .map(|k| (k.column.clone(), k.descending))
        .collect();
    assert_eq!(
        got,
        [
            ("satisfaction".to_string(), false),
            ("count".to_string(), true)
        ]
    );
    assert!(
        toast(&state).contains("satisfaction ↑, count ↓"),
        "{}",
        toast(&state)
    );
    let roots: Vec<String> = ex
        .tree
        .rows()
        .iter()
        .map(|r| ex.cluster(r.cluster).unwrap().id.clone())
        .collect();
    let mut expected = vec!["L1-0", "L1-1", "L1-2"];
    expected.sort_by(|a, b| mean_satisfaction(a).total_cmp(&mean_satisfaction(b)));
    assert_eq!(roots, expected);
    // Esc leaves the sort as it was.
    apply(
        &mut state,
        [Command::SortMenu, Command::Down, Command::Back],
    );
    assert!(matches!(
        state.explorer_ref().unwrap().sort,
        SortKey::Fields(_)
    ));
}

fn record(i: usize, accuracy: f64, macro_f1: f64, split: &str) -> EvalRecord {
    EvalRecord {
        classifier: "topic".into(),
        version: format!("v{i}a1b2c3d4e"),
        at: format!("2026-12-0{}T1{i}:30:00Z", i + 1),
        split: split.into(),
        engine: EngineKind::Llm,
        mode: LabelMode::Single,
        embeddings: false,
        n_train: 12,
        n: 22,
        classes: vec!["a".into(), "b".into()],
        accuracy,
        macro_f1,
        single: None,
        multi: None,
    }
}

fn history_state(w: u16, h: u16) -> State {
    let mut state = explorer_state(w, h);
    let effects = apply(&mut state, [Command::EvalHistory]);
    assert!(matches!(
        &effects[..],
        [Effect::Classify(ClassifyJob::List {
            purpose: Purpose::History,
            ..
        })]
    ));
    let mut d = classifier_data(LabelMode::Single);
    d.history = vec![
        record(0, 0.66, 0.61, "validation"),
        record(1, 0.81, 0.78, "validation"),
        record(2, 0.89, 0.88, "validation"),
        record(3, 0.85, 0.84, "test"),
    ];
    reply(
        &mut state,
        ClassifyReply::Loaded {
            purpose: Purpose::History,
            result: Ok(Box::new(d)),
        },
    );
    state
}

#[test]
fn eval_history_opens_and_closes() {
    let mut state = history_state(120, 40);
    assert_eq!(state.context(), Context::Menu);
    assert_eq!(
        state
            .explorer_ref()
            .unwrap()
            .classify
            .history
            .as_ref()
            .unwrap()
            .records
            .len(),
        4
    );
    let text = screen_text(&state, 120, 40);
    assert!(text.contains("+0.150") && text.contains("+0.080"), "{text}");
    apply(&mut state, [Command::Back]);
    assert_eq!(state.context(), Context::Tree);
}

#[test]
fn snapshot_sort_menu() {
    snap_with("classify_sort_menu", sort_menu_state);
}

#[test]
fn snapshot_eval_history() {
    snap_with("classify_history", history_state);
}
