//! The mining's quality on the independent planted generator at one size:
//! `cargo run --release -p recur-cluster --example planted_quality -- 100000 [one-off share]`.
//! Prints the chosen k, NMI and AMI (one-offs as singletons), one-offs, causes without a pattern
//! of their own, mixed patterns, and recurrence precision and recall.

use recur_cluster::evaluate::{evaluate, score_recurrences};
use recur_cluster::patterns::{PatternParams, find_patterns};
use recur_cluster::recurrence::{RecurrenceParams, find_recurrences};
use recur_synth::{PlantParams, generate};

fn main() {
    let mut args = std::env::args().skip(1);
    let n_incidents: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let one_off_share: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(0.04);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(2026);
    let planted = generate(&PlantParams {
        n_incidents,
        one_off_share,
        seed,
        ..PlantParams::default()
    });
    let started = std::time::Instant::now();
    let patterns = match find_patterns(&planted.incidents, &PatternParams::default()) {
        Ok(patterns) => patterns,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::exit(2);
        }
    };
    let mined = started.elapsed();
    let causes: Vec<Option<&str>> = planted.truth.iter().map(|t| t.cause.as_deref()).collect();
    let evaluation = evaluate(&patterns.assignment, &causes);
    let found: Vec<(String, String)> =
        find_recurrences(&planted.incidents, &patterns, &RecurrenceParams::default())
            .into_iter()
            .map(|r| (r.incident_id, r.earlier_incident_id))
            .collect();
    let known: Vec<(String, String)> = planted
        .truth
        .iter()
        .filter_map(|t| Some((t.id.clone(), t.recurrence_of.clone()?)))
        .collect();
    let recurrences = score_recurrences(&found, &known);
    if std::env::var_os("SIMILARITIES").is_some() {
        let index: std::collections::BTreeMap<&str, usize> = planted
            .incidents
            .iter()
            .enumerate()
            .map(|(i, incident)| (incident.id.as_str(), i))
            .collect();
        let lead = recur_cluster::patterns::leading_dims(
            &patterns.embedding,
            (3 * patterns.chosen_k).div_ceil(2),
        );
        let cosine = |a: usize, b: usize| lead.row(a).dot(&lead.row(b));
        let mut same: Vec<f32> = known
            .iter()
            .map(|(b, a)| cosine(index[a.as_str()], index[b.as_str()]))
            .collect();
        let mut near: Vec<f32> = planted
            .truth
            .iter()
            .filter_map(|t| {
                Some(cosine(
                    index[t.near_miss_of.as_deref()?],
                    index[t.id.as_str()],
                ))
            })
            .collect();
        same.sort_by(f32::total_cmp);
        near.sort_by(f32::total_cmp);
        let q = |v: &[f32], p: f64| v[((v.len() - 1) as f64 * p) as usize];
        for p in [0.01, 0.05, 0.1, 0.5, 0.9, 0.95, 0.99] {
            println!(
                "  p{p}: same cause {:.3}  near-miss {:.3}",
                q(&same, p),
                q(&near, p)
            );
        }
    }
    println!(
        "n {n_incidents}: k {} ({} patterns) in {:.1}s; NMI {:.3} AMI {:.3}; one-offs {:.3} (planted {:.3}); recurrences precision {:.3} recall {:.3} ({} found, {} planted)",
        patterns.chosen_k,
        patterns.patterns.len(),
        mined.as_secs_f64(),
        evaluation.nmi,
        evaluation.ami,
        evaluation.one_off_share,
        evaluation.unclassed_share,
        recurrences.precision,
        recurrences.recall,
        recurrences.found,
        recurrences.known
    );
    for pattern in &evaluation.patterns {
        let label = &patterns.patterns[pattern.pattern].label;
        let classes: Vec<String> = pattern
            .classes
            .iter()
            .take(3)
            .map(|(class, count)| format!("{class}:{count}"))
            .collect();
        println!(
            "  pattern {:>2} {:>6} purity {:.3}{} {label:?} {}",
            pattern.pattern,
            pattern.size,
            pattern.purity,
            if pattern.mixed { " MIXED" } else { "" },
            classes.join(" ")
        );
    }
    for class in &evaluation.classes {
        println!(
            "  cause {:<24} {:>6} main {:?} {:.3} one-off {:.3}{}",
            class.class,
            class.size,
            class.main_pattern,
            class.main_share,
            class.one_off_share,
            if class.has_own_pattern {
                ""
            } else {
                " NO OWN PATTERN"
            }
        );
    }
}
