//! Facets from LLM summaries: means over the summaries that carry them,
//! absent (not zero) where none does; booleans as a share of true.

use serde_json::json;

use super::*;
use crate::model::{Cluster, Conversation, Message, Role, Summary};
use crate::project::store::StoreWriter;

fn cluster(id: &str, members: &[&str]) -> Cluster {
    Cluster {
        id: id.into(),
        name: id.into(),
        original_name: None,
        description: String::new(),
        slug: id.to_lowercase(),
        level: 0,
        parent: None,
        children: Vec::new(),
        members: members.iter().map(|m| m.to_string()).collect(),
        count: members.len(),
        noise: false,
    }
}

#[test]
fn facets_are_means_of_what_summaries_carry() {
    let dir = tempfile::tempdir().unwrap();
    let (data, index) = (dir.path().join("c.jsonl"), dir.path().join("c.idx"));
    let mut w = StoreWriter::create(&data, &index).unwrap();
    for (id, paid) in [("a", true), ("b", false), ("c", true), ("d", true)] {
        let mut c = Conversation::new(id, vec![Message::new(Role::User, "hi")]);
        c.metadata.insert("paid".into(), json!(paid));
        c.metadata.insert(
            "score".into(),
            json!(if id == "d" { None } else { Some(2) }),
        );
        w.push(&c).unwrap();
    }
    w.finish().unwrap();
    let store = Store::open(&data, &index).unwrap();
    let llm = |id: &str, frustration: u8, errors: usize| Summary {
        conversation_id: id.into(),
        summary: "s".into(),
        user_frustration: Some(frustration),
        concerning_score: Some(1),
        assistant_errors: vec!["wrong".into(); errors],
        ..Default::default()
    };
    let offline = |id: &str| Summary {
        conversation_id: id.into(),
        summary: "s".into(),
        ..Default::default()
    };
    let analysis = Analysis::new(
        vec![llm("a", 2, 1), llm("b", 5, 0), offline("c"), offline("d")],
        vec![cluster("L0-0", &["a", "b", "c"]), cluster("L0-1", &["d"])],
        Vec::new(),
    );
    let options = ReportOptions {
        sort: vec!["frustration".parse().unwrap()],
        top_values: 3,
        ..Default::default()
    };
    let r = build(&analysis, &store, &options).unwrap();
    assert_eq!(r.total, 4);
    let (first, second) = (&r.rows[0], &r.rows[1]);
    assert_eq!(first.id, "L0-0");
    assert_eq!(first.frustration, Some(3.5));
    assert_eq!(first.concerning, Some(1.0));
    assert_eq!(first.error_rate, Some(0.5), "over LLM summaries only");
    assert_eq!(second.frustration, None);
    assert_eq!(second.error_rate, None);
    let paid = r.field_index("paid").unwrap();
    assert_eq!(r.fields[paid].kind, FieldKind::Boolean);
    assert_eq!(first.fields[paid].share_true, Some(2.0 / 3.0));
    let score = r.field_index("score").unwrap();
    assert_eq!(r.fields[score].kind, FieldKind::Numeric);
    assert_eq!(second.fields[score].mean, None, "null is absent");
    assert_eq!(second.fields[score].present, 0);
    assert_eq!(first.fields[score].mean, Some(2.0));
    // Ascending by frustration: the absent row still sorts last.
    let options = ReportOptions {
        sort: vec!["frustration:asc".parse().unwrap()],
        ..options
    };
    let r = build(&analysis, &store, &options).unwrap();
    assert_eq!(r.rows[1].id, "L0-1");
    // `paid=true` is the share of that value.
    let options = ReportOptions {
        sort: vec!["paid=false".parse().unwrap()],
        ..options
    };
    let r = build(&analysis, &store, &options).unwrap();
    assert_eq!(r.rows[0].id, "L0-0");
    assert!("x:up".parse::<SortKey>().is_err());
}
