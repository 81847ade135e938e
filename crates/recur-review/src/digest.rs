//! Follow-up digests between reviews: for each owner and each responsible team, their open and
//! overdue follow-ups, oldest first, each with its incident, due date, days overdue and whether
//! the incident's pattern recurred since the follow-up was opened; and the chat messages that
//! remind each team of its overdue ones.
//!
//! The counts are those of [`crate::review::follow_up_report`] (open at `as_of`, overdue when
//! open and past due), so a digest agrees with `recur followups --format json`. Everything here
//! returns data and bytes; the caller writes the files and posts the messages.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use recur_core::Incident;
use serde::Serialize;

use crate::accountability::{Roster, responsible_team};
use crate::review::follow_up_key;

/// Open and overdue follow-ups per owner and per team.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Digest {
    /// "Now": open and overdue are as of then.
    pub as_of: DateTime<Utc>,
    /// Follow-ups open at `as_of`.
    pub open: usize,
    /// Of those, past due.
    pub overdue: usize,
    /// One entry per owner with an open follow-up (`unowned` for those nobody owns), most
    /// overdue first, then most open, then by name.
    pub owners: Vec<OwnerDigest>,
    /// One entry per responsible team with an open follow-up, in the same order.
    pub teams: Vec<TeamDigest>,
}

/// One owner's open follow-ups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerDigest {
    /// The owner (`unowned` for follow-ups nobody owns).
    pub owner: String,
    /// The owner's team: the responsible team of most of the owner's follow-ups (ties by name).
    pub team: String,
    /// Open follow-ups.
    pub open: usize,
    /// Of those, overdue.
    pub overdue: usize,
    /// The follow-ups, oldest due date first (those without one last).
    pub items: Vec<DigestItem>,
}

/// One team's open follow-ups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamDigest {
    /// The responsible team (see [`responsible_team`]).
    pub team: String,
    /// Open follow-ups.
    pub open: usize,
    /// Of those, overdue.
    pub overdue: usize,
    /// The follow-ups, oldest due date first (those without one last).
    pub items: Vec<DigestItem>,
}

/// One open follow-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestItem {
    /// Its id (or `incident#n`).
    pub id: String,
    /// What is to be done.
    pub title: Option<String>,
    /// Its incident.
    pub incident_id: String,
    /// The incident's title.
    pub incident_title: Option<String>,
    /// Who owns it (`unowned` when nobody).
    pub owner: String,
    /// The responsible team.
    pub team: String,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// Days past due at `as_of`: negative while not yet due (minus the days left), none
    /// without a due date.
    pub days_overdue: Option<i64>,
    /// Open and past due at `as_of`.
    pub overdue: bool,
    /// Whether another incident of the same pattern started after the follow-up was opened
    /// (by `as_of`).
    pub pattern_recurred_since: bool,
    /// Tracker link.
    pub tracker: Option<String>,
}

