//! Pattern mining on the bundled sample, measured against the truth planted in it
//! (`data/truth/sample-truth.csv`): patterns recovered with automatic k, recurrences found by
//! the exact definition, the paraphrased flaky-tests factor merged and cross-cutting.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::TimeZone;

use recur_cluster::factors::{FactorParams, analyze_factors};
use recur_cluster::patterns::{PatternParams, find_patterns, normalized_mutual_information};
use recur_cluster::recurrence::{RecurrenceParams, find_recurrences};
use recur_core::Normalized;
use recur_core::normalize::{Inputs, NormalizeOptions, normalize_paths};
use recur_review::review::{ReviewOptions, run_review};

struct Truth {
    pattern: Option<String>,
    recurs: Option<String>,
    flaky_tests: bool,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled sample, normalized without unreadable files.
pub(crate) fn sample() -> Normalized {
    let inputs = Inputs {
        incidents: ["incidents.csv", "platform.jsonl", "postmortems"]
            .iter()
            .map(|f| root().join("data/sample").join(f))
            .collect(),
        follow_ups: vec![root().join("data/sample/follow_ups.csv")],
    };
    let normalized = normalize_paths(&inputs, &NormalizeOptions::default());
    assert!(normalized.errors.is_empty(), "{:?}", normalized.errors);
    normalized
}

fn truth() -> BTreeMap<String, Truth> {
    let mut reader =
        csv::Reader::from_path(root().join("data/truth/sample-truth.csv")).expect("truth file");
    reader
        .records()
        .map(|record| {
            let record = record.expect("truth row");
            let optional = |i: usize| Some(record[i].to_owned()).filter(|s| !s.is_empty());
            (
                record[0].to_owned(),
                Truth {
                    pattern: optional(1),
                    recurs: optional(2),
                    flaky_tests: &record[3] == "true",
                },
            )
        })
        .collect()
}

#[test]
fn the_sample_normalizes_completely() {
    let normalized = sample();
    let truth = truth();
    assert_eq!(normalized.incidents.len(), truth.len());
    assert!(
        normalized
            .incidents
            .iter()
            .all(|i| truth.contains_key(&i.id))
    );
    assert!(normalized.accounting.balances());
    assert_eq!(
        (normalized.accounting.rejected, normalized.accounting.merged),
        (3, 2)
    );
    assert_eq!(normalized.accounting.follow_ups_rejected, 0);
}

#[test]
fn planted_patterns_are_recovered_with_automatic_k() {
    let normalized = sample();
    let truth = truth();
    let patterns =
        find_patterns(&normalized.incidents, &PatternParams::default()).expect("patterns");
    // Compare on the incidents with a planted cause; one-off noise has no true pattern.
    let (found, planted): (Vec<usize>, Vec<String>) = normalized
        .incidents
        .iter()
        .zip(&patterns.assignment)
        .filter_map(|(incident, assigned)| {
            let planted = truth[&incident.id].pattern.clone()?;
            Some((assigned.map_or(usize::MAX, |p| p), planted))
        })
        .unzip();
    let nmi = normalized_mutual_information(&found, &planted);
    assert!(
        nmi >= 0.9,
        "NMI {nmi:.3} with k = {} (scores {:?})",
        patterns.chosen_k,
        patterns.k_scores
    );
}

#[test]
fn recurrences_match_the_planted_ones() {
    let normalized = sample();
    let truth = truth();
    let patterns =
        find_patterns(&normalized.incidents, &PatternParams::default()).expect("patterns");
    let found: BTreeMap<String, String> = find_recurrences(
        &normalized.incidents,
        &patterns,
        &RecurrenceParams::default(),
    )
    .into_iter()
    .map(|r| (r.incident_id, r.earlier_incident_id))
    .collect();
    let planted: BTreeMap<&String, &String> = truth
        .iter()
        .filter_map(|(id, t)| t.recurs.as_ref().map(|earlier| (id, earlier)))
        .collect();
    let correct = found
        .iter()
        .filter(|(id, earlier)| planted.get(id) == Some(earlier))
        .count();
    let precision = correct as f64 / found.len().max(1) as f64;
    let recall = correct as f64 / planted.len().max(1) as f64;
    assert!(
        planted.len() >= 20,
        "the sample plants {} recurrences",
        planted.len()
    );
    assert!(
        precision >= 0.9 && recall >= 0.9,
        "precision {precision:.3}, recall {recall:.3} ({correct} of {} found, {} planted)",
        found.len(),
        planted.len()
    );
}

/// The recurrences the review of the sample publishes (as of its end, as the README runs it)
/// against the planted ones: a recurrence accuses a follow-up, so precision is held to the
/// level reached.
#[test]
fn the_sample_review_claims_planted_recurrences_only() {
    let normalized = sample();
    let truth = truth();
    let as_of = chrono::Utc
        .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
        .single()
        .expect("valid date");
    let review = run_review(&normalized, &ReviewOptions::new(as_of)).expect("the review runs");
    let wrong: Vec<(&str, &str)> = review
        .recurrences
        .iter()
        .filter(|r| truth[&r.incident_id].recurs.as_ref() != Some(&r.earlier_incident_id))
        .map(|r| (r.incident_id.as_str(), r.earlier_incident_id.as_str()))
        .collect();
    // Every claim is planted. INC-1209, a one-off provider network partition on internal-dns,
    // was taken for a recurrence of the DNS pattern until recurrence condition 7 asked both
    // reports for half the words of the pattern's median member. Adopting one-offs on their
    // LSA meaning alone once added "Annual plans charged twice" as a recurrence of a throttled
    // shipping-rates API (INC-1395 of INC-1381), INC-1077 of INC-1064 and INC-1225 of
    // INC-1219.
    assert!(
        review.recurrences.len() >= 80 && wrong.is_empty(),
        "{} of {} claims wrong: {wrong:?}",
        wrong.len(),
        review.recurrences.len()
    );
}

#[test]
fn the_flaky_tests_factor_merges_its_paraphrases_and_is_cross_cutting() {
    let normalized = sample();
    let truth = truth();
    let patterns =
        find_patterns(&normalized.incidents, &PatternParams::default()).expect("patterns");
    let factors = analyze_factors(
        &normalized.incidents,
        &patterns.assignment,
        &FactorParams::default(),
    );
    let flaky = factors
        .factors
        .iter()
        .find(|f| f.variants.iter().any(|v| v == "flaky tests"))
        .expect("a flaky-tests factor");
    assert!(flaky.cross_cutting, "{flaky:?}");
    assert!(
        flaky.variants.len() >= 3,
        "paraphrases merged: {:?}",
        flaky.variants
    );
    let planted: Vec<&String> = truth
        .iter()
        .filter(|(_, t)| t.flaky_tests)
        .map(|(id, _)| id)
        .collect();
    let found: std::collections::BTreeSet<&String> = flaky.incident_ids.iter().collect();
    let recovered = planted.iter().filter(|id| found.contains(**id)).count();
    assert!(
        recovered as f64 >= 0.9 * planted.len() as f64,
        "{recovered} of {} planted",
        planted.len()
    );
    assert!(
        found.len() <= planted.len() + planted.len() / 10,
        "{} found for {} planted",
        found.len(),
        planted.len()
    );
}
