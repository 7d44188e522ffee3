//! A small fixed world for the TUI tests: 3 top-level clusters over 8 base
//! clusters and 60 conversations with deterministic summaries, facets,
//! metadata and map positions. No clock, no randomness.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use kura_tui::analysis::Analysis;
use kura_tui::classify::LabelMode;
use kura_tui::model::{Cluster, Conversation, Message, Point2D, Role, Summary, slugify};
use kura_tui::pipeline::Stage;
use kura_tui::project::Layout;
use kura_tui::project::checkpoint::{self, FileCheckpoints};
use kura_tui::project::store::StoreWriter;
use kura_tui::tui::classify::{ClassifierData, ClassifyReply};
use kura_tui::tui::explorer::{MetaTable, MetadataBuilder};
use kura_tui::tui::{Effect, Explorer, Msg, State, draw, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// (name, description, size, centre x, centre y)
const BASES: [(&str, &str, usize, f32, f32); 8] = [
    (
        "Debug Rust borrow errors",
        "Users fight the borrow checker and lifetimes.",
        12,
        -6.0,
        4.0,
    ),
    (
        "Write SQL queries",
        "Joins, window functions and slow queries.",
        9,
        -4.0,
        6.5,
    ),
    (
        "Fix Python imports",
        "Module paths, virtualenvs and packaging.",
        6,
        -7.5,
        7.0,
    ),
    (
        "Plan a trip to Japan",
        "Itineraries, rail passes and budgets.",
        10,
        5.0,
        -3.0,
    ),
    (
        "Cook weeknight dinners",
        "Quick recipes from what is in the fridge.",
        7,
        6.5,
        -5.5,
    ),
    (
        "Train for a marathon",
        "Training plans, pacing and injuries.",
        5,
        3.5,
        -6.0,
    ),
    (
        "Draft a cover letter",
        "Tailoring letters to job adverts.",
        7,
        1.0,
        6.0,
    ),
    (
        "Négocier un salaire",
        "Preparing for pay negotiations, in French.",
        4,
        2.5,
        8.0,
    ),
];

/// (name, description, base indices)
const TOPS: [(&str, &str, &[usize]); 3] = [
    (
        "Programming help",
        "Code, data and tooling questions.",
        &[0, 1, 2],
    ),
    ("Everyday life", "Travel, food and fitness.", &[3, 4, 5]),
    (
        "Careers and work",
        "Applications and negotiations.",
        &[6, 7],
    ),
];

pub const N: usize = 60;

fn base_of(i: usize) -> usize {
    let mut acc = 0;
    for (b, base) in BASES.iter().enumerate() {
        acc += base.2;
        if i < acc {
            return b;
        }
    }
    BASES.len() - 1
}

pub fn conversation_id(i: usize) -> String {
    format!("conv-{i:03}")
}

fn language(i: usize, base: usize) -> &'static str {
    if base == 7 {
        "French"
    } else if i % 7 == 3 {
        "Spanish"
    } else {
        "English"
    }
}

pub fn summaries() -> Vec<Summary> {
    (0..N)
        .map(|i| {
            let b = base_of(i);
            Summary {
                conversation_id: conversation_id(i),
                summary: format!(
                    "The user asks for help to {} (case {i}).",
                    BASES[b].0.to_lowercase()
                ),
                request: Some(format!("Help with {}", BASES[b].0.to_lowercase())),
                task: Some("advice".into()),
                languages: vec![language(i, b).to_string()],
                concerning_score: Some(if i % 11 == 0 { 3 } else { 1 }),
                user_frustration: Some((i % 5) as u8 + 1),
                assistant_errors: Vec::new(),
                custom: Default::default(),
            }
        })
        .collect()
}