/// The digest of the open follow-ups of `incidents` at `as_of`; `pattern_of` is the pattern
/// index of each incident (as mined), for "pattern recurred since".
pub fn digest(
    incidents: &[Incident],
    pattern_of: &[Option<usize>],
    as_of: DateTime<Utc>,
    roster: Option<&Roster>,
) -> Digest {
    let starts = PatternStarts::new(incidents, pattern_of);
    let mut items = Vec::new();
    for (position, incident) in incidents.iter().enumerate() {
        for (index, follow_up) in incident.follow_ups.iter().enumerate() {
            if !follow_up.open_at(as_of) {
                continue;
            }
            let opened = follow_up.created_at.or(incident.occurred_at());
            let pattern = pattern_of.get(position).copied().flatten();
            items.push(DigestItem {
                id: follow_up_key(incident, index),
                title: follow_up.title.clone(),
                incident_id: incident.id.clone(),
                incident_title: incident.title.clone(),
                owner: follow_up
                    .owner
                    .clone()
                    .unwrap_or_else(|| "unowned".to_owned()),
                team: responsible_team(follow_up, incident, roster),
                due_at: follow_up.due_at,
                days_overdue: follow_up.due_at.map(|due| (as_of - due).num_days()),
                overdue: follow_up.overdue_at(as_of),
                pattern_recurred_since: pattern.is_some_and(|pattern| {
                    starts.recurred(pattern, opened, incident.occurred_at(), as_of)
                }),
                tracker: follow_up.tracker.clone(),
            });
        }
    }
    items.sort_by(|a, b| {
        (a.due_at.is_none(), a.due_at, &a.incident_id, &a.id).cmp(&(
            b.due_at.is_none(),
            b.due_at,
            &b.incident_id,
            &b.id,
        ))
    });
    let mut by_owner: BTreeMap<&str, Vec<&DigestItem>> = BTreeMap::new();
    let mut by_team: BTreeMap<&str, Vec<&DigestItem>> = BTreeMap::new();
    for item in &items {
        by_owner.entry(&item.owner).or_default().push(item);
        by_team.entry(&item.team).or_default().push(item);
    }
    let mut owners: Vec<OwnerDigest> = by_owner
        .into_iter()
        .map(|(owner, list)| OwnerDigest {
            owner: owner.to_owned(),
            team: main_team(&list),
            open: list.len(),
            overdue: list.iter().filter(|item| item.overdue).count(),
            items: list.into_iter().cloned().collect(),
        })
        .collect();
    owners.sort_by(|a, b| {
        (b.overdue, b.open)
            .cmp(&(a.overdue, a.open))
            .then_with(|| a.owner.cmp(&b.owner))
    });
    let mut teams: Vec<TeamDigest> = by_team
        .into_iter()
        .map(|(team, list)| TeamDigest {
            team: team.to_owned(),
            open: list.len(),
            overdue: list.iter().filter(|item| item.overdue).count(),
            items: list.into_iter().cloned().collect(),
        })
        .collect();
    teams.sort_by(|a, b| {
        (b.overdue, b.open)
            .cmp(&(a.overdue, a.open))
            .then_with(|| a.team.cmp(&b.team))
    });
    Digest {
        as_of,
        open: items.len(),
        overdue: items.iter().filter(|item| item.overdue).count(),
        owners,
        teams,
    }
}

/// One file of a digest folder: its path relative to the folder, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestFile {
    /// `digest.json`, `owners/<name>.md` or `teams/<name>.md`.
    pub path: String,
    /// The file's content.
    pub bytes: Vec<u8>,
}

/// The files of a digest folder: `digest.json`, one `owners/<name>.md` per owner and one
/// `teams/<name>.md` per team. Names are the owner or team in lower case with every run of
/// other characters than letters and digits made one `-` (a second owner of the same name
/// gets `-2`, …).
pub fn digest_files(digest: &Digest) -> Result<Vec<DigestFile>, serde_json::Error> {
    let mut json = serde_json::to_vec_pretty(digest)?;
    json.push(b'\n');
    let mut files = vec![DigestFile {
        path: "digest.json".to_owned(),
        bytes: json,
    }];
    let mut taken = BTreeSet::new();
    for owner in &digest.owners {
        files.push(DigestFile {
            path: unique_name("owners", &owner.owner, &mut taken),
            bytes: render_owner(owner, digest.as_of).into_bytes(),
        });
    }
    for team in &digest.teams {
        files.push(DigestFile {
            path: unique_name("teams", &team.team, &mut taken),
            bytes: render_team(team, digest.as_of).into_bytes(),
        });
    }
    Ok(files)
}

/// One owner's digest in Markdown, small enough to paste into a chat message or an email.
pub fn render_owner(owner: &OwnerDigest, as_of: DateTime<Utc>) -> String {
    let heading = format!(
        "Follow-ups of {} ({})",
        md_text(&owner.owner),
        md_text(&owner.team)
    );
    render_list(
        &heading,
        owner.open,
        owner.overdue,
        &owner.items,
        as_of,
        false,
    )
}

