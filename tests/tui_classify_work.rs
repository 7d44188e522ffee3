//! The explorer's classifier jobs on a real project (the TUI fixture
//! written to disk): `C` writes the same file as `classify new`, labels go
//! to the same file as `classify label` (one at a time, undoable), the
//! labelling order starts with the chosen clusters' most central
//! conversations, and applied labels and the eval history load.

mod tui_fixture;

use std::path::Path;
use std::process::Command as Process;

use kura_tui::classify::evaluation::{self, EvalRecord};
use kura_tui::classify::{EngineKind, LabelMode};
use kura_tui::tui::Msg;
use kura_tui::tui::classify::{ClassifyJob, ClassifyReply, Purpose, work};
use tui_fixture::*;

fn run(job: ClassifyJob) -> ClassifyReply {
    // `send` is a `&dyn Fn`: collect through a cell.
    let got = std::cell::RefCell::new(Vec::new());
    work::run(job, &|m| {
        if let Msg::Classify(r) = m {
            got.borrow_mut().push(r)
        }
    });
    let mut got = got.into_inner();
    assert_eq!(got.len(), 1, "one reply per job");
    got.remove(0)
}

fn cli(args: &[&str], home: &Path) -> std::process::Output {
    Process::new(env!("CARGO_BIN_EXE_kura-tui"))
        .args(args)
        .env("KURA_CONFIG_DIR", home.join("config"))
        .env("KURA_DATA_DIR", home.join("data"))
        .env_remove("OPENAI_API_KEY")
        .env_remove("KURA_API_KEY")
        .env_remove("KURA_BASE_URL")
        .output()
        .unwrap()
}

fn set(root: &Path, id: &str, labels: Option<&[&str]>) -> Result<(), String> {
    match run(ClassifyJob::SetLabel {
        root: root.to_path_buf(),
        name: "topic".into(),
        id: id.into(),
        labels: labels.map(|l| l.iter().map(|s| s.to_string()).collect()),
    }) {
        ClassifyReply::LabelSaved(r) => r,
        other => panic!("{other:?}"),
    }
}

