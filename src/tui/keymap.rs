//! Keys → actions, per context (the focused pane or the open overlay).
//!
//! Defaults follow the issue; the configuration's `[keymap]` table adds or
//! replaces bindings: `"x" = "export"` binds in every explorer pane,
//! `"viewer:x" = "back"` in one context only, and `"none"` unbinds. The
//! inverse map (action → keys) feeds the hint bar and the help screen.

use std::collections::{BTreeMap, HashMap};

use crossterm::event::KeyCode;

use super::action::Action;
use super::keys::Key;
use crate::error::{Error, Result};

/// Where a key is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Explorer keys that work in every pane.
    Global,
    Tree,
    Map,
    Detail,
    Viewer,
    Help,
    /// Text prompts: rename, search, filter.
    Prompt,
    Run,
    Confirm,
}

impl Context {
    pub const ALL: [Context; 9] = [
        Context::Global,
        Context::Tree,
        Context::Map,
        Context::Detail,
        Context::Viewer,
        Context::Help,
        Context::Prompt,
        Context::Run,
        Context::Confirm,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Tree => "tree",
            Context::Map => "map",
            Context::Detail => "detail",
            Context::Viewer => "viewer",
            Context::Help => "help",
            Context::Prompt => "prompt",
            Context::Run => "run",
            Context::Confirm => "confirm",
        }
    }

    fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }

    /// True for the explorer panes, which fall back to [`Context::Global`].
    pub fn is_pane(self) -> bool {
        matches!(self, Context::Tree | Context::Map | Context::Detail)
    }
}

/// The bindings in force.
#[derive(Debug, Clone)]
pub struct Keymap {
    /// In definition order (defaults first), for the inverse map.
    bindings: Vec<(Context, Key, Action)>,
    lookup: HashMap<(Context, Key), usize>,
}

impl Default for Keymap {
    fn default() -> Self {
        let mut map = Keymap {
            bindings: Vec::new(),
            lookup: HashMap::new(),
        };
        for (ctx, keys, action) in defaults() {
            for key in keys {
                map.bind(ctx, key, action.clone());
            }
        }
        map
    }
}

impl Keymap {
    /// The defaults with the configuration's overrides applied.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<Keymap> {
        let mut map = Keymap::default();
        for (spec, action_name) in overrides {
            let field = || format!("keymap.\"{spec}\"");
            let (ctx, key_text) = match spec.split_once(':') {
                Some((c, k)) if !k.is_empty() => {
                    let ctx = Context::from_name(&c.to_ascii_lowercase()).ok_or_else(|| {
                        let known: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
                        Error::param(
                            field(),
                            format!("unknown context `{c}`; use one of {}", known.join(", ")),
                        )
                    })?;
                    (ctx, k)
                }
                _ => (Context::Global, spec.as_str()),
            };
            let key = Key::parse(key_text).ok_or_else(|| {
                Error::param(
                    field(),
                    format!("cannot read key `{key_text}` (try `x`, `ctrl-x`, `enter`, `f5`)"),
                )
            })?;
            let action = Action::from_name(action_name)
                .filter(Action::is_bindable)
                .ok_or_else(|| Error::param(field(), format!("unknown action `{action_name}`")))?;
            if ctx == Context::Global {
                // A global override must win over a pane's own binding.
                for pane in [Context::Tree, Context::Map, Context::Detail] {
                    map.unbind(pane, key);
                }
            }
            map.bind(ctx, key, action);
        }
        Ok(map)
    }

    fn bind(&mut self, ctx: Context, key: Key, action: Action) {
        self.unbind(ctx, key);
        self.lookup.insert((ctx, key), self.bindings.len());
        self.bindings.push((ctx, key, action));
    }

    fn unbind(&mut self, ctx: Context, key: Key) {
        if let Some(i) = self.lookup.remove(&(ctx, key)) {
            // Keep indices stable: turn the old binding into a no-op.
            if let Some(b) = self.bindings.get_mut(i) {
                b.2 = Action::Noop;
            }
        }
    }

    /// The action bound to `key` in `ctx` (panes fall back to global keys;
    /// printable keys in a prompt insert themselves).
    pub fn action(&self, ctx: Context, key: Key) -> Option<Action> {
        let found = self
            .lookup
            .get(&(ctx, key))
            .or_else(|| {
                ctx.is_pane()
                    .then(|| self.lookup.get(&(Context::Global, key)))
                    .flatten()
            })
            .and_then(|i| self.bindings.get(*i))
            .map(|b| b.2.clone());
        match found {
            Some(Action::Noop) => None,
            Some(a) => Some(a),
            None if ctx == Context::Prompt => match key.code {
                KeyCode::Char(c) if key.mods.is_empty() => Some(Action::Insert(c)),
                _ => None,
            },
            None => None,
        }
    }

    /// Keys bound to `action` in `ctx` (and, for panes, globally), in
    /// definition order.
    pub fn keys_for(&self, ctx: Context, action: &Action) -> Vec<Key> {
        let mut keys: Vec<Key> = Vec::new();
        let contexts: &[Context] = if ctx.is_pane() {
            &[ctx, Context::Global]
        } else {
            std::slice::from_ref(&ctx)
        };
        for c in contexts {
            for (bc, key, a) in &self.bindings {
                if bc == c && a == action && !keys.contains(key) {
                    // Skip keys a pane binding shadows.
                    if *c == Context::Global && self.lookup.contains_key(&(ctx, *key)) {
                        continue;
                    }
                    keys.push(*key);
                }
            }
        }
        keys
    }

    /// Every (keys, action) of one context, for the help screen.
    pub fn bindings_of(&self, ctx: Context) -> Vec<(Vec<Key>, Action)> {
        let mut out: Vec<(Vec<Key>, Action)> = Vec::new();
        for (c, key, action) in &self.bindings {
            if *c != ctx || *action == Action::Noop {
                continue;
            }
            match out.iter_mut().find(|(_, a)| a == action) {
                Some((keys, _)) => keys.push(*key),
                None => out.push((vec![*key], action.clone())),
            }
        }
        out
    }
}

