//! The default bindings and the hint bar's groups, per context.

use crossterm::event::KeyCode;

use super::Context;
use crate::tui::command::Command;
use crate::tui::keys::Key;

/// Every default binding: context, keys, command.
pub(super) fn defaults() -> Vec<(Context, Vec<Key>, Command)> {
    use Context::*;
    use KeyCode as K;
    let c = Key::char;
    let p = Key::plain;
    let mut out = vec![
        (Global, vec![c('q'), Key::ctrl('c')], Command::Quit),
        (Global, vec![c('?'), p(K::F(1))], Command::Help),
        (Global, vec![p(K::Esc)], Command::Back),
        (Global, vec![p(K::Tab)], Command::NextPane),
        (Global, vec![p(K::BackTab)], Command::PrevPane),
        (Global, vec![c('/')], Command::Search),
        (Global, vec![c('f')], Command::Filter),
        (Global, vec![c('s')], Command::Sort),
        (Global, vec![c('r')], Command::Rename),
        (Global, vec![c('u')], Command::Undo),
        (Global, vec![c('e')], Command::Export),
        (Global, vec![c('+'), c('=')], Command::ZoomIn),
        (Global, vec![c('-')], Command::ZoomOut),
        (Global, vec![c('H')], Command::PanLeft),
        (Global, vec![c('J')], Command::PanDown),
        (Global, vec![c('K')], Command::PanUp),
        (Global, vec![c('L')], Command::PanRight),
        (Global, vec![c('0')], Command::ResetView),
        (Global, vec![c('C')], Command::NewClassifier),
        (Global, vec![c('m')], Command::Mark),
        (Global, vec![c('a')], Command::LabelMode),
        (Global, vec![c('c')], Command::ColourBy),
        (Global, vec![c('S')], Command::SortMenu),
        (Global, vec![c('E')], Command::EvalHistory),
        (Tree, vec![p(K::Up), c('k')], Command::Up),
        (Tree, vec![p(K::Down), c('j')], Command::Down),
        (Tree, vec![p(K::Enter), c(' ')], Command::Toggle),
        (Tree, vec![p(K::Right), c('l')], Command::Expand),
        (Tree, vec![p(K::Left), c('h')], Command::Collapse),
        (Tree, vec![p(K::PageUp)], Command::PageUp),
        (Tree, vec![p(K::PageDown)], Command::PageDown),
        (Tree, vec![p(K::Home), c('g')], Command::Top),
        (Tree, vec![p(K::End), c('G')], Command::Bottom),
        (Map, vec![p(K::Up), c('k')], Command::PanUp),
        (Map, vec![p(K::Down), c('j')], Command::PanDown),
        (Map, vec![p(K::Left), c('h')], Command::PanLeft),
        (Map, vec![p(K::Right), c('l')], Command::PanRight),
        (Detail, vec![p(K::Up), c('k')], Command::Up),
        (Detail, vec![p(K::Down), c('j')], Command::Down),
        (Detail, vec![p(K::Enter), c(' '), c('l')], Command::Open),
        (Detail, vec![p(K::PageUp)], Command::PageUp),
        (Detail, vec![p(K::PageDown)], Command::PageDown),
        (Detail, vec![p(K::Home), c('g')], Command::Top),
        (Detail, vec![p(K::End), c('G')], Command::Bottom),
        (Viewer, vec![p(K::Up), c('k')], Command::Up),
        (Viewer, vec![p(K::Down), c('j')], Command::Down),
        (Viewer, vec![p(K::PageUp), c('b')], Command::PageUp),
        (Viewer, vec![p(K::PageDown), c(' ')], Command::PageDown),
        (Viewer, vec![p(K::Home), c('g')], Command::Top),
        (Viewer, vec![p(K::End), c('G')], Command::Bottom),
        (Viewer, vec![c('n')], Command::NextConversation),
        (Viewer, vec![c('p')], Command::PrevConversation),
        (
            Viewer,
            vec![p(K::Esc), c('q'), p(K::Left), c('h')],
            Command::Back,
        ),
        (Viewer, vec![c('?')], Command::Help),
        (Viewer, vec![Key::ctrl('c')], Command::Quit),
        (Help, vec![p(K::Esc), c('?'), c('q')], Command::Back),
        (Help, vec![p(K::Up), c('k')], Command::Up),
        (Help, vec![p(K::Down), c('j')], Command::Down),
        (Help, vec![Key::ctrl('c')], Command::Quit),
        (Prompt, vec![p(K::Enter)], Command::Submit),
        (Prompt, vec![p(K::Esc)], Command::Back),
        (Prompt, vec![p(K::Up), Key::ctrl('p')], Command::Up),
        (
            Prompt,
            vec![p(K::Down), Key::ctrl('n'), p(K::Tab)],
            Command::Down,
        ),
        (
            Prompt,
            vec![p(K::Left), Key::ctrl('b')],
            Command::CursorLeft,
        ),
        (
            Prompt,
            vec![p(K::Right), Key::ctrl('f')],
            Command::CursorRight,
        ),
        (
            Prompt,
            vec![p(K::Home), Key::ctrl('a')],
            Command::CursorHome,
        ),
        (Prompt, vec![p(K::End), Key::ctrl('e')], Command::CursorEnd),
        (Prompt, vec![p(K::Backspace)], Command::DeleteBack),
        (
            Prompt,
            vec![p(K::Delete), Key::ctrl('d')],
            Command::DeleteForward,
        ),
        (Prompt, vec![Key::ctrl('w')], Command::DeleteWord),
        (Prompt, vec![Key::ctrl('u')], Command::ClearLine),
        (Prompt, vec![Key::ctrl('c')], Command::Quit),
        (Run, vec![c('c')], Command::CancelRun),
        (Run, vec![c('q'), Key::ctrl('c')], Command::Quit),
        (Run, vec![p(K::Up), c('k')], Command::Up),
        (Run, vec![p(K::Down), c('j')], Command::Down),
        (Run, vec![c('?')], Command::Help),
        (Confirm, vec![c('y')], Command::Yes),
        (Confirm, vec![c('n'), p(K::Esc), c('q')], Command::No),
        (Confirm, vec![Key::ctrl('c')], Command::Quit),
    ];
    out.extend(super::classify_keys::defaults());
    out
}

