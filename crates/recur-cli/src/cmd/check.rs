//! `recur check`.

use std::process::ExitCode;

/// Arguments of `recur check`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run `recur check`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("recur check is not implemented yet")
}
