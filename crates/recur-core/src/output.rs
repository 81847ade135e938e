//! The canonical table, written out: CSV and JSONL for incidents, follow-ups and rejected
//! records, and the warnings as CSV. The columns are defined once ([`incident_columns`],
//! [`follow_up_columns`]) as typed cells, so the CSV writer here and the polars frame
//! (`frame.rs`) cannot drift apart. Every CSV cell goes through [`Cell::to_csv`], which
//! neutralises text a spreadsheet would evaluate as a formula ([`spreadsheet_safe`]).
//!
//! Writers take any [`std::io::Write`]; the library never opens files itself.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::model::{FollowUp, Incident};
use crate::outcome::{RecordKind, Rejected, Warning};

/// One typed value of the canonical table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (or missing).
    Text(Option<String>),
    /// An integer (or missing).
    Int(Option<i64>),
    /// A number (or missing).
    Float(Option<f64>),
    /// A UTC timestamp (or missing).
    Time(Option<DateTime<Utc>>),
    /// A list of texts.
    List(Vec<String>),
}

impl Cell {
    /// The cell as CSV text: RFC 3339 UTC times, lists joined with `"; "`, empty when missing.
    /// Text that a spreadsheet would evaluate as a formula is neutralised with
    /// [`spreadsheet_safe`]; Parquet and JSON keep the raw value.
    pub fn to_csv(&self) -> String {
        match self {
            Self::Text(text) => text.as_deref().map(spreadsheet_safe).unwrap_or_default(),
            Self::Int(n) => n.map(|n| n.to_string()).unwrap_or_default(),
            Self::Float(x) => x.map(|x| format!("{x:.3}")).unwrap_or_default(),
            Self::Time(at) => at.map(format_time).unwrap_or_default(),
            Self::List(items) => spreadsheet_safe(&items.join("; ")),
        }
    }
}

