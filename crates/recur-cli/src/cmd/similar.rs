//! `recur similar`: the incidents most similar to one incident, earlier and later, with the
//! shared terms that explain each score. From the exports (mined afresh), or with `--review DIR`
//! from the similarity index a review saved (`similarity-index.bin`): no export read, nothing
//! mined, and new text (`--text`, `--file`) compared with every past incident, with what was
//! done about them (their follow-ups).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use recur_cluster::index_file::{EmbeddedText, FILE_NAME, SimilarityFile};
use recur_cluster::patterns::{PatternParams, find_patterns};
use recur_cluster::similar::{Neighbor, SimilarityIndex};
use recur_core::normalize::{Inputs, normalize_paths};
use recur_core::output::format_time;
use serde::Serialize;

use super::InputArgs;

/// Arguments of `recur similar`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// A review's output folder (or the similarity-index.bin in it): answer from the
    /// similarity index `recur review` saved there, without reading exports or mining. Needed
    /// by --text and --file.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["inputs", "follow_ups", "seed"])]
    review: Option<PathBuf>,
    /// The incident to compare (its id).
    #[arg(
        long,
        value_name = "ID",
        required_unless_present_any = ["text", "file"],
        conflicts_with_all = ["text", "file"]
    )]
    id: Option<String>,
    /// A description of a new incident, compared with every incident of the review (with
    /// --review): "have we seen this before, and what did we do?".
    #[arg(
        long,
        value_name = "TEXT",
        requires = "review",
        conflicts_with = "file"
    )]
    text: Option<String>,
    /// A new incident report (Markdown, JSON, CSV or JSONL, one incident) read by the
    /// normalizer (with --mapping, --time-zone, --date-order) and compared with every incident
    /// of the review (with --review), its fields weighed as the review weighs them.
    #[arg(long, value_name = "FILE", requires = "review")]
    file: Option<PathBuf>,
    /// How many similar incidents to list.
    #[arg(long, default_value_t = 5)]
    top: usize,
    /// Seed of pattern mining (the embedding the similarity is measured in). Not with
    /// --review, whose index was made with the review's seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Print JSON instead of text (the same as --format json).
    #[arg(long)]
    json: bool,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text.
    Text,
    /// JSON: an array of the similar incidents, best first.
    Json,
}

impl Args {
    fn json(&self) -> bool {
        self.json || self.format == Format::Json
    }
}

#[derive(Debug, Serialize)]
struct Similar<'a> {
    id: &'a str,
    title: Option<&'a str>,
    started_at: Option<String>,
    relation: &'static str,
    score: f32,
    shared_terms: &'a [String],
}

/// Run `recur similar`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(review) = &args.review {
        return run_from_index(&args, review);
    }
    let Some(id) = args.id.as_deref() else {
        anyhow::bail!("--id is needed without --review (--text and --file need --review DIR)");
    };
    let normalized = args.input.load(Vec::new(), &super::Listed::default())?;
    let incidents = &normalized.incidents;
    let Some(index) = incidents.iter().position(|i| i.id == id) else {
        anyhow::bail!(
            "no incident with id {:?} among the {} read",
            id,
            incidents.len()
        );
    };
    let params = PatternParams {
        seed: args.seed,
        ..PatternParams::default()
    };
    let patterns = find_patterns(incidents, &params).context("pattern mining failed")?;
    let similarity = SimilarityIndex::from_patterns(&patterns);
    let target = &incidents[index];
    let neighbors = similarity.most_similar(index, args.top);
    let rows: Vec<Similar> = neighbors
        .iter()
        .map(|n| {
            let other = &incidents[n.index];
            Similar {
                id: &other.id,
                title: other.title.as_deref(),
                started_at: other.occurred_at().map(format_time),
                relation: relation(other.occurred_at(), target.occurred_at()),
                score: rounded(n.score),
                shared_terms: &n.shared_terms,
            }
        })
        .collect();
    if args.json() {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!("{} {}", target.id, target.title.as_deref().unwrap_or(""));
        if rows.is_empty() {
            println!("  no similar incident (it has no text to compare?)");
        }
        for row in &rows {
            println!(
                "  {:.3}  {:<8} {} {}  [{}]",
                row.score,
                row.relation,
                row.id,
                row.title.unwrap_or(""),
                row.shared_terms.join(", ")
            );
        }
    }
    super::report_missing(&normalized.errors);
    Ok(ExitCode::SUCCESS)
}

