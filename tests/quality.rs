//! Mining quality on planted data from two generators written apart: the sample generator
//! (`recur_core::synth`) and the independent one (`recur_synth`, its own vocabulary, export
//! layout and noise). Each test asserts the targets of the mining at its size: NMI against the
//! planted causes with one-offs as singletons, the one-off share, every planted cause of at
//! least 1% with a pattern of its own, no pattern mixing two causes, and recurrence precision
//! and recall. They fail when any of those drops.

use recur_cluster::evaluate::{Evaluation, RecurrenceScore, evaluate, score_recurrences};
use recur_cluster::patterns::{PatternParams, find_patterns};
use recur_cluster::recurrence::{RecurrenceParams, find_recurrences};
use recur_core::Incident;
use recur_core::normalize::{Inputs, NormalizeOptions, normalize_paths};
use recur_synth::{PlantParams, Planted, Vocabulary, generate, write_jsonl};

/// What one run of the mining achieved.
struct Quality {
    evaluation: Evaluation,
    recurrences: RecurrenceScore,
}

/// What a size must reach: the targets of issue 9, or the level reached today (a guard against
/// regressions while the targets are not met).
struct Targets {
    min_nmi: f64,
    max_one_offs: f64,
    min_precision: f64,
    min_recall: f64,
    /// Whether every cause of at least 1% needs its own pattern and no pattern may mix causes.
    pure_patterns: bool,
}

/// The targets of issue 9.
const TARGETS: Targets = Targets {
    min_nmi: 0.93,
    max_one_offs: 0.05,
    min_precision: 0.95,
    min_recall: 0.9,
    pure_patterns: true,
};

/// The level a generator is held to where a target is not met yet (the held-out 2k: a cause of
/// 2% shares another's pattern), or where its data is not what the targets are written for (the
/// sample generator's noise is 18 reports repeated ~50 times each at 10k, small classes of
/// their own): NMI and recurrences a little below the targets (the sample generator's 2k and
/// 10k reach NMI 0.982 and 0.978, recurrence precision 0.997 and 1.0, recall 0.98 and 0.97),
/// one-offs at the target's 5% (its 10k leaves 3.0%).
const GUARD: Targets = Targets {
    min_nmi: 0.9,
    max_one_offs: 0.05,
    min_precision: 0.9,
    min_recall: 0.85,
    pure_patterns: false,
};

fn mine(incidents: &[Incident], causes: &[Option<String>], known: &[(String, String)]) -> Quality {
    let patterns = find_patterns(incidents, &PatternParams::default()).expect("patterns");
    let found: Vec<(String, String)> =
        find_recurrences(incidents, &patterns, &RecurrenceParams::default())
            .into_iter()
            .map(|r| (r.incident_id, r.earlier_incident_id))
            .collect();
    Quality {
        evaluation: evaluate(&patterns.assignment, causes),
        recurrences: score_recurrences(&found, known),
    }
}

fn planted(n_incidents: usize, one_off_share: f64, seed: u64) -> Planted {
    generate(&PlantParams {
        n_incidents,
        one_off_share,
        seed,
        ..PlantParams::default()
    })
}

/// The held-out vocabulary: causes, phrasings and names the mining was not tuned on.
fn held_out(n_incidents: usize, one_off_share: f64, seed: u64) -> Planted {
    generate(&PlantParams {
        n_incidents,
        one_off_share,
        seed,
        vocabulary: Vocabulary::Holdout,
        ..PlantParams::default()
    })
}

fn independent_quality(planted: &Planted) -> Quality {
    let causes: Vec<Option<String>> = planted.truth.iter().map(|t| t.cause.clone()).collect();
    let known = planted.known_recurrences();
    mine(&planted.incidents, &causes, &known)
}

fn sample_generator_quality(n_incidents: usize) -> Quality {
    let synthetic = recur_core::synth::generate(&recur_core::synth::SynthParams {
        n_incidents,
        ..recur_core::synth::SynthParams::default()
    });
    // The sample generator's noise is 18 fixed reports, each repeated about 50 times at 10k:
    // its truth gives each its own class, so joining two of them counts against the mining,
    // and grouping the copies of one does not.
    let causes: Vec<Option<String>> = synthetic.truth.iter().map(|t| t.pattern.clone()).collect();
    let known: Vec<(String, String)> = synthetic
        .truth
        .iter()
        .filter_map(|t| Some((t.incident_id.clone(), t.recurs.clone()?)))
        .collect();
    mine(&synthetic.incidents, &causes, &known)
}

