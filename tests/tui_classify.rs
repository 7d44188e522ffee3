//! The explorer's classifier tools at the `update` level (every action and
//! the effects it asks for) and as snapshots: the labelling screen and the
//! map coloured by a classifier with its legend. The sort menu and the eval
//! history are in `tui_classify_menus.rs`.

mod tui_fixture;

use std::path::PathBuf;

use kura_tui::classify::LabelMode;
use kura_tui::tui::classify::{
    AppliedView, ClassifierData, ClassifyJob, ClassifyReply, Created, Purpose,
};
use kura_tui::tui::explorer::Layer;
use kura_tui::tui::{Command, Context, Effect, Msg, State, update};
use tui_fixture::*;

/// `a`, the picker, then the loaded classifier: the labelling screen.
fn labelling(state: &mut State, mode: LabelMode) -> Vec<Effect> {
    let effects = apply(state, [Command::LabelMode]);
    assert!(
        matches!(&effects[..], [Effect::Classify(ClassifyJob::List { purpose: Purpose::Label, root })] if root == &PathBuf::from(ROOT)),
        "{effects:?}"
    );
    reply(
        state,
        ClassifyReply::Listed {
            purpose: Purpose::Label,
            result: Ok(vec!["other-one".into(), "topic".into()]),
        },
    );
    assert_eq!(state.context(), Context::Menu);
    let effects = apply(state, [Command::Down, Command::Submit]);
    assert!(
        matches!(&effects[..], [Effect::Classify(ClassifyJob::Load { name, purpose: Purpose::Label, .. })] if name == "topic"),
        "{effects:?}"
    );
    reply(
        state,
        ClassifyReply::Loaded {
            purpose: Purpose::Label,
            result: Ok(Box::new(classifier_data(mode))),
        },
    )
}

fn set_label(effects: &[Effect]) -> Option<(String, Option<Vec<String>>)> {
    effects.iter().find_map(|e| match e {
        Effect::Classify(ClassifyJob::SetLabel {
            id, labels, name, ..
        }) if name == "topic" => Some((id.clone(), labels.clone())),
        _ => None,
    })
}

fn loads(effects: &[Effect]) -> Vec<usize> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::LoadConversation { position, .. } => Some(*position),
            _ => None,
        })
        .collect()
}

