//! Is each report ready for review? The completeness rules a reviewer would apply before the
//! monthly review, over canonical incidents.
//!
//! Each rule gives a [`Finding`] naming the incident, the field and what to fix:
//!
//! - [`Rule::MissingField`]: a field the [`Rules`] require for the incident's severity is empty
//!   (also a follow-up without a title).
//! - [`Rule::Placeholder`]: a field still holds a placeholder (`TBD`, `TODO`, `...`) or text of a
//!   `recur template` hint. The normalizer reads `n/a`, `-` and `?` as no value at all, so those
//!   show as a missing field.
//! - [`Rule::RootCauseTooShort`]: the root cause has fewer words than `min_root_cause_words`.
//! - [`Rule::RootCauseRestatesSymptom`]: the root cause is a generic phrase that names no cause
//!   ("human error", "bug", "server down"), or nearly all its content words (at least
//!   `restated_symptom_share` of them) are already in the title or summary: it says again what
//!   happened instead of why. Content words are the words left after dropping common English
//!   words, compared lower-case with a final plural `s` removed.
//! - [`Rule::NoContributingFactors`]: `contributing_factors` is required and empty.
//! - [`Rule::FollowUpWithoutOwner`], [`Rule::FollowUpWithoutDueDate`]: an open follow-up (done
//!   and won't-do ones need neither) lacks an owner or a due date.
//! - [`Rule::TimestampsOutOfOrder`]: detected, acknowledged, mitigated or resolved before
//!   started, or resolved before detected.
//! - [`Rule::NoFollowUps`]: an incident of severity `follow_ups_required_for_severity_at_most`
//!   or more severe (or one whose required fields list `follow_ups`) has no follow-up.
//! - [`Rule::Unreadable`]: a record the normalizer rejected ([`unreadable_findings`]); its
//!   report cannot be checked at all, so it counts as not complete.
//! - [`Rule::Blame`]: the root cause stops at a person (one of `blame_phrases`, "human error",
//!   "someone forgot", "didn't follow the process", with none of `systemic_phrases` after it,
//!   such as "because" or "nothing validated"), or the root cause or summary names a person of
//!   the record (its owner, a follow-up's owner, a `participant_fields` column): ask what made
//!   the error possible, and name roles rather than people. `blameless = false` turns it off.
//! - [`Rule::Late`]: with a [`PreRead`] deadline ([`late_findings`]), a report that is
//!   incomplete, or was last updated after the deadline (`lead_days` before the review).
//!
//! A field holding a placeholder counts as present for [`Rule::MissingField`], and the root
//! cause rules look only at a root cause that is not a placeholder, so one problem gives one
//! finding.
//!
//! ```
//! use recur_core::Incident;
//! use recur_core::check::{Rule, Rules, check_incidents};
//!
//! let incident = Incident {
//!     id: "INC-1".into(),
//!     severity: Some(3),
//!     root_cause: Some("TBD".into()),
//!     ..Incident::default()
//! };
//! let findings = check_incidents(&[incident], &Rules::default());
//! assert!(findings.iter().any(|f| f.rule == Rule::Placeholder && f.field.as_deref() == Some("root_cause")));
//! assert!(findings.iter().any(|f| f.rule == Rule::MissingField && f.field.as_deref() == Some("owner")));
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{FollowUpStatus, Incident, Source};
use crate::normalize::fields::{Field, IncidentField};
use crate::outcome::Rejected;
use crate::template;

/// The completeness rules. [`Rules::default`] are the documented defaults, the same as the
/// shipped `data/rules/default.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// Fields required by severity (1 = most severe). Default: see `data/rules/default.toml`.
    pub required: BTreeMap<u8, Vec<IncidentField>>,
    /// Fields required of the severities not in `required` and of reports without a severity.
    pub required_default: Vec<IncidentField>,
    /// Incidents of this severity or a more severe one must have a follow-up; 0 turns the rule
    /// off. Default 2.
    pub follow_ups_required_for_severity_at_most: u8,
    /// A root cause of fewer words is too short; 0 turns the rule off. Default 6.
    pub min_root_cause_words: usize,
    /// Share of a root cause's content words found in the title or summary from which it only
    /// restates the symptom, in `(0, 1]`. Default 0.8.
    pub restated_symptom_share: f64,
    /// Root causes that name no cause ("human error", "bug", …).
    pub generic_root_causes: Vec<String>,
    /// Values that mean "not written yet" (`TBD`, `TODO`, …).
    pub placeholders: Vec<String>,
    /// Whether [`Rule::Blame`] is checked. Default true.
    pub blameless: bool,
    /// Phrases of a root cause that stops at a person ("human error", "someone forgot", …),
    /// compared as words ignoring case and punctuation. Default: see `data/rules/default.toml`.
    pub blame_phrases: Vec<String>,
    /// Phrases that, after a blame phrase, carry the root cause on to what made the error
    /// possible ("because", "nothing validated", …), so it does not stop at the person.
    pub systemic_phrases: Vec<String>,
    /// Extra columns (by their folded name) that list the people of an incident, besides its
    /// owner and the follow-ups' owners. Default `participants`, `responders`, `attendees`, ….
    pub participant_fields: Vec<String>,
}

impl Default for Rules {
    fn default() -> Self {
        use IncidentField as F;
        let serious = vec![
            F::Title,
            F::Severity,
            F::Owner,
            F::StartedAt,
            F::DetectedAt,
            F::ResolvedAt,
            F::Services,
            F::Teams,
            F::Summary,
            F::Trigger,
            F::RootCause,
            F::ContributingFactors,
            F::Remediation,
        ];
        let strings = |items: &[&str]| items.iter().map(|item| (*item).to_owned()).collect();
        Self {
            required: BTreeMap::from([(1, serious.clone()), (2, serious)]),
            required_default: vec![
                F::Title,
                F::Severity,
                F::Owner,
                F::StartedAt,
                F::ResolvedAt,
                F::Services,
                F::Summary,
                F::RootCause,
            ],
            follow_ups_required_for_severity_at_most: 2,
            min_root_cause_words: 6,
            restated_symptom_share: 0.8,
            generic_root_causes: strings(&[
                "human error",
                "operator error",
                "user error",
                "bug",
                "software bug",
                "code bug",
                "outage",
                "server down",
                "service down",
                "server crash",
                "network issue",
                "network issues",
                "network problem",
                "hardware failure",
                "config error",
                "configuration error",
                "misconfiguration",
                "unknown",
                "unknown cause",
                "technical issue",
                "technical issues",
                "glitch",
                "system failure",
                "it broke",
                "database down",
                "database issue",
            ]),
            placeholders: strings(&[
                "TBD",
                "TODO",
                "FIXME",
                "n/a",
                "-",
                "?",
                "...",
                "fill in",
                "to be determined",
                "to be confirmed",
                "TBC",
            ]),
            blameless: true,
            blame_phrases: strings(&[
                "human error",
                "operator error",
                "user error",
                "engineer error",
                "human mistake",
                "someone forgot",
                "somebody forgot",
                "forgot to",
                "didn't follow the process",
                "did not follow the process",
                "didn't follow the runbook",
                "did not follow the runbook",
                "didn't follow procedure",
                "did not follow procedure",
                "failed to follow the process",
                "failed to follow the runbook",
                "not following the process",
                "careless",
                "carelessness",
                "negligence",
                "fat finger",
                "fat fingered",
                "should have known",
                "should have checked",
                "lack of attention",
                "made a mistake",
            ]),
            systemic_phrases: strings(&[
                "because",
                "since",
                "due to",
                "allowed",
                "allowing",
                "nothing",
                "no check",
                "no validation",
                "no safeguard",
                "no guard",
                "without",
                "did not prevent",
                "didn't prevent",
                "lacked",
                "missing",
                "made it easy",
                "made it possible",
            ]),
            participant_fields: strings(&[
                "participants",
                "responders",
                "attendees",
                "authors",
                "on call",
            ]),
        }
    }
}

/// Why a rules file was refused. Each bad value is its own variant, naming the key and value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// Not valid TOML, an unknown key, or a value of the wrong type.
    #[error("rules are not valid: {0}")]
    Syntax(String),
    /// A `[required]` key that is neither a severity from 1 to 5 nor `default`.
    #[error("[required] key {0:?} is neither a severity from 1 to 5 nor \"default\"")]
    SeverityKey(String),
    /// A required field that is not a field of a report.
    #[error("[required] {severity}: {field:?} is not a field of a report (known: {known})")]
    UnknownField {
        /// The `[required]` key the field is listed under.
        severity: String,
        /// The name given.
        field: String,
        /// The names that are accepted.
        known: String,
    },
    /// `follow_ups_required_for_severity_at_most` outside 0 to 5.
    #[error("follow_ups_required_for_severity_at_most is {0}, expected 0 (off) to 5")]
    FollowUpSeverity(i64),
    /// A negative `min_root_cause_words`.
    #[error("min_root_cause_words is {0}, expected 0 (off) or more")]
    MinRootCauseWords(i64),
    /// `restated_symptom_share` outside `(0, 1]`.
    #[error("restated_symptom_share is {0}, expected a share above 0 and at most 1")]
    RestatedShare(f64),
    /// An empty placeholder, generic root cause or blame phrase, which would match every
    /// value.
    #[error("{0} holds an empty string, which would match every value")]
    EmptyEntry(&'static str),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    required: Option<BTreeMap<String, Vec<String>>>,
    follow_ups_required_for_severity_at_most: Option<i64>,
    min_root_cause_words: Option<i64>,
    restated_symptom_share: Option<f64>,
    generic_root_causes: Option<Vec<String>>,
    placeholders: Option<Vec<String>>,
    blameless: Option<bool>,
    blame_phrases: Option<Vec<String>>,
    systemic_phrases: Option<Vec<String>>,
    participant_fields: Option<Vec<String>>,
}

