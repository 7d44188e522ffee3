//! Lenient reading of small models' JSON: the predictable ways they break
//! it are fixed before a repair round trip is spent, and each fix is
//! counted.
//!
//! Two passes: [`relax`] turns near-JSON text into JSON (trailing commas,
//! single-quoted strings, Python's `True`/`False`/`None`), and [`coerce`]
//! fits the parsed value to the request's JSON schema (numbers given as
//! strings, a list given as one string, missing properties filled with
//! neutral values, properties the schema does not allow dropped).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How many answers needed each kind of fix. An answer counts once per
/// kind, however many places in it were fixed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ParseFixes {
    /// The JSON sat in a code fence or among prose.
    pub extracted: u32,
    pub trailing_commas: u32,
    pub single_quotes: u32,
    /// `True`, `False` or `None` for `true`, `false`, `null`.
    pub python_literals: u32,
    /// A number or boolean given as a string (`"3"`).
    pub numbers_as_strings: u32,
    /// A list given as one string (`"python, rust"`).
    pub lists_from_strings: u32,
    /// A property left out, filled with a neutral value (`""`, `[]`, or
    /// `null` for numbers and booleans).
    pub missing_filled: u32,
    /// Properties the schema does not allow, dropped.
    pub extra_fields: u32,
    /// Answers that were unusable even so and were asked again.
    pub reasked: u32,
}

