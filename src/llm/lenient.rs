//! Lenient reading of small models' JSON: the predictable ways they break
//! it are fixed before a repair round trip is spent, and each fix is
//! counted.
//!
//! Three passes: `cut_off::close_cut_off` ends an object the model was
//! cut off in (it hit `max_tokens`), [`relax`] turns near-JSON text into
//! JSON (trailing commas, single-quoted strings, Python's `True`/`False`/
//! `None`), and [`coerce`] fits the parsed value to the request's JSON
//! schema (numbers given as strings, a list given as one string, values of
//! the wrong type, numbers out of range, missing properties filled with
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
    /// The answer stopped inside the object (at `max_tokens`) and was
    /// closed where it stopped or at an earlier comma.
    pub cut_off: u32,
    /// A value of another type made to fit: a list of sentences joined
    /// for a text field, a number written for a text field, list items
    /// turned into text; or set to `null` when unreadable (a score given
    /// as words or a list).
    pub wrong_types: u32,
    /// A number outside the schema's `minimum`..`maximum`, moved to the
    /// nearest end.
    pub clamped: u32,
    /// Answers that were unusable even so and were asked again.
    pub reasked: u32,
}

impl ParseFixes {
    /// Each kind with its human name, in a fixed order.
    pub fn kinds(&self) -> [(&'static str, u32); 12] {
        [
            ("JSON among prose", self.extracted),
            ("trailing commas", self.trailing_commas),
            ("single quotes", self.single_quotes),
            ("Python literals", self.python_literals),
            ("numbers as strings", self.numbers_as_strings),
            ("lists as strings", self.lists_from_strings),
            ("missing fields filled", self.missing_filled),
            ("extra fields dropped", self.extra_fields),
            ("cut-off answers closed", self.cut_off),
            ("wrong types fixed", self.wrong_types),
            ("numbers clamped to range", self.clamped),
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
        self.cut_off += o.cut_off;
        self.wrong_types += o.wrong_types;
        self.clamped += o.clamped;
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
pub(crate) fn opens_string(prev: Option<char>) -> bool {
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
    wrong: bool,
    clamped: bool,
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
    fixes.wrong_types += u32::from(seen.wrong);
    fixes.clamped += u32::from(seen.clamped);
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
                if kind(item_schema) == Some("string") {
                    fit_string_items(items, seen);
                }
                for item in items {
                    fit(item, item_schema, seen);
                }
            }
        }
        (Some("string"), Value::Array(items)) if items.iter().all(is_scalar) => {
            let parts: Vec<String> = items.iter().filter_map(scalar_text).collect();
            *value = Value::String(parts.join(" "));
            seen.wrong = true;
        }
        (Some("string"), Value::Number(_) | Value::Bool(_)) => {
            *value = Value::String(value.to_string());
            seen.wrong = true;
        }
        (Some(k @ ("integer" | "number")), Value::String(s)) => {
            *value = match read_number(s, k == "integer") {
                Some(n) => {
                    seen.numbers = true;
                    n
                }
                None => {
                    seen.wrong = true;
                    Value::Null
                }
            };
            clamp(value, schema, seen);
        }
        (Some("integer"), Value::Number(n)) => {
            // 3.0 for 3.
            if let Some(f) = n
                .as_f64()
                .filter(|f| f.fract() == 0.0 && !n.is_i64() && !n.is_u64())
            {
                *value = Value::from(f as i64);
            }
            clamp(value, schema, seen);
        }
        (Some("number"), Value::Number(_)) => clamp(value, schema, seen),
        (Some("integer" | "number"), Value::Array(_) | Value::Object(_) | Value::Bool(_)) => {
            *value = Value::Null;
            seen.wrong = true;
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

fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// A scalar as text (a string without its quotes).
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        _ => None,
    }
}

/// A list of strings that holds other things: numbers and flags become
/// text, nulls, lists and objects are dropped.
fn fit_string_items(items: &mut Vec<Value>, seen: &mut Seen) {
    if items.iter().all(Value::is_string) {
        return;
    }
    let before = items.len();
    let fixed: Vec<Value> = items
        .iter()
        .filter_map(|v| scalar_text(v).map(Value::String))
        .collect();
    seen.wrong |= fixed.len() != before || fixed != *items;
    *items = fixed;
}

/// The number a string holds: all of it (`" 3 "`), or where it starts
/// with one (`"2 - slightly impatient"`, `"4/5"`). An integer field takes
/// a whole float (`"3.0"`).
fn read_number(s: &str, integer: bool) -> Option<Value> {
    let t = s.trim();
    let lead: String = t
        .char_indices()
        .take_while(|(i, c)| c.is_ascii_digit() || *c == '.' || (*i == 0 && *c == '-'))
        .map(|(_, c)| c)
        .collect();
    let whole = t.parse::<f64>().ok();
    let f = whole.or_else(|| lead.trim_end_matches('.').parse::<f64>().ok())?;
    if integer {
        t.parse::<i64>()
            .ok()
            .or_else(|| (f.fract() == 0.0).then_some(f as i64))
            .map(Value::from)
    } else {
        serde_json::Number::from_f64(f).map(Value::Number)
    }
}

/// Moves a number outside the schema's `minimum`..`maximum` to the
/// nearest end.
fn clamp(value: &mut Value, schema: &Value, seen: &mut Seen) {
    let Some(n) = value.as_f64() else {
        return;
    };
    let lo = schema.get("minimum").and_then(Value::as_f64);
    let hi = schema.get("maximum").and_then(Value::as_f64);
    let bound = match (lo, hi) {
        (Some(lo), _) if n < lo => schema.get("minimum"),
        (_, Some(hi)) if n > hi => schema.get("maximum"),
        _ => None,
    };
    if let Some(b) = bound {
        *value = b.clone();
        seen.clamped = true;
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
    fn coerce_fixes_wrong_types_and_ranges() {
        let schema = json!({"type": "object", "properties": {
            "score": {"type": "integer", "minimum": 1, "maximum": 5},
            "worry": {"type": "integer", "minimum": 1, "maximum": 5},
            "mood": {"type": "integer"},
            "n": {"type": "number"},
            "text": {"type": "string"},
            "count": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "lead": {"type": "integer"}
        }});
        let mut v = json!({
            "score": ["annoyed", "very"], "worry": 7, "mood": "high", "n": 2.0,
            "text": ["One.", "Two."], "count": 3, "tags": [1, "a", {"x": 1}, null],
            "lead": "2 - slightly impatient", "extra": 1
        });
        let mut f = ParseFixes::default();
        coerce(&mut v, &schema, &mut f);
        assert_eq!(
            v,
            json!({
                "score": null, "worry": 5, "mood": null, "n": 2.0,
                "text": "One. Two.", "count": "3", "tags": ["1", "a"],
                "lead": 2, "extra": 1
            })
        );
        assert_eq!(
            (
                f.wrong_types,
                f.clamped,
                f.numbers_as_strings,
                f.extra_fields
            ),
            (1, 1, 1, 0)
        );
        assert_eq!(split_list(r#"["a", "b, c"]"#), ["a", "b, c"]);
        assert!(split_list("  ").is_empty());
    }
}
