//! One module per subcommand, each with its clap `Args` and a `run` returning the exit code,
//! and what they share: reading inputs, writing files atomically, reporting the accounting.

pub mod check;
pub mod evaluate;
pub mod followups;
pub mod generate;
pub mod normalize;
pub mod notify;
pub mod outputs;
pub mod review;
pub mod similar;
pub mod template;
pub mod timings;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use recur_core::normalize::{
    DateOrder, Format, Inputs, LoadedFile, Mapping, NormalizeOptions, normalize_paths,
    normalize_texts,
};
use recur_core::{InputError, Normalized};

/// The bundled sample, embedded in the binary (see `build.rs`): `data/sample/` and the roster,
/// used when a command that analyses incidents is given no input, from any directory.
mod sample {
    include!(concat!(env!("OUT_DIR"), "/sample.rs"));
}
pub use sample::{SAMPLE_FOLLOW_UP_FILE, SAMPLE_INCIDENT_FILES, SAMPLE_ROSTER_CSV};

/// Where incidents come from: shared by every command that reads incidents.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Incident exports: CSV, JSON, JSONL files, or folders of Markdown postmortems (read
    /// recursively). Without any, the bundled sample (400 synthetic incidents with their
    /// follow-ups, the files of data/sample embedded in the binary) is used, from any directory.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// A separate file of follow-ups (action items), joined to incidents by incident id.
    #[arg(long = "follow-ups", value_name = "FILE")]
    pub follow_ups: Vec<PathBuf>,
    /// A TOML mapping file: column names, custom severity/status values, null markers, date
    /// order, time zone (see data/mappings/).
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Time zone of timestamps written without one (IANA name). Default UTC, with a warning.
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<chrono_tz::Tz>,
    /// Order of numeric dates (03/04/2025) in columns that give no evidence either way.
    #[arg(long, value_enum, default_value_t = DateOrderArg::MonthFirst)]
    pub date_order: DateOrderArg,
    /// Go on when a named input (an INPUT, --follow-ups, --mapping, --roster, --rules) cannot
    /// be read: the run uses what it could read and states which inputs are missing (at the top
    /// of the report, in report.json's `input`, and last on the console). Without it, an
    /// unreadable input is an error (exit code 2).
    #[arg(long)]
    pub keep_going: bool,
}

/// `--date-order`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DateOrderArg {
    /// 03/04/2025 is 3 April.
    DayFirst,
    /// 03/04/2025 is March 4.
    MonthFirst,
}

impl InputArgs {
    /// The inputs as given (the bundled sample is not a path: see [`InputArgs::load`]).
    pub fn inputs(&self) -> Inputs {
        Inputs {
            incidents: self.inputs.clone(),
            follow_ups: self.follow_ups.clone(),
        }
    }

    /// Whether no input is given, so the embedded sample is used.
    pub fn using_sample(&self) -> bool {
        self.inputs.is_empty()
    }

    /// The normalizer options these arguments give. An unreadable mapping is an error, or with
    /// `--keep-going` recorded in `missing` (the default mapping is used).
    pub fn options(&self, missing: &mut Vec<InputError>) -> anyhow::Result<NormalizeOptions> {
        let read = |path: &PathBuf| -> anyhow::Result<Mapping> {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read mapping {}", path.display()))?;
            text.parse::<Mapping>()
                .with_context(|| format!("mapping {}", path.display()))
        };
        let mapping = match &self.mapping {
            Some(path) => self.named_input(path, read(path), missing)?,
            None => None,
        };
        Ok(NormalizeOptions {
            mapping: mapping.unwrap_or_default(),
            time_zone: self.time_zone,
            date_order: match self.date_order {
                DateOrderArg::DayFirst => DateOrder::DayFirst,
                DateOrderArg::MonthFirst => DateOrder::MonthFirst,
            },
        })
    }

