//! Readers: each input format becomes a list of flat records (column name → raw value), with
//! where each record is. No value is interpreted here; that is `record.rs`'s job.
//!
//! - CSV: one record per row; a row with the wrong number of fields is rejected with its line.
//! - JSON: an array of objects, an object holding one, or a single object.
//! - JSONL: one object per line; a line that is not a JSON object is rejected with its line.
//! - Markdown: YAML front matter gives fields; `## Heading` sections whose heading names a text
//!   field (Summary, Root cause, …) give that field; the rest is the narrative body.
//!
//! Nested JSON objects are flattened to dotted paths (`timeline.begin`); arrays of scalars
//! become lists; arrays of objects under a follow-up key (`action_items`, …) become nested
//! records; other arrays of objects are kept as JSON text.

use std::path::Path;

use std::borrow::Cow;

use rayon::prelude::*;
use serde_json::Value;

use super::fields::{Field, FieldKind, IncidentField, name_key};
use crate::model::Source;
use crate::outcome::{InputError, RecordKind, Rejected};

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of objects, or an object holding one.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// A Markdown postmortem with YAML front matter.
    Markdown,
}

impl Format {
    /// The format a file name's extension says, if it says one.
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            "jsonl" | "ndjson" => Some(Self::Jsonl),
            "md" | "markdown" => Some(Self::Markdown),
            _ => None,
        }
    }

    /// The format the content looks like, for names without a known extension.
    pub fn sniff(text: &str) -> Self {
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with("---") || trimmed.starts_with('#') {
            Self::Markdown
        } else if trimmed.starts_with('[') {
            Self::Json
        } else if trimmed.starts_with('{') {
            // Several lines that each hold an object: JSONL; otherwise one (maybe multi-line) object.
            let mut lines = trimmed.lines().filter(|line| !line.trim().is_empty());
            let first_is_whole = lines
                .next()
                .is_some_and(|line| serde_json::from_str::<Value>(line).is_ok());
            if first_is_whole && lines.next().is_some() {
                Self::Jsonl
            } else {
                Self::Json
            }
        } else {
            Self::Csv
        }
    }
}

/// A raw value as the source holds it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawValue<'t> {
    /// A scalar, as text: borrowed from the file's text where it appears there as it is (a
    /// CSV cell without escapes), so a large file's cells are not copied one by one.
    Text(Cow<'t, str>),
    /// An array of scalars.
    List(Vec<String>),
    /// An array of objects (nested follow-ups).
    Records(Vec<RawRecord<'t>>),
}

impl RawValue<'_> {
    fn into_owned(self) -> RawValue<'static> {
        match self {
            Self::Text(text) => RawValue::Text(Cow::Owned(text.into_owned())),
            Self::List(items) => RawValue::List(items),
            Self::Records(records) => {
                RawValue::Records(records.into_iter().map(RawRecord::into_owned).collect())
            }
        }
    }
}

/// A column name, shared by every record of a file (a CSV of a million rows holds each header
/// once, not a million times).
pub(crate) type Key = std::sync::Arc<str>;

/// One record: its place and its fields in source order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawRecord<'t> {
    pub source: Source,
    pub fields: Vec<(Key, RawValue<'t>)>,
}

impl RawRecord<'_> {
    fn into_owned(self) -> RawRecord<'static> {
        RawRecord {
            source: self.source,
            fields: self
                .fields
                .into_iter()
                .map(|(key, value)| (key, value.into_owned()))
                .collect(),
        }
    }
}

/// What reading one file gave.
#[derive(Debug, Default)]
pub(crate) struct RawFile<'t> {
    pub records: Vec<RawRecord<'t>>,
    /// Records that could not even be read as records (a short CSV row, a bad JSONL line).
    pub rejected: Vec<Rejected>,
    /// Documents that are not incidents at all (a README, an unfilled template), with the
    /// reason; they are counted as skipped, not rejected.
    pub skipped: Vec<Rejected>,
}

impl RawFile<'_> {
    /// The same records owning their text, to keep once the file's text is gone.
    pub fn into_owned(self) -> RawFile<'static> {
        RawFile {
            records: self
                .records
                .into_iter()
                .map(RawRecord::into_owned)
                .collect(),
            rejected: self.rejected,
            skipped: self.skipped,
        }
    }
}

/// The text with every line break as `\n`: `\r\n` (Excel, Python's csv) and a lone `\r` (old
/// Mac exports) each become one `\n`, so that line numbers count the lines a text editor shows,
/// whatever the line endings, even mixed in one file. Done in place: no second copy of a
/// large file.
pub(crate) fn unify_line_ends(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut bytes = text.into_bytes();
    let mut write = 0;
    let mut read = 0;
    while read < bytes.len() {
        let byte = bytes[read];
        if byte == b'\r' {
            bytes[write] = b'\n';
            if bytes.get(read + 1) == Some(&b'\n') {
                read += 1;
            }
        } else {
            bytes[write] = byte;
        }
        write += 1;
        read += 1;
    }
    bytes.truncate(write);
    // Only ASCII bytes were replaced or removed, so the text is still UTF-8.
    String::from_utf8(bytes)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// Decode bytes as UTF-8 (a leading BOM is dropped), or say at which line they stop being UTF-8.
pub(crate) fn decode(file: &str, bytes: Vec<u8>) -> Result<String, InputError> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            Ok(text)
        }
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let bytes = error.as_bytes();
            let before = &bytes[..valid];
            let line = before
                .iter()
                .enumerate()
                .filter(|&(at, &byte)| {
                    byte == b'\n' || (byte == b'\r' && before.get(at + 1) != Some(&b'\n'))
                })
                .count()
                + 1;
            Err(InputError {
                file: file.to_owned(),
                line: Some(line),
                message: format!(
                    "not UTF-8: byte 0x{:02x} at offset {valid}; re-export the file as UTF-8",
                    bytes.get(valid).copied().unwrap_or_default()
                ),
            })
        }
    }
}

/// Read one file's text in a format. `records_key` says which keys hold nested follow-ups.
pub(crate) fn read_text<'t>(
    file: &str,
    text: &'t str,
    format: Format,
    records_key: &(dyn Fn(&str) -> bool + Sync),
) -> Result<RawFile<'t>, InputError> {
    if text.contains('\r') {
        let unified = unify_line_ends(text.to_owned());
        return read_unified(file, &unified, format, records_key).map(RawFile::into_owned);
    }
    read_unified(file, text, format, records_key)
}

/// [`read_text`] of a text whose line breaks are all `\n`.
fn read_unified<'t>(
    file: &str,
    text: &'t str,
    format: Format,
    records_key: &(dyn Fn(&str) -> bool + Sync),
) -> Result<RawFile<'t>, InputError> {
    match format {
        Format::Csv => Ok(read_csv(file, text)),
        Format::Json => read_json(file, text, records_key),
        Format::Jsonl => Ok(read_jsonl(file, text, records_key)),
        Format::Markdown => Ok(read_markdown(file, text, records_key)),
    }
}

fn source(file: &str, record: usize, line: Option<usize>) -> Source {
    Source {
        file: file.to_owned(),
        record,
        line,
    }
}

fn reject(source: Source, reason: String) -> Rejected {
    Rejected {
        source,
        id: None,
        field: None,
        value: None,
        reason,
        kind: RecordKind::Incident,
    }
}

