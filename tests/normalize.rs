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
    assert_eq!(ids, ["G-1", "G-2", "J-1", "J-4", "S-1", "S-3"]);
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
                Some(7),
                Some("started_at".into()),
                Some("0001-01-01".into())
            ),
            (Some("short-row.csv".into()), Some(3), None, None),
        ]
    );
    assert!(
        out.rejected
            .iter()
            .all(|r| r.kind == RecordKind::Incident && !r.reason.is_empty())
    );
    assert_eq!(out.accounting.records_read, 13);
    assert_eq!(out.accounting.rejected, 7);
    // A real date outside 1970-2099 is a date: accepted, with a warning naming it.
    assert!(
        out.warnings.iter().any(|w| w
            .message
            .contains("\"1628-05-01\" is outside the usual 1970 to 2099")),
        "{:?}",
        out.warnings
    );
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

fn folder(path: &str) -> Normalized {
    load(&[path], &NormalizeOptions::default())
}

fn text_file(name: &str, text: &str) -> recur_core::normalize::LoadedFile {
    recur_core::normalize::LoadedFile {
        name: name.into(),
        text: text.into(),
        format: None,
    }
}

#[test]
fn a_follow_up_table_in_an_export_folder_is_joined_not_merged_into_incidents() {
    let out = folder("tests/fixtures/export-folder");
    let accounting = out.accounting;
    assert_eq!(
        (
            accounting.records_read,
            accounting.accepted,
            accounting.merged
        ),
        (2, 2, 0),
        "the follow-up rows are no incident records"
    );
    assert_eq!(
        (accounting.follow_ups_read, accounting.follow_ups_attached),
        (3, 3)
    );
    assert!(out.merges.is_empty());
    let first = &out.incidents[0];
    assert_eq!(first.title.as_deref(), Some("Checkout errors after deploy"));
    assert_eq!(first.owner.as_deref(), Some("Ana Lima"));
    let titles: Vec<_> = first
        .follow_ups
        .iter()
        .map(|f| f.title.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(
        titles,
        [
            "Gate the flag on the migration",
            "Alert on tax service errors"
        ]
    );
    assert!(
        out.warnings
            .iter()
            .any(|w| w.source.file.ends_with("follow_ups.csv")
                && w.message.starts_with("read as a table of follow-ups"))
    );
    // The same as naming the follow-ups file.
    let separate = normalize_paths(
        &Inputs {
            incidents: vec![root().join("tests/fixtures/export-folder/incidents.csv")],
            follow_ups: vec![root().join("tests/fixtures/export-folder/follow_ups.csv")],
        },
        &NormalizeOptions::default(),
    );
    assert_eq!(separate.incidents, out.incidents);
}

#[test]
fn the_sample_folder_reads_like_its_files_named_one_by_one() {
    let whole = folder("data/sample");
    let named = normalize_paths(
        &Inputs {
            incidents: ["incidents.csv", "platform.jsonl", "postmortems"]
                .iter()
                .map(|f| root().join("data/sample").join(f))
                .collect(),
            follow_ups: vec![root().join("data/sample/follow_ups.csv")],
        },
        &NormalizeOptions::default(),
    );
    assert!(named.accounting.balances());
    assert_eq!(whole.accounting, named.accounting);
    assert_eq!(whole.incidents, named.incidents);
    assert!(whole.accounting.follow_ups_attached > 100);
    assert_eq!(whole.accounting.merged_conflicting, 0);
}

#[test]
fn a_follow_up_table_is_recognised_by_its_columns_whatever_its_name() {
    use recur_core::normalize::normalize_texts;
    let files = [
        text_file(
            "a.csv",
            "Incident ID,Title,Severity\nINC-1,Disk full,SEV2\n",
        ),
        text_file(
            "tracker-export.csv",
            "Incident ID,Title,Assignee,Due Date\nINC-1,Rotate the logs,ana,2025-05-01\n",
        ),
    ];
    let out = normalize_texts(&files, &[], &NormalizeOptions::default());
    assert_eq!(out.accounting.accepted, 1);
    assert_eq!(out.incidents[0].title.as_deref(), Some("Disk full"));
    assert_eq!(out.incidents[0].follow_ups[0].owner.as_deref(), Some("ana"));
    assert!(out.accounting.balances());
}

#[test]
fn merges_with_a_conflicting_title_or_start_are_counted_and_listed() {
    use recur_core::normalize::normalize_texts;
    let files = [
        text_file(
            "a.csv",
            "id,title,started_at,owner\nX-1,Disk full,2025-01-01T00:00:00Z,ana\nX-2,Same,2025-01-02T00:00:00Z,\n",
        ),
        text_file(
            "b.jsonl",
            "{\"id\":\"X-1\",\"title\":\"Rotate logs\",\"started_at\":\"2025-01-01T00:00:00Z\",\"owner\":\"ben\"}\n{\"id\":\"X-2\",\"title\":\"Same\",\"owner\":\"cy\"}\n",
        ),
    ];
    let out = normalize_texts(&files, &[], &NormalizeOptions::default());
    assert_eq!(out.accounting.merged, 2);
    assert_eq!(out.accounting.merged_conflicting, 1);
    assert_eq!(out.merges.len(), 2);
    let suspicious = &out.merges[0];
    assert_eq!(suspicious.id, "X-1");
    assert_eq!(
        (suspicious.kept.file.as_str(), suspicious.kept.line),
        ("a.csv", Some(2))
    );
    assert_eq!(
        (suspicious.merged.file.as_str(), suspicious.merged.line),
        ("b.jsonl", Some(1))
    );
    assert_eq!(suspicious.conflicts, ["title", "owner"]);
    assert!(suspicious.is_suspicious());
    assert!(!out.merges[1].is_suspicious(), "{:?}", out.merges[1]);
    assert!(
        out.accounting
            .to_string()
            .contains("2 merged (1 with a conflicting title or start time: see merges.csv)")
    );
}

#[test]
fn markdown_that_is_not_an_incident_is_skipped_and_counted() {
    let out = folder("tests/fixtures/markdown");
    let ids: Vec<_> = out.incidents.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["IR-240"]);
    assert_eq!(out.accounting.records_read, 4);
    assert_eq!(out.accounting.skipped, 3);
    let mut skipped: Vec<_> = out
        .rejected
        .iter()
        .filter(|r| r.reason.starts_with("skipped: not an incident"))
        .filter_map(|r| Path::new(&r.source.file).file_name())
        .filter_map(|name| name.to_str())
        .collect();
    skipped.sort_unstable();
    assert_eq!(skipped, ["README.md", "TEMPLATE.md", "empty.md"]);
    assert_eq!(
        out.warnings
            .iter()
            .filter(|w| w.message.starts_with("skipped: not an incident"))
            .count(),
        3
    );
}