impl Rules {
    /// Parse and validate a rules file. A key left out keeps its default; a table or list
    /// given replaces the default one as a whole.
    pub fn from_toml(text: &str) -> Result<Self, RulesError> {
        let file: RulesFile = toml::from_str(text).map_err(|error| {
            let line = error
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            RulesError::Syntax(match line {
                Some(line) => format!("line {line}: {}", error.message()),
                None => error.message().to_owned(),
            })
        })?;
        let mut rules = Self::default();
        if let Some(required) = file.required {
            rules.required.clear();
            rules.required_default.clear();
            for (key, names) in required {
                let fields = names
                    .iter()
                    .map(|name| required_field(&key, name))
                    .collect::<Result<Vec<_>, _>>()?;
                if key.trim().eq_ignore_ascii_case("default") {
                    rules.required_default = fields;
                } else {
                    match key.trim().parse::<u8>() {
                        Ok(severity @ 1..=5) => {
                            rules.required.insert(severity, fields);
                        }
                        _ => return Err(RulesError::SeverityKey(key)),
                    }
                }
            }
        }
        if let Some(value) = file.follow_ups_required_for_severity_at_most {
            rules.follow_ups_required_for_severity_at_most = u8::try_from(value)
                .ok()
                .filter(|v| *v <= 5)
                .ok_or(RulesError::FollowUpSeverity(value))?;
        }
        if let Some(value) = file.min_root_cause_words {
            rules.min_root_cause_words =
                usize::try_from(value).map_err(|_| RulesError::MinRootCauseWords(value))?;
        }
        if let Some(value) = file.restated_symptom_share {
            if !(value > 0.0 && value <= 1.0) {
                return Err(RulesError::RestatedShare(value));
            }
            rules.restated_symptom_share = value;
        }
        if let Some(list) = file.generic_root_causes {
            if list.iter().any(|item| fold_words(item).is_empty()) {
                return Err(RulesError::EmptyEntry("generic_root_causes"));
            }
            rules.generic_root_causes = list;
        }
        if let Some(list) = file.placeholders {
            if list.iter().any(|item| item.trim().is_empty()) {
                return Err(RulesError::EmptyEntry("placeholders"));
            }
            rules.placeholders = list;
        }
        if let Some(on) = file.blameless {
            rules.blameless = on;
        }
        for (name, given, slot) in [
            (
                "blame_phrases",
                file.blame_phrases,
                &mut rules.blame_phrases,
            ),
            (
                "systemic_phrases",
                file.systemic_phrases,
                &mut rules.systemic_phrases,
            ),
            (
                "participant_fields",
                file.participant_fields,
                &mut rules.participant_fields,
            ),
        ] {
            if let Some(list) = given {
                if list.iter().any(|item| fold_words(item).is_empty()) {
                    return Err(RulesError::EmptyEntry(name));
                }
                *slot = list;
            }
        }
        Ok(rules)
    }

    /// The fields required of an incident of this severity.
    pub fn required_for(&self, severity: Option<u8>) -> &[IncidentField] {
        severity
            .and_then(|severity| self.required.get(&severity))
            .unwrap_or(&self.required_default)
    }
}

impl FromStr for Rules {
    type Err = RulesError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::from_toml(text)
    }
}

/// The fields a rules file may require: every field of a report except the id (always there)
/// and `updated_at` (kept by the tool, not written by the author; see [`Rule::Late`]).
fn requirable(field: IncidentField) -> bool {
    !matches!(field, IncidentField::Id | IncidentField::UpdatedAt)
}

fn required_field(severity: &str, name: &str) -> Result<IncidentField, RulesError> {
    IncidentField::from_name(name)
        .filter(|field| requirable(*field) && name_is_canonical(*field, name))
        .ok_or_else(|| RulesError::UnknownField {
            severity: severity.to_owned(),
            field: name.to_owned(),
            known: IncidentField::ALL
                .iter()
                .filter(|field| requirable(**field))
                .map(|field| field.name())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// `from_name` compares loosely (`Root Cause` finds `root_cause`); a rules file must use the
/// canonical spelling, so that it reads the same everywhere.
fn name_is_canonical(field: IncidentField, name: &str) -> bool {
    field.name() == name.trim()
}

/// A completeness rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A required field is empty.
    MissingField,
    /// A field still holds a placeholder or template hint text.
    Placeholder,
    /// The root cause is a few words long.
    RootCauseTooShort,
    /// The root cause only restates the symptom, or names no cause.
    RootCauseRestatesSymptom,
    /// No contributing factors.
    NoContributingFactors,
    /// An open follow-up without an owner.
    FollowUpWithoutOwner,
    /// An open follow-up without a due date.
    FollowUpWithoutDueDate,
    /// Timestamps out of order (resolved before started, …).
    TimestampsOutOfOrder,
    /// No follow-ups for a severe incident.
    NoFollowUps,
    /// The record could not be read (the normalizer rejected it), so it cannot be checked.
    Unreadable,
    /// The root cause stops at a person, or the root cause or summary names one.
    Blame,
    /// Not ready for the pre-read: incomplete, or last updated after the deadline.
    Late,
}

impl Rule {
    /// The snake_case name (`missing_field`, …), as in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingField => "missing_field",
            Self::Placeholder => "placeholder",
            Self::RootCauseTooShort => "root_cause_too_short",
            Self::RootCauseRestatesSymptom => "root_cause_restates_symptom",
            Self::NoContributingFactors => "no_contributing_factors",
            Self::FollowUpWithoutOwner => "follow_up_without_owner",
            Self::FollowUpWithoutDueDate => "follow_up_without_due_date",
            Self::TimestampsOutOfOrder => "timestamps_out_of_order",
            Self::NoFollowUps => "no_follow_ups",
            Self::Unreadable => "unreadable",
            Self::Blame => "blame",
            Self::Late => "late",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing a reviewer would send back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The incident it is about.
    pub incident_id: String,
    /// The rule that found it.
    pub rule: Rule,
    /// The field at fault (`root_cause`, `follow_ups[2].owner`), when one is.
    pub field: Option<String>,
    /// What to fix, in words for the report's author.
    pub message: String,
    /// Where the report (or the follow-up) is.
    pub source: Source,
}

/// One [`Rule::Unreadable`] finding per record the normalizer rejected, with its reason, in
/// the order given. The incident id is the record's id when one could be read, else empty.
pub fn unreadable_findings(rejected: &[Rejected]) -> Vec<Finding> {
    rejected
        .iter()
        .map(|record| Finding {
            incident_id: record.id.clone().unwrap_or_default(),
            rule: Rule::Unreadable,
            field: record.field.clone(),
            message: format!("record rejected: {}", record.reason),
            source: record.source.clone(),
        })
        .collect()
}

/// The pre-read deadline of a review: reports are final `lead_days` before it, so people can
/// read them beforehand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PreRead {
    /// When the review takes place.
    pub review_date: DateTime<Utc>,
    /// Days before the review by which reports are final. Default 2.
    pub lead_days: u32,
}

impl PreRead {
    /// The deadline of a review on `review_date`, `lead_days` 2.
    pub fn new(review_date: DateTime<Utc>) -> Self {
        Self {
            review_date,
            lead_days: 2,
        }
    }

    /// The last moment a report may change: `lead_days` before the review.
    pub fn deadline(&self) -> DateTime<Utc> {
        self.review_date - chrono::Duration::days(i64::from(self.lead_days))
    }
}

/// When a report was last updated, and where that was learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastUpdate {
    /// The report's own `updated_at`.
    Recorded(DateTime<Utc>),
    /// The modification time of its Markdown file (it has no `updated_at`).
    FileModified(DateTime<Utc>),
}

impl LastUpdate {
    /// The time, wherever it came from.
    pub fn at(self) -> DateTime<Utc> {
        match self {
            Self::Recorded(at) | Self::FileModified(at) => at,
        }
    }
}

/// When an incident's report was last updated: its `updated_at`, else, for a Markdown
/// postmortem, its file's modification time from `file_modified` (by source file name; the
/// library reads no file, so the caller gives them).
pub fn last_update(
    incident: &Incident,
    file_modified: &BTreeMap<String, DateTime<Utc>>,
) -> Option<LastUpdate> {
    if let Some(at) = incident.updated_at {
        return Some(LastUpdate::Recorded(at));
    }
    let markdown =
        crate::normalize::read::Format::from_path(std::path::Path::new(&incident.source.file))
            == Some(crate::normalize::read::Format::Markdown);
    markdown
        .then(|| file_modified.get(&incident.source.file).copied())
        .flatten()
        .map(LastUpdate::FileModified)
}