/// Below this many bytes a CSV is parsed in one piece; above, in chunks of about this size or
/// more, one per worker and then some, split at record boundaries.
const CSV_CHUNK_BYTES: usize = 4 << 20;

fn read_csv<'t>(file: &str, text: &'t str) -> RawFile<'t> {
    let chunk = CSV_CHUNK_BYTES.max(text.len() / (rayon::current_num_threads() * 4).max(1));
    read_csv_in_chunks(file, text, chunk)
}

/// Read a CSV, the rows after the header parsed in parallel chunks of about `chunk` bytes. The
/// result is the same for any chunk size: records, rejections, numbers and lines are those of
/// one pass over the file.
fn read_csv_in_chunks<'t>(file: &str, text: &'t str, chunk: usize) -> RawFile<'t> {
    let mut out = RawFile::default();
    let mut rows = CsvRows::new(text, 0, 1);
    let Some((_, header)) = rows.next_row() else {
        return out;
    };
    let names = header_names(header.iter().map(|cell| &**cell));
    let bounds = chunk_bounds(text, rows.pos, rows.line, chunk);
    let parts: Vec<RawFile<'t>> = bounds
        .into_par_iter()
        .map(|(start, end, line)| {
            // Each chunk shares its own copies of the column names: no counter shared across
            // workers for every cell.
            let names: Vec<Key> = names.iter().map(|name| Key::from(&**name)).collect();
            read_csv_rows(file, CsvRows::new(&text[..end], start, line), &names)
        })
        .collect();
    out.records
        .reserve_exact(parts.iter().map(|part| part.records.len()).sum());
    let mut number = 0;
    for mut part in parts {
        let counted = part.records.len() + part.rejected.len();
        for record in &mut part.records {
            record.source.record += number;
        }
        for rejected in &mut part.rejected {
            rejected.source.record += number;
        }
        out.records.append(&mut part.records);
        out.rejected.append(&mut part.rejected);
        number += counted;
    }
    out
}

/// The rows of one chunk, numbered from 1.
fn read_csv_rows<'t>(file: &str, mut rows: CsvRows<'t>, names: &[Key]) -> RawFile<'t> {
    let mut out = RawFile::default();
    let mut number = 0;
    while let Some((line, cells)) = rows.next_row() {
        if cells.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        number += 1;
        if cells.len() != names.len() {
            out.rejected.push(reject(
                source(file, number, Some(line)),
                format!(
                    "row has {} fields, the header has {}",
                    cells.len(),
                    names.len()
                ),
            ));
            continue;
        }
        let fields = names
            .iter()
            .cloned()
            .zip(cells.into_iter().map(RawValue::Text))
            .collect();
        out.records.push(RawRecord {
            source: source(file, number, Some(line)),
            fields,
        });
    }
    out
}

/// Where the text from `start` (a record boundary, on line `line`) is cut into chunks of at
/// least `chunk` bytes: `(start, end, line of start)`, each end a record boundary (after a
/// line break outside quotes). Quoting is followed as the reader follows it: a quote opens a
/// quoted value only at the start of a field, so line breaks inside quoted values never cut.
fn chunk_bounds(text: &str, start: usize, line: usize, chunk: usize) -> Vec<(usize, usize, usize)> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let bytes = text.as_bytes();
    let mut bounds = Vec::new();
    let (mut from, mut from_line) = (start, line);
    if bytes.len().saturating_sub(start) <= chunk {
        bounds.push((from, bytes.len(), from_line));
        return bounds;
    }
    let mut state = State::FieldStart;
    let mut lines = line;
    let mut next_cut = start.saturating_add(chunk);
    for (at, &byte) in bytes.iter().enumerate().skip(start) {
        state = match (state, byte) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::FieldStart, b'"') | (State::QuoteInQuoted, b'"') => State::Quoted,
            (_, b',') => State::FieldStart,
            (_, b'\n') => State::FieldStart,
            _ => State::Unquoted,
        };
        if byte == b'\n' {
            lines += 1;
            // Cut only after a row's own line break, never inside a run of empty lines: the
            // reader counts empty lines before a row as the row's start.
            if state == State::FieldStart
                && at + 1 >= next_cut
                && at + 1 < bytes.len()
                && at > 0
                && bytes[at - 1] != b'\n'
            {
                bounds.push((from, at + 1, from_line));
                (from, from_line) = (at + 1, lines);
                next_cut = from.saturating_add(chunk);
            }
        }
    }
    bounds.push((from, bytes.len(), from_line));
    bounds
}

/// A CSV parser over borrowed text with the csv crate's rules (RFC 4180 quoting, `""` for a
/// quote inside quotes, a quote elsewhere taken literally, text after a closing quote kept,
/// empty lines skipped, rows of any length): a cell is a slice of the text unless it holds an
/// escaped quote. The text's line breaks are `\n` (see [`unify_line_ends`]).
struct CsvRows<'t> {
    text: &'t str,
    pos: usize,
    /// The line at `pos`.
    line: usize,
}

impl<'t> CsvRows<'t> {
    fn new(text: &'t str, pos: usize, line: usize) -> Self {
        Self { text, pos, line }
    }

    fn slice(&self, start: usize, end: usize) -> &'t str {
        self.text.get(start..end).unwrap_or_default()
    }

    /// The next row and the line the reader stood on before it (blank lines before a row
    /// count as its start, as the csv crate reports positions).
    fn next_row(&mut self) -> Option<(usize, Vec<Cow<'t, str>>)> {
        let bytes = self.text.as_bytes();
        let line = self.line;
        while bytes.get(self.pos) == Some(&b'\n') {
            self.pos += 1;
            self.line += 1;
        }
        if self.pos >= bytes.len() {
            return None;
        }
        let mut cells = Vec::new();
        loop {
            let (cell, last) = self.cell();
            cells.push(cell);
            if last {
                return Some((line, cells));
            }
        }
    }

    /// The cell at `pos`, and whether it ends its row.
    fn cell(&mut self) -> (Cow<'t, str>, bool) {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        if bytes.get(start) != Some(&b'"') {
            let end = self.unquoted_end(start);
            return (Cow::Borrowed(self.slice(start, end)), self.end_cell(end));
        }
        let mut at = start + 1;
        let mut escaped = false;
        while at < bytes.len() {
            match bytes[at] {
                b'"' if bytes.get(at + 1) == Some(&b'"') => {
                    escaped = true;
                    at += 2;
                }
                b'"' => {
                    let close = at;
                    let end = self.unquoted_end(close + 1);
                    let cell = if end == close + 1 && !escaped {
                        Cow::Borrowed(self.slice(start + 1, close))
                    } else {
                        Cow::Owned(unquote(self.slice(start, end)))
                    };
                    return (cell, self.end_cell(end));
                }
                byte => {
                    self.line += usize::from(byte == b'\n');
                    at += 1;
                }
            }
        }
        // A quote never closed: the value runs to the end of the text.
        let cell = if escaped {
            Cow::Owned(unquote(self.slice(start, bytes.len())))
        } else {
            Cow::Borrowed(self.slice(start + 1, bytes.len()))
        };
        (cell, self.end_cell(bytes.len()))
    }

    /// The end of unquoted text from `from`: the next comma, line break or the end.
    fn unquoted_end(&self, from: usize) -> usize {
        let bytes = self.text.as_bytes();
        bytes
            .get(from..)
            .and_then(|rest| rest.iter().position(|&b| b == b',' || b == b'\n'))
            .map_or(bytes.len(), |offset| from + offset)
    }

    /// Step over what ends a cell at `end` (a comma, a line break or the end of the text);
    /// true when it ends the row.
    fn end_cell(&mut self, end: usize) -> bool {
        match self.text.as_bytes().get(end) {
            Some(b',') => {
                self.pos = end + 1;
                false
            }
            Some(_) => {
                self.pos = end + 1;
                self.line += 1;
                true
            }
            None => {
                self.pos = end;
                true
            }
        }
    }
}