/// One team's digest in Markdown, each follow-up with its owner.
pub fn render_team(team: &TeamDigest, as_of: DateTime<Utc>) -> String {
    let heading = format!("Follow-ups of team {}", md_text(&team.team));
    render_list(&heading, team.open, team.overdue, &team.items, as_of, true)
}

fn render_list(
    heading: &str,
    open: usize,
    overdue: usize,
    items: &[DigestItem],
    as_of: DateTime<Utc>,
    with_owner: bool,
) -> String {
    let mut out = format!(
        "# {heading}\n\nAs of {}: {open} open, {overdue} overdue. Oldest first.\n\n",
        as_of.format("%Y-%m-%d")
    );
    for item in items {
        let _ = writeln!(out, "- {}", item_line(item, with_owner, md_text));
    }
    out
}

/// One follow-up in one line: id, title, (owner,) due date and days, incident, and the
/// recurrence warning. `escape` makes incident text safe for the target's markup.
fn item_line(item: &DigestItem, with_owner: bool, escape: fn(&str) -> String) -> String {
    let mut line = format!("**{}**", escape(&item.id));
    if let Some(title) = &item.title {
        let _ = write!(line, " {}", escape(title));
    }
    if with_owner {
        let _ = write!(line, " ({})", escape(&item.owner));
    }
    let due = match (item.due_at, item.days_overdue) {
        (Some(due), Some(days)) if item.overdue => format!(
            "due {}, {days} day{} overdue",
            due.format("%Y-%m-%d"),
            if days == 1 { "" } else { "s" }
        ),
        (Some(due), _) => format!("due {}", due.format("%Y-%m-%d")),
        _ => "no due date".to_owned(),
    };
    let _ = write!(line, ": {due}; incident {}", escape(&item.incident_id));
    if let Some(title) = &item.incident_title {
        let _ = write!(line, " \"{}\"", escape(title));
    }
    if item.pattern_recurred_since {
        line.push_str("; **its pattern recurred since**");
    }
    if let Some(tracker) = &item.tracker {
        let _ = write!(line, " {}", escape(tracker));
    }
    line
}

/// The chat service a reminder is shaped for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatFormat {
    /// `{"text": ...}`: the incoming-webhook shape of Slack, Mattermost and Rocket.Chat.
    Slack,
    /// A message with one Adaptive Card, the shape of a Microsoft Teams workflow webhook.
    Teams,
}

/// One reminder to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// The team it reminds.
    pub team: String,
    /// The message text, as it will show.
    pub text: String,
    /// The JSON body to post.
    pub body: Vec<u8>,
}

/// Overdue follow-ups listed in one reminder at most; the rest are counted.
pub const MAX_REMINDER_ITEMS: usize = 20;

/// One reminder per team with overdue follow-ups (in the digest's team order): its overdue
/// follow-ups, oldest first (at most [`MAX_REMINDER_ITEMS`], the rest counted).
pub fn chat_messages(
    digest: &Digest,
    format: ChatFormat,
) -> Result<Vec<ChatMessage>, serde_json::Error> {
    digest
        .teams
        .iter()
        .filter(|team| team.overdue > 0)
        .map(|team| {
            let text = reminder_text(team, digest.as_of, format);
            let body = match format {
                ChatFormat::Slack => serde_json::json!({ "text": text }),
                ChatFormat::Teams => serde_json::json!({
                    "type": "message",
                    "attachments": [{
                        "contentType": "application/vnd.microsoft.card.adaptive",
                        "content": {
                            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                            "type": "AdaptiveCard",
                            "version": "1.4",
                            "body": [{ "type": "TextBlock", "text": text, "wrap": true }]
                        }
                    }]
                }),
            };
            Ok(ChatMessage {
                team: team.team.clone(),
                text,
                body: serde_json::to_vec(&body)?,
            })
        })
        .collect()
}