/// The groups the hint bar shows for a context, most useful first.
pub fn hint_groups(ctx: Context) -> Vec<Vec<Command>> {
    use Command as A;
    let one = |a: Command| vec![a];
    match ctx {
        Context::Tree => vec![
            vec![A::Up, A::Down],
            one(A::Toggle),
            one(A::Search),
            one(A::Filter),
            one(A::Sort),
            one(A::Rename),
            one(A::Undo),
            one(A::Export),
            one(A::NextPane),
            one(A::Help),
            one(A::Quit),
        ],
        Context::Map => vec![
            vec![A::PanLeft, A::PanDown, A::PanUp, A::PanRight],
            vec![A::ZoomIn, A::ZoomOut],
            one(A::ResetView),
            one(A::Filter),
            one(A::NextPane),
            one(A::Help),
            one(A::Quit),
        ],
        Context::Detail => vec![
            vec![A::Up, A::Down],
            one(A::Open),
            one(A::Search),
            one(A::Filter),
            one(A::Export),
            one(A::NextPane),
            one(A::Help),
            one(A::Quit),
        ],
        Context::Viewer => vec![
            vec![A::Up, A::Down],
            one(A::PageDown),
            vec![A::NextConversation, A::PrevConversation],
            one(A::Back),
            one(A::Help),
        ],
        Context::Help => vec![vec![A::Up, A::Down], one(A::Back)],
        Context::Prompt => vec![
            one(A::Submit),
            one(A::Back),
            vec![A::Up, A::Down],
            vec![A::CursorLeft, A::CursorRight],
        ],
        Context::Run => vec![
            one(A::CancelRun),
            one(A::Quit),
            vec![A::Up, A::Down],
            one(A::Help),
        ],
        Context::Confirm => vec![one(A::Yes), one(A::No)],
        Context::Label | Context::Menu => super::classify_keys::hint_groups(ctx),
        Context::Global => Vec::new(),
    }
}