/// The value of a quoted cell whose raw text (from its opening quote) holds `""` escapes or
/// text after the closing quote.
fn unquote(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw.strip_prefix('"').unwrap_or(raw);
    while let Some(at) = rest.find('"') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match after.strip_prefix('"') {
            Some(more) => {
                out.push('"');
                rest = more;
            }
            None => {
                out.push_str(after);
                return out;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Header names made unique and non-empty, so no column is lost to a clash.
fn header_names<'a>(record: impl Iterator<Item = &'a str>) -> Vec<Key> {
    let mut names: Vec<String> = Vec::new();
    for (index, name) in record.enumerate() {
        let name = name.trim();
        let base = if name.is_empty() {
            format!("column {}", index + 1)
        } else {
            name.to_owned()
        };
        let mut unique = base.clone();
        let mut n = 2;
        while names.contains(&unique) {
            unique = format!("{base} ({n})");
            n += 1;
        }
        names.push(unique);
    }
    names.into_iter().map(Key::from).collect()
}

/// Keys under which a JSON document keeps its list of records.
const CONTAINER_KEYS: &[&str] = &[
    "incidents",
    "data",
    "records",
    "items",
    "results",
    "rows",
    "entries",
    "issues",
    "postmortems",
];

fn read_json(
    file: &str,
    text: &str,
    records_key: &(dyn Fn(&str) -> bool + Sync),
) -> Result<RawFile<'static>, InputError> {
    let value: Value = serde_json::from_str(text).map_err(|error| InputError {
        file: file.to_owned(),
        line: Some(error.line()),
        message: format!("invalid JSON: {error}"),
    })?;
    let elements = match value {
        Value::Array(elements) => elements,
        Value::Object(mut object) => {
            let container = object
                .iter()
                .find(|(key, value)| {
                    CONTAINER_KEYS.contains(&name_key(key).as_str()) && value.is_array()
                })
                .or_else(|| {
                    let mut arrays = object.iter().filter(|(_, value)| {
                        value
                            .as_array()
                            .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_object))
                    });
                    match (arrays.next(), arrays.next()) {
                        (Some(only), None) if !records_key(only.0) => Some(only),
                        _ => None,
                    }
                })
                .map(|(key, _)| key.clone());
            match container.and_then(|key| object.remove(&key)) {
                Some(Value::Array(elements)) => elements,
                _ => vec![Value::Object(object)],
            }
        }
        other => {
            return Err(InputError {
                file: file.to_owned(),
                line: Some(1),
                message: format!("expected a JSON array or object, found {}", kind_of(&other)),
            });
        }
    };
    let mut out = RawFile::default();
    for (index, element) in elements.into_iter().enumerate() {
        push_object(
            &mut out,
            source(file, index + 1, None),
            element,
            records_key,
        );
    }
    Ok(out)
}

// A rejected line carries its whole explanation; it is the normal outcome of bad input, as in
// record.rs, not an exceptional path worth boxing.
#[allow(clippy::result_large_err)]
fn read_jsonl(
    file: &str,
    text: &str,
    records_key: &(dyn Fn(&str) -> bool + Sync),
) -> RawFile<'static> {
    // Every non-blank line is a record: its number is known before it is parsed, so the lines
    // are parsed in parallel and kept in order.
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .collect();
    let parsed: Vec<Result<RawRecord<'static>, Rejected>> = lines
        .into_par_iter()
        .enumerate()
        .map(|(number, (index, line))| {
            let at = source(file, number + 1, Some(index + 1));
            match serde_json::from_str::<Value>(line) {
                Ok(value) => object_record(at, value, records_key),
                Err(error) => Err(reject(at, format!("invalid JSON on this line: {error}"))),
            }
        })
        .collect();
    let mut out = RawFile::default();
    for record in parsed {
        match record {
            Ok(record) => out.records.push(record),
            Err(rejected) => out.rejected.push(rejected),
        }
    }
    out
}

fn push_object(
    out: &mut RawFile<'static>,
    at: Source,
    value: Value,
    records_key: &(dyn Fn(&str) -> bool + Sync),
) {
    match object_record(at, value, records_key) {
        Ok(record) => out.records.push(record),
        Err(rejected) => out.rejected.push(rejected),
    }
}

/// A JSON object as a flat record; anything else is rejected.
#[allow(clippy::result_large_err)]
fn object_record(
    at: Source,
    value: Value,
    records_key: &(dyn Fn(&str) -> bool + Sync),
) -> Result<RawRecord<'static>, Rejected> {
    match value {
        Value::Object(object) => {
            let mut fields = Vec::new();
            flatten("", Value::Object(object), &at, records_key, &mut fields);
            Ok(RawRecord { source: at, fields })
        }
        other => {
            let reason = format!("expected a JSON object, found {}", kind_of(&other));
            Err(reject(at, reason))
        }
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(_) | Value::Object(_) => Some(value.to_string()),
    }
}

/// Flatten a JSON value into `(dotted path, raw value)` pairs.
fn flatten(
    path: &str,
    value: Value,
    at: &Source,
    records_key: &(dyn Fn(&str) -> bool + Sync),
    out: &mut Vec<(Key, RawValue<'static>)>,
) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::Null => {}
        Value::Object(object) => {
            for (key, value) in object {
                flatten(&join(&key), value, at, records_key, out);
            }
        }
        Value::Array(elements) => {
            if elements.iter().all(|e| !e.is_array() && !e.is_object()) {
                let items = elements.iter().filter_map(scalar_text).collect();
                out.push((Key::from(path), RawValue::List(items)));
            } else if records_key(path) && elements.iter().all(Value::is_object) {
                let records = elements
                    .into_iter()
                    .map(|element| {
                        let mut fields = Vec::new();
                        flatten("", element, at, &|_| false, &mut fields);
                        RawRecord {
                            source: at.clone(),
                            fields,
                        }
                    })
                    .collect();
                out.push((Key::from(path), RawValue::Records(records)));
            } else {
                out.push((
                    Key::from(path),
                    RawValue::Text(Value::Array(elements).to_string().into()),
                ));
            }
        }
        scalar => {
            if let Some(text) = scalar_text(&scalar) {
                out.push((Key::from(path), RawValue::Text(text.into())));
            }
        }
    }
}

/// The field a Markdown section heading names, when it names a text or list field.
fn section_field(heading: &str) -> Option<IncidentField> {
    let key = name_key(heading);
    IncidentField::ALL.iter().copied().find(|field| {
        matches!(
            field.kind(),
            FieldKind::Text | FieldKind::List | FieldKind::Records
        ) && *field != IncidentField::Body
            && *field != IncidentField::Title
            && field.aliases().contains(&key.as_str())
    })
}

