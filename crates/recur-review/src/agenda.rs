//! The month's agenda (which incidents merit review, grouped by pattern) and its audience
//! (whom to invite).
//!
//! By default an incident of the period is on the agenda when it is severity 1 or 2, when it
//! recurs an earlier incident, when its pattern is new or rising, or when its pattern was marked
//! addressed in the catalogue before the incident. Items of one pattern are
//! discussed together: patterns are ordered by their most severe item, then by how many items
//! they have; unpatterned incidents come last. Within a pattern, oldest first.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use recur_core::Incident;
use recur_core::check::{PreRead, Rules, check_incidents, late_findings};
use serde::Serialize;

use crate::accountability::{Roster, responsible_team};
use crate::review::{IncidentRef, Period, RecurrenceReport};

/// Which incidents merit review.
#[derive(Debug, Clone, PartialEq)]
pub struct AgendaRules {
    /// Incidents at this severity or more severe (1 = most severe) are reviewed. Default 2.
    pub max_severity: u8,
    /// Every recurrence is reviewed. Default true.
    pub recurrences: bool,
    /// Every incident of a new or rising pattern is reviewed. Default true.
    pub rising_patterns: bool,
    /// The completeness rules shown next to each item. Default [`Rules::default`].
    pub rules: Rules,
    /// Items kept, in agenda order (a meeting cannot discuss more). Default 40.
    pub max_items: usize,
    /// The review's pre-read deadline: an item whose report is incomplete or was last updated
    /// after it is marked late. Default none; [`crate::review::ReviewOptions::new`] sets a
    /// review on its `as_of`, two days' lead.
    pub pre_read: Option<PreRead>,
}

impl Default for AgendaRules {
    fn default() -> Self {
        Self {
            max_severity: 2,
            recurrences: true,
            rising_patterns: true,
            rules: Rules::default(),
            max_items: 40,
            pre_read: None,
        }
    }
}

/// One incident to discuss.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgendaItem {
    /// The incident.
    pub incident: IncidentRef,
    /// Why it is on the agenda.
    pub reasons: Vec<String>,
    /// Its pattern's stable id.
    pub pattern_id: Option<String>,
    /// The pattern's label.
    pub pattern_label: Option<String>,
    /// Its teams.
    pub teams: Vec<String>,
    /// The catalogue's contributing-factor concepts found in it (names), most common first.
    pub factors: Vec<String>,
    /// Whether its report is complete, and what is missing (from `recur check`).
    pub complete: bool,
    /// What a reviewer would send back.
    pub missing: Vec<String>,
    /// Where its report is (the source file).
    pub report: String,
    /// Why its report was not ready for the pre-read ([`AgendaRules::pre_read`]): incomplete,
    /// or last updated after the deadline (its `updated_at`); none when ready or no deadline.
    pub late: Option<String>,
}

/// Whom to invite.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Audience {
    /// Owners of the agenda's incidents.
    pub incident_owners: Vec<String>,
    /// Owners of those incidents' follow-ups.
    pub follow_up_owners: Vec<String>,
    /// Teams involved.
    pub teams: Vec<String>,
    /// Each team's manager, when a roster is given.
    pub managers: Vec<TeamManager>,
    /// Everyone to invite, once, with why.
    pub invite: Vec<Invitee>,
}

/// A team and its manager.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamManager {
    /// The team.
    pub team: String,
    /// Its manager.
    pub manager: String,
}

/// A person to invite.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invitee {
    /// The person.
    pub name: String,
    /// Why: `owner of INC-1`, `follow-up owner`, `manager of Payments`.
    pub reasons: Vec<String>,
}

