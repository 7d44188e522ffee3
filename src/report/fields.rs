//! Metadata fields: nested objects flattened to dotted keys, and each field's
//! kind (numeric, boolean or categorical) found from every value it takes.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::Metadata;

/// How a field is aggregated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// Every non-null value is a number: mean and sum.
    Numeric,
    /// Every non-null value is true or false: share of true.
    Boolean,
    /// Anything else: the most frequent values.
    Categorical,
}

/// The scalar leaves of `metadata`, nested objects flattened with dots
/// (`{"user": {"plan": "pro"}}` gives `user.plan`). Arrays are leaves.
pub fn flatten(metadata: &Metadata) -> Vec<(String, &Value)> {
    let mut out = Vec::with_capacity(metadata.len());
    for (key, value) in metadata {
        push_leaves(key.clone(), value, &mut out);
    }
    out
}

fn push_leaves<'a>(key: String, value: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                push_leaves(format!("{key}.{k}"), v, out);
            }
        }
        _ => out.push((key, value)),
    }
}

/// A value as text for categorical counts and the SQL long form: strings
/// as they are, everything else as compact JSON.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Collects the kind of every field seen; fields come out sorted by name.
#[derive(Debug, Default, Clone)]
pub struct FieldKinds {
    seen: BTreeMap<String, Seen>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    numbers: bool,
    booleans: bool,
    other: bool,
}

impl FieldKinds {
    pub fn observe(&mut self, key: &str, value: &Value) {
        let seen = match self.seen.get_mut(key) {
            Some(s) => s,
            None => self.seen.entry(key.to_string()).or_default(),
        };
        match value {
            Value::Null => {}
            Value::Number(_) => seen.numbers = true,
            Value::Bool(_) => seen.booleans = true,
            _ => seen.other = true,
        }
    }

    /// Every field with its kind, sorted by name. A field that was only
    /// ever null counts as categorical.
    pub fn kinds(&self) -> Vec<(String, FieldKind)> {
        self.seen
            .iter()
            .map(|(k, s)| {
                let kind = match (s.numbers, s.booleans, s.other) {
                    (true, false, false) => FieldKind::Numeric,
                    (false, true, false) => FieldKind::Boolean,
                    _ => FieldKind::Categorical,
                };
                (k.clone(), kind)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_keys_are_dotted_and_kinds_follow_every_value() {
        let Value::Object(m) = json!({"a": 1, "u": {"plan": "pro", "paid": true}, "t": [1]}) else {
            unreachable!()
        };
        let flat = flatten(&m);
        let keys: Vec<&str> = flat.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "u.plan", "u.paid", "t"]);
        let mut kinds = FieldKinds::default();
        for (k, v) in &flat {
            kinds.observe(k, v);
        }
        kinds.observe("a", &json!("x"));
        kinds.observe("n", &json!(null));
        kinds.observe("n", &json!(2.5));
        let got = kinds.kinds();
        assert_eq!(
            got,
            vec![
                ("a".into(), FieldKind::Categorical),
                ("n".into(), FieldKind::Numeric),
                ("t".into(), FieldKind::Categorical),
                ("u.paid".into(), FieldKind::Boolean),
                ("u.plan".into(), FieldKind::Categorical),
            ]
        );
    }
}
