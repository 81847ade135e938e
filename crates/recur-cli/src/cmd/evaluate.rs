//! `recur evaluate`: how far the automatic patterns agree with classes people already gave
//! their incidents (a field of the records, or a truth file), and recurrence precision and
//! recall where the truth names the incidents recurred.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use recur_cluster::evaluate::{Evaluation, RecurrenceScore, evaluate, score_recurrences};
use recur_cluster::patterns::{PatternParams, Patterns, find_patterns};
use recur_cluster::recurrence::{RecurrenceParams, find_recurrences};
use recur_core::Incident;
use recur_core::normalize::fields::name_key;
use serde::Serialize;

use super::{InputArgs, Listed};

/// Arguments of `recur evaluate`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("truth_source").required(true).args(["truth", "truth_file"])))]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// A field of the records that holds each incident's class (an unmapped column such as
    /// "root cause category", or severity, status, detection_method, owner, tags, services,
    /// teams; a list field counts by its first value).
    #[arg(long, value_name = "FIELD")]
    truth: Option<String>,
    /// A CSV of classes: `id,label[,recurrence_of]` (a header row is required; columns named
    /// id/incident_id, label/pattern/cause/class and recurrence_of/recurs are found by name,
    /// else taken in that order). An empty label means no class.
    #[arg(long, value_name = "CSV")]
    truth_file: Option<PathBuf>,
    /// Seed of pattern mining.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text.
    Text,
    /// JSON.
    Json,
}

/// The known class and recurrence of each incident, by id.
#[derive(Debug, Default)]
struct Truth {
    classes: BTreeMap<String, String>,
    recurrences: BTreeMap<String, String>,
    /// Whether the truth names recurrences at all (a `recurrence_of` column).
    has_recurrences: bool,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    incidents: usize,
    classed: usize,
    truth_ids_not_read: usize,
    patterns: usize,
    k_automatic: bool,
    evaluation: &'a Evaluation,
    labels: Vec<&'a str>,
    recurrences: Option<RecurrenceScore>,
}

/// Run `recur evaluate`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let normalized = args.input.load(Vec::new(), &Listed::default())?;
    let incidents = &normalized.incidents;
    let truth = match (&args.truth_file, &args.truth) {
        (Some(path), _) => read_truth_file(path)?,
        (None, Some(field)) => truth_from_field(incidents, field)?,
        (None, None) => anyhow::bail!("give --truth FIELD or --truth-file CSV"),
    };
    let params = PatternParams {
        seed: args.seed,
        ..PatternParams::default()
    };
    let patterns = find_patterns(incidents, &params).context("pattern mining failed")?;
    let classes: Vec<Option<&str>> = incidents
        .iter()
        .map(|incident| truth.classes.get(&incident.id).map(String::as_str))
        .collect();
    let evaluation = evaluate(&patterns.assignment, &classes);
    let recurrences = truth
        .has_recurrences
        .then(|| recurrence_score(incidents, &patterns, &truth));
    let read: std::collections::BTreeSet<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
    let report = Report {
        incidents: incidents.len(),
        classed: classes.iter().filter(|c| c.is_some()).count(),
        truth_ids_not_read: truth
            .classes
            .keys()
            .filter(|id| !read.contains(id.as_str()))
            .count(),
        patterns: patterns.patterns.len(),
        k_automatic: params.n_clusters.is_none(),
        evaluation: &evaluation,
        labels: patterns.patterns.iter().map(|p| p.label.as_str()).collect(),
        recurrences,
    };
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Text => print!("{}", render_text(&report)),
    }
    Ok(ExitCode::SUCCESS)
}

fn recurrence_score(incidents: &[Incident], patterns: &Patterns, truth: &Truth) -> RecurrenceScore {
    let found: Vec<(String, String)> =
        find_recurrences(incidents, patterns, &RecurrenceParams::default())
            .into_iter()
            .map(|r| (r.incident_id, r.earlier_incident_id))
            .collect();
    let known: Vec<(String, String)> = truth
        .recurrences
        .iter()
        .map(|(later, earlier)| (later.clone(), earlier.clone()))
        .collect();
    score_recurrences(&found, &known)
}

