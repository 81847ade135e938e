//! `recur check`: is each report ready for review?

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use recur_core::Incident;
use recur_core::check::{
    PreRead, Rules, check_incidents, github_annotation, late_findings, render_text,
    unreadable_findings,
};

/// Arguments of `recur check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the reports come from.
    #[command(flatten)]
    pub input: super::InputArgs,
    /// Check only the incidents that occurred in this month (YYYY-MM).
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["since", "until"])]
    pub month: Option<String>,
    /// Check only the incidents that occurred on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub since: Option<NaiveDate>,
    /// Check only the incidents that occurred on or before this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub until: Option<NaiveDate>,
    /// A TOML rules file: required fields per severity, placeholders, root-cause rules (see
    /// data/rules/default.toml). Default: the built-in rules, the same as that file.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Text for people, JSON (an array of findings) for tools, or GitHub Actions annotations.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Exit with code 1 when any report under review is incomplete or could not be read.
    #[arg(long)]
    pub strict: bool,
    /// The day of the review (YYYY-MM-DD or RFC 3339): each report that is incomplete, or
    /// was last updated later than --lead-days before it, is also flagged `late`. The last
    /// update is the report's `updated_at` (a column such as updated_at, last_updated or
    /// last_modified; Markdown front matter `updated` or `last_updated`), else a Markdown
    /// file's modification time.
    #[arg(long, value_name = "DATE")]
    pub review_date: Option<String>,
    /// Days before --review-date by which reports must be final, for people to pre-read them.
    #[arg(
        long,
        value_name = "DAYS",
        default_value_t = 2,
        requires = "review_date"
    )]
    pub lead_days: u32,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Per incident, what a reviewer would send back.
    Text,
    /// A JSON array of findings.
    Json,
    /// One `::warning file=…,line=…::message` line per finding.
    Github,
}

