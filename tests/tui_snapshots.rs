//! Snapshots of every screen at 120×40 and 80×24, rendered into a
//! `TestBackend` from the fixed fixture, plus a size table proving nothing
//! panics down to 0×0.

mod tui_fixture;

use std::path::PathBuf;
use std::time::Duration;

use kura_tui::export::ExportReport;
use kura_tui::model::Role;
use kura_tui::pipeline::{Event, LogLevel, Outcome, Stage};
use kura_tui::tui::{
    Command, ConfirmState, Effect, Explorer, Msg, RunState, Screen, State, Theme, update,
};
use tui_fixture::*;

fn snap(name: &str, state: &State) {
    for (w, h) in SIZES {
        let terminal = render(state, w, h);
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
        });
    }
}

fn run_state() -> State {
    let mut state = State::new(
        Screen::Run(RunState::new("/projects/demo")),
        Theme::dark(),
        Default::default(),
    );
    let s = |secs: u64| Msg::Tick(Duration::from_secs(secs));
    let ev = |e: Event| Msg::Pipeline(e);
    let events = vec![
        s(0),
        ev(Event::Started {
            stage: Stage::Summaries,
            total: 1000,
            resumed: 200,
        }),
        s(30),
        ev(Event::Advanced {
            stage: Stage::Summaries,
            n: 800,
        }),
        ev(Event::Usage {
            stage: Stage::Summaries,
            input_tokens: 410_000,
            output_tokens: 52_000,
            cost_usd: 0.0927,
            cached: false,
        }),
        ev(Event::Retry {
            stage: Stage::Summaries,
            reason: "429 Too Many Requests".into(),
        }),
        ev(Event::Preview {
            stage: Stage::Summaries,
            text: "The user asks how to fix a borrow checker error in a loop.".into(),
        }),
        ev(Event::Finished {
            stage: Stage::Summaries,
            cached: false,
        }),
        ev(Event::Started {
            stage: Stage::Embeddings,
            total: 1000,
            resumed: 0,
        }),
        ev(Event::Finished {
            stage: Stage::Embeddings,
            cached: true,
        }),
        s(40),
        ev(Event::Started {
            stage: Stage::Clusters,
            total: 1000,
            resumed: 0,
        }),
        ev(Event::Finished {
            stage: Stage::Clusters,
            cached: false,
        }),
        s(42),
        ev(Event::Started {
            stage: Stage::Names,
            total: 100,
            resumed: 0,
        }),
        s(52),
        ev(Event::Advanced {
            stage: Stage::Names,
            n: 37,
        }),
        ev(Event::Usage {
            stage: Stage::Names,
            input_tokens: 90_000,
            output_tokens: 4_000,
            cost_usd: 0.0159,
            cached: false,
        }),
        ev(Event::ItemFailed {
            stage: Stage::Names,
            error: "cluster L0-17: the model returned no name".into(),
        }),
        ev(Event::Preview {
            stage: Stage::Names,
            text: "Debug Rust borrow errors".into(),
        }),
        ev(Event::Preview {
            stage: Stage::Names,
            text: "Plan a trip to Japan".into(),
        }),
        ev(Event::Log {
            level: LogLevel::Warn,
            message: "names: 1 cluster fell back to keywords".into(),
        }),
    ];
    for a in events {
        update(&mut state, a);
    }
    state
}

#[test]
fn run_screen_mid_progress() {
    snap("run_mid_progress", &run_state());
}

#[test]
fn run_screen_failed_shows_error_banner() {
    let mut state = run_state();
    update(
        &mut state,
        Msg::Pipeline(Event::Done(Outcome::Failed(
            "the API key was rejected (401)".into(),
        ))),
    );
    snap("run_failed", &state);
}

#[test]
fn confirm_screen() {
    let state = State::new(
        Screen::Confirm(ConfirmState {
            title: "Confirm the cost".into(),
            text: "Summarising 100,000 conversations with gpt-4o-mini\nis estimated to cost $12.40, above your limit of $5.00.\nContinue?".into(),
            project: "/projects/demo".into(),
        }),
        Theme::dark(),
        Default::default(),
    );
    snap("confirm", &state);
}

#[test]
fn explorer_with_open_cluster() {
    snap_with("explorer", |w, h| {
        let mut state = explorer_state(w, h);
        apply(&mut state, [Command::Toggle, Command::Down]);
        state
    });
}

#[test]
fn explorer_map_focused_and_zoomed() {
    snap_with("explorer_map_zoom", |w, h| {
        let mut state = explorer_state(w, h);
        apply(
            &mut state,
            [Command::NextPane, Command::ZoomIn, Command::PanLeft],
        );
        state
    });
}

#[test]
fn explorer_sorted_by_mean_satisfaction_and_filtered() {
    snap_with("explorer_filtered", |w, h| {
        let mut state = explorer_state(w, h);
        apply(&mut state, [Command::Filter]);
        type_text(&mut state, "plan pro");
        apply(&mut state, [Command::Submit]);
        // size → name → mean frustration → mean concern → mean satisfaction
        apply(
            &mut state,
            [Command::Sort, Command::Sort, Command::Sort, Command::Sort],
        );
        state
    });
}

