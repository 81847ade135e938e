//! `recur followups`: open and overdue follow-ups by owner and team, for people and for CI.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use recur_cluster::patterns::{PatternParams, find_patterns};
use recur_core::output::{Cell, Column, write_table};
use recur_core::{FollowUp, Incident};
use recur_review::accountability::{Roster, responsible_team};
use recur_review::digest::{ChatFormat, Digest, chat_messages, digest, digest_files};
use recur_review::review::{FollowUpReport, OverdueItem, follow_up_key, follow_up_report};
use serde::Serialize;

use super::notify::{Webhook, check_url, post_all};
use super::{InputArgs, Listed, load_roster, parse_as_of, report_missing, write_atomic};

/// Arguments of `recur followups`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// "Now" (YYYY-MM-DD or RFC 3339). Default: the current time.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Only follow-ups of this responsible team (case-insensitive); the counts are then the
    /// team's. A team with no follow-ups is an error (exit code 2) that suggests the nearest
    /// name.
    #[arg(long)]
    team: Option<String>,
    /// Only follow-ups of this owner (case-insensitive; `unowned` for those without one); the
    /// counts are then the owner's. An owner with no follow-ups is an error (exit code 2) that
    /// suggests the nearest name.
    #[arg(long)]
    owner: Option<String>,
    /// Teams with managers and members (CSV or TOML), to find each owner's team.
    #[arg(long, value_name = "FILE")]
    roster: Option<PathBuf>,
    /// Output format. Every format lists the overdue follow-ups and the open ones not yet due.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with code 1 when any (selected) follow-up is overdue, so CI can nag.
    #[arg(long)]
    fail_on_overdue: bool,
    /// Write digests to this folder: `owners/<name>.md` and `teams/<name>.md` (open and
    /// overdue follow-ups, oldest first, each with its incident, due date, days overdue and
    /// whether its pattern recurred since) and `digest.json` (the same counts as
    /// `--format json`). Digest files of owners and teams that no longer have any are removed.
    #[arg(long, value_name = "DIR")]
    digest: Option<PathBuf>,
    /// Post one reminder per team with overdue follow-ups to this chat webhook (after the
    /// digest files are written). A message that still fails after the retries is an error
    /// (exit code 2) naming the HTTP status. Prefer --notify-env in CI: a URL given here shows
    /// in logs and process lists.
    #[arg(long, value_name = "URL", conflicts_with = "notify_env")]
    notify: Option<String>,
    /// Like --notify, with the webhook URL read from this environment variable (e.g. a CI
    /// secret), so it stays out of logs.
    #[arg(long, value_name = "VAR")]
    notify_env: Option<String>,
    /// The webhook's message shape: `slack` posts `{"text": ...}` (Slack, Mattermost,
    /// Rocket.Chat incoming webhooks); `teams` posts a message with an Adaptive Card
    /// (Microsoft Teams workflow webhooks).
    #[arg(long, value_enum, default_value_t = NotifyFormat::Slack)]
    notify_format: NotifyFormat,
    /// Seconds one post may take before it is abandoned (and retried).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    notify_timeout: f64,
    /// Retries of a post that failed with a server error (5xx), 429, a timeout or no
    /// connection; the pause before each doubles from one second.
    #[arg(long, value_name = "N", default_value_t = 3)]
    notify_retries: u32,
    /// Print the reminders that would be posted (team and JSON body) instead of posting them.
    #[arg(long)]
    dry_run: bool,
}

/// `--notify-format`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum NotifyFormat {
    Slack,
    Teams,
}

/// `--format`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    Csv,
}

/// An open follow-up that is not overdue (not yet due, or without a due date).
#[derive(Debug, Clone, Serialize)]
pub struct OpenItem {
    /// Its id (or `incident#n`).
    id: String,
    /// Its incident.
    incident_id: String,
    /// What is to be done.
    title: Option<String>,
    /// Who owns it (`unowned` when nobody).
    owner: String,
    /// The responsible team.
    team: String,
    /// When it is due, if it has a due date.
    due_at: Option<DateTime<Utc>>,
    /// Days until it is due at `as_of`.
    days_until_due: Option<i64>,
    /// Tracker link.
    tracker: Option<String>,
}

