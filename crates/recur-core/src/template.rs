//! A blank postmortem report template with every field of the canonical record, each with a
//! one-line hint of what a good answer looks like.
//!
//! The template is made to be read back by the normalizer without a mapping, field for field,
//! and so that the blank template itself holds no values:
//!
//! - **Markdown**: YAML front matter for the short fields (values empty, hints as YAML
//!   comments), a `# ` title line, and one `## ` section per prose field (Summary, Trigger, Root
//!   cause, Contributing factors, Remediation, Recovery, Prevention), each holding its hint as
//!   an HTML comment. The normalizer drops HTML comments, so a hint left in place is no value.
//!   Follow-ups are a YAML list in the front matter (each with id, title, owner, team, due date,
//!   status, tracker link). Any other section (Timeline, Impact) is kept as the narrative body.
//! - **JSON**: `{"_hints": {...}, "incidents": [{...}]}`: the incident object holds every field
//!   with an empty value (`""` or `[]`); `_hints` holds the hint of each field under the same key.
//!   The normalizer reads the `incidents` array and ignores `_hints`.
//! - **CSV**: the header row only (canonical column names, then the extra fields). CSV has no
//!   place for comments, and a row of hints would be read as an incident, so the hints are those
//!   of the other two forms ([`INCIDENT_HINTS`]). Follow-ups in CSV are titles separated by `;`
//!   in the `follow_ups` column; give owners and due dates in a separate follow-ups file.
//!
//! In the Markdown and JSON forms, one blank follow-up item shows the follow-up fields: fill it
//! (copy it for more) or delete it. Left blank, it reads as a follow-up without a title, owner
//! or due date, which [`crate::check`] reports.
//!
//! ```
//! use recur_core::template::{TemplateFormat, render_template};
//!
//! let csv = render_template(TemplateFormat::Csv, &["Region".to_owned()]);
//! assert!(csv.starts_with("id,title,severity,status,started_at,"));
//! assert!(csv.trim_end().ends_with(",follow_ups,Region"));
//! ```

use std::fmt::Write as _;

use crate::normalize::fields::name_key;

/// The form of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateFormat {
    /// YAML front matter plus `## ` sections, the shape of a folder of postmortems.
    Markdown,
    /// One incident object with every field, hints under `_hints`.
    Json,
    /// A header row with the canonical column names.
    Csv,
}

impl TemplateFormat {
    /// The usual file extension of the form (`md`, `json`, `csv`).
    pub fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }
}

/// Each incident field of the template, by canonical name, with its hint, in template order.
pub const INCIDENT_HINTS: &[(&str, &str)] = &[
    (
        "id",
        "the incident's id in your tracker (INC-123); without one, the file name is used",
    ),
    (
        "title",
        "one line: what broke, for whom (Checkout failed for EU customers)",
    ),
    (
        "severity",
        "1 (most severe) to 5, or your scale's name: SEV1, P2, Critical",
    ),
    ("status", "open, mitigated, resolved or closed"),
    (
        "started_at",
        "when impact began, not when it was noticed: 2025-03-04T10:22:00Z",
    ),
    ("detected_at", "when an alert fired or someone reported it"),
    ("acknowledged_at", "when a responder took it on"),
    (
        "mitigated_at",
        "when the impact stopped, even if the fault was still there",
    ),
    ("resolved_at", "when the system was back to normal"),
    (
        "services",
        "the affected services, as your service catalog names them: [checkout, payments-api]",
    ),
    (
        "teams",
        "the teams that owned or responded to it: [payments]",
    ),
    (
        "owner",
        "the person who writes this report and sees its follow-ups through",
    ),
    (
        "detection_method",
        "how it was noticed: alert, customer report, internal user, synthetic check",
    ),
    (
        "alerts",
        "the alerts that fired, by name; an empty list if none did",
    ),
    (
        "summary",
        "two or three sentences: what happened, who was affected, for how long",
    ),
    (
        "trigger",
        "what set it off: a deploy, a config push, a traffic spike, a certificate expiry",
    ),
    (
        "root_cause",
        "the underlying condition, not the symptom: why did it happen, and why then?",
    ),
    (
        "contributing_factors",
        "one per line as a Markdown list: what made it possible or worse or slower to fix (a missing alert or a stale runbook)",
    ),
    ("remediation", "what was done to stop the impact, and when"),
    (
        "recovery",
        "how the system and its data were brought back to normal",
    ),
    (
        "prevention",
        "what will keep this from happening again, or make it smaller next time",
    ),
    ("tags", "free-form labels: [database, capacity]"),
    (
        "follow_ups",
        "one item per action, each with one owner and a due date; copy the item for more",
    ),
];