/// One [`Rule::Late`] finding per incident not ready for the pre-read of `pre_read`: one with
/// completeness `findings` (from [`check_incidents`]), or whose [`last_update`] is after the
/// deadline. A report whose last update is unknown is late only when incomplete. In the order
/// of `incidents`.
pub fn late_findings(
    incidents: &[Incident],
    findings: &[Finding],
    pre_read: &PreRead,
    file_modified: &BTreeMap<String, DateTime<Utc>>,
) -> Vec<Finding> {
    let mut open: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in findings.iter().filter(|f| f.rule != Rule::Late) {
        *open.entry(finding.incident_id.as_str()).or_default() += 1;
    }
    let deadline = pre_read.deadline();
    let day = |at: DateTime<Utc>| at.format("%Y-%m-%d").to_string();
    let review = format!(
        "the pre-read deadline {} ({} day{} before the review on {})",
        day(deadline),
        pre_read.lead_days,
        if pre_read.lead_days == 1 { "" } else { "s" },
        day(pre_read.review_date)
    );
    incidents
        .iter()
        .filter_map(|incident| {
            let to_fix = open
                .get(incident.id.as_str())
                .map(|n| format!("{n} thing{} to fix", if *n == 1 { "" } else { "s" }));
            let updated = last_update(incident, file_modified).filter(|u| u.at() > deadline);
            let updated_text = updated.map(|update| {
                let how = match update {
                    LastUpdate::Recorded(_) => "",
                    LastUpdate::FileModified(_) => {
                        " (the file's modification time: the report has no updated_at)"
                    }
                };
                format!(
                    "last updated {}{how}, after {review}",
                    update.at().format("%Y-%m-%d %H:%M UTC")
                )
            });
            let message = match (to_fix, updated_text) {
                (None, None) => return None,
                (Some(to_fix), None) => format!("{to_fix}, with {review}"),
                (None, Some(updated)) => updated,
                (Some(to_fix), Some(updated)) => format!("{to_fix}, and {updated}"),
            };
            Some(Finding {
                incident_id: incident.id.clone(),
                rule: Rule::Late,
                field: updated.map(|_| "updated_at".to_owned()),
                message: format!("not ready for the pre-read: {message}"),
                source: incident.source.clone(),
            })
        })
        .collect()
}

/// Whether one incident's report is complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completeness {
    /// The incident.
    pub incident_id: String,
    /// How many findings it has.
    pub findings: usize,
    /// Whether it has none.
    pub complete: bool,
}

/// Check every incident. Findings come in the order of the incidents, and for each incident in
/// a fixed order of rules and fields.
pub fn check_incidents(incidents: &[Incident], rules: &Rules) -> Vec<Finding> {
    let checker = Checker::new(rules);
    incidents
        .iter()
        .flat_map(|incident| checker.check(incident))
        .collect()
}

/// One entry per incident, in the order of `incidents`: its number of findings and whether it
/// is complete.
pub fn completeness(incidents: &[Incident], findings: &[Finding]) -> Vec<Completeness> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in findings {
        *counts.entry(finding.incident_id.as_str()).or_default() += 1;
    }
    incidents
        .iter()
        .map(|incident| {
            let findings = counts
                .get(incident.id.as_str())
                .copied()
                .unwrap_or_default();
            Completeness {
                incident_id: incident.id.clone(),
                findings,
                complete: findings == 0,
            }
        })
        .collect()
}

/// A finding as a GitHub Actions annotation line:
/// `::warning file=<file>,line=<line>,title=<rule>::<incident id>: <message>`
/// (`line` left out when the source has none; `::error` for an unreadable record, whose id is
/// left out when it has none), escaped as GitHub requires: `%`, `\r` and `\n` in the message,
/// and also `:` and `,` in the properties.
pub fn github_annotation(finding: &Finding) -> String {
    let mut properties = format!("file={}", escape_property(&finding.source.file));
    if let Some(line) = finding.source.line {
        let _ = write!(properties, ",line={line}");
    }
    let _ = write!(
        properties,
        ",title={}",
        escape_property(&format!("recur check: {}", finding.rule))
    );
    let level = if finding.rule == Rule::Unreadable {
        "error"
    } else {
        "warning"
    };
    let message = if finding.incident_id.is_empty() {
        finding.message.clone()
    } else {
        format!("{}: {}", finding.incident_id, finding.message)
    };
    format!("::{level} {properties}::{}", escape_data(&message))
}

/// Escape the message of a GitHub workflow command.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value of a GitHub workflow command.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The findings as text for people: per incident with findings, where its report is and what
/// to fix; then the records that could not be read ([`Rule::Unreadable`], each a report to send
/// back); then a count of complete and incomplete reports.
pub fn render_text(incidents: &[Incident], findings: &[Finding]) -> String {
    let mut by_incident: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    let (unreadable, findings): (Vec<&Finding>, Vec<&Finding>) = findings
        .iter()
        .partition(|finding| finding.rule == Rule::Unreadable);
    for finding in findings.iter().copied() {
        by_incident
            .entry(finding.incident_id.as_str())
            .or_default()
            .push(finding);
    }
    let mut out = String::new();
    let mut incomplete = 0;
    for incident in incidents {
        let Some(list) = by_incident.get(incident.id.as_str()) else {
            continue;
        };
        incomplete += 1;
        let title = incident
            .title
            .as_deref()
            .map(|title| format!(" {title:?}"))
            .unwrap_or_default();
        let owner = incident
            .owner
            .as_deref()
            .map(|owner| format!(", owner {owner}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}{title} ({}{owner}): {} to fix",
            incident.id,
            incident.source,
            list.len()
        );
        for finding in list {
            let _ = writeln!(out, "  - {}", finding.message);
        }
        out.push('\n');
    }
    for finding in &unreadable {
        let id = if finding.incident_id.is_empty() {
            String::new()
        } else {
            format!("{} ", finding.incident_id)
        };
        let _ = writeln!(
            out,
            "{id}({}): unreadable\n  - {}\n",
            finding.source, finding.message
        );
    }
    let checked = incidents.len() + unreadable.len();
    let total_findings = findings.len() + unreadable.len();
    let _ = writeln!(
        out,
        "{} report{} checked: {} complete, {} to send back ({} finding{})",
        checked,
        if checked == 1 { "" } else { "s" },
        incidents.len() - incomplete,
        incomplete + unreadable.len(),
        total_findings,
        if total_findings == 1 { "" } else { "s" },
    );
    out
}

/// The rules, with the text forms they are compared in prepared once.
struct Checker<'a> {
    rules: &'a Rules,
    /// Placeholders folded for whole-value and prefix matching.
    placeholders: Vec<String>,
    /// Placeholders written in capitals, matched as whole words anywhere.
    capital_markers: Vec<&'a str>,
    /// Template hint texts, folded.
    hints: Vec<String>,
    /// Generic root causes, folded to words.
    generic: BTreeSet<String>,
    /// Blame phrases, folded to words.
    blame_phrases: Vec<String>,
    /// Systemic phrases, folded to words.
    systemic_phrases: Vec<String>,
    /// Participant columns, folded to words.
    participant_fields: BTreeSet<String>,
}

impl<'a> Checker<'a> {
    fn new(rules: &'a Rules) -> Self {
        Self {
            rules,
            placeholders: rules.placeholders.iter().map(|p| fold_value(p)).collect(),
            capital_markers: rules
                .placeholders
                .iter()
                .map(|p| p.trim())
                .filter(|p| {
                    p.chars().any(char::is_alphabetic) && !p.chars().any(char::is_lowercase)
                })
                .collect(),
            hints: template::hint_texts().map(fold_value).collect(),
            generic: rules
                .generic_root_causes
                .iter()
                .map(|g| without_article(&fold_words(g)).to_owned())
                .collect(),
            blame_phrases: rules.blame_phrases.iter().map(|p| fold_words(p)).collect(),
            systemic_phrases: rules
                .systemic_phrases
                .iter()
                .map(|p| fold_words(p))
                .collect(),
            participant_fields: rules
                .participant_fields
                .iter()
                .map(|p| fold_words(p))
                .collect(),
        }
    }

    fn check(&self, incident: &Incident) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut add = |rule: Rule, field: Option<String>, message: String, source: &Source| {
            findings.push(Finding {
                incident_id: incident.id.clone(),
                rule,
                field,
                message,
                source: source.clone(),
            });
        };
        let required = self.rules.required_for(incident.severity);
        let needs_follow_ups = required.contains(&IncidentField::FollowUps)
            || incident.severity.is_some_and(|severity| {
                severity <= self.rules.follow_ups_required_for_severity_at_most
            });
        let mut required: Vec<IncidentField> = required.to_vec();
        required.sort();
        required.dedup();

        for field in &required {
            if has_value(incident, *field) {
                continue;
            }
            match field {
                IncidentField::ContributingFactors => add(
                    Rule::NoContributingFactors,
                    Some(field.name().to_owned()),
                    "no contributing factors: list what made it possible, worse or slower to fix"
                        .to_owned(),
                    &incident.source,
                ),
                IncidentField::FollowUps => {}
                _ => add(
                    Rule::MissingField,
                    Some(field.name().to_owned()),
                    missing_message(field.name()),
                    &incident.source,
                ),
            }
        }

        let mut flagged: BTreeSet<String> = BTreeSet::new();
        for (field, value) in text_values(incident) {
            if flagged.contains(&field) {
                continue;
            }
            if let Some(found) = self.placeholder(value) {
                flagged.insert(field.clone());
                add(
                    Rule::Placeholder,
                    Some(field.clone()),
                    match template::incident_hint(&field) {
                        Some(hint) => format!("{} still holds {found}: {hint}", label(&field)),
                        None => format!("{} still holds {found}", label(&field)),
                    },
                    &incident.source,
                );
            }
        }

        if let Some(root_cause) = incident.root_cause.as_deref()
            && self.placeholder(root_cause).is_none()
        {
            self.root_cause(incident, root_cause, &mut add);
        }
        if self.rules.blameless {
            self.blame(incident, &mut add);
        }