fn reminder_text(team: &TeamDigest, as_of: DateTime<Utc>, format: ChatFormat) -> String {
    let (escape, bold, bullet): (fn(&str) -> String, &str, &str) = match format {
        ChatFormat::Slack => (slack_text, "*", "•"),
        ChatFormat::Teams => (md_text, "**", "-"),
    };
    let mut text = format!(
        "{bold}Overdue follow-ups of {}{bold} (as of {}): {} overdue, {} open",
        escape(&team.team),
        as_of.format("%Y-%m-%d"),
        team.overdue,
        team.open
    );
    let overdue: Vec<&DigestItem> = team.items.iter().filter(|item| item.overdue).collect();
    for item in overdue.iter().take(MAX_REMINDER_ITEMS) {
        let line = item_line(item, true, escape).replace("**", bold);
        let _ = write!(text, "\n{bullet} {line}");
    }
    if overdue.len() > MAX_REMINDER_ITEMS {
        let _ = write!(text, "\n… and {} more", overdue.len() - MAX_REMINDER_ITEMS);
    }
    text
}

/// Starts of the incidents of each pattern, sorted, to tell whether a pattern recurred since a
/// follow-up was opened in `O(log n)`.
struct PatternStarts(BTreeMap<usize, Vec<DateTime<Utc>>>);

impl PatternStarts {
    fn new(incidents: &[Incident], pattern_of: &[Option<usize>]) -> Self {
        let mut starts: BTreeMap<usize, Vec<DateTime<Utc>>> = BTreeMap::new();
        for (incident, pattern) in incidents.iter().zip(pattern_of) {
            if let (Some(pattern), Some(at)) = (pattern, incident.occurred_at()) {
                starts.entry(*pattern).or_default().push(at);
            }
        }
        for list in starts.values_mut() {
            list.sort_unstable();
        }
        Self(starts)
    }

    /// Whether an incident of `pattern` other than the follow-up's own (started at `own`)
    /// started after `opened` and by `as_of`; the rule of
    /// [`crate::review::OverdueItem::pattern_recurred_since`].
    fn recurred(
        &self,
        pattern: usize,
        opened: Option<DateTime<Utc>>,
        own: Option<DateTime<Utc>>,
        as_of: DateTime<Utc>,
    ) -> bool {
        let (Some(opened), Some(starts)) = (opened, self.0.get(&pattern)) else {
            return false;
        };
        let from = starts.partition_point(|at| *at <= opened);
        let to = starts.partition_point(|at| *at <= as_of);
        starts
            .get(from..to)
            .is_some_and(|range| range.iter().any(|at| Some(*at) != own))
    }
}

/// The team most of the items are due from (ties by name).
fn main_team(items: &[&DigestItem]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for item in items {
        *counts.entry(&item.team).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(team, _)| team.to_owned())
        .unwrap_or_default()
}

/// `folder/<name>.md`, the name made of `who`, unique among `taken`.
fn unique_name(folder: &str, who: &str, taken: &mut BTreeSet<String>) -> String {
    let mut stem = String::new();
    for c in who.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            stem.push(c);
        } else if !stem.ends_with('-') {
            stem.push('-');
        }
    }
    let stem = match stem.trim_matches('-') {
        "" => "unnamed",
        trimmed => trimmed,
    }
    .to_owned();
    let mut path = format!("{folder}/{stem}.md");
    let mut n = 1;
    while !taken.insert(path.clone()) {
        n += 1;
        path = format!("{folder}/{stem}-{n}.md");
    }
    path
}

