//! Tokens of the rule language: whitespace and comments, keywords with word boundaries,
//! symbols, identifiers, and the literal tokens (strings, numbers, dates).
//!
//! Every token parser eats the whitespace and comments after it (a lexeme), so the
//! grammar never mentions them, and returns the token's own byte range.

use super::ast::DateLit;
use super::error::PError;
use super::source::Ctx;
use nom::{IResult, Input};
use nom_locate::LocatedSpan;

pub(crate) type In<'a> = LocatedSpan<&'a str, &'a Ctx<'a>>;
pub(crate) type PResult<'a, O> = IResult<In<'a>, O, PError>;

/// Words that cannot name a variable, constant or definition (they may follow `.`).
pub(crate) const KEYWORDS: &[&str] = &[
    "rule",
    "const",
    "def",
    "include",
    "for",
    "in",
    "where",
    "and",
    "or",
    "not",
    "true",
    "false",
    "null",
    "is",
    "missing",
    "present",
    "within",
    "of",
    "before",
    "after",
    "during",
    "contains",
    "starts",
    "ends",
    "with",
    "matches",
    "verdict",
    "count",
    "exists",
    "all",
    "sum",
    "min",
    "max",
    "avg",
    "count_distinct",
];

/// Words that start an item; recovery resumes at a line starting with one.
pub(crate) const ITEM_KEYWORDS: &[&str] = &["rule", "const", "def", "include"];

pub(crate) fn is_keyword(w: &str) -> bool {
    KEYWORDS.contains(&w)
}

/// Byte range of a token.
pub(crate) type Range = (usize, usize);

pub(crate) fn off(i: &In) -> usize {
    i.location_offset()
}

pub(crate) fn rest<'a>(i: &In<'a>) -> &'a str {
    i.fragment()
}

pub(crate) fn skip<'a>(i: In<'a>, n: usize) -> In<'a> {
    i.take_from(n)
}

pub(crate) fn fail<'a, O>(e: PError) -> PResult<'a, O> {
    Err(nom::Err::Failure(e))
}

pub(crate) fn backtrack<'a, O>(e: PError) -> PResult<'a, O> {
    Err(nom::Err::Error(e))
}

/// Length of the word `[A-Za-z_][A-Za-z0-9_]*` at the start of `s` (0 if none).
pub(crate) fn word_len(s: &str) -> usize {
    let b = s.as_bytes();
    match b.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
            1 + b[1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count()
        }
        _ => 0,
    }
}

/// Length of a rule id `[A-Za-z_][A-Za-z0-9_.-]*` at the start of `s`.
pub(crate) fn rule_id_len(s: &str) -> usize {
    let b = s.as_bytes();
    match b.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
            1 + b[1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || b"_.-".contains(c))
                .count()
        }
        _ => 0,
    }
}

pub(crate) fn is_ident(s: &str) -> bool {
    !s.is_empty() && word_len(s) == s.len() && !is_keyword(s)
}

/// The word at the start of the input, if any.
pub(crate) fn peek_word<'a>(i: &In<'a>) -> Option<&'a str> {
    let s = rest(i);
    let n = word_len(s);
    (n > 0).then(|| &s[..n])
}

/// Whether the line holding byte `at` has only blanks before it.
fn at_line_start(text: &str, at: usize) -> bool {
    text.as_bytes()[..at]
        .iter()
        .rev()
        .take_while(|&&b| b != b'\n')
        .all(|&b| b == b' ' || b == b'\t' || b == b'\r')
}

