//! The messy exports of a generated sample: what real exports look like, so that the bundled
//! sample exercises the normalizer.
//!
//! The canonical incidents decide *what* is exported (missing values are `None` there too); this
//! module decides only *how*: severity and status spellings (`SEV2`, `sev-2`, `P2`, `High`,
//! `2 - High`; `Resolved`, `closed`, `Monitoring`) and tracker words for follow-ups, mixed
//! timestamp forms (consistent within a column), lists joined with `; `, HTML and Markdown
//! markup that strips back to the canonical text, stray whitespace, a different tool's JSON
//! shape, day-first dates in the tracker export, Markdown postmortems with YAML front matter,
//! two duplicate rows to merge and three bad rows to reject.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;
use serde::Serialize;

use super::Synthetic;
use super::build::TRACKER_URL;
use super::vocab::JSONL_TEAMS;
use crate::model::{FollowUp, FollowUpStatus, Incident, IncidentStatus};

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
pub const FOLLOW_UP_HEADERS: [&str; 10] = [
    "Incident",
    "Action Item",
    "Title",
    "Assignee",
    "Team",
    "State",
    "Created",
    "Due Date",
    "Closed",
    "Ticket URL",
];

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
            (
                "sample/incidents.csv".to_owned(),
                self.incidents_csv.as_str(),
            ),
            (
                "sample/follow_ups.csv".to_owned(),
                self.follow_ups_csv.as_str(),
            ),
            (
                "sample/platform.jsonl".to_owned(),
                self.platform_jsonl.as_str(),
            ),
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
    let csv_incidents: Vec<&Incident> =
        select(&synthetic.incidents, &destinations, Destination::Csv);
    let next_id = format!("INC-{}", 1000 + synthetic.incidents.len());
    let after_next_id = format!("INC-{}", 1001 + synthetic.incidents.len());
    SampleFiles {
        incidents_csv: incidents_csv(&csv_incidents, [&next_id, &after_next_id]),
        follow_ups_csv: follow_ups_csv(&csv_incidents),
        platform_jsonl: platform_jsonl(&select(
            &synthetic.incidents,
            &destinations,
            Destination::Jsonl,
        )),
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
        .filter(|index| {
            destinations[*index] == Destination::Csv && incidents[*index].severity <= Some(2)
        })
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

fn select<'a>(
    incidents: &'a [Incident],
    destinations: &[Destination],
    wanted: Destination,
) -> Vec<&'a Incident> {
    incidents
        .iter()
        .zip(destinations)
        .filter(|(_, to)| **to == wanted)
        .map(|(incident, _)| incident)
        .collect()
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

/// Which tool's vocabulary a severity or status is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// The spreadsheet and the postmortems: a mix of scales and spellings.
    Spreadsheet,
    /// The other tool: `P1`..`P4`, lower-case states.
    Platform,
}

/// The severity as a source writes it: the incident's raw spelling when it has one, else one of
/// the spellings in use (`SEV2`, `sev-2`, `P2`, `High`, `2 - High`), chosen by the id.
fn severity_text(incident: &Incident, style: Style) -> String {
    const WORDS: [&str; 5] = ["Critical", "High", "Medium", "Low", "Informational"];
    if let Some(raw) = &incident.severity_raw {
        return raw.clone();
    }
    let Some(severity) = incident.severity else {
        return String::new();
    };
    let word = WORDS[usize::from(severity.clamp(1, 5)) - 1];
    if style == Style::Platform {
        return format!("P{severity}");
    }
    match roll(&incident.id, 10) {
        0..35 => format!("SEV{severity}"),
        35..55 => format!("sev-{severity}"),
        55..70 => format!("P{severity}"),
        70..85 => word.to_owned(),
        _ => format!("{severity} - {word}"),
    }
}

