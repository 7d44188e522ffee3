//! Exporting runs on a worker: `update` hands the runtime a self-contained
//! job, the worker's progress and outcome come back as messages, and the
//! UI keeps taking keys meanwhile. The worker here is gated after every
//! message it sends, so the test decides what happens "meanwhile" without
//! any sleep or timing.

mod tui_fixture;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use kura_tui::analysis::Analysis;
use kura_tui::model::{Cluster, Conversation, Message, Role, Summary, slugify};
use kura_tui::project::store::StoreWriter;
use kura_tui::tui::{Command, Effect, ExportJob, Msg, State, update, worker};
use tui_fixture::{apply, explorer_on, screen_text};

const BIG: usize = 1000;
const SMALL: usize = 20;

fn cluster(id: &str, name: &str, level: u32, parent: Option<&str>, members: &[String]) -> Cluster {
    Cluster {
        id: id.into(),
        name: name.into(),
        original_name: None,
        description: String::new(),
        slug: slugify(name, 6),
        level,
        parent: parent.map(Into::into),
        children: Vec::new(),
        members: members.to_vec(),
        count: members.len(),
        noise: false,
    }
}

/// A project of `BIG + SMALL` conversations under two top-level clusters,
/// its store on disk and its analysis in memory.
fn big_project(root: &Path) -> Analysis {
    let (layout, lock) = kura_tui::project::Project::create(root, false).unwrap();
    let mut store =
        StoreWriter::create(&layout.conversations(), &layout.conversations_index()).unwrap();
    let ids: Vec<String> = (0..BIG + SMALL).map(|i| format!("c{i:05}")).collect();
    for (i, id) in ids.iter().enumerate() {
        let text = format!("Question number {i}");
        store
            .push(&Conversation::new(
                id.clone(),
                vec![Message::new(Role::User, text)],
            ))
            .unwrap();
    }
    store.finish().unwrap();
    drop(lock);
    let summaries = ids
        .iter()
        .map(|id| Summary {
            conversation_id: id.clone(),
            summary: format!("The user asks question {id}."),
            ..Default::default()
        })
        .collect();
    let (big, small) = ids.split_at(BIG);
    let mut top_big = cluster("L1-0", "Many questions", 1, None, &[]);
    top_big.children = vec!["L0-0".into()];
    top_big.count = BIG;
    let mut top_small = cluster("L1-1", "A few more", 1, None, &[]);
    top_small.children = vec!["L0-1".into()];
    top_small.count = SMALL;
    let clusters = vec![
        cluster("L0-0", "Numbered questions", 0, Some("L1-0"), big),
        cluster("L0-1", "Other questions", 0, Some("L1-1"), small),
        top_big,
        top_small,
    ];
    let mut analysis = Analysis::new(summaries, clusters, Vec::new());
    analysis.stages_done = kura_tui::pipeline::Stage::ALL.to_vec();
    analysis
}

fn selected(state: &State) -> String {
    let ex = state.explorer_ref().unwrap();
    ex.selected_cluster().unwrap().id.clone()
}

fn export_job(effects: Vec<Effect>) -> ExportJob {
    match <[Effect; 1]>::try_from(effects) {
        Ok([Effect::Export(job)]) => job,
        other => panic!("expected one export: {other:?}"),
    }
}

