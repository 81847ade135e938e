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
pub(crate) enum RawValue {
    /// A scalar, as text.
    Text(String),
    /// An array of scalars.
    List(Vec<String>),
    /// An array of objects (nested follow-ups).
    Records(Vec<RawRecord>),
}

/// A column name, shared by every record of a file (a CSV of a million rows holds each header
/// once, not a million times).
pub(crate) type Key = std::sync::Arc<str>;

/// One record: its place and its fields in source order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawRecord {
    pub source: Source,
    pub fields: Vec<(Key, RawValue)>,
}

/// What reading one file gave.
#[derive(Debug, Default)]
pub(crate) struct RawFile {
    pub records: Vec<RawRecord>,
    /// Records that could not even be read as records (a short CSV row, a bad JSONL line).
    pub rejected: Vec<Rejected>,
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
            let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
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
pub(crate) fn read_text(
    file: &str,
    text: &str,
    format: Format,
    records_key: &dyn Fn(&str) -> bool,
) -> Result<RawFile, InputError> {
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

fn read_csv(file: &str, text: &str) -> RawFile {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut out = RawFile::default();
    let mut headers: Option<Vec<Key>> = None;
    let mut record = csv::StringRecord::new();
    let mut number = 0;
    loop {
        let line = Some(reader.position().line() as usize);
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                // Only a malformed quote or I/O can get here; the row is lost to parsing but
                // not to the accounting.
                number += 1;
                out.rejected.push(reject(
                    source(
                        file,
                        number,
                        error.position().map(|p| p.line() as usize).or(line),
                    ),
                    format!("unreadable CSV row: {error}"),
                ));
                continue;
            }
        }
        let line = record.position().map(|p| p.line() as usize).or(line);
        let Some(names) = &headers else {
            headers = Some(header_names(&record));
            continue;
        };
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        number += 1;
        if record.len() != names.len() {
            out.rejected.push(reject(
                source(file, number, line),
                format!(
                    "row has {} fields, the header has {}",
                    record.len(),
                    names.len()
                ),
            ));
            continue;
        }
        let fields = names
            .iter()
            .zip(record.iter())
            .map(|(name, cell)| (name.clone(), RawValue::Text(cell.to_owned())))
            .collect();
        out.records.push(RawRecord {
            source: source(file, number, line),
            fields,
        });
    }
    out
}

/// Header names made unique and non-empty, so no column is lost to a clash.
fn header_names(record: &csv::StringRecord) -> Vec<Key> {
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    for (index, name) in record.iter().enumerate() {
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
    records_key: &dyn Fn(&str) -> bool,
) -> Result<RawFile, InputError> {
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

fn read_jsonl(file: &str, text: &str, records_key: &dyn Fn(&str) -> bool) -> RawFile {
    let mut out = RawFile::default();
    let mut number = 0;
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        number += 1;
        let at = source(file, number, Some(index + 1));
        match serde_json::from_str::<Value>(line) {
            Ok(value) => push_object(&mut out, at, value, records_key),
            Err(error) => out
                .rejected
                .push(reject(at, format!("invalid JSON on this line: {error}"))),
        }
    }
    out
}

fn push_object(out: &mut RawFile, at: Source, value: Value, records_key: &dyn Fn(&str) -> bool) {
    match value {
        Value::Object(object) => {
            let mut fields = Vec::new();
            flatten("", Value::Object(object), &at, records_key, &mut fields);
            out.records.push(RawRecord { source: at, fields });
        }
        other => {
            let reason = format!("expected a JSON object, found {}", kind_of(&other));
            out.rejected.push(reject(at, reason));
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
    records_key: &dyn Fn(&str) -> bool,
    out: &mut Vec<(Key, RawValue)>,
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
                    RawValue::Text(Value::Array(elements).to_string()),
                ));
            }
        }
        scalar => {
            if let Some(text) = scalar_text(&scalar) {
                out.push((Key::from(path), RawValue::Text(text)));
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

fn read_markdown(file: &str, text: &str, records_key: &dyn Fn(&str) -> bool) -> RawFile {
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
    let mut narrative = String::new();
    let mut title = None;
    let mut section: Option<(String, String)> = None;
    let mut sections: Vec<(String, String)> = Vec::new();
    let body = without_comments(body);
    for line in body.lines() {
        let trimmed = line.trim_start();
        let level = trimmed.chars().take_while(|&c| c == '#').count();
        let is_heading = (1..=6).contains(&level) && trimmed[level..].starts_with(' ');
        if is_heading {
            let heading = trimmed[level..]
                .trim()
                .trim_end_matches('#')
                .trim()
                .to_owned();
            if let Some(done) = section.take() {
                sections.push(done);
            }
            if level == 1 && title.is_none() {
                title = Some(heading);
                continue;
            }
            if section_field(&heading).is_some() {
                section = Some((heading, String::new()));
                continue;
            }
        }
        match &mut section {
            Some((_, content)) => {
                content.push_str(line);
                content.push('\n');
            }
            None => {
                narrative.push_str(line);
                narrative.push('\n');
            }
        }
    }
    if let Some(done) = section.take() {
        sections.push(done);
    }
    if !has(IncidentField::Id, &fields) {
        let stem = Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(file);
        fields.push((Key::from("id"), RawValue::Text(stem.to_owned())));
    }
    if let Some(title) = title
        && !has(IncidentField::Title, &fields)
    {
        fields.push((Key::from("title"), RawValue::Text(title)));
    }
    for (heading, content) in sections {
        let value = match section_field(&heading) {
            Some(IncidentField::FollowUps) => RawValue::Records(
                list_items(&content)
                    .into_iter()
                    .map(|title| RawRecord {
                        source: at.clone(),
                        fields: vec![(Key::from("title"), RawValue::Text(title))],
                    })
                    .collect(),
            ),
            _ => RawValue::Text(content.trim().to_owned()),
        };
        fields.push((Key::from(heading), value));
    }
    let narrative = narrative.trim();
    if !narrative.is_empty() {
        fields.push((Key::from("body"), RawValue::Text(narrative.to_owned())));
    }
    out.records.push(RawRecord { source: at, fields });
    out
}

/// Bullet items of a Markdown list section.
fn list_items(content: &str) -> Vec<String> {
    content
        .lines()
        .map(str::trim)
        .filter_map(|line| {
            line.strip_prefix("- ")
                .or_else(|| line.strip_prefix("* "))
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_owned)
        })
        .collect()
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

    fn text_of(record: &RawRecord, key: &str) -> Option<String> {
        record.fields.iter().find_map(|(k, v)| match v {
            RawValue::Text(t) if &**k == key => Some(t.clone()),
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
        let file = read_markdown("dir/2025-01-db.md", "# Title\n\ntext", &no_records);
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

    #[test]
    fn invalid_utf8_names_the_line() {
        let error = decode("f.csv", b"id\n1\n\xff\n".to_vec()).unwrap_err();
        assert_eq!(error.line, Some(3));
        assert_eq!(decode("f.csv", b"\xef\xbb\xbfid".to_vec()).unwrap(), "id");
    }
}
