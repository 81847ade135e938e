//! Follow-ups held to account per responsible team, and the roster that says who is on which
//! team.
//!
//! The responsible team of a follow-up is its owner's team from the roster, else the team the
//! follow-up names, else the incident's first team. So a follow-up assigned to another team
//! than the incident's own is counted where the work is.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use recur_core::{FollowUp, FollowUpStatus, Incident};
use serde::{Deserialize, Serialize};

use crate::review::Period;
use crate::trends::month_label_of;

/// Teams, their managers and members.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Roster {
    /// The teams.
    #[serde(rename = "team")]
    pub teams: Vec<RosterTeam>,
}

/// One team of the roster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RosterTeam {
    /// Team name.
    pub name: String,
    /// Its manager.
    #[serde(default)]
    pub manager: Option<String>,
    /// Its members.
    #[serde(default)]
    pub members: Vec<String>,
}

/// Why a roster could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RosterError {
    /// Not valid TOML of the expected shape.
    #[error("roster TOML: {0}")]
    Toml(String),
    /// A CSV row could not be read.
    #[error("roster CSV line {line}: {message}")]
    Csv {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl Roster {
    /// Read a roster from TOML: `[[team]] name = "...", manager = "...", members = [...]`.
    pub fn from_toml(text: &str) -> Result<Self, RosterError> {
        toml::from_str(text).map_err(|e| RosterError::Toml(e.to_string()))
    }

    /// Read a roster from CSV with columns `team,manager,members` (members separated by `;`).
    pub fn from_csv(text: &str) -> Result<Self, RosterError> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| RosterError::Csv {
                line: 1,
                message: e.to_string(),
            })?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let (Some(team), manager, members) = (column("team"), column("manager"), column("members"))
        else {
            return Err(RosterError::Csv {
                line: 1,
                message: "no `team` column".to_owned(),
            });
        };
        let mut roster = Roster::default();
        for record in reader.records() {
            let record = record.map_err(|e| RosterError::Csv {
                line: e.position().map_or(0, |p| p.line() as usize),
                message: e.to_string(),
            })?;
            let cell = |index: Option<usize>| {
                index
                    .and_then(|i| record.get(i))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
            };
            let Some(name) = cell(Some(team)) else {
                continue;
            };
            roster.teams.push(RosterTeam {
                name: name.to_owned(),
                manager: cell(manager).map(str::to_owned),
                members: cell(members)
                    .map(|m| {
                        m.split(';')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
        Ok(roster)
    }

    /// The team a person is a member (or the manager) of.
    pub fn team_of(&self, person: &str) -> Option<&str> {
        self.teams
            .iter()
            .find(|team| {
                team.members.iter().any(|m| m.eq_ignore_ascii_case(person))
                    || team
                        .manager
                        .as_deref()
                        .is_some_and(|m| m.eq_ignore_ascii_case(person))
            })
            .map(|team| team.name.as_str())
    }

    /// A team's manager.
    pub fn manager_of(&self, team: &str) -> Option<&str> {
        self.teams
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(team))
            .and_then(|t| t.manager.as_deref())
    }
}

/// The team responsible for a follow-up (see the module docs).
pub fn responsible_team(
    follow_up: &FollowUp,
    incident: &Incident,
    roster: Option<&Roster>,
) -> String {
    follow_up
        .owner
        .as_deref()
        .and_then(|owner| roster.and_then(|r| r.team_of(owner)))
        .map(str::to_owned)
        .or_else(|| follow_up.team.clone())
        .or_else(|| incident.teams.first().cloned())
        .unwrap_or_else(|| "no team".to_owned())
}

/// Follow-ups per responsible team.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Accountability {
    /// One row per team, most overdue first.
    pub teams: Vec<TeamAccount>,
    /// Per team and month of the trend window: follow-ups due that month and the share done
    /// by their due date.
    pub monthly: Vec<TeamMonth>,
    /// Incidents of the period that touched several teams, with the affected teams that have
    /// no follow-up of their own ([`teams_that_should_act`]).
    pub teams_that_should_act: Vec<SharedIncident>,
}

/// An incident of the period that touched several teams, and which of them took no
/// follow-up of their own. (A shared framework broke many client teams: the framework team
/// improves its tests; the client teams may want stricter tests on their critical paths.)
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedIncident {
    /// The incident.
    pub incident_id: String,
    /// Its title.
    pub title: Option<String>,
    /// When it occurred.
    pub occurred_at: Option<DateTime<Utc>>,
    /// The teams it touched (its `teams`).
    pub teams: Vec<String>,
    /// Of those, the teams responsible for at least one of its follow-ups.
    pub with_follow_ups: Vec<String>,
    /// Of those, the teams without a follow-up of their own.
    pub without_follow_ups: Vec<String>,
}

/// For each incident of `period` whose `teams` name two or more teams, the teams without a
/// follow-up of their own (by [`responsible_team`], names compared ignoring case), when there
/// is any; oldest first. Linear in the incidents and their follow-ups.
pub fn teams_that_should_act(
    incidents: &[Incident],
    period: &Period,
    roster: Option<&Roster>,
) -> Vec<SharedIncident> {
    let mut out: Vec<SharedIncident> = incidents
        .iter()
        .filter(|incident| incident.occurred_at().is_some_and(|at| period.contains(at)))
        .filter_map(|incident| {
            let mut teams: Vec<String> = Vec::new();
            for team in &incident.teams {
                if !teams.iter().any(|t| t.eq_ignore_ascii_case(team)) {
                    teams.push(team.clone());
                }
            }
            if teams.len() < 2 {
                return None;
            }
            let acting: Vec<String> = incident
                .follow_ups
                .iter()
                .map(|follow_up| responsible_team(follow_up, incident, roster))
                .collect();
            let (with, without): (Vec<String>, Vec<String>) = teams
                .iter()
                .cloned()
                .partition(|team| acting.iter().any(|a| a.eq_ignore_ascii_case(team)));
            (!without.is_empty()).then(|| SharedIncident {
                incident_id: incident.id.clone(),
                title: incident.title.clone(),
                occurred_at: incident.occurred_at(),
                teams,
                with_follow_ups: with,
                without_follow_ups: without,
            })
        })
        .collect();
    out.sort_by(|a, b| (a.occurred_at, &a.incident_id).cmp(&(b.occurred_at, &b.incident_id)));
    out
}

/// Shared incidents listed in the Markdown report at most; report.json has them all.
pub const MAX_SHARED_LISTED: usize = 20;

/// The Markdown section of the accountability part: the teams that should act too.
pub fn teams_that_should_act_markdown(shared: &[SharedIncident]) -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "### Teams that should act too

",
    );
    if shared.is_empty() {
        out.push_str(
            "Every team touched by an incident of the period with other teams has a follow-up of its own.\n\n",
        );
        return out;
    }
    let _ = writeln!(
        out,
        "{} incident{} of the period touched several teams, and some of those teams have no follow-up of their own. \
         The team that owns the cause fixes it; the others may still want a guard of their own \
         (stricter tests on their critical paths, a fallback, an alert).\n",
        shared.len(),
        if shared.len() == 1 { "" } else { "s" }
    );
    out.push_str("| Incident | Teams with follow-ups | Teams without |\n|---|---|---|\n");
    let cell = |teams: &[String]| {
        if teams.is_empty() {
            "–".to_owned()
        } else {
            teams
                .iter()
                .map(|team| crate::digest::md_text(team))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    for incident in shared.iter().take(MAX_SHARED_LISTED) {
        let title = incident
            .title
            .as_deref()
            .map(|title| format!(" {}", crate::digest::md_text(title)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {}{title} | {} | {} |",
            crate::digest::md_text(&incident.incident_id),
            cell(&incident.with_follow_ups),
            cell(&incident.without_follow_ups)
        );
    }
    if shared.len() > MAX_SHARED_LISTED {
        let _ = writeln!(
            out,
            "\n… and {} more in report.json (`accountability.teams_that_should_act`).",
            shared.len() - MAX_SHARED_LISTED
        );
    }
    out.push('\n');
    out
}

/// One team's follow-ups.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TeamAccount {
    /// The team.
    pub team: String,
    /// Follow-ups it is responsible for.
    pub total: usize,
    /// Of those, open at `as_of`.
    pub open: usize,
    /// Of those, overdue at `as_of`.
    pub overdue: usize,
    /// Done.
    pub done: usize,
    /// Closed without doing.
    pub wont_do: usize,
    /// Of `total`, those from another team's incident.
    pub from_other_teams: usize,
    /// Median age in days of the open ones at `as_of`.
    pub median_open_age_days: Option<f64>,
    /// Of the follow-ups due by `as_of`, the share done by their due date.
    pub done_by_due_share: Option<f64>,
}

/// One team in one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamMonth {
    /// The team.
    pub team: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Follow-ups opened that month.
    pub opened: usize,
    /// Follow-ups done that month.
    pub done: usize,
    /// Follow-ups due that month.
    pub due: usize,
    /// Of those, done by their due date.
    pub done_by_due: usize,
    /// `done_by_due / due`, when any were due.
    pub share_done_by_due: Option<f64>,
}

fn done_by_due(follow_up: &FollowUp) -> bool {
    follow_up.status == FollowUpStatus::Done
        && matches!((follow_up.closed_at, follow_up.due_at), (Some(closed), Some(due)) if closed <= due)
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

/// Follow-ups per responsible team at `as_of`, and per month of `months` (`YYYY-MM`).
pub fn accountability(
    incidents: &[Incident],
    roster: Option<&Roster>,
    as_of: DateTime<Utc>,
    months: &[String],
) -> Accountability {
    #[derive(Default)]
    struct Acc {
        account: TeamAccount,
        open_ages: Vec<f64>,
        due_by_now: usize,
        done_by_due_now: usize,
        monthly: BTreeMap<String, (usize, usize, usize, usize)>,
    }
    let mut teams: BTreeMap<String, Acc> = BTreeMap::new();
    for incident in incidents {
        for follow_up in &incident.follow_ups {
            let team = responsible_team(follow_up, incident, roster);
            let acc = teams.entry(team.clone()).or_default();
            acc.account.team = team.clone();
            acc.account.total += 1;
            if !incident.teams.iter().any(|t| t.eq_ignore_ascii_case(&team))
                && !incident.teams.is_empty()
            {
                acc.account.from_other_teams += 1;
            }
            match follow_up.status {
                FollowUpStatus::Done => acc.account.done += 1,
                FollowUpStatus::WontDo => acc.account.wont_do += 1,
                FollowUpStatus::Open => {}
            }
            if follow_up.open_at(as_of) {
                acc.account.open += 1;
                if let Some(created) = follow_up.created_at {
                    acc.open_ages
                        .push((as_of - created).num_hours() as f64 / 24.0);
                }
                if follow_up.overdue_at(as_of) {
                    acc.account.overdue += 1;
                }
            }
            if follow_up.due_at.is_some_and(|due| due <= as_of)
                && follow_up.status != FollowUpStatus::WontDo
            {
                acc.due_by_now += 1;
                if done_by_due(follow_up) {
                    acc.done_by_due_now += 1;
                }
            }
            let mut bump =
                |at: Option<DateTime<Utc>>,
                 slot: fn(&mut (usize, usize, usize, usize)) -> &mut usize| {
                    if let Some(at) = at {
                        *slot(acc.monthly.entry(month_label_of(at)).or_default()) += 1;
                    }
                };
            bump(follow_up.created_at, |m| &mut m.0);
            if follow_up.status == FollowUpStatus::Done {
                bump(follow_up.closed_at, |m| &mut m.1);
            }
            if follow_up.status != FollowUpStatus::WontDo {
                bump(follow_up.due_at, |m| &mut m.2);
                if done_by_due(follow_up) {
                    bump(follow_up.due_at, |m| &mut m.3);
                }
            }
        }
    }
    let mut out = Accountability::default();
    for (team, acc) in teams {
        let mut account = acc.account;
        account.median_open_age_days = median(acc.open_ages).map(|d| (d * 10.0).round() / 10.0);
        account.done_by_due_share =
            (acc.due_by_now > 0).then(|| acc.done_by_due_now as f64 / acc.due_by_now as f64);
        for month in months {
            let (opened, done, due, done_by_due) =
                acc.monthly.get(month).copied().unwrap_or_default();
            out.monthly.push(TeamMonth {
                team: team.clone(),
                month: month.clone(),
                opened,
                done,
                due,
                done_by_due,
                share_done_by_due: (due > 0).then(|| done_by_due as f64 / due as f64),
            });
        }
        out.teams.push(account);
    }
    out.teams.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(b.open.cmp(&a.open))
            .then(a.team.cmp(&b.team))
    });
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(month: u32, day: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(2025, month, day, 0, 0, 0).single()
    }

    fn follow_up(
        owner: &str,
        team: Option<&str>,
        status: FollowUpStatus,
        created: u32,
        due: u32,
        closed: Option<u32>,
    ) -> FollowUp {
        FollowUp {
            owner: Some(owner.into()),
            team: team.map(Into::into),
            status,
            created_at: at(created, 1),
            due_at: at(due, 1),
            closed_at: closed.and_then(|m| at(m, 15)),
            ..FollowUp::default()
        }
    }

    fn roster() -> Roster {
        Roster::from_csv("team,manager,members\nPayments,Maria,ana;bo\nData,Dev,cy\n").unwrap()
    }

    #[test]
    fn roster_from_csv_and_toml() {
        let roster = roster();
        assert_eq!(roster.team_of("BO"), Some("Payments"));
        assert_eq!(roster.team_of("Dev"), Some("Data"));
        assert_eq!(roster.manager_of("payments"), Some("Maria"));
        let toml =
            Roster::from_toml("[[team]]\nname = \"Data\"\nmanager = \"Dev\"\nmembers = [\"cy\"]\n")
                .unwrap();
        assert_eq!(toml.teams, roster.teams[1..]);
        assert!(matches!(
            Roster::from_csv("name\nx\n"),
            Err(RosterError::Csv { line: 1, .. })
        ));
    }

    #[test]
    fn responsible_team_prefers_the_roster_then_the_follow_up_then_the_incident() {
        let incident = Incident {
            teams: vec!["Payments".into()],
            ..Incident::default()
        };
        let roster = roster();
        let mut item = follow_up("cy", Some("Infra"), FollowUpStatus::Open, 1, 2, None);
        assert_eq!(responsible_team(&item, &incident, Some(&roster)), "Data");
        assert_eq!(responsible_team(&item, &incident, None), "Infra");
        item.team = None;
        assert_eq!(responsible_team(&item, &incident, None), "Payments");
    }

    #[test]
    fn per_team_counts_ages_and_shares() {
        let incident = Incident {
            id: "I".into(),
            teams: vec!["Payments".into()],
            follow_ups: vec![
                follow_up("ana", None, FollowUpStatus::Done, 1, 3, Some(2)), // done by due
                follow_up("bo", None, FollowUpStatus::Done, 1, 2, Some(3)),  // done late
                follow_up("ana", None, FollowUpStatus::Open, 3, 4, None),    // overdue at as_of
                follow_up("cy", None, FollowUpStatus::Open, 5, 12, None),    // Data, not yet due
            ],
            ..Incident::default()
        };
        let months: Vec<String> = ["2025-02", "2025-03"].map(String::from).to_vec();
        let out = accountability(&[incident], Some(&roster()), at(6, 1).unwrap(), &months);
        let payments = &out.teams[0];
        assert_eq!(payments.team, "Payments");
        assert_eq!(
            (
                payments.total,
                payments.open,
                payments.overdue,
                payments.done
            ),
            (3, 1, 1, 2)
        );
        assert_eq!(payments.done_by_due_share, Some(1.0 / 3.0));
        assert_eq!(payments.median_open_age_days, Some(92.0));
        let data = &out.teams[1];
        assert_eq!(
            (data.team.as_str(), data.from_other_teams, data.overdue),
            ("Data", 1, 0)
        );
        assert_eq!(data.done_by_due_share, None);
        let feb = out
            .monthly
            .iter()
            .find(|m| m.team == "Payments" && m.month == "2025-02")
            .unwrap();
        assert_eq!(
            (feb.due, feb.done_by_due, feb.done, feb.share_done_by_due),
            (1, 0, 1, Some(0.0))
        );
        let mar = out
            .monthly
            .iter()
            .find(|m| m.team == "Payments" && m.month == "2025-03")
            .unwrap();
        assert_eq!(
            (mar.opened, mar.due, mar.done_by_due, mar.done),
            (1, 1, 1, 1)
        );
    }

    #[test]
    fn teams_without_a_follow_up_of_their_own_should_act_too() {
        let period = Period::month_of(chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
        let incident = |id: &str, month: u32, teams: &[&str], follow_ups: Vec<FollowUp>| Incident {
            id: id.into(),
            title: Some(format!("{id} | broke")),
            started_at: at(month, 10),
            teams: teams.iter().map(|t| (*t).to_owned()).collect(),
            follow_ups,
            ..Incident::default()
        };
        let by = |owner: &str, team: Option<&str>| {
            follow_up(owner, team, FollowUpStatus::Open, 3, 4, None)
        };
        let incidents = [
            // The framework team fixed its tests; two client teams did nothing of their own.
            incident(
                "SHARED",
                3,
                &["Framework", "Payments", "Data", "payments"],
                vec![by("zed", Some("framework"))],
            ),
            // Every team acted (Data through its member cy, by the roster).
            incident(
                "ALL",
                3,
                &["Payments", "Data"],
                vec![by("ana", None), by("cy", None)],
            ),
            // One team only, or outside the period: not listed.
            incident("ONE", 3, &["Data"], Vec::new()),
            incident("APRIL", 4, &["Payments", "Data"], Vec::new()),
        ];
        let shared = teams_that_should_act(&incidents, &period, Some(&roster()));
        assert_eq!(shared.len(), 1, "{shared:?}");
        assert_eq!(shared[0].incident_id, "SHARED");
        assert_eq!(shared[0].teams, ["Framework", "Payments", "Data"]);
        assert_eq!(shared[0].with_follow_ups, ["Framework"]);
        assert_eq!(shared[0].without_follow_ups, ["Payments", "Data"]);
        let markdown = teams_that_should_act_markdown(&shared);
        assert!(
            markdown.contains("| SHARED SHARED \\| broke | Framework | Payments, Data |"),
            "{markdown}"
        );
        assert!(teams_that_should_act_markdown(&[]).contains("Every team touched"));
    }
}
