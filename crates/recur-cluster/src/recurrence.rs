//! Recurrences: incidents that came back while the follow-up meant to prevent them was open.
//!
//! # Definition
//!
//! Incident B *recurs* incident A when all of these hold:
//!
//! 1. A started before B (strictly). An incident's start is `started_at`, else
//!    [`Incident::occurred_at`]; an incident with neither is never part of a recurrence.
//! 2. B started within `window_days` days after A (`start(B) - start(A) <= window_days`).
//! 3. A and B are in the same pattern (both `Some`, equal).
//! 4. A and B share at least one service (compared trimmed and case-insensitively).
//! 5. A had at least one follow-up open when B started ([`recur_core::FollowUp::open_at`]:
//!    created at or before B's start, and not done or won't-do by then).
//! 6. A and B are themselves similar: their cosine in the embedding dimensions the patterns
//!    were found in ([`Patterns::pattern_similarity`]) is at least `min_similarity` (default
//!    0.3: with patterns that keep causes apart, a higher bar only costs recall: on the
//!    independent planted data at 10k, recall 0.88 at 0.5, 0.95 at 0.3, precision 0.994 at
//!    both). Being in the same
//!    pattern is not enough: a pattern is judged by its centre, and two members on opposite
//!    sides of it may describe different causes. A recurrence says a follow-up could have
//!    prevented an incident; it must rest on the two reports saying the same thing. The
//!    similarity and the terms both rows weigh most ([`Recurrence::shared_terms`]) are
//!    reported as the evidence.
//!
//! 7. A and B are each typical of the pattern in their own words: a report's TF-IDF cosine to
//!    the pattern's summed TF-IDF rows is at least `min_word_share` (default 0.5, the share at
//!    which a report left alone joins a pattern on its words alone: `ADOPT_ON_WORDS` in
//!    [`crate::patterns`]) of the pattern's median member's. A report that is in the pattern
//!    because it is near it in meaning, while sharing few of its words, is shown in the
//!    pattern but no recurrence is claimed on it. Measured on planted data with the causes
//!    written several ways (`tests/quality.rs`), off → on: held-out vocabulary 2k, precision
//!    0.969 → 0.989, recall 0.932 → 0.926; held-out 100k 0.9993 → 0.9995, recall 0.976 →
//!    0.974; independent 100k, precision 0.9998 both, recall 0.946 → 0.944. On the bundled
//!    sample, a one-off "cloud provider zone network partition" on the internal-dns service
//!    sat in the DNS pattern at 0.38 of the median's words and was claimed as a recurrence of
//!    a DNS incident: now no claim on the sample is wrong.
//!
//! For each B, the most recent A meeting conditions 1 to 5 is taken (latest start; ties to the
//! smaller id), and reported, with A's follow-ups open at B's start (what a finished follow-up
//! might have prevented), when it also meets conditions 6 and 7. When it does not, B is reported as
//! no recurrence: an older, more similar incident is not substituted, as the follow-up that
//! mattered is the most recent one's. The same holds for condition 7: a B whose most recent A
//! is not typical of the pattern is reported as no recurrence. (Looking further back for a
//! typical A instead names a pair the definition does not: on the independent planted 100k,
//! 88 more of them.)
//!
//! # Cost
//!
//! Incidents are grouped by (pattern, service) and sorted by start; for each B the search walks
//! back from B's start only as far as the window reaches, in the groups of B's own services,
//! and stops at the first A that qualifies. No pair of incidents of different patterns or
//! services is ever compared.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use recur_core::Incident;
use serde::{Deserialize, Serialize};

use crate::patterns::{Patterns, word_shares};
use crate::similar::shared_row_columns;

