//! The run screen: one pane per stage (done/total, rate, ETA, tokens, cost,
//! retries, errors), the log, and a live preview of the latest summaries and
//! cluster names. Also the cost confirmation dialog.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::text::{count, duration, fit, short, truncate, width};
use super::{bars, dialog, pane_block};
use crate::pipeline::{LogLevel, Outcome, Stage, StageProgress};
use crate::tui::layout;
use crate::tui::state::{ConfirmState, RunState, State};
use crate::tui::theme::Theme;

pub fn draw(run: &RunState, state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let (body, bar) = layout::with_bar(area);
    let error_h = if run.error.is_some() { 2 } else { 0 };
    let cols: u16 = if body.width >= 110 { 3 } else { 2 };
    let stages = run.progress.stages.len() as u16;
    let grid_rows = stages.div_ceil(cols);
    let pane_h = if body.height >= grid_rows * 5 + error_h + 7 {
        5
    } else if body.height >= grid_rows * 4 + error_h + 6 {
        4
    } else {
        0
    };
    let grid_h = if pane_h > 0 {
        grid_rows * pane_h
    } else {
        stages + 1
    };
    let [header, error, grid, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(error_h),
        Constraint::Length(grid_h),
        Constraint::Fill(1),
    ])
    .areas(body);
    frame.render_widget(
        Paragraph::new(header_line(run, theme, header.width)),
        header,
    );
    if let Some(e) = &run.error {
        frame.render_widget(
            Paragraph::new(e.clone())
                .style(theme.error)
                .wrap(Wrap { trim: true }),
            error,
        );
    }
    let now = run.progress.now;
    if pane_h > 0 {
        let rows =
            Layout::vertical(vec![Constraint::Length(pane_h); grid_rows as usize]).split(grid);
        for (i, (stage, p)) in run.progress.stages.iter().enumerate() {
            let row = rows[i / cols as usize];
            let cells =
                Layout::horizontal(vec![Constraint::Ratio(1, u32::from(cols)); cols as usize])
                    .split(row);
            stage_pane(*stage, p, now, theme, frame, cells[i % cols as usize]);
        }
    } else {
        compact(run, theme, frame, grid);
    }
    if bottom.height >= 3 {
        let split = if bottom.width >= 76 {
            Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]).split(bottom)
        } else {
            Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1)]).split(bottom)
        };
        log(run, theme, frame, split[0]);
        previews(run, theme, frame, split[1]);
    }
    bars::hints(state, frame, bar);
}

fn header_line(run: &RunState, theme: &Theme, w: u16) -> Line<'static> {
    let p = &run.progress;
    let status = if run.loading {
        "loading results…".to_string()
    } else {
        match (&p.outcome, run.after) {
            (Some(Outcome::Completed), _) => "complete".into(),
            (Some(Outcome::Cancelled), _) => "cancelled".into(),
            (Some(Outcome::Failed(_)), _) => "failed".into(),
            (None, Some(_)) => "cancelling…".into(),
            (None, None) => "running".into(),
        }
    };
    let text = format!(
        " {} · {status} · elapsed {} · est. cost ${:.3}",
        run.title,
        duration(p.now),
        p.total_cost()
    );
    Line::from(Span::styled(truncate(&text, usize::from(w)), theme.title))
}

fn stage_title(stage: Stage, p: &StageProgress) -> String {
    let mark = if p.is_finished() {
        if p.from_checkpoint {
            "✓ cached"
        } else {
            "✓"
        }
    } else if p.is_running() {
        "…"
    } else {
        "waiting"
    };
    format!(" {} {mark} ", stage.name())
}

/// `██████░░░░ 412/1,000 41%` in `w` columns.
fn gauge(p: &StageProgress, w: usize, theme: &Theme) -> Line<'static> {
    let frac = p.fraction();
    let nums = if p.total > 0 {
        format!(" {}/{} {:.0}%", count(p.done), count(p.total), frac * 100.0)
    } else if p.is_finished() {
        " done".to_string()
    } else {
        String::new()
    };
    let bar_w = w.saturating_sub(width(&nums));
    let filled = ((bar_w as f64) * frac).round() as usize;
    Line::from(vec![
        Span::styled("█".repeat(filled.min(bar_w)), theme.ok),
        Span::styled("░".repeat(bar_w - filled.min(bar_w)), theme.dim),
        Span::styled(nums, theme.text),
    ])
}

