//! How a conversation is shown to the LLM, and how a long one is cut to fit.
//!
//! The rule, applied only when the rendered text exceeds `max_chars`:
//! 1. tool output goes first: every tool message is cut to its first 300
//!    characters plus a marker saying how much was dropped;
//! 2. if still too long, the start and the end are kept: messages are taken
//!    alternately from the front and the back until half the budget is used
//!    on each side, and the middle is replaced by a marker counting the
//!    omitted messages; a single message longer than its share keeps its
//!    beginning and its end.
//!
//! The stored conversation is never changed; only the prompt text is cut.

use crate::model::{Conversation, Role};

const TOOL_KEEP: usize = 300;
/// Below this much room a message is omitted rather than squeezed to a
/// marker with no text around it.
const MIN_PIECE: usize = 80;

fn cut_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn tail_chars(s: &str, max: usize) -> &str {
    if max == 0 {
        return "";
    }
    let n = s.chars().count();
    if n <= max {
        return s;
    }
    match s.char_indices().nth(n - max) {
        Some((i, _)) => &s[i..],
        None => s,
    }
}

/// Keeps the start and end of one long text.
fn squeeze(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let half = max.saturating_sub(40) / 2;
    format!(
        "{}\n[… {} characters omitted …]\n{}",
        cut_chars(s, half),
        n - 2 * half,
        tail_chars(s, half)
    )
}

fn block(role: Role, content: &str) -> String {
    format!("<{role}>\n{}\n</{role}>\n", content.trim())
}

/// Renders `conv` for a prompt, cut to about `max_chars` characters.
pub fn render(conv: &Conversation, max_chars: usize) -> String {
    let full: Vec<String> = conv
        .messages
        .iter()
        .map(|m| block(m.role, &m.content))
        .collect();
    let total: usize = full.iter().map(|b| b.chars().count()).sum();
    if total <= max_chars || max_chars == 0 {
        return full.concat();
    }
    // Step 1: tool output goes first.
    let blocks: Vec<String> = conv
        .messages
        .iter()
        .map(|m| {
            if m.role == Role::Tool {
                let n = m.content.chars().count();
                if n > TOOL_KEEP {
                    let kept = cut_chars(&m.content, TOOL_KEEP);
                    return block(
                        m.role,
                        &format!(
                            "{kept}\n[… {} characters of tool output omitted …]",
                            n - TOOL_KEEP
                        ),
                    );
                }
            }
            block(m.role, &m.content)
        })
        .collect();
    let total: usize = blocks.iter().map(|b| b.chars().count()).sum();
    if total <= max_chars {
        return blocks.concat();
    }
    // Step 2: keep the start and the end.
    let side = max_chars / 2;
    let (mut head, mut tail) = (Vec::new(), Vec::new());
    let (mut head_used, mut tail_used) = (0usize, 0usize);
    let (mut lo, mut hi) = (0usize, blocks.len());
    while lo < hi {
        let progressed_head = if head_used < side {
            let b = &blocks[lo];
            let len = b.chars().count();
            let room = side - head_used;
            if len > room && room < MIN_PIECE {
                // Too little room left on this side for a useful piece.
                head_used = side;
                continue;
            }
            head.push(if len > room {
                squeeze(b, room)
            } else {
                b.clone()
            });
            head_used += len.min(room.max(1));
            lo += 1;
            true
        } else {
            false
        };
        if lo >= hi {
            break;
        }
        let progressed_tail = if tail_used < side {
            let b = &blocks[hi - 1];
            let len = b.chars().count();
            let room = side - tail_used;
            if len > room && room < MIN_PIECE {
                // Too little room left on this side for a useful piece.
                tail_used = side;
                continue;
            }
            tail.push(if len > room {
                squeeze(b, room)
            } else {
                b.clone()
            });
            tail_used += len.min(room.max(1));
            hi -= 1;
            true
        } else {
            false
        };
        if !progressed_head && !progressed_tail {
            break;
        }
    }
    let omitted = hi - lo;
    let mut out = head.concat();
    if omitted > 0 {
        out.push_str(&format!("[… {omitted} messages omitted …]\n"));
    }
    tail.reverse();
    out.push_str(&tail.concat());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Message;

    fn conv(msgs: Vec<(Role, String)>) -> Conversation {
        Conversation::new(
            "c",
            msgs.into_iter().map(|(r, c)| Message::new(r, c)).collect(),
        )
    }

    #[test]
    fn short_conversations_are_untouched() {
        let c = conv(vec![
            (Role::User, "hi".into()),
            (Role::Assistant, "hello".into()),
        ]);
        let r = render(&c, 1000);
        assert_eq!(r, "<user>\nhi\n</user>\n<assistant>\nhello\n</assistant>\n");
    }

    #[test]
    fn tool_output_is_cut_first() {
        let c = conv(vec![
            (Role::User, "find it".into()),
            (Role::Tool, "x".repeat(5000)),
            (Role::Assistant, "found".into()),
        ]);
        let r = render(&c, 1000);
        assert!(r.contains("4700 characters of tool output omitted"));
        assert!(r.contains("find it") && r.contains("found"));
        assert!(r.chars().count() < 1000);
    }

    #[test]
    fn keeps_start_and_end_of_long_conversations() {
        let mut msgs = vec![(Role::User, "FIRST question".to_string())];
        for i in 0..200 {
            msgs.push((
                Role::Assistant,
                format!("middle answer {i} {}", "é".repeat(50)),
            ));
        }
        msgs.push((Role::User, "LAST complaint".to_string()));
        let r = render(&conv(msgs), 2000);
        assert!(r.starts_with("<user>\nFIRST question"));
        assert!(r.trim_end().ends_with("LAST complaint\n</user>"));
        assert!(r.contains("messages omitted"));
        assert!(r.chars().count() <= 2050, "{}", r.chars().count());
    }

    #[test]
    fn one_huge_message_keeps_both_ends() {
        let text = format!("BEGIN{}END", "a".repeat(5_000_000));
        let r = render(&conv(vec![(Role::User, text)]), 4000);
        assert!(r.contains("BEGIN") && r.contains("END"));
        assert!(r.chars().count() < 4050);
    }

    #[test]
    fn cut_tool_heavy_conversations_stay_within_the_budget() {
        let mut msgs = vec![(Role::User, "FIRST".to_string())];
        for i in 0..40 {
            msgs.push((Role::Assistant, format!("Calling the tool, step {i}.")));
            msgs.push((Role::Tool, format!("TOOL-{i} {}", "x".repeat(5_000))));
        }
        msgs.push((Role::User, "LAST".to_string()));
        let c = conv(msgs);
        for max in [500, 1_000, 3_000, 6_000, 12_000] {
            let r = render(&c, max);
            assert!(
                r.chars().count() <= max + 40,
                "{max}: {}",
                r.chars().count()
            );
            assert!(
                r.starts_with("<user>\nFIRST") && r.contains("LAST"),
                "{max}"
            );
            assert!(!r.contains(&"x".repeat(301)), "{max}: tool output is cut");
        }
    }
}
