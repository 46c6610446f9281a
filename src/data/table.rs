//! CSV and TSV files (`.csv`, `.tsv`, `.tab`): a header row names the fields, each row
//! is a record, each cell untyped text that the schema types. An empty cell is an absent
//! field. Every cell keeps its line and column.

use super::codes;
use super::node::Locator;
#[cfg(test)]
use super::node::{Entry, Node, NodeKind};
use crate::diag::Diagnostic;
use std::collections::HashMap;
use std::sync::Arc;

/// Read a table into one document: a list of records (maps).
#[cfg(test)]
pub(crate) fn read(loc: &Locator, delimiter: u8, diags: &mut Vec<Diagnostic>) -> Vec<Node> {
    let mut rows = Vec::new();
    if !read_each(loc, delimiter, diags, &mut |row| rows.push(row.node(loc))) {
        return Vec::new();
    }
    vec![Node::new(NodeKind::Seq(rows), loc.file_span())]
}

/// A row as read: its non-empty cells, in the order of their column names.
pub(crate) struct Row<'r> {
    /// The column names and where each is in the header.
    pub header: &'r [(Arc<str>, crate::diag::Span)],
    pub cells: &'r [Cell<'r>],
    /// The row's line, from its first byte to the end of the line.
    pub span: crate::diag::Span,
}

/// A non-empty cell.
#[derive(Debug)]
pub(crate) struct Cell<'r> {
    /// Its column, an index into the header.
    pub column: usize,
    /// Its text, unquoted and trimmed.
    pub text: &'r str,
    /// Where the raw cell (quotes included) is: bytes, and line and column of `start`.
    pub start: usize,
    pub end: usize,
    pub line: u32,
    pub col: u32,
}

impl Row<'_> {
    /// The row as a node (a map), as readers of nodes would read it.
    #[cfg(test)]
    pub fn node(&self, loc: &Locator) -> Node {
        let entries = self
            .cells
            .iter()
            .map(|c| {
                let (key, key_span) = &self.header[c.column];
                Entry {
                    key: key.clone(),
                    key_span: key_span.clone(),
                    value: Node::new(
                        NodeKind::Text(c.text.into()),
                        loc.span_at(c.start, c.end, c.line, c.col),
                    ),
                }
            })
            .collect();
        Node::new(NodeKind::Map(entries), self.span.clone())
    }
}

/// Read a table, handing each row to `each` as soon as it is read, so that a caller
/// that turns it into a record builds no tree of nodes for it. False when the table
/// has no header (and so no rows).
pub(crate) fn read_each(
    loc: &Locator,
    delimiter: u8,
    diags: &mut Vec<Diagnostic>,
    each: &mut dyn FnMut(&Row),
) -> bool {
    let text = loc.text();
    let quoting = delimiter != b'\t';
    let (_, unclosed) = record_starts(text, delimiter, quoting, 1);
    let mut out = Out::default();
    let Some((header, body)) = read_header(loc, delimiter, unclosed, &mut out) else {
        diags.append(&mut out.diags);
        return false;
    };
    read_range(loc, delimiter, unclosed, &header, body, &mut out, each);
    finish(loc, vec![out], diags);
    true
}

/// Like [`read_each`], but a file of `min_chunked` bytes or more has its rows read in
/// chunks in parallel (on the
/// rayon pool), each with a state of its own made by `state`; the states come back in
/// the order of the file, and diagnostics are those `read_each` gives, in its order.
/// `None` when the table has no header.
pub(crate) fn read_chunked<S: Send>(
    loc: &Locator,
    delimiter: u8,
    diags: &mut Vec<Diagnostic>,
    min_chunked: usize,
    state: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, &Row) + Sync,
) -> Option<Vec<S>> {
    let pieces = super::node::pieces(loc.text().len(), min_chunked);
    read_in_pieces(loc, delimiter, diags, pieces, state, each)
}

