use super::convert::{KuraCluster, hierarchy};

fn kc(id: &str, parent: Option<&str>, chats: &[&str]) -> KuraCluster {
    KuraCluster {
        id: id.into(),
        name: format!("Name {id}"),
        description: format!("About {id}"),
        slug: "same_slug".into(),
        chat_ids: chats.iter().map(|c| c.to_string()).collect(),
        parent_id: parent.map(str::to_string),
    }
}

#[test]
fn a_ragged_kura_tree_gets_levels_by_height_and_unique_slugs() {
    // root → (mid → a, b), c
    let kura = [
        kc("a", Some("mid"), &["1", "2"]),
        kc("b", Some("mid"), &["3"]),
        kc("c", Some("root"), &["4"]),
        kc("mid", Some("root"), &["1", "2", "3"]),
        kc("root", None, &["1", "2", "3", "4"]),
    ];
    let (tree, kura_ids) = hierarchy(&kura);
    let by_kura = |k: &str| {
        let ours = kura_ids
            .iter()
            .find(|(_, v)| *v == k)
            .map(|(o, _)| o)
            .unwrap();
        tree.iter().find(|c| &c.id == ours).unwrap()
    };
    assert_eq!(by_kura("a").level, 0);
    assert_eq!(by_kura("a").id, "L0-0", "largest base cluster first");
    assert_eq!(by_kura("c").level, 0);
    assert_eq!(by_kura("mid").level, 1);
    assert_eq!(by_kura("root").level, 2);
    assert_eq!(by_kura("root").count, 4);
    assert!(
        by_kura("root").members.is_empty(),
        "parents hold no members"
    );
    assert_eq!(by_kura("a").members, ["1", "2"]);
    assert_eq!(
        by_kura("a").parent.as_deref(),
        Some(by_kura("mid").id.as_str())
    );
    let mut children = by_kura("root").children.clone();
    children.sort();
    let mut expected = vec![by_kura("mid").id.clone(), by_kura("c").id.clone()];
    expected.sort();
    assert_eq!(children, expected);
    let slugs: std::collections::HashSet<_> = tree.iter().map(|c| c.slug.clone()).collect();
    assert_eq!(slugs.len(), 5);
}

#[test]
fn a_parent_cycle_does_not_hang() {
    let kura = [kc("x", Some("y"), &["1"]), kc("y", Some("x"), &["1"])];
    let (tree, _) = hierarchy(&kura);
    assert_eq!(tree.len(), 2);
}

mod plan {
    use serde_json::{Map, Value};

    use crate::config::Config;
    use crate::pipeline::plan::{Digests, IMPORTED, Identities, Settings, Status, judge};
    use crate::pipeline::{RunOptions, Stage};
    use crate::project::checkpoint::{Header, hash_key};
    use crate::project::store::StoreFingerprint;

    fn settings(config: &Config) -> Settings {
        let ids = Identities {
            summariser: "s".into(),
            embedder: "e".into(),
            namer: "n".into(),
            hierarchy: "h".into(),
        };
        let store = StoreFingerprint {
            conversations: 3,
            digest: "store".into(),
        };
        Settings::new(config, &RunOptions::default(), ids, store)
    }

    fn imported(upstream: &str) -> Header {
        let mut inputs = Map::new();
        inputs.insert(IMPORTED.into(), "kura".into());
        inputs.insert("upstream.summaries".into(), Value::from(upstream));
        Header {
            format: "kura-tui-checkpoint".into(),
            version: 2,
            stage: "clusters".into(),
            key: hash_key(&inputs),
            count: 1,
            dims: None,
            created_at: String::new(),
            digest: String::new(),
            inputs,
            built_with: Map::new(),
            incomplete: Vec::new(),
        }
    }

    #[test]
    fn an_imported_stage_ignores_settings_but_not_its_upstream_content() {
        let digests = Digests::from([(Stage::Summaries, "sum".to_string())]);
        let mut config = Config::default();
        let h = imported("sum");
        let exp = settings(&config).inputs(Stage::Clusters, &digests);
        assert_eq!(judge(Ok(&h), None, Some(&exp)), Status::Done);
        config.cluster.k = 17;
        let exp = settings(&config).inputs(Stage::Clusters, &digests);
        assert_ne!(exp.key(), h.key);
        assert_eq!(judge(Ok(&h), None, Some(&exp)), Status::Done);
        let changed = Digests::from([(Stage::Summaries, "other".to_string())]);
        let exp = settings(&config).inputs(Stage::Clusters, &changed);
        assert_eq!(
            judge(Ok(&h), None, Some(&exp)),
            Status::Outdated {
                why: vec!["upstream summaries changed".into()]
            }
        );
    }
}
