//! `recur generate`: write a synthetic incident export of any size (seeded, deterministic) and
//! the truth planted in it.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use recur_core::synth::{SynthParams, export_sample, generate};

/// Arguments of `recur generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of incidents to generate.
    #[arg(long = "n", value_name = "N", default_value_t = 400)]
    pub n: usize,
    /// Seed of the random generator: the same seed gives the same files, byte for byte.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Directory to write `sample/` (the messy exports) and `truth/` (the planted truth) into.
    /// Markdown files in `sample/postmortems/` that this run does not write are removed.
    /// (`--out-dir` is the old name, still accepted.)
    #[arg(
        long = "out",
        alias = "out-dir",
        value_name = "DIR",
        default_value = "data"
    )]
    pub out: PathBuf,
}

/// Run `recur generate`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let params = SynthParams {
        n_incidents: args.n,
        seed: args.seed,
        ..SynthParams::default()
    };
    let synthetic = generate(&params);
    let files = export_sample(&synthetic);
    for directory in ["sample", "sample/postmortems", "truth"] {
        let path = args.out.join(directory);
        fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
    }
    let written = files.files();
    for (relative, contents) in &written {
        write_atomically(&args.out.join(relative), contents.as_bytes())?;
    }
    let removed =
        remove_stale_postmortems(&args.out.join("sample/postmortems"), &files.postmortems)?;
    let recurrences = synthetic
        .truth
        .iter()
        .filter(|truth| truth.recurs.is_some())
        .count();
    let flaky = synthetic
        .truth
        .iter()
        .filter(|truth| truth.flaky_tests)
        .count();
    println!(
        "generated {} incidents (seed {}): {recurrences} recurrences, {flaky} with flaky tests; wrote {} files under {}{}",
        synthetic.incidents.len(),
        args.seed,
        written.len(),
        args.out.display(),
        if removed > 0 {
            format!(", removed {removed} stale postmortems")
        } else {
            String::new()
        },
    );
    Ok(ExitCode::SUCCESS)
}

/// Write to a temporary file beside `path`, then rename it over `path`.
fn write_atomically(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{file_name}.tmp"));
    let mut file = fs::File::create(&temporary)
        .with_context(|| format!("cannot create {}", temporary.display()))?;
    file.write_all(contents)
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    file.sync_all()
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    drop(file);
    fs::rename(&temporary, path)
        .with_context(|| format!("cannot move {} to {}", temporary.display(), path.display()))
}

/// Remove the `.md` files of `directory` that are not among `kept`, so that a run with another
/// seed or size does not leave earlier postmortems behind to be read as input.
fn remove_stale_postmortems(directory: &Path, kept: &[(String, String)]) -> anyhow::Result<usize> {
    let mut removed = 0;
    let entries =
        fs::read_dir(directory).with_context(|| format!("cannot list {}", directory.display()))?;
    let mut stale: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot list {}", directory.display()))?
            .path();
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let is_markdown = path.extension().is_some_and(|extension| extension == "md");
        if is_markdown && !kept.iter().any(|(kept, _)| *kept == name) {
            stale.push(path);
        }
    }
    stale.sort();
    for path in stale {
        fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        removed += 1;
    }
    Ok(removed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_file_and_removes_stale_postmortems() {
        let directory = tempfile::tempdir().unwrap();
        let stale = directory.path().join("sample/postmortems/old.md");
        fs::create_dir_all(stale.parent().unwrap()).unwrap();
        fs::write(&stale, "---\nid: OLD\n---\n").unwrap();
        let args = Args {
            n: 120,
            seed: 3,
            out: directory.path().to_owned(),
        };
        assert_eq!(run(args).unwrap(), ExitCode::SUCCESS);
        assert!(!stale.exists());
        let expected = export_sample(&generate(&SynthParams {
            n_incidents: 120,
            seed: 3,
            ..SynthParams::default()
        }));
        for (relative, contents) in expected.files() {
            assert_eq!(
                fs::read_to_string(directory.path().join(&relative)).unwrap(),
                contents,
                "{relative}"
            );
        }
        let truth = fs::read_to_string(directory.path().join("truth/sample-truth.csv")).unwrap();
        assert_eq!(truth.lines().count(), 121);
    }
}