        if needs_follow_ups && incident.follow_ups.is_empty() {
            let why = match incident.severity {
                Some(severity)
                    if severity <= self.rules.follow_ups_required_for_severity_at_most =>
                {
                    format!("a severity {severity} incident")
                }
                _ => "this report".to_owned(),
            };
            add(
                Rule::NoFollowUps,
                Some("follow_ups".to_owned()),
                format!(
                    "no follow-ups: {why} needs at least one action, with an owner and a due date"
                ),
                &incident.source,
            );
        }

        for (index, follow_up) in incident.follow_ups.iter().enumerate() {
            let name = follow_up_name(index, follow_up.id.as_deref(), follow_up.title.as_deref());
            let field = |key: &str| Some(format!("follow_ups[{}].{key}", index + 1));
            if follow_up.title.is_none() {
                add(
                    Rule::MissingField,
                    field("title"),
                    format!("{name} has no title: say what is to be done"),
                    &follow_up.source,
                );
            }
            if follow_up.status != FollowUpStatus::Open {
                continue;
            }
            if follow_up.owner.is_none() {
                add(
                    Rule::FollowUpWithoutOwner,
                    field("owner"),
                    format!("{name} has no owner: name one person responsible"),
                    &follow_up.source,
                );
            }
            if follow_up.due_at.is_none() {
                add(
                    Rule::FollowUpWithoutDueDate,
                    field("due_at"),
                    format!("{name} has no due date"),
                    &follow_up.source,
                );
            }
        }

        for (earlier, later) in out_of_order(incident) {
            add(
                Rule::TimestampsOutOfOrder,
                Some(later.0.to_owned()),
                format!(
                    "{} ({}) is before {} ({}): check the times and their zone",
                    later.0,
                    later.1.format("%Y-%m-%d %H:%M UTC"),
                    earlier.0,
                    earlier.1.format("%Y-%m-%d %H:%M UTC")
                ),
                &incident.source,
            );
        }
        if let (Some(started), Some(resolved)) = (incident.started_at, incident.resolved_at)
            && resolved - started > crate::model::MAX_TIME_TO_RESOLVE
        {
            add(
                Rule::TimestampsOutOfOrder,
                Some("resolved_at".to_owned()),
                format!(
                    "resolved_at ({}) is more than {} days after started_at ({}): check the dates",
                    resolved.format("%Y-%m-%d %H:%M UTC"),
                    crate::model::MAX_TIME_TO_RESOLVE.num_days(),
                    started.format("%Y-%m-%d %H:%M UTC")
                ),
                &incident.source,
            );
        }
        findings
    }

    fn root_cause(
        &self,
        incident: &Incident,
        root_cause: &str,
        add: &mut impl FnMut(Rule, Option<String>, String, &Source),
    ) {
        let field = || Some("root_cause".to_owned());
        let words = root_cause
            .split_whitespace()
            .filter(|word| word.chars().any(char::is_alphanumeric))
            .count();
        if words < self.rules.min_root_cause_words {
            add(
                Rule::RootCauseTooShort,
                field(),
                format!(
                    "root cause is {words} word{} long (at least {} expected): say why it happened, and why then",
                    if words == 1 { "" } else { "s" },
                    self.rules.min_root_cause_words
                ),
                &incident.source,
            );
        }
        let folded = fold_words(root_cause);
        if self.generic.contains(without_article(&folded)) {
            add(
                Rule::RootCauseRestatesSymptom,
                field(),
                format!(
                    "root cause {root_cause:?} names no cause: what made it possible, and why then?"
                ),
                &incident.source,
            );
            return;
        }
        let cause_words = content_words(root_cause);
        if cause_words.is_empty() {
            return;
        }
        let symptom: BTreeSet<String> = [incident.title.as_deref(), incident.summary.as_deref()]
            .into_iter()
            .flatten()
            .flat_map(content_words)
            .collect();
        let shared = cause_words
            .iter()
            .filter(|word| symptom.contains(*word))
            .count();
        // Compared as counts, so that a share of 1 means every word and no rounding creeps in.
        if shared as f64 >= self.rules.restated_symptom_share * cause_words.len() as f64 {
            add(
                Rule::RootCauseRestatesSymptom,
                field(),
                format!(
                    "root cause only restates the symptom ({shared} of its {} content words are in the title or summary): say why it happened, not what happened",
                    cause_words.len()
                ),
                &incident.source,
            );
        }
    }

    /// [`Rule::Blame`]: a root cause that stops at a person, or a root cause or summary that
    /// names one of the record's people. A root cause that is a placeholder or a generic phrase
    /// already has its finding.
    fn blame(
        &self,
        incident: &Incident,
        add: &mut impl FnMut(Rule, Option<String>, String, &Source),
    ) {
        let people = self.people_of(incident);
        if let Some(root_cause) = incident.root_cause.as_deref()
            && self.placeholder(root_cause).is_none()
        {
            let folded = fold_words(root_cause);
            let message = if self.generic.contains(without_article(&folded)) {
                None
            } else if let Some(phrase) = self.stops_at_person(&folded) {
                Some(format!(
                    "root cause stops at a person ({phrase:?}): ask what made the error possible or easy, and what would have caught it"
                ))
            } else {
                named_person(root_cause, &people).map(|person| {
                    format!(
                        "root cause names {person}: name the role, and ask what made the error possible rather than who made it"
                    )
                })
            };
            if let Some(message) = message {
                add(
                    Rule::Blame,
                    Some("root_cause".to_owned()),
                    message,
                    &incident.source,
                );
            }
        }
        if let Some(person) = incident
            .summary
            .as_deref()
            .and_then(|summary| named_person(summary, &people))
        {
            add(
                Rule::Blame,
                Some("summary".to_owned()),
                format!(
                    "summary names {person}: name the role (the on-call engineer, the deployer) rather than the person"
                ),
                &incident.source,
            );
        }
    }

    /// The first blame phrase of a folded root cause that no systemic phrase follows.
    fn stops_at_person(&self, folded: &str) -> Option<&str> {
        let padded = format!(" {folded} ");
        self.blame_phrases
            .iter()
            .zip(&self.rules.blame_phrases)
            .find_map(|(phrase, original)| {
                let at = padded.find(&format!(" {phrase} "))?;
                let rest = &padded[at + phrase.len() + 1..];
                let carried_on = self
                    .systemic_phrases
                    .iter()
                    .any(|systemic| rest.contains(&format!(" {systemic} ")));
                (!carried_on).then_some(original.trim())
            })
    }

    /// The people of a record: its owner, its follow-ups' owners, and the names listed in its
    /// participant columns.
    fn people_of<'i>(&self, incident: &'i Incident) -> Vec<&'i str> {
        let mut people: Vec<&str> = incident
            .owner
            .iter()
            .chain(incident.follow_ups.iter().filter_map(|f| f.owner.as_ref()))
            .map(String::as_str)
            .collect();
        for (key, value) in &incident.extra {
            if self.participant_fields.contains(&fold_words(key)) {
                people.extend(
                    value
                        .split([',', ';', '/', '\n'])
                        .map(str::trim)
                        .filter(|name| !name.is_empty()),
                );
            }
        }
        people.sort_unstable();
        people.dedup();
        people
    }

    /// The placeholder a value holds, described for a message, if it holds one.
    fn placeholder(&self, value: &str) -> Option<String> {
        let folded = fold_value(value);
        // A hint counts when it is most of the value, or long enough not to occur by chance
        // ("a link to the ticket" may well be part of a real sentence).
        let left_hint = self.hints.iter().find(|hint| {
            folded.contains(hint.as_str()) && (hint.len() >= 30 || hint.len() * 2 >= folded.len())
        });
        if let Some(hint) = left_hint {
            return Some(format!("the template hint {hint:?}"));
        }
        for (placeholder, original) in self.placeholders.iter().zip(&self.rules.placeholders) {
            if placeholder.is_empty() {
                continue;
            }
            // "TBD - ask the DB team", "todo: write": the placeholder, then (after spaces)
            // punctuation; "todo list" is a real phrase.
            let prefixed = placeholder.chars().any(char::is_alphanumeric)
                && folded
                    .strip_prefix(placeholder.as_str())
                    .and_then(|rest| rest.trim_start().chars().next())
                    .is_some_and(|next| !next.is_alphanumeric());
            if folded == *placeholder || prefixed {
                return Some(format!("the placeholder {:?}", original.trim()));
            }
        }
        self.capital_markers
            .iter()
            .find(|marker| contains_word(value, marker))
            .map(|marker| format!("the placeholder {marker:?}"))
    }
}

/// Every text a placeholder may hide in, with its field name: prose and short fields, list
/// items, follow-up texts and extra fields.
fn text_values(incident: &Incident) -> Vec<(String, &str)> {
    let mut out: Vec<(String, &str)> = Vec::new();
    let scalars = [
        ("title", &incident.title),
        ("owner", &incident.owner),
        ("detection_method", &incident.detection_method),
        ("summary", &incident.summary),
        ("trigger", &incident.trigger),
        ("root_cause", &incident.root_cause),
        ("remediation", &incident.remediation),
        ("recovery", &incident.recovery),
        ("prevention", &incident.prevention),
    ];
    for (name, value) in scalars {
        if let Some(value) = value {
            out.push((name.to_owned(), value));
        }
    }
    let lists = [
        ("services", &incident.services),
        ("teams", &incident.teams),
        ("alerts", &incident.alerts),
        ("contributing_factors", &incident.contributing_factors),
        ("tags", &incident.tags),
    ];
    for (name, items) in lists {
        out.extend(items.iter().map(|item| (name.to_owned(), item.as_str())));
    }
    for (index, follow_up) in incident.follow_ups.iter().enumerate() {
        let fields = [
            ("title", &follow_up.title),
            ("owner", &follow_up.owner),
            ("team", &follow_up.team),
            ("tracker", &follow_up.tracker),
        ];
        for (name, value) in fields {
            if let Some(value) = value {
                out.push((format!("follow_ups[{}].{name}", index + 1), value));
            }
        }
    }
    out.extend(
        incident
            .extra
            .iter()
            .map(|(key, value)| (key.clone(), value.as_str())),
    );
    out
}