/// Parameters of [`find_recurrences`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RecurrenceParams {
    /// How long after A a B may start and still recur it, in days. Default 180.
    pub window_days: u32,
    /// The least cosine of A's and B's embedding rows (condition 6 of the definition), in
    /// [-1, 1]. Default 0.3.
    pub min_similarity: f32,
    /// The least cosine of A's and B's TF-IDF rows, in [0, 1]: the words the two reports
    /// themselves share, in a space that is not the one the patterns were clustered in (where
    /// every member of a broad pattern looks alike). Default 0.0, off: on the bundled sample 0.18
    /// removes 3 of its 4 false recurrences and no true one, but on the independent planted data
    /// (`recur-synth`, causes written several ways) it halves recall (0.81 to 0.53).
    pub min_text_similarity: f32,
    /// The least share, for A and for B, of the words a pattern's median member shares with the
    /// pattern (condition 7 of the definition), in [0, 1]. Default 0.5; 0 turns it off.
    #[serde(default = "default_min_word_share")]
    pub min_word_share: f32,
    /// Shared terms reported per recurrence. Default 5.
    pub shared_terms: usize,
}

fn default_min_word_share() -> f32 {
    crate::patterns::ADOPT_ON_WORDS as f32
}

impl Default for RecurrenceParams {
    fn default() -> Self {
        Self {
            window_days: 180,
            min_similarity: 0.3,
            min_text_similarity: 0.0,
            min_word_share: default_min_word_share(),
            shared_terms: 5,
        }
    }
}

/// [`RecurrenceParams`] that passed [`RecurrenceParams::check`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidRecurrenceParams(RecurrenceParams);

impl ValidRecurrenceParams {
    /// The checked parameters.
    pub fn get(&self) -> &RecurrenceParams {
        &self.0
    }
}

impl RecurrenceParams {
    /// Validate every value once.
    pub fn check(&self) -> Result<ValidRecurrenceParams, RecurrenceError> {
        if self.window_days == 0 {
            return Err(RecurrenceError::ZeroWindow);
        }
        if !(self.min_similarity.is_finite() && (-1.0..=1.0).contains(&self.min_similarity)) {
            return Err(RecurrenceError::BadMinSimilarity(self.min_similarity));
        }
        if !(self.min_word_share.is_finite() && (0.0..=1.0).contains(&self.min_word_share)) {
            return Err(RecurrenceError::BadMinWordShare(self.min_word_share));
        }
        Ok(ValidRecurrenceParams(*self))
    }
}

/// A bad recurrence parameter.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RecurrenceError {
    /// `window_days` of 0.
    #[error("window_days must be at least 1")]
    ZeroWindow,
    /// `min_similarity` outside [-1, 1].
    #[error("min_similarity must be in [-1, 1], got {0}")]
    BadMinSimilarity(f32),
    /// `min_word_share` outside [0, 1].
    #[error("min_word_share must be in [0, 1], got {0}")]
    BadMinWordShare(f32),
}

/// Incident B recurring incident A (see the module docs for the definition).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recurrence {
    /// Index of B, the later incident, in the input.
    pub incident: usize,
    /// Index of A, the earlier incident.
    pub earlier: usize,
    /// B's id.
    pub incident_id: String,
    /// A's id.
    pub earlier_incident_id: String,
    /// The pattern both are in.
    pub pattern: usize,
    /// Services of A that B also has (A's spelling), sorted.
    pub shared_services: Vec<String>,
    /// A's follow-ups open when B started: each follow-up's id, or `"{incident_id}#{n}"` (n
    /// counting A's follow-ups from 1) when it has none.
    pub open_follow_up_ids: Vec<String>,
    /// Days from A's start to B's start.
    pub days_between: f64,
    /// Cosine of A and B in the dimensions the patterns were found in (at least
    /// `min_similarity`).
    pub similarity: f32,
    /// Cosine of A's and B's TF-IDF rows (at least `min_text_similarity`).
    pub text_similarity: f32,
    /// The terms weighing most in both A's and B's TF-IDF rows, strongest first: the evidence
    /// that the two reports describe the same thing. Names (the services the two share, for
    /// one) count at [`Patterns::evidence_weights`]: they say where, not why. Each name is
    /// shared by every recurrence that shows it (967k recurrences at 1M).
    pub shared_terms: Vec<Arc<str>>,
}