/// [`read_chunked`] in about `pieces` pieces.
fn read_in_pieces<S: Send>(
    loc: &Locator,
    delimiter: u8,
    diags: &mut Vec<Diagnostic>,
    pieces: usize,
    state: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, &Row) + Sync,
) -> Option<Vec<S>> {
    use rayon::prelude::*;
    let text = loc.text();
    let quoting = delimiter != b'\t';
    let (starts, unclosed) = record_starts(text, delimiter, quoting, pieces);
    let mut head = Out::default();
    let Some((header, body)) = read_header(loc, delimiter, unclosed, &mut head) else {
        diags.append(&mut head.diags);
        return None;
    };
    // chunks start where records start, after the header; an unclosed quote is
    // reported by reading the file in one piece, as `read_each` does
    let mut ranges: Vec<Start> = vec![body];
    if unclosed.is_none() {
        ranges.extend(starts.into_iter().filter(|s| s.byte > body.byte));
    }
    let ends: Vec<usize> = (ranges.iter().skip(1).map(|s| s.byte))
        .chain([text.len()])
        .collect();
    let done: Vec<(S, Out)> = ranges
        .par_iter()
        .zip(ends.par_iter())
        .map(|(start, &end)| {
            let mut st = state();
            let mut out = Out::default();
            let range = Start { end, ..*start };
            read_range(
                loc,
                delimiter,
                unclosed,
                &header,
                range,
                &mut out,
                &mut |row| each(&mut st, row),
            );
            (st, out)
        })
        .collect();
    // a chunk that stopped on an error stops the file there, as one reader would
    let kept = done
        .iter()
        .position(|(_, o)| o.stopped)
        .map_or(done.len(), |i| i + 1);
    let (states, outs): (Vec<S>, Vec<Out>) = done.into_iter().take(kept).unzip();
    diags.append(&mut head.diags);
    finish(loc, outs, diags);
    Some(states)
}

/// Where a piece of a table starts: its byte, the csv reader's line there, and where
/// it ends.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Start {
    byte: usize,
    line: u32,
    end: usize,
}

/// What reading a piece of a table found besides its rows.
#[derive(Default)]
struct Out {
    diags: Vec<Diagnostic>,
    /// Rows with the wrong number of cells: the first reports, and how many in all.
    ragged: Vec<Diagnostic>,
    ragged_count: usize,
    /// Whether reading stopped on an error before the end of the piece.
    stopped: bool,
}

/// The diagnostics of a table's pieces, in file order: the ragged rows first reported
/// (at most `MAX_RAGGED_REPORTS` in all), each piece's errors, and the count of the rest.
fn finish(loc: &Locator, outs: Vec<Out>, diags: &mut Vec<Diagnostic>) {
    let mut ragged = 0usize;
    for mut o in outs {
        let room = MAX_RAGGED_REPORTS.saturating_sub(ragged);
        diags.extend(o.ragged.into_iter().take(room));
        ragged += o.ragged_count;
        diags.append(&mut o.diags);
    }
    if ragged > MAX_RAGGED_REPORTS {
        diags.push(
            Diagnostic::error(
                codes::MALFORMED_TABLE,
                format!(
                    "{} more rows have the wrong number of cells",
                    ragged - MAX_RAGGED_REPORTS
                ),
            )
            .at(loc.file_span(), "in this file"),
        );
    }
}

/// The byte offsets (and csv lines) where records start, about `pieces` of them spread
/// over the text, found by one scan that follows quotes as the csv reader does; and
/// the offset of a quote never closed.
fn record_starts(
    text: &str,
    delimiter: u8,
    quoting: bool,
    pieces: usize,
) -> (Vec<Start>, Option<usize>) {
    let b = text.as_bytes();
    let step = (b.len() / pieces.max(1)).max(1);
    let mut out = Vec::new();
    let mut next = step;
    let mut line = 1u32;
    let lines = |from: usize, to: usize| memchr::memchr_iter(b'\n', &b[from..to]).count() as u32;
    // only line breaks and quotes matter: jump from one to the next. A quote opens a
    // cell only at its start, where the byte before is a delimiter or a line break
    let mut i = 0;
    loop {
        let found = if quoting {
            memchr::memchr2(b'\n', b'"', &b[i..])
        } else {
            memchr::memchr(b'\n', &b[i..])
        };
        let Some(at) = found.map(|n| i + n) else {
            break;
        };
        if b[at] == b'\n' {
            line += 1;
            if at + 1 >= next && pieces > 1 {
                out.push(Start {
                    byte: at + 1,
                    line,
                    end: 0,
                });
                next = at + 1 + step;
            }
            i = at + 1;
            continue;
        }
        let at_cell_start = at == 0 || matches!(b[at - 1], b'\n' | b'\r') || b[at - 1] == delimiter;
        if !at_cell_start {
            i = at + 1;
            continue;
        }
        // a quoted cell: to its closing quote (`""` inside is a quote)
        let mut j = at + 1;
        let close = loop {
            match memchr::memchr(b'"', &b[j..]) {
                Some(n) if b.get(j + n + 1) == Some(&b'"') => j += n + 2,
                Some(n) => break Some(j + n),
                None => break None,
            }
        };
        match close {
            Some(c) => {
                line += lines(at, c);
                i = c + 1;
            }
            None => return (out, Some(at)),
        }
    }
    (out, None)
}

