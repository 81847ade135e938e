//! Cost of finding contributing factors in prose at 10k, 100k and 1M incidents: the catalogue
//! compiled once and matched sentence by sentence over every text field, with the narrative
//! style of the generator (factors told only in the body), then the lexical merge of what no
//! concept covers. Patterns are not mined here (`analyze_factors` gets none).
//!
//! Run without polars: `cargo bench --bench factors --no-default-features`; one size only with
//! a filter, e.g. `-- '/100000$'`. 10 samples of one iteration each (flat sampling).

#[path = "support/filter.rs"]
mod filter;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use recur_cluster::factors::{FactorParams, analyze_factors};
use recur_core::synth::{FactorStyle, SynthParams, generate};

const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

fn factors(c: &mut Criterion) {
    let mut group = c.benchmark_group("factors");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    let params = FactorParams::default();
    for n_incidents in SIZES {
        if !filter::wanted_of("factors", &["in_prose"], n_incidents) {
            continue;
        }
        let input = generate(&SynthParams {
            n_incidents,
            factor_style: FactorStyle::Narrative,
            ..SynthParams::default()
        })
        .incidents;
        group.bench_with_input(
            BenchmarkId::new("in_prose", n_incidents),
            &input,
            |b, input| b.iter(|| analyze_factors(black_box(input), &[], &params)),
        );
    }
    group.finish();
}

// No HTML plots: plotters is built without system fonts (see benches/mining.rs).
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = factors
}
criterion_main!(benches);
