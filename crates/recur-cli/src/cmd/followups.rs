//! `recur followups`: open and overdue follow-ups by owner and team, for people and for CI.

use std::process::ExitCode;

use anyhow::Context as _;
use chrono::Utc;
use recur_cluster::patterns::{PatternParams, find_patterns};
use recur_core::output::{Cell, Column, write_table};
use recur_review::review::{OverdueItem, follow_up_report};

use super::{InputArgs, Listed, load_roster, parse_as_of, report_missing};

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
    let mut missing = Vec::new();
    let roster = load_roster(args.roster.as_deref(), &args.input, &mut missing)?;
    let normalized = args.input.load(missing, &Listed::default())?;
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
        Format::Csv => write_table(
            std::io::stdout().lock(),
            &report.overdue_items,
            &overdue_columns(),
            &[],
        )
        .context("cannot write to standard output")?,
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
    report_missing(&normalized.errors);
    let overdue = !report.overdue_items.is_empty();
    Ok(if args.fail_on_overdue && overdue {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The columns of `--format csv`, written by the shared CSV writer (so cells a spreadsheet
/// would evaluate are neutralised as in every CSV output).
fn overdue_columns() -> Vec<Column<OverdueItem>> {
    vec![
        Column {
            name: "id",
            cell: |item| Cell::Text(Some(item.id.clone())),
        },
        Column {
            name: "incident_id",
            cell: |item| Cell::Text(Some(item.incident_id.clone())),
        },
        Column {
            name: "title",
            cell: |item| Cell::Text(item.title.clone()),
        },
        Column {
            name: "owner",
            cell: |item| Cell::Text(Some(item.owner.clone())),
        },
        Column {
            name: "team",
            cell: |item| Cell::Text(Some(item.team.clone())),
        },
        Column {
            name: "due_at",
            cell: |item| Cell::Time(item.due_at),
        },
        Column {
            name: "days_overdue",
            cell: |item| Cell::Int(Some(item.days_overdue)),
        },
        Column {
            name: "pattern_recurred_since",
            cell: |item| Cell::Text(Some(item.pattern_recurred_since.to_string())),
        },
        Column {
            name: "tracker",
            cell: |item| Cell::Text(item.tracker.clone()),
        },
    ]
}