/// Text for a Markdown line or table cell: on one line, with Markdown's markup characters
/// escaped.
pub(crate) fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
    {
        if "\\`*_[]<>#|".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text for Slack's mrkdwn: on one line, `&`, `<` and `>` escaped as Slack requires.
fn slack_text(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeZone;
    use recur_core::synth::{SynthParams, generate};
    use recur_core::{FollowUp, FollowUpStatus};

    use super::*;
    use crate::review::follow_up_report;

    fn day(month: u32, day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, month, day, 0, 0, 0).unwrap()
    }

    fn follow_up(id: &str, owner: Option<&str>, due: Option<DateTime<Utc>>) -> FollowUp {
        FollowUp {
            id: Some(id.to_owned()),
            title: Some(format!("do {id}")),
            owner: owner.map(str::to_owned),
            created_at: Some(day(1, 5)),
            due_at: due,
            ..FollowUp::default()
        }
    }

    fn incident(id: &str, started: DateTime<Utc>, follow_ups: Vec<FollowUp>) -> Incident {
        Incident {
            id: id.to_owned(),
            title: Some(format!("incident {id}")),
            started_at: Some(started),
            teams: vec!["payments".to_owned()],
            follow_ups,
            ..Incident::default()
        }
    }

    fn fixture() -> (Vec<Incident>, Vec<Option<usize>>) {
        let mut done = follow_up("F-done", Some("Ana Lopez"), Some(day(2, 1)));
        done.status = FollowUpStatus::Done;
        let incidents = vec![
            incident(
                "INC-1",
                day(1, 4),
                vec![
                    follow_up("F-late", Some("Ana Lopez"), Some(day(2, 1))),
                    follow_up("F-later", Some("Ana Lopez"), Some(day(2, 20))),
                    follow_up("F-soon", Some("Ana Lopez"), Some(day(4, 1))),
                    done,
                ],
            ),
            incident("INC-2", day(1, 20), vec![follow_up("F-x", None, None)]),
            // Same pattern as INC-1, after its follow-ups were opened.
            incident("INC-3", day(2, 10), Vec::new()),
        ];
        (incidents, vec![Some(0), Some(1), Some(0)])
    }

    #[test]
    fn owners_and_teams_list_open_follow_ups_oldest_first_with_recurrence() {
        let (incidents, pattern_of) = fixture();
        let digest = digest(&incidents, &pattern_of, day(3, 1), None);
        assert_eq!((digest.open, digest.overdue), (4, 2));
        let owners: Vec<(&str, &str, usize, usize)> = digest
            .owners
            .iter()
            .map(|o| (o.owner.as_str(), o.team.as_str(), o.open, o.overdue))
            .collect();
        assert_eq!(
            owners,
            [
                ("Ana Lopez", "payments", 3, 2),
                ("unowned", "payments", 1, 0)
            ]
        );
        let ana = &digest.owners[0];
        let ids: Vec<&str> = ana.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["F-late", "F-later", "F-soon"]);
        assert_eq!(ana.items[0].days_overdue, Some(28));
        assert_eq!(ana.items[2].days_overdue, Some(-31));
        assert!(ana.items.iter().all(|i| i.pattern_recurred_since));
        assert!(!digest.owners[1].items[0].pattern_recurred_since);
        assert_eq!(digest.teams.len(), 1);
        assert_eq!(digest.teams[0].items.len(), 4);
        assert_eq!(
            digest.teams[0].items.last().map(|i| i.id.as_str()),
            Some("F-x"),
            "no due date last"
        );
        let markdown = render_owner(ana, digest.as_of);
        assert_eq!(
            markdown,
            "# Follow-ups of Ana Lopez (payments)\n\nAs of 2026-03-01: 3 open, 2 overdue. Oldest first.\n\n\
             - **F-late** do F-late: due 2026-02-01, 28 days overdue; incident INC-1 \"incident INC-1\"; **its pattern recurred since**\n\
             - **F-later** do F-later: due 2026-02-20, 9 days overdue; incident INC-1 \"incident INC-1\"; **its pattern recurred since**\n\
             - **F-soon** do F-soon: due 2026-04-01; incident INC-1 \"incident INC-1\"; **its pattern recurred since**\n"
        );
    }

    #[test]
    fn counts_agree_with_the_follow_up_report() {
        let incidents = generate(&SynthParams {
            n_incidents: 300,
            ..SynthParams::default()
        })
        .incidents;
        let pattern_of: Vec<Option<usize>> = (0..incidents.len()).map(|i| Some(i % 7)).collect();
        let as_of = day(11, 1);
        let report = follow_up_report(&incidents, &pattern_of, as_of, None);
        let digest = digest(&incidents, &pattern_of, as_of, None);
        assert!(report.overdue > 0);
        assert_eq!((digest.open, digest.overdue), (report.open, report.overdue));
        let by_owner: BTreeMap<String, usize> = digest
            .owners
            .iter()
            .filter(|o| o.overdue > 0)
            .map(|o| (o.owner.clone(), o.overdue))
            .collect();
        assert_eq!(
            by_owner,
            report
                .overdue_by_owner
                .iter()
                .cloned()
                .collect::<BTreeMap<_, _>>()
        );
        let by_team: BTreeMap<String, usize> = digest
            .teams
            .iter()
            .filter(|t| t.overdue > 0)
            .map(|t| (t.team.clone(), t.overdue))
            .collect();
        assert_eq!(
            by_team,
            report
                .overdue_by_team
                .iter()
                .cloned()
                .collect::<BTreeMap<_, _>>()
        );
        let recurred: BTreeMap<&str, bool> = digest
            .teams
            .iter()
            .flat_map(|t| &t.items)
            .filter(|i| i.overdue)
            .map(|i| (i.id.as_str(), i.pattern_recurred_since))
            .collect();
        let expected: BTreeMap<&str, bool> = report
            .overdue_items
            .iter()
            .map(|i| (i.id.as_str(), i.pattern_recurred_since))
            .collect();
        assert_eq!(recurred, expected);
    }

    #[test]
    fn files_have_unique_names_and_the_json_carries_the_counts() {
        let (mut incidents, pattern_of) = fixture();
        incidents[1].follow_ups[0].owner = Some("ana lopez!".to_owned());
        let digest = digest(&incidents, &pattern_of, day(3, 1), None);
        let files = digest_files(&digest).unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "digest.json",
                "owners/ana-lopez.md",
                "owners/ana-lopez-2.md",
                "teams/payments.md"
            ]
        );
        let json: serde_json::Value = serde_json::from_slice(&files[0].bytes).unwrap();
        assert_eq!(json["owners"][0]["owner"], "Ana Lopez");
        assert_eq!(json["owners"][0]["overdue"], 2);
        assert_eq!(json["teams"][0]["open"], 4);
        assert_eq!(json["teams"][0]["items"][0]["days_overdue"], 28);
        assert_eq!(digest_files(&digest).unwrap(), files, "deterministic");
    }

    #[test]
    fn reminders_go_to_teams_with_overdue_items_in_each_shape() {
        let (mut incidents, pattern_of) = fixture();
        incidents[0].follow_ups[0].title = Some("fix <b> & *this*".to_owned());
        incidents[1].teams = vec!["search".to_owned()];
        let digest = digest(&incidents, &pattern_of, day(3, 1), None);
        let slack = chat_messages(&digest, ChatFormat::Slack).unwrap();
        assert_eq!(slack.len(), 1, "search has nothing overdue");
        assert_eq!(slack[0].team, "payments");
        assert!(
            slack[0].text.starts_with(
                "*Overdue follow-ups of payments* (as of 2026-03-01): 2 overdue, 3 open\n• *F-late* fix &lt;b&gt; &amp; *this* (Ana Lopez): due 2026-02-01, 28 days overdue"
            ),
            "{}",
            slack[0].text
        );
        let body: serde_json::Value = serde_json::from_slice(&slack[0].body).unwrap();
        assert_eq!(body["text"], slack[0].text.as_str());
        let teams = chat_messages(&digest, ChatFormat::Teams).unwrap();
        let body: serde_json::Value = serde_json::from_slice(&teams[0].body).unwrap();
        assert_eq!(body["type"], "message");
        let text = &body["attachments"][0]["content"]["body"][0]["text"];
        assert!(
            text.as_str()
                .unwrap()
                .contains("- **F-late** fix \\<b\\> & \\*this\\*"),
            "{text}"
        );
    }
}
