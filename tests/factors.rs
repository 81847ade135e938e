//! Contributing factors found by the catalogue: on planted data where factors are only told in
//! the narrative (the generator's narrative style, whose sentences were written apart from the
//! catalogue), on the listed paraphrases of the bundled sample, and (ignored, local only) on the
//! shared icco corpus against the categories people gave its postmortems.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use recur_cluster::factors::{FactorAnalysis, FactorParams, analyze_factors};
use recur_cluster::patterns::{PatternParams, find_patterns};
use recur_core::Incident;
use recur_core::normalize::{Inputs, NormalizeOptions, normalize_paths};
use recur_core::synth::{FactorStyle, NARRATIVE_FACTORS, SynthParams, generate};
use recur_synth::PlantParams;

/// Factors of incidents, with the mined patterns (cross-cutting needs patterns).
fn factors_of(incidents: &[Incident]) -> FactorAnalysis {
    let patterns = find_patterns(incidents, &PatternParams::default()).expect("patterns");
    analyze_factors(incidents, &patterns.assignment, &FactorParams::default())
}

fn precision_recall(found: &BTreeSet<&str>, planted: &BTreeSet<&str>) -> (f64, f64) {
    let correct = found.intersection(planted).count() as f64;
    (
        correct / found.len().max(1) as f64,
        correct / planted.len().max(1) as f64,
    )
}

#[test]
fn factors_told_only_in_the_narrative_are_found_and_cross_cutting() {
    let synthetic = generate(&SynthParams {
        n_incidents: 1200,
        seed: 11,
        factor_style: FactorStyle::Narrative,
        ..SynthParams::default()
    });
    assert!(
        synthetic
            .incidents
            .iter()
            .all(|incident| incident.contributing_factors.is_empty()),
        "nothing listed: the factors are in the narrative only"
    );
    let analysis = factors_of(&synthetic.incidents);
    let planted_ids =
        std::iter::once("flaky-tests").chain(NARRATIVE_FACTORS.iter().map(|(id, _)| *id));
    let truth: Vec<(&str, &[String])> = synthetic
        .truth
        .iter()
        .map(|truth| (truth.incident_id.as_str(), &truth.narrative_factors[..]))
        .collect();
    assert_planted_factors_found(&analysis, &truth, planted_ids);
}

/// The same on the independent generator (`recur-synth`, its own vocabulary and its own
/// narrative sentences, written apart from the catalogue and before any result was seen).
#[test]
fn factors_told_in_the_independent_generators_narrative_are_found_and_cross_cutting() {
    let planted = recur_synth::generate(&PlantParams {
        n_incidents: 1500,
        seed: 5,
        narrative_factors: true,
        ..PlantParams::default()
    });
    assert!(
        planted
            .incidents
            .iter()
            .all(|incident| incident.contributing_factors.is_empty())
    );
    let analysis = factors_of(&planted.incidents);
    let truth: Vec<(&str, &[String])> = planted
        .truth
        .iter()
        .map(|truth| (truth.id.as_str(), &truth.narrative_factors[..]))
        .collect();
    assert_planted_factors_found(
        &analysis,
        &truth,
        recur_synth::NARRATIVE_FACTORS.iter().map(|(id, _)| *id),
    );
}

/// For each planted concept: found as a factor, precision and recall of its incidents against
/// the planted ones at least 0.9, cross-cutting, and its evidence from planted incidents.
fn assert_planted_factors_found<'a>(
    analysis: &FactorAnalysis,
    truth: &[(&str, &[String])],
    concepts: impl Iterator<Item = &'a str>,
) {
    for concept in concepts {
        let planted: BTreeSet<&str> = truth
            .iter()
            .filter(|(_, factors)| factors.iter().any(|f| f == concept))
            .map(|(id, _)| *id)
            .collect();
        assert!(planted.len() >= 100, "{concept}: {} planted", planted.len());
        let factor = analysis
            .factors
            .iter()
            .find(|f| f.concept.as_deref() == Some(concept))
            .unwrap_or_else(|| panic!("{concept} not found"));
        let found: BTreeSet<&str> = factor.incident_ids.iter().map(String::as_str).collect();
        let (precision, recall) = precision_recall(&found, &planted);
        println!("{concept:<18} precision {precision:.3} recall {recall:.3}");
        assert!(
            precision >= 0.9 && recall >= 0.9,
            "{concept}: precision {precision:.3}, recall {recall:.3} ({} found, {} planted)",
            found.len(),
            planted.len()
        );
        assert!(factor.cross_cutting, "{concept} spans teams and patterns");
        assert_eq!(factor.evidence.len(), 3, "{concept}");
        for evidence in &factor.evidence {
            assert!(
                planted.contains(evidence.incident_id.as_str()),
                "{evidence:?}"
            );
        }
    }
}

#[test]
fn the_narrative_style_leaves_the_default_output_alone() {
    let listed = generate(&SynthParams {
        n_incidents: 300,
        ..SynthParams::default()
    });
    let narrative = generate(&SynthParams {
        n_incidents: 300,
        factor_style: FactorStyle::Narrative,
        ..SynthParams::default()
    });
    for (a, b) in listed.incidents.iter().zip(&narrative.incidents) {
        assert_eq!(a.root_cause, b.root_cause);
        assert_eq!(a.follow_ups, b.follow_ups);
        assert_eq!(a.started_at, b.started_at);
    }
    assert!(listed.truth.iter().all(|t| t.narrative_factors.is_empty()));
}

