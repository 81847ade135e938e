//! The narrative factor mode ([`PlantParams::narrative_factors`](crate::PlantParams)):
//! contributing factors are not listed; a few cross-cutting ones are told in the incident's
//! narrative `body`, in sentences among neutral ones about the same subjects.
//!
//! The sentences were written for this crate on their own, before any result was looked at and
//! without copying the factor catalogue's phrases or `recur_core::synth`'s narrative, so that a
//! test of factor extraction on them measures how the extraction reads prose people write, not
//! whether it knows these wordings. Neutral sentences mention canaries, runbooks, CI runs, alerts
//! and owning teams without the factor.
//!
//! Each incident is retold with its own generator derived from (seed, incident index): the rest
//! of the output is the same as without the mode, and does not depend on the thread count.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use recur_core::Incident;

/// The factors the narrative mode plants, by catalogue concept id, with the share of incidents
/// each is planted in (independently of the cause, so each spans teams and patterns).
pub const NARRATIVE_FACTORS: [(&str, f64); 4] = [
    ("flaky-tests", 0.15),
    ("alert-fatigue", 0.13),
    ("missing-runbook", 0.12),
    ("unclear-ownership", 0.1),
];

/// Ways an engineer tells each planted factor, by concept id.
const WORDINGS: [(&str, &[&str]); 4] = [
    (
        "flaky-tests",
        &[
            "The CI job that should have stopped the merge has a history of failing for no reason, so the author hit retry and it went green.",
            "That test suite is known to be unreliable and its failures are routinely waved through.",
            "The broken assertion had been marked as skipped after it kept failing intermittently on the build agents.",
            "Nobody trusts the end-to-end checks any more: a red run usually means a timing glitch, not a bug.",
            "The pipeline showed the failure, but flaky tests on that repository meant it was treated as noise.",
            "The check failed twice and passed on the third rerun, and the change was merged.",
        ],
    ),
    (
        "alert-fatigue",
        &[
            "The page arrived in the middle of a burst of unrelated alerts and was closed along with them.",
            "This alarm has gone off several times a week for a year without anything being wrong, so the responder assumed it was spurious.",
            "Our alerting channel is so busy that the important message scrolled past unread.",
            "The on-call had set a filter that hides this monitor's notifications because it is chatty.",
            "Alert noise on the service is high enough that warnings are routinely dismissed.",
            "The notification was acknowledged out of habit and nobody followed up on it.",
        ],
    ),
    (
        "missing-runbook",
        &[
            "The responder could not find any documentation on how to restart the consumer safely.",
            "The recovery procedure in the wiki referred to a tool that was retired last year.",
            "No playbook existed for a full queue, so people guessed at the steps.",
            "The instructions for failing over were incomplete and left out the DNS step.",
            "Restoring the replica is undocumented, and the engineer had to read the scripts to learn how.",
            "Our runbook described the old architecture and was of no help.",
        ],
    ),
    (
        "unclear-ownership",
        &[
            "The service sits between two teams and neither considered it theirs.",
            "Nobody on the rotation knew who maintains the cron host.",
            "The ticket was reassigned four times before anyone accepted it.",
            "The library has been without a maintainer since its author moved teams.",
            "It was unclear which group was responsible for the load balancer configuration.",
            "The alert routed to a team that had handed the service over months earlier.",
        ],
    ),
];

/// Sentences about the same subjects that tell no factor.
const NEUTRAL: &[&str] = &[
    "A canary instance took the new build first and stayed healthy for an hour.",
    "The runbook steps worked and the consumer was back within ten minutes.",
    "The CI run was green and the reviewers approved the change.",
    "The alert reached the on-call, who started investigating immediately.",
    "The owning team was identified from the service catalogue in a minute.",
    "New tests now cover the failing input.",
    "The rollout proceeded in three waves over the afternoon.",
    "The responder followed the documented procedure to fail over.",
    "Two engineers paired on the mitigation.",
    "The status page was updated every half hour.",
];

/// Retell incident `index`'s contributing factors in its narrative: clear the listed factors,
/// write the planted ones into `body` among neutral sentences, and return the planted ids.
pub(crate) fn retell(seed: u64, index: usize, incident: &mut Incident) -> Vec<String> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(
        seed.rotate_left(17) ^ (index as u64).wrapping_mul(0xD1B5_4A32_D192_ED03),
    );
    let planted: Vec<&str> = NARRATIVE_FACTORS
        .iter()
        .filter(|(_, rate)| rng.gen_bool(*rate))
        .map(|(id, _)| *id)
        .collect();
    let mut sentences: Vec<&str> = planted
        .iter()
        .filter_map(|id| {
            let (_, wordings) = WORDINGS.iter().find(|(key, _)| key == id)?;
            Some(wordings[rng.gen_range(0..wordings.len())])
        })
        .collect();
    for _ in 0..rng.gen_range(1..=3) {
        let neutral = NEUTRAL[rng.gen_range(0..NEUTRAL.len())];
        if !sentences.contains(&neutral) {
            sentences.push(neutral);
        }
    }
    crate::shuffle(&mut sentences, &mut rng);
    incident.contributing_factors.clear();
    incident.body = Some(sentences.join(" "));
    planted.into_iter().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_planted_factor_has_wordings() {
        for (id, _) in NARRATIVE_FACTORS {
            let wordings = WORDINGS.iter().find(|(key, _)| *key == id);
            assert_eq!(wordings.map(|(_, w)| w.len()), Some(6), "{id}");
        }
    }

    #[test]
    fn the_mode_changes_only_the_body_the_listed_factors_and_the_truth_of_them() {
        let params = crate::PlantParams {
            n_incidents: 300,
            ..crate::PlantParams::default()
        };
        let plain = crate::generate(&params);
        let told = crate::generate(&crate::PlantParams {
            narrative_factors: true,
            ..params
        });
        assert!(plain.truth.iter().all(|t| t.narrative_factors.is_empty()));
        assert!(told.truth.iter().any(|t| !t.narrative_factors.is_empty()));
        for (a, b) in plain.incidents.iter().zip(&told.incidents) {
            let b = Incident {
                body: a.body.clone(),
                contributing_factors: a.contributing_factors.clone(),
                ..b.clone()
            };
            assert_eq!(a, &b);
        }
        for (a, b) in plain.truth.iter().zip(&told.truth) {
            assert_eq!((&a.cause, &a.recurrence_of), (&b.cause, &b.recurrence_of));
        }
    }

    #[test]
    fn retelling_clears_the_list_and_tells_the_planted_factors_in_the_body() {
        let mut planted_any = false;
        for index in 0..50 {
            let mut incident = Incident {
                contributing_factors: vec!["runbook was out of date".to_owned()],
                ..Incident::default()
            };
            let planted = retell(5, index, &mut incident);
            assert!(incident.contributing_factors.is_empty());
            let body = incident.body.unwrap_or_default();
            for id in &planted {
                planted_any = true;
                let (_, wordings) = WORDINGS
                    .iter()
                    .find(|(key, _)| key == id)
                    .expect("wordings");
                assert!(wordings.iter().any(|w| body.contains(w)), "{id}: {body}");
            }
            assert!(NEUTRAL.iter().any(|n| body.contains(n)), "{body}");
        }
        assert!(planted_any);
    }
}