/// The JSON output: the follow-up report of the selection, and the open items not yet due.
#[derive(Serialize)]
struct JsonOutput<'a> {
    #[serde(flatten)]
    report: &'a FollowUpReport,
    /// Open follow-ups that are not overdue, soonest due first (those without a due date last).
    open_not_due_items: &'a [OpenItem],
}

/// `--team` and `--owner`.
struct Selection<'a> {
    team: Option<&'a str>,
    owner: Option<&'a str>,
}

impl Selection<'_> {
    fn keeps(&self, owner: &str, team: &str) -> bool {
        self.team.is_none_or(|t| t.eq_ignore_ascii_case(team))
            && self.owner.is_none_or(|o| o.eq_ignore_ascii_case(owner))
    }
}

/// Run `recur followups`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let as_of = match &args.as_of {
        Some(text) => parse_as_of(text)?,
        None => Utc::now(),
    };
    let mut missing = Vec::new();
    let roster = load_roster(args.roster.as_deref(), &args.input, &mut missing)?;
    if let Some(dir) = &args.digest {
        super::refuse_outputs_in_inputs(&args.input, &[dir.as_path()]).map_err(|error| {
            anyhow::anyhow!("{}", error.to_string().replacen("--out", "--digest", 1))
        })?;
    }
    let normalized = args.input.load(missing, &Listed::default())?;
    let patterns = find_patterns(&normalized.incidents, &PatternParams::default())
        .context("pattern mining failed")?;
    let selection = Selection {
        team: args.team.as_deref(),
        owner: args.owner.as_deref(),
    };
    // Mined on every follow-up's incident, before the selection: patterns are the same
    // whichever follow-ups are shown.
    let mut incidents = normalized.incidents;
    let open_items = select(&mut incidents, as_of, roster.as_ref(), &selection)?;
    let report = follow_up_report(&incidents, &patterns.assignment, as_of, roster.as_ref());
    // Checked before any output, so a missing secret fails fast.
    let webhook = webhook(&args)?;
    match args.format {
        Format::Json => {
            let output = JsonOutput {
                report: &report,
                open_not_due_items: &open_items,
            };
            println!("{}", serde_json::to_string_pretty(&output)?);
        }
        Format::Csv => write_csv(std::io::stdout(), &report.overdue_items, &open_items)?,
        Format::Text => print_text(&report, &open_items, as_of),
    }
    if args.digest.is_some() || webhook.is_some() || args.dry_run {
        let digest = digest(&incidents, &patterns.assignment, as_of, roster.as_ref());
        if let Some(dir) = &args.digest {
            write_digest(dir, &digest)?;
        }
        remind(&args, webhook.as_ref(), &digest)?;
    }
    report_missing(&normalized.errors);
    let overdue = !report.overdue_items.is_empty();
    Ok(if args.fail_on_overdue && overdue {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The webhook of `--notify` or `--notify-env`, if one is given. Its URL is never printed.
fn webhook(args: &Args) -> anyhow::Result<Option<Webhook>> {
    let url = match (&args.notify, &args.notify_env) {
        (Some(url), _) => {
            check_url(url, "--notify")?;
            url.clone()
        }
        (None, Some(var)) => {
            let url = std::env::var(var)
                .ok()
                .filter(|url| !url.trim().is_empty())
                .with_context(|| format!("--notify-env: environment variable {var} is not set"))?;
            check_url(&url, &format!("the value of ${var}"))?;
            url
        }
        (None, None) => return Ok(None),
    };
    if !(args.notify_timeout.is_finite() && args.notify_timeout > 0.0) {
        anyhow::bail!(
            "--notify-timeout {} is not a number of seconds above 0",
            args.notify_timeout
        );
    }
    Ok(Some(Webhook {
        url: url.trim().to_owned(),
        timeout: Duration::from_secs_f64(args.notify_timeout.min(3600.0)),
        retries: args.notify_retries,
        backoff: Duration::from_secs(1),
    }))
}

/// Write the digest folder: each file atomically; digest files of owners and teams that have
/// none now are removed, so the folder is this run's.
fn write_digest(dir: &Path, digest: &Digest) -> anyhow::Result<()> {
    let files = digest_files(digest).context("cannot write the digest as JSON")?;
    let written: BTreeSet<PathBuf> = files.iter().map(|file| dir.join(&file.path)).collect();
    for file in &files {
        write_atomic(&dir.join(&file.path), &file.bytes)?;
    }
    for folder in ["owners", "teams"] {
        let Ok(entries) = std::fs::read_dir(dir.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let markdown = path.extension().is_some_and(|e| e == "md");
            if markdown && !written.contains(&path) {
                std::fs::remove_file(&path)
                    .with_context(|| format!("cannot remove the old digest {}", path.display()))?;
            }
        }
    }
    eprintln!(
        "wrote {} digest files to {} ({} owners, {} teams)",
        files.len(),
        dir.display(),
        digest.owners.len(),
        digest.teams.len()
    );
    Ok(())
}

/// Post (or with `--dry-run` print) one reminder per team with overdue follow-ups.
fn remind(args: &Args, webhook: Option<&Webhook>, digest: &Digest) -> anyhow::Result<()> {
    if webhook.is_none() && !args.dry_run {
        return Ok(());
    }
    let format = match args.notify_format {
        NotifyFormat::Slack => ChatFormat::Slack,
        NotifyFormat::Teams => ChatFormat::Teams,
    };
    let messages = chat_messages(digest, format).context("cannot write a reminder as JSON")?;
    if args.dry_run {
        for message in &messages {
            println!(
                "would post the reminder of team {} ({} bytes):\n{}\n",
                message.team,
                message.body.len(),
                String::from_utf8_lossy(&message.body)
            );
        }
        eprintln!(
            "dry run: {} reminder{} not posted",
            messages.len(),
            if messages.len() == 1 { "" } else { "s" }
        );
        return Ok(());
    }
    match webhook {
        Some(webhook) if !messages.is_empty() => post_all(webhook, &messages),
        Some(_) => {
            eprintln!("no team has overdue follow-ups: no reminder posted");
            Ok(())
        }
        None => Ok(()),
    }
}

/// Keep only the selected follow-ups of each incident, so that the follow-up report of the
/// incidents is the selection's (its counts too), and list the selected open follow-ups that are
/// not overdue. A follow-up without an id is given its key (`incident#n`, by its position)
/// first, so it keeps its name when others are removed. A team or owner that has no follow-up
/// at all is an error naming the nearest known name.
fn select(
    incidents: &mut [Incident],
    as_of: DateTime<Utc>,
    roster: Option<&Roster>,
    selection: &Selection,
) -> anyhow::Result<Vec<OpenItem>> {
    let mut owners = BTreeSet::new();
    let mut teams = BTreeSet::new();
    let mut open_items = Vec::new();
    for incident in incidents.iter_mut() {
        let keys: Vec<String> = (0..incident.follow_ups.len())
            .map(|index| follow_up_key(incident, index))
            .collect();
        let follow_ups = std::mem::take(&mut incident.follow_ups);
        for (mut follow_up, key) in follow_ups.into_iter().zip(keys) {
            let owner = follow_up
                .owner
                .clone()
                .unwrap_or_else(|| "unowned".to_owned());
            let team = responsible_team(&follow_up, incident, roster);
            let kept = selection.keeps(&owner, &team);
            owners.insert(owner.clone());
            teams.insert(team.clone());
            if !kept {
                continue;
            }
            follow_up.id = Some(key);
            if open_not_due(&follow_up, as_of) {
                open_items.push(OpenItem {
                    id: follow_up.id.clone().unwrap_or_default(),
                    incident_id: incident.id.clone(),
                    title: follow_up.title.clone(),
                    owner,
                    team,
                    due_at: follow_up.due_at,
                    days_until_due: follow_up.due_at.map(|due| (due - as_of).num_days()),
                    tracker: follow_up.tracker.clone(),
                });
            }
            incident.follow_ups.push(follow_up);
        }
    }
    if let Some(team) = selection.team {
        known("team", team, &teams)?;
    }
    if let Some(owner) = selection.owner {
        known("owner", owner, &owners)?;
    }
    open_items.sort_by(|a, b| {
        (a.due_at.is_none(), a.due_at, &a.id).cmp(&(b.due_at.is_none(), b.due_at, &b.id))
    });
    Ok(open_items)
}

/// Open at `as_of` and not past due. (One that was open then and past due but is closed now,
/// with an `--as-of` in the past, is neither this nor overdue by the status it has now.)
fn open_not_due(follow_up: &FollowUp, as_of: DateTime<Utc>) -> bool {
    follow_up.open_at(as_of) && follow_up.due_at.is_none_or(|due| due >= as_of)
}

/// Fails unless `wanted` is one of `names` (case-insensitive), suggesting the nearest one.
fn known(what: &str, wanted: &str, names: &BTreeSet<String>) -> anyhow::Result<()> {
    if names.iter().any(|name| name.eq_ignore_ascii_case(wanted)) {
        return Ok(());
    }
    match nearest(wanted, names) {
        Some(name) => anyhow::bail!("no follow-ups for {what} '{wanted}'; did you mean '{name}'?"),
        None => {
            let listed: Vec<&str> = names.iter().take(10).map(String::as_str).collect();
            anyhow::bail!(
                "no follow-ups for {what} '{wanted}'; {what}s with follow-ups: {}{}",
                listed.join(", "),
                if names.len() > listed.len() {
                    ", …"
                } else {
                    ""
                }
            )
        }
    }
}

/// The name `wanted` most likely meant: one that contains it (a first or last name alone),
/// else the most similar by Jaro-Winkler, if similar enough. Ties go to the first by name.
fn nearest<'a>(wanted: &str, names: &'a BTreeSet<String>) -> Option<&'a str> {
    let wanted = wanted.to_lowercase();
    if wanted.is_empty() {
        return None;
    }
    if let Some(name) = names
        .iter()
        .find(|name| name.to_lowercase().contains(&wanted))
    {
        return Some(name);
    }
    const SIMILAR_ENOUGH: f64 = 0.8;
    let mut best: Option<(f64, &str)> = None;
    for name in names {
        let score = strsim::jaro_winkler(&wanted, &name.to_lowercase());
        if score >= SIMILAR_ENOUGH && best.is_none_or(|(best, _)| score > best) {
            best = Some((score, name));
        }
    }
    best.map(|(_, name)| name)
}