/// Each follow-up field of the template, by canonical name, with its hint.
pub const FOLLOW_UP_HINTS: &[(&str, &str)] = &[
    ("id", "the ticket's key in your tracker (OPS-42)"),
    (
        "title",
        "the action, as a verb phrase: Alert on connection pool saturation",
    ),
    ("owner", "one person responsible"),
    ("team", "the team that will do it, when not the owner's own"),
    ("due_at", "a date: 2025-04-30"),
    ("status", "open, done or wont_do"),
    ("tracker", "a link to the ticket"),
];

/// The hint of an organisation's own field.
pub const EXTRA_HINT: &str = "your organisation's own field";

/// The hint of an incident field, by canonical name.
pub fn incident_hint(field: &str) -> Option<&'static str> {
    INCIDENT_HINTS
        .iter()
        .find_map(|(name, hint)| (*name == field).then_some(*hint))
}

/// Every hint text of the template (incident and follow-up fields, and extra fields), for
/// checks that look for hint text left in a report.
pub fn hint_texts() -> impl Iterator<Item = &'static str> {
    INCIDENT_HINTS
        .iter()
        .chain(FOLLOW_UP_HINTS)
        .map(|(_, hint)| *hint)
        .chain(std::iter::once(EXTRA_HINT))
}

/// Render a blank report in `format`. `extra_fields` are an organisation's own fields (the
/// columns a mapping file keeps as `"extra"`, or any the caller names); they appear after the
/// canonical ones, in the order given, except those whose name is a canonical field's.
pub fn render_template(format: TemplateFormat, extra_fields: &[String]) -> String {
    let extra = extra_names(extra_fields);
    match format {
        TemplateFormat::Markdown => markdown(&extra),
        TemplateFormat::Json => json(&extra),
        TemplateFormat::Csv => csv(&extra),
    }
}

