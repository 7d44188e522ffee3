//! Colours and emphasis: `dark`, `light` or `mono` (`[ui] theme`).

use ratatui::style::{Color, Modifier, Style};

use crate::model::Role;

/// Styles every widget draws with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: &'static str,
    pub text: Style,
    pub dim: Style,
    pub title: Style,
    pub border: Style,
    pub border_focused: Style,
    pub selected: Style,
    pub accent: Style,
    pub key: Style,
    pub ok: Style,
    pub warn: Style,
    pub error: Style,
    pub bar: Style,
    pub gauge: Style,
    /// Map: the selected cluster's points.
    pub map_highlight: Color,
    /// Map: points coloured by top-level cluster.
    pub palette: [Color; 8],
    /// Map: points of other clusters when the palette is off (mono).
    pub map_dim: Color,
}

impl Theme {
    /// The theme for a configured name; unknown names fall back to dark.
    pub fn named(name: &str) -> Theme {
        match name.trim().to_ascii_lowercase().as_str() {
            "light" => Theme::light(),
            "mono" | "monochrome" | "none" => Theme::mono(),
            _ => Theme::dark(),
        }
    }

    pub fn dark() -> Theme {
        Theme {
            name: "dark",
            text: Style::new().fg(Color::Gray),
            dim: Style::new().fg(Color::DarkGray),
            title: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(Color::Cyan),
            selected: Style::new()
                .bg(Color::Indexed(237))
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            accent: Style::new().fg(Color::Cyan),
            key: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Green),
            warn: Style::new().fg(Color::Yellow),
            error: Style::new()
                .fg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
            bar: Style::new().fg(Color::Cyan),
            gauge: Style::new().fg(Color::Green).bg(Color::Indexed(236)),
            map_highlight: Color::Indexed(226),
            palette: [
                Color::Indexed(67),
                Color::Indexed(107),
                Color::Indexed(139),
                Color::Indexed(173),
                Color::Indexed(73),
                Color::Indexed(137),
                Color::Indexed(103),
                Color::Indexed(66),
            ],
            map_dim: Color::DarkGray,
        }
    }

    pub fn light() -> Theme {
        Theme {
            name: "light",
            text: Style::new().fg(Color::Black),
            dim: Style::new().fg(Color::Indexed(244)),
            title: Style::new().fg(Color::Black).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::Indexed(248)),
            border_focused: Style::new().fg(Color::Blue),
            selected: Style::new()
                .bg(Color::Indexed(153))
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD),
            accent: Style::new().fg(Color::Blue),
            key: Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Green),
            warn: Style::new().fg(Color::Indexed(130)),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            bar: Style::new().fg(Color::Blue),
            gauge: Style::new().fg(Color::Green).bg(Color::Indexed(254)),
            map_highlight: Color::Red,
            palette: [
                Color::Indexed(110),
                Color::Indexed(150),
                Color::Indexed(182),
                Color::Indexed(216),
                Color::Indexed(116),
                Color::Indexed(180),
                Color::Indexed(146),
                Color::Indexed(109),
            ],
            map_dim: Color::Indexed(250),
        }
    }

    pub fn mono() -> Theme {
        let plain = Style::new();
        Theme {
            name: "mono",
            text: plain,
            dim: plain.add_modifier(Modifier::DIM),
            title: plain.add_modifier(Modifier::BOLD),
            border: plain,
            border_focused: plain.add_modifier(Modifier::BOLD),
            selected: plain.add_modifier(Modifier::REVERSED),
            accent: plain.add_modifier(Modifier::BOLD),
            key: plain.add_modifier(Modifier::BOLD),
            ok: plain,
            warn: plain.add_modifier(Modifier::BOLD),
            error: plain.add_modifier(Modifier::BOLD | Modifier::REVERSED),
            bar: plain,
            gauge: plain,
            map_highlight: Color::Reset,
            palette: [Color::Reset; 8],
            map_dim: Color::Reset,
        }
    }

    /// True when the map colours points by top-level cluster.
    pub fn has_palette(&self) -> bool {
        self.name != "mono"
    }

    pub fn root_color(&self, root: usize) -> Color {
        self.palette[root % self.palette.len()]
    }

    pub fn role(&self, role: Role) -> Style {
        if self.name == "mono" {
            return Style::new().add_modifier(Modifier::BOLD);
        }
        let color = match role {
            Role::User => Color::Cyan,
            Role::Assistant => Color::Green,
            Role::System => Color::Magenta,
            Role::Tool => Color::Yellow,
        };
        Style::new().fg(color).add_modifier(Modifier::BOLD)
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::dark()
    }
}
