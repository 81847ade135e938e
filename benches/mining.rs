//! Cost of the pattern mining at 10k, 100k and 1M incidents: `find_patterns` (text pipeline,
//! TF-IDF, SVD, automatic k, k-means, labels), `analyze_factors`, `find_recurrences` and all
//! neighbours of every incident.
//!
//! Run without polars: `cargo bench --bench mining --no-default-features`; one size only with an
//! anchored filter, e.g. `-- '/100000$'`. Inputs come from the seeded synthetic generator, so runs are
//! comparable. Each case runs 10 samples of one iteration each (flat sampling), so that the 1M
//! case finishes in minutes.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use recur_cluster::factors::{FactorParams, analyze_factors};
use recur_cluster::patterns::{PatternParams, find_patterns};
use recur_cluster::recurrence::{RecurrenceParams, find_recurrences};
use recur_cluster::similar::SimilarityIndex;
use recur_core::Incident;
use recur_core::synth::{SynthParams, generate};

const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

fn incidents(n_incidents: usize) -> Vec<Incident> {
    generate(&SynthParams {
        n_incidents,
        ..SynthParams::default()
    })
    .incidents
}

/// Whether a benchmark of this size was asked for: generating and mining a million incidents
/// only to skip them would take minutes. Criterion's filter (the first free argument) is a
/// regular expression; this understands the plain substrings and `^`/`$` anchors that select a
/// size, e.g. `/10000$`.
fn wanted(n_incidents: usize) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let matches = |id: &str, filter: &str| {
        let (start, filter) = match filter.strip_prefix('^') {
            Some(rest) => (true, rest),
            None => (false, filter),
        };
        let (end, filter) = match filter.strip_suffix('$') {
            Some(rest) => (true, rest),
            None => (false, filter),
        };
        match (start, end) {
            (true, true) => id == filter,
            (true, false) => id.starts_with(filter),
            (false, true) => id.ends_with(filter),
            (false, false) => id.contains(filter),
        }
    };
    filters.is_empty()
        || filters.iter().any(|filter| {
            [
                "find_patterns",
                "analyze_factors",
                "find_recurrences",
                "all_neighbors",
            ]
            .iter()
            .any(|name| matches(&format!("mining/{name}/{n_incidents}"), filter))
        })
}

fn mining(c: &mut Criterion) {
    let mut group = c.benchmark_group("mining");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
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
                    find_recurrences(
                        black_box(input),
                        &patterns.assignment,
                        &RecurrenceParams::default(),
                    )
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

// No HTML plots: criterion draws them with plotters' system-font lookup, and the workspace's
// plotters is built with an embedded-font backend only (no system fonts), so plotting fails.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = mining
}
criterion_main!(benches);