/// One row per selected follow-up: the overdue ones (`state` overdue, most overdue first),
/// then the open ones not yet due (`state` open, `days_overdue` negative: days until due).
/// Written by the shared CSV writer, so cells a spreadsheet would evaluate are neutralised as
/// in every CSV output.
pub fn write_csv(
    out: impl std::io::Write,
    overdue: &[OverdueItem],
    open: &[OpenItem],
) -> anyhow::Result<()> {
    let rows: Vec<CsvRow> = overdue
        .iter()
        .map(|item| CsvRow {
            id: &item.id,
            incident_id: &item.incident_id,
            title: item.title.as_deref(),
            owner: &item.owner,
            team: &item.team,
            due_at: item.due_at,
            days_overdue: Some(item.days_overdue),
            pattern_recurred_since: Some(item.pattern_recurred_since),
            tracker: item.tracker.as_deref(),
            state: "overdue",
        })
        .chain(open.iter().map(|item| CsvRow {
            id: &item.id,
            incident_id: &item.incident_id,
            title: item.title.as_deref(),
            owner: &item.owner,
            team: &item.team,
            due_at: item.due_at,
            // Not yet due: days overdue is minus the days until due.
            days_overdue: item.days_until_due.map(|days| -days),
            pattern_recurred_since: None,
            tracker: item.tracker.as_deref(),
            state: "open",
        }))
        .collect();
    let columns: Vec<Column<CsvRow>> = vec![
        Column {
            name: "id",
            cell: |r| Cell::Text(Some(r.id.to_owned())),
        },
        Column {
            name: "incident_id",
            cell: |r| Cell::Text(Some(r.incident_id.to_owned())),
        },
        Column {
            name: "title",
            cell: |r| Cell::Text(r.title.map(str::to_owned)),
        },
        Column {
            name: "owner",
            cell: |r| Cell::Text(Some(r.owner.to_owned())),
        },
        Column {
            name: "team",
            cell: |r| Cell::Text(Some(r.team.to_owned())),
        },
        Column {
            name: "due_at",
            cell: |r| Cell::Time(r.due_at),
        },
        Column {
            name: "days_overdue",
            cell: |r| Cell::Int(r.days_overdue),
        },
        Column {
            name: "pattern_recurred_since",
            cell: |r| Cell::Text(r.pattern_recurred_since.map(|b| b.to_string())),
        },
        Column {
            name: "tracker",
            cell: |r| Cell::Text(r.tracker.map(str::to_owned)),
        },
        Column {
            name: "state",
            cell: |r| Cell::Text(Some(r.state.to_owned())),
        },
    ];
    write_table(out, &rows, &columns, &[])?;
    Ok(())
}

