//! `recur followups`: open and overdue follow-ups by owner and team, for people and for CI.

use std::process::ExitCode;

use anyhow::Context as _;
use chrono::Utc;
use recur_cluster::patterns::{PatternParams, find_patterns};
use recur_review::review::follow_up_report;

use super::{InputArgs, load_roster, parse_as_of};

/// Arguments of `recur followups`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// "Now" (YYYY-MM-DD or RFC 3339). Default: the current time.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Only follow-ups of this responsible team.
    #[arg(long)]
    team: Option<String>,
    /// Only follow-ups of this owner.
    #[arg(long)]
    owner: Option<String>,
    /// Teams with managers and members (CSV or TOML), to find each owner's team.
    #[arg(long, value_name = "FILE")]
    roster: Option<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with code 1 when any (selected) follow-up is overdue, so CI can nag.
    #[arg(long)]
    fail_on_overdue: bool,
}

/// `--format`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    Csv,
}

/// Run `recur followups`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let as_of = match &args.as_of {
        Some(text) => parse_as_of(text)?,
        None => Utc::now(),
    };
    let normalized = args.input.load()?;
    let roster = load_roster(args.roster.as_deref(), args.input.inputs.is_empty())?;
    let patterns = find_patterns(&normalized.incidents, &PatternParams::default())
        .context("pattern mining failed")?;
    let mut report = follow_up_report(
        &normalized.incidents,
        &patterns.assignment,
        as_of,
        roster.as_ref(),
    );
    let keep = |team: &str, owner: &str| {
        args.team
            .as_deref()
            .is_none_or(|t| t.eq_ignore_ascii_case(team))
            && args
                .owner
                .as_deref()
                .is_none_or(|o| o.eq_ignore_ascii_case(owner))
    };
    report
        .overdue_items
        .retain(|item| keep(&item.team, &item.owner));
    report.overdue_by_team.retain(|(team, _)| {
        args.team
            .as_deref()
            .is_none_or(|t| t.eq_ignore_ascii_case(team))
    });
    report.overdue_by_owner.retain(|(owner, _)| {
        args.owner
            .as_deref()
            .is_none_or(|o| o.eq_ignore_ascii_case(owner))
    });
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(std::io::stdout());
            writer.write_record([
                "id",
                "incident_id",
                "title",
                "owner",
                "team",
                "due_at",
                "days_overdue",
                "pattern_recurred_since",
                "tracker",
            ])?;
            for item in &report.overdue_items {
                writer.write_record([
                    item.id.as_str(),
                    &item.incident_id,
                    item.title.as_deref().unwrap_or(""),
                    &item.owner,
                    &item.team,
                    &item
                        .due_at
                        .map(recur_core::output::format_time)
                        .unwrap_or_default(),
                    &item.days_overdue.to_string(),
                    if item.pattern_recurred_since {
                        "true"
                    } else {
                        "false"
                    },
                    item.tracker.as_deref().unwrap_or(""),
                ])?;
            }
            writer.flush()?;
        }
        Format::Text => {
            println!(
                "{} follow-ups: {} open, {} overdue, {} open without an owner (as of {})",
                report.total,
                report.open,
                report.overdue,
                report.unowned,
                as_of.format("%Y-%m-%d")
            );
            let by_team: Vec<String> = report
                .overdue_by_team
                .iter()
                .map(|(t, n)| format!("{t} {n}"))
                .collect();
            let by_owner: Vec<String> = report
                .overdue_by_owner
                .iter()
                .map(|(o, n)| format!("{o} {n}"))
                .collect();
            println!("overdue by team: {}", by_team.join(", "));
            println!("overdue by owner: {}", by_owner.join(", "));
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
        }
    }
    let overdue = !report.overdue_items.is_empty();
    Ok(if args.fail_on_overdue && overdue {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