/// The text without HTML comments (`<!-- hint -->`), which are notes to the writer, not content.
fn without_comments(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("<!--") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start..].find("-->") {
            Some(end) => rest = &rest[start + end + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

fn read_markdown(
    file: &str,
    text: &str,
    records_key: &(dyn Fn(&str) -> bool + Sync),
) -> RawFile<'static> {
    let mut out = RawFile::default();
    let at = source(file, 1, Some(1));
    let (front, body) = match split_front_matter(text) {
        Ok(parts) => parts,
        Err(reason) => {
            out.rejected.push(reject(at, reason));
            return out;
        }
    };
    let mut fields = Vec::new();
    if let Some(front) = front {
        match serde_norway::from_str::<Value>(front) {
            Ok(Value::Object(object)) => {
                flatten("", Value::Object(object), &at, records_key, &mut fields);
            }
            Ok(Value::Null) => {}
            Ok(other) => {
                out.rejected.push(reject(
                    at,
                    format!(
                        "front matter is {}, expected key: value pairs",
                        kind_of(&other)
                    ),
                ));
                return out;
            }
            Err(error) => {
                let line = error.location().map(|l| l.line() + 1);
                out.rejected.push(reject(
                    source(file, 1, line.or(Some(1))),
                    format!("front matter is not valid YAML: {error}"),
                ));
                return out;
            }
        }
    }
    let has = |field: IncidentField, fields: &[(Key, RawValue)]| {
        fields.iter().any(|(key, _)| {
            let whole = name_key(key);
            field.aliases().contains(&whole.as_str())
        })
    };
    let filled_front = fields.iter().any(|(_, value)| has_value(value));
    let body = without_comments(body);
    // A `Key: value` line gives a field the front matter left out; otherwise it stays prose.
    let wanted = |key: &str| {
        let key = name_key(key);
        IncidentField::ALL.iter().any(|field| {
            !matches!(field, IncidentField::Body | IncidentField::FollowUps)
                && field.aliases().contains(&key.as_str())
                && !has(*field, &fields)
        })
    };
    let parts = markdown_parts(&body, &at, &wanted);
    let filled_body = !parts.key_values.is_empty()
        || !parts.follow_ups.is_empty()
        || parts
            .sections
            .iter()
            .any(|(_, content)| !content.trim().is_empty());
    if !filled_front && !filled_body {
        out.skipped.push(reject(
            at,
            "skipped: not an incident (no front matter value, no `## Section` or `Key: value` line naming an incident field, or only a template's hints)".to_owned(),
        ));
        return out;
    }
    for (key, value) in parts.key_values {
        fields.push((Key::from(key), RawValue::Text(value.into())));
    }
    if !has(IncidentField::Id, &fields) {
        let stem = Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(file);
        fields.push((Key::from("id"), RawValue::Text(stem.to_owned().into())));
    }
    if let Some(title) = parts.title
        && !has(IncidentField::Title, &fields)
    {
        fields.push((Key::from("title"), RawValue::Text(title.into())));
    }
    let mut follow_ups = parts.follow_ups;
    for (heading, content) in parts.sections {
        if section_field(&heading) != Some(IncidentField::FollowUps) {
            fields.push((
                Key::from(heading),
                RawValue::Text(content.trim().to_owned().into()),
            ));
        }
    }
    if !follow_ups.is_empty() {
        // One column of follow-ups: the front matter's, when it has one, else a new one.
        let existing = fields.iter_mut().find_map(|(key, value)| match value {
            RawValue::Records(records) if records_key(key) => Some(records),
            _ => None,
        });
        match existing {
            Some(records) => records.append(&mut follow_ups),
            None => fields.push((Key::from("follow_ups"), RawValue::Records(follow_ups))),
        }
    }
    let narrative = parts.narrative.trim();
    if !narrative.is_empty() {
        fields.push((
            Key::from("body"),
            RawValue::Text(narrative.to_owned().into()),
        ));
    }
    out.records.push(RawRecord { source: at, fields });
    out
}

/// Whether a raw value holds anything: a non-blank text, a list with a non-blank item, nested
/// records with a value.
fn has_value(value: &RawValue) -> bool {
    match value {
        RawValue::Text(text) => !text.trim().is_empty(),
        RawValue::List(items) => items.iter().any(|item| !item.trim().is_empty()),
        RawValue::Records(records) => records
            .iter()
            .any(|record| record.fields.iter().any(|(_, value)| has_value(value))),
    }
}

/// What the body of a Markdown postmortem holds.
#[derive(Debug, Default)]
struct MarkdownParts {
    /// The first `# ` heading.
    title: Option<String>,
    /// `## Heading` sections that name a field, with their content (follow-up sections too,
    /// whose items are also in `follow_ups`).
    sections: Vec<(String, String)>,
    /// `Key: value` and `**Key:** value` lines naming an incident field, outside field sections.
    key_values: Vec<(String, String)>,
    /// Items of follow-up sections, checklist items anywhere, rows of action-item tables.
    follow_ups: Vec<RawRecord<'static>>,
    /// Everything else.
    narrative: String,
}

fn is_fence(line: &str) -> bool {
    line.starts_with("```") || line.starts_with("~~~")
}

/// Split a Markdown body into its parts, line by line. Lines inside code fences are narrative.
fn markdown_parts(
    body: &str,
    at: &Source,
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> MarkdownParts {
    let mut parts = MarkdownParts::default();
    let mut section: Option<(String, String)> = None;
    let mut table: Vec<&str> = Vec::new();
    let mut in_fence = false;
    for line in body.lines() {
        let trimmed = line.trim_start();
        if !in_fence && trimmed.starts_with('|') {
            table.push(line);
            continue;
        }
        flush_table(&mut table, &mut section, &mut parts, at);
        if in_fence || is_fence(trimmed) {
            if is_fence(trimmed) {
                in_fence = !in_fence;
            }
            push_line(&mut section, &mut parts.narrative, line);
            continue;
        }
        let level = trimmed.chars().take_while(|&c| c == '#').count();
        let is_heading = (1..=6).contains(&level) && trimmed[level..].starts_with(' ');
        if is_heading {
            let heading = trimmed[level..]
                .trim()
                .trim_end_matches('#')
                .trim()
                .to_owned();
            if let Some(done) = section.take() {
                parts.sections.push(done);
            }
            if level == 1 && parts.title.is_none() {
                parts.title = Some(heading);
                continue;
            }
            if section_field(&heading).is_some() {
                section = Some((heading, String::new()));
                continue;
            }
        }
        let in_follow_ups = section
            .as_ref()
            .is_some_and(|(heading, _)| section_field(heading) == Some(IncidentField::FollowUps));
        if let Some(item) = list_item(trimmed) {
            let (checked, text) = checkbox(item);
            if in_follow_ups || checked.is_some() {
                if let Some(record) = follow_up_item(text, checked, at) {
                    parts.follow_ups.push(record);
                }
                if in_follow_ups {
                    push_line(&mut section, &mut parts.narrative, line);
                }
                continue;
            }
        }
        if section.is_none()
            && let Some((key, value)) = key_value_line(trimmed)
            && wanted(&key)
            && !parts
                .key_values
                .iter()
                .any(|(k, _)| name_key(k) == name_key(&key))
        {
            parts.key_values.push((key, value));
            continue;
        }
        push_line(&mut section, &mut parts.narrative, line);
    }
    flush_table(&mut table, &mut section, &mut parts, at);
    if let Some(done) = section.take() {
        parts.sections.push(done);
    }
    parts
}

fn push_line(section: &mut Option<(String, String)>, narrative: &mut String, line: &str) {
    let target = match section {
        Some((_, content)) => content,
        None => narrative,
    };
    target.push_str(line);
    target.push('\n');
}

/// A finished table: its rows become follow-ups when its header names an action and an owner,
/// due date, status or ticket; otherwise its lines stay where they were.
fn flush_table(
    table: &mut Vec<&str>,
    section: &mut Option<(String, String)>,
    parts: &mut MarkdownParts,
    at: &Source,
) {
    if table.is_empty() {
        return;
    }
    match action_item_rows(table, at) {
        Some(mut rows) => parts.follow_ups.append(&mut rows),
        None => {
            for line in table.iter() {
                push_line(section, &mut parts.narrative, line);
            }
        }
    }
    table.clear();
}

/// Header names (by [`name_key`]) of an action-item table that hold the action itself.
const ACTION_HEADERS: &[&str] = &[
    "action",
    "actions",
    "actionitem",
    "actionitems",
    "item",
    "task",
    "title",
    "followup",
    "description",
    "what",
    "todo",
];
/// Header names of an action-item table that hold its ticket.
const TICKET_HEADERS: &[&str] = &["ticket", "issue", "jira", "tracker", "link", "key", "ref"];
/// Header names that, beside an action, make a table one of action items.
const DETAIL_HEADERS: &[&str] = &[
    "owner",
    "assignee",
    "who",
    "responsible",
    "due",
    "duedate",
    "dueat",
    "deadline",
    "status",
    "state",
];

/// The key checklist items use for a detail header of an action-item table.
fn detail_key(key: &str) -> Option<&'static str> {
    match key {
        "owner" | "assignee" | "who" | "responsible" => Some("owner"),
        "due" | "duedate" | "dueat" | "deadline" => Some("due"),
        "status" | "state" => Some("status"),
        _ => None,
    }
}

/// The rows of a Markdown table of action items, as follow-up records, or `None` when the
/// table is something else.
fn action_item_rows(lines: &[&str], at: &Source) -> Option<Vec<RawRecord<'static>>> {
    let cells = |line: &str| -> Vec<String> {
        let inner = line.trim().trim_start_matches('|');
        let inner = inner.strip_suffix('|').unwrap_or(inner);
        inner
            .split('|')
            .map(|cell| cell.trim().to_owned())
            .collect()
    };
    let (header, rest) = lines.split_first()?;
    let (rule, rows) = rest.split_first()?;
    if !rule.contains('-')
        || !rule
            .chars()
            .all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
    {
        return None;
    }
    let names: Vec<String> = cells(header)
        .iter()
        .map(|name| {
            let key = name_key(name);
            if ACTION_HEADERS.contains(&key.as_str()) {
                "title".to_owned()
            } else if TICKET_HEADERS.contains(&key.as_str()) {
                "tracker".to_owned()
            } else if let Some(canonical) = detail_key(&key) {
                // The names checklist items use, so that one column plan fits both.
                canonical.to_owned()
            } else {
                name.clone()
            }
        })
        .collect();
    let has_action = names.iter().any(|name| name == "title");
    let has_detail = names
        .iter()
        .any(|name| name == "tracker" || DETAIL_HEADERS.contains(&name_key(name).as_str()));
    if !has_action || !has_detail {
        return None;
    }
    let records = rows
        .iter()
        .map(|row| {
            let fields = names
                .iter()
                .zip(cells(row))
                .filter(|(_, cell)| !cell.is_empty())
                .map(|(name, cell)| (Key::from(name.as_str()), RawValue::Text(cell.into())))
                .collect();
            RawRecord {
                source: at.clone(),
                fields,
            }
        })
        .filter(|record| !record.fields.is_empty())
        .collect();
    Some(records)
}