#[test]
fn markdown_as_people_write_it() {
    use recur_core::FollowUpStatus;
    let out = folder("tests/fixtures/markdown");
    let incident = &out.incidents[0];
    assert_eq!(incident.id, "IR-240");
    assert_eq!(incident.title.as_deref(), Some("Payment webhook backlog"));
    assert_eq!(incident.severity, Some(2));
    assert_eq!(incident.started_at, utc(2025, 9, 30, 14, 5));
    assert_eq!(incident.resolved_at, utc(2025, 9, 30, 17, 35));
    assert_eq!(incident.owner.as_deref(), Some("Priya Raman"));
    assert_eq!(incident.services, ["payments", "webhooks"]);
    assert_eq!(
        incident.root_cause.as_deref(),
        Some("The consumer's batch size was set to 1 by a config typo.")
    );
    let body = incident.body.as_deref().unwrap_or_default();
    assert!(
        body.contains("see PR 123 (https://git.example/pr/123)"),
        "{body}"
    );
    assert!(!body.contains("Incident ID"), "{body}");
    let follow_ups: Vec<_> = incident
        .follow_ups
        .iter()
        .map(|f| {
            (
                f.title.as_deref().unwrap_or_default(),
                f.owner.as_deref().unwrap_or_default(),
                f.due_at
                    .map(|d| d.date_naive().to_string())
                    .unwrap_or_default(),
                f.status,
                f.tracker.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        follow_ups,
        [
            (
                "Validate batch size at startup",
                "priya",
                "2025-10-15".to_owned(),
                FollowUpStatus::Open,
                "OPS-88"
            ),
            (
                "Roll back the config",
                "Sam",
                "2025-09-30".to_owned(),
                FollowUpStatus::Done,
                "OPS-87"
            ),
            (
                "Alert on consumer lag",
                "Sam",
                "2025-10-20".to_owned(),
                FollowUpStatus::Open,
                "OPS-90"
            ),
            (
                "Document the batch size",
                "priya",
                "2025-10-31".to_owned(),
                FollowUpStatus::Done,
                "OPS-91"
            ),
        ]
    );
}

#[test]
fn jira_repeated_columns_resolution_and_severity_precedence() {
    let out = load(
        &[
            "tests/fixtures/mappings/jira-repeated.csv",
            "tests/fixtures/mappings/jira-postmortem.md",
        ],
        &with_mapping("jira"),
    );
    let first = out
        .incidents
        .iter()
        .find(|i| i.id == "OPS-201")
        .expect("OPS-201");
    assert_eq!(first.services, ["checkout", "payments"]);
    assert_eq!(first.tags, ["deploy", "flag"]);
    assert_eq!(
        first.severity,
        Some(2),
        "the Severity field wins over Priority"
    );
    assert_eq!(first.remediation, None, "a resolution is no remediation");
    assert_eq!(
        first.extra.get("Resolution").map(String::as_str),
        Some("Fixed")
    );
    assert!(!first.extra.contains_key("Labels (2)"));
    let conflicts: Vec<_> = out
        .warnings
        .iter()
        .filter(|w| w.field.as_deref() == Some("severity"))
        .collect();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].source.line, Some(2));
    assert!(
        conflicts[0]
            .message
            .contains("\"Priority\" gives \"Highest\"")
    );
    let second = out
        .incidents
        .iter()
        .find(|i| i.id == "OPS-202")
        .expect("OPS-202");
    assert_eq!(second.severity, Some(3), "Priority when Severity is empty");
    // The Jira mapping applies to the CSV only: the postmortem keeps its own headings.
    let postmortem = out
        .incidents
        .iter()
        .find(|i| i.id == "jira-postmortem")
        .expect("postmortem");
    assert_eq!(
        postmortem.title.as_deref(),
        Some("Checkout errors after the tax deploy")
    );
    assert!(
        postmortem
            .summary
            .as_deref()
            .is_some_and(|s| s.starts_with("Checkout returned errors"))
    );
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_and_special_files_are_named() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("temp dir");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let inputs = dir.path().join("inputs");
    std::fs::create_dir(&inputs).expect("mkdir");
    std::fs::write(
        elsewhere.path().join("real.csv"),
        "id,title\nL-1,linked file\n",
    )
    .expect("write");
    std::fs::create_dir(elsewhere.path().join("pm")).expect("mkdir");
    std::fs::write(
        elsewhere.path().join("pm/l-2.md"),
        "---\nid: L-2\nseverity: SEV3\n---\n# linked folder\n",
    )
    .expect("write");
    symlink(elsewhere.path().join("real.csv"), inputs.join("a.csv")).expect("link");
    symlink(elsewhere.path().join("real.csv"), inputs.join("b.csv")).expect("link");
    symlink(elsewhere.path().join("pm"), inputs.join("pm")).expect("link");
    symlink(&inputs, inputs.join("loop")).expect("link");
    symlink(dir.path().join("gone.csv"), inputs.join("dangling.csv")).expect("link");
    let fifo = inputs.join("pipe.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());

    let out = normalize_paths(
        &Inputs {
            incidents: vec![inputs.clone()],
            follow_ups: Vec::new(),
        },
        &NormalizeOptions::default(),
    );
    assert!(out.accounting.balances());
    let ids: Vec<_> = out.incidents.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["L-1", "L-2"], "{:?}", out.warnings);
    assert_eq!(out.accounting.merged, 0, "a file linked twice is read once");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let warned = |name: &str, says: &str| {
        out.warnings
            .iter()
            .any(|w| w.source.file.ends_with(name) && w.message.contains(says))
    };
    assert!(warned("dangling.csv", "dangling"), "{:?}", out.warnings);
    assert!(warned("pipe.csv", "fifo"), "{:?}", out.warnings);
    assert!(warned("loop", "symbolic link back"), "{:?}", out.warnings);
    assert!(warned("b.csv", "already read"), "{:?}", out.warnings);

    // A fifo named as an input is refused at once (reading it would block forever).
    let out = normalize_paths(
        &Inputs {
            incidents: vec![fifo.clone()],
            follow_ups: vec![fifo],
        },
        &NormalizeOptions::default(),
    );
    assert_eq!(out.errors.len(), 2);
    assert!(out.errors[0].file.ends_with("pipe.csv"));
    assert!(
        out.errors[0]
            .message
            .contains("a fifo (named pipe), not a regular file"),
        "{}",
        out.errors[0].message
    );
}