    /// A named input read by `result`: its value, or the error naming it; with `--keep-going`
    /// the error is recorded in `missing` and the run goes on without the input (`None`).
    pub fn named_input<T>(
        &self,
        path: &Path,
        result: anyhow::Result<T>,
        missing: &mut Vec<InputError>,
    ) -> anyhow::Result<Option<T>> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(error) if self.keep_going => {
                missing.push(InputError {
                    file: path.display().to_string(),
                    line: None,
                    message: format!("{error:#}"),
                });
                Ok(None)
            }
            Err(error) => Err(with_hint(&error)),
        }
    }

    /// Read and normalize the inputs, reporting problems on stderr (where the rejected records
    /// and warnings are listed in full: `listed`). An input that cannot be read is an error
    /// naming it, before any long work where possible; with `--keep-going` the run goes on, and
    /// the returned `errors` start with `missing` (side inputs such as the roster that could
    /// not be read) followed by the normalizer's.
    pub fn load(
        &self,
        mut missing: Vec<InputError>,
        listed: &Listed,
    ) -> anyhow::Result<Normalized> {
        let options = self.options(&mut missing)?;
        if self.using_sample() {
            if !self.follow_ups.is_empty() {
                anyhow::bail!(
                    "--follow-ups needs INPUT: the bundled sample has its own follow-ups; \
                     name the incident exports they belong to"
                );
            }
            let mut normalized = normalize_sample(&options);
            missing.append(&mut normalized.errors);
            normalized.errors = missing;
            report_problems(&normalized, listed);
            return Ok(normalized);
        }
        let inputs = self.inputs();
        if !self.keep_going {
            for path in inputs.incidents.iter().chain(&inputs.follow_ups) {
                std::fs::metadata(path)
                    .with_context(|| format!("cannot read input {}", path.display()))
                    .map_err(|error| with_hint(&error))?;
            }
        }
        let mut normalized = normalize_paths(&inputs, &options);
        missing.append(&mut normalized.errors);
        normalized.errors = missing;
        report_problems(&normalized, listed);
        if !normalized.errors.is_empty() && !self.keep_going {
            let list: Vec<String> = normalized.errors.iter().map(|e| e.to_string()).collect();
            anyhow::bail!(
                "{} input(s) could not be read: {} ({KEEP_GOING_HINT})",
                list.len(),
                list.join("; ")
            );
        }
        if normalized.incidents.is_empty() && !normalized.errors.is_empty() {
            anyhow::bail!("no input could be read");
        }
        Ok(normalized)
    }
}

const KEEP_GOING_HINT: &str = "pass --keep-going to go on without it";

/// An unreadable input's error, with the way to go on without it.
fn with_hint(error: &anyhow::Error) -> anyhow::Error {
    anyhow::anyhow!("{error:#} ({KEEP_GOING_HINT})")
}

/// Where the full lists of rejected records and warnings of a run are, for the console's
/// "… and N more".
#[derive(Debug, Clone, Default)]
pub struct Listed {
    /// The rejected-records file, when the command writes one.
    pub rejected: Option<PathBuf>,
    /// The warnings file, when the command writes one.
    pub warnings: Option<PathBuf>,
}

/// With `--keep-going`, the inputs that could not be read, as the last lines on stderr.
pub fn report_missing(errors: &[InputError]) {
    if errors.is_empty() {
        return;
    }
    eprintln!(
        "INCOMPLETE: {} input(s) could not be read and are left out of this run:",
        errors.len()
    );
    for error in errors {
        eprintln!("  {error}");
    }
}

/// Refuse outputs that would overwrite an input, or land inside an input folder (the next
/// run would read them as input).
pub fn refuse_outputs_in_inputs(input: &InputArgs, outputs: &[&Path]) -> anyhow::Result<()> {
    let inputs = input.inputs();
    let named: Vec<&PathBuf> = inputs
        .incidents
        .iter()
        .chain(&inputs.follow_ups)
        .chain(&input.mapping)
        .collect();
    for output in outputs {
        let Some(resolved) = resolve(output) else {
            continue;
        };
        for path in &named {
            let Ok(source) = std::fs::canonicalize(path) else {
                continue;
            };
            if resolved == source {
                anyhow::bail!(
                    "--out {}: it is the input {}; choose another output",
                    output.display(),
                    path.display()
                );
            }
            if source.is_dir() && resolved.starts_with(&source) {
                anyhow::bail!(
                    "--out {} is inside the input folder {}, so the next run would read its \
                     outputs as input; choose a folder outside it",
                    output.display(),
                    path.display()
                );
            }
        }
    }
    Ok(())
}

/// A path made absolute with its links resolved, for the part that exists.
fn resolve(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(resolved) = std::fs::canonicalize(existing) {
            return Some(
                rest.iter()
                    .rev()
                    .fold(resolved, |path, part| path.join(part)),
            );
        }
        rest.push(existing.file_name()?.to_owned());
        existing = existing.parent()?;
    }
}

