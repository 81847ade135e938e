//! The records as they stood at an instant: the point-in-time view a review as of that instant
//! must see, so that the review of a past month gives the numbers people could have seen then.
//!
//! The view of `incidents` at `at`:
//! - an incident is kept when it occurred at or before `at` ([`Incident::occurred_at`]); an
//!   incident with no timestamp at all cannot be placed in time and is kept;
//! - lifecycle timestamps after `at` (detected, acknowledged, mitigated, resolved) are cleared,
//!   and a status that those later events set is rolled back: an incident resolved after `at`
//!   is `mitigated` if it was mitigated by then, else `open`;
//! - a follow-up created after `at` is dropped; one closed after `at` is open in the view (its
//!   close date cleared). A follow-up without a creation date is kept, as it cannot be placed;
//! - a status rolled back loses its raw source text, which described the later state.
//!
//! Text (title, root cause, …) is taken as exported: an export holds no history of edits.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::{FollowUp, FollowUpStatus, Incident, IncidentStatus};

/// The point-in-time view of a set of incidents and what it left out or rolled back.
#[derive(Debug, Clone, PartialEq)]
pub struct AsOfView<'a> {
    /// The incidents known at the instant, in their input order, in their state at the
    /// instant. Borrowed when nothing had to change.
    pub incidents: Cow<'a, [Incident]>,
    /// What the view changed.
    pub changes: AsOfChanges,
}

/// What a point-in-time view left out or rolled back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AsOfChanges {
    /// Incidents left out: they occurred after the instant.
    pub incidents_after: usize,
    /// Follow-ups left out: created after the instant, or of an incident left out.
    pub follow_ups_after: usize,
    /// Incidents kept whose later lifecycle timestamps or status were rolled back.
    pub incidents_rolled_back: usize,
    /// Follow-ups kept that were closed after the instant, so open in the view.
    pub follow_ups_reopened: usize,
}

/// The incidents as they stood at `at` (see the module documentation for the rules).
/// Borrows `incidents` when every record is already as it stood at `at`, so a review as of
/// "now" copies nothing.
pub fn as_of_view(incidents: &[Incident], at: DateTime<Utc>) -> AsOfView<'_> {
    if incidents.iter().all(|incident| unchanged_at(incident, at)) {
        return AsOfView {
            incidents: Cow::Borrowed(incidents),
            changes: AsOfChanges::default(),
        };
    }
    let mut changes = AsOfChanges::default();
    let mut kept = Vec::with_capacity(incidents.len());
    for incident in incidents {
        if incident.occurred_at().is_some_and(|when| when > at) {
            changes.incidents_after += 1;
            changes.follow_ups_after += incident.follow_ups.len();
            continue;
        }
        kept.push(incident_at(incident, at, &mut changes));
    }
    AsOfView {
        incidents: Cow::Owned(kept),
        changes,
    }
}

/// Whether the view at `at` keeps the incident exactly as it is.
fn unchanged_at(incident: &Incident, at: DateTime<Utc>) -> bool {
    let before = |when: Option<DateTime<Utc>>| when.is_none_or(|when| when <= at);
    before(incident.started_at)
        && before(incident.detected_at)
        && before(incident.acknowledged_at)
        && before(incident.mitigated_at)
        && before(incident.resolved_at)
        && incident
            .follow_ups
            .iter()
            .all(|follow_up| before(follow_up.created_at) && before(follow_up.closed_at))
}

fn incident_at(incident: &Incident, at: DateTime<Utc>, changes: &mut AsOfChanges) -> Incident {
    let after = |when: Option<DateTime<Utc>>| when.is_some_and(|when| when > at);
    let mut view = Incident {
        follow_ups: Vec::new(),
        ..incident.clone()
    };
    let resolved_later = after(incident.resolved_at);
    let mitigated_later = after(incident.mitigated_at);
    let mut rolled_back = false;
    for stamp in [
        &mut view.started_at,
        &mut view.detected_at,
        &mut view.acknowledged_at,
        &mut view.mitigated_at,
        &mut view.resolved_at,
    ] {
        if after(*stamp) {
            *stamp = None;
            rolled_back = true;
        }
    }
    let status_then = match incident.status {
        Some(IncidentStatus::Resolved | IncidentStatus::Closed) if resolved_later => {
            Some(if view.mitigated_at.is_some() {
                IncidentStatus::Mitigated
            } else {
                IncidentStatus::Open
            })
        }
        Some(IncidentStatus::Mitigated) if mitigated_later => Some(IncidentStatus::Open),
        other => other,
    };
    if status_then != incident.status {
        view.status = status_then;
        view.status_raw = None;
        rolled_back = true;
    }
    changes.incidents_rolled_back += usize::from(rolled_back);
    for follow_up in &incident.follow_ups {
        if after(follow_up.created_at) {
            changes.follow_ups_after += 1;
            continue;
        }
        let mut follow_up_then = follow_up.clone();
        if after(follow_up.closed_at) {
            reopen(&mut follow_up_then);
            changes.follow_ups_reopened += 1;
        }
        view.follow_ups.push(follow_up_then);
    }
    view
}