fn defaults() -> Vec<(Context, Vec<Key>, Action)> {
    use Context::*;
    use KeyCode as K;
    let c = Key::char;
    let p = Key::plain;
    vec![
        (Global, vec![c('q'), Key::ctrl('c')], Action::Quit),
        (Global, vec![c('?'), p(K::F(1))], Action::Help),
        (Global, vec![p(K::Esc)], Action::Back),
        (Global, vec![p(K::Tab)], Action::NextPane),
        (Global, vec![p(K::BackTab)], Action::PrevPane),
        (Global, vec![c('/')], Action::Search),
        (Global, vec![c('f')], Action::Filter),
        (Global, vec![c('s')], Action::Sort),
        (Global, vec![c('r')], Action::Rename),
        (Global, vec![c('u')], Action::Undo),
        (Global, vec![c('e')], Action::Export),
        (Global, vec![c('+'), c('=')], Action::ZoomIn),
        (Global, vec![c('-')], Action::ZoomOut),
        (Global, vec![c('H')], Action::PanLeft),
        (Global, vec![c('J')], Action::PanDown),
        (Global, vec![c('K')], Action::PanUp),
        (Global, vec![c('L')], Action::PanRight),
        (Global, vec![c('0')], Action::ResetView),
        (Tree, vec![p(K::Up), c('k')], Action::Up),
        (Tree, vec![p(K::Down), c('j')], Action::Down),
        (Tree, vec![p(K::Enter), c(' ')], Action::Toggle),
        (Tree, vec![p(K::Right), c('l')], Action::Expand),
        (Tree, vec![p(K::Left), c('h')], Action::Collapse),
        (Tree, vec![p(K::PageUp)], Action::PageUp),
        (Tree, vec![p(K::PageDown)], Action::PageDown),
        (Tree, vec![p(K::Home), c('g')], Action::Top),
        (Tree, vec![p(K::End), c('G')], Action::Bottom),
        (Map, vec![p(K::Up), c('k')], Action::PanUp),
        (Map, vec![p(K::Down), c('j')], Action::PanDown),
        (Map, vec![p(K::Left), c('h')], Action::PanLeft),
        (Map, vec![p(K::Right), c('l')], Action::PanRight),
        (Detail, vec![p(K::Up), c('k')], Action::Up),
        (Detail, vec![p(K::Down), c('j')], Action::Down),
        (Detail, vec![p(K::Enter), c(' '), c('l')], Action::Open),
        (Detail, vec![p(K::PageUp)], Action::PageUp),
        (Detail, vec![p(K::PageDown)], Action::PageDown),
        (Detail, vec![p(K::Home), c('g')], Action::Top),
        (Detail, vec![p(K::End), c('G')], Action::Bottom),
        (Viewer, vec![p(K::Up), c('k')], Action::Up),
        (Viewer, vec![p(K::Down), c('j')], Action::Down),
        (Viewer, vec![p(K::PageUp), c('b')], Action::PageUp),
        (Viewer, vec![p(K::PageDown), c(' ')], Action::PageDown),
        (Viewer, vec![p(K::Home), c('g')], Action::Top),
        (Viewer, vec![p(K::End), c('G')], Action::Bottom),
        (Viewer, vec![c('n')], Action::NextConversation),
        (Viewer, vec![c('p')], Action::PrevConversation),
        (
            Viewer,
            vec![p(K::Esc), c('q'), p(K::Left), c('h')],
            Action::Back,
        ),
        (Viewer, vec![c('?')], Action::Help),
        (Viewer, vec![Key::ctrl('c')], Action::Quit),
        (Help, vec![p(K::Esc), c('?'), c('q')], Action::Back),
        (Help, vec![p(K::Up), c('k')], Action::Up),
        (Help, vec![p(K::Down), c('j')], Action::Down),
        (Help, vec![Key::ctrl('c')], Action::Quit),
        (Prompt, vec![p(K::Enter)], Action::Submit),
        (Prompt, vec![p(K::Esc)], Action::Back),
        (Prompt, vec![p(K::Up), Key::ctrl('p')], Action::Up),
        (
            Prompt,
            vec![p(K::Down), Key::ctrl('n'), p(K::Tab)],
            Action::Down,
        ),
        (Prompt, vec![p(K::Left), Key::ctrl('b')], Action::CursorLeft),
        (
            Prompt,
            vec![p(K::Right), Key::ctrl('f')],
            Action::CursorRight,
        ),
        (Prompt, vec![p(K::Home), Key::ctrl('a')], Action::CursorHome),
        (Prompt, vec![p(K::End), Key::ctrl('e')], Action::CursorEnd),
        (Prompt, vec![p(K::Backspace)], Action::DeleteBack),
        (
            Prompt,
            vec![p(K::Delete), Key::ctrl('d')],
            Action::DeleteForward,
        ),
        (Prompt, vec![Key::ctrl('w')], Action::DeleteWord),
        (Prompt, vec![Key::ctrl('u')], Action::ClearLine),
        (Prompt, vec![Key::ctrl('c')], Action::Quit),
        (Run, vec![c('c')], Action::CancelRun),
        (Run, vec![c('q'), Key::ctrl('c')], Action::Quit),
        (Run, vec![p(K::Up), c('k')], Action::Up),
        (Run, vec![p(K::Down), c('j')], Action::Down),
        (Run, vec![c('?')], Action::Help),
        (Confirm, vec![c('y')], Action::Yes),
        (Confirm, vec![c('n'), p(K::Esc), c('q')], Action::No),
        (Confirm, vec![Key::ctrl('c')], Action::Quit),
    ]
}