/// Find every incident that recurs an earlier one, sorted by the later incident's start, then
/// its id. `patterns` are the patterns found in `incidents` (their assignment, embedding and
/// TF-IDF rows); an incident beyond them counts as in no pattern.
pub fn find_recurrences(
    incidents: &[Incident],
    patterns: &Patterns,
    params: &RecurrenceParams,
) -> Vec<Recurrence> {
    let pattern_of = patterns.assignment.as_slice();
    let similarity = |a: usize, b: usize| patterns.pattern_similarity(a, b);
    let window = chrono::Duration::days(i64::from(params.window_days));
    let starts: Vec<Option<DateTime<Utc>>> = incidents.iter().map(start_of).collect();
    let typical = typical_members(patterns, params.min_word_share);
    // Each term's name once, shared by every recurrence that shows it.
    let term_names: Vec<Arc<str>> = patterns
        .vectors
        .terms
        .iter()
        .map(|t| Arc::from(t.as_str()))
        .collect();
    let service_keys: Vec<Vec<String>> = incidents
        .iter()
        .map(|incident| service_keys(&incident.services))
        .collect();

    // Incidents by (pattern, service), sorted by (start, id, index).
    let mut groups: BTreeMap<(usize, &str), Vec<usize>> = BTreeMap::new();
    for (index, services) in service_keys.iter().enumerate() {
        let (Some(pattern), Some(_)) = (pattern_of.get(index).copied().flatten(), starts[index])
        else {
            continue;
        };
        for service in services {
            groups.entry((pattern, service)).or_default().push(index);
        }
    }
    let order = |a: &usize, b: &usize| {
        starts[*a]
            .cmp(&starts[*b])
            .then_with(|| incidents[*a].id.cmp(&incidents[*b].id))
            .then_with(|| a.cmp(b))
    };
    groups
        .values_mut()
        .for_each(|members| members.sort_by(order));
    // Where each incident sits in each of its groups.
    let mut positions: Vec<Vec<(&[usize], usize)>> = vec![Vec::new(); incidents.len()];
    for members in groups.values() {
        for (at, &member) in members.iter().enumerate() {
            positions[member].push((members.as_slice(), at));
        }
    }

    let mut found: Vec<Recurrence> = (0..incidents.len())
        .into_par_iter()
        .filter_map(|later| {
            let b_start = starts[later]?;
            let is_typical = |index: usize| typical.get(index).copied().unwrap_or(false);
            if !is_typical(later) {
                return None;
            }
            let earlier = positions[later]
                .iter()
                .filter_map(|&(members, at)| {
                    members[..at]
                        .iter()
                        .rev()
                        .copied()
                        .filter_map(|a| starts[a].map(|start| (a, start)))
                        .take_while(|&(_, a_start)| b_start - a_start <= window)
                        .find(|&(a, a_start)| {
                            a_start < b_start
                                && incidents[a]
                                    .follow_ups
                                    .iter()
                                    .any(|follow_up| follow_up.open_at(b_start))
                        })
                })
                // The most recent; ties to the smaller id.
                .min_by(|&(a, a_start), &(b, b_start)| {
                    b_start
                        .cmp(&a_start)
                        .then_with(|| incidents[a].id.cmp(&incidents[b].id))
                        .then_with(|| a.cmp(&b))
                })?;
            let (earlier, a_start) = earlier;
            // Conditions 6 and 7 judge the A of conditions 1-5; a dissimilar or atypical A is
            // not replaced by an older one, which would name an incident the definition does not.
            let text_similarity = patterns.vectors.cosine(earlier, later);
            if similarity(earlier, later) < params.min_similarity
                || text_similarity < params.min_text_similarity
                || !is_typical(earlier)
            {
                return None;
            }
            let mut recurrence = describe(
                incidents,
                &service_keys,
                later,
                earlier,
                pattern_of.get(later).copied().flatten()?,
                (b_start - a_start).num_seconds() as f64 / 86_400.0,
            );
            recurrence.similarity = similarity(earlier, later);
            recurrence.text_similarity = text_similarity;
            let row = |index: usize| {
                patterns
                    .vectors
                    .rows
                    .get(index)
                    .map_or(&[][..], Vec::as_slice)
            };
            recurrence.shared_terms = shared_row_columns(
                row(earlier),
                row(later),
                params.shared_terms,
                &patterns.evidence_weights,
            )
            .into_iter()
            .filter_map(|column| term_names.get(column as usize).cloned())
            .collect();
            Some(recurrence)
        })
        .collect();
    found.sort_by(|x, y| {
        starts[x.incident]
            .cmp(&starts[y.incident])
            .then_with(|| x.incident_id.cmp(&y.incident_id))
            .then_with(|| x.incident.cmp(&y.incident))
    });
    found
}

