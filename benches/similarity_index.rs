//! Cost of the saved similarity index (`similarity-index.bin`, `recur similar --review`) at
//! 100k incidents: encoding it, decoding it, and decoding it then answering one question by
//! incident (`--id`) and one by new text (`--text`), as one `recur similar --review` run does.
//! The incidents come from the seeded synthetic generator and are mined once, before timing.
//!
//! Run: `cargo bench --bench similarity_index --no-default-features`. Each case runs 10 samples
//! (flat sampling).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use recur_cluster::index_file::{IndexSource, SimilarityFile};
use recur_cluster::patterns::{PatternParams, find_patterns};
use recur_core::synth::{SynthParams, generate};

const N_INCIDENTS: usize = 100_000;

/// A description of one of the generator's causes, as an incident commander would type it.
const TEXT: &str = "Clients get TLS handshake errors: the certificate on the gateway expired";

fn similarity_index(c: &mut Criterion) {
    let incidents = generate(&SynthParams {
        n_incidents: N_INCIDENTS,
        ..SynthParams::default()
    })
    .incidents;
    let params = PatternParams::default();
    let Ok(patterns) = find_patterns(&incidents, &params) else {
        return;
    };
    let ids: Vec<String> = (1..=patterns.patterns.len())
        .map(|p| format!("P-{p:04}"))
        .collect();
    let labels: Vec<String> = patterns.patterns.iter().map(|p| p.label.clone()).collect();
    let source = IndexSource {
        incidents: &incidents,
        pattern_ids: &ids,
        pattern_labels: &labels,
        params: &params,
        as_of: None,
    };
    let Ok(bytes) = SimilarityFile::build(&source, &patterns).and_then(|file| file.encode()) else {
        return;
    };
    eprintln!(
        "similarity index of {N_INCIDENTS} incidents: {} bytes",
        bytes.len()
    );
    let id = incidents[N_INCIDENTS / 2].id.clone();
    let mut group = c.benchmark_group("similarity_index");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    group.bench_with_input(
        BenchmarkId::new("encode", N_INCIDENTS),
        &source,
        |b, source| {
            b.iter(|| SimilarityFile::build(black_box(source), &patterns).and_then(|f| f.encode()))
        },
    );
    group.bench_with_input(
        BenchmarkId::new("decode", N_INCIDENTS),
        &bytes,
        |b, bytes| {
            b.iter(|| SimilarityFile::decode(black_box(bytes)).map(|file| file.incidents().len()))
        },
    );
    group.bench_with_input(
        BenchmarkId::new("decode_and_query_id", N_INCIDENTS),
        &bytes,
        |b, bytes| {
            b.iter(|| {
                SimilarityFile::decode(black_box(bytes))
                    .map(|file| file.position(&id).map(|index| file.most_similar(index, 5)))
            })
        },
    );
    group.bench_with_input(
        BenchmarkId::new("decode_and_query_text", N_INCIDENTS),
        &bytes,
        |b, bytes| {
            b.iter(|| {
                SimilarityFile::decode(black_box(bytes))
                    .map(|file| file.most_similar_to(&file.embed_text(TEXT), 5, None))
            })
        },
    );
    group.finish();
}

// No HTML plots, as in benches/mining.rs (plotters has no system fonts here).
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = similarity_index
}
criterion_main!(benches);