/// Print unreadable files, the first rejections and warnings (saying where the rest are), and
/// the accounting, on stderr.
pub fn report_problems(normalized: &Normalized, listed: &Listed) {
    const SHOWN: usize = 10;
    for error in &normalized.errors {
        eprintln!("error: {error}");
    }
    for rejected in normalized.rejected.iter().take(SHOWN) {
        let place = match rejected.source.line {
            Some(line) => format!("{}:{line}", rejected.source.file),
            None => format!("{} record {}", rejected.source.file, rejected.source.record),
        };
        let id = rejected
            .id
            .as_deref()
            .map(|id| format!(" ({id})"))
            .unwrap_or_default();
        eprintln!("rejected: {place}{id}: {}", rejected.reason);
    }
    if normalized.rejected.len() > SHOWN {
        eprintln!(
            "rejected: … and {} more{}",
            normalized.rejected.len() - SHOWN,
            where_listed(listed.rejected.as_deref())
        );
    }
    for warning in normalized.warnings.iter().take(SHOWN) {
        eprintln!("warning: {}: {}", warning.source, warning.message);
    }
    if normalized.warnings.len() > SHOWN {
        eprintln!(
            "warning: … and {} more{}",
            normalized.warnings.len() - SHOWN,
            where_listed(listed.warnings.as_deref())
        );
    }
    eprintln!("{}", normalized.accounting);
}

fn where_listed(path: Option<&Path>) -> String {
    path.map(|path| format!(" (all listed in {})", path.display()))
        .unwrap_or_default()
}

/// Write a file atomically (a temporary file in the same folder, then a rename), with the
/// default mode; see [`outputs`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    outputs::write_atomic_with(path, |writer| Ok(writer.write_all(bytes)?))
}

/// Whether progress bars should be drawn (stderr is a terminal).
pub fn show_progress() -> bool {
    std::io::stderr().is_terminal()
}

/// Normalize the embedded sample from memory: the same files, names and order as reading
/// `data/sample/` from disk, so the results are the same.
pub fn normalize_sample(options: &NormalizeOptions) -> Normalized {
    let loaded = |(name, text): (&str, &str)| LoadedFile {
        name: name.to_owned(),
        text: text.to_owned(),
        format: Format::from_path(Path::new(name)),
    };
    let incidents: Vec<LoadedFile> = SAMPLE_INCIDENT_FILES.iter().copied().map(loaded).collect();
    normalize_texts(&incidents, &[loaded(SAMPLE_FOLLOW_UP_FILE)], options)
}

/// Read a roster (CSV or TOML by extension); with the bundled sample and no roster given, the
/// sample's roster (embedded). An unreadable roster is an error, or with `--keep-going`
/// recorded in `missing`.
pub fn load_roster(
    path: Option<&Path>,
    input: &InputArgs,
    missing: &mut Vec<InputError>,
) -> anyhow::Result<Option<recur_review::accountability::Roster>> {
    use recur_review::accountability::Roster;
    let Some(path) = path else {
        return if input.using_sample() {
            let roster = Roster::from_csv(SAMPLE_ROSTER_CSV).context("the sample's roster")?;
            Ok(Some(roster))
        } else {
            Ok(None)
        };
    };
    let read = || -> anyhow::Result<Roster> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read roster {}", path.display()))?;
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
        {
            Roster::from_toml(&text)
        } else {
            Roster::from_csv(&text)
        }
        .with_context(|| format!("roster {}", path.display()))
    };
    input.named_input(path, read(), missing)
}

/// `--as-of`: a date (midnight UTC) or an RFC 3339 timestamp.
pub fn parse_as_of(text: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&chrono::Utc));
    }
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").with_context(|| {
        format!("--as-of {text:?}: expected YYYY-MM-DD or an RFC 3339 timestamp")
    })?;
    Ok(day.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// The period of `--month` or `--since/--until` (until inclusive).
pub fn parse_period(
    month: Option<&str>,
    since: Option<chrono::NaiveDate>,
    until: Option<chrono::NaiveDate>,
) -> anyhow::Result<Option<recur_review::review::Period>> {
    use recur_review::review::Period;
    if let Some(month) = month {
        let first = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
            .with_context(|| format!("--month {month:?}: expected YYYY-MM"))?;
        return Ok(Some(Period::month_of(first)));
    }
    match (since, until) {
        (Some(since), Some(until)) => {
            if until < since {
                anyhow::bail!("--until {until} is before --since {since}");
            }
            let until = until.succ_opt().unwrap_or(until);
            Ok(Some(Period { since, until }))
        }
        _ => Ok(None),
    }
}