/// Assert every target; `one_offs_planted` is the declared one-off share of the data, which
/// the mining may leave one-off on top of the allowed share, and must leave one-off for the
/// most part.
fn assert_targets(quality: &Quality, targets: &Targets, one_offs_planted: f64, context: &str) {
    let evaluation = &quality.evaluation;
    let summary = format!(
        "{context}: NMI {:.3}, AMI {:.3}, one-offs {:.3}, {} patterns, recurrences {:?}",
        evaluation.nmi,
        evaluation.ami,
        evaluation.one_off_share,
        evaluation.patterns.len(),
        quality.recurrences
    );
    eprintln!("{summary}");
    assert!(evaluation.nmi >= targets.min_nmi, "{summary}");
    assert!(
        evaluation.one_off_share <= targets.max_one_offs + one_offs_planted,
        "{summary}"
    );
    // Planted one-offs are recognised as such, not folded into patterns (most of them, at
    // least: a one-off may happen to read like a cause).
    assert!(
        evaluation.one_off_share >= 0.75 * one_offs_planted,
        "{summary}
fewer one-offs left alone than three quarters of the {one_offs_planted} planted"
    );
    let n = evaluation.n_incidents as f64;
    for class in evaluation.classes.iter().filter(|_| targets.pure_patterns) {
        if class.size as f64 >= 0.01 * n {
            assert!(
                class.has_own_pattern,
                "{summary}\n{} ({} incidents) has no pattern of its own: {class:?}",
                class.class, class.size
            );
        }
    }
    for pattern in evaluation.patterns.iter().filter(|_| targets.pure_patterns) {
        assert!(
            !pattern.mixed,
            "{summary}\npattern {} mixes causes: {:?}",
            pattern.pattern, pattern.classes
        );
    }
    assert!(
        quality.recurrences.precision >= targets.min_precision,
        "{summary}"
    );
    assert!(
        quality.recurrences.recall >= targets.min_recall,
        "{summary}"
    );
}

#[test]
fn independent_planted_2k_meets_the_targets() {
    let planted = planted(2_000, 0.04, 5);
    assert_targets(
        &independent_quality(&planted),
        &TARGETS,
        0.04,
        "independent 2k",
    );
}

#[test]
fn independent_planted_10k_meets_the_targets() {
    let planted = planted(10_000, 0.0, 8);
    assert_targets(
        &independent_quality(&planted),
        &TARGETS,
        0.0,
        "independent 10k",
    );
}

#[test]
fn independent_planted_10k_with_one_offs_meets_the_targets() {
    let planted = planted(10_000, 0.04, 2026);
    assert_targets(
        &independent_quality(&planted),
        &TARGETS,
        0.04,
        "independent 10k, 4% one-offs",
    );
}

#[test]
fn held_out_vocabulary_2k_holds_its_level() {
    // NMI 0.986, recurrence precision 0.99, recall 0.93; but its smallest cause
    // (lifecycle-rule-deletion, 41 incidents) shares the pattern of the cause it shares most
    // words with (iam-policy-change), so the patterns are not all pure.
    assert_targets(
        &independent_quality(&held_out(2_000, 0.0, 5)),
        &GUARD,
        0.0,
        "held-out 2k",
    );
}

#[test]
fn held_out_vocabulary_10k_meets_the_targets() {
    assert_targets(
        &independent_quality(&held_out(10_000, 0.0, 8)),
        &TARGETS,
        0.0,
        "held-out 10k",
    );
}

/// One-offs in the held-out vocabulary's own made-up sounds, among its own noise sentences.
#[test]
fn held_out_vocabulary_10k_with_one_offs_meets_the_targets() {
    assert_targets(
        &independent_quality(&held_out(10_000, 0.04, 12)),
        &TARGETS,
        0.04,
        "held-out 10k, 4% one-offs",
    );
}

#[test]
fn sample_generator_2k_holds_its_level() {
    assert_targets(
        &sample_generator_quality(2_000),
        &GUARD,
        0.0,
        "sample generator 2k",
    );
}

#[test]
fn sample_generator_10k_holds_its_level() {
    assert_targets(
        &sample_generator_quality(10_000),
        &GUARD,
        0.0,
        "sample generator 10k",
    );
}