#[test]
fn create_label_and_load_on_a_real_project() {
    let dir = tempfile::tempdir().unwrap();
    let (tui, by_cli) = (dir.path().join("tui"), dir.path().join("cli"));
    write_project(&tui);
    write_project(&by_cli);

    // `C` and `classify new` write the same definition.
    let reply = run(ClassifyJob::Create {
        root: tui.clone(),
        name: "topic".into(),
        clusters: vec!["L1-0".into(), "L1-1".into()],
    });
    let ClassifyReply::Created(Ok(created)) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(created.path, tui.join("classifiers/topic.toml"));
    assert_eq!((created.categories, created.other), (2, true));
    let out = cli(
        &[
            "classify",
            "new",
            by_cli.to_str().unwrap(),
            "topic",
            "--from-cluster",
            "L1-0",
            "L1-1",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours = std::fs::read_to_string(&created.path).unwrap();
    assert_eq!(
        ours,
        std::fs::read_to_string(by_cli.join("classifiers/topic.toml")).unwrap()
    );
    assert!(ours.contains("name = \"Programming help\""), "{ours}");
    // A second `C` with the same name refuses to replace it.
    let again = run(ClassifyJob::Create {
        root: tui.clone(),
        name: "topic".into(),
        clusters: vec!["L1-2".into()],
    });
    assert!(
        matches!(&again, ClassifyReply::Created(Err(e)) if e.contains("already exists")),
        "{again:?}"
    );

    // The labelling order: the two clusters' conversations in turn, then
    // the rest (Careers), every conversation once.
    let ClassifyReply::Loaded { result, .. } = run(ClassifyJob::Load {
        root: tui.clone(),
        name: "topic".into(),
        purpose: Purpose::Label,
    }) else {
        panic!()
    };
    let data = result.unwrap();
    assert_eq!(data.classes, ["Programming help", "Everyday life", "other"]);
    assert!(data.has_other);
    let positions: Vec<u32> = data.queue.iter().map(|q| q.0).collect();
    assert_eq!(positions.len(), N);
    let mut sorted = positions.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..N as u32).collect::<Vec<_>>());
    let programming = |p: u32| p < 27;
    let life = |p: u32| (27..49).contains(&p);
    for pair in positions[..44].chunks(2) {
        assert!(programming(pair[0]) && life(pair[1]), "{positions:?}");
    }
    assert!(positions[49..].iter().all(|&p| p >= 49), "{positions:?}");
    // The first of a cluster is its most central: with the fixture's
    // embeddings (i, 1), the one whose direction is nearest the mean of
    // the cluster's unit vectors.
    assert_eq!(data.queue[0].1, "conv-006");
    assert_eq!(data.queue[1].1, "conv-036");

    // One label at a time into NAME.labels.jsonl; None removes it.
    set(&tui, "conv-013", Some(&["Programming help"])).unwrap();
    set(&tui, "conv-030", Some(&["everyday life"])).unwrap();
    let labels = std::fs::read_to_string(tui.join("classifiers/topic.labels.jsonl")).unwrap();
    assert_eq!(
        labels,
        "{\"id\":\"conv-013\",\"labels\":[\"Programming help\"]}\n{\"id\":\"conv-030\",\"labels\":[\"Everyday life\"]}\n"
    );
    set(&tui, "conv-013", None).unwrap();
    let labels = std::fs::read_to_string(tui.join("classifiers/topic.labels.jsonl")).unwrap();
    assert!(!labels.contains("conv-013") && labels.contains("conv-030"));
    let err = set(&tui, "conv-001", Some(&["Cooking"])).unwrap_err();
    assert!(err.contains("unknown category `Cooking`"), "{err}");
    let err = set(&tui, "conv-001", Some(&["other", "Everyday life"])).unwrap_err();
    assert!(err.contains("exactly one"), "{err}");

    // The same labels are what `classify label` sees: a label already
    // stored moves to the end of the order.
    let ClassifyReply::Loaded { result, .. } = run(ClassifyJob::Load {
        root: tui.clone(),
        name: "topic".into(),
        purpose: Purpose::Label,
    }) else {
        panic!()
    };
    let data = result.unwrap();
    assert_eq!(data.queue.last().unwrap().1, "conv-030");
    assert_eq!(data.labels["conv-030"], ["Everyday life"]);

    // Applied labels by store position.
    let no_apply = run(ClassifyJob::Load {
        root: tui.clone(),
        name: "topic".into(),
        purpose: Purpose::Colour,
    });
    assert!(
        matches!(&no_apply, ClassifyReply::Loaded { result: Err(e), .. } if e.contains("classify apply")),
        "{no_apply:?}"
    );
    let mut applied = String::from(
        r#"{"classifier":"topic","version":"abc","at":"2026-12-02T10:00:00Z","engine":"local","mode":"single","embeddings":false,"n_train":1,"count":2}"#,
    );
    applied.push_str("\n{\"id\":\"conv-002\",\"labels\":[\"other\"],\"confidence\":[0.9]}\n");
    applied.push_str("{\"id\":\"conv-040\",\"labels\":[\"Retired\"],\"confidence\":[0.5]}\n");
    std::fs::write(tui.join("classifiers/topic.applied.jsonl"), applied).unwrap();
    let ClassifyReply::Loaded { result, .. } = run(ClassifyJob::Load {
        root: tui.clone(),
        name: "topic".into(),
        purpose: Purpose::Colour,
    }) else {
        panic!()
    };
    let view = result.unwrap().applied.unwrap();
    assert_eq!(view.version, "abc");
    assert_eq!(view.classes.last().unwrap(), "Retired");
    assert_eq!(view.by_position[2], [2]);
    assert_eq!(view.by_position[40], [3]);
    assert!(view.by_position[0].is_empty());

    // The eval history, oldest first.
    let rec = EvalRecord {
        classifier: "topic".into(),
        version: "abc".into(),
        at: "2026-12-02T10:00:00Z".into(),
        split: "validation".into(),
        engine: EngineKind::Local,
        mode: LabelMode::Single,
        embeddings: false,
        n_train: 3,
        n: 2,
        classes: vec!["a".into()],
        accuracy: 0.5,
        macro_f1: 0.4,
        single: None,
        multi: None,
    };
    evaluation::record(&tui.join("classifiers/topic.evals.jsonl"), &rec).unwrap();
    let ClassifyReply::Loaded { result, .. } = run(ClassifyJob::Load {
        root: tui.clone(),
        name: "topic".into(),
        purpose: Purpose::History,
    }) else {
        panic!()
    };
    assert_eq!(result.unwrap().history, vec![rec]);

    let ClassifyReply::Listed { result, .. } = run(ClassifyJob::List {
        root: tui.clone(),
        purpose: Purpose::Label,
    }) else {
        panic!()
    };
    assert_eq!(result.unwrap(), ["topic"]);
}