/// The status as a source writes it (`Resolved`, `closed`, `Monitoring`, …).
fn status_text(incident: &Incident, style: Style) -> String {
    if let Some(raw) = &incident.status_raw {
        return raw.clone();
    }
    let Some(status) = incident.status else {
        return String::new();
    };
    let choices: &[&str] = match (status, style) {
        (IncidentStatus::Open, Style::Platform) => &["investigating"],
        (IncidentStatus::Mitigated, Style::Platform) => &["mitigated"],
        (IncidentStatus::Resolved, Style::Platform) => &["resolved"],
        (IncidentStatus::Closed, Style::Platform) => &["closed"],
        (IncidentStatus::Open, Style::Spreadsheet) => &["Investigating", "Open"],
        (IncidentStatus::Mitigated, Style::Spreadsheet) => &["Monitoring", "Mitigated"],
        (IncidentStatus::Resolved, Style::Spreadsheet) => {
            &["Resolved", "Resolved", "resolved", "RESOLVED"]
        }
        (IncidentStatus::Closed, Style::Spreadsheet) => &["Closed", "closed"],
    };
    choices[(roll(&incident.id, 11) as usize) % choices.len()].to_owned()
}

/// A follow-up's state in the tracker's words (`To Do`, `In Progress`, `Done`, `Closed`,
/// `Won't Do`).
fn state_text(follow_up: &FollowUp) -> String {
    if let Some(raw) = &follow_up.status_raw {
        return raw.clone();
    }
    let id = follow_up.id.as_deref().unwrap_or(&follow_up.incident_id);
    let choices: &[&str] = match follow_up.status {
        FollowUpStatus::Open => &["To Do", "To Do", "To Do", "In Progress", "In Progress"],
        FollowUpStatus::Done => &["Done", "Done", "Done", "Closed"],
        FollowUpStatus::WontDo => &["Won't Do"],
    };
    choices[(roll(id, 12) as usize) % choices.len()].to_owned()
}

// ---------------------------------------------------------------------------------------------
// incidents.csv

/// The CSV column that a duplicate row fills and its first copy leaves blank.
const RECOVERY: usize = 19;
const PREVENTION: usize = 20;

fn incidents_csv(incidents: &[&Incident], bad_ids: [&str; 2]) -> String {
    let mut rows: Vec<Vec<String>> = incidents
        .iter()
        .map(|incident| incident_row(incident))
        .collect();
    // Two duplicates: the first copy lacks one field, a later copy has it.
    let mut duplicates: Vec<(usize, Vec<String>)> = Vec::new();
    for (share, column) in [(3, RECOVERY), (2, PREVENTION)] {
        let from = rows.len() / share;
        let found = (from..rows.len()).find(|index| {
            !rows[*index][column].is_empty() && duplicates.iter().all(|(at, _)| at != index)
        });
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
    for (position, row) in [
        (4 * len / 5, &bad[2]),
        (len / 2, &bad[1]),
        (len / 5, &bad[0]),
    ] {
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
        severity_text(incident, Style::Spreadsheet),
        status_text(incident, Style::Spreadsheet),
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
        incidents
            .get(index)
            .and_then(|incident| incident.started_at)
            .unwrap_or_default()
    };
    let row = |id: &str,
               title: &str,
               sev: &str,
               start: String,
               service: &str,
               team: &str,
               owner: &str| {
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
        row(
            "",
            "Checkout latency spike (draft)",
            "SEV3",
            start(near(1)),
            "checkout-web",
            "checkout",
            "Olivia Martin",
        ),
        row(
            bad_ids[0],
            "Search indexer slow again",
            "sev-3",
            "yesterday".to_owned(),
            "search-indexer",
            "search",
            "Yuki Sato",
        ),
        row(
            bad_ids[1],
            "Billing worker restarts",
            "catastrophic-ish",
            start(near(4)),
            "billing-worker",
            "payments",
            "Hannah Kim",
        ),
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
    let Some(text) = text else {
        return String::new();
    };
    match roll(id, salt) {
        0..12 => format!("<p>{}</p>", escape_html(text)),
        12..20 if !service.is_empty() && text.contains(service) => {
            text.replacen(service, &format!("**{service}**"), 1)
        }
        _ => text.to_owned(),
    }
}

/// Some cells name the service as Markdown code.
fn code_span(id: &str, salt: u64, text: Option<&str>, service: &str) -> String {
    let Some(text) = text else {
        return String::new();
    };
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
    const REGIONS: [&str; 5] = [
        "eu-west-1",
        "us-east-1",
        "eu-central-1",
        "ap-southeast-2",
        "global",
    ];
    match roll(id, 6) {
        0..8 => "",
        roll => REGIONS[(roll % 5) as usize],
    }
}

/// `2025-03-04T10:22:00+01:00`: Berlin local time with its offset.
fn offset_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Berlin)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
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
            state_text(follow_up),
            follow_up.created_at.map(day_first).unwrap_or_default(),
            follow_up.due_at.map(day_first).unwrap_or_default(),
            follow_up.closed_at.map(day_first).unwrap_or_default(),
            ticket_url(follow_up),
        ];
        write_csv_row(&mut out, row.iter().map(String::as_str));
    }
    out
}