/// Where a field goes in the Markdown template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A scalar in the front matter.
    Scalar,
    /// A list in the front matter.
    List,
    /// The `# ` title line.
    Title,
    /// A `## ` section of prose.
    Section(&'static str),
    /// A `## ` section holding a Markdown list.
    ListSection(&'static str),
    /// The follow-up items in the front matter.
    FollowUps,
}

fn place(field: &str) -> Place {
    match field {
        "title" => Place::Title,
        "services" | "teams" | "alerts" | "tags" => Place::List,
        "summary" => Place::Section("Summary"),
        "trigger" => Place::Section("Trigger"),
        "root_cause" => Place::Section("Root cause"),
        "contributing_factors" => Place::ListSection("Contributing factors"),
        "remediation" => Place::Section("Remediation"),
        "recovery" => Place::Section("Recovery"),
        "prevention" => Place::Section("Prevention"),
        "follow_ups" => Place::FollowUps,
        _ => Place::Scalar,
    }
}

/// The extra field names to show: trimmed, non-empty, not a canonical name, no duplicates.
fn extra_names(extra_fields: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in extra_fields {
        let name = name.trim();
        let key = name_key(name);
        let canonical = INCIDENT_HINTS
            .iter()
            .any(|(field, _)| name_key(field) == key);
        if name.is_empty() || canonical || names.iter().any(|n| name_key(n) == key) {
            continue;
        }
        names.push(name.to_owned());
    }
    names
}

/// A YAML key: bare when it is a plain word, otherwise double-quoted (JSON string syntax is
/// valid YAML).
fn yaml_key(name: &str) -> String {
    let bare = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && name.starts_with(|c: char| c.is_ascii_alphabetic());
    if bare {
        name.to_owned()
    } else {
        json_string(name)
    }
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// One front-matter line: `key:` (or `key: []`) padded, then the hint as a comment.
fn yaml_line(out: &mut String, indent: &str, key: &str, empty: &str, hint: &str) {
    let head = if empty.is_empty() {
        format!("{indent}{key}:")
    } else {
        format!("{indent}{key}: {empty}")
    };
    let _ = writeln!(out, "{head:<22} # {hint}");
}

fn markdown(extra: &[String]) -> String {
    let mut out = String::from("---\n");
    out.push_str("# Postmortem report. Fill in the values; each comment says what a good answer looks like.\n");
    out.push_str(
        "# Times are ISO 8601 with a zone (2025-03-04T10:22:00Z); lists are YAML lists: [a, b].\n",
    );
    for (field, hint) in INCIDENT_HINTS {
        match place(field) {
            Place::Scalar => yaml_line(&mut out, "", field, "", hint),
            Place::List => yaml_line(&mut out, "", field, "[]", hint),
            Place::FollowUps => {
                yaml_line(&mut out, "", field, "", hint);
                for (index, (key, hint)) in FOLLOW_UP_HINTS.iter().enumerate() {
                    let indent = if index == 0 { "  - " } else { "    " };
                    yaml_line(&mut out, indent, key, "", hint);
                }
            }
            Place::Title | Place::Section(_) | Place::ListSection(_) => {}
        }
    }
    for name in extra {
        yaml_line(&mut out, "", &yaml_key(name), "", EXTRA_HINT);
    }
    out.push_str("---\n\n");
    for (field, hint) in INCIDENT_HINTS {
        match place(field) {
            Place::Title => {
                let _ = writeln!(out, "# <!-- title: {hint} -->\n");
                out.push_str(
                    "<!-- The sections below are read into their fields. Add any other section \
                     (Timeline, Impact, Lessons) as you like: it is kept as the narrative. -->\n\n",
                );
            }
            Place::Section(heading) => {
                let _ = writeln!(out, "## {heading}\n\n<!-- {hint} -->\n");
            }
            Place::ListSection(heading) => {
                // The normalizer splits a list before it drops comments: a hint here must hold
                // no list separator (`,` `;` `|`), or its pieces would read as items.
                let _ = writeln!(out, "## {heading}\n\n<!-- {hint} -->\n");
            }
            Place::Scalar | Place::List | Place::FollowUps => {}
        }
    }
    // One trailing newline, not two.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn json(extra: &[String]) -> String {
    let mut out = String::from("{\n  \"_hints\": {\n");
    let mut hints: Vec<String> = Vec::new();
    for (field, hint) in INCIDENT_HINTS {
        if *field == "follow_ups" {
            let inner: Vec<String> = FOLLOW_UP_HINTS
                .iter()
                .map(|(key, hint)| format!("      {}: {}", json_string(key), json_string(hint)))
                .collect();
            hints.push(format!(
                "    \"follow_ups\": {{\n      \"_\": {},\n{}\n    }}",
                json_string(hint),
                inner.join(",\n")
            ));
        } else {
            hints.push(format!("    {}: {}", json_string(field), json_string(hint)));
        }
    }
    for name in extra {
        hints.push(format!(
            "    {}: {}",
            json_string(name),
            json_string(EXTRA_HINT)
        ));
    }
    out.push_str(&hints.join(",\n"));
    out.push_str("\n  },\n  \"incidents\": [\n    {\n");
    let mut fields: Vec<String> = Vec::new();
    for (field, _) in INCIDENT_HINTS {
        let value = match place(field) {
            Place::List | Place::ListSection(_) => "[]".to_owned(),
            Place::FollowUps => {
                let inner: Vec<String> = FOLLOW_UP_HINTS
                    .iter()
                    .map(|(key, _)| format!("          {}: \"\"", json_string(key)))
                    .collect();
                format!("[\n        {{\n{}\n        }}\n      ]", inner.join(",\n"))
            }
            Place::Scalar | Place::Title | Place::Section(_) => "\"\"".to_owned(),
        };
        fields.push(format!("      {}: {value}", json_string(field)));
    }
    for name in extra {
        fields.push(format!("      {}: \"\"", json_string(name)));
    }
    out.push_str(&fields.join(",\n"));
    out.push_str("\n    }\n  ]\n}\n");
    out
}

fn csv(extra: &[String]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = INCIDENT_HINTS
        .iter()
        .map(|(field, _)| *field)
        .chain(extra.iter().map(String::as_str));
    // Writing to a Vec cannot fail; an error would only drop the header.
    let _ = writer.write_record(header);
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {

    use chrono::{DateTime, TimeZone, Utc};

    use super::*;
    use crate::model::{FollowUp, FollowUpStatus, Incident, IncidentStatus, Source};
    use crate::normalize::{NormalizeOptions, normalize_str};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// The values the round-trip tests write into the blanks.
    fn incident_value(field: &str) -> &'static str {
        match field {
            "id" => "INC-4711",
            "title" => "Checkout failed for EU customers",
            "severity" => "SEV2",
            "status" => "resolved",
            "started_at" => "2025-03-04T10:22:00Z",
            "detected_at" => "2025-03-04T10:31:00Z",
            "acknowledged_at" => "2025-03-04T10:35:00Z",
            "mitigated_at" => "2025-03-04T11:02:00Z",
            "resolved_at" => "2025-03-04T12:40:00Z",
            "owner" => "ana.lima",
            "detection_method" => "customer report",
            "summary" => "For 40 minutes, 30% of EU checkouts failed with a payment error.",
            "trigger" => "A config push lowered the payment client's connection pool to 4.",
            "root_cause" => {
                "The pool size came from a shared default that the payments team did not know had changed, so the client starved under normal load."
            }
            "remediation" => "Rolled the config back at 11:02.",
            "recovery" => "Replayed 212 failed orders from the outbox by 12:40.",
            "prevention" => "Pin the pool size per service and alert on pool wait time.",
            _ => "",
        }
    }

    fn list_value(field: &str) -> Vec<&'static str> {
        match field {
            "services" => vec!["checkout", "payments-api"],
            "teams" => vec!["payments", "sre"],
            "alerts" => vec!["CheckoutErrorRate"],
            "contributing_factors" => vec!["no alert on pool saturation", "shared config defaults"],
            "tags" => vec!["config", "capacity"],
            _ => Vec::new(),
        }
    }

    fn follow_up_value(index: usize, field: &str) -> &'static str {
        match (index, field) {
            (0, "id") => "OPS-42",
            (0, "title") => "Alert on connection pool wait time",
            (0, "owner") => "bo.chen",
            (0, "team") => "sre",
            (0, "due_at") => "2025-04-30",
            (0, "status") => "open",
            (0, "tracker") => "https://tracker.example/OPS-42",
            (1, "id") => "OPS-43",
            (1, "title") => "Pin the pool size per service",
            (1, "owner") => "ana.lima",
            (1, "team") => "payments",
            (1, "due_at") => "2025-03-31",
            (1, "status") => "done",
            (1, "tracker") => "https://tracker.example/OPS-43",
            _ => "",
        }
    }

    fn expected(file: &str, line: Option<usize>) -> Incident {
        let source = Source {
            file: file.to_owned(),
            record: 1,
            line,
        };
        let strings = |field: &str| {
            list_value(field)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let text = |field: &str| Some(incident_value(field).to_owned());
        let follow_up = |index: usize, status: FollowUpStatus, due: &str| FollowUp {
            id: Some(follow_up_value(index, "id").to_owned()),
            incident_id: "INC-4711".to_owned(),
            title: Some(follow_up_value(index, "title").to_owned()),
            owner: Some(follow_up_value(index, "owner").to_owned()),
            team: Some(follow_up_value(index, "team").to_owned()),
            status,
            status_raw: Some(follow_up_value(index, "status").to_owned()),
            created_at: None,
            due_at: Some(at(due)),
            closed_at: None,
            tracker: Some(follow_up_value(index, "tracker").to_owned()),
            source: source.clone(),
            extra: Default::default(),
        };
        Incident {
            id: "INC-4711".to_owned(),
            title: text("title"),
            severity: Some(2),
            severity_raw: Some("SEV2".to_owned()),
            status: Some(IncidentStatus::Resolved),
            status_raw: Some("resolved".to_owned()),
            started_at: Some(at("2025-03-04T10:22:00Z")),
            detected_at: Some(at("2025-03-04T10:31:00Z")),
            acknowledged_at: Some(at("2025-03-04T10:35:00Z")),
            mitigated_at: Some(at("2025-03-04T11:02:00Z")),
            resolved_at: Some(at("2025-03-04T12:40:00Z")),
            // Kept by the tool, not written by the author: not in the template.
            updated_at: None,
            services: strings("services"),
            teams: strings("teams"),
            owner: text("owner"),
            detection_method: text("detection_method"),
            alerts: strings("alerts"),
            summary: text("summary"),
            trigger: text("trigger"),
            root_cause: text("root_cause"),
            contributing_factors: strings("contributing_factors"),
            remediation: text("remediation"),
            recovery: text("recovery"),
            prevention: text("prevention"),
            tags: strings("tags"),
            body: None,
            source: source.clone(),
            follow_ups: vec![
                follow_up(0, FollowUpStatus::Open, "2025-04-30T00:00:00Z"),
                follow_up(1, FollowUpStatus::Done, "2025-03-31T00:00:00Z"),
            ],
            extra: crate::Extra::from_iter([(
                "Customer impact".to_owned(),
                "212 delayed orders".to_owned(),
            )]),
        }
    }

    fn yaml_list(items: &[&str]) -> String {
        format!("[{}]", items.join(", "))
    }

    /// Fill a Markdown template: front-matter keys get values, the follow-up item is filled and
    /// copied once, the title line and each section's hint comment are replaced by text.
    fn fill_markdown(template: &str) -> String {
        let mut out = String::new();
        let mut section: Option<&str> = None;
        let mut in_front = false;
        let mut follow_up_lines: Vec<String> = Vec::new();
        for line in template.lines() {
            if line == "---" {
                in_front = !in_front;
                out.push_str(line);
                out.push('\n');
                continue;
            }
            if in_front && !line.starts_with('#') {
                let key_part = line.split(" #").next().unwrap_or(line).trim_end();
                let indent_len = key_part.len() - key_part.trim_start().len();
                let bare = key_part.trim_start().trim_start_matches("- ");
                let Some((key, _)) = bare.split_once(':') else {
                    out.push_str(line);
                    out.push('\n');
                    continue;
                };
                let key = key.trim_matches('"');
                let prefix = &key_part[..indent_len + (key_part.trim_start().len() - bare.len())];
                if indent_len == 0 && !follow_up_lines.is_empty() {
                    // The copy of the follow-up item goes right after the first one.
                    out.push_str(&follow_up_lines.join("\n"));
                    out.push('\n');
                    follow_up_lines.clear();
                }
                let filled = if indent_len > 0 {
                    let value = follow_up_value(0, key);
                    follow_up_lines.push(format!("{prefix}{key}: {}", follow_up_value(1, key)));
                    format!("{prefix}{key}: {value}")
                } else if key == "Customer impact" {
                    "\"Customer impact\": 212 delayed orders".to_owned()
                } else if key == "follow_ups" {
                    "follow_ups:".to_owned()
                } else if !list_value(key).is_empty() {
                    format!("{key}: {}", yaml_list(&list_value(key)))
                } else {
                    format!("{key}: {}", incident_value(key))
                };
                out.push_str(&filled);
                out.push('\n');
                continue;
            }
            if line.starts_with("# ") {
                out.push_str("# Checkout failed for EU customers\n");
                continue;
            }
            if let Some(heading) = line.strip_prefix("## ") {
                section = Some(match heading {
                    "Root cause" => "root_cause",
                    "Contributing factors" => "contributing_factors",
                    other => INCIDENT_HINTS
                        .iter()
                        .map(|(field, _)| *field)
                        .find(|field| name_key(field) == name_key(other))
                        .unwrap(),
                });
                out.push_str(line);
                out.push('\n');
                continue;
            }
            if line.starts_with("<!--") {
                match section {
                    Some("contributing_factors") => {
                        // Keep the hint: it must read as nothing.
                        out.push_str(line);
                        out.push('\n');
                        for item in list_value("contributing_factors") {
                            out.push_str(&format!("- {item}\n"));
                        }
                    }
                    Some(field) => {
                        out.push_str(incident_value(field));
                        out.push('\n');
                    }
                    None => {
                        out.push_str(line);
                        out.push('\n');
                    }
                }
                continue;
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    fn fill_json(template: &str) -> String {
        let mut document: serde_json::Value = serde_json::from_str(template).unwrap();
        let incident = &mut document["incidents"][0];
        let object = incident.as_object_mut().unwrap();
        for (key, value) in object.iter_mut() {
            *value = match key.as_str() {
                "follow_ups" => serde_json::json!(
                    [0, 1]
                        .iter()
                        .map(|index| {
                            FOLLOW_UP_HINTS
                                .iter()
                                .map(|(field, _)| {
                                    (
                                        (*field).to_owned(),
                                        serde_json::json!(follow_up_value(*index, field)),
                                    )
                                })
                                .collect::<serde_json::Map<_, _>>()
                        })
                        .collect::<Vec<_>>()
                ),
                "Customer impact" => serde_json::json!("212 delayed orders"),
                key if !list_value(key).is_empty() => serde_json::json!(list_value(key)),
                key => serde_json::json!(incident_value(key)),
            };
        }
        serde_json::to_string_pretty(&document).unwrap()
    }

    fn only_incident(name: &str, text: &str) -> Incident {
        let out = normalize_str(name, text, None, &NormalizeOptions::default());
        assert!(out.rejected.is_empty(), "{:?}", out.rejected);
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert!(out.accounting.balances());
        assert_eq!(out.incidents.len(), 1);
        out.incidents.into_iter().next().unwrap()
    }

    /// Compare field by field, so that a failure names the field.
    fn assert_same(actual: &Incident, expected: &Incident) {
        let actual = serde_json::to_value(actual).unwrap();
        let expected = serde_json::to_value(expected).unwrap();
        for (field, value) in expected.as_object().unwrap() {
            assert_eq!(&actual[field], value, "field {field}");
        }
        assert_eq!(actual, expected);
    }

    #[test]
    fn a_filled_markdown_template_normalizes_field_for_field() {
        let template = render_template(TemplateFormat::Markdown, &["Customer impact".to_owned()]);
        let filled = fill_markdown(&template);
        let incident = only_incident("filled.md", &filled);
        assert_same(&incident, &expected("filled.md", Some(1)));
    }

    #[test]
    fn a_filled_json_template_normalizes_field_for_field() {
        let template = render_template(TemplateFormat::Json, &["Customer impact".to_owned()]);
        let filled = fill_json(&template);
        let incident = only_incident("filled.json", &filled);
        assert_same(&incident, &expected("filled.json", None));
    }

    #[test]
    fn a_blank_markdown_template_is_skipped_as_no_incident() {
        let template = render_template(TemplateFormat::Markdown, &["Customer impact".to_owned()]);
        let out = normalize_str("INC-9.md", &template, None, &NormalizeOptions::default());
        assert!(out.incidents.is_empty(), "{:?}", out.incidents);
        assert_eq!(out.accounting.skipped, 1);
        assert!(out.accounting.balances());
        assert!(
            out.rejected[0]
                .reason
                .starts_with("skipped: not an incident")
        );
    }

    #[test]
    fn a_blank_json_template_holds_no_values_and_its_hints_are_not_read() {
        let template = render_template(TemplateFormat::Json, &["Customer impact".to_owned()]);
        let document: serde_json::Value = serde_json::from_str(&template).unwrap();
        assert_eq!(
            document["_hints"]["root_cause"],
            incident_hint("root_cause").unwrap()
        );
        assert_eq!(document["_hints"]["Customer impact"], EXTRA_HINT);
        let out = normalize_str("blank.json", &template, None, &NormalizeOptions::default());
        // No id: the one record is rejected for it (its blank follow-up with it), and the
        // hints are not read as a record.
        assert_eq!(out.incidents.len(), 0);
        assert_eq!(out.accounting.records_read, 1);
        let incident_rejects: Vec<_> = out
            .rejected
            .iter()
            .filter(|r| r.kind == crate::outcome::RecordKind::Incident)
            .collect();
        assert_eq!(incident_rejects.len(), 1);
        assert_eq!(incident_rejects[0].field.as_deref(), Some("id"));
        assert!(out.accounting.balances());
        let with_id = template.replacen("\"id\": \"\"", "\"id\": \"INC-9\"", 1);
        let incident = only_incident("blank.json", &with_id);
        assert_eq!(incident.title, None);
        assert_eq!(incident.root_cause, None);
        assert!(incident.extra.is_empty(), "{:?}", incident.extra);
        assert_eq!(incident.follow_ups.len(), 1);
    }

    #[test]
    fn csv_template_is_a_header_the_normalizer_reads_as_no_records() {
        let template = render_template(
            TemplateFormat::Csv,
            &["Customer impact".to_owned(), "title".to_owned()],
        );
        let names: Vec<&str> = INCIDENT_HINTS.iter().map(|(field, _)| *field).collect();
        assert_eq!(template, format!("{},Customer impact\n", names.join(",")));
        let out = normalize_str("blank.csv", &template, None, &NormalizeOptions::default());
        assert_eq!(out.accounting.records_read, 0);
        let mut cells = vec![""; names.len() + 1];
        let mut set = |field: &str, value| {
            let index = names
                .iter()
                .position(|name| *name == field)
                .unwrap_or(names.len());
            cells[index] = value;
        };
        set("id", "INC-1");
        set("severity", "2");
        set("started_at", "2025-01-02 03:04");
        set("services", "db");
        set("follow_ups", "rotate logs; alert on disk");
        set("Customer impact", "eu");
        let filled = format!("{template}{}\n", cells.join(","));
        let incident = only_incident("filled.csv", &filled);
        assert_eq!(incident.severity, Some(2));
        assert_eq!(incident.services, ["db"]);
        let titles: Vec<_> = incident
            .follow_ups
            .iter()
            .map(|f| f.title.clone().unwrap())
            .collect();
        assert_eq!(titles, ["rotate logs", "alert on disk"]);
        assert_eq!(
            incident.extra.get("Customer impact").map(String::as_str),
            Some("eu")
        );
        assert_eq!(
            incident.started_at,
            Some(Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 0).unwrap())
        );
    }

    #[test]
    fn every_canonical_field_has_a_hint_and_extra_names_are_quoted_and_deduplicated() {
        use crate::normalize::fields::{Field, FollowUpField, IncidentField};
        for field in IncidentField::ALL {
            if matches!(field, IncidentField::Body | IncidentField::UpdatedAt) {
                continue;
            }
            assert!(incident_hint(field.name()).is_some(), "{field:?}");
        }
        for field in FollowUpField::ALL {
            let in_template = FOLLOW_UP_HINTS
                .iter()
                .any(|(name, _)| *name == field.name());
            let tracker_managed = matches!(
                field,
                FollowUpField::IncidentId | FollowUpField::CreatedAt | FollowUpField::ClosedAt
            );
            assert_eq!(in_template, !tracker_managed, "{field:?}");
        }
        let extra = [
            "Region".to_owned(),
            " region ".to_owned(),
            "Root Cause".to_owned(),
            "a b".to_owned(),
        ];
        assert_eq!(extra_names(&extra), ["Region", "a b"]);
        let markdown = render_template(TemplateFormat::Markdown, &extra);
        assert!(markdown.contains("\nRegion:"), "{markdown}");
        assert!(markdown.contains("\n\"a b\":"), "{markdown}");
        assert!(
            markdown.contains("## Root cause\n\n<!-- the underlying condition, not the symptom")
        );
        for (field, hint) in INCIDENT_HINTS {
            if matches!(place(field), Place::ListSection(_)) {
                assert!(!hint.contains([',', ';', '|']), "{field}: {hint}");
            }
        }
    }
}
