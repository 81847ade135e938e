//! The canonical incident record: the one shape every input is normalized into and every
//! analysis reads.
//!
//! Modelled on the postmortem templates in common use (Google SRE, Atlassian, PagerDuty,
//! incident.io). Every field a source may lack is an `Option` or an empty list: a missing
//! optional field is never a reason to reject a record. Timestamps are UTC.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The columns of a source that no canonical field takes, by column name, sorted by name (a
/// sorted vector: most records carry one or two such columns, and a million small `BTreeMap`s
/// cost half a gigabyte).
pub type Extra = litemap::LiteMap<String, String>;

/// One incident, normalized.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// The incident's identifier as the source gives it (`INC-123`, `PD-9`, a uuid, …).
    pub id: String,
    /// One-line title.
    pub title: Option<String>,
    /// Severity on the integer scale, 1 = most severe (SEV1, P1, Critical, `1 - Critical`, …).
    pub severity: Option<u8>,
    /// The severity exactly as the source wrote it.
    pub severity_raw: Option<String>,
    /// Lifecycle status.
    pub status: Option<IncidentStatus>,
    /// The status exactly as the source wrote it.
    pub status_raw: Option<String>,
    /// When the incident began (impact started).
    pub started_at: Option<DateTime<Utc>>,
    /// When it was detected (an alert fired, a customer reported it).
    pub detected_at: Option<DateTime<Utc>>,
    /// When a responder acknowledged it.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When impact was mitigated.
    pub mitigated_at: Option<DateTime<Utc>>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// When its report was last updated (an `updated_at` column, Markdown front matter
    /// `updated` / `last_updated`), when the source says; `recur check --review-date` compares
    /// it with the pre-read deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// Affected services.
    pub services: Vec<String>,
    /// Teams involved or owning the incident.
    pub teams: Vec<String>,
    /// The incident's owner (author of the report, or incident commander).
    pub owner: Option<String>,
    /// How it was detected (alert, customer report, …).
    pub detection_method: Option<String>,
    /// The alerts that fired, if the report lists them.
    pub alerts: Vec<String>,
    /// Summary of what happened.
    pub summary: Option<String>,
    /// What set it off (a deploy, a config push, a traffic spike).
    pub trigger: Option<String>,
    /// The root cause.
    pub root_cause: Option<String>,
    /// Contributing factors, one phrase each.
    pub contributing_factors: Vec<String>,
    /// What was done to stop the impact.
    pub remediation: Option<String>,
    /// How the system was brought back to normal.
    pub recovery: Option<String>,
    /// What will keep it from happening again.
    pub prevention: Option<String>,
    /// Free-form tags or categories.
    pub tags: Vec<String>,
    /// Narrative text not mapped to a field (the body of a Markdown postmortem).
    pub body: Option<String>,
    /// Where this record came from.
    pub source: Source,
    /// Follow-up tasks (action items) of this incident.
    pub follow_ups: Vec<FollowUp>,
    /// Source columns that map to no canonical field, kept by their original name.
    pub extra: Extra,
}

impl Incident {
    /// Time from start to detection, when both are known and in order.
    pub fn time_to_detect(&self) -> Option<Duration> {
        non_negative_span(self.started_at, self.detected_at)
    }

    /// Time from start to resolution, when both are known, in order, and at most
    /// [`MAX_TIME_TO_RESOLVE`] apart (a resolution typed as 2099 is no duration).
    pub fn time_to_resolve(&self) -> Option<Duration> {
        non_negative_span(self.started_at, self.resolved_at)
            .filter(|span| *span <= MAX_TIME_TO_RESOLVE)
    }

    /// The earliest known timestamp of the incident: started, else detected, else
    /// acknowledged, mitigated or resolved. Analyses that place an incident in time use this.
    pub fn occurred_at(&self) -> Option<DateTime<Utc>> {
        self.started_at
            .or(self.detected_at)
            .or(self.acknowledged_at)
            .or(self.mitigated_at)
            .or(self.resolved_at)
    }
}

/// The longest time to resolve taken as a duration (a year); a longer span is a typing error in
/// one of the dates, and the normalizer warns about it.
pub const MAX_TIME_TO_RESOLVE: Duration = Duration::days(366);

fn non_negative_span(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Option<Duration> {
    let span = to? - from?;
    (span >= Duration::zero()).then_some(span)
}

/// Lifecycle status of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    /// Open, investigating, identified, in progress, on hold.
    Open,
    /// Impact mitigated, not yet resolved (monitoring).
    Mitigated,
    /// Resolved.
    Resolved,
    /// Closed (postmortem done), or cancelled.
    Closed,
}

impl IncidentStatus {
    /// The canonical lower-case name (`open`, `mitigated`, `resolved`, `closed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Mitigated => "mitigated",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }
}