pub fn clusters() -> Vec<Cluster> {
    let mut out = Vec::new();
    let mut start = 0;
    for (b, (name, desc, size, _, _)) in BASES.iter().enumerate() {
        let parent = TOPS.iter().position(|t| t.2.contains(&b)).unwrap();
        out.push(Cluster {
            id: format!("L0-{b}"),
            name: name.to_string(),
            original_name: None,
            description: desc.to_string(),
            slug: slugify(name, 6),
            level: 0,
            parent: Some(format!("L1-{parent}")),
            children: Vec::new(),
            members: (start..start + size).map(conversation_id).collect(),
            count: *size,
            noise: false,
        });
        start += size;
    }
    for (t, (name, desc, bases)) in TOPS.iter().enumerate() {
        out.push(Cluster {
            id: format!("L1-{t}"),
            name: name.to_string(),
            original_name: None,
            description: desc.to_string(),
            slug: slugify(name, 6),
            level: 1,
            parent: None,
            children: bases.iter().map(|b| format!("L0-{b}")).collect(),
            members: Vec::new(),
            count: bases.iter().map(|b| BASES[*b].2).sum(),
            noise: false,
        });
    }
    out
}

pub fn points() -> Vec<Point2D> {
    (0..N)
        .map(|i| {
            let b = base_of(i);
            let a = i as f32 * 2.399;
            let r = 0.4 + (i % 5) as f32 * 0.25;
            Point2D {
                conversation_id: conversation_id(i),
                x: BASES[b].3 + r * a.cos(),
                y: BASES[b].4 + r * a.sin(),
                cluster: format!("L0-{b}"),
            }
        })
        .collect()
}

pub fn conversations() -> Vec<Conversation> {
    (0..N)
        .map(|i| {
            let b = base_of(i);
            let mut c = Conversation::new(
                conversation_id(i),
                vec![
                    Message::new(Role::System, "You are a helpful assistant."),
                    Message::new(
                        Role::User,
                        format!(
                            "Hi! I need help to {}. I have tried a few things already and none of them worked, so I am a bit stuck here.",
                            BASES[b].0.to_lowercase()
                        ),
                    ),
                    Message::new(
                        Role::Assistant,
                        "Of course. Let us go step by step.\nFirst, tell me what you tried and what happened.",
                    ),
                    Message::new(Role::User, "I tried the obvious fix — it did not help. 😅"),
                ],
            );
            c.created_at = Some(format!("2025-01-{:02}T10:00:00Z", i % 28 + 1));
            c.metadata.insert("satisfaction".into(), ((i * 3) % 5 + 1).into());
            c.metadata
                .insert("plan".into(), if i % 3 == 0 { "pro" } else { "free" }.into());
            c
        })
        .collect()
}

/// The complete analysis of the fixture.
pub fn analysis() -> Analysis {
    let mut a = Analysis::new(summaries(), clusters(), points());
    a.stages_done = Stage::ALL.to_vec();
    a
}

pub fn metadata() -> MetaTable {
    let mut b = MetadataBuilder::default();
    for c in conversations() {
        b.push(&c.metadata);
    }
    b.finish()
}

pub const ROOT: &str = "/projects/demo";

/// An explorer on the fixture of the project at [`ROOT`], metadata
/// loaded, sized `w`×`h`.
pub fn explorer_state(w: u16, h: u16) -> State {
    let mut state = explorer_on(analysis(), Path::new(ROOT), w, h);
    update(&mut state, Msg::MetadataLoaded(Ok(Arc::new(metadata()))));
    state
}

/// An explorer on `analysis` of the project at `root`, sized `w`×`h`.
pub fn explorer_on(analysis: Analysis, root: &Path, w: u16, h: u16) -> State {
    let mut state = State::explorer(Explorer::new(analysis, root.display().to_string()));
    state.project = Some(Layout::new(root));
    update(&mut state, Msg::Resize(w, h));
    state
}

/// The text on screen, one line per row.
pub fn screen_text(state: &State, w: u16, h: u16) -> String {
    let terminal = render(state, w, h);
    let buf = terminal.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Applies commands or messages in order, returning all effects.
pub fn apply<M: Into<Msg>>(
    state: &mut State,
    msgs: impl IntoIterator<Item = M>,
) -> Vec<kura_tui::tui::Effect> {
    msgs.into_iter().flat_map(|m| update(state, m)).collect()
}

/// Types `text` into the open prompt.
pub fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        update(state, Msg::Insert(c));
    }
}

pub fn render(state: &State, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| draw(state, f)).unwrap();
    terminal
}

