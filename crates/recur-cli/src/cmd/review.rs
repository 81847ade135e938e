//! `recur review`: the monthly pattern review as one batch job.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use recur_cluster::catalogue::Catalogue as FactorCatalogue;
use recur_cluster::index_file::SimilarityFile;
use recur_core::as_of::as_of_view;
use recur_core::frame::{incidents_frame, write_parquet};
use recur_core::output::{Annotation, Cell, write_csv, write_rejected_csv, write_warnings_csv};
use recur_review::catalogue::Catalogue;
use recur_review::charts::{
    TeamMonthCompletion, render_history, render_review, render_team_completion,
};
use recur_review::history::{run_history, write_history_csv, write_history_parquet};
use recur_review::report::{
    ChartRef, JsonLimits, OVERDUE_CSV, render_html, render_markdown, summarize_for_json, write_json,
};
use recur_review::review::{Period, Review, ReviewOptions, run_review_handing_index};
use recur_review::tables::{write_incident_factors_parquet, write_recurrences_parquet};

use super::outputs::{StagedFolder, write_file_with};
use super::timings::Timings;
use super::{
    InputArgs, Listed, load_roster, parse_as_of, parse_period, refuse_outputs_in_inputs,
    report_missing, show_progress,
};

/// Arguments of `recur review`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Output folder. The run writes a staging folder beside it and swaps it in at the end, so
    /// the folder always holds one run's complete set; an existing folder must be a review's.
    #[arg(long, short, value_name = "DIR", default_value = "recur-review")]
    out: PathBuf,
    #[command(flatten)]
    period: PeriodArgs,
    /// "Now" (YYYY-MM-DD or RFC 3339): the review sees the incidents, resolutions and
    /// follow-ups as they stood then. Default: the current time. Give it to make a run
    /// reproducible.
    #[arg(long, value_name = "DATE", conflicts_with = "months")]
    as_of: Option<String>,
    /// The pattern catalogue (TOML): read if it exists, so patterns keep their ids, names and
    /// people's decisions from earlier reviews, and written back after the run.
    #[arg(long, value_name = "FILE")]
    catalogue: Option<PathBuf>,
    /// Review each month of a range in order (`2025-01..2025-12`), each as of its end, with one
    /// catalogue; writes history.csv, history.parquet and charts/history.png beside the review
    /// of the last month.
    #[arg(long, value_name = "FROM..TO", conflicts_with_all = ["month", "since", "until"])]
    months: Option<String>,
    /// Number of patterns. Default: chosen automatically (best mean silhouette over 2..=30).
    #[arg(long, value_name = "N")]
    k: Option<usize>,
    /// Seed of every random choice in pattern mining.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Teams with managers and members (CSV `team,manager,members` or TOML), for the audience
    /// and accountability. Default: data/roster.csv with the bundled sample.
    #[arg(long, value_name = "FILE")]
    roster: Option<PathBuf>,
    /// A team's factor catalogue (TOML, the format of data/factors/default.toml): its concepts
    /// are added to the shipped catalogue, replace the one of the same id, or disable it. Also
    /// `factors = "FILE"` in the mapping file; both apply, this one last.
    #[arg(long, value_name = "FILE")]
    factors: Option<PathBuf>,
    /// Agenda: incidents at this severity or more severe are reviewed.
    #[arg(long, default_value_t = 2, value_name = "SEV")]
    agenda_severity: u8,
    /// Agenda: at most this many incidents (most severe patterns first).
    #[arg(long, default_value_t = 40, value_name = "N")]
    agenda_max: usize,
    /// Print each phase's wall time and the process's peak and current memory to stderr.
    #[arg(long)]
    timings: bool,
    /// Do not write incidents.csv (the spreadsheet copy of incidents.parquet, larger than the
    /// input at a million incidents).
    #[arg(long)]
    no_csv: bool,
}