impl fmt::Display for IncidentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A follow-up task (action item, corrective action, remediation ticket) of an incident.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// The follow-up's own id (a tracker key such as `OPS-42`), when the source has one.
    pub id: Option<String>,
    /// The id of the incident it belongs to.
    pub incident_id: String,
    /// What is to be done.
    pub title: Option<String>,
    /// Who is responsible.
    pub owner: Option<String>,
    /// The responsible team, when the source names one apart from the owner.
    pub team: Option<String>,
    /// `open`, `done` or `wont_do`.
    pub status: FollowUpStatus,
    /// The status exactly as the source wrote it.
    pub status_raw: Option<String>,
    /// When it was filed.
    pub created_at: Option<DateTime<Utc>>,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// When it was closed (done or won't do).
    pub closed_at: Option<DateTime<Utc>>,
    /// Tracker reference or URL.
    pub tracker: Option<String>,
    /// Where this follow-up came from (its own file and line when read from a separate file).
    pub source: Source,
    /// Source columns that map to no canonical field, kept by their original name.
    #[serde(default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

impl FollowUp {
    /// Whether it was open at `at`: created at or before `at` (or creation unknown) and not
    /// closed by then. A follow-up without a close date that is done or won't-do counts as
    /// closed at any time.
    pub fn open_at(&self, at: DateTime<Utc>) -> bool {
        if self.created_at.is_some_and(|created| created > at) {
            return false;
        }
        match (self.status, self.closed_at) {
            (_, Some(closed)) => closed > at,
            (FollowUpStatus::Open, None) => true,
            (_, None) => false,
        }
    }

    /// Whether it is open and past its due date at `as_of`.
    pub fn overdue_at(&self, as_of: DateTime<Utc>) -> bool {
        self.status == FollowUpStatus::Open && self.due_at.is_some_and(|due| due < as_of)
    }
}

/// State of a follow-up.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    /// Not done yet (todo, in progress, blocked, …).
    #[default]
    Open,
    /// Done, fixed, closed as completed.
    Done,
    /// Closed without doing it (won't do, won't fix, duplicate, obsolete).
    WontDo,
}

impl FollowUpStatus {
    /// The canonical name (`open`, `done`, `wont_do`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
            Self::WontDo => "wont_do",
        }
    }
}

impl fmt::Display for FollowUpStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a record came from: the file, the record's 1-based number in it, and the 1-based line
/// it starts on where the format has lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Source {
    /// Path of the input file as given.
    pub file: String,
    /// 1-based record number within the file (row of a CSV, element of a JSON array, line of a
    /// JSONL file, 1 for a Markdown postmortem).
    pub record: usize,
    /// 1-based line on which the record starts, where the format has lines.
    pub line: Option<usize>,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => write!(f, "{} record {}", self.file, self.record),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 0, 0, 0)
            .single()
            .expect("valid date")
    }

    #[test]
    fn durations_need_both_ends_in_order() {
        let mut incident = Incident {
            started_at: Some(at(2)),
            resolved_at: Some(at(4)),
            ..Incident::default()
        };
        assert_eq!(incident.time_to_resolve(), Some(Duration::days(2)));
        assert_eq!(incident.time_to_detect(), None);
        incident.resolved_at = Some(at(1));
        assert_eq!(
            incident.time_to_resolve(),
            None,
            "resolved before started is no duration"
        );
        incident.resolved_at = Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).single();
        assert_eq!(
            incident.time_to_resolve(),
            None,
            "resolved 70 years later is no duration"
        );
    }

    #[test]
    fn occurred_at_falls_back_to_later_timestamps() {
        let incident = Incident {
            detected_at: Some(at(5)),
            resolved_at: Some(at(6)),
            ..Incident::default()
        };
        assert_eq!(incident.occurred_at(), Some(at(5)));
    }

    #[test]
    fn follow_up_open_at_respects_creation_and_closing() {
        let follow_up = FollowUp {
            status: FollowUpStatus::Done,
            created_at: Some(at(2)),
            closed_at: Some(at(10)),
            ..FollowUp::default()
        };
        assert!(!follow_up.open_at(at(1)), "not yet created");
        assert!(follow_up.open_at(at(2)), "created at the instant counts");
        assert!(follow_up.open_at(at(9)));
        assert!(!follow_up.open_at(at(10)), "closed by then");
        let dropped = FollowUp {
            status: FollowUpStatus::WontDo,
            ..FollowUp::default()
        };
        assert!(!dropped.open_at(at(1)), "won't-do without a date is closed");
        let open = FollowUp {
            due_at: Some(at(3)),
            ..FollowUp::default()
        };
        assert!(open.open_at(at(20)));
        assert!(open.overdue_at(at(4)));
        assert!(!open.overdue_at(at(3)));
    }
}
