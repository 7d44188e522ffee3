//! Sequences of actions against the state, asserting the state and the
//! effects `update` returns.

mod tui_fixture;

use kura_tui::pipeline::{Event, Outcome, Stage};
use kura_tui::tui::explorer::Prompt;
use kura_tui::tui::keys::Key;
use std::path::Path;

use kura_tui::project::Layout;
use kura_tui::tui::{
    Command, ConfirmState, Context, Effect, Msg, Pane, RunState, Screen, State, StorePaths, Theme,
};
use tui_fixture::*;

fn ex(state: &State) -> &kura_tui::tui::Explorer {
    state.explorer_ref().expect("explorer screen")
}

fn selected_name(state: &State) -> String {
    ex(state)
        .selected_cluster()
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

fn row_names(state: &State) -> Vec<String> {
    let e = ex(state);
    e.tree
        .rows()
        .iter()
        .map(|r| e.cluster(r.cluster).unwrap().name.clone())
        .collect()
}

/// The relabel names of the labels a `SaveLabels` effect writes to the
/// project's labels file.
fn saved(effects: &[Effect]) -> Vec<String> {
    let [Effect::SaveLabels { labels, path }] = effects else {
        panic!("expected one SaveLabels: {effects:?}")
    };
    assert_eq!(path, &Layout::new(ROOT).labels());
    labels.relabels.iter().map(|r| r.name.clone()).collect()
}

/// Store positions of the conversations the effects ask to load.
fn loads(effects: &[Effect]) -> Vec<usize> {
    effects
        .iter()
        .map(|e| match e {
            Effect::LoadConversation { position, store } => {
                assert_eq!(store, &StorePaths::of(&Layout::new(ROOT)));
                *position
            }
            other => panic!("not a load: {other:?}"),
        })
        .collect()
}

#[test]
fn navigates_expands_and_collapses_the_tree() {
    let mut s = explorer_state(120, 40);
    assert_eq!(
        row_names(&s),
        ["Programming help", "Everyday life", "Careers and work"]
    );
    assert_eq!(selected_name(&s), "Programming help");
    assert!(apply(&mut s, [Command::Down]).is_empty());
    assert_eq!(selected_name(&s), "Everyday life");
    assert_eq!(
        ex(&s).detail.conversations.len(),
        22,
        "detail follows the selection"
    );
    apply(&mut s, [Command::Toggle]);
    assert_eq!(row_names(&s).len(), 6);
    apply(&mut s, [Command::Down]);
    assert_eq!(selected_name(&s), "Plan a trip to Japan");
    apply(&mut s, [Command::Collapse]);
    assert_eq!(
        selected_name(&s),
        "Everyday life",
        "collapse on a leaf goes to the parent"
    );
    apply(&mut s, [Command::Collapse]);
    assert_eq!(row_names(&s).len(), 3);
    apply(&mut s, [Command::Expand, Command::Expand]);
    assert_eq!(
        selected_name(&s),
        "Plan a trip to Japan",
        "expand twice enters the node"
    );
    apply(&mut s, [Command::Bottom]);
    assert_eq!(selected_name(&s), "Careers and work");
    apply(&mut s, [Command::Top, Command::Up]);
    assert_eq!(
        selected_name(&s),
        "Programming help",
        "moves clamp at the top"
    );
}

#[test]
fn tab_cycles_panes_and_keys_follow_the_focus() {
    let mut s = explorer_state(120, 40);
    let j = Key::char('j');
    assert_eq!(s.context(), Context::Tree);
    assert_eq!(s.keymap.command(s.context(), j), Some(Command::Down));
    apply(&mut s, [Command::NextPane]);
    assert_eq!(ex(&s).focus, Pane::Map);
    assert_eq!(s.keymap.command(s.context(), j), Some(Command::PanDown));
    apply(&mut s, [Command::NextPane]);
    assert_eq!(s.context(), Context::Detail);
    apply(&mut s, [Command::NextPane]);
    assert_eq!(ex(&s).focus, Pane::Tree);
    apply(&mut s, [Command::PrevPane]);
    assert_eq!(ex(&s).focus, Pane::Detail);
}

#[test]
fn rename_saves_at_once_and_undo_restores() {
    let mut s = explorer_state(120, 40);
    apply(&mut s, [Command::Down, Command::Rename]);
    assert_eq!(s.context(), Context::Prompt);
    apply(&mut s, [Command::ClearLine]);
    type_text(&mut s, "Vie quotidienne ☕");
    // Editing keys move within the text.
    apply(&mut s, [Command::CursorHome, Command::DeleteForward]);
    type_text(&mut s, "V");
    let effects = apply(&mut s, [Command::Submit]);
    assert_eq!(saved(&effects), ["Vie quotidienne ☕"]);
    assert!(ex(&s).prompt.is_none());
    let e = ex(&s);
    let c = e.analysis.hierarchy.get("L1-1").unwrap();
    assert_eq!(c.name, "Vie quotidienne ☕");
    assert_eq!(c.original_name.as_deref(), Some("Everyday life"));
    assert_eq!(
        e.analysis.labels.get("L1-1").unwrap().name,
        "Vie quotidienne ☕"
    );
    assert!(s.toast.as_ref().unwrap().text.contains("Vie quotidienne"));

    // A second rename of the same cluster, then two undos.
    apply(&mut s, [Command::Rename, Command::ClearLine]);
    type_text(&mut s, "Daily life");
    assert_eq!(saved(&apply(&mut s, [Command::Submit])), ["Daily life"]);
    assert_eq!(
        saved(&apply(&mut s, [Command::Undo])),
        ["Vie quotidienne ☕"]
    );
    let e = ex(&s);
    assert_eq!(
        e.analysis.hierarchy.get("L1-1").unwrap().name,
        "Vie quotidienne ☕"
    );
    assert_eq!(
        e.analysis.labels.get("L1-1").unwrap().name,
        "Vie quotidienne ☕"
    );
    let effects = apply(&mut s, [Command::Undo]);
    assert_eq!(saved(&effects), Vec::<String>::new(), "no relabel left");
    let e = ex(&s);
    let c = e.analysis.hierarchy.get("L1-1").unwrap();
    assert_eq!(c.name, "Everyday life");
    assert_eq!(c.original_name, None);
    assert!(e.analysis.labels.relabels.is_empty());
    assert!(
        apply(&mut s, [Command::Undo]).is_empty(),
        "nothing left to undo"
    );
}

#[test]
fn rename_cancel_and_empty_name_change_nothing() {
    let mut s = explorer_state(120, 40);
    apply(&mut s, [Command::Rename, Command::ClearLine]);
    type_text(&mut s, "Something else");
    assert!(apply(&mut s, [Command::Back]).is_empty());
    assert_eq!(selected_name(&s), "Programming help");
    apply(&mut s, [Command::Rename, Command::ClearLine]);
    type_text(&mut s, "   ");
    assert!(apply(&mut s, [Command::Submit]).is_empty());
    assert!(
        matches!(ex(&s).prompt, Some(Prompt::Rename { .. })),
        "stays open to fix"
    );
    assert!(ex(&s).analysis.labels.relabels.is_empty());
}

#[test]
fn export_asks_the_runtime_for_the_selected_cluster() {
    let mut s = explorer_state(120, 40);
    let effects = apply(&mut s, [Command::Export]);
    let [Effect::Export(job)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(job.cluster_id, "L1-0");
    assert_eq!(
        job.out,
        Path::new(ROOT).join("exports/programming-help-19700101T000000Z.jsonl"),
        "named from the wall clock the runtime passed in"
    );
    assert_eq!(job.project, Layout::new(ROOT));
    assert!(
        std::sync::Arc::ptr_eq(&job.analysis, &ex(&s).analysis),
        "the analysis is shared, not copied"
    );
    assert!(
        apply(&mut s, [Command::Export]).is_empty(),
        "one export at a time"
    );
    assert!(s.toast.as_ref().unwrap().text.contains("already running"));
    apply(
        &mut s,
        [
            Msg::Exported(Err("stopped".into())),
            Msg::Command(Command::Toggle),
        ],
    );
    apply(&mut s, [Command::Down, Command::Down]);
    let effects = apply(&mut s, [Command::Export]);
    assert!(
        matches!(&effects[..], [Effect::Export(job)] if job.cluster_id == "L0-1"),
        "{effects:?}"
    );
    let empty = &mut State::explorer(kura_tui::tui::Explorer::new(Default::default(), "e"));
    assert!(
        apply(
            empty,
            [
                Command::Export,
                Command::Down,
                Command::Toggle,
                Command::Rename
            ]
        )
        .is_empty()
    );
}

#[test]
fn search_jumps_to_clusters_and_conversations() {
    let mut s = explorer_state(120, 40);
    apply(&mut s, [Command::Search]);
    type_text(&mut s, "JAPAN");
    let Some(Prompt::Search { results, .. }) = &ex(&s).prompt else {
        panic!("search open")
    };
    assert_eq!(results.cluster_matches, 1);
    assert_eq!(results.conversation_matches, 10);
    apply(&mut s, [Command::Submit]);
    assert_eq!(selected_name(&s), "Plan a trip to Japan");
    assert_eq!(ex(&s).focus, Pane::Tree);

    apply(&mut s, [Command::Search]);
    type_text(&mut s, "case 42");
    let effects = apply(&mut s, [Command::Down, Command::Submit]);
    assert_eq!(loads(&effects), [42]);
    let e = ex(&s);
    assert_eq!(e.viewer.as_ref().unwrap().position, 42);
    assert_eq!(selected_name(&s), "Cook weeknight dinners");
    assert_eq!(s.context(), Context::Viewer);
}

#[test]
fn filter_narrows_tree_map_and_detail_and_clears() {
    let mut s = explorer_state(120, 40);
    apply(&mut s, [Command::Filter]);
    type_text(&mut s, "french");
    apply(&mut s, [Command::Submit]);
    let e = ex(&s);
    let f = e.filter.as_ref().unwrap();
    assert_eq!(
        (f.column.as_str(), f.label.as_str(), f.matches),
        ("language", "French", 4)
    );
    assert_eq!(
        row_names(&s),
        ["Careers and work"],
        "clusters without matches are hidden"
    );
    assert_eq!(ex(&s).detail.conversations.len(), 4);
    apply(&mut s, [Command::Filter]);
    let Some(Prompt::Filter { options, .. }) = &ex(&s).prompt else {
        panic!()
    };
    assert!(options[0].label.starts_with("(clear filter"));
    apply(&mut s, [Command::Submit]);
    assert!(ex(&s).filter.is_none());
    assert_eq!(row_names(&s).len(), 3);
}

#[test]
fn sort_cycles_size_name_and_aggregates() {
    let mut s = explorer_state(120, 40);
    apply(&mut s, [Command::Sort]);
    assert_eq!(
        row_names(&s),
        ["Careers and work", "Everyday life", "Programming help"]
    );
    apply(&mut s, [Command::Sort]);
    assert_eq!(ex(&s).sort.describe(), "mean frustration");
    let e = ex(&s);
    let means: Vec<f64> = e
        .tree
        .rows()
        .iter()
        .map(|r| e.aggregates[r.cluster as usize].unwrap())
        .collect();
    assert!(means.windows(2).all(|w| w[0] >= w[1]), "{means:?}");
    apply(&mut s, [Command::Sort, Command::Sort]);
    assert_eq!(
        ex(&s).sort.describe(),
        "mean satisfaction",
        "metadata sorts too"
    );
    apply(&mut s, [Command::Sort]);
    assert_eq!(
        ex(&s).sort.describe(),
        "size",
        "wraps (text columns have no mean)"
    );
}

#[test]
fn viewer_walks_the_cluster_with_n_and_p() {
    let mut s = explorer_state(120, 40);
    apply(
        &mut s,
        [
            Command::NextPane,
            Command::NextPane,
            Command::Down,
            Command::Down,
        ],
    );
    assert_eq!(loads(&apply(&mut s, [Command::Open])), [2]);
    let conv = conversations()[2].clone();
    apply(
        &mut s,
        [Msg::ConversationLoaded {
            position: 2,
            result: Ok(Box::new(conv)),
        }],
    );
    assert_eq!(
        ex(&s)
            .viewer
            .as_ref()
            .unwrap()
            .conversation
            .as_ref()
            .unwrap()
            .id,
        "conv-002"
    );
    assert_eq!(loads(&apply(&mut s, [Command::NextConversation])), [3]);
    assert_eq!(
        loads(&apply(
            &mut s,
            [Command::PrevConversation, Command::PrevConversation]
        )),
        [2, 1]
    );
    assert_eq!(ex(&s).viewer.as_ref().unwrap().position, 1);
    // A stale load for another conversation is ignored.
    let other = conversations()[9].clone();
    apply(
        &mut s,
        [Msg::ConversationLoaded {
            position: 9,
            result: Ok(Box::new(other)),
        }],
    );
    assert!(ex(&s).viewer.as_ref().unwrap().conversation.is_none());
    apply(&mut s, [Command::Back]);
    assert!(ex(&s).viewer.is_none());
    assert_eq!(ex(&s).detail.cursor, 1);
}

#[test]
fn clicks_select_in_the_tree_and_the_map() {
    let mut s = explorer_state(120, 40);
    // Third tree row (inside the border at y = 1).
    apply(&mut s, [Msg::Click { column: 5, row: 3 }]);
    assert_eq!(selected_name(&s), "Careers and work");
    // Clicking the selected row toggles it.
    apply(&mut s, [Msg::Click { column: 5, row: 3 }]);
    assert_eq!(row_names(&s).len(), 5);
    // The map sits right of the tree; its top-left region holds the
    // programming clusters.
    apply(&mut s, [Msg::Click { column: 56, row: 3 }]);
    assert_eq!(ex(&s).focus, Pane::Map);
    let sel = ex(&s).selected_cluster().unwrap();
    assert_eq!(sel.level, 0);
    assert_eq!(sel.parent.as_deref(), Some("L1-0"), "{}", sel.name);
}

#[test]
fn help_opens_over_everything_and_closes() {
    let mut s = explorer_state(80, 24);
    apply(&mut s, [Command::Help]);
    assert_eq!(s.context(), Context::Help);
    apply(&mut s, [Command::Down, Command::Down]);
    assert_eq!(s.help, Some(2));
    apply(&mut s, [Command::Back]);
    assert_eq!(s.context(), Context::Tree);
    assert_eq!(apply(&mut s, [Command::Quit]), vec![Effect::Quit]);
    assert!(s.quit);
}

#[test]
fn run_screen_cancel_explores_and_quit_cancels() {
    let run = || {
        let mut s = State::new(
            Screen::Run(RunState::new("p")),
            Theme::mono(),
            Default::default(),
        );
        s.project = Some(Layout::new(ROOT));
        s
    };
    let mut s = run();
    let started = Event::Started {
        stage: Stage::Summaries,
        total: 10,
        resumed: 0,
    };
    apply(&mut s, [Msg::Pipeline(started.clone())]);
    assert_eq!(apply(&mut s, [Command::CancelRun]), vec![Effect::CancelRun]);
    assert!(
        apply(&mut s, [Command::CancelRun]).is_empty(),
        "cancel once"
    );
    let done = Msg::Pipeline(Event::Done(Outcome::Cancelled));
    assert_eq!(apply(&mut s, [done]), vec![Effect::LoadAnalysis]);
    let mut a = analysis();
    a.stages_done = vec![Stage::Summaries];
    let effects = apply(&mut s, [Msg::AnalysisLoaded(Ok(Box::new(a)))]);
    let store = StorePaths::of(&Layout::new(ROOT));
    assert_eq!(effects, vec![Effect::LoadMetadata { store }]);
    assert!(ex(&s).banner.as_ref().unwrap().contains("Incomplete"));

    let mut s = run();
    assert_eq!(
        apply(&mut s, [Command::Quit]),
        vec![Effect::CancelRun, Effect::Quit]
    );
    assert!(s.quit);

    let mut s = run();
    let done = Msg::Pipeline(Event::Done(Outcome::Completed));
    assert_eq!(
        apply(&mut s, [Msg::Pipeline(started), done]),
        vec![Effect::LoadAnalysis]
    );
    apply(
        &mut s,
        [Msg::AnalysisLoaded(Err("corrupt checkpoint".into()))],
    );
    let Screen::Run(r) = &s.screen else { panic!() };
    assert!(r.error.as_ref().unwrap().contains("corrupt checkpoint"));

    let mut s = run();
    apply(
        &mut s,
        [Msg::Pipeline(Event::Done(Outcome::Failed("boom".into())))],
    );
    let Screen::Run(r) = &s.screen else { panic!() };
    assert!(r.error.as_ref().unwrap().contains("boom"));
    assert_eq!(
        apply(&mut s, [Command::CancelRun]),
        vec![Effect::LoadAnalysis]
    );
}

#[test]
fn confirmation_answers_and_moves_on() {
    let confirm = || {
        State::new(
            Screen::Confirm(ConfirmState {
                title: "t".into(),
                text: "$9".into(),
                project: "p".into(),
            }),
            Theme::light(),
            Default::default(),
        )
    };
    let mut s = confirm();
    assert_eq!(s.context(), Context::Confirm);
    assert_eq!(apply(&mut s, [Command::Yes]), vec![Effect::Answer(true)]);
    assert!(matches!(s.screen, Screen::Run(_)));
    let mut s = confirm();
    assert_eq!(
        apply(&mut s, [Command::No]),
        vec![Effect::Answer(false), Effect::Quit]
    );
}

#[test]
fn toasts_expire_with_the_clock() {
    let mut s = explorer_state(120, 40);
    apply(&mut s, [Command::Sort]);
    assert!(s.toast.is_some());
    apply(&mut s, [Msg::Tick(std::time::Duration::from_secs(3))]);
    assert!(s.toast.is_some());
    apply(&mut s, [Msg::Tick(std::time::Duration::from_secs(7))]);
    assert!(s.toast.is_none());
}
