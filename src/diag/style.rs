//! Colour for people: the styles painted output uses, as `anstyle` styles, and how a
//! styled piece of text is written. Whether to paint at all is decided by the caller
//! (the command line asks `anstream`, which reads `--color`, `NO_COLOR`, `CLICOLOR`,
//! `CLICOLOR_FORCE`, `TERM` and whether the stream is a terminal).

use anstyle::{AnsiColor, Style};

/// The level of an error, and what it points at.
pub const ERROR: Style = AnsiColor::Red.on_default().bold();
/// The level of a warning.
pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();
/// The level of an info.
pub const INFO: Style = AnsiColor::Cyan.on_default().bold();
/// Gutters, arrows and secondary labels of a source excerpt.
pub const GUTTER: Style = AnsiColor::Blue.on_default().bold();
/// A message, or a word to notice.
pub const BOLD: Style = Style::new().bold();

/// `text` in `style`, then a reset. The style is written as one SGR sequence
/// (`ESC[1;31m`, as factlint always has) where anstyle writes one per attribute
/// (`ESC[1mESC[31m`); terminals read both the same.
pub fn paint(style: Style, text: &str) -> String {
    let open = style.render().to_string().replace("m\x1b[", ";");
    format!("{open}{text}{}", style.render_reset())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sequence_per_style() {
        assert_eq!(paint(ERROR, "error"), "\x1b[1;31merror\x1b[0m");
        assert_eq!(paint(BOLD, "b"), "\x1b[1mb\x1b[0m");
        let dim_blue = AnsiColor::Blue.on_default().dimmed();
        assert_eq!(paint(dim_blue, ""), "\x1b[2;34m\x1b[0m");
        assert_eq!(paint(Style::new(), "plain"), "plain");
    }
}