/// The groups the hint bar shows for a context, most useful first.
pub fn hint_groups(ctx: Context) -> Vec<Vec<Action>> {
    use Action as A;
    let one = |a: Action| vec![a];
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
        Context::Global => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_overrides_and_inverse() {
        let map = Keymap::default();
        assert_eq!(
            map.action(Context::Tree, Key::char('j')),
            Some(Action::Down)
        );
        assert_eq!(
            map.action(Context::Tree, Key::char('e')),
            Some(Action::Export)
        );
        assert_eq!(
            map.action(Context::Map, Key::char('j')),
            Some(Action::PanDown)
        );
        assert_eq!(
            map.action(Context::Prompt, Key::char('q')),
            Some(Action::Insert('q'))
        );
        assert_eq!(map.action(Context::Viewer, Key::char('e')), None);

        let mut o = BTreeMap::new();
        o.insert("x".to_string(), "export".to_string());
        o.insert("e".to_string(), "none".to_string());
        o.insert("j".to_string(), "sort".to_string());
        o.insert("viewer:x".to_string(), "back".to_string());
        let map = Keymap::with_overrides(&o).unwrap();
        assert_eq!(
            map.action(Context::Tree, Key::char('x')),
            Some(Action::Export)
        );
        assert_eq!(map.action(Context::Tree, Key::char('e')), None);
        assert_eq!(
            map.action(Context::Tree, Key::char('j')),
            Some(Action::Sort)
        );
        assert_eq!(
            map.action(Context::Viewer, Key::char('x')),
            Some(Action::Back)
        );
        assert_eq!(
            map.keys_for(Context::Tree, &Action::Export),
            vec![Key::char('x')]
        );
        assert_eq!(
            map.keys_for(Context::Tree, &Action::Down),
            vec![Key::plain(KeyCode::Down)]
        );

        let mut bad = BTreeMap::new();
        bad.insert("x".to_string(), "explode".to_string());
        let err = Keymap::with_overrides(&bad).unwrap_err().to_string();
        assert!(
            err.contains("keymap.\"x\"") && err.contains("explode"),
            "{err}"
        );
        let mut bad = BTreeMap::new();
        bad.insert("moon:x".to_string(), "quit".to_string());
        assert!(Keymap::with_overrides(&bad).is_err());
    }
}
