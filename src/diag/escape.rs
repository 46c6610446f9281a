//! Text from data and rule files made safe for what people and machines read: one
//! function per medium, and no escaping anywhere else.
//!
//! | medium | function | what it guarantees |
//! |---|---|---|
//! | terminals and logs (text report, diagnostics, explain) | [`visible`] | no value starts a line, sends an escape sequence, hides or reorders text, or starts a GitHub workflow command (`::cmd` at a line's start, `##[cmd]` anywhere) |
//! | a source line quoted under a diagnostic | [`quoted_line`] | as `visible`, one character for one, so carets stay in place |
//! | GitHub workflow commands | [`github_data`], [`github_property`] | exactly the runner toolkit's `escapeData` and `escapeProperty` |
//! | XML 1.0 (JUnit) | [`xml_text`], [`xml_attribute`] | well-formed, and a parser reads back the text (characters XML cannot hold shown as `\u{..}`) |
//! | JSON for HTML (ClaimReview JSON-LD) | [`json_for_html`] | the same JSON value, with no `<`, `>`, `&`, U+2028 or U+2029 that could end a `<script>` block |
//!
//! JSON, JSONL and SARIF need nothing more: serde_json writes every string escaped.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character must be shown escaped in a terminal or a log: control
/// characters (C0, DEL, C1), line and paragraph separators, and every default-ignorable
/// code point (bidirectional controls, zero-width characters, soft hyphen, variation
/// selectors, tags...), which show nothing, reorder text (Trojan Source), or are
/// skipped by a culture-aware search for `##[`.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{115f}'..='\u{1160}'
                | '\u{17b4}'..='\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff0}'..='\u{fffb}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e0fff}'
        )
}

/// Where `s` would start a workflow command (`::`) once the blanks before it that
/// stay blanks in output (spaces, not `\n`, which is shown) are trimmed by a runner.
/// `raw` tells which hidden characters are written raw (a quoted line keeps tabs).
fn command_start(s: &str, raw: impl Fn(char) -> bool) -> Option<usize> {
    let lead = s
        .find(|c: char| !(c.is_whitespace() && (raw(c) || !hidden(c))))
        .unwrap_or(s.len());
    s[lead..].starts_with("::").then_some(lead)
}

/// Whether `s` needs any change to be shown in a terminal or a log.
fn needs_visible(s: &str) -> bool {
    s.chars().any(hidden) || s.contains("##[") || command_start(s, |_| false).is_some()
}

/// `s` with every hidden character shown visibly: `\n`, `\r`, `\t`, and `\u{1b}` for
/// the others (line separators, bidirectional and zero-width characters included).
/// What a GitHub runner would read as a workflow command is broken up visibly too:
/// `::` at the start (after spaces, which the runner trims) becomes `\u{3a}:`, and
/// `##[` anywhere (the runner's legacy form) becomes `#\u{23}[`. So a value can be
/// put anywhere on a line of text output.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !needs_visible(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let command_at = command_start(s, |_| false);
    let mut prev_hash = false;
    for (i, c) in s.char_indices() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ':' if command_at == Some(i) => out.push_str("\\u{3a}"),
            '#' if prev_hash && s[i + 1..].starts_with('[') => out.push_str("\\u{23}"),
            c if hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
        prev_hash = c == '#';
    }
    Cow::Owned(out)
}

/// A line of a source file quoted under a diagnostic: tabs kept (the caret logic
/// measures them), every other hidden character replaced by `�` and the `#` or `:`
/// that would make a workflow command by `?`, one character for one, so the caret
/// columns stay where they were and nothing reaches the terminal or the runner.
pub fn quoted_line(s: &str) -> Cow<'_, str> {
    let hides = |c: char| c != '\t' && hidden(c);
    let command_at = command_start(s, |c| c == '\t');
    if !s.chars().any(hides) && !s.contains("##[") && command_at.is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut prev_hash = false;
    for (i, c) in s.char_indices() {
        match c {
            c if hides(c) => out.push('\u{fffd}'),
            ':' if command_at == Some(i) => out.push('?'),
            '#' if prev_hash && s[i + 1..].starts_with('[') => out.push('?'),
            c => out.push(c),
        }
        prev_hash = c == '#';
    }
    Cow::Owned(out)
}

