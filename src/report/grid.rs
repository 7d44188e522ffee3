//! Aligned text and Markdown tables, shared by the cluster report and the
//! growth report. Cells are measured by display width (CJK names take two
//! columns each); columns for which `right` says so are right-aligned (and
//! marked `---:` in Markdown). Markdown cells have their `|` escaped.

use unicode_width::UnicodeWidthStr;

/// The table: a header line, a rule, then one line per row. Every row must
/// have as many cells as `headers`.
pub(super) fn grid(
    headers: &[String],
    rows: &[Vec<String>],
    right: &dyn Fn(usize) -> bool,
    markdown: bool,
) -> String {
    let escape = |c: &str| {
        if markdown {
            c.replace('|', "\\|")
        } else {
            c.to_string()
        }
    };
    let headers: Vec<String> = headers.iter().map(|h| escape(h)).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| escape(c)).collect())
        .collect();
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i).map(|c| c.width()))
                .chain([headers[i].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                let pad = " ".repeat(w.saturating_sub(c.width()));
                if right(i) {
                    format!("{pad}{c}")
                } else {
                    format!("{c}{pad}")
                }
            })
            .collect();
        if markdown {
            format!("| {} |\n", padded.join(" | "))
        } else {
            format!("{}\n", padded.join("  ").trim_end())
        }
    };
    let mut out = line(&headers);
    if markdown {
        let rule: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let dashes = "-".repeat((*w).max(3));
                if right(i) {
                    format!("{}:", &dashes[1..])
                } else {
                    dashes
                }
            })
            .collect();
        out.push_str(&format!("| {} |\n", rule.join(" | ")));
    } else {
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        out.push_str(&format!("{}\n", rule.join("  ")));
    }
    for r in &rows {
        out.push_str(&line(r));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_by_display_width_and_escapes_markdown() {
        let headers = vec!["name".to_string(), "n".to_string()];
        let rows = vec![
            vec!["日本語".to_string(), "7".to_string()],
            vec!["a|b".to_string(), "12".to_string()],
        ];
        let right = |i: usize| i == 1;
        let text = grid(&headers, &rows, &right, false);
        assert_eq!(text, "name     n\n------  --\n日本語   7\na|b     12\n");
        let md = grid(&headers, &rows, &right, true);
        assert_eq!(
            md,
            "| name   |  n |\n| ------ | --: |\n| 日本語 |  7 |\n| a\\|b   | 12 |\n"
        );
    }
}