/// Where `other` stands in time against the incident compared.
fn relation(other: Option<DateTime<Utc>>, target: Option<DateTime<Utc>>) -> &'static str {
    match (other, target) {
        (Some(a), Some(b)) if a < b => "earlier",
        (Some(a), Some(b)) if a > b => "later",
        (Some(_), Some(_)) => "same time",
        _ => "undated",
    }
}

fn rounded(score: f32) -> f32 {
    (score * 1000.0).round() / 1000.0
}

/// One similar incident of the saved index, with what was done about it.
#[derive(Debug, Serialize)]
struct IndexedRow<'a> {
    id: &'a str,
    title: Option<&'a str>,
    started_at: Option<String>,
    /// Earlier or later than the incident compared; null for a text without a time.
    relation: Option<&'static str>,
    score: f32,
    shared_terms: &'a [String],
    pattern_id: Option<&'a str>,
    pattern_label: Option<&'a str>,
    services: &'a [String],
    teams: &'a [String],
    follow_ups: Vec<FollowUpRow<'a>>,
}

#[derive(Debug, Serialize)]
struct FollowUpRow<'a> {
    id: Option<&'a str>,
    title: Option<&'a str>,
    owner: Option<&'a str>,
    status: &'static str,
    due_at: Option<String>,
    tracker: Option<&'a str>,
}

/// What is compared with the index.
struct Query {
    /// The first line of the text output.
    heading: String,
    /// When the compared incident started, for earlier / later.
    started_at: Option<DateTime<Utc>>,
    /// Whether earlier / later is meaningful (an incident, not a bare text).
    dated: bool,
    neighbors: Vec<Neighbor>,
}

/// `--review DIR`: answer from the saved index only.
fn run_from_index(args: &Args, review: &Path) -> anyhow::Result<ExitCode> {
    let path = if review.is_file() {
        review.to_path_buf()
    } else {
        review.join(FILE_NAME)
    };
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "cannot read the similarity index {} (`recur review --out DIR` writes it)",
            path.display()
        )
    })?;
    let index = SimilarityFile::decode(&bytes)
        .with_context(|| format!("cannot load the similarity index {}", path.display()))?;
    drop(bytes);
    let query = if let Some(id) = &args.id {
        let Some(position) = index.position(id) else {
            anyhow::bail!(
                "no incident with id {id:?} among the {} of the similarity index {}",
                index.incidents().len(),
                path.display()
            );
        };
        let incident = &index.incidents()[position];
        Query {
            heading: format!(
                "{} {}{}",
                incident.id,
                incident.title.as_deref().unwrap_or(""),
                pattern_suffix(&index, position)
            ),
            started_at: incident.occurred_at,
            dated: true,
            neighbors: index.most_similar(position, args.top),
        }
    } else if let Some(text) = &args.text {
        let embedded = index.embed_text(text);
        Query {
            heading: text_heading(&index, &embedded, text),
            started_at: None,
            dated: false,
            neighbors: index.most_similar_to(&embedded, args.top, None),
        }
    } else if let Some(file) = &args.file {
        new_incident_query(args, &index, file)?
    } else {
        anyhow::bail!("give --id, --text or --file");
    };
    let rows: Vec<IndexedRow> = query
        .neighbors
        .iter()
        .map(|n| indexed_row(&index, n, &query))
        .collect();
    if args.json() {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        print_rows(&query.heading, &rows);
    }
    Ok(ExitCode::SUCCESS)
}

/// `--file`: the one incident of a report, normalized as an export would be.
fn new_incident_query(
    args: &Args,
    index: &SimilarityFile<'_>,
    file: &Path,
) -> anyhow::Result<Query> {
    std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?;
    let options = args.input.options(&mut Vec::new())?;
    let normalized = normalize_paths(
        &Inputs {
            incidents: vec![file.to_path_buf()],
            follow_ups: Vec::new(),
        },
        &options,
    );
    if let Some(error) = normalized.errors.first() {
        anyhow::bail!("cannot read {}: {error}", file.display());
    }
    let incident = match normalized.incidents.as_slice() {
        [incident] => incident,
        [] => match normalized.rejected.first() {
            Some(rejected) => {
                anyhow::bail!(
                    "{}: the incident was rejected: {}",
                    file.display(),
                    rejected.reason
                )
            }
            None => anyhow::bail!("{}: no incident found in it", file.display()),
        },
        many => anyhow::bail!(
            "{}: {} incidents in it; give a file of one incident",
            file.display(),
            many.len()
        ),
    };
    let embedded = index.embed_incident(incident);
    // The same report already in the review is not its own match.
    let exclude = (!incident.id.is_empty())
        .then(|| index.position(&incident.id))
        .flatten();
    let title = incident.title.as_deref().unwrap_or("");
    Ok(Query {
        heading: format!(
            "{} {}{}",
            incident.id,
            title,
            terms_suffix(index, &embedded)
        ),
        started_at: incident.occurred_at(),
        dated: true,
        neighbors: index.most_similar_to(&embedded, args.top, exclude),
    })
}