/// Text as a CSV cell that a spreadsheet shows instead of evaluating: a cell starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, as OWASP recommends
/// against CSV (formula) injection. Numbers (`-3`, `+1.5`, `-2e3`) are left alone.
pub fn spreadsheet_safe(text: &str) -> String {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && !is_number(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Whether text is a plain decimal number (sign, digits, point, exponent), not `inf` or `nan`.
fn is_number(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && text.bytes().any(|b| b.is_ascii_digit())
        && text.parse::<f64>().is_ok()
}

/// A timestamp as written in every output: RFC 3339, UTC, `Z`, whole seconds.
pub fn format_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A column of a table over `T`.
pub struct Column<T> {
    /// The column name.
    pub name: &'static str,
    /// The cell of one row.
    pub cell: fn(&T) -> Cell,
}

fn text(value: &Option<String>) -> Cell {
    Cell::Text(value.clone())
}

/// Unmapped source columns as one JSON object (empty when none).
fn extra(columns: &crate::Extra) -> Cell {
    Cell::Text((!columns.is_empty()).then(|| serde_json::to_string(columns).unwrap_or_default()))
}

fn hours(duration: Option<chrono::Duration>) -> Cell {
    Cell::Float(duration.map(|d| d.num_seconds() as f64 / 3600.0))
}

/// The columns of the canonical incident table, one row per incident.
pub fn incident_columns() -> Vec<Column<Incident>> {
    vec![
        Column {
            name: "id",
            cell: |i| Cell::Text(Some(i.id.clone())),
        },
        Column {
            name: "title",
            cell: |i| text(&i.title),
        },
        Column {
            name: "severity",
            cell: |i| Cell::Int(i.severity.map(i64::from)),
        },
        Column {
            name: "severity_raw",
            cell: |i| text(&i.severity_raw),
        },
        Column {
            name: "status",
            cell: |i| Cell::Text(i.status.map(|s| s.as_str().to_owned())),
        },
        Column {
            name: "status_raw",
            cell: |i| text(&i.status_raw),
        },
        Column {
            name: "started_at",
            cell: |i| Cell::Time(i.started_at),
        },
        Column {
            name: "detected_at",
            cell: |i| Cell::Time(i.detected_at),
        },
        Column {
            name: "acknowledged_at",
            cell: |i| Cell::Time(i.acknowledged_at),
        },
        Column {
            name: "mitigated_at",
            cell: |i| Cell::Time(i.mitigated_at),
        },
        Column {
            name: "resolved_at",
            cell: |i| Cell::Time(i.resolved_at),
        },
        Column {
            name: "updated_at",
            cell: |i| Cell::Time(i.updated_at),
        },
        Column {
            name: "time_to_detect_hours",
            cell: |i| hours(i.time_to_detect()),
        },
        Column {
            name: "time_to_resolve_hours",
            cell: |i| hours(i.time_to_resolve()),
        },
        Column {
            name: "services",
            cell: |i| Cell::List(i.services.clone()),
        },
        Column {
            name: "teams",
            cell: |i| Cell::List(i.teams.clone()),
        },
        Column {
            name: "owner",
            cell: |i| text(&i.owner),
        },
        Column {
            name: "detection_method",
            cell: |i| text(&i.detection_method),
        },
        Column {
            name: "alerts",
            cell: |i| Cell::List(i.alerts.clone()),
        },
        Column {
            name: "summary",
            cell: |i| text(&i.summary),
        },
        Column {
            name: "trigger",
            cell: |i| text(&i.trigger),
        },
        Column {
            name: "root_cause",
            cell: |i| text(&i.root_cause),
        },
        Column {
            name: "contributing_factors",
            cell: |i| Cell::List(i.contributing_factors.clone()),
        },
        Column {
            name: "remediation",
            cell: |i| text(&i.remediation),
        },
        Column {
            name: "recovery",
            cell: |i| text(&i.recovery),
        },
        Column {
            name: "prevention",
            cell: |i| text(&i.prevention),
        },
        Column {
            name: "tags",
            cell: |i| Cell::List(i.tags.clone()),
        },
        Column {
            name: "body",
            cell: |i| text(&i.body),
        },
        Column {
            name: "follow_ups",
            cell: |i| Cell::Int(Some(i.follow_ups.len() as i64)),
        },
        Column {
            name: "extra",
            cell: |i| extra(&i.extra),
        },
        Column {
            name: "source_file",
            cell: |i| Cell::Text(Some(i.source.file.clone())),
        },
        Column {
            name: "source_record",
            cell: |i| Cell::Int(Some(i.source.record as i64)),
        },
        Column {
            name: "source_line",
            cell: |i| Cell::Int(i.source.line.map(|l| l as i64)),
        },
    ]
}

/// The columns of the follow-up table, one row per follow-up.
pub fn follow_up_columns() -> Vec<Column<FollowUp>> {
    vec![
        Column {
            name: "id",
            cell: |f| text(&f.id),
        },
        Column {
            name: "incident_id",
            cell: |f| Cell::Text(Some(f.incident_id.clone())),
        },
        Column {
            name: "title",
            cell: |f| text(&f.title),
        },
        Column {
            name: "owner",
            cell: |f| text(&f.owner),
        },
        Column {
            name: "team",
            cell: |f| text(&f.team),
        },
        Column {
            name: "status",
            cell: |f| Cell::Text(Some(f.status.as_str().to_owned())),
        },
        Column {
            name: "status_raw",
            cell: |f| text(&f.status_raw),
        },
        Column {
            name: "created_at",
            cell: |f| Cell::Time(f.created_at),
        },
        Column {
            name: "due_at",
            cell: |f| Cell::Time(f.due_at),
        },
        Column {
            name: "closed_at",
            cell: |f| Cell::Time(f.closed_at),
        },
        Column {
            name: "tracker",
            cell: |f| text(&f.tracker),
        },
        Column {
            name: "extra",
            cell: |f| extra(&f.extra),
        },
        Column {
            name: "source_file",
            cell: |f| Cell::Text(Some(f.source.file.clone())),
        },
        Column {
            name: "source_line",
            cell: |f| Cell::Int(f.source.line.map(|l| l as i64)),
        },
    ]
}

/// An extra column appended to a table by the caller (a pattern id, a label), one cell per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// The column name.
    pub name: String,
    /// One cell per row, in row order.
    pub cells: Vec<Cell>,
}

/// Why a table could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// Writing failed.
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
    /// CSV encoding failed.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    /// JSON encoding failed.
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// An annotation does not have one cell per row.
    #[error("annotation {name:?} has {cells} cells for {rows} rows")]
    AnnotationLength {
        /// The column.
        name: String,
        /// Its cells.
        cells: usize,
        /// The rows.
        rows: usize,
    },
}

/// Write rows as CSV with a header, with annotation columns after the table's own.
pub fn write_table<T, W: Write>(
    writer: W,
    rows: &[T],
    columns: &[Column<T>],
    annotations: &[Annotation],
) -> Result<(), OutputError> {
    for annotation in annotations {
        if annotation.cells.len() != rows.len() {
            return Err(OutputError::AnnotationLength {
                name: annotation.name.clone(),
                cells: annotation.cells.len(),
                rows: rows.len(),
            });
        }
    }
    let mut csv = csv::Writer::from_writer(writer);
    let header = columns
        .iter()
        .map(|c| c.name)
        .chain(annotations.iter().map(|a| a.name.as_str()));
    csv.write_record(header)?;
    for (index, row) in rows.iter().enumerate() {
        let cells = columns
            .iter()
            .map(|column| (column.cell)(row).to_csv())
            .chain(annotations.iter().map(|a| a.cells[index].to_csv()));
        csv.write_record(cells)?;
    }
    csv.flush()?;
    Ok(())
}