#[test]
fn paraphrases_the_words_alone_kept_apart_are_one_concept_in_the_sample() {
    let analysis = factors_of(&crate::mining::sample().incidents);
    let variants = |concept: &str| -> Vec<String> {
        analysis
            .factors
            .iter()
            .find(|f| f.concept.as_deref() == Some(concept))
            .map(|f| f.variants.clone())
            .unwrap_or_default()
    };
    for (concept, phrases) in [
        (
            "alert-fatigue",
            &["alert fatigue", "noisy alerts were ignored"][..],
        ),
        (
            "no-canary",
            &[
                "rollout skipped the canary",
                "no canary stage",
                "change went to 100% at once",
            ][..],
        ),
        (
            "retry-storm",
            &[
                "retry storm amplified load",
                "clients retried aggressively",
                "retries without backoff",
            ][..],
        ),
    ] {
        let found = variants(concept);
        for phrase in phrases {
            assert!(
                found.iter().any(|v| v == phrase),
                "{concept}: {phrase} in {found:?}"
            );
        }
    }
    let unclassified: Vec<&str> = analysis
        .factors
        .iter()
        .filter(|f| f.concept.is_none())
        .map(|f| f.display.as_str())
        .collect();
    for factor in &analysis.factors {
        assert!(
            factor.concept.is_some() || factor.variants.iter().all(|v| !v.contains("flaky")),
            "flaky phrases are all classified: {unclassified:?}"
        );
    }
    assert!(
        analysis.coverage.classified_phrases * 10 >= analysis.coverage.listed_phrases * 9,
        "{:?}",
        analysis.coverage
    );
}

/// The icco corpus's categories against the concepts found, as F1 for the three concepts people
/// classified. Local only: `RECUR_ICCO_DIR=/work/shared/corpora/icco-postmortems/data cargo test
/// -p recur --test tests icco -- --ignored --nocapture`. Nothing of the corpus is in the repo.
#[test]
#[ignore = "needs the icco corpus: set RECUR_ICCO_DIR"]
fn icco_categories_agree_with_the_concepts() {
    let Some(dir) = std::env::var_os("RECUR_ICCO_DIR").map(PathBuf::from) else {
        panic!("set RECUR_ICCO_DIR to the icco-postmortems/data folder");
    };
    let normalized = normalize_paths(
        &Inputs {
            incidents: vec![dir.clone()],
            follow_ups: Vec::new(),
        },
        &NormalizeOptions::default(),
    );
    let categories: BTreeMap<String, BTreeSet<String>> = normalized
        .incidents
        .iter()
        .map(|incident| {
            let text = std::fs::read_to_string(&incident.source.file).unwrap_or_default();
            (incident.id.clone(), front_matter_list(&text, "categories"))
        })
        .collect();
    let summaries: Vec<Incident> = normalized
        .incidents
        .iter()
        .map(|incident| Incident {
            id: incident.id.clone(),
            summary: incident.summary.clone(),
            ..Incident::default()
        })
        .collect();
    let params = FactorParams {
        min_incidents: 1,
        ..FactorParams::default()
    };
    for (label, incidents) in [
        ("summary", &summaries),
        ("whole report", &normalized.incidents),
    ] {
        let analysis = analyze_factors(incidents, &[], &params);
        for (concept, category) in [
            ("config-change", "config-change"),
            ("hardware-power", "hardware"),
            ("time-clock", "time"),
        ] {
            let found: BTreeSet<&str> = analysis
                .factors
                .iter()
                .find(|f| f.concept.as_deref() == Some(concept))
                .map(|f| f.incident_ids.iter().map(String::as_str).collect())
                .unwrap_or_default();
            let labelled: BTreeSet<&str> = categories
                .iter()
                .filter(|(_, c)| c.contains(category))
                .map(|(id, _)| id.as_str())
                .collect();
            let (precision, recall) = precision_recall(&found, &labelled);
            let f1 = 2.0 * precision * recall / (precision + recall).max(f64::EPSILON);
            if std::env::var_os("RECUR_ICCO_MISSES").is_some() {
                for id in labelled.difference(&found) {
                    println!("    missed {concept}: {id}");
                }
            }
            println!(
                "{label:>12} {concept:<15} F1 {f1:.2} (precision {precision:.2}, recall {recall:.2}; {} found, {} labelled)",
                found.len(),
                labelled.len()
            );
            // Only hardware-power is held to a floor: the corpus's `time` and `config-change`
            // categories name many postmortems whose text says nothing of the kind (13 of the
            // 17 `time` ones have no word about clocks, dates or time at all), and many
            // configuration errors are not labelled `config-change`.
            if concept == "hardware-power" {
                assert!(f1 >= 0.6, "{label}: hardware-power F1 {f1:.2}");
            }
        }
        if label == "whole report" {
            let mut shown = 0;
            for factor in analysis.factors.iter().filter(|f| f.concept.is_some()) {
                if factor.incidents.len() >= 3 {
                    shown += 1;
                    println!("{} ({} incidents)", factor.display, factor.incidents.len());
                    for evidence in &factor.evidence {
                        println!(
                            "    {} [{}] {}",
                            evidence.incident_id, evidence.field, evidence.text
                        );
                    }
                }
            }
            assert!(shown >= 5, "{shown} concepts in 3 or more incidents");
        }
    }
}

/// The items of a YAML front-matter list (`key:` then `- item` lines).
fn front_matter_list(text: &str, key: &str) -> BTreeSet<String> {
    let mut items = BTreeSet::new();
    let mut inside = false;
    for line in text.lines().skip(1) {
        if line.trim() == "---" {
            break;
        }
        if let Some(item) = line.strip_prefix("- ").filter(|_| inside) {
            items.insert(item.trim().trim_matches('"').to_lowercase());
        } else {
            inside = line.trim_end() == format!("{key}:");
        }
    }
    items
}