fn stage_pane(
    stage: Stage,
    p: &StageProgress,
    now: std::time::Duration,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let active = p.is_running();
    frame.render_widget(pane_block(stage_title(stage, p), active, theme), area);
    let inner = layout::inner(area);
    if inner.is_empty() {
        return;
    }
    let w = usize::from(inner.width);
    let rate = p
        .rate(now)
        .map(|r| format!("{r:.1}/s"))
        .unwrap_or_else(|| "–/s".into());
    let eta = match (p.started_at, p.finished_at) {
        (Some(s), Some(f)) => format!("took {}", duration(f.saturating_sub(s))),
        _ => format!(
            "ETA {}",
            p.eta(now).map(duration).unwrap_or_else(|| "–".into())
        ),
    };
    let tokens = short(p.input_tokens + p.output_tokens);
    let line2 = format!("{rate} · {eta} · {tokens} tok · ${:.3}", p.cost_usd);
    let mut line3 = format!("retries {} · errors {}", p.retries, p.errors);
    if let (Some((limit, in_flight)), true) = (p.concurrency, p.is_running()) {
        line3.push_str(&format!(" · {in_flight}/{limit} in flight"));
    }
    let err_style = if p.errors > 0 { theme.error } else { theme.dim };
    let mut lines = vec![
        gauge(p, w, theme),
        Line::styled(truncate(&line2, w), theme.text),
    ];
    if inner.height >= 3 {
        lines.push(Line::styled(truncate(&line3, w), err_style));
    } else if let Some(l) = lines.get_mut(1) {
        let short3 = format!(" ↻{} ✗{}", p.retries, p.errors);
        let room = w.saturating_sub(width(&short3));
        *l = Line::styled(format!("{}{short3}", fit(&line2, room)), theme.text);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// One line per stage, for short terminals.
fn compact(run: &RunState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let w = usize::from(area.width);
    let name_w = 12;
    let mut lines = vec![Line::styled(
        truncate(
            "stage        progress · rate · ETA · tokens · cost · retries/errors",
            w,
        ),
        theme.dim,
    )];
    let now = run.progress.now;
    for (stage, p) in &run.progress.stages {
        let rate = p
            .rate(now)
            .map(|r| format!("{r:.1}/s"))
            .unwrap_or_else(|| "–".into());
        let eta = p.eta(now).map(duration).unwrap_or_else(|| "–".into());
        let text = format!(
            "{}/{} · {rate} · {eta} · {} · ${:.3} · {}/{}",
            count(p.done),
            count(p.total),
            short(p.input_tokens + p.output_tokens),
            p.cost_usd,
            p.retries,
            p.errors
        );
        lines.push(Line::from(vec![
            Span::styled(
                fit(stage.name(), name_w),
                if p.is_running() {
                    theme.accent
                } else {
                    theme.text
                },
            ),
            Span::styled(truncate(&text, w.saturating_sub(name_w)), theme.text),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn log(run: &RunState, theme: &Theme, frame: &mut Frame, area: Rect) {
    frame.render_widget(pane_block(" Log ", false, theme), area);
    let inner = layout::inner(area);
    let rows = usize::from(inner.height);
    let log = &run.progress.log;
    let end = log.len().saturating_sub(run.log_scroll);
    let start = end.saturating_sub(rows);
    let w = usize::from(inner.width);
    let lines: Vec<Line> = log
        .iter()
        .skip(start)
        .take(end - start)
        .map(|(level, msg)| {
            let style = match level {
                LogLevel::Info => theme.text,
                LogLevel::Warn => theme.warn,
                LogLevel::Error => theme.error,
            };
            Line::styled(truncate(&super::text::clean(msg), w), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn previews(run: &RunState, theme: &Theme, frame: &mut Frame, area: Rect) {
    frame.render_widget(pane_block(" Latest results ", false, theme), area);
    let inner = layout::inner(area);
    let rows = usize::from(inner.height);
    let w = usize::from(inner.width);
    let lines: Vec<Line> = run
        .progress
        .previews
        .iter()
        .rev()
        .take(rows)
        .map(|(stage, text)| {
            Line::from(vec![
                Span::styled(format!("{:<10}", stage.name()), theme.dim),
                Span::styled(
                    truncate(&super::text::clean(text), w.saturating_sub(10)),
                    theme.text,
                ),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The cost confirmation dialog.
pub fn confirm(c: &ConfirmState, state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let (body, bar) = layout::with_bar(area);
    let rect = layout::centered(
        body,
        body.width.saturating_sub(4).min(70),
        body.height.min(12),
    );
    let Some(inner) = dialog(frame, rect, format!(" {} ", c.title), theme) else {
        return;
    };
    let mut lines: Vec<Line> = c
        .text
        .lines()
        .map(|l| Line::styled(l.to_string(), theme.text))
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("y", theme.key),
        Span::styled(" run it   ", theme.text),
        Span::styled("n", theme.key),
        Span::styled(" stop", theme.text),
    ]));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    bars::hints(state, frame, bar);
}
