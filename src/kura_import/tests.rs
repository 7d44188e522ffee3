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
