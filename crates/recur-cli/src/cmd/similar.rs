//! `recur similar`: the incidents most similar to one incident, earlier and later, with the
//! shared terms that explain each score.

use std::process::ExitCode;

use anyhow::Context as _;
use recur_cluster::patterns::{PatternParams, find_patterns};
use recur_cluster::similar::SimilarityIndex;
use serde::Serialize;

use super::InputArgs;

/// Arguments of `recur similar`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// The incident to compare.
    #[arg(long, value_name = "ID")]
    id: String,
    /// How many similar incidents to list.
    #[arg(long, default_value_t = 5)]
    top: usize,
    /// Seed of pattern mining (the embedding the similarity is measured in).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
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
    let normalized = args.input.load(Vec::new(), &super::Listed::default())?;
    let incidents = &normalized.incidents;
    let Some(index) = incidents.iter().position(|i| i.id == args.id) else {
        anyhow::bail!(
            "no incident with id {:?} among the {} read",
            args.id,
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
            let relation = match (other.occurred_at(), target.occurred_at()) {
                (Some(a), Some(b)) if a < b => "earlier",
                (Some(a), Some(b)) if a > b => "later",
                _ => "undated",
            };
            Similar {
                id: &other.id,
                title: other.title.as_deref(),
                started_at: other.occurred_at().map(recur_core::output::format_time),
                relation,
                score: (n.score * 1000.0).round() / 1000.0,
                shared_terms: &n.shared_terms,
            }
        })
        .collect();
    if args.json {
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