/// Skip blanks, line ends and `#` comments (recording them). Stops before a `##` that
/// starts a line: doc comments are tokens of the item that follows. Inside an
/// interpolation only blanks are skipped.
pub(crate) fn ws(i: In<'_>) -> PResult<'_, ()> {
    let ctx = i.extra;
    let s = rest(&i);
    let b = s.as_bytes();
    let base = off(&i);
    let interp = ctx.interp.get();
    let mut k = 0;
    if base == 0 && s.starts_with('\u{feff}') {
        k = 3;
    }
    while let Some(&c) = b.get(k) {
        match c {
            b' ' | b'\t' => k += 1,
            b'\n' | b'\r' if !interp => k += 1,
            b'#' if !interp => {
                if b.get(k + 1) == Some(&b'#') && at_line_start(ctx.src.text, base + k) {
                    break;
                }
                let end = s[k..].find('\n').map_or(s.len(), |e| k + e);
                let body = s[k + 1..end].trim_end();
                ctx.add_comment(base + k, base + k + 1 + body.len(), body);
                k = end;
            }
            _ => break,
        }
    }
    Ok((skip(i, k), ()))
}

/// Consume `n` bytes as a token, then whitespace; returns the token's range.
pub(crate) fn token(i: In<'_>, n: usize) -> PResult<'_, Range> {
    let start = off(&i);
    let (i, ()) = ws(skip(i, n))?;
    Ok((i, (start, start + n)))
}

/// A keyword, with a word boundary after it.
pub(crate) fn kw<'a>(word: &'static str) -> impl FnMut(In<'a>) -> PResult<'a, Range> {
    move |i: In<'a>| {
        if peek_word(&i) == Some(word) {
            token(i, word.len())
        } else {
            backtrack(PError::expected(off(&i), format!("`{word}`")))
        }
    }
}

/// Whether the input starts with the keyword `word`.
pub(crate) fn at_kw(i: &In, word: &str) -> bool {
    peek_word(i) == Some(word)
}

/// A symbol. `=`, `<`, `>` do not match the start of `==`, `<=`, `>=`.
pub(crate) fn sym<'a>(s: &'static str) -> impl FnMut(In<'a>) -> PResult<'a, Range> {
    move |i: In<'a>| {
        let r = rest(&i);
        let matched = r.strip_prefix(s).is_some_and(|after| {
            !(matches!(s, "=" | "<" | ">" | "!" | "~") && after.starts_with('='))
        });
        if matched {
            token(i, s.len())
        } else {
            backtrack(PError::expected(off(&i), format!("`{s}`")))
        }
    }
}

/// A word (keywords included) as after `.`.
pub(crate) fn word(i: In<'_>) -> PResult<'_, (&str, Range)> {
    let s = rest(&i);
    let n = word_len(s);
    if n == 0 {
        return backtrack(PError::expected(off(&i), "a name"));
    }
    let (i, r) = token(i, n)?;
    Ok((i, (&s[..n], r)))
}

/// An identifier: a word that is not a keyword. `role` names what it is for the
/// keyword help ("variable", "constant", ...).
pub(crate) fn ident<'a>(i: In<'a>, role: &str) -> PResult<'a, (&'a str, Range)> {
    let start = off(&i);
    match peek_word(&i) {
        Some(w) if is_keyword(w) => fail(
            PError::new("P0007", start, format!("`{w}` is a keyword, not a name"))
                .end(start + w.len())
                .label(format!("a {role} name was expected here"))
                .expecting(format!("a {role} name"))
                .help(format!(
                    "`{w}` is a keyword; rename the {role}, e.g. `{w}_`"
                )),
        ),
        Some(_) => word(i),
        None => backtrack(PError::expected(start, format!("a {role} name"))),
    }
}

fn unterminated(start: usize, at: usize, text: &str, what: &str) -> PError {
    let eol = text[at..].starts_with('\n') || text[at..].starts_with('\r');
    let e = PError::new("P0002", start, format!("unterminated {what}"))
        .end(start + 1)
        .label(format!("this {what} is not closed"))
        .expecting("`\"` to close it")
        .found(if eol { "end of line" } else { "end of file" });
    if eol {
        e.help("a string ends on the line it starts; write `\\n` for a line break")
    } else {
        e
    }
}

/// After a `\` at byte `at` of the file: the escaped character and the bytes used.
/// `string_start` is where the string opened (for an unterminated one).
pub(crate) fn escape(text: &str, at: usize, string_start: usize) -> Result<(char, usize), PError> {
    let after = &text[at + 1..];
    let Some(c) = after.chars().next() else {
        return Err(unterminated(string_start, at + 1, text, "string"));
    };
    let simple = match c {
        '"' => Some('"'),
        '\\' => Some('\\'),
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        _ => None,
    };
    if let Some(ch) = simple {
        return Ok((ch, 2));
    }
    if c == '\n' || c == '\r' {
        return Err(unterminated(string_start, at + 1, text, "string"));
    }
    if c == 'u' {
        let hex_help = "write a code point as `\\u{...}` with 1 to 6 hex digits, e.g. `\\u{e9}`";
        if !after[1..].starts_with('{') {
            return Err(PError::new("P0003", at, "invalid unicode escape")
                .end(at + 2)
                .expecting("`{` after `\\u`")
                .help(hex_help));
        }
        let digits = after[2..]
            .bytes()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        let close = after[2 + digits..].starts_with('}');
        let end = at + 3 + digits + usize::from(close);
        if !close || digits == 0 || digits > 6 {
            return Err(PError::new("P0003", at, "invalid unicode escape")
                .end(end)
                .expecting("1 to 6 hex digits and `}`")
                .help(hex_help));
        }
        let code = u32::from_str_radix(&after[2..2 + digits], 16).unwrap_or(u32::MAX);
        return match char::from_u32(code) {
            Some(ch) => Ok((ch, 3 + digits + 1)),
            None => Err(PError::new(
                "P0003",
                at,
                format!(
                    "`\\u{{{}}}` is not a unicode character",
                    &after[2..2 + digits]
                ),
            )
            .end(end)
            .found(format!("`\\u{{{}}}`", &after[2..2 + digits]))
            .expecting("a unicode scalar value (not a surrogate, at most 10FFFF)")),
        };
    }
    Err(
        PError::new("P0003", at, format!("unknown escape `\\{c}` in a string"))
            .end(at + 1 + c.len_utf8())
            .found(format!("`\\{c}`"))
            .expecting("one of `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r`, `\\u{...}`")
            .help(if c == '{' || c == '}' {
                "in a message write `{{` or `}}` for a literal brace".to_string()
            } else {
                format!("to write a backslash, double it: `\\\\{c}`")
            }),
    )
}

