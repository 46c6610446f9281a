//! Text from data and rule files made safe for what people and CI runners read: one
//! function per medium. For terminals and logs (the text report, diagnostics, explain),
//! control characters are shown visibly, so a value can neither start a new line (a
//! GitHub workflow command such as `::add-mask::` must begin a line) nor send escape
//! sequences to a terminal, nor hide text with bidirectional overrides.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character must be shown escaped in a terminal or a log.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// `s` with every control character shown visibly: `\n`, `\r`, `\t`, and `\u{1b}`
/// for the others (and for line separators and bidirectional controls).
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A line of a source file quoted under a diagnostic: tabs kept (the caret logic
/// measures them), every other hidden character replaced by `�` so that the caret
/// columns stay where they were and nothing reaches the terminal.
pub fn quoted_line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\t' && hidden(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if c != '\t' && hidden(c) {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_starts_a_line_or_reaches_the_terminal() {
        assert_eq!(visible("plain"), "plain");
        assert_eq!(
            visible("a claim\n::add-mask::x\r\u{1b}]0;t\u{7}"),
            "a claim\\n::add-mask::x\\r\\u{1b}]0;t\\u{7}"
        );
        assert_eq!(visible("x\u{2028}y\u{202e}z"), "x\\u{2028}y\\u{202e}z");
        assert_eq!(quoted_line("a\u{1b}[31mb\tc"), "a\u{fffd}[31mb\tc");
    }
}