impl ParseFixes {
    /// Each kind with its human name, in a fixed order.
    pub fn kinds(&self) -> [(&'static str, u32); 9] {
        [
            ("JSON among prose", self.extracted),
            ("trailing commas", self.trailing_commas),
            ("single quotes", self.single_quotes),
            ("Python literals", self.python_literals),
            ("numbers as strings", self.numbers_as_strings),
            ("lists as strings", self.lists_from_strings),
            ("missing fields filled", self.missing_filled),
            ("extra fields dropped", self.extra_fields),
            ("re-asked", self.reasked),
        ]
    }

    pub fn is_empty(&self) -> bool {
        self.kinds().iter().all(|(_, n)| *n == 0)
    }

    pub fn add(&mut self, o: &ParseFixes) {
        self.extracted += o.extracted;
        self.trailing_commas += o.trailing_commas;
        self.single_quotes += o.single_quotes;
        self.python_literals += o.python_literals;
        self.numbers_as_strings += o.numbers_as_strings;
        self.lists_from_strings += o.lists_from_strings;
        self.missing_filled += o.missing_filled;
        self.extra_fields += o.extra_fields;
        self.reasked += o.reasked;
    }

    /// `trailing commas 3, numbers as strings 1`; empty when nothing was
    /// fixed.
    pub fn render(&self) -> String {
        self.kinds()
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// True when a quote at this point opens a string: at the start, or after
/// `{`, `[`, `:` or `,` (ignoring whitespace). An apostrophe anywhere else
/// is text.
fn opens_string(prev: Option<char>) -> bool {
    matches!(prev, None | Some('{' | '[' | ':' | ','))
}

/// Copies a string that starts at `chars[i]` (the opening `quote`) as a
/// JSON string; returns the index after the closing quote.
fn copy_string(chars: &[char], mut i: usize, quote: char, out: &mut String) -> usize {
    out.push('"');
    i += 1;
    while let Some(&c) = chars.get(i) {
        match c {
            '\\' => {
                match chars.get(i + 1) {
                    // `\'` is not a JSON escape; the quote needs none.
                    Some('\'') => out.push('\''),
                    Some(&n) => {
                        out.push('\\');
                        out.push(n);
                    }
                    None => out.push('\\'),
                }
                i += 2;
                continue;
            }
            c if c == quote => {
                out.push('"');
                return i + 1;
            }
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
        i += 1;
    }
    i
}

/// Rewrites near-JSON into JSON: drops trailing commas, turns
/// single-quoted strings into double-quoted ones and Python literals into
/// JSON ones, counting each kind in `fixes`. Valid JSON comes back as it
/// was.
pub(crate) fn relax(text: &str, fixes: &mut ParseFixes) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let (mut commas, mut singles, mut python) = (false, false, false);
    let mut prev: Option<char> = None;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '"' => {
                i = copy_string(&chars, i, '"', &mut out);
                prev = Some('"');
                continue;
            }
            '\'' if opens_string(prev) => {
                singles = true;
                i = copy_string(&chars, i, '\'', &mut out);
                prev = Some('"');
                continue;
            }
            ',' => {
                let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
                if matches!(next, Some('}' | ']')) {
                    commas = true;
                } else {
                    out.push(',');
                    prev = Some(',');
                }
            }
            c if c.is_ascii_alphabetic() => {
                let end = chars[i..]
                    .iter()
                    .position(|c| !c.is_ascii_alphanumeric() && *c != '_')
                    .map_or(chars.len(), |n| i + n);
                let word: String = chars[i..end].iter().collect();
                let fixed = match word.as_str() {
                    "True" => Some("true"),
                    "False" => Some("false"),
                    "None" => Some("null"),
                    _ => None,
                };
                match fixed {
                    Some(f) => {
                        python = true;
                        out.push_str(f);
                    }
                    None => out.push_str(&word),
                }
                prev = chars.get(end - 1).copied();
                i = end;
                continue;
            }
            c => {
                out.push(c);
                if !c.is_whitespace() {
                    prev = Some(c);
                }
            }
        }
        i += 1;
    }
    fixes.trailing_commas += u32::from(commas);
    fixes.single_quotes += u32::from(singles);
    fixes.python_literals += u32::from(python);
    out
}

/// What [`coerce`] found, before it is folded into [`ParseFixes`] as one
/// count per kind.
#[derive(Default)]
struct Seen {
    numbers: bool,
    lists: bool,
    missing: bool,
    extra: bool,
}

/// Fits `value` to `schema` where the intent is plain, counting each kind
/// of fix in `fixes`. Anything it cannot fix is left for the type check.
pub(crate) fn coerce(value: &mut Value, schema: &Value, fixes: &mut ParseFixes) {
    let mut seen = Seen::default();
    fit(value, schema, &mut seen);
    fixes.numbers_as_strings += u32::from(seen.numbers);
    fixes.lists_from_strings += u32::from(seen.lists);
    fixes.missing_filled += u32::from(seen.missing);
    fixes.extra_fields += u32::from(seen.extra);
}

fn kind(schema: &Value) -> Option<&str> {
    schema.get("type").and_then(Value::as_str)
}

fn fit(value: &mut Value, schema: &Value, seen: &mut Seen) {
    match (kind(schema), &mut *value) {
        (Some("object"), Value::Object(map)) => fit_object(map, schema, seen),
        (Some("array"), Value::String(s)) => {
            let items = schema.get("items").unwrap_or(&Value::Null);
            if kind(items) == Some("string") {
                *value = Value::Array(split_list(s).into_iter().map(Value::String).collect());
                seen.lists = true;
            }
        }
        (Some("array"), Value::Array(items)) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    fit(item, item_schema, seen);
                }
            }
        }
        (Some("integer"), Value::String(s)) => {
            let t = s.trim();
            let n = t.parse::<i64>().ok().or_else(|| {
                t.parse::<f64>()
                    .ok()
                    .filter(|f| f.fract() == 0.0)
                    .map(|f| f as i64)
            });
            if let Some(n) = n {
                *value = Value::from(n);
                seen.numbers = true;
            }
        }
        (Some("integer"), Value::Number(n)) => {
            // 3.0 for 3.
            if let Some(f) = n
                .as_f64()
                .filter(|f| f.fract() == 0.0 && !n.is_i64() && !n.is_u64())
            {
                *value = Value::from(f as i64);
            }
        }
        (Some("number"), Value::String(s)) => {
            if let Some(n) = s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
            {
                *value = Value::Number(n);
                seen.numbers = true;
            }
        }
        (Some("boolean"), Value::String(s)) => {
            let b = match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" => Some(true),
                "false" | "no" => Some(false),
                _ => None,
            };
            if let Some(b) = b {
                *value = Value::Bool(b);
                seen.numbers = true;
            }
        }
        _ => {}
    }
}

