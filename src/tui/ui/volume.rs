//! The selected cluster's volume over time, as a one-line sparkline under a
//! label (`Volume per day · 2024-03-01 → 2024-03-28 · peak 14`), drawn at
//! the top of the detail pane's list when the conversations carry dates.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Sparkline};

use super::text::truncate;
use crate::tui::explorer::Explorer;
use crate::tui::theme::Theme;

/// Rows the volume takes: a label and the sparkline.
const ROWS: u16 = 2;
/// The list keeps at least this many rows.
const MIN_LIST: u16 = 3;

/// Draws the volume of the selected cluster at the top of `area` and
/// returns the rest of it (all of it when there is nothing to draw).
pub fn draw(ex: &Explorer, theme: &Theme, frame: &mut Frame, area: Rect) -> Rect {
    let Some(timeline) = ex.analysis.marks.timeline.as_ref() else {
        return area;
    };
    let Some(cluster) = ex.selected_cluster() else {
        return area;
    };
    if area.height < ROWS + MIN_LIST || area.width < 12 {
        return area;
    }
    let Some(series) = timeline.series.get(&cluster.id) else {
        return area;
    };
    let w = usize::from(area.width);
    // The latest buckets when the series is wider than the pane.
    let shown = &series[series.len().saturating_sub(w)..];
    let first = timeline.bucket_start(series.len() - shown.len());
    let last = timeline.bucket_start(series.len().saturating_sub(1));
    let peak = shown.iter().copied().max().unwrap_or(0);
    let label = format!(
        "Volume per {} · {first} → {last} · peak {peak}",
        timeline.bucket.word()
    );
    let label_area = Rect::new(area.x, area.y, area.width, 1);
    frame.render_widget(
        Paragraph::new(Line::styled(truncate(&label, w), theme.accent)),
        label_area,
    );
    let spark_area = Rect::new(area.x, area.y + 1, area.width.min(shown.len() as u16), 1);
    frame.render_widget(
        Sparkline::default()
            .data(shown.iter().copied())
            .max(peak.max(1))
            .style(theme.bar),
        spark_area,
    );
    Rect::new(area.x, area.y + ROWS, area.width, area.height - ROWS)
}
