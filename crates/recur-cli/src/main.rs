//! The `recur` command: parses arguments, calls the library crates, writes files, draws
//! progress, and decides the exit code. Everything else lives in the libraries.

mod cmd;

// A normalization of a million incidents makes tens of millions of small strings; mimalloc
// allocates and frees them far faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Find recurring patterns in incident reports.
#[derive(Debug, Parser)]
#[command(name = "recur", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Normalize incident exports into the canonical table.
    Normalize(cmd::normalize::Args),
    /// Run the monthly pattern review: trends, charts, and the report.
    Review(cmd::review::Args),
    /// Show the incidents most similar to one incident.
    Similar(cmd::similar::Args),
    /// List open and overdue follow-ups by owner and team.
    Followups(cmd::followups::Args),
    /// Write a blank postmortem report template.
    Template(cmd::template::Args),
    /// Check that each report is complete before the review.
    Check(cmd::check::Args),
    /// Generate a synthetic incident export of any size (seeded, deterministic).
    Generate(cmd::generate::Args),
    /// Measure how far the patterns agree with known classes (NMI, AMI, purity, recurrences).
    Evaluate(cmd::evaluate::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Normalize(args) => cmd::normalize::run(args),
        Command::Review(args) => cmd::review::run(args),
        Command::Similar(args) => cmd::similar::run(args),
        Command::Followups(args) => cmd::followups::run(args),
        Command::Template(args) => cmd::template::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Generate(args) => cmd::generate::run(args),
        Command::Evaluate(args) => cmd::evaluate::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