/// Run `recur check`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let period = Period::from_args(args.month.as_deref(), args.since, args.until)?;
    let mut missing = Vec::new();
    let rules = match &args.rules {
        Some(path) => {
            let read = || -> anyhow::Result<Rules> {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read rules {}", path.display()))?;
                Rules::from_toml(&text).with_context(|| format!("rules {}", path.display()))
            };
            args.input.named_input(path, read(), &mut missing)?
        }
        None => None,
    }
    .unwrap_or_default();
    let normalized = args.input.load(missing, &super::Listed::default())?;
    let (incidents, undated) = period.select(&normalized.incidents);
    if undated > 0 {
        eprintln!("note: {undated} reports without any timestamp are left out of the period");
    }
    // A record that could not be read is a report to send back in every period: its date may
    // be what could not be read.
    let mut findings = check_incidents(&incidents, &rules);
    if let Some(review_date) = &args.review_date {
        let pre_read = PreRead {
            review_date: super::parse_as_of(review_date).map_err(|_| {
                anyhow::anyhow!(
                    "--review-date {review_date:?}: expected YYYY-MM-DD or an RFC 3339 timestamp"
                )
            })?,
            lead_days: args.lead_days,
        };
        let modified = if args.input.using_sample() {
            BTreeMap::new()
        } else {
            file_modified(&incidents)
        };
        findings.extend(late_findings(&incidents, &findings, &pre_read, &modified));
    }
    findings.extend(unreadable_findings(&normalized.rejected));

    let mut out = String::new();
    match args.format {
        OutputFormat::Text => out.push_str(&render_text(&incidents, &findings)),
        OutputFormat::Json => {
            out.push_str(
                &serde_json::to_string_pretty(&findings)
                    .context("cannot write the findings as JSON")?,
            );
            out.push('\n');
        }
        OutputFormat::Github => {
            for finding in &findings {
                out.push_str(&github_annotation(finding));
                out.push('\n');
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to standard output")?;

    super::report_missing(&normalized.errors);
    let incomplete = !findings.is_empty();
    Ok(if args.strict && incomplete {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The modification time of each Markdown report without an `updated_at`, by source file
/// name. A file whose time cannot be read is left out (its report's last update is unknown).
fn file_modified(incidents: &[Incident]) -> BTreeMap<String, DateTime<Utc>> {
    incidents
        .iter()
        .filter(|incident| incident.updated_at.is_none())
        .filter(|incident| {
            recur_core::normalize::Format::from_path(std::path::Path::new(&incident.source.file))
                == Some(recur_core::normalize::Format::Markdown)
        })
        .filter_map(|incident| {
            let file = &incident.source.file;
            let modified = std::fs::metadata(file).and_then(|m| m.modified()).ok()?;
            Some((file.clone(), DateTime::<Utc>::from(modified)))
        })
        .collect()
}

/// The period under review: incidents whose `occurred_at` is in `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Period {
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

impl Period {
    fn from_args(
        month: Option<&str>,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> anyhow::Result<Self> {
        let midnight = |day: NaiveDate| day.and_hms_opt(0, 0, 0).map(|at| at.and_utc());
        if let Some(month) = month {
            let first = NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d")
                .with_context(|| format!("--month {month:?} is not a month such as 2025-03"))?;
            let next = first
                .checked_add_months(Months::new(1))
                .context("--month is out of range")?;
            return Ok(Self {
                from: midnight(first),
                to: midnight(next),
            });
        }
        if let (Some(since), Some(until)) = (since, until)
            && until < since
        {
            anyhow::bail!("--until {until} is before --since {since}");
        }
        Ok(Self {
            from: since.and_then(midnight),
            to: until
                .and_then(|day| day.checked_add_days(Days::new(1)))
                .and_then(midnight),
        })
    }

    fn is_all(self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    fn contains(self, at: DateTime<Utc>) -> bool {
        self.from.is_none_or(|from| at >= from) && self.to.is_none_or(|to| at < to)
    }

    /// The incidents in the period, and how many were left out for having no timestamp.
    fn select(self, incidents: &[Incident]) -> (Vec<Incident>, usize) {
        if self.is_all() {
            return (incidents.to_vec(), 0);
        }
        let undated = incidents
            .iter()
            .filter(|i| i.occurred_at().is_none())
            .count();
        let selected = incidents
            .iter()
            .filter(|i| i.occurred_at().is_some_and(|at| self.contains(at)))
            .cloned()
            .collect();
        (selected, undated)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn a_month_is_its_first_day_to_the_next_month() {
        let period = Period::from_args(Some("2025-12"), None, None).unwrap();
        assert_eq!(
            period,
            Period {
                from: Some(at(2025, 12, 1, 0)),
                to: Some(at(2026, 1, 1, 0))
            }
        );
        assert!(period.contains(at(2025, 12, 31, 23)));
        assert!(!period.contains(at(2026, 1, 1, 0)));
        assert!(Period::from_args(Some("2025-13"), None, None).is_err());
        assert!(Period::from_args(Some("March"), None, None).is_err());
    }

    #[test]
    fn until_includes_its_whole_day_and_must_not_precede_since() {
        let period =
            Period::from_args(None, Some(day("2025-03-01")), Some(day("2025-03-31"))).unwrap();
        assert!(period.contains(at(2025, 3, 31, 23)));
        assert!(!period.contains(at(2025, 2, 28, 23)));
        assert!(Period::from_args(None, Some(day("2025-03-02")), Some(day("2025-03-01"))).is_err());
        let open_ended = Period::from_args(None, Some(day("2025-03-01")), None).unwrap();
        assert!(open_ended.contains(at(2030, 1, 1, 0)));
    }

    #[test]
    fn selecting_a_period_leaves_out_and_counts_undated_incidents() {
        let incident = |id: &str, started| Incident {
            id: id.to_owned(),
            started_at: started,
            ..Incident::default()
        };
        let incidents = [
            incident("a", Some(at(2025, 3, 5, 0))),
            incident("b", Some(at(2025, 4, 5, 0))),
            incident("c", None),
        ];
        let (selected, undated) = Period::from_args(Some("2025-03"), None, None)
            .unwrap()
            .select(&incidents);
        assert_eq!(
            selected.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
            ["a"]
        );
        assert_eq!(undated, 1);
        let (all, undated) = Period::default().select(&incidents);
        assert_eq!((all.len(), undated), (3, 0));
    }
}
