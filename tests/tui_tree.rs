//! The tree model: mutators say whether anything changed and keep the
//! visible rows equal to a full rebuild, whatever the sequence; and the
//! scroll offsets `update` keeps make clicks hit what is drawn, with no
//! render in between.

mod tui_fixture;

use kura_tui::tui::explorer::{Explorer, Row, TreeModel};
use kura_tui::tui::{Command, Msg, State};
use tui_fixture::*;

fn ex(state: &State) -> &Explorer {
    state.explorer_ref().unwrap()
}

fn ex_mut(state: &mut State) -> &mut Explorer {
    state.explorer_mut().unwrap()
}

fn id(e: &Explorer, c: u32) -> String {
    e.cluster(c).unwrap().id.clone()
}

fn ids(e: &Explorer) -> Vec<String> {
    e.tree.rows().iter().map(|r| id(e, r.cluster)).collect()
}

fn index_of(e: &Explorer, cluster_id: &str) -> u32 {
    e.index.get(cluster_id).unwrap()
}

/// The rows a full rebuild gives for the model's open set.
fn rebuilt(e: &mut Explorer) -> Vec<Row> {
    e.with_tree(|tree, order| {
        let mut copy: TreeModel = tree.clone();
        copy.rebuild(order);
        copy.rows().to_vec()
    })
}

#[test]
fn mutators_report_changes_and_keep_rows_in_step() {
    let mut s = explorer_state(120, 40);
    let e = ex_mut(&mut s);
    let top = index_of(e, "L1-1");
    let leaf = index_of(e, "L0-3");
    assert!(e.with_tree(|t, o| t.expand(top, o)));
    assert!(!e.with_tree(|t, o| t.expand(top, o)), "already open");
    assert_eq!(
        ids(e),
        ["L1-0", "L1-1", "L0-3", "L0-4", "L0-5", "L1-2"],
        "children in size order under their parent"
    );
    assert!(e.with_tree(|t, _| t.select(leaf)));
    assert!(!e.with_tree(|t, _| t.select(leaf)), "already selected");
    assert_eq!(e.detail.cluster, Some(leaf), "the detail follows");
    // Collapsing the parent hides the selection: it moves up.
    assert!(e.with_tree(|t, _| t.collapse(top)));
    assert!(!e.with_tree(|t, _| t.collapse(top)), "already closed");
    assert_eq!(e.selected(), Some(top));
    assert_eq!(e.detail.cluster, Some(top));
    assert!(e.with_tree(|t, o| t.toggle(top, o)));
    assert!(e.tree.is_open(top));
    assert!(e.with_tree(|t, o| t.toggle(top, o)));
    assert!(!e.tree.is_open(top));
    assert_eq!(ids(e), ["L1-0", "L1-1", "L1-2"]);

    assert!(e.with_tree(|t, o| t.expand_all(o)));
    assert!(!e.with_tree(|t, o| t.expand_all(o)));
    assert_eq!(e.tree.rows().len(), 11);
    let full = rebuilt(e);
    assert_eq!(e.tree.rows(), full);
    assert!(e.with_tree(|t, _| t.select(leaf)));
    assert!(e.with_tree(|t, o| t.collapse_all(o.index)));
    assert_eq!(ids(e), ["L1-0", "L1-1", "L1-2"]);
    assert_eq!(e.selected(), Some(top), "the selection's root");
    assert!(!e.with_tree(|t, o| t.collapse_all(o.index)));

    // Reveal opens the ancestors and selects.
    assert!(e.with_tree(|t, o| t.reveal(leaf, o)));
    assert_eq!(e.selected(), Some(leaf));
    assert!(e.tree.is_open(top));
    assert!(!e.with_tree(|t, o| t.reveal(leaf, o)), "already shown");
}

#[test]
fn any_sequence_of_changes_matches_a_rebuild() {
    for filtered in [false, true] {
        let mut s = explorer_state(120, 40);
        if filtered {
            apply(&mut s, [Command::Filter]);
            type_text(&mut s, "plan pro");
            apply(&mut s, [Command::Submit]);
            assert!(ex(&s).filter.is_some());
        }
        let e = ex_mut(&mut s);
        let n = e.index.len() as u32;
        // A fixed pseudo-random walk over every mutator.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for step in 0..400 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let c = (x % u64::from(n)) as u32;
            e.with_tree(|t, o| match (x >> 32) % 9 {
                0 | 1 => t.expand(c, o),
                2 | 3 => t.collapse(c),
                4 => t.toggle(c, o),
                5 => t.reveal(c, o),
                6 => t.step(((x >> 40) % 5) as isize - 2),
                7 if step % 50 == 0 => t.expand_all(o),
                8 if step % 70 == 0 => t.collapse_all(o.index),
                _ => t.select(c),
            });
            let full = rebuilt(e);
            assert_eq!(e.tree.rows(), full, "step {step}");
            let sel = e.selected().unwrap();
            assert!(e.tree.row_of(sel).is_some(), "the selection is visible");
            assert_eq!(e.detail.cluster, Some(sel));
        }
    }
}