fn reopen(follow_up: &mut FollowUp) {
    follow_up.closed_at = None;
    follow_up.status = FollowUpStatus::Open;
    follow_up.status_raw = None;
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn day(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0)
            .single()
            .expect("valid date")
    }

    fn incident(id: &str, started: u32) -> Incident {
        Incident {
            id: id.to_owned(),
            started_at: Some(day(started)),
            ..Incident::default()
        }
    }

    #[test]
    fn a_view_after_every_event_borrows_the_records() {
        let incidents = vec![incident("A", 1), incident("B", 2)];
        let view = as_of_view(&incidents, day(3));
        assert!(matches!(view.incidents, Cow::Borrowed(_)));
        assert_eq!(view.changes, AsOfChanges::default());
    }

    #[test]
    fn later_incidents_are_left_out_and_undated_ones_kept() {
        let mut later = incident("C", 20);
        later.follow_ups = vec![FollowUp::default(), FollowUp::default()];
        let undated = Incident {
            id: "U".into(),
            ..Incident::default()
        };
        let incidents = vec![incident("A", 1), later, undated, incident("B", 10)];
        let view = as_of_view(&incidents, day(10));
        let ids: Vec<&str> = view.incidents.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            ids,
            ["A", "U", "B"],
            "input order kept; started at the instant counts"
        );
        assert_eq!(
            (view.changes.incidents_after, view.changes.follow_ups_after),
            (1, 2)
        );
    }

    #[test]
    fn an_incident_resolved_later_is_open_or_mitigated_then() {
        let mut resolved = incident("A", 1);
        resolved.detected_at = Some(day(1));
        resolved.mitigated_at = Some(day(3));
        resolved.resolved_at = Some(day(8));
        resolved.status = Some(IncidentStatus::Closed);
        resolved.status_raw = Some("Closed".into());
        let view = as_of_view(std::slice::from_ref(&resolved), day(5));
        let then = &view.incidents[0];
        assert_eq!(then.status, Some(IncidentStatus::Mitigated));
        assert_eq!((then.resolved_at, then.mitigated_at), (None, Some(day(3))));
        assert_eq!(
            then.status_raw, None,
            "the raw text described the later state"
        );
        let view = as_of_view(std::slice::from_ref(&resolved), day(2));
        let then = &view.incidents[0];
        assert_eq!(then.status, Some(IncidentStatus::Open));
        assert_eq!((then.detected_at, then.mitigated_at), (Some(day(1)), None));
        assert_eq!(view.changes.incidents_rolled_back, 1);
    }

    #[test]
    fn follow_ups_are_as_they_stood() {
        let mut with_follow_ups = incident("A", 1);
        with_follow_ups.follow_ups = vec![
            FollowUp {
                id: Some("done-later".into()),
                created_at: Some(day(2)),
                closed_at: Some(day(9)),
                status: FollowUpStatus::Done,
                status_raw: Some("Done".into()),
                ..FollowUp::default()
            },
            FollowUp {
                id: Some("created-later".into()),
                created_at: Some(day(8)),
                ..FollowUp::default()
            },
            FollowUp {
                id: Some("done-before".into()),
                created_at: Some(day(2)),
                closed_at: Some(day(3)),
                status: FollowUpStatus::Done,
                ..FollowUp::default()
            },
            FollowUp {
                id: Some("undated".into()),
                status: FollowUpStatus::WontDo,
                ..FollowUp::default()
            },
        ];
        let view = as_of_view(std::slice::from_ref(&with_follow_ups), day(5));
        let follow_ups = &view.incidents[0].follow_ups;
        let ids: Vec<&str> = follow_ups.iter().filter_map(|f| f.id.as_deref()).collect();
        assert_eq!(ids, ["done-later", "done-before", "undated"]);
        assert_eq!(follow_ups[0].status, FollowUpStatus::Open);
        assert_eq!(
            (follow_ups[0].closed_at, follow_ups[0].status_raw.as_deref()),
            (None, None)
        );
        assert!(follow_ups[0].open_at(day(5)));
        assert_eq!(follow_ups[1].status, FollowUpStatus::Done);
        assert_eq!(follow_ups[2].status, FollowUpStatus::WontDo);
        assert_eq!(
            (
                view.changes.follow_ups_after,
                view.changes.follow_ups_reopened
            ),
            (1, 1)
        );
        assert_eq!(view.changes.incidents_rolled_back, 0);
    }
}