/// The text of a list item line (`- x`, `* x`, `+ x`, `1. x`), if the line is one.
fn list_item(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix("- ")
        .or_else(|| line.strip_prefix("* "))
        .or_else(|| line.strip_prefix("+ "))
        .or_else(|| {
            let digits = line.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 {
                line[digits..].strip_prefix(". ")
            } else {
                None
            }
        })?;
    let rest = rest.trim();
    (!rest.is_empty()).then_some(rest)
}

/// A task-list checkbox at the start of an item: `Some(true)` for `[x]`, `Some(false)` for
/// `[ ]`, with the rest of the item.
fn checkbox(item: &str) -> (Option<bool>, &str) {
    for (mark, checked) in [("[ ]", false), ("[x]", true), ("[X]", true)] {
        if let Some(rest) = item.strip_prefix(mark) {
            return (Some(checked), rest.trim());
        }
    }
    (None, item)
}

/// A follow-up from a list item: `Add an alert (@priya, due 2025-10-15) OPS-88` gives the
/// title `Add an alert`, owner `priya`, due date `2025-10-15` and ticket `OPS-88`; a checkbox
/// gives the status.
fn follow_up_item(text: &str, checked: Option<bool>, at: &Source) -> Option<RawRecord<'static>> {
    let details = item_details(text);
    if details.title.is_empty() && details.ticket.is_none() {
        return None;
    }
    let mut fields = Vec::new();
    let mut add =
        |key: &str, value: String| fields.push((Key::from(key), RawValue::Text(value.into())));
    if !details.title.is_empty() {
        add("title", details.title);
    }
    if let Some(checked) = checked {
        add("status", if checked { "done" } else { "open" }.to_owned());
    }
    if let Some(owner) = details.owner {
        add("owner", owner);
    }
    if let Some(due) = details.due {
        add("due", due);
    }
    if let Some(ticket) = details.ticket {
        add("id", ticket.clone());
        add("tracker", ticket);
    }
    Some(RawRecord {
        source: at.clone(),
        fields,
    })
}

/// What a follow-up item's text says besides its title.
#[derive(Debug, Default, PartialEq)]
struct ItemDetails {
    title: String,
    owner: Option<String>,
    due: Option<String>,
    ticket: Option<String>,
}

/// Take `@owner`, `owner: X`, `due YYYY-MM-DD` / `due: …` and a tracker key (`OPS-88`) out of
/// an item's text; what is left, without emptied brackets and dangling separators, is the
/// title.
fn item_details(text: &str) -> ItemDetails {
    let mut details = ItemDetails::default();
    let words = tokens(text);
    let mut title_words: Vec<&str> = Vec::new();
    let mut index = 0;
    while index < words.len() {
        let word = words[index].as_str();
        let lower = word.to_lowercase();
        let next = words.get(index + 1).map(String::as_str);
        if let Some(owner) = word.strip_prefix('@').filter(|owner| is_name(owner)) {
            details.owner.get_or_insert_with(|| owner.to_owned());
        } else if matches!(lower.as_str(), "owner:" | "owner" | "assignee:")
            && let Some(owner) = next.filter(|next| is_name(next))
        {
            details.owner.get_or_insert_with(|| owner.to_owned());
            index += 1;
        } else if matches!(lower.as_str(), "due:" | "due")
            && let Some(due) = next.filter(|next| looks_like_date(next))
        {
            details.due.get_or_insert_with(|| due.to_owned());
            index += 1;
        } else if details.ticket.is_none() && is_tracker_key(word) {
            details.ticket = Some(word.to_owned());
        } else {
            title_words.push(word);
        }
        index += 1;
    }
    details.title = tidy_title(&title_words);
    details
}