/// What the agenda needs to know of the patterns, by pattern index.
#[derive(Debug, Clone, Copy)]
pub struct AgendaPatterns<'a> {
    /// The pattern index of each incident.
    pub pattern_of: &'a [Option<usize>],
    /// The stable id of each pattern.
    pub ids: &'a [String],
    /// The name of each pattern.
    pub labels: &'a [String],
    /// The patterns new or rising this month.
    pub rising: &'a BTreeSet<usize>,
    /// The patterns marked addressed in the catalogue, with the date.
    pub addressed: &'a BTreeMap<usize, NaiveDate>,
}

/// The reason given to an incident of a pattern marked addressed before it occurred.
pub const RECURRED_AFTER_ADDRESSED: &str = "recurred after it was marked addressed";

/// The agenda of a period.
pub fn agenda(
    incidents: &[Incident],
    patterns: &AgendaPatterns,
    recurrences: &[RecurrenceReport],
    period: Period,
    rules: &AgendaRules,
) -> Vec<AgendaItem> {
    let AgendaPatterns {
        pattern_of,
        ids: pattern_ids,
        labels: pattern_labels,
        rising,
        addressed,
    } = *patterns;
    let recurs: BTreeMap<&str, &str> = recurrences
        .iter()
        .map(|r| (r.incident_id.as_str(), r.earlier_incident_id.as_str()))
        .collect();
    let mut chosen: Vec<(usize, Vec<String>)> = Vec::new();
    for (index, incident) in incidents.iter().enumerate() {
        if !incident.occurred_at().is_some_and(|at| period.contains(at)) {
            continue;
        }
        let pattern = pattern_of.get(index).copied().flatten();
        let mut reasons = Vec::new();
        if let Some(severity) = incident.severity.filter(|s| *s <= rules.max_severity) {
            reasons.push(format!("severity {severity}"));
        }
        if rules.recurrences
            && let Some(earlier) = recurs.get(incident.id.as_str())
        {
            reasons.push(format!("recurs {earlier} while its follow-up was open"));
        }
        if rules.rising_patterns && pattern.is_some_and(|p| rising.contains(&p)) {
            reasons.push("pattern new or rising".to_owned());
        }
        if let Some(on) = pattern.and_then(|p| addressed.get(&p))
            && incident
                .occurred_at()
                .is_some_and(|at| at.date_naive() > *on)
        {
            reasons.push(format!("{RECURRED_AFTER_ADDRESSED} ({on})"));
        }
        if !reasons.is_empty() {
            chosen.push((index, reasons));
        }
    }
    let subjects: Vec<Incident> = chosen.iter().map(|(i, _)| incidents[*i].clone()).collect();
    let findings = check_incidents(&subjects, &rules.rules);
    let late: BTreeMap<String, String> = rules
        .pre_read
        .map(|pre_read| late_findings(&subjects, &findings, &pre_read, &BTreeMap::new()))
        .unwrap_or_default()
        .into_iter()
        .map(|finding| (finding.incident_id, finding.message))
        .collect();
    let mut missing: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for finding in &findings {
        missing
            .entry(finding.incident_id.as_str())
            .or_default()
            .push(finding.message.clone());
    }
    let mut items: Vec<(Option<usize>, AgendaItem)> = chosen
        .into_iter()
        .map(|(index, reasons)| {
            let incident = &incidents[index];
            let pattern = pattern_of.get(index).copied().flatten();
            let gaps = missing
                .get(incident.id.as_str())
                .cloned()
                .unwrap_or_default();
            let item = AgendaItem {
                incident: IncidentRef::of(incident),
                reasons,
                pattern_id: pattern.and_then(|p| pattern_ids.get(p).cloned()),
                pattern_label: pattern.and_then(|p| pattern_labels.get(p).cloned()),
                teams: incident.teams.clone(),
                factors: Vec::new(),
                complete: gaps.is_empty(),
                missing: gaps,
                report: incident.source.file.clone(),
                late: late.get(&incident.id).cloned(),
            };
            (pattern, item)
        })
        .collect();
    // Group by pattern: most severe item first, then the larger group, then the larger pattern.
    let mut groups: BTreeMap<Option<usize>, (u8, usize)> = BTreeMap::new();
    for (pattern, item) in &items {
        let entry = groups.entry(*pattern).or_insert((u8::MAX, 0));
        entry.0 = entry.0.min(item.incident.severity.unwrap_or(u8::MAX));
        entry.1 += 1;
    }
    items.sort_by(|a, b| {
        let key = |(pattern, item): &(Option<usize>, AgendaItem)| {
            let (severity, size) = groups.get(pattern).copied().unwrap_or((u8::MAX, 0));
            (
                pattern.is_none(),
                severity,
                std::cmp::Reverse(size),
                *pattern,
                item.incident.occurred_at,
                item.incident.id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    items.into_iter().map(|(_, item)| item).collect()
}

/// The agenda's report cell with the item marked late when its report missed the pre-read
/// deadline: `late (updated after the deadline); …`.
pub fn mark_late(item: &AgendaItem, report: String) -> String {
    match &item.late {
        Some(why) if why.contains("last updated") => {
            format!("**late** (updated after the pre-read deadline); {report}")
        }
        Some(_) => format!("**late** for the pre-read; {report}"),
        None => report,
    }
}

/// Whom to invite for an agenda.
pub fn audience(incidents: &[Incident], items: &[AgendaItem], roster: Option<&Roster>) -> Audience {
    let on_agenda: BTreeSet<&str> = items.iter().map(|i| i.incident.id.as_str()).collect();
    let mut invite: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut owners = BTreeSet::new();
    let mut follow_up_owners = BTreeSet::new();
    let mut teams = BTreeSet::new();
    for incident in incidents
        .iter()
        .filter(|i| on_agenda.contains(i.id.as_str()))
    {
        if let Some(owner) = &incident.owner {
            owners.insert(owner.clone());
            invite
                .entry(owner.clone())
                .or_default()
                .insert(format!("owner of {}", incident.id));
        }
        teams.extend(incident.teams.iter().cloned());
        for follow_up in &incident.follow_ups {
            teams.insert(responsible_team(follow_up, incident, roster));
            if let Some(owner) = &follow_up.owner {
                follow_up_owners.insert(owner.clone());
                invite
                    .entry(owner.clone())
                    .or_default()
                    .insert(format!("follow-up owner for {}", incident.id));
            }
        }
    }
    let managers: Vec<TeamManager> = roster
        .map(|roster| {
            teams
                .iter()
                .filter_map(|team| {
                    roster.manager_of(team).map(|manager| TeamManager {
                        team: team.clone(),
                        manager: manager.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    for manager in &managers {
        invite
            .entry(manager.manager.clone())
            .or_default()
            .insert(format!("manager of {}", manager.team));
    }
    teams.remove("no team");
    Audience {
        incident_owners: owners.into_iter().collect(),
        follow_up_owners: follow_up_owners.into_iter().collect(),
        teams: teams.into_iter().collect(),
        managers,
        invite: invite
            .into_iter()
            .map(|(name, reasons)| Invitee {
                name,
                reasons: reasons.into_iter().collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::{TimeZone, Utc};
    use recur_core::FollowUp;

    use super::*;

    fn incident(id: &str, day: u32, severity: u8, owner: &str, team: &str) -> Incident {
        Incident {
            id: id.into(),
            title: Some(format!("incident {id}")),
            severity: Some(severity),
            started_at: Utc.with_ymd_and_hms(2025, 3, day, 10, 0, 0).single(),
            owner: Some(owner.into()),
            teams: vec![team.into()],
            follow_ups: vec![FollowUp {
                incident_id: id.into(),
                title: Some("fix it".into()),
                owner: Some(format!("{owner}-fu")),
                ..FollowUp::default()
            }],
            ..Incident::default()
        }
    }

    fn period() -> Period {
        Period::month_of(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap())
    }

    #[test]
    fn picks_severe_recurring_and_rising_and_groups_by_pattern() {
        let incidents = vec![
            incident("A", 2, 3, "ana", "payments"), // sev 3, rising pattern 1
            incident("B", 3, 1, "bo", "data"),      // sev 1, pattern 0
            incident("C", 4, 4, "cy", "data"),      // nothing: not on the agenda
            incident("D", 5, 3, "di", "payments"),  // recurrence, pattern 0
            incident("E", 6, 2, "ed", "search"),    // sev 2, no pattern
        ];
        let pattern_of = vec![Some(1), Some(0), Some(0), Some(0), None];
        let labels = vec!["zero".to_owned(), "one".to_owned()];
        let ids = vec!["P-0001".to_owned(), "P-0002".to_owned()];
        let rising = BTreeSet::from([1]);
        let patterns = AgendaPatterns {
            pattern_of: &pattern_of,
            ids: &ids,
            labels: &labels,
            rising: &rising,
            addressed: &BTreeMap::new(),
        };
        let recurrences: Vec<RecurrenceReport> = [("D", "B")]
            .iter()
            .map(|(later, earlier)| RecurrenceReport {
                incident_id: (*later).into(),
                earlier_incident_id: (*earlier).into(),
                similarity: 0.9,
                text_similarity: 0.6,
                shared_terms: vec!["disk".into()],
                open_follow_up_ids: vec![],
                pattern_id: "P-0001".into(),
                pattern_label: "zero".into(),
                shared_services: vec![],
                days_between: 2.0,
                in_period: true,
                incident: IncidentRef::of(&incidents[3]).into(),
                earlier: IncidentRef::of(&incidents[1]).into(),
            })
            .collect();
        let items = agenda(
            &incidents,
            &patterns,
            &recurrences,
            period(),
            &AgendaRules::default(),
        );
        let order: Vec<&str> = items.iter().map(|i| i.incident.id.as_str()).collect();
        // Pattern 0 (holds a SEV1) first, then pattern 1, then the unpatterned.
        assert_eq!(order, ["B", "D", "A", "E"]);
        assert_eq!(items[0].reasons, ["severity 1"]);
        assert_eq!(items[1].reasons, ["recurs B while its follow-up was open"]);
        assert_eq!(items[2].reasons, ["pattern new or rising"]);
        assert_eq!(items[2].pattern_label.as_deref(), Some("one"));
        assert_eq!(items[2].pattern_id.as_deref(), Some("P-0002"));
        let strict = AgendaRules {
            max_severity: 1,
            recurrences: false,
            rising_patterns: false,
            ..AgendaRules::default()
        };
        let items = agenda(&incidents, &patterns, &recurrences, period(), &strict);
        assert_eq!(
            items
                .iter()
                .map(|i| i.incident.id.as_str())
                .collect::<Vec<_>>(),
            ["B"]
        );
        // Pattern 0 marked addressed on 3 March: C and D (4 and 5 March) recurred after it, B
        // (3 March) did not.
        let addressed = BTreeMap::from([(0, NaiveDate::from_ymd_opt(2025, 3, 3).unwrap())]);
        let patterns = AgendaPatterns {
            addressed: &addressed,
            ..patterns
        };
        let items = agenda(&incidents, &patterns, &recurrences, period(), &strict);
        let reasons: Vec<(&str, &[String])> = items
            .iter()
            .map(|i| (i.incident.id.as_str(), &i.reasons[..]))
            .collect();
        assert_eq!(
            reasons,
            [
                ("B", &["severity 1".to_owned()][..]),
                (
                    "C",
                    &["recurred after it was marked addressed (2025-03-03)".to_owned()][..]
                ),
                (
                    "D",
                    &["recurred after it was marked addressed (2025-03-03)".to_owned()][..]
                )
            ]
        );
    }

    fn no_patterns<'a>(pattern_of: &'a [Option<usize>]) -> AgendaPatterns<'a> {
        static EMPTY_SET: BTreeSet<usize> = BTreeSet::new();
        static EMPTY_MAP: BTreeMap<usize, NaiveDate> = BTreeMap::new();
        AgendaPatterns {
            pattern_of,
            ids: &[],
            labels: &[],
            rising: &EMPTY_SET,
            addressed: &EMPTY_MAP,
        }
    }

    #[test]
    fn reports_not_ready_for_the_pre_read_are_marked_late() {
        let mut bare = incident("X", 2, 1, "xo", "data");
        bare.follow_ups.clear();
        let mut touched = incident("Y", 3, 1, "yo", "data");
        touched.follow_ups[0].due_at = Utc.with_ymd_and_hms(2025, 5, 1, 0, 0, 0).single();
        touched.updated_at = Utc.with_ymd_and_hms(2025, 4, 9, 12, 0, 0).single();
        let mut ready = touched.clone();
        ready.id = "Z".into();
        ready.updated_at = Utc.with_ymd_and_hms(2025, 4, 1, 0, 0, 0).single();
        let rules = AgendaRules {
            pre_read: Utc
                .with_ymd_and_hms(2025, 4, 10, 9, 0, 0)
                .single()
                .map(PreRead::new),
            // Only follow-ups required, so that Y and Z are complete.
            rules: "[required]\n1 = [\"follow_ups\"]\ndefault = []\n"
                .parse()
                .unwrap(),
            ..AgendaRules::default()
        };
        let incidents = [bare, touched, ready];
        let items = agenda(&incidents, &no_patterns(&[None; 3]), &[], period(), &rules);
        let late: Vec<(&str, bool)> = items
            .iter()
            .map(|item| (item.incident.id.as_str(), item.late.is_some()))
            .collect();
        assert_eq!(late, [("X", true), ("Y", true), ("Z", false)]);
        let cells: Vec<String> = items
            .iter()
            .map(|item| mark_late(item, "complete".to_owned()))
            .collect();
        assert_eq!(
            cells,
            [
                "**late** for the pre-read; complete",
                "**late** (updated after the pre-read deadline); complete",
                "complete"
            ]
        );
        let without = agenda(
            &incidents,
            &no_patterns(&[None; 3]),
            &[],
            period(),
            &AgendaRules::default(),
        );
        assert!(without.iter().all(|item| item.late.is_none()));
    }

    #[test]
    fn incomplete_reports_say_what_is_missing() {
        let mut bare = incident("X", 2, 1, "xo", "data");
        bare.follow_ups.clear();
        let items = agenda(
            &[bare],
            &no_patterns(&[None]),
            &[],
            period(),
            &AgendaRules::default(),
        );
        assert!(!items[0].complete);
        assert!(
            items[0].missing.iter().any(|m| m.contains("follow-up")),
            "{:?}",
            items[0].missing
        );
    }

    #[test]
    fn audience_lists_owners_follow_up_owners_and_managers() {
        let incidents = vec![
            incident("A", 2, 1, "ana", "payments"),
            incident("C", 4, 4, "cy", "data"),
        ];
        let items = agenda(
            &incidents,
            &no_patterns(&[None, None]),
            &[],
            period(),
            &AgendaRules::default(),
        );
        let roster = Roster::from_csv("team,manager,members\npayments,Maria,ana\n").unwrap();
        let audience = audience(&incidents, &items, Some(&roster));
        assert_eq!(audience.incident_owners, ["ana"]);
        assert_eq!(audience.follow_up_owners, ["ana-fu"]);
        assert_eq!(audience.teams, ["payments"]);
        assert_eq!(
            audience.managers,
            [TeamManager {
                team: "payments".into(),
                manager: "Maria".into()
            }]
        );
        let names: Vec<&str> = audience.invite.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["Maria", "ana", "ana-fu"]);
        assert_eq!(audience.invite[0].reasons, ["manager of payments"]);
    }
}