/// A row of `--format csv`: an overdue item or an open one not yet due.
struct CsvRow<'a> {
    id: &'a str,
    incident_id: &'a str,
    title: Option<&'a str>,
    owner: &'a str,
    team: &'a str,
    due_at: Option<DateTime<Utc>>,
    days_overdue: Option<i64>,
    pattern_recurred_since: Option<bool>,
    tracker: Option<&'a str>,
    state: &'static str,
}

fn print_text(report: &FollowUpReport, open_items: &[OpenItem], as_of: DateTime<Utc>) {
    println!(
        "{} follow-ups: {} open, {} overdue, {} open without an owner (as of {})",
        report.total,
        report.open,
        report.overdue,
        report.unowned,
        as_of.format("%Y-%m-%d")
    );
    let joined = |counts: &[(String, usize)]| {
        counts
            .iter()
            .map(|(name, n)| format!("{name} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("overdue by team: {}", joined(&report.overdue_by_team));
    println!("overdue by owner: {}", joined(&report.overdue_by_owner));
    for item in &report.overdue_items {
        println!(
            "  {:>4} days  {:<10} {:<18} {:<14} {} ({}){}",
            item.days_overdue,
            item.id,
            item.owner,
            item.team,
            item.title.as_deref().unwrap_or(""),
            item.incident_id,
            if item.pattern_recurred_since {
                "  ← its pattern recurred since"
            } else {
                ""
            }
        );
    }
    if open_items.is_empty() {
        return;
    }
    println!("open, not yet due:");
    for item in open_items {
        let due = match (item.due_at, item.days_until_due) {
            (Some(at), Some(days)) => format!("due {} (in {days} days)", at.format("%Y-%m-%d")),
            _ => "no due date".to_owned(),
        };
        println!(
            "  {due:<28} {:<10} {:<18} {:<14} {} ({})",
            item.id,
            item.owner,
            item.team,
            item.title.as_deref().unwrap_or(""),
            item.incident_id,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn a_first_name_alone_suggests_the_full_name() {
        let owners = names(&["Amir Haddad", "Laura Nowak", "unowned"]);
        assert_eq!(nearest("Laura", &owners), Some("Laura Nowak"));
        assert_eq!(nearest("nowak", &owners), Some("Laura Nowak"));
    }

    #[test]
    fn a_typo_suggests_the_nearest_name_and_nonsense_none() {
        let teams = names(&["checkout", "payments", "platform"]);
        assert_eq!(nearest("paymnets", &teams), Some("payments"));
        assert_eq!(nearest("zzz", &teams), None);
        assert_eq!(nearest("", &teams), None);
    }

    #[test]
    fn an_unknown_name_is_an_error_that_says_what_was_meant() {
        let owners = names(&["Laura Nowak"]);
        let error = known("owner", "Laura", &owners).expect_err("unknown owner");
        assert_eq!(
            error.to_string(),
            "no follow-ups for owner 'Laura'; did you mean 'Laura Nowak'?"
        );
        assert!(known("owner", "laura nowak", &owners).is_ok());
        let error = known("team", "zzz", &names(&["payments"])).expect_err("unknown team");
        assert_eq!(
            error.to_string(),
            "no follow-ups for team 'zzz'; teams with follow-ups: payments"
        );
    }
}
