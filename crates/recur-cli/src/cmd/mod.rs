//! One module per subcommand, each with its clap `Args` and a `run` returning the exit code,
//! and what they share: reading inputs, writing files atomically, reporting the accounting.

pub mod check;
pub mod evaluate;
pub mod followups;
pub mod generate;
pub mod normalize;
pub mod review;
pub mod similar;
pub mod template;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use recur_core::Normalized;
use recur_core::normalize::{DateOrder, Inputs, Mapping, NormalizeOptions, normalize_paths};

/// The bundled sample, used when a command that analyses incidents is given no input.
pub const SAMPLE_INPUTS: &[&str] = &[
    "data/sample/incidents.csv",
    "data/sample/platform.jsonl",
    "data/sample/postmortems",
];
/// The follow-ups file of the bundled sample.
pub const SAMPLE_FOLLOW_UPS: &str = "data/sample/follow_ups.csv";

/// Where incidents come from: shared by every command that reads incidents.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Incident exports: CSV, JSON, JSONL files, or folders of Markdown postmortems (read
    /// recursively). Without any, the bundled sample in data/sample is used.
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
    /// The inputs, or the bundled sample when none are given.
    pub fn inputs(&self) -> Inputs {
        if self.inputs.is_empty() {
            Inputs {
                incidents: SAMPLE_INPUTS.iter().map(PathBuf::from).collect(),
                follow_ups: if self.follow_ups.is_empty() {
                    vec![PathBuf::from(SAMPLE_FOLLOW_UPS)]
                } else {
                    self.follow_ups.clone()
                },
            }
        } else {
            Inputs {
                incidents: self.inputs.clone(),
                follow_ups: self.follow_ups.clone(),
            }
        }
    }

    /// The normalizer options these arguments give.
    pub fn options(&self) -> anyhow::Result<NormalizeOptions> {
        let mapping = match &self.mapping {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read mapping {}", path.display()))?;
                text.parse::<Mapping>()
                    .with_context(|| format!("mapping {}", path.display()))?
            }
            None => Mapping::default(),
        };
        Ok(NormalizeOptions {
            mapping,
            time_zone: self.time_zone,
            date_order: match self.date_order {
                DateOrderArg::DayFirst => DateOrder::DayFirst,
                DateOrderArg::MonthFirst => DateOrder::MonthFirst,
            },
        })
    }

    /// Read and normalize the inputs, reporting problems on stderr. Fails only when nothing
    /// at all could be read.
    pub fn load(&self) -> anyhow::Result<Normalized> {
        let options = self.options()?;
        let inputs = self.inputs();
        let normalized = normalize_paths(&inputs, &options);
        report_problems(&normalized);
        if normalized.incidents.is_empty() && !normalized.errors.is_empty() {
            anyhow::bail!("no input could be read");
        }
        Ok(normalized)
    }
}

/// Print unreadable files, the first rejections and warnings, and the accounting, on stderr.
pub fn report_problems(normalized: &Normalized) {
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
            "rejected: … and {} more (see the rejected file)",
            normalized.rejected.len() - SHOWN
        );
    }
    for warning in normalized.warnings.iter().take(SHOWN) {
        eprintln!("warning: {}: {}", warning.source.file, warning.message);
    }
    if normalized.warnings.len() > SHOWN {
        eprintln!("warning: … and {} more", normalized.warnings.len() - SHOWN);
    }
    eprintln!("{}", normalized.accounting);
}

/// Write a file atomically: a temporary file in the same folder, then a rename, so a reader
/// never sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(path, |writer| Ok(writer.write_all(bytes)?))
}

/// [`write_atomic`], streaming: `write` fills a buffered writer on the temporary file, so a
/// large table never has to be held in memory whole.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    write(&mut writer).with_context(|| format!("cannot write {}", path.display()))?;
    let file = writer
        .into_inner()
        .map_err(|error| error.into_error())
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Whether progress bars should be drawn (stderr is a terminal).
pub fn show_progress() -> bool {
    std::io::stderr().is_terminal()
}

/// The roster of the bundled sample, used when the sample is.
pub const SAMPLE_ROSTER: &str = "data/roster.csv";

/// Read a roster (CSV or TOML by extension); with the bundled sample and no roster given, the
/// sample's roster.
pub fn load_roster(
    path: Option<&Path>,
    using_sample: bool,
) -> anyhow::Result<Option<recur_review::accountability::Roster>> {
    use recur_review::accountability::Roster;
    let path = match path {
        Some(path) => path.to_path_buf(),
        None if using_sample && Path::new(SAMPLE_ROSTER).exists() => PathBuf::from(SAMPLE_ROSTER),
        None => return Ok(None),
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read roster {}", path.display()))?;
    let roster = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        Roster::from_toml(&text)
    } else {
        Roster::from_csv(&text)
    }
    .with_context(|| format!("roster {}", path.display()))?;
    Ok(Some(roster))
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
