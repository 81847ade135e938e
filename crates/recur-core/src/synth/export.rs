//! The messy exports of a generated sample: what real exports look like, so that the bundled
//! sample exercises the normalizer.
//!
//! The canonical incidents decide *what* is exported (missing values are `None` there too, and
//! the raw severity and status spellings are theirs); this module decides only *how*: mixed
//! timestamp forms (consistent within a column), lists joined with `; `, HTML and Markdown
//! markup that strips back to the canonical text, stray whitespace, a different tool's JSON
//! shape, day-first dates in the tracker export, Markdown postmortems with YAML front matter,
//! two duplicate rows to merge and three bad rows to reject.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;
use serde::Serialize;

use super::Synthetic;
use super::vocab::JSONL_TEAMS;
use crate::model::{FollowUp, Incident};

/// The headers of `incidents.csv`, in order.
pub const INCIDENT_HEADERS: [&str; 23] = [
    "Incident ID",
    "Title",
    "Sev",
    "Status",
    "Start Time",
    "Detected",
    "Acknowledged At",
    "Mitigated At",
    "Resolved",
    "Service(s)",
    "Owning Team",
    "Owner",
    "Detection Method",
    "Alerts",
    "Summary",
    "Trigger",
    "Root Cause",
    "Contributing Factors",
    "Remediation",
    "Recovery",
    "Prevention",
    "Tags",
    "Region",
];

/// The headers of `follow_ups.csv`, in order.
pub const FOLLOW_UP_HEADERS: [&str; 10] =
    ["Incident", "Action Item", "Title", "Assignee", "Team", "State", "Created", "Due Date", "Closed", "Ticket URL"];

/// How many incidents are written as Markdown postmortems (fewer when fewer qualify).
const POSTMORTEMS: usize = 10;

/// The contents of the sample files; the caller writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SampleFiles {
    /// `sample/incidents.csv`: most incidents, plus 2 duplicate rows and 3 bad rows.
    pub incidents_csv: String,
    /// `sample/follow_ups.csv`: the follow-ups of the CSV incidents, tracker-style.
    pub follow_ups_csv: String,
    /// `sample/platform.jsonl`: the incidents of two teams, another tool's shape, follow-ups
    /// nested.
    pub platform_jsonl: String,
    /// `sample/postmortems/<name>`: (file name, contents), sorted by name.
    pub postmortems: Vec<(String, String)>,
    /// `truth/sample-truth.csv`: `incident_id,pattern,recurs,flaky_tests` for every incident.
    pub truth_csv: String,
}

impl SampleFiles {
    /// Every file with its path relative to the data directory (`sample/incidents.csv`, …,
    /// `truth/sample-truth.csv`), in a fixed order.
    pub fn files(&self) -> Vec<(String, &str)> {
        let mut files = vec![
            ("sample/incidents.csv".to_owned(), self.incidents_csv.as_str()),
            ("sample/follow_ups.csv".to_owned(), self.follow_ups_csv.as_str()),
            ("sample/platform.jsonl".to_owned(), self.platform_jsonl.as_str()),
        ];
        for (name, contents) in &self.postmortems {
            files.push((format!("sample/postmortems/{name}"), contents.as_str()));
        }
        files.push(("truth/sample-truth.csv".to_owned(), self.truth_csv.as_str()));
        files
    }
}

/// Where each incident goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Destination {
    Csv,
    Jsonl,
    Markdown,
}

/// Export `synthetic` as the messy sample files. Every incident appears in exactly one of the
/// CSV, the JSONL or a Markdown postmortem: the JSONL holds the incidents owned by the
/// `platform` and `sre` teams, the postmortems ten SEV1/SEV2 incidents of other teams spread
/// over the period, the CSV the rest. Deterministic: the mess is decided by a hash of each id.
pub fn export_sample(synthetic: &Synthetic) -> SampleFiles {
    let destinations = destinations(&synthetic.incidents);
    let csv_incidents: Vec<&Incident> = select(&synthetic.incidents, &destinations, Destination::Csv);
    let next_id = format!("INC-{}", 1000 + synthetic.incidents.len());
    let after_next_id = format!("INC-{}", 1001 + synthetic.incidents.len());
    SampleFiles {
        incidents_csv: incidents_csv(&csv_incidents, [&next_id, &after_next_id]),
        follow_ups_csv: follow_ups_csv(&csv_incidents),
        platform_jsonl: platform_jsonl(&select(&synthetic.incidents, &destinations, Destination::Jsonl)),
        postmortems: select(&synthetic.incidents, &destinations, Destination::Markdown)
            .into_iter()
            .map(postmortem)
            .collect::<std::collections::BTreeMap<_, _>>()
            .into_iter()
            .collect(),
        truth_csv: truth_csv(synthetic),
    }
}