/// `--month` or `--since/--until`, shared by the commands that look at a period.
#[derive(Debug, Clone, clap::Args)]
pub struct PeriodArgs {
    /// The month under review (YYYY-MM). Default: the last complete calendar month before
    /// --as-of.
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["since", "until"])]
    pub month: Option<String>,
    /// First day of the period (YYYY-MM-DD), with --until.
    #[arg(long, value_name = "DATE", requires = "until")]
    pub since: Option<NaiveDate>,
    /// Last day of the period (YYYY-MM-DD, inclusive), with --since.
    #[arg(long, value_name = "DATE", requires = "since")]
    pub until: Option<NaiveDate>,
}

impl PeriodArgs {
    /// The period, if one is given.
    pub fn period(&self) -> anyhow::Result<Option<Period>> {
        parse_period(self.month.as_deref(), self.since, self.until)
    }
}

/// The shipped factor catalogue merged with the mapping's `factors` file, then `--factors`.
fn load_factor_catalogue(args: &Args) -> anyhow::Result<FactorCatalogue> {
    let mut files: Vec<PathBuf> = Vec::new();
    if let Some(mapping) = &args.input.mapping
        && let Some(relative) = args.input.options(&mut Vec::new())?.mapping.factors
    {
        let base = mapping.parent().unwrap_or(Path::new(""));
        files.push(base.join(relative));
    }
    files.extend(args.factors.clone());
    let mut catalogue = FactorCatalogue::shipped();
    for path in files {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read factor catalogue {}", path.display()))?;
        let team = FactorCatalogue::from_toml(&text, &path.display().to_string())?;
        catalogue = catalogue.merge(&team);
    }
    Ok(catalogue)
}

fn stage(bar: &Option<ProgressBar>, message: &'static str) {
    if let Some(bar) = bar {
        bar.set_message(message);
    }
}

