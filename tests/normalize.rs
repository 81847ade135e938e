//! The normalizer on whole files: the shipped mapping files with their fixtures, a folder of
//! deliberately broken files, and the bundled sample.

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use recur_core::normalize::{Inputs, Mapping, NormalizeOptions, normalize_paths};
use recur_core::{IncidentStatus, Normalized, RecordKind};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn with_mapping(name: &str) -> NormalizeOptions {
    let path = root().join("data/mappings").join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).expect("mapping file");
    NormalizeOptions {
        mapping: text.parse::<Mapping>().expect("valid mapping"),
        ..NormalizeOptions::default()
    }
}

fn load(files: &[&str], options: &NormalizeOptions) -> Normalized {
    let inputs = Inputs {
        incidents: files.iter().map(|f| root().join(f)).collect(),
        follow_ups: Vec::new(),
    };
    let out = normalize_paths(&inputs, options);
    assert!(out.accounting.balances(), "{:?}", out.accounting);
    out
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> Option<chrono::DateTime<Utc>> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).single()
}

#[test]
fn servicenow_event_log_collapses_to_the_latest_row() {
    let out = load(
        &["tests/fixtures/mappings/servicenow.csv"],
        &with_mapping("servicenow"),
    );
    assert_eq!(out.accounting.records_read, 6);
    assert_eq!(out.accounting.accepted, 3);
    assert_eq!(out.accounting.merged, 3);
    let first = &out.incidents[0];
    assert_eq!(first.id, "INC0001");
    assert_eq!(first.status, Some(IncidentStatus::Resolved));
    assert_eq!(first.severity, Some(3));
    assert_eq!(first.started_at, utc(2025, 1, 13, 8, 5));
    assert_eq!(first.resolved_at, utc(2025, 1, 14, 9, 55));
    assert_eq!(first.owner.as_deref(), Some("Agent 12"));
    assert_eq!(first.teams, ["Group 7"]);
    assert!(first.services.is_empty(), "? is null");
    let second = &out.incidents[1];
    assert_eq!((second.id.as_str(), second.severity), ("INC0002", Some(1)));
    assert_eq!(second.status, Some(IncidentStatus::Open));
    assert_eq!(second.services, ["CI 3"]);
    let third = &out.incidents[2];
    assert_eq!(
        third.extra.get("closed_at").map(String::as_str),
        Some("06-03-2025 17:00")
    );
    assert!(
        out.warnings
            .iter()
            .any(|w| w.message.starts_with("event log: 3 older"))
    );
}

#[test]
fn jira_csv_with_custom_fields() {
    let out = load(&["tests/fixtures/mappings/jira.csv"], &with_mapping("jira"));
    assert_eq!(out.accounting.accepted, 2);
    let first = &out.incidents[0];
    assert_eq!(first.id, "OPS-101");
    assert_eq!(first.title.as_deref(), Some("Checkout errors after deploy"));
    assert_eq!(first.severity, Some(1));
    assert_eq!(first.status, Some(IncidentStatus::Closed));
    assert_eq!(
        first.summary.as_deref(),
        Some("Checkout returned 500s for 2h")
    );
    assert_eq!(first.services, ["checkout"]);
    assert_eq!(first.tags, ["deploy", "payments"]);
    assert_eq!(first.teams, ["Payments"]);
    assert!(
        first
            .root_cause
            .as_deref()
            .is_some_and(|r| r.starts_with("A feature flag"))
    );
    assert_eq!(
        first.time_to_resolve(),
        Some(chrono::Duration::minutes(150))
    );
    assert_eq!(out.incidents[1].status, Some(IncidentStatus::Resolved));
    assert_eq!(out.incidents[1].severity, Some(3));
}

#[test]
fn pagerduty_api_json() {
    let out = load(
        &["tests/fixtures/mappings/pagerduty.json"],
        &with_mapping("pagerduty"),
    );
    assert_eq!(out.accounting.accepted, 2);
    let first = &out.incidents[0];
    assert_eq!(first.id, "Q1ABCD");
    assert_eq!(first.severity, Some(1));
    assert_eq!(first.services, ["payments-api"]);
    assert_eq!(first.teams, ["Payments"]);
    assert_eq!(
        first.extra.get("incident_number").map(String::as_str),
        Some("4021")
    );
    let second = &out.incidents[1];
    assert_eq!(
        second.severity, None,
        "null priority is no severity, not a rejection"
    );
    assert_eq!(second.status, Some(IncidentStatus::Open));
    assert_eq!(second.started_at, utc(2025, 5, 3, 9, 0));
}

#[test]
fn incident_io_api_json() {
    let out = load(
        &["tests/fixtures/mappings/incident-io.json"],
        &with_mapping("incident-io"),
    );
    assert_eq!(out.accounting.accepted, 2);
    let first = &out.incidents[0];
    assert_eq!(first.id, "INC-77");
    assert_eq!(first.title.as_deref(), Some("Login outage"));
    assert_eq!(first.severity, Some(1));
    assert_eq!(first.status, Some(IncidentStatus::Closed));
    assert_eq!(out.incidents[1].severity, Some(4));
    assert_eq!(out.incidents[1].status, Some(IncidentStatus::Open));
}