#[test]
fn clicks_hit_the_rows_in_view_without_a_render() {
    // Open everything (11 rows) in a terminal 12 rows high: the tree pane
    // shows 9 rows inside its border.
    let mut s = explorer_state(80, 24);
    ex_mut(&mut s).with_tree(|t, o| t.expand_all(o));
    apply(&mut s, [Msg::Resize(80, 12)]);
    apply(&mut s, std::iter::repeat_n(Command::Down, 10));
    let e = ex(&s);
    assert_eq!(e.tree.selected_row(), Some(10));
    assert_eq!(e.tree.offset(), 2, "scrolled just enough");
    let text = screen_text(&s, 80, 12);
    let first_shown = e.cluster(e.tree.rows()[2].cluster).unwrap().name.clone();
    assert_eq!(first_shown, "Write SQL queries");
    assert!(text.lines().nth(1).unwrap().contains("Write SQ"), "{text}");
    // A click on the first row in view selects what is drawn there.
    apply(&mut s, [Msg::Click { column: 10, row: 1 }]);
    assert_eq!(ex(&s).tree.selected_row(), Some(2));
    assert_eq!(ex(&s).tree.offset(), 2, "no jump");
}

#[test]
fn the_detail_list_and_viewer_fit_the_layout_in_update() {
    let mut s = explorer_state(120, 40);
    apply(&mut s, [Command::NextPane, Command::NextPane]);
    apply(&mut s, std::iter::repeat_n(Command::Down, 26));
    let e = ex(&s);
    assert_eq!(e.detail.cursor, 26);
    let offset = e.detail.offset;
    assert!(offset > 0, "the list scrolled to show the cursor");
    // Click the list's first conversation line (below its heading): it is
    // the one at the offset.
    let areas = kura_tui::tui::layout::explorer(ratatui::layout::Rect::new(0, 0, 120, 40), e);
    let list = kura_tui::tui::layout::detail(areas.detail, &e.detail.distributions).list;
    apply(
        &mut s,
        [Msg::Click {
            column: list.x + 2,
            row: list.y + 1,
        }],
    );
    assert_eq!(ex(&s).detail.cursor, offset);

    // The viewer knows its scroll limit as soon as the text is in.
    apply(&mut s, [Command::Open]);
    let mut conv = conversations()[offset].clone();
    for i in 0..40 {
        conv.messages.push(kura_tui::model::Message::new(
            kura_tui::model::Role::User,
            format!("line {i}"),
        ));
    }
    let position = ex(&s).viewer.as_ref().unwrap().position as usize;
    apply(
        &mut s,
        [Msg::ConversationLoaded {
            position,
            result: Ok(Box::new(conv)),
        }],
    );
    let max = ex(&s).viewer.as_ref().unwrap().fit.max_scroll;
    assert!(max > 20, "{max}");
    apply(&mut s, [Command::Bottom, Command::Down, Command::Down]);
    assert_eq!(ex(&s).viewer.as_ref().unwrap().scroll, max);
    apply(&mut s, [Command::Up]);
    assert_eq!(
        ex(&s).viewer.as_ref().unwrap().scroll,
        max - 1,
        "one up is one up"
    );
    let text = screen_text(&s, 120, 40);
    assert!(
        text.contains("line 39") || text.contains("line 38"),
        "{text}"
    );
}

#[test]
fn help_scrolls_no_further_than_its_end() {
    let mut s = explorer_state(80, 24);
    apply(&mut s, [Command::Help]);
    apply(&mut s, std::iter::repeat_n(Command::Down, 500));
    let max = s.help.unwrap();
    assert!(max > 0 && max < 500, "{max}");
    apply(&mut s, [Command::Up]);
    assert_eq!(s.help, Some(max - 1), "one up is one up");
    let text = screen_text(&s, 80, 24);
    apply(&mut s, [Command::Down]);
    let end = screen_text(&s, 80, 24);
    assert_ne!(text, end);
    // The last section (the classifier menus) and its last binding show.
    assert!(
        end.contains("Classifier picker, sort menu") && end.contains(Command::Quit.describe()),
        "the last line shows at the end:\n{end}"
    );
}

#[test]
fn drawing_leaves_the_state_as_it_was() {
    let mut s = explorer_state(120, 40);
    apply(&mut s, [Command::Toggle, Command::Down, Command::ZoomIn]);
    let before = format!("{:?}", ex(&s));
    let first = screen_text(&s, 120, 40);
    // A frame of another size draws correctly without touching the state.
    screen_text(&s, 90, 30);
    assert_eq!(format!("{:?}", ex(&s)), before);
    assert_eq!(screen_text(&s, 120, 40), first);
}