fn has_value(incident: &Incident, field: IncidentField) -> bool {
    use IncidentField as F;
    match field {
        F::Id => !incident.id.is_empty(),
        F::Title => incident.title.is_some(),
        F::Severity => incident.severity.is_some(),
        F::Status => incident.status.is_some(),
        F::StartedAt => incident.started_at.is_some(),
        F::DetectedAt => incident.detected_at.is_some(),
        F::AcknowledgedAt => incident.acknowledged_at.is_some(),
        F::MitigatedAt => incident.mitigated_at.is_some(),
        F::ResolvedAt => incident.resolved_at.is_some(),
        F::Services => !incident.services.is_empty(),
        F::Teams => !incident.teams.is_empty(),
        F::Owner => incident.owner.is_some(),
        F::DetectionMethod => incident.detection_method.is_some(),
        F::Alerts => !incident.alerts.is_empty(),
        F::Summary => incident.summary.is_some(),
        F::Trigger => incident.trigger.is_some(),
        F::RootCause => incident.root_cause.is_some(),
        F::ContributingFactors => !incident.contributing_factors.is_empty(),
        F::Remediation => incident.remediation.is_some(),
        F::Recovery => incident.recovery.is_some(),
        F::Prevention => incident.prevention.is_some(),
        F::Tags => !incident.tags.is_empty(),
        F::Body => incident.body.is_some(),
        F::UpdatedAt => true,
        F::FollowUps => !incident.follow_ups.is_empty(),
    }
}

/// A field's name in words (`root_cause` → `root cause`, `follow_ups[2].owner` →
/// `follow-up 2 owner`).
fn label(field: &str) -> String {
    field
        .replace("follow_ups[", "follow-up ")
        .replace("].", " ")
        .replace('_', " ")
}

fn missing_message(field: &str) -> String {
    match template::incident_hint(field) {
        Some(hint) => format!("{} is missing: {hint}", label(field)),
        None => format!("{} is missing", label(field)),
    }
}

fn follow_up_name(index: usize, id: Option<&str>, title: Option<&str>) -> String {
    match (id, title) {
        (Some(id), Some(title)) => format!("follow-up {id} {title:?}"),
        (Some(id), None) => format!("follow-up {id}"),
        (None, Some(title)) => format!("follow-up {title:?}"),
        (None, None) => format!("follow-up {}", index + 1),
    }
}

type Stamp = (&'static str, DateTime<Utc>);

/// The pairs (earlier, later) whose later timestamp comes before the earlier one.
fn out_of_order(incident: &Incident) -> Vec<(Stamp, Stamp)> {
    let stamp = |name: &'static str, at: Option<DateTime<Utc>>| at.map(|at| (name, at));
    let started = stamp("started_at", incident.started_at);
    let detected = stamp("detected_at", incident.detected_at);
    let pairs = [
        (started, detected),
        (started, stamp("acknowledged_at", incident.acknowledged_at)),
        (started, stamp("mitigated_at", incident.mitigated_at)),
        (started, stamp("resolved_at", incident.resolved_at)),
        (detected, stamp("resolved_at", incident.resolved_at)),
    ];
    pairs
        .into_iter()
        .filter_map(|(earlier, later)| {
            let (earlier, later) = (earlier?, later?);
            (later.1 < earlier.1).then_some((earlier, later))
        })
        .collect()
}

/// A value as placeholders are compared: lower case, whitespace folded, without surrounding
/// brackets, quotes, asterisks or underscores.
fn fold_value(value: &str) -> String {
    let folded = value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let trimmed = folded.trim_matches(|c: char| "[](){}<>\"'*_`".contains(c) || c.is_whitespace());
    if trimmed.is_empty() {
        folded
    } else {
        trimmed.to_owned()
    }
}

/// Lower-case words only: every run of characters other than letters and digits becomes one
/// space.
fn fold_words(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn without_article(words: &str) -> &str {
    ["a ", "an ", "the "]
        .iter()
        .find_map(|article| words.strip_prefix(article))
        .unwrap_or(words)
}

/// Whether `word` occurs in `text` as a whole word, case-sensitively.
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let after = text[start + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The first of `people` that `text` names: a person's full name (two words or more, a
/// handle such as `rui.alves` read as `rui alves`), ignoring case; or the first name of such a
/// person, written with a capital inside a sentence ("the deploy Rui ran"). One-word names are
/// left alone: they are as often a team or a role.
fn named_person(text: &str, people: &[&str]) -> Option<String> {
    let padded = format!(" {} ", fold_words(text));
    people.iter().find_map(|person| {
        let words = fold_words(person);
        let mut parts = words.split(' ');
        let first = parts.next()?;
        parts.next()?;
        if padded.contains(&format!(" {words} ")) {
            return Some(format!("{person:?}"));
        }
        let capitalized: String = first
            .chars()
            .take(1)
            .flat_map(char::to_uppercase)
            .chain(first.chars().skip(1))
            .collect();
        (first.chars().count() >= 3 && mid_sentence_word(text, &capitalized))
            .then(|| format!("{person:?} (as {capitalized:?})"))
    })
}

/// Whether `word` occurs in `text` as a whole word, not at the start of a sentence.
fn mid_sentence_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let after = text[start + word.len()..].chars().next();
        let sentence_start = text[..start]
            .trim_end()
            .chars()
            .next_back()
            .is_none_or(|c| ".!?:".contains(c));
        !before.is_some_and(char::is_alphanumeric)
            && !after.is_some_and(char::is_alphanumeric)
            && !sentence_start
    })
}

/// Common English words that say nothing about a cause.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "because",
    "been", "before", "being", "but", "by", "can", "cause", "caused", "causes", "could", "did",
    "do", "does", "due", "during", "for", "from", "had", "has", "have", "he", "her", "his", "how",
    "i", "if", "in", "into", "is", "it", "its", "led", "more", "most", "much", "no", "not", "of",
    "on", "once", "only", "or", "other", "our", "out", "over", "root", "she", "so", "some", "such",
    "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those",
    "through", "to", "too", "under", "until", "up", "us", "very", "was", "we", "were", "what",
    "when", "where", "which", "while", "who", "why", "will", "with", "would",
];