/// Read `id,label[,recurrence_of]`.
fn read_truth_file(path: &Path) -> anyhow::Result<Truth> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read truth file {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("truth file {}: no header row", path.display()))?
        .clone();
    let find = |names: &[&str], fallback: Option<usize>| {
        headers
            .iter()
            .position(|header| names.contains(&name_key(header).as_str()))
            .or(fallback.filter(|&at| at < headers.len()))
    };
    let id_column = find(&["id", "incidentid"], Some(0))
        .with_context(|| format!("truth file {}: no id column", path.display()))?;
    let label_column = find(&["label", "pattern", "cause", "class", "category"], Some(1))
        .with_context(|| format!("truth file {}: no label column", path.display()))?;
    let recurrence_column = find(&["recurrenceof", "recurs"], None)
        .or_else(|| (headers.len() >= 3 && id_column != 2 && label_column != 2).then_some(2));
    let mut truth = Truth {
        has_recurrences: recurrence_column.is_some(),
        ..Truth::default()
    };
    for (row, record) in reader.records().enumerate() {
        // The header is line 1.
        let line = row + 2;
        let record =
            record.with_context(|| format!("truth file {}: line {line}", path.display()))?;
        let field = |column: usize| record.get(column).map(str::trim).unwrap_or("");
        let id = field(id_column);
        if id.is_empty() {
            anyhow::bail!(
                "truth file {}: line {line}: empty id in column {:?}",
                path.display(),
                &headers[id_column]
            );
        }
        if truth.classes.contains_key(id) {
            anyhow::bail!(
                "truth file {}: line {line}: id {id:?} appears twice",
                path.display()
            );
        }
        let label = field(label_column);
        if !label.is_empty() {
            truth.classes.insert(id.to_owned(), label.to_owned());
        }
        if let Some(column) = recurrence_column {
            let earlier = field(column);
            if !earlier.is_empty() {
                truth.recurrences.insert(id.to_owned(), earlier.to_owned());
            }
        }
    }
    Ok(truth)
}

/// Each incident's value of `field` as its class.
fn truth_from_field(incidents: &[Incident], field: &str) -> anyhow::Result<Truth> {
    let key = name_key(field);
    let value = |incident: &Incident| -> Option<String> {
        let first = |values: &[String]| values.first().cloned();
        let value = match key.as_str() {
            "severity" => incident.severity.map(|s| s.to_string()),
            "status" => incident.status.map(|s| s.as_str().to_owned()),
            "detectionmethod" => incident.detection_method.clone(),
            "owner" => incident.owner.clone(),
            "tags" => first(&incident.tags),
            "services" => first(&incident.services),
            "teams" => first(&incident.teams),
            _ => incident
                .extra
                .iter()
                .find(|(name, _)| name_key(name) == key)
                .map(|(_, value)| value.clone()),
        };
        value
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    let classes: BTreeMap<String, String> = incidents
        .iter()
        .filter_map(|incident| Some((incident.id.clone(), value(incident)?)))
        .collect();
    if classes.is_empty() && !incidents.is_empty() {
        let mut known: Vec<&str> = incidents
            .iter()
            .flat_map(|incident| incident.extra.keys().map(String::as_str))
            .collect();
        known.sort_unstable();
        known.dedup();
        anyhow::bail!(
            "--truth {field:?}: no incident has a value there (unmapped columns: {})",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        );
    }
    Ok(Truth {
        classes,
        ..Truth::default()
    })
}

fn render_text(report: &Report<'_>) -> String {
    use std::fmt::Write as _;
    let evaluation = report.evaluation;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} incidents, {} with a class ({} classes); {} patterns (k {})",
        report.incidents,
        report.classed,
        evaluation.classes.len(),
        report.patterns,
        if report.k_automatic {
            "chosen automatically"
        } else {
            "given"
        }
    );
    if report.truth_ids_not_read > 0 {
        let _ = writeln!(
            out,
            "{} ids of the truth are not among the incidents read",
            report.truth_ids_not_read
        );
    }
    let _ = writeln!(
        out,
        "NMI {:.3}  AMI {:.3}  (one-offs and incidents without a class count as singletons)",
        evaluation.nmi, evaluation.ami
    );
    let _ = writeln!(
        out,
        "one-offs {:.1}%  without a class {:.1}%",
        100.0 * evaluation.one_off_share,
        100.0 * evaluation.unclassed_share
    );
    if let Some(score) = report.recurrences {
        let _ = writeln!(
            out,
            "recurrences: {} found, {} known, {} correct: precision {:.3}, recall {:.3}",
            score.found, score.known, score.correct, score.precision, score.recall
        );
    }
    out.push_str("\npatterns (purity, then the classes it holds):\n");
    for pattern in &evaluation.patterns {
        let label = report.labels.get(pattern.pattern).copied().unwrap_or("");
        let classes: Vec<String> = pattern
            .classes
            .iter()
            .take(4)
            .map(|(class, count)| {
                let class = if class.is_empty() { "(none)" } else { class };
                format!("{class} {count}")
            })
            .collect();
        let _ = writeln!(
            out,
            "  {:>3} {:<40} {:>6} {:>5.1}%  {}{}",
            pattern.pattern,
            label,
            pattern.size,
            100.0 * pattern.purity,
            classes.join(", "),
            if pattern.mixed { "  MIXED" } else { "" }
        );
    }
    out.push_str("\nclasses (main pattern and its share, one-off share):\n");
    for class in &evaluation.classes {
        let main = class
            .main_pattern
            .map_or_else(|| "-".to_owned(), |p| p.to_string());
        let _ = writeln!(
            out,
            "  {:<32} {:>6}  pattern {:>3} {:>5.1}%  one-off {:>5.1}%{}",
            class.class,
            class.size,
            main,
            100.0 * class.main_share,
            100.0 * class.one_off_share,
            if class.has_own_pattern {
                ""
            } else {
                "  no pattern of its own"
            }
        );
    }
    out
}
