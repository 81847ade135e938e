//! Cost of the whole monthly review (`run_review`: pattern mining, factors, recurrences,
//! trends, follow-ups, agenda, audience, accountability) and of rendering its report, at 10k,
//! 100k and 1M incidents with their follow-ups, and of normalizing a CSV export of 100k.
//!
//! `cargo bench --bench review` (release build). Inputs come from the seeded generator, built
//! once outside the timed part.

use std::hint::black_box;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use recur_core::Normalized;
use recur_core::normalize::{LoadedFile, NormalizeOptions, normalize_texts};
use recur_core::synth::{SynthParams, export_sample, generate};
use recur_review::charts::render_all;
use recur_review::report::{render_html, render_json};
use recur_review::review::{ReviewOptions, run_review};

const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

fn normalized(n_incidents: usize) -> Normalized {
    let incidents = generate(&SynthParams {
        n_incidents,
        ..SynthParams::default()
    })
    .incidents;
    Normalized {
        incidents,
        ..Normalized::default()
    }
}

fn review(c: &mut Criterion) {
    let as_of = Utc
        .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let mut group = c.benchmark_group("review");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    for n in SIZES {
        let input = normalized(n);
        let options = ReviewOptions::new(as_of);
        group.bench_with_input(BenchmarkId::new("run_review", n), &input, |b, input| {
            b.iter(|| black_box(run_review(input, &options)))
        });
        if n == 100_000
            && let Ok(review) = run_review(&input, &options)
        {
            group.bench_function(BenchmarkId::new("charts_and_report", n), |b| {
                b.iter(|| {
                    let charts = render_all(&review.trends);
                    black_box((
                        charts.map(|c| c.len()),
                        render_html(&review, &[]),
                        render_json(&review).map(|j| j.len()),
                    ))
                })
            });
        }
    }
    group.finish();
}

fn normalize(c: &mut Criterion) {
    let n = 100_000;
    let files = export_sample(&generate(&SynthParams {
        n_incidents: n,
        ..SynthParams::default()
    }));
    let incidents = vec![LoadedFile {
        name: "incidents.csv".into(),
        text: files.incidents_csv.clone(),
        format: None,
    }];
    let follow_ups = vec![LoadedFile {
        name: "follow_ups.csv".into(),
        text: files.follow_ups_csv.clone(),
        format: None,
    }];
    let mut group = c.benchmark_group("normalize");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function(BenchmarkId::new("csv_with_follow_ups", n), |b| {
        b.iter(|| {
            black_box(
                normalize_texts(&incidents, &follow_ups, &NormalizeOptions::default()).accounting,
            )
        })
    });
    group.finish();
}

// No HTML plots: criterion draws them with plotters' system-font lookup, and the workspace's
// plotters is built with an embedded-font backend only (no system fonts), so plotting fails.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = review, normalize
}
criterion_main!(benches);
