//! `recur normalize`: the canonical table as CSV, JSONL or Parquet, with the rejected records
//! beside it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use recur_core::frame::{follow_ups_frame, incidents_frame, write_parquet};
use recur_core::output::{write_csv, write_follow_ups_csv, write_jsonl, write_rejected_csv};

use super::{InputArgs, write_atomic, write_atomic_with};

/// Arguments of `recur normalize`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Output file: .csv, .jsonl or .parquet. Follow-ups go to `<stem>.follow_ups.<ext>`
    /// (nested in JSONL), rejected records to `<stem>.rejected.csv`.
    #[arg(long, short, value_name = "FILE")]
    out: PathBuf,
}

/// The output formats, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutFormat {
    Csv,
    Jsonl,
    Parquet,
}

/// `dir/stem.<suffix>`, beside the output file.
fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let stem = out
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("incidents");
    out.with_file_name(format!("{stem}.{suffix}"))
}

/// Run `recur normalize`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let extension = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = match extension.as_deref() {
        Some("csv") => OutFormat::Csv,
        Some("jsonl") | Some("ndjson") => OutFormat::Jsonl,
        Some("parquet") => OutFormat::Parquet,
        _ => anyhow::bail!(
            "--out {}: the extension must be .csv, .jsonl or .parquet",
            args.out.display()
        ),
    };
    let normalized = args.input.load()?;
    let incidents = &normalized.incidents;
    match format {
        OutFormat::Csv => {
            write_atomic_with(&args.out, |w| Ok(write_csv(w, incidents, &[])?))?;
            write_atomic_with(&sibling(&args.out, "follow_ups.csv"), |w| {
                Ok(write_follow_ups_csv(w, incidents)?)
            })?;
        }
        OutFormat::Jsonl => {
            write_atomic_with(&args.out, |w| Ok(write_jsonl(w, incidents)?))?;
        }
        OutFormat::Parquet => {
            let mut frame = incidents_frame(incidents, &[]).context("cannot build the table")?;
            write_atomic_with(&args.out, |w| {
                write_parquet(w, &mut frame).context("cannot encode Parquet")
            })?;
            drop(frame);
            let mut frame =
                follow_ups_frame(incidents).context("cannot build the follow-ups table")?;
            write_atomic_with(&sibling(&args.out, "follow_ups.parquet"), |w| {
                write_parquet(w, &mut frame).context("cannot encode Parquet")
            })?;
        }
    }
    let mut bytes = Vec::new();
    write_rejected_csv(&mut bytes, &normalized.rejected)?;
    let rejected_path = sibling(&args.out, "rejected.csv");
    write_atomic(&rejected_path, &bytes)?;
    println!(
        "wrote {} ({} incidents; rejected records in {})",
        args.out.display(),
        normalized.accounting.accepted,
        rejected_path.display()
    );
    Ok(if normalized.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