/// Writes a finished project to `root`: store, every stage checkpoint,
/// each keyed by the inputs the project's (offline, lexical) settings give,
/// so the binary finds every stage done and opens the explorer at once.
pub fn write_project(root: &Path) {
    use kura_tui::pipeline::RunOptions;
    use kura_tui::pipeline::plan::{self, Digests};
    let (layout, lock) = kura_tui::project::Project::create(root, false).unwrap();
    let mut w =
        StoreWriter::create(&layout.conversations(), &layout.conversations_index()).unwrap();
    for c in conversations() {
        w.push(&c).unwrap();
    }
    w.finish().unwrap();
    let toml = std::fs::read_to_string(layout.config()).unwrap();
    let toml = toml
        .replacen("provider = \"openai\"", "provider = \"offline\"", 1)
        .replacen("embedder = \"auto\"", "embedder = \"lexical\"", 1);
    std::fs::write(layout.config(), toml).unwrap();
    let env = std::collections::HashMap::from([(
        "KURA_CONFIG_DIR".to_string(),
        "/nonexistent".to_string(),
    )]);
    let project = kura_tui::project::Project::open(root, &env).unwrap();
    let (_, settings) =
        plan::for_project(&layout, &project.config, true, &RunOptions::default(), &env).unwrap();
    let cps = FileCheckpoints::new(layout.checkpoints());
    let mut digests = Digests::new();
    let save = |stage: Stage, digests: &mut Digests, records: &[Cluster]| {
        let meta = settings
            .inputs(stage, digests)
            .meta(Default::default(), Vec::new());
        let d = checkpoint::save(&cps, stage.name(), &meta, records).unwrap();
        digests.insert(stage, d);
    };
    let meta = settings
        .inputs(Stage::Summaries, &digests)
        .meta(Default::default(), Vec::new());
    let d = checkpoint::save(&cps, "summaries", &meta, &summaries()).unwrap();
    digests.insert(Stage::Summaries, d);
    let embeddings =
        ndarray::Array2::from_shape_fn((N, 2), |(i, j)| if j == 0 { i as f32 } else { 1.0 });
    let meta = settings
        .inputs(Stage::Embeddings, &digests)
        .meta(Default::default(), Vec::new());
    let d = checkpoint::save_matrix(&cps, "embeddings", &meta, embeddings.view()).unwrap();
    digests.insert(Stage::Embeddings, d);
    let base: Vec<Cluster> = clusters().into_iter().filter(|c| c.level == 0).collect();
    save(Stage::Clusters, &mut digests, &base);
    save(Stage::Names, &mut digests, &base);
    save(Stage::Hierarchy, &mut digests, &clusters());
    let meta = settings
        .inputs(Stage::Projection, &digests)
        .meta(Default::default(), Vec::new());
    checkpoint::save(&cps, "projection", &meta, &points()).unwrap();
    drop(lock);
}

/// The two sizes every snapshot is taken at.
pub const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

/// Snapshots the state `build` makes at each of [`SIZES`] as `{name}_{w}x{h}`.
pub fn snap_with(name: &str, build: impl Fn(u16, u16) -> State) {
    for (w, h) in SIZES {
        let state = build(w, h);
        let terminal = render(&state, w, h);
        insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
        });
    }
}

/// Hands a classifier job's reply to `update`.
pub fn reply(state: &mut State, r: ClassifyReply) -> Vec<Effect> {
    update(state, Msg::Classify(r))
}

/// A classifier "topic" with two classes and `other`, one label and a
/// queue of three conversations.
pub fn classifier_data(mode: LabelMode) -> ClassifierData {
    ClassifierData {
        name: "topic".into(),
        version: "0a1b2c3d4e5f".into(),
        mode,
        classes: vec![
            "Programming help".into(),
            "Everyday life".into(),
            "other".into(),
        ],
        has_other: true,
        labels: HashMap::from([("conv-005".to_string(), vec!["Programming help".to_string()])]),
        queue: vec![
            (1, "conv-001".into()),
            (27, "conv-027".into()),
            (5, "conv-005".into()),
        ],
        applied: None,
        history: Vec::new(),
    }
}

/// The toast's text, or nothing.
pub fn toast(state: &State) -> String {
    state
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}
