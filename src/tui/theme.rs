//! Styles. With `NO_COLOR` set (https://no-color.org) only modifiers are used — bold,
//! reversed, dim, underlined — so every screen stays readable in monochrome.
//!
//! Colours come in two palettes, for dark and for light terminal backgrounds, chosen by
//! `background` in `config.toml`, else `COLORFGBG`, else dark. Each colour keeps a contrast of
//! at least 3:1 against the background of the common palettes (xterm, Solarized) it is used
//! with; secondary text is dimmed rather than grey, because palette index 8 is the background
//! itself in dark Solarized.

use crate::config::Background;
use crate::sms::status::MessageStatus;
use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    /// `None`: monochrome.
    palette: Option<Background>,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            palette: Some(Background::Dark),
        }
    }
}

/// The colour roles; each palette maps them to terminal colours.
#[derive(Clone, Copy)]
enum Role {
    Accent,
    Good,
    Attention,
    Bad,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to a non-empty value; the palette of `background`, else
    /// of the background `COLORFGBG` announces, else the dark one.
    pub fn from_env(background: Option<Background>) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if no_color {
            return Theme::monochrome();
        }
        let announced = std::env::var("COLORFGBG")
            .ok()
            .and_then(|v| background_of_colorfgbg(&v));
        Theme::with(background.or(announced).unwrap_or(Background::Dark))
    }

    pub fn with(background: Background) -> Theme {
        Theme {
            palette: Some(background),
        }
    }

    pub fn monochrome() -> Theme {
        Theme { palette: None }
    }

    fn colour(role: Role, background: Background) -> Color {
        match (background, role) {
            (Background::Dark, Role::Accent) => Color::Cyan,
            (Background::Dark, Role::Good) => Color::Green,
            (Background::Dark, Role::Attention) => Color::Yellow,
            (Background::Light, Role::Accent | Role::Good) => Color::Blue,
            (Background::Light, Role::Attention) => Color::Magenta,
            (_, Role::Bad) => Color::Red,
        }
    }

    fn fg(&self, role: Role) -> Style {
        match self.palette {
            Some(background) => Style::new().fg(Theme::colour(role, background)),
            None => Style::new(),
        }
    }

    pub fn base(&self) -> Style {
        Style::new()
    }

    pub fn title(&self) -> Style {
        self.fg(Role::Accent).add_modifier(Modifier::BOLD)
    }

    /// Column headers: the terminal's own colour, which is readable on any background.
    pub fn header(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn tab_active(&self) -> Style {
        self.fg(Role::Accent)
            .add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    pub fn key(&self) -> Style {
        self.fg(Role::Accent).add_modifier(Modifier::BOLD)
    }

    /// Secondary text: the terminal's colour dimmed, never a grey of the palette.
    pub fn dim(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    pub fn ok(&self) -> Style {
        self.fg(Role::Good)
    }

    pub fn warn(&self) -> Style {
        self.fg(Role::Attention).add_modifier(Modifier::BOLD)
    }

    pub fn error(&self) -> Style {
        self.fg(Role::Bad).add_modifier(Modifier::BOLD)
    }

    pub fn big(&self) -> Style {
        self.fg(Role::Good).add_modifier(Modifier::BOLD)
    }

    pub fn bar(&self) -> Style {
        self.fg(Role::Accent)
    }

    /// A message status: good outcomes green, bad ones red, waiting ones plain.
    pub fn status(&self, status: MessageStatus) -> Style {
        use MessageStatus::*;
        match status {
            Delivered => self.ok(),
            NotDelivered | Failed | Expired => self.error(),
            Unknown | Stop => self.warn(),
            Cancelled => self.dim(),
            Pending | Sending | Submitted => self.base(),
        }
    }
}

/// `COLORFGBG` (set by rxvt, Konsole and others) is `fg;bg` in palette indexes: a background
/// of 7 or 9–15 is light, 0–6 and 8 dark.
fn background_of_colorfgbg(value: &str) -> Option<Background> {
    let bg: u8 = value.rsplit(';').next()?.trim().parse().ok()?;
    match bg {
        0..=6 | 8 => Some(Background::Dark),
        7 | 9..=15 => Some(Background::Light),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 16 colours and the background of a terminal palette, as `0xRRGGBB`.
    struct Palette {
        name: &'static str,
        colours: [u32; 16],
        background: u32,
    }

    const XTERM: [u32; 16] = [
        0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5, 0x7f7f7f,
        0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
    ];
    const SOLARIZED: [u32; 16] = [
        0x073642, 0xdc322f, 0x859900, 0xb58900, 0x268bd2, 0xd33682, 0x2aa198, 0xeee8d5, 0x002b36,
        0xcb4b16, 0x586e75, 0x657b83, 0x839496, 0x6c71c4, 0x93a1a1, 0xfdf6e3,
    ];

    fn palettes(background: Background) -> [Palette; 2] {
        match background {
            Background::Dark => [
                Palette {
                    name: "xterm dark",
                    colours: XTERM,
                    background: 0x000000,
                },
                Palette {
                    name: "Solarized dark",
                    colours: SOLARIZED,
                    background: 0x002b36,
                },
            ],
            Background::Light => [
                Palette {
                    name: "xterm light",
                    colours: XTERM,
                    background: 0xffffff,
                },
                Palette {
                    name: "Solarized light",
                    colours: SOLARIZED,
                    background: 0xfdf6e3,
                },
            ],
        }
    }

    fn index(c: Color) -> usize {
        match c {
            Color::Black => 0,
            Color::Red => 1,
            Color::Green => 2,
            Color::Yellow => 3,
            Color::Blue => 4,
            Color::Magenta => 5,
            Color::Cyan => 6,
            Color::Gray => 7,
            Color::DarkGray => 8,
            Color::LightRed => 9,
            Color::LightGreen => 10,
            Color::LightYellow => 11,
            Color::LightBlue => 12,
            Color::LightMagenta => 13,
            Color::LightCyan => 14,
            Color::White => 15,
            Color::Indexed(i) if i < 16 => usize::from(i),
            other => panic!("a colour outside the 16 of the palette: {other:?}"),
        }
    }

    /// WCAG relative luminance and contrast ratio.
    fn luminance(rgb: u32) -> f64 {
        let channel = |shift: u32| {
            let c = f64::from((rgb >> shift) & 0xff) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
    }

    fn contrast(a: u32, b: u32) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    fn every_style(t: &Theme) -> Vec<(&'static str, Style)> {
        let mut styles = vec![
            ("title", t.title()),
            ("header", t.header()),
            ("selected", t.selected()),
            ("tab_active", t.tab_active()),
            ("key", t.key()),
            ("dim", t.dim()),
            ("ok", t.ok()),
            ("warn", t.warn()),
            ("error", t.error()),
            ("big", t.big()),
            ("bar", t.bar()),
        ];
        for s in MessageStatus::ALL {
            styles.push(("status", t.status(s)));
        }
        styles
    }

    #[test]
    fn every_colour_reads_at_3_to_1_on_the_dark_and_light_palettes() {
        for background in [Background::Dark, Background::Light] {
            let theme = Theme::with(background);
            for palette in palettes(background) {
                for (name, style) in every_style(&theme) {
                    assert_eq!(style.bg, None, "{name} sets a background");
                    let Some(fg) = style.fg else { continue };
                    let i = index(fg);
                    assert_ne!(i, 8, "{name} uses palette index 8");
                    let ratio = contrast(palette.colours[i], palette.background);
                    assert!(
                        ratio >= 3.0,
                        "{name} ({fg:?}) on {}: contrast {ratio:.1} < 3",
                        palette.name
                    );
                }
            }
        }
    }

    #[test]
    fn the_old_yellow_and_grey_would_have_failed_the_palette_test() {
        let solarized_dark = palettes(Background::Dark)[1].background;
        let xterm_light = palettes(Background::Light)[0].background;
        assert!(contrast(SOLARIZED[8], solarized_dark) < 3.0);
        assert!(contrast(XTERM[3], xterm_light) < 3.0);
    }

    #[test]
    fn monochrome_uses_no_colour() {
        for (name, style) in every_style(&Theme::monochrome()) {
            assert_eq!((style.fg, style.bg), (None, None), "{name}");
        }
    }

    #[test]
    fn colorfgbg_names_the_background() {
        assert_eq!(background_of_colorfgbg("15;0"), Some(Background::Dark));
        assert_eq!(background_of_colorfgbg("0;15"), Some(Background::Light));
        assert_eq!(
            background_of_colorfgbg("0;default;15"),
            Some(Background::Light)
        );
        assert_eq!(background_of_colorfgbg("12;8"), Some(Background::Dark));
        assert_eq!(background_of_colorfgbg("7"), Some(Background::Light));
        assert_eq!(background_of_colorfgbg("default"), None);
        assert_eq!(background_of_colorfgbg(""), None);
    }
}