/// The words of an item, with brackets, commas and semicolons as words of their own.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_whitespace() || matches!(c, '(' | ')' | ',' | ';' | '[' | ']') {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The title words joined back: brackets left empty (or holding only separators) by the
/// details taken out are dropped, separators at either end too, and punctuation is attached to
/// its word again (`a ( b )` → `a (b)`).
fn tidy_title(words: &[&str]) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for &word in words {
        if matches!(word, ")" | "]") {
            let open = if word == ")" { "(" } else { "[" };
            if let Some(start) = kept.iter().rposition(|w| *w == open)
                && kept[start + 1..].iter().all(|w| matches!(*w, "," | ";"))
            {
                kept.truncate(start);
                continue;
            }
        }
        kept.push(word);
    }
    let separator = |w: &&str| matches!(*w, "," | ";" | "-" | "—" | "–" | ":");
    while kept.last().is_some_and(separator) {
        kept.pop();
    }
    while kept.first().is_some_and(separator) {
        kept.remove(0);
    }
    let mut title = String::new();
    for (index, word) in kept.iter().enumerate() {
        let glue_left = matches!(*word, ")" | "]" | "," | ";");
        let after_open = index > 0 && matches!(kept[index - 1], "(" | "[");
        if index > 0 && !glue_left && !after_open {
            title.push(' ');
        }
        title.push_str(word);
    }
    title
}

fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Whether a word looks like a date: at least four digits, with `-`, `/` or `.` between them.
fn looks_like_date(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '/' | '.'))
        && text.chars().filter(char::is_ascii_digit).count() >= 4
}

/// A tracker key: capital letters (and digits), a dash, a number (`OPS-88`, `SRE2-7`).
fn is_tracker_key(word: &str) -> bool {
    let Some((project, number)) = word.split_once('-') else {
        return false;
    };
    project.len() >= 2
        && project.starts_with(|c: char| c.is_ascii_uppercase())
        && project
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
}

/// A `Key: value` or `**Key:** value` line (also as a list item), with the key as written.
fn key_value_line(line: &str) -> Option<(String, String)> {
    let line = list_item(line).unwrap_or(line);
    let bold = line
        .strip_prefix("**")
        .map(|rest| (rest, "**"))
        .or_else(|| line.strip_prefix("__").map(|rest| (rest, "__")));
    let (key, value) = match bold {
        Some((rest, marker)) => {
            let end = rest.find(marker)?;
            let (key, after) = (&rest[..end], &rest[end + marker.len()..]);
            match key.strip_suffix(':') {
                Some(key) => (key, after),
                None => (key, after.strip_prefix(':')?),
            }
        }
        None => line.split_once(':')?,
    };
    let key = key.trim();
    let value = value.trim();
    let plausible_key = !key.is_empty()
        && key.len() <= 40
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '/' | '(' | ')'));
    // `https://…`: the key would be a URL scheme, not a field.
    (plausible_key && !value.is_empty() && !value.starts_with("//"))
        .then(|| (key.to_owned(), value.to_owned()))
}