fn viewer_state(w: u16, h: u16) -> State {
    let mut state = explorer_state(w, h);
    apply(
        &mut state,
        [
            Command::NextPane,
            Command::NextPane,
            Command::Down,
            Command::Open,
        ],
    );
    let mut conv = conversations()[1].clone();
    conv.messages.push(kura_tui::model::Message::new(
        Role::Tool,
        "tool output: 3 rows\n| id | name |\n| 1  | 日本語 |",
    ));
    update(
        &mut state,
        Msg::ConversationLoaded {
            position: 1,
            result: Ok(Box::new(conv)),
        },
    );
    state
}

#[test]
fn viewer() {
    snap_with("viewer", viewer_state);
}

#[test]
fn rename_editor() {
    snap_with("rename", |w, h| {
        let mut state = explorer_state(w, h);
        apply(&mut state, [Command::Rename, Command::ClearLine]);
        type_text(&mut state, "Coding & données 日本");
        apply(&mut state, [Command::CursorLeft, Command::CursorLeft]);
        state
    });
}

#[test]
fn help_overlay() {
    snap_with("help", |w, h| {
        let mut state = explorer_state(w, h);
        apply(&mut state, [Command::Help]);
        state
    });
}

#[test]
fn search_popup() {
    snap_with("search", |w, h| {
        let mut state = explorer_state(w, h);
        apply(&mut state, [Command::Search]);
        type_text(&mut state, "trip");
        apply(&mut state, [Command::Down]);
        state
    });
}

#[test]
fn filter_popup() {
    snap_with("filter", |w, h| {
        let mut state = explorer_state(w, h);
        apply(&mut state, [Command::Filter]);
        type_text(&mut state, "lang");
        state
    });
}

#[test]
fn export_confirmation_toast() {
    snap_with("export_toast", |w, h| {
        let mut state = explorer_state(w, h);
        let effects = apply(&mut state, [Command::Export]);
        assert!(
            matches!(&effects[..], [Effect::Export(job)] if job.cluster_id == "L1-0"),
            "{effects:?}"
        );
        update(
            &mut state,
            Msg::Exported(Ok(ExportReport {
                path: PathBuf::from(
                    "/projects/demo/exports/programming-help-20250101T120000Z.jsonl",
                ),
                conversations: 27,
                cluster_id: "L1-0".into(),
            })),
        );
        state
    });
}

#[test]
fn incomplete_banner_and_error_toast() {
    snap_with("incomplete_error", |w, h| {
        let mut a = analysis();
        a.stages_done = vec![Stage::Summaries, Stage::Embeddings, Stage::Clusters];
        a.points.clear();
        let mut state = State::explorer(Explorer::new(a, "/projects/demo"));
        update(&mut state, Msg::Resize(w, h));
        update(
            &mut state,
            Msg::Exported(Err("exports/: permission denied".into())),
        );
        state
    });
}

#[test]
fn empty_project() {
    snap(
        "empty",
        &State::explorer(Explorer::new(Default::default(), "/projects/empty")),
    );
}

#[test]
fn every_screen_survives_every_size() {
    let sizes = [
        (0, 0),
        (1, 1),
        (2, 1),
        (1, 2),
        (5, 3),
        (10, 4),
        (20, 6),
        (29, 9),
        (30, 10),
        (45, 12),
        (69, 20),
        (80, 24),
        (120, 40),
        (200, 60),
        (300, 3),
        (3, 150),
    ];
    let one = {
        let mut a = kura_tui::analysis::Analysis::new(
            summaries().into_iter().take(1).collect(),
            vec![{
                let mut c = clusters()[0].clone();
                c.parent = None;
                c.members.truncate(1);
                c.count = 1;
                c
            }],
            points().into_iter().take(1).collect(),
        );
        a.stages_done = Stage::ALL.to_vec();
        a
    };
    for (w, h) in sizes {
        let mut states = vec![
            run_state(),
            explorer_state(w, h),
            viewer_state(w, h),
            State::explorer(Explorer::new(Default::default(), "empty")),
            State::explorer(Explorer::new(one.clone(), "one")),
        ];
        let mut s = explorer_state(w, h);
        apply(&mut s, [Command::Rename]);
        states.push(s);
        let mut s = explorer_state(w, h);
        apply(&mut s, [Command::Help]);
        states.push(s);
        let mut s = explorer_state(w, h);
        apply(&mut s, [Command::Search]);
        type_text(&mut s, "e");
        states.push(s);
        let mut s = explorer_state(w, h);
        apply(
            &mut s,
            [
                Command::NextPane,
                Command::ZoomIn,
                Command::ZoomIn,
                Command::Filter,
            ],
        );
        states.push(s);
        for mut state in states {
            update(&mut state, Msg::Resize(w, h));
            for m in [
                Msg::Command(Command::Down),
                Msg::Command(Command::Toggle),
                Msg::Click {
                    column: w / 2,
                    row: h / 2,
                },
            ] {
                update(&mut state, m);
            }
            render(&state, w, h);
        }
    }
}
