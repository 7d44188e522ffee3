//! Ending a JSON object that a model was cut off in: small models often
//! repeat list items until `max_tokens` stops them mid-string.

use super::json_scan::JsonScan;

/// How many earlier commas [`close_cut_off`] tries to cut back to.
const CUT_BACK: usize = 3;

/// Ways to end a JSON object that stops part-way (the model hit
/// `max_tokens`, often while repeating itself), most kept first: closed
/// where it stops (an open string ended), then cut back to each of the
/// last few commas outside strings, dropping the unfinished item. `text`
/// starts at the object's `{`. Each way is only a candidate: the caller
/// keeps the first that parses and passes its checks.
pub(crate) fn close_cut_off(text: &str) -> Vec<String> {
    let mut stack: Vec<char> = Vec::new();
    let mut commas: Vec<(usize, Vec<char>)> = Vec::new();
    let mut scan = JsonScan::default();
    for (i, c) in text.char_indices() {
        if !scan.outside(c) {
            continue;
        }
        match c {
            '{' => stack.push('}'),
            '[' => stack.push(']'),
            '}' | ']' => {
                stack.pop();
                if stack.is_empty() {
                    // Complete after all: nothing to close.
                    return Vec::new();
                }
            }
            ',' => commas.push((i, stack.clone())),
            _ => {}
        }
    }
    if stack.is_empty() {
        return Vec::new();
    }
    let closers = |s: &[char]| s.iter().rev().collect::<String>();
    let mut out = Vec::with_capacity(CUT_BACK + 1);
    let mut whole = text.trim_end().to_string();
    if let Some(q) = scan.open_quote() {
        if scan.escaped() {
            whole.pop();
        }
        whole.push(q);
    }
    whole.push_str(&closers(&stack));
    out.push(whole);
    for (at, open) in commas.iter().rev().take(CUT_BACK) {
        out.push(format!("{}{}", &text[..*at], closers(open)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_off_objects_are_closed_where_they_stop_or_at_a_comma() {
        let text = r#"{"summary": "Booked a table.", "errors": ["One", "Two is lo"#;
        let got = close_cut_off(text);
        assert_eq!(
            got,
            [
                r#"{"summary": "Booked a table.", "errors": ["One", "Two is lo"]}"#,
                r#"{"summary": "Booked a table.", "errors": ["One"]}"#,
                r#"{"summary": "Booked a table."}"#,
            ]
        );
        // A key without its value only closes at a comma.
        let got = close_cut_off(r#"{"a": "x, y", "b": {"c": 1}, "d":"#);
        assert_eq!(got[1], r#"{"a": "x, y", "b": {"c": 1}}"#);
        // Braces and quotes inside strings do not count.
        assert_eq!(close_cut_off(r#"{"a": "} \" {"#)[0], r#"{"a": "} \" {"}"#);
        assert!(close_cut_off(r#"{"a": 1}"#).is_empty());
    }
}