/// Whether each incident is typical of its pattern in its own words (condition 7 of the
/// definition): its TF-IDF cosine to the pattern's summed rows is at least `min_share` of the
/// pattern's median member's. `false` for incidents in no pattern; `true` for every member of
/// a pattern whose median member shares no words with it, and for a member without a TF-IDF
/// row (nothing to judge by).
fn typical_members(patterns: &Patterns, min_share: f32) -> Vec<bool> {
    let assignment = &patterns.assignment;
    let n_patterns = assignment
        .iter()
        .flatten()
        .max()
        .map_or(0, |&last| last + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_patterns];
    for (index, pattern) in assignment.iter().enumerate() {
        if let Some(pattern) = pattern {
            members[*pattern].push(index);
        }
    }
    let vectors = &patterns.vectors;
    let judged: Vec<Vec<(usize, bool)>> = members
        .par_iter()
        .map(|members| {
            // Members beyond the rows (hand-built patterns) are not judged.
            let members: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&member| member < vectors.rows.len())
                .collect();
            let shares = word_shares(vectors, &members);
            members
                .into_iter()
                .zip(shares)
                .map(|(member, share)| (member, share >= f64::from(min_share)))
                .collect()
        })
        .collect();
    let mut typical: Vec<bool> = assignment
        .iter()
        .enumerate()
        .map(|(index, pattern)| pattern.is_some() && index >= vectors.rows.len())
        .collect();
    for (member, is_typical) in judged.into_iter().flatten() {
        typical[member] = is_typical;
    }
    typical
}

/// [`find_recurrences`] with parameters checked already.
pub fn find_recurrences_checked(
    incidents: &[Incident],
    patterns: &Patterns,
    params: &ValidRecurrenceParams,
) -> Vec<Recurrence> {
    find_recurrences(incidents, patterns, params.get())
}

/// The start of an incident: `started_at`, else the earliest other timestamp.
fn start_of(incident: &Incident) -> Option<DateTime<Utc>> {
    incident.started_at.or_else(|| incident.occurred_at())
}

