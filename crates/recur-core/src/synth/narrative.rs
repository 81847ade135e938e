//! The narrative-only factor style ([`FactorStyle::Narrative`](super::FactorStyle)): contributing
//! factors are not listed; they are told in the postmortem's narrative body, in sentences among
//! neutral ones, the way people write prose.
//!
//! The sentences here were written on their own, before and apart from any factor catalogue, so
//! that a test of factor extraction on them measures how well the extraction reads prose rather
//! than whether it knows these exact wordings. Neutral sentences deliberately mention the same
//! subjects without the factor ("tests were added", "the alert fired and was picked up").
//!
//! Each incident is retold with its own random generator derived from (seed, incident index),
//! so the default style's output is untouched and the result does not depend on thread count.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::Truth;
use crate::model::Incident;

/// The cross-cutting factors the narrative style plants besides flaky tests (which keeps the
/// default style's choice, [`Truth::flaky_tests`]), by concept id, with the share of incidents
/// each is planted in.
pub const NARRATIVE_FACTORS: [(&str, f64); 3] = [
    ("alert-fatigue", 0.14),
    ("missing-runbook", 0.12),
    ("unclear-ownership", 0.1),
];

/// Ways people tell each planted factor, by concept id.
const WORDINGS: [(&str, &[&str]); 4] = [
    (
        "flaky-tests",
        &[
            "The regression was visible in CI, but the build had been red on and off for weeks, so nobody looked twice at one more failure.",
            "Engineers had grown used to re-running the test job until it passed, and that is what happened here.",
            "The failing check was dismissed as another intermittent test failure.",
            "Our integration suite fails randomly a few times a day, and this failure looked like the usual noise.",
            "The test that would have caught this had been quarantined months ago because it was flaky.",
            "A non-deterministic test in the pipeline had trained reviewers to merge on a red build.",
        ],
    ),
    (
        "alert-fatigue",
        &[
            "The alert did fire, but the channel receives hundreds of alerts a day and nobody noticed it.",
            "The on-call engineer had muted this alert last month because it fired constantly.",
            "The warning was lost among dozens of noisy pages that night.",
            "People had learned to ignore this alert because it was almost always a false alarm.",
            "Alert fatigue meant the first notification was acknowledged and then forgotten.",
            "So many low-value alerts fire on this service that the real one did not stand out.",
        ],
    ),
    (
        "missing-runbook",
        &[
            "There was no runbook for this failure, so the on-call engineer had to work it out from the source code.",
            "The runbook for the service was two years out of date and pointed at hosts that no longer exist.",
            "Nobody had documented how to fail over the database, which slowed the recovery.",
            "The documented recovery steps were wrong, which cost us half an hour.",
            "The playbook did not cover this case at all.",
            "Responders had no written procedure for draining the queue and improvised one.",
        ],
    ),
    (
        "unclear-ownership",
        &[
            "It took a long time to find out which team owned the failing component.",
            "The component has had no clear owner since the reorganisation.",
            "Ownership of the job was ambiguous, so the alert bounced between two teams.",
            "Nobody felt responsible for the shared library that broke.",
            "The escalation went to a team that no longer exists, because the service catalogue was never updated after the ownership change.",
            "Two teams each assumed the other one maintained the scheduler.",
        ],
    ),
];

/// Sentences about the same subjects that tell no factor.
const NEUTRAL: &[&str] = &[
    "The runbook was followed and the service recovered as expected.",
    "Tests were added to cover the failing case.",
    "The on-call engineer was paged within two minutes and acknowledged at once.",
    "The owning team joined the call quickly.",
    "The alert fired as designed and was picked up right away.",
    "All CI checks passed before the change was merged.",
    "The team walked through the timeline in the postmortem meeting.",
    "Customers were kept informed through the status page.",
    "Responders shared updates in the incident channel every fifteen minutes.",
    "The fix was reviewed by two engineers before it shipped.",
    "Dashboards showed the error rate falling as soon as the mitigation landed.",
];

/// Retell the contributing factors of `incident` (at `index`) in its narrative body: clear the
/// listed factors, plant the narrative factors, and record the planted ids in `truth`.
pub(super) fn retell(seed: u64, index: usize, incident: &mut Incident, truth: &mut Truth) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(
        seed ^ (index as u64)
            .wrapping_add(0x5EED)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    let mut planted: Vec<&str> = Vec::new();
    if truth.flaky_tests {
        planted.push("flaky-tests");
    }
    for (id, rate) in NARRATIVE_FACTORS {
        if rng.gen_bool(rate) {
            planted.push(id);
        }
    }
    let mut sentences: Vec<&str> = planted
        .iter()
        .filter_map(|id| {
            let (_, wordings) = WORDINGS.iter().find(|(key, _)| key == id)?;
            wordings.choose(&mut rng).copied()
        })
        .collect();
    let n_neutral = rng.gen_range(1..=3);
    sentences.extend(NEUTRAL.choose_multiple(&mut rng, n_neutral).copied());
    sentences.shuffle(&mut rng);
    incident.contributing_factors.clear();
    incident.body = Some(sentences.join(" "));
    truth.narrative_factors = planted.into_iter().map(str::to_owned).collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_planted_factor_has_wordings() {
        for (id, _) in NARRATIVE_FACTORS {
            assert!(WORDINGS.iter().any(|(key, _)| *key == id), "{id}");
        }
        assert!(WORDINGS.iter().any(|(key, _)| *key == "flaky-tests"));
    }

    #[test]
    fn retelling_moves_factors_into_the_body_and_the_truth() {
        let mut incident = Incident {
            contributing_factors: vec!["flaky tests".to_owned()],
            ..Incident::default()
        };
        let mut truth = Truth {
            flaky_tests: true,
            ..Truth::default()
        };
        retell(7, 3, &mut incident, &mut truth);
        assert!(incident.contributing_factors.is_empty());
        assert_eq!(
            truth.narrative_factors.first().map(String::as_str),
            Some("flaky-tests")
        );
        let body = incident.body.unwrap_or_default();
        let flaky = WORDINGS[0].1;
        assert!(flaky.iter().any(|wording| body.contains(wording)), "{body}");
    }
}