fn destinations(incidents: &[Incident]) -> Vec<Destination> {
    let mut destinations: Vec<Destination> = incidents
        .iter()
        .map(|incident| match incident.teams.first() {
            Some(team) if JSONL_TEAMS.contains(&team.as_str()) => Destination::Jsonl,
            _ => Destination::Csv,
        })
        .collect();
    let serious: Vec<usize> = (0..incidents.len())
        .filter(|index| destinations[*index] == Destination::Csv && incidents[*index].severity <= Some(2))
        .filter(|index| incidents[*index].severity.is_some())
        .collect();
    let take = POSTMORTEMS.min(serious.len());
    for pick in 0..take {
        // Evenly spread over the candidates, which are in time order.
        let position = (2 * pick + 1) * serious.len() / (2 * take);
        destinations[serious[position]] = Destination::Markdown;
    }
    destinations
}

fn select<'a>(incidents: &'a [Incident], destinations: &[Destination], wanted: Destination) -> Vec<&'a Incident> {
    incidents.iter().zip(destinations).filter(|(_, to)| **to == wanted).map(|(incident, _)| incident).collect()
}

/// A stable pseudo-random number in 0..100 for (`id`, `salt`): FNV-1a, then a SplitMix64
/// finalizer.
fn roll(id: &str, salt: u64) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for byte in id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash = (hash ^ (hash >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    hash = (hash ^ (hash >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (hash ^ (hash >> 31)) % 100
}

// ---------------------------------------------------------------------------------------------
// incidents.csv

/// The CSV column that a duplicate row fills and its first copy leaves blank.
const RECOVERY: usize = 19;
const PREVENTION: usize = 20;

fn incidents_csv(incidents: &[&Incident], bad_ids: [&str; 2]) -> String {
    let mut rows: Vec<Vec<String>> = incidents.iter().map(|incident| incident_row(incident)).collect();
    // Two duplicates: the first copy lacks one field, a later copy has it.
    let mut duplicates: Vec<(usize, Vec<String>)> = Vec::new();
    for (share, column) in [(3, RECOVERY), (2, PREVENTION)] {
        let from = rows.len() / share;
        let found = (from..rows.len())
            .find(|index| !rows[*index][column].is_empty() && duplicates.iter().all(|(at, _)| at != index));
        if let Some(index) = found {
            duplicates.push((index, rows[index].clone()));
            rows[index][column].clear();
        }
    }
    // Later copies go a few rows after the originals; insert from the back so indices hold.
    duplicates.sort_by_key(|(index, _)| std::cmp::Reverse(*index));
    for (index, row) in duplicates {
        rows.insert((index + 6).min(rows.len()), row);
    }
    // Three bad rows, spread through the file.
    let bad = bad_rows(incidents, bad_ids);
    let len = rows.len();
    for (position, row) in [(4 * len / 5, &bad[2]), (len / 2, &bad[1]), (len / 5, &bad[0])] {
        rows.insert(position, row.clone());
    }
    let mut out = String::with_capacity(rows.len() * 1200);
    write_csv_row(&mut out, INCIDENT_HEADERS.iter().copied());
    for row in &rows {
        write_csv_row(&mut out, row.iter().map(String::as_str));
    }
    out
}

fn incident_row(incident: &Incident) -> Vec<String> {
    let id = incident.id.as_str();
    let service = incident.services.first().map_or("", String::as_str);
    vec![
        incident.id.clone(),
        stray_whitespace(id, 1, incident.title.as_deref().unwrap_or("")),
        incident.severity_raw.clone().unwrap_or_default(),
        incident.status_raw.clone().unwrap_or_default(),
        incident.started_at.map(offset_time).unwrap_or_default(),
        incident.detected_at.map(naive_minutes).unwrap_or_default(),
        incident.acknowledged_at.map(zulu).unwrap_or_default(),
        incident.mitigated_at.map(naive_minutes).unwrap_or_default(),
        incident.resolved_at.map(zulu_millis).unwrap_or_default(),
        incident.services.join("; "),
        incident.teams.join("; "),
        stray_whitespace(id, 2, incident.owner.as_deref().unwrap_or("")),
        incident.detection_method.clone().unwrap_or_default(),
        incident.alerts.join("; "),
        marked_up(id, 3, incident.summary.as_deref(), service),
        code_span(id, 4, incident.trigger.as_deref(), service),
        marked_up(id, 5, incident.root_cause.as_deref(), service),
        incident.contributing_factors.join("; "),
        incident.remediation.clone().unwrap_or_default(),
        incident.recovery.clone().unwrap_or_default(),
        incident.prevention.clone().unwrap_or_default(),
        incident.tags.join("; "),
        region(id).to_owned(),
    ]
}

/// The three rows the normalizer must reject: no id, an unreadable start, an unknown severity.
/// Their other cells are well formed, in the column's own timestamp form.
fn bad_rows(incidents: &[&Incident], bad_ids: [&str; 2]) -> [Vec<String>; 3] {
    let near = |share: usize| {
        let index = (incidents.len() * share / 5).min(incidents.len().saturating_sub(1));
        incidents.get(index).and_then(|incident| incident.started_at).unwrap_or_default()
    };
    let row = |id: &str, title: &str, sev: &str, start: String, service: &str, team: &str, owner: &str| {
        let mut row = vec![String::new(); INCIDENT_HEADERS.len()];
        row[0] = id.to_owned();
        row[1] = title.to_owned();
        row[2] = sev.to_owned();
        row[3] = "Resolved".to_owned();
        row[4] = start;
        row[9] = service.to_owned();
        row[10] = team.to_owned();
        row[11] = owner.to_owned();
        row[12] = "alert".to_owned();
        row[14] = format!("Draft report for {service}; details to follow.");
        row
    };
    let start = |at: DateTime<Utc>| offset_time(at + chrono::Duration::hours(3));
    [
        row("", "Checkout latency spike (draft)", "SEV3", start(near(1)), "checkout-web", "checkout", "Olivia Martin"),
        row(bad_ids[0], "Search indexer slow again", "sev-3", "yesterday".to_owned(), "search-indexer", "search", "Yuki Sato"),
        row(bad_ids[1], "Billing worker restarts", "catastrophic-ish", start(near(4)), "billing-worker", "payments", "Hannah Kim"),
    ]
}

/// Leading or trailing spaces in a few cells, as hand-edited spreadsheets have.
fn stray_whitespace(id: &str, salt: u64, text: &str) -> String {
    match roll(id, salt) {
        0..4 => format!(" {text}"),
        4..8 => format!("{text}  "),
        _ => text.to_owned(),
    }
}

/// Some cells come out of a rich-text editor: HTML paragraphs with entities, or Markdown bold.
/// Both strip back to the canonical text.
fn marked_up(id: &str, salt: u64, text: Option<&str>, service: &str) -> String {
    let Some(text) = text else { return String::new() };
    match roll(id, salt) {
        0..12 => format!("<p>{}</p>", escape_html(text)),
        12..20 if !service.is_empty() && text.contains(service) => text.replacen(service, &format!("**{service}**"), 1),
        _ => text.to_owned(),
    }
}

/// Some cells name the service as Markdown code.
fn code_span(id: &str, salt: u64, text: Option<&str>, service: &str) -> String {
    let Some(text) = text else { return String::new() };
    if roll(id, salt) < 10 && !service.is_empty() && text.contains(service) && !text.contains('`') {
        text.replacen(service, &format!("`{service}`"), 1)
    } else {
        text.to_owned()
    }
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
    out
}

/// The `Region` column maps to no canonical field; it is derived from the id.
fn region(id: &str) -> &'static str {
    const REGIONS: [&str; 5] = ["eu-west-1", "us-east-1", "eu-central-1", "ap-southeast-2", "global"];
    match roll(id, 6) {
        0..8 => "",
        roll => REGIONS[(roll % 5) as usize],
    }
}

/// `2025-03-04T10:22:00+01:00`: Berlin local time with its offset.
fn offset_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Berlin).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// `2025-03-04 09:22`: naive, meaning UTC.
fn naive_minutes(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// `2025-03-04T09:22:00Z`.
fn zulu(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `2025-03-04T09:22:00.000Z`.
fn zulu_millis(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `04/03/2025`: day first.
fn day_first(at: DateTime<Utc>) -> String {
    at.format("%d/%m/%Y").to_string()
}

fn iso_date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// Append one CSV record (RFC 4180 quoting, `\n` line ends).
fn write_csv_row<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (index, field) in fields.enumerate() {
        if index > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push('\n');
}

// ---------------------------------------------------------------------------------------------
// follow_ups.csv

fn follow_ups_csv(incidents: &[&Incident]) -> String {
    let mut out = String::new();
    write_csv_row(&mut out, FOLLOW_UP_HEADERS.iter().copied());
    for follow_up in incidents.iter().flat_map(|incident| &incident.follow_ups) {
        let id = follow_up.id.as_deref().unwrap_or("");
        let row = [
            follow_up.incident_id.clone(),
            id.to_owned(),
            follow_up.title.clone().unwrap_or_default(),
            stray_whitespace(id, 7, follow_up.owner.as_deref().unwrap_or("")),
            follow_up.team.clone().unwrap_or_default(),
            follow_up.status_raw.clone().unwrap_or_default(),
            follow_up.created_at.map(day_first).unwrap_or_default(),
            follow_up.due_at.map(day_first).unwrap_or_default(),
            follow_up.closed_at.map(day_first).unwrap_or_default(),
            follow_up.tracker.clone().unwrap_or_default(),
        ];
        write_csv_row(&mut out, row.iter().map(String::as_str));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// platform.jsonl

#[derive(Serialize)]
struct PlatformIncident<'a> {
    key: &'a str,
    name: Option<&'a str>,
    priority: Option<&'a str>,
    state: Option<&'a str>,
    timeline: PlatformTimeline,
    service: &'a [String],
    assignment_group: Option<&'a str>,
    commander: Option<&'a str>,
    postmortem: PlatformPostmortem<'a>,
    labels: &'a [String],
    action_items: Vec<PlatformActionItem<'a>>,
}

/// `begin` in epoch milliseconds, the rest ISO with `Z`.
#[derive(Serialize)]
struct PlatformTimeline {
    begin: Option<i64>,
    detected: Option<String>,
    acknowledged: Option<String>,
    mitigated: Option<String>,
    resolved: Option<String>,
}

#[derive(Serialize)]
struct PlatformPostmortem<'a> {
    summary: Option<&'a str>,
    trigger: Option<&'a str>,
    root_cause: Option<&'a str>,
    contributing_factors: &'a [String],
    remediation: Option<&'a str>,
    prevention: Option<&'a str>,
}

#[derive(Serialize)]
struct PlatformActionItem<'a> {
    key: Option<&'a str>,
    summary: Option<&'a str>,
    assignee: Option<&'a str>,
    status: Option<&'a str>,
    created: Option<String>,
    due: Option<String>,
    resolved: Option<String>,
    url: Option<&'a str>,
}

fn platform_jsonl(incidents: &[&Incident]) -> String {
    let mut out = String::new();
    for incident in incidents {
        let record = PlatformIncident {
            key: &incident.id,
            name: incident.title.as_deref(),
            priority: incident.severity_raw.as_deref(),
            state: incident.status_raw.as_deref(),
            timeline: PlatformTimeline {
                begin: incident.started_at.map(|at| at.timestamp_millis()),
                detected: incident.detected_at.map(zulu),
                acknowledged: incident.acknowledged_at.map(zulu),
                mitigated: incident.mitigated_at.map(zulu),
                resolved: incident.resolved_at.map(zulu),
            },
            service: &incident.services,
            assignment_group: incident.teams.first().map(String::as_str),
            commander: incident.owner.as_deref(),
            postmortem: PlatformPostmortem {
                summary: incident.summary.as_deref(),
                trigger: incident.trigger.as_deref(),
                root_cause: incident.root_cause.as_deref(),
                contributing_factors: &incident.contributing_factors,
                remediation: incident.remediation.as_deref(),
                prevention: incident.prevention.as_deref(),
            },
            labels: &incident.tags,
            action_items: incident.follow_ups.iter().map(action_item).collect(),
        };
        // Serializing plain strings and numbers cannot fail; an empty line would be skipped.
        if let Ok(line) = serde_json::to_string(&record) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

fn action_item(follow_up: &FollowUp) -> PlatformActionItem<'_> {
    PlatformActionItem {
        key: follow_up.id.as_deref(),
        summary: follow_up.title.as_deref(),
        assignee: follow_up.owner.as_deref(),
        status: follow_up.status_raw.as_deref(),
        created: follow_up.created_at.map(iso_date),
        due: follow_up.due_at.map(iso_date),
        resolved: follow_up.closed_at.map(iso_date),
        url: follow_up.tracker.as_deref(),
    }
}

// ---------------------------------------------------------------------------------------------
// postmortems/*.md

fn postmortem(incident: &Incident) -> (String, String) {
    let date = incident.started_at.map(iso_date).unwrap_or_else(|| "undated".to_owned());
    let name = format!("{date}-{}.md", incident.id.to_lowercase());
    let mut out = String::with_capacity(4096);
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "id: {}", incident.id);
    let _ = writeln!(out, "title: {}", yaml_quoted(&text(&incident.title)));
    let _ = writeln!(out, "severity: {}", text(&incident.severity_raw));
    let _ = writeln!(out, "status: {}", text(&incident.status_raw));
    for (key, at) in [
        ("started_at", incident.started_at),
        ("detected_at", incident.detected_at),
        ("resolved_at", incident.resolved_at),
    ] {
        match at {
            Some(at) => {
                let _ = writeln!(out, "{key}: {}", zulu(at));
            }
            None => {
                let _ = writeln!(out, "{key}:");
            }
        }
    }
    let _ = writeln!(out, "services: [{}]", incident.services.join(", "));
    let _ = writeln!(out, "teams: [{}]", incident.teams.join(", "));
    let _ = writeln!(out, "owner: {}", text(&incident.owner));
    let _ = writeln!(out, "contributing_factors:");
    for factor in &incident.contributing_factors {
        let _ = writeln!(out, "  - {}", yaml_quoted(factor));
    }
    if incident.follow_ups.is_empty() {
        let _ = writeln!(out, "follow_ups: []");
    } else {
        let _ = writeln!(out, "follow_ups:");
        for follow_up in &incident.follow_ups {
            let _ = writeln!(out, "  - id: {}", follow_up.id.as_deref().unwrap_or(""));
            let _ = writeln!(out, "    title: {}", yaml_quoted(follow_up.title.as_deref().unwrap_or("")));
            let _ = writeln!(out, "    owner: {}", follow_up.owner.as_deref().unwrap_or(""));
            let _ = writeln!(out, "    due: {}", follow_up.due_at.map(iso_date).unwrap_or_default());
            let _ = writeln!(out, "    status: {}", yaml_quoted(follow_up.status_raw.as_deref().unwrap_or("")));
        }
    }
    let _ = writeln!(out, "---");
    let _ = writeln!(out);
    let _ = writeln!(out, "# {}", text(&incident.title));
    for (heading, value) in [
        ("Summary", &incident.summary),
        ("Root cause", &incident.root_cause),
        ("Trigger", &incident.trigger),
        ("Remediation", &incident.remediation),
    ] {
        let _ = writeln!(out);
        let _ = writeln!(out, "## {heading}");
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", value.as_deref().unwrap_or("To be completed."));
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "## Timeline");
    let _ = writeln!(out);
    for (event, at) in [
        ("Impact started", incident.started_at),
        ("Detected", incident.detected_at),
        ("Acknowledged by on-call", incident.acknowledged_at),
        ("Mitigated", incident.mitigated_at),
        ("Resolved", incident.resolved_at),
    ] {
        if let Some(at) = at {
            let _ = writeln!(out, "- {} UTC: {event}", at.format("%Y-%m-%d %H:%M"));
        }
    }
    (name, out)
}

/// A YAML double-quoted scalar.
fn yaml_quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
}

// ---------------------------------------------------------------------------------------------
// truth

fn truth_csv(synthetic: &Synthetic) -> String {
    let mut out = String::with_capacity(synthetic.truth.len() * 40);
    out.push_str("incident_id,pattern,recurs,flaky_tests\n");
    for truth in &synthetic.truth {
        let _ = writeln!(
            out,
            "{},{},{},{}",
            truth.incident_id,
            truth.pattern.as_deref().unwrap_or(""),
            truth.recurs.as_deref().unwrap_or(""),
            truth.flaky_tests
        );
    }
    out
}
