//! How the answer's shape is shown to a model that cannot be given the
//! JSON schema itself (the `json_object` and text modes): an example
//! object with a placeholder for every field, and the ranges and fixed
//! choices in words.
//!
//! Small models copy what they see. Shown a JSON schema, SmolLM2-135M on
//! llama-cpp-python's server answered with a schema-like object
//! (`"type": "object", "properties": {...}`) instead of the facets; shown
//! an example object, it answered in that shape.

use serde_json::{Map, Value};

use super::types::JsonSchemaSpec;

/// The instruction that asks for JSON when the server cannot be told the
/// schema directly.
pub(crate) fn instruction(spec: &JsonSchemaSpec) -> String {
    let mut text = format!(
        "Answer with a single JSON object and nothing else: no prose and no code fences. \
         Use exactly this shape, replacing every placeholder value with your answer:\n{}",
        example(&spec.schema)
    );
    let rules = constraints(&spec.schema);
    if !rules.is_empty() {
        text.push_str("\nWhere:\n");
        for r in rules {
            text.push_str(&format!("- {r}\n"));
        }
    }
    text
}

fn kind(schema: &Value) -> Option<&str> {
    schema.get("type").and_then(Value::as_str)
}

/// An example value of `schema`: `"..."` for text, the lowest allowed
/// number, `false`, a list of one example item, and objects field by
/// field in the schema's order. A fixed choice shows its first value.
pub(crate) fn example(schema: &Value) -> Value {
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|v| v.first())
    {
        return first.clone();
    }
    match kind(schema) {
        Some("object") => {
            let mut map = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, sub) in props {
                    map.insert(name.clone(), example(sub));
                }
            }
            Value::Object(map)
        }
        Some("array") => {
            let item = schema.get("items").map_or(Value::Null, example);
            Value::Array(vec![item])
        }
        Some("integer") => Value::from(schema.get("minimum").and_then(Value::as_i64).unwrap_or(0)),
        Some("number") => schema
            .get("minimum")
            .cloned()
            .unwrap_or_else(|| Value::from(0.0)),
        Some("boolean") => Value::Bool(false),
        _ => Value::String("...".into()),
    }
}

/// The rules an example cannot show, one per field that has any: `score
/// is an integer from 1 to 5`, `kind is one of "a", "b"`, `tags is a list
/// of strings`.
pub(crate) fn constraints(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return out;
    };
    for (name, sub) in props {
        if let Some(choices) = sub.get("enum").and_then(Value::as_array) {
            let list: Vec<String> = choices.iter().map(Value::to_string).collect();
            out.push(format!("{name} is one of {}", list.join(", ")));
            continue;
        }
        let (lo, hi) = (sub.get("minimum"), sub.get("maximum"));
        match (kind(sub), lo, hi) {
            (Some(k @ ("integer" | "number")), Some(lo), Some(hi)) => {
                let what = if k == "integer" {
                    "an integer"
                } else {
                    "a number"
                };
                out.push(format!("{name} is {what} from {lo} to {hi}"));
            }
            (Some("array"), _, _) => {
                let item = sub.get("items").and_then(kind).unwrap_or("value");
                out.push(format!("{name} is a list of {item}s (it may be empty)"));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> JsonSchemaSpec {
        JsonSchemaSpec {
            name: "facets".into(),
            schema: json!({
                "type": "object",
                "properties": {
                    "summary": {"type": "string"},
                    "languages": {"type": "array", "items": {"type": "string"}},
                    "score": {"type": "integer", "minimum": 1, "maximum": 5},
                    "ratio": {"type": "number"},
                    "ok": {"type": "boolean"},
                    "pick": {"type": "string", "enum": ["a", "b"]},
                    "inner": {"type": "object", "properties": {"x": {"type": "string"}}}
                },
                "required": ["summary"],
                "additionalProperties": false
            }),
            strict: true,
        }
    }

    #[test]
    fn the_example_has_every_field_in_order() {
        let ex = example(&spec().schema);
        assert_eq!(
            ex.to_string(),
            r#"{"summary":"...","languages":["..."],"score":1,"ratio":0.0,"ok":false,"pick":"a","inner":{"x":"..."}}"#
        );
    }

    #[test]
    fn the_instruction_shows_an_example_not_the_schema() {
        let text = instruction(&spec());
        assert!(text.contains(r#""score":1"#), "{text}");
        assert!(!text.contains("properties"), "{text}");
        assert!(!text.contains("additionalProperties"), "{text}");
        assert!(text.contains("- score is an integer from 1 to 5"), "{text}");
        assert!(text.contains(r#"- pick is one of "a", "b""#), "{text}");
        assert!(
            text.contains("- languages is a list of strings (it may be empty)"),
            "{text}"
        );
    }
}