/// A string literal `"..."` with escapes; it may not span lines.
pub(crate) fn string_lit(i: In<'_>) -> PResult<'_, (String, Range)> {
    let text = i.extra.src.text;
    let start = off(&i);
    let s = rest(&i);
    if !s.starts_with('"') {
        return backtrack(PError::expected(start, "a string"));
    }
    let mut out = String::new();
    let mut k = 1;
    loop {
        let Some(c) = s[k..].chars().next() else {
            return fail(unterminated(start, start + k, text, "string"));
        };
        match c {
            '"' => {
                k += 1;
                break;
            }
            '\\' => match escape(text, start + k, start) {
                Ok((ch, n)) => {
                    out.push(ch);
                    k += n;
                }
                Err(e) => return fail(e),
            },
            '\n' | '\r' => return fail(unterminated(start, start + k, text, "string")),
            c => {
                out.push(c);
                k += c.len_utf8();
            }
        }
    }
    let (i, r) = token(i, k)?;
    Ok((i, (out, r)))
}

/// The text of a number `[0-9]+ ("." [0-9]+)? ([eE] [+-]? [0-9]+)?` at the start of `s`.
pub(crate) fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let digits = |from: usize| {
        b[from.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let mut n = digits(0);
    if n == 0 {
        return 0;
    }
    if b.get(n) == Some(&b'.') && b.get(n + 1).is_some_and(|c| c.is_ascii_digit()) {
        n += 1 + digits(n + 1);
    }
    if matches!(b.get(n), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(b.get(n + 1), Some(b'+' | b'-')));
        let d = digits(n + 1 + sign);
        if d > 0 {
            n += 1 + sign + d;
        }
    }
    n
}

/// A date literal `@YYYY[-MM[-DD]]`, validated.
pub(crate) fn date_lit(i: In<'_>) -> PResult<'_, (DateLit, Range)> {
    let start = off(&i);
    let s = rest(&i);
    let b = s.as_bytes();
    let len = 1 + b[1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b'_')
        .count();
    let written = &s[..len];
    let shape = "`@YYYY`, `@YYYY-MM` or `@YYYY-MM-DD`";
    let bad = |msg: String| {
        PError::new("P0004", start, msg)
            .end(start + len)
            .found(format!("`{written}`"))
    };
    let parts: Vec<&str> = written[1..].split('-').collect();
    let well_formed = parts.len() <= 3
        && parts.iter().enumerate().all(|(k, p)| {
            p.bytes().all(|c| c.is_ascii_digit()) && p.len() == if k == 0 { 4 } else { 2 }
        });
    if !well_formed {
        return fail(
            bad(format!("malformed date `{written}`"))
                .expecting(format!("a date written {shape}"))
                .help("years have four digits, months and days two, e.g. `@2014-03-18`"),
        );
    }
    let num = |p: &str| p.parse::<u32>().unwrap_or(0);
    let year = num(parts[0]) as i32;
    let month = parts.get(1).map(|p| num(p));
    let day = parts.get(2).map(|p| num(p));
    if let Some(m) = month {
        if !(1..=12).contains(&m) {
            return fail(
                bad(format!("there is no month {m} in `{written}`"))
                    .expecting("a month from 01 to 12"),
            );
        }
        if let Some(d) = day {
            let last = days_in_month(year, m);
            if d == 0 || d > last {
                return fail(
                    bad(format!("there is no day {d} in {year:04}-{m:02}"))
                        .expecting(format!("a day from 01 to {last:02}")),
                );
            }
        }
    }
    let (i, r) = token(i, len)?;
    Ok((i, (DateLit { year, month, day }, r)))
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Levenshtein distance, for "did you mean".
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `w`, if it is close enough to be a typo.
pub(crate) fn did_you_mean<'c>(w: &str, candidates: &[&'c str]) -> Option<&'c str> {
    if w.len() > 40 {
        return None;
    }
    candidates
        .iter()
        .map(|c| (distance(&w.to_lowercase(), c), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min()
        .map(|(_, c)| c)
}