#[test]
fn marked_clusters_start_a_classifier_through_one_job() {
    let mut state = explorer_state(120, 40);
    apply(&mut state, [Command::Mark, Command::Down, Command::Mark]);
    assert!(toast(&state).contains("Marked 2"), "{}", toast(&state));
    // The tree shows which clusters are marked, not only the status line.
    let screen = screen_text(&state, 120, 40);
    assert_eq!(screen.matches("● ").count(), 2, "{screen}");
    apply(&mut state, [Command::NewClassifier]);
    assert_eq!(state.context(), Context::Prompt);
    apply(&mut state, [Command::ClearLine]);
    type_text(&mut state, "bad name");
    assert!(apply(&mut state, [Command::Submit]).is_empty());
    assert!(toast(&state).contains("name"), "{}", toast(&state));
    assert_eq!(
        state.context(),
        Context::Prompt,
        "a bad name keeps the prompt"
    );
    apply(&mut state, [Command::ClearLine]);
    type_text(&mut state, "topic");
    let effects = apply(&mut state, [Command::Submit]);
    match &effects[..] {
        [
            Effect::Classify(ClassifyJob::Create {
                root,
                name,
                clusters,
            }),
        ] => {
            assert_eq!(root, &PathBuf::from(ROOT));
            assert_eq!(name, "topic");
            assert_eq!(clusters, &["L1-0".to_string(), "L1-1".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(state.context(), Context::Tree);
    assert!(state.explorer_ref().unwrap().classify.marked.is_empty());
    reply(
        &mut state,
        ClassifyReply::Created(Ok(Created {
            path: PathBuf::from(ROOT).join("classifiers/topic.toml"),
            categories: 2,
            other: true,
        })),
    );
    assert!(
        toast(&state).starts_with("Wrote classifiers/topic.toml: 2 categories + other"),
        "{}",
        toast(&state)
    );
}

#[test]
fn without_marks_c_takes_the_selected_cluster_and_esc_cancels() {
    let mut state = explorer_state(120, 40);
    apply(
        &mut state,
        [Command::Down, Command::Down, Command::NewClassifier],
    );
    let ex = state.explorer_ref().unwrap();
    let naming = ex.classify.naming.as_ref().unwrap();
    assert_eq!(naming.clusters, vec!["L1-2".to_string()]);
    assert_eq!(naming.names, vec!["Careers and work".to_string()]);
    assert_eq!(naming.editor.text(), "careers-and-work");
    assert!(apply(&mut state, [Command::Back]).is_empty());
    assert_eq!(state.context(), Context::Tree);
}

#[test]
fn number_keys_label_and_u_undoes() {
    let mut state = explorer_state(120, 40);
    let effects = labelling(&mut state, LabelMode::Single);
    assert_eq!(loads(&effects), vec![1]);
    assert_eq!(state.context(), Context::Label);

    let effects = apply(&mut state, [Command::Category2]);
    assert_eq!(
        set_label(&effects),
        Some(("conv-001".into(), Some(vec!["Everyday life".into()])))
    );
    assert_eq!(loads(&effects), vec![27], "moves to the next conversation");

    let effects = apply(&mut state, [Command::CategoryOther]);
    assert_eq!(
        set_label(&effects),
        Some(("conv-027".into(), Some(vec!["other".into()])))
    );
    let l = state
        .explorer_ref()
        .unwrap()
        .classify
        .labelling
        .as_ref()
        .unwrap();
    assert_eq!(l.at, 2);
    assert_eq!(l.labelled(), 3);

    let effects = apply(&mut state, [Command::Undo]);
    assert_eq!(set_label(&effects), Some(("conv-027".into(), None)));
    assert_eq!(loads(&effects), vec![27], "back on the undone one");
    let l = state
        .explorer_ref()
        .unwrap()
        .classify
        .labelling
        .as_ref()
        .unwrap();
    assert_eq!(l.at, 1);
    assert!(!l.data.labels.contains_key("conv-027"));

    // A key without a category does nothing.
    assert!(apply(&mut state, [Command::Category9]).is_empty());
    assert!(toast(&state).contains("No category on 9"));
    // n / p skip without labelling.
    assert_eq!(
        loads(&apply(&mut state, [Command::NextConversation])),
        vec![5]
    );
    assert_eq!(
        loads(&apply(&mut state, [Command::PrevConversation])),
        vec![27]
    );

    apply(&mut state, [Command::Back]);
    assert_eq!(state.context(), Context::Tree);
    assert!(
        toast(&state).contains("Labelled 1 conversations for `topic`"),
        "{}",
        toast(&state)
    );
}

#[test]
fn multi_label_numbers_toggle_and_enter_commits() {
    let mut state = explorer_state(120, 40);
    labelling(&mut state, LabelMode::Multi);
    assert!(
        apply(&mut state, [Command::Submit]).is_empty(),
        "nothing chosen"
    );
    let effects = apply(
        &mut state,
        [
            Command::Category2,
            Command::Category1,
            Command::Category2,
            Command::Category2,
        ],
    );
    assert!(effects.is_empty(), "numbers only toggle: {effects:?}");
    let effects = apply(&mut state, [Command::Submit]);
    assert_eq!(
        set_label(&effects),
        Some((
            "conv-001".into(),
            Some(vec!["Programming help".into(), "Everyday life".into()])
        ))
    );
    // The next one (conv-027) starts empty; the stored conv-005 starts
    // from its label.
    apply(&mut state, [Command::NextConversation]);
    let l = state
        .explorer_ref()
        .unwrap()
        .classify
        .labelling
        .as_ref()
        .unwrap();
    assert_eq!(l.chosen, vec![0]);
}

fn applied_data() -> ClassifierData {
    let mut d = classifier_data(LabelMode::Single);
    d.applied = Some(AppliedView {
        version: "0a1b2c3d4e5f".into(),
        at: "2026-12-02T10:00:00Z".into(),
        classes: d.classes.clone(),
        // Programming help for the first 27 (the top-level cluster), then
        // Everyday life, other for every fifth, one unlabelled.
        by_position: (0..N)
            .map(|p| match p {
                59 => vec![],
                p if p % 5 == 4 => vec![2],
                p if p < 27 => vec![0],
                _ => vec![1],
            })
            .collect(),
    });
    d
}

fn coloured(w: u16, h: u16) -> State {
    let mut state = explorer_state(w, h);
    let effects = apply(&mut state, [Command::ColourBy]);
    assert!(matches!(
        &effects[..],
        [Effect::Classify(ClassifyJob::List {
            purpose: Purpose::Colour,
            ..
        })]
    ));
    reply(
        &mut state,
        ClassifyReply::Loaded {
            purpose: Purpose::Colour,
            result: Ok(Box::new(applied_data())),
        },
    );
    state
}

#[test]
fn colouring_groups_the_map_by_label_and_the_filter_offers_the_labels() {
    let mut state = coloured(120, 40);
    assert!(toast(&state).contains("59 labelled"), "{}", toast(&state));
    let ex = state.explorer_ref().unwrap();
    let c = ex.classify.colours.as_ref().unwrap();
    assert_eq!(c.counts, vec![22, 26, 11]);
    let raster = ex.raster.as_ref().unwrap();
    let layers: Vec<Layer> = raster.layers.iter().map(|(l, _)| *l).collect();
    // The selected cluster (the first, all "Programming help") keeps its
    // highlight; the rest are grouped by their label.
    assert!(layers.contains(&Layer::Selected), "{layers:?}");
    assert!(
        layers.contains(&Layer::Root(1)) && layers.contains(&Layer::Root(2)),
        "{layers:?}"
    );
    assert!(!layers.contains(&Layer::Root(0)), "{layers:?}");
    assert_eq!(raster.key.colours, c.generation);

    // Filter by one label: the tree counts only its conversations.
    apply(&mut state, [Command::Filter]);
    type_text(&mut state, "classifier topic other");
    apply(&mut state, [Command::Submit]);
    let ex = state.explorer_ref().unwrap();
    let f = ex.filter.as_ref().unwrap();
    assert_eq!(
        (f.column.as_str(), f.label.as_str()),
        ("classifier topic", "other")
    );
    assert_eq!(f.matches, 11);
    let total: u32 = ex.index.roots.iter().map(|&r| ex.count(r)).sum();
    assert_eq!(total, 11);

    // Back to the top-level colours: the picker's first entry.
    apply(&mut state, [Command::ColourBy]);
    reply(
        &mut state,
        ClassifyReply::Listed {
            purpose: Purpose::Colour,
            result: Ok(vec!["topic".into()]),
        },
    );
    assert!(apply(&mut state, [Command::Submit]).is_empty());
    let ex = state.explorer_ref().unwrap();
    assert!(ex.classify.colours.is_none());
    assert!(ex.filter.is_none(), "the filter on its labels went with it");
    assert!(ex.column("classifier topic").is_none());
}

#[test]
fn errors_and_empty_lists_are_reported() {
    let mut state = explorer_state(120, 40);
    apply(&mut state, [Command::LabelMode]);
    reply(
        &mut state,
        ClassifyReply::Listed {
            purpose: Purpose::Label,
            result: Ok(Vec::new()),
        },
    );
    assert!(toast(&state).contains("No classifiers yet"));
    assert_eq!(state.context(), Context::Tree);
    reply(
        &mut state,
        ClassifyReply::LabelSaved(Err("project in use by pid 7".into())),
    );
    assert!(toast(&state).contains("Could not save the label: project in use"));
}

fn labelling_state(w: u16, h: u16, mode: LabelMode) -> State {
    let mut state = explorer_state(w, h);
    labelling(&mut state, mode);
    update(
        &mut state,
        Msg::ConversationLoaded {
            position: 1,
            result: Ok(Box::new(conversations()[1].clone())),
        },
    );
    state
}

#[test]
fn snapshot_labelling_screen() {
    snap_with("classify_label", |w, h| {
        labelling_state(w, h, LabelMode::Single)
    });
    snap_with("classify_label_multi", |w, h| {
        let mut state = labelling_state(w, h, LabelMode::Multi);
        apply(&mut state, [Command::Category1, Command::CategoryOther]);
        state
    });
}

#[test]
fn snapshot_coloured_map_legend() {
    snap_with("classify_colour", |w, h| {
        let mut state = coloured(w, h);
        state.toast = None;
        apply(&mut state, [Command::NextPane]);
        state
    });
}

#[test]
fn help_lists_the_classifier_keys() {
    let mut state = explorer_state(120, 40);
    apply(&mut state, [Command::Help]);
    let mut text = String::new();
    for _ in 0..200 {
        text.push_str(&screen_text(&state, 120, 40));
        apply(&mut state, [Command::Down]);
    }
    for needle in [
        "New classifier from the marked",
        "Label conversations for a classifier",
        "Colour the map by a classifier",
        "Sort menu: report fields",
        "eval history",
        "Labelling a classifier",
        "Category other",
        "Add as the next sort key",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
}
