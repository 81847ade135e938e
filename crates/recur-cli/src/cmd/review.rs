//! `recur review`: the monthly pattern review as one batch job.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use recur_cluster::catalogue::Catalogue;
use recur_core::frame::{incidents_frame, write_parquet};
use recur_core::output::{Annotation, Cell, write_csv, write_rejected_csv, write_warnings_csv};
use recur_review::charts::{TeamMonthCompletion, render_all, render_team_completion};
use recur_review::report::{ChartRef, OVERDUE_CSV, render_html, render_markdown, write_json};
use recur_review::review::{Period, ReviewOptions, run_review};

use super::outputs::{StagedFolder, write_file_with};
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
    /// "Now" for overdue follow-ups (YYYY-MM-DD or RFC 3339). Default: the current time. Give
    /// it to make a run reproducible.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
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
}

/// `--month` or `--since/--until`, shared by the commands that look at a period.
#[derive(Debug, Clone, clap::Args)]
pub struct PeriodArgs {
    /// The month under review (YYYY-MM). Default: the month of the latest incident.
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
fn load_catalogue(args: &Args) -> anyhow::Result<Catalogue> {
    let mut files: Vec<PathBuf> = Vec::new();
    if let Some(mapping) = &args.input.mapping
        && let Some(relative) = args.input.options(&mut Vec::new())?.mapping.factors
    {
        let base = mapping.parent().unwrap_or(Path::new(""));
        files.push(base.join(relative));
    }
    files.extend(args.factors.clone());
    let mut catalogue = Catalogue::shipped();
    for path in files {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read factor catalogue {}", path.display()))?;
        let team = Catalogue::from_toml(&text, &path.display().to_string())?;
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
    let as_of: DateTime<Utc> = match &args.as_of {
        Some(text) => parse_as_of(text)?,
        None => Utc::now(),
    };
    let period = args.period.period()?;
    refuse_outputs_in_inputs(&args.input, &[&args.out])?;
    let mut missing = Vec::new();
    let roster = load_roster(args.roster.as_deref(), &args.input, &mut missing)?;
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
    // A bad catalogue fails before the inputs are read.
    let catalogue = load_catalogue(&args)?;
    stage(&bar, "reading and normalizing inputs");
    let listed = Listed {
        rejected: Some(args.out.join("rejected.csv")),
        warnings: Some(args.out.join("warnings.csv")),
    };
    let normalized = args.input.load(missing, &listed)?;
    let mut options = ReviewOptions::new(as_of);
    options.period = period;
    options.patterns.n_clusters = args.k;
    options.patterns.seed = args.seed;
    options.agenda.max_severity = args.agenda_severity;
    options.agenda.max_items = args.agenda_max;
    options.roster = roster;
    options.factors.catalogue = catalogue;
    stage(&bar, "mining patterns, factors, recurrences and trends");
    let review = run_review(&normalized, &options).context("the review failed")?;
    stage(&bar, "drawing charts");
    let mut charts = render_all(&review.trends).context("cannot draw the charts")?;
    let completion: Vec<TeamMonthCompletion> = review
        .accountability
        .monthly
        .iter()
        .map(|m| TeamMonthCompletion {
            team: m.team.clone(),
            month: m.month.clone(),
            share_done_by_due: m.share_done_by_due,
        })
        .collect();
    charts.push(
        render_team_completion(&completion).context("cannot draw the team completion chart")?,
    );
    stage(&bar, "writing the report");
    let out = staged.path();
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
    write_file_with(&out.join("report.json"), |w| Ok(write_json(w, &review)?))?;
    // The report links every overdue follow-up as CSV, in the columns `recur followups` writes.
    write_file_with(&out.join(OVERDUE_CSV), |w| {
        super::followups::write_csv(w, &review.follow_ups.overdue_items, &[])
    })?;
    write_tables(out, &normalized, &review.pattern_of, &review.pattern_labels)?;
    staged.commit()?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    println!(
        "review of {}: {} incidents, {} patterns, {} recurrences, {} overdue follow-ups; {} agenda items → {}",
        review.run.month,
        review.input.incidents,
        review.run.k,
        review.recurrences.len(),
        review.follow_ups.overdue,
        review.agenda.len(),
        args.out.join("report.html").display()
    );
    report_missing(&normalized.errors);
    Ok(ExitCode::SUCCESS)
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_file_with(path, |w| Ok(w.write_all(bytes)?))
}

fn write_tables(
    out: &Path,
    normalized: &recur_core::Normalized,
    pattern_of: &[Option<usize>],
    labels: &[String],
) -> anyhow::Result<()> {
    let annotations = [
        Annotation {
            name: "pattern_id".to_owned(),
            cells: pattern_of
                .iter()
                .map(|p| Cell::Int(p.map(|p| p as i64)))
                .collect(),
        },
        Annotation {
            name: "pattern_label".to_owned(),
            cells: pattern_of
                .iter()
                .map(|p| Cell::Text(p.and_then(|p| labels.get(p).cloned())))
                .collect(),
        },
    ];
    write_file_with(&out.join("incidents.csv"), |w| {
        Ok(write_csv(w, &normalized.incidents, &annotations)?)
    })?;
    let mut frame = incidents_frame(&normalized.incidents, &annotations)
        .context("cannot build the incident table")?;
    write_file_with(&out.join("incidents.parquet"), |w| {
        write_parquet(w, &mut frame).context("cannot encode Parquet")
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
