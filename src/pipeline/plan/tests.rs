use std::collections::HashMap;

use super::*;
use crate::config::Secret;
use crate::pipeline::{Cancel, events, models};
use crate::project::checkpoint::MemoryCheckpoints;
use crate::project::store::StoreFingerprint;

fn env() -> HashMap<String, String> {
    HashMap::from([
        ("KURA_CONFIG_DIR".to_string(), "/nonexistent".to_string()),
        ("KURA_DATA_DIR".to_string(), "/nonexistent".to_string()),
    ])
}

fn llm_config() -> Config {
    let mut c = Config::default();
    c.llm.base_url = Some("http://127.0.0.1:9/v1".into());
    c.llm.api_key = Some(Secret::new("sk-test"));
    c.llm.model = Some("m".into());
    c
}

#[test]
fn identities_from_config_match_the_built_models() {
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout::new(dir.path());
    for (config, offline) in [(Config::default(), true), (llm_config(), false)] {
        let (tx, _rx) = events::channel();
        let hooks = models::hooks(tx, Cancel::new(), &config);
        let (built, _) = models::build(&config, &layout, offline, &hooks, &env()).unwrap();
        let from_config = Identities::from_config(&config, &layout, offline, &env()).unwrap();
        assert_eq!(Identities::from_models(&built), from_config);
    }
}

fn settings(config: &Config) -> Settings {
    let ids = Identities::from_config(config, &Layout::new("/nonexistent"), true, &env()).unwrap();
    let store = StoreFingerprint {
        conversations: 10,
        digest: "d".into(),
    };
    Settings::new(config, &RunOptions::default(), ids, store)
}

#[test]
fn a_changed_setting_is_named_and_upstream_content_counts() {
    let mut config = Config::default();
    let before = settings(&config);
    config.hierarchy.max_top_level = 4;
    let after = settings(&config);
    let digests = Digests::from([(Stage::Names, "n1".to_string())]);
    let old = before.inputs(Stage::Hierarchy, &digests);
    let new = after.inputs(Stage::Hierarchy, &digests);
    assert_ne!(old.key(), new.key());
    assert_eq!(new.why(&old.map()), ["hierarchy.max_top_level 10 → 4"]);
    // The names stage is untouched by a hierarchy setting.
    assert_eq!(
        before.inputs(Stage::Names, &digests).key(),
        after.inputs(Stage::Names, &digests).key()
    );
    let moved = Digests::from([(Stage::Names, "n2".to_string())]);
    let other = after.inputs(Stage::Hierarchy, &moved);
    assert_eq!(other.why(&new.map()), ["upstream names changed"]);
}

#[test]
fn run_options_override_seed_and_k() {
    let config = Config::default();
    let ids = Identities::from_config(&config, &Layout::new("/x"), true, &env()).unwrap();
    let store = StoreFingerprint {
        conversations: 100,
        digest: "d".into(),
    };
    let options = RunOptions {
        max_conversations: Some(30),
        k: Some(5),
        seed: Some(9),
        log: None,
    };
    let s = Settings::new(&config, &options, ids, store);
    assert_eq!((s.cluster.k, s.cluster.seed, s.conversations), (5, 9, 30));
}