fn exports(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("exports"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// Runs `job` on a thread that waits for a go-ahead after each message;
/// `each` sees every message, with the state, before the worker goes on.
/// `stop_after` sets the stop flag once that many messages arrived.
fn run_gated(
    job: ExportJob,
    state: &mut State,
    stop_after: Option<usize>,
    mut each: impl FnMut(&mut State, &Msg),
) -> Vec<Msg> {
    let stop = AtomicBool::new(false);
    let (to_ui, from_worker) = mpsc::channel::<Msg>();
    let (go, gate) = mpsc::channel::<()>();
    let mut seen = Vec::new();
    std::thread::scope(|scope| {
        let stop = &stop;
        scope.spawn(move || {
            let send = |msg: Msg| {
                to_ui.send(msg).unwrap();
                // Wait until the UI side has handled it (or has gone).
                let _ = gate.recv();
            };
            worker::export(&job, stop, &send);
        });
        loop {
            let msg = from_worker.recv().expect("the worker ends with Exported");
            let last = matches!(msg, Msg::Exported(_));
            seen.push(msg.clone());
            if stop_after == Some(seen.len()) {
                stop.store(true, Ordering::Relaxed);
            }
            update(state, msg);
            each(state, seen.last().unwrap());
            let _ = go.send(());
            if last {
                break;
            }
        }
    });
    seen
}

#[test]
fn a_large_export_reports_progress_while_keys_keep_working() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("p");
    let analysis = big_project(&root);
    let mut state = explorer_on(analysis, &root, 120, 40);
    assert_eq!(selected(&state), "L1-0");

    let job = export_job(apply(&mut state, [Command::Export]));
    assert_eq!(job.cluster_id, "L1-0");
    assert!(job.out.starts_with(root.join("exports")));
    let text = screen_text(&state, 120, 40);
    assert!(text.contains("exporting 0/1,000"), "{text}");

    let mut checked_midway = false;
    let seen = run_gated(job, &mut state, None, |state, msg| {
        let Msg::ExportProgress { done: 500, .. } = msg else {
            return;
        };
        // Halfway through, the UI shows the progress and takes keys.
        let text = screen_text(state, 120, 40);
        assert!(text.contains("exporting 500/1,000"), "{text}");
        apply(state, [Command::Down]);
        assert_eq!(selected(state), "L1-1", "keys work during an export");
        assert!(
            apply(state, [Command::Export]).is_empty(),
            "a second export does not start"
        );
        let toast = &state.toast.as_ref().unwrap().text;
        assert!(toast.contains("already running (500/1000)"), "{toast}");
        apply(state, [Command::Up]);
        checked_midway = true;
    });
    assert!(checked_midway);

    // Progress from 0 to the end in even steps, then the outcome.
    let progress: Vec<(usize, usize)> = seen
        .iter()
        .filter_map(|m| match m {
            Msg::ExportProgress { done, total } => Some((*done, *total)),
            _ => None,
        })
        .collect();
    let step = BIG / worker::PROGRESS_STEPS;
    let expected: Vec<(usize, usize)> = (0..=BIG).step_by(step).map(|d| (d, BIG)).collect();
    assert_eq!(progress, expected);
    assert_eq!(seen.len(), progress.len() + 1);
    let Some(Msg::Exported(Ok(report))) = seen.last() else {
        panic!("{:?}", seen.last())
    };
    assert_eq!(report.conversations, BIG);

    let ex = state.explorer_ref().unwrap();
    assert_eq!(ex.export, None, "done: another export may start");
    let toast = &state.toast.as_ref().unwrap().text;
    assert!(
        toast.starts_with("Exported 1000 conversations to exports/"),
        "{toast}"
    );
    let files = exports(&root);
    assert_eq!(files, std::slice::from_ref(&report.path));
    let lines = std::fs::read_to_string(&files[0]).unwrap();
    assert_eq!(lines.lines().count(), BIG);
    assert!(
        lines
            .lines()
            .all(|l| l.contains("\"cluster_ids\":[\"L1-0\",\"L0-0\"]"))
    );
}

#[test]
fn a_stopped_export_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("p");
    let analysis = big_project(&root);
    let mut state = explorer_on(analysis, &root, 120, 40);
    let job = export_job(apply(&mut state, [Command::Export]));
    let seen = run_gated(job, &mut state, Some(3), |_, _| {});
    let Some(Msg::Exported(Err(e))) = seen.last() else {
        panic!("{:?}", seen.last())
    };
    assert!(e.contains("stopped"), "{e}");
    assert!(seen.len() < 10, "it stopped early: {} messages", seen.len());
    assert_eq!(
        exports(&root),
        Vec::<PathBuf>::new(),
        "no file, no temp file"
    );
    let toast = &state.toast.as_ref().unwrap().text;
    assert!(toast.starts_with("Export failed"), "{toast}");
    assert_eq!(state.explorer_ref().unwrap().export, None);
}

#[test]
fn a_rename_during_an_export_does_not_change_what_it_writes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("p");
    let analysis = big_project(&root);
    let mut state = explorer_on(analysis, &root, 120, 40);
    let job = export_job(apply(&mut state, [Command::Export]));
    apply(&mut state, [Command::Rename, Command::ClearLine]);
    tui_fixture::type_text(&mut state, "Renamed meanwhile");
    apply(&mut state, [Command::Submit]);
    let ex = state.explorer_ref().unwrap();
    assert_eq!(
        ex.analysis.hierarchy.get("L1-0").unwrap().name,
        "Renamed meanwhile"
    );
    assert_eq!(
        job.analysis.hierarchy.get("L1-0").unwrap().name,
        "Many questions"
    );
    let seen = run_gated(job, &mut state, None, |_, _| {});
    let Some(Msg::Exported(Ok(report))) = seen.last() else {
        panic!("{:?}", seen.last())
    };
    let text = std::fs::read_to_string(&report.path).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.contains("\"cluster_path\":[\"Many questions\""),
        "{first}"
    );
}