/// Write incidents as CSV, one row per incident (follow-ups go to their own table).
pub fn write_csv<W: Write>(
    writer: W,
    incidents: &[Incident],
    annotations: &[Annotation],
) -> Result<(), OutputError> {
    write_table(writer, incidents, &incident_columns(), annotations)
}

/// Write the follow-ups of incidents as CSV, one row per follow-up.
pub fn write_follow_ups_csv<W: Write>(
    writer: W,
    incidents: &[Incident],
) -> Result<(), OutputError> {
    let follow_ups: Vec<FollowUp> = all_follow_ups(incidents);
    write_table(writer, &follow_ups, &follow_up_columns(), &[])
}

/// Every follow-up of these incidents, in incident order.
pub fn all_follow_ups(incidents: &[Incident]) -> Vec<FollowUp> {
    incidents
        .iter()
        .flat_map(|incident| incident.follow_ups.iter().cloned())
        .collect()
}

/// Write incidents as JSON Lines, one incident per line with its follow-ups nested.
pub fn write_jsonl<W: Write>(mut writer: W, incidents: &[Incident]) -> Result<(), OutputError> {
    for incident in incidents {
        serde_json::to_writer(&mut writer, incident)?;
        writer.write_all(b"\n")?;
    }
    writer.flush()?;
    Ok(())
}

/// Write rejected records as CSV: what, where, which field, which value, why.
pub fn write_rejected_csv<W: Write>(writer: W, rejected: &[Rejected]) -> Result<(), OutputError> {
    let columns: Vec<Column<Rejected>> = vec![
        Column {
            name: "kind",
            cell: |r| {
                Cell::Text(Some(
                    match r.kind {
                        RecordKind::Incident => "incident",
                        RecordKind::FollowUp => "follow_up",
                    }
                    .to_owned(),
                ))
            },
        },
        Column {
            name: "file",
            cell: |r| Cell::Text(Some(r.source.file.clone())),
        },
        Column {
            name: "record",
            cell: |r| Cell::Int(Some(r.source.record as i64)),
        },
        Column {
            name: "line",
            cell: |r| Cell::Int(r.source.line.map(|l| l as i64)),
        },
        Column {
            name: "id",
            cell: |r| text(&r.id),
        },
        Column {
            name: "field",
            cell: |r| text(&r.field),
        },
        Column {
            name: "value",
            cell: |r| text(&r.value),
        },
        Column {
            name: "reason",
            cell: |r| Cell::Text(Some(r.reason.clone())),
        },
    ];
    write_table(writer, rejected, &columns, &[])
}