#[test]
fn plan_statuses_follow_the_checkpoints() {
    let cps = MemoryCheckpoints::new();
    let s = settings(&Config::default());
    let plan = Plan::compute(&cps, &s).unwrap();
    assert!(plan.stages.iter().all(|p| p.status == Status::Missing));
    let mut digests = Digests::new();
    let inputs = s.inputs(Stage::Summaries, &digests);
    let d = checkpoint::save(
        &cps,
        "summaries",
        &inputs.meta(Default::default(), vec![]),
        &[1, 2],
    )
    .unwrap();
    digests.insert(Stage::Summaries, d);
    let emb = s.inputs(Stage::Embeddings, &digests);
    let m = ndarray::Array2::<f32>::zeros((2, 3));
    let d = checkpoint::save_matrix(
        &cps,
        "embeddings",
        &emb.meta(Default::default(), vec![]),
        m.view(),
    )
    .unwrap();
    digests.insert(Stage::Embeddings, d);
    // A clusters checkpoint made under other settings.
    let mut other = Config::default();
    other.cluster.k = 7;
    let stale = settings(&other).inputs(Stage::Clusters, &digests);
    let plan = Plan::compute(&cps, &s).unwrap();
    assert_eq!(plan.stage(Stage::Summaries).unwrap().status, Status::Done);
    assert_eq!(plan.stage(Stage::Embeddings).unwrap().status, Status::Done);
    checkpoint::save(
        &cps,
        "clusters",
        &stale.meta(Default::default(), vec![]),
        &[0],
    )
    .unwrap();
    let plan = Plan::compute(&cps, &s).unwrap();
    match &plan.stage(Stage::Clusters).unwrap().status {
        Status::Outdated { why } => assert_eq!(why, &["cluster.k 7 → 0"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(plan.stage(Stage::Names).unwrap().status, Status::Missing);
    assert!(
        plan.warnings()
            .iter()
            .any(|w| w.starts_with("clusters is outdated"))
    );
}

/// A run's settings for `config` with the embedder `embedder` (the other
/// identities and the store are fixed).
fn settings_with(config: &Config, embedder: &str) -> Settings {
    let ids = Identities {
        summariser: "s".into(),
        embedder: embedder.into(),
        namer: "n".into(),
        hierarchy: "h".into(),
    };
    let store = StoreFingerprint {
        conversations: 100,
        digest: "d".into(),
    };
    Settings::new(config, &RunOptions::default(), ids, store)
}

#[test]
fn smoothing_resolves_by_embedder_and_is_keyed_only_when_on() {
    let config = Config::default();
    let with = settings_with;
    let digests = Digests::new();
    // The lexical embedder smooths its own vectors: off, and absent from the
    // key, so projects clustered before the setting existed stay fresh.
    let lexical = with(&config, "lexical-v5-256");
    assert_eq!(lexical.cluster.smooth_neighbours, None);
    let key = lexical.inputs(Stage::Clusters, &digests);
    assert!(!key.map().contains_key("cluster.smooth_neighbours"));
    // MiniLM: on by default, and keyed.
    let minilm = with(&config, "minilm:all-MiniLM-L6-v2");
    assert_eq!(
        minilm.cluster.smooth_neighbours,
        Some(crate::config::DEFAULT_SMOOTH_NEIGHBOURS)
    );
    let on = minilm.inputs(Stage::Clusters, &digests);
    assert_eq!(
        on.why(&key.map()),
        [
            "cluster.smooth_neighbours is new (10)",
            "cluster.discriminant_dims is no longer used"
        ]
    );
    // API embedders: off unless asked for; an explicit value wins, and an
    // explicit 0 is keyed (so turning it off recomputes the clusters).
    assert_eq!(with(&config, "api:m").cluster.smooth_neighbours, None);
    let mut asked = Config::default();
    asked.cluster.smooth_neighbours = Some(4);
    assert_eq!(with(&asked, "api:m").cluster.smooth_neighbours, Some(4));
    asked.cluster.smooth_neighbours = Some(0);
    let off = with(&asked, "minilm:all-MiniLM-L6-v2");
    assert_eq!(off.cluster.smooth_neighbours, Some(0));
    assert_eq!(
        off.inputs(Stage::Clusters, &digests).why(&on.map()),
        ["cluster.smooth_neighbours 10 → 0"]
    );
}

#[test]
fn the_discriminant_projection_resolves_by_embedder_and_is_keyed_only_when_on() {
    let settings = settings_with;
    let digests = Digests::new();
    // The lexical embedder: on by default, and keyed.
    let lexical = settings(&Config::default(), "lexical-v5-256");
    assert_eq!(
        lexical.cluster.discriminant_dims,
        Some(crate::config::DEFAULT_DISCRIMINANT_DIMS)
    );
    let on = lexical.inputs(Stage::Clusters, &digests);
    assert_eq!(on.map()["cluster.discriminant_dims"], 32);
    // Sentence models and API embedders: off and out of the key.
    for embedder in ["minilm:all-MiniLM-L6-v2", "api:m"] {
        let s = settings(&Config::default(), embedder);
        assert_eq!(s.cluster.discriminant_dims, None, "{embedder}");
        let key = s.inputs(Stage::Clusters, &digests);
        assert!(!key.map().contains_key("cluster.discriminant_dims"));
    }
    // An explicit value wins, and an explicit 0 is keyed.
    let mut asked = Config::default();
    asked.cluster.discriminant_dims = Some(0);
    let off = settings(&asked, "lexical-v5-256").inputs(Stage::Clusters, &digests);
    assert_eq!(off.why(&on.map()), ["cluster.discriminant_dims 32 → 0"]);
}

#[test]
fn hierarchy_grouping_is_keyed_only_when_an_llm_groups_and_it_is_not_the_default() {
    use crate::config::HierarchyGrouping;
    let store = StoreFingerprint {
        conversations: 100,
        digest: "d".into(),
    };
    let ids = |hierarchy: &str| Identities {
        summariser: "s".into(),
        embedder: "e".into(),
        namer: "n".into(),
        hierarchy: hierarchy.into(),
    };
    let key = |config: &Config, hierarchy: &str| {
        Settings::new(
            config,
            &RunOptions::default(),
            ids(hierarchy),
            store.clone(),
        )
        .inputs(Stage::Hierarchy, &Digests::new())
    };
    let clio = Config::default();
    let mut embeddings = Config::default();
    embeddings.hierarchy.grouping = HierarchyGrouping::Embeddings;
    // The default stays out of the key: projects built before the setting
    // existed keep their hierarchy.
    let before = key(&clio, "api:m");
    assert!(!before.map().contains_key("hierarchy.grouping"));
    let after = key(&embeddings, "api:m");
    assert_eq!(
        after.why(&before.map()),
        ["hierarchy.grouping is new (embeddings)"]
    );
    // Offline there is one way to group: the setting changes nothing.
    assert_eq!(
        key(&embeddings, OFFLINE_HIERARCHY).key(),
        key(&clio, OFFLINE_HIERARCHY).key()
    );
}

#[test]
fn the_offline_hierarchy_is_outdated_by_a_new_namer() {
    let store = StoreFingerprint {
        conversations: 10,
        digest: "d".into(),
    };
    let key = |hierarchy: &str, namer: &str| {
        let ids = Identities {
            summariser: "s".into(),
            embedder: "e".into(),
            namer: namer.into(),
            hierarchy: hierarchy.into(),
        };
        Settings::new(
            &Config::default(),
            &RunOptions::default(),
            ids,
            store.clone(),
        )
        .inputs(Stage::Hierarchy, &Digests::new())
    };
    // Offline, the hierarchy names with the namer's code: a new namer
    // outdates it even when the names stage's output is unchanged.
    let old = key(OFFLINE_HIERARCHY, "offline-phrases-v15");
    let new = key(OFFLINE_HIERARCHY, "offline-phrases-v16");
    assert_eq!(
        new.why(&old.map()),
        ["namer offline-phrases-v15 → offline-phrases-v16"]
    );
    // An LLM hierarchy names with its own model: the namer is not its input.
    assert_eq!(key("api:m", "a").key(), key("api:m", "b").key());
}
