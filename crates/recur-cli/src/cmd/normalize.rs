//! `recur normalize`: the canonical table as CSV, JSONL or Parquet, with the rejected records
//! beside it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use recur_core::frame::{follow_ups_frame, incidents_frame, write_parquet};
use recur_core::output::{
    write_csv, write_follow_ups_csv, write_jsonl, write_rejected_csv, write_warnings_csv,
};

use super::outputs::StagedFiles;
use super::{InputArgs, Listed, refuse_outputs_in_inputs, report_missing};

/// Arguments of `recur normalize`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Output file: .csv, .jsonl or .parquet. Follow-ups go to `<stem>.follow_ups.<ext>`
    /// (nested in JSONL), rejected records to `<stem>.rejected.csv`, warnings to
    /// `<stem>.warnings.csv`; the files of a run are put in place together.
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
    let follow_ups_path = sibling(
        &args.out,
        match format {
            OutFormat::Csv => "follow_ups.csv",
            OutFormat::Jsonl => "follow_ups.jsonl",
            OutFormat::Parquet => "follow_ups.parquet",
        },
    );
    let rejected_path = sibling(&args.out, "rejected.csv");
    let warnings_path = sibling(&args.out, "warnings.csv");
    let merges_path = sibling(&args.out, "merges.csv");
    let mut outputs = vec![
        args.out.as_path(),
        &rejected_path,
        &warnings_path,
        &merges_path,
    ];
    if format != OutFormat::Jsonl {
        outputs.push(&follow_ups_path);
    }
    refuse_outputs_in_inputs(&args.input, &outputs)?;
    let mut set = StagedFiles::begin(&args.out)?;
    let listed = Listed {
        rejected: Some(rejected_path.clone()),
        warnings: Some(warnings_path.clone()),
    };
    let normalized = args.input.load(Vec::new(), &listed)?;
    let incidents = &normalized.incidents;
    match format {
        OutFormat::Csv => {
            set.write(&args.out, |w| Ok(write_csv(w, incidents, &[])?))?;
            set.write(&follow_ups_path, |w| {
                Ok(write_follow_ups_csv(w, incidents)?)
            })?;
        }
        OutFormat::Jsonl => {
            set.write(&args.out, |w| Ok(write_jsonl(w, incidents)?))?;
        }
        OutFormat::Parquet => {
            let mut frame = incidents_frame(incidents, &[]).context("cannot build the table")?;
            set.write(&args.out, |w| {
                write_parquet(w, &mut frame).context("cannot encode Parquet")
            })?;
            drop(frame);
            let mut frame =
                follow_ups_frame(incidents).context("cannot build the follow-ups table")?;
            set.write(&follow_ups_path, |w| {
                write_parquet(w, &mut frame).context("cannot encode Parquet")
            })?;
        }
    }
    set.write(&rejected_path, |w| {
        Ok(write_rejected_csv(w, &normalized.rejected)?)
    })?;
    set.write(&warnings_path, |w| {
        Ok(write_warnings_csv(w, &normalized.warnings)?)
    })?;
    set.write(&merges_path, |w| {
        Ok(recur_core::output::write_merges_csv(w, &normalized.merges)?)
    })?;
    set.commit()?;
    println!(
        "wrote {} ({} incidents; rejected records in {}, warnings in {})",
        args.out.display(),
        normalized.accounting.accepted,
        rejected_path.display(),
        warnings_path.display()
    );
    report_missing(&normalized.errors);
    Ok(ExitCode::SUCCESS)
}