/// Run `recur review`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let timings = Timings::new(args.timings);
    let as_of: DateTime<Utc> = match &args.as_of {
        Some(text) => parse_as_of(text)?,
        None => Utc::now(),
    };
    let period = args.period.period()?;
    let months = args.months.as_deref().map(parse_months).transpose()?;
    refuse_outputs_in_inputs(&args.input, &[&args.out])?;
    let mut missing = Vec::new();
    let roster = load_roster(args.roster.as_deref(), &args.input, &mut missing)?;
    let catalogue = match &args.catalogue {
        Some(path) => read_catalogue(path)?,
        None => Catalogue::default(),
    };
    let staged = StagedFolder::begin(&args.out)?;
    let bar = show_progress().then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    // A bad factor catalogue fails before the inputs are read.
    let factor_catalogue = load_factor_catalogue(&args)?;
    stage(&bar, "reading and normalizing inputs");
    let listed = Listed {
        rejected: Some(args.out.join("rejected.csv")),
        warnings: Some(args.out.join("warnings.csv")),
    };
    let normalized = args.input.load(missing, &listed)?;
    timings.lap("read and normalize");
    let mut options = ReviewOptions::new(as_of);
    options.period = period;
    options.patterns.n_clusters = args.k;
    options.patterns.seed = args.seed;
    options.agenda.max_severity = args.agenda_severity;
    options.agenda.max_items = args.agenda_max;
    options.roster = roster;
    options.factors.catalogue = factor_catalogue;
    options.catalogue = catalogue;
    stage(&bar, "mining patterns, factors, recurrences and trends");
    let on_phase = |phase: &'static str, wall: Duration| timings.inner("review", phase, wall);
    let (mut review, history) = match &months {
        Some(months) => {
            let mut history =
                run_history(&normalized, months, &options).context("the history failed")?;
            let Some(last) = history.last.take() else {
                anyhow::bail!("--months names no month");
            };
            (last, Some(history))
        }
        None => {
            // The similarity index (`recur similar --review`) is written, streamed, as soon as
            // the patterns have their ids, and dropped: at a million incidents its table of
            // incidents is half a gigabyte that the rest of the review need not sit beside.
            let index_path = staged.path().join(recur_cluster::index_file::FILE_NAME);
            let mut write_index = |index: &SimilarityFile<'_>| {
                write_file_with(&index_path, |w| Ok(index.write_to(w)?))
                    .map_err(|error| format!("{error:#}"))
            };
            let review =
                run_review_handing_index(&normalized, &options, &on_phase, &mut write_index)
                    .context("the review failed")?;
            (review, None)
        }
    };
    timings.lap("review");
    let out = staged.path();
    if history.is_some() {
        // A history's last month keeps its index: written first, streamed, and dropped.
        let similarity_index = std::mem::take(&mut review.similarity_index);
        write_file_with(&out.join(recur_cluster::index_file::FILE_NAME), |w| {
            Ok(similarity_index.write_to(w)?)
        })?;
        drop(similarity_index);
        timings.lap("similarity index");
    }
    if let Some(history) = &history {
        write_file_with(&out.join("history.csv"), |w| {
            Ok(write_history_csv(w, &history.rows)?)
        })?;
        write_file_with(&out.join("history.parquet"), |w| {
            write_history_parquet(w, &history.rows).context("cannot encode Parquet")
        })?;
    }
    stage(&bar, "drawing charts");
    let mut charts = render_review(&review).context("cannot draw the charts")?;
    if let Some(history) = &history {
        charts.push(render_history(history).context("cannot draw the history chart")?);
    }
    let completion: Vec<TeamMonthCompletion> = review
        .accountability
        .monthly
        .iter()
        .map(|m| TeamMonthCompletion {
            team: m.team.clone(),
            month: m.month.clone(),
            share_done_by_due: m.share_done_by_due,
            due: m.due,
            done_by_due: m.done_by_due,
        })
        .collect();
    charts.push(
        render_team_completion(&completion).context("cannot draw the team completion chart")?,
    );
    timings.lap("charts");
    stage(&bar, "writing the report");
    for chart in &charts {
        write_file(
            &out.join("charts").join(format!("{}.png", chart.name)),
            &chart.png,
        )?;
        write_file(
            &out.join("charts").join(format!("{}.svg", chart.name)),
            chart.svg.as_bytes(),
        )?;
    }
    let refs: Vec<ChartRef> = charts
        .iter()
        .map(|c| ChartRef {
            name: c.name.clone(),
            title: c.title.clone(),
            svg: c.svg.clone(),
        })
        .collect();
    write_file(
        &out.join("report.md"),
        render_markdown(&review, &refs).as_bytes(),
    )?;
    write_file(
        &out.join("report.html"),
        render_html(&review, &refs).as_bytes(),
    )?;
    // The report links every overdue follow-up as CSV, in the columns `recur followups` writes.
    write_file_with(&out.join(OVERDUE_CSV), |w| {
        super::followups::write_csv(w, &review.follow_ups.overdue_items, &[])
    })?;
    write_tables(out, &normalized, &review, !args.no_csv)?;
    timings.lap("report files and tables");
    // Last: above its size limit report.json keeps counts and examples, and the tables just
    // written keep every membership.
    summarize_for_json(&mut review, &JsonLimits::default());
    write_file_with(&out.join("report.json"), |w| Ok(write_json(w, &review)?))?;
    timings.lap("report.json");
    staged.commit()?;
    if let Some(path) = &args.catalogue {
        super::write_atomic(path, review.updated_catalogue.to_toml()?.as_bytes())?;
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    println!(
        "review of {}: {} incidents, {} patterns, {} recurrences, {} overdue follow-ups; {} agenda items → {}",
        review.run.month,
        review.input.incidents,
        review.run.k,
        review
            .summarized
            .as_ref()
            .map_or(review.recurrences.len(), |s| s.recurrences),
        review.follow_ups.overdue,
        review.agenda.len(),
        args.out.join("report.html").display()
    );
    if let Some(notice) = review.run.empty_period_notice() {
        eprintln!("warning: {notice}");
    }
    report_missing(&normalized.errors);
    eprint!("{}", timings.table());
    Ok(ExitCode::SUCCESS)
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_file_with(path, |w| Ok(w.write_all(bytes)?))
}

