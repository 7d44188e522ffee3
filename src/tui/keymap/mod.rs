//! Keys → commands, per context (the focused pane or the open overlay).
//!
//! Defaults follow the issue; the configuration's `[keymap]` table adds or
//! replaces bindings: `"x" = "export"` binds in every explorer pane,
//! `"viewer:x" = "back"` in one context only, and `"none"` unbinds. The
//! inverse map (command → keys) feeds the hint bar and the help screen.

use std::collections::{BTreeMap, HashMap};

use crossterm::event::KeyCode;

mod classify_keys;
mod defaults;

pub use defaults::hint_groups;

use super::command::Command;
use super::keys::Key;
use super::msg::Msg;
use crate::error::{Error, Result};
use defaults::defaults;

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
    /// The labelling screen of a classifier.
    Label,
    /// Lists: the classifier picker, the sort menu, the eval history.
    Menu,
}

impl Context {
    pub const ALL: [Context; 11] = [
        Context::Global,
        Context::Tree,
        Context::Map,
        Context::Detail,
        Context::Viewer,
        Context::Help,
        Context::Prompt,
        Context::Run,
        Context::Confirm,
        Context::Label,
        Context::Menu,
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
            Context::Label => "label",
            Context::Menu => "menu",
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
    bindings: Vec<(Context, Key, Command)>,
    lookup: HashMap<(Context, Key), usize>,
}

impl Default for Keymap {
    fn default() -> Self {
        let mut map = Keymap {
            bindings: Vec::new(),
            lookup: HashMap::new(),
        };
        for (ctx, keys, command) in defaults() {
            for key in keys {
                map.bind(ctx, key, command);
            }
        }
        map
    }
}

impl Keymap {
    /// The defaults with the configuration's overrides applied.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<Keymap> {
        let mut map = Keymap::default();
        for (spec, name) in overrides {
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
            let command = Command::from_name(name)
                .ok_or_else(|| Error::param(field(), format!("unknown action `{name}`")))?;
            if ctx == Context::Global {
                // A global override must win over a pane's own binding.
                for pane in [Context::Tree, Context::Map, Context::Detail] {
                    map.unbind(pane, key);
                }
            }
            map.bind(ctx, key, command);
        }
        Ok(map)
    }

    fn bind(&mut self, ctx: Context, key: Key, command: Command) {
        self.unbind(ctx, key);
        self.lookup.insert((ctx, key), self.bindings.len());
        self.bindings.push((ctx, key, command));
    }

    fn unbind(&mut self, ctx: Context, key: Key) {
        if let Some(i) = self.lookup.remove(&(ctx, key)) {
            // Keep indices stable: turn the old binding into a no-op.
            if let Some(b) = self.bindings.get_mut(i) {
                b.2 = Command::Noop;
            }
        }
    }

    /// The binding of `key` in `ctx` (panes fall back to global keys),
    /// `Noop` included.
    fn bound(&self, ctx: Context, key: Key) -> Option<Command> {
        self.lookup
            .get(&(ctx, key))
            .or_else(|| {
                ctx.is_pane()
                    .then(|| self.lookup.get(&(Context::Global, key)))
                    .flatten()
            })
            .and_then(|i| self.bindings.get(*i))
            .map(|b| b.2)
    }

    /// The command bound to `key` in `ctx` (panes fall back to global
    /// keys).
    pub fn command(&self, ctx: Context, key: Key) -> Option<Command> {
        self.bound(ctx, key).filter(|c| *c != Command::Noop)
    }

    /// What `key` means in `ctx`: its command, or in a prompt an unbound
    /// printable key typed as text.
    pub fn msg(&self, ctx: Context, key: Key) -> Option<Msg> {
        match self.bound(ctx, key) {
            Some(Command::Noop) => None,
            Some(c) => Some(Msg::Command(c)),
            None if ctx == Context::Prompt => match key.code {
                KeyCode::Char(c) if key.mods.is_empty() => Some(Msg::Insert(c)),
                _ => None,
            },
            None => None,
        }
    }

    /// Keys bound to `command` in `ctx` (and, for panes, globally), in
    /// definition order.
    pub fn keys_for(&self, ctx: Context, command: Command) -> Vec<Key> {
        let mut keys: Vec<Key> = Vec::new();
        let contexts: &[Context] = if ctx.is_pane() {
            &[ctx, Context::Global]
        } else {
            std::slice::from_ref(&ctx)
        };
        for c in contexts {
            for (bc, key, a) in &self.bindings {
                if bc == c && *a == command && !keys.contains(key) {
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

    /// Every (keys, command) of one context, for the help screen.
    pub fn bindings_of(&self, ctx: Context) -> Vec<(Vec<Key>, Command)> {
        let mut out: Vec<(Vec<Key>, Command)> = Vec::new();
        for &(c, key, command) in &self.bindings {
            if c != ctx || command == Command::Noop {
                continue;
            }
            match out.iter_mut().find(|(_, a)| *a == command) {
                Some((keys, _)) => keys.push(key),
                None => out.push((vec![key], command)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_overrides_and_inverse() {
        let map = Keymap::default();
        assert_eq!(
            map.command(Context::Tree, Key::char('j')),
            Some(Command::Down)
        );
        assert_eq!(
            map.command(Context::Tree, Key::char('e')),
            Some(Command::Export)
        );
        assert_eq!(
            map.command(Context::Map, Key::char('j')),
            Some(Command::PanDown)
        );
        assert_eq!(map.command(Context::Prompt, Key::char('q')), None);
        assert!(matches!(
            map.msg(Context::Prompt, Key::char('q')),
            Some(Msg::Insert('q'))
        ));
        assert!(matches!(
            map.msg(Context::Tree, Key::char('q')),
            Some(Msg::Command(Command::Quit))
        ));
        assert_eq!(map.command(Context::Viewer, Key::char('e')), None);

        let mut o = BTreeMap::new();
        o.insert("x".to_string(), "export".to_string());
        o.insert("e".to_string(), "none".to_string());
        o.insert("j".to_string(), "sort".to_string());
        o.insert("viewer:x".to_string(), "back".to_string());
        let map = Keymap::with_overrides(&o).unwrap();
        assert_eq!(
            map.command(Context::Tree, Key::char('x')),
            Some(Command::Export)
        );
        assert_eq!(map.command(Context::Tree, Key::char('e')), None);
        assert_eq!(
            map.command(Context::Tree, Key::char('j')),
            Some(Command::Sort)
        );
        assert_eq!(
            map.command(Context::Viewer, Key::char('x')),
            Some(Command::Back)
        );
        assert_eq!(
            map.keys_for(Context::Tree, Command::Export),
            vec![Key::char('x')]
        );
        assert_eq!(
            map.keys_for(Context::Tree, Command::Down),
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
