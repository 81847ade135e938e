//! `recur generate`.

use std::process::ExitCode;

/// Arguments of `recur generate`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run `recur generate`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("recur generate is not implemented yet")
}
