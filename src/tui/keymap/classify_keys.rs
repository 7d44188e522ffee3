//! Default bindings and hint groups of the classifier tools' contexts:
//! the labelling screen and the menus (classifier picker, sort menu, eval
//! history).

use crossterm::event::KeyCode;

use super::Context;
use crate::tui::command::Command;
use crate::tui::keys::Key;

pub(super) fn defaults() -> Vec<(Context, Vec<Key>, Command)> {
    use Context::{Label, Menu};
    use KeyCode as K;
    let c = Key::char;
    let p = Key::plain;
    vec![
        (Label, vec![c('1')], Command::Category1),
        (Label, vec![c('2')], Command::Category2),
        (Label, vec![c('3')], Command::Category3),
        (Label, vec![c('4')], Command::Category4),
        (Label, vec![c('5')], Command::Category5),
        (Label, vec![c('6')], Command::Category6),
        (Label, vec![c('7')], Command::Category7),
        (Label, vec![c('8')], Command::Category8),
        (Label, vec![c('9')], Command::Category9),
        (Label, vec![c('0')], Command::CategoryOther),
        (Label, vec![p(K::Enter)], Command::Submit),
        (Label, vec![c('u')], Command::Undo),
        (Label, vec![c('n')], Command::NextConversation),
        (Label, vec![c('p')], Command::PrevConversation),
        (Label, vec![p(K::Up), c('k')], Command::Up),
        (Label, vec![p(K::Down), c('j')], Command::Down),
        (Label, vec![p(K::PageUp), c('b')], Command::PageUp),
        (Label, vec![p(K::PageDown), c(' ')], Command::PageDown),
        (Label, vec![p(K::Esc), c('q')], Command::Back),
        (Label, vec![c('?')], Command::Help),
        (Label, vec![Key::ctrl('c')], Command::Quit),
        (Menu, vec![p(K::Up), c('k')], Command::Up),
        (Menu, vec![p(K::Down), c('j'), p(K::Tab)], Command::Down),
        (Menu, vec![p(K::Enter)], Command::Submit),
        (
            Menu,
            vec![c(' '), p(K::Left), p(K::Right)],
            Command::FlipDirection,
        ),
        (Menu, vec![c('+'), c('a')], Command::AddSortKey),
        (Menu, vec![p(K::Esc), c('q')], Command::Back),
        (Menu, vec![c('?')], Command::Help),
        (Menu, vec![Key::ctrl('c')], Command::Quit),
    ]
}

pub(super) fn hint_groups(ctx: Context) -> Vec<Vec<Command>> {
    use Command as A;
    let one = |a: Command| vec![a];
    match ctx {
        Context::Label => vec![
            vec![A::Category1, A::CategoryOther],
            one(A::Submit),
            one(A::Undo),
            vec![A::NextConversation, A::PrevConversation],
            vec![A::Up, A::Down],
            one(A::Back),
            one(A::Help),
        ],
        Context::Menu => vec![
            vec![A::Up, A::Down],
            one(A::Submit),
            one(A::FlipDirection),
            one(A::AddSortKey),
            one(A::Back),
        ],
        _ => Vec::new(),
    }
}