/// Read the header: the first row that is not blank. Returns it, and where the rows
/// after it start; `None` when there is none (or it is broken).
fn read_header(
    loc: &Locator,
    delimiter: u8,
    unclosed: Option<usize>,
    out: &mut Out,
) -> Option<(Header<'static>, Start)> {
    let whole = Start {
        byte: 0,
        line: 1,
        end: loc.text().len(),
    };
    let mut header = Header::default();
    let after = read_rows(
        loc,
        delimiter,
        unclosed,
        &mut header,
        whole,
        true,
        out,
        &mut |_| {},
    );
    if header.cols.is_empty() {
        return None;
    }
    Some((header, after))
}

/// Read the rows of one piece of a table, after its header.
fn read_range(
    loc: &Locator,
    delimiter: u8,
    unclosed: Option<usize>,
    header: &Header,
    range: Start,
    out: &mut Out,
    each: &mut dyn FnMut(&Row),
) {
    let mut header = Header {
        cols: Vec::new(),
        order: Vec::new(),
        shared: Some(header),
    };
    read_rows(
        loc,
        delimiter,
        unclosed,
        &mut header,
        range,
        false,
        out,
        each,
    );
}

/// A table's header: the columns and where each is, and their order by name.
#[derive(Default)]
struct Header<'h> {
    cols: Vec<(Arc<str>, crate::diag::Span)>,
    order: Vec<usize>,
    /// The header read before, when reading rows after it.
    shared: Option<&'h Header<'h>>,
}

impl Header<'_> {
    fn cols(&self) -> &[(Arc<str>, crate::diag::Span)] {
        self.shared.map_or(&self.cols, |h| &h.cols)
    }
    fn order(&self) -> &[usize] {
        self.shared.map_or(&self.order, |h| &h.order)
    }
}