fn fit_object(map: &mut Map<String, Value>, schema: &Value, seen: &mut Seen) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, sub) in props {
        match map.get_mut(name) {
            Some(v) => fit(v, sub, seen),
            None => {
                if let Some(neutral) = neutral(sub) {
                    map.insert(name.clone(), neutral);
                    seen.missing = true;
                }
            }
        }
    }
    if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
        let before = map.len();
        map.retain(|k, _| props.contains_key(k));
        seen.extra |= map.len() < before;
    }
}

/// The value a missing property gets: empty for strings, lists and
/// objects, `null` for numbers and booleans (so no score or flag is made
/// up), nothing for a choice among fixed values.
fn neutral(schema: &Value) -> Option<Value> {
    if schema.get("enum").is_some() {
        return None;
    }
    match kind(schema)? {
        "string" => Some(Value::String(String::new())),
        "array" => Some(Value::Array(Vec::new())),
        "object" => {
            let mut map = Map::new();
            fit_object(&mut map, schema, &mut Seen::default());
            Some(Value::Object(map))
        }
        "integer" | "number" | "boolean" => Some(Value::Null),
        _ => None,
    }
}

/// The items of a list written as one string: a JSON array in a string,
/// else the parts between commas, semicolons or line breaks (bullets and
/// surrounding quotes removed). An empty string is an empty list.
fn split_list(s: &str) -> Vec<String> {
    if let Ok(items) = serde_json::from_str::<Vec<String>>(s.trim()) {
        return items;
    }
    s.split([',', ';', '\n'])
        .map(|p| {
            p.trim()
                .trim_start_matches(['-', '*', '•'])
                .trim()
                .trim_matches(['"', '\''])
                .trim()
                .to_string()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn relaxed(text: &str) -> (Value, ParseFixes) {
        let mut f = ParseFixes::default();
        let out = relax(text, &mut f);
        (serde_json::from_str(&out).unwrap_or(Value::Null), f)
    }

    #[test]
    fn valid_json_is_untouched() {
        let text = r#"{"a": "it's, fine", "b": [1, 2], "c": "True"}"#;
        let mut f = ParseFixes::default();
        assert_eq!(relax(text, &mut f), text);
        assert!(f.is_empty());
    }

    #[test]
    fn relax_fixes_commas_quotes_and_literals() {
        let (v, f) = relaxed("{'a': 'it\\'s \"x\"', 'b': [1, 2,], 'c': True, 'd': None,}");
        assert_eq!(
            v,
            json!({"a": "it's \"x\"", "b": [1, 2], "c": true, "d": null})
        );
        assert_eq!(
            (f.trailing_commas, f.single_quotes, f.python_literals),
            (1, 1, 1)
        );
        assert_eq!(
            f.render(),
            "trailing commas 1, single quotes 1, Python literals 1"
        );
    }

    #[test]
    fn coerce_fits_the_schema() {
        let schema = json!({
            "type": "object",
            "properties": {
                "score": {"type": "integer"},
                "ratio": {"type": "number"},
                "ok": {"type": "boolean"},
                "langs": {"type": "array", "items": {"type": "string"}},
                "note": {"type": "string"},
                "pick": {"type": "string", "enum": ["a", "b"]}
            },
            "additionalProperties": false
        });
        let mut v = json!({"score": " 3 ", "ratio": "0.5", "ok": "yes", "langs": "python, rust;\n- go", "extra": 1});
        let mut f = ParseFixes::default();
        coerce(&mut v, &schema, &mut f);
        assert_eq!(
            v,
            json!({"score": 3, "ratio": 0.5, "ok": true, "langs": ["python", "rust", "go"], "note": ""})
        );
        assert_eq!(
            (
                f.numbers_as_strings,
                f.lists_from_strings,
                f.missing_filled,
                f.extra_fields
            ),
            (1, 1, 1, 1)
        );
    }

    #[test]
    fn coerce_leaves_what_it_cannot_read() {
        let schema = json!({"type": "object", "properties": {"score": {"type": "integer"}, "n": {"type": "number"}}});
        let mut v = json!({"score": "high", "n": 2.0, "extra": 1});
        let mut f = ParseFixes::default();
        coerce(&mut v, &schema, &mut f);
        assert_eq!(v, json!({"score": "high", "n": 2.0, "extra": 1}));
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(split_list(r#"["a", "b, c"]"#), ["a", "b, c"]);
        assert!(split_list("  ").is_empty());
    }
}
