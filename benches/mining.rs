//! Cost of the pattern mining at 10k, 100k and 1M incidents: `find_patterns` (text pipeline,
//! TF-IDF, SVD, automatic k, k-means, labels), `analyze_factors`, `find_recurrences` and all
//! neighbours of every incident; and `planted_find_patterns` / `holdout_find_patterns` on the
//! independent generator (`recur_synth`: its main and its held-out vocabulary, both with 4%
//! one-offs), which first print the quality reached at that size (NMI and AMI against
//! the planted causes with one-offs as singletons, one-offs, causes without a pattern of their
//! own, mixed patterns, recurrence precision and recall) on stderr.
//!
//! Run without polars: `cargo bench --bench mining --no-default-features`; one size only with an
//! anchored filter, e.g. `-- '/100000$'`. Inputs come from the seeded synthetic generator, so runs are
//! comparable. Each case runs 10 samples of one iteration each (flat sampling), so that the 1M
//! case finishes in minutes.

#[path = "support/filter.rs"]
mod filter;

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main,
};
use recur_cluster::evaluate::{evaluate, score_recurrences};
use recur_cluster::factors::{FactorParams, analyze_factors};
use recur_cluster::patterns::{PatternParams, Patterns, find_patterns};
use recur_cluster::recurrence::{RecurrenceParams, find_recurrences};
use recur_cluster::similar::SimilarityIndex;
use recur_core::Incident;
use recur_core::synth::{SynthParams, generate};
use recur_synth::{PlantParams, Planted, Vocabulary};

const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

fn incidents(n_incidents: usize) -> Vec<Incident> {
    generate(&SynthParams {
        n_incidents,
        ..SynthParams::default()
    })
    .incidents
}

/// Whether a mining benchmark of this size was asked for (see [`filter::wanted_of`]).
fn wanted(n_incidents: usize) -> bool {
    filter::wanted_of(
        "mining",
        &[
            "find_patterns",
            "analyze_factors",
            "find_recurrences",
            "all_neighbors",
            "planted_find_patterns",
            "holdout_find_patterns",
        ],
        n_incidents,
    )
}

/// The "mining" group: 10 samples of one iteration each (flat sampling).
fn mining_group(c: &mut Criterion) -> BenchmarkGroup<'_, WallTime> {
    let mut group = c.benchmark_group("mining");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    group
}

fn mining(c: &mut Criterion) {
    let mut group = mining_group(c);
    let params = PatternParams::default();
    for n_incidents in SIZES {
        if !wanted(n_incidents) {
            continue;
        }
        let input = incidents(n_incidents);
        assert_eq!(
            input.len(),
            n_incidents,
            "the generator returns what was asked"
        );
        group.bench_with_input(
            BenchmarkId::new("find_patterns", n_incidents),
            &input,
            |b, input| b.iter(|| find_patterns(black_box(input), &params)),
        );
        let Ok(patterns) = find_patterns(&input, &params) else {
            continue;
        };
        group.bench_with_input(
            BenchmarkId::new("analyze_factors", n_incidents),
            &input,
            |b, input| {
                b.iter(|| {
                    analyze_factors(
                        black_box(input),
                        &patterns.assignment,
                        &FactorParams::default(),
                    )
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("find_recurrences", n_incidents),
            &input,
            |b, input| {
                b.iter(|| {
                    find_recurrences(black_box(input), &patterns, &RecurrenceParams::default())
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("all_neighbors", n_incidents),
            &patterns,
            |b, patterns| {
                b.iter(|| SimilarityIndex::from_patterns(black_box(patterns)).all_neighbors(5))
            },
        );
    }
    group.finish();
}

/// The mining on the independent planted generator: the quality reached (printed once), then
/// the time of `find_patterns`; `planted_find_patterns` on its main vocabulary with 4% one-offs,
/// `holdout_find_patterns` on the held-out vocabulary, with 4% one-offs too.
fn planted(c: &mut Criterion) {
    let mut group = mining_group(c);
    let params = PatternParams::default();
    let cases = [
        ("planted_find_patterns", PlantParams::default()),
        (
            "holdout_find_patterns",
            PlantParams {
                vocabulary: Vocabulary::Holdout,
                ..PlantParams::default()
            },
        ),
    ];
    for n_incidents in SIZES {
        for (name, plant) in &cases {
            if !filter::wanted_of("mining", &[name], n_incidents) {
                continue;
            }
            let planted = recur_synth::generate(&PlantParams {
                n_incidents,
                ..plant.clone()
            });
            let Ok(patterns) = find_patterns(&planted.incidents, &params) else {
                continue;
            };
            print_quality(name, n_incidents, &planted, &patterns);
            group.bench_with_input(
                BenchmarkId::new(*name, n_incidents),
                &planted.incidents,
                |b, input| b.iter(|| find_patterns(black_box(input), &params)),
            );
        }
    }
    group.finish();
}

/// Print the quality the mining reached on planted data, on stderr.
fn print_quality(name: &str, n_incidents: usize, planted: &Planted, patterns: &Patterns) {
    let causes: Vec<Option<&str>> = planted.truth.iter().map(|t| t.cause.as_deref()).collect();
    let evaluation = evaluate(&patterns.assignment, &causes);
    let found: Vec<(String, String)> =
        find_recurrences(&planted.incidents, patterns, &RecurrenceParams::default())
            .into_iter()
            .map(|r| (r.incident_id, r.earlier_incident_id))
            .collect();
    let known = planted.known_recurrences();
    let recurrences = score_recurrences(&found, &known);
    let without_own: Vec<&str> = evaluation
        .classes
        .iter()
        .filter(|class| !class.has_own_pattern)
        .map(|class| class.class.as_str())
        .collect();
    eprintln!(
        "{name} {n_incidents}: {} patterns, NMI {:.3}, AMI {:.3}, one-offs {:.3} \
         (planted {:.3}), causes without a pattern {without_own:?}, mixed patterns {}, \
         recurrences precision {:.3} recall {:.3} ({} found, {} planted)",
        patterns.patterns.len(),
        evaluation.nmi,
        evaluation.ami,
        evaluation.one_off_share,
        evaluation.unclassed_share,
        evaluation.patterns.iter().filter(|p| p.mixed).count(),
        recurrences.precision,
        recurrences.recall,
        recurrences.found,
        recurrences.known,
    );
}

// No HTML plots: criterion draws them with plotters' system-font lookup, and the workspace's
// plotters is built with an embedded-font backend only (no system fonts), so plotting fails.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = mining, planted
}
criterion_main!(benches);