/// Write warnings as CSV: where (file, record, line), which field, and what happened.
pub fn write_warnings_csv<W: Write>(writer: W, warnings: &[Warning]) -> Result<(), OutputError> {
    let columns: Vec<Column<Warning>> = vec![
        Column {
            name: "file",
            cell: |w| Cell::Text(Some(w.source.file.clone())),
        },
        Column {
            name: "record",
            cell: |w| Cell::Int(Some(w.source.record as i64)),
        },
        Column {
            name: "line",
            cell: |w| Cell::Int(w.source.line.map(|l| l as i64)),
        },
        Column {
            name: "field",
            cell: |w| text(&w.field),
        },
        Column {
            name: "message",
            cell: |w| Cell::Text(Some(w.message.clone())),
        },
    ];
    write_table(writer, warnings, &columns, &[])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::{FollowUpStatus, Source};

    fn incident() -> Incident {
        Incident {
            id: "INC-1".into(),
            severity: Some(2),
            started_at: Some(Utc.with_ymd_and_hms(2025, 3, 4, 10, 0, 0).unwrap()),
            resolved_at: Some(Utc.with_ymd_and_hms(2025, 3, 4, 13, 30, 0).unwrap()),
            services: vec!["api".into(), "db".into()],
            summary: Some("pool, \"exhausted\"".into()),
            follow_ups: vec![FollowUp {
                id: Some("OPS-1".into()),
                incident_id: "INC-1".into(),
                status: FollowUpStatus::Done,
                ..FollowUp::default()
            }],
            source: Source {
                file: "a.csv".into(),
                record: 1,
                line: Some(2),
            },
            ..Incident::default()
        }
    }

    #[test]
    fn incident_csv_has_typed_cells_and_annotations() {
        let mut out = Vec::new();
        let annotation = Annotation {
            name: "pattern".into(),
            cells: vec![Cell::Int(Some(3))],
        };
        write_csv(&mut out, &[incident()], &[annotation]).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let header = reader.headers().unwrap().clone();
        let row = reader.records().next().unwrap().unwrap();
        let get = |name: &str| row[header.iter().position(|h| h == name).unwrap()].to_owned();
        assert_eq!(get("severity"), "2");
        assert_eq!(get("started_at"), "2025-03-04T10:00:00Z");
        assert_eq!(get("time_to_resolve_hours"), "3.500");
        assert_eq!(get("services"), "api; db");
        assert_eq!(get("summary"), "pool, \"exhausted\"");
        assert_eq!(get("follow_ups"), "1");
        assert_eq!(get("pattern"), "3");
        assert_eq!(get("source_line"), "2");
    }

    #[test]
    fn cells_a_spreadsheet_would_evaluate_are_neutralised_and_numbers_are_not() {
        for (raw, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+cmd", "'+cmd"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-", "'-"),
            ("-inf", "'-inf"),
            ("-3", "-3"),
            ("+1.5", "+1.5"),
            ("-2e3", "-2e3"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(raw), written, "{raw:?}");
        }
        let mut bad = incident();
        bad.title = Some("=1+1".into());
        bad.services = vec!["@evil".into(), "db".into()];
        bad.severity_raw = Some("-1".into());
        let mut out = Vec::new();
        write_csv(&mut out, &[bad], &[]).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let header = reader.headers().unwrap().clone();
        let row = reader.records().next().unwrap().unwrap();
        let get = |name: &str| row[header.iter().position(|h| h == name).unwrap()].to_owned();
        assert_eq!(get("title"), "'=1+1");
        assert_eq!(get("services"), "'@evil; db");
        assert_eq!(get("severity_raw"), "-1");
    }

    #[test]
    fn warnings_csv_names_file_record_line_field_and_message() {
        let warning = Warning {
            source: Source {
                file: "pm/a.md".into(),
                record: 3,
                line: Some(7),
            },
            field: Some("started_at".into()),
            message: "=time zone assumed".into(),
        };
        let mut out = Vec::new();
        write_warnings_csv(&mut out, &[warning]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "file,record,line,field,message\npm/a.md,3,7,started_at,'=time zone assumed\n"
        );
    }

    #[test]
    fn annotation_of_the_wrong_length_is_an_error() {
        let annotation = Annotation {
            name: "p".into(),
            cells: vec![],
        };
        let error = write_csv(Vec::new(), &[incident()], &[annotation]).unwrap_err();
        assert_eq!(error.to_string(), "annotation \"p\" has 0 cells for 1 rows");
    }

    #[test]
    fn follow_ups_and_jsonl() {
        let mut out = Vec::new();
        write_follow_ups_csv(&mut out, &[incident()]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.lines()
                .nth(1)
                .unwrap()
                .starts_with("OPS-1,INC-1,,,,done,"),
            "{text}"
        );
        let mut out = Vec::new();
        write_jsonl(&mut out, &[incident(), incident()]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 2);
        let back: Incident = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(back, incident());
    }
}

/// Write merges of records with the same id as CSV: the id, where the kept record and the
/// merged one are, the fields whose values differed, and whether the merge is suspicious (a
/// conflicting title or start time).
pub fn write_merges_csv<W: Write>(
    writer: W,
    merges: &[crate::outcome::Merge],
) -> Result<(), OutputError> {
    let columns: Vec<Column<crate::outcome::Merge>> = vec![
        Column {
            name: "id",
            cell: |m| Cell::Text(Some(m.id.clone())),
        },
        Column {
            name: "kept_file",
            cell: |m| Cell::Text(Some(m.kept.file.clone())),
        },
        Column {
            name: "kept_line",
            cell: |m| Cell::Int(m.kept.line.map(|l| l as i64)),
        },
        Column {
            name: "merged_file",
            cell: |m| Cell::Text(Some(m.merged.file.clone())),
        },
        Column {
            name: "merged_line",
            cell: |m| Cell::Int(m.merged.line.map(|l| l as i64)),
        },
        Column {
            name: "conflicting_fields",
            cell: |m| Cell::List(m.conflicts.clone()),
        },
        Column {
            name: "suspicious",
            cell: |m| Cell::Text(Some(m.is_suspicious().to_string())),
        },
    ];
    write_table(writer, merges, &columns, &[])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod merges_tests {
    use super::*;
    use crate::model::Source;
    use crate::outcome::Merge;

    #[test]
    fn merges_csv_names_both_places_and_the_conflicts() {
        let at = |file: &str, line| Source {
            file: file.to_owned(),
            record: 1,
            line: Some(line),
        };
        let merges = [Merge {
            id: "INC-1".to_owned(),
            kept: at("incidents.csv", 2),
            merged: at("follow_ups.csv", 7),
            conflicts: vec!["title".to_owned(), "owner".to_owned()],
        }];
        let mut bytes = Vec::new();
        write_merges_csv(&mut bytes, &merges).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "id,kept_file,kept_line,merged_file,merged_line,conflicting_fields,suspicious\n\
             INC-1,incidents.csv,2,follow_ups.csv,7,title; owner,true\n"
        );
    }
}