fn pattern_suffix(index: &SimilarityFile<'_>, position: usize) -> String {
    index
        .pattern_of(position)
        .map(|p| format!("  (pattern {} {})", p.id, p.label))
        .unwrap_or_default()
}

fn text_heading(index: &SimilarityFile<'_>, embedded: &EmbeddedText, text: &str) -> String {
    let mut shown: String = text.chars().take(80).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    format!("{shown:?}{}", terms_suffix(index, embedded))
}

fn terms_suffix(index: &SimilarityFile<'_>, embedded: &EmbeddedText) -> String {
    if embedded.is_empty() {
        "  (no word of it is a term of the review's incidents)".to_owned()
    } else {
        format!("  [{}]", index.terms_of(embedded, 8).join(", "))
    }
}

fn indexed_row<'a>(
    index: &'a SimilarityFile<'_>,
    neighbor: &'a Neighbor,
    query: &Query,
) -> IndexedRow<'a> {
    let incident = &index.incidents()[neighbor.index];
    let pattern = index.pattern_of(neighbor.index);
    IndexedRow {
        id: &incident.id,
        title: incident.title.as_deref(),
        started_at: incident.occurred_at.map(format_time),
        relation: query
            .dated
            .then(|| relation(incident.occurred_at, query.started_at)),
        score: rounded(neighbor.score),
        shared_terms: &neighbor.shared_terms,
        pattern_id: pattern.map(|p| p.id.as_str()),
        pattern_label: pattern.map(|p| p.label.as_str()),
        services: &incident.services,
        teams: &incident.teams,
        follow_ups: incident
            .follow_ups
            .iter()
            .map(|f| FollowUpRow {
                id: f.id.as_deref(),
                title: f.title.as_deref(),
                owner: f.owner.as_deref(),
                status: f.status.as_str(),
                due_at: f.due_at.map(format_time),
                tracker: f.tracker.as_deref(),
            })
            .collect(),
    }
}

fn print_rows(heading: &str, rows: &[IndexedRow<'_>]) {
    println!("{heading}");
    if rows.is_empty() {
        println!("  no similar incident (no text to compare?)");
    }
    for row in rows {
        let day = row
            .started_at
            .as_deref()
            .map_or("undated", |at| at.get(..10).unwrap_or(at));
        println!(
            "  {:.3}  {:<9} {} {}  {}  [{}]",
            row.score,
            row.relation.unwrap_or(""),
            day,
            row.id,
            row.title.unwrap_or(""),
            row.shared_terms.join(", ")
        );
        let mut about = Vec::new();
        if let (Some(id), Some(label)) = (row.pattern_id, row.pattern_label) {
            about.push(format!("pattern {id} {label}"));
        }
        if !row.services.is_empty() {
            about.push(format!("services {}", row.services.join(", ")));
        }
        if !row.teams.is_empty() {
            about.push(format!("teams {}", row.teams.join(", ")));
        }
        if !about.is_empty() {
            println!("         {}", about.join(" · "));
        }
        if row.follow_ups.is_empty() {
            println!("         no follow-ups");
        }
        for follow_up in &row.follow_ups {
            let mut details = Vec::new();
            if let Some(owner) = follow_up.owner {
                details.push(owner.to_owned());
            }
            if let Some(due) = &follow_up.due_at {
                details.push(format!("due {}", due.get(..10).unwrap_or(due)));
            }
            if let Some(tracker) = follow_up.tracker {
                details.push(tracker.to_owned());
            }
            println!(
                "         {:<7} {} {}{}",
                follow_up.status,
                follow_up.id.unwrap_or("-"),
                follow_up.title.unwrap_or(""),
                if details.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", details.join(", "))
                }
            );
        }
    }
}