/// The distinct content words of a text: lower case, stop words dropped, a final plural `s`
/// removed from words of more than three letters.
fn content_words(text: &str) -> BTreeSet<String> {
    fold_words(text)
        .split(' ')
        .filter(|word| !word.is_empty() && !STOP_WORDS.contains(word))
        .map(|word| match word.strip_suffix('s') {
            Some(stem) if stem.chars().count() >= 3 && !stem.ends_with('s') => stem.to_owned(),
            _ => word.to_owned(),
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::FollowUp;
    use crate::normalize::{NormalizeOptions, normalize_str};

    const FIXTURES: &[(&str, &str)] = &[
        (
            "complete.md",
            include_str!("../../../tests/fixtures/incomplete/complete.md"),
        ),
        (
            "missing-owner.md",
            include_str!("../../../tests/fixtures/incomplete/missing-owner.md"),
        ),
        (
            "placeholder.md",
            include_str!("../../../tests/fixtures/incomplete/placeholder.md"),
        ),
        (
            "root-cause-too-short.md",
            include_str!("../../../tests/fixtures/incomplete/root-cause-too-short.md"),
        ),
        (
            "root-cause-restates-symptom.md",
            include_str!("../../../tests/fixtures/incomplete/root-cause-restates-symptom.md"),
        ),
        (
            "no-contributing-factors.md",
            include_str!("../../../tests/fixtures/incomplete/no-contributing-factors.md"),
        ),
        (
            "follow-up-without-owner.md",
            include_str!("../../../tests/fixtures/incomplete/follow-up-without-owner.md"),
        ),
        (
            "follow-up-without-due-date.md",
            include_str!("../../../tests/fixtures/incomplete/follow-up-without-due-date.md"),
        ),
        (
            "timestamps-out-of-order.md",
            include_str!("../../../tests/fixtures/incomplete/timestamps-out-of-order.md"),
        ),
        (
            "no-follow-ups.md",
            include_str!("../../../tests/fixtures/incomplete/no-follow-ups.md"),
        ),
        (
            "blame-stops-at-person.md",
            include_str!("../../../tests/fixtures/incomplete/blame-stops-at-person.md"),
        ),
        (
            "blame-names-person.md",
            include_str!("../../../tests/fixtures/incomplete/blame-names-person.md"),
        ),
        (
            "blame-names-participant-in-summary.md",
            include_str!(
                "../../../tests/fixtures/incomplete/blame-names-participant-in-summary.md"
            ),
        ),
        (
            "systemic-root-cause.md",
            include_str!("../../../tests/fixtures/incomplete/systemic-root-cause.md"),
        ),
        (
            "slip-with-its-cause.md",
            include_str!("../../../tests/fixtures/incomplete/slip-with-its-cause.md"),
        ),
    ];

    fn fixture(name: &str) -> Incident {
        let (_, text) = FIXTURES.iter().find(|(file, _)| *file == name).unwrap();
        let out = normalize_str(name, text, None, &NormalizeOptions::default());
        assert!(out.rejected.is_empty(), "{name}: {:?}", out.rejected);
        assert_eq!(out.incidents.len(), 1, "{name}");
        out.incidents.into_iter().next().unwrap()
    }

    /// The (rule, field) pairs the default rules find in a fixture.
    fn found(name: &str) -> Vec<(Rule, Option<String>)> {
        check_incidents(&[fixture(name)], &Rules::default())
            .into_iter()
            .map(|finding| (finding.rule, finding.field))
            .collect()
    }

    fn one(rule: Rule, field: &str) -> Vec<(Rule, Option<String>)> {
        vec![(rule, Some(field.to_owned()))]
    }

    #[test]
    fn the_complete_report_has_no_finding() {
        assert_eq!(found("complete.md"), []);
    }

    #[test]
    fn each_rule_fires_on_its_fixture_and_nothing_else_does() {
        assert_eq!(found("missing-owner.md"), one(Rule::MissingField, "owner"));
        assert_eq!(
            found("placeholder.md"),
            one(Rule::Placeholder, "remediation")
        );
        assert_eq!(
            found("root-cause-too-short.md"),
            one(Rule::RootCauseTooShort, "root_cause")
        );
        assert_eq!(
            found("root-cause-restates-symptom.md"),
            one(Rule::RootCauseRestatesSymptom, "root_cause")
        );
        assert_eq!(
            found("no-contributing-factors.md"),
            one(Rule::NoContributingFactors, "contributing_factors")
        );
        assert_eq!(
            found("follow-up-without-owner.md"),
            one(Rule::FollowUpWithoutOwner, "follow_ups[1].owner")
        );
        assert_eq!(
            found("follow-up-without-due-date.md"),
            one(Rule::FollowUpWithoutDueDate, "follow_ups[1].due_at")
        );
        assert_eq!(
            found("timestamps-out-of-order.md"),
            one(Rule::TimestampsOutOfOrder, "detected_at")
        );
        assert_eq!(
            found("no-follow-ups.md"),
            one(Rule::NoFollowUps, "follow_ups")
        );
    }

    #[test]
    fn findings_name_the_report_and_say_what_to_fix() {
        let findings = check_incidents(&[fixture("timestamps-out-of-order.md")], &Rules::default());
        assert_eq!(findings[0].incident_id, "timestamps-out-of-order");
        assert_eq!(findings[0].source.file, "timestamps-out-of-order.md");
        assert_eq!(findings[0].source.line, Some(1));
        assert_eq!(
            findings[0].message,
            "detected_at (2025-05-06 08:02 UTC) is before started_at (2025-05-06 08:10 UTC): check the times and their zone"
        );
        let findings = check_incidents(&[fixture("missing-owner.md")], &Rules::default());
        assert_eq!(
            findings[0].message,
            "owner is missing: the person who writes this report and sees its follow-ups through"
        );
    }

    #[test]
    fn placeholder_messages_say_what_to_write() {
        let findings = check_incidents(&[fixture("placeholder.md")], &Rules::default());
        assert_eq!(
            findings[0].message,
            "remediation still holds the placeholder \"TBD\": what was done to stop the impact, and when"
        );
        assert_eq!(label("follow_ups[2].due_at"), "follow-up 2 due at");
        assert_eq!(label("Customer impact"), "Customer impact");
    }

    #[test]
    fn completeness_counts_findings_per_incident_in_order() {
        let incidents: Vec<Incident> = ["complete.md", "no-follow-ups.md"]
            .iter()
            .map(|name| fixture(name))
            .collect();
        let findings = check_incidents(&incidents, &Rules::default());
        assert_eq!(
            completeness(&incidents, &findings),
            [
                Completeness {
                    incident_id: "complete".to_owned(),
                    findings: 0,
                    complete: true
                },
                Completeness {
                    incident_id: "no-follow-ups".to_owned(),
                    findings: 1,
                    complete: false
                },
            ]
        );
        let text = render_text(&incidents, &findings);
        assert!(text.starts_with("no-follow-ups \"Card payments declined for a subset of cards\" (no-follow-ups.md:1, owner ines.moreau): 1 to fix\n  - no follow-ups: a severity 1 incident needs"), "{text}");
        assert!(
            text.ends_with("2 reports checked: 1 complete, 1 to send back (1 finding)\n"),
            "{text}"
        );
        let one = &incidents[..1];
        assert!(
            render_text(one, &check_incidents(one, &Rules::default()))
                .ends_with("1 report checked: 1 complete, 0 to send back (0 findings)\n")
        );
    }

    fn incident(root_cause: &str) -> Incident {
        Incident {
            id: "INC-1".to_owned(),
            title: Some("Checkout API returned errors".to_owned()),
            summary: Some(
                "The checkout API returned 500 errors to most users for 25 minutes.".to_owned(),
            ),
            severity: Some(4),
            root_cause: Some(root_cause.to_owned()),
            ..Incident::default()
        }
    }

    fn rules_for(incident: &Incident, rules: &Rules) -> Vec<(Rule, Option<String>)> {
        let only_root_cause = Rules {
            required: BTreeMap::new(),
            required_default: Vec::new(),
            ..rules.clone()
        };
        check_incidents(std::slice::from_ref(incident), &only_root_cause)
            .into_iter()
            .map(|finding| (finding.rule, finding.field))
            .collect()
    }

    #[test]
    fn generic_root_causes_name_no_cause() {
        let rules = Rules {
            min_root_cause_words: 0,
            ..Rules::default()
        };
        for generic in ["Human error.", "the server down", "A bug", "BUG!"] {
            assert_eq!(
                rules_for(&incident(generic), &rules),
                one(Rule::RootCauseRestatesSymptom, "root_cause"),
                "{generic}"
            );
        }
        // A generic phrase inside a real explanation is no finding.
        let explained =
            "A bug in the retry loop doubled requests whenever the payment provider throttled us.";
        assert_eq!(rules_for(&incident(explained), &rules), []);
    }

    #[test]
    fn a_root_cause_made_of_the_summary_restates_the_symptom() {
        let rules = Rules::default();
        let restated = incident("Checkout API returned 500 errors to users.");
        assert_eq!(
            rules_for(&restated, &rules),
            one(Rule::RootCauseRestatesSymptom, "root_cause")
        );
        let cause = incident(
            "The payment client's pool size came from a shared default that had been lowered.",
        );
        assert_eq!(rules_for(&cause, &rules), []);
        // At share 1, a single new word is enough to pass.
        let strict = Rules {
            restated_symptom_share: 1.0,
            ..Rules::default()
        };
        let almost = incident("The checkout API returned 500 errors to users after a deploy.");
        assert_eq!(rules_for(&almost, &strict), []);
        assert_eq!(
            rules_for(&almost, &rules),
            one(Rule::RootCauseRestatesSymptom, "root_cause")
        );
    }

    #[test]
    fn root_cause_length_counts_words_with_letters_or_digits() {
        let rules = Rules::default();
        let short = incident("Pool exhausted - see ticket OPS-1");
        assert_eq!(
            check_incidents(
                std::slice::from_ref(&short),
                &Rules {
                    required: BTreeMap::new(),
                    required_default: Vec::new(),
                    ..rules.clone()
                }
            )[0]
            .message,
            "root cause is 5 words long (at least 6 expected): say why it happened, and why then"
        );
        let off = Rules {
            min_root_cause_words: 0,
            ..rules
        };
        assert_eq!(rules_for(&short, &off), []);
    }

    #[test]
    fn placeholders_match_whole_values_prefixes_capital_markers_and_hints() {
        let checker_rules = Rules::default();
        let checker = Checker::new(&checker_rules);
        for value in [
            "TBD",
            "tbd.",
            "[TODO]",
            "*TBD*",
            "TBD - ask the DB team",
            "todo: write",
            "fill in",
            "...",
            "  ?  ",
        ] {
            assert!(checker.placeholder(value).is_some(), "{value}");
        }
        assert!(
            checker
                .placeholder("The cache TTL was wrong, TODO confirm with the DB team")
                .is_some()
        );
        let hint = template::incident_hint("root_cause").unwrap();
        assert_eq!(
            checker
                .placeholder(&format!("Root cause: {hint}"))
                .as_deref(),
            Some(format!("the template hint {:?}", fold_value(hint)).as_str())
        );
        for value in [
            "todo list rendering broke",
            "We had to fill in the missing config by hand",
            "TBDX",
            "Unknown?",
            "We added a link to the ticket in the runbook and paged the owner.",
        ] {
            assert_eq!(checker.placeholder(value), None, "{value}");
        }
        assert_eq!(
            checker.placeholder("a link to the ticket").as_deref(),
            Some("the template hint \"a link to the ticket\"")
        );
    }

    #[test]
    fn placeholders_are_found_in_lists_follow_ups_and_extra_fields() {
        let incident = Incident {
            id: "INC-2".to_owned(),
            severity: Some(4),
            services: vec!["TBD".to_owned()],
            follow_ups: vec![FollowUp {
                title: Some("TODO".to_owned()),
                owner: Some("x".to_owned()),
                due_at: Some(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()),
                ..FollowUp::default()
            }],
            extra: crate::Extra::from_iter([("Customer impact".to_owned(), "TBC".to_owned())]),
            ..Incident::default()
        };
        let rules = Rules {
            required: BTreeMap::new(),
            required_default: Vec::new(),
            ..Rules::default()
        };
        let fields: Vec<_> = check_incidents(&[incident], &rules)
            .into_iter()
            .map(|finding| (finding.rule, finding.field.unwrap()))
            .collect();
        assert_eq!(
            fields,
            [
                (Rule::Placeholder, "services".to_owned()),
                (Rule::Placeholder, "follow_ups[1].title".to_owned()),
                (Rule::Placeholder, "Customer impact".to_owned()),
            ]
        );
    }

    #[test]
    fn a_placeholder_root_cause_is_one_finding_not_three() {
        let rules = Rules::default();
        assert_eq!(
            rules_for(&incident("TBD"), &rules),
            one(Rule::Placeholder, "root_cause")
        );
    }

    #[test]
    fn timestamps_out_of_order_name_each_pair() {
        let at = |hour| Some(Utc.with_ymd_and_hms(2025, 3, 1, hour, 0, 0).unwrap());
        let incident = Incident {
            id: "INC-3".to_owned(),
            started_at: at(10),
            detected_at: at(11),
            acknowledged_at: at(9),
            resolved_at: at(8),
            ..Incident::default()
        };
        let pairs: Vec<_> = out_of_order(&incident)
            .into_iter()
            .map(|(earlier, later)| (earlier.0, later.0))
            .collect();
        assert_eq!(
            pairs,
            [
                ("started_at", "acknowledged_at"),
                ("started_at", "resolved_at"),
                ("detected_at", "resolved_at")
            ]
        );
    }

    #[test]
    fn open_follow_ups_need_an_owner_and_a_due_date_closed_ones_do_not() {
        let follow_up = |status| FollowUp {
            title: Some("Add an alert".to_owned()),
            status,
            ..FollowUp::default()
        };
        let incident = Incident {
            id: "INC-4".to_owned(),
            follow_ups: vec![
                follow_up(FollowUpStatus::Open),
                follow_up(FollowUpStatus::Done),
                FollowUp::default(),
            ],
            ..Incident::default()
        };
        let rules = Rules {
            required: BTreeMap::new(),
            required_default: Vec::new(),
            ..Rules::default()
        };
        let found: Vec<_> = check_incidents(&[incident], &rules)
            .into_iter()
            .map(|finding| (finding.rule, finding.field.unwrap()))
            .collect();
        assert_eq!(
            found,
            [
                (Rule::FollowUpWithoutOwner, "follow_ups[1].owner".to_owned()),
                (
                    Rule::FollowUpWithoutDueDate,
                    "follow_ups[1].due_at".to_owned()
                ),
                (Rule::MissingField, "follow_ups[3].title".to_owned()),
                (Rule::FollowUpWithoutOwner, "follow_ups[3].owner".to_owned()),
                (
                    Rule::FollowUpWithoutDueDate,
                    "follow_ups[3].due_at".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn required_fields_depend_on_severity_and_default_covers_unknown_severity() {
        let rules = Rules::default();
        let bare = |severity| Incident {
            id: "INC-5".to_owned(),
            severity,
            ..Incident::default()
        };
        let missing = |incident: Incident| -> Vec<String> {
            check_incidents(&[incident], &rules)
                .into_iter()
                .filter(|finding| finding.rule == Rule::MissingField)
                .map(|finding| finding.field.unwrap())
                .collect()
        };
        assert_eq!(
            missing(bare(None)),
            [
                "title",
                "severity",
                "started_at",
                "resolved_at",
                "services",
                "owner",
                "summary",
                "root_cause"
            ]
        );
        assert_eq!(
            missing(bare(Some(2))).len(),
            11,
            "severity is there; contributing factors is its own rule"
        );
        assert!(!missing(bare(Some(3))).contains(&"severity".to_owned()));
        let rules_of = |severity| -> BTreeSet<Rule> {
            check_incidents(&[bare(severity)], &rules)
                .into_iter()
                .map(|finding| finding.rule)
                .collect()
        };
        assert!(rules_of(Some(1)).contains(&Rule::NoFollowUps));
        assert!(rules_of(Some(1)).contains(&Rule::NoContributingFactors));
        assert!(!rules_of(Some(3)).contains(&Rule::NoFollowUps));
        assert!(!rules_of(None).contains(&Rule::NoFollowUps));
    }

    #[test]
    fn the_default_rules_are_the_shipped_rules_file() {
        let shipped = include_str!("../../../data/rules/default.toml");
        assert_eq!(Rules::from_toml(shipped).unwrap(), Rules::default());
        assert_eq!(
            Rules::from_toml("").unwrap(),
            Rules::default(),
            "an empty file keeps every default"
        );
    }

    #[test]
    fn a_rules_file_replaces_what_it_gives_and_keeps_the_rest() {
        let rules: Rules = "min_root_cause_words = 10\n[required]\n1 = [\"title\", \"follow_ups\"]\ndefault = []\n"
            .parse()
            .unwrap();
        assert_eq!(rules.min_root_cause_words, 10);
        assert_eq!(
            rules.required,
            BTreeMap::from([(1, vec![IncidentField::Title, IncidentField::FollowUps])])
        );
        assert_eq!(rules.required_for(Some(2)), []);
        assert_eq!(rules.placeholders, Rules::default().placeholders);
        // `follow_ups` in the list makes no follow-ups a finding of its own rule, whatever the
        // severity threshold.
        let rules = Rules {
            follow_ups_required_for_severity_at_most: 0,
            ..rules
        };
        let incident = Incident {
            id: "INC-6".to_owned(),
            severity: Some(1),
            title: Some("t".to_owned()),
            ..Incident::default()
        };
        let found: Vec<_> = check_incidents(&[incident], &rules)
            .into_iter()
            .map(|finding| finding.rule)
            .collect();
        assert_eq!(found, [Rule::NoFollowUps]);
    }

    #[test]
    fn each_bad_value_is_its_own_error() {
        let error = |text: &str| Rules::from_toml(text).unwrap_err();
        assert!(matches!(
            error("min_root_cause_words = \"six\""),
            RulesError::Syntax(_)
        ));
        assert!(matches!(error("unknown_key = 1"), RulesError::Syntax(_)));
        assert_eq!(
            error("[required]\n1 = [\"title\"]\nmin_root_cause_words = 3\n"),
            RulesError::Syntax("line 3: invalid type: integer `3`, expected a sequence".to_owned()),
            "a key after [required] belongs to it"
        );
        assert_eq!(
            error("[required]\nsev1 = []"),
            RulesError::SeverityKey("sev1".to_owned())
        );
        assert_eq!(
            error("[required]\n7 = []"),
            RulesError::SeverityKey("7".to_owned())
        );
        let RulesError::UnknownField {
            severity,
            field,
            known,
        } = error("[required]\n2 = [\"root cause\"]")
        else {
            panic!("expected an unknown field");
        };
        assert_eq!((severity.as_str(), field.as_str()), ("2", "root cause"));
        assert!(
            known.contains("root_cause") && !known.contains("updated_at"),
            "{known}"
        );
        assert!(matches!(
            error("[required]\n2 = [\"updated_at\"]"),
            RulesError::UnknownField { .. }
        ));
        assert_eq!(
            error("follow_ups_required_for_severity_at_most = 6"),
            RulesError::FollowUpSeverity(6)
        );
        assert_eq!(
            error("follow_ups_required_for_severity_at_most = -1"),
            RulesError::FollowUpSeverity(-1)
        );
        assert_eq!(
            error("min_root_cause_words = -3"),
            RulesError::MinRootCauseWords(-3)
        );
        assert_eq!(
            error("restated_symptom_share = 0.0"),
            RulesError::RestatedShare(0.0)
        );
        assert_eq!(
            error("restated_symptom_share = 1.5"),
            RulesError::RestatedShare(1.5)
        );
        assert_eq!(
            error("placeholders = [\"TBD\", \" \"]"),
            RulesError::EmptyEntry("placeholders")
        );
        assert_eq!(
            error("generic_root_causes = [\"...\"]"),
            RulesError::EmptyEntry("generic_root_causes")
        );
        assert_eq!(
            error("restated_symptom_share = 1.5").to_string(),
            "restated_symptom_share is 1.5, expected a share above 0 and at most 1"
        );
    }

    #[test]
    fn github_annotations_escape_data_and_properties() {
        let finding = Finding {
            incident_id: "INC-7".to_owned(),
            rule: Rule::Placeholder,
            field: Some("summary".to_owned()),
            message: "summary still holds 100% \"TBD\"\r\nsecond line".to_owned(),
            source: Source {
                file: "post,mortems/a:b.md".to_owned(),
                record: 1,
                line: Some(3),
            },
        };
        assert_eq!(
            github_annotation(&finding),
            "::warning file=post%2Cmortems/a%3Ab.md,line=3,title=recur check%3A placeholder::INC-7: summary still holds 100%25 \"TBD\"%0D%0Asecond line"
        );
        let no_line = Finding {
            source: Source {
                file: "x.json".to_owned(),
                record: 2,
                line: None,
            },
            ..finding
        };
        assert!(github_annotation(&no_line).starts_with("::warning file=x.json,title="));
        assert_eq!(
            escape_data("a%0A"),
            "a%250A",
            "an escaped-looking text is escaped again"
        );
    }

    #[test]
    fn rule_names_are_their_json_names() {
        for rule in [
            Rule::MissingField,
            Rule::Placeholder,
            Rule::RootCauseTooShort,
            Rule::RootCauseRestatesSymptom,
            Rule::NoContributingFactors,
            Rule::FollowUpWithoutOwner,
            Rule::FollowUpWithoutDueDate,
            Rule::TimestampsOutOfOrder,
            Rule::NoFollowUps,
            Rule::Unreadable,
            Rule::Blame,
            Rule::Late,
        ] {
            assert_eq!(serde_json::to_value(rule).unwrap(), rule.as_str());
        }
    }

    #[test]
    fn an_unreadable_record_is_a_finding_that_counts_as_not_complete() {
        let normalized = normalize_str(
            "incidents.csv",
            "id,title,severity,started_at\nINC-1,ok,2,2025-03-01T10:00:00Z\nINC-2,bad,catastrophic-ish,2025-03-02T10:00:00Z\n",
            None,
            &NormalizeOptions::default(),
        );
        assert_eq!(normalized.rejected.len(), 1, "{normalized:?}");
        let mut findings = check_incidents(&normalized.incidents, &Rules::default());
        findings.retain(|f| f.incident_id != "INC-1");
        let unreadable = unreadable_findings(&normalized.rejected);
        assert_eq!(unreadable.len(), 1);
        let finding = &unreadable[0];
        assert_eq!(finding.rule, Rule::Unreadable);
        assert_eq!(finding.incident_id, "INC-2");
        assert_eq!(finding.source.line, Some(3));
        assert!(
            finding.message.starts_with("record rejected: ")
                && finding.message.contains("catastrophic-ish"),
            "{}",
            finding.message
        );
        findings.extend(unreadable.iter().cloned());
        let text = render_text(&normalized.incidents, &findings);
        assert!(
            text.contains("INC-2 (incidents.csv:3): unreadable"),
            "{text}"
        );
        assert!(
            text.ends_with("2 reports checked: 1 complete, 1 to send back (1 finding)\n"),
            "{text}"
        );
        let annotation = github_annotation(finding);
        assert!(
            annotation.starts_with(
                "::error file=incidents.csv,line=3,title=recur check%3A unreadable::INC-2: record rejected: "
            ),
            "{annotation}"
        );
        let json = serde_json::to_value(finding).unwrap();
        assert_eq!(json["rule"], "unreadable");
        let anonymous = Finding {
            incident_id: String::new(),
            ..finding.clone()
        };
        assert!(github_annotation(&anonymous).contains("::record rejected: "));
    }

    #[test]
    fn blame_flags_a_root_cause_stopping_at_a_person_or_naming_one() {
        assert_eq!(
            found("blame-stops-at-person.md"),
            one(Rule::Blame, "root_cause")
        );
        assert_eq!(
            found("blame-names-person.md"),
            one(Rule::Blame, "root_cause")
        );
        assert_eq!(
            found("blame-names-participant-in-summary.md"),
            one(Rule::Blame, "summary")
        );
        let messages: Vec<String> = ["blame-stops-at-person.md", "blame-names-person.md"]
            .iter()
            .flat_map(|name| check_incidents(&[fixture(name)], &Rules::default()))
            .map(|finding| finding.message)
            .collect();
        assert_eq!(
            messages,
            [
                "root cause stops at a person (\"human error\"): ask what made the error possible or easy, and what would have caught it",
                "root cause names \"rui.alves\": name the role, and ask what made the error possible rather than who made it",
            ]
        );
        let summary = check_incidents(
            &[fixture("blame-names-participant-in-summary.md")],
            &Rules::default(),
        );
        assert!(
            summary[0]
                .message
                .starts_with("summary names \"Priya Raman\" (as \"Priya\")"),
            "{}",
            summary[0].message
        );
    }

    #[test]
    fn a_systemic_root_cause_is_not_blame() {
        assert_eq!(found("systemic-root-cause.md"), []);
        // A slip that goes on to what made it possible does not stop at the person.
        assert_eq!(found("slip-with-its-cause.md"), []);
        let rules = |root_cause: &str| rules_for(&incident(root_cause), &Rules::default());
        assert!(
            !rules("the deploy script allowed a typo in the hostname to reach production because nothing validated it")
                .contains(&(Rule::Blame, Some("root_cause".to_owned())))
        );
        assert!(
            rules(
                "the migration ran against the primary because someone forgot to switch the target"
            )
            .contains(&(Rule::Blame, Some("root_cause".to_owned()))),
            "a cause given before the slip does not carry it on"
        );
        // A bare "human error" names no cause: one finding, not two.
        assert_eq!(
            rules("human error")
                .iter()
                .filter(|(rule, _)| *rule == Rule::Blame)
                .count(),
            0
        );
    }

    #[test]
    fn blame_is_switchable_and_its_lists_replaceable() {
        let off: Rules = "blameless = false\n".parse().unwrap();
        assert_eq!(
            check_incidents(&[fixture("blame-stops-at-person.md")], &off),
            []
        );
        let own: Rules = "blame_phrases = [\"pebkac\"]\n".parse().unwrap();
        assert_eq!(
            check_incidents(&[fixture("blame-stops-at-person.md")], &own),
            [],
            "a list given replaces the default one"
        );
        let flagged = rules_for(
            &incident("PEBKAC on the admin console, again and again"),
            &own,
        );
        assert!(flagged.contains(&(Rule::Blame, Some("root_cause".to_owned()))));
        assert_eq!(
            Rules::from_toml("systemic_phrases = [\"because\", \" \"]"),
            Err(RulesError::EmptyEntry("systemic_phrases"))
        );
        assert!(Rules::from_toml("blameless = \"yes\"").is_err());
    }

    #[test]
    fn one_word_names_and_sentence_starts_are_not_people() {
        let people = ["search", "Will Park", "rui.alves"];
        assert_eq!(named_person("The search index filled up", &people), None);
        assert_eq!(
            named_person("Will the volume fill again? Yes.", &people),
            None
        );
        assert_eq!(
            named_person("the volume filled after Will restarted it", &people),
            Some("\"Will Park\" (as \"Will\")".to_owned())
        );
        assert_eq!(
            named_person("RUI ALVES restarted it", &people),
            Some("\"rui.alves\"".to_owned())
        );
    }

    fn day(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
    }

    #[test]
    fn late_reports_are_incomplete_or_updated_after_the_deadline() {
        let pre_read = PreRead::new(day(10, 9));
        assert_eq!(pre_read.deadline(), day(8, 9));
        let report = |id: &str, file: &str, updated: Option<DateTime<Utc>>| Incident {
            id: id.to_owned(),
            updated_at: updated,
            source: Source {
                file: file.to_owned(),
                ..Source::default()
            },
            ..Incident::default()
        };
        let incidents = [
            report("on-time", "a.csv", Some(day(7, 12))),
            report("updated-late", "a.csv", Some(day(9, 8))),
            report("no-date", "b.csv", None),
            report("md-touched", "pm/x.md", None),
            report("md-recorded", "pm/y.md", Some(day(1, 0))),
            report("incomplete", "a.csv", Some(day(1, 0))),
        ];
        let findings = vec![Finding {
            incident_id: "incomplete".to_owned(),
            rule: Rule::MissingField,
            field: Some("owner".to_owned()),
            message: "owner is missing".to_owned(),
            source: Source::default(),
        }];
        let modified = BTreeMap::from([
            ("pm/x.md".to_owned(), day(9, 17)),
            ("pm/y.md".to_owned(), day(9, 17)),
            ("b.csv".to_owned(), day(9, 17)),
        ]);
        let late = late_findings(&incidents, &findings, &pre_read, &modified);
        let summary: Vec<(&str, Option<&str>, &str)> = late
            .iter()
            .map(|f| {
                (
                    f.incident_id.as_str(),
                    f.field.as_deref(),
                    f.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "updated-late",
                    Some("updated_at"),
                    "not ready for the pre-read: last updated 2026-03-09 08:00 UTC, after the pre-read deadline 2026-03-08 (2 days before the review on 2026-03-10)"
                ),
                (
                    "md-touched",
                    Some("updated_at"),
                    "not ready for the pre-read: last updated 2026-03-09 17:00 UTC (the file's modification time: the report has no updated_at), after the pre-read deadline 2026-03-08 (2 days before the review on 2026-03-10)"
                ),
                (
                    "incomplete",
                    None,
                    "not ready for the pre-read: 1 thing to fix, with the pre-read deadline 2026-03-08 (2 days before the review on 2026-03-10)"
                ),
            ]
        );
        assert!(late.iter().all(|f| f.rule == Rule::Late));
        assert_eq!(
            last_update(&incidents[3], &modified),
            Some(LastUpdate::FileModified(day(9, 17)))
        );
        assert_eq!(last_update(&incidents[2], &modified), None, "not Markdown");
    }

    #[test]
    fn updated_at_is_read_from_front_matter_and_columns_and_merged_to_the_latest() {
        let markdown = "---\nid: INC-9\ntitle: t\nlast_updated: 2026-03-09T08:00:00Z\n---\n\n## Summary\n\ns\n";
        let out = normalize_str("pm.md", markdown, None, &NormalizeOptions::default());
        assert_eq!(out.incidents[0].updated_at, Some(day(9, 8)));
        let csv =
            "id,title,Last Modified\nINC-1,a,2026-03-01T00:00:00Z\nINC-1,a,2026-03-09T08:00:00Z\n";
        let out = normalize_str("a.csv", csv, None, &NormalizeOptions::default());
        assert_eq!(out.incidents.len(), 1, "{out:?}");
        assert_eq!(out.incidents[0].updated_at, Some(day(9, 8)));
        let bad = "id,title,updated\nINC-2,a,yesterday-ish\n";
        let out = normalize_str("b.csv", bad, None, &NormalizeOptions::default());
        assert_eq!(out.rejected.len(), 1);
        assert_eq!(out.rejected[0].field.as_deref(), Some("updated_at"));
    }
}