/// The loop of `read_each` over the records of `range`: the header first when it is
/// not known yet (and only it, when `header_only`), then the rows. Returns where the
/// reader stopped.
#[allow(clippy::too_many_arguments)]
fn read_rows(
    loc: &Locator,
    delimiter: u8,
    unclosed: Option<usize>,
    hdr: &mut Header,
    range: Start,
    header_only: bool,
    out: &mut Out,
    each: &mut dyn FnMut(&Row),
) -> Start {
    let text = loc.text();
    let quoting = delimiter != b'\t';
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .quoting(quoting)
        .from_reader(&text.as_bytes()[range.byte..range.end]);
    // positions of the csv reader, which starts at `range`, in the file
    let abs_line = |l: u64| range.line + l as u32 - 1;
    let abs_byte = |b: u64| range.byte + b as usize;
    let diags = &mut out.diags;
    // column name -> its index in `header`: a header of 100,000 columns searched
    // name by name took over a minute
    let mut columns: HashMap<Arc<str>, usize> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut positions: Vec<(u32, u32)> = Vec::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let span = match e.position() {
                    Some(p) => loc.line_span(abs_line(p.line())),
                    None => loc.file_span(),
                };
                diags.push(
                    Diagnostic::error(codes::MALFORMED_TABLE, "malformed CSV")
                        .at(span, "here")
                        .found(e.to_string()),
                );
                out.stopped = true;
                break;
            }
        }
        let Some(pos) = record.position() else {
            continue;
        };
        let raw_start = abs_byte(pos.byte());
        let end = abs_byte(rdr.position().byte());
        if let Some(quote) = unclosed.filter(|&q| raw_start <= q && q < end) {
            // this record runs from the quote to the end of the file
            let lines = line_count(&text[quote..]);
            diags.push(
                Diagnostic::error(codes::MALFORMED_TABLE, "a quoted cell is never closed")
                    .at(loc.span(quote, quote + 1), "this quote is never closed")
                    .expected("a closing `\"` before the end of the cell")
                    .found(format!(
                        "the end of the file, {lines} line{} further on",
                        if lines == 1 { "" } else { "s" }
                    ))
                    .help(
                        "close the quote; a quote inside a quoted cell is written twice (`\"\"`)",
                    ),
            );
            out.stopped = true;
            break;
        }
        let (mut start, mut line) = (raw_start, abs_line(pos.line()));
        // the csv reader counts the blank lines before a record as its start
        while let Some(&b) = text
            .as_bytes()
            .get(start)
            .filter(|b| matches!(b, b'\n' | b'\r'))
        {
            line += u32::from(b == b'\n');
            start += 1;
        }
        // where each cell starts: a row without quotes has its cells where the reader
        // put them, one delimiter apart; a row with quotes is scanned
        let plain =
            !quoting || memchr::memchr(b'"', &text.as_bytes()[start..end.max(start)]).is_none();
        let cells: Vec<usize> = if plain {
            (0..record.len())
                .filter_map(|i| record.range(i).map(|r| start + r.start + i))
                .collect()
        } else {
            cell_starts(text, start, delimiter, quoting)
        };
        let cell_span = |i: usize, len: usize| match cells.get(i) {
            Some(&s) => loc.span(s, s + len),
            None => loc.line_span(line),
        };
        if hdr.cols().is_empty() {
            if record.iter().all(|c| c.trim().is_empty()) {
                continue; // blank lines before the header
            }
            let header = &mut hdr.cols;
            for (i, name) in record.iter().enumerate() {
                let raw_len = raw_cell_len(text, cells.get(i).copied(), delimiter, quoting);
                let name = name.trim().trim_start_matches('\u{feff}');
                let name: Arc<str> = if name.is_empty() {
                    super::fields::intern(&format!("column{}", i + 1))
                } else {
                    super::fields::intern(name)
                };
                let span = cell_span(i, raw_len);
                if let Some(first) = columns.get(&name).map(|&c| &header[c].1) {
                    diags.push(
                        Diagnostic::error(
                            codes::MALFORMED_TABLE,
                            format!("column `{name}` appears twice in the header"),
                        )
                        .at(span.clone(), "again here")
                        .also(first.clone(), "first here")
                        .help("rename one of the columns: a record holds one value per field"),
                    );
                }
                columns.entry(name.clone()).or_insert(header.len());
                header.push((name, span));
            }
            // the header's columns by name, found once: each row's fields come out
            // sorted, so making a record sorts nothing
            let mut order: Vec<usize> = (0..header.len()).collect();
            order.sort_by(|&a, &b| header[a].0.cmp(&header[b].0));
            hdr.order = order;
            if header_only {
                let p = rdr.position();
                return Start {
                    byte: abs_byte(p.byte()),
                    line: abs_line(p.line()),
                    end: range.end,
                };
            }
            continue;
        }
        let header = hdr.cols();
        let order = hdr.order();
        if record.len() == 1 && record.get(0).is_some_and(|c| c.trim().is_empty()) {
            continue; // a blank line
        }
        if record.len() != header.len() {
            out.ragged_count += 1;
            if out.ragged_count <= MAX_RAGGED_REPORTS {
                let at = if record.len() > header.len() {
                    cell_span(
                        header.len(),
                        raw_cell_len(text, cells.get(header.len()).copied(), delimiter, quoting),
                    )
                } else {
                    loc.line_span(line)
                };
                out.ragged.push(
                    Diagnostic::error(
                        codes::MALFORMED_TABLE,
                        format!(
                            "row has {} cells but the header has {}",
                            record.len(),
                            header.len()
                        ),
                    )
                    .at(
                        at,
                        if record.len() > header.len() {
                            "first cell past the header"
                        } else {
                            "this row"
                        },
                    )
                    .also(header[0].1.clone(), "the header")
                    .expected(format!("{} cells", header.len()))
                    .found(format!("{} cells", record.len()))
                    .help(if delimiter == b'\t' {
                        "each row needs one cell per header column, separated by tabs"
                    } else {
                        "each row needs one cell per header column; quote cells that contain commas"
                    }),
                );
            }
            continue;
        }
        let line_end = text[start..]
            .find(['\r', '\n'])
            .map_or(text.len(), |n| start + n);
        let row_span = loc.span_at(start, line_end, line, 1);
        // each cell's line and column, counted along the row from its start (a
        // lookup per cell was a tenth of loading a wide table)
        positions.clear();
        if plain && text[start..line_end].is_ascii() {
            // one line, a byte a column
            positions.extend(cells.iter().map(|&s| (line, 1 + (s - start) as u32)));
        }
        let (mut at, mut l, mut c) = (start, line, 1u32);
        for &s in cells.iter().skip(positions.len()) {
            let seg = &text[at..s];
            if seg.contains('\n') {
                let sp = loc.span(s, s);
                (l, c) = (sp.line, sp.col);
            } else if seg.is_ascii() {
                c += seg.len() as u32;
            } else {
                c += seg.chars().count() as u32;
            }
            at = s;
            positions.push((l, c));
        }
        let mut row_cells = Vec::with_capacity(order.len());
        for &i in order {
            let Some(cell) = record.get(i) else { continue };
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            let (start, (line, col)) = match (cells.get(i), positions.get(i)) {
                (Some(&s), Some(&p)) => (s, p),
                // the csv reader and the cell scan disagree: point at the row
                _ => (row_span.start, (row_span.line, 1)),
            };
            let raw_len = cell_len(text, &cells, i, delimiter, quoting);
            row_cells.push(Cell {
                column: i,
                text: cell,
                start,
                end: start + raw_len,
                line,
                col,
            });
        }
        each(&Row {
            header,
            cells: &row_cells,
            span: row_span,
        });
    }
    let p = rdr.position();
    Start {
        byte: abs_byte(p.byte()),
        line: abs_line(p.line()),
        end: range.end,
    }
}