#[test]
fn crlf_exports_report_true_line_numbers() {
    use recur_core::normalize::normalize_str;
    let text = "id,title,severity\r\nA,ok,SEV2\r\nB,bad,SEV9\r\n";
    let out = normalize_str("crlf.csv", text, None, &NormalizeOptions::default());
    assert_eq!(out.rejected[0].source.line, Some(3));
    let text = "id,title,severity\rA,ok,SEV2\rB,bad,SEV9\r";
    let out = normalize_str("cr.csv", text, None, &NormalizeOptions::default());
    assert_eq!(out.rejected[0].source.line, Some(3));
}

#[test]
fn implausible_times_are_warned_and_give_no_time_to_resolve() {
    use recur_core::check::{Rule, Rules, check_incidents};
    use recur_core::normalize::normalize_str;
    let text = "id,title,started_at,resolved_at,severity\n\
                R-1,backwards,2025-03-02T10:00:00Z,2025-03-01T10:00:00Z,SEV2\n\
                R-2,typo,2025-03-02T10:00:00Z,2099-03-02T10:00:00Z,SEV2\n\
                R-3,fine,2025-03-02T10:00:00Z,2025-03-02T12:00:00Z,SEV2\n\
                R-4,negative,2025-03-02T10:00:00Z,,-1\n\
                R-5,undated,,,SEV3\n";
    let out = normalize_str("times.csv", text, None, &NormalizeOptions::default());
    let by_id = |id: &str| out.incidents.iter().find(|i| i.id == id).expect(id);
    assert_eq!(by_id("R-1").time_to_resolve(), None);
    assert_eq!(by_id("R-2").time_to_resolve(), None);
    assert_eq!(
        by_id("R-3").time_to_resolve(),
        Some(chrono::Duration::hours(2))
    );
    let warned = |id: &str, says: &str| {
        out.warnings
            .iter()
            .any(|w| w.message.starts_with(&format!("{id}: ")) && w.message.contains(says))
    };
    assert!(warned("R-1", "before it started"), "{:?}", out.warnings);
    assert!(
        warned("R-2", "more than 366 days after"),
        "{:?}",
        out.warnings
    );
    assert!(!warned("R-3", "resolved"));
    // `-1` is not SEV1.
    let negative = out.rejected.iter().find(|r| r.id.as_deref() == Some("R-4"));
    assert_eq!(
        negative.and_then(|r| r.value.as_deref()),
        Some("-1"),
        "{:?}",
        out.rejected
    );
    // An incident without any date is accepted and named.
    assert!(
        out.warnings
            .iter()
            .any(|w| w.message.starts_with("incident R-5 has no usable date"))
    );
    // `check` flags both.
    let findings = check_incidents(&out.incidents, &Rules::default());
    for id in ["R-1", "R-2"] {
        assert!(
            findings
                .iter()
                .any(|f| f.incident_id == id && f.rule == Rule::TimestampsOutOfOrder),
            "{id}: {findings:?}"
        );
    }
}