/// Services trimmed and lowercased, distinct, sorted; blanks dropped.
fn service_keys(services: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = services
        .iter()
        .map(|service| service.trim().to_lowercase())
        .filter(|service| !service.is_empty())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

fn describe(
    incidents: &[Incident],
    service_keys: &[Vec<String>],
    later: usize,
    earlier: usize,
    pattern: usize,
    days_between: f64,
) -> Recurrence {
    let (a, b) = (&incidents[earlier], &incidents[later]);
    let b_start = start_of(b);
    let mut shared_services: Vec<String> = a
        .services
        .iter()
        .filter(|service| {
            let key = service.trim().to_lowercase();
            !key.is_empty() && service_keys[later].binary_search(&key).is_ok()
        })
        .map(|service| service.trim().to_owned())
        .collect();
    shared_services.sort();
    shared_services.dedup();
    let open_follow_up_ids = a
        .follow_ups
        .iter()
        .enumerate()
        .filter(|(_, follow_up)| b_start.is_some_and(|start| follow_up.open_at(start)))
        .map(|(n, follow_up)| {
            follow_up
                .id
                .clone()
                .unwrap_or_else(|| format!("{}#{}", a.id, n + 1))
        })
        .collect();
    Recurrence {
        incident: later,
        earlier,
        incident_id: b.id.clone(),
        earlier_incident_id: a.id.clone(),
        pattern,
        shared_services,
        open_follow_up_ids,
        days_between,
        similarity: 0.0,
        text_similarity: 0.0,
        shared_terms: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use ndarray::Array2;
    use recur_core::{FollowUp, FollowUpStatus};

    use crate::tfidf::TfIdf;

    /// Patterns with this assignment, every incident's embedding row the same (similarity 1).
    fn assigned(pattern_of: &[Option<usize>]) -> Patterns {
        let mut embedding = Array2::zeros((pattern_of.len().max(5), 2));
        embedding.column_mut(0).fill(1.0);
        Patterns {
            assignment: pattern_of.to_vec(),
            embedding,
            ..Patterns::default()
        }
    }

    fn day(n: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default()
            + chrono::Duration::days(n)
    }

    fn follow_up(id: Option<&str>, created: i64, closed: Option<i64>) -> FollowUp {
        FollowUp {
            id: id.map(str::to_owned),
            created_at: Some(day(created)),
            closed_at: closed.map(day),
            status: if closed.is_some() {
                FollowUpStatus::Done
            } else {
                FollowUpStatus::Open
            },
            ..FollowUp::default()
        }
    }

    fn incident(id: &str, start: i64, services: &[&str], follow_ups: Vec<FollowUp>) -> Incident {
        Incident {
            id: id.to_owned(),
            started_at: Some(day(start)),
            services: services.iter().map(|s| (*s).to_owned()).collect(),
            follow_ups,
            ..Incident::default()
        }
    }

    /// The (later, earlier) id pairs found.
    fn pairs(incidents: &[Incident], pattern_of: &[Option<usize>]) -> Vec<(String, String)> {
        find_recurrences(
            incidents,
            &assigned(pattern_of),
            &RecurrenceParams::default(),
        )
        .into_iter()
        .map(|r| (r.incident_id, r.earlier_incident_id))
        .collect()
    }

    /// A recurrence's shared terms as text.
    fn terms(recurrence: &Recurrence) -> Vec<&str> {
        recurrence.shared_terms.iter().map(|t| &**t).collect()
    }

    fn pair(later: &str, earlier: &str) -> (String, String) {
        (later.to_owned(), earlier.to_owned())
    }

    #[test]
    fn a_recurrence_reports_the_earlier_incident_and_its_open_follow_ups() {
        let incidents = vec![
            incident(
                "A",
                0,
                &["api", "db"],
                vec![
                    follow_up(Some("OPS-1"), 1, None),
                    follow_up(Some("OPS-2"), 1, Some(5)),
                    follow_up(None, 2, None),
                ],
            ),
            incident("B", 30, &["DB ", "web"], vec![]),
        ];
        let found = find_recurrences(
            &incidents,
            &assigned(&[Some(3), Some(3)]),
            &RecurrenceParams::default(),
        );
        assert_eq!(
            found,
            [Recurrence {
                incident: 1,
                earlier: 0,
                incident_id: "B".into(),
                earlier_incident_id: "A".into(),
                pattern: 3,
                shared_services: vec!["db".into()],
                open_follow_up_ids: vec!["OPS-1".into(), "A#3".into()],
                days_between: 30.0,
                similarity: 1.0,
                text_similarity: 0.0,
                shared_terms: Vec::new(),
            }]
        );
    }

    #[test]
    fn the_earlier_incident_must_start_strictly_before() {
        let open = || vec![follow_up(Some("F"), -10, None)];
        let same_time = vec![
            incident("A", 10, &["api"], open()),
            incident("B", 10, &["api"], open()),
        ];
        assert!(pairs(&same_time, &[Some(0), Some(0)]).is_empty());
        let later_first_in_input = vec![
            incident("B", 20, &["api"], open()),
            incident("A", 10, &["api"], open()),
        ];
        assert_eq!(
            pairs(&later_first_in_input, &[Some(0), Some(0)]),
            [pair("B", "A")]
        );
    }

    #[test]
    fn the_later_incident_must_start_within_the_window() {
        let a = || incident("A", 0, &["api"], vec![follow_up(Some("F"), 0, None)]);
        let inside = vec![a(), incident("B", 180, &["api"], vec![])];
        assert_eq!(pairs(&inside, &[Some(0), Some(0)]), [pair("B", "A")]);
        let outside = vec![a(), incident("B", 181, &["api"], vec![])];
        assert!(pairs(&outside, &[Some(0), Some(0)]).is_empty());
        let narrow = find_recurrences(
            &inside,
            &assigned(&[Some(0), Some(0)]),
            &RecurrenceParams {
                window_days: 90,
                ..RecurrenceParams::default()
            },
        );
        assert!(narrow.is_empty());
    }

    #[test]
    fn both_must_be_in_the_same_pattern() {
        let incidents = vec![
            incident("A", 0, &["api"], vec![follow_up(Some("F"), 0, None)]),
            incident("B", 10, &["api"], vec![]),
        ];
        assert!(pairs(&incidents, &[Some(0), Some(1)]).is_empty());
        assert!(
            pairs(&incidents, &[None, None]).is_empty(),
            "no pattern is no pattern"
        );
        assert!(
            pairs(&incidents, &[Some(0)]).is_empty(),
            "missing assignment is none"
        );
        assert_eq!(pairs(&incidents, &[Some(1), Some(1)]), [pair("B", "A")]);
    }

    #[test]
    fn both_must_share_a_service() {
        let incidents = vec![
            incident("A", 0, &["api"], vec![follow_up(Some("F"), 0, None)]),
            incident("B", 10, &["web"], vec![]),
            incident("C", 20, &[], vec![]),
        ];
        assert!(pairs(&incidents, &[Some(0), Some(0), Some(0)]).is_empty());
    }

    #[test]
    fn a_follow_up_must_be_open_when_the_later_incident_started() {
        let with = |follow_ups: Vec<FollowUp>| {
            vec![
                incident("A", 0, &["api"], follow_ups),
                incident("B", 10, &["api"], vec![]),
            ]
        };
        let patterns = [Some(0), Some(0)];
        assert!(pairs(&with(vec![]), &patterns).is_empty(), "no follow-up");
        assert!(
            pairs(&with(vec![follow_up(Some("F"), 1, Some(10))]), &patterns).is_empty(),
            "closed at B's start"
        );
        assert!(
            pairs(&with(vec![follow_up(Some("F"), 11, None)]), &patterns).is_empty(),
            "created after B's start"
        );
        let wont_do = FollowUp {
            status: FollowUpStatus::WontDo,
            ..FollowUp::default()
        };
        assert!(
            pairs(&with(vec![wont_do]), &patterns).is_empty(),
            "won't do"
        );
        assert_eq!(
            pairs(&with(vec![follow_up(Some("F"), 10, Some(11))]), &patterns),
            [pair("B", "A")],
            "created at B's start, closed after"
        );
    }

    #[test]
    fn the_most_recent_qualifying_incident_is_reported() {
        let open = || vec![follow_up(Some("F"), 0, None)];
        let incidents = vec![
            incident("A1", 0, &["api"], open()),
            incident("A2", 5, &["db"], open()),
            incident("A3", 8, &["api"], vec![]),
            incident("B", 10, &["api", "db"], vec![]),
            incident("C", 12, &["api"], vec![]),
        ];
        let patterns = [Some(0); 5];
        assert_eq!(
            pairs(&incidents, &patterns),
            [pair("A3", "A1"), pair("B", "A2"), pair("C", "A1")],
            "for B, A2 (day 5, db) beats A1 and A3 has no open follow-up; for C, neither has B"
        );
    }

    #[test]
    fn start_falls_back_to_occurred_at_and_undated_incidents_are_skipped() {
        let mut a = incident("A", 0, &["api"], vec![follow_up(Some("F"), 0, None)]);
        a.started_at = None;
        a.detected_at = Some(day(1));
        let b = incident("B", 20, &["api"], vec![]);
        let mut undated = incident("U", 0, &["api"], vec![]);
        undated.started_at = None;
        let found = find_recurrences(
            &[a, b, undated],
            &assigned(&[Some(0); 3]),
            &RecurrenceParams::default(),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].days_between, 19.0);
    }

    #[test]
    fn output_is_sorted_by_later_start_then_id() {
        let open = || vec![follow_up(Some("F"), 0, None)];
        let incidents = vec![
            incident("Z", 30, &["api"], vec![]),
            incident("Y", 30, &["api"], vec![]),
            incident("X", 20, &["api"], vec![]),
            incident("A", 0, &["api"], open()),
        ];
        assert_eq!(
            pairs(&incidents, &[Some(0); 4]),
            [pair("X", "A"), pair("Y", "A"), pair("Z", "A")]
        );
    }

    #[test]
    fn the_two_incidents_must_be_similar_themselves() {
        let open = || vec![follow_up(Some("F"), 0, None)];
        let incidents = vec![
            incident("A1", 0, &["api"], open()),
            incident("A2", 5, &["api"], open()),
            incident("B", 10, &["api"], vec![]),
        ];
        // A1 and B point the same way; A2 is at 60 degrees from both (cosine 0.5), then at 90
        // degrees from both (cosine 0), and no longer recurs A1 either.
        let mut patterns = assigned(&[Some(0); 3]);
        patterns.embedding =
            Array2::from_shape_vec((3, 2), vec![1.0, 0.0, 0.5, 0.75_f32.sqrt(), 1.0, 0.0])
                .expect("3 x 2");
        let found = find_recurrences(&incidents, &patterns, &RecurrenceParams::default());
        assert_eq!(found.len(), 2);
        assert_eq!(
            (
                found[1].incident_id.as_str(),
                found[1].earlier_incident_id.as_str()
            ),
            ("B", "A2"),
            "at the threshold"
        );
        patterns.embedding[[1, 0]] = 0.0;
        patterns.embedding[[1, 1]] = 1.0;
        let found = find_recurrences(&incidents, &patterns, &RecurrenceParams::default());
        let pairs: Vec<(&str, &str)> = found
            .iter()
            .map(|r| (r.incident_id.as_str(), r.earlier_incident_id.as_str()))
            .collect();
        assert!(
            pairs.is_empty(),
            "A2 is not similar to B, and the older A1 is not put in its place: {pairs:?}"
        );
    }

    #[test]
    fn both_must_be_typical_of_the_pattern_in_their_own_words() {
        let open = || vec![follow_up(Some("F"), 0, None)];
        let incidents = vec![
            incident("A1", 0, &["dns"], open()),
            incident("A2", 5, &["dns"], open()),
            incident("A3", 8, &["dns"], open()),
            incident("B", 10, &["dns"], vec![]),
        ];
        // Terms: 0 resolver, 1 lookups, 2 zone, 3 partition. A1, A2 and B's first row share
        // the pattern's words; A3 is in the pattern on one word of four.
        let unit = |row: &[(u32, f32)]| -> Vec<(u32, f32)> {
            let norm = row.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            row.iter().map(|&(t, w)| (t, w / norm)).collect()
        };
        let typical = unit(&[(0, 1.0), (1, 1.0)]);
        let stray = unit(&[(1, 0.3), (2, 1.0), (3, 1.0)]);
        let mut patterns = assigned(&[Some(0); 4]);
        patterns.vectors = TfIdf {
            terms: ["resolver", "lookups", "zone", "partition"]
                .map(String::from)
                .to_vec(),
            rows: vec![typical.clone(), typical.clone(), stray.clone(), typical],
            ..TfIdf::default()
        };
        let found = |patterns: &Patterns, share: f32| -> Vec<(String, String)> {
            let params = RecurrenceParams {
                min_word_share: share,
                ..RecurrenceParams::default()
            };
            find_recurrences(&incidents, patterns, &params)
                .into_iter()
                .map(|r| (r.incident_id, r.earlier_incident_id))
                .collect()
        };
        // A3, B's most recent, is not typical: B recurs nothing, and A2, older, is not put in
        // its place. A3 recurs nothing either.
        assert_eq!(found(&patterns, 0.5), [pair("A2", "A1")]);
        // Off: A3 is B's most recent incident of the pattern, and recurs A2 itself.
        assert_eq!(
            found(&patterns, 0.0),
            [pair("A2", "A1"), pair("A3", "A2"), pair("B", "A3")]
        );
        // B itself stray: it recurs nothing.
        patterns.vectors.rows[3] = stray;
        patterns.vectors.rows[2] = patterns.vectors.rows[0].clone();
        assert_eq!(found(&patterns, 0.5), [pair("A2", "A1"), pair("A3", "A2")]);
    }

    #[test]
    fn shared_terms_are_the_evidence() {
        let incidents = vec![
            incident("A", 0, &["api"], vec![follow_up(Some("F"), 0, None)]),
            incident("B", 10, &["api"], vec![]),
        ];
        let mut patterns = assigned(&[Some(0), Some(0)]);
        patterns.vectors = TfIdf {
            terms: vec!["certificate".into(), "expired".into(), "office".into()],
            rows: vec![vec![(0, 0.8), (1, 0.5), (2, 0.3)], vec![(0, 0.9), (1, 0.1)]],
            ..TfIdf::default()
        };
        let found = find_recurrences(&incidents, &patterns, &RecurrenceParams::default());
        assert_eq!(terms(&found[0]), ["certificate", "expired"]);
    }

    #[test]
    fn names_weigh_less_in_the_evidence() {
        let incidents = vec![
            incident("A", 0, &["payments"], vec![follow_up(Some("F"), 0, None)]),
            incident("B", 10, &["payments"], vec![]),
        ];
        let mut patterns = assigned(&[Some(0), Some(0)]);
        patterns.vectors = TfIdf {
            terms: ["payments", "certificate", "expired"]
                .map(String::from)
                .to_vec(),
            rows: vec![
                vec![(0, 0.6), (1, 0.6), (2, 0.5)],
                vec![(0, 0.6), (1, 0.5), (2, 0.5)],
            ],
            ..TfIdf::default()
        };
        let params = RecurrenceParams::default();
        let found = find_recurrences(&incidents, &patterns, &params);
        assert_eq!(terms(&found[0]), ["payments", "certificate", "expired"]);
        // The service's name counts at 0.3: 0.36 becomes 0.108, after 0.30 and 0.25.
        patterns.evidence_weights = vec![0.3, 1.0, 1.0];
        let found = find_recurrences(&incidents, &patterns, &params);
        assert_eq!(terms(&found[0]), ["certificate", "expired", "payments"]);
    }

    #[test]
    fn bad_parameters_are_rejected() {
        assert_eq!(
            RecurrenceParams {
                window_days: 0,
                ..RecurrenceParams::default()
            }
            .check(),
            Err(RecurrenceError::ZeroWindow)
        );
        for bad in [1.5, -2.0, f32::NAN] {
            assert!(matches!(
                RecurrenceParams {
                    min_similarity: bad,
                    ..RecurrenceParams::default()
                }
                .check(),
                Err(RecurrenceError::BadMinSimilarity(_))
            ));
        }
        for bad in [1.5, -0.1, f32::NAN] {
            assert!(matches!(
                RecurrenceParams {
                    min_word_share: bad,
                    ..RecurrenceParams::default()
                }
                .check(),
                Err(RecurrenceError::BadMinWordShare(_))
            ));
        }
        assert!(RecurrenceParams::default().check().is_ok());
    }
}