/// Hidden characters other than newlines shown as `\u{..}`, for GitHub annotations:
/// an annotation may hold several lines (escaped below), but no escape sequence.
fn annotation_text(s: &str) -> Cow<'_, str> {
    let shown = |c: char| c != '\n' && c != '\r' && hidden(c);
    if !s.chars().any(shown) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '\t' {
            out.push_str("\\t");
        } else if shown(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The message of a GitHub workflow command (`::error ...::MESSAGE`): escaped as the
/// runner's toolkit does (`escapeData`: `%` → `%25`, CR → `%0D`, LF → `%0A`), after
/// the hidden characters other than newlines are shown as `\u{..}` (as in text). The
/// runner reads the line back to exactly that text, newlines and all, and nothing in
/// it can end the command or start another.
pub fn github_data(s: &str) -> String {
    annotation_text(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value of a GitHub workflow command (`file=VALUE`), as the toolkit's
/// `escapeProperty`: as [`github_data`], and `:` → `%3A`, `,` → `%2C`.
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Text for XML 1.0 element content (`attribute` false) or a double-quoted attribute
/// value (`attribute` true). Characters XML 1.0 cannot hold (C0 controls other than
/// tab, newline and carriage return; U+FFFE and U+FFFF) are written as the visible
/// text `\u{..}`, as in text output. Carriage returns, and in attributes tabs and newlines, become character references, which
/// parsers keep as they are (a literal one would be normalised away).
fn xml(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text for XML 1.0 element content: `&`, `<`, `>` as entities, carriage return as a
/// character reference, characters XML 1.0 cannot hold as the visible text `\u{..}`.
/// Never put inside CDATA; `]]>` is harmless as `]]&gt;`.
pub fn xml_text(s: &str) -> String {
    xml(s, false)
}

/// Text for a double-quoted XML 1.0 attribute value: `&`, `<`, `>`, `"`, `'` as
/// entities; tab, newline and carriage return as character references; characters
/// XML 1.0 cannot hold (C0 controls, U+FFFE, U+FFFF) as the visible text `\u{..}`.
pub fn xml_attribute(s: &str) -> String {
    xml(s, true)
}

/// JSON text made safe inside an HTML `<script type="application/ld+json">` block,
/// the same JSON value: `<`, `>`, `&`, U+2028 and U+2029 written as `\u003c`,
/// `\u003e`, `\u0026`, `\u2028`, `\u2029`. None of them is structural in JSON, so
/// each stands inside a string, where the escape means the same character. With no
/// `<` left, the HTML tokenizer cannot leave the script (`</script>`) or enter its
/// escaped states (`<!--`); U+2028/2029 end no line of older JavaScript parsers.
pub fn json_for_html(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Text from data for Markdown (CommonMark and GitHub's flavour), inline: hidden
/// characters shown as [`visible`] shows them; the characters that mean something
/// inside a line escaped with a backslash (emphasis, strikethrough, code spans, links
/// and images, table cells); `<`, `>` and `&` as entities (GitHub renders some HTML);
/// and `@` as an entity (no one is mentioned). The report puts data only after its own
/// marks on a line (`- `, `### `, `| `), so what matters at the start of a line
/// (`#`, `-`, `1.`, `>`) never meets data there.
pub fn markdown_text(s: &str) -> String {
    let shown = visible(s);
    let mut out = String::with_capacity(shown.len() + 8);
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A link target from data, for Markdown and HTML: an `http` or `https` URL with the
/// characters that would end or break a link percent-encoded; `None` for anything
/// else (no `javascript:` or relative links from data). HTML escapes it again for
/// its attribute.
pub fn link_url(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.trim().chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '"' => out.push_str("%22"),
            '\\' => out.push_str("%5C"),
            '`' => out.push_str("%60"),
            c if c.is_control() || hidden(c) => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// Text from data for HTML, in an element or a quoted attribute: hidden characters
/// shown as [`visible`] shows them (no bidi override reorders the page), then `&`,
/// `<`, `>`, `"` and `'` as entities.
pub fn html(s: &str) -> String {
    let shown = visible(s);
    let mut out = String::with_capacity(shown.len() + 8);
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
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

    #[test]
    fn no_workflow_command_survives_in_text() {
        // `::` at the start, after blanks the runner trims (U+00A0 among them)
        assert_eq!(visible("::add-mask::x"), "\\u{3a}:add-mask::x");
        assert_eq!(visible(" \u{a0}::error::x"), " \u{a0}\\u{3a}:error::x");
        // not elsewhere: an IPv6 address or a Rust path stays as it is
        assert_eq!(visible("host ::1, a::b"), "host ::1, a::b");
        // `##[` anywhere, and the zero-width characters a culture-aware search skips
        assert_eq!(
            visible("x ##[add-mask]y ###[z"),
            "x #\\u{23}[add-mask]y ##\\u{23}[z"
        );
        assert_eq!(visible("#\u{200b}#[e"), "#\\u{200b}#[e");
        assert_eq!(visible("a\u{ad}b\u{e0041}"), "a\\u{ad}b\\u{e0041}");
        assert_eq!(quoted_line("  ::x ##[y"), "  ?:x #?[y");
        assert_eq!(quoted_line("\t::x"), "\t?:x");
        // a newline before is shown, so the line starts with `\n`, not `::`
        assert_eq!(visible("\n::x"), "\\n::x");
        assert_eq!(visible("\t::x"), "\\t::x");
    }

    #[test]
    fn github_escaping_is_the_toolkits() {
        assert_eq!(github_data("50%\r\n::x,y:z"), "50%25%0D%0A::x,y:z");
        assert_eq!(github_property("a%\n:,b"), "a%25%0A%3A%2Cb");
        assert_eq!(github_data("\u{1b}[2J\u{202e}"), "\\u{1b}[2J\\u{202e}");
    }

    #[test]
    fn xml_holds_every_character_or_shows_it() {
        assert_eq!(
            xml_text("a<b>&]]>\u{0}\u{fffe}\r"),
            "a&lt;b&gt;&amp;]]&gt;\\u{0}\\u{fffe}&#13;"
        );
        assert_eq!(xml_attribute("\"'\t\n"), "&quot;&apos;&#9;&#10;");
    }

    #[test]
    fn json_for_html_has_no_angle_brackets() {
        let j = serde_json::to_string("</script><!--&\u{2028}\u{2029}").unwrap();
        let safe = json_for_html(&j);
        assert_eq!(safe, r#""\u003c/script\u003e\u003c!--\u0026\u2028\u2029""#);
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "</script><!--&\u{2028}\u{2029}");
    }
}
