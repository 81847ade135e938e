//! Incident and follow-up statuses onto the canonical [`IncidentStatus`] and [`FollowUpStatus`].
//!
//! Matching ignores case, spaces and punctuation (`In Progress`, `in_progress`, `IN-PROGRESS`
//! and `won't do` / `wont_do` are the same), and a leading ServiceNow rank (`7 - Closed`) is
//! dropped first.

use super::ValueError;
use crate::model::{FollowUpStatus, IncidentStatus};

/// Parses an incident's status.
///
/// - [`IncidentStatus::Open`]: open, new, triage, triggered, started, detected, declared,
///   investigating, identified, fixing, active, ongoing, assigned, acknowledged, in progress,
///   work in progress, on hold, pending, reopened, and every `Awaiting …` (ServiceNow's
///   `Awaiting User Info`, `Awaiting Problem`, `Awaiting Vendor`, `Awaiting Evidence`).
/// - [`IncidentStatus::Mitigated`]: mitigated, monitoring, stable, stabilized.
/// - [`IncidentStatus::Resolved`]: resolved, fixed.
/// - [`IncidentStatus::Closed`]: closed, cancelled, canceled, declined, merged, postmortem,
///   post-incident, learning, documenting, completed, complete, done.
pub fn parse_incident_status(raw: &str) -> Result<IncidentStatus, ValueError> {
    let key = status_key(raw);
    let status = match key.as_str() {
        "open" | "new" | "triage" | "triggered" | "started" | "detected" | "declared"
        | "investigating" | "identified" | "fixing" | "active" | "ongoing" | "assigned"
        | "acknowledged" | "inprogress" | "workinprogress" | "onhold" | "pending" | "reopened" => {
            IncidentStatus::Open
        }
        "mitigated" | "monitoring" | "stable" | "stabilized" | "stabilised" => {
            IncidentStatus::Mitigated
        }
        "resolved" | "fixed" => IncidentStatus::Resolved,
        "closed" | "cancelled" | "canceled" | "declined" | "merged" | "postmortem"
        | "postincident" | "learning" | "documenting" | "completed" | "complete" | "done" => {
            IncidentStatus::Closed
        }
        awaiting if awaiting.starts_with("awaiting") => IncidentStatus::Open,
        _ => return Err(ValueError::UnrecognizedStatus(raw.trim().to_owned())),
    };
    Ok(status)
}

/// Parses a follow-up's (action item's) status.
///
/// - [`FollowUpStatus::Open`]: to do, todo, open, new, backlog, triage, planned, assigned,
///   not started, started, in progress, doing, in review, blocked, selected for development,
///   pending, waiting, on hold, reopened.
/// - [`FollowUpStatus::Done`]: done, closed, completed, complete, finished, fixed, resolved,
///   merged, shipped, deployed, released, verified.
/// - [`FollowUpStatus::WontDo`]: won't do, wont_do, won't fix, wontfix, will not do, will not
///   fix, declined, duplicate, obsolete, cancelled, canceled, rejected, invalid, not doing,
///   not planned, abandoned.
pub fn parse_follow_up_status(raw: &str) -> Result<FollowUpStatus, ValueError> {
    let key = status_key(raw);
    let status = match key.as_str() {
        "todo"
        | "open"
        | "new"
        | "backlog"
        | "triage"
        | "planned"
        | "assigned"
        | "notstarted"
        | "started"
        | "inprogress"
        | "doing"
        | "inreview"
        | "review"
        | "blocked"
        | "selectedfordevelopment"
        | "pending"
        | "waiting"
        | "onhold"
        | "reopened" => FollowUpStatus::Open,
        "done" | "closed" | "completed" | "complete" | "finished" | "fixed" | "resolved"
        | "merged" | "shipped" | "deployed" | "released" | "verified" => FollowUpStatus::Done,
        "wontdo" | "wontfix" | "willnotdo" | "willnotfix" | "declined" | "duplicate"
        | "obsolete" | "cancelled" | "canceled" | "rejected" | "invalid" | "notdoing"
        | "notplanned" | "abandoned" => FollowUpStatus::WontDo,
        _ => {
            return Err(ValueError::UnrecognizedFollowUpStatus(
                raw.trim().to_owned(),
            ));
        }
    };
    Ok(status)
}

