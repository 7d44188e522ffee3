//! The map: the raster `update` keeps for the layout, a zoomed map that
//! follows the selection, and the mono theme's emphasis.

mod tui_fixture;

use kura_tui::tui::explorer::{Explorer, Layer};
use kura_tui::tui::{Command, Msg, State, Theme};
use tui_fixture::*;

fn ex(state: &State) -> &Explorer {
    state.explorer_ref().expect("explorer screen")
}

fn selected_name(state: &State) -> String {
    ex(state)
        .selected_cluster()
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

#[test]
fn map_raster_is_kept_until_view_selection_or_size_change() {
    let mut s = explorer_state(120, 40);
    let key = |s: &State| ex(s).raster.as_ref().unwrap().key.clone();
    let first = key(&s);
    {
        let r = ex(&s).raster.as_ref().unwrap();
        assert_eq!(r.visible_points, N);
        assert!(r.layers.iter().any(|(l, _)| *l == Layer::Selected));
    }
    // Moving in the detail list leaves the map alone.
    apply(
        &mut s,
        [Command::NextPane, Command::NextPane, Command::Down],
    );
    assert_eq!(key(&s), first);
    apply(&mut s, [Command::ZoomIn]);
    assert_ne!(key(&s), first);
    let zoomed = key(&s);
    apply(&mut s, [Msg::Resize(100, 30)]);
    assert_ne!(key(&s), zoomed, "a resize re-rasterises");
    assert_eq!((key(&s).width, key(&s).height), (58, 10));
}

#[test]
fn zoomed_map_follows_the_selection() {
    let mut s = explorer_state(120, 40);
    let selected_dots = |s: &State| {
        ex(s)
            .raster
            .as_ref()
            .unwrap()
            .layers
            .iter()
            .filter(|(l, _)| *l == Layer::Selected)
            .map(|(_, d)| d.len())
            .sum::<usize>()
    };
    // Zoomed in 5×, every top-level cluster in turn stays in view.
    apply(&mut s, std::iter::repeat_n(Command::ZoomIn, 4));
    assert!(ex(&s).view.zoom > 5.0);
    let mut centres = Vec::new();
    for step in 0..3 {
        if step > 0 {
            apply(&mut s, [Command::Down]);
        }
        assert!(selected_dots(&s) > 0, "{} is in view", selected_name(&s));
        let v = ex(&s).view;
        centres.push((v.cx, v.cy));
    }
    assert_ne!(centres[0], centres[1], "the view moved with the selection");
    assert_ne!(centres[1], centres[2]);
    // At zoom 1 the whole map shows and selection does not move it.
    apply(&mut s, [Command::ResetView, Command::Up]);
    assert_eq!(ex(&s).view, Default::default());
}

#[test]
fn mono_map_shows_the_selection_by_emphasis() {
    use ratatui::style::Modifier;
    let mut s = explorer_state(120, 40);
    s.theme = Theme::mono();
    let terminal = render(&s, 120, 40);
    let buf = terminal.backend().buffer();
    let (mut bold, mut dim) = (0, 0);
    for cell in buf.content() {
        let braille = cell
            .symbol()
            .chars()
            .next()
            .is_some_and(|c| ('\u{2801}'..='\u{28ff}').contains(&c));
        if !braille {
            continue;
        }
        assert_eq!(cell.fg, ratatui::style::Color::Reset, "mono has no colours");
        if cell.modifier.contains(Modifier::BOLD) {
            bold += 1;
        } else if cell.modifier.contains(Modifier::DIM) {
            dim += 1;
        }
    }
    assert!(bold > 0, "the selected cluster's cells are bold");
    assert!(dim > bold, "the other clusters' cells are dim");
}