/// Ragged rows reported one by one per file; the rest are counted.
const MAX_RAGGED_REPORTS: usize = 20;

/// How many line breaks `text` holds.
fn line_count(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

/// The byte offset of a quote that opens a cell and is never closed, read as the csv
/// reader reads: a quote opens a cell only at its start, `""` inside is a quote. Byte
/// by byte: what `record_starts` finds by jumping is checked against it.
#[cfg(test)]
fn unclosed_quote(text: &str, delimiter: u8) -> Option<usize> {
    let b = text.as_bytes();
    let mut open: Option<usize> = None;
    let mut at_cell_start = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if open.is_some() {
            if c == b'"' {
                if b.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    open = None;
                }
            }
            i += 1;
            continue;
        }
        if c == b'"' && at_cell_start {
            open = Some(i);
            at_cell_start = false;
        } else {
            at_cell_start = c == delimiter || c == b'\n' || c == b'\r';
        }
        i += 1;
    }
    open
}

/// Byte offsets of the cells of the row starting at `start`.
fn cell_starts(text: &str, start: usize, delimiter: u8, quoting: bool) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = vec![start];
    let mut i = start;
    let mut in_quotes = false;
    let mut at_cell_start = true;
    while i < b.len() {
        let c = b[i];
        if in_quotes {
            if c == b'"' {
                if b.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quotes = false;
                }
            }
        } else if quoting && c == b'"' && at_cell_start {
            in_quotes = true;
        } else if c == delimiter {
            out.push(i + 1);
            at_cell_start = true;
            i += 1;
            continue;
        } else if c == b'\n' || c == b'\r' {
            break;
        }
        at_cell_start = false;
        i += 1;
    }
    out
}

