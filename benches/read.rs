//! Cost of reading and normalizing exports from files (`normalize_paths`: reading, parsing
//! CSV and JSONL in parallel chunks, field recognition, value normalization, merging and the
//! follow-up join), at 10k, 100k and 1M incidents with their follow-ups (1M: about 1 GB of
//! files, 4 GB of memory, and criterion's ten samples of some 20 s each; pick sizes with a
//! filter, `cargo bench --bench read -- 'normalize_paths/100000$'`). The whole review at 1M
//! is measured with `recur review --timings` (ARCHITECTURE.md has the table).
//!
//! `cargo bench --bench read` (release build, the system allocator: the `recur` binary's
//! mimalloc is faster). The exports come from the seeded generator and are written to a
//! temporary folder once, outside the timed part.

#[path = "support/filter.rs"]
mod filter;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use recur_core::normalize::{Inputs, NormalizeOptions, normalize_paths};
use recur_core::synth::{SynthParams, export_sample, generate};

const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

/// Write the generator's export of `n` incidents under `dir`: the incidents (CSV and JSONL)
/// and the follow-ups given as a separate file, as `recur review DIR --follow-ups FILE` reads
/// them.
fn write_export(dir: &std::path::Path, n: usize) -> Inputs {
    let files = export_sample(&generate(&SynthParams {
        n_incidents: n,
        ..SynthParams::default()
    }));
    let write = |name: &str, text: &str| -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write the bench export");
        path
    };
    Inputs {
        incidents: vec![
            write("incidents.csv", &files.incidents_csv),
            write("platform.jsonl", &files.platform_jsonl),
        ],
        follow_ups: vec![write("follow_ups.csv", &files.follow_ups_csv)],
    }
}

fn read(c: &mut Criterion) {
    let mut group = c.benchmark_group("read");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    for n in SIZES {
        if !filter::wanted_of("read", &["normalize_paths"], n) {
            continue;
        }
        let dir = tempfile::tempdir().expect("a temporary folder");
        let inputs = write_export(dir.path(), n);
        let options = NormalizeOptions::default();
        group.bench_with_input(
            BenchmarkId::new("normalize_paths", n),
            &inputs,
            |b, inputs| b.iter(|| black_box(normalize_paths(inputs, &options).accounting)),
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = read
}
criterion_main!(benches);