/// Split `---` YAML front matter from the body.
fn split_front_matter(text: &str) -> Result<(Option<&str>, &str), String> {
    let trimmed = text.trim_start_matches('\u{feff}');
    let Some(rest) = trimmed
        .strip_prefix("---\n")
        .or_else(|| trimmed.strip_prefix("---\r\n"))
    else {
        return Ok((None, trimmed));
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Ok((Some(front), body));
        }
        offset += line.len();
    }
    Err("front matter starts with --- but never ends (no closing --- line)".to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn no_records(_: &str) -> bool {
        false
    }

    fn follow_up_keys(key: &str) -> bool {
        IncidentField::FollowUps
            .aliases()
            .contains(&name_key(key.rsplit('.').next().unwrap_or(key)).as_str())
    }

    fn text_of(record: &RawRecord<'_>, key: &str) -> Option<String> {
        record.fields.iter().find_map(|(k, v)| match v {
            RawValue::Text(t) if &**k == key => Some(t.to_string()),
            _ => None,
        })
    }

    #[test]
    fn formats_from_extension_and_content() {
        assert_eq!(Format::from_path(Path::new("a/b.CSV")), Some(Format::Csv));
        assert_eq!(
            Format::from_path(Path::new("x.ndjson")),
            Some(Format::Jsonl)
        );
        assert_eq!(Format::from_path(Path::new("x.txt")), None);
        assert_eq!(Format::sniff("---\nid: 1\n---\n"), Format::Markdown);
        assert_eq!(Format::sniff("[{\"id\":1}]"), Format::Json);
        assert_eq!(Format::sniff("{\"id\":1}\n{\"id\":2}\n"), Format::Jsonl);
        assert_eq!(Format::sniff("{\n\"incidents\": []\n}"), Format::Json);
        assert_eq!(Format::sniff("id,title\n1,a\n"), Format::Csv);
    }

    #[test]
    fn csv_rows_keep_their_lines_and_short_rows_are_rejected() {
        let text = "id,title\n1,\"multi\nline\"\n2\n3,c\n";
        let file = read_csv("f.csv", text);
        assert_eq!(file.records.len(), 2);
        assert_eq!(file.records[0].source.line, Some(2));
        assert_eq!(file.records[1].source.line, Some(5));
        assert_eq!(file.records[1].source.record, 3);
        assert_eq!(file.rejected.len(), 1);
        assert_eq!(file.rejected[0].source.line, Some(4));
        assert_eq!(
            file.rejected[0].reason,
            "row has 1 fields, the header has 2"
        );
    }

    /// The rows of a CSV as the csv crate reads them (the reader before chunked parsing):
    /// (line, cells) of every row, the header first.
    fn csv_crate_rows(text: &str) -> Vec<(usize, Vec<String>)> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        let mut rows = Vec::new();
        while reader.read_record(&mut record).expect("valid UTF-8") {
            let line = record.position().map(|p| p.line() as usize);
            rows.push((
                line.expect("a position"),
                record.iter().map(str::to_owned).collect(),
            ));
        }
        rows
    }

    /// Texts built from the bytes that matter to CSV: quotes, commas, line breaks, blanks.
    fn tricky_csv_texts() -> Vec<String> {
        let pieces = [
            "a",
            "b",
            ",",
            ",",
            "\"",
            "\"\"",
            "\n",
            "\n",
            "\n\n",
            " ",
            "é",
            "x\"y",
            "\"q,\nr\"",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..3000)
            .map(|_| {
                let len = (next() % 40) as usize;
                (0..len)
                    .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn csv_rows_are_read_as_the_csv_crate_reads_them() {
        for text in tricky_csv_texts() {
            let mut rows = CsvRows::new(&text, 0, 1);
            let mut ours = Vec::new();
            while let Some((line, cells)) = rows.next_row() {
                ours.push((
                    line,
                    cells.into_iter().map(String::from).collect::<Vec<_>>(),
                ));
            }
            assert_eq!(ours, csv_crate_rows(&text), "{text:?}");
        }
    }

    #[test]
    fn csv_chunks_give_the_records_of_one_pass() {
        for text in tricky_csv_texts() {
            let whole = read_csv_in_chunks("f.csv", &text, usize::MAX);
            for chunk in [1, 2, 5, 16] {
                let chunked = read_csv_in_chunks("f.csv", &text, chunk);
                assert_eq!(
                    chunked.records, whole.records,
                    "{text:?} in chunks of {chunk}"
                );
                assert_eq!(
                    chunked.rejected, whole.rejected,
                    "{text:?} in chunks of {chunk}"
                );
            }
        }
    }

    #[test]
    fn csv_cells_borrow_the_text_unless_escaped() {
        let text = "id,title\n1,\"plain, quoted\"\n2,\"say \"\"hi\"\"\"\n3,\"a\"b\n";
        let file = read_csv("f.csv", text);
        let titles: Vec<_> = file
            .records
            .iter()
            .map(|r| match &r.fields[1].1 {
                RawValue::Text(Cow::Borrowed(t)) => format!("borrowed {t}"),
                RawValue::Text(Cow::Owned(t)) => format!("owned {t}"),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            titles,
            ["borrowed plain, quoted", "owned say \"hi\"", "owned ab"]
        );
    }

    #[test]
    fn csv_header_clashes_and_blanks_get_unique_names() {
        let file = read_csv("f.csv", "id,,id\n1,2,3\n");
        let keys: Vec<_> = file.records[0]
            .fields
            .iter()
            .map(|(k, _)| k.to_string())
            .collect();
        assert_eq!(keys, ["id", "column 2", "id (2)"]);
    }

    #[test]
    fn json_flattens_nested_objects_and_keeps_follow_ups_as_records() {
        let text = r#"{"incidents": [{"key": "A-1", "timeline": {"begin": 1700000000000},
            "service": ["api", "db"], "action_items": [{"key": "T-1", "summary": "fix"}]}]}"#;
        let file = read_json("f.json", text, &follow_up_keys).unwrap();
        let record = &file.records[0];
        assert_eq!(
            text_of(record, "timeline.begin").as_deref(),
            Some("1700000000000")
        );
        assert!(record.fields.contains(&(
            Key::from("service"),
            RawValue::List(vec!["api".into(), "db".into()])
        )));
        let Some((_, RawValue::Records(items))) =
            record.fields.iter().find(|(k, _)| &**k == "action_items")
        else {
            panic!("no nested records");
        };
        assert_eq!(text_of(&items[0], "summary").as_deref(), Some("fix"));
    }

    #[test]
    fn truncated_json_names_the_line() {
        let error = read_json("f.json", "[\n{\"id\": 1},\n{\"id\": ", &no_records).unwrap_err();
        assert_eq!(error.file, "f.json");
        assert_eq!(error.line, Some(3));
        assert!(
            error.message.starts_with("invalid JSON"),
            "{}",
            error.message
        );
    }

    #[test]
    fn jsonl_bad_lines_are_rejected_with_their_line() {
        let file = read_jsonl(
            "f.jsonl",
            "{\"id\":1}\n\nnot json\n[1]\n{\"id\":2}\n",
            &no_records,
        );
        assert_eq!(file.records.len(), 2);
        assert_eq!(file.records[1].source.line, Some(5));
        let lines: Vec<_> = file.rejected.iter().map(|r| r.source.line).collect();
        assert_eq!(lines, [Some(3), Some(4)]);
        assert!(file.rejected[1].reason.contains("an array"));
    }

    #[test]
    fn markdown_front_matter_sections_and_body() {
        let text = "---\nid: PM-1\nseverity: SEV2\nfollow_ups:\n  - title: add alert\n    owner: ana\n---\n# Disk full on db-1\n\nIntro text.\n\n## Root cause\n\nLogs were not rotated.\n\n## Timeline\n\n10:00 alert\n\n## Contributing factors\n\n- no alert on disk\n- runbook stale\n";
        let file = read_markdown("pm/pm-1.md", text, &follow_up_keys);
        let record = &file.records[0];
        assert_eq!(text_of(record, "id").as_deref(), Some("PM-1"));
        assert_eq!(
            text_of(record, "title").as_deref(),
            Some("Disk full on db-1")
        );
        assert_eq!(
            text_of(record, "Root cause").as_deref(),
            Some("Logs were not rotated.")
        );
        assert_eq!(
            text_of(record, "Contributing factors").as_deref(),
            Some("- no alert on disk\n- runbook stale")
        );
        let body = text_of(record, "body").unwrap();
        assert!(
            body.contains("Intro text.") && body.contains("## Timeline"),
            "{body}"
        );
        assert!(!body.contains("Logs were not rotated"));
    }

    #[test]
    fn markdown_comments_are_notes_not_content() {
        let text =
            "# T\n\n## Contributing factors\n\n<!-- one per line; a, b | c -->\n- real factor\n";
        let file = read_markdown("a.md", text, &no_records);
        assert_eq!(
            text_of(&file.records[0], "Contributing factors").as_deref(),
            Some("- real factor")
        );
        assert_eq!(without_comments("a <!-- x --> b <!-- unclosed"), "a  b ");
    }

    #[test]
    fn markdown_without_front_matter_takes_the_id_from_the_file_name() {
        let file = read_markdown(
            "dir/2025-01-db.md",
            "# Title\n\nSeverity: SEV2\n\ntext",
            &no_records,
        );
        assert_eq!(
            text_of(&file.records[0], "id").as_deref(),
            Some("2025-01-db")
        );
    }

    #[test]
    fn markdown_bad_front_matter_is_rejected_not_lost() {
        let file = read_markdown("a.md", "---\nid: [unclosed\n---\nbody", &no_records);
        assert!(file.records.is_empty());
        assert_eq!(file.rejected.len(), 1);
        assert!(file.rejected[0].reason.contains("YAML"));
        let file = read_markdown("b.md", "---\nid: 1\nbody", &no_records);
        assert!(file.rejected[0].reason.contains("never ends"));
    }

    /// Read a text with the line endings a test asks for, as the normalizer reads it.
    fn read_with(format: Format, text: &str) -> RawFile<'_> {
        read_text("f", text, format, &no_records).unwrap()
    }

    fn lines(file: &RawFile) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
        (
            file.records.iter().map(|r| r.source.line).collect(),
            file.rejected.iter().map(|r| r.source.line).collect(),
        )
    }

    #[test]
    fn csv_line_numbers_are_true_with_crlf_cr_and_mixed_endings() {
        // Line 3 is a short row; line 4 holds a quoted two-line cell; line 6 is the next row.
        let lf = "id,title\n1,a\n2\n3,\"two\nlines\"\n4,d\n";
        for text in [
            lf.to_owned(),
            lf.replace('\n', "\r\n"),
            lf.replace('\n', "\r"),
            "id,title\r\n1,a\r2\n3,\"two\r\nlines\"\r4,d\r\n".to_owned(),
        ] {
            let file = read_with(Format::Csv, &text);
            assert_eq!(
                lines(&file),
                (vec![Some(2), Some(4), Some(6)], vec![Some(3)]),
                "{text:?}"
            );
            assert_eq!(
                text_of(&file.records[1], "title").as_deref(),
                Some("two\nlines")
            );
        }
    }

    #[test]
    fn jsonl_line_numbers_are_true_with_crlf_cr_and_mixed_endings() {
        let lf = "{\"id\":1}\n\nnot json\n{\"id\":2}\n";
        for text in [
            lf.to_owned(),
            lf.replace('\n', "\r\n"),
            lf.replace('\n', "\r"),
            "{\"id\":1}\r\n\rnot json\n{\"id\":2}\r".to_owned(),
        ] {
            let file = read_with(Format::Jsonl, &text);
            assert_eq!(
                lines(&file),
                (vec![Some(1), Some(4)], vec![Some(3)]),
                "{text:?}"
            );
        }
    }

    #[test]
    fn markdown_line_numbers_are_true_with_crlf_cr_and_mixed_endings() {
        let lf = "---\nid: A\nseverity: [unclosed\n---\nbody\n";
        for text in [
            lf.to_owned(),
            lf.replace('\n', "\r\n"),
            lf.replace('\n', "\r"),
            "---\r\nid: A\rseverity: [unclosed\n---\r\nbody".to_owned(),
        ] {
            let file = read_with(Format::Markdown, &text);
            assert_eq!(file.rejected.len(), 1, "{text:?}");
            let line = file.rejected[0].source.line;
            assert!(
                line == Some(3) || line == Some(4),
                "the YAML error is at the unclosed list or the end of the front matter: {line:?} in {text:?}"
            );
        }
        // With CR-only endings the sections still split.
        let file = read_with(Format::Markdown, "# T\r\r## Root cause\r\rdisk full\r");
        assert_eq!(
            text_of(&file.records[0], "Root cause").as_deref(),
            Some("disk full")
        );
    }

    #[test]
    fn line_ends_are_unified_in_place() {
        assert_eq!(
            unify_line_ends("a\r\nb\rc\n\r\nd\r".to_owned()),
            "a\nb\nc\n\nd\n"
        );
        assert_eq!(unify_line_ends("é\r\n".to_owned()), "é\n");
        let error = decode("f.csv", b"id\r1\r\n\xff\n".to_vec()).unwrap_err();
        assert_eq!(error.line, Some(3));
    }

    #[test]
    fn markdown_key_value_lines_read_like_front_matter() {
        let text = "# Outage\n\nIncident ID: IR-7\n**Severity:** SEV-2\n__Owner__: ana\n- Status: resolved\nNote: not a field\n\n## Root cause\n\nCause: stays in the section\n";
        let file = read_markdown("x.md", text, &no_records);
        let record = &file.records[0];
        assert_eq!(text_of(record, "Incident ID").as_deref(), Some("IR-7"));
        assert_eq!(text_of(record, "Severity").as_deref(), Some("SEV-2"));
        assert_eq!(text_of(record, "Owner").as_deref(), Some("ana"));
        assert_eq!(text_of(record, "Status").as_deref(), Some("resolved"));
        assert_eq!(
            text_of(record, "id"),
            None,
            "the id line wins over the file name"
        );
        assert_eq!(text_of(record, "Note"), None);
        assert_eq!(
            text_of(record, "body").as_deref(),
            Some("Note: not a field")
        );
        assert_eq!(
            text_of(record, "Root cause").as_deref(),
            Some("Cause: stays in the section")
        );
        // Front matter wins over a body line; a code block is narrative.
        let text = "---\nseverity: SEV1\n---\nSeverity: SEV3\n```\nOwner: root\n```\n";
        let record = &read_markdown("y.md", text, &no_records).records[0];
        assert_eq!(text_of(record, "severity").as_deref(), Some("SEV1"));
        assert_eq!(text_of(record, "Owner"), None);
        assert!(text_of(record, "body").is_some_and(|b| b.contains("Severity: SEV3")));
    }

    #[test]
    fn key_value_lines() {
        let check = |line: &str, expected: Option<(&str, &str)>| {
            assert_eq!(
                key_value_line(line),
                expected.map(|(k, v)| (k.to_owned(), v.to_owned())),
                "{line:?}"
            );
        };
        check("Severity: SEV2", Some(("Severity", "SEV2")));
        check(
            "**Start time:** 2025-01-01",
            Some(("Start time", "2025-01-01")),
        );
        check("**Owner**: ana", Some(("Owner", "ana")));
        check("* Team: payments", Some(("Team", "payments")));
        check("https://example.com", None);
        check("Severity:", None);
        check(
            "A long sentence that happens to have a colon somewhere: here",
            None,
        );
        check("**bold** text: no", None);
    }

    #[test]
    fn follow_up_items_give_their_details() {
        let check = |text: &str,
                     title: &str,
                     owner: Option<&str>,
                     due: Option<&str>,
                     ticket: Option<&str>| {
            let details = item_details(text);
            assert_eq!(
                details,
                ItemDetails {
                    title: title.to_owned(),
                    owner: owner.map(str::to_owned),
                    due: due.map(str::to_owned),
                    ticket: ticket.map(str::to_owned),
                },
                "{text:?}"
            );
        };
        check(
            "Validate batch size (@priya, due 2025-10-15) OPS-88",
            "Validate batch size",
            Some("priya"),
            Some("2025-10-15"),
            Some("OPS-88"),
        );
        check(
            "Roll back (owner: Sam; due: 30/09/2025)",
            "Roll back",
            Some("Sam"),
            Some("30/09/2025"),
            None,
        );
        check(
            "Add an alert on lag (p99, not mean) - SRE2-7",
            "Add an alert on lag (p99, not mean)",
            None,
            None,
            Some("SRE2-7"),
        );
        check(
            "Email ops@example.com about it",
            "Email ops@example.com about it",
            None,
            None,
            None,
        );
        assert_eq!(checkbox("[x] done thing"), (Some(true), "done thing"));
        assert_eq!(checkbox("[ ] open thing"), (Some(false), "open thing"));
        assert_eq!(checkbox("plain"), (None, "plain"));
    }

    #[test]
    fn action_item_tables_give_follow_ups_and_other_tables_stay_narrative() {
        let text = "# T\n\n## Impact\n\n| Region | Errors |\n|---|---|\n| eu | 5% |\n\n| Action item | Owner | Due date | Ticket |\n| --- | --- | --- | --- |\n| Add alert | ana | 2025-05-01 | OPS-1 |\n";
        let record = &read_markdown("t.md", text, &no_records).records[0];
        let Some((_, RawValue::Records(items))) =
            record.fields.iter().find(|(k, _)| &**k == "follow_ups")
        else {
            panic!("no follow-ups: {record:?}");
        };
        assert_eq!(items.len(), 1);
        assert_eq!(text_of(&items[0], "title").as_deref(), Some("Add alert"));
        assert_eq!(text_of(&items[0], "owner").as_deref(), Some("ana"));
        assert_eq!(text_of(&items[0], "due").as_deref(), Some("2025-05-01"));
        assert_eq!(text_of(&items[0], "tracker").as_deref(), Some("OPS-1"));
        assert!(text_of(record, "body").is_some_and(|b| b.contains("| eu | 5% |")));
    }

    #[test]
    fn markdown_without_any_field_is_skipped_with_a_reason() {
        for text in [
            "",
            "# Team handbook\n\nHow we run postmortems.\n",
            "---\nid:\nseverity: # SEV1-5\nfollow_ups:\n  - title:\n    owner:\n---\n# <!-- title -->\n\n## Root cause\n\n<!-- hint -->\n",
        ] {
            let file = read_markdown("README.md", text, &follow_up_keys);
            assert!(file.records.is_empty(), "{text:?}");
            assert_eq!(file.skipped.len(), 1);
            assert!(
                file.skipped[0]
                    .reason
                    .starts_with("skipped: not an incident")
            );
        }
        // One value is enough.
        let file = read_markdown("a.md", "Severity: SEV3\n", &no_records);
        assert_eq!(file.records.len(), 1);
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let error = decode("f.csv", b"id\n1\n\xff\n".to_vec()).unwrap_err();
        assert_eq!(error.line, Some(3));
        assert_eq!(decode("f.csv", b"\xef\xbb\xbfid".to_vec()).unwrap(), "id");
    }
}