/// The matching key: a leading `N - ` rank dropped, then lower-case letters and digits only.
fn status_key(raw: &str) -> String {
    let text = raw.trim();
    let without_rank = text
        .split_once('-')
        .filter(|(rank, rest)| {
            let rank = rank.trim();
            !rank.is_empty()
                && rank.bytes().all(|byte| byte.is_ascii_digit())
                && !rest.trim().is_empty()
        })
        .map_or(text, |(_, rest)| rest);
    without_rank
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn check_incident(input: &str, expected: Result<IncidentStatus, ValueError>) {
        assert_eq!(parse_incident_status(input), expected, "input {input:?}");
    }

    fn check_follow_up(input: &str, expected: Result<FollowUpStatus, ValueError>) {
        assert_eq!(parse_follow_up_status(input), expected, "input {input:?}");
    }

    #[test]
    fn incident_statuses() {
        use IncidentStatus::*;
        let cases: &[(&str, IncidentStatus)] = &[
            ("Open", Open),
            ("new", Open),
            ("1 - New", Open),
            ("Triggered", Open),
            ("investigating", Open),
            ("Identified", Open),
            ("ACTIVE", Open),
            ("acknowledged", Open),
            ("In Progress", Open),
            ("2 - In Progress", Open),
            ("in_progress", Open),
            ("On Hold", Open),
            ("3 - On Hold", Open),
            ("Awaiting User Info", Open),
            ("Awaiting Problem", Open),
            ("Awaiting Vendor", Open),
            ("Awaiting Evidence", Open),
            ("Mitigated", Mitigated),
            ("monitoring", Mitigated),
            ("Stable", Mitigated),
            ("Resolved", Resolved),
            ("6 - Resolved", Resolved),
            ("fixed", Resolved),
            ("Closed", Closed),
            ("7 - Closed", Closed),
            ("Cancelled", Closed),
            ("8 - Canceled", Closed),
            ("Postmortem", Closed),
            ("post-incident", Closed),
            ("Post Incident", Closed),
            ("Learning", Closed),
            ("completed", Closed),
            ("Done", Closed),
        ];
        for &(input, status) in cases {
            check_incident(input, Ok(status));
        }
    }

    #[test]
    fn follow_up_statuses() {
        use FollowUpStatus::*;
        let cases: &[(&str, FollowUpStatus)] = &[
            ("To Do", Open),
            ("todo", Open),
            ("TO_DO", Open),
            ("open", Open),
            ("New", Open),
            ("Backlog", Open),
            ("In Progress", Open),
            ("in-review", Open),
            ("Blocked", Open),
            ("Selected for Development", Open),
            ("pending", Open),
            ("Done", Done),
            ("closed", Done),
            ("Completed", Done),
            ("complete", Done),
            ("Fixed", Done),
            ("resolved", Done),
            ("Merged", Done),
            ("shipped", Done),
            ("Won't Do", WontDo),
            ("won’t do", WontDo),
            ("wont_do", WontDo),
            ("Won't Fix", WontDo),
            ("wontfix", WontDo),
            ("Declined", WontDo),
            ("Duplicate", WontDo),
            ("obsolete", WontDo),
            ("Cancelled", WontDo),
            ("canceled", WontDo),
            ("Rejected", WontDo),
            ("invalid", WontDo),
            ("Not Doing", WontDo),
            ("not planned", WontDo),
        ];
        for &(input, status) in cases {
            check_follow_up(input, Ok(status));
        }
    }

    #[test]
    fn unknown_statuses_are_errors_naming_the_value() {
        for input in ["", "  ", "maybe", "5 -", "1 - Maybe", "wontfix"] {
            check_incident(
                input,
                Err(ValueError::UnrecognizedStatus(input.trim().to_owned())),
            );
        }
        for input in ["", "maybe", "mitigated", "42"] {
            check_follow_up(
                input,
                Err(ValueError::UnrecognizedFollowUpStatus(input.to_owned())),
            );
        }
        assert_eq!(
            parse_incident_status(" Sleeping ").unwrap_err().to_string(),
            "unrecognized incident status `Sleeping`"
        );
        assert_eq!(
            parse_follow_up_status("Later").unwrap_err().to_string(),
            "unrecognized follow-up status `Later`"
        );
    }
}