/// The length in bytes of the raw cell `i` of a row whose cells start at `starts`:
/// up to the delimiter before the next cell, or scanned for the last.
fn cell_len(text: &str, starts: &[usize], i: usize, delimiter: u8, quoting: bool) -> usize {
    match (starts.get(i), starts.get(i + 1)) {
        (Some(&s), Some(&next)) => next - 1 - s,
        (s, _) => raw_cell_len(text, s.copied(), delimiter, quoting),
    }
}

/// The length in bytes of the raw cell starting at `start` (quotes included).
fn raw_cell_len(text: &str, start: Option<usize>, delimiter: u8, quoting: bool) -> usize {
    let Some(start) = start else { return 0 };
    let b = text.as_bytes();
    let mut i = start;
    let mut in_quotes = false;
    while i < b.len() {
        let c = b[i];
        if in_quotes {
            if c == b'"' {
                if b.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quotes = false;
                }
            }
        } else if quoting && c == b'"' && i == start {
            in_quotes = true;
        } else if c == delimiter || c == b'\n' || c == b'\r' {
            break;
        }
        i += 1;
    }
    i - start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_start_after_quoted_commas() {
        let text = "a,\"b,c\",d\n";
        assert_eq!(cell_starts(text, 0, b',', true), vec![0, 2, 8]);
        assert_eq!(raw_cell_len(text, Some(2), b',', true), 5);
    }

    /// What reading a table gives, as text: every row's cells with their positions,
    /// each row's span, and the diagnostics.
    fn read_whole(text: &str, delimiter: u8) -> String {
        let loc = Locator::new("t.csv".into(), text);
        let mut diags = Vec::new();
        let mut shown = String::new();
        read_each(&loc, delimiter, &mut diags, &mut |row| {
            shown += &show_row(row)
        });
        format!("{shown}{diags:#?}")
    }

    fn read_pieces(text: &str, delimiter: u8, pieces: usize) -> String {
        let loc = Locator::new("t.csv".into(), text);
        let mut diags = Vec::new();
        let states = read_in_pieces(
            &loc,
            delimiter,
            &mut diags,
            pieces,
            String::new,
            |s, row| *s += &show_row(row),
        );
        format!("{}{diags:#?}", states.unwrap_or_default().concat())
    }

    fn show_row(row: &Row) -> String {
        let sp = &row.span;
        let mut out = format!("row {}:{} {}..{}:", sp.line, sp.col, sp.start, sp.end);
        for c in row.cells {
            let name = &row.header[c.column].0;
            out += &format!(
                " {name}={:?}@{}:{}[{}..{}]",
                c.text, c.line, c.col, c.start, c.end
            );
        }
        out + "\n"
    }

    /// A table read in pieces is the table read whole: the same rows, positions and
    /// diagnostics in the same order (ragged rows counted across pieces, an error
    /// stopping the file where it stops the reader).
    #[test]
    fn pieces_read_as_the_whole() {
        let ragged: String = (0..30).map(|i| format!("r{i},x\n")).collect();
        let texts = [
            "\n\nid,a,b\r\nx1,\"two\nlines, with comma\",\u{e9}\r\n\r\nx2,\"q\"\"q\",b\r\nx3,,\n"
                .to_string(),
            format!("id,a,b\n{ragged}x,y,z\n{ragged}"),
            "id,a\nx,\"never closed\ny,2\nz,3\n".to_string(),
            "id,id,a\n1,2,3\n4,5,6\n7,8,9\n".to_string(),
            "a\tb\n1\t\"2\n3\t4\n5\t6\n".to_string(),
            "\n\n".to_string(),
        ];
        for text in &texts {
            let delimiter = if text.starts_with("a\t") { b'\t' } else { b',' };
            let whole = read_whole(text, delimiter);
            for pieces in 1..12 {
                assert_eq!(
                    read_pieces(text, delimiter, pieces),
                    whole,
                    "{pieces} pieces of {text:?}"
                );
            }
        }
    }

    proptest::proptest! {
        /// The same for any text made of cells, quotes, commas and line ends.
        #[test]
        fn any_table_reads_the_same_in_pieces(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["a", "bb", ",", "\"", "\"\"", "\n", "\r\n", " ", "\u{e9}"]),
                0..80,
            ),
            pieces in 1usize..9,
        ) {
            let text = format!("h1,h2,h3\n{}", parts.concat());
            proptest::prop_assert_eq!(read_pieces(&text, b',', pieces), read_whole(&text, b','));
            let body = parts.concat();
            proptest::prop_assert_eq!(record_starts(&body, b',', true, pieces).1, unclosed_quote(&body, b','));
        }
    }

    proptest::proptest! {
        /// Every cell's bytes hold its text (quotes aside), and its line and column are
        /// those a lookup of its first byte gives, whether the row was scanned (it has
        /// quotes) or its cells placed where the reader put them (it has none).
        #[test]
        fn cells_are_where_their_text_is(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["a", "bb", ",", " ", "\u{e9}", "\u{4e2d}", "\n", "\r\n", "\"q\"", "\"x,\ny\""]),
                0..60,
            ),
        ) {
            let text = format!("h1,h2,h3\n{}", parts.concat());
            let loc = Locator::new("t.csv".into(), &text);
            let mut diags = Vec::new();
            let mut failures = Vec::new();
            read_each(&loc, b',', &mut diags, &mut |row| {
                for c in row.cells {
                    let raw = &text[c.start..c.end];
                    let looked_up = loc.span(c.start, c.start);
                    // quotes aside: where they stay in a cell is the csv reader's business
                    let bare = |t: &str| t.replace('"', "").trim().to_string();
                    if bare(raw) != bare(c.text) || (looked_up.line, looked_up.col) != (c.line, c.col) {
                        failures.push(format!("{c:?} raw {raw:?} at {}:{}", looked_up.line, looked_up.col));
                    }
                }
            });
            proptest::prop_assert!(failures.is_empty(), "{:?} in {:?}", failures, text);
        }
    }

    /// A cell's length from where the next starts is the length found by scanning it.
    #[test]
    fn cell_lengths_from_starts_are_scanned_lengths() {
        for (text, delimiter, quoting) in [
            ("a,\"b,c\",d, \"e,f\" ,\"\",,\"x\"\"y\"\r\n", b',', true),
            ("\"two\nlines\",\u{e9}t\u{e9},z", b',', true),
            ("a\t\"b\tc\t\td\n", b'\t', false),
        ] {
            let starts = cell_starts(text, 0, delimiter, quoting);
            assert!(starts.len() > 2, "{text:?}");
            for i in 0..starts.len() {
                assert_eq!(
                    cell_len(text, &starts, i, delimiter, quoting),
                    raw_cell_len(text, Some(starts[i]), delimiter, quoting),
                    "cell {i} of {text:?}"
                );
            }
        }
    }

    /// Cell positions counted along a row are those a lookup gives: after wide
    /// characters, after a quoted cell that spans lines, with CRLF line ends.
    #[test]
    fn counted_cell_positions_are_looked_up_positions() {
        let text =
            "id,b,c,d\r\nx1,\u{e9}t\u{e9},\"two\nlines\",z\r\n\r\nx2,\u{4e2d}\u{6587},,w\r\n";
        let loc = Locator::new("t.csv".into(), text);
        let mut diags = Vec::new();
        let docs = read(&loc, b',', &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        let NodeKind::Seq(rows) = &docs[0].kind else {
            panic!("a list of rows")
        };
        let mut seen = 0;
        for row in rows {
            let NodeKind::Map(entries) = &row.kind else {
                panic!("a record")
            };
            let names: Vec<&str> = entries.iter().map(|e| &*e.key).collect();
            let mut sorted = names.clone();
            sorted.sort();
            assert_eq!(names, sorted, "fields come out sorted");
            for e in entries {
                let sp = &e.value.span;
                let looked_up = loc.span(sp.start, sp.end);
                assert_eq!(
                    (sp.line, sp.col),
                    (looked_up.line, looked_up.col),
                    "{}",
                    e.key
                );
                seen += 1;
            }
        }
        assert_eq!(seen, 7);
    }
}