/// The tracker URL of a follow-up: the one it carries, else the tracker's base URL and its id.
fn ticket_url(follow_up: &FollowUp) -> String {
    match (&follow_up.tracker, &follow_up.id) {
        (Some(tracker), _) => tracker.clone(),
        (None, Some(id)) => [TRACKER_URL, id.as_str()].concat(),
        (None, None) => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// platform.jsonl

#[derive(Serialize)]
struct PlatformIncident<'a> {
    key: &'a str,
    name: Option<&'a str>,
    priority: String,
    state: String,
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
    status: String,
    created: Option<String>,
    due: Option<String>,
    resolved: Option<String>,
    url: Option<String>,
}

fn platform_jsonl(incidents: &[&Incident]) -> String {
    let mut out = String::new();
    for incident in incidents {
        let record = PlatformIncident {
            key: &incident.id,
            name: incident.title.as_deref(),
            priority: severity_text(incident, Style::Platform),
            state: status_text(incident, Style::Platform),
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
        status: state_text(follow_up),
        created: follow_up.created_at.map(iso_date),
        due: follow_up.due_at.map(iso_date),
        resolved: follow_up.closed_at.map(iso_date),
        url: Some(ticket_url(follow_up)).filter(|url| !url.is_empty()),
    }
}

// ---------------------------------------------------------------------------------------------
// postmortems/*.md

fn postmortem(incident: &Incident) -> (String, String) {
    let date = incident
        .started_at
        .map(iso_date)
        .unwrap_or_else(|| "undated".to_owned());
    let name = format!("{date}-{}.md", incident.id.to_lowercase());
    let mut out = String::with_capacity(4096);
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "id: {}", incident.id);
    let _ = writeln!(out, "title: {}", yaml_quoted(&text(&incident.title)));
    let _ = writeln!(
        out,
        "severity: {}",
        severity_text(incident, Style::Spreadsheet)
    );
    let _ = writeln!(out, "status: {}", status_text(incident, Style::Spreadsheet));
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
            let _ = writeln!(
                out,
                "    title: {}",
                yaml_quoted(follow_up.title.as_deref().unwrap_or(""))
            );
            let _ = writeln!(
                out,
                "    owner: {}",
                follow_up.owner.as_deref().unwrap_or("")
            );
            let _ = writeln!(
                out,
                "    due: {}",
                follow_up.due_at.map(iso_date).unwrap_or_default()
            );
            let _ = writeln!(out, "    status: {}", yaml_quoted(&state_text(follow_up)));
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
    format!(
        "\"{}\"",
        text.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::PathBuf;

    use super::*;
    use crate::synth::{SynthParams, generate};

    fn sample() -> (Synthetic, SampleFiles) {
        let synthetic = generate(&SynthParams::default());
        let files = export_sample(&synthetic);
        (synthetic, files)
    }

    fn csv_records(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .map(|record| record.unwrap().iter().map(str::to_owned).collect())
            .collect();
        (headers, rows)
    }

    fn jsonl_ids(text: &str) -> Vec<String> {
        text.lines()
            .map(|line| {
                serde_json::from_str::<serde_json::Value>(line).unwrap()["key"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    fn postmortem_ids(files: &SampleFiles) -> Vec<String> {
        files
            .postmortems
            .iter()
            .map(|(_, text)| {
                text.lines()
                    .nth(1)
                    .unwrap()
                    .trim_start_matches("id: ")
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn every_incident_is_exported_exactly_once() {
        let (synthetic, files) = sample();
        let (headers, rows) = csv_records(&files.incidents_csv);
        assert_eq!(headers, INCIDENT_HEADERS);
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let csv_ids: BTreeSet<String> = rows.iter().map(|row| row[0].clone()).collect();
        for id in csv_ids
            .iter()
            .cloned()
            .chain(jsonl_ids(&files.platform_jsonl))
            .chain(postmortem_ids(&files))
        {
            *seen.entry(id).or_default() += 1;
        }
        for incident in &synthetic.incidents {
            assert_eq!(seen.remove(&incident.id), Some(1), "{}", incident.id);
        }
        // What is left: the bad rows' ids (the empty one and two unknown ones).
        let left: BTreeSet<&str> = seen.keys().map(String::as_str).collect();
        assert_eq!(left, BTreeSet::from(["", "INC-1400", "INC-1401"]));
        let jsonl = jsonl_ids(&files.platform_jsonl).len();
        assert!(
            (60..=110).contains(&jsonl),
            "about 20% in the JSONL: {jsonl}"
        );
        assert_eq!(files.postmortems.len(), 10);
        assert_eq!(files.truth_csv.lines().count(), 401);
        assert_eq!(
            files.truth_csv.lines().next(),
            Some("incident_id,pattern,recurs,flaky_tests")
        );
    }

    #[test]
    fn the_csv_has_two_duplicates_and_three_bad_rows() {
        let (_, files) = sample();
        let (_, rows) = csv_records(&files.incidents_csv);
        let mut by_id: BTreeMap<&str, Vec<&Vec<String>>> = BTreeMap::new();
        for row in &rows {
            by_id.entry(row[0].as_str()).or_default().push(row);
        }
        let duplicates: Vec<(&str, &Vec<&Vec<String>>)> = by_id
            .iter()
            .filter(|(id, rows)| !id.is_empty() && rows.len() > 1)
            .map(|(id, rows)| (*id, rows))
            .collect();
        assert_eq!(duplicates.len(), 2);
        for (id, copies) in duplicates {
            assert_eq!(copies.len(), 2, "{id}");
            let differing: Vec<usize> = (0..INCIDENT_HEADERS.len())
                .filter(|c| copies[0][*c] != copies[1][*c])
                .collect();
            assert_eq!(differing.len(), 1, "{id} differs in one field");
            let column = differing[0];
            assert!(
                copies[0][column].is_empty() && !copies[1][column].is_empty(),
                "the later copy fills it"
            );
        }
        assert_eq!(rows.iter().filter(|row| row[0].is_empty()).count(), 1);
        assert_eq!(rows.iter().filter(|row| row[4] == "yesterday").count(), 1);
        assert_eq!(
            rows.iter()
                .filter(|row| row[2] == "catastrophic-ish")
                .count(),
            1
        );
    }

    #[test]
    fn the_csv_is_messy_the_way_real_exports_are() {
        let (_, files) = sample();
        let (_, rows) = csv_records(&files.incidents_csv);
        let severities: BTreeSet<&str> = rows.iter().map(|row| row[2].as_str()).collect();
        for spelling in ["SEV2", "sev-2", "P2", "High", "2 - High"] {
            assert!(severities.contains(spelling), "{spelling}");
        }
        let statuses: BTreeSet<&str> = rows.iter().map(|row| row[3].as_str()).collect();
        for spelling in ["Resolved", "closed", "Monitoring"] {
            assert!(statuses.contains(spelling), "{spelling}");
        }
        let valid: Vec<&Vec<String>> = rows
            .iter()
            .filter(|row| row[4] != "yesterday" && !row[4].is_empty())
            .collect();
        assert!(
            valid.iter().all(|row| row[4].len() == 25
                && (row[4].ends_with("+01:00") || row[4].ends_with("+02:00")))
        );
        assert!(
            valid
                .iter()
                .filter(|row| !row[5].is_empty())
                .all(|row| row[5].len() == 16 && row[5].as_bytes()[10] == b' ')
        );
        assert!(
            valid
                .iter()
                .filter(|row| !row[6].is_empty())
                .all(|row| row[6].ends_with('Z'))
        );
        assert!(rows.iter().any(
            |row| row[14].starts_with("<p>") && row[14].contains("&amp;")
                || row[16].starts_with("<p>")
        ));
        assert!(rows.iter().any(|row| row[14].contains("**")));
        assert!(rows.iter().any(|row| row[15].contains('`')));
        assert!(
            rows.iter()
                .any(|row| row[1].starts_with(' ') || row[11].ends_with(' '))
        );
        assert!(rows.iter().any(|row| row[9].contains("; ")));
        assert!(
            rows.iter().any(|row| row[18].contains('\n')),
            "a multi-line cell"
        );
        assert!(
            rows.iter().any(|row| row[19].is_empty()),
            "blank optional cells"
        );
        assert!(
            rows.iter().any(|row| !row[22].is_empty()),
            "the extra Region column"
        );
    }

    #[test]
    fn follow_ups_jsonl_and_postmortems_have_their_shapes() {
        let (synthetic, files) = sample();
        let (headers, rows) = csv_records(&files.follow_ups_csv);
        assert_eq!(headers, FOLLOW_UP_HEADERS);
        assert!(
            rows.iter()
                .any(|row| row[6][..2].parse::<u32>().unwrap() > 12),
            "days above 12 say day first"
        );
        assert!(
            rows.iter()
                .all(|row| row[9] == format!("https://tracker.example.com/browse/{}", row[1]))
        );
        let states: BTreeSet<&str> = rows.iter().map(|row| row[5].as_str()).collect();
        assert_eq!(
            states,
            BTreeSet::from(["Closed", "Done", "In Progress", "To Do", "Won't Do"])
        );
        let csv_ids: BTreeSet<String> = csv_records(&files.incidents_csv)
            .1
            .into_iter()
            .map(|row| row[0].clone())
            .collect();
        let expected: usize = synthetic
            .incidents
            .iter()
            .filter(|incident| csv_ids.contains(&incident.id))
            .map(|incident| incident.follow_ups.len())
            .sum();
        assert_eq!(rows.len(), expected);

        let first: serde_json::Value =
            serde_json::from_str(files.platform_jsonl.lines().next().unwrap()).unwrap();
        assert!(first["timeline"]["begin"].is_i64());
        assert!(first["priority"].as_str().unwrap().starts_with('P'));
        assert!(first["postmortem"]["contributing_factors"].is_array());
        let nested = files
            .platform_jsonl
            .lines()
            .any(|line| line.contains("\"action_items\":[{\"key\":\"OPS-"));
        assert!(nested);

        for (name, text) in &files.postmortems {
            assert!(
                name.ends_with(".md") && text.starts_with("---\nid: INC-"),
                "{name}"
            );
            for section in [
                "## Summary",
                "## Root cause",
                "## Trigger",
                "## Remediation",
                "follow_ups:",
                "services: [",
            ] {
                assert!(text.contains(section), "{name} lacks {section}");
            }
        }
    }

    /// The committed sample is exactly what the generator produces: regenerate it with
    /// `cargo run -p recur-cli -- generate` after changing the generator.
    #[test]
    fn committed_sample_matches_the_generator() {
        let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data"));
        let (_, files) = sample();
        for (relative, contents) in files.files() {
            let committed = std::fs::read_to_string(data.join(&relative)).unwrap_or_default();
            assert!(
                committed == contents,
                "{relative} differs from the generator: run `cargo run -p recur-cli -- generate`"
            );
        }
        let mut on_disk: Vec<String> = std::fs::read_dir(data.join("sample/postmortems"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let expected: Vec<String> = files
            .postmortems
            .iter()
            .map(|(name, _)| name.clone())
            .collect();
        assert_eq!(on_disk, expected);
    }
}