/// The incident tables of the review: the incidents as they stood at `as_of`, with their
/// pattern's stable id and name.
fn write_tables(
    out: &Path,
    normalized: &recur_core::Normalized,
    review: &Review,
    csv: bool,
) -> anyhow::Result<()> {
    let view = as_of_view(&normalized.incidents, review.run.as_of);
    let text_of = |values: &[String]| -> Vec<Cell> {
        review
            .pattern_of
            .iter()
            .map(|p| Cell::Text(p.and_then(|p| values.get(p).cloned())))
            .collect()
    };
    let annotations = [
        Annotation {
            name: "pattern_id".to_owned(),
            cells: text_of(&review.pattern_ids),
        },
        Annotation {
            name: "pattern_label".to_owned(),
            cells: text_of(&review.pattern_labels),
        },
    ];
    if csv {
        write_file_with(&out.join("incidents.csv"), |w| {
            Ok(write_csv(w, &view.incidents, &annotations)?)
        })?;
    }
    let mut frame = incidents_frame(&view.incidents, &annotations)
        .context("cannot build the incident table")?;
    write_file_with(&out.join("incidents.parquet"), |w| {
        write_parquet(w, &mut frame).context("cannot encode Parquet")
    })?;
    drop(frame);
    write_file_with(&out.join("recurrences.parquet"), |w| {
        write_recurrences_parquet(w, review).context("cannot encode Parquet")
    })?;
    write_file_with(&out.join("incident_factors.parquet"), |w| {
        write_incident_factors_parquet(w, review).context("cannot encode Parquet")
    })?;
    write_file_with(&out.join("rejected.csv"), |w| {
        Ok(write_rejected_csv(w, &normalized.rejected)?)
    })?;
    write_file_with(&out.join("warnings.csv"), |w| {
        Ok(write_warnings_csv(w, &normalized.warnings)?)
    })?;
    write_file_with(&out.join("merges.csv"), |w| {
        Ok(recur_core::output::write_merges_csv(w, &normalized.merges)?)
    })?;
    Ok(())
}

/// Read the catalogue at `path`; an empty one when the file does not exist yet.
fn read_catalogue(path: &Path) -> anyhow::Result<Catalogue> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Catalogue::default());
        }
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read catalogue {}", path.display()));
        }
    };
    Catalogue::from_toml(&text).with_context(|| format!("catalogue {}", path.display()))
}

/// `--months 2025-01..2025-12`: the first day of each month of the range, inclusive.
fn parse_months(text: &str) -> anyhow::Result<Vec<NaiveDate>> {
    let month = |part: &str| {
        NaiveDate::parse_from_str(&format!("{}-01", part.trim()), "%Y-%m-%d")
            .with_context(|| format!("--months {text:?}: {part:?} is not a month YYYY-MM"))
    };
    let Some((from, to)) = text.split_once("..") else {
        anyhow::bail!("--months {text:?}: expected FROM..TO, e.g. 2025-01..2025-12");
    };
    let (from, to) = (month(from)?, month(to)?);
    if to < from {
        anyhow::bail!("--months {text:?}: {to} is before {from}");
    }
    let mut months = vec![from];
    while let Some(next) = months
        .last()
        .and_then(|last| last.checked_add_months(chrono::Months::new(1)))
        .filter(|next| *next <= to)
    {
        if months.len() >= 1200 {
            anyhow::bail!("--months {text:?}: more than 100 years of months");
        }
        months.push(next);
    }
    Ok(months)
}