/// 100k in a debug build takes minutes: run with `cargo test -p recur --test tests --release
/// -- --ignored quality`.
#[test]
#[ignore = "100k incidents: run in release with --ignored"]
fn independent_planted_100k_meets_the_targets() {
    let planted = planted(100_000, 0.0, 9);
    assert_targets(
        &independent_quality(&planted),
        &TARGETS,
        0.0,
        "independent 100k",
    );
}

#[test]
#[ignore = "100k incidents: run in release with --ignored"]
fn held_out_vocabulary_100k_meets_the_targets() {
    // NMI 0.999, one-offs 0.0%, recurrence precision 0.9995, recall 0.974. Before the neighbour
    // test on merges by meaning alone, `lifecycle-rule-deletion` (3%) joined `iam-policy-change`.
    assert_targets(
        &independent_quality(&held_out(100_000, 0.0, 9)),
        &TARGETS,
        0.0,
        "held-out 100k",
    );
}

#[test]
fn the_independent_export_normalizes_back_and_mines_the_same() {
    let planted = planted(2_000, 0.04, 12);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ops-export.jsonl");
    let mut bytes = Vec::new();
    write_jsonl(&planted, &mut bytes).expect("in memory");
    std::fs::write(&path, bytes).expect("write export");
    let normalized = normalize_paths(
        &Inputs {
            incidents: vec![path],
            follow_ups: Vec::new(),
        },
        &NormalizeOptions::default(),
    );
    assert!(normalized.errors.is_empty(), "{:?}", normalized.errors);
    assert!(normalized.accounting.balances());
    assert_eq!(normalized.accounting.rejected, 0);
    assert_eq!(normalized.incidents.len(), planted.incidents.len());
    let made_by_id: std::collections::BTreeMap<&str, &Incident> = planted
        .incidents
        .iter()
        .map(|incident| (incident.id.as_str(), incident))
        .collect();
    for read in &normalized.incidents {
        let made = made_by_id[read.id.as_str()];
        assert_eq!(read.started_at, made.started_at, "{}", made.id);
        assert_eq!(read.services, made.services, "{}", made.id);
        assert_eq!(read.root_cause, made.root_cause, "{}", made.id);
        assert_eq!(read.follow_ups.len(), made.follow_ups.len(), "{}", made.id);
        for (read, made) in read.follow_ups.iter().zip(&made.follow_ups) {
            assert_eq!(
                (read.status, read.created_at, read.closed_at),
                (made.status, made.created_at, made.closed_at),
                "{}",
                made.incident_id
            );
        }
    }
    // The normalizer orders incidents its own way: the truth goes by id.
    let cause_of: std::collections::BTreeMap<&str, Option<String>> = planted
        .truth
        .iter()
        .map(|t| (t.id.as_str(), t.cause.clone()))
        .collect();
    let causes: Vec<Option<String>> = normalized
        .incidents
        .iter()
        .map(|incident| cause_of[incident.id.as_str()].clone())
        .collect();
    let known = planted.known_recurrences();
    assert_targets(
        &mine(&normalized.incidents, &causes, &known),
        &GUARD,
        0.04,
        "independent 2k through the JSONL export",
    );
}

#[test]
fn planted_near_misses_are_not_claimed() {
    let planted = planted(5_000, 0.04, 13);
    let patterns = find_patterns(&planted.incidents, &PatternParams::default()).expect("patterns");
    let claims: std::collections::BTreeMap<String, String> =
        find_recurrences(&planted.incidents, &patterns, &RecurrenceParams::default())
            .into_iter()
            .map(|r| (r.incident_id, r.earlier_incident_id))
            .collect();
    let near_misses: Vec<(&String, &String)> = planted
        .truth
        .iter()
        .filter_map(|t| Some((&t.id, t.near_miss_of.as_ref()?)))
        .collect();
    assert!(near_misses.len() > 200, "{} near-misses", near_misses.len());
    let claimed = near_misses
        .iter()
        .filter(|(later, earlier)| claims.get(*later) == Some(*earlier))
        .count();
    // The target is none; today 12 of 240 (5%) are claimed, all where a pattern mixes two
    // causes (issue 9). This guards that level.
    assert!(
        claimed * 100 <= 6 * near_misses.len(),
        "{claimed} of {} near-misses claimed as recurrences",
        near_misses.len()
    );
}