#[test]
fn opsgenie_api_json() {
    let out = load(
        &["tests/fixtures/mappings/opsgenie.json"],
        &with_mapping("opsgenie"),
    );
    assert_eq!(out.accounting.accepted, 2);
    let first = &out.incidents[0];
    assert_eq!(first.title.as_deref(), Some("Queue consumer lag on orders"));
    assert_eq!(first.severity, Some(2));
    assert_eq!(first.services, ["orders", "billing"]);
    assert_eq!(first.teams, ["Commerce"]);
    assert_eq!(first.tags, ["kafka", "orders"]);
}

#[test]
fn a_folder_of_broken_files_gives_clear_errors_and_loses_nothing_else() {
    let out = load(&["tests/fixtures/broken"], &NormalizeOptions::default());
    let name = |path: &str| {
        Path::new(path)
            .file_name()
            .and_then(|f| f.to_str())
            .map(str::to_owned)
    };
    // Unreadable files: named, with the line.
    let mut errors: Vec<_> = out.errors.iter().map(|e| (name(&e.file), e.line)).collect();
    errors.sort();
    assert_eq!(
        errors,
        [
            (Some("latin1.csv".into()), Some(2)),
            (Some("truncated.json".into()), Some(3))
        ]
    );
    // Every readable record accepted or rejected with its place and reason.
    let mut ids: Vec<_> = out.incidents.iter().map(|i| i.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["G-1", "G-2", "J-1", "S-1", "S-3"]);
    let mut rejected: Vec<_> = out
        .rejected
        .iter()
        .map(|r| {
            (
                name(&r.source.file),
                r.source.line,
                r.field.clone(),
                r.value.clone(),
            )
        })
        .collect();
    rejected.sort();
    assert_eq!(
        rejected,
        [
            (Some("bad-front-matter.md".into()), Some(4), None, None),
            (Some("bad-values.jsonl".into()), Some(2), None, None),
            (
                Some("bad-values.jsonl".into()),
                Some(3),
                Some("started_at".into()),
                Some("yesterday".into())
            ),
            (
                Some("bad-values.jsonl".into()),
                Some(4),
                Some("severity".into()),
                Some("catastrophic-ish".into())
            ),
            (
                Some("bad-values.jsonl".into()),
                Some(5),
                Some("id".into()),
                None
            ),
            (
                Some("bad-values.jsonl".into()),
                Some(6),
                Some("started_at".into()),
                Some("1628-05-01".into())
            ),
            (Some("short-row.csv".into()), Some(3), None, None),
        ]
    );
    assert!(
        out.rejected
            .iter()
            .all(|r| r.kind == RecordKind::Incident && !r.reason.is_empty())
    );
    assert_eq!(out.accounting.records_read, 12);
    assert_eq!(out.accounting.rejected, 7);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.source.file.ends_with("notes.txt"))
    );
}

#[test]
fn a_missing_file_is_an_error_and_the_others_still_load() {
    let out = load(
        &[
            "tests/fixtures/broken/does-not-exist.csv",
            "tests/fixtures/broken/good.csv",
        ],
        &NormalizeOptions::default(),
    );
    assert_eq!(out.errors.len(), 1);
    assert!(
        out.errors[0].message.starts_with("cannot read"),
        "{}",
        out.errors[0].message
    );
    assert_eq!(out.accounting.accepted, 2);
}

#[test]
fn separate_follow_ups_join_by_incident_id_and_keep_unmapped_columns() {
    use recur_core::FollowUpStatus;
    use recur_core::normalize::{LoadedFile, normalize_texts};
    let file = |name: &str, text: &str| LoadedFile {
        name: name.into(),
        text: text.into(),
        format: None,
    };
    let incidents = [file("i.csv", "id,title\nA,one\nB,two\n")];
    let follow_ups = [file(
        "f.csv",
        "Incident,Action Item,State,Due Date,Sprint\nA,T-1,Done,2025-03-01,S12\nB,T-2,In Progress,2025-04-01,\nZ,T-3,To Do,,\nA,T-1,Done,,S12\n",
    )];
    let out = normalize_texts(&incidents, &follow_ups, &NormalizeOptions::default());
    let a = out.incidents.iter().find(|i| i.id == "A").expect("A");
    assert_eq!(a.follow_ups.len(), 1);
    assert_eq!(a.follow_ups[0].status, FollowUpStatus::Done);
    assert_eq!(
        a.follow_ups[0].extra.get("Sprint").map(String::as_str),
        Some("S12")
    );
    let accounting = out.accounting;
    assert_eq!(
        (
            accounting.follow_ups_read,
            accounting.follow_ups_attached,
            accounting.follow_ups_rejected,
            accounting.follow_ups_merged
        ),
        (4, 2, 1, 1)
    );
    assert_eq!(out.rejected[0].value.as_deref(), Some("Z"));
    assert!(out.rejected[0].reason.contains("no accepted incident"));
}
